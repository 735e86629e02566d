/*
 * test_services_events.c - service records (issue 4): recording events over the API with
 * each refusal naming its field, idempotency on the external id, scope, the population
 * index's service history against the store, the care plan of a hand-made resident, and
 * the CSV and NDJSON imports.
 *
 * The protocol is the shipped one (data/), loaded as the server loads it. The region is
 * written straight into the migrated database with the sqlite3 C API; dates are relative to
 * today so that ages and windows hold whenever the test runs. Tests share one server and run
 * in file order.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "importer/importer.h"
#include "services/events.h"
#include "vocab/vocab.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ fixtures */

static struct ts_server srv;
static bool srv_up;
static struct svc_protocol *proto;
static char tok_admin[ACCT_TOKEN_HEX], tok_fd_a[ACCT_TOKEN_HEX], tok_fd_b[ACCT_TOKEN_HEX];
static char tok_vd[ACCT_TOKEN_HEX], tok_analyst[ACCT_TOKEN_HEX];
static struct ts_response R;

/* Residents by id: 1 a hypertensive woman of 66 (team A), 2 a man of 40 (team A), 3 a
 * child of one year (team A), 4 a man of 50 in village B1 (team B), 5 a hypertensive woman
 * of 66 for the care plan (team A). */
#define N_RESIDENTS 5
static char idno[N_RESIDENTS + 1][IDNO_LEN + 1];
static int32_t birth[N_RESIDENTS + 1];

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

static long sql_count(const char *text)
{
    return ts_sql_count(srv.db, text);
}

static const char *day_text(int offset, char out[DATE_STR_LEN])
{
    return date_format(date_add_days(date_today(), offset), out);
}

/* A birth date `years` years and `days` days before today. */
static int32_t born(int years, int days)
{
    return date_add_days(date_add_months(date_today(), -12 * years), -days);
}

static void make_idno(char out[IDNO_LEN + 1], int32_t day, int seq)
{
    ts_idno(out, day, seq);
}

static int fixtures(void)
{
    const char *now = "2024-01-01T00:00:00Z";
    char text[8192];
    snprintf(text, sizeof(text),
             "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, '%1$s'), (2, '2224', 'Yanbian', 2, 1, '%1$s'),"
             " (3, '222404', 'Hunchun', 3, 2, '%1$s'),"
             " (4, '222404001', 'Township A', 4, 3, '%1$s'),"
             " (5, '222404001001', 'Village A1', 5, 4, '%1$s'),"
             " (6, '222404002', 'Township B', 4, 3, '%1$s'),"
             " (7, '222404002001', 'Village B1', 5, 6, '%1$s');"
             "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
             " (1, 'TA', 'Township A center', 'township_center', 4, 'active', '%1$s'),"
             " (2, 'TB', 'Township B center', 'township_center', 6, 'active', '%1$s'),"
             " (3, 'VA1', 'Village A1 clinic', 'village_clinic', 5, 'active', '%1$s');"
             "INSERT INTO staff (id, code, name, role, facility_id, status, updated_at) VALUES"
             " (1, 'S-VD1', 'Village doctor A1', 'village_doctor', 3, 'active', '%1$s'),"
             " (2, 'S-GP1', 'GP A', 'general_practitioner', 1, 'active', '%1$s'),"
             " (3, 'S-GP2', 'GP B', 'general_practitioner', 2, 'active', '%1$s');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s'),"
             " (2, 'TB-1', 'Team B', 2, 'active', '%1$s');"
             /* The village doctor works at the clinic and serves in the township's team. */
             "INSERT INTO team_member (team_id, staff_id) VALUES (1, 1), (1, 2), (2, 3);",
             now);
    if (sql(text) != 0)
        return -1;
    static const int years[N_RESIDENTS + 1] = {0, 66, 40, 1, 50, 66};
    static const int sexes[N_RESIDENTS + 1] = {0, 2, 1, 1, 1, 2};
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char b[DATE_STR_LEN];
        birth[id] = born(years[id], 10);
        make_idno(idno[id], birth[id], 100 + 2 * id + (sexes[id] == 2 ? 0 : 1));
        snprintf(text, sizeof(text),
                 "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                 " record_date, status, updated_at) VALUES (%d, '%s', 'Resident %d', %d,"
                 " '%s', %d, '%s', 'active', '%s');"
                 "INSERT INTO contract (resident_id, team_id, package, from_date, to_date,"
                 " status, updated_at) VALUES (%d, %d, 'basic', '2020-01-01', '2099-12-31',"
                 " 'active', '%s');",
                 id, idno[id], id, sexes[id], date_format(birth[id], b), id == 4 ? 7 : 5,
                 date_format(birth[id], b), now, id, id == 4 ? 2 : 1, now);
        if (sql(text) != 0)
            return -1;
    }
    char from[DATE_STR_LEN];
    snprintf(text, sizeof(text),
             "INSERT INTO resident_tag (resident_id, tag, from_date) VALUES"
             " (1, 'hypertension', '%1$s'), (5, 'hypertension', '%1$s')",
             day_text(-3 * 365, from));
    return sql(text);
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
    atexit(stop_srv);
    if (fixtures() != 0)
        return NULL;
    /* The shipped protocol, and the index loaded with the fixtures. */
    if (ts_server_protocol(&srv) != 0)
        return NULL;
    proto = srv.protocol;
    if (ts_user_add(&srv, "fd_a", "password-fd-a", "family_doctor", "team:1") != 0 ||
        ts_user_add(&srv, "fd_b", "password-fd-b", "family_doctor", "team:2") != 0 ||
        ts_user_add(&srv, "vdoc", "password-vd-1", "village_doctor", "ou:222404001001") != 0 ||
        ts_user_add(&srv, "analyst", "password-analyst", "analyst", "region") != 0)
        return NULL;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 ||
        ts_login(srv.port, "fd_a", "password-fd-a", tok_fd_a) != 200 ||
        ts_login(srv.port, "fd_b", "password-fd-b", tok_fd_b) != 200 ||
        ts_login(srv.port, "vdoc", "password-vd-1", tok_vd) != 200 ||
        ts_login(srv.port, "analyst", "password-analyst", tok_analyst) != 200)
        return NULL;
    state = 1;
    return &srv;
}

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
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *err_message(void)
{
    json_t *e = R.json ? json_object_get(R.json, "error") : NULL;
    const char *m = jstr(e, "message");
    return m ? m : "";
}

