/*
 * test_registry.c - the registry library: org units and their population, facilities,
 * medical groups, staff (every validation refuses with its field named); the CSV imports
 * (good rows applied, bad ones reported by line, a re-run changes nothing); and the
 * `yilian import` command. The same over HTTP is in test_registry_api.c.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry.h"
#include "support.h"
#include "test.h"
#include "vocab/vocab.h"

/* ------------------------------------------------------------------ library fixtures */

static const struct audit_actor test_actor = {0, "test", "admin", "test"};
static const struct reg_writer region = {&test_actor, NULL};
static const struct reg_writer h1_admin = {&test_actor, "H1"};

/* A fresh, migrated database for one test. */
static struct store *fresh_store(char *path, size_t n)
{
    static int counter;
    snprintf(path, n, "%s/reg-%d.db", ts_tmpdir(), counter++);
    struct store *s = NULL;
    struct yl_err err = {0};
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "    store: %s\n", yl_err_message(&err));
        store_close(s);
        return NULL;
    }
    return s;
}

/* One number from the database file, read through SQLite itself rather than the code under
 * test. -1 when the query fails. */
static long long sql_count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static int ou_add(struct reg_ctx *ctx, const char *code, const char *name)
{
    struct reg_ou_in in = {.code = code, .name = name};
    return reg_ou_create(ctx, &region, &in, NULL, NULL);
}

static int facility_add(struct reg_ctx *ctx, const char *code, const char *type,
                        const char *ou)
{
    struct reg_facility_in in = {.code = code, .name = "卫生院", .type = type, .ou_code = ou};
    return reg_facility_create(ctx, &region, &in, NULL, NULL);
}

/* County 222404 with townships 001 and 002 and three villages. */
static int seed_ous(struct reg_ctx *ctx)
{
    static const char *const codes[][2] = {
        {"22", "吉林省"},          {"2224", "延边朝鲜族自治州"}, {"222404", "珲春市"},
        {"222404001", "靖和街道"}, {"222404002", "英安镇"},       {"222404001001", "永新社区"},
        {"222404001002", "文化社区"}, {"222404002001", "英安村"},
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (ou_add(ctx, codes[i][0], codes[i][1]) != 0)
            return -1;
    return 0;
}

/* Run an import of CSV text; refusal lines go into *errors (heap). */
static int run_import(struct reg_ctx *ctx, enum reg_import_kind kind, const char *csv,
                      struct imp_report *rep, char **errors)
{
    size_t len = 0;
    FILE *out = open_memstream(errors, &len);
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    memset(rep, 0, sizeof(*rep));
    rep->errors = out;
    struct yl_err err = {0};
    int rc = reg_import(ctx, kind, in, &test_actor, rep, &err);
    fclose(in);
    fclose(out);
    if (rc != 0)
        fprintf(stderr, "    import: %s\n", yl_err_message(&err));
    return rc;
}

/* ------------------------------------------------------------------ org units */

TEST(ou_create_refusals_name_the_field)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    struct yl_err err = {0};
    int64_t id = 0;
    struct reg_ou_in in = {.code = "22", .name = "吉林省"};
    CHECK_INT(reg_ou_create(&ctx, &region, &in, &id, &err), 0);
    CHECK(id > 0);
    CHECK_INT(ou_add(&ctx, "2224", "延边朝鲜族自治州"), 0);

    struct {
        struct reg_ou_in in;
        int code;
        const char *field;
    } bad[] = {
        {{.code = "22A4", .name = "x"}, YL_EINVAL, "code"},
        {{.code = "223", .name = "x"}, YL_EINVAL, "code"},
        {{.code = "", .name = "x"}, YL_EINVAL, "code"},
        {{.code = "222404", .name = "x", .parent_code = "22"}, YL_EINVAL, "parent_code"},
        {{.code = "22", .name = "x", .parent_code = "2224"}, YL_EINVAL, "parent_code"},
        {{.code = "222405001", .name = "x"}, YL_EINVAL, "parent_code"},
        {{.code = "222404", .name = ""}, YL_EINVAL, "name"},
        {{.code = "222404", .name = "a\tb"}, YL_EINVAL, "name"},
        {{.code = "222404", .name = "x", .lat = {REG_SET, 91}, .lon = {REG_SET, 130}},
         YL_EINVAL, "lat"},
        {{.code = "222404", .name = "x", .lat = {REG_SET, 42}}, YL_EINVAL, "lon"},
        {{.code = "2224", .name = "x"}, YL_ECONFLICT, "code"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        yl_err_clear(&err);
        CHECK_INT(reg_ou_create(&ctx, &region, &bad[i].in, NULL, &err), bad[i].code);
        CHECK_STR(err.field, bad[i].field);
    }
    yl_err_clear(&err);
    in = (struct reg_ou_in){.code = "222405001", .name = "x"};
    reg_ou_create(&ctx, &region, &in, NULL, &err);
    CHECK_CONTAINS(err.message, "\"222405\" does not exist");

    /* 64 characters of Chinese pass, 65 do not. */
    char name[65 * 3 + 1];
    for (int i = 0; i < 65; i++)
        memcpy(name + 3 * i, "珲", 3);
    name[64 * 3] = '\0';
    in = (struct reg_ou_in){.code = "222404", .name = name};
    CHECK_INT(reg_ou_create(&ctx, &region, &in, NULL, NULL), 0);
    name[65 * 3] = '\0';
    memcpy(name + 64 * 3, "珲", 3);
    in = (struct reg_ou_in){.code = "222405", .name = name};
    yl_err_clear(&err);
    CHECK_INT(reg_ou_create(&ctx, &region, &in, NULL, &err), YL_EINVAL);
    CHECK_STR(err.field, "name");

    yl_err_clear(&err);
    in = (struct reg_ou_in){.code = "222406", .name = "x"};
    CHECK_INT(reg_ou_create(&ctx, &h1_admin, &in, NULL, &err), YL_EFORBIDDEN);

    struct reg_ou o;
    CHECK_INT(reg_ou_get(&ctx, "2224", &o, NULL), 0);
    CHECK_INT(o.level, 2);
    CHECK_STR(o.parent_code, "22");
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou"), 3);
    store_close(s);
}

TEST(ou_update_keeps_what_it_does_not_name)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    struct reg_ou_in in = {.lat = {REG_SET, 42.86}, .lon = {REG_SET, 130.36}};
    CHECK_INT(reg_ou_update(&ctx, &region, "222404", &in, NULL, NULL), 0);
    in = (struct reg_ou_in){.name = "珲春"};
    CHECK_INT(reg_ou_update(&ctx, &region, "222404", &in, NULL, NULL), 0);
    struct reg_ou o;
    CHECK_INT(reg_ou_get(&ctx, "222404", &o, NULL), 0);
    CHECK_STR(o.name, "珲春");
    CHECK(o.has_coord && o.lat == 42.86 && o.lon == 130.36);

    struct yl_err err = {0};
    in = (struct reg_ou_in){.lat = {REG_SET, -91}, .lon = {REG_SET, 0}};
    CHECK_INT(reg_ou_update(&ctx, &region, "222404", &in, NULL, &err), YL_EINVAL);
    CHECK_STR(err.field, "lat");
    CHECK_INT(reg_ou_get(&ctx, "222404", &o, NULL), 0);
    CHECK(o.lat == 42.86);
    yl_err_clear(&err);
    CHECK_INT(reg_ou_update(&ctx, &region, "222409", &in, NULL, &err), YL_ENOTFOUND);
    store_close(s);
}

