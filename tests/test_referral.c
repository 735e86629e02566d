/*
 * test_referral.c - two-way referral (issue 5): the state machine over every pair of status
 * and action, through the library and the API; the acceptance limits of each urgency at
 * their edges (now is a parameter); the group rule up and the contract rule down; who may
 * act and read (another facility's admin, the wrong side, another team); masking in lists;
 * idempotency on the external id; an audit record for every transition.
 *
 * The region is written straight into the migrated database. Tests share one server and
 * run in file order.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "referral/referral.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ fixtures */

static struct ts_server srv;
static bool srv_up;
static char tok_admin[ACCT_TOKEN_HEX], tok_fd_a[ACCT_TOKEN_HEX], tok_fd_b[ACCT_TOKEN_HEX];
static char tok_fa_ta[ACCT_TOKEN_HEX], tok_fa_h1[ACCT_TOKEN_HEX], tok_fa_h2[ACCT_TOKEN_HEX];
static char tok_analyst[ACCT_TOKEN_HEX];
static struct ts_response R;
static struct arena mem; /* reads through the library; released at exit */
static const struct audit_actor test_actor = {0, "test", "admin", "test"};
static const struct ref_who system_who = {NULL, &test_actor};

/* Residents 1-3 are contracted to team TA-1, 4 to TA-2, 5 to none. */
#define N_RESIDENTS 5

static void stop_srv(void)
{
    ts_response_free(&R);
    arena_release(&mem);
    if (srv_up)
        ts_server_stop(&srv);
    srv_up = false;
}

static long sql_count(const char *text)
{
    return ts_sql_count(srv.db, text);
}

static void make_idno(char out[IDNO_LEN + 1], int32_t day, int seq)
{
    ts_idno(out, day, seq);
}

/* TA, TB: township centers; H1: county hospital; all three in group G1. H2: a tertiary
 * hospital outside it. */
static int fixtures(void)
{
    const char *now = "2024-01-01T00:00:00Z";
    char text[4096];
    snprintf(text, sizeof(text),
             "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, '%1$s'), (2, '2224', 'Yanbian', 2, 1, '%1$s'),"
             " (3, '222404', 'Hunchun', 3, 2, '%1$s'),"
             " (4, '222404001', 'Township A', 4, 3, '%1$s'),"
             " (5, '222404001001', 'Village A1', 5, 4, '%1$s');"
             "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
             " (1, 'TA', 'Township A center', 'township_center', 4, 'active', '%1$s'),"
             " (2, 'H1', 'County hospital', 'county_hospital', 3, 'active', '%1$s'),"
             " (3, 'H2', 'Provincial hospital', 'tertiary_hospital', 3, 'active', '%1$s'),"
             " (4, 'TB', 'Township B center', 'township_center', 4, 'active', '%1$s');"
             "INSERT INTO medical_group (id, code, name, kind, lead_facility_id, updated_at)"
             " VALUES (1, 'G1', 'Hunchun community', 'county_community', 2, '%1$s');"
             "INSERT INTO medical_group_member (group_id, facility_id, kind) VALUES"
             " (1, 1, 'county_community'), (1, 2, 'county_community'),"
             " (1, 4, 'county_community');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s'),"
             " (2, 'TA-2', 'Team B', 1, 'active', '%1$s');"
             "INSERT INTO result_item (id, code, name_zh, kind, unit, validity_days, scope,"
             " updated_at) VALUES (1, 'CT-HEAD', '头颅CT', 'imaging', '', 60, 'region', '%1$s'),"
             " (2, 'HBA1C', '糖化血红蛋白', 'lab', '%%', 90, 'region', '%1$s');",
             now);
    if (ts_sql(srv.db, text) != 0)
        return -1;
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char b[DATE_STR_LEN], number[IDNO_LEN + 1];
        int32_t birth = date_add_days(date_today(), -365 * (30 + id));
        make_idno(number, birth, 100 + 2 * id + 1);
        snprintf(text, sizeof(text),
                 "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                 " record_date, status, updated_at) VALUES (%d, '%s', 'Resident %d', 1,"
                 " '%s', 5, '%s', 'active', '%s');",
                 id, number, id, date_format(birth, b), b, now);
        if (ts_sql(srv.db, text) != 0)
            return -1;
        /* Results 2·id − 1 (a head CT) and 2·id (an HbA1c) belong to resident id. */
        snprintf(text, sizeof(text),
                 "INSERT INTO result (id, external_id, resident_id, item_id, value, unit, report,"
                 " result_date, facility_id, created_at) VALUES"
                 " (%d, 'ct-%d', %d, 1, NULL, NULL, 'low density left basal ganglia',"
                 " '2024-01-01', 1, '%s'), (%d, 'a1c-%d', %d, 2, 7.9, '%%', NULL, '2024-01-01',"
                 " 1, '%s');",
                 2 * id - 1, id, id, now, 2 * id, id, id, now);
        if (ts_sql(srv.db, text) != 0)
            return -1;
        if (id == 5)
            continue;
        snprintf(text, sizeof(text),
                 "INSERT INTO contract (resident_id, team_id, package, from_date, to_date,"
                 " status, updated_at) VALUES (%d, %d, 'basic', '2020-01-01', '2099-12-31',"
                 " 'active', '%s');",
                 id, id == 4 ? 2 : 1, now);
        if (ts_sql(srv.db, text) != 0)
            return -1;
    }
    return 0;
}

