/*
 * coverage.h - the 15-minute health service circle measured on the road graph (issue 7):
 * who lives within T minutes of a facility, by mode; the villages left out; each facility's
 * catchment; isochrones; what-if changes and proposals for new sites.
 *
 * The one idea: one multi-source search from every facility gives every road node its time
 * to the nearest one; a population point (a village, a grid cell) takes its node's time plus
 * the walk from the point to the road. Coverage, catchment and underserved lists are sums
 * over those per-point times, rolled up a tree of units. Proposals reverse the question: one
 * bounded search from each candidate site says whom it would bring within T (greedy maximal
 * covering, Church and ReVelle 1974, with lazy evaluation, Minoux 1978).
 *
 * The functions in coverage.c, plan.c and isochrone.c are pure (graph + plain arrays in,
 * arrays out); sites.c reads facilities and villages from the registry (docs/access.md).
 */
#ifndef YL_ACCESS_COVERAGE_H
#define YL_ACCESS_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"

struct buf;
struct store;
struct yl_err;

/* How far a population point or a site may lie from the road it is snapped to. */
#define ACC_COVER_SNAP_M 5000.0
/* The thresholds every coverage row carries, in minutes. */
#define ACC_N_THRESHOLDS 4
extern const int acc_threshold_min[ACC_N_THRESHOLDS];     /* 5, 10, 15, 30 */

/* A population point: a village or community at its registry coordinates, or a cell of a
 * population grid. `unit` indexes the caller's unit table, -1 for none (grid cells). */
struct acc_place {
    struct acc_point p;
    double people;
    int32_t unit;
};

/* Every place's time to its nearest site and which site that is. */
struct acc_times {
    enum acc_mode mode;
    enum acc_direction dir;
    size_t n_places;
    uint32_t *place_ms;     /* ACC_UNREACHED: no site reachable, or the place did not snap */
    int32_t *place_site;    /* index into the sites, -1 when unreached */
    uint32_t *node_ms;      /* every node's time to the nearest site (for isochrones) */
    int32_t *node_site;
    struct acc_snap *place_snap;
};

/*
 * Time from every place to its nearest site by `mode`: with ACC_TO_SOURCE residents travel
 * to the facility (the search follows edges backwards from the sites), with ACC_FROM_SOURCE
 * the facility comes to them (an ambulance; one-way streets then bind the other way). Sites and places are snapped within
 * ACC_COVER_SNAP_M; a site that does not snap is ignored, a place that does not snap is
 * unreached. Equal times go to the lower site index. Fills *out (acc_times_release frees
 * it). YL_EINVAL for an unknown mode. Cost: O(E + V log V) plus one snap per point.
 */
int acc_times_compute(const struct acc_graph *g, enum acc_mode mode, enum acc_direction dir,
                      const struct acc_point *sites, size_t n_sites,
                      const struct acc_place *places, size_t n_places, struct acc_times *out,
                      struct yl_err *err);
void acc_times_release(struct acc_times *t);

/* Population of a unit (and everything below it) and how much of it lies within each of
 * acc_threshold_min and within the caller's own threshold. */
struct acc_cover_row {
    double people;
    double within[ACC_N_THRESHOLDS];
    double within_t;            /* within the threshold given to acc_coverage_sum */
    uint32_t places;            /* population points counted */
    uint32_t places_within_t;
};

/*
 * Sum the places into rows[n_units + 1]: rows[u] for unit u (its places and those of every
 * unit below it, following parent[u], -1 at a root), rows[n_units] for all places. A place
 * that was not reached counts in people but in no `within`. Cost O(places × depth).
 */
void acc_coverage_sum(const struct acc_times *t, const struct acc_place *places,
                      const int32_t *parent, size_t n_units, uint32_t threshold_ms,
                      struct acc_cover_row *rows);

/* The people whose nearest site is each site: catch[s] all of them, catch_within[s] those
 * also within threshold_ms (both arrays of n_sites entries, either may be NULL). */
void acc_catchment_sum(const struct acc_times *t, const struct acc_place *places,
                       size_t n_sites, uint32_t threshold_ms, double *catch_people,
                       double *catch_within);

/* The places beyond threshold_ms (unreached ones included), most people first, then longest
 * time, then index: their indices into idx (n_places entries); returns how many. */
