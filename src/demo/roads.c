/*
 * roads.c - the demo region's road network as an OpenStreetMap XML file (roads.osm): a
 * primary road from the city to each township seat, a village road up each valley through
 * its villages in order of distance from the city, city streets from the centre to each
 * community (with a one-way loop through each street's communities), and tracks out to the
 * forest farms, and a service road to every facility's door. Synthetic but plausible: the roads follow the valleys the villages were
 * placed along (region.c), so walking and driving times look like a mountain county's.
 */
#include "demo/demo_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/err.h"

/* The file is written in two passes over the same roads (OSM lists nodes before ways): the
 * first writes the nodes, the second the ways; ids come out the same in both. */
struct demo_roads {
    struct demo_out *out;
    bool ways_pass;
    long next_node, next_way;
};

static long demo_road_node(struct demo_roads *r, double lat, double lon)
{
    long id = ++r->next_node;
    if (r->ways_pass)
        return id;
    demo_out_str(r->out, " <node id='");
    demo_out_long(r->out, id, 1);
    demo_out_str(r->out, "' lat='");
    demo_out_fixed(r->out, lat, 6);
    demo_out_str(r->out, "' lon='");
    demo_out_fixed(r->out, lon, 6);
    demo_out_str(r->out, "'/>\n");
    return id;
}

/* A way from node a (at pa) to node b (at pb) through bends every ~2 km, each pushed a
 * little sideways (a deterministic wiggle, so roads are not ruler-straight). */
static void demo_road_way(struct demo_roads *r, long a, const double pa[2], long b,
                          const double pb[2], const char *highway, bool oneway)
{
    double dy = (pb[0] - pa[0]) * 110.95, dx = (pb[1] - pa[1]) * 81.6;
    double km = sqrt(dx * dx + dy * dy);
    int bends = (int)(km / 2.0);
    long ids[64];
    int n = 0;

    if (bends > 60)
        bends = 60;
    ids[n++] = a;
    for (int i = 1; i <= bends; i++) {
        double f = (double)i / (bends + 1);
        double side = 0.25 * sin(3.0 * f * M_PI + (double)(a % 7));   /* km */
        double nx = km > 0 ? -dy / km : 0, ny = km > 0 ? dx / km : 0;
        ids[n++] = demo_road_node(r, pa[0] + (pb[0] - pa[0]) * f + side * ny / 110.95,
                                  pa[1] + (pb[1] - pa[1]) * f + side * nx / 81.6);
    }
    ids[n++] = b;
    r->next_way++;
    if (!r->ways_pass)
        return;
    demo_out_str(r->out, " <way id='");
    demo_out_long(r->out, r->next_way, 1);
    demo_out_str(r->out, "'>");
    for (int i = 0; i < n; i++) {
        demo_out_str(r->out, "<nd ref='");
        demo_out_long(r->out, ids[i], 1);
        demo_out_str(r->out, "'/>");
    }
    demo_out_str(r->out, "<tag k='highway' v='");
    demo_out_str(r->out, highway);
    demo_out_str(r->out, "'/>");
    if (oneway)
        demo_out_str(r->out, "<tag k='oneway' v='yes'/>");
    demo_out_str(r->out, "</way>\n");
}

static double demo_km_from_center(const struct demo_unit *u)
{
    double dy = (u->lat - DEMO_CENTER_LAT) * 110.95, dx = (u->lon - DEMO_CENTER_LON) * 81.6;
    return sqrt(dx * dx + dy * dy);
}

/* Units of a town by distance from the city (insertion sort: a town has tens of units). */
static int demo_valley_order(const struct demo_region *reg, const struct demo_town *t, int *out)
{
    int n = 0;
    for (int k = 0; k < t->count; k++) {
        int u = t->first + k, i = n++;
        double d = demo_km_from_center(&reg->units[u]);
        while (i > 0 && demo_km_from_center(&reg->units[out[i - 1]]) > d) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = u;
    }
    return n;
}