TEST(ou_list_filters_and_pages)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    struct reg_ou out[16];
    struct reg_ou_filter f = {.ou = "222404001"};
    CHECK_INT(reg_ou_list(&ctx, &f, 0, 16, out, NULL), 3);
    CHECK_STR(out[0].code, "222404001");
    f = (struct reg_ou_filter){.level = 5};
    CHECK_INT(reg_ou_list(&ctx, &f, 0, 16, out, NULL), 3);
    f = (struct reg_ou_filter){.parent = "222404"};
    CHECK_INT(reg_ou_list(&ctx, &f, 0, 16, out, NULL), 2);
    CHECK_STR(out[1].code, "222404002");
    f = (struct reg_ou_filter){.ou = "222404", .level = 4};
    CHECK_INT(reg_ou_list(&ctx, &f, 0, 16, out, NULL), 2);

    /* Pages of three cover all eight once, in order. */
    f = (struct reg_ou_filter){0};
    int64_t after = 0;
    int total = 0, n;
    while ((n = reg_ou_list(&ctx, &f, after, 3, out, NULL)) > 0) {
        CHECK(out[0].id > after);
        total += n;
        after = out[n - 1].id;
    }
    CHECK_INT(n, 0);
    CHECK_INT(total, 8);

    struct yl_err err = {0};
    f = (struct reg_ou_filter){.ou = "22x"};
    CHECK_INT(reg_ou_list(&ctx, &f, 0, 16, out, &err), YL_EINVAL);
    CHECK_STR(err.field, "ou");
    store_close(s);
}

/* ------------------------------------------------------------------ population */

