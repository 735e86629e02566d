/*
 * consortium.c - the medical-consortium indicators (consortium.h): visits, discharges and
 * two-way referral figures of an org unit's subtree in a period, counted by the store.
 *
 * The one idea: SQL counts (sql_consortium.h), this file maps facility types to levels with
 * a table, merges the per-group rows and takes the medians of the accept times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "consortium/consortium.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OU_CODE_MAX 64

static const char *const level_codes[CONS_LEVEL_COUNT] = {
    [CONS_GRASSROOTS] = "grassroots",
    [CONS_COUNTY_SECONDARY] = "county_secondary",
    [CONS_TERTIARY] = "tertiary",
    [CONS_OTHER] = "other",
};

/* Facility type → level; types not listed are CONS_OTHER (designated initialisers leave
 * them 0, so OTHER is spelled out for each). */
static const enum cons_level type_levels[FT_COUNT] = {
    [FT_TERTIARY_HOSPITAL] = CONS_TERTIARY,
    [FT_SECONDARY_HOSPITAL] = CONS_COUNTY_SECONDARY,
    [FT_PRIMARY_HOSPITAL] = CONS_OTHER,
    [FT_COUNTY_HOSPITAL] = CONS_COUNTY_SECONDARY,
    [FT_TCM_HOSPITAL] = CONS_OTHER,
    [FT_MCH_HOSPITAL] = CONS_OTHER,
    [FT_COMMUNITY_CENTER] = CONS_GRASSROOTS,
    [FT_COMMUNITY_STATION] = CONS_GRASSROOTS,
    [FT_TOWNSHIP_CENTER] = CONS_GRASSROOTS,
    [FT_VILLAGE_CLINIC] = CONS_GRASSROOTS,
    [FT_CDC] = CONS_OTHER,
    [FT_EMERGENCY_STATION] = CONS_OTHER,
    [FT_INFANT_CARE] = CONS_OTHER,
};

enum cons_level cons_level_of(int facility_type)
{
    if (facility_type < 0 || facility_type >= FT_COUNT)
        return CONS_OTHER;
    return type_levels[facility_type];
}

