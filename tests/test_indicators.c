/*
 * test_indicators.c - the live indicators on a small hand-made region whose every value is
 * worked out by hand below: periods, each indicator of the county, roll-up of children into
 * parents, a resident who moved counted where they lived, threads changing nothing, and the
 * API (scopes, permissions, refusals, /api/index/verify).
 *
 * The region (codes under 2224, the city):
 *   22 province ─ 2224 city ─┬ 222404 county A (no own population: 30 = T1 18 + T2 12)
 *                            │   ├ 222404100 township T1 (no own: V1 10 + V2 8 = 18)
 *                            │   │   ├ 222404100001 V1 (2023 figures 10, used for 2024)
 *                            │   │   └ 222404100002 V2 (8)
 *                            │   └ 222404200 township T2 (own 12; V3's own 10 not used)
 *                            │       └ 222404200001 V3 (10)
 *                            ├ 222405 county B (own 120,000)
 *                            └ 222406 county C (own 200,000, from 2022)
 * Org unit ids: 1 province, 2 city, 3 A, 4 T1, 5 T2, 6 V1, 7 V2, 8 V3, 9 B, 10 C.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "indicators/indicators.h"
#include "pindex/pindex.h"
#include "store/store.h"
#include "support.h"
#include "test.h"

static int32_t day(const char *s)
{
    int32_t d = DATE_INVALID;
    date_parse(s, strlen(s), &d, "test", NULL);
    return d;
}

static const char *const region_sql =
    "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
    " (1, '22', 'province', 1, NULL, 't'), (2, '2224', 'city', 2, 1, 't'),"
    " (3, '222404', 'county A', 3, 2, 't'), (4, '222404100', 'township T1', 4, 3, 't'),"
    " (5, '222404200', 'township T2', 4, 3, 't'), (6, '222404100001', 'village V1', 5, 4, 't'),"
    " (7, '222404100002', 'village V2', 5, 4, 't'), (8, '222404200001', 'village V3', 5, 5, 't'),"
    " (9, '222405', 'county B', 3, 2, 't'), (10, '222406', 'county C', 3, 2, 't');"
    "INSERT INTO ou_population (ou_id, year, sex, age_band, count) VALUES"
    " (6, 2023, 1, 0, 5), (6, 2023, 2, 13, 5), (6, 2025, 1, 0, 99),"
    " (7, 2024, 1, 3, 4), (7, 2024, 2, 14, 4), (5, 2024, 1, 8, 12), (8, 2024, 2, 8, 10),"
    " (9, 2024, 1, 5, 60000), (9, 2024, 2, 5, 60000),"
    " (10, 2022, 1, 6, 100000), (10, 2022, 2, 6, 100000), (10, 2025, 1, 6, 50);"
    "INSERT INTO facility (id, code, name, type, grade, ownership, ou_id, beds, icu_beds,"
    " infant_care_places, services, status, updated_at) VALUES"
    " (1, 'F1', 'h', 'county_hospital', '2A', 'public', 3, 300, 10, 0,"
    "  'pediatrics geriatrics dialysis', 'active', 't'),"
    " (2, 'F2', 'h', 'tcm_hospital', '2A', 'public', 3, 100, 0, 0, 'tcm', 'active', 't'),"
    " (3, 'F3', 'h', 'tertiary_hospital', 'none', 'public', 9, 800, 30, 0,"
    "  'pediatrics mental_health dialysis', 'active', 't'),"
    " (4, 'F4', 'h', 'primary_hospital', '1A', 'public', 10, 50, 0, 0, 'pediatrics', 'active',"
    "  't'),"
    " (5, 'F5', 'h', 'secondary_hospital', '2B', 'private', 10, 150, 0, 0, '', 'active', 't'),"
    " (6, 'F6', 'h', 'township_center', 'none', 'public', 4, 20, 0, 0, 'tcm pediatrics',"
    "  'active', 't'),"
    " (7, 'F7', 'h', 'township_center', 'none', 'public', 5, 10, 0, 0, 'tcm', 'active', 't'),"
    " (8, 'F8', 'h', 'village_clinic', 'none', 'public', 6, 0, 0, 0, '', 'active', 't'),"
    " (9, 'F9', 'h', 'village_clinic', 'none', 'public', 7, 0, 0, 0, '', 'active', 't'),"
    " (10, 'F10', 'h', 'village_clinic', 'none', 'public', 8, 0, 0, 0, '', 'closed', 't'),"
    " (11, 'F11', 'h', 'infant_care', 'none', 'private', 6, 0, 0, 15, '', 'active', 't'),"
    " (12, 'F12', 'h', 'primary_hospital', '2C', 'public', 10, 60, 0, 0, 'geriatrics',"
    "  'active', 't');"
    "INSERT INTO staff (id, code, name, role, facility_id, education, status, updated_at)"
    " VALUES (1, 'S1', 'a', 'licensed_physician', 1, 'bachelor', 'active', 't'),"
    " (2, 'S2', 'b', 'general_practitioner', 6, 'bachelor', 'active', 't'),"
    " (3, 'S3', 'c', 'registered_nurse', 1, 'college', 'active', 't'),"
    " (4, 'S4', 'd', 'registered_nurse', 6, 'college', 'active', 't'),"
    " (5, 'S5', 'e', 'public_health', 7, 'bachelor', 'active', 't'),"
    " (6, 'S6', 'f', 'village_doctor', 8, 'college', 'active', 't'),"
    " (7, 'S7', 'g', 'village_doctor', 9, 'secondary', 'active', 't'),"
    " (8, 'S8', 'h', 'assistant_physician', 9, '', 'left', 't'),"
    " (9, 'S9', 'i', 'licensed_physician', 10, 'bachelor', 'active', 't'),"
    " (10, 'S10', 'j', 'licensed_physician', 3, 'postgraduate', 'active', 't');"
    "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
    " (1, 'T1', 'team one', 6, 'active', 't'), (2, 'T2', 'team two', 8, 'active', 't'),"
    " (3, 'T3', 'team three', 7, 'disbanded', 't');"
    "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, record_date, status,"
    " status_date, maternal_death, updated_at) VALUES"
    " (1, 'n1', 'r', 1, '1950-03-01', 6, '2015-01-01', 'active', NULL, 0, 't'),"
    " (2, 'n2', 'r', 2, '1958-12-31', 6, '2016-05-05', 'active', NULL, 0, 't'),"
    " (3, 'n3', 'r', 2, '1960-01-01', 6, '2016-05-05', 'active', NULL, 0, 't'),"
    " (4, 'n4', 'r', 1, '2018-01-01', 6, '2018-01-10', 'active', NULL, 0, 't'),"
    " (5, 'n5', 'r', 1, '2017-12-31', 6, '2018-01-05', 'active', NULL, 0, 't'),"
    " (6, 'n6', 'r', 2, '2024-03-15', 6, '2024-03-20', 'deceased', '2024-08-10', 0, 't'),"
    " (7, 'n7', 'r', 2, '1990-05-05', 6, '2012-01-01', 'active', NULL, 0, 't'),"
    " (8, 'n8', 'r', 2, '2024-11-20', 6, '2024-11-25', 'active', NULL, 0, 't'),"
    " (9, 'n9', 'r', 1, '1980-01-01', 6, '2025-02-01', 'active', NULL, 0, 't'),"
    " (10, 'n10', 'r', 1, '1945-01-01', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (11, 'n11', 'r', 2, '1985-08-08', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (12, 'n12', 'r', 1, '1970-07-07', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (13, 'n13', 'r', 2, '1975-03-03', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (14, 'n14', 'r', 2, '1975-04-04', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (15, 'n15', 'r', 2, '1992-02-02', 7, '2013-01-01', 'deceased', '2024-06-15', 1, 't'),"
    " (16, 'n16', 'r', 1, '1960-06-06', 7, '2010-01-01', 'moved_out', '2024-05-01', 0, 't'),"
    " (17, 'n17', 'r', 2, '1988-08-08', 8, '2010-01-01', 'active', NULL, 0, 't'),"
    " (18, 'n18', 'r', 1, '2021-05-05', 7, '2021-05-10', 'deceased', '2024-02-02', 0, 't'),"
    " (19, 'n19', 'r', 1, '1930-01-01', 8, '2010-01-01', 'active', NULL, 0, 't'),"
    " (20, 'n20', 'r', 2, '2024-07-07', 8, '2024-07-10', 'active', NULL, 0, 't'),"
    " (21, 'n21', 'r', 1, '2000-01-01', 8, '2020-01-01', 'active', NULL, 0, 't'),"
    " (22, 'n22', 'r', 2, '2024-01-05', 8, '2024-01-20', 'active', NULL, 0, 't'),"
    " (23, 'n23', 'r', 1, '1980-01-01', 9, '2010-01-01', 'active', NULL, 0, 't'),"
    " (24, 'n24', 'r', 1, '1999-09-09', 8, '2019-01-01', 'active', NULL, 0, 't');"
    "INSERT INTO resident_tag (resident_id, tag, from_date, to_date) VALUES"
    " (1, 'hypertension', '2016-01-01', NULL), (3, 'diabetes', '2020-01-01', NULL),"
    " (7, 'pregnant', '2024-02-01', '2024-11-30'), (7, 'poverty', '2021-01-01', NULL),"
    " (10, 'hypertension', '2012-01-01', NULL), (10, 'diabetes', '2013-01-01', NULL),"
    " (10, 'disabled', '2014-01-01', NULL), (11, 'severe_mental', '2019-01-01', NULL),"
    " (12, 'tuberculosis', '2024-04-01', '2024-12-31'),"
    " (13, 'special_family', '2015-01-01', NULL), (14, 'special_family', '2016-01-01', NULL),"
    " (15, 'pregnant', '2023-10-01', '2024-06-15'), (17, 'pregnant', '2024-09-01', '2025-03-31');"
    "INSERT INTO residence (resident_id, ou_id, from_date, to_date) VALUES"
    " (17, 7, '2010-01-01', '2024-06-30');"
    "UPDATE resident SET residence_from = '2024-07-01' WHERE id = 17;"
    "INSERT INTO contract (resident_id, team_id, package, from_date, to_date, status,"
    " ended_date, updated_at) VALUES"
    " (1, 1, 'elderly', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (3, 2, 'chronic', '2024-03-01', '2025-02-28', 'active', NULL, 't'),"
    " (4, 1, 'maternal_child', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (7, 2, 'basic', '2023-06-01', '2024-05-31', 'expired', NULL, 't'),"
    " (10, 1, 'chronic', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (11, 1, 'basic', '2024-02-01', '2025-01-31', 'terminated', '2024-10-01', 't'),"
    " (12, 2, 'basic', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (13, 2, 'basic', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (17, 1, 'maternal_child', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (20, 1, 'maternal_child', '2024-08-01', '2025-07-31', 'active', NULL, 't'),"
    " (24, 3, 'basic', '2024-01-01', '2024-12-31', 'active', NULL, 't');";

static int insert_region(const char *path)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, region_sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "    sql: %s\n", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

/* The region's index, built once and shared by the computing tests. */
static struct store *region_store;
static struct pidx *region_index;

