/*
 * search.c - finding residents by ID number, name prefix, phone, household, org unit subtree,
 * open tag and contract status, within the caller's scope, paged by id. Scope is part of the
 * WHERE clause, never a filter afterwards (short pages, leaked counts). Each search runs the
 * statement driven by its most selective filter, so the planner starts from an index; the
 * other filters and the scope are one clause shared by all (sql_records.h).
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "records/records_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

/* The largest code point in UTF-8: a name prefix p matches every name in [p, p + this). */
#define UTF8_MAX_CHAR "\xF4\x8F\xBF\xBF"

enum contract_filter { CONTRACT_ANY = 0, CONTRACT_SIGNED = 1, CONTRACT_UNSIGNED = 2 };

/* The validated query with its range bounds. */
struct plan {
    char number[IDNO_LEN + 1];
    const char *name_lo, *name_hi;
    const char *phone;
    const char *household;
    const char *ou_lo, *ou_hi;
    const char *tag;
    int contract;
    char today[DATE_STR_LEN];
    enum rec_reach reach;
    const char *scope_lo, *scope_hi;
    int64_t team_id;
};

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static int plan_query(const struct rec_query *q, struct arena *a, struct plan *p,
                      struct yl_err *err)
{
    int32_t today = date_today();
    int rc = 0;
    memset(p, 0, sizeof(*p));
    date_format(today, p->today);
    const char *number = or_empty(q->id_number);
    if (number[0] != '\0') {
        struct idno_info info;
        rc = idno_parse(number, strlen(number), today, &info, "id_number", err);
        if (rc != 0)
            return rc;
        memcpy(p->number, info.number, sizeof(p->number));
    }
    const char *name = or_empty(q->name);
    p->name_lo = name;
    p->name_hi = "";
    if (name[0] != '\0') {
        rc = rec_check_text(name, strlen(name), 1, REC_NAME_CHARS, "name", err);
        if (rc != 0)
            return rc;
        p->name_hi = arena_printf(a, "%s" UTF8_MAX_CHAR, name);
    }
    p->phone = or_empty(q->phone);
    rc = rec_check_phone(p->phone, strlen(p->phone), "phone", err);
    if (rc != 0)
        return rc;
    p->household = or_empty(q->household);
    rc = rec_check_text(p->household, strlen(p->household), 0, REC_HOUSEHOLD_CHARS,
                        "household", err);
    if (rc != 0)
        return rc;
    p->ou_lo = or_empty(q->ou);
    p->ou_hi = "";
    if (p->ou_lo[0] != '\0') {
        if (adcode_level(p->ou_lo, strlen(p->ou_lo)) == 0)
            return yl_err_set(err, YL_EINVAL, "ou",
                              "ou must be an org unit code of 2, 4, 6, 9 or 12 digits");
        /* Codes are digits and ':' sorts right after '9': [code, code:) is the subtree. */
        p->ou_hi = arena_printf(a, "%s:", p->ou_lo);
    }
    p->tag = or_empty(q->tag);
    if (p->tag[0] != '\0') {
        int tag;
        rc = vocab_parse(VOCAB_TAG, p->tag, "tag", &tag, err);
        if (rc != 0)
            return rc;
    }
    const char *contract = or_empty(q->contract);
    if (strcmp(contract, "signed") == 0)
        p->contract = CONTRACT_SIGNED;
    else if (strcmp(contract, "unsigned") == 0)
        p->contract = CONTRACT_UNSIGNED;
    else if (contract[0] != '\0')
        return yl_err_set(err, YL_EINVAL, "contract", "contract must be signed or unsigned");
    return 0;
}

/* Parameters are numbered in the order they appear; this keeps the count. */
struct binder {
    struct store_stmt *st;
    int next;
};

static void bind_text(struct binder *b, const char *s)
{
    store_bind_text(b->st, ++b->next, s);
}

static void bind_int(struct binder *b, int64_t v)
{
    store_bind_int(b->st, ++b->next, v);
}

/* Pick the statement and bind its driving condition. */
static void bind_driver(struct store_conn *c, const struct plan *p, struct binder *b)
{
    const char *ou = p->ou_lo[0] != '\0' ? p->ou_lo : p->scope_lo;
    const char *ou_hi = p->ou_lo[0] != '\0' ? p->ou_hi : p->scope_hi;
    /* Both an org unit filter and an org unit scope: start from the narrower. */
    if (p->ou_lo[0] != '\0' && p->reach == REC_REACH_OU && strlen(p->scope_lo) > strlen(ou)) {
        ou = p->scope_lo;
        ou_hi = p->scope_hi;
    }
    /* A village or township holds few residents: start there rather than from a tag that
     * may cover a quarter of the region. */
    bool small_ou = ou[0] != '\0' && strlen(ou) >= adcode_level_len(ADCODE_TOWNSHIP);
    b->next = 0;
    if (p->number[0] != '\0') {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_NUMBER);
        bind_text(b, p->number);
    } else if (p->phone[0] != '\0') {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_PHONE);
        bind_text(b, p->phone);
    } else if (p->household[0] != '\0') {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_HOUSEHOLD);
        bind_text(b, p->household);
    } else if (p->name_lo[0] != '\0') {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_NAME);
        bind_text(b, p->name_lo);
        bind_text(b, p->name_hi);
    } else if (small_ou) {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_OU);
        bind_text(b, ou);
        bind_text(b, ou_hi);
    } else if (p->reach == REC_REACH_TEAM) {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_TEAM);
        bind_int(b, p->team_id);
        bind_text(b, p->today);
        bind_text(b, p->today);
    } else if (p->tag[0] != '\0') {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_TAG);
        bind_text(b, p->tag);
        bind_text(b, p->today);
        bind_text(b, p->today);
    } else if (ou[0] != '\0') {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_BY_OU);
        bind_text(b, ou);
        bind_text(b, ou_hi);
    } else {
        b->st = store_stmt(c, STORE_SQL_REC_SEARCH_ALL);
    }
}

