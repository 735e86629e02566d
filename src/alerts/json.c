/*
 * json.c - one JSON form of an alert (alerts.h), so the API, the live stream and the
 * webhooks never disagree about what an alert looks like.
 */
#include <jansson.h>
#include <math.h>

#include "alerts/alerts.h"
#include "core/date.h"

static json_t *text_or_null(const char *s)
{
    return s != NULL && s[0] ? json_string(s) : json_null();
}

static json_t *num_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static json_t *day_json(int32_t day)
{
    char d[DATE_STR_LEN];
    return json_string(date_format(day, d));
}

static json_t *signal_json(const struct surv_signal *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "kind", json_string(surv_source_code(s->kind)));
    json_object_set_new(o, "code", json_string(s->code));
    json_object_set_new(o, "ou", json_string(s->ou));
    json_object_set_new(o, "day", day_json(s->day));
    json_object_set_new(o, "method", json_string(s->method));
    json_object_set_new(o, "count", num_or_null(s->count));
    json_object_set_new(o, "expected", num_or_null(s->expected));
    json_object_set_new(o, "upper", num_or_null(s->upper));
    json_object_set_new(o, "score", num_or_null(s->score));
    json_object_set_new(o, "place_kind", text_or_null(s->place_kind));
    json_object_set_new(o, "place", text_or_null(s->place));
    json_object_set_new(o, "members", text_or_null(s->members));
    return o;
}

json_t *surv_alert_json(const struct surv_alert *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "rule", json_string(a->rule));
    json_object_set_new(o, "level", json_string(surv_level_code(a->level)));
    json_object_set_new(o, "ou", json_string(a->ou));
    json_object_set_new(o, "code", text_or_null(a->code));
    json_object_set_new(o, "first_day", day_json(a->first_day));
    json_object_set_new(o, "last_day", day_json(a->last_day));
    json_object_set_new(o, "state", json_string(surv_state_code(a->state)));
    json_object_set_new(o, "assignee", text_or_null(a->assignee));
    json_object_set_new(o, "raised_at", json_string(a->raised_at));
    json_object_set_new(o, "verifying_at", text_or_null(a->verifying_at));
    json_object_set_new(o, "closed_at", text_or_null(a->closed_at));
    json_object_set_new(o, "verify_s", a->verify_s >= 0 ? json_integer(a->verify_s)
                                                        : json_null());
    json_object_set_new(o, "dismiss_reason", text_or_null(a->dismiss_reason));
    json_object_set_new(o, "responders", text_or_null(a->responders));
    json_object_set_new(o, "actions", text_or_null(a->actions));
    json_object_set_new(o, "n_signals", json_integer((json_int_t)a->n_signals));
    if (a->signals != NULL) {
        json_t *v = json_array();
        for (size_t i = 0; i < a->n_signals; i++)
            json_array_append_new(v, signal_json(&a->signals[i]));
        json_object_set_new(o, "signals", v);
    }
    if (a->history != NULL) {
        json_t *v = json_array();
        for (size_t i = 0; i < a->n_history; i++) {
            const struct surv_history *h = &a->history[i];
            json_t *x = json_object();
            json_object_set_new(x, "at", json_string(h->at));
            json_object_set_new(x, "action", json_string(h->action));
            json_object_set_new(x, "from_state", text_or_null(h->from_state));
            json_object_set_new(x, "to_state", text_or_null(h->to_state));
            json_object_set_new(x, "level", json_string(surv_level_code(h->level)));
            json_object_set_new(x, "user", text_or_null(h->username));
            json_object_set_new(x, "detail", text_or_null(h->detail));
            json_array_append_new(v, x);
        }
        json_object_set_new(o, "history", v);
    }
    if (a->notes != NULL) {
        json_t *v = json_array();
        for (size_t i = 0; i < a->n_notes; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "at", json_string(a->notes[i].at));
            json_object_set_new(x, "user", text_or_null(a->notes[i].username));
            json_object_set_new(x, "text", json_string(a->notes[i].text));
            json_array_append_new(v, x);
        }
        json_object_set_new(o, "notes", v);
    }
    return o;
}
