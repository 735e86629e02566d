/*
 * sql_records.h - schema and statements of the health records: residents, their
 * key-population tags and their residence history.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Dates are
 * TEXT "YYYY-MM-DD". A resident's current village is resident.ou_id; `residence` keeps one
 * row per period of residence (the open one has to_date NULL) so indicators of a past period
 * count a resident where they lived then.
 */
#ifndef YL_STORE_SQL_RECORDS_H
#define YL_STORE_SQL_RECORDS_H

#define STORE_SCHEMA_RECORDS                                                             \
    "CREATE TABLE resident ("                                                            \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  id_number TEXT NOT NULL UNIQUE,"                                                  \
    "  name TEXT NOT NULL,"                                                              \
    "  sex INTEGER NOT NULL CHECK (sex IN (1, 2)),"                                      \
    "  birth_date TEXT NOT NULL,"                                                        \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  household TEXT NOT NULL DEFAULT '',"                                              \
    "  phone TEXT NOT NULL DEFAULT '',"                                                  \
    "  address TEXT NOT NULL DEFAULT '',"                                                \
    "  record_date TEXT NOT NULL,"                                                       \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  status_date TEXT,"                                                                \
    "  death_cause TEXT NOT NULL DEFAULT '',"                                            \
    "  maternal_death INTEGER NOT NULL DEFAULT 0,"                                       \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX resident_ou ON resident (ou_id);"                                      \
    "CREATE INDEX resident_name ON resident (name);"                                     \
    "CREATE INDEX resident_phone ON resident (phone);"                                   \
    "CREATE INDEX resident_household ON resident (household);"                           \
    "CREATE TABLE resident_tag ("                                                        \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  tag TEXT NOT NULL,"                                                               \
    "  from_date TEXT NOT NULL,"                                                         \
    "  to_date TEXT,"                                                                    \
    "  expected_delivery TEXT,"                                                          \
    "  UNIQUE (resident_id, tag, from_date)"                                             \
    ");"                                                                                 \
    "CREATE INDEX resident_tag_tag ON resident_tag (tag, resident_id);"                  \
    "CREATE TABLE residence ("                                                           \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  from_date TEXT NOT NULL,"                                                         \
    "  to_date TEXT"                                                                     \
    ");"                                                                                 \
    "CREATE INDEX residence_resident ON residence (resident_id);"

#define STORE_SQL_RECORDS(X)

#endif
