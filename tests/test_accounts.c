/*
 * test_accounts.c - unit tests for users, roles, scopes, logins, sessions and throttling.
 *
 * Every test opens its own database and struct acct, so throttling state and options never
 * leak between tests. Password hashing (argon2id, 64 MiB) is slow on purpose; the tests
 * create and log in only as often as what they check needs.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"
#include "support.h"
#include "test.h"

#define PW "correct-horse-1"
#define PW2 "battery-staple-2"

/* ------------------------------------------------------------------ helpers */

struct fixture {
    struct store *store;
    struct acct *acct;
    char path[512];
};

static const struct audit_actor test_actor = {1, "root", "admin", "cli"};

/* A fresh database and accounts object; `opt` may be NULL. */
static int fixture_open(struct fixture *f, const char *name, const struct acct_options *opt)
{
    struct yl_err err = {0};
    memset(f, 0, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "%s", ts_path(name));
    if (store_open(f->path, NULL, &f->store, &err) != 0 ||
        store_migrate(f->store, NULL, &err) != 0) {
        fprintf(stderr, "    store: %s\n", yl_err_message(&err));
        store_close(f->store);
        return -1;
    }
    f->acct = acct_new(f->store, opt);
    return 0;
}

static void fixture_close(struct fixture *f)
{
    acct_free(f->acct);
    store_close(f->store);
    memset(f, 0, sizeof(*f));
}

/* Create a user and return its id, or -1. */
static int64_t user_add(struct fixture *f, const char *name, const char *role, const char *scope)
{
    struct acct_user_input in = {name, PW, "Test User", role, scope};
    struct yl_err err = {0};
    int64_t id = -1;
    if (acct_user_create(f->acct, &in, &test_actor, &id, &err) != 0) {
        fprintf(stderr, "    create %s: %s\n", name, yl_err_message(&err));
        return -1;
    }
    return id;
}

struct create_result {
    int rc;
    int64_t id;
    struct yl_err err;
};

/* Attempt a create; the caller checks the outcome. */
static struct create_result create_try(struct fixture *f, const char *name, const char *password,
                                       const char *role, const char *scope)
{
    struct acct_user_input in = {name, password, NULL, role, scope};
    struct create_result r;
    memset(&r, 0, sizeof(r));
    r.id = -7;
    r.rc = acct_user_create(f->acct, &in, &test_actor, &r.id, &r.err);
    return r;
}

struct login {
    int rc;
    char token[ACCT_TOKEN_HEX];
    int64_t expires_at;
    int retry_after_s;
    struct acct_principal who;
    struct yl_err err;
};

static struct login login_as(struct fixture *f, const char *user, const char *pw,
                             const char *client)
{
    struct login l;
    memset(&l, 0, sizeof(l));
    l.retry_after_s = -1;
    l.rc = acct_login(f->acct, user, pw, client, l.token, &l.expires_at, &l.retry_after_s,
                      &l.who, &l.err);
    return l;
}

static int auth(struct fixture *f, const char *token, struct acct_principal *who)
{
    struct yl_err err = {0};
    struct acct_principal scratch;
    return acct_authenticate(f->acct, token, who ? who : &scratch, &err);
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

/* True when the file holds the bytes of s anywhere. */
static bool file_contains(const char *path, const char *s)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    size_t n = strlen(s), have = 0;
    bool found = false;
    char buf[65536 + 128];
    for (;;) {
        size_t k = fread(buf + have, 1, sizeof(buf) - have - 1, fp);
        if (k == 0)
            break;
        have += k;
        buf[have] = '\0';
        if (memmem(buf, have, s, n) != NULL) {
            found = true;
            break;
        }
        /* Keep a tail so a match across two reads is still seen. */
        if (have > n) {
            memmove(buf, buf + have - n, n);
            have = n;
        }
    }
    fclose(fp);
    return found;
}

/* True when the database or its write-ahead log holds the bytes of s. */
static bool db_contains(const char *path, const char *s)
{
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    return file_contains(path, s) || file_contains(wal, s);
}

