/*
 * indicators_bench.c - figures for the population index and the live indicators (issue 3,
 * "Benchmark"): for N synthetic residents put straight into the index, the build rate,
 * bytes per resident and the time of all indicators for every org unit at every level for
 * one year (best of 5); for the first N also the same data written to a SQLite file, the
 * index loaded from it, and records and signed residents by village, rolled up, computed by
 * SQLite's GROUP BY, with the ratio. Prints figures; it is not a test.
 *
 *   make build/release/bench_indicators
 *   build/release/bench_indicators [N ...]        default: 1000000 10000000
 * The SQLite part runs for the first N only; YL_BENCH_DB=FILE keeps (and reuses) its file.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/err.h"
#include "indicators/indicators.h"
#include "pindex/pindex.h"
#include "store/store.h"
#include "vocab/vocab.h"

#define COUNTIES 10
#define TOWNSHIPS_PER_COUNTY 20
#define VILLAGES_PER_TOWNSHIP 25
#define TOWNSHIPS (COUNTIES * TOWNSHIPS_PER_COUNTY)
#define VILLAGES (TOWNSHIPS * VILLAGES_PER_TOWNSHIP)
#define FIRST_COUNTY 3
#define FIRST_TOWNSHIP (FIRST_COUNTY + COUNTIES)
#define FIRST_VILLAGE (FIRST_TOWNSHIP + TOWNSHIPS)
#define N_OUS (FIRST_VILLAGE + VILLAGES)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int32_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* --- the region ------------------------------------------------------------------------- */

static void ou_code(uint32_t id, char *out, size_t n)
{
    if (id == 1) {
        snprintf(out, n, "22");
    } else if (id == 2) {
        snprintf(out, n, "2224");
    } else if (id < FIRST_TOWNSHIP) {
        snprintf(out, n, "2224%02u", id - FIRST_COUNTY + 1);
    } else if (id < FIRST_VILLAGE) {
        uint32_t t = id - FIRST_TOWNSHIP;
        snprintf(out, n, "2224%02u%03u", t / TOWNSHIPS_PER_COUNTY + 1,
                 100 + t % TOWNSHIPS_PER_COUNTY);
    } else {
        uint32_t v = id - FIRST_VILLAGE, t = v / VILLAGES_PER_TOWNSHIP;
        snprintf(out, n, "2224%02u%03u%03u", t / TOWNSHIPS_PER_COUNTY + 1,
                 100 + t % TOWNSHIPS_PER_COUNTY, 1 + v % VILLAGES_PER_TOWNSHIP);
    }
}

static uint32_t ou_parent(uint32_t id)
{
    if (id == 1)
        return PIDX_NONE;
    if (id == 2)
        return 1;
    if (id < FIRST_TOWNSHIP)
        return 2;
    if (id < FIRST_VILLAGE)
        return FIRST_COUNTY + (id - FIRST_TOWNSHIP) / TOWNSHIPS_PER_COUNTY;
    return FIRST_TOWNSHIP + (id - FIRST_VILLAGE) / VILLAGES_PER_TOWNSHIP;
}

static uint8_t ou_level(uint32_t id)
{
    return id == 1 ? 1 : id == 2 ? 2 : id < FIRST_TOWNSHIP ? 3 : id < FIRST_VILLAGE ? 4 : 5;
}

/* Facilities: a county hospital per county (ids 1..10), a township center per township
 * (11..210, the lead of that township's team), a village clinic per village. */
static uint32_t facility_of_township(uint32_t t)
{
    return COUNTIES + 1 + t;
}

