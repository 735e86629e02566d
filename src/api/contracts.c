/*
 * contracts.c - family-doctor teams and contracts over the API: JSON in, one call into
 * contracts/, JSON out. Scope (own team, own village) is decided in contracts/, not here;
 * reads of contracts and of a team's residents are reads of person data and are audited.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "contracts/contracts.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"

/* --- rendering --------------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *date_or_null(int32_t d)
{
    char text[DATE_STR_LEN];
    return d == DATE_INVALID ? json_null() : json_string(date_format(d, text));
}

static json_t *team_json(const struct contract_team *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "code", json_string(t->code));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "facility_code", json_string(t->facility_code));
    json_object_set_new(o, "leader_code", str_or_null(t->leader_code));
    json_object_set_new(o, "capacity", json_integer(t->capacity));
    json_object_set_new(o, "status", json_string(t->status));
    json_object_set_new(o, "active_contracts", json_integer(t->active_contracts));
    /* Share of the capacity guideline in use; none without a guideline. */
    json_object_set_new(o, "capacity_use",
                        t->capacity > 0
                            ? json_real((double)t->active_contracts / (double)t->capacity)
                            : json_null());
    json_object_set_new(o, "member_count", json_integer(t->member_count));
    if (t->members != NULL) {
        json_t *members = json_array();
        for (size_t i = 0; i < t->n_members; i++) {
            const struct contract_member *m = &t->members[i];
            json_t *mo = json_object();
            json_object_set_new(mo, "code", json_string(m->code));
            json_object_set_new(mo, "name", json_string(m->name));
            json_object_set_new(mo, "role", json_string(m->role));
            json_object_set_new(mo, "facility_code", json_string(m->facility_code));
            json_array_append_new(members, mo);
        }
        json_object_set_new(o, "members", members);
    }
    json_object_set_new(o, "updated_at", json_string(t->updated_at));
    return o;
}

static json_t *contract_json(const struct contract *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(k->id));
    json_object_set_new(o, "external_id", str_or_null(k->external_id));
    json_object_set_new(o, "resident_id", json_integer(k->resident_id));
    json_object_set_new(o, "team_code", json_string(k->team_code));
    json_object_set_new(o, "package", json_string(k->package));
    json_object_set_new(o, "from_date", date_or_null(k->from_date));
    json_object_set_new(o, "to_date", date_or_null(k->to_date));
    json_object_set_new(o, "status", json_string(vocab_code(VOCAB_CONTRACT_STATUS, k->status)));
    json_object_set_new(o, "ended_date", date_or_null(k->ended_date));
    json_object_set_new(o, "end_reason", str_or_null(k->end_reason));
    json_object_set_new(o, "renews_id", k->renews_id ? json_integer(k->renews_id) : json_null());
    json_object_set_new(o, "updated_at", json_string(k->updated_at));
    return o;
}

/* {"items": [...], "next": cursor-or-null}; `last` is the key of the last item shown. */
static int reply_page(struct http_response *res, json_t *items, bool more, int64_t last)
{
    char cursor[32];
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "next",
                        more ? json_string(http_page_cursor(last, cursor, sizeof(cursor)))
                             : json_null());
    return http_reply_json(res, 200, o);
}

static void who_of(struct http_request *req, struct audit_actor *actor, struct contract_who *who)
{
    api_actor(req, actor);
    who->principal = api_principal(req);
    who->actor = actor;
}

/* --- input ------------------------------------------------------------------------------- */

static int json_date(json_t *body, const char *field, bool required, int32_t *out,
                     struct yl_err *err)
{
    const char *s = NULL;
    *out = DATE_INVALID;
    int rc = http_json_str(body, field, 0, 10, required, &s, err);
    if (rc != 0 || s == NULL)
        return rc;
    return date_parse(s, strlen(s), out, field, err);
}

/* member_codes: an array of staff codes, copied into the request's arena. */
static int json_members(struct http_request *req, json_t *body, struct contract_team_input *in,
                        struct yl_err *err)
{
    json_t *v = json_object_get(body, "member_codes");
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return yl_err_set(err, YL_EINVAL, "member_codes",
                          "member_codes must be an array of staff codes");
    size_t n = json_array_size(v);
    if (n > CONTRACT_TEAM_MEMBERS_MAX)
        return yl_err_set(err, YL_EINVAL, "member_codes", "a team has at most %d members",
                          CONTRACT_TEAM_MEMBERS_MAX);
    const char **codes = arena_alloc(&req->arena, (n ? n : 1) * sizeof(*codes));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return yl_err_set(err, YL_EINVAL, "member_codes",
                              "member_codes must be an array of staff codes");
        codes[i] = json_string_value(e);
    }
    in->member_codes = codes;
    in->n_member_codes = n;
    in->members_given = true;
    return 0;
}

