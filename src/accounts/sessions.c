/*
 * sessions.c - login, bearer tokens, idle and absolute expiry, and login throttling.
 *
 * A token is 32 random bytes in hex; the store keeps only BLAKE2b-256(token), so a copy of
 * the database does not hold usable tokens. Throttling counts failures per user name and per
 * client address in memory: after max_failures, each further failure doubles a lockout
 * (1 s, 2 s, 4 s … up to lockout_max_s) during which even the right password is refused.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts_int.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

struct acct *acct_new(struct store *s, const struct acct_options *opt)
{
    if (sodium_init() < 0)
        abort();
    struct acct *a = xcalloc(1, sizeof(*a));
    a->store = s;
    if (opt != NULL)
        a->opt = *opt;
    if (a->opt.idle_timeout_s <= 0)
        a->opt.idle_timeout_s = 1800;
    if (a->opt.lifetime_s <= 0)
        a->opt.lifetime_s = 43200;
    if (a->opt.max_failures <= 0)
        a->opt.max_failures = 5;
    if (a->opt.lockout_max_s <= 0)
        a->opt.lockout_max_s = 900;
    pthread_mutex_init(&a->throttle_lock, NULL);
    a->slots = xcalloc(THROTTLE_SLOTS, sizeof(*a->slots));
    char random_pw[17];
    acct_password_generate(random_pw);
    if (acct_password_hash(random_pw, a->dummy_hash, NULL) != 0)
        abort();
    return a;
}

void acct_free(struct acct *a)
{
    if (a == NULL)
        return;
    pthread_mutex_destroy(&a->throttle_lock);
    free(a->slots);
    free(a);
}

/* --- throttling ------------------------------------------------------------------------ */

static int64_t monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The slot for key, or a fresh one replacing the least recently used. Lock held. */
static struct throttle_slot *slot_for(struct acct *a, const char *key, bool create)
{
    struct throttle_slot *oldest = &a->slots[0];
    for (int i = 0; i < THROTTLE_SLOTS; i++) {
        struct throttle_slot *s = &a->slots[i];
        if (s->key[0] != '\0' && strcmp(s->key, key) == 0)
            return s;
        if (s->last_ms < oldest->last_ms)
            oldest = s;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->key, sizeof(oldest->key), "%s", key);
    return oldest;
}

/* Seconds still to wait, rounded up, so a caller told 1 is not refused after waiting it. */
static int throttle_wait(struct acct *a, const char *key, int64_t now_ms)
{
    struct throttle_slot *s = slot_for(a, key, false);
    if (s == NULL || s->locked_until_ms <= now_ms)
        return 0;
    return (int)((s->locked_until_ms - now_ms + 999) / 1000);
}

static void throttle_fail(struct acct *a, const char *key, int64_t now_ms)
{
    struct throttle_slot *s = slot_for(a, key, true);
    s->failures++;
    s->last_ms = now_ms;
    int over = s->failures - a->opt.max_failures;
    if (over >= 0) {
        long wait_s = 1L << (over < 20 ? over : 20);
        if (wait_s > a->opt.lockout_max_s)
            wait_s = a->opt.lockout_max_s;
        s->locked_until_ms = now_ms + (int64_t)wait_s * 1000;
    }
}

static void throttle_clear(struct acct *a, const char *key)
{
    struct throttle_slot *s = slot_for(a, key, false);
    if (s != NULL)
        memset(s, 0, sizeof(*s));
}

/* --- tokens ---------------------------------------------------------------------------- */

static void token_hash(const char *token, char out[ACCT_TOKEN_HEX])
{
    unsigned char digest[32];
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)token, strlen(token),
                       NULL, 0);
    sodium_bin2hex(out, ACCT_TOKEN_HEX, digest, sizeof(digest));
}

static int audit_login(struct acct *a, const struct audit_actor *who, const char *outcome,
                       const char *user_id, struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(a->store, &c, err);
    if (rc != 0)
        return rc;
    struct audit_event ev = {"login", "session", user_id, outcome};
    return audit_finish_write(c, who, &ev, 0, err);
}

