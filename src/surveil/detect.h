/*
 * detect.h - aberration detectors for surveillance counts: pure functions on arrays.
 *
 * Each temporal detector reads one series of daily or weekly counts and writes, for every
 * time point, the expected count, the upper bound (the count above which it alarms), a score
 * and a decision; a point the method cannot judge yet (too little history, a missing count)
 * gets SURV_NO_DECISION, never a false alarm. The space-time permutation scan reads cases
 * with a place and a day and returns clusters with Monte Carlo p-values. Definitions follow
 * the CDC EARS, Farrington et al. (1996), Noufaily et al. (2013), China's CIDARS and
 * Kulldorff et al. (2005); where the R package `surveillance` implements a method, its
 * results are the reference (docs/surveillance.md lists every choice and the agreement).
 *
 * Counts are doubles (whole numbers in practice); NAN marks a missing count. Parameters
 * travel in one struct per method, filled with the documented defaults by surv_*_defaults;
 * bad parameters return YL_EINVAL with the field named in `err`. No function keeps state
 * between calls; scratch memory comes from xmalloc and is freed before the call returns,
 * except the scan result, which the caller frees with surv_scan_result_free.
 */
#ifndef YL_SURV_DETECT_H
#define YL_SURV_DETECT_H

#include <stddef.h>
#include <stdint.h>

struct yl_err;

/* The decision at one time point. */
enum surv_flag {
    SURV_NO_DECISION = -1,  /* not enough history, or the count is missing */
    SURV_QUIET = 0,
    SURV_ALARM = 1,
};

/* What a temporal detector says about one time point. With SURV_NO_DECISION the three
 * numbers are NAN. */
struct surv_point {
    double expected;        /* the count the baseline predicts */
    double upper;           /* the count above which the point alarms (threshold) */
    double score;           /* method's statistic; see each method */
    int alarm;              /* enum surv_flag */
};

/* ---------------------------------------------------------------- fixed threshold */

/* An alarm as soon as the count reaches `threshold`: any class A case (threshold 1). */
struct surv_threshold_params {
    double threshold;       /* default 1; must be > 0 */
};

void surv_threshold_defaults(struct surv_threshold_params *p);

/* expected 0, upper = threshold, score = count / threshold; alarm when count >= threshold
 * (the one method whose bound is inclusive: a single case must alarm). A missing count gives
 * no decision. O(n). */
int surv_threshold_run(const double *counts, size_t n_counts,
                       const struct surv_threshold_params *p, struct surv_point *out,
                       struct yl_err *err);

/* ---------------------------------------------------------------- EARS C1, C2, C3 */

enum surv_ears_method { SURV_EARS_C1 = 1, SURV_EARS_C2 = 2, SURV_EARS_C3 = 3 };

/* How C3 turns its statistic into a bound: the published definition, or the bound of R
 * surveillance 1.20 earsC (kept only to reproduce that package, see docs). */
enum surv_c3_rule {
    SURV_C3_HUTWAGNER = 0,  /* C3 = sum over t-2..t of max(0, C2 - 1); alarm C3 > z */
    SURV_C3_R_EARSC = 1,    /* bound max(0, y_t + s_t (z - lag part)); alarm y_t > bound */
};

struct surv_ears_params {
    enum surv_ears_method method;   /* default C1 */
    int baseline;           /* days in the baseline, default 7, at least 3 */
    /* The alarm threshold in standard deviations: z = qnorm(1 - alpha) unless threshold_z
     * is > 0, which then wins. Defaults as R surveillance: alpha 0.001 (z 3.09) for C1
     * and C2, 0.025 (z 1.96) for C3. The classic CDC thresholds are threshold_z 3 for
     * C1/C2 and 2 for C3. */
    double alpha;
    double threshold_z;     /* default 0 (use alpha) */
    double min_sigma;       /* floor under the baseline sd, default 0 as R; Burkom
                               suggests 0.5 or 1 for sparse counts */
    enum surv_c3_rule c3_rule;  /* default SURV_C3_HUTWAGNER */
};

/* Fill the defaults of `method` (C3 gets alpha 0.025). */
void surv_ears_defaults(struct surv_ears_params *p, enum surv_ears_method method);

/*
 * C1: baseline the `baseline` days before t; C2: the same, ending 3 days before t (a 2-day
 * guard band); C3: C2's statistic summed over t-2..t. expected = baseline mean, upper =
 * mean + z * max(sd, min_sigma) (C3: the count that brings C3 to z), score = C1, C2 or C3
 * (+-INFINITY when the floored sd is 0 and the count differs from the mean). Alarm when
 * count > upper. First decision at t = baseline (C1), baseline + 2 (C2), baseline + 4
 * (C3). Missing baseline days are skipped; fewer than 3 present gives no decision. O(n).
 */
int surv_ears_run(const double *counts, size_t n_counts, const struct surv_ears_params *p,
                  struct surv_point *out, struct yl_err *err);

