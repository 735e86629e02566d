/*
 * teams.c - family-doctor teams: a lead facility, members drawn from several facilities and
 * levels (a village doctor, a township GP, a county-hospital specialist), a leader among
 * them and a capacity guideline. Create and update share one resolve step with the teams
 * import, so an API write and an imported row obey the same rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "contracts/contracts_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

void contract_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

bool contract_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CONTRACT_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void team_row_from(struct store_stmt *st, struct contract_team_row *t)
{
    t->id = store_col_int(st, 0);
    snprintf(t->code, sizeof(t->code), "%s", store_col_text(st, 1));
    snprintf(t->name, sizeof(t->name), "%s", store_col_text(st, 2));
    t->facility_id = store_col_int(st, 3);
    snprintf(t->facility_code, sizeof(t->facility_code), "%s", store_col_text(st, 4));
    t->leader_id = store_col_int(st, 5);
    snprintf(t->leader_code, sizeof(t->leader_code), "%s", store_col_text(st, 6));
    t->capacity = store_col_int(st, 7);
    int status = vocab_find(VOCAB_TEAM_STATUS, store_col_text(st, 8));
    t->status = status < 0 ? TSTAT_DISBANDED : status;
}

int contract_team_row_load(struct store_conn *c, const char *code, struct contract_team_row *out,
                           struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        team_row_from(st, out);
    contract_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return YL_ENOTFOUND;
    st = store_stmt(c, STORE_SQL_TEAM_MEMBER_IDS);
    store_bind_int(st, 1, out->id);
    while ((rc = store_step(st, err)) == STORE_ROW)
        if (out->n_members < CONTRACT_TEAM_MEMBERS_MAX)
            out->members[out->n_members++] = store_col_int(st, 0);
    contract_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

/* Staff id of an existing staff member who has not left; errors name `field`. */
static int staff_lookup(struct store_conn *c, const char *code, const char *field, int64_t *id,
                        struct yl_err *err)
{
    if (!contract_code_ok(code))
        return yl_err_set(err, YL_EINVAL, field,
                          "a staff code is 1 to %d letters, digits, '-' or '_'", CONTRACT_CODE_MAX);
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_STAFF_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    int left = 0;
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        left = strcmp(store_col_text(st, 1), "active") != 0;
    }
    contract_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, field, "no staff member \"%s\"", code);
    if (left)
        return yl_err_set(err, YL_EINVAL, field, "staff member \"%s\" has left", code);
    return 0;
}

static int facility_lookup(struct store_conn *c, const char *code, struct contract_team_row *t,
                           struct yl_err *err)
{
    if (!contract_code_ok(code))
        return yl_err_set(err, YL_EINVAL, "facility_code",
                          "a facility code is 1 to %d letters, digits, '-' or '_'",
                          CONTRACT_CODE_MAX);
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_FACILITY_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    int closed = 0;
    if (rc == STORE_ROW) {
        t->facility_id = store_col_int(st, 0);
        closed = strcmp(store_col_text(st, 1), "active") != 0;
    }
    contract_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, "facility_code", "no facility \"%s\"", code);
    if (closed)
        return yl_err_set(err, YL_EINVAL, "facility_code", "facility \"%s\" is closed", code);
    snprintf(t->facility_code, sizeof(t->facility_code), "%s", code);
    return 0;
}

static int64_t team_active_count(struct store_conn *c, int64_t team_id, struct yl_err *err)
{
    char today[DATE_STR_LEN];
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_ACTIVE_COUNT);
    store_bind_int(st, 1, team_id);
    store_bind_text(st, 2, date_format(date_today(), today));
    int rc = store_step(st, err);
    int64_t n = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    contract_stmt_finish(st, rc);
    return rc < 0 ? rc : n;
}

static int resolve_members(struct store_conn *c, const struct contract_team_input *in,
                           struct contract_team_row *out, struct yl_err *err)
{
    if (in->n_member_codes > CONTRACT_TEAM_MEMBERS_MAX)
        return yl_err_set(err, YL_EINVAL, "member_codes", "a team has at most %d members",
                          CONTRACT_TEAM_MEMBERS_MAX);
    out->n_members = 0;
    for (size_t i = 0; i < in->n_member_codes; i++) {
        int64_t id;
        int rc = staff_lookup(c, in->member_codes[i], "member_codes", &id, err);
        if (rc != 0)
            return rc;
        for (size_t k = 0; k < out->n_members; k++)
            if (out->members[k] == id)
                return yl_err_set(err, YL_EINVAL, "member_codes",
                                  "staff member \"%s\" is listed twice", in->member_codes[i]);
        out->members[out->n_members++] = id;
    }
    qsort(out->members, out->n_members, sizeof(out->members[0]), cmp_id);
    return 0;
}

