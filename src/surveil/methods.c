/*
 * methods.c - the detectors of detect.h by name, with their parameters by name: one table
 * of methods and one of parameters (name, methods that have it, type, where it lives), so
 * the CLI, the data files and the detection glue set the same fields the same way.
 *
 * A parameter's name is its detect.h field's name; values are checked for their type here
 * and for their range by the runner, which names the field.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "surveil/surveil.h"

static const char *const method_names[SURV_M_COUNT] = {
    [SURV_M_THRESHOLD] = "threshold",
    [SURV_M_C1] = "c1",
    [SURV_M_C2] = "c2",
    [SURV_M_C3] = "c3",
    [SURV_M_CUSUM] = "cusum",
    [SURV_M_FARRINGTON] = "farrington",
    [SURV_M_FARRINGTON_FLEXIBLE] = "farrington-flexible",
    [SURV_M_MPM] = "mpm",
};

const char *surv_method_name(enum surv_method m)
{
    return (unsigned)m < SURV_M_COUNT ? method_names[m] : "?";
}

int surv_method_find(const char *name)
{
    for (int i = 0; name != NULL && i < SURV_M_COUNT; i++)
        if (strcmp(method_names[i], name) == 0)
            return i;
    return -1;
}

const char *surv_unit_name(enum surv_unit u)
{
    return u == SURV_WEEK ? "week" : "day";
}

int surv_unit_find(const char *name)
{
    if (name != NULL && strcmp(name, "day") == 0)
        return SURV_DAY;
    if (name != NULL && strcmp(name, "week") == 0)
        return SURV_WEEK;
    return -1;
}

void surv_method_defaults(struct surv_method_config *c, enum surv_method m, enum surv_unit unit)
{
    memset(c, 0, sizeof(*c));
    c->method = m;
    c->unit = unit;
    switch (m) {
    case SURV_M_THRESHOLD:
        surv_threshold_defaults(&c->p.threshold);
        break;
    case SURV_M_C1:
    case SURV_M_C2:
    case SURV_M_C3:
        surv_ears_defaults(&c->p.ears, (enum surv_ears_method)(m - SURV_M_C1 + 1));
        break;
    case SURV_M_CUSUM:
        surv_cusum_defaults(&c->p.cusum);
        break;
    case SURV_M_FARRINGTON:
    case SURV_M_FARRINGTON_FLEXIBLE:
        if (m == SURV_M_FARRINGTON)
            surv_farrington_defaults(&c->p.farrington);
        else
            surv_farrington_flexible_defaults(&c->p.farrington);
        /* Daily data: a year is 365 points (the reference windows are still +-w points). */
        if (unit == SURV_DAY)
            c->p.farrington.period = 365;
        break;
    case SURV_M_MPM:
        surv_mpm_defaults(&c->p.mpm);
        if (unit == SURV_WEEK) {
            c->p.mpm.period = 52;
            c->p.mpm.window = 1;
        }
        break;
    case SURV_M_COUNT:
        break;
    }
}

/* --- the parameter table ---------------------------------------------------------------- */

enum ptype { P_INT, P_DOUBLE, P_ENUM };

#define M(x) (1u << SURV_M_##x)
#define EARS (M(C1) | M(C2) | M(C3))
#define FARR (M(FARRINGTON) | M(FARRINGTON_FLEXIBLE))
#define OFF(member) offsetof(struct surv_method_config, p.member)

struct param_def {
    const char *name;
    unsigned methods;
    enum ptype type;
    size_t offset;
    const char *const *choices;     /* P_ENUM: names of the values 0, 1, ... */
};

static const char *const c3_rules[] = {"hutwagner", "r", NULL};
static const char *const powers[] = {"none", "half", "two_thirds", NULL};
static const char *const farr_thresholds[] = {"delta", "nb", "muan", NULL};

static const struct param_def params[] = {
    {"threshold", M(THRESHOLD), P_DOUBLE, OFF(threshold.threshold), NULL},
    {"baseline", EARS, P_INT, OFF(ears.baseline), NULL},
    {"alpha", EARS, P_DOUBLE, OFF(ears.alpha), NULL},
    {"threshold_z", EARS, P_DOUBLE, OFF(ears.threshold_z), NULL},
    {"min_sigma", EARS, P_DOUBLE, OFF(ears.min_sigma), NULL},
    {"c3_rule", M(C3), P_ENUM, OFF(ears.c3_rule), c3_rules},
    {"baseline", M(CUSUM), P_INT, OFF(cusum.baseline), NULL},
    {"guard", M(CUSUM), P_INT, OFF(cusum.guard), NULL},
    {"k", M(CUSUM), P_DOUBLE, OFF(cusum.k), NULL},
    {"h", M(CUSUM), P_DOUBLE, OFF(cusum.h), NULL},
    {"min_sigma", M(CUSUM), P_DOUBLE, OFF(cusum.min_sigma), NULL},
    {"reset", M(CUSUM), P_INT, OFF(cusum.reset), NULL},
    {"period", FARR, P_INT, OFF(farrington.period), NULL},
    {"years_back", FARR, P_INT, OFF(farrington.years_back), NULL},
    {"half_window", FARR, P_INT, OFF(farrington.half_window), NULL},
    {"reweight", FARR, P_INT, OFF(farrington.reweight), NULL},
    {"weights_threshold", FARR, P_DOUBLE, OFF(farrington.weights_threshold), NULL},
    {"alpha", FARR, P_DOUBLE, OFF(farrington.alpha), NULL},
    {"trend", FARR, P_INT, OFF(farrington.trend), NULL},
    {"trend_p", FARR, P_DOUBLE, OFF(farrington.trend_p), NULL},
    {"min_cases", FARR, P_INT, OFF(farrington.min_cases), NULL},
    {"min_cases_periods", FARR, P_INT, OFF(farrington.min_cases_periods), NULL},
    {"powertrans", FARR, P_ENUM, OFF(farrington.powertrans), powers},
    {"n_periods", M(FARRINGTON_FLEXIBLE), P_INT, OFF(farrington.n_periods), NULL},
    {"past_excluded", M(FARRINGTON_FLEXIBLE), P_INT, OFF(farrington.past_excluded), NULL},
    {"threshold", M(FARRINGTON_FLEXIBLE), P_ENUM, OFF(farrington.threshold), farr_thresholds},
    {"window", M(MPM), P_INT, OFF(mpm.window), NULL},
    {"period", M(MPM), P_INT, OFF(mpm.period), NULL},
    {"years", M(MPM), P_INT, OFF(mpm.years), NULL},
    {"adjacent", M(MPM), P_INT, OFF(mpm.adjacent), NULL},
    {"percentile", M(MPM), P_DOUBLE, OFF(mpm.percentile), NULL},
    {"min_cases", M(MPM), P_DOUBLE, OFF(mpm.min_cases), NULL},
};

