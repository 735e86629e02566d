/*
 * isochrone.c - isochrones from a grid of travel times: every cell of a regular grid over
 * the graph takes the time of its centre (snapped to the nearest road node, plus the walk),
 * and the area within T minutes is the union of the cells within T.
 *
 * The one idea: a raster is simple and exactly what was computed, with no interpolation
 * between roads to get wrong. Each row's run of cells becomes one rectangle, so a polygon is
 * never self-intersecting; rectangles of neighbouring rows share edges (maps draw them as
 * one area; a strict OGC consumer can union them). Resolution is the cell size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "access/coverage.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#define ACC_ISO_MIN_CELL_M 100.0
#define ACC_ISO_MAX_CELLS 1000000.0
#define ACC_ISO_SNAP_MIN_M 300.0
#define ACC_M_PER_DEG_LAT 111195.08     /* mean Earth radius x pi / 180 */

void acc_iso_grid_build(const struct acc_graph *g, const struct acc_times *t, double cell_m,
                        struct acc_iso_grid *out)
{
    const struct acc_file_header *h = g->hdr;
    double lat_span = h->grid_h * h->cell_lat_deg, lon_span = h->grid_w * h->cell_lon_deg;
    double mid_lat = h->grid_lat0 + lat_span / 2;
    double coslat = fmax(cos(mid_lat * M_PI / 180.0), 0.01);

    memset(out, 0, sizeof(*out));
    if (!(cell_m >= ACC_ISO_MIN_CELL_M))
        cell_m = ACC_ISO_MIN_CELL_M;
    double area_cells = (lat_span * ACC_M_PER_DEG_LAT / cell_m) *
                        (lon_span * ACC_M_PER_DEG_LAT * coslat / cell_m);
    if (area_cells > ACC_ISO_MAX_CELLS)
        cell_m *= sqrt(area_cells / ACC_ISO_MAX_CELLS) * 1.001;
    out->dlat = cell_m / ACC_M_PER_DEG_LAT;
    out->dlon = cell_m / (ACC_M_PER_DEG_LAT * coslat);
    out->lat0 = h->grid_lat0;
    out->lon0 = h->grid_lon0;
    out->h = (uint32_t)ceil(lat_span / out->dlat);
    out->w = (uint32_t)ceil(lon_span / out->dlon);
    if (g->n == 0 || out->w == 0 || out->h == 0) {
        out->w = out->h = 0;
        out->cell_ms = xmalloc(sizeof(*out->cell_ms));
        return;
    }
    out->cell_ms = xmalloc((size_t)out->w * out->h * sizeof(*out->cell_ms));
    double limit = fmax(cell_m, ACC_ISO_SNAP_MIN_M);
    for (uint32_t y = 0; y < out->h; y++)
        for (uint32_t x = 0; x < out->w; x++) {
            struct acc_point c = {out->lat0 + (y + 0.5) * out->dlat,
                                  out->lon0 + (x + 0.5) * out->dlon};
            struct acc_snap sn;
            uint32_t *cell = &out->cell_ms[(size_t)y * out->w + x];
            *cell = ACC_UNREACHED;
            if (!acc_snap_point(g, t->mode, c, limit, &sn) || t->node_ms[sn.node] == ACC_UNREACHED)
                continue;
            uint64_t sum = (uint64_t)t->node_ms[sn.node] + sn.walk_ms;
            *cell = sum >= ACC_UNREACHED ? ACC_UNREACHED - 1 : (uint32_t)sum;
        }
}

void acc_iso_grid_release(struct acc_iso_grid *grid)
{
    free(grid->cell_ms);
    memset(grid, 0, sizeof(*grid));
}

static int acc_int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int acc_iso_geojson(const struct acc_iso_grid *grid, enum acc_mode mode, const int *minutes,
                    size_t n_minutes, struct buf *b, struct yl_err *err)
{
    int sorted[16];
    size_t n = n_minutes < 16 ? n_minutes : 16;

    memcpy(sorted, minutes, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), acc_int_cmp);
    buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t k = 0; k < n; k++) {
        uint32_t t_ms = (uint32_t)sorted[k] * 60000u;
        long cells = 0;
        bool first = true;
        buf_printf(b, "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiPolygon\","
                      "\"coordinates\":[", k > 0 ? "," : "");
        for (uint32_t y = 0; y < grid->h; y++) {
            const uint32_t *row = &grid->cell_ms[(size_t)y * grid->w];
            for (uint32_t x = 0; x < grid->w;) {
                if (row[x] > t_ms) {
                    x++;
                    continue;
                }
                uint32_t x1 = x;
                while (x1 < grid->w && row[x1] <= t_ms)
                    x1++;
                double s = grid->lat0 + y * grid->dlat, nn = s + grid->dlat;
                double w = grid->lon0 + x * grid->dlon, e = grid->lon0 + x1 * grid->dlon;
                buf_printf(b, "%s[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
                              "[%.6f,%.6f]]]", first ? "" : ",", w, s, e, s, e, nn, w, nn, w, s);
                first = false;
                cells += x1 - x;
                x = x1;
            }
        }
        buf_printf(b, "]},\"properties\":{\"minutes\":%d,\"mode\":\"%s\",\"cells\":%ld,"
                      "\"cell_lat_deg\":%.7f,\"cell_lon_deg\":%.7f}}",
                   sorted[k], acc_mode_name(mode), cells, grid->dlat, grid->dlon);
    }
    if (buf_puts(b, "]}") != 0 || b->failed)
        return yl_err_set(err, YL_ETOOBIG, NULL, "isochrone larger than %zu bytes: use "
                          "larger cells", b->max);
    return 0;
}