/* POST an event for resident `id`: item, day offset from today, facility, staff (NULL:
 * none), measurements object text, external id (NULL: none). Returns the status. */
static int post_event(const char *token, int id, const char *item, int offset,
                      const char *facility, const char *staff, const char *measurements,
                      const char *ext)
{
    char path[64], body[1024], day[DATE_STR_LEN], staff_part[64] = "", ext_part[96] = "";
    snprintf(path, sizeof(path), "/api/residents/%d/services", id);
    if (staff != NULL)
        snprintf(staff_part, sizeof(staff_part), ",\"staff\":\"%s\"", staff);
    if (ext != NULL)
        snprintf(ext_part, sizeof(ext_part), ",\"external_id\":\"%s\"", ext);
    snprintf(body, sizeof(body),
             "{\"item\":\"%s\",\"date\":\"%s\",\"facility\":\"%s\"%s%s,\"measurements\":%s}",
             item, day_text(offset, day), facility, staff_part, ext_part,
             measurements ? measurements : "{}");
    return req("POST", path, token, body);
}

/* The refusal of a POST: 400 naming `field`. */
#define CHECK_REFUSED(status, field)                                                   \
    do {                                                                               \
        CHECK_INT((status), 400);                                                      \
        CHECK_STR(ts_err_field(&R), (field));                                          \
    } while (0)

static const char *BP_OK = "{\"sbp\":150,\"dbp\":95,\"weight\":70.5,\"height\":160}";

/* ------------------------------------------------------------------ library */

TEST(measurements_text_round_trip)
{
    CHECK(server() != NULL);
    struct svc_measure_list l;
    struct yl_err err = {0};
    CHECK_INT(svc_measures_parse(proto, "weight=70.5  sbp=150 dbp=95 guidance=yes", &l, &err), 0);
    CHECK_INT(l.n, 4);
    struct svc_measure_value out[SVC_ITEM_MEASURES + 8];
    size_t n;
    int item = svc_item_find(proto, "htn_followup");
    CHECK_INT(svc_measures_check(proto, item, l.v, l.n, out, 56, &n, &err), 0);
    char text[256];
    CHECK_INT(svc_measures_format(proto, out, n, text, sizeof(text), &err), 0);
    /* Protocol order; guidance as 1. */
    CHECK_STR(text, "sbp=150 dbp=95 weight=70.5 guidance=1");
    CHECK_INT(svc_measures_parse(proto, "sbp=abc", &l, &err), YL_EINVAL);
    CHECK_STR(err.field, "sbp");
    yl_err_clear(&err);
    CHECK_INT(svc_measures_parse(proto, "sbp", &l, &err), YL_EINVAL);
    CHECK_STR(err.field, "measurements");
}

