/*
 * test_experts.c - expert clinics end to end on an in-process server: scheduling and its
 * refusals, the capacity rule under 100 concurrent bookings for 20 places, booking refusals
 * by scope and state, cancellation of bookings and sessions, attendance, the booking list as
 * each role sees it, and the county's figures checked by hand.
 *
 * The region (org units, facilities, staff, a team with contracts, residents) is written
 * straight into the migrated database. Tests share one server and run in file order.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "experts/experts.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ fixtures */

static struct ts_server srv;
static bool srv_up;
static char tok_admin[ACCT_TOKEN_HEX], tok_vd[ACCT_TOKEN_HEX], tok_fd[ACCT_TOKEN_HEX];
static char tok_fa[ACCT_TOKEN_HEX], tok_fb[ACCT_TOKEN_HEX], tok_analyst[ACCT_TOKEN_HEX];
static struct ts_response R; /* the last response; freed by the next request */

/* Residents 1..120 live in village A1 (the village doctor's), 121..130 in village B1;
 * residents 1..5 are under contract with team 1 (the family doctor's). */
#define N_RESIDENTS 130

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    srv_up = false;
}

static int sql(const char *text)
{
    return ts_sql(srv.db, text);
}

static long count(const char *text)
{
    return ts_sql_count(srv.db, text);
}

static void make_idno(char out[IDNO_LEN + 1], int n)
{
    char digits[32];
    snprintf(digits, sizeof(digits), "222404%04d%02d%02d%03d", 1950 + n % 40, 1 + n % 12,
             1 + n % 28, n);
    memcpy(out, digits, 17);
    out[17] = idno_check_char(digits);
    out[18] = '\0';
}

static int region(void)
{
    const char *text =
        "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
        " (1, '22', 'Jilin', 1, NULL, 'x'), (2, '2224', 'Yanbian', 2, 1, 'x'),"
        " (3, '222404', 'Hunchun', 3, 2, 'x'), (4, '222404001', 'Township A', 4, 3, 'x'),"
        " (5, '222404001001', 'Village A1', 5, 4, 'x'),"
        " (6, '222404002', 'Township B', 4, 3, 'x'),"
        " (7, '222404002001', 'Village B1', 5, 6, 'x');"
        "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
        " (1, 'H1', 'County hospital', 'county_hospital', 3, 'active', 'x'),"
        " (2, 'TA', 'Township A center', 'township_center', 4, 'active', 'x'),"
        " (3, 'TB', 'Township B center', 'township_center', 6, 'active', 'x'),"
        " (4, 'VA1', 'Village A1 clinic', 'village_clinic', 5, 'active', 'x'),"
        " (5, 'P1', 'Primary hospital', 'primary_hospital', 3, 'active', 'x'),"
        " (6, 'TCM', 'TCM hospital', 'tcm_hospital', 3, 'active', 'x'),"
        " (7, 'OLD', 'Old station', 'community_station', 6, 'closed', 'x');"
        "INSERT INTO staff (id, code, name, role, facility_id, status, updated_at) VALUES"
        " (1, 'S-EXP', 'Cardiologist', 'licensed_physician', 1, 'active', 'x'),"
        " (2, 'S-GP', 'GP A', 'general_practitioner', 2, 'active', 'x'),"
        " (3, 'S-P1', 'Primary doctor', 'licensed_physician', 5, 'active', 'x'),"
        " (4, 'S-TCM', 'TCM expert', 'licensed_physician', 6, 'active', 'x'),"
        " (5, 'S-GONE', 'Retired', 'licensed_physician', 1, 'left', 'x');"
        "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
        " (1, 'TA-1', 'Team A', 2, 'active', 'x');";
    return sql(text);
}

