/*
 * load.c - building the population index from the store, whole (pidx_load) or one resident
 * at a time (pidx_resident_read / pidx_resident_refresh).
 *
 * The bulk load streams each table once in id order. Tags, residences and contracts come
 * ordered by resident id, so they are merged with the resident scan like a merge join and
 * every resident's spans land in the pool right after the previous resident's: no sorting,
 * no second pass, and the pool ends up in row order. The index is built aside and swapped
 * in whole, so a failed load changes nothing. Dates take a fast path for "YYYY-MM-DD".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

/* "YYYY-MM-DD" to a day number, or DATE_INVALID. Checks the characters in order, so it
 * never reads past the end of a shorter string. */
static int32_t day_of(const char *s)
{
    int v[10];
    for (int i = 0; i < 10; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i == 4 || i == 7) {
            if (ch != '-')
                return DATE_INVALID;
            v[i] = 0;
        } else {
            if (ch < '0' || ch > '9')
                return DATE_INVALID;
            v[i] = ch - '0';
        }
    }
    if (s[10] != '\0')
        return DATE_INVALID;
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int m = v[5] * 10 + v[6];
    int d = v[8] * 10 + v[9];
    if (!date_ymd_valid(y, m, d))
        return DATE_INVALID;
    return date_from_ymd(y, m, d);
}

/* A date column; a NULL gives `if_null`. The message names the table, id and column, never
 * the value (a birth date is personal data). */
static int col_day(struct store_stmt *st, int col, int32_t if_null, const char *table,
                   uint32_t id, const char *column, int32_t *out, struct yl_err *err)
{
    if (store_col_is_null(st, col)) {
        *out = if_null;
        return 0;
    }
    *out = day_of(store_col_text(st, col));
    if (*out == DATE_INVALID)
        return yl_err_set(err, YL_ESTORE, NULL,
                          "cannot load %s %u into the population index: malformed %s",
                          table, id, column);
    return 0;
}

/* A code column through its vocabulary; unknown codes are refused, naming the code. */
static int col_code(struct store_stmt *st, int col, enum vocab_kind k, const char *table,
                    uint32_t id, uint8_t *out, struct yl_err *err)
{
    const char *code = store_col_text(st, col);
    int v = vocab_find(k, code);
    if (v < 0)
        return yl_err_set(err, YL_ESTORE, NULL,
                          "cannot load %s %u into the population index: unknown %s \"%s\"",
                          table, id, vocab_name(k), code);
    *out = (uint8_t)v;
    return 0;
}

static double col_coord(struct store_stmt *st, int col)
{
    return store_col_is_null(st, col) ? NAN : store_col_double(st, col);
}

/* --- one row of each table -------------------------------------------------------------- */

/* PIDX_RESIDENT_ALL / _ONE: id, ou_id, sex, birth_date, record_date, status, status_date,
 * maternal_death, residence_from. */
static int resident_row(struct store_stmt *st, uint32_t *id, struct pidx_resident *r,
                        struct yl_err *err)
{
    memset(r, 0, sizeof(*r));
    *id = (uint32_t)store_col_int(st, 0);
    r->ou = (uint32_t)store_col_int(st, 1);
    r->sex = (uint8_t)store_col_int(st, 2);
    r->flags = store_col_int(st, 7) != 0 ? PIDX_F_MATERNAL_DEATH : 0;
    int rc = col_day(st, 3, DATE_INVALID, "resident", *id, "birth_date", &r->birth, err);
    if (rc == 0)
        rc = col_day(st, 4, DATE_INVALID, "resident", *id, "record_date", &r->record_date, err);
    if (rc == 0)
        rc = col_code(st, 5, VOCAB_RESIDENT_STATUS, "resident", *id, &r->status, err);
    if (rc != 0)
        return rc;
    r->end_date = PIDX_OPEN;
    if (r->status == RSTAT_MOVED_OUT || r->status == RSTAT_DECEASED) {
        if (store_col_is_null(st, 6))
            return yl_err_set(err, YL_ESTORE, NULL,
                              "cannot load resident %u into the population index: status "
                              "\"%s\" without a status_date", *id,
                              vocab_code(VOCAB_RESIDENT_STATUS, r->status));
        rc = col_day(st, 6, PIDX_OPEN, "resident", *id, "status_date", &r->end_date, err);
    }
    if (rc == 0)
        rc = col_day(st, 8, DATE_INVALID, "resident", *id, "residence_from", &r->residence_from,
                     err);
    return rc;
}

