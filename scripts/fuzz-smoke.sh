#!/bin/sh
# fuzz-smoke.sh - part of make test: run each fuzz target for FUZZ_SMOKE_SECONDS from its
# seeds (a fresh corpus each time, so the run is the same on every machine) and report each
# as a test: passed when the fuzzer found no crash, leak or sanitizer error.
set -u
cd "$(dirname "$0")/.."
seconds=${FUZZ_SMOKE_SECONDS:-8}
passed=0; failed=0
for f in build/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    case "$f" in *.a|*.o) continue ;; esac
    name=$(basename "$f")
    corpus=$(mktemp -d /tmp/yilian-fuzz-XXXXXX)
    [ -d "fuzz/seeds/$name" ] && cp fuzz/seeds/"$name"/* "$corpus"/ 2>/dev/null
    if out=$("$f" -max_total_time="$seconds" -seed=1 -artifact_prefix="$corpus/" "$corpus" 2>&1); then
        runs=$(printf '%s\n' "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p')
        echo "ok   $name ($runs inputs in ${seconds}s)"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|crash-|leak-' | head -n 20
        failed=$((failed + 1))
    fi
    rm -rf "$corpus"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
