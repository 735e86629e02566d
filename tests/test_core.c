/*
 * test_core.c - unit tests for the pure core modules: date, idno and adcode.
 *
 * Expected values come from outside the code under test: published ID numbers, ISO week
 * tables, and a naive day-by-day calendar and check-digit computation written here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/adcode.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/text.h"
#include "test.h"

#define FIELD "id_number"

/* ------------------------------------------------------------------ helpers */

/* Day number of a date known to be valid, to keep the tables short. */
static int32_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

static int parse_date(const char *s, int32_t *out, struct yl_err *err)
{
    yl_err_clear(err);
    return date_parse(s, strlen(s), out, "birth_date", err);
}

static const char *fmt(int32_t days, char buf[DATE_STR_LEN])
{
    return date_format(days, buf);
}

/* Check character by the definition in ISO 7064 rather than by tables: weight of position
 * i (from the left) is 2^(17-i) mod 11, and the check value c makes sum + c == 1 (mod 11). */
static char naive_check_char(const char *digits17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int w = 1;
        for (int k = 0; k < 17 - i; k++)
            w = (w * 2) % 11;
        sum += (digits17[i] - '0') * w;
    }
    int c = (12 - sum % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

/* Complete a 17-digit body into an 18-character number with the right check character. */
static void make_id(char out[IDNO_LEN + 1], const char *body17)
{
    memcpy(out, body17, 17);
    out[17] = naive_check_char(body17);
    out[18] = '\0';
}

static int parse_id(const char *s, int32_t today, struct idno_info *info, struct yl_err *err)
{
    yl_err_clear(err);
    memset(info, 0, sizeof(*info));
    return idno_parse(s, strlen(s), today, info, FIELD, err);
}

/* True when the message contains any 6 consecutive characters of the number. */
static bool leaks_number(const char *message, const char *number)
{
    size_t n = strlen(number);
    char window[7];
    for (size_t i = 0; i + 6 <= n; i++) {
        memcpy(window, number + i, 6);
        window[6] = '\0';
        if (strstr(message, window) != NULL)
            return true;
    }
    return false;
}

static int validate_code(const char *code, struct yl_err *err)
{
    yl_err_clear(err);
    return adcode_validate(code, strlen(code), "adcode", err);
}

/* ------------------------------------------------------------------ date */

TEST(date_leap_years)
{
    CHECK(!date_is_leap(1900));
    CHECK(date_is_leap(2000));
    CHECK(date_is_leap(2024));
    CHECK(!date_is_leap(2023));
    CHECK(!date_is_leap(2100));
    CHECK(date_is_leap(1600));
    CHECK_INT(date_days_in_month(1900, 2), 28);
    CHECK_INT(date_days_in_month(2000, 2), 29);
    CHECK_INT(date_days_in_month(2024, 2), 29);
    CHECK_INT(date_days_in_month(2023, 2), 28);
    CHECK_INT(date_days_in_month(2023, 4), 30);
    CHECK_INT(date_days_in_month(2023, 12), 31);
    CHECK_INT(date_days_in_month(2023, 0), 0);
    CHECK_INT(date_days_in_month(2023, 13), 0);
}

TEST(date_ymd_valid)
{
    CHECK(date_ymd_valid(2024, 2, 29));
    CHECK(!date_ymd_valid(2023, 2, 29));
    CHECK(!date_ymd_valid(1900, 2, 29));
    CHECK(date_ymd_valid(2000, 2, 29));
    CHECK(!date_ymd_valid(2024, 4, 31));
    CHECK(!date_ymd_valid(2024, 1, 0));
    CHECK(!date_ymd_valid(2024, 0, 1));
    CHECK(!date_ymd_valid(2024, 13, 1));
    CHECK(!date_ymd_valid(0, 1, 1));
    CHECK(date_ymd_valid(1, 1, 1));
    CHECK(date_ymd_valid(9999, 12, 31));
    CHECK(!date_ymd_valid(10000, 1, 1));
}

TEST(date_known_day_numbers)
{
    CHECK_INT(ymd(1970, 1, 1), 0);
    CHECK_INT(ymd(1969, 12, 31), -1);
    CHECK_INT(ymd(2000, 1, 1), 10957);
    CHECK_INT(ymd(1900, 1, 1), -25567);
    CHECK_INT(ymd(2024, 2, 29), 19782);
    CHECK_INT(ymd(1, 1, 1), -719162);
    CHECK_INT(ymd(9999, 12, 31), 2932896);
}

/* Walk every day from 1900-01-01 to 2100-12-31 with a naive calendar and compare. */
TEST(date_round_trip_1900_2100)
{
    int y = 1900, m = 1, d = 1;
    int32_t expect = -25567;
    long checked = 0;

    while (y <= 2100) {
        int ry, rm, rd;
        int32_t days = date_from_ymd(y, m, d);
        CHECK_INT(days, expect);
        date_to_ymd(days, &ry, &rm, &rd);
        CHECK_INT(ry, y);
        CHECK_INT(rm, m);
        CHECK_INT(rd, d);

        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int len = m == 2 ? 28 + leap : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
        d++;
        if (d > len) {
            d = 1;
            m++;
        }
        if (m > 12) {
            m = 1;
            y++;
        }
        expect++;
        checked++;
    }
    CHECK_INT(checked, 73414);   /* 201 years, 49 of them leap (1900 and 2100 are not) */
}

/* The whole valid range: to_ymd then from_ymd gives the day back. */
TEST(date_round_trip_full_range)
{
    for (int32_t days = ymd(1, 1, 1); days <= ymd(9999, 12, 31); days += 37) {
        int y, m, d;
        date_to_ymd(days, &y, &m, &d);
        CHECK(date_ymd_valid(y, m, d));
        CHECK_INT(date_from_ymd(y, m, d), days);
    }
}

TEST(date_format)
{
    char buf[DATE_STR_LEN];
    CHECK_STR(fmt(0, buf), "1970-01-01");
    CHECK_STR(fmt(ymd(2024, 2, 29), buf), "2024-02-29");
    CHECK_STR(fmt(ymd(1, 1, 1), buf), "0001-01-01");
    CHECK_STR(fmt(ymd(9999, 12, 31), buf), "9999-12-31");
    CHECK_STR(fmt(DATE_INVALID, buf), "0000-00-00");
}

TEST(date_parse_accepts)
{
    struct yl_err err;
    int32_t d = 0;
    char buf[DATE_STR_LEN];

    CHECK_INT(parse_date("2024-02-29", &d, &err), 0);
    CHECK_INT(d, 19782);
    CHECK_INT(err.code, 0);
    CHECK_INT(parse_date("1970-01-01", &d, &err), 0);
    CHECK_INT(d, 0);
    CHECK_INT(parse_date("0001-01-01", &d, &err), 0);
    CHECK_INT(d, -719162);
    CHECK_INT(parse_date("9999-12-31", &d, &err), 0);
    CHECK_INT(d, 2932896);
    /* Length-delimited: only the first n characters are read. */
    yl_err_clear(&err);
    CHECK_INT(date_parse("2000-01-01T08:00", 10, &d, "at", &err), 0);
    CHECK_INT(d, 10957);
    /* Parse and format agree on every tenth day of a century. */
    for (int32_t days = ymd(1950, 1, 1); days < ymd(2050, 1, 1); days += 10) {
        int32_t back = 0;
        CHECK_INT(parse_date(fmt(days, buf), &back, &err), 0);
        CHECK_INT(back, days);
    }
}

TEST(date_parse_refuses)
{
    static const struct {
        const char *text;
        const char *reason;
    } cases[] = {
        { "2023-02-29", "day of month must be between 01 and 28" },
        { "2024-02-30", "day of month must be between 01 and 29" },
        { "2024-04-31", "day of month must be between 01 and 30" },
        { "2024-01-00", "day of month" },
        { "2024-13-01", "month must be between 01 and 12" },
        { "2024-00-10", "month must be between 01 and 12" },
        { "0000-01-01", "year must be between 0001 and 9999" },
        { "2024-1-01", "YYYY-MM-DD" },
        { "2024-01-1", "YYYY-MM-DD" },
        { "2024-01-011", "YYYY-MM-DD" },
        { "2024-01-01 ", "YYYY-MM-DD" },
        { "2024-01-01x", "YYYY-MM-DD" },
        { "", "YYYY-MM-DD" },
        { "2024/01/01", "YYYY-MM-DD" },
        { "20240101", "YYYY-MM-DD" },
        { "+024-01-01", "YYYY-MM-DD" },
        { "2024-0a-01", "YYYY-MM-DD" },
        { " 024-01-01", "YYYY-MM-DD" },
        { "2024--1-01", "YYYY-MM-DD" },
    };
    struct yl_err err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t d = 12345;
        CHECK_INT(parse_date(cases[i].text, &d, &err), YL_EINVAL);
        CHECK_INT(err.code, YL_EINVAL);
        CHECK_STR(err.field, "birth_date");
        CHECK_CONTAINS(err.message, cases[i].reason);
        CHECK_INT(d, 12345);   /* untouched on failure */
    }
    /* A NULL err is allowed: only the code comes back. */
    int32_t d = 0;
    CHECK_INT(date_parse("2024-13-01", 10, &d, "x", NULL), YL_EINVAL);
    /* An embedded NUL is a format error, not the end of the string. */
    CHECK_INT(date_parse("2024-01\0001", 10, &d, "x", NULL), YL_EINVAL);
}

