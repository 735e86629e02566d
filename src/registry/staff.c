/*
 * staff.c - health workers (卫生人员): role, facility, qualification number, education,
 * status. Staff are people: their names never go into messages or the audit trail (the
 * trail names the store id). A facility administrator writes only the staff of their own
 * facility, checked here inside the write's transaction.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

static void staff_from_row(struct store_stmt *st, struct reg_staff *s)
{
    memset(s, 0, sizeof(*s));
    s->id = store_col_int(st, 0);
    reg_col_copy(st, 1, s->code, sizeof(s->code));
    reg_col_copy(st, 2, s->name, sizeof(s->name));
    s->role = vocab_find(VOCAB_STAFF_ROLE, store_col_text(st, 3));
    reg_col_copy(st, 4, s->facility_code, sizeof(s->facility_code));
    reg_col_copy(st, 5, s->qualification_no, sizeof(s->qualification_no));
    s->education = vocab_find(VOCAB_EDUCATION, store_col_text(st, 6));
    s->status = vocab_find(VOCAB_STAFF_STATUS, store_col_text(st, 7));
    reg_col_copy(st, 8, s->updated_at, sizeof(s->updated_at));
}

static int staff_read(struct store_conn *c, const char *code, struct reg_staff *out,
                      struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_STAFF_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        staff_from_row(st, out);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no staff member \"%.32s\"", code);
    }
    store_exec(st, NULL);
    return rc;
}

static int check_qualification(const char *s, struct yl_err *err)
{
    size_t n = s ? strlen(s) : 0;
    if (n > REG_QUALIFICATION_MAX)
        return yl_err_set(err, YL_EINVAL, "qualification_no",
                          "qualification_no is longer than %d characters",
                          REG_QUALIFICATION_MAX);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-';
        if (!ok)
            return yl_err_set(err, YL_EINVAL, "qualification_no",
                              "qualification_no may hold only letters, digits and \"-\"");
    }
    return 0;
}

/* Validate a complete input and write it; `facilities` resolves facility_code (NULL: ask
 * the store). Returns IMP_APPLIED, IMP_UNCHANGED or a negative code; *id set when written. */
static int staff_write(struct store_conn *c, struct reg_codemap *facilities,
                       const struct reg_staff_in *in, enum reg_mode mode, const char *now,
                       int64_t *id, struct yl_err *err)
{
    int role = 0, education = -1, status = 0;
    int rc = reg_check_code(in->code, "code", err);
    if (rc == 0)
        rc = reg_check_text(in->name, "name", 1, REG_PERSON_NAME_MAX, err);
    if (rc == 0 && (in->role == NULL || in->role[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "role", "role is required");
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_STAFF_ROLE, in->role, "role", 0, &role, err);
    if (rc == 0)
        rc = reg_check_code(in->facility_code, "facility_code", err);
    if (rc == 0)
        rc = check_qualification(in->qualification_no, err);
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_EDUCATION, in->education, "education", -1, &education, err);
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_STAFF_STATUS, in->status, "status", SSTAT_ACTIVE, &status,
                             err);
    if (rc != 0)
        return rc;
    int64_t facility_id = 0;
    rc = reg_resolve(c, facilities, STORE_SQL_REG_FACILITY_ID, in->facility_code, &facility_id,
                     err);
    if (rc != 0)
        return rc;
    if (facility_id == 0)
        return yl_err_set(err, YL_EINVAL, "facility_code", "unknown facility \"%s\"",
                          in->facility_code);
    struct store_stmt *st = store_stmt(
        c, mode == REG_CREATE ? STORE_SQL_REG_STAFF_INSERT : STORE_SQL_REG_STAFF_UPSERT);
    store_bind_text(st, 1, in->code);
    store_bind_text(st, 2, in->name);
    store_bind_text(st, 3, vocab_code(VOCAB_STAFF_ROLE, role));
    store_bind_int(st, 4, facility_id);
    store_bind_text(st, 5, in->qualification_no ? in->qualification_no : "");
    store_bind_text(st, 6, education < 0 ? "" : vocab_code(VOCAB_EDUCATION, education));
    store_bind_text(st, 7, vocab_code(VOCAB_STAFF_STATUS, status));
    store_bind_text(st, 8, now);
    return reg_write_step(st, "staff member", in->code, id, err);
}

/* A facility administrator's write must stay within their facility. */
static int staff_scope(const struct reg_writer *by, const char *facility_code,
                       struct yl_err *err)
{
    if (by->facility == NULL || (facility_code && strcmp(facility_code, by->facility) == 0))
        return 0;
    return yl_err_set(err, YL_EFORBIDDEN, "facility_code",
                      "a facility administrator may write only staff of facility \"%s\"",
                      by->facility);
}

/* Where every staff write through the API ends (the commit, with its audit record). The
 * record names the store id, as the trail does for every person. */
/* Staff audit records name the store id: a staff code may identify a person. */
static int staff_done(struct store_conn *c, const struct reg_writer *by, const char *action,
                      int64_t written, int rc, int64_t *id, struct yl_err *err)
{
    char resource[24];
    snprintf(resource, sizeof(resource), "%lld", (long long)written);
    return reg_finish_id(c, by, action, "staff", resource, written, rc, id, err);
}

