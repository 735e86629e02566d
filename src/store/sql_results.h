/*
 * sql_results.h - schema and statements of shared results and their mutual recognition
 * (检查检验结果互认, issue 5): the catalogue of recognised items, result records and the uses
 * of a recognised result instead of a repeated test.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Dates are
 * TEXT "YYYY-MM-DD", so a validity window is a range of text that the index on (resident,
 * item, day) answers; the window's first day is computed in C from the item's validity, which
 * keeps date arithmetic out of SQL (SQLite and PostgreSQL spell it differently).
 */
#ifndef YL_STORE_SQL_RESULTS_H
#define YL_STORE_SQL_RESULTS_H

/* Migration 11. The CHECKs restate the library's rules (a number only with a unit, one of
 * value and report) so that no other writer can store a result the lookup would misread.
 * A use is unique per result, ordering facility and day: a clinic asking twice on one day
 * avoided one repeat, not two. */
#define STORE_SCHEMA_RESULTS                                                             \
    "CREATE TABLE result_item ("                                                         \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name_zh TEXT NOT NULL CHECK (name_zh <> ''),"                                     \
    "  name_en TEXT NOT NULL DEFAULT '',"                                                \
    "  kind TEXT NOT NULL CHECK (kind IN ('lab', 'imaging', 'ecg')),"                    \
    "  unit TEXT NOT NULL DEFAULT '',"                                                   \
    "  validity_days INTEGER NOT NULL CHECK (validity_days >= 1),"                       \
    "  scope TEXT NOT NULL CHECK (scope IN ('region', 'county_community', 'group')),"    \
    "  updated_at TEXT NOT NULL,"                                                        \
    "  CHECK (kind = 'lab' OR unit = '')"                                                \
    ");"                                                                                 \
    "CREATE TABLE result ("                                                              \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT NOT NULL UNIQUE,"                                                \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  item_id INTEGER NOT NULL REFERENCES result_item (id),"                            \
    "  value REAL,"                                                                      \
    "  unit TEXT,"                                                                       \
    "  report TEXT,"                                                                     \
    "  result_date TEXT NOT NULL,"                                                       \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  method TEXT NOT NULL DEFAULT '',"                                                 \
    "  created_at TEXT NOT NULL,"                                                        \
    "  CHECK (value IS NOT NULL OR report IS NOT NULL),"                                 \
    "  CHECK ((value IS NULL) = (unit IS NULL))"                                         \
    ");"                                                                                 \
    "CREATE INDEX result_lookup ON result (resident_id, item_id, result_date);"          \
    "CREATE INDEX result_resident ON result (resident_id, id);"                          \
    "CREATE TABLE result_usage ("                                                        \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  result_id INTEGER NOT NULL REFERENCES result (id),"                               \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  item_id INTEGER NOT NULL REFERENCES result_item (id),"                            \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  use_date TEXT NOT NULL,"                                                          \
    "  created_at TEXT NOT NULL,"                                                        \
    "  UNIQUE (result_id, facility_id, use_date)"                                        \
    ");"                                                                                 \
    "CREATE INDEX result_usage_day ON result_usage (use_date);"

/* Columns of an item as results/ reads it (res_item_from_row). */
#define RES_SQL_ITEM_COLUMNS                                                             \
    "SELECT id, code, name_zh, name_en, kind, unit, validity_days, scope FROM result_item"

/* Columns of a result as results/ reads it (res_result_from_row). */
#define RES_SQL_RESULT_COLUMNS                                                           \
    "SELECT r.id, r.external_id, r.resident_id, r.item_id, i.code, i.kind, r.value,"     \
    " COALESCE(r.unit, ''), r.report, r.result_date, r.facility_id, f.code, r.method,"   \
    " r.created_at FROM result r JOIN result_item i ON i.id = r.item_id"                 \
    " JOIN facility f ON f.id = r.facility_id"

