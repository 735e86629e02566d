/*
 * test_contracts.c - family-doctor teams and contracts: the rules of the library, the API
 * end to end on an in-process server (scopes of two family doctors, a village doctor, a
 * facility admin and an analyst), the audit of reads, and the teams and contracts imports.
 *
 * The region (org units, facilities, staff, residents) is written straight into the
 * migrated database with the sqlite3 C API, so these tests need neither the registry nor
 * the records module. Tests share one server and run in file order: later ones build on the
 * teams and contracts earlier ones made.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/contracts.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "importer/importer.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ fixtures */

static struct ts_server srv;
static bool srv_up;
static char tok_admin[ACCT_TOKEN_HEX], tok_fd1[ACCT_TOKEN_HEX], tok_fd2[ACCT_TOKEN_HEX];
static char tok_vd[ACCT_TOKEN_HEX], tok_analyst[ACCT_TOKEN_HEX], tok_fadmin[ACCT_TOKEN_HEX];
static int64_t team_a, team_b; /* TA-1 (led by TA), TB-1 (led by TB) */
static struct ts_response R;   /* the last response; freed by the next request */

#define N_RESIDENTS 12
static char idno[N_RESIDENTS + 1][IDNO_LEN + 1]; /* by resident id */

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

/* One text value of a query, "" when there is no row. */
static const char *sql_value(const char *text)
{
    static char out[256];
    sqlite3 *db;
    sqlite3_stmt *st;
    out[0] = '\0';
    if (sqlite3_open(srv.db, &db) != SQLITE_OK)
        return out;
    if (sqlite3_prepare_v2(db, text, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
            snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

/* A valid ID number of Hunchun (222404) born on birth8 with sequence seq. */
static void make_idno(char out[IDNO_LEN + 1], const char *birth8, int seq)
{
    char digits[18];
    snprintf(digits, sizeof(digits), "222404%.8s%03d", birth8, seq);
    memcpy(out, digits, 17);
    out[17] = idno_check_char(digits);
    out[18] = '\0';
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
             " (1, 'H1', 'City hospital', 'county_hospital', 3, 'active', '%1$s'),"
             " (2, 'TA', 'Township A center', 'township_center', 4, 'active', '%1$s'),"
             " (3, 'TB', 'Township B center', 'township_center', 6, 'active', '%1$s'),"
             " (4, 'VA1', 'Village A1 clinic', 'village_clinic', 5, 'active', '%1$s'),"
             " (5, 'OLD', 'Old center', 'township_center', 6, 'closed', '%1$s');"
             "INSERT INTO staff (id, code, name, role, facility_id, status, updated_at) VALUES"
             " (1, 'S-VD1', 'Village doctor A1', 'village_doctor', 4, 'active', '%1$s'),"
             " (2, 'S-GP1', 'GP A', 'general_practitioner', 2, 'active', '%1$s'),"
             " (3, 'S-SP1', 'Cardiologist', 'licensed_physician', 1, 'active', '%1$s'),"
             " (4, 'S-GP2', 'GP B', 'general_practitioner', 3, 'active', '%1$s'),"
             " (5, 'S-VD2', 'Village doctor B1', 'village_doctor', 3, 'active', '%1$s'),"
             " (6, 'S-LEFT', 'Gone', 'registered_nurse', 2, 'left', '%1$s');",
             now);
    if (sql(text) != 0)
        return -1;
    /* Residents 1-6 and 11-12 live in village A1, 7-10 in village B1; 11 has died. */
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char birth[32];
        snprintf(birth, sizeof(birth), "19%02d%02d%02d", 40 + id, 1 + id % 9, 10 + id % 3);
        make_idno(idno[id], birth, 100 + id);
        snprintf(text, sizeof(text),
                 "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                 " record_date, status, updated_at) VALUES (%d, '%s', 'Resident %d', %d,"
                 " '%.4s-%.2s-%.2s', %d, '2020-01-01', '%s', '%s')",
                 id, idno[id], id, (100 + id) % 2 ? 1 : 2, birth, birth + 4, birth + 6,
                 id >= 7 && id <= 10 ? 7 : 5, id == 11 ? "deceased" : "active", now);
        if (sql(text) != 0)
            return -1;
    }
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
    if (fixtures() != 0 || ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200)
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

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

static int64_t err_existing_id(void)
{
    json_t *e = R.json ? json_object_get(R.json, "error") : NULL;
    return jint(e, "existing_id");
}

static size_t n_items(void)
{
    return json_array_size(R.json ? json_object_get(R.json, "items") : NULL);
}

static json_t *item(size_t i)
{
    return json_array_get(R.json ? json_object_get(R.json, "items") : NULL, i);
}

static const char *day_text(int offset, char out[DATE_STR_LEN])
{
    return date_format(date_add_days(date_today(), offset), out);
}

/* POST a contract; returns its id, or -status on refusal. */
static int64_t sign(const char *token, int resident, const char *team, const char *extra)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"resident_id\":%d,\"team_code\":\"%s\"%s%s}", resident, team,
             extra ? "," : "", extra ? extra : "");
    int status = req("POST", "/api/contracts", token, body);
    return status == 201 ? jint(R.json, "id") : -status;
}

static int64_t audit_count(void)
{
    struct store_conn *c = store_acquire(srv.store);
    struct store_stmt *st = store_stmt(c, STORE_SQL_AUDIT_COUNT);
    int64_t n = store_step(st, NULL) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_exec(st, NULL);
    store_release(c);
    return n;
}

