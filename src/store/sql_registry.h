/*
 * sql_registry.h - schema and statements of the registry: org units and their population,
 * facilities, medical groups, staff.
 *
 * Part of the statement catalogue (store_sql.h): X(NAME, "SQL"), `?` placeholders. Dates are
 * TEXT "YYYY-MM-DD"; enumerations are TEXT codes (the codes of vocab.h); lists of codes
 * (services, centers) are space-separated TEXT in vocabulary order, so equal sets are equal
 * text. Upserts update only when a value differs, so an unchanged import row writes nothing.
 */
#ifndef YL_STORE_SQL_REGISTRY_H
#define YL_STORE_SQL_REGISTRY_H

/* medical_group_member repeats its group's kind so that "a facility is in at most one group
 * of each kind" is a UNIQUE constraint, not a check every writer must remember. */
#define STORE_SCHEMA_REGISTRY                                                            \
    "CREATE TABLE ou ("                                                                  \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),"                            \
    "  parent_id INTEGER REFERENCES ou (id),"                                            \
    "  lat REAL CHECK (lat BETWEEN -90 AND 90),"                                         \
    "  lon REAL CHECK (lon BETWEEN -180 AND 180),"                                       \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX ou_parent ON ou (parent_id);"                                          \
    "CREATE TABLE ou_population ("                                                       \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  year INTEGER NOT NULL,"                                                           \
    "  sex INTEGER NOT NULL CHECK (sex IN (1, 2)),"                                      \
    "  age_band INTEGER NOT NULL CHECK (age_band BETWEEN 0 AND 18),"                     \
    "  count INTEGER NOT NULL CHECK (count >= 0),"                                       \
    "  PRIMARY KEY (ou_id, year, sex, age_band)"                                         \
    ");"                                                                                 \
    "CREATE TABLE facility ("                                                            \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  type TEXT NOT NULL,"                                                              \
    "  grade TEXT NOT NULL DEFAULT 'none',"                                              \
    "  ownership TEXT NOT NULL DEFAULT 'public',"                                        \
    "  ou_id INTEGER NOT NULL REFERENCES ou (id),"                                       \
    "  lat REAL CHECK (lat BETWEEN -90 AND 90),"                                         \
    "  lon REAL CHECK (lon BETWEEN -180 AND 180),"                                       \
    "  beds INTEGER NOT NULL DEFAULT 0 CHECK (beds >= 0),"                               \
    "  icu_beds INTEGER NOT NULL DEFAULT 0 CHECK (icu_beds >= 0),"                       \
    "  infant_care_places INTEGER NOT NULL DEFAULT 0 CHECK (infant_care_places >= 0),"   \
    "  services TEXT NOT NULL DEFAULT '',"                                               \
    "  centers TEXT NOT NULL DEFAULT '',"                                                \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX facility_ou ON facility (ou_id);"                                      \
    "CREATE TABLE medical_group ("                                                       \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  kind TEXT NOT NULL,"                                                              \
    "  lead_facility_id INTEGER NOT NULL REFERENCES facility (id),"                      \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE TABLE medical_group_member ("                                                \
    "  group_id INTEGER NOT NULL REFERENCES medical_group (id),"                         \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  kind TEXT NOT NULL,"                                                              \
    "  PRIMARY KEY (group_id, facility_id),"                                             \
    "  UNIQUE (facility_id, kind)"                                                       \
    ");"                                                                                 \
    "CREATE TABLE staff ("                                                               \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  code TEXT NOT NULL UNIQUE,"                                                       \
    "  name TEXT NOT NULL,"                                                              \
    "  role TEXT NOT NULL,"                                                              \
    "  facility_id INTEGER NOT NULL REFERENCES facility (id),"                           \
    "  qualification_no TEXT NOT NULL DEFAULT '',"                                       \
    "  education TEXT NOT NULL DEFAULT '',"                                              \
    "  status TEXT NOT NULL DEFAULT 'active',"                                           \
    "  updated_at TEXT NOT NULL"                                                         \
    ");"                                                                                 \
    "CREATE INDEX staff_facility ON staff (facility_id);"

/* Column lists shared by a statement that reads one row and the one that lists rows, so the
 * row readers in registry/ have one layout each. A subtree is the code range [code, code:)
 * (':' follows '9'), which the unique index on ou.code answers. */
#define REG_SQL_OU_COLUMNS                                                               \
    "SELECT o.id, o.code, o.name, o.level, COALESCE(p.code, ''), o.lat, o.lon,"          \
    " o.updated_at FROM ou o LEFT JOIN ou p ON p.id = o.parent_id"
#define REG_SQL_FACILITY_COLUMNS                                                         \
    "SELECT f.id, f.code, f.name, f.type, f.grade, f.ownership, o.code, f.lat, f.lon,"   \
    " f.beds, f.icu_beds, f.infant_care_places, f.services, f.centers, f.status,"        \
    " f.updated_at FROM facility f JOIN ou o ON o.id = f.ou_id"
#define REG_SQL_GROUP_COLUMNS                                                            \
    "SELECT g.id, g.code, g.name, g.kind, f.code, g.updated_at, g.lead_facility_id"      \
    " FROM medical_group g JOIN facility f ON f.id = g.lead_facility_id"
#define REG_SQL_STAFF_COLUMNS                                                            \
    "SELECT s.id, s.code, s.name, s.role, f.code, s.qualification_no, s.education,"      \
    " s.status, s.updated_at FROM staff s JOIN facility f ON f.id = s.facility_id"       \
    " JOIN ou o ON o.id = f.ou_id"

#define STORE_SQL_REGISTRY(X) \
    X(REG_OU_ID, \
      "SELECT id FROM ou WHERE code = ?") \
    X(REG_OU_INSERT, \
      "INSERT INTO ou (code, name, level, parent_id, lat, lon, updated_at)" \
      " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id") \
    X(REG_OU_UPSERT, \
      "INSERT INTO ou (code, name, level, parent_id, lat, lon, updated_at)" \
      " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET" \
      " name = excluded.name, parent_id = excluded.parent_id, lat = excluded.lat," \
      " lon = excluded.lon, updated_at = excluded.updated_at" \
      " WHERE ou.name <> excluded.name" \
      " OR ou.parent_id IS DISTINCT FROM excluded.parent_id" \
      " OR ou.lat IS DISTINCT FROM excluded.lat OR ou.lon IS DISTINCT FROM excluded.lon" \
      " RETURNING id") \
    X(REG_OU_BY_CODE, \
      REG_SQL_OU_COLUMNS " WHERE o.code = ?") \
    X(REG_OU_LIST, \
      REG_SQL_OU_COLUMNS " WHERE o.id > ? AND (? = '' OR (o.code >= ? AND o.code < ?))" \
      " AND (? = 0 OR o.level = ?) AND (? = '' OR p.code = ?) ORDER BY o.id LIMIT ?") \
    X(REG_POP_DELETE, \
      "DELETE FROM ou_population WHERE ou_id = ? AND year = ?") \
    X(REG_POP_INSERT, \
      "INSERT INTO ou_population (ou_id, year, sex, age_band, count) VALUES (?, ?, ?, ?, ?)") \
    X(REG_POP_UPSERT, \
      "INSERT INTO ou_population (ou_id, year, sex, age_band, count) VALUES (?, ?, ?, ?, ?)" \
      " ON CONFLICT (ou_id, year, sex, age_band) DO UPDATE SET count = excluded.count" \
      " WHERE ou_population.count <> excluded.count") \
    X(REG_POP_LATEST, \
      "SELECT MAX(p.year) FROM ou o JOIN ou_population p ON p.ou_id = o.id" \
      " WHERE o.code >= ? AND o.code < ?") \
    X(REG_POP_SUBTREE, \
      "SELECT o.code, p.sex, p.age_band, p.count FROM ou o" \
      " JOIN ou_population p ON p.ou_id = o.id AND p.year = ?" \
      " WHERE o.code >= ? AND o.code < ? ORDER BY o.code") \
    X(REG_FACILITY_ID, \
      "SELECT id FROM facility WHERE code = ?") \
    X(REG_FACILITY_INSERT, \
      "INSERT INTO facility (code, name, type, grade, ownership, ou_id, lat, lon, beds," \
      " icu_beds, infant_care_places, services, centers, status, updated_at)" \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id") \
    X(REG_FACILITY_UPSERT, \
      "INSERT INTO facility (code, name, type, grade, ownership, ou_id, lat, lon, beds," \
      " icu_beds, infant_care_places, services, centers, status, updated_at)" \
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE" \
      " SET name = excluded.name, type = excluded.type, grade = excluded.grade," \
      " ownership = excluded.ownership, ou_id = excluded.ou_id, lat = excluded.lat," \
      " lon = excluded.lon, beds = excluded.beds, icu_beds = excluded.icu_beds," \
      " infant_care_places = excluded.infant_care_places, services = excluded.services," \
      " centers = excluded.centers, status = excluded.status," \
      " updated_at = excluded.updated_at" \
      " WHERE facility.name <> excluded.name OR facility.type <> excluded.type" \
      " OR facility.grade <> excluded.grade OR facility.ownership <> excluded.ownership" \
      " OR facility.ou_id <> excluded.ou_id OR facility.lat IS DISTINCT FROM excluded.lat" \
      " OR facility.lon IS DISTINCT FROM excluded.lon OR facility.beds <> excluded.beds" \
      " OR facility.icu_beds <> excluded.icu_beds" \
      " OR facility.infant_care_places <> excluded.infant_care_places" \
      " OR facility.services <> excluded.services OR facility.centers <> excluded.centers" \
      " OR facility.status <> excluded.status RETURNING id") \
    X(REG_FACILITY_BY_CODE, \
      REG_SQL_FACILITY_COLUMNS " WHERE f.code = ?") \
    X(REG_FACILITY_LIST, \
      REG_SQL_FACILITY_COLUMNS " WHERE f.id > ? AND (? = '' OR (o.code >= ? AND o.code < ?))" \
      " AND (? = '' OR f.type = ?) AND (? = '' OR f.status = ?)" \
      " AND (? = '' OR EXISTS (SELECT 1 FROM medical_group_member m" \
      " JOIN medical_group g ON g.id = m.group_id WHERE m.facility_id = f.id" \
      " AND g.code = ?)) ORDER BY f.id LIMIT ?") \
    X(REG_GROUP_INSERT, \
      "INSERT INTO medical_group (code, name, kind, lead_facility_id, updated_at)" \
      " VALUES (?, ?, ?, ?, ?) RETURNING id") \
    X(REG_GROUP_UPDATE, \
      "UPDATE medical_group SET name = ?, kind = ?, lead_facility_id = ?, updated_at = ?" \
      " WHERE id = ?") \
    X(REG_GROUP_BY_CODE, \
      REG_SQL_GROUP_COLUMNS " WHERE g.code = ?") \
    X(REG_GROUP_LIST, \
      REG_SQL_GROUP_COLUMNS " WHERE g.id > ? AND (? = '' OR g.kind = ?)" \
      " AND (? = '' OR EXISTS (SELECT 1 FROM medical_group_member m" \
      " JOIN facility mf ON mf.id = m.facility_id WHERE m.group_id = g.id" \
      " AND mf.code = ?)) ORDER BY g.id LIMIT ?") \
    X(REG_GROUP_MEMBERS, \
      "SELECT m.facility_id, f.code FROM medical_group_member m" \
      " JOIN facility f ON f.id = m.facility_id WHERE m.group_id = ? ORDER BY f.code") \
    X(REG_GROUP_MEMBER_CLEAR, \
      "DELETE FROM medical_group_member WHERE group_id = ?") \
    X(REG_GROUP_MEMBER_INSERT, \
      "INSERT INTO medical_group_member (group_id, facility_id, kind) VALUES (?, ?, ?)") \
    X(REG_GROUP_MEMBER_TAKEN, \
      "SELECT g.code FROM medical_group_member m JOIN medical_group g ON g.id = m.group_id" \
      " WHERE m.facility_id = ? AND m.kind = ? AND m.group_id <> ?") \
    X(REG_STAFF_INSERT, \
      "INSERT INTO staff (code, name, role, facility_id, qualification_no, education," \
      " status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id") \
    X(REG_STAFF_UPSERT, \
      "INSERT INTO staff (code, name, role, facility_id, qualification_no, education," \
      " status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE" \
      " SET name = excluded.name, role = excluded.role, facility_id = excluded.facility_id," \
      " qualification_no = excluded.qualification_no, education = excluded.education," \
      " status = excluded.status, updated_at = excluded.updated_at" \
      " WHERE staff.name <> excluded.name OR staff.role <> excluded.role" \
      " OR staff.facility_id <> excluded.facility_id" \
      " OR staff.qualification_no <> excluded.qualification_no" \
      " OR staff.education <> excluded.education OR staff.status <> excluded.status" \
      " RETURNING id") \
    X(REG_STAFF_BY_CODE, \
      REG_SQL_STAFF_COLUMNS " WHERE s.code = ?") \
    X(REG_STAFF_LIST, \
      REG_SQL_STAFF_COLUMNS " WHERE s.id > ? AND (? = '' OR f.code = ?)" \
      " AND (? = '' OR s.role = ?) AND (? = '' OR s.status = ?)" \
      " AND (? = '' OR (o.code >= ? AND o.code < ?)) ORDER BY s.id LIMIT ?")

#endif