const char *cons_level_code(enum cons_level l)
{
    return (size_t)l < COUNT(level_codes) ? level_codes[l] : "?";
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double cons_median(double *values, size_t n)
{
    if (n == 0)
        return 0;
    qsort(values, n, sizeof(*values), cmp_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static void finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

/* Seconds of "YYYY-MM-DDTHH:MM:SSZ" on the day-number scale; false when malformed. */
static bool time_seconds(const char *s, int64_t *out)
{
    struct yl_err ignore = {0};
    int32_t day;
    if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
        date_parse(s, 10, &day, "time", &ignore) != 0)
        return false;
    int v[3];
    for (int i = 0; i < 3; i++) {
        const char *p = s + 11 + 3 * i;
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
            return false;
        v[i] = (p[0] - '0') * 10 + (p[1] - '0');
    }
    *out = (int64_t)day * 86400 + v[0] * 3600 + v[1] * 60 + v[2];
    return true;
}

/* The org unit at the root of what a scope may see into root ("" for everything). An
 * unknown facility or team leaves a root no unit code has, so the caller sees nothing. */
static int scope_root(struct store_conn *c, const struct acct_scope *scope,
                      char root[OU_CODE_MAX], struct yl_err *err)
{
    root[0] = '\0';
    if (scope == NULL || scope->kind == SCOPE_REGION)
        return 0;
    if (scope->kind == SCOPE_OU) {
        snprintf(root, OU_CODE_MAX, "%s", scope->ref);
        return 0;
    }
    struct store_stmt *st;
    if (scope->kind == SCOPE_FACILITY) {
        st = store_stmt(c, STORE_SQL_CONS_FACILITY_OU);
        store_bind_text(st, 1, scope->ref);
    } else {
        st = store_stmt(c, STORE_SQL_CONS_TEAM_OU);
        store_bind_int(st, 1, strtoll(scope->ref, NULL, 10));
    }
    int rc = store_step(st, err);
    snprintf(root, OU_CODE_MAX, "%s", rc == STORE_ROW ? store_col_text(st, 0) : "-");
    finish(st, rc);
    return rc < 0 ? rc : 0;
}

/* The requested unit, checked against the scope. */
static int unit_read(struct store_conn *c, const struct cons_query *q, struct arena *a,
                     struct cons_indicators *out, struct yl_err *err)
{
    char root[OU_CODE_MAX];
    int rc = scope_root(c, q->scope, root, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONS_OU);
    store_bind_text(st, 1, q->ou_code);
    rc = store_step(st, err);
    if (rc == STORE_ROW) {
        out->ou = arena_strdup(a, store_col_text(st, 0));
        out->ou_name = arena_strdup(a, store_col_text(st, 1));
        out->ou_level = (int)store_col_int(st, 2);
    }
    finish(st, rc);
    if (rc < 0)
        return rc;
    /* A subtree is a code range, so "inside the scope" is "starts with its root's code". */
    if (rc != STORE_ROW || strncmp(q->ou_code, root, strlen(root)) != 0)
        return yl_err_set(err, YL_ENOTFOUND, "ou", "no org unit \"%.40s\"", q->ou_code);
    return 0;
}

/* Bind the subtree of code and a date range to statement binds 1-4. */
static void bind_range(struct store_stmt *st, const char *code, const char *from,
                       const char *to)
{
    char hi[OU_CODE_MAX + 1];
    snprintf(hi, sizeof(hi), "%s:", code);
    store_bind_text(st, 1, code);
    store_bind_text(st, 2, hi);
    store_bind_text(st, 3, from);
    store_bind_text(st, 4, to);
}

/* Counts by facility type summed into levels. */
static int by_level(struct store_conn *c, enum store_sql q, const char *code,
                    const struct ind_period *p, int64_t levels[CONS_LEVEL_COUNT],
                    int64_t *total, struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN];
    struct store_stmt *st = store_stmt(c, q);
    bind_range(st, code, date_format(p->start, from), date_format(p->end, to));
    int rc = STORE_DONE;
    for (;;) {
        rc = store_step(st, err);
        if (rc != STORE_ROW)
            break;
        int64_t n = store_col_int(st, 1);
        levels[cons_level_of(vocab_find(VOCAB_FACILITY_TYPE, store_col_text(st, 0)))] += n;
        *total += n;
    }
    return rc < 0 ? rc : 0;
}

/* The groups with a member in the subtree, by code, their figures zero. */
static int groups_read(struct store_conn *c, const char *code, struct arena *a,
                       struct cons_indicators *out, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONS_GROUPS);
    char hi[OU_CODE_MAX + 1];
    snprintf(hi, sizeof(hi), "%s:", code);
    store_bind_text(st, 1, code);
    store_bind_text(st, 2, hi);
    size_t cap = 8;
    out->groups = arena_zalloc(a, cap * sizeof(*out->groups));
    int rc = STORE_DONE;
    for (;;) {
        rc = store_step(st, err);
        if (rc != STORE_ROW)
            break;
        if (out->n_groups == cap) {
            struct cons_referrals *more = arena_zalloc(a, 2 * cap * sizeof(*more));
            memcpy(more, out->groups, cap * sizeof(*more));
            out->groups = more;
            cap *= 2;
        }
        struct cons_referrals *g = &out->groups[out->n_groups++];
        g->group = arena_strdup(a, store_col_text(st, 0));
        g->name = arena_strdup(a, store_col_text(st, 1));
        g->kind = arena_strdup(a, store_col_text(st, 2));
    }
    return rc < 0 ? rc : 0;
}

/* The figures a row's key names: the totals for "", else that group (NULL when the
 * group has no member in the subtree, which the joins rule out). */
static struct cons_referrals *figures_of(struct cons_indicators *out, const char *key)
{
    if (key[0] == '\0')
        return &out->total;
    for (size_t i = 0; i < out->n_groups; i++)
        if (strcmp(out->groups[i].group, key) == 0)
            return &out->groups[i];
    return NULL;
}

/* Referral bounds: the first day and the day after the last, as RFC 3339 prefixes. */
static void ref_bounds(const struct ind_period *p, char from[DATE_STR_LEN],
                       char to[DATE_STR_LEN])
{
    date_format(p->start, from);
    date_format(date_add_days(p->end, 1), to);
}

