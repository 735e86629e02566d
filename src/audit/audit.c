/*
 * audit.c - hash-chained audit records: append inside a transaction, group-commit of reads,
 * chain verification and listing.
 *
 * canonical(record) is each field as "<length>:<bytes>" in a fixed order, so no choice of
 * field contents can make two different records serialise alike. The chain starts from 64
 * zeros. The audit_head row holds the last seq and hash, so removing rows from the end is
 * caught too.
 */
#include "audit/audit.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

static const char genesis_hash[AUDIT_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void audit_now_rfc3339(char out[32])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t secs = tv.tv_sec;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)(tv.tv_usec / 1000));
}

static void put_field(crypto_generichash_state *h, const char *s)
{
    char len[24];
    size_t n = strlen(s);
    int k = snprintf(len, sizeof(len), "%zu:", n);
    crypto_generichash_update(h, (const unsigned char *)len, (size_t)k);
    crypto_generichash_update(h, (const unsigned char *)s, n);
}

/* hash of a record whose text fields are set; writes 64 hex digits into out. */
static void record_hash(const struct audit_record *r, char out[AUDIT_HASH_HEX])
{
    crypto_generichash_state h;
    unsigned char digest[32];
    char num[24];
    crypto_generichash_init(&h, NULL, 0, sizeof(digest));
    crypto_generichash_update(&h, (const unsigned char *)r->prev_hash, 64);
    snprintf(num, sizeof(num), "%" PRId64, r->seq);
    put_field(&h, num);
    put_field(&h, r->at);
    snprintf(num, sizeof(num), "%" PRId64, r->user_id);
    put_field(&h, num);
    put_field(&h, r->username);
    put_field(&h, r->role);
    put_field(&h, r->action);
    put_field(&h, r->resource_type);
    put_field(&h, r->resource_id);
    put_field(&h, r->client);
    put_field(&h, r->outcome);
    crypto_generichash_final(&h, digest, sizeof(digest));
    sodium_bin2hex(out, AUDIT_HASH_HEX, digest, sizeof(digest));
}

static void record_fill(struct audit_record *r, const struct audit_actor *who,
                        const struct audit_event *what)
{
    memset(r, 0, sizeof(*r));
    audit_now_rfc3339(r->at);
    r->user_id = who ? who->user_id : 0;
    snprintf(r->username, sizeof(r->username), "%s", who && who->username ? who->username : "");
    snprintf(r->role, sizeof(r->role), "%s", who && who->role ? who->role : "");
    snprintf(r->client, sizeof(r->client), "%s", who && who->client ? who->client : "");
    snprintf(r->action, sizeof(r->action), "%s", what->action);
    snprintf(r->resource_type, sizeof(r->resource_type), "%s", what->resource_type);
    snprintf(r->resource_id, sizeof(r->resource_id), "%s",
             what->resource_id ? what->resource_id : "");
    snprintf(r->outcome, sizeof(r->outcome), "%s", what->outcome ? what->outcome : "ok");
}

/* Chain and insert records[0..n) after the current head; caller holds a write transaction. */
static int append_records(struct store_conn *c, struct audit_record *recs, size_t n,
                          struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_AUDIT_HEAD);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    int64_t seq = 0;
    char prev[AUDIT_HASH_HEX];
    memcpy(prev, genesis_hash, AUDIT_HASH_HEX);
    if (rc == STORE_ROW) {
        seq = store_col_int(st, 0);
        snprintf(prev, sizeof(prev), "%s", store_col_text(st, 1));
    }
    store_exec(st, NULL);

    for (size_t i = 0; i < n; i++) {
        struct audit_record *r = &recs[i];
        r->seq = ++seq;
        memcpy(r->prev_hash, prev, AUDIT_HASH_HEX);
        record_hash(r, r->hash);
        st = store_stmt(c, STORE_SQL_AUDIT_INSERT);
        store_bind_int(st, 1, r->seq);
        store_bind_text(st, 2, r->at);
        if (r->user_id != 0)
            store_bind_int(st, 3, r->user_id);
        else
            store_bind_null(st, 3);
        store_bind_text(st, 4, r->username);
        store_bind_text(st, 5, r->role);
        store_bind_text(st, 6, r->action);
        store_bind_text(st, 7, r->resource_type);
        store_bind_text(st, 8, r->resource_id);
        store_bind_text(st, 9, r->client);
        store_bind_text(st, 10, r->outcome);
        store_bind_text(st, 11, r->prev_hash);
        store_bind_text(st, 12, r->hash);
        rc = store_exec(st, err);
        if (rc != 0)
            return rc;
        memcpy(prev, r->hash, AUDIT_HASH_HEX);
    }
    st = store_stmt(c, STORE_SQL_AUDIT_HEAD_SET);
    store_bind_int(st, 1, seq);
    store_bind_text(st, 2, prev);
    return store_exec(st, err);
}

