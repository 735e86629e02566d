/*
 * alerts_bench.c - time of multi-point triggering on a region's worth of signals. Figures,
 * not a test.
 *
 * A synthetic region of TOWNS townships on a grid 10 km apart (so each has up to 4 neighbours
 * within the shipped rule's 15 km), CHANNELS channels, DAYS days; each township, channel and
 * day alarms with probability P (default 3,000 x 5 x 28 x 0.02: about 8,400 signals, a bad
 * flu season). Timed: the pure engine over all of them with the shipped rules, and the
 * stored path (surv_signals_ingest of one day's signals, then the same day again, which
 * must raise nothing) on a fresh database under /tmp.
 *   make build/release/bench_alerts && build/release/bench_alerts [TOWNS CHANNELS DAYS P]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_state = 0xA1E27A1E27ull;

static double rng_unit(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    int towns = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 3000;
    int channels = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    int days = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 28;
    double p = argc > 4 ? strtod(argv[4], NULL) : 0.02;
    static const char *const chan[] = {"fever", "ili", "diarrhea", "pharmacy", "absence",
                                       "rash", "jaundice", "cough"};
    if (towns < 1 || towns > 99000 || channels < 1 || channels > 8 || days < 1)
        return 2;
    struct surv_rules *rules;
    struct yl_err err = {0};
    if (surv_rules_load("data/alert-rules.csv", &rules, &err) != 0) {
        fprintf(stderr, "%s\n", yl_err_message(&err));
        return 1;
    }
    /* Townships: county 2224CC, township CCC within it, 10 km grid (0.09 deg latitude). */
    char (*codes)[16] = xmalloc((size_t)towns * sizeof(*codes));
    struct surv_ou_point *pts = xmalloc((size_t)towns * sizeof(*pts));
    int side = (int)ceil(sqrt(towns));
    for (int t = 0; t < towns; t++) {
        snprintf(codes[t], sizeof(codes[t]), "2224%02d%03d", 1 + t / 999, 1 + t % 999);
        pts[t] = (struct surv_ou_point){codes[t], 42.0 + 0.09 * (t / side),
                                        129.0 + 0.122 * (t % side)};
    }
    int32_t d0 = date_from_ymd(2026, 1, 5);
    size_t cap = (size_t)towns * (size_t)channels * (size_t)days, n = 0;
    struct surv_signal *sg = xcalloc(cap, sizeof(*sg));
    for (int d = 0; d < days; d++)
        for (int t = 0; t < towns; t++)
            for (int c = 0; c < channels; c++)
                if (rng_unit() < p)
                    sg[n++] = (struct surv_signal){.kind = SURV_SRC_CHANNEL, .code = chan[c],
                                                   .ou = codes[t], .day = d0 + d,
                                                   .method = "c2", .count = 20, .expected = 8,
                                                   .upper = 15, .score = 3};
    struct arena a;
    arena_init(&a);
    struct surv_candidate *cand;
    size_t n_cand = 0;
    double t0 = now_s();
    if (surv_rules_apply(rules, sg, n, pts, (size_t)towns, NULL, NULL, &a, &cand, &n_cand,
                         &err) != 0)
        return 1;
    double t1 = now_s();
    size_t by_level[SURV_LEVEL_COUNT] = {0};
    for (size_t i = 0; i < n_cand; i++)
        by_level[cand[i].level]++;
    printf("engine: %zu signals (%d townships x %d channels x %d days, p %.3f) -> %zu alerts "
           "(yellow %zu, orange %zu) in %.3f s\n",
           n, towns, channels, days, p, n_cand, by_level[SURV_YELLOW], by_level[SURV_ORANGE],
           t1 - t0);
    printf("RESULT engine %.3f %zu %zu\n", t1 - t0, n, n_cand);
    arena_release(&a);

    /* The stored path: one day's signals, over a database holding the 7 days before. */
    char path[] = "/tmp/yilian-alerts-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    struct store *s;
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", yl_err_message(&err));
        return 1;
    }
    /* The ou table gives the engine its centroids. */
    struct store_conn *c = store_acquire(s);
    store_begin(c, STORE_WRITE, &err);
    char sql[256];
    snprintf(sql, sizeof(sql), "INSERT INTO ou (code, name, level, updated_at) VALUES"
                               " ('22', 'p', 1, ''), ('2224', 'c', 2, '')");
    store_script(c, sql, &err);
    for (int k = 1; k <= 1 + (towns - 1) / 999; k++) {
        snprintf(sql, sizeof(sql), "INSERT INTO ou (code, name, level, updated_at) VALUES"
                                   " ('2224%02d', 'x', 3, '')", k);
        store_script(c, sql, &err);
    }
    for (int t = 0; t < towns; t++) {
        snprintf(sql, sizeof(sql), "INSERT INTO ou (code, name, level, lat, lon, updated_at)"
                                   " VALUES ('%s', 't', 4, %.5f, %.5f, '')",
                 codes[t], pts[t].lat, pts[t].lon);
        store_script(c, sql, &err);
    }
    store_commit(c, &err);
    store_release(c);
    struct audit_actor actor = {0, "bench", "admin", "bench"};
    size_t day_lo = 0, total_new = 0;
    double t_ingest = 0, t_again = 0;
    int last_day = days < 8 ? days - 1 : 7;
    for (int d = 0; d <= last_day; d++) {
        size_t hi = day_lo;
        while (hi < n && sg[hi].day == d0 + d)
            hi++;
        struct surv_ingest_result r;
        double u0 = now_s();
        if (surv_signals_ingest(s, rules, NULL, NULL, sg + day_lo, hi - day_lo, &actor,
                                1700000000 + d * 86400, &r, &err) != 0) {
            fprintf(stderr, "%s\n", yl_err_message(&err));
            return 1;
        }
        double u1 = now_s();
        total_new += r.new_alerts;
        if (d == last_day) {
            t_ingest = u1 - u0;
            printf("ingest: day %d, %zu signals: %zu raised, %zu extended in %.3f s\n", d,
                   hi - day_lo, r.new_alerts, r.extended, t_ingest);
            for (size_t i = day_lo; i < hi; i++)
                sg[i].id = 0;
            u0 = now_s();
            surv_signals_ingest(s, rules, NULL, NULL, sg + day_lo, hi - day_lo, &actor,
                                1700000000 + d * 86400 + 60, &r, &err);
            t_again = now_s() - u0;
            printf("again:  the same day: %zu new signals, %zu raised, %zu extended in %.3f s\n",
                   r.new_signals, r.new_alerts, r.extended, t_again);
        }
        day_lo = hi;
    }
    printf("RESULT ingest %.3f again %.3f alerts %zu\n", t_ingest, t_again, total_new);
    store_close(s);
    unlink(path);
    char side_file[300];
    snprintf(side_file, sizeof(side_file), "%s-wal", path);
    unlink(side_file);
    snprintf(side_file, sizeof(side_file), "%s-shm", path);
    unlink(side_file);
    surv_rules_free(rules);
    free(sg);
    free(pts);
    free(codes);
    return 0;
}
