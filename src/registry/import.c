/*
 * import.c - the registry's CSV imports: one imp_spec per kind (docs/import-formats.md), run
 * by the shared driver (importer.h). References resolve through code maps that remember each
 * code's store id after its first use, so a row costs its own write and no reads.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

static const char *const ou_columns[] = {"code", "name", NULL};
static const char *const population_columns[] = {"ou_code", "year", "sex", "age_band", "count",
                                                 NULL};
static const char *const facility_columns[] = {"code", "name", "type", "ou_code", NULL};
static const char *const group_columns[] = {"code", "name", "kind", "lead_code", NULL};
static const char *const staff_columns[] = {"code", "name", "role", "facility_code", NULL};

/* After a batch: one that rolled back took the ids it created with it, so the maps forget
 * everything and fill again from the store. */
static void batch_done(void *ctx, int committed)
{
    struct reg_import *imp = ctx;
    if (committed)
        return;
    reg_codemap_clear(&imp->ous);
    reg_codemap_clear(&imp->facilities);
}

static const struct imp_spec specs[] = {
    [REG_IMPORT_OUS] = {"ous", "ou", ou_columns, reg_ou_import_row, batch_done, 0},
    [REG_IMPORT_POPULATION] = {"population", "population", population_columns,
                               reg_population_import_row, batch_done, 0},
    [REG_IMPORT_FACILITIES] = {"facilities", "facility", facility_columns,
                               reg_facility_import_row, batch_done, 0},
    [REG_IMPORT_GROUPS] = {"groups", "medical_group", group_columns, reg_group_import_row,
                           batch_done, 0},
    [REG_IMPORT_STAFF] = {"staff", "staff", staff_columns, reg_staff_import_row, batch_done, 0},
};

int reg_import(const struct reg_ctx *ctx, enum reg_import_kind kind, FILE *in,
               const struct audit_actor *who, struct imp_report *rep, struct yl_err *err)
{
    if ((size_t)kind >= sizeof(specs) / sizeof(specs[0]))
        return yl_err_set(err, YL_EINVAL, NULL, "unknown import kind");
    struct reg_import imp;
    reg_codemap_init(&imp.ous, STORE_SQL_REG_OU_ID);
    reg_codemap_init(&imp.facilities, STORE_SQL_REG_FACILITY_ID);
    audit_now_rfc3339(imp.now);
    int rc = imp_run(ctx->store, in, &specs[kind], &imp, who, rep, err);
    reg_codemap_release(&imp.ous);
    reg_codemap_release(&imp.facilities);
    return rc;
}
