/*
 * sql.c - the statement catalogue as one table of text, indexed by enum store_sql.
 */
#include "store_int.h"

static const char *const sql_text[STORE_SQL_COUNT] = {
#define STORE_SQL_TEXT(name, text) [STORE_SQL_##name] = text,
    STORE_SQL_LIST(STORE_SQL_TEXT)
#undef STORE_SQL_TEXT
};

const char *store_sql_text(enum store_sql id)
{
    return sql_text[id];
}
