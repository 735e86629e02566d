/*
 * sql_contracts.h - schema and statements of family-doctor teams and contracts.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. A
 * contract's status is active, expired (its period passed), renewed (followed by a new one)
 * or terminated (ended early, with a date and reason); the partial unique index makes "at
 * most one active contract per resident" a rule of the database itself.
 */
#ifndef YL_STORE_SQL_CONTRACTS_H
#define YL_STORE_SQL_CONTRACTS_H

#define STORE_SCHEMA_CONTRACTS                                                           \
    "CREATE TABLE team ("                                                                \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  leader_staff_id INTEGER REFERENCES staff (id),"                                   \
    "  capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),"                       \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE TABLE team_member ("                                                         \
    "  team_id INTEGER NOT NULL REFERENCES team (id),"                                   \
    "  staff_id INTEGER NOT NULL REFERENCES staff (id),"                                 \
    "  PRIMARY KEY (team_id, staff_id)"                                                  \
    ");"                                                                                 \
    "CREATE INDEX team_member_staff ON team_member (staff_id);"                          \
    "CREATE TABLE contract ("                                                            \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT UNIQUE,"                                                         \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  team_id INTEGER NOT NULL REFERENCES team (id),"                                   \
    "  package TEXT NOT NULL,"                                                           \
    "  from_date TEXT NOT NULL,"                                                         \
    "  to_date TEXT NOT NULL,"                                                           \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  ended_date TEXT,"                                                                 \
    "  end_reason TEXT NOT NULL DEFAULT '',"                                             \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE UNIQUE INDEX contract_one_active ON contract (resident_id)"                  \
    "  WHERE status = 'active';"                                                         \
    "CREATE INDEX contract_resident ON contract (resident_id);"                          \
    "CREATE INDEX contract_team ON contract (team_id, status);"

#define STORE_SQL_CONTRACTS(X)

#endif