/* Uses in a day range ([from, to] as text), counted and by how many distinct results. */
#define RES_SQL_USES_IN " WHERE u.use_date >= ? AND u.use_date <= ?"

#define STORE_SQL_RESULTS(X)                                                             \
    X(RES_ITEM_BY_CODE, RES_SQL_ITEM_COLUMNS " WHERE code = ?")                          \
    X(RES_ITEM_BY_ID, RES_SQL_ITEM_COLUMNS " WHERE id = ?")                              \
    X(RES_ITEM_INSERT,                                                                   \
      "INSERT INTO result_item (code, name_zh, name_en, kind, unit, validity_days,"      \
      " scope, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")                             \
    X(RES_ITEM_UPDATE,                                                                   \
      "UPDATE result_item SET name_zh = ?, name_en = ?, kind = ?, unit = ?,"             \
      " validity_days = ?, scope = ?, updated_at = ? WHERE id = ?")                      \
    X(RES_ITEM_HAS_RESULTS, "SELECT 1 FROM result WHERE item_id = ? LIMIT 1")            \
    X(RES_FACILITY_BY_CODE, "SELECT id FROM facility WHERE code = ?")                    \
    X(RES_INSERT,                                                                        \
      "INSERT INTO result (external_id, resident_id, item_id, value, unit, report,"      \
      " result_date, facility_id, method, created_at)"                                   \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")                             \
    X(RES_BY_ID, RES_SQL_RESULT_COLUMNS " WHERE r.id = ?")                               \
    X(RES_BY_EXTERNAL, RES_SQL_RESULT_COLUMNS " WHERE r.external_id = ?")                \
    X(RES_LIST_RESIDENT,                                                                 \
      RES_SQL_RESULT_COLUMNS " WHERE r.resident_id = ? AND r.id > ? ORDER BY r.id LIMIT ?") \
    X(RES_IN_WINDOW,                                                                     \
      RES_SQL_RESULT_COLUMNS " WHERE r.resident_id = ? AND r.item_id = ?"                \
      " AND r.result_date >= ? AND r.result_date <= ?"                                   \
      " ORDER BY r.result_date DESC, r.id DESC LIMIT ?")                                 \
    X(RES_SAME_GROUP,                                                                    \
      "SELECT 1 FROM medical_group_member a JOIN medical_group_member b"                 \
      " ON b.group_id = a.group_id WHERE a.facility_id = ? AND b.facility_id = ?"        \
      " AND (? = '' OR a.kind = ?) LIMIT 1")                                             \
    X(RES_USE_INSERT,                                                                    \
      "INSERT INTO result_usage (result_id, resident_id, item_id, facility_id, use_date," \
      " created_at) VALUES (?, ?, ?, ?, ?, ?)"                                           \
      " ON CONFLICT (result_id, facility_id, use_date) DO NOTHING RETURNING id")         \
    X(RES_USE_BY_KEY,                                                                    \
      "SELECT id FROM result_usage WHERE result_id = ? AND facility_id = ?"              \
      " AND use_date = ?")                                                               \
    X(RES_STATS_TOTAL,                                                                   \
      "SELECT COUNT(*), COUNT(DISTINCT u.result_id) FROM result_usage u" RES_SQL_USES_IN) \
    X(RES_STATS_BY_FACILITY,                                                             \
      "SELECT f.code, f.name, COUNT(*), COUNT(DISTINCT u.result_id) FROM result_usage u" \
      " JOIN facility f ON f.id = u.facility_id" RES_SQL_USES_IN                         \
      " GROUP BY f.code, f.name ORDER BY f.code")                                        \
    X(RES_STATS_BY_ITEM,                                                                 \
      "SELECT i.code, i.name_zh, COUNT(*), COUNT(DISTINCT u.result_id)"                  \
      " FROM result_usage u JOIN result_item i ON i.id = u.item_id" RES_SQL_USES_IN      \
      " GROUP BY i.code, i.name_zh ORDER BY i.code")

#endif
