/*
 * sql_alerts.h - schema and statements of surveillance signals, alerts and their webhooks
 * (issue 6, alerts/alerts.h).
 *
 * Part of the statement catalogue (store_sql.h). Days are day numbers (core/date.h), times
 * UTC RFC 3339 text to the second. A signal is unique on (kind, code, ou, day, method), so
 * recording it again is `ON CONFLICT DO NOTHING`. Each transition of an alert is one
 * UPDATE guarded by the state it leaves (`AND state = ?`); a level only goes up
 * (`MAX(level, ?)`).
 */
#ifndef YL_STORE_SQL_ALERTS_H
#define YL_STORE_SQL_ALERTS_H

/* Migration 14. */
#define STORE_SCHEMA_ALERTS                                                              \
    "CREATE TABLE surv_signal ("                                                         \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  kind TEXT NOT NULL CHECK (kind IN ('disease', 'channel', 'cluster')),"            \
    "  code TEXT NOT NULL,"                                                              \
    "  ou TEXT NOT NULL,"                                                                \
    "  day INTEGER NOT NULL,"                                                            \
    "  method TEXT NOT NULL,"                                                            \
    "  count REAL, expected REAL, upper REAL, score REAL,"                               \
    "  place_kind TEXT NOT NULL DEFAULT '',"                                             \
    "  place TEXT NOT NULL DEFAULT '',"                                                  \
    "  members TEXT NOT NULL DEFAULT '',"                                                \
    "  recorded_at TEXT NOT NULL,"                                                       \
    "  UNIQUE (kind, code, ou, day, method, place)"                                      \
    ");"                                                                                 \
    "CREATE INDEX surv_signal_day ON surv_signal (day);"                                 \
    "CREATE TABLE surv_alert ("                                                          \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  rule TEXT NOT NULL,"                                                              \
    "  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),"                            \
    "  ou TEXT NOT NULL,"                                                                \
    "  code TEXT NOT NULL DEFAULT '',"                                                   \
    "  first_day INTEGER NOT NULL,"                                                      \
    "  last_day INTEGER NOT NULL,"                                                       \
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'verifying',"         \
    "    'confirmed', 'dismissed')),"                                                    \
    "  assignee_id INTEGER REFERENCES app_user (id),"                                    \
    "  raised_at TEXT NOT NULL,"                                                         \
    "  raised_s INTEGER NOT NULL,"                                                       \
    "  verifying_at TEXT,"                                                               \
    "  closed_at TEXT,"                                                                  \
    "  verify_s INTEGER,"                                                                \
    "  dismiss_reason TEXT NOT NULL DEFAULT '',"                                         \
    "  responders TEXT NOT NULL DEFAULT '',"                                             \
    "  actions TEXT NOT NULL DEFAULT '',"                                                \
    "  CHECK (state <> 'dismissed' OR dismiss_reason <> ''),"                            \
    "  CHECK (state <> 'confirmed' OR (responders <> '' AND actions <> ''))"             \
    ");"                                                                                 \
    "CREATE INDEX surv_alert_ou ON surv_alert (ou, code);"                               \
    "CREATE INDEX surv_alert_raised ON surv_alert (raised_s);"                           \
    "CREATE TABLE surv_alert_signal ("                                                   \
    "  alert_id INTEGER NOT NULL REFERENCES surv_alert (id),"                            \
    "  signal_id INTEGER NOT NULL REFERENCES surv_signal (id),"                          \
    "  PRIMARY KEY (alert_id, signal_id)"                                                \
    ");"                                                                                 \
    "CREATE INDEX surv_alert_signal_signal ON surv_alert_signal (signal_id);"            \
    "CREATE TABLE surv_alert_note ("                                                     \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  alert_id INTEGER NOT NULL REFERENCES surv_alert (id),"                            \
    "  at TEXT NOT NULL,"                                                                \
    "  user_id INTEGER,"                                                                 \
    "  username TEXT NOT NULL DEFAULT '',"                                               \
    "  text TEXT NOT NULL"                                                               \
    ");"                                                                                 \
    "CREATE INDEX surv_alert_note_alert ON surv_alert_note (alert_id);"                  \
    "CREATE TABLE surv_alert_history ("                                                  \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  alert_id INTEGER NOT NULL REFERENCES surv_alert (id),"                            \
    "  at TEXT NOT NULL,"                                                                \
    "  action TEXT NOT NULL,"                                                            \
    "  from_state TEXT NOT NULL DEFAULT '',"                                             \
    "  to_state TEXT NOT NULL DEFAULT '',"                                               \
    "  level INTEGER NOT NULL,"                                                          \
    "  user_id INTEGER,"                                                                 \
    "  username TEXT NOT NULL DEFAULT '',"                                               \
    "  detail TEXT NOT NULL DEFAULT ''"                                                  \
    ");"                                                                                 \
    "CREATE INDEX surv_alert_history_alert ON surv_alert_history (alert_id);"            \
    "CREATE TABLE surv_webhook_cursor ("                                                 \
    "  url TEXT PRIMARY KEY,"                                                            \
    "  last_alert_id INTEGER NOT NULL"                                                   \
    ");"                                                                                 \
    "CREATE TABLE surv_webhook_delivery ("                                               \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  alert_id INTEGER NOT NULL REFERENCES surv_alert (id),"                            \
    "  url TEXT NOT NULL,"                                                               \
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered',"   \
    "    'failed')),"                                                                    \
    "  attempts INTEGER NOT NULL DEFAULT 0,"                                             \
    "  next_s INTEGER NOT NULL,"                                                         \
    "  UNIQUE (alert_id, url)"                                                           \
    ");"                                                                                 \
    "CREATE INDEX surv_webhook_due ON surv_webhook_delivery (state, next_s);"            \
    "CREATE TABLE surv_webhook_attempt ("                                                \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  delivery_id INTEGER NOT NULL REFERENCES surv_webhook_delivery (id),"              \
    "  attempt INTEGER NOT NULL,"                                                        \
    "  at TEXT NOT NULL,"                                                                \
    "  http_status INTEGER NOT NULL DEFAULT 0,"                                          \
    "  error TEXT NOT NULL DEFAULT ''"                                                   \
    ");"

/* Columns of a signal as alerts/ reads it (surv_signal_from_row), in this order. */
#define SURV_SQL_SIGNAL_COLUMNS                                                          \
    "SELECT s.id, s.kind, s.code, s.ou, s.day, s.method, s.count, s.expected, s.upper,"  \
    " s.score, s.place_kind, s.place, s.members FROM surv_signal s"

/* Columns of an alert (surv_alert_from_row), in this order. */
#define SURV_SQL_ALERT_COLUMNS                                                           \
    "SELECT a.id, a.rule, a.level, a.ou, a.code, a.first_day, a.last_day, a.state,"      \
    " COALESCE(a.assignee_id, 0), COALESCE(u.username, ''), a.raised_at,"                \
    " COALESCE(a.verifying_at, ''), COALESCE(a.closed_at, ''), COALESCE(a.verify_s, -1)," \
    " a.dismiss_reason, a.responders, a.actions,"                                        \
    " (SELECT COUNT(*) FROM surv_alert_signal x WHERE x.alert_id = a.id)"                \
    " FROM surv_alert a LEFT JOIN app_user u ON u.id = a.assignee_id"

#define STORE_SQL_ALERTS(X)                                                              \
    X(DETECT_DISEASE_SERIES,                                                             \
      "SELECT DISTINCT disease, substr(ou_code, 1, 9) FROM case_report"                  \
      " WHERE onset_date >= ? AND onset_date <= ? AND status <> 'deleted'")              \
    X(DETECT_VILLAGES,                                                                   \
      "SELECT code, name, lat, lon FROM ou WHERE code >= ? AND code < ? AND level = 5"   \
      " AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY code")                          \
    X(DETECT_CASES_IN,                                                                   \
      "SELECT ou_code, onset_date FROM case_report WHERE disease = ? AND ou_code >= ?"   \
      " AND ou_code < ? AND onset_date >= ? AND onset_date <= ? AND status <> 'deleted'") \
    X(DETECT_SCHOOL_WINDOW,                                                              \
      "SELECT disease, school, substr(MIN(ou_code), 1, 9), COUNT(*) FROM case_report"    \
      " WHERE school <> '' AND onset_date >= ? AND onset_date <= ? AND status <> 'deleted'" \
      " GROUP BY disease, school HAVING COUNT(*) >= 2 AND MAX(onset_date) = ?")         \
    X(DETECT_CHANNEL_SERIES,                                                             \
      "SELECT DISTINCT channel, substr(ou_code, 1, 9) FROM syndromic_count"              \
      " WHERE day >= ? AND day <= ?")                                                    \
    X(SURV_SIGNAL_INSERT,                                                                \
      "INSERT INTO surv_signal (kind, code, ou, day, method, count, expected, upper,"    \
      " score, place_kind, place, members, recorded_at)"                                 \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"                                  \
      " ON CONFLICT (kind, code, ou, day, method, place) DO NOTHING RETURNING id")       \
    X(SURV_SIGNAL_FIND, "SELECT id FROM surv_signal WHERE kind = ? AND code = ?"         \
      " AND ou = ? AND day = ? AND method = ? AND place = ?")                            \
    X(SURV_SIGNAL_DAYS, SURV_SQL_SIGNAL_COLUMNS " WHERE s.day BETWEEN ? AND ?"           \
      " ORDER BY s.id")                                                                  \
    X(SURV_OU_POINT, "SELECT lat, lon FROM ou WHERE code = ? AND lat IS NOT NULL"        \
      " AND lon IS NOT NULL")                                                            \
    X(SURV_ALERT_MATCH, "SELECT id, level, first_day, last_day FROM surv_alert"           \
      " WHERE ou = ? AND code = ? AND state <> 'dismissed' AND first_day <= ?"           \
      " AND last_day >= ? ORDER BY id LIMIT 1")                                          \
    X(SURV_SIGNAL_LINKED, "SELECT 1 FROM surv_alert_signal WHERE signal_id = ? LIMIT 1")  \
    X(SURV_ALERT_INSERT,                                                                 \
      "INSERT INTO surv_alert (rule, level, ou, code, first_day, last_day, raised_at,"   \
      " raised_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")                         \
    X(SURV_ALERT_WIDEN,                                                                  \
      "UPDATE surv_alert SET first_day = MIN(first_day, ?), last_day = MAX(last_day, ?),"\
      " rule = CASE WHEN ? > level THEN ? ELSE rule END, level = MAX(level, ?)"          \
      " WHERE id = ?")                                                                   \
    X(SURV_ALERT_LINK, "INSERT INTO surv_alert_signal (alert_id, signal_id)"             \
      " VALUES (?, ?) ON CONFLICT DO NOTHING")                                           \
    X(SURV_HISTORY_INSERT,                                                               \
      "INSERT INTO surv_alert_history (alert_id, at, action, from_state, to_state,"      \
      " level, user_id, username, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")           \
    X(SURV_ALERT_BY_ID, SURV_SQL_ALERT_COLUMNS " WHERE a.id = ?")                        \
    X(SURV_ALERT_LIST, SURV_SQL_ALERT_COLUMNS                                            \
      " WHERE (? = '' OR a.state = ?) AND (? < 0 OR a.level = ?) AND (? = '' OR a.code = ?)" \
      " AND (? = '' OR substr(a.ou, 1, length(?)) = ?) AND (? = 0 OR a.id < ?)"          \
      " ORDER BY a.id DESC LIMIT ?")                                                     \
    X(SURV_ALERT_SINCE, SURV_SQL_ALERT_COLUMNS " WHERE a.id > ? ORDER BY a.id LIMIT ?")  \
    X(SURV_ALERT_SIGNALS, SURV_SQL_SIGNAL_COLUMNS                                        \
      " JOIN surv_alert_signal x ON x.signal_id = s.id WHERE x.alert_id = ?"             \
      " ORDER BY s.day, s.id")                                                           \
    X(SURV_ALERT_NOTES, "SELECT at, username, text FROM surv_alert_note"                 \
      " WHERE alert_id = ? ORDER BY id")                                                 \
    X(SURV_ALERT_HISTORY, "SELECT at, action, from_state, to_state, level, username,"    \
      " detail FROM surv_alert_history WHERE alert_id = ? ORDER BY id")                  \
    X(SURV_NOTE_INSERT, "INSERT INTO surv_alert_note (alert_id, at, user_id, username,"  \
      " text) VALUES (?, ?, ?, ?, ?)")                                                   \
    X(SURV_SET_VERIFYING, "UPDATE surv_alert SET state = 'verifying', verifying_at = ?"  \
      " WHERE id = ? AND state = ?")                                                     \
    X(SURV_SET_CONFIRMED, "UPDATE surv_alert SET state = 'confirmed', closed_at = ?,"    \
      " verify_s = ? - raised_s, responders = ?, actions = ? WHERE id = ? AND state = ?") \
    X(SURV_SET_DISMISSED, "UPDATE surv_alert SET state = 'dismissed', closed_at = ?,"    \
      " verify_s = ? - raised_s, dismiss_reason = ? WHERE id = ? AND state = ?")         \
    X(SURV_SET_ASSIGNEE, "UPDATE surv_alert SET assignee_id = ? WHERE id = ?"            \
      " AND state = ?")                                                                  \
    X(SURV_ASSIGNEE_CHECK, "SELECT username, role, scope_kind, scope_ref, disabled"      \
      " FROM app_user WHERE id = ?")                                                     \
    X(SURV_INDICATORS, "SELECT level, state, COALESCE(verify_s, -1) FROM surv_alert"     \
      " WHERE raised_s >= ? AND raised_s < ? AND substr(ou, 1, length(?)) = ?")          \
    X(SURV_WEBHOOK_CURSOR, "SELECT last_alert_id FROM surv_webhook_cursor WHERE url = ?") \
    X(SURV_WEBHOOK_CURSOR_SET,                                                           \
      "INSERT INTO surv_webhook_cursor (url, last_alert_id) VALUES (?, ?)"               \
      " ON CONFLICT (url) DO UPDATE SET last_alert_id = excluded.last_alert_id")         \
    X(SURV_ALERT_MAX_ID, "SELECT COALESCE(MAX(id), 0) FROM surv_alert")                  \
    X(SURV_WEBHOOK_ENQUEUE,                                                              \
      "INSERT INTO surv_webhook_delivery (alert_id, url, next_s)"                        \
      " SELECT id, ?, ? FROM surv_alert WHERE id > ? AND id <= ?"                        \
      " ON CONFLICT (alert_id, url) DO NOTHING")                                         \
    X(SURV_WEBHOOK_DUE, "SELECT id, alert_id, url, attempts FROM surv_webhook_delivery"  \
      " WHERE state = 'pending' AND next_s <= ? ORDER BY next_s, id LIMIT ?")            \
    X(SURV_WEBHOOK_ATTEMPT,                                                              \
      "INSERT INTO surv_webhook_attempt (delivery_id, attempt, at, http_status, error)"  \
      " VALUES (?, ?, ?, ?, ?)")                                                         \
    X(SURV_WEBHOOK_UPDATE, "UPDATE surv_webhook_delivery SET state = ?, attempts = ?,"   \
      " next_s = ? WHERE id = ?")                                                        \
    X(SURV_WEBHOOK_LOG,                                                                  \
      "SELECT t.id, d.id, d.alert_id, d.url, t.attempt, t.at, t.http_status, t.error,"   \
      " d.state FROM surv_webhook_attempt t JOIN surv_webhook_delivery d"                \
      " ON d.id = t.delivery_id WHERE (? = 0 OR t.id < ?) ORDER BY t.id DESC LIMIT ?")

#endif
