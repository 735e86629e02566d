/*
 * group.c - medical groups (医联体: urban medical groups, compact county medical
 * communities, specialty alliances): a lead facility and member facilities. A facility is in
 * at most one group of each kind; member rows repeat the kind so a UNIQUE constraint keeps
 * that true, and the writer checks first to name the facility and the group it is in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

struct member {
    int64_t id;
    const char *code;
};

static int member_cmp(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void group_from_row(struct store_stmt *st, struct reg_group *g, int64_t *lead_id)
{
    memset(g, 0, sizeof(*g));
    g->id = store_col_int(st, 0);
    reg_col_copy(st, 1, g->code, sizeof(g->code));
    reg_col_copy(st, 2, g->name, sizeof(g->name));
    g->kind = vocab_find(VOCAB_GROUP_KIND, store_col_text(st, 3));
    reg_col_copy(st, 4, g->lead_code, sizeof(g->lead_code));
    reg_col_copy(st, 5, g->updated_at, sizeof(g->updated_at));
    if (lead_id != NULL)
        *lead_id = store_col_int(st, 6);
}

/* The group's members, sorted by code, into the arena. */
static int members_read(struct store_conn *c, int64_t group_id, struct arena *a,
                        struct member **out, size_t *n, struct yl_err *err)
{
    size_t cap = 16, used = 0;
    struct member *m = arena_alloc(a, cap * sizeof(*m));
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_MEMBERS);
    store_bind_int(st, 1, group_id);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (used == cap) {
            struct member *bigger = arena_alloc(a, cap * 2 * sizeof(*m));
            memcpy(bigger, m, used * sizeof(*m));
            m = bigger;
            cap *= 2;
        }
        m[used].id = store_col_int(st, 0);
        m[used].code = arena_strdup(a, store_col_text(st, 1));
        used++;
    }
    store_exec(st, NULL);
    *out = m;
    *n = used;
    return rc < 0 ? rc : 0;
}

static int group_fill_members(struct store_conn *c, struct arena *a, struct reg_group *g,
                              struct yl_err *err)
{
    struct member *m;
    size_t n;
    int rc = members_read(c, g->id, a, &m, &n, err);
    if (rc != 0)
        return rc;
    g->member_codes = arena_alloc(a, (n + 1) * sizeof(*g->member_codes));
    for (size_t i = 0; i < n; i++)
        g->member_codes[i] = m[i].code;
    g->n_members = n;
    return 0;
}

/* The group row by code: 0, YL_ENOTFOUND (err untouched when `quiet`), or a store error. */
static int group_row_read(struct store_conn *c, const char *code, struct reg_group *out,
                          int64_t *lead_id, bool quiet, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        group_from_row(st, out, lead_id);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = quiet ? YL_ENOTFOUND
                   : yl_err_set(err, YL_ENOTFOUND, NULL, "no medical group \"%.32s\"", code);
    }
    store_exec(st, NULL);
    return rc;
}

/* Parse the member list, resolve each code, add the lead, sort by id and drop repeats. */
static int members_parse(struct store_conn *c, struct reg_codemap *facilities,
                         struct arena *a, const char *list, int64_t lead_id,
                         const char *lead_code, struct member **out, size_t *n,
                         struct yl_err *err)
{
    struct member *m = arena_alloc(a, (REG_MEMBERS_MAX + 1) * sizeof(*m));
    size_t used = 0;
    const char *p = list ? list : "";
    while (*p != '\0') {
        while (*p == ' ' || *p == ',' || *p == ';')
            p++;
        size_t len = strcspn(p, " ,;");
        if (len == 0)
            break;
        if (used == REG_MEMBERS_MAX)
            return yl_err_set(err, YL_EINVAL, "member_codes",
                              "a medical group may have at most %d members", REG_MEMBERS_MAX);
        char *code = arena_strndup(a, p, len);
        p += len;
        int rc = reg_check_code(code, "member_codes", err);
        int64_t fid = 0;
        if (rc == 0)
            rc = reg_resolve(c, facilities, STORE_SQL_REG_FACILITY_ID, code, &fid, err);
        if (rc != 0)
            return rc;
        if (fid == 0)
            return yl_err_set(err, YL_EINVAL, "member_codes", "unknown facility \"%s\"", code);
        m[used++] = (struct member){fid, code};
    }
    m[used++] = (struct member){lead_id, lead_code};
    qsort(m, used, sizeof(*m), member_cmp);
    size_t k = 0;
    for (size_t i = 0; i < used; i++)
        if (k == 0 || m[k - 1].id != m[i].id)
            m[k++] = m[i];
    *out = m;
    *n = k;
    return 0;
}

