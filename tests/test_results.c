/*
 * test_results.c - shared results and mutual recognition (issue 5): the catalogue import
 * with good and bad rows and a re-run; result refusals naming their fields; idempotency on
 * the external id; recognition by validity at its edge (valid on day validity - 1, not on
 * day validity) and by scope at its edges (region; the same county community against another
 * one; a group of another kind); uses recorded, repeated and refused; scope refusals; the
 * CSV and NDJSON results imports; the figures counted by hand.
 *
 * The region, written straight into the migrated database: county communities G1 (H1 lead,
 * TA) and G2 (H2 lead, TB), specialty alliance S1 (C1 lead, H1). Dates are relative to
 * today. Tests share one server and run in file order.
 */
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
static char tok_analyst[ACCT_TOKEN_HEX];
static struct ts_response R;

/* Residents 1-3 are contracted to team A, 4 to team B. */
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
             " (2, 'H1', 'County hospital 1', 'general_hospital', 3, 'active', '%1$s'),"
             " (3, 'TB', 'Township B center', 'township_center', 4, 'active', '%1$s'),"
             " (4, 'H2', 'County hospital 2', 'general_hospital', 3, 'active', '%1$s'),"
             " (5, 'C1', 'City hospital', 'general_hospital', 2, 'active', '%1$s');"
             "INSERT INTO medical_group (id, code, name, kind, lead_facility_id, updated_at)"
             " VALUES (1, 'G1', 'Community 1', 'county_community', 2, '%1$s'),"
             " (2, 'G2', 'Community 2', 'county_community', 4, '%1$s'),"
             " (3, 'S1', 'Cardiology alliance', 'specialty_alliance', 5, '%1$s');"
             "INSERT INTO medical_group_member (group_id, facility_id, kind) VALUES"
             " (1, 2, 'county_community'), (1, 1, 'county_community'),"
             " (2, 4, 'county_community'), (2, 3, 'county_community'),"
             " (3, 5, 'specialty_alliance'), (3, 2, 'specialty_alliance');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s'),"
             " (2, 'TA-2', 'Team B', 1, 'active', '%1$s');",
             now);
    if (ts_sql(srv.db, text) != 0)
        return -1;
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char b[DATE_STR_LEN];
        int32_t birth = date_add_days(date_today(), -365 * (40 + id));
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
        ts_user_add(&srv, "analyst", "password-analyst", "analyst", "region") != 0)
        return NULL;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 ||
        ts_login(srv.port, "fd_a", "password-fd-a", tok_fd_a) != 200 ||
        ts_login(srv.port, "fd_b", "password-fd-b", tok_fd_b) != 200 ||
        ts_login(srv.port, "analyst", "password-analyst", tok_analyst) != 200)
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

static size_t n_items(void)
{
    return json_array_size(json_object_get(R.json, "items"));
}

/* POST a result of resident `id`: item, facility, `offset` days from today, and `content`
 * (JSON fields with a leading comma: the value or report). */
static int post_result(const char *token, int id, const char *ext, const char *item,
                       const char *facility, int offset, const char *content)
{
    char body[1024], day[DATE_STR_LEN];
    snprintf(body, sizeof(body),
             "{\"external_id\":\"%s\",\"resident_id\":%d,\"item\":\"%s\",\"facility\":\"%s\","
             "\"date\":\"%s\"%s}",
             ext, id, item, facility, day_text(offset, day), content ? content : "");
    return req("POST", "/api/results", token, body);
}

/* GET the recognised results of resident `id` for item at facility, on today + offset. */
static int recognised(const char *token, int id, const char *item, const char *facility,
                      int offset)
{
    char path[256], day[DATE_STR_LEN];
    snprintf(path, sizeof(path), "/api/residents/%d/recognised?item=%s&facility=%s&date=%s", id,
             item, facility, day_text(offset, day));
    return req("GET", path, token, NULL);
}

static int post_use(const char *token, int id, int64_t result_id, const char *facility)
{
    char path[96], body[160];
    snprintf(path, sizeof(path), "/api/residents/%d/recognised/uses", id);
    snprintf(body, sizeof(body), "{\"result_id\":%lld,\"facility\":\"%s\"}",
             (long long)result_id, facility);
    return req("POST", path, token, body);
}

