/*
 * farrington.c - Farrington et al. (1996) and the improved method of Noufaily et al. (2013).
 *
 * One idea: at each time point, regress the comparable past (the same weeks of earlier
 * years, and for the improved method the weeks in between as seasonal levels) with a
 * quasi-Poisson GLM, shrink the weight of past outbreaks by their Anscombe residuals, keep
 * a trend only when it is significant and does not predict beyond the data, and put the
 * bound on a scale where the counts are nearly symmetric. The R package surveillance
 * (functions farrington and farringtonFlexible) is the reference for every detail,
 * including its choices of dispersion in the prediction variance (docs/surveillance.md).
 * References: Farrington, Andrews, Beale, Catchpole, JRSS A 159 (1996) 547-563; Noufaily,
 * Enki, Farrington, Garthwaite, Andrews, Charlett, Stat Med 32 (2013) 1206-1222.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "detect.h"
#include "detect_int.h"

/* Columns: intercept, trend, and one per seasonal level beyond the first. */
#define FARR_MAX_LEVELS (SURV_GLM_MAX_COLS - 2)

/* The reference data of one time point and the buffers the fits use. */
struct farr_work {
    size_t n;               /* rows in use */
    double *y, *time;       /* count and time (centred) of each row */
    int *level;             /* seasonal level 1..n_periods */
    double *x;              /* design, n * k */
    double *mu, *wt, *eta, *hat, *omega;
    double tbar;            /* centre of the time column */
};

/* What one fit gives the threshold. */
struct farr_fit {
    struct surv_glm g;
    bool has_trend;
    int k;
    double x0[SURV_GLM_MAX_COLS];   /* design row of the predicted point */
    double phi;             /* max(dispersion, 1) */
    double disp_summary;    /* the dispersion R's summary.glm reports for the model */
};

static void farr_work_init(struct farr_work *w, size_t cap)
{
    double *d = xmalloc(sizeof(double) * cap * (7 + SURV_GLM_MAX_COLS));

    memset(w, 0, sizeof(*w));
    w->y = d;
    w->time = d + cap;
    w->mu = d + 2 * cap;
    w->wt = d + 3 * cap;
    w->eta = d + 4 * cap;
    w->hat = d + 5 * cap;
    w->omega = d + 6 * cap;
    w->x = d + 7 * cap;
    w->level = xmalloc(sizeof(int) * cap);
}

static void farr_work_release(struct farr_work *w)
{
    free(w->y);
    free(w->level);
}

static void farr_add(struct farr_work *w, double y, size_t idx, int level)
{
    w->y[w->n] = y;
    w->time[w->n] = (double)idx;
    w->level[w->n] = level;
    w->n++;
}

/* Centre the time column: predictions do not depend on it, conditioning does. */
static void farr_centre_time(struct farr_work *w)
{
    double s = 0.0;

    for (size_t i = 0; i < w->n; i++)
        s += w->time[i];
    w->tbar = w->n > 0 ? s / (double)w->n : 0.0;
    for (size_t i = 0; i < w->n; i++)
        w->time[i] -= w->tbar;
}

/* Design with an intercept, the trend if asked, and treatment contrasts for the seasonal
 * levels present (the lowest present is the baseline, as R's factor coding does); the
 * predicted point is at time t and level `pred_level`. */
static void farr_design(const struct farr_work *w, bool trend, size_t t, int pred_level,
                        struct farr_fit *f)
{
    bool present[FARR_MAX_LEVELS + 2] = { false };
    int col_of[FARR_MAX_LEVELS + 2];
    int k = 1, base = -1;

    for (size_t i = 0; i < w->n; i++)
        present[w->level[i]] = true;
    if (trend)
        k++;
    for (int l = 1; l <= FARR_MAX_LEVELS + 1; l++) {
        col_of[l] = -1;
        if (!present[l])
            continue;
        if (base < 0)
            base = l;
        else
            col_of[l] = k++;
    }
    f->k = k;
    f->has_trend = trend;
    for (size_t i = 0; i < w->n; i++) {
        double *xi = w->x + i * (size_t)k;
        memset(xi, 0, sizeof(double) * (size_t)k);
        xi[0] = 1.0;
        if (trend)
            xi[1] = w->time[i];
        if (col_of[w->level[i]] >= 0)
            xi[col_of[w->level[i]]] = 1.0;
    }
    memset(f->x0, 0, sizeof(f->x0));
    f->x0[0] = 1.0;
    if (trend)
        f->x0[1] = (double)t - w->tbar;
    if (pred_level <= FARR_MAX_LEVELS + 1 && col_of[pred_level] >= 0)
        f->x0[col_of[pred_level]] = 1.0;
}

