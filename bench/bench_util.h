/*
 * bench_util.h - what the benchmarks that build their own SQLite data share: a monotonic
 * clock, a failure that stops the run, a small deterministic generator (xorshift64*: the same
 * data on every run), and SQLite calls that stop the run on an error. Header only, because
 * each benchmark is one C file linked against the library (Makefile); messages name the
 * program (program_invocation_short_name, GNU).
 */
#ifndef YL_BENCH_UTIL_H
#define YL_BENCH_UTIL_H

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/err.h"

static inline double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline void die(const char *what, const struct yl_err *err)
{
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
            err ? yl_err_message(err) : "failed");
    exit(1);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static inline uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* 0 .. n - 1. */
static inline int pick(int n)
{
    return (int)(rng() % (uint64_t)n);
}

static inline void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n  in: %.200s\n", program_invocation_short_name,
                msg ? msg : "?", sql);
        exit(1);
    }
}

static inline sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n  in: %.200s\n", program_invocation_short_name,
                sqlite3_errmsg(db), sql);
        exit(1);
    }
    return st;
}

/* Step a statement that returns no row, then reset it for the next bind. */
static inline void step_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        fprintf(stderr, "%s: %s\n", program_invocation_short_name, sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(st);
}

#endif
