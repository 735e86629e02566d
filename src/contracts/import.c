/*
 * import.c - the "teams" and "contracts" CSV imports (docs/import-formats.md), as row
 * functions for the import driver (importer.h).
 *
 * Each row is resolved to what would be stored and compared with what is: identical rows
 * write nothing, so a re-run is free and leaves the audit trail alone. Contracts are the
 * bulk import (one per signed resident): a new row costs a lookup of its external id, one of
 * the resident through the unique index on id_number, and one insert (without RETURNING,
 * which would cost SQLite a temporary table a row); teams are cached in a struct
 * contract_import when the caller passes one as ctx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/contracts_int.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "store/store.h"

#define TEAM_CACHE_MAX 512

struct team_cache_entry {
    char code[CONTRACT_CODE_MAX + 1];
    int64_t id;
};

struct contract_import {
    contract_touched_fn *fn;
    void *arg;
    int64_t *ids; /* written in the open batch */
    size_t n_ids, cap_ids;
    struct team_cache_entry teams[TEAM_CACHE_MAX]; /* active teams seen so far */
    size_t n_teams;
};

struct contract_import *contract_import_new(contract_touched_fn *fn, void *arg)
{
    struct contract_import *ci = xcalloc(1, sizeof(*ci));
    ci->fn = fn;
    ci->arg = arg;
    return ci;
}

void contract_import_free(struct contract_import *ci)
{
    if (ci == NULL)
        return;
    free(ci->ids);
    free(ci);
}

static void touched(struct contract_import *ci, int64_t id)
{
    if (ci == NULL)
        return;
    if (ci->n_ids == ci->cap_ids) {
        ci->cap_ids = ci->cap_ids ? 2 * ci->cap_ids : 1024;
        ci->ids = xrealloc(ci->ids, ci->cap_ids * sizeof(*ci->ids));
    }
    ci->ids[ci->n_ids++] = id;
}

static void batch_done(void *ctx, int committed)
{
    struct contract_import *ci = ctx;
    if (ci == NULL)
        return;
    if (committed && ci->fn != NULL && ci->n_ids > 0)
        ci->fn(ci->arg, ci->ids, ci->n_ids);
    ci->n_ids = 0;
}

/* --- teams ------------------------------------------------------------------------------- */

#define MEMBER_TEXT_MAX (CONTRACT_TEAM_MEMBERS_MAX * (CONTRACT_CODE_MAX + 1))

static int team_row(void *ctx, struct store_conn *c, const struct csv_reader *r, struct yl_err *err)
{
    struct contract_team_input in = {0};
    const char *members, *status;
    long capacity;
    int rc = imp_text(r, "code", 1, CONTRACT_CODE_MAX, &in.code, err);
    if (rc == 0)
        rc = imp_text(r, "name", 1, CONTRACT_NAME_MAX, &in.name, err);
    if (rc == 0)
        rc = imp_text(r, "facility_code", 1, CONTRACT_CODE_MAX, &in.facility_code, err);
    if (rc == 0)
        rc = imp_text(r, "leader_code", 0, CONTRACT_CODE_MAX, &in.leader_code, err);
    if (rc == 0)
        rc = imp_text(r, "member_codes", 0, MEMBER_TEXT_MAX, &members, err);
    if (rc == 0)
        rc = imp_int(r, "capacity", 0, 0, CONTRACT_CAPACITY_MAX, 0, &capacity, err);
    if (rc == 0)
        rc = imp_text(r, "status", 0, 16, &status, err);
    if (rc != 0)
        return rc;
    /* The list is the whole membership: split a copy of it at spaces. */
    char text[MEMBER_TEXT_MAX + 1];
    const char *codes[CONTRACT_TEAM_MEMBERS_MAX + 1];
    size_t n = 0;
    snprintf(text, sizeof(text), "%s", members);
    for (char *p = text; *p != '\0';) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (n == CONTRACT_TEAM_MEMBERS_MAX + 1)
            break;
        codes[n++] = p;
        p += strcspn(p, " ");
    }
    in.member_codes = codes;
    in.n_member_codes = n;
    in.members_given = true;
    in.capacity = capacity;
    in.status = status[0] != '\0' ? status : "active";

    struct contract_team_row cur, next;
    rc = contract_team_row_load(c, in.code, &cur, err);
    if (rc != 0 && rc != YL_ENOTFOUND)
        return rc;
    const struct contract_team_row *base = rc == 0 ? &cur : NULL;
    rc = contract_team_row_resolve(c, base, &in, &next, err);
    if (rc != 0)
        return rc;
    if (base != NULL && contract_team_row_equal(base, &next))
        return IMP_UNCHANGED;
    rc = contract_team_row_write(c, base, &next, err);
    if (rc != 0)
        return rc;
    touched(ctx, next.id);
    return IMP_APPLIED;
}

