/*
 * services_int.h - what the files of src/services/ share and nobody else sees: the protocol
 * struct, periods, and the row parsers the loader calls.
 *
 * Loading is three passes over the files (measurements, items, rules) because each kind
 * refers to the one before it by code; every row parser reports "FILE:LINE: column: message"
 * through svc_row_fail.
 */
#ifndef YL_SERVICES_INT_H
#define YL_SERVICES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/services.h"

struct csv_reader;
struct yl_err;

/* An `above` reference of a measurement, resolved once every measurement file is read (a
 * row may name one further down). */
struct svc_above_ref {
    char code[SVC_CODE_MAX];
    const char *path;           /* borrowed from the caller's paths for the load */
    long line;
};

struct svc_protocol {
    struct svc_measure *measures;
    struct svc_above_ref *above_refs;   /* parallel to measures; freed after loading */
    size_t n_measures, cap_measures;
    struct svc_item *items;
    size_t n_items, cap_items;
    struct svc_rule *rules;             /* grouped by item once loading ends */
    size_t n_rules, cap_rules;
};

/* The row being read, for messages. */
struct svc_row {
    const char *path;
    struct csv_reader *r;
};

/* Set err to "PATH:LINE: column: message" with err->field = column; returns YL_EINVAL. */
int svc_row_fail(struct yl_err *err, const struct svc_row *row, const char *column,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* period.c */
/* Parse "<n><d|w|m|y>" (0 <= n <= 10000); "" gives {0, SVC_UNIT_NONE} when allow_empty.
 * 0 or -1. */
int svc_period_parse(const char *s, bool allow_empty, struct svc_period *out);
/* The same when the caller already has day's year, month and day. */
int32_t svc_period_add_ymd(int32_t day, int y, int m, int d, struct svc_period p);
/* True when the period was given (its unit is set). */
bool svc_period_set(struct svc_period p);

/* Row parsers: append or replace one row of the protocol. */
int svc_measure_row(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err);
int svc_measures_finish(struct svc_protocol *p, struct yl_err *err);
int svc_item_row(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err);
int svc_rule_row(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err);
/* Group the rules by item and set each item's rule_first / n_rules. */
void svc_rules_index(struct svc_protocol *p);

/* Split a list of codes separated by spaces, commas or semicolons: calls fn for each with
 * its length; stops at the first non-zero return and returns it. */
typedef int svc_code_fn(const char *code, size_t len, void *ctx);
int svc_codes_each(const char *list, svc_code_fn *fn, void *ctx);

/* Evaluate a rule's condition over (measure index, number) pairs. */
bool svc_rule_holds(const struct svc_rule *r, const int *measure, const double *num, size_t n);

#endif
