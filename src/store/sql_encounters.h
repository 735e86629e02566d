/*
 * sql_encounters.h - schema and statements of registrations and encounters (issue 5): one
 * registration per visit (一次就诊只挂一次号) and the encounters recorded under it.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. A
 * registration is one resident's visit to one facility on one day; the UNIQUE constraint on
 * (resident_id, facility_id, visit_date) makes "one registration per visit" a rule of the
 * database, so two clinics registering the same visit at the same moment cannot make two:
 * the insert is ON CONFLICT DO NOTHING and the loser reads the winner's row. An encounter is
 * one department's contact within that visit; it repeats the registration's resident,
 * facility and day so that the two lists below read one table through one index each.
 * Diagnoses are ICD-10 codes separated by single spaces in the order given (a visit has a
 * handful; they are written and read whole, never searched by code here).
 */
#ifndef YL_STORE_SQL_ENCOUNTERS_H
#define YL_STORE_SQL_ENCOUNTERS_H

/* Migration 8. The CHECKs restate the library's rules so that no other writer can store an
 * inpatient stay without its admission or one that ends before it begins. */
#define STORE_SCHEMA_ENCOUNTERS                                                          \
    "CREATE TABLE registration ("                                                        \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT NOT NULL UNIQUE,"                                                \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  visit_date TEXT NOT NULL,"                                                        \
    "  created_at TEXT NOT NULL,"                                                        \
    "  UNIQUE (resident_id, facility_id, visit_date)"                                    \
    ");"                                                                                 \
    "CREATE TABLE encounter ("                                                           \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT NOT NULL UNIQUE,"                                                \
    "  registration_id INTEGER NOT NULL REFERENCES registration (id),"                   \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  visit_date TEXT NOT NULL,"                                                        \
    "  department TEXT NOT NULL CHECK (department <> ''),"                               \
    "  type TEXT NOT NULL CHECK (type IN ('outpatient', 'emergency', 'inpatient')),"     \
    "  admission_date TEXT,"                                                             \
    "  discharge_date TEXT,"                                                             \
    "  diagnoses TEXT NOT NULL CHECK (diagnoses <> ''),"                                 \
    "  staff_id INTEGER REFERENCES staff (id),"                                          \
    "  created_at TEXT NOT NULL,"                                                        \
    "  CHECK ((type = 'inpatient') = (admission_date IS NOT NULL)),"                     \
    "  CHECK (discharge_date IS NULL OR"                                                 \
    "    (admission_date IS NOT NULL AND discharge_date >= admission_date))"             \
    ");"                                                                                 \
    "CREATE INDEX encounter_resident ON encounter (resident_id, id);"                    \
    "CREATE INDEX encounter_facility_day ON encounter (facility_id, visit_date, id);"    \
    "CREATE INDEX encounter_registration ON encounter (registration_id);"

/* Columns of a registration as encounters/ reads it (enc_registration_from_row). */
#define ENC_SQL_REGISTRATION_COLUMNS                                                     \
    "SELECT g.id, g.external_id, g.resident_id, g.facility_id, f.code, g.visit_date,"    \
    " g.created_at FROM registration g JOIN facility f ON f.id = g.facility_id"

/* Columns of an encounter as encounters/ reads it (enc_encounter_from_row). */
#define ENC_SQL_ENCOUNTER_COLUMNS                                                        \
    "SELECT e.id, e.external_id, e.registration_id, e.resident_id, e.facility_id,"       \
    " f.code, e.visit_date, e.department, e.type, COALESCE(e.admission_date, ''),"       \
    " COALESCE(e.discharge_date, ''), e.diagnoses, COALESCE(e.staff_id, 0),"             \
    " COALESCE(s.code, ''), e.created_at FROM encounter e"                               \
    " JOIN facility f ON f.id = e.facility_id LEFT JOIN staff s ON s.id = e.staff_id"

#define STORE_SQL_ENCOUNTERS(X)                                                          \
    X(ENC_FACILITY_BY_CODE, "SELECT id FROM facility WHERE code = ?")                    \
    X(ENC_STAFF_BY_CODE, "SELECT id, facility_id FROM staff WHERE code = ?")             \
    X(ENC_REG_INSERT,                                                                    \
      "INSERT INTO registration (external_id, resident_id, facility_id, visit_date,"     \
      " created_at) VALUES (?, ?, ?, ?, ?)"                                              \
      " ON CONFLICT (resident_id, facility_id, visit_date) DO NOTHING RETURNING id")     \
    X(ENC_REG_BY_ID, ENC_SQL_REGISTRATION_COLUMNS " WHERE g.id = ?")                     \
    X(ENC_REG_BY_EXTERNAL, ENC_SQL_REGISTRATION_COLUMNS " WHERE g.external_id = ?")      \
    X(ENC_REG_BY_VISIT,                                                                  \
      ENC_SQL_REGISTRATION_COLUMNS                                                       \
      " WHERE g.resident_id = ? AND g.facility_id = ? AND g.visit_date = ?")             \
    X(ENC_INSERT,                                                                        \
      "INSERT INTO encounter (external_id, registration_id, resident_id, facility_id,"   \
      " visit_date, department, type, admission_date, discharge_date, diagnoses,"        \
      " staff_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")  \
    X(ENC_BY_ID, ENC_SQL_ENCOUNTER_COLUMNS " WHERE e.id = ?")                            \
    X(ENC_BY_EXTERNAL, ENC_SQL_ENCOUNTER_COLUMNS " WHERE e.external_id = ?")             \
    X(ENC_LIST_RESIDENT,                                                                 \
      ENC_SQL_ENCOUNTER_COLUMNS                                                          \
      " WHERE e.resident_id = ? AND e.id > ? ORDER BY e.id LIMIT ?")                     \
    X(ENC_LIST_FACILITY,                                                                 \
      ENC_SQL_ENCOUNTER_COLUMNS                                                          \
      " WHERE e.facility_id = ? AND e.visit_date >= ? AND e.visit_date <= ?"             \
      " AND e.id > ? ORDER BY e.id LIMIT ?")

#endif
