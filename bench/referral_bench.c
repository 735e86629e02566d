/*
 * referral_bench.c - referral inbox latency and create/accept throughput (issue 5,
 * "Benchmark": referral inbox latency). A region's referral history is bulk-loaded into a
 * temporary SQLite file; then a busy county hospital's inbox and a family-doctor team's
 * inbox are read page by page through ref_list (the function behind GET
 * /api/referrals/inbox) and, in the same run, by the peer: the inbox page's bare SQL
 * prepared once on its own connection. Last, referrals made and accepted one by one through
 * ref_create and ref_act (each a durable transaction with its audit record). Not a test.
 *
 *   make build/release/bench_referrals
 *   build/release/bench_referrals [residents [referrals [creates]]]
 *                                 default: 1000000 1000000 2000
 *
 * The region: 10 counties of 10 townships (one village each), a township center per
 * township with 4 family-doctor teams, a county hospital per county and a city hospital;
 * each county's hospital and centers form a county medical community. Referrals span two
 * years before the run's "now" in id order: 80% up (from a township center to its county
 * hospital, 10% of them to the city hospital), 20% down (from the county hospital to a team
 * of the resident's township). County 0 sends 14% of the ups, so its hospital receives about
 * 100,000 referrals of the default million. Old referrals are mostly completed, some
 * rejected or cancelled and 1% still requested (overdue); the last three days' are open.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "referral/referral.h"
#include "store/sql_records.h"
#include "store/sql_referral.h"
#include "store/store.h"

#define PASSWORD "bench-password-1"
#define COUNTIES 10
#define TOWNSHIPS 10                    /* per county, one village each */
#define TEAMS 4                         /* per township center */
#define BATCH 200000
#define PAGE 51                         /* the API's default page of 50, plus one */
#define READS 2000                      /* timed reads of each kind, at most */
#define READS_S 15.0                    /* and for at most this long (at least 50) */

#define CITY_ID 1
#define HOSPITAL_ID(c) (2 + (c) * (1 + TOWNSHIPS))
#define CENTER_ID(c, t) (HOSPITAL_ID(c) + 1 + (t))
#define TEAM_ID(c, t, k) (1 + ((c) * TOWNSHIPS + (t)) * TEAMS + (k))

static int county_of(int64_t r)
{
    return (int)((r % (COUNTIES * TOWNSHIPS)) / TOWNSHIPS);
}

static int township_of(int64_t r)
{
    return (int)(r % TOWNSHIPS);
}

/* --- the region ------------------------------------------------------------------------- */

