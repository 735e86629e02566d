/*
 * mem.h - allocation that never returns NULL, and the arena that owns a request's memory.
 *
 * Out of memory is not an error yilian recovers from: xmalloc and friends abort. Everything a
 * request or CLI command allocates comes from one arena and is freed in one go with
 * arena_release, so handlers never call free.
 */
#ifndef YL_MEM_H
#define YL_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct arena_block;

/* A bump allocator over a chain of blocks. Zero-initialise or call arena_init before use. */
struct arena {
    struct arena_block *head;
    size_t total;       /* bytes handed out, for limits and statistics */
};

void arena_init(struct arena *a);
/* Free every block; the arena is empty and usable again afterwards. */
void arena_release(struct arena *a);

/* n bytes aligned for any type; contents undefined. Never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* n zeroed bytes. */
void *arena_zalloc(struct arena *a, size_t n);
/* Copies, NUL-terminated, owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

#endif