size_t acc_underserved(const struct acc_times *t, const struct acc_place *places,
                       uint32_t threshold_ms, size_t *idx);

/* --- planning (plan.c) ------------------------------------------------------------------ */

enum acc_change_kind { ACC_CHANGE_ADD, ACC_CHANGE_MOVE, ACC_CHANGE_CLOSE };

/* One what-if change: add a site at p; move site `site` to p; close site `site`. */
struct acc_change {
    enum acc_change_kind kind;
    size_t site;
    struct acc_point p;
};

/*
 * The sites after the changes, in order, into out (a heap array of *n_out entries, the
 * caller frees it) with from[i] the original index of out[i] or -1 for an added one. A
 * closed site is left out. YL_EINVAL naming "changes" for a site index out of range, a site
 * changed after it was closed, or a coordinate outside WGS 84.
 */
int acc_sites_apply(const struct acc_point *sites, size_t n_sites,
                    const struct acc_change *changes, size_t n_changes,
                    struct acc_point **out, long **from, size_t *n_out, struct yl_err *err);

/* One pick of acc_propose: the candidate and the people it newly brings within T. */
struct acc_pick {
    size_t candidate;
    double gain;
    uint32_t places;            /* places newly covered */
};

/*
 * Choose up to k of the candidate sites, one at a time, each the one that brings the most
 * not-yet-covered people within threshold_ms of a site (a place is covered when `current`
 * already puts it within the threshold; the direction of travel is current's). Greedy maximal covering: the gain of a candidate
 * only falls as others are picked, so a stale gain is an upper bound and a candidate is
 * re-evaluated only when its bound is the largest (lazy evaluation). Equal gains go to the
 * lower index. Stops early when no candidate gains anything. picks has k entries; returns
 * how many were made, or YL_EINVAL for an unknown mode. Candidates that do not snap gain
 * nothing. Cost: one search bounded by threshold_ms per candidate, then O(k × candidates).
 */
long acc_propose(const struct acc_graph *g, enum acc_mode mode, const struct acc_times *current,
                 const struct acc_place *places, const struct acc_point *candidates,
                 size_t n_candidates, uint32_t threshold_ms, size_t k, struct acc_pick *picks,
                 struct yl_err *err);

/* --- isochrones (isochrone.c) ----------------------------------------------------------- */

/*
 * A grid of travel times over the area of the graph: each cell's centre snapped to its
 * nearest node of the mode within max(cell size, 300 m), its time the node's plus that walk.
 * Cells square in metres, cell_m (100 m at least), at most 1M cells (the cell grows to fit).
 */
struct acc_iso_grid {
    double lat0, lon0;          /* south-west corner */
    double dlat, dlon;          /* cell size in degrees */
    uint32_t w, h;
    uint32_t *cell_ms;          /* row-major from the south; ACC_UNREACHED off the roads */
};

void acc_iso_grid_build(const struct acc_graph *g, const struct acc_times *t, double cell_m,
                        struct acc_iso_grid *out);
void acc_iso_grid_release(struct acc_iso_grid *grid);

/*
 * Append a GeoJSON FeatureCollection to b: one Feature per threshold (minutes, ascending),
 * a MultiPolygon of the cells within it (each row's runs of cells as rectangles, so the
 * polygons are exact unions of cells, never self-intersecting), with properties minutes,
 * mode and cells. YL_ETOOBIG when b's maximum is reached.
 */
int acc_iso_geojson(const struct acc_iso_grid *grid, enum acc_mode mode, const int *minutes,
                    size_t n_minutes, struct buf *b, struct yl_err *err);

/* --- the registry's facilities and villages (sites.c) ----------------------------------- */

/* Which facilities a circle counts (docs/access.md says why each type is in or out). */
enum acc_set { ACC_SET_PRIMARY, ACC_SET_EMERGENCY, ACC_N_SETS };
const char *acc_set_name(enum acc_set set);
bool acc_set_parse(const char *s, enum acc_set *out);
/* Whether an active facility of a type (enum facility_type) with services (bits of enum
 * service) belongs to the set. */
bool acc_set_has(enum acc_set set, int facility_type, uint32_t services);

#define ACC_CODE_MAX 32
#define ACC_NAME_MAX 260