static void region(sqlite3 *db)
{
    exec(db, "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, 'x'), (2, '2224', 'Yanbian', 2, 1, 'x');"
             "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
             " (1, 'CITY', 'f', 'tertiary_hospital', 2, 'active', 'x')");
    sqlite3_stmt *ou = prepare(db, "INSERT INTO ou (id, code, name, level, parent_id,"
                                   " updated_at) VALUES (?, ?, 'ou', ?, ?, 'x')");
    sqlite3_stmt *fac = prepare(db, "INSERT INTO facility (id, code, name, type, ou_id,"
                                    " status, updated_at) VALUES (?, ?, 'f', ?, ?, 'active', 'x')");
    sqlite3_stmt *team = prepare(db, "INSERT INTO team (id, code, name, facility_id,"
                                     " updated_at) VALUES (?, ?, 'team', ?, 'x')");
    sqlite3_stmt *grp = prepare(db, "INSERT INTO medical_group (id, code, name, kind,"
                                    " lead_facility_id, updated_at) VALUES (?, ?, 'g',"
                                    " 'county_community', ?, 'x')");
    sqlite3_stmt *mem = prepare(db, "INSERT INTO medical_group_member (group_id, facility_id,"
                                    " kind) VALUES (?, ?, 'county_community')");
    char code[32];
    for (int c = 0; c < COUNTIES; c++) {
        int county_ou = 10 + c * (1 + 2 * TOWNSHIPS);
        snprintf(code, sizeof(code), "2224%02d", c + 1);
        sqlite3_bind_int(ou, 1, county_ou);
        sqlite3_bind_text(ou, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ou, 3, 3);
        sqlite3_bind_int(ou, 4, 2);
        step_done(db, ou);
        snprintf(code, sizeof(code), "H%d", c);
        sqlite3_bind_int(fac, 1, HOSPITAL_ID(c));
        sqlite3_bind_text(fac, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(fac, 3, "county_hospital", -1, SQLITE_STATIC);
        sqlite3_bind_int(fac, 4, county_ou);
        step_done(db, fac);
        snprintf(code, sizeof(code), "CC%d", c);
        sqlite3_bind_int(grp, 1, c + 1);
        sqlite3_bind_text(grp, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(grp, 3, HOSPITAL_ID(c));
        step_done(db, grp);
        sqlite3_bind_int(mem, 1, c + 1);
        sqlite3_bind_int(mem, 2, HOSPITAL_ID(c));
        step_done(db, mem);
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
            snprintf(code, sizeof(code), "T%d-%d", c, t);
            sqlite3_bind_int(fac, 1, CENTER_ID(c, t));
            sqlite3_bind_text(fac, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(fac, 3, "township_center", -1, SQLITE_STATIC);
            sqlite3_bind_int(fac, 4, town_ou);
            step_done(db, fac);
            sqlite3_bind_int(mem, 1, c + 1);
            sqlite3_bind_int(mem, 2, CENTER_ID(c, t));
            step_done(db, mem);
            for (int k = 0; k < TEAMS; k++) {
                snprintf(code, sizeof(code), "TM%d-%d-%d", c, t, k);
                sqlite3_bind_int(team, 1, TEAM_ID(c, t, k));
                sqlite3_bind_text(team, 2, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(team, 3, CENTER_ID(c, t));
                step_done(db, team);
            }
        }
    }
    sqlite3_finalize(ou);
    sqlite3_finalize(fac);
    sqlite3_finalize(team);
    sqlite3_finalize(grp);
    sqlite3_finalize(mem);
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
        char day[DATE_STR_LEN], digits[32], no[IDNO_LEN + 1];
        date_format(start + (int32_t)((id * 7919) % span), day);
        snprintf(digits, sizeof(digits), "2224%02d%.4s%.2s%.2s%03d", county_of(id) + 1, day,
                 day + 5, day + 8, (int)((id / span) % 1000));
        memcpy(no, digits, 17);
        no[17] = idno_check_char(digits);
        no[18] = '\0';
        int village = 10 + county_of(id) * (1 + 2 * TOWNSHIPS) + 2 + 2 * township_of(id);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, names[id % 10], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, 1 + (int)(id & 1));
        sqlite3_bind_text(st, 5, day, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, village);
        step_done(db, st);
        if (id % BATCH == 0)
            exec(db, "COMMIT; BEGIN");
    }
    exec(db, "COMMIT");
    sqlite3_finalize(st);
}

/* A resident of county c (any township). */
static int64_t resident_in(int c, int64_t n_residents)
{
    int64_t blocks = n_residents / (COUNTIES * TOWNSHIPS);
    int64_t r = (int64_t)(rng() % (uint64_t)(blocks > 0 ? blocks : 1)) * COUNTIES * TOWNSHIPS +
                c * TOWNSHIPS + pick(TOWNSHIPS);
    return r >= 1 && r <= n_residents ? r : 1;
}

static void referrals(sqlite3 *db, int64_t n, int64_t n_residents, int64_t now)
{
    sqlite3_stmt *st = prepare(
        db, "INSERT INTO referral (id, external_id, direction, resident_id, from_facility_id,"
            " to_facility_id, to_team_id, reason, outside_reason, urgency, summary, status,"
            " reject_reason, requested_at, due_at, accepted_at, rejected_at, arrived_at,"
            " completed_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?)");
    static const char *const reasons[] = {"胸痛待查", "血压控制不佳", "血糖控制不佳",
                                          "腹痛待查", "骨折复位后需手术", "肺部感染"};
    int64_t first = now - 2 * 365 * 86400LL;
    exec(db, "BEGIN");
    for (int64_t id = 1; id <= n; id++) {
        int64_t at = first + (now - first) * (id - 1) / n;
        bool up = pick(100) < 80;
        int c = up && pick(100) < 14 ? 0 : 1 + pick(COUNTIES - 1);
        if (!up)
            c = pick(COUNTIES);
        int64_t r = resident_in(c, n_residents);
        int t = township_of(r);
        int urgency = pick(100) < 85 ? REF_ROUTINE : pick(3) ? REF_URGENT : REF_CRITICAL;
        bool city = up && pick(100) < 10;
        /* Status by age: open for the last three days, settled before (1% left overdue). */
        int p = pick(100);
        enum ref_status s;
        if (now - at < 3 * 86400)
            s = p < 60 ? REF_REQUESTED : p < 90 ? REF_ACCEPTED : REF_ARRIVED;
        else
            s = p < 85 ? REF_COMPLETED : p < 90 ? REF_REJECTED : p < 95 ? REF_CANCELLED
                : p < 99 ? REF_ARRIVED : REF_REQUESTED;
        char ext[40], req[REF_TIME_LEN], due[REF_TIME_LEN], t1[REF_TIME_LEN], t2[REF_TIME_LEN],
            t3[REF_TIME_LEN];
        snprintf(ext, sizeof(ext), "HIS-%010lld", (long long)id);
        ref_time_format(at, req);
        ref_time_format(at + ref_accept_limit_s((enum ref_urgency)urgency), due);
        ref_time_format(at + 3600 + pick(20000), t1);
        ref_time_format(at + 86400 + pick(86400), t2);
        ref_time_format(at + 5 * 86400 + pick(86400 * 5), t3);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, ext, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, up ? "up" : "down", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, r);
        sqlite3_bind_int(st, 5, up ? CENTER_ID(c, t) : HOSPITAL_ID(c));
        sqlite3_bind_int(st, 6, up ? (city ? CITY_ID : HOSPITAL_ID(c)) : CENTER_ID(c, t));
        if (up)
            sqlite3_bind_null(st, 7);
        else
            sqlite3_bind_int(st, 7, TEAM_ID(c, t, (int)(r / 100 % TEAMS)));
        sqlite3_bind_text(st, 8, reasons[pick(6)], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, city ? "需上级医院会诊" : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, ref_urgency_code((enum ref_urgency)urgency), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 11, up ? "" : "出院小结：病情稳定，转回社区随访。", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 12, ref_status_code(s), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, s == REF_REJECTED ? "床位已满" : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, req, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 15, due, -1, SQLITE_TRANSIENT);
        bool accepted = s == REF_ACCEPTED || s == REF_ARRIVED || s == REF_COMPLETED;
        if (accepted)
            sqlite3_bind_text(st, 16, t1, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 16);
        if (s == REF_REJECTED)
            sqlite3_bind_text(st, 17, t1, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 17);
        if (s == REF_ARRIVED || s == REF_COMPLETED)
            sqlite3_bind_text(st, 18, t2, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 18);
        if (s == REF_COMPLETED)
            sqlite3_bind_text(st, 19, t3, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 19);
        if (s == REF_CANCELLED)
            sqlite3_bind_text(st, 20, t1, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 20);
        step_done(db, st);
        if (id % BATCH == 0)
            exec(db, "COMMIT; BEGIN");
    }
    exec(db, "COMMIT");
    sqlite3_finalize(st);
}