/* The id of result `ext` (-1 when absent). */
static long result_id(const char *ext)
{
    char q[160];
    snprintf(q, sizeof(q), "SELECT id FROM result WHERE external_id = '%s'", ext);
    return sql_count(q);
}

#define CHECK_REFUSED(status, field)                                                   \
    do {                                                                               \
        CHECK_INT((status), 400);                                                      \
        CHECK_STR(ts_err_field(&R), (field));                                          \
    } while (0)

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int import(const char *kind, const char *path, struct imp_report *rep, char *errors,
                  size_t n)
{
    memset(rep, 0, sizeof(*rep));
    FILE *log = fmemopen(errors, n, "w");
    rep->errors = log;
    struct yl_err err = {0};
    int rc = cli_import_file(srv.store, kind, path, rep, &err);
    fclose(log);
    if (rc != 0)
        fprintf(stderr, "    import: %s\n", yl_err_message(&err));
    return rc;
}

/* ------------------------------------------------------------------ the catalogue */

TEST(catalogue_import_good_bad_and_rerun)
{
    CHECK(server() != NULL);
    const char *text =
        "code,name_zh,name_en,kind,unit,validity_days,scope\n"
        "FPG,空腹血糖,fasting glucose,lab,mmol/L,7,region\n"
        "ALT,丙氨酸氨基转移酶,ALT,lab,U/L,14,county_community\n"
        "CT,胸部CT,chest CT,imaging,,90,group\n"
        "CBC,血常规,blood count,lab,,7,region\n"
        "ECG,心电图,ECG,ecg,,30,county_community\n"
        "XR,胸片,chest X-ray,imaging,,30,blood\n"         /* line 7 */
        "US,B超,ultrasound,imaging,cm,30,region\n"        /* line 8 */
        "HB,血红蛋白,haemoglobin,lab,g/L,0,region\n"      /* line 9 */
        "TC,总胆固醇,cholesterol,serum,mmol/L,30,region\n" /* line 10 */
        "a b,尿常规,urinalysis,lab,,7,region\n"           /* line 11 */
        "UA,,urinalysis,lab,,7,region\n";                 /* line 12 */
    const char *path = ts_path("items.csv");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[4096] = "";
    CHECK_INT(import("result-items", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 5);
    CHECK_INT(rep.refused, 6);
    CHECK_CONTAINS(errors, "line 7: scope:");
    CHECK_CONTAINS(errors, "line 8: unit:");
    CHECK_CONTAINS(errors, "line 9: validity_days:");
    CHECK_CONTAINS(errors, "line 10: kind:");
    CHECK_CONTAINS(errors, "line 11: code:");
    CHECK_CONTAINS(errors, "line 12: name_zh:");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result_item"), 5);
    /* Again: nothing changes. */
    CHECK_INT(import("result-items", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 5);
    CHECK_INT(rep.refused, 6);
    /* A commission's new list changes one item's validity: one update. */
    const char *path2 = ts_path("items2.csv");
    CHECK_INT(write_file(path2, "code,name_zh,kind,unit,validity_days,scope\n"
                                "CT,胸部CT,imaging,,60,group\n"),
              0);
    CHECK_INT(import("result-items", path2, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 1);
    CHECK_INT(sql_count("SELECT validity_days FROM result_item WHERE code = 'CT'"), 60);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result_item WHERE code = 'CT' AND name_en = ''"),
              1);
}

TEST(the_example_catalogue_loads)
{
    CHECK(server() != NULL);
    FILE *f = fopen("data/result-items-example.csv", "r");
    if (f == NULL)
        TEST_SKIP("data/result-items-example.csv not found from here");
    fclose(f);
    struct imp_report rep;
    char errors[4096] = "";
    long before = sql_count("SELECT COUNT(*) FROM result_item");
    CHECK_INT(import("result-items", "data/result-items-example.csv", &rep, errors,
                     sizeof(errors)), 0);
    CHECK_INT(rep.refused, 0);
    CHECK(rep.records >= 10);
    /* CBC, ALT and FPG are in both lists (their names differ): 18 items, 15 new. */
    CHECK_INT(rep.applied, 18);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result_item"), before + 15);
    /* Put the test's own items back (the example renamed them in English). */
    const char *path = ts_path("items-back.csv");
    CHECK_INT(write_file(path, "code,name_zh,name_en,kind,unit,validity_days,scope\n"
                               "FPG,空腹血糖,fasting glucose,lab,mmol/L,7,region\n"
                               "ALT,丙氨酸氨基转移酶,ALT,lab,U/L,14,county_community\n"
                               "CBC,血常规,blood count,lab,,7,region\n"),
              0);
    CHECK_INT(import("result-items", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.refused, 0);
}

/* ------------------------------------------------------------------ result records */

TEST(result_refusals_name_their_field)
{
    CHECK(server() != NULL);
    long before = sql_count("SELECT COUNT(*) FROM result");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "NOPE", "TA", -1, ",\"value\":5.1"), "item");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "CT", "H1", -1, ",\"value\":5.1"), "value");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "FPG", "TA", -1,
                              ",\"value\":92,\"unit\":\"mg/dL\""), "unit");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "FPG", "TA", 1, ",\"value\":5.1"), "date");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "FPG", "NOPE", -1, ",\"value\":5.1"),
                  "facility");
    /* A lab item without a unit is a report; neither value nor report is nothing. */
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "CBC", "TA", -1, ",\"value\":5.1"), "value");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "FPG", "TA", -1, NULL), "value");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "CT", "H1", -1,
                              ",\"report\":\"normal\",\"unit\":\"HU\""), "unit");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "a b", "FPG", "TA", -1, ",\"value\":5.1"),
                  "external_id");
    CHECK_REFUSED(post_result(tok_fd_a, 1, "r-x", "FPG", "TA", -1, ",\"value\":\"5.1\""),
                  "value");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result"), before);
    /* The same with the right content is stored, with the catalogue's unit. */
    CHECK_INT(post_result(tok_fd_a, 1, "r-ok", "FPG", "TA", -1,
                          ",\"value\":5.1,\"unit\":\"mmol/L\",\"method\":\"GOD-POD\""), 201);
    CHECK_STR(json_string_value(json_object_get(R.json, "unit")), "mmol/L");
    CHECK_INT(post_result(tok_fd_a, 1, "r-ok2", "FPG", "TA", -2, ",\"value\":6.3"), 201);
    CHECK_STR(json_string_value(json_object_get(R.json, "unit")), "mmol/L");
    CHECK_INT(post_result(tok_fd_a, 1, "r-ct", "CT", "H1", -2, ",\"report\":\"no nodules\""),
              201);
    CHECK(json_is_null(json_object_get(R.json, "value")));
}

