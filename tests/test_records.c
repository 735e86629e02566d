/*
 * test_records.c - health records: each validation refused with its field, uniqueness with
 * the existing id, residence history, death and moving out, tags over periods, scope and
 * masking by role, search sets, read audits, and the CSV import (bad rows by line, a no-op
 * re-run). Fixtures go straight into the migrated database with the SQLite C API, so these
 * tests depend on no other domain module.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "records/records.h"
#include "pindex/pindex.h"
#include "store/store.h"
#include "store/store_int.h"
#include "support.h"
#include "test.h"
#include "vocab/vocab.h"

/* ------------------------------------------------------------------ fixtures */

static const char *const fixture_sql =
    "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
    " (1, '22', 'Jilin', 1, NULL, 't'), (2, '2224', 'Yanbian', 2, 1, 't'),"
    " (3, '222404', 'Hunchun', 3, 2, 't'),"
    " (4, '222404001', 'T1', 4, 3, 't'), (5, '222404002', 'T2', 4, 3, 't'),"
    " (6, '222404003', 'T3', 4, 3, 't'), (7, '222404004', 'T4', 4, 3, 't'),"
    " (8, '222404005', 'T5', 4, 3, 't'),"
    " (11, '222404001001', 'V11', 5, 4, 't'), (12, '222404001002', 'V12', 5, 4, 't'),"
    " (21, '222404002001', 'V21', 5, 5, 't'), (22, '222404002002', 'V22', 5, 5, 't'),"
    " (31, '222404003001', 'V31', 5, 6, 't'), (41, '222404004001', 'V41', 5, 7, 't'),"
    " (42, '222404004002', 'V42', 5, 7, 't'), (51, '222404005001', 'V51', 5, 8, 't');"
    "INSERT INTO facility (id, code, name, type, ou_id, updated_at)"
    " VALUES (1, 'F1', 'Township center', 'township_center', 4, 't');"
    "INSERT INTO team (id, code, name, facility_id, updated_at) VALUES"
    " (1, 'T01', 'Team one', 1, 't'), (2, 'T02', 'Team two', 1, 't');";

static int db_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        char *msg = NULL;
        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK)
            fprintf(stderr, "    fixture: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
    }
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

/* The first column of the first row as text (into out), "" when none. */
static const char *db_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static long long db_int(const char *path, const char *sql)
{
    char text[64];
    return strtoll(db_text(path, sql, text, sizeof(text)), NULL, 10);
}

/* A contract of `team` covering today. */
static int contract_add(const char *path, int64_t resident, int team)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN], sql[512];
    date_format(date_add_days(date_today(), -30), from);
    date_format(date_add_days(date_today(), 300), to);
    snprintf(sql, sizeof(sql),
             "INSERT INTO contract (resident_id, team_id, package, from_date, to_date, status,"
             " updated_at) VALUES (%lld, %d, 'basic', '%s', '%s', 'active', 't')",
             (long long)resident, team, from, to);
    return db_exec(path, sql);
}

/* A valid 18-character ID number: region, birth date YYYYMMDD, sequence (odd = male). */
static const char *idno(const char *birth8, int seq)
{
    static char out[32][IDNO_LEN + 1];
    static int next;
    char *p = out[next++ % 32];
    char body[18];
    snprintf(body, sizeof(body), "222404%s%03d", birth8, seq % 1000);
    memcpy(p, body, 17);
    p[17] = idno_check_char(body);
    p[18] = '\0';
    return p;
}

static const char *day_text(int offset_days)
{
    static char out[4][DATE_STR_LEN];
    static int next;
    return date_format(date_add_days(date_today(), offset_days), out[next++ % 4]);
}

/* A library-level store with the fixtures, for the tests that need no server. */
struct lib {
    struct store *store;
    char path[512];
};

static int lib_open(struct lib *l)
{
    static int counter;
    struct yl_err err = {0};
    snprintf(l->path, sizeof(l->path), "%s/records-%d.db", ts_tmpdir(), counter++);
    if (store_open(l->path, NULL, &l->store, &err) != 0 ||
        store_migrate(l->store, NULL, &err) != 0) {
        fprintf(stderr, "    store: %s\n", yl_err_message(&err));
        return -1;
    }
    return db_exec(l->path, fixture_sql);
}

static const struct audit_actor tester = {0, "tester", "admin", "test"};

static int create(struct lib *l, const char *number, const char *name, const char *ou,
                  const char *record_date, int64_t *id, struct yl_err *err)
{
    struct rec_resident_input in = {
        .id_number = number, .name = name, .ou_code = ou, .record_date = record_date};
    return rec_resident_create(l->store, NULL, &tester, &in, id, err);
}

static struct acct_principal principal(enum acct_role role, enum acct_scope_kind kind,
                                       const char *ref)
{
    struct acct_principal p = {.user_id = 9, .role = role};
    snprintf(p.username, sizeof(p.username), "p%d", (int)role);
    p.scope.kind = kind;
    snprintf(p.scope.ref, sizeof(p.scope.ref), "%s", ref);
    return p;
}

/* ------------------------------------------------------------------ validation */

/* Create one record with a single field changed from a valid baseline; return the code and
 * the field of the refusal. */
static int try_create(struct lib *l, const struct rec_resident_input *in, char *field)
{
    struct yl_err err = {0};
    int64_t id;
    int rc = rec_resident_create(l->store, NULL, &tester, in, &id, &err);
    snprintf(field, YL_ERR_FIELD_MAX, "%s", err.field);
    return rc;
}

TEST(create_refuses_each_bad_field_naming_it)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    char field[YL_ERR_FIELD_MAX];
    const char *good = idno("19800101", 1);
    struct rec_resident_input base = {.id_number = good, .name = "王芳",
                                      .ou_code = "222404001001", .record_date = "2020-01-01"};
    struct rec_resident_input in;

    char bad_check[IDNO_LEN + 1];
    memcpy(bad_check, good, sizeof(bad_check));
    bad_check[17] = bad_check[17] == '1' ? '2' : '1';
    in = base, in.id_number = bad_check;
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "id_number");

    in = base, in.birth_date = "1980-01-02";
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "birth_date");

    in = base, in.sex = 2;       /* sequence 001 is odd: a man */
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "sex");

    in = base, in.ou_code = "222404009009";
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "ou_code");

    in = base, in.ou_code = "222404001";     /* a township, not a village */
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "ou_code");

    static const char *const bad_phones[] = {"12812345678", "1381234567", "0433-12345",
                                             "433-1234567", "138 1234 5678"};
    for (size_t i = 0; i < sizeof(bad_phones) / sizeof(bad_phones[0]); i++) {
        in = base, in.phone = bad_phones[i];
        CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
        CHECK_STR(field, "phone");
    }

    in = base, in.record_date = day_text(1);
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "record_date");

    in = base, in.record_date = "1979-12-31";
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "record_date");

    in = base, in.name = "王\x01芳";
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "name");

    in = base, in.name = "";
    CHECK_INT(try_create(&l, &in, field), YL_EINVAL);
    CHECK_STR(field, "name");

    /* Nothing refused was written. */
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident"), 0);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM residence"), 0);

    /* The baseline itself is good, with a landline and the omitted sex/birth derived. */
    in = base, in.phone = "0433-7512345";
    CHECK_INT(try_create(&l, &in, field), 0);
    char text[64];
    CHECK_STR(db_text(l.path, "SELECT sex || ' ' || birth_date || ' ' || phone FROM resident",
                      text, sizeof(text)),
              "1 1980-01-01 0433-7512345");
    store_close(l.store);
}

