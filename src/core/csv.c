/*
 * csv.c - the streaming CSV reader: a state machine over getc_unlocked, collecting one
 * record's fields NUL-separated in a growable buffer.
 */
#include "core/csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#define CSV_MAX_FIELDS 256

struct csv_reader {
    FILE *f;
    size_t max_record;
    char *text;                 /* fields of the current record, each NUL-terminated */
    size_t len, cap;
    size_t starts[CSV_MAX_FIELDS];
    size_t n_fields;
    long line;                  /* line the next character is on */
    long record_line;           /* line the current record started on */
    char **header;
    size_t n_header;
    int at_start;               /* before the first byte: skip a BOM */
};

struct csv_reader *csv_open(FILE *f, size_t max_record)
{
    struct csv_reader *r = xcalloc(1, sizeof(*r));
    r->f = f;
    r->max_record = max_record ? max_record : 1u << 20;
    r->cap = 1024;
    r->text = xmalloc(r->cap);
    r->line = 1;
    r->at_start = 1;
    return r;
}

void csv_close(struct csv_reader *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_header; i++)
        free(r->header[i]);
    free(r->header);
    free(r->text);
    free(r);
}

static int put(struct csv_reader *r, char c)
{
    if (r->len + 1 > r->max_record)
        return -1;
    if (r->len + 1 >= r->cap) {
        r->cap *= 2;
        r->text = xrealloc(r->text, r->cap);
    }
    r->text[r->len++] = c;
    return 0;
}

static int end_field(struct csv_reader *r)
{
    if (r->n_fields == CSV_MAX_FIELDS)
        return -1;
    if (put(r, '\0') != 0)
        return -1;
    return 0;
}

/* End the current field at a comma and start the next one; -1 when the record would hold
 * more than CSV_MAX_FIELDS fields (or is too long). */
static int next_field(struct csv_reader *r)
{
    if (end_field(r) != 0 || r->n_fields + 1 >= CSV_MAX_FIELDS)
        return -1;
    r->starts[++r->n_fields] = r->len;
    return 0;
}

/* Skip to the end of the current line (after an error). */
static void skip_line(struct csv_reader *r)
{
    int c;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n')
        ;
    if (c == '\n')
        r->line++;
}

int csv_next(struct csv_reader *r, struct yl_err *err)
{
    enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } state = FIELD_START;
    int c = 0;
    r->len = 0;
    r->n_fields = 0;
    r->starts[0] = 0;
    r->record_line = r->line;
    const char *problem = NULL;

    if (r->at_start) {
        r->at_start = 0;
        int b0 = getc_unlocked(r->f);
        if (b0 == 0xEF) {
            int b1 = getc_unlocked(r->f), b2 = getc_unlocked(r->f);
            if (b1 != 0xBB || b2 != 0xBF) {
                problem = "the file starts with bytes that are not UTF-8";
                goto bad;
            }
        } else if (b0 != EOF) {
            ungetc(b0, r->f);
        }
    }

    for (;;) {
        c = getc_unlocked(r->f);
        if (c == EOF) {
            if (state == QUOTED) {
                problem = "a quoted field is not closed before the end of the file";
                goto bad;
            }
            if (state == FIELD_START && r->n_fields == 0 && r->len == 0)
                return 0;
            break;
        }
        if (c == '\n')
            r->line++;
        switch (state) {
        case FIELD_START:
            if (c == '"') {
                state = QUOTED;
                continue;
            }
            state = UNQUOTED;
            /* fall through */
        case UNQUOTED:
            if (c == ',') {
                if (next_field(r) != 0)
                    goto too_long;
                state = FIELD_START;
            } else if (c == '\n') {
                goto record_end;
            } else if (c == '\r') {
                int next = getc_unlocked(r->f);
                if (next != '\n' && next != EOF)
                    ungetc(next, r->f);
                if (next == '\n')
                    r->line++;
                goto record_end;
            } else if (c == '"') {
                problem = "a quote inside an unquoted field (quote the whole field)";
                goto bad;
            } else if (put(r, (char)c) != 0) {
                goto too_long;
            }
            continue;
        case QUOTED:
            if (c == '"')
                state = QUOTE_IN_QUOTED;
            else if (put(r, (char)c) != 0)
                goto too_long;
            continue;
        case QUOTE_IN_QUOTED:
            if (c == '"') {
                if (put(r, '"') != 0)
                    goto too_long;
                state = QUOTED;
            } else if (c == ',') {
                if (next_field(r) != 0)
                    goto too_long;
                state = FIELD_START;
            } else if (c == '\n') {
                goto record_end;
            } else if (c == '\r') {
                int next = getc_unlocked(r->f);
                if (next == '\n')
                    r->line++;
                else if (next != EOF)
                    ungetc(next, r->f);
                goto record_end;
            } else {
                problem = "text after a closing quote";
                goto bad;
            }
            continue;
        }
    }
