/*
 * read.c - reading referrals: one by id for either side, and the boxes (a facility's or a
 * team's inbox, a facility's outbox) with the overdue flag judged at the caller's now.
 * Each read runs in one read transaction; lists mask the ID number for every role, as
 * the health records' lists do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/err.h"
#include "core/mem.h"
#include "records/records.h"
#include "referral/referral_int.h"
#include "store/store.h"

static void copy_time(char out[REF_TIME_LEN], const char *s)
{
    snprintf(out, REF_TIME_LEN, "%s", s);
}

void ref_from_row(struct store_stmt *st, struct arena *a, bool mask, struct ref_referral *r)
{
    memset(r, 0, sizeof(*r));
    r->id = store_col_int(st, 0);
    r->external_id = arena_strdup(a, store_col_text(st, 1));
    int d = ref_direction_find(store_col_text(st, 2));
    r->direction = d < 0 ? REF_UP : (enum ref_direction)d;
    r->resident_id = store_col_int(st, 3);
    r->resident_name = arena_strdup(a, store_col_text(st, 4));
    r->masked = mask;
    if (mask)
        idno_mask(store_col_text(st, 5), r->id_number);
    else
        snprintf(r->id_number, sizeof(r->id_number), "%s", store_col_text(st, 5));
    r->from_facility = arena_strdup(a, store_col_text(st, 6));
    r->to_facility = arena_strdup(a, store_col_text(st, 7));
    r->to_team = arena_strdup(a, store_col_text(st, 8));
    r->to_team_id = store_col_int(st, 9);
    r->reason = arena_strdup(a, store_col_text(st, 10));
    r->outside_reason = arena_strdup(a, store_col_text(st, 11));
    int u = ref_urgency_find(store_col_text(st, 12));
    r->urgency = u < 0 ? REF_ROUTINE : (enum ref_urgency)u;
    r->summary = arena_strdup(a, store_col_text(st, 13));
    int s = ref_status_find(store_col_text(st, 14));
    r->status = s < 0 ? REF_REQUESTED : (enum ref_status)s;
    r->reject_reason = arena_strdup(a, store_col_text(st, 15));
    copy_time(r->requested_at, store_col_text(st, 16));
    copy_time(r->due_at, store_col_text(st, 17));
    copy_time(r->accepted_at, store_col_text(st, 18));
    copy_time(r->rejected_at, store_col_text(st, 19));
    copy_time(r->arrived_at, store_col_text(st, 20));
    copy_time(r->completed_at, store_col_text(st, 21));
    copy_time(r->cancelled_at, store_col_text(st, 22));
    r->created_by = store_col_int(st, 23);
    r->created_by_name = arena_strdup(a, store_col_text(st, 24));
    int k = ref_kind_find(store_col_text(st, 25));
    r->kind = k < 0 ? REF_KIND_REFERRAL : (enum ref_kind)k;
    r->report = arena_strdup(a, store_col_text(st, 26));
}

/* The results attached to r, into r->results (arena). */
static int read_attached(struct store_conn *c, struct arena *a, struct ref_referral *r,
                         struct yl_err *err)
{
    struct ref_attached *out = arena_alloc(a, REF_RESULTS_MAX * sizeof(*out));
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_RESULTS);
    store_bind_int(st, 1, r->id);
    size_t n = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW && n < REF_RESULTS_MAX) {
        struct ref_attached *x = &out[n++];
        x->id = store_col_int(st, 0);
        x->item = arena_strdup(a, store_col_text(st, 1));
        x->name = arena_strdup(a, store_col_text(st, 2));
        x->kind = arena_strdup(a, store_col_text(st, 3));
        x->date = arena_strdup(a, store_col_text(st, 4));
        x->has_value = !store_col_is_null(st, 5);
        x->value = x->has_value ? store_col_double(st, 5) : 0;
        x->unit = arena_strdup(a, store_col_text(st, 6));
        x->report = arena_strdup(a, store_col_text(st, 7));
        x->facility = arena_strdup(a, store_col_text(st, 8));
    }
    ref_stmt_finish(st, rc);
    r->results = out;
    r->n_results = n;
    return rc < 0 ? rc : 0;
}

int ref_read(struct store_conn *c, int64_t id, struct arena *a, bool mask,
             struct ref_referral *out, bool *found, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        ref_from_row(st, a, mask, out);
    ref_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int ref_get(struct store *s, const struct acct_principal *who, int64_t id, int64_t now_s,
            struct arena *a, struct ref_referral *out, struct yl_err *err)
{
    bool found = false;
    struct store_conn *c = store_acquire(s);
    int rc = ref_read(c, id, a, !rec_shows_identity(who), out, &found, err);
    /* Neither side: the referral does not exist for this caller. */
    if (rc == 0 && (!found || (!ref_is_sender(who, out) && !ref_is_receiver(who, out))))
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no referral %lld", (long long)id);
    if (rc == 0)
        rc = read_attached(c, a, out, err);
    store_release(c);
    if (rc == 0)
        out->overdue = ref_is_overdue(out, now_s);
    return rc;
}

/* --- boxes -------------------------------------------------------------------------------- */

/* The box's key: the facility's id, or the team's id and its facility's code. */
static int box_key(struct store_conn *c, const struct ref_query *q, int64_t *key,
                   char team_facility[REF_CODE_MAX + 1], struct yl_err *err)
{
    bool by_team = q->team != NULL && q->team[0] != '\0';
    const char *code = by_team ? q->team : q->facility;
    const char *field = by_team ? "team" : "facility";
    struct store_stmt *st =
        store_stmt(c, by_team ? STORE_SQL_REF_TEAM_BY_CODE : STORE_SQL_REF_FACILITY_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        *key = store_col_int(st, 0);
        snprintf(team_facility, REF_CODE_MAX + 1, "%s", by_team ? store_col_text(st, 1) : "");
    }
    ref_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, field, "no %s \"%s\"", field, code);
    return rc < 0 ? rc : 0;
}

