/*
 * bookings.c - residents booked into expert sessions by the doctors who care for them:
 * booking within capacity, cancelling, attendance, and a session's list.
 *
 * The resident must lie in the caller's scope (rec_scope_check: a family doctor's team, a
 * village doctor's village, the region); outside it the resident is "not found", so that
 * existence does not leak. A place is held by every booking that is not cancelled.
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "experts/experts_int.h"
#include "records/records.h"
#include "store/store.h"

/* The resident in the caller's scope, else "not found" on resident_id (or the scope's own
 * refusal for a role that sees no records). */
static int resident_check(struct store_conn *c, const struct acct_principal *p, int64_t id,
                          struct yl_err *err)
{
    struct yl_err local = {0};
    int rc = rec_scope_check(c, p, id, &local);
    if (rc == YL_ENOTFOUND)
        return yl_err_set(err, YL_ENOTFOUND, "resident_id", "no resident %lld", (long long)id);
    if (rc != 0)
        return yl_err_set(err, rc, local.field[0] ? local.field : NULL, "%s",
                          yl_err_message(&local));
    return 0;
}

/* The host facility's admin books and marks the patients of their own sessions (the
 * clinic's registration desk), whoever holds the patient's record: for them the resident
 * need only exist. */
static const struct acct_principal *reach_for(const struct acct_principal *p,
                                             const char *host_code)
{
    bool host = p != NULL && p->role == ROLE_FACILITY_ADMIN && p->scope.kind == SCOPE_FACILITY &&
                strcmp(p->scope.ref, host_code) == 0;
    return host ? NULL : p;
}

/* May the session take a booking today? The system may enter the past's. */
static int session_open(const struct expert_session *x, bool history, struct yl_err *err)
{
    if (strcmp(x->status, "cancelled") == 0)
        return yl_err_set(err, YL_EINVAL, "session", "session %lld is cancelled",
                          (long long)x->id);
    if (x->day < date_today() && !history)
        return yl_err_set(err, YL_EINVAL, "session", "session %lld has already taken place",
                          (long long)x->id);
    return 0;
}

/* YL_ECONFLICT naming the live booking when the resident already holds a place. */
static int not_booked_yet(struct store_conn *c, int64_t session_id, int64_t resident_id,
                          struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_BOOKING_LIVE);
    store_bind_int(st, 1, session_id);
    store_bind_int(st, 2, resident_id);
    int rc = store_step(st, err);
    int64_t other = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    expert_stmt_finish(st, rc);
    if (rc < 0 || other == 0)
        return rc < 0 ? rc : 0;
    rc = yl_err_set(err, YL_ECONFLICT, "resident_id",
                    "the resident is already booked into this session (booking %lld)",
                    (long long)other);
    if (err != NULL && err->code == YL_ECONFLICT && err->existing_id == 0)
        err->existing_id = other;
    return rc;
}

/*
 * Insert the booking only while the places taken are fewer than the capacity: the count and
 * the insert are one statement (store/sql_experts.h), run inside the write transaction that
 * store_write_begin opened with BEGIN IMMEDIATE. SQLite lets one writer hold that lock at a
 * time, so no other booking can commit between the count and the insert: the n-th booking
 * of a session with n places sees n - 1 and the next one sees n. PostgreSQL under READ
 * COMMITTED would let two transactions count the same snapshot; a backend there must first
 * lock the session row (SELECT ... FROM expert_session WHERE id = ? FOR UPDATE), which
 * serialises the bookings of one session and leaves other sessions free.
 */
static int booking_insert(struct store_conn *c, const struct expert_session *x,
                          int64_t resident_id, int64_t user_id, int64_t *id, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_BOOKING_INSERT);
    store_bind_int(st, 1, resident_id);
    if (user_id > 0)
        store_bind_int(st, 2, user_id);
    else
        store_bind_null(st, 2);
    store_bind_text(st, 3, now);
    store_bind_text(st, 4, now);
    store_bind_int(st, 5, x->id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    expert_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EFULL, "session", "session %lld is full (%lld places)",
                          (long long)x->id, (long long)x->capacity);
    return rc < 0 ? rc : 0;
}

int expert_book(struct store *s, int64_t session_id, int64_t resident_id,
                const struct expert_who *who, int64_t *id, struct yl_err *err)
{
    if (session_id <= 0)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such expert session");
    if (resident_id <= 0)
        return yl_err_set(err, YL_EINVAL, "resident_id", "resident_id is required");
    struct arena a;
    struct expert_session x;
    struct store_conn *c;
    int64_t new_id = 0;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    arena_init(&a);
    rc = expert_session_read(c, session_id, &a, &x, err);
    if (rc == 0)
        rc = resident_check(c, reach_for(who->principal, x.host_code), resident_id, err);
    if (rc == 0)
        rc = session_open(&x, who->principal == NULL, err);
    if (rc == 0)
        rc = not_booked_yet(c, session_id, resident_id, err);
    if (rc == 0)
        rc = booking_insert(c, &x, resident_id, who->actor ? who->actor->user_id : 0, &new_id,
                            err);
    arena_release(&a);
    rc = expert_write_end(c, who, "create", "booking", new_id, rc, err);
    if (rc == 0 && id != NULL)
        *id = new_id;
    return rc;
}

/* A booking as stored: its session, resident, status and the session's day and status. */
struct booking_row {
    int64_t id, session_id, resident_id;
    char status[16], session_status[16];
    char host_code[EXPERT_CODE_MAX + 1];
    int32_t day;
};

