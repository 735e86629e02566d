/*
 * residents.c - the health records over the API: search, create, read, change, move, move
 * out, death, tags, and the household view. Adapters only: JSON in, one records call, JSON
 * out. Every resident handed out is audited as a read, one record per resident.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "records/records.h"
#include "vocab/vocab.h"

/* Longest accepted text fields in bytes (4 per character of UTF-8). */
#define NAME_BYTES (REC_NAME_CHARS * 4)
#define HOUSEHOLD_BYTES (REC_HOUSEHOLD_CHARS * 4)
#define ADDRESS_BYTES (REC_ADDRESS_CHARS * 4)

static json_t *json_date(int32_t day)
{
    char text[DATE_STR_LEN];
    return day == DATE_INVALID ? json_null() : json_string(date_format(day, text));
}

static void audit_resident(struct http_request *req, const char *action, int64_t id)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    api_audit_read(req, action, "resident", text);
}

static json_t *tag_json(const struct rec_tag *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "tag", json_string(vocab_code(VOCAB_TAG, t->tag)));
    json_object_set_new(o, "from", json_date(t->from));
    json_object_set_new(o, "to", json_date(t->to));
    json_object_set_new(o, "expected_delivery", json_date(t->expected_delivery));
    return o;
}

/* The fields a list shows. */
static json_t *resident_brief_json(const struct rec_resident *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "id_number", json_string(r->id_number));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "sex", json_integer(r->sex));
    json_object_set_new(o, "birth_date", json_date(r->birth));
    json_object_set_new(o, "ou_code", json_string(r->ou_code));
    json_object_set_new(o, "household", json_string(r->household));
    json_object_set_new(o, "phone", json_string(r->phone));
    json_object_set_new(o, "status", json_string(vocab_code(VOCAB_RESIDENT_STATUS, r->status)));
    json_object_set_new(o, "status_date", json_date(r->status_date));
    json_object_set_new(o, "masked", json_boolean(r->masked));
    return o;
}

static json_t *resident_json(const struct rec_resident *r)
{
    json_t *o = resident_brief_json(r);
    json_object_set_new(o, "address", json_string(r->address));
    json_object_set_new(o, "record_date", json_date(r->record_date));
    json_object_set_new(o, "death_cause",
                        r->death_cause[0] ? json_string(r->death_cause) : json_null());
    json_object_set_new(o, "maternal_death", json_boolean(r->maternal_death));
    json_object_set_new(o, "updated_at", json_string(r->updated_at));
    json_t *tags = json_array();
    for (size_t i = 0; i < r->n_tags; i++)
        json_array_append_new(tags, tag_json(&r->tags[i]));
    json_object_set_new(o, "tags", tags);
    json_t *history = json_array();
    for (size_t i = 0; i < r->n_residences; i++) {
        const struct rec_residence *h = &r->residences[i];
        json_t *e = json_object();
        json_object_set_new(e, "ou_code", json_string(h->ou_code));
        json_object_set_new(e, "from", json_date(h->from));
        json_object_set_new(e, "to", json_date(h->to));
        json_array_append_new(history, e);
    }
    json_object_set_new(o, "residences", history);
    if (r->has_contract) {
        json_t *c = json_object();
        json_object_set_new(c, "id", json_integer(r->contract.id));
        json_object_set_new(c, "team_id", json_integer(r->contract.team_id));
        json_object_set_new(c, "team_code", json_string(r->contract.team_code));
        json_object_set_new(c, "team_name", json_string(r->contract.team_name));
        json_object_set_new(c, "package", json_string(r->contract.package));
        json_object_set_new(c, "from", json_date(r->contract.from));
        json_object_set_new(c, "to", json_date(r->contract.to));
        json_object_set_new(o, "contract", c);
    } else {
        json_object_set_new(o, "contract", json_null());
    }
    return o;
}

/* After a write: the record as the caller now sees it, or only its id when the write took
 * it out of the caller's scope (a village doctor who moved a resident away). */
