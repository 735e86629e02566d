/*
 * test_surveil_data.c - surveillance data (issue 6) through the library: the shipped data
 * files load and say what the law says (class A 2 hours, managed-as-A, COVID-19 and mpox in
 * class B); bad data files name file, line and column; detectors by name; report limits at
 * their edge; case reports recorded, re-sent, revised and deleted; the cases and syndromic
 * imports (CSV and NDJSON) with bad rows by line and re-runs all unchanged; series with
 * missing days, zero series, weeks and classes; scope and masking; indicators; and the
 * `surveil detect` command against the library on a fixture series.
 *
 * A fresh database per file, written straight through SQL for the registry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "support.h"
#include "surveil/surveil.h"
#include "test.h"

static struct store *db;
static char db_path[512];
static struct surv_catalog *cat;
static const struct audit_actor actor = {0, "test", "admin", "test"};

static void teardown(void)
{
    store_close(db);
    surv_catalog_free(cat);
}

static int fixtures(void)
{
    const char *now = "2024-01-01T00:00:00Z";
    char text[4096];
    snprintf(text, sizeof(text),
             "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, '%1$s'), (2, '2224', 'Yanbian', 2, 1, '%1$s'),"
             " (3, '222404', 'Hunchun', 3, 2, '%1$s'),"
             " (4, '222404001', 'Township A', 4, 3, '%1$s'),"
             " (5, '222404001001', 'Village A1', 5, 4, '%1$s'),"
             " (6, '222403', 'Dunhua', 3, 2, '%1$s'),"
             " (7, '222403001', 'Township B', 4, 6, '%1$s'),"
             " (8, '222403001001', 'Village B1', 5, 7, '%1$s'),"
             " (9, '222404001002', 'Village A2', 5, 4, '%1$s');"
             "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
             " (1, 'TA', 'Township A center', 'township_center', 4, 'active', '%1$s'),"
             " (2, 'TB', 'Township B center', 'township_center', 7, 'active', '%1$s');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s');"
             "INSERT INTO ou_population (ou_id, year, sex, age_band, count) VALUES"
             " (5, 2025, 1, 5, 3000), (5, 2025, 2, 5, 2000), (9, 2025, 1, 5, 5000);",
             now);
    if (ts_sql(db_path, text) != 0)
        return -1;
    char idno[IDNO_LEN + 1];
    ts_idno(idno, date_from_ymd(1990, 5, 1), 101);
    snprintf(text, sizeof(text),
             "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, record_date,"
             " status, updated_at) VALUES (1, '%s', '张三丰', 1, '1990-05-01', 5,"
             " '2020-01-01', 'active', '%s');",
             idno, now);
    return ts_sql(db_path, text);
}

static struct store *store(void)
{
    static int state;
    if (state != 0)
        return state > 0 ? db : NULL;
    state = -1;
    snprintf(db_path, sizeof(db_path), "%s", ts_path("surveil.db"));
    struct yl_err err = {0};
    int applied;
    if (store_open(db_path, NULL, &db, &err) != 0 || store_migrate(db, &applied, &err) != 0 ||
        surv_catalog_load("data/" SURV_FILE_DISEASES, "data/" SURV_FILE_CHANNELS,
                          "data/" SURV_FILE_PARAMS, &cat, &err) != 0) {
        fprintf(stderr, "    setup: %s\n", yl_err_message(&err));
        return NULL;
    }
    atexit(teardown);
    if (fixtures() != 0)
        return NULL;
    state = 1;
    return db;
}

static const char *write_file(const char *name, const char *text)
{
    const char *path = ts_path(name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* ------------------------------------------------------------------ the data files */

TEST(shipped_files_load_and_say_the_law)
{
    CHECK(store() != NULL);
    const struct surv_disease *d = surv_disease_find(cat, "plague");
    CHECK(d != NULL);
    CHECK_INT(d->cls, 'A');
    CHECK_INT(d->report_limit_hours, 2);
    d = surv_disease_find(cat, "anthrax_pulmonary");
    CHECK(d != NULL && d->cls == 'B' && d->managed_as_a && d->report_limit_hours == 2);
    d = surv_disease_find(cat, "sars");
    CHECK(d != NULL && d->managed_as_a);
    d = surv_disease_find(cat, "covid19");
    CHECK(d != NULL && d->cls == 'B' && !d->managed_as_a && d->report_limit_hours == 24);
    d = surv_disease_find(cat, "mpox");
    CHECK(d != NULL && d->cls == 'B');
    CHECK(surv_disease_find(cat, "hfmd")->cls == 'C');
    CHECK(surv_disease_find(cat, "no_such") == NULL);
    /* Every class A or managed-as-A disease has the 2-hour limit, every other 24. */
    for (size_t i = 0; i < cat->n_diseases; i++) {
        d = &cat->diseases[i];
        CHECK_INT(d->report_limit_hours, d->cls == 'A' || d->managed_as_a ? 2 : 24);
    }
    const struct surv_channel *ch = surv_channel_find(cat, "ili_share");
    CHECK(ch != NULL && ch->kind == SURV_CH_PROPORTION);
    CHECK(surv_channel_find(cat, "fever_clinic")->kind == SURV_CH_COUNT);
    CHECK_INT(cat->n_channels, 6);
}

