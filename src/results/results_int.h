/*
 * results_int.h - what the files of results/ share: the row readers of the two column lists
 * of store/sql_results.h, ending a one-row statement, and the lookups by code.
 */
#ifndef YL_RESULTS_INT_H
#define YL_RESULTS_INT_H

#include "results/results.h"

struct store_stmt;
enum store_sql;

/* A row of RES_SQL_ITEM_COLUMNS / RES_SQL_RESULT_COLUMNS into *out (the report in a). */
void res_item_from_row(struct store_stmt *st, struct res_item *out);
void res_result_from_row(struct store_stmt *st, struct arena *a, struct res_result *out);

/* End a statement after the store_step that returned rc: one stopped on a row is run to its
 * end; one that ended or failed must not be stepped again. */
void res_stmt_finish(struct store_stmt *st, int rc);

/* Item `code` (q: RES_ITEM_BY_CODE) or id on c: 0 with *found set, or a store error. */
int res_item_read(struct store_conn *c, const char *code, int64_t id, struct res_item *out,
                  bool *found, struct yl_err *err);

/* The id of facility `code`; YL_EINVAL on "facility" when it is missing or unknown. */
int res_facility_find(struct store_conn *c, const char *code, int64_t *id,
                      struct yl_err *err);

/* True for NULL or "". */
bool res_empty(const char *s);

#endif
