/*
 * accounts_int.h - what the accounts files share: the struct behind struct acct and the
 * helpers users.c offers sessions.c.
 */
#ifndef YL_ACCOUNTS_INT_H
#define YL_ACCOUNTS_INT_H

#include <pthread.h>
#include <stdint.h>

#include "accounts/accounts.h"

#define ACCT_HASH_MAX 128   /* crypto_pwhash_STRBYTES */
#define THROTTLE_SLOTS 4096

/* Times are CLOCK_MONOTONIC milliseconds: a lockout lasts its full length whatever the
 * wall clock does, and a 1 s lockout is not cut short by rounding to whole seconds. */
struct throttle_slot {
    char key[80];           /* "u:<username>" or "a:<address>" */
    int failures;
    int64_t locked_until_ms;
    int64_t last_ms;
};

struct acct {
    struct store *store;
    struct acct_options opt;
    char dummy_hash[ACCT_HASH_MAX];     /* verified against for unknown users: same cost */
    pthread_mutex_t throttle_lock;
    struct throttle_slot *slots;
};

int acct_password_hash(const char *password, char out[ACCT_HASH_MAX], struct yl_err *err);
int acct_user_find_with_hash(struct acct *a, const char *username, struct acct_user *out,
                             char hash[ACCT_HASH_MAX], struct yl_err *err);
const char *acct_scope_kind_name(enum acct_scope_kind k);
int acct_scope_kind_parse(const char *s);

#endif