static void region_release(void)
{
    pidx_free(region_index);
    store_close(region_store);
}

static struct pidx *region(void)
{
    if (region_index != NULL)
        return region_index;
    struct yl_err err = {0};
    const char *path = ts_path("region.db");
    if (store_open(path, NULL, &region_store, &err) != 0 ||
        store_migrate(region_store, NULL, &err) != 0 || insert_region(path) != 0)
        return NULL;
    region_index = pidx_new();
    if (pidx_load(region_index, region_store, &err) != 0) {
        fprintf(stderr, "    load: %s\n", yl_err_message(&err));
        return NULL;
    }
    atexit(region_release);
    return region_index;
}

static const int32_t TODAY_2026 = 20454;    /* 2026-01-01, checked in periods_accepted */

static struct ind_result *compute(const char *period, int threads)
{
    struct ind_period p;
    struct yl_err err = {0};
    struct pidx *x = region();
    if (x == NULL || ind_period_parse(period, TODAY_2026, &p, &err) != 0)
        return NULL;
    return ind_compute(x, &p, threads);
}

/* An indicator of a unit, by id. */
static struct ind_value val(const struct ind_result *r, uint32_t ou, const char *id)
{
    struct ind_value v = {0};
    const struct ind_def *d = ind_def_find(id);
    if (d != NULL)
        ind_evaluate(r, ou, d, &v);
    else
        fprintf(stderr, "    no indicator %s\n", id);
    return v;
}

