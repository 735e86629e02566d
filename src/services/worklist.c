/*
 * worklist.c - worklists: the care plans of every resident of a team, an org-unit subtree or
 * a facility's service area, from the live population index, filtered, counted and cut to
 * one page; the roster that finds a team's residents without walking the region; the names
 * and phones of the page from the store; the CSV printout.
 *
 * The one idea: each entry gets a 59-bit key that orders it under the chosen sort (the
 * primary field, then resident and item, so the order is total); a page is the `limit`
 * smallest keys above the cursor, kept in a bounded max-heap while the pass runs, so the
 * pass allocates nothing per resident and a cursor is just the last key. worklist.h says
 * how scope and a facility's service area are decided.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/adcode.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex.h"
#include "records/records.h"
#include "services/events.h"
#include "services/worklist.h"
#include "store/store.h"

/* Key layout: 16 bits of day (from 1950-01-01; "none" sorts last), 31 of resident id, 12
 * of item; 59 bits, so a key fits the 18 decimal digits of an API cursor. */
#define KEY_DAY_BITS 16
#define KEY_RESIDENT_BITS 31
#define KEY_ITEM_BITS 12
#define KEY_DAY_NONE ((1u << KEY_DAY_BITS) - 1)
#define KEY_DAY_BASE (-7305)    /* 1950-01-01 as a day number */
#define KEY_TAGS_CAP 64

/* --- vocabularies ----------------------------------------------------------------------- */

int svc_wl_sort_parse(const char *s)
{
    static const char *const names[SVC_WL_SORT_COUNT] = {"due", "overdue", "item", "resident"};
    for (int i = 0; s != NULL && i < SVC_WL_SORT_COUNT; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int svc_wl_states_parse(const char *s, unsigned *out, struct yl_err *err)
{
    static const struct {
        const char *word;
        unsigned bit;
    } words[] = {{"due", SVC_WL_DUE}, {"overdue", SVC_WL_OVERDUE},
                 {"upcoming", SVC_WL_UPCOMING}, {"done", SVC_WL_DONE}};
    *out = 0;
    const char *at = s != NULL ? s : "";
    while (*at != '\0') {
        size_t len = strcspn(at, ",");
        size_t i = 0;
        while (i < sizeof(words) / sizeof(words[0]) &&
               (strlen(words[i].word) != len || strncmp(words[i].word, at, len) != 0))
            i++;
        if (i == sizeof(words) / sizeof(words[0]))
            return yl_err_set(err, YL_EINVAL, "state",
                              "state must be due, overdue, upcoming or done (comma-separated)");
        *out |= words[i].bit;
        at += len + (at[len] == ',');
    }
    if (*out == 0)
        *out = SVC_WL_TODO;
    return 0;
}

const char *svc_wl_state_zh(enum svc_state s)
{
    static const char *const zh[SVC_STATE_COUNT] = {"已完成", "待完成", "逾期", "即将到期",
                                                    "以后"};
    return (unsigned)s < SVC_STATE_COUNT ? zh[s] : "?";
}

/* --- scope ------------------------------------------------------------------------------ */

static int forbidden(struct yl_err *err)
{
    return yl_err_set(err, YL_EFORBIDDEN, NULL, "that worklist is outside your scope");
}

/* A team by code, or by id when code is NULL: its id and code. */
static int team_lookup(struct store *s, const char *code, int64_t id, struct svc_wl_area *out,
                       struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, code ? STORE_SQL_SVC_WL_TEAM_BY_CODE
                                               : STORE_SQL_SVC_WL_TEAM_BY_ID);
    if (code != NULL)
        store_bind_text(st, 1, code);
    else
        store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        out->team = (uint32_t)store_col_int(st, 0);
        snprintf(out->code, sizeof(out->code), "%s", store_col_text(st, 1));
        rc = store_exec(st, err);
    } else if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_ENOTFOUND, "team", "no such team");
    }
    store_release(c);
    return rc;
}

/* The org unit a facility of `type` registered in `ou` serves, or "" for none. */
static void facility_area(const char *type, const char *ou, char out[16])
{
    out[0] = '\0';
    int level = adcode_level(ou, strlen(ou));
    if (strcmp(type, "village_clinic") == 0 || strcmp(type, "community_station") == 0) {
        snprintf(out, 16, "%s", ou);
    } else if (strcmp(type, "township_center") == 0 || strcmp(type, "community_center") == 0) {
        /* A center registered in one of its villages still serves the whole township. */
        size_t n = level == ADCODE_VILLAGE ? adcode_level_len(ADCODE_TOWNSHIP) : strlen(ou);
        snprintf(out, 16, "%.*s", (int)n, ou);
    }
}

