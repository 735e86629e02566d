/*
 * health.c - GET /api/health, for monitoring: answers without a login and without touching
 * the store, so it measures the server itself.
 */
#include <time.h>

#include "api/api.h"

int api_health(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "version", json_string(a->version));
    json_object_set_new(o, "schema", json_integer(a->schema_version));
    json_object_set_new(o, "uptime_s", json_integer((json_int_t)(time(NULL) - a->started)));
    return http_reply_json(res, 200, o);
}
