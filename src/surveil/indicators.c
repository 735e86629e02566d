/*
 * indicators.c - surveillance indicators of an org unit's subtree and a period: incidence
 * per 100,000 by disease and by class (cases by onset, not deleted), and reporting
 * timeliness (the share of those reports made within their disease's limit).
 *
 * The population follows indicators/ (compute.c): the unit's own ou_population figures of
 * the latest year up to the period's year when it has any, else the sum of its nearest
 * descendants' that have some; when the registry has no population at all, the registered
 * active residents, said so in population_source.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"
#include "surveil/surveil.h"
#include "surveil/surveil_int.h"

struct pop_row {
    char code[16];
    int year;
    int64_t count;
};

static int pop_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pop_row *)a)->code, ((const struct pop_row *)b)->code);
}

static bool has_code(const struct pop_row *rows, size_t n, const char *code)
{
    struct pop_row key;
    snprintf(key.code, sizeof(key.code), "%s", code);
    return bsearch(&key, rows, n, sizeof(*rows), pop_cmp) != NULL;
}

/* Population of the subtree of `root` in `year`; -1 when no unit of it has figures. */
static int population_of(struct store_conn *c, const char *root, int year, int64_t *out,
                         struct yl_err *err)
{
    struct surv_range range;
    surv_subtree(root, &range);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_INDICATOR_POPULATION);
    store_bind_text(st, 1, range.lo);
    store_bind_text(st, 2, range.hi);
    store_bind_int(st, 3, year);
    struct pop_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    /* Rows come grouped by code and year; keep each code's latest year. */
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *code = store_col_text(st, 0);
        int y = (int)store_col_int(st, 1);
        if (n > 0 && strcmp(rows[n - 1].code, code) == 0) {
            if (y > rows[n - 1].year) {
                rows[n - 1].year = y;
                rows[n - 1].count = store_col_int(st, 2);
            }
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        snprintf(rows[n].code, sizeof(rows[n].code), "%s", code);
        rows[n].year = y;
        rows[n].count = store_col_int(st, 2);
        n++;
    }
    if (rc < 0) {
        free(rows);
        return rc;
    }
    if (n > 1)
        qsort(rows, n, sizeof(*rows), pop_cmp);
    *out = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].code, root) == 0) {
            *out = rows[i].count;
            break;
        }
    }
    if (*out < 0 && n > 0) {
        /* The nearest descendants with figures: those with no ancestor below root that has
         * figures of its own. */
        int64_t sum = 0;
        size_t root_len = strlen(root);
        for (size_t i = 0; i < n; i++) {
            char anc[16];
            bool covered = false;
            snprintf(anc, sizeof(anc), "%s", rows[i].code);
            while (!covered && adcode_parent(anc, strlen(anc), anc) && strlen(anc) > root_len)
                covered = has_code(rows, n, anc);
            if (!covered)
                sum += rows[i].count;
        }
        *out = sum;
    }
    free(rows);
    return 0;
}

/* "YYYY" or "YYYY-MM" into a day range and its year. */
static int parse_period(const char *p, int32_t *from, int32_t *to, int *year,
                        struct yl_err *err)
{
    size_t n = p ? strlen(p) : 0;
    int y = 0, m = 0;
    bool ok = n == 4 || (n == 7 && p[4] == '-');
    for (size_t i = 0; ok && i < n; i++)
        ok = i == 4 || (p[i] >= '0' && p[i] <= '9');
    if (ok) {
        y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        m = n == 7 ? (p[5] - '0') * 10 + (p[6] - '0') : 0;
        ok = y >= 1900 && y <= 9999 && (n == 4 || (m >= 1 && m <= 12));
    }
    if (!ok)
        return yl_err_set(err, YL_EINVAL, "period", "period must be YYYY or YYYY-MM");
    *year = y;
    *from = date_from_ymd(y, n == 4 ? 1 : m, 1);
    *to = n == 4 ? date_from_ymd(y, 12, 31) : date_from_ymd(y, m, date_days_in_month(y, m));
    return 0;
}

static void row_finish(struct surv_incidence_row *r, int64_t population)
{
    r->rate_per_100k = population > 0 ? (double)r->cases * 1e5 / (double)population : NAN;
    r->timely_share = r->reports > 0 ? (double)r->on_time / (double)r->reports : NAN;
}

int surv_indicators_compute(struct store *s, const struct surv_catalog *cat, const char *ou,
                            const char *period, struct arena *a, struct surv_indicators *out,
                            struct yl_err *err)
{
    int year = 0;
    memset(out, 0, sizeof(*out));
    const char *root = ou ? ou : "";
    int rc = adcode_validate(root, strlen(root), "ou", err);
    if (rc == 0)
        rc = parse_period(period, &out->from, &out->to, &year, err);
    if (rc != 0)
        return rc;
    snprintf(out->ou, sizeof(out->ou), "%s", root);
    struct store_conn *c = store_acquire(s);
    rc = population_of(c, root, year, &out->population, err);
    out->population_source = "ou_population";
    struct surv_range range;
    surv_subtree(root, &range);
    if (rc == 0 && out->population < 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_INDICATOR_RESIDENTS);
        store_bind_text(st, 1, range.lo);
        store_bind_text(st, 2, range.hi);
        rc = store_step(st, err);
        out->population = rc == STORE_ROW ? store_col_int(st, 0) : 0;
        surv_stmt_finish(st, rc);
        rc = rc < 0 ? rc : 0;
        out->population_source = out->population > 0 ? "residents" : "none";
    }
    /* Diseases first (at most the catalog's), then the three classes and the total. */
    size_t cap = (cat ? cat->n_diseases : 0) + 4;
    struct surv_incidence_row *rows = arena_zalloc(a, cap * sizeof(*rows));
    struct surv_incidence_row classes[4] = {
        {.code = "A", .is_class = true}, {.code = "B", .is_class = true},
        {.code = "C", .is_class = true}, {.code = "all", .is_class = true}};
    size_t n = 0;
    if (rc == 0) {
        char lo[DATE_STR_LEN], hi[DATE_STR_LEN];
        struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_INDICATOR_CASES);
        store_bind_text(st, 1, range.lo);
        store_bind_text(st, 2, range.hi);
        store_bind_text(st, 3, date_format(out->from, lo));
        store_bind_text(st, 4, date_format(out->to, hi));
        while ((rc = store_step(st, err)) == STORE_ROW) {
            long cases = (long)store_col_int(st, 2), late = (long)store_col_int(st, 3);
            const char *cls = store_col_text(st, 1);
            int k = cls[0] == 'A' ? 0 : cls[0] == 'B' ? 1 : 2;
            if (n + 4 < cap) {
                /* A disease the catalog no longer lists still counts in its class. */
                snprintf(rows[n].code, sizeof(rows[n].code), "%s", store_col_text(st, 0));
                rows[n].cases = rows[n].reports = cases;
                rows[n].on_time = cases - late;
                n++;
            }
            /* Its class and the total. */
            const int targets[2] = {k, 3};
            for (int t = 0; t < 2; t++) {
                classes[targets[t]].cases += cases;
                classes[targets[t]].reports += cases;
                classes[targets[t]].on_time += cases - late;
            }
        }
        rc = rc < 0 ? rc : 0;
    }
    store_release(c);
    if (rc != 0)
        return rc;
    for (int j = 0; j < 4; j++)
        rows[n++] = classes[j];
    for (size_t i = 0; i < n; i++)
        row_finish(&rows[i], out->population);
    out->rows = rows;
    out->n_rows = n;
    return 0;
}