TEST(params_per_disease_channel_and_county)
{
    CHECK(store() != NULL);
    struct surv_method_config m;
    surv_params_for(cat, "plague", "222404", &m);
    CHECK_INT(m.method, SURV_M_THRESHOLD);
    CHECK(m.p.threshold.threshold == 1);
    surv_params_for(cat, "measles", "", &m);
    CHECK_INT(m.method, SURV_M_MPM);
    CHECK(m.p.mpm.percentile == 50);
    /* No row of its own: the "*" default (CIDARS, P80). */
    surv_params_for(cat, "hepatitis_b", NULL, &m);
    CHECK_INT(m.method, SURV_M_MPM);
    CHECK(m.p.mpm.percentile == 80);
    CHECK_INT(m.p.mpm.years, 3);
    surv_params_for(cat, "fever_clinic", NULL, &m);
    CHECK_INT(m.method, SURV_M_C2);
    surv_params_for(cat, "tuberculosis", NULL, &m);
    CHECK_INT(m.method, SURV_M_FARRINGTON_FLEXIBLE);
    CHECK_INT(m.unit, SURV_WEEK);
    CHECK_INT(m.p.farrington.period, 52);

    /* A county's own percentile wins inside that county only. */
    const char *params = write_file(
        "params-county.csv",
        "target,county,method,unit,params,source\n"
        "*,,mpm,day,percentile=80,x\n"
        "measles,,mpm,day,percentile=50,x\n"
        "measles,222404,mpm,day,percentile=60 years=2,x\n"
        "measles,222404001,mpm,day,percentile=45,x\n");
    struct surv_catalog *c2;
    struct yl_err err = {0};
    CHECK_INT(surv_catalog_load("data/" SURV_FILE_DISEASES, "data/" SURV_FILE_CHANNELS, params,
                                &c2, &err), 0);
    surv_params_for(c2, "measles", "222404002003", &m);
    CHECK(m.p.mpm.percentile == 60);
    CHECK_INT(m.p.mpm.years, 2);
    surv_params_for(c2, "measles", "222404001001", &m);
    CHECK(m.p.mpm.percentile == 45);
    surv_params_for(c2, "measles", "222403001001", &m);
    CHECK(m.p.mpm.percentile == 50);
    surv_catalog_free(c2);
}

