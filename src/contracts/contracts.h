/*
 * contracts.h - family-doctor teams (家庭医生团队) and the contracts residents sign with them
 * (家庭医生签约): create, change, renew, terminate, read and list, with the caller's scope.
 *
 * The one idea: a resident has at most one active contract, and "active" is judged as of
 * today. A stored 'active' whose period has passed reads as expired everywhere, and the next
 * write for that resident stores it as expired in its own transaction, which frees the
 * partial unique index (store/sql_contracts.h) for the new one.
 */
#ifndef YL_CONTRACTS_H
#define YL_CONTRACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/idno.h"
#include "importer/importer.h"
#include "vocab/vocab.h"

struct yl_err;
struct arena;
struct store;
struct acct_principal;
struct audit_actor;

#define CONTRACT_CODE_MAX         32  /* team, facility and staff codes */
#define CONTRACT_NAME_MAX         256 /* team name in bytes (64 characters of UTF-8) */
#define CONTRACT_REASON_MAX       512 /* end reason in bytes */
#define CONTRACT_EXTERNAL_MAX     64  /* a contract's number in the source system */
#define CONTRACT_TEAM_MEMBERS_MAX 100
#define CONTRACT_CAPACITY_MAX     1000000

/*
 * Who acts. `principal` decides what they may see and change (NULL: the whole region, for
 * the CLI and imports); `actor` is written to the audit record of a write. Both borrowed.
 *
 * Scope rule for contracts (until the records module's rec_scope_check exists, this module
 * keeps its own): a region scope sees every contract; a team scope (family doctor) sees the
 * contracts of that team only, may sign any resident to that team and no other; an org-unit
 * scope (village doctor) sees and changes the contracts of residents living in that subtree;
 * a facility scope may not read contracts at all. Outside the scope a contract is "not
 * found" (404), so its existence does not leak.
 */
struct contract_who {
    const struct acct_principal *principal;
    const struct audit_actor *actor;
};

/* --- teams ------------------------------------------------------------------------------ */

struct contract_member {
    int64_t staff_id;
    const char *code;
    const char *name;
    const char *role; /* staff role code (vocab VOCAB_STAFF_ROLE) */
    const char *facility_code;
};

/* A team as read. Strings live in the caller's arena. */
struct contract_team {
    int64_t id;
    const char *code;
    const char *name;
    const char *facility_code; /* lead facility */
    const char *leader_code;   /* "" when the team has no leader */
    int64_t capacity;          /* residents the team can serve (guideline); 0: not set */
    const char *status;        /* "active" or "disbanded" */
    const char *updated_at;
    int64_t active_contracts; /* contracts active today */
    int64_t member_count;
    struct contract_member *members; /* contract_team_get only; NULL in lists */
    size_t n_members;
};

/*
 * Input of a team write. On create, code, name and facility_code are required and unset
 * fields take defaults (no leader, no members, capacity 0, active). On update, NULL strings,
 * members_given false and capacity < 0 leave the field as it is; leader_code "" removes the
 * leader; a given member list replaces the whole list. The leader must be a member.
 */
struct contract_team_input {
    const char *code;
    const char *name;
    const char *facility_code; /* must exist and be active */
    const char *leader_code;
    const char *const *member_codes; /* staff codes, each existing and not left */
    size_t n_member_codes;
    bool members_given;
    int64_t capacity;
    const char *status;
};

/* Create a team in its own audited transaction; *team_id receives its id (may be NULL).
 * YL_EINVAL naming the field (facility_code, member_codes, leader_code, capacity, status…);
 * YL_ECONFLICT with field "code" and err->existing_id when the code is taken; YL_EFORBIDDEN
 * when a facility admin names another facility. */
int contract_team_create(struct store *s, const struct contract_team_input *in,
                         const struct contract_who *who, int64_t *team_id, struct yl_err *err);
/* Change team `code` (see the input's rules); unchanged input writes nothing. Disbanding a
 * team that still has active contracts is refused (field "status"). YL_ENOTFOUND when there
 * is no such team. */
int contract_team_update(struct store *s, const char *code, const struct contract_team_input *in,
                         const struct contract_who *who, int64_t *team_id, struct yl_err *err);
/* Read team `code` with its members (ordered by staff code) into *out; strings in `a`.
 * YL_ENOTFOUND when absent. */
int contract_team_get(struct store *s, const char *code, struct arena *a, struct contract_team *out,
                      struct yl_err *err);

/* Filters of a team list; NULL or "" matches all. */
struct contract_team_filter {
    const char *facility_code; /* lead facility */
    const char *ou_code;       /* the lead facility stands in this org unit's subtree */
    const char *status;
    int64_t after_id; /* teams with a larger id, in id order */
    int limit;
};
/* Teams into out (room for f->limit), without member lists. Returns the count or a negative
 * code (YL_EINVAL for an unknown status). */
int contract_team_list(struct store *s, const struct contract_team_filter *f, struct arena *a,
                       struct contract_team *out, struct yl_err *err);

/* A resident under contract with a team, as the team's list shows them. */
struct contract_resident {
    int64_t contract_id;
    int64_t resident_id;
    char id_number_masked[IDNO_LEN + 1]; /* idno_mask: the full number never leaves */
    const char *name;
    int sex;
    const char *birth_date;
    const char *ou_code;
    const char *package;
    int32_t from_date, to_date;
};
/* The residents whose contract with team `code` is active today, by contract id after
 * `after_id`, at most `limit`. Within the caller's scope: a family doctor of another team
 * gets YL_EFORBIDDEN, a village doctor only the residents of their village. Returns the
 * count or a negative code (YL_ENOTFOUND for an unknown team). */
