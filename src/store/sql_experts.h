/*
 * sql_experts.h - schema and statements of expert clinics (名医工作室): the sessions a
 * specialist of a higher-level hospital holds at a grassroots facility, and the residents
 * booked into them.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. A booking
 * holds a place unless it is cancelled; the partial unique index makes "one live booking per
 * resident and session" a rule of the database, and EXPERT_BOOKING_INSERT inserts only while
 * the places taken are fewer than the capacity (see experts/sessions.c for why that holds
 * under concurrent bookings).
 */
#ifndef YL_STORE_SQL_EXPERTS_H
#define YL_STORE_SQL_EXPERTS_H

#define STORE_SCHEMA_EXPERTS                                                             \
    "CREATE TABLE expert_session ("                                                      \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT UNIQUE,"                                                         \
    "  expert_staff_id INTEGER NOT NULL REFERENCES staff (id),"                          \
    "  host_facility_id INTEGER NOT NULL REFERENCES facility (id),"                      \
    "  day TEXT NOT NULL,"                                                               \
    "  start_time TEXT NOT NULL,"                                                        \
    "  end_time TEXT NOT NULL CHECK (end_time > start_time),"                            \
    "  capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 500),"                    \
    "  status TEXT NOT NULL DEFAULT 'scheduled'"                                         \
    "    CHECK (status IN ('scheduled', 'cancelled', 'held')),"                          \
    "  created_at TEXT NOT NULL,"                                                        \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX expert_session_host ON expert_session (host_facility_id, day);"        \
    "CREATE INDEX expert_session_expert ON expert_session (expert_staff_id, day);"       \
    "CREATE INDEX expert_session_day ON expert_session (day);"                           \
    "CREATE TABLE booking ("                                                             \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  session_id INTEGER NOT NULL REFERENCES expert_session (id),"                      \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  booked_by INTEGER REFERENCES app_user (id),"                                      \
    "  status TEXT NOT NULL DEFAULT 'booked'"                                            \
    "    CHECK (status IN ('booked', 'cancelled', 'attended', 'no_show')),"              \
    "  created_at TEXT NOT NULL,"                                                        \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE UNIQUE INDEX booking_one_live ON booking (session_id, resident_id)"          \
    "  WHERE status <> 'cancelled';"                                                     \
    "CREATE INDEX booking_session ON booking (session_id, status);"                      \
    "CREATE INDEX booking_resident ON booking (resident_id);"

/* Part of migration 12 (sql_referral.h): the procedures (operations, invasive procedures) an
 * expert performed for an attended patient, which the county reports beside patients seen. */
#define STORE_SCHEMA_EXPERT_PROCEDURES                                                   \
    "ALTER TABLE booking ADD COLUMN procedures INTEGER NOT NULL DEFAULT 0"                \
    "  CHECK (procedures BETWEEN 0 AND 50);"

/* Columns every session read returns, in this order (experts/sessions.c reads them by
 * index): the places taken (live bookings) and the patients seen come along. */
#define SQL_EXPERT_SESSION_SELECT                                                        \
    "SELECT x.id, COALESCE(x.external_id, ''), s.code, s.name, ef.code, h.code, h.name," \
    " x.day, x.start_time, x.end_time, x.capacity, x.status, x.created_at,"              \
    " (SELECT COUNT(*) FROM booking b WHERE b.session_id = x.id"                         \
    "  AND b.status <> 'cancelled'),"                                                    \
    " (SELECT COUNT(*) FROM booking b WHERE b.session_id = x.id"                         \
    "  AND b.status = 'attended')"                                                       \
    " FROM expert_session x JOIN staff s ON s.id = x.expert_staff_id"                    \
    " JOIN facility ef ON ef.id = s.facility_id"                                         \
    " JOIN facility h ON h.id = x.host_facility_id"

/* Attended bookings per session, for the indicators. */
#define SQL_EXPERT_SEEN                                                                  \
    " LEFT JOIN (SELECT session_id, COUNT(*) AS n, SUM(procedures) AS p FROM booking"    \
    "  WHERE status = 'attended' GROUP BY session_id) a ON a.session_id = x.id"          \
    " WHERE x.status = 'held' AND x.day >= ? AND x.day <= ?"

