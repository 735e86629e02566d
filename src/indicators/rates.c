/*
 * rates.c - the management rates of the basic public health services (issue 4, "Rates"):
 * the part of the one resident pass that reads each resident's service history.
 *
 * The one idea: the protocol says which item plays which part - a programme's per_year
 * item is its follow-up, its yearly item the yearly check, a window item anchored at birth
 * with the earliest window the newborn visit - so the plan is worked out once per pass
 * from programmes and schedules, and each resident costs one scan of their history plus
 * comparisons against day thresholds computed up front. References: 国家基本公共卫生服务
 * 规范（第三版）, the indicator definitions of each service specification (考核指标);
 * docs/indicators.md gives every numerator and denominator.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "indicators/indicators_int.h"
#include "services/events.h"
#include "vocab/vocab.h"

#define NO_SLOT 0xFFFF
#define YEAR_DAYS 365.25
#define FACT_TAGS 32

/* Counters of a unit: the static rate measures in enum order, then two per coverage item. */
#define N_STATIC (IND_M_RESIDENT_END - IND_M_SIGNED_SERVED)
#define C(m) ((m) - IND_M_SIGNED_SERVED)

/* What an event of an item adds to a resident's scan of the period. */
enum { RF_ELDERLY = 1, RF_TCM_ELDERLY = 2, RF_CHILD = 4, RF_TCM_CHILD = 8 };

struct role {
    uint8_t flags;          /* RF_* */
    uint8_t chronic;        /* enum ind_chronic of a follow-up item, or IND_CHRONIC_COUNT */
    uint16_t cov;           /* coverage slot, or NO_SLOT */
};

/* Birth days that put a resident in an age range on D: born_lo <= birth <= born_hi. */
struct ages {
    int32_t born_lo, born_hi;
    uint8_t sex;            /* 0 any */
};

/* A window item of a flow: the newborn visit, the first prenatal visit, ... */
struct window {
    int item;               /* -1: the protocol has none, the rate stays empty */
    struct svc_period start, before, min;
};

struct coverage {
    int item;
    bool dose;
    struct ages ages;       /* a dose: its cohort (due on a day of [start, D]); a screening
                             * item: the ages it is for on D */
    int32_t since;          /* a screening: the earliest event that still covers D */
    struct svc_period min;  /* a dose: its minimum age */
};

struct chronic {
    int item;               /* the programme's per_year item, or -1 */
    int tag;
    int required;           /* follow-ups that make management standard in this period */
    struct ages ages;
};

struct ind_rates {
    const struct svc_protocol *p;
    int32_t start, end, day;
    size_t n_items;
    struct role *roles;
    int elderly_item, tcm_elderly_item;
    struct ages elderly, tcm_elderly, children, tcm_children;
    bool has_children, has_tcm_children;
    struct chronic chronic[IND_CHRONIC_COUNT];
    struct window newborn, prenatal, postpartum, tb;
    int tb_tag;
    struct coverage cov[IND_COVERAGE_MAX];
    size_t n_cov;
    struct ages doses_any, screens_any;     /* the union of the slots' ranges, to skip */
    int *mc_items;          /* window items of the maternal and child programmes */
    struct ages *mc_due;    /* birth-anchored ones: the births whose window closes in
                             * [start, D] */
    size_t n_mc;
    size_t width;
};

/* --- the plan --------------------------------------------------------------------------- */

static const struct svc_period NO_PERIOD = {0, SVC_UNIT_NONE};

static struct svc_period one_more(struct svc_period p)
{
    p.n += 1;
    return p;
}

/* The latest birth day b with b + age <= day (ages grow as birth days fall). Binary search
 * over 200 years: a plan computes a few dozen of these, once. */
static int32_t latest_birth(int32_t day, struct svc_period age)
{
    int32_t lo = day - 200 * 366, hi = day;
    if (svc_period_add(lo, age) > day)
        return lo - 1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo + 1) / 2;
        if (svc_period_add(mid, age) <= day)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Ages [age_min, age_max] completed on `day`, as birth days. */
