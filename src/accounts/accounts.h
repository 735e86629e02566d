/*
 * accounts.h - users, roles, scopes, permissions and sessions.
 *
 * A user has one role and one scope (DESIGN.md §1). A role is a set of permissions, fixed in
 * the role table (roles.c); every API route names the one permission it needs, so no handler
 * can forget the check. Passwords are argon2id hashes (libsodium). A login returns a random
 * 256-bit bearer token; only its BLAKE2b hash is stored. Sessions end after an idle time and
 * after an absolute lifetime; repeated failed logins lock the user name and the client
 * address for a growing time.
 */
#ifndef YL_ACCOUNTS_H
#define YL_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

struct yl_err;
struct store;
struct audit_actor;

/* Permissions, each a bit. PUBLIC needs no login, SESSION any logged-in user. */
#define ACCT_PERM_LIST(X)                                                  \
    X(PUBLIC,          0, "public")                                        \
    X(SESSION,         1, "session")                                       \
    X(USER_ADMIN,      2, "user_admin")                                    \
    X(AUDIT_READ,      3, "audit_read")                                    \
    X(RECORD_READ,     4, "record_read")                                   \
    X(RECORD_WRITE,    5, "record_write")                                  \
    X(REGISTRY_WRITE,  6, "registry_write")                                \
    X(AGGREGATE_READ,  7, "aggregate_read")                                \
    X(SURVEIL_READ,    8, "surveil_read")                                  \
    X(SURVEIL_WRITE,   9, "surveil_write")                                 \
    X(SETTINGS,        10, "settings")

enum acct_perm {
#define ACCT_PERM_ENUM(name, bit, text) PERM_##name = bit,
    ACCT_PERM_LIST(ACCT_PERM_ENUM)
#undef ACCT_PERM_ENUM
};

enum acct_role {
    ROLE_NONE = 0,
    ROLE_ADMIN,             /* commission admin: whole region, users, settings */
    ROLE_FACILITY_ADMIN,    /* one facility */
    ROLE_FAMILY_DOCTOR,     /* the residents of their team */
    ROLE_VILLAGE_DOCTOR,    /* the residents of their village */
    ROLE_EPIDEMIOLOGIST,    /* CDC: region or county */
    ROLE_ANALYST,           /* aggregates only, never a person */
};

enum acct_scope_kind { SCOPE_REGION = 1, SCOPE_OU, SCOPE_FACILITY, SCOPE_TEAM };

struct acct_scope {
    enum acct_scope_kind kind;
    char ref[33];           /* org unit code, facility code or team id; "" for region */
};

#define ACCT_NAME_MAX 32
#define ACCT_DISPLAY_MAX 64
#define ACCT_TOKEN_HEX 65   /* 64 hex digits + NUL */

struct acct_user {
    int64_t id;
    char username[ACCT_NAME_MAX + 1];
    char display_name[ACCT_DISPLAY_MAX * 4 + 1];  /* UTF-8: up to 64 characters */
    enum acct_role role;
    struct acct_scope scope;
    bool disabled;
    char created_at[32];
    char updated_at[32];
};

/* The authenticated caller of a request. */
struct acct_principal {
    int64_t user_id;
    char username[ACCT_NAME_MAX + 1];
    enum acct_role role;
    struct acct_scope scope;
    char token_hash[ACCT_TOKEN_HEX];
};

struct acct_options {
    int idle_timeout_s;     /* default 1800 */
    int lifetime_s;         /* absolute session lifetime; default 43200 (12 h) */
    int max_failures;       /* failed logins before a lockout; default 5 */
    int lockout_max_s;      /* longest lockout; default 900 */
};

struct acct;

struct acct *acct_new(struct store *s, const struct acct_options *opt);
void acct_free(struct acct *a);

/* Roles and permissions. */
const char *acct_role_name(enum acct_role r);
enum acct_role acct_role_parse(const char *name);   /* ROLE_NONE when unknown */
bool acct_role_has(enum acct_role r, enum acct_perm p);
const char *acct_perm_name(enum acct_perm p);

/* Scopes are written "region", "ou:222404", "facility:H0001", "team:12". Parse checks the
 * form and that the kind fits the role (a family doctor's scope is a team, …). */
int acct_scope_parse(const char *text, enum acct_role role, struct acct_scope *out,
                     struct yl_err *err);
/* "ou:222404" form into out (at least 48 bytes). */
char *acct_scope_format(const struct acct_scope *s, char *out, size_t n);

/* Users. `by` is who acts (for the audit record written in the same transaction). */
struct acct_user_input {
    const char *username;
    const char *password;
    const char *display_name;   /* may be NULL */
    const char *role;
    const char *scope;          /* may be NULL for roles whose scope is the region */
};
int acct_user_create(struct acct *a, const struct acct_user_input *in,
                     const struct audit_actor *by, int64_t *id, struct yl_err *err);
int acct_user_get(struct acct *a, int64_t id, struct acct_user *out, struct yl_err *err);
int acct_user_find(struct acct *a, const char *username, struct acct_user *out,
                   struct yl_err *err);
/* Users with id > after_id, role filter "" for all; returns the count (<= limit). */
int acct_user_list(struct acct *a, int64_t after_id, const char *role, int limit,
                   struct acct_user *out, struct yl_err *err);

/* Changes; a NULL / negative field is left as it is. Disabling a user or changing role or
 * scope ends their sessions. */
struct acct_user_patch {
    const char *display_name;
    const char *role;
    const char *scope;
    int disabled;               /* -1 unchanged, 0 enable, 1 disable */
};
int acct_user_update(struct acct *a, int64_t id, const struct acct_user_patch *p,
                     const struct audit_actor *by, struct yl_err *err);
int acct_user_set_password(struct acct *a, int64_t id, const char *password,
                           const struct audit_actor *by, struct yl_err *err);

/* Password rules: 10 to 128 bytes. YL_EINVAL with field "password" otherwise. */
int acct_password_check(const char *password, struct yl_err *err);
/* A new random password (16 characters, no look-alike letters) into out (>= 17 bytes). */
void acct_password_generate(char *out);

/*
 * Sessions. Login checks the lockouts, the password and the user's state, and writes the
 * session and an audit record in one transaction. Wrong user name and wrong password give
 * the same error (YL_EUNAUTH), after the same work. YL_ETHROTTLE while locked out, with the
 * seconds to wait in *retry_after_s.
 */
int acct_login(struct acct *a, const char *username, const char *password, const char *client,
               char token[ACCT_TOKEN_HEX], int64_t *expires_at, int *retry_after_s,
               struct acct_principal *who, struct yl_err *err);
/* Check a user's password with the same throttling and auditing as a login, without
 * opening a session (used before a password change). */
int acct_verify_password(struct acct *a, const char *username, const char *password,
                         const char *client, int *retry_after_s, struct yl_err *err);
/* Resolve a bearer token: YL_EUNAUTH when unknown, ended, expired or idle too long, or when
 * the user is disabled. Refreshes the idle clock. */
int acct_authenticate(struct acct *a, const char *token, struct acct_principal *who,
                      struct yl_err *err);
int acct_logout(struct acct *a, const struct acct_principal *who, const char *client,
                struct yl_err *err);

#endif
