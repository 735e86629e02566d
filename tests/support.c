/*
 * support.c - temporary folders, the in-process test server and a raw HTTP client.
 */
#include "support.h"

#include "core/date.h"
#include "core/idno.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "core/buf.h"
#include "core/err.h"

static char tmpdir[256];

static void remove_tmpdir(void)
{
    if (tmpdir[0] == '\0' || getenv("YL_KEEP_TMP") != NULL)
        return;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *ts_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/yilian-test-XXXXXX");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *ts_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", ts_tmpdir(), name);
    return p;
}

int ts_user_add(struct ts_server *s, const char *name, const char *password, const char *role,
                const char *scope)
{
    struct acct_user_input in = {name, password, NULL, role, scope};
    struct audit_actor by = {0, "test", "admin", "test"};
    struct yl_err err = {0};
    int rc = acct_user_create(s->acct, &in, &by, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "    ts_user_add %s: %s\n", name, yl_err_message(&err));
    return rc;
}

int ts_server_start(struct ts_server *s, const struct http_options *opt,
                    const struct acct_options *aopt)
{
    static int counter;
    memset(s, 0, sizeof(*s));
    snprintf(s->db, sizeof(s->db), "%s/server-%d-%ld.db", ts_tmpdir(), counter++,
             (long)getpid());
    struct yl_err err = {0};
    if (store_open(s->db, NULL, &s->store, &err) != 0 ||
        store_migrate(s->store, NULL, &err) != 0) {
        fprintf(stderr, "    store: %s\n", yl_err_message(&err));
        return -1;
    }
    s->acct = acct_new(s->store, aopt);
    s->audit = audit_log_new(s->store, 2);
    if (ts_user_add(s, "admin", TS_ADMIN_PASSWORD, "admin", "region") != 0)
        return -1;
    s->app.store = s->store;
    s->app.acct = s->acct;
    s->app.audit = s->audit;
    s->app.version = "test";
    s->app.started = time(NULL);
    s->app.schema_version = store_schema_latest();
    s->index = pidx_new();
    if (pidx_load(s->index, s->store, &err) != 0) {
        fprintf(stderr, "    index: %s\n", yl_err_message(&err));
        return -1;
    }
    s->app.index = s->index;
    struct http_options o = {0};
    if (opt != NULL)
        o = *opt;
    o.listen = "127.0.0.1";
    o.port = 0;
    if (o.threads == 0)
        o.threads = 4;
    size_t n;
    const struct http_route *routes = api_routes(&n);
    s->http = http_server_start(&o, routes, n, api_authorize, &s->app, &err);
    if (s->http == NULL) {
        fprintf(stderr, "    http: %s\n", yl_err_message(&err));
        return -1;
    }
    s->port = http_server_port(s->http);
    return 0;
}

int ts_server_protocol(struct ts_server *s)
{
    struct yl_err err = {0};
    if (s->protocol == NULL && cli_protocol_load(NULL, &s->protocol, &err) != 0) {
        fprintf(stderr, "    protocol: %s\n", yl_err_message(&err));
        return -1;
    }
    s->app.protocol = s->protocol;
    pidx_set_protocol(s->index, s->protocol);
    if (pidx_load(s->index, s->store, &err) != 0) {
        fprintf(stderr, "    index: %s\n", yl_err_message(&err));
        return -1;
    }
    return 0;
}

void ts_server_stop(struct ts_server *s)
{
    http_server_stop(s->http);
    pidx_free(s->index);
    svc_protocol_free(s->protocol);
    audit_log_free(s->audit);
    acct_free(s->acct);
    store_close(s->store);
    memset(s, 0, sizeof(*s));
}

/* --- client ---------------------------------------------------------------------------- */

