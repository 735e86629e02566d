/*
 * test_access.c - the road network (src/access/): OSM import, per-mode access and speeds,
 * components, snapping, shortest paths, the graph file, bad input; then the real Monaco
 * extract against routino's reference times when ../shared/data is at hand.
 *
 * The small network is written here as OSM XML on the equator and on meridians, where a
 * great-circle distance is simply R x (angle in radians), so every expected time is worked
 * out by hand from the coordinates, not by the code under test:
 *
 *      F ...footway... D ===== E             north row, lat 0.0045
 *      |private        ^ one-way   |
 *      A ------------- B --------- C --- K --- L ==motorway== M    equator
 *      : ferry                                                (L->M and M->L, one-way)
 *      G ...footway... H                     lat -0.009
 *                                          island I --- J far away (dropped)
 *
 * One grid step is 0.0045 degrees = 500.39 m.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/access.h"
#include "core/err.h"
#include "support.h"
#include "test.h"

#define STEP_DEG 0.0045
#define EARTH_M 6371008.8
#define SHARED_PBF "../shared/data/monaco.osm.pbf"
#define SHARED_REF "../shared/data/monaco-routino-reference.csv"

/* Metres along the equator or a meridian for an angle in degrees. */
static double arc_m(double deg)
{
    return EARTH_M * deg * M_PI / 180.0;
}

/* Seconds to cover metres at km/h. */
static double secs(double m, double kmh)
{
    return m / (kmh / 3.6);
}

/* The speeds of the tests: the shipped values for these types, written out so that a change
 * of data/road-speeds.csv does not silently change what these tests expect. */
static const char test_speeds_csv[] =
    "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,implied_oneway,note\n"
    "motorway,0,0,0,112,1,\n"
    "primary,4,15,20,96,0,\n"
    "residential,4,15,20,48,0,\n"
    "footway,4,5,5,0,0,\n"
    "ferry,10,10,10,10,0,\n"
    "offroad,4,4,4,4,0,\n";

