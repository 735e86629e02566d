/*
 * import.c - detector alarms from a file as signals (`yilian import signals FILE`), then
 * the alert rules over the days they touch (alerts.h).
 *
 * The one idea: a row is a signal, recorded with ON CONFLICT DO NOTHING, so a re-import is
 * all "unchanged"; whether a disease is class A travels in the file (`class_a` yes/no), as
 * the tool that wrote it knows the disease list. After the last batch, one evaluation over
 * the file's days raises or extends the alerts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "store/store.h"

struct surv_signal_import {
    const struct surv_rules *rules;
    char now[SURV_TIME_LEN];
    int32_t first_day, last_day;
    bool any;
    char **class_a;             /* codes marked class A in the file */
    size_t n_class_a;
};

struct surv_signal_import *surv_signal_import_new(const struct surv_rules *rules,
                                                  int64_t now_s)
{
    struct surv_signal_import *x = xcalloc(1, sizeof(*x));
    x->rules = rules;
    alert_time_format(now_s, x->now);
    return x;
}

void surv_signal_import_free(struct surv_signal_import *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->n_class_a; i++)
        free(x->class_a[i]);
    free(x->class_a);
    free(x);
}

static bool in_class_a(void *cls, const char *code)
{
    const struct surv_signal_import *x = cls;
    for (size_t i = 0; i < x->n_class_a; i++)
        if (strcmp(x->class_a[i], code) == 0)
            return true;
    return false;
}

static int number(const struct csv_reader *r, const char *col, double *out, struct yl_err *err)
{
    int present = 0;
    *out = NAN;
    return imp_double(r, col, -1e12, 1e12, &present, out, err);
}

static int signal_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err)
{
    struct surv_signal_import *x = ctx;
    struct surv_signal s = {0};
    const char *kind = NULL, *class_a = NULL;
    int rc = imp_text(r, "kind", 1, 16, &kind, err);
    int k = rc == 0 ? surv_source_find(kind) : 0;
    if (rc == 0 && k < 0)
        rc = yl_err_set(err, YL_EINVAL, "kind", "kind \"%s\" is not disease, channel or "
                        "cluster", kind);
    s.kind = (enum surv_source)(k < 0 ? 0 : k);
    if (rc == 0)
        rc = imp_text(r, "code", 1, SURV_CODE_MAX, &s.code, err);
    if (rc == 0)
        rc = imp_text(r, "ou", 1, 12, &s.ou, err);
    if (rc == 0)
        rc = imp_date(r, "day", 1, NULL, &s.day, err);
    if (rc == 0)
        rc = imp_text(r, "method", 1, SURV_METHOD_MAX, &s.method, err);
    if (rc == 0)
        rc = number(r, "count", &s.count, err);
    if (rc == 0)
        rc = number(r, "expected", &s.expected, err);
    if (rc == 0)
        rc = number(r, "upper", &s.upper, err);
    if (rc == 0)
        rc = number(r, "score", &s.score, err);
    if (rc == 0)
        rc = imp_text(r, "place_kind", 0, 16, &s.place_kind, err);
    if (rc == 0)
        rc = imp_text(r, "place", 0, SURV_PLACE_MAX, &s.place, err);
    if (rc == 0)
        rc = imp_text(r, "members", 0, SURV_TEXT_MAX, &s.members, err);
    if (rc == 0)
        rc = imp_text(r, "class_a", 0, 8, &class_a, err);
    bool is_a = class_a != NULL && strcmp(class_a, "yes") == 0;
    if (rc == 0 && class_a != NULL && class_a[0] != '\0' && !is_a && strcmp(class_a, "no") != 0)
        rc = yl_err_set(err, YL_EINVAL, "class_a", "class_a \"%s\" is not yes or no", class_a);
    if (rc != 0)
        return rc;
    /* The checks of the API path, with the column (not the batch index) named. */
    struct yl_err e = {0};
    rc = surv_signal_check(&s, 0, &e);
    if (rc != 0) {
        const char *dot = e.field[0] ? strrchr(e.field, '.') : NULL;
        return yl_err_set(err, rc, dot ? dot + 1 : e.field, "%s", yl_err_message(&e));
    }
    bool fresh = false;
    rc = surv_signal_insert(c, &s, &fresh, x->now, err);
    if (rc != 0)
        return rc;
    if (!x->any || s.day < x->first_day)
        x->first_day = s.day;
    if (!x->any || s.day > x->last_day)
        x->last_day = s.day;
    x->any = true;
    if (is_a && !in_class_a(x, s.code)) {
        x->class_a = xrealloc(x->class_a, (x->n_class_a + 1) * sizeof(char *));
        x->class_a[x->n_class_a++] = xstrdup(s.code);
    }
    return fresh ? IMP_APPLIED : IMP_UNCHANGED;
}

const struct imp_spec *surv_signal_import_spec(void)
{
    static const char *const required[] = {"kind", "code", "ou", "day", "method", NULL};
    static const char *const columns[] = {"count", "expected", "upper", "score", "place_kind",
                                          "place", "members", "class_a", NULL};
    static const struct imp_spec spec = {
        .what = "signals",
        .resource_type = "signal",
        .required = required,
        .row = signal_row,
        .columns = columns,
    };
    return &spec;
}

int surv_signal_import_finish(struct store *s, struct surv_signal_import *x,
                              const struct audit_actor *by, int64_t now_s,
                              struct surv_ingest_result *res, struct yl_err *err)
{
    memset(res, 0, sizeof(*res));
    if (!x->any)
        return 0;
    return surv_alerts_evaluate(s, x->rules, in_class_a, x, x->first_day, x->last_day, by,
                                now_s, res, err);
}