#define CHECK_VAL(r, ou, id, num, den)                                            \
    do {                                                                          \
        struct ind_value v_ = val(r, ou, id);                                     \
        if (v_.def == NULL || v_.numerator != (num) || v_.denominator != (den)) { \
            TEST_FAIL_AT("%s of unit %d: %lld / %lld, expected %lld / %lld", id,  \
                         (int)(ou), (long long)v_.numerator,                      \
                         (long long)v_.denominator, (long long)(num),             \
                         (long long)(den));                                       \
            return;                                                               \
        }                                                                         \
        double want_ = (den) == 0 ? 0.0 : (double)(num) * v_.def->scale / (den);  \
        if (v_.has_value != ((den) != 0) || fabs(v_.value - want_) > 1e-9) {      \
            TEST_FAIL_AT("%s of unit %d: value %g, expected %g", id, (int)(ou),   \
                         v_.value, want_);                                        \
            return;                                                               \
        }                                                                         \
    } while (0)

/* ------------------------------------------------------------------ periods */

TEST(periods_accepted)
{
    struct ind_period p;
    struct yl_err err = {0};
    CHECK_INT(TODAY_2026, day("2026-01-01"));
    CHECK_INT(ind_period_parse("2024", TODAY_2026, &p, &err), 0);
    CHECK_INT(p.start, day("2024-01-01"));
    CHECK_INT(p.end, day("2024-12-31"));
    CHECK_INT(p.reference, day("2024-12-31"));
    CHECK_STR(p.label, "2024");
    CHECK_INT(ind_period_parse("2024q3", TODAY_2026, &p, &err), 0);
    CHECK_STR(p.label, "2024Q3");
    CHECK_INT(p.start, day("2024-07-01"));
    CHECK_INT(p.end, day("2024-09-30"));
    CHECK_INT(ind_period_parse("2024Q1", TODAY_2026, &p, &err), 0);
    CHECK_INT(p.end, day("2024-03-31"));
    CHECK_INT(ind_period_parse("2024-02", TODAY_2026, &p, &err), 0);
    CHECK_INT(p.start, day("2024-02-01"));
    CHECK_INT(p.end, day("2024-02-29"));
    CHECK_INT(ind_period_parse("2023-12", TODAY_2026, &p, &err), 0);
    CHECK_INT(p.end, day("2023-12-31"));
    CHECK_INT(ind_period_parse("2024-01-15..2024-06-30", TODAY_2026, &p, &err), 0);
    CHECK_INT(p.start, day("2024-01-15"));
    CHECK_INT(p.end, day("2024-06-30"));
    CHECK_STR(p.label, "2024-01-15..2024-06-30");
    CHECK_INT(ind_period_parse("2024-05-05..2024-05-05", TODAY_2026, &p, &err), 0);
    /* A period not yet over is counted as of today. */
    CHECK_INT(ind_period_parse("2026", day("2026-03-15"), &p, &err), 0);
    CHECK_INT(p.end, day("2026-12-31"));
    CHECK_INT(p.reference, day("2026-03-15"));
}

TEST(periods_refused)
{
    static const char *const bad[] = {
        "", "24", "2024Q5", "2024Q0", "2024-13", "2024-00", "2024-1", " 2024", "2024 ",
        "2024H1", "1899", "2101", "2024-02-30..2024-03-01", "2024-01-01..", "..2024-01-01",
        "2024-01-01...2024-02-01", "abcd", "2024-06-30..2024-01-01", "2030", "2026Q2",
        NULL,
    };
    for (int i = 0; bad[i] != NULL; i++) {
        struct ind_period p;
        struct yl_err err = {0};
        int rc = ind_period_parse(bad[i], TODAY_2026, &p, &err);
        if (rc != YL_EINVAL || strcmp(err.field, "period") != 0) {
            TEST_FAIL_AT("period \"%s\" gave %d, field \"%s\"", bad[i], rc, err.field);
            return;
        }
    }
    struct ind_period p;
    struct yl_err err = {0};
    CHECK_INT(ind_period_parse(NULL, TODAY_2026, &p, &err), YL_EINVAL);
    CHECK_STR(err.field, "period");
    yl_err_clear(&err);
    ind_period_parse("2024-06-30..2024-01-01", TODAY_2026, &p, &err);
    CHECK_CONTAINS(err.message, "ends before it begins");
    yl_err_clear(&err);
    ind_period_parse("2030", TODAY_2026, &p, &err);
    CHECK_CONTAINS(err.message, "has not begun");
}