struct acc_site_rec {
    char code[ACC_CODE_MAX + 1];
    char name[ACC_NAME_MAX];
    char ou_code[ACC_CODE_MAX + 1];
    int type;                   /* enum facility_type */
};

struct acc_unit_rec {
    char code[ACC_CODE_MAX + 1];
    char name[ACC_NAME_MAX];
    int level;                  /* 1 province … 5 village (adcode levels) */
    bool has_clinic;            /* a facility of the set is registered in this unit */
};

/* What sites.c reads: the set's active facilities with coordinates, every org unit, and one
 * place per unit of level 5 that has coordinates and a population (latest year). */
struct acc_region {
    enum acc_set set;
    struct acc_point *sites;
    struct acc_site_rec *site_recs;
    size_t n_sites;
    size_t sites_without_coord;     /* facilities of the set left out */
    struct acc_unit_rec *units;
    int32_t *parent;                /* per unit, -1 at a root */
    size_t n_units;
    struct acc_place *places;
    size_t n_places;
    size_t villages_without_coord;  /* level-5 units with people but no coordinates */
};

/* Read the region from the store. Heap-owned; acc_region_release frees it. */
int acc_region_load(struct store *st, enum acc_set set, struct acc_region *out,
                    struct yl_err *err);
void acc_region_release(struct acc_region *r);
/* The unit of a code, or -1. */
long acc_region_unit(const struct acc_region *r, const char *code);
/* Level-5 units with people and no facility of the set, as candidate points (heap array of
 * *n entries; cand_place[i] is the place index of candidate i; both freed by the caller). */
void acc_region_candidates(const struct acc_region *r, struct acc_point **cand,
                           size_t **cand_place, size_t *n);
/* Add places from a population grid CSV (columns lat, lon, people; other columns ignored),
 * each with unit -1. YL_EINVAL naming the line for a bad row; YL_EIO when unreadable. */
int acc_region_add_grid(struct acc_region *r, const char *path, struct yl_err *err);

/* Keep only the places of units whose code starts with root (a subtree; "" keeps all). */
void acc_region_restrict(struct acc_region *r, const char *root);

/* --- one question about the circle (circle.c): the region, its sites and their times ---- */

struct acc_circle_opts {
    enum acc_set set;
    enum acc_mode mode;
    const char *ou;             /* only the population of this subtree; NULL or "": all */
    const char *grid_csv;       /* population grid CSV instead of the villages; NULL: none */
    const struct acc_change *changes;   /* what-if changes to the set's sites */
    size_t n_changes;
};

struct acc_circle {
    struct acc_region region;   /* sites after the changes; site_recs of added sites empty */
    long *site_from;            /* per site its original index, -1 for an added one */
    struct acc_times times;
    enum acc_set set;
    enum acc_mode mode;
};

/* The direction a set is travelled by a mode: an emergency by car is an ambulance coming
 * from the station (ACC_FROM_SOURCE); everything else is residents going to the facility. */
enum acc_direction acc_set_direction(enum acc_set set, enum acc_mode mode);

/*
 * Load the region (acc_region_load), keep the population of the subtree o->ou (YL_ENOTFOUND
 * naming "ou" for an unknown unit), add a grid when given (then the villages are left out,
 * so nobody counts twice), apply the changes, and compute every place's time. Heap-owned;
 * acc_circle_release frees it.
 */
int acc_circle_run(struct store *st, const struct acc_graph *g, const struct acc_circle_opts *o,
                   struct acc_circle *out, struct yl_err *err);
void acc_circle_release(struct acc_circle *c);

/* The two indicator rows of the circle: population share within 15 minutes of primary care
 * (walking) and of emergency care (by car, the ambulance coming). */
struct acc_indicator {
    const char *code;           /* "primary_care_15min", "emergency_care_15min" */
    const char *name;
    enum acc_set set;
    enum acc_mode mode;
    double people, within;      /* within 15 minutes */
    uint32_t sites;
};
#define ACC_N_INDICATORS 2
/* Both rows for the subtree `ou` (NULL: the whole region). Errors as acc_circle_run. */
int acc_indicators(struct store *st, const struct acc_graph *g, const char *ou,
                   struct acc_indicator rows[ACC_N_INDICATORS], struct yl_err *err);

#endif
