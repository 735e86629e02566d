/*
 * date.h - civil (proleptic Gregorian) dates as day numbers.
 *
 * A date is an int32: days since 1970-01-01 (negative before). Day numbers make comparison,
 * differences and storage trivial; conversion to and from year/month/day uses Howard
 * Hinnant's days_from_civil algorithm (public domain description, reimplemented here).
 * Valid range: years 1 to 9999.
 */
#ifndef YL_DATE_H
#define YL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yl_err;

#define DATE_STR_LEN 11   /* "YYYY-MM-DD" plus NUL */
#define DATE_INVALID INT32_MIN

bool date_is_leap(int year);
int date_days_in_month(int year, int month);   /* 0 when month is outside 1..12 */
bool date_ymd_valid(int year, int month, int day);

/* Day number of a valid y-m-d (caller checks with date_ymd_valid). */
int32_t date_from_ymd(int year, int month, int day);
void date_to_ymd(int32_t days, int *year, int *month, int *day);

/*
 * Parse exactly "YYYY-MM-DD" (length n, no trailing characters). On failure returns
 * YL_EINVAL with `field` and a message saying what is wrong (format, month, day of month).
 */
int date_parse(const char *s, size_t n, int32_t *out, const char *field, struct yl_err *err);

/* Write "YYYY-MM-DD" into out (DATE_STR_LEN bytes); returns out. */
char *date_format(int32_t days, char out[DATE_STR_LEN]);

int32_t date_add_days(int32_t days, int n);
/* Add n months (may be negative); the day is clamped to the end of a shorter month
 * (2024-01-31 + 1 month = 2024-02-29). */
int32_t date_add_months(int32_t days, int n);

/* Completed years of age at date `at` (a person born on 29 February has a birthday on
 * 1 March in common years). Negative when at < birth. */
int date_age_years(int32_t birth, int32_t at);
/* Completed months of age at `at`. */
int date_age_months(int32_t birth, int32_t at);

/* ISO 8601 week: Monday is day 1, week 1 holds the year's first Thursday. */
int date_weekday_iso(int32_t days);              /* 1 = Monday … 7 = Sunday */
void date_iso_week(int32_t days, int *iso_year, int *week);

/* Today in UTC+8 (China Standard Time), the civil date the region works in. */
int32_t date_today(void);
/* The civil date (UTC+8) of unix time s. */
int32_t date_of_unix(int64_t s);

#define DATE_TIME_LEN 21  /* "YYYY-MM-DDTHH:MM:SSZ" plus NUL */
/* Unix time t as RFC 3339 in UTC ("2026-11-22T08:00:00Z": text order is time order); returns
 * out. */
char *date_time_format(int64_t t, char out[DATE_TIME_LEN]);

#endif
