/*
 * events.h - service records (服务记录): the store side of the public health services. One
 * service event is a resident, an item of the protocol, a day, a facility, optionally a
 * staff member, and its measurements; it is checked against the protocol (services.h),
 * written with its audit record in one transaction, and read back as a resident's history.
 *
 * The one idea: an event is accepted whole or not at all, and is keyed by an external id, so
 * a client or an import that sends it again changes nothing (the same content) or is told
 * of the conflict (other content under the same key, 409 with existing_id).
 *
 * Measurements are stored as one normalised TEXT column, "code=value" pairs in protocol
 * order separated by single spaces ("sbp=150 dbp=95 weight=70.5 bmi=24.4"): an event is
 * written and read whole and never searched by a measurement in SQL (rates read the outcome
 * bits of the population index), a child table would multiply ten million residents' events
 * by ten rows each, and the normal form makes "the same content" one string comparison.
 * Hence a text value (a vaccine lot) may not contain white space. Numbers are written with
 * up to 15 significant digits, derived measurements (BMI) are stored as computed.
 *
 * Facts (services.h struct svc_facts) come from the population index's row and spans for a
 * resident (svc_facts_from_index), both when recording (read on the write's own
 * connection, pidx_resident_read) and for care plans and worklists (the live index): one
 * code path. The pregnant tag covers pregnancy and the postpartum weeks, so the delivery
 * day of a span is its expected delivery, or its end when it ended before that at 28 weeks
 * of gestation or later (an earlier end is a pregnancy lost, not a delivery); a span without
 * an expected delivery counts its end. The latest delivery on or before the day counts.
 */
#ifndef YL_SERVICES_EVENTS_H
#define YL_SERVICES_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/services.h"

struct yl_err;
struct arena;
struct store;
struct store_conn;
struct acct_principal;
struct audit_actor;
struct imp_spec;
struct pidx;
struct pidx_resident;
struct pidx_span;

#define SVC_EXTERNAL_ID_MAX 64      /* bytes of an external id: letters, digits, - _ . : / */
#define SVC_MEASUREMENTS_MAX 2048   /* bytes of the text form of one event's measurements */
#define SVC_DELIVERY_MIN_WEEKS 28   /* a pregnancy ending from this week on is a delivery */

/* ------------------------------------------------------------------ facts */

/*
 * The facts of one resident for the engine, as of `day`: sex, birth, end of membership in
 * the population, the key-population tags (into tags, cap entries; a resident with more tag
 * spans than cap keeps the first cap) and the delivery day (see above). `spans` are the
 * row's own spans (r->span_count of them; from pidx_resident_get, pidx_resident_read or a
 * view). f->tags points at `tags`. Pure; O(spans).
 */
void svc_facts_from_index(const struct pidx_resident *r, const struct pidx_span *spans,
                          int32_t day, struct svc_tag_span *tags, size_t cap,
                          struct svc_facts *f);

/* ------------------------------------------------------------------ measurements as text */

/* One event's measurements parsed from text; values' code and text point into buf. */
struct svc_measure_list {
    struct svc_measure_value v[SVC_ITEM_MEASURES];
    size_t n;
    char buf[SVC_MEASUREMENTS_MAX];
};

/*
 * Parse "code=value code=value" (space-separated; "" is none) into out. A value is a number
 * when the protocol knows the code as a number, integer or yes/no ("yes"/"no"/"true"/
 * "false" are 1/0 there), else text. YL_EINVAL with err->field "measurements" for a
 * malformed pair, too many pairs or too long a text, or the code for a number that does not
 * parse. Range and item checks are svc_measures_check's.
 */
int svc_measures_parse(const struct svc_protocol *p, const char *text,
                       struct svc_measure_list *out, struct yl_err *err);

/* Write checked values (svc_measures_check's output) in normal form into out (n bytes):
 * sorted by measurement index, numbers with %.15g. YL_EINVAL naming the code for a text
 * value with white space, or "measurements" when it does not fit. */
int svc_measures_format(const struct svc_protocol *p, const struct svc_measure_value *v,
                        size_t n, char *out, size_t size, struct yl_err *err);

/* ------------------------------------------------------------------ recording */

/* What a client sends. Strings are borrowed; dates "YYYY-MM-DD". */
struct svc_event_input {
    const char *external_id;    /* NULL or "": one is generated ("svc-" and 32 hex digits) */
    int64_t resident_id;        /* the resident; when 0, id_number names them */
    const char *id_number;      /* imports: the resident's ID number (15 or 18 digits) */
    const char *item;           /* an item code of the protocol */
    const char *date;           /* the day of the service */
    const char *facility;       /* facility code */
    const char *staff;          /* staff code; NULL or "" for none */
    const struct svc_measure_value *values;     /* entered measurements (code and num or
                                                 * text), n_values of them */
    size_t n_values;
};

