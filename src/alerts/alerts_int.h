/*
 * alerts_int.h - what the files of alerts/ share: reading rows of the statement
 * catalogue's column lists, finishing a statement, the history row every change writes.
 */
#ifndef YL_ALERTS_INT_H
#define YL_ALERTS_INT_H

#include "alerts/alerts.h"

struct store_conn;
struct store_stmt;

/* A row of SURV_SQL_SIGNAL_COLUMNS / SURV_SQL_ALERT_COLUMNS into *out, strings in `a`. */
void surv_signal_from_row(struct store_stmt *st, struct arena *a, struct surv_signal *out);
void surv_alert_from_row(struct store_stmt *st, struct arena *a, struct surv_alert *out);

/* Check signal s (the i-th of a batch: fields are named "signals[i].ou"). */
int surv_signal_check(const struct surv_signal *s, size_t i, struct yl_err *err);
/* Insert a checked signal inside the caller's write transaction, stamped `now` (RFC 3339);
 * s->id receives its id, *is_new whether it was not there yet. */
int surv_signal_insert(struct store_conn *c, struct surv_signal *s, bool *is_new,
                       const char *now, struct yl_err *err);

/* Run a statement that stopped on a row to its end, so no read stays open. */
void alert_stmt_finish(struct store_stmt *st, int rc);

/* Append a history row of alert `id` inside the caller's write transaction. */
int surv_history_add(struct store_conn *c, int64_t id, int64_t now_s, const char *action,
                     const char *from_state, const char *to_state, int level,
                     const struct audit_actor *by, const char *detail, struct yl_err *err);

#endif
