/*
 * pindex.h - the population index: the region held in memory for the hot questions
 * (indicators, worklists, scope checks), one compact fixed-size row per resident.
 *
 * The store is the source of truth; the index is built from it at start (pidx_load) and
 * kept current by every write, in the same code path, after the write's transaction
 * commits (pidx_*_put). `yilian index verify` rebuilds a second index from the store and
 * compares (pidx_compare).
 *
 * Layout. Org units, facilities, staff and teams are small arrays indexed by their store id
 * (ids are dense SQLite rowids). Residents are rows indexed by resident id, 32 bytes each;
 * what varies in length over time — key-population tags, contracts, past residences — lives
 * in a shared pool of 16-byte spans (from, to, value, kind) referenced by each row. A change
 * rewrites the row's spans in place when they fit, else at the end of the pool; the old
 * slots are reclaimed when the pool is compacted (half of it dead). About 32 + 16 × spans
 * bytes a resident.
 *
 * Service history (issue 4): each resident's recent services as 8-byte struct svc_done
 * (day, item index, outcome) in a second pool, referenced by a per-resident run (first,
 * count) kept in its own array so the 32-byte row stays as it is: 8 bytes a resident plus
 * 8 bytes an event kept. Kept are all events of the current and the previous calendar year
 * and, before that, the latest SVC_HISTORY_KEEP of each item (a dose given years ago, the
 * last follow-ups a rule looks back at). Item codes are mapped to protocol indexes through
 * the protocol given with pidx_set_protocol; without one the index keeps no history.
 * (pindex includes services/services.h for these types and lookups: the pure protocol
 * engine, which depends on core and vocab only, so the code has no circle.)
 *
 * Concurrency: a readers-writer lock that prefers writers. Readers (an indicator pass) hold
 * it for their whole pass; put functions take it for one update. Because a waiting writer
 * goes first, a thread must never take the read lock twice: do not call the functions that
 * lock (queries, puts) while holding pidx_read_lock. Lifetime: from start to shutdown of
 * the server (or of one CLI command).
 */
#ifndef YL_PINDEX_H
#define YL_PINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/services.h"

struct yl_err;
struct store;
struct store_conn;

#define PIDX_NONE UINT32_MAX    /* no org unit / team / row */
#define PIDX_OPEN INT32_MAX     /* an open-ended date */
#define PIDX_AGE_BANDS 19       /* 0-4, 5-9, …, 85-89, 90+ */

struct pidx_ou {
    bool present;
    uint8_t level;              /* 1..5 (adcode.h) */
    char code[13];
    uint32_t parent;            /* id of the parent, PIDX_NONE for a root */
    double lat, lon;            /* NaN when unknown */
};

struct pidx_facility {
    bool present;
    uint8_t type;               /* enum facility_type */
    uint8_t grade;              /* enum facility_grade */
    uint8_t ownership;          /* enum ownership */
    uint8_t status;             /* enum facility_status */
    uint32_t ou;                /* org unit id */
    uint32_t services;          /* bit = enum service */
    uint32_t centers;           /* bit = enum center */
    int32_t beds, icu_beds, infant_care_places;
    double lat, lon;
};

struct pidx_staff {
    bool present;
    uint8_t role;               /* enum staff_role */
    uint8_t education;          /* enum education; EDU_COUNT when not recorded */
    uint8_t status;             /* enum staff_status */
    uint32_t facility;          /* facility id */
};

struct pidx_team {
    bool present;
    uint8_t status;             /* enum team_status */
    uint32_t facility;          /* lead facility id */
    int32_t capacity;
};

enum pidx_span_kind {
    PIDX_SPAN_TAG = 1,          /* value: enum tag */
    PIDX_SPAN_CONTRACT = 2,     /* value: team id; [from, to] is when it covered the resident */
    PIDX_SPAN_RESIDENCE = 3,    /* value: ou id of a past residence */
};

