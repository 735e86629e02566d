/*
 * report.c - `yilian report` (the live indicators of an org unit for a period, as an
 * aligned table, CSV or JSON, followed by the medical consortium's figures of the unit:
 * visits by level, referrals, remote requests) and `yilian index verify` (the population
 * index against the store).
 *
 * Both build the index from the store first, as the server does at start: the command line
 * has no live index to ask. The table aligns Chinese text by display width (a CJK character
 * takes two columns), not by bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli_int.h"
#include "consortium/consortium.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/text.h"
#include "indicators/indicators.h"
#include "pindex/pindex.h"
#include "services/services.h"
#include "store/store.h"

static void put_padded(const char *s, size_t width)
{
    fputs(s, stdout);
    for (size_t w = text_width(s); w < width; w++)
        putchar(' ');
}

/* The value as a report shows it: counts whole, rates with two decimals, "-" for none. */
static void format_value(const struct ind_value *v, char *out, size_t n)
{
    if (!v->has_value)
        snprintf(out, n, "-");
    else if (v->def->den == IND_M_ONE)
        snprintf(out, n, "%lld", (long long)v->numerator);
    else
        snprintf(out, n, "%.2f", v->value);
}

/* ">=75" or "<=5" with a "!" after it when the unit is behind; "" without a target. */
static void format_target(const struct ind_value *v, char *out, size_t n)
{
    const struct ind_target *t = &v->def->target;
    if (t->direction == IND_DIR_NONE) {
        snprintf(out, n, "-");
        return;
    }
    snprintf(out, n, "%s%g%s", t->direction == IND_DIR_AT_LEAST ? ">=" : "<=", t->value,
             v->behind == IND_BEHIND_YES ? " !" : "");
}

static void print_table_unit(const struct ind_report *r, const struct ind_unit *u)
{
    char start[DATE_STR_LEN], end[DATE_STR_LEN], ref[DATE_STR_LEN];
    printf("%s %s (%s) - %s: %s .. %s, reference date %s\n", u->code, u->name,
           ind_level_name(u->level), r->period.label, date_format(r->period.start, start),
           date_format(r->period.end, end), date_format(r->period.reference, ref));
    size_t w_id = 2, w_zh = 4, w_en = 9, w_val = 5;
    char value[48];
    for (size_t i = 0; i < r->n_values; i++) {
        const struct ind_value *v = &u->values[i];
        format_value(v, value, sizeof(value));
        size_t a = text_width(v->def->id), b = text_width(v->def->name_zh);
        size_t c = text_width(v->def->name_en), d = strlen(value);
        w_id = a > w_id ? a : w_id;
        w_zh = b > w_zh ? b : w_zh;
        w_en = c > w_en ? c : w_en;
        w_val = d > w_val ? d : w_val;
    }
    put_padded("id", w_id + 2);
    put_padded("指标", w_zh + 2);
    put_padded("indicator", w_en + 2);
    printf("%*s  %12s  %12s  %-10s  %s\n", (int)w_val, "value", "numerator", "denominator",
           "target", "unit");
    for (size_t i = 0; i < r->n_values; i++) {
        const struct ind_value *v = &u->values[i];
        format_value(v, value, sizeof(value));
        put_padded(v->def->id, w_id + 2);
        put_padded(v->def->name_zh, w_zh + 2);
        put_padded(v->def->name_en, w_en + 2);
        char target[32];
        format_target(v, target, sizeof(target));
        printf("%*s  %12lld  %12lld  %-10s  %s\n", (int)w_val, value, (long long)v->numerator,
               (long long)v->denominator, target, v->def->unit);
    }
    putchar('\n');
}

