/*
 * sql_platform.h - statements of the platform: migrations, users, sessions, audit.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders.
 */
#ifndef YL_STORE_SQL_PLATFORM_H
#define YL_STORE_SQL_PLATFORM_H

#define STORE_SQL_PLATFORM(X) \
    X(MIGRATION_VERSION, \
      "SELECT COALESCE(MAX(version), 0) FROM schema_migration") \
    X(MIGRATION_RECORD, \
      "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)") \
    X(USER_INSERT, \
      "INSERT INTO app_user (username, display_name, password_hash, role, scope_kind," \
      " scope_ref, disabled, created_at, updated_at)" \
      " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id") \
    X(USER_BY_NAME, \
      "SELECT id, username, display_name, password_hash, role, scope_kind, scope_ref," \
      " disabled, created_at, updated_at FROM app_user WHERE username = ?") \
    X(USER_BY_ID, \
      "SELECT id, username, display_name, password_hash, role, scope_kind, scope_ref," \
      " disabled, created_at, updated_at FROM app_user WHERE id = ?") \
    X(USER_LIST, \
      "SELECT id, username, display_name, password_hash, role, scope_kind, scope_ref," \
      " disabled, created_at, updated_at FROM app_user" \
      " WHERE id > ? AND (? = '' OR role = ?) ORDER BY id LIMIT ?") \
    X(USER_UPDATE, \
      "UPDATE app_user SET display_name = ?, role = ?, scope_kind = ?, scope_ref = ?," \
      " disabled = ?, updated_at = ? WHERE id = ?") \
    X(USER_SET_PASSWORD, \
      "UPDATE app_user SET password_hash = ?, updated_at = ? WHERE id = ?") \
    X(USER_COUNT, \
      "SELECT COUNT(*) FROM app_user") \
    X(SESSION_INSERT, \
      "INSERT INTO session (token_hash, user_id, created_at, last_seen, expires_at)" \
      " VALUES (?, ?, ?, ?, ?)") \
    X(SESSION_LOOKUP, \
      "SELECT s.user_id, s.created_at, s.last_seen, s.expires_at, s.revoked," \
      " u.username, u.role, u.scope_kind, u.scope_ref, u.disabled, u.display_name" \
      " FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?") \
    X(SESSION_TOUCH, \
      "UPDATE session SET last_seen = ? WHERE token_hash = ? AND last_seen < ?") \
    X(SESSION_REVOKE, \
      "UPDATE session SET revoked = 1 WHERE token_hash = ?") \
    X(SESSION_REVOKE_USER, \
      "UPDATE session SET revoked = 1 WHERE user_id = ? AND revoked = 0") \
    X(SESSION_PURGE, \
      "DELETE FROM session WHERE expires_at < ? OR revoked = 1") \
    X(AUDIT_HEAD, \
      "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1") \
    X(AUDIT_INSERT, \
      "INSERT INTO audit (seq, at, user_id, username, role, action, resource_type," \
      " resource_id, client, outcome, prev_hash, hash)" \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") \
    X(AUDIT_HEAD_SET, \
      "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)" \
      " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash") \
    X(AUDIT_HEAD_GET, \
      "SELECT seq, hash FROM audit_head WHERE id = 1") \
    X(AUDIT_SCAN, \
      "SELECT seq, at, user_id, username, role, action, resource_type, resource_id," \
      " client, outcome, prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?") \
    X(AUDIT_LIST, \
      "SELECT seq, at, user_id, username, role, action, resource_type, resource_id," \
      " client, outcome, prev_hash, hash FROM audit" \
      " WHERE seq < ? AND (? = '' OR username = ?) AND (? = '' OR resource_type = ?)" \
      " AND (? = '' OR resource_id = ?) AND (? = '' OR at >= ?) AND (? = '' OR at < ?)" \
      " ORDER BY seq DESC LIMIT ?") \
    X(AUDIT_COUNT, \
      "SELECT COUNT(*) FROM audit") \

#endif