TEST(date_add_days)
{
    char buf[DATE_STR_LEN];
    CHECK_STR(fmt(date_add_days(ymd(2024, 2, 28), 1), buf), "2024-02-29");
    CHECK_STR(fmt(date_add_days(ymd(2023, 2, 28), 1), buf), "2023-03-01");
    CHECK_STR(fmt(date_add_days(ymd(2024, 12, 31), 1), buf), "2025-01-01");
    CHECK_STR(fmt(date_add_days(ymd(2024, 1, 1), -1), buf), "2023-12-31");
    CHECK_STR(fmt(date_add_days(ymd(2024, 1, 1), 366), buf), "2025-01-01");
    CHECK_INT(date_add_days(ymd(9999, 12, 31), 1), DATE_INVALID);
    CHECK_INT(date_add_days(ymd(1, 1, 1), -1), DATE_INVALID);
    CHECK_INT(date_add_days(0, INT32_MAX), DATE_INVALID);
    CHECK_INT(date_add_days(DATE_INVALID, 5), DATE_INVALID);
}

TEST(date_add_months_clamps)
{
    char buf[DATE_STR_LEN];
    CHECK_STR(fmt(date_add_months(ymd(2024, 1, 31), 1), buf), "2024-02-29");
    CHECK_STR(fmt(date_add_months(ymd(2023, 1, 31), 1), buf), "2023-02-28");
    CHECK_STR(fmt(date_add_months(ymd(2024, 3, 31), -1), buf), "2024-02-29");
    CHECK_STR(fmt(date_add_months(ymd(2024, 3, 31), 1), buf), "2024-04-30");
    CHECK_STR(fmt(date_add_months(ymd(2024, 2, 29), 12), buf), "2025-02-28");
    CHECK_STR(fmt(date_add_months(ymd(2024, 2, 29), -12), buf), "2023-02-28");
    CHECK_STR(fmt(date_add_months(ymd(2024, 2, 29), 48), buf), "2028-02-29");
    CHECK_STR(fmt(date_add_months(ymd(2024, 12, 31), 2), buf), "2025-02-28");
    CHECK_STR(fmt(date_add_months(ymd(2024, 1, 15), 13), buf), "2025-02-15");
    CHECK_STR(fmt(date_add_months(ymd(2024, 1, 15), -13), buf), "2022-12-15");
    CHECK_STR(fmt(date_add_months(ymd(2024, 1, 15), -1), buf), "2023-12-15");
    CHECK_STR(fmt(date_add_months(ymd(2024, 1, 15), 0), buf), "2024-01-15");
    CHECK_STR(fmt(date_add_months(ymd(1, 1, 31), 1), buf), "0001-02-28");
    CHECK_INT(date_add_months(ymd(9999, 12, 1), 1), DATE_INVALID);
    CHECK_INT(date_add_months(ymd(1, 1, 1), -1), DATE_INVALID);
    CHECK_INT(date_add_months(0, INT32_MAX), DATE_INVALID);
    CHECK_INT(date_add_months(0, INT32_MIN), DATE_INVALID);
    CHECK_INT(date_add_months(DATE_INVALID, 1), DATE_INVALID);
}