/* Throttle, look up and verify; on success *u holds the user. Failures are counted and
 * audited here, so login and password change share one guard. */
static int check_credentials(struct acct *a, const char *username, const char *password,
                             const char *client, int *retry_after_s, struct acct_user *u,
                             struct yl_err *err)
{
    int64_t now_ms = monotonic_ms();
    char ukey[80], akey[80];
    snprintf(ukey, sizeof(ukey), "u:%s", username ? username : "");
    snprintf(akey, sizeof(akey), "a:%s", client ? client : "");
    *retry_after_s = 0;

    pthread_mutex_lock(&a->throttle_lock);
    int wait_u = throttle_wait(a, ukey, now_ms);
    int wait_a = throttle_wait(a, akey, now_ms);
    pthread_mutex_unlock(&a->throttle_lock);
    int wait = wait_u > wait_a ? wait_u : wait_a;
    struct audit_actor actor = {0, username ? username : "", "", client ? client : ""};
    if (wait > 0) {
        *retry_after_s = wait;
        audit_login(a, &actor, "throttled", "", NULL);
        return yl_err_set(err, YL_ETHROTTLE, NULL,
                          "too many failed logins; try again in %d seconds", wait);
    }

    char hash[ACCT_HASH_MAX];
    struct yl_err lookup = {0};
    int found = username != NULL && password != NULL &&
                acct_user_find_with_hash(a, username, u, hash, &lookup) == 0;
    if (lookup.code != 0 && lookup.code != YL_ENOTFOUND)
        return yl_err_set(err, lookup.code, NULL, "%s", yl_err_message(&lookup));
    /* Verify against a dummy hash for unknown users so that timing does not tell which user
     * names exist. */
    const char *pw = password ? password : "";
    int ok = crypto_pwhash_str_verify(found ? hash : a->dummy_hash, pw, strlen(pw)) == 0;
    if (!found || !ok || u->disabled) {
        /* The lockout runs from the failure, not from before the slow hash check, or a
         * short lockout would be over before the caller heard of it. */
        now_ms = monotonic_ms();
        pthread_mutex_lock(&a->throttle_lock);
        throttle_fail(a, ukey, now_ms);
        throttle_fail(a, akey, now_ms);
        pthread_mutex_unlock(&a->throttle_lock);
        char idtext[24] = "";
        if (found)
            snprintf(idtext, sizeof(idtext), "%lld", (long long)u->id);
        audit_login(a, &actor, found && ok ? "disabled" : "failed", idtext, NULL);
        if (found && ok)
            return yl_err_set(err, YL_EUNAUTH, NULL, "this account is disabled");
        return yl_err_set(err, YL_EUNAUTH, NULL, "wrong user name or password");
    }
    pthread_mutex_lock(&a->throttle_lock);
    throttle_clear(a, ukey);
    throttle_clear(a, akey);
    pthread_mutex_unlock(&a->throttle_lock);
    return 0;
}

int acct_verify_password(struct acct *a, const char *username, const char *password,
                         const char *client, int *retry_after_s, struct yl_err *err)
{
    struct acct_user u;
    return check_credentials(a, username, password, client, retry_after_s, &u, err);
}

int acct_login(struct acct *a, const char *username, const char *password, const char *client,
               char token[ACCT_TOKEN_HEX], int64_t *expires_at, int *retry_after_s,
               struct acct_principal *who, struct yl_err *err)
{
    struct acct_user u;
    int rc = check_credentials(a, username, password, client, retry_after_s, &u, err);
    if (rc != 0)
        return rc;
    time_t now = time(NULL);

    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(token, ACCT_TOKEN_HEX, raw, sizeof(raw));
    memset(who, 0, sizeof(*who));
    token_hash(token, who->token_hash);
    who->user_id = u.id;
    snprintf(who->username, sizeof(who->username), "%s", u.username);
    who->role = u.role;
    who->scope = u.scope;
    *expires_at = (int64_t)now + a->opt.lifetime_s;