/* PIDX_TAG_*: resident_id, tag, from_date, to_date, expected_delivery. A pregnancy keeps
 * its expected delivery (the care plan's prenatal windows hang on it) in the span's spare
 * bytes (pidx_span_set_due). */
static int tag_span(struct store_stmt *st, struct pidx_span *s, struct yl_err *err)
{
    uint32_t rid = (uint32_t)store_col_int(st, 0);
    uint8_t tag;
    int32_t due = DATE_INVALID;
    memset(s, 0, sizeof(*s));
    s->kind = PIDX_SPAN_TAG;
    int rc = col_code(st, 1, VOCAB_TAG, "tag of resident", rid, &tag, err);
    if (rc == 0)
        rc = col_day(st, 2, DATE_INVALID, "tag of resident", rid, "from_date", &s->from, err);
    if (rc == 0)
        rc = col_day(st, 3, PIDX_OPEN, "tag of resident", rid, "to_date", &s->to, err);
    if (rc == 0 && tag == TAG_PREGNANT)
        rc = col_day(st, 4, DATE_INVALID, "tag of resident", rid, "expected_delivery", &due,
                     err);
    if (rc == 0 && due != DATE_INVALID)
        pidx_span_set_due(s, due);
    s->value = tag;
    return rc;
}

/* PIDX_RESIDENCE_*: resident_id, ou_id, from_date, to_date: a period that ended with a move
 * (the current residence is in the resident row), so to_date is required. */
static int residence_span(struct store_stmt *st, struct pidx_span *s, struct yl_err *err)
{
    uint32_t rid = (uint32_t)store_col_int(st, 0);
    memset(s, 0, sizeof(*s));
    s->kind = PIDX_SPAN_RESIDENCE;
    s->value = (uint32_t)store_col_int(st, 1);
    int rc = col_day(st, 2, DATE_INVALID, "residence of resident", rid, "from_date", &s->from,
                     err);
    if (rc == 0)
        rc = col_day(st, 3, DATE_INVALID, "residence of resident", rid, "to_date", &s->to, err);
    return rc;
}

/* PIDX_CONTRACT_*: resident_id, team_id, from_date, to_date, status, ended_date, package.
 * A terminated contract covered its resident until the day before it ended; *keep is false
 * when that leaves no day at all. The package rides in the span (pidx_span_package): the
 * contract fulfilment rate asks what each signed resident's package promised. */
static int contract_span(struct store_stmt *st, struct pidx_span *s, bool *keep,
                         struct yl_err *err)
{
    uint32_t rid = (uint32_t)store_col_int(st, 0);
    uint8_t status;
    memset(s, 0, sizeof(*s));
    s->kind = PIDX_SPAN_CONTRACT;
    s->value = (uint32_t)store_col_int(st, 1);
    int32_t ended = PIDX_OPEN;
    int rc = col_day(st, 2, DATE_INVALID, "contract of resident", rid, "from_date", &s->from,
                     err);
    if (rc == 0)
        rc = col_day(st, 3, DATE_INVALID, "contract of resident", rid, "to_date", &s->to, err);
    if (rc == 0)
        rc = col_code(st, 4, VOCAB_CONTRACT_STATUS, "contract of resident", rid, &status, err);
    if (rc == 0 && status == CSTAT_TERMINATED)
        rc = col_day(st, 5, PIDX_OPEN, "contract of resident", rid, "ended_date", &ended, err);
    uint8_t package = PKG_BASIC;
    if (rc == 0)
        rc = col_code(st, 6, VOCAB_PACKAGE, "contract of resident", rid, &package, err);
    if (rc == 0)
        pidx_span_set_package(s, package);
    if (rc == 0 && ended != PIDX_OPEN && ended - 1 < s->to)
        s->to = ended - 1;
    *keep = s->from <= s->to;
    return rc;
}

