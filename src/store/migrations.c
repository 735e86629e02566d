/*
 * migrations.c - the schema, as an ordered list of forward-only migrations.
 *
 * A migration is never edited once released: a change is a new entry at the end. Each runs
 * in its own transaction together with its row in schema_migration, so a crash leaves the
 * database at the previous version or the next, never between.
 */
#include "store_int.h"

static const struct store_migration migrations[] = {
    {1, "accounts and audit",
     "CREATE TABLE app_user ("
     "  id INTEGER PRIMARY KEY,"
     "  username TEXT NOT NULL UNIQUE,"
     "  display_name TEXT NOT NULL DEFAULT '',"
     "  password_hash TEXT NOT NULL,"
     "  role TEXT NOT NULL,"
     "  scope_kind TEXT NOT NULL,"
     "  scope_ref TEXT NOT NULL DEFAULT '',"
     "  disabled INTEGER NOT NULL DEFAULT 0,"
     "  created_at TEXT NOT NULL,"
     "  updated_at TEXT NOT NULL"
     ");"
     "CREATE TABLE session ("
     "  token_hash TEXT PRIMARY KEY,"
     "  user_id INTEGER NOT NULL REFERENCES app_user (id),"
     "  created_at INTEGER NOT NULL,"
     "  last_seen INTEGER NOT NULL,"
     "  expires_at INTEGER NOT NULL,"
     "  revoked INTEGER NOT NULL DEFAULT 0"
     ");"
     "CREATE INDEX session_user ON session (user_id);"
     "CREATE TABLE audit ("
     "  seq INTEGER PRIMARY KEY,"
     "  at TEXT NOT NULL,"
     "  user_id INTEGER,"
     "  username TEXT NOT NULL DEFAULT '',"
     "  role TEXT NOT NULL DEFAULT '',"
     "  action TEXT NOT NULL,"
     "  resource_type TEXT NOT NULL,"
     "  resource_id TEXT NOT NULL DEFAULT '',"
     "  client TEXT NOT NULL DEFAULT '',"
     "  outcome TEXT NOT NULL,"
     "  prev_hash TEXT NOT NULL,"
     "  hash TEXT NOT NULL"
     ");"
     "CREATE INDEX audit_resource ON audit (resource_type, resource_id);"
     "CREATE INDEX audit_user ON audit (username);"
     /* The head row lets verify notice rows cut off the end of the chain. */
     "CREATE TABLE audit_head ("
     "  id INTEGER PRIMARY KEY CHECK (id = 1),"
     "  seq INTEGER NOT NULL,"
     "  hash TEXT NOT NULL"
     ");"
     /* Append-only: the database itself refuses edits and deletions of audit rows. */
     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
     "  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
     "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
     "  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"},
    {2, "registry", STORE_SCHEMA_REGISTRY},
    {3, "health records", STORE_SCHEMA_RECORDS},
    {4, "family-doctor contracts", STORE_SCHEMA_CONTRACTS},
    {5, "change epoch", STORE_SCHEMA_PINDEX},
    {6, "current residence in the resident row", STORE_SCHEMA_RECORDS_RESIDENCE},
    {7, "service records", STORE_SCHEMA_SERVICES},
    {8, "encounters", STORE_SCHEMA_ENCOUNTERS},
    {9, "expert clinics", STORE_SCHEMA_EXPERTS},
    {10, "referral", STORE_SCHEMA_REFERRAL},
    {11, "results and recognition", STORE_SCHEMA_RESULTS},
    {12, "remote consultation and reading; results attached to referrals; expert procedures",
     STORE_SCHEMA_REFERRAL_REMOTE},
    {13, "surveillance case reports and syndromic counts", STORE_SCHEMA_SURVEIL},
    {14, "surveillance signals and alerts", STORE_SCHEMA_ALERTS},
    {15, "the school of a case report", STORE_SCHEMA_SURVEIL_SCHOOL},
};

const struct store_migration *store_migrations(size_t *n)
{
    *n = sizeof(migrations) / sizeof(migrations[0]);
    return migrations;
}

int store_schema_latest(void)
{
    size_t n;
    const struct store_migration *m = store_migrations(&n);
    return n ? m[n - 1].version : 0;
}