/* Registry rows go to the index (x, may be NULL) and the database (db, may be NULL). */
static void registry(struct pidx *x, sqlite3 *db, long n_residents)
{
    sqlite3_stmt *ou = NULL, *pop = NULL, *fac = NULL, *staff = NULL, *team = NULL;
    if (db != NULL) {
        sqlite3_prepare_v2(db, "INSERT INTO ou (id, code, name, level, parent_id, updated_at)"
                               " VALUES (?, ?, 'u', ?, ?, 't')", -1, &ou, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO ou_population VALUES (?, 2024, ?, ?, ?)", -1, &pop,
                           NULL);
        sqlite3_prepare_v2(db, "INSERT INTO facility (id, code, name, type, grade, ou_id, beds,"
                               " services, updated_at) VALUES (?, ?, 'f', ?, ?, ?, ?, ?, 't')",
                           -1, &fac, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO staff (id, code, name, role, facility_id,"
                               " education, updated_at) VALUES (?, ?, 's', ?, ?, 'college', 't')",
                           -1, &staff, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO team (id, code, name, facility_id, updated_at)"
                               " VALUES (?, ?, 't', ?, 't')", -1, &team, NULL);
    }
    int32_t per_band = (int32_t)(n_residents * 107 / 100 / VILLAGES / (2 * PIDX_AGE_BANDS) + 1);
    for (uint32_t id = 1; id < N_OUS; id++) {
        struct pidx_ou o = {.present = true, .level = ou_level(id), .parent = ou_parent(id),
                            .lat = NAN, .lon = NAN};
        ou_code(id, o.code, sizeof(o.code));
        if (x != NULL)
            pidx_ou_put(x, id, &o);
        if (ou != NULL) {
            sqlite3_bind_int(ou, 1, (int)id);
            sqlite3_bind_text(ou, 2, o.code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ou, 3, o.level);
            if (o.parent == PIDX_NONE)
                sqlite3_bind_null(ou, 4);
            else
                sqlite3_bind_int(ou, 4, (int)o.parent);
            sqlite3_step(ou);
            sqlite3_reset(ou);
        }
        for (int sex = 1; id >= FIRST_VILLAGE && sex <= 2; sex++)
            for (int band = 0; band < PIDX_AGE_BANDS; band++) {
                if (x != NULL)
                    pidx_population_put(x, id, 2024, sex, band, per_band);
                if (pop != NULL) {
                    sqlite3_bind_int(pop, 1, (int)id);
                    sqlite3_bind_int(pop, 2, sex);
                    sqlite3_bind_int(pop, 3, band);
                    sqlite3_bind_int(pop, 4, per_band);
                    sqlite3_step(pop);
                    sqlite3_reset(pop);
                }
            }
    }
    uint32_t n_fac = COUNTIES + TOWNSHIPS + VILLAGES, staff_id = 1;
    for (uint32_t f = 1; f <= n_fac; f++) {
        struct pidx_facility fa = {.present = true, .grade = GRADE_NONE, .lat = NAN,
                                   .lon = NAN};
        if (f <= COUNTIES) {
            fa.type = FT_COUNTY_HOSPITAL;
            fa.grade = GRADE_2A;
            fa.ou = FIRST_COUNTY + f - 1;
            fa.beds = 400;
            fa.services = (1u << SVC_PEDIATRICS) | (1u << SVC_DIALYSIS);
        } else if (f <= COUNTIES + TOWNSHIPS) {
            fa.type = FT_TOWNSHIP_CENTER;
            fa.ou = FIRST_TOWNSHIP + f - COUNTIES - 1;
            fa.beds = 30;
            fa.services = 1u << SVC_TCM;
        } else {
            fa.type = FT_VILLAGE_CLINIC;
            fa.ou = FIRST_VILLAGE + f - COUNTIES - TOWNSHIPS - 1;
        }
        if (x != NULL)
            pidx_facility_put(x, f, &fa);
        if (fac != NULL) {
            char code[16], services[64];
            snprintf(code, sizeof(code), "F%u", f);
            vocab_format_set(VOCAB_SERVICE, fa.services, services, sizeof(services));
            sqlite3_bind_int(fac, 1, (int)f);
            sqlite3_bind_text(fac, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(fac, 3, vocab_code(VOCAB_FACILITY_TYPE, fa.type), -1, SQLITE_STATIC);
            sqlite3_bind_text(fac, 4, vocab_code(VOCAB_GRADE, fa.grade), -1, SQLITE_STATIC);
            sqlite3_bind_int(fac, 5, (int)fa.ou);
            sqlite3_bind_int(fac, 6, fa.beds);
            sqlite3_bind_text(fac, 7, services, -1, SQLITE_TRANSIENT);
            sqlite3_step(fac);
            sqlite3_reset(fac);
        }
        int n_staff = f <= COUNTIES ? 3 : f <= COUNTIES + TOWNSHIPS ? 2 : 1;
        for (int k = 0; k < n_staff; k++, staff_id++) {
            struct pidx_staff st = {.present = true, .education = EDU_COLLEGE, .facility = f};
            st.role = f > COUNTIES + TOWNSHIPS ? SROLE_VILLAGE_DOCTOR
                      : k == 0                  ? SROLE_GENERAL_PRACTITIONER
                                                : SROLE_REGISTERED_NURSE;
            if (x != NULL)
                pidx_staff_put(x, staff_id, &st);
            if (staff != NULL) {
                char code[16];
                snprintf(code, sizeof(code), "S%u", staff_id);
                sqlite3_bind_int(staff, 1, (int)staff_id);
                sqlite3_bind_text(staff, 2, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(staff, 3, vocab_code(VOCAB_STAFF_ROLE, st.role), -1,
                                  SQLITE_STATIC);
                sqlite3_bind_int(staff, 4, (int)f);
                sqlite3_step(staff);
                sqlite3_reset(staff);
            }
        }
    }
    for (uint32_t t = 0; t < TOWNSHIPS; t++) {
        struct pidx_team tm = {.present = true, .facility = facility_of_township(t)};
        if (x != NULL)
            pidx_team_put(x, t + 1, &tm);
        if (team != NULL) {
            char code[16];
            snprintf(code, sizeof(code), "T%u", t + 1);
            sqlite3_bind_int(team, 1, (int)t + 1);
            sqlite3_bind_text(team, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(team, 3, (int)tm.facility);
            sqlite3_step(team);
            sqlite3_reset(team);
        }
    }
    sqlite3_finalize(ou);
    sqlite3_finalize(pop);
    sqlite3_finalize(fac);
    sqlite3_finalize(staff);
    sqlite3_finalize(team);
}

/* --- residents -------------------------------------------------------------------------- */

struct person {
    struct pidx_resident r;
    struct pidx_span spans[8];
    size_t n;
    uint32_t old_ou;        /* a mover's previous village, else PIDX_NONE */
    int32_t moved;
};

/* Resident i, deterministic: an old county's age pyramid (flattened), about 62% signed for
 * 2024 (a third of them renewed from 2023), hypertension in a quarter of adults, diabetes
 * in one in eleven, a few of each other tag, 3% moved village in 2022, 0.8% died and 0.8%
 * moved out during 2024. About 1.2 spans a resident. */
static void person(uint32_t i, struct person *p)
{
    uint64_t h = mix(i), g = mix(h);
    memset(p, 0, sizeof(*p));
    uint32_t village = (uint32_t)(h % VILLAGES), ou = FIRST_VILLAGE + village;
    struct pidx_resident *r = &p->r;
    r->sex = (uint8_t)(1 + ((h >> 40) & 1));
    r->birth = ymd(1929, 1, 1) + (int32_t)((h >> 13) % (95 * 365));
    int32_t opened = ymd(2008, 1, 1) + (int32_t)((h >> 23) % (16 * 365));
    r->record_date = opened > r->birth ? opened : r->birth;
    r->end_date = PIDX_OPEN;
    r->status = RSTAT_ACTIVE;
    unsigned fate = (unsigned)((h >> 41) % 1000);
    if (fate < 16) {
        r->end_date = ymd(2024, 1, 1) + (int32_t)((h >> 50) % 366);
        r->status = fate < 8 ? RSTAT_DECEASED : RSTAT_MOVED_OUT;
        if (r->record_date >= r->end_date)
            r->record_date = r->end_date - 1;
        if (r->birth > r->record_date)
            r->birth = r->record_date;
    }
    r->ou = ou;
    r->residence_from = r->record_date;
    p->old_ou = PIDX_NONE;
    if ((g % 100) < 3 && r->record_date < ymd(2022, 6, 1)) {
        p->old_ou = FIRST_VILLAGE + (village + 1) % VILLAGES;
        p->moved = ymd(2022, 6, 1);
        r->residence_from = p->moved;
        p->spans[p->n++] = (struct pidx_span){r->record_date, p->moved - 1, p->old_ou,
                                              PIDX_SPAN_RESIDENCE, {0}};
    }
    uint32_t team = 1 + (village / VILLAGES_PER_TOWNSHIP);
    unsigned sign = (unsigned)((h >> 20) % 100);
    if (sign < 62) {
        if (sign < 20)
            p->spans[p->n++] = (struct pidx_span){ymd(2023, 1, 1), ymd(2023, 12, 31), team,
                                                  PIDX_SPAN_CONTRACT, {0}};
        p->spans[p->n++] = (struct pidx_span){ymd(2024, 1, 1), ymd(2024, 12, 31), team,
                                              PIDX_SPAN_CONTRACT, {0}};
    }
    int age = date_age_years(r->birth, ymd(2024, 12, 31));
    if (age >= 35 && (int)((g >> 8) % 100) < 25 + age / 4)
        p->spans[p->n++] = (struct pidx_span){ymd(2018, 3, 1), PIDX_OPEN, TAG_HYPERTENSION,
                                              PIDX_SPAN_TAG, {0}};
    if (age >= 35 && (g >> 16) % 100 < 11)
        p->spans[p->n++] = (struct pidx_span){ymd(2019, 5, 1), PIDX_OPEN, TAG_DIABETES,
                                              PIDX_SPAN_TAG, {0}};
    unsigned other = (unsigned)((g >> 24) % 1000);
    if (other < 30)
        p->spans[p->n++] = (struct pidx_span){ymd(2020, 1, 1), PIDX_OPEN,
                                              (uint32_t)(TAG_SEVERE_MENTAL + other % 6),
                                              PIDX_SPAN_TAG, {0}};
}

/* --- SQLite ----------------------------------------------------------------------------- */

static char *day_text(int32_t d, char out[DATE_STR_LEN])
{
    return date_format(d, out);
}

/* Write residents 1..n and their rows with plain batched inserts (50,000 a transaction). */
static long write_residents(sqlite3 *db, long n)
{
    static const char *const statuses[] = {"active", "moved_out", "deceased"};
    sqlite3_stmt *res, *tag, *home, *con;
    sqlite3_prepare_v2(db, "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                           " record_date, status, status_date, updated_at, residence_from)"
                           " VALUES (?, ?, 'r', ?, ?, ?, ?, ?, ?, 't', ?)", -1, &res, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO resident_tag (resident_id, tag, from_date, to_date)"
                           " VALUES (?, ?, ?, ?)", -1, &tag, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO residence (resident_id, ou_id, from_date, to_date)"
                           " VALUES (?, ?, ?, ?)", -1, &home, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO contract (resident_id, team_id, package, from_date,"
                           " to_date, status, updated_at) VALUES (?, ?, 'basic', ?, ?, ?, 't')",
                       -1, &con, NULL);
    long rows = 0;
    char a[DATE_STR_LEN], b[DATE_STR_LEN], idno[24];
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (long i = 1; i <= n; i++) {
        struct person p;
        person((uint32_t)i, &p);
        snprintf(idno, sizeof(idno), "%ld", i);
        sqlite3_bind_int64(res, 1, i);
        sqlite3_bind_text(res, 2, idno, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(res, 3, p.r.sex);
        sqlite3_bind_text(res, 4, day_text(p.r.birth, a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(res, 5, (int)p.r.ou);
        sqlite3_bind_text(res, 6, day_text(p.r.record_date, a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(res, 7, statuses[p.r.status], -1, SQLITE_STATIC);
        if (p.r.end_date == PIDX_OPEN)
            sqlite3_bind_null(res, 8);
        else
            sqlite3_bind_text(res, 8, day_text(p.r.end_date, a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(res, 9, day_text(p.r.residence_from, a), -1, SQLITE_TRANSIENT);
        sqlite3_step(res);
        sqlite3_reset(res);
        rows++;
        /* The past residence of a mover is among the spans. */
        for (size_t k = 0; k < p.n; k++) {
            const struct pidx_span *s = &p.spans[k];
            sqlite3_stmt *st = s->kind == PIDX_SPAN_TAG ? tag
                               : s->kind == PIDX_SPAN_RESIDENCE ? home
                                                               : con;
            sqlite3_bind_int64(st, 1, i);
            if (s->kind == PIDX_SPAN_TAG)
                sqlite3_bind_text(st, 2, vocab_code(VOCAB_TAG, (int)s->value), -1,
                                  SQLITE_STATIC);
            else
                sqlite3_bind_int(st, 2, (int)s->value);
            sqlite3_bind_text(st, 3, day_text(s->from, a), -1, SQLITE_TRANSIENT);
            if (s->to == PIDX_OPEN)
                sqlite3_bind_null(st, 4);
            else
                sqlite3_bind_text(st, 4, day_text(s->to, b), -1, SQLITE_TRANSIENT);
            if (st == con)
                sqlite3_bind_text(st, 5, s->from < ymd(2024, 1, 1) ? "renewed" : "active", -1,
                                  SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_reset(st);
            rows++;
        }
        if (i % 50000 == 0) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(res);
    sqlite3_finalize(tag);
    sqlite3_finalize(home);
    sqlite3_finalize(con);
    return rows;
}

/* Records and signed residents on ?1 by village (where they lived that day), rolled up
 * the tree level by level: what the index's pass gives for IND_M_RECORDS and IND_M_SIGNED. */
static const char *const group_by_sql =
    "WITH v(ou, records, signed) AS ("
    "  SELECT CASE WHEN r.residence_from <= ?1 THEN r.ou_id ELSE (SELECT h.ou_id"
    "    FROM residence h WHERE h.resident_id = r.id AND h.from_date <= ?1"
    "    AND h.to_date >= ?1) END AS home, COUNT(*), SUM(EXISTS (SELECT 1 FROM contract c"
    "    WHERE c.resident_id = r.id AND c.from_date <= ?1 AND c.to_date >= ?1"
    "      AND (c.status <> 'terminated' OR c.ended_date > ?1)))"
    "  FROM resident r"
    "  WHERE r.record_date <= ?1 AND (r.status_date IS NULL OR r.status_date > ?1)"
    "  GROUP BY home),"
    " t(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM v JOIN ou o ON o.id = v.ou GROUP BY o.parent_id),"
    " c(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM t JOIN ou o ON o.id = t.ou GROUP BY o.parent_id),"
    " ci(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM c JOIN ou o ON o.id = c.ou GROUP BY o.parent_id),"
    " p(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM ci JOIN ou o ON o.id = ci.ou GROUP BY o.parent_id)"
    " SELECT * FROM v UNION ALL SELECT * FROM t UNION ALL SELECT * FROM c"
    " UNION ALL SELECT * FROM ci UNION ALL SELECT * FROM p";

/* Run the GROUP BY once; counts into records/signed (N_OUS each). Seconds taken. */
static double sqlite_group_by(sqlite3 *db, int64_t *records, int64_t *signed_)
{
    sqlite3_stmt *st;
    char d[DATE_STR_LEN];
    memset(records, 0, N_OUS * sizeof(*records));
    memset(signed_, 0, N_OUS * sizeof(*signed_));
    double t0 = now_s();
    if (sqlite3_prepare_v2(db, group_by_sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "group by: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_bind_text(st, 1, day_text(ymd(2024, 12, 31), d), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t ou = sqlite3_column_int64(st, 0);
        if (ou > 0 && ou < N_OUS) {
            records[ou] = sqlite3_column_int64(st, 1);
            signed_[ou] = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    return now_s() - t0;
}

/* --- the index -------------------------------------------------------------------------- */

/* Every indicator of every unit for 2024: the pass, then each definition's division. */
static double all_indicators(struct pidx *x, int threads, struct ind_result **keep)
{
    struct ind_period p;
    struct yl_err err = {0};
    ind_period_parse("2024", ymd(2026, 1, 1), &p, &err);
    double t0 = now_s();
    struct ind_result *r = ind_compute(x, &p, threads);
    size_t n_defs;
    const struct ind_def *defs = ind_defs(&n_defs);
    double sink = 0;
    for (uint32_t u = 1; u < r->n_ous; u++)
        for (size_t k = 0; k < n_defs; k++) {
            struct ind_value v;
            ind_evaluate(r, u, &defs[k], &v);
            sink += v.value;
        }
    double t = now_s() - t0;
    if (sink < 0)
        printf("?");
    if (keep != NULL)
        *keep = r;
    else
        ind_result_free(r);
    return t;
}

static double best_of(struct pidx *x, int threads, int runs)
{
    double best = 1e9;
    for (int i = 0; i < runs; i++) {
        double t = all_indicators(x, threads, NULL);
        best = t < best ? t : best;
    }
    return best;
}

static void run(long n, bool with_sqlite, int threads)
{
    printf("\n%ld residents; %d org units (1 province, 1 city, %d counties, %d townships, %d "
           "villages); %d threads\n", n, N_OUS - 1, COUNTIES, TOWNSHIPS, VILLAGES, threads);
    struct pidx *x = pidx_new();
    registry(x, NULL, n);
    double t0 = now_s();
    size_t spans = 0;
    for (long i = 1; i <= n; i++) {
        struct person p;
        person((uint32_t)i, &p);
        spans += p.n;
        pidx_resident_put(x, (uint32_t)i, &p.r, p.spans, p.n);
    }
    double put_s = now_s() - t0;
    size_t rows_b, spans_b, total = pidx_memory(x, &rows_b, &spans_b);
    printf("  index build (puts)           %8.2f s   %10.0f residents/s\n", put_s,
           (double)n / put_s);
    printf("  index memory                 %8.1f bytes/resident (rows %zu MB, spans %zu MB, "
           "%.2f spans a resident)\n", (double)total / (double)n, rows_b >> 20, spans_b >> 20,
           (double)spans / (double)n);
    double best1 = best_of(x, 1, 5), best = best_of(x, threads, 5);
    printf("  all indicators, every unit   %8.1f ms  best of 5 on %d threads (%.1f ms on 1)\n",
           best * 1e3, threads, best1 * 1e3);
    if (!with_sqlite) {
        pidx_free(x);
        return;
    }

    /* YL_BENCH_DB names a database file to keep (and reuse when it exists) between runs. */
    char dir[] = "/tmp/yilian-bench-XXXXXX", path[512];
    const char *keep = getenv("YL_BENCH_DB");
    bool reuse = keep != NULL && access(keep, F_OK) == 0;
    if (keep == NULL && mkdtemp(dir) == NULL)
        return;
    snprintf(path, sizeof(path), "%s%s", keep ? keep : dir, keep ? "" : "/bench.db");
    struct store *s = NULL;
    struct yl_err err = {0};
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "store: %s\n", yl_err_message(&err));
        return;
    }
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     " PRAGMA cache_size=-1000000", NULL, NULL, NULL);
    if (!reuse) {
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        registry(NULL, db, n);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        t0 = now_s();
        long rows = write_residents(db, n);
        double write_s = now_s() - t0;
        printf("  SQLite file written          %8.2f s   %10.0f rows/s (%ld rows, batched "
               "inserts of 50,000 residents)\n", write_s, (double)rows / write_s, rows);
    }

    struct pidx *loaded = pidx_new();
    t0 = now_s();
    int rc = pidx_load(loaded, s, &err);
    double load_s = now_s() - t0;
    long differences = -1;
    if (rc == 0)
        rc = pidx_compare(x, loaded, &differences, &err);
    printf("  index load from the store    %8.2f s   %10.0f residents/s (%s)\n", load_s,
           (double)n / load_s, rc == 0 ? "equal to the index built by puts"
                                       : yl_err_message(&err));

    int64_t *records = malloc(N_OUS * sizeof(*records));
    int64_t *signed_ = malloc(N_OUS * sizeof(*signed_));
    sqlite_group_by(db, records, signed_);     /* warms the cache */
    double sql_best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t = sqlite_group_by(db, records, signed_);
        sql_best = t < sql_best ? t : sql_best;
    }
    struct ind_result *r = NULL;
    all_indicators(loaded, threads, &r);
    long mismatches = 0;
    for (uint32_t u = 1; u < N_OUS; u++)
        mismatches += ind_result_measure(r, u, IND_M_RECORDS) != records[u] ||
                      ind_result_measure(r, u, IND_M_SIGNED) != signed_[u];
    printf("  SQLite GROUP BY              %8.1f ms  best of 3 (records and signed by village, "
           "rolled up: %s; %lld records, %lld signed)\n", sql_best * 1e3,
           mismatches == 0 ? "same counts as the index" : "COUNTS DIFFER",
           (long long)records[1], (long long)signed_[1]);
    printf("  ratio                        %8.0fx  (SQLite's two measures against the index's "
           "%d measures of every unit)\n", sql_best / best, IND_M_COUNT);
    ind_result_free(r);
    free(records);
    free(signed_);
    pidx_free(loaded);
    sqlite3_close(db);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (keep == NULL && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    pidx_free(x);
}

int main(int argc, char **argv)
{
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    printf("yilian indicators benchmark: %d cores, release build\n", threads);
    if (argc < 2) {
        run(1000000, true, threads);
        run(10000000, false, threads);
        return 0;
    }
    for (int i = 1; i < argc; i++)
        run(strtol(argv[i], NULL, 10), i == 1, threads);
    return 0;
}
