/*
 * test_store.c - unit tests for the store (migrations, transactions, constraints, pragmas,
 * backup, restore, integrity) and for the core buffer and arena it builds on.
 *
 * Each test works on its own database file in the test folder. Where the store hides the
 * SQLite handle, the test opens the file with the sqlite3 C API itself, so what it checks is
 * what is on disk, not what the store says about it.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"
#include "store/store_int.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ helpers */

/* A fresh, migrated store at a file named after the test. */
static struct store *open_migrated(const char *name)
{
    struct yl_err err = {0};
    struct store *s = NULL;
    if (store_open(ts_path(name), NULL, &s, &err) != 0) {
        fprintf(stderr, "    store_open %s: %s\n", name, yl_err_message(&err));
        return NULL;
    }
    if (store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "    store_migrate %s: %s\n", name, yl_err_message(&err));
        store_close(s);
        return NULL;
    }
    return s;
}

/* Bind a user row for STORE_SQL_USER_INSERT; the caller steps it. */
static struct store_stmt *user_insert(struct store_conn *c, const char *username)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_INSERT);
    store_bind_text(st, 1, username);
    store_bind_text(st, 2, "");
    store_bind_text(st, 3, "not-a-real-hash");
    store_bind_text(st, 4, "admin");
    store_bind_text(st, 5, "region");
    store_bind_text(st, 6, "");
    store_bind_text(st, 7, "2026-01-01T00:00:00Z");
    store_bind_text(st, 8, "2026-01-01T00:00:00Z");
    return st;
}

/* Insert and commit one user; returns its id, or -1. */
static int64_t user_add(struct store *s, const char *username)
{
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(s);
    int64_t id = -1;
    if (store_begin(c, STORE_WRITE, &err) != 0)
        goto out;
    struct store_stmt *st = user_insert(c, username);
    if (store_step(st, &err) != STORE_ROW) {
        store_rollback(c);
        goto out;
    }
    id = store_col_int(st, 0);
    store_exec(st, NULL);
    if (store_commit(c, &err) != 0)
        id = -1;
out:
    if (id < 0)
        fprintf(stderr, "    user_add %s: %s\n", username, yl_err_message(&err));
    store_release(c);
    return id;
}

/* COUNT(*) of app_user through the store, or -1. */
static int64_t user_count(struct store *s)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_COUNT);
    int64_t n = store_step(st, NULL) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_exec(st, NULL);
    store_release(c);
    return n;
}

/* True when a user of that name exists. */
static bool user_exists(struct store *s, const char *username)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_BY_NAME);
    store_bind_text(st, 1, username);
    bool found = store_step(st, NULL) == STORE_ROW;
    store_exec(st, NULL);
    store_release(c);
    return found;
}

/* The first column of the first row of `sql` on a raw connection, copied into out. */
static int raw_query_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    out[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", t ? (const char *)t : "");
        rc = 0;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "    raw_exec: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return rc;
}

/* ------------------------------------------------------------------ migrations */

TEST(migrate_from_empty_applies_all_then_none)
{
    struct yl_err err = {0};
    struct store *s = NULL;
    CHECK_INT(store_open(ts_path("migrate.db"), NULL, &s, &err), 0);
    CHECK_INT(store_schema_version(s, &err), 0);
    CHECK(store_schema_latest() >= 1);

    /* Versions may have gaps (engineers take numbers in parallel): count the entries. */
    size_t n_migrations;
    store_migrations(&n_migrations);
    int applied = -1;
    CHECK_INT(store_migrate(s, &applied, &err), 0);
    CHECK_INT(applied, n_migrations);
    CHECK_INT(store_schema_version(s, &err), store_schema_latest());

    applied = -1;
    CHECK_INT(store_migrate(s, &applied, &err), 0);
    CHECK_INT(applied, 0);
    CHECK_INT(store_schema_version(s, &err), store_schema_latest());
    CHECK_INT(err.code, 0);
    store_close(s);

    /* One schema_migration row per migration, on disk. */
    char text[32];
    CHECK_INT(raw_query_text(ts_path("migrate.db"), "SELECT COUNT(*) FROM schema_migration",
                             text, sizeof(text)), 0);
    char want[32];
    snprintf(want, sizeof(want), "%zu", n_migrations);
    CHECK_STR(text, want);
}

