/*
 * services.c - the demo's basic public health service events (services.csv): the last
 * years of checkups, follow-ups, child checks, vaccine doses and maternal visits a county's
 * grassroots teams would have recorded for each generated person.
 *
 * The protocol (services.h) says who is eligible and when each item falls due; this file
 * only decides, with published-style rates, whether the service was delivered and on which
 * day inside its window, and draws plausible measurements. Every event it writes is one the
 * import accepts: the resident is eligible that day, the day is inside the period and not
 * after the reference date, and the measurements pass svc_measures_check.
 */
#include <math.h>
#include <stdio.h>

#include "core/date.h"
#include "demo/demo_int.h"
#include "services/services.h"
#include "vocab/vocab.h"

/* Share of the eligible who receive an item's services, by program: elderly checkups and
 * standardised chronic disease management around 70-80 % (what counties report), child and
 * maternal care around 90 %, immunisation near complete. */
static const double program_rate[SVC_PROG_COUNT] = {
    [SVC_PROG_ELDERLY] = 0.72,  [SVC_PROG_HYPERTENSION] = 0.76, [SVC_PROG_DIABETES] = 0.73,
    [SVC_PROG_CHILD] = 0.9,     [SVC_PROG_MATERNAL] = 0.9,      [SVC_PROG_IMMUNIZATION] = 0.97,
    [SVC_PROG_SCREENING] = 0.3, [SVC_PROG_MENTAL] = 0.85,       [SVC_PROG_TUBERCULOSIS] = 0.95,
    [SVC_PROG_TCM] = 0.6,
};

/* Of managed hypertension and diabetes patients, those whose readings are on target. */
#define DEMO_CONTROLLED 0.68
#define DEMO_MEASURES_MAX 24

static const char *const tcm_types[] = {"平和质", "气虚质", "阳虚质", "阴虚质", "痰湿质",
                                        "湿热质", "血瘀质", "气郁质", "特禀质"};

/* Growth references by age in months (WHO medians, both sexes, rounded): height cm, weight kg. */
static const struct {
    int months;
    double height, weight;
} growth[] = {{0, 50, 3.3},   {1, 54, 4.5},   {3, 61, 6.2},   {6, 67, 7.8},    {8, 70, 8.6},
              {12, 75, 9.6},  {18, 81, 10.9}, {24, 87, 12.2}, {30, 91, 13.3},  {36, 95, 14.3},
              {48, 102, 16.3}, {60, 109, 18.4}, {72, 116, 20.6}, {96, 128, 25.5}};

/* The person as the protocol sees them, and what this person's care is like. */
struct person_care {
    struct svc_facts facts;
    struct svc_tag_span tags[DEMO_TAGS_MAX];
    bool managed[SVC_PROG_COUNT];   /* this person is followed by the program */
    bool controlled;                /* readings usually on target */
    int facility_home, facility_center;
};

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static double normal(struct demo_rng *r, double mean, double sd, double lo, double hi)
{
    return clamp(mean + sd * demo_rng_normal(r), lo, hi);
}

static void growth_at(int months, double *height, double *weight)
{
    size_t n = sizeof(growth) / sizeof(growth[0]), i = 1;
    while (i < n - 1 && growth[i].months < months)
        i++;
    double span = growth[i].months - growth[i - 1].months;
    double t = clamp((months - growth[i - 1].months) / span, 0, 1);
    *height = growth[i - 1].height + t * (growth[i].height - growth[i - 1].height);
    *weight = growth[i - 1].weight + t * (growth[i].weight - growth[i - 1].weight);
}

/* --- measurements ------------------------------------------------------------------------ */

struct event_values {
    char text[DEMO_MEASURES_MAX][24];
    struct svc_measure_value v[DEMO_MEASURES_MAX];
    size_t n;
};

static void put_num(struct event_values *e, const char *code, double num)
{
    if (e->n < DEMO_MEASURES_MAX)
        e->v[e->n++] = (struct svc_measure_value){.code = code, .num = num};
}

static void put_text(struct event_values *e, const char *code, const char *text)
{
    if (e->n >= DEMO_MEASURES_MAX)
        return;
    demo_strlcpy(e->text[e->n], sizeof(e->text[e->n]), text);
    e->v[e->n] = (struct svc_measure_value){.code = code, .text = e->text[e->n]};
    e->n++;
}

