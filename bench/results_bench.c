/*
 * results_bench.c - recognised-result lookup latency (issue 5, "Benchmark": p99 with 10M
 * residents and 100M results). Generates a region's results into a SQLite file once (cached:
 * a second run with the same sizes reuses it), then times random lookups through
 * res_recognised_find, the function behind GET /api/residents/{id}/recognised, and in the
 * same run the peer: the bare SELECT of the validity window, prepared once, on its own
 * connection. Finally a few thousand lookups through the real HTTP server. Not a test.
 *
 *   make build/release/bench_results
 *   build/release/bench_results [residents [results [db-path [lookups]]]]
 *                               default: 1000000 10000000 $YL_BENCH_RESULTS_DB or
 *                               /tmp/yilian-bench-results-R-N.db, 20000
 *
 * The data: 8 counties of 8 townships (one village each), a township center per township,
 * a county hospital per county and one city hospital; each county's hospital and centers
 * form a county medical community, the city hospital and four county hospitals an urban
 * group. The catalogue is data/result-items-example.csv (7 to 180 days of validity, all
 * three scopes). A resident has 0 to 2N/R results over six years, half of them in the last
 * six months before the lookup day, most from their own township center and county
 * hospital, some from the city hospital and other counties, so lookups meet valid and
 * expired results and scopes that refuse them.
 *
 * The load is bulk: the raw connection runs without a journal, one transaction per million
 * rows, prepared statements, and the rows go in the order of every index on them (resident,
 * then item, then day; ids and report numbers ascending), so each B-tree grows at its right
 * edge as a build after the rows would, without the sort. The residents' search indexes are
 * dropped for the load and built after it (REC_SEARCH_INDEXES, as the records import does).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "accounts/accounts.h"
#include "api/api.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "http/http.h"
#include "importer/importer.h"
#include "results/results.h"
#include "store/sql_records.h"
#include "store/sql_results.h"
#include "store/store.h"

#define PASSWORD "bench-password-1"
#define COUNTIES 8
#define TOWNSHIPS 8                     /* per county, one village each */
#define URBAN_COUNTIES 4                /* county hospitals in the city hospital's group */
#define BATCH 1000000                   /* rows a transaction */
#define PER_RESIDENT_MAX 64
#define HTTP_LOOKUPS 3000
#define ITEMS_MAX 64

/* Facility ids: 1 the city hospital, then per county its hospital and its centers. */
#define CITY_ID 1
#define HOSPITAL_ID(c) (2 + (c) * (1 + TOWNSHIPS))
#define CENTER_ID(c, t) (HOSPITAL_ID(c) + 1 + (t))
#define FACILITIES (1 + COUNTIES * (1 + TOWNSHIPS))

struct item {
    int64_t id;
    char code[RES_CODE_MAX + 1];
    int kind;                           /* enum res_kind */
    char unit[RES_UNIT_MAX + 1];
    int validity_days;
};

static struct item items[ITEMS_MAX];
static int n_items;
static char facility_code[FACILITIES + 1][16];

/* A resident's county and township from their id (villages are dealt round-robin). */
static int county_of(int64_t r)
{
    return (int)((r % (COUNTIES * TOWNSHIPS)) / TOWNSHIPS);
}

static int township_of(int64_t r)
{
    return (int)(r % TOWNSHIPS);
}

static void names_init(void)
{
    snprintf(facility_code[CITY_ID], sizeof(facility_code[0]), "CITY");
    for (int c = 0; c < COUNTIES; c++) {
        snprintf(facility_code[HOSPITAL_ID(c)], sizeof(facility_code[0]), "H%d", c);
        for (int t = 0; t < TOWNSHIPS; t++)
            snprintf(facility_code[CENTER_ID(c, t)], sizeof(facility_code[0]), "T%d%d", c, t);
    }
}

/* --- the region ------------------------------------------------------------------------- */

