/*
 * webhook.c - POSTing each new alert to the configured URLs, with retries, backoff and a
 * delivery log (alerts.h). HTTP client: libcurl.
 *
 * The one idea: the outbox is the store. A round first gives every URL a delivery row for
 * each alert raised since its cursor (one transaction: rows and cursor move together), then
 * tries the due rows with no connection held during the POST, and writes each attempt and
 * the row's new state afterwards. Raising an alert never waits for a receiver, and a
 * restart finds the pending rows where it left them.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "alerts/alerts_int.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

#define DUE_BATCH 32

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void defaults(struct surv_webhook_options *o)
{
    if (o->poll_ms <= 0)
        o->poll_ms = 500;
    if (o->max_attempts <= 0)
        o->max_attempts = 8;
    if (o->backoff_max_s <= 0)
        o->backoff_max_s = 300;
    if (o->timeout_ms <= 0)
        o->timeout_ms = 5000;
}

/* Give each URL the alerts raised since its cursor. */
static int enqueue(struct store *s, const struct surv_webhook_options *o, int64_t now_s,
                   struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_MAX_ID);
    rc = store_step(st, err);
    int64_t max_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    alert_stmt_finish(st, rc);
    rc = rc < 0 ? rc : 0;
    for (size_t i = 0; rc == 0 && i < o->n_urls; i++) {
        st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_CURSOR);
        store_bind_text(st, 1, o->urls[i]);
        rc = store_step(st, err);
        bool known = rc == STORE_ROW;
        int64_t cursor = known ? store_col_int(st, 0) : max_id;
        alert_stmt_finish(st, rc);
        if (rc < 0)
            break;
        rc = 0;
        if (known && cursor >= max_id)
            continue;
        if (cursor < max_id) {
            st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_ENQUEUE);
            store_bind_text(st, 1, o->urls[i]);
            store_bind_int(st, 2, now_s);
            store_bind_int(st, 3, cursor);
            store_bind_int(st, 4, max_id);
            rc = store_exec(st, err);
        }
        if (rc == 0) {
            st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_CURSOR_SET);
            store_bind_text(st, 1, o->urls[i]);
            store_bind_int(st, 2, max_id);
            rc = store_exec(st, err);
        }
    }
    if (rc == 0)
        rc = store_commit(c, err);
    if (rc != 0)
        store_rollback(c);
    store_release(c);
    return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
    return size * n;
}

/* POST body to url: the HTTP status (0 when none came) and an error text. */
static long post(const char *url, const char *body, int timeout_ms, char *error, size_t n)
{
    CURL *h = curl_easy_init();
    if (h == NULL) {
        snprintf(error, n, "cannot start an HTTP client");
        return 0;
    }
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(error, n, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
    if (cc == CURLE_OK && (status < 200 || status > 299))
        snprintf(error, n, "HTTP %ld", status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

struct due {
    int64_t id, alert_id;
    char *url;
    int attempts;
};

static int read_due(struct store *s, int64_t now_s, struct arena *a, struct due *out,
                    size_t *n, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_DUE);
    store_bind_int(st, 1, now_s);
    store_bind_int(st, 2, DUE_BATCH);
    int rc;
    size_t m = 0;
    while ((rc = store_step(st, err)) == STORE_ROW && m < DUE_BATCH) {
        out[m].id = store_col_int(st, 0);
        out[m].alert_id = store_col_int(st, 1);
        out[m].url = arena_strdup(a, store_col_text(st, 2));
        out[m].attempts = (int)store_col_int(st, 3);
        m++;
    }
    alert_stmt_finish(st, rc);
    store_release(c);
    *n = m;
    return rc < 0 ? rc : 0;
}

static int record_attempt(struct store *s, const struct due *d, const struct surv_webhook_options *o,
                          long status, const char *error, int64_t now_s, struct yl_err *err)
{
    int attempt = d->attempts + 1;
    bool ok = status >= 200 && status <= 299;
    const char *state = ok ? "delivered" : attempt >= o->max_attempts ? "failed" : "pending";
    /* 1, 2, 4 … seconds after the failed attempt, at most backoff_max_s. */
    int64_t wait = 1;
    for (int i = 1; i < attempt && wait < o->backoff_max_s; i++)
        wait *= 2;
    if (wait > o->backoff_max_s)
        wait = o->backoff_max_s;
    char now[SURV_TIME_LEN];
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_ATTEMPT);
    store_bind_int(st, 1, d->id);
    store_bind_int(st, 2, attempt);
    store_bind_text(st, 3, alert_time_format(now_s, now));
    store_bind_int(st, 4, status);
    store_bind_text(st, 5, ok ? "" : error);
    rc = store_exec(st, err);
    if (rc == 0) {
        st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_UPDATE);
        store_bind_text(st, 1, state);
        store_bind_int(st, 2, attempt);
        store_bind_int(st, 3, now_s + wait);
        store_bind_int(st, 4, d->id);
        rc = store_exec(st, err);
    }
    if (rc == 0)
        rc = store_commit(c, err);
    if (rc != 0)
        store_rollback(c);
    store_release(c);
    return rc;
}