int audit_append(struct store_conn *c, const struct audit_actor *who,
                 const struct audit_event *what, struct yl_err *err)
{
    struct audit_record r;
    record_fill(&r, who, what);
    return append_records(c, &r, 1, err);
}

int audit_finish_write(struct store_conn *c, const struct audit_actor *who,
                       const struct audit_event *what, int rc, struct yl_err *err)
{
    if (rc == 0)
        rc = audit_append(c, who, what, err);
    if (rc == 0)
        rc = store_commit(c, err);
    else
        store_rollback(c);
    store_release(c);
    return rc;
}

/* --- group commit of reads ------------------------------------------------------------- */

struct audit_log {
    struct store *store;
    int flush_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;        /* work queued or stop asked */
    pthread_cond_t done;        /* a flush finished */
    struct audit_record *queue;
    size_t n_queue, cap_queue;
    uint64_t queued_gen;        /* records ever queued */
    uint64_t flushed_gen;       /* records ever committed */
    int last_rc;
    int stopping;
};

#define AUDIT_BATCH_WAKE 2000   /* wake the flusher early once this many are waiting */

static void *flusher_main(void *arg)
{
    struct audit_log *log = arg;
    pthread_mutex_lock(&log->lock);
    for (;;) {
        while (log->n_queue == 0 && !log->stopping)
            pthread_cond_wait(&log->wake, &log->lock);
        if (log->n_queue == 0 && log->stopping)
            break;
        /* Let a few milliseconds of reads gather into one transaction, unless the queue is
         * already large or we are stopping. */
        if (log->n_queue < AUDIT_BATCH_WAKE && !log->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += (long)log->flush_ms * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&log->wake, &log->lock, &until);
        }
        struct audit_record *batch = log->queue;
        size_t n = log->n_queue;
        uint64_t gen = log->queued_gen;
        log->queue = NULL;
        log->n_queue = log->cap_queue = 0;
        pthread_mutex_unlock(&log->lock);

        struct yl_err err = {0};
        struct store_conn *c = store_acquire(log->store);
        int rc = store_begin(c, STORE_WRITE, &err);
        if (rc == 0)
            rc = append_records(c, batch, n, &err);
        if (rc == 0)
            rc = store_commit(c, &err);
        else
            store_rollback(c);
        store_release(c);

        pthread_mutex_lock(&log->lock);
        if (rc != 0) {
            /* Put the batch back in front and try again shortly; an audit record is never
             * dropped. */
            fprintf(stderr, "yilian: audit flush failed, will retry: %s\n",
                    yl_err_message(&err));
            size_t total = n + log->n_queue;
            struct audit_record *merged = xmalloc(total * sizeof(*merged));
            memcpy(merged, batch, n * sizeof(*merged));
            if (log->n_queue)
                memcpy(merged + n, log->queue, log->n_queue * sizeof(*merged));
            free(log->queue);
            log->queue = merged;
            log->n_queue = log->cap_queue = total;
            log->last_rc = rc;
            free(batch);
            if (log->stopping) {
                /* The store is failing while we stop: report and give up rather than hang. */
                log->flushed_gen = log->queued_gen;
                pthread_cond_broadcast(&log->done);
                break;
            }
            pthread_mutex_unlock(&log->lock);
            struct timespec pause = {0, 50 * 1000000L};
            nanosleep(&pause, NULL);
            pthread_mutex_lock(&log->lock);
        } else {
            log->flushed_gen = gen;
            log->last_rc = 0;
            pthread_cond_broadcast(&log->done);
            free(batch);
        }
    }
    pthread_mutex_unlock(&log->lock);
    return NULL;
}

