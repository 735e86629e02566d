/*
 * encounters.c - registrations and encounters over the API: register a visit, record an
 * encounter, a resident's encounters, a facility's encounters of a day range. Adapters
 * only: JSON in, one encounters call, JSON out. Scope is decided in encounters/ (with
 * rec_scope_check); every list is audited as a read (of the resident, or of the facility's
 * encounters).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "encounters/encounters.h"

#define API_ENC_DIAGNOSES_BYTES 1024 /* the diagnoses as text before they are checked */

static json_t *date_json(int32_t day)
{
    char text[DATE_STR_LEN];
    return day == DATE_INVALID ? json_null() : json_string(date_format(day, text));
}

static json_t *registration_json(const struct enc_registration *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(g->id));
    json_object_set_new(o, "external_id", json_string(g->external_id));
    json_object_set_new(o, "resident_id", json_integer(g->resident_id));
    json_object_set_new(o, "facility", json_string(g->facility));
    json_object_set_new(o, "date", date_json(g->day));
    json_object_set_new(o, "created_at", json_string(g->created_at));
    return o;
}

/* The diagnoses as an array of codes (stored as one text, codes separated by spaces). */
static json_t *diagnoses_json(const char *text)
{
    json_t *a = json_array();
    for (const char *p = text; *p != '\0';) {
        size_t w = strcspn(p, " ");
        if (w > 0)
            json_array_append_new(a, json_stringn(p, w));
        p += w + (p[w] == ' ');
    }
    return a;
}

static json_t *encounter_json(const struct enc_encounter *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "external_id", json_string(e->external_id));
    json_object_set_new(o, "registration_id", json_integer(e->registration_id));
    json_object_set_new(o, "resident_id", json_integer(e->resident_id));
    json_object_set_new(o, "facility", json_string(e->facility));
    json_object_set_new(o, "date", date_json(e->day));
    json_object_set_new(o, "department", json_string(e->department));
    json_object_set_new(o, "type", json_string(enc_type_code(e->type)));
    json_object_set_new(o, "admission_date", date_json(e->admission));
    json_object_set_new(o, "discharge_date", date_json(e->discharge));
    json_object_set_new(o, "diagnoses", diagnoses_json(e->diagnoses));
    json_object_set_new(o, "staff", e->staff[0] ? json_string(e->staff) : json_null());
    json_object_set_new(o, "created_at", json_string(e->created_at));
    return o;
}

/* --- writes ------------------------------------------------------------------------------ */

int api_registration_create(struct http_request *req, struct http_response *res,
                            struct yl_err *err)
{
    static const char *const fields[] = {"external_id", "resident_id", "facility", "date",
                                         NULL};
    struct api_app *a = req->app;
    struct enc_registration_input in = {0};
    json_t *body;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "external_id", 1, ENC_EXTERNAL_ID_MAX, false, &in.external_id,
                           err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, true, &in.resident_id, err);
    if (rc == 0)
        rc = http_json_str(body, "facility", 1, ENC_CODE_MAX, true, &in.facility, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 1, 10, true, &in.date, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    struct enc_registration g;
    bool created;
    rc = enc_register(a->store, api_principal(req), &actor, &in, &g, &created, err);
    if (rc != 0)
        return rc;
    /* The visit was registered already: the same registration, not a second one. */
    return http_reply_json(res, created ? 201 : 200, registration_json(&g));
}

/* "diagnoses": an array of codes or one text of codes separated by spaces, as text. */
static int diagnoses_in(struct http_request *req, json_t *body, const char **out,
                        struct yl_err *err)
{
    json_t *d = json_object_get(body, "diagnoses");
    if (d == NULL || json_is_null(d) || json_is_string(d))
        return http_json_str(body, "diagnoses", 0, API_ENC_DIAGNOSES_BYTES, false, out, err);
    if (!json_is_array(d))
        return yl_err_set(err, YL_EINVAL, "diagnoses",
                          "diagnoses must be an array of ICD-10 codes");
    struct buf b;
    buf_init(&b, API_ENC_DIAGNOSES_BYTES);
    size_t i;
    json_t *x;
    int rc = 0;
    json_array_foreach(d, i, x)
    {
        if (!json_is_string(x))
            rc = yl_err_set(err, YL_EINVAL, "diagnoses", "each diagnosis is a code (text)");
        if (rc == 0 && buf_printf(&b, "%s%s", i ? " " : "", json_string_value(x)) != 0)
            rc = yl_err_set(err, YL_EINVAL, "diagnoses", "diagnoses are too long");
        if (rc != 0)
            break;
    }
    if (rc == 0)
        *out = arena_strdup(&req->arena, b.data ? b.data : "");
    buf_release(&b);
    return rc;
}