static int farr_glm(struct farr_work *w, struct farr_fit *f, const double *prior)
{
    memset(&f->g, 0, sizeof(f->g));
    f->g.n = w->n;
    f->g.k = f->k;
    f->g.x = w->x;
    f->g.y = w->y;
    f->g.prior = prior;
    f->g.mu = w->mu;
    f->g.wt = w->wt;
    return surv_glm_fit(&f->g, w->eta);
}

/* Anscombe residuals of the Poisson fit, scaled by dispersion and leverage (Farrington
 * 1996, section 3.4), turned into weights: a residual above `thr` weighs s^-2, the rest 1,
 * all scaled so the weights sum to the number of points. */
static void farr_weights(struct farr_work *w, const struct farr_fit *f, double thr)
{
    double denom = 0.0, gamma;

    surv_glm_hat(&f->g, w->hat);
    for (size_t i = 0; i < w->n; i++) {
        double mu = w->mu[i], lev = 1.0 - w->hat[i];
        double a = 1.5 * (pow(w->y[i], 2.0 / 3.0) * pow(mu, -1.0 / 6.0) - sqrt(mu));
        double s = lev > 0.0 ? a / sqrt(f->phi * lev) : 0.0;
        w->omega[i] = s > thr ? 1.0 / (s * s) : 1.0;
        denom += w->omega[i];
    }
    gamma = (double)w->n / denom;
    for (size_t i = 0; i < w->n; i++)
        w->omega[i] *= gamma;
}

/* R's farringtonFlexible stores the outbreak weights in the model's working-weight slot
 * after the fit, so its summary.glm (the trend test) and predict.glm (the bound's standard
 * error) see sum omega (y - mu)^2 / mu^2 / df instead of the Pearson dispersion. We follow
 * it to agree with the reference; the effect is a few per cent on the bound. */
static double farr_omega_dispersion(const struct farr_work *w, const struct farr_fit *f)
{
    double s = 0.0;

    for (size_t i = 0; i < w->n; i++) {
        double r = (w->y[i] - w->mu[i]) / w->mu[i];
        s += w->omega[i] * r * r;
    }
    return s / (double)(w->n - (size_t)f->k);
}

/* Fit, with the trend dropped if IRLS does not converge with it, then refit with the
 * outbreak weights. -1 when no model can be fitted. */
static int farr_fit_model(struct farr_work *w, const struct surv_farrington_params *p,
                          bool flexible, bool trend, size_t t, int pred_level,
                          struct farr_fit *f)
{
    farr_design(w, trend, t, pred_level, f);
    if (farr_glm(w, f, NULL) != 0 || !f->g.converged) {
        if (!trend)
            return -1;
        farr_design(w, false, t, pred_level, f);
        if (farr_glm(w, f, NULL) != 0 || !f->g.converged)
            return -1;
    }
    f->phi = fmax(f->g.dispersion, 1.0);
    f->disp_summary = f->g.dispersion;
    if (!p->reweight)
        return 0;
    farr_weights(w, f, p->weights_threshold);
    if (farr_glm(w, f, w->omega) != 0)
        return -1;
    f->phi = fmax(f->g.dispersion, 1.0);
    f->disp_summary = flexible ? farr_omega_dispersion(w, f) : f->g.dispersion;
    return 0;
}

static double farr_mean_at(const struct farr_fit *f)
{
    double eta = 0.0;

    for (int a = 0; a < f->k; a++)
        eta += f->x0[a] * f->g.beta[a];
    return exp(eta);
}

static double farr_max(const double *v, size_t n)
{
    double m = -INFINITY;

    for (size_t i = 0; i < n; i++)
        m = fmax(m, v[i]);
    return m;
}

/* Fit with the trend, and keep it only with at least 3 years of data, a significant slope
 * (t test with the estimated dispersion) and a prediction within the observed counts. */
