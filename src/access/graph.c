/*
 * graph.c - from the raw network to the graph: each mode's largest strongly connected
 * component (Kosaraju's algorithm, iterative), nodes ordered along a Z-order curve of grid
 * cells, and the compressed adjacency (CSR) of every mode in both directions, laid out as the
 * graph file.
 *
 * Why the largest component: a node that cannot reach every other (the far end of a one-way
 * street into a car park, a footpath island of a badly joined extract) would give "no route"
 * or an unbounded time; snapping to nodes of the largest component avoids both. Why Z-order:
 * nodes near in space are near in memory, so a search touches fewer cache lines, and each
 * grid cell's nodes are one contiguous run for snapping.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access_int.h"
#include "core/err.h"
#include "core/mem.h"

#define ACC_M_PER_DEG 111195.08     /* mean Earth radius 6371008.8 m x pi / 180 */
#define ACC_CELL_MIN_M 25.0
#define ACC_CELL_MAX_M 5000.0
#define ACC_CELLS_MAX (16u << 20)

/* A plain adjacency of one mode over the raw node numbers, for the component search. */
struct acc_csr {
    uint32_t *off;
    uint32_t *to;
};

static void acc_csr_build(const struct acc_raw_edges *e, uint32_t n, int reverse,
                          struct acc_csr *g)
{
    g->off = xcalloc((size_t)n + 1, sizeof(*g->off));
    g->to = xmalloc((e->n > 0 ? e->n : 1) * sizeof(*g->to));
    for (size_t i = 0; i < e->n; i++)
        g->off[(reverse ? e->v[i].to : e->v[i].from) + 1]++;
    for (uint32_t v = 0; v < n; v++)
        g->off[v + 1] += g->off[v];
    uint32_t *fill = xmalloc(((size_t)n + 1) * sizeof(*fill));
    memcpy(fill, g->off, ((size_t)n + 1) * sizeof(*fill));
    for (size_t i = 0; i < e->n; i++) {
        uint32_t a = reverse ? e->v[i].to : e->v[i].from;
        g->to[fill[a]++] = reverse ? e->v[i].from : e->v[i].to;
    }
    free(fill);
}

static void acc_csr_release(struct acc_csr *g)
{
    free(g->off);
    free(g->to);
}

/* Kosaraju, first pass: every node with edges in post-order of a depth-first search, with
 * an explicit stack of (node, next edge) so that a long road does not overflow the C stack. */
static uint32_t acc_postorder(const struct acc_csr *fwd, uint32_t n, uint32_t *order)
{
    uint8_t *seen = xcalloc(n > 0 ? n : 1, 1);
    uint32_t *stack = xmalloc((n > 0 ? n : 1) * sizeof(*stack));
    uint32_t *next = xmalloc((n > 0 ? n : 1) * sizeof(*next));
    uint32_t n_order = 0;

    for (uint32_t root = 0; root < n; root++) {
        if (seen[root] || fwd->off[root] == fwd->off[root + 1])
            continue;
        size_t top = 0;
        stack[top++] = root;
        seen[root] = 1;
        next[root] = fwd->off[root];
        while (top > 0) {
            uint32_t v = stack[top - 1];
            if (next[v] < fwd->off[v + 1]) {
                uint32_t w = fwd->to[next[v]++];
                if (!seen[w]) {
                    seen[w] = 1;
                    next[w] = fwd->off[w];
                    stack[top++] = w;
                }
            } else {
                order[n_order++] = v;
                top--;
            }
        }
    }
    free(seen);
    free(stack);
    free(next);
    return n_order;
}

/*
 * Label the strongly connected components of one mode: comp[v] for nodes with edges,
 * UINT32_MAX for the others. Kosaraju's second pass walks the reverse graph from nodes in
 * reverse post-order; each walk is one component. Returns the number of components and the
 * largest (lowest label on ties). Cost: O(V + E).
 */
static uint32_t acc_components(const struct acc_csr *fwd, const struct acc_csr *rev,
                               uint32_t n, uint32_t *comp, uint32_t *largest,
                               uint32_t *largest_size)
{
    uint32_t *order = xmalloc((n > 0 ? n : 1) * sizeof(*order));
    uint32_t *stack = xmalloc((n > 0 ? n : 1) * sizeof(*stack));
    uint32_t n_order = acc_postorder(fwd, n, order);
    uint32_t n_comp = 0;

    *largest = UINT32_MAX;
    *largest_size = 0;
    for (uint32_t v = 0; v < n; v++)
        comp[v] = UINT32_MAX;
    for (uint32_t i = n_order; i-- > 0;) {
        uint32_t root = order[i], size = 0;
        size_t top = 0;
        if (comp[root] != UINT32_MAX)
            continue;
        comp[root] = n_comp;
        stack[top++] = root;
        while (top > 0) {
            uint32_t v = stack[--top];
            size++;
            for (uint32_t e = rev->off[v]; e < rev->off[v + 1]; e++) {
                uint32_t w = rev->to[e];
                if (comp[w] == UINT32_MAX) {
                    comp[w] = n_comp;
                    stack[top++] = w;
                }
            }
        }
        if (size > *largest_size) {
            *largest_size = size;
            *largest = n_comp;
        }
        n_comp++;
    }
    free(order);
    free(stack);
    return n_comp;
}