static void region(sqlite3 *db)
{
    exec(db, "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, 'x'), (2, '2224', 'Yanbian', 2, 1, 'x')");
    sqlite3_stmt *ou = prepare(db, "INSERT INTO ou (id, code, name, level, parent_id,"
                                   " updated_at) VALUES (?, ?, 'ou', ?, ?, 'x')");
    sqlite3_stmt *fac = prepare(db, "INSERT INTO facility (id, code, name, type, ou_id,"
                                    " status, updated_at) VALUES (?, ?, 'f', ?, ?, 'active', 'x')");
    sqlite3_stmt *grp = prepare(db, "INSERT INTO medical_group (id, code, name, kind,"
                                    " lead_facility_id, updated_at) VALUES (?, ?, 'g', ?, ?, 'x')");
    sqlite3_stmt *mem = prepare(db, "INSERT INTO medical_group_member (group_id, facility_id,"
                                    " kind) VALUES (?, ?, ?)");
    char code[32];
    sqlite3_bind_int(fac, 1, CITY_ID);
    sqlite3_bind_text(fac, 2, facility_code[CITY_ID], -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(fac, 3, "tertiary_hospital", -1, SQLITE_STATIC);
    sqlite3_bind_int(fac, 4, 2);
    step_done(db, fac);
    for (int c = 0; c < COUNTIES; c++) {
        int county_ou = 10 + c * (1 + 2 * TOWNSHIPS);
        snprintf(code, sizeof(code), "2224%02d", c + 1);
        sqlite3_bind_int(ou, 1, county_ou);
        sqlite3_bind_text(ou, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ou, 3, 3);
        sqlite3_bind_int(ou, 4, 2);
        step_done(db, ou);
        sqlite3_bind_int(fac, 1, HOSPITAL_ID(c));
        sqlite3_bind_text(fac, 2, facility_code[HOSPITAL_ID(c)], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(fac, 3, "county_hospital", -1, SQLITE_STATIC);
        sqlite3_bind_int(fac, 4, county_ou);
        step_done(db, fac);
        for (int t = 0; t < TOWNSHIPS; t++) {
            int town_ou = county_ou + 1 + 2 * t;
            snprintf(code, sizeof(code), "2224%02d%03d", c + 1, t + 1);
            sqlite3_bind_int(ou, 1, town_ou);
            sqlite3_bind_text(ou, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ou, 3, 4);
            sqlite3_bind_int(ou, 4, county_ou);
            step_done(db, ou);
            snprintf(code, sizeof(code), "2224%02d%03d001", c + 1, t + 1);
            sqlite3_bind_int(ou, 1, town_ou + 1);
            sqlite3_bind_text(ou, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ou, 3, 5);
            sqlite3_bind_int(ou, 4, town_ou);
            step_done(db, ou);
            sqlite3_bind_int(fac, 1, CENTER_ID(c, t));
            sqlite3_bind_text(fac, 2, facility_code[CENTER_ID(c, t)], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(fac, 3, "township_center", -1, SQLITE_STATIC);
            sqlite3_bind_int(fac, 4, town_ou);
            step_done(db, fac);
        }
        /* The county's medical community: its hospital leads, its centers are members. */
        snprintf(code, sizeof(code), "CC%d", c);
        sqlite3_bind_int(grp, 1, c + 1);
        sqlite3_bind_text(grp, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(grp, 3, "county_community", -1, SQLITE_STATIC);
        sqlite3_bind_int(grp, 4, HOSPITAL_ID(c));
        step_done(db, grp);
        for (int t = -1; t < TOWNSHIPS; t++) {
            sqlite3_bind_int(mem, 1, c + 1);
            sqlite3_bind_int(mem, 2, t < 0 ? HOSPITAL_ID(c) : CENTER_ID(c, t));
            sqlite3_bind_text(mem, 3, "county_community", -1, SQLITE_STATIC);
            step_done(db, mem);
        }
    }
    sqlite3_bind_int(grp, 1, COUNTIES + 1);
    sqlite3_bind_text(grp, 2, "URBAN", -1, SQLITE_STATIC);
    sqlite3_bind_text(grp, 3, "urban_group", -1, SQLITE_STATIC);
    sqlite3_bind_int(grp, 4, CITY_ID);
    step_done(db, grp);
    for (int c = -1; c < URBAN_COUNTIES; c++) {
        sqlite3_bind_int(mem, 1, COUNTIES + 1);
        sqlite3_bind_int(mem, 2, c < 0 ? CITY_ID : HOSPITAL_ID(c));
        sqlite3_bind_text(mem, 3, "urban_group", -1, SQLITE_STATIC);
        step_done(db, mem);
    }
    sqlite3_finalize(ou);
    sqlite3_finalize(fac);
    sqlite3_finalize(grp);
    sqlite3_finalize(mem);
}

/* The village ou id of resident r (see region's numbering). */
static int village_of(int64_t r)
{
    return 10 + county_of(r) * (1 + 2 * TOWNSHIPS) + 2 + 2 * township_of(r);
}

static void residents(sqlite3 *db, int64_t n)
{
    sqlite3_stmt *st = prepare(db, "INSERT INTO resident (id, id_number, name, sex, birth_date,"
                                   " ou_id, record_date, status, updated_at, residence_from)"
                                   " VALUES (?, ?, ?, ?, ?, ?, '2020-01-01', 'active', 'x',"
                                   " '2020-01-01')");
    static const char *const names[] = {"王伟", "李芳", "张娜", "刘敏", "陈静", "杨强",
                                        "金明", "朴秀英", "崔桂兰", "郑军"};
    int32_t start = date_from_ymd(1930, 1, 1), span = date_from_ymd(2023, 12, 31) - start;
    exec(db, "BEGIN");
    for (int64_t id = 1; id <= n; id++) {
        /* Birth day and sequence number from the id: distinct for 34M residents. */
        char day[DATE_STR_LEN], digits[32], no[IDNO_LEN + 1];
        date_format(start + (int32_t)((id * 7919) % span), day);
        snprintf(digits, sizeof(digits), "2224%02d%.4s%.2s%.2s%03d", county_of(id) + 1, day,
                 day + 5, day + 8, (int)((id / span) % 1000));
        memcpy(no, digits, 17);
        no[17] = idno_check_char(digits);
        no[18] = '\0';
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, names[id % 10], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, 1 + (int)(id & 1));
        sqlite3_bind_text(st, 5, day, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, village_of(id));
        step_done(db, st);
        if (id % BATCH == 0)
            exec(db, "COMMIT; BEGIN");
    }
    exec(db, "COMMIT");
    sqlite3_finalize(st);
}

static void items_load(sqlite3 *db)
{
    sqlite3_stmt *st = prepare(db, "SELECT id, code, kind, unit, validity_days FROM result_item"
                                   " ORDER BY id");
    n_items = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n_items < ITEMS_MAX) {
        struct item *it = &items[n_items++];
        it->id = sqlite3_column_int64(st, 0);
        snprintf(it->code, sizeof(it->code), "%s", (const char *)sqlite3_column_text(st, 1));
        it->kind = res_kind_find((const char *)sqlite3_column_text(st, 2));
        snprintf(it->unit, sizeof(it->unit), "%s", (const char *)sqlite3_column_text(st, 3));
        it->validity_days = sqlite3_column_int(st, 4);
    }
    sqlite3_finalize(st);
    if (n_items == 0)
        die("no result items", NULL);
}

struct gen_row {
    int item;
    int32_t day;
    int facility;
};

static int row_cmp(const void *a, const void *b)
{
    const struct gen_row *x = a, *y = b;
    if (x->item != y->item)
        return x->item - y->item;
    return (x->day > y->day) - (x->day < y->day);
}

/* Where resident r had a test: mostly at home, sometimes in the city or another county. */
static int result_facility(int64_t r)
{
    int c = county_of(r), p = pick(100);
    if (p < 55)
        return CENTER_ID(c, township_of(r));
    if (p < 80)
        return HOSPITAL_ID(c);
    if (p < 92)
        return CITY_ID;
    int other = (c + 1 + pick(COUNTIES - 1)) % COUNTIES;
    return p < 96 ? HOSPITAL_ID(other) : CENTER_ID(other, pick(TOWNSHIPS));
}

/* Half of the results in the six months before the lookup day, the rest over six years. */
static int32_t result_day(int32_t lookup_day)
{
    int p = pick(100);
    if (p < 25)
        return lookup_day - pick(30);
    if (p < 50)
        return lookup_day - pick(180);
    return lookup_day - pick(6 * 365);
}

static int64_t results(sqlite3 *db, int64_t n_residents, int64_t n_results, int32_t lookup_day)
{
    sqlite3_stmt *st = prepare(db, "INSERT INTO result (id, external_id, resident_id, item_id,"
                                   " value, unit, report, result_date, facility_id, method,"
                                   " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '',"
                                   " '2026-11-01T00:00:00Z')");
    static const char *const reports[] = {"未见明显异常", "双肺纹理增粗", "窦性心律，正常心电图",
                                          "轻度脂肪肝", "ST段轻度改变"};
    int per = (int)(2 * n_results / n_residents);
    if (per > PER_RESIDENT_MAX - 1)
        per = PER_RESIDENT_MAX - 1;
    struct gen_row rows[PER_RESIDENT_MAX];
    int64_t id = 0;
    double t0 = now_s();
    exec(db, "BEGIN");
    for (int64_t r = 1; r <= n_residents; r++) {
        int k = pick(per + 1);
        for (int i = 0; i < k; i++) {
            rows[i].item = pick(n_items);
            rows[i].day = result_day(lookup_day);
            rows[i].facility = result_facility(r);
        }
        qsort(rows, (size_t)k, sizeof(rows[0]), row_cmp);
        for (int i = 0; i < k; i++) {
            const struct item *it = &items[rows[i].item];
            char ext[32], day[DATE_STR_LEN];
            snprintf(ext, sizeof(ext), "LIS-%011lld", (long long)++id);
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, ext, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 3, r);
            sqlite3_bind_int64(st, 4, it->id);
            if (it->kind == RES_LAB && it->unit[0] != '\0') {
                sqlite3_bind_double(st, 5, 1.0 + (double)pick(2000) / 10.0);
                sqlite3_bind_text(st, 6, it->unit, -1, SQLITE_STATIC);
                sqlite3_bind_null(st, 7);
            } else {
                sqlite3_bind_null(st, 5);
                sqlite3_bind_null(st, 6);
                sqlite3_bind_text(st, 7, reports[pick(5)], -1, SQLITE_STATIC);
            }
            sqlite3_bind_text(st, 8, date_format(rows[i].day, day), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 9, rows[i].facility);
            step_done(db, st);
            if (id % BATCH == 0) {
                exec(db, "COMMIT; BEGIN");
                if (id % (10 * BATCH) == 0)
                    fprintf(stderr, "  %lld results, %.0f rows/s\n", (long long)id,
                            (double)id / (now_s() - t0));
            }
        }
    }
    exec(db, "COMMIT");
    sqlite3_finalize(st);
    return id;
}

/* Build the database at path: schema by store_migrate, rows by the raw connection. */
static void generate(const char *path, int64_t n_residents, int64_t n_results, int32_t day)
{
    struct yl_err err = {0};
    struct store *s;
    unlink(path);
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0)
        die("store", &err);
    FILE *f = fopen("data/result-items-example.csv", "r");
    if (f == NULL)
        die("data/result-items-example.csv (run from the source tree)", NULL);
    struct audit_actor sys = {0, "bench", "admin", "bench"};
    struct imp_report rep = {.errors = stderr};
    if (imp_run(s, f, res_item_import_spec(), NULL, &sys, &rep, &err) != 0 || rep.refused)
        die("result items", &err);
    fclose(f);
    store_close(s);

    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open", NULL);
    exec(db, "PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
             " PRAGMA cache_size=-1000000;");
    exec(db, "BEGIN;");
    region(db);
    exec(db, "COMMIT; " STORE_SCRIPT_REC_SEARCH_DROP);
    items_load(db);
    double t0 = now_s();
    residents(db, n_residents);
    double t1 = now_s();
    exec(db, STORE_SCRIPT_REC_SEARCH_CREATE);
    double t2 = now_s();
    int64_t n = results(db, n_residents, n_results, day);
    double t3 = now_s();
    /* No ANALYZE: the store never runs it, so the planner works here as in production. */
    exec(db, "PRAGMA journal_mode=WAL;");
    double t4 = now_s();
    exec(db, "CREATE TABLE bench_done (residents INTEGER, results INTEGER);");
    sqlite3_close(db);
    printf("generated %s: %lld residents in %.1f s, their search indexes %.1f s,"
           " %lld results in %.1f s (%.0f rows/s), journal %.1f s; total %.1f s\n",
           path, (long long)n_residents, t1 - t0, t2 - t1, (long long)n, t3 - t2,
           (double)n / (t3 - t2), t4 - t3, t4 - t0);
}

