/*
 * detect_int.h - private to src/surveil: distribution functions, the quasi-Poisson GLM, the
 * random generator and the small helpers the detectors share.
 */
#ifndef YL_SURV_DETECT_INT_H
#define YL_SURV_DETECT_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

struct surv_point;

/* ---------------------------------------------------------------- stats.c */

/* Standard normal distribution function and its inverse (full double precision). */
double surv_pnorm(double x);
double surv_qnorm(double p);

/* Two-sided p-value of a t statistic with df degrees of freedom: P(|T| >= |t|). */
double surv_pt_two_sided(double t, double df);

/* Smallest whole x with P(X <= x) >= p for a negative binomial of `size` and success
 * probability `prob` (R's qnbinom parametrisation) and for a Poisson of mean mu. */
double surv_qnbinom(double p, double size, double prob);
double surv_qpois(double p, double mu);

/* The q-quantile (0..1) of v[0..n) sorted ascending, R's quantile type 7. */
double surv_quantile_sorted(const double *v, size_t n, double q);

/* Sort ascending, NAN-free values: branchless sorting networks for 9 and 15 values (the
 * moving percentile's usual histories), insertion sort for other sizes. */
void surv_sort(double *v, size_t n);

/* Mean and standard deviation (n - 1 denominator, as R's sd) of the non-missing values of
 * v[from .. from + len). Returns how many values were present. */
size_t surv_window_stats(const double *v, size_t from, size_t len, double *mean, double *sd);

/* A baseline: the mean and max(sd, min_sigma) of a window, ok when enough days are present. */
struct surv_base {
    double mean, sigma;
    int ok;
};

/* The baseline of every t (b[0..n)): the `len` days ending `lag` days before t, missing days
 * skipped, ok with at least min_n present. Whole counts up to 10^6 and windows up to 64 days
 * slide in O(1) a day (n * sum(y^2) - sum(y)^2 is exact in a double, so the variance is still
 * correctly rounded); others take two passes per point. O(n) or O(n * len). */
void surv_baselines(const double *counts, size_t n, int len, int lag, int min_n,
                    double min_sigma, struct surv_base *b);

/* fmax without a call into libm at every point (the daily detectors call it per point):
 * glibc's result bit for bit, the larger value, b when they are equal (so +0 or -0 as b),
 * the other when one is NAN. */
static inline double surv_fmax(double a, double b)
{
    if (isnan(b))
        return a;
    return a > b ? a : b;     /* maxsd */
}

/* (y - mean) / sigma, or +-INFINITY (0 when equal) for sigma 0. Inline: per point. */
static inline double surv_standardize(double y, double mean, double sigma)
{
    if (sigma > 0.0)
        return (y - mean) / sigma;
    if (y > mean)
        return INFINITY;
    return y < mean ? -INFINITY : 0.0;
}

/* Mark every point "no decision". */
void surv_points_none(struct surv_point *out, size_t n);

/* ---------------------------------------------------------------- glm.c */

/*
 * A quasi-Poisson GLM with log link fitted by iteratively reweighted least squares exactly
 * as R's glm.fit does it (start mu = y + 0.1, stop when the deviance changes by less than
 * 1e-8 relative, at most 25 iterations), so that its by-products (working weights of the
 * last iteration, dispersion, covariance) agree with R's summary.glm and predict.glm.
 */
#define SURV_GLM_MAX_COLS 16

struct surv_glm {
    /* in */
    size_t n;               /* observations */
    int k;                  /* columns of the design, <= SURV_GLM_MAX_COLS */
    const double *x;        /* n * k, row-major */
    const double *y;        /* n */
    const double *prior;    /* n prior weights, or NULL for 1 */
    /* out */
    double beta[SURV_GLM_MAX_COLS];
    double cov[SURV_GLM_MAX_COLS * SURV_GLM_MAX_COLS];  /* (X'WX)^-1, unscaled */
    double dispersion;      /* Pearson-type estimate of summary.glm */
    double *mu;             /* n fitted means (caller's buffer) */
    double *wt;             /* n working weights of the last iteration (caller's buffer) */
    int converged;
};

/* Fit; mu, wt and scratch (n doubles) are caller buffers. Returns 0, or -1 when the design
 * is singular or there are no more observations than columns. */
int surv_glm_fit(struct surv_glm *g, double *scratch);

/* x0' cov x0 for a design row x0. */
double surv_glm_xcx(const struct surv_glm *g, const double *x0);

/* Hat values h_i = wt_i x_i' cov x_i into h[0..n). */
void surv_glm_hat(const struct surv_glm *g, double *h);

/* ---------------------------------------------------------------- rng.c */

/* xoshiro256** (Blackman and Vigna 2018) seeded through splitmix64. */
struct surv_rng {
    uint64_t s[4];
};

void surv_rng_seed(struct surv_rng *r, uint64_t seed);
uint64_t surv_rng_next(struct surv_rng *r);
/* Uniform in 0..bound-1 without modulo bias (rejection of the uneven top). */
uint64_t surv_rng_below(struct surv_rng *r, uint64_t bound);

#endif
