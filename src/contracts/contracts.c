/*
 * contracts.c - signing, renewing, terminating and reading family-doctor contracts, within
 * the caller's scope.
 *
 * "Active" is judged as of today (contract_status_at): reads render a lapsed active
 * contract as expired, and a write that needs the resident's one active slot stores the
 * lapsed one as expired in the same transaction (contract_row_write). Every write ends in
 * contract_write_end, which knows the resident the write concerned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "contracts/contracts_int.h"
#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "store/store.h"

enum contract_status contract_status_at(enum contract_status stored, int32_t to_date, int32_t today)
{
    if (stored == CSTAT_ACTIVE && to_date < today)
        return CSTAT_EXPIRED;
    return stored;
}

int32_t contract_default_to(int32_t from)
{
    /* The anniversary is the first day not covered. From 29 February it falls on 1 March of
     * a common year, which date_add_months clamps to 28 February: that day is then the
     * last one covered, not the first one outside. */
    int y, m, d, ay, am, ad;
    int32_t anniversary = date_add_months(from, 12);
    date_to_ymd(from, &y, &m, &d);
    date_to_ymd(anniversary, &ay, &am, &ad);
    return ad != d ? anniversary : date_add_days(anniversary, -1);
}

const char *contract_date_text(int32_t d, char out[DATE_STR_LEN])
{
    if (d == DATE_INVALID)
        return NULL;
    return date_format(d, out);
}

/* A stored date; DATE_INVALID for NULL (read as "") or anything unreadable. */
static int32_t text_date(const char *s)
{
    int32_t d;
    if (s[0] == '\0' || date_parse(s, strlen(s), &d, NULL, NULL) != 0)
        return DATE_INVALID;
    return d;
}

static int64_t scope_team_id(const struct acct_principal *p)
{
    return strtoll(p->scope.ref, NULL, 10);
}

int contract_scope_check(const struct acct_principal *p, int64_t team_id, const char *ou_code,
                         struct yl_err *err)
{
    if (p == NULL)
        return 0;
    if (!acct_role_has(p->role, PERM_RECORD_READ))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read contracts",
                          acct_role_name(p->role));
    switch (p->scope.kind) {
    case SCOPE_REGION:
        return 0;
    case SCOPE_TEAM:
        if (team_id == scope_team_id(p))
            return 0;
        break;
    case SCOPE_OU:
        if (adcode_in_subtree(ou_code, p->scope.ref))
            return 0;
        break;
    case SCOPE_FACILITY:
    default:
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read contracts",
                          acct_role_name(p->role));
    }
    return yl_err_set(err, YL_ENOTFOUND, NULL, "no such contract");
}

/* May `p` sign (or renew) a contract of a resident living in `ou_code` with team `team_id`?
 * A family doctor signs to their own team only; a village doctor residents of their
 * village only (others are "not found", as on reads). */
static int sign_check(const struct acct_principal *p, int64_t resident_id, int64_t team_id,
                      const char *ou_code, struct yl_err *err)
{
    if (p == NULL || p->scope.kind == SCOPE_REGION)
        return 0;
    if (p->scope.kind == SCOPE_TEAM) {
        if (team_id == scope_team_id(p))
            return 0;
        return yl_err_set(err, YL_EFORBIDDEN, "team_code",
                          "you may sign residents only to your own team");
    }
    if (p->scope.kind == SCOPE_OU) {
        if (adcode_in_subtree(ou_code, p->scope.ref))
            return 0;
        return yl_err_set(err, YL_ENOTFOUND, "resident_id", "no resident %lld",
                          (long long)resident_id);
    }
    return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not sign contracts",
                      acct_role_name(p->role));
}

int contract_team_active_id(struct store_conn *c, const char *code, const char *field, int64_t *id,
                            struct yl_err *err)
{
    if (!contract_code_ok(code))
        return yl_err_set(err, YL_EINVAL, field,
                          "a team code is 1 to %d letters, digits, '-' or '_'", CONTRACT_CODE_MAX);
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_STATUS_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    int active = 0;
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        active = strcmp(store_col_text(st, 1), "active") == 0;
    }
    contract_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, field, "no team \"%s\"", code);
    if (!active)
        return yl_err_set(err, YL_EINVAL, field, "team \"%s\" is disbanded", code);
    return 0;
}