struct imp_spec contract_import_teams_spec(void)
{
    static const char *const required[] = {"code", "name", "facility_code", NULL};
    struct imp_spec spec = {
        .what = "teams",
        .resource_type = "team",
        .required = required,
        .row = team_row,
        .batch_done = batch_done,
        .batch_rows = 5000,
    };
    return spec;
}

/* --- contracts --------------------------------------------------------------------------- */

static int team_id_cached(struct contract_import *ci, struct store_conn *c, const char *code,
                          int64_t *id, struct yl_err *err)
{
    for (size_t i = 0; ci != NULL && i < ci->n_teams; i++) {
        if (strcmp(ci->teams[i].code, code) == 0) {
            *id = ci->teams[i].id;
            return 0;
        }
    }
    int rc = contract_team_active_id(c, code, "team_code", id, err);
    if (rc == 0 && ci != NULL && ci->n_teams < TEAM_CACHE_MAX) {
        snprintf(ci->teams[ci->n_teams].code, sizeof(ci->teams[0].code), "%s", code);
        ci->teams[ci->n_teams++].id = *id;
    }
    return rc;
}

/* The resident with this ID number (18 characters, or 15 converted); errors never repeat
 * the number. */
static int resident_by_idno(struct store_conn *c, const char *s, int32_t today, int64_t *id,
                            bool *active, struct yl_err *err)
{
    char number[IDNO_LEN + 1];
    size_t n = strlen(s);
    if (n == IDNO_LEN) {
        memcpy(number, s, IDNO_LEN + 1);
        if (number[IDNO_LEN - 1] == 'x')
            number[IDNO_LEN - 1] = 'X';
    } else {
        struct idno_info info;
        int rc = idno_parse(s, n, today, &info, "id_number", err);
        if (rc != 0)
            return rc;
        memcpy(number, info.number, IDNO_LEN + 1);
    }
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONTRACT_RESIDENT_BY_IDNO);
    store_bind_text(st, 1, number);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        *active = strcmp(store_col_text(st, 1), "active") == 0;
    }
    contract_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, "id_number", "no resident with this ID number");
    return rc < 0 ? rc : 0;
}

/* Parse the row into *row (all but resident and team). */
static int contract_fields(const struct csv_reader *r, int32_t today, struct contract_row *row,
                           struct yl_err *err)
{
    const char *external, *package, *status, *reason;
    int has_to = 0, has_ended = 0;
    int rc = imp_text(r, "external_id", 1, CONTRACT_EXTERNAL_MAX, &external, err);
    if (rc == 0)
        rc = imp_text(r, "package", 0, 32, &package, err);
    if (rc == 0)
        rc = imp_date(r, "from_date", 1, NULL, &row->from_date, err);
    if (rc == 0)
        rc = imp_date(r, "to_date", 0, &has_to, &row->to_date, err);
    if (rc == 0)
        rc = imp_text(r, "status", 0, 32, &status, err);
    if (rc == 0)
        rc = imp_date(r, "ended_date", 0, &has_ended, &row->ended_date, err);
    if (rc == 0)
        rc = imp_text(r, "end_reason", 0, CONTRACT_REASON_MAX, &reason, err);
    if (rc != 0)
        return rc;
    snprintf(row->external_id, sizeof(row->external_id), "%s", external);
    row->package = PKG_BASIC;
    if (package[0] != '\0')
        rc = vocab_parse(VOCAB_PACKAGE, package, "package", &row->package, err);
    if (rc != 0)
        return rc;
    if (!has_to)
        row->to_date = contract_default_to(row->from_date);
    if (row->to_date < row->from_date)
        return yl_err_set(err, YL_EINVAL, "to_date", "to_date is before from_date");
    row->status = row->to_date < today ? CSTAT_EXPIRED : CSTAT_ACTIVE;
    if (status[0] != '\0') {
        rc = vocab_parse(VOCAB_CONTRACT_STATUS, status, "status", &row->status, err);
        if (rc != 0)
            return rc;
        /* "active" is a claim about today: a period that has passed stores as expired. */
        row->status = contract_status_at(row->status, row->to_date, today);
        if (row->status == CSTAT_EXPIRED && row->to_date >= today)
            return yl_err_set(err, YL_EINVAL, "status",
                              "an expired contract must end before today");
    }
    if (row->status == CSTAT_TERMINATED) {
        if (!has_ended)
            return yl_err_set(err, YL_EINVAL, "ended_date",
                              "ended_date is required for a terminated contract");
        if (reason[0] == '\0')
            return yl_err_set(err, YL_EINVAL, "end_reason",
                              "end_reason is required for a terminated contract");
        if (row->ended_date > date_add_days(row->to_date, 1))
            return yl_err_set(err, YL_EINVAL, "ended_date",
                              "ended_date is after the end of the contract");
        snprintf(row->end_reason, sizeof(row->end_reason), "%s", reason);
    } else {
        if (has_ended || reason[0] != '\0')
            return yl_err_set(err, YL_EINVAL, has_ended ? "ended_date" : "end_reason",
                              "only a terminated contract has an end date and reason");
        row->ended_date = DATE_INVALID;
    }
    return 0;
}

