/*
 * surveil.c - `yilian surveil detect` (run one detector on a series from a CSV file and
 * print t,count,expected,upperbound,alarm), `yilian surveil series` (a disease's or a
 * channel's series from the store, printed as detect's input, so the two chain) and
 * `yilian surveil indicators` (incidence and timeliness of an org unit and period).
 *
 * detect calls surv_method_run, the function the server's detection uses, with parameters
 * by name (surv_method_set): what an epidemiologist sees here is what the server judges.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "alerts/detection.h"
#include "api/api.h"
#include "cli/cli_int.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"
#include "surveil/surveil.h"

#define CLI_SURV_RECORD_MAX 4096

/* Value of "--name VALUE" among argv; NULL when absent. */
static const char *flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

/* A CSV field as written: quoted when it holds a comma, a quote or a line break. */
static void put_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void put_number(FILE *out, double v)
{
    if (!isnan(v))
        fprintf(out, "%.15g", v);
}

/* --- detect ------------------------------------------------------------------------------ */

/* One series read from a file: labels and counts. */
struct input_series {
    char **labels;
    double *counts;
    size_t n, cap;
};

static void series_free(struct input_series *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->labels[i]);
    free(s->labels);
    free(s->counts);
}

static void series_push(struct input_series *s, const char *label, double count)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->labels = xrealloc(s->labels, s->cap * sizeof(*s->labels));
        s->counts = xrealloc(s->counts, s->cap * sizeof(*s->counts));
    }
    s->labels[s->n] = xstrdup(label);
    s->counts[s->n++] = count;
}

/* One row: its count (blank: missing) and, with a date column, that the dates follow each
 * other by one unit. */
static int read_row(const struct csv_reader *r, bool dated, enum surv_unit unit, int32_t *prev,
                    double *count, struct yl_err *err)
{
    const char *c = csv_get(r, "count");
    *count = NAN;
    if (dated) {
        const char *d = csv_get(r, "date");
        int32_t day;
        int rc = date_parse(d, strlen(d), &day, "date", err);
        if (rc != 0)
            return rc;
        int step = unit == SURV_WEEK ? 7 : 1;
        if (*prev != DATE_INVALID && day != *prev + step)
            return yl_err_set(err, YL_EINVAL, "date",
                              "date must be %d day%s after the previous row's (a missing "
                              "count is a row with a blank count)", step, step > 1 ? "s" : "");
        *prev = day;
    } else if (csv_get(r, "t")[0] == '\0') {
        return yl_err_set(err, YL_EINVAL, "t", "t is empty");
    }
    if (c[0] == '\0')
        return 0;
    char *end;
    errno = 0;
    double v = strtod(c, &end);
    if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0)
        return yl_err_set(err, YL_EINVAL, "count",
                          "count must be a number of 0 or more (blank when missing)");
    *count = v;
    return 0;
}

static int read_series(FILE *f, const char *path, enum surv_unit unit, struct input_series *s,
                       struct yl_err *err)
{
    static const char *const required[] = {"count", NULL};
    struct csv_reader *r = csv_open(f, CLI_SURV_RECORD_MAX);
    struct yl_err e = {0};
    int rc = csv_read_header(r, required, &e);
    bool dated = csv_column(r, "date") >= 0;
    if (rc == 0 && !dated && csv_column(r, "t") < 0)
        rc = yl_err_set(&e, YL_EINVAL, "t", "the header needs a \"t\" or a \"date\" column");
    if (rc != 0)
        rc = yl_err_set(err, rc, e.field, "%s:1: %s", path, yl_err_message(&e));
    int32_t prev = DATE_INVALID;
    while (rc == 0) {
        int got = csv_next(r, &e);
        if (got == 0)
            break;
        double count = NAN;
        if (got > 0)
            got = read_row(r, dated, unit, &prev, &count, &e);
        if (got < 0) {
            /* The messages name their column ("count must be ..."). */
            rc = yl_err_set(err, got, e.field, "%s:%ld: %s", path, csv_line(r),
                            yl_err_message(&e));
            break;
        }
        series_push(s, csv_get(r, dated ? "date" : "t"), count);
    }
    csv_close(r);
    return rc;
}