TEST(date_age_years)
{
    int32_t birth = ymd(2000, 6, 15);
    CHECK_INT(date_age_years(birth, ymd(2024, 6, 15)), 24);   /* birthday today */
    CHECK_INT(date_age_years(birth, ymd(2024, 6, 16)), 24);   /* birthday yesterday */
    CHECK_INT(date_age_years(birth, ymd(2024, 6, 14)), 23);   /* birthday tomorrow */
    CHECK_INT(date_age_years(birth, ymd(2024, 12, 31)), 24);
    CHECK_INT(date_age_years(birth, ymd(2025, 1, 1)), 24);
    CHECK_INT(date_age_years(birth, birth), 0);
    CHECK_INT(date_age_years(birth, ymd(2001, 6, 14)), 0);
    CHECK_INT(date_age_years(birth, ymd(2001, 6, 15)), 1);
    /* Negative before birth, even by one day. */
    CHECK_INT(date_age_years(birth, ymd(2000, 6, 14)), -1);
    CHECK_INT(date_age_years(birth, ymd(1999, 6, 15)), -1);
    CHECK_INT(date_age_years(birth, ymd(1999, 6, 14)), -2);
}

TEST(date_age_leap_day_birth)
{
    int32_t birth = ymd(2004, 2, 29);
    CHECK_INT(date_age_years(birth, ymd(2023, 2, 28)), 18);
    CHECK_INT(date_age_years(birth, ymd(2023, 3, 1)), 19);    /* 1 March in a common year */
    CHECK_INT(date_age_years(birth, ymd(2024, 2, 28)), 19);
    CHECK_INT(date_age_years(birth, ymd(2024, 2, 29)), 20);   /* the day itself in a leap year */
    CHECK_INT(date_age_years(birth, ymd(2005, 2, 28)), 0);
    CHECK_INT(date_age_years(birth, ymd(2005, 3, 1)), 1);
    CHECK_INT(date_age_months(birth, ymd(2005, 2, 28)), 11);
    CHECK_INT(date_age_months(birth, ymd(2005, 3, 1)), 12);
}

TEST(date_age_months)
{
    CHECK_INT(date_age_months(ymd(2024, 1, 15), ymd(2024, 2, 15)), 1);
    CHECK_INT(date_age_months(ymd(2024, 1, 15), ymd(2024, 2, 14)), 0);
    CHECK_INT(date_age_months(ymd(2024, 1, 15), ymd(2024, 1, 15)), 0);
    CHECK_INT(date_age_months(ymd(2023, 11, 20), ymd(2024, 11, 20)), 12);
    CHECK_INT(date_age_months(ymd(2023, 11, 20), ymd(2025, 5, 19)), 17);
    /* A 31st has its monthly anniversary on the 1st after a shorter month. */
    CHECK_INT(date_age_months(ymd(2024, 1, 31), ymd(2024, 2, 29)), 0);
    CHECK_INT(date_age_months(ymd(2024, 1, 31), ymd(2024, 3, 1)), 1);
    CHECK_INT(date_age_months(ymd(2024, 1, 31), ymd(2024, 3, 31)), 2);
    CHECK_INT(date_age_months(ymd(2024, 1, 15), ymd(2024, 1, 14)), -1);
    /* Years are always whole twelves of months. */
    int32_t birth = ymd(2012, 2, 29);
    for (int32_t at = ymd(2000, 1, 1); at < ymd(2030, 1, 1); at += 3) {
        int months = date_age_months(birth, at);
        int floor12 = months >= 0 ? months / 12 : -((-months + 11) / 12);
        CHECK_INT(date_age_years(birth, at), floor12);
    }
}

