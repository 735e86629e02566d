/*
 * cusum.c - an upper CUSUM of counts standardized against a moving baseline.
 *
 * Small excesses that a Shewhart chart (EARS) misses add up: S_t = max(0, S_{t-1} + z_t - k)
 * grows while counts stay above mean + k sd and alarms past h. The baseline moves with t
 * and ends `guard` days before it, so a slowly rising outbreak does not hide in its own
 * baseline. References: Page, Biometrika 41 (1954) 100; Fricker, Hegler, Dunfee, Stat Med 27
 * (2008) 3407 (the adaptive CUSUM on standardized counts).
 */
#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/mem.h"
#include "detect.h"
#include "detect_int.h"

#define CUSUM_MIN_BASELINE 3

void surv_cusum_defaults(struct surv_cusum_params *p)
{
    p->baseline = 28;
    p->guard = 2;
    p->k = 0.5;
    p->h = 4.0;
    p->min_sigma = 0.5;
    p->reset = 1;
}

static int cusum_check(const struct surv_cusum_params *p, struct yl_err *err)
{
    if (p->baseline < CUSUM_MIN_BASELINE)
        return yl_err_set(err, YL_EINVAL, "baseline", "baseline must be at least %d days",
                          CUSUM_MIN_BASELINE);
    if (p->guard < 0)
        return yl_err_set(err, YL_EINVAL, "guard", "guard must be >= 0");
    if (!(p->k >= 0.0) || isinf(p->k))
        return yl_err_set(err, YL_EINVAL, "k", "k must be >= 0");
    if (!(p->h > 0.0) || isinf(p->h))
        return yl_err_set(err, YL_EINVAL, "h", "h must be > 0");
    if (!(p->min_sigma >= 0.0) || isinf(p->min_sigma))
        return yl_err_set(err, YL_EINVAL, "min_sigma", "min_sigma must be >= 0");
    if (p->reset != 0 && p->reset != 1)
        return yl_err_set(err, YL_EINVAL, "reset", "reset must be 0 or 1");
    return 0;
}

int surv_cusum_run(const double *counts, size_t n_counts, const struct surv_cusum_params *p,
                   struct surv_point *out, struct yl_err *err)
{
    size_t span;
    double s = 0.0;
    int rc = cusum_check(p, err);

    if (rc != 0)
        return rc;
    surv_points_none(out, n_counts);
    span = (size_t)p->baseline + (size_t)p->guard;
    /* The baseline ends `guard` days before t: a window of `baseline` days, lag guard + 1. */
    struct surv_base *base = xmalloc(sizeof(*base) * (n_counts ? n_counts : 1));
    surv_baselines(counts, n_counts, p->baseline, p->guard + 1, CUSUM_MIN_BASELINE,
                   p->min_sigma, base);
    for (size_t t = span; t < n_counts; t++) {
        double mean = base[t].mean, sigma = base[t].sigma, z;

        if (isnan(counts[t]) || !base[t].ok)
            continue;
        z = surv_standardize(counts[t], mean, sigma);
        out[t].expected = mean;
        /* The count that brings S_t exactly to h. */
        out[t].upper = mean + sigma * (p->h + p->k - s);
        s = fmax(0.0, s + z - p->k);
        out[t].score = s;
        out[t].alarm = s > p->h ? SURV_ALARM : SURV_QUIET;
        if (out[t].alarm == SURV_ALARM && p->reset)
            s = 0.0;
    }
    free(base);
    return 0;
}
