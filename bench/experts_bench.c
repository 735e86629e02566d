/*
 * experts_bench.c - booking throughput of expert sessions under concurrent load (issue 5,
 * "Benchmark"): an in-process server on a temporary database, T client threads each sending
 * one HTTP request per booking (a new connection each, as a browser form would), spread over
 * S sessions of C places so that every session is fought over. Prints bookings/s, requests/s
 * and the overbookings counted in the store afterwards (must be 0). Not a test.
 *
 *   make build/release/bench_experts
 *   build/release/bench_experts [threads [sessions [capacity [attempts]]]]
 *                                         default: 16 20 50 4000
 *
 * Attempt i books resident i / S + 1 into session i % S, so each resident tries each
 * session at most once and every refusal beyond the places is a "full".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "api/api.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "experts/experts.h"
#include "http/http.h"
#include "store/store.h"

#define PASSWORD "bench-password-1"

struct bench {
    int port;
    char token[ACCT_TOKEN_HEX];
    int64_t *sessions;
    int n_sessions;
    int attempts;
    atomic_int next;
    atomic_int ok, full, other;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const struct yl_err *err)
{
    fprintf(stderr, "bench_experts: %s: %s\n", what, err ? yl_err_message(err) : "failed");
    exit(1);
}

/* --- the region: one county hospital, one township center, R residents of one village -- */

static void region(const char *db_path, int residents)
{
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK)
        die("open fixtures", NULL);
    const char *fixed =
        "BEGIN;"
        "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
        " (1, '22', 'Jilin', 1, NULL, 'x'), (2, '2224', 'Yanbian', 2, 1, 'x'),"
        " (3, '222404', 'Hunchun', 3, 2, 'x'), (4, '222404001', 'Township', 4, 3, 'x'),"
        " (5, '222404001001', 'Village', 5, 4, 'x');"
        "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
        " (1, 'H1', 'County hospital', 'county_hospital', 3, 'active', 'x'),"
        " (2, 'TA', 'Township center', 'township_center', 4, 'active', 'x');"
        "INSERT INTO staff (id, code, name, role, facility_id, status, updated_at) VALUES"
        " (1, 'S-EXP', 'Expert', 'licensed_physician', 1, 'active', 'x');";
    if (sqlite3_exec(db, fixed, NULL, NULL, NULL) != SQLITE_OK)
        die("fixtures", NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                       " record_date, status, updated_at) VALUES (?, ?, 'R', 1, '1960-01-01',"
                       " 5, '2020-01-01', 'active', 'x')",
                       -1, &st, NULL);
    for (int id = 1; id <= residents; id++) {
        /* A valid, distinct ID number: the birth date moves a day per resident. */
        char day[DATE_STR_LEN], digits[32], no[IDNO_LEN + 1];
        date_format(date_add_days(date_from_ymd(1950, 1, 1), id), day);
        snprintf(digits, sizeof(digits), "222404%.4s%.2s%.2s001", day, day + 5, day + 8);
        memcpy(no, digits, 17);
        no[17] = idno_check_char(digits);
        no[18] = '\0';
        sqlite3_bind_int(st, 1, id);
        sqlite3_bind_text(st, 2, no, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("resident fixture", NULL);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("fixtures commit", NULL);
    sqlite3_close(db);
}

/* --- the client ------------------------------------------------------------------------- */

/* One POST on a new connection; the status, and whether the body names the "full" code. */
static int post(int port, const char *token, const char *path, const char *body, bool *full)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     path, token, strlen(body), body);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    char reply[4096];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof(reply) - 1 && (r = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
        got += (size_t)r;
    close(fd);
    reply[got] = '\0';
    int status = 0;
    if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    *full = strstr(reply, "\"full\"") != NULL;
    return status;
}

static void *client(void *arg)
{
    struct bench *b = arg;
    for (;;) {
        int i = atomic_fetch_add(&b->next, 1);
        if (i >= b->attempts)
            break;
        char path[64], body[64];
        snprintf(path, sizeof(path), "/api/expert-sessions/%lld/bookings",
                 (long long)b->sessions[i % b->n_sessions]);
        snprintf(body, sizeof(body), "{\"resident_id\":%d}", i / b->n_sessions + 1);
        bool full = false;
        int status = post(b->port, b->token, path, body, &full);
        if (status == 201)
            atomic_fetch_add(&b->ok, 1);
        else if (status == 409 && full)
            atomic_fetch_add(&b->full, 1);
        else
            atomic_fetch_add(&b->other, 1);
    }
    return NULL;
}

