/*
 * test_pindex.c - the population index: a small region written with the sqlite3 C API into
 * a migrated database, loaded and checked row by row and span by span; refresh after a
 * change; compare finding a difference; the span pool under rewrites; a failed load that
 * changes nothing; and the memory of 100,000 synthetic residents (< 100 bytes each).
 */
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "pindex/pindex.h"
#include "store/store.h"
#include "support.h"
#include "test.h"
#include "vocab/vocab.h"

static int32_t day(const char *s)
{
    int32_t d = DATE_INVALID;
    date_parse(s, strlen(s), &d, "test", NULL);
    return d;
}

/* A migrated database with the store open on it, and a raw sqlite3 handle for inserts. */
struct fixture {
    struct store *store;
    sqlite3 *db;
};

static int fixture_open(struct fixture *f, const char *name)
{
    struct yl_err err = {0};
    const char *path = ts_path(name);
    memset(f, 0, sizeof(*f));
    if (store_open(path, NULL, &f->store, &err) != 0 || store_migrate(f->store, NULL, &err) != 0) {
        fprintf(stderr, "    store: %s\n", yl_err_message(&err));
        return -1;
    }
    return sqlite3_open(path, &f->db) == SQLITE_OK ? 0 : -1;
}

static void fixture_close(struct fixture *f)
{
    sqlite3_close(f->db);
    store_close(f->store);
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "    sql: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    return rc;
}

/* The small region every test here starts from. */
static const char *const region_sql =
    "INSERT INTO ou (id, code, name, level, parent_id, lat, lon, updated_at) VALUES"
    " (1, '22', 'province', 1, NULL, NULL, NULL, 't'),"
    " (2, '2224', 'city', 2, 1, NULL, NULL, 't'),"
    " (3, '222404', 'county', 3, 2, 42.86, 130.36, 't'),"
    " (4, '222404100', 'township', 4, 3, NULL, NULL, 't'),"
    " (5, '222404100001', 'village one', 5, 4, 42.9, 130.4, 't'),"
    " (6, '222404100002', 'village two', 5, 4, NULL, NULL, 't');"
    "INSERT INTO ou_population (ou_id, year, sex, age_band, count) VALUES"
    " (5, 2024, 1, 0, 10), (5, 2024, 2, 18, 3), (6, 2023, 1, 5, 7);"
    "INSERT INTO facility (id, code, name, type, grade, ownership, ou_id, lat, lon, beds,"
    " icu_beds, infant_care_places, services, centers, status, updated_at) VALUES"
    " (1, 'H1', 'hospital', 'county_hospital', '2A', 'public', 3, 42.8, 130.3, 500, 20, 0,"
    "  'pediatrics dialysis mental_health', 'chest_pain stroke', 'active', 't'),"
    " (2, 'V1', 'clinic', 'village_clinic', 'none', 'private', 5, NULL, NULL, 0, 0, 4, '',"
    "  '', 'closed', 't');"
    "INSERT INTO facility (id, code, name, type, ou_id, updated_at) VALUES"
    " (3, 'C1', 'center', 'township_center', 4, 't');"
    "INSERT INTO staff (id, code, name, role, facility_id, education, status, updated_at)"
    " VALUES (1, 'S1', 'a', 'licensed_physician', 1, 'bachelor', 'active', 't'),"
    " (2, 'S2', 'b', 'village_doctor', 2, '', 'active', 't'),"
    " (3, 'S3', 'c', 'registered_nurse', 1, 'college', 'left', 't');"
    "INSERT INTO team (id, code, name, facility_id, capacity, status, updated_at) VALUES"
    " (1, 'T1', 'team one', 3, 600, 'active', 't'),"
    " (2, 'T2', 'team two', 1, 0, 'disbanded', 't');"
    "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, record_date, status,"
    " status_date, maternal_death, updated_at) VALUES"
    " (1, 'n1', 'a', 1, '1950-06-15', 5, '2010-01-01', 'active', NULL, 0, 't'),"
    " (2, 'n2', 'b', 2, '1990-02-28', 6, '2011-03-04', 'active', NULL, 0, 't'),"
    " (3, 'n3', 'c', 1, '2024-02-10', 5, '2024-02-20', 'deceased', '2024-09-01', 0, 't'),"
    " (4, 'n4', 'd', 2, '1980-01-01', 6, '2012-01-01', 'moved_out', '2023-05-05', 0, 't'),"
    " (5, 'n5', 'e', 2, '1995-07-07', 5, '2015-01-01', 'deceased', '2024-03-03', 1, 't'),"
    " (7, 'n7', 'g', 1, '2000-01-01', 6, '2020-01-01', 'active', NULL, 0, 't'),"
    " (8, 'n8', 'h', 2, '1940-01-01', 6, '2010-01-01', 'deceased', '2024-09-01', 0, 't');"
    "INSERT INTO resident_tag (resident_id, tag, from_date, to_date) VALUES"
    " (1, 'hypertension', '2015-03-01', NULL),"
    " (1, 'diabetes', '2018-01-01', '2020-12-31'),"
    " (5, 'pregnant', '2023-08-01', '2024-03-03');"
    /* The periods that ended with a move; the current residence is in the resident row
     * (residence_from NULL falls back to the record date, as for 1, 3, 4 and 5). */
    "INSERT INTO residence (resident_id, ou_id, from_date, to_date) VALUES"
    " (2, 5, '2000-01-01', '2024-06-30'),"
    " (8, 5, '2010-01-01', '2024-03-31');"
    "UPDATE resident SET residence_from = '2024-07-01' WHERE id = 2;"
    "UPDATE resident SET residence_from = '2019-05-05' WHERE id = 7;"
    "UPDATE resident SET residence_from = '2024-04-01' WHERE id = 8;"
    "INSERT INTO contract (resident_id, team_id, package, from_date, to_date, status,"
    " ended_date, updated_at) VALUES"
    " (1, 1, 'basic', '2023-01-01', '2023-12-31', 'renewed', NULL, 't'),"
    " (1, 1, 'elderly', '2024-01-01', '2024-12-31', 'active', NULL, 't'),"
    " (2, 1, 'basic', '2024-01-01', '2024-12-31', 'terminated', '2024-05-01', 't'),"
    " (2, 2, 'basic', '2024-06-01', '2025-05-31', 'terminated', '2024-06-01', 't');";

