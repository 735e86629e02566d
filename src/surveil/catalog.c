/*
 * catalog.c - the surveillance data files: the notifiable disease list (法定传染病, classes
 * A/B/C with their report limits), the syndromic channels and the detector parameters per
 * disease, channel and org unit. Loaded once, validated row by row with "FILE:LINE:
 * column: message", read-only after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/adcode.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "surveil/surveil.h"

#define CATALOG_RECORD_MAX 8192

typedef int row_fn(struct surv_catalog *cat, const struct csv_reader *r, struct yl_err *err);

/* A code: 1-32 lowercase letters, digits and '_' (stable in URLs, CSV and the store). */
static int check_code(const char *s, const char *field, struct yl_err *err)
{
    size_t n = strlen(s);
    bool ok = n > 0 && n <= SURV_CODE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_';
    if (!ok)
        return yl_err_set(err, YL_EINVAL, field,
                          "%s must be 1 to %d lowercase letters, digits or '_'", field,
                          SURV_CODE_MAX);
    return 0;
}

static int copy_text(char *out, size_t cap, const char *s, const char *field, bool required,
                     struct yl_err *err)
{
    if (required && s[0] == '\0')
        return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
    if (strlen(s) >= cap)
        return yl_err_set(err, YL_EINVAL, field, "%s is longer than %zu bytes", field, cap - 1);
    snprintf(out, cap, "%s", s);
    return 0;
}

static int disease_row(struct surv_catalog *cat, const struct csv_reader *r, struct yl_err *err)
{
    struct surv_disease d = {0};
    const char *code = csv_get(r, "code"), *cls = csv_get(r, "class");
    const char *as_a = csv_get(r, "managed_as_a"), *limit = csv_get(r, "report_limit_hours");
    int rc = check_code(code, "code", err);
    if (rc == 0 && surv_disease_find(cat, code) != NULL)
        rc = yl_err_set(err, YL_EINVAL, "code", "disease \"%s\" is listed twice", code);
    if (rc == 0)
        rc = copy_text(d.code, sizeof(d.code), code, "code", true, err);
    if (rc == 0)
        rc = copy_text(d.name_zh, sizeof(d.name_zh), csv_get(r, "name_zh"), "name_zh", true, err);
    if (rc == 0)
        rc = copy_text(d.name_en, sizeof(d.name_en), csv_get(r, "name_en"), "name_en", true, err);
    if (rc == 0 && (strlen(cls) != 1 || strchr("ABC", cls[0]) == NULL))
        rc = yl_err_set(err, YL_EINVAL, "class", "class must be A, B or C");
    if (rc == 0 && strcmp(as_a, "0") != 0 && strcmp(as_a, "1") != 0)
        rc = yl_err_set(err, YL_EINVAL, "managed_as_a", "managed_as_a must be 0 or 1");
    if (rc == 0 && as_a[0] == '1' && cls[0] != 'B')
        rc = yl_err_set(err, YL_EINVAL, "managed_as_a",
                        "only a class B disease is managed as class A");
    char *end = NULL;
    long hours = strtol(limit, &end, 10);
    if (rc == 0 && (limit[0] == '\0' || *end != '\0' || hours < 1 || hours > 168))
        rc = yl_err_set(err, YL_EINVAL, "report_limit_hours",
                        "report_limit_hours must be a whole number of hours from 1 to 168");
    if (rc == 0)
        rc = copy_text(d.icd10, sizeof(d.icd10), csv_get(r, "icd10"), "icd10", false, err);
    if (rc != 0)
        return rc;
    d.cls = cls[0];
    d.managed_as_a = as_a[0] == '1';
    d.report_limit_hours = (int)hours;
    cat->diseases = xrealloc(cat->diseases, (cat->n_diseases + 1) * sizeof(d));
    cat->diseases[cat->n_diseases++] = d;
    return 0;
}

