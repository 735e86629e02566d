/*
 * import.c - `yilian import results FILE`: results from a laboratory, PACS or ECG system as
 * CSV or NDJSON through the shared import driver (importer.h), each row recorded by
 * res_result_apply as the system.
 *
 * Idempotency is the external id's (the system's report number): a re-run finds every
 * result stored with the same content and reports it unchanged. The catalogue itself is
 * imported by catalog.c (`yilian import result-items`).
 */
#include <stddef.h>

#include "core/err.h"
#include "importer/importer.h"
#include "results/results.h"

static const char *const required[] = {"external_id", "id_number", "item", "date", "facility",
                                       NULL};
static const char *const columns[] = {"external_id", "id_number", "item",   "date", "facility",
                                      "value",       "unit",      "report", "method", NULL};

static int import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err)
{
    struct res_result_input in = {0};
    int has_value = 0;
    int rc = imp_text(r, "external_id", 1, RES_EXTERNAL_ID_MAX, &in.external_id, err);
    if (rc == 0)
        rc = imp_text(r, "id_number", 1, 32, &in.id_number, err);
    if (rc == 0)
        rc = imp_text(r, "item", 1, RES_CODE_MAX, &in.item, err);
    if (rc == 0)
        rc = imp_text(r, "date", 1, 10, &in.date, err);
    if (rc == 0)
        rc = imp_text(r, "facility", 1, RES_CODE_MAX, &in.facility, err);
    /* Any finite number: the catalogue, not the importer, says whether a value belongs. */
    if (rc == 0)
        rc = imp_double(r, "value", -1e15, 1e15, &has_value, &in.value, err);
    if (rc == 0)
        rc = imp_text(r, "unit", 0, RES_UNIT_MAX, &in.unit, err);
    if (rc == 0)
        rc = imp_text(r, "report", 0, RES_REPORT_MAX, &in.report, err);
    if (rc == 0)
        rc = imp_text(r, "method", 0, RES_METHOD_MAX, &in.method, err);
    in.has_value = has_value != 0;
    struct res_record rec;
    if (rc == 0)
        rc = res_result_apply(c, NULL, &in, &rec, err);
    if (rc != 0)
        return rc;
    return rec.created ? IMP_APPLIED : IMP_UNCHANGED;
}

static const struct imp_spec spec = {
    .what = "results",
    .resource_type = "result",
    .required = required,
    .columns = columns,
    .row = import_row,
    .batch_rows = 20000,
};

const struct imp_spec *res_import_spec(void)
{
    return &spec;
}