record_end:
    if (end_field(r) != 0)
        goto too_long;
    r->n_fields++;
    return 1;
too_long:
    problem = "the record is too long or has too many fields";
bad:
    if (c != '\n' && c != EOF)
        skip_line(r);
    r->n_fields = 0;
    return yl_err_set(err, YL_EINVAL, NULL, "line %ld: %s", r->record_line, problem);
}

int csv_read_header(struct csv_reader *r, const char *const *required, struct yl_err *err)
{
    int rc;
    do
        rc = csv_next(r, err);
    while (rc == 1 && r->n_fields == 1 && r->text[0] == '\0'); /* leading blank lines */
    if (rc < 0)
        return rc;
    if (rc == 0)
        return yl_err_set(err, YL_EINVAL, NULL, "the file is empty; it needs a header row");
    r->n_header = r->n_fields;
    r->header = xcalloc(r->n_header, sizeof(*r->header));
    for (size_t i = 0; i < r->n_header; i++) {
        const char *name = r->text + r->starts[i];
        while (*name == ' ')
            name++;
        r->header[i] = xstrdup(name);
        size_t n = strlen(r->header[i]);
        while (n > 0 && r->header[i][n - 1] == ' ')
            r->header[i][--n] = '\0';
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->header[k], r->header[i]) == 0)
                return yl_err_set(err, YL_EINVAL, r->header[i],
                                  "line 1: column \"%s\" appears twice", r->header[i]);
    }
    for (const char *const *q = required; q != NULL && *q != NULL; q++)
        if (csv_column(r, *q) < 0)
            return yl_err_set(err, YL_EINVAL, *q, "line 1: the header has no column \"%s\"",
                              *q);
    return 0;
}

long csv_line(const struct csv_reader *r)
{
    return r->record_line;
}

size_t csv_count(const struct csv_reader *r)
{
    return r->n_fields;
}

const char *csv_field(const struct csv_reader *r, size_t i)
{
    if (i >= r->n_fields)
        return "";
    return r->text + r->starts[i];
}

int csv_column(const struct csv_reader *r, const char *name)
{
    for (size_t i = 0; i < r->n_header; i++)
        if (strcmp(r->header[i], name) == 0)
            return (int)i;
    return -1;
}

const char *csv_get(const struct csv_reader *r, const char *name)
{
    int i = csv_column(r, name);
    return i < 0 ? "" : csv_field(r, (size_t)i);
}

/* A kept record: its line, field count and text length, then the field offsets, then the
 * text (fields NUL-terminated). */
struct kept_head {
    long line;
    size_t n_fields;
    size_t len;
};

int csv_record_save(const struct csv_reader *r, struct buf *into)
{
    struct kept_head h = {r->record_line, r->n_fields, r->len};
    int rc = buf_append(into, &h, sizeof(h));
    if (rc == 0)
        rc = buf_append(into, r->starts, sizeof(r->starts[0]) * r->n_fields);
    if (rc == 0)
        rc = buf_append(into, r->text, r->len);
    return rc;
}

const char *csv_record_load(struct csv_reader *r, const char *from)
{
    struct kept_head h;
    memcpy(&h, from, sizeof(h));
    from += sizeof(h);
    memcpy(r->starts, from, sizeof(r->starts[0]) * h.n_fields);
    from += sizeof(r->starts[0]) * h.n_fields;
    while (r->cap < h.len + 1) {
        r->cap *= 2;
        r->text = xrealloc(r->text, r->cap);
    }
    memcpy(r->text, from, h.len);
    r->len = h.len;
    r->n_fields = h.n_fields;
    r->record_line = h.line;
    return from + h.len;
}
