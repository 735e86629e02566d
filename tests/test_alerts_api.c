/*
 * test_alerts_api.c - alerts over the API (issue 6): the list with its filters and paging,
 * one alert with its signals, notes and history, every action and its refusals (an analyst
 * lists but may not act: 403; an epidemiologist outside the subtree: 404; dismiss without
 * a reason: 400; a refused transition: 409 naming the state), the indicators, the webhook
 * log for the admin only, and the live stream: an event read within a second of the alert
 * being raised, and none for a stream scoped to another township.
 *
 * One server for the file; tests run in file order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "core/date.h"
#include "core/err.h"
#include "support.h"
#include "test.h"

#define T1 "222404001"
#define T2 "222404002"

static struct ts_server srv;
static bool srv_up;
static struct http_events *hub;
static struct api_alert_feed *feed;
static struct surv_rules *rules;
static char tok_admin[ACCT_TOKEN_HEX], tok_epi[ACCT_TOKEN_HEX], tok_epi_t2[ACCT_TOKEN_HEX];
static char tok_analyst[ACCT_TOKEN_HEX], tok_doctor[ACCT_TOKEN_HEX];
static struct ts_response R;
static const struct audit_actor actor = {0, "test", "admin", "test"};
static int64_t epi_id;

static bool plague(void *cls, const char *code)
{
    return strcmp(code, "plague") == 0;
}

/* Raise one class A alert in township `ou` on day offset d; returns how many were new. */
static size_t raise_alert(const char *ou, int d)
{
    struct surv_signal s = {0};
    s.kind = SURV_SRC_DISEASE;
    s.code = "plague";
    s.ou = ou;
    s.day = date_from_ymd(2026, 5, 1) + d;
    s.method = "threshold";
    s.count = 1;
    s.expected = 0;
    s.upper = 1;
    s.score = 1;
    struct surv_ingest_result res = {0};
    struct yl_err err = {0};
    if (surv_signals_ingest(srv.store, rules, plague, NULL, &s, 1, &actor, (int64_t)time(NULL),
                            &res, &err) != 0)
        fprintf(stderr, "    ingest: %s\n", yl_err_message(&err));
    return res.new_alerts;
}

static bool up(void)
{
    if (srv_up)
        return true;
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return false;
    struct yl_err err = {0};
    if (surv_rules_load("data/alert-rules.csv", &rules, &err) != 0) {
        fprintf(stderr, "    rules: %s\n", yl_err_message(&err));
        return false;
    }
    hub = http_events_new();
    srv.app.alert_events = hub;
    feed = api_alert_feed_start(srv.store, hub);
    struct acct_user u;
    if (ts_user_add(&srv, "epi", "epi-password-1", "epidemiologist", "ou:" T1) != 0 ||
        ts_user_add(&srv, "epi2", "epi-password-1", "epidemiologist", "ou:" T2) != 0 ||
        ts_user_add(&srv, "analyst", "ana-password-1", "analyst", "region") != 0 ||
        ts_user_add(&srv, "doctor", "doc-password-1", "family_doctor", "team:1") != 0 ||
        acct_user_find(srv.acct, "epi", &u, &err) != 0)
        return false;
    epi_id = u.id;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 ||
        ts_login(srv.port, "epi", "epi-password-1", tok_epi) != 200 ||
        ts_login(srv.port, "epi2", "epi-password-1", tok_epi_t2) != 200 ||
        ts_login(srv.port, "analyst", "ana-password-1", tok_analyst) != 200 ||
        ts_login(srv.port, "doctor", "doc-password-1", tok_doctor) != 200)
        return false;
    srv_up = true;
    return true;
}

static int get(const char *path, const char *tok)
{
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    return ts_get(srv.port, path, tok, &R) == 0 ? R.status : -1;
}

static int post(const char *path, const char *tok, const char *body)
{
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    int rc = body ? ts_post(srv.port, path, tok, body, &R)
                  : ts_request(srv.port, "POST", path, tok, NULL, NULL, 0, &R);
    return rc == 0 ? R.status : -1;
}