/* --- spans of one resident -------------------------------------------------------------- */

struct span_list {
    struct pidx_span *v;
    size_t n, cap;
};

static void span_push(struct span_list *l, const struct pidx_span *s)
{
    pidx_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = *s;
}

/* One of the three span tables, read as a cursor positioned on its next row. */
struct cursor {
    struct store_stmt *st;
    int rc;             /* STORE_ROW while positioned on a row */
    uint32_t rid;       /* that row's resident id */
};

static int cursor_next(struct cursor *c, struct yl_err *err)
{
    c->rc = store_step(c->st, err);
    if (c->rc == STORE_ROW)
        c->rid = (uint32_t)store_col_int(c->st, 0);
    return c->rc < 0 ? c->rc : 0;
}

enum span_table { TAGS, RESIDENCES, CONTRACTS };

/* Append the current row of cursor `which` to the resident's spans. */
static int take_row(enum span_table which, struct store_stmt *st, struct span_list *out,
                    struct yl_err *err)
{
    struct pidx_span s;
    bool keep = true;
    int rc;
    if (which == TAGS) {
        rc = tag_span(st, &s, err);
    } else if (which == RESIDENCES) {
        rc = residence_span(st, &s, err);
    } else {
        rc = contract_span(st, &s, &keep, err);
    }
    if (rc == 0 && keep)
        span_push(out, &s);
    return rc;
}

/* --- service history -------------------------------------------------------------------- */

/* One resident's events as read, before the keep rule thins out the old ones. */
struct done_list {
    struct svc_done *v;
    size_t n, cap;
};

/* PIDX_SERVICE_*: resident_id, item, service_date, outcome. Events of items the protocol
 * does not know are passed over (pidx_set_protocol says why). */
static int take_service(const struct pidx *map, struct store_stmt *st, struct done_list *l,
                        struct yl_err *err)
{
    uint32_t rid = (uint32_t)store_col_int(st, 0);
    int item = pidx_item_index(map, store_col_text(st, 1));
    struct svc_done d = {0};
    int rc = col_day(st, 2, DATE_INVALID, "service of resident", rid, "service_date", &d.day,
                     err);
    if (rc != 0 || item < 0)
        return rc;
    d.item = (uint16_t)item;
    d.outcome = (uint8_t)store_col_int(st, 3);
    pidx_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = d;
    return 0;
}

/*
 * The keep rule over one resident's events sorted by day: every event from `cutoff` on, and
 * before it the latest SVC_HISTORY_KEEP of each item. `seen` is a zeroed counter per item
 * (SVC_ITEMS_MAX entries), left zeroed again. Thins v in place and returns the count kept.
 * O(n).
 */
static size_t keep_recent(struct svc_done *v, size_t n, int32_t cutoff, uint8_t *seen)
{
    /* Latest first, marking what stays in the spare byte. */
    for (size_t i = n; i-- > 0;) {
        v[i].reserved = 1;
        if (v[i].day >= cutoff)
            continue;
        if (seen[v[i].item] < SVC_HISTORY_KEEP)
            seen[v[i].item]++;
        else
            v[i].reserved = 0;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        seen[v[i].item] = 0;
        if (v[i].reserved) {
            v[i].reserved = 0;
            v[kept++] = v[i];
        }
    }
    return kept;
}