/* ------------------------------------------------------------------ roles */

TEST(role_table)
{
    CHECK(!acct_role_has(ROLE_ANALYST, PERM_RECORD_READ));
    CHECK(acct_role_has(ROLE_ANALYST, PERM_AGGREGATE_READ));
    CHECK(acct_role_has(ROLE_ADMIN, PERM_USER_ADMIN));
    CHECK(!acct_role_has(ROLE_FAMILY_DOCTOR, PERM_USER_ADMIN));
    CHECK(!acct_role_has(ROLE_EPIDEMIOLOGIST, PERM_RECORD_READ));
    CHECK(acct_role_has(ROLE_VILLAGE_DOCTOR, PERM_RECORD_WRITE));
    CHECK(!acct_role_has(ROLE_FACILITY_ADMIN, PERM_RECORD_WRITE));
    static const enum acct_role all[] = {ROLE_ADMIN,          ROLE_FACILITY_ADMIN,
                                         ROLE_FAMILY_DOCTOR,  ROLE_VILLAGE_DOCTOR,
                                         ROLE_EPIDEMIOLOGIST, ROLE_ANALYST};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        CHECK(acct_role_has(all[i], PERM_SESSION));
        CHECK(acct_role_has(all[i], PERM_PUBLIC));
        /* Names round-trip. */
        CHECK_INT(acct_role_parse(acct_role_name(all[i])), all[i]);
    }
    CHECK(acct_role_has(ROLE_NONE, PERM_PUBLIC));
    CHECK(!acct_role_has(ROLE_NONE, PERM_SESSION));
    CHECK_INT(acct_role_parse("Admin"), ROLE_NONE);
    CHECK_INT(acct_role_parse(NULL), ROLE_NONE);
    CHECK_STR(acct_role_name(ROLE_NONE), "none");
    CHECK_STR(acct_perm_name(PERM_AUDIT_READ), "audit_read");
    CHECK_STR(acct_perm_name(PERM_SETTINGS), "settings");
}

TEST(scope_parse_and_format)
{
    struct acct_scope sc;
    struct yl_err err = {0};
    char text[64];
    CHECK_INT(acct_scope_parse("ou:222404", ROLE_EPIDEMIOLOGIST, &sc, &err), 0);
    CHECK_INT(sc.kind, SCOPE_OU);
    CHECK_STR(sc.ref, "222404");
    CHECK_STR(acct_scope_format(&sc, text, sizeof(text)), "ou:222404");
    CHECK_INT(acct_scope_parse(NULL, ROLE_ADMIN, &sc, &err), 0);
    CHECK_INT(sc.kind, SCOPE_REGION);
    CHECK_STR(acct_scope_format(&sc, text, sizeof(text)), "region");
    CHECK_INT(acct_scope_parse("team:12", ROLE_FAMILY_DOCTOR, &sc, &err), 0);
    CHECK_STR(acct_scope_format(&sc, text, sizeof(text)), "team:12");
    CHECK_INT(acct_scope_parse("facility:H-01", ROLE_FACILITY_ADMIN, &sc, &err), 0);
    CHECK_STR(sc.ref, "H-01");

    CHECK_INT(acct_scope_parse("team:012", ROLE_FAMILY_DOCTOR, &sc, &err), YL_EINVAL);
    CHECK_STR(err.field, "scope");
    yl_err_clear(&err);
    CHECK_INT(acct_scope_parse("region:x", ROLE_ADMIN, &sc, &err), YL_EINVAL);
    CHECK_STR(err.field, "scope");
    yl_err_clear(&err);
    CHECK_INT(acct_scope_parse("facility:", ROLE_FACILITY_ADMIN, &sc, &err), YL_EINVAL);
    CHECK_STR(err.field, "scope");
    yl_err_clear(&err);
    CHECK_INT(acct_scope_parse("region", ROLE_NONE, &sc, &err), YL_EINVAL);
    CHECK_STR(err.field, "role");
}

/* ------------------------------------------------------------------ users */