TEST(migrate_refuses_newer_schema)
{
    const char *path = ts_path("newer.db");
    struct store *s = open_migrated("newer.db");
    CHECK(s != NULL);
    store_close(s);

    int newer = store_schema_latest() + 7;
    char sql[160];
    snprintf(sql, sizeof(sql),
             "INSERT INTO schema_migration (version, name, applied_at)"
             " VALUES (%d, 'from the future', '2099-01-01T00:00:00Z')",
             newer);
    CHECK_INT(raw_exec(path, sql), SQLITE_OK);

    struct yl_err err = {0};
    CHECK_INT(store_open(path, NULL, &s, &err), 0);
    int applied = -1;
    CHECK_INT(store_migrate(s, &applied, &err), YL_ESTORE);
    CHECK_INT(err.code, YL_ESTORE);
    CHECK_INT(applied, 0);
    char want[64];
    snprintf(want, sizeof(want), "schema %d", newer);
    CHECK_CONTAINS(err.message, want);
    snprintf(want, sizeof(want), "(%d)", store_schema_latest());
    CHECK_CONTAINS(err.message, want);
    CHECK_INT(store_schema_version(s, NULL), newer);
    store_close(s);
}

/* ------------------------------------------------------------------ transactions */

TEST(rollback_discards_insert)
{
    struct store *s = open_migrated("rollback.db");
    CHECK(s != NULL);
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    struct store_stmt *st = user_insert(c, "ghost");
    CHECK_INT(store_step(st, &err), STORE_ROW);
    CHECK(store_col_int(st, 0) > 0);
    store_exec(st, NULL);
    /* Visible inside its own transaction... */
    st = store_stmt(c, STORE_SQL_USER_COUNT);
    CHECK_INT(store_step(st, &err), STORE_ROW);
    CHECK_INT(store_col_int(st, 0), 1);
    store_exec(st, NULL);
    store_rollback(c);
    store_release(c);
    /* ...and gone after the rollback. */
    CHECK(!user_exists(s, "ghost"));
    CHECK_INT(user_count(s), 0);
    store_close(s);
}

TEST(commit_is_visible_to_other_connection)
{
    struct store *s = open_migrated("commit.db");
    CHECK(s != NULL);
    CHECK(user_add(s, "kept") > 0);
    store_close(s);
    char text[64];
    CHECK_INT(raw_query_text(ts_path("commit.db"),
                             "SELECT username FROM app_user WHERE username = 'kept'", text,
                             sizeof(text)), 0);
    CHECK_STR(text, "kept");
}

TEST(unique_violation_is_conflict)
{
    struct store *s = open_migrated("unique.db");
    CHECK(s != NULL);
    CHECK(user_add(s, "twice") > 0);
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    CHECK_INT(store_step(user_insert(c, "twice"), &err), YL_ECONFLICT);
    CHECK_INT(err.code, YL_ECONFLICT);
    store_rollback(c);
    store_release(c);
    CHECK_INT(user_count(s), 1);
    store_close(s);
}

TEST(failed_second_statement_rolls_back_both)
{
    struct store *s = open_migrated("second.db");
    CHECK(s != NULL);
    CHECK(user_add(s, "first") > 0);
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    CHECK_INT(store_exec(user_insert(c, "second"), &err), 0);
    CHECK_INT(store_changes(c), 1);
    CHECK_INT(store_exec(user_insert(c, "first"), &err), YL_ECONFLICT);
    store_rollback(c);
    store_release(c);
    CHECK(!user_exists(s, "second"));
    CHECK(user_exists(s, "first"));
    CHECK_INT(user_count(s), 1);
    store_close(s);
}

