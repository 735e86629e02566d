/*
 * test_audit.c - unit tests for the hash-chained audit trail: appending, verification against
 * tampering, the group-committed read log, and listing with filters.
 *
 * Tampering is done the way an intruder with the database file would: with the sqlite3 C API
 * on the file, dropping the append-only triggers first. Each tamper test has a fresh database
 * so one break cannot hide another.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ helpers */

static struct store *open_store(const char *path)
{
    struct yl_err err = {0};
    struct store *s = NULL;
    if (store_open(path, NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "    store %s: %s\n", path, yl_err_message(&err));
        store_close(s);
        return NULL;
    }
    return s;
}

/* Append one record in its own write transaction. */
static int append_one(struct store *s, const char *username, const char *action,
                      const char *rtype, const char *rid)
{
    struct yl_err err = {0};
    struct audit_actor who = {username[0] ? 42 : 0, username, "admin", "127.0.0.1"};
    struct audit_event what = {action, rtype, rid, "ok"};
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_WRITE, &err);
    if (rc == 0)
        rc = audit_append(c, &who, &what, &err);
    if (rc == 0)
        rc = store_commit(c, &err);
    else
        store_rollback(c);
    store_release(c);
    if (rc != 0)
        fprintf(stderr, "    append: %s\n", yl_err_message(&err));
    return rc;
}

/* A database at `name` holding n records (seq 1..n), closed again; returns its path. */
static const char *chain_db(const char *name, int n)
{
    const char *path = ts_path(name);
    struct store *s = open_store(path);
    if (s == NULL)
        return NULL;
    for (int i = 1; i <= n; i++) {
        char rid[16];
        snprintf(rid, sizeof(rid), "%d", i);
        if (append_one(s, "clerk", "read", "resident", rid) != 0) {
            store_close(s);
            return NULL;
        }
    }
    store_close(s);
    return path;
}

struct verdict {
    int rc;
    int64_t checked;
    int64_t bad_seq;
    struct yl_err err;
};

static struct verdict verify_file(const char *path)
{
    struct verdict v = {0};
    struct store *s = open_store(path);
    if (s == NULL) {
        v.rc = -999;
        return v;
    }
    v.rc = audit_verify(s, &v.checked, &v.bad_seq, &v.err);
    store_close(s);
    return v;
}

/* Run SQL on the file directly; returns the SQLite result code and the message. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t n)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (msg != NULL)
        snprintf(msg, n, "%s", db ? sqlite3_errmsg(db) : "");
    sqlite3_close(db);
    return rc;
}

/* One integer from the file, or -1. */
static int64_t raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* One text from the file into out ("" when absent). */
static const char *raw_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static int64_t audit_rows(struct store *s)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_AUDIT_COUNT);
    int64_t n = store_step(st, NULL) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_exec(st, NULL);
    store_release(c);
    return n;
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

/* ------------------------------------------------------------------ append and verify */

