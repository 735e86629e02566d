/*
 * pindex.c - the population index in memory: arrays indexed by store id, the span pool,
 * the lock, the puts and the small queries (DESIGN.md §3).
 *
 * The one idea: a resident is a fixed 32-byte row plus a run of 16-byte spans in one shared
 * pool, so a pass over the population reads two arrays front to back. A put that fits
 * rewrites its run in place; one that grows appends a new run and leaves the old one dead
 * until compaction (when half the pool is dead) copies the live runs into a fresh pool.
 */
#include "pindex/pindex_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "vocab/vocab.h"

static_assert(sizeof(struct pidx_resident) == 32, "a resident row is 32 bytes");
static_assert(sizeof(struct pidx_span) == 16, "a span is 16 bytes");

/* Compaction waits for this many dead slots at least, so small indexes never bother. */
#define PIDX_COMPACT_MIN 4096

void pidx_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t n = *cap + *cap / 2;
    if (n < need)
        n = need;
    if (n < 16)
        n = 16;
    char *q = xrealloc(*p, n * size);
    memset(q + *cap * size, 0, (n - *cap) * size);
    *p = q;
    *cap = n;
}

struct pidx *pidx_new(void)
{
    struct pidx *x = xcalloc(1, sizeof(*x));
    /* Writers are preferred: an indicator pass holds the read lock for a fraction of a
     * second, and back-to-back passes must not keep a write path waiting for ever. The
     * price is that no reader may take the read lock twice. */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&x->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return x;
}

void pidx_clear(struct pidx *x)
{
    free(x->ous);
    free(x->facilities);
    free(x->staff);
    free(x->teams);
    free(x->population);
    free(x->residents);
    free(x->spans);
    free(x->done);
    free(x->done_runs);
    memset(x, 0, PIDX_CONTENTS);
}

void pidx_free(struct pidx *x)
{
    if (x == NULL)
        return;
    pidx_clear(x);
    free(x->item_slots);
    pthread_rwlock_destroy(&x->lock);
    free(x);
}

static void shrink_one(void **p, size_t *cap, size_t n, size_t size)
{
    if (n == *cap || n == 0)
        return;
    *p = xrealloc(*p, n * size);
    *cap = n;
}

void pidx_shrink(struct pidx *x)
{
    shrink_one((void **)&x->ous, &x->cap_ous, x->n_ous, sizeof(*x->ous));
    shrink_one((void **)&x->facilities, &x->cap_facilities, x->n_facilities,
               sizeof(*x->facilities));
    shrink_one((void **)&x->staff, &x->cap_staff, x->n_staff, sizeof(*x->staff));
    shrink_one((void **)&x->teams, &x->cap_teams, x->n_teams, sizeof(*x->teams));
    shrink_one((void **)&x->population, &x->cap_population, x->n_population,
               sizeof(*x->population));
    shrink_one((void **)&x->residents, &x->cap_residents, x->n_residents,
               sizeof(*x->residents));
    shrink_one((void **)&x->spans, &x->cap_spans, x->n_spans, sizeof(*x->spans));
    shrink_one((void **)&x->done, &x->cap_done, x->n_done, sizeof(*x->done));
    shrink_one((void **)&x->done_runs, &x->cap_done_runs, x->n_done_runs,
               sizeof(*x->done_runs));
}

void pidx_read_lock(struct pidx *x)
{
    pthread_rwlock_rdlock(&x->lock);
}

void pidx_read_unlock(struct pidx *x)
{
    pthread_rwlock_unlock(&x->lock);
}

void pidx_view(struct pidx *x, struct pidx_view *v)
{
    v->ous = x->ous;
    v->n_ous = x->n_ous;
    v->facilities = x->facilities;
    v->n_facilities = x->n_facilities;
    v->staff = x->staff;
    v->n_staff = x->n_staff;
    v->teams = x->teams;
    v->n_teams = x->n_teams;
    v->residents = x->residents;
    v->n_residents = x->n_residents;
    v->spans = x->spans;
    v->population = x->population;
    v->n_population = x->n_population;
    v->done = x->done;
    v->done_runs = x->done_runs;
    v->n_done_runs = x->n_done_runs;
    v->protocol = x->protocol;
}

/* --- registry arrays -------------------------------------------------------------------- */