/* One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_put(const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
    } else {
        putchar('"');
        for (const char *p = s; *p != '\0'; p++) {
            if (*p == '"')
                putchar('"');
            putchar(*p);
        }
        putchar('"');
    }
    putchar(last ? '\n' : ',');
}

static void print_csv_unit(const struct ind_report *r, const struct ind_unit *u)
{
    char start[DATE_STR_LEN], end[DATE_STR_LEN], ref[DATE_STR_LEN], num[24], den[24];
    char value[48];
    date_format(r->period.start, start);
    date_format(r->period.end, end);
    date_format(r->period.reference, ref);
    for (size_t i = 0; i < r->n_values; i++) {
        const struct ind_value *v = &u->values[i];
        /* Counts whole, rates to four decimals: %g would print 10,672,343 as 1.06723e+07. */
        if (!v->has_value)
            value[0] = '\0';
        else if (v->def->den == IND_M_ONE)
            snprintf(value, sizeof(value), "%lld", (long long)v->numerator);
        else
            snprintf(value, sizeof(value), "%.4f", v->value);
        snprintf(num, sizeof(num), "%lld", (long long)v->numerator);
        snprintf(den, sizeof(den), "%lld", (long long)v->denominator);
        const struct ind_target *t = &v->def->target;
        char target[32] = "";
        if (t->direction != IND_DIR_NONE)
            snprintf(target, sizeof(target), "%g", t->value);
        const char *direction = t->direction == IND_DIR_AT_LEAST  ? "at_least"
                                : t->direction == IND_DIR_AT_MOST ? "at_most"
                                                                  : "";
        const char *behind = v->behind == IND_BEHIND_YES  ? "yes"
                             : v->behind == IND_BEHIND_NO ? "no"
                                                          : "";
        const char *fields[] = {u->code, u->name, ind_level_name(u->level), r->period.label,
                                start, end, ref, v->def->id, v->def->name_zh,
                                v->def->name_en, value, num, den, v->def->unit, target,
                                direction, behind};
        size_t n = sizeof(fields) / sizeof(fields[0]);
        for (size_t k = 0; k < n; k++)
            csv_put(fields[k], k + 1 == n);
    }
}

/* --- the medical consortium's figures (consortium.h) as rows of the report ------------- */

struct cons_row {
    const char *id, *zh, *en, *unit;
    int64_t numerator, denominator;     /* denominator 0 with a count: numerator is the value */
    bool rate, has_value;
    double value;
};

static void cons_count(struct cons_row *r, const char *id, const char *zh, const char *en,
                       int64_t n)
{
    *r = (struct cons_row){id, zh, en, "人次", n, 0, false, true, (double)n};
}

static void cons_rate(struct cons_row *r, const char *id, const char *zh, const char *en,
                      int64_t num, int64_t den)
{
    *r = (struct cons_row){id, zh, en, "%", num, den, true, den > 0,
                           den > 0 ? 100.0 * (double)num / (double)den : 0};
}

#define CONS_ROWS 12

/* The unit's figures as report rows, in the order a commission reports them. */
static size_t cons_rows(const struct cons_indicators *ci, struct cons_row out[CONS_ROWS])
{
    const struct cons_referrals *t = &ci->total;
    size_t n = 0;
    cons_count(&out[n++], "consortium.visits", "门急诊人次", "outpatient and emergency visits",
               ci->visits_total);
    cons_rate(&out[n++], "consortium.grassroots_visit_share", "基层诊疗量占比",
              "share of visits at grassroots facilities", ci->visits[CONS_GRASSROOTS],
              ci->visits_total);
    cons_count(&out[n++], "consortium.discharges", "出院人次", "discharges",
               ci->discharges_total);
    cons_count(&out[n++], "consortium.referrals_up", "上转人次", "up-referrals", t->up);
    cons_count(&out[n++], "consortium.referrals_down", "下转人次", "down-referrals", t->down);
    cons_rate(&out[n++], "consortium.referral_acceptance", "转诊接收率",
              "referrals accepted (of decided)", t->accepted, t->accepted + t->rejected);
    cons_rate(&out[n++], "consortium.critical_accepted_in_time", "危急重症转诊按时接收率",
              "critical referrals accepted within the limit", t->critical_in_time,
              t->critical);
    out[n++] = (struct cons_row){"consortium.median_minutes_to_accept", "转诊接收时间中位数",
                                 "median minutes to accept a referral", "分钟", 0, 0, false,
                                 t->has_median, t->median_accept_min};
    cons_count(&out[n++], "consortium.consultations", "远程会诊", "remote consultations",
               t->consultations);
    cons_count(&out[n++], "consortium.imaging_readings", "远程影像诊断",
               "remote imaging readings", t->readings);
    cons_count(&out[n++], "consortium.remote_reported", "远程会诊和影像已出报告",
               "remote requests reported", t->remote_reported);
    return n;
}

