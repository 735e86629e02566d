#!/usr/bin/env Rscript
# bench/surveil_reference.R - reference outputs of R surveillance's earsC, farrington and
# farringtonFlexible for tests/test_surveil_detect.c, written to
# tests/data/surveil-reference.csv. R is needed to regenerate the file, not to run the tests.
#
#   apt-get install -y r-cran-surveillance
#   Rscript bench/surveil_reference.R [tests/data/surveil-reference.csv]
#
# The series: two of the package's example data sets (salmonella.agona, weekly 1990-1995;
# salmNewport summed over its 16 regions, weekly 2004-2014) and three simulated with a fixed
# seed (a daily Poisson series with an outbreak, a sparse daily series, a seasonal weekly
# negative binomial series of 7 years with a trend and an outbreak in its last year).
# Weekly series are built as sts objects without dates (epochAsDate FALSE), so reference
# weeks are found by index (t - 52 i), as yilian does.
#
# Each config name in the `method` column is one entry of the table in the test. Rows with
# method "data" hold the series itself. t is R's 1-based index.
suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) >= 1) args[1] else "tests/data/surveil-reference.csv"

make_series <- function() {
    set.seed(20240601)
    daily <- rpois(150, 6)
    daily[121:127] <- daily[121:127] + c(3, 7, 12, 16, 11, 6, 2)
    sparse <- rpois(120, 0.7)
    sparse[100:103] <- sparse[100:103] + c(2, 4, 3, 1)
    wk <- 1:364
    mu <- exp(1.6 + 0.7 * sin(2 * pi * wk / 52) + 0.6 * cos(2 * pi * wk / 52) + 0.0015 * wk)
    seasonal <- rnbinom(length(wk), mu = mu, size = 8)
    seasonal[340:345] <- seasonal[340:345] + c(4, 9, 15, 12, 6, 3)
    data("salmonella.agona", envir = environment())
    data("salmNewport", envir = environment())
    list(daily_sim = daily,
         daily_sparse = sparse,
         agona = as.numeric(salmonella.agona$observed),
         newport = as.numeric(rowSums(observed(salmNewport))),
         seasonal_sim = seasonal)
}

weekly_sts <- function(x) sts(observed = matrix(x, ncol = 1), frequency = 52, start = c(2000, 1))
daily_sts <- function(x) sts(observed = matrix(x, ncol = 1), frequency = 365, start = c(2000, 1))

# config name -> function(series) returning data.frame(t, expected, upperbound, alarm)
ears <- function(method, alpha, minSigma = 0) function(x) {
    res <- earsC(daily_sts(x), control = list(method = method, alpha = alpha,
                                              baseline = 7, minSigma = minSigma))
    r <- res@control$range
    data.frame(t = r, expected = NA, upperbound = upperbound(res)[, 1],
               alarm = as.integer(alarms(res)[, 1]))
}

farr <- function(...) function(x) {
    ctl <- list(...)
    # The sts wrapper wants the range spelled out: algo.farrington's default, 52 b - w on.
    ctl$range <- (52 * ctl$b - ctl$w):length(x)
    res <- farrington(weekly_sts(x), control = ctl)
    r <- res@control$range
    # control$pd[, 2] is the median of the predictive distribution on the power scale
    # transformed back, i.e. the fitted mean mu0.
    data.frame(t = r, expected = res@control$pd[, 2], upperbound = upperbound(res)[, 1],
               alarm = as.integer(alarms(res)[, 1]))
}

flex <- function(...) function(x) {
    ctl <- list(...)
    res <- farringtonFlexible(weekly_sts(x), control = ctl)
    r <- (52 * ctl$b + ctl$w + 1):length(x)
    data.frame(t = r, expected = res@control$expected[, 1], upperbound = upperbound(res)[, 1],
               alarm = as.integer(alarms(res)[, 1]))
}

runs <- list(
    list("daily_sim", "ears_c1", ears("C1", 0.001)),
    list("daily_sim", "ears_c2", ears("C2", 0.001)),
    list("daily_sim", "ears_c3", ears("C3", 0.025)),
    list("daily_sparse", "ears_c1_ms05", ears("C1", 0.001, 0.5)),
    list("daily_sparse", "ears_c2_ms05", ears("C2", 0.001, 0.5)),
    list("daily_sparse", "ears_c3_ms05", ears("C3", 0.025, 0.5)),
    list("agona", "ears_c1", ears("C1", 0.001)),
    list("agona", "ears_c3", ears("C3", 0.025)),
    list("agona", "farrington", farr(b = 5, w = 3, alpha = 0.05)),
    list("agona", "farrington_b3w2a01", farr(b = 3, w = 2, alpha = 0.01)),
    list("newport", "farrington", farr(b = 5, w = 3, alpha = 0.05)),
    list("seasonal_sim", "farrington", farr(b = 5, w = 3, alpha = 0.05)),
    list("seasonal_sim", "farrington_b3w2a01", farr(b = 3, w = 2, alpha = 0.01)),
    list("agona", "flex_r", flex(b = 5, w = 3, alpha = 0.05)),
    list("newport", "flex_r", flex(b = 5, w = 3, alpha = 0.05)),
    list("seasonal_sim", "flex_r", flex(b = 5, w = 3, alpha = 0.05)),
    list("newport", "flex_noufaily", flex(b = 5, w = 3, alpha = 0.05, noPeriods = 10,
                                          pastWeeksNotIncluded = 26, weightsThreshold = 2.58,
                                          thresholdMethod = "nbPlugin")),
    list("seasonal_sim", "flex_noufaily", flex(b = 5, w = 3, alpha = 0.05, noPeriods = 10,
                                               pastWeeksNotIncluded = 26,
                                               weightsThreshold = 2.58,
                                               thresholdMethod = "nbPlugin")),
    list("seasonal_sim", "flex_muan", flex(b = 4, w = 2, alpha = 0.01, noPeriods = 4,
                                           pastWeeksNotIncluded = 8, weightsThreshold = 2.58,
                                           thresholdMethod = "muan")),
    list("seasonal_sim", "flex_delta10", flex(b = 5, w = 3, alpha = 0.05, noPeriods = 10,
                                              pastWeeksNotIncluded = 26,
                                              weightsThreshold = 2.58))
)

series <- make_series()
rows <- list()
for (name in names(series)) {
    x <- series[[name]]
    rows[[length(rows) + 1]] <- data.frame(series = name, method = "data", t = seq_along(x),
                                           observed = x, expected = NA, upperbound = NA,
                                           alarm = NA)
}
for (run in runs) {
    x <- series[[run[[1]]]]
    res <- run[[3]](x)
    rows[[length(rows) + 1]] <- data.frame(series = run[[1]], method = run[[2]], t = res$t,
                                           observed = x[res$t], expected = res$expected,
                                           upperbound = res$upperbound, alarm = res$alarm)
}
all <- do.call(rbind, rows)
all$expected <- ifelse(is.na(all$expected), "NA", sprintf("%.15g", all$expected))
all$upperbound <- ifelse(is.na(all$upperbound), "NA", sprintf("%.15g", all$upperbound))
write.csv(all, out_file, row.names = FALSE, quote = FALSE, na = "NA")
cat(sprintf("wrote %d rows to %s (surveillance %s, %s)\n", nrow(all), out_file,
            packageVersion("surveillance"), R.version.string))