TEST(population_set_get_and_roll_up)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    int64_t c[2][REG_AGE_BANDS] = {{0}};
    c[0][0] = 10, c[1][0] = 5;
    CHECK_INT(reg_population_set(&ctx, &region, "222404001001", 2024, c, NULL), 0);
    memset(c, 0, sizeof(c));
    c[0][0] = 3;
    CHECK_INT(reg_population_set(&ctx, &region, "222404001002", 2024, c, NULL), 0);
    memset(c, 0, sizeof(c));
    c[1][18] = 7;
    CHECK_INT(reg_population_set(&ctx, &region, "222404002", 2024, c, NULL), 0);
    /* The village below a township with its own figures is hidden by them. */
    memset(c, 0, sizeof(c));
    c[0][0] = 100;
    CHECK_INT(reg_population_set(&ctx, &region, "222404002001", 2024, c, NULL), 0);

    struct reg_population p;
    CHECK_INT(reg_population_get(&ctx, "222404001", 2024, &p, NULL), 0);
    CHECK_INT(p.source, REG_POP_CHILDREN);
    CHECK_INT(p.units, 2);
    CHECK_INT(p.counts[0][0], 13);
    CHECK_INT(p.counts[1][0], 5);
    CHECK_INT(p.total, 18);
    CHECK_INT(reg_population_get(&ctx, "222404", 2024, &p, NULL), 0);
    CHECK_INT(p.source, REG_POP_CHILDREN);
    CHECK_INT(p.units, 3);
    CHECK_INT(p.counts[1][18], 7);
    CHECK_INT(p.total, 25);
    CHECK_INT(reg_population_get(&ctx, "222404002", 0, &p, NULL), 0);
    CHECK_INT(p.source, REG_POP_OWN);
    CHECK_INT(p.year, 2024);
    CHECK_INT(p.total, 7);

    /* Setting a year replaces it whole. */
    memset(c, 0, sizeof(c));
    c[0][1] = 1;
    CHECK_INT(reg_population_set(&ctx, &region, "222404001001", 2024, c, NULL), 0);
    CHECK_INT(reg_population_get(&ctx, "222404001001", 2024, &p, NULL), 0);
    CHECK_INT(p.source, REG_POP_OWN);
    CHECK_INT(p.counts[0][0], 0);
    CHECK_INT(p.counts[1][0], 0);
    CHECK_INT(p.total, 1);

    struct yl_err err = {0};
    CHECK_INT(reg_population_get(&ctx, "222404", 2023, &p, &err), YL_ENOTFOUND);
    yl_err_clear(&err);
    CHECK_INT(reg_population_set(&ctx, &region, "222404009", 2024, c, &err), YL_ENOTFOUND);
    c[1][3] = -1;
    yl_err_clear(&err);
    CHECK_INT(reg_population_set(&ctx, &region, "222404", 2024, c, &err), YL_EINVAL);
    CHECK_STR(err.field, "counts.female");
    c[1][3] = 0;
    yl_err_clear(&err);
    CHECK_INT(reg_population_set(&ctx, &region, "222404", 1800, c, &err), YL_EINVAL);
    CHECK_STR(err.field, "year");
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou_population"), 4 * 38);
    store_close(s);
}

/* ------------------------------------------------------------------ facilities */

TEST(facility_refusals_name_the_field)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    struct reg_facility_in ok = {
        .code = "H1", .name = "珲春市医院", .type = "county_hospital", .grade = "2A",
        .ou_code = "222404", .beds = {REG_SET, 500}, .icu_beds = {REG_SET, 20},
        .services = "lab pediatrics", .centers = "stroke"};
    CHECK_INT(reg_facility_create(&ctx, &region, &ok, NULL, NULL), 0);

    struct {
        const char *field;
        int code;
        struct reg_facility_in in;
    } bad[] = {
        {"type", YL_EINVAL, {.code = "H2", .name = "x", .type = "spa", .ou_code = "222404"}},
        {"type", YL_EINVAL, {.code = "H2", .name = "x", .ou_code = "222404"}},
        {"beds", YL_EINVAL,
         {.code = "H2", .name = "x", .type = "cdc", .ou_code = "222404", .beds = {REG_SET, -1}}},
        {"icu_beds", YL_EINVAL,
         {.code = "H2", .name = "x", .type = "cdc", .ou_code = "222404",
          .beds = {REG_SET, 5}, .icu_beds = {REG_SET, 6}}},
        {"ou_code", YL_EINVAL, {.code = "H2", .name = "x", .type = "cdc", .ou_code = "222499"}},
        {"ou_code", YL_EINVAL, {.code = "H2", .name = "x", .type = "cdc"}},
        {"code", YL_EINVAL, {.code = "H 2", .name = "x", .type = "cdc", .ou_code = "222404"}},
        {"services", YL_EINVAL,
         {.code = "H2", .name = "x", .type = "cdc", .ou_code = "222404", .services = "xray"}},
        {"grade", YL_EINVAL,
         {.code = "H2", .name = "x", .type = "cdc", .ou_code = "222404", .grade = "4A"}},
        {"code", YL_ECONFLICT, {.code = "H1", .name = "x", .type = "cdc", .ou_code = "222404"}},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct yl_err err = {0};
        CHECK_INT(reg_facility_create(&ctx, &region, &bad[i].in, NULL, &err), bad[i].code);
        CHECK_STR(err.field, bad[i].field);
    }
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM facility"), 1);

    struct reg_facility f;
    CHECK_INT(reg_facility_get(&ctx, "H1", &f, NULL), 0);
    CHECK_INT(f.grade, GRADE_2A);
    CHECK_INT(f.services, (1u << SVC_PEDIATRICS) | (1u << SVC_LAB));
    CHECK_INT(f.centers, 1u << CTR_STROKE);
    CHECK_STR(f.ou_code, "222404");
    CHECK_INT(f.status, FSTAT_ACTIVE);
    CHECK(!f.has_coord);

    struct reg_facility_in patch = {.beds = {REG_SET, 600}, .status = "closed"};
    CHECK_INT(reg_facility_update(&ctx, &region, "H1", &patch, NULL, NULL), 0);
    CHECK_INT(reg_facility_get(&ctx, "H1", &f, NULL), 0);
    CHECK_INT(f.beds, 600);
    CHECK_INT(f.icu_beds, 20);
    CHECK_INT(f.status, FSTAT_CLOSED);
    CHECK_INT(f.services, (1u << SVC_PEDIATRICS) | (1u << SVC_LAB));
    struct yl_err err = {0};
    CHECK_INT(reg_facility_create(&ctx, &h1_admin, &ok, NULL, &err), YL_EFORBIDDEN);
    store_close(s);
}

