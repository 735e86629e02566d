/*
 * experts.c - expert clinics over the API: sessions, bookings, attendance and the county's
 * figures. JSON in, one call into experts/, JSON out. Who may schedule (the host's admin)
 * and whom a doctor may book (their residents) is decided in experts/, not here; a session's
 * booking list is person data and its read is audited.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "experts/experts.h"

/* --- rendering --------------------------------------------------------------------------- */

static json_t *day_json(int32_t d)
{
    char text[DATE_STR_LEN];
    return d == DATE_INVALID ? json_null() : json_string(date_format(d, text));
}

static json_t *session_json(const struct expert_session *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(x->id));
    json_object_set_new(o, "external_id",
                        x->external_id[0] ? json_string(x->external_id) : json_null());
    json_object_set_new(o, "expert_code", json_string(x->expert_code));
    json_object_set_new(o, "expert_name", json_string(x->expert_name));
    json_object_set_new(o, "expert_facility", json_string(x->expert_facility));
    json_object_set_new(o, "host_code", json_string(x->host_code));
    json_object_set_new(o, "host_name", json_string(x->host_name));
    json_object_set_new(o, "day", day_json(x->day));
    json_object_set_new(o, "start_time", json_string(x->start_time));
    json_object_set_new(o, "end_time", json_string(x->end_time));
    json_object_set_new(o, "capacity", json_integer(x->capacity));
    json_object_set_new(o, "booked", json_integer(x->booked));
    json_object_set_new(o, "places_left", json_integer(x->capacity - x->booked));
    json_object_set_new(o, "attended", json_integer(x->attended));
    json_object_set_new(o, "status", json_string(x->status));
    json_object_set_new(o, "created_at", json_string(x->created_at));
    return o;
}

static json_t *booking_json(const struct expert_booking *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(b->id));
    json_object_set_new(o, "resident_id", json_integer(b->resident_id));
    json_object_set_new(o, "id_number", json_string(b->id_number_masked));
    json_object_set_new(o, "name", json_string(b->name));
    json_object_set_new(o, "sex", json_integer(b->sex));
    json_object_set_new(o, "birth_date", json_string(b->birth_date));
    json_object_set_new(o, "ou_code", json_string(b->ou_code));
    json_object_set_new(o, "status", json_string(b->status));
    json_object_set_new(o, "booked_by", json_string(b->booked_by));
    json_object_set_new(o, "created_at", json_string(b->created_at));
    return o;
}

static json_t *stats_json(const struct expert_stat *rows, size_t n, bool expert)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, expert ? "expert_code" : "host_code", json_string(rows[i].code));
        json_object_set_new(o, "name", json_string(rows[i].name));
        if (expert)
            json_object_set_new(o, "facility_code", json_string(rows[i].facility_code));
        json_object_set_new(o, "sessions_held", json_integer(rows[i].sessions_held));
        json_object_set_new(o, "patients_seen", json_integer(rows[i].patients_seen));
        json_object_set_new(o, "procedures", json_integer(rows[i].procedures));
        json_array_append_new(items, o);
    }
    return items;
}

static void who_of(struct http_request *req, struct audit_actor *actor, struct expert_who *who)
{
    api_actor(req, actor);
    who->principal = api_principal(req);
    who->actor = actor;
}

/* --- input ------------------------------------------------------------------------------- */

/* A "YYYY-MM-DD" query parameter; DATE_INVALID when absent. */
static int query_day(struct http_request *req, const char *name, int32_t *out, struct yl_err *err)
{
    const char *s = http_query(req, name);
    *out = DATE_INVALID;
    if (s == NULL || s[0] == '\0')
        return 0;
    return date_parse(s, strlen(s), out, name, err);
}

static int session_input(json_t *body, struct expert_session_input *in, struct yl_err *err)
{
    const char *day = NULL;
    memset(in, 0, sizeof(*in));
    in->day = DATE_INVALID;
    int rc = http_json_str(body, "external_id", 1, EXPERT_EXTERNAL_MAX, false, &in->external_id,
                           err);
    if (rc == 0)
        rc = http_json_str(body, "expert_code", 1, EXPERT_CODE_MAX, true, &in->expert_code, err);
    if (rc == 0)
        rc = http_json_str(body, "host_code", 1, EXPERT_CODE_MAX, true, &in->host_code, err);
    if (rc == 0)
        rc = http_json_str(body, "day", 10, 10, true, &day, err);
    if (rc == 0)
        rc = date_parse(day, strlen(day), &in->day, "day", err);
    if (rc == 0)
        rc = http_json_str(body, "start_time", 5, 5, true, &in->start_time, err);
    if (rc == 0)
        rc = http_json_str(body, "end_time", 5, 5, true, &in->end_time, err);
    if (rc == 0)
        rc = http_json_int(body, "capacity", 1, EXPERT_CAPACITY_MAX, true, &in->capacity, err);
    return rc;
}

/* --- sessions ---------------------------------------------------------------------------- */

/* Session `id`, with the bookings the caller may see (their read audited). */
static int reply_session(struct http_request *req, struct http_response *res, int64_t id,
                         int status, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct expert_session x;
    struct expert_booking *bookings;
    int rc = expert_session_get(a->store, id, &req->arena, &x, err);
    if (rc != 0)
        return rc;
    int n = expert_booking_list(a->store, id, api_principal(req), &req->arena, &bookings, err);
    if (n < 0)
        return n;
    json_t *o = session_json(&x);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, booking_json(&bookings[i]));
    json_object_set_new(o, "bookings", items);
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    if (n > 0)
        api_audit_read(req, "list", "booking", text);
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof(loc), "/api/expert-sessions/%s", text);
        http_add_header(res, "Location", loc);
    }
    return http_reply_json(res, status, o);
}

