/*
 * registry.c - the registry over the API: org units and their population, facilities,
 * medical groups, staff. Paths carry codes, never store ids; bodies use the CSV column names
 * (docs/import-formats.md) with lists as JSON arrays of codes. Each handler turns JSON into
 * a registry input, makes one registry call and renders the record it names.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"
#include "registry/registry.h"
#include "vocab/vocab.h"

/* Staff names are shown to callers holding this permission; the record without the name
 * to anyone else who may read the registry. */
#define STAFF_NAME_PERM PERM_SESSION

/* Longest JSON string a registry field takes before the registry's own checks count its
 * characters: generous, only to bound the work. */
#define FIELD_BYTES 1024

static void ctx_of(struct http_request *req, struct reg_ctx *ctx)
{
    struct api_app *a = req->app;
    ctx->store = a->store;
}

/* The caller as a registry writer: region-wide, or limited to the facility of their scope. */
static int writer_of(struct http_request *req, struct audit_actor *who, struct reg_writer *w,
                     struct yl_err *err)
{
    struct acct_principal *p = api_principal(req);
    api_actor(req, who);
    w->actor = who;
    w->facility = NULL;
    if (p->scope.kind == SCOPE_FACILITY) {
        w->facility = p->scope.ref;
        return 0;
    }
    if (p->scope.kind != SCOPE_REGION)
        return yl_err_set(err, YL_EFORBIDDEN, NULL,
                          "registry changes need a region-wide or a facility scope");
    return 0;
}

/* The :code of the path. Anything that cannot be a code names nothing: 404. */
static int path_code(struct http_request *req, bool adcode, const char **out,
                     struct yl_err *err)
{
    const char *s = http_path_param(req, "code");
    size_t n = s ? strlen(s) : 0;
    bool ok = n > 0 && n <= (adcode ? ADCODE_MAX_LEN : REG_CODE_MAX);
    for (size_t i = 0; ok && i < n; i++) {
        char ch = s[i];
        ok = (ch >= '0' && ch <= '9') ||
             (!adcode && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' ||
                          ch == '_'));
    }
    if (!ok)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such record");
    *out = s;
    return 0;
}

/* --- JSON in ---------------------------------------------------------------------------- */

static int body_real(json_t *b, const char *field, struct reg_real *out, struct yl_err *err)
{
    json_t *v = json_object_get(b, field);
    out->opt = REG_UNSET;
    if (v == NULL)
        return 0;
    if (json_is_null(v)) {
        out->opt = REG_NULL;
        return 0;
    }
    if (!json_is_number(v))
        return yl_err_set(err, YL_EINVAL, field, "%s must be a number", field);
    out->opt = REG_SET;
    out->v = json_number_value(v);
    return 0;
}

static int body_count(json_t *b, const char *field, struct reg_int *out, struct yl_err *err)
{
    json_t *v = json_object_get(b, field);
    out->opt = v == NULL ? REG_UNSET : REG_NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return yl_err_set(err, YL_EINVAL, field, "%s must be a whole number", field);
    out->opt = REG_SET;
    out->v = json_integer_value(v);
    return 0;
}

/* A JSON array of codes as the registry's list form: codes separated by spaces. */
static int body_list(struct http_request *req, json_t *b, const char *field, const char **out,
                     struct yl_err *err)
{
    json_t *v = json_object_get(b, field);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return yl_err_set(err, YL_EINVAL, field, "%s must be an array of codes", field);
    size_t n = json_array_size(v), used = 0;
    if (n > REG_MEMBERS_MAX)
        return yl_err_set(err, YL_EINVAL, field, "%s may hold at most %d codes", field,
                          REG_MEMBERS_MAX);
    char *list = arena_alloc(&req->arena, n * (REG_CODE_MAX + 1) + 1);
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        const char *s = json_is_string(e) ? json_string_value(e) : NULL;
        size_t len = s ? strlen(s) : 0;
        if (len == 0 || len > REG_CODE_MAX || strcspn(s, " ,;") != len)
            return yl_err_set(err, YL_EINVAL, field, "%s must be an array of codes", field);
        memcpy(list + used, s, len);
        used += len;
        list[used++] = ' ';
        list[used] = '\0';
    }
    *out = list;
    return 0;
}