static int usage_detect(void)
{
    fprintf(stderr,
            "usage: yilian surveil detect --method c1|c2|c3|cusum|farrington|"
            "farrington-flexible|mpm|threshold\n"
            "                             [--param name=value ...] [--unit day|week] FILE.csv\n"
            "FILE has a header with \"t\" or \"date\" and \"count\" (blank: missing); \"-\" "
            "reads standard input\n");
    return 2;
}

/* Method, unit and parameters from the command line. *file gets the one positional word. */
static int detect_args(int argc, char **argv, struct surv_method_config *cfg, const char **file,
                       struct yl_err *err)
{
    const char *method = flag(argc, argv, "--method"), *unit = flag(argc, argv, "--unit");
    int m = surv_method_find(method);
    int u = unit ? surv_unit_find(unit) : SURV_DAY;
    if (method == NULL)
        return yl_err_set(err, YL_EINVAL, "method", "--method is required");
    if (m < 0)
        return yl_err_set(err, YL_EINVAL, "method", "unknown method \"%s\"", method);
    if (u < 0)
        return yl_err_set(err, YL_EINVAL, "unit", "--unit must be day or week");
    surv_method_defaults(cfg, (enum surv_method)m, (enum surv_unit)u);
    *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--method") == 0 || strcmp(argv[i], "--unit") == 0) {
            i++;
            continue;
        }
        if (strcmp(argv[i], "--param") == 0) {
            if (i + 1 >= argc)
                return yl_err_set(err, YL_EINVAL, "param", "--param needs name=value");
            int rc = surv_method_set_text(cfg, argv[++i], err);
            if (rc != 0)
                return rc;
            continue;
        }
        if (strncmp(argv[i], "--", 2) == 0)
            return yl_err_set(err, YL_EINVAL, argv[i] + 2, "unknown option \"%s\"", argv[i]);
        if (*file != NULL)
            return yl_err_set(err, YL_EINVAL, "file", "one series file at a time");
        *file = argv[i];
    }
    if (*file == NULL)
        return yl_err_set(err, YL_EINVAL, "file", "the series file is missing");
    return 0;
}

int cli_surveil_detect(struct cli_config *c, int argc, char **argv)
{
    struct surv_method_config cfg;
    const char *path = NULL;
    struct yl_err err = {0};
    if (argc == 0)
        return usage_detect();
    if (detect_args(argc, argv, &cfg, &path, &err) != 0) {
        cli_fail(&err);
        return strcmp(err.field, "file") == 0 || strcmp(err.field, "method") == 0
                   ? usage_detect()
                   : 1;
    }
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "yilian: cannot read \"%s\"\n", path);
        return 1;
    }
    struct input_series s = {0};
    int rc = read_series(f, path, cfg.unit, &s, &err);
    if (!from_stdin)
        fclose(f);
    struct surv_point *out = xcalloc(s.n ? s.n : 1, sizeof(*out));
    if (rc == 0)
        rc = surv_method_run(&cfg, s.counts, s.n, out, &err);
    if (rc == 0) {
        printf("t,count,expected,upperbound,alarm\n");
        for (size_t i = 0; i < s.n; i++) {
            put_field(stdout, s.labels[i]);
            putchar(',');
            put_number(stdout, s.counts[i]);
            putchar(',');
            put_number(stdout, out[i].expected);
            putchar(',');
            put_number(stdout, out[i].upper);
            /* No judgement (too little history, a missing count) is a blank, never 0. */
            printf(",%s\n", out[i].alarm == SURV_NO_DECISION ? ""
                            : out[i].alarm == SURV_ALARM     ? "1"
                                                             : "0");
        }
    }
    free(out);
    series_free(&s);
    return rc != 0 ? cli_fail(&err) : 0;
}

/* --- series ------------------------------------------------------------------------------ */

/* True when argv is pairs of known flags and their values, nothing else. */
static bool flags_known(int argc, char **argv, const char *const *names)
{
    for (int i = 0; i < argc; i += 2) {
        bool known = false;
        for (const char *const *n = names; *n != NULL; n++)
            known = known || strcmp(argv[i], *n) == 0;
        if (!known || i + 1 >= argc)
            return false;
    }
    return true;
}

