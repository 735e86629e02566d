/*
 * consortium.c - the medical-consortium indicators over the API: visits and discharges by
 * facility level, the grassroots visit share, and two-way referral figures per medical
 * group (consortium.h gives the definitions). Adapter only: query in, one consortium call,
 * JSON out; every rate comes with its numerator and denominator, null when the denominator
 * is 0.
 */
#include <string.h>

#include "accounts/accounts.h"
#include "api/api.h"
#include "consortium/consortium.h"
#include "core/date.h"
#include "core/err.h"

static json_t *day_json(int32_t day)
{
    char text[DATE_STR_LEN];
    return json_string(date_format(day, text));
}

static json_t *rate_json(int64_t numerator, int64_t denominator)
{
    json_t *o = json_object();
    json_object_set_new(o, "value", denominator > 0
                                        ? json_real((double)numerator / (double)denominator)
                                        : json_null());
    json_object_set_new(o, "numerator", json_integer(numerator));
    json_object_set_new(o, "denominator", json_integer(denominator));
    return o;
}

static json_t *levels_json(const int64_t counts[CONS_LEVEL_COUNT], int64_t total)
{
    json_t *by = json_object();
    for (int l = 0; l < CONS_LEVEL_COUNT; l++)
        json_object_set_new(by, cons_level_code((enum cons_level)l), json_integer(counts[l]));
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "by_level", by);
    return o;
}

static json_t *referrals_json(const struct cons_referrals *f, bool group)
{
    json_t *o = json_object();
    if (group) {
        json_object_set_new(o, "group", json_string(f->group));
        json_object_set_new(o, "name", json_string(f->name));
        json_object_set_new(o, "kind", json_string(f->kind));
    }
    json_object_set_new(o, "referrals", json_integer(f->referrals));
    json_object_set_new(o, "up", json_integer(f->up));
    json_object_set_new(o, "down", json_integer(f->down));
    json_object_set_new(o, "accepted", json_integer(f->accepted));
    json_object_set_new(o, "rejected", json_integer(f->rejected));
    json_object_set_new(o, "acceptance_rate", rate_json(f->accepted, f->accepted + f->rejected));
    json_object_set_new(o, "median_minutes_to_accept",
                        f->has_median ? json_real(f->median_accept_min) : json_null());
    json_object_set_new(o, "critical_accepted_in_time",
                        rate_json(f->critical_in_time, f->critical));
    json_object_set_new(o, "consultations", json_integer(f->consultations));
    json_object_set_new(o, "imaging_readings", json_integer(f->readings));
    json_object_set_new(o, "remote_reported", json_integer(f->remote_reported));
    return o;
}

int api_consortium_indicators(struct http_request *req, struct http_response *res,
                              struct yl_err *err)
{
    struct api_app *a = req->app;
    struct cons_query q = {
        .ou_code = http_query(req, "ou"),
        .period = http_query(req, "period"),
        .scope = &api_principal(req)->scope,
        .today = date_today(),
    };
    struct cons_indicators ci;
    int rc = cons_indicators_get(a->store, &q, &req->arena, &ci, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, api_consortium_json(&ci));
}

json_t *api_consortium_json(const struct cons_indicators *c)
{
    const struct cons_indicators ci = *c;
    json_t *unit = json_object();
    json_object_set_new(unit, "code", json_string(ci.ou));
    json_object_set_new(unit, "name", json_string(ci.ou_name));
    json_object_set_new(unit, "level", json_integer(ci.ou_level));
    json_t *period = json_object();
    json_object_set_new(period, "label", json_string(ci.period.label));
    json_object_set_new(period, "start", day_json(ci.period.start));
    json_object_set_new(period, "end", day_json(ci.period.end));
    json_t *groups = json_array();
    for (size_t i = 0; i < ci.n_groups; i++)
        json_array_append_new(groups, referrals_json(&ci.groups[i], true));
    json_t *refs = json_object();
    json_object_set_new(refs, "total", referrals_json(&ci.total, false));
    json_object_set_new(refs, "by_group", groups);
    json_t *o = json_object();
    json_object_set_new(o, "ou", unit);
    json_object_set_new(o, "period", period);
    json_object_set_new(o, "visits", levels_json(ci.visits, ci.visits_total));
    json_object_set_new(o, "discharges", levels_json(ci.discharges, ci.discharges_total));
    json_object_set_new(o, "grassroots_visit_share",
                        rate_json(ci.visits[CONS_GRASSROOTS], ci.visits_total));
    json_object_set_new(o, "referrals", refs);
    return o;
}
