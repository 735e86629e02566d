/*
 * sql_referral.h - schema and statements of two-way referral (双向转诊, issue 5): a resident
 * sent up from a grassroots facility to a hospital, or down from a hospital back to their
 * family-doctor team, and the state each referral is in.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Times are
 * UTC RFC 3339 text to the second ("2024-05-01T08:00:00Z"): fixed width, so text order is
 * time order and "overdue" is one comparison. due_at is fixed when the referral is made
 * (requested_at plus the limit of its urgency, referral/referral.c), so a later change of the
 * limits does not move the promise made to a waiting patient. Each transition is one UPDATE
 * guarded by the status it leaves (`AND status = ?`): the machine holds on any backend, and
 * a transition that lost a race changes no row.
 */
#ifndef YL_STORE_SQL_REFERRAL_H
#define YL_STORE_SQL_REFERRAL_H

/* Migration 10. The CHECKs restate the library's rules for any other writer: a down-referral
 * and only it names a team, a rejection carries its reason. */
#define STORE_SCHEMA_REFERRAL                                                            \
    "CREATE TABLE referral ("                                                            \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  external_id TEXT NOT NULL UNIQUE,"                                                \
    "  direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),"                     \
    "  resident_id INTEGER NOT NULL REFERENCES resident (id),"                           \
    "  from_facility_id INTEGER NOT NULL REFERENCES facility (id),"                      \
    "  to_facility_id INTEGER NOT NULL REFERENCES facility (id),"                        \
    "  to_team_id INTEGER REFERENCES team (id),"                                         \
    "  reason TEXT NOT NULL DEFAULT '',"                                                 \
    "  outside_reason TEXT NOT NULL DEFAULT '',"                                         \
    "  urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'critical')),"      \
    "  summary TEXT NOT NULL DEFAULT '',"                                                \
    "  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested',"          \
    "    'accepted', 'rejected', 'arrived', 'completed', 'cancelled')),"                 \
    "  reject_reason TEXT NOT NULL DEFAULT '',"                                          \
    "  requested_at TEXT NOT NULL,"                                                      \
    "  due_at TEXT NOT NULL,"                                                            \
    "  accepted_at TEXT,"                                                                \
    "  rejected_at TEXT,"                                                                \
    "  arrived_at TEXT,"                                                                 \
    "  completed_at TEXT,"                                                               \
    "  cancelled_at TEXT,"                                                               \
    "  created_by INTEGER REFERENCES app_user (id),"                                     \
    "  CHECK ((direction = 'down') = (to_team_id IS NOT NULL)),"                         \
    "  CHECK (status <> 'rejected' OR reject_reason <> '')"                              \
    ");"                                                                                 \
    "CREATE INDEX referral_inbox_facility ON referral (to_facility_id, status, id);"     \
    "CREATE INDEX referral_inbox_team ON referral (to_team_id, status, id)"              \
    "  WHERE to_team_id IS NOT NULL;"                                                    \
    "CREATE INDEX referral_outbox ON referral (from_facility_id, id);"                   \
    "CREATE INDEX referral_resident ON referral (resident_id);"

/* Columns of a referral as referral/ reads it (ref_from_row), in this order. */
#define REF_SQL_COLUMNS                                                                  \
    "SELECT r.id, r.external_id, r.direction, r.resident_id, p.name, p.id_number,"       \
    " ff.code, tf.code, COALESCE(t.code, ''), COALESCE(r.to_team_id, 0), r.reason,"      \
    " r.outside_reason, r.urgency, r.summary, r.status, r.reject_reason,"                \
    " r.requested_at, r.due_at, COALESCE(r.accepted_at, ''),"                            \
    " COALESCE(r.rejected_at, ''), COALESCE(r.arrived_at, ''),"                          \
    " COALESCE(r.completed_at, ''), COALESCE(r.cancelled_at, ''),"                       \
    " COALESCE(r.created_by, 0), COALESCE(u.username, ''), r.kind, r.report"             \
    " FROM referral r JOIN resident p ON p.id = r.resident_id"                           \
    " JOIN facility ff ON ff.id = r.from_facility_id"                                    \
    " JOIN facility tf ON tf.id = r.to_facility_id"                                      \
    " LEFT JOIN team t ON t.id = r.to_team_id"                                           \
    " LEFT JOIN app_user u ON u.id = r.created_by"

/* A box's page: the box's condition on its index, the statuses shown (all six for any
 * status, else the one asked six times), kind ('' any), author (0 any), after id, limit.
 * The page's ids come from the box's index alone, then the columns for those ids: a list of statuses rather than "(? =
 * '' OR r.status = ?)" lets SQLite walk each status's ids of the (box, status, id) index in
 * order and stop each walk once the page is full; the OR, with the joins around it, made it
 * read and sort the whole box, 100k referrals for a busy county hospital
 * (bench/referral_bench.c). */
#define REF_SQL_PAGE(box)                                                                \
    " WHERE r.id IN (SELECT id FROM referral WHERE " box                                 \
    " AND status IN (?, ?, ?, ?, ?, ?) AND (? = '' OR kind = ?)"                         \
    " AND (? = 0 OR created_by = ?) AND id > ? ORDER BY id LIMIT ?) ORDER BY r.id"

