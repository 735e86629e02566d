/*
 * access.h - the road network of the 15-minute health service circle (issue 7): an
 * OpenStreetMap extract made into a directed graph with a travel time on every edge for each
 * mode (walking, cycling, e-bike, driving), kept in one compact file that is mapped into
 * memory, and the shortest paths over it.
 *
 * The one idea: every mode has its own edges (one-way streets, access tags and speeds differ)
 * over one shared array of nodes, and each mode keeps only its largest strongly connected
 * component, so any two nodes of a mode reach each other. A point (a village, a facility, a
 * population cell) is snapped to the nearest node of its mode and that snap distance is
 * walked. Lifetimes: a graph is built or loaded once and is read-only afterwards, shared by
 * every thread; each thread searches with its own struct acc_search. docs/access.md has the
 * model, the speed table and the file format.
 */
#ifndef YL_ACCESS_H
#define YL_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct yl_err;

enum acc_mode { ACC_FOOT, ACC_BICYCLE, ACC_EBIKE, ACC_CAR, ACC_N_MODES };

/* "foot", "bicycle", "ebike", "car". */
const char *acc_mode_name(enum acc_mode mode);
/* The mode named s: those names, or walk, bike, e-bike, drive. false when none matches. */
bool acc_mode_parse(const char *s, enum acc_mode *out);

/* A time that was not reached, in the arrays of acc_nearest_sources. */
#define ACC_UNREACHED UINT32_MAX
/* A node index that names no node (a point that did not snap). */
#define ACC_NO_NODE UINT32_MAX
/* The farthest a point may be snapped: a limit above it is lowered to it. */
#define ACC_SNAP_MAX_M 50000.0

struct acc_point {
    double lat, lon;    /* WGS 84 degrees */
};

/* --- speed table (speeds.c) ------------------------------------------------------------- */

#define ACC_HIGHWAY_LEN 32
#define ACC_SPEED_ROWS_MAX 64

/* One highway type: its speed per mode, 0 where the mode may not use it by default. */
struct acc_speed_row {
    char highway[ACC_HIGHWAY_LEN];  /* the OSM highway=* value, or "ferry" for route=ferry */
    double kmh[ACC_N_MODES];
    bool implied_oneway;            /* one-way unless tagged otherwise (motorways) */
};

struct acc_speeds {
    struct acc_speed_row rows[ACC_SPEED_ROWS_MAX];
    size_t n_rows;
    double offroad_kmh;             /* the walk between a point and its road node, any mode */
};

/*
 * Read a speed table: CSV with the columns highway, foot_kmh, bicycle_kmh, ebike_kmh,
 * car_kmh, implied_oneway (0 or 1) and any others (a note); one row named "offroad" gives the
 * snapping walk speed (its foot_kmh). `name` is used in messages. YL_EINVAL, naming the line,
 * for a speed that is not a number from 0 to 200, a repeated or over-long highway type, too
 * many rows, or a missing offroad row.
 */
int acc_speeds_read(FILE *f, const char *name, struct acc_speeds *out, struct yl_err *err);
/* Same from a file; YL_EIO when it cannot be opened. */
int acc_speeds_load(const char *path, struct acc_speeds *out, struct yl_err *err);
/* The row of a highway type, or NULL when the type is not routable. */
const struct acc_speed_row *acc_speeds_find(const struct acc_speeds *t, const char *highway);

/* --- the graph (osm.c, graph.c, file.c) ------------------------------------------------- */

struct acc_graph;

/* What a build read, kept and dropped. */
struct acc_build_report {
    uint64_t osm_nodes;             /* nodes in the file */
    uint64_t osm_ways;              /* ways in the file */
    uint64_t road_ways;             /* ways that became edges for at least one mode */
    uint64_t missing_nodes;         /* node references of road ways absent from the file */
    uint32_t nodes;                 /* nodes kept (in the largest component of some mode) */
    uint32_t nodes_dropped;         /* road nodes in no mode's largest component */
    uint32_t mode_nodes[ACC_N_MODES];           /* nodes of each mode's largest component */
    uint32_t mode_edges[ACC_N_MODES];           /* its directed edges */
    uint32_t mode_components_dropped[ACC_N_MODES];  /* smaller components left out */
    uint32_t mode_nodes_dropped[ACC_N_MODES];       /* nodes with edges of the mode left out */
    double seconds;                 /* wall time of the build */
};

/*
 * Build the graph of an OpenStreetMap file (.osm XML or .osm.pbf, by its suffix) with the
 * given speeds. Ways with a highway type in the table, and ferries (route=ferry), become
 * edges between consecutive nodes; oneway, access, per-mode access tags and maxspeed apply
 * (docs/access.md). Each mode keeps its largest strongly connected component. The graph is
 * the caller's (acc_graph_free). Errors: YL_ENOTFOUND for a missing file, YL_EIO for one that
 * cannot be read, YL_EINVAL when it is not OpenStreetMap data (or not named .osm or .pbf) or
 * holds no road; the message names the file.
 * Cost: two passes over the file, then O(E log E) for sorting.
 */
