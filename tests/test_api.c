/*
 * test_api.c - end-to-end tests of the HTTP API against a real in-process server on
 * loopback with a fresh database: health, login and tokens, permissions, hostile input,
 * users, passwords, the audit trail, static files and a concurrency smoke test.
 *
 * Every password hash costs 0.1-0.5 s under ASan, so one main server is shared (started on
 * first use, stopped at exit) and users are created sparingly. Tests run in file order.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ helpers */

static struct ts_server main_srv;
static bool main_up;
static char admin_token[ACCT_TOKEN_HEX];

static void stop_main(void)
{
    if (main_up)
        ts_server_stop(&main_srv);
    main_up = false;
}

/* The shared server with a logged-in admin, or NULL when it cannot start. */
static struct ts_server *srv(void)
{
    if (!main_up) {
        if (ts_server_start(&main_srv, NULL, NULL) != 0)
            return NULL;
        main_up = true;
        atexit(stop_main);
    }
    if (admin_token[0] == '\0' &&
        ts_login(main_srv.port, "admin", TS_ADMIN_PASSWORD, admin_token) != 200)
        return NULL;
    return &main_srv;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The value of a response header (case-insensitive name) into out, or NULL. */
static const char *header(const struct ts_response *r, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    const char *p = r->headers;
    while (p != NULL && *p != '\0') {
        const char *eol = strstr(p, "\r\n");
        size_t line = eol ? (size_t)(eol - p) : strlen(p);
        if (line > len && strncasecmp(p, name, len) == 0 && p[len] == ':') {
            const char *v = p + len + 1;
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(line - (size_t)(v - p)), v);
            return out;
        }
        p = eol ? eol + 2 : NULL;
    }
    return NULL;
}

static bool is_hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static bool is_rfc3339(const char *s)
{
    static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
    if (s == NULL || strlen(s) != sizeof(form) - 1)
        return false;
    for (size_t i = 0; form[i]; i++)
        if (form[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != form[i])
            return false;
    return true;
}

static int64_t user_id(struct ts_server *s, const char *name)
{
    struct acct_user u;
    if (acct_user_find(s->acct, name, &u, NULL) != 0)
        return 0;
    return u.id;
}

static int req_json(int port, const char *method, const char *path, const char *token,
                    const char *json, struct ts_response *out)
{
    return ts_request(port, method, path, token, NULL, json, strlen(json), out);
}

/* GET /api/health answers 200 "ok": the server survived whatever came before. */
static bool healthy(int port)
{
    struct ts_response r;
    int rc = ts_get(port, "/api/health", NULL, &r);
    const char *status = jstr(r.json, "status");
    bool ok = rc == 0 && r.status == 200 && status != NULL && strcmp(status, "ok") == 0;
    ts_response_free(&r);
    return ok;
}

/* ------------------------------------------------------------------ health */

TEST(health_needs_no_token)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response r;
    CHECK_INT(ts_get(s->port, "/api/health", NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "ok");
    CHECK_STR(jstr(r.json, "version"), "test");
    char v[128];
    CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "application/json");
    CHECK_STR(header(&r, "Cache-Control", v, sizeof(v)), "no-store");
    ts_response_free(&r);
}

TEST(health_head_has_no_body)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response r;
    CHECK_INT(ts_request(s->port, "HEAD", "/api/health", NULL, NULL, NULL, 0, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.body_len, 0);
    ts_response_free(&r);
}

/* ------------------------------------------------------------------ login */

TEST(login_right_password)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response r;
    CHECK_INT(ts_post(s->port, "/api/login", NULL,
                      "{\"username\":\"admin\",\"password\":\"" TS_ADMIN_PASSWORD "\"}", &r),
              0);
    CHECK_INT(r.status, 200);
    CHECK(is_hex64(jstr(r.json, "token")));
    CHECK(is_rfc3339(jstr(r.json, "expires_at")));
    json_t *user = json_object_get(r.json, "user");
    CHECK_STR(jstr(user, "role"), "admin");
    CHECK_STR(jstr(user, "username"), "admin");
    CHECK_STR(jstr(user, "scope"), "region");
    CHECK(strstr(r.body, TS_ADMIN_PASSWORD) == NULL);
    ts_response_free(&r);
}

TEST(login_wrong_password_and_unknown_user_look_alike)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response a, b;
    CHECK_INT(ts_post(s->port, "/api/login", NULL,
                      "{\"username\":\"admin\",\"password\":\"not-the-password\"}", &a),
              0);
    CHECK_INT(ts_post(s->port, "/api/login", NULL,
                      "{\"username\":\"nobody\",\"password\":\"not-the-password\"}", &b),
              0);
    CHECK_INT(a.status, 401);
    CHECK_STR(ts_err_code(&a), "unauthorized");
    CHECK_INT(b.status, 401);
    CHECK_STR(ts_err_code(&b), "unauthorized");
    json_t *ea = json_object_get(a.json, "error"), *eb = json_object_get(b.json, "error");
    CHECK(jstr(ea, "message") != NULL);
    CHECK_STR(jstr(ea, "message"), jstr(eb, "message"));
    ts_response_free(&a);
    ts_response_free(&b);
    /* A success clears the failure count of this client address. */
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "admin", TS_ADMIN_PASSWORD, tok), 200);
}

TEST(login_disabled_user)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK_INT(ts_user_add(s, "dora", "dora-password-1", "analyst", "region"), 0);
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "dora", "dora-password-1", tok), 200);
    int64_t id = user_id(s, "dora");
    CHECK(id > 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/users/%lld", (long long)id);
    struct ts_response r;
    CHECK_INT(req_json(s->port, "PATCH", path, admin_token, "{\"disabled\":true}", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "disabled")));
    ts_response_free(&r);
    /* Disabling ends the open session and refuses the next login. */
    CHECK_INT(ts_get(s->port, "/api/me", tok, &r), 0);
    CHECK_INT(r.status, 401);
    ts_response_free(&r);
    CHECK_INT(ts_post(s->port, "/api/login", NULL,
                      "{\"username\":\"dora\",\"password\":\"dora-password-1\"}", &r),
              0);
    CHECK_INT(r.status, 401);
    CHECK_STR(ts_err_code(&r), "unauthorized");
    ts_response_free(&r);
    CHECK_INT(ts_login(s->port, "admin", TS_ADMIN_PASSWORD, tok), 200);
}

