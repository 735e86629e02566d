/*
 * http.h - the HTTP transport: a libmicrohttpd server with a thread pool, a route table,
 * request bodies with limits, JSON in and out, static files, and the error model.
 *
 * http/ knows no domain. The application hands it a route table (method, path pattern,
 * handler, permission number) and one authorisation hook; the server calls the hook with the
 * route's permission before every handler, so no handler can forget it. Handlers fill a
 * response or return a negative YL_E* code with a struct yl_err, which the server renders as
 * {"error": {"code", "message", "field"}} in this one place.
 *
 * Memory: each request owns an arena (req->arena), freed when the response is sent; parsed
 * JSON (json_t) is released by the server after the handler returns.
 */
#ifndef YL_HTTP_H
#define YL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/mem.h"

struct yl_err;

enum http_method {
    HTTP_GET = 1,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_OPTIONS,
};

#define HTTP_MAX_PARAMS 8

struct http_request;
struct http_response;

typedef int http_handler_fn(struct http_request *req, struct http_response *res,
                            struct yl_err *err);

/* One API entry. `pattern` segments starting with ':' capture a path parameter
 * ("/api/users/:id"). `perm` is opaque here and given to the authorisation hook. `params`,
 * when set, validates query parameters before the handler runs. */
struct http_route {
    enum http_method method;
    const char *pattern;
    http_handler_fn *handler;
    int perm;
    http_handler_fn *params;
};

/* Called before every routed handler with the route's permission; returns 0 to let the
 * request through (typically after setting req->principal), or YL_EUNAUTH / YL_EFORBIDDEN. */
typedef int http_auth_fn(void *app, struct http_request *req, int perm, struct yl_err *err);

struct http_limits {
    size_t max_body;        /* bytes; default 16 MiB */
    int max_json_depth;     /* default 32 */
    size_t max_string;      /* longest JSON string in bytes; default 64 KiB */
    size_t max_response;    /* default 64 MiB */
};

struct http_options {
    const char *listen;     /* address, default "127.0.0.1" */
    int port;               /* 0 picks a free port; see http_server_port */
    int threads;            /* thread pool size; default the number of cores */
    const char *web_root;   /* static files for paths outside /api; NULL serves none */
    const char *tls_cert;   /* PEM files; both set turns on HTTPS */
    const char *tls_key;
    struct http_limits limits;
    int log_requests;       /* one line per request on stderr */
    int connection_timeout_s;   /* default 30 */
};

struct http_request {
    enum http_method method;
    const char *method_name;
    const char *path;           /* without the query string */
    const char *body;           /* NUL-terminated copy of the body; "" when none */
    size_t body_len;
    char client[64];            /* peer address, text */
    struct arena arena;
    struct http_param {
        const char *name;
        const char *value;
    } params[HTTP_MAX_PARAMS];
    int n_params;
    const struct http_route *route;
    void *app;                  /* the application context given to the server */
    void *principal;            /* set by the auth hook; the app's type */
    json_t *json;               /* parsed body, after http_request_json */
    const struct http_limits *limits;
    int64_t user_id_for_log;    /* set by the app: logged instead of any name */
    void *conn_;                /* transport internals */
};

struct http_stream;

struct http_response {
    int status;
    const char *content_type;
    struct buf body;
    char extra_headers[256];    /* "Name: value\r\n" lines, e.g. Retry-After */
    struct http_stream *stream; /* set by http_reply_events: the body is a live stream */
};

struct http_server;

/* Start serving in background threads. Returns NULL with err set when the address cannot be
 * bound or TLS files cannot be read. `routes` must outlive the server. */
struct http_server *http_server_start(const struct http_options *opt,
                                       const struct http_route *routes, size_t n_routes,
                                       http_auth_fn *auth, void *app, struct yl_err *err);
int http_server_port(const struct http_server *s);
bool http_server_is_tls(const struct http_server *s);
/* Stop accepting, let requests in handlers finish, free. NULL does nothing. */
void http_server_stop(struct http_server *s);

/* Request accessors. Strings are owned by the request. */
const char *http_header(struct http_request *req, const char *name);
const char *http_query(struct http_request *req, const char *name);
const char *http_path_param(struct http_request *req, const char *name);

/* Parse the body as a JSON object (once; later calls return the same). YL_EJSON when it is
 * not JSON, not an object, or nests deeper than the limit; YL_EINVAL naming the field when a
 * string is longer than the limit; YL_EUNSUPP when Content-Type is set and not
 * application/json. */