TEST(date_weekday)
{
    CHECK_INT(date_weekday_iso(0), 4);                   /* 1970-01-01 Thursday */
    CHECK_INT(date_weekday_iso(-1), 3);                  /* 1969-12-31 Wednesday */
    CHECK_INT(date_weekday_iso(ymd(2000, 1, 1)), 6);     /* Saturday */
    CHECK_INT(date_weekday_iso(ymd(2024, 1, 1)), 1);     /* Monday */
    CHECK_INT(date_weekday_iso(ymd(2026, 11, 22)), 7);   /* Sunday */
    CHECK_INT(date_weekday_iso(ymd(1900, 1, 1)), 1);     /* Monday */
    CHECK_INT(date_weekday_iso(ymd(1, 1, 1)), 1);        /* Monday, proleptic */
    for (int32_t d = ymd(1900, 1, 1); d < ymd(2100, 1, 1); d++)
        CHECK_INT(date_weekday_iso(d + 1), date_weekday_iso(d) % 7 + 1);
}

TEST(date_iso_week_known)
{
    static const struct {
        int y, m, d, iso_year, week, weekday;
    } cases[] = {
        { 2021, 1, 3, 2020, 53, 7 },
        { 2021, 1, 4, 2021, 1, 1 },
        { 2024, 12, 30, 2025, 1, 1 },
        { 2026, 11, 22, 2026, 47, 7 },
        { 2024, 1, 1, 2024, 1, 1 },
        { 2023, 1, 1, 2022, 52, 7 },
        { 2027, 1, 1, 2026, 53, 5 },
        { 2008, 12, 29, 2009, 1, 1 },
        { 2010, 1, 3, 2009, 53, 7 },
        { 1970, 1, 1, 1970, 1, 4 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int iso_year = 0, week = 0;
        int32_t days = ymd(cases[i].y, cases[i].m, cases[i].d);
        date_iso_week(days, &iso_year, &week);
        CHECK_INT(iso_year, cases[i].iso_year);
        CHECK_INT(week, cases[i].week);
        CHECK_INT(date_weekday_iso(days), cases[i].weekday);
    }
}

/* Weeks advance on Mondays and restart at 1; 71 years in 400 have 53 weeks. */
TEST(date_iso_week_sequence)
{
    int prev_year = 0, prev_week = 0, long_years = 0;
    date_iso_week(ymd(2000, 12, 31), &prev_year, &prev_week);
    for (int32_t d = ymd(2001, 1, 1); d <= ymd(2400, 12, 31) + 7; d++) {
        int iso_year, week;
        date_iso_week(d, &iso_year, &week);
        if (date_weekday_iso(d) != 1) {
            CHECK_INT(iso_year, prev_year);
            CHECK_INT(week, prev_week);
        } else if (week == 1) {
            CHECK_INT(iso_year, prev_year + 1);
            CHECK(prev_week == 52 || prev_week == 53);
            if (prev_week == 53 && prev_year >= 2001 && prev_year <= 2400)
                long_years++;
        } else {
            CHECK_INT(iso_year, prev_year);
            CHECK_INT(week, prev_week + 1);
        }
        prev_year = iso_year;
        prev_week = week;
    }
    CHECK_INT(long_years, 71);
}

TEST(date_today_plausible)
{
    int32_t today = date_today();
    CHECK(today >= ymd(2024, 1, 1));
    CHECK(today < ymd(2200, 1, 1));
}

/* ------------------------------------------------------------------ idno */

#define TODAY_2025_06_01 20240   /* day number of 2025-06-01 */

TEST(idno_check_char_vectors)
{
    CHECK_INT(ymd(2025, 6, 1), TODAY_2025_06_01);
    /* Published examples of GB 11643-1999. */
    CHECK_INT(idno_check_char("11010519491231002"), 'X');
    CHECK_INT(idno_check_char("44052418800101001"), '4');
    /* Against the definition, over pseudo-random bodies. */
    uint32_t state = 20240601;
    for (int i = 0; i < 5000; i++) {
        char body[17];
        for (int k = 0; k < 17; k++) {
            state = state * 1103515245u + 12345u;
            body[k] = (char)('0' + (state >> 16) % 10);
        }
        CHECK_INT(idno_check_char(body), naive_check_char(body));
    }
}

TEST(idno_parse_published_female)
{
    struct idno_info info;
    struct yl_err err;
    char buf[DATE_STR_LEN];

    CHECK_INT(parse_id("11010519491231002X", TODAY_2025_06_01, &info, &err), 0);
    CHECK_INT(err.code, 0);
    CHECK_STR(info.number, "11010519491231002X");
    CHECK_STR(info.region, "110105");
    CHECK_STR(fmt(info.birth, buf), "1949-12-31");
    CHECK_INT(info.sex, IDNO_FEMALE);
    CHECK_INT(info.converted_from_15, 0);
}

TEST(idno_parse_lowercase_x)
{
    struct idno_info info;
    struct yl_err err;

    CHECK_INT(parse_id("11010519491231002x", TODAY_2025_06_01, &info, &err), 0);
    CHECK_STR(info.number, "11010519491231002X");
    CHECK_INT(info.sex, IDNO_FEMALE);
}

TEST(idno_parse_male_and_sex_digit)
{
    struct idno_info info;
    struct yl_err err;
    char id[IDNO_LEN + 1];
    char buf[DATE_STR_LEN];

    make_id(id, "22240419880229013");
    CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), 0);
    CHECK_STR(info.number, id);
    CHECK_STR(info.region, "222404");
    CHECK_STR(fmt(info.birth, buf), "1988-02-29");
    CHECK_INT(info.sex, IDNO_MALE);
    for (char c = '0'; c <= '9'; c++) {
        char body[18];
        memcpy(body, "2224041988022901", 16);
        body[16] = c;
        body[17] = '\0';
        make_id(id, body);
        CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), 0);
        CHECK_INT(info.sex, (c - '0') % 2 ? IDNO_MALE : IDNO_FEMALE);
    }
}