static int region(struct fixture *f, const char *name)
{
    if (fixture_open(f, name) != 0)
        return -1;
    return exec(f->db, region_sql) == SQLITE_OK ? 0 : -1;
}

/* A resident's spans, sorted (kind, from, to, value), into out (cap 16); the count. */
static size_t spans_of(struct pidx *x, uint32_t id, struct pidx_resident *r,
                       struct pidx_span *out)
{
    size_t n = 0;
    if (!pidx_resident_get(x, id, r, out, 16, &n))
        return (size_t)-1;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            struct pidx_span *a = &out[j - 1], *b = &out[j];
            bool swap = a->kind != b->kind ? a->kind > b->kind
                        : a->from != b->from ? a->from > b->from
                                             : a->value > b->value;
            if (!swap)
                break;
            struct pidx_span t = *a;
            *a = *b;
            *b = t;
        }
    return n;
}

#define CHECK_SPAN(s, k, f, t, v)                 \
    do {                                          \
        CHECK_INT((s).kind, k);                   \
        CHECK_INT((s).from, day(f));              \
        CHECK_INT((s).to, (t) ? day(t) : PIDX_OPEN); \
        CHECK_INT((s).value, v);                  \
    } while (0)

TEST(load_registry_arrays)
{
    struct fixture f;
    struct yl_err err = {0};
    CHECK(region(&f, "registry.db") == 0);
    struct pidx *x = pidx_new();
    CHECK_INT(pidx_load(x, f.store, &err), 0);
    struct pidx_view v;
    pidx_read_lock(x);
    pidx_view(x, &v);
    pidx_read_unlock(x);
    CHECK_INT(v.n_ous, 7);
    CHECK(!v.ous[0].present);
    CHECK_STR(v.ous[3].code, "222404");
    CHECK_INT(v.ous[3].level, 3);
    CHECK_INT(v.ous[3].parent, 2);
    CHECK_INT(v.ous[1].parent, PIDX_NONE);
    CHECK(fabs(v.ous[3].lat - 42.86) < 1e-9 && fabs(v.ous[3].lon - 130.36) < 1e-9);
    CHECK(isnan(v.ous[6].lat) && isnan(v.ous[6].lon));
    /* Population: two (unit, year) entries for unit 5's one year and unit 6's. */
    CHECK_INT(v.n_population, 2);
    CHECK_INT(v.population[0].ou, 5);
    CHECK_INT(v.population[0].year, 2024);
    CHECK_INT(v.population[0].counts[0][0], 10);
    CHECK_INT(v.population[0].counts[1][18], 3);
    CHECK_INT(v.population[1].counts[0][5], 7);
    /* Facilities: codes to enums, lists to bitmasks, the schema default grade. */
    CHECK_INT(v.n_facilities, 4);
    CHECK_INT(v.facilities[1].type, FT_COUNTY_HOSPITAL);
    CHECK_INT(v.facilities[1].grade, GRADE_2A);
    CHECK_INT(v.facilities[1].services,
              (1u << SVC_PEDIATRICS) | (1u << SVC_DIALYSIS) | (1u << SVC_MENTAL_HEALTH));
    CHECK_INT(v.facilities[1].centers, (1u << CTR_CHEST_PAIN) | (1u << CTR_STROKE));
    CHECK_INT(v.facilities[1].beds, 500);
    CHECK_INT(v.facilities[1].icu_beds, 20);
    CHECK_INT(v.facilities[1].ou, 3);
    CHECK_INT(v.facilities[2].ownership, OWN_PRIVATE);
    CHECK_INT(v.facilities[2].status, FSTAT_CLOSED);
    CHECK_INT(v.facilities[2].infant_care_places, 4);
    CHECK_INT(v.facilities[3].grade, GRADE_NONE);
    CHECK_INT(v.facilities[3].services, 0);
    /* Staff and teams. */
    CHECK_INT(v.staff[1].role, SROLE_LICENSED_PHYSICIAN);
    CHECK_INT(v.staff[1].education, EDU_BACHELOR);
    CHECK_INT(v.staff[2].education, EDU_COUNT);
    CHECK_INT(v.staff[3].status, SSTAT_LEFT);
    CHECK_INT(v.staff[3].facility, 1);
    CHECK_INT(v.teams[1].facility, 3);
    CHECK_INT(v.teams[1].capacity, 600);
    CHECK_INT(v.teams[2].status, TSTAT_DISBANDED);
    CHECK_INT(pidx_ou_find(x, "222404100002"), 6);
    CHECK_INT(pidx_ou_find(x, "222404100003"), PIDX_NONE);
    CHECK(pidx_ou_in_subtree(x, 5, 3));
    CHECK(pidx_ou_in_subtree(x, 5, 5));
    CHECK(!pidx_ou_in_subtree(x, 5, 6));
    CHECK(!pidx_ou_in_subtree(x, 3, 5));
    pidx_free(x);
    fixture_close(&f);
}