static int facility_lookup(struct store *s, const char *code, struct svc_wl_area *out,
                           struct yl_err *err)
{
    char type[32] = "", ou[16] = "";
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_WL_FACILITY);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        snprintf(type, sizeof(type), "%s", store_col_text(st, 1));
        snprintf(ou, sizeof(ou), "%s", store_col_text(st, 2));
        rc = store_exec(st, err);
    } else if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_ENOTFOUND, "facility", "no such facility");
    }
    store_release(c);
    if (rc != 0)
        return rc;
    snprintf(out->code, sizeof(out->code), "%s", code);
    facility_area(type, ou, out->ou_code);
    if (out->ou_code[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "facility",
                          "facility \"%s\" (%s) serves no population of its own; ask for a "
                          "team or an org unit",
                          code, type);
    return 0;
}

static int ou_lookup(struct pidx *x, const char *code, struct svc_wl_area *out,
                     struct yl_err *err)
{
    if (adcode_level(code, strlen(code)) == 0)
        return yl_err_set(err, YL_EINVAL, "ou",
                          "ou must be an org unit code of 2, 4, 6, 9 or 12 digits");
    out->ou = pidx_ou_find(x, code);
    if (out->ou == PIDX_NONE)
        return yl_err_set(err, YL_ENOTFOUND, "ou", "no such org unit");
    return 0;
}

/* The scope kind a role reads worklists through, or 0 for none. */
static enum acct_scope_kind reach_of(const struct acct_principal *who)
{
    static const struct {
        enum acct_role role;
        enum acct_scope_kind scope;
    } reach[] = {{ROLE_ADMIN, SCOPE_REGION},
                 {ROLE_FAMILY_DOCTOR, SCOPE_TEAM},
                 {ROLE_VILLAGE_DOCTOR, SCOPE_OU},
                 {ROLE_FACILITY_ADMIN, SCOPE_FACILITY}};
    for (size_t i = 0; i < sizeof(reach) / sizeof(reach[0]); i++)
        /* A scope of the wrong kind (edited behind our back) reaches nobody. */
        if (reach[i].role == who->role)
            return who->scope.kind == reach[i].scope ? reach[i].scope : 0;
    return 0;
}

/* May a caller of scope kind `reach` read the resolved area? */
static bool area_allowed(const struct acct_principal *who, enum acct_scope_kind reach,
                         const struct svc_wl_area *area)
{
    switch (reach) {
    case SCOPE_REGION:
        return true;
    case SCOPE_TEAM:
        return area->kind == SVC_WL_TEAM && area->team == strtoull(who->scope.ref, NULL, 10);
    case SCOPE_OU:
        return area->kind != SVC_WL_TEAM && adcode_in_subtree(area->ou_code, who->scope.ref);
    case SCOPE_FACILITY:
        return area->kind == SVC_WL_FACILITY && strcmp(area->code, who->scope.ref) == 0;
    }
    return false;
}

int svc_wl_resolve(struct store *s, struct pidx *x, const struct acct_principal *who,
                   enum svc_wl_scope kind, const char *code, struct svc_wl_area *out,
                   struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    enum acct_scope_kind reach = who != NULL ? reach_of(who) : SCOPE_REGION;
    if (reach == 0)
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read worklists",
                          acct_role_name(who->role));
    int64_t own_team = 0;
    if (kind == SVC_WL_OWN) {
        if (reach == SCOPE_REGION)
            return yl_err_set(err, YL_EINVAL, "team", "give a team, an ou or a facility");
        kind = reach == SCOPE_TEAM ? SVC_WL_TEAM : reach == SCOPE_OU ? SVC_WL_OU
                                                                     : SVC_WL_FACILITY;
        code = who->scope.ref;
        own_team = reach == SCOPE_TEAM ? strtoll(code, NULL, 10) : 0;
    }
    if (code == NULL || code[0] == '\0' || strlen(code) >= sizeof(out->code))
        return yl_err_set(err, YL_EINVAL, kind == SVC_WL_TEAM ? "team" : kind == SVC_WL_OU
                                                                             ? "ou"
                                                                             : "facility",
                          "a code of 1 to %zu characters is required", sizeof(out->code) - 1);
    out->kind = kind;
    int rc;
    if (kind == SVC_WL_TEAM) {
        rc = team_lookup(s, own_team ? NULL : code, own_team, out, err);
    } else if (kind == SVC_WL_FACILITY) {
        rc = facility_lookup(s, code, out, err);
        if (rc == 0)
            rc = ou_lookup(x, out->ou_code, out, err);
    } else {
        snprintf(out->code, sizeof(out->code), "%s", code);
        rc = ou_lookup(x, code, out, err);
        /* A valid code has at most 12 digits. */
        if (rc == 0)
            snprintf(out->ou_code, sizeof(out->ou_code), "%.12s", code);
    }
    if (rc == 0 && who != NULL && !area_allowed(who, reach, out))
        rc = forbidden(err);
    return rc;
}

