/*
 * fuzz_route.c - libFuzzer target for route matching: any path against the real route table
 * must match at most one route, with parameters that are non-empty path segments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_router *router;
    if (router == NULL) {
        size_t n;
        const struct http_route *routes = api_routes(&n);
        router = http_router_new(routes, n);
    }
    if (size == 0)
        return 0;
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    struct http_request req;
    memset(&req, 0, sizeof(req));
    arena_init(&req.arena);
    bool mismatch;
    enum http_method m = (enum http_method)(1 + data[0] % 7);
    const struct http_route *r = http_router_match(router, m, path, &req, &mismatch);
    if (r != NULL) {
        for (int i = 0; i < req.n_params; i++)
            if (req.params[i].value[0] == '\0' || strchr(req.params[i].value, '/') != NULL)
                abort();
    }
    arena_release(&req.arena);
    free(path);
    return 0;
}
