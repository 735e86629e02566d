#!/bin/sh
# bench/pg_peer.sh - the indicator benchmark's peer on PostgreSQL: load the same org units,
# residents, residences and contracts that bench_indicators wrote to its SQLite file, and
# time the same GROUP BY (records and signed residents on the reference date by village,
# rolled up the tree). Prints figures; runs only when a PostgreSQL server is installed.
#
#   bench/pg_peer.sh SQLITE_FILE [REFERENCE_DATE] [INDEX_MS]
# INDEX_MS, when given, is the index's time for all indicators of the same data (the ratio).
set -eu
db=$1
ref=${2:-2024-12-31}
index_ms=${3:-}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ] || ! id postgres >/dev/null 2>&1; then
    echo "  PostgreSQL GROUP BY              (no PostgreSQL server installed: no figure)"
    exit 0
fi
work=$(mktemp -d /tmp/yilian-pg-XXXXXX)
chown postgres "$work"
as_pg() { su postgres -s /bin/sh -c "$*"; }
cleanup() {
    as_pg "$pgbin/pg_ctl -D $work/data -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
as_pg "$pgbin/initdb -D $work/data -A trust -U postgres" >/dev/null
as_pg "$pgbin/pg_ctl -D $work/data -l $work/log -w -o \"-k $work -p 55432 -c listen_addresses='' -c shared_buffers=512MB -c work_mem=64MB\" start" >/dev/null
psql() { "$pgbin/psql" -h "$work" -p 55432 -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

# The same tables, columns the query reads, and the same indexes the SQLite schema has.
psql <<'SQL'
CREATE TABLE ou (id integer PRIMARY KEY, parent_id integer);
CREATE TABLE resident (id integer PRIMARY KEY, ou_id integer NOT NULL, record_date text NOT NULL,
                       status_date text, residence_from text NOT NULL);
CREATE TABLE residence (resident_id integer NOT NULL, ou_id integer NOT NULL,
                        from_date text NOT NULL, to_date text);
CREATE TABLE contract (resident_id integer NOT NULL, from_date text NOT NULL,
                       to_date text NOT NULL, status text NOT NULL, ended_date text);
SQL
t0=$(date +%s.%N)
for spec in "ou:id, parent_id" "resident:id, ou_id, record_date, status_date, residence_from" \
            "residence:resident_id, ou_id, from_date, to_date" \
            "contract:resident_id, from_date, to_date, status, ended_date"; do
    table=${spec%%:*}; cols=${spec#*:}
    sqlite3 -csv "$db" "SELECT $cols FROM $table" | psql -c "\\copy $table ($cols) FROM STDIN WITH (FORMAT csv)"
done
psql <<'SQL'
CREATE INDEX residence_resident ON residence (resident_id);
CREATE INDEX contract_resident ON contract (resident_id);
ANALYZE;
SQL
t1=$(date +%s.%N)
rows=$(psql -t -A -c "SELECT count(*) FROM resident")
echo "  PostgreSQL load                $(echo "$t1 - $t0" | bc | xargs printf '%7.2f') s       ($rows residents, same indexes as the SQLite schema)"

query="WITH v(ou, records, signed) AS (
  SELECT CASE WHEN r.residence_from <= '$ref' THEN r.ou_id ELSE (SELECT h.ou_id
    FROM residence h WHERE h.resident_id = r.id AND h.from_date <= '$ref'
    AND h.to_date >= '$ref') END AS home, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1
    FROM contract c WHERE c.resident_id = r.id AND c.from_date <= '$ref'
      AND c.to_date >= '$ref' AND (c.status <> 'terminated' OR c.ended_date > '$ref'))
    THEN 1 ELSE 0 END)
  FROM resident r
  WHERE r.record_date <= '$ref' AND (r.status_date IS NULL OR r.status_date > '$ref')
  GROUP BY home),
 t(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)
  FROM v JOIN ou o ON o.id = v.ou GROUP BY o.parent_id),
 c(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)
  FROM t JOIN ou o ON o.id = t.ou GROUP BY o.parent_id),
 ci(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)
  FROM c JOIN ou o ON o.id = c.ou GROUP BY o.parent_id),
 p(ou, records, signed) AS (SELECT o.parent_id, SUM(records), SUM(signed)
  FROM ci JOIN ou o ON o.id = ci.ou GROUP BY o.parent_id)
 SELECT * FROM v UNION ALL SELECT * FROM t UNION ALL SELECT * FROM c
 UNION ALL SELECT * FROM ci UNION ALL SELECT * FROM p"
best=""
for i in 1 2 3; do
    ms=$(psql -o /dev/null -c '\timing on' -c "$query" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
    if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" -eq 1 ]; then best=$ms; fi
done
counts=$(psql -t -A -F ' ' -c "SELECT sum(records), sum(signed) FROM ($query) q WHERE ou IN (SELECT id FROM ou WHERE id NOT IN (SELECT parent_id FROM ou WHERE parent_id IS NOT NULL))")
echo "  PostgreSQL GROUP BY           $(printf '%7.1f' "$best") ms  best of 3 (same query; records and signed: $counts)"
if [ -n "$index_ms" ]; then
    echo "  ratio to the index            $(echo "$best / $index_ms" | bc -l | xargs printf '%7.0f')x"
fi
