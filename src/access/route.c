/*
 * route.c - shortest paths by time: Dijkstra's algorithm with a binary heap, point to point
 * (stopped at the target) and from many sources at once (every node's nearest source).
 *
 * The heap takes duplicates instead of decreasing keys: an entry whose time is no longer its
 * node's best is skipped when popped. A point-to-point search marks the nodes it touched with
 * a generation number rather than clearing arrays of the graph's size, so many short routes
 * on a large graph each cost what they visit. Multi-source keys are (time, source index) in
 * one 64-bit number, which makes ties go to the lowest index whatever order nodes settle in.
 */
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "core/err.h"
#include "core/mem.h"

struct acc_heap_item {
    uint64_t key;
    uint32_t node;
};

struct acc_search {
    const struct acc_graph *g;
    uint32_t *time_ms;      /* valid where stamp == gen */
    uint64_t *length_cm;
    uint32_t *stamp;
    uint32_t gen;
    struct acc_heap_item *heap;
    size_t n_heap, cap_heap;
};

struct acc_search *acc_search_new(const struct acc_graph *g)
{
    struct acc_search *s = xcalloc(1, sizeof(*s));
    size_t n = g->n > 0 ? g->n : 1;

    s->g = g;
    s->time_ms = xmalloc(n * sizeof(*s->time_ms));
    s->length_cm = xmalloc(n * sizeof(*s->length_cm));
    s->stamp = xcalloc(n, sizeof(*s->stamp));
    return s;
}

void acc_search_free(struct acc_search *s)
{
    if (s == NULL)
        return;
    free(s->time_ms);
    free(s->length_cm);
    free(s->stamp);
    free(s->heap);
    free(s);
}

/* --- the heap --------------------------------------------------------------------------- */

static void acc_heap_push(struct acc_search *s, uint64_t key, uint32_t node)
{
    size_t i;

    if (s->n_heap == s->cap_heap) {
        s->cap_heap = s->cap_heap < 256 ? 256 : s->cap_heap * 2;
        s->heap = xrealloc(s->heap, s->cap_heap * sizeof(*s->heap));
    }
    i = s->n_heap++;
    while (i > 0 && s->heap[(i - 1) / 2].key > key) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = (struct acc_heap_item){key, node};
}

static struct acc_heap_item acc_heap_pop(struct acc_search *s)
{
    struct acc_heap_item top = s->heap[0], last = s->heap[--s->n_heap];
    size_t i = 0, n = s->n_heap;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && s->heap[c + 1].key < s->heap[c].key)
            c++;
        if (s->heap[c].key >= last.key)
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n > 0)
        s->heap[i] = last;
    return top;
}

/* t + dt without wrapping; UINT32_MAX stays "unreached". */
static uint32_t acc_add_ms(uint32_t t, uint32_t dt)
{
    uint64_t sum = (uint64_t)t + dt;
    return sum >= ACC_UNREACHED ? ACC_UNREACHED - 1 : (uint32_t)sum;
}

/* --- point to point --------------------------------------------------------------------- */

static void acc_next_generation(struct acc_search *s)
{
    if (++s->gen == 0) {
        memset(s->stamp, 0, (s->g->n > 0 ? s->g->n : 1) * sizeof(*s->stamp));
        s->gen = 1;
    }
    s->n_heap = 0;
}

/* The quickest time and its length from node a to node b in the mode's forward graph.
 * Both are in the mode's component, which is strongly connected, so b is always reached. */
static void acc_route_nodes(struct acc_search *s, enum acc_mode mode, uint32_t a, uint32_t b,
                            uint32_t *time_ms, uint64_t *length_cm)
{
    const struct acc_mode_adj *adj = &s->g->adj[mode];

    acc_next_generation(s);
    s->stamp[a] = s->gen;
    s->time_ms[a] = 0;
    s->length_cm[a] = 0;
    acc_heap_push(s, 0, a);
    while (s->n_heap > 0) {
        struct acc_heap_item it = acc_heap_pop(s);
        uint32_t v = it.node, t = (uint32_t)it.key;
        if (t > s->time_ms[v])
            continue;
        if (v == b)
            break;
        for (uint32_t e = adj->fwd_off[v]; e < adj->fwd_off[v + 1]; e++) {
            uint32_t w = adj->fwd[e].node, nt = acc_add_ms(t, adj->fwd[e].time_ms);
            if (s->stamp[w] == s->gen && nt >= s->time_ms[w])
                continue;
            s->stamp[w] = s->gen;
            s->time_ms[w] = nt;
            s->length_cm[w] = s->length_cm[v] + adj->fwd[e].length_cm;
            acc_heap_push(s, nt, w);
        }
    }
    *time_ms = s->stamp[b] == s->gen ? s->time_ms[b] : ACC_UNREACHED;
    *length_cm = s->stamp[b] == s->gen ? s->length_cm[b] : 0;
}

int acc_route(struct acc_search *s, enum acc_mode mode, struct acc_point from,
              struct acc_point to, double snap_limit_m, struct acc_route *out,
              struct yl_err *err)
{
    uint32_t t_ms;
    uint64_t len_cm;