/* The resident's org unit code (into ou, 13 bytes) and whether their record is active. */
static int resident_load(struct store_conn *c, int64_t id, char *ou, bool *active,
                         struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONTRACT_RESIDENT_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        snprintf(ou, ADCODE_MAX_LEN + 1, "%s", store_col_text(st, 1));
        *active = strcmp(store_col_text(st, 2), "active") == 0;
    }
    contract_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_ENOTFOUND, "resident_id", "no resident %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

/* Store the resident's lapsed active contract (other than `self`) as expired, so the one
 * active slot is free; YL_ECONFLICT naming the contract when one is active today. */
static int make_room(struct store_conn *c, int64_t resident_id, int64_t self, int32_t today,
                     const char *now, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONTRACT_ACTIVE_OF_RESIDENT);
    store_bind_int(st, 1, resident_id);
    int64_t other = 0;
    int32_t to = DATE_INVALID;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (store_col_int(st, 0) == self)
            continue;
        other = store_col_int(st, 0);
        to = text_date(store_col_text(st, 1));
    }
    contract_stmt_finish(st, rc);
    if (rc < 0 || other == 0)
        return rc;
    if (to == DATE_INVALID || to >= today) {
        rc = yl_err_set(err, YL_ECONFLICT, "resident_id",
                        "the resident already has an active contract (%lld)", (long long)other);
        if (err != NULL && err->code == YL_ECONFLICT && err->existing_id == 0)
            err->existing_id = other;
        return rc;
    }
    st = store_stmt(c, STORE_SQL_CONTRACT_SET_STATUS);
    store_bind_text(st, 1, vocab_code(VOCAB_CONTRACT_STATUS, CSTAT_EXPIRED));
    store_bind_null(st, 2);
    store_bind_text(st, 3, "");
    store_bind_text(st, 4, now);
    store_bind_int(st, 5, other);
    return store_exec(st, err);
}

static int row_store(struct store_conn *c, struct contract_row *row, unsigned flags,
                     const char *now, struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN], ended[DATE_STR_LEN];
    struct store_stmt *st;
    int k = 1;
    if (row->id == 0) {
        /* RETURNING costs SQLite a temporary table per statement: a bulk insert that does
         * not need the id goes without. */
        st = store_stmt(c, flags & CONTRACT_ROW_NO_ID ? STORE_SQL_CONTRACT_INSERT_BULK
                                                      : STORE_SQL_CONTRACT_INSERT);
        store_bind_text(st, k++, row->external_id[0] ? row->external_id : NULL);
    } else {
        st = store_stmt(c, STORE_SQL_CONTRACT_UPDATE);
    }
    store_bind_int(st, k++, row->resident_id);
    store_bind_int(st, k++, row->team_id);
    store_bind_text(st, k++, vocab_code(VOCAB_PACKAGE, row->package));
    store_bind_text(st, k++, date_format(row->from_date, from));
    store_bind_text(st, k++, date_format(row->to_date, to));
    store_bind_text(st, k++, vocab_code(VOCAB_CONTRACT_STATUS, row->status));
    store_bind_text(st, k++, contract_date_text(row->ended_date, ended));
    store_bind_text(st, k++, row->end_reason);
    if (row->id == 0) {
        if (row->renews_id != 0)
            store_bind_int(st, k++, row->renews_id);
        else
            store_bind_null(st, k++);
    }
    store_bind_text(st, k++, now);
    if (row->id != 0)
        store_bind_int(st, k++, row->id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW && row->id == 0)
        row->id = store_col_int(st, 0);
    contract_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int contract_row_write(struct store_conn *c, struct contract_row *row, unsigned flags,
                       int32_t today, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    /* Try first and make room only on a conflict: an import of a million new contracts
     * then pays one statement a row, not two. */
    struct yl_err local = {0};
    int64_t id = row->id;
    int rc = row_store(c, row, flags, now, &local);
    if (rc == YL_ECONFLICT && row->status == CSTAT_ACTIVE) {
        rc = make_room(c, row->resident_id, id, today, now, err);
        if (rc != 0)
            return rc;
        yl_err_clear(&local);
        row->id = id;
        rc = row_store(c, row, flags, now, &local);
    }
    if (rc < 0)
        return yl_err_set(err, rc, local.field[0] ? local.field : NULL, "%s",
                          yl_err_message(&local));
    return 0;
}

/* Read columns of SQL_CONTRACT_SELECT into *out (strings in a) and the resident's org unit
 * code into ou (13 bytes). */