TEST(release_inside_transaction_rolls_back)
{
    struct store *s = open_migrated("release.db");
    CHECK(s != NULL);
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    CHECK_INT(store_exec(user_insert(c, "forgotten"), &err), 0);
    store_release(c);
    CHECK(!user_exists(s, "forgotten"));
    /* The write lock was given back: another write transaction starts at once. */
    CHECK(user_add(s, "next") > 0);
    store_close(s);
}

/* ------------------------------------------------------------------ pragmas */

TEST(journal_mode_is_wal)
{
    struct store *s = open_migrated("wal.db");
    CHECK(s != NULL);
    char mode[32];
    CHECK_INT(raw_query_text(ts_path("wal.db"), "PRAGMA journal_mode", mode, sizeof(mode)), 0);
    CHECK_STR(mode, "wal");
    store_close(s);
}

TEST(foreign_keys_are_enforced)
{
    struct store *s = open_migrated("fk.db");
    CHECK(s != NULL);
    int64_t uid = user_add(s, "owner");
    CHECK(uid > 0);
    struct yl_err err = {0};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SESSION_INSERT);
    store_bind_text(st, 1, "hash-of-nobody");
    store_bind_int(st, 2, uid + 1000);
    store_bind_int(st, 3, 1);
    store_bind_int(st, 4, 1);
    store_bind_int(st, 5, 2);
    CHECK_INT(store_exec(st, &err), YL_EINVAL);
    CHECK_INT(err.code, YL_EINVAL);
    CHECK_CONTAINS(err.message, "does not exist");

    /* The same row for a user who exists goes in. */
    yl_err_clear(&err);
    st = store_stmt(c, STORE_SQL_SESSION_INSERT);
    store_bind_text(st, 1, "hash-of-owner");
    store_bind_int(st, 2, uid);
    store_bind_int(st, 3, 1);
    store_bind_int(st, 4, 1);
    store_bind_int(st, 5, 2);
    CHECK_INT(store_exec(st, &err), 0);
    CHECK_INT(store_commit(c, &err), 0);
    store_release(c);
    store_close(s);
}

/* ------------------------------------------------------------------ backup, restore */

TEST(backup_holds_committed_rows_only)
{
    struct store *s = open_migrated("live.db");
    CHECK(s != NULL);
    CHECK(user_add(s, "alpha") > 0);
    CHECK(user_add(s, "bravo") > 0);

    /* A writer holds an uncommitted row while the backup runs. */
    struct yl_err err = {0};
    struct store_conn *w = store_acquire(s);
    CHECK_INT(store_begin(w, STORE_WRITE, &err), 0);
    CHECK_INT(store_exec(user_insert(w, "pending"), &err), 0);

    const char *dest = ts_path("live-backup.db");
    int rc = store_backup(s, dest, &err);
    store_rollback(w);
    store_release(w);
    CHECK_INT(rc, 0);
    store_close(s);

    /* The copy stands alone: rollback journal, no WAL needed. */
    char mode[32];
    CHECK_INT(raw_query_text(dest, "PRAGMA journal_mode", mode, sizeof(mode)), 0);
    CHECK_STR(mode, "delete");

    struct store *b = NULL;
    CHECK_INT(store_open(dest, NULL, &b, &err), 0);
    CHECK_INT(store_schema_version(b, &err), store_schema_latest());
    CHECK_INT(user_count(b), 2);
    CHECK(user_exists(b, "alpha"));
    CHECK(user_exists(b, "bravo"));
    CHECK(!user_exists(b, "pending"));
    CHECK_INT(store_check_integrity(b, &err), 0);
    store_close(b);
}