TEST(facts_delivery_day_from_pregnant_tags)
{
    /* A pregnancy registered on day 1000 due on day 1280, ended on 1275: a delivery. An
     * earlier one ended at 10 weeks (day 500 + 70, due 780): a pregnancy lost. */
    struct pidx_resident r = {.ou = 1, .birth = -9000, .end_date = PIDX_OPEN, .sex = 2};
    struct pidx_span spans[3] = {
        {500, 570, TAG_PREGNANT, PIDX_SPAN_TAG, {0}},
        {1000, 1275, TAG_PREGNANT, PIDX_SPAN_TAG, {0}},
        {100, PIDX_OPEN, TAG_HYPERTENSION, PIDX_SPAN_TAG, {0}},
    };
    pidx_span_set_due(&spans[0], 780);
    pidx_span_set_due(&spans[1], 1280);
    r.span_count = 3;
    struct svc_tag_span tags[8];
    struct svc_facts f;
    svc_facts_from_index(&r, spans, 1300, tags, 8, &f);
    CHECK_INT(f.delivery_day, 1275);
    CHECK_INT(f.n_tags, 3);
    CHECK_INT(f.tags[1].expected_delivery, 1280);
    CHECK_INT(f.tags[2].expected_delivery, SVC_DAY_NONE);
    CHECK_INT(f.end_day, SVC_OPEN);
    /* Before the delivery only the lost pregnancy had ended: no delivery yet. */
    svc_facts_from_index(&r, spans, 1200, tags, 8, &f);
    CHECK_INT(f.delivery_day, SVC_DAY_NONE);
    /* The postpartum visit is eligible from the delivery on. */
    struct svc_protocol *p = NULL;
    struct yl_err err = {0};
    CHECK_INT(cli_protocol_load(NULL, &p, &err), 0);
    svc_facts_from_index(&r, spans, 1280, tags, 8, &f);
    CHECK(svc_item_eligible(p, svc_item_find(p, "postpartum_visit"), &f, 1280));
    svc_facts_from_index(&r, spans, 1274, tags, 8, &f);
    CHECK(!svc_item_eligible(p, svc_item_find(p, "postpartum_visit"), &f, 1274));
    svc_protocol_free(p);
}

/* ------------------------------------------------------------------ recording */

TEST(record_good_events)
{
    CHECK(server() != NULL);
    CHECK_INT(post_event(tok_fd_a, 1, "htn_followup", -5, "TA", "S-GP1", BP_OK, NULL), 201);
    CHECK_STR(jstr(R.json, "item"), "htn_followup");
    CHECK_STR(jstr(R.json, "facility"), "TA");
    CHECK_STR(jstr(R.json, "staff"), "S-GP1");
    CHECK_CONTAINS(jstr(R.json, "external_id"), "svc-");
    json_t *out = json_object_get(R.json, "outcome");
    CHECK_INT(json_array_size(out), 1);
    CHECK_STR(json_string_value(json_array_get(out, 0)), "uncontrolled");
    json_t *m = json_object_get(R.json, "measurements");
    CHECK_INT(jint(m, "sbp"), 150);
    /* BMI derived: 70.5 / 1.6² = 27.5 */
    CHECK(json_real_value(json_object_get(m, "bmi")) > 27.49 &&
          json_real_value(json_object_get(m, "bmi")) < 27.51);
    /* The village doctor of a village clinic serving in the township's team records at the
     * township center; the elderly check of a woman of 66 with every required value. */
    CHECK_INT(post_event(tok_vd, 1, "elderly_checkup", -4, "TA", "S-VD1",
                         "{\"sbp\":128,\"dbp\":80,\"height\":158,\"weight\":55,\"fbg\":5.6}",
                         NULL),
              201);
    CHECK_INT(json_array_size(json_object_get(R.json, "outcome")), 0);
    /* A vaccine dose with its lot, a controlled follow-up without staff. */
    CHECK_INT(post_event(tok_fd_a, 3, "hepb_3", -2, "VA1", "S-VD1", "{\"lot\":\"202301A\"}",
                         NULL),
              201);
    CHECK_STR(jstr(json_object_get(R.json, "measurements"), "lot"), "202301A");
    CHECK_INT(post_event(tok_admin, 1, "htn_followup", -1, "TA", NULL,
                         "{\"sbp\":130,\"dbp\":80}", NULL),
              201);
    CHECK_STR(json_string_value(json_array_get(json_object_get(R.json, "outcome"), 0)),
              "controlled");
    CHECK(json_is_null(json_object_get(R.json, "staff")));
    CHECK_INT(sql_count("SELECT COUNT(*) FROM service_event"), 4);
    /* Each write carried its audit record. */
    CHECK(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_service'"
                    " AND resource_type = 'resident'") == 4);
}

