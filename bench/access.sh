#!/bin/sh
# bench/access.sh - the road-network benchmark (bench/access_bench.c: build, size, load, one-to-one
# routes, nearest facility over the whole graph, a generated 1M-node city), then routino on the
# same pairs and the same nearest-facility question in the same run, with the ratios.
#
#   bench/access.sh [OSM_FILE [PAIRS [FACILITIES [GRID_SIDE]]]]
#       default: ../shared/data/monaco.osm.pbf 200 20 1000
#
# It installs nothing: without routino (Debian package `routino`) it says how to get it and
# runs ours alone. Figures, not a test.
set -eu
cd "$(dirname "$0")/.."
osm=${1:-../shared/data/monaco.osm.pbf}
pairs=${2:-200}
facilities=${3:-20}
side=${4:-1000}
villages=10         # villages per mode that routino routes to every facility, one at a time

if [ ! -r "$osm" ]; then
    echo "access.sh: no OSM extract \"$osm\" (the default is ../shared/data/monaco.osm.pbf)" >&2
    exit 1
fi
make --no-print-directory -s build/release/bench_access build/release/yilian

dir=$(mktemp -d /tmp/yilian-access-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "== yilian"
build/release/bench_access "$osm" "$dir" "$pairs" "$facilities" "$side"

now() { date +%s.%N; }

# One `yilian access route` process per pair, as routino runs one process per route.
echo
n=0
t0=$(now)
while read -r mode lat1 lon1 lat2 lon2 ours; do
    m=car; [ "$mode" = foot ] && m=foot
    build/release/yilian access route --graph "$dir/graph.roads" --mode $m \
        --from "$lat1,$lon1" --to "$lat2,$lon2" --snap-limit 100 >/dev/null
    n=$((n + 1))
done < "$dir/pairs.txt"
t1=$(now)
ours_ms=$(echo "($t1 - $t0) * 1000 / $n" | bc -l)
printf 'yilian access route, one process per route: %d routes, %.2f ms a route\n' "$n" "$ours_ms"

if ! command -v planetsplitter >/dev/null || ! command -v routino-router >/dev/null; then
    echo
    echo "routino is not installed, so there is no peer to compare with; install it with"
    echo "    sudo apt-get install routino"
    exit 0
fi

echo
echo "== routino $(dpkg-query -W -f='${Version}' routino 2>/dev/null || echo)"
prof=/usr/share/routino/profiles.xml
t0=$(now)
planetsplitter --dir="$dir" --prefix=bench --tagging=/usr/share/routino/tagging.xml "$osm" \
    >"$dir/planetsplitter.log" 2>&1
t1=$(now)
printf 'planetsplitter (routino database build): %.2f s\n' "$(echo "$t1 - $t0" | bc -l)"

# Quickest time of one routino route in seconds (the sum of its segment durations), or "-".
routino_s() {
    routino-router --dir="$dir" --prefix=bench --profiles="$prof" --transport="$1" --quickest \
        --lat1="$2" --lon1="$3" --lat2="$4" --lon2="$5" --output-text-all --output-stdout \
        --quiet 2>/dev/null | awk '!/^#/ {s += $6 * 60; n++} END {if (n) printf "%.1f", s; else print "-"}'
}

n=0
t0=$(now)
: > "$dir/ratios.txt"
while read -r mode lat1 lon1 lat2 lon2 ours; do
    r=$(routino_s "$mode" "$lat1" "$lon1" "$lat2" "$lon2")
    n=$((n + 1))
    [ "$r" = "-" ] || echo "$mode $ours $r" >> "$dir/ratios.txt"
done < "$dir/pairs.txt"
t1=$(now)
routino_ms=$(echo "($t1 - $t0) * 1000 / $n" | bc -l)
printf 'routino-router, one process per route: %d routes, %.2f ms a route\n' "$n" "$routino_ms"
printf 'ratio routino / yilian (process per route): %.1f\n' "$(echo "$routino_ms / $ours_ms" | bc -l)"
for mode in motorcar foot; do
    awk -v m=$mode '$1 == m && $3 > 0 {print $2 / $3}' "$dir/ratios.txt" | sort -g | awk -v m=$mode '
        {r[NR] = $1} END {if (NR) printf "route time ours/routino, %s: %d routes, median %.3f, min %.3f, max %.3f\n",
            m, NR, r[int((NR + 1) / 2)], r[1], r[NR]}'
done

# The nearest facility of some villages, routino routing each village to every facility.
echo
for mode in motorcar foot; do
    grep "^facility $mode " "$dir/nearest.txt" | awk '{print $3, $4}' > "$dir/fac.txt"
    grep "^village $mode " "$dir/nearest.txt" | head -n $villages > "$dir/vil.txt"
    routes=0; worst=0
    t0=$(now)
    while read -r _ _ vlat vlon ours _; do
        best=""
        while read -r flat flon; do
            r=$(routino_s $mode "$vlat" "$vlon" "$flat" "$flon")
            routes=$((routes + 1))
            [ "$r" = "-" ] && continue
            if [ -z "$best" ] || [ "$(echo "$r < $best" | bc -l)" = 1 ]; then best=$r; fi
        done < "$dir/fac.txt"
        echo "$ours ${best:-0}" >> "$dir/near-$mode.txt"
    done < "$dir/vil.txt"
    t1=$(now)
    total=$(echo "$t1 - $t0" | bc -l)
    printf 'routino nearest facility, %s: %d villages x %d facilities = %d routes in %.2f s (%.2f s a village)\n' \
        $mode "$(wc -l < "$dir/vil.txt")" "$(wc -l < "$dir/fac.txt")" $routes "$total" \
        "$(echo "$total / $(wc -l < "$dir/vil.txt")" | bc -l)"
    awk -v m=$mode '$2 > 0 {r = $1 / $2; s += r; n++; if (r > mx) mx = r}
        END {if (n) printf "  nearest time ours/routino, %s: mean %.3f, max %.3f\n", m, s / n, mx}' \
        "$dir/near-$mode.txt"
    # Coverage answers every village at once; routino needs villages x facilities routes.
    cov=$(awk -v m=$mode '$1 == "coverage" && $2 == m {print $3, $4}' "$dir/nearest.txt")
    if [ -n "$cov" ]; then
        set -- $cov
        printf '  coverage of %d villages: yilian %.1f ms; routino at %.2f s a village would take %.0f s: ratio %.0f\n' \
            "$1" "$2" "$(echo "$total / $(wc -l < "$dir/vil.txt")" | bc -l)" \
            "$(echo "$total / $(wc -l < "$dir/vil.txt") * $1" | bc -l)" \
            "$(echo "$total / $(wc -l < "$dir/vil.txt") * $1 * 1000 / $2" | bc -l)"
    fi
done
echo "(yilian answers the nearest facility of every node of the extract in one multi-source"
echo " search: the \"extract: nearest\" lines above.)"
