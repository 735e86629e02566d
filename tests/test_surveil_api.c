/*
 * test_surveil_api.c - surveillance data over HTTP (issue 6): reporting a case (201, then
 * 200 when sent again, 409 for other content), refusals naming their field, the facility
 * and scope rules (a doctor reports for their facility only, another county's
 * epidemiologist sees nothing, an analyst gets 403 on cases but reads counts), masking per
 * role, revise and delete with a reason, syndromic counts one or many with the failing
 * index named, the series with missing days as null, the lists, the indicators, and the
 * audit records of reads.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "support.h"
#include "surveil/surveil.h"
#include "test.h"

static struct ts_server srv;
static bool srv_up;
static struct surv_catalog *cat;
static char tok_admin[ACCT_TOKEN_HEX], tok_epi[ACCT_TOKEN_HEX], tok_epi_b[ACCT_TOKEN_HEX];
static char tok_analyst[ACCT_TOKEN_HEX], tok_fd[ACCT_TOKEN_HEX], tok_fa_b[ACCT_TOKEN_HEX];
static char tok_analyst_b[ACCT_TOKEN_HEX];
static struct ts_response R;

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    srv_up = false;
    surv_catalog_free(cat);
}

static int fixtures(void)
{
    const char *now = "2024-01-01T00:00:00Z";
    char text[4096];
    char idno[IDNO_LEN + 1];
    ts_idno(idno, date_from_ymd(1985, 2, 3), 103);
    snprintf(text, sizeof(text),
             "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, '%1$s'), (2, '2224', 'Yanbian', 2, 1, '%1$s'),"
             " (3, '222404', 'Hunchun', 3, 2, '%1$s'),"
             " (4, '222404001', 'Township A', 4, 3, '%1$s'),"
             " (5, '222404001001', 'Village A1', 5, 4, '%1$s'),"
             " (6, '222403', 'Dunhua', 3, 2, '%1$s'),"
             " (7, '222403001', 'Township B', 4, 6, '%1$s');"
             "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
             " (1, 'TA', 'Township A center', 'township_center', 4, 'active', '%1$s'),"
             " (2, 'TB', 'Township B center', 'township_center', 7, 'active', '%1$s');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s');"
             "INSERT INTO ou_population (ou_id, year, sex, age_band, count) VALUES"
             " (3, 2025, 1, 5, 100000), (3, 2025, 2, 5, 100000);"
             "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, record_date,"
             " status, updated_at) VALUES (1, '%2$s', '李小龙', 1, '1985-02-03', 5,"
             " '2020-01-01', 'active', '%1$s');",
             now, idno);
    return ts_sql(srv.db, text);
}

static struct ts_server *server(void)
{
    static int state;
    if (state != 0)
        return state > 0 ? &srv : NULL;
    state = -1;
    struct yl_err err = {0};
    if (surv_catalog_load("data/" SURV_FILE_DISEASES, "data/" SURV_FILE_CHANNELS,
                          "data/" SURV_FILE_PARAMS, &cat, &err) != 0)
        return NULL;
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return NULL;
    srv_up = true;
    atexit(stop_srv);
    srv.app.surveil = cat;
    if (fixtures() != 0)
        return NULL;
    if (ts_user_add(&srv, "epi", "password-epi-1", "epidemiologist", "ou:222404") != 0 ||
        ts_user_add(&srv, "epi_b", "password-epi-b", "epidemiologist", "ou:222403") != 0 ||
        ts_user_add(&srv, "analyst", "password-analyst", "analyst", "region") != 0 ||
        ts_user_add(&srv, "analyst_b", "password-analyst-b", "analyst", "ou:222403") != 0 ||
        ts_user_add(&srv, "doctor", "password-fd-1", "family_doctor", "team:1") != 0 ||
        ts_user_add(&srv, "fa_b", "password-fa-b", "facility_admin", "facility:TB") != 0)
        return NULL;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 ||
        ts_login(srv.port, "epi", "password-epi-1", tok_epi) != 200 ||
        ts_login(srv.port, "epi_b", "password-epi-b", tok_epi_b) != 200 ||
        ts_login(srv.port, "analyst", "password-analyst", tok_analyst) != 200 ||
        ts_login(srv.port, "analyst_b", "password-analyst-b", tok_analyst_b) != 200 ||
        ts_login(srv.port, "doctor", "password-fd-1", tok_fd) != 200 ||
        ts_login(srv.port, "fa_b", "password-fa-b", tok_fa_b) != 200)
        return NULL;
    state = 1;
    return &srv;
}

static int get(const char *path, const char *token)
{
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    if (ts_get(srv.port, path, token, &R) != 0)
        return -1;
    return R.status;
}

static int send(const char *method, const char *path, const char *token, const char *body)
{
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    if (ts_request(srv.port, method, path, token, NULL, body, body ? strlen(body) : 0, &R) != 0)
        return -1;
    return R.status;
}

static const char *str(const char *key)
{
    return json_string_value(json_object_get(R.json, key));
}

static long long num(const char *key)
{
    return json_integer_value(json_object_get(R.json, key));
}

#define CASE_A                                                                           \
    "{\"external_id\":\"A-1\",\"disease\":\"measles\",\"classification\":\"confirmed\","    \
    "\"onset_date\":\"2025-04-01\",\"diagnosed_at\":\"2025-04-03T08:00:00+08:00\","        \
    "\"reported_at\":\"2025-04-04T09:00:00+08:00\",\"facility\":\"TA\",\"resident_id\":1}"

static long long case_a;

TEST(report_a_case_then_again)
{
    CHECK(server() != NULL);
    CHECK_INT(send("POST", "/api/cases", tok_epi, CASE_A), 201);
    case_a = num("id");
    CHECK(case_a > 0);
    CHECK_STR(str("status"), "reported");
    CHECK(json_is_true(json_object_get(R.json, "late"))); /* 25 hours for a 24-hour disease */
    CHECK_STR(str("class"), "B");
    CHECK_STR(str("ou"), "222404001001");
    CHECK_STR(str("name"), "李小龙");
    CHECK_INT(send("POST", "/api/cases", tok_epi, CASE_A), 200);
    CHECK_INT(num("id"), case_a);
    CHECK_INT(ts_sql_count(srv.db, "SELECT COUNT(*) FROM case_report"), 1);
    CHECK_INT(ts_sql_count(srv.db, "SELECT COUNT(*) FROM audit WHERE action = 'report_case'"),
              1);
    const char *other = "{\"external_id\":\"A-1\",\"disease\":\"measles\","
                        "\"classification\":\"suspected\",\"onset_date\":\"2025-04-01\","
                        "\"diagnosed_at\":\"2025-04-03T08:00:00+08:00\","
                        "\"reported_at\":\"2025-04-04T09:00:00+08:00\",\"facility\":\"TA\","
                        "\"resident_id\":1}";
    CHECK_INT(send("POST", "/api/cases", tok_epi, other), 409);
    CHECK_STR(ts_err_field(&R), "external_id");
}

