/*
 * importer.c - the import driver: records in savepoints, batches in transactions, one audit
 * record per batch, and a report of every refusal by line.
 */
#include "importer/importer_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/buf.h"
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

/* The state of one import run. */
struct run {
    struct store_conn *c;
    struct csv_reader *r;
    const struct imp_spec *spec;
    void *ctx;
    const struct audit_actor *who;
    struct imp_report *rep;
    long line_shift;            /* 1 for NDJSON: its line N is line N + 1 of the CSV stream */
    struct buf kept;            /* the records of the open batch, for a replay */
    long in_batch, applied, unchanged, first_line, last_line;
    bool careful;               /* a savepoint around each record */
};

/* The line of the current record in the file as the user has it. */
static long line_of(const struct run *u)
{
    return csv_line(u->r) - u->line_shift;
}

/* The row function, or the refusal an NDJSON line already carries. */
static int call_row(struct run *u, struct yl_err *row_err)
{
    if (u->line_shift > 0) {
        const char *why = csv_get(u->r, IMP_NDJSON_ERROR);
        if (why[0] != '\0') {
            const char *field = csv_get(u->r, IMP_NDJSON_FIELD);
            return yl_err_set(row_err, YL_EINVAL, field[0] ? field : NULL, "%s", why);
        }
    }
    return u->spec->row(u->ctx, u->c, u->r, row_err);
}

static bool store_failure(int code)
{
    return code == YL_ESTORE || code == YL_EBUSY || code == YL_EIO;
}

/*
 * Hand the current record to the row function. Fast mode runs records back to back in the
 * batch's transaction; the first refusal rolls the batch back and replays it carefully, a
 * savepoint around each record, so a refused record leaves nothing behind while a clean
 * batch pays nothing for the possibility. Returns 0, or a negative code that stops the run.
 */
static int run_record(struct run *u, struct yl_err *err);

static int replay_batch(struct run *u, struct yl_err *err)
{
    store_rollback(u->c);
    if (u->spec->batch_done != NULL)
        u->spec->batch_done(u->ctx, 0);
    /* The first replayed record begins the new transaction, as any first record does. */
    int rc = 0;
    u->careful = true;
    u->applied = u->unchanged = 0;
    long n = u->in_batch;
    u->in_batch = 0;
    struct buf kept = u->kept;
    buf_init(&u->kept, kept.max);
    const char *p = kept.data;
    for (long i = 0; i < n && rc == 0; i++) {
        p = csv_record_load(u->r, p);
        rc = run_record(u, err);
    }
    buf_release(&kept);
    return rc;
}

static int run_record(struct run *u, struct yl_err *err)
{
    struct yl_err row_err = {0};
    if (u->in_batch == 0) {
        int rc = store_begin(u->c, STORE_WRITE, err);
        if (rc != 0)
            return rc;
        u->first_line = line_of(u);
        u->applied = u->unchanged = 0;
    }
    if (csv_record_save(u->r, &u->kept) != 0)
        return yl_err_set(err, YL_ETOOBIG, NULL, "line %ld: a batch outgrew its memory",
                          line_of(u));
    u->in_batch++;
    u->last_line = line_of(u);
    if (u->careful) {
        int rc = store_savepoint(u->c, err);
        if (rc != 0)
            return rc;
    }
    int outcome = call_row(u, &row_err);
    if (outcome < 0 && row_err.code == 0)
        yl_err_set(&row_err, outcome, NULL, NULL);
    if (outcome < 0 && store_failure(outcome)) {
        /* Not the record's fault: stop, keeping what earlier batches committed. */
        store_rollback(u->c);
        if (u->spec->batch_done != NULL)
            u->spec->batch_done(u->ctx, 0);
        u->in_batch = 0;
        return yl_err_set(err, outcome, NULL, "line %ld: %s", line_of(u),
                          yl_err_message(&row_err));
    }
    if (outcome < 0 && !u->careful)
        return replay_batch(u, err);
    if (u->careful) {
        if (outcome < 0) {
            store_savepoint_rollback(u->c);
            report_refusal(u->rep, line_of(u), &row_err);
            return 0;
        }
        int rc = store_savepoint_release(u->c, err);
        if (rc != 0)
            return rc;
    }
    if (outcome < 0)
        return 0;
    if (outcome == IMP_APPLIED)
        u->applied++;
    else
        u->unchanged++;
    return 0;
}

