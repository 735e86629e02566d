/*
 * test_encounters.c - registrations and encounters (issue 5): one registration per visit,
 * also under 20 concurrent requests for the same visit; encounters with each refusal naming
 * its field; idempotency on the external id; scope (another team's doctor, the analyst, a
 * facility admin); paged lists; the CSV and NDJSON imports with a re-run.
 *
 * The region is written straight into the migrated database; dates are relative to today.
 * Tests share one server and run in file order.
 */
#include <pthread.h>
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
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ fixtures */

static struct ts_server srv;
static bool srv_up;
static char tok_admin[ACCT_TOKEN_HEX], tok_fd_a[ACCT_TOKEN_HEX], tok_fd_b[ACCT_TOKEN_HEX];
static char tok_analyst[ACCT_TOKEN_HEX], tok_fa_ta[ACCT_TOKEN_HEX];
static struct ts_response R;

/* Residents 1-3 are contracted to team A (township A), 4 to team B. */
#define N_RESIDENTS 4
static char idno[N_RESIDENTS + 1][IDNO_LEN + 1];

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    srv_up = false;
}

static long sql_count(const char *text)
{
    return ts_sql_count(srv.db, text);
}

static const char *day_text(int offset, char out[DATE_STR_LEN])
{
    return date_format(date_add_days(date_today(), offset), out);
}

static void make_idno(char out[IDNO_LEN + 1], int32_t day, int seq)
{
    ts_idno(out, day, seq);
}

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
             " (2, 'H1', 'County hospital', 'general_hospital', 3, 'active', '%1$s');"
             "INSERT INTO staff (id, code, name, role, facility_id, status, updated_at) VALUES"
             " (1, 'S-GP1', 'GP A', 'general_practitioner', 1, 'active', '%1$s'),"
             " (2, 'S-H1', 'Cardiologist', 'physician', 2, 'active', '%1$s');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s'),"
             " (2, 'TA-2', 'Team B', 1, 'active', '%1$s');",
             now);
    if (ts_sql(srv.db, text) != 0)
        return -1;
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char b[DATE_STR_LEN];
        int32_t birth = date_add_days(date_today(), -365 * (30 + id));
        make_idno(idno[id], birth, 100 + 2 * id + 1);
        snprintf(text, sizeof(text),
                 "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                 " record_date, status, updated_at) VALUES (%d, '%s', 'Resident %d', 1,"
                 " '%s', 5, '%s', 'active', '%s');"
                 "INSERT INTO contract (resident_id, team_id, package, from_date, to_date,"
                 " status, updated_at) VALUES (%d, %d, 'basic', '2020-01-01', '2099-12-31',"
                 " 'active', '%s');",
                 id, idno[id], id, date_format(birth, b), b, now, id, id == 4 ? 2 : 1, now);
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
    atexit(stop_srv);
    if (fixtures() != 0)
        return NULL;
    if (ts_user_add(&srv, "fd_a", "password-fd-a", "family_doctor", "team:1") != 0 ||
        ts_user_add(&srv, "fd_b", "password-fd-b", "family_doctor", "team:2") != 0 ||
        ts_user_add(&srv, "analyst", "password-analyst", "analyst", "region") != 0 ||
        ts_user_add(&srv, "fa_ta", "password-fa-ta", "facility_admin", "facility:TA") != 0)
        return NULL;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 ||
        ts_login(srv.port, "fd_a", "password-fd-a", tok_fd_a) != 200 ||
        ts_login(srv.port, "fd_b", "password-fd-b", tok_fd_b) != 200 ||
        ts_login(srv.port, "analyst", "password-analyst", tok_analyst) != 200 ||
        ts_login(srv.port, "fa_ta", "password-fa-ta", tok_fa_ta) != 200)
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

/* POST a registration of resident `id` at `facility`, `offset` days from today. */
static int post_registration(const char *token, int id, const char *facility, int offset,
                             const char *ext)
{
    char body[256], day[DATE_STR_LEN], ext_part[96] = "";
    if (ext != NULL)
        snprintf(ext_part, sizeof(ext_part), ",\"external_id\":\"%s\"", ext);
    snprintf(body, sizeof(body), "{\"resident_id\":%d,\"facility\":\"%s\",\"date\":\"%s\"%s}",
             id, facility, day_text(offset, day), ext_part);
    return req("POST", "/api/registrations", token, body);
}

