/*
 * ears.c - the CDC Early Aberration Reporting System methods C1, C2 and C3.
 *
 * A Shewhart chart on a short moving baseline: the count is compared with the mean of the
 * last days plus z standard deviations. C2 leaves a 2-day guard band so that the first days
 * of an outbreak do not raise their own baseline; C3 adds up the excess of the last three
 * days. References: Hutwagner, Thompson, Seeman, Treadwell, J Urban Health 80 (2003) i89;
 * Fricker, Hegler, Dunfee, Stat Med 27 (2008) 3407; R surveillance::earsC (Salmon et al.,
 * J Stat Softw 70(10), 2016) for the bounds and the first point judged.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "detect.h"
#include "detect_int.h"

/* R's earsC refuses shorter baselines; a mean and sd of two days mean nothing. */
#define EARS_MIN_BASELINE 3

/* Days between the last baseline day and t: C1 uses the day before, C2 and C3 three. */
static int ears_lag(enum surv_ears_method m)
{
    return m == SURV_EARS_C1 ? 1 : 3;
}

void surv_ears_defaults(struct surv_ears_params *p, enum surv_ears_method method)
{
    p->method = method;
    p->baseline = 7;
    p->alpha = method == SURV_EARS_C3 ? 0.025 : 0.001;
    p->threshold_z = 0.0;
    p->min_sigma = 0.0;
    p->c3_rule = SURV_C3_HUTWAGNER;
}

static int ears_check(const struct surv_ears_params *p, struct yl_err *err)
{
    if (p->method < SURV_EARS_C1 || p->method > SURV_EARS_C3)
        return yl_err_set(err, YL_EINVAL, "method", "method must be C1, C2 or C3");
    if (p->baseline < EARS_MIN_BASELINE)
        return yl_err_set(err, YL_EINVAL, "baseline", "baseline must be at least %d days",
                          EARS_MIN_BASELINE);
    if (!(p->threshold_z >= 0.0) || isinf(p->threshold_z))
        return yl_err_set(err, YL_EINVAL, "threshold_z", "threshold_z must be >= 0");
    if (p->threshold_z == 0.0 && !(p->alpha > 0.0 && p->alpha < 1.0))
        return yl_err_set(err, YL_EINVAL, "alpha", "alpha must lie strictly between 0 and 1");
    if (!(p->min_sigma >= 0.0) || isinf(p->min_sigma))
        return yl_err_set(err, YL_EINVAL, "min_sigma", "min_sigma must be >= 0");
    if (p->c3_rule != SURV_C3_HUTWAGNER && p->c3_rule != SURV_C3_R_EARSC)
        return yl_err_set(err, YL_EINVAL, "c3_rule", "unknown C3 rule");
    return 0;
}

/* The baseline of one time point: mean and floored sd, or ok 0 when t has no full window
 * or fewer than 3 of its days were reported. */
static void ears_c12_point(const double *counts, size_t t, const struct surv_base *b,
                           double z, struct surv_point *pt)
{
    if (isnan(counts[t]) || !b[t].ok)
        return;
    pt->expected = b[t].mean;
    pt->upper = b[t].mean + z * b[t].sigma;
    pt->score = surv_standardize(counts[t], b[t].mean, b[t].sigma);
    pt->alarm = counts[t] > pt->upper ? SURV_ALARM : SURV_QUIET;
}

/* max(0, C2 - 1) of day d, 0 when its count is missing. */
static double ears_c3_part(const double *counts, size_t d, const struct surv_base *b)
{
    if (isnan(counts[d]))
        return 0.0;
    return surv_fmax(0.0, surv_standardize(counts[d], b[d].mean, b[d].sigma) - 1.0);
}

/*
 * C3 = sum over t-2..t of max(0, C2 - 1). With L the part of the two previous days, the
 * count alarms when max(0, C2_t - 1) > z - L, i.e. above mean + sigma (1 + z - L); once
 * L > z the alarm is on whatever today's count (the bound is then reported as 0).
 * R's earsC instead reports max(0, y_t + sigma (z - L)) and alarms when y_t exceeds it.
 */
static void ears_c3_point(const double *counts, size_t t, const struct surv_base *b,
                          const struct surv_ears_params *p, double z, const double *part,
                          struct surv_point *pt)
{
    double mean, sigma, lags, y = counts[t];

    if (t < 2 || isnan(y) || !b[t].ok || !b[t - 1].ok || !b[t - 2].ok)
        return;
    mean = b[t].mean;
    sigma = b[t].sigma;
    lags = part[1] + part[2];
    pt->expected = mean;
    pt->score = part[0] + lags;
    if (p->c3_rule == SURV_C3_R_EARSC) {
        pt->upper = surv_fmax(0.0, y + sigma * (z - lags));
        pt->alarm = y > pt->upper ? SURV_ALARM : SURV_QUIET;
        return;
    }
    pt->upper = lags > z ? 0.0 : mean + sigma * (1.0 + z - lags);
    pt->alarm = pt->score > z ? SURV_ALARM : SURV_QUIET;
}

int surv_ears_run(const double *counts, size_t n_counts, const struct surv_ears_params *p,
                  struct surv_point *out, struct yl_err *err)
{
    struct surv_base *base;
    double z;
    int rc = ears_check(p, err);

    if (rc != 0)
        return rc;
    z = p->threshold_z > 0.0 ? p->threshold_z : surv_qnorm(1.0 - p->alpha);
    surv_points_none(out, n_counts);
    if (n_counts == 0)
        return 0;
    base = xmalloc(sizeof(*base) * n_counts);
    surv_baselines(counts, n_counts, p->baseline, ears_lag(p->method), EARS_MIN_BASELINE,
                   p->min_sigma, base);
    if (p->method != SURV_EARS_C3) {
        for (size_t t = 0; t < n_counts; t++)
            ears_c12_point(counts, t, base, z, &out[t]);
    } else {
        /* Each day's part enters three C3 sums: computed once, then carried to the next
         * two days (part[0] today, part[1] yesterday, part[2] the day before). */
        double part[3] = { 0.0, 0.0, 0.0 };
        for (size_t t = 0; t < n_counts; t++) {
            part[2] = part[1];
            part[1] = part[0];
            part[0] = base[t].ok ? ears_c3_part(counts, t, base) : 0.0;
            ears_c3_point(counts, t, base, p, z, part, &out[t]);
        }
    }
    free(base);
    return 0;
}
