/*
 * protocol.c - loading a protocol from its CSV files, the lookups, and the names of the
 * engine's vocabularies.
 *
 * A file's kind is told by its header, so a region's local file may hold any kind; files
 * are read in three passes (measurements, items, rules) because each kind names rows of the
 * one before it. A row whose code is already loaded replaces that row where it stands, so
 * indexes handed out stay valid and a local file overrides the shipped one.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "services/services_int.h"

/* A protocol row is short; anything longer is a mistake in the file. */
#define SVC_RECORD_MAX (1 << 14)

enum svc_file_kind { SVC_FK_NONE, SVC_FK_MEASURES, SVC_FK_ITEMS, SVC_FK_RULES };

static const struct {
    const char *code, *zh;
} svc_programs[SVC_PROG_COUNT] = {
    {"elderly", "老年人健康管理"},
    {"hypertension", "高血压患者健康管理"},
    {"diabetes", "2型糖尿病患者健康管理"},
    {"child", "0～6岁儿童健康管理"},
    {"maternal", "孕产妇健康管理"},
    {"immunization", "预防接种"},
    {"screening", "宫颈癌和乳腺癌筛查"},
    {"mental", "严重精神障碍患者管理"},
    {"tuberculosis", "肺结核患者健康管理"},
    {"tcm", "中医药健康管理"},
    {"referral", "下转患者随访"},
};

static const char *const svc_schedules[SVC_SCHED_COUNT] = {
    "window", "interval", "per_year", "yearly",
};

static const char *const svc_anchors[SVC_ANCHOR_COUNT] = {
    "", "birth", "pregnancy", "delivery", "notification",
};

static const char *const svc_states[SVC_STATE_COUNT] = {
    "done", "due", "overdue", "upcoming", "later",
};

const char *svc_program_code(enum svc_program p)
{
    return (unsigned)p < SVC_PROG_COUNT ? svc_programs[p].code : "?";
}

const char *svc_program_zh(enum svc_program p)
{
    return (unsigned)p < SVC_PROG_COUNT ? svc_programs[p].zh : "?";
}

int svc_program_find(const char *code)
{
    for (int i = 0; i < SVC_PROG_COUNT; i++)
        if (strcmp(code, svc_programs[i].code) == 0)
            return i;
    return -1;
}

const char *svc_schedule_code(enum svc_schedule s)
{
    return (unsigned)s < SVC_SCHED_COUNT ? svc_schedules[s] : "?";
}

const char *svc_anchor_code(enum svc_anchor a)
{
    return (unsigned)a < SVC_ANCHOR_COUNT ? svc_anchors[a] : "?";
}

const char *svc_state_code(enum svc_state s)
{
    return (unsigned)s < SVC_STATE_COUNT ? svc_states[s] : "?";
}

/* ------------------------------------------------------------------ lookups */

size_t svc_item_count(const struct svc_protocol *p)
{
    return p->n_items;
}

int svc_item_find(const struct svc_protocol *p, const char *code)
{
    for (size_t i = 0; i < p->n_items; i++)
        if (strcmp(p->items[i].code, code) == 0)
            return (int)i;
    return -1;
}

const struct svc_item *svc_item_at(const struct svc_protocol *p, int i)
{
    assert(i >= 0 && (size_t)i < p->n_items);
    return &p->items[i];
}

size_t svc_measure_count(const struct svc_protocol *p)
{
    return p->n_measures;
}

int svc_measure_find(const struct svc_protocol *p, const char *code)
{
    for (size_t i = 0; i < p->n_measures; i++)
        if (strcmp(p->measures[i].code, code) == 0)
            return (int)i;
    return -1;
}

const struct svc_measure *svc_measure_at(const struct svc_protocol *p, int i)
{
    assert(i >= 0 && (size_t)i < p->n_measures);
    return &p->measures[i];
}

size_t svc_rule_count(const struct svc_protocol *p)
{
    return p->n_rules;
}

const struct svc_rule *svc_rule_at(const struct svc_protocol *p, int i)
{
    assert(i >= 0 && (size_t)i < p->n_rules);
    return &p->rules[i];
}

const struct svc_rule *svc_item_rules(const struct svc_protocol *p, int item, size_t *n)
{
    const struct svc_item *it = svc_item_at(p, item);

    *n = it->n_rules;
    return it->n_rules > 0 ? &p->rules[it->rule_first] : NULL;
}

double svc_points_sum(const struct svc_protocol *p, const struct svc_done *events, size_t n)
{
    double sum = 0.0;

    for (size_t i = 0; i < n; i++)
        if (events[i].item < p->n_items)
            sum += p->items[events[i].item].points;
    return sum;
}

/* ------------------------------------------------------------------ shared helpers */

