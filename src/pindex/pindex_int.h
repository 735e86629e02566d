/*
 * pindex_int.h - the population index's own declarations: struct pidx itself and the
 * helpers its files share (storage growth, span sets).
 */
#ifndef YL_PINDEX_INT_H
#define YL_PINDEX_INT_H

#include <pthread.h>
#include <stddef.h>

#include "pindex/pindex.h"

/* The lock comes last: a load swaps in everything before it (offsetof) and never touches
 * the lock that readers may be waiting on. */
struct pidx {
    struct pidx_ou *ous;
    size_t n_ous, cap_ous;
    struct pidx_facility *facilities;
    size_t n_facilities, cap_facilities;
    struct pidx_staff *staff;
    size_t n_staff, cap_staff;
    struct pidx_team *teams;
    size_t n_teams, cap_teams;
    struct pidx_population *population;
    size_t n_population, cap_population;
    struct pidx_resident *residents;
    size_t n_residents, cap_residents;
    size_t n_present;           /* rows with an org unit */
    struct pidx_span *spans;
    size_t n_spans, cap_spans;
    size_t dead_spans;          /* slots no row refers to, reclaimed by compaction */
    struct svc_done *done;      /* service history pool */
    size_t n_done, cap_done, dead_done;
    struct pidx_done_run *done_runs;    /* by resident id */
    size_t n_done_runs, cap_done_runs;
    pthread_rwlock_t lock;
    /* Configuration, kept across loads (after the lock, so a load never swaps it). */
    const struct svc_protocol *protocol;
    uint16_t *item_slots;       /* open addressing: item index + 1 by hash of its code */
    size_t item_mask;
};

/* Bytes of struct pidx that hold the contents (everything but the lock). */
#define PIDX_CONTENTS offsetof(struct pidx, lock)

/* Make room for `need` entries of `size` bytes in *p (capacity *cap), growing by half again
 * at least, so n appends cost O(n) copies in all. New room is zeroed. */
void pidx_grow(void **p, size_t *cap, size_t need, size_t size);

/* Unlocked parts of the puts, for the loader building a private index. */
void pidx_resident_set(struct pidx *x, uint32_t id, const struct pidx_resident *r,
                       const struct pidx_span *spans, size_t n);
struct pidx_population *pidx_population_slot(struct pidx *x, uint32_t ou, int32_t year);
void pidx_ou_set(struct pidx *x, uint32_t id, const struct pidx_ou *ou);
void pidx_facility_set(struct pidx *x, uint32_t id, const struct pidx_facility *f);
void pidx_staff_set(struct pidx *x, uint32_t id, const struct pidx_staff *st);
void pidx_team_set(struct pidx *x, uint32_t id, const struct pidx_team *t);

/* Replace resident `id`'s service history (unlocked, as pidx_resident_set). */
void pidx_done_set(struct pidx *x, uint32_t id, const struct svc_done *done, size_t n);
/* The protocol index of a stored item code, or -1 (no protocol, or an unknown code). */
int pidx_item_index(const struct pidx *x, const char *code);
/* Read resident `id`'s kept history from the store on c into *out (malloc'd, *n entries;
 * NULL and 0 when there is none or no protocol). */
int pidx_services_read(const struct pidx *x, struct store_conn *c, uint32_t id,
                       struct svc_done **out, size_t *n, struct yl_err *err);

/* Release every array of x (not the lock) and leave it empty. */
void pidx_clear(struct pidx *x);
/* Trim capacities to what is used (after a load). */
void pidx_shrink(struct pidx *x);

/* Sort a resident's spans into a canonical order (kind, from, to, value), so two lists can
 * be compared as sets. O(n log n). */
void pidx_spans_sort(struct pidx_span *spans, size_t n);

#endif