/* --- the lookups ------------------------------------------------------------------------ */

struct lookup {
    int64_t resident;
    int item;
    int facility;
};

/* A clinic asks: a random resident, any item, mostly at their own center or hospital. */
static void lookups_make(struct lookup *q, int n, int64_t n_residents)
{
    for (int i = 0; i < n; i++) {
        int64_t r = 1 + (int64_t)(rng() % (uint64_t)n_residents);
        int p = pick(100);
        int f = p < 50 ? CENTER_ID(county_of(r), township_of(r))
                : p < 70 ? HOSPITAL_ID(county_of(r))
                : p < 85 ? CITY_ID
                         : 1 + pick(FACILITIES);
        q[i] = (struct lookup){r, pick(n_items), f};
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *ms, int n, double total_s)
{
    qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
    printf("  %-44s n=%d  p50 %.3f ms  p99 %.3f ms  max %.3f ms", what, n, ms[n / 2],
           ms[(int)((double)n * 0.99)], ms[n - 1]);
    if (total_s > 0)
        printf("  (%.0f/s)", n / total_s);
    printf("\n");
}

static double p_of(double *sorted, int n, double q)
{
    return sorted[(int)((double)n * q)];
}

/* One GET on a new connection; the status. */
static int get(int port, const char *token, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Connection: close\r\n\r\n",
                     path, token);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    char reply[65536];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof(reply) - 1 && (r = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
        got += (size_t)r;
    while (read(fd, reply, sizeof(reply)) > 0)
        ;
    close(fd);
    reply[got < sizeof(reply) ? got : sizeof(reply) - 1] = '\0';
    int status = 0;
    if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    return status;
}

/* The library's window statement, to show its plan. */
#define SQL_PICK(name, sql) {#name, sql},
static const struct {
    const char *name, *sql;
} result_sql[] = {STORE_SQL_RESULTS(SQL_PICK)};

static void show_plan(sqlite3 *db)
{
    for (size_t i = 0; i < sizeof(result_sql) / sizeof(result_sql[0]); i++) {
        if (strcmp(result_sql[i].name, "RES_IN_WINDOW") != 0)
            continue;
        char sql[2048];
        snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", result_sql[i].sql);
        sqlite3_stmt *st = prepare(db, sql);
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("  plan of RES_IN_WINDOW: %s\n", (const char *)sqlite3_column_text(st, 3));
        sqlite3_finalize(st);
    }
}

static int64_t arg_long(int argc, char **argv, int i, int64_t dflt)
{
    return argc > i ? strtoll(argv[i], NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
    int64_t n_residents = arg_long(argc, argv, 1, 1000000);
    int64_t n_results = arg_long(argc, argv, 2, 10000000);
    int n_lookups = (int)arg_long(argc, argv, 4, 20000);
    if (n_residents < 1 || n_results < 0 || n_lookups < 100) {
        fprintf(stderr, "usage: bench_results [residents [results [db-path [lookups]]]]\n");
        return 2;
    }
    char path[512];
    const char *env = getenv("YL_BENCH_RESULTS_DB");
    if (argc > 3)
        snprintf(path, sizeof(path), "%s", argv[3]);
    else if (env != NULL && env[0] != '\0')
        snprintf(path, sizeof(path), "%s", env);
    else
        snprintf(path, sizeof(path), "/tmp/yilian-bench-results-%lld-%lld.db",
                 (long long)n_residents, (long long)n_results);
    names_init();
    int32_t day = date_from_ymd(2026, 11, 1);

    /* A file that finished generating says so (bench_done) and is reused. */
    sqlite3 *peer;
    bool cached = false;
    if (access(path, F_OK) == 0 && sqlite3_open_v2(path, &peer, SQLITE_OPEN_READONLY, NULL) ==
                                       SQLITE_OK) {
        cached = sqlite3_exec(peer, "SELECT 1 FROM bench_done", NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(peer);
    }
    if (!cached)
        generate(path, n_residents, n_results, day);
    else
        printf("reusing %s\n", path);

    struct yl_err err = {0};
    struct store *s;
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0)
        die("store", &err);
    if (sqlite3_open_v2(path, &peer, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("peer open", NULL);
    items_load(peer);
    sqlite3_stmt *cnt = prepare(peer, "SELECT (SELECT MAX(id) FROM resident),"
                                      " (SELECT MAX(id) FROM result)");
    sqlite3_step(cnt);
    n_residents = sqlite3_column_int64(cnt, 0);
    n_results = sqlite3_column_int64(cnt, 1);
    sqlite3_finalize(cnt);
    printf("recognised-result lookup: %lld residents, %lld results, %d items, %d facilities,"
           " lookup day 2026-11-01\n",
           (long long)n_residents, (long long)n_results, n_items, FACILITIES);
    show_plan(peer);

    struct acct *acct = acct_new(s, NULL);
    struct audit_log *audit = audit_log_new(s, 5);
    struct audit_actor sys = {0, "bench", "admin", "bench"};
    struct acct_user_input user = {"bench", PASSWORD, NULL, "admin", "region"};
    if (acct_user_create(acct, &user, &sys, NULL, &err) != 0 && err.code != YL_ECONFLICT)
        die("user", &err);
    yl_err_clear(&err);
    char token[ACCT_TOKEN_HEX];
    int64_t expires;
    int retry;
    struct acct_principal me;
    if (acct_login(acct, "bench", PASSWORD, "bench", token, &expires, &retry, &me, &err) != 0)
        die("login", &err);

    /* The HTTP round reuses q and ms for its own HTTP_LOOKUPS requests. */
    size_t n_room = (size_t)(n_lookups > HTTP_LOOKUPS ? n_lookups : HTTP_LOOKUPS);
    struct lookup *q = calloc(n_room, sizeof(*q));
    double *ms = calloc(n_room, sizeof(*ms));
    double *hit_ms = calloc((size_t)n_lookups, sizeof(*hit_ms));
    struct arena a;
    arena_init(&a);

    /* Two rounds over the same lookups: the first meets the disk as a clinic's first
     * question does (the file is far larger than the page cache), the second finds the
     * pages the first brought in. In each round the library (as the API handler calls it,
     * with the admin's principal) and the peer take turns, each with its own lookups, so
     * neither warms the cache for the other. */
    struct lookup *pq = calloc((size_t)n_lookups, sizeof(*pq));
    double *peer_ms = calloc((size_t)n_lookups, sizeof(*peer_ms));
    /* Lookups differ from run to run (the data does not): a second run must not find the
     * first run's pages in the cache. */
    uint64_t seed = (uint64_t)time(NULL);
    rng_state ^= seed * 0x9E3779B97F4A7C15ull;
    printf("  lookup seed %llu\n", (unsigned long long)seed);
    lookups_make(q, n_lookups, n_residents);
    lookups_make(pq, n_lookups, n_residents);
    /* The peer: the window's bare SELECT, item id and dates resolved, prepared once. */
    sqlite3_stmt *w = prepare(peer, "SELECT id, facility_id, result_date FROM result"
                                    " WHERE resident_id = ? AND item_id = ?"
                                    " AND result_date >= ? AND result_date <= ?"
                                    " ORDER BY result_date DESC, id DESC LIMIT 100");
    for (int round = 0; round < 2; round++) {
        long hits = 0, windows = 0;
        double lib_s = 0, peer_s = 0;
        for (int i = 0; i < n_lookups; i++) {
            struct res_recognised_query rq = {q[i].resident, items[q[i].item].code,
                                              facility_code[q[i].facility], day};
            struct res_recognised out;
            double t = now_s();
            if (res_recognised_find(s, &me, &rq, &a, &out, &err) != 0)
                die("lookup", &err);
            ms[i] = (now_s() - t) * 1e3;
            lib_s += ms[i] / 1e3;
            if (out.n > 0)
                hit_ms[hits++] = ms[i];
            arena_release(&a);

            const struct item *it = &items[pq[i].item];
            char from[DATE_STR_LEN], to[DATE_STR_LEN];
            t = now_s();
            sqlite3_bind_int64(w, 1, pq[i].resident);
            sqlite3_bind_int64(w, 2, it->id);
            date_format(day - (it->validity_days - 1), from);
            sqlite3_bind_text(w, 3, from, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(w, 4, date_format(day, to), -1, SQLITE_TRANSIENT);
            int rows = 0;
            while (sqlite3_step(w) == SQLITE_ROW)
                rows++;
            sqlite3_reset(w);
            peer_ms[i] = (now_s() - t) * 1e3;
            peer_s += peer_ms[i] / 1e3;
            windows += rows > 0;
        }
        printf(" round %d (%s)\n", round + 1,
               round == 0 ? "pages from disk" : "the same lookups again, pages cached");
        report("res_recognised_find (library)", ms, n_lookups, lib_s);
        if (hits > 0)
            report("  of which found a recognised result", hit_ms, (int)hits, 0);
        report("bare SELECT of the window (peer)", peer_ms, n_lookups, peer_s);
        printf("  ratio library / peer: p50 %.2f, p99 %.2f\n",
               p_of(ms, n_lookups, 0.5) / p_of(peer_ms, n_lookups, 0.5),
               p_of(ms, n_lookups, 0.99) / p_of(peer_ms, n_lookups, 0.99));
        printf("  lookups with a recognised result: %.1f%%; peer windows with a result:"
               " %.1f%%\n",
               100.0 * (double)hits / n_lookups, 100.0 * (double)windows / n_lookups);
    }
    sqlite3_finalize(w);

    /* The same through the real server: token lookup, scope, JSON, audit record. */
    struct api_app app = {.store = s, .acct = acct, .audit = audit, .version = "bench"};
    struct http_options opt = {.listen = "127.0.0.1"};
    size_t n_routes;
    const struct http_route *routes = api_routes(&n_routes);
    struct http_server *http = http_server_start(&opt, routes, n_routes, api_authorize, &app,
                                                 &err);
    if (http == NULL)
        die("http", &err);
    int port = http_server_port(http), n_http = HTTP_LOOKUPS, bad = 0;
    lookups_make(q, n_http, n_residents);
    double t0 = now_s();
    for (int i = 0; i < n_http; i++) {
        char p[256];
        snprintf(p, sizeof(p), "/api/residents/%lld/recognised?item=%s&facility=%s"
                               "&date=2026-11-01",
                 (long long)q[i].resident, items[q[i].item].code, facility_code[q[i].facility]);
        double t = now_s();
        bad += get(port, token, p) != 200;
        ms[i] = (now_s() - t) * 1e3;
    }
    report("GET .../recognised over HTTP (1 client)", ms, n_http, now_s() - t0);
    if (bad)
        printf("  %d requests failed  <-- WRONG\n", bad);

    http_server_stop(http);
    audit_log_free(audit);
    acct_free(acct);
    sqlite3_close(peer);
    store_close(s);
    free(q);
    free(ms);
    free(hit_ms);
    free(peer_ms);
    free(pq);
    return bad == 0 ? 0 : 1;
}