static struct ts_server *server(void)
{
    static int state; /* 0 not tried, 1 ready, -1 failed */
    if (state != 0)
        return state > 0 ? &srv : NULL;
    state = -1;
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return NULL;
    srv_up = true;
    arena_init(&mem);
    atexit(stop_srv);
    if (fixtures() != 0 || ts_server_protocol(&srv) != 0)
        return NULL;
    static const struct {
        const char *name, *role, *scope;
        char *token;
    } users[] = {
        {"fd_a", "family_doctor", "team:1", tok_fd_a},
        {"fd_b", "family_doctor", "team:2", tok_fd_b},
        {"fa_ta", "facility_admin", "facility:TA", tok_fa_ta},
        {"fa_h1", "facility_admin", "facility:H1", tok_fa_h1},
        {"fa_h2", "facility_admin", "facility:H2", tok_fa_h2},
        {"analyst", "analyst", "region", tok_analyst},
    };
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        char password[64];
        snprintf(password, sizeof(password), "password-%s", users[i].name);
        if (ts_user_add(&srv, users[i].name, password, users[i].role, users[i].scope) != 0 ||
            ts_login(srv.port, users[i].name, password, users[i].token) != 200)
            return NULL;
    }
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200)
        return NULL;
    state = 1;
    return &srv;
}

static int req(const char *method, const char *path, const char *token, const char *json)
{
    ts_response_free(&R);
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

/* POST a transition of referral `id` ("accept", …) with an optional JSON body. */
static int post_action(const char *token, int64_t id, const char *action, const char *json)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/referrals/%lld/%s", (long long)id, action);
    return req("POST", path, token, json);
}

/* An up-referral of resident `resident` from TA to H1 through the library as the system. */
static int64_t make_up(int resident, const char *urgency, int64_t now_s)
{
    struct ref_input in = {.direction = "up", .resident_id = resident, .from_facility = "TA",
                           .to_facility = "H1", .reason = "chest pain", .urgency = urgency};
    struct yl_err err = {0};
    int64_t id = 0;
    bool created;
    if (ref_create(srv.store, &system_who, &in, now_s, &id, &created, &err) != 0) {
        fprintf(stderr, "    ref_create: %s\n", yl_err_message(&err));
        return -1;
    }
    return id;
}

/* ------------------------------------------------------------------ the machine */

/* Expected next status of each action from each status; -1: refused. Written out here
 * rather than derived, so the table in referral.c is checked against the text. */
static const int expected[REF_ACTION_COUNT][REF_STATUS_COUNT] = {
    /*               requested      accepted       rejected arrived        completed cancelled */
    [REF_ACCEPT] = {REF_ACCEPTED, -1, -1, -1, -1, -1},
    [REF_REJECT] = {REF_REJECTED, -1, -1, -1, -1, -1},
    [REF_ARRIVE] = {-1, REF_ARRIVED, -1, -1, -1, -1},
    [REF_COMPLETE] = {-1, -1, -1, REF_COMPLETED, -1, -1},
    [REF_CANCEL] = {REF_CANCELLED, REF_CANCELLED, -1, -1, -1, -1},
};