int svc_row_fail(struct yl_err *err, const struct svc_row *row, const char *column,
                 const char *fmt, ...)
{
    char msg[YL_ERR_MESSAGE_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return yl_err_set(err, YL_EINVAL, column, "%s:%ld: %s: %s", row->path, csv_line(row->r),
                      column, msg);
}

int svc_codes_each(const char *list, svc_code_fn *fn, void *ctx)
{
    const char *s = list;

    while (*s != '\0') {
        size_t len;
        int rc;

        if (*s == ' ' || *s == ',' || *s == ';') {
            s++;
            continue;
        }
        len = strcspn(s, " ,;");
        rc = fn(s, len, ctx);
        if (rc != 0)
            return rc;
        s += len;
    }
    return 0;
}

/* ------------------------------------------------------------------ loading */

static enum svc_file_kind svc_file_kind(struct csv_reader *r)
{
    if (csv_column(r, "condition") >= 0)
        return SVC_FK_RULES;
    if (csv_column(r, "schedule") >= 0)
        return SVC_FK_ITEMS;
    if (csv_column(r, "unit") >= 0)
        return SVC_FK_MEASURES;
    return SVC_FK_NONE;
}

/* The columns a file of each kind cannot do without; the others default when absent. */
static int svc_required_columns(struct csv_reader *r, enum svc_file_kind kind,
                                struct yl_err *e)
{
    static const char *const measures[] = {"code", "name_zh", "name_en", "unit", "kind", NULL};
    static const char *const items[] = {"code", "name_zh", "name_en", "program", "schedule",
                                        NULL};
    static const char *const rules[] = {"code", "item", "condition", "outcome", "action",
                                        NULL};
    const char *const *need = kind == SVC_FK_MEASURES ? measures
                              : kind == SVC_FK_ITEMS  ? items : rules;

    for (; *need != NULL; need++)
        if (csv_column(r, *need) < 0)
            return yl_err_set(e, YL_EINVAL, *need, "line 1: the header has no column \"%s\"",
                              *need);
    return 0;
}

typedef int svc_row_fn(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err);

/* The csv reader says "line N: problem"; say "PATH:N: problem" like every other refusal. */
static int svc_csv_fail(struct yl_err *err, const char *path, const struct yl_err *e)
{
    const char *msg = yl_err_message(e);
    long line = 0;
    int used = 0;

    if (sscanf(msg, "line %ld: %n", &line, &used) == 1 && used > 0)
        return yl_err_set(err, e->code, e->field[0] ? e->field : NULL, "%s:%ld: %s%s%s",
                          path, line, e->field[0] ? e->field : "", e->field[0] ? ": " : "",
                          msg + used);
    return yl_err_set(err, e->code, e->field[0] ? e->field : NULL, "%s: %s", path, msg);
}

/* Read one file when it is of kind `want`; rows go to fn. */
static int svc_load_file(struct svc_protocol *p, const char *path, enum svc_file_kind want,
                         svc_row_fn *fn, struct yl_err *err)
{
    struct yl_err e;
    struct csv_reader *r;
    struct svc_row row;
    FILE *f = fopen(path, "r");
    int rc;

    if (f == NULL)
        return yl_err_set(err, YL_EIO, NULL, "%s: cannot open (%s)", path,
                          errno == ENOENT ? "no such file" : "not readable");
    yl_err_clear(&e);
    r = csv_open(f, SVC_RECORD_MAX);
    row.path = path;
    row.r = r;
    rc = csv_read_header(r, NULL, &e);
    if (rc == 0 && svc_file_kind(r) == SVC_FK_NONE)
        rc = yl_err_set(&e, YL_EINVAL, NULL, "line 1: the header names no \"unit\", "
                        "\"schedule\" or \"condition\" column, so the file is not a "
                        "measurement, item or rule file");
    if (rc == 0 && svc_file_kind(r) != want)
        goto out;
    if (rc == 0)
        rc = svc_required_columns(r, want, &e);
    while (rc == 0) {
        rc = csv_next(r, &e);
        if (rc <= 0)
            break;
        rc = fn(p, &row, err);
        if (rc < 0)
            goto out;
    }
    if (rc < 0)
        rc = svc_csv_fail(err, path, &e);
out:
    csv_close(r);
    fclose(f);
    return rc < 0 ? rc : 0;
}

void svc_protocol_free(struct svc_protocol *p)
{
    if (p == NULL)
        return;
    free(p->measures);
    free(p->above_refs);
    free(p->items);
    free(p->rules);
    free(p);
}

int svc_protocol_load(const char *const *paths, size_t n, struct svc_protocol **out,
                      struct yl_err *err)
{
    static const struct {
        enum svc_file_kind kind;
        svc_row_fn *fn;
    } passes[] = {
        {SVC_FK_MEASURES, svc_measure_row},
        {SVC_FK_ITEMS, svc_item_row},
        {SVC_FK_RULES, svc_rule_row},
    };
    struct svc_protocol *p = xcalloc(1, sizeof(*p));
    int rc = 0;

    *out = NULL;
    for (size_t k = 0; k < sizeof(passes) / sizeof(passes[0]) && rc == 0; k++) {
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = svc_load_file(p, paths[i], passes[k].kind, passes[k].fn, err);
        if (rc == 0 && passes[k].kind == SVC_FK_MEASURES)
            rc = svc_measures_finish(p, err);
    }
    if (rc == 0 && p->n_items == 0)
        rc = yl_err_set(err, YL_EINVAL, NULL, "the protocol has no items (no file with a "
                        "\"schedule\" column among the %zu given)", n);
    if (rc != 0) {
        svc_protocol_free(p);
        return rc;
    }
    free(p->above_refs);
    p->above_refs = NULL;
    svc_rules_index(p);
    *out = p;
    return 0;
}
