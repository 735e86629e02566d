/*
 * date.c - proleptic Gregorian dates as day numbers since 1970-01-01.
 *
 * The conversions shift the year to start on 1 March, so the leap day is the last day of
 * its year, and count in 400-year eras of 146097 days (H. Hinnant, "chrono-Compatible
 * Low-Level Date Algorithms"). Weeks follow ISO 8601; ages count completed anniversaries.
 */
#include "date.h"

#include <assert.h>
#include <stdio.h>
#include <time.h>

#include "err.h"

#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999

/* Day numbers of 0001-01-01 and 9999-12-31, the ends of the valid range. */
#define DATE_DAYS_MIN (-719162)
#define DATE_DAYS_MAX 2932896

#define DATE_EPOCH_SHIFT 719468   /* days from 0000-03-01 to 1970-01-01 */
#define DATE_ERA_DAYS 146097      /* days in 400 Gregorian years */

/* China Standard Time is UTC+8 all year; there is no daylight saving time. */
#define DATE_UTC_OFFSET_S (8 * 3600)
#define DATE_DAY_S 86400

static const int date_month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* Floor division, for day and month counts before the epoch. */
static int64_t date_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t date_floor_mod(int64_t a, int64_t b)
{
    return a - date_floor_div(a, b) * b;
}

bool date_is_leap(int year)
{
    if (year % 4 != 0)
        return false;
    if (year % 100 != 0)
        return true;
    return year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && date_is_leap(year))
        return 29;
    return date_month_days[month - 1];
}

bool date_ymd_valid(int year, int month, int day)
{
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX)
        return false;
    if (month < 1 || month > 12)
        return false;
    return day >= 1 && day <= date_days_in_month(year, month);
}

/* Day number of any y-m-d with a month in 1..12, in 64 bits so that callers can check the
 * result against the valid range before narrowing it. */
static int64_t date_days_from_civil(int64_t year, int month, int day)
{
    /* Count years from March so that February, and its leap day, ends the year. */
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = date_floor_div(y, 400);
    int64_t year_of_era = y - era * 400;                        /* 0..399 */
    int month_from_march = month > 2 ? month - 3 : month + 9;   /* 0..11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

    return era * DATE_ERA_DAYS + day_of_era - DATE_EPOCH_SHIFT;
}

int32_t date_from_ymd(int year, int month, int day)
{
    assert(month >= 1 && month <= 12);
    return (int32_t)date_days_from_civil(year, month, day);
}

/* Inverse of date_days_from_civil, for any day number that fits an int year. */
static void date_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + DATE_EPOCH_SHIFT;
    int64_t era = date_floor_div(z, DATE_ERA_DAYS);
    int64_t day_of_era = z - era * DATE_ERA_DAYS;               /* 0..146096 */
    /* Undo the era's leap days before dividing by 365: one per 1460 days (4 years), none per
     * 36524 (100 years), and the extra one on the era's last day, 146096. */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                           - day_of_era / (DATE_ERA_DAYS - 1)) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;    /* 0..11 */
    int m = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    int64_t y = year_of_era + era * 400 + (m <= 2 ? 1 : 0);

    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = m;
    *year = (int)y;
}

void date_to_ymd(int32_t days, int *year, int *month, int *day)
{
    date_civil_from_days(days, year, month, day);
}

/* Value of n decimal digits at s, or -1 if one of them is not a digit. */
static int date_digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int date_parse(const char *s, size_t n, int32_t *out, const char *field, struct yl_err *err)
{
    int year, month, day, mdays;

    assert(out != NULL);
    assert(s != NULL || n == 0);
    /* Dates may be birth dates, so the messages name the part at fault, not the value. */
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return yl_err_set(err, YL_EINVAL, field, "date must have the form YYYY-MM-DD");
    year = date_digits(s, 4);
    month = date_digits(s + 5, 2);
    day = date_digits(s + 8, 2);
    if (year < 0 || month < 0 || day < 0)
        return yl_err_set(err, YL_EINVAL, field, "date must have the form YYYY-MM-DD");
    if (year < DATE_YEAR_MIN)
        return yl_err_set(err, YL_EINVAL, field, "year must be between 0001 and 9999");
    if (month < 1 || month > 12)
        return yl_err_set(err, YL_EINVAL, field, "month must be between 01 and 12");
    mdays = date_days_in_month(year, month);
    if (day < 1 || day > mdays)
        return yl_err_set(err, YL_EINVAL, field,
                          "day of month must be between 01 and %02d", mdays);
    *out = date_from_ymd(year, month, day);
    return 0;
}