static int residents(void)
{
    size_t cap = 64 + (size_t)N_RESIDENTS * 220;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "BEGIN;");
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char no[IDNO_LEN + 1];
        make_idno(no, id);
        len += (size_t)snprintf(
            text + len, cap - len,
            "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, record_date,"
            " status, updated_at) VALUES (%d, '%s', 'Resident %d', %d, '%.4s-%.2s-%.2s', %d,"
            " '2020-01-01', 'active', 'x');",
            id, no, id, id % 2 ? 1 : 2, no + 6, no + 10, no + 12, id > 120 ? 7 : 5);
    }
    snprintf(text + len, cap - len,
             "INSERT INTO contract (resident_id, team_id, package, from_date, to_date, status,"
             " updated_at) SELECT id, 1, 'basic', '2020-01-01', '2999-12-31', 'active', 'x'"
             " FROM resident WHERE id <= 5; COMMIT;");
    int rc = sql(text);
    free(text);
    return rc;
}

static int users(void)
{
    static const struct {
        const char *name, *role, *scope;
        char *token;
    } u[] = {
        {"vdoc", "village_doctor", "ou:222404001001", tok_vd},
        {"fdoc", "family_doctor", "team:1", tok_fd},
        {"fadm-a", "facility_admin", "facility:TA", tok_fa},
        {"fadm-b", "facility_admin", "facility:TB", tok_fb},
        {"analyst", "analyst", "region", tok_analyst},
    };
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
        if (ts_user_add(&srv, u[i].name, "password-123", u[i].role, u[i].scope) != 0 ||
            ts_login(srv.port, u[i].name, "password-123", u[i].token) != 200)
            return -1;
    return 0;
}

static struct ts_server *server(void)
{
    if (srv_up)
        return &srv;
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return NULL;
    srv_up = true;
    atexit(stop_srv);
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 || region() != 0 ||
        residents() != 0 || users() != 0)
        return NULL;
    return &srv;
}

/* Send a request; the response stays in R until the next one. Returns the status. */
static int req(const char *method, const char *path, const char *token, const char *json)
{
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    if (ts_request(srv.port, method, path, token, NULL, json, json ? strlen(json) : 0, &R) != 0)
        return -1;
    return R.status;
}

static int64_t jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : "";
}

static const char *day_text(int offset)
{
    static char out[4][DATE_STR_LEN];
    static int next;
    char *d = out[next++ % 4];
    return date_format(date_add_days(date_today(), offset), d);
}

/* POST a session; its id, or -status. */
static int64_t session(const char *token, const char *expert, const char *host, int day_offset,
                       const char *start, const char *end, int capacity)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"expert_code\":\"%s\",\"host_code\":\"%s\",\"day\":\"%s\","
             "\"start_time\":\"%s\",\"end_time\":\"%s\",\"capacity\":%d}",
             expert, host, day_text(day_offset), start, end, capacity);
    int status = req("POST", "/api/expert-sessions", token, body);
    return status == 201 ? jint(R.json, "id") : -status;
}

/* POST a booking; its id, or -status. */
static int64_t book(const char *token, int64_t session_id, int resident)
{
    char path[64], body[64];
    snprintf(path, sizeof(path), "/api/expert-sessions/%lld/bookings", (long long)session_id);
    snprintf(body, sizeof(body), "{\"resident_id\":%d}", resident);
    int status = req("POST", path, token, body);
    return status == 201 ? jint(R.json, "id") : -status;
}

static int booking_post(const char *token, int64_t id, const char *what, const char *json)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/bookings/%lld/%s", (long long)id, what);
    return req("POST", path, token, json);
}

static int session_post(const char *token, int64_t id, const char *what)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/expert-sessions/%lld/%s", (long long)id, what);
    return req("POST", path, token, NULL);
}

static int session_get(const char *token, int64_t id)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/expert-sessions/%lld", (long long)id);
    return req("GET", path, token, NULL);
}

static long live_bookings(int64_t session_id)
{
    char q[160];
    snprintf(q, sizeof(q),
             "SELECT COUNT(*) FROM booking WHERE session_id = %lld AND status = 'booked'",
             (long long)session_id);
    return count(q);
}

/* ------------------------------------------------------------------ sessions */