/* POST an encounter of resident `id`: an outpatient visit to TA yesterday for I10 in
 * department 03.01, unless `extra` (more JSON fields, with a leading comma) gives a field of
 * its own (the server refuses a body with a field twice). */
static int post_encounter(const char *token, int id, const char *extra)
{
    static const char *const defaults[][2] = {{"facility", "\"TA\""},
                                              {"department", "\"03.01\""},
                                              {"type", "\"outpatient\""},
                                              {"diagnoses", "[\"I10\"]"}};
    char body[1024], day[DATE_STR_LEN], key[32];
    const char *more = extra ? extra : "";
    int n = snprintf(body, sizeof(body), "{\"resident_id\":%d", id);
    if (strstr(more, "\"date\"") == NULL)
        n += snprintf(body + n, sizeof(body) - (size_t)n, ",\"date\":\"%s\"", day_text(-1, day));
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        snprintf(key, sizeof(key), "\"%s\"", defaults[i][0]);
        if (strstr(more, key) == NULL)
            n += snprintf(body + n, sizeof(body) - (size_t)n, ",%s:%s", key, defaults[i][1]);
    }
    snprintf(body + n, sizeof(body) - (size_t)n, "%s}", more);
    return req("POST", "/api/encounters", token, body);
}

#define CHECK_REFUSED(status, field)                                                   \
    do {                                                                               \
        CHECK_INT((status), 400);                                                      \
        CHECK_STR(ts_err_field(&R), (field));                                          \
    } while (0)

/* ------------------------------------------------------------------ registrations */

TEST(one_registration_per_visit)
{
    CHECK(server() != NULL);
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'register_visit'");
    CHECK_INT(post_registration(tok_fd_a, 1, "TA", -3, NULL), 201);
    int64_t id = jint(R.json, "id");
    CHECK(id > 0);
    /* The same visit again, under another external id too: the same registration. */
    CHECK_INT(post_registration(tok_fd_a, 1, "TA", -3, NULL), 200);
    CHECK_INT(jint(R.json, "id"), id);
    CHECK_INT(post_registration(tok_admin, 1, "TA", -3, "his-reg-9"), 200);
    CHECK_INT(jint(R.json, "id"), id);
    /* Another day, another facility: other visits. */
    CHECK_INT(post_registration(tok_fd_a, 1, "TA", -4, NULL), 201);
    CHECK(jint(R.json, "id") != id);
    CHECK_INT(post_registration(tok_fd_a, 1, "H1", -3, "his-reg-1"), 201);
    int64_t h1 = jint(R.json, "id");
    CHECK(h1 != id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM registration WHERE resident_id = 1"), 3);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'register_visit'"),
              audits + 3);
    /* An external id of one visit used for another is a conflict. */
    CHECK_INT(post_registration(tok_fd_a, 1, "H1", -5, "his-reg-1"), 409);
    CHECK_STR(ts_err_field(&R), "external_id");
    CHECK_INT(jint(json_object_get(R.json, "error"), "existing_id"), h1);
    /* Refusals name their field. */
    CHECK_REFUSED(post_registration(tok_fd_a, 1, "NOPE", -3, NULL), "facility");
    CHECK_REFUSED(post_registration(tok_fd_a, 1, "TA", 2, NULL), "date");
    CHECK_REFUSED(req("POST", "/api/registrations", tok_fd_a, "{\"resident_id\":1}"),
                  "facility");
}

#define RACERS 20

struct racer {
    const char *body;
    int status;
    int64_t id;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct ts_response res = {0};
    if (ts_post(srv.port, "/api/registrations", tok_fd_a, r->body, &res) == 0) {
        r->status = res.status;
        r->id = jint(res.json, "id");
    }
    ts_response_free(&res);
    return NULL;
}