TEST(create_refusals)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "create-refuse.db", NULL), 0);
    static const struct {
        const char *name, *password, *role, *scope, *field;
    } cases[] = {
        {"Alice", PW, "admin", "region", "username"},          /* upper case */
        {"al", PW, "admin", "region", "username"},             /* too short */
        {"al ice", PW, "admin", "region", "username"},         /* space */
        {"", PW, "admin", "region", "username"},
        {NULL, PW, "admin", "region", "username"},
        {"abcdefghijabcdefghijabcdefghijabc", PW, "admin", "region", "username"}, /* 33 */
        {"alice", PW, "superuser", "region", "role"},
        {"alice", PW, NULL, "region", "role"},
        {"alice", PW, "family_doctor", "region", "scope"},
        {"alice", PW, "family_doctor", "ou:220104", "scope"},
        {"alice", PW, "village_doctor", "ou:222404", "scope"}, /* a county, not a village */
        {"alice", PW, "village_doctor", "team:3", "scope"},
        {"alice", PW, "epidemiologist", "ou:22x404", "scope"}, /* not digits */
        {"alice", PW, "epidemiologist", "ou:99", "scope"},     /* no such province */
        {"alice", PW, "epidemiologist", "ou:1234567", "scope"}, /* no level has 7 digits */
        {"alice", PW, "admin", "ou:22", "scope"},
        {"alice", PW, "analyst", "planet", "scope"},
        {"alice", "short-pw1", "admin", "region", "password"}, /* 9 bytes */
        {"alice", NULL, "admin", "region", "password"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct create_result r = create_try(&f, cases[i].name, cases[i].password,
                                            cases[i].role, cases[i].scope);
        if (r.rc != YL_EINVAL || strcmp(r.err.field, cases[i].field) != 0)
            fprintf(stderr, "    case %zu (%s/%s/%s)\n", i, cases[i].name ? cases[i].name : "-",
                    cases[i].role ? cases[i].role : "-", cases[i].scope);
        CHECK_INT(r.rc, YL_EINVAL);
        CHECK_INT(r.err.code, YL_EINVAL);
        CHECK_STR(r.err.field, cases[i].field);
        CHECK(r.err.message[0] != '\0');
        CHECK_INT(r.id, -7);
    }
    /* Nothing was written, not even an audit record. */
    struct acct_user u[4];
    struct yl_err err = {0};
    CHECK_INT(acct_user_list(f.acct, 0, "", 4, u, &err), 0);
    struct audit_record r[4];
    struct audit_filter all = {.limit = 4};
    CHECK_INT(audit_list(f.store, &all, r, &err), 0);
    fixture_close(&f);
}

TEST(create_writes_user_and_audit)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "create.db", NULL), 0);
    struct acct_user_input in = {"v.doctor-1", PW, "Dr. Li", "village_doctor", "ou:222404101201"};
    struct yl_err err = {0};
    int64_t id = 0;
    CHECK_INT(acct_user_create(f.acct, &in, &test_actor, &id, &err), 0);
    CHECK(id > 0);

    struct acct_user u;
    CHECK_INT(acct_user_get(f.acct, id, &u, &err), 0);
    CHECK_STR(u.username, "v.doctor-1");
    CHECK_STR(u.display_name, "Dr. Li");
    CHECK_INT(u.role, ROLE_VILLAGE_DOCTOR);
    CHECK_INT(u.scope.kind, SCOPE_OU);
    CHECK_STR(u.scope.ref, "222404101201");
    CHECK(!u.disabled);
    CHECK_INT(acct_user_find(f.acct, "v.doctor-1", &u, &err), 0);
    CHECK_INT(u.id, id);
    CHECK_INT(acct_user_find(f.acct, "nobody", &u, &err), YL_ENOTFOUND);

    struct audit_record r[4];
    struct audit_filter byres = {.resource_type = "user", .limit = 4};
    CHECK_INT(audit_list(f.store, &byres, r, &err), 1);
    CHECK_STR(r[0].action, "create");
    CHECK_STR(r[0].resource_type, "user");
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    CHECK_STR(r[0].resource_id, idtext);
    CHECK_STR(r[0].username, "root");
    CHECK_STR(r[0].client, "cli");
    CHECK_STR(r[0].outcome, "ok");

    /* The stored hash is an argon2id string, not the password. */
    CHECK(db_contains(f.path, "$argon2id$"));
    CHECK(!db_contains(f.path, PW));
    fixture_close(&f);
}