/* --- the roster ------------------------------------------------------------------------- */

/* Buckets in compressed form: the ids of bucket b are ids[first[b] .. first[b + 1]). */
struct svc_bucket_set {
    size_t n;
    uint32_t *first;            /* n + 1 offsets */
    uint32_t *ids;
};

struct svc_roster {
    int32_t day;
    struct svc_bucket_set teams;    /* by team id */
    struct svc_bucket_set ous;      /* by village id */
};

/* The team whose contract covers `day` (the later one when two overlap, as
 * pidx_resident_team decides), or PIDX_NONE. */
static uint32_t team_on(const struct pidx_resident *r, const struct pidx_span *s, int32_t day)
{
    uint32_t team = PIDX_NONE;
    int32_t began = INT32_MIN;
    for (uint32_t i = 0; i < r->span_count; i++)
        if (s[i].kind == PIDX_SPAN_CONTRACT && s[i].from <= day && day <= s[i].to &&
            s[i].from >= began) {
            team = s[i].value;
            began = s[i].from;
        }
    return team;
}

static void buckets_init(struct svc_bucket_set *b, size_t n)
{
    b->n = n;
    b->first = xcalloc(n + 2, sizeof(*b->first));
    b->ids = NULL;
}

/* After counting into first[key + 2]: prefix sums, room for the ids, and first[key + 1]
 * as each bucket's fill cursor. */
static void buckets_layout(struct svc_bucket_set *b)
{
    for (size_t i = 2; i < b->n + 2; i++)
        b->first[i] += b->first[i - 1];
    b->ids = xmalloc(((size_t)b->first[b->n + 1] + 1) * sizeof(*b->ids));
}

static void roster_pass(const struct pidx_view *v, struct svc_roster *r, bool fill)
{
    for (size_t id = 1; id < v->n_residents; id++) {
        const struct pidx_resident *row = &v->residents[id];
        if (row->ou == PIDX_NONE)
            continue;
        uint32_t team = team_on(row, &v->spans[row->span_first], r->day);
        uint32_t ou = pidx_resident_ou_at(v, (uint32_t)id, r->day);
        if (team < r->teams.n) {
            if (fill)
                r->teams.ids[r->teams.first[team + 1]++] = (uint32_t)id;
            else
                r->teams.first[team + 2]++;
        }
        if (ou < r->ous.n) {
            if (fill)
                r->ous.ids[r->ous.first[ou + 1]++] = (uint32_t)id;
            else
                r->ous.first[ou + 2]++;
        }
    }
}

struct svc_roster *svc_roster_build(struct pidx *x, int32_t day)
{
    struct svc_roster *r = xcalloc(1, sizeof(*r));
    struct pidx_view v;
    r->day = day;
    pidx_read_lock(x);
    pidx_view(x, &v);
    buckets_init(&r->teams, v.n_teams);
    buckets_init(&r->ous, v.n_ous);
    /* Two passes, counting then filling, so each bucket is one contiguous run in id order. */
    roster_pass(&v, r, false);
    buckets_layout(&r->teams);
    buckets_layout(&r->ous);
    roster_pass(&v, r, true);
    pidx_read_unlock(x);
    return r;
}

void svc_roster_free(struct svc_roster *r)
{
    if (r == NULL)
        return;
    free(r->teams.first);
    free(r->teams.ids);
    free(r->ous.first);
    free(r->ous.ids);
    free(r);
}

int32_t svc_roster_day(const struct svc_roster *r)
{
    return r->day;
}

/* --- keys and the page heap ------------------------------------------------------------- */

