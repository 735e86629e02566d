/*
 * sessions.c - scheduling, cancelling and reading expert sessions, and the figures a county
 * reports from them (sessions held, patients seen, by expert and by host facility).
 *
 * A session joins two levels of the service system: the expert works at a higher-level
 * hospital (secondary or above, county, TCM or maternal and child health), the host is a
 * grassroots facility (township or community center or station, village clinic). The two
 * tables below are that rule, by facility type.
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "experts/experts_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

static const bool expert_level[FT_COUNT] = {
    [FT_TERTIARY_HOSPITAL] = true, [FT_SECONDARY_HOSPITAL] = true, [FT_COUNTY_HOSPITAL] = true,
    [FT_TCM_HOSPITAL] = true,      [FT_MCH_HOSPITAL] = true,
};

static const bool grassroots[FT_COUNT] = {
    [FT_COMMUNITY_CENTER] = true, [FT_COMMUNITY_STATION] = true, [FT_TOWNSHIP_CENTER] = true,
    [FT_VILLAGE_CLINIC] = true,
};

void expert_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

int expert_write_end(struct store_conn *c, const struct expert_who *who, const char *action,
                     const char *type, int64_t id, int rc, struct yl_err *err)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    struct audit_event ev = {action, type, text, "ok"};
    return audit_finish_write(c, who->actor, &ev, rc, err);
}

bool expert_runs_facility(const struct acct_principal *p, const char *code)
{
    if (p == NULL)
        return true;
    if (p->role == ROLE_ADMIN && p->scope.kind == SCOPE_REGION)
        return true;
    return p->role == ROLE_FACILITY_ADMIN && p->scope.kind == SCOPE_FACILITY &&
           strcmp(p->scope.ref, code) == 0;
}

/* "HH:MM", 00:00 to 23:59: fixed width, so text order is time order. */
static bool time_ok(const char *s)
{
    if (s == NULL || strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    return (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

static bool present(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int input_check(const struct expert_session_input *in, bool history,
                       struct yl_err *err)
{
    if (!present(in->expert_code))
        return yl_err_set(err, YL_EINVAL, "expert_code", "expert_code is required");
    if (!present(in->host_code))
        return yl_err_set(err, YL_EINVAL, "host_code", "host_code is required");
    if (in->day == DATE_INVALID)
        return yl_err_set(err, YL_EINVAL, "day", "day is required");
    if (in->day < date_today() && !history)
        return yl_err_set(err, YL_EINVAL, "day", "a session cannot be scheduled in the past");
    if (!time_ok(in->start_time))
        return yl_err_set(err, YL_EINVAL, "start_time", "start_time must be HH:MM");
    if (!time_ok(in->end_time))
        return yl_err_set(err, YL_EINVAL, "end_time", "end_time must be HH:MM");
    if (strcmp(in->end_time, in->start_time) <= 0)
        return yl_err_set(err, YL_EINVAL, "end_time", "end_time must be after start_time");
    if (in->capacity < 1 || in->capacity > EXPERT_CAPACITY_MAX)
        return yl_err_set(err, YL_EINVAL, "capacity", "capacity must be from 1 to %d",
                          EXPERT_CAPACITY_MAX);
    return 0;
}

/* The expert: an active staff member of an active higher-level facility. */
static int expert_load(struct store_conn *c, const char *code, int64_t *id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_STAFF_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    bool active = false;
    int type = -1;
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        type = vocab_find(VOCAB_FACILITY_TYPE, store_col_text(st, 2));
        active = strcmp(store_col_text(st, 1), "active") == 0 &&
                 strcmp(store_col_text(st, 3), "active") == 0;
    }
    expert_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, "expert_code", "no staff \"%s\"", code);
    if (!active)
        return yl_err_set(err, YL_EINVAL, "expert_code",
                          "staff \"%s\" has left or their facility is closed", code);
    if (type < 0 || !expert_level[type])
        return yl_err_set(err, YL_EINVAL, "expert_code",
                          "staff \"%s\" does not work at a secondary-or-above, county, TCM or "
                          "maternal and child health hospital",
                          code);
    return 0;
}

/* The host: an active grassroots facility. */
static int host_load(struct store_conn *c, const char *code, int64_t *id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_HOST_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    bool active = false;
    int type = -1;
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        type = vocab_find(VOCAB_FACILITY_TYPE, store_col_text(st, 1));
        active = strcmp(store_col_text(st, 2), "active") == 0;
    }
    expert_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, "host_code", "no facility \"%s\"", code);
    if (!active)
        return yl_err_set(err, YL_EINVAL, "host_code", "facility \"%s\" is closed", code);
    if (type < 0 || !grassroots[type])
        return yl_err_set(err, YL_EINVAL, "host_code",
                          "facility \"%s\" is not a township or community health center or "
                          "station, or a village clinic",
                          code);
    return 0;
}

