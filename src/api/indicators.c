/*
 * indicators.c - GET /api/indicators (live indicators of an org unit and period, from the
 * population index) and GET /api/index/verify (the live index against a fresh load).
 *
 * Aggregates only: no person is named, so reads are not audited like a record read.
 */
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "indicators/indicators.h"
#include "pindex/pindex.h"

/* The target and whether the unit is behind it: nulls when the indicator has none (and
 * behind null too when there is no value to judge). */
static void target_json(json_t *o, const struct ind_value *v)
{
    const struct ind_target *t = &v->def->target;
    bool has = t->direction != IND_DIR_NONE;
    json_object_set_new(o, "target", has ? json_real(t->value) : json_null());
    json_object_set_new(o, "target_direction",
                        !has ? json_null()
                        : t->direction == IND_DIR_AT_LEAST ? json_string("at_least")
                                                           : json_string("at_most"));
    json_object_set_new(o, "target_source", has ? json_string(t->source) : json_null());
    json_object_set_new(o, "behind", v->behind == IND_BEHIND_UNKNOWN ? json_null()
                                     : json_boolean(v->behind == IND_BEHIND_YES));
}

static json_t *values_json(const struct ind_value *values, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct ind_value *v = &values[i];
        const struct ind_def *d = v->def;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(d->id));
        json_object_set_new(o, "name_zh", json_string(d->name_zh));
        json_object_set_new(o, "name_en", json_string(d->name_en));
        json_object_set_new(o, "value", v->has_value ? json_real(v->value) : json_null());
        json_object_set_new(o, "numerator", json_integer(v->numerator));
        json_object_set_new(o, "denominator", json_integer(v->denominator));
        json_object_set_new(o, "unit", json_string(d->unit));
        json_object_set_new(o, "scale", json_integer(d->scale));
        json_object_set_new(o, "base", json_string(d->base));
        target_json(o, v);
        json_array_append_new(arr, o);
    }
    return arr;
}

static void unit_json(json_t *o, const struct ind_unit *u, size_t n_values)
{
    json_object_set_new(o, "ou", json_string(u->code));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "level", json_string(ind_level_name(u->level)));
    json_object_set_new(o, "values", values_json(u->values, n_values));
}

json_t *api_indicator_report_json(const struct ind_report *r)
{
    char start[DATE_STR_LEN], end[DATE_STR_LEN], ref[DATE_STR_LEN];
    json_t *o = json_object();
    json_t *period = json_object();
    json_object_set_new(period, "label", json_string(r->period.label));
    json_object_set_new(period, "start", json_string(date_format(r->period.start, start)));
    json_object_set_new(period, "end", json_string(date_format(r->period.end, end)));
    json_object_set_new(period, "reference_date",
                        json_string(date_format(r->period.reference, ref)));
    json_object_set_new(o, "period", period);
    unit_json(o, &r->unit, r->n_values);
    if (r->children != NULL) {
        json_t *children = json_array();
        for (size_t i = 0; i < r->n_children; i++) {
            json_t *c = json_object();
            unit_json(c, &r->children[i], r->n_values);
            json_array_append_new(children, c);
        }
        json_object_set_new(o, "children", children);
    }
    return o;
}

static int index_ready(struct api_app *a, struct yl_err *err)
{
    if (a->index == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the population index is not loaded yet");
    return 0;
}

int api_indicators_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int rc = index_ready(a, err);
    if (rc != 0)
        return rc;
    const char *level = http_query(req, "level"), *by = http_query(req, "by");
    struct ind_query q = {
        .ou_code = http_query(req, "ou"),
        .period = http_query(req, "period"),
        .scope = &api_principal(req)->scope,
        .catalog = a->indicators,
        .today = date_today(),
        .threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
    };
    if (level != NULL && by != NULL)
        return yl_err_set(err, YL_EINVAL, "level", "give level=children or by=LEVEL, not both");
    if (level != NULL && strcmp(level, "children") != 0)
        return yl_err_set(err, YL_EINVAL, "level", "level must be \"children\"");
    if (level != NULL)
        q.children = IND_CHILDREN_DIRECT;
    if (by != NULL)
        q.children = ind_level_parse(by);
    if (by != NULL && q.children == 0)
        return yl_err_set(err, YL_EINVAL, "by",
                          "by must be province, city, county, township or village");
    struct ind_report rep;
    rc = ind_report_build(a->index, a->store, &q, &req->arena, &rep, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, api_indicator_report_json(&rep));
}

int api_index_verify(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int rc = index_ready(a, err);
    if (rc != 0)
        return rc;
    struct pidx *fresh = pidx_new();
    /* The same protocol, so the service histories are compared too. */
    pidx_set_protocol(fresh, pidx_protocol(a->index));
    rc = pidx_load(fresh, a->store, err);
    long differences = 0;
    struct yl_err diff = {0};
    int cmp = rc == 0 ? pidx_compare(a->index, fresh, &differences, &diff) : 0;
    pidx_free(fresh);
    if (rc != 0)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "consistent", json_boolean(cmp == 0));
    json_object_set_new(o, "residents", json_integer((json_int_t)pidx_resident_count(a->index)));
    json_object_set_new(o, "differences", json_integer(differences));
    json_object_set_new(o, "first", cmp == 0 ? json_null() : json_string(yl_err_message(&diff)));
    return http_reply_json(res, 200, o);
}