/* Migration 12: remote consultation (远程会诊) and remote imaging reading (远程影像诊断)
 * walk the referral's machine as other kinds of request, completed by the receiving
 * side's report; any request may carry the resident's results (检查检验结果) it rests on. */
#define STORE_SCHEMA_REFERRAL_REMOTE                                                     \
    "ALTER TABLE referral ADD COLUMN kind TEXT NOT NULL DEFAULT 'referral'"              \
    "  CHECK (kind IN ('referral', 'consultation', 'imaging'));"                         \
    "ALTER TABLE referral ADD COLUMN report TEXT NOT NULL DEFAULT '';"                   \
    "CREATE TABLE referral_result ("                                                     \
    "  referral_id INTEGER NOT NULL REFERENCES referral (id),"                           \
    "  result_id INTEGER NOT NULL REFERENCES result (id),"                               \
    "  PRIMARY KEY (referral_id, result_id)"                                             \
    ") WITHOUT ROWID;"                                                                   \
    STORE_SCHEMA_EXPERT_PROCEDURES

#define STORE_SQL_REFERRAL(X)                                                            \
    X(REF_FACILITY_BY_CODE, "SELECT id, type, status FROM facility WHERE code = ?")      \
    X(REF_SAME_GROUP,                                                                    \
      "SELECT 1 FROM medical_group_member a JOIN medical_group_member b"                 \
      " ON b.group_id = a.group_id WHERE a.facility_id = ? AND b.facility_id = ?"        \
      " LIMIT 1")                                                                        \
    X(REF_RESIDENT_EXISTS, "SELECT 1 FROM resident WHERE id = ?")                        \
    X(REF_RESIDENT_TEAM,                                                                 \
      "SELECT t.id, t.facility_id FROM contract c JOIN team t ON t.id = c.team_id"       \
      " WHERE c.resident_id = ? AND c.status = 'active' AND c.from_date <= ?"            \
      " AND c.to_date >= ? AND t.status = 'active' ORDER BY c.id DESC LIMIT 1")          \
    X(REF_TEAM_BY_CODE, "SELECT t.id, f.code FROM team t"                                \
      " JOIN facility f ON f.id = t.facility_id WHERE t.code = ?")                       \
    X(REF_TEAM_FACILITY, "SELECT f.code, o.code FROM team t"                             \
      " JOIN facility f ON f.id = t.facility_id JOIN ou o ON o.id = f.ou_id"             \
      " WHERE t.id = ?")                                                                 \
    X(REF_FACILITY_OU, "SELECT o.code FROM facility f JOIN ou o ON o.id = f.ou_id"       \
      " WHERE f.id = ?")                                                                 \
    X(REF_INSERT,                                                                        \
      "INSERT INTO referral (external_id, direction, resident_id, from_facility_id,"     \
      " to_facility_id, to_team_id, reason, outside_reason, urgency, summary,"           \
      " requested_at, due_at, created_by, kind)"                                         \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")                  \
    X(REF_RESULT_OF, "SELECT r.resident_id, i.kind FROM result r"                        \
      " JOIN result_item i ON i.id = r.item_id WHERE r.id = ?")                          \
    X(REF_RESULT_ATTACH,                                                                 \
      "INSERT INTO referral_result (referral_id, result_id) VALUES (?, ?)")              \
    X(REF_RESULTS,                                                                       \
      "SELECT r.id, i.code, i.name_zh, i.kind, r.result_date, r.value, COALESCE(r.unit, ''),"\
      " COALESCE(r.report, ''), f.code FROM referral_result x"                           \
      " JOIN result r ON r.id = x.result_id JOIN result_item i ON i.id = r.item_id"      \
      " JOIN facility f ON f.id = r.facility_id WHERE x.referral_id = ? ORDER BY r.id")  \
    X(REF_BY_ID, REF_SQL_COLUMNS " WHERE r.id = ?")                                      \
    X(REF_BY_EXTERNAL, REF_SQL_COLUMNS " WHERE r.external_id = ?")                       \
    X(REF_SET_ACCEPTED, "UPDATE referral SET status = 'accepted', accepted_at = ?"       \
      " WHERE id = ? AND status = ?")                                                    \
    X(REF_SET_REJECTED, "UPDATE referral SET status = 'rejected', rejected_at = ?,"      \
      " reject_reason = ? WHERE id = ? AND status = ?")                                  \
    X(REF_SET_ARRIVED, "UPDATE referral SET status = 'arrived', arrived_at = ?"          \
      " WHERE id = ? AND status = ?")                                                    \
    X(REF_SET_COMPLETED, "UPDATE referral SET status = 'completed', completed_at = ?,"   \
      " report = ? WHERE id = ? AND status = ?")                                         \
    X(REF_SET_CANCELLED, "UPDATE referral SET status = 'cancelled', cancelled_at = ?"    \
      " WHERE id = ? AND status = ?")                                                    \
    X(REF_INBOX_FACILITY, REF_SQL_COLUMNS REF_SQL_PAGE("to_facility_id = ?"))           \
    X(REF_INBOX_TEAM, REF_SQL_COLUMNS REF_SQL_PAGE("to_team_id = ?"))                   \
    X(REF_OUTBOX_FACILITY, REF_SQL_COLUMNS REF_SQL_PAGE("from_facility_id = ?"))

#endif
