/*
 * test_detection.c - the detectors over stored series raise alerts (alerts/detection.h):
 * a class A case through an import is red at once; two channels rising in one township are
 * corroborated; a signal alone stays a signal; re-running raises nothing twice; an import
 * of old history is not news but an explicit run over those days judges them; a case
 * reported through the API is judged at once.
 *
 * The region: county 222404 with township A (222404001, village 222404001001) and township
 * B (222404002) 100 km away, so the adjacency rule never joins them. The catalog, the
 * parameters and the alert rules are the shipped files.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "alerts/detection.h"
#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "importer/importer.h"
#include "support.h"
#include "surveil/surveil.h"
#include "test.h"

static struct ts_server srv;
static bool srv_up;
static struct surv_catalog *cat;
static struct surv_rules *rules;
static struct ts_response R;
static char tok_admin[ACCT_TOKEN_HEX];
static const struct audit_actor actor = {0, "test", "admin", "test"};

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    surv_rules_free(rules);
    surv_catalog_free(cat);
}

static struct ts_server *server(void)
{
    static int state;
    if (state != 0)
        return state > 0 ? &srv : NULL;
    state = -1;
    struct yl_err err = {0};
    if (cli_surveil_catalog(NULL, &cat, &err) != 0 || cli_alert_rules_load(NULL, &rules, &err) != 0) {
        fprintf(stderr, "    %s\n", yl_err_message(&err));
        return NULL;
    }
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return NULL;
    srv_up = true;
    atexit(stop_srv);
    if (ts_sql(srv.db,
               "INSERT INTO ou (id, code, name, level, parent_id, lat, lon, updated_at) VALUES"
               " (1, '22', 'Jilin', 1, NULL, NULL, NULL, 'x'),"
               " (2, '2224', 'Yanbian', 2, 1, NULL, NULL, 'x'),"
               " (3, '222404', 'Hunchun', 3, 2, 42.87, 130.36, 'x'),"
               " (4, '222404001', 'Township A', 4, 3, 42.90, 130.30, 'x'),"
               " (5, '222404001001', 'Village A1', 5, 4, 42.91, 130.31, 'x'),"
               " (6, '222404002', 'Township B', 4, 3, 43.80, 130.30, 'x');"
               "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
               " (1, 'H1', 'County hospital', 'county_hospital', 3, 'active', 'x');") != 0)
        return NULL;
    /* The API judges what it is sent, as the server does. */
    srv.app.surveil = cat;
    srv.app.alert_rules = rules;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200)
        return NULL;
    state = 1;
    return &srv;
}

static long count(const char *sql)
{
    return ts_sql_count(srv.db, sql);
}

