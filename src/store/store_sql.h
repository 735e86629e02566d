/*
 * store_sql.h - the names of every SQL statement yilian runs.
 *
 * The SQL itself is in sql.c, one table indexed by these names, so the whole of the data
 * access is on a few screens and a second backend translates one place.
 */
#ifndef YL_STORE_SQL_H
#define YL_STORE_SQL_H

#define STORE_SQL_LIST(X)                \
    X(MIGRATION_VERSION)                 \
    X(MIGRATION_RECORD)                  \
    X(USER_INSERT)                       \
    X(USER_BY_NAME)                      \
    X(USER_BY_ID)                        \
    X(USER_LIST)                         \
    X(USER_UPDATE)                       \
    X(USER_SET_PASSWORD)                 \
    X(USER_COUNT)                        \
    X(SESSION_INSERT)                    \
    X(SESSION_LOOKUP)                    \
    X(SESSION_TOUCH)                     \
    X(SESSION_REVOKE)                    \
    X(SESSION_REVOKE_USER)               \
    X(SESSION_PURGE)                     \
    X(AUDIT_HEAD)                        \
    X(AUDIT_INSERT)                      \
    X(AUDIT_HEAD_SET)                    \
    X(AUDIT_HEAD_GET)                    \
    X(AUDIT_SCAN)                        \
    X(AUDIT_LIST)                        \
    X(AUDIT_COUNT)

enum store_sql {
#define STORE_SQL_ENUM(name) STORE_SQL_##name,
    STORE_SQL_LIST(STORE_SQL_ENUM)
#undef STORE_SQL_ENUM
    STORE_SQL_COUNT
};

#endif
