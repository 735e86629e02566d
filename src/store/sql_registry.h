/*
 * sql_registry.h - schema and statements of the registry: org units and their population,
 * facilities, medical groups, staff.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Dates are
 * TEXT "YYYY-MM-DD"; enumerations are TEXT codes (the names in registry.h tables); lists of
 * codes (services, centers) are space-separated TEXT.
 */
#ifndef YL_STORE_SQL_REGISTRY_H
#define YL_STORE_SQL_REGISTRY_H

#define STORE_SCHEMA_REGISTRY                                                            \
    "CREATE TABLE ou ("                                                                  \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),"                            \
    "  parent_id INTEGER REFERENCES ou (id),"                                            \
    "  lat REAL,"                                                                        \
    "  lon REAL,"                                                                        \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX ou_parent ON ou (parent_id);"                                          \
    "CREATE TABLE ou_population ("                                                       \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  year INTEGER NOT NULL,"                                                           \
    "  sex INTEGER NOT NULL CHECK (sex IN (1, 2)),"                                      \
    "  age_band INTEGER NOT NULL CHECK (age_band BETWEEN 0 AND 18),"                     \
    "  count INTEGER NOT NULL CHECK (count >= 0),"                                       \
    "  PRIMARY KEY (ou_id, year, sex, age_band)"                                         \
    ");"                                                                                 \
    "CREATE TABLE facility ("                                                            \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  type TEXT NOT NULL,"                                                              \
    "  grade TEXT NOT NULL DEFAULT 'ungraded',"                                          \
    "  ownership TEXT NOT NULL DEFAULT 'public',"                                        \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  lat REAL,"                                                                        \
    "  lon REAL,"                                                                        \
    "  beds INTEGER NOT NULL DEFAULT 0 CHECK (beds >= 0),"                               \
    "  icu_beds INTEGER NOT NULL DEFAULT 0 CHECK (icu_beds >= 0),"                       \
    "  infant_care_places INTEGER NOT NULL DEFAULT 0 CHECK (infant_care_places >= 0),"   \
    "  services TEXT NOT NULL DEFAULT '',"                                               \
    "  centers TEXT NOT NULL DEFAULT '',"                                                \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX facility_ou ON facility (ou_id);"                                      \
    "CREATE TABLE medical_group ("                                                       \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  kind TEXT NOT NULL,"                                                              \
    "  lead_facility_id INTEGER NOT NULL REFERENCES facility (id),"                      \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE TABLE medical_group_member ("                                                \
    "  group_id INTEGER NOT NULL REFERENCES medical_group (id),"                         \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  kind TEXT NOT NULL,"                                                              \
    "  PRIMARY KEY (group_id, facility_id),"                                             \
    "  UNIQUE (facility_id, kind)"                                                       \
    ");"                                                                                 \
    "CREATE TABLE staff ("                                                               \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  role TEXT NOT NULL,"                                                              \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  qualification_no TEXT NOT NULL DEFAULT '',"                                       \
    "  education TEXT NOT NULL DEFAULT '',"                                              \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX staff_facility ON staff (facility_id);"

#define STORE_SQL_REGISTRY(X)

#endif
