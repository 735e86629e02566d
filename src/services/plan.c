/*
 * plan.c - eligibility and the care plan: for one resident on one day, which items apply,
 * which window each is in, and what the rules say about the last results.
 *
 * The one idea: every schedule kind reduces to a window [open, due_by] and whether the
 * current cycle is already satisfied; the state (done, due, overdue, upcoming, later)
 * follows from where today falls. Work that does not depend on the item (the birth date's
 * y/m/d, ages at today and at the horizon, which tags are near) is done once per resident,
 * so an item the resident cannot be eligible for costs a few comparisons. Pure: no
 * allocation, no clock. Semantics: docs/protocols.md.
 */
#include <string.h>

#include "core/date.h"
#include "services/services_int.h"

/* Days from the last menstrual period to the expected delivery (Naegele's rule). */
#define SVC_PREGNANCY_DAYS 280

/* One resident on one day, worked out once for all items. */
struct svc_ctx {
    const struct svc_protocol *p;
    const struct svc_facts *f;
    int32_t today, horizon_end;
    int by, bm, bd;                 /* birth */
    int32_t year_start;             /* 1 January of today's year */
    int32_t age_now[5], age_end[5]; /* completed age per enum svc_unit at today / horizon */
    uint32_t tags_near;             /* tags with a span touching [today, horizon_end] */
};

/* Where an item stands for this resident: eligible over [from, to], anchored at anchor. */
struct svc_elig {
    int32_t from, to;
    int32_t anchor;
    int32_t count_from;             /* events before this day do not count */
};

/* The events of one item that count. */
struct svc_stats {
    int32_t last;
    int n;
    uint8_t out[SVC_HISTORY_KEEP];  /* outcomes, most recent first */
    uint16_t year;
};