TEST(append_then_verify_counts_exactly)
{
    const char *path = ts_path("append.db");
    struct store *s = open_store(path);
    CHECK(s != NULL);
    struct yl_err err = {0};
    int64_t checked = -1, bad = -1;
    CHECK_INT(audit_verify(s, &checked, &bad, &err), 0);
    CHECK_INT(checked, 0);
    CHECK_INT(bad, 0);

    /* Three records in one transaction, four more one by one. */
    struct audit_actor who = {7, "doc", "family_doctor", "10.0.0.1"};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    for (int i = 0; i < 3; i++) {
        struct audit_event ev = {"update", "resident", "5", "ok"};
        CHECK_INT(audit_append(c, &who, &ev, &err), 0);
    }
    CHECK_INT(store_commit(c, &err), 0);
    store_release(c);
    for (int i = 0; i < 4; i++)
        CHECK_INT(append_one(s, "doc", "read", "resident", "5"), 0);

    CHECK_INT(audit_verify(s, &checked, &bad, &err), 0);
    CHECK_INT(checked, 7);
    CHECK_INT(bad, 0);
    CHECK_INT(audit_rows(s), 7);
    store_close(s);

    /* The chain on disk: seq 1..7, record 1 links to zeros, each next to the one before. */
    char h[128], prev[128];
    CHECK_STR(raw_text(path, "SELECT prev_hash FROM audit WHERE seq = 1", h, sizeof(h)),
              "0000000000000000000000000000000000000000000000000000000000000000");
    for (int i = 2; i <= 7; i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "SELECT hash FROM audit WHERE seq = %d", i - 1);
        raw_text(path, sql, prev, sizeof(prev));
        CHECK(is_hex64(prev));
        snprintf(sql, sizeof(sql), "SELECT prev_hash FROM audit WHERE seq = %d", i);
        CHECK_STR(raw_text(path, sql, h, sizeof(h)), prev);
    }
    CHECK_INT(raw_int(path, "SELECT seq FROM audit_head WHERE id = 1"), 7);
    CHECK_INT(raw_int(path, "SELECT MIN(seq) FROM audit"), 1);
}

TEST(rolled_back_append_leaves_no_record)
{
    struct store *s = open_store(ts_path("append-rollback.db"));
    CHECK(s != NULL);
    CHECK_INT(append_one(s, "a", "read", "resident", "1"), 0);
    struct yl_err err = {0};
    struct audit_actor who = {1, "a", "admin", "cli"};
    struct audit_event ev = {"update", "resident", "1", "ok"};
    struct store_conn *c = store_acquire(s);
    CHECK_INT(store_begin(c, STORE_WRITE, &err), 0);
    CHECK_INT(audit_append(c, &who, &ev, &err), 0);
    store_rollback(c);
    store_release(c);
    CHECK_INT(audit_rows(s), 1);
    /* The chain goes on from the committed head, not the discarded one. */
    CHECK_INT(append_one(s, "a", "read", "resident", "2"), 0);
    int64_t checked = 0, bad = -1;
    CHECK_INT(audit_verify(s, &checked, &bad, &err), 0);
    CHECK_INT(checked, 2);
    store_close(s);
}

/* ------------------------------------------------------------------ tampering */

TEST(triggers_refuse_update_and_delete)
{
    const char *path = chain_db("triggers.db", 3);
    CHECK(path != NULL);
    char msg[256];
    int rc = raw_exec(path, "UPDATE audit SET outcome = 'denied' WHERE seq = 2", msg,
                      sizeof(msg));
    CHECK_INT(rc & 0xff, SQLITE_CONSTRAINT);
    CHECK_CONTAINS(msg, "append-only");
    rc = raw_exec(path, "DELETE FROM audit WHERE seq = 3", msg, sizeof(msg));
    CHECK_INT(rc & 0xff, SQLITE_CONSTRAINT);
    CHECK_CONTAINS(msg, "append-only");
    char out[32];
    CHECK_STR(raw_text(path, "SELECT outcome FROM audit WHERE seq = 2", out, sizeof(out)), "ok");
    CHECK_INT(raw_int(path, "SELECT COUNT(*) FROM audit"), 3);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, 0);
    CHECK_INT(v.checked, 3);
}

TEST(tamper_changed_outcome)
{
    const char *path = chain_db("tamper-update.db", 5);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path,
                       "DROP TRIGGER audit_no_update;"
                       "UPDATE audit SET outcome = 'denied' WHERE seq = 3",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.err.code, YL_ESTORE);
    CHECK_INT(v.bad_seq, 3);
    CHECK_INT(v.checked, 2);
    CHECK_CONTAINS(v.err.message, "record 3");
}