/* ------------------------------------------------------------------ library */

TEST(status_and_default_period)
{
    int32_t d = date_from_ymd(2024, 1, 1);
    char out[DATE_STR_LEN];
    CHECK_STR(date_format(contract_default_to(d), out), "2024-12-31");
    CHECK_STR(date_format(contract_default_to(date_from_ymd(2024, 2, 29)), out), "2025-02-28");
    CHECK_STR(date_format(contract_default_to(date_from_ymd(2023, 3, 1)), out), "2024-02-29");
    CHECK_INT(contract_status_at(CSTAT_ACTIVE, d, d), CSTAT_ACTIVE);
    CHECK_INT(contract_status_at(CSTAT_ACTIVE, d, d + 1), CSTAT_EXPIRED);
    CHECK_INT(contract_status_at(CSTAT_TERMINATED, d, d + 1), CSTAT_TERMINATED);
    CHECK_INT(contract_status_at(CSTAT_RENEWED, d, d + 1), CSTAT_RENEWED);
}

/* ------------------------------------------------------------------ teams */

TEST(team_create_refusals)
{
    CHECK(server() != NULL);
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"NOPE\"}"),
              400);
    CHECK_STR(ts_err_field(&R), "facility_code");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"OLD\"}"),
              400);
    CHECK_STR(ts_err_field(&R), "facility_code");
    CHECK_CONTAINS(jstr(json_object_get(R.json, "error"), "message"), "closed");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"TA\","
                  "\"member_codes\":[\"S-VD1\"],\"leader_code\":\"S-GP1\"}"),
              400);
    CHECK_STR(ts_err_field(&R), "leader_code");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"TA\","
                  "\"member_codes\":[\"S-VD1\",\"S-NOBODY\"]}"),
              400);
    CHECK_STR(ts_err_field(&R), "member_codes");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"TA\","
                  "\"member_codes\":[\"S-LEFT\"]}"),
              400);
    CHECK_STR(ts_err_field(&R), "member_codes");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"TA\","
                  "\"member_codes\":[\"S-VD1\",\"S-VD1\"]}"),
              400);
    CHECK_STR(ts_err_field(&R), "member_codes");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"bad code\",\"name\":\"A\",\"facility_code\":\"TA\"}"),
              400);
    CHECK_STR(ts_err_field(&R), "code");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"TA\",\"colour\":1}"),
              400);
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"A\",\"facility_code\":\"TA\","
                  "\"capacity\":-1}"),
              400);
    CHECK_STR(ts_err_field(&R), "capacity");
    /* Nothing above was written. */
    CHECK_STR(sql_value("SELECT COUNT(*) FROM team"), "0");
}

TEST(team_create_and_read)
{
    CHECK(server() != NULL);
    /* A village doctor, a township GP and a county-hospital specialist. */
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"Township A team 1\",\"facility_code\":\"TA\","
                  "\"member_codes\":[\"S-VD1\",\"S-GP1\",\"S-SP1\"],\"leader_code\":\"S-GP1\","
                  "\"capacity\":4}"),
              201);
    team_a = jint(R.json, "id");
    CHECK(team_a > 0);
    CHECK_STR(jstr(R.json, "status"), "active");
    CHECK_INT(jint(R.json, "member_count"), 3);
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TA-1\",\"name\":\"Again\",\"facility_code\":\"TB\"}"),
              409);
    CHECK_STR(ts_err_field(&R), "code");
    CHECK_INT(err_existing_id(), team_a);
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TB-1\",\"name\":\"Township B team 1\",\"facility_code\":\"TB\","
                  "\"member_codes\":[\"S-GP2\",\"S-VD2\",\"S-SP1\"],\"leader_code\":\"S-GP2\"}"),
              201);
    team_b = jint(R.json, "id");
    CHECK_INT(req("POST", "/api/teams", tok_admin,
                  "{\"code\":\"TX\",\"name\":\"To be disbanded\",\"facility_code\":\"H1\"}"),
              201);

    CHECK_INT(req("GET", "/api/teams/TA-1", tok_admin, NULL), 200);
    CHECK_STR(jstr(R.json, "facility_code"), "TA");
    CHECK_STR(jstr(R.json, "leader_code"), "S-GP1");
    CHECK_INT(jint(R.json, "capacity"), 4);
    json_t *m = json_object_get(R.json, "members");
    CHECK_INT(json_array_size(m), 3);
    /* Ordered by staff code: S-GP1, S-SP1, S-VD1. */
    CHECK_STR(jstr(json_array_get(m, 0), "code"), "S-GP1");
    CHECK_STR(jstr(json_array_get(m, 0), "role"), "general_practitioner");
    CHECK_STR(jstr(json_array_get(m, 1), "facility_code"), "H1");
    CHECK_STR(jstr(json_array_get(m, 2), "facility_code"), "VA1");
    CHECK_STR(jstr(json_array_get(m, 2), "role"), "village_doctor");
    CHECK_INT(req("GET", "/api/teams/NOPE", tok_admin, NULL), 404);

    /* The users the later tests act as, now that the teams have ids. */
    char scope[32];
    snprintf(scope, sizeof(scope), "team:%lld", (long long)team_a);
    CHECK_INT(ts_user_add(&srv, "fd1", "fd1-password-1", "family_doctor", scope), 0);
    snprintf(scope, sizeof(scope), "team:%lld", (long long)team_b);
    CHECK_INT(ts_user_add(&srv, "fd2", "fd2-password-1", "family_doctor", scope), 0);
    CHECK_INT(ts_user_add(&srv, "vdoc", "vd-password-12", "village_doctor", "ou:222404001001"), 0);
    CHECK_INT(ts_user_add(&srv, "analyst", "an-password-1", "analyst", "region"), 0);
    CHECK_INT(ts_user_add(&srv, "fadmin", "fa-password-1", "facility_admin", "facility:TA"), 0);
    CHECK_INT(ts_login(srv.port, "fd1", "fd1-password-1", tok_fd1), 200);
    CHECK_INT(ts_login(srv.port, "fd2", "fd2-password-1", tok_fd2), 200);
    CHECK_INT(ts_login(srv.port, "vdoc", "vd-password-12", tok_vd), 200);
    CHECK_INT(ts_login(srv.port, "analyst", "an-password-1", tok_analyst), 200);
    CHECK_INT(ts_login(srv.port, "fadmin", "fa-password-1", tok_fadmin), 200);
}

