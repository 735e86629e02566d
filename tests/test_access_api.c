/*
 * test_access_api.c - the 15-minute circle end to end: a registry with org units,
 * populations and facilities, the road graph of test_access_coverage.c, and a real server on
 * loopback answering the /api/access endpoints.
 *
 * The region is the hand-made one of test_access_coverage.c (every number worked out there):
 * one walking road on the equator, steps of 500.39 m (7.51 min on foot), villages
 *   V0 222404001001 step 0 100 people   (clinic F0 here)
 *   V1 222404001002 step 1, 100 m north, 200 (9.0 min)
 *   V2 222404001003 step 2 300 (15.01 min: just beyond)
 *   V3 222404002001 step 5 400 (7.5 min from F1)
 *   V4 222404002002 step 10 500 (45.0 min)
 * township centre F1 at step 4 (registered to township 222404002), a 120 station E1 at
 * step 10, and a CDC (in no set) at step 2.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "audit/audit.h"
#include "core/err.h"
#include "registry/registry.h"
#include "support.h"
#include "test.h"

#define STEP 0.0045

static struct ts_server srv;
static bool srv_up;
static int state;
static struct acc_graph *graph;
static char tok_admin[ACCT_TOKEN_HEX], tok_analyst[ACCT_TOKEN_HEX];
static char tok_analyst_t1[ACCT_TOKEN_HEX], tok_village[ACCT_TOKEN_HEX];
static struct ts_response R;

static const char speeds_csv[] =
    "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,implied_oneway,note\n"
    "residential,4,15,20,48,0,\n"
    "offroad,4,4,4,4,0,\n";

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    acc_graph_free(graph);
}

static int build_graph(void)
{
    char osm[4096];
    size_t n = 0;
    struct acc_speeds sp;
    struct acc_build_report rep;
    struct yl_err err = {0};

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
    return rc;
}

static int fixtures(void)
{
    static const struct audit_actor actor = {0, "test", "admin", "test"};
    static const struct reg_writer by = {&actor, NULL};
    struct reg_ctx ctx = {srv.store};
    struct yl_err err = {0};
    static const struct {
        const char *code, *name;
        double lat, lon;
        int people;
    } ous[] = {
        {"22", "吉林省", NAN, NAN, 0},
        {"2224", "延边朝鲜族自治州", NAN, NAN, 0},
        {"222404", "珲春市", NAN, NAN, 0},
        {"222404001", "T1", NAN, NAN, 0},
        {"222404002", "T2", NAN, NAN, 0},
        {"222404001001", "V0", 0, 0, 100},
        {"222404001002", "V1", 0.0009, STEP, 200},
        {"222404001003", "V2", 0, 2 * STEP, 300},
        {"222404002001", "V3", 0, 5 * STEP, 400},
        {"222404002002", "V4", 0, 10 * STEP, 500},
    };
    for (size_t i = 0; i < sizeof(ous) / sizeof(ous[0]); i++) {
        struct reg_ou_in in = {.code = ous[i].code, .name = ous[i].name};
        if (!isnan(ous[i].lat)) {
            in.lat = (struct reg_real){REG_SET, ous[i].lat};
            in.lon = (struct reg_real){REG_SET, ous[i].lon};
        }
        if (reg_ou_create(&ctx, &by, &in, NULL, &err) != 0)
            goto fail;
        if (ous[i].people > 0) {
            int64_t counts[2][REG_AGE_BANDS] = {{0}};
            counts[0][6] = ous[i].people;
            if (reg_population_set(&ctx, &by, ous[i].code, 2024, counts, &err) != 0)
                goto fail;
        }
    }
    static const struct {
        const char *code, *type, *ou, *services;
        double lon;
    } fac[] = {
        {"F0", "village_clinic", "222404001001", NULL, 0},
        {"F1", "township_center", "222404002", NULL, 4 * STEP},
        {"E1", "emergency_station", "222404002002", NULL, 10 * STEP},
        {"CDC", "cdc", "222404", NULL, 2 * STEP},
    };
    for (size_t i = 0; i < sizeof(fac) / sizeof(fac[0]); i++) {
        struct reg_facility_in in = {.code = fac[i].code, .name = fac[i].code,
                                     .type = fac[i].type, .ou_code = fac[i].ou,
                                     .lat = {REG_SET, 0}, .lon = {REG_SET, fac[i].lon}};
        if (reg_facility_create(&ctx, &by, &in, NULL, &err) != 0)
            goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "    fixtures: %s (%s)\n", yl_err_message(&err), err.field);
    return -1;
}

static struct ts_server *server(void)
{
    if (state != 0)
        return state > 0 ? &srv : NULL;
    state = -1;
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return NULL;
    srv_up = true;
    atexit(stop_srv);
    if (fixtures() != 0 || build_graph() != 0)
        return NULL;
    static const struct {
        const char *name, *role, *scope;
        char *token;
    } users[] = {
        {"analyst", "analyst", "region", tok_analyst},
        {"analyst_t1", "analyst", "ou:222404001", tok_analyst_t1},
        {"village", "village_doctor", "ou:222404001001", tok_village},
    };
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        char password[64];
        snprintf(password, sizeof(password), "password-%s", users[i].name);
        if (ts_user_add(&srv, users[i].name, password, users[i].role, users[i].scope) != 0 ||
            ts_login(srv.port, users[i].name, password, users[i].token) != 200)
            return NULL;
    }
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200)
        return NULL;
    state = 1;
    return &srv;
}

static int get(const char *token, const char *path)
{
    ts_response_free(&R);
    if (ts_get(srv.port, path, token, &R) != 0)
        return -1;
    return R.status;
}

static int post(const char *token, const char *path, const char *body)
{
    ts_response_free(&R);
    if (ts_post(srv.port, path, token, body, &R) != 0)
        return -1;
    return R.status;
}

static json_t *at(json_t *o, const char *path)
{
    char key[64];
    while (o != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(key, sizeof(key), "%.*s", (int)n, path);
        if (json_is_array(o))
            o = json_array_get(o, strtoul(key, NULL, 10));
        else
            o = json_object_get(o, key);
        path += n + (dot ? 1 : 0);
    }
    return o;
}

static long num(const char *path)
{
    json_t *v = at(R.json, path);
    return json_is_integer(v) ? (long)json_integer_value(v) : json_is_real(v)
                                                                 ? lround(json_real_value(v))
                                                                 : -999999;
}

static const char *str(const char *path)
{
    json_t *v = at(R.json, path);
    return json_is_string(v) ? json_string_value(v) : "";
}

TEST(without_a_road_graph_every_endpoint_answers_503_and_says_how_to_build_one)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_analyst, "/api/access/coverage"), 503);
    CHECK_STR(ts_err_code(&R), "unavailable");
    CHECK_CONTAINS(R.body, "import-osm");
    CHECK_INT(get(tok_analyst, "/api/access/isochrones"), 503);
    CHECK_INT(post(tok_analyst, "/api/access/whatif", "{\"changes\":[]}"), 503);
    srv.app.roads = graph;
}

TEST(coverage_by_township_matches_the_hand_count)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_analyst, "/api/access/coverage?mode=walk&minutes=15&by=township"), 200);
    CHECK_INT(num("total.people"), 1500);
    CHECK_INT(num("total.within_minutes"), 700);
    CHECK_INT(num("total.within.5"), 100);
    CHECK_INT(num("total.within.30"), 1000);
    CHECK_INT(num("total.facilities"), 2);          /* F0, F1: the CDC and E1 are not primary */
    CHECK_INT(json_array_size(at(R.json, "units")), 2);
    CHECK_STR(str("units.0.code"), "222404001");
    CHECK_INT(num("units.0.people"), 600);
    CHECK_INT(num("units.0.within_minutes"), 300);
    CHECK_INT(num("units.1.within_minutes"), 400);
    CHECK_STR(str("mode"), "foot");
    /* One township's villages. */
    CHECK_INT(get(tok_admin, "/api/access/coverage?by=village&ou=222404002"), 200);
    CHECK_INT(num("total.people"), 900);
    CHECK_INT(json_array_size(at(R.json, "units")), 2);
    CHECK_STR(str("units.1.name"), "V4");
    CHECK_INT(num("units.1.within_minutes"), 0);
}