TEST(load_residents_and_spans)
{
    struct fixture f;
    struct yl_err err = {0};
    CHECK(region(&f, "residents.db") == 0);
    struct pidx *x = pidx_new();
    CHECK_INT(pidx_load(x, f.store, &err), 0);
    CHECK_INT(pidx_resident_count(x), 7);
    struct pidx_resident r;
    struct pidx_span s[16];

    /* 1: two tags (one closed) and two contracts, no residence rows. */
    CHECK_INT(spans_of(x, 1, &r, s), 4);
    CHECK_INT(r.ou, 5);
    CHECK_INT(r.sex, 1);
    CHECK_INT(r.birth, day("1950-06-15"));
    CHECK_INT(r.record_date, day("2010-01-01"));
    CHECK_INT(r.end_date, PIDX_OPEN);
    CHECK_INT(r.residence_from, day("2010-01-01"));
    CHECK_INT(r.status, RSTAT_ACTIVE);
    CHECK_SPAN(s[0], PIDX_SPAN_TAG, "2015-03-01", NULL, TAG_HYPERTENSION);
    CHECK_SPAN(s[1], PIDX_SPAN_TAG, "2018-01-01", "2020-12-31", TAG_DIABETES);
    CHECK_SPAN(s[2], PIDX_SPAN_CONTRACT, "2023-01-01", "2023-12-31", 1);
    CHECK_SPAN(s[3], PIDX_SPAN_CONTRACT, "2024-01-01", "2024-12-31", 1);

    /* 2: moved from village 5 to 6 on 2024-07-01; a terminated contract cut to the day
     * before its end, another terminated on its first day gives no span at all. */
    CHECK_INT(spans_of(x, 2, &r, s), 2);
    CHECK_INT(r.ou, 6);
    CHECK_INT(r.residence_from, day("2024-07-01"));
    CHECK_SPAN(s[0], PIDX_SPAN_CONTRACT, "2024-01-01", "2024-04-30", 1);
    CHECK_SPAN(s[1], PIDX_SPAN_RESIDENCE, "2000-01-01", "2024-06-30", 5);

    /* 3: an infant who died: the death date ends the population. */
    CHECK_INT(spans_of(x, 3, &r, s), 0);
    CHECK_INT(r.status, RSTAT_DECEASED);
    CHECK_INT(r.end_date, day("2024-09-01"));
    CHECK_INT(r.flags, 0);
    /* 4: moved out; 5: a maternal death. */
    CHECK_INT(spans_of(x, 4, &r, s), 0);
    CHECK_INT(r.status, RSTAT_MOVED_OUT);
    CHECK_INT(r.end_date, day("2023-05-05"));
    CHECK_INT(spans_of(x, 5, &r, s), 1);
    CHECK_INT(r.flags, PIDX_F_MATERNAL_DEATH);
    CHECK_SPAN(s[0], PIDX_SPAN_TAG, "2023-08-01", "2024-03-03", TAG_PREGNANT);
    /* 6 was never written; 7's residence began before its record. */
    CHECK(!pidx_resident_get(x, 6, &r, s, 16, &(size_t){0}));
    CHECK_INT(spans_of(x, 7, &r, s), 0);
    CHECK_INT(r.residence_from, day("2019-05-05"));

    /* 8 moved from village 5 to 6, then died: the last residence began with the move and
     * the death ends it. */
    CHECK_INT(spans_of(x, 8, &r, s), 1);
    CHECK_INT(r.residence_from, day("2024-04-01"));
    CHECK_INT(r.end_date, day("2024-09-01"));

    /* Where residents were, day by day. */
    struct pidx_view v;
    pidx_read_lock(x);
    pidx_view(x, &v);
    CHECK_INT(pidx_resident_ou_at(&v, 2, day("2024-03-01")), 5);
    CHECK_INT(pidx_resident_ou_at(&v, 2, day("2024-06-30")), 5);
    CHECK_INT(pidx_resident_ou_at(&v, 2, day("2024-07-01")), 6);
    CHECK_INT(pidx_resident_ou_at(&v, 2, day("2011-03-03")), PIDX_NONE);
    CHECK_INT(pidx_resident_ou_at(&v, 3, day("2024-08-31")), 5);
    CHECK_INT(pidx_resident_ou_at(&v, 3, day("2024-09-01")), PIDX_NONE);
    CHECK_INT(pidx_resident_ou_at(&v, 4, day("2023-05-04")), 6);
    CHECK_INT(pidx_resident_ou_at(&v, 4, day("2023-05-05")), PIDX_NONE);
    CHECK_INT(pidx_resident_ou_at(&v, 6, day("2024-01-01")), PIDX_NONE);
    CHECK_INT(pidx_resident_ou_at(&v, 8, day("2024-02-01")), 5);
    CHECK_INT(pidx_resident_ou_at(&v, 8, day("2024-05-01")), 6);
    CHECK_INT(pidx_resident_ou_at(&v, 8, day("2024-09-01")), PIDX_NONE);
    const struct pidx_resident *r8 = &v.residents[8];
    CHECK_INT(pidx_residence_at(r8, &v.spans[r8->span_first], day("2024-09-01")), 6);
    /* Before the first residence row: the first residence. */
    const struct pidx_resident *r2 = &v.residents[2];
    CHECK_INT(pidx_residence_at(r2, &v.spans[r2->span_first], day("1990-02-28")), 5);
    pidx_read_unlock(x);
    CHECK_INT(pidx_resident_team(x, 1, day("2024-06-01")), 1);
    CHECK_INT(pidx_resident_team(x, 1, day("2022-06-01")), PIDX_NONE);
    CHECK_INT(pidx_resident_team(x, 2, day("2024-05-01")), PIDX_NONE);
    CHECK_INT(pidx_resident_team(x, 2, day("2024-04-30")), 1);
    pidx_free(x);
    fixture_close(&f);
}

