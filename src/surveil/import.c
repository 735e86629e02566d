/*
 * import.c - `yilian import cases FILE` and `yilian import syndromic FILE`: case reports and
 * syndromic counts from CSV or NDJSON through the shared import driver (importer.h), each
 * row applied as the system by the same function the API calls (surv_case_apply,
 * surv_count_apply). ctx is a struct surv_import: the catalog and a hook told, when a
 * batch commits, of each series its rows touched.
 *
 * Idempotency: a case report is keyed by its external id (required here) and its report
 * time is required, so a re-run finds each report stored with the same content; a count is
 * an upsert that changes nothing when the value is the same.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "surveil/surveil.h"

/* Keep a touched series until its batch commits. */
static void touch(struct surv_import *im, const char *target, const char *ou, int32_t day)
{
    if (im->touched == NULL)
        return;
    if (im->n_pending == im->cap_pending) {
        im->cap_pending = im->cap_pending ? im->cap_pending * 2 : 256;
        im->pending = xrealloc(im->pending, im->cap_pending * sizeof(*im->pending));
    }
    struct surv_touch *t = &im->pending[im->n_pending++];
    snprintf(t->target, sizeof(t->target), "%s", target);
    snprintf(t->ou, sizeof(t->ou), "%s", ou);
    t->day = day;
}

static void batch_done(void *ctx, int committed)
{
    struct surv_import *im = ctx;
    for (size_t i = 0; committed && i < im->n_pending; i++)
        im->touched(im->arg, im->pending[i].target, im->pending[i].ou, im->pending[i].day);
    im->n_pending = 0;
}

void surv_import_release(struct surv_import *im)
{
    free(im->pending);
    im->pending = NULL;
    im->n_pending = im->cap_pending = 0;
}

static const char *const case_required[] = {"external_id", "disease",     "classification",
                                            "onset_date",  "diagnosed_at", "reported_at",
                                            "facility",    NULL};
static const char *const case_columns[] = {
    "external_id", "disease",  "classification", "onset_date", "diagnosed_at", "reported_at",
    "facility",    "id_number", "age_years",     "sex",        "ou",           "school",
    NULL};

static int case_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                    struct yl_err *err)
{
    struct surv_case_input in = {0};
    long age = -1, sex = 0;
    int rc = imp_text(r, "external_id", 1, SURV_EXTERNAL_ID_MAX, &in.external_id, err);
    if (rc == 0)
        rc = imp_text(r, "disease", 1, SURV_CODE_MAX, &in.disease, err);
    if (rc == 0)
        rc = imp_text(r, "classification", 1, 16, &in.classification, err);
    if (rc == 0)
        rc = imp_text(r, "onset_date", 1, 10, &in.onset_date, err);
    if (rc == 0)
        rc = imp_text(r, "diagnosed_at", 1, 40, &in.diagnosed_at, err);
    if (rc == 0)
        rc = imp_text(r, "reported_at", 1, 40, &in.reported_at, err);
    if (rc == 0)
        rc = imp_text(r, "facility", 1, SURV_CODE_MAX, &in.facility, err);
    if (rc == 0)
        rc = imp_text(r, "id_number", 0, 32, &in.id_number, err);
    if (rc == 0)
        rc = imp_int(r, "age_years", 0, 0, 150, -1, &age, err);
    if (rc == 0)
        rc = imp_int(r, "sex", 0, 0, 2, 0, &sex, err);
    if (rc == 0)
        rc = imp_text(r, "ou", 0, 12, &in.ou, err);
    if (rc == 0)
        rc = imp_text(r, "school", 0, SURV_SCHOOL_MAX, &in.school, err);
    in.age_years = (int)age;
    in.sex = (int)sex;
    struct surv_import *im = ctx;
    int64_t id;
    bool created;
    struct surv_case_key key;
    if (rc == 0)
        rc = surv_case_apply(c, im->catalog, NULL, &in, &id, &created, &key, err);
    if (rc != 0)
        return rc;
    if (created)
        touch(im, key.disease, key.ou, key.onset);
    return created ? IMP_APPLIED : IMP_UNCHANGED;
}

static const char *const count_required[] = {"date", "ou", "channel", "value", NULL};
static const char *const count_columns[] = {"date", "ou", "channel", "value", "denominator",
                                            NULL};

static int count_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                     struct yl_err *err)
{
    struct surv_count_input in = {.denominator = NAN};
    int present = 0;
    int rc = imp_text(r, "date", 1, 10, &in.date, err);
    if (rc == 0)
        rc = imp_text(r, "ou", 1, 12, &in.ou, err);
    if (rc == 0)
        rc = imp_text(r, "channel", 1, SURV_CODE_MAX, &in.channel, err);
    if (rc == 0)
        rc = imp_double(r, "value", 0, 1e12, &present, &in.value, err);
    if (rc == 0 && !present)
        rc = yl_err_set(err, YL_EINVAL, "value", "value is required");
    if (rc == 0)
        rc = imp_double(r, "denominator", 0, 1e12, &present, &in.denominator, err);
    if (rc == 0 && !present)
        in.denominator = NAN;
    struct surv_import *im = ctx;
    bool changed;
    if (rc == 0)
        rc = surv_count_apply(c, im->catalog, NULL, &in, &changed, err);
    if (rc != 0)
        return rc;
    int32_t day;
    if (changed && im->touched != NULL && date_parse(in.date, strlen(in.date), &day, "date",
                                                     NULL) == 0)
        touch(im, in.channel, in.ou, day);
    return changed ? IMP_APPLIED : IMP_UNCHANGED;
}

static const struct imp_spec case_spec = {
    .what = "case reports",
    .resource_type = "case_report",
    .required = case_required,
    .columns = case_columns,
    .row = case_row,
    .batch_done = batch_done,
    .batch_rows = 5000,
};

static const struct imp_spec count_spec = {
    .what = "syndromic counts",
    .resource_type = "syndromic_count",
    .required = count_required,
    .columns = count_columns,
    .row = count_row,
    .batch_done = batch_done,
    .batch_rows = 20000,
};

const struct imp_spec *surv_case_import_spec(void)
{
    return &case_spec;
}

const struct imp_spec *surv_count_import_spec(void)
{
    return &count_spec;
}