/* ------------------------------------------------------------------ the county, by hand */

/*
 * County A (id 3) for 2024, reference date D = 2024-12-31. In the population on D:
 *   V1: R1 (74, hypertension, team 1), R2 (66 on D exactly), R3 (64, diabetes, team 2),
 *       R4 (6, team 1), R5 (7 on D exactly: not 0-6), R7 (poverty; pregnancy ended
 *       2024-11-30; contract expired 2024-05-31), R8 (born 2024-11-20)      -> 7, 3 signed
 *       (R6 died 2024-08-10; R9's record opens in 2025)
 *   V2: R10 (79; hypertension, diabetes, disabled; team 1), R11 (severe mental; contract
 *       terminated 2024-10-01), R12 (tuberculosis to 2024-12-31; team 2), R13 and R14
 *       (special family; R13 team 2)                                        -> 5, 3 signed
 *       (R15 maternal death 2024-06-15, R16 moved out 2024-05-01, R17 moved to V3
 *       2024-07-01, R18 died 2024-02-02 aged 2)
 *   V3: R17 (pregnant from 2024-09-01; team 1), R19 (94), R20 (born 2024-07-07; team 1),
 *       R21, R22 (born 2024-01-05), R24 (team 3, disbanded: signed all the same) -> 6, 3
 *   County A: 18 records, 9 signed; population 30.
 */
TEST(county_resident_indicators)
{
    struct ind_result *r = compute("2024", 2);
    CHECK(r != NULL);
    CHECK_VAL(r, 3, "resident_population", 30, 1);
    CHECK_VAL(r, 3, "records", 18, 1);
    CHECK_VAL(r, 3, "signed", 9, 1);
    CHECK_VAL(r, 3, "record_coverage", 18, 30);         /* 60 % */
    CHECK_VAL(r, 3, "signing_rate", 9, 30);             /* 30 % */
    /* 65+: R1, R2, R10, R19; signed R1, R10. */
    CHECK_VAL(r, 3, "signing_rate_elderly", 2, 4);
    /* 0-6: R4, R8, R20, R22; signed R4, R20. */
    CHECK_VAL(r, 3, "signing_rate_children", 2, 4);
    CHECK_VAL(r, 3, "signing_rate_hypertension", 2, 2);    /* R1, R10 */
    CHECK_VAL(r, 3, "signing_rate_diabetes", 2, 2);        /* R3, R10 */
    CHECK_VAL(r, 3, "signing_rate_severe_mental", 0, 1);   /* R11 */
    CHECK_VAL(r, 3, "signing_rate_tuberculosis", 1, 1);    /* R12 */
    CHECK_VAL(r, 3, "signing_rate_disabled", 1, 1);        /* R10 */
    CHECK_VAL(r, 3, "signing_rate_pregnant", 1, 1);        /* R17 (R7's ended) */
    CHECK_VAL(r, 3, "signing_rate_poverty", 0, 1);         /* R7 */
    CHECK_VAL(r, 3, "signing_rate_special_family", 1, 2);  /* R13 of R13, R14 */
    /* Key populations: V1 R1 R2 R3 R4 R7 R8 (6, signed R1 R3 R4), V2 all 5 (signed 3),
     * V3 R17 R19 R20 R22 (4, signed R17 R20): 15, 8 signed -> 53.33 %. */
    CHECK_VAL(r, 3, "signing_rate_key", 8, 15);
    /* Births in 2024: R6 (V1, 2024-03-15), R8 (V1), R20 (V3), R22 (V3, before its first
     * residence: counted there) = 4. Deaths: R6 aged 0 (infant and under 5), R18 aged 2
     * (under 5), R15 maternal. */
    CHECK_VAL(r, 3, "infant_mortality", 1, 4);          /* 250 ‰ */
    CHECK_VAL(r, 3, "under5_mortality", 2, 4);          /* 500 ‰ */
    CHECK_VAL(r, 3, "maternal_mortality", 1, 4);        /* 25,000 per 100,000 */
    CHECK_VAL(r, 6, "infant_mortality", 1, 2);          /* V1: R6 of R6, R8 */
    CHECK_VAL(r, 7, "under5_mortality", 1, 0);          /* V2: R18, no births: null */
    CHECK_VAL(r, 7, "maternal_mortality", 1, 0);
    /* Teams: team 1 at T1 (F6), team 2 at V1 (F8), team 3 disbanded. Signed on D with
     * team 1: R1 R4 R10 R17 R20 = 5; with team 2: R3 R12 R13 = 3. */
    CHECK_VAL(r, 3, "teams", 2, 1);
    CHECK_VAL(r, 3, "signed_per_team", 8, 2);
    CHECK_VAL(r, 4, "signed_per_team", 8, 2);
    CHECK_VAL(r, 6, "signed_per_team", 3, 1);
    CHECK_VAL(r, 5, "signed_per_team", 0, 0);
    /* Villages and townships themselves. */
    CHECK_VAL(r, 6, "record_coverage", 7, 10);          /* V1: the 2023 figures */
    CHECK_VAL(r, 7, "signing_rate", 3, 8);
    CHECK_VAL(r, 8, "records", 6, 1);
    CHECK_VAL(r, 8, "resident_population", 10, 1);      /* V3's own */
    CHECK_VAL(r, 5, "resident_population", 12, 1);      /* T2's own, not V3's 10 */
    CHECK_VAL(r, 4, "record_coverage", 12, 18);         /* T1 = V1 + V2 */
    ind_result_free(r);
}