TEST(create_duplicate_is_conflict)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "create-dup.db", NULL), 0);
    CHECK(user_add(&f, "twin", "analyst", "region") > 0);
    struct create_result c = create_try(&f, "twin", PW2, "admin", "region");
    CHECK_INT(c.rc, YL_ECONFLICT);
    CHECK_INT(c.err.code, YL_ECONFLICT);
    CHECK_STR(c.err.field, "username");
    CHECK_CONTAINS(c.err.message, "twin");
    CHECK_INT(c.id, -7);
    /* Only the first create was audited, and only one user exists. */
    struct audit_record r[4];
    struct audit_filter byres = {.resource_type = "user", .limit = 4};
    struct yl_err err = {0};
    CHECK_INT(audit_list(f.store, &byres, r, &err), 1);
    struct acct_user u[4];
    CHECK_INT(acct_user_list(f.acct, 0, "", 4, u, &err), 1);
    CHECK_INT(u[0].role, ROLE_ANALYST);
    fixture_close(&f);
}

/* ------------------------------------------------------------------ login and sessions */

TEST(login_then_authenticate)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "login.db", NULL), 0);
    int64_t id = user_add(&f, "epi", "epidemiologist", "ou:222404");
    CHECK(id > 0);
    time_t before = time(NULL);
    struct login l = login_as(&f, "epi", PW, "10.9.9.9");
    CHECK_INT(l.rc, 0);
    CHECK(is_hex64(l.token));
    CHECK_INT(l.retry_after_s, 0);
    CHECK_INT(l.who.user_id, id);
    CHECK(l.expires_at >= before + 43200 && l.expires_at <= time(NULL) + 43200);

    struct acct_principal who;
    CHECK_INT(auth(&f, l.token, &who), 0);
    CHECK_INT(who.user_id, id);
    CHECK_STR(who.username, "epi");
    CHECK_INT(who.role, ROLE_EPIDEMIOLOGIST);
    CHECK_INT(who.scope.kind, SCOPE_OU);
    CHECK_STR(who.scope.ref, "222404");
    CHECK_STR(who.token_hash, l.who.token_hash);
    CHECK(is_hex64(who.token_hash));
    CHECK(strcmp(who.token_hash, l.token) != 0);

    /* Two logins give two different tokens, both valid. */
    struct login l2 = login_as(&f, "epi", PW, "10.9.9.9");
    CHECK_INT(l2.rc, 0);
    CHECK(strcmp(l.token, l2.token) != 0);
    CHECK_INT(auth(&f, l.token, NULL), 0);
    CHECK_INT(auth(&f, l2.token, NULL), 0);

    /* The login was audited with the user and the address. */
    struct audit_record r[4];
    struct audit_filter fl = {.resource_type = "session", .limit = 4};
    struct yl_err err = {0};
    CHECK_INT(audit_list(f.store, &fl, r, &err), 2);
    CHECK_STR(r[0].action, "login");
    CHECK_STR(r[0].username, "epi");
    CHECK_STR(r[0].client, "10.9.9.9");
    CHECK_STR(r[0].outcome, "ok");
    fixture_close(&f);
}