TEST(team_update)
{
    CHECK(server() != NULL && team_a > 0);
    /* The full member list replaces the old one; the leader must stay a member. */
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_admin, "{\"member_codes\":[\"S-VD1\"]}"), 400);
    CHECK_STR(ts_err_field(&R), "leader_code");
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_admin,
                  "{\"member_codes\":[\"S-VD1\",\"S-GP1\"],\"name\":\"Team A1\"}"),
              200);
    CHECK_INT(jint(R.json, "member_count"), 2);
    CHECK_STR(jstr(R.json, "name"), "Team A1");
    CHECK_STR(jstr(R.json, "leader_code"), "S-GP1");
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_admin, "{\"leader_code\":\"S-GP2\"}"), 400);
    CHECK_STR(ts_err_field(&R), "leader_code");
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_admin, "{\"code\":\"TZ\"}"), 400);
    CHECK_INT(req("PATCH", "/api/teams/NOPE", tok_admin, "{\"name\":\"x\"}"), 404);
    /* A facility admin manages the teams their facility leads, and no other. */
    CHECK_INT(req("PATCH", "/api/teams/TB-1", tok_fadmin, "{\"capacity\":9}"), 403);
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_fadmin, "{\"facility_code\":\"TB\"}"), 403);
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_fadmin, "{\"capacity\":3}"), 200);
    CHECK_INT(jint(R.json, "capacity"), 3);
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_fd1, "{\"capacity\":30}"), 403);
    CHECK_INT(req("PATCH", "/api/teams/TX", tok_admin, "{\"status\":\"disbanded\"}"), 200);
    CHECK_STR(jstr(R.json, "status"), "disbanded");
    CHECK_INT(req("PATCH", "/api/teams/TX", tok_admin, "{\"status\":\"gone\"}"), 400);
    CHECK_STR(ts_err_field(&R), "status");
    /* Each change is on the audit trail. */
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)team_a);
    struct audit_filter f = {.resource_type = "team", .resource_id = id, .limit = 20};
    struct audit_record recs[20];
    int n = audit_list(srv.store, &f, recs, NULL);
    int updates = 0;
    for (int i = 0; i < n; i++)
        updates += strcmp(recs[i].action, "update") == 0;
    CHECK_INT(updates, 2);
}

/* ------------------------------------------------------------------ contracts */

static int64_t c_r1; /* resident 1's contract with TA-1 */

TEST(contract_sign_and_second_refused)
{
    CHECK(server() != NULL && team_a > 0);
    char today[DATE_STR_LEN], year_on[DATE_STR_LEN];
    c_r1 = sign(tok_admin, 1, "TA-1", "\"package\":\"elderly\"");
    CHECK(c_r1 > 0);
    CHECK_STR(jstr(R.json, "status"), "active");
    CHECK_STR(jstr(R.json, "package"), "elderly");
    CHECK_STR(jstr(R.json, "from_date"), day_text(0, today));
    CHECK_STR(jstr(R.json, "to_date"), date_format(contract_default_to(date_today()), year_on));
    /* At most one active contract per resident, with either team. */
    CHECK_INT(sign(tok_admin, 1, "TB-1", NULL), -409);
    CHECK_STR(ts_err_code(&R), "conflict");
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(err_existing_id(), c_r1);
    CHECK_INT(sign(tok_admin, 1, "TA-1", NULL), -409);
    CHECK_INT(err_existing_id(), c_r1);
    /* Input refusals, each naming its field. */
    CHECK_INT(sign(tok_admin, 2, "TA-1", "\"package\":\"gold\""), -400);
    CHECK_STR(ts_err_field(&R), "package");
    CHECK_INT(sign(tok_admin, 2, "TA-1", "\"from_date\":\"2024-05-01\",\"to_date\":\"2024-04-30\""),
              -400);
    CHECK_STR(ts_err_field(&R), "to_date");
    CHECK_INT(sign(tok_admin, 2, "TA-1", "\"from_date\":\"2024-02-30\""), -400);
    CHECK_STR(ts_err_field(&R), "from_date");
    CHECK_INT(sign(tok_admin, 2, "NOPE", NULL), -400);
    CHECK_STR(ts_err_field(&R), "team_code");
    CHECK_INT(sign(tok_admin, 2, "TX", NULL), -400);
    CHECK_STR(ts_err_field(&R), "team_code");
    CHECK_CONTAINS(jstr(json_object_get(R.json, "error"), "message"), "disbanded");
    CHECK_INT(sign(tok_admin, 11, "TA-1", NULL), -400);
    CHECK_STR(ts_err_field(&R), "resident_id");
    CHECK_INT(sign(tok_admin, 999, "TA-1", NULL), -404);
    CHECK_STR(sql_value("SELECT COUNT(*) FROM contract"), "1");
    /* A team with active contracts cannot be disbanded. */
    CHECK_INT(req("PATCH", "/api/teams/TA-1", tok_admin, "{\"status\":\"disbanded\"}"), 400);
    CHECK_STR(ts_err_field(&R), "status");
}

