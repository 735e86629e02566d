/*
 * services.c - the public health services over the API: record a service event, a
 * resident's service history, their care plan from the population index, and the protocol's
 * items for the UI. Adapters only: JSON in, one services call, JSON out. Scope is decided
 * in services/ and records/ (rec_scope_check); every read of a resident's services or plan
 * is audited as a read of the resident.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex.h"
#include "records/records.h"
#include "services/events.h"
#include "store/store.h"
#include "vocab/vocab.h"

#define API_PLAN_HORIZON_DEFAULT 30     /* days a care plan looks ahead unless told */
#define API_PLAN_HORIZON_MAX 3650

/* --- shared ------------------------------------------------------------------------------ */

static int protocol_ready(struct api_app *a, struct yl_err *err)
{
    if (a->protocol == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the service protocol is not loaded");
    return 0;
}

static json_t *date_json(int32_t day)
{
    char text[DATE_STR_LEN];
    return day == SVC_DAY_NONE || day == DATE_INVALID ? json_null()
                                                      : json_string(date_format(day, text));
}

static void audit_resident(struct http_request *req, const char *action, int64_t id)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    api_audit_read(req, action, "resident", text);
}

/* "65y", "3m"; null when the period is not given. */
static json_t *period_json(struct svc_period p)
{
    static const char units[] = " dwmy";
    if (p.unit == SVC_UNIT_NONE || p.unit >= sizeof(units) - 1)
        return json_null();
    char text[24];
    snprintf(text, sizeof(text), "%d%c", (int)p.n, units[p.unit]);
    return json_string(text);
}

static json_t *outcome_json(uint8_t outcome)
{
    static const struct {
        uint8_t bit;
        const char *code;
    } bits[] = {{SVC_OUT_CONTROLLED, "controlled"},
                {SVC_OUT_UNCONTROLLED, "uncontrolled"},
                {SVC_OUT_DANGEROUS, "dangerous"}};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        if (outcome & bits[i].bit)
            json_array_append_new(a, json_string(bits[i].code));
    return a;
}

/* A measurement value as JSON by its kind: yes/no as a boolean, whole numbers as integers. */
static json_t *value_json(const struct svc_protocol *p, const struct svc_measure_value *v)
{
    if (v->text != NULL)
        return json_string(v->text);
    int kind = v->measure >= 0 ? svc_measure_at(p, v->measure)->kind : SVC_MK_NUMBER;
    if (kind == SVC_MK_YESNO)
        return json_boolean(v->num != 0);
    if (kind == SVC_MK_INTEGER && v->num == floor(v->num) && fabs(v->num) < 1e15)
        return json_integer((json_int_t)v->num);
    return json_real(v->num);
}

static json_t *event_json(const struct svc_protocol *p, const struct svc_event *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "external_id", json_string(e->external_id));
    json_object_set_new(o, "resident_id", json_integer(e->resident_id));
    json_object_set_new(o, "item", json_string(e->item));
    const struct svc_item *it = e->item_index >= 0 ? svc_item_at(p, e->item_index) : NULL;
    json_object_set_new(o, "item_name_zh", it ? json_string(it->name_zh) : json_null());
    json_object_set_new(o, "item_name_en", it ? json_string(it->name_en) : json_null());
    json_object_set_new(o, "date", date_json(e->day));
    json_object_set_new(o, "facility", json_string(e->facility));
    json_object_set_new(o, "staff", e->staff[0] ? json_string(e->staff) : json_null());
    json_object_set_new(o, "outcome", outcome_json(e->outcome));
    json_t *m = json_object();
    for (size_t i = 0; i < e->n_values; i++)
        json_object_set_new(m, e->values[i].code, value_json(p, &e->values[i]));
    json_object_set_new(o, "measurements", m);
    json_object_set_new(o, "recorded_at", json_string(e->recorded_at));
    return o;
}

/* --- record ------------------------------------------------------------------------------ */

/* The measurements object: numbers as numbers, true/false as 1/0, strings as text (a
 * vaccine lot). Values live as long as the request's JSON. */