/* The stored contract with this external id: 0 and *id = 0 when none; *same when it holds
 * exactly `row`. */
static int contract_existing(struct store_conn *c, const struct contract_row *row, int64_t *id,
                             int64_t *old_resident, bool *same, struct yl_err *err)
{
    char from[DATE_STR_LEN], to[DATE_STR_LEN], ended[DATE_STR_LEN];
    struct store_stmt *st = store_stmt(c, STORE_SQL_CONTRACT_BY_EXTERNAL);
    store_bind_text(st, 1, row->external_id);
    int rc = store_step(st, err);
    *id = 0;
    *same = false;
    if (rc == STORE_ROW) {
        const char *e = contract_date_text(row->ended_date, ended);
        *id = store_col_int(st, 0);
        *old_resident = store_col_int(st, 1);
        *same =
            store_col_int(st, 1) == row->resident_id && store_col_int(st, 2) == row->team_id &&
            strcmp(store_col_text(st, 3), vocab_code(VOCAB_PACKAGE, row->package)) == 0 &&
            strcmp(store_col_text(st, 4), date_format(row->from_date, from)) == 0 &&
            strcmp(store_col_text(st, 5), date_format(row->to_date, to)) == 0 &&
            strcmp(store_col_text(st, 6), vocab_code(VOCAB_CONTRACT_STATUS, row->status)) == 0 &&
            strcmp(store_col_text(st, 7), e ? e : "") == 0 &&
            strcmp(store_col_text(st, 8), row->end_reason) == 0;
    }
    contract_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

static int contract_row_fn(void *ctx, struct store_conn *c, const struct csv_reader *r,
                           struct yl_err *err)
{
    struct contract_import *ci = ctx;
    int32_t today = date_today();
    struct contract_row row = {0};
    const char *idno, *team;
    bool resident_active = false;
    int rc = contract_fields(r, today, &row, err);
    if (rc == 0)
        rc = imp_text(r, "id_number", 1, 32, &idno, err);
    if (rc == 0)
        rc = imp_text(r, "team_code", 1, CONTRACT_CODE_MAX, &team, err);
    if (rc == 0)
        rc = resident_by_idno(c, idno, today, &row.resident_id, &resident_active, err);
    if (rc == 0)
        rc = team_id_cached(ci, c, team, &row.team_id, err);
    if (rc == 0 && row.status == CSTAT_ACTIVE && !resident_active)
        rc = yl_err_set(err, YL_EINVAL, "id_number",
                        "the resident's record is not active (moved out or deceased)");
    int64_t id = 0, old_resident = 0;
    bool same = false;
    if (rc == 0)
        rc = contract_existing(c, &row, &id, &old_resident, &same, err);
    if (rc != 0)
        return rc;
    if (same)
        return IMP_UNCHANGED;
    row.id = id;
    /* The store names the resident by id; the file knows them by ID number. */
    struct yl_err local = {0};
    rc = contract_row_write(c, &row, CONTRACT_ROW_NO_ID, today, &local);
    if (rc != 0) {
        rc = yl_err_set(err, rc, rc == YL_ECONFLICT ? "id_number" : local.field, "%s",
                        yl_err_message(&local));
        if (err != NULL && err->code == YL_ECONFLICT)
            err->existing_id = local.existing_id;
        return rc;
    }
    if (id != 0 && old_resident != row.resident_id)
        touched(ci, old_resident);
    touched(ci, row.resident_id);
    return IMP_APPLIED;
}

struct imp_spec contract_import_spec(void)
{
    static const char *const required[] = {"external_id", "id_number", "team_code", "from_date",
                                           NULL};
    /* Large batches: one fsync per 20,000 contracts keeps a durable import fast. */
    struct imp_spec spec = {
        .what = "contracts",
        .resource_type = "contract",
        .required = required,
        .row = contract_row_fn,
        .batch_done = batch_done,
        .batch_rows = 20000,
    };
    return spec;
}