/* One round; stops between deliveries once *stop (may be NULL) is set, so a shutdown waits
 * for one POST at most, not for a batch of slow receivers. */
static int run_round(struct store *s, const struct surv_webhook_options *opt, int64_t now_s,
                     const atomic_bool *stop, struct yl_err *err)
{
    struct surv_webhook_options o = *opt;
    defaults(&o);
    pthread_once(&curl_once, curl_start);
    int rc = o.n_urls > 0 ? enqueue(s, &o, now_s, err) : 0;
    if (rc != 0)
        return rc;
    struct arena mem;
    arena_init(&mem);
    struct due due[DUE_BATCH];
    size_t n = 0;
    rc = read_due(s, now_s, &mem, due, &n, err);
    for (size_t i = 0; rc == 0 && i < n && !(stop != NULL && atomic_load(stop)); i++) {
        struct surv_alert a;
        struct yl_err e = {0};
        char error[CURL_ERROR_SIZE + 32] = "";
        long status = 0;
        if (surv_alert_get(s, NULL, due[i].alert_id, &mem, &a, &e) != 0) {
            snprintf(error, sizeof(error), "alert unreadable: %s", yl_err_message(&e));
        } else {
            /* The receiver hears the alert and its signals, not the notes or people. */
            a.notes = NULL;
            a.history = NULL;
            a.assignee = "";
            json_t *body = json_object();
            json_object_set_new(body, "event", json_string("alert"));
            json_object_set_new(body, "alert", surv_alert_json(&a));
            char *text = json_dumps(body, JSON_COMPACT);
            json_decref(body);
            status = post(due[i].url, text, o.timeout_ms, error, sizeof(error));
            free(text);
        }
        rc = record_attempt(s, &due[i], &o, status, error, now_s, err);
    }
    arena_release(&mem);
    return rc;
}

int surv_webhooks_run_once(struct store *s, const struct surv_webhook_options *opt,
                           int64_t now_s, struct yl_err *err)
{
    return run_round(s, opt, now_s, NULL, err);
}

/* --- the worker thread ---------------------------------------------------------------- */

struct surv_webhooks {
    struct store *store;
    struct surv_webhook_options opt;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop;       /* read by the round between deliveries, without the lock */
};

static void *worker(void *arg)
{
    struct surv_webhooks *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!atomic_load(&w->stop)) {
        pthread_mutex_unlock(&w->mu);
        struct yl_err err = {0};
        if (run_round(w->store, &w->opt, (int64_t)time(NULL), &w->stop, &err) != 0)
            fprintf(stderr, "yilian: webhooks: %s\n", yl_err_message(&err));
        pthread_mutex_lock(&w->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += w->opt.poll_ms / 1000;
        until.tv_nsec += (long)(w->opt.poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!atomic_load(&w->stop))
            pthread_cond_timedwait(&w->cv, &w->mu, &until);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct surv_webhooks *surv_webhooks_start(struct store *s, const struct surv_webhook_options *o)
{
    struct surv_webhooks *w = xcalloc(1, sizeof(*w));
    atomic_init(&w->stop, false);
    w->store = s;
    w->opt = *o;
    defaults(&w->opt);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_once(&curl_once, curl_start);
    if (pthread_create(&w->thread, NULL, worker, w) != 0) {
        fprintf(stderr, "yilian: webhooks: cannot start the worker thread\n");
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return NULL;
    }
    return w;
}

void surv_webhooks_stop(struct surv_webhooks *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stop, true);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

int surv_webhook_log(struct store *s, const struct acct_principal *who, int64_t before,
                     int limit, struct arena *a, struct surv_delivery_log **out, size_t *n,
                     struct yl_err *err)
{
    if (who != NULL && who->role != ROLE_ADMIN)
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "only an admin reads the webhook log");
    struct surv_delivery_log *v = arena_zalloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(*v));
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_WEBHOOK_LOG);
    store_bind_int(st, 1, before);
    store_bind_int(st, 2, before);
    store_bind_int(st, 3, limit);
    int rc;
    size_t m = 0;
    while ((rc = store_step(st, err)) == STORE_ROW && m < (size_t)limit) {
        struct surv_delivery_log *l = &v[m++];
        l->id = store_col_int(st, 0);
        l->delivery_id = store_col_int(st, 1);
        l->alert_id = store_col_int(st, 2);
        l->url = arena_strdup(a, store_col_text(st, 3));
        l->attempt = (int)store_col_int(st, 4);
        snprintf(l->at, sizeof(l->at), "%s", store_col_text(st, 5));
        l->http_status = (int)store_col_int(st, 6);
        l->error = arena_strdup(a, store_col_text(st, 7));
        l->state = arena_strdup(a, store_col_text(st, 8));
    }
    alert_stmt_finish(st, rc);
    store_release(c);
    *out = v;
    *n = m;
    return rc < 0 ? rc : 0;
}
