/*
 * ndjson.c - NDJSON input for the import driver: each line a JSON object, read through the
 * same CSV path as every other import by translating the file, line for line, into CSV on the
 * fly (a stream made with fopencookie). Row functions keep reading columns by name and never
 * learn the difference.
 *
 * The one idea: line N of the NDJSON file becomes line N + 1 of the CSV stream (the header
 * is line 1), so the driver reports NDJSON line numbers by subtracting one. A line that is no
 * JSON object, or holds a field no column takes, becomes a record carrying its refusal in two
 * extra columns, which the driver reports like any refused record. Values: strings as they
 * are (no line breaks), numbers in decimal (reals with up to 15 significant digits), true and
 * false as 1 and 0, null as empty, an array as its scalar elements separated by spaces, an
 * object as "key=value" pairs separated by spaces (the services import's measurements).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "importer/importer_int.h"

/* The translation's state, owned by the cookie stream and freed when it is closed. */
struct ndjson {
    FILE *in;
    char **cols;                /* header columns; the last two carry refusals */
    size_t n_cols;
    char *line;                 /* the NDJSON line being read (getline) */
    size_t line_cap;
    char *out;                  /* CSV text not yet handed out */
    size_t out_len, out_pos, out_cap;
    char *vals_text;            /* scratch for one value */
    size_t vals_len, vals_cap;
    bool eof;
};

static void out_put(struct ndjson *j, const char *s, size_t n)
{
    if (j->out_len + n + 1 > j->out_cap) {
        j->out_cap = (j->out_len + n + 1) * 2;
        j->out = xrealloc(j->out, j->out_cap);
    }
    memcpy(j->out + j->out_len, s, n);
    j->out_len += n;
}

/* One CSV field, always quoted. */
static void out_field(struct ndjson *j, size_t i, const char *s)
{
    if (i > 0)
        out_put(j, ",", 1);
    out_put(j, "\"", 1);
    for (const char *q = s; *q != '\0'; q++) {
        if (*q == '"')
            out_put(j, "\"\"", 2);
        else
            out_put(j, q, 1);
    }
    out_put(j, "\"", 1);
}

static void val_put(struct ndjson *j, const char *s, size_t n)
{
    if (j->vals_len + n + 1 > j->vals_cap) {
        j->vals_cap = (j->vals_len + n + 1) * 2;
        j->vals_text = xrealloc(j->vals_text, j->vals_cap);
    }
    memcpy(j->vals_text + j->vals_len, s, n);
    j->vals_len += n;
    j->vals_text[j->vals_len] = '\0';
}

static bool has_space(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= ' ')
            return true;
    return false;
}

/* A scalar's text into the value scratch; `inner` (inside an array or object) refuses white
 * space, which would split the value. 0 or -1 with *why set. */
static int put_scalar(struct ndjson *j, json_t *v, bool inner, const char **why)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        if (strchr(s, '\n') != NULL || strchr(s, '\r') != NULL) {
            *why = "text values may not contain line breaks";
            return -1;
        }
        if (inner && has_space(s)) {
            *why = "text inside an array or object may not contain spaces";
            return -1;
        }
        val_put(j, s, strlen(s));
        return 0;
    }
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.15g", json_real_value(v));
        break;
    case JSON_TRUE:
        snprintf(num, sizeof(num), "1");
        break;
    case JSON_FALSE:
        snprintf(num, sizeof(num), "0");
        break;
    case JSON_NULL:
        num[0] = '\0';
        break;
    default:
        *why = "arrays and objects may hold only strings, numbers, true, false and null";
        return -1;
    }
    val_put(j, num, strlen(num));
    return 0;
}

/* Any value as the text of one CSV field (in the value scratch). */
static int value_text(struct ndjson *j, json_t *v, const char **why)
{
    j->vals_len = 0;
    val_put(j, "", 0);
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (i > 0)
                val_put(j, " ", 1);
            if (put_scalar(j, e, true, why) != 0)
                return -1;
        }
        return 0;
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *e;
        bool first = true;
        json_object_foreach(v, key, e)
        {
            if (has_space(key) || strchr(key, '=') != NULL) {
                *why = "keys inside an object may not contain spaces or '='";
                return -1;
            }
            if (!first)
                val_put(j, " ", 1);
            first = false;
            val_put(j, key, strlen(key));
            val_put(j, "=", 1);
            if (put_scalar(j, e, true, why) != 0)
                return -1;
        }
        return 0;
    }
    return put_scalar(j, v, false, why);
}

static int column_of(const struct ndjson *j, const char *name)
{
    for (size_t i = 0; i + 2 < j->n_cols; i++)
        if (strcmp(j->cols[i], name) == 0)
            return (int)i;
    return -1;
}

/* A record carrying only a refusal. */
static void emit_refusal(struct ndjson *j, const char *field, const char *message)
{
    for (size_t i = 0; i < j->n_cols; i++)
        out_field(j, i, i == j->n_cols - 2 ? field : i == j->n_cols - 1 ? message : "");
    out_put(j, "\n", 1);
}

