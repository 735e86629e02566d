/*
 * sql_surveil.h - schema and statements of surveillance data (issue 6): notifiable disease
 * case reports and syndromic counts.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. A case
 * report is keyed by its external id (the idempotency key of the reporting system), kept
 * whole when deleted (status and reason), and repeats the org unit code of the residence
 * so that a series over a subtree is one range scan: codes are GB/T 2260 prefixes, so the
 * subtree of P is every code from P up to (not including) P followed by ':', the character
 * after '9'. Its disease's class is repeated too, for class series. Timestamps are UTC text
 * "YYYY-MM-DDTHH:MM:SSZ", so text order is time order. A syndromic count is one value per
 * channel, org unit and day (the primary key, in the order a series reads it).
 */
#ifndef YL_STORE_SQL_SURVEIL_H
#define YL_STORE_SQL_SURVEIL_H

/* Migration 13. The CHECKs restate the library's rules for any other writer. */
#define STORE_SCHEMA_SURVEIL                                                             \
    "CREATE TABLE case_report ("                                                         \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT NOT NULL UNIQUE,"                                                \
    "  disease TEXT NOT NULL,"                                                           \
    "  disease_class TEXT NOT NULL CHECK (disease_class IN ('A', 'B', 'C')),"            \
    "  classification TEXT NOT NULL"                                                     \
    "    CHECK (classification IN ('suspected', 'clinical', 'confirmed')),"              \
    "  onset_date TEXT NOT NULL,"                                                        \
    "  diagnosed_at TEXT NOT NULL,"                                                      \
    "  reported_at TEXT NOT NULL,"                                                       \
    "  delay_s INTEGER NOT NULL CHECK (delay_s >= 0),"                                   \
    "  late INTEGER NOT NULL CHECK (late IN (0, 1)),"                                    \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  resident_id INTEGER REFERENCES resident (id),"                                    \
    "  age_years INTEGER CHECK (age_years IS NULL OR age_years BETWEEN 0 AND 150),"      \
    "  sex INTEGER NOT NULL DEFAULT 0 CHECK (sex IN (0, 1, 2)),"                         \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  ou_code TEXT NOT NULL,"                                                           \
    "  status TEXT NOT NULL DEFAULT 'reported'"                                          \
    "    CHECK (status IN ('reported', 'revised', 'deleted')),"                          \
    "  delete_reason TEXT NOT NULL DEFAULT '',"                                          \
    "  created_at TEXT NOT NULL,"                                                        \
    "  updated_at TEXT NOT NULL,"                                                        \
    "  CHECK ((status = 'deleted') = (delete_reason <> ''))"                             \
    ");"                                                                                 \
    "CREATE INDEX case_report_series ON case_report (disease, ou_code, onset_date, status);"     \
    "CREATE INDEX case_report_class ON case_report (disease_class, ou_code, onset_date, status);" \
    "CREATE INDEX case_report_ou ON case_report (ou_code, id);"                          \
    "CREATE TABLE syndromic_count ("                                                     \
    "  channel TEXT NOT NULL,"                                                           \
    "  ou_code TEXT NOT NULL,"                                                           \
    "  day TEXT NOT NULL,"                                                               \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  value REAL NOT NULL CHECK (value >= 0),"                                          \
    "  denominator REAL CHECK (denominator IS NULL OR denominator > 0),"                 \
    "  updated_at TEXT NOT NULL,"                                                        \
    "  PRIMARY KEY (channel, ou_code, day)"                                              \
    ");"

/* Migration 15: the school or kindergarten a case card names (工作单位/学校), so that
 * cases of one school are seen together (alerts/detection.c, the school-cluster rule). */
#define STORE_SCHEMA_SURVEIL_SCHOOL                                                      \
    "ALTER TABLE case_report ADD COLUMN school TEXT NOT NULL DEFAULT '';"                \
    "CREATE INDEX case_report_school ON case_report (onset_date, school)"                \
    "  WHERE school <> '';"

/* Columns of a case report as surveil/ reads it (reports.c, case_from_row). */
#define SURV_SQL_CASE_COLUMNS                                                            \
    "SELECT c.id, c.external_id, c.disease, c.disease_class, c.classification,"          \
    " c.onset_date, c.diagnosed_at, c.reported_at, c.delay_s, c.late, f.code,"           \
    " COALESCE(c.resident_id, 0), COALESCE(r.name, ''), COALESCE(r.id_number, ''),"      \
    " COALESCE(c.age_years, -1), c.sex, c.ou_code, c.status, c.delete_reason,"           \
    " c.created_at, c.updated_at, fo.code, c.school FROM case_report c"                  \
    " JOIN facility f ON f.id = c.facility_id JOIN ou fo ON fo.id = f.ou_id"             \
    " LEFT JOIN resident r ON r.id = c.resident_id"

#define STORE_SQL_SURVEIL(X)                                                             \
    X(SURV_OU_BY_CODE, "SELECT id FROM ou WHERE code = ?")                               \
    X(SURV_FACILITY_BY_CODE,                                                             \
      "SELECT f.id, o.code FROM facility f JOIN ou o ON o.id = f.ou_id WHERE f.code = ?") \
    X(SURV_TEAM_FACILITY,                                                                \
      "SELECT f.code FROM team t JOIN facility f ON f.id = t.facility_id WHERE t.id = ?") \
    X(SURV_RESIDENT_BY_ID,                                                               \
      "SELECT r.id, r.ou_id, o.code, r.sex, r.birth_date FROM resident r"                \
      " JOIN ou o ON o.id = r.ou_id WHERE r.id = ?")                                     \
    X(SURV_RESIDENT_BY_IDNO,                                                             \
      "SELECT r.id, r.ou_id, o.code, r.sex, r.birth_date FROM resident r"                \
      " JOIN ou o ON o.id = r.ou_id WHERE r.id_number = ?")                              \
    X(SURV_CASE_INSERT,                                                                  \
      "INSERT INTO case_report (external_id, disease, disease_class, classification,"    \
      " onset_date, diagnosed_at, reported_at, delay_s, late, facility_id, resident_id," \
      " age_years, sex, ou_id, ou_code, status, created_at, updated_at, school)"         \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'reported', ?, ?, ?)"        \
      " RETURNING id")                                                                   \
    X(SURV_CASE_BY_ID, SURV_SQL_CASE_COLUMNS " WHERE c.id = ?")                          \
    X(SURV_CASE_BY_EXTERNAL, SURV_SQL_CASE_COLUMNS " WHERE c.external_id = ?")           \
    X(SURV_CASE_REVISE,                                                                  \
      "UPDATE case_report SET disease = ?, disease_class = ?, classification = ?,"       \
      " onset_date = ?, diagnosed_at = ?, delay_s = ?, late = ?, age_years = ?,"         \
      " status = 'revised', updated_at = ? WHERE id = ? AND status <> 'deleted'")        \
    X(SURV_CASE_DELETE,                                                                  \
      "UPDATE case_report SET status = 'deleted', delete_reason = ?, updated_at = ?"     \
      " WHERE id = ? AND status <> 'deleted'")                                           \
    X(SURV_CASE_LIST,                                                                    \
      SURV_SQL_CASE_COLUMNS                                                              \
      " WHERE c.ou_code >= ? AND c.ou_code < ? AND (? = '' OR c.disease = ?)"            \
      " AND c.onset_date >= ? AND c.onset_date <= ? AND (? = '' OR c.status = ?)"        \
      " AND (? < 0 OR c.late = ?) AND c.id > ? ORDER BY c.id LIMIT ?")                   \
    X(SURV_SERIES_DISEASE,                                                               \
      "SELECT onset_date, COUNT(*) FROM case_report WHERE disease = ?"                   \
      " AND ou_code >= ? AND ou_code < ? AND onset_date >= ? AND onset_date <= ?"        \
      " AND status <> 'deleted' GROUP BY onset_date")                                    \
    X(SURV_SERIES_CLASS,                                                                 \
      "SELECT onset_date, COUNT(*) FROM case_report WHERE disease_class = ?"             \
      " AND ou_code >= ? AND ou_code < ? AND onset_date >= ? AND onset_date <= ?"        \
      " AND status <> 'deleted' GROUP BY onset_date")                                    \
    X(SURV_COUNT_UPSERT,                                                                 \
      "INSERT INTO syndromic_count (channel, ou_code, day, ou_id, value, denominator,"   \
      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"                                        \
      " ON CONFLICT (channel, ou_code, day) DO UPDATE SET value = excluded.value,"       \
      " denominator = excluded.denominator, updated_at = excluded.updated_at"            \
      " WHERE syndromic_count.value IS NOT excluded.value"                               \
      " OR syndromic_count.denominator IS NOT excluded.denominator")                     \
    X(SURV_SERIES_CHANNEL,                                                               \
      "SELECT day, SUM(value), SUM(denominator) FROM syndromic_count WHERE channel = ?"  \
      " AND ou_code >= ? AND ou_code < ? AND day >= ? AND day <= ? GROUP BY day")        \
    X(SURV_INDICATOR_CASES,                                                              \
      "SELECT disease, disease_class, COUNT(*), SUM(late) FROM case_report"              \
      " WHERE ou_code >= ? AND ou_code < ? AND onset_date >= ? AND onset_date <= ?"      \
      " AND status <> 'deleted' GROUP BY disease, disease_class ORDER BY disease")       \
    X(SURV_INDICATOR_POPULATION,                                                         \
      "SELECT o.code, p.year, SUM(p.count) FROM ou_population p"                         \
      " JOIN ou o ON o.id = p.ou_id WHERE o.code >= ? AND o.code < ? AND p.year <= ?"    \
      " GROUP BY o.code, p.year")                                                        \
    X(SURV_INDICATOR_RESIDENTS,                                                          \
      "SELECT COUNT(*) FROM resident r JOIN ou o ON o.id = r.ou_id"                      \
      " WHERE o.code >= ? AND o.code < ? AND r.status = 'active'")

#endif