static int flag_day(int argc, char **argv, const char *name, int32_t *out, struct yl_err *err)
{
    const char *s = flag(argc, argv, name);
    *out = DATE_INVALID;
    if (s == NULL)
        return yl_err_set(err, YL_EINVAL, name + 2, "%s is required", name);
    return date_parse(s, strlen(s), out, name + 2, err);
}

static int usage_series(void)
{
    fprintf(stderr, "usage: yilian surveil series (--disease CODE | --class A|B|C | --channel "
                    "CODE) --ou CODE\n"
                    "                             --from YYYY-MM-DD --to YYYY-MM-DD "
                    "[--unit day|week]\n");
    return 2;
}

int cli_surveil_series(struct cli_config *c, int argc, char **argv)
{
    static const char *const names[] = {"--disease", "--class", "--channel", "--ou",
                                        "--from",    "--to",    "--unit",    NULL};
    if (!flags_known(argc, argv, names))
        return usage_series();
    const char *cls = flag(argc, argv, "--class"), *unit = flag(argc, argv, "--unit");
    struct surv_series_query q = {.disease = flag(argc, argv, "--disease"),
                                  .channel = flag(argc, argv, "--channel"),
                                  .ou = flag(argc, argv, "--ou")};
    struct yl_err err = {0};
    int u = unit ? surv_unit_find(unit) : SURV_DAY;
    int rc = 0;
    if (cls != NULL && strlen(cls) != 1)
        rc = yl_err_set(&err, YL_EINVAL, "class", "--class must be A, B or C");
    q.disease_class = cls != NULL ? cls[0] : 0;
    if (rc == 0 && u < 0)
        rc = yl_err_set(&err, YL_EINVAL, "unit", "--unit must be day or week");
    q.unit = (enum surv_unit)u;
    if (rc == 0 && q.ou == NULL)
        rc = yl_err_set(&err, YL_EINVAL, "ou", "--ou is required");
    if (rc == 0)
        rc = flag_day(argc, argv, "--from", &q.from, &err);
    if (rc == 0)
        rc = flag_day(argc, argv, "--to", &q.to, &err);
    if (rc != 0)
        return cli_fail(&err);
    struct surv_catalog *cat;
    if (cli_surveil_catalog(c, &cat, &err) != 0)
        return cli_fail(&err);
    struct store *s = cli_open_existing(c);
    if (s == NULL) {
        surv_catalog_free(cat);
        return 1;
    }
    struct surv_series out;
    rc = surv_series_read(s, cat, &q, &out, &err);
    store_close(s);
    surv_catalog_free(cat);
    if (rc != 0)
        return cli_fail(&err);
    /* Days print as detect's "date" input (checked to follow each other), weeks as "t". */
    printf("%s,count%s\n", out.unit == SURV_WEEK ? "t" : "date",
           out.denominators ? ",denominator" : "");
    for (size_t i = 0; i < out.n; i++) {
        char label[16];
        fputs(surv_series_label(&out, i, label), stdout);
        putchar(',');
        put_number(stdout, out.counts[i]);
        if (out.denominators) {
            putchar(',');
            put_number(stdout, out.denominators[i]);
        }
        putchar('\n');
    }
    surv_series_release(&out);
    return 0;
}

/* --- indicators -------------------------------------------------------------------------- */

int cli_surveil_indicators(struct cli_config *c, int argc, char **argv)
{
    static const char *const names[] = {"--ou", "--period", "--format", NULL};
    const char *ou = flag(argc, argv, "--ou"), *period = flag(argc, argv, "--period");
    const char *format = flag(argc, argv, "--format");
    if (!flags_known(argc, argv, names) || ou == NULL || period == NULL ||
        (format != NULL && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)) {
        fprintf(stderr, "usage: yilian surveil indicators --ou CODE --period YYYY|YYYY-MM "
                        "[--format csv|json]\n");
        return 2;
    }
    struct yl_err err = {0};
    struct surv_catalog *cat;
    if (cli_surveil_catalog(c, &cat, &err) != 0)
        return cli_fail(&err);
    struct store *s = cli_open_existing(c);
    if (s == NULL) {
        surv_catalog_free(cat);
        return 1;
    }
    struct arena a;
    arena_init(&a);
    struct surv_indicators ind;
    int rc = surv_indicators_compute(s, cat, ou, period, &a, &ind, &err);
    store_close(s);
    surv_catalog_free(cat);
    if (rc == 0 && format != NULL && strcmp(format, "json") == 0) {
        json_t *j = api_surv_indicators_json(&ind);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(text);
        free(text);
        json_decref(j);
    } else if (rc == 0) {
        printf("ou,period,population,level,code,cases,rate_per_100k,reports,on_time,"
               "timely_share\n");
        for (size_t i = 0; i < ind.n_rows; i++) {
            const struct surv_incidence_row *r = &ind.rows[i];
            printf("%s,%s,%lld,%s,%s,%ld,", ind.ou, period, (long long)ind.population,
                   r->is_class ? "class" : "disease", r->code, r->cases);
            put_number(stdout, r->rate_per_100k);
            printf(",%ld,%ld,", r->reports, r->on_time);
            put_number(stdout, r->timely_share);
            putchar('\n');
        }
    }
    arena_release(&a);
    return rc != 0 ? cli_fail(&err) : 0;
}