TEST(machine_table)
{
    for (int a = 0; a < REF_ACTION_COUNT; a++)
        for (int s = 0; s < REF_STATUS_COUNT; s++)
            CHECK_INT(ref_next_status((enum ref_action)a, (enum ref_status)s), expected[a][s]);
    /* A remote request: no arrival; completed by the report from accepted. */
    for (int k = REF_KIND_CONSULTATION; k <= REF_KIND_IMAGING; k++)
        for (int a = 0; a < REF_ACTION_COUNT; a++)
            for (int s = 0; s < REF_STATUS_COUNT; s++) {
                int want = expected[a][s];
                if (a == REF_ARRIVE)
                    want = -1;
                if (a == REF_COMPLETE)
                    want = s == REF_ACCEPTED ? REF_COMPLETED : -1;
                CHECK_INT(ref_next_status_of((enum ref_kind)k, (enum ref_action)a,
                                             (enum ref_status)s),
                          want);
            }
    CHECK_INT(ref_kind_find("imaging"), REF_KIND_IMAGING);
    CHECK_INT(ref_kind_find("x-ray"), -1);
    CHECK_INT(ref_accept_limit_s(REF_CRITICAL), 2 * 3600);
    CHECK_INT(ref_accept_limit_s(REF_URGENT), 24 * 3600);
    CHECK_INT(ref_accept_limit_s(REF_ROUTINE), 72 * 3600);
    char t[REF_TIME_LEN];
    CHECK_STR(ref_time_format(0, t), "1970-01-01T00:00:00Z");
}

/* Every (status, action) pair on a stored referral: allowed ones move it and stamp their
 * time, refused ones are 409 on "status" naming the current status and change nothing. */
TEST(transitions_every_pair)
{
    CHECK(server() != NULL);
    static const char *const stamp[REF_STATUS_COUNT] = {
        [REF_ACCEPTED] = "accepted_at", [REF_REJECTED] = "rejected_at",
        [REF_ARRIVED] = "arrived_at",   [REF_COMPLETED] = "completed_at",
        [REF_CANCELLED] = "cancelled_at"};
    int64_t now = (int64_t)time(NULL);
    for (int s = 0; s < REF_STATUS_COUNT; s++) {
        for (int a = 0; a < REF_ACTION_COUNT; a++) {
            int64_t id = make_up(1, "routine", now);
            CHECK(id > 0);
            char sql[256], q[256];
            snprintf(sql, sizeof(sql), "UPDATE referral SET status = '%s', reject_reason = 'x'"
                     " WHERE id = %lld", ref_status_code((enum ref_status)s), (long long)id);
            CHECK_INT(ts_sql(srv.db, sql), 0);
            struct yl_err err = {0};
            int rc = ref_act(srv.store, &system_who, id, (enum ref_action)a, "no beds", now + 60,
                             &err);
            int to = expected[a][s];
            snprintf(q, sizeof(q), "SELECT COUNT(*) FROM referral WHERE id = %lld AND status"
                     " = '%s'", (long long)id,
                     ref_status_code((enum ref_status)(to < 0 ? s : to)));
            CHECK_INT(sql_count(q), 1);
            if (to < 0) {
                CHECK_INT(rc, YL_ECONFLICT);
                CHECK_STR(err.field, "status");
                CHECK_CONTAINS(err.message, ref_status_code((enum ref_status)s));
                continue;
            }
            CHECK_INT(rc, 0);
            snprintf(q, sizeof(q), "SELECT COUNT(*) FROM referral WHERE id = %lld AND %s = '%s'",
                     (long long)id, stamp[to], ref_time_format(now + 60, (char[REF_TIME_LEN]){0}));
            CHECK_INT(sql_count(q), 1);
        }
    }
}