static struct ages ages_of(const struct svc_item *it, int32_t day)
{
    struct ages a = {INT32_MIN, latest_birth(day, it->age_min), it->sex};
    if (it->age_max.unit != SVC_UNIT_NONE)
        a.born_lo = latest_birth(day, one_more(it->age_max)) + 1;
    return a;
}

static bool ages_hold(const struct ages *a, const struct pidx_resident *r)
{
    return r->birth >= a->born_lo && r->birth <= a->born_hi && (a->sex == 0 || a->sex == r->sex);
}

/* The first item of a programme with a schedule (and, for windows, an anchor), or -1. */
static int first_item(const struct svc_protocol *p, int program, int schedule, int anchor)
{
    int best = -1;
    for (size_t i = 0; i < svc_item_count(p); i++) {
        const struct svc_item *it = svc_item_at(p, (int)i);
        if (it->program != program || it->schedule != schedule ||
            (anchor >= 0 && it->anchor != anchor))
            continue;
        /* Among windows, the one that opens first: the newborn visit before the one-month
         * check, the first prenatal visit before the later ones. */
        if (best < 0 || (anchor >= 0 && svc_period_add(0, it->start) <
                                            svc_period_add(0, svc_item_at(p, best)->start)))
            best = (int)i;
    }
    return best;
}

static struct window window_of(const struct svc_protocol *p, int program, int anchor)
{
    struct window w = {first_item(p, program, SVC_SCHED_WINDOW, anchor), NO_PERIOD, NO_PERIOD,
                       NO_PERIOD};
    if (w.item >= 0) {
        const struct svc_item *it = svc_item_at(p, w.item);
        w.start = it->start;
        w.before = it->before;
        w.min = it->min;
    }
    return w;
}

static bool is_dose(const struct svc_item *it)
{
    return it->program == SVC_PROG_IMMUNIZATION && it->schedule == SVC_SCHED_WINDOW &&
           it->anchor == SVC_ANCHOR_BIRTH;
}

static bool is_screening(const struct svc_item *it)
{
    return it->program == SVC_PROG_SCREENING && it->schedule == SVC_SCHED_INTERVAL;
}

size_t ind_coverage_items(const struct svc_protocol *p, int *items, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; p != NULL && i < svc_item_count(p) && n < IND_COVERAGE_MAX; i++) {
        const struct svc_item *it = svc_item_at(p, (int)i);
        if (!is_dose(it) && !is_screening(it))
            continue;
        if (n < cap)
            items[n] = (int)i;
        n++;
    }
    return n;
}

size_t ind_rates_measures(const struct svc_protocol *p)
{
    return IND_M_COUNT + 2 * ind_coverage_items(p, NULL, 0);
}

static void widen(struct ages *all, const struct ages *a)
{
    all->born_lo = a->born_lo < all->born_lo ? a->born_lo : all->born_lo;
    all->born_hi = a->born_hi > all->born_hi ? a->born_hi : all->born_hi;
}

static void plan_coverage(struct ind_rates *rp)
{
    int items[IND_COVERAGE_MAX];
    rp->n_cov = ind_coverage_items(rp->p, items, IND_COVERAGE_MAX);
    rp->doses_any = rp->screens_any = (struct ages){INT32_MAX, INT32_MIN, 0};
    for (size_t k = 0; k < rp->n_cov; k++) {
        const struct svc_item *it = svc_item_at(rp->p, items[k]);
        struct coverage *c = &rp->cov[k];
        c->item = items[k];
        c->dose = is_dose(it);
        c->min = it->min;
        rp->roles[items[k]].cov = (uint16_t)k;
        if (c->dose) {
            /* The cohort: children who reach the dose's due age (the age it should be
             * complete before) on a day of [start, D]. */
            c->ages.born_lo = latest_birth(rp->start - 1, it->before) + 1;
            c->ages.born_hi = latest_birth(rp->day, it->before);
            c->ages.sex = it->sex;
            widen(&rp->doses_any, &c->ages);
        } else {
            c->ages = ages_of(it, rp->day);
            c->since = latest_birth(rp->day, it->every) + 1;
            widen(&rp->screens_any, &c->ages);
        }
    }
}

