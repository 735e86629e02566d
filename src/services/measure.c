/*
 * measure.c - measurement definitions (data/measurements.csv) and the check of one event's
 * measurements against an item: known, recorded by the item, of the right kind, in range,
 * above what they must exceed, complete; then the derived values (BMI).
 *
 * The check is all or nothing: a caller either gets the whole normalised list or a refusal
 * naming one measurement code, so an event is never stored half.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "services/services_int.h"

static const char *const svc_kinds[SVC_MK_COUNT] = {"number", "integer", "text", "yesno"};

/* Parse a decimal number that fills the whole string. */
static int svc_number(const char *s, double *out)
{
    char *end;

    if (s[0] == '\0')
        return -1;
    *out = strtod(s, &end);
    return *end == '\0' && isfinite(*out) ? 0 : -1;
}

static int svc_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* Codes are identifiers: letters, digits, '_', '-', '.'. */
static bool svc_code_ok(const char *s)
{
    if (s[0] == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
              || *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

static int svc_measure_names(struct svc_measure *m, const struct svc_row *row,
                             struct yl_err *err)
{
    const char *code = csv_get(row->r, "code");

    if (!svc_code_ok(code) || svc_copy(m->code, sizeof(m->code), code) != 0)
        return svc_row_fail(err, row, "code", "\"%s\" is not a code (1 to %d letters, digits, "
                            "'_', '-' or '.')", code, SVC_CODE_MAX - 1);
    if (svc_copy(m->name_zh, sizeof(m->name_zh), csv_get(row->r, "name_zh")) != 0)
        return svc_row_fail(err, row, "name_zh", "empty or longer than %d bytes",
                            SVC_NAME_MAX - 1);
    if (svc_copy(m->name_en, sizeof(m->name_en), csv_get(row->r, "name_en")) != 0)
        return svc_row_fail(err, row, "name_en", "empty or longer than %d bytes",
                            SVC_NAME_MAX - 1);
    if (strlen(csv_get(row->r, "unit")) >= sizeof(m->unit))
        return svc_row_fail(err, row, "unit", "longer than %zu bytes", sizeof(m->unit) - 1);
    memcpy(m->unit, csv_get(row->r, "unit"), strlen(csv_get(row->r, "unit")) + 1);
    return 0;
}

/* kind, min, max and derive, checked together because each kind needs different ones. */
static int svc_measure_kind(struct svc_measure *m, const struct svc_row *row,
                            struct yl_err *err)
{
    const char *kind = csv_get(row->r, "kind");
    const char *min = csv_get(row->r, "min"), *max = csv_get(row->r, "max");
    const char *derive = csv_get(row->r, "derive");
    int k;

    for (k = 0; k < SVC_MK_COUNT && strcmp(kind, svc_kinds[k]) != 0; k++)
        ;
    if (k == SVC_MK_COUNT)
        return svc_row_fail(err, row, "kind", "\"%s\" is not number, integer, text or yesno",
                            kind);
    m->kind = (uint8_t)k;
    if (k == SVC_MK_YESNO) {
        m->min = 0;
        m->max = 1;
    } else if (k == SVC_MK_TEXT) {
        m->min = 1;
        if (svc_number(max, &m->max) != 0 || m->max < 1 || m->max > SVC_TEXT_MAX - 1
            || m->max != floor(m->max))
            return svc_row_fail(err, row, "max", "a text needs its longest length, 1 to %d",
                                SVC_TEXT_MAX - 1);
    } else {
        if (svc_number(min, &m->min) != 0)
            return svc_row_fail(err, row, "min", "\"%s\" is not a number", min);
        if (svc_number(max, &m->max) != 0)
            return svc_row_fail(err, row, "max", "\"%s\" is not a number", max);
        if (!(m->min < m->max))
            return svc_row_fail(err, row, "max", "must be above min");
    }
    if (derive[0] == '\0')
        m->derive = SVC_DERIVE_NONE;
    else if (strcmp(derive, "bmi") == 0 && k == SVC_MK_NUMBER)
        m->derive = SVC_DERIVE_BMI;
    else
        return svc_row_fail(err, row, "derive", "\"%s\" is not a formula (\"bmi\", of a "
                            "number)", derive);
    return 0;
}

int svc_measure_row(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err)
{
    struct svc_measure m;
    struct svc_above_ref ref;
    const char *above = csv_get(row->r, "above");
    int rc, at;

    memset(&m, 0, sizeof(m));
    memset(&ref, 0, sizeof(ref));
    m.above = -1;
    rc = svc_measure_names(&m, row, err);
    if (rc == 0)
        rc = svc_measure_kind(&m, row, err);
    if (rc != 0)
        return rc;
    if (above[0] != '\0') {
        if (m.kind == SVC_MK_TEXT || strlen(above) >= SVC_CODE_MAX)
            return svc_row_fail(err, row, "above", "only a number can be above another");
        memcpy(ref.code, above, strlen(above) + 1);
        ref.path = row->path;
        ref.line = csv_line(row->r);
    }
    at = svc_measure_find(p, m.code);
    if (at < 0) {
        if (p->n_measures == p->cap_measures) {
            p->cap_measures = p->cap_measures ? 2 * p->cap_measures : 64;
            p->measures = xrealloc(p->measures, p->cap_measures * sizeof(*p->measures));
            p->above_refs = xrealloc(p->above_refs, p->cap_measures * sizeof(*p->above_refs));
        }
        at = (int)p->n_measures++;
    }
    /* Items keep measurement indexes in 16 bits; far more than any protocol needs. */
    if (p->n_measures > INT16_MAX)
        return svc_row_fail(err, row, "code", "more than %d measurements", INT16_MAX);
    p->measures[at] = m;
    p->above_refs[at] = ref;
    return 0;
}

/* Resolve `above` references, and check that a derived measurement has its inputs. */
int svc_measures_finish(struct svc_protocol *p, struct yl_err *err)
{
    for (size_t i = 0; i < p->n_measures; i++) {
        const struct svc_above_ref *ref = &p->above_refs[i];
        int j;

        if (p->measures[i].derive == SVC_DERIVE_BMI
            && (svc_measure_find(p, "height") < 0 || svc_measure_find(p, "weight") < 0))
            return yl_err_set(err, YL_EINVAL, "derive", "measurement \"%s\": bmi needs the "
                              "measurements \"height\" (cm) and \"weight\" (kg)",
                              p->measures[i].code);
        if (ref->code[0] == '\0')
            continue;
        j = svc_measure_find(p, ref->code);
        if (j < 0 || (size_t)j == i || p->measures[j].kind == SVC_MK_TEXT)
            return yl_err_set(err, YL_EINVAL, "above", "%s:%ld: above: \"%s\" is not another "
                              "numeric measurement", ref->path, ref->line, ref->code);
        p->measures[i].above = (int16_t)j;
    }
    return 0;
}

/* ------------------------------------------------------------------ checking an event */

/* Position of measurement index m in the item's list, or -1. */
static int svc_item_slot(const struct svc_item *it, int m)
{
    for (int i = 0; i < it->n_measures; i++)
        if (it->measures[i] == m)
            return i;
    return -1;
}

static int svc_value_check(const struct svc_measure *m, const struct svc_measure_value *v,
                           struct yl_err *err)
{
    if (m->kind == SVC_MK_TEXT) {
        size_t len = v->text != NULL ? strlen(v->text) : 0;
        if (len == 0 || len > (size_t)m->max)
            return yl_err_set(err, YL_EINVAL, m->code, "%s must be text of 1 to %.0f bytes",
                              m->code, m->max);
        return 0;
    }
    if (v->text != NULL || !isfinite(v->num))
        return yl_err_set(err, YL_EINVAL, m->code, "%s must be a number", m->code);
    if (m->kind == SVC_MK_YESNO && v->num != 0 && v->num != 1)
        return yl_err_set(err, YL_EINVAL, m->code, "%s must be 0 (no) or 1 (yes)", m->code);
    if (m->kind == SVC_MK_INTEGER && v->num != floor(v->num))
        return yl_err_set(err, YL_EINVAL, m->code, "%s must be a whole number", m->code);
    if (v->num < m->min || v->num > m->max)
        return yl_err_set(err, YL_EINVAL, m->code, "%s %g is outside %g–%g%s%s", m->code,
                          v->num, m->min, m->max, m->unit[0] ? " " : "", m->unit);
    return 0;
}

/* Resolve, de-duplicate and range-check each value into out[0..n). */
static int svc_values_resolve(const struct svc_protocol *p, const struct svc_item *it,
                              const struct svc_measure_value *values, size_t n,
                              struct svc_measure_value *out, struct yl_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *code = values[i].code != NULL ? values[i].code : "";
        int m = svc_measure_find(p, code);
        const struct svc_measure *def;

        if (m < 0)
            return yl_err_set(err, YL_EINVAL, code, "unknown measurement \"%s\"", code);
        def = &p->measures[m];
        if (def->derive != SVC_DERIVE_NONE)
            return yl_err_set(err, YL_EINVAL, code, "%s is derived, not entered", code);
        if (svc_item_slot(it, m) < 0)
            return yl_err_set(err, YL_EINVAL, code, "item \"%s\" does not record \"%s\"",
                              it->code, code);
        for (size_t k = 0; k < i; k++)
            if (out[k].measure == m)
                return yl_err_set(err, YL_EINVAL, code, "%s is given twice", code);
        if (svc_value_check(def, &values[i], err) != 0)
            return YL_EINVAL;
        out[i] = values[i];
        out[i].code = def->code;
        out[i].measure = m;
        if (def->kind != SVC_MK_TEXT)
            out[i].text = NULL;
    }
    return 0;
}

static const struct svc_measure_value *svc_value_of(const struct svc_measure_value *v,
                                                    size_t n, int m)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].measure == m)
            return &v[i];
    return NULL;
}

