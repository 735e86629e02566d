/*
 * sql_records.h - schema and statements of the health records: residents, their
 * key-population tags and their residence history.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Dates are
 * TEXT "YYYY-MM-DD". A resident's current (or, after leaving, last) residence is the row
 * itself: resident.ou_id since resident.residence_from (set by every write and by migration
 * 6; readers still fall back to record_date). `residence` keeps only
 * the periods that ended with a move, so indicators of a past period count a resident where
 * they lived then, and a new record costs one row, not two.
 */
#ifndef YL_STORE_SQL_RECORDS_H
#define YL_STORE_SQL_RECORDS_H

/* Migration 3 as released (never edited): it kept the current residence as an open
 * `residence` row too; migration 6 folds that row into resident.residence_from. */
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
    "  status TEXT NOT NULL DEFAULT 'active'"                                            \
    "    CHECK (status IN ('active', 'moved_out', 'deceased')),"                         \
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
    "CREATE INDEX residence_resident ON residence (resident_id);"                        \
    "CREATE UNIQUE INDEX residence_open ON residence (resident_id) WHERE to_date IS NULL;"

/* Migration 6: the current residence moves into the resident row. The open row's start, or
 * for a resident who has left, the start of the last row (closed on the day they left, in
 * their last village), becomes residence_from; those rows go. */
#define STORE_SCHEMA_RECORDS_RESIDENCE                                                   \
    "ALTER TABLE resident ADD COLUMN residence_from TEXT;"                               \
    "UPDATE resident SET residence_from = (SELECT s.from_date FROM residence s"          \
    "  WHERE s.resident_id = resident.id AND s.to_date IS NULL);"                        \
    "DELETE FROM residence WHERE to_date IS NULL;"                                       \
    "UPDATE resident SET residence_from = (SELECT s.from_date FROM residence s"          \
    "  WHERE s.resident_id = resident.id AND s.to_date = resident.status_date"           \
    "  AND s.ou_id = resident.ou_id ORDER BY s.from_date DESC LIMIT 1)"                  \
    "  WHERE residence_from IS NULL AND status <> 'active';"                             \
    "DELETE FROM residence WHERE id IN (SELECT s.id FROM residence s"                    \
    "  JOIN resident r ON r.id = s.resident_id WHERE r.status <> 'active'"               \
    "  AND s.to_date = r.status_date AND s.ou_id = r.ou_id"                              \
    "  AND s.from_date = r.residence_from);"                                             \
    "UPDATE resident SET residence_from = record_date WHERE residence_from IS NULL;"     \
    "DROP INDEX residence_open;"

/* The search indexes of residents (name, phone, household, org unit). A bulk import drops
 * them and builds them again after its last row: one sort per index beats millions of
 * inserts at random keys. store_migrate builds any that is missing, so an import that died
 * midway heals at the next start. The unique ID-number index always stays: it refuses a
 * duplicate row by row. */
#define REC_SEARCH_INDEXES(X)                                                            \
    X(resident_ou, "resident (ou_id)")                                                   \
    X(resident_name, "resident (name)")                                                  \
    X(resident_phone, "resident (phone)")                                                \
    X(resident_household, "resident (household)")
#define REC_INDEX_CREATE(name, on) "CREATE INDEX IF NOT EXISTS " #name " ON " on ";"
#define REC_INDEX_DROP(name, on) "DROP INDEX IF EXISTS " #name ";"
#define STORE_SCRIPT_REC_SEARCH_CREATE REC_SEARCH_INDEXES(REC_INDEX_CREATE)
#define STORE_SCRIPT_REC_SEARCH_DROP REC_SEARCH_INDEXES(REC_INDEX_DROP)

/* Columns of a resident as records.c reads them (REC_GET, REC_GET_BY_NUMBER). */
#define REC_SQL_COLUMNS                                                                  \
    "SELECT r.id, r.id_number, r.name, r.sex, r.birth_date, r.ou_id, o.code, r.household," \
    " r.phone, r.address, r.record_date, r.status, r.status_date, r.death_cause,"        \
    " r.maternal_death, r.updated_at, COALESCE(r.residence_from, r.record_date)"         \
    " FROM resident r JOIN ou o ON o.id = r.ou_id"

