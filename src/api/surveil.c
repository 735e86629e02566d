/*
 * surveil.c - surveillance data over the API: case reports (report, list, read, revise,
 * delete), syndromic counts, the series the detectors read, the disease and channel lists,
 * and the surveillance indicators. Adapters only: JSON in, one surveil/ call, JSON out.
 * Who may see which report is decided in surveil/ (reports.c); every read of reports is
 * audited as a read; counts and lists of codes are aggregates and are not.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/detection.h"
#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "surveil/detect.h"
#include "surveil/surveil.h"

#define API_SURV_COUNTS_MAX 10000   /* counts in one POST /api/syndromic */


/* After a write: the detectors over the series it touched, their alarms into alerts. A
 * failure is logged, not answered: the write itself is done and durable, and the nightly
 * run judges the series again. */
static void detect_after(struct http_request *req, struct surv_detect_touches *t)
{
    struct api_app *a = req->app;
    if (a->alert_rules == NULL || a->surveil == NULL || t->n == 0)
        return;
    struct audit_actor actor;
    api_actor(req, &actor);
    struct surv_detect_env env = {.catalog = a->surveil, .rules = a->alert_rules,
                                  .by = &actor, .now_s = (int64_t)time(NULL),
                                  .today = date_today()};
    struct surv_detect_result r;
    struct yl_err err = {0};
    if (surv_detect_targets(a->store, &env, t->v, t->n, &r, &err) != 0)
        fprintf(stderr, "yilian: detection after %s %s failed: %s\n", req->method_name,
                req->path, yl_err_message(&err));
}

static void detect_case(struct http_request *req, const struct surv_case_report *c)
{
    struct surv_detect_touches t = {0};
    surv_detect_touched(&t, c->disease, c->ou, c->onset);
    detect_after(req, &t);
    surv_detect_touched_free(&t);
}

static int catalog(struct http_request *req, const struct surv_catalog **out,
                   struct yl_err *err)
{
    struct api_app *a = req->app;
    *out = a->surveil;
    if (*out == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the surveillance data files are not loaded");
    return 0;
}

static json_t *date_json(int32_t day)
{
    char text[DATE_STR_LEN];
    return day == DATE_INVALID ? json_null() : json_string(date_format(day, text));
}

static json_t *number_json(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *case_json(const struct surv_case_report *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "external_id", json_string(c->external_id));
    json_object_set_new(o, "disease", json_string(c->disease));
    json_object_set_new(o, "class", json_stringn(&c->disease_class, 1));
    json_object_set_new(o, "classification",
                        json_string(surv_classification_name(c->classification)));
    json_object_set_new(o, "onset_date", date_json(c->onset));
    json_object_set_new(o, "diagnosed_at", json_string(c->diagnosed_at));
    json_object_set_new(o, "reported_at", json_string(c->reported_at));
    json_object_set_new(o, "delay_s", json_integer(c->delay_s));
    json_object_set_new(o, "late", json_boolean(c->late));
    json_object_set_new(o, "facility", json_string(c->facility));
    json_object_set_new(o, "resident_id", c->resident_id ? json_integer(c->resident_id)
                                                         : json_null());
    json_object_set_new(o, "name", c->resident_id ? json_string(c->name) : json_null());
    json_object_set_new(o, "id_number",
                        c->resident_id ? json_string(c->id_number) : json_null());
    json_object_set_new(o, "masked", json_boolean(c->masked));
    json_object_set_new(o, "age_years", c->age_years >= 0 ? json_integer(c->age_years)
                                                          : json_null());
    json_object_set_new(o, "sex", json_integer(c->sex));
    json_object_set_new(o, "ou", json_string(c->ou));
    json_object_set_new(o, "school", c->school[0] ? json_string(c->school) : json_null());
    json_object_set_new(o, "status", json_string(surv_status_name(c->status)));
    json_object_set_new(o, "delete_reason",
                        c->delete_reason[0] ? json_string(c->delete_reason) : json_null());
    json_object_set_new(o, "created_at", json_string(c->created_at));
    json_object_set_new(o, "updated_at", json_string(c->updated_at));
    return o;
}

static void audit_case(struct http_request *req, const char *action, int64_t id)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    api_audit_read(req, action, "case_report", text);
}

