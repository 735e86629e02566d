/*
 * audit.h - the append-only, hash-chained audit trail.
 *
 * Every read or write of a person's data leaves a record: time, user, role, action,
 * resource type and id, client address, outcome. Record n stores hash_n =
 * BLAKE2b-256(hash_{n-1} || canonical(record_n)), so editing, deleting or inserting a row out
 * of order breaks the chain at that row, and audit_verify names it.
 *
 * Writes carry their audit record inside their own transaction (audit_append). Reads are
 * queued (audit_log_read) and group-committed by a background thread every few milliseconds
 * or few thousand records, so a read never pays an fsync of its own.
 */
#ifndef YL_AUDIT_H
#define YL_AUDIT_H

#include <stdint.h>

struct yl_err;
struct store;
struct store_conn;

/* Who acts. Borrowed strings. user_id 0 means anonymous (a failed login, the CLI). */
struct audit_actor {
    int64_t user_id;
    const char *username;
    const char *role;
    const char *client;     /* client address, or "cli" */
};

/* One event. Borrowed strings; resource_id may be "" and never holds personal data
 * (record ids, not ID numbers). */
struct audit_event {
    const char *action;         /* "read", "create", "update", "login", "list", ... */
    const char *resource_type;  /* "user", "resident", "session", ... */
    const char *resource_id;
    const char *outcome;        /* "ok", "denied", "failed" */
};

#define AUDIT_HASH_HEX 65   /* 64 hex digits + NUL */

/* A stored record, as read back (strings owned by the caller's arena or buffer). */
struct audit_record {
    int64_t seq;
    char at[32];
    int64_t user_id;
    char username[64];
    char role[32];
    char action[32];
    char resource_type[32];
    char resource_id[64];
    char client[64];
    char outcome[16];
    char prev_hash[AUDIT_HASH_HEX];
    char hash[AUDIT_HASH_HEX];
};

/* Append one record inside the caller's open write transaction on `c`. */
int audit_append(struct store_conn *c, const struct audit_actor *who,
                 const struct audit_event *what, struct yl_err *err);

/* End a write begun with store_write_begin: when rc is 0, append the audit record and
 * commit; otherwise (or if either fails) roll back. Gives the connection back. Returns the
 * final code. This is how every audited write ends. */
int audit_finish_write(struct store_conn *c, const struct audit_actor *who,
                       const struct audit_event *what, int rc, struct yl_err *err);

/* The read log: a queue and its flushing thread. */
struct audit_log;
/* Start the flusher. flush_ms is the longest a queued record waits (default 5). */
struct audit_log *audit_log_new(struct store *s, int flush_ms);
/* Queue a record; it is durable after the next flush. Copies its strings. */
void audit_log_read(struct audit_log *log, const struct audit_actor *who,
                    const struct audit_event *what);
/* Write everything queued so far and wait until it is committed. */
int audit_log_flush(struct audit_log *log, struct yl_err *err);
/* Flush, stop the thread, free. NULL does nothing. */
void audit_log_free(struct audit_log *log);

/* Walk the whole chain. On success *checked holds the count of records. On a broken link
 * returns YL_ESTORE with *bad_seq the first record that does not verify and a message
 * saying why (hash mismatch, sequence gap, chain cut short). */
int audit_verify(struct store *s, int64_t *checked, int64_t *bad_seq, struct yl_err *err);

/* Filters for audit_list; empty strings match everything. */
struct audit_filter {
    const char *username;
    const char *resource_type;
    const char *resource_id;
    const char *from;       /* RFC 3339 prefix, inclusive */
    const char *to;         /* exclusive */
    int64_t before_seq;     /* 0: newest first from the end */
    int limit;
};

/* Newest first. Fills up to f->limit records; returns the count or a negative code. */
int audit_list(struct store *s, const struct audit_filter *f, struct audit_record *out,
               struct yl_err *err);

/* Current UTC time as RFC 3339 with milliseconds ("2026-11-22T12:00:00.123Z"). */
void audit_now_rfc3339(char out[32]);

#endif