/*
 * Search: one statement per driving access path (so the planner always has an index to
 * start from), all sharing the same filters and scope clause. Parameters of the shared part,
 * in order after the driver's own:
 *   1 after-id · 2,3 id_number · 4,5,6 name prefix lo/hi · 7,8 phone · 9,10 household ·
 *   11,12,13 org unit subtree lo/hi · 14,15,16,17 tag, today, today ·
 *   18,19,20,21 contract (0 any, 1 signed, 2 unsigned), today, today ·
 *   22..29 scope (0 all, 0 / 1, subtree lo/hi, 2, team id, today, today) · 30 limit.
 */
#define REC_SQL_SEARCH_COLUMNS                                                           \
    "SELECT r.id, r.id_number, r.name, r.sex, r.birth_date, r.ou_id, o.code, r.household," \
    " r.phone, r.status, r.status_date FROM resident r JOIN ou o ON o.id = r.ou_id WHERE "
#define REC_SQL_SEARCH_FILTERS                                                           \
    " AND r.id > ?"                                                                      \
    " AND (? = '' OR r.id_number = ?)"                                                   \
    " AND (? = '' OR (r.name >= ? AND r.name < ?))"                                      \
    " AND (? = '' OR r.phone = ?)"                                                       \
    " AND (? = '' OR r.household = ?)"                                                   \
    " AND (? = '' OR (o.code >= ? AND o.code < ?))"                                      \
    " AND (? = '' OR EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = r.id"    \
    "   AND t.tag = ? AND t.from_date <= ? AND (t.to_date IS NULL OR t.to_date >= ?)))"  \
    " AND (? = 0 OR (? = 1) = EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id" \
    "   AND c.status = 'active' AND c.from_date <= ? AND c.to_date >= ?))"               \
    " AND (? = 0 OR (? = 1 AND o.code >= ? AND o.code < ?)"                              \
    "   OR (? = 2 AND EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id"       \
    "   AND c.team_id = ? AND c.status = 'active' AND c.from_date <= ?"                  \
    "   AND c.to_date >= ?)))"                                                           \
    " ORDER BY r.id LIMIT ?"

