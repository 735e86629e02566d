/*
 * access_bench.c - figures for the road network (issue 7, "Benchmark"): graph build time and
 * size of an OSM extract, the load time of its file (mmap and checks), one-to-one routes
 * between random pairs, and multi-source nearest-facility times over the whole graph; the
 * same multi-source run on a generated city-sized grid, and coverage of a whole region
 * (coverage.h) on both. Prints figures; it is not a test.
 *
 *   access_bench OSM_FILE OUT_DIR [PAIRS [FACILITIES [GRID_SIDE]]]
 *
 * For bench/access.sh it writes to OUT_DIR: graph.roads, pairs.txt ("mode lat1 lon1 lat2
 * lon2 seconds": our quickest times for routino to redo) and nearest.txt (the facilities and
 * sample villages of the nearest-facility run, with our times).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "access/coverage.h"
#include "core/err.h"

#define BENCH_VILLAGES 50

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = (*s += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* A random node of the mode's component (its coordinates, to route between points). */
static struct acc_point random_point(const struct acc_graph *g, enum acc_mode m, uint64_t *rng)
{
    uint32_t n = acc_graph_nodes(g);
    for (;;) {
        uint32_t v = (uint32_t)(rng_next(rng) % n);
        if (acc_graph_node_has_mode(g, v, m))
            return acc_graph_node_point(g, v);
    }
}

static int fail(const struct yl_err *err)
{
    fprintf(stderr, "access_bench: %s\n", yl_err_message(err));
    return 1;
}

static void bench_load(const char *path)
{
    double best = 1e9;
    struct yl_err err = {0};
    for (int i = 0; i < 5; i++) {
        struct acc_graph *g = NULL;
        double t0 = now_s();
        if (acc_graph_load(path, &g, &err) != 0)
            return;
        double t = now_s() - t0;
        best = t < best ? t : best;
        acc_graph_free(g);
    }
    printf("load (mmap + checksum + index checks), best of 5: %.2f ms\n", best * 1000);
}

static void bench_pairs(const struct acc_graph *g, int n_pairs, FILE *out)
{
    static const enum acc_mode modes[] = {ACC_CAR, ACC_FOOT};
    struct acc_search *s = acc_search_new(g);
    uint64_t rng = 42;

    for (size_t k = 0; k < 2; k++) {
        enum acc_mode m = modes[k];
        struct acc_point *a = malloc(n_pairs * sizeof(*a)), *b = malloc(n_pairs * sizeof(*b));
        double sum_s = 0;
        for (int i = 0; i < n_pairs; i++) {
            a[i] = random_point(g, m, &rng);
            b[i] = random_point(g, m, &rng);
        }
        double t0 = now_s();
        for (int i = 0; i < n_pairs; i++) {
            struct acc_route r;
            struct yl_err err = {0};
            if (acc_route(s, m, a[i], b[i], 100.0, &r, &err) != 0)
                continue;
            sum_s += r.network_time_s;
            fprintf(out, "%s %.7f %.7f %.7f %.7f %.1f\n", m == ACC_CAR ? "motorcar" : "foot",
                    a[i].lat, a[i].lon, b[i].lat, b[i].lon, r.network_time_s);
        }
        double t = now_s() - t0;
        printf("one-to-one %-4s: %d random pairs in %.1f ms: %.1f us a route "
               "(mean route %.0f s)\n", acc_mode_name(m), n_pairs, t * 1000,
               t / n_pairs * 1e6, sum_s / n_pairs);
        free(a);
        free(b);
    }
    acc_search_free(s);
}