TEST(legacy_15_digit_number_is_stored_as_18)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    struct yl_err err = {0};
    int64_t id;
    CHECK_INT(create(&l, "222404800101003", "李明", "222404001001", "2020-01-01", &id, &err), 0);
    char text[32];
    CHECK_STR(db_text(l.path, "SELECT id_number FROM resident", text, sizeof(text)),
              idno("19800101", 3));
    /* The same person under the other form is the same record. */
    struct yl_err dup = {0};
    CHECK_INT(create(&l, idno("19800101", 3), "李明", "222404001001", NULL, &id, &dup),
              YL_ECONFLICT);
    store_close(l.store);
}

TEST(duplicate_id_number_names_the_existing_record)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    struct yl_err err = {0};
    int64_t first = 0, second = 0;
    CHECK_INT(create(&l, idno("19800101", 3), "李明", "222404001001", NULL, &first, &err), 0);
    CHECK_INT(create(&l, idno("19800101", 5), "赵六", "222404001001", NULL, &second, &err), 0);
    struct yl_err dup = {0};
    int64_t third = 0;
    CHECK_INT(create(&l, idno("19800101", 3), "别人", "222404001002", NULL, &third, &dup),
              YL_ECONFLICT);
    CHECK_STR(dup.field, "id_number");
    CHECK_INT(dup.existing_id, first);
    CHECK_INT(third, 0);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident"), 2);
    store_close(l.store);
}

/* ------------------------------------------------------------------ history */

TEST(move_keeps_residence_history_and_refuses_rewrites)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    struct yl_err err = {0};
    int64_t id;
    CHECK_INT(create(&l, idno("19700505", 11), "周强", "222404001001", "2020-01-01", &id, &err),
              0);
    CHECK_INT(rec_resident_move(l.store, NULL, &tester, id, "222404002001", "2023-05-01", &err),
              0);
    char text[256];
    /* The period that ended is a residence row; the current one is the resident row. */
    CHECK_STR(db_text(l.path,
                      "SELECT group_concat(o.code || ':' || s.from_date || ':' || s.to_date,"
                      " ' ') FROM (SELECT * FROM residence ORDER BY id) s"
                      " JOIN ou o ON o.id = s.ou_id",
                      text, sizeof(text)),
              "222404001001:2020-01-01:2023-04-30");
    CHECK_STR(db_text(l.path, "SELECT ou_id || ':' || residence_from FROM resident", text,
                      sizeof(text)),
              "21:2023-05-01");

    struct {
        const char *ou, *date, *field;
    } refused[] = {
        {"222404001001", "2023-05-01", "date"},  /* the day the current residence began */
        {"222404001001", "2022-01-01", "date"},  /* before it: would rewrite history */
        {"222404002001", "2024-01-01", "ou_code"},   /* where they already live */
        {"222404002", "2024-01-01", "ou_code"},      /* a township */
        {"222404001001", NULL, "date"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct yl_err e = {0};
        CHECK_INT(rec_resident_move(l.store, NULL, &tester, id, refused[i].ou, refused[i].date,
                                    &e),
                  YL_EINVAL);
        CHECK_STR(e.field, refused[i].field);
    }
    struct yl_err e = {0};
    CHECK_INT(rec_resident_move(l.store, NULL, &tester, id, "222404001001", day_text(1), &e),
              YL_EINVAL);
    CHECK_STR(e.field, "date");
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM residence"), 1);
    store_close(l.store);
}

TEST(death_and_moving_out_close_the_residence)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    struct yl_err err = {0};
    int64_t man, woman, old_woman, mover;
    CHECK_INT(create(&l, idno("19500303", 21), "孙刚", "222404001001", "2015-01-01", &man, &err),
              0);
    CHECK_INT(create(&l, idno("19900404", 22), "钱丽", "222404001001", "2015-01-01", &woman,
                     &err), 0);
    CHECK_INT(create(&l, idno("19400404", 24), "吴芳", "222404001001", "2015-01-01", &old_woman,
                     &err), 0);
    CHECK_INT(create(&l, idno("19850606", 25), "郑云", "222404001001", "2015-01-01", &mover,
                     &err), 0);

    struct {
        int64_t id;
        const char *date, *cause;
        int maternal;
        const char *field;
    } refused[] = {
        {man, "2023-02-01", "I2", 0, "cause"},
        {man, "2023-02-01", "i21.9", 0, "cause"},
        {man, "2023-02-01", "I21.", 0, "cause"},
        {man, "2023-02-01", "I21.12345", 0, "cause"},
        {man, "2023-02-01", "I21.9", 1, "maternal_death"},       /* a man */
        {old_woman, "2023-02-01", "O72.1", 1, "maternal_death"}, /* aged 82 */
        {man, "1949-01-01", "I21.9", 0, "date"},                  /* before birth */
        {man, "2014-12-31", "I21.9", 0, "date"},          /* before the residence began */
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct yl_err e = {0};
        CHECK_INT(rec_resident_death(l.store, NULL, &tester, refused[i].id, refused[i].date,
                                     refused[i].cause, refused[i].maternal, &e),
                  YL_EINVAL);
        CHECK_STR(e.field, refused[i].field);
    }
    CHECK_INT(rec_resident_death(l.store, NULL, &tester, man, "2023-02-01", "C34", 0, &err), 0);
    CHECK_INT(rec_resident_death(l.store, NULL, &tester, woman, "2023-03-01", "O72.1", 1, &err),
              0);
    CHECK_INT(rec_resident_move_out(l.store, NULL, &tester, mover, "2022-07-01", &err), 0);
    char text[256];
    CHECK_STR(db_text(l.path,
                      "SELECT group_concat(status || ':' || COALESCE(status_date, '') || ':' ||"
                      " death_cause ||"
                      " ':' || maternal_death, ' ') FROM (SELECT * FROM resident ORDER BY id)",
                      text, sizeof(text)),
              "deceased:2023-02-01:C34:0 deceased:2023-03-01:O72.1:1 active:::0 "
              "moved_out:2022-07-01::0");
    /* Leaving ends the current residence by the status date: no residence row is written,
     * and the residence began when the record was opened. */
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM residence"), 0);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident WHERE residence_from = record_date"),
              4);
    /* What has left the population stays left: no second death, no move. */
    struct yl_err e = {0};
    CHECK_INT(rec_resident_death(l.store, NULL, &tester, man, "2023-02-02", "C34", 0, &e),
              YL_ECONFLICT);
    struct yl_err e2 = {0};
    CHECK_INT(rec_resident_move(l.store, NULL, &tester, mover, "222404002001", "2023-01-01",
                                &e2),
              YL_ECONFLICT);
    store_close(l.store);
}