static void plan_chronic(struct ind_rates *rp)
{
    static const int programs[IND_CHRONIC_COUNT] = {
        [IND_CHRONIC_HYPERTENSION] = SVC_PROG_HYPERTENSION,
        [IND_CHRONIC_DIABETES] = SVC_PROG_DIABETES, [IND_CHRONIC_MENTAL] = SVC_PROG_MENTAL};
    double days = (double)(rp->end - rp->start + 1);
    for (int c = 0; c < IND_CHRONIC_COUNT; c++) {
        struct chronic *ch = &rp->chronic[c];
        ch->item = first_item(rp->p, programs[c], SVC_SCHED_PER_YEAR, -1);
        const struct svc_item *it = ch->item >= 0 ? svc_item_at(rp->p, ch->item) : NULL;
        if (it == NULL || it->tag < 0) {
            ch->item = -1;
            continue;
        }
        ch->tag = it->tag;
        ch->ages = ages_of(it, rp->day);
        /* `times` a year, scaled to the period and rounded: 4 for a year, 2 for a half,
         * 1 for a quarter or a month (never fewer than 1). */
        long need = lround(it->times * days / YEAR_DAYS);
        ch->required = need < 1 ? 1 : (int)need;
        rp->roles[ch->item].chronic = (uint8_t)c;
    }
}

/* Flags of the programmes' items; the age ranges of the child programmes. */
static void plan_programs(struct ind_rates *rp)
{
    rp->elderly_item = first_item(rp->p, SVC_PROG_ELDERLY, SVC_SCHED_YEARLY, -1);
    rp->tcm_elderly_item = first_item(rp->p, SVC_PROG_TCM, SVC_SCHED_YEARLY, -1);
    if (rp->elderly_item >= 0) {
        rp->roles[rp->elderly_item].flags |= RF_ELDERLY;
        rp->elderly = ages_of(svc_item_at(rp->p, rp->elderly_item), rp->day);
    }
    if (rp->tcm_elderly_item >= 0) {
        rp->roles[rp->tcm_elderly_item].flags |= RF_TCM_ELDERLY;
        rp->tcm_elderly = ages_of(svc_item_at(rp->p, rp->tcm_elderly_item), rp->day);
    }
    rp->children = (struct ages){INT32_MAX, INT32_MIN, 0};
    int32_t tcm_reach = INT32_MIN;
    for (size_t i = 0; i < rp->n_items; i++) {
        const struct svc_item *it = svc_item_at(rp->p, (int)i);
        if (it->program == SVC_PROG_CHILD) {
            struct ages a = ages_of(it, rp->day);
            rp->roles[i].flags |= RF_CHILD;
            widen(&rp->children, &a);
            rp->has_children = true;
        }
        if (it->program == SVC_PROG_TCM && it->schedule == SVC_SCHED_WINDOW &&
            it->anchor == SVC_ANCHOR_BIRTH) {
            /* Children are "in" child TCM until the last of its windows closes. */
            int32_t born = latest_birth(rp->day, it->before);
            if (tcm_reach == INT32_MIN || born < tcm_reach)
                tcm_reach = born;
            rp->roles[i].flags |= RF_TCM_CHILD;
            rp->has_tcm_children = true;
        }
        if ((it->program == SVC_PROG_CHILD || it->program == SVC_PROG_MATERNAL) &&
            it->schedule == SVC_SCHED_WINDOW) {
            /* The last day of the window (birth + before - 1) falls in [start, D]. */
            rp->mc_due[rp->n_mc] = (struct ages){latest_birth(rp->start, it->before) + 1,
                                                 latest_birth(rp->day + 1, it->before),
                                                 it->sex};
            rp->mc_items[rp->n_mc++] = (int)i;
        }
    }
    rp->tcm_children = (struct ages){tcm_reach + 1, rp->day, 0};
}