static int farr_fit_final(struct farr_work *w, const struct surv_farrington_params *p,
                          bool flexible, size_t t, int pred_level, struct farr_fit *f)
{
    double se, pval;

    if (farr_fit_model(w, p, flexible, p->trend != 0, t, pred_level, f) != 0)
        return -1;
    if (!f->has_trend)
        return 0;
    se = sqrt(f->disp_summary * f->g.cov[1 * f->k + 1]);
    pval = surv_pt_two_sided(f->g.beta[1] / se, (double)(w->n - (size_t)f->k));
    if (p->years_back >= 3 && pval < p->trend_p && farr_mean_at(f) <= farr_max(w->y, w->n))
        return 0;
    return farr_fit_model(w, p, flexible, false, t, pred_level, f);
}

/* The upper bound mu0 on the power scale plus z standard errors (Farrington's 2/3 power
 * makes Poisson-like counts nearly symmetric); var is the variance of the prediction. */
static double farr_power_bound(enum surv_powertrans pt, double mu0, double var, double phi,
                               double z)
{
    double tau = phi + var / mu0;

    switch (pt) {
    case SURV_POWER_NONE:
        return mu0 + z * sqrt(mu0 * tau);
    case SURV_POWER_HALF:
        return pow(sqrt(mu0) + z * sqrt(tau / 4.0), 2.0);
    case SURV_POWER_TWO_THIRDS:
        return pow(pow(mu0, 2.0 / 3.0) + z * sqrt(4.0 / 9.0 * pow(mu0, 1.0 / 3.0) * tau),
                   1.5);
    }
    return NAN;
}

/* Farrington's rule against alarms on sparse data: enough cases in the recent points. */
static bool farr_enough_cases(const double *counts, size_t t,
                              const struct surv_farrington_params *p)
{
    double sum = 0.0;

    for (int i = 0; i < p->min_cases_periods && (size_t)i <= t; i++)
        if (!isnan(counts[t - (size_t)i]))
            sum += counts[t - (size_t)i];
    return sum >= p->min_cases;
}

static int farr_check(const struct surv_farrington_params *p, bool flexible,
                      struct yl_err *err)
{
    if (p->period < 2)
        return yl_err_set(err, YL_EINVAL, "period", "period must be at least 2");
    if (p->years_back < 1)
        return yl_err_set(err, YL_EINVAL, "b", "b (years back) must be at least 1");
    if (p->half_window < 0 || 2 * p->half_window + 1 >= p->period)
        return yl_err_set(err, YL_EINVAL, "w", "w must be >= 0 and 2w + 1 below the period");
    if (!(p->alpha > 0.0 && p->alpha < 1.0))
        return yl_err_set(err, YL_EINVAL, "alpha", "alpha must lie strictly between 0 and 1");
    if (!(p->weights_threshold > 0.0))
        return yl_err_set(err, YL_EINVAL, "weights_threshold",
                          "weights threshold must be positive");
    if (!(p->trend_p > 0.0 && p->trend_p <= 1.0))
        return yl_err_set(err, YL_EINVAL, "trend_p", "trend p must lie in (0, 1]");
    if (p->min_cases < 0 || p->min_cases_periods < 1)
        return yl_err_set(err, YL_EINVAL, "min_cases",
                          "min_cases must be >= 0 and min_cases_periods >= 1");
    if (p->powertrans < SURV_POWER_NONE || p->powertrans > SURV_POWER_TWO_THIRDS)
        return yl_err_set(err, YL_EINVAL, "powertrans", "unknown power transformation");
    if (!flexible)
        return 0;
    if (p->n_periods < 1 || p->n_periods > FARR_MAX_LEVELS ||
        p->n_periods - 1 > p->period - 2 * p->half_window - 1)
        return yl_err_set(err, YL_EINVAL, "n_periods",
                          "n_periods must be 1..%d and fit between the windows",
                          FARR_MAX_LEVELS);
    if (p->past_excluded < -1)
        return yl_err_set(err, YL_EINVAL, "past_excluded", "past_excluded must be >= -1");
    if (p->threshold < SURV_FARR_DELTA || p->threshold > SURV_FARR_MUAN)
        return yl_err_set(err, YL_EINVAL, "threshold", "unknown threshold method");
    return 0;
}