/* --- detection ----------------------------------------------------------------------------- */

static void detect_print(const char *what, const struct surv_detect_result *r)
{
    printf("detection (%s): %zu series, %zu points judged, %zu alarms (%zu clusters in %zu "
           "scans); %zu new signals, %zu alerts raised, %zu extended\n",
           what, r->series, r->points, r->alarms, r->clusters, r->clusters_scanned,
           r->ingest.new_signals, r->ingest.new_alerts, r->ingest.extended);
}

int cli_detect_touched(const struct cli_config *c, struct store *s,
                       const struct surv_catalog *cat, struct surv_detect_touches *touched,
                       const struct audit_actor *who, struct yl_err *err)
{
    struct surv_rules *rules;
    int rc = cli_alert_rules_load(c, &rules, err);
    if (rc != 0)
        return rc;
    int32_t today = date_today(), recent = date_add_days(today, -SURV_DETECT_IMPORT_DAYS);
    size_t kept = 0;
    for (size_t i = 0; i < touched->n; i++) {
        struct surv_detect_target t = touched->v[i];
        if (t.to < recent)
            continue;
        t.from = t.from < recent ? recent : t.from;
        touched->v[kept++] = t;
    }
    touched->n = kept;
    struct surv_detect_env env = {.catalog = cat, .rules = rules, .by = who,
                                  .now_s = (int64_t)time(NULL), .today = today};
    struct surv_detect_result res;
    rc = surv_detect_targets(s, &env, touched->v, touched->n, &res, err);
    if (rc == 0)
        detect_print("the import's series", &res);
    surv_rules_free(rules);
    return rc;
}

int cli_surveil_run(struct cli_config *c, int argc, char **argv)
{
    static const char *const names[] = {"--from", "--to", NULL};
    const char *from_s = flag(argc, argv, "--from"), *to_s = flag(argc, argv, "--to");
    struct yl_err err = {0};
    int32_t today = date_today();
    int32_t to = today, from = date_add_days(today, -(SURV_DETECT_NIGHTLY_DAYS - 1));
    if (!flags_known(argc, argv, names) ||
        (to_s != NULL && date_parse(to_s, strlen(to_s), &to, "to", &err) != 0) ||
        (from_s != NULL && date_parse(from_s, strlen(from_s), &from, "from", &err) != 0) ||
        from > to) {
        fprintf(stderr, "usage: yilian surveil run [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n");
        return 2;
    }
    struct surv_catalog *cat;
    if (cli_surveil_catalog(c, &cat, &err) != 0)
        return cli_fail(&err);
    struct surv_rules *rules;
    if (cli_alert_rules_load(c, &rules, &err) != 0) {
        surv_catalog_free(cat);
        return cli_fail(&err);
    }
    struct store *s = cli_open_existing(c);
    int rc = s == NULL ? 1 : 0;
    static const struct audit_actor who = {0, "cli", "admin", "cli"};
    struct surv_detect_env env = {.catalog = cat, .rules = rules, .by = &who,
                                  .now_s = (int64_t)time(NULL), .today = today};
    struct surv_detect_result res;
    if (rc == 0 && surv_detect_all(s, &env, from, to, &res, &err) != 0)
        rc = cli_fail(&err);
    else if (rc == 0)
        detect_print("every series", &res);
    store_close(s);
    surv_rules_free(rules);
    surv_catalog_free(cat);
    return rc;
}
