#!/bin/sh
# banned.sh - fail when a banned C function appears in the sources (STYLE.md rule 27).
set -u
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|strncpy|strerror)[[:space:]]*\('
hits=$(grep -rnE "$pattern" src tests fuzz bench --include='*.c' --include='*.h' \
       | grep -vE '(snprintf|vsnprintf|strerror_r)' || true)
if [ -n "$hits" ]; then
    echo "banned functions used:"; echo "$hits"; exit 1
fi
echo "no banned functions"
