/*
 * snap.c - the nearest road node of a mode to a point, over the uniform grid of the graph
 * file, and great-circle distances.
 *
 * The search looks at the point's cell, then at rings of cells around it, and stops as soon
 * as the next ring is farther than the best node found (or than the limit). Nodes are stored
 * cell by cell, so a cell is one contiguous run of coordinates.
 */
#include <math.h>

#include "access/access_int.h"

#define ACC_EARTH_M 6371008.8       /* mean Earth radius (IUGG) */
#define ACC_M_PER_DEG (ACC_EARTH_M * M_PI / 180.0)

double acc_distance_m(struct acc_point a, struct acc_point b)
{
    double p1 = a.lat * M_PI / 180.0, p2 = b.lat * M_PI / 180.0;
    double dp = p2 - p1, dl = (b.lon - a.lon) * M_PI / 180.0;
    double s = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

    return 2.0 * ACC_EARTH_M * asin(fmin(1.0, sqrt(s)));
}

struct acc_snap_query {
    const struct acc_graph *g;
    enum acc_mode mode;
    struct acc_point p;
    uint32_t best;
    double best_m;
};

static void acc_snap_cell(struct acc_snap_query *q, int64_t cx, int64_t cy)
{
    const struct acc_graph *g = q->g;
    size_t c = (size_t)cy * g->hdr->grid_w + (size_t)cx;
    uint32_t first = g->cell_first[c], end = first + g->cell_count[c];

    for (uint32_t v = first; v < end; v++) {
        if (!(g->modes[v] >> q->mode & 1) || (g->modes[v] & ACC_NODE_NO_SNAP))
            continue;
        double d = acc_distance_m(q->p, acc_graph_node_point(g, v));
        if (d < q->best_m || (d == q->best_m && v < q->best)) {
            q->best_m = d;
            q->best = v;
        }
    }
}

/* The cells at Chebyshev distance r from (cx, cy) that lie in the grid. */
static void acc_snap_ring(struct acc_snap_query *q, int64_t cx, int64_t cy, int64_t r)
{
    int64_t w = q->g->hdr->grid_w, h = q->g->hdr->grid_h;
    int64_t y0 = cy - r < 0 ? 0 : cy - r, y1 = cy + r >= h ? h - 1 : cy + r;

    for (int64_t y = y0; y <= y1; y++) {
        if (y == cy - r || y == cy + r) {
            int64_t x0 = cx - r < 0 ? 0 : cx - r, x1 = cx + r >= w ? w - 1 : cx + r;
            for (int64_t x = x0; x <= x1; x++)
                acc_snap_cell(q, x, y);
        } else {
            if (cx - r >= 0 && cx - r < w)
                acc_snap_cell(q, cx - r, y);
            if (cx + r >= 0 && cx + r < w && r > 0)
                acc_snap_cell(q, cx + r, y);
        }
    }
}

/* Cell coordinate of v on an axis, kept in a range where ring arithmetic cannot overflow. */
static int64_t acc_cell_of(double v, double v0, double cell)
{
    double c = floor((v - v0) / cell);
    return (int64_t)fmax(fmin(c, 1e12), -1e12);
}

bool acc_snap_point(const struct acc_graph *g, enum acc_mode mode, struct acc_point p,
                    double limit_m, struct acc_snap *out)
{
    const struct acc_file_header *h = g->hdr;
    struct acc_snap_query q = {g, mode, p, ACC_NO_NODE, 0.0};
    double limit = fmin(limit_m, ACC_SNAP_MAX_M);

    out->node = ACC_NO_NODE;
    out->distance_m = 0.0;
    out->walk_ms = 0;
    if (!(p.lat >= -90.0 && p.lat <= 90.0 && p.lon >= -180.0 && p.lon <= 180.0) ||
        !(limit >= 0.0) || (unsigned)mode >= ACC_N_MODES || g->n == 0)
        return false;
    q.best_m = limit;
    /* A lower bound on the distance across one cell: north-south exact; east-west at the
     * latitude nearest a pole that a node within the largest limit can have. */
    double pole_lat = fmin(fabs(p.lat) + 0.5, 89.0) * M_PI / 180.0;
    double cell_m = fmin(h->cell_lat_deg * ACC_M_PER_DEG,
                         h->cell_lon_deg * ACC_M_PER_DEG * cos(pole_lat)) * 0.99;
    int64_t cx = acc_cell_of(p.lon, h->grid_lon0, h->cell_lon_deg);
    int64_t cy = acc_cell_of(p.lat, h->grid_lat0, h->cell_lat_deg);

    for (int64_t r = 0;; r++) {
        /* Every node of ring r is at least r - 1 whole cells away. */
        if (r >= 1 && (double)(r - 1) * cell_m > q.best_m)
            break;
        acc_snap_ring(&q, cx, cy, r);
        if (cx - r <= 0 && cy - r <= 0 && cx + r >= (int64_t)h->grid_w - 1 &&
            cy + r >= (int64_t)h->grid_h - 1)
            break;  /* the ring has covered the whole grid */
    }
    if (q.best == ACC_NO_NODE)
        return false;
    out->node = q.best;
    out->distance_m = q.best_m;
    out->walk_ms = acc_travel_ms(q.best_m, h->offroad_kmh);
    return true;
}