static int query_check(const struct ref_query *q, struct yl_err *err)
{
    bool facility = q->facility != NULL && q->facility[0] != '\0';
    bool team = q->team != NULL && q->team[0] != '\0';
    if (facility == team)
        return yl_err_set(err, YL_EINVAL, "facility", "give either facility or team");
    if (team && q->box == REF_OUTBOX)
        return yl_err_set(err, YL_EINVAL, "team", "an outbox is a facility's");
    if (q->status != NULL && q->status[0] != '\0' && ref_status_find(q->status) < 0)
        return yl_err_set(err, YL_EINVAL, "status", "no referral status \"%s\"", q->status);
    if (q->kind != NULL && q->kind[0] != '\0' && ref_kind_find(q->kind) < 0)
        return yl_err_set(err, YL_EINVAL, "kind", "no kind of request \"%s\"", q->kind);
    return 0;
}

/* May `p` read this box? The region any; a facility's admin their facility's boxes and its
 * teams' inboxes; a family doctor their own team's inbox; a doctor who sends referrals the
 * outbox, narrowed to their own (*author). */
static int box_scope(const struct acct_principal *p, const struct ref_query *q, int64_t key,
                     const char *team_facility, int64_t *author, struct yl_err *err)
{
    *author = 0;
    if (ref_is_region(p))
        return 0;
    bool by_team = q->team != NULL && q->team[0] != '\0';
    const char *facility = by_team ? team_facility : q->facility;
    if (p->role == ROLE_FACILITY_ADMIN && p->scope.kind == SCOPE_FACILITY &&
        strcmp(p->scope.ref, facility) == 0)
        return 0;
    if (by_team && p->role == ROLE_FAMILY_DOCTOR && p->scope.kind == SCOPE_TEAM &&
        strtoll(p->scope.ref, NULL, 10) == key)
        return 0;
    if (q->box == REF_OUTBOX && p->user_id > 0 &&
        (p->role == ROLE_FAMILY_DOCTOR || p->role == ROLE_VILLAGE_DOCTOR)) {
        *author = p->user_id;
        return 0;
    }
    return yl_err_set(err, YL_EFORBIDDEN, by_team ? "team" : "facility",
                      "the referrals of another %s are outside your scope",
                      by_team ? "team" : "facility");
}

static enum store_sql box_statement(const struct ref_query *q)
{
    if (q->box == REF_OUTBOX)
        return STORE_SQL_REF_OUTBOX_FACILITY;
    return q->team != NULL && q->team[0] != '\0' ? STORE_SQL_REF_INBOX_TEAM
                                                 : STORE_SQL_REF_INBOX_FACILITY;
}

static int read_box(struct store_conn *c, const struct ref_query *q, int64_t key,
                    int64_t author, int64_t now_s, struct arena *a, struct ref_referral **out,
                    size_t *n, struct yl_err *err)
{
    int limit = q->limit > 0 ? q->limit : 1;
    const char *status = q->status ? q->status : "", *kind = q->kind ? q->kind : "";
    *out = arena_alloc(a, (size_t)limit * sizeof(**out));
    struct store_stmt *st = store_stmt(c, box_statement(q));
    store_bind_int(st, 1, key);
    /* REF_SQL_PAGE's list: every status, or the one asked in each place. */
    _Static_assert(REF_STATUS_COUNT == 6, "REF_SQL_PAGE lists six statuses");
    for (int i = 0; i < REF_STATUS_COUNT; i++)
        store_bind_text(st, 2 + i,
                        status[0] != '\0' ? status : ref_status_code((enum ref_status)i));
    int k = 2 + REF_STATUS_COUNT;
    store_bind_text(st, k++, kind);
    store_bind_text(st, k++, kind);
    store_bind_int(st, k++, author);
    store_bind_int(st, k++, author);
    store_bind_int(st, k++, q->after);
    store_bind_int(st, k, limit);
    int rc = STORE_DONE;
    while (*n < (size_t)limit && (rc = store_step(st, err)) == STORE_ROW) {
        struct ref_referral *r = &(*out)[(*n)++];
        ref_from_row(st, a, true, r);
        r->overdue = ref_is_overdue(r, now_s);
    }
    if (*n == (size_t)limit)
        rc = STORE_ROW; /* stopped on a row: finish the statement */
    ref_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int ref_list(struct store *s, const struct acct_principal *who, const struct ref_query *q,
             int64_t now_s, struct arena *a, struct ref_referral **out, size_t *n,
             struct yl_err *err)
{
    *out = NULL;
    *n = 0;
    int rc = query_check(q, err);
    if (rc != 0)
        return rc;
    int64_t key = 0, author = 0;
    char team_facility[REF_CODE_MAX + 1] = "";
    struct store_conn *c = store_acquire(s);
    rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = box_key(c, q, &key, team_facility, err);
    if (rc == 0)
        rc = box_scope(who, q, key, team_facility, &author, err);
    if (rc == 0)
        rc = read_box(c, q, key, author, now_s, a, out, n, err);
    store_rollback(c);
    store_release(c);
    return rc;
}