/* One value for a measurement the item requires, drawn for this person on `day`. */
static void draw_value(struct demo_rng *r, const struct person_care *pc, int program,
                       int32_t day, const char *code, struct event_values *e)
{
    bool chronic = program == SVC_PROG_HYPERTENSION || program == SVC_PROG_DIABETES;
    bool on_target = !chronic || (pc->controlled ? demo_rng_chance(r, 0.9)
                                                 : demo_rng_chance(r, 0.25));
    int months = (int)((day - pc->facts.birth) / 30.44);
    double height, weight;

    growth_at(months, &height, &weight);
    if (months >= 18 * 12) {
        height = pc->facts.sex == 1 ? 169 : 158;
        weight = pc->facts.sex == 1 ? 68 : 58;
    }
    if (strcmp(code, "sbp") == 0 || strcmp(code, "dbp") == 0) {
        /* Both at once, the systolic well above the diastolic. */
        bool htn = program == SVC_PROG_HYPERTENSION || program == SVC_PROG_ELDERLY;
        double dbp = on_target ? normal(r, htn ? 80 : 75, 6, 60, 89)
                               : normal(r, 93, 7, 78, 118);
        double sbp = on_target ? normal(r, htn ? 128 : 118, 7, dbp + 25, 139)
                               : normal(r, 152, 11, fmax(140, dbp + 25), 210);
        if (strcmp(code, "sbp") == 0)
            put_num(e, "sbp", round(sbp));
        else
            put_num(e, "dbp", round(dbp));
    } else if (strcmp(code, "fbg") == 0) {
        double v = program != SVC_PROG_DIABETES ? normal(r, 5.2, 0.5, 3.9, 6.9)
                   : on_target                  ? normal(r, 6.2, 0.4, 4.4, 6.9)
                                                : normal(r, 8.6, 1.4, 7.0, 16.0);
        put_num(e, "fbg", round(v * 10) / 10);
    } else if (strcmp(code, "height") == 0) {
        put_num(e, "height", round(normal(r, height, height * 0.04, 40, 200) * 10) / 10);
    } else if (strcmp(code, "weight") == 0) {
        put_num(e, "weight", round(normal(r, weight, weight * 0.1, 2.0, 150) * 10) / 10);
    } else if (strcmp(code, "lot") == 0) {
        char lot[24];
        int y, m, d;
        date_to_ymd(day, &y, &m, &d);
        snprintf(lot, sizeof(lot), "%04d%02d%c%02u", y, m, 'A' + (char)demo_rng_below(r, 6),
                 demo_rng_below(r, 100));
        put_text(e, "lot", lot);
    } else if (strcmp(code, "tcm_type") == 0) {
        put_text(e, "tcm_type", tcm_types[demo_rng_below(r, 9)]);
    } else if (strcmp(code, "risk_level") == 0) {
        static const double w[] = {70, 20, 7, 2, 1, 0};
        put_num(e, "risk_level", (double)demo_rng_weighted(r, w, 6));
    } else {
        /* Yes/no findings and the rest: the unremarkable answer. */
        put_num(e, code, strcmp(code, "guidance") == 0 ? 1 : 0);
    }
}

static void draw_values(struct demo_rng *r, const struct svc_protocol *p, int item,
                        const struct person_care *pc, int32_t day, struct event_values *e)
{
    const struct svc_item *it = svc_item_at(p, item);
    bool bp_done = false;

    e->n = 0;
    for (int i = 0; i < it->n_measures; i++) {
        if ((it->required_mask & (1ull << i)) == 0)
            continue;
        const char *code = svc_measure_at(p, it->measures[i])->code;
        bool bp = strcmp(code, "sbp") == 0 || strcmp(code, "dbp") == 0;
        if (bp && bp_done)
            continue;
        if (bp) {
            /* One draw gives the pair, so the systolic is above the diastolic. */
            struct demo_rng keep = *r;
            draw_value(r, pc, it->program, day, "sbp", e);
            *r = keep;
            draw_value(r, pc, it->program, day, "dbp", e);
            bp_done = true;
            continue;
        }
        draw_value(r, pc, it->program, day, code, e);
    }
}

/* --- the events -------------------------------------------------------------------------- */