void surv_farrington_defaults(struct surv_farrington_params *p)
{
    memset(p, 0, sizeof(*p));
    p->period = 52;
    p->years_back = 5;
    p->half_window = 3;
    p->reweight = 1;
    p->weights_threshold = 1.0;
    p->alpha = 0.05;
    p->trend = 1;
    p->trend_p = 0.05;
    p->min_cases = 5;
    p->min_cases_periods = 4;
    p->powertrans = SURV_POWER_TWO_THIRDS;
    p->n_periods = 1;
    p->past_excluded = -1;
    p->threshold = SURV_FARR_DELTA;
}

void surv_farrington_flexible_defaults(struct surv_farrington_params *p)
{
    surv_farrington_defaults(p);
    p->weights_threshold = 2.58;
    p->n_periods = 10;
    p->past_excluded = 26;
    p->threshold = SURV_FARR_NB_PLUGIN;
}

/* ---------------------------------------------------------------- classic */

/* The windows t - i*period - w .. t - i*period + w of the b previous years; points before
 * the series or missing are left out, as R leaves out indices below 1. */
static void farr_classic_data(const double *counts, size_t t,
                              const struct surv_farrington_params *p, struct farr_work *w)
{
    long long tt = (long long)t;

    w->n = 0;
    for (int i = p->years_back; i >= 1; i--) {
        for (int j = -p->half_window; j <= p->half_window; j++) {
            long long idx = tt - (long long)i * p->period + j;
            if (idx >= 0 && !isnan(counts[idx]))
                farr_add(w, counts[idx], (size_t)idx, 1);
        }
    }
    farr_centre_time(w);
}

static void farr_classic_point(const double *counts, size_t t,
                               const struct surv_farrington_params *p, struct farr_work *w,
                               struct surv_point *pt)
{
    struct farr_fit f;
    double mu0, var, upper, y = counts[t];

    farr_classic_data(counts, t, p, w);
    if (isnan(y) || farr_fit_final(w, p, false, t, 1, &f) != 0)
        return;
    mu0 = farr_mean_at(&f);
    /* R's predict.glm is given phi here: the prediction variance uses max(dispersion, 1). */
    var = f.phi * surv_glm_xcx(&f.g, f.x0) * mu0 * mu0;
    upper = farr_power_bound(p->powertrans, mu0, var, f.phi, surv_qnorm(1.0 - p->alpha / 2));
    pt->expected = mu0;
    if (farr_enough_cases(counts, t, p)) {
        pt->upper = upper;
        pt->score = (y - mu0) / (upper - mu0);
    } else {
        pt->upper = 0.0;
        pt->score = 0.0;
    }
    pt->alarm = pt->score > 1.0 ? SURV_ALARM : SURV_QUIET;
}

int surv_farrington_run(const double *counts, size_t n_counts,
                        const struct surv_farrington_params *p, struct surv_point *out,
                        struct yl_err *err)
{
    struct farr_work w;
    long long first;
    int rc = farr_check(p, false, err);

    if (rc != 0)
        return rc;
    surv_points_none(out, n_counts);
    /* As R's default range: from period * b - w (1-based), the oldest window still partly
     * before the series. */
    first = (long long)p->period * p->years_back - p->half_window - 1;
    if (first < 0 || (size_t)first >= n_counts)
        return 0;
    farr_work_init(&w, (size_t)p->years_back * (size_t)(2 * p->half_window + 1));
    for (size_t t = (size_t)first; t < n_counts; t++)
        farr_classic_point(counts, t, p, &w, &out[t]);
    farr_work_release(&w);
    return 0;
}

/* ---------------------------------------------------------------- flexible */

/* Seasonal levels of the points t - b*period - w .. t (0 = not used), as R's blocks():
 * every reference window and the current one are level n_periods; the stretch after each
 * reference window up to the next window is cut into n_periods - 1 consecutive blocks,
 * levels 1, 2, ..., the first (stretch mod (n_periods - 1)) one point longer. */