int http_request_json(struct http_request *req, json_t **out, struct yl_err *err);

/* The same checks on any text: a new reference in *out (json_decref it) or NULL. */
int http_json_parse(const char *text, size_t n, const struct http_limits *limits,
                    json_t **out, struct yl_err *err);

/* Reading fields of a JSON object with the field named on error. A string must be valid
 * UTF-8 of at most max_len bytes (and at least min_len); `required` false lets a missing
 * field or null give *out = NULL / the default. */
int http_json_str(json_t *obj, const char *field, size_t min_len, size_t max_len,
                  bool required, const char **out, struct yl_err *err);
int http_json_int(json_t *obj, const char *field, int64_t min, int64_t max, bool required,
                  int64_t *out, struct yl_err *err);
int http_json_bool(json_t *obj, const char *field, bool required, int *out,
                   struct yl_err *err);
/* Refuse any field of obj not in the NULL-terminated list: a misspelt field is an error,
 * not silently ignored. */
int http_json_only(json_t *obj, const char *const *allowed, struct yl_err *err);

/* The body as a JSON object holding only the fields named in `allowed` (NULL-terminated):
 * http_request_json and http_json_only in one, what almost every write handler starts with. */
int http_request_object(struct http_request *req, const char *const *allowed, json_t **out,
                        struct yl_err *err);

/* Query parameters as numbers, with the parameter named on error. */
int http_query_int(struct http_request *req, const char *name, int64_t min, int64_t max,
                   int64_t dflt, int64_t *out, struct yl_err *err);

/* Responses. http_reply_json takes ownership of `v` (json_decref). */
int http_reply_json(struct http_response *res, int status, json_t *v);
int http_reply_text(struct http_response *res, int status, const char *content_type,
                    const char *text);
void http_add_header(struct http_response *res, const char *name, const char *value);
/* Render an error as the JSON error body (status from the code). */
void http_reply_error(struct http_response *res, const struct yl_err *err);

/* Cursor pagination: a cursor is an opaque string for the client, here the base64url of a
 * decimal key. `limit` defaults to 50 and may not pass 1000. */
int http_page_params(struct http_request *req, int *limit, int64_t *after,
                     struct yl_err *err);
/* Encode key as a cursor into out (at least 32 bytes), and decode one back. */
char *http_page_cursor(int64_t key, char *out, size_t n);
int http_page_cursor_decode(const char *cursor, int64_t *key, struct yl_err *err);

const char *http_method_name(enum http_method m);

/*
 * Server-sent events (text/event-stream). A hub holds the open streams; a handler answers
 * with http_reply_events and the connection stays open, suspended in libmicrohttpd while
 * there is nothing to send (no pool thread waits and nothing spins), resumed when an event
 * is published. Each stream has a key prefix and receives the events whose key starts
 * with it (an org unit subtree). A stream whose client lags by more than 1 MiB is ended.
 * Lifetime: http_events_close before http_server_stop (it ends every stream, so the
 * server's shutdown does not wait for them), http_events_free after.
 */
struct http_events;
struct http_events *http_events_new(void);
/* Send "id: ID\nevent: NAME\ndata: DATA\n\n" to the streams whose prefix `key` starts
 * with. DATA is one line (JSON). Returns how many streams got it. */
int http_events_publish(struct http_events *h, int64_t id, const char *name, const char *key,
                        const char *data);
/* A comment line to every stream, so a client that went away is noticed. */
void http_events_ping(struct http_events *h);
/* Streams open now. */
int http_events_count(struct http_events *h);
void http_events_close(struct http_events *h);
void http_events_free(struct http_events *h);
/* In a handler: answer 200 with a stream of h's events under `prefix` (copied). YL_EBUSY
 * when the hub is closed. */
int http_reply_events(struct http_request *req, struct http_response *res,
                      struct http_events *h, const char *prefix, struct yl_err *err);

/* Route matching, exposed for tests: the route for method and path, with parameters filled
 * into req; NULL with *method_mismatch set when the path exists under another method. */
struct http_router;
struct http_router *http_router_new(const struct http_route *routes, size_t n);
void http_router_free(struct http_router *r);
const struct http_route *http_router_match(const struct http_router *r, enum http_method m,
                                           const char *path, struct http_request *req,
                                           bool *method_mismatch);

#endif