/* ------------------------------------------------------------------ medical groups */

TEST(group_one_group_of_each_kind)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    CHECK_INT(facility_add(&ctx, "H1", "county_hospital", "222404"), 0);
    CHECK_INT(facility_add(&ctx, "H2", "township_center", "222404002"), 0);
    CHECK_INT(facility_add(&ctx, "H3", "tcm_hospital", "222404"), 0);
    CHECK_INT(facility_add(&ctx, "C1", "village_clinic", "222404002001"), 0);

    struct arena a;
    arena_init(&a);
    struct reg_group g;
    struct reg_group_in in = {.code = "G1", .name = "医疗集团", .kind = "urban_group",
                              .lead_code = "H1", .member_codes = "H2"};
    CHECK_INT(reg_group_create(&ctx, &region, &in, NULL, NULL), 0);
    CHECK_INT(reg_group_get(&ctx, "G1", &a, &g, NULL), 0);
    CHECK_INT(g.n_members, 2);
    CHECK_STR(g.member_codes[0], "H1");
    CHECK_STR(g.member_codes[1], "H2");
    CHECK_STR(g.lead_code, "H1");

    struct yl_err err = {0};
    in = (struct reg_group_in){.code = "G2", .name = "x", .kind = "urban_group",
                               .lead_code = "H3", .member_codes = "H2"};
    CHECK_INT(reg_group_create(&ctx, &region, &in, NULL, &err), YL_ECONFLICT);
    CHECK_STR(err.field, "member_codes");
    CHECK_CONTAINS(err.message, "\"H2\"");
    CHECK_CONTAINS(err.message, "\"G1\"");
    CHECK_INT(reg_group_get(&ctx, "G2", &a, &g, NULL), YL_ENOTFOUND);

    in = (struct reg_group_in){.code = "G3", .name = "医共体", .kind = "county_community",
                               .lead_code = "H3", .member_codes = "H2 C1"};
    CHECK_INT(reg_group_create(&ctx, &region, &in, NULL, NULL), 0);

    struct {
        struct reg_group_in in;
        int code;
        const char *field;
    } bad[] = {
        {{.code = "G4", .name = "x", .kind = "specialty_alliance", .lead_code = "H9"},
         YL_EINVAL, "lead_code"},
        {{.code = "G4", .name = "x", .kind = "specialty_alliance", .lead_code = "H1",
          .member_codes = "H2 X9"}, YL_EINVAL, "member_codes"},
        {{.code = "G4", .name = "x", .kind = "club", .lead_code = "H1"}, YL_EINVAL, "kind"},
        {{.code = "G1", .name = "x", .kind = "specialty_alliance", .lead_code = "H1"},
         YL_ECONFLICT, "code"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        yl_err_clear(&err);
        CHECK_INT(reg_group_create(&ctx, &region, &bad[i].in, NULL, &err), bad[i].code);
        CHECK_STR(err.field, bad[i].field);
    }

    /* The full member list replaces the old one: H2 leaves G1 and may join another. */
    struct reg_group_in patch = {.member_codes = "H3"};
    CHECK_INT(reg_group_update(&ctx, &region, "G1", &patch, NULL, NULL), 0);
    CHECK_INT(reg_group_get(&ctx, "G1", &a, &g, NULL), 0);
    CHECK_INT(g.n_members, 2);
    CHECK_STR(g.member_codes[0], "H1");
    CHECK_STR(g.member_codes[1], "H3");
    in = (struct reg_group_in){.code = "G2", .name = "x", .kind = "urban_group",
                               .lead_code = "H2"};
    CHECK_INT(reg_group_create(&ctx, &region, &in, NULL, NULL), 0);

    /* G3 turning urban would put H3 (and H2) in two urban groups. */
    patch = (struct reg_group_in){.kind = "urban_group"};
    yl_err_clear(&err);
    CHECK_INT(reg_group_update(&ctx, &region, "G3", &patch, NULL, &err), YL_ECONFLICT);
    CHECK_STR(err.field, "member_codes");
    CHECK_INT(reg_group_get(&ctx, "G3", &a, &g, NULL), 0);
    CHECK_INT(g.kind, GK_COUNTY_COMMUNITY);

    struct reg_group list[8];
    struct reg_group_filter f = {.facility = "H3"};
    CHECK_INT(reg_group_list(&ctx, &f, 0, 8, &a, list, NULL), 2);
    f = (struct reg_group_filter){.kind = "urban_group"};
    CHECK_INT(reg_group_list(&ctx, &f, 0, 8, &a, list, NULL), 2);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM medical_group_member"), 2 + 3 + 1);
    arena_release(&a);
    store_close(s);
}