/* ---------------------------------------------------------------- CUSUM */

/*
 * Upper one-sided CUSUM of standardized counts (Page 1954; Hutwagner's EARS variant):
 * z_t = (y_t - mean) / max(sd, min_sigma) over a moving baseline of `baseline` days ending
 * `guard` days before t, S_t = max(0, S_{t-1} + z_t - k), alarm when S_t > h.
 */
struct surv_cusum_params {
    int baseline;           /* default 28 days, at least 3 */
    int guard;              /* days between baseline and t, default 2 */
    double k;               /* reference value in sd, default 0.5 (detects a 1 sd shift) */
    double h;               /* decision interval in sd, default 4 */
    double min_sigma;       /* default 0.5: a flat baseline still gives a finite score */
    int reset;              /* 1 (default): S returns to 0 after an alarm */
};

void surv_cusum_defaults(struct surv_cusum_params *p);

/* expected = baseline mean, upper = the count that makes S_t reach h, score = S_t. A point
 * without a full baseline or with a missing count gives no decision and leaves S as it
 * was. O(n). */
int surv_cusum_run(const double *counts, size_t n_counts, const struct surv_cusum_params *p,
                   struct surv_point *out, struct yl_err *err);

/* ---------------------------------------------------------------- Farrington */

enum surv_powertrans {
    SURV_POWER_NONE = 0,    /* normal approximation on the count scale */
    SURV_POWER_HALF = 1,
    SURV_POWER_TWO_THIRDS = 2,  /* Farrington's choice: symmetric for Poisson counts */
};

enum surv_farr_threshold {
    SURV_FARR_DELTA = 0,    /* 2/3-power transform, delta-method variance (1996) */
    SURV_FARR_NB_PLUGIN = 1,    /* negative binomial quantile at the fitted mean (2013) */
    SURV_FARR_MUAN = 2,     /* negative binomial quantile at the mean's upper quantile */
};

struct surv_farrington_params {
    int period;             /* time points a year: 52 weekly (default), 12, 365 */
    int years_back;         /* b: years of history, default 5 */
    int half_window;        /* w: reference window t-w..t+w each year, default 3 */
    int reweight;           /* down-weight past outbreaks, default 1 */
    double weights_threshold;   /* Anscombe residual above which a point is down-weighted:
                                   1 classic, 2.58 flexible */
    double alpha;           /* classic: two-sided (z = qnorm(1 - alpha/2)), default 0.05;
                               flexible: one-sided (qnorm(1 - alpha)), default 0.05 */
    int trend;              /* fit a linear trend, kept only if significant, b >= 3 and
                               not extrapolating beyond the data; default 1 */
    double trend_p;         /* significance of the trend, default 0.05 */
    int min_cases;          /* no alarm unless the last `min_cases_periods` points hold */
    int min_cases_periods;  /* at least `min_cases` cases: 5 in 4 (Farrington's rule) */
    enum surv_powertrans powertrans;    /* default 2/3 */
    /* flexible only */
    int n_periods;          /* seasonal factor levels between the windows: 1 (none) or,
                               as Noufaily recommends, 10 (flexible default) */
    int past_excluded;      /* the points t-past_excluded..t are left out of the fit;
                               flexible default 26; -1 means w (R's default) */
    enum surv_farr_threshold threshold; /* flexible default SURV_FARR_NB_PLUGIN */
};

/* Classic defaults: b 5, w 3, reweight with threshold 1, alpha 0.05, trend, 5 in 4,
 * 2/3 power; as R surveillance::farrington. */
void surv_farrington_defaults(struct surv_farrington_params *p);

/* Flexible defaults as Noufaily et al. (2013) recommend: b 5, w 3, 10 seasonal levels,
 * 26 past weeks excluded, weights threshold 2.58, alpha 0.05, trend p 0.05, negative
 * binomial quantile. R farringtonFlexible's own defaults differ (1 level, past_excluded
 * w, delta threshold): set them for identical results. */
void surv_farrington_flexible_defaults(struct surv_farrington_params *p);

/*
 * Farrington et al. (1996) as R surveillance::farrington (index-based reference weeks):
 * for each t from period*b - w on, a quasi-Poisson GLM (log link, linear trend) on the
 * counts at t - i*period + j (i = 1..b, |j| <= w; those before the series are dropped),
 * refitted with weights that shrink past outbreaks, the trend dropped unless significant.
 * expected = fitted count at t, upper = the (1 - alpha/2) bound on the power scale, score
 * = (y - expected) / (upper - expected), alarm when score > 1. With fewer than min_cases
 * cases in the last min_cases_periods points the bound is 0 and there is no alarm (as R).
 * Cost per point O(b w) with a few IRLS iterations; scratch from xmalloc.
 */
int surv_farrington_run(const double *counts, size_t n_counts,
                        const struct surv_farrington_params *p, struct surv_point *out,
                        struct yl_err *err);

