/*
 * server.c - libmicrohttpd glue: accept a request, gather its body within the limit, route
 * it, call the authorisation hook and the handler, send the response, log one line.
 *
 * libmicrohttpd calls the access handler several times per request: once with the headers,
 * then once per chunk of body, then once with no more data; the per-request state lives in
 * *con_cls from the first call to the completion callback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "http/http_int.h"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_router *router;
    http_auth_fn *auth;
    void *app;
    struct http_options opt;
    char *web_root;
    char *tls_cert;
    char *tls_key;
    int port;
};

struct request_state {
    struct http_request req;
    struct buf body;
    int too_big;
    int status;
    size_t bytes_out;
    int64_t start_us;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const struct {
    enum http_method m;
    const char *name;
} method_names[] = {
    {HTTP_GET, "GET"},     {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},
    {HTTP_PUT, "PUT"},     {HTTP_PATCH, "PATCH"},   {HTTP_DELETE, "DELETE"},
    {HTTP_OPTIONS, "OPTIONS"},
};

const char *http_method_name(enum http_method m)
{
    for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
        if (method_names[i].m == m)
            return method_names[i].name;
    return "?";
}

static enum http_method method_parse(const char *s)
{
    for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
        if (strcmp(method_names[i].name, s) == 0)
            return method_names[i].m;
    return 0;
}

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn_, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn_, MHD_GET_ARGUMENT_KIND, name);
}

/* --- responses ------------------------------------------------------------------------- */

static void add_extra_headers(struct MHD_Response *r, char *lines)
{
    char *p = lines;
    while (*p != '\0') {
        char *eol = strstr(p, "\r\n");
        if (eol == NULL)
            break;
        *eol = '\0';
        char *colon = strchr(p, ':');
        if (colon != NULL) {
            *colon = '\0';
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            MHD_add_response_header(r, p, v);
        }
        p = eol + 2;
    }
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct request_state *st,
                                     struct http_response *res, int is_api)
{
    size_t len;
    char *data = buf_detach(&res->body, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, data,
                                                                                 free);
    if (r == NULL) {
        free(data);
        return MHD_NO;
    }
    if (res->content_type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (is_api)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    add_extra_headers(r, res->extra_headers);
    st->status = res->status;
    st->bytes_out = len;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A server-sent events stream: the body is pulled from the stream as events arrive. */
static enum MHD_Result send_stream(struct MHD_Connection *conn, struct request_state *st,
                                   struct http_response *res)
{
    struct MHD_Response *r = http_stream_response(res->stream);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    st->status = res->status;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, struct request_state *st,
                                  const struct yl_err *err, int is_api)
{
    struct http_response res = {0};
    buf_init(&res.body, 1 << 16);
    http_reply_error(&res, err);
    return send_response(conn, st, &res, is_api);
}

/* --- static files ---------------------------------------------------------------------- */

static const struct {
    const char *ext;
    const char *type;
} mime_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const char *mime_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot != NULL && i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
        if (strcasecmp(dot, mime_types[i].ext) == 0)
            return mime_types[i].type;
    return "application/octet-stream";
}

/* A path is safe when no segment is "..", "." or hidden (starts with a dot). */
static bool static_path_safe(const char *path)
{
    const char *p = path;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        if (*p == '.')
            return false;
        while (*p != '\0' && *p != '/') {
            if (*p == '\\')
                return false;
            p++;
        }
    }
    return true;
}

/* Whether an Accept-Encoding header admits gzip: a "gzip" or "*" token whose q is not 0. */
static bool accepts_gzip(const char *h)
{
    const char *p = h;
    while (p != NULL && *p != '\0') {
        while (*p == ' ' || *p == ',')
            p++;
        const char *name = p;
        while (*p != '\0' && *p != ',' && *p != ';' && *p != ' ')
            p++;
        size_t n = (size_t)(p - name);
        bool match = (n == 4 && strncasecmp(name, "gzip", 4) == 0) ||
                     (n == 1 && name[0] == '*');
        double q = 1.0;
        const char *end = strchr(p, ',');
        const char *qp = strstr(p, "q=");
        if (qp != NULL && (end == NULL || qp < end))
            q = strtod(qp + 2, NULL);
        if (match && q > 0.0)
            return true;
        p = end;
    }
    return false;
}