/* ------------------------------------------------------------------ staff */

TEST(staff_refusals_and_facility_scope)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    CHECK_INT(facility_add(&ctx, "H1", "county_hospital", "222404001"), 0);
    CHECK_INT(facility_add(&ctx, "H2", "township_center", "222404002"), 0);

    struct {
        struct reg_staff_in in;
        const char *field;
    } bad[] = {
        {{.code = "S1", .name = "张伟", .role = "registered_nurse", .facility_code = "H9"},
         "facility_code"},
        {{.code = "S1", .name = "张伟", .role = "surgeon", .facility_code = "H1"}, "role"},
        {{.code = "S1", .name = "", .role = "pharmacist", .facility_code = "H1"}, "name"},
        {{.code = "S1", .name = "张伟", .role = "pharmacist", .facility_code = "H1",
          .education = "phd"}, "education"},
        {{.code = "S1", .name = "张伟", .role = "pharmacist", .facility_code = "H1",
          .qualification_no = "A 1"}, "qualification_no"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct yl_err err = {0};
        CHECK_INT(reg_staff_create(&ctx, &region, &bad[i].in, NULL, &err), YL_EINVAL);
        CHECK_STR(err.field, bad[i].field);
        /* A person's name never appears in a message. */
        CHECK(strstr(err.message, "张伟") == NULL);
    }

    struct reg_staff_in in = {.code = "S2", .name = "李娜", .role = "general_practitioner",
                              .facility_code = "H2", .education = "bachelor"};
    CHECK_INT(reg_staff_create(&ctx, &region, &in, NULL, NULL), 0);

    /* A facility admin of H1: only H1's staff. */
    struct yl_err err = {0};
    in = (struct reg_staff_in){.code = "S3", .name = "王芳", .role = "registered_nurse",
                               .facility_code = "H2"};
    CHECK_INT(reg_staff_create(&ctx, &h1_admin, &in, NULL, &err), YL_EFORBIDDEN);
    in.facility_code = "H1";
    int64_t id = 0;
    CHECK_INT(reg_staff_create(&ctx, &h1_admin, &in, &id, NULL), 0);
    CHECK(id > 0);
    struct reg_staff_in patch = {.status = "left"};
    yl_err_clear(&err);
    CHECK_INT(reg_staff_update(&ctx, &h1_admin, "S2", &patch, NULL, &err), YL_EFORBIDDEN);
    patch = (struct reg_staff_in){.facility_code = "H2"};
    yl_err_clear(&err);
    CHECK_INT(reg_staff_update(&ctx, &h1_admin, "S3", &patch, NULL, &err), YL_EFORBIDDEN);
    patch = (struct reg_staff_in){.qualification_no = "110220000012345"};
    CHECK_INT(reg_staff_update(&ctx, &h1_admin, "S3", &patch, NULL, NULL), 0);

    int64_t c[2][REG_AGE_BANDS] = {{0}};
    yl_err_clear(&err);
    CHECK_INT(reg_population_set(&ctx, &h1_admin, "222404", 2024, c, &err), YL_EFORBIDDEN);
    struct reg_group_in g = {.code = "G", .name = "x", .kind = "urban_group", .lead_code = "H1"};
    yl_err_clear(&err);
    CHECK_INT(reg_group_create(&ctx, &h1_admin, &g, NULL, &err), YL_EFORBIDDEN);

    struct reg_staff st;
    CHECK_INT(reg_staff_get(&ctx, "S3", &st, NULL), 0);
    CHECK_STR(st.qualification_no, "110220000012345");
    CHECK_STR(st.facility_code, "H1");
    CHECK_INT(st.education, -1);
    CHECK_INT(st.role, SROLE_REGISTERED_NURSE);

    struct reg_staff out[4];
    struct reg_staff_filter f = {.ou = "222404002"};
    CHECK_INT(reg_staff_list(&ctx, &f, 0, 4, out, NULL), 1);
    CHECK_STR(out[0].code, "S2");
    f = (struct reg_staff_filter){.facility = "H1"};
    CHECK_INT(reg_staff_list(&ctx, &f, 0, 4, out, NULL), 1);
    CHECK_STR(out[0].code, "S3");
    f = (struct reg_staff_filter){.role = "general_practitioner", .ou = "222404"};
    CHECK_INT(reg_staff_list(&ctx, &f, 0, 4, out, NULL), 1);
    store_close(s);
}

TEST(writes_carry_one_audit_record_and_refusals_none)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    long long audits = sql_count(db, "SELECT COUNT(*) FROM audit");
    CHECK_INT(audits, 8);
    CHECK_INT(facility_add(&ctx, "H1", "cdc", "222404"), 0);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM audit"), audits + 1);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM audit WHERE action = 'create'"
                            " AND resource_type = 'facility' AND resource_id = 'H1'"
                            " AND username = 'test'"), 1);
    CHECK_INT(facility_add(&ctx, "H2", "cdc", "222499"), YL_EINVAL);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM audit"), audits + 1);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM facility"), 1);
    store_close(s);
}

