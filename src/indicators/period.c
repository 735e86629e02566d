/*
 * period.c - reporting periods: a year, a quarter, a month or a date range, and the
 * reference date at which stock measures (records, signed, key populations) are counted.
 *
 * The reference date is the period's last day, or today when the period has not ended:
 * "signed in 2024" asked in the middle of 2024 means signed now, not on a future day.
 */
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "indicators/indicators.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2100

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int refuse(const char *text, struct yl_err *err)
{
    return yl_err_set(err, YL_EINVAL, "period",
                      "invalid period \"%.40s\"; use a year (2024), a quarter (2024Q3), a "
                      "month (2024-03) or a date range (2024-01-01..2024-06-30)", text);
}

int ind_period_parse(const char *text, int32_t today, struct ind_period *out,
                     struct yl_err *err)
{
    if (text == NULL || text[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "period",
                          "period is required: a year (2024), a quarter (2024Q3), a month "
                          "(2024-03) or a date range (2024-01-01..2024-06-30)");
    size_t n = strlen(text);
    memset(out, 0, sizeof(*out));
    const char *dots = strstr(text, "..");
    if (dots != NULL) {
        size_t first = (size_t)(dots - text);
        struct yl_err inner = {0};
        if (date_parse(text, first, &out->start, "period", &inner) != 0 ||
            date_parse(dots + 2, n - first - 2, &out->end, "period", &inner) != 0)
            return refuse(text, err);
        if (out->end < out->start)
            return yl_err_set(err, YL_EINVAL, "period",
                              "period \"%.40s\" ends before it begins", text);
        int y1, y2, m, d;
        date_to_ymd(out->start, &y1, &m, &d);
        date_to_ymd(out->end, &y2, &m, &d);
        if (y1 < YEAR_MIN || y2 > YEAR_MAX)
            return refuse(text, err);
    } else if (n < 4 || !digits(text, 4)) {
        return refuse(text, err);
    } else {
        int year = number(text, 4);
        if (year < YEAR_MIN || year > YEAR_MAX)
            return refuse(text, err);
        if (n == 4) {
            out->start = date_from_ymd(year, 1, 1);
            out->end = date_from_ymd(year, 12, 31);
        } else if (n == 6 && (text[4] == 'Q' || text[4] == 'q') && text[5] >= '1' &&
                   text[5] <= '4') {
            int q = text[5] - '0';
            out->start = date_from_ymd(year, 3 * q - 2, 1);
            out->end = date_add_days(date_add_months(out->start, 3), -1);
        } else if (n == 7 && text[4] == '-' && digits(text + 5, 2) && number(text + 5, 2) >= 1 &&
                   number(text + 5, 2) <= 12) {
            out->start = date_from_ymd(year, number(text + 5, 2), 1);
            out->end = date_add_days(date_add_months(out->start, 1), -1);
        } else {
            return refuse(text, err);
        }
    }
    if (out->start > today)
        return yl_err_set(err, YL_EINVAL, "period", "period \"%.40s\" has not begun", text);
    out->reference = out->end < today ? out->end : today;
    snprintf(out->label, sizeof(out->label), "%s", text);
    if (n == 6)
        out->label[4] = 'Q';
    return 0;
}