TEST(underserved_and_catchment)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_analyst, "/api/access/underserved?minutes=15"), 200);
    CHECK_INT(num("count"), 2);
    CHECK_INT(num("people"), 800);
    CHECK_STR(str("villages.0.code"), "222404002002");
    CHECK_INT(num("villages.0.minutes"), 45);
    CHECK_STR(str("villages.0.nearest_facility"), "F1");
    CHECK_STR(str("villages.1.code"), "222404001003");
    CHECK_STR(str("villages.1.township"), "222404001");
    CHECK_INT(get(tok_analyst, "/api/access/catchment"), 200);
    CHECK_STR(str("facilities.0.code"), "F0");
    CHECK_INT(num("facilities.0.people"), 600);
    CHECK_INT(num("facilities.0.within_minutes"), 300);
    CHECK_INT(num("facilities.1.people"), 900);
    CHECK_STR(str("facilities.1.type"), "township_center");
}

TEST(proposals_pick_the_largest_gains_among_villages_without_a_clinic)
{
    CHECK(server() != NULL);
    /* Candidates V1..V4 (V0 has F0). Uncovered: V2 300, V4 500. V4's own site gains 500;
     * V1 (1.5 + 7.5 min from V2) and V2 both gain 300: the tie goes to V1, the first. */
    CHECK_INT(get(tok_analyst, "/api/access/proposals?k=3&minutes=15&mode=walk"), 200);
    CHECK_INT(num("candidates"), 4);
    CHECK_INT(json_array_size(at(R.json, "picks")), 2);
    CHECK_STR(str("picks.0.code"), "222404002002");
    CHECK_INT(num("picks.0.gain"), 500);
    CHECK_STR(str("picks.1.code"), "222404001002");
    CHECK_INT(num("picks.1.gain"), 300);
    CHECK_INT(num("picks.1.cumulative_gain"), 800);
    CHECK_INT(num("before.within_minutes"), 700);
}