TEST(login_bad_bodies_name_the_field)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    static const struct {
        const char *body;
        const char *code;
        const char *field;
    } cases[] = {
        {"{\"username\":1,\"password\":\"x\"}", "invalid_field", "username"},
        {"{\"username\":\"admin\",\"password\":\"" TS_ADMIN_PASSWORD "\",\"otp\":\"1\"}",
         "invalid_field", "otp"},
        {"{\"username\":\"admin\"}", "invalid_field", "password"},
        {"{\"username\":\"admin\",\"password\":null}", "invalid_field", "password"},
        {"{\"username\":\"admin\",\"password\":[\"x\"]}", "invalid_field", "password"},
        {"{\"password\":\"x\"}", "invalid_field", "username"},
        {"{}", "invalid_field", "username"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_response r;
        CHECK_INT(ts_post(s->port, "/api/login", NULL, cases[i].body, &r), 0);
        if (r.status != 400)
            fprintf(stderr, "    case %zu: %s\n", i, r.body);
        CHECK_INT(r.status, 400);
        CHECK_STR(ts_err_code(&r), cases[i].code);
        CHECK_STR(ts_err_field(&r), cases[i].field);
        ts_response_free(&r);
    }
}

/* After max_failures wrong passwords even the right one is refused for a while, at login
 * and at a password change alike, and the answer says how long to wait. */
TEST(login_throttled_with_retry_after)
{
    struct ts_server ts;
    struct acct_options ao = {0};
    ao.max_failures = 2;
    CHECK_INT(ts_server_start(&ts, NULL, &ao), 0);
    char tok[ACCT_TOKEN_HEX], tok2[ACCT_TOKEN_HEX];
    int ok = ts_login(ts.port, "admin", TS_ADMIN_PASSWORD, tok);
    /* The second failure locks for 1 s, far longer than the next two requests take. */
    int bad1 = ts_login(ts.port, "admin", "wrong-password-1", tok2);
    int bad2 = ts_login(ts.port, "admin", "wrong-password-2", tok2);
    struct ts_response a, b;
    int rc_a = ts_post(ts.port, "/api/login", NULL,
                       "{\"username\":\"admin\",\"password\":\"" TS_ADMIN_PASSWORD "\"}", &a);
    int rc_b = req_json(ts.port, "PUT", "/api/me/password", tok,
                        "{\"current_password\":\"" TS_ADMIN_PASSWORD "\","
                        "\"new_password\":\"another-password-1\"}",
                        &b);
    ts_server_stop(&ts);
    CHECK_INT(ok, 200);
    CHECK_INT(bad1, 401);
    CHECK_INT(bad2, 401);
    CHECK(rc_a == 0 && rc_b == 0);
    char v[32];
    CHECK_INT(a.status, 429);
    CHECK_STR(ts_err_code(&a), "too_many_requests");
    CHECK(header(&a, "Retry-After", v, sizeof(v)) != NULL);
    CHECK(strtol(v, NULL, 10) >= 1);
    CHECK_INT(b.status, 429);
    CHECK_STR(ts_err_code(&b), "too_many_requests");
    CHECK(header(&b, "Retry-After", v, sizeof(v)) != NULL);
    CHECK(strtol(v, NULL, 10) >= 1);
    ts_response_free(&a);
    ts_response_free(&b);
}

/* Error texts are cut to fixed buffers; a long non-ASCII field name must still be named
 * (cut at a character boundary), not dropped from the error body. */
TEST(unknown_non_ascii_field_is_named)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    char key[128] = "";
    for (int i = 0; i < 40; i++)
        snprintf(key + strlen(key), sizeof(key) - strlen(key), "\xc3\xa9");   /* é */
    char body[256];
    snprintf(body, sizeof(body), "{\"%s\":1}", key);
    struct ts_response r;
    CHECK_INT(ts_post(s->port, "/api/login", NULL, body, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_code(&r), "invalid_field");
    const char *field = ts_err_field(&r);
    CHECK(strlen(field) >= 2);
    CHECK(strncmp(field, key, strlen(field)) == 0);
    CHECK_INT(strlen(field) % 2, 0);
    ts_response_free(&r);
}

/* ------------------------------------------------------------------ tokens */

TEST(tokens_missing_unknown_malformed)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response r;
    CHECK_INT(ts_get(s->port, "/api/me", NULL, &r), 0);
    CHECK_INT(r.status, 401);
    CHECK_STR(ts_err_code(&r), "unauthorized");
    ts_response_free(&r);

    char never[65];
    for (int i = 0; i < 64; i++)
        never[i] = "0123456789abcdef"[(unsigned)rand() % 16];
    never[64] = '\0';
    CHECK_INT(ts_get(s->port, "/api/me", never, &r), 0);
    CHECK_INT(r.status, 401);
    CHECK_STR(ts_err_code(&r), "unauthorized");
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, "/api/me", "abc", &r), 0);
    CHECK_INT(r.status, 401);
    CHECK_STR(ts_err_code(&r), "unauthorized");
    ts_response_free(&r);

    /* Another scheme is not a bearer token. */
    char req[512];
    snprintf(req, sizeof(req), "%s",
             "GET /api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
             "Authorization: Basic YWRtaW46eA==\r\n\r\n");
    CHECK_INT(ts_raw(s->port, req, strlen(req), &r), 0);
    CHECK_INT(r.status, 401);
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, "/api/me", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "username"), "admin");
    ts_response_free(&r);
}