TEST(record_refusals_name_their_field)
{
    CHECK(server() != NULL);
    long before = sql_count("SELECT COUNT(*) FROM service_event");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "nope", -1, "TA", NULL, BP_OK, NULL), "item");
    /* Not eligible: a man of 40 for the elderly check; the woman's follow-up before her
     * hypertension was recorded. */
    CHECK_REFUSED(post_event(tok_fd_a, 2, "elderly_checkup", -1, "TA", NULL,
                             "{\"sbp\":128,\"dbp\":80,\"height\":170,\"weight\":70,\"fbg\":5}",
                             NULL),
                  "item");
    CHECK_CONTAINS(err_message(), "ages from 65y");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -4 * 365, "TA", NULL, BP_OK, NULL),
                  "item");
    CHECK_CONTAINS(err_message(), "hypertension");
    CHECK_REFUSED(post_event(tok_fd_a, 2, "cervical_screen", -1, "TA", NULL,
                             "{\"screen_abnormal\":false}", NULL),
                  "item");
    CHECK_CONTAINS(err_message(), "women");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", 1, "TA", NULL, BP_OK, NULL), "date");
    CHECK_CONTAINS(err_message(), "future");
    /* Before birth: the child was born a year and ten days ago. */
    CHECK_REFUSED(post_event(tok_fd_a, 3, "hepb_1", -400, "VA1", NULL, "{\"lot\":\"L1\"}", NULL),
                  "date");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "NOPE", NULL, BP_OK, NULL),
                  "facility");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", "S-GP2", BP_OK, NULL),
                  "staff");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", "S-NOBODY", BP_OK, NULL),
                  "staff");
    /* Each range: systolic, diastolic, fasting glucose, height, weight. */
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", NULL,
                             "{\"sbp\":301,\"dbp\":95}", NULL),
                  "sbp");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", NULL,
                             "{\"sbp\":150,\"dbp\":29}", NULL),
                  "dbp");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "elderly_checkup", -1, "TA", NULL,
                             "{\"sbp\":128,\"dbp\":80,\"height\":158,\"weight\":55,\"fbg\":36}",
                             NULL),
                  "fbg");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "elderly_checkup", -1, "TA", NULL,
                             "{\"sbp\":128,\"dbp\":80,\"height\":251,\"weight\":55,\"fbg\":5}",
                             NULL),
                  "height");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "elderly_checkup", -1, "TA", NULL,
                             "{\"sbp\":128,\"dbp\":80,\"height\":158,\"weight\":301,\"fbg\":5}",
                             NULL),
                  "weight");
    /* Systolic not above diastolic; a required value missing; a dose without its lot. */
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", NULL,
                             "{\"sbp\":90,\"dbp\":95}", NULL),
                  "sbp");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", NULL, "{\"sbp\":150}",
                             NULL),
                  "dbp");
    CHECK_REFUSED(post_event(tok_fd_a, 3, "mmr_1", -1, "VA1", NULL, "{}", NULL), "lot");
    CHECK_REFUSED(post_event(tok_fd_a, 3, "hepb_2", -1, "VA1", NULL, "{\"lot\":\"A B\"}", NULL),
                  "lot");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", NULL,
                             "{\"sbp\":150,\"dbp\":95,\"bmi\":22}", NULL),
                  "bmi");
    CHECK_REFUSED(post_event(tok_fd_a, 1, "htn_followup", -1, "TA", NULL, BP_OK, "bad id!"),
                  "external_id");
    /* Nothing of it was stored. */
    CHECK_INT(sql_count("SELECT COUNT(*) FROM service_event"), before);
}