static int end_batch(struct run *u, struct yl_err *err)
{
    if (u->in_batch == 0)
        return 0;
    int rc = finish_batch(u->c, u->spec, u->ctx, u->who, u->first_line, u->last_line,
                          u->applied, err);
    if (rc == 0) {
        u->rep->applied += u->applied;
        u->rep->unchanged += u->unchanged;
    }
    u->in_batch = 0;
    u->careful = false;
    buf_reset(&u->kept);
    return rc;
}

enum imp_format imp_format_of_path(const char *path)
{
    static const char *const ext[] = {".ndjson", ".jsonl"};
    size_t n = path != NULL ? strlen(path) : 0;
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcmp(path + n - k, ext[i]) == 0)
            return IMP_FORMAT_NDJSON;
    }
    return IMP_FORMAT_AUTO;
}

/* NDJSON starts with an object; a CSV header never starts with '{'. */
static enum imp_format sniff(FILE *in)
{
    int ch = getc(in);
    if (ch == EOF)
        return IMP_FORMAT_CSV;
    ungetc(ch, in);
    return ch == '{' ? IMP_FORMAT_NDJSON : IMP_FORMAT_CSV;
}

int imp_run(struct store *s, FILE *in, const struct imp_spec *spec, void *ctx,
            const struct audit_actor *who, struct imp_report *rep, struct yl_err *err)
{
    return imp_run_format(s, in, IMP_FORMAT_AUTO, spec, ctx, who, rep, err);
}

static int run_csv(struct store *s, FILE *in, long line_shift, const struct imp_spec *spec,
                   void *ctx, const struct audit_actor *who, struct imp_report *rep,
                   struct yl_err *err);

int imp_run_format(struct store *s, FILE *in, enum imp_format format, const struct imp_spec *spec,
                   void *ctx, const struct audit_actor *who, struct imp_report *rep,
                   struct yl_err *err)
{
    if (format == IMP_FORMAT_AUTO)
        format = sniff(in);
    if (format == IMP_FORMAT_CSV)
        return run_csv(s, in, 0, spec, ctx, who, rep, err);
    FILE *csv = imp_ndjson_open(in, spec);
    if (csv == NULL)
        return yl_err_set(err, YL_EIO, NULL, "cannot read the NDJSON input");
    int rc = run_csv(s, csv, 1, spec, ctx, who, rep, err);
    fclose(csv);
    return rc;
}

static int run_csv(struct store *s, FILE *in, long line_shift, const struct imp_spec *spec,
                   void *ctx, const struct audit_actor *who, struct imp_report *rep,
                   struct yl_err *err)
{
    struct csv_reader *r = csv_open(in, 1u << 20);
    int rc = csv_read_header(r, spec->required, err);
    if (rc != 0) {
        csv_close(r);
        return rc;
    }
    struct run u = {.r = r, .spec = spec, .ctx = ctx, .who = who, .rep = rep,
                    .line_shift = line_shift};
    buf_init(&u.kept, (size_t)1 << 31);
    int batch_rows = spec->batch_rows > 0 ? spec->batch_rows : 5000;
    u.c = store_acquire(s);
    for (;;) {
        struct yl_err row_err = {0};
        int got = csv_next(r, &row_err);
        if (got == 0)
            break;
        if (got < 0) {
            rep->records++;
            report_refusal(rep, csv_line(r) - line_shift, &row_err);
            continue;
        }
        /* A blank line is not a record. */
        if (csv_count(r) == 1 && csv_field(r, 0)[0] == '\0')
            continue;
        rep->records++;
        rc = run_record(&u, err);
        if (rc == 0 && u.in_batch >= batch_rows)
            rc = end_batch(&u, err);
        if (rc != 0)
            break;
    }
    if (rc == 0)
        rc = end_batch(&u, err);
    else if (u.in_batch > 0) {
        store_rollback(u.c);
        if (spec->batch_done != NULL)
            spec->batch_done(ctx, 0);
    }
    store_release(u.c);
    buf_release(&u.kept);
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

int imp_check_external_id(const char *s, size_t max, struct yl_err *err)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n > max)
        return yl_err_set(err, YL_EINVAL, "external_id", "external_id is longer than %zu bytes",
                          max);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("-_.:/", c) != NULL;
        if (!ok)
            return yl_err_set(err, YL_EINVAL, "external_id",
                              "external_id may hold letters, digits and - _ . : / only");
    }
    return 0;
}