TEST(tokens_idle_timeout)
{
    struct ts_server idle;
    struct acct_options ao = {0};
    ao.idle_timeout_s = 1;
    CHECK_INT(ts_server_start(&idle, NULL, &ao), 0);
    char tok[ACCT_TOKEN_HEX];
    int login = ts_login(idle.port, "admin", TS_ADMIN_PASSWORD, tok);
    struct ts_response a = {0}, b = {0};
    int rc_a = ts_get(idle.port, "/api/me", tok, &a);
    /* Sessions count whole seconds: after 2.2 s at least 2 have passed, more than 1. */
    usleep(2200 * 1000);
    int rc_b = ts_get(idle.port, "/api/me", tok, &b);
    ts_server_stop(&idle);
    CHECK_INT(login, 200);
    CHECK_INT(rc_a, 0);
    CHECK_INT(a.status, 200);
    CHECK_INT(rc_b, 0);
    CHECK_INT(b.status, 401);
    CHECK_STR(ts_err_code(&b), "unauthorized");
    ts_response_free(&a);
    ts_response_free(&b);
}

TEST(tokens_logout_ends_the_session)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "admin", TS_ADMIN_PASSWORD, tok), 200);
    struct ts_response r;
    CHECK_INT(ts_get(s->port, "/api/me", tok, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);
    CHECK_INT(ts_request(s->port, "POST", "/api/logout", tok, NULL, NULL, 0, &r), 0);
    CHECK_INT(r.status, 204);
    ts_response_free(&r);
    CHECK_INT(ts_get(s->port, "/api/me", tok, &r), 0);
    CHECK_INT(r.status, 401);
    CHECK_STR(ts_err_code(&r), "unauthorized");
    ts_response_free(&r);
    CHECK_INT(ts_request(s->port, "POST", "/api/logout", tok, NULL, NULL, 0, &r), 0);
    CHECK_INT(r.status, 401);
    ts_response_free(&r);
    /* Other sessions of the same user live on. */
    CHECK_INT(ts_get(s->port, "/api/me", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);
}

/* ------------------------------------------------------------------ permissions */

TEST(permissions_by_role)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    static const struct {
        const char *name, *role, *scope;
    } who[] = {
        {"ana", "analyst", "region"},
        {"fdoc", "family_doctor", "team:7"},
    };
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        CHECK_INT(ts_user_add(s, who[i].name, "some-password-1", who[i].role, who[i].scope),
                  0);
        char tok[ACCT_TOKEN_HEX];
        CHECK_INT(ts_login(s->port, who[i].name, "some-password-1", tok), 200);
        static const char *const admin_only[] = {"/api/users", "/api/audit", "/api/users/1"};
        for (size_t k = 0; k < sizeof(admin_only) / sizeof(admin_only[0]); k++) {
            struct ts_response r;
            CHECK_INT(ts_get(s->port, admin_only[k], tok, &r), 0);
            CHECK_INT(r.status, 403);
            CHECK_STR(ts_err_code(&r), "forbidden");
            ts_response_free(&r);
        }
        struct ts_response r;
        CHECK_INT(ts_post(s->port, "/api/users", tok,
                          "{\"username\":\"sneaky\",\"password\":\"sneaky-password\","
                          "\"role\":\"admin\"}",
                          &r),
                  0);
        CHECK_INT(r.status, 403);
        ts_response_free(&r);
        CHECK_INT(ts_get(s->port, "/api/me", tok, &r), 0);
        CHECK_INT(r.status, 200);
        CHECK_STR(jstr(r.json, "username"), who[i].name);
        CHECK_STR(jstr(r.json, "role"), who[i].role);
        CHECK_STR(jstr(r.json, "scope"), who[i].scope);
        ts_response_free(&r);
    }
    CHECK_INT(user_id(s, "sneaky"), 0);
}

/* ------------------------------------------------------------------ bad input */

TEST(bad_json_bodies)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    char deep[512];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "[");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "]");
    char deep_obj[1024];
    n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(deep_obj + n, sizeof(deep_obj) - n, "{\"a\":");
    n += (size_t)snprintf(deep_obj + n, sizeof(deep_obj) - n, "1");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(deep_obj + n, sizeof(deep_obj) - n, "}");
    const char *bodies[] = {"{\"username\": ", "[1,2]", "\"admin\"", "42", "", deep, deep_obj,
                            "{\"username\":\"a\",\"username\":\"b\",\"password\":\"x\"}",
                            "{\"username\":\"\xff\xfe\",\"password\":\"x\"}"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct ts_response r;
        CHECK_INT(ts_post(s->port, "/api/login", NULL, bodies[i], &r), 0);
        if (r.status != 400)
            fprintf(stderr, "    body %zu: %d %s\n", i, r.status, r.body);
        CHECK_INT(r.status, 400);
        CHECK_STR(ts_err_code(&r), "invalid_json");
        /* The error does not echo the input back. */
        CHECK(strstr(r.body, "username\\\": ") == NULL);
        ts_response_free(&r);
    }
    CHECK(healthy(s->port));
}

TEST(limits_string_and_body)
{
    struct http_options o = {0};
    o.limits.max_string = 1024;
    o.limits.max_body = 4096;
    static struct ts_server limit_srv;
    CHECK_INT(ts_server_start(&limit_srv, &o, NULL), 0);
    struct ts_server *ls = &limit_srv;
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(ls->port, "admin", TS_ADMIN_PASSWORD, tok), 200);

    /* A 2000-byte string passes no field limit here but the server's string limit. */
    char body[2200];
    int n = snprintf(body, sizeof(body), "{\"username\":\"longname\",\"password\":"
                                         "\"long-password-1\",\"role\":\"analyst\","
                                         "\"display_name\":\"");
    memset(body + n, 'x', 2000);
    snprintf(body + n + 2000, sizeof(body) - (size_t)n - 2000, "\"}");
    struct ts_response r;
    CHECK_INT(ts_post(ls->port, "/api/users", tok, body, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_code(&r), "invalid_field");
    CHECK_STR(ts_err_field(&r), "display_name");
    ts_response_free(&r);

    /* 10000 bytes with Content-Length: refused before it is read. */
    char *big = malloc(10001);
    memset(big, ' ', 10000);
    big[0] = '{';
    big[9999] = '}';
    big[10000] = '\0';
    int rc = ts_post(ls->port, "/api/login", NULL, big, &r);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 413);
    CHECK_STR(ts_err_code(&r), "too_large");
    ts_response_free(&r);

    /* The same body in chunks, so no length is declared. */
    struct buf raw;
    buf_init(&raw, 1 << 20);
    buf_puts(&raw, "POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 10; i++) {
        buf_printf(&raw, "%x\r\n", 1000);
        buf_append(&raw, big + i * 1000, 1000);
        buf_puts(&raw, "\r\n");
    }
    buf_puts(&raw, "0\r\n\r\n");
    free(big);
    rc = ts_raw(ls->port, raw.data, raw.len, &r);
    buf_release(&raw);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 413);
    CHECK_STR(ts_err_code(&r), "too_large");
    ts_response_free(&r);

    CHECK(healthy(ls->port));
    ts_server_stop(ls);
}