static int body_strs(json_t *b, const char *const *names, const char **outs[],
                     struct yl_err *err)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        int rc = http_json_str(b, names[i], 0, FIELD_BYTES, false, outs[i], err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* --- JSON out --------------------------------------------------------------------------- */

static json_t *coord_json(bool has, double v)
{
    return has ? json_real(v) : json_null();
}

static json_t *set_json(enum vocab_kind k, uint32_t set)
{
    json_t *a = json_array();
    size_t n;
    vocab_terms(k, &n);
    for (size_t i = 0; i < n && i < 32; i++)
        if (set & (1u << i))
            json_array_append_new(a, json_string(vocab_code(k, (int)i)));
    return a;
}

static json_t *ou_json(const struct reg_ou *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string(o->code));
    json_object_set_new(j, "name", json_string(o->name));
    json_object_set_new(j, "level", json_integer(o->level));
    json_object_set_new(j, "parent_code",
                        o->parent_code[0] ? json_string(o->parent_code) : json_null());
    json_object_set_new(j, "lat", coord_json(o->has_coord, o->lat));
    json_object_set_new(j, "lon", coord_json(o->has_coord, o->lon));
    json_object_set_new(j, "updated_at", json_string(o->updated_at));
    return j;
}

static json_t *facility_json(const struct reg_facility *f)
{
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string(f->code));
    json_object_set_new(j, "name", json_string(f->name));
    json_object_set_new(j, "type", json_string(vocab_code(VOCAB_FACILITY_TYPE, f->type)));
    json_object_set_new(j, "grade", json_string(vocab_code(VOCAB_GRADE, f->grade)));
    json_object_set_new(j, "ownership", json_string(vocab_code(VOCAB_OWNERSHIP, f->ownership)));
    json_object_set_new(j, "ou_code", json_string(f->ou_code));
    json_object_set_new(j, "lat", coord_json(f->has_coord, f->lat));
    json_object_set_new(j, "lon", coord_json(f->has_coord, f->lon));
    json_object_set_new(j, "beds", json_integer(f->beds));
    json_object_set_new(j, "icu_beds", json_integer(f->icu_beds));
    json_object_set_new(j, "infant_care_places", json_integer(f->infant_care_places));
    json_object_set_new(j, "services", set_json(VOCAB_SERVICE, f->services));
    json_object_set_new(j, "centers", set_json(VOCAB_CENTER, f->centers));
    json_object_set_new(j, "status", json_string(vocab_code(VOCAB_FACILITY_STATUS, f->status)));
    json_object_set_new(j, "updated_at", json_string(f->updated_at));
    return j;
}

static json_t *group_json(const struct reg_group *g)
{
    json_t *j = json_object();
    json_t *members = json_array();
    for (size_t i = 0; i < g->n_members; i++)
        json_array_append_new(members, json_string(g->member_codes[i]));
    json_object_set_new(j, "code", json_string(g->code));
    json_object_set_new(j, "name", json_string(g->name));
    json_object_set_new(j, "kind", json_string(vocab_code(VOCAB_GROUP_KIND, g->kind)));
    json_object_set_new(j, "lead_code", json_string(g->lead_code));
    json_object_set_new(j, "member_codes", members);
    json_object_set_new(j, "updated_at", json_string(g->updated_at));
    return j;
}

static json_t *staff_json(const struct reg_staff *s, bool with_name)
{
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string(s->code));
    if (with_name)
        json_object_set_new(j, "name", json_string(s->name));
    json_object_set_new(j, "role", json_string(vocab_code(VOCAB_STAFF_ROLE, s->role)));
    json_object_set_new(j, "facility_code", json_string(s->facility_code));
    json_object_set_new(j, "qualification_no", json_string(s->qualification_no));
    json_object_set_new(j, "education", s->education < 0
                                            ? json_null()
                                            : json_string(vocab_code(VOCAB_EDUCATION,
                                                                     s->education)));
    json_object_set_new(j, "status", json_string(vocab_code(VOCAB_STAFF_STATUS, s->status)));
    json_object_set_new(j, "updated_at", json_string(s->updated_at));
    return j;
}

