#!/bin/sh
# fuzz.sh - run each libFuzzer target for SECONDS, keeping a corpus under build/fuzz/corpus.
set -eu
seconds=$1; shift
for f in "$@"; do
    name=$(basename "$f")
    corpus=build/fuzz/corpus/$name
    mkdir -p "$corpus"
    [ -d "fuzz/seeds/$name" ] && cp -n fuzz/seeds/"$name"/* "$corpus"/ 2>/dev/null || true
    echo "== $name for ${seconds}s"
    "$f" -max_total_time="$seconds" -print_final_stats=1 "$corpus" 2>&1 | tail -n 3
done