/*
 * Facilities and staff of 2024 (active only; F10 is closed, S8 has left):
 *   county A: F1 county hospital 2A (300 beds, 10 ICU; pediatrics, geriatrics, dialysis),
 *     F2 TCM hospital (100), F6 township center at T1 (20; TCM, pediatrics), F7 township
 *     center at T2 (10; TCM), F8 and F9 village clinics, F11 infant care (15 places);
 *     staff S1 physician, S2 GP (a physician too), S3 S4 nurses, S5 public health, S6
 *     college-educated village doctor at F8, S7 village doctor (secondary) at F9.
 *   county B: F3 tertiary, ungraded (800 beds, 30 ICU; pediatrics, mental health,
 *     dialysis); S10 physician.
 *   county C: F4 primary 1A (50; not secondary), F5 private secondary 2B (150; private),
 *     F12 primary 2C (60; geriatrics: secondary by grade).
 */
TEST(county_facility_indicators)
{
    struct ind_result *r = compute("2024", 2);
    CHECK(r != NULL);
    CHECK_VAL(r, 3, "beds_per_1000", 430, 30);          /* 300+100+20+10: 14,333.3 */
    CHECK_VAL(r, 3, "icu_beds_per_1000", 10, 30);
    CHECK_VAL(r, 3, "physicians_per_1000", 2, 30);      /* S1, S2 */
    CHECK_VAL(r, 3, "nurses_per_1000", 2, 30);
    CHECK_VAL(r, 3, "public_health_staff_per_1000", 1, 30);
    CHECK_VAL(r, 3, "gps_per_10000", 1, 30);
    CHECK_VAL(r, 3, "infant_care_places_per_1000", 15, 30);    /* 500 */
    CHECK_VAL(r, 3, "institutions_county_hospital", 1, 1);
    CHECK_VAL(r, 3, "institutions_tcm_hospital", 1, 1);
    CHECK_VAL(r, 3, "institutions_township_center", 2, 1);
    CHECK_VAL(r, 3, "institutions_village_clinic", 2, 1);
    CHECK_VAL(r, 3, "institutions_infant_care", 1, 1);
    CHECK_VAL(r, 3, "institutions_tertiary_hospital", 0, 1);
    CHECK_VAL(r, 3, "hospitals_pediatrics", 1, 1);      /* F1 only */
    CHECK_VAL(r, 3, "hospitals_geriatrics", 1, 1);
    CHECK_VAL(r, 3, "hospitals_mental_health", 0, 1);
    CHECK_VAL(r, 3, "primary_centers_tcm", 2, 2);
    CHECK_VAL(r, 3, "primary_centers_pediatrics", 1, 2);
    CHECK_VAL(r, 3, "village_clinics_qualified", 1, 2); /* F8 (S6); F9's S8 has left */
    CHECK_VAL(r, 3, "counties_dialysis", 0, 0);         /* 30 people: not above 100,000 */
    CHECK_VAL(r, 4, "physicians_per_1000", 1, 18);      /* T1: S2 at F6 */
    /* The city: three counties, nothing of its own. Hospitals: F1, F3 (by type), F12 (by
     * grade); pediatrics F1 F3, geriatrics F1 F12, mental health F3. Big counties B
     * (120,000, dialysis at F3) and C (200,000, none): 1 of 2. */
    CHECK_VAL(r, 2, "resident_population", 320030, 1);
    CHECK_VAL(r, 2, "records", 19, 1);                  /* + R23 in county B */
    CHECK_VAL(r, 2, "beds_per_1000", 430 + 800 + 260, 320030);
    CHECK_VAL(r, 2, "hospitals_pediatrics", 2, 3);
    CHECK_VAL(r, 2, "hospitals_geriatrics", 2, 3);
    CHECK_VAL(r, 2, "hospitals_mental_health", 1, 3);
    CHECK_VAL(r, 2, "counties_dialysis", 1, 2);
    CHECK_VAL(r, 2, "institutions_primary_hospital", 2, 1);
    CHECK_VAL(r, 2, "institutions_secondary_hospital", 1, 1);
    CHECK_VAL(r, 9, "counties_dialysis", 1, 1);
    CHECK_VAL(r, 10, "counties_dialysis", 0, 1);
    CHECK_VAL(r, 10, "resident_population", 200000, 1); /* 2022, the latest up to 2024 */
    CHECK_VAL(r, 1, "resident_population", 320030, 1);
    CHECK_VAL(r, 1, "counties_dialysis", 1, 2);
    ind_result_free(r);
}