int api_expert_session_create(struct http_request *req, struct http_response *res,
                              struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"external_id", "expert_code", "host_code", "day",
                                         "start_time",  "end_time",    "capacity",  NULL};
    json_t *body;
    struct expert_session_input in;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = session_input(body, &in, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct expert_who who;
    who_of(req, &actor, &who);
    int64_t id;
    rc = expert_session_create(a->store, &in, &who, &id, err);
    if (rc != 0)
        return rc;
    return reply_session(req, res, id, 201, err);
}

int api_expert_session_list(struct http_request *req, struct http_response *res,
                            struct yl_err *err)
{
    struct api_app *a = req->app;
    struct expert_session_filter f = {
        .host_code = http_query(req, "host"),
        .expert_code = http_query(req, "expert"),
    };
    int rc = http_page_params(req, &f.limit, &f.after_id, err);
    if (rc == 0)
        rc = query_day(req, "from", &f.from_day, err);
    if (rc == 0)
        rc = query_day(req, "to", &f.to_day, err);
    if (rc != 0)
        return rc;
    /* One more than asked tells whether another page follows. */
    f.limit++;
    struct expert_session *rows = arena_alloc(&req->arena, sizeof(*rows) * (size_t)f.limit);
    int n = expert_session_list(a->store, &f, &req->arena, rows, err);
    if (n < 0)
        return n;
    json_t *items = json_array();
    for (int i = 0; i < n && i < f.limit - 1; i++)
        json_array_append_new(items, session_json(&rows[i]));
    bool more = n == f.limit;
    char cursor[32];
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(
        o, "next",
        more ? json_string(http_page_cursor(rows[f.limit - 2].id, cursor, sizeof(cursor)))
             : json_null());
    return http_reply_json(res, 200, o);
}

int api_expert_session_get(struct http_request *req, struct http_response *res,
                           struct yl_err *err)
{
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    return reply_session(req, res, id, 200, err);
}

int api_expert_session_cancel(struct http_request *req, struct http_response *res,
                              struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct expert_who who;
    who_of(req, &actor, &who);
    rc = expert_session_cancel(a->store, id, &who, err);
    if (rc != 0)
        return rc;
    return reply_session(req, res, id, 200, err);
}

int api_expert_stats(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int32_t from, to;
    int rc = query_day(req, "from", &from, err);
    if (rc == 0)
        rc = query_day(req, "to", &to, err);
    if (rc != 0)
        return rc;
    struct expert_stats st;
    rc = expert_stats(a->store, from, to, &req->arena, &st, err);
    if (rc != 0)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "from", day_json(from));
    json_object_set_new(o, "to", day_json(to));
    json_object_set_new(o, "sessions_held", json_integer(st.sessions_held));
    json_object_set_new(o, "patients_seen", json_integer(st.patients_seen));
    json_object_set_new(o, "procedures", json_integer(st.procedures));
    json_object_set_new(o, "by_expert", stats_json(st.by_expert, st.n_by_expert, true));
    json_object_set_new(o, "by_host", stats_json(st.by_host, st.n_by_host, false));
    return http_reply_json(res, 200, o);
}

/* --- bookings ---------------------------------------------------------------------------- */

int api_expert_book(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"resident_id", NULL};
    int64_t session_id, resident_id = 0;
    json_t *body;
    int rc = api_path_id(req, "id", &session_id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, true, &resident_id, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct expert_who who;
    who_of(req, &actor, &who);
    int64_t id;
    rc = expert_book(a->store, session_id, resident_id, &who, &id, err);
    if (rc != 0)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "session_id", json_integer(session_id));
    json_object_set_new(o, "resident_id", json_integer(resident_id));
    json_object_set_new(o, "status", json_string("booked"));
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/expert-sessions/%lld", (long long)session_id);
    http_add_header(res, "Location", loc);
    return http_reply_json(res, 201, o);
}

static json_t *booking_status_json(int64_t id, const char *status)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "status", json_string(status));
    return o;
}

int api_booking_cancel(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct expert_who who;
    who_of(req, &actor, &who);
    rc = expert_booking_cancel(a->store, id, &who, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, booking_status_json(id, "cancelled"));
}

int api_booking_attendance(struct http_request *req, struct http_response *res,
                           struct yl_err *err)
{
    struct api_app *a = req->app;
    static const char *const fields[] = {"status", "procedures", NULL};
    int64_t id, procedures = 0;
    json_t *body;
    const char *status = NULL;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0)
        rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = http_json_str(body, "status", 1, 16, true, &status, err);
    if (rc == 0)
        rc = http_json_int(body, "procedures", 0, EXPERT_PROCEDURES_MAX, false, &procedures,
                           err);
    if (rc != 0)
        return rc;
    enum expert_attendance what;
    if (strcmp(status, "attended") == 0)
        what = EXPERT_ATTENDED;
    else if (strcmp(status, "no_show") == 0)
        what = EXPERT_NO_SHOW;
    else
        return yl_err_set(err, YL_EINVAL, "status", "status must be attended or no_show");
    struct audit_actor actor;
    struct expert_who who;
    who_of(req, &actor, &who);
    rc = expert_booking_attend(a->store, id, what, (int)procedures, &who, err);
    if (rc != 0)
        return rc;
    return http_reply_json(res, 200, booking_status_json(id, status));
}