static int staff_of(const struct demo_ctx *ctx, int facility)
{
    const struct demo_facility *f = &ctx->fac[facility];
    return f->n_staff > 0 ? f->first_staff : -1;
}

static void write_event(struct demo_svc *s, const struct demo_person *m,
                        const struct person_care *pc, int item, int32_t day)
{
    const struct svc_item *it = svc_item_at(s->protocol, item);
    struct event_values e;
    struct svc_measure_value checked[DEMO_MEASURES_MAX + 4];
    size_t n_checked;
    bool grassroots = it->program == SVC_PROG_ELDERLY || it->program == SVC_PROG_HYPERTENSION ||
                      it->program == SVC_PROG_DIABETES || it->program == SVC_PROG_TCM ||
                      it->program == SVC_PROG_MENTAL;
    int facility = grassroots ? pc->facility_home : pc->facility_center;
    int staff = staff_of(s->ctx, facility);
    struct demo_out *o = &s->out;
    char date[DATE_STR_LEN];

    draw_values(&s->rng, s->protocol, item, pc, day, &e);
    /* The generator draws within the ranges; a value the protocol would refuse (a region's
     * stricter local file) drops the event rather than writing a row the import refuses. */
    if (svc_measures_check(s->protocol, item, e.v, e.n, checked, DEMO_MEASURES_MAX + 4,
                           &n_checked, NULL) != 0)
        return;
    date_format(day, date);
    demo_out_mem(o, m->id, 18);
    demo_out_char(o, '-');
    demo_out_str(o, it->code);
    demo_out_char(o, '-');
    demo_out_str(o, date);
    demo_out_comma(o);
    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    demo_out_str(o, it->code);
    demo_out_comma(o);
    demo_out_str(o, date);
    demo_out_comma(o);
    demo_out_str(o, s->ctx->fac[facility].code);
    demo_out_comma(o);
    if (staff >= 0)
        demo_out_str(o, s->ctx->staff[staff].code);
    demo_out_comma(o);
    for (size_t i = 0; i < e.n; i++) {
        char num[32];
        if (i > 0)
            demo_out_char(o, ' ');
        demo_out_str(o, e.v[i].code);
        demo_out_char(o, '=');
        if (e.v[i].text != NULL) {
            demo_out_str(o, e.v[i].text);
        } else {
            snprintf(num, sizeof(num), "%g", e.v[i].num);
            demo_out_str(o, num);
        }
    }
    demo_out_end_row(o);
    s->events++;
}

/* The first and last day an event may fall on: the generated years, up to the reference
 * date, while the person is in the population and (for services of adults) has a record; a
 * newborn's first visits and doses come before their record is opened and are entered
 * with it. */
static void bounds(const struct demo_svc *s, const struct demo_person *m, bool from_birth,
                   int32_t *lo, int32_t *hi)
{
    *lo = s->from > m->record_date || from_birth ? s->from : m->record_date;
    *hi = s->ctx->ref;
    if (m->status_date != DATE_INVALID && m->status_date - 1 < *hi)
        *hi = m->status_date - 1;
}

/* A day in [lo, hi] on which the person is eligible for the item, or DATE_INVALID after a
 * few tries (an eligibility that begins or ends inside the range). */
static int32_t eligible_day(struct demo_svc *s, const struct person_care *pc, int item,
                            int32_t lo, int32_t hi)
{
    for (int k = 0; k < 4 && lo <= hi; k++) {
        int32_t d = demo_rng_range(&s->rng, lo, hi);
        if (svc_item_eligible(s->protocol, item, &pc->facts, d))
            return d;
        if (k == 1 && svc_item_eligible(s->protocol, item, &pc->facts, hi))
            return hi;
    }
    return DATE_INVALID;
}

static void yearly(struct demo_svc *s, const struct demo_person *m, const struct person_care *pc,
                   int item, double rate)
{
    int32_t lo, hi;
    bounds(s, m, false, &lo, &hi);
    for (int y = s->ctx->ref_year - s->years + 1; y <= s->ctx->ref_year; y++) {
        int32_t a = date_from_ymd(y, 1, 1), b = date_from_ymd(y, 12, 31);
        a = a > lo ? a : lo;
        b = b < hi ? b : hi;
        if (a > b || !demo_rng_chance(&s->rng, rate))
            continue;
        int32_t d = eligible_day(s, pc, item, a, b);
        if (d != DATE_INVALID)
            write_event(s, m, pc, item, d);
    }
}

