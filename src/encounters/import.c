/*
 * import.c - `yilian import encounters FILE`: encounters from CSV or NDJSON through the
 * shared import driver (importer.h), each row recorded by enc_encounter_apply as the system,
 * registering its visit when the visit has no registration yet.
 *
 * Idempotency is the external id's (required here): a re-run finds every encounter stored
 * with the same content and reports it unchanged. Encounters are not in the population
 * index, so a batch has nothing to tell anyone when it commits.
 */
#include <stddef.h>

#include "core/err.h"
#include "encounters/encounters.h"
#include "importer/importer.h"

static const char *const required[] = {"external_id", "id_number", "facility",  "date",
                                       "department",  "type",      "diagnoses", NULL};
static const char *const columns[] = {"external_id",    "id_number",      "facility",
                                      "date",           "department",     "type",
                                      "admission_date", "discharge_date", "diagnoses",
                                      "staff",          NULL};

static int import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err)
{
    struct enc_encounter_input in = {0};
    int rc = imp_text(r, "external_id", 1, ENC_EXTERNAL_ID_MAX, &in.external_id, err);
    if (rc == 0)
        rc = imp_text(r, "id_number", 1, 32, &in.id_number, err);
    if (rc == 0)
        rc = imp_text(r, "facility", 1, ENC_CODE_MAX, &in.facility, err);
    if (rc == 0)
        rc = imp_text(r, "date", 1, 10, &in.date, err);
    if (rc == 0)
        rc = imp_text(r, "department", 1, ENC_CODE_MAX, &in.department, err);
    if (rc == 0)
        rc = imp_text(r, "type", 1, 16, &in.type, err);
    if (rc == 0)
        rc = imp_text(r, "admission_date", 0, 10, &in.admission_date, err);
    if (rc == 0)
        rc = imp_text(r, "discharge_date", 0, 10, &in.discharge_date, err);
    if (rc == 0)
        rc = imp_text(r, "diagnoses", 1, 1024, &in.diagnoses, err);
    if (rc == 0)
        rc = imp_text(r, "staff", 0, ENC_CODE_MAX, &in.staff, err);
    struct enc_result res;
    if (rc == 0)
        rc = enc_encounter_apply(c, NULL, &in, &res, err);
    if (rc != 0)
        return rc;
    return res.created ? IMP_APPLIED : IMP_UNCHANGED;
}

static const struct imp_spec spec = {
    .what = "encounters",
    .resource_type = "encounter",
    .required = required,
    .columns = columns,
    .row = import_row,
    .batch_rows = 20000,
};

const struct imp_spec *enc_import_spec(void)
{
    return &spec;
}
