/*
 * events_int.h - what the service events' own files share: the lookups an import may keep
 * between the rows of one batch.
 *
 * An import's rows come grouped by resident and name a handful of facilities and staff, so
 * most of an event's checks would re-read what the previous row read (the resident's facts
 * alone are five statements). The cache keeps the last resident's facts and the codes seen,
 * read on the batch's own connection inside its transaction; the import clears it at every
 * batch boundary, so nothing outlives the transaction that read it.
 */
#ifndef YL_SERVICES_EVENTS_INT_H
#define YL_SERVICES_EVENTS_INT_H

#include "services/events.h"

struct svc_apply_cache;

struct svc_apply_cache *svc_apply_cache_new(void);
void svc_apply_cache_free(struct svc_apply_cache *cache);
/* Forget everything (a batch ended, committed or not). */
void svc_apply_cache_reset(struct svc_apply_cache *cache);

/* svc_event_apply with the cache (NULL: none, which is svc_event_apply). */
int svc_event_apply_cached(struct store_conn *c, const struct svc_protocol *p,
                           const struct acct_principal *who, const struct svc_event_input *in,
                           struct svc_apply_cache *cache, struct svc_event_result *result,
                           struct yl_err *err);

#endif