TEST(session_refusals)
{
    CHECK(server() != NULL);
    CHECK_INT(session(tok_fa, "S-GP", "TA", 1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "expert_code");
    CHECK_CONTAINS(jstr(json_object_get(R.json, "error"), "message"), "secondary-or-above");
    CHECK_INT(session(tok_fa, "S-P1", "TA", 1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "expert_code");
    CHECK_INT(session(tok_fa, "S-GONE", "TA", 1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "expert_code");
    CHECK_INT(session(tok_fa, "S-NOBODY", "TA", 1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "expert_code");
    CHECK_INT(session(tok_admin, "S-EXP", "H1", 1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "host_code");
    CHECK_INT(session(tok_admin, "S-EXP", "OLD", 1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "host_code");
    CHECK_INT(session(tok_fa, "S-EXP", "TA", 1, "12:00", "09:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "end_time");
    CHECK_INT(session(tok_fa, "S-EXP", "TA", 1, "09:00", "09:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "end_time");
    CHECK_INT(session(tok_fa, "S-EXP", "TA", 1, "25:00", "26:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "start_time");
    CHECK_INT(session(tok_fa, "S-EXP", "TA", 1, "09:00", "12:00", 0), -400);
    CHECK_STR(ts_err_field(&R), "capacity");
    CHECK_INT(session(tok_fa, "S-EXP", "TA", 1, "09:00", "12:00", 501), -400);
    CHECK_STR(ts_err_field(&R), "capacity");
    CHECK_INT(session(tok_fa, "S-EXP", "TA", -1, "09:00", "12:00", 20), -400);
    CHECK_STR(ts_err_field(&R), "day");
    /* Another facility's admin may not schedule at TA; doctors and analysts not at all. */
    CHECK_INT(session(tok_fb, "S-EXP", "TA", 1, "09:00", "12:00", 20), -403);
    CHECK_STR(ts_err_field(&R), "host_code");
    CHECK_INT(session(tok_vd, "S-EXP", "TA", 1, "09:00", "12:00", 20), -403);
    CHECK_INT(session(tok_analyst, "S-EXP", "TA", 1, "09:00", "12:00", 20), -403);
    CHECK_INT(req("POST", "/api/expert-sessions", tok_admin,
                  "{\"expert_code\":\"S-EXP\",\"host_code\":\"TA\",\"day\":\"2999-01-01\","
                  "\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"capacity\":5,\"fee\":1}"),
              400);
    CHECK_INT(count("SELECT COUNT(*) FROM expert_session"), 0);
}

TEST(session_create_and_read)
{
    CHECK(server() != NULL);
    int64_t id = session(tok_fa, "S-EXP", "TA", 1, "09:00", "12:00", 20);
    CHECK(id > 0);
    CHECK_STR(jstr(R.json, "status"), "scheduled");
    CHECK_STR(jstr(R.json, "expert_facility"), "H1");
    CHECK_INT(jint(R.json, "places_left"), 20);
    CHECK_INT(session_get(tok_analyst, id), 200);
    CHECK_STR(jstr(R.json, "day"), day_text(1));
    CHECK_INT(session_get(tok_analyst, id + 1000), 404);
    char q[128];
    snprintf(q, sizeof(q),
             "SELECT COUNT(*) FROM audit WHERE resource_type = 'expert_session'"
             " AND resource_id = '%lld' AND action = 'create'",
             (long long)id);
    CHECK_INT(count(q), 1);
    CHECK_INT(req("GET", "/api/expert-sessions?host=TA", tok_vd, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 1);
    CHECK_INT(req("GET", "/api/expert-sessions?expert=S-TCM", tok_vd, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    char path[128];
    snprintf(path, sizeof(path), "/api/expert-sessions?from=%s&to=%s", day_text(2),
             day_text(9));
    CHECK_INT(req("GET", path, tok_vd, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    CHECK_INT(req("GET", "/api/expert-sessions?from=tomorrow", tok_vd, NULL), 400);
    CHECK_STR(ts_err_field(&R), "from");
}

/* ------------------------------------------------------------------ capacity */

struct booker {
    int64_t session_id;
    int resident;
    int status;
    char code[32], field[32];
};

static void *book_one(void *arg)
{
    struct booker *b = arg;
    char path[64], body[64];
    struct ts_response r = {0};
    snprintf(path, sizeof(path), "/api/expert-sessions/%lld/bookings", (long long)b->session_id);
    snprintf(body, sizeof(body), "{\"resident_id\":%d}", b->resident);
    if (ts_request(srv.port, "POST", path, tok_vd, NULL, body, strlen(body), &r) == 0) {
        b->status = r.status;
        snprintf(b->code, sizeof(b->code), "%s", ts_err_code(&r));
        snprintf(b->field, sizeof(b->field), "%s", ts_err_field(&r));
    }
    ts_response_free(&r);
    return NULL;
}

TEST(concurrent_bookings_never_overbook)
{
    CHECK(server() != NULL);
    int64_t id = session(tok_admin, "S-EXP", "VA1", 2, "08:00", "11:30", 20);
    CHECK(id > 0);
    enum { N = 100 };
    static struct booker b[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        b[i] = (struct booker){.session_id = id, .resident = i + 1};
        CHECK_INT(pthread_create(&th[i], NULL, book_one, &b[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    int ok = 0, full = 0, other = 0;
    for (int i = 0; i < N; i++) {
        if (b[i].status == 201)
            ok++;
        else if (b[i].status == 409 && strcmp(b[i].code, "full") == 0 &&
                 strcmp(b[i].field, "session") == 0)
            full++;
        else
            other++;
    }
    CHECK_INT(ok, 20);
    CHECK_INT(full, 80);
    CHECK_INT(other, 0);
    CHECK_INT(live_bookings(id), 20);
    CHECK_INT(session_get(tok_admin, id), 200);
    CHECK_INT(jint(R.json, "booked"), 20);
    CHECK_INT(jint(R.json, "places_left"), 0);
    /* Each booking carried its own audit record; the refusals wrote nothing. */
    CHECK_INT(count("SELECT COUNT(*) FROM audit WHERE resource_type = 'booking'"), 20);
}

/* ------------------------------------------------------------------ bookings */

static int64_t s_small; /* 3 places at TA tomorrow */

TEST(booking_refusals)
{
    CHECK(server() != NULL);
    s_small = session(tok_fa, "S-TCM", "TA", 1, "14:00", "17:00", 3);
    CHECK(s_small > 0);
    /* Outside the village doctor's village, outside the family doctor's team: not found. */
    CHECK_INT(book(tok_vd, s_small, 125), -404);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(book(tok_fd, s_small, 50), -404);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(book(tok_vd, s_small, 9999), -404);
    CHECK_STR(ts_err_field(&R), "resident_id");
    /* Roles that may not book here: another facility's admin, an analyst. */
    CHECK_INT(book(tok_fb, s_small, 1), -403);
    CHECK_INT(book(tok_analyst, s_small, 1), -403);
    CHECK_INT(book(tok_vd, s_small + 1000, 1), -404);
    int64_t first = book(tok_fd, s_small, 1);
    CHECK(first > 0);
    /* Booked by the family doctor; the village doctor (same resident) finds it booked. */
    CHECK_INT(book(tok_vd, s_small, 1), -409);
    CHECK_STR(ts_err_code(&R), "conflict");
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(jint(json_object_get(R.json, "error"), "existing_id"), first);
    char path[64];
    snprintf(path, sizeof(path), "/api/expert-sessions/%lld/bookings", (long long)s_small);
    CHECK_INT(req("POST", path, tok_vd, "{\"resident_id\":2,\"note\":\"x\"}"), 400);
    CHECK_INT(req("POST", path, tok_vd, "{}"), 400);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(live_bookings(s_small), 1);
}

/* The host clinic's admin books any resident into its own sessions, and cancels them. */
TEST(host_facility_books_its_own_sessions)
{
    CHECK(server() != NULL);
    int64_t s = session(tok_fa, "S-TCM", "TA", 2, "08:00", "09:00", 5);
    CHECK(s > 0);
    CHECK_INT(book(tok_fb, s, 1), -403);
    int64_t b = book(tok_fa, s, 125);
    CHECK(b > 0);
    CHECK_INT(book(tok_fa, s, 9999), -404);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(booking_post(tok_fb, b, "cancel", NULL), 403);
    CHECK_INT(booking_post(tok_fa, b, "cancel", NULL), 200);
    CHECK_INT(live_bookings(s), 0);
}

TEST(cancelling_a_booking_frees_its_place)
{
    CHECK(server() != NULL);
    /* Residents 6-8 live in the village but are not under contract with the team. */
    CHECK(book(tok_vd, s_small, 6) > 0);
    int64_t third = book(tok_vd, s_small, 7);
    CHECK(third > 0);
    CHECK_INT(book(tok_vd, s_small, 8), -409);
    CHECK_STR(ts_err_code(&R), "full");
    CHECK_STR(ts_err_field(&R), "session");
    /* The family doctor cannot touch a booking of a resident outside the team. */
    CHECK_INT(booking_post(tok_fd, third, "cancel", NULL), 404);
    CHECK_INT(booking_post(tok_vd, third, "cancel", NULL), 200);
    CHECK_STR(jstr(R.json, "status"), "cancelled");
    CHECK_INT(booking_post(tok_vd, third, "cancel", NULL), 409);
    CHECK_STR(ts_err_field(&R), "status");
    int64_t fourth = book(tok_vd, s_small, 8);
    CHECK(fourth > 0);
    CHECK_INT(live_bookings(s_small), 3);
    /* A cancelled booking does not block booking the same resident again. */
    CHECK_INT(booking_post(tok_vd, fourth, "cancel", NULL), 200);
    CHECK(book(tok_vd, s_small, 7) > 0);
    CHECK_INT(live_bookings(s_small), 3);
    CHECK_INT(booking_post(tok_vd, 999999, "cancel", NULL), 404);
}

TEST(booking_list_by_role)
{
    CHECK(server() != NULL);
    char no[IDNO_LEN + 1];
    make_idno(no, 1);
    /* The host's admin sees every live and cancelled booking, masked. */
    CHECK_INT(session_get(tok_fa, s_small), 200);
    json_t *items = json_object_get(R.json, "bookings");
    CHECK_INT(json_array_size(items), 5);
    CHECK(strchr(jstr(json_array_get(items, 0), "id_number"), '*') != NULL);
    CHECK(strstr(R.body, no) == NULL);
    CHECK_STR(jstr(json_array_get(items, 0), "booked_by"), "fdoc");
    /* The family doctor sees their own resident only; an analyst nobody. */
    CHECK_INT(session_get(tok_fd, s_small), 200);
    items = json_object_get(R.json, "bookings");
    CHECK_INT(json_array_size(items), 1);
    CHECK_INT(jint(json_array_get(items, 0), "resident_id"), 1);
    CHECK_INT(session_get(tok_analyst, s_small), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "bookings")), 0);
    CHECK_INT(session_get(tok_fb, s_small), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "bookings")), 0);
}

TEST(cancelling_a_session_cancels_its_bookings)
{
    CHECK(server() != NULL);
    CHECK_INT(session_post(tok_fb, s_small, "cancel"), 403);
    CHECK_INT(session_post(tok_vd, s_small, "cancel"), 403);
    CHECK_INT(session_post(tok_fa, s_small, "cancel"), 200);
    CHECK_STR(jstr(R.json, "status"), "cancelled");
    CHECK_INT(jint(R.json, "booked"), 0);
    CHECK_INT(live_bookings(s_small), 0);
    char q[128];
    snprintf(q, sizeof(q), "SELECT COUNT(*) FROM booking WHERE session_id = %lld",
             (long long)s_small);
    CHECK_INT(count(q), 5);
    CHECK_INT(session_post(tok_fa, s_small, "cancel"), 409);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(book(tok_vd, s_small, 9), -400);
    CHECK_STR(ts_err_field(&R), "session");
}

/* ------------------------------------------------------------------ attendance */

static int64_t s_held_a; /* S-EXP at TA: 2 attended, 1 no-show */

static void move_day(int64_t id, int offset)
{
    char text[160];
    snprintf(text, sizeof(text), "UPDATE expert_session SET day = '%s' WHERE id = %lld",
             day_text(offset), (long long)id);
    CHECK_INT(sql(text), 0);
}

TEST(attendance)
{
    CHECK(server() != NULL);
    s_held_a = session(tok_fa, "S-EXP", "TA", 3, "09:00", "10:00", 10);
    CHECK(s_held_a > 0);
    int64_t b1 = book(tok_vd, s_held_a, 10), b2 = book(tok_vd, s_held_a, 11);
    int64_t b3 = book(tok_vd, s_held_a, 12), b4 = book(tok_vd, s_held_a, 13);
    CHECK(b1 > 0 && b2 > 0 && b3 > 0 && b4 > 0);
    CHECK_INT(booking_post(tok_vd, b1, "attendance", "{\"status\":\"attended\"}"), 400);
    CHECK_STR(ts_err_field(&R), "session");
    CHECK_INT(booking_post(tok_vd, b4, "cancel", NULL), 200);
    move_day(s_held_a, -1);
    CHECK_INT(booking_post(tok_vd, b1, "attendance", "{\"status\":\"maybe\"}"), 400);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(booking_post(tok_fd, b1, "attendance", "{\"status\":\"attended\"}"), 404);
    CHECK_INT(booking_post(tok_vd, b1, "attendance", "{\"status\":\"attended\"}"), 200);
    /* Procedures: a whole number up to 50, and none for a patient who did not come. */
    CHECK_INT(booking_post(tok_vd, b2, "attendance", "{\"status\":\"no_show\",\"procedures\":1}"),
              400);
    CHECK_STR(ts_err_field(&R), "procedures");
    CHECK_INT(booking_post(tok_vd, b2, "attendance",
                           "{\"status\":\"attended\",\"procedures\":51}"),
              400);
    CHECK_STR(ts_err_field(&R), "procedures");
    CHECK_INT(booking_post(tok_vd, b2, "attendance",
                           "{\"status\":\"attended\",\"procedures\":-1}"),
              400);
    CHECK_INT(booking_post(tok_vd, b2, "attendance", "{\"status\":\"no_show\"}"), 200);
    /* A correction: the resident came after all, and the other one did not. */
    CHECK_INT(booking_post(tok_vd, b2, "attendance", "{\"status\":\"attended\"}"), 200);
    CHECK_INT(booking_post(tok_vd, b3, "attendance", "{\"status\":\"no_show\"}"), 200);
    CHECK_INT(booking_post(tok_vd, b4, "attendance", "{\"status\":\"attended\"}"), 409);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(session_get(tok_admin, s_held_a), 200);
    CHECK_STR(jstr(R.json, "status"), "held");
    CHECK_INT(jint(R.json, "attended"), 2);
    /* The day has passed: no more bookings, and a held session cannot be cancelled. */
    CHECK_INT(book(tok_vd, s_held_a, 14), -400);
    CHECK_STR(ts_err_field(&R), "session");
    CHECK_INT(session_post(tok_fa, s_held_a, "cancel"), 409);
}

/* The system (an import, the demo) enters sessions that took place; people cannot. */
TEST(system_enters_history)
{
    CHECK(server() != NULL);
    CHECK_INT(session(tok_admin, "S-EXP", "TA", -30, "09:00", "10:00", 5), -400);
    CHECK_STR(ts_err_field(&R), "day");
    static const struct audit_actor actor = {0, "import", "admin", "test"};
    struct expert_who system = {NULL, &actor};
    struct expert_session_input in = {.expert_code = "S-EXP", .host_code = "TA",
                                      .day = date_add_days(date_today(), -30),
                                      .start_time = "09:00", .end_time = "10:00",
                                      .capacity = 5};
    struct yl_err err = {0};
    int64_t id = 0, booking = 0;
    CHECK_INT(expert_session_create(srv.store, &in, &system, &id, &err), 0);
    CHECK_INT(expert_book(srv.store, id, 15, &system, &booking, &err), 0);
    CHECK_INT(expert_booking_attend(srv.store, booking, EXPERT_ATTENDED, 1, &system, &err), 0);
    /* A person still cannot book the past session. */
    CHECK_INT(book(tok_vd, id, 16), -400);
    CHECK_STR(ts_err_field(&R), "session");
    char text[128];
    snprintf(text, sizeof(text), "DELETE FROM booking WHERE session_id = %lld;"
             "DELETE FROM expert_session WHERE id = %lld", (long long)id, (long long)id);
    CHECK_INT(sql(text), 0);
}

/* ------------------------------------------------------------------ indicators */

TEST(stats_by_hand)
{
    CHECK(server() != NULL);
    /* B: the TCM expert at village clinic VA1 two days ago, 3 seen. C: the cardiologist at
     * VA1 yesterday, nobody recorded: not held, not counted. */
    int64_t b = session(tok_admin, "S-TCM", "VA1", 4, "09:00", "10:00", 5);
    int64_t c = session(tok_admin, "S-EXP", "VA1", 4, "14:00", "15:00", 5);
    CHECK(b > 0 && c > 0);
    int64_t bk[3];
    for (int i = 0; i < 3; i++) {
        bk[i] = book(tok_vd, b, 20 + i);
        CHECK(bk[i] > 0);
    }
    CHECK(book(tok_vd, c, 30) > 0);
    move_day(b, -2);
    move_day(c, -1);
    /* The TCM expert performs one procedure for the first patient, two for the second. */
    static const char *const came[3] = {"{\"status\":\"attended\",\"procedures\":1}",
                                        "{\"status\":\"attended\",\"procedures\":2}",
                                        "{\"status\":\"attended\"}"};
    for (int i = 0; i < 3; i++)
        CHECK_INT(booking_post(tok_admin, bk[i], "attendance", came[i]), 200);

    CHECK_INT(req("GET", "/api/expert-sessions/stats", tok_analyst, NULL), 200);
    CHECK_INT(jint(R.json, "sessions_held"), 2);
    CHECK_INT(jint(R.json, "patients_seen"), 5);
    CHECK_INT(jint(R.json, "procedures"), 3);
    json_t *ex = json_object_get(R.json, "by_expert");
    CHECK_INT(json_array_size(ex), 2);
    CHECK_STR(jstr(json_array_get(ex, 0), "expert_code"), "S-EXP");
    CHECK_STR(jstr(json_array_get(ex, 0), "facility_code"), "H1");
    CHECK_INT(jint(json_array_get(ex, 0), "sessions_held"), 1);
    CHECK_INT(jint(json_array_get(ex, 0), "patients_seen"), 2);
    CHECK_STR(jstr(json_array_get(ex, 1), "expert_code"), "S-TCM");
    CHECK_INT(jint(json_array_get(ex, 1), "patients_seen"), 3);
    CHECK_INT(jint(json_array_get(ex, 1), "procedures"), 3);
    CHECK_INT(jint(json_array_get(ex, 0), "procedures"), 0);
    json_t *host = json_object_get(R.json, "by_host");
    CHECK_INT(json_array_size(host), 2);
    CHECK_STR(jstr(json_array_get(host, 0), "host_code"), "TA");
    CHECK_INT(jint(json_array_get(host, 0), "patients_seen"), 2);
    CHECK_STR(jstr(json_array_get(host, 1), "host_code"), "VA1");
    CHECK_INT(jint(json_array_get(host, 1), "sessions_held"), 1);
    CHECK_INT(jint(json_array_get(host, 1), "patients_seen"), 3);

    /* The period bounds are inclusive days: yesterday alone holds session A. */
    char path[128];
    snprintf(path, sizeof(path), "/api/expert-sessions/stats?from=%s&to=%s", day_text(-1),
             day_text(-1));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "sessions_held"), 1);
    CHECK_INT(jint(R.json, "patients_seen"), 2);
    snprintf(path, sizeof(path), "/api/expert-sessions/stats?to=%s", day_text(-3));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "sessions_held"), 0);
    CHECK_INT(json_array_size(json_object_get(R.json, "by_expert")), 0);
    /* Aggregates: a village doctor has no aggregate permission. */
    CHECK_INT(req("GET", "/api/expert-sessions/stats", tok_vd, NULL), 403);
}

TEST_MAIN()