TEST(token_is_stored_only_as_hash)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "token-hash.db", NULL), 0);
    CHECK(user_add(&f, "keeper", "admin", "region") > 0);
    struct login l = login_as(&f, "keeper", PW, "10.0.0.1");
    CHECK_INT(l.rc, 0);

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_open_v2(f.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int rc = sqlite3_prepare_v2(db,
                                "SELECT COUNT(*), SUM(token_hash = ?1),"
                                " SUM(instr(token_hash || user_id || created_at || last_seen"
                                " || expires_at, ?2) > 0) FROM session",
                                -1, &st, NULL);
    int64_t rows = -1, with_hash = -1, with_token = -1;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, l.who.token_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, l.token, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            rows = sqlite3_column_int64(st, 0);
            with_hash = sqlite3_column_int64(st, 1);
            with_token = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(rows, 1);
    CHECK_INT(with_hash, 1);
    CHECK_INT(with_token, 0);
    /* Nor anywhere else in the files: database and write-ahead log. */
    CHECK(db_contains(f.path, l.who.token_hash));
    CHECK(!db_contains(f.path, l.token));
    fixture_close(&f);
}

TEST(wrong_password_and_unknown_user_look_alike)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "wrong.db", NULL), 0);
    CHECK(user_add(&f, "real", "analyst", "region") > 0);
    struct login bad_pw = login_as(&f, "real", PW2, "10.0.0.2");
    struct login no_user = login_as(&f, "ghost", PW, "10.0.0.3");
    CHECK_INT(bad_pw.rc, YL_EUNAUTH);
    CHECK_INT(bad_pw.err.code, YL_EUNAUTH);
    CHECK_INT(no_user.rc, YL_EUNAUTH);
    CHECK_INT(no_user.err.code, YL_EUNAUTH);
    CHECK_STR(bad_pw.err.message, no_user.err.message);
    CHECK_STR(bad_pw.err.field, no_user.err.field);
    CHECK_INT(bad_pw.retry_after_s, 0);
    CHECK_STR(bad_pw.token, "");
    CHECK_STR(no_user.token, "");
    /* A NULL password is refused like a wrong one. */
    struct login null_pw = login_as(&f, "real", NULL, "10.0.0.4");
    CHECK_INT(null_pw.rc, YL_EUNAUTH);
    CHECK_STR(null_pw.err.message, no_user.err.message);

    /* Both failures were audited as failed. */
    struct audit_record r[8];
    struct audit_filter fl = {.resource_type = "session", .limit = 8};
    struct yl_err err = {0};
    CHECK_INT(audit_list(f.store, &fl, r, &err), 3);
    for (int i = 0; i < 3; i++) {
        CHECK_STR(r[i].action, "login");
        CHECK_STR(r[i].outcome, "failed");
    }
    fixture_close(&f);
}

TEST(disabled_user_cannot_log_in_and_loses_sessions)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "disabled.db", NULL), 0);
    int64_t id = user_add(&f, "leaver", "family_doctor", "team:7");
    CHECK(id > 0);
    struct login l = login_as(&f, "leaver", PW, "10.0.0.5");
    CHECK_INT(l.rc, 0);
    CHECK_INT(auth(&f, l.token, NULL), 0);

    struct acct_user_patch p = {NULL, NULL, NULL, 1};
    struct yl_err err = {0};
    CHECK_INT(acct_user_update(f.acct, id, &p, &test_actor, &err), 0);
    struct acct_user u;
    CHECK_INT(acct_user_get(f.acct, id, &u, &err), 0);
    CHECK(u.disabled);

    CHECK_INT(auth(&f, l.token, NULL), YL_EUNAUTH);
    struct login again = login_as(&f, "leaver", PW, "10.0.0.5");
    CHECK_INT(again.rc, YL_EUNAUTH);
    CHECK_STR(again.token, "");

    /* Enabled again, the right password works; the old token stays ended. */
    struct acct_user_patch on = {NULL, NULL, NULL, 0};
    CHECK_INT(acct_user_update(f.acct, id, &on, &test_actor, &err), 0);
    struct login back = login_as(&f, "leaver", PW, "10.0.0.5");
    CHECK_INT(back.rc, 0);
    CHECK_INT(auth(&f, back.token, NULL), 0);
    CHECK_INT(auth(&f, l.token, NULL), YL_EUNAUTH);

    /* Authentication looks at the user's state itself, not only at revoked sessions: a
     * user disabled behind the library's back loses the session too. */
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(f.path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "UPDATE app_user SET disabled = 1 WHERE username = 'leaver'",
                          NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(auth(&f, back.token, NULL), YL_EUNAUTH);
    fixture_close(&f);
}

