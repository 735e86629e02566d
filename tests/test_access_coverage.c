/*
 * test_access_coverage.c - coverage, catchment, underserved villages, what-if, proposals and
 * isochrones (src/access/coverage.h) on a hand-made region whose every number is worked out
 * by hand below.
 *
 * One straight residential road on the equator, eleven road nodes 0..10 one step apart
 * (0.0045 degrees = 500.39 m; walking at 4 km/h one step takes 450.35 s = 7.51 min):
 *
 *   step   0    1    2    3    4    5    6    7    8    9    10
 *          F0   V1'  V2             F1   V3                  V4
 *          V0   (V1 lies 0.0009 deg = 100.08 m north of step 1: a walk of 90.07 s)
 *
 *   village  people  unit  nearest  walk time                      within 5 10 15 30 min
 *   V0        100    T1    F0       0 s                                   x  x  x  x
 *   V1        200    T1    F0       450.35 + 90.07 = 540.42 s (9.0 min)      x  x  x
 *   V2        300    T1    F0 (tie) 900.70 s (15.01 min) to F0 and to F1           x
 *   V3        400    T2    F1       450.35 s (7.51 min)                      x  x  x
 *   V4        500    T2    F1       6 steps = 2702.1 s (45.0 min)
 *
 * Units: T1 and T2 are townships under county C. Totals 1500 people: within 5 min 100,
 * 10 min 700, 15 min 700, 30 min 1000; T1 300 of 600 and T2 400 of 900 within 15 min.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "access/coverage.h"
#include "core/buf.h"
#include "core/err.h"
#include "support.h"
#include "vocab/vocab.h"
#include "test.h"

#define STEP 0.0045
#define MIN_MS(m) ((uint32_t)(m) * 60000u)

static const char speeds_csv[] =
    "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,implied_oneway,note\n"
    "residential,4,15,20,48,0,\n"
    "offroad,4,4,4,4,0,\n";

static struct acc_graph *graph;

static struct acc_graph *road(void)
{
    char osm[4096];
    size_t n = 0;
    struct acc_speeds sp;
    struct acc_build_report rep;
    struct yl_err err = {0};

    if (graph != NULL)
        return graph;
    n += (size_t)snprintf(osm + n, sizeof(osm) - n, "<?xml version='1.0'?>\n<osm version='0.6'>\n");
    for (int i = 0; i <= 10; i++)
        n += (size_t)snprintf(osm + n, sizeof(osm) - n, " <node id='%d' lat='0' lon='%.4f'/>\n",
                              i + 1, i * STEP);
    n += (size_t)snprintf(osm + n, sizeof(osm) - n, " <way id='1'>");
    for (int i = 0; i <= 10; i++)
        n += (size_t)snprintf(osm + n, sizeof(osm) - n, "<nd ref='%d'/>", i + 1);
    n += (size_t)snprintf(osm + n, sizeof(osm) - n,
                          "<tag k='highway' v='residential'/></way>\n</osm>\n");
    FILE *f = fopen(ts_path("line.osm"), "wb");
    fwrite(osm, 1, n, f);
    fclose(f);
    f = fmemopen((void *)speeds_csv, sizeof(speeds_csv) - 1, "r");
    int rc = acc_speeds_read(f, "speeds", &sp, &err);
    fclose(f);
    if (rc == 0)
        rc = acc_graph_build(ts_path("line.osm"), &sp, &graph, &rep, &err);
    if (rc != 0)
        fprintf(stderr, "    build: %s\n", yl_err_message(&err));
    return graph;
}

static struct acc_point at(int step)
{
    return (struct acc_point){0.0, step * STEP};
}

/* Units: 0 county C, 1 township T1, 2 township T2. */
static const int32_t parent[3] = {-1, 0, 0};

static struct acc_place places[5];

static void setup_places(void)
{
    places[0] = (struct acc_place){at(0), 100, 1};
    places[1] = (struct acc_place){{0.0009, STEP}, 200, 1};
    places[2] = (struct acc_place){at(2), 300, 1};
    places[3] = (struct acc_place){at(5), 400, 2};
    places[4] = (struct acc_place){at(10), 500, 2};
}