static void cons_value(const struct cons_row *r, char *out, size_t n, int decimals)
{
    if (!r->has_value)
        snprintf(out, n, decimals == 4 ? "" : "-");
    else if (!r->rate && r->denominator == 0 && r->value == (double)r->numerator)
        snprintf(out, n, "%lld", (long long)r->numerator);
    else
        snprintf(out, n, "%.*f", decimals, r->value);
}

/* The consortium's rows of one unit; NULL when they cannot be read (said on stderr). */
static size_t cons_unit(struct store *s, const char *ou, const char *period, struct arena *a,
                        struct cons_row out[CONS_ROWS])
{
    struct cons_query q = {.ou_code = ou, .period = period, .today = date_today()};
    struct cons_indicators ci;
    struct yl_err err = {0};
    if (cons_indicators_get(s, &q, a, &ci, &err) != 0) {
        fprintf(stderr, "yilian: consortium figures of %s: %s\n", ou, yl_err_message(&err));
        return 0;
    }
    return cons_rows(&ci, out);
}

static void print_cons_table(const struct cons_row *rows, size_t n)
{
    if (n == 0)
        return;
    printf("医联体 medical consortium\n");
    char value[48];
    for (size_t i = 0; i < n; i++) {
        const struct cons_row *r = &rows[i];
        cons_value(r, value, sizeof(value), 2);
        put_padded(r->id, 38);
        put_padded(r->zh, 26);
        put_padded(r->en, 48);
        printf("%10s", value);
        if (r->rate)
            printf("  %12lld  %12lld", (long long)r->numerator, (long long)r->denominator);
        else
            printf("  %12s  %12s", "", "");
        printf("  %s\n", r->unit);
    }
    putchar('\n');
}

static void print_cons_csv(const struct ind_report *r, const struct ind_unit *u,
                           const struct cons_row *rows, size_t n)
{
    char start[DATE_STR_LEN], end[DATE_STR_LEN], ref[DATE_STR_LEN], num[24], den[24];
    char value[48];
    date_format(r->period.start, start);
    date_format(r->period.end, end);
    date_format(r->period.reference, ref);
    for (size_t i = 0; i < n; i++) {
        const struct cons_row *c = &rows[i];
        cons_value(c, value, sizeof(value), 4);
        snprintf(num, sizeof(num), "%lld", (long long)(c->has_value ? c->numerator : 0));
        snprintf(den, sizeof(den), "%lld", (long long)c->denominator);
        const char *fields[] = {u->code, u->name, ind_level_name(u->level), r->period.label,
                                start, end, ref, c->id, c->zh, c->en, value,
                                c->rate ? num : "", c->rate ? den : "", c->unit, "", "", ""};
        size_t k_n = sizeof(fields) / sizeof(fields[0]);
        for (size_t k = 0; k < k_n; k++)
            csv_put(fields[k], k + 1 == k_n);
    }
}

/* Value of "--name VALUE" among argv; NULL when absent. */
static const char *flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

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

