/*
 * report.c - a report for one org unit and period (and its children), the form the API
 * and `yilian report` print, and the scope rule of who may ask for which unit.
 *
 * A unit outside the caller's scope answers exactly like a unit that does not exist, so a
 * scope never reveals what lies outside it (DESIGN.md §1).
 */
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/err.h"
#include "core/mem.h"
#include "indicators/indicators.h"
#include "store/store.h"

static const char *const level_names[] = {NULL, "province", "city", "county", "township",
                                          "village"};

int ind_level_parse(const char *word)
{
    for (int i = 1; word != NULL && i <= 5; i++)
        if (strcmp(word, level_names[i]) == 0)
            return i;
    return 0;
}

const char *ind_level_name(int level)
{
    return level >= 1 && level <= 5 ? level_names[level] : "?";
}

static bool in_subtree(const struct ind_result *r, uint32_t u, uint32_t root)
{
    for (int depth = 0; depth < 8 && u < r->n_ous && r->ous[u].present; depth++) {
        if (u == root)
            return true;
        u = r->ous[u].parent;
    }
    return false;
}

/* Whether unit u is listed under `ou`: a direct child, or a descendant at the level. */
static bool is_child(const struct ind_result *r, uint32_t u, uint32_t ou, int children)
{
    const struct pidx_ou *o = &r->ous[u];
    if (!o->present || u == ou)
        return false;
    if (children == IND_CHILDREN_DIRECT)
        return o->parent == ou;
    return o->level == children && in_subtree(r, u, ou);
}

/* The definitions a query reports: its catalog's, else the static table. */
static const struct ind_def *query_defs(const struct ind_query *q, size_t *n)
{
    return q->catalog != NULL ? ind_catalog_defs(q->catalog, n) : ind_defs(n);
}

static void fill_unit(const struct ind_result *r, uint32_t ou, const struct ind_def *defs,
                      size_t n, struct arena *a, struct ind_unit *out)
{
    out->ou = ou;
    out->code = arena_strdup(a, r->ous[ou].code);
    out->name = "";
    out->level = r->ous[ou].level;
    out->values = arena_alloc(a, n * sizeof(*out->values));
    for (size_t i = 0; i < n; i++)
        ind_evaluate(r, ou, &defs[i], &out->values[i]);
}

static int unit_cmp(const void *pa, const void *pb)
{
    const struct ind_unit *a = pa, *b = pb;
    return strcmp(a->code, b->code);
}

/* Names come from the store: the index keeps codes only. One indexed read per unit. */
static int read_names(struct store *s, struct ind_report *out, struct arena *a,
                      struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = 0;
    for (size_t i = 0; i <= out->n_children && rc == 0; i++) {
        struct ind_unit *u = i == 0 ? &out->unit : &out->children[i - 1];
        struct store_stmt *st = store_stmt(c, STORE_SQL_IND_OU_NAME);
        store_bind_int(st, 1, u->ou);
        rc = store_step(st, err);
        if (rc == STORE_ROW) {
            u->name = arena_strdup(a, store_col_text(st, 0));
            rc = 0;
        }
        store_stmt(c, STORE_SQL_IND_OU_NAME);
    }
    store_release(c);
    return rc;
}

int ind_report_build(struct pidx *x, struct store *s, const struct ind_query *q,
                     struct arena *a, struct ind_report *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    if (q->ou_code == NULL || q->ou_code[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "ou", "ou is required: the code of an org unit");
    int rc = ind_period_parse(q->period, q->today, &out->period, err);
    if (rc != 0)
        return rc;
    uint32_t root = PIDX_NONE;
    struct yl_err scope_err = {0};
    int scope_rc = q->scope != NULL ? ind_scope_root(x, s, q->scope, &root, &scope_err) : 0;
    if (scope_rc != 0 && scope_rc != YL_ENOTFOUND)
        return yl_err_set(err, scope_rc, NULL, "%s", yl_err_message(&scope_err));
    bool sees_nothing = scope_rc == YL_ENOTFOUND;
    uint32_t ou = pidx_ou_find(x, q->ou_code);
    if (ou == PIDX_NONE || sees_nothing ||
        (root != PIDX_NONE && !pidx_ou_in_subtree(x, ou, root)))
        return yl_err_set(err, YL_ENOTFOUND, "ou", "no org unit \"%.20s\"", q->ou_code);
    struct ind_result *r = ind_compute(x, &out->period, q->threads);
    /* The unit may have gone between the lookup and the pass; then it is not found. */
    if (ou >= r->n_ous || !r->ous[ou].present) {
        ind_result_free(r);
        return yl_err_set(err, YL_ENOTFOUND, "ou", "no org unit \"%.20s\"", q->ou_code);
    }
    if (q->children > 0 && q->children <= r->ous[ou].level) {
        int level = r->ous[ou].level;
        ind_result_free(r);
        return yl_err_set(err, YL_EINVAL, "by",
                          "by=%s must lie below the org unit's own level (%s)",
                          ind_level_name(q->children), ind_level_name(level));
    }
    size_t n_defs;
    const struct ind_def *defs = query_defs(q, &n_defs);
    out->n_values = n_defs;
    fill_unit(r, ou, defs, n_defs, a, &out->unit);
    if (q->children != IND_CHILDREN_NONE) {
        size_t n = 0;
        for (size_t u = 1; u < r->n_ous; u++)
            n += is_child(r, (uint32_t)u, ou, q->children);
        out->children = arena_alloc(a, (n + 1) * sizeof(*out->children));
        for (size_t u = 1; u < r->n_ous && out->n_children < n; u++)
            if (is_child(r, (uint32_t)u, ou, q->children))
                fill_unit(r, (uint32_t)u, defs, n_defs, a,
                          &out->children[out->n_children++]);
        qsort(out->children, out->n_children, sizeof(*out->children), unit_cmp);
    }
    ind_result_free(r);
    return s != NULL ? read_names(s, out, a, err) : 0;
}

int ind_scope_root(struct pidx *x, struct store *s, const struct acct_scope *scope,
                   uint32_t *root, struct yl_err *err)
{
    *root = PIDX_NONE;
    uint32_t facility = PIDX_NONE;
    if (scope->kind == SCOPE_REGION)
        return 0;
    if (scope->kind == SCOPE_OU) {
        *root = pidx_ou_find(x, scope->ref);
    } else if (scope->kind == SCOPE_TEAM) {
        char *end = NULL;
        unsigned long id = strtoul(scope->ref, &end, 10);
        struct pidx_view v;
        pidx_read_lock(x);
        pidx_view(x, &v);
        if (end != scope->ref && *end == '\0' && id < v.n_teams && v.teams[id].present)
            facility = v.teams[id].facility;
        if (facility < v.n_facilities && v.facilities[facility].present)
            *root = v.facilities[facility].ou;
        pidx_read_unlock(x);
    } else if (scope->kind == SCOPE_FACILITY && s != NULL) {
        struct store_conn *c = store_acquire(s);
        struct store_stmt *st = store_stmt(c, STORE_SQL_IND_FACILITY_OU);
        store_bind_text(st, 1, scope->ref);
        int rc = store_step(st, err);
        if (rc == STORE_ROW)
            *root = (uint32_t)store_col_int(st, 0);
        store_stmt(c, STORE_SQL_IND_FACILITY_OU);
        store_release(c);
        if (rc < 0)
            return rc;
    }
    if (*root == PIDX_NONE)
        return yl_err_set(err, YL_ENOTFOUND, "ou", "no org unit in your scope");
    return 0;
}