/*
 * The improved method (Noufaily et al. 2013) as R surveillance::farringtonFlexible: the
 * same GLM over all points from t - b*period - w to t, the windows forming one level of a
 * seasonal factor and the stretches between them n_periods - 1 further levels; the points
 * t - past_excluded..t left out; residuals above weights_threshold down-weighted by s^-2;
 * one-sided threshold. First decision at t = period*b + w. With too few recent cases
 * (min_cases rule) expected and upper are NAN and the point is quiet (as R); a zero count
 * never alarms.
 */
int surv_farrington_flexible_run(const double *counts, size_t n_counts,
                                 const struct surv_farrington_params *p,
                                 struct surv_point *out, struct yl_err *err);

/* ---------------------------------------------------------------- moving percentile */

/*
 * The moving percentile method of CIDARS (Yang et al. 2011): the sum of the last `window`
 * days against the P-th percentile of the sums of the same window in each of the previous
 * `years` years and of the windows just before and after it (`adjacent` each side), i.e.
 * years * (2 * adjacent + 1) historical sums: 15 with the defaults.
 */
struct surv_mpm_params {
    int window;             /* days summed, default 7 */
    int period;             /* days a year, default 365 (52 for weekly data, window 1) */
    int years;              /* default 5 (CIDARS used 3 in its first years) */
    int adjacent;           /* neighbouring windows each side, default 1 */
    double percentile;      /* P in 0..100, default 80; national systems tune P45..P80 */
    double min_cases;       /* no alarm below this current sum, default 1 */
};

void surv_mpm_defaults(struct surv_mpm_params *p);

/* expected = the median of the historical sums, upper = their P-th percentile (linear
 * interpolation between order statistics, R's quantile type 7), score = the current
 * window sum; alarm when the sum > upper and >= min_cases. The output at t describes the
 * window ending at t. Windows with a missing day are left out of the history; a current
 * window with one, or fewer than half the historical sums, gives no decision. O(n * H)
 * with H historical sums. */
int surv_mpm_run(const double *counts, size_t n_counts, const struct surv_mpm_params *p,
                 struct surv_point *out, struct yl_err *err);

/* ---------------------------------------------------------------- space-time scan */

/* A place cases are counted at (a village or township), and one case. */
struct surv_place {
    double lat_deg, lon_deg;
};

struct surv_case {
    int32_t place;          /* index into the places array */
    int32_t day;            /* 0 .. n_days - 1; the last day is the one under watch */
};

struct surv_scan_params {
    double max_share;       /* largest circle, as a share of all cases, default 0.5 */
    int max_window_days;    /* longest time window ending on the last day, default 7 */
    int min_cases;          /* smallest cluster reported, default 2 */
    int replications;       /* Monte Carlo replications, default 999 */
    uint64_t seed;          /* default 1 */
    int max_clusters;       /* most likely + secondary clusters reported, default 10 */
};

void surv_scan_params_defaults(struct surv_scan_params *p);

struct surv_scan_cluster {
    int32_t centre;         /* place at the centre */
    int32_t n_places;       /* places in the circle: members[first_member..+n_places) */
    size_t first_member;
    double radius_km;       /* distance from the centre to the farthest member */
    int32_t first_day, last_day;
    double cases, expected; /* in the cylinder; expected from the marginals */
    double llr;             /* log likelihood ratio */
    double p_value;         /* (1 + replications with a max LLR >= llr) / (R + 1) */
};

struct surv_scan_result {
    struct surv_scan_cluster *clusters; /* most likely first, then secondary ones */
    size_t n_clusters;
    int32_t *members;       /* place indices, nearest to the centre first */
    double total_cases;
};

/*
 * Prospective space-time permutation scan (Kulldorff et al. 2005). Cylinders are circles
 * around every place (growing by nearest neighbours while they hold at most max_share of
 * the cases) times windows of 1..max_window_days days ending on day n_days - 1. Expected
 * counts come from the marginals, mu = C(places) * C(days) / C; clusters have more cases
 * than expected and rank by the Poisson generalized likelihood ratio. p-values come from
 * `replications` data sets with the days permuted among the cases (xoshiro256** seeded by
 * `seed`: the same seed, the same p-values). Secondary clusters share no place with a
 * cluster ranked above them. Cost O((R + 1) * P * K * W) for P places, K places in the
 * largest circle, W window lengths; memory O(P^2). On success *out is a new result the
 * caller frees with surv_scan_result_free; with no case at all it has no cluster.
 */
int surv_scan_run(const struct surv_place *places, size_t n_places,
                  const struct surv_case *cases, size_t n_cases, int32_t n_days,
                  const struct surv_scan_params *p, struct surv_scan_result **out,
                  struct yl_err *err);

/* Free a result of surv_scan_run; NULL does nothing. */
void surv_scan_result_free(struct surv_scan_result *r);

#endif