struct ind_rates *ind_rates_new(const struct svc_protocol *p, const struct ind_period *per)
{
    if (p == NULL)
        return NULL;
    struct ind_rates *rp = xcalloc(1, sizeof(*rp));
    rp->p = p;
    rp->start = per->start;
    rp->end = per->end;
    rp->day = per->reference;
    rp->n_items = svc_item_count(p);
    rp->roles = xcalloc(rp->n_items + 1, sizeof(*rp->roles));
    rp->mc_items = xcalloc(rp->n_items + 1, sizeof(*rp->mc_items));
    rp->mc_due = xcalloc(rp->n_items + 1, sizeof(*rp->mc_due));
    for (size_t i = 0; i < rp->n_items; i++) {
        rp->roles[i].chronic = IND_CHRONIC_COUNT;
        rp->roles[i].cov = NO_SLOT;
    }
    plan_programs(rp);
    plan_chronic(rp);
    plan_coverage(rp);
    rp->newborn = window_of(p, SVC_PROG_CHILD, SVC_ANCHOR_BIRTH);
    rp->prenatal = window_of(p, SVC_PROG_MATERNAL, SVC_ANCHOR_PREGNANCY);
    rp->postpartum = window_of(p, SVC_PROG_MATERNAL, SVC_ANCHOR_DELIVERY);
    rp->tb = window_of(p, SVC_PROG_TUBERCULOSIS, SVC_ANCHOR_NOTIFICATION);
    rp->tb_tag = rp->tb.item >= 0 ? svc_item_at(p, rp->tb.item)->tag : -1;
    rp->width = N_STATIC + 2 * rp->n_cov;
    return rp;
}

void ind_rates_free(struct ind_rates *rp)
{
    if (rp == NULL)
        return;
    free(rp->roles);
    free(rp->mc_items);
    free(rp->mc_due);
    free(rp);
}

size_t ind_rates_width(const struct ind_rates *rp)
{
    return rp->width;
}

void ind_rates_add(const struct ind_rates *rp, const uint32_t *c, int64_t *m)
{
    for (int i = 0; i < N_STATIC; i++)
        m[IND_M_SIGNED_SERVED + i] += c[i];
    for (size_t k = 0; k < 2 * rp->n_cov; k++)
        m[IND_M_COUNT + k] += c[N_STATIC + k];
}

/* --- one resident ----------------------------------------------------------------------- */

/* What the resident's history says about the period [start, D]. The chronic arrays have
 * a slot more, IND_CHRONIC_COUNT, where the events of other items land: the scan then
 * needs no branch on the item (follow-ups come in no predictable order). */
struct scan {
    uint32_t services;
    uint8_t flags;
    uint16_t followups[IND_CHRONIC_COUNT + 1];
    uint8_t last_outcome[IND_CHRONIC_COUNT + 1];
    uint64_t covered[IND_COVERAGE_MAX / 64];    /* coverage slots that count */
};

static void bump(uint32_t *acc, size_t width, size_t n_ous, uint32_t ou, size_t c)
{
    if (ou < n_ous)
        acc[(size_t)ou * width + c]++;
}

/* An event of a coverage item: a dose at or after its minimum age by a child of its
 * cohort; a screening recent enough to cover D. */
static void cover(const struct ind_rates *rp, const struct pidx_resident *r, uint16_t k,
                  int32_t day, struct scan *s)
{
    const struct coverage *c = &rp->cov[k];
    bool counts = c->dose ? ages_hold(&c->ages, r) && day >= svc_period_add(r->birth, c->min)
                          : day >= c->since;
    if (counts)
        s->covered[k / 64] |= 1ull << (k % 64);
}

/* One pass over the history up to D (events are sorted by day). Only a resident of a dose
 * cohort's or a screening's ages looks at events before the period. This loop is the cost
 * of the rates: about 20 events a resident. */
static void scan_history(const struct ind_rates *rp, const struct pidx_resident *r,
                         const struct svc_done *h, size_t n, struct scan *s)
{
    bool may_cover = ages_hold(&rp->doses_any, r) || ages_hold(&rp->screens_any, r);
    const struct role *roles = rp->roles;
    const int32_t start = rp->start, day = rp->day;
    size_t i = 0;
    if (!may_cover)
        while (i < n && h[i].day < start)
            i++;
    for (; i < n && h[i].day <= day; i++) {
        if (h[i].item >= rp->n_items)
            continue;
        const struct role *ro = &roles[h[i].item];
        if (may_cover && ro->cov != NO_SLOT)
            cover(rp, r, ro->cov, h[i].day, s);
        if (h[i].day < start)
            continue;
        s->services++;
        s->flags |= ro->flags;
        s->followups[ro->chronic]++;
        s->last_outcome[ro->chronic] = h[i].outcome;
    }
}