TEST(case_refusals_name_their_field)
{
    CHECK(server() != NULL);
    static const struct {
        const char *body, *field;
        int status;
    } bad[] = {
        {"{\"external_id\":\"X-1\",\"disease\":\"nope\",\"classification\":\"confirmed\","
         "\"onset_date\":\"2025-04-01\",\"diagnosed_at\":\"2025-04-03T08:00:00Z\","
         "\"facility\":\"TA\",\"ou\":\"222404001001\"}", "disease", 400},
        {"{\"external_id\":\"X-2\",\"disease\":\"measles\",\"classification\":\"confirmed\","
         "\"onset_date\":\"2025-04-01\",\"diagnosed_at\":\"2025-04-03 08:00\","
         "\"facility\":\"TA\",\"ou\":\"222404001001\"}", "diagnosed_at", 400},
        {"{\"external_id\":\"X-3\",\"disease\":\"measles\",\"classification\":\"confirmed\","
         "\"onset_date\":\"2025-04-01\",\"diagnosed_at\":\"2025-04-03T08:00:00Z\","
         "\"facility\":\"TA\",\"ou\":\"222404001001\",\"age\":3}", "age", 400},
        {"{\"external_id\":\"X-4\",\"disease\":\"measles\",\"classification\":\"confirmed\","
         "\"onset_date\":\"2025-04-01\",\"diagnosed_at\":\"2025-04-03T08:00:00Z\","
         "\"facility\":\"TA\",\"ou\":\"222404001001\",\"sex\":5}", "sex", 400},
        /* Another county's epidemiologist: the residence is outside their scope. */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(send("POST", "/api/cases", tok_epi, bad[i].body), bad[i].status);
        CHECK_STR(ts_err_field(&R), bad[i].field);
    }
    CHECK_INT(send("POST", "/api/cases", tok_epi_b, CASE_A), 403);
    CHECK_STR(ts_err_field(&R), "ou");
}