static int channel_row(struct surv_catalog *cat, const struct csv_reader *r, struct yl_err *err)
{
    struct surv_channel ch = {0};
    const char *code = csv_get(r, "code"), *kind = csv_get(r, "kind");
    const char *unit = csv_get(r, "unit");
    int rc = check_code(code, "code", err);
    if (rc == 0 && (surv_channel_find(cat, code) != NULL || surv_disease_find(cat, code)))
        rc = yl_err_set(err, YL_EINVAL, "code",
                        "\"%s\" is already a channel or a disease", code);
    if (rc == 0)
        rc = copy_text(ch.code, sizeof(ch.code), code, "code", true, err);
    if (rc == 0)
        rc = copy_text(ch.name_zh, sizeof(ch.name_zh), csv_get(r, "name_zh"), "name_zh", true,
                       err);
    if (rc == 0)
        rc = copy_text(ch.name_en, sizeof(ch.name_en), csv_get(r, "name_en"), "name_en", true,
                       err);
    if (rc == 0 && strcmp(kind, "count") != 0 && strcmp(kind, "proportion") != 0)
        rc = yl_err_set(err, YL_EINVAL, "kind", "kind must be count or proportion");
    int m = surv_method_find(csv_get(r, "default_method"));
    if (rc == 0 && m < 0)
        rc = yl_err_set(err, YL_EINVAL, "default_method", "unknown method \"%s\"",
                        csv_get(r, "default_method"));
    int u = unit[0] ? surv_unit_find(unit) : SURV_DAY;
    if (rc == 0 && u < 0)
        rc = yl_err_set(err, YL_EINVAL, "unit", "unit must be day or week");
    if (rc != 0)
        return rc;
    ch.kind = strcmp(kind, "proportion") == 0 ? SURV_CH_PROPORTION : SURV_CH_COUNT;
    ch.default_method = (enum surv_method)m;
    ch.unit = (enum surv_unit)u;
    cat->channels = xrealloc(cat->channels, (cat->n_channels + 1) * sizeof(ch));
    cat->channels[cat->n_channels++] = ch;
    return 0;
}

static int param_row(struct surv_catalog *cat, const struct csv_reader *r, struct yl_err *err)
{
    struct surv_param_rule rule = {0};
    const char *target = csv_get(r, "target"), *county = csv_get(r, "county");
    const char *unit = csv_get(r, "unit");
    int rc = 0;
    if (strcmp(target, "*") != 0 && surv_disease_find(cat, target) == NULL &&
        surv_channel_find(cat, target) == NULL)
        rc = yl_err_set(err, YL_EINVAL, "target",
                        "target \"%s\" is neither a disease nor a channel (nor \"*\")", target);
    if (rc == 0 && county[0] != '\0')
        rc = adcode_validate(county, strlen(county), "county", err);
    for (size_t i = 0; rc == 0 && i < cat->n_rules; i++)
        if (strcmp(cat->rules[i].target, target) == 0 &&
            strcmp(cat->rules[i].county, county) == 0)
            rc = yl_err_set(err, YL_EINVAL, "county",
                            "\"%s\" has a rule for this org unit already", target);
    int m = surv_method_find(csv_get(r, "method"));
    if (rc == 0 && m < 0)
        rc = yl_err_set(err, YL_EINVAL, "method", "unknown method \"%s\"", csv_get(r, "method"));
    int u = unit[0] ? surv_unit_find(unit) : SURV_DAY;
    if (rc == 0 && u < 0)
        rc = yl_err_set(err, YL_EINVAL, "unit", "unit must be day or week");
    if (rc == 0)
        rc = copy_text(rule.params, sizeof(rule.params), csv_get(r, "params"), "params", false,
                       err);
    if (rc != 0)
        return rc;
    snprintf(rule.target, sizeof(rule.target), "%s", target);
    snprintf(rule.county, sizeof(rule.county), "%s", county);
    surv_method_defaults(&rule.config, (enum surv_method)m, (enum surv_unit)u);
    struct yl_err perr = {0};
    if (surv_method_set_text(&rule.config, rule.params, &perr) != 0)
        return yl_err_set(err, YL_EINVAL, "params", "%s", yl_err_message(&perr));
    cat->rules = xrealloc(cat->rules, (cat->n_rules + 1) * sizeof(rule));
    cat->rules[cat->n_rules++] = rule;
    return 0;
}