TEST(idno_parse_is_length_delimited)
{
    struct idno_info info;
    struct yl_err err;

    yl_err_clear(&err);
    CHECK_INT(idno_parse("11010519491231002X,next", 18, TODAY_2025_06_01, &info, FIELD, &err), 0);
    CHECK_STR(info.number, "11010519491231002X");
}

TEST(idno_wrong_check_digit)
{
    struct idno_info info;
    struct yl_err err;
    static const char *const wrong[] = {
        "110105194912310021", "110105194912310020", "440524198001010014",
    };
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        CHECK_INT(parse_id(wrong[i], TODAY_2025_06_01, &info, &err), YL_EINVAL);
        CHECK_INT(err.code, YL_EINVAL);
        CHECK_STR(err.field, FIELD);
        CHECK_STR(err.message, "check digit does not match");
        CHECK(!leaks_number(err.message, wrong[i]));
    }
}

/* MOD 11-2 catches every single substitution and every adjacent transposition. */
TEST(idno_detects_typing_errors)
{
    struct idno_info info;
    struct yl_err err;
    char id[IDNO_LEN + 1], typo[IDNO_LEN + 1];

    make_id(id, "32010219751103421");
    CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), 0);
    for (int pos = 0; pos < IDNO_LEN; pos++) {
        for (char c = '0'; c <= '9'; c++) {
            if (c == id[pos])
                continue;
            memcpy(typo, id, sizeof(typo));
            typo[pos] = c;
            CHECK_INT(parse_id(typo, TODAY_2025_06_01, &info, &err), YL_EINVAL);
            CHECK(!leaks_number(err.message, typo));
        }
    }
    for (int pos = 0; pos + 1 < IDNO_LEN; pos++) {
        if (id[pos] == id[pos + 1])
            continue;
        memcpy(typo, id, sizeof(typo));
        typo[pos] = id[pos + 1];
        typo[pos + 1] = id[pos];
        CHECK_INT(parse_id(typo, TODAY_2025_06_01, &info, &err), YL_EINVAL);
    }
}

TEST(idno_impossible_birth_date)
{
    struct idno_info info;
    struct yl_err err;
    char id[IDNO_LEN + 1];
    static const char *const bodies[] = {
        "11010519990230001",   /* 30 February */
        "11010519990229001",   /* 29 February in a common year */
        "11010519001301001",   /* month 13 */
        "11010519990000001",   /* month 00 */
        "11010519990431001",   /* 31 April */
        "11010500000101001",   /* year 0 */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        make_id(id, bodies[i]);
        CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), YL_EINVAL);
        CHECK_STR(err.field, FIELD);
        CHECK_STR(err.message, "birth date is not a calendar date");
        CHECK(!leaks_number(err.message, id));
    }
}

TEST(idno_future_birth_date)
{
    struct idno_info info;
    struct yl_err err;
    char id[IDNO_LEN + 1];

    make_id(id, "11010520250602001");
    CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), YL_EINVAL);
    CHECK_STR(err.message, "birth date is in the future");
    CHECK(!leaks_number(err.message, id));
    /* Born today is fine, and so is the same number a day later. */
    make_id(id, "11010520250601001");
    CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), 0);
    CHECK_INT(info.birth, TODAY_2025_06_01);
    make_id(id, "11010520250602001");
    CHECK_INT(parse_id(id, TODAY_2025_06_01 + 1, &info, &err), 0);
}

/* Policy: births before 1900-01-01 are refused, including the published 1880 example. */
TEST(idno_birth_before_1900)
{
    struct idno_info info;
    struct yl_err err;
    char id[IDNO_LEN + 1];

    CHECK_INT(parse_id("440524188001010014", TODAY_2025_06_01, &info, &err), YL_EINVAL);
    CHECK_STR(err.field, FIELD);
    CHECK_STR(err.message, "birth date is before 1900-01-01");
    make_id(id, "11010518991231001");
    CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), YL_EINVAL);
    CHECK_STR(err.message, "birth date is before 1900-01-01");
    make_id(id, "11010519000101001");
    CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), 0);
    CHECK_INT(info.birth, ymd(1900, 1, 1));
}

TEST(idno_unknown_province)
{
    struct idno_info info;
    struct yl_err err;
    char id[IDNO_LEN + 1];
    static const char *const bodies[] = {
        "99010519491231002", "00010519491231002", "10010519491231002",
        "47010519491231002", "83010519491231002",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char expect[64];
        make_id(id, bodies[i]);
        CHECK_INT(parse_id(id, TODAY_2025_06_01, &info, &err), YL_EINVAL);
        CHECK_STR(err.field, FIELD);
        snprintf(expect, sizeof(expect), "no province-level division \"%.2s\"", bodies[i]);
        CHECK_STR(err.message, expect);
        CHECK(!leaks_number(err.message, id));
    }
}

