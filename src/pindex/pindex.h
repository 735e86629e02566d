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
 * (ids are dense SQLite rowids). Residents are rows indexed by resident id, 36 bytes each;
 * what varies in length over time — key-population tags, contracts, past residences — lives
 * in a shared pool of 16-byte spans (from, to, value, kind) referenced by each row. A change
 * rewrites the row's spans at the end of the pool; the old slots are reclaimed when the pool
 * is compacted (half of it dead). About 36 + 16 × spans bytes a resident.
 *
 * Concurrency: a readers-writer lock. Readers (an indicator pass) hold it for their whole
 * pass; put functions take it for one update. Lifetime: from start to shutdown of the server
 * (or of one CLI command).
 */
#ifndef YL_PINDEX_H
#define YL_PINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    uint8_t education;          /* enum education */
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
    uint8_t reserved[3];
};

#define PIDX_F_MATERNAL_DEATH 0x01

/* One resident as the index keeps it (also the form every put takes). */
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

/* Build from the store: every table the index mirrors. Replaces what x held. */
int pidx_load(struct pidx *x, struct store *s, struct yl_err *err);

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
};

struct pidx_population {
    uint32_t ou;
    int32_t year;
    int32_t counts[2][PIDX_AGE_BANDS];
};

void pidx_view(struct pidx *x, struct pidx_view *v);

/* Writers: each takes the write lock itself. Call after the store commit succeeded. */
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
/* Re-read resident `id` from the store and put it: the one call a write path makes. */
int pidx_resident_refresh(struct pidx *x, struct store_conn *c, uint32_t id,
                          struct yl_err *err);

/* Queries used by scope checks and worklists. */
/* Team id whose contract covers `id` on `day`, or PIDX_NONE. */
uint32_t pidx_resident_team(struct pidx *x, uint32_t id, int32_t day);
/* True when org unit `ou` lies in the subtree of `ancestor` (both ids). */
bool pidx_ou_in_subtree(struct pidx *x, uint32_t ou, uint32_t ancestor);
/* Org unit id where resident lived on `day`, or PIDX_NONE when not in the population. */
uint32_t pidx_resident_ou_at(const struct pidx_view *v, uint32_t id, int32_t day);

/* Compare two indexes (a live one and one rebuilt from the store): 0 when they agree, else
 * YL_ESTORE with a message naming the first difference (kind and id) and *differences the
 * count of differing entries. */
int pidx_compare(struct pidx *a, struct pidx *b, long *differences, struct yl_err *err);

/* Memory held, in bytes, and how it splits (for the benchmark's bytes-per-resident). */
size_t pidx_memory(struct pidx *x, size_t *rows_bytes, size_t *spans_bytes);

#endif