/* Make entry `id` of an array exist, growing it (new entries are zero: absent). */
static void *slot(void **p, size_t *n, size_t *cap, uint32_t id, size_t size)
{
    assert(id != PIDX_NONE);
    if (id >= *n) {
        pidx_grow(p, cap, (size_t)id + 1, size);
        *n = (size_t)id + 1;
    }
    return (char *)*p + (size_t)id * size;
}

void pidx_ou_set(struct pidx *x, uint32_t id, const struct pidx_ou *ou)
{
    struct pidx_ou *o = slot((void **)&x->ous, &x->n_ous, &x->cap_ous, id, sizeof(*o));
    *o = *ou;
    if (!o->present)
        memset(o, 0, sizeof(*o));
}

void pidx_facility_set(struct pidx *x, uint32_t id, const struct pidx_facility *f)
{
    struct pidx_facility *o =
        slot((void **)&x->facilities, &x->n_facilities, &x->cap_facilities, id, sizeof(*o));
    *o = *f;
    if (!o->present)
        memset(o, 0, sizeof(*o));
}

void pidx_staff_set(struct pidx *x, uint32_t id, const struct pidx_staff *st)
{
    struct pidx_staff *o = slot((void **)&x->staff, &x->n_staff, &x->cap_staff, id, sizeof(*o));
    *o = *st;
    if (!o->present)
        memset(o, 0, sizeof(*o));
}

void pidx_team_set(struct pidx *x, uint32_t id, const struct pidx_team *t)
{
    struct pidx_team *o = slot((void **)&x->teams, &x->n_teams, &x->cap_teams, id, sizeof(*o));
    *o = *t;
    if (!o->present)
        memset(o, 0, sizeof(*o));
}

struct pidx_population *pidx_population_slot(struct pidx *x, uint32_t ou, int32_t year)
{
    /* Loads arrive ordered by org unit and year, so the last entry is nearly always the
     * one; a later put searches the table (a few thousand entries at most). */
    for (size_t i = x->n_population; i-- > 0;) {
        struct pidx_population *p = &x->population[i];
        if (p->ou == ou && p->year == year)
            return p;
    }
    pidx_grow((void **)&x->population, &x->cap_population, x->n_population + 1,
              sizeof(*x->population));
    struct pidx_population *p = &x->population[x->n_population++];
    memset(p, 0, sizeof(*p));
    p->ou = ou;
    p->year = year;
    return p;
}

void pidx_ou_put(struct pidx *x, uint32_t id, const struct pidx_ou *ou)
{
    pthread_rwlock_wrlock(&x->lock);
    pidx_ou_set(x, id, ou);
    pthread_rwlock_unlock(&x->lock);
}

void pidx_population_put(struct pidx *x, uint32_t ou, int32_t year, int sex, int band,
                         int32_t count)
{
    assert(sex == 1 || sex == 2);
    assert(band >= 0 && band < PIDX_AGE_BANDS);
    pthread_rwlock_wrlock(&x->lock);
    pidx_population_slot(x, ou, year)->counts[sex - 1][band] = count;
    pthread_rwlock_unlock(&x->lock);
}

void pidx_facility_put(struct pidx *x, uint32_t id, const struct pidx_facility *f)
{
    pthread_rwlock_wrlock(&x->lock);
    pidx_facility_set(x, id, f);
    pthread_rwlock_unlock(&x->lock);
}

void pidx_staff_put(struct pidx *x, uint32_t id, const struct pidx_staff *st)
{
    pthread_rwlock_wrlock(&x->lock);
    pidx_staff_set(x, id, st);
    pthread_rwlock_unlock(&x->lock);
}

void pidx_team_put(struct pidx *x, uint32_t id, const struct pidx_team *t)
{
    pthread_rwlock_wrlock(&x->lock);
    pidx_team_set(x, id, t);
    pthread_rwlock_unlock(&x->lock);
}

uint32_t pidx_ou_find(struct pidx *x, const char *code)
{
    uint32_t found = PIDX_NONE;
    pthread_rwlock_rdlock(&x->lock);
    for (size_t i = 1; i < x->n_ous; i++) {
        if (x->ous[i].present && strcmp(x->ous[i].code, code) == 0) {
            found = (uint32_t)i;
            break;
        }
    }
    pthread_rwlock_unlock(&x->lock);
    return found;
}

/* --- residents and the span pool -------------------------------------------------------- */

