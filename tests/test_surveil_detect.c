/*
 * test_surveil_detect.c - the surveillance detectors (src/surveil/detect.h).
 *
 * Small series whose expected values are worked out by hand in the comments; edge cases
 * (too short, missing, all zero, zero variance); refusals of bad parameters; the scan on a
 * planted cluster and on a uniform pattern; and agreement with R surveillance 1.20.3 on
 * tests/data/surveil-reference.csv (written by bench/surveil_reference.R; R is not needed
 * here).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "surveil/detect.h"
#include "surveil/detect_int.h"
#include "test.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define REF_FILE "tests/data/surveil-reference.csv"

/* Agreement with R: our IRLS repeats R's glm.fit step for step (start, stopping rule,
 * by-products of the last step), so what remains is rounding, normal equations here against
 * a QR decomposition in R, and the 15 digits R prints: below 1e-14 on this file. 1e-9
 * relative (absolute below 1) leaves room for another libm and is still far below any
 * difference of definition: the smallest one met while writing this, R's dispersion with
 * the outbreak weights, moved the bound by 4e-3. The bar is 1e-6. */
#define REF_TOL 1e-9

#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double na_ = (a), nb_ = (b);                                           \
        if (!(fabs(na_ - nb_) <= (tol))) {                                     \
            TEST_FAIL_AT("%s == %s: %.12g != %.12g", #a, #b, na_, nb_);        \
            return;                                                            \
        }                                                                      \
    } while (0)

/* A deterministic generator for test data (splitmix64): the same series every run. */
static uint64_t test_rng_state;