/* ------------------------------------------------------------------ imports */

static const char ous_csv[] =
    "code,name,parent_code,lat,lon\n"        /* 1 */
    "22,吉林省,,,\n"                         /* 2 */
    "2224,延边朝鲜族自治州,,,\n"             /* 3 */
    "222404,珲春市,2224,42.86,130.36\n"      /* 4 */
    "222404001,靖和街道,,,\n"                /* 5 */
    "222404001001,永新社区,,,\n"             /* 6 */
    "222499001001,孤村,,,\n"                 /* 7: parent missing */
    "22240400100,短码,,,\n"                  /* 8: 11 digits */
    "222404002,英安镇,2224,,\n"              /* 9: parent two levels up */
    "222404002,,,,\n"                        /* 10: no name */
    "222404003,春化镇,,95,130\n"             /* 11: latitude out of range */
    "222404001002,\"文化社区, 北\",,,\n";    /* 12: quoted comma */

TEST(import_ous_reports_bad_lines_and_reruns_unchanged)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    struct imp_report rep;
    char *errors = NULL;
    CHECK_INT(run_import(&ctx, REG_IMPORT_OUS, ous_csv, &rep, &errors), 0);
    CHECK_INT(rep.records, 11);
    CHECK_INT(rep.applied, 6);
    CHECK_INT(rep.unchanged, 0);
    CHECK_INT(rep.refused, 5);
    CHECK_INT(rep.first_refused_line, 7);
    CHECK_CONTAINS(errors, "line 7: parent_code: parent org unit \"222499001\" does not exist\n");
    CHECK_CONTAINS(errors, "line 8: code: ");
    CHECK_CONTAINS(errors, "line 9: parent_code: ");
    CHECK_CONTAINS(errors, "line 10: name: name is required\n");
    CHECK_CONTAINS(errors, "line 11: lat: ");
    CHECK(strstr(errors, "line 12") == NULL);
    free(errors);
    struct reg_ou o;
    CHECK_INT(reg_ou_get(&ctx, "222404001002", &o, NULL), 0);
    CHECK_STR(o.name, "文化社区, 北");
    CHECK_STR(o.parent_code, "222404001");
    CHECK_INT(reg_ou_get(&ctx, "222404", &o, NULL), 0);
    CHECK(o.has_coord && o.lat == 42.86);

    long long rows = sql_count(db, "SELECT COUNT(*) FROM ou");
    long long audits = sql_count(db, "SELECT COUNT(*) FROM audit");
    CHECK_INT(rows, 6);
    CHECK_INT(audits, 1);
    CHECK_INT(run_import(&ctx, REG_IMPORT_OUS, ous_csv, &rep, &errors), 0);
    free(errors);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 6);
    CHECK_INT(rep.refused, 5);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou"), rows);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM audit"), audits);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou WHERE updated_at <> (SELECT MIN(updated_at)"
                            " FROM ou)"), 0);

    /* Changed rows are applied, the rest stay as they are. A column left out is empty, and
     * an empty field takes the default: 222404 loses its coordinates. */
    CHECK_INT(run_import(&ctx, REG_IMPORT_OUS,
                         "code,name\n22,吉林省\n2224,延边州\n222404,珲春市\n", &rep, &errors), 0);
    free(errors);
    CHECK_INT(rep.applied, 2);
    CHECK_INT(rep.unchanged, 1);
    CHECK_INT(rep.refused, 0);
    CHECK_INT(reg_ou_get(&ctx, "222404", &o, NULL), 0);
    CHECK(!o.has_coord);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM audit"), audits + 1);
    store_close(s);
}

TEST(import_ous_child_before_parent_is_refused)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    struct imp_report rep;
    char *errors = NULL;
    CHECK_INT(run_import(&ctx, REG_IMPORT_OUS,
                         "code,name\n22,吉林省\n222404,珲春市\n2224,延边州\n222404,珲春市\n",
                         &rep, &errors), 0);
    CHECK_STR(errors, "line 3: parent_code: parent org unit \"2224\" does not exist\n");
    free(errors);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 1);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou"), 3);
    store_close(s);
}

static const char facilities_csv[] =
    "code,name,type,grade,ownership,ou_code,lat,lon,beds,icu_beds,services,centers,status\n"
    "H1,珲春市医院,county_hospital,2A,public,222404,42.87,130.35,500,20,pediatrics lab,stroke,\n"
    "H2,英安镇卫生院,township_center,,,222404002,,,30,0,tcm,,\n"
    "H3,坏卫生院,spa,,,222404002,,,,,,,\n"
    "H4,负床位,township_center,,,222404002,,,-5,,,,\n"
    "H5,无此地,township_center,,,222404999,,,,,,,\n"
    "C1,英安村卫生室,village_clinic,,private,222404002001,,,,,,,closed\n"
    "H6,无效服务,township_center,,,222404002,,,,,xray,,\n";