/* Set bit m of modes[v] for the nodes of mode m's largest component; report the rest. */
static void acc_mode_component(const struct acc_raw *raw, int m, uint8_t *modes,
                               struct acc_build_report *rep)
{
    struct acc_csr fwd, rev;
    uint32_t n = raw->n_nodes;
    uint32_t *comp = xmalloc((n > 0 ? n : 1) * sizeof(*comp));
    uint32_t largest, largest_size, n_comp, with_edges = 0;

    acc_csr_build(&raw->edges[m], n, 0, &fwd);
    acc_csr_build(&raw->edges[m], n, 1, &rev);
    n_comp = acc_components(&fwd, &rev, n, comp, &largest, &largest_size);
    for (uint32_t v = 0; v < n; v++) {
        if (comp[v] == UINT32_MAX)
            continue;
        with_edges++;
        if (comp[v] == largest)
            modes[v] |= (uint8_t)(1u << m);
    }
    rep->mode_nodes[m] = largest_size;
    rep->mode_components_dropped[m] = n_comp > 0 ? n_comp - 1 : 0;
    rep->mode_nodes_dropped[m] = with_edges - largest_size;
    free(comp);
    acc_csr_release(&fwd);
    acc_csr_release(&rev);
}

/* --- grid and node order ---------------------------------------------------------------- */

struct acc_grid {
    double lat0, lon0, cell_lat, cell_lon;
    uint32_t w, h;
};

/* Cells of about two nodes each on average, within sane sizes and a bounded count. */
static void acc_grid_plan(const struct acc_raw *raw, const uint8_t *modes, struct acc_grid *g)
{
    int32_t lat_min = INT32_MAX, lat_max = INT32_MIN, lon_min = INT32_MAX, lon_max = INT32_MIN;
    uint32_t kept = 0;

    for (uint32_t v = 0; v < raw->n_nodes; v++) {
        if (modes[v] == 0)
            continue;
        kept++;
        lat_min = raw->lat_e7[v] < lat_min ? raw->lat_e7[v] : lat_min;
        lat_max = raw->lat_e7[v] > lat_max ? raw->lat_e7[v] : lat_max;
        lon_min = raw->lon_e7[v] < lon_min ? raw->lon_e7[v] : lon_min;
        lon_max = raw->lon_e7[v] > lon_max ? raw->lon_e7[v] : lon_max;
    }
    if (kept == 0) {
        lat_min = lat_max = lon_min = lon_max = 0;
    }
    double mid_lat = (lat_min + (double)lat_max) / 2e7;
    double coslat = fmax(cos(mid_lat * M_PI / 180.0), 0.01);
    double h_m = (lat_max - (double)lat_min) / 1e7 * ACC_M_PER_DEG;
    double w_m = (lon_max - (double)lon_min) / 1e7 * ACC_M_PER_DEG * coslat;
    double cell_m = sqrt(fmax(h_m * w_m, 1.0) / fmax(kept / 2.0, 1.0));

    cell_m = fmin(fmax(cell_m, ACC_CELL_MIN_M), ACC_CELL_MAX_M);
    for (;;) {
        g->w = (uint32_t)(w_m / cell_m) + 1;
        g->h = (uint32_t)(h_m / cell_m) + 1;
        if ((uint64_t)g->w * g->h <= ACC_CELLS_MAX)
            break;
        cell_m *= 1.5;
    }
    g->lat0 = lat_min / 1e7;
    g->lon0 = lon_min / 1e7;
    g->cell_lat = cell_m / ACC_M_PER_DEG;
    g->cell_lon = cell_m / (ACC_M_PER_DEG * coslat);
}

static uint32_t acc_grid_axis(double v, double v0, double cell, uint32_t n)
{
    double c = floor((v - v0) / cell);
    if (c < 0.0)
        return 0;
    return c >= n ? n - 1 : (uint32_t)c;
}

/* Spread the bits of x apart, for the Z-order key. */
static uint64_t acc_spread_bits(uint32_t x)
{
    uint64_t v = x;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFull;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFull;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0Full;
    v = (v | (v << 2)) & 0x3333333333333333ull;
    v = (v | (v << 1)) & 0x5555555555555555ull;
    return v;
}

