/*
 * importer.h - the one driver behind every import (ous, facilities, staff, residents,
 * contracts, services …), CSV or NDJSON: stream the file, hand each record to the module's
 * row function inside a savepoint, commit in batches, report every refused record with its
 * line number.
 *
 * A refused record changes nothing (its savepoint is rolled back); every good record is
 * applied; a batch is durable when its commit returns, and carries one audit record naming
 * the lines it applied. Row functions are idempotent on the record's external key, so a
 * re-run of the same file applies nothing and reports every record unchanged.
 */
#ifndef YL_IMPORTER_H
#define YL_IMPORTER_H

#include <stdint.h>
#include <stdio.h>

struct yl_err;
struct store;
struct store_conn;
struct csv_reader;
struct audit_actor;

/* What a row function returns besides a negative error code. */
enum { IMP_UNCHANGED = 0, IMP_APPLIED = 1 };

/* Handle one record inside a transaction on c: validate (with err naming the column), write,
 * and return IMP_APPLIED or IMP_UNCHANGED, or a negative code to refuse it. */
typedef int imp_row_fn(void *ctx, struct store_conn *c, const struct csv_reader *r,
                       struct yl_err *err);
/* Called after each batch commits (apply the batch's changes to in-memory indexes) or is
 * lost (forget them). Either may be NULL. */
typedef void imp_batch_fn(void *ctx, int committed);

struct imp_spec {
    const char *what;                   /* "residents", for messages */
    const char *resource_type;          /* audit resource type: "resident" */
    const char *const *required;        /* NULL-terminated required columns */
    imp_row_fn *row;
    imp_batch_fn *batch_done;
    int batch_rows;                     /* rows per transaction; default 5000 */
    const char *const *columns;         /* NULL-terminated optional columns (the fields an
                                         * NDJSON line may carry besides the required ones);
                                         * NULL: those of an NDJSON file's first record */
};

struct imp_report {
    long records;       /* records read (not counting the header) */
    long applied;
    long unchanged;
    long refused;
    FILE *errors;       /* each refusal is printed here as "line N: column: message"; may be NULL */
    int max_printed;    /* stop printing after this many (0: 1000), counting goes on */
    long first_refused_line;
};

/* Run an import from `in`. Returns 0 when the file was read to the end (even if records
 * were refused: see the report), or a negative code when the header is unusable or the
 * store failed (the batches committed before that stay). The file is CSV with a header row,
 * or NDJSON (one JSON object a line, fields named as the columns) when its first byte is
 * '{'; refusals of NDJSON name its own line numbers. */
int imp_run(struct store *s, FILE *in, const struct imp_spec *spec, void *ctx,
            const struct audit_actor *who, struct imp_report *rep, struct yl_err *err);

/* The input formats; AUTO decides by the first byte as imp_run does. */
enum imp_format { IMP_FORMAT_AUTO, IMP_FORMAT_CSV, IMP_FORMAT_NDJSON };
/* The format a file name says: NDJSON for ".ndjson" and ".jsonl", else AUTO. */
enum imp_format imp_format_of_path(const char *path);
/* imp_run with the format given. */
int imp_run_format(struct store *s, FILE *in, enum imp_format format, const struct imp_spec *spec,
                   void *ctx, const struct audit_actor *who, struct imp_report *rep,
                   struct yl_err *err);

/* An external id (the idempotency key of an import row or an API client's record): at most
 * `max` bytes of letters, digits and - _ . : / (so it is safe in a URL, a CSV field and a
 * log line). "" passes: whether one is required is the caller's rule. YL_EINVAL on
 * "external_id" otherwise. */
int imp_check_external_id(const char *s, size_t max, struct yl_err *err);

/* Helpers for row functions: a column as an optional/required value with the column named
 * in errors. Dates use date_parse; integers are decimal within [min, max]. */
int imp_text(const struct csv_reader *r, const char *col, int required, size_t max_len,
             const char **out, struct yl_err *err);
int imp_int(const struct csv_reader *r, const char *col, int required, long min, long max,
            long dflt, long *out, struct yl_err *err);
int imp_double(const struct csv_reader *r, const char *col, double min, double max,
               int *present, double *out, struct yl_err *err);
int imp_date(const struct csv_reader *r, const char *col, int required, int *present,
             int32_t *out, struct yl_err *err);

#endif
