/*
 * test_service_rates.c - the management rates of issue 4 on a small hand-made region whose
 * every value is worked out by hand below: each rate for 2025 by village and for the
 * county, the roll-up of children into parents, a quarter, vaccine doses given a day too
 * early, the generated per-dose definitions, targets and "behind" flags, and the API.
 *
 * The region: 22 province ─ 2224 city ─ 222404 county ─┬ 222404100 T1 ─┬ V1 222404100001
 *                                                      │                └ V2 222404100002
 *                                                      └ 222404200 T2 ── V3 222404200001
 * Org unit ids: 1 province, 2 city, 3 county, 4 T1, 5 T2, 6 V1, 7 V2, 8 V3. The index is
 * loaded from the store with the shipped protocol, as the server does. Period 2025: D is
 * 2025-12-31. No resident has more than 4 events of an item, so the index keeps them all
 * whatever today is (pidx_history_cutoff keeps the last 4 of each item before last year).
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
#include "services/services.h"
#include "store/store.h"
#include "support.h"
#include "test.h"

/*
 * Residents (sex, birth, village) and what they have; "svc" counts their events of 2025.
 *   V1: R1  m 1950-03-01  hypertension; elderly contract 2025; htn follow-ups Feb (unctl),
 *           May (ctl), Aug (unctl), Nov (ctl); elderly checkup Apr-10            svc 5
 *       R2  f 1958-06-01  diabetes; chronic contract 2025; dm follow-ups Mar, Sep (last
 *           uncontrolled)                                                          svc 2
 *       R3  m 1960-12-31  65 exactly on D; elderly TCM on D                        svc 1
 *       R4  f 1990-01-01  pregnant 2025-01-15..2025-10-20, expected 2025-09-20 (LMP
 *           2024-12-14, first visit due by 2025-03-14); maternal_child contract 2025;
 *           prenatal_1 Feb-10, postpartum visit Sep-26                             svc 2
 *       R5  f 2025-03-01  newborn; maternal_child contract 2025-03-10..2026-03-09;
 *           newborn visit Mar-06, child 1m Mar-30, 3m Jun-05, 6m Sep-02, 8m Nov-03,
 *           TCM 6m Sep-02, HepB 1 on the birth day, BCG Mar-05, HepB 2 on Mar-31
 *           (a day before 1 month: too early)                                      svc 9
 *       R6  m 2022-06-15  JE-L 2 on 2024-07-01 (after 2 years: counts)             svc 0
 *       R7  f 1975-05-05  basic contract 2025; cervical screen 2023-08-01, breast
 *           2022-06-01 (too old to cover D)                                        svc 0
 *       R15 m 1961-01-01  65 on 2026-01-01: not yet                                svc 0
 *   V2: R8  m 1980-01-01  severe mental; chronic contract 2025; 4 follow-ups, last
 *           stable                                                                 svc 4
 *       R9  m 1970-07-07  tuberculosis 2025-05-10..2025-11-30; first visit May-20
 *           (window ended May-13)                                                  svc 1
 *       R10 f 1985-08-08  tuberculosis from 2025-12-30; first visit 2026-01-02 (in
 *           its window, after D: counts); breast screen 2025-06-01                 svc 1
 *       R11 m 1945-01-01  hypertension and diabetes; chronic contract 2025; htn Jan
 *           (unctl), Apr (ctl), Jul (unctl), Oct (unctl); dm Jan..Oct, last
 *           controlled; elderly checkup Jun-01                                     svc 9
 *   V3: R12 f 2024-02-10  HepB 3 on 2024-08-09 (a day before 6 months: too early), MMR 1
 *           on 2024-10-10 (8 months to the day: counts); child 12m and TCM 12m on
 *           2025-02-15                                                             svc 2
 *       R13 m 1930-01-01  lived in V2 until 2025-06-30; elderly checkup 2025-03-01
 *           (counted in V2 as a service, in V3 as a checked elderly resident)    svc 1 (V2)
 *       R14 f 1995-01-01  died 2025-08-01; pregnant 2024-06-01..2025-02-20, expected
 *           2025-02-28: delivered 2025-02-20; prenatal_1 2024-09-01 (late), postpartum
 *           visit 2025-02-24                                                       svc 1
 *       R16 f 2025-11-20  newborn visit Nov-29 (window ended Nov-27)               svc 1
 */
