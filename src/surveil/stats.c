/*
 * stats.c - the distribution functions the detectors need, from libm's erfc and lgamma.
 *
 * The normal quantile starts from Abramowitz and Stegun 26.2.23 and is polished by Halley
 * steps on erfc, so it is exact to rounding. Student t and the negative binomial go through
 * the regularized incomplete beta function, the Poisson through the regularized incomplete
 * gamma function, both by their classic continued fractions (Abramowitz and Stegun 26.5.8,
 * 6.5.31; evaluated with Lentz's method).
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "detect.h"
#include "detect_int.h"

#define STATS_TINY 1e-300
#define STATS_EPS 1e-15
#define STATS_MAX_ITER 20000

double surv_pnorm(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

/* Lower-tail start for p < 0.5 (error below 4.5e-4), refined below. */
static double stats_qnorm_start(double p)
{
    double t = sqrt(-2.0 * log(p));
    double num = 2.515517 + t * (0.802853 + t * 0.010328);
    double den = 1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308));
    return -(t - num / den);
}

double surv_qnorm(double p)
{
    double x;

    if (!(p > 0.0))
        return -INFINITY;
    if (!(p < 1.0))
        return INFINITY;
    /* Work in the lower tail, where erfc keeps its relative precision. */
    if (p > 0.5)
        return -surv_qnorm(1.0 - p);
    x = stats_qnorm_start(p);
    for (int i = 0; i < 4; i++) {
        /* Halley's step on F(x) - p: cubic convergence, three steps are plenty. */
        double e = surv_pnorm(x) - p;
        double u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
        x = x - u / (1.0 + x * u / 2.0);
    }
    return x;
}

/* Continued fraction of the incomplete beta function (A&S 26.5.8) by Lentz's method. */
static double stats_beta_cf(double a, double b, double x)
{
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;

    if (fabs(d) < STATS_TINY)
        d = STATS_TINY;
    d = 1.0 / d;
    h = d;
    for (int m = 1; m <= STATS_MAX_ITER; m++) {
        double m2 = 2.0 * m, del;
        double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));

        d = 1.0 + aa * d;
        c = 1.0 + aa / c;
        d = fabs(d) < STATS_TINY ? 1.0 / STATS_TINY : 1.0 / d;
        if (fabs(c) < STATS_TINY)
            c = STATS_TINY;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
        d = 1.0 + aa * d;
        c = 1.0 + aa / c;
        d = fabs(d) < STATS_TINY ? 1.0 / STATS_TINY : 1.0 / d;
        if (fabs(c) < STATS_TINY)
            c = STATS_TINY;
        del = d * c;
        h *= del;
        if (fabs(del - 1.0) < STATS_EPS)
            break;
    }
    return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double stats_ibeta(double a, double b, double x)
{
    double front;

    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    front = exp(a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b)));
    /* The fraction converges fast only below the mean; above it use the symmetry. */
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * stats_beta_cf(a, b, x) / a;
    return 1.0 - front * stats_beta_cf(b, a, 1.0 - x) / b;
}

/* Regularized upper incomplete gamma Q(a, x): series below a + 1, fraction above. */
static double stats_gamma_q(double a, double x)
{
    double front;

    if (x <= 0.0)
        return 1.0;
    front = exp(-x + a * log(x) - lgamma(a));
    if (x < a + 1.0) {
        double sum = 1.0 / a, term = sum;
        for (int n = 1; n <= STATS_MAX_ITER; n++) {
            term *= x / (a + n);
            sum += term;
            if (fabs(term) < fabs(sum) * STATS_EPS)
                break;
        }
        return 1.0 - front * sum;
    }
    double b = x + 1.0 - a, c = 1.0 / STATS_TINY, d = 1.0 / b, h = d;
    for (int i = 1; i <= STATS_MAX_ITER; i++) {
        double an = -i * (i - a), del;
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < STATS_TINY)
            d = STATS_TINY;
        c = b + an / c;
        if (fabs(c) < STATS_TINY)
            c = STATS_TINY;
        d = 1.0 / d;
        del = d * c;
        h *= del;
        if (fabs(del - 1.0) < STATS_EPS)
            break;
    }
    return front * h;
}

double surv_pt_two_sided(double t, double df)
{
    if (isnan(t) || !(df > 0.0))
        return NAN;
    if (isinf(t))
        return 0.0;
    return stats_ibeta(df / 2.0, 0.5, df / (df + t * t));
}