TEST(bad_data_files_name_file_line_and_column)
{
    struct surv_catalog *c2 = NULL;
    struct yl_err err = {0};
    const char *dis = write_file("bad-diseases.csv",
                                 "code,name_zh,name_en,class,managed_as_a,report_limit_hours,"
                                 "icd10,source\n"
                                 "plague,鼠疫,plague,A,0,2,A20,x\n"
                                 "cholera,霍乱,cholera,D,0,2,A00,x\n");
    CHECK(dis != NULL);
    CHECK_INT(surv_catalog_load(dis, "data/" SURV_FILE_CHANNELS, "data/" SURV_FILE_PARAMS, &c2,
                                &err), YL_EINVAL);
    CHECK(c2 == NULL);
    CHECK_CONTAINS(err.message, "bad-diseases.csv:3: class");
    CHECK_STR(err.field, "class");

    yl_err_clear(&err);
    dis = write_file("dup-diseases.csv",
                     "code,name_zh,name_en,class,managed_as_a,report_limit_hours\n"
                     "plague,鼠疫,plague,A,0,2\nplague,鼠疫,plague,A,0,2\n");
    CHECK_INT(surv_catalog_load(dis, "data/" SURV_FILE_CHANNELS, "data/" SURV_FILE_PARAMS, &c2,
                                &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, ":3: code");

    yl_err_clear(&err);
    dis = write_file("asa-diseases.csv",
                     "code,name_zh,name_en,class,managed_as_a,report_limit_hours\n"
                     "flu,流感,flu,C,1,24\n");
    CHECK_INT(surv_catalog_load(dis, "data/" SURV_FILE_CHANNELS, "data/" SURV_FILE_PARAMS, &c2,
                                &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "only a class B disease");

    /* An unknown parameter of the method is named with its line. */
    yl_err_clear(&err);
    const char *params = write_file("bad-params.csv",
                                    "target,county,method,unit,params\n"
                                    "*,,mpm,day,percentile=80\n"
                                    "measles,,c1,day,percentile=80\n");
    CHECK_INT(surv_catalog_load("data/" SURV_FILE_DISEASES, "data/" SURV_FILE_CHANNELS, params,
                                &c2, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "bad-params.csv:3: params");
    CHECK_CONTAINS(err.message, "no parameter \"percentile\"");

    yl_err_clear(&err);
    params = write_file("bad-target.csv", "target,county,method,unit,params\n"
                                          "no_such_disease,,mpm,day,\n");
    CHECK_INT(surv_catalog_load("data/" SURV_FILE_DISEASES, "data/" SURV_FILE_CHANNELS, params,
                                &c2, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, ":2: target");
}

/* ------------------------------------------------------------------ methods by name */

TEST(methods_by_name_run_the_detect_functions)
{
    struct surv_method_config m;
    struct yl_err err = {0};
    CHECK_INT(surv_method_find("farrington-flexible"), SURV_M_FARRINGTON_FLEXIBLE);
    CHECK_INT(surv_method_find("c4"), -1);
    surv_method_defaults(&m, SURV_M_C3, SURV_DAY);
    CHECK_INT(surv_method_set(&m, "baseline", "5", &err), 0);
    CHECK_INT(surv_method_set(&m, "c3_rule", "r", &err), 0);
    CHECK_INT(m.p.ears.c3_rule, SURV_C3_R_EARSC);
    CHECK_INT(surv_method_set(&m, "percentile", "50", &err), YL_EINVAL);
    CHECK_STR(err.field, "percentile");
    yl_err_clear(&err);
    CHECK_INT(surv_method_set(&m, "baseline", "five", &err), YL_EINVAL);
    CHECK_STR(err.field, "baseline");
    yl_err_clear(&err);
    CHECK_INT(surv_method_set_text(&m, "alpha=0.01 nonsense", &err), YL_EINVAL);
    yl_err_clear(&err);

    /* The same numbers as the detect.h runner with the same parameters. */
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = (i * 7) % 5 + (i == 35 ? 12 : 0);
    struct surv_point a[40], b[40];
    surv_method_defaults(&m, SURV_M_C2, SURV_DAY);
    CHECK_INT(surv_method_set_text(&m, "baseline=10 min_sigma=0.5", &err), 0);
    CHECK_INT(surv_method_run(&m, y, 40, a, &err), 0);
    struct surv_ears_params p;
    surv_ears_defaults(&p, SURV_EARS_C2);
    p.baseline = 10;
    p.min_sigma = 0.5;
    CHECK_INT(surv_ears_run(y, 40, &p, b, &err), 0);
    for (int i = 0; i < 40; i++) {
        CHECK_INT(a[i].alarm, b[i].alarm);
        CHECK(isnan(a[i].upper) ? isnan(b[i].upper) : a[i].upper == b[i].upper);
    }
    CHECK_INT(a[35].alarm, SURV_ALARM);
    /* A bad range is the runner's to refuse, naming the field. */
    CHECK_INT(surv_method_set(&m, "baseline", "1", &err), 0);
    CHECK_INT(surv_method_run(&m, y, 40, a, &err), YL_EINVAL);
    CHECK_STR(err.field, "baseline");
}

/* ------------------------------------------------------------------ time and limits */

TEST(report_limits_exactly_at_the_limit_is_on_time)
{
    int64_t d, r;
    struct yl_err err = {0};
    CHECK_INT(surv_time_parse("2025-03-01T08:00:00+08:00", "t", &d, &err), 0);
    CHECK_INT(surv_time_parse("2025-03-01T02:00:00Z", "t", &r, &err), 0);
    CHECK_INT(r - d, 2 * 3600);
    CHECK(!surv_is_late(d, r, 2));
    CHECK(surv_is_late(d, r + 1, 2));
    CHECK(!surv_is_late(d, d + 24 * 3600, 24));
    CHECK(surv_is_late(d, d + 24 * 3600 + 1, 24));
    CHECK_INT(surv_time_parse("2025-03-01 08:00+08:00", "t", &r, &err), 0);
    CHECK_INT(r, d);
    CHECK_INT(surv_time_parse("2025-03-01T08:00:00", "diagnosed_at", &r, &err), YL_EINVAL);
    CHECK_STR(err.field, "diagnosed_at");
    yl_err_clear(&err);
    CHECK_INT(surv_time_parse("2025-02-30T08:00:00Z", "t", &r, &err), YL_EINVAL);
    /* Cut short anywhere: refused, never read past the end (ASan watches). */
    static const char *const cut[] = {"2025-03-01T08:00:", "2025-03-01T08:00:0",
                                      "2025-03-01T08:00+", "2025-03-01T08:00+0",
                                      "2025-03-01T08:00+08", "2025-03-01T08:00+08:0",
                                      "2025-03-01T08:00:00.", "2025-03-01T8:00:00Z"};
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
        size_t n = strlen(cut[i]);
        char *exact = xmalloc(n + 1);
        memcpy(exact, cut[i], n + 1);
        int rc = surv_time_parse(exact, "t", &r, &err);
        free(exact);
        CHECK_INT(rc, YL_EINVAL);
    }
}

static struct surv_case_input case_in(const char *ext, const char *disease, const char *diag,
                                      const char *rep)
{
    struct surv_case_input in = {
        .external_id = ext, .disease = disease, .classification = "confirmed",
        .onset_date = "2025-03-01", .diagnosed_at = diag, .reported_at = rep,
        .facility = "TA", .age_years = 7, .sex = 2, .ou = "222404001001"};
    return in;
}

static int record(const struct acct_principal *who, const struct surv_case_input *in,
                  int64_t *id, bool *created, struct yl_err *err)
{
    return surv_case_record(db, cat, who, &actor, in, id, created, err);
}

TEST(case_reports_late_flag_from_the_disease_limit)
{
    CHECK(store() != NULL);
    struct yl_err err = {0};
    int64_t id;
    bool created;
    struct arena a;
    arena_init(&a);
    struct surv_case_report c;
    /* Cholera (class A, 2 h): exactly 2 hours is on time, a second more is late. */
    struct surv_case_input in = case_in("L-1", "cholera", "2025-03-02T08:00:00+08:00",
                                        "2025-03-02T10:00:00+08:00");
    CHECK_INT(record(NULL, &in, &id, &created, &err), 0);
    CHECK(created);
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK(!c.late);
    CHECK_INT(c.delay_s, 7200);
    CHECK_STR(c.diagnosed_at, "2025-03-02T00:00:00Z");
    in = case_in("L-2", "cholera", "2025-03-02T08:00:00+08:00", "2025-03-02T10:00:01+08:00");
    CHECK_INT(record(NULL, &in, &id, &created, &err), 0);
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK(c.late);
    /* Hepatitis B (24 h): 5 hours is on time. */
    in = case_in("L-3", "hepatitis_b", "2025-03-02T08:00:00+08:00", "2025-03-02T13:00:00+08:00");
    CHECK_INT(record(NULL, &in, &id, &created, &err), 0);
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK(!c.late);
    CHECK_INT(c.disease_class, 'B');
    arena_release(&a);
}

TEST(case_report_refusals_name_their_field)
{
    CHECK(store() != NULL);
    int64_t id;
    bool created;
    static const struct {
        const char *field;
        struct surv_case_input in;
    } bad[] = {
        {"disease", {.external_id = "B-1", .disease = "no_such", .classification = "confirmed",
                     .onset_date = "2025-03-01", .diagnosed_at = "2025-03-02T08:00:00Z",
                     .facility = "TA", .ou = "222404001001"}},
        {"classification", {.external_id = "B-2", .disease = "measles",
                            .classification = "probable", .onset_date = "2025-03-01",
                            .diagnosed_at = "2025-03-02T08:00:00Z", .facility = "TA",
                            .ou = "222404001001"}},
        {"onset_date", {.external_id = "B-3", .disease = "measles",
                        .classification = "confirmed", .onset_date = "2025-03-05",
                        .diagnosed_at = "2025-03-02T08:00:00Z", .facility = "TA",
                        .ou = "222404001001"}},
        {"diagnosed_at", {.external_id = "B-4", .disease = "measles",
                          .classification = "confirmed", .onset_date = "2025-03-01",
                          .diagnosed_at = "2025-03-02T08:00:00Z",
                          .reported_at = "2025-03-02T07:00:00Z", .facility = "TA",
                          .ou = "222404001001"}},
        {"facility", {.external_id = "B-5", .disease = "measles", .classification = "confirmed",
                      .onset_date = "2025-03-01", .diagnosed_at = "2025-03-02T08:00:00Z",
                      .facility = "NOPE", .ou = "222404001001"}},
        {"ou", {.external_id = "B-6", .disease = "measles", .classification = "confirmed",
                .onset_date = "2025-03-01", .diagnosed_at = "2025-03-02T08:00:00Z",
                .facility = "TA"}},
        {"ou", {.external_id = "B-7", .disease = "measles", .classification = "confirmed",
                .onset_date = "2025-03-01", .diagnosed_at = "2025-03-02T08:00:00Z",
                .facility = "TA", .ou = "222404009009"}},
        {"id_number", {.external_id = "B-8", .disease = "measles",
                       .classification = "confirmed", .onset_date = "2025-03-01",
                       .diagnosed_at = "2025-03-02T08:00:00Z", .facility = "TA",
                       .id_number = "222404199001010000"}},
        {"external_id", {.disease = "measles", .classification = "confirmed",
                         .onset_date = "2025-03-01", .diagnosed_at = "2025-03-02T08:00:00Z",
                         .facility = "TA", .ou = "222404001001"}},
    };
    long before = ts_sql_count(db_path, "SELECT COUNT(*) FROM case_report");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct yl_err err = {0};
        CHECK_INT(record(NULL, &bad[i].in, &id, &created, &err), YL_EINVAL);
        CHECK_STR(err.field, bad[i].field);
    }
    CHECK_INT(ts_sql_count(db_path, "SELECT COUNT(*) FROM case_report"), before);
}

TEST(case_report_resent_is_unchanged_other_content_conflicts)
{
    CHECK(store() != NULL);
    struct yl_err err = {0};
    int64_t id, id2;
    bool created;
    struct surv_case_input in = case_in("R-1", "measles", "2025-03-02T08:00:00+08:00",
                                        "2025-03-02T09:00:00+08:00");
    CHECK_INT(record(NULL, &in, &id, &created, &err), 0);
    CHECK(created);
    long audits = ts_sql_count(db_path, "SELECT COUNT(*) FROM audit");
    CHECK_INT(record(NULL, &in, &id2, &created, &err), 0);
    CHECK(!created);
    CHECK_INT(id2, id);
    CHECK_INT(ts_sql_count(db_path, "SELECT COUNT(*) FROM audit"), audits);
    in.classification = "suspected";
    CHECK_INT(record(NULL, &in, &id2, &created, &err), YL_ECONFLICT);
    CHECK_STR(err.field, "external_id");
    CHECK_INT(err.existing_id, id);
}

TEST(registered_resident_gives_residence_age_and_sex)
{
    CHECK(store() != NULL);
    struct yl_err err = {0};
    int64_t id;
    bool created;
    struct surv_case_input in = case_in("P-1", "tuberculosis", "2025-03-02T08:00:00+08:00",
                                        "2025-03-02T09:00:00+08:00");
    in.ou = NULL;
    in.age_years = -1;
    in.sex = 0;
    in.resident_id = 1;
    CHECK_INT(record(NULL, &in, &id, &created, &err), 0);
    struct arena a;
    arena_init(&a);
    struct surv_case_report c;
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK_STR(c.ou, "222404001001");
    CHECK_INT(c.sex, 1);
    CHECK_INT(c.age_years, 34);
    CHECK_STR(c.name, "张三丰");
    CHECK(!c.masked);
    /* An onset moved a year back moves the age at onset with it; before birth is refused. */
    struct surv_case_patch p = {.onset_date = "2024-03-01"};
    CHECK_INT(surv_case_revise(db, cat, NULL, &actor, id, &p, &err), 0);
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK_INT(c.age_years, 33);
    p.onset_date = "1989-01-01";
    CHECK_INT(surv_case_revise(db, cat, NULL, &actor, id, &p, &err), YL_EINVAL);
    CHECK_STR(err.field, "onset_date");
    arena_release(&a);
}

TEST(region_files_replace_the_shipped_ones)
{
    char dir[600];
    snprintf(dir, sizeof(dir), "%s", ts_path("region"));
    CHECK(mkdir(dir, 0700) == 0);
    char path[700];
    snprintf(path, sizeof(path), "%s/" SURV_FILE_DISEASES, dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("code,name_zh,name_en,class,managed_as_a,report_limit_hours\n"
          "plague,鼠疫,plague,A,0,2\nlocal_fever,地方热,local fever,C,0,12\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/" SURV_FILE_PARAMS, dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("target,county,method,unit,params\n*,,c1,day,\nlocal_fever,,cusum,day,h=3\n", f);
    fclose(f);
    struct cli_config cfg;
    struct yl_err err = {0};
    cli_config_defaults(&cfg);
    CHECK_INT(cli_config_set(&cfg, "surveil_dir", dir, &err), 0);
    struct surv_catalog *c2 = NULL;
    int rc = cli_surveil_catalog(&cfg, &c2, &err);
    cli_config_release(&cfg);
    CHECK_INT(rc, 0);
    CHECK_INT(c2->n_diseases, 2);
    CHECK(surv_disease_find(c2, "measles") == NULL);
    CHECK_INT(surv_disease_find(c2, "local_fever")->report_limit_hours, 12);
    /* No channels file there: the shipped one. */
    CHECK_INT(c2->n_channels, 6);
    struct surv_method_config m;
    surv_params_for(c2, "local_fever", NULL, &m);
    CHECK_INT(m.method, SURV_M_CUSUM);
    CHECK(m.p.cusum.h == 3);
    surv_catalog_free(c2);
}

TEST(revise_and_delete_keep_the_row)
{
    CHECK(store() != NULL);
    struct yl_err err = {0};
    int64_t id;
    bool created;
    struct surv_case_input in = case_in("D-1", "dysentery", "2025-04-02T08:00:00+08:00",
                                        "2025-04-03T09:00:00+08:00");
    in.onset_date = "2025-04-01";
    CHECK_INT(record(NULL, &in, &id, &created, &err), 0);
    struct arena a;
    arena_init(&a);
    struct surv_case_report c;
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK(c.late);  /* 25 hours for a 24-hour disease */
    /* The diagnosis was later than first written: on time after all. */
    struct surv_case_patch p = {.classification = "clinical",
                                .diagnosed_at = "2025-04-02T10:00:00+08:00"};
    CHECK_INT(surv_case_revise(db, cat, NULL, &actor, id, &p, &err), 0);
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK_INT(c.status, SURV_REVISED);
    CHECK_INT(c.classification, SURV_CLINICAL);
    CHECK(!c.late);
    struct surv_case_patch none = {0};
    CHECK_INT(surv_case_revise(db, cat, NULL, &actor, id, &none, &err), YL_EINVAL);
    yl_err_clear(&err);
    struct surv_case_patch bad = {.onset_date = "2025-04-05"};
    CHECK_INT(surv_case_revise(db, cat, NULL, &actor, id, &bad, &err), YL_EINVAL);
    CHECK_STR(err.field, "onset_date");
    yl_err_clear(&err);
    CHECK_INT(surv_case_delete(db, NULL, &actor, id, "", &err), YL_EINVAL);
    CHECK_STR(err.field, "reason");
    yl_err_clear(&err);
    CHECK_INT(surv_case_delete(db, NULL, &actor, id, "duplicate of another card", &err), 0);
    CHECK_INT(surv_case_get(db, NULL, id, &a, &c, &err), 0);
    CHECK_INT(c.status, SURV_DELETED);
    CHECK_STR(c.delete_reason, "duplicate of another card");
    CHECK_INT(surv_case_delete(db, NULL, &actor, id, "again", &err), YL_ECONFLICT);
    yl_err_clear(&err);
    CHECK_INT(surv_case_revise(db, cat, NULL, &actor, id, &p, &err), YL_ECONFLICT);
    yl_err_clear(&err);
    CHECK_INT(surv_case_delete(db, NULL, &actor, 999999, "x", &err), YL_ENOTFOUND);
    CHECK_INT(ts_sql_count(db_path, "SELECT COUNT(*) FROM audit WHERE action = 'delete_case'"
                                    " AND resource_type = 'case_report'"), 1);
    arena_release(&a);
}

/* ------------------------------------------------------------------ scope and masking */

static struct acct_principal principal(enum acct_role role, enum acct_scope_kind kind,
                                       const char *ref)
{
    struct acct_principal p = {.user_id = 9, .role = role};
    p.scope.kind = kind;
    snprintf(p.scope.ref, sizeof(p.scope.ref), "%s", ref);
    return p;
}

TEST(scope_and_masking_of_case_reports)
{
    CHECK(store() != NULL);
    struct yl_err err = {0};
    int64_t id;
    bool created;
    struct surv_case_input in = case_in("S-1", "tuberculosis", "2025-05-02T08:00:00+08:00",
                                        "2025-05-02T09:00:00+08:00");
    in.onset_date = "2025-05-01";
    in.ou = NULL;
    in.resident_id = 1;
    struct acct_principal epi_a = principal(ROLE_EPIDEMIOLOGIST, SCOPE_OU, "222404");
    struct acct_principal epi_b = principal(ROLE_EPIDEMIOLOGIST, SCOPE_OU, "222403");
    struct acct_principal admin = principal(ROLE_ADMIN, SCOPE_REGION, "");
    struct acct_principal analyst = principal(ROLE_ANALYST, SCOPE_REGION, "");
    struct acct_principal fa_b = principal(ROLE_FACILITY_ADMIN, SCOPE_FACILITY, "TB");
    struct acct_principal fa_a = principal(ROLE_FACILITY_ADMIN, SCOPE_FACILITY, "TA");
    struct acct_principal fd = principal(ROLE_FAMILY_DOCTOR, SCOPE_TEAM, "1");
    /* Another county's epidemiologist may not report a case living here. */
    CHECK_INT(record(&epi_b, &in, &id, &created, &err), YL_EFORBIDDEN);
    CHECK_STR(err.field, "ou");
    yl_err_clear(&err);
    /* A facility reports its own cases only. */
    CHECK_INT(record(&fa_b, &in, &id, &created, &err), YL_EFORBIDDEN);
    yl_err_clear(&err);
    CHECK_INT(record(&analyst, &in, &id, &created, &err), YL_EFORBIDDEN);
    yl_err_clear(&err);
    CHECK_INT(record(&fd, &in, &id, &created, &err), 0);
    CHECK(created);
    struct arena a;
    arena_init(&a);
    struct surv_case_report c;
    CHECK_INT(surv_case_get(db, &epi_a, id, &a, &c, &err), 0);
    CHECK_STR(c.name, "张三丰");
    CHECK(!c.masked);
    CHECK_INT(surv_case_get(db, &admin, id, &a, &c, &err), 0);
    CHECK_STR(c.name, "张**");
    CHECK(c.masked);
    CHECK_CONTAINS(c.id_number, "********");
    CHECK_INT(surv_case_get(db, &epi_b, id, &a, &c, &err), YL_ENOTFOUND);
    yl_err_clear(&err);
    CHECK_INT(surv_case_get(db, &analyst, id, &a, &c, &err), YL_EFORBIDDEN);
    yl_err_clear(&err);
    /* The reporting facility may correct its card; another facility cannot see it. */
    struct surv_case_patch p = {.classification = "clinical"};
    CHECK_INT(surv_case_revise(db, cat, &fa_b, &actor, id, &p, &err), YL_ENOTFOUND);
    yl_err_clear(&err);
    CHECK_INT(surv_case_revise(db, cat, &fa_a, &actor, id, &p, &err), 0);

    /* Lists: the analyst never; another county sees none of these. */
    struct surv_case_query q = {.from = DATE_INVALID, .to = DATE_INVALID, .status = -1,
                                .late = -1, .limit = 100};
    struct surv_case_report *rows;
    size_t n;
    CHECK_INT(surv_case_list(db, &analyst, &q, &a, &rows, &n, &err), YL_EFORBIDDEN);
    yl_err_clear(&err);
    CHECK_INT(surv_case_list(db, &fa_a, &q, &a, &rows, &n, &err), YL_EFORBIDDEN);
    yl_err_clear(&err);
    CHECK_INT(surv_case_list(db, &epi_b, &q, &a, &rows, &n, &err), 0);
    CHECK_INT(n, 0);
    q.ou = "222404";
    CHECK_INT(surv_case_list(db, &epi_b, &q, &a, &rows, &n, &err), YL_ENOTFOUND);
    yl_err_clear(&err);
    q.ou = NULL;
    q.disease = "tuberculosis";
    CHECK_INT(surv_case_list(db, &epi_a, &q, &a, &rows, &n, &err), 0);
    CHECK(n >= 1);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(rows[i].disease, "tuberculosis");
    CHECK_INT(surv_case_list(db, &admin, &q, &a, &rows, &n, &err), 0);
    CHECK(n >= 1 && rows[n - 1].masked);
    arena_release(&a);
}

/* ------------------------------------------------------------------ imports */

/* What the import's hook heard: rows applied, and the last series touched. */
static int touched_rows;
static char touched_last[64];

static void on_touched(void *arg, const char *target, const char *ou, int32_t day)
{
    char d[DATE_STR_LEN];
    touched_rows++;
    snprintf(touched_last, sizeof(touched_last), "%s %s %s", target, ou, date_format(day, d));
}

static int import(const char *kind_spec, const char *path, struct imp_report *rep,
                  FILE *errors)
{
    struct surv_import ctx = {.catalog = cat, .touched = on_touched};
    const struct imp_spec *spec = strcmp(kind_spec, "cases") == 0 ? surv_case_import_spec()
                                                                   : surv_count_import_spec();
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    memset(rep, 0, sizeof(*rep));
    rep->errors = errors;
    struct yl_err err = {0};
    int rc = imp_run_format(db, in, imp_format_of_path(path), spec, &ctx, &actor, rep, &err);
    surv_import_release(&ctx);
    fclose(in);
    return rc;
}

TEST(cases_import_bad_rows_by_line_and_rerun_unchanged)
{
    CHECK(store() != NULL);
    const char *path = write_file(
        "cases.csv",
        "external_id,disease,classification,onset_date,diagnosed_at,reported_at,facility,"
        "id_number,age_years,sex,ou\n"
        "I-1,hfmd,clinical,2025-06-01,2025-06-02T09:00:00+08:00,2025-06-02T10:00:00+08:00,"
        "TA,,4,1,222404001001\n"
        "I-2,hfmd,suspected,2025-06-02,2025-06-02T09:00:00+08:00,2025-06-02T10:00:00+08:00,"
        "TA,,3,2,222404001002\n"
        "I-3,nonesuch,clinical,2025-06-02,2025-06-02T09:00:00+08:00,2025-06-02T10:00:00+08:00,"
        "TA,,3,2,222404001002\n"
        "I-4,hfmd,clinical,2025-06-02,2025-06-02T09:00:00+08:00,2025-06-02T10:00:00+08:00,"
        "TA,,200,2,222404001002\n"
        "I-5,hfmd,clinical,2025-06-03,2025-06-03T09:00:00+08:00,2025-06-03T10:00:00+08:00,"
        "TB,,5,1,222403001001\n");
    CHECK(path != NULL);
    char *log = NULL;
    size_t log_len = 0;
    FILE *errors = open_memstream(&log, &log_len);
    struct imp_report rep;
    CHECK_INT(import("cases", path, &rep, errors), 0);
    fclose(errors);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 2);
    CHECK_CONTAINS(log, "line 4: disease");
    CHECK_CONTAINS(log, "line 5: age_years");
    free(log);
    CHECK_INT(ts_sql_count(db_path, "SELECT COUNT(*) FROM case_report WHERE external_id IN"
                                    " ('I-3', 'I-4')"), 0);
    /* The hook heard each applied row's series: disease, residence, onset. */
    CHECK_INT(touched_rows, 3);
    CHECK_STR(touched_last, "hfmd 222403001001 2025-06-03");
    CHECK_INT(import("cases", path, &rep, NULL), 0);
    CHECK_INT(touched_rows, 3);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 3);
    CHECK_INT(rep.refused, 2);

    /* NDJSON: the same report is unchanged, a new one applied. */
    const char *nd = write_file(
        "cases.ndjson",
        "{\"external_id\":\"I-1\",\"disease\":\"hfmd\",\"classification\":\"clinical\","
        "\"onset_date\":\"2025-06-01\",\"diagnosed_at\":\"2025-06-02T09:00:00+08:00\","
        "\"reported_at\":\"2025-06-02T10:00:00+08:00\",\"facility\":\"TA\",\"age_years\":4,"
        "\"sex\":1,\"ou\":\"222404001001\"}\n"
        "{\"external_id\":\"I-6\",\"disease\":\"hfmd\",\"classification\":\"confirmed\","
        "\"onset_date\":\"2025-06-04\",\"diagnosed_at\":\"2025-06-04T09:00:00+08:00\","
        "\"reported_at\":\"2025-06-04T10:00:00+08:00\",\"facility\":\"TA\",\"age_years\":2,"
        "\"sex\":2,\"ou\":\"222404001001\"}\n");
    CHECK_INT(import("cases", nd, &rep, NULL), 0);
    CHECK_INT(rep.applied, 1);
    CHECK_INT(rep.unchanged, 1);
}

TEST(syndromic_import_and_upsert_idempotent)
{
    CHECK(store() != NULL);
    const char *path = write_file(
        "syn.csv",
        "date,ou,channel,value,denominator\n"
        "2025-01-01,222404001,fever_clinic,10,\n"
        "2025-01-02,222404001,fever_clinic,12,\n"
        "2025-01-04,222404001,fever_clinic,9,\n"
        "2025-01-01,222404001,ili_share,30,600\n"
        "2025-01-02,222404001,ili_share,40,\n"
        "2025-01-02,222404001,no_channel,4,\n"
        "2025-01-02,222404001,fever_clinic,-3,\n"
        "2025-01-01,222404001001,fever_clinic,5,\n");
    char *log = NULL;
    size_t log_len = 0;
    FILE *errors = open_memstream(&log, &log_len);
    struct imp_report rep;
    touched_rows = 0;
    CHECK_INT(import("syndromic", path, &rep, errors), 0);
    fclose(errors);
    CHECK_INT(rep.applied, 5);
    CHECK_INT(touched_rows, 5);
    CHECK_STR(touched_last, "fever_clinic 222404001001 2025-01-01");
    CHECK_INT(rep.refused, 3);
    CHECK_CONTAINS(log, "line 6: denominator");
    CHECK_CONTAINS(log, "line 7: channel");
    CHECK_CONTAINS(log, "line 8: value");
    free(log);
    CHECK_INT(import("syndromic", path, &rep, NULL), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 5);
    /* A corrected value replaces the day's. */
    struct surv_count_input fix = {"2025-01-02", "222404001", "fever_clinic", 13, NAN};
    size_t changed, failed;
    struct yl_err err = {0};
    CHECK_INT(surv_count_record(db, cat, NULL, &actor, &fix, 1, &changed, &failed, &err), 0);
    CHECK_INT(changed, 1);
    CHECK_INT(ts_sql_count(db_path, "SELECT value FROM syndromic_count WHERE day ="
                                    " '2025-01-02' AND channel = 'fever_clinic'"), 13);
}

/* ------------------------------------------------------------------ series */

TEST(series_of_cases_missing_days_are_zero)
{
    CHECK(store() != NULL);
    struct surv_series s;
    struct yl_err err = {0};
    struct surv_series_query q = {.disease = "hfmd", .ou = "222404",
                                  .from = date_from_ymd(2025, 5, 31),
                                  .to = date_from_ymd(2025, 6, 5), .unit = SURV_DAY};
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK_INT(s.n, 6);
    CHECK(s.denominators == NULL);
    /* I-1 on 06-01, I-2 on 06-02, I-6 on 06-04; I-5 lives in the other county. */
    double want[6] = {0, 1, 1, 0, 1, 0};
    for (int i = 0; i < 6; i++)
        CHECK(s.counts[i] == want[i]);
    char label[16];
    CHECK_STR(surv_series_label(&s, 1, label), "2025-06-01");
    surv_series_release(&s);
    /* The village subtree holds I-1 and I-6 only. */
    q.ou = "222404001001";
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK(s.counts[1] == 1 && s.counts[2] == 0 && s.counts[4] == 1);
    surv_series_release(&s);
    /* A zero series: all zeros, none missing. */
    q.disease = "plague";
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    for (size_t i = 0; i < s.n; i++)
        CHECK(s.counts[i] == 0);
    surv_series_release(&s);
    /* A whole class: HFMD is class C. */
    q.disease = NULL;
    q.disease_class = 'C';
    q.ou = "22";
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK(s.counts[1] == 1 && s.counts[2] == 1 && s.counts[3] == 1 && s.counts[4] == 1);
    surv_series_release(&s);
    /* Weeks: 2025-06-02 is a Monday; the week of 05-26 holds I-1 (06-01). */
    q.unit = SURV_WEEK;
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK_INT(s.n, 2);
    CHECK_INT(s.start, date_from_ymd(2025, 5, 26));
    CHECK(s.counts[0] == 1 && s.counts[1] == 3);
    CHECK_STR(surv_series_label(&s, 1, label), "2025-W23");
    surv_series_release(&s);
}

TEST(series_of_a_channel_missing_days_are_nan)
{
    CHECK(store() != NULL);
    struct surv_series s;
    struct yl_err err = {0};
    struct surv_series_query q = {.channel = "fever_clinic", .ou = "222404",
                                  .from = date_from_ymd(2025, 1, 1),
                                  .to = date_from_ymd(2025, 1, 5), .unit = SURV_DAY};
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK_INT(s.n, 5);
    CHECK(s.counts[0] == 15); /* township 10 + village 5 */
    CHECK(s.counts[1] == 13);
    CHECK(isnan(s.counts[2]));
    CHECK(s.counts[3] == 9);
    CHECK(isnan(s.counts[4]));
    surv_series_release(&s);
    q.channel = "ili_share";
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK(s.counts[0] == 30 && s.denominators != NULL && s.denominators[0] == 600);
    CHECK(isnan(s.counts[1]));
    surv_series_release(&s);
    /* A week with a missing day is missing. */
    q.channel = "fever_clinic";
    q.unit = SURV_WEEK;
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), 0);
    CHECK_INT(s.n, 1);
    CHECK(isnan(s.counts[0]));
    surv_series_release(&s);
    /* Refusals. */
    q.channel = NULL;
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), YL_EINVAL);
    CHECK_STR(err.field, "disease");
    yl_err_clear(&err);
    q.channel = "fever_clinic";
    q.to = q.from - 1;
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), YL_EINVAL);
    CHECK_STR(err.field, "to");
    yl_err_clear(&err);
    q.to = q.from;
    q.ou = "2224049";
    CHECK_INT(surv_series_read(db, cat, &q, &s, &err), YL_EINVAL);
    CHECK_STR(err.field, "ou");
}