static int load_file(struct surv_catalog *cat, const char *path, const char *const *required,
                     row_fn *fn, struct yl_err *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return yl_err_set(err, YL_EIO, "file", "cannot read \"%s\"", path);
    struct csv_reader *r = csv_open(f, CATALOG_RECORD_MAX);
    struct yl_err e = {0};
    int rc = csv_read_header(r, required, &e);
    if (rc != 0)
        rc = yl_err_set(err, rc, e.field, "%s:1: %s", path, yl_err_message(&e));
    while (rc == 0) {
        int got = csv_next(r, &e);
        if (got == 0)
            break;
        if (got > 0)
            got = fn(cat, r, &e);
        if (got < 0)
            rc = yl_err_set(err, got, e.field, "%s:%ld: %s%s%s", path, csv_line(r), e.field,
                            e.field[0] ? ": " : "", yl_err_message(&e));
    }
    csv_close(r);
    fclose(f);
    return rc;
}

int surv_catalog_load(const char *diseases_path, const char *channels_path,
                      const char *params_path, struct surv_catalog **out, struct yl_err *err)
{
    static const char *const disease_cols[] = {"code", "name_zh", "name_en", "class",
                                               "managed_as_a", "report_limit_hours", NULL};
    static const char *const channel_cols[] = {"code", "name_zh", "name_en", "kind",
                                               "default_method", NULL};
    static const char *const param_cols[] = {"target", "county", "method", "params", NULL};
    struct surv_catalog *cat = xcalloc(1, sizeof(*cat));
    *out = NULL;
    int rc = load_file(cat, diseases_path, disease_cols, disease_row, err);
    if (rc == 0)
        rc = load_file(cat, channels_path, channel_cols, channel_row, err);
    if (rc == 0)
        rc = load_file(cat, params_path, param_cols, param_row, err);
    if (rc == 0 && cat->n_diseases == 0)
        rc = yl_err_set(err, YL_EINVAL, NULL, "%s lists no disease", diseases_path);
    if (rc != 0) {
        surv_catalog_free(cat);
        return rc;
    }
    *out = cat;
    return 0;
}

void surv_catalog_free(struct surv_catalog *c)
{
    if (c == NULL)
        return;
    free(c->diseases);
    free(c->channels);
    free(c->rules);
    free(c);
}

const struct surv_disease *surv_disease_find(const struct surv_catalog *c, const char *code)
{
    for (size_t i = 0; c != NULL && code != NULL && i < c->n_diseases; i++)
        if (strcmp(c->diseases[i].code, code) == 0)
            return &c->diseases[i];
    return NULL;
}

const struct surv_channel *surv_channel_find(const struct surv_catalog *c, const char *code)
{
    for (size_t i = 0; c != NULL && code != NULL && i < c->n_channels; i++)
        if (strcmp(c->channels[i].code, code) == 0)
            return &c->channels[i];
    return NULL;
}

/* The rule of `target` whose org unit is the longest prefix of ou ("" matches all). */
static const struct surv_param_rule *best_rule(const struct surv_catalog *c,
                                               const char *target, const char *ou)
{
    const struct surv_param_rule *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct surv_param_rule *r = &c->rules[i];
        size_t len = strlen(r->county);
        if (strcmp(r->target, target) != 0 || strncmp(r->county, ou, len) != 0)
            continue;
        if (best == NULL || len > best_len) {
            best = r;
            best_len = len;
        }
    }
    return best;
}

void surv_params_for(const struct surv_catalog *c, const char *target, const char *ou,
                     struct surv_method_config *out)
{
    const char *where = ou != NULL ? ou : "";
    const struct surv_param_rule *r = best_rule(c, target ? target : "", where);
    const struct surv_channel *ch = surv_channel_find(c, target);
    if (r == NULL && ch == NULL)
        r = best_rule(c, "*", where);
    if (r != NULL) {
        *out = r->config;
        return;
    }
    if (ch != NULL)
        surv_method_defaults(out, ch->default_method, ch->unit);
    else
        surv_method_defaults(out, SURV_M_MPM, SURV_DAY);
}
