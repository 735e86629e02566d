/*
 * surveil_int.h - what the files of surveil/ share and nobody else needs: subtree bounds,
 * timestamps, statement endings.
 */
#ifndef YL_SURVEIL_INT_H
#define YL_SURVEIL_INT_H

#include <stdint.h>

struct store_stmt;

/* The range of org unit codes in the subtree of `prefix` ("" for the region): codes c with
 * lo <= c < hi (hi is the prefix followed by ':', the character after '9'). */
struct surv_range {
    char lo[48];
    char hi[48];
};
void surv_subtree(const char *prefix, struct surv_range *out);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (out: 32 bytes). */
char *surv_time_format(int64_t unix_s, char *out);
/* The civil day (UTC+8, the region's) of a Unix time. */
int32_t surv_local_day(int64_t unix_s);

/* Finish a statement that stopped at a row (so the next use starts a new run). */
void surv_stmt_finish(struct store_stmt *st, int rc);

#endif