int contract_team_residents(struct store *s, const char *code, const struct acct_principal *p,
                            int64_t after_id, int limit, struct arena *a,
                            struct contract_resident *out, struct yl_err *err);

/* --- contracts -------------------------------------------------------------------------- */

/* A contract as read. Strings live in the caller's arena. */
struct contract {
    int64_t id;
    const char *external_id; /* "" when none */
    int64_t resident_id;
    int64_t team_id;
    const char *team_code;
    const char *package;
    int32_t from_date, to_date;  /* inclusive day numbers (date.h) */
    enum contract_status status; /* as of today: a lapsed 'active' reads CSTAT_EXPIRED */
    int32_t ended_date;          /* terminated: the first day not covered; else DATE_INVALID */
    const char *end_reason;
    int64_t renews_id; /* the contract this one renews, 0 when none */
    const char *updated_at;
};

/* The status a contract shows on `today`: a stored active one whose to_date is before today
 * is expired; other statuses are as stored. */
enum contract_status contract_status_at(enum contract_status stored, int32_t to_date,
                                        int32_t today);

/* The default end of a period starting on `from`: one year later, less a day (from 29
 * February, 28 February of the next year). */
int32_t contract_default_to(int32_t from);

struct contract_input {
    int64_t resident_id;
    const char *team_code; /* an active team */
    const char *package;   /* NULL: "basic" */
    int32_t from_date;     /* DATE_INVALID: today */
    int32_t to_date;       /* DATE_INVALID: from + 1 year - 1 day; never before from */
};

/*
 * Sign a contract, in one audited transaction that also stores a lapsed active contract of
 * the resident as expired. *contract_id and *resident_id (either may be NULL) receive the new
 * contract and the resident it concerns. Errors: YL_ENOTFOUND for a resident outside the
 * caller's scope or absent; YL_EFORBIDDEN with field "team_code" when a family doctor signs
 * to another team; YL_EINVAL naming the field (team_code: unknown or disbanded team,
 * package, to_date, resident_id: resident not active); YL_ECONFLICT with field "resident_id"
 * and err->existing_id when the resident already has a contract active today.
 */
int contract_create(struct store *s, const struct contract_input *in,
                    const struct contract_who *who, int64_t *contract_id, int64_t *resident_id,
                    struct yl_err *err);

/* What a renewal may change; NULL / DATE_INVALID keep the old team and package and the
 * default one-year period. */
struct contract_renewal {
    const char *team_code;
    const char *package;
    int32_t to_date;
};
/*
 * Renew contract `id`: a new active contract from the old to_date + 1 (from today when the
 * old one has already expired), the old one stored as renewed; both audited in the one
 * transaction. Only an active or expired contract can be renewed (YL_ECONFLICT with field
 * "status" otherwise). Scope as for contract_create; *new_id and *resident_id may be NULL.
 */
int contract_renew(struct store *s, int64_t id, const struct contract_renewal *in,
                   const struct contract_who *who, int64_t *new_id, int64_t *resident_id,
                   struct yl_err *err);
/*
 * Terminate contract `id` as of `date` (the first day no longer covered: the contract's span
 * ends the day before) for `reason` (required, field "reason"). Only a contract active today
 * can be terminated (YL_ECONFLICT with field "status"); the date may not be in the future,
 * nor after to_date + 1 (field "date").
 */
int contract_terminate(struct store *s, int64_t id, int32_t date, const char *reason,
                       const struct contract_who *who, int64_t *resident_id, struct yl_err *err);

/* Read contract `id` within the scope of `p` (NULL: any). YL_ENOTFOUND when absent or out of
 * scope; YL_EFORBIDDEN for a scope that may never read contracts. */
int contract_get(struct store *s, int64_t id, const struct acct_principal *p, struct arena *a,
                 struct contract *out, struct yl_err *err);

/* Filters of a contract list; NULL / "" / 0 match all. */
struct contract_filter {
    const char *team_code;
    int64_t resident_id;
    const char *status; /* as of today ("expired" finds lapsed active ones too) */
    const char *package;
    int64_t after_id;
    int limit;
};
/* Contracts within the scope of `p`, in id order, into out (room for f->limit). Returns the
 * count or a negative code: YL_EINVAL for an unknown status, package or team (field named),
 * YL_EFORBIDDEN with field "team" when a family doctor asks for another team. */
int contract_list(struct store *s, const struct contract_filter *f, const struct acct_principal *p,
                  struct arena *a, struct contract *out, struct yl_err *err);

/* May `p` see a contract of team `team_id` for a resident living in org unit `ou_code`?
 * 0, YL_ENOTFOUND (outside the scope) or YL_EFORBIDDEN (a scope that never may). */
int contract_scope_check(const struct acct_principal *p, int64_t team_id, const char *ou_code,
                         struct yl_err *err);

/* --- imports ---------------------------------------------------------------------------- */

/*
 * Specs for imp_run (importer.h), per docs/import-formats.md: "teams" keyed by code and
 * "contracts" keyed by external_id. A row identical to what is stored is IMP_UNCHANGED and
 * writes nothing; a changed one is updated. A contracts row that would make a second active
 * contract for a resident is refused. The ctx may be NULL, or a struct contract_import (below)
 * to learn after each committed batch which records it touched.
 */
struct imp_spec contract_import_teams_spec(void);
struct imp_spec contract_import_spec(void);

/* Called after a batch commits with the ids it wrote: team ids for a teams import, resident
 * ids for a contracts import (for the population index). The array is borrowed. */
typedef void contract_touched_fn(void *arg, const int64_t *ids, size_t n);
struct contract_import;
/* A ctx for imp_run; `fn` may be NULL. Free with contract_import_free (NULL does nothing). */
struct contract_import *contract_import_new(contract_touched_fn *fn, void *arg);
void contract_import_free(struct contract_import *ci);

#endif
