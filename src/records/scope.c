/*
 * scope.c - who sees which health records (DESIGN.md §1), as one table by role: how far the
 * role reaches and whether a single read shows the ID number and phone unmasked.
 *
 * The people who care for a resident (their family doctor's team, their village doctor) see
 * the full record; commission staff oversee the region and see it masked. A resident
 * outside the caller's reach is "not found", so that existence does not leak.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/date.h"
#include "core/err.h"
#include "records/records_int.h"
#include "store/store.h"

static const struct rec_role_rule {
    enum acct_role role;
    enum rec_reach reach;
    bool shows_identity;    /* single reads unmasked */
} rules[] = {
    {ROLE_ADMIN, REC_REACH_ALL, false},
    {ROLE_FAMILY_DOCTOR, REC_REACH_TEAM, true},
    {ROLE_VILLAGE_DOCTOR, REC_REACH_OU, true},
};

static const struct rec_role_rule *rule_of(enum acct_role role)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].role == role)
            return &rules[i];
    return NULL;
}

enum rec_reach rec_reach_of(const struct acct_principal *who, const char **ou_code,
                            int64_t *team_id)
{
    *ou_code = "";
    *team_id = 0;
    if (who == NULL)
        return REC_REACH_ALL;
    const struct rec_role_rule *r = rule_of(who->role);
    if (r == NULL)
        return REC_REACH_NONE;
    /* The scope kind must fit the rule; a mismatch (a user edited behind our back) reaches
     * nobody rather than everybody. */
    switch (r->reach) {
    case REC_REACH_ALL:
        return who->scope.kind == SCOPE_REGION ? REC_REACH_ALL : REC_REACH_NONE;
    case REC_REACH_OU:
        if (who->scope.kind != SCOPE_OU ||
            adcode_level(who->scope.ref, strlen(who->scope.ref)) == 0)
            return REC_REACH_NONE;
        *ou_code = who->scope.ref;
        return REC_REACH_OU;
    case REC_REACH_TEAM: {
        char *end;
        long long team = strtoll(who->scope.ref, &end, 10);
        if (who->scope.kind != SCOPE_TEAM || end == who->scope.ref || *end != '\0' ||
            team <= 0)
            return REC_REACH_NONE;
        *team_id = team;
        return REC_REACH_TEAM;
    }
    case REC_REACH_NONE:
        break;
    }
    return REC_REACH_NONE;
}

bool rec_shows_identity(const struct acct_principal *who)
{
    if (who == NULL)
        return true;
    const struct rec_role_rule *r = rule_of(who->role);
    return r != NULL && r->shows_identity;
}

static int not_found(struct yl_err *err)
{
    return yl_err_set(err, YL_ENOTFOUND, NULL, "no such resident");
}

int rec_scope_check(struct store_conn *c, const struct acct_principal *who, int64_t id,
                    struct yl_err *err)
{
    const char *ou_code;
    int64_t team_id;
    enum rec_reach reach = rec_reach_of(who, &ou_code, &team_id);
    struct store_stmt *st;
    int rc;
    switch (reach) {
    case REC_REACH_ALL:
        st = store_stmt(c, STORE_SQL_REC_EXISTS);
        store_bind_int(st, 1, id);
        rc = store_step(st, err);
        break;
    case REC_REACH_OU:
        st = store_stmt(c, STORE_SQL_REC_SCOPE_OU);
        store_bind_int(st, 1, id);
        rc = store_step(st, err);
        if (rc == STORE_ROW && !adcode_in_subtree(store_col_text(st, 0), ou_code))
            rc = STORE_DONE;
        break;
    case REC_REACH_TEAM: {
        char today[DATE_STR_LEN];
        date_format(date_today(), today);
        st = store_stmt(c, STORE_SQL_REC_SCOPE_TEAM);
        store_bind_int(st, 1, id);
        store_bind_int(st, 2, team_id);
        store_bind_text(st, 3, today);
        store_bind_text(st, 4, today);
        rc = store_step(st, err);
        break;
    }
    default:
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not see health records",
                          who ? acct_role_name(who->role) : "?");
    }
    if (rc < 0)
        return rc;
    /* Finish the statement so that no read stays open on the connection. */
    store_exec(st, NULL);
    return rc == STORE_ROW ? 0 : not_found(err);
}

int rec_scope_check_ou(const struct acct_principal *who, const char *code, const char *field,
                       struct yl_err *err)
{
    const char *ou_code;
    int64_t team_id;
    switch (rec_reach_of(who, &ou_code, &team_id)) {
    case REC_REACH_ALL:
    case REC_REACH_TEAM:
        /* A family doctor registers the people their team is about to sign, anywhere in
         * the region; the record enters their scope with the contract. */
        return 0;
    case REC_REACH_OU:
        if (adcode_in_subtree(code, ou_code))
            return 0;
        return yl_err_set(err, YL_EFORBIDDEN, field,
                          "org unit \"%s\" is outside your scope (%s)", code, ou_code);
    case REC_REACH_NONE:
        break;
    }
    return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not write health records",
                      who ? acct_role_name(who->role) : "?");
}
