/*
 * read.c - reading registrations and encounters: one by id, a resident's, a facility's by
 * day (encounters.h). Each read runs in one read transaction with its scope check, so a
 * list never mixes two states of the store.
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "encounters/encounters_int.h"
#include "records/records.h"
#include "store/store.h"

/* A stored day; DATE_INVALID for NULL (read as "") or anything unreadable. */
static int32_t text_day(const char *s)
{
    int32_t d;
    if (s[0] == '\0' || date_parse(s, strlen(s), &d, NULL, NULL) != 0)
        return DATE_INVALID;
    return d;
}

static void copy(char *out, size_t n, const char *s)
{
    snprintf(out, n, "%s", s);
}

void enc_registration_from_row(struct store_stmt *st, struct enc_registration *g)
{
    memset(g, 0, sizeof(*g));
    g->id = store_col_int(st, 0);
    copy(g->external_id, sizeof(g->external_id), store_col_text(st, 1));
    g->resident_id = store_col_int(st, 2);
    g->facility_id = store_col_int(st, 3);
    copy(g->facility, sizeof(g->facility), store_col_text(st, 4));
    g->day = text_day(store_col_text(st, 5));
    copy(g->created_at, sizeof(g->created_at), store_col_text(st, 6));
}

void enc_encounter_from_row(struct store_stmt *st, struct enc_encounter *e)
{
    memset(e, 0, sizeof(*e));
    e->id = store_col_int(st, 0);
    copy(e->external_id, sizeof(e->external_id), store_col_text(st, 1));
    e->registration_id = store_col_int(st, 2);
    e->resident_id = store_col_int(st, 3);
    e->facility_id = store_col_int(st, 4);
    copy(e->facility, sizeof(e->facility), store_col_text(st, 5));
    e->day = text_day(store_col_text(st, 6));
    copy(e->department, sizeof(e->department), store_col_text(st, 7));
    int type = enc_type_find(store_col_text(st, 8));
    e->type = type < 0 ? ENC_OUTPATIENT : (enum enc_type)type;
    e->admission = text_day(store_col_text(st, 9));
    e->discharge = text_day(store_col_text(st, 10));
    copy(e->diagnoses, sizeof(e->diagnoses), store_col_text(st, 11));
    e->staff_id = store_col_int(st, 12);
    copy(e->staff, sizeof(e->staff), store_col_text(st, 13));
    copy(e->created_at, sizeof(e->created_at), store_col_text(st, 14));
}

/* --- one by id ---------------------------------------------------------------------------- */

/* Read row `id` of statement q with `from_row`, then check its resident's scope. Absent and
 * outside the scope are the same "not found". */
typedef void row_fn(struct store_stmt *st, void *out);

static void registration_row(struct store_stmt *st, void *out)
{
    enc_registration_from_row(st, out);
}

static void encounter_row(struct store_stmt *st, void *out)
{
    enc_encounter_from_row(st, out);
}

static int get_one(struct store *s, const struct acct_principal *who, enum store_sql q,
                   int64_t id, row_fn *from_row, void *out, const int64_t *resident_id,
                   const char *what, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, q);
        store_bind_int(st, 1, id);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            from_row(st, out);
        enc_stmt_finish(st, rc);
        if (rc == STORE_DONE)
            rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such %s", what);
    }
    if (rc == STORE_ROW)
        rc = rec_scope_check(c, who, *resident_id, err);
    store_rollback(c);
    store_release(c);
    return rc;
}

int enc_registration_get(struct store *s, const struct acct_principal *who, int64_t id,
                         struct enc_registration *out, struct yl_err *err)
{
    return get_one(s, who, STORE_SQL_ENC_REG_BY_ID, id, registration_row, out,
                   &out->resident_id, "registration", err);
}

int enc_encounter_get(struct store *s, const struct acct_principal *who, int64_t id,
                      struct enc_encounter *out, struct yl_err *err)
{
    return get_one(s, who, STORE_SQL_ENC_BY_ID, id, encounter_row, out, &out->resident_id,
                   "encounter", err);
}

