/*
 * store.h - the one interface to durable storage.
 *
 * The store is the source of truth: every write happens in a transaction that is durable
 * when store_commit returns (SQLite WAL with synchronous=FULL; PostgreSQL commit later).
 * SQL lives only here, in the statement catalogue (store_sql.h / sql.c) written in the
 * portable subset both backends accept; callers name a statement, bind values and read
 * columns, so no SQL is ever built from input. A backend (struct store_ops, store_int.h)
 * is the one seam: SQLite now, PostgreSQL through the same calls later.
 *
 * Threads: a struct store is shared; each thread takes a connection with store_acquire and
 * gives it back with store_release. A connection and its statements belong to one thread at
 * a time.
 */
#ifndef YL_STORE_H
#define YL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_sql.h"

struct yl_err;
struct store;
struct store_conn;
struct store_stmt;

struct store_options {
    int pool_size;          /* connections kept open; default 8 */
    int busy_timeout_ms;    /* how long a writer waits for the lock; default 5000 */
    int read_only;          /* open without creating or writing */
    int cache_mb;           /* page cache of each connection; default 64 */
    int relaxed_sync;       /* synchronous=NORMAL: a commit survives the process dying, not the
                             * machine losing power. Only for building a database from
                             * nothing that is thrown away when the build fails (the demo). */
};

/* Open (creating when absent) the database at `path`. Does not migrate. */
int store_open(const char *path, const struct store_options *opt, struct store **out,
               struct yl_err *err);
/* Close every connection; NULL does nothing. All connections must have been released. */
void store_close(struct store *s);
const char *store_path(const struct store *s);

/* Apply every migration newer than the database, each in its own transaction. Refuses a
 * database whose schema is newer than this program knows. *applied counts the new ones. */
int store_migrate(struct store *s, int *applied, struct yl_err *err);
/* Schema version of the database (0 for an empty one) and the newest this program knows. */
int store_schema_version(struct store *s, struct yl_err *err);
int store_schema_latest(void);

/* Run a script of the catalogue (STORE_SCRIPT_*: DDL such as building the search indexes
 * again after a bulk import), in the caller's transaction when one is open. */
int store_script(struct store_conn *c, const char *sql, struct yl_err *err);

/* Take a connection (waits while all are in use) and give it back. */
struct store_conn *store_acquire(struct store *s);
void store_release(struct store_conn *c);

/* Transactions. A write transaction takes the write lock at BEGIN, so two writers never
 * deadlock on upgrade. Commit is durable when it returns 0. Rollback never fails visibly. */
enum store_tx { STORE_READ = 0, STORE_WRITE = 1 };
int store_begin(struct store_conn *c, enum store_tx kind, struct yl_err *err);
int store_commit(struct store_conn *c, struct yl_err *err);
/* Take a connection and begin a write transaction on it. On failure the connection is
 * already given back and *out is NULL. */
int store_write_begin(struct store *s, struct store_conn **out, struct yl_err *err);
void store_rollback(struct store_conn *c);
/* Savepoints inside a transaction: a unit (one import row) that can be undone alone. */
int store_savepoint(struct store_conn *c, struct yl_err *err);
int store_savepoint_release(struct store_conn *c, struct yl_err *err);
void store_savepoint_rollback(struct store_conn *c);

/*
 * Statements. store_stmt returns the connection's prepared statement for `id`, reset and
 * with its bindings cleared; it runs once per store_stmt call (stepping it after its end, or
 * store_exec after store_step reached the end, finishes that run instead of starting
 * another). Parameters are numbered from 1, columns from 0. Text passed to
 * a bind is copied. Text read from a column is valid until the next step or reset.
 */
struct store_stmt *store_stmt(struct store_conn *c, enum store_sql id);
void store_bind_int(struct store_stmt *st, int idx, int64_t v);
void store_bind_double(struct store_stmt *st, int idx, double v);
void store_bind_text(struct store_stmt *st, int idx, const char *s);   /* NULL binds NULL */
void store_bind_textn(struct store_stmt *st, int idx, const char *s, size_t n);
void store_bind_null(struct store_stmt *st, int idx);

/* Advance: STORE_ROW (1) when a row is ready, STORE_DONE (0) at the end, or a negative
 * code: YL_ECONFLICT for a unique-constraint violation, YL_EINVAL for another constraint,
 * YL_EBUSY when the lock could not be had, YL_ESTORE otherwise. */
enum { STORE_DONE = 0, STORE_ROW = 1 };
int store_step(struct store_stmt *st, struct yl_err *err);
/* Step a statement that returns no rows (or whose rows are ignored) to completion. */
int store_exec(struct store_stmt *st, struct yl_err *err);

int64_t store_col_int(struct store_stmt *st, int col);
double store_col_double(struct store_stmt *st, int col);
const char *store_col_text(struct store_stmt *st, int col);   /* "" for NULL */
bool store_col_is_null(struct store_stmt *st, int col);

/* Rows changed by the last statement on this connection. */
int64_t store_changes(struct store_conn *c);

/* A consistent copy of the live database into `dest` (overwritten), readable while others
 * write. `restore` copies `src` over the store's own database, which no server may hold. */
int store_backup(struct store *s, const char *dest, struct yl_err *err);
int store_restore(struct store *s, const char *src, struct yl_err *err);

/* Full integrity check of the database file; YL_ESTORE with the first problem. */
int store_check_integrity(struct store *s, struct yl_err *err);

#endif
