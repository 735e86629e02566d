/*
 * read.c - reading results: one by id and a resident's by id (results.h). Each read runs in
 * one read transaction with its scope check, so a list never mixes two states of the store.
 */
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "records/records.h"
#include "results/results_int.h"
#include "store/store.h"

static int32_t text_day(const char *s)
{
    int32_t d;
    if (s[0] == '\0' || date_parse(s, strlen(s), &d, NULL, NULL) != 0)
        return DATE_INVALID;
    return d;
}

void res_result_from_row(struct store_stmt *st, struct arena *a, struct res_result *r)
{
    memset(r, 0, sizeof(*r));
    r->id = store_col_int(st, 0);
    snprintf(r->external_id, sizeof(r->external_id), "%s", store_col_text(st, 1));
    r->resident_id = store_col_int(st, 2);
    r->item_id = store_col_int(st, 3);
    snprintf(r->item, sizeof(r->item), "%s", store_col_text(st, 4));
    int kind = res_kind_find(store_col_text(st, 5));
    r->kind = kind < 0 ? RES_LAB : (enum res_kind)kind;
    r->has_value = !store_col_is_null(st, 6);
    r->value = r->has_value ? store_col_double(st, 6) : 0;
    snprintf(r->unit, sizeof(r->unit), "%s", store_col_text(st, 7));
    r->report = store_col_is_null(st, 8) ? NULL : arena_strdup(a, store_col_text(st, 8));
    r->day = text_day(store_col_text(st, 9));
    r->facility_id = store_col_int(st, 10);
    snprintf(r->facility, sizeof(r->facility), "%s", store_col_text(st, 11));
    snprintf(r->method, sizeof(r->method), "%s", store_col_text(st, 12));
    snprintf(r->created_at, sizeof(r->created_at), "%s", store_col_text(st, 13));
}

int res_result_get(struct store *s, const struct acct_principal *who, int64_t id,
                   struct arena *a, struct res_result *out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_RES_BY_ID);
        store_bind_int(st, 1, id);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            res_result_from_row(st, a, out);
        res_stmt_finish(st, rc);
        if (rc == STORE_DONE)
            rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such result");
    }
    /* Absent and outside the scope are the same "not found". */
    if (rc == STORE_ROW)
        rc = rec_scope_check(c, who, out->resident_id, err);
    store_rollback(c);
    store_release(c);
    return rc;
}

int res_list_resident(struct store *s, const struct acct_principal *who, int64_t resident_id,
                      int64_t after, int limit, struct arena *a, struct res_result **out,
                      size_t *n, struct yl_err *err)
{
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(**out));
    *n = 0;
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = rec_scope_check(c, who, resident_id, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_RES_LIST_RESIDENT);
        store_bind_int(st, 1, resident_id);
        store_bind_int(st, 2, after);
        store_bind_int(st, 3, limit);
        rc = STORE_DONE;
        while (*n < (size_t)limit) {
            rc = store_step(st, err);
            if (rc != STORE_ROW)
                break;
            res_result_from_row(st, a, &(*out)[(*n)++]);
        }
        res_stmt_finish(st, rc); /* a full page stopped on a row: run it to its end */
        rc = rc < 0 ? rc : 0;
    }
    store_rollback(c);
    store_release(c);
    return rc;
}