struct stats_discrete {
    double a, b;            /* the distribution's two parameters */
    double (*cdf)(const struct stats_discrete *d, double x);
};

static double stats_nbinom_cdf(const struct stats_discrete *d, double x)
{
    return stats_ibeta(d->a, x + 1.0, d->b);
}

static double stats_pois_cdf(const struct stats_discrete *d, double x)
{
    return stats_gamma_q(x + 1.0, d->a);
}

/* Smallest x >= 0 with cdf(x) >= p, searched from a normal-approximation start. The fuzz
 * keeps a cdf that equals p up to rounding on the low side, as R's discrete quantiles do. */
static double stats_discrete_quantile(const struct stats_discrete *d, double p, double mean,
                                      double var)
{
    double target = p * (1.0 - 64.0 * DBL_EPSILON);
    double y = floor(mean + surv_qnorm(p) * sqrt(var));

    if (!(y >= 0.0))
        y = 0.0;
    if (d->cdf(d, y) >= target) {
        while (y > 0.0 && d->cdf(d, y - 1.0) >= target)
            y -= 1.0;
        return y;
    }
    while (d->cdf(d, y) < target)
        y += 1.0;
    return y;
}

double surv_qnbinom(double p, double size, double prob)
{
    struct stats_discrete d = { size, prob, stats_nbinom_cdf };
    double mean = size * (1.0 - prob) / prob;

    if (!(size > 0.0) || !(prob > 0.0) || !(prob <= 1.0) || isnan(p))
        return NAN;
    if (p >= 1.0)
        return INFINITY;
    return stats_discrete_quantile(&d, p, mean, mean / prob);
}

double surv_qpois(double p, double mu)
{
    struct stats_discrete d = { mu, 0.0, stats_pois_cdf };

    if (!(mu >= 0.0) || isnan(p))
        return NAN;
    if (mu == 0.0)
        return 0.0;
    if (p >= 1.0)
        return INFINITY;
    return stats_discrete_quantile(&d, p, mu, mu);
}

/*
 * Sorting networks for the moving percentile's usual history sizes: 9 sums (3 years x 3
 * windows) and 15 (5 x 3, the default). A compare-exchange is a branchless min and max
 * (minsd/maxsd), so the cost does not depend on the order of the values: Poisson noise
 * reorders the sums every day, and the insertion sort paid a mispredicted branch for most
 * of its moves. Of two equal values both outputs take the second's bits, which only
 * matters for +0 and -0; window sums are never -0. The 9-input network is a known optimal
 * one (25 exchanges), the 15-input one Batcher's odd-even merge sort cut to 15 wires (59);
 * tests/test_surveil_detect.c checks both on every 0-1 input (the 0-1 principle).
 */
static inline double net_min(double a, double b)
{
    return a < b ? a : b;
}

/* Not "a < b ? b : a": with the same comparison in both GCC sees a swap and branches. */
static inline double net_max(double a, double b)
{
    return b < a ? a : b;
}

#define CX(i, j)                                                                          \
    do {                                                                                  \
        double a_ = v[i], b_ = v[j];                                                      \
        v[i] = net_min(a_, b_);                                                           \
        v[j] = net_max(a_, b_);                                                           \
    } while (0)

static void sort9(double *v)
{
    CX(0, 3); CX(1, 7); CX(2, 5); CX(4, 8);
    CX(0, 7); CX(2, 4); CX(3, 8); CX(5, 6);
    CX(0, 2); CX(1, 3); CX(4, 5); CX(7, 8);
    CX(1, 4); CX(3, 6); CX(5, 7);
    CX(0, 1); CX(2, 4); CX(3, 5); CX(6, 8);
    CX(2, 3); CX(4, 5); CX(6, 7);
    CX(1, 2); CX(3, 4); CX(5, 6);
}

