#!/bin/sh
# run-tests.sh - run each test program, show its output, and end with the totals of all of
# them as one line "N passed, N failed" (skips, when any, after it).
set -u
passed=0; failed=0; skipped=0; crashed=0
for t in "$@"; do
    echo "== $(basename "$t")"
    out=$("$t" 2>&1); status=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        echo "!! $(basename "$t") ended without a summary (exit $status): counted as failed"
        crashed=$((crashed + 1)); failed=$((failed + 1)); continue
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "!! $(basename "$t") exited $status with no failed test: counted as failed"
        failed=$((failed + 1))
    fi
done
echo
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