TEST(restore_replaces_database)
{
    struct store *src = open_migrated("restore-src.db");
    CHECK(src != NULL);
    CHECK(user_add(src, "from.backup") > 0);
    CHECK(user_add(src, "also.backup") > 0);
    struct yl_err err = {0};
    const char *bak = ts_path("restore.bak");
    CHECK_INT(store_backup(src, bak, &err), 0);
    store_close(src);

    struct store *dst = open_migrated("restore-dst.db");
    CHECK(dst != NULL);
    CHECK(user_add(dst, "to.be.lost") > 0);
    CHECK_INT(store_restore(dst, bak, &err), 0);
    CHECK_INT(err.code, 0);
    CHECK_INT(user_count(dst), 2);
    CHECK(user_exists(dst, "from.backup"));
    CHECK(!user_exists(dst, "to.be.lost"));
    /* The restored database takes writes and survives a reopen. */
    CHECK(user_add(dst, "after.restore") > 0);
    store_close(dst);

    CHECK_INT(store_open(ts_path("restore-dst.db"), NULL, &dst, &err), 0);
    CHECK_INT(user_count(dst), 3);
    CHECK(user_exists(dst, "after.restore"));
    CHECK_INT(store_check_integrity(dst, &err), 0);
    char mode[32];
    CHECK_INT(raw_query_text(ts_path("restore-dst.db"), "PRAGMA journal_mode", mode,
                             sizeof(mode)), 0);
    CHECK_STR(mode, "wal");
    store_close(dst);
}

TEST(restore_refuses_what_is_not_a_backup)
{
    struct store *s = open_migrated("restore-keep.db");
    CHECK(s != NULL);
    CHECK(user_add(s, "survivor") > 0);
    struct yl_err err = {0};

    /* A missing file. */
    CHECK_INT(store_restore(s, ts_path("no-such.bak"), &err), YL_EIO);
    CHECK_INT(err.code, YL_EIO);
    CHECK_STR(err.field, "file");

    /* A file that is no database at all. */
    const char *junk = ts_path("junk.bak");
    FILE *f = fopen(junk, "wb");
    CHECK(f != NULL);
    for (int i = 0; i < 4096; i++)
        fputc("not a database "[i % 15], f);
    fclose(f);
    yl_err_clear(&err);
    CHECK_INT(store_restore(s, junk, &err), YL_EINVAL);
    CHECK_INT(err.code, YL_EINVAL);
    CHECK_STR(err.field, "file");

    /* An empty file, which SQLite reads as an empty database (a copy cut short). */
    const char *empty = ts_path("empty.bak");
    f = fopen(empty, "wb");
    CHECK(f != NULL);
    fclose(f);
    yl_err_clear(&err);
    CHECK_INT(store_restore(s, empty, &err), YL_EINVAL);
    CHECK_INT(err.code, YL_EINVAL);

    /* A database, but not one of ours. */
    const char *other = ts_path("other.bak");
    CHECK_INT(raw_exec(other, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"), SQLITE_OK);
    yl_err_clear(&err);
    CHECK_INT(store_restore(s, other, &err), YL_EINVAL);
    CHECK_INT(err.code, YL_EINVAL);

    /* None of them touched the database. */
    CHECK_INT(user_count(s), 1);
    CHECK(user_exists(s, "survivor"));
    store_close(s);
}

TEST(integrity_check_passes_on_good_file)
{
    struct store *s = open_migrated("integrity.db");
    CHECK(s != NULL);
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof(name), "user%02d", i);
        CHECK(user_add(s, name) > 0);
    }
    struct yl_err err = {0};
    CHECK_INT(store_check_integrity(s, &err), 0);
    CHECK_INT(err.code, 0);
    store_close(s);
}

TEST(open_bad_path_fails)
{
    struct yl_err err = {0};
    struct store *s = NULL;
    CHECK_INT(store_open(ts_path("no-such-dir/x.db"), NULL, &s, &err), YL_ESTORE);
    CHECK_STR(err.field, "db");
    CHECK(s == NULL);
}

/* ------------------------------------------------------------------ core: buf */

