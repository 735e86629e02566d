/*
 * coverage.c - population coverage, catchments and the underserved list, from one
 * multi-source search over the road graph (the 15-minute circle, issue 7).
 *
 * A place's time is its road node's time to the nearest site plus the walk from the place to
 * that node; the site's own walk from its node is already in the node's time (the search
 * starts each site at its snap walk). Everything after the search is a sum over places.
 */
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "access/coverage.h"
#include "core/err.h"
#include "core/mem.h"

const int acc_threshold_min[ACC_N_THRESHOLDS] = {5, 10, 15, 30};

int acc_times_compute(const struct acc_graph *g, enum acc_mode mode, enum acc_direction dir,
                      const struct acc_point *sites, size_t n_sites,
                      const struct acc_place *places, size_t n_places, struct acc_times *out,
                      struct yl_err *err)
{
    size_t n = g->n > 0 ? g->n : 1;

    memset(out, 0, sizeof(*out));
    if ((unsigned)mode >= ACC_N_MODES)
        return yl_err_set(err, YL_EINVAL, "mode", "unknown mode");
    out->mode = mode;
    out->dir = dir;
    out->n_places = n_places;
    out->node_ms = xmalloc(n * sizeof(*out->node_ms));
    out->node_site = xmalloc(n * sizeof(*out->node_site));
    out->place_ms = xmalloc((n_places + 1) * sizeof(*out->place_ms));
    out->place_site = xmalloc((n_places + 1) * sizeof(*out->place_site));
    out->place_snap = xmalloc((n_places + 1) * sizeof(*out->place_snap));

    struct acc_snap *snaps = xmalloc((n_sites + 1) * sizeof(*snaps));
    for (size_t i = 0; i < n_sites; i++)
        acc_snap_point(g, mode, sites[i], ACC_COVER_SNAP_M, &snaps[i]);
    struct acc_search *s = acc_search_new(g);
    long rc = acc_nearest_sources(s, mode, dir, snaps, n_sites, ACC_UNREACHED,
                                  out->node_ms, out->node_site, err);
    acc_search_free(s);
    free(snaps);
    if (rc < 0) {
        acc_times_release(out);
        return (int)rc;
    }
    for (size_t i = 0; i < n_places; i++) {
        struct acc_snap *sn = &out->place_snap[i];
        out->place_ms[i] = ACC_UNREACHED;
        out->place_site[i] = -1;
        if (!acc_snap_point(g, mode, places[i].p, ACC_COVER_SNAP_M, sn))
            continue;
        uint32_t t = out->node_ms[sn->node];
        if (t == ACC_UNREACHED)
            continue;
        uint64_t sum = (uint64_t)t + sn->walk_ms;
        out->place_ms[i] = sum >= ACC_UNREACHED ? ACC_UNREACHED - 1 : (uint32_t)sum;
        out->place_site[i] = out->node_site[sn->node];
    }
    return 0;
}

void acc_times_release(struct acc_times *t)
{
    free(t->place_ms);
    free(t->place_site);
    free(t->place_snap);
    free(t->node_ms);
    free(t->node_site);
    memset(t, 0, sizeof(*t));
}

static void acc_row_add(struct acc_cover_row *r, double people, uint32_t ms, uint32_t t_ms)
{
    r->people += people;
    r->places++;
    for (int k = 0; k < ACC_N_THRESHOLDS; k++)
        if (ms <= (uint32_t)acc_threshold_min[k] * 60000u)
            r->within[k] += people;
    if (ms <= t_ms) {
        r->within_t += people;
        r->places_within_t++;
    }
}

void acc_coverage_sum(const struct acc_times *t, const struct acc_place *places,
                      const int32_t *parent, size_t n_units, uint32_t threshold_ms,
                      struct acc_cover_row *rows)
{
    memset(rows, 0, (n_units + 1) * sizeof(*rows));
    for (size_t i = 0; i < t->n_places; i++) {
        uint32_t ms = t->place_ms[i];
        acc_row_add(&rows[n_units], places[i].people, ms, threshold_ms);
        /* Up the tree; the depth bound guards against a cycle in a caller's table. */
        int32_t u = places[i].unit;
        for (size_t depth = 0; u >= 0 && (size_t)u < n_units && depth <= n_units; depth++) {
            acc_row_add(&rows[u], places[i].people, ms, threshold_ms);
            u = parent[u];
        }
    }
}

void acc_catchment_sum(const struct acc_times *t, const struct acc_place *places,
                       size_t n_sites, uint32_t threshold_ms, double *catch_people,
                       double *catch_within)
{
    if (catch_people != NULL)
        memset(catch_people, 0, n_sites * sizeof(*catch_people));
    if (catch_within != NULL)
        memset(catch_within, 0, n_sites * sizeof(*catch_within));
    for (size_t i = 0; i < t->n_places; i++) {
        int32_t s = t->place_site[i];
        if (s < 0 || (size_t)s >= n_sites)
            continue;
        if (catch_people != NULL)
            catch_people[s] += places[i].people;
        if (catch_within != NULL && t->place_ms[i] <= threshold_ms)
            catch_within[s] += places[i].people;
    }
}

/* The order of the underserved list: most people, then longest time, then index. */
struct acc_under_key {
    double people;
    uint32_t ms;
    size_t idx;
};

static int acc_under_cmp(const void *a, const void *b)
{
    const struct acc_under_key *x = a, *y = b;
    if (x->people != y->people)
        return x->people > y->people ? -1 : 1;
    if (x->ms != y->ms)
        return x->ms > y->ms ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

size_t acc_underserved(const struct acc_times *t, const struct acc_place *places,
                       uint32_t threshold_ms, size_t *idx)
{
    struct acc_under_key *keys = xmalloc((t->n_places + 1) * sizeof(*keys));
    size_t n = 0;

    for (size_t i = 0; i < t->n_places; i++)
        if (t->place_ms[i] > threshold_ms)
            keys[n++] = (struct acc_under_key){places[i].people, t->place_ms[i], i};
    qsort(keys, n, sizeof(*keys), acc_under_cmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = keys[i].idx;
    free(keys);
    return n;
}
