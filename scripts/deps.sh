#!/bin/sh
# deps.sh - install the Debian packages yilian needs to build, test and benchmark, when any
# is missing. As root it runs apt-get; otherwise it prints the exact command and stops.
set -eu

# build: compiler, pkg-config, libraries; tests: openssl and curl (the HTTPS test), clang
# and its fuzzer runtime (the fuzz smoke run; the runtime is only a Recommends of clang,
# which --no-install-recommends would skip); bench: wrk, curl, bc, sqlite3. Road graphs:
# libreadosm (OSM XML and PBF) and expat (a well-formedness check before libreadosm, which
# crashes on some malformed XML). Alert webhooks: libcurl (the HTTP client).
PACKAGES="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
libsodium-dev sqlite3 wrk curl clang libclang-rt-14-dev openssl bc libreadosm-dev
libexpat1-dev libcurl4-openssl-dev"
# web: the browser tests drive Debian's chromium (playwright-core from npm, see package.json)
PACKAGES="$PACKAGES chromium"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js and npm build the dashboard's libraries; a machine may have them from elsewhere
# (NodeSource's nodejs carries its own npm), so the commands are checked, not the packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "yilian needs these Debian packages:$missing" >&2
    echo "install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