static int reply_after_write(struct http_request *req, struct http_response *res, int status,
                             int64_t id, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct rec_resident r;
    struct yl_err read_err = {0};
    int rc = rec_resident_get(a->store, api_principal(req), id, &req->arena, &r, &read_err);
    if (rc == YL_ENOTFOUND) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(id));
        return http_reply_json(res, status, o);
    }
    if (rc != 0) {
        *err = read_err;
        return rc;
    }
    audit_resident(req, "read", id);
    return http_reply_json(res, status, resident_json(&r));
}

/* --- search ----------------------------------------------------------------------------- */

static int reply_list(struct http_request *req, struct http_response *res,
                      struct rec_query *q, int limit, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct rec_resident *rows;
    size_t n;
    /* One more than asked tells whether another page follows. */
    q->limit = limit + 1;
    int rc = rec_search(a->store, api_principal(req), q, &req->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++) {
        json_array_append_new(items, resident_brief_json(&rows[i]));
        audit_resident(req, "list", rows[i].id);
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id, cursor,
                                                                      sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

int api_resident_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    int limit;
    struct rec_query q = {0};
    int rc = http_page_params(req, &limit, &q.after, err);
    if (rc != 0)
        return rc;
    q.id_number = http_query(req, "id_number");
    q.name = http_query(req, "name");
    q.phone = http_query(req, "phone");
    q.ou = http_query(req, "ou");
    q.tag = http_query(req, "tag");
    q.contract = http_query(req, "contract");
    q.household = http_query(req, "household");
    return reply_list(req, res, &q, limit, err);
}

int api_household_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct rec_query q = {0};
    q.household = http_path_param(req, "household");
    if (q.household == NULL || q.household[0] == '\0')
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such household");
    return reply_list(req, res, &q, 1000, err);
}

/* --- create, read, change --------------------------------------------------------------- */

int api_resident_create(struct http_request *req, struct http_response *res,
                        struct yl_err *err)
{
    static const char *const fields[] = {"id_number", "name", "sex", "birth_date", "ou_code",
                                         "household", "phone", "address", "record_date", NULL};
    struct api_app *a = req->app;
    struct rec_resident_input in = {0};
    int64_t sex = 0;
    json_t *body;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "id_number", 0, 32, true, &in.id_number, err);
    if (rc == 0)
        rc = http_json_str(body, "name", 0, NAME_BYTES, true, &in.name, err);
    if (rc == 0)
        rc = http_json_int(body, "sex", 1, 2, false, &sex, err);
    if (rc == 0)
        rc = http_json_str(body, "birth_date", 0, 16, false, &in.birth_date, err);
    if (rc == 0)
        rc = http_json_str(body, "ou_code", 0, 16, true, &in.ou_code, err);
    if (rc == 0)
        rc = http_json_str(body, "household", 0, HOUSEHOLD_BYTES, false, &in.household, err);
    if (rc == 0)
        rc = http_json_str(body, "phone", 0, 16, false, &in.phone, err);
    if (rc == 0)
        rc = http_json_str(body, "address", 0, ADDRESS_BYTES, false, &in.address, err);
    if (rc == 0)
        rc = http_json_str(body, "record_date", 0, 16, false, &in.record_date, err);
    if (rc != 0)
        return rc;
    in.sex = (int)sex;
    struct audit_actor who;
    api_actor(req, &who);
    int64_t id;
    rc = rec_resident_create(a->store, api_principal(req), &who, &in, &id, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    char loc[48];
    snprintf(loc, sizeof(loc), "/api/residents/%lld", (long long)id);
    http_add_header(res, "Location", loc);
    return reply_after_write(req, res, 201, id, err);
}

int api_resident_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    struct rec_resident r;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = rec_resident_get(a->store, api_principal(req), id, &req->arena, &r, err);
    if (rc != 0)
        return rc;
    audit_resident(req, "read", id);
    return http_reply_json(res, 200, resident_json(&r));
}