/* `times` a year, evenly spread for a managed person; fewer, at random, for the others. */
static void per_year(struct demo_svc *s, const struct demo_person *m,
                     const struct person_care *pc, int item, bool managed)
{
    const struct svc_item *it = svc_item_at(s->protocol, item);
    int times = it->times > 0 ? it->times : 1;
    int32_t lo, hi;
    bounds(s, m, false, &lo, &hi);
    /* A managed patient is seen early in the year and then a little more often than each
     * period requires, so `times` visits fall within every calendar year. */
    int32_t step = 365 / times;
    int32_t d = lo + (managed ? demo_rng_range(&s->rng, 5, step / 2)
                              : demo_rng_range(&s->rng, step / 2, 2 * step));
    while (d <= hi) {
        if (svc_item_eligible(s->protocol, item, &pc->facts, d))
            write_event(s, m, pc, item, d);
        d += managed ? demo_rng_range(&s->rng, step - 15, step + 3)
                     : demo_rng_range(&s->rng, step, 3 * step);
    }
}

/* The day the item's window is measured from, or DATE_INVALID. */
static int32_t anchor_day(const struct svc_item *it, const struct person_care *pc)
{
    switch (it->anchor) {
    case SVC_ANCHOR_BIRTH:
        return pc->facts.birth;
    case SVC_ANCHOR_DELIVERY:
        return pc->facts.delivery_day;
    case SVC_ANCHOR_PREGNANCY:
    case SVC_ANCHOR_NOTIFICATION:
        for (size_t i = pc->facts.n_tags; i-- > 0;) {
            const struct svc_tag_span *t = &pc->facts.tags[i];
            if (it->anchor == SVC_ANCHOR_NOTIFICATION && t->tag == TAG_TUBERCULOSIS)
                return t->from;
            if (it->anchor == SVC_ANCHOR_PREGNANCY && t->tag == TAG_PREGNANT &&
                t->expected_delivery != SVC_DAY_NONE)
                return t->expected_delivery - 280;
        }
        return DATE_INVALID;
    default:
        return DATE_INVALID;
    }
}

static void window(struct demo_svc *s, const struct demo_person *m, const struct person_care *pc,
                   int item, double rate)
{
    const struct svc_item *it = svc_item_at(s->protocol, item);
    int32_t anchor = anchor_day(it, pc), lo, hi;
    if (anchor == DATE_INVALID || anchor == SVC_DAY_NONE)
        return;
    bounds(s, m, it->anchor == SVC_ANCHOR_BIRTH, &lo, &hi);
    int32_t open = svc_period_add(anchor, it->start);
    int32_t early = svc_period_add(anchor, it->min);
    int32_t close = svc_period_add(anchor, it->before) - 1;
    if (early > open)
        open = early;
    open = open > lo ? open : lo;
    close = close < hi ? close : hi;
    /* The window opens for this person on the first day they are eligible in it (a
     * pregnancy registered at ten weeks has three weeks left for its first visit). */
    while (open <= close && !svc_item_eligible(s->protocol, item, &pc->facts, open))
        open++;
    if (open > close || !demo_rng_chance(&s->rng, rate))
        return;
    /* Most services come in the first part of their window. */
    if (close > open + 20 && demo_rng_chance(&s->rng, 0.7))
        close = open + (close - open) / 3;
    int32_t d = eligible_day(s, pc, item, open, close);
    if (d != DATE_INVALID)
        write_event(s, m, pc, item, d);
}

/* Every `every` after the anchor (TB follow-ups) or now and then (screening). */
static void interval(struct demo_svc *s, const struct demo_person *m,
                     const struct person_care *pc, int item, double rate)
{
    const struct svc_item *it = svc_item_at(s->protocol, item);
    int32_t lo, hi;
    bounds(s, m, false, &lo, &hi);
    if (it->tag == TAG_TUBERCULOSIS) {
        int32_t from = anchor_day(&(struct svc_item){.anchor = SVC_ANCHOR_NOTIFICATION}, pc);
        if (from == DATE_INVALID || !demo_rng_chance(&s->rng, rate))
            return;
        for (int32_t d = svc_period_add(from, it->start); d <= hi; d += 30)
            if (d >= lo && svc_item_eligible(s->protocol, item, &pc->facts, d))
                write_event(s, m, pc, item, d);
        return;
    }
    if (!demo_rng_chance(&s->rng, rate * s->years / 3.0))
        return;
    int32_t d = eligible_day(s, pc, item, lo, hi);
    if (d != DATE_INVALID)
        write_event(s, m, pc, item, d);
}