TEST(role_change_ends_sessions)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "role-change.db", NULL), 0);
    int64_t id = user_add(&f, "mover", "analyst", "region");
    CHECK(id > 0);
    struct login l = login_as(&f, "mover", PW, "10.0.0.6");
    CHECK_INT(l.rc, 0);
    /* A display name change keeps the session. */
    struct acct_user_patch name = {"New Name", NULL, NULL, -1};
    struct yl_err err = {0};
    CHECK_INT(acct_user_update(f.acct, id, &name, &test_actor, &err), 0);
    CHECK_INT(auth(&f, l.token, NULL), 0);
    /* A narrower scope ends it. */
    struct acct_user_patch scope = {NULL, NULL, "ou:222404", -1};
    CHECK_INT(acct_user_update(f.acct, id, &scope, &test_actor, &err), 0);
    CHECK_INT(auth(&f, l.token, NULL), YL_EUNAUTH);
    fixture_close(&f);
}

TEST(logout_ends_session)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "logout.db", NULL), 0);
    CHECK(user_add(&f, "brief", "admin", "region") > 0);
    struct login l = login_as(&f, "brief", PW, "10.0.0.7");
    CHECK_INT(l.rc, 0);
    struct login other = login_as(&f, "brief", PW, "10.0.0.8");
    CHECK_INT(other.rc, 0);
    struct acct_principal who;
    CHECK_INT(auth(&f, l.token, &who), 0);
    struct yl_err err = {0};
    CHECK_INT(acct_logout(f.acct, &who, "10.0.0.7", &err), 0);
    CHECK_INT(auth(&f, l.token, NULL), YL_EUNAUTH);
    /* Only that session ended. */
    CHECK_INT(auth(&f, other.token, NULL), 0);
    struct audit_record r[2];
    struct audit_filter fl = {.resource_type = "session", .limit = 2};
    CHECK_INT(audit_list(f.store, &fl, r, &err), 2);
    CHECK_STR(r[0].action, "logout");
    CHECK_STR(r[0].username, "brief");
    fixture_close(&f);
}

TEST(idle_and_lifetime_expiry)
{
    struct fixture f;
    struct acct_options opt = {.idle_timeout_s = 1};
    CHECK_INT(fixture_open(&f, "idle.db", &opt), 0);
    CHECK(user_add(&f, "sleepy", "analyst", "region") > 0);
    struct login l = login_as(&f, "sleepy", PW, "10.0.0.9");
    CHECK_INT(l.rc, 0);
    CHECK_INT(auth(&f, l.token, NULL), 0);

    /* A second accounts object on the same store: long idle time, 1 s lifetime. */
    struct acct_options short_life = {.lifetime_s = 1};
    struct fixture g = f;
    g.acct = acct_new(f.store, &short_life);
    struct login m = login_as(&g, "sleepy", PW, "10.0.0.9");
    int m_auth = auth(&g, m.token, NULL);

    sleep_ms(2200);
    struct acct_principal who;
    struct yl_err err = {0};
    int idle_rc = acct_authenticate(f.acct, l.token, &who, &err);
    struct yl_err err2 = {0};
    int life_rc = acct_authenticate(g.acct, m.token, &who, &err2);
    acct_free(g.acct);
    CHECK_INT(m.rc, 0);
    CHECK(m.expires_at <= (int64_t)time(NULL));
    CHECK_INT(m_auth, 0);
    CHECK_INT(idle_rc, YL_EUNAUTH);
    CHECK_CONTAINS(err.message, "expired");
    CHECK_INT(life_rc, YL_EUNAUTH);
    CHECK_CONTAINS(err2.message, "expired");
    fixture_close(&f);
}