static void contract_from(struct store_stmt *st, struct arena *a, int32_t today,
                          struct contract *out, char *ou)
{
    memset(out, 0, sizeof(*out));
    out->id = store_col_int(st, 0);
    out->external_id = arena_strdup(a, store_col_text(st, 1));
    out->resident_id = store_col_int(st, 2);
    out->team_id = store_col_int(st, 3);
    out->team_code = arena_strdup(a, store_col_text(st, 4));
    out->package = arena_strdup(a, store_col_text(st, 5));
    out->from_date = text_date(store_col_text(st, 6));
    out->to_date = text_date(store_col_text(st, 7));
    int status = vocab_find(VOCAB_CONTRACT_STATUS, store_col_text(st, 8));
    out->status = contract_status_at(status < 0 ? CSTAT_TERMINATED : (enum contract_status)status,
                                     out->to_date, today);
    out->ended_date = text_date(store_col_text(st, 9));
    out->end_reason = arena_strdup(a, store_col_text(st, 10));
    out->renews_id = store_col_int(st, 11);
    out->updated_at = arena_strdup(a, store_col_text(st, 12));
    if (ou != NULL)
        snprintf(ou, ADCODE_MAX_LEN + 1, "%s", store_col_text(st, 13));
}

/* Load contract `id` as stored (with the resident's org unit and the team code). */
static int row_load(struct store_conn *c, int64_t id, struct contract_row *row, char *ou,
                    char *team_code, struct yl_err *err)
{
    memset(row, 0, sizeof(*row));
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONTRACT_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        row->id = store_col_int(st, 0);
        snprintf(row->external_id, sizeof(row->external_id), "%s", store_col_text(st, 1));
        row->resident_id = store_col_int(st, 2);
        row->team_id = store_col_int(st, 3);
        snprintf(team_code, CONTRACT_CODE_MAX + 1, "%s", store_col_text(st, 4));
        row->package = vocab_find(VOCAB_PACKAGE, store_col_text(st, 5));
        row->from_date = text_date(store_col_text(st, 6));
        row->to_date = text_date(store_col_text(st, 7));
        row->status = vocab_find(VOCAB_CONTRACT_STATUS, store_col_text(st, 8));
        row->ended_date = text_date(store_col_text(st, 9));
        snprintf(row->end_reason, sizeof(row->end_reason), "%s", store_col_text(st, 10));
        row->renews_id = store_col_int(st, 11);
        snprintf(ou, ADCODE_MAX_LEN + 1, "%s", store_col_text(st, 13));
    }
    contract_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such contract");
    if (row->package < 0)
        row->package = PKG_CUSTOM;
    if (row->status < 0)
        row->status = CSTAT_TERMINATED;
    return rc < 0 ? rc : 0;
}

/*
 * Every contract write ends here: the audit record and the commit, or the rollback; the
 * connection goes back to the pool. `resident_id` is the resident the write concerned: the
 * population index refresh (pidx_resident_refresh) belongs right after a successful commit,
 * here, and nowhere else.
 */
static int contract_write_end(struct store_conn *c, const struct contract_who *who,
                              const char *action, int64_t contract_id, int64_t resident_id, int rc,
                              struct yl_err *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)contract_id);
    struct audit_event ev = {action, "contract", id, "ok"};
    return audit_finish_write(c, who->actor, &ev, rc, err);
}

static int not_active_resident(struct yl_err *err)
{
    return yl_err_set(err, YL_EINVAL, "resident_id",
                      "the resident's record is not active (moved out or deceased)");
}