int pidx_services_read(const struct pidx *x, struct store_conn *c, uint32_t id,
                       struct svc_done **out, size_t *n, struct yl_err *err)
{
    *out = NULL;
    *n = 0;
    if (x->protocol == NULL)
        return 0;
    struct done_list l = {0};
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_SERVICE_ONE);
    store_bind_int(st, 1, id);
    int rc;
    for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
        rc = take_service(x, st, &l, err);
        if (rc != 0)
            break;
    }
    store_stmt(c, STORE_SQL_PIDX_SERVICE_ONE);
    if (rc < 0) {
        free(l.v);
        return rc;
    }
    uint8_t *seen = xcalloc(SVC_ITEMS_MAX, 1);
    *n = keep_recent(l.v, l.n, pidx_history_cutoff(date_today()), seen);
    free(seen);
    *out = l.v;
    return 0;
}

/* --- the bulk load ---------------------------------------------------------------------- */

static int load_ous(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_OU_ALL);
    int rc;
    for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
        uint32_t id = (uint32_t)store_col_int(st, 0);
        struct pidx_ou o = {.present = true};
        snprintf(o.code, sizeof(o.code), "%s", store_col_text(st, 1));
        o.level = (uint8_t)store_col_int(st, 2);
        o.parent = store_col_is_null(st, 3) ? PIDX_NONE : (uint32_t)store_col_int(st, 3);
        o.lat = col_coord(st, 4);
        o.lon = col_coord(st, 5);
        pidx_ou_set(x, id, &o);
    }
    return rc;
}

static int load_population(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_POPULATION_ALL);
    int rc;
    for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
        uint32_t ou = (uint32_t)store_col_int(st, 0);
        int64_t year = store_col_int(st, 1), sex = store_col_int(st, 2);
        int64_t band = store_col_int(st, 3);
        if ((sex != 1 && sex != 2) || band < 0 || band >= PIDX_AGE_BANDS)
            return yl_err_set(err, YL_ESTORE, NULL,
                              "cannot load the population of org unit %u: sex %lld, age band "
                              "%lld out of range", ou, (long long)sex, (long long)band);
        pidx_population_slot(x, ou, (int32_t)year)->counts[sex - 1][band] =
            (int32_t)store_col_int(st, 4);
    }
    return rc;
}

/* A set of codes through vocab_parse_set, with the facility named on failure. */
static int col_set(struct store_stmt *st, int col, enum vocab_kind k, uint32_t id,
                   uint32_t *out, struct yl_err *err)
{
    struct yl_err inner = {0};
    if (vocab_parse_set(k, store_col_text(st, col), "set", out, &inner) != 0)
        return yl_err_set(err, YL_ESTORE, NULL,
                          "cannot load facility %u into the population index: %s", id,
                          yl_err_message(&inner));
    return 0;
}

static int load_facilities(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_FACILITY_ALL);
    int rc;
    for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
        uint32_t id = (uint32_t)store_col_int(st, 0);
        struct pidx_facility f = {.present = true};
        const char *grade = store_col_text(st, 2);
        rc = col_code(st, 1, VOCAB_FACILITY_TYPE, "facility", id, &f.type, err);
        /* The schema's default grade is 'ungraded'; the vocabulary says 'none'. */
        if (rc == 0 && (grade[0] == '\0' || strcmp(grade, "ungraded") == 0))
            f.grade = GRADE_NONE;
        else if (rc == 0)
            rc = col_code(st, 2, VOCAB_GRADE, "facility", id, &f.grade, err);
        if (rc == 0)
            rc = col_code(st, 3, VOCAB_OWNERSHIP, "facility", id, &f.ownership, err);
        if (rc == 0)
            rc = col_code(st, 4, VOCAB_FACILITY_STATUS, "facility", id, &f.status, err);
        if (rc == 0)
            rc = col_set(st, 6, VOCAB_SERVICE, id, &f.services, err);
        if (rc == 0)
            rc = col_set(st, 7, VOCAB_CENTER, id, &f.centers, err);
        if (rc != 0)
            return rc;
        f.ou = (uint32_t)store_col_int(st, 5);
        f.beds = (int32_t)store_col_int(st, 8);
        f.icu_beds = (int32_t)store_col_int(st, 9);
        f.infant_care_places = (int32_t)store_col_int(st, 10);
        f.lat = col_coord(st, 11);
        f.lon = col_coord(st, 12);
        pidx_facility_set(x, id, &f);
    }
    return rc;
}

