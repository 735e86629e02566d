/*
 * records_import.c - the residents CSV import rate, durable (WAL, synchronous=FULL): a new
 * file, its re-run, and a bare batched INSERT of the same rows into the same schema. N
 * synthetic residents (default 200,000) over 100 villages. Figures, not a test.
 *   make build/release/bench_imports && build/release/bench_imports [N] [dir]
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "importer/importer.h"
#include "records/records.h"
#include "store/store.h"

#define VILLAGES 100
#define BATCH 20000

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A small deterministic generator (xorshift64*): the same file on every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int pick(int n)
{
    return (int)(rng() % (uint64_t)n);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周",
                                       "吴", "徐", "孙", "金", "朴", "崔", "郑"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋",
                                    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "桂兰"};

/* Write n residents as CSV to path. */
static int generate(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "id_number,name,sex,birth_date,ou_code,household,phone,address,record_date,"
               "status,status_date,death_cause,maternal_death,tags\n");
    long household = 0;
    int left_in_household = 0;
    int32_t start = date_from_ymd(1930, 1, 1), span = date_from_ymd(2023, 12, 31) - start;
    int village = 0;
    for (long i = 0; i < n; i++) {
        if (left_in_household == 0) {
            household++;
            left_in_household = 1 + pick(5);
            village = 1 + pick(VILLAGES);
        }
        left_in_household--;
        /* A birth date from a multiplicative walk: with the sequence number i % 1000 below,
         * no two of the first several million residents share an ID number. */
        int32_t birth = start + (int32_t)((i * 48271) % span);
        int y, m, d;
        date_to_ymd(birth, &y, &m, &d);
        /* Sequence numbers run through the file so no two residents share a number. */
        char body[18], number[IDNO_LEN + 1];
        snprintf(body, sizeof(body), "222404%04d%02d%02d%03ld", y, m, d, i % 1000);
        memcpy(number, body, 17);
        number[17] = idno_check_char(body);
        number[18] = '\0';
        int sex = (body[16] - '0') % 2 == 1 ? 1 : 2;
        char birth_text[DATE_STR_LEN], record[DATE_STR_LEN];
        date_format(birth, birth_text);
        int32_t opened = birth > date_from_ymd(2010, 1, 1) ? birth : date_from_ymd(2010, 1, 1);
        int32_t recorded = opened + pick(365 * 10);
        date_format(recorded < date_today() ? recorded : date_today(), record);
        char tags[64] = "";
        if (y < 1975 && pick(4) == 0)
            snprintf(tags, sizeof(tags), "hypertension:2021-0%d-1%d", 1 + pick(9), pick(9));
        fprintf(f, "%s,%s%s,%d,%s,2224040%02d%03d,H%07ld,1%d%09d,\"%d号\",%s,,,,,%s\n", number,
                surnames[pick(16)], given[pick(18)], sex, birth_text, 1 + (village - 1) / 20,
                village, household, 3 + pick(7), pick(1000000000), pick(200), record, tags);
    }
    return fclose(f);
}

static int fixtures(const char *db_path)
{
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK)
        return -1;
    char sql[256];
    int rc = sqlite3_exec(db,
                          "BEGIN; INSERT INTO ou (id, code, name, level, parent_id, updated_at)"
                          " VALUES (1, '22', 'p', 1, NULL, 't'), (2, '2224', 'c', 2, 1, 't'),"
                          " (3, '222404', 'h', 3, 2, 't')",
                          NULL, NULL, NULL);
    for (int t = 1; rc == SQLITE_OK && t <= VILLAGES / 20; t++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
                 " (%d, '2224040%02d', 't', 4, 3, 't')", 10 + t, t);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    for (int v = 1; rc == SQLITE_OK && v <= VILLAGES; v++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
                 " (%d, '2224040%02d%03d', 'v', 5, %d, 't')",
                 100 + v, 1 + (v - 1) / 20, v, 10 + 1 + (v - 1) / 20);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int import_file(struct store *s, const char *csv, long expected, struct imp_report *rep)
{
    FILE *in = fopen(csv, "r");
    if (in == NULL)
        return -1;
    static const struct audit_actor who = {0, "bench", "admin", "cli"};
    struct rec_import *ri = rec_import_new();
    struct yl_err err = {0};
    memset(rep, 0, sizeof(*rep));
    rep->errors = stderr;
    rep->max_printed = 5;
    int rc = rec_import_begin(ri, s, expected, &err);
    double t0 = now_s();
    if (rc == 0)
        rc = imp_run(s, in, rec_import_spec(ri), ri, &who, rep, &err);
    double t1 = now_s();
    if (rc == 0)
        rc = rec_import_end(ri, s, &err);
    printf("  rows %.2f s, search indexes built after them %.2f s\n", t1 - t0, now_s() - t1);
    rec_import_free(ri);
    fclose(in);
    if (rc != 0)
        fprintf(stderr, "import: %s\n", yl_err_message(&err));
    return rc;
}

/* The same rows, bound straight from the CSV text into one prepared INSERT per table, in
 * batches: what SQLite itself does with no checks and no reading of the store. */
