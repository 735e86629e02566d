/*
 * serve.c - yilian serve: open and migrate the store, start the audit flusher and the HTTP
 * server, wait for SIGTERM or SIGINT, then stop in order: no new requests, open requests
 * finish, queued audit records are written, the store closes.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "alerts/alerts.h"
#include "alerts/detection.h"
#include "api/api.h"
#include "audit/audit.h"
#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "access/access.h"
#include "core/mem.h"
#include "indicators/indicators.h"
#include "pindex/pindex.h"
#include "services/services.h"
#include "services/worklist.h"
#include "store/store.h"
#include "surveil/surveil.h"

static bool is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* An empty database gets one admin, whose password is printed once. */
static int ensure_admin(struct acct *a, struct store *s)
{
    struct acct_user one;
    struct yl_err err = {0};
    int n = acct_user_list(a, 0, "", 1, &one, &err);
    if (n != 0)
        return n < 0 ? cli_fail(&err) : 0;
    char password[17];
    acct_password_generate(password);
    struct acct_user_input in = {"admin", password, "Commission administrator", "admin",
                                 "region"};
    struct audit_actor by = {0, "serve", "admin", "cli"};
    if (acct_user_create(a, &in, &by, NULL, &err) != 0)
        return cli_fail(&err);
    printf("created the first account: user \"admin\", password \"%s\"\n", password);
    printf("change it after logging in (PUT /api/me/password)\n");
    return 0;
}

/* Load the population index, timing it: the figure an operator watches as the region
 * grows. */