/* Write v as exactly `width` decimal digits, zero-padded. */
static void date_put_digits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

char *date_format(int32_t days, char out[DATE_STR_LEN])
{
    int y = 0, m = 0, d = 0;

    /* Out-of-range day numbers (DATE_INVALID among them) have no four-digit year; they are
     * written as all zeros rather than as a date that looks real. */
    if (days >= DATE_DAYS_MIN && days <= DATE_DAYS_MAX)
        date_to_ymd(days, &y, &m, &d);
    date_put_digits(out, y, 4);
    out[4] = '-';
    date_put_digits(out + 5, m, 2);
    out[7] = '-';
    date_put_digits(out + 8, d, 2);
    out[10] = '\0';
    return out;
}

/* The day number, or DATE_INVALID when it falls outside years 1..9999. */
static int32_t date_in_range(int64_t days)
{
    if (days < DATE_DAYS_MIN || days > DATE_DAYS_MAX)
        return DATE_INVALID;
    return (int32_t)days;
}

int32_t date_add_days(int32_t days, int n)
{
    if (days < DATE_DAYS_MIN || days > DATE_DAYS_MAX)
        return DATE_INVALID;
    return date_in_range((int64_t)days + n);
}

int32_t date_add_months(int32_t days, int n)
{
    int y, m, d, mdays;
    int64_t months, year;
    int month;

    if (days < DATE_DAYS_MIN || days > DATE_DAYS_MAX)
        return DATE_INVALID;
    date_to_ymd(days, &y, &m, &d);
    months = (int64_t)y * 12 + (m - 1) + n;
    year = date_floor_div(months, 12);
    month = (int)date_floor_mod(months, 12) + 1;
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX)
        return DATE_INVALID;
    mdays = date_days_in_month((int)year, month);
    if (d > mdays)
        d = mdays;
    return date_in_range(date_days_from_civil(year, month, d));
}

/*
 * Both ages compare (month, day) of `at` with those of the birth date: an anniversary that
 * does not exist in a shorter month (29 February, or the 31st) is reached on the first day
 * of the next month. This gives 1 March for leap-day birthdays and keeps
 * date_age_years == floor(date_age_months / 12).
 */
int date_age_years(int32_t birth, int32_t at)
{
    int by, bm, bd, ay, am, ad;
    int years;

    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(at, &ay, &am, &ad);
    years = ay - by;
    if (am < bm || (am == bm && ad < bd))
        years--;
    return years;
}

int date_age_months(int32_t birth, int32_t at)
{
    int by, bm, bd, ay, am, ad;
    int months;

    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(at, &ay, &am, &ad);
    months = (ay - by) * 12 + (am - bm);
    if (ad < bd)
        months--;
    return months;
}

int date_weekday_iso(int32_t days)
{
    /* Day 0, 1970-01-01, was a Thursday (4). */
    return (int)date_floor_mod((int64_t)days + 3, 7) + 1;
}

void date_iso_week(int32_t days, int *iso_year, int *week)
{
    /* A week belongs to the year that holds its Thursday. */
    int64_t thursday = (int64_t)days - date_weekday_iso(days) + 4;
    int y, m, d;
    int64_t jan1;

    date_civil_from_days(thursday, &y, &m, &d);
    jan1 = date_days_from_civil(y, 1, 1);
    *iso_year = y;
    *week = (int)((thursday - jan1) / 7 + 1);
}

char *date_time_format(int64_t t, char out[DATE_TIME_LEN])
{
    int64_t days = date_floor_div(t, DATE_DAY_S), s = t - days * DATE_DAY_S;
    char day[DATE_STR_LEN];
    snprintf(out, DATE_TIME_LEN, "%sT%02d:%02d:%02dZ", date_format((int32_t)days, day),
             (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    return out;
}

int32_t date_of_unix(int64_t s)
{
    return (int32_t)date_floor_div(s + DATE_UTC_OFFSET_S, DATE_DAY_S);
}

int32_t date_today(void)
{
    return date_of_unix((int64_t)time(NULL));
}
