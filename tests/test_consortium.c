/*
 * test_consortium.c - the medical-consortium indicators (issue 5): visits and discharges by
 * facility level, the grassroots visit share and the referral figures per medical group,
 * each checked against a value worked out by hand on the tiny region below; a township's
 * subtree, a quarter, an empty period, a bad period, who may read them.
 *
 * The region is written straight into the migrated database. Tests share one server.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consortium/consortium.h"
#include "core/date.h"
#include "core/idno.h"
#include "referral/referral.h"
#include "support.h"
#include "test.h"

static struct ts_server srv;
static bool srv_up;
static char tok_admin[ACCT_TOKEN_HEX], tok_analyst[ACCT_TOKEN_HEX];
static char tok_analyst_b[ACCT_TOKEN_HEX], tok_village[ACCT_TOKEN_HEX];
static char tok_fa_ta[ACCT_TOKEN_HEX], tok_fd_ta[ACCT_TOKEN_HEX];
static struct ts_response R;

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    srv_up = false;
}

/*
 * County 222404 with townships A (222404001) and B (222404002). Facilities: TA township
 * center, VA village clinic, CA community station (township A); TB township center
 * (township B); H1 county hospital, S1 secondary, T1 tertiary, M1 MCH hospital ("other")
 * in the county. G1 = TA VA H1 TB, G2 = CA S1 T1. Team 1 at TA receives down-referrals.
 */
static const char region_sql[] =
    "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
    " (1, '22', 'Jilin', 1, NULL, 'x'), (2, '2224', 'Yanbian', 2, 1, 'x'),"
    " (3, '222404', 'Hunchun', 3, 2, 'x'), (4, '222404001', 'Township A', 4, 3, 'x'),"
    " (5, '222404002', 'Township B', 4, 3, 'x'),"
    " (6, '222404001001', 'Village A1', 5, 4, 'x');"
    "INSERT INTO facility (id, code, name, type, ou_id, updated_at) VALUES"
    " (1, 'TA', 'TA', 'township_center', 4, 'x'), (2, 'VA', 'VA', 'village_clinic', 4, 'x'),"
    " (3, 'CA', 'CA', 'community_station', 4, 'x'), (4, 'H1', 'H1', 'county_hospital', 3, 'x'),"
    " (5, 'S1', 'S1', 'secondary_hospital', 3, 'x'), (6, 'T1', 'T1', 'tertiary_hospital', 3, 'x'),"
    " (7, 'M1', 'M1', 'mch_hospital', 3, 'x'), (8, 'TB', 'TB', 'township_center', 5, 'x');"
    "INSERT INTO medical_group (id, code, name, kind, lead_facility_id, updated_at) VALUES"
    " (1, 'G1', 'County community', 'county_community', 4, 'x'),"
    " (2, 'G2', 'Urban group', 'urban_group', 6, 'x');"
    "INSERT INTO medical_group_member (group_id, facility_id, kind) VALUES"
    " (1, 1, 'county_community'), (1, 2, 'county_community'), (1, 4, 'county_community'),"
    " (1, 8, 'county_community'), (2, 3, 'urban_group'), (2, 5, 'urban_group'),"
    " (2, 6, 'urban_group');"
    "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
    " (1, 'TA-1', 'Team A', 1, 'active', 'x');";

/* Registrations (one visit each) and their encounters: id, resident, facility, day, and
 * the encounters' types with admission and discharge for inpatients. */
static const struct {
    int id, resident, facility;
    const char *day;
    const char *types[2];
    const char *discharge; /* of the inpatient encounter */
} visits[] = {
    {1, 1, 1, "2024-02-10", {"outpatient", "outpatient"}, NULL}, /* 2 departments, 1 visit */
    {2, 2, 2, "2024-02-11", {"outpatient", NULL}, NULL},
    {3, 3, 3, "2024-05-03", {"emergency", NULL}, NULL},          /* Q2 */
    {4, 1, 4, "2024-02-20", {"outpatient", NULL}, NULL},
    {5, 2, 5, "2024-03-01", {"emergency", NULL}, NULL},
    {6, 3, 6, "2024-03-15", {"outpatient", "inpatient"}, "2024-03-20"},
    {7, 1, 7, "2024-01-05", {"outpatient", NULL}, NULL},
    {8, 2, 8, "2024-02-12", {"outpatient", NULL}, NULL},         /* township B */
    {9, 3, 4, "2023-12-28", {"inpatient", NULL}, "2024-01-03"},  /* discharge only */
    {10, 1, 1, "2023-11-11", {"outpatient", NULL}, NULL},        /* before 2024 */
    {11, 2, 4, "2024-03-30", {"inpatient", NULL}, "2024-04-02"}, /* discharge in Q2 */
    {12, 3, 8, "2024-03-02", {"inpatient", NULL}, "2024-03-05"}, /* township B */
};