TEST(expired_contract_does_not_block)
{
    CHECK(server() != NULL && team_a > 0);
    /* Entered after its period: expired from the start. */
    int64_t old =
        sign(tok_admin, 2, "TA-1", "\"from_date\":\"2020-01-01\",\"to_date\":\"2020-12-31\"");
    CHECK(old > 0);
    CHECK_STR(jstr(R.json, "status"), "expired");
    CHECK(sign(tok_admin, 2, "TA-1", NULL) > 0);

    /* An active contract whose period passes reads as expired, and the next contract of
     * the resident stores it so, in its own transaction. */
    int64_t lapsing = sign(tok_admin, 3, "TA-1", NULL);
    CHECK(lapsing > 0);
    char text[256];
    snprintf(text, sizeof(text),
             "UPDATE contract SET from_date = '2021-01-01', to_date = '2021-12-31'"
             " WHERE id = %lld",
             (long long)lapsing);
    CHECK_INT(sql(text), 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/contracts/%lld", (long long)lapsing);
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_STR(jstr(R.json, "status"), "expired");
    CHECK_INT(req("GET", "/api/contracts?resident_id=3&status=expired", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(jint(item(0), "id"), lapsing);
    CHECK_INT(req("GET", "/api/contracts?resident_id=3&status=active", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 0);
    snprintf(text, sizeof(text), "SELECT status FROM contract WHERE id = %lld", (long long)lapsing);
    CHECK_STR(sql_value(text), "active");
    int64_t next = sign(tok_admin, 3, "TA-1", NULL);
    CHECK(next > 0);
    CHECK_STR(sql_value(text), "expired");
    /* The team counts only what is active today. */
    CHECK_INT(req("GET", "/api/teams/TA-1", tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "active_contracts"), 3);
    CHECK(json_real_value(json_object_get(R.json, "capacity_use")) == 1.0);
}

TEST(renew_and_terminate)
{
    CHECK(server() != NULL && c_r1 > 0);
    char path[80], first[64], want[DATE_STR_LEN];
    snprintf(first, sizeof(first), "/api/contracts/%lld", (long long)c_r1);
    CHECK_INT(req("GET", first, tok_admin, NULL), 200);
    int32_t old_to;
    CHECK_INT(date_parse(jstr(R.json, "to_date"), 10, &old_to, NULL, NULL), 0);

    snprintf(path, sizeof(path), "/api/contracts/%lld/renew", (long long)c_r1);
    CHECK_INT(req("POST", path, tok_admin, "{\"package\":\"chronic\"}"), 201);
    int64_t renewal = jint(R.json, "id");
    CHECK_INT(jint(R.json, "renews_id"), c_r1);
    CHECK_STR(jstr(R.json, "team_code"), "TA-1");
    CHECK_STR(jstr(R.json, "package"), "chronic");
    CHECK_STR(jstr(R.json, "from_date"), date_format(date_add_days(old_to, 1), want));
    CHECK_STR(jstr(R.json, "status"), "active");
    CHECK_INT(req("GET", first, tok_admin, NULL), 200);
    CHECK_STR(jstr(R.json, "status"), "renewed");
    /* A renewed contract is not renewed twice. */
    CHECK_INT(req("POST", path, tok_admin, "{}"), 409);
    CHECK_STR(ts_err_field(&R), "status");

    snprintf(path, sizeof(path), "/api/contracts/%lld/terminate", (long long)renewal);
    char today[DATE_STR_LEN], body[128];
    day_text(0, today);
    snprintf(body, sizeof(body), "{\"date\":\"%s\"}", today);
    CHECK_INT(req("POST", path, tok_admin, body), 400);
    CHECK_STR(ts_err_field(&R), "reason");
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"reason\":\"  \"}", today);
    CHECK_INT(req("POST", path, tok_admin, body), 400);
    CHECK_STR(ts_err_field(&R), "reason");
    CHECK_INT(req("POST", path, tok_admin, "{\"reason\":\"moved away\"}"), 400);
    CHECK_STR(ts_err_field(&R), "date");
    char tomorrow[DATE_STR_LEN];
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"reason\":\"moved\"}", day_text(1, tomorrow));
    CHECK_INT(req("POST", path, tok_admin, body), 400);
    CHECK_STR(ts_err_field(&R), "date");
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"reason\":\"moved to Yanji\"}", today);
    CHECK_INT(req("POST", path, tok_admin, body), 200);
    CHECK_STR(jstr(R.json, "status"), "terminated");
    CHECK_STR(jstr(R.json, "ended_date"), today);
    CHECK_STR(jstr(R.json, "end_reason"), "moved to Yanji");
    CHECK_INT(req("POST", path, tok_admin, body), 409);
    CHECK_STR(ts_err_field(&R), "status");
    snprintf(path, sizeof(path), "/api/contracts/%lld/renew", (long long)renewal);
    CHECK_INT(req("POST", path, tok_admin, NULL), 409);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_CONTAINS(jstr(json_object_get(R.json, "error"), "message"), "terminated");

    /* An expired contract renews from today. */
    int64_t old =
        sign(tok_admin, 4, "TA-1", "\"from_date\":\"2022-03-01\",\"to_date\":\"2023-02-28\"");
    CHECK(old > 0);
    snprintf(path, sizeof(path), "/api/contracts/%lld/renew", (long long)old);
    CHECK_INT(req("POST", path, tok_admin, NULL), 201);
    CHECK_STR(jstr(R.json, "from_date"), today);
    CHECK_STR(jstr(R.json, "status"), "active");
    /* Both halves of each renewal are on the trail, in the renewal's transaction. */
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)old);
    struct audit_filter f = {.resource_type = "contract", .resource_id = id, .limit = 10};
    struct audit_record recs[10];
    int n = audit_list(srv.store, &f, recs, NULL);
    CHECK(n >= 2);
    CHECK_STR(recs[0].action, "renew");
    CHECK_STR(recs[0].username, "admin");
    snprintf(id, sizeof(id), "%lld", (long long)jint(R.json, "id"));
    n = audit_list(srv.store, &f, recs, NULL);
    CHECK(n >= 1);
    CHECK_STR(recs[0].action, "create");
}