/* What svc_event_apply decided. */
struct svc_event_result {
    int64_t id;                 /* the event (new, or the existing one when unchanged) */
    int64_t resident_id;
    bool created;               /* false: the same event was already stored */
    uint8_t outcome;            /* SVC_OUT_* */
};

/*
 * Check and store one event inside the caller's open write transaction on c (no audit, no
 * commit: svc_event_record and the import add those). Checks, each refusal YL_EINVAL naming
 * the field unless said otherwise:
 *   resident: exists and lies in who's scope (rec_scope_check: YL_ENOTFOUND outside it,
 *     YL_EFORBIDDEN for a role that sees no records; NULL who is the system); by ID number,
 *     "id_number" when none has it;
 *   "item": a code of the protocol; "date": a date, not in the future, not before birth;
 *   "facility": an existing facility code; "staff": an existing staff code of someone who
 *     works at the facility or belongs to a team of it;
 *   measurements: svc_measures_check (field = the measurement's code);
 *   "external_id": at most SVC_EXTERNAL_ID_MAX bytes of letters, digits and - _ . : /;
 *   an event with this external id already stored: the same content (resident, item, day,
 *     facility, staff, measurements) is no change (result->created false), other content
 *     YL_ECONFLICT on "external_id" with err->existing_id;
 *   "item" again when the resident is not eligible for the item on that day
 *     (svc_item_eligible over svc_facts_from_index), the message saying why.
 * The outcome is svc_event_outcome of the checked values. Returns 0 or the refusal; nothing
 * is written unless 0 is returned with created set.
 */
int svc_event_apply(struct store_conn *c, const struct svc_protocol *p,
                    const struct acct_principal *who, const struct svc_event_input *in,
                    struct svc_event_result *result, struct yl_err *err);

/* svc_event_apply in its own write transaction, with the audit record ("record_service" on
 * resource "resident" with the resident's id) when an event was created; an unchanged
 * event writes nothing. The caller refreshes the population index afterwards
 * (pidx_resident_refresh; the API's api_index_resident). */
int svc_event_record(struct store *s, const struct svc_protocol *p,
                     const struct acct_principal *who, const struct audit_actor *by,
                     const struct svc_event_input *in, struct svc_event_result *result,
                     struct yl_err *err);

/* ------------------------------------------------------------------ reading */

/* An event as stored. Strings live in the caller's arena. */
struct svc_event {
    int64_t id;
    const char *external_id;
    int64_t resident_id;
    const char *item;           /* code as stored */
    int item_index;             /* in the protocol, or -1 when it no longer has the code */
    int32_t day;
    int64_t facility_id;
    const char *facility;       /* code */
    int64_t staff_id;           /* 0 when none */
    const char *staff;          /* code, "" when none */
    uint8_t outcome;            /* SVC_OUT_* as recorded */
    const char *measurements;   /* the normal text form */
    struct svc_measure_value *values;   /* parsed from it (codes the protocol no longer
                                         * knows come as text) */
    size_t n_values;
    const char *recorded_at;    /* RFC 3339 UTC */
};

/* Resident `resident_id`'s events with id > after, by id, at most `limit`, after the scope
 * check (YL_ENOTFOUND / YL_EFORBIDDEN as svc_event_apply). One read transaction. */
int svc_event_list(struct store *s, const struct svc_protocol *p,
                   const struct acct_principal *who, int64_t resident_id, int64_t after,
                   int limit, struct arena *a, struct svc_event **out, size_t *n,
                   struct yl_err *err);

/* ------------------------------------------------------------------ the care plan */

/*
 * The care plan of resident `id` on `today` from the live index: facts and history under
 * the read lock, then svc_plan_build (services.h) into out (cap = svc_item_count(p) is
 * enough). *n is the number of entries. False when the index has no such resident. The
 * caller checks scope first (rec_scope_check). Cost: O(spans + items × history).
 */
bool svc_care_plan(struct pidx *x, const struct svc_protocol *p, uint32_t id, int32_t today,
                   int horizon_days, struct svc_plan_entry *out, size_t cap, size_t *n);

/* ------------------------------------------------------------------ import */

/*
 * The services import (docs/import-formats.md "services") for imp_run: columns external_id,
 * id_number, item, date, facility (code), staff (code, may be empty), measurements
 * ("code=value" pairs separated by spaces); NDJSON lines carry the same fields with
 * measurements as an object. Each row goes through svc_event_apply as the system (no scope);
 * external_id is required, so a re-run is all unchanged. ctx comes from svc_import_new.
 */
const struct imp_spec *svc_import_spec(void);
struct svc_import;
/* `p` is borrowed for the import's life. `index` may be NULL; when given, the residents of
 * each committed batch are refreshed in it. */
struct svc_import *svc_import_new(const struct svc_protocol *p, struct pidx *index,
                                  struct store *s);
void svc_import_free(struct svc_import *im);

#endif
