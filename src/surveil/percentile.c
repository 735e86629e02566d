/*
 * percentile.c - the moving percentile method of China's infectious disease automated-alert
 * and response system (CIDARS).
 *
 * The count of the last 7 days is compared with a percentile of the counts of the same 7
 * days in earlier years, and of the 7 days just before and after them, so the baseline
 * follows the season without a model. The percentile is the per-disease, per-county
 * sensitivity knob (P45..P80 in national use). References: Yang, Li, Lan et al., A
 * nationwide web-based automated system for outbreak early detection and rapid response in
 * China, Western Pac Surveill Response J 2 (2011) 10; Wang, Yang et al., BMC Public Health 17
 * (2017) 1 (tuning P40..P95 on a 5 x 5 window, i.e. years 5, adjacent 2).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/mem.h"
#include "detect.h"
#include "detect_int.h"

/* Each year contributes 2 * adjacent + 1 sums; more than this is not a sensible baseline and
 * bounds the stack buffer below. */
#define MPM_MAX_HISTORY 256

void surv_mpm_defaults(struct surv_mpm_params *p)
{
    p->window = 7;
    p->period = 365;
    p->years = 5;
    p->adjacent = 1;
    p->percentile = 80.0;
    p->min_cases = 1.0;
}

static int mpm_check(const struct surv_mpm_params *p, struct yl_err *err)
{
    if (p->window < 1)
        return yl_err_set(err, YL_EINVAL, "window", "window must be at least 1");
    if (p->years < 1)
        return yl_err_set(err, YL_EINVAL, "years", "years must be at least 1");
    if (p->adjacent < 0)
        return yl_err_set(err, YL_EINVAL, "adjacent", "adjacent must be >= 0");
    if (p->period < p->window * (2 * p->adjacent + 1))
        return yl_err_set(err, YL_EINVAL, "period",
                          "period must hold the window and its neighbours");
    if ((long long)p->years * (2 * p->adjacent + 1) > MPM_MAX_HISTORY)
        return yl_err_set(err, YL_EINVAL, "years", "at most %d historical sums",
                          MPM_MAX_HISTORY);
    if (!(p->percentile >= 0.0 && p->percentile <= 100.0))
        return yl_err_set(err, YL_EINVAL, "percentile", "percentile must lie in 0..100");
    if (!(p->min_cases >= 0.0) || isinf(p->min_cases))
        return yl_err_set(err, YL_EINVAL, "min_cases", "min_cases must be >= 0");
    return 0;
}

/* Every window's sum, indexed by its last day: NAN when a day of it is missing (or it would
 * start before day 0). Built once from prefix sums, so a point reads its history in
 * O(years * (2 * adjacent + 1)) loads. */
static double *mpm_windows(const double *counts, size_t n, size_t window)
{
    double *w = xmalloc(sizeof(double) * (n ? n : 1));
    double sum = 0.0;
    size_t missing = 0;
    for (size_t t = 0; t < n; t++) {
        bool miss = isnan(counts[t]);
        sum += miss ? 0.0 : counts[t];
        missing += miss;
        if (t >= window) {
            bool out = isnan(counts[t - window]);
            sum -= out ? 0.0 : counts[t - window];
            missing -= out;
        }
        w[t] = t + 1 >= window && missing == 0 ? sum : NAN;
    }
    return w;
}

/* Where a quantile falls among `n` sorted sums (R's type 7, as surv_quantile_sorted, with
 * the same arithmetic): worked out once per series for a full history, not at every point. */
struct mpm_quant {
    size_t lo;
    double frac;
    bool top;               /* the quantile is the largest value */
};

/* What does not change from one point to the next. */
struct mpm_plan {
    size_t back[MPM_MAX_HISTORY];   /* t - back[k] ends the k-th historical window */
    size_t want;                    /* historical sums in a full history */
    double q_up;                    /* percentile / 100 */
    struct mpm_quant med, up;       /* for a full history */
};

static void mpm_quant_init(struct mpm_quant *q, size_t n, double p)
{
    double h = (double)(n - 1) * p;

    q->lo = (size_t)floor(h);
    q->top = q->lo + 1 >= n;
    q->frac = h - (double)q->lo;
}

static double mpm_quant_at(const double *v, size_t n, const struct mpm_quant *q)
{
    if (q->top)
        return v[n - 1];
    return v[q->lo] + q->frac * (v[q->lo + 1] - v[q->lo]);
}

static void mpm_plan_init(struct mpm_plan *pl, const struct surv_mpm_params *p)
{
    size_t k = 0;

    for (int i = 1; i <= p->years; i++)
        for (int j = -p->adjacent; j <= p->adjacent; j++)
            pl->back[k++] = (size_t)i * (size_t)p->period - (size_t)((long)j * p->window);
    pl->want = k;
    pl->q_up = p->percentile / 100.0;
    mpm_quant_init(&pl->med, k, 0.5);
    mpm_quant_init(&pl->up, k, pl->q_up);
}

static void mpm_point(const double *win, size_t t, const struct surv_mpm_params *p,
                      const struct mpm_plan *pl, struct surv_point *pt)
{
    double hist[MPM_MAX_HISTORY];
    size_t n = 0;
    double cur = win[t];

    if (isnan(cur))
        return;
    /* Without a branch: a missing window is written and then overwritten. */
    for (size_t k = 0; k < pl->want; k++) {
        double v = win[t - pl->back[k]];
        hist[n] = v;
        n += !isnan(v);
    }
    if (2 * n < pl->want)
        return;
    surv_sort(hist, n);
    if (n == pl->want) {
        pt->expected = mpm_quant_at(hist, n, &pl->med);
        pt->upper = mpm_quant_at(hist, n, &pl->up);
    } else {
        pt->expected = surv_quantile_sorted(hist, n, 0.5);
        pt->upper = surv_quantile_sorted(hist, n, pl->q_up);
    }
    pt->score = cur;
    pt->alarm = cur > pt->upper && cur >= p->min_cases ? SURV_ALARM : SURV_QUIET;
}

int surv_mpm_run(const double *counts, size_t n_counts, const struct surv_mpm_params *p,
                 struct surv_point *out, struct yl_err *err)
{
    size_t first;
    int rc = mpm_check(p, err);

    if (rc != 0)
        return rc;
    surv_points_none(out, n_counts);
    /* The oldest window of the history must start on or after day 0. */
    first = (size_t)p->years * (size_t)p->period + (size_t)p->adjacent * (size_t)p->window +
            (size_t)p->window - 1;
    if (first >= n_counts)
        return 0;
    struct mpm_plan plan;
    mpm_plan_init(&plan, p);
    double *win = mpm_windows(counts, n_counts, (size_t)p->window);
    for (size_t t = first; t < n_counts; t++)
        mpm_point(win, t, p, &plan, &out[t]);
    free(win);
    return 0;
}