TEST(idempotent_on_external_id)
{
    CHECK(server() != NULL);
    CHECK_INT(post_event(tok_fd_a, 1, "htn_followup", -3, "TA", NULL, BP_OK, "his-0001"), 201);
    int64_t id = jint(R.json, "id");
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_service'");
    CHECK_INT(post_event(tok_fd_a, 1, "htn_followup", -3, "TA", NULL, BP_OK, "his-0001"), 200);
    CHECK_INT(jint(R.json, "id"), id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_service'"), audits);
    /* The same key with other content. */
    CHECK_INT(post_event(tok_fd_a, 1, "htn_followup", -3, "TA", NULL,
                         "{\"sbp\":151,\"dbp\":95,\"weight\":70.5,\"height\":160}", "his-0001"),
              409);
    CHECK_STR(ts_err_field(&R), "external_id");
    CHECK_INT(jint(json_object_get(R.json, "error"), "existing_id"), id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM service_event WHERE external_id = 'his-0001'"), 1);
}

TEST(scope_of_family_doctors_and_analyst)
{
    CHECK(server() != NULL);
    /* Team B's doctor does not see team A's resident: 404, as if absent. */
    CHECK_INT(post_event(tok_fd_b, 1, "htn_followup", -2, "TB", NULL, BP_OK, NULL), 404);
    CHECK_INT(req("GET", "/api/residents/1/services", tok_fd_b, NULL), 404);
    CHECK_INT(req("GET", "/api/residents/1/care-plan", tok_fd_b, NULL), 404);
    /* The analyst never sees a person. */
    CHECK_INT(post_event(tok_analyst, 1, "htn_followup", -2, "TA", NULL, BP_OK, NULL), 403);
    CHECK_INT(req("GET", "/api/residents/1/services", tok_analyst, NULL), 403);
    CHECK_INT(req("GET", "/api/residents/1/care-plan", tok_analyst, NULL), 403);
    /* Team B's doctor records for their own resident. */
    CHECK_INT(post_event(tok_fd_b, 4, "elderly_tcm", -2, "TB", "S-GP2",
                         "{\"tcm_type\":\"qi_deficiency\"}", NULL),
              400); /* a man of 50 is not elderly */
    CHECK_INT(req("GET", "/api/residents/4/services", tok_fd_b, NULL), 200);
    CHECK_INT(req("GET", "/api/protocol/items", tok_analyst, NULL), 200);
    CHECK(json_array_size(json_object_get(R.json, "items")) == svc_item_count(proto));
}

TEST(history_is_paginated_and_audited)
{
    CHECK(server() != NULL);
    /* The audit log writes behind the requests: flush the earlier tests' records first, or
     * they may land between the two counts. */
    struct yl_err err = {0};
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    long reads = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'read_services'");
    CHECK_INT(req("GET", "/api/residents/1/services?limit=2", tok_fd_a, NULL), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 2);
    const char *next = jstr(R.json, "next");
    CHECK(next != NULL);
    char path[128];
    snprintf(path, sizeof(path), "/api/residents/1/services?limit=50&cursor=%s", next);
    CHECK_INT(req("GET", path, tok_fd_a, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 2);
    CHECK(json_is_null(json_object_get(R.json, "next")));
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'read_services'"), reads + 2);
}

/* ------------------------------------------------------------------ the index */

TEST(index_history_agrees_with_store)
{
    CHECK(server() != NULL);
    /* A few more, including one years ago that the keep rule must still hold. */
    CHECK_INT(post_event(tok_fd_a, 1, "htn_followup", -700, "TA", NULL, BP_OK, NULL), 201);
    CHECK_INT(post_event(tok_fd_a, 1, "htn_yearly", -30, "TA", NULL,
                         "{\"sbp\":185,\"dbp\":100,\"height\":158,\"weight\":55}", NULL),
              201);
    CHECK_INT(post_event(tok_fd_a, 3, "hepb_1", -370, "VA1", NULL, "{\"lot\":\"L0\"}", NULL),
              201);
    struct svc_done done[64];
    size_t n = pidx_resident_services(srv.index, 1, done, 64);
    CHECK_INT(n, sql_count("SELECT COUNT(*) FROM service_event WHERE resident_id = 1"));
    for (size_t i = 1; i < n; i++)
        CHECK(done[i - 1].day <= done[i].day);
    CHECK_INT(done[0].item, svc_item_find(proto, "htn_followup"));
    CHECK_INT(done[0].day, date_add_days(date_today(), -700));
    /* The dangerous yearly check carries its outcome bit. */
    bool dangerous = false;
    for (size_t i = 0; i < n; i++)
        if (done[i].item == svc_item_find(proto, "htn_yearly"))
            dangerous = (done[i].outcome & SVC_OUT_DANGEROUS) != 0;
    CHECK(dangerous);

    /* A fresh load equals the live index; one-by-one reads agree with both. */
    struct pidx *fresh = pidx_new();
    pidx_set_protocol(fresh, proto);
    struct yl_err err = {0};
    long diffs = -1, checked = 0;
    int rc = pidx_load(fresh, srv.store, &err);
    if (rc == 0)
        rc = pidx_compare(srv.index, fresh, &diffs, &err);
    pidx_free(fresh);
    if (rc != 0)
        fprintf(stderr, "    %s\n", yl_err_message(&err));
    CHECK_INT(rc, 0);
    CHECK_INT(diffs, 0);
    struct store_conn *c = store_acquire(srv.store);
    rc = pidx_check_residents(srv.index, c, &checked, &diffs, &err);
    store_release(c);
    CHECK_INT(rc, 0);
    CHECK_INT(checked, N_RESIDENTS);
    CHECK_INT(diffs, 0);
    /* The API's verify compares the history as well. */
    CHECK_INT(req("GET", "/api/index/verify", tok_admin, NULL), 200);
    CHECK(json_is_true(json_object_get(R.json, "consistent")));

    /* An event behind the index's back is a difference of the service history. */
    CHECK_INT(sql("INSERT INTO service_event (external_id, resident_id, item, service_date,"
                  " facility_id, outcome, measurements, recorded_at) VALUES ('behind', 2,"
                  " 'elderly_tcm', '2020-01-01', 1, 0, '', 'now')"),
              0);
    c = store_acquire(srv.store);
    yl_err_clear(&err);
    rc = pidx_check_residents(srv.index, c, &checked, &diffs, &err);
    store_release(c);
    CHECK_INT(diffs, 1);
    CHECK_CONTAINS(yl_err_message(&err), "service history");
    CHECK_INT(sql("DELETE FROM service_event WHERE external_id = 'behind'"), 0);

    size_t events = 0;
    size_t bytes = pidx_services_memory(srv.index, &events);
    CHECK(events >= 8);
    printf("    index: %zu service events kept in %zu bytes\n", events, bytes);
}

TEST(history_keep_rule_in_the_index)
{
    CHECK(server() != NULL);
    /* Resident 2 (a man of 40): six TB follow-ups long ago are not eligible without the tag,
     * so write them straight into the store; the index keeps the last four of them and all
     * of this year's and last year's. */
    char text[2048] = "INSERT INTO service_event (external_id, resident_id, item, service_date,"
                      " facility_id, outcome, measurements, recorded_at) VALUES ";
    char day[DATE_STR_LEN];
    int y, m, d;
    date_to_ymd(date_today(), &y, &m, &d);
    for (int i = 0; i < 6; i++) {
        char row[200];
        snprintf(row, sizeof(row), "%s('keep-%d', 2, 'tb_followup', '%04d-0%d-15', 1, 0, '',"
                 " 'now')", i ? "," : "", i, y - 4, i + 1);
        strncat(text, row, sizeof(text) - strlen(text) - 1);
    }
    snprintf(text + strlen(text), sizeof(text) - strlen(text),
             ",('keep-y', 2, 'tb_followup', '%04d-01-02', 1, 0, '', 'now')"
             ",('keep-z', 2, 'tb_followup', '%s', 1, 0, '', 'now')",
             y - 1, date_format(date_today(), day));
    CHECK_INT(sql(text), 0);
    struct store_conn *c = store_acquire(srv.store);
    struct yl_err err = {0};
    CHECK_INT(pidx_resident_refresh(srv.index, c, 2, &err), 0);
    store_release(c);
    struct svc_done done[16];
    size_t n = pidx_resident_services(srv.index, 2, done, 16);
    CHECK_INT(n, 6);
    CHECK_INT(done[0].day, date_from_ymd(y - 4, 3, 15));
    CHECK_INT(done[4].day, date_from_ymd(y - 1, 1, 2));
    struct pidx *fresh = pidx_new();
    pidx_set_protocol(fresh, proto);
    long diffs = -1;
    CHECK_INT(pidx_load(fresh, srv.store, &err), 0);
    CHECK_INT(pidx_compare(srv.index, fresh, &diffs, &err), 0);
    pidx_free(fresh);
    CHECK_INT(sql("DELETE FROM service_event WHERE external_id LIKE 'keep-%'"), 0);
    c = store_acquire(srv.store);
    CHECK_INT(pidx_resident_refresh(srv.index, c, 2, &err), 0);
    store_release(c);
    CHECK_INT(pidx_resident_services(srv.index, 2, done, 16), 0);
}

/* ------------------------------------------------------------------ the care plan */

static json_t *plan_item(const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(R.json, "items"), i, e)
    {
        if (strcmp(jstr(e, "item"), code) == 0)
            return e;
    }
    return NULL;
}

TEST(care_plan_of_a_hand_made_resident)
{
    CHECK(server() != NULL);
    /* Resident 5: a hypertensive woman of 66, one uncontrolled follow-up 100 days ago. */
    CHECK_INT(post_event(tok_fd_a, 5, "htn_followup", -100, "TA", "S-GP1",
                         "{\"sbp\":160,\"dbp\":92}", NULL),
              201);
    CHECK_INT(req("GET", "/api/residents/5/care-plan", tok_fd_a, NULL), 200);
    /* By hand: eligible for the elderly check, the elderly TCM check, the hypertension
     * follow-up and the yearly hypertension check, nothing else (too old for screening, no
     * pregnancy, no other tag). */
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 4);
    char day[DATE_STR_LEN], end[DATE_STR_LEN];
    int y, m, d;
    date_to_ymd(date_today(), &y, &m, &d);
    date_format(date_from_ymd(y, 12, 31), end);
    /* Uncontrolled: the next follow-up was due within 14 days, so it is overdue since the
     * 15th day after it. */
    json_t *f = plan_item("htn_followup");
    CHECK(f != NULL);
    CHECK_STR(jstr(f, "state"), "overdue");
    CHECK_STR(jstr(f, "last_done"), day_text(-100, day));
    CHECK_STR(jstr(f, "due_by"), day_text(-86, day));
    CHECK_STR(jstr(f, "overdue_since"), day_text(-85, day));
    CHECK_STR(jstr(f, "due_rule"), "htn_uncontrolled");
    CHECK(json_is_false(json_object_get(f, "referral_suggested")));
    CHECK_INT(jint(f, "done_this_year"),
              date_add_days(date_today(), -100) >= date_from_ymd(y, 1, 1) ? 1 : 0);
    /* Yearly items not done this year are due by the year's end. */
    static const char *const yearly[] = {"elderly_checkup", "elderly_tcm", "htn_yearly"};
    for (int i = 0; i < 3; i++) {
        json_t *e = plan_item(yearly[i]);
        CHECK(e != NULL);
        CHECK_STR(jstr(e, "state"), "due");
        CHECK_STR(jstr(e, "due_by"), end);
        CHECK(json_is_null(json_object_get(e, "last_done")));
        CHECK_INT(jint(e, "done_this_year"), 0);
    }
    /* The same plan computed by the library from the index. */
    struct svc_plan_entry plan[256];
    size_t n;
    CHECK(svc_care_plan(srv.index, proto, 5, date_today(), 30, plan, 256, &n));
    CHECK_INT(n, 4);
    /* A second uncontrolled follow-up in a row suggests an up-referral. */
    CHECK_INT(post_event(tok_fd_a, 5, "htn_followup", -80, "TA", NULL,
                         "{\"sbp\":165,\"dbp\":95}", NULL),
              201);
    CHECK_INT(req("GET", "/api/residents/5/care-plan?horizon=10", tok_fd_a, NULL), 200);
    f = plan_item("htn_followup");
    CHECK(f != NULL);
    CHECK(json_is_true(json_object_get(f, "referral_suggested")));
    CHECK_STR(jstr(f, "referral_rule"), "htn_uncontrolled_twice");
    CHECK_INT(req("GET", "/api/residents/5/care-plan?date=2024-13-01", tok_fd_a, NULL), 400);
    CHECK_STR(ts_err_field(&R), "date");
    CHECK_INT(req("GET", "/api/residents/99/care-plan", tok_admin, NULL), 404);
}

/* ------------------------------------------------------------------ imports */

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int import(const char *path, struct imp_report *rep, char *errors, size_t n)
{
    memset(rep, 0, sizeof(*rep));
    FILE *log = fmemopen(errors, n, "w");
    rep->errors = log;
    struct yl_err err = {0};
    int rc = cli_import_file(srv.store, "services", path, rep, &err);
    fclose(log);
    if (rc != 0)
        fprintf(stderr, "    import: %s\n", yl_err_message(&err));
    return rc;
}

TEST(csv_import_good_bad_and_rerun)
{
    CHECK(server() != NULL);
    char text[4096], d1[DATE_STR_LEN], d2[DATE_STR_LEN], future[DATE_STR_LEN];
    day_text(-20, d1);
    day_text(-10, d2);
    day_text(5, future);
    snprintf(text, sizeof(text),
             "external_id,id_number,item,date,facility,staff,measurements\n"
             "csv-1,%1$s,htn_followup,%3$s,TA,S-GP1,sbp=150 dbp=95 weight=70.5\n"
             "csv-2,%1$s,htn_followup,%4$s,TA,,sbp=128 dbp=82\n"
             "csv-3,%1$s,nope,%4$s,TA,,\n"                     /* line 4: item */
             "csv-4,%1$s,htn_followup,%5$s,TA,,sbp=128 dbp=82\n" /* line 5: future */
             "csv-5,%2$s,hepb_2,%4$s,VA1,S-VD1,lot=B7\n"
             "csv-6,%1$s,htn_followup,%4$s,TA,,sbp=301 dbp=82\n" /* line 7: sbp */
             ",%1$s,htn_followup,%4$s,TA,,sbp=128 dbp=82\n"      /* line 8: external_id */
             "csv-8,110105194912310021,htn_followup,%4$s,TA,,sbp=128 dbp=82\n" /* line 9 */
             "csv-9,%1$s,htn_followup,%4$s,TA,S-GP2,sbp=128 dbp=82\n",          /* line 10 */
             idno[1], idno[3], d1, d2, future);
    const char *path = ts_path("services.csv");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[4096] = "";
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.records, 9);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 6);
    CHECK_CONTAINS(errors, "line 4: item:");
    CHECK_CONTAINS(errors, "line 5: date:");
    CHECK_CONTAINS(errors, "line 7: sbp:");
    CHECK_CONTAINS(errors, "line 8: external_id:");
    CHECK_CONTAINS(errors, "line 9: id_number:");
    CHECK_CONTAINS(errors, "line 10: staff:");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM service_event WHERE external_id LIKE 'csv-%'"), 3);
    /* Again: nothing changes. */
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 3);
    CHECK_INT(rep.refused, 6);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM service_event WHERE external_id LIKE 'csv-%'"), 3);
    /* The import wrote behind the live index: a reload puts it level again. */
    struct yl_err err = {0};
    CHECK_INT(pidx_load(srv.index, srv.store, &err), 0);
    CHECK_INT(req("GET", "/api/index/verify", tok_admin, NULL), 200);
    CHECK(json_is_true(json_object_get(R.json, "consistent")));
}

