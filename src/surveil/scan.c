/*
 * scan.c - the prospective space-time permutation scan statistic.
 *
 * Without a population denominator, a cluster is a cylinder (a circle of places times the
 * last few days) holding more cases than the marginals predict: if place and day were
 * independent, the cylinder would expect C(places) * C(days) / C cases. The most unusual
 * cylinder by the Poisson likelihood ratio is judged against data sets in which the days are
 * shuffled among the cases, which keeps both marginals. Reference: Kulldorff, Heffernan,
 * Hartman, Assuncao, Mostashari, A space-time permutation scan statistic for disease
 * outbreak detection, PLoS Med 2(3) (2005) e59.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "detect.h"
#include "detect_int.h"

#define SCAN_EARTH_RADIUS_KM 6371.0088
#define SCAN_MAX_REPLICATIONS 1000000
/* Likelihood ratios equal up to rounding count as ties against the observed one. */
#define SCAN_TIE 1e-9

/* The circles: for each centre, the places nearest first, as many as the share allows. */
struct scan_geo {
    int32_t *order;         /* n_places * n_places, row per centre, truncated at count[c] */
    int32_t *count;         /* places in the largest circle of each centre */
    double *dist_km;        /* distance of order[c][m] from the centre */
};

/* The best cylinder of one centre. */
struct scan_best {
    double llr, cases, expected;
    int32_t size, window;
};

struct scan_ctx {
    size_t n_places;
    int32_t n_days, window_max;
    double total;           /* C */
    double *place_total;    /* C_z over the whole period */
    double *days_total;     /* [L]: cases in the last L days, L = 1..W */
    double *recent;         /* n_places * (W + 1): cases of place z in the last L days */
    const struct surv_scan_params *p;
    struct scan_geo geo;
};

struct scan_near {
    double d;
    int32_t idx;
};