/* Referrals with hand-set times ("" = not reached). Minutes to accept in the comment. */
static const struct {
    int id;
    const char *direction;
    int from, to;
    const char *urgency, *status, *requested, *due, *accepted, *rejected, *cancelled;
} referrals[] = {
    {1, "up", 1, 4, "routine", "completed", "2024-02-01T08:00:00Z", "2024-02-04T08:00:00Z",
     "2024-02-01T09:00:00Z", "", ""},                                   /* 60 */
    {2, "up", 2, 4, "critical", "accepted", "2024-02-02T10:00:00Z", "2024-02-02T12:00:00Z",
     "2024-02-02T12:00:00Z", "", ""},                                   /* 120, at the limit */
    {3, "up", 1, 6, "critical", "arrived", "2024-02-03T00:00:00Z", "2024-02-03T02:00:00Z",
     "2024-02-03T03:00:00Z", "", ""},                                   /* 180, late */
    {4, "up", 1, 4, "urgent", "rejected", "2024-03-04T00:00:00Z", "2024-03-05T00:00:00Z", "",
     "2024-03-04T05:00:00Z", ""},
    {5, "down", 4, 1, "routine", "completed", "2024-03-10T06:00:00Z", "2024-03-13T06:00:00Z",
     "2024-03-10T06:30:00Z", "", ""},                                   /* 30 */
    {6, "up", 3, 6, "critical", "requested", "2024-05-01T00:00:00Z", "2024-05-01T02:00:00Z",
     "", "", ""},
    {7, "up", 8, 4, "routine", "accepted", "2024-02-05T00:00:00Z", "2024-02-08T00:00:00Z",
     "2024-02-05T10:00:00Z", "", ""},                                   /* 600, township B */
    {8, "up", 1, 4, "routine", "accepted", "2023-12-31T23:00:00Z", "2024-01-03T23:00:00Z",
     "2024-01-01T01:00:00Z", "", ""},                                   /* requested in 2023 */
    {9, "up", 2, 4, "routine", "cancelled", "2024-03-31T23:59:59Z", "2024-04-03T23:59:59Z",
     "", "", "2024-04-01T08:00:00Z"},                                   /* undecided, Q1 */
    {10, "up", 3, 5, "routine", "accepted", "2024-06-01T00:00:00Z", "2024-06-04T00:00:00Z",
     "2024-06-01T04:00:00Z", "", ""},                                   /* 240 */
};

static const char *sql_time(const char *t, char *out, size_t n)
{
    if (t[0] == '\0')
        snprintf(out, n, "NULL");
    else
        snprintf(out, n, "'%s'", t);
    return out;
}