static int load_staff(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_STAFF_ALL);
    int rc;
    for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
        uint32_t id = (uint32_t)store_col_int(st, 0);
        struct pidx_staff s = {.present = true, .education = EDU_COUNT};
        rc = col_code(st, 1, VOCAB_STAFF_ROLE, "staff member", id, &s.role, err);
        if (rc == 0 && store_col_text(st, 2)[0] != '\0')
            rc = col_code(st, 2, VOCAB_EDUCATION, "staff member", id, &s.education, err);
        if (rc == 0)
            rc = col_code(st, 3, VOCAB_STAFF_STATUS, "staff member", id, &s.status, err);
        if (rc != 0)
            return rc;
        s.facility = (uint32_t)store_col_int(st, 4);
        pidx_staff_set(x, id, &s);
    }
    return rc;
}

static int load_teams(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_TEAM_ALL);
    int rc;
    for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
        uint32_t id = (uint32_t)store_col_int(st, 0);
        struct pidx_team t = {.present = true};
        rc = col_code(st, 1, VOCAB_TEAM_STATUS, "team", id, &t.status, err);
        if (rc != 0)
            return rc;
        t.facility = (uint32_t)store_col_int(st, 2);
        t.capacity = (int32_t)store_col_int(st, 3);
        pidx_team_set(x, id, &t);
    }
    return rc;
}

/* The service events of resident `id` from the events cursor, thinned by the keep rule,
 * into x. */
static int load_services(struct pidx *x, const struct pidx *map, struct cursor *cur, uint32_t id,
                         struct done_list *l, uint8_t *seen, int32_t cutoff, struct yl_err *err)
{
    int rc = 0;
    l->n = 0;
    while (rc == 0 && cur->rc == STORE_ROW && cur->rid < id)
        rc = cursor_next(cur, err);
    while (rc == 0 && cur->rc == STORE_ROW && cur->rid == id) {
        rc = take_service(map, cur->st, l, err);
        if (rc == 0)
            rc = cursor_next(cur, err);
    }
    if (rc == 0 && l->n > 0)
        pidx_done_set(x, id, l->v, keep_recent(l->v, l->n, cutoff, seen));
    return rc;
}

/* Residents with their spans, and their service history when `map` has a protocol (the
 * events are a fourth table merged like the others). */
static int load_residents(struct pidx *x, const struct pidx *map, struct store_conn *c,
                          struct yl_err *err)
{
    static const enum store_sql scans[3] = {STORE_SQL_PIDX_TAG_ALL, STORE_SQL_PIDX_RESIDENCE_ALL,
                                            STORE_SQL_PIDX_CONTRACT_ALL};
    struct cursor cur[3], events = {0};
    struct span_list spans = {0};
    struct done_list done = {0};
    bool history = map->protocol != NULL;
    uint8_t *seen = history ? xcalloc(SVC_ITEMS_MAX, 1) : NULL;
    int32_t cutoff = pidx_history_cutoff(date_today());
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        cur[k].st = store_stmt(c, scans[k]);
        rc = cursor_next(&cur[k], err);
    }
    if (rc == 0 && history) {
        events.st = store_stmt(c, STORE_SQL_PIDX_SERVICE_ALL);
        rc = cursor_next(&events, err);
    }
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_RESIDENT_ALL);
    if (rc == 0)
        rc = store_step(st, err);
    while (rc == STORE_ROW) {
        uint32_t id;
        struct pidx_resident r;
        rc = resident_row(st, &id, &r, err);
        spans.n = 0;
        for (int k = 0; k < 3 && rc == 0; k++) {
            /* Rows of residents that do not exist (the foreign keys forbid them) are
             * passed over rather than given to the wrong resident. */
            while (rc == 0 && cur[k].rc == STORE_ROW && cur[k].rid < id)
                rc = cursor_next(&cur[k], err);
            while (rc == 0 && cur[k].rc == STORE_ROW && cur[k].rid == id) {
                rc = take_row((enum span_table)k, cur[k].st, &spans, err);
                if (rc == 0)
                    rc = cursor_next(&cur[k], err);
            }
        }
        if (rc == 0)
            pidx_resident_set(x, id, &r, spans.v, spans.n);
        if (rc == 0 && history && r.ou != PIDX_NONE)
            rc = load_services(x, map, &events, id, &done, seen, cutoff, err);
        if (rc == 0)
            rc = store_step(st, err);
    }
    free(spans.v);
    free(done.v);
    free(seen);
    return rc < 0 ? rc : 0;
}