TEST(tags_are_periods_that_do_not_overlap)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    struct yl_err err = {0};
    int64_t man, woman, tag1 = 0, tag2 = 0;
    CHECK_INT(create(&l, idno("19600101", 31), "冯军", "222404001001", "2015-01-01", &man, &err),
              0);
    CHECK_INT(create(&l, idno("19950101", 32), "陈静", "222404001001", "2015-01-01", &woman,
                     &err), 0);
    struct rec_tag_input ht = {.tag = "hypertension", .from = "2020-01-01"};
    CHECK_INT(rec_tag_add(l.store, NULL, &tester, man, &ht, &tag1, &err), 0);
    struct {
        int64_t id;
        struct rec_tag_input in;
        const char *field;
    } refused[] = {
        {man, {"hypertension", "2021-01-01", NULL, NULL}, "from"},     /* inside the open span */
        {man, {"hypertension", "2019-01-01", "2020-01-01", NULL}, "from"}, /* touches it */
        {man, {"pregnant", "2023-01-01", NULL, "2023-09-01"}, "tag"},   /* a man */
        {woman, {"pregnant", "2023-01-01", NULL, NULL}, "expected_delivery"},
        {woman, {"pregnant", "2023-01-01", NULL, "2024-06-01"}, "expected_delivery"},
        {man, {"diabetes", "2023-01-01", NULL, "2023-09-01"}, "expected_delivery"},
        {man, {"diabetes", "2023-01-01", "2022-01-01", NULL}, "to"},
        {man, {"cancer", "2023-01-01", NULL, NULL}, "tag"},
        {man, {"diabetes", "1959-12-31", NULL, NULL}, "from"},
        {man, {"diabetes", NULL, NULL, NULL}, "from"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct yl_err e = {0};
        CHECK_INT(rec_tag_add(l.store, NULL, &tester, refused[i].id, &refused[i].in, NULL, &e),
                  YL_EINVAL);
        CHECK_STR(e.field, refused[i].field);
    }
    struct yl_err e = {0};
    struct rec_tag_input future = {.tag = "diabetes", .from = day_text(1)};
    CHECK_INT(rec_tag_add(l.store, NULL, &tester, man, &future, NULL, &e), YL_EINVAL);
    CHECK_STR(e.field, "from");

    /* End the span; a new one may start the day after, not on its last day. */
    CHECK_INT(rec_tag_end(l.store, NULL, &tester, man, tag1, "2021-06-30", &err), 0);
    struct yl_err e2 = {0};
    CHECK_INT(rec_tag_end(l.store, NULL, &tester, man, tag1, "2021-07-30", &e2), YL_EINVAL);
    CHECK_STR(e2.field, "to");
    struct rec_tag_input again = {.tag = "hypertension", .from = "2021-06-30"};
    struct yl_err e3 = {0};
    CHECK_INT(rec_tag_add(l.store, NULL, &tester, man, &again, NULL, &e3), YL_EINVAL);
    CHECK_STR(e3.field, "from");
    again.from = "2021-07-01";
    CHECK_INT(rec_tag_add(l.store, NULL, &tester, man, &again, &tag2, &err), 0);
    struct rec_tag_input preg = {"pregnant", "2023-01-01", NULL, "2023-09-15"};
    CHECK_INT(rec_tag_add(l.store, NULL, &tester, woman, &preg, NULL, &err), 0);
    /* Another resident's tag is not this one's to end. */
    struct yl_err e4 = {0};
    CHECK_INT(rec_tag_end(l.store, NULL, &tester, woman, tag2, "2022-01-01", &e4),
              YL_ENOTFOUND);

    struct arena a = {0};
    struct rec_tag *tags;
    size_t n;
    CHECK_INT(rec_tag_list(l.store, NULL, man, &a, &tags, &n, &err), 0);
    CHECK_INT(n, 2);
    CHECK_INT(tags[0].id, tag1);
    CHECK_INT(tags[0].to, date_from_ymd(2021, 6, 30));
    CHECK_INT(tags[1].to, DATE_INVALID);
    arena_release(&a);
    store_close(l.store);
}

TEST(scope_check_by_role)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    struct yl_err err = {0};
    int64_t here, there;
    CHECK_INT(create(&l, idno("19700101", 41), "甲", "222404001001", NULL, &here, &err), 0);
    CHECK_INT(create(&l, idno("19700101", 43), "乙", "222404002001", NULL, &there, &err), 0);
    CHECK_INT(contract_add(l.path, there, 2), 0);
    struct acct_principal admin = principal(ROLE_ADMIN, SCOPE_REGION, "");
    struct acct_principal village = principal(ROLE_VILLAGE_DOCTOR, SCOPE_OU, "222404001001");
    struct acct_principal township = principal(ROLE_VILLAGE_DOCTOR, SCOPE_OU, "222404002");
    struct acct_principal team1 = principal(ROLE_FAMILY_DOCTOR, SCOPE_TEAM, "1");
    struct acct_principal team2 = principal(ROLE_FAMILY_DOCTOR, SCOPE_TEAM, "2");
    struct acct_principal analyst = principal(ROLE_ANALYST, SCOPE_REGION, "");
    struct acct_principal facility = principal(ROLE_FACILITY_ADMIN, SCOPE_FACILITY, "F1");
    struct {
        const struct acct_principal *who;
        int64_t id;
        int want;
    } cases[] = {
        {&admin, here, 0},          {&admin, there, 0},       {&admin, 999, YL_ENOTFOUND},
        {&village, here, 0},        {&village, there, YL_ENOTFOUND},
        {&township, there, 0},      {&township, here, YL_ENOTFOUND},
        {&team2, there, 0},         {&team1, there, YL_ENOTFOUND},
        {&team1, here, YL_ENOTFOUND}, {&analyst, here, YL_EFORBIDDEN},
        {&facility, here, YL_EFORBIDDEN}, {NULL, there, 0},
    };
    struct store_conn *c = store_acquire(l.store);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct yl_err e = {0};
        int rc = rec_scope_check(c, cases[i].who, cases[i].id, &e);
        if (rc != cases[i].want)
            fprintf(stderr, "    case %zu\n", i);
        CHECK_INT(rc, cases[i].want);
    }
    store_release(c);
    /* A village doctor creates records in their own village only. */
    struct rec_resident_input in = {.id_number = idno("19700101", 45), .name = "丙",
                                    .ou_code = "222404001002"};
    struct yl_err e = {0};
    int64_t id;
    CHECK_INT(rec_resident_create(l.store, &village, &tester, &in, &id, &e), YL_EFORBIDDEN);
    CHECK_STR(e.field, "ou_code");
    in.ou_code = "222404001001";
    CHECK_INT(rec_resident_create(l.store, &village, &tester, &in, &id, &err), 0);
    store_close(l.store);
}

