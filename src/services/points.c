/*
 * points.c - village doctor points (村医积分制): per staff member and month, the sum of the
 * points of the items of the events they recorded, and the ranking of village doctors
 * within the township of their facility.
 *
 * The one idea: the store counts (one GROUP BY over the month's events by staff member and
 * item, joined with staff, facility and org unit) and the protocol prices: an item's points
 * live in the protocol files, not in the store, so a region that changes a price sees every
 * month re-priced. The index does not keep who recorded an event, so the store is the only
 * source. Ranks are competition ranks (1, 2, 2, 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "services/worklist.h"
#include "store/store.h"

/* Who is ranked: the village doctors, by role or by working at a village clinic (a clinic's
 * one doctor may hold an assistant physician's licence and is still its village doctor). */
#define POINTS_ROLE_RANKED "village_doctor"
#define POINTS_CLINIC_TYPE "village_clinic"

/* "YYYY-MM" into its first and last day as text. */
static int month_range(const char *month, char from[DATE_STR_LEN], char to[DATE_STR_LEN],
                       struct yl_err *err)
{
    int y = 0, m = 0;
    char tail;
    if (month == NULL || strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 ||
        month[4] != '-' || y < 1900 || y > 2999 || m < 1 || m > 12)
        return yl_err_set(err, YL_EINVAL, "month", "month must be YYYY-MM");
    date_format(date_from_ymd(y, m, 1), from);
    date_format(date_from_ymd(y, m, date_days_in_month(y, m)), to);
    return 0;
}

/* The township (9 digits) of an org unit code, or "" above township level. */
static void township_of(const char *ou, char out[16])
{
    int level = adcode_level(ou, strlen(ou));
    size_t n = level >= ADCODE_TOWNSHIP ? adcode_level_len(ADCODE_TOWNSHIP) : 0;
    snprintf(out, 16, "%.*s", (int)n, ou);
}

/* Rows come by staff id, one per item: add to the last row or start a new one. */
static struct svc_points_row *row_for(struct store_stmt *st, struct arena *a,
                                      struct svc_points_row **rows, size_t *n, size_t *cap)
{
    int64_t staff = store_col_int(st, 0);
    if (*n > 0 && (*rows)[*n - 1].staff_id == staff)
        return &(*rows)[*n - 1];
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        struct svc_points_row *more = arena_alloc(a, grown * sizeof(*more));
        if (*n > 0)
            memcpy(more, *rows, *n * sizeof(*more));
        *rows = more;
        *cap = grown;
    }
    struct svc_points_row *r = &(*rows)[(*n)++];
    memset(r, 0, sizeof(*r));
    r->staff_id = staff;
    r->code = arena_strdup(a, store_col_text(st, 1));
    r->name = arena_strdup(a, store_col_text(st, 2));
    r->role = arena_strdup(a, store_col_text(st, 3));
    r->facility = arena_strdup(a, store_col_text(st, 4));
    r->facility_name = arena_strdup(a, store_col_text(st, 5));
    township_of(store_col_text(st, 6), r->township);
    r->village_clinic = strcmp(store_col_text(st, 9), POINTS_CLINIC_TYPE) == 0;
    return r;
}

static bool ranked(const struct svc_points_row *r)
{
    return (strcmp(r->role, POINTS_ROLE_RANKED) == 0 || r->village_clinic) &&
           r->township[0] != '\0';
}

/* Township, then ranked staff by points (most first), then the others, then code. */
static int by_rank(const void *a, const void *b)
{
    const struct svc_points_row *x = a, *y = b;
    int c = strcmp(x->township, y->township);
    if (c != 0)
        return c;
    if (ranked(x) != ranked(y))
        return ranked(x) ? -1 : 1;
    if (ranked(x) && x->points != y->points)
        return x->points > y->points ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* Competition ranks within each township, over rows sorted by by_rank: a rank after a tie
 * skips the tied places (1, 2, 2, 4). */
static void assign_ranks(struct svc_points_row *rows, size_t n)
{
    size_t first = 0;  /* the township's first ranked row */
    for (size_t i = 0; i < n; i++) {
        if (!ranked(&rows[i]))
            continue;
        bool starts = i == 0 || strcmp(rows[i - 1].township, rows[i].township) != 0 ||
                      !ranked(&rows[i - 1]);
        if (starts)
            first = i;
        if (!starts && rows[i - 1].points == rows[i].points)
            rows[i].rank = rows[i - 1].rank;
        else
            rows[i].rank = (int)(i - first) + 1;
    }
}

/* Keep only the rows of one township (in place). */
static size_t only_township(struct svc_points_row *rows, size_t n, const char *township)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].township, township) == 0)
            rows[kept++] = rows[i];
    return kept;
}

int svc_points_month(struct store *s, const struct svc_protocol *p, const char *month,
                     const char *township, struct arena *a, struct svc_points_row **out,
                     size_t *n, struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN];
    *out = NULL;
    *n = 0;
    int rc = month_range(month, from, to, err);
    if (rc != 0)
        return rc;
    if (township != NULL && township[0] != '\0' &&
        adcode_level(township, strlen(township)) != ADCODE_TOWNSHIP)
        return yl_err_set(err, YL_EINVAL, "township", "township must be a 9-digit code");
    struct svc_points_row *rows = NULL;
    size_t count = 0, cap = 0;
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_POINTS_MONTH);
    store_bind_text(st, 1, from);
    store_bind_text(st, 2, to);
    while ((rc = store_step(st, err)) == STORE_ROW) {
        struct svc_points_row *r = row_for(st, a, &rows, &count, &cap);
        long events = (long)store_col_int(st, 8);
        int item = svc_item_find(p, store_col_text(st, 7));
        r->events += events;
        if (item >= 0)
            r->points += (double)events * svc_item_at(p, item)->points;
    }
    store_release(c);
    if (rc < 0)
        return rc;
    if (township != NULL && township[0] != '\0')
        count = only_township(rows, count, township);
    if (count > 0)
        qsort(rows, count, sizeof(*rows), by_rank);
    assign_ranks(rows, count);
    *out = rows;
    *n = count;
    return 0;
}
