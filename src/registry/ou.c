/*
 * ou.c - org units (行政区划): GB/T 2260-style codes whose length gives the level and whose
 * prefix one level up is the parent, which must exist. One validating writer (ou_write)
 * serves the API's create and update and the CSV import.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

static void ou_from_row(struct store_stmt *st, struct reg_ou *o)
{
    memset(o, 0, sizeof(*o));
    o->id = store_col_int(st, 0);
    reg_col_copy(st, 1, o->code, sizeof(o->code));
    reg_col_copy(st, 2, o->name, sizeof(o->name));
    o->level = (int)store_col_int(st, 3);
    reg_col_copy(st, 4, o->parent_code, sizeof(o->parent_code));
    o->has_coord = !store_col_is_null(st, 5) && !store_col_is_null(st, 6);
    o->lat = store_col_double(st, 5);
    o->lon = store_col_double(st, 6);
    reg_col_copy(st, 7, o->updated_at, sizeof(o->updated_at));
}

static int ou_read(struct store_conn *c, const char *code, struct reg_ou *out,
                   struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_OU_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        ou_from_row(st, out);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no org unit \"%s\"", code);
    }
    store_exec(st, NULL);
    return rc;
}

/* Validate a complete input and write it. `ous` resolves the parent (NULL: ask the store).
 * Returns IMP_APPLIED, IMP_UNCHANGED or a negative code; *id is set when written. */
static int ou_write(struct store_conn *c, struct reg_codemap *ous, const struct reg_ou_in *in,
                    enum reg_mode mode, const char *now, int64_t *id, struct yl_err *err)
{
    const char *code = in->code ? in->code : "";
    size_t n = strlen(code);
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, "code", "code is required");
    int rc = adcode_validate(code, n, "code", err);
    if (rc == 0)
        rc = reg_check_text(in->name, "name", 1, REG_OU_NAME_MAX, err);
    if (rc == 0)
        rc = reg_check_coord(&in->lat, &in->lon, err);
    if (rc != 0)
        return rc;
    char parent[ADCODE_MAX_LEN + 1] = "";
    bool has_parent = adcode_parent(code, n, parent);
    const char *given = in->parent_code ? in->parent_code : "";
    if (given[0] != '\0' && !has_parent)
        return yl_err_set(err, YL_EINVAL, "parent_code",
                          "\"%s\" is a province and has no parent", code);
    if (given[0] != '\0' && strcmp(given, parent) != 0)
        return yl_err_set(err, YL_EINVAL, "parent_code",
                          "parent \"%.16s\" is not one level up from \"%s\"; its parent is "
                          "\"%s\"", given, code, parent);
    int64_t parent_id = 0;
    if (has_parent) {
        rc = reg_resolve(c, ous, STORE_SQL_REG_OU_ID, parent, &parent_id, err);
        if (rc != 0)
            return rc;
        if (parent_id == 0)
            return yl_err_set(err, YL_EINVAL, "parent_code",
                              "parent org unit \"%s\" does not exist", parent);
    }
    struct store_stmt *st =
        store_stmt(c, mode == REG_CREATE ? STORE_SQL_REG_OU_INSERT : STORE_SQL_REG_OU_UPSERT);
    store_bind_text(st, 1, code);
    store_bind_text(st, 2, in->name);
    store_bind_int(st, 3, adcode_level(code, n));
    if (has_parent)
        store_bind_int(st, 4, parent_id);
    else
        store_bind_null(st, 4);
    reg_bind_real(st, 5, &in->lat);
    reg_bind_real(st, 6, &in->lon);
    store_bind_text(st, 7, now);
    rc = reg_write_step(st, "org unit", code, id, err);
    if (rc == IMP_APPLIED && ous != NULL)
        reg_codemap_put(ous, code, *id);
    return rc;
}