static int encounter_in(struct http_request *req, json_t *body, struct enc_encounter_input *in,
                        struct yl_err *err)
{
    int rc = http_json_str(body, "external_id", 1, ENC_EXTERNAL_ID_MAX, false, &in->external_id,
                           err);
    if (rc == 0)
        rc = http_json_int(body, "registration_id", 1, INT64_MAX, false, &in->registration_id,
                           err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, false, &in->resident_id, err);
    if (rc == 0 && in->registration_id == 0 && in->resident_id == 0)
        rc = yl_err_set(err, YL_EINVAL, "resident_id",
                        "resident_id (with facility and date) or registration_id is required");
    if (rc == 0)
        rc = http_json_str(body, "facility", 1, ENC_CODE_MAX, false, &in->facility, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 1, 10, false, &in->date, err);
    if (rc == 0)
        rc = http_json_str(body, "department", 0, ENC_CODE_MAX, false, &in->department, err);
    if (rc == 0)
        rc = http_json_str(body, "type", 0, 16, false, &in->type, err);
    if (rc == 0)
        rc = http_json_str(body, "admission_date", 0, 10, false, &in->admission_date, err);
    if (rc == 0)
        rc = http_json_str(body, "discharge_date", 0, 10, false, &in->discharge_date, err);
    if (rc == 0)
        rc = diagnoses_in(req, body, &in->diagnoses, err);
    if (rc == 0)
        rc = http_json_str(body, "staff", 0, ENC_CODE_MAX, false, &in->staff, err);
    return rc;
}

int api_encounter_create(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    static const char *const fields[] = {
        "external_id",    "registration_id", "resident_id", "facility", "date", "department",
        "type",           "admission_date",  "discharge_date", "diagnoses", "staff", NULL};
    struct api_app *a = req->app;
    struct enc_encounter_input in = {0};
    json_t *body;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = encounter_in(req, body, &in, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    struct enc_result result;
    rc = enc_encounter_record(a->store, api_principal(req), &actor, &in, &result, err);
    struct enc_encounter e;
    if (rc == 0)
        rc = enc_encounter_get(a->store, api_principal(req), result.id, &e, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, result.created ? 201 : 200, encounter_json(&e));
}

/* --- lists ------------------------------------------------------------------------------- */

/* {items, next}: `n` rows were read for a page of `limit` (one more tells a next page). */
static int reply_page(struct http_response *res, const struct enc_encounter *rows, size_t n,
                      int limit)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, encounter_json(&rows[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id, cursor,
                                                                      sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

int api_resident_encounters(struct http_request *req, struct http_response *res,
                            struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id, after;
    int limit;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_page_params(req, &limit, &after, err);
    struct enc_encounter *rows;
    size_t n;
    if (rc == 0)
        rc = enc_list_resident(a->store, api_principal(req), id, after, limit + 1, &req->arena,
                               &rows, &n, err);
    if (rc != 0)
        return rc;
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    api_audit_read(req, "read_encounters", "resident", text);
    return reply_page(res, rows, n, limit);
}

/* A query date; today when absent. */
static int query_day(struct http_request *req, const char *name, int32_t *out,
                     struct yl_err *err)
{
    const char *s = http_query(req, name);
    *out = date_today();
    if (s == NULL || s[0] == '\0')
        return 0;
    return date_parse(s, strlen(s), out, name, err);
}

int api_encounter_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct enc_facility_query q = {.facility = http_query(req, "facility")};
    int rc = query_day(req, "from", &q.from, err);
    if (rc == 0)
        rc = query_day(req, "to", &q.to, err);
    if (rc == 0)
        rc = http_page_params(req, &q.limit, &q.after, err);
    struct enc_encounter *rows;
    size_t n;
    int limit = q.limit;
    q.limit = limit + 1;
    if (rc == 0)
        rc = enc_list_facility(a->store, api_principal(req), &q, &req->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    api_audit_read(req, "list_encounters", "facility", q.facility);
    return reply_page(res, rows, n, limit);
}