/* Whether the history has an event of w's item in its window from `anchor` (from
 * anchor + min on, to the window's last day; whenever that falls). */
static bool in_window(const struct window *w, int32_t anchor, const struct svc_done *h,
                      size_t n)
{
    int32_t open = svc_period_add(anchor, w->start), floor = svc_period_add(anchor, w->min);
    int32_t last = svc_period_add(anchor, w->before) - 1;
    if (floor > open)
        open = floor;
    for (size_t i = 0; i < n && h[i].day <= last; i++)
        if (h[i].item == w->item && h[i].day >= open)
            return true;
    return false;
}

/* Whether the history has an event of `item` on a day of [from, to]. */
static bool done_between(int item, int32_t from, int32_t to, const struct svc_done *h,
                         size_t n)
{
    for (size_t i = 0; i < n && h[i].day <= to; i++)
        if (h[i].item == item && h[i].day >= from)
            return true;
    return false;
}

/* Services in the period, where the resident lived on each day. */
static void count_services(const struct ind_rates *rp, const struct pidx_resident *r,
                           const struct pidx_span *sp, const struct svc_done *h, size_t n,
                           const struct scan *s, uint32_t *acc, size_t n_ous)
{
    if (s->services == 0)
        return;
    if (r->residence_from <= rp->start) {
        if (r->ou < n_ous)
            acc[(size_t)r->ou * rp->width + C(IND_M_SERVICES)] += s->services;
        return;
    }
    for (size_t i = 0; i < n && h[i].day <= rp->day; i++)
        if (h[i].day >= rp->start && h[i].item < rp->n_items)
            bump(acc, rp->width, n_ous, pidx_residence_at(r, sp, h[i].day), C(IND_M_SERVICES));
}

/* The flows: a birth with its newborn visit, notifications with their first visit, a
 * delivery with its first prenatal and postpartum visits - each where the resident lived
 * on its day. */
static void count_flows(const struct ind_rates *rp, const struct pidx_resident *r,
                        const struct pidx_span *sp, const struct svc_done *h, size_t n,
                        uint32_t *acc, size_t n_ous)
{
    size_t w = rp->width;
    if (rp->newborn.item >= 0 && r->birth >= rp->start && r->birth <= rp->end &&
        in_window(&rp->newborn, r->birth, h, n))
        bump(acc, w, n_ous, pidx_residence_at(r, sp, r->birth), C(IND_M_NEWBORN_VISITED));
    bool pregnant = false;
    for (uint32_t k = 0; k < r->span_count; k++) {
        const struct pidx_span *s = &sp[k];
        if (s->kind != PIDX_SPAN_TAG)
            continue;
        pregnant = pregnant || s->value == TAG_PREGNANT;
        if ((int)s->value != rp->tb_tag || s->from < rp->start || s->from > rp->day)
            continue;
        uint32_t at = pidx_residence_at(r, sp, s->from);
        bump(acc, w, n_ous, at, C(IND_M_TB_NOTIFIED));
        if (in_window(&rp->tb, s->from, h, n))
            bump(acc, w, n_ous, at, C(IND_M_TB_VISITED));
    }
    if (!pregnant)
        return;
    struct svc_tag_span tags[FACT_TAGS];
    struct svc_facts f;
    svc_facts_from_index(r, sp, rp->day, tags, FACT_TAGS, &f);
    int32_t delivered = f.delivery_day;
    if (delivered == SVC_DAY_NONE || delivered < rp->start || delivered > rp->day)
        return;
    uint32_t at = pidx_residence_at(r, sp, delivered);
    bump(acc, w, n_ous, at, C(IND_M_DELIVERIES));
    if (rp->postpartum.item >= 0 && in_window(&rp->postpartum, delivered, h, n))
        bump(acc, w, n_ous, at, C(IND_M_DELIVERIES_POSTPARTUM));
    /* The pregnancy that ended in this delivery: the pregnant span holding its day. Its
     * expected delivery dates the last menstrual period (Naegele: 280 days before). */
    for (size_t k = 0; rp->prenatal.item >= 0 && k < f.n_tags; k++) {
        const struct svc_tag_span *t = &f.tags[k];
        if (t->tag != TAG_PREGNANT || t->from > delivered || t->to < delivered ||
            t->expected_delivery == SVC_DAY_NONE)
            continue;
        if (in_window(&rp->prenatal, t->expected_delivery - 280, h, n))
            bump(acc, w, n_ous, at, C(IND_M_DELIVERIES_EARLY));
        break;
    }
}