struct pidx_span {
    int32_t from, to;           /* inclusive day numbers; to = PIDX_OPEN when open */
    uint32_t value;
    uint8_t kind;
    uint8_t aux[3];             /* a pregnant tag: days from `from` to its expected delivery,
                                 * 24 bits little-endian (pidx_span_due); a contract: its
                                 * package + 1 in aux[0] (pidx_span_package); zero otherwise */
};

/* The expected delivery of a pregnant tag span, or INT32_MIN when not recorded. */
int32_t pidx_span_due(const struct pidx_span *s);
/* Record it (`due` after s->from and less than 2^24 days later; otherwise not recorded). */
void pidx_span_set_due(struct pidx_span *s, int32_t due);
/* The service package (enum package, vocab.h) of a contract span; PKG_COUNT when the span
 * records none (a span built without one, e.g. by a tool). */
int pidx_span_package(const struct pidx_span *s);
/* Record it on a contract span (a value outside the vocabulary records none). */
void pidx_span_set_package(struct pidx_span *s, int package);

#define PIDX_F_MATERNAL_DEATH 0x01

/*
 * One resident as the index keeps it (also the form every put takes; a put ignores
 * span_first and span_count and sets them itself). Exactly 32 bytes (static_assert in
 * pindex.c). Meaning of the dates, all day numbers (date.h):
 *   record_date     the health record was opened; the resident is in the population of
 *                   their unit on day D when record_date <= D < end_date
 *   end_date        status_date of a moved_out or deceased resident (the day of death or of
 *                   leaving is the first day out), PIDX_OPEN otherwise
 *   residence_from  resident.residence_from: the current (after leaving, the last)
 *                   residence began. From that day on the resident lives in `ou`, before
 *                   it where the residence spans say (pidx_residence_at)
 * Spans: tags [from_date, to_date or PIDX_OPEN]; contracts [from_date, to_date], cut to
 * ended_date - 1 when terminated (contracts of any status count for the period they
 * covered; an empty one is left out); past residences [from_date, to_date] of the
 * residence rows (periods that ended with a move).
 */
struct pidx_resident {
    uint32_t ou;                /* current village/community id; PIDX_NONE: no such row */
    int32_t birth;
    int32_t record_date;        /* the health record was opened */
    int32_t end_date;           /* left the population (death or moving out); PIDX_OPEN */
    int32_t residence_from;     /* the current residence began */
    uint8_t sex;                /* 1 male, 2 female */
    uint8_t status;             /* enum resident_status */
    uint8_t flags;              /* PIDX_F_* */
    uint8_t reserved;
    uint32_t span_first;        /* into the pool */
    uint32_t span_count;
};

struct pidx;

struct pidx *pidx_new(void);
void pidx_free(struct pidx *x);

/* Build from the store: every table the index mirrors, streamed in id order in one read
 * transaction. Replaces what x held only when the whole load succeeded (readers keep the
 * old contents meanwhile). YL_ESTORE naming table and id for a row the index cannot take
 * (an unknown code, a malformed date). Cost: one scan of each table, O(rows). */
int pidx_load(struct pidx *x, struct store *s, struct yl_err *err);
/* The same within the caller's connection and its open transaction, if any. */
int pidx_load_conn(struct pidx *x, struct store_conn *c, struct yl_err *err);
/* The change epoch: a counter that writers outside the server (CLI imports) bump after they
 * commit, and that the server polls to know its index must be reloaded. */
int pidx_epoch_get(struct store *s, int64_t *epoch, struct yl_err *err);
int pidx_epoch_bump(struct store *s, struct yl_err *err);
/* Reload only the registry part (org units, population, facilities, staff, teams: small
 * tables) and swap it in, residents untouched: what a registry or team write calls after
 * its commit. */
int pidx_load_registry(struct pidx *x, struct store *s, struct yl_err *err);