static uint64_t key_day(int32_t day)
{
    if (day == SVC_DAY_NONE || day == SVC_OPEN)
        return KEY_DAY_NONE;
    int64_t d = (int64_t)day - KEY_DAY_BASE;
    return d < 0 ? 0 : d >= KEY_DAY_NONE ? KEY_DAY_NONE - 1 : (uint64_t)d;
}

static int64_t row_key(enum svc_wl_sort sort, uint32_t resident, const struct svc_plan_entry *e)
{
    uint64_t res = resident & ((1u << KEY_RESIDENT_BITS) - 1), item = e->item;
    uint64_t k;
    switch (sort) {
    case SVC_WL_SORT_OVERDUE:
        k = (key_day(e->overdue_since) << (KEY_RESIDENT_BITS + KEY_ITEM_BITS)) |
            (res << KEY_ITEM_BITS) | item;
        break;
    case SVC_WL_SORT_ITEM:
        k = (item << (KEY_DAY_BITS + KEY_RESIDENT_BITS)) |
            (key_day(e->due_by) << KEY_RESIDENT_BITS) | res;
        break;
    case SVC_WL_SORT_RESIDENT:
        k = (res << KEY_ITEM_BITS) | item;
        break;
    default:
        k = (key_day(e->due_by) << (KEY_RESIDENT_BITS + KEY_ITEM_BITS)) |
            (res << KEY_ITEM_BITS) | item;
        break;
    }
    return (int64_t)k;
}

/* A max-heap by key holding the cap smallest rows seen. */
struct page_heap {
    struct svc_worklist_row *rows;
    size_t n, cap;
    size_t seen;                /* rows offered (all that matched) */
};

static void heap_swap(struct svc_worklist_row *a, struct svc_worklist_row *b)
{
    struct svc_worklist_row t = *a;
    *a = *b;
    *b = t;
}

static void heap_offer(struct page_heap *h, const struct svc_worklist_row *row)
{
    h->seen++;
    size_t i;
    if (h->n < h->cap) {
        i = h->n++;
        h->rows[i] = *row;
        while (i > 0 && h->rows[(i - 1) / 2].key < h->rows[i].key) {
            heap_swap(&h->rows[(i - 1) / 2], &h->rows[i]);
            i = (i - 1) / 2;
        }
        return;
    }
    if (row->key >= h->rows[0].key)
        return;
    h->rows[0] = *row;
    for (i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, big = i;
        if (l < h->n && h->rows[l].key > h->rows[big].key)
            big = l;
        if (r < h->n && h->rows[r].key > h->rows[big].key)
            big = r;
        if (big == i)
            break;
        heap_swap(&h->rows[i], &h->rows[big]);
        i = big;
    }
}