TEST(user_list_pages_and_filters)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "list.db", NULL), 0);
    int64_t a = user_add(&f, "u.one", "analyst", "region");
    int64_t b = user_add(&f, "u.two", "admin", "region");
    int64_t c = user_add(&f, "u.three", "analyst", "ou:22");
    CHECK(a > 0 && b > a && c > b);
    struct acct_user u[4];
    struct yl_err err = {0};
    CHECK_INT(acct_user_list(f.acct, 0, "", 2, u, &err), 2);
    CHECK_INT(u[0].id, a);
    CHECK_INT(u[1].id, b);
    CHECK_INT(acct_user_list(f.acct, u[1].id, "", 2, u, &err), 1);
    CHECK_STR(u[0].username, "u.three");
    CHECK_INT(u[0].scope.kind, SCOPE_OU);
    CHECK_STR(u[0].scope.ref, "22");
    CHECK_INT(acct_user_list(f.acct, 0, "analyst", 4, u, &err), 2);
    CHECK_INT(u[0].id, a);
    CHECK_INT(u[1].id, c);
    CHECK_INT(acct_user_list(f.acct, 0, "epidemiologist", 4, u, &err), 0);
    struct acct_user one;
    CHECK_INT(acct_user_get(f.acct, c + 100, &one, &err), YL_ENOTFOUND);
    struct acct_user_patch p = {"x", NULL, NULL, -1};
    yl_err_clear(&err);
    CHECK_INT(acct_user_update(f.acct, c + 100, &p, &test_actor, &err), YL_ENOTFOUND);
    fixture_close(&f);
}

TEST(forged_and_malformed_tokens)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "forged.db", NULL), 0);
    struct yl_err err = {0};
    struct acct_principal who;
    const char *forged = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    CHECK_INT(acct_authenticate(f.acct, forged, &who, &err), YL_EUNAUTH);
    CHECK_INT(err.code, YL_EUNAUTH);
    static const char *const bad[] = {
        "abc",
        "",
        "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        yl_err_clear(&err);
        CHECK_INT(acct_authenticate(f.acct, bad[i], &who, &err), YL_EUNAUTH);
    }
    yl_err_clear(&err);
    CHECK_INT(acct_authenticate(f.acct, NULL, &who, &err), YL_EUNAUTH);
    fixture_close(&f);
}

TEST(set_password_ends_sessions)
{
    struct fixture f;
    CHECK_INT(fixture_open(&f, "set-password.db", NULL), 0);
    int64_t id = user_add(&f, "changer", "admin", "region");
    CHECK(id > 0);
    struct login l = login_as(&f, "changer", PW, "10.0.1.1");
    CHECK_INT(l.rc, 0);
    struct yl_err err = {0};
    CHECK_INT(acct_user_set_password(f.acct, id, "short", &test_actor, &err), YL_EINVAL);
    CHECK_STR(err.field, "password");
    CHECK_INT(auth(&f, l.token, NULL), 0);
    yl_err_clear(&err);
    CHECK_INT(acct_user_set_password(f.acct, id, PW2, &test_actor, &err), 0);
    CHECK_INT(auth(&f, l.token, NULL), YL_EUNAUTH);
    CHECK_INT(login_as(&f, "changer", PW, "10.0.1.1").rc, YL_EUNAUTH);
    struct login l2 = login_as(&f, "changer", PW2, "10.0.1.1");
    CHECK_INT(l2.rc, 0);
    CHECK_INT(auth(&f, l2.token, NULL), 0);
    fixture_close(&f);
}

/* ------------------------------------------------------------------ throttling */