static void demo_roads_pass(struct demo_ctx *ctx, struct demo_roads *r, long *unit_node,
                            int *order)
{
    const struct demo_region *reg = &ctx->reg;
    double center[2] = {DEMO_CENTER_LAT, DEMO_CENTER_LON};

    r->next_node = r->next_way = 0;
    long center_node = demo_road_node(r, center[0], center[1]);
    for (int u = 0; u < reg->n_units; u++)
        unit_node[u] = demo_road_node(r, reg->units[u].lat, reg->units[u].lon);
    for (int ti = 0; ti < reg->n_towns; ti++) {
        const struct demo_town *t = &reg->towns[ti];
        if (t->kind == DT_STREET) {
            /* City streets to each community, and a one-way loop through them. */
            for (int k = 0; k < t->count; k++) {
                const struct demo_unit *u = &reg->units[t->first + k];
                double pu[2] = {u->lat, u->lon};
                demo_road_way(r, center_node, center, unit_node[t->first + k], pu,
                              "tertiary", false);
            }
            for (int k = 0; t->count > 2 && k < t->count; k++) {
                int a = t->first + k, b = t->first + (k + 1) % t->count;
                double pa[2] = {reg->units[a].lat, reg->units[a].lon};
                double pb[2] = {reg->units[b].lat, reg->units[b].lon};
                demo_road_way(r, unit_node[a], pa, unit_node[b], pb, "residential", true);
            }
        } else if (t->kind == DT_TOWN) {
            /* The primary road to the seat (the town's first unit), then the valley road. */
            const struct demo_unit *seat = &reg->units[t->first];
            double ps[2] = {seat->lat, seat->lon};
            demo_road_way(r, center_node, center, unit_node[t->first], ps, "primary", false);
            int n = demo_valley_order(reg, t, order);
            for (int i = 0; i + 1 < n; i++) {
                double pa[2] = {reg->units[order[i]].lat, reg->units[order[i]].lon};
                double pb[2] = {reg->units[order[i + 1]].lat, reg->units[order[i + 1]].lon};
                demo_road_way(r, unit_node[order[i]], pa, unit_node[order[i + 1]], pb,
                              "unclassified", false);
            }
        }
    }
    /* Every facility stands on a road: a service road from its door to the nearest unit's
     * node (its own unit's, for a clinic), so nobody reaches it by a detour round the town. */
    for (int f = 0; f < ctx->n_fac; f++) {
        const struct demo_facility *fa = &ctx->fac[f];
        int best = -1;
        double best_d = 0;
        for (int v = 0; v < reg->n_units; v++) {
            const struct demo_unit *w = &reg->units[v];
            double dy = (w->lat - fa->lat) * 110.95, dx = (w->lon - fa->lon) * 81.6;
            double d = dx * dx + dy * dy;
            if (best < 0 || d < best_d) {
                best = v;
                best_d = d;
            }
        }
        double pf[2] = {fa->lat, fa->lon};
        double pu[2] = {reg->units[best].lat, reg->units[best].lon};
        long door = demo_road_node(r, fa->lat, fa->lon);
        demo_road_way(r, unit_node[best], pu, door, pf, "service", false);
    }
    /* Forest farms: a track to the nearest township unit. */
    for (int ti = 0; ti < reg->n_towns; ti++) {
        const struct demo_town *t = &reg->towns[ti];
        if (t->kind != DT_FORESTRY)
            continue;
        for (int k = 0; k < t->count; k++) {
            const struct demo_unit *u = &reg->units[t->first + k];
            int best = -1;
            double best_d = 0;
            for (int v = 0; v < reg->n_units; v++) {
                const struct demo_unit *w = &reg->units[v];
                if (reg->towns[w->town].kind != DT_TOWN)
                    continue;
                double dy = (w->lat - u->lat) * 110.95, dx = (w->lon - u->lon) * 81.6;
                double d = dx * dx + dy * dy;
                if (best < 0 || d < best_d) {
                    best = v;
                    best_d = d;
                }
            }
            double pu[2] = {u->lat, u->lon};
            if (best < 0) {
                demo_road_way(r, center_node, center, unit_node[t->first + k], pu, "track",
                              false);
                continue;
            }
            double pb[2] = {reg->units[best].lat, reg->units[best].lon};
            demo_road_way(r, unit_node[best], pb, unit_node[t->first + k], pu, "track", false);
        }
    }
}

int demo_write_roads(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_out o;
    struct demo_roads r = {&o, false, 0, 0};
    long *unit_node = xmalloc((size_t)(ctx->reg.n_units + 1) * sizeof(*unit_node));
    int *order = xmalloc((size_t)(ctx->reg.n_units + 1) * sizeof(*order));
    int rc = demo_out_open(&o, ctx->dir, "roads.osm",
                           "<?xml version='1.0' encoding='UTF-8'?>\n"
                           "<osm version='0.6' generator='yilian demo'>", err);

    if (rc == 0) {
        demo_roads_pass(ctx, &r, unit_node, order);
        r.ways_pass = true;
        demo_roads_pass(ctx, &r, unit_node, order);
        demo_out_str(&o, "</osm>");
        demo_out_end_row(&o);
        rc = demo_out_close(&o, err);
        ctx->st->road_nodes = r.next_node;
        ctx->st->road_ways = r.next_way;
    }
    free(unit_node);
    free(order);
    return rc;
}