static const char *const region_sql =
    "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
    " (1, '22', 'province', 1, NULL, 't'), (2, '2224', 'city', 2, 1, 't'),"
    " (3, '222404', 'county', 3, 2, 't'), (4, '222404100', 'T1', 4, 3, 't'),"
    " (5, '222404200', 'T2', 4, 3, 't'), (6, '222404100001', 'V1', 5, 4, 't'),"
    " (7, '222404100002', 'V2', 5, 4, 't'), (8, '222404200001', 'V3', 5, 5, 't');"
    "INSERT INTO facility (id, code, name, type, grade, ownership, ou_id, beds, icu_beds,"
    " infant_care_places, services, status, updated_at) VALUES"
    " (1, 'F1', 'c', 'township_center', 'none', 'public', 4, 10, 0, 0, '', 'active', 't');"
    "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
    " (1, 'T1', 'team', 1, 'active', 't');"
    "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, record_date, status,"
    " status_date, maternal_death, updated_at) VALUES"
    " (1, 'n1', 'r', 1, '1950-03-01', 6, '2010-01-01', 'active', NULL, 0, 't'),"
    " (2, 'n2', 'r', 2, '1958-06-01', 6, '2010-01-01', 'active', NULL, 0, 't'),"
    " (3, 'n3', 'r', 1, '1960-12-31', 6, '2010-01-01', 'active', NULL, 0, 't'),"
    " (4, 'n4', 'r', 2, '1990-01-01', 6, '2010-01-01', 'active', NULL, 0, 't'),"
    " (5, 'n5', 'r', 2, '2025-03-01', 6, '2025-03-01', 'active', NULL, 0, 't'),"
    " (6, 'n6', 'r', 1, '2022-06-15', 6, '2022-06-15', 'active', NULL, 0, 't'),"
    " (7, 'n7', 'r', 2, '1975-05-05', 6, '2010-01-01', 'active', NULL, 0, 't'),"
    " (8, 'n8', 'r', 1, '1980-01-01', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (9, 'n9', 'r', 1, '1970-07-07', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (10, 'n10', 'r', 2, '1985-08-08', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (11, 'n11', 'r', 1, '1945-01-01', 7, '2010-01-01', 'active', NULL, 0, 't'),"
    " (12, 'n12', 'r', 2, '2024-02-10', 8, '2024-02-10', 'active', NULL, 0, 't'),"
    " (13, 'n13', 'r', 1, '1930-01-01', 8, '2010-01-01', 'active', NULL, 0, 't'),"
    " (14, 'n14', 'r', 2, '1995-01-01', 8, '2010-01-01', 'deceased', '2025-08-01', 0, 't'),"
    " (15, 'n15', 'r', 1, '1961-01-01', 6, '2010-01-01', 'active', NULL, 0, 't'),"
    " (16, 'n16', 'r', 2, '2025-11-20', 8, '2025-11-20', 'active', NULL, 0, 't');"
    "INSERT INTO residence (resident_id, ou_id, from_date, to_date) VALUES"
    " (13, 7, '2010-01-01', '2025-06-30');"
    "UPDATE resident SET residence_from = '2025-07-01' WHERE id = 13;"
    "INSERT INTO resident_tag (resident_id, tag, from_date, to_date, expected_delivery) VALUES"
    " (1, 'hypertension', '2016-01-01', NULL, NULL), (2, 'diabetes', '2020-01-01', NULL, NULL),"
    " (4, 'pregnant', '2025-01-15', '2025-10-20', '2025-09-20'),"
    " (8, 'severe_mental', '2019-01-01', NULL, NULL),"
    " (9, 'tuberculosis', '2025-05-10', '2025-11-30', NULL),"
    " (10, 'tuberculosis', '2025-12-30', NULL, NULL),"
    " (11, 'hypertension', '2012-01-01', NULL, NULL), (11, 'diabetes', '2013-01-01', NULL, NULL),"
    " (14, 'pregnant', '2024-06-01', '2025-02-20', '2025-02-28');"
    "INSERT INTO contract (resident_id, team_id, package, from_date, to_date, status,"
    " ended_date, updated_at) VALUES"
    " (1, 1, 'elderly', '2025-01-01', '2025-12-31', 'active', NULL, 't'),"
    " (2, 1, 'chronic', '2025-01-01', '2025-12-31', 'active', NULL, 't'),"
    " (4, 1, 'maternal_child', '2025-01-01', '2025-12-31', 'active', NULL, 't'),"
    " (5, 1, 'maternal_child', '2025-03-10', '2026-03-09', 'active', NULL, 't'),"
    " (7, 1, 'basic', '2025-01-01', '2025-12-31', 'active', NULL, 't'),"
    " (8, 1, 'chronic', '2025-01-01', '2025-12-31', 'active', NULL, 't'),"
    " (11, 1, 'chronic', '2025-01-01', '2025-12-31', 'active', NULL, 't');";