    struct store_conn *c;
    rc = store_write_begin(a->store, &c, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_SESSION_INSERT);
        store_bind_text(st, 1, who->token_hash);
        store_bind_int(st, 2, u.id);
        store_bind_int(st, 3, now);
        store_bind_int(st, 4, now);
        store_bind_int(st, 5, *expires_at);
        rc = store_exec(st, err);
        char idtext[24];
        snprintf(idtext, sizeof(idtext), "%lld", (long long)u.id);
        struct audit_actor me = {u.id, u.username, acct_role_name(u.role),
                                 client ? client : ""};
        struct audit_event ev = {"login", "session", idtext, "ok"};
        rc = audit_finish_write(c, &me, &ev, rc, err);
    }
    if (rc != 0) {
        sodium_memzero(token, ACCT_TOKEN_HEX);
        return rc;
    }
    return 0;
}

static bool token_form_ok(const char *token)
{
    if (token == NULL || strlen(token) != ACCT_TOKEN_HEX - 1)
        return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

int acct_authenticate(struct acct *a, const char *token, struct acct_principal *who,
                      struct yl_err *err)
{
    if (!token_form_ok(token))
        return yl_err_set(err, YL_EUNAUTH, NULL, "invalid token");
    char th[ACCT_TOKEN_HEX];
    token_hash(token, th);
    time_t now = time(NULL);

    struct store_conn *c = store_acquire(a->store);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SESSION_LOOKUP);
    store_bind_text(st, 1, th);
    int rc = store_step(st, err);
    if (rc < 0)
        goto out;
    if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_EUNAUTH, NULL, "invalid token");
        goto out;
    }
    int64_t last_seen = store_col_int(st, 2);
    int64_t expires = store_col_int(st, 3);
    int revoked = (int)store_col_int(st, 4);
    int disabled = (int)store_col_int(st, 9);
    if (revoked || disabled) {
        rc = yl_err_set(err, YL_EUNAUTH, NULL, "this session has ended; log in again");
        goto out;
    }
    if (now >= expires || now - last_seen > a->opt.idle_timeout_s) {
        rc = yl_err_set(err, YL_EUNAUTH, NULL, "this session has expired; log in again");
        goto out;
    }
    memset(who, 0, sizeof(*who));
    who->user_id = store_col_int(st, 0);
    snprintf(who->username, sizeof(who->username), "%s", store_col_text(st, 5));
    who->role = acct_role_parse(store_col_text(st, 6));
    who->scope.kind = (enum acct_scope_kind)acct_scope_kind_parse(store_col_text(st, 7));
    snprintf(who->scope.ref, sizeof(who->scope.ref), "%s", store_col_text(st, 8));
    memcpy(who->token_hash, th, ACCT_TOKEN_HEX);
    store_exec(st, NULL);

    /* Refresh the idle clock, but write at most every quarter of the idle timeout (and at
     * most once a minute), so a busy client does not turn every read into a write. */
    int64_t step = a->opt.idle_timeout_s / 4;
    if (step > 60)
        step = 60;
    if (now - last_seen >= step) {
        st = store_stmt(c, STORE_SQL_SESSION_TOUCH);
        store_bind_int(st, 1, now);
        store_bind_text(st, 2, th);
        store_bind_int(st, 3, now);
        store_exec(st, NULL);
    }
    rc = 0;
out:
    store_exec(store_stmt(c, STORE_SQL_SESSION_LOOKUP), NULL);
    store_release(c);
    return rc;
}

int acct_logout(struct acct *a, const struct acct_principal *who, const char *client,
                struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(a->store, &c, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SESSION_REVOKE);
    store_bind_text(st, 1, who->token_hash);
    rc = store_exec(st, err);
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)who->user_id);
    struct audit_actor me = {who->user_id, who->username, acct_role_name(who->role), client};
    struct audit_event ev = {"logout", "session", idtext, "ok"};
    return audit_finish_write(c, &me, &ev, rc, err);
}
