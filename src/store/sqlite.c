/*
 * sqlite.c - the SQLite backend of store.h.
 *
 * Each connection opens the file in WAL mode with synchronous=FULL (a commit is on disk when
 * it returns), foreign keys on and a busy timeout, and prepares statements from the catalogue
 * on first use. A fixed pool of connections serves the server's threads; a thread waits on a
 * condition variable when all are taken.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "store_int.h"

struct store_stmt {
    sqlite3_stmt *stmt;
    struct store_conn *conn;
    int done;   /* stepped to its end: stepping again would run it a second time */
};

struct store_conn {
    struct store *store;
    sqlite3 *db;
    int in_use;
    struct store_stmt stmts[STORE_SQL_COUNT];
    /* Savepoint statements, prepared once: an import takes one per record, and parsing
     * "SAVEPOINT" each time costs as much as the record's own insert. */
    sqlite3_stmt *sp_begin, *sp_release, *sp_rollback;
};

struct store {
    char *path;
    struct store_options opt;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct store_conn *conns;   /* opt.pool_size of them; db NULL until first used */
};

static int sqlite_error(sqlite3 *db, int rc, const char *what, struct yl_err *err)
{
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return yl_err_set(err, YL_ECONFLICT, NULL, "%s: already exists", what);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return yl_err_set(err, YL_EINVAL, NULL, "%s: refers to a record that does not exist",
                          what);
    default:
        break;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return yl_err_set(err, YL_EINVAL, NULL, "%s: %s", what, msg);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return yl_err_set(err, YL_EBUSY, NULL, "%s: database is busy", what);
    return yl_err_set(err, YL_ESTORE, NULL, "%s: %s", what, msg);
}

static int conn_exec(sqlite3 *db, const char *sql, struct yl_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int code = sqlite_error(db, rc, "statement failed", err);
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static int conn_open(struct store *s, struct store_conn *c, struct yl_err *err)
{
    int flags = SQLITE_OPEN_NOMUTEX |
                (s->opt.read_only ? SQLITE_OPEN_READONLY
                                  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        int code = yl_err_set(err, YL_ESTORE, "db", "cannot open database \"%s\": %s",
                              s->path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        c->db = NULL;
        return code;
    }
    sqlite3_busy_timeout(c->db, s->opt.busy_timeout_ms);
    sqlite3_extended_result_codes(c->db, 1);
    const char *setup = s->opt.read_only      ? "PRAGMA foreign_keys = ON;"
                        : s->opt.relaxed_sync ? "PRAGMA journal_mode = WAL;"
                                                "PRAGMA synchronous = NORMAL;"
                                                "PRAGMA temp_store = MEMORY;"
                                                "PRAGMA foreign_keys = ON;"
                                              : "PRAGMA journal_mode = WAL;"
                                                "PRAGMA synchronous = FULL;"
                                                "PRAGMA temp_store = MEMORY;"
                                                "PRAGMA foreign_keys = ON;";
    rc = conn_exec(c->db, setup, err);
    if (rc == 0 && s->opt.cache_mb > 0) {
        /* The page cache per connection: bulk imports into large tables with random-key
         * indexes run at the speed of their cache misses. */
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", s->opt.cache_mb * 1024);
        rc = conn_exec(c->db, pragma, err);
    }
    if (rc != 0) {
        sqlite3_close(c->db);
        c->db = NULL;
        return rc;
    }
    c->store = s;
    return 0;
}

static void conn_close(struct store_conn *c)
{
    sqlite3_finalize(c->sp_begin);
    sqlite3_finalize(c->sp_release);
    sqlite3_finalize(c->sp_rollback);
    c->sp_begin = c->sp_release = c->sp_rollback = NULL;
    for (int i = 0; i < STORE_SQL_COUNT; i++) {
        sqlite3_finalize(c->stmts[i].stmt);
        c->stmts[i].stmt = NULL;
    }
    sqlite3_close(c->db);
    c->db = NULL;
}

/* Once per process, before SQLite initialises: no global memory statistics, whose mutex
 * every allocation would otherwise take (imports allocate per page). */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;

static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, const struct store_options *opt, struct store **out,
               struct yl_err *err)
{
    pthread_once(&sqlite_configured, sqlite_configure);
    struct store *s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    if (opt != NULL)
        s->opt = *opt;
    if (s->opt.pool_size <= 0)
        s->opt.pool_size = 8;
    if (s->opt.busy_timeout_ms <= 0)
        s->opt.busy_timeout_ms = 5000;
    if (s->opt.cache_mb <= 0)
        s->opt.cache_mb = 64;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    s->conns = xcalloc((size_t)s->opt.pool_size, sizeof(*s->conns));
    /* Open the first connection now so a bad path fails here, not on first use. */
    int rc = conn_open(s, &s->conns[0], err);
    if (rc != 0) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->opt.pool_size; i++) {
        if (s->conns[i].db != NULL)
            conn_close(&s->conns[i]);
    }
    free(s->conns);
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
}