TEST(doctors_report_for_their_facility_only)
{
    CHECK(server() != NULL);
    const char *mine = "{\"external_id\":\"F-1\",\"disease\":\"hfmd\","
                       "\"classification\":\"clinical\",\"onset_date\":\"2025-06-01\","
                       "\"diagnosed_at\":\"2025-06-02T08:00:00+08:00\",\"facility\":\"TA\","
                       "\"age_years\":3,\"sex\":2,\"ou\":\"222404001001\"}";
    CHECK_INT(send("POST", "/api/cases", tok_fd, mine), 201);
    long long id = num("id");
    /* No reported_at: now, so it is late (2025 against today) and stamped by the server. */
    CHECK(json_is_true(json_object_get(R.json, "late")));
    CHECK_INT(send("POST", "/api/cases", tok_fa_b, mine), 403);
    CHECK_STR(ts_err_field(&R), "facility");
    CHECK_INT(send("POST", "/api/cases", tok_analyst, mine), 403);
    /* The doctor reads their own report back, but lists nothing. */
    char path[64];
    snprintf(path, sizeof(path), "/api/cases/%lld", id);
    CHECK_INT(get(path, tok_fd), 200);
    CHECK_INT(get("/api/cases", tok_fd), 403);
    CHECK_INT(get(path, tok_fa_b), 404);
}

