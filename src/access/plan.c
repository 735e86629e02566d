/*
 * plan.c - what-if changes to the set of sites, and proposals for new sites: greedy maximal
 * covering (Church and ReVelle, "The maximal covering location problem", 1974) with lazy
 * evaluation (Minoux, 1978).
 *
 * Coverage is submodular: a candidate's gain can only fall as others are picked. So a gain
 * computed in an earlier round is an upper bound, and only the candidate whose bound is the
 * largest needs re-evaluating; when its fresh gain is still the largest it is the pick.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "access/coverage.h"
#include "core/err.h"
#include "core/mem.h"

static bool acc_point_valid(struct acc_point p)
{
    return p.lat >= -90.0 && p.lat <= 90.0 && p.lon >= -180.0 && p.lon <= 180.0;
}

int acc_sites_apply(const struct acc_point *sites, size_t n_sites,
                    const struct acc_change *changes, size_t n_changes,
                    struct acc_point **out, long **from, size_t *n_out, struct yl_err *err)
{
    size_t cap = n_sites + n_changes + 1, n = 0;
    struct acc_point *pts = xmalloc(cap * sizeof(*pts));
    long *orig = xmalloc(cap * sizeof(*orig));
    bool *closed = xcalloc(n_sites + 1, sizeof(*closed));

    *out = NULL;
    *from = NULL;
    *n_out = 0;
    for (size_t i = 0; i < n_sites; i++) {
        pts[i] = sites[i];
        orig[i] = (long)i;
    }
    n = n_sites;
    for (size_t c = 0; c < n_changes; c++) {
        const struct acc_change *ch = &changes[c];
        if (ch->kind != ACC_CHANGE_CLOSE && !acc_point_valid(ch->p)) {
            yl_err_set(err, YL_EINVAL, "changes", "change %zu: lat and lon must be WGS 84 "
                       "degrees", c + 1);
            goto fail;
        }
        if (ch->kind == ACC_CHANGE_ADD) {
            pts[n] = ch->p;
            orig[n++] = -1;
            continue;
        }
        if (ch->site >= n_sites || closed[ch->site]) {
            yl_err_set(err, YL_EINVAL, "changes", "change %zu: %s", c + 1,
                       ch->site >= n_sites ? "no such facility" : "the facility is closed");
            goto fail;
        }
        if (ch->kind == ACC_CHANGE_MOVE)
            pts[ch->site] = ch->p;
        else
            closed[ch->site] = true;
    }
    /* Drop the closed ones, keeping order, so indices stay comparable with the original. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (orig[i] >= 0 && closed[orig[i]])
            continue;
        pts[k] = pts[i];
        orig[k++] = orig[i];
    }
    free(closed);
    *out = pts;
    *from = orig;
    *n_out = k;
    return 0;
fail:
    free(pts);
    free(orig);
    free(closed);
    return err->code;
}

/* Places not yet covered, ordered by their road node, so a settled node finds its places by
 * binary search. */
struct acc_node_place {
    uint32_t node;
    uint32_t walk_ms;
    size_t place;
};

static int acc_node_place_cmp(const void *a, const void *b)
{
    const struct acc_node_place *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return x->place < y->place ? -1 : x->place > y->place;
}

/* What one candidate's search collects: the uncovered places it brings within T. */
struct acc_collect {
    const struct acc_node_place *np;
    size_t n_np;
    uint32_t threshold_ms;
    size_t *list;
    size_t n_list, cap_list;
};

static void acc_collect_visit(void *ctx, uint32_t node, uint32_t time_ms)
{
    struct acc_collect *c = ctx;
    size_t lo = 0, hi = c->n_np;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->np[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->n_np && c->np[i].node == node; i++) {
        if ((uint64_t)time_ms + c->np[i].walk_ms > c->threshold_ms)
            continue;
        if (c->n_list == c->cap_list) {
            c->cap_list = c->cap_list < 64 ? 64 : c->cap_list * 2;
            c->list = xrealloc(c->list, c->cap_list * sizeof(*c->list));
        }
        c->list[c->n_list++] = c->np[i].place;
    }
}

long acc_propose(const struct acc_graph *g, enum acc_mode mode, const struct acc_times *current,
                 const struct acc_place *places, const struct acc_point *candidates,
                 size_t n_candidates, uint32_t threshold_ms, size_t k, struct acc_pick *picks,
                 struct yl_err *err)
{
    size_t n_places = current->n_places;

    if ((unsigned)mode >= ACC_N_MODES)
        return yl_err_set(err, YL_EINVAL, "mode", "unknown mode");
    struct acc_node_place *np = xmalloc((n_places + 1) * sizeof(*np));
    size_t n_np = 0;
    for (size_t i = 0; i < n_places; i++) {
        const struct acc_snap *sn = &current->place_snap[i];
        if (current->place_ms[i] <= threshold_ms || sn->node == ACC_NO_NODE ||
            places[i].people <= 0.0)
            continue;
        np[n_np++] = (struct acc_node_place){sn->node, sn->walk_ms, i};
    }
    qsort(np, n_np, sizeof(*np), acc_node_place_cmp);

    /* Each candidate's list of places, one after another (off[c] .. off[c + 1]). */
    struct acc_collect col = {np, n_np, threshold_ms, NULL, 0, 0};
    size_t *off = xmalloc((n_candidates + 1) * sizeof(*off));
    struct acc_search *s = acc_search_new(g);
    for (size_t c = 0; c < n_candidates; c++) {
        struct acc_snap sn;
        off[c] = col.n_list;
        if (n_np > 0 && acc_snap_point(g, mode, candidates[c], ACC_COVER_SNAP_M, &sn))
            acc_search_within(s, mode, current->dir, &sn, threshold_ms, acc_collect_visit,
                              &col);
    }
    off[n_candidates] = col.n_list;
    acc_search_free(s);
    free(np);

    bool *covered = xcalloc(n_places + 1, sizeof(*covered));
    double *bound = xmalloc((n_candidates + 1) * sizeof(*bound));
    size_t *fresh = xmalloc((n_candidates + 1) * sizeof(*fresh));
    bool *picked = xcalloc(n_candidates + 1, sizeof(*picked));
    for (size_t c = 0; c < n_candidates; c++) {
        bound[c] = 0.0;
        for (size_t i = off[c]; i < off[c + 1]; i++)
            bound[c] += places[col.list[i]].people;
        fresh[c] = 0;
    }
    long n_picks = 0;
    for (size_t round = 0; round < k;) {
        size_t best = SIZE_MAX;
        for (size_t c = 0; c < n_candidates; c++)
            if (!picked[c] && (best == SIZE_MAX || bound[c] > bound[best]))
                best = c;
        if (best == SIZE_MAX || !(bound[best] > 0.0))
            break;
        if (fresh[best] != round) {
            /* A stale bound: re-evaluate against what the picks so far cover. */
            bound[best] = 0.0;
            for (size_t i = off[best]; i < off[best + 1]; i++)
                if (!covered[col.list[i]])
                    bound[best] += places[col.list[i]].people;
            fresh[best] = round;
            continue;
        }
        uint32_t newly = 0;
        for (size_t i = off[best]; i < off[best + 1]; i++)
            if (!covered[col.list[i]]) {
                covered[col.list[i]] = true;
                newly++;
            }
        picks[n_picks++] = (struct acc_pick){best, bound[best], newly};
        picked[best] = true;
        round++;
    }
    free(covered);
    free(bound);
    free(fresh);
    free(picked);
    free(off);
    free(col.list);
    return n_picks;
}