/* Locks for readers that walk the arrays directly (pidx_view). */
void pidx_read_lock(struct pidx *x);
void pidx_read_unlock(struct pidx *x);

/* A read-only view of the arrays, valid while the read lock is held. Arrays are indexed by
 * store id (entry 0 unused); absent entries have present = false / ou = PIDX_NONE. */
struct pidx_view {
    const struct pidx_ou *ous;
    size_t n_ous;
    const struct pidx_facility *facilities;
    size_t n_facilities;
    const struct pidx_staff *staff;
    size_t n_staff;
    const struct pidx_team *teams;
    size_t n_teams;
    const struct pidx_resident *residents;
    size_t n_residents;
    const struct pidx_span *spans;
    /* Population: for org unit id i and year y, counts[sex-1][band], when entered for that
     * org unit and year (own figures only; roll-up is the reader's business). */
    const struct pidx_population *population;
    size_t n_population;
    /* Service history: resident id i's events are done[runs[i].first ..][.count] when
     * i < n_done_runs (else none), sorted by day; use pidx_view_services. */
    const struct svc_done *done;
    const struct pidx_done_run *done_runs;
    size_t n_done_runs;
    /* The protocol the history's item indexes refer to (pidx_set_protocol), or NULL. */
    const struct svc_protocol *protocol;
};

/* Where a resident's service history lies in the pool. */
struct pidx_done_run {
    uint32_t first;
    uint32_t count;
};

struct pidx_population {
    uint32_t ou;
    int32_t year;
    int32_t counts[2][PIDX_AGE_BANDS];
};

void pidx_view(struct pidx *x, struct pidx_view *v);

/* Writers: each takes the write lock itself. Call after the store commit succeeded. A put
 * whose entry is absent (present = false, ou = PIDX_NONE) takes the id out; ids grow the
 * arrays as needed (geometrically). */
void pidx_ou_put(struct pidx *x, uint32_t id, const struct pidx_ou *ou);
uint32_t pidx_ou_find(struct pidx *x, const char *code);     /* id or PIDX_NONE */
void pidx_population_put(struct pidx *x, uint32_t ou, int32_t year, int sex, int band,
                         int32_t count);
void pidx_facility_put(struct pidx *x, uint32_t id, const struct pidx_facility *f);
void pidx_staff_put(struct pidx *x, uint32_t id, const struct pidx_staff *st);
void pidx_team_put(struct pidx *x, uint32_t id, const struct pidx_team *t);
/* Replace resident `id` whole: its row and its spans (n may be 0). */
void pidx_resident_put(struct pidx *x, uint32_t id, const struct pidx_resident *r,
                       const struct pidx_span *spans, size_t n);

/* Read one resident's current state from the store (row, tags, residences, contracts) as a
 * put would take it, within the caller's connection; spans go into out_spans (cap entries;
 * *n_spans may exceed cap, then call again with more room). YL_ENOTFOUND when absent. */
int pidx_resident_read(struct store_conn *c, uint32_t id, struct pidx_resident *r,
                       struct pidx_span *out_spans, size_t cap, size_t *n_spans,
                       struct yl_err *err);
/* Re-read resident `id` from the store and put it: the one call a write path makes (after
 * its commit, or inside its transaction just before committing). A resident the store no
 * longer has is taken out of the index. */
int pidx_resident_refresh(struct pidx *x, struct store_conn *c, uint32_t id,
                          struct yl_err *err);

/* Queries used by scope checks and worklists; each takes the read lock itself. */
/* Team id whose contract covers `id` on `day`, or PIDX_NONE. */
uint32_t pidx_resident_team(struct pidx *x, uint32_t id, int32_t day);
/* True when org unit `ou` lies in the subtree of `ancestor` (both ids). */
bool pidx_ou_in_subtree(struct pidx *x, uint32_t ou, uint32_t ancestor);
/* Org unit id where resident lived on `day`, or PIDX_NONE when not in the population. */
uint32_t pidx_resident_ou_at(const struct pidx_view *v, uint32_t id, int32_t day);
/* Where a resident lived on `day`, whether or not they were in the population then: `ou`
 * from residence_from on; before it the past residence covering `day` that began last;
 * in a gap or before the first residence, the next residence (so a birth before the first
 * recorded residence counts where the resident was first registered). `spans` is the
 * row's own spans (span_count entries). O(spans). */
