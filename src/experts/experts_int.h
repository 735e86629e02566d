/*
 * experts_int.h - what the files of the experts module share: the end of every audited
 * write, statement finishing and the checks of the caller's reach.
 */
#ifndef YL_EXPERTS_INT_H
#define YL_EXPERTS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "experts/experts.h"

struct store_conn;
struct store_stmt;

/* Finish a statement that stopped on a row, so no read stays open on the connection. */
void expert_stmt_finish(struct store_stmt *st, int rc);

/* Audit record and commit when rc is 0, rollback otherwise; gives the connection back.
 * `type` is "expert_session" or "booking". Returns the final code. */
int expert_write_end(struct store_conn *c, const struct expert_who *who, const char *action,
                     const char *type, int64_t id, int rc, struct yl_err *err);

/* Read session `id` on the caller's connection (inside or outside a transaction).
 * YL_ENOTFOUND when absent. */
int expert_session_read(struct store_conn *c, int64_t id, struct arena *a,
                        struct expert_session *out, struct yl_err *err);
/* Store session `id` as held (attendance was recorded), inside the caller's transaction. */
int expert_session_mark_held(struct store_conn *c, int64_t id, struct yl_err *err);

/* Does `p` administer facility `code` (the region, or that facility's admin)? */
bool expert_runs_facility(const struct acct_principal *p, const char *code);

#endif