static int by_key(const void *a, const void *b)
{
    const struct svc_worklist_row *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

/* --- the pass --------------------------------------------------------------------------- */

/* What one pass needs besides the view. */
struct pass {
    const struct svc_protocol *p;
    const struct svc_wl_area *area;
    const struct svc_worklist_query *q;
    unsigned states;
    const uint8_t *in_area;     /* OU and FACILITY: by org unit id, 1 inside the subtree */
    struct svc_plan_entry *plan;
    size_t cap;
    struct page_heap heap;
    struct svc_worklist *out;
};

/* 1 for each org unit in the subtree of `root` (parents are walked, at most 8 levels). */
static uint8_t *subtree_marks(const struct pidx_view *v, uint32_t root, struct arena *a)
{
    uint8_t *in = arena_zalloc(a, v->n_ous + 1);
    for (size_t i = 0; i < v->n_ous; i++) {
        uint32_t ou = (uint32_t)i;
        for (int depth = 0; depth < 8 && ou < v->n_ous && v->ous[ou].present; depth++) {
            if (ou == root) {
                in[i] = 1;
                break;
            }
            ou = v->ous[ou].parent;
        }
    }
    return in;
}

/* The resident's village on the day when they belong to the area, else PIDX_NONE. For a
 * team any village will do (PIDX_NONE only when the contract does not cover the day). */
static uint32_t member_village(const struct pidx_view *v, const struct pass *ps, uint32_t id)
{
    const struct pidx_resident *r = &v->residents[id];
    int32_t day = ps->q->today;
    if (r->ou == PIDX_NONE)
        return PIDX_NONE;
    if (ps->area->kind == SVC_WL_TEAM) {
        if (team_on(r, &v->spans[r->span_first], day) != ps->area->team)
            return PIDX_NONE;
        uint32_t ou = pidx_resident_ou_at(v, id, day);
        return ou != PIDX_NONE ? ou : r->ou;
    }
    /* Most residents have lived where they live since before the day: the row alone says
     * they are outside, without reading spans. */
    if (day >= r->residence_from && r->ou < v->n_ous && !ps->in_area[r->ou])
        return PIDX_NONE;
    uint32_t ou = pidx_resident_ou_at(v, id, day);
    return ou < v->n_ous && ps->in_area[ou] ? ou : PIDX_NONE;
}

/* Events of `item` in the period (and not after the day), and the last one's day. */
static uint16_t done_in(const struct pass *ps, const struct svc_done *h, size_t n, int item,
                        int32_t *last)
{
    uint16_t count = 0;
    int32_t to = ps->out->done_to < ps->q->today ? ps->out->done_to : ps->q->today;
    *last = SVC_DAY_NONE;
    for (size_t i = 0; i < n && h[i].day <= to; i++)
        if (h[i].item == item && h[i].day >= ps->out->done_from) {
            count++;
            *last = h[i].day;
        }
    return count;
}

static bool entry_passes(const struct pass *ps, const struct svc_plan_entry *e)
{
    const struct svc_worklist_query *q = ps->q;
    if (q->item >= 0 && e->item != q->item)
        return false;
    if (q->program >= 0 && svc_item_at(ps->p, e->item)->program != q->program)
        return false;
    return !q->refer_only || (e->flags & SVC_PLAN_REFER) != 0;
}

static void one_resident(const struct pidx_view *v, struct pass *ps, uint32_t id)
{
    uint32_t village = member_village(v, ps, id);
    if (village == PIDX_NONE)
        return;
    const struct pidx_resident *r = &v->residents[id];
    struct svc_tag_span tags[KEY_TAGS_CAP];
    struct svc_facts f;
    size_t n_done;
    const struct svc_done *done = pidx_view_services(v, id, &n_done);
    svc_facts_from_index(r, &v->spans[r->span_first], ps->q->today, tags, KEY_TAGS_CAP, &f);
    size_t n = svc_plan_build(ps->p, &f, done, n_done, ps->q->today, ps->q->horizon_days,
                              ps->plan, ps->cap);
    ps->out->residents++;
    ps->out->entries += n;
    for (size_t i = 0; i < n && i < ps->cap; i++) {
        const struct svc_plan_entry *e = &ps->plan[i];
        if (!entry_passes(ps, e))
            continue;
        struct svc_worklist_row row;
        row.done_in_period = done_in(ps, done, n_done, e->item, &row.done_day);
        if (e->state != SVC_STATE_DONE && e->state != SVC_STATE_LATER)
            ps->out->counts[e->state]++;
        if (row.done_in_period > 0)
            ps->out->counts[SVC_STATE_DONE]++;
        bool wanted = ((ps->states & SVC_WL_TODO) & (1u << e->state)) != 0 ||
                      ((ps->states & SVC_WL_DONE) && row.done_in_period > 0);
        if (!wanted)
            continue;
        row.key = row_key(ps->q->sort, id, e);
        if (row.key <= ps->q->after)
            continue;
        row.resident = id;
        row.e = *e;
        snprintf(row.village, sizeof(row.village), "%s",
                 village < v->n_ous ? v->ous[village].code : "");
        row.name = "";
        row.phone[0] = '\0';
        heap_offer(&ps->heap, &row);
    }
}

/* A team's residents lie all over a large index, so each costs a few cache misses (row,
 * spans, history). Ask for the rows a few residents ahead, and for the spans and history
 * of those whose rows were asked for before: the misses overlap instead of adding up. */
#define PREFETCH_ROWS 8
#define PREFETCH_DATA 4

static void prefetch(const struct pidx_view *v, const uint32_t *ids, uint32_t i, uint32_t end)
{
    if (i + PREFETCH_ROWS < end && ids[i + PREFETCH_ROWS] < v->n_residents) {
        uint32_t id = ids[i + PREFETCH_ROWS];
        __builtin_prefetch(&v->residents[id]);
        if (id < v->n_done_runs)
            __builtin_prefetch(&v->done_runs[id]);
    }
    if (i + PREFETCH_DATA < end && ids[i + PREFETCH_DATA] < v->n_residents) {
        uint32_t id = ids[i + PREFETCH_DATA];
        if (v->spans != NULL)
            __builtin_prefetch(&v->spans[v->residents[id].span_first]);
        if (id < v->n_done_runs && v->done != NULL)
            __builtin_prefetch(&v->done[v->done_runs[id].first]);
    }
}

static bool among(const uint32_t *ids, size_t n, uint32_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] == id)
            return true;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The candidates: a roster bucket (team) or the buckets of the area's villages, then the
 * extra ids (those also in a bucket are taken once, as extras); else every resident. */
