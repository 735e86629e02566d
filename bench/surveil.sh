#!/bin/sh
# bench/surveil.sh - the surveillance detectors' time on long series (bench/surveil_bench.c)
# and, when R and its surveillance package are installed, the same methods in R on the same
# simulated series in the same run, with the ratio. Installs nothing.
#
#   bench/surveil.sh [UNITS DISEASES YEARS FSERIES FWEEKS]    (default 1000 50 5 1000 520)
#
# R is slow, so it runs on the first R_DAILY (default 32) daily series for earsC, R_FARR (8)
# weekly series for farrington and R_FLEX (2) for farringtonFlexible; its time per series
# is scaled to the full count, and the script says so. The series are the same data our run
# uses (dumped as CSV), with the same parameters: earsC alpha 0.001 (C1, C2) and 0.025 (C3);
# farrington b 5, w 3; farringtonFlexible as Noufaily et al.: 10 periods, 26 past weeks
# excluded, weights threshold 2.58, negative binomial quantile. CUSUM and the moving
# percentile method have no counterpart there and are timed alone.
set -eu
cd "$(dirname "$0")/.."
bin=build/release/bench_surveil
make --no-print-directory -s "$bin"

dir=$(mktemp -d /tmp/yilian-surveil-XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "yilian detectors"
"$bin" "$@" --dump "$dir" | tee "$dir/ours.txt" | grep -v '^RESULT'

if ! command -v Rscript >/dev/null 2>&1 ||
   ! Rscript -e 'suppressPackageStartupMessages(library(surveillance))' >/dev/null 2>&1; then
    echo
    echo "R surveillance not installed: ours alone. For the comparison (Debian):"
    echo "    apt-get install -y r-cran-surveillance"
    exit 0
fi

echo
echo "R surveillance on a subset, scaled per series"
R_DAILY=${R_DAILY:-32} R_FARR=${R_FARR:-8} R_FLEX=${R_FLEX:-2} Rscript - "$dir" <<'REOF' | tee "$dir/r.txt"
suppressPackageStartupMessages(library(surveillance))
dir <- commandArgs(trailingOnly = TRUE)[1]
daily <- as.matrix(read.csv(file.path(dir, "daily.csv"), header = FALSE))
weekly <- as.matrix(read.csv(file.path(dir, "weekly.csv"), header = FALSE))
nd <- as.integer(Sys.getenv("R_DAILY")); nf <- as.integer(Sys.getenv("R_FARR"))
nx <- as.integer(Sys.getenv("R_FLEX"))
per_series <- function(name, n, f) {
    t <- system.time(for (i in seq_len(n)) f(i))[["elapsed"]]
    cat(sprintf("%-20s %3d series %9.3f s  %10.1f ms/series\n", name, n, t, 1000 * t / n))
    cat(sprintf("RTIME %s %.6f\n", name, t / n))
}
ds <- function(i) sts(observed = matrix(daily[, i], ncol = 1), frequency = 365, start = c(2000, 1))
ws <- function(i) sts(observed = matrix(weekly[, i], ncol = 1), frequency = 52, start = c(2000, 1))
per_series("ears_c1", nd, function(i) earsC(ds(i), control = list(method = "C1", alpha = 0.001)))
per_series("ears_c2", nd, function(i) earsC(ds(i), control = list(method = "C2", alpha = 0.001)))
per_series("ears_c3", nd, function(i) earsC(ds(i), control = list(method = "C3", alpha = 0.025)))
n <- nrow(weekly)
per_series("farrington", nf, function(i)
    suppressWarnings(farrington(ws(i), control = list(b = 5, w = 3, range = (52 * 5 - 3):n))))
per_series("farrington_flexible", nx, function(i)
    suppressWarnings(farringtonFlexible(ws(i), control = list(b = 5, w = 3, noPeriods = 10,
        pastWeeksNotIncluded = 26, weightsThreshold = 2.58, thresholdMethod = "nbPlugin",
        glmWarnings = FALSE))))
REOF

echo
echo "side by side (R scaled from its subset to the full series count)"
awk '
    FNR == NR && $1 == "RESULT" { ours[$2] = $3; n[$2] = $4; next }
    $1 == "RTIME" { r[$2] = $3 }
    END {
        printf "%-20s %8s %12s %12s %10s\n", "method", "series", "yilian s", "R s (scaled)", "R/yilian"
        split("ears_c1 ears_c2 ears_c3 farrington farrington_flexible", m, " ")
        for (i = 1; i <= 5; i++) {
            k = m[i]; if (!(k in r) || !(k in ours)) continue
            rs = r[k] * n[k]
            printf "%-20s %8d %12.3f %12.1f %9.0fx\n", k, n[k], ours[k], rs, rs / ours[k]
        }
    }' "$dir/ours.txt" "$dir/r.txt"