static int load_index(struct pidx *index, struct store *s)
{
    struct yl_err err = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (pidx_load(index, s, &err) != 0)
        return cli_fail(&err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    size_t n = pidx_resident_count(index);
    size_t bytes = pidx_memory(index, NULL, NULL);
    printf("index: %zu residents in %.2f s, %zu bytes/resident\n", n,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           n > 0 ? bytes / n : (size_t)0);
    fflush(stdout);
    return 0;
}

/* Wait for a stop signal; meanwhile, every two seconds, look whether a writer outside this
 * process (a CLI import) moved the change epoch, and reload the index when it did. The
 * reload builds a new index beside the live one and swaps it in, so requests go on. */
/* The nightly detection: when the region's day turns, the detectors judge every series
 * over the week that just ended (the imports and API writes judged their own series when
 * they came; this catches what they could not, such as a day with no report at all). */
static void nightly_detection(struct store *s, const struct surv_catalog *cat,
                              const struct surv_rules *rules, int32_t today)
{
    static const struct audit_actor who = {0, "nightly", "admin", "server"};
    struct surv_detect_env env = {.catalog = cat, .rules = rules, .by = &who,
                                  .now_s = (int64_t)time(NULL), .today = today};
    struct surv_detect_result r;
    struct yl_err err = {0};
    int32_t to = date_add_days(today, -1), from = date_add_days(today, -SURV_DETECT_NIGHTLY_DAYS);
    if (surv_detect_all(s, &env, from, to, &r, &err) != 0)
        fprintf(stderr, "yilian: nightly detection failed: %s\n", yl_err_message(&err));
    else
        printf("detection: %zu series judged, %zu alarms, %zu new signals, %zu alerts raised, "
               "%zu extended\n", r.series, r.alarms, r.ingest.new_signals, r.ingest.new_alerts,
               r.ingest.extended);
    fflush(stdout);
}

static int wait_and_watch(const sigset_t *stop, struct store *s, struct pidx *index,
                          struct svc_live_roster *roster, const struct api_app *app)
{
    struct yl_err err = {0};
    int64_t seen = 0;
    int32_t day = date_today();
    pidx_epoch_get(s, &seen, &err);
    for (;;) {
        struct timespec every = {2, 0};
        int sig = sigtimedwait(stop, NULL, &every);
        if (sig > 0)
            return sig;
        if (date_today() != day) {
            day = date_today();
            if (app->surveil != NULL && app->alert_rules != NULL)
                nightly_detection(s, app->surveil, app->alert_rules, day);
        }
        int64_t now = seen;
        yl_err_clear(&err);
        if (pidx_epoch_get(s, &now, &err) == 0 && now != seen) {
            seen = now;
            printf("index: the database was changed by another process; reloading\n");
            if (load_index(index, s) != 0)
                fprintf(stderr, "yilian: the index keeps its previous contents\n");
            svc_live_roster_rebuild(roster, index, date_today());
        } else if (svc_live_roster_stale(roster, date_today())) {
            /* A new day (contracts begin and end) or many residents written since. */
            svc_live_roster_rebuild(roster, index, date_today());
        }
    }
}

/* The alert_webhooks setting as URLs (into `copy`, split in place; at most cap). */
static int webhook_urls(const char *list, char *copy, const char **urls, size_t cap,
                        size_t *n, struct yl_err *err)
{
    *n = 0;
    snprintf(copy, strlen(list) + 1, "%s", list);
    char *save = NULL;
    for (char *u = strtok_r(copy, ", \t", &save); u != NULL; u = strtok_r(NULL, ", \t", &save)) {
        if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
            return yl_err_set(err, YL_EINVAL, "alert_webhooks",
                              "webhook \"%s\" is not an http or https URL", u);
        if (*n == cap)
            return yl_err_set(err, YL_EINVAL, "alert_webhooks",
                              "alert_webhooks names more than %zu URLs", cap);
        urls[(*n)++] = u;
    }
    return 0;
}

int cli_serve(struct cli_config *c, int argc, char **argv)
{
    if (argc != 0) {
        fprintf(stderr, "usage: yilian serve [--config FILE] [--db FILE] [--port N] ...\n");
        return 2;
    }
    /* Block the stop signals before any thread starts, so every thread inherits the mask
     * and only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    int lock = cli_db_lock(c->db);
    if (lock < 0) {
        fprintf(stderr, "yilian: %s is already served by another yilian\n", c->db);
        return 1;
    }
    struct store *s = cli_open_store(c);
    if (s == NULL) {
        close(lock);
        return 1;
    }
    struct acct_options aopt = {
        .idle_timeout_s = c->idle_timeout_s,
        .lifetime_s = c->session_lifetime_s,
        .max_failures = c->login_max_failures,
    };
    /* The protocol is read before anything serves: a bad local file stops the start with
     * the loader's "FILE:LINE: column: message" rather than serving wrong care plans. */
    struct svc_protocol *protocol = NULL;
    struct yl_err perr = {0};
    struct ind_catalog *catalog = NULL;
    struct surv_catalog *surveil = NULL;
    struct surv_rules *rules = NULL;
    if (cli_protocol_load(c, &protocol, &perr) != 0 ||
        cli_indicator_catalog(c, protocol, &catalog, &perr) != 0 ||
        cli_surveil_catalog(c, &surveil, &perr) != 0 ||
        cli_alert_rules_load(c, &rules, &perr) != 0) {
        svc_protocol_free(protocol);
        ind_catalog_free(catalog);
        surv_catalog_free(surveil);
        store_close(s);
        close(lock);
        return cli_fail(&perr);
    }
    /* Webhook URLs are checked before anything serves, like the protocol. */
    const char *hook_urls[16];
    size_t n_hooks = 0;
    const char *hook_list = c->alert_webhooks ? c->alert_webhooks : "";
    char *hook_copy = xmalloc(strlen(hook_list) + 1);
    if (webhook_urls(hook_list, hook_copy, hook_urls, 16, &n_hooks, &perr) != 0) {
        free(hook_copy);
        surv_rules_free(rules);
        surv_catalog_free(surveil);
        ind_catalog_free(catalog);
        svc_protocol_free(protocol);
        store_close(s);
        close(lock);
        return cli_fail(&perr);
    }
    struct acct *a = acct_new(s, &aopt);
    int rc = ensure_admin(a, s);
    struct audit_log *log = audit_log_new(s, c->audit_flush_ms);
    struct yl_err err = {0};
    struct api_app app = {
        .store = s,
        .acct = a,
        .audit = log,
        .version = YILIAN_VERSION,
        .started = time(NULL),
        .schema_version = store_schema_version(s, &err),
        .protocol = protocol,
        .indicators = catalog,
        .surveil = surveil,
        .alert_rules = rules,
    };
    /* The population index is built before the first request, so every indicator and
     * worklist answers from a complete index; writes keep it current from then on. */
    struct pidx *index = pidx_new();
    pidx_set_protocol(index, protocol);
    if (rc == 0)
        rc = load_index(index, s);
    app.index = index;
    /* Worklists find a team's residents from the roster instead of walking the region. */
    struct svc_live_roster *roster = svc_live_roster_new();
    if (rc == 0)
        svc_live_roster_rebuild(roster, index, date_today());
    app.roster = roster;
    /* The road graph next to the database, mapped read-only for the server's lifetime. */
    struct acc_graph *roads = NULL;
    char roads_path[4096];
    snprintf(roads_path, sizeof(roads_path), "%s.roads", c->db);
    struct yl_err rerr = {0};
    if (acc_graph_load(roads_path, &roads, &rerr) != 0 && rerr.code != YL_ENOTFOUND)
        fprintf(stderr, "yilian: road graph not loaded (access endpoints answer 503): %s\n",
                yl_err_message(&rerr));
    app.roads = roads;
    /* The live stream of new alerts: the hub the stream handler attaches to. */
    struct http_events *alert_hub = http_events_new();
    app.alert_events = alert_hub;
    struct http_options hopt = {
        .listen = c->listen,
        .port = c->port,
        .threads = c->threads,
        .web_root = c->web_root,
        .tls_cert = c->tls_cert,
        .tls_key = c->tls_key,
        .limits = {.max_body = (size_t)c->max_body,
                   .max_json_depth = c->max_json_depth,
                   .max_string = (size_t)c->max_string},
        .log_requests = c->log_requests,
    };
    size_t n_routes;
    const struct http_route *routes = api_routes(&n_routes);
    struct http_server *srv = NULL;
    if (rc == 0) {
        srv = http_server_start(&hopt, routes, n_routes, api_authorize, &app, &err);
        if (srv == NULL)
            rc = cli_fail(&err);
    }
    struct api_alert_feed *feed = NULL;
    struct surv_webhooks *hooks = NULL;
    if (srv != NULL) {
        feed = api_alert_feed_start(s, alert_hub);
        struct surv_webhook_options wo = {.urls = hook_urls, .n_urls = n_hooks,
                                          .max_attempts = c->alert_webhook_attempts};
        if (n_hooks > 0)
            hooks = surv_webhooks_start(s, &wo);
    }
    if (srv != NULL) {
        const char *scheme = http_server_is_tls(srv) ? "https" : "http";
        printf("yilian %s listening on %s://%s:%d (database %s)\n", YILIAN_VERSION, scheme,
               c->listen, http_server_port(srv), c->db);
        if (!http_server_is_tls(srv) && !is_loopback(c->listen))
            fprintf(stderr, "yilian: WARNING: serving personal health data over plain HTTP on "
                            "%s; set tls_cert and tls_key, or listen on 127.0.0.1 behind a "
                            "TLS proxy\n", c->listen);
        fflush(stdout);
        int sig = wait_and_watch(&stop, s, index, roster, &app);
        printf("yilian: %s received, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        fflush(stdout);
    }
    /* Streams end before the server stops, so its shutdown does not wait for them. */
    api_alert_feed_stop(feed);
    http_events_close(alert_hub);
    surv_webhooks_stop(hooks);
    http_server_stop(srv);
    http_events_free(alert_hub);
    free(hook_copy);
    svc_live_roster_free(roster);
    acc_graph_free(roads);
    pidx_free(index);
    ind_catalog_free(catalog);
    surv_catalog_free(surveil);
    surv_rules_free(rules);
    svc_protocol_free(protocol);
    audit_log_free(log);
    acct_free(a);
    store_close(s);
    close(lock);
    return rc;
}