/* A maternal_child package: every maternal or child window item whose window closed in
 * the period was done (from anchor + min to D); with none due, any service. */
static bool mc_served(const struct ind_rates *rp, const struct pidx_resident *r,
                      const struct pidx_span *sp, const struct svc_done *h, size_t n,
                      const struct scan *s)
{
    struct svc_tag_span tags[FACT_TAGS];
    struct svc_facts f = {.n_tags = 0, .delivery_day = SVC_DAY_NONE,
                          .record_day = SVC_DAY_NONE};
    bool pregnant = false;
    for (uint32_t k = 0; k < r->span_count; k++)
        pregnant = pregnant || (sp[k].kind == PIDX_SPAN_TAG && sp[k].value == TAG_PREGNANT);
    if (pregnant)
        svc_facts_from_index(r, sp, rp->day, tags, FACT_TAGS, &f);
    int due = 0, done = 0;
    for (size_t k = 0; k < rp->n_mc; k++) {
        const struct svc_item *it = svc_item_at(rp->p, rp->mc_items[k]);
        if (it->sex != 0 && it->sex != r->sex)
            continue;
        /* A child's windows: the thresholds of the plan say which closed in the period. */
        if (it->anchor == SVC_ANCHOR_BIRTH) {
            if (!ages_hold(&rp->mc_due[k], r))
                continue;
            due++;
            done += done_between(rp->mc_items[k], svc_period_add(r->birth, it->min), rp->day,
                                 h, n);
            continue;
        }
        /* Each anchor the resident has: birth, the delivery, each dated pregnancy. */
        for (size_t a = 0; a <= f.n_tags; a++) {
            int32_t anchor = SVC_DAY_NONE, from = INT32_MIN, to = INT32_MAX;
            if (it->anchor == SVC_ANCHOR_BIRTH && a == 0)
                anchor = r->birth;
            else if (it->anchor == SVC_ANCHOR_DELIVERY && a == 0)
                anchor = f.delivery_day;
            else if (it->anchor == SVC_ANCHOR_PREGNANCY && a < f.n_tags &&
                     f.tags[a].tag == TAG_PREGNANT && f.tags[a].expected_delivery != SVC_DAY_NONE) {
                anchor = f.tags[a].expected_delivery - 280;
                from = f.tags[a].from;
                to = f.tags[a].to;
            }
            if (anchor == SVC_DAY_NONE)
                continue;
            int32_t open = svc_period_add(anchor, it->start);
            int32_t last = svc_period_add(anchor, it->before) - 1;
            /* Due in the period: the window closed in it, while the pregnancy lasted. */
            if (last < rp->start || last > rp->day || from > last || to < open)
                continue;
            due++;
            done += done_between(rp->mc_items[k], svc_period_add(anchor, it->min), rp->day, h, n);
        }
    }
    return due > 0 ? done == due : s->services > 0;
}

/* Whether a signed resident got what their package promises (docs/indicators.md). */
static bool served(const struct ind_rates *rp, int package, const bool *patient,
                   const struct pidx_resident *r, const struct pidx_span *sp,
                   const struct svc_done *h, size_t n, const struct scan *s)
{
    if (package == PKG_ELDERLY && rp->elderly_item >= 0)
        return (s->flags & RF_ELDERLY) != 0;
    if (package == PKG_CHRONIC) {
        bool any = false, all = true;
        for (int c = 0; c < IND_CHRONIC_COUNT; c++) {
            if (!patient[c])
                continue;
            any = true;
            all = all && s->followups[c] >= rp->chronic[c].required;
        }
        if (any)
            return all;
    }
    if (package == PKG_MATERNAL_CHILD)
        return mc_served(rp, r, sp, h, n, s);
    return s->services > 0;
}

static bool covered(const struct scan *s, size_t k)
{
    return (s->covered[k / 64] >> (k % 64)) & 1;
}