/* sbp above dbp, and every required measurement present. */
static int svc_values_relate(const struct svc_protocol *p, const struct svc_item *it,
                             const struct svc_measure_value *v, size_t n, struct yl_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct svc_measure *m = &p->measures[v[i].measure];
        const struct svc_measure_value *other;

        if (m->above < 0)
            continue;
        other = svc_value_of(v, n, m->above);
        if (other != NULL && !(v[i].num > other->num))
            return yl_err_set(err, YL_EINVAL, m->code, "%s %g must be above %s %g", m->code,
                              v[i].num, p->measures[m->above].code, other->num);
    }
    for (int s = 0; s < it->n_measures; s++) {
        const struct svc_measure *m = &p->measures[it->measures[s]];

        if (!(it->required_mask >> s & 1) || svc_value_of(v, n, it->measures[s]) != NULL)
            continue;
        if (it->vaccine[0] != '\0' && m->kind == SVC_MK_TEXT)
            return yl_err_set(err, YL_EINVAL, m->code, "a vaccine dose needs its %s (%s)",
                              m->name_en, m->code);
        return yl_err_set(err, YL_EINVAL, m->code, "item \"%s\" requires %s", it->code,
                          m->code);
    }
    return 0;
}

/* Append the derived measurements whose inputs are present. */
static int svc_values_derive(const struct svc_protocol *p, struct svc_measure_value *out,
                             size_t *n, size_t cap, struct yl_err *err)
{
    const struct svc_measure_value *h = svc_value_of(out, *n, svc_measure_find(p, "height"));
    const struct svc_measure_value *w = svc_value_of(out, *n, svc_measure_find(p, "weight"));

    for (size_t i = 0; i < p->n_measures; i++) {
        const struct svc_measure *m = &p->measures[i];
        double v;

        if (m->derive != SVC_DERIVE_BMI || h == NULL || w == NULL)
            continue;
        /* Rounded to one decimal, as a BMI is written on the record. */
        v = round(w->num / (h->num / 100.0 * h->num / 100.0) * 10.0) / 10.0;
        if (v < m->min || v > m->max)
            return yl_err_set(err, YL_EINVAL, m->code, "%s %g from height and weight is "
                              "outside %g–%g", m->code, v, m->min, m->max);
        if (*n == cap)
            return yl_err_set(err, YL_EINVAL, m->code, "no room for derived %s", m->code);
        out[*n].code = m->code;
        out[*n].measure = (int)i;
        out[*n].num = v;
        out[*n].text = NULL;
        (*n)++;
    }
    return 0;
}

int svc_measures_check(const struct svc_protocol *p, int item,
                       const struct svc_measure_value *values, size_t n,
                       struct svc_measure_value *out, size_t cap, size_t *n_out,
                       struct yl_err *err)
{
    const struct svc_item *it;
    size_t count = n;
    int rc;

    *n_out = 0;
    if (item < 0 || (size_t)item >= p->n_items)
        return yl_err_set(err, YL_EINVAL, "item", "no such item");
    it = &p->items[item];
    if (n > cap || n > SVC_ITEM_MEASURES)
        return yl_err_set(err, YL_EINVAL, "measurements", "too many measurements (%zu)", n);
    rc = svc_values_resolve(p, it, values, n, out, err);
    if (rc == 0)
        rc = svc_values_relate(p, it, out, n, err);
    if (rc == 0)
        rc = svc_values_derive(p, out, &count, cap, err);
    if (rc != 0)
        return rc;
    *n_out = count;
    return 0;
}