    memset(out, 0, sizeof(*out));
    if ((unsigned)mode >= ACC_N_MODES)
        return yl_err_set(err, YL_EINVAL, "mode", "unknown mode");
    /* The message names the end but not its coordinates: a point may be someone's home. */
    if (!acc_snap_point(s->g, mode, from, snap_limit_m, &out->from))
        return yl_err_set(err, YL_ENOTFOUND, "from", "from: no road for %s within %.0f m",
                          acc_mode_name(mode), snap_limit_m);
    if (!acc_snap_point(s->g, mode, to, snap_limit_m, &out->to))
        return yl_err_set(err, YL_ENOTFOUND, "to", "to: no road for %s within %.0f m",
                          acc_mode_name(mode), snap_limit_m);
    acc_route_nodes(s, mode, out->from.node, out->to.node, &t_ms, &len_cm);
    if (t_ms == ACC_UNREACHED)
        return yl_err_set(err, YL_EINTERNAL, NULL, "no route inside a connected component");
    out->network_time_s = t_ms / 1000.0;
    out->network_length_m = len_cm / 100.0;
    out->time_s = (t_ms + (double)out->from.walk_ms + out->to.walk_ms) / 1000.0;
    out->length_m = out->network_length_m + out->from.distance_m + out->to.distance_m;
    return 0;
}

/* --- many sources ----------------------------------------------------------------------- */

static uint64_t acc_key(uint32_t time_ms, uint32_t source)
{
    return (uint64_t)time_ms << 32 | source;
}

/* Give node v time t from source src if that beats what it has; true when it did. */
static bool acc_offer(uint32_t *time_ms, int32_t *nearest, uint32_t v, uint32_t t,
                      uint32_t src)
{
    if (acc_key(t, src) >= acc_key(time_ms[v], (uint32_t)nearest[v]))
        return false;
    time_ms[v] = t;
    nearest[v] = (int32_t)src;
    return true;
}

long acc_nearest_sources(struct acc_search *s, enum acc_mode mode, enum acc_direction dir,
                         const struct acc_snap *sources, size_t n_sources, uint32_t max_ms,
                         uint32_t *time_ms, int32_t *nearest, struct yl_err *err)
{
    const struct acc_graph *g = s->g;
    const struct acc_mode_adj *adj;
    const uint32_t *off;
    const struct acc_edge *edges;
    long reached = 0;

    if ((unsigned)mode >= ACC_N_MODES)
        return yl_err_set(err, YL_EINVAL, "mode", "unknown mode");
    if (n_sources > INT32_MAX)
        return yl_err_set(err, YL_EINVAL, "sources", "more than %d sources", INT32_MAX);
    adj = &g->adj[mode];
    /* Travelling to a source follows edges backwards from it. */
    off = dir == ACC_TO_SOURCE ? adj->rev_off : adj->fwd_off;
    edges = dir == ACC_TO_SOURCE ? adj->rev : adj->fwd;
    for (uint32_t v = 0; v < g->n; v++) {
        time_ms[v] = ACC_UNREACHED;
        nearest[v] = -1;    /* as uint32_t, the largest index: any source beats it */
    }
    s->n_heap = 0;
    for (size_t i = 0; i < n_sources; i++) {
        uint32_t v = sources[i].node;
        if (!acc_graph_node_has_mode(g, v, mode) || sources[i].walk_ms > max_ms)
            continue;
        if (acc_offer(time_ms, nearest, v, sources[i].walk_ms, (uint32_t)i))
            acc_heap_push(s, acc_key(sources[i].walk_ms, (uint32_t)i), v);
    }
    while (s->n_heap > 0) {
        struct acc_heap_item it = acc_heap_pop(s);
        uint32_t v = it.node, t = (uint32_t)(it.key >> 32), src = (uint32_t)it.key;
        if (it.key != acc_key(time_ms[v], (uint32_t)nearest[v]))
            continue;
        reached++;
        for (uint32_t e = off[v]; e < off[v + 1]; e++) {
            uint32_t w = edges[e].node, nt = acc_add_ms(t, edges[e].time_ms);
            if (nt <= max_ms && acc_offer(time_ms, nearest, w, nt, src))
                acc_heap_push(s, acc_key(nt, src), w);
        }
    }
    return reached;
}

/* --- one source, bounded ---------------------------------------------------------------- */

long acc_search_within(struct acc_search *s, enum acc_mode mode, enum acc_direction dir,
                       const struct acc_snap *source, uint32_t max_ms, acc_visit_fn visit,
                       void *ctx)
{
    const struct acc_mode_adj *adj = &s->g->adj[mode];
    const uint32_t *off = dir == ACC_TO_SOURCE ? adj->rev_off : adj->fwd_off;
    const struct acc_edge *edges = dir == ACC_TO_SOURCE ? adj->rev : adj->fwd;
    uint32_t a = source->node;
    long reached = 0;

    if (a == ACC_NO_NODE || !acc_graph_node_has_mode(s->g, a, mode) || source->walk_ms > max_ms)
        return 0;
    acc_next_generation(s);
    s->stamp[a] = s->gen;
    s->time_ms[a] = source->walk_ms;
    acc_heap_push(s, source->walk_ms, a);
    while (s->n_heap > 0) {
        struct acc_heap_item it = acc_heap_pop(s);
        uint32_t v = it.node, t = (uint32_t)it.key;
        if (t > s->time_ms[v])
            continue;
        reached++;
        visit(ctx, v, t);
        for (uint32_t e = off[v]; e < off[v + 1]; e++) {
            uint32_t w = edges[e].node, nt = acc_add_ms(t, edges[e].time_ms);
            if (nt > max_ms || (s->stamp[w] == s->gen && nt >= s->time_ms[w]))
                continue;
            s->stamp[w] = s->gen;
            s->time_ms[w] = nt;
            acc_heap_push(s, nt, w);
        }
    }
    return reached;
}