/* ------------------------------------------------------------------ indicators */

TEST(indicators_incidence_and_timeliness)
{
    CHECK(store() != NULL);
    struct arena a;
    arena_init(&a);
    struct surv_indicators ind;
    struct yl_err err = {0};
    CHECK_INT(surv_indicators_compute(db, cat, "222404001", "2025-06", &a, &ind, &err), 0);
    /* The township has no figures of its own: its villages' 5,000 + 5,000. */
    CHECK_INT(ind.population, 10000);
    CHECK_STR(ind.population_source, "ou_population");
    const struct surv_incidence_row *hfmd = NULL, *c = NULL, *all = NULL;
    for (size_t i = 0; i < ind.n_rows; i++) {
        if (strcmp(ind.rows[i].code, "hfmd") == 0)
            hfmd = &ind.rows[i];
        if (strcmp(ind.rows[i].code, "C") == 0)
            c = &ind.rows[i];
        if (strcmp(ind.rows[i].code, "all") == 0)
            all = &ind.rows[i];
    }
    CHECK(hfmd != NULL && c != NULL && all != NULL);
    CHECK_INT(hfmd->cases, 3);
    CHECK(fabs(hfmd->rate_per_100k - 30.0) < 1e-9);
    CHECK_INT(c->cases, 3);
    CHECK(fabs(hfmd->timely_share - 1.0) < 1e-12);
    CHECK(all->cases >= 3);
    /* Timeliness: the March cholera reports, one of two late. */
    CHECK_INT(surv_indicators_compute(db, cat, "222404", "2025-03", &a, &ind, &err), 0);
    const struct surv_incidence_row *cholera = NULL;
    for (size_t i = 0; i < ind.n_rows; i++)
        if (strcmp(ind.rows[i].code, "cholera") == 0)
            cholera = &ind.rows[i];
    CHECK(cholera != NULL);
    CHECK_INT(cholera->reports, 2);
    CHECK_INT(cholera->on_time, 1);
    CHECK(fabs(cholera->timely_share - 0.5) < 1e-12);
    CHECK_INT(surv_indicators_compute(db, cat, "222404", "2025-13", &a, &ind, &err), YL_EINVAL);
    CHECK_STR(err.field, "period");
    arena_release(&a);
}

