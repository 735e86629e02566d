#!/bin/sh
# demo.sh - make demo: a fresh demo database, served on http://127.0.0.1:8080.
# The first start creates the "admin" account and prints its password.
set -eu
bin=${1:-build/release/yilian}
mkdir -p var
rm -f var/demo.db var/demo.db-wal var/demo.db-shm
port=${YILIAN_PORT:-8080}
echo "yilian demo: database var/demo.db, web dashboard and API on http://127.0.0.1:$port"
echo "stop with Ctrl-C"
exec "$bin" --db var/demo.db --port "$port" --web_root web serve