static int external_free(struct store_conn *c, const char *external_id, struct yl_err *err)
{
    if (!present(external_id))
        return 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_BY_EXTERNAL);
    store_bind_text(st, 1, external_id);
    int rc = store_step(st, err);
    int64_t other = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    expert_stmt_finish(st, rc);
    if (rc < 0 || other == 0)
        return rc < 0 ? rc : 0;
    rc = yl_err_set(err, YL_ECONFLICT, "external_id", "external_id is taken by session %lld",
                    (long long)other);
    if (err != NULL && err->code == YL_ECONFLICT && err->existing_id == 0)
        err->existing_id = other;
    return rc;
}

static int session_insert(struct store_conn *c, const struct expert_session_input *in,
                          int64_t expert_id, int64_t host_id, int64_t *id, struct yl_err *err)
{
    char now[32], day[DATE_STR_LEN];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_INSERT);
    store_bind_text(st, 1, present(in->external_id) ? in->external_id : NULL);
    store_bind_int(st, 2, expert_id);
    store_bind_int(st, 3, host_id);
    store_bind_text(st, 4, date_format(in->day, day));
    store_bind_text(st, 5, in->start_time);
    store_bind_text(st, 6, in->end_time);
    store_bind_int(st, 7, in->capacity);
    store_bind_text(st, 8, now);
    store_bind_text(st, 9, now);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    expert_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int expert_session_create(struct store *s, const struct expert_session_input *in,
                          const struct expert_who *who, int64_t *id, struct yl_err *err)
{
    /* The system enters past sessions (an import, the demo's year); people schedule. */
    int rc = input_check(in, who->principal == NULL, err);
    if (rc != 0)
        return rc;
    if (!expert_runs_facility(who->principal, in->host_code))
        return yl_err_set(err, YL_EFORBIDDEN, "host_code",
                          "only the host facility's admin may schedule its sessions");
    struct store_conn *c;
    int64_t expert_id = 0, host_id = 0, new_id = 0;
    rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = expert_load(c, in->expert_code, &expert_id, err);
    if (rc == 0)
        rc = host_load(c, in->host_code, &host_id, err);
    if (rc == 0)
        rc = external_free(c, in->external_id, err);
    if (rc == 0)
        rc = session_insert(c, in, expert_id, host_id, &new_id, err);
    rc = expert_write_end(c, who, "create", "expert_session", new_id, rc, err);
    if (rc == 0 && id != NULL)
        *id = new_id;
    return rc;
}

/* Columns of SQL_EXPERT_SESSION_SELECT into *out, strings in a. */
static void session_from(struct store_stmt *st, struct arena *a, struct expert_session *out)
{
    memset(out, 0, sizeof(*out));
    out->id = store_col_int(st, 0);
    out->external_id = arena_strdup(a, store_col_text(st, 1));
    out->expert_code = arena_strdup(a, store_col_text(st, 2));
    out->expert_name = arena_strdup(a, store_col_text(st, 3));
    out->expert_facility = arena_strdup(a, store_col_text(st, 4));
    out->host_code = arena_strdup(a, store_col_text(st, 5));
    out->host_name = arena_strdup(a, store_col_text(st, 6));
    const char *day = store_col_text(st, 7);
    if (date_parse(day, strlen(day), &out->day, NULL, NULL) != 0)
        out->day = DATE_INVALID;
    snprintf(out->start_time, sizeof(out->start_time), "%s", store_col_text(st, 8));
    snprintf(out->end_time, sizeof(out->end_time), "%s", store_col_text(st, 9));
    out->capacity = store_col_int(st, 10);
    out->status = arena_strdup(a, store_col_text(st, 11));
    out->created_at = arena_strdup(a, store_col_text(st, 12));
    out->booked = store_col_int(st, 13);
    out->attended = store_col_int(st, 14);
}

int expert_session_read(struct store_conn *c, int64_t id, struct arena *a,
                        struct expert_session *out, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        session_from(st, a, out);
    expert_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no expert session %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int expert_session_get(struct store *s, int64_t id, struct arena *a, struct expert_session *out,
                       struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = expert_session_read(c, id, a, out, err);
    store_release(c);
    return rc;
}

static int session_set_status(struct store_conn *c, int64_t id, const char *status,
                              struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_SET_STATUS);
    store_bind_text(st, 1, status);
    store_bind_text(st, 2, now);
    store_bind_int(st, 3, id);
    return store_exec(st, err);
}

int expert_session_mark_held(struct store_conn *c, int64_t id, struct yl_err *err)
{
    return session_set_status(c, id, "held", err);
}

