/*
 * sql_consortium.h - statements of the medical-consortium indicators (issue 5): visits and
 * discharges by facility type, and two-way referral figures per medical group, for an org
 * unit's subtree and a period. Reads only: the tables are encounters' and referral's.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. A subtree
 * is the org unit code range [code, code:) (sql_registry.h), taken at the facility's unit
 * (for a referral: the sending facility's). Dates compare as text: visit and discharge dates
 * are "YYYY-MM-DD" (bounds inclusive), referral times RFC 3339 UTC, so "requested in the
 * period" is requested_at >= first day and < the day after the last.
 */
#ifndef YL_STORE_SQL_CONSORTIUM_H
#define YL_STORE_SQL_CONSORTIUM_H

/* The facilities of a subtree: binds 1, 2 (code range). */
#define CONS_SQL_SUBTREE                                                                 \
    " JOIN ou o ON o.id = f.ou_id WHERE o.code >= ? AND o.code < ?"

/* Referral counts after a leading key column: referrals (kind 'referral'), up, down, ever
 * accepted, rejected, critical, critical accepted by their due time (fixed at request from
 * the urgency's limit); then the remote requests: consultations, imaging readings, and
 * those of the two completed with their report. */
#define CONS_SQL_REF_COUNTS                                                              \
    " COALESCE(SUM(r.kind = 'referral'), 0),"                                            \
    " COALESCE(SUM(r.kind = 'referral' AND r.direction = 'up'), 0),"                     \
    " COALESCE(SUM(r.kind = 'referral' AND r.direction = 'down'), 0),"                   \
    " COALESCE(SUM(r.kind = 'referral' AND r.accepted_at IS NOT NULL), 0),"              \
    " COALESCE(SUM(r.kind = 'referral' AND r.rejected_at IS NOT NULL), 0),"              \
    " COALESCE(SUM(r.kind = 'referral' AND r.urgency = 'critical'), 0),"                 \
    " COALESCE(SUM(r.kind = 'referral' AND r.urgency = 'critical'"                       \
    "   AND r.accepted_at IS NOT NULL AND r.accepted_at <= r.due_at), 0),"               \
    " COALESCE(SUM(r.kind = 'consultation'), 0),"                                        \
    " COALESCE(SUM(r.kind = 'imaging'), 0),"                                             \
    " COALESCE(SUM(r.kind <> 'referral' AND r.status = 'completed'), 0)"

/* Referrals sent from the subtree in the period (binds 1-4), optionally by sender's group. */
#define CONS_SQL_REF_FROM " FROM referral r JOIN facility f ON f.id = r.from_facility_id"
#define CONS_SQL_REF_GROUP                                                               \
    " JOIN medical_group_member m ON m.facility_id = r.from_facility_id"                 \
    " JOIN medical_group g ON g.id = m.group_id"
#define CONS_SQL_REF_IN CONS_SQL_SUBTREE " AND r.requested_at >= ? AND r.requested_at < ?"

#define STORE_SQL_CONSORTIUM(X)                                                          \
    X(CONS_OU, "SELECT code, name, level FROM ou WHERE code = ?")                        \
    X(CONS_FACILITY_OU, "SELECT o.code FROM facility f JOIN ou o ON o.id = f.ou_id"      \
      " WHERE f.code = ?")                                                               \
    X(CONS_TEAM_OU, "SELECT o.code FROM team t JOIN facility f ON f.id = t.facility_id"  \
      " JOIN ou o ON o.id = f.ou_id WHERE t.id = ?")                                     \
    X(CONS_VISITS_BY_TYPE,                                                               \
      "SELECT f.type, COUNT(DISTINCT e.registration_id) FROM encounter e"                \
      " JOIN facility f ON f.id = e.facility_id" CONS_SQL_SUBTREE                        \
      " AND e.visit_date >= ? AND e.visit_date <= ?"                                     \
      " AND e.type IN ('outpatient', 'emergency') GROUP BY f.type")                      \
    X(CONS_DISCHARGES_BY_TYPE,                                                           \
      "SELECT f.type, COUNT(*) FROM encounter e"                                         \
      " JOIN facility f ON f.id = e.facility_id" CONS_SQL_SUBTREE                        \
      " AND e.type = 'inpatient' AND e.discharge_date >= ? AND e.discharge_date <= ?"    \
      " GROUP BY f.type")                                                                \
    X(CONS_GROUPS,                                                                       \
      "SELECT g.code, g.name, g.kind FROM medical_group g WHERE EXISTS (SELECT 1"        \
      " FROM medical_group_member m JOIN facility f ON f.id = m.facility_id"             \
      CONS_SQL_SUBTREE " AND m.group_id = g.id) ORDER BY g.code")                        \
    X(CONS_REF_TOTAL,                                                                    \
      "SELECT ''," CONS_SQL_REF_COUNTS CONS_SQL_REF_FROM CONS_SQL_REF_IN)                \
    X(CONS_REF_BY_GROUP,                                                                 \
      "SELECT g.code," CONS_SQL_REF_COUNTS CONS_SQL_REF_FROM CONS_SQL_REF_GROUP          \
      CONS_SQL_REF_IN " GROUP BY g.code ORDER BY g.code")                                \
    X(CONS_REF_ACCEPTS_TOTAL,                                                            \
      "SELECT '', r.requested_at, r.accepted_at" CONS_SQL_REF_FROM CONS_SQL_REF_IN       \
      " AND r.accepted_at IS NOT NULL AND r.kind = 'referral'")                                                  \
    X(CONS_REF_ACCEPTS_BY_GROUP,                                                         \
      "SELECT g.code, r.requested_at, r.accepted_at" CONS_SQL_REF_FROM                   \
      CONS_SQL_REF_GROUP CONS_SQL_REF_IN " AND r.accepted_at IS NOT NULL"                \
      " AND r.kind = 'referral' ORDER BY g.code")

#endif