/* {"items": [...], "next": cursor or null}: `n` records were read for a page of `limit`,
 * so n > limit says another page follows, after the id of the page's last record. */
static int reply_page(struct http_response *res, json_t *items, int n, int limit,
                      int64_t last_id)
{
    json_t *o = json_object();
    char cursor[32];
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "next", n > limit ? json_string(http_page_cursor(last_id, cursor,
                                                                            sizeof(cursor)))
                                             : json_null());
    return http_reply_json(res, 200, o);
}

static void set_location(struct http_response *res, const char *collection, const char *code)
{
    char loc[96];
    snprintf(loc, sizeof(loc), "/api/%s/%s", collection, code);
    http_add_header(res, "Location", loc);
}

/* --- org units -------------------------------------------------------------------------- */

static int ou_body(struct http_request *req, bool create, struct reg_ou_in *in,
                   struct yl_err *err)
{
    static const char *const create_fields[] = {"code", "name", "parent_code", "lat", "lon",
                                                NULL};
    json_t *b;
    memset(in, 0, sizeof(*in));
    int rc = http_request_json(req, &b, err);
    if (rc == 0)
        rc = http_json_only(b, create ? create_fields : create_fields + 1, err);
    if (rc == 0) {
        static const char *const strs[] = {"code", "name", "parent_code", NULL};
        const char **outs[] = {&in->code, &in->name, &in->parent_code};
        rc = body_strs(b, strs, outs, err);
    }
    if (rc == 0)
        rc = body_real(b, "lat", &in->lat, err);
    if (rc == 0)
        rc = body_real(b, "lon", &in->lon, err);
    return rc;
}

static int reply_ou(struct http_request *req, struct http_response *res, const char *code,
                    int status, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_ou o;
    ctx_of(req, &ctx);
    int rc = reg_ou_get(&ctx, code, &o, err);
    if (rc != 0)
        return rc;
    if (status == 201)
        set_location(res, "ous", o.code);
    return http_reply_json(res, status, ou_json(&o));
}

int api_ou_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_ou_filter f = {http_query(req, "ou"), 0, http_query(req, "parent")};
    int limit;
    int64_t after, level;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc == 0)
        rc = http_query_int(req, "level", 1, 5, 0, &level, err);
    if (rc != 0)
        return rc;
    f.level = (int)level;
    ctx_of(req, &ctx);
    struct reg_ou *ous = arena_alloc(&req->arena, sizeof(*ous) * (size_t)(limit + 1));
    int n = reg_ou_list(&ctx, &f, after, limit + 1, ous, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(items, ou_json(&ous[i]));
    return reply_page(res, items, n, limit, n > limit ? ous[limit - 1].id : 0);
}

int api_ou_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_ou_in in;
    int rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = ou_body(req, true, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_ou_create(&ctx, &w, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_ou(req, res, in.code, 201, err);
}

int api_ou_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    const char *code;
    int rc = path_code(req, true, &code, err);
    return rc != 0 ? rc : reply_ou(req, res, code, 200, err);
}