static int ref_counts(struct store_conn *c, enum store_sql q, const char *code,
                      const struct ind_period *p, struct cons_indicators *out,
                      struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN];
    ref_bounds(p, from, to);
    struct store_stmt *st = store_stmt(c, q);
    bind_range(st, code, from, to);
    int rc = STORE_DONE;
    for (;;) {
        rc = store_step(st, err);
        if (rc != STORE_ROW)
            break;
        struct cons_referrals *f = figures_of(out, store_col_text(st, 0));
        if (f == NULL)
            continue;
        f->referrals = store_col_int(st, 1);
        f->up = store_col_int(st, 2);
        f->down = store_col_int(st, 3);
        f->accepted = store_col_int(st, 4);
        f->rejected = store_col_int(st, 5);
        f->critical = store_col_int(st, 6);
        f->critical_in_time = store_col_int(st, 7);
        f->consultations = store_col_int(st, 8);
        f->readings = store_col_int(st, 9);
        f->remote_reported = store_col_int(st, 10);
    }
    return rc < 0 ? rc : 0;
}

/* Medians of the minutes to accept: rows come ordered by key, so each key's minutes are
 * one run of the list. */
static void median_set(struct cons_indicators *out, const char *key, double *minutes,
                       size_t n)
{
    struct cons_referrals *f = key ? figures_of(out, key) : NULL;
    if (f == NULL || n == 0)
        return;
    f->has_median = true;
    f->median_accept_min = cons_median(minutes, n);
}

static int ref_medians(struct store_conn *c, enum store_sql q, const char *code,
                       const struct ind_period *p, struct arena *a,
                       struct cons_indicators *out, struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN];
    ref_bounds(p, from, to);
    struct store_stmt *st = store_stmt(c, q);
    bind_range(st, code, from, to);
    size_t cap = 64, n = 0;
    double *minutes = xmalloc(cap * sizeof(*minutes));
    const char *key = NULL;
    int rc = STORE_DONE;
    for (;;) {
        rc = store_step(st, err);
        if (rc != STORE_ROW)
            break;
        const char *k = store_col_text(st, 0);
        if (key == NULL || strcmp(key, k) != 0) {
            median_set(out, key, minutes, n);
            key = arena_strdup(a, k);
            n = 0;
        }
        int64_t requested, accepted;
        if (!time_seconds(store_col_text(st, 1), &requested) ||
            !time_seconds(store_col_text(st, 2), &accepted))
            continue;
        if (n == cap) {
            cap *= 2;
            minutes = xrealloc(minutes, cap * sizeof(*minutes));
        }
        minutes[n++] = (double)(accepted - requested) / 60.0;
    }
    if (rc >= 0)
        median_set(out, key, minutes, n);
    free(minutes);
    return rc < 0 ? rc : 0;
}

int cons_indicators_get(struct store *s, const struct cons_query *q, struct arena *a,
                        struct cons_indicators *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    if (q->ou_code == NULL || q->ou_code[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "ou", "ou is required: an org unit code");
    if (strlen(q->ou_code) >= OU_CODE_MAX)
        return yl_err_set(err, YL_ENOTFOUND, "ou", "no org unit \"%.40s\"", q->ou_code);
    int rc = ind_period_parse(q->period, q->today, &out->period, err);
    if (rc != 0)
        return rc;
    out->total.group = out->total.name = out->total.kind = "";
    struct store_conn *c = store_acquire(s);
    rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = unit_read(c, q, a, out, err);
    if (rc == 0)
        rc = by_level(c, STORE_SQL_CONS_VISITS_BY_TYPE, out->ou, &out->period, out->visits,
                      &out->visits_total, err);
    if (rc == 0)
        rc = by_level(c, STORE_SQL_CONS_DISCHARGES_BY_TYPE, out->ou, &out->period,
                      out->discharges, &out->discharges_total, err);
    if (rc == 0)
        rc = groups_read(c, out->ou, a, out, err);
    if (rc == 0)
        rc = ref_counts(c, STORE_SQL_CONS_REF_TOTAL, out->ou, &out->period, out, err);
    if (rc == 0)
        rc = ref_counts(c, STORE_SQL_CONS_REF_BY_GROUP, out->ou, &out->period, out, err);
    if (rc == 0)
        rc = ref_medians(c, STORE_SQL_CONS_REF_ACCEPTS_TOTAL, out->ou, &out->period, a, out,
                         err);
    if (rc == 0)
        rc = ref_medians(c, STORE_SQL_CONS_REF_ACCEPTS_BY_GROUP, out->ou, &out->period, a,
                         out, err);
    store_rollback(c);
    store_release(c);
    return rc;
}