static void farr_levels(size_t t, const struct surv_farrington_params *p, int *lv)
{
    int w = p->half_window, np = p->n_periods;
    size_t span = (size_t)p->years_back * (size_t)p->period + (size_t)w;
    size_t start = t - span;

    memset(lv, 0, sizeof(int) * (span + 1));
    for (int j = 0; j <= w; j++)
        lv[span - (size_t)j] = np;
    for (int i = 1; i <= p->years_back; i++) {
        size_t ref = t - (size_t)i * (size_t)p->period;
        for (int j = -w; j <= w; j++)
            lv[ref + (size_t)j - start] = np;
        if (np == 1)
            continue;
        int gap = p->period - 2 * w - 1, len = gap / (np - 1), rest = gap % (np - 1);
        size_t pos = ref + (size_t)w + 1 - start;
        for (int l = 1; l < np; l++) {
            int blen = len + (l <= rest ? 1 : 0);
            for (int m = 0; m < blen; m++)
                lv[pos++] = l;
        }
    }
}

static void farr_flexible_data(const double *counts, size_t t,
                               const struct surv_farrington_params *p, int *lv,
                               struct farr_work *w)
{
    size_t span = (size_t)p->years_back * (size_t)p->period + (size_t)p->half_window;
    size_t start = t - span;
    int excluded = p->past_excluded < 0 ? p->half_window : p->past_excluded;

    farr_levels(t, p, lv);
    w->n = 0;
    for (size_t i = 0; i <= span; i++) {
        size_t idx = start + i;
        if (lv[i] == 0 || idx + (size_t)excluded >= t || isnan(counts[idx]))
            continue;
        farr_add(w, counts[idx], idx, lv[i]);
    }
    farr_centre_time(w);
}

/* The flexible bound: the delta method on a power scale, or a negative binomial (Poisson
 * when phi is 1) quantile at the fitted mean or at the mean's upper confidence limit. */
static double farr_flexible_bound(const struct surv_farrington_params *p,
                                  const struct farr_fit *f, double mu0)
{
    /* R's farringtonFlexible passes phi to predict.glm inside the data frame, where it is
     * ignored, so the prediction's standard error uses summary.glm's dispersion, not phi;
     * we follow it to agree. */
    double var_link = f->disp_summary * surv_glm_xcx(&f->g, f->x0);
    double q = 1.0 - p->alpha, mq;

    if (p->threshold == SURV_FARR_DELTA)
        return farr_power_bound(p->powertrans, mu0, var_link * mu0 * mu0, f->phi,
                                surv_qnorm(q));
    mq = mu0;
    if (p->threshold == SURV_FARR_MUAN)
        mq = exp(log(mu0) + surv_qnorm(q) * sqrt(var_link));
    if (isinf(mq))
        return NAN;
    if (f->phi > 1.0)
        return surv_qnbinom(q, mq / (f->phi - 1.0), 1.0 / f->phi);
    return surv_qpois(q, mq);
}

static void farr_flexible_point(const double *counts, size_t t,
                                const struct surv_farrington_params *p, int *lv,
                                struct farr_work *w, struct surv_point *pt)
{
    struct farr_fit f;
    double mu0, upper, y = counts[t];

    farr_flexible_data(counts, t, p, lv, w);
    if (isnan(y) || farr_fit_final(w, p, true, t, p->n_periods, &f) != 0)
        return;
    mu0 = farr_mean_at(&f);
    upper = farr_flexible_bound(p, &f, mu0);
    pt->alarm = SURV_QUIET;
    if (!farr_enough_cases(counts, t, p) || isnan(upper))
        return;
    pt->expected = mu0;
    pt->upper = upper;
    pt->score = (y - mu0) / (upper - mu0);
    /* As R: a zero count never alarms, even when the bound rounds down to 0. */
    if (y > upper && y != 0.0)
        pt->alarm = SURV_ALARM;
}

int surv_farrington_flexible_run(const double *counts, size_t n_counts,
                                 const struct surv_farrington_params *p,
                                 struct surv_point *out, struct yl_err *err)
{
    struct farr_work w;
    size_t first, span;
    int *lv;
    int rc = farr_check(p, true, err);

    if (rc != 0)
        return rc;
    surv_points_none(out, n_counts);
    span = (size_t)p->years_back * (size_t)p->period + (size_t)p->half_window;
    first = span;
    if (first >= n_counts)
        return 0;
    farr_work_init(&w, span + 1);
    lv = xmalloc(sizeof(int) * (span + 1));
    for (size_t t = first; t < n_counts; t++)
        farr_flexible_point(counts, t, p, lv, &w, &out[t]);
    free(lv);
    farr_work_release(&w);
    return 0;
}