/* Facilities and villages at random nodes; nearest facility for every node, best of 5. */
static void bench_nearest(const struct acc_graph *g, int n_fac, FILE *out, const char *label)
{
    static const enum acc_mode modes[] = {ACC_CAR, ACC_FOOT};
    uint32_t n = acc_graph_nodes(g);
    uint32_t *t = malloc(n * sizeof(*t));
    int32_t *near = malloc(n * sizeof(*near));
    struct acc_snap *src = malloc(n_fac * sizeof(*src));
    struct acc_search *s = acc_search_new(g);
    uint64_t rng = 7;

    for (size_t k = 0; k < 2; k++) {
        enum acc_mode m = modes[k];
        struct yl_err err = {0};
        double best = 1e9;
        long reached = 0;
        for (int i = 0; i < n_fac; i++)
            acc_snap_point(g, m, random_point(g, m, &rng), 10.0, &src[i]);
        for (int rep = 0; rep < 5; rep++) {
            double t0 = now_s();
            reached = acc_nearest_sources(s, m, ACC_TO_SOURCE, src, n_fac, ACC_UNREACHED, t,
                                          near, &err);
            double e = now_s() - t0;
            best = e < best ? e : best;
        }
        printf("%s nearest of %d facilities, %-4s, every node (%ld reached): %.1f ms\n", label,
               n_fac, acc_mode_name(m), reached, best * 1000);
        if (out == NULL)
            continue;
        for (int i = 0; i < n_fac; i++) {
            struct acc_point p = acc_graph_node_point(g, src[i].node);
            fprintf(out, "facility %s %.7f %.7f\n", m == ACC_CAR ? "motorcar" : "foot", p.lat,
                    p.lon);
        }
        for (int i = 0; i < BENCH_VILLAGES; i++) {
            struct acc_snap v;
            acc_snap_point(g, m, random_point(g, m, &rng), 10.0, &v);
            struct acc_point p = acc_graph_node_point(g, v.node);
            fprintf(out, "village %s %.7f %.7f %.1f %d\n", m == ACC_CAR ? "motorcar" : "foot",
                    p.lat, p.lon, t[v.node] / 1000.0, near[v.node]);
        }
    }
    acc_search_free(s);
    free(t);
    free(near);
    free(src);
}

/* Coverage of a whole region as `yilian access coverage` computes it: n_fac facilities and
 * n_vil villages at random points (up to 100 m off the road), every village's time to its
 * nearest facility (snapping both, one multi-source search), summed by threshold, the
 * underserved list and the catchments; best of 3. Then proposals: 5 sites from 500
 * candidates within 15 minutes. Writes "coverage MODE VILLAGES MS" lines to out. */
static void bench_coverage(const struct acc_graph *g, int n_fac, int n_vil, FILE *out,
                           const char *label)
{
    static const enum acc_mode modes[] = {ACC_CAR, ACC_FOOT};
    struct acc_point *fac = malloc(n_fac * sizeof(*fac));
    struct acc_place *vil = malloc(n_vil * sizeof(*vil));
    struct acc_point *cand = malloc(500 * sizeof(*cand));
    size_t *idx = malloc(n_vil * sizeof(*idx));
    double *catch_people = malloc(n_fac * sizeof(*catch_people));
    int32_t parent[1] = {-1};
    struct acc_cover_row rows[2];
    uint64_t rng = 11;

    for (size_t k = 0; k < 2; k++) {
        enum acc_mode m = modes[k];
        struct yl_err err = {0};
        double best = 1e9, within = 0;
        for (int i = 0; i < n_fac; i++)
            fac[i] = random_point(g, m, &rng);
        for (int i = 0; i < n_vil; i++) {
            struct acc_point p = random_point(g, m, &rng);
            p.lat += ((double)(rng_next(&rng) % 2001) - 1000) * 1e-7 * 7;
            vil[i] = (struct acc_place){p, (double)(100 + rng_next(&rng) % 2000), 0};
        }
        for (int i = 0; i < 500; i++)
            cand[i] = random_point(g, m, &rng);
        struct acc_times t;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now_s();
            if (acc_times_compute(g, m, ACC_TO_SOURCE, fac, n_fac, vil, n_vil, &t, &err) != 0) {
                fail(&err);
                return;
            }
            acc_coverage_sum(&t, vil, parent, 1, 15 * 60000u, rows);
            acc_underserved(&t, vil, 15 * 60000u, idx);
            acc_catchment_sum(&t, vil, n_fac, 15 * 60000u, catch_people, NULL);
            double e = now_s() - t0;
            best = e < best ? e : best;
            within = rows[1].within_t / rows[1].people;
            if (rep < 2)
                acc_times_release(&t);
        }
        printf("%s coverage, %-4s: %d facilities, %d villages: %.1f ms (%.1f%% within 15 min)\n",
               label, acc_mode_name(m), n_fac, n_vil, best * 1000, 100 * within);
        struct acc_pick picks[5];
        double t0 = now_s();
        long n = acc_propose(g, m, &t, vil, cand, 500, 15 * 60000u, 5, picks, &err);
        printf("%s proposals, %-4s: 5 of 500 candidates, 15 min: %.1f ms (first gain %.0f)\n",
               label, acc_mode_name(m), (now_s() - t0) * 1000, n > 0 ? picks[0].gain : 0.0);
        acc_times_release(&t);
        if (out != NULL)
            fprintf(out, "coverage %s %d %.3f\n", m == ACC_CAR ? "motorcar" : "foot", n_vil,
                    best * 1000);
    }
    free(fac);
    free(vil);
    free(cand);
    free(idx);
    free(catch_people);
}