TEST(concurrent_registrations_of_one_visit_make_one)
{
    CHECK(server() != NULL);
    char body[256], day[DATE_STR_LEN];
    snprintf(body, sizeof(body), "{\"resident_id\":2,\"facility\":\"TA\",\"date\":\"%s\"}",
             day_text(-2, day));
    struct racer racers[RACERS];
    pthread_t threads[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct racer){body, 0, 0};
        CHECK_INT(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        pthread_join(threads[i], NULL);
    int created = 0;
    for (int i = 0; i < RACERS; i++) {
        CHECK(racers[i].status == 201 || racers[i].status == 200);
        created += racers[i].status == 201;
        CHECK_INT(racers[i].id, racers[0].id);
    }
    CHECK_INT(created, 1);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM registration WHERE resident_id = 2"), 1);
}

/* ------------------------------------------------------------------ encounters */

TEST(encounters_share_the_visit_registration)
{
    CHECK(server() != NULL);
    CHECK_INT(post_encounter(tok_fd_a, 3, ",\"staff\":\"S-GP1\""), 201);
    int64_t reg = jint(R.json, "registration_id");
    CHECK(reg > 0);
    CHECK_STR(json_string_value(json_object_get(R.json, "type")), "outpatient");
    /* Another department of the same visit: the same registration. */
    CHECK_INT(post_encounter(tok_fd_a, 3, ",\"department\":\"LAB\",\"diagnoses\":\"I10  E11.9\""),
              201);
    CHECK_INT(jint(R.json, "registration_id"), reg);
    CHECK_INT(json_array_size(json_object_get(R.json, "diagnoses")), 2);
    /* By the registration itself. */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"registration_id\":%lld,\"department\":\"ECG\",\"type\":\"outpatient\","
             "\"diagnoses\":[\"R00.0\"]}", (long long)reg);
    CHECK_INT(req("POST", "/api/encounters", tok_fd_a, body), 201);
    CHECK_INT(jint(R.json, "resident_id"), 3);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM registration WHERE resident_id = 3"), 1);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter WHERE resident_id = 3"), 3);
    /* An inpatient stay, discharged. */
    char adm[DATE_STR_LEN], dis[DATE_STR_LEN], extra[256];
    snprintf(extra, sizeof(extra),
             ",\"type\":\"inpatient\",\"admission_date\":\"%s\",\"discharge_date\":\"%s\","
             "\"department\":\"CARD\"",
             day_text(-1, adm), day_text(0, dis));
    CHECK_INT(post_encounter(tok_fd_a, 3, extra), 201);
    CHECK_STR(json_string_value(json_object_get(R.json, "admission_date")), adm);
}

TEST(encounter_refusals_name_their_field)
{
    CHECK(server() != NULL);
    char extra[256], d1[DATE_STR_LEN], d2[DATE_STR_LEN];
    long before = sql_count("SELECT COUNT(*) FROM encounter");
    long regs = sql_count("SELECT COUNT(*) FROM registration");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"department\":\"\""), "department");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"department\":\"a b\""), "department");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"type\":\"day_care\""), "type");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"type\":\"inpatient\""), "admission_date");
    snprintf(extra, sizeof(extra), ",\"type\":\"inpatient\",\"admission_date\":\"%s\","
             "\"discharge_date\":\"%s\"", day_text(0, d1), day_text(-1, d2));
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, extra), "discharge_date");
    snprintf(extra, sizeof(extra), ",\"admission_date\":\"%s\"", day_text(-1, d1));
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, extra), "admission_date");
    snprintf(extra, sizeof(extra), ",\"type\":\"emergency\",\"discharge_date\":\"%s\"",
             day_text(-1, d1));
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, extra), "discharge_date");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"diagnoses\":[\"I10\",\"hypertension\"]"),
                  "diagnoses");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"diagnoses\":[]"), "diagnoses");
    snprintf(extra, sizeof(extra), ",\"date\":\"%s\"", day_text(1, d1));
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, extra), "date");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"staff\":\"S-H1\""), "staff");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"staff\":\"S-NONE\""), "staff");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"facility\":\"NOPE\""), "facility");
    CHECK_REFUSED(post_encounter(tok_fd_a, 1, ",\"external_id\":\"a b\""), "external_id");
    CHECK_INT(req("POST", "/api/encounters", tok_fd_a,
                  "{\"registration_id\":999999,\"department\":\"X\",\"type\":\"outpatient\","
                  "\"diagnoses\":[\"I10\"]}"),
              404);
    CHECK_INT(post_registration(tok_fd_a, 1, "TA", -3, NULL), 200);
    snprintf(extra, sizeof(extra),
             "{\"registration_id\":%lld,\"facility\":\"H1\",\"department\":\"X\","
             "\"type\":\"outpatient\",\"diagnoses\":[\"I10\"]}",
             (long long)jint(R.json, "id"));
    CHECK_REFUSED(req("POST", "/api/encounters", tok_fd_a, extra), "facility");
    /* Nothing of it was written, not even a registration for the refused visits. */
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter"), before);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM registration"), regs);
}