/* ------------------------------------------------------------------ import */

static int run_import(struct lib *l, const char *csv, struct imp_report *rep, char *errors,
                      size_t n)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    memset(rep, 0, sizeof(*rep));
    rep->errors = out;
    struct rec_import *ri = rec_import_new();
    struct yl_err err = {0};
    int rc = imp_run(l->store, in, rec_import_spec(ri), ri, &tester, rep, &err);
    rec_import_free(ri);
    fclose(in);
    fclose(out);
    snprintf(errors, n, "%s", text ? text : "");
    free(text);
    if (rc != 0)
        fprintf(stderr, "    import: %s\n", yl_err_message(&err));
    return rc;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

TEST(import_applies_good_rows_reports_bad_lines_and_reruns_as_no_op)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    char csv[4096], wrong[IDNO_LEN + 1];
    memcpy(wrong, idno("19800101", 23), sizeof(wrong));
    wrong[17] = wrong[17] == '1' ? '2' : '1';
    snprintf(csv, sizeof(csv),
             "id_number,name,sex,birth_date,ou_code,household,phone,address,record_date,"
             "status,status_date,death_cause,maternal_death,tags\n"
             /* 2 */ "%s,张三,1,1980-01-01,222404001001,H1,13800000001,\"1号, 2单元\","
             "2015-01-01,,,,,hypertension:2019-03-01\n"
             /* 3 */ "%s,错号,1,1980-01-01,222404001001,,,,2015-01-01,,,,,\n"
             /* 4 */ "%s,李四,2,1990-02-02,222404001001,H1,,,2015-01-01,,,,,"
             "pregnant:2024-02-01::2024-10-15 diabetes:2018-01-01:2019-01-01\n"
             /* 5 */ "%s,王五,2,1980-01-01,222404001001,,,,2015-01-01,,,,,\n"
             /* 6 */ "%s,赵六,1,1940-03-03,222404001002,,,,2010-01-01,deceased,2022-05-05,"
             "I21.9,0,\n"
             /* 7 */ "%s,孙七,1,1980-01-01,222404009009,,,,2015-01-01,,,,,\n"
             /* 8 */ "%s,周八,1,1940-03-03,222404001001,,,,2010-01-01,deceased,2022-05-05,"
             "I2,,\n"
             /* 9 */ "222404800101003,吴九,1,1980-01-01,222404001002,,,,2016-01-01,,,,,\n"
             /* 10 */ "%s,郑十,1,1940-03-03,222404001001,,,,2010-01-01,deceased,2022-05-05,"
             "O72.1,1,\n"
             /* 11 */ "%s,冯一,1,1980-01-01,222404001001,,,,2015-01-01,,,,,"
             "hypertension:2019-01-01:2020-01-01 hypertension:2019-06-01\n"
             /* 12 */ "%s,陈二,2,1985-05-05,222404001002,,,,2015-01-01,moved_out,2021-01-01"
             ",,,\n"
             /* 13 */ "%s,褚三,1,1980-01-01,222404001,,,,2015-01-01,,,,,\n"
             /* 14 */ "%s,卫四,1,1980-01-01,222404001001,,12345,,2015-01-01,,,,,\n"
             /* 15 */ "%s,蒋五,1,1980-01-01,222404001001,,,,%s,,,,,\n",
             idno("19800101", 1), wrong, idno("19900202", 2), idno("19800101", 5),
             idno("19400303", 7), idno("19800101", 9), idno("19400303", 11),
             idno("19400303", 13), idno("19800101", 15), idno("19850505", 16),
             idno("19800101", 17), idno("19800101", 19), idno("19800101", 21), day_text(1));
    struct imp_report rep;
    char errors[4096];
    CHECK_INT(run_import(&l, csv, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.records, 14);
    CHECK_INT(rep.applied, 5);
    CHECK_INT(rep.unchanged, 0);
    CHECK_INT(rep.refused, 9);
    CHECK_INT(count_lines(errors), 9);
    CHECK_CONTAINS(errors, "line 3: id_number: check digit does not match");
    CHECK_CONTAINS(errors, "line 5: sex: sex does not match the ID number");
    CHECK_CONTAINS(errors, "line 7: ou_code: no org unit \"222404009009\"");
    CHECK_CONTAINS(errors, "line 8: death_cause: ");
    CHECK_CONTAINS(errors, "line 10: maternal_death: ");
    CHECK_CONTAINS(errors, "line 11: tags: ");
    CHECK_CONTAINS(errors, "line 13: ou_code: org unit \"222404001\" is not a village");
    CHECK_CONTAINS(errors, "line 14: phone: ");
    CHECK_CONTAINS(errors, "line 15: record_date: record date is in the future");
    /* No personal data in the report: no name or ID number appears. */
    CHECK(strstr(errors, "张") == NULL && strstr(errors, "19800101") == NULL);

    char text[512];
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident"), 5);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM residence"), 0);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident_tag"), 3);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident WHERE residence_from = record_date"),
              5);
    CHECK_STR(db_text(l.path, "SELECT address FROM resident WHERE name = '张三'", text,
                      sizeof(text)),
              "1号, 2单元");
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM resident WHERE id_number = '%s'",
             idno("19800101", 3));
    CHECK_INT(db_int(l.path, sql), 1);
    CHECK_STR(db_text(l.path, "SELECT status_date FROM resident WHERE name = '赵六'", text,
                      sizeof(text)),
              "2022-05-05");

    /* The re-run: nothing written, not even an audit record or an updated_at. */
    char before[4096], after[4096];
    const char *snapshot = "SELECT group_concat(updated_at, ',') FROM resident";
    db_text(l.path, snapshot, before, sizeof(before));
    long long audits = db_int(l.path, "SELECT COUNT(*) FROM audit");
    CHECK_INT(audits, 1);       /* one batch, one record */
    CHECK_INT(run_import(&l, csv, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 5);
    CHECK_INT(rep.refused, 9);
    CHECK_STR(db_text(l.path, snapshot, after, sizeof(after)), before);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM audit"), audits);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident"), 5);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM residence"), 0);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident_tag"), 3);
    store_close(l.store);
}