/* --- case reports ------------------------------------------------------------------------ */

int api_surv_case_create(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    static const char *const fields[] = {
        "external_id", "disease",     "classification", "onset_date", "diagnosed_at",
        "reported_at", "facility",    "resident_id",    "id_number",  "age_years",
        "sex",         "ou",          "school",         NULL};
    struct api_app *a = req->app;
    const struct surv_catalog *cat;
    struct surv_case_input in = {0};
    int64_t age = -1, sex = 0;
    json_t *body;
    int rc = catalog(req, &cat, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "external_id", 1, SURV_EXTERNAL_ID_MAX, true, &in.external_id,
                           err);
    if (rc == 0)
        rc = http_json_str(body, "disease", 1, SURV_CODE_MAX, true, &in.disease, err);
    if (rc == 0)
        rc = http_json_str(body, "classification", 1, 16, true, &in.classification, err);
    if (rc == 0)
        rc = http_json_str(body, "onset_date", 1, 10, true, &in.onset_date, err);
    if (rc == 0)
        rc = http_json_str(body, "diagnosed_at", 1, 40, true, &in.diagnosed_at, err);
    if (rc == 0)
        rc = http_json_str(body, "reported_at", 1, 40, false, &in.reported_at, err);
    if (rc == 0)
        rc = http_json_str(body, "facility", 1, SURV_CODE_MAX, true, &in.facility, err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, false, &in.resident_id, err);
    if (rc == 0)
        rc = http_json_str(body, "id_number", 1, 32, false, &in.id_number, err);
    if (rc == 0)
        rc = http_json_int(body, "age_years", 0, 150, false, &age, err);
    if (rc == 0)
        rc = http_json_int(body, "sex", 0, 2, false, &sex, err);
    if (rc == 0)
        rc = http_json_str(body, "ou", 1, 12, false, &in.ou, err);
    if (rc == 0)
        rc = http_json_str(body, "school", 0, SURV_SCHOOL_MAX, false, &in.school, err);
    if (rc != 0)
        return rc;
    if (json_object_get(body, "age_years") == NULL ||
        json_is_null(json_object_get(body, "age_years")))
        age = -1;
    in.age_years = (int)age;
    in.sex = (int)sex;
    struct audit_actor actor;
    api_actor(req, &actor);
    int64_t id;
    bool created;
    rc = surv_case_record(a->store, cat, api_principal(req), &actor, &in, &id, &created, err);
    struct surv_case_report c;
    if (rc == 0)
        rc = surv_case_get(a->store, api_principal(req), id, &req->arena, &c, err);
    if (rc != 0)
        return rc;
    if (created)
        detect_case(req, &c);
    /* Sent again: the report as it stands, not a second one. */
    return http_reply_json(res, created ? 201 : 200, case_json(&c));
}

int api_surv_case_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    struct surv_case_report c;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = surv_case_get(a->store, api_principal(req), id, &req->arena, &c, err);
    if (rc != 0)
        return rc;
    audit_case(req, "read_case", id);
    return http_reply_json(res, 200, case_json(&c));
}

/* A query date; DATE_INVALID when absent. */
static int query_day(struct http_request *req, const char *name, int32_t *out,
                     struct yl_err *err)
{
    const char *s = http_query(req, name);
    *out = DATE_INVALID;
    if (s == NULL || s[0] == '\0')
        return 0;
    return date_parse(s, strlen(s), out, name, err);
}

static int query_late(struct http_request *req, int *out, struct yl_err *err)
{
    const char *s = http_query(req, "late");
    *out = -1;
    if (s == NULL || s[0] == '\0')
        return 0;
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return yl_err_set(err, YL_EINVAL, "late", "late must be true or false");
    return 0;
}