int api_ou_update(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_ou_in in;
    const char *code;
    int rc = path_code(req, true, &code, err);
    if (rc == 0)
        rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = ou_body(req, false, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_ou_update(&ctx, &w, code, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_ou(req, res, code, 200, err);
}

/* --- population ------------------------------------------------------------------------- */

static json_t *bands_json(const int64_t *counts)
{
    json_t *a = json_array();
    for (int b = 0; b < REG_AGE_BANDS; b++)
        json_array_append_new(a, json_integer(counts[b]));
    return a;
}

static int reply_population(struct http_request *req, struct http_response *res,
                            const char *code, int year, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_population p;
    ctx_of(req, &ctx);
    int rc = reg_population_get(&ctx, code, year, &p, err);
    if (rc != 0)
        return rc;
    json_t *o = json_object();
    json_t *counts = json_object();
    json_object_set_new(counts, "male", bands_json(p.counts[0]));
    json_object_set_new(counts, "female", bands_json(p.counts[1]));
    json_object_set_new(o, "ou_code", json_string(p.ou_code));
    json_object_set_new(o, "year", json_integer(p.year));
    /* Say whose figures these are: the unit's own, or the sum of the units below it. */
    json_object_set_new(o, "source",
                        json_string(p.source == REG_POP_OWN ? "own" : "children"));
    json_object_set_new(o, "units", json_integer(p.units));
    json_object_set_new(o, "counts", counts);
    json_object_set_new(o, "total", json_integer(p.total));
    return http_reply_json(res, 200, o);
}

int api_population_get(struct http_request *req, struct http_response *res,
                       struct yl_err *err)
{
    const char *code;
    int64_t year;
    int rc = path_code(req, true, &code, err);
    if (rc == 0)
        rc = http_query_int(req, "year", REG_YEAR_MIN, REG_YEAR_MAX, 0, &year, err);
    return rc != 0 ? rc : reply_population(req, res, code, (int)year, err);
}

static int bands_in(json_t *counts, const char *key, const char *field, int64_t *out,
                    struct yl_err *err)
{
    json_t *a = json_object_get(counts, key);
    if (!json_is_array(a) || json_array_size(a) != REG_AGE_BANDS)
        return yl_err_set(err, YL_EINVAL, field, "%s must be an array of %d counts", field,
                          REG_AGE_BANDS);
    for (int b = 0; b < REG_AGE_BANDS; b++) {
        json_t *v = json_array_get(a, (size_t)b);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return yl_err_set(err, YL_EINVAL, field,
                              "%s must hold whole numbers of at least 0", field);
        out[b] = json_integer_value(v);
    }
    return 0;
}

int api_population_put(struct http_request *req, struct http_response *res,
                       struct yl_err *err)
{
    static const char *const fields[] = {"year", "counts", NULL};
    static const char *const count_fields[] = {"male", "female", NULL};
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    const char *code;
    json_t *b;
    int64_t year = 0;
    int64_t counts[2][REG_AGE_BANDS];
    int rc = path_code(req, true, &code, err);
    if (rc == 0)
        rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &b, err);
    if (rc == 0)
        rc = http_json_int(b, "year", REG_YEAR_MIN, REG_YEAR_MAX, true, &year, err);
    json_t *c = rc == 0 ? json_object_get(b, "counts") : NULL;
    if (rc == 0 && !json_is_object(c))
        rc = yl_err_set(err, YL_EINVAL, "counts",
                        "counts must be an object {\"male\": [...], \"female\": [...]}");
    if (rc == 0)
        rc = http_json_only(c, count_fields, err);
    if (rc == 0)
        rc = bands_in(c, "male", "counts.male", counts[0], err);
    if (rc == 0)
        rc = bands_in(c, "female", "counts.female", counts[1], err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_population_set(&ctx, &w, code, (int)year,
                                (const int64_t(*)[REG_AGE_BANDS])counts, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_population(req, res, code, (int)year, err);
}

/* --- facilities ------------------------------------------------------------------------- */

static int facility_body(struct http_request *req, bool create, struct reg_facility_in *in,
                         struct yl_err *err)
{
    static const char *const fields[] = {
        "code", "name", "type", "grade", "ownership", "ou_code", "status", "lat", "lon",
        "beds", "icu_beds", "infant_care_places", "services", "centers", NULL};
    static const char *const strs[] = {"code", "name", "type", "grade", "ownership",
                                       "ou_code", "status", NULL};
    json_t *b;
    memset(in, 0, sizeof(*in));
    int rc = http_request_json(req, &b, err);
    if (rc == 0)
        rc = http_json_only(b, create ? fields : fields + 1, err);
    if (rc == 0) {
        const char **outs[] = {&in->code, &in->name, &in->type, &in->grade, &in->ownership,
                               &in->ou_code, &in->status};
        rc = body_strs(b, strs, outs, err);
    }
    if (rc == 0)
        rc = body_real(b, "lat", &in->lat, err);
    if (rc == 0)
        rc = body_real(b, "lon", &in->lon, err);
    if (rc == 0)
        rc = body_count(b, "beds", &in->beds, err);
    if (rc == 0)
        rc = body_count(b, "icu_beds", &in->icu_beds, err);
    if (rc == 0)
        rc = body_count(b, "infant_care_places", &in->infant_care_places, err);
    if (rc == 0)
        rc = body_list(req, b, "services", &in->services, err);
    if (rc == 0)
        rc = body_list(req, b, "centers", &in->centers, err);
    return rc;
}

static int reply_facility(struct http_request *req, struct http_response *res,
                          const char *code, int status, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_facility f;
    ctx_of(req, &ctx);
    int rc = reg_facility_get(&ctx, code, &f, err);
    if (rc != 0)
        return rc;
    if (status == 201)
        set_location(res, "facilities", f.code);
    return http_reply_json(res, status, facility_json(&f));
}

int api_facility_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_facility_filter f = {http_query(req, "ou"), http_query(req, "type"),
                                    http_query(req, "group"), http_query(req, "status")};
    int limit;
    int64_t after;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    ctx_of(req, &ctx);
    struct reg_facility *fs = arena_alloc(&req->arena, sizeof(*fs) * (size_t)(limit + 1));
    int n = reg_facility_list(&ctx, &f, after, limit + 1, fs, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(items, facility_json(&fs[i]));
    return reply_page(res, items, n, limit, n > limit ? fs[limit - 1].id : 0);
}

int api_facility_create(struct http_request *req, struct http_response *res,
                        struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_facility_in in;
    int rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = facility_body(req, true, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_facility_create(&ctx, &w, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_facility(req, res, in.code, 201, err);
}

int api_facility_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    const char *code;
    int rc = path_code(req, false, &code, err);
    return rc != 0 ? rc : reply_facility(req, res, code, 200, err);
}

int api_facility_update(struct http_request *req, struct http_response *res,
                        struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_facility_in in;
    const char *code;
    int rc = path_code(req, false, &code, err);
    if (rc == 0)
        rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = facility_body(req, false, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_facility_update(&ctx, &w, code, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_facility(req, res, code, 200, err);
}

/* --- medical groups --------------------------------------------------------------------- */

static int group_body(struct http_request *req, bool create, struct reg_group_in *in,
                      struct yl_err *err)
{
    static const char *const fields[] = {"code", "name", "kind", "lead_code", "member_codes",
                                         NULL};
    static const char *const strs[] = {"code", "name", "kind", "lead_code", NULL};
    json_t *b;
    memset(in, 0, sizeof(*in));
    int rc = http_request_json(req, &b, err);
    if (rc == 0)
        rc = http_json_only(b, create ? fields : fields + 1, err);
    if (rc == 0) {
        const char **outs[] = {&in->code, &in->name, &in->kind, &in->lead_code};
        rc = body_strs(b, strs, outs, err);
    }
    if (rc == 0)
        rc = body_list(req, b, "member_codes", &in->member_codes, err);
    return rc;
}

static int reply_group(struct http_request *req, struct http_response *res, const char *code,
                       int status, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_group g;
    ctx_of(req, &ctx);
    int rc = reg_group_get(&ctx, code, &req->arena, &g, err);
    if (rc != 0)
        return rc;
    if (status == 201)
        set_location(res, "groups", g.code);
    return http_reply_json(res, status, group_json(&g));
}

int api_group_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_group_filter f = {http_query(req, "kind"), http_query(req, "facility")};
    int limit;
    int64_t after;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    ctx_of(req, &ctx);
    struct reg_group *gs = arena_alloc(&req->arena, sizeof(*gs) * (size_t)(limit + 1));
    int n = reg_group_list(&ctx, &f, after, limit + 1, &req->arena, gs, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(items, group_json(&gs[i]));
    return reply_page(res, items, n, limit, n > limit ? gs[limit - 1].id : 0);
}

int api_group_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_group_in in;
    int rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = group_body(req, true, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_group_create(&ctx, &w, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_group(req, res, in.code, 201, err);
}

int api_group_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    const char *code;
    int rc = path_code(req, false, &code, err);
    return rc != 0 ? rc : reply_group(req, res, code, 200, err);
}

int api_group_update(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_group_in in;
    const char *code;
    int rc = path_code(req, false, &code, err);
    if (rc == 0)
        rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = group_body(req, false, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_group_update(&ctx, &w, code, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_group(req, res, code, 200, err);
}

/* --- staff ------------------------------------------------------------------------------ */

static int staff_body(struct http_request *req, bool create, struct reg_staff_in *in,
                      struct yl_err *err)
{
    static const char *const fields[] = {"code", "name", "role", "facility_code",
                                         "qualification_no", "education", "status", NULL};
    json_t *b;
    memset(in, 0, sizeof(*in));
    int rc = http_request_json(req, &b, err);
    if (rc == 0)
        rc = http_json_only(b, create ? fields : fields + 1, err);
    if (rc == 0) {
        const char **outs[] = {&in->code, &in->name, &in->role, &in->facility_code,
                               &in->qualification_no, &in->education, &in->status};
        rc = body_strs(b, fields, outs, err);
    }
    return rc;
}

static bool sees_staff_names(struct http_request *req)
{
    return acct_role_has(api_principal(req)->role, STAFF_NAME_PERM);
}

/* Staff are people: each read of a record leaves an audit record naming its store id (a
 * write's answer is covered by the write's own record). */
static int reply_staff(struct http_request *req, struct http_response *res, const char *code,
                       int status, bool is_read, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_staff s;
    ctx_of(req, &ctx);
    int rc = reg_staff_get(&ctx, code, &s, err);
    if (rc != 0)
        return rc;
    if (status == 201)
        set_location(res, "staff", s.code);
    if (is_read) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)s.id);
        api_audit_read(req, "read", "staff", id);
    }
    return http_reply_json(res, status, staff_json(&s, sees_staff_names(req)));
}

int api_staff_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct reg_staff_filter f = {http_query(req, "facility"), http_query(req, "role"),
                                 http_query(req, "ou"), http_query(req, "status")};
    int limit;
    int64_t after;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    ctx_of(req, &ctx);
    struct reg_staff *ss = arena_alloc(&req->arena, sizeof(*ss) * (size_t)(limit + 1));
    int n = reg_staff_list(&ctx, &f, after, limit + 1, ss, err);
    if (n < 0)
        return n;
    bool names = sees_staff_names(req);
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(items, staff_json(&ss[i], names));
    api_audit_read(req, "list", "staff", "");
    return reply_page(res, items, n, limit, n > limit ? ss[limit - 1].id : 0);
}

int api_staff_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_staff_in in;
    int rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = staff_body(req, true, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_staff_create(&ctx, &w, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_staff(req, res, in.code, 201, false, err);
}

int api_staff_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    const char *code;
    int rc = path_code(req, false, &code, err);
    return rc != 0 ? rc : reply_staff(req, res, code, 200, true, err);
}

int api_staff_update(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct reg_ctx ctx;
    struct audit_actor who;
    struct reg_writer w;
    struct reg_staff_in in;
    const char *code;
    int rc = path_code(req, false, &code, err);
    if (rc == 0)
        rc = writer_of(req, &who, &w, err);
    if (rc == 0)
        rc = staff_body(req, false, &in, err);
    ctx_of(req, &ctx);
    if (rc == 0)
        rc = reg_staff_update(&ctx, &w, code, &in, NULL, err);
    if (rc == 0)
        api_index_registry(req);
    return rc != 0 ? rc : reply_staff(req, res, code, 200, false, err);
}