TEST(idno_wrong_length)
{
    struct idno_info info;
    struct yl_err err;
    static const char *const inputs[] = {
        "", "1", "11010519491231002", "11010519491231002X1", "1101051949123100",
        "11010519491231", "11010519491231002XX",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        CHECK_INT(parse_id(inputs[i], TODAY_2025_06_01, &info, &err), YL_EINVAL);
        CHECK_STR(err.field, FIELD);
        CHECK_STR(err.message, "must be 18 characters (or the legacy 15)");
    }
}

TEST(idno_letters_refused)
{
    struct idno_info info;
    struct yl_err err;
    static const struct {
        const char *text;
        const char *reason;
    } cases[] = {
        { "X1010519491231002X", "the first 17 characters must be digits" },
        { "1101051949123100X2", "the first 17 characters must be digits" },
        { "11010519491231002Y", "the last character must be a digit or X" },
        { "11010519491231002 ", "the last character must be a digit or X" },
        { "11010519491231 02X", "the first 17 characters must be digits" },
        { "-1010519491231002X", "the first 17 characters must be digits" },
        { "13050367040100X", "the legacy 15-character form must be all digits" },
        { "13050367040100x", "the legacy 15-character form must be all digits" },
        { "a30503670401001", "the legacy 15-character form must be all digits" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT(parse_id(cases[i].text, TODAY_2025_06_01, &info, &err), YL_EINVAL);
        CHECK_STR(err.field, FIELD);
        CHECK_STR(err.message, cases[i].reason);
    }
    /* An embedded NUL counts as a character that is not a digit. */
    yl_err_clear(&err);
    CHECK_INT(idno_parse("110105194912\0001002X", 18, TODAY_2025_06_01, &info, FIELD, &err),
              YL_EINVAL);
    CHECK_STR(err.message, "the first 17 characters must be digits");
}

TEST(idno_legacy_15_converted)
{
    struct idno_info info;
    struct yl_err err;
    char expect[IDNO_LEN + 1];
    char buf[DATE_STR_LEN];

    make_id(expect, "13050319670401001");
    CHECK_STR(expect, "130503196704010016");
    CHECK_INT(parse_id("130503670401001", TODAY_2025_06_01, &info, &err), 0);
    CHECK_STR(info.number, "130503196704010016");
    CHECK_STR(info.region, "130503");
    CHECK_STR(fmt(info.birth, buf), "1967-04-01");
    CHECK_INT(info.sex, IDNO_MALE);
    CHECK_INT(info.converted_from_15, 1);
    /* The converted form parses as an 18-digit number to the same person. */
    struct idno_info again;
    CHECK_INT(parse_id(info.number, TODAY_2025_06_01, &again, &err), 0);
    CHECK_STR(again.number, info.number);
    CHECK_INT(again.birth, info.birth);
    CHECK_INT(again.converted_from_15, 0);

    CHECK_INT(parse_id("110105491231002", TODAY_2025_06_01, &info, &err), 0);
    CHECK_STR(info.number, "11010519491231002X");
    CHECK_INT(info.sex, IDNO_FEMALE);
    CHECK_INT(info.converted_from_15, 1);
}

TEST(idno_legacy_15_refused)
{
    struct idno_info info;
    struct yl_err err;

    CHECK_INT(parse_id("130503670231001", TODAY_2025_06_01, &info, &err), YL_EINVAL);
    CHECK_STR(err.message, "birth date is not a calendar date");
    CHECK(!leaks_number(err.message, "130503670231001"));
    /* 1900 was not a leap year. */
    CHECK_INT(parse_id("130503000229001", TODAY_2025_06_01, &info, &err), YL_EINVAL);
    CHECK_STR(err.message, "birth date is not a calendar date");
    CHECK_INT(parse_id("990503670401001", TODAY_2025_06_01, &info, &err), YL_EINVAL);
    CHECK_STR(err.message, "no province-level division \"99\"");
    /* A 19YY date after `today` is still in the future. */
    CHECK_INT(parse_id("130503670401001", ymd(1967, 3, 31), &info, &err), YL_EINVAL);
    CHECK_STR(err.message, "birth date is in the future");
}

TEST(idno_failure_leaves_output)
{
    struct idno_info info;
    struct yl_err err;

    memset(&info, 0x5a, sizeof(info));
    yl_err_clear(&err);
    CHECK_INT(idno_parse("110105194912310021", 18, TODAY_2025_06_01, &info, FIELD, &err),
              YL_EINVAL);
    CHECK_INT((unsigned char)info.number[0], 0x5a);
    /* NULL err: the code still comes back. */
    CHECK_INT(idno_parse("1", 1, TODAY_2025_06_01, &info, FIELD, NULL), YL_EINVAL);
}

TEST(idno_mask)
{
    char out[IDNO_LEN + 1];
    CHECK_STR(idno_mask("11010519491231002X", out), "110105********002X");
    CHECK_STR(idno_mask("130503196704010016", out), "130503********0016");
    CHECK_STR(idno_mask("130503670401001", out), "***********1001");
    CHECK_STR(idno_mask("12345", out), "*2345");
    CHECK_STR(idno_mask("1234", out), "1234");
    CHECK_STR(idno_mask("", out), "");
    CHECK_STR(idno_mask("1234567890123456789012", out), "**************9012");
}

/* ------------------------------------------------------------------ adcode */

TEST(adcode_levels)
{
    CHECK_INT(adcode_level("22", 2), ADCODE_PROVINCE);
    CHECK_INT(adcode_level("2224", 4), ADCODE_CITY);
    CHECK_INT(adcode_level("222404", 6), ADCODE_COUNTY);
    CHECK_INT(adcode_level("222404100", 9), ADCODE_TOWNSHIP);
    CHECK_INT(adcode_level("222404100201", 12), ADCODE_VILLAGE);
    CHECK_INT(adcode_level("", 0), 0);
    CHECK_INT(adcode_level("2", 1), 0);
    CHECK_INT(adcode_level("222", 3), 0);
    CHECK_INT(adcode_level("22240", 5), 0);
    CHECK_INT(adcode_level("2224041", 7), 0);
    CHECK_INT(adcode_level("22240410", 8), 0);
    CHECK_INT(adcode_level("2224041002", 10), 0);
    CHECK_INT(adcode_level("2224041002011", 13), 0);
    CHECK_INT(adcode_level("22a4", 4), 0);
    CHECK_INT(adcode_level("22-4", 4), 0);
    CHECK_INT(adcode_level("2224040", 6), ADCODE_COUNTY);   /* length-delimited */
    for (int l = 1; l <= 5; l++)
        CHECK_INT(adcode_level("999999999999", adcode_level_len(l)), l);
    CHECK_INT(adcode_level_len(1), 2);
    CHECK_INT(adcode_level_len(2), 4);
    CHECK_INT(adcode_level_len(3), 6);
    CHECK_INT(adcode_level_len(4), 9);
    CHECK_INT(adcode_level_len(5), 12);
    CHECK_INT(adcode_level_len(0), 0);
    CHECK_INT(adcode_level_len(6), 0);
    CHECK_INT(adcode_level_len(-1), 0);
}

TEST(adcode_parents)
{
    char out[ADCODE_MAX_LEN + 1];
    CHECK(adcode_parent("222404100201", 12, out));
    CHECK_STR(out, "222404100");
    CHECK(adcode_parent("222404100", 9, out));
    CHECK_STR(out, "222404");
    CHECK(adcode_parent("222404", 6, out));
    CHECK_STR(out, "2224");
    CHECK(adcode_parent("2224", 4, out));
    CHECK_STR(out, "22");
    CHECK(!adcode_parent("22", 2, out));
    CHECK(!adcode_parent("222", 3, out));
    CHECK(!adcode_parent("22a4", 4, out));
    CHECK(!adcode_parent("", 0, out));
}

TEST(adcode_provinces)
{
    static const char *const known[] = {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    };
    int count = 0;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        CHECK(adcode_province_exists(known[i]));
    for (int v = 0; v < 100; v++) {
        char two[2] = { (char)('0' + v / 10), (char)('0' + v % 10) };
        if (adcode_province_exists(two))
            count++;
    }
    CHECK_INT(count, 34);
    CHECK(!adcode_province_exists("99"));
    CHECK(!adcode_province_exists("10"));
    CHECK(!adcode_province_exists("16"));
    CHECK(!adcode_province_exists("83"));
    CHECK(!adcode_province_exists("2x"));
}

TEST(adcode_subtree)
{
    CHECK(adcode_in_subtree("222404100201", "2224"));
    CHECK(adcode_in_subtree("222404100201", "22"));
    CHECK(adcode_in_subtree("222404100201", "222404100201"));
    CHECK(adcode_in_subtree("2224", "2224"));
    CHECK(adcode_in_subtree("222404", "22"));
    CHECK(!adcode_in_subtree("2224", "222404"));
    CHECK(!adcode_in_subtree("22", "2224"));
    CHECK(!adcode_in_subtree("2324", "22"));
    CHECK(!adcode_in_subtree("222504", "2224"));
    CHECK(!adcode_in_subtree("222404", "2"));          /* ancestor is no code */
    CHECK(!adcode_in_subtree("22240", "22"));          /* code is no code */
    CHECK(!adcode_in_subtree("22x4", "22"));
    CHECK(!adcode_in_subtree("", ""));
    CHECK(!adcode_in_subtree("2224041002011", "22"));
}

TEST(adcode_validate_accepts)
{
    struct yl_err err;
    static const char *const ok[] = {
        "22", "2224", "222404", "222404100", "222404100201",
        "11", "1101", "110105", "4290", "429004", "82", "71", "6501",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK_INT(validate_code(ok[i], &err), 0);
        CHECK_INT(err.code, 0);
    }
}

TEST(adcode_validate_refuses)
{
    static const struct {
        const char *code;
        const char *reason;
    } cases[] = {
        { "", "division code must not be empty" },
        { "22a4", "division code must contain only digits" },
        { "2224 ", "division code must contain only digits" },
        { "223", "division code must have 2, 4, 6, 9 or 12 digits, not 3" },
        { "2224041002011", "division code must have 2, 4, 6, 9 or 12 digits, not 13" },
        { "99", "no province-level division \"99\"" },
        { "9901", "no province-level division \"99\"" },
        { "00", "no province-level division \"00\"" },
        { "2200", "division code \"2200\": city part must not be zero" },
        { "220004", "division code \"220004\": city part must not be zero" },
        { "222400", "division code \"222400\": county part must not be zero" },
        { "110000", "division code \"110000\": city part must not be zero" },
        { "222404000", "division code \"222404000\": township part must not be zero" },
        { "222404100000", "division code \"222404100000\": village part must not be zero" },
    };
    struct yl_err err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT(validate_code(cases[i].code, &err), YL_EINVAL);
        CHECK_INT(err.code, YL_EINVAL);
        CHECK_STR(err.field, "adcode");
        CHECK_STR(err.message, cases[i].reason);
    }
    CHECK_INT(adcode_validate("2200", 4, "adcode", NULL), YL_EINVAL);
}