TEST(import_facilities_groups_staff_population)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    CHECK_INT(seed_ous(&ctx), 0);
    struct imp_report rep;
    char *errors = NULL;

    CHECK_INT(run_import(&ctx, REG_IMPORT_FACILITIES, facilities_csv, &rep, &errors), 0);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 4);
    CHECK_CONTAINS(errors, "line 4: type: unknown facility type");
    CHECK_CONTAINS(errors, "line 5: beds: beds must not be negative\n");
    CHECK_CONTAINS(errors, "line 6: ou_code: unknown org unit \"222404999\"\n");
    CHECK_CONTAINS(errors, "line 8: services: unknown service");
    free(errors);
    struct reg_facility f;
    CHECK_INT(reg_facility_get(&ctx, "C1", &f, NULL), 0);
    CHECK_INT(f.ownership, OWN_PRIVATE);
    CHECK_INT(f.status, FSTAT_CLOSED);
    CHECK_INT(f.grade, GRADE_NONE);

    static const char groups_csv[] =
        "code,name,kind,lead_code,member_codes\n"
        "G1,珲春医共体,county_community,H1,H2 C1\n"
        "G2,重复成员,county_community,H2,\n"
        "G3,无此院,urban_group,H9,\n"
        "G4,城市集团,urban_group,H1,H2\n";
    CHECK_INT(run_import(&ctx, REG_IMPORT_GROUPS, groups_csv, &rep, &errors), 0);
    CHECK_INT(rep.applied, 2);
    CHECK_INT(rep.refused, 2);
    CHECK_CONTAINS(errors, "line 3: member_codes: facility \"H2\" is already in "
                           "county_community \"G1\"");
    CHECK_CONTAINS(errors, "line 4: lead_code: unknown facility \"H9\"\n");
    free(errors);

    static const char staff_csv[] =
        "code,name,role,facility_code,qualification_no,education,status\n"
        "S1,张伟,general_practitioner,H2,110220000012345,bachelor,\n"
        "S2,李娜,village_doctor,C1,,college,\n"
        "S3,王芳,registered_nurse,H9,,,\n"
        "S4,赵强,surgeon,H1,,,\n";
    CHECK_INT(run_import(&ctx, REG_IMPORT_STAFF, staff_csv, &rep, &errors), 0);
    CHECK_INT(rep.applied, 2);
    CHECK_INT(rep.refused, 2);
    CHECK_CONTAINS(errors, "line 4: facility_code: unknown facility \"H9\"\n");
    CHECK_CONTAINS(errors, "line 5: role: unknown staff role");
    CHECK(strstr(errors, "王芳") == NULL && strstr(errors, "赵强") == NULL);
    free(errors);

    static const char population_csv[] =
        "ou_code,year,sex,age_band,count\n"
        "222404001001,2024,1,0,120\n"
        "222404001001,2024,2,0,110\n"
        "222404001002,2024,1,18,9\n"
        "222404001002,2024,3,0,1\n"
        "222404001002,2024,1,19,1\n"
        "222404001009,2024,1,0,1\n"
        "222404001002,2024,1,1,-4\n";
    CHECK_INT(run_import(&ctx, REG_IMPORT_POPULATION, population_csv, &rep, &errors), 0);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 4);
    CHECK_CONTAINS(errors, "line 5: sex: ");
    CHECK_CONTAINS(errors, "line 6: age_band: ");
    CHECK_CONTAINS(errors, "line 7: ou_code: unknown org unit \"222404001009\"\n");
    CHECK_CONTAINS(errors, "line 8: count: ");
    free(errors);
    struct reg_population p;
    CHECK_INT(reg_population_get(&ctx, "222404", 2024, &p, NULL), 0);
    CHECK_INT(p.source, REG_POP_CHILDREN);
    CHECK_INT(p.units, 2);
    CHECK_INT(p.total, 239);

    /* Every file again: nothing applied, nothing written, no audit record. */
    long long rows = sql_count(db, "SELECT (SELECT COUNT(*) FROM facility) +"
                                   " (SELECT COUNT(*) FROM medical_group_member) +"
                                   " (SELECT COUNT(*) FROM staff) +"
                                   " (SELECT COUNT(*) FROM ou_population)");
    long long audits = sql_count(db, "SELECT COUNT(*) FROM audit");
    CHECK_INT(rows, 3 + 5 + 2 + 3);
    struct {
        enum reg_import_kind kind;
        const char *csv;
        long unchanged;
    } again[] = {
        {REG_IMPORT_FACILITIES, facilities_csv, 3},
        {REG_IMPORT_GROUPS, groups_csv, 2},
        {REG_IMPORT_STAFF, staff_csv, 2},
        {REG_IMPORT_POPULATION, population_csv, 3},
    };
    for (size_t i = 0; i < sizeof(again) / sizeof(again[0]); i++) {
        CHECK_INT(run_import(&ctx, again[i].kind, again[i].csv, &rep, &errors), 0);
        free(errors);
        CHECK_INT(rep.applied, 0);
        CHECK_INT(rep.unchanged, again[i].unchanged);
    }
    CHECK_INT(sql_count(db, "SELECT (SELECT COUNT(*) FROM facility) +"
                            " (SELECT COUNT(*) FROM medical_group_member) +"
                            " (SELECT COUNT(*) FROM staff) +"
                            " (SELECT COUNT(*) FROM ou_population)"), rows);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM audit"), audits);

    /* A changed group member list and a changed count are applied. */
    CHECK_INT(run_import(&ctx, REG_IMPORT_GROUPS,
                         "code,name,kind,lead_code,member_codes\n"
                         "G1,珲春医共体,county_community,H1,C1\n", &rep, &errors), 0);
    free(errors);
    CHECK_INT(rep.applied, 1);
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM medical_group_member m JOIN facility f"
                            " ON f.id = m.facility_id WHERE f.code = 'H2'"), 1);
    CHECK_INT(run_import(&ctx, REG_IMPORT_POPULATION,
                         "ou_code,year,sex,age_band,count\n222404001001,2024,1,0,121\n"
                         "222404001001,2024,2,0,110\n", &rep, &errors), 0);
    free(errors);
    CHECK_INT(rep.applied, 1);
    CHECK_INT(rep.unchanged, 1);
    store_close(s);
}