TEST(family_doctor_scope)
{
    CHECK(server() != NULL && c_r1 > 0);
    char path[64];
    /* Team B's doctor cannot see team A's contract: it does not exist for them. */
    snprintf(path, sizeof(path), "/api/contracts/%lld", (long long)c_r1);
    CHECK_INT(req("GET", path, tok_fd2, NULL), 404);
    CHECK_INT(req("GET", path, tok_fd1, NULL), 200);
    snprintf(path, sizeof(path), "/api/contracts/%lld/terminate", (long long)c_r1);
    CHECK_INT(req("POST", path, tok_fd2, "{\"date\":\"2024-01-01\",\"reason\":\"x\"}"), 404);
    /* Signing to another team is forbidden; to their own, allowed. */
    CHECK_INT(sign(tok_fd2, 5, "TA-1", NULL), -403);
    CHECK_STR(ts_err_field(&R), "team_code");
    int64_t c5 = sign(tok_fd2, 5, "TB-1", NULL);
    CHECK(c5 > 0);
    int64_t c7 = sign(tok_fd2, 7, "TB-1", "\"package\":\"chronic\"");
    CHECK(c7 > 0);
    snprintf(path, sizeof(path), "/api/contracts/%lld", (long long)c5);
    CHECK_INT(req("GET", path, tok_fd2, NULL), 200);
    CHECK_INT(req("GET", path, tok_fd1, NULL), 404);
    /* A renewal into another team is a signing to it. */
    snprintf(path, sizeof(path), "/api/contracts/%lld/renew", (long long)c5);
    CHECK_INT(req("POST", path, tok_fd2, "{\"team_code\":\"TA-1\"}"), 403);
    CHECK_STR(ts_err_field(&R), "team_code");
    /* Lists hold only their own team's contracts. */
    CHECK_INT(req("GET", "/api/contracts", tok_fd2, NULL), 200);
    CHECK_INT(n_items(), 2);
    for (size_t i = 0; i < n_items(); i++)
        CHECK_STR(jstr(item(i), "team_code"), "TB-1");
    CHECK_INT(req("GET", "/api/contracts?team=TA-1", tok_fd2, NULL), 403);
    CHECK_STR(ts_err_field(&R), "team");
    CHECK_INT(req("GET", "/api/contracts?resident_id=1", tok_fd2, NULL), 200);
    CHECK_INT(n_items(), 0);
    /* A team's residents: their own team only, ID numbers masked. */
    CHECK_INT(req("GET", "/api/teams/TA-1/residents", tok_fd2, NULL), 403);
    CHECK_INT(req("GET", "/api/teams/TB-1/residents", tok_fd2, NULL), 200);
    CHECK_INT(n_items(), 2);
    char masked[IDNO_LEN + 1];
    CHECK_STR(jstr(item(0), "id_number"), idno_mask(idno[5], masked));
    CHECK(strcmp(jstr(item(0), "id_number"), idno[5]) != 0);
    CHECK_INT(jint(item(0), "resident_id"), 5);
    CHECK_STR(jstr(item(1), "ou_code"), "222404002001");
}