#define N_PARAMS (sizeof(params) / sizeof(params[0]))

const char *const *surv_method_params(enum surv_method m, size_t *n)
{
    /* Built on first use from the table above; read-only after. */
    static const char *names[SURV_M_COUNT][N_PARAMS + 1];
    static size_t counts[SURV_M_COUNT];
    if ((unsigned)m >= SURV_M_COUNT) {
        *n = 0;
        return names[0] + N_PARAMS;
    }
    if (counts[m] == 0) {
        size_t k = 0;
        for (size_t i = 0; i < N_PARAMS; i++)
            if (params[i].methods & (1u << m))
                names[m][k++] = params[i].name;
        names[m][k] = NULL;
        counts[m] = k;
    }
    *n = counts[m];
    return names[m];
}

static int set_value(struct surv_method_config *c, const struct param_def *d,
                     const char *value, struct yl_err *err)
{
    char *at = (char *)c + d->offset;
    char *end = NULL;
    errno = 0;
    switch (d->type) {
    case P_INT: {
        long v = strtol(value, &end, 10);
        if (value[0] == '\0' || *end != '\0' || errno != 0 || v < -1000000 || v > 1000000)
            return yl_err_set(err, YL_EINVAL, d->name, "%s must be a whole number", d->name);
        *(int *)at = (int)v;
        return 0;
    }
    case P_DOUBLE: {
        double v = strtod(value, &end);
        if (value[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
            return yl_err_set(err, YL_EINVAL, d->name, "%s must be a number", d->name);
        *(double *)at = v;
        return 0;
    }
    case P_ENUM:
        for (int i = 0; d->choices[i] != NULL; i++)
            if (strcmp(d->choices[i], value) == 0) {
                /* The detect.h enums are int-sized and numbered as the choices. */
                *(int *)at = i;
                return 0;
            }
        return yl_err_set(err, YL_EINVAL, d->name, "%s must be one of %s%s%s%s%s", d->name,
                          d->choices[0], d->choices[1] ? ", " : "",
                          d->choices[1] ? d->choices[1] : "", d->choices[2] ? ", " : "",
                          d->choices[2] ? d->choices[2] : "");
    }
    return YL_EINTERNAL;
}

int surv_method_set(struct surv_method_config *c, const char *name, const char *value,
                    struct yl_err *err)
{
    for (size_t i = 0; i < N_PARAMS; i++)
        if ((params[i].methods & (1u << c->method)) && strcmp(params[i].name, name) == 0)
            return set_value(c, &params[i], value, err);
    return yl_err_set(err, YL_EINVAL, name, "method %s has no parameter \"%s\"",
                      surv_method_name(c->method), name);
}

int surv_method_set_text(struct surv_method_config *c, const char *text, struct yl_err *err)
{
    const char *p = text ? text : "";
    while (*p != '\0') {
        p += strspn(p, " \t");
        size_t w = strcspn(p, " \t");
        if (w == 0)
            break;
        char word[SURV_PARAMS_MAX + 1];
        if (w > SURV_PARAMS_MAX)
            return yl_err_set(err, YL_EINVAL, "params", "a parameter is too long");
        memcpy(word, p, w);
        word[w] = '\0';
        char *eq = strchr(word, '=');
        if (eq == NULL || eq == word)
            return yl_err_set(err, YL_EINVAL, "params",
                              "parameters are written name=value, separated by spaces");
        *eq = '\0';
        int rc = surv_method_set(c, word, eq + 1, err);
        if (rc != 0)
            return rc;
        p += w;
    }
    return 0;
}

int surv_method_run(const struct surv_method_config *c, const double *counts, size_t n_counts,
                    struct surv_point *out, struct yl_err *err)
{
    switch (c->method) {
    case SURV_M_THRESHOLD:
        return surv_threshold_run(counts, n_counts, &c->p.threshold, out, err);
    case SURV_M_C1:
    case SURV_M_C2:
    case SURV_M_C3:
        return surv_ears_run(counts, n_counts, &c->p.ears, out, err);
    case SURV_M_CUSUM:
        return surv_cusum_run(counts, n_counts, &c->p.cusum, out, err);
    case SURV_M_FARRINGTON:
        return surv_farrington_run(counts, n_counts, &c->p.farrington, out, err);
    case SURV_M_FARRINGTON_FLEXIBLE:
        return surv_farrington_flexible_run(counts, n_counts, &c->p.farrington, out, err);
    case SURV_M_MPM:
        return surv_mpm_run(counts, n_counts, &c->p.mpm, out, err);
    case SURV_M_COUNT:
        break;
    }
    return yl_err_set(err, YL_EINVAL, "method", "unknown method");
}