/* True when the stored group already holds exactly these values. */
static int group_same(struct store_conn *c, struct arena *a, const struct reg_group *cur,
                      int64_t cur_lead, const char *name, int kind, int64_t lead_id,
                      const struct member *m, size_t n, bool *same, struct yl_err *err)
{
    *same = false;
    if (strcmp(cur->name, name) != 0 || cur->kind != kind || cur_lead != lead_id)
        return 0;
    struct member *old;
    size_t n_old;
    int rc = members_read(c, cur->id, a, &old, &n_old, err);
    if (rc != 0 || n_old != n)
        return rc;
    qsort(old, n_old, sizeof(*old), member_cmp);
    for (size_t i = 0; i < n; i++)
        if (old[i].id != m[i].id)
            return 0;
    *same = true;
    return 0;
}

/* Validate a complete input and write it. Returns IMP_APPLIED, IMP_UNCHANGED or a negative
 * code; *id is set to the group's id. */
static int group_write(struct store_conn *c, struct reg_codemap *facilities,
                       const struct reg_group_in *in, enum reg_mode mode, const char *now,
                       int64_t *id, struct yl_err *err)
{
    int kind = 0;
    int rc = reg_check_code(in->code, "code", err);
    if (rc == 0)
        rc = reg_check_text(in->name, "name", 1, REG_NAME_MAX, err);
    if (rc == 0 && (in->kind == NULL || in->kind[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "kind", "kind is required");
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_GROUP_KIND, in->kind, "kind", 0, &kind, err);
    if (rc == 0)
        rc = reg_check_code(in->lead_code, "lead_code", err);
    int64_t lead_id = 0;
    if (rc == 0)
        rc = reg_resolve(c, facilities, STORE_SQL_REG_FACILITY_ID, in->lead_code, &lead_id, err);
    if (rc == 0 && lead_id == 0)
        rc = yl_err_set(err, YL_EINVAL, "lead_code", "unknown facility \"%s\"", in->lead_code);
    if (rc != 0)
        return rc;
    struct arena a;
    arena_init(&a);
    struct member *m = NULL;
    size_t n = 0;
    rc = members_parse(c, facilities, &a, in->member_codes, lead_id, in->lead_code, &m, &n,
                       err);
    int64_t gid = 0;
    struct reg_group cur = {0};
    int64_t cur_lead = 0;
    if (rc == 0 && mode == REG_UPSERT) {
        rc = group_row_read(c, in->code, &cur, &cur_lead, true, err);
        if (rc == 0)
            gid = cur.id;
        else if (rc == YL_ENOTFOUND)
            rc = 0;
    }
    bool same = false;
    if (rc == 0 && gid != 0)
        rc = group_same(c, &a, &cur, cur_lead, in->name, kind, lead_id, m, n, &same, err);
    if (rc == 0 && same) {
        *id = gid;
        arena_release(&a);
        return IMP_UNCHANGED;
    }
    const char *kind_code = vocab_code(VOCAB_GROUP_KIND, kind);
    if (rc == 0 && gid == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_INSERT);
        store_bind_text(st, 1, in->code);
        store_bind_text(st, 2, in->name);
        store_bind_text(st, 3, kind_code);
        store_bind_int(st, 4, lead_id);
        store_bind_text(st, 5, now);
        rc = reg_write_step(st, "medical group", in->code, &gid, err);
        rc = rc < 0 ? rc : 0;
    } else if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_UPDATE);
        store_bind_text(st, 1, in->name);
        store_bind_text(st, 2, kind_code);
        store_bind_int(st, 3, lead_id);
        store_bind_text(st, 4, now);
        store_bind_int(st, 5, gid);
        rc = store_exec(st, err);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_MEMBER_TAKEN);
        store_bind_int(st, 1, m[i].id);
        store_bind_text(st, 2, kind_code);
        store_bind_int(st, 3, gid);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            rc = yl_err_set(err, YL_ECONFLICT, "member_codes",
                            "facility \"%s\" is already in %s \"%s\"; a facility belongs to "
                            "one group of each kind", m[i].code, kind_code,
                            store_col_text(st, 0));
        store_exec(st, NULL);
    }
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_MEMBER_CLEAR);
        store_bind_int(st, 1, gid);
        rc = store_exec(st, err);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_MEMBER_INSERT);
        store_bind_int(st, 1, gid);
        store_bind_int(st, 2, m[i].id);
        store_bind_text(st, 3, kind_code);
        rc = store_exec(st, err);
    }
    arena_release(&a);
    if (rc != 0)
        return rc;
    *id = gid;
    return IMP_APPLIED;
}

