/*
 * err.c - error table lookups and the first-error-wins detail record.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_entry {
    int code;
    const char *name;
    const char *message;
    int http_status;
};

static const struct err_entry err_table[] = {
#define YL_ERR_ROW(n, num, wire, msg, status) { -(num), wire, msg, status },
    YL_ERR_MAP(YL_ERR_ROW)
#undef YL_ERR_ROW
};

static const struct err_entry *err_lookup(int code)
{
    for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
        if (err_table[i].code == code)
            return &err_table[i];
    return NULL;
}

void yl_err_clear(struct yl_err *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->field[0] = '\0';
    err->message[0] = '\0';
    err->existing_id = 0;
}

int yl_err_set(struct yl_err *err, int code, const char *field, const char *fmt, ...)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    err->existing_id = 0;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    err->message[0] = '\0';
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *yl_err_name(int code)
{
    const struct err_entry *e = err_lookup(code);
    return e ? e->name : "internal";
}

const char *yl_err_default_message(int code)
{
    const struct err_entry *e = err_lookup(code);
    return e ? e->message : "internal error";
}

int yl_err_http_status(int code)
{
    const struct err_entry *e = err_lookup(code);
    return e ? e->http_status : 500;
}

const char *yl_err_message(const struct yl_err *err)
{
    if (err->message[0] != '\0')
        return err->message;
    return yl_err_default_message(err->code);
}