int contract_create(struct store *s, const struct contract_input *in,
                    const struct contract_who *who, int64_t *contract_id, int64_t *resident_id,
                    struct yl_err *err)
{
    int32_t today = date_today();
    struct contract_row row = {.resident_id = in->resident_id, .ended_date = DATE_INVALID};
    int rc = 0;
    if (in->resident_id <= 0)
        return yl_err_set(err, YL_EINVAL, "resident_id", "resident_id is required");
    if (in->team_code == NULL || in->team_code[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "team_code", "team_code is required");
    row.package = PKG_BASIC;
    if (in->package != NULL)
        rc = vocab_parse(VOCAB_PACKAGE, in->package, "package", &row.package, err);
    if (rc != 0)
        return rc;
    row.from_date = in->from_date == DATE_INVALID ? today : in->from_date;
    row.to_date = in->to_date == DATE_INVALID ? contract_default_to(row.from_date) : in->to_date;
    if (row.to_date < row.from_date)
        return yl_err_set(err, YL_EINVAL, "to_date", "to_date is before from_date");
    /* A contract entered after its period is history: it never takes the active slot. */
    row.status = row.to_date < today ? CSTAT_EXPIRED : CSTAT_ACTIVE;

    struct store_conn *c;
    char ou[ADCODE_MAX_LEN + 1] = "";
    bool resident_active = false;
    rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = resident_load(c, in->resident_id, ou, &resident_active, err);
    if (rc == YL_ENOTFOUND ||
        (rc == 0 && who->principal != NULL && who->principal->scope.kind == SCOPE_OU &&
         !adcode_in_subtree(ou, who->principal->scope.ref)))
        rc = yl_err_set(err, YL_ENOTFOUND, "resident_id", "no resident %lld",
                        (long long)in->resident_id);
    if (rc == 0)
        rc = contract_team_active_id(c, in->team_code, "team_code", &row.team_id, err);
    if (rc == 0)
        rc = sign_check(who->principal, in->resident_id, row.team_id, ou, err);
    if (rc == 0 && row.status == CSTAT_ACTIVE && !resident_active)
        rc = not_active_resident(err);
    if (rc == 0)
        rc = contract_row_write(c, &row, 0, today, err);
    rc = contract_write_end(c, who, "create", row.id, row.resident_id, rc, err);
    if (rc == 0 && contract_id != NULL)
        *contract_id = row.id;
    if (rc == 0 && resident_id != NULL)
        *resident_id = row.resident_id;
    return rc;
}

int contract_renew(struct store *s, int64_t id, const struct contract_renewal *in,
                   const struct contract_who *who, int64_t *new_id, int64_t *resident_id,
                   struct yl_err *err)
{
    int32_t today = date_today();
    struct contract_row old, next;
    char ou[ADCODE_MAX_LEN + 1], team_code[CONTRACT_CODE_MAX + 1];
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = row_load(c, id, &old, ou, team_code, err);
    if (rc == 0)
        rc = contract_scope_check(who->principal, old.team_id, ou, err);
    enum contract_status shown = CSTAT_ACTIVE;
    if (rc == 0) {
        shown = contract_status_at(old.status, old.to_date, today);
        if (shown != CSTAT_ACTIVE && shown != CSTAT_EXPIRED)
            rc = yl_err_set(err, YL_ECONFLICT, "status",
                            "contract %lld is %s; only an active or expired contract can be "
                            "renewed",
                            (long long)id, vocab_code(VOCAB_CONTRACT_STATUS, shown));
    }
    next = old;
    next.id = 0;
    next.external_id[0] = '\0';
    next.renews_id = old.id;
    next.status = CSTAT_ACTIVE;
    next.ended_date = DATE_INVALID;
    next.end_reason[0] = '\0';
    if (rc == 0)
        rc = contract_team_active_id(c, in->team_code ? in->team_code : team_code, "team_code",
                                     &next.team_id, err);
    if (rc == 0)
        rc = sign_check(who->principal, old.resident_id, next.team_id, ou, err);
    if (rc == 0 && in->package != NULL)
        rc = vocab_parse(VOCAB_PACKAGE, in->package, "package", &next.package, err);
    /* Renewing before the end continues the period; after it, cover starts again today. */
    next.from_date = shown == CSTAT_ACTIVE ? date_add_days(old.to_date, 1) : today;
    next.to_date = in->to_date == DATE_INVALID ? contract_default_to(next.from_date) : in->to_date;
    if (rc == 0 && next.to_date < next.from_date) {
        char from[DATE_STR_LEN];
        rc = yl_err_set(err, YL_EINVAL, "to_date", "to_date is before the renewal's start %s",
                        date_format(next.from_date, from));
    }
    if (rc == 0) {
        char ignored[ADCODE_MAX_LEN + 1];
        bool active = false;
        rc = resident_load(c, old.resident_id, ignored, &active, err);
        if (rc == 0 && !active)
            rc = not_active_resident(err);
    }
    if (rc == 0) {
        old.status = CSTAT_RENEWED;
        rc = contract_row_write(c, &old, 0, today, err);
    }
    if (rc == 0)
        rc = contract_row_write(c, &next, 0, today, err);
    if (rc == 0) {
        char nid[24];
        snprintf(nid, sizeof(nid), "%lld", (long long)next.id);
        struct audit_event ev = {"create", "contract", nid, "ok"};
        rc = audit_append(c, who->actor, &ev, err);
    }
    rc = contract_write_end(c, who, "renew", id, old.resident_id, rc, err);
    if (rc == 0 && new_id != NULL)
        *new_id = next.id;
    if (rc == 0 && resident_id != NULL)
        *resident_id = old.resident_id;
    return rc;
}

int contract_terminate(struct store *s, int64_t id, int32_t date, const char *reason,
                       const struct contract_who *who, int64_t *resident_id, struct yl_err *err)
{
    int32_t today = date_today();
    if (date == DATE_INVALID)
        return yl_err_set(err, YL_EINVAL, "date", "date is required");
    if (date > today)
        return yl_err_set(err, YL_EINVAL, "date", "date is in the future");
    if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
        return yl_err_set(err, YL_EINVAL, "reason", "reason is required");
    if (strlen(reason) > CONTRACT_REASON_MAX)
        return yl_err_set(err, YL_EINVAL, "reason", "reason is longer than %d bytes",
                          CONTRACT_REASON_MAX);
    struct contract_row row;
    char ou[ADCODE_MAX_LEN + 1], team_code[CONTRACT_CODE_MAX + 1];
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = row_load(c, id, &row, ou, team_code, err);
    if (rc == 0)
        rc = contract_scope_check(who->principal, row.team_id, ou, err);
    if (rc == 0) {
        enum contract_status shown = contract_status_at(row.status, row.to_date, today);
        if (shown != CSTAT_ACTIVE)
            rc = yl_err_set(err, YL_ECONFLICT, "status",
                            "contract %lld is %s; only an active contract can be terminated",
                            (long long)id, vocab_code(VOCAB_CONTRACT_STATUS, shown));
    }
    if (rc == 0 && date > date_add_days(row.to_date, 1))
        rc = yl_err_set(err, YL_EINVAL, "date", "date is after the end of the contract");
    if (rc == 0) {
        row.status = CSTAT_TERMINATED;
        row.ended_date = date;
        snprintf(row.end_reason, sizeof(row.end_reason), "%s", reason);
        rc = contract_row_write(c, &row, 0, today, err);
    }
    rc = contract_write_end(c, who, "terminate", id, row.resident_id, rc, err);
    if (rc == 0 && resident_id != NULL)
        *resident_id = row.resident_id;
    return rc;
}

/* --- reads ------------------------------------------------------------------------------- */

int contract_get(struct store *s, int64_t id, const struct acct_principal *p, struct arena *a,
                 struct contract *out, struct yl_err *err)
{
    char ou[ADCODE_MAX_LEN + 1] = "";
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONTRACT_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        contract_from(st, a, date_today(), out, ou);
    contract_stmt_finish(st, rc);
    store_release(c);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such contract");
    if (rc < 0)
        return rc;
    return contract_scope_check(p, out->team_id, ou, err);
}

/* Where a list may look: every contract, one team's, or one org unit subtree's. */
static int list_scope(const struct acct_principal *p, int64_t *team_id, const char **ou,
                      struct yl_err *err)
{
    *team_id = 0;
    *ou = "";
    if (p == NULL)
        return 0;
    if (!acct_role_has(p->role, PERM_RECORD_READ))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read contracts",
                          acct_role_name(p->role));
    switch (p->scope.kind) {
    case SCOPE_REGION:
        return 0;
    case SCOPE_TEAM:
        *team_id = scope_team_id(p);
        return 0;
    case SCOPE_OU:
        *ou = p->scope.ref;
        return 0;
    default:
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read contracts",
                          acct_role_name(p->role));
    }
}