/* HTTP-date (RFC 9110 IMF-fixdate) in the C locale whatever the process's locale is. */
static void http_date(time_t t, char *out, size_t n)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Whether If-None-Match names this entity tag (or is "*"). */
static bool etag_listed(const char *h, const char *etag)
{
    if (h == NULL)
        return false;
    if (strcmp(h, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(h, etag); p != NULL; p = strstr(p + 1, etag))
        if (p[n] == '\0' || p[n] == ',' || p[n] == ' ')
            return true;
    return false;
}

/* The precompressed twin of `full` (full.gz, made at build time), opened, when there is one
 * at least as new as the file itself: a stale twin is never sent. -1 when none. */
static int open_gzip_twin(struct arena *a, const char *full, const struct stat *orig,
                          struct stat *gz)
{
    char *path = arena_printf(a, "%s.gz", full);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, gz) != 0 || !S_ISREG(gz->st_mode) ||
        gz->st_mtim.tv_sec < orig->st_mtim.tv_sec ||
        (gz->st_mtim.tv_sec == orig->st_mtim.tv_sec &&
         gz->st_mtim.tv_nsec < orig->st_mtim.tv_nsec)) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Static files. Caching: every answer carries an ETag (size and modification time of the
 * file) and Last-Modified, so a browser revalidates with a 304 rather than downloading
 * again; the npm libraries under /vendor/ change only with a new lock and may be kept a
 * week unasked, everything else is "no-cache" (asked every time, answered 304 when
 * unchanged). Compression: a client that accepts gzip gets file.gz when the build made one
 * (Content-Encoding: gzip; Vary: Accept-Encoding tells caches the answer depends on it).
 */
static enum MHD_Result serve_static(struct http_server *s, struct MHD_Connection *conn,
                                    struct request_state *st)
{
    struct http_request *req = &st->req;
    struct yl_err err = {0};
    if (s->web_root == NULL || !static_path_safe(req->path)) {
        yl_err_set(&err, YL_ENOTFOUND, NULL, "no such page");
        return send_error(conn, st, &err, 0);
    }
    if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
        yl_err_set(&err, YL_EMETHOD, NULL, "static files are read with GET");
        return send_error(conn, st, &err, 0);
    }
    const char *rel = req->path;
    while (*rel == '/')
        rel++;
    char *full = arena_printf(&req->arena, "%s/%s", s->web_root, rel);
    struct stat sb;
    if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
        full = arena_printf(&req->arena, "%s/index.html", full);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        yl_err_set(&err, YL_ENOTFOUND, NULL, "no such page");
        return send_error(conn, st, &err, 0);
    }
    struct stat gz;
    int gz_fd = open_gzip_twin(&req->arena, full, &sb, &gz);
    bool use_gz = gz_fd >= 0 && accepts_gzip(http_header(req, "Accept-Encoding"));
    if (gz_fd >= 0 && !use_gz) {
        close(gz_fd);
    } else if (use_gz) {
        close(fd);
        fd = gz_fd;
    }
    uint64_t size = (uint64_t)(use_gz ? gz.st_size : sb.st_size);

    char etag[96], modified[40];
    snprintf(etag, sizeof(etag), "\"%llx-%llx%s\"", (unsigned long long)sb.st_size,
             (unsigned long long)sb.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)sb.st_mtim.tv_nsec,
             use_gz ? "-gz" : "");
    http_date(sb.st_mtim.tv_sec, modified, sizeof(modified));
    const char *inm = http_header(req, "If-None-Match");
    const char *ims = http_header(req, "If-Modified-Since");
    bool unchanged = inm != NULL ? etag_listed(inm, etag)
                                 : ims != NULL && strcmp(ims, modified) == 0;

    struct MHD_Response *r;
    unsigned status = MHD_HTTP_OK;
    if (unchanged) {
        close(fd);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_MODIFIED;
        size = 0;
    } else {
        r = MHD_create_response_from_fd(size, fd);
        if (r == NULL)
            close(fd);
    }
    if (r == NULL)
        return MHD_NO;
    bool vendor = strncmp(req->path, "/vendor/", 8) == 0;
    if (!unchanged)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_for(full));
    if (use_gz && !unchanged)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (gz_fd >= 0)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            vendor ? "public, max-age=604800" : "no-cache");
    st->status = (int)status;
    st->bytes_out = (size_t)size;
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* --- the API --------------------------------------------------------------------------- */

