/*
 * catalog.c - the catalogue of recognised items (results.h): what a health commission
 * publishes as its list of mutually recognised tests (e.g. 269 items), with each item's
 * kind, unit, validity and the scope in which it is recognised.
 *
 * The one idea: the catalogue is loaded, not edited, so an item is an upsert keyed by its
 * code that writes only what differs; a re-run of the commission's file changes nothing.
 * An item's kind and unit are frozen once results were checked against them.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "importer/importer.h"
#include "results/results_int.h"
#include "store/store.h"

static const char *const kind_codes[] = {
    [RES_LAB] = "lab", [RES_IMAGING] = "imaging", [RES_ECG] = "ecg"};
static const char *const scope_codes[] = {[RES_SCOPE_REGION] = "region",
                                          [RES_SCOPE_COUNTY_COMMUNITY] = "county_community",
                                          [RES_SCOPE_GROUP] = "group"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int code_find(const char *const *codes, size_t n, const char *code)
{
    for (size_t i = 0; code != NULL && i < n; i++)
        if (strcmp(codes[i], code) == 0)
            return (int)i;
    return -1;
}

const char *res_kind_code(enum res_kind k)
{
    return (size_t)k < COUNT(kind_codes) ? kind_codes[k] : "?";
}

int res_kind_find(const char *code)
{
    return code_find(kind_codes, COUNT(kind_codes), code);
}

const char *res_scope_code(enum res_scope s)
{
    return (size_t)s < COUNT(scope_codes) ? scope_codes[s] : "?";
}

int res_scope_find(const char *code)
{
    return code_find(scope_codes, COUNT(scope_codes), code);
}

bool res_empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

void res_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

void res_item_from_row(struct store_stmt *st, struct res_item *it)
{
    memset(it, 0, sizeof(*it));
    it->id = store_col_int(st, 0);
    snprintf(it->code, sizeof(it->code), "%s", store_col_text(st, 1));
    snprintf(it->name_zh, sizeof(it->name_zh), "%s", store_col_text(st, 2));
    snprintf(it->name_en, sizeof(it->name_en), "%s", store_col_text(st, 3));
    int kind = res_kind_find(store_col_text(st, 4));
    it->kind = kind < 0 ? RES_LAB : (enum res_kind)kind;
    snprintf(it->unit, sizeof(it->unit), "%s", store_col_text(st, 5));
    it->validity_days = (int)store_col_int(st, 6);
    int scope = res_scope_find(store_col_text(st, 7));
    /* An unreadable scope recognises as little as possible. */
    it->scope = scope < 0 ? RES_SCOPE_GROUP : (enum res_scope)scope;
}

int res_item_read(struct store_conn *c, const char *code, int64_t id, struct res_item *out,
                  bool *found, struct yl_err *err)
{
    struct store_stmt *st =
        store_stmt(c, code != NULL ? STORE_SQL_RES_ITEM_BY_CODE : STORE_SQL_RES_ITEM_BY_ID);
    if (code != NULL)
        store_bind_text(st, 1, code);
    else
        store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        res_item_from_row(st, out);
    res_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int res_item_get(struct store *s, const char *code, struct res_item *out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    bool found = false;
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = res_item_read(c, code, 0, out, &found, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_ENOTFOUND, "item", "no result item \"%s\"", code);
    store_rollback(c);
    store_release(c);
    return rc;
}

/* --- checks ------------------------------------------------------------------------------ */

static int check_code(const char *s, struct yl_err *err)
{
    size_t n = s ? strlen(s) : 0;
    bool ok = n >= 1 && n <= RES_CODE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i]) != NULL;
    if (!ok)
        return yl_err_set(err, YL_EINVAL, "code",
                          "code is 1 to %d letters, digits, '.', '-' or '_'", RES_CODE_MAX);
    return 0;
}

static int check_text(const char *s, const char *field, bool required, size_t max,
                      struct yl_err *err)
{
    if (required && res_empty(s))
        return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
    if (s != NULL && strlen(s) > max)
        return yl_err_set(err, YL_EINVAL, field, "%s is longer than %zu bytes", field, max);
    return 0;
}