/* ------------------------------------------------------------------ the detect command */

/* Run `yilian ARGS` in a child with stdout and stderr into files; the exit status. */
static int run_cli(char **argv, int argc, const char *out_path, const char *err_path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen(out_path, "w", stdout) == NULL || freopen(err_path, "w", stderr) == NULL)
            _exit(99);
        int rc = cli_main(argc, argv);
        fflush(NULL);
        _exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The file's text in a static buffer (valid until the next call). */
static char *slurp(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

TEST(detect_command_prints_what_the_library_computes)
{
    /* 60 days, a missing day and a spike. */
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof(text), "date,count\n");
    double y[60];
    for (int i = 0; i < 60; i++) {
        y[i] = i == 20 ? NAN : (i * 13) % 7 + (i == 50 ? 15 : 0);
        char day[DATE_STR_LEN];
        date_format(date_from_ymd(2025, 1, 1) + i, day);
        if (isnan(y[i]))
            len += (size_t)snprintf(text + len, sizeof(text) - len, "%s,\n", day);
        else
            len += (size_t)snprintf(text + len, sizeof(text) - len, "%s,%g\n", day, y[i]);
    }
    const char *in = write_file("series.csv", text);
    const char *out = ts_path("detect.out"), *errp = ts_path("detect.err");
    char *argv[] = {"yilian", "surveil", "detect", "--method", "c2", "--param", "baseline=7",
                    "--param", "min_sigma=0.5", (char *)in, NULL};
    CHECK_INT(run_cli(argv, 10, out, errp), 0);
    char *got = slurp(out);
    CHECK(got != NULL);
    struct surv_method_config m;
    struct yl_err err = {0};
    surv_method_defaults(&m, SURV_M_C2, SURV_DAY);
    CHECK_INT(surv_method_set_text(&m, "baseline=7 min_sigma=0.5", &err), 0);
    struct surv_point p[60];
    CHECK_INT(surv_method_run(&m, y, 60, p, &err), 0);
    const char *header = "t,count,expected,upperbound,alarm\n";
    CHECK(strncmp(got, header, strlen(header)) == 0);
    char *rest = got + strlen(header);
    int alarms = 0;
    for (int i = 0; i < 60; i++) {
        char *nl = strchr(rest, '\n');
        CHECK(nl != NULL);
        *nl = '\0';
        char day[DATE_STR_LEN];
        date_format(date_from_ymd(2025, 1, 1) + i, day);
        CHECK(strncmp(rest, day, 10) == 0);
        const char *f[5];
        char *q = rest;
        for (int k = 0; k < 5; k++) {
            f[k] = q;
            q = strchr(q, ',');
            if (q != NULL)
                *q++ = '\0';
            else
                q = "";
        }
        if (p[i].alarm == SURV_NO_DECISION) {
            CHECK_STR(f[4], "");
        } else {
            CHECK_INT(strtol(f[4], NULL, 10), p[i].alarm);
            double e = strtod(f[2], NULL), u = strtod(f[3], NULL);
            CHECK(fabs(e - p[i].expected) <= 1e-12 * fabs(p[i].expected) + 1e-12);
            CHECK(fabs(u - p[i].upper) <= 1e-12 * fabs(p[i].upper) + 1e-12);
            alarms += p[i].alarm == SURV_ALARM;
        }
        rest = nl + 1;
    }
    CHECK(alarms >= 1);
}