int cli_report(struct cli_config *c, int argc, char **argv)
{
    static const char *const names[] = {"--ou", "--period", "--by", "--format", NULL};
    const char *ou = flag(argc, argv, "--ou"), *period = flag(argc, argv, "--period");
    const char *by = flag(argc, argv, "--by"), *format = flag(argc, argv, "--format");
    if (format == NULL)
        format = "table";
    int level = by != NULL ? ind_level_parse(by) : 0;
    bool format_ok = strcmp(format, "table") == 0 || strcmp(format, "csv") == 0 ||
                     strcmp(format, "json") == 0;
    if (!flags_known(argc, argv, names) || ou == NULL || period == NULL || !format_ok ||
        (by != NULL && level == 0 && strcmp(by, "children") != 0)) {
        fprintf(stderr, "usage: yilian report --ou CODE --period 2024|2024Q3|2024-03|"
                        "2024-01-01..2024-06-30\n"
                        "                     [--by children|province|city|county|township|"
                        "village] [--format table|csv|json]\n");
        return 2;
    }
    /* The protocol gives the index its service history (the rates) and the catalog its
     * per-dose rows; the catalog carries the targets. */
    struct svc_protocol *protocol = NULL;
    struct ind_catalog *catalog = NULL;
    struct yl_err err = {0};
    if (cli_protocol_load(c, &protocol, &err) != 0 ||
        cli_indicator_catalog(c, protocol, &catalog, &err) != 0) {
        svc_protocol_free(protocol);
        return cli_fail(&err);
    }
    struct store *s = cli_open_existing(c);
    if (s == NULL) {
        ind_catalog_free(catalog);
        svc_protocol_free(protocol);
        return 1;
    }
    struct pidx *x = pidx_new();
    pidx_set_protocol(x, protocol);
    struct arena a;
    arena_init(&a);
    struct ind_query q = {
        .catalog = catalog,
        .ou_code = ou,
        .period = period,
        .children = by == NULL ? IND_CHILDREN_NONE : level > 0 ? level : IND_CHILDREN_DIRECT,
        .today = date_today(),
        .threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
    };
    struct ind_report r;
    int rc = pidx_load(x, s, &err);
    if (rc == 0)
        rc = ind_report_build(x, s, &q, &a, &r, &err);
    if (rc == 0 && strcmp(format, "json") == 0) {
        json_t *o = api_indicator_report_json(&r);
        struct cons_query cq = {.ou_code = ou, .period = period, .today = date_today()};
        struct cons_indicators ci;
        if (cons_indicators_get(s, &cq, &a, &ci, &err) == 0)
            json_object_set_new(o, "consortium", api_consortium_json(&ci));
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(o);
    } else if (rc == 0 && strcmp(format, "csv") == 0) {
        printf("ou,name,level,period,start,end,reference_date,indicator,name_zh,name_en,value,"
               "numerator,denominator,unit,target,target_direction,behind\n");
        for (size_t i = 0; i <= r.n_children; i++) {
            const struct ind_unit *u = i == 0 ? &r.unit : &r.children[i - 1];
            struct cons_row rows[CONS_ROWS];
            print_csv_unit(&r, u);
            print_cons_csv(&r, u, rows, cons_unit(s, u->code, period, &a, rows));
        }
    } else if (rc == 0) {
        for (size_t i = 0; i <= r.n_children; i++) {
            const struct ind_unit *u = i == 0 ? &r.unit : &r.children[i - 1];
            struct cons_row rows[CONS_ROWS];
            print_table_unit(&r, u);
            print_cons_table(rows, cons_unit(s, u->code, period, &a, rows));
        }
    }
    arena_release(&a);
    pidx_free(x);
    ind_catalog_free(catalog);
    svc_protocol_free(protocol);
    store_close(s);
    return rc == 0 ? 0 : cli_fail(&err);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int cli_index_verify(struct cli_config *c, int argc, char **argv)
{
    if (argc != 0) {
        fprintf(stderr, "usage: yilian index verify\n");
        return 2;
    }
    /* With the protocol the service history is verified too. */
    struct svc_protocol *protocol = NULL;
    struct yl_err err = {0};
    if (cli_protocol_load(c, &protocol, &err) != 0)
        return cli_fail(&err);
    struct store *s = cli_open_existing(c);
    if (s == NULL) {
        svc_protocol_free(protocol);
        return 1;
    }
    struct pidx *built = pidx_new(), *again = pidx_new();
    pidx_set_protocol(built, protocol);
    pidx_set_protocol(again, protocol);
    struct timespec t0;
    long checked = 0, differences = 0;
    /* The bulk load and the one-by-one reads see the same snapshot: one read transaction,
     * so a server writing meanwhile cannot make them disagree. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct store_conn *conn = store_acquire(s);
    int rc = store_begin(conn, STORE_READ, &err);
    if (rc == 0)
        rc = pidx_load_conn(built, conn, &err);
    double load_s = seconds_since(&t0);
    if (rc == 0) {
        printf("index: %zu residents loaded in %.2f s, %zu bytes\n",
               pidx_resident_count(built), load_s, pidx_memory(built, NULL, NULL));
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = pidx_check_residents(built, conn, &checked, &differences, &err);
        printf("re-read %ld residents one by one in %.2f s: %ld differ\n", checked,
               seconds_since(&t0), differences);
    }
    store_rollback(conn);
    store_release(conn);
    if (rc == 0) {
        /* A second full load must rebuild exactly the same index. */
        rc = pidx_load(again, s, &err);
        if (rc == 0)
            rc = pidx_compare(built, again, &differences, &err);
        if (rc == 0 || differences > 0)
            printf("second full load: %ld differences\n", differences);
    }
    pidx_free(built);
    pidx_free(again);
    svc_protocol_free(protocol);
    store_close(s);
    if (rc != 0)
        return cli_fail(&err);
    printf("population index agrees with the store\n");
    return 0;
}