TEST(lists_scope_and_masking)
{
    CHECK(server() != NULL);
    CHECK_INT(get("/api/cases", tok_analyst), 403);
    CHECK_INT(get("/api/cases?disease=measles", tok_epi), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    json_t *c = json_array_get(items, 0);
    CHECK_STR(json_string_value(json_object_get(c, "name")), "李小龙");
    CHECK(json_is_false(json_object_get(c, "masked")));
    CHECK_INT(get("/api/cases?disease=measles", tok_admin), 200);
    c = json_array_get(json_object_get(R.json, "items"), 0);
    CHECK_STR(json_string_value(json_object_get(c, "name")), "李**");
    CHECK_CONTAINS(json_string_value(json_object_get(c, "id_number")), "********");
    /* Another county: nothing of ours, and naming our county is "not found". */
    CHECK_INT(get("/api/cases", tok_epi_b), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    CHECK_INT(get("/api/cases?ou=222404", tok_epi_b), 404);
    char path[64];
    snprintf(path, sizeof(path), "/api/cases/%lld", case_a);
    CHECK_INT(get(path, tok_epi_b), 404);
    CHECK_INT(get("/api/cases?late=true&disease=measles", tok_epi), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 1);
    CHECK_INT(get("/api/cases?late=false&disease=measles", tok_epi), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    CHECK_INT(get("/api/cases?late=maybe", tok_epi), 400);
    CHECK_STR(ts_err_field(&R), "late");
    CHECK_INT(get("/api/cases?from=2025-13-01", tok_epi), 400);
    CHECK_STR(ts_err_field(&R), "from");
    /* Paging: one a page. */
    CHECK_INT(get("/api/cases?limit=1", tok_epi), 200);
    CHECK(json_is_string(json_object_get(R.json, "next")));
    /* Reads of reports are audited (the read queue flushes within milliseconds). */
    audit_log_flush(srv.audit, NULL);
    CHECK(ts_sql_count(srv.db, "SELECT COUNT(*) FROM audit WHERE action = 'list_cases'") >= 3);
}

TEST(revise_and_delete_with_reason)
{
    CHECK(server() != NULL);
    char path[64];
    snprintf(path, sizeof(path), "/api/cases/%lld", case_a);
    CHECK_INT(send("PATCH", path, tok_epi, "{\"diagnosed_at\":\"2025-04-03T12:00:00+08:00\"}"),
              200);
    CHECK_STR(str("status"), "revised");
    CHECK(json_is_false(json_object_get(R.json, "late")));
    CHECK_INT(send("PATCH", path, tok_epi, "{\"status\":\"x\"}"), 400);
    CHECK_STR(ts_err_field(&R), "status");
    CHECK_INT(send("PATCH", path, tok_epi, "{}"), 400);
    CHECK_INT(send("PATCH", path, tok_epi_b, "{\"classification\":\"clinical\"}"), 404);
    CHECK_INT(send("DELETE", path, tok_epi, "{}"), 400);
    CHECK_STR(ts_err_field(&R), "reason");
    CHECK_INT(send("DELETE", path, tok_epi, "{\"reason\":\"reported twice\"}"), 200);
    CHECK_STR(str("status"), "deleted");
    CHECK_STR(str("delete_reason"), "reported twice");
    CHECK_INT(send("DELETE", path, tok_epi, "{\"reason\":\"again\"}"), 409);
    CHECK_INT(ts_sql_count(srv.db, "SELECT COUNT(*) FROM case_report WHERE id = 1"), 1);
    CHECK_INT(get("/api/cases?status=deleted", tok_epi), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 1);
}

TEST(syndromic_counts_one_or_many)
{
    CHECK(server() != NULL);
    CHECK_INT(send("POST", "/api/syndromic", tok_epi,
                   "{\"date\":\"2025-01-01\",\"ou\":\"222404001\",\"channel\":\"fever_clinic\","
                   "\"value\":10}"), 200);
    CHECK_INT(num("changed"), 1);
    CHECK_INT(send("POST", "/api/syndromic", tok_epi,
                   "{\"counts\":[{\"date\":\"2025-01-01\",\"ou\":\"222404001\","
                   "\"channel\":\"fever_clinic\",\"value\":10},"
                   "{\"date\":\"2025-01-03\",\"ou\":\"222404001\",\"channel\":\"fever_clinic\","
                   "\"value\":7},"
                   "{\"date\":\"2025-01-01\",\"ou\":\"222404001\",\"channel\":\"ili_share\","
                   "\"value\":20,\"denominator\":400}]}"), 200);
    CHECK_INT(num("received"), 3);
    CHECK_INT(num("changed"), 2);
    /* All or none: the third count is refused, the first two are not stored. */
    CHECK_INT(send("POST", "/api/syndromic", tok_epi,
                   "{\"counts\":[{\"date\":\"2025-01-04\",\"ou\":\"222404001\","
                   "\"channel\":\"fever_clinic\",\"value\":1},"
                   "{\"date\":\"2025-01-05\",\"ou\":\"222404001\",\"channel\":\"fever_clinic\","
                   "\"value\":2},"
                   "{\"date\":\"2025-01-05\",\"ou\":\"222404001\",\"channel\":\"ili_share\","
                   "\"value\":20}]}"), 400);
    CHECK_STR(ts_err_field(&R), "counts[2].denominator");
    CHECK_INT(ts_sql_count(srv.db, "SELECT COUNT(*) FROM syndromic_count WHERE day >="
                                   " '2025-01-04'"), 0);
    CHECK_INT(send("POST", "/api/syndromic", tok_epi_b,
                   "{\"date\":\"2025-01-01\",\"ou\":\"222404001\",\"channel\":\"fever_clinic\","
                   "\"value\":10}"), 403);
    CHECK_INT(send("POST", "/api/syndromic", tok_analyst,
                   "{\"date\":\"2025-01-01\",\"ou\":\"222404001\",\"channel\":\"fever_clinic\","
                   "\"value\":10}"), 403);
}

TEST(series_for_analysts_with_missing_days_as_null)
{
    CHECK(server() != NULL);
    CHECK_INT(get("/api/surveil/series?channel=fever_clinic&ou=222404&from=2025-01-01"
                  "&to=2025-01-03", tok_analyst), 200);
    json_t *pts = json_object_get(R.json, "points");
    CHECK_INT(json_array_size(pts), 3);
    CHECK(json_number_value(json_object_get(json_array_get(pts, 0), "count")) == 10);
    CHECK(json_is_null(json_object_get(json_array_get(pts, 1), "count")));
    CHECK(json_number_value(json_object_get(json_array_get(pts, 2), "count")) == 7);
    CHECK_STR(json_string_value(json_object_get(json_array_get(pts, 0), "t")), "2025-01-01");
    CHECK_STR(str("method"), "c2");
    CHECK_INT(get("/api/surveil/series?disease=hfmd&ou=222404&from=2025-05-31&to=2025-06-02",
                  tok_analyst), 200);
    pts = json_object_get(R.json, "points");
    CHECK(json_number_value(json_object_get(json_array_get(pts, 0), "count")) == 0);
    CHECK(json_number_value(json_object_get(json_array_get(pts, 1), "count")) == 1);
    CHECK_INT(get("/api/surveil/series?disease=hfmd&ou=222404&from=2025-05-31&to=2025-06-02"
                  "&unit=week", tok_analyst), 200);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(R.json, "points"),
                                                               0), "t")), "2025-W22");
    /* An analyst of another county reads their county, not ours. */
    CHECK_INT(get("/api/surveil/series?disease=hfmd&ou=222404&from=2025-05-31&to=2025-06-02",
                  tok_analyst_b), 404);
    CHECK_INT(get("/api/surveil/series?disease=hfmd&channel=fever_clinic&ou=222404"
                  "&from=2025-05-31&to=2025-06-02", tok_analyst), 400);
    CHECK_STR(ts_err_field(&R), "disease");
    CHECK_INT(get("/api/surveil/series?disease=hfmd&ou=222404&from=2025-05-31", tok_analyst),
              400);
    CHECK_STR(ts_err_field(&R), "to");
}