static const char *str_at(const char *key)
{
    json_t *v = R.json ? json_object_get(R.json, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : "";
}

static size_t items(void)
{
    json_t *v = R.json ? json_object_get(R.json, "items") : NULL;
    return json_is_array(v) ? json_array_size(v) : (size_t)-1;
}

/* ------------------------------------------------------------------ reading */

TEST(list_filters_scope_and_paging)
{
    CHECK(up());
    CHECK_INT(raise_alert(T1, 0), 1);   /* alert 1 */
    CHECK_INT(raise_alert(T2, 0), 1);   /* alert 2 */
    CHECK_INT(raise_alert(T1, 30), 1);  /* alert 3 */
    CHECK_INT(get("/api/alerts", tok_admin), 200);
    CHECK_INT(items(), 3);
    CHECK_INT(get("/api/alerts?limit=2", tok_admin), 200);
    CHECK_INT(items(), 2);
    char next[128];
    snprintf(next, sizeof(next), "/api/alerts?limit=2&cursor=%s", str_at("next"));
    CHECK_INT(get(next, tok_admin), 200);
    CHECK_INT(items(), 1);
    CHECK(json_is_null(json_object_get(R.json, "next")));
    CHECK_INT(get("/api/alerts?ou=" T2 "&level=red&state=open&disease=plague", tok_admin), 200);
    CHECK_INT(items(), 1);
    CHECK_INT(get("/api/alerts?level=blue", tok_admin), 200);
    CHECK_INT(items(), 0);
    /* The epidemiologist of T1 sees T1's two. */
    CHECK_INT(get("/api/alerts", tok_epi), 200);
    CHECK_INT(items(), 2);
    CHECK_INT(get("/api/alerts?ou=" T2, tok_epi), 200);
    CHECK_INT(items(), 0);
    CHECK_INT(get("/api/alerts", tok_analyst), 200);
    CHECK_INT(items(), 3);
    CHECK_INT(get("/api/alerts?level=purple", tok_admin), 400);
    CHECK_STR(ts_err_field(&R), "level");
    /* A family doctor reads aggregates but no alerts. */
    CHECK_INT(get("/api/alerts", tok_doctor), 403);
    CHECK_INT(get("/api/alerts", NULL), 401);
}

TEST(get_one_with_signals_and_history)
{
    CHECK(up());
    CHECK_INT(get("/api/alerts/1", tok_epi), 200);
    CHECK_STR(str_at("level"), "red");
    CHECK_STR(str_at("rule"), "class-a");
    CHECK_STR(str_at("state"), "open");
    CHECK_INT(json_array_size(json_object_get(R.json, "signals")), 1);
    CHECK_INT(json_array_size(json_object_get(R.json, "history")), 1);
    CHECK_INT(get("/api/alerts/2", tok_epi), 404);
    CHECK_INT(get("/api/alerts/999", tok_admin), 404);
    CHECK_INT(get("/api/alerts/x", tok_admin), 404);
}

/* ------------------------------------------------------------------ acting */

TEST(workflow_over_the_api)
{
    CHECK(up());
    char body[128];
    snprintf(body, sizeof(body), "{\"assignee\": %lld}", (long long)epi_id);
    CHECK_INT(post("/api/alerts/1/assign", tok_admin, body), 200);
    CHECK_STR(str_at("assignee"), "epi");
    CHECK_INT(post("/api/alerts/1/confirm", tok_epi,
                   "{\"responders\": \"county CDC\", \"actions\": \"isolation\"}"),
              409);
    CHECK_STR(ts_err_field(&R), "state");
    CHECK_CONTAINS(R.body, "the alert is open");
    CHECK_INT(post("/api/alerts/1/verify", tok_epi, NULL), 200);
    CHECK_STR(str_at("state"), "verifying");
    CHECK_INT(post("/api/alerts/1/notes", tok_epi, "{\"text\": \"samples sent\"}"), 201);
    CHECK_INT(json_array_size(json_object_get(R.json, "notes")), 1);
    CHECK_INT(post("/api/alerts/1/confirm", tok_epi, "{\"responders\": \"county CDC\"}"), 400);
    CHECK_STR(ts_err_field(&R), "actions");
    CHECK_INT(post("/api/alerts/1/confirm", tok_epi,
                   "{\"responders\": \"county CDC\", \"actions\": \"isolation\"}"),
              200);
    CHECK_STR(str_at("state"), "confirmed");
    CHECK(json_is_integer(json_object_get(R.json, "verify_s")));
    /* Dismissing needs a reason; an unknown field is refused. */
    CHECK_INT(post("/api/alerts/3/dismiss", tok_epi, "{}"), 400);
    CHECK_STR(ts_err_field(&R), "reason");
    CHECK_INT(post("/api/alerts/3/dismiss", tok_epi, "{\"why\": \"x\"}"), 400);
    CHECK_INT(post("/api/alerts/3/dismiss", tok_epi, "{\"reason\": \"duplicate report\"}"), 200);
    CHECK_STR(str_at("state"), "dismissed");
    CHECK_INT(post("/api/alerts/3/verify", tok_epi, NULL), 409);
    CHECK_CONTAINS(R.body, "the alert is dismissed");
}

TEST(scope_refusals_over_the_api)
{
    CHECK(up());
    /* The analyst lists but may not act; the other township's epidemiologist gets 404. */
    CHECK_INT(post("/api/alerts/2/verify", tok_analyst, NULL), 403);
    CHECK_INT(post("/api/alerts/2/notes", tok_analyst, "{\"text\": \"x\"}"), 403);
    CHECK_INT(post("/api/alerts/2/verify", tok_epi, NULL), 404);
    CHECK_INT(post("/api/alerts/2/verify", tok_epi_t2, NULL), 200);
    /* What the analyst reads of an alert has no people and no free text. */
    CHECK_INT(get("/api/alerts/1", tok_analyst), 200);
    CHECK(json_is_null(json_object_get(R.json, "assignee")));
    CHECK_STR(str_at("responders"), "(withheld)");
    CHECK(json_object_get(R.json, "notes") == NULL);
    /* The audit trail holds every action. */
    CHECK(ts_sql_count(srv.db, "SELECT COUNT(*) FROM audit WHERE resource_type = 'alert'"
                               " AND action IN ('assign', 'verify', 'note', 'confirm',"
                               " 'dismiss') AND outcome = 'ok'") >= 6);
}

TEST(indicators_over_the_api)
{
    CHECK(up());
    CHECK_INT(get("/api/alerts/indicators", tok_analyst), 200);
    CHECK_INT(json_integer_value(json_object_get(R.json, "total")), 3);
    CHECK_INT(json_integer_value(json_object_get(R.json, "closed")), 2);
    CHECK_INT(json_integer_value(json_object_get(R.json, "verified_24h")), 2);
    CHECK_INT(json_integer_value(json_object_get(
                  json_object_get(json_object_get(R.json, "by_level_state"), "red"),
                  "verifying")),
              1);
    CHECK_INT(get("/api/alerts/indicators?ou=" T2, tok_analyst), 200);
    CHECK_INT(json_integer_value(json_object_get(R.json, "total")), 1);
    CHECK(json_is_null(json_object_get(R.json, "median_verify_s")));
    CHECK_INT(get("/api/alerts/indicators?period=2026-13", tok_analyst), 400);
    CHECK_STR(ts_err_field(&R), "period");
}

TEST(webhook_log_admin_only)
{
    CHECK(up());
    CHECK_INT(get("/api/alerts/webhooks/log", tok_admin), 200);
    CHECK_INT(items(), 0);
    CHECK_INT(get("/api/alerts/webhooks/log", tok_epi), 403);
    CHECK_INT(get("/api/alerts/webhooks/log", tok_analyst), 403);
}

/* ------------------------------------------------------------------ the live stream */

static int open_stream(const char *token)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)srv.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    char req[256];
    int n = snprintf(req, sizeof(req),
                     "GET /api/alerts/stream HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n",
                     token);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read from fd into buf (appending) until `needle` appears or ms pass: true when found. */