TEST(ndjson_import)
{
    CHECK(server() != NULL);
    char text[4096], d1[DATE_STR_LEN];
    day_text(-7, d1);
    snprintf(text, sizeof(text),
             "{\"external_id\":\"nd-1\",\"id_number\":\"%1$s\",\"item\":\"htn_followup\","
             "\"date\":\"%2$s\",\"facility\":\"TA\",\"staff\":\"S-GP1\","
             "\"measurements\":{\"sbp\":182,\"dbp\":100,\"weight\":60.25}}\n"
             "\n"
             "{\"external_id\":\"nd-2\",\"id_number\":\"%1$s\",\"item\":\"htn_followup\"\n"
             "{\"external_id\":\"nd-3\",\"id_number\":\"%1$s\",\"item\":\"htn_followup\","
             "\"date\":\"%2$s\",\"facility\":\"TA\",\"colour\":\"red\"}\n"
             "{\"external_id\":\"nd-4\",\"id_number\":\"%1$s\",\"item\":\"htn_followup\","
             "\"date\":\"%2$s\",\"facility\":\"TA\",\"staff\":null,"
             "\"measurements\":{\"sbp\":120,\"dbp\":130}}\n"
             "{\"external_id\":\"nd-5\",\"id_number\":\"%3$s\",\"item\":\"hepb_1\","
             "\"date\":\"%4$s\",\"facility\":\"VA1\",\"measurements\":{\"lot\":\"N-9\"}}\n",
             idno[1], d1, idno[3], date_format(birth[3], text + 3000));
    const char *path = ts_path("services.ndjson");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[4096] = "";
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 2);
    CHECK_INT(rep.refused, 3);
    CHECK_CONTAINS(errors, "line 3: not valid JSON");
    CHECK_CONTAINS(errors, "line 4: colour: colour: unknown field");
    CHECK_CONTAINS(errors, "line 5: sbp:");
    CHECK_INT(sql_count("SELECT outcome FROM service_event WHERE external_id = 'nd-1'"),
              SVC_OUT_DANGEROUS | SVC_OUT_UNCONTROLLED);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM service_event WHERE external_id = 'nd-1'"
                        " AND measurements = 'sbp=182 dbp=100 weight=60.25'"),
              1);
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 2);
}

TEST_MAIN()
