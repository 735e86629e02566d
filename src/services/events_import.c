/*
 * events_import.c - `yilian import services FILE`: service events from CSV or NDJSON through
 * the shared import driver (importer.h), each row recorded by svc_event_apply as the system.
 *
 * Idempotency is the external id's: a re-run finds every event stored with the same content
 * and reports it unchanged. The residents a committed batch touched are refreshed in the
 * population index when the import was given one.
 */
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "pindex/pindex.h"
#include "services/events.h"
#include "services/events_int.h"
#include "store/store.h"

struct svc_import {
    const struct svc_protocol *p;
    struct pidx *index;
    struct store *store;
    int64_t *touched;           /* residents written in the open batch */
    size_t n_touched, cap_touched;
    struct svc_apply_cache *cache;  /* lookups of the open batch */
};

static const char *const required[] = {"external_id", "id_number", "item", "date", "facility",
                                       NULL};
static const char *const columns[] = {"external_id", "id_number", "item",        "date",
                                      "facility",    "staff",     "measurements", NULL};

static void touch(struct svc_import *im, int64_t id)
{
    if (im->n_touched > 0 && im->touched[im->n_touched - 1] == id)
        return;
    if (im->n_touched == im->cap_touched) {
        im->cap_touched = im->cap_touched ? 2 * im->cap_touched : 256;
        im->touched = xrealloc(im->touched, im->cap_touched * sizeof(*im->touched));
    }
    im->touched[im->n_touched++] = id;
}

static int import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err)
{
    struct svc_import *im = ctx;
    struct svc_event_input in = {0};
    int rc = imp_text(r, "external_id", 1, SVC_EXTERNAL_ID_MAX, &in.external_id, err);
    if (rc == 0)
        rc = imp_text(r, "id_number", 1, 32, &in.id_number, err);
    if (rc == 0)
        rc = imp_text(r, "item", 1, SVC_CODE_MAX - 1, &in.item, err);
    if (rc == 0)
        rc = imp_text(r, "date", 1, 10, &in.date, err);
    if (rc == 0)
        rc = imp_text(r, "facility", 1, 64, &in.facility, err);
    if (rc == 0)
        rc = imp_text(r, "staff", 0, 64, &in.staff, err);
    if (rc != 0)
        return rc;
    struct svc_measure_list *values = xmalloc(sizeof(*values));
    rc = svc_measures_parse(im->p, csv_get(r, "measurements"), values, err);
    struct svc_event_result res;
    if (rc == 0) {
        in.values = values->v;
        in.n_values = values->n;
        rc = svc_event_apply_cached(c, im->p, NULL, &in, im->cache, &res, err);
    }
    free(values);
    if (rc != 0)
        return rc;
    if (!res.created)
        return IMP_UNCHANGED;
    touch(im, res.resident_id);
    return IMP_APPLIED;
}

/* After a batch: a committed one refreshes its residents in the index; either way the list
 * starts again. */
static void batch_done(void *ctx, int committed)
{
    struct svc_import *im = ctx;
    if (committed && im->index != NULL && im->n_touched > 0) {
        struct store_conn *c = store_acquire(im->store);
        for (size_t i = 0; i < im->n_touched; i++)
            pidx_resident_refresh(im->index, c, (uint32_t)im->touched[i], NULL);
        store_release(c);
    }
    im->n_touched = 0;
    svc_apply_cache_reset(im->cache);
}

static const struct imp_spec spec = {
    .what = "services",
    .resource_type = "service_event",
    .required = required,
    .columns = columns,
    .row = import_row,
    .batch_done = batch_done,
    .batch_rows = 20000,
};

const struct imp_spec *svc_import_spec(void)
{
    return &spec;
}

struct svc_import *svc_import_new(const struct svc_protocol *p, struct pidx *index,
                                  struct store *s)
{
    struct svc_import *im = xcalloc(1, sizeof(*im));
    im->p = p;
    im->index = index;
    im->store = s;
    im->cache = svc_apply_cache_new();
    return im;
}

void svc_import_free(struct svc_import *im)
{
    if (im == NULL)
        return;
    free(im->touched);
    svc_apply_cache_free(im->cache);
    free(im);
}
