/*
 * fields.c - the field rules every registry entity shares (codes, names, coordinates,
 * counts, vocabulary codes) and the common end of every write: the RETURNING step that tells
 * a written row from an unchanged one, the facility-scope check, the audited commit.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

int reg_check_code(const char *code, const char *field, struct yl_err *err)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
    if (n > REG_CODE_MAX)
        return yl_err_set(err, YL_EINVAL, field, "%s is longer than %d characters", field,
                          REG_CODE_MAX);
    for (size_t i = 0; i < n; i++) {
        char ch = code[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok)
            return yl_err_set(err, YL_EINVAL, field,
                              "%s may hold only letters, digits, \"-\" and \"_\"", field);
    }
    return 0;
}

/* Length of the UTF-8 sequence at p (at most `left` bytes), 0 when it is not well formed:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t len;
    unsigned min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

int reg_check_text(const char *s, const char *field, size_t min_chars, size_t max_chars,
                   struct yl_err *err)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t left = strlen((const char *)p), chars = 0;
    if (left == 0 && min_chars > 0)
        return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
    while (left > 0) {
        size_t len = utf8_seq(p, left);
        if (len == 0)
            return yl_err_set(err, YL_EINVAL, field, "%s is not valid UTF-8", field);
        if (len == 1 && (*p < 0x20 || *p == 0x7f))
            return yl_err_set(err, YL_EINVAL, field, "%s may not contain control characters",
                              field);
        p += len;
        left -= len;
        chars++;
    }
    if (chars < min_chars)
        return yl_err_set(err, YL_EINVAL, field, "%s must have at least %zu characters", field,
                          min_chars);
    if (chars > max_chars)
        return yl_err_set(err, YL_EINVAL, field, "%s must have at most %zu characters", field,
                          max_chars);
    return 0;
}

int reg_check_coord(const struct reg_real *lat, const struct reg_real *lon,
                    struct yl_err *err)
{
    bool has_lat = lat->opt == REG_SET, has_lon = lon->opt == REG_SET;
    if (has_lat && !(lat->v >= -90.0 && lat->v <= 90.0))
        return yl_err_set(err, YL_EINVAL, "lat", "lat must be a number from -90 to 90");
    if (has_lon && !(lon->v >= -180.0 && lon->v <= 180.0))
        return yl_err_set(err, YL_EINVAL, "lon", "lon must be a number from -180 to 180");
    if (has_lat && !has_lon)
        return yl_err_set(err, YL_EINVAL, "lon", "lon is required with lat");
    if (has_lon && !has_lat)
        return yl_err_set(err, YL_EINVAL, "lat", "lat is required with lon");
    return 0;
}

int reg_check_count(const struct reg_int *v, const char *field, int64_t max, int64_t *out,
                    struct yl_err *err)
{
    *out = 0;
    if (v->opt != REG_SET)
        return 0;
    if (v->v < 0)
        return yl_err_set(err, YL_EINVAL, field, "%s must not be negative", field);
    if (v->v > max)
        return yl_err_set(err, YL_EINVAL, field, "%s must be at most %lld", field,
                          (long long)max);
    *out = v->v;
    return 0;
}

int reg_check_vocab(enum vocab_kind kind, const char *code, const char *field, int dflt,
                    int *out, struct yl_err *err)
{
    if (code == NULL || code[0] == '\0') {
        *out = dflt;
        return 0;
    }
    return vocab_parse(kind, code, field, out, err);
}

int reg_subtree_range(const char *code, const char *field, char lo[ADCODE_MAX_LEN + 1],
                      char hi[ADCODE_MAX_LEN + 2], struct yl_err *err)
{
    lo[0] = hi[0] = '\0';
    if (code == NULL || code[0] == '\0')
        return 0;
    int rc = adcode_validate(code, strlen(code), field, err);
    if (rc != 0)
        return rc;
    /* Every code below `code` starts with it, and ':' sorts right after '9'. */
    snprintf(lo, ADCODE_MAX_LEN + 1, "%s", code);
    snprintf(hi, ADCODE_MAX_LEN + 2, "%s:", code);
    return 0;
}

void reg_bind_real(struct store_stmt *st, int idx, const struct reg_real *v)
{
    if (v->opt == REG_SET)
        store_bind_double(st, idx, v->v);
    else
        store_bind_null(st, idx);
}

void reg_col_copy(struct store_stmt *st, int col, char *out, size_t n)
{
    snprintf(out, n, "%s", store_col_text(st, col));
}

int reg_write_step(struct store_stmt *st, const char *what, const char *code, int64_t *id,
                   struct yl_err *err)
{
    /* The store's own message names no field; a duplicate is the caller's "code". */
    struct yl_err local = {0};
    int rc = store_step(st, &local);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        rc = store_exec(st, &local);
        if (rc == 0)
            return IMP_APPLIED;
    } else if (rc == STORE_DONE) {
        return IMP_UNCHANGED;
    }
    if (rc == YL_ECONFLICT)
        return yl_err_set(err, YL_ECONFLICT, "code", "%s \"%s\" already exists", what, code);
    return yl_err_set(err, rc, local.field[0] ? local.field : NULL, "%s",
                      yl_err_message(&local));
}

int reg_require_region(const struct reg_writer *by, const char *what, struct yl_err *err)
{
    if (by->facility == NULL)
        return 0;
    return yl_err_set(err, YL_EFORBIDDEN, NULL,
                      "a facility administrator may not change %s; only staff of their own "
                      "facility", what);
}

int reg_finish(struct store_conn *c, const struct reg_writer *by, const char *action,
               const char *type, const char *resource_id, int rc, struct yl_err *err)
{
    struct audit_event ev = {action, type, resource_id, "ok"};
    return audit_finish_write(c, by->actor, &ev, rc < 0 ? rc : 0, err);
}

int reg_finish_id(struct store_conn *c, const struct reg_writer *by, const char *action,
                  const char *type, const char *resource_id, int64_t written, int rc,
                  int64_t *id, struct yl_err *err)
{
    rc = reg_finish(c, by, action, type, resource_id, rc, err);
    if (rc == 0 && id != NULL)
        *id = written;
    return rc;
}

int reg_csv_real(const struct csv_reader *r, const char *col, double min, double max,
                 struct reg_real *out, struct yl_err *err)
{
    int present = 0;
    out->opt = REG_UNSET;
    int rc = imp_double(r, col, min, max, &present, &out->v, err);
    if (rc == 0 && present)
        out->opt = REG_SET;
    return rc;
}

int reg_csv_count(const struct csv_reader *r, const char *col, struct reg_int *out,
                  struct yl_err *err)
{
    const char *v = csv_get(r, col);
    out->opt = REG_UNSET;
    if (v[0] == '\0')
        return 0;
    /* Negative values parse, so that the entity's own rule names the field and says why. */
    long x;
    int rc = imp_int(r, col, 1, -2000000000L, 2000000000L, 0, &x, err);
    if (rc != 0)
        return rc;
    out->opt = REG_SET;
    out->v = x;
    return 0;
}