/* Import `text` as kind into the server's store through the CLI's path (with detection). */
static int import_text(const char *kind, const char *name, const char *text)
{
    const char *path = ts_path(name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    fclose(f);
    struct imp_report rep = {0};
    struct yl_err err = {0};
    int rc = cli_import_file(srv.store, kind, path, &rep, &err);
    if (rc != 0 || rep.refused != 0)
        fprintf(stderr, "    import %s: rc %d, %ld refused: %s\n", name, rc, rep.refused,
                yl_err_message(&err));
    return rc != 0 ? rc : (int)rep.refused;
}

static char *day_text(int offset, char out[DATE_STR_LEN])
{
    return date_format(date_add_days(date_today(), offset), out);
}

/* A case card for village A1 with onset `offset` days from today. */
static void case_row(char *out, size_t n, const char *id, const char *disease, int offset)
{
    char onset[DATE_STR_LEN], diag[DATE_STR_LEN];
    day_text(offset, onset);
    day_text(offset + 1, diag);
    snprintf(out, n, "%s,%s,confirmed,%s,%sT01:00:00Z,%sT02:00:00Z,H1,,30,1,222404001001\n", id,
             disease, onset, diag, diag);
}

static const char *const case_header =
    "external_id,disease,classification,onset_date,diagnosed_at,reported_at,facility,"
    "id_number,age_years,sex,ou\n";

TEST(class_a_case_is_red_at_once_and_only_once)
{
    CHECK(server() != NULL);
    char text[1024], row[256];
    case_row(row, sizeof(row), "C-1", "cholera", -3);
    snprintf(text, sizeof(text), "%s%s", case_header, row);
    CHECK_INT(import_text("cases", "cholera.csv", text), 0);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal WHERE kind = 'disease' AND code = 'cholera'"
                    " AND ou = '222404001' AND method = 'threshold'"),
              1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE level = 3 AND ou = '222404001'"
                    " AND code = 'cholera' AND state = 'open'"),
              1);
    /* The same file again, and the nightly run over the same days: nothing new. */
    long signals = count("SELECT COUNT(*) FROM surv_signal");
    long alerts = count("SELECT COUNT(*) FROM surv_alert");
    CHECK_INT(import_text("cases", "cholera.csv", text), 0);
    struct surv_detect_env env = {cat, rules, &actor, (int64_t)time(NULL), date_today()};
    struct surv_detect_result r;
    struct yl_err err = {0};
    CHECK_INT(surv_detect_all(srv.store, &env, date_add_days(date_today(), -7), date_today(),
                              &r, &err),
              0);
    CHECK(r.series >= 1);
    CHECK(r.alarms >= 1);
    CHECK_INT(r.ingest.new_signals, 0);
    CHECK_INT(r.ingest.new_alerts, 0);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal"), signals);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert"), alerts);
    CHECK(surv_detect_class_a(cat, "cholera"));
    CHECK(surv_detect_class_a(cat, "sars"));          /* managed as class A */
    CHECK(!surv_detect_class_a(cat, "measles"));
    CHECK(!surv_detect_class_a(cat, "no-such-disease"));
}

/* 40 days of a flat channel (9, 10, 11 …) with a spike of 40 twenty days ago (three weeks
 * before the cholera case of the test above, so it corroborates nothing here), as CSV rows. */
static size_t channel_rows(char *out, size_t n, const char *ou, const char *channel, bool spike)
{
    size_t used = 0;
    for (int d = -50; d <= -1; d++) {
        char day[DATE_STR_LEN];
        int value = d == -20 && spike ? 40 : 9 + (d + 40) % 3;
        used += (size_t)snprintf(out + used, n - used, "%s,%s,%s,%d\n", day_text(d, day), ou,
                                 channel, value);
    }
    return used;
}

TEST(two_channels_in_one_township_are_corroborated)
{
    CHECK(server() != NULL);
    static char text[16384];
    size_t used = (size_t)snprintf(text, sizeof(text), "date,ou,channel,value\n");
    used += channel_rows(text + used, sizeof(text) - used, "222404001", "fever_clinic", true);
    used += channel_rows(text + used, sizeof(text) - used, "222404001", "diarrhea_clinic", true);
    /* Township B: fever alone rises; an uncorroborated signal stays a signal. */
    used += channel_rows(text + used, sizeof(text) - used, "222404002", "fever_clinic", true);
    channel_rows(text + used, sizeof(text) - used, "222404002", "diarrhea_clinic", false);
    CHECK_INT(import_text("syndromic", "channels.csv", text), 0);
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM surv_signal WHERE kind = 'channel'"
             " AND ou = '222404001' AND day = %d", date_add_days(date_today(), -20));
    CHECK_INT(count(sql), 2);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM surv_signal WHERE kind = 'channel'"
             " AND ou = '222404002' AND code = 'fever_clinic' AND day = %d",
             date_add_days(date_today(), -20));
    CHECK_INT(count(sql), 1);
    /* The flat days raise nothing: only the spike. */
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal WHERE kind = 'channel'"), 3);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE ou = '222404001' AND code = ''"
                    " AND level = 1 AND rule = 'two-channels'"),
              1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE ou = '222404002'"), 0);
}

