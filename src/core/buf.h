/*
 * buf.h - a growable byte buffer with a hard maximum.
 *
 * Output (JSON bodies, CSV, reports) is built in a buf. Passing the maximum is an error
 * (YL_ETOOBIG), not silent growth, so no response can eat the machine. The buffer is always
 * NUL-terminated for convenience; `len` does not count the NUL.
 */
#ifndef YL_BUF_H
#define YL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;     /* heap, owned by the buf; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;     /* hard limit on len */
    int failed;     /* set once an append passed max; later appends are ignored */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);

/* Each returns 0, or YL_ETOOBIG (and sets b->failed) when max would be passed. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Hand the heap data to the caller (free() it), leaving the buf empty. Never NULL. */
char *buf_detach(struct buf *b, size_t *len);

#endif