static int connect_local(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Parse the whole reply (status line, headers, body; chunked bodies are decoded). */
static void parse_reply(char *raw, size_t n, struct ts_response *out)
{
    memset(out, 0, sizeof(*out));
    out->status = -1;
    char *sep = strstr(raw, "\r\n\r\n");
    if (sep == NULL || sscanf(raw, "HTTP/1.%*d %d", &out->status) != 1) {
        out->body = raw;
        out->body_len = n;
        return;
    }
    *sep = '\0';
    out->headers = strdup(raw);
    char *body = sep + 4;
    size_t blen = n - (size_t)(body - raw);
    if (strcasestr(out->headers, "Transfer-Encoding: chunked") != NULL) {
        struct buf b;
        buf_init(&b, 1u << 30);
        char *p = body;
        for (;;) {
            char *end;
            unsigned long len = strtoul(p, &end, 16);
            char *data = strstr(end, "\r\n");
            if (data == NULL || len == 0)
                break;
            data += 2;
            /* A reply cut short must not make the client read past what it received. */
            if (len > (size_t)(raw + n - data))
                len = (unsigned long)(raw + n - data);
            buf_append(&b, data, len);
            p = data + len + 2;
            if (p >= raw + n)
                break;
        }
        out->body = buf_detach(&b, &out->body_len);
        free(raw);
    } else {
        out->body = strdup(body);
        out->body_len = blen;
        free(raw);
    }
    json_error_t e;
    out->json = json_loadb(out->body, out->body_len, 0, &e);
}

int ts_raw(int port, const char *bytes, size_t n, struct ts_response *out)
{
    memset(out, 0, sizeof(*out));
    int fd = connect_local(port);
    if (fd < 0)
        return -1;
    /* A server may answer and close before taking the whole request (an oversize body);
     * a failed send is not a failed test, the answer is what matters. */
    send_all(fd, bytes, n);
    struct buf b;
    buf_init(&b, 1u << 30);
    char chunk[65536];
    ssize_t k;
    while ((k = recv(fd, chunk, sizeof(chunk), 0)) > 0)
        buf_append(&b, chunk, (size_t)k);
    close(fd);
    size_t len;
    char *raw = buf_detach(&b, &len);
    parse_reply(raw, len, out);
    return out->status > 0 ? 0 : -1;
}

int ts_request(int port, const char *method, const char *path, const char *token,
               const char *content_type, const char *body, size_t body_len,
               struct ts_response *out)
{
    struct buf req;
    buf_init(&req, 1u << 30);
    buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n", method,
               path, port);
    if (token != NULL)
        buf_printf(&req, "Authorization: Bearer %s\r\n", token);
    if (body != NULL) {
        buf_printf(&req, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                   content_type ? content_type : "application/json", body_len);
    }
    buf_puts(&req, "\r\n");
    if (body != NULL)
        buf_append(&req, body, body_len);
    int rc = ts_raw(port, req.data, req.len, out);
    buf_release(&req);
    return rc;
}

void ts_response_free(struct ts_response *r)
{
    free(r->body);
    free(r->headers);
    if (r->json)
        json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

int ts_get(int port, const char *path, const char *token, struct ts_response *out)
{
    return ts_request(port, "GET", path, token, NULL, NULL, 0, out);
}

int ts_post(int port, const char *path, const char *token, const char *json,
            struct ts_response *out)
{
    return ts_request(port, "POST", path, token, NULL, json, strlen(json), out);
}

int ts_login(int port, const char *user, const char *password, char *out)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    struct ts_response r;
    out[0] = '\0';
    if (ts_post(port, "/api/login", NULL, body, &r) != 0)
        return -1;
    int status = r.status;
    json_t *t = r.json ? json_object_get(r.json, "token") : NULL;
    if (status == 200 && json_is_string(t))
        snprintf(out, ACCT_TOKEN_HEX, "%s", json_string_value(t));
    ts_response_free(&r);
    return status;
}

const char *ts_err_code(const struct ts_response *r)
{
    json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
    json_t *c = e ? json_object_get(e, "code") : NULL;
    return json_is_string(c) ? json_string_value(c) : "";
}

const char *ts_err_field(const struct ts_response *r)
{
    json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
    json_t *c = e ? json_object_get(e, "field") : NULL;
    return json_is_string(c) ? json_string_value(c) : "";
}

int ts_sql(const char *db_path, const char *text)
{
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    int rc = sqlite3_exec(db, text, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "    sql: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

long ts_sql_count(const char *db_path, const char *text)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    if (sqlite3_prepare_v2(db, text, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

void ts_idno(char *out, int32_t day, int seq)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    char digits[40];
    snprintf(digits, sizeof(digits), "222404%04d%02d%02d%03d", y, m, d, seq % 1000);
    memcpy(out, digits, 17);
    out[17] = idno_check_char(digits);
    out[18] = '\0';
}