/* The registry's small tables: org units, population, facilities, staff, teams. */
static int load_registry_tables(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    int rc = load_ous(x, c, err);
    if (rc == 0)
        rc = load_population(x, c, err);
    if (rc == 0)
        rc = load_facilities(x, c, err);
    if (rc == 0)
        rc = load_staff(x, c, err);
    if (rc == 0)
        rc = load_teams(x, c, err);
    return rc;
}

int pidx_load_conn(struct pidx *x, struct store_conn *c, struct yl_err *err)
{
    static const enum store_sql used[] = {
        STORE_SQL_PIDX_OU_ALL,       STORE_SQL_PIDX_POPULATION_ALL, STORE_SQL_PIDX_FACILITY_ALL,
        STORE_SQL_PIDX_STAFF_ALL,    STORE_SQL_PIDX_TEAM_ALL,       STORE_SQL_PIDX_RESIDENT_ALL,
        STORE_SQL_PIDX_TAG_ALL,      STORE_SQL_PIDX_RESIDENCE_ALL,  STORE_SQL_PIDX_CONTRACT_ALL,
        STORE_SQL_PIDX_SERVICE_ALL,
    };
    struct pidx fresh;
    memset(&fresh, 0, sizeof(fresh));
    int rc = load_registry_tables(&fresh, c, err);
    if (rc == 0)
        rc = load_residents(&fresh, x, c, err);
    /* Reset every scan, finished or not, so none keeps a read snapshot open. */
    for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
        store_stmt(c, used[i]);
    if (rc != 0) {
        pidx_clear(&fresh);
        return rc;
    }
    pidx_shrink(&fresh);
    /* Swap the new arrays in; the old ones are freed after the lock is let go. */
    struct pidx old;
    pthread_rwlock_wrlock(&x->lock);
    memcpy(&old, x, PIDX_CONTENTS);
    memcpy(x, &fresh, PIDX_CONTENTS);
    pthread_rwlock_unlock(&x->lock);
    pidx_clear(&old);
    return 0;
}

int pidx_epoch_get(struct store *s, int64_t *epoch, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_EPOCH_GET);
    int rc = store_step(st, err);
    *epoch = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_exec(st, NULL);
    store_release(c);
    return rc < 0 ? rc : 0;
}

int pidx_epoch_bump(struct store *s, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = store_exec(store_stmt(c, STORE_SQL_PIDX_EPOCH_BUMP), err);
    store_release(c);
    return rc;
}

int pidx_load_registry(struct pidx *x, struct store *s, struct yl_err *err)
{
    static const enum store_sql used[] = {
        STORE_SQL_PIDX_OU_ALL,    STORE_SQL_PIDX_POPULATION_ALL, STORE_SQL_PIDX_FACILITY_ALL,
        STORE_SQL_PIDX_STAFF_ALL, STORE_SQL_PIDX_TEAM_ALL,
    };
    struct store_conn *c = store_acquire(s);
    struct pidx fresh;
    memset(&fresh, 0, sizeof(fresh));
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = load_registry_tables(&fresh, c, err);
    for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
        store_stmt(c, used[i]);
    store_rollback(c);
    store_release(c);
    if (rc != 0) {
        pidx_clear(&fresh);
        return rc;
    }
    /* Swap the registry arrays only; residents and spans stay. */
    pthread_rwlock_wrlock(&x->lock);
#define SWAP(field, n, cap)                                                                  \
    do {                                                                                     \
        void *t_ = x->field;                                                                 \
        size_t tn_ = x->n, tc_ = x->cap;                                                     \
        x->field = fresh.field;                                                              \
        x->n = fresh.n;                                                                      \
        x->cap = fresh.cap;                                                                  \
        fresh.field = t_;                                                                    \
        fresh.n = tn_;                                                                       \
        fresh.cap = tc_;                                                                     \
    } while (0)
    SWAP(ous, n_ous, cap_ous);
    SWAP(population, n_population, cap_population);
    SWAP(facilities, n_facilities, cap_facilities);
    SWAP(staff, n_staff, cap_staff);
    SWAP(teams, n_teams, cap_teams);
#undef SWAP
    pthread_rwlock_unlock(&x->lock);
    pidx_clear(&fresh);
    return 0;
}

