/*
 * err_codes.h - every error code yilian can return, in one table.
 *
 * The table generates the enum (err.h), the wire names used in JSON error bodies, the default
 * messages and the HTTP status of each code. Numbers are part of the contract: never renumber,
 * only append.
 */
#ifndef YL_ERR_CODES_H
#define YL_ERR_CODES_H

/*  X(name,       number, wire name,             default message,               HTTP) */
#define YL_ERR_MAP(X)                                                                   \
    X(EINVAL,     1,  "invalid_field",       "invalid value",                   400)    \
    X(EJSON,      2,  "invalid_json",        "malformed JSON",                  400)    \
    X(ENOTFOUND,  3,  "not_found",           "no such resource",                404)    \
    X(ECONFLICT,  4,  "conflict",            "already exists",                  409)    \
    X(EUNAUTH,    5,  "unauthorized",        "authentication required",         401)    \
    X(EFORBIDDEN, 6,  "forbidden",           "not allowed for this role",       403)    \
    X(ETOOBIG,    7,  "too_large",           "request too large",               413)    \
    X(EMETHOD,    8,  "method_not_allowed",  "method not allowed",              405)    \
    X(ETHROTTLE,  9,  "too_many_requests",   "too many attempts, try later",    429)    \
    X(ESTORE,     10, "store_error",         "storage error",                   500)    \
    X(EIO,        11, "io_error",            "input/output error",              500)    \
    X(EINTERNAL,  12, "internal",            "internal error",                  500)    \
    X(EBUSY,      13, "unavailable",         "service unavailable, try again",  503)    \
    X(EUNSUPP,    14, "unsupported",         "unsupported media type",          415)    \
    X(EFULL,      15, "full",                "no places left",                  409)

#endif
