/*
 * services_import.c - the service events import rate, durable (WAL, synchronous=FULL): the
 * demo region's services.csv for N residents (default 200,000; about 3.7 events each over
 * two years) imported through the real importer, then re-run; and in the same run two peers
 * on the same disk: a bare batched INSERT of the same rows into a table with the same
 * columns and indexes as service_event, and into one with no index at all. Figures, not a
 * test.
 *   make build/release/bench_services_import && build/release/bench_services_import [N]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "core/err.h"
#include "demo/demo.h"
#include "importer/importer.h"
#include "services/services.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int import_kind(struct store *s, const char *dir, const char *kind,
                       struct imp_report *rep)
{
    char path[600];
    struct yl_err err = {0};
    snprintf(path, sizeof(path), "%s/%s.csv", dir, kind);
    memset(rep, 0, sizeof(*rep));
    rep->errors = stderr;
    rep->max_printed = 5;
    int rc = cli_import_file(s, kind, path, rep, &err);
    if (rc != 0)
        fprintf(stderr, "import %s: %s\n", kind, yl_err_message(&err));
    return rc;
}

/* The same rows bound straight from the CSV text into `table` in batches of 50,000: what
 * SQLite does with no checks, no lookups and no reading of the store. */
static double bare_insert(const char *db_path, const char *csv, const char *table,
                          const char *indexes, long *rows)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    char sql[512];
    sqlite3_open(db_path, &db);
    snprintf(sql, sizeof(sql),
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; DROP TABLE IF EXISTS %s;"
             " CREATE TABLE %s AS SELECT * FROM service_event WHERE 0; %s",
             table, table, indexes);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s (external_id, resident_id, item, service_date, facility_id,"
             " staff_id, outcome, measurements, recorded_at) VALUES (?, ?, ?, ?, 1, NULL, 0, ?,"
             " 't')", table);
    sqlite3_prepare_v2(db, sql, -1, &ins, NULL);
    FILE *in = fopen(csv, "r");
    char line[4096];
    *rows = 0;
    if (in == NULL || fgets(line, sizeof(line), in) == NULL)
        return 0;
    double t0 = now_s();
    while (fgets(line, sizeof(line), in) != NULL) {
        if (*rows % 50000 == 0)
            sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        char *f[7];
        int k = 0;
        for (char *p = line; k < 7; k++) {
            f[k] = p;
            p += strcspn(p, k < 6 ? "," : "\n");
            if (*p == '\0')
                break;
            *p++ = '\0';
        }
        sqlite3_bind_text(ins, 1, f[0], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, 1 + *rows % 100000);
        sqlite3_bind_text(ins, 3, f[2], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, f[3], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, f[6], -1, SQLITE_TRANSIENT);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        if (++*rows % 50000 == 0)
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t = now_s() - t0;
    fclose(in);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return t > 0 ? (double)*rows / t : 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    char dir[256], db[300], csv[400];
    snprintf(dir, sizeof(dir), "/tmp/services-bench-%ld", (long)getpid());
    snprintf(db, sizeof(db), "%s.db", dir);
    snprintf(csv, sizeof(csv), "%s/services.csv", dir);

    struct yl_err err = {0};
    struct svc_protocol *p = NULL;
    if (cli_protocol_load(NULL, &p, &err) != 0) {
        fprintf(stderr, "protocol: %s\n", yl_err_message(&err));
        return 1;
    }
    struct demo_options opt;
    struct demo_stats st;
    demo_options_init(&opt);
    opt.residents = n;
    opt.protocol = p;
    double t0 = now_s();
    if (demo_generate(&opt, dir, &st, &err) != 0) {
        fprintf(stderr, "demo: %s\n", yl_err_message(&err));
        return 1;
    }
    printf("demo region: %ld residents, %ld service events generated in %.2f s\n",
           st.residents, st.services, now_s() - t0);

    struct store *s;
    struct store_options so = {.cache_mb = 1024};
    if (store_open(db, &so, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "store: %s\n", yl_err_message(&err));
        return 1;
    }
    static const char *const before[] = {"ous", "population", "facilities", "groups",
                                         "staff", "teams", "residents", "contracts"};
    struct imp_report rep;
    for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
        if (import_kind(s, dir, before[i], &rep) != 0)
            return 1;
    t0 = now_s();
    if (import_kind(s, dir, "services", &rep) != 0)
        return 1;
    double t_new = now_s() - t0;
    printf("import, new events:    %8.0f rows/s  (%ld applied, %ld refused, %.2f s)\n",
           (double)rep.records / t_new, rep.applied, rep.refused, t_new);
    t0 = now_s();
    if (import_kind(s, dir, "services", &rep) != 0)
        return 1;
    double t_again = now_s() - t0;
    printf("import, re-run:        %8.0f rows/s  (%ld unchanged, %.2f s)\n",
           (double)rep.records / t_again, rep.unchanged, t_again);
    store_close(s);
    svc_protocol_free(p);

    double rate_new = (double)st.services / t_new;
    long rows;
    double same = bare_insert(db, csv, "service_bare",
                              "CREATE UNIQUE INDEX service_bare_ext ON service_bare"
                              " (external_id); CREATE INDEX service_bare_res ON service_bare"
                              " (resident_id, service_date, id);",
                              &rows);
    printf("bare batched INSERT:   %8.0f rows/s  (same columns and indexes); import / bare %.2f\n",
           same, same > 0 ? rate_new / same : 0);
    double bare = bare_insert(db, csv, "service_bare", "", &rows);
    printf("bare batched INSERT:   %8.0f rows/s  (no index); import / bare %.2f\n", bare,
           bare > 0 ? rate_new / bare : 0);
    char cmd[1600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s-wal' '%s-shm'", dir, db, db, db);
    return system(cmd) == 0 ? 0 : 1;
}
