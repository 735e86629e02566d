/*
 * results.c - shared results and mutual recognition over the API: record a result, a
 * resident's results, the recognised results before ordering a test, recording that one was
 * used, and the figures. Adapters only: JSON in, one results call, JSON out. Scope is
 * decided in results/ (with rec_scope_check); reads of a resident's results are audited.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "results/results.h"

static json_t *day_json(int32_t day)
{
    char text[DATE_STR_LEN];
    return day == DATE_INVALID ? json_null() : json_string(date_format(day, text));
}

static json_t *result_json(const struct res_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "external_id", json_string(r->external_id));
    json_object_set_new(o, "resident_id", json_integer(r->resident_id));
    json_object_set_new(o, "item", json_string(r->item));
    json_object_set_new(o, "kind", json_string(res_kind_code(r->kind)));
    json_object_set_new(o, "value", r->has_value ? json_real(r->value) : json_null());
    json_object_set_new(o, "unit", r->has_value ? json_string(r->unit) : json_null());
    json_object_set_new(o, "report", r->report ? json_string(r->report) : json_null());
    json_object_set_new(o, "date", day_json(r->day));
    json_object_set_new(o, "facility", json_string(r->facility));
    json_object_set_new(o, "method", r->method[0] ? json_string(r->method) : json_null());
    json_object_set_new(o, "created_at", json_string(r->created_at));
    return o;
}

static json_t *item_json(const struct res_item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(it->code));
    json_object_set_new(o, "name_zh", json_string(it->name_zh));
    json_object_set_new(o, "name_en", json_string(it->name_en));
    json_object_set_new(o, "kind", json_string(res_kind_code(it->kind)));
    json_object_set_new(o, "unit", it->unit[0] ? json_string(it->unit) : json_null());
    json_object_set_new(o, "validity_days", json_integer(it->validity_days));
    json_object_set_new(o, "scope", json_string(res_scope_code(it->scope)));
    return o;
}

static void resident_text(int64_t id, char out[24])
{
    snprintf(out, 24, "%lld", (long long)id);
}

/* A query date; today when absent. */
static int query_day(struct http_request *req, const char *name, int32_t dflt, int32_t *out,
                     struct yl_err *err)
{
    const char *s = http_query(req, name);
    *out = dflt;
    if (s == NULL || s[0] == '\0')
        return 0;
    return date_parse(s, strlen(s), out, name, err);
}

/* --- result records ---------------------------------------------------------------------- */

/* "value": a number, or absent or null for none. */
static int value_in(json_t *body, struct res_result_input *in, struct yl_err *err)
{
    json_t *v = json_object_get(body, "value");
    in->has_value = v != NULL && !json_is_null(v);
    if (!in->has_value)
        return 0;
    if (!json_is_number(v))
        return yl_err_set(err, YL_EINVAL, "value", "value must be a number");
    in->value = json_number_value(v);
    return 0;
}

static int result_in(json_t *body, struct res_result_input *in, struct yl_err *err)
{
    int rc = http_json_str(body, "external_id", 1, RES_EXTERNAL_ID_MAX, true, &in->external_id,
                           err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, true, &in->resident_id, err);
    if (rc == 0)
        rc = http_json_str(body, "item", 1, RES_CODE_MAX, true, &in->item, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 1, 10, true, &in->date, err);
    if (rc == 0)
        rc = http_json_str(body, "facility", 1, RES_CODE_MAX, true, &in->facility, err);
    if (rc == 0)
        rc = value_in(body, in, err);
    if (rc == 0)
        rc = http_json_str(body, "unit", 0, RES_UNIT_MAX, false, &in->unit, err);
    if (rc == 0)
        rc = http_json_str(body, "report", 0, RES_REPORT_MAX, false, &in->report, err);
    if (rc == 0)
        rc = http_json_str(body, "method", 0, RES_METHOD_MAX, false, &in->method, err);
    return rc;
}

int api_result_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const fields[] = {"external_id", "resident_id", "item",   "date",
                                         "facility",    "value",       "unit",   "report",
                                         "method",      NULL};
    struct api_app *a = req->app;
    struct res_result_input in = {0};
    json_t *body;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = result_in(body, &in, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    struct res_record rec;
    struct res_result r;
    rc = res_result_record(a->store, api_principal(req), &actor, &in, &rec, err);
    if (rc == 0)
        rc = res_result_get(a->store, api_principal(req), rec.id, &req->arena, &r, err);
    if (rc != 0)
        return rc;
    /* The same result again: the stored one, not a second. */
    return http_reply_json(res, rec.created ? 201 : 200, result_json(&r));
}