/* The whole way up through the API, each step audited, and a rejection needs its reason. */
TEST(api_up_referral_lifecycle)
{
    CHECK(server() != NULL);
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE resource_type = 'referral'"
                            " AND action IN ('create', 'accept', 'arrive', 'complete')");
    CHECK_INT(req("POST", "/api/referrals", tok_fd_a,
                  "{\"direction\":\"up\",\"resident_id\":1,\"from_facility\":\"TA\","
                  "\"to_facility\":\"H1\",\"reason\":\"unstable angina\","
                  "\"urgency\":\"urgent\",\"summary\":\"ECG ST depression\"}"),
              201);
    int64_t id = jint(R.json, "id");
    CHECK(id > 0);
    CHECK_STR(jstr(R.json, "status"), "requested");
    CHECK_STR(jstr(R.json, "created_by"), "fd_a");
    CHECK(json_is_false(json_object_get(R.json, "overdue")));
    /* The sender cannot accept its own referral; the receiver can. */
    CHECK_INT(post_action(tok_fd_a, id, "accept", NULL), 403);
    CHECK_INT(post_action(tok_fa_h1, id, "accept", NULL), 200);
    CHECK_STR(jstr(R.json, "status"), "accepted");
    CHECK(jstr(R.json, "accepted_at")[0] != '\0');
    CHECK_INT(post_action(tok_fa_h1, id, "accept", NULL), 409);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(post_action(tok_fa_h1, id, "arrive", "{}"), 200);
    CHECK_INT(post_action(tok_fa_h1, id, "complete", NULL), 200);
    CHECK_STR(jstr(R.json, "status"), "completed");
    CHECK_INT(post_action(tok_fa_ta, id, "cancel", NULL), 409);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE resource_type = 'referral'"
                        " AND action IN ('create', 'accept', 'arrive', 'complete')"),
              audits + 4);

    /* A rejection gives its reason; the sender may cancel only what is still open. */
    CHECK_INT(req("POST", "/api/referrals", tok_fa_ta,
                  "{\"direction\":\"up\",\"resident_id\":2,\"from_facility\":\"TA\","
                  "\"to_facility\":\"H1\",\"reason\":\"fracture\"}"),
              201);
    int64_t other = jint(R.json, "id");
    CHECK_STR(jstr(R.json, "urgency"), "routine");
    CHECK_INT(post_action(tok_fa_h1, other, "reject", NULL), 400);
    CHECK_STR(ts_err_field(&R), "reason");
    CHECK_INT(post_action(tok_fa_h1, other, "reject", "{\"reason\":\"no orthopaedics\"}"), 200);
    CHECK_STR(jstr(R.json, "reject_reason"), "no orthopaedics");
    CHECK_INT(post_action(tok_fa_ta, other, "cancel", NULL), 409);
    CHECK_CONTAINS(R.body, "rejected");

    /* Cancelled by its maker while accepted. */
    CHECK_INT(req("POST", "/api/referrals", tok_fd_a,
                  "{\"direction\":\"up\",\"resident_id\":3,\"from_facility\":\"TA\","
                  "\"to_facility\":\"H1\",\"reason\":\"dyspnoea\"}"),
              201);
    int64_t third = jint(R.json, "id");
    CHECK_INT(post_action(tok_fa_h1, third, "accept", NULL), 200);
    CHECK_INT(post_action(tok_fa_h1, third, "cancel", NULL), 403);
    CHECK_INT(post_action(tok_fd_a, third, "cancel", NULL), 200);
    CHECK_STR(jstr(R.json, "status"), "cancelled");
}

/* ------------------------------------------------------------------ time limits */

TEST(time_limits_at_their_edges)
{
    CHECK(server() != NULL);
    static const struct {
        const char *urgency;
        int64_t limit_s;
    } cases[] = {{"critical", 2 * 3600}, {"urgent", 24 * 3600}, {"routine", 72 * 3600}};
    int64_t t0 = (int64_t)time(NULL) - 10 * 86400;
    struct arena *a = &mem;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t id = make_up(2, cases[i].urgency, t0);
        CHECK(id > 0);
        struct ref_referral r;
        struct yl_err err = {0};
        char due[REF_TIME_LEN];
        CHECK_INT(ref_get(srv.store, NULL, id, t0 + cases[i].limit_s, a, &r, &err), 0);
        CHECK_STR(r.due_at, ref_time_format(t0 + cases[i].limit_s, due));
        CHECK(!r.overdue); /* at the due second: still in time */
        CHECK_INT(ref_get(srv.store, NULL, id, t0 + cases[i].limit_s + 1, a, &r, &err), 0);
        CHECK(r.overdue);
        CHECK(!ref_is_overdue(&r, t0 + cases[i].limit_s - 1));
        /* In H1's inbox at the same instant, flagged the same. */
        struct ref_query q = {.box = REF_INBOX, .facility = "H1", .status = "requested",
                              .after = id - 1, .limit = 1};
        struct ref_referral *rows;
        size_t n;
        CHECK_INT(ref_list(srv.store, NULL, &q, t0 + cases[i].limit_s + 1, a, &rows, &n, &err),
                  0);
        CHECK_INT(n, 1);
        CHECK_INT(rows[0].id, id);
        CHECK(rows[0].overdue);
        /* Accepted late is no longer overdue: the flag is for what still waits. */
        CHECK_INT(ref_act(srv.store, &system_who, id, REF_ACCEPT, NULL, t0 + 3 * 86400 + 5,
                          &err), 0);
        CHECK_INT(ref_get(srv.store, NULL, id, t0 + 9 * 86400, a, &r, &err), 0);
        CHECK(!r.overdue);
    }
}

/* ------------------------------------------------------------------ the rules */

static int post_referral(const char *token, const char *fields)
{
    char body[1024];
    snprintf(body, sizeof(body), "{%s}", fields);
    return req("POST", "/api/referrals", token, body);
}

