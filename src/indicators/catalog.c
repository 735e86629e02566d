/*
 * catalog.c - the indicators a deployment reports: the static table (defs.c), one
 * definition per vaccine dose and screening item of the loaded protocol, and the targets
 * of data/indicator-targets.csv and the region's own file.
 *
 * The one idea: definitions that depend on data (the protocol's doses, a region's targets)
 * are built once at start into one read-only array, so a report never asks where a row
 * came from. Targets: the national goals cited in the shipped file (docs/indicators.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "indicators/indicators.h"

#define TARGET_RECORD_MAX 4096

struct ind_catalog {
    struct ind_def *defs;
    size_t n;
    struct arena strings;       /* names, bases and sources of the rows built here */
};

/* "12m", "35y": a period as the protocol files write it. */
static const char *period_text(struct arena *a, struct svc_period p)
{
    static const char units[] = {'?', 'd', 'w', 'm', 'y'};
    return p.unit < sizeof(units) ? arena_printf(a, "%d%c", p.n, units[p.unit]) : "?";
}

static void generated_def(struct ind_catalog *c, const struct svc_protocol *p, int item,
                          size_t k)
{
    const struct svc_item *it = svc_item_at(p, item);
    struct arena *a = &c->strings;
    struct ind_def *d = &c->defs[c->n++];
    bool dose = it->program == SVC_PROG_IMMUNIZATION;
    memset(d, 0, sizeof(*d));
    d->num = (enum ind_measure)(IND_M_COUNT + 2 * k);
    d->den = (enum ind_measure)(IND_M_COUNT + 2 * k + 1);
    d->pop = IND_POP_ALL;
    d->scale = 100;
    d->unit = "%";
    d->target.source = "";
    if (dose) {
        d->id = arena_printf(a, "vaccination_%s", it->code);
        d->name_zh = arena_printf(a, "%s接种率", it->name_zh);
        d->name_en = arena_printf(a, "vaccination coverage, %s", it->name_en);
        d->base = arena_printf(a, "children living in the unit on the reference date who "
                                  "reached the dose's due age (%s) on a day of the period "
                                  "(numerator: those given it on or after %s of age, by the "
                                  "reference date)",
                               period_text(a, it->before), period_text(a, it->min));
    } else {
        const char *max = it->age_max.unit != SVC_UNIT_NONE ? period_text(a, it->age_max) : "";
        d->id = arena_printf(a, "screening_%s", it->code);
        d->name_zh = arena_printf(a, "%s覆盖率", it->name_zh);
        d->name_en = arena_printf(a, "%s coverage", it->name_en);
        d->base = arena_printf(a, "%s with a record aged %s to %s on the reference date "
                                  "(numerator: those screened within the last %s)",
                               it->sex == 2 ? "women" : it->sex == 1 ? "men" : "residents",
                               period_text(a, it->age_min), max, period_text(a, it->every));
    }
}

/* --- targets ---------------------------------------------------------------------------- */

static int parse_number(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* Apply one row to every definition its indicator names; the count it named. */
static size_t apply_row(struct ind_catalog *c, const char *pattern, const struct ind_target *t)
{
    size_t len = strlen(pattern), named = 0;
    bool prefix = len > 0 && pattern[len - 1] == '*';
    for (size_t i = 0; i < c->n; i++) {
        const char *id = c->defs[i].id;
        if (prefix ? strncmp(id, pattern, len - 1) == 0 : strcmp(id, pattern) == 0) {
            c->defs[i].target = *t;
            named++;
        }
    }
    return named;
}

static int target_row(struct ind_catalog *c, struct csv_reader *r, const char *path,
                      struct yl_err *err)
{
    const char *id = csv_get(r, "indicator"), *dir = csv_get(r, "direction");
    const char *value = csv_get(r, "target");
    long line = csv_line(r);
    struct ind_target t = {IND_DIR_NONE, 0.0, arena_strdup(&c->strings, csv_get(r, "source"))};
    if (value[0] != '\0') {
        if (strcmp(dir, "at_least") == 0)
            t.direction = IND_DIR_AT_LEAST;
        else if (strcmp(dir, "at_most") == 0)
            t.direction = IND_DIR_AT_MOST;
        else
            return yl_err_set(err, YL_EINVAL, "direction",
                              "%s:%ld: direction: \"%.20s\" is not at_least or at_most", path,
                              line, dir);
        if (parse_number(value, &t.value) != 0)
            return yl_err_set(err, YL_EINVAL, "target", "%s:%ld: target: \"%.20s\" is not a "
                              "number", path, line, value);
    }
    bool pattern = id[0] != '\0' && id[strlen(id) - 1] == '*';
    if (apply_row(c, id, &t) == 0 && !pattern)
        return yl_err_set(err, YL_EINVAL, "indicator", "%s:%ld: indicator: no indicator "
                          "\"%.60s\"", path, line, id);
    return 0;
}

static int load_targets(struct ind_catalog *c, const char *path, struct yl_err *err)
{
    static const char *const required[] = {"indicator", "direction", "target", NULL};
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return yl_err_set(err, YL_EIO, "indicator_targets", "cannot read targets file \"%s\"",
                          path);
    struct csv_reader *r = csv_open(f, TARGET_RECORD_MAX);
    struct yl_err inner = {0};
    int rc = csv_read_header(r, required, &inner);
    if (rc != 0)
        rc = yl_err_set(err, rc, "indicator_targets", "%s: %s", path, yl_err_message(&inner));
    while (rc == 0) {
        int got = csv_next(r, &inner);
        if (got == 0)
            break;
        if (got < 0)
            rc = yl_err_set(err, got, "indicator_targets", "%s: %s", path,
                            yl_err_message(&inner));
        else
            rc = target_row(c, r, path, err);
    }
    csv_close(r);
    fclose(f);
    return rc;
}

/* --- the catalog ------------------------------------------------------------------------ */

int ind_catalog_new(const struct svc_protocol *p, const char *const *target_files, size_t n,
                    struct ind_catalog **out, struct yl_err *err)
{
    size_t n_static;
    const struct ind_def *fixed = ind_defs(&n_static);
    int items[IND_COVERAGE_MAX];
    size_t n_items = ind_coverage_items(p, items, IND_COVERAGE_MAX);
    struct ind_catalog *c = xcalloc(1, sizeof(*c));
    arena_init(&c->strings);
    c->defs = xcalloc(n_static + n_items + 1, sizeof(*c->defs));
    memcpy(c->defs, fixed, n_static * sizeof(*fixed));
    c->n = n_static;
    for (size_t i = 0; i < c->n; i++)
        c->defs[i].target.source = "";
    for (size_t k = 0; k < n_items; k++)
        generated_def(c, p, items[k], k);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = load_targets(c, target_files[i], err);
    if (rc != 0) {
        ind_catalog_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

void ind_catalog_free(struct ind_catalog *c)
{
    if (c == NULL)
        return;
    arena_release(&c->strings);
    free(c->defs);
    free(c);
}

const struct ind_def *ind_catalog_defs(const struct ind_catalog *c, size_t *n)
{
    *n = c->n;
    return c->defs;
}

const struct ind_def *ind_catalog_find(const struct ind_catalog *c, const char *id)
{
    for (size_t i = 0; id != NULL && i < c->n; i++)
        if (strcmp(c->defs[i].id, id) == 0)
            return &c->defs[i];
    return NULL;
}