static enum MHD_Result serve_api(struct http_server *s, struct MHD_Connection *conn,
                                 struct request_state *st)
{
    struct http_request *req = &st->req;
    struct yl_err err = {0};
    bool wrong_method = false;
    const struct http_route *route =
        http_router_match(s->router, req->method, req->path, req, &wrong_method);
    if (route == NULL) {
        if (wrong_method)
            yl_err_set(&err, YL_EMETHOD, NULL, "%s is not allowed here", req->method_name);
        else
            yl_err_set(&err, YL_ENOTFOUND, NULL, "no such endpoint");
        return send_error(conn, st, &err, 1);
    }
    req->route = route;

    struct http_response res = {0};
    buf_init(&res.body, s->opt.limits.max_response);
    res.status = 200;
    int rc = s->auth(s->app, req, route->perm, &err);
    if (rc == 0 && route->params != NULL)
        rc = route->params(req, &res, &err);
    if (rc == 0)
        rc = route->handler(req, &res, &err);
    if (rc == 0 && res.body.failed)
        rc = yl_err_set(&err, YL_ETOOBIG, NULL, "the answer is larger than the server sends; "
                                                 "ask for fewer items");
    if (rc != 0) {
        if (err.code == 0)
            yl_err_set(&err, rc, NULL, NULL);
        if (yl_err_http_status(err.code) >= 500)
            fprintf(stderr, "yilian: %s %s failed: %s\n", req->method_name, req->path,
                    yl_err_message(&err));
        buf_reset(&res.body);
        res.body.failed = 0;
        http_reply_error(&res, &err);
    }
    if (rc == 0 && res.stream != NULL) {
        buf_release(&res.body);
        return send_stream(conn, st, &res);
    }
    enum MHD_Result ret = send_response(conn, st, &res, 1);
    buf_release(&res.body);
    return ret;
}

static bool is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