TEST(detect_command_refuses_bad_input)
{
    const char *out = ts_path("bad.out"), *errp = ts_path("bad.err");
    const char *in = write_file("bad-series.csv", "t,count\n1,3\n2,x\n3,4\n");
    char *argv1[] = {"yilian", "surveil", "detect", "--method", "c1", (char *)in, NULL};
    CHECK_INT(run_cli(argv1, 6, out, errp), 1);
    char *msg = slurp(errp);
    CHECK_CONTAINS(msg, "bad-series.csv:3: count must be a number");
    char *argv2[] = {"yilian", "surveil", "detect", "--method", "c1", "--param", "lambda=2",
                     (char *)in, NULL};
    CHECK_INT(run_cli(argv2, 8, out, errp), 1);
    msg = slurp(errp);
    CHECK_CONTAINS(msg, "no parameter \"lambda\"");
    char *argv3[] = {"yilian", "surveil", "detect", "--method", "c7", (char *)in, NULL};
    CHECK_INT(run_cli(argv3, 6, out, errp), 2);
    in = write_file("gap-series.csv", "date,count\n2025-01-01,3\n2025-01-03,4\n");
    char *argv4[] = {"yilian", "surveil", "detect", "--method", "c1", (char *)in, NULL};
    CHECK_INT(run_cli(argv4, 6, out, errp), 1);
    msg = slurp(errp);
    CHECK_CONTAINS(msg, "gap-series.csv:3: date must be 1 day after");
    in = write_file("nocol-series.csv", "day,count\n2025-01-01,3\n");
    char *argv5[] = {"yilian", "surveil", "detect", "--method", "c1", (char *)in, NULL};
    CHECK_INT(run_cli(argv5, 6, out, errp), 1);
    msg = slurp(errp);
    CHECK_CONTAINS(msg, "nocol-series.csv:1:");
}