int contract_list(struct store *s, const struct contract_filter *f, const struct acct_principal *p,
                  struct arena *a, struct contract *out, struct yl_err *err)
{
    const char *status = f->status ? f->status : "";
    const char *package = f->package ? f->package : "";
    int ignored;
    if (status[0] != '\0' && vocab_parse(VOCAB_CONTRACT_STATUS, status, "status", &ignored, err))
        return YL_EINVAL;
    if (package[0] != '\0' && vocab_parse(VOCAB_PACKAGE, package, "package", &ignored, err))
        return YL_EINVAL;
    int64_t scope_team;
    const char *scope_ou;
    int rc = list_scope(p, &scope_team, &scope_ou, err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(s);
    int64_t team_id = 0;
    if (f->team_code != NULL && f->team_code[0] != '\0') {
        struct contract_team_row t;
        rc = contract_code_ok(f->team_code) ? contract_team_row_load(c, f->team_code, &t, err)
                                            : YL_ENOTFOUND;
        if (rc == YL_ENOTFOUND)
            rc = yl_err_set(err, YL_EINVAL, "team", "no team \"%s\"",
                            contract_code_ok(f->team_code) ? f->team_code : "?");
        if (rc == 0 && scope_team != 0 && t.id != scope_team)
            rc = yl_err_set(err, YL_EFORBIDDEN, "team",
                            "the contracts of another team are outside your scope");
        if (rc != 0) {
            store_release(c);
            return rc;
        }
        team_id = t.id;
    }
    if (team_id == 0)
        team_id = scope_team;
    /* The most selective access path first; the rest are filters. */
    struct store_stmt *st;
    int k = 1;
    if (f->resident_id > 0) {
        st = store_stmt(c, STORE_SQL_CONTRACT_LIST_RESIDENT);
        store_bind_int(st, k++, f->resident_id);
    } else if (team_id != 0) {
        st = store_stmt(c, STORE_SQL_CONTRACT_LIST_TEAM);
        store_bind_int(st, k++, team_id);
    } else {
        st = store_stmt(c, STORE_SQL_CONTRACT_LIST);
    }
    int32_t today = date_today();
    char today_text[DATE_STR_LEN];
    store_bind_int(st, k++, f->after_id);
    store_bind_int(st, k++, team_id);
    store_bind_int(st, k++, team_id);
    store_bind_text(st, k++, scope_ou);
    store_bind_text(st, k++, scope_ou);
    store_bind_text(st, k++, scope_ou);
    store_bind_text(st, k++, package);
    store_bind_text(st, k++, package);
    store_bind_text(st, k++, status);
    store_bind_text(st, k++, date_format(today, today_text));
    store_bind_text(st, k++, status);
    store_bind_int(st, k++, f->limit);
    int n = 0;
    rc = 0;
    while (n < f->limit && (rc = store_step(st, err)) == STORE_ROW)
        contract_from(st, a, today, &out[n++], NULL);
    contract_stmt_finish(st, rc);
    store_release(c);
    return rc < 0 ? rc : n;
}

int contract_team_residents(struct store *s, const char *code, const struct acct_principal *p,
                            int64_t after_id, int limit, struct arena *a,
                            struct contract_resident *out, struct yl_err *err)
{
    int64_t scope_team;
    const char *scope_ou;
    int rc = list_scope(p, &scope_team, &scope_ou, err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(s);
    struct contract_team_row t;
    rc = contract_code_ok(code) ? contract_team_row_load(c, code, &t, err) : YL_ENOTFOUND;
    if (rc == YL_ENOTFOUND)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such team");
    if (rc == 0 && scope_team != 0 && t.id != scope_team)
        rc = yl_err_set(err, YL_EFORBIDDEN, NULL,
                        "the residents of another team are outside your scope");
    if (rc != 0) {
        store_release(c);
        return rc;
    }
    char today[DATE_STR_LEN];
    struct store_stmt *st = store_stmt(c, STORE_SQL_TEAM_RESIDENTS);
    store_bind_int(st, 1, t.id);
    store_bind_text(st, 2, date_format(date_today(), today));
    store_bind_int(st, 3, after_id);
    store_bind_text(st, 4, scope_ou);
    store_bind_text(st, 5, scope_ou);
    store_bind_text(st, 6, scope_ou);
    store_bind_int(st, 7, limit);
    int n = 0;
    while (n < limit && (rc = store_step(st, err)) == STORE_ROW) {
        struct contract_resident *r = &out[n++];
        r->contract_id = store_col_int(st, 0);
        r->resident_id = store_col_int(st, 1);
        idno_mask(store_col_text(st, 2), r->id_number_masked);
        r->name = arena_strdup(a, store_col_text(st, 3));
        r->sex = (int)store_col_int(st, 4);
        r->birth_date = arena_strdup(a, store_col_text(st, 5));
        r->ou_code = arena_strdup(a, store_col_text(st, 6));
        r->package = arena_strdup(a, store_col_text(st, 7));
        r->from_date = text_date(store_col_text(st, 8));
        r->to_date = text_date(store_col_text(st, 9));
    }
    contract_stmt_finish(st, rc);
    store_release(c);
    return rc < 0 ? rc : n;
}
