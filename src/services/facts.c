/*
 * facts.c - what the engine knows of a resident, taken from the population index (row and
 * spans), the care plan over the live index, and the text form of measurements.
 *
 * The same facts serve recording (read from the store on the write's own connection with
 * pidx_resident_read) and care plans and worklists (the live index), so an event is refused
 * as not eligible by exactly the test the plan and the rates apply. events.h documents the
 * delivery day and the measurement text.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex.h"
#include "services/events.h"
#include "vocab/vocab.h"

/* --- facts ------------------------------------------------------------------------------ */

/* The delivery a pregnant/postpartum span records, or SVC_DAY_NONE, as known on `day`. The
 * tag covers pregnancy and the postpartum weeks after it (the demo and most registers keep
 * it open 42 days past delivery), so with an expected delivery E the delivery is E, or the
 * span's end when it ended before E at SVC_DELIVERY_MIN_WEEKS of gestation or later (an early
 * delivery; earlier than that it was no delivery). A span without E counts its end. */
static int32_t delivery_of(const struct pidx_span *s, int32_t day)
{
    int32_t end = s->to == PIDX_OPEN ? SVC_DAY_NONE : s->to;
    int32_t delivery = end, due = pidx_span_due(s);
    if (due != SVC_DAY_NONE) {
        delivery = end != SVC_DAY_NONE && end < due ? end : due;
        if (delivery < due - (40 - SVC_DELIVERY_MIN_WEEKS) * 7)
            return SVC_DAY_NONE;
    }
    return delivery != SVC_DAY_NONE && delivery <= day ? delivery : SVC_DAY_NONE;
}

void svc_facts_from_index(const struct pidx_resident *r, const struct pidx_span *spans,
                          int32_t day, struct svc_tag_span *tags, size_t cap,
                          struct svc_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->sex = r->sex;
    f->birth = r->birth;
    f->end_day = r->end_date;       /* PIDX_OPEN and SVC_OPEN are both INT32_MAX */
    f->delivery_day = SVC_DAY_NONE;
    f->record_day = r->record_date;
    f->tags = tags;
    for (uint32_t i = 0; i < r->span_count; i++) {
        const struct pidx_span *s = &spans[i];
        if (s->kind != PIDX_SPAN_TAG)
            continue;
        if (s->value == TAG_PREGNANT) {
            int32_t d = delivery_of(s, day);
            if (d != SVC_DAY_NONE && (f->delivery_day == SVC_DAY_NONE || d > f->delivery_day))
                f->delivery_day = d;
        }
        if (f->n_tags == cap)
            continue;
        struct svc_tag_span *t = &tags[f->n_tags++];
        t->from = s->from;
        t->to = s->to;
        t->tag = (uint8_t)s->value;
        t->expected_delivery = pidx_span_due(s);   /* INT32_MIN is SVC_DAY_NONE */
    }
}

/* --- the care plan ---------------------------------------------------------------------- */

bool svc_care_plan(struct pidx *x, const struct svc_protocol *p, uint32_t id, int32_t today,
                   int horizon_days, struct svc_plan_entry *out, size_t cap, size_t *n)
{
    struct pidx_view v;
    struct svc_tag_span tags[64];
    struct svc_facts f;
    bool found = false;
    *n = 0;
    pidx_read_lock(x);
    pidx_view(x, &v);
    if (id < v.n_residents && v.residents[id].ou != PIDX_NONE) {
        const struct pidx_resident *r = &v.residents[id];
        size_t n_done;
        const struct svc_done *done = pidx_view_services(&v, id, &n_done);
        svc_facts_from_index(r, &v.spans[r->span_first], today, tags, 64, &f);
        *n = svc_plan_build(p, &f, done, n_done, today, horizon_days, out, cap);
        found = true;
    }
    pidx_read_unlock(x);
    return found;
}

