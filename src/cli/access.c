/*
 * access.c - `yilian access build` (an OpenStreetMap extract to the road graph file) and
 * `yilian access route` (the quickest route between two points by a mode, snapping included).
 *
 * The graph file lives next to the database by default (<db>.roads), so a deployment has
 * its database and its roads side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access/access.h"
#include "cli/cli_int.h"
#include "core/err.h"

#define CLI_SNAP_LIMIT_M 1000.0

/* The graph file next to the database: "<db>.roads". */
static void cli_default_graph(const struct cli_config *c, char *out, size_t n)
{
    snprintf(out, n, "%s.roads", c->db);
}

/* The speed table given, else the shipped one (cli_data_path). */
static const char *cli_speeds_path(const char *given, char *out, size_t n)
{
    if (given != NULL)
        return given;
    return cli_data_path("road-speeds.csv", out, n);
}

static double cli_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void cli_print_build(const struct acc_build_report *r, const char *out, size_t bytes)
{
    printf("read %llu OSM nodes and %llu ways: %llu road ways",
           (unsigned long long)r->osm_nodes, (unsigned long long)r->osm_ways,
           (unsigned long long)r->road_ways);
    if (r->missing_nodes > 0)
        printf(" (%llu node references absent from the extract)",
               (unsigned long long)r->missing_nodes);
    printf("\nkept %u nodes; dropped %u in no mode's largest connected component\n", r->nodes,
           r->nodes_dropped);
    printf("  %-8s %10s %10s %22s\n", "mode", "nodes", "edges", "dropped (parts/nodes)");
    for (int m = 0; m < ACC_N_MODES; m++)
        printf("  %-8s %10u %10u %13u / %6u\n", acc_mode_name((enum acc_mode)m),
               r->mode_nodes[m], r->mode_edges[m], r->mode_components_dropped[m],
               r->mode_nodes_dropped[m]);
    printf("wrote %s (%.1f MB) in %.2f s\n", out, bytes / 1e6, r->seconds);
}

static int cli_build_usage(void)
{
    fprintf(stderr, "usage: yilian access build --osm FILE.osm[.pbf] [--out FILE] "
                    "[--speeds FILE.csv]\n");
    return 2;
}

int cli_access_build(struct cli_config *c, int argc, char **argv)
{
    const char *osm = NULL, *out = NULL, *speeds_path = NULL;
    char default_out[4096];
    struct acc_speeds speeds;
    struct acc_build_report rep;
    struct acc_graph *g = NULL;
    struct yl_err err = {0};

    if (argc % 2 != 0)
        return cli_build_usage();
    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--osm") == 0)
            osm = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0)
            out = argv[i + 1];
        else if (strcmp(argv[i], "--speeds") == 0)
            speeds_path = argv[i + 1];
        else
            return cli_build_usage();
    }
    if (osm == NULL)
        return cli_build_usage();
    if (out == NULL) {
        cli_default_graph(c, default_out, sizeof(default_out));
        out = default_out;
    }
    char shipped[4096];
    speeds_path = cli_speeds_path(speeds_path, shipped, sizeof(shipped));
    if (acc_speeds_load(speeds_path, &speeds, &err) != 0 ||
        acc_graph_build(osm, &speeds, &g, &rep, &err) != 0)
        return cli_fail(&err);
    if (acc_graph_write(g, out, &err) != 0) {
        acc_graph_free(g);
        return cli_fail(&err);
    }
    cli_print_build(&rep, out, acc_graph_bytes(g));
    acc_graph_free(g);
    return 0;
}

/* "LAT,LON" in degrees. */
static bool cli_parse_point(const char *s, struct acc_point *p)
{
    char *end;

    p->lat = strtod(s, &end);
    if (end == s || *end != ',')
        return false;
    s = end + 1;
    p->lon = strtod(s, &end);
    return end != s && *end == '\0' && p->lat >= -90.0 && p->lat <= 90.0 &&
           p->lon >= -180.0 && p->lon <= 180.0;
}

static int cli_route_usage(void)
{
    fprintf(stderr, "usage: yilian access route [--graph FILE] --mode foot|bicycle|ebike|car "
                    "--from LAT,LON --to LAT,LON [--snap-limit METRES]\n");
    return 2;
}

int cli_access_route(struct cli_config *c, int argc, char **argv)
{
    const char *graph = NULL, *mode_s = NULL, *from_s = NULL, *to_s = NULL, *limit_s = NULL;
    char default_graph[4096];
    struct acc_point from, to;
    enum acc_mode mode;
    double limit = CLI_SNAP_LIMIT_M, t0;
    struct acc_graph *g = NULL;
    struct acc_route r;
    struct yl_err err = {0};

    if (argc % 2 != 0)
        return cli_route_usage();
    for (int i = 0; i + 1 < argc; i += 2) {
        const char **slot = strcmp(argv[i], "--graph") == 0   ? &graph
                            : strcmp(argv[i], "--mode") == 0  ? &mode_s
                            : strcmp(argv[i], "--from") == 0  ? &from_s
                            : strcmp(argv[i], "--to") == 0    ? &to_s
                            : strcmp(argv[i], "--snap-limit") == 0 ? &limit_s
                                                                   : NULL;
        if (slot == NULL)
            return cli_route_usage();
        *slot = argv[i + 1];
    }
    if (mode_s == NULL || from_s == NULL || to_s == NULL)
        return cli_route_usage();
    if (!acc_mode_parse(mode_s, &mode)) {
        fprintf(stderr, "yilian: --mode: unknown mode \"%s\" (foot, bicycle, ebike, car)\n",
                mode_s);
        return 2;
    }
    if (!cli_parse_point(from_s, &from) || !cli_parse_point(to_s, &to)) {
        fprintf(stderr, "yilian: --from and --to take LAT,LON in degrees, as 43.7393,7.4278\n");
        return 2;
    }
    if (limit_s != NULL) {
        char *end;
        limit = strtod(limit_s, &end);
        if (*end != '\0' || !(limit > 0.0 && limit <= ACC_SNAP_MAX_M)) {
            fprintf(stderr, "yilian: --snap-limit must be 1 to %.0f metres\n", ACC_SNAP_MAX_M);
            return 2;
        }
    }
    if (graph == NULL) {
        cli_default_graph(c, default_graph, sizeof(default_graph));
        graph = default_graph;
    }
    t0 = cli_now_s();
    if (acc_graph_load(graph, &g, &err) != 0)
        return cli_fail(&err);
    struct acc_search *s = acc_search_new(g);
    int rc = acc_route(s, mode, from, to, limit, &r, &err);
    double elapsed = cli_now_s() - t0;
    acc_search_free(s);
    acc_graph_free(g);
    if (rc != 0)
        return cli_fail(&err);
    printf("%.1f s (%.1f min), %.0f m by %s\n", r.time_s, r.time_s / 60.0, r.length_m,
           acc_mode_name(mode));
    printf("  on the road network: %.1f s, %.0f m\n", r.network_time_s, r.network_length_m);
    printf("  walked to and from the road: %.0f m and %.0f m (%.1f s)\n", r.from.distance_m,
           r.to.distance_m, (r.from.walk_ms + (double)r.to.walk_ms) / 1000.0);
    printf("  (graph loaded and route found in %.1f ms)\n", elapsed * 1000.0);
    return 0;
}