/* Coverage items on D: each dose's cohort, each screening's ages. */
static void count_coverage(const struct ind_rates *rp, const struct pidx_resident *r,
                           const struct scan *s, uint32_t *a)
{
    bool child = ages_hold(&rp->doses_any, r), woman = ages_hold(&rp->screens_any, r);
    for (size_t k = 0; (child || woman) && k < rp->n_cov; k++) {
        const struct coverage *c = &rp->cov[k];
        if (!(c->dose ? child : woman) || !ages_hold(&c->ages, r))
            continue;
        a[N_STATIC + 2 * k + 1]++;
        a[N_STATIC + 2 * k] += covered(s, k);
    }
}

void ind_rates_count(const struct ind_rates *rp, const struct pidx_view *v, uint32_t id,
                     const struct pidx_resident *r, const struct pidx_span *sp, uint32_t ou_d,
                     bool key, uint32_t *acc, size_t n_ous)
{
    size_t n;
    const struct svc_done *h = pidx_view_services(v, id, &n);
    struct scan s = {0};
    scan_history(rp, r, h, n, &s);
    count_services(rp, r, sp, h, n, &s, acc, n_ous);
    count_flows(rp, r, sp, h, n, acc, n_ous);
    if (ou_d >= n_ous)
        return;
    uint32_t *a = acc + (size_t)ou_d * rp->width;
    const int32_t day = rp->day;
    /* Tags and the contract covering D (the later contract speaks, as pidx_resident_team). */
    uint32_t tags = 0;
    const struct pidx_span *contract = NULL;
    for (uint32_t k = 0; k < r->span_count; k++) {
        const struct pidx_span *t = &sp[k];
        if (t->from > day || day > t->to)
            continue;
        if (t->kind == PIDX_SPAN_TAG && t->value < 32)
            tags |= 1u << t->value;
        else if (t->kind == PIDX_SPAN_CONTRACT && (contract == NULL || t->from >= contract->from))
            contract = t;
    }
    bool patient[IND_CHRONIC_COUNT] = {false};
    for (int c = 0; c < IND_CHRONIC_COUNT; c++) {
        const struct chronic *ch = &rp->chronic[c];
        if (ch->item < 0 || !((tags >> ch->tag) & 1) || !ages_hold(&ch->ages, r))
            continue;
        patient[c] = true;
        uint32_t *b = a + C(IND_M_CHRONIC_AT(c, 0));
        b[IND_CM_PATIENTS]++;
        b[IND_CM_MANAGED] += s.followups[c] > 0;
        b[IND_CM_STANDARD] += s.followups[c] >= ch->required;
        b[IND_CM_CONTROLLED] += s.followups[c] > 0 && (s.last_outcome[c] & SVC_OUT_CONTROLLED);
    }
    if (contract != NULL)
        a[C(IND_M_SIGNED_SERVED)] +=
            served(rp, pidx_span_package(contract), patient, r, sp, h, n, &s);
    if (rp->elderly_item >= 0 && ages_hold(&rp->elderly, r)) {
        a[C(IND_M_ELDERLY)]++;
        a[C(IND_M_ELDERLY_CHECKED)] += (s.flags & RF_ELDERLY) != 0;
    }
    if (rp->tcm_elderly_item >= 0 && ages_hold(&rp->tcm_elderly, r)) {
        a[C(IND_M_TCM_ELDERLY)]++;
        a[C(IND_M_TCM_ELDERLY_DONE)] += (s.flags & RF_TCM_ELDERLY) != 0;
    }
    if (rp->has_children && ages_hold(&rp->children, r)) {
        a[C(IND_M_CHILDREN)]++;
        a[C(IND_M_CHILDREN_CHECKED)] += (s.flags & RF_CHILD) != 0;
    }
    if (rp->has_tcm_children && ages_hold(&rp->tcm_children, r)) {
        a[C(IND_M_TCM_CHILDREN)]++;
        a[C(IND_M_TCM_CHILDREN_DONE)] += (s.flags & RF_TCM_CHILD) != 0;
    }
    a[C(IND_M_KEY_MANAGED)] += key && s.services > 0;
    count_coverage(rp, r, &s, a);
}
