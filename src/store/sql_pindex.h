/*
 * sql_pindex.h - statements the population index reads the store with (whole-table scans at
 * start, one resident's rows on refresh), and the two small lookups of the indicators.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. The
 * scans of tags, residences and contracts are ordered by resident id (each served by an
 * index on resident_id, no sort), so the loader merges them with the resident scan in one
 * pass, like a merge join.
 */
#ifndef YL_STORE_SQL_PINDEX_H
#define YL_STORE_SQL_PINDEX_H

/* The change epoch: bumped by every write made outside the server process (CLI imports,
 * demo), polled by the server, which reloads its index when it moves. */
#define STORE_SCHEMA_PINDEX                                                              \
    "CREATE TABLE change_epoch ("                                                        \
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"                                           \
    "  epoch INTEGER NOT NULL"                                                           \
    ");"                                                                                 \
    "INSERT INTO change_epoch (id, epoch) VALUES (1, 0);"

#define STORE_SQL_PINDEX(X) \
    X(PIDX_EPOCH_GET, \
      "SELECT epoch FROM change_epoch WHERE id = 1") \
    X(PIDX_EPOCH_BUMP, \
      "UPDATE change_epoch SET epoch = epoch + 1 WHERE id = 1") \
    X(PIDX_OU_ALL, \
      "SELECT id, code, level, parent_id, lat, lon FROM ou ORDER BY id") \
    X(PIDX_POPULATION_ALL, \
      "SELECT ou_id, year, sex, age_band, count FROM ou_population" \
      " ORDER BY ou_id, year, sex, age_band") \
    X(PIDX_FACILITY_ALL, \
      "SELECT id, type, grade, ownership, status, ou_id, services, centers, beds, icu_beds," \
      " infant_care_places, lat, lon FROM facility ORDER BY id") \
    X(PIDX_STAFF_ALL, \
      "SELECT id, role, education, status, facility_id FROM staff ORDER BY id") \
    X(PIDX_TEAM_ALL, \
      "SELECT id, status, facility_id, capacity FROM team ORDER BY id") \
    X(PIDX_RESIDENT_ALL, \
      "SELECT id, ou_id, sex, birth_date, record_date, status, status_date, maternal_death," \
      " COALESCE(residence_from, record_date) FROM resident ORDER BY id") \
    X(PIDX_TAG_ALL, \
      "SELECT resident_id, tag, from_date, to_date, expected_delivery" \
      " FROM resident_tag ORDER BY resident_id, tag, from_date") \
    X(PIDX_RESIDENCE_ALL, \
      "SELECT resident_id, ou_id, from_date, to_date FROM residence" \
      " ORDER BY resident_id, id") \
    X(PIDX_CONTRACT_ALL, \
      "SELECT resident_id, team_id, from_date, to_date, status, ended_date, package" \
      " FROM contract" \
      " ORDER BY resident_id, id") \
    X(PIDX_RESIDENT_ONE, \
      "SELECT id, ou_id, sex, birth_date, record_date, status, status_date, maternal_death," \
      " COALESCE(residence_from, record_date) FROM resident WHERE id = ?") \
    X(PIDX_TAG_ONE, \
      "SELECT resident_id, tag, from_date, to_date, expected_delivery" \
      " FROM resident_tag WHERE resident_id = ? ORDER BY tag, from_date") \
    X(PIDX_RESIDENCE_ONE, \
      "SELECT resident_id, ou_id, from_date, to_date FROM residence" \
      " WHERE resident_id = ? ORDER BY id") \
    X(PIDX_CONTRACT_ONE, \
      "SELECT resident_id, team_id, from_date, to_date, status, ended_date, package" \
      " FROM contract" \
      " WHERE resident_id = ? ORDER BY id") \
    X(IND_OU_NAME, \
      "SELECT name FROM ou WHERE id = ?") \
    X(IND_FACILITY_OU, \
      "SELECT ou_id FROM facility WHERE code = ?")

#endif