TEST(idempotent_on_external_id)
{
    CHECK(server() != NULL);
    CHECK_INT(post_encounter(tok_fd_a, 1, ",\"external_id\":\"his-enc-1\""), 201);
    int64_t id = jint(R.json, "id");
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_encounter'");
    CHECK_INT(post_encounter(tok_fd_a, 1, ",\"external_id\":\"his-enc-1\""), 200);
    CHECK_INT(jint(R.json, "id"), id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_encounter'"), audits);
    CHECK_INT(post_encounter(tok_fd_a, 1, ",\"external_id\":\"his-enc-1\",\"diagnoses\":[\"I11\"]"),
              409);
    CHECK_STR(ts_err_field(&R), "external_id");
    CHECK_INT(jint(json_object_get(R.json, "error"), "existing_id"), id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter WHERE external_id = 'his-enc-1'"), 1);
}

TEST(scope_of_doctors_analyst_and_facility_admin)
{
    CHECK(server() != NULL);
    char path[128], day[DATE_STR_LEN];
    /* Team B's doctor does not see team A's resident: 404, as if absent. */
    CHECK_INT(post_registration(tok_fd_b, 1, "TA", -1, NULL), 404);
    CHECK_INT(post_encounter(tok_fd_b, 1, NULL), 404);
    CHECK_INT(req("GET", "/api/residents/1/encounters", tok_fd_b, NULL), 404);
    CHECK_INT(post_encounter(tok_fd_b, 4, NULL), 201);
    /* The analyst never sees a person. */
    CHECK_INT(post_registration(tok_analyst, 1, "TA", -1, NULL), 403);
    CHECK_INT(post_encounter(tok_analyst, 1, NULL), 403);
    CHECK_INT(req("GET", "/api/residents/1/encounters", tok_analyst, NULL), 403);
    CHECK_INT(req("GET", "/api/encounters?facility=TA", tok_analyst, NULL), 403);
    /* A facility admin lists their own facility only, and records nothing (no
     * record_write permission). */
    snprintf(path, sizeof(path), "/api/encounters?facility=TA&from=%s", day_text(-1, day));
    CHECK_INT(req("GET", path, tok_fa_ta, NULL), 200);
    CHECK(json_array_size(json_object_get(R.json, "items")) > 0);
    CHECK_INT(req("GET", "/api/encounters?facility=H1", tok_fa_ta, NULL), 403);
    CHECK_STR(ts_err_field(&R), "facility");
    CHECK_INT(post_encounter(tok_fa_ta, 1, NULL), 403);
    /* A family doctor's lists are their residents', not a facility's. */
    CHECK_INT(req("GET", "/api/encounters?facility=TA", tok_fd_a, NULL), 403);
}

TEST(lists_are_paged_and_audited)
{
    CHECK(server() != NULL);
    struct yl_err err = {0};
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    long reads = sql_count("SELECT COUNT(*) FROM audit WHERE action IN"
                           " ('read_encounters', 'list_encounters')");
    CHECK_INT(req("GET", "/api/residents/3/encounters?limit=3", tok_fd_a, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 3);
    const char *next = json_string_value(json_object_get(R.json, "next"));
    CHECK(next != NULL);
    char path[160], d1[DATE_STR_LEN], d2[DATE_STR_LEN];
    snprintf(path, sizeof(path), "/api/residents/3/encounters?cursor=%s", next);
    CHECK_INT(req("GET", path, tok_fd_a, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 1);
    CHECK(json_is_null(json_object_get(R.json, "next")));
    /* Yesterday at TA: residents 1, 3 and 4's encounters; none the day before. */
    snprintf(path, sizeof(path), "/api/encounters?facility=TA&from=%s&to=%s",
             day_text(-1, d1), day_text(-1, d2));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    char query[160];
    snprintf(query, sizeof(query),
             "SELECT COUNT(*) FROM encounter WHERE facility_id = 1 AND visit_date = '%s'", d1);
    long yesterday = sql_count(query);
    CHECK(yesterday >= 3);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), yesterday);
    snprintf(path, sizeof(path), "/api/encounters?facility=TA&from=%s&to=%s",
             day_text(-2, d1), day_text(-2, d2));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    snprintf(path, sizeof(path), "/api/encounters?facility=TA&from=%s&to=%s",
             day_text(-1, d1), day_text(-3, d2));
    CHECK_REFUSED(req("GET", path, tok_admin, NULL), "to");
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action IN"
                        " ('read_encounters', 'list_encounters')"),
              reads + 4);
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
    int rc = cli_import_file(srv.store, "encounters", path, rep, &err);
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
    day_text(-18, d2);
    day_text(3, future);
    snprintf(text, sizeof(text),
             "external_id,id_number,facility,date,department,type,admission_date,"
             "discharge_date,diagnoses,staff\n"
             "csv-1,%1$s,H1,%2$s,CARD,outpatient,,,I10 I25.1,S-H1\n"
             "csv-2,%1$s,H1,%2$s,LAB,outpatient,,,I10,\n"
             "csv-3,%1$s,H1,%2$s,CARD,inpatient,%2$s,%3$s,I21.9,S-H1\n"
             "csv-4,%1$s,H1,%2$s,CARD,inpatient,,,I21.9,\n"            /* line 5 */
             "csv-5,%1$s,H1,%4$s,CARD,outpatient,,,I10,\n"              /* line 6 */
             "csv-6,%1$s,H1,%2$s,CARD,outpatient,,,X1,\n"               /* line 7 */
             "csv-7,%1$s,H1,%2$s,CARD,outpatient,,,I10,S-GP1\n"         /* line 8 */
             "csv-8,110105194912310021,H1,%2$s,CARD,outpatient,,,I10,\n" /* line 9 */
             ",%1$s,H1,%2$s,CARD,outpatient,,,I10,\n"                   /* line 10 */
             "csv-9,%1$s,H1,%2$s,CARD,visit,,,I10,\n",                  /* line 11 */
             idno[2], d1, d2, future);
    const char *path = ts_path("encounters.csv");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[4096] = "";
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.records, 10);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 7);
    CHECK_CONTAINS(errors, "line 5: admission_date:");
    CHECK_CONTAINS(errors, "line 6: date:");
    CHECK_CONTAINS(errors, "line 7: diagnoses:");
    CHECK_CONTAINS(errors, "line 8: staff:");
    CHECK_CONTAINS(errors, "line 9: id_number:");
    CHECK_CONTAINS(errors, "line 10: external_id:");
    CHECK_CONTAINS(errors, "line 11: type:");
    /* One visit, one registration, three encounters. */
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter WHERE external_id LIKE 'csv-%'"), 3);
    CHECK_INT(sql_count("SELECT COUNT(DISTINCT registration_id) FROM encounter"
                        " WHERE external_id LIKE 'csv-%'"), 1);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter WHERE external_id = 'csv-1'"
                        " AND diagnoses = 'I10 I25.1'"), 1);
    /* Again: nothing changes. */
    long regs = sql_count("SELECT COUNT(*) FROM registration");
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 3);
    CHECK_INT(rep.refused, 7);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter WHERE external_id LIKE 'csv-%'"), 3);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM registration"), regs);
}

TEST(ndjson_import)
{
    CHECK(server() != NULL);
    char text[2048], d1[DATE_STR_LEN];
    day_text(-9, d1);
    snprintf(text, sizeof(text),
             "{\"external_id\":\"nd-1\",\"id_number\":\"%1$s\",\"facility\":\"TA\","
             "\"date\":\"%2$s\",\"department\":\"03\",\"type\":\"emergency\","
             "\"diagnoses\":[\"S72.0\",\"W19\"],\"staff\":\"S-GP1\"}\n"
             "{\"external_id\":\"nd-2\",\"id_number\":\"%1$s\",\"facility\":\"TA\","
             "\"date\":\"%2$s\",\"department\":\"03\",\"type\":\"emergency\","
             "\"diagnoses\":[]}\n",
             idno[4], d1);
    const char *path = ts_path("encounters.ndjson");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[2048] = "";
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 1);
    CHECK_INT(rep.refused, 1);
    CHECK_CONTAINS(errors, "line 2: diagnoses:");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM encounter WHERE external_id = 'nd-1'"
                        " AND diagnoses = 'S72.0 W19'"), 1);
    CHECK_INT(import(path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 1);
}

TEST_MAIN()