static void walk(const struct pidx_view *v, struct pass *ps, const struct svc_candidates *cand)
{
    const struct svc_roster *roster = cand != NULL ? cand->roster : NULL;
    if (roster == NULL) {
        for (size_t id = 1; id < v->n_residents; id++)
            one_resident(v, ps, (uint32_t)id);
        return;
    }
    const struct svc_bucket_set *b = ps->area->kind == SVC_WL_TEAM ? &roster->teams
                                                                   : &roster->ous;
    for (size_t k = 0; k < b->n; k++) {
        bool take = ps->area->kind == SVC_WL_TEAM ? k == ps->area->team
                                                  : k < v->n_ous && ps->in_area[k];
        if (!take)
            continue;
        uint32_t end = b->first[k + 1];
        for (uint32_t i = b->first[k]; i < end; i++) {
            prefetch(v, b->ids, i, end);
            if (b->ids[i] < v->n_residents && !among(cand->extra, cand->n_extra, b->ids[i]))
                one_resident(v, ps, b->ids[i]);
        }
    }
    for (size_t i = 0; i < cand->n_extra; i++)
        if (cand->extra[i] > 0 && cand->extra[i] < v->n_residents)
            one_resident(v, ps, cand->extra[i]);
}

static void period_of(const struct svc_worklist_query *q, struct svc_worklist *out)
{
    int y, m, d;
    date_to_ymd(q->today, &y, &m, &d);
    out->done_from = q->done_from != SVC_DAY_NONE ? q->done_from : date_from_ymd(y, 1, 1);
    out->done_to = q->done_to != SVC_DAY_NONE ? q->done_to : q->today;
}

void svc_worklist_scan(struct pidx *x, const struct svc_protocol *p,
                       const struct svc_candidates *cand, const struct svc_wl_area *area,
                       const struct svc_worklist_query *q, struct arena *a,
                       struct svc_worklist *out)
{
    memset(out, 0, sizeof(*out));
    period_of(q, out);
    struct pass ps = {.p = p, .area = area, .q = q, .out = out};
    ps.states = q->states != 0 ? q->states : SVC_WL_TODO;
    ps.cap = svc_item_count(p);
    ps.plan = arena_alloc(a, (ps.cap + 1) * sizeof(*ps.plan));
    ps.heap.cap = (size_t)q->limit + 1;
    ps.heap.rows = arena_alloc(a, ps.heap.cap * sizeof(*ps.heap.rows));
    if (cand != NULL && (cand->roster == NULL || cand->roster->day != q->today))
        cand = NULL;
    struct pidx_view v;
    pidx_read_lock(x);
    pidx_view(x, &v);
    if (area->kind != SVC_WL_TEAM)
        ps.in_area = subtree_marks(&v, area->ou, a);
    walk(&v, &ps, cand);
    pidx_read_unlock(x);
    qsort(ps.heap.rows, ps.heap.n, sizeof(*ps.heap.rows), by_key);
    out->rows = ps.heap.rows;
    out->n = ps.heap.n < (size_t)q->limit ? ps.heap.n : (size_t)q->limit;
    out->more = ps.heap.seen > (size_t)q->limit;
    out->next = out->more ? out->rows[out->n - 1].key : 0;
}

/* --- names and phones ------------------------------------------------------------------- */