int expert_session_cancel(struct store *s, int64_t id, const struct expert_who *who,
                          struct yl_err *err)
{
    struct arena a;
    struct expert_session x;
    struct store_conn *c;
    arena_init(&a);
    int rc = store_write_begin(s, &c, err);
    if (rc != 0) {
        arena_release(&a);
        return rc;
    }
    rc = expert_session_read(c, id, &a, &x, err);
    if (rc == 0 && !expert_runs_facility(who->principal, x.host_code))
        rc = yl_err_set(err, YL_EFORBIDDEN, NULL,
                        "only the host facility's admin may cancel its sessions");
    if (rc == 0 && strcmp(x.status, "scheduled") != 0)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "the session is %s, not scheduled",
                        x.status);
    if (rc == 0)
        rc = session_set_status(c, id, "cancelled", err);
    if (rc == 0) {
        /* The residents' places go with the session, in the same transaction, so no booking
         * is ever left live in a cancelled session. */
        char now[32];
        audit_now_rfc3339(now);
        struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_CANCEL_BOOKINGS);
        store_bind_text(st, 1, now);
        store_bind_int(st, 2, id);
        rc = store_exec(st, err);
    }
    arena_release(&a);
    return expert_write_end(c, who, "cancel", "expert_session", id, rc, err);
}

/* A day as stored text; `open` stands for DATE_INVALID. */
static const char *day_text(int32_t d, const char *open, char out[DATE_STR_LEN])
{
    return d == DATE_INVALID ? open : date_format(d, out);
}

int expert_session_list(struct store *s, const struct expert_session_filter *f, struct arena *a,
                        struct expert_session *out, struct yl_err *err)
{
    const char *host = f->host_code ? f->host_code : "";
    const char *expert = f->expert_code ? f->expert_code : "";
    char from[DATE_STR_LEN], to[DATE_STR_LEN];
    const char *from_s = day_text(f->from_day, "", from);
    const char *to_s = day_text(f->to_day, "", to);
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_EXPERT_SESSION_LIST);
    int k = 1;
    store_bind_int(st, k++, f->after_id);
    const char *pairs[] = {host, expert, from_s, to_s};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        store_bind_text(st, k++, pairs[i]);
        store_bind_text(st, k++, pairs[i]);
    }
    store_bind_int(st, k++, f->limit);
    int n = 0, rc = 0;
    while (n < f->limit && (rc = store_step(st, err)) == STORE_ROW)
        session_from(st, a, &out[n++]);
    if (n == f->limit)
        rc = store_exec(st, err);
    store_release(c);
    return rc < 0 ? rc : n;
}

/* Run one stats statement into a growing array of rows in `a`. */
static int stats_run(struct store_conn *c, enum store_sql id, const char *from, const char *to,
                     struct arena *a, struct expert_stat **out, size_t *n, struct yl_err *err)
{
    size_t cap = 16;
    struct expert_stat *rows = arena_alloc(a, cap * sizeof(*rows));
    struct store_stmt *st = store_stmt(c, id);
    store_bind_text(st, 1, from);
    store_bind_text(st, 2, to);
    int rc;
    *n = 0;
    while ((rc = store_step(st, err)) == STORE_ROW && *n < EXPERT_STATS_MAX) {
        if (*n == cap) {
            struct expert_stat *more = arena_alloc(a, 2 * cap * sizeof(*rows));
            memcpy(more, rows, cap * sizeof(*rows));
            rows = more;
            cap *= 2;
        }
        struct expert_stat *r = &rows[(*n)++];
        r->code = arena_strdup(a, store_col_text(st, 0));
        r->name = arena_strdup(a, store_col_text(st, 1));
        r->facility_code = arena_strdup(a, store_col_text(st, 2));
        r->sessions_held = store_col_int(st, 3);
        r->patients_seen = store_col_int(st, 4);
        r->procedures = store_col_int(st, 5);
    }
    expert_stmt_finish(st, rc);
    *out = rows;
    return rc < 0 ? rc : 0;
}

int expert_stats(struct store *s, int32_t from, int32_t to, struct arena *a,
                 struct expert_stats *out, struct yl_err *err)
{
    char from_buf[DATE_STR_LEN], to_buf[DATE_STR_LEN];
    const char *from_s = day_text(from, "0000-01-01", from_buf);
    const char *to_s = day_text(to, "9999-12-31", to_buf);
    memset(out, 0, sizeof(*out));
    struct store_conn *c = store_acquire(s);
    /* Both tables from one snapshot, so their totals agree. */
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = stats_run(c, STORE_SQL_EXPERT_STATS_BY_EXPERT, from_s, to_s, a, &out->by_expert,
                       &out->n_by_expert, err);
    if (rc == 0)
        rc = stats_run(c, STORE_SQL_EXPERT_STATS_BY_HOST, from_s, to_s, a, &out->by_host,
                       &out->n_by_host, err);
    store_rollback(c);
    store_release(c);
    for (size_t i = 0; rc == 0 && i < out->n_by_host; i++) {
        out->sessions_held += out->by_host[i].sessions_held;
        out->patients_seen += out->by_host[i].patients_seen;
        out->procedures += out->by_host[i].procedures;
    }
    return rc;
}