TEST(user_lockout_refuses_right_password_then_lifts)
{
    struct fixture f;
    struct acct_options opt = {.max_failures = 3};
    CHECK_INT(fixture_open(&f, "throttle-user.db", &opt), 0);
    CHECK(user_add(&f, "target", "admin", "region") > 0);
    /* Each failure from a different address, so only the user name is counted thrice. */
    for (int i = 0; i < 3; i++) {
        char client[32];
        snprintf(client, sizeof(client), "10.1.0.%d", i + 1);
        struct login l = login_as(&f, "target", PW2, client);
        CHECK_INT(l.rc, YL_EUNAUTH);
        CHECK_INT(l.retry_after_s, 0);
    }
    /* The third failure started a 1 s lockout: the right password is refused. */
    struct login locked = login_as(&f, "target", PW, "10.1.0.9");
    CHECK_INT(locked.rc, YL_ETHROTTLE);
    CHECK_INT(locked.err.code, YL_ETHROTTLE);
    CHECK_INT(locked.retry_after_s, 1);
    CHECK_STR(locked.token, "");
    /* Another user is not affected. */
    CHECK(user_add(&f, "bystander", "analyst", "region") > 0);
    CHECK_INT(login_as(&f, "bystander", PW, "10.1.0.10").rc, 0);

    sleep_ms(locked.retry_after_s * 1000L + 100);
    struct login after = login_as(&f, "target", PW, "10.1.0.9");
    CHECK_INT(after.rc, 0);
    CHECK(is_hex64(after.token));

    /* The throttled attempt was audited. */
    struct audit_record r[16];
    struct audit_filter fl = {.username = "target", .resource_type = "session", .limit = 16};
    struct yl_err err = {0};
    int n = audit_list(f.store, &fl, r, &err);
    CHECK_INT(n, 5);
    CHECK_STR(r[0].outcome, "ok");
    CHECK_STR(r[1].outcome, "throttled");
    CHECK_STR(r[2].outcome, "failed");
    fixture_close(&f);
}

TEST(lockout_doubles)
{
    struct fixture f;
    struct acct_options opt = {.max_failures = 2};
    CHECK_INT(fixture_open(&f, "throttle-double.db", &opt), 0);
    CHECK(user_add(&f, "dbl", "admin", "region") > 0);
    CHECK_INT(login_as(&f, "dbl", PW2, "10.3.0.1").rc, YL_EUNAUTH);
    CHECK_INT(login_as(&f, "dbl", PW2, "10.3.0.2").rc, YL_EUNAUTH);   /* locks 1 s */
    struct login l = login_as(&f, "dbl", PW, "10.3.0.3");
    CHECK_INT(l.rc, YL_ETHROTTLE);
    CHECK_INT(l.retry_after_s, 1);
    sleep_ms(1100);
    CHECK_INT(login_as(&f, "dbl", PW2, "10.3.0.4").rc, YL_EUNAUTH);   /* locks 2 s */
    l = login_as(&f, "dbl", PW, "10.3.0.5");
    CHECK_INT(l.rc, YL_ETHROTTLE);
    CHECK_INT(l.retry_after_s, 2);
    sleep_ms(1100);
    l = login_as(&f, "dbl", PW, "10.3.0.5");
    CHECK_INT(l.rc, YL_ETHROTTLE);
    CHECK_INT(l.retry_after_s, 1);
    sleep_ms(1000);
    CHECK_INT(login_as(&f, "dbl", PW, "10.3.0.5").rc, 0);
    fixture_close(&f);
}

TEST(address_lockout_across_user_names)
{
    struct fixture f;
    struct acct_options opt = {.max_failures = 3};
    CHECK_INT(fixture_open(&f, "throttle-addr.db", &opt), 0);
    CHECK(user_add(&f, "victim", "admin", "region") > 0);
    static const char *const names[] = {"guess1", "guess2", "victim"};
    for (int i = 0; i < 3; i++)
        CHECK_INT(login_as(&f, names[i], PW2, "192.0.2.66").rc, YL_EUNAUTH);
    /* The address is locked whatever the name, even with the right password... */
    struct login l = login_as(&f, "victim", PW, "192.0.2.66");
    CHECK_INT(l.rc, YL_ETHROTTLE);
    CHECK(l.retry_after_s > 0);
    CHECK_INT(login_as(&f, "guess9", PW, "192.0.2.66").rc, YL_ETHROTTLE);
    /* ...while the user, who failed once, logs in from elsewhere. */
    CHECK_INT(login_as(&f, "victim", PW, "198.51.100.1").rc, 0);
    fixture_close(&f);
}

TEST_MAIN()
