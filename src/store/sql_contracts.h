/*
 * sql_contracts.h - schema and statements of family-doctor teams and contracts.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. A
 * contract's status is active, expired (its period passed), renewed (followed by a new one)
 * or terminated (ended early, with a date and reason); the partial unique index makes "at
 * most one active contract per resident" a rule of the database itself. A stored 'active'
 * whose to_date has passed reads as expired (the CASE in the list statements) until a write
 * for that resident stores it so. renews_id links a renewal to the contract it follows.
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
    "  renews_id INTEGER REFERENCES contract (id),"                                      \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE UNIQUE INDEX contract_one_active ON contract (resident_id)"                  \
    "  WHERE status = 'active';"                                                         \
    "CREATE INDEX contract_resident ON contract (resident_id);"                          \
    "CREATE INDEX contract_team ON contract (team_id, status);"                          \
    "CREATE INDEX contract_renews ON contract (renews_id) WHERE renews_id IS NOT NULL;"

/* Columns every contract read returns, in this order (contracts.c reads them by index). */
#define SQL_CONTRACT_SELECT                                                              \
    "SELECT c.id, COALESCE(c.external_id, ''), c.resident_id, c.team_id, t.code,"        \
    " c.package, c.from_date, c.to_date, c.status, COALESCE(c.ended_date, ''),"          \
    " c.end_reason, COALESCE(c.renews_id, 0), c.updated_at, o.code"                      \
    " FROM contract c JOIN team t ON t.id = c.team_id"                                   \
    " JOIN resident r ON r.id = c.resident_id JOIN ou o ON o.id = r.ou_id"

/* The filters of a contract list after its access path: after id, scope team (0: any),
 * scope org unit prefix ('': any), package, status as of today ('' any), limit. */
#define SQL_CONTRACT_FILTERS                                                             \
    " AND c.id > ? AND (? = 0 OR c.team_id = ?)"                                         \
    " AND (? = '' OR substr(o.code, 1, length(?)) = ?)"                                  \
    " AND (? = '' OR c.package = ?)"                                                     \
    " AND (? = '' OR (CASE WHEN c.status = 'active' AND c.to_date < ? THEN 'expired'"    \
    " ELSE c.status END) = ?)"                                                           \
    " ORDER BY c.id LIMIT ?"

#define SQL_TEAM_SELECT                                                                  \
    "SELECT t.id, t.code, t.name, t.facility_id, f.code, COALESCE(t.leader_staff_id, 0),"\
    " COALESCE(l.code, ''), t.capacity, t.status, t.updated_at"                          \
    " FROM team t JOIN facility f ON f.id = t.facility_id"                               \
    " LEFT JOIN staff l ON l.id = t.leader_staff_id"