TEST(old_history_is_judged_only_when_asked)
{
    CHECK(server() != NULL);
    char text[1024], row[256];
    case_row(row, sizeof(row), "C-OLD", "plague", -200);
    snprintf(text, sizeof(text), "%s%s", case_header, row);
    CHECK_INT(import_text("cases", "old.csv", text), 0);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal WHERE code = 'plague'"), 0);
    /* `yilian surveil run --from --to` over those days judges them. */
    struct surv_detect_env env = {cat, rules, &actor, (int64_t)time(NULL), date_today()};
    struct surv_detect_result r;
    struct yl_err err = {0};
    CHECK_INT(surv_detect_all(srv.store, &env, date_add_days(date_today(), -210),
                              date_add_days(date_today(), -190), &r, &err),
              0);
    CHECK_INT(r.ingest.new_signals, 1);
    CHECK_INT(r.ingest.new_alerts, 1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE code = 'plague' AND level = 3"), 1);
    /* A target that names nothing of the catalog is refused. */
    struct surv_detect_target bad = {.code = "influenza-z", .ou = "222404001",
                                     .from = date_today(), .to = date_today()};
    CHECK_INT(surv_detect_targets(srv.store, &env, &bad, 1, &r, &err), YL_EINVAL);
}

TEST(a_case_sent_to_the_api_is_judged_at_once)
{
    CHECK(server() != NULL);
    char onset[DATE_STR_LEN], diag[DATE_STR_LEN], body[512];
    day_text(-2, onset);
    day_text(-1, diag);
    snprintf(body, sizeof(body),
             "{\"external_id\":\"API-1\",\"disease\":\"cholera\",\"classification\":\"confirmed\","
             "\"onset_date\":\"%s\",\"diagnosed_at\":\"%sT00:10:00Z\","
             "\"reported_at\":\"%sT00:20:00Z\",\"facility\":\"H1\",\"ou\":\"222404002\","
             "\"age_years\":40,\"sex\":2}",
             onset, diag, diag);
    ts_response_free(&R);
    CHECK_INT(ts_request(srv.port, "POST", "/api/cases", tok_admin, NULL, body, strlen(body), &R),
              0);
    if (R.status != 201)
        fprintf(stderr, "    %s\n", R.body);
    CHECK_INT(R.status, 201);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE ou = '222404002' AND level = 3"
                    " AND code = 'cholera'"),
              1);
}

/* A year of hepatitis A scattered over twelve villages, then eight cases in one village in
 * three days: the nightly run's scan finds that village and the village-cluster rule (five
 * cases or more) raises an orange alert there; the scattered year raises no cluster. */
TEST(the_scan_finds_a_village_cluster)
{
    CHECK(server() != NULL);
    static char text[65536];
    char sql[4096];
    size_t used = 0;
    /* Villages 222404002001..012 on a 4 x 3 grid about 5 km apart. */
    used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                             "INSERT INTO ou (id, code, name, level, parent_id, lat, lon,"
                             " updated_at) VALUES ");
    for (int i = 0; i < 12; i++)
        used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                                 "%s(%d, '2224040020%02d', 'Village B%d', 5, 6, %.3f, %.3f, 'x')",
                                 i ? ", " : "", 100 + i, i + 1, i + 1, 43.80 + 0.045 * (i / 4),
                                 130.30 + 0.06 * (i % 4));
    CHECK_INT(ts_sql(srv.db, sql), 0);
    used = (size_t)snprintf(text, sizeof(text), "%s", case_header);
    int id = 0;
    for (int d = -360; d <= -10; d += 3) {
        char onset[DATE_STR_LEN], diag[DATE_STR_LEN];
        day_text(d, onset);
        day_text(d + 1, diag);
        used += (size_t)snprintf(text + used, sizeof(text) - used,
                                 "HA-%d,hepatitis_a,confirmed,%s,%sT01:00:00Z,%sT02:00:00Z,H1,,"
                                 "30,1,2224040020%02d\n",
                                 ++id, onset, diag, diag, (d / 3 % 12 + 12) % 12 + 1);
    }
    for (int k = 0; k < 8; k++) {
        char onset[DATE_STR_LEN], diag[DATE_STR_LEN];
        day_text(-4 + k % 3, onset);
        day_text(-3 + k % 3, diag);
        used += (size_t)snprintf(text + used, sizeof(text) - used,
                                 "HA-%d,hepatitis_a,confirmed,%s,%sT01:00:00Z,%sT02:00:00Z,H1,,"
                                 "8,2,222404002007\n",
                                 ++id, onset, diag, diag);
    }
    CHECK_INT(import_text("cases", "hepatitis_a.csv", text), 0);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal WHERE kind = 'cluster'"), 0);
    struct surv_detect_env env = {cat, rules, &actor, (int64_t)time(NULL), date_today()};
    struct surv_detect_result r;
    struct yl_err err = {0};
    CHECK_INT(surv_detect_all(srv.store, &env, date_add_days(date_today(), -7),
                              date_add_days(date_today(), -1), &r, &err),
              0);
    CHECK(r.clusters_scanned >= 1);
    CHECK(r.clusters >= 1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal WHERE kind = 'cluster'"
                    " AND code = 'hepatitis_a' AND ou = '222404002007' AND method = 'scan'"
                    " AND count >= 8 AND place_kind = 'village' AND place = 'Village B7'"),
              1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE rule = 'village-cluster'"
                    " AND level = 2 AND code = 'hepatitis_a'"),
              1);
    /* The scan is seeded: running the night again finds the same cluster, raises nothing. */
    long alerts = count("SELECT COUNT(*) FROM surv_alert");
    CHECK_INT(surv_detect_all(srv.store, &env, date_add_days(date_today(), -7),
                              date_add_days(date_today(), -1), &r, &err),
              0);
    CHECK_INT(r.ingest.new_signals, 0);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert"), alerts);
}