#define STORE_SQL_EXPERTS(X)                                                             \
    X(EXPERT_STAFF_BY_CODE,                                                              \
      "SELECT s.id, s.status, f.type, f.status FROM staff s"                             \
      " JOIN facility f ON f.id = s.facility_id WHERE s.code = ?")                       \
    X(EXPERT_HOST_BY_CODE, "SELECT id, type, status FROM facility WHERE code = ?")       \
    X(EXPERT_SESSION_INSERT,                                                             \
      "INSERT INTO expert_session (external_id, expert_staff_id, host_facility_id, day," \
      " start_time, end_time, capacity, status, created_at, updated_at)"                 \
      " VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?) RETURNING id")                   \
    X(EXPERT_SESSION_BY_ID, SQL_EXPERT_SESSION_SELECT " WHERE x.id = ?")                 \
    X(EXPERT_SESSION_BY_EXTERNAL, "SELECT id FROM expert_session WHERE external_id = ?") \
    X(EXPERT_SESSION_LIST,                                                               \
      SQL_EXPERT_SESSION_SELECT " WHERE x.id > ? AND (? = '' OR h.code = ?)"             \
      " AND (? = '' OR s.code = ?) AND (? = '' OR x.day >= ?) AND (? = '' OR x.day <= ?)" \
      " ORDER BY x.id LIMIT ?")                                                          \
    X(EXPERT_SESSION_SET_STATUS,                                                         \
      "UPDATE expert_session SET status = ?, updated_at = ? WHERE id = ?")               \
    X(EXPERT_SESSION_CANCEL_BOOKINGS,                                                    \
      "UPDATE booking SET status = 'cancelled', updated_at = ?"                          \
      " WHERE session_id = ? AND status = 'booked'")                                     \
    X(EXPERT_BOOKING_LIVE,                                                               \
      "SELECT id FROM booking WHERE session_id = ? AND resident_id = ?"                  \
      " AND status <> 'cancelled'")                                                      \
    X(EXPERT_BOOKING_INSERT,                                                             \
      "INSERT INTO booking (session_id, resident_id, booked_by, status, created_at,"     \
      " updated_at) SELECT x.id, ?, ?, 'booked', ?, ? FROM expert_session x"             \
      " WHERE x.id = ? AND (SELECT COUNT(*) FROM booking b WHERE b.session_id = x.id"    \
      " AND b.status <> 'cancelled') < x.capacity RETURNING id")                         \
    X(EXPERT_BOOKING_BY_ID,                                                              \
      "SELECT b.id, b.session_id, b.resident_id, b.status, x.day, x.status, h.code"      \
      " FROM booking b JOIN expert_session x ON x.id = b.session_id"                     \
      " JOIN facility h ON h.id = x.host_facility_id WHERE b.id = ?")                    \
    X(EXPERT_BOOKING_SET_STATUS,                                                         \
      "UPDATE booking SET status = ?, updated_at = ? WHERE id = ?")                      \
    X(EXPERT_BOOKING_SET_PROCEDURES,                                                     \
      "UPDATE booking SET procedures = ? WHERE id = ?")                                  \
    X(EXPERT_BOOKING_LIST,                                                               \
      "SELECT b.id, b.resident_id, r.id_number, r.name, r.sex, r.birth_date, o.code,"    \
      " b.status, b.created_at, COALESCE(u.username, '')"                                \
      " FROM booking b JOIN resident r ON r.id = b.resident_id"                          \
      " JOIN ou o ON o.id = r.ou_id LEFT JOIN app_user u ON u.id = b.booked_by"          \
      " WHERE b.session_id = ? ORDER BY b.id")                                           \
    X(EXPERT_STATS_BY_EXPERT,                                                            \
      "SELECT s.code, s.name, ef.code, COUNT(*), COALESCE(SUM(a.n), 0),"                 \
      " COALESCE(SUM(a.p), 0)"                                                           \
      " FROM expert_session x JOIN staff s ON s.id = x.expert_staff_id"                  \
      " JOIN facility ef ON ef.id = s.facility_id" SQL_EXPERT_SEEN                       \
      " GROUP BY s.code, s.name, ef.code ORDER BY s.code")                               \
    X(EXPERT_STATS_BY_HOST,                                                              \
      "SELECT h.code, h.name, '', COUNT(*), COALESCE(SUM(a.n), 0), COALESCE(SUM(a.p), 0)" \
      " FROM expert_session x JOIN facility h ON h.id = x.host_facility_id"              \
      SQL_EXPERT_SEEN " GROUP BY h.code, h.name ORDER BY h.code")

#endif
