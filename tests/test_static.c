/*
 * test_static.c - what the dashboard needs from the server: static files with caching
 * headers (ETag, Last-Modified, Cache-Control; 304 when unchanged), precompressed gzip twins
 * for clients that accept them (and never a stale twin), refusal of paths that leave the web
 * root, and the permissions of the logged-in role in /api/me and the login answer.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "support.h"
#include "test.h"

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

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Set a file's modification time to `t` seconds since the epoch. */
static int set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    return utimensat(AT_FDCWD, path, ts, 0);
}

/* One GET with extra header lines ("Name: value\r\n"...). */
static int get_with(int port, const char *path, const char *extra, struct ts_response *out)
{
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n", path,
                     extra ? extra : "");
    return ts_raw(port, req, (size_t)n, out);
}

static char root[512];
static struct ts_server web;
static int web_started;

static void web_stop(void)
{
    if (web_started)
        ts_server_stop(&web);
    web_started = 0;
}

/* A web root with an index, an app module with a fresh gzip twin, a style sheet with a stale
 * one, a vendor library, a hidden file; and a file outside the root that must stay out. */
static struct ts_server *web_server(void)
{
    if (web_started)
        return &web;
    char p[700];
    snprintf(root, sizeof(root), "%s", ts_path("site"));
    mkdir(root, 0700);
    snprintf(p, sizeof(p), "%s/vendor", root);
    mkdir(p, 0700);
    time_t now = time(NULL);
    snprintf(p, sizeof(p), "%s/index.html", root);
    if (write_file(p, "<!doctype html><title>yilian</title>") != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s/app.js", root);
    if (write_file(p, "export const app = 1;\n") != 0 || set_mtime(p, now - 100) != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s/app.js.gz", root);
    if (write_file(p, "GZIP-TWIN-OF-APP") != 0 || set_mtime(p, now - 50) != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s/app.css", root);
    if (write_file(p, "body { color: #222; }\n") != 0 || set_mtime(p, now - 10) != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s/app.css.gz", root);
    if (write_file(p, "STALE-TWIN") != 0 || set_mtime(p, now - 100) != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s/vendor/lib.js", root);
    if (write_file(p, "export const lib = 2;\n") != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s/.secret", root);
    if (write_file(p, "hidden") != 0)
        return NULL;
    snprintf(p, sizeof(p), "%s", ts_path("outside.txt"));
    if (write_file(p, "outside-the-root") != 0)
        return NULL;
    struct http_options o = {0};
    o.web_root = root;
    if (ts_server_start(&web, &o, NULL) != 0)
        return NULL;
    web_started = 1;
    atexit(web_stop);
    return &web;
}

TEST(index_revalidated_every_time_with_an_etag)
{
    struct ts_server *s = web_server();
    CHECK(s != NULL);
    struct ts_response r;
    CHECK_INT(ts_get(s->port, "/", NULL, &r), 0);
    char etag[128], lm[64], cc[64], ct[64];
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "<!doctype html><title>yilian</title>");
    CHECK(header(&r, "ETag", etag, sizeof(etag)) != NULL);
    CHECK(etag[0] == '"');
    CHECK(header(&r, "Last-Modified", lm, sizeof(lm)) != NULL);
    CHECK_CONTAINS(lm, " GMT");
    CHECK_STR(header(&r, "Cache-Control", cc, sizeof(cc)), "no-cache");
    CHECK_CONTAINS(header(&r, "Content-Type", ct, sizeof(ct)), "text/html");
    ts_response_free(&r);

    /* The same tag back: 304 and no body. */
    char extra[256];
    snprintf(extra, sizeof(extra), "If-None-Match: %s\r\n", etag);
    CHECK_INT(get_with(s->port, "/index.html", extra, &r), 0);
    CHECK_INT(r.status, 304);
    CHECK_INT(r.body_len, 0);
    char etag2[128];
    CHECK_STR(header(&r, "ETag", etag2, sizeof(etag2)), etag);
    ts_response_free(&r);

    /* Another tag: the whole file again. */
    CHECK_INT(get_with(s->port, "/index.html", "If-None-Match: \"0-0\"\r\n", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "<!doctype html><title>yilian</title>");
    ts_response_free(&r);

    /* The date back, without a tag: 304 too. */
    snprintf(extra, sizeof(extra), "If-Modified-Since: %s\r\n", lm);
    CHECK_INT(get_with(s->port, "/", extra, &r), 0);
    CHECK_INT(r.status, 304);
    ts_response_free(&r);
}

TEST(vendor_files_are_kept_long)
{
    struct ts_server *s = web_server();
    CHECK(s != NULL);
    struct ts_response r;
    char cc[64];
    CHECK_INT(ts_get(s->port, "/vendor/lib.js", NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "export const lib = 2;\n");
    CHECK_STR(header(&r, "Cache-Control", cc, sizeof(cc)), "public, max-age=604800");
    ts_response_free(&r);
}

TEST(gzip_twin_sent_only_to_clients_that_accept_it)
{
    struct ts_server *s = web_server();
    CHECK(s != NULL);
    struct ts_response r;
    char v[128], plain_etag[128];

    CHECK_INT(get_with(s->port, "/app.js", "Accept-Encoding: gzip, deflate, br\r\n", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "GZIP-TWIN-OF-APP");
    CHECK_STR(header(&r, "Content-Encoding", v, sizeof(v)), "gzip");
    CHECK_STR(header(&r, "Vary", v, sizeof(v)), "Accept-Encoding");
    CHECK_CONTAINS(header(&r, "Content-Type", v, sizeof(v)), "text/javascript");
    CHECK_CONTAINS(header(&r, "ETag", v, sizeof(v)), "-gz\"");
    ts_response_free(&r);

    /* No Accept-Encoding: the file itself, still marked as varying. */
    CHECK_INT(ts_get(s->port, "/app.js", NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "export const app = 1;\n");
    CHECK(header(&r, "Content-Encoding", v, sizeof(v)) == NULL);
    CHECK_STR(header(&r, "Vary", v, sizeof(v)), "Accept-Encoding");
    CHECK(header(&r, "ETag", plain_etag, sizeof(plain_etag)) != NULL);
    CHECK(strstr(plain_etag, "-gz") == NULL);
    ts_response_free(&r);

    /* gzip refused by q=0: the file itself. */
    CHECK_INT(get_with(s->port, "/app.js", "Accept-Encoding: gzip;q=0, identity\r\n", &r), 0);
    CHECK_STR(r.body, "export const app = 1;\n");
    ts_response_free(&r);
}

TEST(stale_gzip_twin_is_never_sent)
{
    struct ts_server *s = web_server();
    CHECK(s != NULL);
    struct ts_response r;
    char v[64];
    CHECK_INT(get_with(s->port, "/app.css", "Accept-Encoding: gzip\r\n", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "body { color: #222; }\n");
    CHECK(header(&r, "Content-Encoding", v, sizeof(v)) == NULL);
    ts_response_free(&r);
}

TEST(paths_outside_the_root_are_refused)
{
    struct ts_server *s = web_server();
    CHECK(s != NULL);
    static const char *const bad[] = {
        "/../outside.txt",          "/%2e%2e/outside.txt",     "/vendor/../../outside.txt",
        "/vendor/%2e%2e/%2e%2e/outside.txt", "/..%2foutside.txt", "/.secret",
        "/vendor/..\\..\\outside.txt", "/./index.html",       "/%2esecret",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ts_response r;
        CHECK_INT(ts_get(s->port, bad[i], NULL, &r), 0);
        if (r.status != 404)
            fprintf(stderr, "    path %s answered %d\n", bad[i], r.status);
        CHECK_INT(r.status, 404);
        CHECK(r.body == NULL || strstr(r.body, "outside-the-root") == NULL);
        CHECK(r.body == NULL || strstr(r.body, "hidden") == NULL);
        ts_response_free(&r);
    }
}

TEST(me_and_login_list_the_permissions_of_the_role)
{
    struct ts_server *s = web_server();
    CHECK(s != NULL);
    CHECK_INT(ts_user_add(s, "ana", "analyst-password-1", "analyst", "region"), 0);
    char admin[80], analyst[80];
    CHECK_INT(ts_login(s->port, "admin", TS_ADMIN_PASSWORD, admin), 200);
    CHECK_INT(ts_login(s->port, "ana", "analyst-password-1", analyst), 200);

    struct ts_response r;
    CHECK_INT(ts_get(s->port, "/api/me", analyst, &r), 0);
    CHECK_INT(r.status, 200);
    json_t *perms = json_object_get(r.json, "permissions");
    CHECK(json_is_array(perms));
    CHECK_INT(json_array_size(perms), 2);
    CHECK_STR(json_string_value(json_array_get(perms, 0)), "session");
    CHECK_STR(json_string_value(json_array_get(perms, 1)), "aggregate_read");
    ts_response_free(&r);

    CHECK_INT(ts_get(s->port, "/api/me", admin, &r), 0);
    perms = json_object_get(r.json, "permissions");
    bool user_admin = false, record_read = false, public_listed = false;
    for (size_t i = 0; i < json_array_size(perms); i++) {
        const char *p = json_string_value(json_array_get(perms, i));
        user_admin |= strcmp(p, "user_admin") == 0;
        record_read |= strcmp(p, "record_read") == 0;
        public_listed |= strcmp(p, "public") == 0;
    }
    CHECK(user_admin);
    CHECK(record_read);
    CHECK(!public_listed);
    ts_response_free(&r);

    /* The login answer carries the same user object, permissions included. */
    const char *body = "{\"username\":\"ana\",\"password\":\"analyst-password-1\"}";
    CHECK_INT(ts_post(s->port, "/api/login", NULL, body, &r), 0);
    CHECK_INT(r.status, 200);
    json_t *user = json_object_get(r.json, "user");
    CHECK_INT(json_array_size(json_object_get(user, "permissions")), 2);
    ts_response_free(&r);
}

TEST_MAIN()
