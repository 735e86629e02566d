/*
 * series.c - the series reader: a disease's (or class's) case reports or a channel's
 * counts over an org unit's subtree as a dense daily or ISO-weekly array, the input of
 * every detector.
 *
 * The one idea: one grouped range scan (the store sums per day), then the days are laid
 * into a dense array. Case counts have no missing days (no report is a zero); a channel's
 * day that no org unit of the subtree reported is NAN, and a week with a missing day is
 * missing, so a silent reporter never looks like a quiet week.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"
#include "surveil/surveil.h"
#include "surveil/surveil_int.h"

void surv_series_release(struct surv_series *s)
{
    if (s == NULL)
        return;
    free(s->counts);
    free(s->denominators);
    memset(s, 0, sizeof(*s));
}

char *surv_series_label(const struct surv_series *s, size_t i, char *out)
{
    if (s->unit == SURV_WEEK) {
        int year, week;
        date_iso_week(s->start + (int32_t)i * 7, &year, &week);
        snprintf(out, 16, "%04d-W%02d", year, week);
        return out;
    }
    char day[DATE_STR_LEN];
    snprintf(out, 16, "%s", date_format(s->start + (int32_t)i, day));
    return out;
}

static int check_query(const struct surv_catalog *cat, const struct surv_series_query *q,
                       bool *proportion, struct yl_err *err)
{
    int given = (q->disease != NULL && q->disease[0]) + (q->disease_class != 0) +
                (q->channel != NULL && q->channel[0]);
    *proportion = false;
    if (given != 1)
        return yl_err_set(err, YL_EINVAL, "disease",
                          "name one of disease, class or channel");
    if (q->disease != NULL && q->disease[0] && surv_disease_find(cat, q->disease) == NULL)
        return yl_err_set(err, YL_EINVAL, "disease", "unknown disease \"%s\"", q->disease);
    if (q->disease_class != 0 && strchr("ABC", q->disease_class) == NULL)
        return yl_err_set(err, YL_EINVAL, "class", "class must be A, B or C");
    if (q->channel != NULL && q->channel[0]) {
        const struct surv_channel *ch = surv_channel_find(cat, q->channel);
        if (ch == NULL)
            return yl_err_set(err, YL_EINVAL, "channel", "unknown channel \"%s\"", q->channel);
        *proportion = ch->kind == SURV_CH_PROPORTION;
    }
    const char *ou = q->ou ? q->ou : "";
    int rc = adcode_validate(ou, strlen(ou), "ou", err);
    if (rc != 0)
        return rc;
    if (q->from == DATE_INVALID || q->to == DATE_INVALID)
        return yl_err_set(err, YL_EINVAL, q->from == DATE_INVALID ? "from" : "to",
                          "from and to are required");
    if (q->to < q->from)
        return yl_err_set(err, YL_EINVAL, "to", "to is before from");
    if (q->to - q->from + 1 > SURV_SERIES_DAYS_MAX)
        return yl_err_set(err, YL_EINVAL, "to", "a series spans at most %d days",
                          SURV_SERIES_DAYS_MAX);
    return 0;
}

int surv_series_read(struct store *s, const struct surv_catalog *cat,
                     const struct surv_series_query *q, struct surv_series *out,
                     struct yl_err *err)
{
    bool prop;
    memset(out, 0, sizeof(*out));
    int rc = check_query(cat, q, &prop, err);
    if (rc != 0)
        return rc;
    bool channel = q->channel != NULL && q->channel[0];
    int32_t from = q->from, to = q->to;
    if (q->unit == SURV_WEEK) {
        from -= date_weekday_iso(from) - 1;
        to += 7 - date_weekday_iso(to);
    }
    size_t days = (size_t)(to - from + 1);
    /* Cases: no report is a zero. Channels: no report is unknown until one says otherwise. */
    double *day_counts = xmalloc(days * sizeof(double));
    double *day_den = prop ? xmalloc(days * sizeof(double)) : NULL;
    for (size_t i = 0; i < days; i++) {
        day_counts[i] = channel ? NAN : 0;
        if (day_den)
            day_den[i] = NAN;
    }
    struct surv_range range;
    surv_subtree(q->ou, &range);
    char lo[DATE_STR_LEN], hi[DATE_STR_LEN], cls[2] = {q->disease_class, '\0'};
    struct store_conn *c = store_acquire(s);
    enum store_sql sql = channel              ? STORE_SQL_SURV_SERIES_CHANNEL
                         : q->disease_class   ? STORE_SQL_SURV_SERIES_CLASS
                                              : STORE_SQL_SURV_SERIES_DISEASE;
    struct store_stmt *st = store_stmt(c, sql);
    store_bind_text(st, 1, channel ? q->channel : q->disease_class ? cls : q->disease);
    store_bind_text(st, 2, range.lo);
    store_bind_text(st, 3, range.hi);
    store_bind_text(st, 4, date_format(from, lo));
    store_bind_text(st, 5, date_format(to, hi));
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *d = store_col_text(st, 0);
        int32_t day;
        if (date_parse(d, strlen(d), &day, "day", NULL) != 0 || day < from || day > to)
            continue;
        day_counts[day - from] = store_col_double(st, 1);
        if (day_den != NULL && !store_col_is_null(st, 2))
            day_den[day - from] = store_col_double(st, 2);
    }
    store_release(c);
    if (rc < 0) {
        free(day_counts);
        free(day_den);
        return rc;
    }
    out->start = from;
    out->unit = q->unit;
    if (q->unit == SURV_DAY) {
        out->n = days;
        out->counts = day_counts;
        out->denominators = day_den;
        return 0;
    }
    out->n = days / 7;
    out->counts = xmalloc(out->n * sizeof(double));
    out->denominators = day_den ? xmalloc(out->n * sizeof(double)) : NULL;
    for (size_t w = 0; w < out->n; w++) {
        double sum = 0, den = 0;
        for (size_t k = 0; k < 7; k++) {
            sum += day_counts[w * 7 + k];
            if (day_den)
                den += day_den[w * 7 + k];
        }
        out->counts[w] = sum;   /* NAN when a day is missing: NAN spreads */
        if (out->denominators)
            out->denominators[w] = den;
    }
    free(day_counts);
    free(day_den);
    return 0;
}

int surv_counts_check(const struct acct_principal *who, const char *ou, struct yl_err *err)
{
    if (who == NULL || who->scope.kind == SCOPE_REGION)
        return 0;
    if (who->scope.kind != SCOPE_OU)
        return yl_err_set(err, YL_EFORBIDDEN, NULL,
                          "surveillance counts are read with a region or org-unit scope");
    if (ou == NULL || !adcode_in_subtree(ou, who->scope.ref))
        return yl_err_set(err, YL_ENOTFOUND, "ou", "org unit \"%s\" is outside your scope",
                          ou ? ou : "");
    return 0;
}
