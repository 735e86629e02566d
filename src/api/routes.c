/*
 * routes.c - the whole API surface on one screen, and the authorisation every route passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/err.h"

static const struct http_route routes[] = {
    {HTTP_GET,   "/api/health",              api_health,        PERM_PUBLIC,     NULL},
    {HTTP_POST,  "/api/login",               api_login,         PERM_PUBLIC,     NULL},
    {HTTP_POST,  "/api/logout",              api_logout,        PERM_SESSION,    NULL},
    {HTTP_GET,   "/api/me",                  api_me,            PERM_SESSION,    NULL},
    {HTTP_PUT,   "/api/me/password",         api_me_password,   PERM_SESSION,    NULL},
    {HTTP_GET,   "/api/users",               api_user_list,     PERM_USER_ADMIN, NULL},
    {HTTP_POST,  "/api/users",               api_user_create,   PERM_USER_ADMIN, NULL},
    {HTTP_GET,   "/api/users/:id",           api_user_get,      PERM_USER_ADMIN, NULL},
    {HTTP_PATCH, "/api/users/:id",           api_user_update,   PERM_USER_ADMIN, NULL},
    {HTTP_PUT,   "/api/users/:id/password",  api_user_password, PERM_USER_ADMIN, NULL},
    {HTTP_GET,   "/api/audit",               api_audit_list,    PERM_AUDIT_READ, NULL},
    /* registry */
    /* residents */
    /* contracts */
    /* indicators */
};

const struct http_route *api_routes(size_t *n)
{
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}

int api_authorize(void *app, struct http_request *req, int perm, struct yl_err *err)
{
    struct api_app *a = app;
    if (perm == PERM_PUBLIC)
        return 0;
    const char *h = http_header(req, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return yl_err_set(err, YL_EUNAUTH, NULL, "log in and send the token as "
                                                 "\"Authorization: Bearer TOKEN\"");
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    struct acct_principal *p = arena_zalloc(&req->arena, sizeof(*p));
    int rc = acct_authenticate(a->acct, token, p, err);
    if (rc != 0)
        return rc;
    req->principal = p;
    req->user_id_for_log = p->user_id;
    if (!acct_role_has(p->role, (enum acct_perm)perm))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not do this (needs %s)",
                          acct_role_name(p->role), acct_perm_name((enum acct_perm)perm));
    return 0;
}

struct acct_principal *api_principal(struct http_request *req)
{
    return req->principal;
}

void api_actor(struct http_request *req, struct audit_actor *out)
{
    struct acct_principal *p = req->principal;
    out->user_id = p ? p->user_id : 0;
    out->username = p ? p->username : "";
    out->role = p ? acct_role_name(p->role) : "";
    out->client = req->client;
}

void api_audit_read(struct http_request *req, const char *action, const char *type,
                    const char *id)
{
    struct api_app *a = req->app;
    struct audit_actor who;
    api_actor(req, &who);
    struct audit_event ev = {action, type, id, "ok"};
    audit_log_read(a->audit, &who, &ev);
}

int api_path_id(struct http_request *req, const char *name, int64_t *out, struct yl_err *err)
{
    const char *s = http_path_param(req, name);
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (s == NULL || end == s || *end != '\0' || v <= 0)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such record");
    *out = v;
    return 0;
}