TEST(group_rule_up)
{
    CHECK(server() != NULL);
    /* A member hospital of the sender's group. */
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\""),
              201);
    CHECK_STR(jstr(R.json, "to_facility"), "H1");
    /* Outside the group: only with a reason. */
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H2\",\"reason\":\"r\""),
              400);
    CHECK_STR(ts_err_field(&R), "outside_reason");
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H2\",\"reason\":\"r\","
                            "\"outside_reason\":\"PCI centre needed\",\"urgency\":\"critical\""),
              201);
    CHECK_STR(jstr(R.json, "outside_reason"), "PCI centre needed");
    /* Up goes to a hospital, from a grassroots facility, with a reason. */
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"TB\",\"reason\":\"r\""),
              400);
    CHECK_STR(ts_err_field(&R), "to_facility");
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"H1\",\"to_facility\":\"H2\",\"reason\":\"r\","
                            "\"outside_reason\":\"x\""),
              400);
    CHECK_STR(ts_err_field(&R), "from_facility");
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\""),
              400);
    CHECK_STR(ts_err_field(&R), "reason");
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"sideways\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\""),
              400);
    CHECK_STR(ts_err_field(&R), "direction");
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\","
                            "\"urgency\":\"soon\""),
              400);
    CHECK_STR(ts_err_field(&R), "urgency");
}

TEST(down_referral_to_the_team)
{
    CHECK(server() != NULL);
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"down\",\"resident_id\":4,"
                            "\"from_facility\":\"H1\",\"summary\":\"discharged after PCI\""),
              201);
    int64_t id = jint(R.json, "id");
    CHECK_STR(jstr(R.json, "to_team"), "TA-2");
    CHECK_STR(jstr(R.json, "to_facility"), "TA");
    /* Team A's doctor is on neither side; team B's doctor accepts. */
    CHECK_INT(post_action(tok_fd_a, id, "accept", NULL), 404);
    CHECK_INT(post_action(tok_fd_b, id, "accept", NULL), 200);
    CHECK_INT(req("GET", "/api/referrals/inbox?team=TA-2", tok_fd_b, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 1);
    CHECK_INT(req("GET", "/api/referrals/inbox?team=TA-2", tok_fd_a, NULL), 403);
    CHECK_STR(ts_err_field(&R), "team");
    /* The team's facility admin sees its teams' inboxes too. */
    CHECK_INT(req("GET", "/api/referrals/inbox?team=TA-2", tok_fa_ta, NULL), 200);

    /* Accepting put the follow-up on the team's worklist: due today, within a week. */
    char today[DATE_STR_LEN], due[DATE_STR_LEN], tag_end[DATE_STR_LEN], sql[256];
    date_format(date_today(), today);
    date_format(date_add_days(date_today(), 7), due);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM resident_tag WHERE resident_id = 4 AND tag = 'post_referral'"
             " AND from_date = '%s' AND to_date = '%s'",
             today, date_format(date_add_days(date_today(), REF_FOLLOWUP_DAYS - 1), tag_end));
    CHECK_INT(sql_count(sql), 1);
    CHECK_INT(req("GET", "/api/worklists?team=TA-2&item=referral_followup", tok_fd_b, NULL),
              200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_INT(jint(json_array_get(items, 0), "resident_id"), 4);
    CHECK_STR(jstr(json_array_get(items, 0), "state"), "due");
    CHECK_STR(jstr(json_array_get(items, 0), "due_by"), due);
    /* Team A has no such patient. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&item=referral_followup", tok_fd_a, NULL),
              200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    /* The follow-up recorded, the item leaves the list. */
    char body[128];
    snprintf(body, sizeof(body),
             "{\"item\":\"referral_followup\",\"date\":\"%s\",\"facility\":\"TA\"}", today);
    CHECK_INT(req("POST", "/api/residents/4/services", tok_fd_b, body), 201);
    CHECK_INT(req("GET", "/api/worklists?team=TA-2&item=referral_followup", tok_fd_b, NULL),
              200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    /* A second down-referral accepted the same day does not open a second span. */
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"down\",\"resident_id\":4,"
                            "\"from_facility\":\"H1\",\"summary\":\"again\""),
              201);
    CHECK_INT(post_action(tok_fd_b, jint(R.json, "id"), "accept", NULL), 200);
    CHECK_INT(sql_count("SELECT count(*) FROM resident_tag WHERE resident_id = 4"
                        " AND tag = 'post_referral'"),
              1);
    /* No contract covering today: no team to go to. */
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"down\",\"resident_id\":5,"
                            "\"from_facility\":\"H1\",\"summary\":\"s\""),
              400);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"down\",\"resident_id\":4,"
                            "\"from_facility\":\"H1\""),
              400);
    CHECK_STR(ts_err_field(&R), "summary");
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"down\",\"resident_id\":4,"
                            "\"from_facility\":\"H1\",\"to_facility\":\"TB\",\"summary\":\"s\""),
              400);
    CHECK_STR(ts_err_field(&R), "to_facility");
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"down\",\"resident_id\":4,"
                            "\"from_facility\":\"TA\",\"summary\":\"s\""),
              400);
    CHECK_STR(ts_err_field(&R), "from_facility");
}

