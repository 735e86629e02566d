/*
 * sql_pindex.h - statements the population index reads the store with (whole-table scans at
 * start, one resident's rows on refresh).
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders.
 */
#ifndef YL_STORE_SQL_PINDEX_H
#define YL_STORE_SQL_PINDEX_H

#define STORE_SQL_PINDEX(X)

#endif