/* A body refused for its declared length is not read; its bytes must not be taken for the
 * next request on the connection, whatever the method. */
TEST(limits_refused_body_is_not_a_request)
{
    struct http_options o = {0};
    o.limits.max_body = 4096;
    struct ts_server ls;
    CHECK_INT(ts_server_start(&ls, &o, NULL), 0);
    static const char *const methods[] = {"POST", "PATCH", "PUT", "DELETE", "GET"};
    int status[5], answers[5];
    for (int m = 0; m < 5; m++) {
        struct buf raw;
        buf_init(&raw, 1 << 20);
        buf_printf(&raw, "%s /api/users/1 HTTP/1.1\r\nHost: x\r\n"
                         "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n",
                   methods[m]);
        size_t start = raw.len;
        buf_puts(&raw, "GET /api/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        while (raw.len < start + 10000)
            buf_putc(&raw, ' ');
        struct ts_response r;
        ts_raw(ls.port, raw.data, raw.len, &r);
        buf_release(&raw);
        status[m] = r.status;
        answers[m] = 0;
        for (const char *p = r.body; p != NULL && (p = strstr(p, "HTTP/1.")) != NULL; p++)
            answers[m]++;
        ts_response_free(&r);
    }
    /* The limit itself is allowed; one byte more is not. */
    int at_limit[2];
    for (int k = 0; k < 2; k++) {
        size_t len = 4096 + (size_t)k;
        char *body = malloc(len + 1);
        memset(body, ' ', len);
        memcpy(body, "{\"x\":1", 6);
        body[len - 1] = '}';
        body[len] = '\0';
        struct ts_response r;
        ts_post(ls.port, "/api/login", NULL, body, &r);
        at_limit[k] = r.status;
        free(body);
        ts_response_free(&r);
    }
    bool up = healthy(ls.port);
    ts_server_stop(&ls);
    for (int m = 0; m < 5; m++) {
        CHECK_INT(status[m], 413);
        CHECK_INT(answers[m], 0);
    }
    CHECK_INT(at_limit[0], 400);
    CHECK_INT(at_limit[1], 413);
    CHECK(up);
}

/* Requests on one kept-alive connection are answered in order, errors included. */
TEST(keep_alive_after_errors)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    char req[1024];
    snprintf(req, sizeof(req),
             "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
             "POST /api/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"
             "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n[1,2]"
             "GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Connection: close\r\n\r\n",
             admin_token, admin_token);
    struct ts_response r;
    CHECK_INT(ts_raw(s->port, req, strlen(req), &r), 0);
    CHECK_INT(r.status, 200);
    /* The first answer was parsed; the rest is in the body, in order. */
    const char *p415 = strstr(r.body, "HTTP/1.1 415");
    const char *p400 = strstr(r.body, "HTTP/1.1 400");
    const char *p200 = p400 ? strstr(p400, "HTTP/1.1 200") : NULL;
    CHECK(p415 != NULL && p400 != NULL && p200 != NULL);
    CHECK(p415 < p400);
    CHECK_CONTAINS(p200, "\"username\":\"admin\"");
    ts_response_free(&r);
}

TEST(display_name_field_limit)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    char body[600];
    int n = snprintf(body, sizeof(body), "{\"username\":\"longname\",\"password\":"
                                         "\"long-password-1\",\"role\":\"analyst\","
                                         "\"display_name\":\"");
    memset(body + n, 'y', 300);
    snprintf(body + n + 300, sizeof(body) - (size_t)n - 300, "\"}");
    struct ts_response r;
    CHECK_INT(ts_post(s->port, "/api/users", admin_token, body, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_code(&r), "invalid_field");
    CHECK_STR(ts_err_field(&r), "display_name");
    ts_response_free(&r);
    CHECK_INT(user_id(s, "longname"), 0);
}

TEST(wrong_content_type_unknown_path_wrong_method)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    const char *body = "{\"username\":\"plain\",\"password\":\"plain-password\","
                       "\"role\":\"analyst\"}";
    struct ts_response r;
    CHECK_INT(ts_request(s->port, "POST", "/api/users", admin_token, "text/plain", body,
                         strlen(body), &r),
              0);
    CHECK_INT(r.status, 415);
    CHECK_STR(ts_err_code(&r), "unsupported");
    ts_response_free(&r);
    CHECK_INT(user_id(s, "plain"), 0);

    CHECK_INT(ts_get(s->port, "/api/nope", admin_token, &r), 0);
    CHECK_INT(r.status, 404);
    CHECK_STR(ts_err_code(&r), "not_found");
    ts_response_free(&r);

    CHECK_INT(ts_request(s->port, "DELETE", "/api/health", NULL, NULL, NULL, 0, &r), 0);
    CHECK_INT(r.status, 405);
    CHECK_STR(ts_err_code(&r), "method_not_allowed");
    ts_response_free(&r);

    CHECK_INT(ts_request(s->port, "BREW", "/api/health", NULL, NULL, NULL, 0, &r), 0);
    CHECK_INT(r.status, 405);
    ts_response_free(&r);

    /* Without a web root, a page outside /api is simply not there. */
    CHECK_INT(ts_get(s->port, "/index.html", NULL, &r), 0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);
    CHECK(healthy(s->port));
}