/* Events: resident, item, day, outcome (1 controlled, 2 uncontrolled). */
static const struct {
    int resident;
    const char *item, *day;
    int outcome;
} events[] = {
    {1, "htn_followup", "2025-02-10", 2}, {1, "htn_followup", "2025-05-10", 1},
    {1, "htn_followup", "2025-08-10", 2}, {1, "htn_followup", "2025-11-10", 1},
    {1, "elderly_checkup", "2025-04-10", 0},
    {2, "dm_followup", "2025-03-05", 1}, {2, "dm_followup", "2025-09-05", 2},
    {3, "elderly_tcm", "2025-12-31", 0},
    {4, "prenatal_1", "2025-02-10", 0}, {4, "postpartum_visit", "2025-09-26", 0},
    {5, "newborn_visit", "2025-03-06", 0}, {5, "child_1m", "2025-03-30", 0},
    {5, "child_3m", "2025-06-05", 0}, {5, "child_6m", "2025-09-02", 0},
    {5, "child_8m", "2025-11-03", 0}, {5, "child_tcm_6m", "2025-09-02", 0},
    {5, "hepb_1", "2025-03-01", 0}, {5, "bcg_1", "2025-03-05", 0},
    {5, "hepb_2", "2025-03-31", 0},
    {6, "jel_2", "2024-07-01", 0},
    {7, "cervical_screen", "2023-08-01", 0}, {7, "breast_screen", "2022-06-01", 0},
    {8, "mental_followup", "2025-01-20", 2}, {8, "mental_followup", "2025-04-20", 1},
    {8, "mental_followup", "2025-07-20", 1}, {8, "mental_followup", "2025-10-20", 1},
    {9, "tb_first_visit", "2025-05-20", 0},
    {10, "tb_first_visit", "2026-01-02", 0}, {10, "breast_screen", "2025-06-01", 0},
    {11, "htn_followup", "2025-01-15", 2}, {11, "htn_followup", "2025-04-15", 1},
    {11, "htn_followup", "2025-07-15", 2}, {11, "htn_followup", "2025-10-15", 2},
    {11, "dm_followup", "2025-01-15", 2}, {11, "dm_followup", "2025-04-15", 2},
    {11, "dm_followup", "2025-07-15", 2}, {11, "dm_followup", "2025-10-15", 1},
    {11, "elderly_checkup", "2025-06-01", 0},
    {12, "hepb_3", "2024-08-09", 0}, {12, "mmr_1", "2024-10-10", 0},
    {12, "child_12m", "2025-02-15", 0}, {12, "child_tcm_12m", "2025-02-15", 0},
    {13, "elderly_checkup", "2025-03-01", 0},
    {14, "prenatal_1", "2024-09-01", 0}, {14, "postpartum_visit", "2025-02-24", 0},
    {16, "newborn_visit", "2025-11-29", 0},
};

