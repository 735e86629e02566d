/*
 * importer.c - the import driver: records in savepoints, batches in transactions, one audit
 * record per batch, and a report of every refusal by line.
 */
#include "importer/importer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

static void report_refusal(struct imp_report *rep, long line, const struct yl_err *e)
{
    rep->refused++;
    if (rep->first_refused_line == 0)
        rep->first_refused_line = line;
    int max = rep->max_printed > 0 ? rep->max_printed : 1000;
    if (rep->errors == NULL || rep->refused > max)
        return;
    /* The message already carries "line N: " for malformed CSV; others get it here. */
    const char *msg = yl_err_message(e);
    if (strncmp(msg, "line ", 5) == 0)
        fprintf(rep->errors, "%s\n", msg);
    else if (e->field[0] != '\0')
        fprintf(rep->errors, "line %ld: %s: %s\n", line, e->field, msg);
    else
        fprintf(rep->errors, "line %ld: %s\n", line, msg);
    if (rep->refused == max)
        fprintf(rep->errors, "(further refusals are counted, not printed)\n");
}

/* Commit the open batch with its audit record; tell the module. */
static int finish_batch(struct store_conn *c, const struct imp_spec *spec, void *ctx,
                        const struct audit_actor *who, long first_line, long last_line,
                        long applied, struct yl_err *err)
{
    char lines[64];
    snprintf(lines, sizeof(lines), "lines %ld-%ld", first_line, last_line);
    struct audit_event ev = {"import", spec->resource_type, lines, "ok"};
    int rc = 0;
    if (applied > 0)
        rc = audit_append(c, who, &ev, err);
    if (rc == 0)
        rc = store_commit(c, err);
    else
        store_rollback(c);
    if (spec->batch_done != NULL)
        spec->batch_done(ctx, rc == 0);
    return rc;
}

int imp_run(struct store *s, FILE *in, const struct imp_spec *spec, void *ctx,
            const struct audit_actor *who, struct imp_report *rep, struct yl_err *err)
{
    struct csv_reader *r = csv_open(in, 1u << 20);
    int rc = csv_read_header(r, spec->required, err);
    if (rc != 0) {
        csv_close(r);
        return rc;
    }
    int batch_rows = spec->batch_rows > 0 ? spec->batch_rows : 5000;
    struct store_conn *c = store_acquire(s);
    long in_batch = 0, batch_applied = 0, first_line = 0, last_line = 0;
    for (;;) {
        struct yl_err row_err = {0};
        int got = csv_next(r, &row_err);
        if (got == 0)
            break;
        if (got < 0) {
            rep->records++;
            report_refusal(rep, csv_line(r), &row_err);
            continue;
        }
        /* A blank line is not a record. */
        if (csv_count(r) == 1 && csv_field(r, 0)[0] == '\0')
            continue;
        rep->records++;
        if (in_batch == 0) {
            rc = store_begin(c, STORE_WRITE, err);
            if (rc != 0)
                break;
            first_line = csv_line(r);
            batch_applied = 0;
        }
        rc = store_savepoint(c, err);
        if (rc != 0)
            break;
        int outcome = spec->row(ctx, c, r, &row_err);
        if (outcome < 0) {
            store_savepoint_rollback(c);
            if (row_err.code == 0)
                yl_err_set(&row_err, outcome, NULL, NULL);
            /* A store failure other than a constraint is not the record's fault: stop. */
            if (outcome == YL_ESTORE || outcome == YL_EBUSY || outcome == YL_EIO) {
                rc = yl_err_set(err, outcome, NULL, "line %ld: %s", csv_line(r),
                                yl_err_message(&row_err));
                store_rollback(c);
                if (spec->batch_done != NULL)
                    spec->batch_done(ctx, 0);
                in_batch = 0;
                break;
            }
            report_refusal(rep, csv_line(r), &row_err);
        } else {
            rc = store_savepoint_release(c, err);
            if (rc != 0)
                break;
            if (outcome == IMP_APPLIED) {
                rep->applied++;
                batch_applied++;
            } else {
                rep->unchanged++;
            }
        }
        last_line = csv_line(r);
        if (++in_batch == batch_rows) {
            rc = finish_batch(c, spec, ctx, who, first_line, last_line, batch_applied, err);
            in_batch = 0;
            if (rc != 0)
                break;
        }
        rc = 0;
    }
    if (in_batch > 0) {
        if (rc == 0) {
            rc = finish_batch(c, spec, ctx, who, first_line, last_line, batch_applied, err);
        } else {
            store_rollback(c);
            if (spec->batch_done != NULL)
                spec->batch_done(ctx, 0);
        }
    }
    store_release(c);
    csv_close(r);
    return rc;
}

/* --- field helpers --------------------------------------------------------------------- */

int imp_text(const struct csv_reader *r, const char *col, int required, size_t max_len,
             const char **out, struct yl_err *err)
{
    const char *v = csv_get(r, col);
    *out = v;
    if (v[0] == '\0' && required)
        return yl_err_set(err, YL_EINVAL, col, "%s is required", col);
    if (strlen(v) > max_len)
        return yl_err_set(err, YL_EINVAL, col, "%s is longer than %zu bytes", col, max_len);
    return 0;
}

int imp_int(const struct csv_reader *r, const char *col, int required, long min, long max,
            long dflt, long *out, struct yl_err *err)
{
    const char *v = csv_get(r, col);
    if (v[0] == '\0') {
        if (required)
            return yl_err_set(err, YL_EINVAL, col, "%s is required", col);
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || x < min || x > max)
        return yl_err_set(err, YL_EINVAL, col, "%s must be a whole number from %ld to %ld", col,
                          min, max);
    *out = x;
    return 0;
}

int imp_double(const struct csv_reader *r, const char *col, double min, double max,
               int *present, double *out, struct yl_err *err)
{
    const char *v = csv_get(r, col);
    *present = 0;
    if (v[0] == '\0')
        return 0;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno != 0 || *end != '\0' || !(x >= min && x <= max))
        return yl_err_set(err, YL_EINVAL, col, "%s must be a number from %g to %g", col, min,
                          max);
    *present = 1;
    *out = x;
    return 0;
}

int imp_date(const struct csv_reader *r, const char *col, int required, int *present,
             int32_t *out, struct yl_err *err)
{
    const char *v = csv_get(r, col);
    if (present != NULL)
        *present = 0;
    if (v[0] == '\0') {
        if (required)
            return yl_err_set(err, YL_EINVAL, col, "%s is required", col);
        return 0;
    }
    int32_t d;
    int rc = date_parse(v, strlen(v), &d, col, err);
    if (rc != 0)
        return rc;
    if (present != NULL)
        *present = 1;
    *out = d;
    return 0;
}