TEST(garbage_requests_leave_the_server_up)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    static const char *const junk[] = {
        "THIS IS NOT HTTP\r\n\r\n",
        "GET\r\n\r\n",
        "GET /api/health HTTP/9.9\r\n\r\n",
        "\x16\x03\x01\x02\x01\x01\xfc\x03\x03\r\n\r\n",   /* a TLS hello, no NUL */
        "GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n",
        "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET /api/users/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /api/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p HTTP/1.1\r\nHost: x\r\n"
        "Connection: close\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct ts_response r;
        int rc = ts_raw(s->port, junk[i], strlen(junk[i]), &r);
        /* Either the connection is closed without an answer or the answer is a 4xx (or
         * 505 for an HTTP version the server does not speak). */
        int status = rc == 0 ? r.status : 0;
        ts_response_free(&r);
        if (status != 0 && !(status >= 400 && status < 500) && status != 505)
            fprintf(stderr, "    junk %zu: %d\n", i, status);
        CHECK(status == 0 || (status >= 400 && status < 500) || status == 505);
        CHECK(healthy(s->port));
    }
    /* A header larger than the connection's memory. */
    size_t big = 100000;
    char *req = malloc(big + 128);
    int n = snprintf(req, 128, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + n, 'a', big);
    memcpy(req + n + big, "\r\n\r\n", 5);
    struct ts_response r;
    int rc = ts_raw(s->port, req, strlen(req), &r);
    free(req);
    int status = rc == 0 ? r.status : 0;
    ts_response_free(&r);
    CHECK(status == 0 || (status >= 400 && status < 500));
    CHECK(healthy(s->port));
}

/* ------------------------------------------------------------------ users */

TEST(users_create_read_conflict)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response r;
    CHECK_INT(ts_post(s->port, "/api/users", admin_token,
                      "{\"username\":\"carol\",\"password\":\"carol-password-1\","
                      "\"display_name\":\"Carol \\u5f20\",\"role\":\"family_doctor\","
                      "\"scope\":\"team:12\"}",
                      &r),
              0);
    CHECK_INT(r.status, 201);
    CHECK(strstr(r.body, "password") == NULL);
    CHECK(strstr(r.body, "argon2") == NULL);
    int64_t id = user_id(s, "carol");
    CHECK(id > 0);
    CHECK_INT(json_integer_value(json_object_get(r.json, "id")), id);
    CHECK_STR(jstr(r.json, "username"), "carol");
    CHECK_STR(jstr(r.json, "display_name"), "Carol \xe5\xbc\xa0");
    CHECK_STR(jstr(r.json, "role"), "family_doctor");
    CHECK_STR(jstr(r.json, "scope"), "team:12");
    CHECK(json_is_false(json_object_get(r.json, "disabled")));
    char loc[64], want[64];
    snprintf(want, sizeof(want), "/api/users/%lld", (long long)id);
    CHECK_STR(header(&r, "Location", loc, sizeof(loc)), want);
    ts_response_free(&r);

    CHECK_INT(ts_post(s->port, "/api/users", admin_token,
                      "{\"username\":\"carol\",\"password\":\"other-password-1\","
                      "\"role\":\"analyst\"}",
                      &r),
              0);
    CHECK_INT(r.status, 409);
    CHECK_STR(ts_err_code(&r), "conflict");
    CHECK_STR(ts_err_field(&r), "username");
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, want, admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "username"), "carol");
    CHECK(strstr(r.body, "password") == NULL);
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, "/api/users/999999", admin_token, &r), 0);
    CHECK_INT(r.status, 404);
    CHECK_STR(ts_err_code(&r), "not_found");
    ts_response_free(&r);
    static const char *const bad_ids[] = {"/api/users/abc", "/api/users/0", "/api/users/-1",
                                          "/api/users/1x",
                                          "/api/users/99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        CHECK_INT(ts_get(s->port, bad_ids[i], admin_token, &r), 0);
        CHECK_INT(r.status, 404);
        CHECK_STR(ts_err_code(&r), "not_found");
        ts_response_free(&r);
    }

    CHECK_INT(ts_get(s->port, "/api/users?role=family_doctor", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    CHECK(json_array_size(items) >= 1);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
        CHECK_STR(jstr(it, "role"), "family_doctor");
    ts_response_free(&r);
    CHECK_INT(ts_get(s->port, "/api/users?role=king", admin_token, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "role");
    ts_response_free(&r);
}

TEST(users_create_invalid)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"username\":\"Bad Name\",\"password\":\"pass-word-12\",\"role\":\"analyst\"}",
         "username"},
        {"{\"username\":\"shorty\",\"password\":\"short\",\"role\":\"analyst\"}", "password"},
        {"{\"username\":\"roleless\",\"password\":\"pass-word-12\",\"role\":\"king\"}",
         "role"},
        {"{\"username\":\"scoped\",\"password\":\"pass-word-12\",\"role\":\"family_doctor\","
         "\"scope\":\"region\"}",
         "scope"},
        {"{\"username\":\"scoped\",\"password\":\"pass-word-12\",\"role\":\"analyst\","
         "\"scope\":7}",
         "scope"},
        {"{\"username\":\"ctl\",\"password\":\"pass-word-12\",\"role\":\"analyst\","
         "\"display_name\":\"a\\u0001b\"}",
         "display_name"},
        {"{\"username\":\"nul\",\"password\":\"pass-word-12\",\"role\":\"analyst\","
         "\"display_name\":\"a\\u0000b\"}",
         "display_name"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_response r;
        CHECK_INT(ts_post(s->port, "/api/users", admin_token, cases[i].body, &r), 0);
        if (r.status != 400)
            fprintf(stderr, "    case %zu: %d %s\n", i, r.status, r.body);
        CHECK(r.status == 400);
        if (strcmp(ts_err_field(&r), cases[i].field) != 0 &&
            strcmp(ts_err_code(&r), "invalid_json") != 0)
            fprintf(stderr, "    case %zu: %s\n", i, r.body);
        /* A NUL escape may be refused by the parser itself; every other case names the
         * field. */
        CHECK(strcmp(ts_err_field(&r), cases[i].field) == 0 ||
              strcmp(ts_err_code(&r), "invalid_json") == 0);
        ts_response_free(&r);
    }
}

