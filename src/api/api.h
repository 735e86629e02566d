/*
 * api.h - the HTTP API: the route table and the adapters that join http/ to the domain.
 *
 * Every route names the permission it needs (accounts.h); api_authorize, the server's hook,
 * checks the bearer token and that permission before any handler runs. A handler parses
 * and validates its input, calls one domain function and renders the result; reads of a
 * person's data queue an audit record, writes carry theirs in their own transaction.
 */
#ifndef YL_API_H
#define YL_API_H

#include <stddef.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "http/http.h"

struct store;

/* The application context every handler reaches through req->app. Borrowed pointers; the
 * front end that builds it owns them. */
struct api_app {
    struct store *store;
    struct acct *acct;
    struct audit_log *audit;
    const char *version;
    time_t started;
    int schema_version;
};

/* The route table (static, lives for the program). */
const struct http_route *api_routes(size_t *n);

/* The server's authorisation hook. */
int api_authorize(void *app, struct http_request *req, int perm, struct yl_err *err);

/* For handlers: the caller and an audit actor describing them. */
struct acct_principal *api_principal(struct http_request *req);
void api_actor(struct http_request *req, struct audit_actor *out);
/* Queue an audit record of a read by the caller. */
void api_audit_read(struct http_request *req, const char *action, const char *type,
                    const char *id);

/* Handlers, one file per capability. */
int api_health(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_login(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_logout(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_me(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_me_password(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_password(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_audit_list(struct http_request *req, struct http_response *res, struct yl_err *err);
/* registry handlers */
/* residents handlers */
/* contracts handlers */
/* indicators handlers */

/* Shared by adapters: a path id parameter as a positive integer (YL_ENOTFOUND otherwise,
 * since a malformed id names no record). */
int api_path_id(struct http_request *req, const char *name, int64_t *out, struct yl_err *err);

#endif
