/*
 * surveil_bench.c - time of the surveillance detectors on long series. Figures, not a test.
 *
 * Daily: UNITS org units x DISEASES diseases x YEARS years (default 1,000 x 50 x 5) through
 * EARS C1, C2, C3, CUSUM and the moving percentile method. Weekly: FSERIES series of FWEEKS
 * weeks (default 1,000 x 520) through Farrington and the improved Farrington (Noufaily
 * defaults). The counts are simulated (seasonal Poisson, fixed seed); 64 distinct series are
 * generated per kind and cycled, so generation stays out of the timing. With --dump DIR the
 * first 64 series of each kind are written as CSV for bench/surveil.sh to time R on. With
 * --out DIR every method's output on those 64 series is written raw to DIR/METHOD.bin (struct
 * surv_point arrays), so a change to a detector can be checked bit for bit. Build:
 *   make build/release/libyilian.a && cc -O2 -D_GNU_SOURCE -Isrc bench/surveil_bench.c \
 *   build/release/libyilian.a -lm -o build/release/surveil_bench && \
 *   build/release/surveil_bench [UNITS DISEASES YEARS FSERIES FWEEKS] [--dump DIR] [--out DIR]
 * Output: one line per method, then "RESULT method seconds series points_per_series".
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "core/err.h"
#include "surveil/detect.h"

#define POOL 64

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* splitmix64: the same data on every run. */
static uint64_t rng_state = 0x5EED5EED5EEDull;

static double rng_unit(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* Knuth's product-of-uniforms Poisson draw: fine for the small means used here. */
static double rng_poisson(double mu)
{
    double l = exp(-mu), p = 1.0;
    int k = 0;

    do {
        k++;
        p *= rng_unit();
    } while (p > l);
    return (double)(k - 1);
}

/* A seasonal series: base mean between 0.5 and 8, a yearly wave, a small outbreak now and
 * then. */
static void make_series(double *c, size_t n, double period)
{
    double base = 0.5 + 7.5 * rng_unit(), phase = 2.0 * M_PI * rng_unit();

    for (size_t t = 0; t < n; t++) {
        double mu = base * exp(0.5 * sin(2.0 * M_PI * (double)t / period + phase));
        if (rng_unit() < 0.002)
            mu *= 4.0;
        c[t] = rng_poisson(mu);
    }
}

typedef int detect_fn(const double *c, size_t n, const void *params, struct surv_point *out);

static int run_ears(const double *c, size_t n, const void *p, struct surv_point *out)
{
    return surv_ears_run(c, n, p, out, NULL);
}

static int run_cusum(const double *c, size_t n, const void *p, struct surv_point *out)
{
    return surv_cusum_run(c, n, p, out, NULL);
}

static int run_mpm(const double *c, size_t n, const void *p, struct surv_point *out)
{
    return surv_mpm_run(c, n, p, out, NULL);
}

static int run_farrington(const double *c, size_t n, const void *p, struct surv_point *out)
{
    return surv_farrington_run(c, n, p, out, NULL);
}

static int run_flexible(const double *c, size_t n, const void *p, struct surv_point *out)
{
    return surv_farrington_flexible_run(c, n, p, out, NULL);
}

struct bench_method {
    const char *name;
    detect_fn *fn;
    const void *params;
    int weekly;
};

/* Run one method over n_series series (the pool cycled); returns seconds. Alarms are
 * counted so the work cannot be optimised away. */
static double bench_one(const struct bench_method *m, double **pool, size_t len,
                        size_t n_series, struct surv_point *out, long *alarms)
{
    double t0 = now_s();

    *alarms = 0;
    for (size_t s = 0; s < n_series; s++) {
        if (m->fn(pool[s % POOL], len, m->params, out) != 0) {
            fprintf(stderr, "%s failed\n", m->name);
            exit(1);
        }
        for (size_t t = 0; t < len; t++)
            *alarms += out[t].alarm == SURV_ALARM;
    }
    return now_s() - t0;
}

/* The daily methods over the series split among threads: the detectors are pure functions
 * and the series independent, so a nightly run spreads them over the cores. */
struct share {
    const struct bench_method *methods;
    size_t n_methods;
    double **pool;
    size_t len, from, to;
    long alarms;
};

static void *run_share(void *arg)
{
    struct share *sh = arg;
    struct surv_point *out = malloc(sizeof(*out) * sh->len);
    for (size_t i = 0; i < sh->n_methods; i++) {
        for (size_t s = sh->from; s < sh->to; s++) {
            if (sh->methods[i].fn(sh->pool[s % POOL], sh->len, sh->methods[i].params, out) != 0)
                exit(1);
            for (size_t t = 0; t < sh->len; t++)
                sh->alarms += out[t].alarm == SURV_ALARM;
        }
    }
    free(out);
    return NULL;
}

static double bench_threads(const struct bench_method *methods, size_t n_methods, double **pool,
                            size_t len, size_t n_series, int threads, long *alarms)
{
    pthread_t tid[64];
    struct share sh[64];
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        sh[i] = (struct share){methods, n_methods, pool, len, n_series * (size_t)i / (size_t)threads,
                               n_series * (size_t)(i + 1) / (size_t)threads, 0};
        pthread_create(&tid[i], NULL, run_share, &sh[i]);
    }
    *alarms = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        *alarms += sh[i].alarms;
    }
    return now_s() - t0;
}