/* Copy every live run into a fresh pool in resident order. O(residents + live spans). */
static void compact(struct pidx *x)
{
    size_t live = x->n_spans - x->dead_spans;
    size_t cap = live + live / 4 + 16;
    struct pidx_span *pool = xmalloc(cap * sizeof(*pool));
    size_t used = 0;
    for (size_t i = 0; i < x->n_residents; i++) {
        struct pidx_resident *r = &x->residents[i];
        if (r->span_count == 0)
            continue;
        memcpy(&pool[used], &x->spans[r->span_first], r->span_count * sizeof(*pool));
        r->span_first = (uint32_t)used;
        used += r->span_count;
    }
    assert(used == live);
    free(x->spans);
    x->spans = pool;
    x->n_spans = used;
    x->cap_spans = cap;
    x->dead_spans = 0;
}

void pidx_resident_set(struct pidx *x, uint32_t id, const struct pidx_resident *r,
                       const struct pidx_span *spans, size_t n)
{
    assert(id != PIDX_NONE);
    bool present = r->ou != PIDX_NONE;
    if (id >= x->n_residents) {
        if (!present)
            return;
        pidx_grow((void **)&x->residents, &x->cap_residents, (size_t)id + 1,
                  sizeof(*x->residents));
        for (size_t i = x->n_residents; i <= id; i++) {
            memset(&x->residents[i], 0, sizeof(x->residents[i]));
            x->residents[i].ou = PIDX_NONE;
        }
        x->n_residents = (size_t)id + 1;
    }
    struct pidx_resident *row = &x->residents[id];
    bool was = row->ou != PIDX_NONE;
    size_t keep = present ? n : 0;
    uint32_t first = row->span_first;
    if (keep <= row->span_count) {
        x->dead_spans += row->span_count - keep;
    } else {
        x->dead_spans += row->span_count;
        assert(x->n_spans + keep < UINT32_MAX);
        pidx_grow((void **)&x->spans, &x->cap_spans, x->n_spans + keep, sizeof(*x->spans));
        first = (uint32_t)x->n_spans;
        x->n_spans += keep;
    }
    if (keep > 0)
        memcpy(&x->spans[first], spans, keep * sizeof(*spans));
    if (present) {
        *row = *r;
    } else {
        memset(row, 0, sizeof(*row));
        row->ou = PIDX_NONE;
    }
    row->span_first = keep > 0 ? first : 0;
    row->span_count = (uint32_t)keep;
    x->n_present += (size_t)present - (size_t)was;
    /* A resident taken out takes their service history along. */
    if (!present)
        pidx_done_set(x, id, NULL, 0);
    if (x->dead_spans >= PIDX_COMPACT_MIN && x->dead_spans * 2 > x->n_spans)
        compact(x);
}

void pidx_resident_put(struct pidx *x, uint32_t id, const struct pidx_resident *r,
                       const struct pidx_span *spans, size_t n)
{
    pthread_rwlock_wrlock(&x->lock);
    pidx_resident_set(x, id, r, spans, n);
    pthread_rwlock_unlock(&x->lock);
}

bool pidx_resident_get(struct pidx *x, uint32_t id, struct pidx_resident *r,
                       struct pidx_span *spans, size_t cap, size_t *n_spans)
{
    bool found = false;
    *n_spans = 0;
    pthread_rwlock_rdlock(&x->lock);
    if (id < x->n_residents && x->residents[id].ou != PIDX_NONE) {
        found = true;
        *r = x->residents[id];
        *n_spans = r->span_count;
        size_t n = r->span_count < cap ? r->span_count : cap;
        if (n > 0)
            memcpy(spans, &x->spans[r->span_first], n * sizeof(*spans));
    }
    pthread_rwlock_unlock(&x->lock);
    return found;
}

size_t pidx_resident_count(struct pidx *x)
{
    pthread_rwlock_rdlock(&x->lock);
    size_t n = x->n_present;
    pthread_rwlock_unlock(&x->lock);
    return n;
}

/* --- queries ---------------------------------------------------------------------------- */

uint32_t pidx_resident_team(struct pidx *x, uint32_t id, int32_t day)
{
    uint32_t team = PIDX_NONE;
    int32_t began = INT32_MIN;
    pthread_rwlock_rdlock(&x->lock);
    if (id < x->n_residents && x->residents[id].ou != PIDX_NONE) {
        const struct pidx_resident *r = &x->residents[id];
        const struct pidx_span *s = &x->spans[r->span_first];
        /* Overlapping contracts should not exist; if they do, the later one speaks. */
        for (uint32_t i = 0; i < r->span_count; i++) {
            if (s[i].kind == PIDX_SPAN_CONTRACT && s[i].from <= day && day <= s[i].to &&
                s[i].from >= began) {
                team = s[i].value;
                began = s[i].from;
            }
        }
    }
    pthread_rwlock_unlock(&x->lock);
    return team;
}