static int insert_region(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, region_sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO service_event (external_id, resident_id, item,"
                                    " service_date, facility_id, outcome, recorded_at)"
                                    " VALUES (?, ?, ?, ?, 1, ?, 't')", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof(events) / sizeof(events[0]); i++) {
        char ext[16];
        snprintf(ext, sizeof(ext), "e%zu", i);
        sqlite3_bind_text(st, 1, ext, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, events[i].resident);
        sqlite3_bind_text(st, 3, events[i].item, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, events[i].day, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, events[i].outcome);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(st);
    }
    if (rc != SQLITE_OK)
        fprintf(stderr, "    sql: %s\n", msg ? msg : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static struct svc_protocol *protocol;

static const struct svc_protocol *shipped_protocol(void)
{
    static const char *const paths[] = {"data/measurements.csv", "data/protocols.csv",
                                        "data/protocol-rules.csv"};
    struct yl_err err = {0};
    if (protocol == NULL && svc_protocol_load(paths, 3, &protocol, &err) != 0)
        fprintf(stderr, "    protocol: %s\n", yl_err_message(&err));
    return protocol;
}

/* The region's index, built once and shared by the computing tests. */
static struct store *region_store;
static struct pidx *region_index;

static void region_release(void)
{
    pidx_free(region_index);
    store_close(region_store);
    svc_protocol_free(protocol);
}

static struct pidx *region(void)
{
    if (region_index != NULL)
        return region_index;
    struct yl_err err = {0};
    const char *path = ts_path("rates.db");
    if (shipped_protocol() == NULL || store_open(path, NULL, &region_store, &err) != 0 ||
        store_migrate(region_store, NULL, &err) != 0 || insert_region(path) != 0)
        return NULL;
    region_index = pidx_new();
    pidx_set_protocol(region_index, protocol);
    atexit(region_release);
    if (pidx_load(region_index, region_store, &err) != 0) {
        fprintf(stderr, "    load: %s\n", yl_err_message(&err));
        return NULL;
    }
    return region_index;
}

static const int32_t TODAY = 20454 + 365;   /* 2027-01-01: every period of 2025 is over */

static struct ind_result *compute(const char *period)
{
    struct ind_period p;
    struct yl_err err = {0};
    struct pidx *x = region();
    if (x == NULL || ind_period_parse(period, TODAY, &p, &err) != 0)
        return NULL;
    return ind_compute(x, &p, 2);
}

/* A catalog with the shipped protocol and targets, plus `region_file` when given. */
static struct ind_catalog *catalog(const char *region_file, struct yl_err *err)
{
    const char *paths[2] = {"data/indicator-targets.csv", region_file};
    struct ind_catalog *c = NULL;
    ind_catalog_new(shipped_protocol(), paths, region_file != NULL ? 2 : 1, &c, err);
    return c;
}

/* The shipped catalog, built once for the value checks. */
static struct ind_catalog *shared_catalog;

static void catalog_release(void)
{
    ind_catalog_free(shared_catalog);
}

static struct ind_value val(const struct ind_result *r, uint32_t ou, const char *id)
{
    struct ind_value v = {0};
    struct yl_err err = {0};
    if (shared_catalog == NULL) {
        shared_catalog = catalog(NULL, &err);
        atexit(catalog_release);
    }
    const struct ind_def *d = shared_catalog != NULL ? ind_catalog_find(shared_catalog, id)
                                                     : NULL;
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
        if (v_.has_value != ((den) != 0)) {                                       \
            TEST_FAIL_AT("%s of unit %d: has_value %d", id, (int)(ou),            \
                         (int)v_.has_value);                                      \
            return;                                                               \
        }                                                                         \
    } while (0)

/* ------------------------------------------------------------------ 2025 by hand */

TEST(contract_fulfilment)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    /* Signed on D: V1 R1 R2 R4 R5 R7, V2 R8 R11. Served: R1 (elderly: the checkup), R5
     * (maternal_child: newborn visit, 1m, 3m, 6m and 8m checks all closed in 2025 and all
     * done), R8 and R11 (chronic: 4 follow-ups of each of their programmes). Not served:
     * R2 (2 diabetes follow-ups of 4), R4 (7 maternal items closed in 2025, 2 done: the
     * first prenatal and the postpartum visit), R7 (basic: no service in 2025). */
    CHECK_VAL(r, 6, "contract_fulfilment", 2, 5);
    CHECK_VAL(r, 7, "contract_fulfilment", 2, 2);
    CHECK_VAL(r, 8, "contract_fulfilment", 0, 0);
    CHECK_VAL(r, 3, "contract_fulfilment", 4, 7);
    ind_result_free(r);
}

TEST(elderly_and_tcm)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    /* 65+ on D: V1 R1 R2 R3 (65 on D itself; R15 only on 2026-01-01), V2 R11, V3 R13.
     * Checked: R1, R11, R13 (in March, while in V2: he counts where he lives on D). */
    CHECK_VAL(r, 6, "elderly_health_management", 1, 3);
    CHECK_VAL(r, 7, "elderly_health_management", 1, 1);
    CHECK_VAL(r, 8, "elderly_health_management", 1, 1);
    CHECK_VAL(r, 3, "elderly_health_management", 3, 5);
    /* Elderly TCM: the same 5; R3 on D. */
    CHECK_VAL(r, 3, "elderly_tcm_management", 1, 5);
    CHECK_VAL(r, 6, "elderly_tcm_management", 1, 3);
    /* Children under 37 months on D (born from 2022-12-01): V1 R5 (TCM 6m), V3 R12 (TCM
     * 12m), R16 (none). R6 (born 2022-06-15) has outgrown it. */
    CHECK_VAL(r, 3, "child_tcm_management", 2, 3);
    CHECK_VAL(r, 8, "child_tcm_management", 1, 2);
    ind_result_free(r);
}

TEST(chronic_diseases)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    /* Hypertension: R1 (V1), R11 (V2), both 4 follow-ups; the last controlled for R1
     * (Nov), not for R11 (Oct). */
    CHECK_VAL(r, 3, "hypertension_management", 2, 2);
    CHECK_VAL(r, 3, "hypertension_standardized_management", 2, 2);
    CHECK_VAL(r, 3, "hypertension_control", 1, 2);
    CHECK_VAL(r, 7, "hypertension_control", 0, 1);
    /* Diabetes: R2 (V1) 2 follow-ups, last uncontrolled; R11 4, last controlled. */
    CHECK_VAL(r, 3, "diabetes_management", 2, 2);
    CHECK_VAL(r, 3, "diabetes_standardized_management", 1, 2);
    CHECK_VAL(r, 6, "diabetes_standardized_management", 0, 1);
    CHECK_VAL(r, 3, "diabetes_control", 1, 2);
    /* Severe mental disorder: R8, 4 follow-ups; the base is the patients registered. */
    CHECK_VAL(r, 3, "severe_mental_management", 1, 1);
    CHECK_VAL(r, 3, "severe_mental_standardized_management", 1, 1);
    /* Tuberculosis notified in 2025: R9 (visited a week late), R10 (notified 2025-12-30,
     * visited 2026-01-02: within its 72 hours, after D). */
    CHECK_VAL(r, 3, "tuberculosis_management", 1, 2);
    CHECK_VAL(r, 7, "tuberculosis_management", 1, 2);
    ind_result_free(r);
}