static int32_t svc_floor_div(int32_t a, int32_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void svc_ages(const struct svc_ctx *c, int32_t day, int32_t age[5])
{
    int y, m, d, months;

    date_to_ymd(day, &y, &m, &d);
    months = (y - c->by) * 12 + (m - c->bm) - (d < c->bd ? 1 : 0);
    age[SVC_UNIT_NONE] = 0;
    age[SVC_UNIT_DAY] = day - c->f->birth;
    age[SVC_UNIT_WEEK] = svc_floor_div(day - c->f->birth, 7);
    age[SVC_UNIT_MONTH] = months;
    age[SVC_UNIT_YEAR] = svc_floor_div(months, 12);
}

static void svc_ctx_init(struct svc_ctx *c, const struct svc_protocol *p,
                         const struct svc_facts *f, int32_t today, int horizon_days)
{
    int y, m, d;

    memset(c, 0, sizeof(*c));
    c->p = p;
    c->f = f;
    c->today = today;
    c->horizon_end = today + (horizon_days > 0 ? horizon_days : 0);
    date_to_ymd(f->birth, &c->by, &c->bm, &c->bd);
    date_to_ymd(today, &y, &m, &d);
    c->year_start = date_from_ymd(y, 1, 1);
    svc_ages(c, today, c->age_now);
    svc_ages(c, c->horizon_end, c->age_end);
    for (size_t i = 0; i < f->n_tags; i++)
        if (f->tags[i].from <= c->horizon_end && f->tags[i].to >= today && f->tags[i].tag < 32)
            c->tags_near |= (uint32_t)1 << f->tags[i].tag;
}

/* A few comparisons that rule out most items: wrong sex, no such tag near, too young even
 * at the horizon, too old already. */
static bool svc_quick(const struct svc_ctx *c, const struct svc_item *it)
{
    if (it->sex != 0 && it->sex != c->f->sex)
        return false;
    if (it->tag >= 0 && !(c->tags_near >> it->tag & 1))
        return false;
    if (c->age_end[it->age_min.unit] < it->age_min.n)
        return false;
    return !svc_period_set(it->age_max) || c->age_now[it->age_max.unit] <= it->age_max.n;
}

/* The span of the item's tag covering today (the latest to begin), else the first one that
 * begins within the horizon. */
static const struct svc_tag_span *svc_span(const struct svc_ctx *c, int tag)
{
    const struct svc_tag_span *best = NULL, *soon = NULL;

    for (size_t i = 0; i < c->f->n_tags; i++) {
        const struct svc_tag_span *s = &c->f->tags[i];
        if (s->tag != tag)
            continue;
        if (s->from <= c->today && s->to >= c->today) {
            if (best == NULL || s->from > best->from)
                best = s;
        } else if (s->from > c->today && s->from <= c->horizon_end) {
            if (soon == NULL || s->from < soon->from)
                soon = s;
        }
    }
    return best != NULL ? best : soon;
}

static int32_t svc_max(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static int32_t svc_min(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

/* The birth date plus a period, with the birth's y/m/d already known. */
static int32_t svc_from_birth(const struct svc_ctx *c, struct svc_period p)
{
    return svc_period_add_ymd(c->f->birth, c->by, c->bm, c->bd, p);
}

/* Anchor day of a window item, or SVC_DAY_NONE when the resident has none. */
static int32_t svc_anchor_day(const struct svc_ctx *c, const struct svc_item *it,
                              const struct svc_tag_span *span)
{
    switch (it->anchor) {
    case SVC_ANCHOR_BIRTH: return c->f->birth;
    case SVC_ANCHOR_PREGNANCY:
        return span != NULL && span->expected_delivery != SVC_DAY_NONE
                   ? span->expected_delivery - SVC_PREGNANCY_DAYS : SVC_DAY_NONE;
    case SVC_ANCHOR_NOTIFICATION: return span != NULL ? span->from : SVC_DAY_NONE;
    case SVC_ANCHOR_DELIVERY:
        return c->f->delivery_day != SVC_DAY_NONE && c->f->delivery_day <= c->today
                   ? c->f->delivery_day : SVC_DAY_NONE;
    default: return SVC_DAY_NONE;
    }
}

/* Exact eligibility: false unless the resident is eligible on today or from a day within
 * the horizon. */
static bool svc_elig_get(const struct svc_ctx *c, const struct svc_item *it,
                         struct svc_elig *e)
{
    const struct svc_tag_span *span = NULL;

    e->from = svc_from_birth(c, it->age_min);
    e->to = svc_period_set(it->age_max)
                ? svc_from_birth(c, (struct svc_period){it->age_max.n + 1, it->age_max.unit}) - 1
                : SVC_OPEN;
    if (c->f->end_day != SVC_OPEN)
        e->to = svc_min(e->to, c->f->end_day - 1);
    e->anchor = SVC_DAY_NONE;
    e->count_from = SVC_DAY_NONE;
    if (it->tag >= 0) {
        span = svc_span(c, it->tag);
        if (span == NULL)
            return false;
        e->from = svc_max(e->from, span->from);
        e->to = svc_min(e->to, span->to);
        e->count_from = span->from;
    }
    if (it->schedule == SVC_SCHED_WINDOW) {
        e->anchor = svc_anchor_day(c, it, span);
        if (e->anchor == SVC_DAY_NONE)
            return false;
        if (it->anchor == SVC_ANCHOR_DELIVERY)
            e->from = svc_max(e->from, e->anchor);
        e->count_from = it->anchor == SVC_ANCHOR_BIRTH ? svc_from_birth(c, it->min)
                                                       : svc_period_add(e->anchor, it->min);
    }
    if (e->from > e->to || e->to < c->today)
        return false;
    return e->from <= c->horizon_end;
}

/* The events of `item` from count_from to today. History is sorted by day. */
static void svc_stats_scan(const struct svc_ctx *c, const struct svc_done *h, size_t n,
                           int item, int32_t count_from, struct svc_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->last = SVC_DAY_NONE;
    for (size_t i = 0; i < n && h[i].day <= c->today; i++) {
        if (h[i].item != item || h[i].day < count_from)
            continue;
        st->last = h[i].day;
        memmove(st->out + 1, st->out, SVC_HISTORY_KEEP - 1);
        st->out[0] = h[i].outcome;
        st->n++;
        if (h[i].day >= c->year_start)
            st->year++;
    }
}

/* Rules whose action fires on the last events: referral, and the next one brought forward. */
static void svc_apply_rules(const struct svc_ctx *c, const struct svc_item *it,
                            const struct svc_stats *st, struct svc_plan_entry *e)
{
    for (int r = it->rule_first; r < it->rule_first + it->n_rules; r++) {
        const struct svc_rule *rule = &c->p->rules[r];
        bool all = rule->action != SVC_ACT_NONE && st->n >= rule->consecutive;

        for (int k = 0; all && k < rule->consecutive; k++)
            all = (st->out[k] & rule->outcome) != 0;
        if (!all)
            continue;
        if (rule->action == SVC_ACT_REFER && e->refer_rule < 0) {
            e->refer_rule = (int16_t)r;
            e->flags |= SVC_PLAN_REFER;
        } else if (rule->action == SVC_ACT_DUE_WITHIN
                   && st->last + rule->within_days < e->due_by) {
            e->due_by = st->last + rule->within_days;
            e->open = svc_min(e->open, st->last + 1);
            e->due_rule = (int16_t)r;
        }
    }
}

/* The state from today and the window; satisfied: the current cycle is done. */
static void svc_state_set(const struct svc_ctx *c, struct svc_plan_entry *e, bool satisfied)
{
    if (satisfied)
        e->state = e->open != SVC_DAY_NONE && e->open <= c->horizon_end ? SVC_STATE_UPCOMING
                                                                        : SVC_STATE_DONE;
    else if (c->today < e->open)
        e->state = e->open <= c->horizon_end ? SVC_STATE_UPCOMING : SVC_STATE_LATER;
    else if (c->today <= e->due_by)
        e->state = SVC_STATE_DUE;
    else {
        e->state = SVC_STATE_OVERDUE;
        e->overdue_since = e->due_by + 1;
    }
}

/* A window from an anchor. False when the item has left the plan (`keep` after its
 * window closed). */
static bool svc_plan_window(const struct svc_ctx *c, const struct svc_item *it,
                            const struct svc_elig *el, const struct svc_stats *st,
                            struct svc_plan_entry *e)
{
    bool birth = it->anchor == SVC_ANCHOR_BIRTH;
    int32_t open = birth ? svc_from_birth(c, it->start) : svc_period_add(el->anchor, it->start);
    int32_t end = birth ? svc_from_birth(c, it->before) : svc_period_add(el->anchor, it->before);

    if (svc_period_set(it->keep) && c->today >= svc_period_add(end, it->keep))
        return false;
    /* A window that opened before the resident became eligible opens for them then (a
     * pregnancy registered after the window began), unless it had closed already. */
    if (el->from > open && el->from < end)
        open = el->from;
    /* Done once for the anchor: there is no next window. */
    e->open = st->n > 0 ? SVC_DAY_NONE : open;
    e->due_by = st->n > 0 ? SVC_DAY_NONE : end - 1;
    svc_state_set(c, e, st->n > 0);
    return true;
}

static void svc_plan_yearly(const struct svc_ctx *c, const struct svc_elig *el,
                            const struct svc_stats *st, struct svc_plan_entry *e)
{
    int y, m, d;

    if (st->year > 0) {
        date_to_ymd(c->year_start, &y, &m, &d);
        e->open = date_from_ymd(y + 1, 1, 1);
        e->due_by = date_from_ymd(y + 1, 12, 31);
        svc_state_set(c, e, true);
        return;
    }
    e->open = svc_max(c->year_start, el->from);
    date_to_ymd(e->open, &y, &m, &d);
    e->due_by = date_from_ymd(y, 12, 31);
    svc_state_set(c, e, false);
}

static void svc_plan_periodic(const struct svc_ctx *c, const struct svc_item *it,
                              const struct svc_elig *el, const struct svc_stats *st,
                              struct svc_plan_entry *e)
{
    if (st->n == 0) {
        /* Never done in this eligibility: due within one period of it beginning, or of the
         * record's opening when that came later (a woman of 50 whose record opened last
         * year is due for screening now, not overdue since she turned 35). */
        int32_t from = el->from;
        if (c->f->record_day != SVC_DAY_NONE && c->f->record_day > from)
            from = c->f->record_day;
        e->open = from;
        e->due_by = svc_period_add(from, it->every);
        svc_state_set(c, e, false);
        return;
    }
    e->open = svc_period_add(st->last, it->start);
    e->due_by = svc_period_add(st->last, it->every);
    svc_apply_rules(c, it, st, e);
    svc_state_set(c, e, c->today < e->open);
}

/* The entry of one item; false when the item is not in the plan. */
static bool svc_plan_item(const struct svc_ctx *c, int i, const struct svc_done *h, size_t n,
                          struct svc_plan_entry *e)
{
    const struct svc_item *it = &c->p->items[i];
    struct svc_elig el;
    struct svc_stats st;

    if (!svc_quick(c, it) || !svc_elig_get(c, it, &el))
        return false;
    svc_stats_scan(c, h, n, i, el.count_from, &st);
    memset(e, 0, sizeof(*e));
    e->item = (uint16_t)i;
    e->overdue_since = SVC_DAY_NONE;
    e->last_done = st.last;
    e->done_this_year = st.year;
    e->refer_rule = -1;
    e->due_rule = -1;
    switch (it->schedule) {
    case SVC_SCHED_WINDOW:
        if (!svc_plan_window(c, it, &el, &st, e))
            return false;
        break;
    case SVC_SCHED_YEARLY: svc_plan_yearly(c, &el, &st, e); break;
    default: svc_plan_periodic(c, it, &el, &st, e); return true;
    }
    /* Periodic items applied their rules above (they may move the window); the others can
     * only suggest a referral. */
    svc_apply_rules(c, it, &st, e);
    return true;
}

size_t svc_plan_build(const struct svc_protocol *p, const struct svc_facts *f,
                      const struct svc_done *history, size_t n_history, int32_t today,
                      int horizon_days, struct svc_plan_entry *out, size_t cap)
{
    struct svc_ctx c;
    struct svc_plan_entry e;
    size_t count = 0;

    if (f->end_day <= today)
        return 0;
    svc_ctx_init(&c, p, f, today, horizon_days);
    for (size_t i = 0; i < p->n_items; i++) {
        if (!svc_plan_item(&c, (int)i, history, n_history, &e))
            continue;
        if (count < cap)
            out[count] = e;
        count++;
    }
    return count;
}

bool svc_item_eligible(const struct svc_protocol *p, int item, const struct svc_facts *f,
                       int32_t day)
{
    struct svc_ctx c;
    struct svc_elig el;
    const struct svc_item *it;

    if (item < 0 || (size_t)item >= p->n_items || f->end_day <= day)
        return false;
    it = &p->items[item];
    svc_ctx_init(&c, p, f, day, 0);
    return svc_quick(&c, it) && svc_elig_get(&c, it, &el);
}
