/*
 * users.c - user administration over the API (admins only): list, create, read, change,
 * set a password. Users are people, so reads are audited like any other person's data.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/api_int.h"
#include "core/err.h"
#include "core/mem.h"

json_t *api_json_time(int64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    char out[32];
    gmtime_r(&t, &tm);
    strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(out);
}

json_t *api_principal_json(const struct acct_principal *p)
{
    char scope[64];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->user_id));
    json_object_set_new(o, "username", json_string(p->username));
    json_object_set_new(o, "role", json_string(acct_role_name(p->role)));
    json_object_set_new(o, "scope", json_string(acct_scope_format(&p->scope, scope,
                                                                  sizeof(scope))));
    /* What the role may do, by the names routes require, so a client (the dashboard's menu)
     * offers only what the server would allow instead of keeping its own copy of roles.c. */
    json_t *perms = json_array();
    static const enum acct_perm all[] = {
#define API_PERM_ITEM(name, bit, text) PERM_##name,
        ACCT_PERM_LIST(API_PERM_ITEM)
#undef API_PERM_ITEM
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (all[i] != PERM_PUBLIC && acct_role_has(p->role, all[i]))
            json_array_append_new(perms, json_string(acct_perm_name(all[i])));
    json_object_set_new(o, "permissions", perms);
    return o;
}

json_t *api_user_json(const struct acct_user *u)
{
    char scope[64];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "username", json_string(u->username));
    json_object_set_new(o, "display_name", json_string(u->display_name));
    json_object_set_new(o, "role", json_string(acct_role_name(u->role)));
    json_object_set_new(o, "scope", json_string(acct_scope_format(&u->scope, scope,
                                                                  sizeof(scope))));
    json_object_set_new(o, "disabled", json_boolean(u->disabled));
    json_object_set_new(o, "created_at", json_string(u->created_at));
    json_object_set_new(o, "updated_at", json_string(u->updated_at));
    return o;
}

int api_user_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int limit;
    int64_t after;
    int rc = http_page_params(req, &limit, &after, err);
    if (rc != 0)
        return rc;
    const char *role = http_query(req, "role");
    if (role != NULL && role[0] != '\0' && acct_role_parse(role) == ROLE_NONE)
        return yl_err_set(err, YL_EINVAL, "role", "unknown role");
    /* One more than asked tells whether another page follows. */
    struct acct_user *users = arena_alloc(&req->arena, sizeof(*users) * (size_t)(limit + 1));
    int n = acct_user_list(a->acct, after, role ? role : "", limit + 1, users, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(items, api_user_json(&users[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    if (n > limit) {
        char cursor[32];
        json_object_set_new(o, "next", json_string(http_page_cursor(users[limit - 1].id, cursor,
                                                                    sizeof(cursor))));
    } else {
        json_object_set_new(o, "next", json_null());
    }
    api_audit_read(req, "list", "user", "");
    return http_reply_json(res, 200, o);
}

int api_user_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"username", "password", "display_name", "role",
                                         "scope", NULL};
    json_t *body;
    struct acct_user_input in = {0};
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "username", 0, ACCT_NAME_MAX, true, &in.username, err);
    if (rc == 0)
        rc = http_json_str(body, "password", 0, 128, true, &in.password, err);
    if (rc == 0)
        rc = http_json_str(body, "display_name", 0, ACCT_DISPLAY_MAX * 4, false,
                           &in.display_name, err);
    if (rc == 0)
        rc = http_json_str(body, "role", 1, 32, true, &in.role, err);
    if (rc == 0)
        rc = http_json_str(body, "scope", 0, 48, false, &in.scope, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    int64_t id;
    rc = acct_user_create(a->acct, &in, &who, &id, err);
    if (rc != 0)
        return rc;
    struct acct_user u;
    rc = acct_user_get(a->acct, id, &u, err);
    if (rc != 0)
        return rc;
    char loc[48];
    snprintf(loc, sizeof(loc), "/api/users/%lld", (long long)id);
    http_add_header(res, "Location", loc);
    return http_reply_json(res, 201, api_user_json(&u));
}

int api_user_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    struct acct_user u;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = acct_user_get(a->acct, id, &u, err);
    if (rc != 0)
        return rc;
    /* The id as stored, not as spelt in the path ("007", "+7"), so that a search of the
     * trail by id finds every read. */
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    api_audit_read(req, "read", "user", idtext);
    return http_reply_json(res, 200, api_user_json(&u));
}

int api_user_update(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"display_name", "role", "scope", "disabled", NULL};
    int64_t id;
    json_t *body;
    struct acct_user_patch p = {.disabled = -1};
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "display_name", 0, ACCT_DISPLAY_MAX * 4, false,
                           &p.display_name, err);
    if (rc == 0)
        rc = http_json_str(body, "role", 1, 32, false, &p.role, err);
    if (rc == 0)
        rc = http_json_str(body, "scope", 1, 48, false, &p.scope, err);
    if (rc == 0)
        rc = http_json_bool(body, "disabled", false, &p.disabled, err);
    if (rc != 0)
        return rc;
    /* An admin who disables or demotes themselves could lock the region out. */
    struct acct_principal *me = api_principal(req);
    if (id == me->user_id && (p.disabled == 1 || (p.role && strcmp(p.role, "admin") != 0)))
        return yl_err_set(err, YL_EINVAL, p.disabled == 1 ? "disabled" : "role",
                          "you cannot disable or demote your own account");
    struct audit_actor who;
    api_actor(req, &who);
    rc = acct_user_update(a->acct, id, &p, &who, err);
    struct acct_user u;
    if (rc == 0)
        rc = acct_user_get(a->acct, id, &u, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, api_user_json(&u));
}

int api_user_password(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"password", NULL};
    int64_t id;
    json_t *body;
    const char *password;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "password", 0, 128, true, &password, err);
    if (rc != 0)
        return rc;
    struct audit_actor who;
    api_actor(req, &who);
    rc = acct_user_set_password(a->acct, id, password, &who, err);
    if (rc != 0)
        return rc;
    res->status = 204;
    return 0;
}
