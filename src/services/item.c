/*
 * item.c - one row of data/protocols.csv into a struct svc_item: names, eligibility,
 * schedule, measurements, points and vaccine dose, with each column checked and every
 * refusal naming its file, line and column.
 *
 * The schedule columns mean different things per kind (docs/protocols.md): a window needs
 * an anchor, start and before; interval needs every and start; per_year needs times and
 * start; yearly needs none. A column a kind does not use must be empty, so a typo in the
 * data does not silently do nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "services/services_int.h"
#include "vocab/vocab.h"

/* A reference day to compare periods of different units (start before before). */
#define SVC_REF_DAY 10957   /* 2000-01-01 */

static int svc_text(char *dst, size_t cap, const char *src, bool allow_empty)
{
    size_t n = strlen(src);

    if ((n == 0 && !allow_empty) || n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int svc_period_col(const struct svc_row *row, const char *col, bool allow_empty,
                          struct svc_period *out, struct yl_err *err)
{
    const char *s = csv_get(row->r, col);

    if (svc_period_parse(s, allow_empty, out) != 0)
        return svc_row_fail(err, row, col, "\"%s\" is not a period (a whole number followed "
                            "by d, w, m or y, as in 13w)", s);
    return 0;
}

static int svc_item_names(struct svc_item *it, const struct svc_row *row, struct yl_err *err)
{
    const char *code = csv_get(row->r, "code");
    const char *prog = csv_get(row->r, "program");
    int k;

    if (svc_text(it->code, sizeof(it->code), code, false) != 0
        || strcspn(code, " ,;\"") != strlen(code))
        return svc_row_fail(err, row, "code", "\"%s\" is not a code (1 to %d bytes, no "
                            "spaces)", code, SVC_CODE_MAX - 1);
    if (svc_text(it->name_zh, sizeof(it->name_zh), csv_get(row->r, "name_zh"), false) != 0)
        return svc_row_fail(err, row, "name_zh", "empty or longer than %d bytes",
                            SVC_NAME_MAX - 1);
    if (svc_text(it->name_en, sizeof(it->name_en), csv_get(row->r, "name_en"), false) != 0)
        return svc_row_fail(err, row, "name_en", "empty or longer than %d bytes",
                            SVC_NAME_MAX - 1);
    k = svc_program_find(prog);
    if (k < 0)
        return svc_row_fail(err, row, "program", "unknown program \"%s\"", prog);
    it->program = (uint8_t)k;
    return 0;
}

static int svc_item_eligibility(struct svc_item *it, const struct svc_row *row,
                                struct yl_err *err)
{
    const char *sex = csv_get(row->r, "sex");
    const char *tag = csv_get(row->r, "tag");
    int rc;

    if (sex[0] == '\0' || strcmp(sex, "any") == 0)
        it->sex = 0;
    else if (strcmp(sex, "male") == 0)
        it->sex = 1;
    else if (strcmp(sex, "female") == 0)
        it->sex = 2;
    else
        return svc_row_fail(err, row, "sex", "\"%s\" is not male, female or empty", sex);
    it->tag = -1;
    if (tag[0] != '\0') {
        int t = vocab_find(VOCAB_TAG, tag);
        if (t < 0)
            return svc_row_fail(err, row, "tag", "unknown key-population tag \"%s\"", tag);
        it->tag = (int8_t)t;
    }
    rc = svc_period_col(row, "age_min", true, &it->age_min, err);
    if (rc == 0)
        rc = svc_period_col(row, "age_max", true, &it->age_max, err);
    if (rc != 0)
        return rc;
    if (!svc_period_set(it->age_min))
        it->age_min.unit = SVC_UNIT_DAY;
    if (svc_period_set(it->age_max)
        && svc_period_add(SVC_REF_DAY, it->age_max) < svc_period_add(SVC_REF_DAY, it->age_min))
        return svc_row_fail(err, row, "age_max", "below age_min");
    return 0;
}

/* Columns a schedule kind does not use must be empty. */
static int svc_unused(const struct svc_row *row, const char *const *cols, const char *kind,
                      struct yl_err *err)
{
    for (; *cols != NULL; cols++)
        if (csv_get(row->r, *cols)[0] != '\0')
            return svc_row_fail(err, row, *cols, "not used by a %s schedule; leave it empty",
                                kind);
    return 0;
}

static int svc_item_window(struct svc_item *it, const struct svc_row *row, struct yl_err *err)
{
    static const char *const unused[] = {"every", "times", NULL};
    const char *anchor = csv_get(row->r, "anchor");
    int rc = svc_unused(row, unused, "window", err);
    int a;

    for (a = 1; a < SVC_ANCHOR_COUNT && strcmp(anchor, svc_anchor_code(a)) != 0; a++)
        ;
    if (rc == 0 && a == SVC_ANCHOR_COUNT)
        rc = svc_row_fail(err, row, "anchor", "\"%s\" is not birth, pregnancy, delivery or "
                          "notification", anchor);
    if (rc == 0)
        rc = svc_period_col(row, "start", false, &it->start, err);
    if (rc == 0)
        rc = svc_period_col(row, "before", false, &it->before, err);
    if (rc == 0)
        rc = svc_period_col(row, "min", true, &it->min, err);
    if (rc == 0)
        rc = svc_period_col(row, "keep", true, &it->keep, err);
    if (rc != 0)
        return rc;
    it->anchor = (uint8_t)a;
    if (!svc_period_set(it->min))
        it->min.unit = SVC_UNIT_DAY;
    if (svc_period_add(SVC_REF_DAY, it->before) <= svc_period_add(SVC_REF_DAY, it->start))
        return svc_row_fail(err, row, "before", "the window must end after it starts");
    if (a == SVC_ANCHOR_PREGNANCY && it->tag != TAG_PREGNANT)
        return svc_row_fail(err, row, "tag", "a pregnancy window needs tag \"%s\"",
                            vocab_code(VOCAB_TAG, TAG_PREGNANT));
    if (a == SVC_ANCHOR_NOTIFICATION && it->tag < 0)
        return svc_row_fail(err, row, "tag", "a notification window is anchored at the start "
                            "of its tag; name the tag");
    return 0;
}

static int svc_item_periodic(struct svc_item *it, const struct svc_row *row,
                             struct yl_err *err)
{
    static const char *const unused[] = {"anchor", "before", "min", "keep", NULL};
    const char *times = csv_get(row->r, "times");
    const char *kind = svc_schedule_code(it->schedule);
    int rc = svc_unused(row, unused, kind, err);

    if (rc == 0 && it->schedule == SVC_SCHED_INTERVAL) {
        rc = svc_period_col(row, "every", false, &it->every, err);
        if (rc == 0 && times[0] != '\0')
            rc = svc_row_fail(err, row, "times", "not used by an interval schedule");
    } else if (rc == 0) {
        char *end;
        long t = strtol(times, &end, 10);
        if (times[0] == '\0' || *end != '\0' || t < 1 || t > 52)
            return svc_row_fail(err, row, "times", "\"%s\" is not a number of services a "
                                "year from 1 to 52", times);
        if (csv_get(row->r, "every")[0] != '\0')
            return svc_row_fail(err, row, "every", "per_year works the interval out from "
                                "times; leave it empty");
        it->times = (int16_t)t;
        /* 4 a year is every 3 months; a count that does not divide a year goes by days. */
        it->every.unit = 12 % t == 0 ? SVC_UNIT_MONTH : SVC_UNIT_DAY;
        it->every.n = (int32_t)(12 % t == 0 ? 12 / t : 365 / t);
    }
    if (rc == 0)
        rc = svc_period_col(row, "start", false, &it->start, err);
    if (rc == 0 && svc_period_add(SVC_REF_DAY, it->start) > svc_period_add(SVC_REF_DAY,
                                                                           it->every))
        rc = svc_row_fail(err, row, "start", "the window cannot open after the due day");
    return rc;
}

static int svc_item_schedule(struct svc_item *it, const struct svc_row *row,
                             struct yl_err *err)
{
    static const char *const yearly_unused[] = {"anchor", "start", "before", "every", "times",
                                                "min", "keep", NULL};
    const char *sched = csv_get(row->r, "schedule");
    int s;

    for (s = 0; s < SVC_SCHED_COUNT && strcmp(sched, svc_schedule_code(s)) != 0; s++)
        ;
    if (s == SVC_SCHED_COUNT)
        return svc_row_fail(err, row, "schedule", "\"%s\" is not window, interval, per_year "
                            "or yearly", sched);
    it->schedule = (uint8_t)s;
    if (s == SVC_SCHED_WINDOW)
        return svc_item_window(it, row, err);
    if (s == SVC_SCHED_YEARLY)
        return svc_unused(row, yearly_unused, "yearly", err);
    return svc_item_periodic(it, row, err);
}

/* The measurement lists: collect codes of `requires` then `allows`. */
struct svc_mlist {
    const struct svc_protocol *p;
    struct svc_item *it;
    const struct svc_row *row;
    const char *col;
    bool required;
    struct yl_err *err;
};

static int svc_mlist_add(const char *code, size_t len, void *ctx)
{
    struct svc_mlist *l = ctx;
    char buf[SVC_CODE_MAX];
    int m;

    if (len >= sizeof(buf))
        return svc_row_fail(l->err, l->row, l->col, "unknown measurement \"%.*s\"", (int)len,
                            code);
    memcpy(buf, code, len);
    buf[len] = '\0';
    m = svc_measure_find(l->p, buf);
    if (m < 0)
        return svc_row_fail(l->err, l->row, l->col, "unknown measurement \"%s\"", buf);
    if (l->required && l->p->measures[m].derive != SVC_DERIVE_NONE)
        return svc_row_fail(l->err, l->row, l->col, "%s is derived, it cannot be required",
                            buf);
    for (int i = 0; i < l->it->n_measures; i++)
        if (l->it->measures[i] == m)
            return svc_row_fail(l->err, l->row, l->col, "%s is listed twice", buf);
    if (l->it->n_measures == SVC_ITEM_MEASURES)
        return svc_row_fail(l->err, l->row, l->col, "more than %d measurements",
                            SVC_ITEM_MEASURES);
    if (l->required)
        l->it->required_mask |= (uint64_t)1 << l->it->n_measures;
    l->it->measures[l->it->n_measures++] = (uint16_t)m;
    return 0;
}

static int svc_item_measures(const struct svc_protocol *p, struct svc_item *it,
                             const struct svc_row *row, struct yl_err *err)
{
    struct svc_mlist l = {p, it, row, "requires", true, err};
    int rc = svc_codes_each(csv_get(row->r, "requires"), svc_mlist_add, &l);

    if (rc != 0)
        return rc;
    l.col = "allows";
    l.required = false;
    return svc_codes_each(csv_get(row->r, "allows"), svc_mlist_add, &l);
}

static int svc_item_extra(struct svc_item *it, const struct svc_row *row, struct yl_err *err)
{
    const char *points = csv_get(row->r, "points");
    const char *vaccine = csv_get(row->r, "vaccine");
    const char *dose = csv_get(row->r, "dose");
    char *end;

    it->points = 0;
    if (points[0] != '\0') {
        it->points = strtod(points, &end);
        if (*end != '\0' || !(it->points >= 0 && it->points <= 1000))
            return svc_row_fail(err, row, "points", "\"%s\" is not a number from 0 to 1000",
                                points);
    }
    if (vaccine[0] == '\0')
        return dose[0] == '\0' ? 0 : svc_row_fail(err, row, "dose", "a dose needs a vaccine");
    if (svc_text(it->vaccine, sizeof(it->vaccine), vaccine, false) != 0)
        return svc_row_fail(err, row, "vaccine", "longer than %zu bytes",
                            sizeof(it->vaccine) - 1);
    if (it->program != SVC_PROG_IMMUNIZATION || it->schedule != SVC_SCHED_WINDOW
        || it->anchor != SVC_ANCHOR_BIRTH)
        return svc_row_fail(err, row, "vaccine", "a vaccine dose is an immunization item "
                            "with a window from birth");
    long d = strtol(dose, &end, 10);
    if (dose[0] == '\0' || *end != '\0' || d < 1 || d > 10)
        return svc_row_fail(err, row, "dose", "\"%s\" is not a dose number from 1 to 10", dose);
    it->dose = (int8_t)d;
    return 0;
}

int svc_item_row(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err)
{
    struct svc_item it;
    int rc, at;

    memset(&it, 0, sizeof(it));
    rc = svc_item_names(&it, row, err);
    if (rc == 0)
        rc = svc_item_eligibility(&it, row, err);
    if (rc == 0)
        rc = svc_item_schedule(&it, row, err);
    if (rc == 0)
        rc = svc_item_measures(p, &it, row, err);
    if (rc == 0)
        rc = svc_item_extra(&it, row, err);
    if (rc != 0)
        return rc;
    at = svc_item_find(p, it.code);
    if (at < 0) {
        if (p->n_items == SVC_ITEMS_MAX)
            return svc_row_fail(err, row, "code", "more than %d items", SVC_ITEMS_MAX);
        if (p->n_items == p->cap_items) {
            p->cap_items = p->cap_items ? 2 * p->cap_items : 64;
            p->items = xrealloc(p->items, p->cap_items * sizeof(*p->items));
        }
        at = (int)p->n_items++;
    }
    p->items[at] = it;
    return 0;
}