int reg_staff_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                     const struct reg_staff_in *in, int64_t *id, struct yl_err *err)
{
    int rc = staff_scope(by, in->facility_code, err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    char now[32];
    audit_now_rfc3339(now);
    int64_t written = 0;
    rc = staff_write(c, NULL, in, REG_CREATE, now, &written, err);
    return staff_done(c, by, "create", written, rc, id, err);
}

int reg_staff_update(const struct reg_ctx *ctx, const struct reg_writer *by, const char *code,
                     const struct reg_staff_in *in, int64_t *id, struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    struct reg_staff cur = {0};
    rc = staff_read(c, code, &cur, err);
    /* Both where the staff member works now and where the change would put them. */
    if (rc == 0)
        rc = staff_scope(by, cur.facility_code, err);
    struct reg_staff_in m = *in;
    if (rc == 0) {
        m.code = cur.code;
        if (m.name == NULL)
            m.name = cur.name;
        if (m.role == NULL)
            m.role = vocab_code(VOCAB_STAFF_ROLE, cur.role);
        if (m.facility_code == NULL)
            m.facility_code = cur.facility_code;
        if (m.qualification_no == NULL)
            m.qualification_no = cur.qualification_no;
        if (m.education == NULL)
            m.education = cur.education < 0 ? "" : vocab_code(VOCAB_EDUCATION, cur.education);
        if (m.status == NULL)
            m.status = vocab_code(VOCAB_STAFF_STATUS, cur.status);
        rc = staff_scope(by, m.facility_code, err);
    }
    int64_t written = cur.id;
    if (rc == 0) {
        char now[32];
        audit_now_rfc3339(now);
        rc = staff_write(c, NULL, &m, REG_UPSERT, now, &written, err);
    }
    return staff_done(c, by, "update", written, rc, id, err);
}

int reg_staff_get(const struct reg_ctx *ctx, const char *code, struct reg_staff *out,
                  struct yl_err *err)
{
    struct store_conn *c = store_acquire(ctx->store);
    int rc = staff_read(c, code, out, err);
    store_release(c);
    return rc;
}

int reg_staff_list(const struct reg_ctx *ctx, const struct reg_staff_filter *f,
                   int64_t after_id, int limit, struct reg_staff *out, struct yl_err *err)
{
    char lo[ADCODE_MAX_LEN + 1], hi[ADCODE_MAX_LEN + 2];
    const char *facility = f->facility ? f->facility : "", *role = f->role ? f->role : "";
    const char *status = f->status ? f->status : "";
    int v;
    int rc = reg_subtree_range(f->ou, "ou", lo, hi, err);
    if (rc == 0 && facility[0] != '\0')
        rc = reg_check_code(facility, "facility", err);
    if (rc == 0 && role[0] != '\0')
        rc = vocab_parse(VOCAB_STAFF_ROLE, role, "role", &v, err);
    if (rc == 0 && status[0] != '\0')
        rc = vocab_parse(VOCAB_STAFF_STATUS, status, "status", &v, err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(ctx->store);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_STAFF_LIST);
    store_bind_int(st, 1, after_id);
    store_bind_text(st, 2, facility);
    store_bind_text(st, 3, facility);
    store_bind_text(st, 4, role);
    store_bind_text(st, 5, role);
    store_bind_text(st, 6, status);
    store_bind_text(st, 7, status);
    store_bind_text(st, 8, lo);
    store_bind_text(st, 9, lo);
    store_bind_text(st, 10, hi);
    store_bind_int(st, 11, limit);
    int n = 0;
    while (n < limit && (rc = store_step(st, err)) == STORE_ROW)
        staff_from_row(st, &out[n++]);
    store_exec(st, NULL);
    store_release(c);
    return rc < 0 ? rc : n;
}

int reg_staff_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                         struct yl_err *err)
{
    struct reg_import *imp = ctx;
    struct reg_staff_in in = {0};
    int rc = imp_text(r, "code", 1, REG_CODE_MAX, &in.code, err);
    if (rc == 0)
        rc = imp_text(r, "name", 1, REG_TEXT_BYTES(REG_PERSON_NAME_MAX), &in.name, err);
    if (rc == 0)
        rc = imp_text(r, "role", 1, 64, &in.role, err);
    if (rc == 0)
        rc = imp_text(r, "facility_code", 1, REG_CODE_MAX, &in.facility_code, err);
    if (rc == 0)
        rc = imp_text(r, "qualification_no", 0, REG_QUALIFICATION_MAX, &in.qualification_no,
                      err);
    if (rc == 0)
        rc = imp_text(r, "education", 0, 64, &in.education, err);
    if (rc == 0)
        rc = imp_text(r, "status", 0, 64, &in.status, err);
    if (rc != 0)
        return rc;
    int64_t id = 0;
    return staff_write(c, &imp->facilities, &in, REG_UPSERT, imp->now, &id, err);
}