int reg_group_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                     const struct reg_group_in *in, int64_t *id, struct yl_err *err)
{
    int rc = reg_require_region(by, "medical groups", err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    char now[32];
    audit_now_rfc3339(now);
    int64_t written = 0;
    rc = group_write(c, NULL, in, REG_CREATE, now, &written, err);
    return reg_finish_id(c, by, "create", "medical_group", in->code ? in->code : "",
                         written, rc, id, err);
}

int reg_group_update(const struct reg_ctx *ctx, const struct reg_writer *by, const char *code,
                     const struct reg_group_in *in, int64_t *id, struct yl_err *err)
{
    int rc = reg_require_region(by, "medical groups", err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    struct arena a;
    arena_init(&a);
    struct reg_group cur = {0};
    rc = group_row_read(c, code, &cur, NULL, false, err);
    if (rc == 0 && in->member_codes == NULL)
        rc = group_fill_members(c, &a, &cur, err);
    int64_t written = cur.id;
    if (rc == 0) {
        struct reg_group_in m = *in;
        m.code = cur.code;
        if (m.name == NULL)
            m.name = cur.name;
        if (m.kind == NULL)
            m.kind = vocab_code(VOCAB_GROUP_KIND, cur.kind);
        if (m.lead_code == NULL)
            m.lead_code = cur.lead_code;
        if (m.member_codes == NULL) {
            /* The stored members as a list, so the write path sees one form. */
            char *list = arena_alloc(&a, cur.n_members * (REG_CODE_MAX + 1) + 1);
            list[0] = '\0';
            size_t used = 0;
            for (size_t i = 0; i < cur.n_members; i++) {
                size_t len = strlen(cur.member_codes[i]);
                memcpy(list + used, cur.member_codes[i], len);
                used += len;
                list[used++] = ' ';
                list[used] = '\0';
            }
            m.member_codes = list;
        }
        char now[32];
        audit_now_rfc3339(now);
        rc = group_write(c, NULL, &m, REG_UPSERT, now, &written, err);
    }
    rc = reg_finish_id(c, by, "update", "medical_group", cur.code[0] ? cur.code : code,
                       written, rc, id, err);
    arena_release(&a);
    return rc;
}

int reg_group_get(const struct reg_ctx *ctx, const char *code, struct arena *a,
                  struct reg_group *out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(ctx->store);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = group_row_read(c, code, out, NULL, false, err);
    if (rc == 0)
        rc = group_fill_members(c, a, out, err);
    store_rollback(c);
    store_release(c);
    return rc;
}

int reg_group_list(const struct reg_ctx *ctx, const struct reg_group_filter *f,
                   int64_t after_id, int limit, struct arena *a, struct reg_group *out,
                   struct yl_err *err)
{
    const char *kind = f->kind ? f->kind : "", *facility = f->facility ? f->facility : "";
    int v;
    int rc = 0;
    if (kind[0] != '\0')
        rc = vocab_parse(VOCAB_GROUP_KIND, kind, "kind", &v, err);
    if (rc == 0 && facility[0] != '\0')
        rc = reg_check_code(facility, "facility", err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(ctx->store);
    rc = store_begin(c, STORE_READ, err);
    int n = 0;
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REG_GROUP_LIST);
        store_bind_int(st, 1, after_id);
        store_bind_text(st, 2, kind);
        store_bind_text(st, 3, kind);
        store_bind_text(st, 4, facility);
        store_bind_text(st, 5, facility);
        store_bind_int(st, 6, limit);
        while (n < limit && (rc = store_step(st, err)) == STORE_ROW)
            group_from_row(st, &out[n++], NULL);
        store_exec(st, NULL);
    }
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = group_fill_members(c, a, &out[i], err);
    store_rollback(c);
    store_release(c);
    return rc < 0 ? rc : n;
}

int reg_group_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                         struct yl_err *err)
{
    struct reg_import *imp = ctx;
    struct reg_group_in in = {0};
    int rc = imp_text(r, "code", 1, REG_CODE_MAX, &in.code, err);
    if (rc == 0)
        rc = imp_text(r, "name", 1, REG_TEXT_BYTES(REG_NAME_MAX), &in.name, err);
    if (rc == 0)
        rc = imp_text(r, "kind", 1, 64, &in.kind, err);
    if (rc == 0)
        rc = imp_text(r, "lead_code", 1, REG_CODE_MAX, &in.lead_code, err);
    if (rc == 0)
        rc = imp_text(r, "member_codes", 0, REG_MEMBERS_MAX * (REG_CODE_MAX + 1),
                      &in.member_codes, err);
    if (rc != 0)
        return rc;
    int64_t id = 0;
    return group_write(c, &imp->facilities, &in, REG_UPSERT, imp->now, &id, err);
}