int pidx_load(struct pidx *x, struct store *s, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = pidx_load_conn(x, c, err);
    if (rc == 0)
        rc = store_commit(c, err);
    else
        store_rollback(c);
    store_release(c);
    return rc;
}

/* --- one resident ----------------------------------------------------------------------- */

int pidx_resident_read(struct store_conn *c, uint32_t id, struct pidx_resident *r,
                       struct pidx_span *out_spans, size_t cap, size_t *n_spans,
                       struct yl_err *err)
{
    static const enum store_sql reads[3] = {STORE_SQL_PIDX_TAG_ONE, STORE_SQL_PIDX_RESIDENCE_ONE,
                                            STORE_SQL_PIDX_CONTRACT_ONE};
    *n_spans = 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_PIDX_RESIDENT_ONE);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no resident %u", id);
    if (rc < 0)
        return rc;
    uint32_t got;
    rc = resident_row(st, &got, r, err);
    store_stmt(c, STORE_SQL_PIDX_RESIDENT_ONE);
    struct span_list spans = {0};
    for (int k = 0; k < 3 && rc == 0; k++) {
        st = store_stmt(c, reads[k]);
        store_bind_int(st, 1, id);
        for (rc = store_step(st, err); rc == STORE_ROW; rc = store_step(st, err)) {
            rc = take_row((enum span_table)k, st, &spans, err);
            if (rc != 0)
                break;
        }
        store_stmt(c, reads[k]);
    }
    if (rc == 0) {
        size_t n = spans.n < cap ? spans.n : cap;
        if (n > 0)
            memcpy(out_spans, spans.v, n * sizeof(*spans.v));
        *n_spans = spans.n;
    }
    free(spans.v);
    return rc;
}

int pidx_resident_refresh(struct pidx *x, struct store_conn *c, uint32_t id,
                          struct yl_err *err)
{
    struct pidx_span local[32];
    struct pidx_span *spans = local;
    size_t n = 0;
    struct pidx_resident r;
    struct yl_err inner = {0};
    int rc = pidx_resident_read(c, id, &r, local, 32, &n, &inner);
    if (rc == 0 && n > 32) {
        spans = xmalloc(n * sizeof(*spans));
        rc = pidx_resident_read(c, id, &r, spans, n, &n, &inner);
    }
    struct svc_done *done = NULL;
    size_t n_done = 0;
    if (rc == 0)
        rc = pidx_services_read(x, c, id, &done, &n_done, &inner);
    if (rc == YL_ENOTFOUND) {
        struct pidx_resident gone = {.ou = PIDX_NONE};
        pidx_resident_put(x, id, &gone, NULL, 0);
        rc = 0;
    } else if (rc == 0) {
        /* Row, spans and history change together: no reader sees one without the other. */
        pthread_rwlock_wrlock(&x->lock);
        pidx_resident_set(x, id, &r, spans, n);
        pidx_done_set(x, id, done, n_done);
        pthread_rwlock_unlock(&x->lock);
    } else {
        yl_err_set(err, inner.code, inner.field[0] ? inner.field : NULL, "%s",
                   yl_err_message(&inner));
    }
    if (spans != local)
        free(spans);
    free(done);
    return rc;
}