/* ------------------------------------------------------------------ CSV */

/* A reader over text in memory (the FILE is closed with the reader by csv_text_close). */
static struct csv_reader *csv_text(const char *text, size_t max_record, FILE **f)
{
    *f = fmemopen((void *)text, strlen(text), "r");
    return csv_open(*f, max_record);
}

static void csv_text_close(struct csv_reader *r, FILE *f)
{
    csv_close(r);
    fclose(f);
}

TEST(csv_reads_quotes_crlf_and_names_columns)
{
    FILE *f;
    struct yl_err err = {0};
    struct csv_reader *r = csv_text("a,b,c\r\n1,\"x, \"\"y\"\"\",\r\n\"multi\nline\",2,3\n", 0, &f);
    static const char *const required[] = {"a", "c", NULL};
    CHECK_INT(csv_read_header(r, required, &err), 0);
    CHECK_INT(csv_next(r, &err), 1);
    CHECK_INT(csv_line(r), 2);
    CHECK_INT((long)csv_count(r), 3);
    CHECK_STR(csv_get(r, "b"), "x, \"y\"");
    CHECK_STR(csv_get(r, "c"), "");
    CHECK_STR(csv_get(r, "nope"), "");
    CHECK_INT(csv_next(r, &err), 1);
    CHECK_INT(csv_line(r), 3);
    CHECK_STR(csv_field(r, 0), "multi\nline");
    CHECK_INT(csv_next(r, &err), 0);
    csv_text_close(r, f);

    r = csv_text("a,b\n1,2\n", 0, &f);
    static const char *const missing[] = {"a", "z", NULL};
    CHECK_INT(csv_read_header(r, missing, &err), YL_EINVAL);
    CHECK(strstr(yl_err_message(&err), "z") != NULL);
    csv_text_close(r, f);
}

