/*
 * store_sql.h - the statement catalogue: every SQL statement yilian runs, by name.
 *
 * Each area lists its statements in its own file as X(NAME, "SQL") (sql_<area>.h), in the
 * portable subset SQLite and PostgreSQL share: `?` placeholders numbered in order,
 * INTEGER/TEXT/REAL columns, RETURNING, ON CONFLICT, partial indexes. This header joins the
 * lists into one enum; sql.c joins them into one table of text. A second backend translates
 * the one table.
 */
#ifndef YL_STORE_SQL_H
#define YL_STORE_SQL_H

#include "store/sql_platform.h"
#include "store/sql_registry.h"
#include "store/sql_records.h"
#include "store/sql_contracts.h"
#include "store/sql_pindex.h"
#include "store/sql_services.h"
#include "store/sql_encounters.h"
#include "store/sql_experts.h"
#include "store/sql_referral.h"
#include "store/sql_results.h"
#include "store/sql_consortium.h"
#include "store/sql_surveil.h"
#include "store/sql_alerts.h"

/* Scripts store_migrate runs after the migrations on every open: each builds what a bulk
 * operation may have left unbuilt (idempotent, cheap when nothing is missing). */
#define STORE_SCRIPT_ENSURE STORE_SCRIPT_REC_SEARCH_CREATE

#define STORE_SQL_LIST(X)     \
    STORE_SQL_PLATFORM(X)     \
    STORE_SQL_REGISTRY(X)     \
    STORE_SQL_RECORDS(X)      \
    STORE_SQL_CONTRACTS(X)    \
    STORE_SQL_PINDEX(X)       \
    STORE_SQL_SERVICES(X)     \
    STORE_SQL_ENCOUNTERS(X)   \
    STORE_SQL_EXPERTS(X)      \
    STORE_SQL_REFERRAL(X)     \
    STORE_SQL_RESULTS(X)      \
    STORE_SQL_CONSORTIUM(X)   \
    STORE_SQL_SURVEIL(X)      \
    STORE_SQL_ALERTS(X)

enum store_sql {
#define STORE_SQL_ENUM(name, text) STORE_SQL_##name,
    STORE_SQL_LIST(STORE_SQL_ENUM)
#undef STORE_SQL_ENUM
    STORE_SQL_COUNT
};

#endif
