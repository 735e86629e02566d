/*
 * population.c - resident population (常住人口) per org unit, year, sex and 5-year age band:
 * the denominators of coverage rates. A unit's figure is its own when it has any, else the
 * sum over the units below it, each taken the same way (docs/import-formats.md).
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

/* A count above a billion in one cell is a typo, not a population. */
#define POP_CELL_MAX 1000000000LL

int reg_population_set(const struct reg_ctx *ctx, const struct reg_writer *by,
                       const char *code, int year, const int64_t counts[2][REG_AGE_BANDS],
                       struct yl_err *err)
{
    int rc = reg_require_region(by, "population figures", err);
    if (rc != 0)
        return rc;
    if (year < REG_YEAR_MIN || year > REG_YEAR_MAX)
        return yl_err_set(err, YL_EINVAL, "year", "year must be from %d to %d", REG_YEAR_MIN,
                          REG_YEAR_MAX);
    for (int s = 0; s < 2; s++)
        for (int b = 0; b < REG_AGE_BANDS; b++)
            if (counts[s][b] < 0 || counts[s][b] > POP_CELL_MAX)
                return yl_err_set(err, YL_EINVAL, s == 0 ? "counts.male" : "counts.female",
                                  "counts must be whole numbers from 0 to %lld",
                                  (long long)POP_CELL_MAX);
    struct store_conn *c;
    rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    int64_t ou_id = 0;
    rc = reg_resolve(c, NULL, STORE_SQL_REG_OU_ID, code, &ou_id, err);
    if (rc == 0 && ou_id == 0)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no org unit \"%s\"", code);
    if (rc == 0) {
        /* The year's figures are replaced whole: a band left out of an earlier CSV load must
         * not survive next to the new table. */
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_POP_DELETE);
        store_bind_int(st, 1, ou_id);
        store_bind_int(st, 2, year);
        rc = store_exec(st, err);
    }
    for (int s = 0; rc == 0 && s < 2; s++) {
        for (int b = 0; rc == 0 && b < REG_AGE_BANDS; b++) {
            struct store_stmt *st = store_stmt(c, STORE_SQL_REG_POP_INSERT);
            store_bind_int(st, 1, ou_id);
            store_bind_int(st, 2, year);
            store_bind_int(st, 3, s + 1);
            store_bind_int(st, 4, b);
            store_bind_int(st, 5, counts[s][b]);
            rc = store_exec(st, err);
        }
    }
    char resource[48];
    snprintf(resource, sizeof(resource), "%.16s/%d", code, year);
    return reg_finish(c, by, "update", "population", resource, rc, err);
}

/* Sum the figures of the topmost units with figures in the subtree: rows come ordered by
 * code, so a unit's descendants follow it, and a unit with its own figures hides theirs. */
static int sum_subtree(struct store_conn *c, const char *lo, const char *hi, int year,
                       struct reg_population *out, struct yl_err *err)
{
    char cover[ADCODE_MAX_LEN + 1] = "";
    size_t cover_len = 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_POP_SUBTREE);
    store_bind_int(st, 1, year);
    store_bind_text(st, 2, lo);
    store_bind_text(st, 3, hi);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *code = store_col_text(st, 0);
        if (cover_len > 0 && strncmp(code, cover, cover_len) == 0 && code[cover_len] != '\0')
            continue;
        if (cover_len == 0 || strcmp(code, cover) != 0) {
            snprintf(cover, sizeof(cover), "%s", code);
            cover_len = strlen(cover);
            out->units++;
        }
        int64_t sex = store_col_int(st, 1), band = store_col_int(st, 2);
        if (sex >= 1 && sex <= 2 && band >= 0 && band < REG_AGE_BANDS) {
            out->counts[sex - 1][band] += store_col_int(st, 3);
            out->total += store_col_int(st, 3);
        }
        if (out->units == 1 && strcmp(code, lo) == 0)
            out->source = REG_POP_OWN;
    }
    store_exec(st, NULL);
    return rc < 0 ? rc : 0;
}

int reg_population_get(const struct reg_ctx *ctx, const char *code, int year,
                       struct reg_population *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    char lo[ADCODE_MAX_LEN + 1], hi[ADCODE_MAX_LEN + 2];
    struct yl_err bad = {0};
    if (code == NULL || code[0] == '\0' || reg_subtree_range(code, "code", lo, hi, &bad) != 0)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such org unit");
    struct store_conn *c = store_acquire(ctx->store);
    int rc = store_begin(c, STORE_READ, err);
    int64_t ou_id = 0;
    if (rc == 0)
        rc = reg_resolve(c, NULL, STORE_SQL_REG_OU_ID, code, &ou_id, err);
    if (rc == 0 && ou_id == 0)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no org unit \"%s\"", code);
    if (rc == 0 && year == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_POP_LATEST);
        store_bind_text(st, 1, lo);
        store_bind_text(st, 2, hi);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            year = (int)store_col_int(st, 0);
        store_exec(st, NULL);
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0 && year != 0)
        rc = sum_subtree(c, lo, hi, year, out, err);
    store_rollback(c);
    store_release(c);
    if (rc != 0)
        return rc;
    if (out->units == 0 && year != 0)
        return yl_err_set(err, YL_ENOTFOUND, NULL,
                          "no population figures for %d in \"%s\" or below", year, code);
    if (out->units == 0)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no population figures in \"%s\" or below",
                          code);
    snprintf(out->ou_code, sizeof(out->ou_code), "%s", code);
    out->year = year;
    if (out->source != REG_POP_OWN)
        out->source = REG_POP_CHILDREN;
    return 0;
}

int reg_population_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                              struct yl_err *err)
{
    struct reg_import *imp = ctx;
    const char *code;
    long year, sex, band, count;
    int rc = imp_text(r, "ou_code", 1, ADCODE_MAX_LEN + 1, &code, err);
    if (rc == 0)
        rc = imp_int(r, "year", 1, REG_YEAR_MIN, REG_YEAR_MAX, 0, &year, err);
    if (rc == 0)
        rc = imp_int(r, "sex", 1, 1, 2, 0, &sex, err);
    if (rc == 0)
        rc = imp_int(r, "age_band", 1, 0, REG_AGE_BANDS - 1, 0, &band, err);
    if (rc == 0)
        rc = imp_int(r, "count", 1, 0, POP_CELL_MAX, 0, &count, err);
    if (rc != 0)
        return rc;
    int64_t ou_id;
    rc = reg_resolve(c, &imp->ous, STORE_SQL_REG_OU_ID, code, &ou_id, err);
    if (rc != 0)
        return rc;
    if (ou_id == 0)
        return yl_err_set(err, YL_EINVAL, "ou_code", "unknown org unit \"%.16s\"", code);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_POP_UPSERT);
    store_bind_int(st, 1, ou_id);
    store_bind_int(st, 2, year);
    store_bind_int(st, 3, sex);
    store_bind_int(st, 4, band);
    store_bind_int(st, 5, count);
    rc = store_exec(st, err);
    if (rc != 0)
        return rc;
    /* The upsert's WHERE skips an equal count, which then changes no row. */
    return store_changes(c) > 0 ? IMP_APPLIED : IMP_UNCHANGED;
}
