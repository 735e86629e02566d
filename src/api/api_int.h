/*
 * api_int.h - JSON renderings shared by the API adapters.
 */
#ifndef YL_API_INT_H
#define YL_API_INT_H

#include <stdint.h>

#include "accounts/accounts.h"
#include "http/http.h"

json_t *api_json_time(int64_t unix_s);     /* RFC 3339 UTC string */
json_t *api_principal_json(const struct acct_principal *p);
json_t *api_user_json(const struct acct_user *u);

#endif
