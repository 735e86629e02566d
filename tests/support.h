/*
 * support.h - what the tests share: temporary folders, an in-process server on an ephemeral
 * port with a fresh database, and a small HTTP/1.1 client over a plain socket (so tests can
 * also send requests no library client would).
 */
#ifndef YL_TEST_SUPPORT_H
#define YL_TEST_SUPPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "accounts/accounts.h"
#include "api/api.h"
#include "audit/audit.h"
#include "http/http.h"
#include "pindex/pindex.h"
#include "store/store.h"

/* A fresh folder under /tmp (removed at exit); returns its path. */
const char *ts_tmpdir(void);
/* A path inside ts_tmpdir() (static buffer rotation: valid for a few calls). */
const char *ts_path(const char *name);

struct ts_server {
    struct store *store;
    struct acct *acct;
    struct audit_log *audit;
    struct pidx *index;
    struct api_app app;
    struct http_server *http;
    int port;
    char db[512];
    struct svc_protocol *protocol;  /* ts_server_protocol's, freed by ts_server_stop */
};

#define TS_ADMIN_PASSWORD "admin-password-1"

/* Start a server on 127.0.0.1 with a new database holding user "admin" (TS_ADMIN_PASSWORD).
 * `opt` and `aopt` may be NULL for defaults. */
int ts_server_start(struct ts_server *s, const struct http_options *opt,
                    const struct acct_options *aopt);
void ts_server_stop(struct ts_server *s);
/* Give the server the shipped protocol (data/) and load its index from the store: what a
 * test that writes its fixtures straight into SQL does before asking for care plans or
 * worklists. 0 or -1 (with the reason printed). */
int ts_server_protocol(struct ts_server *s);

struct ts_response {
    int status;
    char *body;         /* heap, NUL-terminated */
    size_t body_len;
    char *headers;      /* heap, raw header block */
    json_t *json;       /* parsed body when it is JSON, else NULL */
};

/* Send one request (Connection: close). `token` adds a bearer header; `content_type` NULL
 * means application/json when a body is given. Returns 0, or -1 when the server could not
 * be reached. */
int ts_request(int port, const char *method, const char *path, const char *token,
               const char *content_type, const char *body, size_t body_len,
               struct ts_response *out);
/* Send raw bytes and read whatever comes back. */
int ts_raw(int port, const char *bytes, size_t n, struct ts_response *out);
void ts_response_free(struct ts_response *r);

/* Shorthands: JSON request bodies as text. */
int ts_get(int port, const char *path, const char *token, struct ts_response *out);
int ts_post(int port, const char *path, const char *token, const char *json,
            struct ts_response *out);

/* Log in and copy the token into out (65 bytes); returns the HTTP status. */
int ts_login(int port, const char *user, const char *password, char *out);

/* The error code and field of an error body ("" when absent). */
const char *ts_err_code(const struct ts_response *r);
const char *ts_err_field(const struct ts_response *r);

/* Run SQL straight on a database file (fixtures behind the library's back): 0, or -1 with
 * the message on stderr. */
int ts_sql(const char *db, const char *text);
/* The integer in the first column of the first row of a query; -1 when there is none. */
long ts_sql_count(const char *db, const char *text);

/* A valid 18-character ID number of the demo county (222404) for a birth day and a
 * sequence number (odd: a man, even: a woman), into out (19 bytes). */
void ts_idno(char *out, int32_t day, int seq);

/* Create a user directly through the library as the test's actor. */
int ts_user_add(struct ts_server *s, const char *name, const char *password, const char *role,
                const char *scope);

#endif