/* Each method's points on the 64 distinct series, raw, for a before/after comparison. */
static void write_outputs(const char *dir, const char *suffix, const struct bench_method *methods,
                          size_t n_methods, double **dpool, size_t dlen, double **wpool,
                          size_t wlen)
{
    size_t len = dlen > wlen ? dlen : wlen;
    struct surv_point *out = malloc(sizeof(*out) * (len ? len : 1));

    for (size_t i = 0; i < n_methods; i++) {
        const struct bench_method *m = &methods[i];
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s%s.bin", dir, m->name, suffix);
        f = fopen(path, "wb");
        if (f == NULL) {
            perror(path);
            exit(1);
        }
        len = m->weekly ? wlen : dlen;
        for (int s = 0; s < POOL; s++) {
            if (m->fn(m->weekly ? wpool[s] : dpool[s], len, m->params, out) != 0 ||
                fwrite(out, sizeof(*out), len, f) != len) {
                fprintf(stderr, "%s failed\n", m->name);
                exit(1);
            }
        }
        fclose(f);
    }
    free(out);
}

static void dump(const char *dir, const char *name, double **pool, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.csv", dir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    for (size_t t = 0; t < len; t++) {
        for (int s = 0; s < POOL; s++)
            fprintf(f, "%s%.0f", s ? "," : "", pool[s][t]);
        fputc('\n', f);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    long units = 1000, diseases = 50, years = 5, fseries = 1000, fweeks = 520;
    const char *dump_dir = NULL, *out_dir = NULL;
    long *nums[] = { &units, &diseases, &years, &fseries, &fweeks };
    int k = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump_dir = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out_dir = argv[++i];
        else if (k < 5)
            *nums[k++] = strtol(argv[i], NULL, 10);
    }
    size_t dlen = (size_t)(365 * years), wlen = (size_t)fweeks;
    size_t dseries = (size_t)(units * diseases);
    double *dpool[POOL], *wpool[POOL];
    struct surv_point *out = malloc(sizeof(*out) * (dlen > wlen ? dlen : wlen));

    for (int s = 0; s < POOL; s++) {
        dpool[s] = malloc(sizeof(double) * dlen);
        wpool[s] = malloc(sizeof(double) * wlen);
        make_series(dpool[s], dlen, 365.25);
        make_series(wpool[s], wlen, 52.0);
    }
    if (dump_dir != NULL) {
        dump(dump_dir, "daily", dpool, dlen);
        dump(dump_dir, "weekly", wpool, wlen);
    }

    struct surv_ears_params c1, c2, c3;
    struct surv_cusum_params cu;
    struct surv_mpm_params mpm;
    struct surv_farrington_params fa, ff;
    surv_ears_defaults(&c1, SURV_EARS_C1);
    surv_ears_defaults(&c2, SURV_EARS_C2);
    surv_ears_defaults(&c3, SURV_EARS_C3);
    surv_cusum_defaults(&cu);
    surv_mpm_defaults(&mpm);
    mpm.years = years > 3 ? 3 : (int)years - 1;     /* leave years to judge */
    surv_farrington_defaults(&fa);
    surv_farrington_flexible_defaults(&ff);
    const struct bench_method methods[] = {
        { "ears_c1", run_ears, &c1, 0 },
        { "ears_c2", run_ears, &c2, 0 },
        { "ears_c3", run_ears, &c3, 0 },
        { "cusum", run_cusum, &cu, 0 },
        { "mpm", run_mpm, &mpm, 0 },
        { "farrington", run_farrington, &fa, 1 },
        { "farrington_flexible", run_flexible, &ff, 1 },
    };

    if (out_dir != NULL) {
        /* Also the moving percentile's other common shapes: the defaults (5 years, 15 sums,
         * P80) and Wang et al.'s 5 x 5 window at P50, and a generic 4 x 3 at P45. */
        struct surv_mpm_params m15, m25, m12;
        surv_mpm_defaults(&m15);
        m25 = m15;
        m25.adjacent = 2;
        m25.percentile = 50.0;
        m12 = m15;
        m12.years = 4;
        m12.percentile = 45.0;
        const struct bench_method extra[] = {
            { "mpm_15", run_mpm, &m15, 0 },
            { "mpm_25", run_mpm, &m25, 0 },
            { "mpm_12", run_mpm, &m12, 0 },
        };
        size_t n_methods = sizeof(methods) / sizeof(methods[0]);
        size_t n_extra = sizeof(extra) / sizeof(extra[0]);
        write_outputs(out_dir, "", methods, n_methods, dpool, dlen, wpool, wlen);
        write_outputs(out_dir, "", extra, n_extra, dpool, dlen, wpool, wlen);
        /* Then again with missing counts: scattered days and a month-long gap. */
        for (int s = 0; s < POOL; s++) {
            for (size_t t = (size_t)s; t < dlen; t += 37)
                dpool[s][t] = NAN;
            for (size_t t = 400 + 13 * (size_t)s; t < dlen && t < 430 + 13 * (size_t)s; t++)
                dpool[s][t] = NAN;
            for (size_t t = (size_t)s; t < wlen; t += 23)
                wpool[s][t] = NAN;
        }
        write_outputs(out_dir, "_holes", methods, n_methods, dpool, dlen, wpool, wlen);
        write_outputs(out_dir, "_holes", extra, n_extra, dpool, dlen, wpool, wlen);
        return 0;
    }
    printf("daily: %zu series x %zu days; weekly: %ld series x %zu weeks\n", dseries, dlen,
           fseries, wlen);
    double daily_total = 0.0;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        const struct bench_method *m = &methods[i];
        size_t n = m->weekly ? (size_t)fseries : dseries;
        size_t len = m->weekly ? wlen : dlen;
        long alarms;
        double s = bench_one(m, m->weekly ? wpool : dpool, len, n, out, &alarms);
        if (!m->weekly)
            daily_total += s;
        printf("%-20s %9.3f s  %7.1f M points/s  %8.2f us/series  %ld alarms\n", m->name, s,
               (double)n * (double)len / s / 1e6, s / (double)n * 1e6, alarms);
        printf("RESULT %s %.6f %zu %zu\n", m->name, s, n, len);
    }
    printf("daily detectors together: %.3f s for %zu points\n", daily_total,
           dseries * dlen);
    long cores = sysconf(_SC_NPROCESSORS_ONLN), alarms;
    int threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    double par = bench_threads(methods, 5, dpool, dlen, dseries, threads, &alarms);
    printf("daily detectors together on %d threads: %.3f s (%ld alarms)\n", threads, par,
           alarms);
    printf("RESULT daily_threads %.6f %zu %zu\n", par, dseries, dlen);
    for (int s = 0; s < POOL; s++) {
        free(dpool[s]);
        free(wpool[s]);
    }
    free(out);
    return 0;
}
