/*
 * recognise.c - mutual recognition (results.h): which of a resident's results an ordering
 * facility may take instead of repeating a test, recording that it did, and the figures.
 *
 * The one idea: one predicate, `recognised`, decides for the lookup and for a use, so a
 * result the lookup offers is always one a use accepts the same day. Validity is a window
 * of days the store answers from its index on (resident, item, day); the scope is then
 * checked result by result (a resident has a handful of results of one item in a window),
 * each a primary-key probe of medical_group_member, so the lookup's cost does not grow with
 * the region's 100 million results.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "records/records.h"
#include "results/results_int.h"
#include "store/store.h"

#define WINDOW_ROWS_MAX 1000 /* results of one item in one validity window read at most */

/* Valid on `day`: taken on or before it, and fewer than validity_days days before. */
static bool valid_on(const struct res_item *it, int32_t result_day, int32_t day)
{
    return result_day != DATE_INVALID && result_day <= day &&
           day - result_day < it->validity_days;
}

/* Whether the item's scope joins the facility that produced a result and the ordering one. */
static int recognised(struct store_conn *c, const struct res_item *it, int64_t result_facility,
                      int64_t ordering, bool *yes, struct yl_err *err)
{
    *yes = it->scope == RES_SCOPE_REGION || result_facility == ordering;
    if (*yes)
        return 0;
    /* county_community: one compact county medical community; group: any medical group. */
    const char *kind = it->scope == RES_SCOPE_COUNTY_COMMUNITY ? "county_community" : "";
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_SAME_GROUP);
    store_bind_int(st, 1, result_facility);
    store_bind_int(st, 2, ordering);
    store_bind_text(st, 3, kind);
    store_bind_text(st, 4, kind);
    int rc = store_step(st, err);
    *yes = rc == STORE_ROW;
    res_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

/* The catalogue item `code`; YL_EINVAL on "item" when missing or unknown. */
static int find_item(struct store_conn *c, const char *code, struct res_item *it,
                     struct yl_err *err)
{
    bool found = false;
    if (res_empty(code))
        return yl_err_set(err, YL_EINVAL, "item", "item is required");
    int rc = res_item_read(c, code, 0, it, &found, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_EINVAL, "item", "no result item \"%s\" in the catalogue", code);
    return rc;
}

/* The item's results of the resident inside its validity window ending on `day`, newest
 * first, into an array in `a`. */
static int read_window(struct store_conn *c, int64_t resident_id, const struct res_item *it,
                       int32_t day, struct arena *a, struct res_result **rows, size_t *n,
                       struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN];
    *rows = arena_alloc(a, WINDOW_ROWS_MAX * sizeof(**rows));
    *n = 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_IN_WINDOW);
    store_bind_int(st, 1, resident_id);
    store_bind_int(st, 2, it->id);
    store_bind_text(st, 3, date_format(date_add_days(day, -(it->validity_days - 1)), from));
    store_bind_text(st, 4, date_format(day, to));
    store_bind_int(st, 5, WINDOW_ROWS_MAX);
    int rc = STORE_DONE;
    while (*n < WINDOW_ROWS_MAX) {
        rc = store_step(st, err);
        if (rc != STORE_ROW)
            break;
        res_result_from_row(st, a, &(*rows)[(*n)++]);
    }
    res_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int res_recognised_find(struct store *s, const struct acct_principal *who,
                        const struct res_recognised_query *q, struct arena *a,
                        struct res_recognised *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    struct res_result *rows = NULL;
    size_t n_rows = 0;
    int64_t ordering = 0;
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = rec_scope_check(c, who, q->resident_id, err);
    if (rc == 0)
        rc = find_item(c, q->item, &out->item, err);
    if (rc == 0)
        rc = res_facility_find(c, q->facility, &ordering, err);
    if (rc == 0)
        rc = read_window(c, q->resident_id, &out->item, q->day, a, &rows, &n_rows, err);
    out->results = rows;
    for (size_t i = 0; rc == 0 && i < n_rows && out->n < RES_RECOGNISED_MAX; i++) {
        bool yes = false;
        rc = recognised(c, &out->item, rows[i].facility_id, ordering, &yes, err);
        /* Compact in place: the kept rows stay in their order, newest first. */
        if (rc == 0 && yes && valid_on(&out->item, rows[i].day, q->day))
            rows[out->n++] = rows[i];
    }
    store_rollback(c);
    store_release(c);
    if (rc != 0)
        out->n = 0;
    return rc;
}

/* --- uses ------------------------------------------------------------------------------- */

/* The result the use names, of this resident, and its item. */
static int use_result(struct store_conn *c, const struct res_use_input *in, struct arena *a,
                      struct res_result *r, struct res_item *it, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_BY_ID);
    store_bind_int(st, 1, in->result_id);
    int rc = store_step(st, err);
    bool found = rc == STORE_ROW;
    if (found)
        res_result_from_row(st, a, r);
    res_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    /* Another resident's result is as absent as one that does not exist. */
    if (!found || r->resident_id != in->resident_id)
        return yl_err_set(err, YL_ENOTFOUND, "result_id", "resident %lld has no result %lld",
                          (long long)in->resident_id, (long long)in->result_id);
    rc = res_item_read(c, NULL, r->item_id, it, &found, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_ESTORE, NULL, "result %lld has no catalogue item",
                        (long long)r->id);
    return rc;
}

