#!/bin/sh
# bench/run.sh - HTTP benchmarks of a release build under wrk (2 threads, 64 connections,
# 10 s each): GET /api/health (no store), an authenticated small JSON read (GET /api/me:
# token lookup in the store), an audited read of a person (GET /api/users/1), and a static
# file served by the same server as the ceiling. Prints figures; this is not a test.
set -eu
bin=${1:-build/release/yilian}
dur=${BENCH_SECONDS:-10}
work=$(mktemp -d /tmp/yilian-bench-XXXXXX)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" --db "$work/bench.db" --port 0 --log_requests false --web_root web serve \
    >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/out")
pass=$(sed -n 's/.*password "\([^"]*\)".*/\1/p' "$work/out")
[ -n "$port" ] || { echo "server did not start"; cat "$work/err"; exit 1; }
token=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$pass\"}" "http://127.0.0.1:$port/api/login" |
    sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')

echo "yilian HTTP benchmark: wrk -t2 -c64 -d${dur}s on $(nproc) cores, $(uname -m)"
printf '%-34s %12s %10s %10s\n' "endpoint" "requests/s" "p50" "p99"
run() {
    label=$1; shift
    out=$(wrk -t2 -c64 -d"${dur}s" --latency "$@" 2>&1)
    rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
    p50=$(echo "$out" | awk '$1=="50%"{print $2}')
    p99=$(echo "$out" | awk '$1=="99%"{print $2}')
    non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    printf '%-34s %12s %10s %10s %s\n' "$label" "$rps" "$p50" "$p99" \
        "${non2xx:+(non-2xx: $non2xx)}"
}
base="http://127.0.0.1:$port"
run "static file /index.html (ceiling)" "$base/index.html"
run "GET /api/health" "$base/api/health"
run "GET /api/me (token lookup)" -H "Authorization: Bearer $token" "$base/api/me"
run "GET /api/users/1 (audited read)" -H "Authorization: Bearer $token" "$base/api/users/1"
kill -TERM $pid; wait $pid || true
"$bin" --db "$work/bench.db" audit verify