TEST(refresh_follows_the_store)
{
    struct fixture f;
    struct yl_err err = {0};
    CHECK(region(&f, "refresh.db") == 0);
    struct pidx *x = pidx_new();
    CHECK_INT(pidx_load(x, f.store, &err), 0);
    /* Resident 1 moves to village 6 on 2025-02-01 and gets a tag; resident 7 goes. */
    CHECK_INT(exec(f.db, "UPDATE resident SET ou_id = 6, residence_from = '2025-02-01'"
                         " WHERE id = 1;"
                         "INSERT INTO residence (resident_id, ou_id, from_date, to_date) VALUES"
                         " (1, 5, '2010-01-01', '2025-01-31');"
                         "INSERT INTO resident_tag (resident_id, tag, from_date) VALUES"
                         " (1, 'disabled', '2025-02-02');"
                         "DELETE FROM residence WHERE resident_id = 7;"
                         "DELETE FROM resident WHERE id = 7;"),
              SQLITE_OK);
    struct store_conn *c = store_acquire(f.store);
    CHECK_INT(pidx_resident_refresh(x, c, 1, &err), 0);
    CHECK_INT(pidx_resident_refresh(x, c, 7, &err), 0);
    struct pidx_resident r;
    struct pidx_span s[16];
    size_t n = spans_of(x, 1, &r, s);
    CHECK_INT(n, 6);
    CHECK_INT(r.ou, 6);
    CHECK_INT(r.residence_from, day("2025-02-01"));
    CHECK_SPAN(s[2], PIDX_SPAN_TAG, "2025-02-02", NULL, TAG_DISABLED);
    CHECK_SPAN(s[5], PIDX_SPAN_RESIDENCE, "2010-01-01", "2025-01-31", 5);
    CHECK(!pidx_resident_get(x, 7, &r, s, 16, &n));
    CHECK_INT(pidx_resident_count(x), 6);
    /* The refreshed index is what a fresh load gives, and every one-by-one read agrees. */
    struct pidx *fresh = pidx_new();
    long differences = -1, checked = 0;
    CHECK_INT(pidx_load(fresh, f.store, &err), 0);
    CHECK_INT(pidx_compare(x, fresh, &differences, &err), 0);
    CHECK_INT(differences, 0);
    CHECK_INT(pidx_check_residents(x, c, &checked, &differences, &err), 0);
    CHECK_INT(checked, 8);
    CHECK_INT(differences, 0);
    store_release(c);
    pidx_free(fresh);
    pidx_free(x);
    fixture_close(&f);
}