static int measurements_in(struct http_request *req, json_t *body, struct svc_event_input *in,
                           struct yl_err *err)
{
    json_t *m = json_object_get(body, "measurements");
    if (m == NULL || json_is_null(m))
        return 0;
    if (!json_is_object(m))
        return yl_err_set(err, YL_EINVAL, "measurements",
                          "measurements must be an object of code: value");
    size_t n = json_object_size(m);
    if (n > SVC_ITEM_MEASURES)
        return yl_err_set(err, YL_EINVAL, "measurements", "more than %d measurements",
                          SVC_ITEM_MEASURES);
    struct svc_measure_value *v = arena_zalloc(&req->arena, (n ? n : 1) * sizeof(*v));
    const char *code;
    json_t *x;
    size_t i = 0;
    json_object_foreach(m, code, x)
    {
        v[i].code = code;
        v[i].measure = -1;
        if (json_is_number(x))
            v[i].num = json_number_value(x);
        else if (json_is_boolean(x))
            v[i].num = json_is_true(x) ? 1 : 0;
        else if (json_is_string(x))
            v[i].text = json_string_value(x);
        else
            return yl_err_set(err, YL_EINVAL, code,
                              "%s must be a number, true or false, or text", code);
        i++;
    }
    in->values = v;
    in->n_values = n;
    return 0;
}

/* Event `id` of the resident as the caller sees it. */
static int read_event(struct http_request *req, int64_t resident_id, int64_t id,
                      struct svc_event **out, struct yl_err *err)
{
    struct api_app *a = req->app;
    size_t n;
    int rc = svc_event_list(a->store, a->protocol, api_principal(req), resident_id, id - 1, 1,
                            &req->arena, out, &n, err);
    if (rc == 0 && (n != 1 || (*out)->id != id))
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such service event");
    return rc;
}

