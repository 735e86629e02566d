#!/bin/sh
# bench/indicators.sh - the indicator benchmark (bench/indicators_bench.c: index build,
# memory, all indicators for 1M and 10M residents, SQLite GROUP BY as the peer), then the
# same GROUP BY on PostgreSQL over the same 1M data when a PostgreSQL server is installed.
set -eu
bin=${1:-build/release/bench_indicators}
db=$(mktemp -u /tmp/yilian-bench-XXXXXX.db)
out=$(mktemp /tmp/yilian-bench-XXXXXX.txt)
trap 'rm -f "$db" "$db-wal" "$db-shm" "$out"' EXIT
YL_BENCH_DB=$db "$bin" 1000000 10000000 | tee "$out"
index_ms=$(awk '/^1000000 residents/ {f = 1} f && /all indicators, every unit/ {print $5; exit}' "$out")
echo
echo "PostgreSQL peer (the 1M data above)"
bench/pg_peer.sh "$db" 2024-12-31 "$index_ms"