TEST(import_applies_changes_as_history)
{
    struct lib l;
    CHECK_INT(lib_open(&l), 0);
    const char *header = "id_number,name,sex,birth_date,ou_code,phone,record_date,status,"
                         "status_date,death_cause,tags\n";
    char csv[1024];
    snprintf(csv, sizeof(csv), "%s%s,张三,1,1980-01-01,222404001001,13800000001,2015-01-01,,,,"
             "hypertension:2019-03-01\n%s,李四,2,1950-02-02,222404001001,,2015-01-01,,,,\n",
             header, idno("19800101", 1), idno("19500202", 2));
    struct imp_report rep;
    char errors[1024];
    CHECK_INT(run_import(&l, csv, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 2);
    /* A new phone and village and an added tag for one; a death for the other. */
    snprintf(csv, sizeof(csv), "%s%s,张三,1,1980-01-01,222404002001,13900000002,2015-01-01,,,,"
             "hypertension:2019-03-01 diabetes:2020-01-01\n"
             "%s,李四,2,1950-02-02,222404001001,,2015-01-01,deceased,2023-01-09,C34,\n",
             header, idno("19800101", 1), idno("19500202", 2));
    CHECK_INT(run_import(&l, csv, &rep, errors, sizeof(errors)), 0);
    CHECK_STR(errors, "");
    CHECK_INT(rep.applied, 2);
    char text[512];
    CHECK_STR(db_text(l.path, "SELECT phone || ' ' || ou_id FROM resident WHERE name = '张三'",
                      text, sizeof(text)),
              "13900000002 21");
    char want[128];
    /* The old village's period ended yesterday; the new one began today. */
    snprintf(want, sizeof(want), "11:2015-01-01:%s 21:%s", day_text(-1), day_text(0));
    CHECK_STR(db_text(l.path,
                      "SELECT s.ou_id || ':' || s.from_date || ':' || s.to_date || ' ' ||"
                      " r.ou_id || ':' || r.residence_from FROM residence s JOIN"
                      " resident r ON r.id = s.resident_id WHERE r.name = '张三'",
                      text, sizeof(text)),
              want);
    CHECK_INT(db_int(l.path, "SELECT COUNT(*) FROM resident_tag"), 2);
    CHECK_STR(db_text(l.path, "SELECT status || ' ' || status_date FROM resident"
                              " WHERE name = '李四'", text, sizeof(text)),
              "deceased 2023-01-09");
    /* And the changed file re-run changes nothing. */
    CHECK_INT(run_import(&l, csv, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 2);
    /* The dead do not come back by import. */
    snprintf(csv, sizeof(csv), "%s%s,李四,2,1950-02-02,222404001001,,2015-01-01,,,,\n", header,
             idno("19500202", 2));
    CHECK_INT(run_import(&l, csv, &rep, errors, sizeof(errors)), 0);
    CHECK_INT(rep.refused, 1);
    CHECK_CONTAINS(errors, "line 2: status: ");
    store_close(l.store);
}

/* ------------------------------------------------------------------ API */

static struct ts_server api_srv;
static bool api_up;
static char admin_tok[ACCT_TOKEN_HEX], vd_tok[ACCT_TOKEN_HEX], fd_tok[ACCT_TOKEN_HEX],
    an_tok[ACCT_TOKEN_HEX];

static void api_stop(void)
{
    if (api_up)
        ts_server_stop(&api_srv);
    api_up = false;
}

/* The shared server with the fixture region and four users logged in. */
static struct ts_server *api(void)
{
    if (api_up)
        return &api_srv;
    if (ts_server_start(&api_srv, NULL, NULL) != 0 || db_exec(api_srv.db, fixture_sql) != 0)
        return NULL;
    api_up = true;
    atexit(api_stop);
    if (ts_user_add(&api_srv, "vd1", "village-password-1", "village_doctor",
                    "ou:222404001001") != 0 ||
        ts_user_add(&api_srv, "fd1", "family-password-1", "family_doctor", "team:1") != 0 ||
        ts_user_add(&api_srv, "an1", "analyst-password-1", "analyst", "region") != 0)
        return NULL;
    if (ts_login(api_srv.port, "admin", TS_ADMIN_PASSWORD, admin_tok) != 200 ||
        ts_login(api_srv.port, "vd1", "village-password-1", vd_tok) != 200 ||
        ts_login(api_srv.port, "fd1", "family-password-1", fd_tok) != 200 ||
        ts_login(api_srv.port, "an1", "analyst-password-1", an_tok) != 200)
        return NULL;
    return &api_srv;
}

static int send(const char *method, const char *path, const char *token, const char *json,
                struct ts_response *out)
{
    return ts_request(api_srv.port, method, path, token, NULL, json, json ? strlen(json) : 0,
                      out);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* POST /api/residents as admin; the new id, or 0. */
static int64_t api_create(const char *number, const char *name, const char *ou,
                          const char *extra)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"id_number\":\"%s\",\"name\":\"%s\",\"ou_code\":\"%s\","
             "\"record_date\":\"2018-01-01\"%s}",
             number, name, ou, extra ? extra : "");
    struct ts_response r;
    if (send("POST", "/api/residents", admin_tok, body, &r) != 0)
        return 0;
    int64_t id = r.status == 201 ? jint(r.json, "id") : 0;
    if (r.status != 201)
        fprintf(stderr, "    create: %d %s\n", r.status, r.body);
    ts_response_free(&r);
    return id;
}

/* The ids of a list response as "1,2,3". */
static const char *ids_of(const struct ts_response *r, char *out, size_t n)
{
    json_t *items = json_object_get(r->json, "items");
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(items) && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%lld", i ? "," : "",
                                 (long long)jint(json_array_get(items, i), "id"));
    return out;
}

static const char *id_list(int64_t a, int64_t b, int64_t c, char *out, size_t n)
{
    int64_t v[3] = {a, b, c};
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 3 && v[i] > 0; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%lld", i ? "," : "", (long long)v[i]);
    return out;
}

TEST(api_validations_name_the_field)
{
    CHECK(api() != NULL);
    char good[IDNO_LEN + 1], bad[IDNO_LEN + 1];
    memcpy(good, idno("19820202", 101), sizeof(good));
    memcpy(bad, good, sizeof(bad));
    bad[17] = bad[17] == '1' ? '2' : '1';
    struct {
        const char *body, *field;
    } cases[] = {
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003001\"}",
         "id_number"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003001\","
         "\"birth_date\":\"1982-02-03\"}", "birth_date"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003001\",\"sex\":2}", "sex"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404099001\"}", "ou_code"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003\"}", "ou_code"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003001\","
         "\"phone\":\"1234\"}", "phone"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003001\","
         "\"record_date\":\"2999-01-01\"}", "record_date"},
        {"{\"id_number\":\"%s\",\"name\":\"甲\",\"ou_code\":\"222404003001\","
         "\"status\":\"deceased\"}", "status"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[512];
        snprintf(body, sizeof(body), cases[i].body, i == 0 ? bad : good);
        struct ts_response r;
        CHECK_INT(send("POST", "/api/residents", admin_tok, body, &r), 0);
        CHECK_INT(r.status, 400);
        CHECK_STR(ts_err_code(&r), "invalid_field");
        CHECK_STR(ts_err_field(&r), cases[i].field);
        ts_response_free(&r);
    }
}

