/*
 * users.c - user accounts in the store: create, read, list, change, passwords.
 *
 * Every change writes its audit record in the same transaction, so a change that is not
 * audited did not happen. Password hashes are argon2id strings from libsodium
 * (crypto_pwhash_str, interactive limits), which carry their own salt and parameters.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts_int.h"
#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"

int acct_password_check(const char *password, struct yl_err *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < 10)
        return yl_err_set(err, YL_EINVAL, "password", "password must be at least 10 characters");
    if (n > 128)
        return yl_err_set(err, YL_EINVAL, "password", "password must be at most 128 characters");
    return 0;
}

void acct_password_generate(char *out)
{
    /* No 0/O, 1/l/I: the password is read off a screen and typed by a person. */
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[16] = '\0';
}

int acct_password_hash(const char *password, char out[ACCT_HASH_MAX], struct yl_err *err)
{
    if (crypto_pwhash_str_alg(out, password, strlen(password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return yl_err_set(err, YL_EINTERNAL, NULL, "password hashing ran out of memory");
    return 0;
}

static int username_check(const char *u, struct yl_err *err)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 3 || n > ACCT_NAME_MAX)
        return yl_err_set(err, YL_EINVAL, "username", "user name must be 3 to %d characters",
                          ACCT_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return yl_err_set(err, YL_EINVAL, "username",
                              "user name may hold only a-z, 0-9, '.', '_' and '-'");
    }
    return 0;
}

static int display_check(const char *d, struct yl_err *err)
{
    if (d == NULL)
        return 0;
    size_t n = strlen(d);
    if (n > ACCT_DISPLAY_MAX * 4)
        return yl_err_set(err, YL_EINVAL, "display_name", "display name is too long");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)d[i] < 0x20)
            return yl_err_set(err, YL_EINVAL, "display_name",
                              "display name may not hold control characters");
    return 0;
}

static void user_from_row(struct store_stmt *st, struct acct_user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = store_col_int(st, 0);
    snprintf(u->username, sizeof(u->username), "%s", store_col_text(st, 1));
    snprintf(u->display_name, sizeof(u->display_name), "%s", store_col_text(st, 2));
    u->role = acct_role_parse(store_col_text(st, 4));
    u->scope.kind = (enum acct_scope_kind)acct_scope_kind_parse(store_col_text(st, 5));
    snprintf(u->scope.ref, sizeof(u->scope.ref), "%s", store_col_text(st, 6));
    u->disabled = store_col_int(st, 7) != 0;
    snprintf(u->created_at, sizeof(u->created_at), "%s", store_col_text(st, 8));
    snprintf(u->updated_at, sizeof(u->updated_at), "%s", store_col_text(st, 9));
}

const char *acct_scope_kind_name(enum acct_scope_kind k)
{
    switch (k) {
    case SCOPE_OU: return "ou";
    case SCOPE_FACILITY: return "facility";
    case SCOPE_TEAM: return "team";
    default: return "region";
    }
}

int acct_scope_kind_parse(const char *s)
{
    if (strcmp(s, "ou") == 0)
        return SCOPE_OU;
    if (strcmp(s, "facility") == 0)
        return SCOPE_FACILITY;
    if (strcmp(s, "team") == 0)
        return SCOPE_TEAM;
    return SCOPE_REGION;
}

int acct_user_create(struct acct *a, const struct acct_user_input *in,
                     const struct audit_actor *by, int64_t *id, struct yl_err *err)
{
    struct acct_scope scope;
    enum acct_role role = acct_role_parse(in->role);
    if (username_check(in->username, err) != 0)
        return YL_EINVAL;
    if (role == ROLE_NONE)
        return yl_err_set(err, YL_EINVAL, "role",
                          "role must be one of admin, facility_admin, family_doctor, "
                          "village_doctor, epidemiologist, analyst");
    if (acct_scope_parse(in->scope, role, &scope, err) != 0 ||
        display_check(in->display_name, err) != 0 || acct_password_check(in->password, err) != 0)
        return YL_EINVAL;
    char hash[ACCT_HASH_MAX];
    int rc = acct_password_hash(in->password, hash, err);
    if (rc != 0)
        return rc;

    char now[32];
    audit_now_rfc3339(now);
    struct store_conn *c;
    rc = store_write_begin(a->store, &c, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_INSERT);
    store_bind_text(st, 1, in->username);
    store_bind_text(st, 2, in->display_name ? in->display_name : "");
    store_bind_text(st, 3, hash);
    store_bind_text(st, 4, acct_role_name(role));
    store_bind_text(st, 5, acct_scope_kind_name(scope.kind));
    store_bind_text(st, 6, scope.ref);
    store_bind_text(st, 7, now);
    store_bind_text(st, 8, now);
    struct yl_err local = {0};
    rc = store_step(st, &local);
    int64_t new_id = 0;
    if (rc == STORE_ROW) {
        new_id = store_col_int(st, 0);
        rc = store_exec(st, &local);
    }
    if (rc == YL_ECONFLICT)
        rc = yl_err_set(err, YL_ECONFLICT, "username", "user name \"%s\" is taken",
                        in->username);
    else if (rc != 0)
        rc = yl_err_set(err, rc, NULL, "%s", yl_err_message(&local));
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)new_id);
    struct audit_event ev = {"create", "user", idtext, "ok"};
    rc = audit_finish_write(c, by, &ev, rc, err);
    if (rc == 0 && id != NULL)
        *id = new_id;
    return rc;
}