/* Load booking `id` for a write by the caller: absent and out of scope look the same. */
static int booking_load(struct store_conn *c, int64_t id, const struct acct_principal *p,
                        struct booking_row *b, struct yl_err *err)
{
    memset(b, 0, sizeof(*b));
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_BOOKING_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        b->id = store_col_int(st, 0);
        b->session_id = store_col_int(st, 1);
        b->resident_id = store_col_int(st, 2);
        snprintf(b->status, sizeof(b->status), "%s", store_col_text(st, 3));
        const char *day = store_col_text(st, 4);
        if (date_parse(day, strlen(day), &b->day, NULL, NULL) != 0)
            b->day = DATE_INVALID;
        snprintf(b->session_status, sizeof(b->session_status), "%s", store_col_text(st, 5));
        snprintf(b->host_code, sizeof(b->host_code), "%s", store_col_text(st, 6));
    }
    expert_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    struct yl_err local = {0};
    if (rc == STORE_DONE ||
        rec_scope_check(c, reach_for(p, b->host_code), b->resident_id, &local) == YL_ENOTFOUND)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no booking %lld", (long long)id);
    if (local.code != 0)
        return yl_err_set(err, local.code, NULL, "%s", yl_err_message(&local));
    return 0;
}

static int booking_set_status(struct store_conn *c, int64_t id, const char *status,
                              struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_BOOKING_SET_STATUS);
    store_bind_text(st, 1, status);
    store_bind_text(st, 2, now);
    store_bind_int(st, 3, id);
    return store_exec(st, err);
}

int expert_booking_cancel(struct store *s, int64_t id, const struct expert_who *who,
                          struct yl_err *err)
{
    struct booking_row b;
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = booking_load(c, id, who->principal, &b, err);
    if (rc == 0 && strcmp(b.status, "booked") != 0)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "the booking is %s, not booked", b.status);
    if (rc == 0)
        rc = booking_set_status(c, id, "cancelled", err);
    return expert_write_end(c, who, "cancel", "booking", id, rc, err);
}

int expert_booking_attend(struct store *s, int64_t id, enum expert_attendance what,
                          int procedures, const struct expert_who *who, struct yl_err *err)
{
    if (what != EXPERT_ATTENDED && what != EXPERT_NO_SHOW)
        return yl_err_set(err, YL_EINVAL, "status", "status must be attended or no_show");
    if (procedures < 0 || procedures > EXPERT_PROCEDURES_MAX)
        return yl_err_set(err, YL_EINVAL, "procedures", "procedures must be from 0 to %d",
                          EXPERT_PROCEDURES_MAX);
    if (what == EXPERT_NO_SHOW && procedures > 0)
        return yl_err_set(err, YL_EINVAL, "procedures",
                          "a patient who did not come had no procedures");
    struct booking_row b;
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = booking_load(c, id, who->principal, &b, err);
    if (rc == 0 && strcmp(b.status, "cancelled") == 0)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "the booking is cancelled");
    if (rc == 0 && b.day > date_today())
        rc = yl_err_set(err, YL_EINVAL, "session",
                        "attendance is recorded from the session's day on");
    if (rc == 0)
        rc = booking_set_status(c, id, what == EXPERT_ATTENDED ? "attended" : "no_show", err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_BOOKING_SET_PROCEDURES);
        store_bind_int(st, 1, procedures);
        store_bind_int(st, 2, id);
        rc = store_exec(st, err);
    }
    /* Attendance recorded means the session took place: it counts as held. */
    if (rc == 0)
        rc = expert_session_mark_held(c, b.session_id, err);
    return expert_write_end(c, who, "attendance", "booking", id, rc, err);
}

static void booking_from(struct store_stmt *st, struct arena *a, struct expert_booking *b)
{
    memset(b, 0, sizeof(*b));
    b->id = store_col_int(st, 0);
    b->resident_id = store_col_int(st, 1);
    idno_mask(store_col_text(st, 2), b->id_number_masked);
    b->name = arena_strdup(a, store_col_text(st, 3));
    b->sex = (int)store_col_int(st, 4);
    b->birth_date = arena_strdup(a, store_col_text(st, 5));
    b->ou_code = arena_strdup(a, store_col_text(st, 6));
    b->status = arena_strdup(a, store_col_text(st, 7));
    b->created_at = arena_strdup(a, store_col_text(st, 8));
    b->booked_by = arena_strdup(a, store_col_text(st, 9));
}

/* Every booking of the session into a growing array in `a`. */
static int bookings_all(struct store_conn *c, int64_t session_id, struct arena *a,
                        struct expert_booking **out, size_t *n, struct yl_err *err)
{
    size_t cap = 32;
    struct expert_booking *rows = arena_alloc(a, cap * sizeof(*rows));
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_BOOKING_LIST);
    store_bind_int(st, 1, session_id);
    int rc;
    *n = 0;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (*n == cap) {
            struct expert_booking *more = arena_alloc(a, 2 * cap * sizeof(*rows));
            memcpy(more, rows, cap * sizeof(*rows));
            rows = more;
            cap *= 2;
        }
        booking_from(st, a, &rows[(*n)++]);
    }
    *out = rows;
    return rc < 0 ? rc : 0;
}

int expert_booking_list(struct store *s, int64_t session_id, const struct acct_principal *p,
                        struct arena *a, struct expert_booking **out, struct yl_err *err)
{
    struct expert_session x;
    size_t n = 0, kept = 0;
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = expert_session_read(c, session_id, a, &x, err);
    if (rc == 0)
        rc = bookings_all(c, session_id, a, out, &n, err);
    /* The host runs the session and sees its whole list; anyone else sees the residents
     * they care for, one scope check each (a session has at most a few hundred). */
    bool all = rc == 0 && expert_runs_facility(p, x.host_code);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (all || rec_scope_check(c, p, (*out)[i].resident_id, NULL) == 0)
            (*out)[kept++] = (*out)[i];
    store_rollback(c);
    store_release(c);
    return rc < 0 ? rc : (int)kept;
}