/* ------------------------------------------------------------------ scope */

TEST(scope_refusals)
{
    CHECK(server() != NULL);
    CHECK_INT(post_referral(tok_fd_a, "\"direction\":\"up\",\"resident_id\":2,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\""),
              201);
    int64_t id = jint(R.json, "id");
    /* Another facility's admin: not their inbox, not their referral. */
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1", tok_fa_h2, NULL), 403);
    CHECK_STR(ts_err_field(&R), "facility");
    CHECK_INT(req("GET", "/api/referrals/outbox?facility=TA", tok_fa_h1, NULL), 403);
    CHECK_INT(post_action(tok_fa_h2, id, "accept", NULL), 404);
    char path[64];
    snprintf(path, sizeof(path), "/api/referrals/%lld", (long long)id);
    CHECK_INT(req("GET", path, tok_fa_h2, NULL), 404);
    CHECK_INT(req("GET", path, tok_fd_b, NULL), 404);
    /* The analyst deals with no residents; a doctor refers only their own residents, and
     * a facility admin only from their facility. */
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1", tok_analyst, NULL), 403);
    CHECK_INT(post_referral(tok_fd_b, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\""),
              404);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(post_referral(tok_fa_h1, "\"direction\":\"up\",\"resident_id\":1,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\""),
              403);
    /* The receiving admin reads the inbox, masked, and the referral itself, masked too (a
     * facility admin does not see ID numbers); the family doctor sees their resident's. */
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1&status=requested", tok_fa_h1, NULL),
              200);
    json_t *items = json_object_get(R.json, "items");
    CHECK(json_array_size(items) >= 1);
    for (size_t i = 0; i < json_array_size(items); i++) {
        CHECK_CONTAINS(jstr(json_array_get(items, i), "id_number"), "*");
        CHECK_STR(jstr(json_array_get(items, i), "status"), "requested");
    }
    CHECK_INT(req("GET", path, tok_fa_h1, NULL), 200);
    CHECK_CONTAINS(jstr(R.json, "id_number"), "*");
    CHECK_INT(req("GET", path, tok_fd_a, NULL), 200);
    CHECK(strchr(jstr(R.json, "id_number"), '*') == NULL);
    CHECK_INT(req("GET", "/api/referrals/outbox?facility=TA", tok_fa_ta, NULL), 200);
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1&status=lost", tok_fa_h1, NULL), 400);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1&team=TA-1", tok_admin, NULL), 400);
}

/* ------------------------------------------------------------------ remote requests */

/* A township asks the county hospital to read a head CT: request → accept → report, with the
 * image attached; the refusals of kind, results and report on the way. */