TEST(whatif_close_and_add)
{
    CHECK(server() != NULL);
    CHECK_INT(post(tok_analyst, "/api/access/whatif",
                   "{\"changes\":[{\"action\":\"close\",\"facility\":\"F1\"}]}"), 200);
    CHECK_INT(num("before.within_minutes"), 700);
    CHECK_INT(num("after.within_minutes"), 300);
    CHECK_INT(num("gain"), -400);
    CHECK_INT(post(tok_analyst, "/api/access/whatif",
                   "{\"minutes\":15,\"changes\":[{\"action\":\"add\",\"lat\":0,\"lon\":0.045}]}"),
              200);
    CHECK_INT(num("gain"), 500);
    CHECK_INT(num("after.facilities"), 3);
    CHECK_INT(post(tok_analyst, "/api/access/whatif",
                   "{\"changes\":[{\"action\":\"move\",\"facility\":\"F1\",\"lat\":0,"
                   "\"lon\":0.009}]}"), 200);
    CHECK_INT(num("after.within_minutes"), 600);
}

TEST(whatif_refuses_bad_changes_naming_the_field)
{
    CHECK(server() != NULL);
    CHECK_INT(post(tok_analyst, "/api/access/whatif",
                   "{\"changes\":[{\"action\":\"close\",\"facility\":\"NOPE\"}]}"), 400);
    CHECK_STR(ts_err_field(&R), "facility");
    CHECK_INT(post(tok_analyst, "/api/access/whatif",
                   "{\"changes\":[{\"action\":\"demolish\",\"facility\":\"F1\"}]}"), 400);
    CHECK_STR(ts_err_field(&R), "action");
    CHECK_INT(post(tok_analyst, "/api/access/whatif", "{\"changes\":[{\"action\":\"add\"}]}"),
              400);
    CHECK_STR(ts_err_field(&R), "lat");
    CHECK_INT(post(tok_analyst, "/api/access/whatif", "{\"changes\":[]}"), 400);
    CHECK_STR(ts_err_field(&R), "changes");
    CHECK_INT(post(tok_analyst, "/api/access/whatif", "{\"chnages\":[]}"), 400);
    CHECK_INT(post(tok_analyst, "/api/access/whatif",
                   "{\"changes\":[{\"action\":\"close\",\"facility\":\"CDC\"}]}"), 400);
}