TEST(every_definition_is_well_formed)
{
    size_t n;
    const struct ind_def *d = ind_defs(&n);
    CHECK(n >= 40);
    for (size_t i = 0; i < n; i++) {
        CHECK(d[i].id != NULL && d[i].name_zh != NULL && d[i].name_en != NULL);
        CHECK(d[i].unit != NULL && d[i].base != NULL);
        CHECK(d[i].num >= 0 && d[i].num < IND_M_COUNT && d[i].den < IND_M_COUNT);
        CHECK(d[i].scale == 1 || d[i].scale == 100 || d[i].scale == 1000 ||
              d[i].scale == 10000 || d[i].scale == 100000);
        CHECK(ind_def_find(d[i].id) == &d[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(d[i].id, d[j].id) != 0);
    }
    CHECK(ind_def_find("no_such_indicator") == NULL);
}

/* ------------------------------------------------------------------ roll-up, moves */

static bool additive(int m)
{
    return m != IND_M_POPULATION && m != IND_M_COUNTIES_BIG &&
           m != IND_M_COUNTIES_BIG_DIALYSIS && m != IND_M_ONE;
}

TEST(children_roll_up_into_parents)
{
    struct ind_result *r = compute("2024", 2);
    CHECK(r != NULL);
    /* The city holds nothing of its own: every additive measure is A + B + C, and the
     * province is the city. Counties counted are additive above the county level too. */
    for (int m = 0; m < IND_M_COUNT; m++) {
        if (m == IND_M_ONE || m == IND_M_POPULATION)
            continue;
        int64_t sum = ind_result_measure(r, 3, m) + ind_result_measure(r, 9, m) +
                      ind_result_measure(r, 10, m);
        if (ind_result_measure(r, 2, m) != sum || ind_result_measure(r, 1, m) != sum) {
            TEST_FAIL_AT("measure %d: city %lld, province %lld, counties %lld", m,
                         (long long)ind_result_measure(r, 2, m),
                         (long long)ind_result_measure(r, 1, m), (long long)sum);
            return;
        }
    }
    /* Residents live in villages only, so every resident measure of a township is the sum
     * of its villages', and of the county the sum of its townships' (signed residents per
     * team are counted where the team's lead facility stands, so they stop before). */
    for (int m = 0; m < IND_M_SIGNED_TEAM; m++) {
        CHECK_INT(ind_result_measure(r, 4, m),
                  ind_result_measure(r, 6, m) + ind_result_measure(r, 7, m));
        CHECK_INT(ind_result_measure(r, 5, m), ind_result_measure(r, 8, m));
        CHECK_INT(ind_result_measure(r, 3, m),
                  ind_result_measure(r, 4, m) + ind_result_measure(r, 5, m));
    }
    /* Not everything is additive: the county's population follows its own rule. */
    CHECK(!additive(IND_M_POPULATION));
    CHECK_INT(ind_result_measure(r, 5, IND_M_POPULATION), 12);
    CHECK_INT(ind_result_measure(r, 8, IND_M_POPULATION), 10);
    ind_result_free(r);
}

TEST(a_mover_counts_where_they_lived)
{
    /* R17 lived in V2 until 2024-06-30 and in V3 from 2024-07-01. First half of 2024
     * (D = 2024-06-30): V2 has R10-R14 and R17 = 6 (R15 died 06-15, R16 left 05-01, R18
     * died 02-02), signed R10 R11 (terminated only in October) R12 R13 R17 = 5; V3 has
     * R19 R21 R22 R24 = 4 (R20 not yet born), signed R24 = 1. */
    struct ind_result *h1 = compute("2024-01-01..2024-06-30", 2);
    CHECK(h1 != NULL);
    CHECK_VAL(h1, 7, "records", 6, 1);
    CHECK_VAL(h1, 7, "signed", 5, 1);
    CHECK_VAL(h1, 8, "records", 4, 1);
    CHECK_VAL(h1, 8, "signed", 1, 1);
    CHECK_VAL(h1, 8, "signing_rate_pregnant", 0, 0);
    /* Births of the half: R6 (V1), R22 (V3); R8 and R20 come later. */
    CHECK_VAL(h1, 3, "maternal_mortality", 1, 2);
    ind_result_free(h1);
    /* Second half (D = 2024-12-31): V2 5, V3 6, as in the year. */
    struct ind_result *h2 = compute("2024-07-01..2024-12-31", 2);
    CHECK(h2 != NULL);
    CHECK_VAL(h2, 7, "records", 5, 1);
    CHECK_VAL(h2, 8, "records", 6, 1);
    CHECK_VAL(h2, 8, "signing_rate_pregnant", 1, 1);
    /* Births R20 (V3), R8 (V1); no deaths in the half but R6 (2024-08-10). */
    CHECK_VAL(h2, 3, "infant_mortality", 1, 2);
    CHECK_VAL(h2, 3, "maternal_mortality", 0, 2);
    ind_result_free(h2);
    /* The first quarter (D = 2024-03-31): R15 (died in June) and R16 (moved out in May)
     * are still there, R18 died in February. */
    struct ind_result *q1 = compute("2024Q1", 2);
    CHECK(q1 != NULL);
    CHECK_VAL(q1, 7, "records", 8, 1);      /* R10-R17 */
    CHECK_VAL(q1, 7, "under5_mortality", 1, 0);
    ind_result_free(q1);
}

TEST(threads_do_not_change_results)
{
    struct ind_result *one = compute("2024", 1), *three = compute("2024", 3);
    struct ind_result *many = compute("2024", 64);
    CHECK(one != NULL && three != NULL && many != NULL);
    CHECK_INT(one->n_ous, three->n_ous);
    size_t bytes = one->n_ous * IND_M_COUNT * sizeof(int64_t);
    CHECK(memcmp(one->m, three->m, bytes) == 0);
    CHECK(memcmp(one->m, many->m, bytes) == 0);
    ind_result_free(one);
    ind_result_free(three);
    ind_result_free(many);
}

TEST(report_children_and_levels)
{
    struct pidx *x = region();
    CHECK(x != NULL);
    struct arena a;
    arena_init(&a);
    struct ind_report rep;
    struct yl_err err = {0};
    struct ind_query q = {.ou_code = "2224", .period = "2024", .children = IND_CHILDREN_DIRECT,
                          .today = TODAY_2026, .threads = 2};
    CHECK_INT(ind_report_build(x, region_store, &q, &a, &rep, &err), 0);
    CHECK_STR(rep.unit.code, "2224");
    CHECK_STR(rep.unit.name, "city");
    CHECK_INT(rep.n_children, 3);
    CHECK_STR(rep.children[0].code, "222404");
    CHECK_STR(rep.children[0].name, "county A");
    CHECK_STR(rep.children[2].code, "222406");
    q.children = 5;
    CHECK_INT(ind_report_build(x, NULL, &q, &a, &rep, &err), 0);
    CHECK_INT(rep.n_children, 3);
    CHECK_STR(rep.children[1].code, "222404100002");
    CHECK_STR(rep.children[1].name, "");
    /* By a level at or above the unit's own is refused. */
    q.ou_code = "222404100";
    q.children = 3;
    CHECK_INT(ind_report_build(x, NULL, &q, &a, &rep, &err), YL_EINVAL);
    CHECK_STR(err.field, "by");
    yl_err_clear(&err);
    q.children = IND_CHILDREN_NONE;
    q.ou_code = "";
    CHECK_INT(ind_report_build(x, NULL, &q, &a, &rep, &err), YL_EINVAL);
    CHECK_STR(err.field, "ou");
    yl_err_clear(&err);
    q.ou_code = "222499";
    CHECK_INT(ind_report_build(x, NULL, &q, &a, &rep, &err), YL_ENOTFOUND);
    arena_release(&a);
}

/* ------------------------------------------------------------------ API */

static struct ts_server api_srv;
static struct pidx *api_index;
static bool api_up;

static void api_stop(void)
{
    if (api_up)
        ts_server_stop(&api_srv);
    pidx_free(api_index);
    api_up = false;
}

static struct ts_server *api(void)
{
    if (api_up)
        return &api_srv;
    struct yl_err err = {0};
    if (ts_server_start(&api_srv, NULL, NULL) != 0 || insert_region(api_srv.db) != 0)
        return NULL;
    api_index = pidx_new();
    if (pidx_load(api_index, api_srv.store, &err) != 0)
        return NULL;
    api_srv.app.index = api_index;
    api_up = true;
    atexit(api_stop);
    if (ts_user_add(&api_srv, "analyst", "analyst-password", "analyst", "ou:2224") != 0 ||
        ts_user_add(&api_srv, "doctor", "doctor-password", "family_doctor", "team:1") != 0 ||
        ts_user_add(&api_srv, "village", "village-password", "village_doctor",
                    "ou:222404100001") != 0 ||
        ts_user_add(&api_srv, "facility", "facility-password", "facility_admin",
                    "facility:F7") != 0)
        return NULL;
    return &api_srv;
}

static int get_status(const char *user, const char *password, const char *path,
                      struct ts_response *out)
{
    char token[ACCT_TOKEN_HEX];
    if (ts_login(api_srv.port, user, password, token) != 200)
        return -1;
    if (ts_get(api_srv.port, path, token, out) != 0)
        return -1;
    return out->status;
}

static json_t *value_json(json_t *values, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
            return v;
    }
    return NULL;
}