TEST(series_command_chains_into_detect)
{
    CHECK(store() != NULL);
    const char *series = ts_path("hfmd.csv"), *errp = ts_path("series.err");
    char *argv[] = {"yilian",  "--db",       db_path,      "surveil", "series", "--disease",
                    "hfmd",    "--ou",       "222404",     "--from",  "2025-05-20", "--to",
                    "2025-06-10", NULL};
    CHECK_INT(run_cli(argv, 13, series, errp), 0);
    char *text = slurp(series);
    CHECK(text != NULL);
    CHECK(strncmp(text, "date,count\n2025-05-20,0\n", 24) == 0);
    CHECK_CONTAINS(text, "2025-06-01,1\n2025-06-02,1\n2025-06-03,0\n");
    const char *out = ts_path("hfmd.out");
    char *argv2[] = {"yilian", "surveil", "detect", "--method", "c1", (char *)series, NULL};
    CHECK_INT(run_cli(argv2, 6, out, errp), 0);
    text = slurp(out);
    /* The spike of 06-01 after a quiet week: C1 alarms (sd 0, so any case is above). */
    CHECK_CONTAINS(text, "2025-06-01,1,0,0,1\n");
    char *argv3[] = {"yilian", "--db", db_path, "surveil", "series", "--disease", "hfmd",
                     "--ou", "222404", "--from", "2025-05-20", NULL};
    CHECK_INT(run_cli(argv3, 11, out, errp), 1);
    text = slurp(errp);
    CHECK_CONTAINS(text, "--to is required");
    char *argv4[] = {"yilian", "--db", db_path, "surveil", "indicators", "--ou", "222404001",
                     "--period", "2025-06", NULL};
    CHECK_INT(run_cli(argv4, 9, out, errp), 0);
    text = slurp(out);
    CHECK_CONTAINS(text, "222404001,2025-06,10000,disease,hfmd,3,30,3,3,1\n");
}

TEST_MAIN()