/* The shared filters, scope and limit, in the order of REC_SQL_SEARCH_FILTERS. */
static void bind_filters(const struct plan *p, int64_t after, int limit, struct binder *b)
{
    bind_int(b, after);
    bind_text(b, p->number);
    bind_text(b, p->number);
    bind_text(b, p->name_lo);
    bind_text(b, p->name_lo);
    bind_text(b, p->name_hi);
    bind_text(b, p->phone);
    bind_text(b, p->phone);
    bind_text(b, p->household);
    bind_text(b, p->household);
    bind_text(b, p->ou_lo);
    bind_text(b, p->ou_lo);
    bind_text(b, p->ou_hi);
    bind_text(b, p->tag);
    bind_text(b, p->tag);
    bind_text(b, p->today);
    bind_text(b, p->today);
    bind_int(b, p->contract);
    bind_int(b, p->contract == CONTRACT_SIGNED);
    bind_text(b, p->today);
    bind_text(b, p->today);
    int kind = p->reach == REC_REACH_OU ? 1 : p->reach == REC_REACH_TEAM ? 2 : 0;
    bind_int(b, kind);
    bind_int(b, kind);
    bind_text(b, p->scope_lo);
    bind_text(b, p->scope_hi);
    bind_int(b, kind);
    bind_int(b, p->team_id);
    bind_text(b, p->today);
    bind_text(b, p->today);
    bind_int(b, limit);
}

static void row_out(struct store_stmt *st, struct arena *a, bool mask, struct rec_resident *r)
{
    memset(r, 0, sizeof(*r));
    r->id = store_col_int(st, 0);
    snprintf(r->id_number, sizeof(r->id_number), "%s", store_col_text(st, 1));
    r->name = arena_strdup(a, store_col_text(st, 2));
    r->sex = (int)store_col_int(st, 3);
    r->birth = rec_col_date(st, 4);
    r->ou_id = store_col_int(st, 5);
    snprintf(r->ou_code, sizeof(r->ou_code), "%s", store_col_text(st, 6));
    r->household = arena_strdup(a, store_col_text(st, 7));
    snprintf(r->phone, sizeof(r->phone), "%s", store_col_text(st, 8));
    r->address = "";
    r->record_date = DATE_INVALID;
    r->status = vocab_find(VOCAB_RESIDENT_STATUS, store_col_text(st, 9));
    r->status_date = rec_col_date(st, 10);
    if (mask) {
        char masked[IDNO_LEN + 1], phone[REC_PHONE_MAX + 1];
        memcpy(r->id_number, idno_mask(r->id_number, masked), sizeof(masked));
        memcpy(r->phone, rec_phone_mask(r->phone, phone), sizeof(phone));
        r->masked = true;
    }
}

int rec_search(struct store *s, const struct acct_principal *who, const struct rec_query *q,
               struct arena *a, struct rec_resident **out, size_t *n, struct yl_err *err)
{
    struct plan p;
    *out = NULL;
    *n = 0;
    if (q->limit < 1 || q->limit > 1001)
        return yl_err_set(err, YL_EINVAL, "limit", "limit must be from 1 to 1000");
    int rc = plan_query(q, a, &p, err);
    if (rc != 0)
        return rc;
    const char *scope_ou;
    p.reach = rec_reach_of(who, &scope_ou, &p.team_id);
    if (p.reach == REC_REACH_NONE)
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not see health records",
                          who ? acct_role_name(who->role) : "?");
    p.scope_lo = scope_ou;
    p.scope_hi = scope_ou[0] != '\0' ? arena_printf(a, "%s:", scope_ou) : "";

    struct rec_resident *rows = arena_alloc(a, (size_t)q->limit * sizeof(*rows));
    struct store_conn *c = store_acquire(s);
    struct binder b;
    bind_driver(c, &p, &b);
    bind_filters(&p, q->after, q->limit, &b);
    bool mask = who != NULL;
    size_t count = 0;
    while ((rc = store_step(b.st, err)) == STORE_ROW && count < (size_t)q->limit)
        row_out(b.st, a, mask, &rows[count++]);
    if (rc == STORE_ROW)
        rc = store_exec(b.st, err);
    store_release(c);
    if (rc < 0)
        return rc;
    *out = rows;
    *n = count;
    return 0;
}