#define STORE_SQL_CONTRACTS(X)                                                           \
    X(TEAM_BY_CODE, SQL_TEAM_SELECT " WHERE t.code = ?")                                 \
    X(TEAM_BY_ID, SQL_TEAM_SELECT " WHERE t.id = ?")                                     \
    X(TEAM_INSERT,                                                                       \
      "INSERT INTO team (code, name, facility_id, leader_staff_id, capacity, status,"    \
      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")                          \
    X(TEAM_UPDATE,                                                                       \
      "UPDATE team SET name = ?, facility_id = ?, leader_staff_id = ?, capacity = ?,"    \
      " status = ?, updated_at = ? WHERE id = ?")                                        \
    X(TEAM_MEMBER_IDS,                                                                   \
      "SELECT staff_id FROM team_member WHERE team_id = ? ORDER BY staff_id")            \
    X(TEAM_MEMBERS,                                                                      \
      "SELECT s.id, s.code, s.name, s.role, f.code FROM team_member m"                   \
      " JOIN staff s ON s.id = m.staff_id JOIN facility f ON f.id = s.facility_id"       \
      " WHERE m.team_id = ? ORDER BY s.code")                                            \
    X(TEAM_MEMBERS_CLEAR, "DELETE FROM team_member WHERE team_id = ?")                   \
    X(TEAM_MEMBER_ADD, "INSERT INTO team_member (team_id, staff_id) VALUES (?, ?)")      \
    X(TEAM_ACTIVE_COUNT,                                                                 \
      "SELECT COUNT(*) FROM contract WHERE team_id = ? AND status = 'active'"            \
      " AND to_date >= ?")                                                               \
    X(TEAM_LIST,                                                                         \
      "SELECT t.id, t.code, t.name, f.code, COALESCE(l.code, ''), t.capacity, t.status," \
      " t.updated_at,"                                                                   \
      " (SELECT COUNT(*) FROM contract c WHERE c.team_id = t.id"                         \
      "  AND c.status = 'active' AND c.to_date >= ?),"                                   \
      " (SELECT COUNT(*) FROM team_member m WHERE m.team_id = t.id)"                     \
      " FROM team t JOIN facility f ON f.id = t.facility_id JOIN ou o ON o.id = f.ou_id" \
      " LEFT JOIN staff l ON l.id = t.leader_staff_id"                                   \
      " WHERE t.id > ? AND (? = '' OR f.code = ?)"                                       \
      " AND (? = '' OR substr(o.code, 1, length(?)) = ?) AND (? = '' OR t.status = ?)"   \
      " ORDER BY t.id LIMIT ?")                                                          \
    X(TEAM_STATUS_BY_CODE, "SELECT id, status FROM team WHERE code = ?")                 \
    X(TEAM_FACILITY_BY_CODE, "SELECT id, status FROM facility WHERE code = ?")           \
    X(TEAM_STAFF_BY_CODE, "SELECT id, status FROM staff WHERE code = ?")                 \
    X(TEAM_RESIDENTS,                                                                    \
      "SELECT c.id, r.id, r.id_number, r.name, r.sex, r.birth_date, o.code, c.package,"  \
      " c.from_date, c.to_date"                                                          \
      " FROM contract c JOIN resident r ON r.id = c.resident_id"                         \
      " JOIN ou o ON o.id = r.ou_id"                                                     \
      " WHERE c.team_id = ? AND c.status = 'active' AND c.to_date >= ? AND c.id > ?"     \
      " AND (? = '' OR substr(o.code, 1, length(?)) = ?) ORDER BY c.id LIMIT ?")         \
    X(CONTRACT_BY_ID, SQL_CONTRACT_SELECT " WHERE c.id = ?")                             \
    X(CONTRACT_LIST, SQL_CONTRACT_SELECT " WHERE 1 = 1" SQL_CONTRACT_FILTERS)            \
    X(CONTRACT_LIST_TEAM, SQL_CONTRACT_SELECT " WHERE c.team_id = ?" SQL_CONTRACT_FILTERS) \
    X(CONTRACT_LIST_RESIDENT,                                                            \
      SQL_CONTRACT_SELECT " WHERE c.resident_id = ?" SQL_CONTRACT_FILTERS)               \
    X(CONTRACT_BY_EXTERNAL,                                                              \
      "SELECT id, resident_id, team_id, package, from_date, to_date, status,"            \
      " COALESCE(ended_date, ''), end_reason FROM contract WHERE external_id = ?")       \
    X(CONTRACT_ACTIVE_OF_RESIDENT,                                                       \
      "SELECT id, to_date FROM contract WHERE resident_id = ? AND status = 'active'")    \
    X(CONTRACT_INSERT,                                                                   \
      "INSERT INTO contract (external_id, resident_id, team_id, package, from_date,"     \
      " to_date, status, ended_date, end_reason, renews_id, updated_at)"                 \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")                          \
    X(CONTRACT_INSERT_BULK,                                                              \
      "INSERT INTO contract (external_id, resident_id, team_id, package, from_date,"     \
      " to_date, status, ended_date, end_reason, renews_id, updated_at)"                 \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")                                        \
    X(CONTRACT_UPDATE,                                                                   \
      "UPDATE contract SET resident_id = ?, team_id = ?, package = ?, from_date = ?,"    \
      " to_date = ?, status = ?, ended_date = ?, end_reason = ?, updated_at = ?"         \
      " WHERE id = ?")                                                                   \
    X(CONTRACT_SET_STATUS,                                                               \
      "UPDATE contract SET status = ?, ended_date = ?, end_reason = ?, updated_at = ?"   \
      " WHERE id = ?")                                                                   \
    X(CONTRACT_RESIDENT_BY_ID,                                                           \
      "SELECT r.id, o.code, r.status FROM resident r JOIN ou o ON o.id = r.ou_id"        \
      " WHERE r.id = ?")                                                                 \
    X(CONTRACT_RESIDENT_BY_IDNO,                                                         \
      "SELECT id, status FROM resident WHERE id_number = ?")

#endif