TEST(users_patch_role_scope_and_self)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK_INT(ts_user_add(s, "pat", "pat-password-1", "analyst", "region"), 0);
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "pat", "pat-password-1", tok), 200);
    char path[64];
    snprintf(path, sizeof(path), "/api/users/%lld", (long long)user_id(s, "pat"));
    struct ts_response r;
    CHECK_INT(req_json(s->port, "PATCH", path, admin_token,
                       "{\"role\":\"family_doctor\",\"scope\":\"team:9\","
                       "\"display_name\":\"Pat\"}",
                       &r),
              0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "role"), "family_doctor");
    CHECK_STR(jstr(r.json, "scope"), "team:9");
    CHECK_STR(jstr(r.json, "display_name"), "Pat");
    ts_response_free(&r);
    /* A change of access ends the user's sessions. */
    CHECK_INT(ts_get(s->port, "/api/me", tok, &r), 0);
    CHECK_INT(r.status, 401);
    ts_response_free(&r);
    CHECK_INT(ts_get(s->port, path, admin_token, &r), 0);
    CHECK_STR(jstr(r.json, "role"), "family_doctor");
    CHECK_STR(jstr(r.json, "scope"), "team:9");
    ts_response_free(&r);

    /* A role whose scope kind the old scope does not fit, and a wrong type. */
    CHECK_INT(req_json(s->port, "PATCH", path, admin_token, "{\"role\":\"admin\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "scope");
    ts_response_free(&r);
    CHECK_INT(req_json(s->port, "PATCH", path, admin_token, "{\"disabled\":\"yes\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "disabled");
    ts_response_free(&r);
    CHECK_INT(req_json(s->port, "PATCH", "/api/users/999999", admin_token,
                       "{\"display_name\":\"x\"}", &r),
              0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);

    /* An admin may neither disable nor demote their own account. */
    char self[64];
    snprintf(self, sizeof(self), "/api/users/%lld", (long long)user_id(s, "admin"));
    CHECK_INT(req_json(s->port, "PATCH", self, admin_token, "{\"disabled\":true}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_code(&r), "invalid_field");
    CHECK_STR(ts_err_field(&r), "disabled");
    ts_response_free(&r);
    CHECK_INT(req_json(s->port, "PATCH", self, admin_token,
                       "{\"role\":\"analyst\",\"scope\":\"region\"}", &r),
              0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "role");
    ts_response_free(&r);
    CHECK_INT(ts_get(s->port, "/api/me", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "role"), "admin");
    ts_response_free(&r);
}

TEST(users_set_password)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK_INT(ts_user_add(s, "reset", "old-password-1", "analyst", "region"), 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/users/%lld/password", (long long)user_id(s, "reset"));
    struct ts_response r;
    CHECK_INT(req_json(s->port, "PUT", path, admin_token, "{\"password\":\"short\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "password");
    ts_response_free(&r);
    CHECK_INT(req_json(s->port, "PUT", path, admin_token,
                       "{\"password\":\"new-password-1\"}", &r),
              0);
    CHECK_INT(r.status, 204);
    ts_response_free(&r);
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "reset", "old-password-1", tok), 401);
    CHECK_INT(ts_login(s->port, "reset", "new-password-1", tok), 200);
    CHECK_INT(req_json(s->port, "PUT", "/api/users/999999/password", admin_token,
                       "{\"password\":\"new-password-1\"}", &r),
              0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);
}

TEST(users_pagination)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    /* A server of its own, so the count is exact: admin and seven more. */
    struct ts_server ps;
    CHECK_INT(ts_server_start(&ps, NULL, NULL), 0);
    char names[8][16];
    for (int i = 0; i < 7; i++) {
        snprintf(names[i], sizeof(names[i]), "page%d", i);
        if (ts_user_add(&ps, names[i], "page-password-1", "analyst", "region") != 0) {
            ts_server_stop(&ps);
            CHECK(!"user added");
        }
    }
    snprintf(names[7], sizeof(names[7]), "admin");
    char tok[ACCT_TOKEN_HEX];
    int login = ts_login(ps.port, "admin", TS_ADMIN_PASSWORD, tok);
    int seen[8] = {0}, pages = 0, items = 0, bad = 0;
    char path[256] = "/api/users?limit=3";
    for (;;) {
        struct ts_response r;
        if (ts_get(ps.port, path, tok, &r) != 0 || r.status != 200) {
            bad = 1;
            ts_response_free(&r);
            break;
        }
        pages++;
        json_t *arr = json_object_get(r.json, "items");
        size_t i;
        json_t *it;
        if (json_array_size(arr) > 3)
            bad = 1;
        json_array_foreach(arr, i, it)
        {
            items++;
            const char *u = jstr(it, "username");
            for (int k = 0; k < 8; k++)
                if (u != NULL && strcmp(u, names[k]) == 0)
                    seen[k]++;
        }
        const char *next = jstr(r.json, "next");
        if (next == NULL) {
            if (!json_is_null(json_object_get(r.json, "next")))
                bad = 1;
            ts_response_free(&r);
            break;
        }
        snprintf(path, sizeof(path), "/api/users?limit=3&cursor=%s", next);
        ts_response_free(&r);
        if (pages > 10) {
            bad = 1;
            break;
        }
    }
    struct ts_response e1, e2, e3, e4;
    int rc1 = ts_get(ps.port, "/api/users?cursor=!!notacursor", tok, &e1);
    int rc2 = ts_get(ps.port, "/api/users?limit=0", tok, &e2);
    int rc3 = ts_get(ps.port, "/api/users?limit=5000", tok, &e3);
    int rc4 = ts_get(ps.port, "/api/users?cursor=azEyMw", tok, &e4);   /* "k123" */
    ts_server_stop(&ps);
    CHECK_INT(login, 200);
    CHECK_INT(bad, 0);
    CHECK_INT(items, 8);
    CHECK_INT(pages, 3);
    for (int k = 0; k < 8; k++)
        CHECK_INT(seen[k], 1);
    CHECK(rc1 == 0 && rc2 == 0 && rc3 == 0 && rc4 == 0);
    CHECK_INT(e1.status, 400);
    CHECK_STR(ts_err_field(&e1), "cursor");
    CHECK_INT(e2.status, 400);
    CHECK_STR(ts_err_field(&e2), "limit");
    CHECK_INT(e3.status, 400);
    CHECK_STR(ts_err_field(&e3), "limit");
    /* A well-formed cursor past the end is an empty last page. */
    CHECK_INT(e4.status, 200);
    CHECK_INT(json_array_size(json_object_get(e4.json, "items")), 0);
    CHECK(json_is_null(json_object_get(e4.json, "next")));
    ts_response_free(&e1);
    ts_response_free(&e2);
    ts_response_free(&e3);
    ts_response_free(&e4);
}

/* ------------------------------------------------------------------ own password */

TEST(me_password)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK_INT(ts_user_add(s, "mia", "mia-password-1", "analyst", "region"), 0);
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "mia", "mia-password-1", tok), 200);
    struct ts_response r;
    CHECK_INT(req_json(s->port, "PUT", "/api/me/password", tok,
                       "{\"current_password\":\"wrong-password\","
                       "\"new_password\":\"mia-password-2\"}",
                       &r),
              0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_code(&r), "invalid_field");
    CHECK_STR(ts_err_field(&r), "current_password");
    ts_response_free(&r);
    CHECK_INT(req_json(s->port, "PUT", "/api/me/password", tok,
                       "{\"current_password\":\"mia-password-1\",\"new_password\":\"short\"}",
                       &r),
              0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "password");
    ts_response_free(&r);
    CHECK_INT(req_json(s->port, "PUT", "/api/me/password", tok,
                       "{\"current_password\":\"mia-password-1\","
                       "\"new_password\":\"mia-password-2\"}",
                       &r),
              0);
    CHECK_INT(r.status, 204);
    ts_response_free(&r);
    char tok2[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s->port, "mia", "mia-password-1", tok2), 401);
    CHECK_INT(ts_login(s->port, "mia", "mia-password-2", tok2), 200);
}

