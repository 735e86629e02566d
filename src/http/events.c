/*
 * events.c - server-sent events (the WHATWG HTML "server-sent events" format) over
 * libmicrohttpd's suspend and resume (http.h).
 *
 * The one idea: a stream is a queue of text and a connection. libmicrohttpd pulls the body
 * through a content reader; when the queue is empty the reader suspends the connection and
 * returns 0, so no pool thread waits and nothing polls. Publishing appends to the queue and
 * resumes a suspended connection. The hub's mutex guards every queue and the suspended
 * flag, so a publish between "queue empty" and "suspend" cannot be lost: the reader
 * suspends under the same lock under which the publisher sees the flag (and resumes just
 * after releasing it).
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "http/http_int.h"

#define STREAM_MAX (1u << 20)   /* a client further behind than this is dropped */
#define PREFIX_MAX 64

struct http_stream {
    struct http_events *hub;
    struct MHD_Connection *conn;
    char prefix[PREFIX_MAX + 1];
    struct buf queue;
    size_t head;            /* bytes of queue already sent */
    bool suspended;
    bool ended;
    struct http_stream *next;
};

struct http_events {
    pthread_mutex_t mu;
    struct http_stream *streams;
    bool closed;
};

struct http_events *http_events_new(void)
{
    struct http_events *h = xcalloc(1, sizeof(*h));
    pthread_mutex_init(&h->mu, NULL);
    return h;
}

/* Connections to resume once the hub's lock is let go. */
struct wake_list {
    struct MHD_Connection **conn;
    size_t n, cap;
};

/* Mark a stream the reader suspended as woken (caller holds the hub's lock). The resume
 * itself happens after the lock is released (wake_all): libmicrohttpd takes its own locks
 * in MHD_resume_connection, and a pool thread may wait for the hub's lock while holding
 * them. A suspended connection cannot close, so it is still there when resumed. */
static void wake(struct http_stream *s, struct wake_list *w)
{
    if (!s->suspended)
        return;
    s->suspended = false;
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 8;
        w->conn = xrealloc(w->conn, w->cap * sizeof(*w->conn));
    }
    w->conn[w->n++] = s->conn;
}

static void wake_all(struct wake_list *w)
{
    for (size_t i = 0; i < w->n; i++)
        MHD_resume_connection(w->conn[i]);
    free(w->conn);
}

static void queue_text(struct http_stream *s, const char *text, struct wake_list *w)
{
    /* Drop what was sent before growing, so a stream that keeps up stays small. */
    if (s->head > 0 && s->head == s->queue.len) {
        buf_reset(&s->queue);
        s->head = 0;
    }
    if (buf_puts(&s->queue, text) != 0)
        s->ended = true;
    wake(s, w);
}

int http_events_publish(struct http_events *h, int64_t id, const char *name, const char *key,
                        const char *data)
{
    char head[96];
    snprintf(head, sizeof(head), "id: %lld\nevent: %s\ndata: ", (long long)id, name);
    int n = 0;
    struct wake_list w = {0};
    pthread_mutex_lock(&h->mu);
    for (struct http_stream *s = h->streams; s != NULL; s = s->next) {
        if (s->ended || strncmp(key, s->prefix, strlen(s->prefix)) != 0)
            continue;
        queue_text(s, head, &w);
        queue_text(s, data, &w);
        queue_text(s, "\n\n", &w);
        n++;
    }
    pthread_mutex_unlock(&h->mu);
    wake_all(&w);
    return n;
}

void http_events_ping(struct http_events *h)
{
    struct wake_list w = {0};
    pthread_mutex_lock(&h->mu);
    for (struct http_stream *s = h->streams; s != NULL; s = s->next)
        queue_text(s, ": ping\n\n", &w);
    pthread_mutex_unlock(&h->mu);
    wake_all(&w);
}

int http_events_count(struct http_events *h)
{
    int n = 0;
    pthread_mutex_lock(&h->mu);
    for (struct http_stream *s = h->streams; s != NULL; s = s->next)
        n++;
    pthread_mutex_unlock(&h->mu);
    return n;
}

void http_events_close(struct http_events *h)
{
    if (h == NULL)
        return;
    struct wake_list w = {0};
    pthread_mutex_lock(&h->mu);
    h->closed = true;
    for (struct http_stream *s = h->streams; s != NULL; s = s->next) {
        s->ended = true;
        wake(s, &w);
    }
    pthread_mutex_unlock(&h->mu);
    wake_all(&w);
}

void http_events_free(struct http_events *h)
{
    if (h == NULL)
        return;
    /* The server has stopped: every stream's free callback has unlinked it. */
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max)
{
    struct http_stream *s = cls;
    struct http_events *h = s->hub;
    pthread_mutex_lock(&h->mu);
    size_t avail = s->queue.len - s->head;
    ssize_t n;
    if (avail > 0) {
        size_t k = avail < max ? avail : max;
        memcpy(out, s->queue.data + s->head, k);
        s->head += k;
        n = (ssize_t)k;
    } else if (s->ended) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        s->suspended = true;
        MHD_suspend_connection(s->conn);
        n = 0;
    }
    pthread_mutex_unlock(&h->mu);
    return n;
}

static void free_stream(void *cls)
{
    struct http_stream *s = cls;
    struct http_events *h = s->hub;
    pthread_mutex_lock(&h->mu);
    for (struct http_stream **p = &h->streams; *p != NULL; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&h->mu);
    buf_release(&s->queue);
    free(s);
}

int http_reply_events(struct http_request *req, struct http_response *res,
                      struct http_events *h, const char *prefix, struct yl_err *err)
{
    if (h == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the live stream is not running");
    if (strlen(prefix) > PREFIX_MAX)
        return yl_err_set(err, YL_EINVAL, NULL, "stream prefix too long");
    struct http_stream *s = xcalloc(1, sizeof(*s));
    s->hub = h;
    s->conn = req->conn_;
    snprintf(s->prefix, sizeof(s->prefix), "%s", prefix);
    buf_init(&s->queue, STREAM_MAX);
    /* The first bytes tell the client how soon to reconnect and show the stream is live. */
    buf_puts(&s->queue, "retry: 2000\n: connected\n\n");
    pthread_mutex_lock(&h->mu);
    bool closed = h->closed;
    if (!closed) {
        s->next = h->streams;
        h->streams = s;
    }
    pthread_mutex_unlock(&h->mu);
    if (closed) {
        buf_release(&s->queue);
        free(s);
        return yl_err_set(err, YL_EBUSY, NULL, "the server is stopping");
    }
    res->status = 200;
    res->content_type = "text/event-stream";
    res->stream = s;
    return 0;
}

struct MHD_Response *http_stream_response(struct http_stream *s)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read_stream, s, free_stream);
    if (r == NULL)
        free_stream(s);
    return r;
}