/* --- the run ---------------------------------------------------------------------------- */

static int64_t overbooked(struct store *s, const int64_t *sessions, int n, int capacity)
{
    int64_t over = 0;
    struct store_conn *c = store_acquire(s);
    for (int i = 0; i < n; i++) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_BY_ID);
        store_bind_int(st, 1, sessions[i]);
        if (store_step(st, NULL) == STORE_ROW && store_col_int(st, 13) > capacity)
            over += store_col_int(st, 13) - capacity;
        store_exec(st, NULL);
    }
    store_release(c);
    return over;
}

static int arg_int(int argc, char **argv, int i, int dflt)
{
    return argc > i ? (int)strtol(argv[i], NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
    int threads = arg_int(argc, argv, 1, 16), n_sessions = arg_int(argc, argv, 2, 20);
    int capacity = arg_int(argc, argv, 3, 50), attempts = arg_int(argc, argv, 4, 4000);
    if (threads < 1 || n_sessions < 1 || capacity < 1 || capacity > EXPERT_CAPACITY_MAX ||
        attempts < 1) {
        fprintf(stderr, "usage: bench_experts [threads [sessions [capacity [attempts]]]]\n");
        return 2;
    }
    char dir[] = "/tmp/yilian-bench-XXXXXX", db[256];
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(db, sizeof(db), "%s/experts.db", dir);

    struct yl_err err = {0};
    struct store *s;
    if (store_open(db, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0)
        die("store", &err);
    region(db, attempts / n_sessions + 1);
    struct acct *acct = acct_new(s, NULL);
    struct audit_log *audit = audit_log_new(s, 5);
    struct audit_actor sys = {0, "bench", "admin", "bench"};
    struct acct_user_input user = {"bench", PASSWORD, NULL, "admin", "region"};
    if (acct_user_create(acct, &user, &sys, NULL, &err) != 0)
        die("user", &err);

    struct bench b = {.n_sessions = n_sessions, .attempts = attempts};
    b.sessions = calloc((size_t)n_sessions, sizeof(*b.sessions));
    struct expert_who who = {NULL, &sys};
    for (int i = 0; i < n_sessions; i++) {
        struct expert_session_input in = {NULL, "S-EXP", "TA", date_add_days(date_today(), 1),
                                          "09:00", "12:00", capacity};
        if (expert_session_create(s, &in, &who, &b.sessions[i], &err) != 0)
            die("session", &err);
    }

    struct api_app app = {.store = s, .acct = acct, .audit = audit, .version = "bench"};
    struct http_options opt = {.listen = "127.0.0.1"};
    size_t n_routes;
    const struct http_route *routes = api_routes(&n_routes);
    struct http_server *http = http_server_start(&opt, routes, n_routes, api_authorize, &app, &err);
    if (http == NULL)
        die("http", &err);
    b.port = http_server_port(http);
    int64_t expires;
    int retry;
    struct acct_principal me;
    if (acct_login(acct, "bench", PASSWORD, "bench", b.token, &expires, &retry, &me, &err) != 0)
        die("login", &err);

    pthread_t *th = calloc((size_t)threads, sizeof(*th));
    double t0 = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, client, &b);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double secs = now_s() - t0;

    int64_t over = overbooked(s, b.sessions, n_sessions, capacity);
    printf("expert bookings: %d threads, %d sessions x %d places, %d attempts\n", threads,
           n_sessions, capacity, attempts);
    printf("  booked %d, full %d, other %d in %.2f s\n", atomic_load(&b.ok),
           atomic_load(&b.full), atomic_load(&b.other), secs);
    printf("  %.0f bookings/s, %.0f requests/s\n", atomic_load(&b.ok) / secs, attempts / secs);
    printf("  overbookings: %lld%s\n", (long long)over, over == 0 ? "" : "  <-- WRONG");

    http_server_stop(http);
    audit_log_free(audit);
    acct_free(acct);
    store_close(s);
    free(th);
    free(b.sessions);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_experts: could not remove %s\n", dir);
    return over == 0 && atomic_load(&b.other) == 0 ? 0 : 1;
}
