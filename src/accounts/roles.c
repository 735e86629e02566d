/*
 * roles.c - the role table: each role's permissions and the scopes it may hold
 * (DESIGN.md §1). Changing who may do what is editing this table, nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/adcode.h"
#include "core/err.h"

#define P(name) (1u << PERM_##name)
#define S(kind) (1u << SCOPE_##kind)

struct role_def {
    enum acct_role role;
    const char *name;
    unsigned perms;
    unsigned scopes;
};

static const struct role_def roles[] = {
    {ROLE_ADMIN, "admin",
     P(SESSION) | P(USER_ADMIN) | P(AUDIT_READ) | P(RECORD_READ) | P(RECORD_WRITE) |
         P(REGISTRY_WRITE) | P(AGGREGATE_READ) | P(SURVEIL_READ) | P(SURVEIL_WRITE) |
         P(SETTINGS),
     S(REGION)},
    {ROLE_FACILITY_ADMIN, "facility_admin",
     P(SESSION) | P(RECORD_READ) | P(REGISTRY_WRITE) | P(AGGREGATE_READ), S(FACILITY)},
    {ROLE_FAMILY_DOCTOR, "family_doctor",
     P(SESSION) | P(RECORD_READ) | P(RECORD_WRITE) | P(AGGREGATE_READ), S(TEAM)},
    {ROLE_VILLAGE_DOCTOR, "village_doctor", P(SESSION) | P(RECORD_READ) | P(RECORD_WRITE),
     S(OU)},
    {ROLE_EPIDEMIOLOGIST, "epidemiologist",
     P(SESSION) | P(SURVEIL_READ) | P(SURVEIL_WRITE) | P(AGGREGATE_READ), S(REGION) | S(OU)},
    {ROLE_ANALYST, "analyst", P(SESSION) | P(AGGREGATE_READ), S(REGION) | S(OU)},
};

static const char *const perm_names[] = {
#define PERM_NAME(name, bit, text) [bit] = text,
    ACCT_PERM_LIST(PERM_NAME)
#undef PERM_NAME
};

static const struct role_def *role_find(enum acct_role r)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].role == r)
            return &roles[i];
    return NULL;
}

const char *acct_role_name(enum acct_role r)
{
    const struct role_def *d = role_find(r);
    return d ? d->name : "none";
}

enum acct_role acct_role_parse(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].role;
    return ROLE_NONE;
}

bool acct_role_has(enum acct_role r, enum acct_perm p)
{
    if (p == PERM_PUBLIC)
        return true;
    const struct role_def *d = role_find(r);
    return d != NULL && (d->perms & (1u << p)) != 0;
}

const char *acct_perm_name(enum acct_perm p)
{
    if ((size_t)p < sizeof(perm_names) / sizeof(perm_names[0]) && perm_names[p] != NULL)
        return perm_names[p];
    return "?";
}

static bool facility_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static bool team_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || s[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int acct_scope_parse(const char *text, enum acct_role role, struct acct_scope *out,
                     struct yl_err *err)
{
    const struct role_def *d = role_find(role);
    if (d == NULL)
        return yl_err_set(err, YL_EINVAL, "role", "unknown role");
    if (text == NULL || text[0] == '\0')
        text = "region";
    memset(out, 0, sizeof(*out));
    const char *colon = strchr(text, ':');
    size_t kind_len = colon ? (size_t)(colon - text) : strlen(text);
    const char *ref = colon ? colon + 1 : "";
    if (kind_len == 6 && strncmp(text, "region", 6) == 0 && colon == NULL)
        out->kind = SCOPE_REGION;
    else if (kind_len == 2 && strncmp(text, "ou", 2) == 0)
        out->kind = SCOPE_OU;
    else if (kind_len == 8 && strncmp(text, "facility", 8) == 0)
        out->kind = SCOPE_FACILITY;
    else if (kind_len == 4 && strncmp(text, "team", 4) == 0)
        out->kind = SCOPE_TEAM;
    else
        return yl_err_set(err, YL_EINVAL, "scope",
                          "scope must be \"region\", \"ou:CODE\", \"facility:CODE\" or "
                          "\"team:ID\"");
    if (out->kind == SCOPE_OU &&
        adcode_validate(ref, strlen(ref), "scope", err) != 0)
        return YL_EINVAL;
    if (out->kind == SCOPE_FACILITY && !facility_code_ok(ref))
        return yl_err_set(err, YL_EINVAL, "scope",
                          "facility code must be 1 to 32 letters, digits, '-' or '_'");
    if (out->kind == SCOPE_TEAM && !team_id_ok(ref))
        return yl_err_set(err, YL_EINVAL, "scope", "team id must be a positive number");
    if ((d->scopes & (1u << out->kind)) == 0)
        return yl_err_set(err, YL_EINVAL, "scope", "a %s cannot have a scope of this kind",
                          d->name);
    if (role == ROLE_VILLAGE_DOCTOR && adcode_level(ref, strlen(ref)) != ADCODE_VILLAGE)
        return yl_err_set(err, YL_EINVAL, "scope",
                          "a village doctor's scope is a village or community (12 digits)");
    snprintf(out->ref, sizeof(out->ref), "%s", ref);
    return 0;
}

char *acct_scope_format(const struct acct_scope *s, char *out, size_t n)
{
    static const char *const kinds[] = {
        [SCOPE_REGION] = "region", [SCOPE_OU] = "ou", [SCOPE_FACILITY] = "facility",
        [SCOPE_TEAM] = "team"};
    if (s->kind == SCOPE_REGION || s->kind < SCOPE_REGION || s->kind > SCOPE_TEAM)
        snprintf(out, n, "region");
    else
        snprintf(out, n, "%s:%s", kinds[s->kind], s->ref);
    return out;
}
