/*
 * audit.c - GET /api/audit: the audit trail, newest first, for admins, filtered by user,
 * resource and time.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"

static int time_param(struct http_request *req, const char *name, const char **out,
                      struct yl_err *err)
{
    const char *s = http_query(req, name);
    *out = s;
    if (s == NULL || s[0] == '\0')
        return 0;
    /* A date or an RFC 3339 time: compared as text, which orders correctly in UTC. */
    size_t n = strlen(s);
    if (n < 10 || n > 30 || s[4] != '-' || s[7] != '-')
        return yl_err_set(err, YL_EINVAL, name,
                          "%s must be a date (YYYY-MM-DD) or a UTC time (RFC 3339)", name);
    return 0;
}

int api_audit_list(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct audit_filter f = {0};
    int limit;
    int64_t before;
    int rc = http_page_params(req, &limit, &before, err);
    if (rc == 0)
        rc = time_param(req, "from", &f.from, err);
    if (rc == 0)
        rc = time_param(req, "to", &f.to, err);
    if (rc != 0)
        return rc;
    f.username = http_query(req, "user");
    f.resource_type = http_query(req, "resource_type");
    f.resource_id = http_query(req, "resource_id");
    f.before_seq = before;
    f.limit = limit + 1;
    struct audit_record *recs = arena_alloc(&req->arena, sizeof(*recs) * (size_t)f.limit);
    int n = audit_list(a->store, &f, recs, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++) {
        const struct audit_record *r = &recs[i];
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer(r->seq));
        json_object_set_new(o, "at", json_string(r->at));
        json_object_set_new(o, "user_id", r->user_id ? json_integer(r->user_id) : json_null());
        json_object_set_new(o, "username", json_string(r->username));
        json_object_set_new(o, "role", json_string(r->role));
        json_object_set_new(o, "action", json_string(r->action));
        json_object_set_new(o, "resource_type", json_string(r->resource_type));
        json_object_set_new(o, "resource_id", json_string(r->resource_id));
        json_object_set_new(o, "client", json_string(r->client));
        json_object_set_new(o, "outcome", json_string(r->outcome));
        json_object_set_new(o, "hash", json_string(r->hash));
        json_array_append_new(items, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > limit ? json_string(http_page_cursor(
                                                   recs[limit - 1].seq, cursor, sizeof(cursor)))
                                             : json_null());
    api_audit_read(req, "list", "audit", "");
    return http_reply_json(res, 200, o);
}