static int fixtures(void)
{
    char text[2048];
    if (ts_sql(srv.db, region_sql) != 0)
        return -1;
    for (int id = 1; id <= 3; id++) {
        char b[DATE_STR_LEN], number[IDNO_LEN + 1];
        int32_t birth = date_from_ymd(1960 + id, 3, 1);
        ts_idno(number, birth, 100 + 2 * id + 1);
        snprintf(text, sizeof(text),
                 "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                 " record_date, status, updated_at) VALUES (%d, '%s', 'Resident %d', 1,"
                 " '%s', 4, '%s', 'active', 'x');",
                 id, number, id, date_format(birth, b), b);
        if (ts_sql(srv.db, text) != 0)
            return -1;
    }
    /* Remote requests from TA (group G1) in 2024: a consultation reported after a quick
     * acceptance (5 minutes: it must not pull the referrals' median) and a critical reading
     * still waiting past its due time (it must not count as a critical referral). */
    if (ts_sql(srv.db,
               "INSERT INTO referral (id, external_id, kind, direction, resident_id,"
               " from_facility_id, to_facility_id, urgency, status, report, requested_at, due_at,"
               " accepted_at, completed_at) VALUES"
               " (11, 'REM-11', 'consultation', 'up', 1, 1, 4, 'critical', 'completed',"
               " 'continue metformin', '2024-07-01T00:00:00Z', '2024-07-01T02:00:00Z',"
               " '2024-07-01T00:05:00Z', '2024-07-01T01:00:00Z'),"
               " (12, 'REM-12', 'imaging', 'up', 1, 1, 4, 'critical', 'requested', '',"
               " '2024-07-02T00:00:00Z', '2024-07-02T02:00:00Z', NULL, NULL);") != 0)
        return -1;
    int enc = 0;
    for (size_t i = 0; i < sizeof(visits) / sizeof(visits[0]); i++) {
        snprintf(text, sizeof(text),
                 "INSERT INTO registration (id, external_id, resident_id, facility_id,"
                 " visit_date, created_at) VALUES (%d, 'REG-%d', %d, %d, '%s', 'x');",
                 visits[i].id, visits[i].id, visits[i].resident, visits[i].facility,
                 visits[i].day);
        if (ts_sql(srv.db, text) != 0)
            return -1;
        for (int k = 0; k < 2 && visits[i].types[k] != NULL; k++) {
            bool in = strcmp(visits[i].types[k], "inpatient") == 0;
            char adm[16], dis[16];
            snprintf(adm, sizeof(adm), in ? "'%s'" : "NULL", visits[i].day);
            snprintf(dis, sizeof(dis), in ? "'%s'" : "NULL", in ? visits[i].discharge : "");
            enc++;
            snprintf(text, sizeof(text),
                     "INSERT INTO encounter (external_id, registration_id, resident_id,"
                     " facility_id, visit_date, department, type, admission_date,"
                     " discharge_date, diagnoses, created_at) VALUES ('ENC-%d', %d, %d, %d,"
                     " '%s', 'dept%d', '%s', %s, %s, 'J06.9', 'x');",
                     enc, visits[i].id, visits[i].resident, visits[i].facility,
                     visits[i].day, k, visits[i].types[k], adm, dis);
            if (ts_sql(srv.db, text) != 0)
                return -1;
        }
    }
    for (size_t i = 0; i < sizeof(referrals) / sizeof(referrals[0]); i++) {
        char acc[32], rej[32], can[32];
        bool down = strcmp(referrals[i].direction, "down") == 0;
        snprintf(text, sizeof(text),
                 "INSERT INTO referral (id, external_id, direction, resident_id,"
                 " from_facility_id, to_facility_id, to_team_id, urgency, status,"
                 " reject_reason, requested_at, due_at, accepted_at, rejected_at,"
                 " cancelled_at) VALUES (%d, 'REF-%d', '%s', 1, %d, %d, %s, '%s', '%s',"
                 " '%s', '%s', '%s', %s, %s, %s);",
                 referrals[i].id, referrals[i].id, referrals[i].direction, referrals[i].from,
                 referrals[i].to, down ? "1" : "NULL", referrals[i].urgency,
                 referrals[i].status, referrals[i].rejected[0] ? "no beds" : "",
                 referrals[i].requested, referrals[i].due,
                 sql_time(referrals[i].accepted, acc, sizeof(acc)),
                 sql_time(referrals[i].rejected, rej, sizeof(rej)),
                 sql_time(referrals[i].cancelled, can, sizeof(can)));
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
    static const struct {
        const char *name, *role, *scope;
        char *token;
    } users[] = {
        {"analyst", "analyst", "region", tok_analyst},
        {"analyst_b", "analyst", "ou:222404002", tok_analyst_b},
        {"village", "village_doctor", "ou:222404001001", tok_village},
        {"fa_ta", "facility_admin", "facility:TA", tok_fa_ta},
        {"fd_ta", "family_doctor", "team:1", tok_fd_ta},
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

/* GET the indicators of ou and period as `token`; the status. */
static int get(const char *token, const char *ou, const char *period)
{
    char path[160];
    snprintf(path, sizeof(path), "/api/consortium/indicators?ou=%s&period=%s", ou, period);
    ts_response_free(&R);
    if (ts_get(srv.port, path, token, &R) != 0)
        return -1;
    return R.status;
}

static int64_t jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* A rate object {value, numerator, denominator}: true when it matches (value null when
 * den is 0); prints the difference otherwise. */
static bool rate_is(json_t *parent, const char *key, int64_t num, int64_t den)
{
    json_t *o = parent ? json_object_get(parent, key) : NULL;
    json_t *v = o ? json_object_get(o, "value") : NULL;
    bool ok = o != NULL && jint(o, "numerator") == num && jint(o, "denominator") == den &&
              (den == 0 ? json_is_null(v)
                        : json_is_real(v) && fabs(json_real_value(v) - (double)num / den) < 1e-9);
    if (!ok)
        fprintf(stderr, "    %s: want %lld/%lld, got %lld/%lld\n", key, (long long)num,
                (long long)den, (long long)jint(o, "numerator"),
                (long long)jint(o, "denominator"));
    return ok;
}

/* Counts by level {grassroots, county_secondary, tertiary, other} and their total. */
static bool levels_are(const char *key, const int64_t want[4])
{
    json_t *o = json_object_get(R.json, key);
    json_t *by = o ? json_object_get(o, "by_level") : NULL;
    static const char *const names[4] = {"grassroots", "county_secondary", "tertiary", "other"};
    int64_t total = 0;
    bool ok = by != NULL;
    for (int i = 0; i < 4 && ok; i++) {
        total += want[i];
        if (jint(by, names[i]) != want[i]) {
            fprintf(stderr, "    %s.%s: want %lld, got %lld\n", key, names[i],
                    (long long)want[i], (long long)jint(by, names[i]));
            ok = false;
        }
    }
    return ok && jint(o, "total") == total;
}

/* Referral figures: referrals, up, down, accepted, rejected, critical, critical in time;
 * the median in minutes (negative: null). */
static bool refs_are(json_t *f, const int64_t want[7], double median)
{
    static const char *const keys[5] = {"referrals", "up", "down", "accepted", "rejected"};
    for (int i = 0; i < 5; i++)
        if (jint(f, keys[i]) != want[i]) {
            fprintf(stderr, "    %s: want %lld, got %lld\n", keys[i], (long long)want[i],
                    (long long)jint(f, keys[i]));
            return false;
        }
    if (!rate_is(f, "acceptance_rate", want[3], want[3] + want[4]) ||
        !rate_is(f, "critical_accepted_in_time", want[6], want[5]))
        return false;
    json_t *m = json_object_get(f, "median_minutes_to_accept");
    bool ok = median < 0 ? json_is_null(m)
                         : json_is_number(m) && fabs(json_number_value(m) - median) < 1e-9;
    if (!ok)
        fprintf(stderr, "    median: want %g, got %g\n", median,
                json_is_number(m) ? json_number_value(m) : -1.0);
    return ok;
}

static json_t *group(const char *code)
{
    json_t *refs = json_object_get(R.json, "referrals");
    json_t *arr = refs ? json_object_get(refs, "by_group") : NULL;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *g = json_array_get(arr, i);
        json_t *c = json_object_get(g, "group");
        if (json_is_string(c) && strcmp(json_string_value(c), code) == 0)
            return g;
    }
    return NULL;
}

static json_t *total(void)
{
    json_t *refs = json_object_get(R.json, "referrals");
    return refs ? json_object_get(refs, "total") : NULL;
}

/* ------------------------------------------------------------------ pure parts */

TEST(levels_by_type)
{
    CHECK_INT(cons_level_of(FT_TOWNSHIP_CENTER), CONS_GRASSROOTS);
    CHECK_INT(cons_level_of(FT_VILLAGE_CLINIC), CONS_GRASSROOTS);
    CHECK_INT(cons_level_of(FT_COMMUNITY_CENTER), CONS_GRASSROOTS);
    CHECK_INT(cons_level_of(FT_COMMUNITY_STATION), CONS_GRASSROOTS);
    CHECK_INT(cons_level_of(FT_COUNTY_HOSPITAL), CONS_COUNTY_SECONDARY);
    CHECK_INT(cons_level_of(FT_SECONDARY_HOSPITAL), CONS_COUNTY_SECONDARY);
    CHECK_INT(cons_level_of(FT_TERTIARY_HOSPITAL), CONS_TERTIARY);
    CHECK_INT(cons_level_of(FT_MCH_HOSPITAL), CONS_OTHER);
    CHECK_INT(cons_level_of(-1), CONS_OTHER);
    CHECK_INT(cons_level_of(FT_COUNT), CONS_OTHER);
    CHECK_STR(cons_level_code(CONS_COUNTY_SECONDARY), "county_secondary");
}

TEST(median)
{
    double none[1] = {0}, odd[3] = {180, 60, 120}, even[4] = {600, 30, 60, 120};
    CHECK(cons_median(none, 0) == 0);
    CHECK(cons_median(odd, 3) == 120);
    CHECK(cons_median(even, 4) == 90);
    /* The fixture's due times assume a critical limit of two hours. */
    CHECK_INT(ref_accept_limit_s(REF_CRITICAL), 2 * 3600);
}

/* ------------------------------------------------------------------ figures */

TEST(county_year)
{
    if (server() == NULL)
        TEST_SKIP("server did not start");
    CHECK_INT(get(tok_analyst, "222404", "2024"), 200);
    json_t *ou = json_object_get(R.json, "ou");
    CHECK_STR(json_string_value(json_object_get(ou, "code")), "222404");
    json_t *p = json_object_get(R.json, "period");
    CHECK_STR(json_string_value(json_object_get(p, "start")), "2024-01-01");
    CHECK_STR(json_string_value(json_object_get(p, "end")), "2024-12-31");
    /* Visits: registrations 1 2 3 8 | 4 5 | 6 | 7; 9 11 12 are inpatient only, 10 is 2023. */
    static const int64_t v[4] = {4, 2, 1, 1}, d[4] = {1, 2, 1, 0};
    CHECK(levels_are("visits", v));
    /* Discharges: 12 | 9 (Jan 3) 11 (Apr 2) | 6. */
    CHECK(levels_are("discharges", d));
    CHECK(rate_is(R.json, "grassroots_visit_share", 4, 8));
    /* Referrals 1-7, 9, 10 (8 was requested in 2023); accept minutes 60 120 180 30 600 240:
     * median (120 + 180) / 2; critical 2 3 6, only 2 in time (exactly at its due time). */
    static const int64_t all[7] = {9, 8, 1, 6, 1, 3, 1};
    CHECK(refs_are(total(), all, 150));
    /* The remote requests are counted apart (11 reported, 12 waiting). */
    CHECK_INT(jint(total(), "consultations"), 1);
    CHECK_INT(jint(total(), "imaging_readings"), 1);
    CHECK_INT(jint(total(), "remote_reported"), 1);
    CHECK_INT(jint(group("G1"), "consultations"), 1);
    CHECK_INT(jint(group("G2"), "imaging_readings"), 0);
    /* G1 sends from TA VA H1 TB: 1-5, 7, 9; minutes 60 120 180 30 600. */
    static const int64_t g1[7] = {7, 6, 1, 5, 1, 2, 1};
    CHECK(refs_are(group("G1"), g1, 120));
    /* G2 sends from CA S1 T1: 6 (critical, pending) and 10 (240). */
    static const int64_t g2[7] = {2, 2, 0, 1, 0, 1, 0};
    CHECK(refs_are(group("G2"), g2, 240));
    CHECK_STR(json_string_value(json_object_get(group("G2"), "kind")), "urban_group");
}

TEST(township_subtree)
{
    if (server() == NULL)
        TEST_SKIP("server did not start");
    CHECK_INT(get(tok_admin, "222404001", "2024"), 200);
    /* TA VA CA only: registrations 1 2 3; TB's 8 and 12 and the county's are outside. */
    static const int64_t v[4] = {3, 0, 0, 0}, d[4] = {0, 0, 0, 0};
    CHECK(levels_are("visits", v));
    CHECK(levels_are("discharges", d));
    CHECK(rate_is(R.json, "grassroots_visit_share", 3, 3));
    /* Sent from TA VA CA: 1 2 3 4 6 9 10; minutes 60 120 180 240. */
    static const int64_t all[7] = {7, 7, 0, 4, 1, 3, 1};
    CHECK(refs_are(total(), all, 150));
    /* G1 from TA VA: 1 2 3 4 9; minutes 60 120 180. */
    static const int64_t g1[7] = {5, 5, 0, 3, 1, 2, 1};
    CHECK(refs_are(group("G1"), g1, 120));
    static const int64_t g2[7] = {2, 2, 0, 1, 0, 1, 0};
    CHECK(refs_are(group("G2"), g2, 240));
    CHECK_INT(json_array_size(json_object_get(json_object_get(R.json, "referrals"),
                                              "by_group")), 2);
}

TEST(quarter)
{
    if (server() == NULL)
        TEST_SKIP("server did not start");
    CHECK_INT(get(tok_analyst, "222404", "2024Q1"), 200);
    /* Visits 1 2 8 | 4 5 | 6 | 7 (3 is in May); discharges 12 | 9 | 6 (11 is in April). */
    static const int64_t v[4] = {3, 2, 1, 1}, d[4] = {1, 1, 1, 0};
    CHECK(levels_are("visits", v));
    CHECK(levels_are("discharges", d));
    CHECK(rate_is(R.json, "grassroots_visit_share", 3, 7));
    /* 1-5, 7 and 9 (requested at 23:59:59 on March 31); minutes 60 120 180 30 600. */
    static const int64_t all[7] = {7, 6, 1, 5, 1, 2, 1};
    CHECK(refs_are(total(), all, 120));
    static const int64_t none[7] = {0};
    CHECK(refs_are(group("G2"), none, -1));
}

TEST(empty_period)
{
    if (server() == NULL)
        TEST_SKIP("server did not start");
    CHECK_INT(get(tok_analyst, "222404", "2022-06"), 200);
    static const int64_t zero[4] = {0};
    CHECK(levels_are("visits", zero));
    CHECK(levels_are("discharges", zero));
    CHECK(rate_is(R.json, "grassroots_visit_share", 0, 0));
    static const int64_t none[7] = {0};
    CHECK(refs_are(total(), none, -1));
    CHECK(refs_are(group("G1"), none, -1));
    CHECK(refs_are(group("G2"), none, -1));
}

/* ------------------------------------------------------------------ refusals */

TEST(bad_input)
{
    if (server() == NULL)
        TEST_SKIP("server did not start");
    CHECK_INT(get(tok_analyst, "222404", "2024Q5"), 400);
    CHECK_STR(ts_err_field(&R), "period");
    CHECK_INT(get(tok_analyst, "222404", ""), 400);
    CHECK_STR(ts_err_field(&R), "period");
    CHECK_INT(get(tok_analyst, "", "2024"), 400);
    CHECK_STR(ts_err_field(&R), "ou");
    CHECK_INT(get(tok_analyst, "999999", "2024"), 404);
}

TEST(who_may_read)
{
    if (server() == NULL)
        TEST_SKIP("server did not start");
    CHECK_INT(get(NULL, "222404", "2024"), 401);
    /* A village doctor has no aggregate_read (accounts/roles.c). */
    CHECK_INT(get(tok_village, "222404001001", "2024"), 403);
    /* An analyst of township B reads it, and not township A or the county (alike: 404). */
    CHECK_INT(get(tok_analyst_b, "222404002", "2024"), 200);
    static const int64_t v[4] = {1, 0, 0, 0};
    CHECK(levels_are("visits", v));
    CHECK_INT(get(tok_analyst_b, "222404001", "2024"), 404);
    CHECK_INT(get(tok_analyst_b, "222404", "2024"), 404);
    /* A facility's or a team's scope is the unit the facility stands in (township A). */
    CHECK_INT(get(tok_fa_ta, "222404001", "2024"), 200);
    CHECK_INT(get(tok_fa_ta, "222404002", "2024"), 404);
    CHECK_INT(get(tok_fd_ta, "222404001", "2024"), 200);
    CHECK_INT(get(tok_fd_ta, "222404", "2024"), 404);
}

TEST_MAIN()