TEST(mothers_and_children)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    /* Births: R5 (V1, visited on day 5), R16 (V3, visited on day 9: late). */
    CHECK_VAL(r, 3, "newborn_visit", 1, 2);
    CHECK_VAL(r, 6, "newborn_visit", 1, 1);
    CHECK_VAL(r, 8, "newborn_visit", 0, 1);
    /* 0-6 on D (born 2019-01-01 on): V1 R5 (checked), R6 (nothing in 2025); V3 R12 (12m
     * check), R16 (the late newborn visit is a child service all the same). */
    CHECK_VAL(r, 3, "child_health_management", 3, 4);
    CHECK_VAL(r, 6, "child_health_management", 1, 2);
    /* Deliveries: R4 (V1, 2025-09-20: first visit in week 8, postpartum on day 6), R14
     * (V3, 2025-02-20, ended before the expected day at 38 weeks; first visit in week 14:
     * late; postpartum on day 4). R14 died later in the year: a flow counts all the same. */
    CHECK_VAL(r, 3, "early_pregnancy_registration", 1, 2);
    CHECK_VAL(r, 3, "postpartum_visit", 2, 2);
    CHECK_VAL(r, 8, "early_pregnancy_registration", 0, 1);
    ind_result_free(r);
}

TEST(vaccine_doses_by_cohort)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    /* HepB 1 is due before 2 days: the 2025 cohort is born 2024-12-30..2025-12-29, here
     * R5 (given on the birth day) and R16 (not given). */
    CHECK_VAL(r, 3, "vaccination_hepb_1", 1, 2);
    CHECK_VAL(r, 6, "vaccination_hepb_1", 1, 1);
    CHECK_VAL(r, 8, "vaccination_hepb_1", 0, 1);
    /* HepB 2 (from 1 month, due before 2): R5 got it at 30 days, on 2025-03-31, a day
     * before 2025-04-01: it does not count. */
    CHECK_VAL(r, 3, "vaccination_hepb_2", 0, 1);
    /* HepB 3 (from 6 months, due before 12): R12 (born 2024-02-10) reached 12 months in
     * 2025; her dose on 2024-08-09 was a day before 6 months. */
    CHECK_VAL(r, 3, "vaccination_hepb_3", 0, 1);
    /* MMR 1 (from 8 months): R12 on 2024-10-10, 8 months to the day: it counts. */
    CHECK_VAL(r, 3, "vaccination_mmr_1", 1, 1);
    CHECK_VAL(r, 3, "vaccination_bcg_1", 1, 1);
    /* JE-L 2 is due before 3 years: the 2022 cohort, R6, vaccinated in 2024. */
    CHECK_VAL(r, 3, "vaccination_jel_2", 1, 1);
    /* DT is due before 7 years: the 2018 cohort, nobody here. */
    CHECK_VAL(r, 3, "vaccination_dt_1", 0, 0);
    ind_result_free(r);
}

TEST(screening_and_counts)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    /* Women 35-64 on D: R4 (35), R7, R10; R2 is 67. Cervical within 3 years: R7
     * (2023-08-01); breast: R10 (R7's 2022 screen no longer covers D). */
    CHECK_VAL(r, 3, "screening_cervical_screen", 1, 3);
    CHECK_VAL(r, 3, "screening_breast_screen", 1, 3);
    CHECK_VAL(r, 6, "screening_breast_screen", 0, 2);
    /* Key populations on D with a service in 2025: V1 R1 R2 R3 R5 (R6 had none), V2 R8
     * R10 (notified on 2025-12-30) R11 (R9's tag ended in November), V3 R12 R13 R16. */
    CHECK_VAL(r, 6, "key_population_managed", 4, 1);
    CHECK_VAL(r, 7, "key_population_managed", 3, 1);
    CHECK_VAL(r, 8, "key_population_managed", 3, 1);
    CHECK_VAL(r, 3, "key_population_managed", 10, 1);
    /* Services of 2025 where the resident lived that day: V1 5+2+1+2+9 = 19; V2 R8 4,
     * R9 1, R10 1, R11 9 and R13's March checkup = 16; V3 R12 2, R14 1, R16 1 = 4. */
    CHECK_VAL(r, 6, "services_delivered", 19, 1);
    CHECK_VAL(r, 7, "services_delivered", 16, 1);
    CHECK_VAL(r, 8, "services_delivered", 4, 1);
    CHECK_VAL(r, 3, "services_delivered", 39, 1);
    ind_result_free(r);
}