/* A square city of side x side street crossings 40 m apart (below the 50 m cut, so the grid
 * is the graph), residential streets and a primary road every tenth line, written as OSM
 * XML. */
static int write_grid(const char *path, int side)
{
    FILE *f = fopen(path, "w");
    const double step = 40.0 / 111195.08;
    long id = 1;

    if (f == NULL)
        return -1;
    fprintf(f, "<?xml version='1.0'?>\n<osm version='0.6'>\n");
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            fprintf(f, "<node id='%d' lat='%.7f' lon='%.7f'/>\n", y * side + x + 1,
                    43.0 + y * step, 125.0 + x * step / 0.7314);
    for (int dir = 0; dir < 2; dir++)
        for (int line = 0; line < side; line++) {
            fprintf(f, "<way id='%ld'>", id++);
            for (int k = 0; k < side; k++)
                fprintf(f, "<nd ref='%d'/>", dir == 0 ? line * side + k + 1 : k * side + line + 1);
            fprintf(f, "<tag k='highway' v='%s'/></way>\n",
                    line % 10 == 0 ? "primary" : "residential");
        }
    fprintf(f, "</osm>\n");
    return fclose(f);
}

static int bench_grid(const struct acc_speeds *sp, const char *dir, int side, int n_fac)
{
    char path[4096];
    struct acc_graph *g = NULL;
    struct acc_build_report rep;
    struct yl_err err = {0};

    snprintf(path, sizeof(path), "%s/grid.osm", dir);
    if (write_grid(path, side) != 0)
        return 1;
    if (acc_graph_build(path, sp, &g, &rep, &err) != 0)
        return fail(&err);
    printf("\ngenerated grid city %dx%d: %u nodes, %u car edges, built in %.2f s "
           "(%.0f nodes/s), %.1f MB\n", side, side, rep.nodes, rep.mode_edges[ACC_CAR],
           rep.seconds, rep.osm_nodes / rep.seconds, acc_graph_bytes(g) / 1e6);
    bench_nearest(g, n_fac, NULL, "grid:");
    bench_coverage(g, 200, 10000, NULL, "grid:");
    acc_graph_free(g);
    remove(path);
    return 0;
}

int main(int argc, char **argv)
{
    struct acc_speeds sp;
    struct acc_build_report rep;
    struct acc_graph *g = NULL;
    struct yl_err err = {0};
    char path[4096];

    if (argc < 3) {
        fprintf(stderr, "usage: access_bench OSM_FILE OUT_DIR [PAIRS [FACILITIES "
                        "[GRID_SIDE]]]\n");
        return 2;
    }
    int n_pairs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 200;
    int n_fac = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 20;
    int side = argc > 5 ? (int)strtol(argv[5], NULL, 10) : 1000;
    if (n_pairs < 1 || n_fac < 1 || side < 0 || side > 3000) {
        fprintf(stderr, "access_bench: PAIRS and FACILITIES from 1, GRID_SIDE 0 to 3000\n");
        return 2;
    }
    if (acc_speeds_load("data/road-speeds.csv", &sp, &err) != 0)
        return fail(&err);
    if (acc_graph_build(argv[1], &sp, &g, &rep, &err) != 0)
        return fail(&err);
    printf("build %s: %llu OSM nodes, %llu ways read in %.3f s (%.0f OSM nodes/s)\n", argv[1],
           (unsigned long long)rep.osm_nodes, (unsigned long long)rep.osm_ways, rep.seconds,
           rep.osm_nodes / rep.seconds);
    printf("graph: %u nodes, car %u / foot %u edges, %.2f MB file\n", rep.nodes,
           rep.mode_edges[ACC_CAR], rep.mode_edges[ACC_FOOT], acc_graph_bytes(g) / 1e6);
    snprintf(path, sizeof(path), "%s/graph.roads", argv[2]);
    if (acc_graph_write(g, path, &err) != 0)
        return fail(&err);
    acc_graph_free(g);
    bench_load(path);
    if (acc_graph_load(path, &g, &err) != 0)
        return fail(&err);

    snprintf(path, sizeof(path), "%s/pairs.txt", argv[2]);
    FILE *pairs = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/nearest.txt", argv[2]);
    FILE *nearest = fopen(path, "w");
    if (pairs == NULL || nearest == NULL)
        return 1;
    bench_pairs(g, n_pairs, pairs);
    bench_nearest(g, n_fac, nearest, "extract:");
    bench_coverage(g, n_fac, 1000, nearest, "extract:");
    fclose(pairs);
    fclose(nearest);
    acc_graph_free(g);
    return side > 1 ? bench_grid(&sp, argv[2], side, n_fac) : 0;
}