/* ------------------------------------------------------------------ audit */

TEST(audit_trail)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    int64_t id = user_id(s, "admin");
    CHECK(id > 0);
    char path[64], idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    snprintf(path, sizeof(path), "/api/users/%s", idtext);
    struct ts_response r;
    CHECK_INT(ts_get(s->port, path, admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);
    CHECK_INT(audit_log_flush(s->audit, NULL), 0);

    CHECK_INT(ts_get(s->port, "/api/audit?user=admin", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    CHECK(json_array_size(items) >= 2);
    int64_t prev = INT64_MAX;
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        int64_t seq = json_integer_value(json_object_get(it, "seq"));
        CHECK(seq < prev);
        prev = seq;
        CHECK_STR(jstr(it, "username"), "admin");
        CHECK(jstr(it, "action") != NULL);
        CHECK(jstr(it, "resource_type") != NULL);
        CHECK(jstr(it, "at") != NULL);
        const char *act = jstr(it, "action"), *type = jstr(it, "resource_type");
        if (strcmp(act, "read") == 0 && strcmp(type, "user") == 0 &&
            strcmp(jstr(it, "resource_id"), idtext) == 0)
            found = true;
    }
    CHECK(found);
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, "/api/audit?resource_type=session", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    items = json_object_get(r.json, "items");
    int logins = 0;
    json_array_foreach(items, i, it)
    {
        CHECK_STR(jstr(it, "resource_type"), "session");
        if (strcmp(jstr(it, "action"), "login") == 0)
            logins++;
    }
    CHECK(logins >= 1);
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, "/api/audit?from=yesterday", admin_token, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "from");
    ts_response_free(&r);
}

/* Reads of user id as "/api/users/:id" with resource_id == id. */
static int count_reads(int port, const char *token, const char *id)
{
    char query[128];
    snprintf(query, sizeof(query), "/api/audit?resource_type=user&resource_id=%s&limit=1000",
             id);
    struct ts_response r;
    if (ts_get(port, query, token, &r) != 0 || r.status != 200) {
        ts_response_free(&r);
        return -1;
    }
    int n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
        n += strcmp(jstr(it, "action"), "read") == 0;
    ts_response_free(&r);
    return n;
}

/* The same record reached by another spelling of its id is audited under its one id, so a
 * search of the trail by id finds every read. */
TEST(audit_read_id_is_canonical)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    int64_t id = user_id(s, "admin");
    CHECK(id > 0);
    char idtext[24], path[64];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    CHECK_INT(audit_log_flush(s->audit, NULL), 0);
    int before = count_reads(s->port, admin_token, idtext);
    CHECK(before >= 0);
    static const char *const spellings[] = {"/api/users/000%lld", "/api/users/+%lld"};
    for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        snprintf(path, sizeof(path), spellings[i], (long long)id);
        struct ts_response r;
        CHECK_INT(ts_get(s->port, path, admin_token, &r), 0);
        int status = r.status;
        ts_response_free(&r);
        /* Either the spelling is refused or its read is audited under the id. */
        CHECK(status == 200 || status == 404);
        CHECK_INT(audit_log_flush(s->audit, NULL), 0);
        int after = count_reads(s->port, admin_token, idtext);
        CHECK_INT(after, before + (status == 200));
        before = after;
    }
}

TEST(audit_pagination)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    struct ts_response r;
    for (int i = 0; i < 3; i++) {
        CHECK_INT(ts_get(s->port, "/api/users?limit=1", admin_token, &r), 0);
        ts_response_free(&r);
    }
    CHECK_INT(audit_log_flush(s->audit, NULL), 0);
    CHECK_INT(ts_get(s->port, "/api/audit?limit=2", admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 2);
    int64_t last = json_integer_value(
        json_object_get(json_array_get(json_object_get(r.json, "items"), 1), "seq"));
    const char *next = jstr(r.json, "next");
    CHECK(next != NULL);
    char path[128];
    snprintf(path, sizeof(path), "/api/audit?limit=2&cursor=%s", next);
    ts_response_free(&r);
    CHECK_INT(ts_get(s->port, path, admin_token, &r), 0);
    CHECK_INT(r.status, 200);
    int64_t first = json_integer_value(
        json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "seq"));
    CHECK_INT(first, last - 1);
    ts_response_free(&r);
}

