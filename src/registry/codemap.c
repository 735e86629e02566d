/*
 * codemap.c - codes resolved to store ids for the imports: an open-addressing hash table
 * (FNV-1a, linear probing, at most 2/3 full) filled on first use of each code, so a file of
 * a million rows naming two hundred villages reads the store two hundred times.
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "registry/registry_int.h"

void reg_codemap_init(struct reg_codemap *m, enum store_sql lookup)
{
    memset(m, 0, sizeof(*m));
    arena_init(&m->names);
    m->lookup = lookup;
}

void reg_codemap_release(struct reg_codemap *m)
{
    free(m->slots);
    arena_release(&m->names);
    m->slots = NULL;
    m->cap = m->used = 0;
}

void reg_codemap_clear(struct reg_codemap *m)
{
    reg_codemap_release(m);
}

static uint64_t hash_code(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static struct reg_codemap_slot *slot_for(const struct reg_codemap *m, const char *code)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hash_code(code) & mask;; i = (i + 1) & mask) {
        struct reg_codemap_slot *s = &m->slots[i];
        if (s->code == NULL || strcmp(s->code, code) == 0)
            return s;
    }
}

static void grow(struct reg_codemap *m)
{
    struct reg_codemap_slot *old = m->slots;
    size_t old_cap = m->cap;
    m->cap = old_cap ? old_cap * 2 : 64;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].code != NULL)
            *slot_for(m, old[i].code) = old[i];
    free(old);
}

void reg_codemap_put(struct reg_codemap *m, const char *code, int64_t id)
{
    if ((m->used + 1) * 3 > m->cap * 2)
        grow(m);
    struct reg_codemap_slot *s = slot_for(m, code);
    if (s->code == NULL) {
        s->code = arena_strdup(&m->names, code);
        m->used++;
    }
    s->id = id;
}

int reg_resolve(struct store_conn *c, struct reg_codemap *m, enum store_sql lookup,
                const char *code, int64_t *id, struct yl_err *err)
{
    *id = 0;
    if (code == NULL || code[0] == '\0')
        return 0;
    if (m != NULL && m->cap > 0) {
        const struct reg_codemap_slot *s = slot_for(m, code);
        if (s->code != NULL) {
            *id = s->id;
            return 0;
        }
    }
    struct store_stmt *st = store_stmt(c, m != NULL ? m->lookup : lookup);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    store_exec(st, NULL);
    if (rc < 0)
        return rc;
    if (m != NULL && *id != 0)
        reg_codemap_put(m, code, *id);
    return 0;
}