bool pidx_ou_in_subtree(struct pidx *x, uint32_t ou, uint32_t ancestor)
{
    bool inside = false;
    pthread_rwlock_rdlock(&x->lock);
    /* Five levels at most; the bound also stops a cycle a bad parent could make. */
    for (int depth = 0; depth < 8 && ou < x->n_ous && x->ous[ou].present; depth++) {
        if (ou == ancestor) {
            inside = true;
            break;
        }
        ou = x->ous[ou].parent;
    }
    pthread_rwlock_unlock(&x->lock);
    return inside;
}

uint32_t pidx_residence_at(const struct pidx_resident *r, const struct pidx_span *spans,
                           int32_t day)
{
    if (day >= r->residence_from)
        return r->ou;
    uint32_t best = PIDX_NONE, next = r->ou;
    int32_t best_from = INT32_MIN, next_from = r->residence_from;
    for (uint32_t i = 0; i < r->span_count; i++) {
        const struct pidx_span *s = &spans[i];
        if (s->kind != PIDX_SPAN_RESIDENCE)
            continue;
        if (s->from <= day && day <= s->to) {
            if (s->from >= best_from) {
                best = s->value;
                best_from = s->from;
            }
        } else if (s->from > day && s->from < next_from) {
            next = s->value;
            next_from = s->from;
        }
    }
    return best != PIDX_NONE ? best : next;
}

uint32_t pidx_resident_ou_at(const struct pidx_view *v, uint32_t id, int32_t day)
{
    if (id >= v->n_residents)
        return PIDX_NONE;
    const struct pidx_resident *r = &v->residents[id];
    if (r->ou == PIDX_NONE || day < r->record_date || day >= r->end_date)
        return PIDX_NONE;
    return pidx_residence_at(r, &v->spans[r->span_first], day);
}

size_t pidx_memory(struct pidx *x, size_t *rows_bytes, size_t *spans_bytes)
{
    pthread_rwlock_rdlock(&x->lock);
    size_t rows = x->cap_residents * sizeof(*x->residents);
    size_t spans = x->cap_spans * sizeof(*x->spans);
    size_t total = sizeof(*x) + rows + spans + x->cap_ous * sizeof(*x->ous) +
                   x->cap_facilities * sizeof(*x->facilities) +
                   x->cap_staff * sizeof(*x->staff) + x->cap_teams * sizeof(*x->teams) +
                   x->cap_population * sizeof(*x->population);
    pthread_rwlock_unlock(&x->lock);
    total += pidx_services_memory(x, NULL);
    if (rows_bytes != NULL)
        *rows_bytes = rows;
    if (spans_bytes != NULL)
        *spans_bytes = spans;
    return total;
}

int32_t pidx_span_due(const struct pidx_span *s)
{
    int32_t days = s->aux[0] | s->aux[1] << 8 | s->aux[2] << 16;
    return days > 0 ? s->from + days : INT32_MIN;
}

void pidx_span_set_due(struct pidx_span *s, int32_t due)
{
    int64_t days = (int64_t)due - s->from;
    if (days <= 0 || days >= (1 << 24))
        days = 0;
    s->aux[0] = (uint8_t)days;
    s->aux[1] = (uint8_t)(days >> 8);
    s->aux[2] = (uint8_t)(days >> 16);
}

int pidx_span_package(const struct pidx_span *s)
{
    return s->aux[0] >= 1 && s->aux[0] <= PKG_COUNT ? s->aux[0] - 1 : PKG_COUNT;
}

void pidx_span_set_package(struct pidx_span *s, int package)
{
    s->aux[0] = package >= 0 && package < PKG_COUNT ? (uint8_t)(package + 1) : 0;
}

static int span_cmp(const void *pa, const void *pb)
{
    const struct pidx_span *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return 0;
}

void pidx_spans_sort(struct pidx_span *spans, size_t n)
{
    if (n > 1)
        qsort(spans, n, sizeof(*spans), span_cmp);
}