int api_service_record(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const fields[] = {"external_id", "item",  "date",
                                         "facility",    "staff", "measurements", NULL};
    struct api_app *a = req->app;
    struct svc_event_input in = {0};
    json_t *body;
    int rc = protocol_ready(a, err);
    if (rc == 0)
        rc = api_path_id(req, "id", &in.resident_id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "external_id", 1, SVC_EXTERNAL_ID_MAX, false, &in.external_id,
                           err);
    if (rc == 0)
        rc = http_json_str(body, "item", 1, SVC_CODE_MAX - 1, true, &in.item, err);
    if (rc == 0)
        rc = http_json_str(body, "date", 1, 10, true, &in.date, err);
    if (rc == 0)
        rc = http_json_str(body, "facility", 1, 64, true, &in.facility, err);
    if (rc == 0)
        rc = http_json_str(body, "staff", 0, 64, false, &in.staff, err);
    if (rc == 0)
        rc = measurements_in(req, body, &in, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    struct svc_event_result result;
    rc = svc_event_record(a->store, a->protocol, api_principal(req), &actor, &in, &result, err);
    if (rc != 0)
        return rc;
    /* The index learns of the event in the same path, before the reply. */
    if (result.created)
        api_index_resident(req, result.resident_id);
    struct svc_event *e;
    rc = read_event(req, result.resident_id, result.id, &e, err);
    if (rc != 0)
        return rc;
    if (result.created) {
        char loc[96];
        snprintf(loc, sizeof(loc), "/api/residents/%lld/services", (long long)result.resident_id);
        http_add_header(res, "Location", loc);
    }
    return http_reply_json(res, result.created ? 201 : 200, event_json(a->protocol, e));
}

/* --- history ----------------------------------------------------------------------------- */

int api_service_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id, after;
    int limit;
    int rc = protocol_ready(a, err);
    if (rc == 0)
        rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    struct svc_event *rows;
    size_t n;
    /* One more than asked tells whether another page follows. */
    rc = svc_event_list(a->store, a->protocol, api_principal(req), id, after, limit + 1,
                        &req->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, event_json(a->protocol, &rows[i]));
    audit_resident(req, "read_services", id);
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id, cursor,
                                                                      sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

/* --- care plan --------------------------------------------------------------------------- */

static json_t *plan_entry_json(const struct svc_protocol *p, const struct svc_plan_entry *e)
{
    const struct svc_item *it = svc_item_at(p, e->item);
    json_t *o = json_object();
    json_object_set_new(o, "item", json_string(it->code));
    json_object_set_new(o, "name_zh", json_string(it->name_zh));
    json_object_set_new(o, "name_en", json_string(it->name_en));
    json_object_set_new(o, "program", json_string(svc_program_code(it->program)));
    json_object_set_new(o, "state", json_string(svc_state_code(e->state)));
    json_object_set_new(o, "open", date_json(e->open));
    json_object_set_new(o, "due_by", date_json(e->due_by));
    json_object_set_new(o, "overdue_since", date_json(e->overdue_since));
    json_object_set_new(o, "last_done", date_json(e->last_done));
    json_object_set_new(o, "done_this_year", json_integer(e->done_this_year));
    bool refer = (e->flags & SVC_PLAN_REFER) != 0 && e->refer_rule >= 0;
    json_object_set_new(o, "referral_suggested", json_boolean(refer));
    json_object_set_new(o, "referral_rule",
                        refer ? json_string(svc_rule_at(p, e->refer_rule)->code) : json_null());
    json_object_set_new(o, "due_rule",
                        e->due_rule >= 0 ? json_string(svc_rule_at(p, e->due_rule)->code)
                                         : json_null());
    return o;
}

static int plan_params(struct http_request *req, int32_t *today, int64_t *horizon,
                       struct yl_err *err)
{
    const char *date = http_query(req, "date");
    *today = date_today();
    if (date != NULL && date[0] != '\0') {
        int rc = date_parse(date, strlen(date), today, "date", err);
        if (rc != 0)
            return rc;
    }
    return http_query_int(req, "horizon", 0, API_PLAN_HORIZON_MAX, API_PLAN_HORIZON_DEFAULT,
                          horizon, err);
}

int api_care_plan(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id, horizon;
    int32_t today;
    int rc = protocol_ready(a, err);
    if (rc == 0 && a->index == NULL)
        rc = yl_err_set(err, YL_EBUSY, NULL, "the population index is not loaded yet");
    if (rc == 0)
        rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = plan_params(req, &today, &horizon, err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(a->store);
    rc = rec_scope_check(c, api_principal(req), id, err);
    store_release(c);
    if (rc != 0)
        return rc;
    size_t cap = svc_item_count(a->protocol), n;
    struct svc_plan_entry *plan = arena_alloc(&req->arena, (cap ? cap : 1) * sizeof(*plan));
    if (!svc_care_plan(a->index, a->protocol, (uint32_t)id, today, (int)horizon, plan, cap, &n))
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such resident");
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < cap; i++)
        json_array_append_new(items, plan_entry_json(a->protocol, &plan[i]));
    audit_resident(req, "read_care_plan", id);
    json_t *o = json_object();
    json_object_set_new(o, "resident_id", json_integer(id));
    json_object_set_new(o, "date", date_json(today));
    json_object_set_new(o, "horizon", json_integer(horizon));
    json_object_set_new(o, "items", items);
    return http_reply_json(res, 200, o);
}

/* --- the protocol ------------------------------------------------------------------------ */

static json_t *item_json(const struct svc_protocol *p, const struct svc_item *it)
{
    static const char *const kinds[] = {"number", "integer", "text", "yesno"};
    static const char *const sexes[] = {"any", "male", "female"};
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(it->code));
    json_object_set_new(o, "name_zh", json_string(it->name_zh));
    json_object_set_new(o, "name_en", json_string(it->name_en));
    json_object_set_new(o, "program", json_string(svc_program_code(it->program)));
    json_object_set_new(o, "sex", json_string(it->sex < 3 ? sexes[it->sex] : "?"));
    json_object_set_new(o, "tag", it->tag >= 0 ? json_string(vocab_code(VOCAB_TAG, it->tag))
                                               : json_null());
    json_object_set_new(o, "age_min", period_json(it->age_min));
    json_object_set_new(o, "age_max", period_json(it->age_max));
    json_object_set_new(o, "schedule", json_string(svc_schedule_code(it->schedule)));
    json_object_set_new(o, "anchor", it->anchor != SVC_ANCHOR_NONE
                                         ? json_string(svc_anchor_code(it->anchor))
                                         : json_null());
    json_object_set_new(o, "times", it->times > 0 ? json_integer(it->times) : json_null());
    json_object_set_new(o, "points", json_real(it->points));
    json_object_set_new(o, "vaccine", it->vaccine[0] ? json_string(it->vaccine) : json_null());
    json_object_set_new(o, "dose", it->dose > 0 ? json_integer(it->dose) : json_null());
    json_t *ms = json_array();
    for (int i = 0; i < it->n_measures; i++) {
        const struct svc_measure *m = svc_measure_at(p, it->measures[i]);
        json_t *mo = json_object();
        json_object_set_new(mo, "code", json_string(m->code));
        json_object_set_new(mo, "name_zh", json_string(m->name_zh));
        json_object_set_new(mo, "name_en", json_string(m->name_en));
        json_object_set_new(mo, "unit", json_string(m->unit));
        json_object_set_new(mo, "kind", json_string(m->kind < 4 ? kinds[m->kind] : "?"));
        json_object_set_new(mo, "min", m->kind == SVC_MK_TEXT ? json_null() : json_real(m->min));
        json_object_set_new(mo, "max", json_real(m->max));
        json_object_set_new(mo, "required", json_boolean((it->required_mask >> i) & 1));
        json_array_append_new(ms, mo);
    }
    json_object_set_new(o, "measurements", ms);
    return o;
}

int api_protocol_items(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int rc = protocol_ready(a, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < svc_item_count(a->protocol); i++)
        json_array_append_new(items, item_json(a->protocol, svc_item_at(a->protocol, (int)i)));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    return http_reply_json(res, 200, o);
}