TEST(compare_finds_differences)
{
    struct fixture f;
    struct yl_err err = {0};
    CHECK(region(&f, "compare.db") == 0);
    struct pidx *a = pidx_new(), *b = pidx_new();
    CHECK_INT(pidx_load(a, f.store, &err), 0);
    CHECK_INT(pidx_load(b, f.store, &err), 0);
    long differences = -1;
    CHECK_INT(pidx_compare(a, b, &differences, &err), 0);
    CHECK_INT(differences, 0);

    /* The same spans in another order are the same resident. */
    struct pidx_resident r;
    struct pidx_span s[16], rev[16];
    size_t n = spans_of(a, 1, &r, s);
    for (size_t i = 0; i < n; i++)
        rev[i] = s[n - 1 - i];
    pidx_resident_put(b, 1, &r, rev, n);
    CHECK_INT(pidx_compare(a, b, &differences, &err), 0);

    /* A contract that ends a day later is a difference, named by resident. */
    for (size_t i = 0; i < n; i++)
        if (rev[i].kind == PIDX_SPAN_CONTRACT && rev[i].to == day("2024-12-31"))
            rev[i].to++;
    pidx_resident_put(b, 1, &r, rev, n);
    CHECK_INT(pidx_compare(a, b, &differences, &err), YL_ESTORE);
    CHECK_INT(differences, 1);
    CHECK_CONTAINS(err.message, "resident 1 differs");
    CHECK_CONTAINS(err.message, "contracts");

    /* And a facility's beds, counted too; the first difference is still reported. */
    struct pidx_view v;
    pidx_read_lock(b);
    pidx_view(b, &v);
    struct pidx_facility fac = v.facilities[1];
    pidx_read_unlock(b);
    fac.beds = 501;
    pidx_facility_put(b, 1, &fac);
    yl_err_clear(&err);
    CHECK_INT(pidx_compare(a, b, &differences, &err), YL_ESTORE);
    CHECK_INT(differences, 2);
    CHECK_CONTAINS(err.message, "facility 1 differs (beds");

    /* A resident only one index has. */
    struct pidx_resident extra = r;
    pidx_resident_put(a, 40, &extra, NULL, 0);
    yl_err_clear(&err);
    CHECK_INT(pidx_compare(a, b, &differences, &err), YL_ESTORE);
    CHECK_INT(differences, 3);
    pidx_free(a);
    pidx_free(b);
    fixture_close(&f);
}