static void client_text(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "?");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct http_server *s = cls;
    struct request_state *st = *con_cls;
    if (st == NULL) {
        st = xcalloc(1, sizeof(*st));
        *con_cls = st;
        st->start_us = now_us();
        arena_init(&st->req.arena);
        buf_init(&st->body, s->opt.limits.max_body);
        st->req.conn_ = conn;
        st->req.app = s->app;
        st->req.limits = &s->opt.limits;
        st->req.method = method_parse(method);
        st->req.method_name = arena_strdup(&st->req.arena, method);
        st->req.path = arena_strdup(&st->req.arena, url);
        client_text(conn, st->req.client, sizeof(st->req.client));
        if (st->req.method == 0) {
            struct yl_err err = {0};
            yl_err_set(&err, YL_EMETHOD, NULL, "method not supported");
            return send_error(conn, st, &err, is_api_path(url));
        }
        /* Refuse a declared oversize body before reading a byte of it. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > s->opt.limits.max_body) {
            struct yl_err err = {0};
            yl_err_set(&err, YL_ETOOBIG, NULL, "the body is larger than %zu bytes",
                       s->opt.limits.max_body);
            return send_error(conn, st, &err, is_api_path(url));
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!st->too_big && buf_append(&st->body, upload_data, *upload_data_size) != 0)
            st->too_big = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->too_big) {
        struct yl_err err = {0};
        yl_err_set(&err, YL_ETOOBIG, NULL, "the body is larger than %zu bytes",
                   s->opt.limits.max_body);
        return send_error(conn, st, &err, is_api_path(url));
    }
    st->req.body = st->body.data ? st->body.data : "";
    st->req.body_len = st->body.len;
    if (is_api_path(st->req.path))
        return serve_api(s, conn, st);
    return serve_static(s, conn, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct request_state *st = *con_cls;
    if (st == NULL)
        return;
    if (s->opt.log_requests) {
        /* Path only: query strings may carry search terms (names, phones). */
        char when[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        double ms = (double)(now_us() - st->start_us) / 1000.0;
        fprintf(stderr, "%s %s %s %d %zuB %.1fms user=%" PRId64 "%s\n", when,
                st->req.method_name ? st->req.method_name : "?",
                st->req.path ? st->req.path : "?", st->status, st->bytes_out, ms,
                st->req.user_id_for_log,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    if (st->req.json != NULL)
        json_decref(st->req.json);
    buf_release(&st->body);
    arena_release(&st->req.arena);
    free(st);
    *con_cls = NULL;
}

/* --- lifecycle ------------------------------------------------------------------------- */

static char *read_file(const char *path, struct yl_err *err, const char *field)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        yl_err_set(err, YL_EIO, field, "cannot read \"%s\"", path);
        return NULL;
    }
    struct buf b;
    buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(&b, chunk, n) != 0)
            break;
    fclose(f);
    if (b.failed) {
        buf_release(&b);
        yl_err_set(err, YL_EIO, field, "\"%s\" is too large for a PEM file", path);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

static void set_defaults(struct http_options *o)
{
    if (o->listen == NULL)
        o->listen = "127.0.0.1";
    if (o->threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = n > 0 ? (int)n : 2;
    }
    if (o->limits.max_body == 0)
        o->limits.max_body = 16u << 20;
    if (o->limits.max_json_depth <= 0)
        o->limits.max_json_depth = 32;
    if (o->limits.max_string == 0)
        o->limits.max_string = 64u << 10;
    if (o->limits.max_response == 0)
        o->limits.max_response = 64u << 20;
    if (o->connection_timeout_s <= 0)
        o->connection_timeout_s = 30;
}

struct http_server *http_server_start(const struct http_options *opt,
                                       const struct http_route *routes, size_t n_routes,
                                       http_auth_fn *auth, void *app, struct yl_err *err)
{
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->opt = *opt;
    set_defaults(&s->opt);
    s->auth = auth;
    s->app = app;
    s->router = http_router_new(routes, n_routes);
    if (opt->web_root != NULL) {
        s->web_root = realpath(opt->web_root, NULL);
        if (s->web_root == NULL)
            fprintf(stderr, "yilian: web root \"%s\" not found; serving the API only\n",
                    opt->web_root);
    }

    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
    } addr;
    memset(&addr, 0, sizeof(addr));
    /* Suspend and resume let a server-sent events stream wait without a thread. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (inet_pton(AF_INET, s->opt.listen, &addr.in4.sin_addr) == 1) {
        addr.in4.sin_family = AF_INET;
        addr.in4.sin_port = htons((uint16_t)s->opt.port);
    } else if (inet_pton(AF_INET6, s->opt.listen, &addr.in6.sin6_addr) == 1) {
        addr.in6.sin6_family = AF_INET6;
        addr.in6.sin6_port = htons((uint16_t)s->opt.port);
        flags |= MHD_USE_IPv6;
    } else {
        yl_err_set(err, YL_EINVAL, "listen", "listen address \"%s\" is not an IP address",
                   s->opt.listen);
        goto fail;
    }

    if ((opt->tls_cert != NULL) != (opt->tls_key != NULL)) {
        yl_err_set(err, YL_EINVAL, opt->tls_cert ? "tls_key" : "tls_cert",
                   "HTTPS needs both a certificate and a key");
        goto fail;
    }
    if (opt->tls_cert != NULL) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            yl_err_set(err, YL_EINVAL, "tls_cert", "this libmicrohttpd was built without TLS");
            goto fail;
        }
        s->tls_cert = read_file(opt->tls_cert, err, "tls_cert");
        s->tls_key = s->tls_cert ? read_file(opt->tls_key, err, "tls_key") : NULL;
        if (s->tls_key == NULL)
            goto fail;
        flags |= MHD_USE_TLS;
    }

    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)s->opt.port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &addr.sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->opt.threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->opt.connection_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_ARRAY,
        s->tls_cert ? tls_opts : tls_opts + 2, MHD_OPTION_END);
    if (s->daemon == NULL) {
        yl_err_set(err, YL_EIO, "listen", "cannot listen on %s port %d (in use, or no right)",
                   s->opt.listen, s->opt.port);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->opt.port;
    return s;
fail:
    http_server_stop(s);
    return NULL;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

bool http_server_is_tls(const struct http_server *s)
{
    return s->tls_cert != NULL;
}

void http_server_stop(struct http_server *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL) {
        /* Stop accepting, then give open requests up to five seconds to finish before the
         * remaining connections are closed. */
        MHD_socket lfd = MHD_quiesce_daemon(s->daemon);
        if (lfd != MHD_INVALID_SOCKET)
            close(lfd);
        for (int i = 0; i < 500; i++) {
            const union MHD_DaemonInfo *di =
                MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
            if (di == NULL || di->num_connections == 0)
                break;
            usleep(10000);
        }
        MHD_stop_daemon(s->daemon);
    }
    http_router_free(s->router);
    free(s->web_root);
    free(s->tls_cert);
    free(s->tls_key);
    free(s);
}
