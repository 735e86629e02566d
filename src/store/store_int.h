/*
 * store_int.h - declarations shared by the store's own files.
 */
#ifndef YL_STORE_INT_H
#define YL_STORE_INT_H

#include <stddef.h>

#include "store/store.h"

struct store_migration {
    int version;
    const char *name;
    const char *sql;    /* one or more statements */
};

const struct store_migration *store_migrations(size_t *n);
const char *store_sql_text(enum store_sql id);

#endif