static bool read_until(int fd, char *buf, size_t cap, const char *needle, int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (strstr(buf, needle) != NULL)
            return true;
        clock_gettime(CLOCK_MONOTONIC, &t);
        int left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0)
            return false;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, left) <= 0)
            return strstr(buf, needle) != NULL;
        size_t len = strlen(buf);
        if (len + 1 >= cap)
            return false;
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            return false;
        buf[len + (size_t)n] = '\0';
    }
}

TEST(stream_delivers_a_new_alert_within_a_second)
{
    CHECK(up());
    /* The alerts of the tests above were raised after the feed started, perhaps within
     * one of its polls: let it publish them before the streams open. */
    usleep(600 * 1000);
    int fd = open_stream(tok_epi);
    int other = open_stream(tok_epi_t2);
    CHECK(fd >= 0 && other >= 0);
    static char buf[16384], buf2[16384];
    buf[0] = buf2[0] = '\0';
    CHECK(read_until(fd, buf, sizeof(buf), ": connected", 2000));
    CHECK_CONTAINS(buf, "text/event-stream");
    CHECK(read_until(other, buf2, sizeof(buf2), ": connected", 2000));
    CHECK_INT(http_events_count(hub), 2);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(raise_alert(T1, 60), 1);
    CHECK(read_until(fd, buf, sizeof(buf), "\n\n", 1000) &&
          read_until(fd, buf, sizeof(buf), "event: alert", 1000));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("    event after %.3f s\n", s);
    CHECK(s < 1.0);
    CHECK(read_until(fd, buf, sizeof(buf), "\"ou\":\"" T1 "\"", 500));
    CHECK_CONTAINS(buf, "\"level\":\"red\"");
    /* The stream of T2's epidemiologist did not hear T1's alert. */
    CHECK(!read_until(other, buf2, sizeof(buf2), "event: alert", 400));
    close(fd);
    close(other);
    /* The analyst may stream (counts and places); the family doctor may not. */
    CHECK_INT(get("/api/alerts/stream", tok_doctor), 403);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

TEST(many_streams_many_events_clients_leaving)
{
    CHECK(up());
    enum { STREAMS = 10, EVENTS = 200 };
    /* The streams of the test above were closed by their clients: a ping finds out. */
    for (int k = 0; k < 50 && http_events_count(hub) > 0; k++) {
        http_events_ping(hub);
        usleep(20 * 1000);
    }
    CHECK_INT(http_events_count(hub), 0);
    int fd[STREAMS];
    static char buf[STREAMS][65536];
    for (int i = 0; i < STREAMS; i++) {
        fd[i] = open_stream(tok_admin);
        buf[i][0] = '\0';
        CHECK(fd[i] >= 0 && read_until(fd[i], buf[i], sizeof(buf[i]), ": connected", 2000));
    }
    CHECK_INT(http_events_count(hub), STREAMS);
    /* Half the clients go away; publishing goes on, and the server notices them. */
    for (int i = 0; i < STREAMS / 2; i++)
        close(fd[i]);
    for (int e = 0; e < EVENTS; e++) {
        char data[64];
        snprintf(data, sizeof(data), "{\"n\":%d}", e);
        http_events_publish(hub, 1000 + e, "test", T1, data);
    }
    for (int i = STREAMS / 2; i < STREAMS; i++) {
        char last[32];
        snprintf(last, sizeof(last), "{\"n\":%d}", EVENTS - 1);
        CHECK(read_until(fd[i], buf[i], sizeof(buf[i]), last, 3000));
        CHECK_INT(count_of(buf[i], "event: test"), EVENTS);
        close(fd[i]);
    }
    int left = STREAMS;
    for (int k = 0; k < 50 && left > 0; k++) {
        http_events_ping(hub);
        usleep(20 * 1000);
        left = http_events_count(hub);
    }
    CHECK_INT(left, 0);
    CHECK_INT(get("/api/health", NULL), 200);
}

TEST(stop_ends_open_streams)
{
    CHECK(up());
    int fd = open_stream(tok_analyst);
    static char buf[4096];
    buf[0] = '\0';
    CHECK(read_until(fd, buf, sizeof(buf), ": connected", 2000));
    api_alert_feed_stop(feed);
    http_events_close(hub);
    /* A closed hub ends the stream: the chunked body's last chunk arrives. */
    CHECK(read_until(fd, buf, sizeof(buf), "0\r\n\r\n", 2000));
    close(fd);
    ts_server_stop(&srv);
    http_events_free(hub);
    surv_rules_free(rules);
    ts_response_free(&R);
    srv_up = false;
}

TEST_MAIN()