static uint64_t test_rng(void)
{
    uint64_t z = (test_rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int test_rng_below(int n)
{
    return (int)(test_rng() % (uint64_t)n);
}

/* ------------------------------------------------------------------ fixed threshold */

TEST(threshold_any_case_alarms)
{
    double c[] = { 0, 1, 0, 3, NAN };
    struct surv_point out[5];
    struct surv_threshold_params p;
    struct yl_err err = { 0 };

    surv_threshold_defaults(&p);
    CHECK_INT(surv_threshold_run(c, 5, &p, out, &err), 0);
    CHECK_INT(out[0].alarm, SURV_QUIET);
    CHECK_INT(out[1].alarm, SURV_ALARM);    /* one class A case is enough */
    CHECK_INT(out[3].alarm, SURV_ALARM);
    CHECK_INT(out[4].alarm, SURV_NO_DECISION);
    CHECK_NEAR(out[3].score, 3.0, 1e-12);
    p.threshold = 2;
    CHECK_INT(surv_threshold_run(c, 5, &p, out, &err), 0);
    CHECK_INT(out[1].alarm, SURV_QUIET);
    CHECK_INT(out[3].alarm, SURV_ALARM);
}

TEST(threshold_refuses_zero)
{
    double c[] = { 1 };
    struct surv_point out[1];
    struct surv_threshold_params p = { 0.0 };
    struct yl_err err = { 0 };

    CHECK_INT(surv_threshold_run(c, 1, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "threshold");
}

/* ------------------------------------------------------------------ EARS */

TEST(ears_c1_by_hand)
{
    /* Baseline of t = 7: 1..7, mean 4, deviations -3..3, sum of squares 28, sd sqrt(28/6)
     * = 2.160246899. With z = 3 the bound is 4 + 6.480740698 = 10.480740698; 20 alarms with
     * C1 = 16 / 2.160246899 = 7.406560798. */
    double c[] = { 1, 2, 3, 4, 5, 6, 7, 20 };
    struct surv_point out[8];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    surv_ears_defaults(&p, SURV_EARS_C1);
    p.threshold_z = 3.0;
    CHECK_INT(surv_ears_run(c, 8, &p, out, &err), 0);
    for (int t = 0; t < 7; t++)
        CHECK_INT(out[t].alarm, SURV_NO_DECISION);
    CHECK_NEAR(out[7].expected, 4.0, 1e-12);
    CHECK_NEAR(out[7].upper, 10.480740698, 1e-8);
    CHECK_NEAR(out[7].score, 7.406560798, 1e-8);
    CHECK_INT(out[7].alarm, SURV_ALARM);
    /* The default alpha 0.001: z = qnorm(0.999) = 3.090232306, bound 10.675665. */
    p.threshold_z = 0.0;
    CHECK_INT(surv_ears_run(c, 8, &p, out, &err), 0);
    CHECK_NEAR(out[7].upper, 4.0 + 3.090232306167813 * 2.160246899469287, 1e-9);
}

TEST(ears_fractional_counts)
{
    /* Whole counts take the sliding-sum path, fractions the two-pass one: halving the series
     * of ears_c1_by_hand halves mean and sd, so the bound is 10.675665 / 2. */
    double c[] = { 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 10 };
    struct surv_point out[8];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    surv_ears_defaults(&p, SURV_EARS_C1);
    CHECK_INT(surv_ears_run(c, 8, &p, out, &err), 0);
    CHECK_NEAR(out[7].expected, 2.0, 1e-12);
    CHECK_NEAR(out[7].upper, (4.0 + 3.090232306167813 * 2.160246899469287) / 2, 1e-9);
    CHECK_INT(out[7].alarm, SURV_ALARM);
}

TEST(ears_c2_guard_band)
{
    /* Days 0..6 (3,5,3,5,3,5,4) have mean 4 and deviations +-1 six times: sd 1. C2 at t = 9
     * uses exactly them, skipping the two 100s of the guard band: bound 4 + 3.090 = 7.090,
     * and 8 alarms with C2 = 4. C1 at t = 9 has the 100s in its baseline and stays quiet. */
    double c[] = { 3, 5, 3, 5, 3, 5, 4, 100, 100, 8 };
    struct surv_point out[10];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    surv_ears_defaults(&p, SURV_EARS_C2);
    CHECK_INT(surv_ears_run(c, 10, &p, out, &err), 0);
    CHECK_INT(out[8].alarm, SURV_NO_DECISION);
    CHECK_NEAR(out[9].expected, 4.0, 1e-12);
    CHECK_NEAR(out[9].upper, 4.0 + 3.090232306167813, 1e-9);
    CHECK_NEAR(out[9].score, 4.0, 1e-12);
    CHECK_INT(out[9].alarm, SURV_ALARM);
    surv_ears_defaults(&p, SURV_EARS_C1);
    CHECK_INT(surv_ears_run(c, 10, &p, out, &err), 0);
    CHECK_INT(out[9].alarm, SURV_QUIET);
}

TEST(ears_c3_by_hand)
{
    /* A flat baseline of 4 (sd 0, floored to min_sigma 1) and three days of 6 at t = 12..14:
     * each C2 = 2, each part max(0, C2 - 1) = 1. With z = 2: C3(13) = 2, not above 2, bound
     * 4 + 1 * (1 + 2 - 1) = 6 and the count 6 is not above it; C3(14) = 3 alarms, bound
     * 4 + (1 + 2 - 2) = 5. */
    double c[15];
    struct surv_point out[15];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    for (int i = 0; i < 15; i++)
        c[i] = i >= 12 ? 6 : 4;
    surv_ears_defaults(&p, SURV_EARS_C3);
    p.threshold_z = 2.0;
    p.min_sigma = 1.0;
    CHECK_INT(surv_ears_run(c, 15, &p, out, &err), 0);
    CHECK_INT(out[10].alarm, SURV_NO_DECISION);     /* first decision at baseline + 4 */
    CHECK_INT(out[11].alarm, SURV_QUIET);
    CHECK_NEAR(out[12].score, 1.0, 1e-12);
    CHECK_NEAR(out[13].score, 2.0, 1e-12);
    CHECK_NEAR(out[13].upper, 6.0, 1e-12);
    CHECK_INT(out[13].alarm, SURV_QUIET);
    CHECK_NEAR(out[14].score, 3.0, 1e-12);
    CHECK_NEAR(out[14].upper, 5.0, 1e-12);
    CHECK_INT(out[14].alarm, SURV_ALARM);
}

TEST(ears_zero_variance_and_zeros)
{
    /* A flat baseline has sd 0: as R, the bound is the mean itself, so the same count is
     * quiet and one more case alarms (score +infinity). min_sigma 1 lifts the bound to
     * 5 + 3.09. All zeros never alarm. */
    double c[] = { 5, 5, 5, 5, 5, 5, 5, 5, 6 };
    double zeros[30] = { 0 };
    struct surv_point out[30];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    surv_ears_defaults(&p, SURV_EARS_C1);
    CHECK_INT(surv_ears_run(c, 9, &p, out, &err), 0);
    CHECK_INT(out[7].alarm, SURV_QUIET);
    CHECK_NEAR(out[7].score, 0.0, 0.0);
    CHECK_INT(out[8].alarm, SURV_ALARM);
    CHECK(isinf(out[8].score) && out[8].score > 0);
    p.min_sigma = 1.0;
    CHECK_INT(surv_ears_run(c, 9, &p, out, &err), 0);
    CHECK_INT(out[8].alarm, SURV_QUIET);
    CHECK_NEAR(out[8].upper, 5.0 + 3.090232306167813, 1e-9);
    for (int m = SURV_EARS_C1; m <= SURV_EARS_C3; m++) {
        surv_ears_defaults(&p, (enum surv_ears_method)m);
        CHECK_INT(surv_ears_run(zeros, 30, &p, out, &err), 0);
        for (int t = 0; t < 30; t++)
            CHECK(out[t].alarm != SURV_ALARM);
        CHECK_INT(out[29].alarm, SURV_QUIET);
    }
}

TEST(ears_short_and_missing)
{
    /* Five days cannot fill a 7-day baseline: no decision anywhere, never an alarm. A missing
     * day in the baseline is skipped (mean of the other 6: 4); a missing count today gives
     * no decision. */
    double shortc[] = { 0, 0, 0, 0, 50 };
    double c[] = { 4, 4, NAN, 4, 4, 4, 4, 4, NAN };
    struct surv_point out[9];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    surv_ears_defaults(&p, SURV_EARS_C1);
    CHECK_INT(surv_ears_run(shortc, 5, &p, out, &err), 0);
    for (int t = 0; t < 5; t++)
        CHECK_INT(out[t].alarm, SURV_NO_DECISION);
    CHECK_INT(surv_ears_run(c, 9, &p, out, &err), 0);
    CHECK_NEAR(out[7].expected, 4.0, 1e-12);
    CHECK_INT(out[7].alarm, SURV_QUIET);
    CHECK_INT(out[8].alarm, SURV_NO_DECISION);
    CHECK(isnan(out[8].upper));
}

TEST(ears_refusals)
{
    double c[10] = { 0 };
    struct surv_point out[10];
    struct surv_ears_params p;
    struct yl_err err = { 0 };

    surv_ears_defaults(&p, SURV_EARS_C1);
    p.baseline = 2;
    CHECK_INT(surv_ears_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "baseline");
    yl_err_clear(&err);
    surv_ears_defaults(&p, SURV_EARS_C2);
    p.alpha = 0.0;
    CHECK_INT(surv_ears_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "alpha");
    yl_err_clear(&err);
    surv_ears_defaults(&p, SURV_EARS_C1);
    p.method = (enum surv_ears_method)7;
    CHECK_INT(surv_ears_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "method");
    yl_err_clear(&err);
    surv_ears_defaults(&p, SURV_EARS_C1);
    p.min_sigma = -1;
    CHECK_INT(surv_ears_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "min_sigma");
}

/* ------------------------------------------------------------------ CUSUM */

TEST(cusum_by_hand)
{
    /* Baseline 3 days ending guard 3 days before t: for t = 6..9 it holds only 4s (sd 0,
     * floored to 1). Counts of 6 give z = 2 and add z - k = 1.5 a day: S = 1.5, 3.0, 4.5,
     * the last above h = 4. The bound at t = 8 is 4 + (4 + 0.5 - 3.0) = 5.5, at t = 7
     * 4 + (4.5 - 1.5) = 7. After the alarm S restarts: 1.5 at t = 9; without the reset it
     * goes on to 6.0 and alarms again. */
    double c[] = { 4, 4, 4, 4, 4, 4, 6, 6, 6, 6 };
    struct surv_point out[10];
    struct surv_cusum_params p;
    struct yl_err err = { 0 };

    surv_cusum_defaults(&p);
    p.baseline = 3;
    p.guard = 3;
    p.h = 4.0;
    p.min_sigma = 1.0;
    CHECK_INT(surv_cusum_run(c, 10, &p, out, &err), 0);
    CHECK_INT(out[5].alarm, SURV_NO_DECISION);
    CHECK_NEAR(out[6].score, 1.5, 1e-12);
    CHECK_NEAR(out[7].score, 3.0, 1e-12);
    CHECK_NEAR(out[7].upper, 7.0, 1e-12);
    CHECK_INT(out[7].alarm, SURV_QUIET);
    CHECK_NEAR(out[8].score, 4.5, 1e-12);
    CHECK_NEAR(out[8].upper, 5.5, 1e-12);
    CHECK_INT(out[8].alarm, SURV_ALARM);
    CHECK_NEAR(out[9].score, 1.5, 1e-12);
    CHECK_INT(out[9].alarm, SURV_QUIET);
    p.reset = 0;
    CHECK_INT(surv_cusum_run(c, 10, &p, out, &err), 0);
    CHECK_NEAR(out[9].score, 6.0, 1e-12);
    CHECK_INT(out[9].alarm, SURV_ALARM);
}

TEST(cusum_zeros_short_refusals)
{
    double zeros[60] = { 0 };
    struct surv_point out[60];
    struct surv_cusum_params p;
    struct yl_err err = { 0 };

    surv_cusum_defaults(&p);
    CHECK_INT(surv_cusum_run(zeros, 60, &p, out, &err), 0);
    for (int t = 0; t < 30; t++)
        CHECK_INT(out[t].alarm, SURV_NO_DECISION);  /* 28 + 2 days before the first */
    for (int t = 30; t < 60; t++)
        CHECK_INT(out[t].alarm, SURV_QUIET);
    p.h = 0;
    CHECK_INT(surv_cusum_run(zeros, 60, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "h");
    yl_err_clear(&err);
    surv_cusum_defaults(&p);
    p.guard = -1;
    CHECK_INT(surv_cusum_run(zeros, 60, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "guard");
}

/* ------------------------------------------------------------------ moving percentile */

TEST(mpm_by_hand)
{
    /* Period 10, window 2, 2 years, 1 neighbour each side: the history of t = 23 is the
     * windows ending at 13 +- 2 and 3 +- 2, i.e. days (0,1) (2,3) (4,5) (10,11) (12,13)
     * (14,15), holding 1..6 cases. Sorted 1..6: P80 (type 7) is at position 5 * 0.8 = 4,
     * the value 5; the median at 2.5, 3.5. Today's window (22,23) holds 6 > 5: alarm. */
    double c[25] = { 0 };
    struct surv_point out[25];
    struct surv_mpm_params p;
    struct yl_err err = { 0 };

    c[1] = 1, c[3] = 2, c[5] = 3, c[11] = 4, c[13] = 5, c[15] = 6, c[23] = 6;
    surv_mpm_defaults(&p);
    p.period = 10;
    p.window = 2;
    p.years = 2;
    CHECK_INT(surv_mpm_run(c, 25, &p, out, &err), 0);
    CHECK_INT(out[22].alarm, SURV_NO_DECISION);
    CHECK_NEAR(out[23].expected, 3.5, 1e-12);
    CHECK_NEAR(out[23].upper, 5.0, 1e-12);
    CHECK_NEAR(out[23].score, 6.0, 1e-12);
    CHECK_INT(out[23].alarm, SURV_ALARM);
    p.percentile = 100;     /* the maximum, 6: not exceeded */
    CHECK_INT(surv_mpm_run(c, 25, &p, out, &err), 0);
    CHECK_INT(out[23].alarm, SURV_QUIET);
    p.percentile = 101;
    CHECK_INT(surv_mpm_run(c, 25, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "percentile");
}

TEST(mpm_daily_defaults_short_and_zeros)
{
    /* With 5 years, 7-day windows and one neighbour the first judged day is
     * 5 * 365 + 7 + 6 = 1838. All-zero history and a zero week: quiet (min_cases 1). */
    size_t n = 1900;
    double *c = calloc(n, sizeof(double));
    struct surv_point *out = calloc(n, sizeof(*out));
    struct surv_mpm_params p;
    struct yl_err err = { 0 };

    CHECK(c != NULL && out != NULL);
    surv_mpm_defaults(&p);
    CHECK_INT(surv_mpm_run(c, n, &p, out, &err), 0);
    CHECK_INT(out[1837].alarm, SURV_NO_DECISION);
    CHECK_INT(out[1838].alarm, SURV_QUIET);
    c[1899] = 1;    /* one case against a history of zeros: above P80 = 0 */
    CHECK_INT(surv_mpm_run(c, n, &p, out, &err), 0);
    CHECK_INT(out[1899].alarm, SURV_ALARM);
    CHECK_INT(surv_mpm_run(c, 100, &p, out, &err), 0);
    CHECK_INT(out[99].alarm, SURV_NO_DECISION);
    free(c);
    free(out);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

TEST(sort_networks_sort_every_input)
{
    /* The 0-1 principle: a comparator network that sorts every sequence of 0s and 1s sorts
     * every sequence. surv_sort has networks for 9 and 15 values; all sizes up to 16 are
     * checked this way, then random doubles with ties against qsort up to 40. */
    double v[40], ref[40];
    uint64_t x = 88172645463325252ull;

    for (size_t n = 1; n <= 16; n++) {
        for (uint32_t bits = 0; bits < (1u << n); bits++) {
            int ones = 0;
            for (size_t i = 0; i < n; i++) {
                v[i] = (bits >> i) & 1u;
                ones += (int)v[i];
            }
            surv_sort(v, n);
            for (size_t i = 0; i < n; i++) {
                if (v[i] != (i >= n - (size_t)ones ? 1.0 : 0.0)) {
                    TEST_FAIL_AT("n %zu input %#x: position %zu is %g", n, bits, i, v[i]);
                    return;
                }
            }
        }
    }
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + (size_t)round % 40;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v[i] = ref[i] = (double)(x % 12) - 2.5;
        }
        surv_sort(v, n);
        qsort(ref, n, sizeof(double), cmp_double);
        CHECK(memcmp(v, ref, n * sizeof(double)) == 0);
    }
}

/* The moving percentile by its definition, slowly: gather, qsort, R's type 7 quantile. */
static void mpm_reference(const double *c, size_t n, const struct surv_mpm_params *p,
                          size_t t, struct surv_point *pt)
{
    double hist[256];
    size_t h = 0, want = (size_t)p->years * (size_t)(2 * p->adjacent + 1);
    double cur = 0.0;

    pt->alarm = SURV_NO_DECISION;
    if (t < (size_t)p->years * (size_t)p->period +
                (size_t)(p->adjacent * p->window + p->window - 1) || t >= n)
        return;
    for (int d = 0; d < p->window; d++)
        cur += c[t - (size_t)d];
    if (isnan(cur))
        return;
    for (int i = 1; i <= p->years; i++) {
        for (int j = -p->adjacent; j <= p->adjacent; j++) {
            size_t e = t - (size_t)i * (size_t)p->period + (size_t)((long)j * p->window);
            double s = 0.0;
            for (int d = 0; d < p->window; d++)
                s += c[e - (size_t)d];
            if (!isnan(s))
                hist[h++] = s;
        }
    }
    if (2 * h < want)
        return;
    qsort(hist, h, sizeof(double), cmp_double);
    pt->expected = surv_quantile_sorted(hist, h, 0.5);
    pt->upper = surv_quantile_sorted(hist, h, p->percentile / 100.0);
    pt->alarm = cur > pt->upper && cur >= p->min_cases ? SURV_ALARM : SURV_QUIET;
}

TEST(mpm_fast_paths_match_definition)
{
    /* Histories of 9 and 15 sums take the sorting networks, 25 and 12 the general sort;
     * missing days leave some points with fewer sums. Every point must equal the slow
     * definition exactly (the same order statistics, the same arithmetic). */
    size_t n = 6 * 365;
    double *c = malloc(n * sizeof(double));
    struct surv_point *out = malloc(n * sizeof(*out)), ref;
    struct surv_mpm_params p;
    struct yl_err err = { 0 };
    const int shapes[][3] = { { 3, 1, 80 }, { 5, 1, 80 }, { 5, 2, 50 }, { 4, 1, 45 } };
    uint64_t x = 2463534242ull;
    long judged = 0, alarms = 0;

    CHECK(c != NULL && out != NULL);
    for (size_t t = 0; t < n; t++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        c[t] = (double)(x % 7) + (t % 365 < 60 ? 3.0 : 0.0);
        if (x % 53 == 0)
            c[t] = NAN;
    }
    for (size_t s = 0; s < N_OF(shapes); s++) {
        surv_mpm_defaults(&p);
        p.years = shapes[s][0];
        p.adjacent = shapes[s][1];
        p.percentile = shapes[s][2];
        CHECK_INT(surv_mpm_run(c, n, &p, out, &err), 0);
        for (size_t t = 0; t < n; t++) {
            mpm_reference(c, n, &p, t, &ref);
            CHECK_INT(out[t].alarm, ref.alarm);
            if (ref.alarm == SURV_NO_DECISION)
                continue;
            judged++;
            alarms += ref.alarm == SURV_ALARM;
            CHECK(out[t].expected == ref.expected);
            CHECK(out[t].upper == ref.upper);
        }
    }
    CHECK(judged > 2000);   /* 2,149 points judged, 860 alarms: both branches are met */
    CHECK(alarms > 100);
    free(c);
    free(out);
}

/* ------------------------------------------------------------------ Farrington */

/* Six years of a smooth weekly season, 10 +- 5, with an outbreak of +30 in the last week. */
static void seasonal_series(double *c, size_t n)
{
    for (size_t t = 0; t < n; t++)
        c[t] = round(10.0 + 5.0 * sin(2.0 * M_PI * (double)t / 52.0));
    c[n - 1] += 30;
}

TEST(farrington_finds_outbreak)
{
    double c[312];
    struct surv_point out[312];
    struct surv_farrington_params p;
    struct yl_err err = { 0 };

    seasonal_series(c, 312);
    surv_farrington_defaults(&p);
    CHECK_INT(surv_farrington_run(c, 312, &p, out, &err), 0);
    CHECK_INT(out[255].alarm, SURV_NO_DECISION);    /* first: 52 * 5 - 3, 1-based */
    CHECK(out[256].alarm != SURV_NO_DECISION);
    for (int t = 256; t < 311; t++)
        CHECK_INT(out[t].alarm, SURV_QUIET);
    CHECK_INT(out[311].alarm, SURV_ALARM);
    /* The season repeats exactly, so the fit predicts last year's count. */
    CHECK_NEAR(out[311].expected, c[311 - 52], 0.5);

    surv_farrington_flexible_defaults(&p);
    CHECK_INT(surv_farrington_flexible_run(c, 312, &p, out, &err), 0);
    CHECK_INT(out[262].alarm, SURV_NO_DECISION);    /* first: 52 * 5 + 3 */
    for (int t = 263; t < 311; t++)
        CHECK_INT(out[t].alarm, SURV_QUIET);
    CHECK_INT(out[311].alarm, SURV_ALARM);
}

TEST(farrington_short_zeros_missing)
{
    double c[312] = { 0 };
    struct surv_point out[312];
    struct surv_farrington_params p;
    struct yl_err err = { 0 };

    /* Two years are too short for b = 5: no decision at all. */
    surv_farrington_defaults(&p);
    CHECK_INT(surv_farrington_run(c, 104, &p, out, &err), 0);
    for (int t = 0; t < 104; t++)
        CHECK_INT(out[t].alarm, SURV_NO_DECISION);
    /* All zeros: the fit goes to a mean near 0, fewer than 5 cases in 4 weeks: quiet. */
    CHECK_INT(surv_farrington_run(c, 312, &p, out, &err), 0);
    for (int t = 256; t < 312; t++)
        CHECK_INT(out[t].alarm, SURV_QUIET);
    /* With 10 seasonal levels over 237 zero weeks, IRLS (like R's glm.fit, which it
     * mirrors) does not reach its tolerance in 25 steps: no decision, as R gives NA. */
    surv_farrington_flexible_defaults(&p);
    CHECK_INT(surv_farrington_flexible_run(c, 312, &p, out, &err), 0);
    for (int t = 263; t < 312; t++)
        CHECK(out[t].alarm != SURV_ALARM);
    p.n_periods = 1;
    CHECK_INT(surv_farrington_flexible_run(c, 312, &p, out, &err), 0);
    for (int t = 263; t < 312; t++)
        CHECK_INT(out[t].alarm, SURV_QUIET);
    /* Missing weeks in the history are left out of the fit; a missing week is not judged. */
    seasonal_series(c, 312);
    c[311 - 52] = NAN;
    c[311 - 104 + 1] = NAN;
    c[300] = NAN;
    CHECK_INT(surv_farrington_flexible_run(c, 312, &p, out, &err), 0);
    CHECK_INT(out[311].alarm, SURV_ALARM);
    CHECK_INT(out[300].alarm, SURV_NO_DECISION);
    surv_farrington_defaults(&p);
    CHECK_INT(surv_farrington_run(c, 312, &p, out, &err), 0);
    CHECK_INT(out[311].alarm, SURV_ALARM);
}

TEST(farrington_refusals)
{
    double c[10] = { 0 };
    struct surv_point out[10];
    struct surv_farrington_params p;
    struct yl_err err = { 0 };

    surv_farrington_defaults(&p);
    p.half_window = 26;
    CHECK_INT(surv_farrington_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "w");
    yl_err_clear(&err);
    surv_farrington_defaults(&p);
    p.alpha = 1.5;
    CHECK_INT(surv_farrington_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "alpha");
    yl_err_clear(&err);
    surv_farrington_flexible_defaults(&p);
    p.n_periods = 0;
    CHECK_INT(surv_farrington_flexible_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "n_periods");
    yl_err_clear(&err);
    surv_farrington_flexible_defaults(&p);
    p.years_back = 0;
    CHECK_INT(surv_farrington_flexible_run(c, 10, &p, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "b");
}

/* ------------------------------------------------------------------ scan */

#define GRID 10
#define SCAN_DAYS 60

static void grid_places(struct surv_place *pl)
{
    for (int i = 0; i < GRID; i++)
        for (int j = 0; j < GRID; j++) {
            pl[i * GRID + j].lat_deg = 43.0 + 0.02 * i;
            pl[i * GRID + j].lon_deg = 130.0 + 0.02 * j;
        }
}

/* n uniform cases: any place, any day. */
static size_t uniform_cases(struct surv_case *cs, size_t n, uint64_t seed)
{
    test_rng_state = seed;
    for (size_t i = 0; i < n; i++) {
        cs[i].place = test_rng_below(GRID * GRID);
        cs[i].day = test_rng_below(SCAN_DAYS);
    }
    return n;
}

static bool cluster_has(const struct surv_scan_result *r, size_t k, int32_t place)
{
    const struct surv_scan_cluster *cl = &r->clusters[k];

    for (int32_t m = 0; m < cl->n_places; m++)
        if (r->members[cl->first_member + (size_t)m] == place)
            return true;
    return false;
}

TEST(scan_finds_planted_cluster)
{
    /* 1,200 background cases, then 24 more in the 2 x 2 block of places (2,2) (2,3) (3,2)
     * (3,3) over the last 3 days, where about 1200 * 4/100 * 3/60 = 2.4 are expected. */
    struct surv_place pl[GRID * GRID];
    struct surv_case cs[1300];
    size_t n = uniform_cases(cs, 1200, 7);
    struct surv_scan_params p;
    struct surv_scan_result *r = NULL, *again = NULL;
    struct yl_err err = { 0 };
    int32_t block[4] = { 22, 23, 32, 33 };

    grid_places(pl);
    for (int i = 0; i < 24; i++) {
        cs[n].place = block[i % 4];
        cs[n].day = SCAN_DAYS - 1 - (i / 4) % 3;
        n++;
    }
    surv_scan_params_defaults(&p);
    p.seed = 42;
    CHECK_INT(surv_scan_run(pl, GRID * GRID, cs, n, SCAN_DAYS, &p, &r, &err), 0);
    CHECK(r->n_clusters >= 1);
    CHECK(r->clusters[0].p_value < 0.05);
    CHECK(r->clusters[0].cases > 2 * r->clusters[0].expected);
    CHECK(r->clusters[0].last_day == SCAN_DAYS - 1);
    CHECK(r->clusters[0].last_day - r->clusters[0].first_day + 1 <= 7);
    for (int i = 0; i < 4; i++)
        CHECK(cluster_has(r, 0, block[i]));
    CHECK(r->clusters[0].n_places <= 12);
    /* Secondary clusters share no place with the ones above them. */
    for (size_t a = 0; a < r->n_clusters; a++)
        for (size_t b = a + 1; b < r->n_clusters; b++)
            for (int32_t m = 0; m < r->clusters[b].n_places; m++)
                CHECK(!cluster_has(r, a, r->members[r->clusters[b].first_member + (size_t)m]));
    /* The same seed gives the same p-values. */
    CHECK_INT(surv_scan_run(pl, GRID * GRID, cs, n, SCAN_DAYS, &p, &again, &err), 0);
    CHECK_INT(again->n_clusters, r->n_clusters);
    for (size_t k = 0; k < r->n_clusters; k++) {
        CHECK_NEAR(again->clusters[k].p_value, r->clusters[k].p_value, 0.0);
        CHECK_NEAR(again->clusters[k].llr, r->clusters[k].llr, 0.0);
    }
    surv_scan_result_free(r);
    surv_scan_result_free(again);
}

TEST(scan_uniform_is_not_significant)
{
    struct surv_place pl[GRID * GRID];
    struct surv_case cs[1200];
    size_t n = uniform_cases(cs, 1200, 11);
    struct surv_scan_params p;
    struct surv_scan_result *r = NULL;
    struct yl_err err = { 0 };

    grid_places(pl);
    surv_scan_params_defaults(&p);
    p.seed = 42;
    CHECK_INT(surv_scan_run(pl, GRID * GRID, cs, n, SCAN_DAYS, &p, &r, &err), 0);
    CHECK(r->n_clusters >= 1);
    CHECK(r->clusters[0].p_value > 0.05);
    surv_scan_result_free(r);
    /* No case at all: a result without clusters. */
    CHECK_INT(surv_scan_run(pl, GRID * GRID, cs, 0, SCAN_DAYS, &p, &r, &err), 0);
    CHECK_INT(r->n_clusters, 0);
    surv_scan_result_free(r);
    surv_scan_result_free(NULL);
}

TEST(scan_refusals)
{
    struct surv_place pl[2] = { { 43.0, 130.0 }, { 43.1, 130.1 } };
    struct surv_case cs[2] = { { 0, 0 }, { 5, 1 } };
    struct surv_scan_params p;
    struct surv_scan_result *r = NULL;
    struct yl_err err = { 0 };

    surv_scan_params_defaults(&p);
    CHECK_INT(surv_scan_run(pl, 2, cs, 2, 10, &p, &r, &err), YL_EINVAL);
    CHECK_STR(err.field, "place");
    CHECK(r == NULL);
    yl_err_clear(&err);
    cs[1].place = 1;
    cs[1].day = 10;
    CHECK_INT(surv_scan_run(pl, 2, cs, 2, 10, &p, &r, &err), YL_EINVAL);
    CHECK_STR(err.field, "day");
    yl_err_clear(&err);
    cs[1].day = 1;
    p.max_share = 0;
    CHECK_INT(surv_scan_run(pl, 2, cs, 2, 10, &p, &r, &err), YL_EINVAL);
    CHECK_STR(err.field, "max_share");
    yl_err_clear(&err);
    surv_scan_params_defaults(&p);
    p.max_window_days = 11;
    CHECK_INT(surv_scan_run(pl, 2, cs, 2, 10, &p, &r, &err), YL_EINVAL);
    CHECK_STR(err.field, "max_window_days");
    CHECK(r == NULL);
}

/* ------------------------------------------------------------------ agreement with R */

enum ref_kind { REF_EARS, REF_FARRINGTON, REF_FLEXIBLE };

/* Each configuration of bench/surveil_reference.R, as our parameters. */
struct ref_config {
    const char *name;
    enum ref_kind kind;
    enum surv_ears_method ears;
    double alpha, min_sigma;
    int b, w, n_periods, past_excluded;
    enum surv_farr_threshold threshold;
};

static const struct ref_config ref_configs[] = {
    { "ears_c1", REF_EARS, SURV_EARS_C1, 0.001, 0, 0, 0, 0, 0, 0 },
    { "ears_c2", REF_EARS, SURV_EARS_C2, 0.001, 0, 0, 0, 0, 0, 0 },
    { "ears_c3", REF_EARS, SURV_EARS_C3, 0.025, 0, 0, 0, 0, 0, 0 },
    { "ears_c1_ms05", REF_EARS, SURV_EARS_C1, 0.001, 0.5, 0, 0, 0, 0, 0 },
    { "ears_c2_ms05", REF_EARS, SURV_EARS_C2, 0.001, 0.5, 0, 0, 0, 0, 0 },
    { "ears_c3_ms05", REF_EARS, SURV_EARS_C3, 0.025, 0.5, 0, 0, 0, 0, 0 },
    { "farrington", REF_FARRINGTON, 0, 0.05, 0, 5, 3, 1, -1, SURV_FARR_DELTA },
    { "farrington_b3w2a01", REF_FARRINGTON, 0, 0.01, 0, 3, 2, 1, -1, SURV_FARR_DELTA },
    { "flex_r", REF_FLEXIBLE, 0, 0.05, 0, 5, 3, 1, -1, SURV_FARR_DELTA },
    { "flex_noufaily", REF_FLEXIBLE, 0, 0.05, 0, 5, 3, 10, 26, SURV_FARR_NB_PLUGIN },
    { "flex_muan", REF_FLEXIBLE, 0, 0.01, 0, 4, 2, 4, 8, SURV_FARR_MUAN },
    { "flex_delta10", REF_FLEXIBLE, 0, 0.05, 0, 5, 3, 10, 26, SURV_FARR_DELTA },
};

static const struct ref_config *ref_config_find(const char *name)
{
    for (size_t i = 0; i < N_OF(ref_configs); i++)
        if (strcmp(ref_configs[i].name, name) == 0)
            return &ref_configs[i];
    return NULL;
}

static int ref_run(const struct ref_config *rc, const double *c, size_t n,
                   struct surv_point *out)
{
    struct yl_err err = { 0 };

    if (rc->kind == REF_EARS) {
        struct surv_ears_params p;
        surv_ears_defaults(&p, rc->ears);
        p.alpha = rc->alpha;
        p.min_sigma = rc->min_sigma;
        p.c3_rule = SURV_C3_R_EARSC;
        return surv_ears_run(c, n, &p, out, &err);
    }
    struct surv_farrington_params p;
    if (rc->kind == REF_FARRINGTON)
        surv_farrington_defaults(&p);
    else
        surv_farrington_flexible_defaults(&p);
    p.alpha = rc->alpha;
    p.years_back = rc->b;
    p.half_window = rc->w;
    p.n_periods = rc->n_periods;
    p.past_excluded = rc->past_excluded;
    p.threshold = rc->threshold;
    if (rc->kind == REF_FARRINGTON)
        return surv_farrington_run(c, n, &p, out, &err);
    return surv_farrington_flexible_run(c, n, &p, out, &err);
}

#define REF_MAX_ROWS 8000
#define REF_MAX_SERIES 16
#define REF_MAX_LEN 2000

struct ref_row {
    char series[24], method[24];
    int t;
    double observed, expected, upper;
    int alarm;              /* -1 for NA */
};

struct ref_data {
    struct ref_row *rows;
    size_t n;
};

/* Split a CSV line (no quotes in this file) into at most max fields, in place. */
static int ref_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;

    while (n < max) {
        f[n++] = p;
        p = strchr(p, ',');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

static double ref_num(const char *s)
{
    return strncmp(s, "NA", 2) == 0 ? NAN : strtod(s, NULL);
}

static int ref_load(struct ref_data *d)
{
    FILE *fp = fopen(REF_FILE, "r");
    char line[256];
    char *f[8];

    if (fp == NULL)
        return -1;
    d->rows = calloc(REF_MAX_ROWS, sizeof(*d->rows));
    d->n = 0;
    if (fgets(line, sizeof(line), fp) == NULL) {   /* header */
        fclose(fp);
        return -1;
    }
    while (fgets(line, sizeof(line), fp) != NULL && d->n < REF_MAX_ROWS) {
        line[strcspn(line, "\r\n")] = '\0';
        if (ref_split(line, f, 8) != 7)
            continue;
        struct ref_row *r = &d->rows[d->n++];
        snprintf(r->series, sizeof(r->series), "%s", f[0]);
        snprintf(r->method, sizeof(r->method), "%s", f[1]);
        r->t = (int)strtol(f[2], NULL, 10);
        r->observed = ref_num(f[3]);
        r->expected = ref_num(f[4]);
        r->upper = ref_num(f[5]);
        r->alarm = strncmp(f[6], "NA", 2) == 0 ? -1 : (int)strtol(f[6], NULL, 10);
    }
    fclose(fp);
    return 0;
}

/* The series named `name` from its "data" rows; returns its length. */
static size_t ref_series(const struct ref_data *d, const char *name, double *c)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n; i++) {
        const struct ref_row *r = &d->rows[i];
        if (strcmp(r->method, "data") == 0 && strcmp(r->series, name) == 0 &&
            r->t >= 1 && r->t <= REF_MAX_LEN) {
            c[r->t - 1] = r->observed;
            if ((size_t)r->t > n)
                n = (size_t)r->t;
        }
    }
    return n;
}

/* |a - b| relative to |b|, absolute below 1; NAN on both sides agrees. */
static double ref_diff(double ours, double r)
{
    if (isnan(r) && isnan(ours))
        return 0.0;
    if (isnan(r) || isnan(ours))
        return INFINITY;
    return fabs(ours - r) / fmax(1.0, fabs(r));
}

struct ref_tally {
    int points, alarms, decided_outside;
    double max_expected, max_upper;
};

/* Compare one (series, method) block starting at row i0; returns rows consumed. Every R row
 * must agree; points outside R's range must be undecided by us. */
static size_t ref_compare_block(const struct ref_data *d, size_t i0, const double *c, size_t n,
                                const struct surv_point *out, bool *in_range,
                                struct ref_tally *tl)
{
    size_t i = i0;

    memset(in_range, 0, n * sizeof(bool));
    memset(tl, 0, sizeof(*tl));
    while (i < d->n && strcmp(d->rows[i].method, d->rows[i0].method) == 0 &&
           strcmp(d->rows[i].series, d->rows[i0].series) == 0) {
        const struct ref_row *r = &d->rows[i++];
        const struct surv_point *pt = &out[r->t - 1];
        in_range[r->t - 1] = true;
        tl->points++;
        if (!isnan(r->expected))
            tl->max_expected = fmax(tl->max_expected, ref_diff(pt->expected, r->expected));
        tl->max_upper = fmax(tl->max_upper, ref_diff(pt->upper, r->upper));
        if (pt->alarm == SURV_NO_DECISION || (pt->alarm == SURV_ALARM) != (r->alarm == 1)) {
            fprintf(stderr, "    %s/%s t=%d: our alarm %d, R's %d\n", r->series, r->method,
                    r->t, pt->alarm, r->alarm);
            tl->max_upper = INFINITY;
        }
        tl->alarms += r->alarm == 1;
    }
    for (size_t t = 0; t < n; t++)
        tl->decided_outside += !in_range[t] && out[t].alarm != SURV_NO_DECISION;
    return i - i0;
}

TEST(agrees_with_r_surveillance)
{
    static double c[REF_MAX_LEN];
    static struct surv_point out[REF_MAX_LEN];
    static bool in_range[REF_MAX_LEN];
    struct ref_data d = { NULL, 0 };
    double worst_e = 0, worst_u = 0;
    int blocks = 0, points = 0, alarms = 0;
    size_t i = 0;

    if (ref_load(&d) != 0) {
        TEST_FAIL_AT("cannot read %s (run from the repository root)", REF_FILE);
        return;
    }
    CHECK(d.n > 1000);
    while (i < d.n) {
        const struct ref_row *r0 = &d.rows[i];
        const struct ref_config *rc;
        struct ref_tally tl;
        size_t n;
        if (strcmp(r0->method, "data") == 0) {
            i++;
            continue;
        }
        rc = ref_config_find(r0->method);
        if (rc == NULL)
            free(d.rows);
        CHECK(rc != NULL);
        n = ref_series(&d, r0->series, c);
        CHECK(n > 0);
        CHECK_INT(ref_run(rc, c, n, out), 0);
        i += ref_compare_block(&d, i, c, n, out, in_range, &tl);
        printf("    %-12s %-19s %4d points %3d alarms  max rel diff expected %.1e upper %.1e\n",
               r0->series, rc->name, tl.points, tl.alarms, tl.max_expected, tl.max_upper);
        if (tl.max_expected > REF_TOL || tl.max_upper > REF_TOL || tl.decided_outside != 0) {
            TEST_FAIL_AT("%s/%s differs from R (%d points decided outside R's range)",
                         r0->series, rc->name, tl.decided_outside);
            break;
        }
        worst_e = fmax(worst_e, tl.max_expected);
        worst_u = fmax(worst_u, tl.max_upper);
        blocks++;
        points += tl.points;
        alarms += tl.alarms;
    }
    free(d.rows);
    if (test_failed_now)
        return;
    printf("    %d runs, %d points, %d alarms identical; max rel diff expected %.1e, upper %.1e\n",
           blocks, points, alarms, worst_e, worst_u);
    CHECK(blocks >= 20);
}

TEST_MAIN()