int acc_graph_build(const char *osm_path, const struct acc_speeds *speeds,
                    struct acc_graph **out, struct acc_build_report *rep, struct yl_err *err);

/* Write the graph to path (a temporary file renamed over it, so a reader never sees half a
 * file). YL_EIO on failure. */
int acc_graph_write(const struct acc_graph *g, const char *path, struct yl_err *err);

/*
 * Map a graph file read-only. Its header, size, checksum and every index are checked first:
 * a truncated, corrupted or foreign file gives YL_EINVAL with the reason, never a crash. A
 * missing file gives YL_ENOTFOUND. Cost: one pass over the file (milliseconds for a city).
 */
int acc_graph_load(const char *path, struct acc_graph **out, struct yl_err *err);

/* Unmap or free. NULL does nothing. */
void acc_graph_free(struct acc_graph *g);

uint32_t acc_graph_nodes(const struct acc_graph *g);
/* Directed edges of a mode. */
uint32_t acc_graph_edges(const struct acc_graph *g, enum acc_mode mode);
/* Nodes that a mode can reach (its largest component). */
uint32_t acc_graph_mode_nodes(const struct acc_graph *g, enum acc_mode mode);
/* Bytes of the graph (its file size). */
size_t acc_graph_bytes(const struct acc_graph *g);
/* Walking speed of the snap distance. */
double acc_graph_offroad_kmh(const struct acc_graph *g);
struct acc_point acc_graph_node_point(const struct acc_graph *g, uint32_t node);
/* Whether a node belongs to the mode's component. */
bool acc_graph_node_has_mode(const struct acc_graph *g, uint32_t node, enum acc_mode mode);

/* --- snapping (snap.c) ------------------------------------------------------------------ */

struct acc_snap {
    uint32_t node;          /* ACC_NO_NODE when no node of the mode was within the limit */
    double distance_m;      /* great-circle distance from the point to the node */
    uint32_t walk_ms;       /* that distance at the off-road walking speed */
};

/*
 * Snap p to the nearest node of the mode's component within limit_m (capped at
 * ACC_SNAP_MAX_M). Returns false, with out->node = ACC_NO_NODE, when there is none.
 * Cost: a few grid cells, O(1) for a limit of a few cells.
 */
bool acc_snap_point(const struct acc_graph *g, enum acc_mode mode, struct acc_point p,
                    double limit_m, struct acc_snap *out);

/* Great-circle distance in metres (haversine on the mean Earth radius). */
double acc_distance_m(struct acc_point a, struct acc_point b);

/* --- shortest paths (route.c) ----------------------------------------------------------- */

/* The working memory of searches over one graph: one per thread, reused between searches,
 * so that a search costs what it visits rather than the size of the graph. */
struct acc_search;

struct acc_search *acc_search_new(const struct acc_graph *g);
void acc_search_free(struct acc_search *s);

struct acc_route {
    double time_s;          /* total: walk to the road, drive/ride/walk, walk from the road */
    double length_m;        /* total distance, the two snap walks included */
    double network_time_s;  /* the part on the road network */
    double network_length_m;
    struct acc_snap from, to;
};

/*
 * The quickest route between two points by a mode: each point snapped within snap_limit_m,
 * then binary-heap Dijkstra between the two nodes, stopped when the target is settled.
 * YL_ENOTFOUND when a point has no node of the mode within the limit (the message says which
 * point). Cost: O(V log V) over the nodes quicker than the target.
 */
int acc_route(struct acc_search *s, enum acc_mode mode, struct acc_point from,
              struct acc_point to, double snap_limit_m, struct acc_route *out,
              struct yl_err *err);

enum acc_direction {
    ACC_TO_SOURCE,      /* time from each node to its nearest source (residents travelling) */
    ACC_FROM_SOURCE,    /* time from the nearest source to each node (an ambulance) */
};

/*
 * Multi-source Dijkstra: every node's time to (or from) the nearest of the sources and which
 * source that is. Sources are snapped points (acc_snap_point; those with node ACC_NO_NODE
 * are skipped); each starts at its own walk_ms. time_ms and nearest are caller arrays of
 * acc_graph_nodes(g) entries, filled for every node: the time in milliseconds and the index
 * into sources, or ACC_UNREACHED and -1 (nodes outside the mode, or beyond max_ms; pass
 * ACC_UNREACHED for no limit). Equal times go to the lower source index, so the answer does
 * not depend on the order of the search. Returns the number of nodes reached, or YL_EINVAL
 * for more than INT32_MAX sources. Cost: O(E + V log V) over the nodes within max_ms.
 */
long acc_nearest_sources(struct acc_search *s, enum acc_mode mode, enum acc_direction dir,
                         const struct acc_snap *sources, size_t n_sources, uint32_t max_ms,
                         uint32_t *time_ms, int32_t *nearest, struct yl_err *err);

#endif