/* detect=1: every point with the method's expected value, bound and alarm, its baseline read
 * from before `from`; a class has no method of its own. */
TEST(series_judged_for_the_alert_board)
{
    CHECK(server() != NULL);
    char body[4096];
    size_t used = (size_t)snprintf(body, sizeof(body), "{\"counts\":[");
    for (int d = 1; d <= 21; d++)
        used += (size_t)snprintf(body + used, sizeof(body) - used,
                                 "%s{\"date\":\"2025-02-%02d\",\"ou\":\"222404001\","
                                 "\"channel\":\"fever_clinic\",\"value\":%d}",
                                 d > 1 ? "," : "", d, d == 21 ? 50 : 10 + d % 3);
    snprintf(body + used, sizeof(body) - used, "]}");
    CHECK_INT(send("POST", "/api/syndromic", tok_epi, body), 200);
    CHECK_INT(get("/api/surveil/series?channel=fever_clinic&ou=222404001&from=2025-02-18"
                  "&to=2025-02-21&detect=1", tok_analyst), 200);
    json_t *pts = json_object_get(R.json, "points");
    CHECK_INT(json_array_size(pts), 4);
    CHECK_STR(json_string_value(json_object_get(json_array_get(pts, 0), "t")), "2025-02-18");
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(pts, i);
        CHECK(json_is_false(json_object_get(p, "alarm")));
        CHECK(json_number_value(json_object_get(p, "upper")) >
              json_number_value(json_object_get(p, "count")));
    }
    json_t *spike = json_array_get(pts, 3);
    CHECK(json_is_true(json_object_get(spike, "alarm")));
    CHECK(json_number_value(json_object_get(spike, "expected")) > 9.0);
    CHECK(json_number_value(json_object_get(spike, "upper")) < 50.0);
    CHECK_INT(get("/api/surveil/series?class=B&ou=222404001&from=2025-02-18&to=2025-02-21"
                  "&detect=1", tok_analyst), 400);
    CHECK_STR(ts_err_field(&R), "detect");
}

TEST(lists_of_diseases_and_channels)
{
    CHECK(server() != NULL);
    CHECK_INT(get("/api/surveil/diseases", tok_analyst), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK(json_array_size(items) >= 40);
    json_t *first = json_array_get(items, 0);
    CHECK_STR(json_string_value(json_object_get(first, "code")), "plague");
    CHECK_INT(json_integer_value(json_object_get(first, "report_limit_hours")), 2);
    CHECK_STR(json_string_value(json_object_get(first, "method")), "threshold");
    CHECK_INT(get("/api/surveil/channels", tok_fd), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 6);
    CHECK_INT(get("/api/surveil/channels", NULL), 401);
}

TEST(indicators_incidence_per_100k)
{
    CHECK(server() != NULL);
    CHECK_INT(get("/api/surveil/indicators?ou=222404&period=2025-06", tok_analyst), 200);
    CHECK_INT(num("population"), 200000);
    json_t *rows = json_object_get(R.json, "rows");
    bool seen = false;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        const char *d = json_string_value(json_object_get(r, "disease"));
        if (d != NULL && strcmp(d, "hfmd") == 0) {
            seen = true;
            CHECK_INT(json_integer_value(json_object_get(r, "cases")), 1);
            CHECK(json_number_value(json_object_get(r, "rate_per_100k")) == 0.5);
            CHECK(json_number_value(json_object_get(r, "timely_share")) == 0);
        }
    }
    CHECK(seen);
    CHECK_INT(get("/api/surveil/indicators?ou=222404&period=2025-6", tok_analyst), 400);
    CHECK_STR(ts_err_field(&R), "period");
    CHECK_INT(get("/api/surveil/indicators?ou=222404&period=2025", tok_analyst_b), 404);
}

TEST_MAIN()