/* --- the reads ---------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sort ms and print p50, p99, max; the p99. */
static double report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
    double p99 = ms[(int)((double)n * 0.99)];
    printf("  %-46s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms\n", what, ms[n / 2], p99,
           ms[n - 1]);
    return p99;
}

/* The statement text of the library's inbox pages, for the peer and its plan. */
#define SQL_PICK(name, sql) {#name, sql},
static const struct {
    const char *name, *sql;
} ref_sql[] = {STORE_SQL_REFERRAL(SQL_PICK)};

static const char *sql_of(const char *name)
{
    for (size_t i = 0; i < sizeof(ref_sql) / sizeof(ref_sql[0]); i++)
        if (strcmp(ref_sql[i].name, name) == 0)
            return ref_sql[i].sql;
    die(name, NULL);
    return NULL;
}

static void show_plan(sqlite3 *db, const char *name)
{
    char sql[4096];
    snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sql_of(name));
    sqlite3_stmt *st = prepare(db, sql);
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("  plan of %s: %s\n", name, (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
}

/* One kind of page: a box, a status, and where the pages start. */
struct page_kind {
    const char *what;
    const char *facility, *team;
    int64_t key;                /* the facility's or team's id, for the peer */
    const char *status;
    bool deep;                  /* a random page of the box rather than the first */
};

/* Cursors for deep pages: ids of the box's referrals, read once. */
static int64_t *box_ids(sqlite3 *db, const struct page_kind *k, size_t *n)
{
    sqlite3_stmt *st = prepare(db, k->team ? "SELECT id FROM referral WHERE to_team_id = ?"
                                           : "SELECT id FROM referral WHERE to_facility_id = ?");
    sqlite3_bind_int64(st, 1, k->key);
    size_t cap = 1024;
    int64_t *ids = malloc(cap * sizeof(*ids));
    *n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap)
            ids = realloc(ids, (cap *= 2) * sizeof(*ids));
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return ids;
}

