/*
 * indicators_bench.c - figures for the population index and the live indicators (issue 3,
 * "Benchmark"; issue 4, "Benchmark": the rates): for N synthetic residents put straight
 * into the index with about 10 service events each a year for 2023 and 2024, the build
 * rate, bytes per resident and the time of all indicators for every org unit at every
 * level for 2024 (best of 5), with and without the service rates; for the first N also
 * the same data written to a SQLite file (service_event included), the index loaded from
 * it, and records and signed residents, and a set of the rates (services delivered,
 * elderly health management, hypertension and diabetes management, standard management
 * and control), by village and rolled up, computed by SQLite's GROUP BY, with the ratios.
 * Prints figures; it is not a test.
 *
 *   make build/release/bench_indicators
 *   build/release/bench_indicators [N ...]        default: 1000000 10000000
 * The SQLite part runs for the first N only; YL_BENCH_DB=FILE keeps (and reuses) its file.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/err.h"
#include "indicators/indicators.h"
#include "pindex/pindex.h"
#include "services/services.h"
#include "store/store.h"
#include "vocab/vocab.h"

#define COUNTIES 10
#define TOWNSHIPS_PER_COUNTY 20
#define VILLAGES_PER_TOWNSHIP 25
#define TOWNSHIPS (COUNTIES * TOWNSHIPS_PER_COUNTY)
#define VILLAGES (TOWNSHIPS * VILLAGES_PER_TOWNSHIP)
#define FIRST_COUNTY 3
#define FIRST_TOWNSHIP (FIRST_COUNTY + COUNTIES)
#define FIRST_VILLAGE (FIRST_TOWNSHIP + TOWNSHIPS)
#define N_OUS (FIRST_VILLAGE + VILLAGES)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int32_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* --- the region ------------------------------------------------------------------------- */

static void ou_code(uint32_t id, char *out, size_t n)
{
    if (id == 1) {
        snprintf(out, n, "22");
    } else if (id == 2) {
        snprintf(out, n, "2224");
    } else if (id < FIRST_TOWNSHIP) {
        snprintf(out, n, "2224%02u", id - FIRST_COUNTY + 1);
    } else if (id < FIRST_VILLAGE) {
        uint32_t t = id - FIRST_TOWNSHIP;
        snprintf(out, n, "2224%02u%03u", t / TOWNSHIPS_PER_COUNTY + 1,
                 100 + t % TOWNSHIPS_PER_COUNTY);
    } else {
        uint32_t v = id - FIRST_VILLAGE, t = v / VILLAGES_PER_TOWNSHIP;
        snprintf(out, n, "2224%02u%03u%03u", t / TOWNSHIPS_PER_COUNTY + 1,
                 100 + t % TOWNSHIPS_PER_COUNTY, 1 + v % VILLAGES_PER_TOWNSHIP);
    }
}

static uint32_t ou_parent(uint32_t id)
{
    if (id == 1)
        return PIDX_NONE;
    if (id == 2)
        return 1;
    if (id < FIRST_TOWNSHIP)
        return 2;
    if (id < FIRST_VILLAGE)
        return FIRST_COUNTY + (id - FIRST_TOWNSHIP) / TOWNSHIPS_PER_COUNTY;
    return FIRST_TOWNSHIP + (id - FIRST_VILLAGE) / VILLAGES_PER_TOWNSHIP;
}

static uint8_t ou_level(uint32_t id)
{
    return id == 1 ? 1 : id == 2 ? 2 : id < FIRST_TOWNSHIP ? 3 : id < FIRST_VILLAGE ? 4 : 5;
}

/* Facilities: a county hospital per county (ids 1..10), a township center per township
 * (11..210, the lead of that township's team), a village clinic per village. */
static uint32_t facility_of_township(uint32_t t)
{
    return COUNTIES + 1 + t;
}