TEST(api_values_and_children)
{
    CHECK(api() != NULL);
    struct ts_response r;
    CHECK_INT(get_status("analyst", "analyst-password",
                         "/api/indicators?ou=222404&period=2024", &r), 200);
    CHECK(r.json != NULL);
    CHECK_STR(json_string_value(json_object_get(r.json, "ou")), "222404");
    CHECK_STR(json_string_value(json_object_get(r.json, "level")), "county");
    json_t *period = json_object_get(r.json, "period");
    CHECK_STR(json_string_value(json_object_get(period, "start")), "2024-01-01");
    CHECK_STR(json_string_value(json_object_get(period, "reference_date")), "2024-12-31");
    json_t *values = json_object_get(r.json, "values");
    json_t *coverage = value_json(values, "record_coverage");
    CHECK(coverage != NULL);
    CHECK(fabs(json_real_value(json_object_get(coverage, "value")) - 60.0) < 1e-9);
    CHECK_INT(json_integer_value(json_object_get(coverage, "numerator")), 18);
    CHECK_INT(json_integer_value(json_object_get(coverage, "denominator")), 30);
    CHECK_INT(json_integer_value(json_object_get(coverage, "scale")), 100);
    CHECK_STR(json_string_value(json_object_get(coverage, "name_zh")), "居民健康档案建档率");
    CHECK(json_is_null(json_object_get(value_json(values, "counties_dialysis"), "value")));
    CHECK(json_object_get(r.json, "children") == NULL);
    ts_response_free(&r);

    CHECK_INT(get_status("analyst", "analyst-password",
                         "/api/indicators?ou=222404&period=2024&level=children", &r), 200);
    json_t *children = json_object_get(r.json, "children");
    CHECK_INT(json_array_size(children), 2);
    json_t *t1 = json_array_get(children, 0);
    CHECK_STR(json_string_value(json_object_get(t1, "ou")), "222404100");
    CHECK_STR(json_string_value(json_object_get(t1, "name")), "township T1");
    json_t *signed_t1 = value_json(json_object_get(t1, "values"), "signed");
    CHECK_INT(json_integer_value(json_object_get(signed_t1, "numerator")), 6);
    ts_response_free(&r);

    CHECK_INT(get_status("analyst", "analyst-password",
                         "/api/indicators?ou=2224&period=2024-07-01..2024-12-31&by=village",
                         &r), 200);
    children = json_object_get(r.json, "children");
    CHECK_INT(json_array_size(children), 3);
    json_t *v3 = json_array_get(children, 2);
    CHECK_STR(json_string_value(json_object_get(v3, "ou")), "222404200001");
    json_t *rec = value_json(json_object_get(v3, "values"), "records");
    CHECK_INT(json_integer_value(json_object_get(rec, "numerator")), 6);
    ts_response_free(&r);
}