static int query_status(struct http_request *req, int *out, struct yl_err *err)
{
    const char *s = http_query(req, "status");
    *out = -1;
    if (s == NULL || s[0] == '\0')
        return 0;
    for (int i = 0; i < 3; i++)
        if (strcmp(s, surv_status_name(i)) == 0)
            *out = i;
    if (*out < 0)
        return yl_err_set(err, YL_EINVAL, "status",
                          "status must be reported, revised or deleted");
    return 0;
}

int api_surv_case_list(struct http_request *req, struct http_response *res,
                       struct yl_err *err)
{
    struct api_app *a = req->app;
    struct surv_case_query q = {.disease = http_query(req, "disease"),
                                .ou = http_query(req, "ou")};
    int rc = query_day(req, "from", &q.from, err);
    if (rc == 0)
        rc = query_day(req, "to", &q.to, err);
    if (rc == 0)
        rc = query_status(req, &q.status, err);
    if (rc == 0)
        rc = query_late(req, &q.late, err);
    int limit = 0;
    if (rc == 0)
        rc = http_page_params(req, &limit, &q.after, err);
    q.limit = limit + 1;
    struct surv_case_report *rows;
    size_t n;
    if (rc == 0)
        rc = surv_case_list(a->store, api_principal(req), &q, &req->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    api_audit_read(req, "list_cases", "case_report", q.ou ? q.ou : "");
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, case_json(&rows[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id,
                                                                      cursor, sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

int api_surv_case_revise(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    static const char *const fields[] = {"disease", "classification", "onset_date",
                                         "diagnosed_at", NULL};
    struct api_app *a = req->app;
    const struct surv_catalog *cat;
    struct surv_case_patch p = {0};
    int64_t id;
    json_t *body;
    int rc = catalog(req, &cat, err);
    if (rc == 0)
        rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "disease", 1, SURV_CODE_MAX, false, &p.disease, err);
    if (rc == 0)
        rc = http_json_str(body, "classification", 1, 16, false, &p.classification, err);
    if (rc == 0)
        rc = http_json_str(body, "onset_date", 1, 10, false, &p.onset_date, err);
    if (rc == 0)
        rc = http_json_str(body, "diagnosed_at", 1, 40, false, &p.diagnosed_at, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    rc = surv_case_revise(a->store, cat, api_principal(req), &actor, id, &p, err);
    struct surv_case_report c;
    if (rc == 0)
        rc = surv_case_get(a->store, api_principal(req), id, &req->arena, &c, err);
    if (rc != 0)
        return rc;
    detect_case(req, &c);
    return http_reply_json(res, 200, case_json(&c));
}

int api_surv_case_delete(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    static const char *const fields[] = {"reason", NULL};
    struct api_app *a = req->app;
    int64_t id;
    const char *reason = http_query(req, "reason");
    int rc = api_path_id(req, "id", &id, err);
    /* The reason travels in a JSON body, or as ?reason= for clients that send no body
     * with DELETE. */
    if (rc == 0 && (reason == NULL || reason[0] == '\0')) {
        json_t *body;
        rc = http_request_object(req, fields, &body, err);
        if (rc == 0)
            rc = http_json_str(body, "reason", 1, SURV_REASON_MAX, true, &reason, err);
    }
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    api_actor(req, &actor);
    rc = surv_case_delete(a->store, api_principal(req), &actor, id, reason, err);
    struct surv_case_report c;
    if (rc == 0)
        rc = surv_case_get(a->store, api_principal(req), id, &req->arena, &c, err);
    if (rc != 0)
        return rc;
    detect_case(req, &c);
    return http_reply_json(res, 200, case_json(&c));
}

/* --- syndromic counts -------------------------------------------------------------------- */

static int count_in(json_t *o, struct surv_count_input *in, struct yl_err *err)
{
    static const char *const fields[] = {"date", "ou", "channel", "value", "denominator",
                                         NULL};
    if (!json_is_object(o))
        return yl_err_set(err, YL_EINVAL, NULL, "a count is an object");
    int rc = http_json_only(o, fields, err);
    if (rc == 0)
        rc = http_json_str(o, "date", 1, 10, true, &in->date, err);
    if (rc == 0)
        rc = http_json_str(o, "ou", 1, 12, true, &in->ou, err);
    if (rc == 0)
        rc = http_json_str(o, "channel", 1, SURV_CODE_MAX, true, &in->channel, err);
    json_t *v = json_object_get(o, "value"), *d = json_object_get(o, "denominator");
    if (rc == 0 && !json_is_number(v))
        rc = yl_err_set(err, YL_EINVAL, "value", "value is required: a number");
    if (rc == 0 && d != NULL && !json_is_null(d) && !json_is_number(d))
        rc = yl_err_set(err, YL_EINVAL, "denominator", "denominator must be a number");
    if (rc != 0)
        return rc;
    in->value = json_number_value(v);
    in->denominator = d != NULL && !json_is_null(d) ? json_number_value(d) : NAN;
    return 0;
}

int api_surv_syndromic_post(struct http_request *req, struct http_response *res,
                            struct yl_err *err)
{
    struct api_app *a = req->app;
    const struct surv_catalog *cat;
    json_t *body;
    int rc = catalog(req, &cat, err);
    if (rc == 0)
        rc = http_request_json(req, &body, err);
    if (rc != 0)
        return rc;
    /* One count as the body, or many as {"counts": [...]}. */
    json_t *list = json_object_get(body, "counts");
    size_t n = list != NULL ? json_array_size(list) : 1;
    if (list != NULL && (!json_is_array(list) || json_object_size(body) != 1))
        return yl_err_set(err, YL_EINVAL, "counts", "counts is an array of counts, alone");
    if (n == 0 || n > API_SURV_COUNTS_MAX)
        return yl_err_set(err, YL_EINVAL, "counts", "send 1 to %d counts",
                          API_SURV_COUNTS_MAX);
    struct surv_count_input *in = arena_zalloc(&req->arena, n * sizeof(*in));
    for (size_t i = 0; i < n; i++) {
        struct yl_err e = {0};
        rc = count_in(list != NULL ? json_array_get(list, i) : body, &in[i], &e);
        if (rc != 0) {
            if (list == NULL)
                return yl_err_set(err, rc, e.field, "%s", yl_err_message(&e));
            char field[YL_ERR_FIELD_MAX];
            snprintf(field, sizeof(field), "counts[%zu].%.32s", i, e.field);
            return yl_err_set(err, rc, field, "counts[%zu]: %s", i, yl_err_message(&e));
        }
    }
    struct audit_actor actor;
    api_actor(req, &actor);
    size_t changed = 0, failed = 0;
    struct yl_err e = {0};
    rc = surv_count_record(a->store, cat, api_principal(req), &actor, in, n, &changed, &failed,
                           &e);
    if (rc != 0) {
        if (list == NULL)
            return yl_err_set(err, rc, e.field, "%s", yl_err_message(&e));
        char field[YL_ERR_FIELD_MAX];
        snprintf(field, sizeof(field), "counts[%zu].%.32s", failed, e.field);
        return yl_err_set(err, rc, field, "counts[%zu]: %s", failed, yl_err_message(&e));
    }
    struct surv_detect_touches t = {0};
    for (size_t i = 0; i < n; i++) {
        int32_t day;
        if (date_parse(in[i].date, strlen(in[i].date), &day, "date", NULL) == 0)
            surv_detect_touched(&t, in[i].channel, in[i].ou, day);
    }
    detect_after(req, &t);
    surv_detect_touched_free(&t);
    json_t *o = json_object();
    json_object_set_new(o, "received", json_integer((json_int_t)n));
    json_object_set_new(o, "changed", json_integer((json_int_t)changed));
    return http_reply_json(res, 200, o);
}

/* --- series and lists -------------------------------------------------------------------- */

int api_surv_series(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    const struct surv_catalog *cat;
    const char *cls = http_query(req, "class"), *unit = http_query(req, "unit");
    struct surv_series_query q = {.disease = http_query(req, "disease"),
                                  .channel = http_query(req, "channel"),
                                  .ou = http_query(req, "ou")};
    int rc = catalog(req, &cat, err);
    if (rc == 0 && cls != NULL && cls[0] != '\0') {
        if (strlen(cls) != 1)
            rc = yl_err_set(err, YL_EINVAL, "class", "class must be A, B or C");
        q.disease_class = cls[0];
    }
    int u = unit != NULL && unit[0] != '\0' ? surv_unit_find(unit) : SURV_DAY;
    if (rc == 0 && u < 0)
        rc = yl_err_set(err, YL_EINVAL, "unit", "unit must be day or week");
    q.unit = (enum surv_unit)u;
    if (rc == 0 && (q.ou == NULL || q.ou[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "ou", "ou is required");
    if (rc == 0)
        rc = query_day(req, "from", &q.from, err);
    if (rc == 0)
        rc = query_day(req, "to", &q.to, err);
    if (rc == 0)
        rc = surv_counts_check(api_principal(req), q.ou, err);
    const char *target = q.channel && q.channel[0] ? q.channel : q.disease;
    struct surv_method_config m;
    surv_params_for(cat, target, q.ou, &m);
    /* detect=1: the detector's judgement of every point (what the alert board charts), in
     * the method's own unit, over history read before `from` for its baseline. */
    const char *detect = http_query(req, "detect");
    bool judge = detect != NULL && strcmp(detect, "1") == 0;
    if (rc == 0 && judge && (target == NULL || target[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "detect", "detect needs a disease or a channel");
    int32_t shown_from = q.from;
    if (judge) {
        q.unit = m.unit;
        q.from = date_add_days(q.from, -SURV_DETECT_HISTORY_DAYS);
    }
    struct surv_series s;
    if (rc == 0)
        rc = surv_series_read(a->store, cat, &q, &s, err);
    if (rc != 0)
        return rc;
    struct surv_point *judged = NULL;
    if (judge) {
        double *x = xmalloc((s.n ? s.n : 1) * sizeof(*x));
        for (size_t i = 0; i < s.n; i++)
            x[i] = s.denominators == NULL ? s.counts[i]
                   : s.denominators[i] > 0 ? 100.0 * s.counts[i] / s.denominators[i]
                                           : NAN;
        judged = xmalloc((s.n ? s.n : 1) * sizeof(*judged));
        rc = surv_method_run(&m, x, s.n, judged, err);
        free(x);
        if (rc != 0) {
            free(judged);
            surv_series_release(&s);
            return rc;
        }
    }
    json_t *o = json_object();
    json_object_set_new(o, "disease", q.disease && q.disease[0] ? json_string(q.disease)
                                                                : json_null());
    json_object_set_new(o, "class", q.disease_class ? json_stringn(&q.disease_class, 1)
                                                    : json_null());
    json_object_set_new(o, "channel", q.channel && q.channel[0] ? json_string(q.channel)
                                                                : json_null());
    json_object_set_new(o, "ou", json_string(q.ou));
    json_object_set_new(o, "unit", json_string(surv_unit_name(s.unit)));
    json_object_set_new(o, "start", date_json(s.start));
    json_object_set_new(o, "method", target ? json_string(surv_method_name(m.method))
                                            : json_null());
    json_t *points = json_array();
    for (size_t i = 0; i < s.n; i++) {
        char label[16];
        int32_t last = s.unit == SURV_WEEK ? s.start + 7 * (int32_t)i + 6 : s.start + (int32_t)i;
        if (judge && last < shown_from)
            continue;
        json_t *p = json_object();
        json_object_set_new(p, "t", json_string(surv_series_label(&s, i, label)));
        json_object_set_new(p, "count", number_json(s.counts[i]));
        if (s.denominators != NULL)
            json_object_set_new(p, "denominator", number_json(s.denominators[i]));
        if (judge) {
            const struct surv_point *pt = &judged[i];
            bool decided = pt->alarm != SURV_NO_DECISION;
            json_object_set_new(p, "expected", number_json(decided ? pt->expected : NAN));
            json_object_set_new(p, "upper", number_json(decided ? pt->upper : NAN));
            json_object_set_new(p, "alarm", !decided ? json_null()
                                            : json_boolean(pt->alarm == SURV_ALARM));
        }
        json_array_append_new(points, p);
    }
    json_object_set_new(o, "points", points);
    free(judged);
    surv_series_release(&s);
    return http_reply_json(res, 200, o);
}

int api_surv_diseases(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    const struct surv_catalog *cat;
    int rc = catalog(req, &cat, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < cat->n_diseases; i++) {
        const struct surv_disease *d = &cat->diseases[i];
        struct surv_method_config m;
        surv_params_for(cat, d->code, NULL, &m);
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(d->code));
        json_object_set_new(o, "name_zh", json_string(d->name_zh));
        json_object_set_new(o, "name_en", json_string(d->name_en));
        json_object_set_new(o, "class", json_stringn(&d->cls, 1));
        json_object_set_new(o, "managed_as_a", json_boolean(d->managed_as_a));
        json_object_set_new(o, "report_limit_hours", json_integer(d->report_limit_hours));
        json_object_set_new(o, "icd10", json_string(d->icd10));
        json_object_set_new(o, "method", json_string(surv_method_name(m.method)));
        json_array_append_new(items, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    return http_reply_json(res, 200, o);
}

int api_surv_channels(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    const struct surv_catalog *cat;
    int rc = catalog(req, &cat, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < cat->n_channels; i++) {
        const struct surv_channel *ch = &cat->channels[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(ch->code));
        json_object_set_new(o, "name_zh", json_string(ch->name_zh));
        json_object_set_new(o, "name_en", json_string(ch->name_en));
        json_object_set_new(o, "kind", json_string(ch->kind == SURV_CH_PROPORTION
                                                       ? "proportion" : "count"));
        json_object_set_new(o, "default_method", json_string(surv_method_name(ch->default_method)));
        json_object_set_new(o, "unit", json_string(surv_unit_name(ch->unit)));
        json_array_append_new(items, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    return http_reply_json(res, 200, o);
}

json_t *api_surv_indicators_json(const struct surv_indicators *ind)
{
    json_t *o = json_object();
    json_object_set_new(o, "ou", json_string(ind->ou));
    json_object_set_new(o, "from", date_json(ind->from));
    json_object_set_new(o, "to", date_json(ind->to));
    json_object_set_new(o, "population", json_integer(ind->population));
    json_object_set_new(o, "population_source", json_string(ind->population_source));
    json_t *rows = json_array();
    for (size_t i = 0; i < ind->n_rows; i++) {
        const struct surv_incidence_row *r = &ind->rows[i];
        json_t *x = json_object();
        json_object_set_new(x, r->is_class ? "class" : "disease", json_string(r->code));
        json_object_set_new(x, "cases", json_integer(r->cases));
        json_object_set_new(x, "rate_per_100k", number_json(r->rate_per_100k));
        json_object_set_new(x, "reports", json_integer(r->reports));
        json_object_set_new(x, "on_time", json_integer(r->on_time));
        json_object_set_new(x, "timely_share", number_json(r->timely_share));
        json_array_append_new(rows, x);
    }
    json_object_set_new(o, "rows", rows);
    return o;
}

int api_surv_indicators(struct http_request *req, struct http_response *res,
                        struct yl_err *err)
{
    struct api_app *a = req->app;
    const struct surv_catalog *cat;
    const char *ou = http_query(req, "ou"), *period = http_query(req, "period");
    int rc = catalog(req, &cat, err);
    if (rc == 0 && (ou == NULL || ou[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "ou", "ou is required");
    if (rc == 0)
        rc = surv_counts_check(api_principal(req), ou, err);
    struct surv_indicators ind;
    if (rc == 0)
        rc = surv_indicators_compute(a->store, cat, ou, period, &req->arena, &ind, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, api_surv_indicators_json(&ind));
}