static int user_fetch(struct acct *a, enum store_sql q, int64_t id, const char *name,
                      struct acct_user *out, char *hash_out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(a->store);
    struct store_stmt *st = store_stmt(c, q);
    if (name != NULL)
        store_bind_text(st, 1, name);
    else
        store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        user_from_row(st, out);
        if (hash_out != NULL)
            snprintf(hash_out, ACCT_HASH_MAX, "%s", store_col_text(st, 3));
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such user");
    }
    store_exec(st, NULL);
    store_release(c);
    return rc;
}

int acct_user_get(struct acct *a, int64_t id, struct acct_user *out, struct yl_err *err)
{
    return user_fetch(a, STORE_SQL_USER_BY_ID, id, NULL, out, NULL, err);
}

int acct_user_find(struct acct *a, const char *username, struct acct_user *out,
                   struct yl_err *err)
{
    return user_fetch(a, STORE_SQL_USER_BY_NAME, 0, username, out, NULL, err);
}

int acct_user_find_with_hash(struct acct *a, const char *username, struct acct_user *out,
                             char hash[ACCT_HASH_MAX], struct yl_err *err)
{
    return user_fetch(a, STORE_SQL_USER_BY_NAME, 0, username, out, hash, err);
}

int acct_user_list(struct acct *a, int64_t after_id, const char *role, int limit,
                   struct acct_user *out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(a->store);
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_LIST);
    store_bind_int(st, 1, after_id);
    store_bind_text(st, 2, role ? role : "");
    store_bind_text(st, 3, role ? role : "");
    store_bind_int(st, 4, limit);
    int n = 0, rc = 0;
    while (n < limit && (rc = store_step(st, err)) == STORE_ROW)
        user_from_row(st, &out[n++]);
    store_exec(st, NULL);
    store_release(c);
    return rc < 0 ? rc : n;
}

static int revoke_user_sessions(struct store_conn *c, int64_t id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_SESSION_REVOKE_USER);
    store_bind_int(st, 1, id);
    return store_exec(st, err);
}

int acct_user_update(struct acct *a, int64_t id, const struct acct_user_patch *p,
                     const struct audit_actor *by, struct yl_err *err)
{
    struct acct_user u;
    int rc = acct_user_get(a, id, &u, err);
    if (rc != 0)
        return rc;
    enum acct_role role = u.role;
    if (p->role != NULL) {
        role = acct_role_parse(p->role);
        if (role == ROLE_NONE)
            return yl_err_set(err, YL_EINVAL, "role", "unknown role \"%s\"", p->role);
    }
    struct acct_scope scope = u.scope;
    char scope_text[64];
    const char *scope_in = p->scope ? p->scope : acct_scope_format(&u.scope, scope_text,
                                                                   sizeof(scope_text));
    if (acct_scope_parse(scope_in, role, &scope, err) != 0)
        return YL_EINVAL;
    if (display_check(p->display_name, err) != 0)
        return YL_EINVAL;
    bool disabled = p->disabled < 0 ? u.disabled : p->disabled != 0;
    bool access_changed = role != u.role || scope.kind != u.scope.kind ||
                          strcmp(scope.ref, u.scope.ref) != 0 || (disabled && !u.disabled);

    char now[32];
    audit_now_rfc3339(now);
    struct store_conn *c;
    rc = store_write_begin(a->store, &c, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_UPDATE);
    store_bind_text(st, 1, p->display_name ? p->display_name : u.display_name);
    store_bind_text(st, 2, acct_role_name(role));
    store_bind_text(st, 3, acct_scope_kind_name(scope.kind));
    store_bind_text(st, 4, scope.ref);
    store_bind_int(st, 5, disabled ? 1 : 0);
    store_bind_text(st, 6, now);
    store_bind_int(st, 7, id);
    rc = store_exec(st, err);
    if (rc == 0 && access_changed)
        rc = revoke_user_sessions(c, id, err);
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    struct audit_event ev = {disabled && !u.disabled ? "disable" : "update", "user", idtext,
                             "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

int acct_user_set_password(struct acct *a, int64_t id, const char *password,
                           const struct audit_actor *by, struct yl_err *err)
{
    struct acct_user u;
    int rc = acct_password_check(password, err);
    if (rc != 0)
        return rc;
    rc = acct_user_get(a, id, &u, err);
    if (rc != 0)
        return rc;
    char hash[ACCT_HASH_MAX];
    rc = acct_password_hash(password, hash, err);
    if (rc != 0)
        return rc;
    char now[32];
    audit_now_rfc3339(now);
    struct store_conn *c;
    rc = store_write_begin(a->store, &c, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_USER_SET_PASSWORD);
    store_bind_text(st, 1, hash);
    store_bind_text(st, 2, now);
    store_bind_int(st, 3, id);
    rc = store_exec(st, err);
    /* A new password ends every session opened with the old one. */
    if (rc == 0)
        rc = revoke_user_sessions(c, id, err);
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    struct audit_event ev = {"set_password", "user", idtext, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}