/* The item as it is to be stored. */
static int check_item(const struct res_item_input *in, struct res_item *it, struct yl_err *err)
{
    memset(it, 0, sizeof(*it));
    int kind = res_kind_find(in->kind), scope = res_scope_find(in->scope);
    int rc = check_code(in->code, err);
    if (rc == 0)
        rc = check_text(in->name_zh, "name_zh", true, RES_NAME_MAX, err);
    if (rc == 0)
        rc = check_text(in->name_en, "name_en", false, RES_NAME_MAX, err);
    if (rc == 0 && kind < 0)
        rc = yl_err_set(err, YL_EINVAL, "kind", "kind must be lab, imaging or ecg");
    if (rc == 0)
        rc = check_text(in->unit, "unit", false, RES_UNIT_MAX, err);
    if (rc == 0 && kind != RES_LAB && !res_empty(in->unit))
        rc = yl_err_set(err, YL_EINVAL, "unit", "only a lab item has a unit");
    if (rc == 0 && (in->validity_days < 1 || in->validity_days > RES_VALIDITY_MAX))
        rc = yl_err_set(err, YL_EINVAL, "validity_days",
                        "validity_days must be a whole number from 1 to %d", RES_VALIDITY_MAX);
    if (rc == 0 && scope < 0)
        rc = yl_err_set(err, YL_EINVAL, "scope",
                        "scope must be region, county_community or group");
    if (rc != 0)
        return rc;
    snprintf(it->code, sizeof(it->code), "%s", in->code);
    snprintf(it->name_zh, sizeof(it->name_zh), "%s", in->name_zh);
    snprintf(it->name_en, sizeof(it->name_en), "%s", in->name_en ? in->name_en : "");
    it->kind = (enum res_kind)kind;
    snprintf(it->unit, sizeof(it->unit), "%s", in->unit ? in->unit : "");
    it->validity_days = (int)in->validity_days;
    it->scope = (enum res_scope)scope;
    return 0;
}

static bool same_item(const struct res_item *a, const struct res_item *b)
{
    return strcmp(a->name_zh, b->name_zh) == 0 && strcmp(a->name_en, b->name_en) == 0 &&
           a->kind == b->kind && strcmp(a->unit, b->unit) == 0 &&
           a->validity_days == b->validity_days && a->scope == b->scope;
}

/* Results were checked against the item's kind and unit: those may change only while none
 * is stored. Names, validity and scope may change at any time (a commission's new list). */
static int check_frozen(struct store_conn *c, const struct res_item *cur,
                        const struct res_item *it, struct yl_err *err)
{
    if (cur->kind == it->kind && strcmp(cur->unit, it->unit) == 0)
        return 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_ITEM_HAS_RESULTS);
    store_bind_int(st, 1, cur->id);
    int rc = store_step(st, err);
    res_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_ROW)
        return yl_err_set(err, YL_EINVAL, cur->kind != it->kind ? "kind" : "unit",
                          "item \"%s\" has results recorded: its kind and unit cannot change",
                          it->code);
    return 0;
}

int res_item_apply(struct store_conn *c, const struct res_item_input *in, bool *changed,
                   struct yl_err *err)
{
    struct res_item it, cur;
    bool found = false;
    *changed = false;
    int rc = check_item(in, &it, err);
    if (rc == 0)
        rc = res_item_read(c, it.code, 0, &cur, &found, err);
    if (rc != 0 || (found && same_item(&cur, &it)))
        return rc;
    if (found)
        rc = check_frozen(c, &cur, &it, err);
    if (rc != 0)
        return rc;
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st =
        store_stmt(c, found ? STORE_SQL_RES_ITEM_UPDATE : STORE_SQL_RES_ITEM_INSERT);
    int i = 1;
    if (!found)
        store_bind_text(st, i++, it.code);
    store_bind_text(st, i++, it.name_zh);
    store_bind_text(st, i++, it.name_en);
    store_bind_text(st, i++, res_kind_code(it.kind));
    store_bind_text(st, i++, it.unit);
    store_bind_int(st, i++, it.validity_days);
    store_bind_text(st, i++, res_scope_code(it.scope));
    store_bind_text(st, i++, now);
    if (found)
        store_bind_int(st, i, cur.id);
    rc = store_exec(st, err);
    *changed = rc == 0;
    return rc;
}

/* --- import ------------------------------------------------------------------------------ */

static const char *const item_required[] = {"code", "name_zh", "kind", "validity_days", "scope",
                                            NULL};
static const char *const item_columns[] = {"code", "name_zh", "name_en", "kind", "unit",
                                           "validity_days", "scope", NULL};

static int item_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                    struct yl_err *err)
{
    struct res_item_input in = {0};
    int rc = imp_text(r, "code", 1, RES_CODE_MAX, &in.code, err);
    if (rc == 0)
        rc = imp_text(r, "name_zh", 1, RES_NAME_MAX, &in.name_zh, err);
    if (rc == 0)
        rc = imp_text(r, "name_en", 0, RES_NAME_MAX, &in.name_en, err);
    if (rc == 0)
        rc = imp_text(r, "kind", 1, 16, &in.kind, err);
    if (rc == 0)
        rc = imp_text(r, "unit", 0, RES_UNIT_MAX, &in.unit, err);
    if (rc == 0)
        rc = imp_int(r, "validity_days", 1, 1, RES_VALIDITY_MAX, 0, &in.validity_days, err);
    if (rc == 0)
        rc = imp_text(r, "scope", 1, 32, &in.scope, err);
    bool changed = false;
    if (rc == 0)
        rc = res_item_apply(c, &in, &changed, err);
    if (rc != 0)
        return rc;
    return changed ? IMP_APPLIED : IMP_UNCHANGED;
}

static const struct imp_spec item_spec = {
    .what = "result items",
    .resource_type = "result_item",
    .required = item_required,
    .columns = item_columns,
    .row = item_row,
};

const struct imp_spec *res_item_import_spec(void)
{
    return &item_spec;
}