TEST(a_quarter)
{
    /* 2025Q2, D = 2025-06-30: `times` 4 a year scales to 1 a quarter. Hypertension: R1
     * (May, controlled), R11 (Apr, controlled): both standard and controlled. Diabetes:
     * R2 had none in the quarter (Mar, Sep), R11 one (Apr). 65+ on 2025-06-30: R1, R2,
     * R11 and R13 (then in V2); R3 is 64. Checked in the quarter: R1 (Apr), R11 (Jun). */
    struct ind_result *r = compute("2025Q2");
    CHECK(r != NULL);
    CHECK_VAL(r, 3, "hypertension_standardized_management", 2, 2);
    CHECK_VAL(r, 3, "hypertension_control", 2, 2);
    CHECK_VAL(r, 3, "diabetes_management", 1, 2);
    CHECK_VAL(r, 3, "diabetes_standardized_management", 1, 1);
    CHECK_VAL(r, 3, "elderly_health_management", 2, 4);
    CHECK_VAL(r, 7, "elderly_health_management", 1, 2);
    /* Services of the quarter: R1 May + Apr checkup, R5 child 3m, R8 Apr, R10 breast,
     * R11 htn + dm Apr and Jun checkup = 9. */
    CHECK_VAL(r, 3, "services_delivered", 9, 1);
    /* Births of the quarter: none. */
    CHECK_VAL(r, 3, "newborn_visit", 0, 0);
    ind_result_free(r);
}

/* ------------------------------------------------------------------ roll-up */

TEST(rates_roll_up_into_parents)
{
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    CHECK(r->n_measures > IND_M_COUNT);
    for (size_t m = IND_M_SIGNED_SERVED; m < r->n_measures; m++) {
        if (m >= IND_M_RESIDENT_END && m < IND_M_COUNT)
            continue;
        enum ind_measure e = (enum ind_measure)m;
        int64_t v1 = ind_result_measure(r, 6, e), v2 = ind_result_measure(r, 7, e);
        int64_t v3 = ind_result_measure(r, 8, e);
        if (ind_result_measure(r, 4, e) != v1 + v2 || ind_result_measure(r, 5, e) != v3 ||
            ind_result_measure(r, 3, e) != v1 + v2 + v3 ||
            ind_result_measure(r, 2, e) != ind_result_measure(r, 3, e) ||
            ind_result_measure(r, 1, e) != ind_result_measure(r, 2, e)) {
            TEST_FAIL_AT("measure %zu does not roll up: V1 %lld V2 %lld V3 %lld county %lld",
                         m, (long long)v1, (long long)v2, (long long)v3,
                         (long long)ind_result_measure(r, 3, e));
            return;
        }
    }
    /* Something was counted at every village. */
    CHECK(ind_result_measure(r, 8, IND_M_SERVICES) > 0);
    ind_result_free(r);
}

TEST(threads_and_no_protocol)
{
    struct ind_period p;
    struct yl_err err = {0};
    struct pidx *x = region();
    CHECK(x != NULL);
    CHECK_INT(ind_period_parse("2025", TODAY, &p, &err), 0);
    struct ind_result *one = ind_compute(x, &p, 1), *many = ind_compute(x, &p, 7);
    CHECK_INT(one->n_measures, many->n_measures);
    CHECK(memcmp(one->m, many->m, one->n_ous * one->n_measures * sizeof(int64_t)) == 0);
    ind_result_free(one);
    ind_result_free(many);
    /* An index without a protocol keeps no history: the rates are empty, not wrong. */
    struct pidx *bare = pidx_new();
    CHECK_INT(pidx_load(bare, region_store, &err), 0);
    struct ind_result *r = ind_compute(bare, &p, 2);
    CHECK_INT(r->n_measures, IND_M_COUNT);
    CHECK_INT(ind_result_measure(r, 3, IND_M_SERVICES), 0);
    CHECK_INT(ind_result_measure(r, 3, IND_M_SIGNED), 7);
    ind_result_free(r);
    pidx_free(bare);
}

/* ------------------------------------------------------------------ catalog, targets */