/* --- measurements as text --------------------------------------------------------------- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* A yes/no written as a word, or -1. */
static int yesno_word(const char *s)
{
    static const char *const yes[] = {"yes", "true"}, *const no[] = {"no", "false"};
    for (int i = 0; i < 2; i++) {
        if (strcmp(s, yes[i]) == 0)
            return 1;
        if (strcmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* One "code=value" pair, NUL-terminated in place, into v. */
static int parse_pair(const struct svc_protocol *p, char *pair, struct svc_measure_value *v,
                      struct yl_err *err)
{
    char *eq = strchr(pair, '=');
    if (eq == NULL || eq == pair || eq[1] == '\0')
        return yl_err_set(err, YL_EINVAL, "measurements",
                          "measurements must be code=value pairs separated by spaces");
    *eq = '\0';
    memset(v, 0, sizeof(*v));
    v->code = pair;
    v->measure = -1;
    const char *value = eq + 1;
    int m = svc_measure_find(p, pair);
    if (m < 0 || svc_measure_at(p, m)->kind == SVC_MK_TEXT) {
        v->text = value;
        return 0;
    }
    int word = svc_measure_at(p, m)->kind == SVC_MK_YESNO ? yesno_word(value) : -1;
    if (word >= 0) {
        v->num = word;
        return 0;
    }
    char *end;
    errno = 0;
    v->num = strtod(value, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v->num))
        return yl_err_set(err, YL_EINVAL, pair, "%s must be a number", pair);
    return 0;
}

int svc_measures_parse(const struct svc_protocol *p, const char *text,
                       struct svc_measure_list *out, struct yl_err *err)
{
    out->n = 0;
    size_t len = text != NULL ? strlen(text) : 0;
    if (len >= sizeof(out->buf))
        return yl_err_set(err, YL_EINVAL, "measurements",
                          "measurements are longer than %d bytes", SVC_MEASUREMENTS_MAX - 1);
    if (len > 0)
        memcpy(out->buf, text, len);
    out->buf[len] = '\0';
    char *at = out->buf;
    for (;;) {
        while (is_space(*at))
            at++;
        if (*at == '\0')
            return 0;
        char *end = at;
        while (*end != '\0' && !is_space(*end))
            end++;
        bool last = *end == '\0';
        *end = '\0';
        if (out->n == SVC_ITEM_MEASURES)
            return yl_err_set(err, YL_EINVAL, "measurements", "more than %d measurements",
                              SVC_ITEM_MEASURES);
        int rc = parse_pair(p, at, &out->v[out->n], err);
        if (rc != 0)
            return rc;
        out->n++;
        if (last)
            return 0;
        at = end + 1;
    }
}

static int by_measure(const void *a, const void *b)
{
    const struct svc_measure_value *x = a, *y = b;
    return (x->measure > y->measure) - (x->measure < y->measure);
}

int svc_measures_format(const struct svc_protocol *p, const struct svc_measure_value *v,
                        size_t n, char *out, size_t size, struct yl_err *err)
{
    struct svc_measure_value sorted[SVC_ITEM_MEASURES + 8];
    if (n > sizeof(sorted) / sizeof(sorted[0]))
        return yl_err_set(err, YL_EINVAL, "measurements", "too many measurements");
    if (n > 0)
        memcpy(sorted, v, n * sizeof(*v));
    qsort(sorted, n, sizeof(*sorted), by_measure);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct svc_measure *m = svc_measure_at(p, sorted[i].measure);
        int w;
        if (m->kind == SVC_MK_TEXT) {
            for (const char *c = sorted[i].text; *c != '\0'; c++)
                if ((unsigned char)*c <= ' ')
                    return yl_err_set(err, YL_EINVAL, m->code,
                                      "%s may not contain spaces or control characters",
                                      m->code);
            w = snprintf(out + used, size - used, "%s%s=%s", i ? " " : "", m->code,
                         sorted[i].text);
        } else {
            w = snprintf(out + used, size - used, "%s%s=%.15g", i ? " " : "", m->code,
                         sorted[i].num);
        }
        if (w < 0 || (size_t)w >= size - used)
            return yl_err_set(err, YL_EINVAL, "measurements",
                              "measurements are longer than %zu bytes", size - 1);
        used += (size_t)w;
    }
    return 0;
}