TEST(buf_hard_max)
{
    struct buf b;
    buf_init(&b, 10);
    CHECK_INT(buf_puts(&b, "hello"), 0);
    CHECK_INT(buf_puts(&b, "world"), 0);      /* exactly at the maximum */
    CHECK_INT(b.len, 10);
    CHECK_INT(b.failed, 0);
    CHECK_INT(buf_putc(&b, '!'), YL_ETOOBIG);
    CHECK_INT(b.failed, 1);
    CHECK_INT(b.len, 10);
    CHECK_STR(b.data, "helloworld");
    buf_release(&b);

    buf_init(&b, 10);
    CHECK_INT(buf_puts(&b, "abc"), 0);
    CHECK_INT(buf_printf(&b, "%d-%s", 12345, "xyz"), YL_ETOOBIG);
    CHECK_INT(b.failed, 1);
    CHECK_STR(b.data, "abc");
    CHECK_INT(b.len, 3);
    /* Once failed, even an append that would fit is refused. */
    CHECK_INT(buf_putc(&b, 'd'), YL_ETOOBIG);
    CHECK_STR(b.data, "abc");
    buf_reset(&b);
    CHECK_INT(b.failed, 0);
    CHECK_INT(buf_printf(&b, "%d", 42), 0);
    CHECK_STR(b.data, "42");
    size_t len = 0;
    char *p = buf_detach(&b, &len);
    CHECK_INT(len, 2);
    CHECK_STR(p, "42");
    free(p);
    CHECK(b.data == NULL);
    buf_release(&b);
}

TEST(buf_grows_to_large_contents)
{
    struct buf b;
    buf_init(&b, 1u << 20);
    for (int i = 0; i < 10000; i++)
        CHECK_INT(buf_printf(&b, "%05d,", i), 0);
    CHECK_INT(b.len, 60000);
    CHECK(memcmp(b.data, "00000,00001,", 12) == 0);
    CHECK(memcmp(b.data + 59994, "09999,", 6) == 0);
    CHECK_INT(b.data[b.len], '\0');
    buf_release(&b);
}

/* ------------------------------------------------------------------ core: arena */

TEST(arena_many_aligned_allocations)
{
    struct arena a;
    arena_init(&a);
    enum { N = 20000 };
    unsigned char **ptrs = xmalloc(N * sizeof(*ptrs));
    size_t *sizes = xmalloc(N * sizeof(*sizes));
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        /* Sizes from 1 byte to past a whole block, including one of 2 MiB. */
        sizes[i] = (size_t)(i % 97) * 13 + 1;
        if (i % 5000 == 4999)
            sizes[i] = (size_t)2 << 20;
        ptrs[i] = arena_alloc(&a, sizes[i]);
        total += sizes[i];
        memset(ptrs[i], i & 0xff, sizes[i]);
    }
    int bad = -1;
    for (int i = 0; i < N && bad < 0; i++) {
        if ((uintptr_t)ptrs[i] % 16 != 0)
            bad = i;
        for (size_t k = 0; k < sizes[i] && bad < 0; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xff))
                bad = i;
    }
    free(ptrs);
    free(sizes);
    CHECK_INT(bad, -1);
    CHECK_INT(a.total, total);

    double *d = arena_zalloc(&a, 8 * sizeof(double));
    CHECK_INT((uintptr_t)d % 16, 0);
    for (int i = 0; i < 8; i++)
        CHECK(d[i] == 0.0);
    arena_release(&a);
    CHECK(a.head == NULL);
    CHECK_INT(a.total, 0);
    /* Usable again after release. */
    CHECK(arena_alloc(&a, 3) != NULL);
    arena_release(&a);
}

TEST(arena_strings)
{
    struct arena a = {0};
    char src[] = "residents";
    char *s = arena_strdup(&a, src);
    src[0] = 'X';
    CHECK_STR(s, "residents");
    CHECK_STR(arena_strndup(&a, "abcdef", 3), "abc");
    CHECK_STR(arena_strdup(&a, ""), "");
    char *p = arena_printf(&a, "%s/%d/%.2f", "ou", 222404, 1.5);
    CHECK_STR(p, "ou/222404/1.50");
    /* Longer than a block: goes through the oversized path. */
    char *big = arena_printf(&a, "%*s|", 9000, "x");
    CHECK_INT(strlen(big), 9001);
    CHECK_INT(big[8999], 'x');
    CHECK_INT(big[9000], '|');
    /* Earlier strings are untouched by later allocations. */
    CHECK_STR(s, "residents");
    CHECK_STR(p, "ou/222404/1.50");
    arena_release(&a);
}

TEST_MAIN()