static const char *write_file(const char *name, const char *text)
{
    const char *path = ts_path(name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

TEST(catalog_generates_one_row_per_dose)
{
    struct yl_err err = {0};
    struct ind_catalog *c = catalog(NULL, &err);
    CHECK(c != NULL);
    size_t n, n_static;
    const struct ind_def *d = ind_catalog_defs(c, &n);
    ind_defs(&n_static);
    /* 22 vaccine doses and 2 screening items in the shipped protocol. */
    CHECK_INT(n, n_static + 24);
    const struct ind_def *hepb2 = ind_catalog_find(c, "vaccination_hepb_2");
    CHECK(hepb2 != NULL);
    CHECK_STR(hepb2->name_zh, "乙肝疫苗第2剂接种率");
    CHECK_STR(hepb2->name_en, "vaccination coverage, HepB dose 2");
    CHECK_CONTAINS(hepb2->base, "due age (2m)");
    CHECK(ind_catalog_find(c, "screening_breast_screen") != NULL);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(d[i].id, d[j].id) != 0);
    ind_catalog_free(c);
    /* Without a protocol: the static table. */
    CHECK_INT(ind_catalog_new(NULL, NULL, 0, &c, &err), 0);
    ind_catalog_defs(c, &n);
    CHECK_INT(n, n_static);
    ind_catalog_free(c);
}

TEST(targets_and_behind)
{
    struct yl_err err = {0};
    struct ind_catalog *c = catalog(NULL, &err);
    CHECK(c != NULL);
    struct ind_result *r = compute("2025");
    CHECK(r != NULL);
    struct ind_value v;
    /* The national goals shipped: standardized management of hypertension 2/2 = 100 %
     * against at least 70: not behind; of diabetes 1/2 = 50 %: behind. */
    const struct ind_def *htn = ind_catalog_find(c, "hypertension_standardized_management");
    CHECK_INT(htn->target.direction, IND_DIR_AT_LEAST);
    CHECK(fabs(htn->target.value - 70.0) < 1e-9);
    CHECK_CONTAINS(htn->target.source, "健康中国行动");
    ind_evaluate(r, 3, htn, &v);
    CHECK_INT(v.behind, IND_BEHIND_NO);
    ind_evaluate(r, 3, ind_catalog_find(c, "diabetes_standardized_management"), &v);
    CHECK_INT(v.behind, IND_BEHIND_YES);
    /* A pattern gives every dose the 90 % goal; HepB 1 is at 50 % in the county. */
    ind_evaluate(r, 3, ind_catalog_find(c, "vaccination_hepb_1"), &v);
    CHECK_INT(v.behind, IND_BEHIND_YES);
    ind_evaluate(r, 6, ind_catalog_find(c, "vaccination_hepb_1"), &v);
    CHECK_INT(v.behind, IND_BEHIND_NO);
    /* At most: no infant died among 2 births, 0 ‰ against at most 5. */
    ind_evaluate(r, 3, ind_catalog_find(c, "infant_mortality"), &v);
    CHECK_INT(v.behind, IND_BEHIND_NO);
    /* No value, nothing to judge: the county has no population figures. */
    ind_evaluate(r, 3, ind_catalog_find(c, "signing_rate"), &v);
    CHECK(!v.has_value);
    CHECK_INT(v.behind, IND_BEHIND_UNKNOWN);
    /* No target. */
    ind_evaluate(r, 3, ind_catalog_find(c, "contract_fulfilment"), &v);
    CHECK_INT(v.behind, IND_BEHIND_UNKNOWN);
    ind_catalog_free(c);

    /* A region's own file: a lower diabetes goal, no goal for HepB 1, an at-most one. */
    const char *own = write_file("own-targets.csv",
                                 "indicator,direction,target,source\n"
                                 "diabetes_standardized_management,at_least,40,county plan\n"
                                 "vaccination_hepb_1,,,\n"
                                 "services_delivered,at_most,30,\"a test, with a comma\"\n");
    c = catalog(own, &err);
    CHECK(c != NULL);
    ind_evaluate(r, 3, ind_catalog_find(c, "diabetes_standardized_management"), &v);
    CHECK_INT(v.behind, IND_BEHIND_NO);
    CHECK_STR(v.def->target.source, "county plan");
    ind_evaluate(r, 3, ind_catalog_find(c, "vaccination_hepb_1"), &v);
    CHECK_INT(v.def->target.direction, IND_DIR_NONE);
    CHECK_INT(v.behind, IND_BEHIND_UNKNOWN);
    ind_evaluate(r, 3, ind_catalog_find(c, "vaccination_hepb_2"), &v);
    CHECK_INT(v.behind, IND_BEHIND_YES);            /* the pattern still holds for the rest */
    ind_evaluate(r, 3, ind_catalog_find(c, "services_delivered"), &v);
    CHECK_INT(v.behind, IND_BEHIND_YES);            /* 39 services, at most 30 */
    ind_evaluate(r, 8, ind_catalog_find(c, "services_delivered"), &v);
    CHECK_INT(v.behind, IND_BEHIND_NO);
    ind_catalog_free(c);
    ind_result_free(r);
}

TEST(targets_refused)
{
    static const struct {
        const char *text, *field, *message;
    } bad[] = {
        {"indicator,direction,target\nno_such_rate,at_least,5\n", "indicator",
         ":2: indicator: no indicator \"no_such_rate\""},
        {"indicator,direction,target\nsigning_rate,above,5\n", "direction", ":2: direction"},
        {"indicator,direction,target\nsigning_rate,at_least,75%\n", "target", ":2: target"},
        {"indicator,target\nsigning_rate,75\n", "indicator_targets", "direction"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct yl_err err = {0};
        const char *path = write_file("bad-targets.csv", bad[i].text);
        struct ind_catalog *c = catalog(path, &err);
        if (c != NULL || strcmp(err.field, bad[i].field) != 0 ||
            strstr(yl_err_message(&err), bad[i].message) == NULL) {
            TEST_FAIL_AT("case %zu: field \"%s\", message \"%s\"", i, err.field,
                         yl_err_message(&err));
            ind_catalog_free(c);
            return;
        }
    }
    struct yl_err err = {0};
    CHECK(catalog("/nonexistent/targets.csv", &err) == NULL);
    CHECK_INT(err.code, YL_EIO);
}

/* ------------------------------------------------------------------ API */

static struct ts_server api_srv;
static struct pidx *api_index;
static struct ind_catalog *api_catalog;
static bool api_up;

static void api_stop(void)
{
    if (api_up)
        ts_server_stop(&api_srv);
    pidx_free(api_index);
    ind_catalog_free(api_catalog);
    api_up = false;
}

static struct ts_server *api(void)
{
    if (api_up)
        return &api_srv;
    struct yl_err err = {0};
    if (shipped_protocol() == NULL || ts_server_start(&api_srv, NULL, NULL) != 0 ||
        insert_region(api_srv.db) != 0)
        return NULL;
    api_index = pidx_new();
    pidx_set_protocol(api_index, protocol);
    api_catalog = catalog(NULL, &err);
    if (api_catalog == NULL || pidx_load(api_index, api_srv.store, &err) != 0)
        return NULL;
    api_srv.app.index = api_index;
    api_srv.app.protocol = protocol;
    api_srv.app.indicators = api_catalog;
    api_up = true;
    atexit(api_stop);
    if (ts_user_add(&api_srv, "analyst", "analyst-password", "analyst", "ou:222404") != 0)
        return NULL;
    return &api_srv;
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

TEST(api_rates_targets_behind)
{
    CHECK(api() != NULL);
    char token[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(api_srv.port, "analyst", "analyst-password", token), 200);
    struct ts_response r;
    CHECK_INT(ts_get(api_srv.port, "/api/indicators?ou=222404&period=2025&level=children",
                     token, &r), 0);
    CHECK_INT(r.status, 200);
    json_t *values = json_object_get(r.json, "values");
    json_t *dm = value_json(values, "diabetes_standardized_management");
    CHECK(dm != NULL);
    CHECK_INT(json_integer_value(json_object_get(dm, "numerator")), 1);
    CHECK_INT(json_integer_value(json_object_get(dm, "denominator")), 2);
    CHECK(fabs(json_real_value(json_object_get(dm, "target")) - 70.0) < 1e-9);
    CHECK_STR(json_string_value(json_object_get(dm, "target_direction")), "at_least");
    CHECK(json_is_true(json_object_get(dm, "behind")));
    json_t *hepb = value_json(values, "vaccination_hepb_1");
    CHECK(hepb != NULL);
    CHECK_STR(json_string_value(json_object_get(hepb, "name_zh")), "乙肝疫苗第1剂接种率");
    CHECK(fabs(json_real_value(json_object_get(hepb, "value")) - 50.0) < 1e-9);
    json_t *fulfil = value_json(values, "contract_fulfilment");
    CHECK(json_is_null(json_object_get(fulfil, "target")));
    CHECK(json_is_null(json_object_get(fulfil, "behind")));
    /* Children: T1 then T2; T2 (V3) has HepB 1 at 0 of 1: behind. */
    json_t *children = json_object_get(r.json, "children");
    CHECK_INT(json_array_size(children), 2);
    json_t *t2 = json_array_get(children, 1);
    CHECK_STR(json_string_value(json_object_get(t2, "ou")), "222404200");
    json_t *t2_hepb = value_json(json_object_get(t2, "values"), "vaccination_hepb_1");
    CHECK_INT(json_integer_value(json_object_get(t2_hepb, "numerator")), 0);
    CHECK(json_is_true(json_object_get(t2_hepb, "behind")));
    json_t *t1_services = value_json(json_object_get(json_array_get(children, 0), "values"),
                                     "services_delivered");
    CHECK_INT(json_integer_value(json_object_get(t1_services, "numerator")), 35);
    ts_response_free(&r);
}

TEST_MAIN()