static void person_care_init(struct demo_svc *s, const struct demo_unit *u,
                             const struct demo_person *m, struct person_care *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->facts.sex = (uint8_t)m->sex;
    pc->facts.birth = m->birth;
    pc->facts.end_day = m->status_date != DATE_INVALID ? m->status_date : SVC_OPEN;
    pc->facts.delivery_day = SVC_DAY_NONE;
    pc->facts.record_day = m->record_date;
    for (int i = 0; i < m->n_tags; i++) {
        const struct demo_tag_span *t = &m->tags[i];
        pc->tags[i] = (struct svc_tag_span){
            .from = t->from,
            .to = t->to != DATE_INVALID ? t->to : SVC_OPEN,
            .expected_delivery = t->edd != DATE_INVALID ? t->edd : SVC_DAY_NONE,
            .tag = (uint8_t)t->tag,
        };
        /* A pregnancy whose expected day has passed ended in that delivery. */
        if (t->tag == TAG_PREGNANT && t->edd != DATE_INVALID && t->edd <= s->ctx->ref)
            pc->facts.delivery_day = t->edd;
    }
    pc->facts.tags = pc->tags;
    pc->facts.n_tags = (size_t)m->n_tags;
    for (int g = 0; g < SVC_PROG_COUNT; g++)
        pc->managed[g] = demo_rng_chance(&s->rng, program_rate[g]);
    pc->controlled = demo_rng_chance(&s->rng, DEMO_CONTROLLED);
    pc->facility_center = s->ctx->reg.towns[u->town].center;
    pc->facility_home = u->clinic >= 0 ? u->clinic : (u->station >= 0 ? u->station
                                                                        : pc->facility_center);
    if (staff_of(s->ctx, pc->facility_home) < 0)
        pc->facility_home = pc->facility_center;
}

void demo_services_of(struct demo_svc *s, const struct demo_unit *u, const struct demo_person *m)
{
    if (!s->open)
        return;
    struct person_care pc;
    person_care_init(s, u, m, &pc);
    size_t n = svc_item_count(s->protocol);
    for (size_t i = 0; i < n; i++) {
        const struct svc_item *it = svc_item_at(s->protocol, (int)i);
        bool managed = pc.managed[it->program];
        switch (it->schedule) {
        case SVC_SCHED_YEARLY:
            yearly(s, m, &pc, (int)i, managed ? 0.95 : 0.1);
            break;
        case SVC_SCHED_PER_YEAR:
            per_year(s, m, &pc, (int)i, managed);
            break;
        case SVC_SCHED_WINDOW:
            window(s, m, &pc, (int)i, program_rate[it->program]);
            break;
        case SVC_SCHED_INTERVAL:
            interval(s, m, &pc, (int)i, program_rate[it->program]);
            break;
        default:
            break;
        }
    }
}

int demo_services_open(struct demo_svc *s, struct demo_ctx *ctx, struct yl_err *err)
{
    memset(s, 0, sizeof(*s));
    s->ctx = ctx;
    s->protocol = ctx->protocol;
    s->years = ctx->service_years;
    if (s->protocol == NULL || s->years <= 0)
        return 0;
    s->from = date_from_ymd(ctx->ref_year - s->years + 1, 1, 1);
    demo_rng_seed(&s->rng, ctx->seed, DEMO_STREAM_SERVICES);
    s->open = true;
    return demo_out_open(&s->out, ctx->dir, "services.csv",
                         "external_id,id_number,item,date,facility,staff,measurements", err);
}

int demo_services_close(struct demo_svc *s, struct yl_err *err)
{
    if (!s->open)
        return 0;
    s->ctx->st->services = s->events;
    return demo_out_close(&s->out, err);
}