static bool is_member(const struct contract_team_row *t, int64_t staff_id)
{
    return bsearch(&staff_id, t->members, t->n_members, sizeof(t->members[0]), cmp_id) != NULL;
}

static int name_check(const char *name, struct yl_err *err)
{
    size_t n = strlen(name);
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, "name", "name is required");
    if (n > CONTRACT_NAME_MAX)
        return yl_err_set(err, YL_EINVAL, "name", "name is longer than %d bytes",
                          CONTRACT_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20)
            return yl_err_set(err, YL_EINVAL, "name", "name may not hold control characters");
    return 0;
}

int contract_team_row_resolve(struct store_conn *c, const struct contract_team_row *cur,
                              const struct contract_team_input *in, struct contract_team_row *out,
                              struct yl_err *err)
{
    int rc = 0;
    if (cur != NULL) {
        *out = *cur;
    } else {
        memset(out, 0, sizeof(*out));
        out->status = TSTAT_ACTIVE;
        if (in->code == NULL || in->code[0] == '\0')
            return yl_err_set(err, YL_EINVAL, "code", "code is required");
        if (!contract_code_ok(in->code))
            return yl_err_set(err, YL_EINVAL, "code",
                              "a team code is 1 to %d letters, digits, '-' or '_'",
                              CONTRACT_CODE_MAX);
        snprintf(out->code, sizeof(out->code), "%s", in->code);
        if (in->name == NULL)
            return yl_err_set(err, YL_EINVAL, "name", "name is required");
        if (in->facility_code == NULL || in->facility_code[0] == '\0')
            return yl_err_set(err, YL_EINVAL, "facility_code", "facility_code is required");
    }
    if (in->name != NULL) {
        rc = name_check(in->name, err);
        if (rc != 0)
            return rc;
        snprintf(out->name, sizeof(out->name), "%s", in->name);
    }
    if (in->facility_code != NULL) {
        rc = facility_lookup(c, in->facility_code, out, err);
        if (rc != 0)
            return rc;
    }
    if (in->capacity > CONTRACT_CAPACITY_MAX)
        return yl_err_set(err, YL_EINVAL, "capacity", "capacity must be from 0 to %d",
                          CONTRACT_CAPACITY_MAX);
    if (in->capacity >= 0)
        out->capacity = in->capacity;
    if (in->status != NULL) {
        rc = vocab_parse(VOCAB_TEAM_STATUS, in->status, "status", &out->status, err);
        if (rc != 0)
            return rc;
    }
    if (in->members_given) {
        rc = resolve_members(c, in, out, err);
        if (rc != 0)
            return rc;
    }
    if (in->leader_code != NULL) {
        out->leader_id = 0;
        out->leader_code[0] = '\0';
        if (in->leader_code[0] != '\0') {
            rc = staff_lookup(c, in->leader_code, "leader_code", &out->leader_id, err);
            if (rc != 0)
                return rc;
            snprintf(out->leader_code, sizeof(out->leader_code), "%s", in->leader_code);
        }
    }
    if (out->leader_id != 0 && !is_member(out, out->leader_id))
        return yl_err_set(err, YL_EINVAL, "leader_code",
                          "the leader \"%s\" is not a member of the team", out->leader_code);
    /* A disbanded team would leave its residents with a contract nobody serves. */
    if (cur != NULL && cur->status == TSTAT_ACTIVE && out->status == TSTAT_DISBANDED) {
        int64_t active = team_active_count(c, cur->id, err);
        if (active < 0)
            return (int)active;
        if (active > 0)
            return yl_err_set(err, YL_EINVAL, "status",
                              "team \"%s\" still has %lld active contracts; terminate or "
                              "move them first",
                              cur->code, (long long)active);
    }
    return 0;
}

bool contract_team_row_equal(const struct contract_team_row *a, const struct contract_team_row *b)
{
    if (strcmp(a->code, b->code) != 0 || strcmp(a->name, b->name) != 0 ||
        a->facility_id != b->facility_id || a->leader_id != b->leader_id ||
        a->capacity != b->capacity || a->status != b->status || a->n_members != b->n_members)
        return false;
    return memcmp(a->members, b->members, a->n_members * sizeof(a->members[0])) == 0;
}

static int64_t team_id_of(struct store_conn *c, const char *code)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, NULL);
    int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    contract_stmt_finish(st, rc);
    return id;
}

