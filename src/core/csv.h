/*
 * csv.h - a streaming CSV reader (RFC 4180): quoted fields with "" escapes, embedded commas
 * and newlines, CRLF or LF, a UTF-8 byte-order mark skipped, a header row naming columns.
 *
 * Every import reads through it, one record at a time, so a file of any size takes the
 * memory of its longest record. Each record knows the line it started on, for error reports
 * ("line 12: birth date …"). A malformed record (an unclosed quote, a record longer than the
 * limit, text after a closing quote) is reported with its line and skipped; reading goes on
 * with the next line.
 */
#ifndef YL_CSV_H
#define YL_CSV_H

#include <stddef.h>
#include <stdio.h>

struct yl_err;
struct csv_reader;

/* Read from f (not closed by the reader). Records longer than max_record bytes are refused. */
struct csv_reader *csv_open(FILE *f, size_t max_record);
void csv_close(struct csv_reader *r);

/* Read the header row. YL_EINVAL when the file is empty, a column name repeats, or one of
 * the NULL-terminated `required` columns is missing (named in the message). */
int csv_read_header(struct csv_reader *r, const char *const *required, struct yl_err *err);

/* Next record: 1 when one is ready, 0 at the end, or YL_EINVAL for a malformed record
 * (err names the line; call again to go on). */
int csv_next(struct csv_reader *r, struct yl_err *err);

/* Line on which the current record started (1-based; the header is line 1). */
long csv_line(const struct csv_reader *r);
/* Number of fields of the current record. */
size_t csv_count(const struct csv_reader *r);
/* Field i of the current record, "" past the end. Valid until the next csv_next. */
const char *csv_field(const struct csv_reader *r, size_t i);
/* Index of a header column, or -1. */
int csv_column(const struct csv_reader *r, const char *name);
/* Field of the current record under header column `name`, "" when absent. */
const char *csv_get(const struct csv_reader *r, const char *name);

/* Keep the current record (its fields and line) at the end of `into`, and later make a
 * kept record the current one again: how an import replays a batch. csv_record_load returns
 * the position after the record it loaded. */
struct buf;
int csv_record_save(const struct csv_reader *r, struct buf *into);
const char *csv_record_load(struct csv_reader *r, const char *from);

#endif