/* Append s at text[*n] (text has room: the tests size it). */
static void put_text(char *text, size_t *n, const char *s)
{
    size_t k = strlen(s);
    memcpy(text + *n, s, k + 1);
    *n += k;
}

/* A record with more fields than the reader holds (256) is refused with its line, and the
 * next record is read; a fuzzer found the 257th field written past the end before. */
TEST(csv_refuses_too_many_fields_and_goes_on)
{
    char *text = calloc(1, 4096);
    size_t n = 0;
    put_text(text, &n, "a,b\n");
    for (int i = 0; i < 300; i++)
        put_text(text, &n, ",");
    put_text(text, &n, "\n\"q\"");
    for (int i = 0; i < 300; i++)
        put_text(text, &n, ",");
    put_text(text, &n, "\n1,2\n");
    FILE *f;
    struct yl_err err = {0};
    struct csv_reader *r = csv_text(text, 0, &f);
    CHECK_INT(csv_read_header(r, NULL, &err), 0);
    CHECK_INT(csv_next(r, &err), YL_EINVAL);
    CHECK(strstr(yl_err_message(&err), "line 2") != NULL);
    yl_err_clear(&err);
    CHECK_INT(csv_next(r, &err), YL_EINVAL);
    CHECK(strstr(yl_err_message(&err), "line 3") != NULL);
    yl_err_clear(&err);
    CHECK_INT(csv_next(r, &err), 1);
    CHECK_STR(csv_get(r, "b"), "2");
    csv_text_close(r, f);

    /* 256 fields exactly are fine. */
    n = 0;
    put_text(text, &n, "a\n");
    for (int i = 0; i < 255; i++)
        put_text(text, &n, ",");
    put_text(text, &n, "\n");
    r = csv_text(text, 0, &f);
    CHECK_INT(csv_read_header(r, NULL, &err), 0);
    CHECK_INT(csv_next(r, &err), 1);
    CHECK_INT((long)csv_count(r), 256);
    csv_text_close(r, f);
    free(text);
}

/* Unix time as RFC 3339 UTC, and the region's (UTC+8) civil day of a unix time. */
TEST(unix_time_text_and_day)
{
    char out[DATE_TIME_LEN];
    CHECK_STR(date_time_format(0, out), "1970-01-01T00:00:00Z");
    CHECK_STR(date_time_format(1700000000, out), "2023-11-14T22:13:20Z");
    CHECK_STR(date_time_format(-1, out), "1969-12-31T23:59:59Z");
    CHECK_INT(date_of_unix(0), 0);
    CHECK_INT(date_of_unix(16 * 3600 - 1), 0);
    CHECK_INT(date_of_unix(16 * 3600), 1);
    CHECK_INT(date_of_unix(-8 * 3600 - 1), -1);
}

/* Terminal columns: a CJK character takes two, ASCII one; padding counts columns. */
TEST(text_width_and_pad)
{
    CHECK_INT(text_width(""), 0);
    CHECK_INT(text_width("abc"), 3);
    CHECK_INT(text_width("靖和街道"), 8);
    CHECK_INT(text_width("珲春 2024"), 9);
    char out[32];
    CHECK_STR(text_pad("靖和", 6, out, sizeof(out)), "靖和  ");
    CHECK_STR(text_pad("abc", 2, out, sizeof(out)), "abc");
    /* Cut at a character boundary when the buffer is short: never half a character. */
    CHECK_STR(text_pad("靖和街道", 10, out, 8), "靖和 ");
    CHECK_STR(text_pad("x", 5, out, 0 + 1), "");
}

TEST_MAIN()
