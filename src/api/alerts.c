/*
 * alerts.c - surveillance alerts over the API: list and read alerts within scope, walk them
 * through verification, the live stream of new alerts (server-sent events), the webhook
 * delivery log and the alert indicators. JSON in, one call into alerts/, JSON out; who may
 * read and act is decided there, "now" is the clock here.
 *
 * The live feed is a thread that looks for alerts with a larger id every 250 ms (cheap: one
 * indexed read) and publishes each to the stream hub under its org unit code, so a stream
 * scoped to a subtree hears only its own alerts. Polling the store rather than hooking the
 * write path means alerts raised by any process (an import, the nightly run) reach the
 * dashboards.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "indicators/indicators.h"

#define FEED_POLL_MS 250
#define FEED_PING_S 15

static void who_of(struct http_request *req, struct audit_actor *actor, struct surv_who *who)
{
    api_actor(req, actor);
    who->principal = api_principal(req);
    who->actor = actor;
}

/* --- reading -------------------------------------------------------------------------- */

int api_alert_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct surv_alert_query q = {
        .state = http_query(req, "state"),
        .level = http_query(req, "level"),
        .code = http_query(req, "code"),
        .ou = http_query(req, "ou"),
    };
    /* disease= and channel= read better in a dashboard's URL; they filter the same code. */
    if (q.code == NULL)
        q.code = http_query(req, "disease");
    if (q.code == NULL)
        q.code = http_query(req, "channel");
    int limit;
    int64_t after = 0;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    q.after = after;
    q.limit = limit + 1;
    struct surv_alert *rows;
    size_t n;
    rc = surv_alert_list(a->store, api_principal(req), &q, &req->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, surv_alert_json(&rows[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id, cursor,
                                                                      sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

int api_alert_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    struct surv_alert x;
    rc = surv_alert_get(a->store, api_principal(req), id, &req->arena, &x, err);
    if (rc != 0)
        return rc;
    api_audit_read(req, "read", "alert", http_path_param(req, "id"));
    return http_reply_json(res, 200, surv_alert_json(&x));
}

/* --- acting --------------------------------------------------------------------------- */

static int act(struct http_request *req, struct http_response *res, enum surv_action action,
               const char *const *allowed, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    json_t *body = NULL;
    struct surv_act_input in = {0};
    if (allowed[0] != NULL || req->body_len > 0) {
        rc = http_request_object(req, allowed, &body, err);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; rc == 0 && allowed[i] != NULL; i++) {
        if (strcmp(allowed[i], "assignee") == 0)
            rc = http_json_int(body, "assignee", 1, INT64_MAX, true, &in.assignee, err);
        else {
            const char *v = NULL;
            rc = http_json_str(body, allowed[i], 0, SURV_TEXT_MAX, false, &v, err);
            if (strcmp(allowed[i], "reason") == 0)
                in.reason = v;
            else if (strcmp(allowed[i], "responders") == 0)
                in.responders = v;
            else if (strcmp(allowed[i], "actions") == 0)
                in.actions = v;
            else if (strcmp(allowed[i], "text") == 0)
                in.text = v;
        }
    }
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct surv_who who;
    who_of(req, &actor, &who);
    rc = surv_alert_act(a->store, &who, id, action, &in, (int64_t)time(NULL), err);
    if (rc != 0)
        return rc;
    struct surv_alert x;
    rc = surv_alert_get(a->store, who.principal, id, &req->arena, &x, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, action == SURV_NOTE ? 201 : 200, surv_alert_json(&x));
}

int api_alert_assign(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const allowed[] = {"assignee", NULL};
    return act(req, res, SURV_ASSIGN, allowed, err);
}

int api_alert_verify(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const allowed[] = {NULL};
    return act(req, res, SURV_VERIFY, allowed, err);
}

int api_alert_confirm(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const allowed[] = {"responders", "actions", NULL};
    return act(req, res, SURV_CONFIRM, allowed, err);
}

int api_alert_dismiss(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const allowed[] = {"reason", NULL};
    return act(req, res, SURV_DISMISS, allowed, err);
}

int api_alert_note(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const allowed[] = {"text", NULL};
    return act(req, res, SURV_NOTE, allowed, err);
}

/* --- indicators and the webhook log --------------------------------------------------- */

static json_t *num_json(double v)
{
    return v == v ? json_real(v) : json_null();
}

int api_alert_indicators(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    struct api_app *a = req->app;
    const char *period = http_query(req, "period");
    const char *ou = http_query(req, "ou");
    int32_t today = date_today();
    struct ind_period p;
    char year[8];
    if (period == NULL || period[0] == '\0') {
        int y, m, d;
        date_to_ymd(today, &y, &m, &d);
        snprintf(year, sizeof(year), "%d", y);
        period = year;
    }
    int rc = ind_period_parse(period, today, &p, err);
    if (rc != 0)
        return rc;
    struct surv_alert_indicators ind;
    rc = surv_alert_indicators(a->store, api_principal(req), ou ? ou : "", p.start, p.end, &ind,
                               err);
    if (rc != 0)
        return rc;
    json_t *levels = json_object();
    for (int l = 0; l < SURV_LEVEL_COUNT; l++) {
        json_t *states = json_object();
        for (int s = 0; s < SURV_STATE_COUNT; s++)
            json_object_set_new(states, surv_state_code((enum surv_state)s),
                                json_integer(ind.by_level_state[l][s]));
        json_object_set_new(levels, surv_level_code((enum surv_level)l), states);
    }
    json_t *o = json_object();
    json_object_set_new(o, "period", json_string(p.label));
    json_object_set_new(o, "ou", json_string(ou ? ou : ""));
    json_object_set_new(o, "by_level_state", levels);
    json_object_set_new(o, "total", json_integer(ind.total));
    json_object_set_new(o, "closed", json_integer(ind.closed));
    json_object_set_new(o, "verified_24h", json_integer(ind.verified_24h));
    json_object_set_new(o, "share_verified_24h", num_json(ind.share_verified_24h));
    json_object_set_new(o, "median_verify_s", num_json(ind.median_verify_s));
    return http_reply_json(res, 200, o);
}

int api_alert_webhook_log(struct http_request *req, struct http_response *res,
                          struct yl_err *err)
{
    struct api_app *a = req->app;
    int limit;
    int64_t before = 0;
    int rc = http_page_params(req, &limit, &before, err);
    if (rc != 0)
        return rc;
    struct surv_delivery_log *rows;
    size_t n;
    rc = surv_webhook_log(a->store, api_principal(req), before, limit + 1, &req->arena, &rows,
                          &n, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "id", json_integer(rows[i].id));
        json_object_set_new(x, "delivery_id", json_integer(rows[i].delivery_id));
        json_object_set_new(x, "alert_id", json_integer(rows[i].alert_id));
        json_object_set_new(x, "url", json_string(rows[i].url));
        json_object_set_new(x, "attempt", json_integer(rows[i].attempt));
        json_object_set_new(x, "at", json_string(rows[i].at));
        json_object_set_new(x, "http_status", rows[i].http_status ? json_integer(rows[i].http_status)
                                                                  : json_null());
        json_object_set_new(x, "error", rows[i].error[0] ? json_string(rows[i].error)
                                                         : json_null());
        json_object_set_new(x, "state", json_string(rows[i].state));
        json_array_append_new(items, x);
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

/* --- the live stream ------------------------------------------------------------------ */

int api_alert_stream(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    const struct acct_principal *p = api_principal(req);
    if (!surv_may_read(p))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read alerts",
                          acct_role_name(p->role));
    const char *prefix = p->scope.kind == SCOPE_OU ? p->scope.ref : "";
    return http_reply_events(req, res, a->alert_events, prefix, err);
}

struct api_alert_feed {
    struct store *store;
    struct http_events *hub;
    int64_t last_id;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* Publish the alerts raised since the last look. */
static void feed_once(struct api_alert_feed *f)
{
    struct arena mem;
    arena_init(&mem);
    struct surv_alert *rows;
    size_t n = 0;
    struct yl_err err = {0};
    if (surv_alert_since(f->store, f->last_id, 100, &mem, &rows, &n, &err) != 0)
        fprintf(stderr, "yilian: alert feed: %s\n", yl_err_message(&err));
    for (size_t i = 0; i < n; i++) {
        /* The stream goes to analysts too: the alert without people or free text (a
         * new alert has none, but the feed may see it after someone acted). */
        rows[i].assignee = "";
        rows[i].responders = rows[i].actions = rows[i].dismiss_reason = "";
        json_t *j = surv_alert_json(&rows[i]);
        char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        http_events_publish(f->hub, rows[i].id, "alert", rows[i].ou, text);
        free(text);
        f->last_id = rows[i].id;
    }
    arena_release(&mem);
}

static void *feed_main(void *arg)
{
    struct api_alert_feed *f = arg;
    time_t last_ping = time(NULL);
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        pthread_mutex_unlock(&f->mu);
        feed_once(f);
        if (time(NULL) - last_ping >= FEED_PING_S) {
            http_events_ping(f->hub);
            last_ping = time(NULL);
        }
        pthread_mutex_lock(&f->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += FEED_POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!f->stop)
            pthread_cond_timedwait(&f->cv, &f->mu, &until);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

struct api_alert_feed *api_alert_feed_start(struct store *s, struct http_events *hub)
{
    struct api_alert_feed *f = xcalloc(1, sizeof(*f));
    f->store = s;
    f->hub = hub;
    /* Streams carry what is raised from now on; the list holds the past. */
    f->last_id = surv_alert_last_id(s);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
        fprintf(stderr, "yilian: alert feed: cannot start its thread\n");
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
        free(f);
        return NULL;
    }
    return f;
}

void api_alert_feed_stop(struct api_alert_feed *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}
