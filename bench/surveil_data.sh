#!/bin/sh
# surveil_data.sh - surveillance data figures (not a test): import N synthetic case reports
# and D days of syndromic counts for 200 villages through `yilian import`, import them again
# (every row unchanged), then time `yilian surveil series` for a county and a village over
# the whole range, and `surveil series | surveil detect`.
#
#   bench/surveil_data.sh [YILIAN] [CASES] [YEARS]     (defaults build/release/yilian 200000 3)
set -eu
BIN=${1:-build/release/yilian}
CASES=${2:-200000}
YEARS=${3:-3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/bench.db"

now() { date +%s.%N; }
took() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }

# One county, 20 townships of 10 villages, a township center in each.
{
    echo "code,name,parent_code"
    echo "22,Jilin,"; echo "2224,Yanbian,22"; echo "222404,Hunchun,2224"
    t=1; while [ $t -le 20 ]; do
        tc=$(printf "222404%03d" $t); echo "$tc,Township $t,222404"
        v=1; while [ $v -le 10 ]; do echo "$(printf "%s%03d" $tc $v),Village $t-$v,$tc"; v=$((v + 1)); done
        t=$((t + 1))
    done
} > "$DIR/ous.csv"
{
    echo "code,name,type,ou_code"
    t=1; while [ $t -le 20 ]; do echo "T$t,Center $t,township_center,$(printf "222404%03d" $t)"; t=$((t + 1)); done
} > "$DIR/facilities.csv"
"$BIN" --db "$DB" import ous "$DIR/ous.csv" > /dev/null
"$BIN" --db "$DB" import facilities "$DIR/facilities.csv" > /dev/null

DAYS=$((YEARS * 365))
awk -v n="$CASES" -v days="$DAYS" 'BEGIN {
    srand(7); print "external_id,disease,classification,onset_date,diagnosed_at,reported_at,facility,age_years,sex,ou";
    split("hfmd influenza tuberculosis hepatitis_b infectious_diarrhea mumps scarlet_fever", dz, " ");
    for (i = 1; i <= n; i++) {
        d = int(rand() * days); t = 1 + int(rand() * 20); v = 1 + int(rand() * 10);
        t0 = mktime("2023 01 01 08 00 00") + d * 86400;
        on = strftime("%Y-%m-%d", t0); dg = strftime("%Y-%m-%dT%H:%M:%S+08:00", t0 + 86400);
        rp = strftime("%Y-%m-%dT%H:%M:%S+08:00", t0 + 86400 + int(rand() * 30 * 3600));
        printf "B-%d,%s,confirmed,%s,%s,%s,T%d,%d,%d,222404%03d%03d\n", i, dz[1 + int(rand() * 7)],
               on, dg, rp, t, int(rand() * 80), 1 + int(rand() * 2), t, v;
    } }' > "$DIR/cases.csv"
awk -v days="$DAYS" 'BEGIN {
    srand(11); print "date,ou,channel,value";
    for (d = 0; d < days; d++) for (t = 1; t <= 20; t++)
        printf "%s,222404%03d,fever_clinic,%d\n", strftime("%Y-%m-%d", mktime("2023 01 01 12 00 00") + d * 86400), t, int(rand() * 30);
    }' > "$DIR/syndromic.csv"

t0=$(now); "$BIN" --db "$DB" import cases "$DIR/cases.csv"; t1=$(now)
echo "import cases: $CASES rows in $(took $t0 $t1) s"
t0=$(now); "$BIN" --db "$DB" import cases "$DIR/cases.csv"; t1=$(now)
echo "import cases again (all unchanged): $(took $t0 $t1) s"
ROWS=$((DAYS * 20))
t0=$(now); "$BIN" --db "$DB" import syndromic "$DIR/syndromic.csv"; t1=$(now)
echo "import syndromic: $ROWS rows in $(took $t0 $t1) s"

TO=$(date -d "2023-01-01 + $((DAYS - 1)) days" +%Y-%m-%d)
series() { "$BIN" --db "$DB" surveil series "$@" --from 2023-01-01 --to "$TO"; }
t0=$(now); for i in 1 2 3 4 5 6 7 8 9 10; do series --disease hfmd --ou 222404 > /dev/null; done; t1=$(now)
echo "series hfmd, county, $DAYS days: $(took $t0 $t1) s for 10 runs (process start included)"
t0=$(now); for i in 1 2 3 4 5 6 7 8 9 10; do series --disease hfmd --ou 222404001001 > /dev/null; done; t1=$(now)
echo "series hfmd, one village: $(took $t0 $t1) s for 10 runs"
t0=$(now); for i in 1 2 3 4 5 6 7 8 9 10; do series --channel fever_clinic --ou 222404 > /dev/null; done; t1=$(now)
echo "series fever_clinic, county: $(took $t0 $t1) s for 10 runs"
t0=$(now); series --disease hfmd --ou 222404 | "$BIN" surveil detect --method mpm --param years=2 - | tail -n +2 | awk -F, '$5 == 1 {a++} END {print "mpm alarms on the county hfmd series:", a + 0}'; t1=$(now)
echo "series | detect: $(took $t0 $t1) s"