/* Registry rows go to the index (x, may be NULL) and the database (db, may be NULL). */
static void registry(struct pidx *x, sqlite3 *db, long n_residents)
{
    sqlite3_stmt *ou = NULL, *pop = NULL, *fac = NULL, *staff = NULL, *team = NULL;
    if (db != NULL) {
        sqlite3_prepare_v2(db, "INSERT INTO ou (id, code, name, level, parent_id, updated_at)"
                               " VALUES (?, ?, 'u', ?, ?, 't')", -1, &ou, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO ou_population VALUES (?, 2024, ?, ?, ?)", -1, &pop,
                           NULL);
        sqlite3_prepare_v2(db, "INSERT INTO facility (id, code, name, type, grade, ou_id, beds,"
                               " services, updated_at) VALUES (?, ?, 'f', ?, ?, ?, ?, ?, 't')",
                           -1, &fac, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO staff (id, code, name, role, facility_id,"
                               " education, updated_at) VALUES (?, ?, 's', ?, ?, 'college', 't')",
                           -1, &staff, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO team (id, code, name, facility_id, updated_at)"
                               " VALUES (?, ?, 't', ?, 't')", -1, &team, NULL);
    }
    int32_t per_band = (int32_t)(n_residents * 107 / 100 / VILLAGES / (2 * PIDX_AGE_BANDS) + 1);
    for (uint32_t id = 1; id < N_OUS; id++) {
        struct pidx_ou o = {.present = true, .level = ou_level(id), .parent = ou_parent(id),
                            .lat = NAN, .lon = NAN};
        ou_code(id, o.code, sizeof(o.code));
        if (x != NULL)
            pidx_ou_put(x, id, &o);
        if (ou != NULL) {
            sqlite3_bind_int(ou, 1, (int)id);
            sqlite3_bind_text(ou, 2, o.code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ou, 3, o.level);
            if (o.parent == PIDX_NONE)
                sqlite3_bind_null(ou, 4);
            else
                sqlite3_bind_int(ou, 4, (int)o.parent);
            sqlite3_step(ou);
            sqlite3_reset(ou);
        }
        for (int sex = 1; id >= FIRST_VILLAGE && sex <= 2; sex++)
            for (int band = 0; band < PIDX_AGE_BANDS; band++) {
                if (x != NULL)
                    pidx_population_put(x, id, 2024, sex, band, per_band);
                if (pop != NULL) {
                    sqlite3_bind_int(pop, 1, (int)id);
                    sqlite3_bind_int(pop, 2, sex);
                    sqlite3_bind_int(pop, 3, band);
                    sqlite3_bind_int(pop, 4, per_band);
                    sqlite3_step(pop);
                    sqlite3_reset(pop);
                }
            }
    }
    uint32_t n_fac = COUNTIES + TOWNSHIPS + VILLAGES, staff_id = 1;
    for (uint32_t f = 1; f <= n_fac; f++) {
        struct pidx_facility fa = {.present = true, .grade = GRADE_NONE, .lat = NAN,
                                   .lon = NAN};
        if (f <= COUNTIES) {
            fa.type = FT_COUNTY_HOSPITAL;
            fa.grade = GRADE_2A;
            fa.ou = FIRST_COUNTY + f - 1;
            fa.beds = 400;
            fa.services = (1u << SVC_PEDIATRICS) | (1u << SVC_DIALYSIS);
        } else if (f <= COUNTIES + TOWNSHIPS) {
            fa.type = FT_TOWNSHIP_CENTER;
            fa.ou = FIRST_TOWNSHIP + f - COUNTIES - 1;
            fa.beds = 30;
            fa.services = 1u << SVC_TCM;
        } else {
            fa.type = FT_VILLAGE_CLINIC;
            fa.ou = FIRST_VILLAGE + f - COUNTIES - TOWNSHIPS - 1;
        }
        if (x != NULL)
            pidx_facility_put(x, f, &fa);
        if (fac != NULL) {
            char code[16], services[64];
            snprintf(code, sizeof(code), "F%u", f);
            vocab_format_set(VOCAB_SERVICE, fa.services, services, sizeof(services));
            sqlite3_bind_int(fac, 1, (int)f);
            sqlite3_bind_text(fac, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(fac, 3, vocab_code(VOCAB_FACILITY_TYPE, fa.type), -1, SQLITE_STATIC);
            sqlite3_bind_text(fac, 4, vocab_code(VOCAB_GRADE, fa.grade), -1, SQLITE_STATIC);
            sqlite3_bind_int(fac, 5, (int)fa.ou);
            sqlite3_bind_int(fac, 6, fa.beds);
            sqlite3_bind_text(fac, 7, services, -1, SQLITE_TRANSIENT);
            sqlite3_step(fac);
            sqlite3_reset(fac);
        }
        int n_staff = f <= COUNTIES ? 3 : f <= COUNTIES + TOWNSHIPS ? 2 : 1;
        for (int k = 0; k < n_staff; k++, staff_id++) {
            struct pidx_staff st = {.present = true, .education = EDU_COLLEGE, .facility = f};
            st.role = f > COUNTIES + TOWNSHIPS ? SROLE_VILLAGE_DOCTOR
                      : k == 0                  ? SROLE_GENERAL_PRACTITIONER
                                                : SROLE_REGISTERED_NURSE;
            if (x != NULL)
                pidx_staff_put(x, staff_id, &st);
            if (staff != NULL) {
                char code[16];
                snprintf(code, sizeof(code), "S%u", staff_id);
                sqlite3_bind_int(staff, 1, (int)staff_id);
                sqlite3_bind_text(staff, 2, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(staff, 3, vocab_code(VOCAB_STAFF_ROLE, st.role), -1,
                                  SQLITE_STATIC);
                sqlite3_bind_int(staff, 4, (int)f);
                sqlite3_step(staff);
                sqlite3_reset(staff);
            }
        }
    }
    for (uint32_t t = 0; t < TOWNSHIPS; t++) {
        struct pidx_team tm = {.present = true, .facility = facility_of_township(t)};
        if (x != NULL)
            pidx_team_put(x, t + 1, &tm);
        if (team != NULL) {
            char code[16];
            snprintf(code, sizeof(code), "T%u", t + 1);
            sqlite3_bind_int(team, 1, (int)t + 1);
            sqlite3_bind_text(team, 2, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(team, 3, (int)tm.facility);
            sqlite3_step(team);
            sqlite3_reset(team);
        }
    }
    sqlite3_finalize(ou);
    sqlite3_finalize(pop);
    sqlite3_finalize(fac);
    sqlite3_finalize(staff);
    sqlite3_finalize(team);
}

/* --- residents -------------------------------------------------------------------------- */

struct person {
    struct pidx_resident r;
    struct pidx_span spans[8];
    size_t n;
    uint32_t old_ou;        /* a mover's previous village, else PIDX_NONE */
    int32_t moved;
};

/* Resident i, deterministic: an old county's age pyramid (flattened), about 62% signed for
 * 2024 (a third of them renewed from 2023), hypertension in a quarter of adults, diabetes
 * in one in eleven, a few of each other tag, 3% moved village in 2022, 0.8% died and 0.8%
 * moved out during 2024. About 1.2 spans a resident. */
static void person(uint32_t i, struct person *p)
{
    uint64_t h = mix(i), g = mix(h);
    memset(p, 0, sizeof(*p));
    uint32_t village = (uint32_t)(h % VILLAGES), ou = FIRST_VILLAGE + village;
    struct pidx_resident *r = &p->r;
    r->sex = (uint8_t)(1 + ((h >> 40) & 1));
    r->birth = ymd(1929, 1, 1) + (int32_t)((h >> 13) % (95 * 365));
    int32_t opened = ymd(2008, 1, 1) + (int32_t)((h >> 23) % (16 * 365));
    r->record_date = opened > r->birth ? opened : r->birth;
    r->end_date = PIDX_OPEN;
    r->status = RSTAT_ACTIVE;
    unsigned fate = (unsigned)((h >> 41) % 1000);
    if (fate < 16) {
        r->end_date = ymd(2024, 1, 1) + (int32_t)((h >> 50) % 366);
        r->status = fate < 8 ? RSTAT_DECEASED : RSTAT_MOVED_OUT;
        if (r->record_date >= r->end_date)
            r->record_date = r->end_date - 1;
        if (r->birth > r->record_date)
            r->birth = r->record_date;
    }
    r->ou = ou;
    r->residence_from = r->record_date;
    p->old_ou = PIDX_NONE;
    if ((g % 100) < 3 && r->record_date < ymd(2022, 6, 1)) {
        p->old_ou = FIRST_VILLAGE + (village + 1) % VILLAGES;
        p->moved = ymd(2022, 6, 1);
        r->residence_from = p->moved;
        p->spans[p->n++] = (struct pidx_span){r->record_date, p->moved - 1, p->old_ou,
                                              PIDX_SPAN_RESIDENCE, {0}};
    }
    uint32_t team = 1 + (village / VILLAGES_PER_TOWNSHIP);
    unsigned sign = (unsigned)((h >> 20) % 100);
    if (sign < 62) {
        /* Packages as a county signs them: the elderly and the chronically ill their own,
         * everyone else the basic one (set below, once age and tags are known). */
        if (sign < 20)
            p->spans[p->n++] = (struct pidx_span){ymd(2023, 1, 1), ymd(2023, 12, 31), team,
                                                  PIDX_SPAN_CONTRACT, {PKG_BASIC + 1, 0, 0}};
        p->spans[p->n++] = (struct pidx_span){ymd(2024, 1, 1), ymd(2024, 12, 31), team,
                                              PIDX_SPAN_CONTRACT, {PKG_BASIC + 1, 0, 0}};
    }
    int age = date_age_years(r->birth, ymd(2024, 12, 31));
    if (age >= 35 && (int)((g >> 8) % 100) < 25 + age / 4)
        p->spans[p->n++] = (struct pidx_span){ymd(2018, 3, 1), PIDX_OPEN, TAG_HYPERTENSION,
                                              PIDX_SPAN_TAG, {0}};
    if (age >= 35 && (g >> 16) % 100 < 11)
        p->spans[p->n++] = (struct pidx_span){ymd(2019, 5, 1), PIDX_OPEN, TAG_DIABETES,
                                              PIDX_SPAN_TAG, {0}};
    unsigned other = (unsigned)((g >> 24) % 1000);
    if (other < 30)
        p->spans[p->n++] = (struct pidx_span){ymd(2020, 1, 1), PIDX_OPEN,
                                              (uint32_t)(TAG_SEVERE_MENTAL + other % 6),
                                              PIDX_SPAN_TAG, {0}};
    bool chronic = false;
    for (size_t k = 0; k < p->n; k++)
        chronic = chronic || (p->spans[k].kind == PIDX_SPAN_TAG &&
                              (p->spans[k].value == TAG_HYPERTENSION ||
                               p->spans[k].value == TAG_DIABETES));
    for (size_t k = 0; k < p->n; k++)
        if (p->spans[k].kind == PIDX_SPAN_CONTRACT)
            pidx_span_set_package(&p->spans[k], age >= 65 ? PKG_ELDERLY
                                                : chronic ? PKG_CHRONIC
                                                : age <= 6 ? PKG_MATERNAL_CHILD
                                                           : PKG_BASIC);
}

/* --- service histories ------------------------------------------------------------------ */

#define HISTORY_CAP 128

/* The items the generator uses, by code (the shipped protocol). */
struct items {
    const struct svc_protocol *p;
    int htn, htn_yearly, dm, dm_yearly, elderly, elderly_tcm, cervical, breast;
    int doses[64];
    size_t n_doses;
    int child[16];
    size_t n_child;
};

static void items_init(struct items *it, const struct svc_protocol *p)
{
    memset(it, 0, sizeof(*it));
    it->p = p;
    it->htn = svc_item_find(p, "htn_followup");
    it->htn_yearly = svc_item_find(p, "htn_yearly");
    it->dm = svc_item_find(p, "dm_followup");
    it->dm_yearly = svc_item_find(p, "dm_yearly");
    it->elderly = svc_item_find(p, "elderly_checkup");
    it->elderly_tcm = svc_item_find(p, "elderly_tcm");
    it->cervical = svc_item_find(p, "cervical_screen");
    it->breast = svc_item_find(p, "breast_screen");
    for (size_t i = 0; i < svc_item_count(p); i++) {
        const struct svc_item *x = svc_item_at(p, (int)i);
        if (x->program == SVC_PROG_IMMUNIZATION && it->n_doses < 64)
            it->doses[it->n_doses++] = (int)i;
        if (x->program == SVC_PROG_CHILD && x->schedule == SVC_SCHED_WINDOW && it->n_child < 16)
            it->child[it->n_child++] = (int)i;
    }
}

static void put_event(struct svc_done *out, size_t *n, size_t cap, int32_t day, int item,
                      uint8_t outcome)
{
    if (*n < cap && item >= 0)
        out[(*n)++] = (struct svc_done){day, (uint16_t)item, outcome, 0};
}

static int done_cmp(const void *pa, const void *pb)
{
    const struct svc_done *a = pa, *b = pb;
    return a->day < b->day ? -1 : a->day > b->day;
}

/*
 * Resident i's services of 2023 and 2024 (sorted by day), deterministic, about 10 a year:
 * 3-4 follow-ups a year and a yearly check for hypertension and diabetes (about 60%
 * controlled), the elderly checkup (75%) and TCM (65%) from 65, the child checks and
 * vaccine doses whose windows fall in those years (90%, one in twenty a day early),
 * screening of women 35-64 every third year, and other services to make up the number.
 * Only days on which the resident was in the population.
 */
static size_t history(uint32_t i, const struct person *p, const struct items *it,
                      struct svc_done *out, size_t cap)
{
    uint64_t h = mix((uint64_t)i * 7919u + 17);
    size_t n = 0;
    const struct pidx_resident *r = &p->r;
    bool htn = false, dm = false;
    for (size_t k = 0; k < p->n; k++) {
        htn = htn || (p->spans[k].kind == PIDX_SPAN_TAG && p->spans[k].value == TAG_HYPERTENSION);
        dm = dm || (p->spans[k].kind == PIDX_SPAN_TAG && p->spans[k].value == TAG_DIABETES);
    }
    for (int year = 2023; year <= 2024; year++) {
        int32_t jan1 = ymd(year, 1, 1);
        int age = date_age_years(r->birth, ymd(year, 12, 31));
        size_t first = n;
        for (int k = 0; htn && k < 3 + (int)(h % 2); k++)
            put_event(out, &n, cap, jan1 + 15 + 90 * k + (int32_t)((h >> (8 + k)) % 30), it->htn,
                      (h >> (12 + 3 * k)) % 10 < 6 ? SVC_OUT_CONTROLLED : SVC_OUT_UNCONTROLLED);
        if (htn)
            put_event(out, &n, cap, jan1 + 200, it->htn_yearly, 0);
        for (int k = 0; dm && k < 3 + (int)((h >> 3) % 2); k++)
            put_event(out, &n, cap, jan1 + 20 + 90 * k + (int32_t)((h >> (20 + k)) % 30), it->dm,
                      (h >> (24 + 3 * k)) % 10 < 6 ? SVC_OUT_CONTROLLED : SVC_OUT_UNCONTROLLED);
        if (dm)
            put_event(out, &n, cap, jan1 + 210, it->dm_yearly, 0);
        if (age >= 65 && (h >> 32) % 100 < 75)
            put_event(out, &n, cap, jan1 + 60 + (int32_t)((h >> 36) % 200), it->elderly, 0);
        if (age >= 65 && (h >> 40) % 100 < 65)
            put_event(out, &n, cap, jan1 + 70 + (int32_t)((h >> 44) % 200), it->elderly_tcm, 0);
        if (r->sex == 2 && age >= 35 && age <= 64 && (int)((h >> 48) % 3) == year % 3) {
            put_event(out, &n, cap, jan1 + 100, it->cervical, 0);
            put_event(out, &n, cap, jan1 + 101, it->breast, 0);
        }
        if (age <= 7) {
            const int *lists[2] = {it->doses, it->child};
            size_t counts[2] = {it->n_doses, it->n_child};
            for (int l = 0; l < 2; l++)
                for (size_t k = 0; k < counts[l]; k++) {
                    uint64_t hk = mix(h + k + 100 * (uint64_t)l);
                    int32_t d = svc_period_add(r->birth, svc_item_at(it->p, lists[l][k])->start) +
                                (int32_t)(hk % 20) - 1;
                    if (d >= jan1 && d <= ymd(year, 12, 31) && hk % 10 != 0)
                        put_event(out, &n, cap, d, lists[l][k], 0);
                }
        }
        /* Other services, up to 5-15 this year, each of an item not yet given this year
         * (so no item has more than 4 events a year). */
        uint64_t used = 0;
        for (size_t k = first; k < n; k++)
            used |= 1ull << (out[k].item % 64);
        size_t want = 5 + (size_t)((h >> (50 + (year - 2023) * 4)) % 11);
        size_t n_items = svc_item_count(it->p);
        for (size_t k = n - first, tries = 0; k < want && tries < 64; tries++) {
            uint64_t hk = mix(h ^ (tries * 31 + (uint64_t)year));
            int item = (int)((hk >> 20) % n_items);
            if ((used >> (item % 64)) & 1)
                continue;
            used |= 1ull << (item % 64);
            put_event(out, &n, cap, jan1 + (int32_t)(hk % 365), item, 0);
            k++;
        }
    }
    /* Keep the days on which the resident was in the population. */
    size_t kept = 0;
    for (size_t k = 0; k < n; k++)
        if (out[k].day >= r->record_date && out[k].day < r->end_date &&
            out[k].day <= ymd(2024, 12, 31))
            out[kept++] = out[k];
    qsort(out, kept, sizeof(*out), done_cmp);
    return kept;
}

/* What the index keeps of a history (pindex.h): every event from the cutoff on, and the
 * last SVC_HISTORY_KEEP of each item before it, so puts and a load agree. */
static size_t keep_rule(struct svc_done *h, size_t n, int32_t cutoff)
{
    uint8_t seen[256] = {0};
    bool keep[HISTORY_CAP];
    for (size_t k = n; k-- > 0;)
        keep[k] = h[k].day >= cutoff || h[k].item >= 256 || seen[h[k].item]++ < SVC_HISTORY_KEEP;
    size_t kept = 0;
    for (size_t k = 0; k < n; k++)
        if (keep[k])
            h[kept++] = h[k];
    return kept;
}

/* --- SQLite ----------------------------------------------------------------------------- */

static char *day_text(int32_t d, char out[DATE_STR_LEN])
{
    return date_format(d, out);
}

/* Write residents 1..n, their rows and their service events with plain batched inserts
 * (50,000 residents a transaction). */
static long write_residents(sqlite3 *db, long n, const struct items *it)
{
    static const char *const statuses[] = {"active", "moved_out", "deceased"};
    sqlite3_stmt *res, *tag, *home, *con, *ev;
    sqlite3_prepare_v2(db, "INSERT INTO service_event (external_id, resident_id, item,"
                           " service_date, facility_id, outcome, recorded_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, 't')", -1, &ev, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                           " record_date, status, status_date, updated_at, residence_from)"
                           " VALUES (?, ?, 'r', ?, ?, ?, ?, ?, ?, 't', ?)", -1, &res, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO resident_tag (resident_id, tag, from_date, to_date)"
                           " VALUES (?, ?, ?, ?)", -1, &tag, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO residence (resident_id, ou_id, from_date, to_date)"
                           " VALUES (?, ?, ?, ?)", -1, &home, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO contract (resident_id, team_id, from_date,"
                           " to_date, status, package, updated_at) VALUES (?, ?, ?, ?, ?, ?, 't')",
                       -1, &con, NULL);
    long rows = 0;
    char a[DATE_STR_LEN], b[DATE_STR_LEN], idno[24];
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (long i = 1; i <= n; i++) {
        struct person p;
        person((uint32_t)i, &p);
        snprintf(idno, sizeof(idno), "%ld", i);
        sqlite3_bind_int64(res, 1, i);
        sqlite3_bind_text(res, 2, idno, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(res, 3, p.r.sex);
        sqlite3_bind_text(res, 4, day_text(p.r.birth, a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(res, 5, (int)p.r.ou);
        sqlite3_bind_text(res, 6, day_text(p.r.record_date, a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(res, 7, statuses[p.r.status], -1, SQLITE_STATIC);
        if (p.r.end_date == PIDX_OPEN)
            sqlite3_bind_null(res, 8);
        else
            sqlite3_bind_text(res, 8, day_text(p.r.end_date, a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(res, 9, day_text(p.r.residence_from, a), -1, SQLITE_TRANSIENT);
        sqlite3_step(res);
        sqlite3_reset(res);
        rows++;
        /* The past residence of a mover is among the spans. */
        for (size_t k = 0; k < p.n; k++) {
            const struct pidx_span *s = &p.spans[k];
            sqlite3_stmt *st = s->kind == PIDX_SPAN_TAG ? tag
                               : s->kind == PIDX_SPAN_RESIDENCE ? home
                                                               : con;
            sqlite3_bind_int64(st, 1, i);
            if (s->kind == PIDX_SPAN_TAG)
                sqlite3_bind_text(st, 2, vocab_code(VOCAB_TAG, (int)s->value), -1,
                                  SQLITE_STATIC);
            else
                sqlite3_bind_int(st, 2, (int)s->value);
            sqlite3_bind_text(st, 3, day_text(s->from, a), -1, SQLITE_TRANSIENT);
            if (s->to == PIDX_OPEN)
                sqlite3_bind_null(st, 4);
            else
                sqlite3_bind_text(st, 4, day_text(s->to, b), -1, SQLITE_TRANSIENT);
            if (st == con) {
                sqlite3_bind_text(st, 5, s->from < ymd(2024, 1, 1) ? "renewed" : "active", -1,
                                  SQLITE_STATIC);
                sqlite3_bind_text(st, 6, vocab_code(VOCAB_PACKAGE, pidx_span_package(s)), -1,
                                  SQLITE_STATIC);
            }
            sqlite3_step(st);
            sqlite3_reset(st);
            rows++;
        }
        struct svc_done done[HISTORY_CAP];
        size_t n_done = history((uint32_t)i, &p, it, done, HISTORY_CAP);
        for (size_t k = 0; k < n_done; k++) {
            char ext[32];
            snprintf(ext, sizeof(ext), "e%ld-%zu", i, k);
            sqlite3_bind_text(ev, 1, ext, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ev, 2, i);
            sqlite3_bind_text(ev, 3, svc_item_at(it->p, done[k].item)->code, -1, SQLITE_STATIC);
            sqlite3_bind_text(ev, 4, day_text(done[k].day, a), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ev, 5, (int)(COUNTIES + TOWNSHIPS + 1 + p.r.ou - FIRST_VILLAGE));
            sqlite3_bind_int(ev, 6, done[k].outcome);
            sqlite3_step(ev);
            sqlite3_reset(ev);
            rows++;
        }
        if (i % 50000 == 0) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(res);
    sqlite3_finalize(tag);
    sqlite3_finalize(home);
    sqlite3_finalize(con);
    sqlite3_finalize(ev);
    return rows;
}

/* Records and signed residents on ?1 by village (where they lived that day), rolled up
 * the tree level by level: what the index's pass gives for IND_M_RECORDS and IND_M_SIGNED. */
static const char *const group_by_sql =
    "WITH v(ou, records, signed) AS ("
    "  SELECT CASE WHEN r.residence_from <= ?1 THEN r.ou_id ELSE (SELECT h.ou_id"
    "    FROM residence h WHERE h.resident_id = r.id AND h.from_date <= ?1"
    "    AND h.to_date >= ?1) END AS home, COUNT(*), SUM(EXISTS (SELECT 1 FROM contract c"
    "    WHERE c.resident_id = r.id AND c.from_date <= ?1 AND c.to_date >= ?1"
    "      AND (c.status <> 'terminated' OR c.ended_date > ?1)))"
    "  FROM resident r"
    "  WHERE r.record_date <= ?1 AND (r.status_date IS NULL OR r.status_date > ?1)"
    "  GROUP BY home),"
    " t(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM v JOIN ou o ON o.id = v.ou GROUP BY o.parent_id),"
    " c(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM t JOIN ou o ON o.id = t.ou GROUP BY o.parent_id),"
    " ci(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM c JOIN ou o ON o.id = c.ou GROUP BY o.parent_id),"
    " p(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)"
    "  FROM ci JOIN ou o ON o.id = ci.ou GROUP BY o.parent_id)"
    " SELECT * FROM v UNION ALL SELECT * FROM t UNION ALL SELECT * FROM c"
    " UNION ALL SELECT * FROM ci UNION ALL SELECT * FROM p";

/* Run the GROUP BY once; counts into records/signed (N_OUS each). Seconds taken. */
static double sqlite_group_by(sqlite3 *db, int64_t *records, int64_t *signed_)
{
    sqlite3_stmt *st;
    char d[DATE_STR_LEN];
    memset(records, 0, N_OUS * sizeof(*records));
    memset(signed_, 0, N_OUS * sizeof(*signed_));
    double t0 = now_s();
    if (sqlite3_prepare_v2(db, group_by_sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "group by: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_bind_text(st, 1, day_text(ymd(2024, 12, 31), d), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t ou = sqlite3_column_int64(st, 0);
        if (ou > 0 && ou < N_OUS) {
            records[ou] = sqlite3_column_int64(st, 1);
            signed_[ou] = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    return now_s() - t0;
}

/*
 * A set of the service rates by village, rolled up: services delivered in the period
 * (where the resident lived on the day), residents 65+ on ?1 and those with an elderly
 * checkup in the period, and for hypertension and diabetes the patients on ?1, those
 * managed (a follow-up in the period), standard (>= 4) and controlled (the last follow-up
 * of the period controlled). ?1 = D, ?2 = the period's start, ?3 = born on or before:
 * 65 on D. What the index's pass gives for IND_M_SERVICES, IND_M_ELDERLY(_CHECKED) and
 * the chronic blocks of the two programmes.
 */
#define HOME_ON(day)                                                                      \
    "CASE WHEN r.residence_from <= " day " THEN r.ou_id ELSE (SELECT h.ou_id FROM"        \
    " residence h WHERE h.resident_id = r.id AND h.from_date <= " day " AND h.to_date >= " \
    day " ORDER BY h.from_date DESC LIMIT 1) END"
#define CHRONIC_SQL(tag, item)                                                             \
    " SELECT p.home AS ou, COUNT(*) AS d, SUM(f.n >= 1) AS e, SUM(f.n >= 4) AS f,"         \
    "  SUM(f.n >= 1 AND (SELECT e.outcome & 1 FROM service_event e WHERE"                  \
    "   e.resident_id = p.id AND e.item = '" item "' AND e.service_date BETWEEN ?2 AND ?1" \
    "   ORDER BY e.service_date DESC, e.id DESC LIMIT 1)) AS g"                             \
    " FROM pop p JOIN resident_tag t ON t.resident_id = p.id AND t.tag = '" tag "'"         \
    "  AND t.from_date <= ?1 AND (t.to_date IS NULL OR t.to_date >= ?1)"                    \
    " LEFT JOIN (SELECT resident_id, COUNT(*) AS n FROM service_event WHERE item = '" item  \
    "'  AND service_date BETWEEN ?2 AND ?1 GROUP BY resident_id) f ON f.resident_id = p.id" \
    " GROUP BY p.home"
#define ROLL(name, from)                                                                    \
    " " name "(ou, a, b, c, d, e, f, g, h, i, j, k) AS (SELECT o.parent_id, SUM(a), SUM(b),"  \
    " SUM(c), SUM(d), SUM(e), SUM(f), SUM(g), SUM(h), SUM(i), SUM(j), SUM(k) FROM " from      \
    " x JOIN ou o ON o.id = x.ou GROUP BY o.parent_id)"

static const char *const rates_sql =
    "WITH pop(id, home, birth) AS (SELECT r.id, " HOME_ON("?1") ", r.birth_date"
    "  FROM resident r WHERE r.record_date <= ?1 AND (r.status_date IS NULL OR"
    "  r.status_date > ?1)),"
    " parts(ou, a, b, c, d, e, f, g, h, i, j, k) AS ("
    "  SELECT " HOME_ON("e.service_date") ", COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0"
    "  FROM service_event e JOIN resident r ON r.id = e.resident_id"
    "  WHERE e.service_date BETWEEN ?2 AND ?1 GROUP BY 1"
    " UNION ALL"
    "  SELECT p.home, 0, COUNT(*), SUM(EXISTS (SELECT 1 FROM service_event e WHERE"
    "   e.resident_id = p.id AND e.item = 'elderly_checkup' AND e.service_date BETWEEN ?2"
    "   AND ?1)), 0, 0, 0, 0, 0, 0, 0, 0 FROM pop p WHERE p.birth <= ?3 GROUP BY p.home"
    " UNION ALL SELECT ou, 0, 0, 0, d, e, f, g, 0, 0, 0, 0 FROM ("
    CHRONIC_SQL("hypertension", "htn_followup") ")"
    " UNION ALL SELECT ou, 0, 0, 0, 0, 0, 0, 0, d, e, f, g FROM ("
    CHRONIC_SQL("diabetes", "dm_followup") ")),"
    " v(ou, a, b, c, d, e, f, g, h, i, j, k) AS (SELECT ou, SUM(a), SUM(b), SUM(c), SUM(d),"
    "  SUM(e), SUM(f), SUM(g), SUM(h), SUM(i), SUM(j), SUM(k) FROM parts GROUP BY ou),"
    ROLL("t", "v") "," ROLL("c", "t") "," ROLL("ci", "c") "," ROLL("p", "ci")
    " SELECT * FROM v UNION ALL SELECT * FROM t UNION ALL SELECT * FROM c"
    " UNION ALL SELECT * FROM ci UNION ALL SELECT * FROM p";

/* The measures of the rates query, in its column order. */
static const enum ind_measure rates_measures[11] = {
    IND_M_SERVICES, IND_M_ELDERLY, IND_M_ELDERLY_CHECKED,
    IND_M_CHRONIC_AT(IND_CHRONIC_HYPERTENSION, IND_CM_PATIENTS),
    IND_M_CHRONIC_AT(IND_CHRONIC_HYPERTENSION, IND_CM_MANAGED),
    IND_M_CHRONIC_AT(IND_CHRONIC_HYPERTENSION, IND_CM_STANDARD),
    IND_M_CHRONIC_AT(IND_CHRONIC_HYPERTENSION, IND_CM_CONTROLLED),
    IND_M_CHRONIC_AT(IND_CHRONIC_DIABETES, IND_CM_PATIENTS),
    IND_M_CHRONIC_AT(IND_CHRONIC_DIABETES, IND_CM_MANAGED),
    IND_M_CHRONIC_AT(IND_CHRONIC_DIABETES, IND_CM_STANDARD),
    IND_M_CHRONIC_AT(IND_CHRONIC_DIABETES, IND_CM_CONTROLLED),
};

/* Run the rates query once; counts into out (N_OUS × 11). Seconds taken. */
static double sqlite_rates(sqlite3 *db, int64_t *out)
{
    sqlite3_stmt *st;
    char d[DATE_STR_LEN], start[DATE_STR_LEN], born[DATE_STR_LEN];
    memset(out, 0, N_OUS * 11 * sizeof(*out));
    double t0 = now_s();
    if (sqlite3_prepare_v2(db, rates_sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "rates: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_bind_text(st, 1, day_text(ymd(2024, 12, 31), d), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, day_text(ymd(2024, 1, 1), start), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, day_text(ymd(1959, 12, 31), born), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t ou = sqlite3_column_int64(st, 0);
        for (int k = 0; ou > 0 && ou < N_OUS && k < 11; k++)
            out[ou * 11 + k] = sqlite3_column_int64(st, k + 1);
    }
    sqlite3_finalize(st);
    return now_s() - t0;
}

/* --- the index -------------------------------------------------------------------------- */

/* Every indicator of every unit for 2024: the pass, then each definition's division. With
 * rates false the pass runs as if the index had no protocol (no service rates). */
static double all_indicators(struct pidx *x, const struct ind_catalog *cat, bool rates,
                             int threads, struct ind_result **keep)
{
    struct ind_period p;
    struct yl_err err = {0};
    ind_period_parse("2024", ymd(2026, 1, 1), &p, &err);
    double t0 = now_s();
    struct pidx_view v;
    pidx_read_lock(x);
    pidx_view(x, &v);
    if (!rates)
        v.protocol = NULL;
    struct ind_result *r = ind_compute_view(&v, &p, threads);
    pidx_read_unlock(x);
    size_t n_defs;
    const struct ind_def *defs = rates ? ind_catalog_defs(cat, &n_defs) : ind_defs(&n_defs);
    double sink = 0;
    for (uint32_t u = 1; u < r->n_ous; u++)
        for (size_t k = 0; k < n_defs; k++) {
            struct ind_value value;
            ind_evaluate(r, u, &defs[k], &value);
            sink += value.value;
        }
    double t = now_s() - t0;
    if (sink < 0)
        printf("?");
    if (keep != NULL)
        *keep = r;
    else
        ind_result_free(r);
    return t;
}

static double best_of(struct pidx *x, const struct ind_catalog *cat, bool rates, int threads,
                      int runs)
{
    double best = 1e9;
    for (int i = 0; i < runs; i++) {
        double t = all_indicators(x, cat, rates, threads, NULL);
        best = t < best ? t : best;
    }
    return best;
}

/* Resident i's history as the index keeps it. */
static size_t kept_history(uint32_t i, const struct person *p, const struct items *it,
                           struct svc_done *out)
{
    size_t n = history(i, p, it, out, HISTORY_CAP);
    return keep_rule(out, n, pidx_history_cutoff(date_today()));
}

static void run(long n, bool with_sqlite, int threads, const struct items *it,
                const struct ind_catalog *cat)
{
    printf("\n%ld residents; %d org units (1 province, 1 city, %d counties, %d townships, %d "
           "villages); %d threads\n", n, N_OUS - 1, COUNTIES, TOWNSHIPS, VILLAGES, threads);
    struct pidx *x = pidx_new();
    pidx_set_protocol(x, it->p);
    registry(x, NULL, n);
    double t0 = now_s();
    size_t spans = 0, events = 0;
    for (long i = 1; i <= n; i++) {
        struct person p;
        struct svc_done done[HISTORY_CAP];
        person((uint32_t)i, &p);
        spans += p.n;
        pidx_resident_put(x, (uint32_t)i, &p.r, p.spans, p.n);
        size_t n_done = kept_history((uint32_t)i, &p, it, done);
        events += n_done;
        pidx_services_put(x, (uint32_t)i, done, n_done);
    }
    double put_s = now_s() - t0;
    size_t rows_b, spans_b, total = pidx_memory(x, &rows_b, &spans_b);
    printf("  index build (puts)           %8.2f s   %10.0f residents/s\n", put_s,
           (double)n / put_s);
    printf("  index memory                 %8.1f bytes/resident (rows %zu MB, spans %zu MB, "
           "%.2f spans a resident; services %zu MB, %.1f events a resident kept)\n",
           (double)total / (double)n, rows_b >> 20, spans_b >> 20, (double)spans / (double)n,
           pidx_services_memory(x, NULL) >> 20, (double)events / (double)n);
    double plain = best_of(x, cat, false, threads, 5);
    double best1 = best_of(x, cat, true, 1, 3), best = best_of(x, cat, true, threads, 5);
    size_t n_defs;
    ind_catalog_defs(cat, &n_defs);
    printf("  all indicators, every unit   %8.1f ms  best of 5 on %d threads, without the "
           "service rates\n", plain * 1e3, threads);
    printf("  ... with the service rates   %8.1f ms  best of 5 on %d threads (%.1f ms on 1); "
           "%zu indicators\n", best * 1e3, threads, best1 * 1e3, n_defs);
    if (!with_sqlite) {
        pidx_free(x);
        return;
    }

    /* YL_BENCH_DB names a database file to keep (and reuse when it exists) between runs. */
    char dir[] = "/tmp/yilian-bench-XXXXXX", path[512];
    const char *keep = getenv("YL_BENCH_DB");
    bool reuse = keep != NULL && access(keep, F_OK) == 0;
    if (keep == NULL && mkdtemp(dir) == NULL)
        return;
    snprintf(path, sizeof(path), "%s%s", keep ? keep : dir, keep ? "" : "/bench.db");
    struct store *s = NULL;
    struct yl_err err = {0};
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "store: %s\n", yl_err_message(&err));
        return;
    }
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     " PRAGMA cache_size=-1000000", NULL, NULL, NULL);
    if (!reuse) {
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        registry(NULL, db, n);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        t0 = now_s();
        long rows = write_residents(db, n, it);
        double write_s = now_s() - t0;
        printf("  SQLite file written          %8.2f s   %10.0f rows/s (%ld rows, batched "
               "inserts of 50,000 residents)\n", write_s, (double)rows / write_s, rows);
    }

    struct pidx *loaded = pidx_new();
    pidx_set_protocol(loaded, it->p);
    t0 = now_s();
    int rc = pidx_load(loaded, s, &err);
    double load_s = now_s() - t0;
    long differences = -1;
    if (rc == 0)
        rc = pidx_compare(x, loaded, &differences, &err);
    printf("  index load from the store    %8.2f s   %10.0f residents/s (%s)\n", load_s,
           (double)n / load_s, rc == 0 ? "equal to the index built by puts"
                                       : yl_err_message(&err));

    int64_t *records = malloc(N_OUS * sizeof(*records));
    int64_t *signed_ = malloc(N_OUS * sizeof(*signed_));
    sqlite_group_by(db, records, signed_);     /* warms the cache */
    double sql_best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t = sqlite_group_by(db, records, signed_);
        sql_best = t < sql_best ? t : sql_best;
    }
    struct ind_result *r = NULL;
    all_indicators(loaded, cat, true, threads, &r);
    long mismatches = 0;
    for (uint32_t u = 1; u < N_OUS; u++)
        mismatches += ind_result_measure(r, u, IND_M_RECORDS) != records[u] ||
                      ind_result_measure(r, u, IND_M_SIGNED) != signed_[u];
    printf("  SQLite GROUP BY              %8.1f ms  best of 3 (records and signed by village, "
           "rolled up: %s; %lld records, %lld signed)\n", sql_best * 1e3,
           mismatches == 0 ? "same counts as the index" : "COUNTS DIFFER",
           (long long)records[1], (long long)signed_[1]);
    printf("  ratio                        %8.0fx  (SQLite's two measures against the index's "
           "pass without the rates, %d measures of every unit)\n", sql_best / plain,
           IND_M_COUNT);
    int64_t *rates = malloc(N_OUS * 11 * sizeof(*rates));
    sqlite_rates(db, rates);                    /* warms the cache */
    double rates_best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t = sqlite_rates(db, rates);
        rates_best = t < rates_best ? t : rates_best;
    }
    long rate_mismatches = 0;
    for (uint32_t u = 1; u < N_OUS; u++)
        for (int k = 0; k < 11; k++)
            rate_mismatches += ind_result_measure(r, u, rates_measures[k]) != rates[u * 11 + k];
    printf("  SQLite rates GROUP BY        %8.1f ms  best of 3 (services, elderly, hypertension "
           "and diabetes management, standard, control by village, rolled up: %s; %lld "
           "services, %lld of %lld elderly checked)\n", rates_best * 1e3,
           rate_mismatches == 0 ? "same counts as the index" : "COUNTS DIFFER",
           (long long)rates[11], (long long)rates[13], (long long)rates[12]);
    printf("  ratio                        %8.0fx  (SQLite's 11 rate measures against the "
           "index's whole pass)\n", rates_best / best);
    free(rates);
    ind_result_free(r);
    free(records);
    free(signed_);
    pidx_free(loaded);
    sqlite3_close(db);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (keep == NULL && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    pidx_free(x);
}

int main(int argc, char **argv)
{
    static const char *const paths[] = {"data/measurements.csv", "data/protocols.csv",
                                        "data/protocol-rules.csv"};
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    struct svc_protocol *protocol = NULL;
    struct ind_catalog *cat = NULL;
    struct yl_err err = {0};
    if (svc_protocol_load(paths, 3, &protocol, &err) != 0 ||
        ind_catalog_new(protocol, NULL, 0, &cat, &err) != 0) {
        fprintf(stderr, "bench_indicators: %s (run from the checkout)\n", yl_err_message(&err));
        return 1;
    }
    struct items it;
    items_init(&it, protocol);
    printf("yilian indicators benchmark: %d cores, release build\n", threads);
    if (argc < 2) {
        run(1000000, true, threads, &it, cat);
        run(10000000, false, threads, &it, cat);
    }
    for (int i = 1; i < argc; i++)
        run(strtol(argv[i], NULL, 10), i == 1, threads, &it, cat);
    ind_catalog_free(cat);
    svc_protocol_free(protocol);
    return 0;
}