int reg_ou_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                  const struct reg_ou_in *in, int64_t *id, struct yl_err *err)
{
    int rc = reg_require_region(by, "org units", err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    char now[32];
    audit_now_rfc3339(now);
    int64_t written = 0;
    rc = ou_write(c, NULL, in, REG_CREATE, now, &written, err);
    return reg_finish_id(c, by, "create", "ou", in->code ? in->code : "", written, rc, id, err);
}

int reg_ou_update(const struct reg_ctx *ctx, const struct reg_writer *by, const char *code,
                  const struct reg_ou_in *in, int64_t *id, struct yl_err *err)
{
    int rc = reg_require_region(by, "org units", err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    struct reg_ou cur;
    rc = ou_read(c, code, &cur, err);
    if (rc != 0)
        return reg_finish_id(c, by, "update", "ou", code, 0, rc, id, err);
    /* What the patch leaves out keeps its stored value. */
    struct reg_ou_in m = *in;
    m.code = cur.code;
    if (m.name == NULL)
        m.name = cur.name;
    if (m.lat.opt == REG_UNSET && m.lon.opt == REG_UNSET) {
        m.lat = (struct reg_real){cur.has_coord ? REG_SET : REG_NULL, cur.lat};
        m.lon = (struct reg_real){cur.has_coord ? REG_SET : REG_NULL, cur.lon};
    }
    char now[32];
    audit_now_rfc3339(now);
    int64_t written = cur.id;
    rc = ou_write(c, NULL, &m, REG_UPSERT, now, &written, err);
    return reg_finish_id(c, by, "update", "ou", cur.code, written, rc, id, err);
}

int reg_ou_get(const struct reg_ctx *ctx, const char *code, struct reg_ou *out,
               struct yl_err *err)
{
    struct store_conn *c = store_acquire(ctx->store);
    int rc = ou_read(c, code, out, err);
    store_release(c);
    return rc;
}

int reg_ou_list(const struct reg_ctx *ctx, const struct reg_ou_filter *f, int64_t after_id,
                int limit, struct reg_ou *out, struct yl_err *err)
{
    char lo[ADCODE_MAX_LEN + 1], hi[ADCODE_MAX_LEN + 2];
    const char *parent = f->parent ? f->parent : "";
    int rc = reg_subtree_range(f->ou, "ou", lo, hi, err);
    if (rc == 0 && parent[0] != '\0')
        rc = adcode_validate(parent, strlen(parent), "parent", err);
    if (rc == 0 && f->level != 0 && (f->level < 1 || f->level > 5))
        rc = yl_err_set(err, YL_EINVAL, "level", "level must be from 1 to 5");
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(ctx->store);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_OU_LIST);
    store_bind_int(st, 1, after_id);
    store_bind_text(st, 2, lo);
    store_bind_text(st, 3, lo);
    store_bind_text(st, 4, hi);
    store_bind_int(st, 5, f->level);
    store_bind_int(st, 6, f->level);
    store_bind_text(st, 7, parent);
    store_bind_text(st, 8, parent);
    store_bind_int(st, 9, limit);
    int n = 0;
    while (n < limit && (rc = store_step(st, err)) == STORE_ROW)
        ou_from_row(st, &out[n++]);
    store_exec(st, NULL);
    store_release(c);
    return rc < 0 ? rc : n;
}

int reg_ou_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err)
{
    struct reg_import *imp = ctx;
    struct reg_ou_in in = {0};
    int rc = imp_text(r, "code", 1, ADCODE_MAX_LEN + 1, &in.code, err);
    if (rc == 0)
        rc = imp_text(r, "name", 1, REG_TEXT_BYTES(REG_OU_NAME_MAX), &in.name, err);
    if (rc == 0)
        rc = imp_text(r, "parent_code", 0, ADCODE_MAX_LEN + 1, &in.parent_code, err);
    if (rc == 0)
        rc = reg_csv_real(r, "lat", -90.0, 90.0, &in.lat, err);
    if (rc == 0)
        rc = reg_csv_real(r, "lon", -180.0, 180.0, &in.lon, err);
    if (rc != 0)
        return rc;
    int64_t id = 0;
    return ou_write(c, &imp->ous, &in, REG_UPSERT, imp->now, &id, err);
}