static void pages(struct store *s, const struct acct_principal *me, sqlite3 *peer,
                  const struct page_kind *k, int64_t now, double *ms)
{
    size_t n_ids;
    int64_t *ids = box_ids(peer, k, &n_ids);
    int64_t *after = calloc(READS, sizeof(*after));
    for (int i = 0; i < READS; i++)
        after[i] = k->deep && n_ids > 0 ? ids[pick((int)n_ids)] : 0;
    free(ids);

    struct yl_err err = {0};
    struct arena a;
    arena_init(&a);
    size_t rows = 0;
    int reads = 0;
    double start = now_s();
    for (int i = 0; i < READS && (i < 50 || now_s() - start < READS_S); i++) {
        struct ref_query q = {.box = REF_INBOX, .facility = k->facility, .team = k->team,
                              .status = k->status, .after = after[i], .limit = PAGE};
        struct ref_referral *out;
        size_t n;
        double t = now_s();
        if (ref_list(s, me, &q, now, &a, &out, &n, &err) != 0)
            die("inbox", &err);
        ms[i] = (now_s() - t) * 1e3;
        rows += n;
        reads++;
        arena_release(&a);
    }
    printf("%s (%zu referrals in the box, %.1f rows a page, %d reads)\n", k->what, n_ids,
           (double)rows / reads, reads);
    double lib = report("ref_list (library)", ms, reads);

    /* The peer: the same page's SQL text, prepared once, the key bound directly. */
    sqlite3_stmt *st = prepare(peer, sql_of(k->team ? "REF_INBOX_TEAM" : "REF_INBOX_FACILITY"));
    const char *status = k->status ? k->status : "";
    for (int i = 0; i < reads; i++) {
        double t = now_s();
        sqlite3_bind_int64(st, 1, k->key);
        for (int j = 0; j < REF_STATUS_COUNT; j++)
            sqlite3_bind_text(st, 2 + j,
                              status[0] ? status : ref_status_code((enum ref_status)j), -1,
                              SQLITE_STATIC);
        sqlite3_bind_int64(st, 2 + REF_STATUS_COUNT, after[i]);
        sqlite3_bind_int(st, 3 + REF_STATUS_COUNT, PAGE);
        while (sqlite3_step(st) == SQLITE_ROW)
            ;
        sqlite3_reset(st);
        ms[i] = (now_s() - t) * 1e3;
    }
    sqlite3_finalize(st);
    double bare = report("bare SQL of the page, prepared once (peer)", ms, reads);
    printf("  ratio library / peer at p99: %.2f\n", lib / bare);
    free(after);
}