struct audit_log *audit_log_new(struct store *s, int flush_ms)
{
    if (sodium_init() < 0)
        abort();
    struct audit_log *log = xcalloc(1, sizeof(*log));
    log->store = s;
    log->flush_ms = flush_ms > 0 ? flush_ms : 5;
    pthread_mutex_init(&log->lock, NULL);
    pthread_cond_init(&log->wake, NULL);
    pthread_cond_init(&log->done, NULL);
    if (pthread_create(&log->thread, NULL, flusher_main, log) != 0) {
        fprintf(stderr, "yilian: cannot start the audit thread\n");
        abort();
    }
    return log;
}

void audit_log_read(struct audit_log *log, const struct audit_actor *who,
                    const struct audit_event *what)
{
    struct audit_record r;
    record_fill(&r, who, what);
    pthread_mutex_lock(&log->lock);
    if (log->n_queue == log->cap_queue) {
        log->cap_queue = log->cap_queue ? log->cap_queue * 2 : 256;
        log->queue = xrealloc(log->queue, log->cap_queue * sizeof(*log->queue));
    }
    log->queue[log->n_queue++] = r;
    log->queued_gen++;
    if (log->n_queue == 1 || log->n_queue >= AUDIT_BATCH_WAKE)
        pthread_cond_signal(&log->wake);
    pthread_mutex_unlock(&log->lock);
}

int audit_log_flush(struct audit_log *log, struct yl_err *err)
{
    pthread_mutex_lock(&log->lock);
    uint64_t want = log->queued_gen;
    pthread_cond_signal(&log->wake);
    while (log->flushed_gen < want)
        pthread_cond_wait(&log->done, &log->lock);
    int rc = log->last_rc;
    pthread_mutex_unlock(&log->lock);
    if (rc != 0)
        return yl_err_set(err, rc, NULL, "audit records could not be written");
    return 0;
}