TEST(isochrones_are_geojson)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_analyst, "/api/access/isochrones?minutes=5,15&cell=100"), 200);
    CHECK_CONTAINS(R.headers, "application/geo+json");
    CHECK_STR(str("type"), "FeatureCollection");
    CHECK_INT(json_array_size(at(R.json, "features")), 2);
    CHECK_INT(num("features.1.properties.minutes"), 15);
    long all15 = num("features.1.properties.cells");
    CHECK(all15 > num("features.0.properties.cells"));
    CHECK_INT(get(tok_analyst, "/api/access/isochrones?minutes=15&cell=100&facility=F0"), 200);
    CHECK(num("features.0.properties.cells") < all15);
    CHECK_INT(get(tok_analyst, "/api/access/isochrones?facility=E1"), 404);
    CHECK_STR(ts_err_field(&R), "facility");
    CHECK_INT(get(tok_analyst, "/api/access/isochrones?minutes=5,,9"), 400);
    CHECK_STR(ts_err_field(&R), "minutes");
}

TEST(indicators_give_both_fifteen_minute_shares)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_analyst, "/api/access/indicators"), 200);
    CHECK_STR(str("indicators.0.code"), "primary_care_15min");
    CHECK_INT(num("indicators.0.numerator"), 700);
    CHECK_INT(num("indicators.0.denominator"), 1500);
    /* The ambulance from E1 drives 48 km/h: the far end is 10 steps, 6.3 min, away. */
    CHECK_STR(str("indicators.1.code"), "emergency_care_15min");
    CHECK_STR(str("indicators.1.mode"), "car");
    CHECK_INT(num("indicators.1.numerator"), 1500);
    CHECK_INT(num("indicators.1.facilities"), 1);
}

TEST(roles_and_scopes_are_enforced)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_village, "/api/access/coverage"), 403);
    CHECK_INT(get(NULL, "/api/access/coverage"), 401);
    /* An analyst of township T1 sees T1's population only, and not T2 at all. */
    CHECK_INT(get(tok_analyst_t1, "/api/access/coverage"), 200);
    CHECK_INT(num("total.people"), 600);
    CHECK_INT(get(tok_analyst_t1, "/api/access/underserved?ou=222404002"), 403);
    CHECK_STR(ts_err_field(&R), "ou");
}

TEST(bad_parameters_are_refused_naming_them)
{
    CHECK(server() != NULL);
    CHECK_INT(get(tok_analyst, "/api/access/coverage?mode=fly"), 400);
    CHECK_STR(ts_err_field(&R), "mode");
    CHECK_INT(get(tok_analyst, "/api/access/coverage?minutes=0"), 400);
    CHECK_STR(ts_err_field(&R), "minutes");
    CHECK_INT(get(tok_analyst, "/api/access/coverage?by=street"), 400);
    CHECK_STR(ts_err_field(&R), "by");
    CHECK_INT(get(tok_analyst, "/api/access/coverage?set=dental"), 400);
    CHECK_STR(ts_err_field(&R), "set");
    CHECK_INT(get(tok_analyst, "/api/access/proposals?k=0"), 400);
    CHECK_STR(ts_err_field(&R), "k");
    CHECK_INT(get(tok_analyst, "/api/access/coverage?ou=999999"), 404);
    CHECK_STR(ts_err_field(&R), "ou");
}

TEST_MAIN()