TEST(tamper_changed_user_id)
{
    /* A field hashed as a number, not text: NULL (anonymous) becomes a user. */
    const char *path = ts_path("tamper-userid.db");
    struct store *s = open_store(path);
    CHECK(s != NULL);
    CHECK_INT(append_one(s, "x", "read", "resident", "1"), 0);
    CHECK_INT(append_one(s, "", "login", "session", ""), 0);
    CHECK_INT(append_one(s, "x", "read", "resident", "2"), 0);
    store_close(s);
    CHECK_INT(raw_int(path, "SELECT user_id IS NULL FROM audit WHERE seq = 2"), 1);
    CHECK_INT(raw_exec(path,
                       "DROP TRIGGER audit_no_update;"
                       "UPDATE audit SET user_id = 42 WHERE seq = 2",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 2);
}

TEST(tamper_deleted_middle_row)
{
    const char *path = chain_db("tamper-middle.db", 5);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 3);
    CHECK_INT(v.checked, 2);
    CHECK_CONTAINS(v.err.message, "missing");
}

TEST(tamper_deleted_first_row)
{
    const char *path = chain_db("tamper-first.db", 4);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 1",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 1);
    CHECK_INT(v.checked, 0);
}

TEST(tamper_deleted_last_row)
{
    const char *path = chain_db("tamper-last.db", 5);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 5",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 5);
    CHECK_INT(v.checked, 4);
    CHECK_CONTAINS(v.err.message, "head");
}

TEST(tamper_deleted_every_row)
{
    const char *path = chain_db("tamper-all.db", 3);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit", NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 1);
    CHECK_INT(v.checked, 0);
}

TEST(tamper_moved_seq)
{
    /* The last record renumbered past a gap. */
    const char *path = chain_db("tamper-seq.db", 5);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path, "DROP TRIGGER audit_no_update; UPDATE audit SET seq = 7 WHERE seq = 5",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 5);
    CHECK_INT(v.checked, 4);
}

TEST(tamper_swapped_rows)
{
    /* Records 2 and 3 trade places: every seq is present, but the links are wrong. */
    const char *path = chain_db("tamper-swap.db", 5);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path,
                       "DROP TRIGGER audit_no_update;"
                       "UPDATE audit SET seq = 100 WHERE seq = 2;"
                       "UPDATE audit SET seq = 2 WHERE seq = 3;"
                       "UPDATE audit SET seq = 3 WHERE seq = 100;",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 2);
    CHECK_INT(v.checked, 1);
}

