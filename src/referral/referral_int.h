/*
 * referral_int.h - what the files of referral/ share: reading a row of REF_SQL_COLUMNS,
 * ending a statement, and the two sides of a referral (who sends, who receives).
 */
#ifndef YL_REFERRAL_INT_H
#define YL_REFERRAL_INT_H

#include "referral/referral.h"

struct store_conn;
struct store_stmt;

/* A row of REF_SQL_COLUMNS into *out, strings in `a`; the ID number masked when `mask`. */
void ref_from_row(struct store_stmt *st, struct arena *a, bool mask, struct ref_referral *out);

/* Run a statement that stopped on a row to its end, so no read stays open. */
void ref_stmt_finish(struct store_stmt *st, int rc);

/* Read referral `id` on c (inside or outside a transaction): *found tells. */
int ref_read(struct store_conn *c, int64_t id, struct arena *a, bool mask,
             struct ref_referral *out, bool *found, struct yl_err *err);

/* Is p on the sending side (the region, the sending facility's admin, its maker) or the
 * receiving side (the region, the receiving facility's admin, a family doctor of the
 * receiving team)? NULL is the system: both. */
bool ref_is_sender(const struct acct_principal *p, const struct ref_referral *r);
bool ref_is_receiver(const struct acct_principal *p, const struct ref_referral *r);

/* The region's admin or the system. */
bool ref_is_region(const struct acct_principal *p);

#endif