int api_resident_results(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id, after;
    int limit;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_page_params(req, &limit, &after, err);
    struct res_result *rows;
    size_t n;
    if (rc == 0)
        rc = res_list_resident(a->store, api_principal(req), id, after, limit + 1, &req->arena,
                               &rows, &n, err);
    if (rc != 0)
        return rc;
    char text[24];
    resident_text(id, text);
    api_audit_read(req, "read_results", "resident", text);
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, result_json(&rows[i]));
    char cursor[32];
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    /* One row more than the page tells that another page follows. */
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id, cursor,
                                                                      sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

/* --- recognition ------------------------------------------------------------------------- */

int api_resident_recognised(struct http_request *req, struct http_response *res,
                            struct yl_err *err)
{
    struct api_app *a = req->app;
    struct res_recognised_query q = {
        .item = http_query(req, "item"),
        .facility = http_query(req, "facility"),
    };
    int rc = api_path_id(req, "id", &q.resident_id, err);
    if (rc == 0)
        rc = query_day(req, "date", date_today(), &q.day, err);
    struct res_recognised found;
    if (rc == 0)
        rc = res_recognised_find(a->store, api_principal(req), &q, &req->arena, &found, err);
    if (rc != 0)
        return rc;
    char text[24];
    resident_text(q.resident_id, text);
    api_audit_read(req, "read_recognised_results", "resident", text);
    json_t *items = json_array();
    for (size_t i = 0; i < found.n; i++) {
        json_t *o = result_json(&found.results[i]);
        int32_t until = date_add_days(found.results[i].day, found.item.validity_days - 1);
        json_object_set_new(o, "valid_until", day_json(until));
        json_array_append_new(items, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "item", item_json(&found.item));
    json_object_set_new(o, "facility", json_string(q.facility));
    json_object_set_new(o, "date", day_json(q.day));
    json_object_set_new(o, "items", items);
    return http_reply_json(res, 200, o);
}

int api_recognised_use(struct http_request *req, struct http_response *res,
                       struct yl_err *err)
{
    static const char *const fields[] = {"result_id", "facility", "date", NULL};
    struct api_app *a = req->app;
    struct res_use_input in = {0};
    const char *date = NULL;
    json_t *body;
    int rc = api_path_id(req, "id", &in.resident_id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_int(body, "result_id", 1, INT64_MAX, true, &in.result_id, err);
    if (rc == 0)
        rc = http_json_str(body, "facility", 1, RES_CODE_MAX, true, &in.facility, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 1, 10, false, &date, err);
    in.day = date_today();
    if (rc == 0 && date != NULL)
        rc = date_parse(date, strlen(date), &in.day, "date", err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    struct res_use use;
    rc = res_use_record(a->store, api_principal(req), &actor, &in, &use, err);
    if (rc != 0)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(use.id));
    json_object_set_new(o, "result_id", json_integer(use.result_id));
    json_object_set_new(o, "resident_id", json_integer(in.resident_id));
    json_object_set_new(o, "facility", json_string(in.facility));
    json_object_set_new(o, "date", day_json(use.day));
    /* The same use again counts once: 200 with the first one. */
    return http_reply_json(res, use.created ? 201 : 200, o);
}

static json_t *stats_json(const struct res_stat *rows, size_t n, const char *key)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, key, json_string(rows[i].code));
        json_object_set_new(o, "name", json_string(rows[i].name));
        json_object_set_new(o, "uses", json_integer(rows[i].uses));
        json_object_set_new(o, "results", json_integer(rows[i].results));
        json_array_append_new(items, o);
    }
    return items;
}

int api_result_stats(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int32_t from, to;
    int rc = query_day(req, "from", DATE_INVALID, &from, err);
    if (rc == 0)
        rc = query_day(req, "to", DATE_INVALID, &to, err);
    struct res_stats st;
    if (rc == 0)
        rc = res_stats_get(a->store, from, to, &req->arena, &st, err);
    if (rc != 0)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "from", day_json(from));
    json_object_set_new(o, "to", day_json(to));
    json_object_set_new(o, "uses", json_integer(st.uses));
    json_object_set_new(o, "repeats_avoided", json_integer(st.uses));
    json_object_set_new(o, "results_used", json_integer(st.results));
    json_object_set_new(o, "by_facility", stats_json(st.by_facility, st.n_by_facility,
                                                     "facility"));
    json_object_set_new(o, "by_item", stats_json(st.by_item, st.n_by_item, "item"));
    return http_reply_json(res, 200, o);
}