/* --- lists -------------------------------------------------------------------------------- */

/* Step a bound list statement into an array of `limit` in the arena. */
static int read_list(struct store_stmt *st, int limit, struct arena *a,
                     struct enc_encounter **out, size_t *n, struct yl_err *err)
{
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(**out));
    *n = 0;
    int rc = STORE_DONE;
    while (*n < (size_t)limit && (rc = store_step(st, err)) == STORE_ROW)
        enc_encounter_from_row(st, &(*out)[(*n)++]);
    if (*n == (size_t)limit)
        rc = STORE_ROW; /* stopped on a row: finish the statement */
    enc_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int enc_list_resident(struct store *s, const struct acct_principal *who, int64_t resident_id,
                      int64_t after, int limit, struct arena *a, struct enc_encounter **out,
                      size_t *n, struct yl_err *err)
{
    *out = NULL;
    *n = 0;
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = rec_scope_check(c, who, resident_id, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_LIST_RESIDENT);
        store_bind_int(st, 1, resident_id);
        store_bind_int(st, 2, after);
        store_bind_int(st, 3, limit);
        rc = read_list(st, limit, a, out, n, err);
    }
    store_rollback(c);
    store_release(c);
    return rc;
}

/* Who may list a facility's encounters: the system, the region's admin, and the facility's
 * own admin. Doctors reach residents, not facilities: their lists are the residents'. */
static int facility_scope(const struct acct_principal *who, const char *code,
                          struct yl_err *err)
{
    if (who == NULL || (who->role == ROLE_ADMIN && who->scope.kind == SCOPE_REGION))
        return 0;
    if (who->role == ROLE_FACILITY_ADMIN && who->scope.kind == SCOPE_FACILITY) {
        if (strcmp(who->scope.ref, code) == 0)
            return 0;
        return yl_err_set(err, YL_EFORBIDDEN, "facility",
                          "the encounters of another facility are outside your scope");
    }
    return yl_err_set(err, YL_EFORBIDDEN, NULL,
                      "a %s lists the encounters of residents, not of a facility",
                      acct_role_name(who->role));
}

static int range_check(const struct enc_facility_query *q, struct yl_err *err)
{
    if (q->facility == NULL || q->facility[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "facility", "facility is required");
    if (q->from == DATE_INVALID || q->to == DATE_INVALID)
        return yl_err_set(err, YL_EINVAL, q->from == DATE_INVALID ? "from" : "to",
                          "from and to are required");
    if (q->to < q->from)
        return yl_err_set(err, YL_EINVAL, "to", "to is before from");
    if (q->to - q->from >= ENC_RANGE_DAYS_MAX)
        return yl_err_set(err, YL_EINVAL, "to", "a range is at most %d days",
                          ENC_RANGE_DAYS_MAX);
    return 0;
}

int enc_list_facility(struct store *s, const struct acct_principal *who,
                      const struct enc_facility_query *q, struct arena *a,
                      struct enc_encounter **out, size_t *n, struct yl_err *err)
{
    *out = NULL;
    *n = 0;
    int rc = range_check(q, err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(s);
    rc = store_begin(c, STORE_READ, err);
    int64_t facility_id = 0;
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_FACILITY_BY_CODE);
        store_bind_text(st, 1, q->facility);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            facility_id = store_col_int(st, 0);
        enc_stmt_finish(st, rc);
        if (rc == STORE_DONE)
            rc = yl_err_set(err, YL_EINVAL, "facility", "no facility \"%s\"", q->facility);
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0)
        rc = facility_scope(who, q->facility, err);
    if (rc == 0) {
        char from[DATE_STR_LEN], to[DATE_STR_LEN];
        struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_LIST_FACILITY);
        store_bind_int(st, 1, facility_id);
        store_bind_text(st, 2, date_format(q->from, from));
        store_bind_text(st, 3, date_format(q->to, to));
        store_bind_int(st, 4, q->after);
        store_bind_int(st, 5, q->limit);
        rc = read_list(st, q->limit, a, out, n, err);
    }
    store_rollback(c);
    store_release(c);
    return rc;
}