/* One NDJSON line (without its newline) as one CSV line. */
static void translate(struct ndjson *j, const char *line, size_t n)
{
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    size_t lead = 0;
    while (lead < n && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (lead == n) {
        out_put(j, "\n", 1);    /* a blank line stays blank: no record */
        return;
    }
    json_error_t jerr;
    json_t *o = json_loadb(line + lead, n - lead, JSON_REJECT_DUPLICATES, &jerr);
    if (o == NULL || !json_is_object(o)) {
        char msg[240];
        snprintf(msg, sizeof(msg), o == NULL ? "not valid JSON: %s" : "%s",
                 o == NULL ? jerr.text : "each line must be a JSON object");
        emit_refusal(j, "", msg);
        json_decref(o);
        return;
    }
    char **vals = xcalloc(j->n_cols, sizeof(*vals));
    const char *key, *why = NULL, *bad = "";
    json_t *v;
    json_object_foreach(o, key, v)
    {
        int col = column_of(j, key);
        if (col < 0) {
            why = "unknown field";
            bad = key;
            break;
        }
        if (value_text(j, v, &why) != 0) {
            bad = key;
            break;
        }
        vals[col] = xstrdup(j->vals_text);
    }
    if (why != NULL) {
        char msg[240];
        snprintf(msg, sizeof(msg), "%s: %s", bad, why);
        emit_refusal(j, bad, msg);
    } else {
        for (size_t i = 0; i < j->n_cols; i++)
            out_field(j, i, vals[i] != NULL ? vals[i] : "");
        out_put(j, "\n", 1);
    }
    for (size_t i = 0; i < j->n_cols; i++)
        free(vals[i]);
    free(vals);
    json_decref(o);
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    struct ndjson *j = cookie;
    while (j->out_pos == j->out_len && !j->eof) {
        j->out_pos = j->out_len = 0;
        ssize_t got = getline(&j->line, &j->line_cap, j->in);
        if (got < 0) {
            j->eof = true;
            break;
        }
        size_t n = (size_t)got;
        if (n > 0 && j->line[n - 1] == '\n')
            n--;
        translate(j, j->line, n);
    }
    size_t left = j->out_len - j->out_pos;
    size_t n = left < size ? left : size;
    memcpy(buf, j->out + j->out_pos, n);
    j->out_pos += n;
    return (ssize_t)n;
}

static int cookie_close(void *cookie)
{
    struct ndjson *j = cookie;
    for (size_t i = 0; i < j->n_cols; i++)
        free(j->cols[i]);
    free(j->cols);
    free(j->line);
    free(j->out);
    free(j->vals_text);
    free(j);
    return 0;
}

static void add_column(struct ndjson *j, const char *name)
{
    for (size_t i = 0; i < j->n_cols; i++)
        if (strcmp(j->cols[i], name) == 0)
            return;
    j->cols = xrealloc(j->cols, (j->n_cols + 1) * sizeof(*j->cols));
    j->cols[j->n_cols++] = xstrdup(name);
}

/* Without a column list in the spec, the fields of the first record name the optional
 * columns. Reads up to that record; returns how many blank lines came before it and leaves
 * the record itself in j->line (*first_len bytes), or -1 in *first_len at the end. */
static size_t columns_from_first(struct ndjson *j, ssize_t *first_len)
{
    size_t blanks = 0;
    for (;;) {
        *first_len = getline(&j->line, &j->line_cap, j->in);
        if (*first_len < 0)
            return blanks;
        size_t n = (size_t)*first_len;
        while (n > 0 && strchr(" \t\r\n", j->line[n - 1]) != NULL)
            n--;
        if (n > 0)
            break;
        blanks++;
    }
    json_t *o = json_loadb(j->line, (size_t)*first_len, 0, NULL);
    const char *key;
    json_t *v;
    if (json_is_object(o)) {
        json_object_foreach(o, key, v)
        {
            add_column(j, key);
        }
    }
    json_decref(o);
    return blanks;
}

FILE *imp_ndjson_open(FILE *in, const struct imp_spec *spec)
{
    struct ndjson *j = xcalloc(1, sizeof(*j));
    j->in = in;
    for (const char *const *q = spec->required; q != NULL && *q != NULL; q++)
        add_column(j, *q);
    for (const char *const *q = spec->columns; q != NULL && *q != NULL; q++)
        add_column(j, *q);
    ssize_t first_len = -1;
    size_t blanks = 0;
    if (spec->columns == NULL)
        blanks = columns_from_first(j, &first_len);
    add_column(j, IMP_NDJSON_FIELD);
    add_column(j, IMP_NDJSON_ERROR);
    for (size_t i = 0; i < j->n_cols; i++)
        out_field(j, i, j->cols[i]);
    out_put(j, "\n", 1);
    /* The lines read ahead keep their places, so line numbers still match. */
    for (size_t i = 0; i < blanks; i++)
        out_put(j, "\n", 1);
    if (first_len > 0) {
        size_t n = (size_t)first_len;
        if (j->line[n - 1] == '\n')
            n--;
        translate(j, j->line, n);
    }
    cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
    FILE *f = fopencookie(j, "r", io);
    if (f == NULL)
        cookie_close(j);
    return f;
}