/* ------------------------------------------------------------------ static files */

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

TEST(static_files)
{
    const char *root = ts_path("web");
    char rootcopy[512];
    snprintf(rootcopy, sizeof(rootcopy), "%s", root);
    mkdir(rootcopy, 0700);
    char p[600];
    snprintf(p, sizeof(p), "%s/index.html", rootcopy);
    CHECK_INT(write_file(p, "<!doctype html><title>yilian</title>"), 0);
    snprintf(p, sizeof(p), "%s/app.js", rootcopy);
    CHECK_INT(write_file(p, "console.log('yilian');\n"), 0);
    snprintf(p, sizeof(p), "%s/.hidden", rootcopy);
    CHECK_INT(write_file(p, "secret"), 0);

    struct http_options o = {0};
    o.web_root = rootcopy;
    struct ts_server ws;
    CHECK_INT(ts_server_start(&ws, &o, NULL), 0);
    struct ts_response r[9];
    int rc[9];
    rc[0] = ts_get(ws.port, "/", NULL, &r[0]);
    rc[1] = ts_get(ws.port, "/app.js", NULL, &r[1]);
    rc[2] = ts_get(ws.port, "/../etc/passwd", NULL, &r[2]);
    rc[3] = ts_get(ws.port, "/.hidden", NULL, &r[3]);
    rc[4] = ts_request(ws.port, "POST", "/", NULL, NULL, "{}", 2, &r[4]);
    rc[5] = ts_get(ws.port, "/%2e%2e/etc/passwd", NULL, &r[5]);
    rc[6] = ts_get(ws.port, "/missing.css", NULL, &r[6]);
    rc[7] = ts_get(ws.port, "/api/health", NULL, &r[7]);
    rc[8] = ts_get(ws.port, "/index.html/", NULL, &r[8]);
    ts_server_stop(&ws);

    char v[128];
    for (int i = 0; i < 9; i++)
        CHECK_INT(rc[i], 0);
    CHECK_INT(r[0].status, 200);
    CHECK_STR(r[0].body, "<!doctype html><title>yilian</title>");
    CHECK_CONTAINS(header(&r[0], "Content-Type", v, sizeof(v)), "text/html");
    CHECK_INT(r[1].status, 200);
    CHECK_STR(r[1].body, "console.log('yilian');\n");
    CHECK_CONTAINS(header(&r[1], "Content-Type", v, sizeof(v)), "text/javascript");
    CHECK_INT(r[2].status, 404);
    CHECK(strstr(r[2].body, "root:") == NULL);
    CHECK_INT(r[3].status, 404);
    CHECK(strstr(r[3].body, "secret") == NULL);
    /* A web root serves reads only. */
    CHECK_INT(r[4].status, 405);
    CHECK_INT(r[5].status, 404);
    CHECK_INT(r[6].status, 404);
    CHECK_INT(r[7].status, 200);
    CHECK_INT(r[8].status, 404);
    for (int i = 0; i < 9; i++)
        ts_response_free(&r[i]);
}

/* ------------------------------------------------------------------ concurrency */

struct smoke_arg {
    int port;
    const char *token;
    int ok;
};

static void *smoke_thread(void *p)
{
    struct smoke_arg *a = p;
    for (int i = 0; i < 50; i++) {
        struct ts_response r;
        if (ts_get(a->port, "/api/me", a->token, &r) == 0 && r.status == 200 &&
            jstr(r.json, "username") != NULL && strcmp(jstr(r.json, "username"), "admin") == 0)
            a->ok++;
        ts_response_free(&r);
    }
    return NULL;
}

TEST(concurrent_requests_one_token)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    pthread_t th[8];
    struct smoke_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (struct smoke_arg){s->port, admin_token, 0};
        CHECK_INT(pthread_create(&th[i], NULL, smoke_thread, &args[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += args[i].ok;
    }
    CHECK_INT(total, 400);
    CHECK(healthy(s->port));
}

struct write_arg {
    int port;
    const char *token;
    const char *path;
    int id;
    int ok;
};

static void *write_thread(void *p)
{
    struct write_arg *a = p;
    for (int i = 0; i < 20; i++) {
        char body[64];
        snprintf(body, sizeof(body), "{\"display_name\":\"writer %d-%d\"}", a->id, i);
        struct ts_response r;
        if (req_json(a->port, "PATCH", a->path, a->token, body, &r) == 0 && r.status == 200)
            a->ok++;
        ts_response_free(&r);
        if (ts_get(a->port, "/api/audit?limit=5", a->token, &r) == 0 && r.status == 200)
            a->ok++;
        ts_response_free(&r);
    }
    return NULL;
}

/* Writers and readers at once: every request succeeds and the audit chain stays whole. */
TEST(concurrent_writes_keep_the_audit_chain)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    if (user_id(s, "busy") == 0)
        CHECK_INT(ts_user_add(s, "busy", "busy-password-1", "analyst", "region"), 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/users/%lld", (long long)user_id(s, "busy"));
    pthread_t th[6];
    struct write_arg args[6];
    for (int i = 0; i < 6; i++) {
        args[i] = (struct write_arg){s->port, admin_token, path, i, 0};
        CHECK_INT(pthread_create(&th[i], NULL, write_thread, &args[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        total += args[i].ok;
    }
    CHECK_INT(total, 6 * 20 * 2);
    CHECK_INT(audit_log_flush(s->audit, NULL), 0);
    int64_t checked = 0, bad = 0;
    struct yl_err err = {0};
    CHECK_INT(audit_verify(s->store, &checked, &bad, &err), 0);
    CHECK(checked > 6 * 20 * 2);
}

TEST_MAIN()