static int scan_near_cmp(const void *a, const void *b)
{
    const struct scan_near *x = a, *y = b;

    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static double scan_km(const struct surv_place *a, const struct surv_place *b)
{
    double rad = M_PI / 180.0;
    double dlat = (b->lat_deg - a->lat_deg) * rad, dlon = (b->lon_deg - a->lon_deg) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat_deg * rad) * cos(b->lat_deg * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2.0 * SCAN_EARTH_RADIUS_KM * asin(fmin(1.0, sqrt(h)));
}

/* Sort every place by distance from every centre (ties by index, so the result does not
 * depend on the sort) and cut each list where the circle would pass max_share of the
 * cases. O(P^2 log P). */
static void scan_geo_build(struct scan_ctx *c, const struct surv_place *places)
{
    size_t n = c->n_places;
    struct scan_near *near = xmalloc(sizeof(*near) * n);
    double limit = c->p->max_share * c->total;

    c->geo.order = xmalloc(sizeof(int32_t) * n * n);
    c->geo.dist_km = xmalloc(sizeof(double) * n * n);
    c->geo.count = xmalloc(sizeof(int32_t) * n);
    for (size_t ctr = 0; ctr < n; ctr++) {
        double inside = 0.0;
        int32_t m = 0;
        for (size_t j = 0; j < n; j++) {
            near[j].d = scan_km(&places[ctr], &places[j]);
            near[j].idx = (int32_t)j;
        }
        qsort(near, n, sizeof(*near), scan_near_cmp);
        for (size_t j = 0; j < n; j++) {
            inside += c->place_total[near[j].idx];
            if (inside > limit)
                break;
            c->geo.order[ctr * n + (size_t)m] = near[j].idx;
            c->geo.dist_km[ctr * n + (size_t)m] = near[j].d;
            m++;
        }
        c->geo.count[ctr] = m;
    }
    free(near);
}

/* Cases of each place in the last L days, L = 1..W, from the cases' days. */
static void scan_recent(struct scan_ctx *c, const struct surv_case *cases, size_t n_cases,
                        const int32_t *days)
{
    size_t stride = (size_t)c->window_max + 1;

    memset(c->recent, 0, sizeof(double) * c->n_places * stride);
    for (size_t i = 0; i < n_cases; i++) {
        int32_t back = c->n_days - days[i];     /* 1 for the last day */
        if (back <= c->window_max)
            c->recent[(size_t)cases[i].place * stride + (size_t)back] += 1.0;
    }
    for (size_t z = 0; z < c->n_places; z++)
        for (size_t l = 2; l < stride; l++)
            c->recent[z * stride + l] += c->recent[z * stride + l - 1];
}

/* Poisson log likelihood ratio of a cylinder with `cases` observed and `mu` expected out of
 * `total`, for an excess only. */
static double scan_llr(double cases, double mu, double total)
{
    double llr;

    if (!(cases > mu) || mu <= 0.0)
        return 0.0;
    llr = cases * log(cases / mu);
    if (total > cases)
        llr += (total - cases) * log((total - cases) / (total - mu));
    return llr;
}

/* The best cylinder centred on `ctr`: grow the circle, and for each circle try every window
 * length. O(K W). */
static struct scan_best scan_centre(const struct scan_ctx *c, size_t ctr, double *win)
{
    struct scan_best best = { 0.0, 0.0, 0.0, 0, 0 };
    size_t stride = (size_t)c->window_max + 1;
    const int32_t *order = c->geo.order + ctr * c->n_places;
    double in_circle = 0.0;

    memset(win, 0, sizeof(double) * stride);
    for (int32_t m = 0; m < c->geo.count[ctr]; m++) {
        size_t z = (size_t)order[m];
        in_circle += c->place_total[z];
        for (size_t l = 1; l < stride; l++)
            win[l] += c->recent[z * stride + l];
        for (size_t l = 1; l < stride; l++) {
            double mu = in_circle * c->days_total[l] / c->total;
            double llr;
            if (win[l] < c->p->min_cases)
                continue;
            llr = scan_llr(win[l], mu, c->total);
            if (llr > best.llr) {
                best.llr = llr;
                best.cases = win[l];
                best.expected = mu;
                best.size = m + 1;
                best.window = (int32_t)l;
            }
        }
    }
    return best;
}

static double scan_max_llr(const struct scan_ctx *c, double *win)
{
    double m = 0.0;

    for (size_t ctr = 0; ctr < c->n_places; ctr++)
        m = fmax(m, scan_centre(c, ctr, win).llr);
    return m;
}

static int scan_check(size_t n_places, const struct surv_case *cases, size_t n_cases,
                      int32_t n_days, const struct surv_scan_params *p, struct yl_err *err)
{
    if (n_places == 0 || n_places > INT32_MAX / 2)
        return yl_err_set(err, YL_EINVAL, "places", "need at least one place");
    if (n_days < 1)
        return yl_err_set(err, YL_EINVAL, "n_days", "n_days must be at least 1");
    if (!(p->max_share > 0.0 && p->max_share <= 1.0))
        return yl_err_set(err, YL_EINVAL, "max_share", "max_share must lie in (0, 1]");
    if (p->max_window_days < 1 || p->max_window_days > n_days)
        return yl_err_set(err, YL_EINVAL, "max_window_days",
                          "max_window_days must lie in 1..%d", (int)n_days);
    if (p->min_cases < 1)
        return yl_err_set(err, YL_EINVAL, "min_cases", "min_cases must be at least 1");
    if (p->replications < 0 || p->replications > SCAN_MAX_REPLICATIONS)
        return yl_err_set(err, YL_EINVAL, "replications", "replications must lie in 0..%d",
                          SCAN_MAX_REPLICATIONS);
    if (p->max_clusters < 1)
        return yl_err_set(err, YL_EINVAL, "max_clusters", "max_clusters must be at least 1");
    for (size_t i = 0; i < n_cases; i++) {
        if (cases[i].place < 0 || (size_t)cases[i].place >= n_places)
            return yl_err_set(err, YL_EINVAL, "place", "case %zu: no place %d", i,
                              (int)cases[i].place);
        if (cases[i].day < 0 || cases[i].day >= n_days)
            return yl_err_set(err, YL_EINVAL, "day", "case %zu: day %d outside 0..%d", i,
                              (int)cases[i].day, (int)n_days - 1);
    }
    return 0;
}

void surv_scan_params_defaults(struct surv_scan_params *p)
{
    p->max_share = 0.5;
    p->max_window_days = 7;
    p->min_cases = 2;
    p->replications = 999;
    p->seed = 1;
    p->max_clusters = 10;
}

static void scan_ctx_init(struct scan_ctx *c, size_t n_places, const struct surv_case *cases,
                          size_t n_cases, int32_t n_days, const struct surv_scan_params *p)
{
    size_t stride = (size_t)p->max_window_days + 1;

    memset(c, 0, sizeof(*c));
    c->n_places = n_places;
    c->n_days = n_days;
    c->window_max = p->max_window_days;
    c->total = (double)n_cases;
    c->p = p;
    c->place_total = xcalloc(n_places, sizeof(double));
    c->days_total = xcalloc(stride, sizeof(double));
    c->recent = xmalloc(sizeof(double) * n_places * stride);
    for (size_t i = 0; i < n_cases; i++) {
        int32_t back = n_days - cases[i].day;
        c->place_total[cases[i].place] += 1.0;
        if (back <= p->max_window_days)
            c->days_total[back] += 1.0;
    }
    for (size_t l = 2; l < stride; l++)
        c->days_total[l] += c->days_total[l - 1];
}

static void scan_ctx_release(struct scan_ctx *c)
{
    free(c->place_total);
    free(c->days_total);
    free(c->recent);
    free(c->geo.order);
    free(c->geo.dist_km);
    free(c->geo.count);
}

/* The maximum LLR of each replication: days shuffled among the cases (Fisher-Yates). */
static void scan_replicate(struct scan_ctx *c, const struct surv_case *cases, size_t n_cases,
                           double *max_llr, double *win)
{
    struct surv_rng rng;
    int32_t *days = xmalloc(sizeof(int32_t) * (n_cases > 0 ? n_cases : 1));

    surv_rng_seed(&rng, c->p->seed);
    for (size_t i = 0; i < n_cases; i++)
        days[i] = cases[i].day;
    for (int r = 0; r < c->p->replications; r++) {
        for (size_t i = n_cases; i > 1; i--) {
            size_t j = (size_t)surv_rng_below(&rng, (uint64_t)i);
            int32_t tmp = days[i - 1];
            days[i - 1] = days[j];
            days[j] = tmp;
        }
        scan_recent(c, cases, n_cases, days);
        max_llr[r] = scan_max_llr(c, win);
    }
    free(days);
}

static int scan_best_cmp(const void *a, const void *b)
{
    const struct scan_best *x = *(const struct scan_best *const *)a;
    const struct scan_best *y = *(const struct scan_best *const *)b;

    if (x->llr != y->llr)
        return x->llr > y->llr ? -1 : 1;
    return (x < y) ? -1 : (x > y);
}

static double scan_p_value(double llr, const double *max_llr, int reps)
{
    int above = 0;

    if (reps == 0)
        return NAN;
    for (int r = 0; r < reps; r++)
        above += max_llr[r] >= llr * (1.0 - SCAN_TIE);
    return (double)(above + 1) / (double)(reps + 1);
}

/* Take clusters best first, skipping any that shares a place with one already taken. */
static void scan_collect(const struct scan_ctx *c, struct scan_best *best,
                         const double *max_llr, struct surv_scan_result *res)
{
    size_t n = c->n_places, taken = 0;
    struct scan_best **rank = xmalloc(sizeof(*rank) * n);
    bool *used = xcalloc(n, sizeof(bool));

    for (size_t i = 0; i < n; i++)
        rank[i] = &best[i];
    qsort(rank, n, sizeof(*rank), scan_best_cmp);
    res->clusters = xcalloc((size_t)c->p->max_clusters, sizeof(*res->clusters));
    res->members = xmalloc(sizeof(int32_t) * n);
    for (size_t i = 0; i < n && taken < (size_t)c->p->max_clusters; i++) {
        size_t ctr = (size_t)(rank[i] - best);
        const int32_t *order = c->geo.order + ctr * n;
        bool clash = false;
        if (rank[i]->llr <= 0.0)
            break;
        for (int32_t m = 0; m < rank[i]->size; m++)
            clash = clash || used[order[m]];
        if (clash)
            continue;
        for (int32_t m = 0; m < rank[i]->size; m++)
            used[order[m]] = true;
        struct surv_scan_cluster *cl = &res->clusters[taken++];
        cl->centre = (int32_t)ctr;
        cl->n_places = rank[i]->size;
        cl->radius_km = c->geo.dist_km[ctr * n + (size_t)rank[i]->size - 1];
        cl->last_day = c->n_days - 1;
        cl->first_day = c->n_days - rank[i]->window;
        cl->cases = rank[i]->cases;
        cl->expected = rank[i]->expected;
        cl->llr = rank[i]->llr;
        cl->p_value = scan_p_value(cl->llr, max_llr, c->p->replications);
        res->n_clusters = taken;
    }
    /* Members in cluster order; no place is in two clusters, so n entries suffice. */
    size_t pos = 0;
    for (size_t k = 0; k < res->n_clusters; k++) {
        struct surv_scan_cluster *cl = &res->clusters[k];
        const int32_t *order = c->geo.order + (size_t)cl->centre * n;
        cl->first_member = pos;
        for (int32_t m = 0; m < cl->n_places; m++)
            res->members[pos++] = order[m];
    }
    free(used);
    free(rank);
}

int surv_scan_run(const struct surv_place *places, size_t n_places,
                  const struct surv_case *cases, size_t n_cases, int32_t n_days,
                  const struct surv_scan_params *p, struct surv_scan_result **out,
                  struct yl_err *err)
{
    struct scan_ctx c;
    struct surv_scan_result *res;
    struct scan_best *best;
    double *max_llr, *win;
    int rc = scan_check(n_places, cases, n_cases, n_days, p, err);

    if (rc != 0)
        return rc;
    res = xcalloc(1, sizeof(*res));
    res->total_cases = (double)n_cases;
    *out = res;
    if (n_cases == 0)
        return 0;
    scan_ctx_init(&c, n_places, cases, n_cases, n_days, p);
    scan_geo_build(&c, places);
    win = xmalloc(sizeof(double) * ((size_t)p->max_window_days + 1));
    best = xmalloc(sizeof(*best) * n_places);
    max_llr = xmalloc(sizeof(double) * ((size_t)p->replications + 1));

    int32_t *days = xmalloc(sizeof(int32_t) * n_cases);
    for (size_t i = 0; i < n_cases; i++)
        days[i] = cases[i].day;
    scan_recent(&c, cases, n_cases, days);
    free(days);
    for (size_t ctr = 0; ctr < n_places; ctr++)
        best[ctr] = scan_centre(&c, ctr, win);
    scan_replicate(&c, cases, n_cases, max_llr, win);
    scan_collect(&c, best, max_llr, res);

    free(max_llr);
    free(best);
    free(win);
    scan_ctx_release(&c);
    return 0;
}

void surv_scan_result_free(struct surv_scan_result *r)
{
    if (r == NULL)
        return;
    free(r->clusters);
    free(r->members);
    free(r);
}
