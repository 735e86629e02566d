/*
 * auth.c - POST /api/login, POST /api/logout, GET /api/me, PUT /api/me/password.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/api_int.h"
#include "core/err.h"

int api_login(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"username", "password", NULL};
    json_t *body;
    const char *username, *password;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "username", 1, ACCT_NAME_MAX, true, &username, err);
    if (rc == 0)
        rc = http_json_str(body, "password", 1, 128, true, &password, err);
    if (rc != 0)
        return rc;
    char token[ACCT_TOKEN_HEX];
    int64_t expires_at = 0;
    int retry_after = 0;
    struct acct_principal who;
    rc = acct_login(a->acct, username, password, req->client, token, &expires_at, &retry_after,
                    &who, err);
    if (rc == YL_ETHROTTLE) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", retry_after);
        http_add_header(res, "Retry-After", secs);
    }
    if (rc != 0)
        return rc;
    req->user_id_for_log = who.user_id;
    json_t *o = json_object();
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "expires_at", api_json_time(expires_at));
    json_object_set_new(o, "user", api_principal_json(&who));
    return http_reply_json(res, 200, o);
}

int api_logout(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int rc = acct_logout(a->acct, api_principal(req), req->client, err);
    if (rc != 0)
        return rc;
    res->status = 204;
    return 0;
}

int api_me(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return http_reply_json(res, 200, api_principal_json(api_principal(req)));
}

int api_me_password(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct acct_principal *p = api_principal(req);
    static const char *const fields[] = {"current_password", "new_password", NULL};
    json_t *body;
    const char *current, *next;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "current_password", 1, 128, true, &current, err);
    if (rc == 0)
        rc = http_json_str(body, "new_password", 1, 128, true, &next, err);
    if (rc != 0)
        return rc;
    /* Prove the current password the same way a login does, throttling included. */
    int retry_after;
    struct yl_err check = {0};
    rc = acct_verify_password(a->acct, p->username, current, req->client, &retry_after, &check);
    if (rc == YL_EUNAUTH)
        return yl_err_set(err, YL_EINVAL, "current_password", "current password is wrong");
    if (rc == YL_ETHROTTLE) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", retry_after);
        http_add_header(res, "Retry-After", secs);
    }
    if (rc != 0)
        return yl_err_set(err, rc, NULL, "%s", yl_err_message(&check));
    struct audit_actor who;
    api_actor(req, &who);
    rc = acct_user_set_password(a->acct, p->user_id, next, &who, err);
    if (rc != 0)
        return rc;
    res->status = 204;
    return 0;
}