TEST(api_duplicate_is_409_with_existing_id)
{
    CHECK(api() != NULL);
    const char *number = idno("19830303", 103);
    int64_t first = api_create(number, "重复", "222404003001", NULL);
    CHECK(first > 0);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"id_number\":\"%s\",\"name\":\"另一个\",\"ou_code\":\"222404003001\"}", number);
    struct ts_response r;
    CHECK_INT(send("POST", "/api/residents", admin_tok, body, &r), 0);
    CHECK_INT(r.status, 409);
    CHECK_STR(ts_err_field(&r), "id_number");
    json_t *e = json_object_get(r.json, "error");
    CHECK_INT(jint(e, "existing_id"), first);
    ts_response_free(&r);
}

TEST(api_scope_and_masking_by_role)
{
    CHECK(api() != NULL);
    const char *num_a = idno("19840404", 105);
    char full_a[IDNO_LEN + 1];
    memcpy(full_a, num_a, sizeof(full_a));
    int64_t a = api_create(num_a, "签约甲", "222404003001", ",\"phone\":\"13812345678\"");
    int64_t b = api_create(idno("19840404", 107), "签约乙", "222404003001", NULL);
    CHECK(a > 0 && b > 0);
    CHECK_INT(contract_add(api_srv.db, a, 1), 0);
    CHECK_INT(contract_add(api_srv.db, b, 2), 0);
    char path[64];
    struct ts_response r;

    /* The family doctor of team 1 sees their resident in full, not team 2's. */
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)a);
    CHECK_INT(send("GET", path, fd_tok, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "id_number"), full_a);
    CHECK_STR(jstr(r.json, "phone"), "13812345678");
    json_t *contract = json_object_get(r.json, "contract");
    CHECK_STR(jstr(contract, "team_code"), "T01");
    CHECK_STR(jstr(contract, "package"), "basic");
    ts_response_free(&r);
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)b);
    CHECK_INT(send("GET", path, fd_tok, NULL, &r), 0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);
    /* Nor can they write to them: the same 404. */
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)b);
    CHECK_INT(send("PATCH", path, fd_tok, "{\"phone\":\"13900000000\"}", &r), 0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);

    /* Commission staff see it masked; an analyst may not see a person at all. */
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)a);
    CHECK_INT(send("GET", path, admin_tok, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    char masked[IDNO_LEN + 1];
    snprintf(masked, sizeof(masked), "%.6s********%.4s", full_a, full_a + 14);
    CHECK_STR(jstr(r.json, "id_number"), masked);
    CHECK_STR(jstr(r.json, "phone"), "138****5678");
    ts_response_free(&r);
    CHECK_INT(send("GET", path, an_tok, NULL, &r), 0);
    CHECK_INT(r.status, 403);
    ts_response_free(&r);
    CHECK_INT(send("GET", "/api/residents", an_tok, NULL, &r), 0);
    CHECK_INT(r.status, 403);
    ts_response_free(&r);

    /* The family doctor's search: exactly their team's residents, masked. */
    CHECK_INT(send("GET", "/api/residents?ou=222404003", fd_tok, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    char got[128], want[128];
    CHECK_STR(ids_of(&r, got, sizeof(got)), id_list(a, 0, 0, want, sizeof(want)));
    CHECK_STR(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id_number"), masked);
    ts_response_free(&r);

    /* The village doctor: their village only, for reads, searches and creation. */
    int64_t mine = api_create(idno("19840404", 109), "本村", "222404001001", NULL);
    int64_t next_door = api_create(idno("19840404", 111), "邻村", "222404001002", NULL);
    CHECK(mine > 0 && next_door > 0);
    CHECK_INT(send("GET", "/api/residents", vd_tok, NULL, &r), 0);
    CHECK_STR(ids_of(&r, got, sizeof(got)), id_list(mine, 0, 0, want, sizeof(want)));
    ts_response_free(&r);
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)next_door);
    CHECK_INT(send("GET", path, vd_tok, NULL, &r), 0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"id_number\":\"%s\",\"name\":\"外村\",\"ou_code\":\"222404001002\"}",
             idno("19840404", 113));
    CHECK_INT(send("POST", "/api/residents", vd_tok, body, &r), 0);
    CHECK_INT(r.status, 403);
    CHECK_STR(ts_err_field(&r), "ou_code");
    ts_response_free(&r);
}

TEST(api_search_sets_masks_pages_and_audits)
{
    struct ts_server *s = api();
    CHECK(s != NULL);
    const char *n3 = idno("19700707", 123);
    char num3[IDNO_LEN + 1];
    memcpy(num3, n3, sizeof(num3));
    int64_t r1 = api_create(idno("19700707", 121), "张伟", "222404002001",
                            ",\"phone\":\"13912340001\",\"household\":\"HS-1\"");
    int64_t r2 = api_create(idno("19700707", 122), "张伟强", "222404002002",
                            ",\"household\":\"HS-1\"");
    int64_t r3 = api_create(num3, "李娜", "222404002001", NULL);
    CHECK(r1 > 0 && r2 > 0 && r3 > 0);
    CHECK_INT(contract_add(s->db, r2, 2), 0);
    char path[160], body[160];
    struct ts_response r;
    snprintf(path, sizeof(path), "/api/residents/%lld/tags", (long long)r1);
    CHECK_INT(send("POST", path, admin_tok, "{\"tag\":\"hypertension\",\"from\":\"2019-01-01\"}",
                   &r), 0);
    CHECK_INT(r.status, 201);
    ts_response_free(&r);
    snprintf(path, sizeof(path), "/api/residents/%lld/tags", (long long)r3);
    CHECK_INT(send("POST", path, admin_tok, "{\"tag\":\"hypertension\",\"from\":\"2019-01-01\"}",
                   &r), 0);
    int64_t tag3 = jint(r.json, "id");
    ts_response_free(&r);
    snprintf(path, sizeof(path), "/api/residents/%lld/tags/%lld/end", (long long)r3,
             (long long)tag3);
    CHECK_INT(send("POST", path, admin_tok, "{\"to\":\"2020-01-01\"}", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "to"), "2020-01-01");
    ts_response_free(&r);
    snprintf(path, sizeof(path), "/api/residents/%lld/tags", (long long)r1);
    CHECK_INT(send("POST", path, admin_tok, "{\"tag\":\"hypertension\",\"from\":\"2020-01-01\"}",
                   &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "from");
    ts_response_free(&r);

    struct {
        const char *query;
        int64_t a, b, c;
    } cases[] = {
        {"ou=222404002", r1, r2, r3},
        {"ou=222404002001", r1, r3, 0},
        {"ou=222404002&name=%E5%BC%A0%E4%BC%9F", r1, r2, 0},         /* 张伟 */
        {"ou=222404002&name=%E5%BC%A0%E4%BC%9F%E5%BC%BA", r2, 0, 0}, /* 张伟强 */
        {"ou=222404002&tag=hypertension", r1, 0, 0},
        {"ou=222404002&contract=signed", r2, 0, 0},
        {"ou=222404002&contract=unsigned", r1, r3, 0},
        {"phone=13912340001", r1, 0, 0},
        {"household=HS-1", r1, r2, 0},
        {"tag=hypertension&household=HS-1", r1, 0, 0},
    };
    char got[128], want[128];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "/api/residents?%s", cases[i].query);
        CHECK_INT(send("GET", path, admin_tok, NULL, &r), 0);
        CHECK_INT(r.status, 200);
        if (strcmp(ids_of(&r, got, sizeof(got)),
                   id_list(cases[i].a, cases[i].b, cases[i].c, want, sizeof(want))) != 0)
            fprintf(stderr, "    query %s\n", cases[i].query);
        CHECK_STR(got, want);
        ts_response_free(&r);
    }
    snprintf(path, sizeof(path), "/api/residents?id_number=%s", num3);
    CHECK_INT(send("GET", path, admin_tok, NULL, &r), 0);
    CHECK_STR(ids_of(&r, got, sizeof(got)), id_list(r3, 0, 0, want, sizeof(want)));
    json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
    char masked[IDNO_LEN + 1];
    snprintf(masked, sizeof(masked), "%.6s********%.4s", num3, num3 + 14);
    CHECK_STR(jstr(item, "id_number"), masked);
    ts_response_free(&r);
    CHECK_INT(send("GET", "/api/residents?phone=13912340001", admin_tok, NULL, &r), 0);
    CHECK_STR(jstr(json_array_get(json_object_get(r.json, "items"), 0), "phone"),
              "139****0001");
    ts_response_free(&r);
    /* The village doctor of another village does not find them. */
    CHECK_INT(send("GET", path, vd_tok, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(ids_of(&r, got, sizeof(got)), "");
    ts_response_free(&r);
    /* Bad filters are refused, naming the parameter. */
    CHECK_INT(send("GET", "/api/residents?tag=cancer", admin_tok, NULL, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "tag");
    ts_response_free(&r);
    CHECK_INT(send("GET", "/api/residents?contract=maybe", admin_tok, NULL, &r), 0);
    CHECK_STR(ts_err_field(&r), "contract");
    ts_response_free(&r);

    /* Pages by id. */
    CHECK_INT(send("GET", "/api/residents?ou=222404002&limit=2", admin_tok, NULL, &r), 0);
    CHECK_STR(ids_of(&r, got, sizeof(got)), id_list(r1, r2, 0, want, sizeof(want)));
    const char *next = jstr(r.json, "next");
    CHECK(next != NULL);
    snprintf(path, sizeof(path), "/api/residents?ou=222404002&limit=2&cursor=%s", next);
    ts_response_free(&r);
    CHECK_INT(send("GET", path, admin_tok, NULL, &r), 0);
    CHECK_STR(ids_of(&r, got, sizeof(got)), id_list(r3, 0, 0, want, sizeof(want)));
    CHECK(json_is_null(json_object_get(r.json, "next")));
    ts_response_free(&r);

    /* The household view. */
    CHECK_INT(send("GET", "/api/households/HS-1", admin_tok, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(ids_of(&r, got, sizeof(got)), id_list(r1, r2, 0, want, sizeof(want)));
    ts_response_free(&r);
    CHECK_INT(send("GET", "/api/households/HS-1", vd_tok, NULL, &r), 0);
    CHECK_STR(ids_of(&r, got, sizeof(got)), "");
    ts_response_free(&r);

    /* Every resident handed out left a read record. */
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)r2);
    CHECK_INT(send("GET", path, admin_tok, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);
    CHECK_INT(audit_log_flush(s->audit, NULL), 0);
    char id2[24];
    snprintf(id2, sizeof(id2), "%lld", (long long)r2);
    struct audit_filter f = {.resource_type = "resident", .resource_id = id2, .limit = 64};
    struct audit_record recs[64];
    struct yl_err err = {0};
    int n = audit_list(s->store, &f, recs, &err);
    int reads = 0, lists = 0, creates = 0;
    for (int i = 0; i < n; i++) {
        CHECK_STR(recs[i].username, "admin");
        reads += strcmp(recs[i].action, "read") == 0;
        lists += strcmp(recs[i].action, "list") == 0;
        creates += strcmp(recs[i].action, "create") == 0;
    }
    CHECK_INT(creates, 1);
    /* r2 was listed by five filtered searches, the first page and the household view (the
     * village doctor's searches found nothing to log). */
    CHECK_INT(lists, 7);
    CHECK_INT(reads, 2);        /* the response to its creation and the GET */
    (void)body;
}

TEST(api_move_death_and_history)
{
    CHECK(api() != NULL);
    int64_t id = api_create(idno("19920909", 132), "迁居", "222404004001", NULL);
    CHECK(id > 0);
    char path[96];
    struct ts_response r;
    snprintf(path, sizeof(path), "/api/residents/%lld/move", (long long)id);
    CHECK_INT(send("POST", path, admin_tok,
                   "{\"ou_code\":\"222404004002\",\"date\":\"2017-12-31\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "date");
    ts_response_free(&r);
    CHECK_INT(send("POST", path, admin_tok,
                   "{\"ou_code\":\"222404004002\",\"date\":\"2021-03-01\"}", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "ou_code"), "222404004002");
    json_t *hist = json_object_get(r.json, "residences");
    CHECK_INT(json_array_size(hist), 2);
    CHECK_STR(jstr(json_array_get(hist, 0), "to"), "2021-02-28");
    CHECK_STR(jstr(json_array_get(hist, 1), "from"), "2021-03-01");
    CHECK(json_is_null(json_object_get(json_array_get(hist, 1), "to")));
    ts_response_free(&r);

    snprintf(path, sizeof(path), "/api/residents/%lld/death", (long long)id);
    CHECK_INT(send("POST", path, admin_tok, "{\"date\":\"2023-04-01\",\"cause\":\"X99Z\"}", &r),
              0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "cause");
    ts_response_free(&r);
    CHECK_INT(send("POST", path, admin_tok,
                   "{\"date\":\"2023-04-01\",\"cause\":\"O72.1\",\"maternal_death\":true}", &r),
              0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "deceased");
    CHECK_STR(jstr(r.json, "status_date"), "2023-04-01");
    CHECK_STR(jstr(r.json, "death_cause"), "O72.1");
    CHECK(json_is_true(json_object_get(r.json, "maternal_death")));
    ts_response_free(&r);
    CHECK_INT(send("POST", path, admin_tok, "{\"date\":\"2023-04-02\",\"cause\":\"I21\"}", &r),
              0);
    CHECK_INT(r.status, 409);
    ts_response_free(&r);

    /* PATCH changes details, never identity. */
    int64_t other = api_create(idno("19920909", 134), "改名前", "222404005001", NULL);
    snprintf(path, sizeof(path), "/api/residents/%lld", (long long)other);
    CHECK_INT(send("PATCH", path, admin_tok, "{\"birth_date\":\"1992-09-10\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "birth_date");
    ts_response_free(&r);
    CHECK_INT(send("PATCH", path, admin_tok, "{\"name\":\"改名后\",\"phone\":\"0433-7512345\"}",
                   &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "name"), "改名后");
    CHECK_STR(jstr(r.json, "phone"), "0433-***2345");
    ts_response_free(&r);
    snprintf(path, sizeof(path), "/api/residents/%lld/move-out", (long long)other);
    CHECK_INT(send("POST", path, admin_tok, "{\"date\":\"2024-02-02\"}", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "moved_out");
    CHECK_STR(jstr(json_array_get(json_object_get(r.json, "residences"), 0), "to"),
              "2024-02-02");
    ts_response_free(&r);
}

/* Migration 6 on a database written by the layout before it: the open residence row of an
 * active resident, and the last (closed on the day they left) row of one who left, become
 * resident.residence_from; periods that ended with a move stay. */
TEST(migration_moves_the_current_residence_into_the_resident_row)
{
    char path[512], sql[256];
    snprintf(path, sizeof(path), "%s/schema5.db", ts_tmpdir());
    CHECK_INT(db_exec(path, "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY,"
                            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"),
              0);
    size_t n;
    const struct store_migration *m = store_migrations(&n);
    for (size_t i = 0; i < n && m[i].version <= 5; i++) {
        CHECK_INT(db_exec(path, m[i].sql), 0);
        snprintf(sql, sizeof(sql), "INSERT INTO schema_migration VALUES (%d, 'v', 't')",
                 m[i].version);
        CHECK_INT(db_exec(path, sql), 0);
    }
    CHECK_INT(db_exec(path, fixture_sql), 0);
    CHECK_INT(db_exec(path,
                      "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id,"
                      " record_date, status, status_date, updated_at) VALUES"
                      " (1, 'n1', 'a', 1, '1950-01-01', 11, '2015-01-01', 'active', NULL, 't'),"
                      " (2, 'n2', 'b', 1, '1950-01-01', 21, '2015-01-01', 'active', NULL, 't'),"
                      " (3, 'n3', 'c', 1, '1950-01-01', 21, '2015-01-01', 'deceased',"
                      "  '2024-02-02', 't'),"
                      " (4, 'n4', 'd', 1, '1950-01-01', 11, '2016-01-01', 'moved_out',"
                      "  '2020-03-03', 't');"
                      "INSERT INTO residence (resident_id, ou_id, from_date, to_date) VALUES"
                      " (1, 11, '2015-01-01', NULL),"
                      " (2, 11, '2015-01-01', '2023-04-30'), (2, 21, '2023-05-01', NULL),"
                      " (3, 11, '2015-01-01', '2019-12-31'), (3, 21, '2020-01-01', '2024-02-02'),"
                      " (4, 11, '2016-01-01', '2020-03-03');"),
              0);
    struct store *s;
    struct yl_err err = {0};
    int applied = 0;
    CHECK_INT(store_open(path, NULL, &s, &err), 0);
    CHECK_INT(store_migrate(s, &applied, &err), 0);
    CHECK_INT(applied, (int)n - 5);
    char text[256];
    CHECK_STR(db_text(path, "SELECT group_concat(id || ':' || residence_from, ' ') FROM"
                            " (SELECT * FROM resident ORDER BY id)", text, sizeof(text)),
              "1:2015-01-01 2:2023-05-01 3:2020-01-01 4:2016-01-01");
    CHECK_STR(db_text(path, "SELECT group_concat(resident_id || ':' || ou_id || ':' ||"
                            " to_date, ' ') FROM (SELECT * FROM residence ORDER BY id)",
                      text, sizeof(text)),
              "2:11:2023-04-30 3:11:2019-12-31");
    CHECK_INT(db_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'residence_open'"),
              0);
    /* The index reads the new layout: resident 3 lived in 11 in 2019, in 21 after. */
    struct pidx *x = pidx_new();
    CHECK_INT(pidx_load(x, s, &err), 0);
    struct pidx_view v;
    pidx_read_lock(x);
    pidx_view(x, &v);
    CHECK_INT(pidx_resident_ou_at(&v, 3, date_from_ymd(2019, 6, 1)), 11);
    CHECK_INT(pidx_resident_ou_at(&v, 3, date_from_ymd(2021, 6, 1)), 21);
    CHECK_INT(pidx_resident_ou_at(&v, 3, date_from_ymd(2024, 2, 2)), PIDX_NONE);
    pidx_read_unlock(x);
    pidx_free(x);
    store_close(s);
}

/* A bulk import drops the search indexes and builds them again; one that died midway (the
 * indexes gone) is healed by the next store_migrate. */
TEST(bulk_import_rebuilds_the_search_indexes)
{
    struct lib l;
    CHECK(lib_open(&l) == 0);
    const char *count = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                        " ('resident_ou', 'resident_name', 'resident_phone',"
                        " 'resident_household')";
    CHECK_INT(db_int(l.path, count), 4);
    struct rec_import *ri = rec_import_new();
    struct yl_err err = {0};
    /* Too small a file for bulk mode: nothing is dropped. */
    CHECK_INT(rec_import_begin(ri, l.store, REC_BULK_MIN_ROWS - 1, &err), 0);
    CHECK_INT(db_int(l.path, count), 4);
    CHECK_INT(rec_import_begin(ri, l.store, REC_BULK_MIN_ROWS, &err), 0);
    CHECK_INT(db_int(l.path, count), 0);
    CHECK_INT(rec_import_end(ri, l.store, &err), 0);
    CHECK_INT(db_int(l.path, count), 4);
    /* Died midway: the next open heals it. */
    CHECK_INT(rec_import_begin(ri, l.store, REC_BULK_MIN_ROWS, &err), 0);
    rec_import_free(ri);
    store_close(l.store);
    CHECK_INT(db_int(l.path, count), 0);
    CHECK_INT(store_open(l.path, NULL, &l.store, &err), 0);
    CHECK_INT(store_migrate(l.store, NULL, &err), 0);
    CHECK_INT(db_int(l.path, count), 4);
    /* A table holding more than half the file's rows already is not bulk-loaded. */
    char sql[512];
    snprintf(sql, sizeof(sql), "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
                               " WHERE i < %d) INSERT INTO resident (id_number, name, sex,"
                               " birth_date, ou_id, record_date, updated_at) SELECT 'x' || i,"
                               " 'n', 1, '1950-01-01', 11, '2015-01-01', 't' FROM k",
             REC_BULK_MIN_ROWS / 2 + 1);
    CHECK_INT(db_exec(l.path, sql), 0);
    ri = rec_import_new();
    CHECK_INT(rec_import_begin(ri, l.store, REC_BULK_MIN_ROWS, &err), 0);
    CHECK_INT(db_int(l.path, count), 4);
    CHECK_INT(rec_import_end(ri, l.store, &err), 0);
    rec_import_free(ri);
    store_close(l.store);
}

TEST_MAIN()