TEST(village_doctor_and_other_roles)
{
    CHECK(server() != NULL && c_r1 > 0);
    /* The village doctor of A1 sees the contracts of A1's residents, whichever team. */
    CHECK_INT(req("GET", "/api/contracts?status=active", tok_vd, NULL), 200);
    size_t n = n_items();
    CHECK(n >= 4);
    bool saw_b = false;
    for (size_t i = 0; i < n; i++) {
        int64_t rid = jint(item(i), "resident_id");
        CHECK(rid <= 6 || rid >= 11);
        saw_b = saw_b || strcmp(jstr(item(i), "team_code"), "TB-1") == 0;
    }
    CHECK(saw_b);
    CHECK_INT(req("GET", "/api/contracts?resident_id=7", tok_vd, NULL), 200);
    CHECK_INT(n_items(), 0);
    CHECK_INT(req("GET", "/api/contracts?resident_id=7", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    char path[64];
    int64_t c7 = jint(item(0), "id");
    snprintf(path, sizeof(path), "/api/contracts/%lld", (long long)c7);
    CHECK_INT(req("GET", path, tok_vd, NULL), 404);
    /* They sign and change the contracts of their village's residents only. */
    CHECK_INT(sign(tok_vd, 8, "TB-1", NULL), -404);
    CHECK_INT(sign(tok_vd, 6, "TB-1", NULL) > 0, 1);
    snprintf(path, sizeof(path), "/api/contracts/%lld/terminate", (long long)c7);
    CHECK_INT(req("POST", path, tok_vd, "{\"date\":\"2024-01-01\",\"reason\":\"x\"}"), 404);
    CHECK_INT(req("GET", "/api/teams/TB-1/residents", tok_vd, NULL), 200);
    CHECK_INT(n_items(), 2); /* residents 5 and 6; 7 lives in B1 */
    /* Roles without record access are refused by the route; a facility admin by scope. */
    CHECK_INT(req("GET", "/api/contracts", tok_analyst, NULL), 403);
    CHECK_INT(req("GET", "/api/contracts/1", tok_analyst, NULL), 403);
    CHECK_INT(sign(tok_analyst, 9, "TB-1", NULL), -403);
    CHECK_INT(req("GET", "/api/teams/TA-1/residents", tok_analyst, NULL), 403);
    CHECK_INT(req("GET", "/api/contracts", tok_fadmin, NULL), 403);
    CHECK_INT(req("GET", "/api/contracts/1", tok_fadmin, NULL), 403);
    CHECK_INT(req("GET", "/api/contracts", NULL, NULL), 401);
    /* Teams themselves are a directory any user may read. */
    CHECK_INT(req("GET", "/api/teams", tok_analyst, NULL), 200);
    CHECK_INT(n_items(), 3);
}

TEST(list_filters_and_pagination)
{
    CHECK(server() != NULL && c_r1 > 0);
    CHECK_INT(req("GET", "/api/contracts?limit=1000", tok_admin, NULL), 200);
    size_t total = n_items();
    CHECK_STR(sql_value("SELECT COUNT(*) FROM contract"), "11");
    CHECK_INT(total, 11);
    /* Walk the whole list two at a time: every contract once, in id order. */
    char path[160];
    snprintf(path, sizeof(path), "/api/contracts?limit=2");
    size_t seen = 0;
    int64_t last = 0;
    for (int pages = 0; pages < 20; pages++) {
        CHECK_INT(req("GET", path, tok_admin, NULL), 200);
        for (size_t i = 0; i < n_items(); i++) {
            CHECK(jint(item(i), "id") > last);
            last = jint(item(i), "id");
            seen++;
        }
        const char *next = jstr(R.json, "next");
        if (next == NULL)
            break;
        snprintf(path, sizeof(path), "/api/contracts?limit=2&cursor=%s", next);
    }
    CHECK_INT(seen, total);
    CHECK_INT(req("GET", "/api/contracts?team=TB-1", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 3);
    CHECK_INT(req("GET", "/api/contracts?team=TA-1&status=active", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 3); /* residents 2, 3 and 4 */
    CHECK_INT(req("GET", "/api/contracts?status=expired", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 2); /* resident 2's of 2020, resident 3's lapsed one */
    CHECK_INT(req("GET", "/api/contracts?package=chronic", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 2);
    CHECK_INT(req("GET", "/api/contracts?package=chronic&team=TB-1", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(jint(item(0), "resident_id"), 7);
    CHECK_INT(req("GET", "/api/contracts?status=gone", tok_admin, NULL), 400);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(req("GET", "/api/contracts?team=NOPE", tok_admin, NULL), 400);
    CHECK_STR(ts_err_field(&R), "team");
    CHECK_INT(req("GET", "/api/contracts?limit=0", tok_admin, NULL), 400);
    /* Team lists: by facility, by org unit subtree of the lead facility, by status. */
    CHECK_INT(req("GET", "/api/teams?facility=TB", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK_STR(jstr(item(0), "code"), "TB-1");
    CHECK_INT(jint(item(0), "active_contracts"), 3);
    CHECK(json_is_null(json_object_get(item(0), "capacity_use")));
    CHECK_INT(req("GET", "/api/teams?ou=222404001", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK_STR(jstr(item(0), "code"), "TA-1");
    CHECK_INT(req("GET", "/api/teams?ou=222404", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 3);
    CHECK_INT(req("GET", "/api/teams?status=disbanded", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK_STR(jstr(item(0), "code"), "TX");
    CHECK_INT(req("GET", "/api/teams?limit=2", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 2);
    CHECK(jstr(R.json, "next") != NULL);
    snprintf(path, sizeof(path), "/api/teams?limit=2&cursor=%s", jstr(R.json, "next"));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK(json_is_null(json_object_get(R.json, "next")));
    CHECK_INT(req("GET", "/api/teams?status=gone", tok_admin, NULL), 400);
}

TEST(contract_reads_are_audited)
{
    CHECK(server() != NULL && c_r1 > 0);
    char path[64], id[24];
    snprintf(path, sizeof(path), "/api/contracts/%lld", (long long)c_r1);
    snprintf(id, sizeof(id), "%lld", (long long)c_r1);
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    struct audit_filter f = {.resource_type = "contract", .resource_id = id, .limit = 50};
    struct audit_record recs[50];
    int before = audit_list(srv.store, &f, recs, NULL);
    CHECK_INT(req("GET", path, tok_fd1, NULL), 200);
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    int after = audit_list(srv.store, &f, recs, NULL);
    CHECK_INT(after, before + 1);
    CHECK_STR(recs[0].action, "read");
    CHECK_STR(recs[0].username, "fd1");
    CHECK_STR(recs[0].role, "family_doctor");
    /* A refused read is not a read of the record. */
    CHECK_INT(req("GET", path, tok_fd2, NULL), 404);
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    CHECK_INT(audit_list(srv.store, &f, recs, NULL), after);
    /* Lists of contracts and of a team's residents are reads too, naming what they list. */
    struct audit_filter lf = {.username = "fd2", .resource_type = "resident", .limit = 5};
    CHECK(audit_list(srv.store, &lf, recs, NULL) >= 1);
    CHECK_STR(recs[0].action, "list");
    CHECK_STR(recs[0].resource_id, "team:TB-1");
    CHECK_INT(req("GET", "/api/contracts?resident_id=3", tok_fd1, NULL), 200);
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    struct audit_filter rf = {.username = "fd1", .resource_type = "contract", .limit = 5};
    CHECK(audit_list(srv.store, &rf, recs, NULL) >= 1);
    CHECK_STR(recs[0].action, "list");
    CHECK_STR(recs[0].resource_id, "resident:3");
}

/* ------------------------------------------------------------------ imports */

struct import_result {
    int rc;
    struct imp_report rep;
    char errors[4096];
};

/* What a contract_import ctx reported after committed batches. */
struct touched_ids {
    int64_t ids[64];
    size_t n;
};

static void on_touched(void *arg, const int64_t *ids, size_t n)
{
    struct touched_ids *t = arg;
    for (size_t i = 0; i < n && t->n < 64; i++)
        t->ids[t->n++] = ids[i];
}

static void run_import_ctx(const struct imp_spec *spec, const char *csv, void *ctx,
                           struct import_result *out)
{
    memset(out, 0, sizeof(*out));
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    FILE *errs = fmemopen(out->errors, sizeof(out->errors) - 1, "w");
    setvbuf(errs, NULL, _IONBF, 0);
    out->rep.errors = errs;
    struct audit_actor who = {0, "cli", "admin", "cli"};
    struct yl_err err = {0};
    out->rc = imp_run(srv.store, in, spec, ctx, &who, &out->rep, &err);
    fclose(errs);
    fclose(in);
}

static void run_import(const struct imp_spec *spec, const char *csv, struct import_result *out)
{
    run_import_ctx(spec, csv, NULL, out);
}

static const char teams_csv[] = "code,name,facility_code,leader_code,member_codes,capacity,status\n"
                                "IT-1,Import team 1,TA,S-GP1,S-GP1 S-VD1,100,\n"
                                "IT-2,Bad facility,NOPE,,S-GP1,,\n"
                                "IT-3,Leader outside,TB,S-GP1,S-GP2,,\n"
                                "IT-4,Import team 4,TB,,S-GP2  S-SP1,50,active\n"
                                "IT-5,Unknown staff,TB,,S-GP2 S-NOBODY,,\n"
                                "IT-6,Bad capacity,TB,,,-5,\n";

TEST(import_teams)
{
    CHECK(server() != NULL);
    struct imp_spec spec = contract_import_teams_spec();
    struct import_result r;
    run_import(&spec, teams_csv, &r);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rep.records, 6);
    CHECK_INT(r.rep.applied, 2);
    CHECK_INT(r.rep.refused, 4);
    CHECK_CONTAINS(r.errors, "line 3: facility_code: no facility \"NOPE\"");
    CHECK_CONTAINS(r.errors, "line 4: leader_code: ");
    CHECK_CONTAINS(r.errors, "line 6: member_codes: no staff member \"S-NOBODY\"");
    CHECK_CONTAINS(r.errors, "line 7: capacity: ");
    CHECK_INT(req("GET", "/api/teams/IT-4", tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "member_count"), 2);
    CHECK_INT(jint(R.json, "capacity"), 50);
    CHECK_INT(req("GET", "/api/teams/IT-2", tok_admin, NULL), 404);

    /* The same file again: nothing applied, nothing audited. */
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    int64_t audits = audit_count();
    run_import(&spec, teams_csv, &r);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rep.applied, 0);
    CHECK_INT(r.rep.unchanged, 2);
    CHECK_INT(r.rep.refused, 4);
    CHECK_INT(audit_count(), audits);

    /* A changed row is an update; the member list is the whole membership. The ctx hears
     * which team the committed batch wrote. */
    struct touched_ids t = {0};
    struct contract_import *ci = contract_import_new(on_touched, &t);
    run_import_ctx(&spec,
                   "code,name,facility_code,leader_code,member_codes,capacity\n"
                   "IT-1,Import team 1,TA,S-GP1,S-GP1 S-VD1,100\n"
                   "IT-4,Import team 4,TB,S-GP2,S-GP2,60\n",
                   ci, &r);
    contract_import_free(ci);
    CHECK_INT(r.rep.applied, 1);
    CHECK_INT(r.rep.unchanged, 1);
    CHECK_INT(audit_count(), audits + 1);
    CHECK_INT(t.n, 1);
    CHECK_INT(req("GET", "/api/teams/IT-4", tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "id"), t.ids[0]);
    CHECK_INT(jint(R.json, "member_count"), 1);
    CHECK_INT(jint(R.json, "capacity"), 60);
    CHECK_STR(jstr(R.json, "leader_code"), "S-GP2");
    /* A file without a required column is refused whole. */
    run_import(&spec, "code,name\nIT-9,x\n", &r);
    CHECK_INT(r.rc, YL_EINVAL);
}

TEST(import_contracts)
{
    CHECK(server() != NULL && team_b > 0);
    /* Resident 12 has an active contract that has since lapsed: the import frees it. */
    int64_t lapsing = sign(tok_admin, 12, "TA-1", NULL);
    CHECK(lapsing > 0);
    char text[8192];
    snprintf(text, sizeof(text),
             "UPDATE contract SET from_date = '2022-01-01', to_date = '2022-12-31'"
             " WHERE id = %lld",
             (long long)lapsing);
    CHECK_INT(sql(text), 0);
    char unknown[IDNO_LEN + 1], recent[DATE_STR_LEN], today[DATE_STR_LEN];
    make_idno(unknown, "19900101", 999);
    day_text(-30, recent);
    day_text(0, today);
    static char csv[4096];
    snprintf(csv, sizeof(csv),
             "external_id,id_number,team_code,package,from_date,to_date,status,ended_date,"
             "end_reason\n"
             "C-1,%s,TB-1,chronic,%s,,,,\n" /* 2 applied */
             "C-2,%s,TB-1,basic,2021-01-01,2021-12-31,terminated,2021-06-01,moved away\n"
             "C-3,%s,TB-1,basic,%s,,,,\n"                             /* 4 no one */
             "C-4,%s,NOTEAM,basic,%s,,,,\n"                           /* 5 team */
             "C-5,%s,TB-1,basic,%s,,,,\n"                             /* 6 second */
             "C-6,%s,TB-1,elderly,2022-01-01,,,,\n"                   /* 7 expired */
             "C-7,%s,TB-1,basic,2023-01-01,2023-12-31,terminated,,\n" /* 8 no date */
             "C-8,%s,TB-1,gold,%s,,,,\n"                              /* 9 package */
             "C-9,%s,TB-1,basic,%s,,active,,\n"                       /* 10 applied */
             "C-10,%s,TB-1,maternal_child,%s,,,,\n"                   /* 11 applied */
             "C-11,%s,TB-1,basic,%s,,,,\n",                           /* 12 died */
             idno[8], recent, idno[9], unknown, today, idno[9], today, idno[8], today, idno[9],
             idno[10], idno[10], today, idno[10], today, idno[12], today, idno[11], today);
    struct imp_spec spec = contract_import_spec();
    struct import_result r;
    run_import(&spec, csv, &r);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rep.records, 11);
    CHECK_INT(r.rep.applied, 5);
    CHECK_INT(r.rep.refused, 6);
    CHECK_CONTAINS(r.errors, "line 4: id_number: no resident with this ID number");
    CHECK_CONTAINS(r.errors, "line 5: team_code: no team \"NOTEAM\"");
    CHECK_CONTAINS(r.errors, "line 6: id_number: the resident already has an active contract");
    CHECK_CONTAINS(r.errors, "line 8: ended_date: ");
    CHECK_CONTAINS(r.errors, "line 9: package: ");
    CHECK_CONTAINS(r.errors, "line 12: id_number: ");
    /* No ID number is ever repeated in a message. */
    CHECK(strstr(r.errors, unknown) == NULL);
    CHECK(strstr(r.errors, idno[8]) == NULL);
    CHECK_STR(sql_value("SELECT status || ' ' || ended_date || ' ' || end_reason FROM contract"
                        " WHERE external_id = 'C-2'"),
              "terminated 2021-06-01 moved away");
    CHECK_STR(sql_value("SELECT status || ' ' || to_date FROM contract"
                        " WHERE external_id = 'C-6'"),
              "expired 2022-12-31");
    snprintf(text, sizeof(text), "SELECT status FROM contract WHERE id = %lld", (long long)lapsing);
    CHECK_STR(sql_value(text), "expired");
    CHECK_INT(req("GET", "/api/contracts?resident_id=8", tok_admin, NULL), 200);
    CHECK_INT(n_items(), 1);
    CHECK_STR(jstr(item(0), "external_id"), "C-1");
    CHECK_STR(jstr(item(0), "package"), "chronic");

    /* The same file again changes nothing and writes no audit record. */
    const char *count = sql_value("SELECT COUNT(*) || '/' || MAX(updated_at) FROM contract");
    char before[256];
    snprintf(before, sizeof(before), "%s", count);
    CHECK_INT(audit_log_flush(srv.audit, NULL), 0);
    int64_t audits = audit_count();
    run_import(&spec, csv, &r);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rep.applied, 0);
    CHECK_INT(r.rep.unchanged, 5);
    CHECK_INT(r.rep.refused, 6);
    CHECK_INT(audit_count(), audits);
    CHECK_STR(sql_value("SELECT COUNT(*) || '/' || MAX(updated_at) FROM contract"), before);

    /* A changed row updates the contract its external id names; the ctx hears which
     * resident it concerned (for the population index). */
    snprintf(text, sizeof(text),
             "external_id,id_number,team_code,package,from_date\n"
             "C-1,%s,TB-1,elderly,%s\n",
             idno[8], recent);
    struct touched_ids t = {0};
    struct contract_import *ci = contract_import_new(on_touched, &t);
    run_import_ctx(&spec, text, ci, &r);
    contract_import_free(ci);
    CHECK_INT(r.rep.applied, 1);
    CHECK_INT(t.n, 1);
    CHECK_INT(t.ids[0], 8);
    CHECK_STR(sql_value("SELECT package FROM contract WHERE external_id = 'C-1'"), "elderly");
    CHECK_INT(audit_count(), audits + 1);
}

TEST_MAIN()