static int team_input(struct http_request *req, bool create, struct contract_team_input *in,
                      struct yl_err *err)
{
    static const char *const create_fields[] = {
        "code", "name", "facility_code", "leader_code", "member_codes", "capacity", "status", NULL};
    json_t *body;
    memset(in, 0, sizeof(*in));
    in->capacity = -1;
    int rc = http_request_json(req, &body, err);
    /* The code is the team's key: it names the team in the path and does not change. */
    if (rc == 0)
        rc = http_json_only(body, create ? create_fields : create_fields + 1, err);
    if (rc == 0 && create)
        rc = http_json_str(body, "code", 1, CONTRACT_CODE_MAX, true, &in->code, err);
    if (rc == 0)
        rc = http_json_str(body, "name", 1, CONTRACT_NAME_MAX, create, &in->name, err);
    if (rc == 0)
        rc = http_json_str(body, "facility_code", 1, CONTRACT_CODE_MAX, create, &in->facility_code,
                           err);
    if (rc == 0)
        rc = http_json_str(body, "leader_code", 0, CONTRACT_CODE_MAX, false, &in->leader_code, err);
    if (rc == 0)
        rc = json_members(req, body, in, err);
    if (rc == 0)
        rc = http_json_int(body, "capacity", 0, CONTRACT_CAPACITY_MAX, false, &in->capacity, err);
    if (rc == 0)
        rc = http_json_str(body, "status", 1, 16, false, &in->status, err);
    return rc;
}

/* --- teams ------------------------------------------------------------------------------- */

int api_team_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct contract_team_filter f = {
        .facility_code = http_query(req, "facility"),
        .ou_code = http_query(req, "ou"),
        .status = http_query(req, "status"),
    };
    int rc = http_page_params(req, &f.limit, &f.after_id, err);
    if (rc != 0)
        return rc;
    /* One more than asked tells whether another page follows. */
    f.limit++;
    struct contract_team *teams = arena_alloc(&req->arena, sizeof(*teams) * (size_t)f.limit);
    int n = contract_team_list(a->store, &f, &req->arena, teams, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < f.limit - 1; i++)
        json_array_append_new(items, team_json(&teams[i]));
    bool more = n == f.limit;
    return reply_page(res, items, more, more ? teams[f.limit - 2].id : 0);
}

int api_team_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct contract_team t;
    int rc = contract_team_get(a->store, http_path_param(req, "code"), &req->arena, &t, err);
    if (rc != 0)
        return rc;
    /* Members are people: the read is on the trail like any other. */
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)t.id);
    api_audit_read(req, "read", "team", id);
    return http_reply_json(res, 200, team_json(&t));
}

int api_team_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct contract_team_input in;
    struct audit_actor actor;
    struct contract_who who;
    int rc = team_input(req, true, &in, err);
    if (rc != 0)
        return rc;
    who_of(req, &actor, &who);
    rc = contract_team_create(a->store, &in, &who, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    struct contract_team t;
    if (rc == 0)
        rc = contract_team_get(a->store, in.code, &req->arena, &t, err);
    if (rc != 0)
        return rc;
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/teams/%s", t.code);
    http_add_header(res, "Location", loc);
    return http_reply_json(res, 201, team_json(&t));
}

int api_team_update(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    const char *code = http_path_param(req, "code");
    struct contract_team_input in;
    struct audit_actor actor;
    struct contract_who who;
    int rc = team_input(req, false, &in, err);
    if (rc != 0)
        return rc;
    who_of(req, &actor, &who);
    rc = contract_team_update(a->store, code, &in, &who, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    struct contract_team t;
    if (rc == 0)
        rc = contract_team_get(a->store, code, &req->arena, &t, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, team_json(&t));
}

int api_team_residents(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    const char *code = http_path_param(req, "code");
    int limit;
    int64_t after;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    struct contract_resident *rows = arena_alloc(&req->arena, sizeof(*rows) * (size_t)(limit + 1));
    int n = contract_team_residents(a->store, code, api_principal(req), after, limit + 1,
                                    &req->arena, rows, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++) {
        const struct contract_resident *r = &rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "resident_id", json_integer(r->resident_id));
        json_object_set_new(o, "id_number", json_string(r->id_number_masked));
        json_object_set_new(o, "name", json_string(r->name));
        json_object_set_new(o, "sex", json_integer(r->sex));
        json_object_set_new(o, "birth_date", json_string(r->birth_date));
        json_object_set_new(o, "ou_code", json_string(r->ou_code));
        json_object_set_new(o, "contract_id", json_integer(r->contract_id));
        json_object_set_new(o, "package", json_string(r->package));
        json_object_set_new(o, "from_date", date_or_null(r->from_date));
        json_object_set_new(o, "to_date", date_or_null(r->to_date));
        json_array_append_new(items, o);
    }
    char what[48];
    snprintf(what, sizeof(what), "team:%.32s", code);
    api_audit_read(req, "list", "resident", what);
    return reply_page(res, items, n > limit, n > limit ? rows[limit - 1].contract_id : 0);
}