TEST(idempotent_on_external_id)
{
    CHECK(server() != NULL);
    CHECK_INT(post_result(tok_fd_a, 2, "lis-1", "FPG", "TA", -3, ",\"value\":7.2"), 201);
    int64_t id = jint(R.json, "id");
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_result'");
    CHECK_INT(post_result(tok_fd_a, 2, "lis-1", "FPG", "TA", -3, ",\"value\":7.2"), 200);
    CHECK_INT(jint(R.json, "id"), id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'record_result'"), audits);
    CHECK_INT(post_result(tok_fd_a, 2, "lis-1", "FPG", "TA", -3, ",\"value\":7.3"), 409);
    CHECK_STR(ts_err_field(&R), "external_id");
    CHECK_INT(jint(json_object_get(R.json, "error"), "existing_id"), id);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result WHERE external_id = 'lis-1'"), 1);
    /* With results recorded, the catalogue may not change the item's unit. */
    const char *path = ts_path("items-unit.csv");
    CHECK_INT(write_file(path, "code,name_zh,kind,unit,validity_days,scope\n"
                               "FPG,空腹血糖,lab,mg/dL,7,region\n"),
              0);
    struct imp_report rep;
    char errors[1024] = "";
    CHECK_INT(import("result-items", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.refused, 1);
    CHECK_CONTAINS(errors, "line 2: unit:");
}

/* ------------------------------------------------------------------ recognition */

TEST(recognition_by_validity_at_its_edge)
{
    CHECK(server() != NULL);
    /* FPG is valid 7 days: a result of day -20 is valid through day -14, not on day -13. */
    CHECK_INT(post_result(tok_fd_a, 3, "v-1", "FPG", "TA", -20, ",\"value\":5.5"), 201);
    int64_t id = jint(R.json, "id");
    CHECK_INT(recognised(tok_fd_a, 3, "FPG", "TA", -20), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(recognised(tok_fd_a, 3, "FPG", "TA", -14), 200);
    CHECK_INT(n_items(), 1);
    json_t *first = json_array_get(json_object_get(R.json, "items"), 0);
    CHECK_INT(jint(first, "id"), id);
    char until[DATE_STR_LEN];
    CHECK_STR(json_string_value(json_object_get(first, "valid_until")), day_text(-14, until));
    CHECK_INT(jint(json_object_get(R.json, "item"), "validity_days"), 7);
    CHECK_INT(recognised(tok_fd_a, 3, "FPG", "TA", -13), 200);
    CHECK_INT(n_items(), 0);
    /* Not before it was taken. */
    CHECK_INT(recognised(tok_fd_a, 3, "FPG", "TA", -21), 200);
    CHECK_INT(n_items(), 0);
    /* Two valid results: newest first. */
    CHECK_INT(post_result(tok_fd_a, 3, "v-2", "FPG", "TB", -17, ",\"value\":5.9"), 201);
    int64_t newer = jint(R.json, "id");
    CHECK_INT(recognised(tok_fd_a, 3, "FPG", "TA", -15), 200);
    CHECK_INT(n_items(), 2);
    CHECK_INT(jint(json_array_get(json_object_get(R.json, "items"), 0), "id"), newer);
    CHECK_INT(jint(json_array_get(json_object_get(R.json, "items"), 1), "id"), id);
    /* Unknown item or facility name their field. */
    CHECK_REFUSED(recognised(tok_fd_a, 3, "NOPE", "TA", 0), "item");
    CHECK_REFUSED(recognised(tok_fd_a, 3, "FPG", "NOPE", 0), "facility");
}

TEST(recognition_by_scope_at_its_edges)
{
    CHECK(server() != NULL);
    /* region (FPG): a result of TB, with which TA shares no group, is recognised at TA. */
    CHECK_INT(post_result(tok_fd_a, 2, "s-fpg", "FPG", "TB", -1, ",\"value\":5.0"), 201);
    CHECK_INT(recognised(tok_fd_a, 2, "FPG", "C1", 0), 200);
    CHECK_INT(n_items(), 2); /* lis-1 of day -3 at TA too */
    /* county_community (ALT): TA's result in its community (H1), at TA itself, not in the
     * other community (TB, H2), not at C1, which shares only a specialty alliance with H1. */
    CHECK_INT(post_result(tok_fd_a, 2, "s-alt", "ALT", "TA", -1, ",\"value\":32"), 201);
    CHECK_INT(recognised(tok_fd_a, 2, "ALT", "H1", 0), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(recognised(tok_fd_a, 2, "ALT", "TA", 0), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(recognised(tok_fd_a, 2, "ALT", "TB", 0), 200);
    CHECK_INT(n_items(), 0);
    CHECK_INT(recognised(tok_fd_a, 2, "ALT", "H2", 0), 200);
    CHECK_INT(n_items(), 0);
    CHECK_INT(post_result(tok_fd_a, 2, "s-alt-h1", "ALT", "H1", -1, ",\"value\":30"), 201);
    CHECK_INT(recognised(tok_fd_a, 2, "ALT", "C1", 0), 200);
    CHECK_INT(n_items(), 0);
    /* group (CT): H1's result at C1 through the specialty alliance (a group of another kind),
     * at TA through the county community, not at TB. */
    CHECK_INT(post_result(tok_fd_a, 2, "s-ct", "CT", "H1", -1, ",\"report\":\"clear\""), 201);
    CHECK_INT(recognised(tok_fd_a, 2, "CT", "C1", 0), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(recognised(tok_fd_a, 2, "CT", "TA", 0), 200);
    CHECK_INT(n_items(), 1);
    CHECK_INT(recognised(tok_fd_a, 2, "CT", "TB", 0), 200);
    CHECK_INT(n_items(), 0);
    /* An ECG (county_community) of TB is not recognised at TA. */
    CHECK_INT(post_result(tok_fd_a, 2, "s-ecg", "ECG", "TB", -1, ",\"report\":\"sinus\""), 201);
    CHECK_INT(recognised(tok_fd_a, 2, "ECG", "TA", 0), 200);
    CHECK_INT(n_items(), 0);
}

TEST(a_use_is_recorded_once_and_refused_when_not_recognised)
{
    CHECK(server() != NULL);
    long audits = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'use_recognised_result'");
    /* ALT of TA used at H1 (the same community): a repeat avoided. */
    CHECK_INT(post_use(tok_fd_a, 2, result_id("s-alt"), "H1"), 201);
    int64_t use = jint(R.json, "id");
    CHECK(use > 0);
    /* Asked again the same day: the same use, counted once. */
    CHECK_INT(post_use(tok_fd_a, 2, result_id("s-alt"), "H1"), 200);
    CHECK_INT(jint(R.json, "id"), use);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'use_recognised_result'"),
              audits + 1);
    /* Not recognised in the other community, nor by the alliance for a community item. */
    CHECK_REFUSED(post_use(tok_fd_a, 2, result_id("s-alt"), "TB"), "facility");
    CHECK_REFUSED(post_use(tok_fd_a, 2, result_id("s-alt-h1"), "C1"), "facility");
    /* CT of H1 at C1 and FPG of TB at C1: recognised. */
    CHECK_INT(post_use(tok_fd_a, 2, result_id("s-ct"), "C1"), 201);
    CHECK_INT(post_use(tok_fd_a, 2, result_id("s-fpg"), "C1"), 201);
    CHECK_INT(post_use(tok_fd_a, 2, result_id("s-fpg"), "TA"), 201);
    /* No longer valid: FPG of day -7 today (valid through day -1); day -6 is still valid. */
    CHECK_INT(post_result(tok_fd_a, 1, "u-old", "FPG", "TA", -7, ",\"value\":5.3"), 201);
    CHECK_REFUSED(post_use(tok_fd_a, 1, result_id("u-old"), "TA"), "result_id");
    CHECK_INT(post_result(tok_fd_a, 1, "u-edge", "FPG", "TA", -6, ",\"value\":5.4"), 201);
    CHECK_INT(post_use(tok_fd_a, 1, result_id("u-edge"), "TA"), 201);
    /* Another resident's result, an unknown one, an unknown facility. */
    CHECK_INT(post_use(tok_fd_a, 1, result_id("s-alt"), "H1"), 404);
    CHECK_INT(post_use(tok_fd_a, 1, 999999, "H1"), 404);
    CHECK_REFUSED(post_use(tok_fd_a, 1, result_id("u-edge"), "NOPE"), "facility");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result_usage"), 5);
}

/* ------------------------------------------------------------------ scope */

TEST(scope_of_doctors_and_analyst)
{
    CHECK(server() != NULL);
    /* Team B's doctor does not see team A's resident: 404, as if absent. */
    CHECK_INT(post_result(tok_fd_b, 1, "sc-1", "FPG", "TA", -1, ",\"value\":5.0"), 404);
    CHECK_INT(req("GET", "/api/residents/1/results", tok_fd_b, NULL), 404);
    CHECK_INT(recognised(tok_fd_b, 1, "FPG", "TA", 0), 404);
    CHECK_INT(post_use(tok_fd_b, 1, result_id("u-edge"), "TA"), 404);
    CHECK_INT(post_result(tok_fd_b, 4, "sc-4", "FPG", "TA", -1, ",\"value\":5.0"), 201);
    CHECK_INT(recognised(tok_fd_b, 4, "FPG", "TA", 0), 200);
    CHECK_INT(n_items(), 1);
    /* The analyst never sees a person, but reads the figures. */
    CHECK_INT(post_result(tok_analyst, 1, "sc-2", "FPG", "TA", -1, ",\"value\":5.0"), 403);
    CHECK_INT(req("GET", "/api/residents/1/results", tok_analyst, NULL), 403);
    CHECK_INT(recognised(tok_analyst, 1, "FPG", "TA", 0), 403);
    CHECK_INT(post_use(tok_analyst, 1, result_id("u-edge"), "TA"), 403);
    CHECK_INT(req("GET", "/api/results/recognition-stats", tok_analyst, NULL), 200);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result WHERE external_id IN ('sc-1', 'sc-2')"),
              0);
}

TEST(a_residents_results_are_paged_and_audited)
{
    CHECK(server() != NULL);
    struct yl_err err = {0};
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    long reads = sql_count("SELECT COUNT(*) FROM audit WHERE action = 'read_results'");
    long total = sql_count("SELECT COUNT(*) FROM result WHERE resident_id = 2");
    CHECK(total > 3);
    CHECK_INT(req("GET", "/api/residents/2/results?limit=3", tok_fd_a, NULL), 200);
    CHECK_INT(n_items(), 3);
    const char *next = json_string_value(json_object_get(R.json, "next"));
    CHECK(next != NULL);
    char path[160];
    snprintf(path, sizeof(path), "/api/residents/2/results?cursor=%s", next);
    CHECK_INT(req("GET", path, tok_fd_a, NULL), 200);
    CHECK_INT(n_items(), total - 3);
    CHECK(json_is_null(json_object_get(R.json, "next")));
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'read_results'"), reads + 2);
}

/* ------------------------------------------------------------------ imports */

TEST(results_import_csv_good_bad_and_rerun)
{
    CHECK(server() != NULL);
    char text[4096], d1[DATE_STR_LEN], future[DATE_STR_LEN];
    day_text(-5, d1);
    day_text(2, future);
    snprintf(text, sizeof(text),
             "external_id,id_number,item,date,facility,value,unit,report,method\n"
             "csv-1,%1$s,FPG,%2$s,H1,6.1,mmol/L,,hexokinase\n"
             "csv-2,%1$s,CT,%2$s,H1,,,\"2 mm nodule, right upper lobe\",\n"
             "csv-3,%1$s,CBC,%2$s,TA,,,WBC 6.2 HGB 135,\n"
             "csv-4,%1$s,XRAY,%2$s,TA,,,clear,\n"                 /* line 5 */
             "csv-5,%1$s,CT,%2$s,H1,12,,,\n"                      /* line 6 */
             "csv-6,%1$s,FPG,%2$s,H1,110,mg/dL,,\n"               /* line 7 */
             "csv-7,%1$s,FPG,%3$s,H1,5.0,,,\n"                    /* line 8 */
             "csv-8,%1$s,FPG,%2$s,H9,5.0,,,\n"                    /* line 9 */
             "csv-9,%1$s,FPG,%2$s,H1,abc,,,\n"                    /* line 10 */
             "csv-10,110105194912310021,FPG,%2$s,H1,5.0,,,\n",    /* line 11 */
             idno[3], d1, future);
    const char *path = ts_path("results.csv");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[4096] = "";
    CHECK_INT(import("results", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.records, 10);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 7);
    CHECK_CONTAINS(errors, "line 5: item:");
    CHECK_CONTAINS(errors, "line 6: value:");
    CHECK_CONTAINS(errors, "line 7: unit:");
    CHECK_CONTAINS(errors, "line 8: date:");
    CHECK_CONTAINS(errors, "line 9: facility:");
    CHECK_CONTAINS(errors, "line 10: value:");
    CHECK_CONTAINS(errors, "line 11: id_number:");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result WHERE external_id = 'csv-2'"
                        " AND report = '2 mm nodule, right upper lobe' AND value IS NULL"), 1);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result WHERE external_id = 'csv-1'"
                        " AND unit = 'mmol/L' AND method = 'hexokinase'"), 1);
    CHECK_INT(import("results", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 3);
    CHECK_INT(rep.refused, 7);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result WHERE external_id LIKE 'csv-%'"), 3);
}

TEST(results_import_ndjson)
{
    CHECK(server() != NULL);
    char text[2048], d1[DATE_STR_LEN];
    day_text(-4, d1);
    snprintf(text, sizeof(text),
             "{\"external_id\":\"nd-1\",\"id_number\":\"%1$s\",\"item\":\"ALT\","
             "\"date\":\"%2$s\",\"facility\":\"H2\",\"value\":41,\"unit\":\"U/L\"}\n"
             "{\"external_id\":\"nd-2\",\"id_number\":\"%1$s\",\"item\":\"ECG\","
             "\"date\":\"%2$s\",\"facility\":\"H2\",\"value\":72}\n",
             idno[4], d1);
    const char *path = ts_path("results.ndjson");
    CHECK_INT(write_file(path, text), 0);
    struct imp_report rep;
    char errors[2048] = "";
    CHECK_INT(import("results", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 1);
    CHECK_INT(rep.refused, 1);
    CHECK_CONTAINS(errors, "line 2: value:");
    CHECK_INT(sql_count("SELECT COUNT(*) FROM result WHERE external_id = 'nd-1'"
                        " AND value = 41"), 1);
    CHECK_INT(import("results", path, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 1);
}

/* ------------------------------------------------------------------ figures */

static json_t *stat_row(const char *list, const char *key, const char *code)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(R.json, list), i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, key)), code) == 0)
            return x;
    }
    return NULL;
}