const char *store_path(const struct store *s)
{
    return s->path;
}

struct store_conn *store_acquire(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    for (;;) {
        /* Prefer an open idle connection; open a new one only when none is idle. */
        struct store_conn *closed = NULL;
        for (int i = 0; i < s->opt.pool_size; i++) {
            struct store_conn *c = &s->conns[i];
            if (c->in_use)
                continue;
            if (c->db != NULL) {
                c->in_use = 1;
                pthread_mutex_unlock(&s->lock);
                return c;
            }
            if (closed == NULL)
                closed = c;
        }
        if (closed != NULL) {
            closed->in_use = 1;
            pthread_mutex_unlock(&s->lock);
            struct yl_err err = {0};
            if (conn_open(s, closed, &err) != 0) {
                /* The file opened once already; failing now means the machine is out of
                 * descriptors or memory, which we treat like out of memory. */
                fprintf(stderr, "yilian: cannot open another database connection: %s\n",
                        yl_err_message(&err));
                abort();
            }
            return closed;
        }
        pthread_cond_wait(&s->freed, &s->lock);
    }
}

void store_release(struct store_conn *c)
{
    if (c == NULL)
        return;
    struct store *s = c->store;
    /* A connection returned inside a transaction (an error path that forgot) is rolled back
     * so the next user starts clean. */
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_lock(&s->lock);
    c->in_use = 0;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

int store_begin(struct store_conn *c, enum store_tx kind, struct yl_err *err)
{
    return conn_exec(c->db, kind == STORE_WRITE ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

int store_write_begin(struct store *s, struct store_conn **out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_WRITE, err);
    if (rc != 0) {
        store_release(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

int store_commit(struct store_conn *c, struct yl_err *err)
{
    int rc = conn_exec(c->db, "COMMIT", err);
    if (rc != 0)
        store_rollback(c);
    return rc;
}

void store_rollback(struct store_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a cached one-off statement (prepared on first use). */
static int run_cached(struct store_conn *c, sqlite3_stmt **st, const char *sql,
                      struct yl_err *err)
{
    if (*st == NULL && sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                                          NULL) != SQLITE_OK)
        return sqlite_error(c->db, sqlite3_errcode(c->db), "savepoint", err);
    int rc = sqlite3_step(*st);
    sqlite3_reset(*st);
    if (rc != SQLITE_DONE)
        return sqlite_error(c->db, rc, "savepoint", err);
    return 0;
}

int store_savepoint(struct store_conn *c, struct yl_err *err)
{
    return run_cached(c, &c->sp_begin, "SAVEPOINT unit", err);
}

int store_savepoint_release(struct store_conn *c, struct yl_err *err)
{
    return run_cached(c, &c->sp_release, "RELEASE unit", err);
}

void store_savepoint_rollback(struct store_conn *c)
{
    /* ROLLBACK TO keeps the savepoint open; the release after it closes it. */
    run_cached(c, &c->sp_rollback, "ROLLBACK TO unit", NULL);
    run_cached(c, &c->sp_release, "RELEASE unit", NULL);
}

struct store_stmt *store_stmt(struct store_conn *c, enum store_sql id)
{
    struct store_stmt *st = &c->stmts[id];
    if (st->stmt == NULL) {
        int rc = sqlite3_prepare_v3(c->db, store_sql_text(id), -1, SQLITE_PREPARE_PERSISTENT,
                                    &st->stmt, NULL);
        /* The catalogue is ours and the schema is migrated before use, so a statement that
         * does not prepare is a bug, not a user error. */
        if (rc != SQLITE_OK) {
            fprintf(stderr, "yilian: statement %d does not prepare: %s\n", (int)id,
                    sqlite3_errmsg(c->db));
            abort();
        }
        st->conn = c;
    } else {
        sqlite3_reset(st->stmt);
        sqlite3_clear_bindings(st->stmt);
    }
    st->done = 0;
    return st;
}

void store_bind_int(struct store_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(st->stmt, idx, v);
}

void store_bind_double(struct store_stmt *st, int idx, double v)
{
    sqlite3_bind_double(st->stmt, idx, v);
}

void store_bind_text(struct store_stmt *st, int idx, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(st->stmt, idx);
    else
        sqlite3_bind_text(st->stmt, idx, s, -1, SQLITE_TRANSIENT);
}

void store_bind_textn(struct store_stmt *st, int idx, const char *s, size_t n)
{
    sqlite3_bind_text64(st->stmt, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void store_bind_null(struct store_stmt *st, int idx)
{
    sqlite3_bind_null(st->stmt, idx);
}

int store_step(struct store_stmt *st, struct yl_err *err)
{
    if (st->done)
        return STORE_DONE;
    int rc = sqlite3_step(st->stmt);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE) {
        st->done = 1;
        return STORE_DONE;
    }
    st->done = 1;
    int code = sqlite_error(st->conn->db, rc, "write refused", err);
    sqlite3_reset(st->stmt);
    return code;
}

int store_exec(struct store_stmt *st, struct yl_err *err)
{
    int rc;
    do
        rc = store_step(st, err);
    while (rc == STORE_ROW);
    sqlite3_reset(st->stmt);
    /* Reset, it could run again; but until store_stmt hands it out anew, a further
     * store_step or store_exec is the end of the same run, not a second run. */
    return rc;
}

int64_t store_col_int(struct store_stmt *st, int col)
{
    return sqlite3_column_int64(st->stmt, col);
}

double store_col_double(struct store_stmt *st, int col)
{
    return sqlite3_column_double(st->stmt, col);
}

const char *store_col_text(struct store_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st->stmt, col);
    return t ? (const char *)t : "";
}

bool store_col_is_null(struct store_stmt *st, int col)
{
    return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

int64_t store_changes(struct store_conn *c)
{
    return sqlite3_changes64(c->db);
}

/* --- migrations ------------------------------------------------------------------------ */

int store_script(struct store_conn *c, const char *sql, struct yl_err *err)
{
    return conn_exec(c->db, sql, err);
}

static int schema_version_on(struct store_conn *c, struct yl_err *err)
{
    int rc = conn_exec(c->db,
                       "CREATE TABLE IF NOT EXISTS schema_migration ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL)",
                       err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_MIGRATION_VERSION);
    rc = store_step(st, err);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : yl_err_set(err, YL_ESTORE, NULL, "cannot read schema version");
    int v = (int)store_col_int(st, 0);
    sqlite3_reset(st->stmt);
    return v;
}

int store_schema_version(struct store *s, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    int v = schema_version_on(c, err);
    store_release(c);
    return v;
}

static void utc_now_text(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int store_migrate(struct store *s, int *applied, struct yl_err *err)
{
    size_t n;
    const struct store_migration *m = store_migrations(&n);
    struct store_conn *c = store_acquire(s);
    int count = 0;
    int rc = schema_version_on(c, err);
    if (rc < 0)
        goto out;
    int current = rc;
    rc = 0;
    if (current > store_schema_latest()) {
        rc = yl_err_set(err, YL_ESTORE, "db",
                        "database schema %d is newer than this yilian knows (%d); "
                        "run a newer yilian",
                        current, store_schema_latest());
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (m[i].version <= current)
            continue;
        rc = store_begin(c, STORE_WRITE, err);
        if (rc != 0)
            goto out;
        rc = conn_exec(c->db, m[i].sql, err);
        if (rc == 0) {
            char now[32];
            utc_now_text(now, sizeof(now));
            struct store_stmt *st = store_stmt(c, STORE_SQL_MIGRATION_RECORD);
            store_bind_int(st, 1, m[i].version);
            store_bind_text(st, 2, m[i].name);
            store_bind_text(st, 3, now);
            rc = store_exec(st, err);
        }
        if (rc == 0)
            rc = store_commit(c, err);
        if (rc != 0) {
            store_rollback(c);
            goto out;
        }
        count++;
    }
    rc = store_script(c, STORE_SCRIPT_ENSURE, err);
out:
    store_release(c);
    if (applied != NULL)
        *applied = count;
    return rc;
}

/* --- backup, restore, integrity -------------------------------------------------------- */

static int copy_database(sqlite3 *from, sqlite3 *to, struct yl_err *err)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (b == NULL)
        return sqlite_error(to, sqlite3_errcode(to), "backup", err);
    /* One step copies the whole file under one read snapshot: in WAL mode writers go on,
     * and the copy is exactly the state at the moment the step began. */
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return sqlite_error(to, rc, "backup", err);
    if (fin != SQLITE_OK)
        return sqlite_error(to, fin, "backup", err);
    return 0;
}

/* True when `a` and `b` name the same existing file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Make a finished rename durable: sync the folder that holds `path`. */
static void sync_parent_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int store_backup(struct store *s, const char *dest, struct yl_err *err)
{
    if (same_file(dest, s->path))
        return yl_err_set(err, YL_EINVAL, "file", "the backup cannot be the database itself");
    /* Copy into a temporary file beside the destination and rename it into place only when
     * complete, so a failed backup never destroys an earlier good one at that path. */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.partial-%ld", dest, (long)getpid());
    remove(tmp);
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = yl_err_set(err, YL_EIO, "file", "cannot create backup file \"%s\"", dest);
        sqlite3_close(out);
        return rc;
    }
    struct store_conn *c = store_acquire(s);
    rc = copy_database(c->db, out, err);
    store_release(c);
    /* A stand-alone copy: one file in rollback-journal mode, synced on commit. */
    if (rc == 0)
        rc = conn_exec(out, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL", err);
    sqlite3_close(out);
    if (rc == 0 && rename(tmp, dest) != 0)
        rc = yl_err_set(err, YL_EIO, "file", "cannot write backup file \"%s\"", dest);
    if (rc != 0) {
        remove(tmp);
        return rc;
    }
    sync_parent_dir(dest);
    return 0;
}

/* A file worth restoring passes a quick check and holds our schema. An empty file opens as
 * an empty database and another program's database opens too; either would replace the live
 * data with nothing, so both are refused along with files that are no database at all. */
static bool backup_usable(sqlite3 *in)
{
    sqlite3_stmt *st = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(in, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        ok = r != NULL && strcmp(r, "ok") == 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (ok)
        ok = sqlite3_prepare_v2(in, store_sql_text(STORE_SQL_MIGRATION_VERSION), -1, &st,
                                NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return ok;
}

int store_restore(struct store *s, const char *src, struct yl_err *err)
{
    sqlite3 *in = NULL;
    int rc = sqlite3_open_v2(src, &in, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        rc = yl_err_set(err, YL_EIO, "file", "cannot open backup file \"%s\"", src);
        sqlite3_close(in);
        return rc;
    }
    if (!backup_usable(in)) {
        sqlite3_close(in);
        return yl_err_set(err, YL_EINVAL, "file", "\"%s\" is not a yilian database", src);
    }
    struct store_conn *c = store_acquire(s);
    rc = copy_database(in, c->db, err);
    store_release(c);
    sqlite3_close(in);
    return rc;
}

int store_check_integrity(struct store *s, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        rc = r && strcmp(r, "ok") == 0
                 ? 0
                 : yl_err_set(err, YL_ESTORE, NULL, "integrity check: %s", r ? r : "?");
    } else {
        rc = sqlite_error(c->db, rc, "integrity check", err);
    }
    sqlite3_finalize(st);
    store_release(c);
    return rc;
}