TEST(tamper_forged_row_at_end_wrong_link)
{
    const char *path = chain_db("tamper-forge-link.db", 4);
    CHECK(path != NULL);
    /* Record 5 links to record 3 instead of 4. */
    CHECK_INT(raw_exec(path,
                       "INSERT INTO audit (seq, at, user_id, username, role, action,"
                       " resource_type, resource_id, client, outcome, prev_hash, hash)"
                       " SELECT 5, at, user_id, username, role, action, resource_type,"
                       " '99', client, outcome, hash, hash FROM audit WHERE seq = 3",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 5);
    CHECK_INT(v.checked, 4);
    CHECK_CONTAINS(v.err.message, "link");
}

TEST(tamper_forged_row_at_end_right_link)
{
    const char *path = chain_db("tamper-forge-hash.db", 4);
    CHECK(path != NULL);
    /* Record 5 links to record 4 but its own hash is not of its contents. */
    CHECK_INT(raw_exec(path,
                       "INSERT INTO audit (seq, at, user_id, username, role, action,"
                       " resource_type, resource_id, client, outcome, prev_hash, hash)"
                       " SELECT 5, at, user_id, username, role, action, resource_type,"
                       " '99', client, outcome, hash, prev_hash FROM audit WHERE seq = 4",
                       NULL, 0),
              SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.bad_seq, 5);
    CHECK_INT(v.checked, 4);
}

TEST(tamper_forged_row_before_chain)
{
    /* A record slipped in ahead of the first one (seq 0) is out of order too. */
    const char *path = chain_db("tamper-forge-zero.db", 3);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path,
                       "INSERT INTO audit (seq, at, user_id, username, role, action,"
                       " resource_type, resource_id, client, outcome, prev_hash, hash)"
                       " SELECT 0, at, user_id, username, role, action, resource_type,"
                       " '99', client, outcome, prev_hash, hash FROM audit WHERE seq = 1",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(raw_int(path, "SELECT COUNT(*) FROM audit"), 4);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_INT(v.err.code, YL_ESTORE);
    CHECK_INT(v.bad_seq, 0);
}

TEST(tamper_head_moved_back)
{
    const char *path = chain_db("tamper-head.db", 4);
    CHECK(path != NULL);
    CHECK_INT(raw_exec(path, "UPDATE audit_head SET seq = 3", NULL, 0), SQLITE_OK);
    struct verdict v = verify_file(path);
    CHECK_INT(v.rc, YL_ESTORE);
    CHECK_CONTAINS(v.err.message, "head");
}

/* ------------------------------------------------------------------ group commit */

#define READ_THREADS 4
#define READS_PER_THREAD 1250

struct reader {
    struct audit_log *log;
    int index;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    char user[16];
    snprintf(user, sizeof(user), "reader%d", r->index);
    struct audit_actor who = {r->index + 1, user, "family_doctor", "10.1.1.1"};
    for (int i = 0; i < READS_PER_THREAD; i++) {
        char rid[32];
        snprintf(rid, sizeof(rid), "%d-%d", r->index, i);
        struct audit_event ev = {"read", "resident", rid, "ok"};
        audit_log_read(r->log, &who, &ev);
    }
    return NULL;
}

TEST(group_commit_from_threads)
{
    const char *path = ts_path("group.db");
    struct store *s = open_store(path);
    CHECK(s != NULL);
    CHECK_INT(append_one(s, "before", "create", "user", "1"), 0);
    CHECK_INT(append_one(s, "before", "create", "user", "2"), 0);
    int64_t base = audit_rows(s);
    CHECK_INT(base, 2);

    struct audit_log *log = audit_log_new(s, 5);
    CHECK(log != NULL);
    pthread_t threads[READ_THREADS];
    struct reader readers[READ_THREADS];
    int started = 0;
    for (int i = 0; i < READ_THREADS; i++) {
        readers[i].log = log;
        readers[i].index = i;
        if (pthread_create(&threads[i], NULL, reader_main, &readers[i]) == 0)
            started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    struct yl_err err = {0};
    int rc = audit_log_flush(log, &err);
    int64_t after_flush = audit_rows(s);
    audit_log_free(log);
    CHECK_INT(started, READ_THREADS);
    CHECK_INT(rc, 0);
    CHECK_INT(after_flush, base + READ_THREADS * READS_PER_THREAD);
    CHECK_INT(audit_rows(s), base + READ_THREADS * READS_PER_THREAD);

    int64_t checked = 0, bad = -1;
    CHECK_INT(audit_verify(s, &checked, &bad, &err), 0);
    CHECK_INT(checked, base + READ_THREADS * READS_PER_THREAD);
    CHECK_INT(bad, 0);
    store_close(s);

    /* Every record arrived once: no loss, no duplicate. */
    CHECK_INT(raw_int(path, "SELECT COUNT(DISTINCT resource_id) FROM audit WHERE action = 'read'"),
              READ_THREADS * READS_PER_THREAD);
    CHECK_INT(raw_int(path, "SELECT COUNT(*) FROM audit WHERE username = 'reader3'"),
              READS_PER_THREAD);
    CHECK_INT(raw_int(path, "SELECT MAX(seq) FROM audit"), base + READ_THREADS * READS_PER_THREAD);
    /* Each thread's records keep their order. */
    CHECK_INT(raw_int(path,
                      "SELECT COUNT(*) FROM audit a JOIN audit b"
                      " ON a.username = b.username AND a.action = 'read' AND b.action = 'read'"
                      " AND a.seq < b.seq AND a.user_id = 1"
                      " AND CAST(substr(a.resource_id, 3) AS INTEGER)"
                      "   > CAST(substr(b.resource_id, 3) AS INTEGER)"),
              0);
}

TEST(log_free_flushes_queue)
{
    const char *path = ts_path("free.db");
    struct store *s = open_store(path);
    CHECK(s != NULL);
    /* A long flush interval, so the records are still queued when free is called. */
    struct audit_log *log = audit_log_new(s, 2000);
    struct audit_actor who = {3, "late", "analyst", "10.2.2.2"};
    for (int i = 0; i < 100; i++) {
        char rid[16];
        snprintf(rid, sizeof(rid), "%d", i);
        struct audit_event ev = {"list", "indicator", rid, "ok"};
        audit_log_read(log, &who, &ev);
    }
    audit_log_free(log);
    audit_log_free(NULL);
    store_close(s);

    s = open_store(path);
    CHECK(s != NULL);
    CHECK_INT(audit_rows(s), 100);
    struct yl_err err = {0};
    int64_t checked = 0, bad = -1;
    CHECK_INT(audit_verify(s, &checked, &bad, &err), 0);
    CHECK_INT(checked, 100);
    store_close(s);
}

TEST(log_free_gives_up_when_store_refuses)
{
    /* The store refuses every audit row: free must report, give up and return, without
     * hanging or leaking the batch it could not write (LeakSanitizer checks the latter). */
    const char *path = ts_path("refuse.db");
    struct store *s = open_store(path);
    CHECK(s != NULL);
    CHECK_INT(raw_exec(path,
                       "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit"
                       " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;",
                       NULL, 0),
              SQLITE_OK);
    struct audit_log *log = audit_log_new(s, 2000);
    struct audit_actor who = {3, "late", "analyst", "10.2.2.2"};
    struct audit_event ev = {"read", "resident", "1", "ok"};
    for (int i = 0; i < 10; i++)
        audit_log_read(log, &who, &ev);
    audit_log_free(log);
    CHECK_INT(audit_rows(s), 0);
    store_close(s);
}

TEST(log_flush_with_nothing_queued)
{
    struct store *s = open_store(ts_path("empty-flush.db"));
    CHECK(s != NULL);
    struct audit_log *log = audit_log_new(s, 5);
    struct yl_err err = {0};
    CHECK_INT(audit_log_flush(log, &err), 0);
    audit_log_free(log);
    CHECK_INT(audit_rows(s), 0);
    store_close(s);
}

/* ------------------------------------------------------------------ listing */

/* Records 1..7 with a known mix of users and resources. */
static int list_fixture(struct store *s)
{
    static const char *const rows[][3] = {
        {"alice", "user", "1"},     /* 1 */
        {"bob", "resident", "7"},   /* 2 */
        {"alice", "resident", "7"}, /* 3 */
        {"alice", "resident", "8"}, /* 4 */
        {"carol", "session", "2"},  /* 5 */
        {"alice", "resident", "7"}, /* 6 */
        {"bob", "resident", "70"},  /* 7 */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (append_one(s, rows[i][0], "read", rows[i][1], rows[i][2]) != 0)
            return -1;
    return 0;
}

/* The seqs of a listing as "6,4,3,1". */
static const char *seqs(const struct audit_record *r, int n, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%" PRId64, i ? "," : "", r[i].seq);
    return out;
}

TEST(list_filters_newest_first)
{
    struct store *s = open_store(ts_path("list.db"));
    CHECK(s != NULL);
    CHECK_INT(list_fixture(s), 0);
    struct audit_record recs[16];
    struct yl_err err = {0};
    char text[64];

    struct audit_filter all = {.limit = 16};
    CHECK_INT(audit_list(s, &all, recs, &err), 7);
    CHECK_STR(seqs(recs, 7, text, sizeof(text)), "7,6,5,4,3,2,1");

    struct audit_filter by_user = {.username = "alice", .limit = 16};
    CHECK_INT(audit_list(s, &by_user, recs, &err), 4);
    CHECK_STR(seqs(recs, 4, text, sizeof(text)), "6,4,3,1");

    struct audit_filter by_type = {.resource_type = "resident", .limit = 16};
    CHECK_INT(audit_list(s, &by_type, recs, &err), 5);
    CHECK_STR(seqs(recs, 5, text, sizeof(text)), "7,6,4,3,2");

    /* The id matches exactly: "7" is not "70". */
    struct audit_filter by_id = {.resource_type = "resident", .resource_id = "7", .limit = 16};
    CHECK_INT(audit_list(s, &by_id, recs, &err), 3);
    CHECK_STR(seqs(recs, 3, text, sizeof(text)), "6,3,2");

    struct audit_filter both = {.username = "bob", .resource_id = "7", .limit = 16};
    CHECK_INT(audit_list(s, &both, recs, &err), 1);
    CHECK_INT(recs[0].seq, 2);

    struct audit_filter none = {.username = "nobody", .limit = 16};
    CHECK_INT(audit_list(s, &none, recs, &err), 0);

    /* Fields come back as written. */
    struct audit_filter one = {.resource_type = "session", .limit = 16};
    CHECK_INT(audit_list(s, &one, recs, &err), 1);
    CHECK_INT(recs[0].seq, 5);
    CHECK_STR(recs[0].username, "carol");
    CHECK_INT(recs[0].user_id, 42);
    CHECK_STR(recs[0].role, "admin");
    CHECK_STR(recs[0].action, "read");
    CHECK_STR(recs[0].resource_id, "2");
    CHECK_STR(recs[0].client, "127.0.0.1");
    CHECK_STR(recs[0].outcome, "ok");
    CHECK_INT(strlen(recs[0].at), 24);
    CHECK_INT(recs[0].at[23], 'Z');
    CHECK(is_hex64(recs[0].hash));
    CHECK(is_hex64(recs[0].prev_hash));
    store_close(s);
}

TEST(list_pages_with_before_seq)
{
    struct store *s = open_store(ts_path("list-pages.db"));
    CHECK(s != NULL);
    CHECK_INT(list_fixture(s), 0);
    struct audit_record recs[4];
    struct yl_err err = {0};
    char text[64];

    struct audit_filter f = {.username = "alice", .limit = 2};
    CHECK_INT(audit_list(s, &f, recs, &err), 2);
    CHECK_STR(seqs(recs, 2, text, sizeof(text)), "6,4");
    f.before_seq = recs[1].seq;
    CHECK_INT(audit_list(s, &f, recs, &err), 2);
    CHECK_STR(seqs(recs, 2, text, sizeof(text)), "3,1");
    f.before_seq = recs[1].seq;
    CHECK_INT(audit_list(s, &f, recs, &err), 0);

    struct audit_filter g = {.before_seq = 5, .limit = 3};
    CHECK_INT(audit_list(s, &g, recs, &err), 3);
    CHECK_STR(seqs(recs, 3, text, sizeof(text)), "4,3,2");
    store_close(s);
}

TEST(list_time_window)
{
    struct store *s = open_store(ts_path("list-time.db"));
    CHECK(s != NULL);
    CHECK_INT(list_fixture(s), 0);
    struct audit_record recs[16];
    struct yl_err err = {0};
    struct audit_filter past = {.to = "2000-01-01", .limit = 16};
    CHECK_INT(audit_list(s, &past, recs, &err), 0);
    struct audit_filter since = {.from = "2000-01-01", .limit = 16};
    CHECK_INT(audit_list(s, &since, recs, &err), 7);
    struct audit_filter future = {.from = "2999-01-01", .limit = 16};
    CHECK_INT(audit_list(s, &future, recs, &err), 0);
    store_close(s);
}

TEST_MAIN()