TEST(figures_counted_by_hand)
{
    CHECK(server() != NULL);
    /* The uses so far, all today: s-alt at H1, s-ct at C1, s-fpg at C1 and at TA, u-edge at
     * TA. By facility: C1 2, H1 1, TA 2. By item: ALT 1, CT 1, FPG 3 (2 results). */
    CHECK_INT(req("GET", "/api/results/recognition-stats", tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "uses"), 5);
    CHECK_INT(jint(R.json, "repeats_avoided"), 5);
    CHECK_INT(jint(R.json, "results_used"), 4);
    CHECK_INT(json_array_size(json_object_get(R.json, "by_facility")), 3);
    CHECK_INT(jint(stat_row("by_facility", "facility", "C1"), "uses"), 2);
    CHECK_INT(jint(stat_row("by_facility", "facility", "H1"), "uses"), 1);
    CHECK_INT(jint(stat_row("by_facility", "facility", "TA"), "uses"), 2);
    CHECK_INT(jint(stat_row("by_item", "item", "ALT"), "uses"), 1);
    CHECK_INT(jint(stat_row("by_item", "item", "CT"), "uses"), 1);
    CHECK_INT(jint(stat_row("by_item", "item", "FPG"), "uses"), 3);
    CHECK_INT(jint(stat_row("by_item", "item", "FPG"), "results"), 2);
    /* A range that ends yesterday holds none; one of today all. */
    char path[160], d1[DATE_STR_LEN], d2[DATE_STR_LEN];
    snprintf(path, sizeof(path), "/api/results/recognition-stats?from=%s&to=%s",
             day_text(-30, d1), day_text(-1, d2));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "uses"), 0);
    CHECK_INT(json_array_size(json_object_get(R.json, "by_item")), 0);
    snprintf(path, sizeof(path), "/api/results/recognition-stats?from=%s&to=%s",
             day_text(0, d1), day_text(0, d2));
    CHECK_INT(req("GET", path, tok_admin, NULL), 200);
    CHECK_INT(jint(R.json, "uses"), 5);
    snprintf(path, sizeof(path), "/api/results/recognition-stats?from=%s&to=%s",
             day_text(0, d1), day_text(-1, d2));
    CHECK_REFUSED(req("GET", path, tok_admin, NULL), "to");
    CHECK_INT(req("GET", "/api/results/recognition-stats", NULL, NULL), 401);
}

TEST_MAIN()