static void sort15(double *v)
{
    CX(0, 1); CX(2, 3); CX(4, 5); CX(6, 7); CX(8, 9); CX(10, 11); CX(12, 13);
    CX(0, 2); CX(1, 3); CX(4, 6); CX(5, 7); CX(8, 10); CX(9, 11); CX(12, 14);
    CX(1, 2); CX(5, 6); CX(9, 10); CX(13, 14); CX(0, 4); CX(3, 7); CX(8, 12);
    CX(1, 5); CX(2, 6); CX(9, 13); CX(10, 14); CX(0, 8);
    CX(2, 4); CX(3, 5); CX(10, 12); CX(11, 13);
    CX(1, 2); CX(3, 4); CX(5, 6); CX(9, 10); CX(11, 12); CX(13, 14);
    CX(1, 9); CX(2, 10); CX(3, 11); CX(4, 12); CX(5, 13); CX(6, 14);
    CX(4, 8); CX(5, 9); CX(6, 10); CX(7, 11);
    CX(2, 4); CX(3, 5); CX(6, 8); CX(7, 9); CX(10, 12); CX(11, 13);
    CX(1, 2); CX(3, 4); CX(5, 6); CX(7, 8); CX(9, 10); CX(11, 12); CX(13, 14);
}

#undef CX

void surv_sort(double *v, size_t n)
{
    if (n == 9) {
        sort9(v);
        return;
    }
    if (n == 15) {
        sort15(v);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

double surv_quantile_sorted(const double *v, size_t n, double q)
{
    double h;
    size_t lo;

    if (n == 0)
        return NAN;
    h = (double)(n - 1) * q;
    lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

size_t surv_window_stats(const double *v, size_t from, size_t len, double *mean, double *sd)
{
    double sum = 0.0, ss = 0.0, m;
    size_t n = 0;

    for (size_t i = from; i < from + len; i++) {
        if (!isnan(v[i])) {
            sum += v[i];
            n++;
        }
    }
    m = n > 0 ? sum / (double)n : NAN;
    /* Two passes: the deviations are summed exactly enough for flat series. */
    for (size_t i = from; i < from + len; i++)
        if (!isnan(v[i]))
            ss += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
    return n;
}

/* Whole counts small enough that n * sum(y^2) - sum(y)^2 is exact in a double: then the
 * baselines slide in O(1) a day and the variance is still correctly rounded. */
#define SURV_EXACT_MAX 1e6
#define SURV_EXACT_BASELINE 64

static bool baselines_exact(const double *counts, size_t n, int len)
{
    if (len > SURV_EXACT_BASELINE)
        return false;
    for (size_t t = 0; t < n; t++)
        if (!isnan(counts[t]) && (counts[t] != floor(counts[t]) ||
                                  fabs(counts[t]) > SURV_EXACT_MAX))
            return false;
    return true;
}

static void base_set(struct surv_base *b, double sum, double ss, int cnt, int min_n,
                     double min_sigma)
{
    b->ok = cnt >= min_n;
    if (!b->ok)
        return;
    b->mean = sum / cnt;
    b->sigma = surv_fmax(sqrt((cnt * ss - sum * sum) / ((double)cnt * (cnt - 1))), min_sigma);
}

/* Add (sign 1) or remove (sign -1) one day of the window; missing days do not count. */
static void slide(double y, int sign, double *sum, double *ss, int *cnt)
{
    if (isnan(y))
        return;
    *sum += sign * y;
    *ss += sign * y * y;
    *cnt += sign;
}

void surv_baselines(const double *counts, size_t n, int len, int lag, int min_n,
                    double min_sigma, struct surv_base *b)
{
    size_t span = (size_t)len + (size_t)lag - 1, w = (size_t)len;
    double sum = 0.0, ss = 0.0, sd;
    int cnt = 0;

    memset(b, 0, sizeof(*b) * n);
    if (!baselines_exact(counts, n, len)) {
        for (size_t t = span; t < n; t++) {
            b[t].ok = surv_window_stats(counts, t - span, w, &b[t].mean, &sd) >= (size_t)min_n;
            b[t].sigma = surv_fmax(sd, min_sigma);
        }
        return;
    }
    for (size_t t = span; t < n; t++) {
        size_t lo = t - span;
        if (t == span) {
            for (size_t i = lo; i < lo + w; i++)
                slide(counts[i], 1, &sum, &ss, &cnt);
        } else {
            slide(counts[lo - 1], -1, &sum, &ss, &cnt);
            slide(counts[lo + w - 1], 1, &sum, &ss, &cnt);
        }
        base_set(&b[t], sum, ss, cnt, min_n, min_sigma);
    }
}

void surv_points_none(struct surv_point *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i].expected = NAN;
        out[i].upper = NAN;
        out[i].score = NAN;
        out[i].alarm = SURV_NO_DECISION;
    }
}