uint32_t pidx_residence_at(const struct pidx_resident *r, const struct pidx_span *spans,
                           int32_t day);
/* Copy resident `id` and its spans out (cap entries; *n_spans is the full count). False
 * when the index has no such resident. */
bool pidx_resident_get(struct pidx *x, uint32_t id, struct pidx_resident *r,
                       struct pidx_span *spans, size_t cap, size_t *n_spans);
/* Residents present (rows with an org unit). */
size_t pidx_resident_count(struct pidx *x);

/* Compare two indexes (a live one and one rebuilt from the store): 0 when they agree, else
 * YL_ESTORE with a message naming the first difference (kind and id) and *differences the
 * count of differing entries. */
int pidx_compare(struct pidx *a, struct pidx *b, long *differences, struct yl_err *err);

/* Re-read every resident the index has room for (ids up to its highest) from the store on
 * connection c, one at a time as pidx_resident_refresh does, and compare each with the
 * index: the bulk load and the one-resident read are two code paths that must agree. 0, or
 * YL_ESTORE naming the first resident that differs and in what; *checked counts the ids
 * read, *differences the residents that differ. Takes the read lock one resident at a
 * time. Cost: one indexed read per resident. */
int pidx_check_residents(struct pidx *x, struct store_conn *c, long *checked,
                         long *differences, struct yl_err *err);

/* Memory held, in bytes, and how it splits (for the benchmark's bytes-per-resident). The
 * total includes the service history (pidx_services_memory). */
size_t pidx_memory(struct pidx *x, size_t *rows_bytes, size_t *spans_bytes);

/* --- service history ---------------------------------------------------------------------
 * Written by pidx_load / pidx_load_conn and pidx_resident_refresh (which re-reads the
 * resident's events with the rest of the resident), compared by pidx_compare and
 * pidx_check_residents. */

/*
 * Give the index the protocol that maps stored item codes to item indexes. Call once, before
 * the first load and before other threads use the index; the protocol is borrowed and must
 * outlive the index (the server's protocol lives from start to shutdown). Events whose item
 * the protocol does not know (a local item since removed) are left out of the index. NULL
 * (the default) keeps no history at all: tools that need none skip reading the events.
 */
void pidx_set_protocol(struct pidx *x, const struct svc_protocol *p);
const struct svc_protocol *pidx_protocol(const struct pidx *x);

/* The first day whose events are all kept: 1 January of the year before today's. Earlier
 * events are kept only as the latest SVC_HISTORY_KEEP of their item. */
int32_t pidx_history_cutoff(int32_t today);

/* Resident `id`'s history in a view (under the read lock): a pointer into the pool and its
 * length, sorted by day (ties in recording order); NULL with *n = 0 when none. */
const struct svc_done *pidx_view_services(const struct pidx_view *v, uint32_t id, size_t *n);

/* Replace resident `id`'s history with n events (sorted by day; copied), taking the write
 * lock: for tools and benchmarks that build an index without a store. Write paths of the
 * server use pidx_resident_refresh, which re-reads the history from the store. */
void pidx_services_put(struct pidx *x, uint32_t id, const struct svc_done *done, size_t n);

/* Copy resident `id`'s history out (cap entries); returns the full count. Takes the read
 * lock itself. */
size_t pidx_resident_services(struct pidx *x, uint32_t id, struct svc_done *out, size_t cap);

/* Bytes the history holds (pool and runs, by capacity); *events the events kept. */
size_t pidx_services_memory(struct pidx *x, size_t *events);

#endif