#define STORE_SQL_RECORDS(X)                                                             \
    X(REC_OU_BY_CODE,                                                                    \
      "SELECT id, level FROM ou WHERE code = ?")                                         \
    X(REC_OU_ALL,                                                                        \
      "SELECT id, code, level FROM ou")                                                  \
    X(REC_INSERT,                                                                        \
      "INSERT INTO resident (id_number, name, sex, birth_date, ou_id, household, phone," \
      " address, record_date, status, status_date, death_cause, maternal_death,"         \
      " updated_at, residence_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?9)" \
      " ON CONFLICT (id_number) DO NOTHING RETURNING id")                                 \
    X(REC_MAX_ID,                                                                        \
      "SELECT COALESCE(MAX(id), 0) FROM resident")                                       \
    X(REC_ID_BY_NUMBER,                                                                  \
      "SELECT id FROM resident WHERE id_number = ?")                                     \
    X(REC_BIRTH,                                                                         \
      "SELECT birth_date FROM resident WHERE id = ?")                                    \
    X(REC_EXISTS,                                                                        \
      "SELECT 1 FROM resident WHERE id = ?")                                             \
    X(REC_GET, REC_SQL_COLUMNS " WHERE r.id = ?")                                        \
    X(REC_GET_BY_NUMBER, REC_SQL_COLUMNS " WHERE r.id_number = ?")                       \
    X(REC_UPDATE_DETAILS,                                                                \
      "UPDATE resident SET name = ?, household = ?, phone = ?, address = ?,"             \
      " updated_at = ? WHERE id = ?")                                                    \
    X(REC_SET_OU,                                                                        \
      "UPDATE resident SET ou_id = ?, residence_from = ?, updated_at = ? WHERE id = ?")   \
    X(REC_SET_STATUS,                                                                    \
      "UPDATE resident SET status = ?, status_date = ?, death_cause = ?,"                \
      " maternal_death = ?, updated_at = ? WHERE id = ?")                                \
    X(REC_TOUCH,                                                                         \
      "UPDATE resident SET updated_at = ? WHERE id = ?")                                 \
    X(REC_SCOPE_OU,                                                                      \
      "SELECT o.code FROM resident r JOIN ou o ON o.id = r.ou_id WHERE r.id = ?")        \
    X(REC_SCOPE_TEAM,                                                                    \
      "SELECT 1 FROM contract WHERE resident_id = ? AND team_id = ? AND status = 'active'" \
      " AND from_date <= ? AND to_date >= ?")                                            \
    X(REC_CONTRACT_CURRENT,                                                              \
      "SELECT c.id, t.id, t.code, t.name, c.package, c.from_date, c.to_date"             \
      " FROM contract c JOIN team t ON t.id = c.team_id"                                 \
      " WHERE c.resident_id = ? AND c.status = 'active'"                                 \
      " ORDER BY c.from_date DESC, c.id DESC LIMIT 1")                                   \
    X(RESIDENCE_INSERT,                                                                  \
      "INSERT INTO residence (resident_id, ou_id, from_date, to_date) VALUES (?, ?, ?, ?)") \
    X(RESIDENCE_LIST,                                                                    \
      "SELECT s.ou_id, o.code, s.from_date, s.to_date FROM residence s"                  \
      " JOIN ou o ON o.id = s.ou_id WHERE s.resident_id = ? ORDER BY s.from_date, s.id") \
    X(TAG_INSERT,                                                                        \
      "INSERT INTO resident_tag (resident_id, tag, from_date, to_date, expected_delivery)" \
      " VALUES (?, ?, ?, ?, ?) RETURNING id")                                            \
    X(TAG_LIST,                                                                          \
      "SELECT id, tag, from_date, to_date, expected_delivery FROM resident_tag"          \
      " WHERE resident_id = ? ORDER BY from_date, id")                                   \
    X(TAG_SET,                                                                           \
      "UPDATE resident_tag SET to_date = ?, expected_delivery = ? WHERE id = ?")         \
    X(REC_SEARCH_ALL, REC_SQL_SEARCH_COLUMNS "1 = 1" REC_SQL_SEARCH_FILTERS)             \
    X(REC_SEARCH_BY_NUMBER, REC_SQL_SEARCH_COLUMNS "r.id_number = ?" REC_SQL_SEARCH_FILTERS) \
    X(REC_SEARCH_BY_PHONE, REC_SQL_SEARCH_COLUMNS "r.phone = ?" REC_SQL_SEARCH_FILTERS)  \
    X(REC_SEARCH_BY_HOUSEHOLD,                                                           \
      REC_SQL_SEARCH_COLUMNS "r.household = ?" REC_SQL_SEARCH_FILTERS)                   \
    X(REC_SEARCH_BY_NAME,                                                                \
      REC_SQL_SEARCH_COLUMNS "r.name >= ? AND r.name < ?" REC_SQL_SEARCH_FILTERS)        \
    X(REC_SEARCH_BY_OU,                                                                  \
      REC_SQL_SEARCH_COLUMNS "r.ou_id IN (SELECT id FROM ou WHERE code >= ? AND code < ?)" \
      REC_SQL_SEARCH_FILTERS)                                                            \
    X(REC_SEARCH_BY_TAG,                                                                 \
      REC_SQL_SEARCH_COLUMNS "r.id IN (SELECT resident_id FROM resident_tag WHERE tag = ?" \
      " AND from_date <= ? AND (to_date IS NULL OR to_date >= ?))" REC_SQL_SEARCH_FILTERS) \
    X(REC_SEARCH_BY_TEAM,                                                                \
      REC_SQL_SEARCH_COLUMNS "r.id IN (SELECT resident_id FROM contract WHERE team_id = ?" \
      " AND status = 'active' AND from_date <= ? AND to_date >= ?)" REC_SQL_SEARCH_FILTERS)

#endif
