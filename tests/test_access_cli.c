/*
 * test_access_cli.c - `yilian access` commands of the 15-minute circle, run in-process
 * through cli_main with stdout and stderr captured: the hand-made region of
 * test_access_coverage.c (numbers worked out there) in a database, its road graph built by
 * `access import-osm` next to it, then coverage, underserved, catchment, whatif, propose,
 * isochrone and indicators, and their refusals.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/err.h"
#include "registry/registry.h"
#include "store/store.h"
#include "support.h"
#include "test.h"

#define STEP 0.0045

static char db[512];
static int state;
static char out_text[1 << 20], err_text[1 << 14];

static int write_osm(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    fprintf(f, "<?xml version='1.0'?>\n<osm version='0.6'>\n");
    for (int i = 0; i <= 10; i++)
        fprintf(f, " <node id='%d' lat='0' lon='%.4f'/>\n", i + 1, i * STEP);
    fprintf(f, " <way id='1'>");
    for (int i = 0; i <= 10; i++)
        fprintf(f, "<nd ref='%d'/>", i + 1);
    fprintf(f, "<tag k='highway' v='residential'/></way>\n</osm>\n");
    return fclose(f);
}

static int fixtures(struct store *st)
{
    static const struct audit_actor actor = {0, "test", "admin", "test"};
    static const struct reg_writer by = {&actor, NULL};
    struct reg_ctx ctx = {st};
    struct yl_err err = {0};
    static const struct {
        const char *code, *name;
        double lat, lon;
        int people;
    } ous[] = {
        {"22", "P", NAN, NAN, 0},           {"2224", "C", NAN, NAN, 0},
        {"222404", "K", NAN, NAN, 0},       {"222404001", "T1", NAN, NAN, 0},
        {"222404002", "T2", NAN, NAN, 0},   {"222404001001", "V0", 0, 0, 100},
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
            return -1;
        if (ous[i].people > 0) {
            int64_t counts[2][REG_AGE_BANDS] = {{0}};
            counts[1][8] = ous[i].people;
            if (reg_population_set(&ctx, &by, ous[i].code, 2024, counts, &err) != 0)
                return -1;
        }
    }
    struct reg_facility_in f0 = {.code = "F0", .name = "F0", .type = "village_clinic",
                                 .ou_code = "222404001001", .lat = {REG_SET, 0},
                                 .lon = {REG_SET, 0}};
    struct reg_facility_in f1 = {.code = "F1", .name = "F1", .type = "township_center",
                                 .ou_code = "222404002", .lat = {REG_SET, 0},
                                 .lon = {REG_SET, 4 * STEP}};
    return reg_facility_create(&ctx, &by, &f0, NULL, &err) == 0 &&
                   reg_facility_create(&ctx, &by, &f1, NULL, &err) == 0
               ? 0
               : -1;
}

static bool setup(void)
{
    struct store *st = NULL;
    struct yl_err err = {0};
    int applied;

    if (state != 0)
        return state > 0;
    state = -1;
    snprintf(db, sizeof(db), "%s", ts_path("circle.db"));
    if (store_open(db, NULL, &st, &err) != 0 || store_migrate(st, &applied, &err) != 0 ||
        fixtures(st) != 0) {
        fprintf(stderr, "    setup: %s\n", yl_err_message(&err));
        store_close(st);
        return false;
    }
    store_close(st);
    if (write_osm(ts_path("line.osm")) != 0)
        return false;
    state = 1;
    return true;
}

static void slurp(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(out, 1, n - 1, f) : 0;
    out[got] = '\0';
    if (f)
        fclose(f);
}

/* Run `yilian --db DB <words>` in-process; the exit status, output in out_text/err_text. */
static int run(const char *words)
{
    char buf[1024], *argv[40];
    int argc = 0;
    argv[argc++] = "yilian";
    argv[argc++] = "--db";
    argv[argc++] = db;
    snprintf(buf, sizeof(buf), "%s", words);
    for (char *p = buf; *p != '\0' && argc < 39;) {
        argv[argc++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(ts_path("out.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(ts_path("err.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = cli_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    slurp(ts_path("out.txt"), out_text, sizeof(out_text));
    slurp(ts_path("err.txt"), err_text, sizeof(err_text));
    return rc;
}

TEST(without_a_graph_the_commands_say_how_to_build_one)
{
    CHECK(setup());
    CHECK_INT(run("access coverage"), 1);
    CHECK_CONTAINS(err_text, "access import-osm");
}

TEST(import_osm_refuses_a_file_without_roads_and_builds_a_good_one)
{
    char words[700];
    CHECK(setup());
    FILE *f = fopen(ts_path("empty.osm"), "wb");
    fprintf(f, "<?xml version='1.0'?>\n<osm version='0.6'><node id='1' lat='0' lon='0'/>"
               "</osm>\n");
    fclose(f);
    snprintf(words, sizeof(words), "access import-osm %s", ts_path("empty.osm"));
    CHECK_INT(run(words), 1);
    CHECK_CONTAINS(err_text, "holds no road");
    CHECK_INT(run("access import-osm"), 2);
    snprintf(words, sizeof(words), "access import-osm %s", ts_path("line.osm"));
    CHECK_INT(run(words), 0);
    CHECK_CONTAINS(out_text, ".roads");
}

TEST(coverage_prints_the_hand_counted_rows)
{
    CHECK(setup());
    CHECK_INT(run("access coverage --mode walk --minutes 15 --by township"), 0);
    /* T1 300 of 600, T2 400 of 900, total 700 of 1500 = 46.7 %; 5/10/15/30 min 6.7, 46.7,
     * 46.7, 66.7 % of the total. */
    CHECK_CONTAINS(out_text, "2 facilities, 5 population points");
    CHECK_CONTAINS(out_text, "222404001    T1");
    CHECK_CONTAINS(out_text, "600        300    50.0");
    CHECK_CONTAINS(out_text, "900        400    44.4");
    CHECK_CONTAINS(out_text, "1500        700    46.7     6.7    46.7    46.7    66.7");
}

TEST(underserved_catchment_whatif_and_propose)
{
    CHECK(setup());
    CHECK_INT(run("access underserved --minutes 15"), 0);
    CHECK_CONTAINS(out_text, "2 population points (800 people) beyond 15 minutes");
    CHECK(strstr(out_text, "222404002002") < strstr(out_text, "222404001003"));
    CHECK_CONTAINS(out_text, "45.0 F1");
    CHECK_INT(run("access catchment"), 0);
    CHECK_CONTAINS(out_text, "600        300");
    CHECK_INT(run("access whatif --close F1"), 0);
    CHECK_CONTAINS(out_text, "change   -400 people within 15 minutes");
    CHECK_INT(run("access whatif --add 0,0.045 --move F1=0,0.009"), 0);
    /* F1 at step 2 and a new site at step 10: V0, V1, V2, V4 = 1100. */
    CHECK_CONTAINS(out_text, "after       3 facilities: 1100 of 1500");
    CHECK_INT(run("access propose --k 3"), 0);
    CHECK_CONTAINS(out_text, "   1 222404002002");
    CHECK_CONTAINS(out_text, "500       1200");
    CHECK_CONTAINS(out_text, "   2 222404001002");
}

TEST(isochrone_and_indicators)
{
    CHECK(setup());
    CHECK_INT(run("access isochrone --minutes 5,15 --cell 100"), 0);
    CHECK(strncmp(out_text, "{\"type\":\"FeatureCollection\"", 27) == 0);
    CHECK_CONTAINS(out_text, "\"minutes\":15");
    CHECK_INT(run("access isochrone --facility NOPE"), 1);
    CHECK_CONTAINS(err_text, "no active facility \"NOPE\"");
    CHECK_INT(run("access indicators"), 0);
    CHECK_CONTAINS(out_text, "primary_care_15min");
    CHECK_CONTAINS(out_text, "700       1500    46.7");
}

TEST(bad_options_are_refused)
{
    CHECK(setup());
    CHECK_INT(run("access coverage --mode fly"), 2);
    CHECK_CONTAINS(err_text, "unknown mode \"fly\"");
    CHECK_INT(run("access coverage --by street"), 2);
    CHECK_INT(run("access coverage --minutes 0"), 2);
    CHECK_INT(run("access propose --k 0"), 2);
    CHECK_INT(run("access whatif"), 2);
    CHECK_INT(run("access whatif --add north"), 2);
    CHECK_INT(run("access whatif --close NOPE"), 1);
    CHECK_CONTAINS(err_text, "no active facility \"NOPE\"");
    CHECK_INT(run("access coverage --ou 999"), 1);
    CHECK_CONTAINS(err_text, "no org unit \"999\"");
}

TEST_MAIN()