TEST(remote_reading_and_consultation)
{
    CHECK(server() != NULL);
    const char *base = "\"direction\":\"up\",\"resident_id\":1,\"from_facility\":\"TA\","
                       "\"to_facility\":\"H1\",\"reason\":\"headache, CT done here\"";
    char body[512];
    /* An imaging request attaches the images: none, a lab result, another resident's CT,
     * the same one twice — each refused on "results", nothing stored. */
    long before = sql_count("SELECT COUNT(*) FROM referral");
    const char *bad[] = {"", ",\"results\":[]", ",\"results\":[2]", ",\"results\":[3]",
                         ",\"results\":[1,1]", ",\"results\":[\"1\"]", ",\"results\":[999]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body), "%s,\"kind\":\"imaging\"%s", base, bad[i]);
        CHECK_INT(post_referral(tok_fa_ta, body), 400);
        CHECK_STR(ts_err_field(&R), "results");
    }
    snprintf(body, sizeof(body), "%s,\"kind\":\"x-ray\",\"results\":[1]", base);
    CHECK_INT(post_referral(tok_fa_ta, body), 400);
    CHECK_STR(ts_err_field(&R), "kind");
    /* Remote requests go up only. */
    CHECK_INT(post_referral(tok_fa_h1, "\"kind\":\"consultation\",\"direction\":\"down\","
                            "\"resident_id\":4,\"from_facility\":\"H1\",\"summary\":\"s\""),
              400);
    CHECK_STR(ts_err_field(&R), "kind");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM referral"), before);

    snprintf(body, sizeof(body), "%s,\"kind\":\"imaging\",\"results\":[1]", base);
    CHECK_INT(post_referral(tok_fa_ta, body), 201);
    int64_t id = jint(R.json, "id");
    CHECK_STR(jstr(R.json, "kind"), "imaging");
    json_t *res = json_object_get(R.json, "results");
    CHECK_INT(json_array_size(res), 1);
    CHECK_STR(jstr(json_array_get(res, 0), "item"), "CT-HEAD");
    CHECK_STR(jstr(json_array_get(res, 0), "report"), "low density left basal ganglia");
    /* The hospital's inbox of readings holds it; its inbox of referrals does not. */
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1&kind=imaging", tok_fa_h1, NULL), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_INT(jint(json_array_get(items, 0), "id"), id);
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1&kind=referral", tok_fa_h1, NULL), 200);
    items = json_object_get(R.json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        CHECK(jint(json_array_get(items, i), "id") != id);
    CHECK_INT(req("GET", "/api/referrals/inbox?facility=H1&kind=ultrasound", tok_fa_h1, NULL),
              400);
    CHECK_STR(ts_err_field(&R), "kind");
    /* The receiving side reads the attached image with the request. */
    char path[64];
    snprintf(path, sizeof(path), "/api/referrals/%lld", (long long)id);
    CHECK_INT(req("GET", path, tok_fa_h1, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "results")), 1);

    CHECK_INT(post_action(tok_fa_h1, id, "accept", NULL), 200);
    CHECK_INT(post_action(tok_fa_h1, id, "arrive", NULL), 409);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(post_action(tok_fa_h1, id, "complete", NULL), 400);
    CHECK_STR(ts_err_field(&R), "report");
    CHECK_INT(post_action(tok_fa_h1, id, "complete", "{\"report\":\"\"}"), 400);
    CHECK_STR(ts_err_field(&R), "report");
    /* The sender cannot write the report. */
    CHECK_INT(post_action(tok_fa_ta, id, "complete", "{\"report\":\"mine\"}"), 403);
    CHECK_INT(post_action(tok_fa_h1, id, "complete",
                          "{\"report\":\"左侧基底节区腔隙性脑梗死\"}"),
              200);
    CHECK_STR(jstr(R.json, "status"), "completed");
    CHECK_STR(jstr(R.json, "report"), "左侧基底节区腔隙性脑梗死");
    CHECK(jstr(R.json, "completed_at")[0] != '\0');
    CHECK_INT(post_action(tok_fa_h1, id, "complete", "{\"report\":\"again\"}"), 409);

    /* A consultation may come without results; an up-referral may carry some. */
    CHECK_INT(post_referral(tok_fa_ta, "\"kind\":\"consultation\",\"direction\":\"up\","
                            "\"resident_id\":2,\"from_facility\":\"TA\",\"to_facility\":\"H1\","
                            "\"reason\":\"poorly controlled diabetes\""),
              201);
    CHECK_STR(jstr(R.json, "kind"), "consultation");
    CHECK_INT(json_array_size(json_object_get(R.json, "results")), 0);
    CHECK_INT(post_referral(tok_fa_ta, "\"direction\":\"up\",\"resident_id\":2,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\","
                            "\"reason\":\"r\",\"results\":[4,3]"),
              201);
    CHECK_STR(jstr(R.json, "kind"), "referral");
    res = json_object_get(R.json, "results");
    CHECK_INT(json_array_size(res), 2);
    CHECK_INT(jint(json_array_get(res, 0), "id"), 3);
    CHECK_INT(jint(json_array_get(res, 1), "id"), 4);
}