TEST(import_refuses_a_header_without_required_columns)
{
    char db[512];
    struct store *s = fresh_store(db, sizeof(db));
    CHECK(s != NULL);
    struct reg_ctx ctx = {s};
    struct imp_report rep = {0};
    FILE *in = fmemopen((void *)"code,title\n22,x\n", 16, "r");
    struct yl_err err = {0};
    CHECK_INT(reg_import(&ctx, REG_IMPORT_OUS, in, &test_actor, &rep, &err), YL_EINVAL);
    fclose(in);
    CHECK_CONTAINS(err.message, "name");
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou"), 0);
    store_close(s);
}

/* ------------------------------------------------------------------ yilian import */

struct cli_run {
    int status;
    char out[4096];
    char err[4096];
};

static void slurp(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(out, 1, n - 1, f) : 0;
    out[got] = '\0';
    if (f)
        fclose(f);
}

/* Run cli_main in this process with stdout and stderr (and stdin, when `input` is set)
 * redirected to files. */
static void cli_run(struct cli_run *r, const char *input, const char *const *args, int n)
{
    char *argv[16];
    argv[0] = "yilian";
    for (int i = 0; i < n && i < 14; i++)
        argv[i + 1] = (char *)args[i];
    argv[n + 1] = NULL;
    const char *out_path = ts_path("cli.out"), *err_path = ts_path("cli.err");
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2), saved_in = dup(0);
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    if (input != NULL) {
        int fi = open(input, O_RDONLY);
        dup2(fi, 0);
        close(fi);
    }
    r->status = cli_main(n + 1, argv);
    fflush(stdout);
    fflush(stderr);
    clearerr(stdin);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    dup2(saved_in, 0);
    close(saved_out);
    close(saved_err);
    close(saved_in);
    slurp(out_path, r->out, sizeof(r->out));
    slurp(err_path, r->err, sizeof(r->err));
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

TEST(cli_import_summary_refusals_and_status)
{
    char db[512], csv[512], good[512];
    snprintf(db, sizeof(db), "%s", ts_path("cli.db"));
    snprintf(csv, sizeof(csv), "%s", ts_path("ous.csv"));
    snprintf(good, sizeof(good), "%s", ts_path("good.csv"));
    CHECK_INT(write_file(csv, "code,name\n22,吉林省\n22x,坏\n2224,延边州\n222404001,无父\n"), 0);
    CHECK_INT(write_file(good, "code,name\n22,吉林省\n2224,延边州\n"), 0);
    struct cli_run r;

    const char *a1[] = {"--db", db, "import", "ous", csv};
    cli_run(&r, NULL, a1, 5);
    CHECK_INT(r.status, 1);
    CHECK_STR(r.out, "ous: 2 applied, 0 unchanged, 2 refused\n");
    CHECK_CONTAINS(r.err, "line 3: code: ");
    CHECK_CONTAINS(r.err, "line 5: parent_code: parent org unit \"222404\" does not exist\n");

    const char *a2[] = {"--db", db, "import", "ous", "-"};
    cli_run(&r, good, a2, 5);
    CHECK_INT(r.status, 0);
    CHECK_STR(r.out, "ous: 0 applied, 2 unchanged, 0 refused\n");
    CHECK_STR(r.err, "");

    const char *a3[] = {"--db", db, "import", "ous"};
    cli_run(&r, NULL, a3, 4);
    CHECK_INT(r.status, 2);
    CHECK_CONTAINS(r.err, "usage: yilian import KIND FILE.csv");
    const char *a4[] = {"--db", db, "import", "planets", csv};
    cli_run(&r, NULL, a4, 5);
    CHECK_INT(r.status, 2);
    CHECK_CONTAINS(r.err, "unknown import kind \"planets\"");
    const char *a5[] = {"--db", db, "import", "ous", ts_path("missing.csv")};
    cli_run(&r, NULL, a5, 5);
    CHECK_INT(r.status, 1);
    CHECK_CONTAINS(r.err, "cannot read");
    CHECK_INT(sql_count(db, "SELECT COUNT(*) FROM ou"), 2);
}

TEST_MAIN()