int svc_worklist_contacts(struct store *s, const struct acct_principal *who,
                          struct svc_worklist *wl, struct arena *a, struct yl_err *err)
{
    int rc = 0;
    struct store_conn *c = store_acquire(s);
    for (size_t i = 0; rc == 0 && i < wl->n; i++) {
        struct svc_worklist_row *row = &wl->rows[i];
        /* A resident with several entries on the page is read once. */
        const struct svc_worklist_row *same = NULL;
        for (size_t k = 0; k < i && same == NULL; k++)
            if (wl->rows[k].resident == row->resident)
                same = &wl->rows[k];
        if (same != NULL) {
            row->name = same->name;
            memcpy(row->phone, same->phone, sizeof(row->phone));
            continue;
        }
        struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_WL_CONTACT);
        store_bind_int(st, 1, row->resident);
        rc = store_step(st, err);
        if (rc != STORE_ROW) {
            /* Deleted from the store since the index saw it: list it without a name. */
            rc = rc < 0 ? rc : 0;
            continue;
        }
        row->name = arena_strdup(a, store_col_text(st, 0));
        char masked[REC_PHONE_MAX + 1];
        const char *phone = store_col_text(st, 1);
        snprintf(row->phone, sizeof(row->phone), "%s",
                 who != NULL ? rec_phone_mask(phone, masked) : phone);
        rc = store_exec(st, err);
    }
    store_release(c);
    return rc;
}

int svc_worklist_get(struct store *s, struct pidx *x, const struct svc_protocol *p,
                     const struct svc_candidates *cand, const struct acct_principal *who,
                     enum svc_wl_scope kind,
                     const char *code, const struct svc_worklist_query *q, struct arena *a,
                     struct svc_wl_area *area, struct svc_worklist *out, struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    if (q->limit < 1 || q->limit > SVC_WL_LIMIT_MAX)
        return yl_err_set(err, YL_EINVAL, "limit", "limit must be from 1 to %d",
                          SVC_WL_LIMIT_MAX);
    if (q->horizon_days < 0 || q->horizon_days > SVC_WL_HORIZON_MAX)
        return yl_err_set(err, YL_EINVAL, "horizon", "horizon must be from 0 to %d days",
                          SVC_WL_HORIZON_MAX);
    int rc = svc_wl_resolve(s, x, who, kind, code, area, err);
    if (rc != 0)
        return rc;
    svc_worklist_scan(x, p, cand, area, q, a, out);
    return svc_worklist_contacts(s, who, out, a, err);
}

/* --- CSV -------------------------------------------------------------------------------- */

/* One field, quoted when it holds a comma, a quote or a line break. */
static void csv_field(struct buf *out, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        buf_puts(out, s);
    } else {
        buf_putc(out, '"');
        for (; *s != '\0'; s++) {
            if (*s == '"')
                buf_putc(out, '"');
            buf_putc(out, *s);
        }
        buf_putc(out, '"');
    }
    buf_puts(out, last ? "\r\n" : ",");
}

static const char *csv_date(int32_t day, char text[DATE_STR_LEN])
{
    if (day == SVC_DAY_NONE || day == SVC_OPEN)
        return "";
    return date_format(day, text);
}

int svc_worklist_csv(const struct svc_protocol *p, const struct svc_worklist *wl,
                     struct buf *out)
{
    buf_puts(out, "居民ID,姓名,电话,村/社区,项目代码,项目,状态,窗口开始,应完成日期,逾期起始,"
                  "最近完成,本年次数,本期完成日期,本期次数,建议转诊,转诊规则\r\n");
    for (size_t i = 0; i < wl->n; i++) {
        const struct svc_worklist_row *r = &wl->rows[i];
        const struct svc_item *it = svc_item_at(p, r->e.item);
        bool refer = (r->e.flags & SVC_PLAN_REFER) != 0 && r->e.refer_rule >= 0;
        char id[16], year[8], count[8], d[5][DATE_STR_LEN];
        snprintf(id, sizeof(id), "%u", (unsigned)r->resident);
        snprintf(year, sizeof(year), "%u", (unsigned)r->e.done_this_year);
        snprintf(count, sizeof(count), "%u", (unsigned)r->done_in_period);
        const char *fields[] = {id, r->name, r->phone, r->village, it->code, it->name_zh,
                                svc_wl_state_zh(r->e.state), csv_date(r->e.open, d[0]),
                                csv_date(r->e.due_by, d[1]), csv_date(r->e.overdue_since, d[2]),
                                csv_date(r->e.last_done, d[3]), year, csv_date(r->done_day, d[4]),
                                count, refer ? "是" : "",
                                refer ? svc_rule_at(p, r->e.refer_rule)->code : ""};
        size_t n = sizeof(fields) / sizeof(fields[0]);
        for (size_t k = 0; k < n; k++)
            csv_field(out, fields[k] != NULL ? fields[k] : "", k + 1 == n);
    }
    return out->failed ? YL_ETOOBIG : 0;
}