static int64_t arg_long(int argc, char **argv, int i, int64_t dflt)
{
    return argc > i ? strtoll(argv[i], NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
    int64_t n_residents = arg_long(argc, argv, 1, 1000000);
    int64_t n_referrals = arg_long(argc, argv, 2, 1000000);
    int n_creates = (int)arg_long(argc, argv, 3, 2000);
    if (n_residents < COUNTIES * TOWNSHIPS || n_referrals < 1 || n_creates < 1) {
        fprintf(stderr, "usage: bench_referrals [residents [referrals [creates]]]\n");
        return 2;
    }
    char dir[] = "/tmp/yilian-bench-XXXXXX", path[256];
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(path, sizeof(path), "%s/referrals.db", dir);
    int64_t now = (int64_t)time(NULL);

    struct yl_err err = {0};
    struct store *s;
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0)
        die("store", &err);
    store_close(s);

    /* Bulk load on a raw connection: no journal, big transactions, search indexes after. */
    double t0 = now_s();
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open", NULL);
    exec(db, "PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
             " PRAGMA cache_size=-500000; BEGIN;");
    region(db);
    exec(db, "COMMIT; " STORE_SCRIPT_REC_SEARCH_DROP);
    residents(db, n_residents);
    exec(db, STORE_SCRIPT_REC_SEARCH_CREATE);
    double t1 = now_s();
    referrals(db, n_referrals, n_residents, now);
    double t2 = now_s();
    /* No ANALYZE: the store never runs it, so the planner works here as in production. */
    exec(db, "PRAGMA journal_mode=WAL;");
    sqlite3_close(db);
    printf("referral inboxes: %lld residents, %lld referrals, %d facilities, %d teams\n",
           (long long)n_residents, (long long)n_referrals, 1 + COUNTIES * (1 + TOWNSHIPS),
           COUNTIES * TOWNSHIPS * TEAMS);
    printf("  generated: residents %.1f s, referrals %.1f s (%.0f rows/s)\n", t1 - t0, t2 - t1,
           (double)n_referrals / (t2 - t1));

    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0)
        die("store", &err);
    sqlite3 *peer;
    if (sqlite3_open_v2(path, &peer, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("peer open", NULL);
    show_plan(peer, "REF_INBOX_FACILITY");
    show_plan(peer, "REF_INBOX_TEAM");

    struct acct *acct = acct_new(s, NULL);
    struct audit_log *audit = audit_log_new(s, 5);
    struct audit_actor sys = {0, "bench", "admin", "bench"};
    struct acct_user_input user = {"bench", PASSWORD, NULL, "admin", "region"};
    if (acct_user_create(acct, &user, &sys, NULL, &err) != 0)
        die("user", &err);
    char token[ACCT_TOKEN_HEX];
    int64_t expires;
    int retry;
    struct acct_principal me;
    if (acct_login(acct, "bench", PASSWORD, "bench", token, &expires, &retry, &me, &err) != 0)
        die("login", &err);

    /* The busiest team: the one with the most down-referrals. */
    sqlite3_stmt *st = prepare(peer, "SELECT to_team_id, COUNT(*) FROM referral"
                                     " WHERE to_team_id IS NOT NULL GROUP BY to_team_id"
                                     " ORDER BY 2 DESC LIMIT 1");
    if (sqlite3_step(st) != SQLITE_ROW)
        die("no team inbox", NULL);
    int64_t team_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    int tc = (int)((team_id - 1) / TEAMS / TOWNSHIPS), tt = (int)((team_id - 1) / TEAMS %
                                                                  TOWNSHIPS);
    char team_code[32];
    snprintf(team_code, sizeof(team_code), "TM%d-%d-%d", tc, tt, (int)((team_id - 1) % TEAMS));

    double *ms = calloc(READS > n_creates ? READS : (size_t)n_creates, sizeof(*ms));
    const struct page_kind kinds[] = {
        {"county hospital H0 inbox, first page, any status", "H0", NULL, HOSPITAL_ID(0), "",
         false},
        {"county hospital H0 inbox, first page, requested", "H0", NULL, HOSPITAL_ID(0),
         "requested", false},
        {"county hospital H0 inbox, random page, any status", "H0", NULL, HOSPITAL_ID(0), "",
         true},
        {"team inbox, first page, any status", NULL, team_code, team_id, "", false},
        {"team inbox, first page, requested", NULL, team_code, team_id, "requested", false},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        pages(s, &me, peer, &kinds[i], now, ms);

    /* Create and accept, one durable audited transaction each, as the API makes them. */
    int64_t *ids = calloc((size_t)n_creates, sizeof(*ids));
    struct ref_who who = {&me, &sys};
    t0 = now_s();
    for (int i = 0; i < n_creates; i++) {
        struct ref_input in = {.direction = "up", .resident_id = resident_in(0, n_residents),
                               .from_facility = "T0-1", .to_facility = "H0", .reason = "胸痛待查",
                               .urgency = i % 10 ? "routine" : "urgent"};
        bool created;
        double t = now_s();
        if (ref_create(s, &who, &in, now, &ids[i], &created, &err) != 0 || !created)
            die("create", &err);
        ms[i] = (now_s() - t) * 1e3;
    }
    double create_s = now_s() - t0;
    printf("create and accept, %d referrals into H0, one at a time\n", n_creates);
    report("ref_create", ms, n_creates);
    t0 = now_s();
    for (int i = 0; i < n_creates; i++) {
        double t = now_s();
        if (ref_act(s, &who, ids[i], REF_ACCEPT, NULL, now + 60, &err) != 0)
            die("accept", &err);
        ms[i] = (now_s() - t) * 1e3;
    }
    double accept_s = now_s() - t0;
    report("ref_act accept", ms, n_creates);
    printf("  %.0f creates/s, %.0f accepts/s (durable, audited)\n", n_creates / create_s,
           n_creates / accept_s);

    sqlite3_close(peer);
    audit_log_free(audit);
    acct_free(acct);
    store_close(s);
    free(ms);
    free(ids);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_referrals: could not remove %s\n", dir);
    return 0;
}
