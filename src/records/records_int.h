/*
 * records_int.h - what the files of records/ share: field checks that allocate nothing
 * (check.c), the state a write decides on, and the history operations on an open write
 * transaction that both the API writes and the CSV import use (history.c).
 */
#ifndef YL_RECORDS_INT_H
#define YL_RECORDS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "records/records.h"

struct store_stmt;

/* --- checks (check.c); each returns 0 or YL_EINVAL naming `field` ------------------------ */

/* Valid UTF-8 of min_chars..max_chars characters without control characters. */
int rec_check_text(const char *s, size_t n, size_t min_chars, size_t max_chars,
                   const char *field, struct yl_err *err);
/* A person's name: 1-64 characters, no control characters, no space at either end. */
int rec_check_name(const char *s, size_t n, const char *field, struct yl_err *err);
/* "" or a mobile (1[3-9] and 9 digits) or a landline (0 and 2-3 digits, '-', 7-8 digits). */
int rec_check_phone(const char *s, size_t n, const char *field, struct yl_err *err);
/* A date that is not before `birth` and not after `today`; `what` names it in the message. */
int rec_check_day(int32_t day, int32_t birth, int32_t today, const char *field,
                  const char *what, struct yl_err *err);
/* A maternal death: a woman aged 10 to 60 at death. */
int rec_check_maternal(int sex, int32_t birth, int32_t death, const char *field,
                       struct yl_err *err);
/* Parse "YYYY-MM-DD"; NULL or "" gives DATE_INVALID when optional, an error when required. */
int rec_parse_date(const char *s, int required, const char *field, int32_t *out,
                   struct yl_err *err);

/* --- scope (scope.c) ---------------------------------------------------------------------- */

enum rec_reach { REC_REACH_NONE, REC_REACH_ALL, REC_REACH_OU, REC_REACH_TEAM };
/* How far the principal reaches; for OU the subtree code, for TEAM the team id. */
enum rec_reach rec_reach_of(const struct acct_principal *who, const char **ou_code,
                            int64_t *team_id);
/* A village doctor may write only inside their subtree: YL_EFORBIDDEN on `field` when the
 * org unit `code` lies outside it; 0 for other roles that may write. */
int rec_scope_check_ou(const struct acct_principal *who, const char *code, const char *field,
                       struct yl_err *err);

/* --- shared by writes (resident.c, history.c, import.c) --------------------------------- */

/* Field names used in messages: the API's JSON names or the CSV's columns. */
struct rec_fields {
    const char *date;           /* of a move, moving out or death */
    const char *ou_code;
    const char *cause;
    const char *maternal;
    const char *tag;
    const char *from;
    const char *to;
    const char *expected;
};

/* What a write decides on: the resident's identity and where and how they live now. */
struct rec_state {
    int64_t id;
    int sex;
    int32_t birth;
    int32_t record_date;
    int64_t ou_id;
    int status;                 /* enum resident_status */
    int32_t status_date;        /* DATE_INVALID while active */
    int32_t residence_from;     /* the current (after leaving: last) residence began */
};

/* Load the state of resident `id` on c (YL_ENOTFOUND when absent). */
int rec_state_load(struct store_conn *c, int64_t id, struct rec_state *st, struct yl_err *err);
/* The same from a row of REC_GET / REC_GET_BY_NUMBER (sql_records.h). */
void rec_state_from_row(struct store_stmt *row, struct rec_state *st);
/* The id of an existing village or community by code; YL_EINVAL on `field` otherwise. */
int rec_ou_village(struct store_conn *c, const char *code, const char *field, int64_t *id,
                   struct yl_err *err);
/* The id of the record holding a canonical ID number, 0 when none. */
int rec_id_by_number(struct store_conn *c, const char *number, int64_t *id,
                     struct yl_err *err);
/* Text of the current time for updated_at. */
void rec_now(char out[32]);

/* History on an open write transaction; st is updated to the new state. */
int rec_move_on(struct store_conn *c, struct rec_state *st, int64_t ou_id, int32_t date,
                const struct rec_fields *f, const char *now, struct yl_err *err);
/* Leave the population: status RSTAT_MOVED_OUT or RSTAT_DECEASED on `date`. */
int rec_leave_on(struct store_conn *c, struct rec_state *st, int status, int32_t date,
                 const char *cause, int maternal, const struct rec_fields *f, const char *now,
                 struct yl_err *err);
/* Check a tag span against the resident and their other spans of the same tag (tags,
 * n_tags; `skip_id` is the span being changed, 0 for a new one). */
int rec_tag_check(const struct rec_state *st, int tag, int32_t from, int32_t to,
                  int32_t expected, const struct rec_tag *tags, size_t n_tags, int64_t skip_id,
                  const struct rec_fields *f, struct yl_err *err);
/* Read the tags of resident `id` into a growing array (caller frees *out with free()). */
int rec_tags_read(struct store_conn *c, int64_t id, struct rec_tag **out, size_t *n,
                  struct yl_err *err);
/* Insert a tag span (checked by the caller). */
int rec_tag_insert(struct store_conn *c, int64_t resident_id, int tag, int32_t from,
                   int32_t to, int32_t expected, int64_t *tag_id, struct yl_err *err);
/* Bind a day number as date text, or NULL for DATE_INVALID. */
void rec_bind_date(struct store_stmt *st, int idx, int32_t day);
/* Parse a stored date column; DATE_INVALID for NULL. */
int32_t rec_col_date(struct store_stmt *st, int col);

/* The one place where every write of a resident ends: on rc == 0, append the audit record
 * (action, resource "resident", id) and commit; otherwise roll back. Gives the connection
 * back and returns the final code. Index refreshes of the resident belong here. */
int rec_write_end(struct store_conn *c, const struct audit_actor *by, const char *action,
                  int64_t resident_id, int rc, struct yl_err *err);

#endif