static double bare_insert(const char *db_path, const char *csv, long n, const char *table)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    char sql[512];
    sqlite3_open(db_path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON;"
                     " CREATE TABLE IF NOT EXISTS resident_bare AS SELECT * FROM resident"
                     " WHERE 0", NULL, NULL, NULL);
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s (id_number, name, sex, birth_date, ou_id,"
             " household, phone, address, record_date, status, updated_at,"
             " residence_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?9, 'active', 't', ?9)", table);
    sqlite3_prepare_v2(db, sql, -1, &ins, NULL);
    FILE *in = fopen(csv, "r");
    char line[1024];
    if (fgets(line, sizeof(line), in) == NULL)
        return 0;
    double t0 = now_s();
    long i = 0;
    while (fgets(line, sizeof(line), in) != NULL) {
        if (i % BATCH == 0)
            sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        char *f[14];
        int k = 0;
        for (char *p = line; k < 14; k++) {
            f[k] = p;
            p += strcspn(p, ",\n");
            if (*p == '\0')
                break;
            *p++ = '\0';
        }
        int ou = 100 + (int)strtol(f[4] + 9, NULL, 10);
        sqlite3_bind_text(ins, 1, f[0], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, f[1], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 3, f[2][0] - '0');
        sqlite3_bind_text(ins, 4, f[3], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 5, ou);
        sqlite3_bind_text(ins, 6, f[5], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 7, f[6], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 8, f[7], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 9, f[8], -1, SQLITE_TRANSIENT);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        if (++i % BATCH == 0)
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t = now_s() - t0;
    fclose(in);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return i == n ? (double)n / t : 0;
}

static int fresh_store(const char *path, struct store **s)
{
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    remove(path);
    remove(wal);
    struct yl_err err = {0};
    const char *mb = getenv("BENCH_STORE_CACHE_MB");
    struct store_options opt = {.cache_mb = mb != NULL ? (int)strtol(mb, NULL, 10) : 0};
    if (store_open(path, &opt, s, &err) != 0 || store_migrate(*s, NULL, &err) != 0) {
        fprintf(stderr, "store: %s\n", yl_err_message(&err));
        return -1;
    }
    return fixtures(path);
}

/* BENCH_CACHE_MB=n gives every connection of the process an n MiB page cache (the store
 * keeps SQLite's 2 MiB default) and BENCH_TEMP_MEMORY=1 keeps statement journals in memory
 * (the importer's savepoint per record otherwise writes every page it first touches to a
 * temporary file): they show what the store's connection settings cost the import. */
static int cache_mb, temp_memory;

static int set_pragmas(sqlite3 *db, char **msg, const void *api)
{
    char sql[96];
    (void)api;
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d; PRAGMA temp_store = %s;",
             cache_mb > 0 ? cache_mb * 1024 : 2000, temp_memory ? "MEMORY" : "DEFAULT");
    return sqlite3_exec(db, sql, NULL, NULL, msg);
}

int main(int argc, char **argv)
{
    const char *cache = getenv("BENCH_CACHE_MB"), *temp = getenv("BENCH_TEMP_MEMORY");
    cache_mb = cache != NULL ? (int)strtol(cache, NULL, 10) : 0;
    temp_memory = temp != NULL && strtol(temp, NULL, 10) > 0;
    if (cache_mb > 0 || temp_memory) {
        sqlite3_auto_extension((void (*)(void))set_pragmas);
        printf("connections: page cache %d MiB, temp_store %s\n",
               cache_mb > 0 ? cache_mb : 2, temp_memory ? "MEMORY" : "DEFAULT");
    }
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char csv[512], db[512], bare[512];
    snprintf(csv, sizeof(csv), "%s/records-bench-%ld.csv", dir, (long)getpid());
    snprintf(db, sizeof(db), "%s/records-bench-%ld.db", dir, (long)getpid());
    snprintf(bare, sizeof(bare), "%s/records-bare-%ld.db", dir, (long)getpid());
    double t0 = now_s();
    if (generate(csv, n) != 0)
        return 1;
    printf("generated %ld residents in %.2f s\n", n, now_s() - t0);

    struct store *s;
    if (fresh_store(db, &s) != 0)
        return 1;
    struct imp_report rep;
    t0 = now_s();
    if (import_file(s, csv, n, &rep) != 0)
        return 1;
    double t_new = now_s() - t0;
    printf("import, new records:   %8.0f rows/s  (%ld applied, %ld refused, %.2f s)\n",
           (double)n / t_new, rep.applied, rep.refused, t_new);
    if (getenv("BENCH_IMPORT_ONLY") != NULL)
        return 0;
    t0 = now_s();
    if (import_file(s, csv, n, &rep) != 0)
        return 1;
    double t_again = now_s() - t0;
    printf("import, re-run:        %8.0f rows/s  (%ld unchanged, %.2f s)\n",
           (double)n / t_again, rep.unchanged, t_again);
    store_close(s);

    /* The peers: the same rows into the same schema with every index, and into a table of
     * the same columns with no index or constraint at all (the "bare insert"). */
    static const char *const tables[2] = {"resident", "resident_bare"};
    static const char *const what[2] = {"same schema, every index", "table only, no index"};
    double rate_new = (double)n / t_new;
    for (int k = 0; k < 2; k++) {
        struct store *s2;
        if (fresh_store(bare, &s2) != 0)
            return 1;
        store_close(s2);
        double bare_rate = bare_insert(bare, csv, n, tables[k]);
        printf("bare batched INSERT:   %8.0f rows/s  (%s); import / bare %.2f\n", bare_rate,
               what[k], bare_rate > 0 ? rate_new / bare_rate : 0);
    }
    remove(csv);
    remove(db);
    remove(bare);
    return 0;
}