struct acc_order_key {
    uint64_t z;
    uint32_t cell;
    uint32_t raw;
};

static int acc_cmp_order(const void *a, const void *b)
{
    const struct acc_order_key *x = a, *y = b;
    if (x->z != y->z)
        return x->z < y->z ? -1 : 1;
    return (x->raw > y->raw) - (x->raw < y->raw);
}

/* --- layout ----------------------------------------------------------------------------- */

static size_t acc_align(size_t n)
{
    return (n + ACC_FILE_ALIGN - 1) / ACC_FILE_ALIGN * ACC_FILE_ALIGN;
}

/* Edges of mode m between two nodes of its component, renumbered. */
static uint32_t acc_count_mode_edges(const struct acc_raw *raw, int m, const uint8_t *modes)
{
    uint32_t k = 0;
    for (size_t i = 0; i < raw->edges[m].n; i++) {
        const struct acc_raw_edge *e = &raw->edges[m].v[i];
        if ((modes[e->from] >> m & 1) && (modes[e->to] >> m & 1))
            k++;
    }
    return k;
}

static void acc_fill_adjacency(const struct acc_raw *raw, int m, const uint8_t *modes,
                               const uint32_t *new_id, uint32_t n, int reverse, uint32_t *off,
                               struct acc_edge *edges)
{
    const struct acc_raw_edges *re = &raw->edges[m];
    uint32_t *fill;

    memset(off, 0, ((size_t)n + 1) * sizeof(*off));
    for (size_t i = 0; i < re->n; i++) {
        const struct acc_raw_edge *e = &re->v[i];
        if ((modes[e->from] >> m & 1) && (modes[e->to] >> m & 1))
            off[new_id[reverse ? e->to : e->from] + 1]++;
    }
    for (uint32_t v = 0; v < n; v++)
        off[v + 1] += off[v];
    fill = xmalloc(((size_t)n + 1) * sizeof(*fill));
    memcpy(fill, off, ((size_t)n + 1) * sizeof(*fill));
    for (size_t i = 0; i < re->n; i++) {
        const struct acc_raw_edge *e = &re->v[i];
        if (!((modes[e->from] >> m & 1) && (modes[e->to] >> m & 1)))
            continue;
        uint32_t a = new_id[reverse ? e->to : e->from];
        uint32_t b = new_id[reverse ? e->from : e->to];
        edges[fill[a]++] = (struct acc_edge){b, e->time_ms, e->length_cm};
    }
    free(fill);
}

/* Section lengths from the counts, in file order. */
static size_t acc_plan_sections(struct acc_file_header *h)
{
    size_t n = h->n_nodes, cells = (size_t)h->grid_w * h->grid_h;
    size_t pos = acc_align(sizeof(*h));
    uint64_t len[ACC_SEC_COUNT];

    len[ACC_SEC_LAT] = n * sizeof(int32_t);
    len[ACC_SEC_LON] = n * sizeof(int32_t);
    len[ACC_SEC_MODES] = n;
    len[ACC_SEC_CELL_FIRST] = cells * sizeof(uint32_t);
    len[ACC_SEC_CELL_COUNT] = cells * sizeof(uint32_t);
    for (int m = 0; m < ACC_N_MODES; m++) {
        int s = ACC_SEC_MODE0 + m * ACC_SEC_PER_MODE;
        len[s] = len[s + 2] = (n + 1) * sizeof(uint32_t);
        len[s + 1] = len[s + 3] = (size_t)h->n_edges[m] * sizeof(struct acc_edge);
    }
    for (int s = 0; s < ACC_SEC_COUNT; s++) {
        h->sections[s].offset = pos;
        h->sections[s].length = len[s];
        pos = acc_align(pos + len[s]);
    }
    return pos;
}

#define ACC_SEC(base, h, s) ((void *)((base) + (h)->sections[s].offset))

static void acc_fill_nodes(const struct acc_raw *raw, const uint8_t *modes,
                           const struct acc_order_key *keys, unsigned char *base,
                           const struct acc_file_header *h)
{
    int32_t *lat = ACC_SEC(base, h, ACC_SEC_LAT);
    int32_t *lon = ACC_SEC(base, h, ACC_SEC_LON);
    uint8_t *md = ACC_SEC(base, h, ACC_SEC_MODES);
    uint32_t *first = ACC_SEC(base, h, ACC_SEC_CELL_FIRST);
    uint32_t *count = ACC_SEC(base, h, ACC_SEC_CELL_COUNT);

    for (uint32_t i = 0; i < h->n_nodes; i++) {
        uint32_t r = keys[i].raw;
        lat[i] = raw->lat_e7[r];
        lon[i] = raw->lon_e7[r];
        md[i] = modes[r];
        if (count[keys[i].cell]++ == 0)
            first[keys[i].cell] = i;
    }
}