/* --- contracts --------------------------------------------------------------------------- */

int api_contract_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct contract_filter f = {
        .team_code = http_query(req, "team"),
        .status = http_query(req, "status"),
        .package = http_query(req, "package"),
    };
    int rc = http_page_params(req, &f.limit, &f.after_id, err);
    if (rc == 0)
        rc = http_query_int(req, "resident_id", 1, INT64_MAX, 0, &f.resident_id, err);
    if (rc != 0)
        return rc;
    f.limit++;
    struct contract *rows = arena_alloc(&req->arena, sizeof(*rows) * (size_t)f.limit);
    int n = contract_list(a->store, &f, api_principal(req), &req->arena, rows, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < f.limit - 1; i++)
        json_array_append_new(items, contract_json(&rows[i]));
    /* Name what was listed, so the trail answers "who looked at this resident's contracts". */
    char what[48] = "";
    if (f.resident_id > 0)
        snprintf(what, sizeof(what), "resident:%lld", (long long)f.resident_id);
    else if (f.team_code != NULL && f.team_code[0] != '\0')
        snprintf(what, sizeof(what), "team:%.32s", f.team_code);
    api_audit_read(req, "list", "contract", what);
    bool more = n == f.limit;
    return reply_page(res, items, more, more ? rows[f.limit - 2].id : 0);
}

/* Render contract `id` as the caller sees it, with `status`; audited as a read when asked. */
static int reply_contract(struct http_request *req, struct http_response *res, int64_t id,
                          int status, bool audit, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct contract k;
    int rc = contract_get(a->store, id, api_principal(req), &req->arena, &k, err);
    if (rc != 0)
        return rc;
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    if (audit)
        api_audit_read(req, "read", "contract", idtext);
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof(loc), "/api/contracts/%s", idtext);
        http_add_header(res, "Location", loc);
    }
    return http_reply_json(res, status, contract_json(&k));
}

int api_contract_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    return reply_contract(req, res, id, 200, true, err);
}

int api_contract_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"resident_id", "team_code", "package",
                                         "from_date",   "to_date",   NULL};
    json_t *body;
    struct contract_input in = {0};
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, true, &in.resident_id, err);
    if (rc == 0)
        rc = http_json_str(body, "team_code", 1, CONTRACT_CODE_MAX, true, &in.team_code, err);
    if (rc == 0)
        rc = http_json_str(body, "package", 1, 32, false, &in.package, err);
    if (rc == 0)
        rc = json_date(body, "from_date", false, &in.from_date, err);
    if (rc == 0)
        rc = json_date(body, "to_date", false, &in.to_date, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct contract_who who;
    who_of(req, &actor, &who);
    int64_t id, resident_id = 0;
    rc = contract_create(a->store, &in, &who, &id, &resident_id, err);
    if (rc != 0)
        return rc;
    api_index_resident(req, resident_id);
    return reply_contract(req, res, id, 201, false, err);
}

int api_contract_renew(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"team_code", "package", "to_date", NULL};
    int64_t id;
    json_t *body;
    struct contract_renewal in = {0};
    int rc = api_path_id(req, "id", &id, err);
    /* An empty body renews with everything as it was. */
    if (rc == 0 && req->body_len > 0) {
        rc = http_request_json(req, &body, err);
        if (rc == 0)
            rc = http_json_only(body, fields, err);
        if (rc == 0)
            rc = http_json_str(body, "team_code", 1, CONTRACT_CODE_MAX, false, &in.team_code, err);
        if (rc == 0)
            rc = http_json_str(body, "package", 1, 32, false, &in.package, err);
        if (rc == 0)
            rc = json_date(body, "to_date", false, &in.to_date, err);
    } else {
        in.to_date = DATE_INVALID;
    }
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct contract_who who;
    who_of(req, &actor, &who);
    int64_t new_id, resident_id = 0;
    rc = contract_renew(a->store, id, &in, &who, &new_id, &resident_id, err);
    if (rc != 0)
        return rc;
    api_index_resident(req, resident_id);
    return reply_contract(req, res, new_id, 201, false, err);
}

int api_contract_terminate(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"date", "reason", NULL};
    int64_t id;
    json_t *body;
    int32_t date = DATE_INVALID;
    const char *reason = NULL;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = json_date(body, "date", true, &date, err);
    if (rc == 0)
        rc = http_json_str(body, "reason", 1, CONTRACT_REASON_MAX, true, &reason, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct contract_who who;
    who_of(req, &actor, &who);
    int64_t resident_id = 0;
    rc = contract_terminate(a->store, id, date, reason, &who, &resident_id, err);
    if (rc != 0)
        return rc;
    api_index_resident(req, resident_id);
    return reply_contract(req, res, id, 200, false, err);
}