/* A family doctor's outbox holds the referrals they made, not their colleagues'. */
TEST(doctor_outbox_is_their_own)
{
    CHECK(server() != NULL);
    CHECK_INT(post_referral(tok_fd_a, "\"direction\":\"up\",\"resident_id\":2,"
                            "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\""),
              201);
    int64_t mine = jint(R.json, "id");
    CHECK_INT(req("GET", "/api/referrals/outbox?facility=TA&limit=1000", tok_fd_a, NULL), 200);
    json_t *items = json_object_get(R.json, "items");
    bool found = false;
    CHECK(json_array_size(items) >= 1);
    for (size_t i = 0; i < json_array_size(items); i++) {
        CHECK_STR(jstr(json_array_get(items, i), "created_by"), "fd_a");
        found = found || jint(json_array_get(items, i), "id") == mine;
    }
    CHECK(found);
    CHECK_INT(req("GET", "/api/referrals/outbox?facility=TA&limit=1000", tok_fd_b, NULL), 200);
    items = json_object_get(R.json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        CHECK_STR(jstr(json_array_get(items, i), "created_by"), "fd_b");
    /* The facility's admin sees them all; an analyst none. */
    CHECK_INT(req("GET", "/api/referrals/outbox?facility=TA&limit=1000", tok_fa_ta, NULL), 200);
    CHECK(json_array_size(json_object_get(R.json, "items")) >= 1);
    CHECK_INT(req("GET", "/api/referrals/outbox?facility=TA", tok_analyst, NULL), 403);
}

/* ------------------------------------------------------------------ paging */

/* Walk a box page by page (pages of 2) and check ids rise and statuses match; the count. */
static long walk_box(enum ref_box box, const char *facility, const char *status)
{
    struct ref_query q = {.box = box, .facility = facility, .status = status, .limit = 2};
    long seen = 0;
    for (;;) {
        struct ref_referral *rows;
        size_t n;
        struct yl_err err = {0};
        if (ref_list(srv.store, NULL, &q, (int64_t)time(NULL), &mem, &rows, &n, &err) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (rows[i].id <= q.after ||
                (status != NULL && status[0] != '\0' &&
                 strcmp(ref_status_code(rows[i].status), status) != 0))
                return -1;
            q.after = rows[i].id;
        }
        seen += (long)n;
        if (n < 2)
            return seen;
    }
}

TEST(box_pages_walk_every_status_in_id_order)
{
    CHECK(server() != NULL);
    int64_t now = (int64_t)time(NULL);
    int64_t ids[6];
    for (int i = 0; i < 6; i++) {
        ids[i] = make_up(1 + i % 3, "routine", now);
        CHECK(ids[i] > 0);
    }
    struct yl_err err = {0};
    CHECK_INT(ref_act(srv.store, &system_who, ids[1], REF_ACCEPT, NULL, now + 1, &err), 0);
    CHECK_INT(ref_act(srv.store, &system_who, ids[2], REF_REJECT, "full", now + 1, &err), 0);
    CHECK_INT(ref_act(srv.store, &system_who, ids[4], REF_CANCEL, NULL, now + 1, &err), 0);
    const char *h1 = "(SELECT id FROM facility WHERE code = 'H1')";
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM referral WHERE to_facility_id = %s", h1);
    CHECK_INT(walk_box(REF_INBOX, "H1", NULL), sql_count(sql));
    CHECK_INT(walk_box(REF_INBOX, "H1", ""), sql_count(sql));
    static const char *const statuses[] = {"requested", "accepted", "rejected", "cancelled",
                                           "arrived"};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM referral WHERE to_facility_id = %s AND status = '%s'",
                 h1, statuses[i]);
        CHECK_INT(walk_box(REF_INBOX, "H1", statuses[i]), sql_count(sql));
    }
    CHECK(walk_box(REF_INBOX, "H1", "requested") >= 3);
    CHECK_INT(walk_box(REF_OUTBOX, "TA", NULL),
              sql_count("SELECT COUNT(*) FROM referral WHERE from_facility_id ="
                        " (SELECT id FROM facility WHERE code = 'TA')"));
}

/* ------------------------------------------------------------------ idempotency */

TEST(idempotent_external_id)
{
    CHECK(server() != NULL);
    const char *body = "\"external_id\":\"his-ref-1\",\"direction\":\"up\",\"resident_id\":3,"
                       "\"from_facility\":\"TA\",\"to_facility\":\"H1\",\"reason\":\"r\"";
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE resource_type = 'referral'"
                            " AND action = 'create'");
    CHECK_INT(post_referral(tok_fd_a, body), 201);
    int64_t id = jint(R.json, "id");
    CHECK_INT(post_referral(tok_fd_a, body), 200);
    CHECK_INT(jint(R.json, "id"), id);
    CHECK_INT(post_referral(tok_fd_a, "\"external_id\":\"his-ref-1\",\"direction\":\"up\","
                            "\"resident_id\":3,\"from_facility\":\"TA\",\"to_facility\":\"H1\","
                            "\"reason\":\"another\""),
              409);
    CHECK_STR(ts_err_field(&R), "external_id");
    CHECK_INT(jint(json_object_get(R.json, "error"), "existing_id"), id);
    /* The same content with other results attached is other content. */
    CHECK_INT(post_referral(tok_fd_a, "\"external_id\":\"his-ref-1\",\"direction\":\"up\","
                            "\"resident_id\":3,\"from_facility\":\"TA\",\"to_facility\":\"H1\","
                            "\"reason\":\"r\",\"results\":[5]"),
              409);
    CHECK_STR(ts_err_field(&R), "external_id");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM referral WHERE external_id = 'his-ref-1'"), 1);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE resource_type = 'referral'"
                        " AND action = 'create'"),
              audits + 1);
}

TEST_MAIN()