TEST(failed_load_changes_nothing)
{
    struct fixture f;
    struct yl_err err = {0};
    CHECK(region(&f, "badload.db") == 0);
    struct pidx *x = pidx_new();
    CHECK_INT(pidx_load(x, f.store, &err), 0);
    CHECK_INT(exec(f.db, "UPDATE facility SET services = 'pediatrics telepathy' WHERE id = 3"),
              SQLITE_OK);
    CHECK_INT(pidx_load(x, f.store, &err), YL_ESTORE);
    CHECK_CONTAINS(err.message, "facility 3");
    CHECK_CONTAINS(err.message, "unknown service");
    CHECK_INT(pidx_resident_count(x), 7);
    CHECK_INT(pidx_ou_find(x, "222404"), 3);
    /* A malformed date names the resident and the column, never the value. */
    CHECK_INT(exec(f.db, "UPDATE facility SET services = '' WHERE id = 3;"
                         "UPDATE resident SET birth_date = '1950-02-30' WHERE id = 4"),
              SQLITE_OK);
    yl_err_clear(&err);
    CHECK_INT(pidx_load(x, f.store, &err), YL_ESTORE);
    CHECK_CONTAINS(err.message, "resident 4");
    CHECK_CONTAINS(err.message, "birth_date");
    CHECK(strstr(err.message, "1950") == NULL);
    pidx_free(x);
    fixture_close(&f);
}

/* Synthetic residents: `i` picks a realistic mix of spans. */
static size_t synthetic(uint32_t i, struct pidx_resident *r, struct pidx_span *s)
{
    memset(r, 0, sizeof(*r));
    r->ou = 5 + i % 2;
    r->birth = day("1940-01-01") + (int32_t)(i * 7919u % 30000u);
    r->record_date = day("2010-01-01") + (int32_t)(i % 3000);
    r->end_date = PIDX_OPEN;
    r->residence_from = r->record_date;
    r->sex = (uint8_t)(1 + i % 2);
    size_t n = 0;
    if (i % 10 < 6)     /* 60% signed */
        s[n++] = (struct pidx_span){day("2024-01-01"), day("2024-12-31"), 1 + i % 3,
                                    PIDX_SPAN_CONTRACT, {0}};
    if (i % 10 < 3)     /* 30% with a tag */
        s[n++] = (struct pidx_span){day("2019-01-01"), PIDX_OPEN, i % TAG_COUNT, PIDX_SPAN_TAG,
                                    {0}};
    if (i % 20 == 0)    /* 5% moved once */
        s[n++] = (struct pidx_span){day("2000-01-01"), day("2019-12-31"), 6, PIDX_SPAN_RESIDENCE,
                                    {0}};
    return n;
}

TEST(memory_under_100_bytes_per_resident)
{
    struct pidx *x = pidx_new();
    struct pidx_resident r;
    struct pidx_span s[4];
    for (uint32_t i = 1; i <= 100000; i++) {
        size_t n = synthetic(i, &r, s);
        pidx_resident_put(x, i, &r, s, n);
    }
    CHECK_INT(pidx_resident_count(x), 100000);
    size_t rows = 0, spans = 0;
    size_t total = pidx_memory(x, &rows, &spans);
    /* 32-byte rows plus 0.95 spans of 16 bytes on average, and growth headroom. */
    printf("    %zu bytes for 100000 residents: %.1f bytes/resident (rows %zu, spans %zu)\n",
           total, (double)total / 100000.0, rows, spans);
    CHECK(total / 100000 < 100);
    CHECK(rows >= 100000 * sizeof(struct pidx_resident));
    pidx_free(x);
}