/* Five pupils of one kindergarten with hand, foot and mouth disease in five days: a school
 * cluster the school-cluster rule (five cases) raises; four of another school do not. */
TEST(cases_of_one_school_are_a_cluster)
{
    CHECK(server() != NULL);
    static char text[8192];
    size_t used = (size_t)snprintf(text, sizeof(text), "%s", case_header);
    used -= 1;  /* the header's line break: the school column follows */
    used += (size_t)snprintf(text + used, sizeof(text) - used, ",school\n");
    int id = 0;
    for (int k = 0; k < 9; k++) {
        char onset[DATE_STR_LEN], diag[DATE_STR_LEN];
        day_text(-7 + k % 5, onset);
        day_text(-6 + k % 5, diag);
        used += (size_t)snprintf(text + used, sizeof(text) - used,
                                 "SC-%d,hfmd,clinical,%s,%sT01:00:00Z,%sT02:00:00Z,H1,,4,1,"
                                 "222404002003,%s\n",
                                 ++id, onset, diag, diag,
                                 k < 5 ? "东风幼儿园" : "春化小学");
    }
    CHECK_INT(import_text("cases", "school.csv", text), 0);
    CHECK_INT(count("SELECT COUNT(*) FROM case_report WHERE school = '东风幼儿园'"), 5);
    CHECK(count("SELECT COUNT(*) FROM surv_signal WHERE kind = 'cluster' AND method = 'school'"
                " AND place = '东风幼儿园' AND code = 'hfmd' AND ou = '222404002'") >= 1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_signal WHERE kind = 'cluster' AND method = 'school'"
                    " AND place = '东风幼儿园' AND count = 5"),
              1);
    CHECK_INT(count("SELECT COUNT(*) FROM surv_alert WHERE rule = 'school-cluster' AND level = 2"
                    " AND code = 'hfmd'"),
              1);
    /* Four cases of the other school: signals, no school alert for them. */
    CHECK_INT(count("SELECT MAX(count) FROM surv_signal WHERE place = '春化小学'"), 4);
    /* The card keeps its school; a name past the limit is refused on "school". */
    char body[1024], onset[DATE_STR_LEN], diag[DATE_STR_LEN], longname[200];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    day_text(-3, onset);
    day_text(-2, diag);
    snprintf(body, sizeof(body),
             "{\"external_id\":\"SC-LONG\",\"disease\":\"hfmd\",\"classification\":\"clinical\","
             "\"onset_date\":\"%s\",\"diagnosed_at\":\"%sT01:00:00Z\","
             "\"reported_at\":\"%sT02:00:00Z\",\"facility\":\"H1\",\"ou\":\"222404002003\","
             "\"school\":\"%s\"}",
             onset, diag, diag, longname);
    ts_response_free(&R);
    CHECK_INT(ts_request(srv.port, "POST", "/api/cases", tok_admin, NULL, body, strlen(body), &R),
              0);
    CHECK_INT(R.status, 400);
    CHECK_STR(ts_err_field(&R), "school");
}

TEST_MAIN()