int api_resident_update(struct http_request *req, struct http_response *res,
                        struct yl_err *err)
{
    static const char *const fields[] = {"name", "phone", "address", "household", NULL};
    struct api_app *a = req->app;
    struct rec_resident_patch p = {0};
    int64_t id;
    json_t *body;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "name", 0, NAME_BYTES, false, &p.name, err);
    if (rc == 0)
        rc = http_json_str(body, "phone", 0, 16, false, &p.phone, err);
    if (rc == 0)
        rc = http_json_str(body, "address", 0, ADDRESS_BYTES, false, &p.address, err);
    if (rc == 0)
        rc = http_json_str(body, "household", 0, HOUSEHOLD_BYTES, false, &p.household, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = rec_resident_update(a->store, api_principal(req), &who, id, &p, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    return reply_after_write(req, res, 200, id, err);
}

/* --- history ---------------------------------------------------------------------------- */

int api_resident_move(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const fields[] = {"ou_code", "date", NULL};
    struct api_app *a = req->app;
    const char *ou_code, *date;
    int64_t id;
    json_t *body;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "ou_code", 0, 16, true, &ou_code, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 0, 16, true, &date, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = rec_resident_move(a->store, api_principal(req), &who, id, ou_code, date, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    return reply_after_write(req, res, 200, id, err);
}

int api_resident_move_out(struct http_request *req, struct http_response *res,
                          struct yl_err *err)
{
    static const char *const fields[] = {"date", NULL};
    struct api_app *a = req->app;
    const char *date;
    int64_t id;
    json_t *body;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 0, 16, true, &date, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = rec_resident_move_out(a->store, api_principal(req), &who, id, date, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    return reply_after_write(req, res, 200, id, err);
}

int api_resident_death(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const fields[] = {"date", "cause", "maternal_death", NULL};
    struct api_app *a = req->app;
    const char *date, *cause;
    int maternal = 0;
    int64_t id;
    json_t *body;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 0, 16, true, &date, err);
    if (rc == 0)
        rc = http_json_str(body, "cause", 0, 16, true, &cause, err);
    if (rc == 0)
        rc = http_json_bool(body, "maternal_death", false, &maternal, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = rec_resident_death(a->store, api_principal(req), &who, id, date, cause, maternal, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    return reply_after_write(req, res, 200, id, err);
}

/* --- tags ------------------------------------------------------------------------------- */

int api_resident_tags(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    struct rec_tag *tags;
    size_t n;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = rec_tag_list(a->store, api_principal(req), id, &req->arena, &tags, &n, err);
    if (rc != 0)
        return rc;
    audit_resident(req, "read", id);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, tag_json(&tags[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "next", json_null());
    return http_reply_json(res, 200, o);
}

/* The tag as stored after a write, from the tag list. */
static int reply_tag(struct http_request *req, struct http_response *res, int status,
                     int64_t resident_id, int64_t tag_id, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct rec_tag *tags;
    size_t n;
    struct yl_err read_err = {0};
    int rc = rec_tag_list(a->store, api_principal(req), resident_id, &req->arena, &tags, &n,
                          &read_err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (tags[i].id == tag_id) {
            audit_resident(req, "read", resident_id);
            return http_reply_json(res, status, tag_json(&tags[i]));
        }
    }
    /* Out of scope after the write, or gone: the id is all there is to say. */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(tag_id));
    return http_reply_json(res, status, o);
}

int api_resident_tag_add(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    static const char *const fields[] = {"tag", "from", "to", "expected_delivery", NULL};
    struct api_app *a = req->app;
    struct rec_tag_input in = {0};
    int64_t id, tag_id;
    json_t *body;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "tag", 0, 32, true, &in.tag, err);
    if (rc == 0)
        rc = http_json_str(body, "from", 0, 16, true, &in.from, err);
    if (rc == 0)
        rc = http_json_str(body, "to", 0, 16, false, &in.to, err);
    if (rc == 0)
        rc = http_json_str(body, "expected_delivery", 0, 16, false, &in.expected_delivery,
                           err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = rec_tag_add(a->store, api_principal(req), &who, id, &in, &tag_id, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    return reply_tag(req, res, 201, id, tag_id, err);
}

int api_resident_tag_end(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    static const char *const fields[] = {"to", NULL};
    struct api_app *a = req->app;
    const char *to;
    int64_t id, tag_id;
    json_t *body;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = api_path_id(req, "tag_id", &tag_id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "to", 0, 16, true, &to, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = rec_tag_end(a->store, api_principal(req), &who, id, tag_id, to, err);
    if (rc == 0)
        api_index_resident(req, id);
    if (rc != 0)
        return rc;
    return reply_tag(req, res, 200, id, tag_id, err);
}
