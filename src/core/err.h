/*
 * err.h - error codes and the error detail that travels to the user.
 *
 * A function that can fail returns 0 or a negative YL_E* code and fills the caller's
 * struct yl_err (the last argument, may be NULL). The first error set wins: the deepest
 * function knows most, so callers above it do not overwrite its message or field.
 * Messages follow PostgreSQL style: lowercase, no final period, user values quoted, and
 * never personal data (names, ID numbers, phones): say which field, not what it held.
 */
#ifndef YL_ERR_H
#define YL_ERR_H

#include <stdbool.h>
#include <stdint.h>
#include "err_codes.h"

enum yl_code {
    YL_OK = 0,
#define YL_ERR_ENUM(name, num, wire, msg, status) YL_##name = -(num),
    YL_ERR_MAP(YL_ERR_ENUM)
#undef YL_ERR_ENUM
};

#define YL_ERR_FIELD_MAX   64
#define YL_ERR_MESSAGE_MAX 256

struct yl_err {
    int code;                           /* 0 while no error has been set */
    char field[YL_ERR_FIELD_MAX];       /* JSON field, CSV column or CLI argument; may be "" */
    char message[YL_ERR_MESSAGE_MAX];
    int64_t existing_id;                /* for a conflict: the id of what already exists */
};

/* Empty the error so it can be reused. */
void yl_err_clear(struct yl_err *err);

/*
 * Record an error unless one is already recorded. `field` may be NULL; `fmt` may be NULL for
 * the code's default message. Returns `code`, so callers can write `return yl_err_set(...)`.
 * `err` may be NULL, in which case only the code is returned.
 */
int yl_err_set(struct yl_err *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The code's wire name ("invalid_field"), default message, and HTTP status (500 if unknown). */
const char *yl_err_name(int code);
const char *yl_err_default_message(int code);
int yl_err_http_status(int code);

/* The message to show: err->message, or the code's default when none was written. */
const char *yl_err_message(const struct yl_err *err);

#endif
