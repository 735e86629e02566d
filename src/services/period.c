/*
 * period.c - lengths of time as the protocol data writes them ("65y", "13w", "3m", "7d")
 * and adding them to a day.
 *
 * Months and years are added the way ages are counted (core/date.c, date_age_months): the
 * same day of the target month, or the first of the next month when that day does not
 * exist, so "the day a child is 3 months old" and "completed age >= 3 months" agree.
 */
#include <stdlib.h>

#include "core/date.h"
#include "services/services_int.h"

#define SVC_PERIOD_MAX 10000

int svc_period_parse(const char *s, bool allow_empty, struct svc_period *out)
{
    long n = 0;
    size_t i = 0;

    out->n = 0;
    out->unit = SVC_UNIT_NONE;
    if (s[0] == '\0')
        return allow_empty ? 0 : -1;
    while (s[i] >= '0' && s[i] <= '9' && n <= SVC_PERIOD_MAX)
        n = n * 10 + (s[i++] - '0');
    if (i == 0 || n > SVC_PERIOD_MAX || s[i] == '\0' || s[i + 1] != '\0')
        return -1;
    switch (s[i]) {
    case 'd': out->unit = SVC_UNIT_DAY; break;
    case 'w': out->unit = SVC_UNIT_WEEK; break;
    case 'm': out->unit = SVC_UNIT_MONTH; break;
    case 'y': out->unit = SVC_UNIT_YEAR; break;
    default: return -1;
    }
    out->n = (int32_t)n;
    return 0;
}

bool svc_period_set(struct svc_period p)
{
    return p.unit != SVC_UNIT_NONE;
}

int32_t svc_period_add_ymd(int32_t day, int y, int m, int d, struct svc_period p)
{
    int64_t months, ny;
    int nm, dim;

    switch (p.unit) {
    case SVC_UNIT_DAY: return day + p.n;
    case SVC_UNIT_WEEK: return day + 7 * p.n;
    case SVC_UNIT_MONTH: months = p.n; break;
    case SVC_UNIT_YEAR: months = (int64_t)p.n * 12; break;
    default: return day;
    }
    months += (int64_t)y * 12 + (m - 1);
    ny = months / 12;
    nm = (int)(months % 12) + 1;
    /* Beyond the calendar's range means "never" for every use here (an age not reached). */
    if (ny > 9999)
        return SVC_OPEN;
    dim = date_days_in_month((int)ny, nm);
    if (d > dim)
        return date_from_ymd((int)ny, nm, dim) + 1;
    return date_from_ymd((int)ny, nm, d);
}

int32_t svc_period_add(int32_t day, struct svc_period p)
{
    int y, m, d;

    if (p.unit == SVC_UNIT_DAY || p.unit == SVC_UNIT_WEEK || p.unit == SVC_UNIT_NONE)
        return svc_period_add_ymd(day, 0, 0, 0, p);
    date_to_ymd(day, &y, &m, &d);
    return svc_period_add_ymd(day, y, m, d, p);
}