int acc_graph_assemble(struct acc_raw *raw, double offroad_kmh, struct acc_graph **out,
                       struct acc_build_report *rep, struct yl_err *err)
{
    uint32_t n_raw = raw->n_nodes, n = 0;
    uint8_t *modes = xcalloc(n_raw > 0 ? n_raw : 1, 1);
    struct acc_order_key *keys;
    uint32_t *new_id;
    struct acc_grid grid;
    struct acc_file_header h;
    unsigned char *base;
    size_t size;
    int rc;

    for (int m = 0; m < ACC_N_MODES; m++)
        acc_mode_component(raw, m, modes, rep);
    for (uint32_t v = 0; v < n_raw; v++)
        if (modes[v] != 0 && raw->ferry_only[v])
            modes[v] |= ACC_NODE_NO_SNAP;
    acc_grid_plan(raw, modes, &grid);
    keys = xmalloc((n_raw > 0 ? n_raw : 1) * sizeof(*keys));
    for (uint32_t v = 0; v < n_raw; v++) {
        if (modes[v] == 0)
            continue;
        uint32_t cx = acc_grid_axis(raw->lon_e7[v] / 1e7, grid.lon0, grid.cell_lon, grid.w);
        uint32_t cy = acc_grid_axis(raw->lat_e7[v] / 1e7, grid.lat0, grid.cell_lat, grid.h);
        keys[n++] = (struct acc_order_key){
            acc_spread_bits(cx) | acc_spread_bits(cy) << 1, cy * grid.w + cx, v};
    }
    qsort(keys, n, sizeof(*keys), acc_cmp_order);
    new_id = xmalloc((n_raw > 0 ? n_raw : 1) * sizeof(*new_id));
    for (uint32_t i = 0; i < n; i++)
        new_id[keys[i].raw] = i;

    memset(&h, 0, sizeof(h));
    memcpy(h.magic, ACC_FILE_MAGIC, sizeof(h.magic));
    h.version = ACC_FILE_VERSION;
    h.endian = ACC_FILE_ENDIAN;
    h.header_size = sizeof(h);
    h.n_nodes = n;
    h.grid_w = grid.w;
    h.grid_h = grid.h;
    h.grid_lat0 = grid.lat0;
    h.grid_lon0 = grid.lon0;
    h.cell_lat_deg = grid.cell_lat;
    h.cell_lon_deg = grid.cell_lon;
    h.offroad_kmh = offroad_kmh;
    for (int m = 0; m < ACC_N_MODES; m++) {
        h.n_edges[m] = acc_count_mode_edges(raw, m, modes);
        h.mode_nodes[m] = rep->mode_nodes[m];
    }
    size = acc_plan_sections(&h);
    h.file_size = size;
    base = xcalloc(size, 1);
    acc_fill_nodes(raw, modes, keys, base, &h);
    for (int m = 0; m < ACC_N_MODES; m++) {
        int s = ACC_SEC_MODE0 + m * ACC_SEC_PER_MODE;
        for (int rev = 0; rev <= 1; rev++)
            acc_fill_adjacency(raw, m, modes, new_id, n, rev, ACC_SEC(base, &h, s + 2 * rev),
                               ACC_SEC(base, &h, s + 2 * rev + 1));
        rep->mode_edges[m] = h.n_edges[m];
    }
    h.checksum = acc_checksum(base + h.header_size, size - h.header_size);
    memcpy(base, &h, sizeof(h));
    rep->nodes = n;
    rep->nodes_dropped = n_raw - n;

    *out = xcalloc(1, sizeof(**out));
    rc = acc_graph_attach(*out, base, size, 0, "built graph", err);
    if (rc != 0) {
        free(base);
        free(*out);
        *out = NULL;
    }
    free(modes);
    free(keys);
    free(new_id);
    return rc;
}

static double acc_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int acc_graph_build(const char *osm_path, const struct acc_speeds *speeds,
                    struct acc_graph **out, struct acc_build_report *rep, struct yl_err *err)
{
    struct acc_raw raw;
    double t0 = acc_now_s();
    int rc;

    *out = NULL;
    memset(rep, 0, sizeof(*rep));
    rc = acc_osm_read(osm_path, speeds, &raw, rep, err);
    if (rc != 0)
        return rc;
    rc = acc_graph_assemble(&raw, speeds->offroad_kmh, out, rep, err);
    acc_raw_release(&raw);
    rep->seconds = acc_now_s() - t0;
    return rc;
}
