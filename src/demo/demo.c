/*
 * demo.c - demo_generate: check the options, build the region's structure (divisions,
 * facilities, staff, teams), then write the eight CSV files in import order. The figures it
 * scales with the number of residents are the published ones of Hunchun (demo.h).
 */
#include "demo/demo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "core/date.h"
#include "core/err.h"
#include "demo/demo_int.h"

void demo_options_init(struct demo_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->seed = DEMO_DEFAULT_SEED;
    opt->residents = DEMO_DEFAULT_RESIDENTS;
    opt->ref_date = date_from_ymd(2024, 12, 31);
    opt->divisions_path = DEMO_DEFAULT_DIVISIONS;
    opt->service_years = DEMO_SERVICE_YEARS;
}

static double demo_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int demo_check_options(const struct demo_options *opt, const char *dir, struct yl_err *err)
{
    int year, month, day;

    if (opt->residents < 1 || opt->residents > DEMO_MAX_RESIDENTS)
        return yl_err_set(err, YL_EINVAL, "residents",
                          "residents must be between 1 and %ld, not %ld", DEMO_MAX_RESIDENTS,
                          opt->residents);
    if (opt->ref_date == DATE_INVALID)
        return yl_err_set(err, YL_EINVAL, "ref_date", "reference date is missing");
    date_to_ymd(opt->ref_date, &year, &month, &day);
    /* Records are opened from 2010 on and people are born from 1900 on. */
    if (year < 2012 || year > 2100)
        return yl_err_set(err, YL_EINVAL, "ref_date",
                          "reference year must be between 2012 and 2100, not %d", year);
    if (dir == NULL || dir[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "dir", "output folder is missing");
    return 0;
}

static int demo_make_dir(const char *dir, struct yl_err *err)
{
    struct stat sb;

    if (mkdir(dir, 0755) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    return yl_err_set(err, YL_EIO, "dir", "could not create folder \"%s\" (errno %d)", dir, errno);
}

/* Scale a published figure to the requested number of residents. */
static long demo_scale(long figure, long residents)
{
    return lround((double)figure * (double)residents / (double)DEMO_DEFAULT_RESIDENTS);
}

typedef int demo_write_fn(struct demo_ctx *ctx, struct yl_err *err);

/* The files in import order: a row's references are imported before it. */
static demo_write_fn *const demo_writers[] = {
    demo_write_ous,   demo_write_population, demo_write_facilities, demo_write_groups,
    demo_write_staff, demo_write_teams,      demo_write_people,
};

int demo_generate(const struct demo_options *opt, const char *dir, struct demo_stats *stats,
                  struct yl_err *err)
{
    struct demo_stats local;
    struct demo_ctx ctx;
    double t0 = demo_now_s();
    int year, month, day, rc;

    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    rc = demo_check_options(opt, dir, err);
    if (rc != 0)
        return rc;
    rc = demo_make_dir(dir, err);
    if (rc != 0)
        return rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.seed = opt->seed;
    ctx.n_residents = opt->residents;
    ctx.n_population = demo_scale(DEMO_POPULATION, opt->residents);
    ctx.n_signed = demo_scale(DEMO_SIGNED, opt->residents);
    ctx.ref = opt->ref_date;
    date_to_ymd(ctx.ref, &year, &month, &day);
    ctx.ref_year = year;
    ctx.year_start = date_from_ymd(year, 1, 1);
    ctx.dir = dir;
    ctx.st = stats;
    ctx.protocol = opt->protocol;
    ctx.service_years = opt->service_years;
    demo_names_init(&ctx.names);

    rc = demo_region_load(
        &ctx, opt->divisions_path != NULL ? opt->divisions_path : DEMO_DEFAULT_DIVISIONS, err);
    if (rc != 0)
        goto out;
    /* Records cannot outnumber the population of a unit: keep the population at least as
     * large as the records when the scaling rounds it below. */
    if (ctx.n_population < ctx.n_residents)
        ctx.n_population = ctx.n_residents;
    demo_region_build(&ctx);
    demo_facilities_build(&ctx);
    demo_staff_build(&ctx);
    demo_teams_build(&ctx);
    rc = demo_write_roads(&ctx, err);
    for (size_t i = 0; i < sizeof(demo_writers) / sizeof(demo_writers[0]) && rc == 0; i++)
        rc = demo_writers[i](&ctx, err);
    stats->elapsed_s = demo_now_s() - t0;
    if (stats->elapsed_s > 0)
        stats->residents_per_s = (double)stats->residents / stats->elapsed_s;
out:
    free(ctx.reg.units);
    free(ctx.fac);
    free(ctx.staff);
    return rc;
}