TEST(api_scopes_and_refusals)
{
    CHECK(api() != NULL);
    struct ts_response r;
    /* An analyst of the city asking for the province: as if it did not exist. */
    CHECK_INT(get_status("analyst", "analyst-password", "/api/indicators?ou=22&period=2024",
                         &r), 404);
    CHECK_STR(ts_err_code(&r), "not_found");
    ts_response_free(&r);
    CHECK_INT(get_status("analyst", "analyst-password",
                         "/api/indicators?ou=222499&period=2024", &r), 404);
    ts_response_free(&r);
    CHECK_INT(get_status("analyst", "analyst-password", "/api/indicators?period=2024", &r),
              400);
    CHECK_STR(ts_err_field(&r), "ou");
    ts_response_free(&r);
    CHECK_INT(get_status("analyst", "analyst-password", "/api/indicators?ou=2224&period=2024Q5",
                         &r), 400);
    CHECK_STR(ts_err_field(&r), "period");
    ts_response_free(&r);
    CHECK_INT(get_status("analyst", "analyst-password", "/api/indicators?ou=2224", &r), 400);
    CHECK_STR(ts_err_field(&r), "period");
    ts_response_free(&r);
    CHECK_INT(get_status("analyst", "analyst-password",
                         "/api/indicators?ou=2224&period=2024&by=planet", &r), 400);
    CHECK_STR(ts_err_field(&r), "by");
    ts_response_free(&r);
    CHECK_INT(get_status("analyst", "analyst-password",
                         "/api/indicators?ou=2224&period=2024&level=all", &r), 400);
    CHECK_STR(ts_err_field(&r), "level");
    ts_response_free(&r);
    /* A family doctor of team 1 (lead facility F6 in township T1) sees T1's subtree. */
    CHECK_INT(get_status("doctor", "doctor-password",
                         "/api/indicators?ou=222404100&period=2024", &r), 200);
    ts_response_free(&r);
    CHECK_INT(get_status("doctor", "doctor-password",
                         "/api/indicators?ou=222404100002&period=2024", &r), 200);
    ts_response_free(&r);
    CHECK_INT(get_status("doctor", "doctor-password", "/api/indicators?ou=222404&period=2024",
                         &r), 404);
    ts_response_free(&r);
    /* A facility admin of F7 (township T2). */
    CHECK_INT(get_status("facility", "facility-password",
                         "/api/indicators?ou=222404200&period=2024", &r), 200);
    ts_response_free(&r);
    CHECK_INT(get_status("facility", "facility-password",
                         "/api/indicators?ou=222404100&period=2024", &r), 404);
    ts_response_free(&r);
    /* A village doctor has no aggregate permission. */
    CHECK_INT(get_status("village", "village-password",
                         "/api/indicators?ou=222404100001&period=2024", &r), 403);
    CHECK_STR(ts_err_code(&r), "forbidden");
    ts_response_free(&r);
    /* Index verification is for admins. */
    CHECK_INT(get_status("analyst", "analyst-password", "/api/index/verify", &r), 403);
    ts_response_free(&r);
}

TEST(api_index_verify)
{
    CHECK(api() != NULL);
    struct ts_response r;
    CHECK_INT(get_status("admin", TS_ADMIN_PASSWORD, "/api/index/verify", &r), 200);
    CHECK(json_is_true(json_object_get(r.json, "consistent")));
    CHECK_INT(json_integer_value(json_object_get(r.json, "residents")), 24);
    CHECK_INT(json_integer_value(json_object_get(r.json, "differences")), 0);
    ts_response_free(&r);
    /* A write that bypasses the index is caught and named. */
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(api_srv.db, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "UPDATE resident SET sex = 1 WHERE id = 13", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(get_status("admin", TS_ADMIN_PASSWORD, "/api/index/verify", &r), 200);
    CHECK(json_is_false(json_object_get(r.json, "consistent")));
    CHECK_INT(json_integer_value(json_object_get(r.json, "differences")), 1);
    CHECK_CONTAINS(json_string_value(json_object_get(r.json, "first")), "resident 13");
    ts_response_free(&r);
    /* Refreshing the resident, as a write path does, makes them agree again. */
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(api_srv.store);
    CHECK_INT(pidx_resident_refresh(api_index, c, 13, &err), 0);
    store_release(c);
    CHECK_INT(get_status("admin", TS_ADMIN_PASSWORD, "/api/index/verify", &r), 200);
    CHECK(json_is_true(json_object_get(r.json, "consistent")));
    ts_response_free(&r);
}

TEST_MAIN()
