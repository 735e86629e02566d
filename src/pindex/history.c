/*
 * history.c - the service history of the population index: each resident's recent services
 * (struct svc_done, 8 bytes) in a pool of their own, the protocol that maps stored item codes
 * to item indexes, and the accessors worklists and rates read.
 *
 * The pool works as the span pool does: a resident's run is rewritten in place when the new
 * history fits, else appended, and the pool is compacted when half of it is dead. Runs live
 * in their own array by resident id, so the 32-byte resident row is untouched and a pass
 * that needs no history never reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "pindex/pindex_int.h"

_Static_assert(sizeof(struct svc_done) == 8, "a service in the index is 8 bytes");

/* Compaction waits for this many dead slots at least, so small indexes never bother. */
#define DONE_COMPACT_MIN 4096

/* --- item codes ------------------------------------------------------------------------- */

/* FNV-1a: item codes are short and few, any decent spread will do. */
static uint32_t code_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

void pidx_set_protocol(struct pidx *x, const struct svc_protocol *p)
{
    free(x->item_slots);
    x->item_slots = NULL;
    x->item_mask = 0;
    x->protocol = p;
    if (p == NULL)
        return;
    /* At most half full, so a probe ends after a slot or two. */
    size_t n = svc_item_count(p), size = 16;
    while (size < 2 * n)
        size *= 2;
    x->item_slots = xcalloc(size, sizeof(*x->item_slots));
    x->item_mask = size - 1;
    for (size_t i = 0; i < n; i++) {
        size_t at = code_hash(svc_item_at(p, (int)i)->code) & x->item_mask;
        while (x->item_slots[at] != 0)
            at = (at + 1) & x->item_mask;
        x->item_slots[at] = (uint16_t)(i + 1);
    }
}

const struct svc_protocol *pidx_protocol(const struct pidx *x)
{
    return x->protocol;
}

int pidx_item_index(const struct pidx *x, const char *code)
{
    if (x->protocol == NULL)
        return -1;
    for (size_t at = code_hash(code) & x->item_mask; x->item_slots[at] != 0;
         at = (at + 1) & x->item_mask) {
        int i = x->item_slots[at] - 1;
        if (strcmp(svc_item_at(x->protocol, i)->code, code) == 0)
            return i;
    }
    return -1;
}

int32_t pidx_history_cutoff(int32_t today)
{
    int y, m, d;
    date_to_ymd(today, &y, &m, &d);
    return date_from_ymd(y - 1, 1, 1);
}

/* --- the pool --------------------------------------------------------------------------- */

/* Copy every live run into a fresh pool in resident order. O(residents + live events). */
static void compact(struct pidx *x)
{
    size_t live = x->n_done - x->dead_done;
    size_t cap = live + live / 4 + 16;
    struct svc_done *pool = xmalloc(cap * sizeof(*pool));
    size_t used = 0;
    for (size_t i = 0; i < x->n_done_runs; i++) {
        struct pidx_done_run *r = &x->done_runs[i];
        if (r->count == 0)
            continue;
        memcpy(&pool[used], &x->done[r->first], r->count * sizeof(*pool));
        r->first = (uint32_t)used;
        used += r->count;
    }
    free(x->done);
    x->done = pool;
    x->n_done = used;
    x->cap_done = cap;
    x->dead_done = 0;
}

void pidx_done_set(struct pidx *x, uint32_t id, const struct svc_done *done, size_t n)
{
    if (id >= x->n_done_runs) {
        if (n == 0)
            return;
        /* New runs are zero: no history. */
        pidx_grow((void **)&x->done_runs, &x->cap_done_runs, (size_t)id + 1,
                  sizeof(*x->done_runs));
        x->n_done_runs = (size_t)id + 1;
    }
    struct pidx_done_run *run = &x->done_runs[id];
    uint32_t first = run->first;
    if (n <= run->count) {
        x->dead_done += run->count - n;
    } else {
        x->dead_done += run->count;
        pidx_grow((void **)&x->done, &x->cap_done, x->n_done + n, sizeof(*x->done));
        first = (uint32_t)x->n_done;
        x->n_done += n;
    }
    if (n > 0)
        memcpy(&x->done[first], done, n * sizeof(*done));
    run->first = n > 0 ? first : 0;
    run->count = (uint32_t)n;
    if (x->dead_done >= DONE_COMPACT_MIN && x->dead_done * 2 > x->n_done)
        compact(x);
}

/* --- readers ---------------------------------------------------------------------------- */

const struct svc_done *pidx_view_services(const struct pidx_view *v, uint32_t id, size_t *n)
{
    *n = 0;
    if (id >= v->n_done_runs || v->done_runs[id].count == 0)
        return NULL;
    *n = v->done_runs[id].count;
    return &v->done[v->done_runs[id].first];
}

void pidx_services_put(struct pidx *x, uint32_t id, const struct svc_done *done, size_t n)
{
    pthread_rwlock_wrlock(&x->lock);
    pidx_done_set(x, id, done, n);
    pthread_rwlock_unlock(&x->lock);
}

size_t pidx_resident_services(struct pidx *x, uint32_t id, struct svc_done *out, size_t cap)
{
    pthread_rwlock_rdlock(&x->lock);
    size_t n = 0;
    if (id < x->n_done_runs) {
        const struct pidx_done_run *r = &x->done_runs[id];
        n = r->count;
        size_t copy = n < cap ? n : cap;
        if (copy > 0)
            memcpy(out, &x->done[r->first], copy * sizeof(*out));
    }
    pthread_rwlock_unlock(&x->lock);
    return n;
}

size_t pidx_services_memory(struct pidx *x, size_t *events)
{
    pthread_rwlock_rdlock(&x->lock);
    size_t bytes = x->cap_done * sizeof(*x->done) + x->cap_done_runs * sizeof(*x->done_runs);
    size_t kept = x->n_done - x->dead_done;
    pthread_rwlock_unlock(&x->lock);
    if (events != NULL)
        *events = kept;
    return bytes;
}
