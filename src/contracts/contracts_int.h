/*
 * contracts_int.h - what the files of the contracts module share: a team and a contract as
 * stored (ids, not codes), and the steps that read, validate and write them inside a
 * caller's transaction. The API functions (teams.c, contracts.c) and the imports (import.c)
 * are thin wrappers around these, so both apply the same rules.
 */
#ifndef YL_CONTRACTS_INT_H
#define YL_CONTRACTS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "contracts/contracts.h"
#include "core/date.h"

struct store_conn;
struct store_stmt;

/* A team as stored. members are staff ids in ascending order. */
struct contract_team_row {
    int64_t id;
    char code[CONTRACT_CODE_MAX + 1];
    char name[CONTRACT_NAME_MAX + 1];
    int64_t facility_id;
    char facility_code[CONTRACT_CODE_MAX + 1];
    int64_t leader_id; /* 0: none */
    char leader_code[CONTRACT_CODE_MAX + 1];
    int64_t capacity;
    int status; /* enum team_status */
    int64_t members[CONTRACT_TEAM_MEMBERS_MAX];
    size_t n_members;
};

/* Load team `code` with its member ids; YL_ENOTFOUND (err untouched) when absent. */
int contract_team_row_load(struct store_conn *c, const char *code, struct contract_team_row *out,
                           struct yl_err *err);
/* Apply `in` onto `cur` (NULL: a new team, create rules) into *out, resolving codes to ids
 * and checking every rule; errors name the input field. */
int contract_team_row_resolve(struct store_conn *c, const struct contract_team_row *cur,
                              const struct contract_team_input *in, struct contract_team_row *out,
                              struct yl_err *err);
bool contract_team_row_equal(const struct contract_team_row *a, const struct contract_team_row *b);
/* Insert (cur NULL) or update team `next` with its member list; sets next->id. A taken code
 * is YL_ECONFLICT with field "code" and existing_id. */
int contract_team_row_write(struct store_conn *c, const struct contract_team_row *cur,
                            struct contract_team_row *next, struct yl_err *err);

/* A contract as stored. */
struct contract_row {
    int64_t id;
    char external_id[CONTRACT_EXTERNAL_MAX + 1]; /* "" none */
    int64_t resident_id;
    int64_t team_id;
    int package; /* enum package */
    int32_t from_date, to_date;
    int status;         /* enum contract_status, as stored */
    int32_t ended_date; /* DATE_INVALID: none */
    char end_reason[CONTRACT_REASON_MAX + 1];
    int64_t renews_id; /* 0: none */
};

/* Flags of contract_row_write. */
#define CONTRACT_ROW_NO_ID 0x1 /* an insert need not learn its id (bulk import) */

/* Insert `row` (sets row->id unless CONTRACT_ROW_NO_ID), or update it when row->id != 0.
 * When it is active and the resident already has a stored active contract, a lapsed one is
 * stored as expired first; one active today makes YL_ECONFLICT with field "resident_id" and
 * existing_id. */
int contract_row_write(struct store_conn *c, struct contract_row *row, unsigned flags,
                       int32_t today, struct yl_err *err);

/* Resolve an active team by code: its id, or YL_EINVAL naming `field` when it is unknown
 * or disbanded. */
int contract_team_active_id(struct store_conn *c, const char *code, const char *field, int64_t *id,
                            struct yl_err *err);

/*
 * End a statement after the store_step that returned rc. A statement that stopped on a row
 * is stepped to its end (which resets it). One that returned STORE_DONE or an error must not
 * be stepped again: SQLite would reset it and run it a second time (an INSERT twice).
 */
void contract_stmt_finish(struct store_stmt *st, int rc);

/* A code of 1-32 letters, digits, '-' or '_' (teams, facilities, staff). */
bool contract_code_ok(const char *s);

/* "YYYY-MM-DD" or NULL for DATE_INVALID, into out. */
const char *contract_date_text(int32_t d, char out[DATE_STR_LEN]);

#endif
