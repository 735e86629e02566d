/*
 * indicators_int.h - what the files of the indicators module share: the service-rate part
 * of the resident pass (rates.c), called by compute.c for each resident.
 */
#ifndef YL_INDICATORS_INT_H
#define YL_INDICATORS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicators/indicators.h"

/*
 * The plan of one pass: which items each rate counts (from the protocol, by programme and
 * schedule), and the day thresholds of the period worked out once (the birth days that
 * make a resident 65 on D, a child's dose cohort, the last screening that still covers D),
 * so the per-resident work is comparisons. Heap; ind_rates_free. Lives for one pass.
 */
struct ind_rates;
struct ind_rates *ind_rates_new(const struct svc_protocol *p, const struct ind_period *per);
void ind_rates_free(struct ind_rates *rp);      /* NULL is fine */

/* Counters per org unit the plan fills (its block in a thread's accumulators). */
size_t ind_rates_width(const struct ind_rates *rp);
/* Measures per org unit of a result computed with this protocol (NULL: IND_M_COUNT). */
size_t ind_rates_measures(const struct svc_protocol *p);

/*
 * Count one resident: `ou_d` is the unit they lived in on D when they were in the
 * population then, else PIDX_NONE (their flows - services, a birth, a delivery, a
 * notification - still count, where they lived on that day); `key` says they were in a
 * key population on D. acc holds n_ous blocks of ind_rates_width counters.
 * Cost: O(spans + history) and a few date conversions for the residents of a flow or a
 * dose cohort.
 */
void ind_rates_count(const struct ind_rates *rp, const struct pidx_view *v, uint32_t id,
                     const struct pidx_resident *r, const struct pidx_span *sp, uint32_t ou_d,
                     bool key, uint32_t *acc, size_t n_ous);

/* Add one unit's counters (c) to its measures (m, of ind_rates_measures entries). */
void ind_rates_add(const struct ind_rates *rp, const uint32_t *c, int64_t *m);

#endif