static int check_use(struct store_conn *c, const struct res_use_input *in,
                     const struct res_result *r, const struct res_item *it, int64_t ordering,
                     struct yl_err *err)
{
    char day[DATE_STR_LEN];
    if (r->day > in->day)
        return yl_err_set(err, YL_EINVAL, "result_id", "result %lld was not yet taken on %s",
                          (long long)r->id, date_format(in->day, day));
    if (!valid_on(it, r->day, in->day))
        return yl_err_set(err, YL_EINVAL, "result_id",
                          "result %lld is no longer valid on %s: item \"%s\" is valid %d days",
                          (long long)r->id, date_format(in->day, day), it->code,
                          it->validity_days);
    bool yes = false;
    int rc = recognised(c, it, r->facility_id, ordering, &yes, err);
    if (rc == 0 && !yes)
        rc = yl_err_set(err, YL_EINVAL, "facility",
                        "result %lld of facility \"%s\" is not recognised at facility \"%s\": "
                        "item \"%s\" is recognised within one %s",
                        (long long)r->id, r->facility, in->facility, it->code,
                        it->scope == RES_SCOPE_GROUP ? "medical group"
                                                     : "county medical community");
    return rc;
}

/* Insert the use, or find the one this facility recorded for this result that day. */
static int use_insert(struct store_conn *c, const struct res_result *r, int64_t ordering,
                      const char *date, struct res_use *out, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_USE_INSERT);
    store_bind_int(st, 1, r->id);
    store_bind_int(st, 2, r->resident_id);
    store_bind_int(st, 3, r->item_id);
    store_bind_int(st, 4, ordering);
    store_bind_text(st, 5, date);
    store_bind_text(st, 6, now);
    int rc = store_step(st, err);
    out->created = rc == STORE_ROW;
    if (out->created)
        out->id = store_col_int(st, 0);
    res_stmt_finish(st, rc);
    if (rc < 0 || out->created)
        return rc < 0 ? rc : 0;
    st = store_stmt(c, STORE_SQL_RES_USE_BY_KEY);
    store_bind_int(st, 1, r->id);
    store_bind_int(st, 2, ordering);
    store_bind_text(st, 3, date);
    rc = store_step(st, err);
    if (rc == STORE_ROW)
        out->id = store_col_int(st, 0);
    res_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        rc = yl_err_set(err, YL_ESTORE, NULL, "the use was not stored");
    return rc < 0 ? rc : 0;
}

int res_use_record(struct store *s, const struct acct_principal *who,
                   const struct audit_actor *by, const struct res_use_input *in,
                   struct res_use *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    out->result_id = in->result_id;
    out->day = in->day;
    if (in->day == DATE_INVALID || in->day > date_today())
        return yl_err_set(err, YL_EINVAL, "date", "the day of a use is today or before");
    struct arena a;
    struct res_result r;
    struct res_item it;
    struct store_conn *c;
    int64_t ordering = 0;
    char date[DATE_STR_LEN];
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    arena_init(&a);
    rc = rec_scope_check(c, who, in->resident_id, err);
    if (rc == 0)
        rc = use_result(c, in, &a, &r, &it, err);
    if (rc == 0)
        rc = res_facility_find(c, in->facility, &ordering, err);
    if (rc == 0)
        rc = check_use(c, in, &r, &it, ordering, err);
    if (rc == 0)
        rc = use_insert(c, &r, ordering, date_format(in->day, date), out, err);
    arena_release(&a);
    if (rc == 0 && !out->created) {
        /* Counted already: one repeat avoided, not two. */
        store_rollback(c);
        store_release(c);
        return 0;
    }
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)in->resident_id);
    struct audit_event ev = {"use_recognised_result", "resident", id, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

/* --- figures ----------------------------------------------------------------------------- */

static void bind_range(struct store_stmt *st, int32_t from, int32_t to)
{
    char f[DATE_STR_LEN], t[DATE_STR_LEN];
    /* An open end is a text bound every stored date passes. */
    store_bind_text(st, 1, from == DATE_INVALID ? "0000-00-00" : date_format(from, f));
    store_bind_text(st, 2, to == DATE_INVALID ? "9999-99-99" : date_format(to, t));
}

static int stats_rows(struct store_conn *c, enum store_sql q, int32_t from, int32_t to,
                      struct arena *a, struct res_stat **out, size_t *n, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, q);
    bind_range(st, from, to);
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof(**out));
    *n = 0;
    int rc = STORE_DONE;
    while (*n < RES_STATS_MAX) {
        rc = store_step(st, err);
        if (rc != STORE_ROW)
            break;
        if (*n == cap) {
            struct res_stat *more = arena_alloc(a, 2 * cap * sizeof(*more));
            memcpy(more, *out, cap * sizeof(*more));
            *out = more;
            cap *= 2;
        }
        struct res_stat *x = &(*out)[(*n)++];
        x->code = arena_strdup(a, store_col_text(st, 0));
        x->name = arena_strdup(a, store_col_text(st, 1));
        x->uses = store_col_int(st, 2);
        x->results = store_col_int(st, 3);
    }
    res_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int res_stats_get(struct store *s, int32_t from, int32_t to, struct arena *a,
                  struct res_stats *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    if (from != DATE_INVALID && to != DATE_INVALID && to < from)
        return yl_err_set(err, YL_EINVAL, "to", "to is before from");
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_RES_STATS_TOTAL);
        bind_range(st, from, to);
        rc = store_step(st, err);
        if (rc == STORE_ROW) {
            out->uses = store_col_int(st, 0);
            out->results = store_col_int(st, 1);
        }
        res_stmt_finish(st, rc);
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0)
        rc = stats_rows(c, STORE_SQL_RES_STATS_BY_FACILITY, from, to, a, &out->by_facility,
                        &out->n_by_facility, err);
    if (rc == 0)
        rc = stats_rows(c, STORE_SQL_RES_STATS_BY_ITEM, from, to, a, &out->by_item,
                        &out->n_by_item, err);
    store_rollback(c);
    store_release(c);
    return rc;
}
