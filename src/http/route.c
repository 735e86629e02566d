/*
 * route.c - matching a method and path against the route table.
 *
 * Patterns are split into segments once at start; a request path is compared segment by
 * segment, ':name' segments capturing. The table is small (tens of routes), so a linear scan
 * is faster than anything cleverer and keeps the order of the table as the order of matching.
 */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/http.h"

#define ROUTE_MAX_SEGS 12

struct compiled_route {
    const struct http_route *route;
    int n_segs;
    const char *segs[ROUTE_MAX_SEGS];   /* into `text` */
    size_t lens[ROUTE_MAX_SEGS];
};

struct http_router {
    struct compiled_route *routes;
    size_t n;
};

/* Split "/a/b/c" into segments; returns the count, or -1 when there are too many. */
static int split_path(const char *path, const char **segs, size_t *lens)
{
    int n = 0;
    const char *p = path;
    while (*p == '/')
        p++;
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == ROUTE_MAX_SEGS)
            return -1;
        segs[n] = p;
        lens[n] = len;
        n++;
        p += len;
        while (*p == '/')
            p++;
    }
    return n;
}

struct http_router *http_router_new(const struct http_route *routes, size_t n)
{
    struct http_router *r = xcalloc(1, sizeof(*r));
    r->routes = xcalloc(n ? n : 1, sizeof(*r->routes));
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        struct compiled_route *c = &r->routes[i];
        c->route = &routes[i];
        c->n_segs = split_path(routes[i].pattern, c->segs, c->lens);
    }
    return r;
}

void http_router_free(struct http_router *r)
{
    if (r == NULL)
        return;
    free(r->routes);
    free(r);
}

static bool segs_match(const struct compiled_route *c, const char **segs, const size_t *lens,
                       int n)
{
    if (c->n_segs != n)
        return false;
    for (int i = 0; i < n; i++) {
        if (c->lens[i] > 0 && c->segs[i][0] == ':') {
            if (lens[i] == 0)
                return false;
            continue;
        }
        if (c->lens[i] != lens[i] || memcmp(c->segs[i], segs[i], lens[i]) != 0)
            return false;
    }
    return true;
}

const struct http_route *http_router_match(const struct http_router *r, enum http_method m,
                                           const char *path, struct http_request *req,
                                           bool *method_mismatch)
{
    const char *segs[ROUTE_MAX_SEGS];
    size_t lens[ROUTE_MAX_SEGS];
    *method_mismatch = false;
    int n = split_path(path, segs, lens);
    if (n < 0)
        return NULL;
    enum http_method want = m == HTTP_HEAD ? HTTP_GET : m;
    for (size_t i = 0; i < r->n; i++) {
        const struct compiled_route *c = &r->routes[i];
        if (!segs_match(c, segs, lens, n))
            continue;
        if (c->route->method != want) {
            *method_mismatch = true;
            continue;
        }
        req->n_params = 0;
        for (int k = 0; k < n && req->n_params < HTTP_MAX_PARAMS; k++) {
            if (c->lens[k] == 0 || c->segs[k][0] != ':')
                continue;
            struct http_param *p = &req->params[req->n_params++];
            p->name = arena_strndup(&req->arena, c->segs[k] + 1, c->lens[k] - 1);
            p->value = arena_strndup(&req->arena, segs[k], lens[k]);
        }
        return c->route;
    }
    return NULL;
}

const char *http_path_param(struct http_request *req, const char *name)
{
    for (int i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}
