#!/bin/sh
# demo.sh - make demo: generate the demo region (Hunchun, 206,234 health records) into a
# fresh database through the importers, print one login per role, and serve it on
# http://127.0.0.1:8080 (YILIAN_PORT to change).
set -eu
bin=${1:-build/release/yilian}
mkdir -p var
rm -rf var/demo.db var/demo.db-wal var/demo.db-shm var/demo.db.demo
port=${YILIAN_PORT:-8080}
"$bin" --db var/demo.db demo
echo
echo "yilian demo: database var/demo.db; web dashboard and API on http://127.0.0.1:$port"
echo "try: yilian --db var/demo.db report --ou 222404 --period $(date +%Y)"
echo "stop with Ctrl-C"
exec "$bin" --db var/demo.db --port "$port" --web_root web serve