static const char test_osm[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<osm version='0.6' generator='test_access'>\n"
    " <node id='1' lat='0' lon='0'/>\n"                  /* A */
    " <node id='2' lat='0' lon='0.0045'/>\n"             /* B */
    " <node id='3' lat='0' lon='0.009'/>\n"              /* C */
    " <node id='4' lat='0.0045' lon='0.0045'/>\n"        /* D */
    " <node id='5' lat='0.0045' lon='0.009'/>\n"         /* E */
    " <node id='6' lat='0.0045' lon='0'/>\n"             /* F */
    " <node id='7' lat='-0.009' lon='0'/>\n"             /* G */
    " <node id='8' lat='-0.009' lon='0.0045'/>\n"        /* H */
    " <node id='9' lat='0' lon='0.0135'/>\n"             /* K */
    " <node id='10' lat='0' lon='0.018'/>\n"             /* L */
    " <node id='11' lat='0' lon='0.0225'/>\n"            /* M */
    " <node id='12' lat='0.05' lon='0.05'/>\n"           /* I */
    " <node id='13' lat='0.05' lon='0.0545'/>\n"         /* J */
    " <node id='14' lat='0.02' lon='0.02'><tag k='amenity' v='clinic'/></node>\n"
    " <way id='100'><nd ref='1'/><nd ref='2'/><nd ref='3'/>"
    "<tag k='highway' v='residential'/><tag k='name' v='Main'/></way>\n"
    " <way id='101'><nd ref='2'/><nd ref='4'/>"
    "<tag k='highway' v='residential'/><tag k='oneway' v='yes'/></way>\n"
    " <way id='102'><nd ref='4'/><nd ref='5'/><nd ref='3'/>"
    "<tag k='highway' v='residential'/></way>\n"
    " <way id='103'><nd ref='1'/><nd ref='6'/>"
    "<tag k='highway' v='residential'/><tag k='access' v='private'/></way>\n"
    " <way id='104'><nd ref='6'/><nd ref='4'/><tag k='highway' v='footway'/></way>\n"
    " <way id='105'><nd ref='1'/><nd ref='7'/><tag k='route' v='ferry'/></way>\n"
    " <way id='106'><nd ref='7'/><nd ref='8'/><tag k='highway' v='footway'/></way>\n"
    " <way id='107'><nd ref='3'/><nd ref='9'/>"
    "<tag k='highway' v='primary'/><tag k='maxspeed' v='30'/></way>\n"
    " <way id='108'><nd ref='9'/><nd ref='10'/>"
    "<tag k='highway' v='primary'/><tag k='maxspeed' v='20 mph'/></way>\n"
    " <way id='109'><nd ref='10'/><nd ref='11'/><tag k='highway' v='motorway'/></way>\n"
    " <way id='110'><nd ref='11'/><nd ref='10'/><tag k='highway' v='motorway'/></way>\n"
    " <way id='111'><nd ref='12'/><nd ref='13'/><tag k='highway' v='residential'/></way>\n"
    " <way id='112'><nd ref='1'/><nd ref='14'/><tag k='highway' v='proposed'/></way>\n"
    "</osm>\n";

static const struct acc_point P_A = {0, 0}, P_B = {0, 0.0045}, P_C = {0, 0.009},
                               P_D = {0.0045, 0.0045}, P_F = {0.0045, 0}, P_H = {-0.009, 0.0045},
                               P_K = {0, 0.0135}, P_L = {0, 0.018}, P_M = {0, 0.0225},
                               P_I = {0.05, 0.05};

/* ------------------------------------------------------------------ helpers */

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int test_speeds(struct acc_speeds *sp)
{
    struct yl_err err = {0};
    FILE *f = fmemopen((void *)test_speeds_csv, sizeof(test_speeds_csv) - 1, "r");
    int rc = acc_speeds_read(f, "test speeds", sp, &err);
    fclose(f);
    if (rc != 0)
        fprintf(stderr, "    speeds: %s\n", yl_err_message(&err));
    return rc;
}

/* The small network, built once for the tests that read it. */
static struct acc_graph *small_graph;
static struct acc_build_report small_report;

static struct acc_graph *small(void)
{
    struct acc_speeds sp;
    struct yl_err err = {0};
    const char *path = ts_path("small.osm");

    if (small_graph != NULL)
        return small_graph;
    if (test_speeds(&sp) != 0 || write_file(path, test_osm, sizeof(test_osm) - 1) != 0)
        return NULL;
    if (acc_graph_build(path, &sp, &small_graph, &small_report, &err) != 0)
        fprintf(stderr, "    build: %s\n", yl_err_message(&err));
    return small_graph;
}

/* Network seconds of the quickest route, or -1 with the error printed. */
static double route_s(struct acc_graph *g, enum acc_mode mode, struct acc_point a,
                      struct acc_point b)
{
    struct acc_search *s = acc_search_new(g);
    struct acc_route r;
    struct yl_err err = {0};
    int rc = acc_route(s, mode, a, b, 100.0, &r, &err);
    acc_search_free(s);
    if (rc != 0) {
        fprintf(stderr, "    route: %s\n", yl_err_message(&err));
        return -1.0;
    }
    return r.network_time_s;
}

/* Within 20 ms: the sum of per-piece times rounded to the millisecond. */
#define CHECK_SECS(got, want)                                                           \
    do {                                                                                \
        double g_ = (got), w_ = (want);                                                 \
        if (!(fabs(g_ - w_) <= 0.02)) {                                                 \
            TEST_FAIL_AT("%s == %s: %.3f s != %.3f s", #got, #want, g_, w_);            \
            return;                                                                     \
        }                                                                               \
    } while (0)

/* ------------------------------------------------------------------ speed table */

TEST(speeds_shipped_table_matches_routino_for_car_and_foot)
{
    struct acc_speeds sp;
    struct yl_err err = {0};
    /* routino 3.3.3's profiles.xml, km/h: motorcar and foot. */
    static const struct {
        const char *hw;
        double car, foot;
    } routino[] = {
        {"motorway", 112, 0}, {"trunk", 96, 4},      {"primary", 96, 4},
        {"secondary", 88, 4}, {"tertiary", 80, 4},   {"unclassified", 64, 4},
        {"residential", 48, 4}, {"service", 32, 4},  {"track", 16, 4},
        {"cycleway", 0, 4},   {"path", 0, 4},        {"steps", 0, 4},
        {"ferry", 10, 10},
    };

    CHECK_INT(acc_speeds_load("data/road-speeds.csv", &sp, &err), 0);
    for (size_t i = 0; i < sizeof(routino) / sizeof(routino[0]); i++) {
        const struct acc_speed_row *r = acc_speeds_find(&sp, routino[i].hw);
        CHECK(r != NULL);
        CHECK_INT(r->kmh[ACC_CAR], routino[i].car);
        CHECK_INT(r->kmh[ACC_FOOT], routino[i].foot);
    }
    CHECK(acc_speeds_find(&sp, "proposed") == NULL);
    CHECK_INT(sp.offroad_kmh, 4);
    CHECK(acc_speeds_find(&sp, "motorway")->implied_oneway);
}

TEST(speeds_bad_table_is_refused_with_its_line)
{
    static const char bad_speed[] = "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,"
                                    "implied_oneway\nresidential,4,15,20,fast,0\n"
                                    "offroad,4,4,4,4,0\n";
    static const char no_offroad[] = "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,"
                                     "implied_oneway\nresidential,4,15,20,48,0\n";
    static const char twice[] = "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,"
                                "implied_oneway\nresidential,4,15,20,48,0\n"
                                "residential,4,15,20,40,0\noffroad,4,4,4,4,0\n";
    struct acc_speeds sp;
    struct yl_err err = {0};
    FILE *f;

    f = fmemopen((void *)bad_speed, sizeof(bad_speed) - 1, "r");
    CHECK_INT(acc_speeds_read(f, "t.csv", &sp, &err), YL_EINVAL);
    fclose(f);
    CHECK_CONTAINS(err.message, "line 2");
    CHECK_CONTAINS(err.message, "car_kmh");
    yl_err_clear(&err);
    f = fmemopen((void *)no_offroad, sizeof(no_offroad) - 1, "r");
    CHECK_INT(acc_speeds_read(f, "t.csv", &sp, &err), YL_EINVAL);
    fclose(f);
    CHECK_CONTAINS(err.message, "offroad");
    yl_err_clear(&err);
    f = fmemopen((void *)twice, sizeof(twice) - 1, "r");
    CHECK_INT(acc_speeds_read(f, "t.csv", &sp, &err), YL_EINVAL);
    fclose(f);
    CHECK_CONTAINS(err.message, "twice");
    yl_err_clear(&err);
    CHECK_INT(acc_speeds_load(ts_path("nope.csv"), &sp, &err), YL_EIO);
}

TEST(modes_parse_their_names_and_the_issue_aliases)
{
    enum acc_mode m;
    CHECK(acc_mode_parse("walk", &m) && m == ACC_FOOT);
    CHECK(acc_mode_parse("bike", &m) && m == ACC_BICYCLE);
    CHECK(acc_mode_parse("ebike", &m) && m == ACC_EBIKE);
    CHECK(acc_mode_parse("drive", &m) && m == ACC_CAR);
    CHECK(!acc_mode_parse("plane", &m));
    CHECK_STR(acc_mode_name(ACC_CAR), "car");
}

/* ------------------------------------------------------------------ the small network */

TEST(build_reports_what_it_kept_and_dropped)
{
    struct acc_graph *g = small();
    CHECK(g != NULL);
    CHECK_INT(small_report.osm_nodes, 14);
    CHECK_INT(small_report.osm_ways, 13);
    /* Every way but the proposed one and the private one (closed to every mode); the
     * island is read, then dropped. */
    CHECK_INT(small_report.road_ways, 11);
    /* The island I-J is its own component: its 2 nodes and the 10 that cut its 500.39 m
     * into 11 pieces of at most 50 m. */
    for (int m = 0; m < ACC_N_MODES; m++)
        CHECK(small_report.mode_components_dropped[m] >= 1);
    CHECK_INT(small_report.nodes_dropped, 12);
    CHECK_INT(small_report.mode_nodes_dropped[ACC_CAR], 12);
    CHECK_INT(acc_graph_edges(g, ACC_CAR), small_report.mode_edges[ACC_CAR]);
    CHECK(acc_graph_mode_nodes(g, ACC_FOOT) > acc_graph_mode_nodes(g, ACC_CAR));
}

TEST(streets_take_their_length_at_each_modes_speed)
{
    struct acc_graph *g = small();
    double a_c = arc_m(2 * STEP_DEG);
    CHECK(g != NULL);
    CHECK_SECS(route_s(g, ACC_CAR, P_A, P_C), secs(a_c, 48));
    CHECK_SECS(route_s(g, ACC_FOOT, P_A, P_C), secs(a_c, 4));
    CHECK_SECS(route_s(g, ACC_BICYCLE, P_A, P_C), secs(a_c, 15));
    CHECK_SECS(route_s(g, ACC_EBIKE, P_A, P_C), secs(a_c, 20));
    CHECK_SECS(route_s(g, ACC_CAR, P_C, P_A), secs(a_c, 48));
}

TEST(one_way_street_binds_vehicles_not_walkers)
{
    struct acc_graph *g = small();
    double step = arc_m(STEP_DEG);
    CHECK(g != NULL);
    CHECK_SECS(route_s(g, ACC_CAR, P_B, P_D), secs(step, 48));
    /* Back from D: round by E and C. */
    CHECK_SECS(route_s(g, ACC_CAR, P_D, P_B), secs(3 * step, 48));
    CHECK_SECS(route_s(g, ACC_BICYCLE, P_D, P_B), secs(3 * step, 15));
    CHECK_SECS(route_s(g, ACC_FOOT, P_D, P_B), secs(step, 4));
}

TEST(private_way_is_closed_to_every_mode)
{
    struct acc_graph *g = small();
    struct acc_snap s;
    double step = arc_m(STEP_DEG);
    CHECK(g != NULL);
    /* A to F on foot goes by B and D, not along the private road. */
    CHECK_SECS(route_s(g, ACC_FOOT, P_A, P_F), secs(3 * step, 4));
    /* By bicycle the last leg is the footway, pushed at 5 km/h. */
    CHECK_SECS(route_s(g, ACC_BICYCLE, P_A, P_F), secs(2 * step, 15) + secs(step, 5));
    /* No car reaches F: its nearest car node is 500 m away, beyond a 100 m limit. */
    CHECK(!acc_snap_point(g, ACC_CAR, P_F, 100.0, &s));
    CHECK_INT(s.node, ACC_NO_NODE);
}

TEST(ferry_carries_walkers_but_not_cars_untagged)
{
    struct acc_graph *g = small();
    struct acc_snap s;
    CHECK(g != NULL);
    CHECK_SECS(route_s(g, ACC_FOOT, P_A, P_H),
               secs(arc_m(2 * STEP_DEG), 10) + secs(arc_m(STEP_DEG), 4));
    CHECK(!acc_snap_point(g, ACC_CAR, P_H, 100.0, &s));
}

TEST(maxspeed_lowers_the_car_speed_in_kmh_and_mph)
{
    struct acc_graph *g = small();
    double step = arc_m(STEP_DEG);
    CHECK(g != NULL);
    CHECK_SECS(route_s(g, ACC_CAR, P_C, P_K), secs(step, 30));
    CHECK_SECS(route_s(g, ACC_CAR, P_K, P_L), secs(step, 20 * 1.609344));
    /* A walker is not slowed by a speed limit. */
    CHECK_SECS(route_s(g, ACC_FOOT, P_C, P_K), secs(step, 4));
}

TEST(motorway_is_one_way_by_default_and_cars_only)
{
    struct acc_graph *g = small();
    struct acc_snap s;
    CHECK(g != NULL);
    CHECK_SECS(route_s(g, ACC_CAR, P_L, P_M), secs(arc_m(STEP_DEG), 112));
    CHECK(!acc_snap_point(g, ACC_FOOT, P_M, 100.0, &s));
    CHECK(!acc_snap_point(g, ACC_BICYCLE, P_M, 100.0, &s));
}

TEST(island_is_dropped_so_nothing_snaps_to_it)
{
    struct acc_graph *g = small();
    struct acc_snap s;
    CHECK(g != NULL);
    for (int m = 0; m < ACC_N_MODES; m++)
        CHECK(!acc_snap_point(g, (enum acc_mode)m, P_I, 1000.0, &s));
}

/* ------------------------------------------------------------------ snapping */

TEST(snap_finds_the_nearest_node_and_walks_it)
{
    struct acc_graph *g = small();
    struct acc_snap s;
    struct acc_point near_b = {-0.00018, 0.0045};   /* 20.0 m south of B */
    CHECK(g != NULL);
    CHECK(acc_snap_point(g, ACC_CAR, near_b, 100.0, &s));
    struct acc_point at = acc_graph_node_point(g, s.node);
    CHECK(fabs(at.lat - P_B.lat) < 1e-9 && fabs(at.lon - P_B.lon) < 1e-9);
    CHECK(fabs(s.distance_m - arc_m(0.00018)) < 0.01);
    CHECK_INT(s.walk_ms, lround(secs(arc_m(0.00018), 4) * 1000));

    /* A route from that point walks the 20 m, then drives. */
    struct acc_search *se = acc_search_new(g);
    struct acc_route r;
    struct yl_err err = {0};
    CHECK_INT(acc_route(se, ACC_CAR, near_b, P_C, 100.0, &r, &err), 0);
    acc_search_free(se);
    CHECK_SECS(r.time_s, secs(arc_m(0.00018), 4) + secs(arc_m(STEP_DEG), 48));
    CHECK(fabs(r.length_m - arc_m(0.00018) - arc_m(STEP_DEG)) < 0.05);
}

TEST(snap_refuses_points_beyond_the_limit)
{
    struct acc_graph *g = small();
    struct acc_snap s;
    /* Inside the block A-B-D-F: 0.002 degrees (222 m) from the nearest street. */
    struct acc_point inside = {0.0025, 0.0025};
    CHECK(g != NULL);
    CHECK(!acc_snap_point(g, ACC_FOOT, inside, 200.0, &s));
    CHECK(acc_snap_point(g, ACC_FOOT, inside, 300.0, &s));
    CHECK(s.distance_m >= arc_m(0.002) - 0.01 && s.distance_m < 300.0);

    struct acc_search *se = acc_search_new(g);
    struct acc_route r;
    struct yl_err err = {0};
    CHECK_INT(acc_route(se, ACC_FOOT, inside, P_C, 200.0, &r, &err), YL_ENOTFOUND);
    acc_search_free(se);
    CHECK_CONTAINS(err.message, "from: no road for foot within 200 m");
    /* Outside the globe is refused, not searched. */
    CHECK(!acc_snap_point(g, ACC_FOOT, (struct acc_point){91, 0}, 300.0, &s));
    CHECK(!acc_snap_point(g, ACC_FOOT, (struct acc_point){NAN, 0}, 300.0, &s));
}

/* ------------------------------------------------------------------ multi-source */

/* Index of the node at p (a node of the network), or ACC_NO_NODE. */
static uint32_t node_at(struct acc_graph *g, enum acc_mode m, struct acc_point p)
{
    struct acc_snap s;
    return acc_snap_point(g, m, p, 1.0, &s) ? s.node : ACC_NO_NODE;
}

TEST(nearest_facility_gives_every_node_its_time_and_source)
{
    struct acc_graph *g = small();
    struct acc_snap src[2];
    struct yl_err err = {0};
    double step = arc_m(STEP_DEG);
    CHECK(g != NULL);
    uint32_t n = acc_graph_nodes(g);
    uint32_t *t = calloc(n, sizeof(*t));
    int32_t *near = calloc(n, sizeof(*near));
    struct acc_search *s = acc_search_new(g);
    uint32_t b = node_at(g, ACC_CAR, P_B), d = node_at(g, ACC_CAR, P_D);
    uint32_t k = node_at(g, ACC_CAR, P_K), h = node_at(g, ACC_FOOT, P_H);

    CHECK(acc_snap_point(g, ACC_CAR, P_A, 10.0, &src[0]));
    CHECK(acc_snap_point(g, ACC_CAR, P_C, 10.0, &src[1]));
    long reached = acc_nearest_sources(s, ACC_CAR, ACC_TO_SOURCE, src, 2, ACC_UNREACHED, t,
                                       near, &err);
    CHECK_INT(reached, acc_graph_mode_nodes(g, ACC_CAR));
    /* B is as near to A as to C: the tie goes to the lower index. */
    CHECK_INT(near[b], 0);
    CHECK_SECS(t[b] / 1000.0, secs(step, 48));
    /* From D a car cannot go back down the one-way street: C by E is nearest. */
    CHECK_INT(near[d], 1);
    CHECK_SECS(t[d] / 1000.0, secs(2 * step, 48));
    /* The other way (an ambulance leaving A or C), D is 2 steps from both: index 0 wins. */
    acc_nearest_sources(s, ACC_CAR, ACC_FROM_SOURCE, src, 2, ACC_UNREACHED, t, near, &err);
    CHECK_INT(near[d], 0);
    CHECK_SECS(t[d] / 1000.0, secs(2 * step, 48));
    /* H has no car road. */
    CHECK_INT(t[h], ACC_UNREACHED);
    CHECK_INT(near[h], -1);
    /* A time limit stops the search: K is 60 s beyond C at 30 km/h. */
    reached = acc_nearest_sources(s, ACC_CAR, ACC_TO_SOURCE, src, 2, 40000, t, near, &err);
    CHECK(reached > 0 && reached < (long)acc_graph_mode_nodes(g, ACC_CAR));
    CHECK_INT(t[k], ACC_UNREACHED);
    CHECK_INT(near[k], -1);
    acc_search_free(s);
    free(t);
    free(near);
}

TEST(nearest_facility_counts_the_walk_to_the_facility_and_skips_unsnapped)
{
    struct acc_graph *g = small();
    struct acc_snap src[2];
    struct yl_err err = {0};
    CHECK(g != NULL);
    uint32_t n = acc_graph_nodes(g);
    uint32_t *t = calloc(n, sizeof(*t));
    int32_t *near = calloc(n, sizeof(*near));
    struct acc_search *s = acc_search_new(g);
    uint32_t b = node_at(g, ACC_FOOT, P_B), c = node_at(g, ACC_FOOT, P_C);

    /* Source 0 lies on the island (no node within 100 m); source 1 20 m south of B. */
    CHECK(!acc_snap_point(g, ACC_FOOT, P_I, 100.0, &src[0]));
    CHECK(acc_snap_point(g, ACC_FOOT, (struct acc_point){-0.00018, 0.0045}, 100.0, &src[1]));
    acc_nearest_sources(s, ACC_FOOT, ACC_TO_SOURCE, src, 2, ACC_UNREACHED, t, near, &err);
    CHECK_INT(near[b], 1);
    CHECK_SECS(t[b] / 1000.0, secs(arc_m(0.00018), 4));
    CHECK_SECS(t[c] / 1000.0, secs(arc_m(0.00018) + arc_m(STEP_DEG), 4));
    acc_search_free(s);
    free(t);
    free(near);
}

/* ------------------------------------------------------------------ the graph file */

TEST(file_round_trip_keeps_every_route)
{
    struct acc_graph *g = small(), *back = NULL;
    struct yl_err err = {0};
    const char *path = ts_path("small.roads");
    CHECK(g != NULL);
    CHECK_INT(acc_graph_write(g, path, &err), 0);
    CHECK_INT(acc_graph_load(path, &back, &err), 0);
    CHECK_INT(acc_graph_nodes(back), acc_graph_nodes(g));
    CHECK_INT(acc_graph_bytes(back), acc_graph_bytes(g));
    for (int m = 0; m < ACC_N_MODES; m++)
        CHECK_INT(acc_graph_edges(back, (enum acc_mode)m), acc_graph_edges(g, (enum acc_mode)m));
    CHECK_SECS(route_s(back, ACC_CAR, P_D, P_B), route_s(g, ACC_CAR, P_D, P_B));
    CHECK_SECS(route_s(back, ACC_FOOT, P_A, P_H), route_s(g, ACC_FOOT, P_A, P_H));
    acc_graph_free(back);
}

/* Load a copy of the small graph file changed by `damage`; the error message. */
static int load_damaged(void (*damage)(unsigned char *, size_t *), struct yl_err *err)
{
    struct acc_graph *g = small(), *back = NULL;
    const char *path = ts_path("damaged.roads");
    size_t n = acc_graph_bytes(g);
    unsigned char *copy = malloc(n);
    int rc;

    if (acc_graph_write(g, path, err) != 0)
        return -100;
    FILE *f = fopen(path, "rb");
    size_t got = f != NULL ? fread(copy, 1, n, f) : 0;
    if (f != NULL)
        fclose(f);
    if (got != n) {
        free(copy);
        return -101;
    }
    damage(copy, &n);
    write_file(path, copy, n);
    free(copy);
    yl_err_clear(err);
    rc = acc_graph_load(path, &back, err);
    acc_graph_free(back);
    return rc;
}

static void cut_in_half(unsigned char *p, size_t *n)
{
    *n /= 2;
}

static void flip_a_middle_byte(unsigned char *p, size_t *n)
{
    p[*n / 2] ^= 0x40;
}

static void bump_version(unsigned char *p, size_t *n)
{
    p[8]++;     /* the version follows the 8-byte magic */
}

static void keep_header_only(unsigned char *p, size_t *n)
{
    *n = 40;
}

TEST(file_damaged_truncated_or_foreign_is_refused)
{
    struct yl_err err = {0};
    struct acc_graph *g = NULL;
    CHECK(small() != NULL);

    CHECK_INT(load_damaged(cut_in_half, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "truncated");
    CHECK_INT(load_damaged(flip_a_middle_byte, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "checksum");
    CHECK_INT(load_damaged(bump_version, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "version 2");
    CHECK_INT(load_damaged(keep_header_only, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "too short");

    yl_err_clear(&err);
    CHECK_INT(write_file(ts_path("text.roads"), test_osm, sizeof(test_osm) - 1), 0);
    CHECK_INT(acc_graph_load(ts_path("text.roads"), &g, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "not a yilian road graph file");
    CHECK(g == NULL);
    yl_err_clear(&err);
    CHECK_INT(acc_graph_load(ts_path("absent.roads"), &g, &err), YL_ENOTFOUND);
    CHECK_CONTAINS(err.message, "absent.roads");
}

/* ------------------------------------------------------------------ bad OSM input */

static int build_text(const char *name, const char *text, struct yl_err *err)
{
    struct acc_speeds sp;
    struct acc_graph *g = NULL;
    struct acc_build_report rep;
    const char *path = ts_path(name);

    if (test_speeds(&sp) != 0 || write_file(path, text, strlen(text)) != 0)
        return -100;
    yl_err_clear(err);
    int rc = acc_graph_build(path, &sp, &g, &rep, err);
    if (rc == 0 && g == NULL)
        rc = -101;
    if (rc != 0 && g != NULL)
        rc = -102;
    acc_graph_free(g);
    return rc;
}

TEST(osm_bad_input_gives_a_clear_error)
{
    struct yl_err err = {0};
    struct acc_speeds sp;
    struct acc_graph *g = NULL;
    struct acc_build_report rep;
    char cut[600];

    CHECK_INT(test_speeds(&sp), 0);
    CHECK_INT(acc_graph_build(ts_path("missing.osm"), &sp, &g, &rep, &err), YL_ENOTFOUND);
    CHECK_CONTAINS(err.message, "missing.osm");
    CHECK(g == NULL);

    CHECK_INT(build_text("plain.osm", "this is not XML at all\n", &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "not well-formed OSM XML");
    CHECK_INT(build_text("roads.csv", "a,b\n1,2\n", &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, ".osm or .pbf");
    CHECK_INT(build_text("fake.pbf", "not a protocol buffer", &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "fake.pbf");
    CHECK_INT(build_text("empty.osm", "", &err), YL_EINVAL);

    /* Well-formed OSM without a single road. */
    CHECK_INT(build_text("noroad.osm",
                         "<osm version='0.6'><node id='1' lat='1' lon='1'/>"
                         "<node id='2' lat='1.001' lon='1'/>"
                         "<way id='3'><nd ref='1'/><nd ref='2'/><tag k='building' v='yes'/>"
                         "</way></osm>",
                         &err),
              YL_EINVAL);
    CHECK_CONTAINS(err.message, "holds no road");
    /* A road whose nodes are absent from the file is no road either. */
    CHECK_INT(build_text("nonodes.osm",
                         "<osm version='0.6'><way id='3'><nd ref='1'/><nd ref='2'/>"
                         "<tag k='highway' v='residential'/></way></osm>",
                         &err),
              YL_EINVAL);
    CHECK_CONTAINS(err.message, "holds no road");
    /* The small network cut off in the middle of a tag. */
    memcpy(cut, test_osm, sizeof(cut) - 1);
    cut[sizeof(cut) - 1] = '\0';
    CHECK_INT(build_text("cut.osm", cut, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "cut.osm");
}

/* ------------------------------------------------------------------ Monaco */

struct ref_row {
    struct acc_point from, to;
    enum acc_mode mode;
    double seconds;
};

static int read_reference(struct ref_row *rows, int max)
{
    FILE *f = fopen(SHARED_REF, "r");
    char line[256], profile[32];
    int n = 0;

    if (f == NULL)
        return -1;
    if (fgets(line, sizeof(line), f) == NULL) {
        fclose(f);
        return -1;
    }
    while (n < max && fgets(line, sizeof(line), f) != NULL) {
        struct ref_row *r = &rows[n];
        double metres;
        if (sscanf(line, "%lf,%lf,%lf,%lf,%31[^,],%lf,%lf", &r->from.lat, &r->from.lon,
                   &r->to.lat, &r->to.lon, profile, &r->seconds, &metres) != 7)
            continue;
        r->mode = strcmp(profile, "foot") == 0 ? ACC_FOOT : ACC_CAR;
        n++;
    }
    fclose(f);
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Our quickest network time against routino's, pair by pair. Both use the same speeds, so
 * the differences come from three places, which set the tolerance:
 *  - routino starts and ends at the point projected on the nearest segment; we at the
 *    nearest node, which on a street cut into pieces of at most 50 m is within 25 m of it
 *    at each end: up to 50 m more, i.e. 45 s on foot, 3.75 s by car (at 48 km/h);
 *  - routino's "quickest" weighs time with its highway preferences (a footway before a
 *    main road), so its route may be slower than the quickest: ours may be faster, but not
 *    absurdly: at least 0.75 of its time;
 *  - small tagging differences (access=destination roads, which we keep open): 10%.
 * So: ours <= 1.10 x routino + the time of 50 m, and ours >= 0.75 x routino. Where a point
 * lies more than 50 m from every road of the mode, the two routers may pick different roads
 * (routino itself then sometimes takes a farther one), and only 0.5 to 1.5 is asserted.
 */
TEST(monaco_matches_routino_reference_times)
{
    struct ref_row rows[64];
    struct acc_speeds sp;
    struct acc_build_report rep;
    struct acc_graph *g = NULL;
    struct yl_err err = {0};
    double ratios[ACC_N_MODES][64];
    int n_ratios[ACC_N_MODES] = {0};

    if (access(SHARED_PBF, R_OK) != 0 || access(SHARED_REF, R_OK) != 0)
        TEST_SKIP("%s or %s is absent (no ../shared beside the project)", SHARED_PBF,
                  SHARED_REF);
    int n = read_reference(rows, 64);
    CHECK(n >= 10);
    CHECK_INT(acc_speeds_load("data/road-speeds.csv", &sp, &err), 0);
    CHECK_INT(acc_graph_build(SHARED_PBF, &sp, &g, &rep, &err), 0);
    CHECK(rep.nodes > 10000);
    struct acc_search *s = acc_search_new(g);
    for (int i = 0; i < n; i++) {
        struct acc_route r;
        struct ref_row *x = &rows[i];
        int rc = acc_route(s, x->mode, x->from, x->to, 1000.0, &r, &err);
        if (rc != 0) {
            TEST_FAIL_AT("pair %d: %s", i + 1, yl_err_message(&err));
            break;
        }
        double ratio = r.network_time_s / x->seconds;
        double slack = x->mode == ACC_FOOT ? secs(50, 4) : secs(50, 48);
        bool on_road = r.from.distance_m <= 50.0 && r.to.distance_m <= 50.0;
        ratios[x->mode][n_ratios[x->mode]++] = ratio;
        printf("    %-4s %9.1f s routino %9.1f s ours  ratio %.3f  snapped %3.0f/%3.0f m\n",
               acc_mode_name(x->mode), x->seconds, r.network_time_s, ratio,
               r.from.distance_m, r.to.distance_m);
        if (on_road && !(r.network_time_s <= 1.10 * x->seconds + slack && ratio >= 0.75))
            TEST_FAIL_AT("pair %d (%s): %.1f s against routino's %.1f s", i + 1,
                         acc_mode_name(x->mode), r.network_time_s, x->seconds);
        if (!on_road && !(ratio >= 0.5 && ratio <= 1.5))
            TEST_FAIL_AT("pair %d (%s), off-road ends: %.1f s against routino's %.1f s",
                         i + 1, acc_mode_name(x->mode), r.network_time_s, x->seconds);
    }
    for (int m = 0; m < ACC_N_MODES; m++) {
        if (n_ratios[m] == 0)
            continue;
        qsort(ratios[m], n_ratios[m], sizeof(double), cmp_double);
        printf("    %s: %d pairs, ratio ours/routino min %.3f median %.3f max %.3f\n",
               acc_mode_name((enum acc_mode)m), n_ratios[m], ratios[m][0],
               ratios[m][n_ratios[m] / 2], ratios[m][n_ratios[m] - 1]);
    }
    acc_search_free(s);
    acc_graph_free(g);
}

TEST(monaco_truncated_pbf_is_refused)
{
    struct acc_speeds sp;
    struct acc_build_report rep;
    struct acc_graph *g = NULL;
    struct yl_err err = {0};
    static char part[200000];

    if (access(SHARED_PBF, R_OK) != 0)
        TEST_SKIP("%s is absent (no ../shared beside the project)", SHARED_PBF);
    FILE *f = fopen(SHARED_PBF, "rb");
    CHECK(f != NULL);
    size_t got = fread(part, 1, sizeof(part), f);
    fclose(f);
    CHECK_INT(got, sizeof(part));
    CHECK_INT(write_file(ts_path("cut.osm.pbf"), part, got), 0);
    CHECK_INT(test_speeds(&sp), 0);
    CHECK_INT(acc_graph_build(ts_path("cut.osm.pbf"), &sp, &g, &rep, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "cut.osm.pbf");
    CHECK(g == NULL);
}

TEST_MAIN()