void audit_log_free(struct audit_log *log)
{
    if (log == NULL)
        return;
    pthread_mutex_lock(&log->lock);
    log->stopping = 1;
    pthread_cond_signal(&log->wake);
    pthread_mutex_unlock(&log->lock);
    pthread_join(log->thread, NULL);
    free(log->queue);
    pthread_cond_destroy(&log->done);
    pthread_cond_destroy(&log->wake);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

/* --- reading back ---------------------------------------------------------------------- */

static void record_read(struct store_stmt *st, struct audit_record *r)
{
    r->seq = store_col_int(st, 0);
    snprintf(r->at, sizeof(r->at), "%s", store_col_text(st, 1));
    r->user_id = store_col_is_null(st, 2) ? 0 : store_col_int(st, 2);
    snprintf(r->username, sizeof(r->username), "%s", store_col_text(st, 3));
    snprintf(r->role, sizeof(r->role), "%s", store_col_text(st, 4));
    snprintf(r->action, sizeof(r->action), "%s", store_col_text(st, 5));
    snprintf(r->resource_type, sizeof(r->resource_type), "%s", store_col_text(st, 6));
    snprintf(r->resource_id, sizeof(r->resource_id), "%s", store_col_text(st, 7));
    snprintf(r->client, sizeof(r->client), "%s", store_col_text(st, 8));
    snprintf(r->outcome, sizeof(r->outcome), "%s", store_col_text(st, 9));
    snprintf(r->prev_hash, sizeof(r->prev_hash), "%s", store_col_text(st, 10));
    snprintf(r->hash, sizeof(r->hash), "%s", store_col_text(st, 11));
}

#define VERIFY_BATCH 2000

int audit_verify(struct store *s, int64_t *checked, int64_t *bad_seq, struct yl_err *err)
{
    if (sodium_init() < 0)
        abort();
    struct store_conn *c = store_acquire(s);
    int64_t last = 0, count = 0;
    char prev[AUDIT_HASH_HEX];
    memcpy(prev, genesis_hash, AUDIT_HASH_HEX);
    *bad_seq = 0;
    /* One read transaction: the chain is checked as one consistent snapshot even while the
     * server goes on appending. */
    int rc = store_begin(c, STORE_READ, err);
    if (rc != 0)
        goto out;
    for (;;) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_AUDIT_SCAN);
        /* The first batch starts below every seq, so a row slipped in ahead of record 1
         * (seq 0 or negative) is read and refused rather than skipped. */
        store_bind_int(st, 1, last > 0 ? last : INT64_MIN);
        store_bind_int(st, 2, VERIFY_BATCH);
        int got = 0;
        while ((rc = store_step(st, err)) == STORE_ROW) {
            struct audit_record r;
            char expect[AUDIT_HASH_HEX];
            record_read(st, &r);
            got++;
            if (r.seq <= last) {
                *bad_seq = r.seq;
                rc = yl_err_set(err, YL_ESTORE, NULL,
                                "record %" PRId64 " is out of sequence (before record 1)",
                                r.seq);
                goto out;
            }
            if (r.seq != last + 1) {
                *bad_seq = last + 1;
                rc = yl_err_set(err, YL_ESTORE, NULL,
                                "record %" PRId64 " is missing (next present is %" PRId64 ")",
                                last + 1, r.seq);
                goto out;
            }
            if (strcmp(r.prev_hash, prev) != 0) {
                *bad_seq = r.seq;
                rc = yl_err_set(err, YL_ESTORE, NULL,
                                "record %" PRId64 " does not link to the record before it",
                                r.seq);
                goto out;
            }
            record_hash(&r, expect);
            if (strcmp(expect, r.hash) != 0) {
                *bad_seq = r.seq;
                rc = yl_err_set(err, YL_ESTORE, NULL,
                                "record %" PRId64 " was changed after it was written", r.seq);
                goto out;
            }
            memcpy(prev, r.hash, AUDIT_HASH_HEX);
            last = r.seq;
            count++;
        }
        if (rc < 0)
            goto out;
        if (got < VERIFY_BATCH)
            break;
    }
    /* The head row must name the last record, or rows were cut off the end. */
    struct store_stmt *st = store_stmt(c, STORE_SQL_AUDIT_HEAD_GET);
    rc = store_step(st, err);
    if (rc < 0)
        goto out;
    int64_t head_seq = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    char head_hash[AUDIT_HASH_HEX];
    snprintf(head_hash, sizeof(head_hash), "%s", rc == STORE_ROW ? store_col_text(st, 1) : "");
    store_exec(st, NULL);
    rc = 0;
    if (head_seq != last || (last > 0 && strcmp(head_hash, prev) != 0)) {
        *bad_seq = last + 1;
        rc = yl_err_set(err, YL_ESTORE, NULL,
                        "the chain ends at record %" PRId64 " but its head says %" PRId64,
                        last, head_seq);
    }
out:
    store_rollback(c);
    store_release(c);
    *checked = count;
    return rc;
}

int audit_list(struct store *s, const struct audit_filter *f, struct audit_record *out,
               struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_AUDIT_LIST);
    const char *u = f->username ? f->username : "";
    const char *t = f->resource_type ? f->resource_type : "";
    const char *id = f->resource_id ? f->resource_id : "";
    const char *from = f->from ? f->from : "";
    const char *to = f->to ? f->to : "";
    store_bind_int(st, 1, f->before_seq > 0 ? f->before_seq : INT64_MAX);
    store_bind_text(st, 2, u);
    store_bind_text(st, 3, u);
    store_bind_text(st, 4, t);
    store_bind_text(st, 5, t);
    store_bind_text(st, 6, id);
    store_bind_text(st, 7, id);
    store_bind_text(st, 8, from);
    store_bind_text(st, 9, from);
    store_bind_text(st, 10, to);
    store_bind_text(st, 11, to);
    store_bind_int(st, 12, f->limit);
    int n = 0, rc = 0;
    while (n < f->limit && (rc = store_step(st, err)) == STORE_ROW)
        record_read(st, &out[n++]);
    store_exec(st, NULL);
    store_release(c);
    if (rc < 0)
        return rc;
    return n;
}
