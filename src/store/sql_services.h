/*
 * sql_services.h - schema and statements of the service records (issue 4): one row per
 * public health service a resident received.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Dates are
 * TEXT "YYYY-MM-DD"; the item is its protocol code (data/protocols.csv), not an index, so a
 * region may reorder or extend its protocol files without touching stored events.
 * Measurements are one normalised TEXT column, "code=value" pairs separated by single spaces
 * in protocol order (services/events.h says why and how); outcome is the SVC_OUT_* bits the
 * protocol's rules gave when the event was recorded. external_id is the idempotency key of
 * imports and API clients (generated when a client gives none).
 */
#ifndef YL_STORE_SQL_SERVICES_H
#define YL_STORE_SQL_SERVICES_H

/* Migration 7. The (resident_id, service_date, id) index serves a resident's history by day
 * and the population index's load, which streams every event in resident order; the UNIQUE
 * constraint is the external id's index. */
#define STORE_SCHEMA_SERVICES                                                            \
    "CREATE TABLE service_event ("                                                       \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT NOT NULL UNIQUE,"                                                \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  item TEXT NOT NULL,"                                                              \
    "  service_date TEXT NOT NULL,"                                                      \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  staff_id INTEGER REFERENCES staff (id),"                                          \
    "  outcome INTEGER NOT NULL DEFAULT 0 CHECK (outcome BETWEEN 0 AND 255),"            \
    "  measurements TEXT NOT NULL DEFAULT '',"                                           \
    "  recorded_at TEXT NOT NULL"                                                        \
    ");"                                                                                 \
    "CREATE INDEX service_event_resident ON service_event (resident_id, service_date, id);"

/* Columns of an event as events.c reads it (SVC_EVENT_BY_EXTERNAL, SVC_EVENT_LIST). */
#define SVC_SQL_EVENT_COLUMNS                                                            \
    "SELECT e.id, e.external_id, e.resident_id, e.item, e.service_date, e.facility_id,"  \
    " f.code, COALESCE(e.staff_id, 0), COALESCE(s.code, ''), e.outcome, e.measurements," \
    " e.recorded_at FROM service_event e JOIN facility f ON f.id = e.facility_id"        \
    " LEFT JOIN staff s ON s.id = e.staff_id"

#define STORE_SQL_SERVICES(X)                                                            \
    X(SVC_FACILITY_BY_CODE,                                                              \
      "SELECT id FROM facility WHERE code = ?")                                          \
    X(SVC_STAFF_AT_FACILITY,                                                             \
      "SELECT s.id, s.facility_id = ? OR EXISTS (SELECT 1 FROM team_member m"            \
      " JOIN team t ON t.id = m.team_id WHERE m.staff_id = s.id AND t.facility_id = ?)"  \
      " FROM staff s WHERE s.code = ?")                                                  \
    X(SVC_EVENT_BY_EXTERNAL, SVC_SQL_EVENT_COLUMNS " WHERE e.external_id = ?")           \
    X(SVC_EVENT_INSERT,                                                                  \
      "INSERT INTO service_event (external_id, resident_id, item, service_date,"         \
      " facility_id, staff_id, outcome, measurements, recorded_at)"                      \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")                                \
    X(SVC_EVENT_LIST,                                                                    \
      SVC_SQL_EVENT_COLUMNS " WHERE e.resident_id = ? AND e.id > ? ORDER BY e.id LIMIT ?") \
    X(PIDX_SERVICE_ALL,                                                                  \
      "SELECT resident_id, item, service_date, outcome FROM service_event"               \
      " ORDER BY resident_id, service_date, id")                                         \
    X(PIDX_SERVICE_ONE,                                                                  \
      "SELECT resident_id, item, service_date, outcome FROM service_event"               \
      " WHERE resident_id = ? ORDER BY service_date, id")                                \
    X(SVC_WL_TEAM_BY_CODE, "SELECT id, code FROM team WHERE code = ?")                   \
    X(SVC_WL_TEAM_BY_ID, "SELECT id, code FROM team WHERE id = ?")                       \
    X(SVC_WL_FACILITY,                                                                   \
      "SELECT f.id, f.type, o.code FROM facility f JOIN ou o ON o.id = f.ou_id"          \
      " WHERE f.code = ?")                                                               \
    X(SVC_WL_CONTACT, "SELECT name, phone FROM resident WHERE id = ?")                   \
    /* Points: events per staff member and item in [from, to], with the staff member's   \
     * facility and its org unit; points are summed in C from the protocol. */           \
    X(SVC_POINTS_MONTH,                                                                  \
      "SELECT s.id, s.code, s.name, s.role, f.code, f.name, o.code, e.item, COUNT(*),"   \
      " f.type FROM service_event e JOIN staff s ON s.id = e.staff_id"                   \
      " JOIN facility f ON f.id = s.facility_id JOIN ou o ON o.id = f.ou_id"             \
      " WHERE e.service_date >= ? AND e.service_date <= ?"                               \
      " GROUP BY s.id, s.code, s.name, s.role, f.code, f.name, o.code, e.item, f.type"   \
      " ORDER BY s.id")

#endif