int contract_team_row_write(struct store_conn *c, const struct contract_team_row *cur,
                            struct contract_team_row *next, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, cur ? STORE_SQL_TEAM_UPDATE : STORE_SQL_TEAM_INSERT);
    store_bind_text(st, 1, cur ? next->name : next->code);
    int k = cur ? 2 : 3;
    if (!cur)
        store_bind_text(st, 2, next->name);
    store_bind_int(st, k++, next->facility_id);
    if (next->leader_id != 0)
        store_bind_int(st, k++, next->leader_id);
    else
        store_bind_null(st, k++);
    store_bind_int(st, k++, next->capacity);
    store_bind_text(st, k++, vocab_code(VOCAB_TEAM_STATUS, next->status));
    store_bind_text(st, k++, now);
    if (cur)
        store_bind_int(st, k++, cur->id);
    /* The store's own message for a taken code says less than ours; keep it out of err. */
    struct yl_err local = {0};
    int rc = store_step(st, &local);
    if (rc == STORE_ROW && !cur)
        next->id = store_col_int(st, 0);
    contract_stmt_finish(st, rc);
    if (rc == YL_ECONFLICT) {
        rc = yl_err_set(err, YL_ECONFLICT, "code", "team \"%s\" already exists", next->code);
        if (err != NULL && err->code == YL_ECONFLICT)
            err->existing_id = team_id_of(c, next->code);
        return rc;
    }
    if (rc < 0)
        return yl_err_set(err, rc, local.field, "%s", yl_err_message(&local));
    if (cur)
        next->id = cur->id;
    if (cur && cur->n_members == next->n_members &&
        memcmp(cur->members, next->members, cur->n_members * sizeof(cur->members[0])) == 0)
        return 0;
    st = store_stmt(c, STORE_SQL_TEAM_MEMBERS_CLEAR);
    store_bind_int(st, 1, next->id);
    rc = store_exec(st, err);
    for (size_t i = 0; rc == 0 && i < next->n_members; i++) {
        st = store_stmt(c, STORE_SQL_TEAM_MEMBER_ADD);
        store_bind_int(st, 1, next->id);
        store_bind_int(st, 2, next->members[i]);
        rc = store_exec(st, err);
    }
    return rc;
}

/* --- API-level writes -------------------------------------------------------------------- */

/* A facility admin manages only the teams their facility leads. */
static int facility_scope_check(const struct acct_principal *p, const char *facility_code,
                                struct yl_err *err)
{
    if (p == NULL || p->scope.kind == SCOPE_REGION)
        return 0;
    if (p->scope.kind == SCOPE_FACILITY && strcmp(p->scope.ref, facility_code) == 0)
        return 0;
    return yl_err_set(err, YL_EFORBIDDEN, "facility_code",
                      "teams led by facility \"%s\" are outside your scope", facility_code);
}

/*
 * Every team write ends here: the audit record and the commit, or the rollback. The index
 * refresh of the team (pidx_team_put) belongs right after a successful commit, here.
 */
static int team_write_end(struct store_conn *c, const struct contract_who *who, const char *action,
                          int64_t team_id, int rc, struct yl_err *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)team_id);
    struct audit_event ev = {action, "team", id, "ok"};
    return audit_finish_write(c, who->actor, &ev, rc, err);
}

int contract_team_create(struct store *s, const struct contract_team_input *in,
                         const struct contract_who *who, int64_t *team_id, struct yl_err *err)
{
    struct contract_team_row next;
    struct store_conn *c;
    int rc = 0;
    if (in->facility_code != NULL && in->facility_code[0] != '\0')
        rc = facility_scope_check(who->principal, in->facility_code, err);
    if (rc == 0)
        rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = contract_team_row_resolve(c, NULL, in, &next, err);
    if (rc == 0)
        rc = contract_team_row_write(c, NULL, &next, err);
    rc = team_write_end(c, who, "create", rc == 0 ? next.id : 0, rc, err);
    if (rc == 0 && team_id != NULL)
        *team_id = next.id;
    return rc;
}

int contract_team_update(struct store *s, const char *code, const struct contract_team_input *in,
                         const struct contract_who *who, int64_t *team_id, struct yl_err *err)
{
    struct contract_team_row cur, next;
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = contract_team_row_load(c, code, &cur, err);
    if (rc == YL_ENOTFOUND)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no team \"%s\"", code);
    if (rc == 0)
        rc = facility_scope_check(who->principal, cur.facility_code, err);
    if (rc == 0 && in->facility_code != NULL)
        rc = facility_scope_check(who->principal, in->facility_code, err);
    if (rc == 0)
        rc = contract_team_row_resolve(c, &cur, in, &next, err);
    /* Nothing to change: no write, no audit record. */
    if (rc == 0 && contract_team_row_equal(&cur, &next)) {
        store_rollback(c);
        store_release(c);
        if (team_id != NULL)
            *team_id = cur.id;
        return 0;
    }
    if (rc == 0)
        rc = contract_team_row_write(c, &cur, &next, err);
    rc = team_write_end(c, who, "update", rc == 0 ? next.id : 0, rc, err);
    if (rc == 0 && team_id != NULL)
        *team_id = next.id;
    return rc;
}

