/*
 * roster.c - the server's live roster: today's svc_roster and the residents written since
 * it was built (worklist.h explains why a worklist needs both).
 *
 * Two locks with two jobs: `swap` (a readers-writer lock) keeps a roster alive while
 * requests read it and is taken for writing only to swap in a new one; `touch_mu` guards
 * the short list of touched ids, which writes append to without waiting for readers.
 * Lock order: swap, then touch_mu; the population index's own lock is taken inside
 * (by the build, and by the scan while swap is held for reading), never around these.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "services/worklist.h"

/* Touched residents after which a rebuild is cheaper than carrying them in every scan. */
#define ROSTER_TOUCHED_MAX 20000

struct svc_live_roster {
    pthread_rwlock_t swap;
    struct svc_roster *roster;  /* NULL until the first build */
    int32_t day;
    pthread_mutex_t touch_mu;
    uint32_t *touched;
    size_t n_touched, cap_touched;
};

struct svc_live_roster *svc_live_roster_new(void)
{
    struct svc_live_roster *lr = xcalloc(1, sizeof(*lr));
    pthread_rwlock_init(&lr->swap, NULL);
    pthread_mutex_init(&lr->touch_mu, NULL);
    return lr;
}

void svc_live_roster_free(struct svc_live_roster *lr)
{
    if (lr == NULL)
        return;
    svc_roster_free(lr->roster);
    free(lr->touched);
    pthread_rwlock_destroy(&lr->swap);
    pthread_mutex_destroy(&lr->touch_mu);
    free(lr);
}

void svc_live_roster_rebuild(struct svc_live_roster *lr, struct pidx *x, int32_t day)
{
    /* Touches that arrive during the build may or may not be in it: keep them. */
    pthread_mutex_lock(&lr->touch_mu);
    size_t before = lr->n_touched;
    pthread_mutex_unlock(&lr->touch_mu);
    struct svc_roster *fresh = svc_roster_build(x, day);
    pthread_rwlock_wrlock(&lr->swap);
    struct svc_roster *old = lr->roster;
    lr->roster = fresh;
    lr->day = day;
    pthread_mutex_lock(&lr->touch_mu);
    if (before > 0) {
        memmove(lr->touched, lr->touched + before,
                (lr->n_touched - before) * sizeof(uint32_t));
        lr->n_touched -= before;
    }
    pthread_mutex_unlock(&lr->touch_mu);
    pthread_rwlock_unlock(&lr->swap);
    svc_roster_free(old);
}

void svc_live_roster_touch(struct svc_live_roster *lr, uint32_t id)
{
    pthread_mutex_lock(&lr->touch_mu);
    if (lr->n_touched == lr->cap_touched) {
        lr->cap_touched = lr->cap_touched ? 2 * lr->cap_touched : 256;
        lr->touched = xrealloc(lr->touched, lr->cap_touched * sizeof(*lr->touched));
    }
    lr->touched[lr->n_touched++] = id;
    pthread_mutex_unlock(&lr->touch_mu);
}

bool svc_live_roster_stale(struct svc_live_roster *lr, int32_t day)
{
    pthread_rwlock_rdlock(&lr->swap);
    bool stale = lr->roster == NULL || lr->day != day;
    pthread_rwlock_unlock(&lr->swap);
    pthread_mutex_lock(&lr->touch_mu);
    stale = stale || lr->n_touched > ROSTER_TOUCHED_MAX;
    pthread_mutex_unlock(&lr->touch_mu);
    return stale;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void svc_live_roster_acquire(struct svc_live_roster *lr, struct arena *a,
                             struct svc_candidates *out)
{
    pthread_rwlock_rdlock(&lr->swap);
    memset(out, 0, sizeof(*out));
    out->roster = lr->roster;
    pthread_mutex_lock(&lr->touch_mu);
    size_t n = lr->n_touched;
    uint32_t *ids = arena_alloc(a, (n ? n : 1) * sizeof(*ids));
    if (n > 0)
        memcpy(ids, lr->touched, n * sizeof(*ids));
    pthread_mutex_unlock(&lr->touch_mu);
    qsort(ids, n, sizeof(*ids), cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    out->extra = ids;
    out->n_extra = k;
}

void svc_live_roster_release(struct svc_live_roster *lr)
{
    pthread_rwlock_unlock(&lr->swap);
}