static int times(const struct acc_point *sites, size_t n, struct acc_times *t)
{
    struct yl_err err = {0};
    setup_places();
    int rc = acc_times_compute(road(), ACC_FOOT, ACC_TO_SOURCE, sites, n, places, 5, t, &err);
    if (rc != 0)
        fprintf(stderr, "    times: %s\n", yl_err_message(&err));
    return rc;
}

#define CHECK_NEAR(got, want, tol)                                                      \
    do {                                                                                \
        double g_ = (got), w_ = (want);                                                 \
        if (!(fabs(g_ - w_) <= (tol))) {                                                \
            TEST_FAIL_AT("%s == %s: %.3f != %.3f", #got, #want, g_, w_);                \
            return;                                                                     \
        }                                                                               \
    } while (0)

TEST(times_count_the_walk_to_the_road_and_ties_go_to_the_first_site)
{
    struct acc_point sites[2] = {at(0), at(4)};
    struct acc_times t;

    CHECK(road() != NULL);
    CHECK_INT(times(sites, 2, &t), 0);
    CHECK_NEAR(t.place_ms[0] / 1000.0, 0.0, 0.01);
    CHECK_NEAR(t.place_ms[1] / 1000.0, 540.42, 0.05);
    CHECK_NEAR(t.place_ms[2] / 1000.0, 900.70, 0.05);
    CHECK_NEAR(t.place_ms[3] / 1000.0, 450.35, 0.05);
    CHECK_NEAR(t.place_ms[4] / 1000.0, 2702.10, 0.1);
    CHECK_INT(t.place_site[0], 0);
    CHECK_INT(t.place_site[1], 0);
    CHECK_INT(t.place_site[2], 0);     /* the tie: both 900.70 s, the lower index wins */
    CHECK_INT(t.place_site[3], 1);
    CHECK_INT(t.place_site[4], 1);
    acc_times_release(&t);
}

TEST(coverage_per_unit_and_rolled_up_matches_the_hand_count)
{
    struct acc_point sites[2] = {at(0), at(4)};
    struct acc_times t;
    struct acc_cover_row rows[4];

    CHECK_INT(times(sites, 2, &t), 0);
    acc_coverage_sum(&t, places, parent, 3, MIN_MS(15), rows);
    /* All: 1500; within 5/10/15/30 = 100, 700, 700, 1000. */
    CHECK_NEAR(rows[3].people, 1500, 0);
    CHECK_NEAR(rows[3].within[0], 100, 0);
    CHECK_NEAR(rows[3].within[1], 700, 0);
    CHECK_NEAR(rows[3].within[2], 700, 0);
    CHECK_NEAR(rows[3].within[3], 1000, 0);
    CHECK_NEAR(rows[3].within_t, 700, 0);
    CHECK_INT(rows[3].places, 5);
    CHECK_INT(rows[3].places_within_t, 3);
    /* T1 = V0 + V1 + V2 = 600, within 15: V0, V1 = 300. T2 = 900, within 15: V3 = 400. */
    CHECK_NEAR(rows[1].people, 600, 0);
    CHECK_NEAR(rows[1].within_t, 300, 0);
    CHECK_NEAR(rows[2].people, 900, 0);
    CHECK_NEAR(rows[2].within_t, 400, 0);
    /* The county holds both townships. */
    CHECK_NEAR(rows[0].people, 1500, 0);
    CHECK_NEAR(rows[0].within_t, 700, 0);
    /* At 30 minutes V2 joins: 1000. */
    acc_coverage_sum(&t, places, parent, 3, MIN_MS(30), rows);
    CHECK_NEAR(rows[0].within_t, 1000, 0);
    acc_times_release(&t);
}

TEST(catchment_is_the_people_nearest_each_site)
{
    struct acc_point sites[2] = {at(0), at(4)};
    struct acc_times t;
    double all[2], within[2];

    CHECK_INT(times(sites, 2, &t), 0);
    acc_catchment_sum(&t, places, 2, MIN_MS(15), all, within);
    CHECK_NEAR(all[0], 600, 0);        /* V0, V1, V2 (the tie) */
    CHECK_NEAR(all[1], 900, 0);        /* V3, V4 */
    CHECK_NEAR(within[0], 300, 0);     /* V0, V1 */
    CHECK_NEAR(within[1], 400, 0);     /* V3 */
    acc_times_release(&t);
}

TEST(underserved_lists_villages_beyond_the_threshold_most_people_first)
{
    struct acc_point sites[2] = {at(0), at(4)};
    struct acc_times t;
    size_t idx[5];

    CHECK_INT(times(sites, 2, &t), 0);
    CHECK_INT(acc_underserved(&t, places, MIN_MS(15), idx), 2);
    CHECK_INT(idx[0], 4);      /* V4, 500 people, 45 min */
    CHECK_INT(idx[1], 2);      /* V2, 300 people, 15.01 min: just beyond */
    CHECK_INT(acc_underserved(&t, places, MIN_MS(60), idx), 0);
    acc_times_release(&t);
}

TEST(no_sites_leaves_everyone_unreached)
{
    struct acc_times t;
    struct acc_cover_row rows[4];
    size_t idx[5];

    CHECK_INT(times(NULL, 0, &t), 0);
    CHECK(t.place_ms[0] == ACC_UNREACHED);
    CHECK_INT(t.place_site[0], -1);
    acc_coverage_sum(&t, places, parent, 3, MIN_MS(15), rows);
    CHECK_NEAR(rows[3].people, 1500, 0);
    CHECK_NEAR(rows[3].within[3], 0, 0);
    CHECK_INT(acc_underserved(&t, places, MIN_MS(15), idx), 5);
    acc_times_release(&t);
}

static double covered15(const struct acc_point *sites, size_t n)
{
    struct acc_times t;
    struct acc_cover_row rows[4];
    if (times(sites, n, &t) != 0)
        return -1;
    acc_coverage_sum(&t, places, parent, 3, MIN_MS(15), rows);
    acc_times_release(&t);
    return rows[3].within_t;
}

TEST(whatif_close_add_and_move_change_coverage_as_worked_out)
{
    struct acc_point sites[2] = {at(0), at(4)};
    struct acc_point *after;
    long *from;
    size_t n;
    struct yl_err err = {0};

    /* Close F1: V3 is 5 steps from F0 (37.5 min); within 15 only V0, V1 = 300. */
    struct acc_change close1 = {ACC_CHANGE_CLOSE, 1, {0, 0}};
    CHECK_INT(acc_sites_apply(sites, 2, &close1, 1, &after, &from, &n, &err), 0);
    CHECK_INT(n, 1);
    CHECK_INT(from[0], 0);
    CHECK_NEAR(covered15(after, n), 300, 0);
    free(after);
    free(from);

    /* Add a site at step 10: V4 at 0 min; 700 + 500 = 1200. */
    struct acc_change add = {ACC_CHANGE_ADD, 0, at(10)};
    CHECK_INT(acc_sites_apply(sites, 2, &add, 1, &after, &from, &n, &err), 0);
    CHECK_INT(n, 3);
    CHECK_INT(from[2], -1);
    CHECK_NEAR(covered15(after, n), 1200, 0);
    free(after);
    free(from);

    /* Move F1 to step 2: V2 at 0, V3 3 steps (22.5 min): V0, V1, V2 = 600. */
    struct acc_change move = {ACC_CHANGE_MOVE, 1, at(2)};
    CHECK_INT(acc_sites_apply(sites, 2, &move, 1, &after, &from, &n, &err), 0);
    CHECK_NEAR(covered15(after, n), 600, 0);
    free(after);
    free(from);
}

TEST(whatif_refuses_unknown_or_closed_sites_and_bad_points)
{
    struct acc_point sites[2] = {at(0), at(4)};
    struct acc_point *after;
    long *from;
    size_t n;
    struct yl_err err = {0};
    struct acc_change bad_site = {ACC_CHANGE_CLOSE, 7, {0, 0}};
    struct acc_change twice[2] = {{ACC_CHANGE_CLOSE, 0, {0, 0}}, {ACC_CHANGE_MOVE, 0, {0, 0}}};
    struct acc_change bad_point = {ACC_CHANGE_ADD, 0, {91, 0}};

    CHECK_INT(acc_sites_apply(sites, 2, &bad_site, 1, &after, &from, &n, &err), YL_EINVAL);
    CHECK_STR(err.field, "changes");
    CHECK_CONTAINS(err.message, "no such facility");
    yl_err_clear(&err);
    CHECK_INT(acc_sites_apply(sites, 2, twice, 2, &after, &from, &n, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "change 2: the facility is closed");
    yl_err_clear(&err);
    CHECK_INT(acc_sites_apply(sites, 2, &bad_point, 1, &after, &from, &n, &err), YL_EINVAL);
    CHECK(after == NULL);
}

TEST(propose_picks_the_largest_gain_first_and_stops_when_nothing_gains)
{
    struct acc_point sites[2] = {at(0), at(4)};
    /* Uncovered at 15 min: V2 (300, step 2) and V4 (500, step 10).
     * A at step 2 covers V2 (300); B at step 9 covers V4 (one step, 500); C at step 10 covers
     * V4 too (500, a tie with B: B has the lower index); D at step 7 reaches V4 in 3 steps
     * (22.5 min) and V3 is covered already: gain 0. Greedy: B (500), then A (300), then
     * nothing gains - C's 500 is stale and falls to 0 once re-evaluated. */
    struct acc_point cand[4] = {at(2), at(9), at(10), at(7)};
    struct acc_pick picks[4];
    struct acc_times t;
    struct yl_err err = {0};

    CHECK_INT(times(sites, 2, &t), 0);
    long n = acc_propose(road(), ACC_FOOT, &t, places, cand, 4, MIN_MS(15), 4, picks, &err);
    CHECK_INT(n, 2);
    CHECK_INT(picks[0].candidate, 1);
    CHECK_NEAR(picks[0].gain, 500, 0);
    CHECK_INT(picks[0].places, 1);
    CHECK_INT(picks[1].candidate, 0);
    CHECK_NEAR(picks[1].gain, 300, 0);
    /* k = 1 stops after the first pick. */
    CHECK_INT(acc_propose(road(), ACC_FOOT, &t, places, cand, 4, MIN_MS(15), 1, picks, &err), 1);
    CHECK_INT(picks[0].candidate, 1);
    acc_times_release(&t);
}

TEST(propose_with_overlapping_candidates_takes_the_union_not_the_sum)
{
    /* No sites at all; T = 10 min. Candidate X at step 1 covers V0 (1 step 7.5 min) and V1
     * (90 s off the road at its own node: 1.5 min) and V2 (7.5 min): 600. Y at step 0 covers
     * V0, V1 (9.0 min): 300. Z at step 5 covers V3: 400. Greedy: X 600, Z 400, then Y's 300 is
     * stale and worth 0 now. */
    struct acc_point cand[3] = {at(1), at(0), at(5)};
    struct acc_pick picks[3];
    struct acc_times t;
    struct yl_err err = {0};

    CHECK_INT(times(NULL, 0, &t), 0);
    long n = acc_propose(road(), ACC_FOOT, &t, places, cand, 3, MIN_MS(10), 3, picks, &err);
    CHECK_INT(n, 2);
    CHECK_INT(picks[0].candidate, 0);
    CHECK_NEAR(picks[0].gain, 600, 0);
    CHECK_INT(picks[1].candidate, 2);
    CHECK_NEAR(picks[1].gain, 400, 0);
    acc_times_release(&t);
}

TEST(isochrone_geojson_grows_with_the_minutes_and_stays_on_the_road)
{
    struct acc_point sites[1] = {at(0)};
    struct acc_times t;
    struct acc_iso_grid grid;
    struct buf b;
    struct yl_err err = {0};
    int minutes[3] = {15, 5, 30};

    CHECK_INT(times(sites, 1, &t), 0);
    acc_iso_grid_build(road(), &t, 100, &grid);
    CHECK(grid.w > 0 && grid.h > 0);
    buf_init(&b, 1 << 22);
    CHECK_INT(acc_iso_geojson(&grid, ACC_FOOT, minutes, 3, &b, &err), 0);
    json_error_t jerr;
    json_t *fc = json_loads(b.data, 0, &jerr);
    CHECK(fc != NULL);
    json_t *features = json_object_get(fc, "features");
    CHECK_INT(json_array_size(features), 3);
    long cells[3];
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_object_get(json_array_get(features, i), "properties");
        cells[i] = (long)json_integer_value(json_object_get(p, "cells"));
    }
    /* Sorted ascending: 5, 15, 30 minutes; each strictly larger. At 4 km/h 5 minutes is
     * 333 m of road, so the 5-minute area has a few 100 m cells, never zero. */
    CHECK_INT(json_integer_value(json_object_get(
                  json_object_get(json_array_get(features, 0), "properties"), "minutes")), 5);
    CHECK(cells[0] > 0 && cells[0] < cells[1] && cells[1] < cells[2]);
    /* Every polygon is a closed ring of five points. */
    json_t *poly = json_array_get(json_object_get(json_object_get(json_array_get(features, 0),
                                                                 "geometry"), "coordinates"), 0);
    json_t *ring = json_array_get(poly, 0);
    CHECK_INT(json_array_size(ring), 5);
    CHECK(json_equal(json_array_get(ring, 0), json_array_get(ring, 4)));
    json_decref(fc);
    buf_release(&b);
    /* A tiny maximum is refused, not cut. */
    buf_init(&b, 64);
    CHECK_INT(acc_iso_geojson(&grid, ACC_FOOT, minutes, 3, &b, &err), YL_ETOOBIG);
    buf_release(&b);
    acc_iso_grid_release(&grid);
    acc_times_release(&t);
}

TEST(sets_map_facility_types_and_the_emergency_service)
{
    enum acc_set s;
    CHECK(acc_set_parse("primary", &s) && s == ACC_SET_PRIMARY);
    CHECK(acc_set_parse("emergency", &s) && s == ACC_SET_EMERGENCY);
    CHECK(!acc_set_parse("dental", &s));
    CHECK(acc_set_has(ACC_SET_PRIMARY, FT_VILLAGE_CLINIC, 0));
    CHECK(!acc_set_has(ACC_SET_EMERGENCY, FT_VILLAGE_CLINIC, 0));
    CHECK(acc_set_has(ACC_SET_EMERGENCY, FT_EMERGENCY_STATION, 0));
    CHECK(!acc_set_has(ACC_SET_EMERGENCY, FT_COUNTY_HOSPITAL, 0));
    CHECK(acc_set_has(ACC_SET_EMERGENCY, FT_COUNTY_HOSPITAL, 1u << SVC_EMERGENCY));
    CHECK(!acc_set_has(ACC_SET_PRIMARY, FT_CDC, 0));
}

TEST(population_grid_csv_adds_cells_and_names_a_bad_line)
{
    struct acc_region r;
    struct yl_err err = {0};
    const char *good = ts_path("grid.csv"), *bad = ts_path("bad-grid.csv");
    FILE *f = fopen(good, "w");
    fprintf(f, "lat,lon,people,note\n0,0,120,a\n0.001,0.0045,80.5,b\n");
    fclose(f);
    f = fopen(bad, "w");
    fprintf(f, "lat,lon,people\n0,0,1\n0,181,5\n");
    fclose(f);

    memset(&r, 0, sizeof(r));
    CHECK_INT(acc_region_add_grid(&r, good, &err), 0);
    CHECK_INT(r.n_places, 2);
    CHECK_NEAR(r.places[1].people, 80.5, 0);
    CHECK_INT(r.places[1].unit, -1);
    CHECK_INT(acc_region_add_grid(&r, bad, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "line 3");
    CHECK_STR(err.field, "population");
    yl_err_clear(&err);
    CHECK_INT(acc_region_add_grid(&r, ts_path("missing.csv"), &err), YL_EIO);
    acc_region_release(&r);
}

static void cleanup(void)
{
    acc_graph_free(graph);
}

TEST(zz_release_graph)
{
    cleanup();
    graph = NULL;
}

TEST_MAIN()