/* --- reads ------------------------------------------------------------------------------- */

static const char *col_dup(struct arena *a, struct store_stmt *st, int col)
{
    return arena_strdup(a, store_col_text(st, col));
}

int contract_team_get(struct store *s, const char *code, struct arena *a, struct contract_team *out,
                      struct yl_err *err)
{
    memset(out, 0, sizeof(*out));
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc != 0) {
        store_release(c);
        return rc;
    }
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_BY_CODE);
    store_bind_text(st, 1, code);
    rc = store_step(st, err);
    if (rc == STORE_ROW) {
        out->id = store_col_int(st, 0);
        out->code = col_dup(a, st, 1);
        out->name = col_dup(a, st, 2);
        out->facility_code = col_dup(a, st, 4);
        out->leader_code = col_dup(a, st, 6);
        out->capacity = store_col_int(st, 7);
        out->status = col_dup(a, st, 8);
        out->updated_at = col_dup(a, st, 9);
    }
    contract_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no team \"%s\"", code);
    if (rc < 0)
        goto out;
    int64_t active = team_active_count(c, out->id, err);
    if (active < 0) {
        rc = (int)active;
        goto out;
    }
    out->active_contracts = active;
    size_t cap = 8;
    out->members = arena_alloc(a, cap * sizeof(*out->members));
    st = store_stmt(c, STORE_SQL_TEAM_MEMBERS);
    store_bind_int(st, 1, out->id);
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (out->n_members == cap) {
            struct contract_member *grown = arena_alloc(a, 2 * cap * sizeof(*grown));
            memcpy(grown, out->members, cap * sizeof(*grown));
            out->members = grown;
            cap *= 2;
        }
        struct contract_member *m = &out->members[out->n_members++];
        m->staff_id = store_col_int(st, 0);
        m->code = col_dup(a, st, 1);
        m->name = col_dup(a, st, 2);
        m->role = col_dup(a, st, 3);
        m->facility_code = col_dup(a, st, 4);
    }
    contract_stmt_finish(st, rc);
    out->member_count = (int64_t)out->n_members;
    rc = rc < 0 ? rc : 0;
out:
    store_rollback(c);
    store_release(c);
    return rc;
}

int contract_team_list(struct store *s, const struct contract_team_filter *f, struct arena *a,
                       struct contract_team *out, struct yl_err *err)
{
    const char *facility = f->facility_code ? f->facility_code : "";
    const char *ou = f->ou_code ? f->ou_code : "";
    const char *status = f->status ? f->status : "";
    int ignored;
    if (status[0] != '\0' && vocab_parse(VOCAB_TEAM_STATUS, status, "status", &ignored, err))
        return YL_EINVAL;
    char today[DATE_STR_LEN];
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_LIST);
    store_bind_text(st, 1, date_format(date_today(), today));
    store_bind_int(st, 2, f->after_id);
    store_bind_text(st, 3, facility);
    store_bind_text(st, 4, facility);
    store_bind_text(st, 5, ou);
    store_bind_text(st, 6, ou);
    store_bind_text(st, 7, ou);
    store_bind_text(st, 8, status);
    store_bind_text(st, 9, status);
    store_bind_int(st, 10, f->limit);
    int n = 0, rc = 0;
    while (n < f->limit && (rc = store_step(st, err)) == STORE_ROW) {
        struct contract_team *t = &out[n++];
        memset(t, 0, sizeof(*t));
        t->id = store_col_int(st, 0);
        t->code = col_dup(a, st, 1);
        t->name = col_dup(a, st, 2);
        t->facility_code = col_dup(a, st, 3);
        t->leader_code = col_dup(a, st, 4);
        t->capacity = store_col_int(st, 5);
        t->status = col_dup(a, st, 6);
        t->updated_at = col_dup(a, st, 7);
        t->active_contracts = store_col_int(st, 8);
        t->member_count = store_col_int(st, 9);
    }
    contract_stmt_finish(st, rc);
    store_release(c);
    return rc < 0 ? rc : n;
}