TEST(span_pool_rewrites_and_compacts)
{
    struct pidx *x = pidx_new();
    struct pidx_resident r;
    struct pidx_span s[8];
    enum { N = 20000 };
    /* Each round gives every resident one span more than before, so every put moves its
     * run to the end of the pool; dead runs pile up until compaction reclaims them. */
    size_t high_water = 0;
    for (int round = 1; round <= 6; round++) {
        for (uint32_t i = 1; i <= N; i++) {
            synthetic(i, &r, s);
            for (int k = 0; k < round; k++)
                s[k] = (struct pidx_span){k * 10, k * 10 + (int32_t)i, i + (uint32_t)k,
                                          PIDX_SPAN_TAG, {0}};
            pidx_resident_put(x, i, &r, s, (size_t)round);
        }
        size_t spans = 0;
        pidx_memory(x, NULL, &spans);
        high_water = spans > high_water ? spans : high_water;
    }
    /* Live spans: 6 per resident. Without compaction the pool would hold 1+2+…+6 = 21. */
    CHECK(high_water < (size_t)N * 14 * sizeof(struct pidx_span));
    for (uint32_t i = 1; i <= N; i += 997) {
        size_t n = 0;
        CHECK(pidx_resident_get(x, i, &r, s, 8, &n));
        CHECK_INT(n, 6);
        for (int k = 0; k < 6; k++) {
            CHECK_INT(s[k].from, k * 10);
            CHECK_INT(s[k].to, k * 10 + (int32_t)i);
            CHECK_INT(s[k].value, i + (uint32_t)k);
        }
    }
    /* Shrinking in place, and taking a resident out. */
    pidx_resident_put(x, 5, &r, s, 2);
    struct pidx_resident gone = {.ou = PIDX_NONE};
    pidx_resident_put(x, 6, &gone, NULL, 0);
    size_t n = 0;
    CHECK(pidx_resident_get(x, 5, &r, s, 8, &n));
    CHECK_INT(n, 2);
    CHECK(!pidx_resident_get(x, 6, &r, s, 8, &n));
    CHECK_INT(pidx_resident_count(x), N - 1);
    pidx_free(x);
}

/* Readers walk the arrays under the read lock while a writer rewrites spans (moving runs,
 * compacting the pool) and swaps in a whole load: under ASan a reader that saw freed memory
 * would stop the test; the invariants below catch a torn view. */
struct race {
    struct pidx *x;
    struct store *store;
    int rounds_done;
    long bad;
};

static void *race_writer(void *arg)
{
    struct race *r = arg;
    struct pidx_resident row;
    struct pidx_span s[8];
    for (int round = 0; round < 8; round++) {
        for (uint32_t i = 1; i <= 5000; i++) {
            synthetic(i, &row, s);
            size_t n = (size_t)(1 + (i + (uint32_t)round) % 8);
            for (size_t k = 0; k < n; k++)
                s[k] = (struct pidx_span){(int32_t)k, (int32_t)k + 1, i, PIDX_SPAN_TAG, {0}};
            pidx_resident_put(r->x, i, &row, s, n);
        }
        if (round == 4) {
            struct yl_err err = {0};
            if (pidx_load(r->x, r->store, &err) != 0)
                r->bad++;
        }
    }
    __atomic_store_n(&r->rounds_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

TEST(readers_and_writers_share_the_index)
{
    struct fixture f;
    CHECK(region(&f, "race.db") == 0);
    struct race r = {.x = pidx_new(), .store = f.store};
    pthread_t writer;
    CHECK_INT(pthread_create(&writer, NULL, race_writer, &r), 0);
    long passes = 0;
    while (!__atomic_load_n(&r.rounds_done, __ATOMIC_ACQUIRE) || passes < 3) {
        struct pidx_view v;
        pidx_read_lock(r.x);
        pidx_view(r.x, &v);
        for (size_t i = 1; i < v.n_residents; i++) {
            const struct pidx_resident *row = &v.residents[i];
            for (uint32_t k = 0; row->ou != PIDX_NONE && k < row->span_count; k++) {
                const struct pidx_span *s = &v.spans[row->span_first + k];
                /* Synthetic runs hold tags naming their resident; the loaded region has
                 * its own spans, all of a known kind. */
                if (s->kind < PIDX_SPAN_TAG || s->kind > PIDX_SPAN_RESIDENCE ||
                    (v.n_residents > 100 && s->value != i))
                    r.bad++;
            }
        }
        pidx_read_unlock(r.x);
        passes++;
    }
    pthread_join(writer, NULL);
    CHECK_INT(r.bad, 0);
    CHECK(passes >= 3);
    pidx_free(r.x);
    fixture_close(&f);
}

TEST_MAIN()
