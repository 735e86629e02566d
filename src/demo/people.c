/*
 * people.c - the demo's residents, a household at a time: members drawn without replacement
 * from the unit's records by sex and age band (head, spouse of about the same age, children
 * a generation younger), each given a name, a GB 11643 ID number, a phone, a record date,
 * age-specific key-population tags (hypertension ~27%, diabetes ~11% of adults, per China's
 * chronic disease surveillance) and perhaps a death (Gompertz-Makeham) or a move.
 */
#include "demo/demo_int.h"

#include <stdlib.h>

#include "core/date.h"
#include "core/idno.h"
#include "vocab/vocab.h"

/* Birth places in ID numbers besides the county itself: other counties of Jilin, for
 * people who moved in. Only the province is checked by idno_parse, and it stays 22. */
static const char *const birth_regions[DEMO_ID_REGIONS - 1] = {
    "222401", "222402", "222403", "222405", "222406", "222424",
    "222426", "220102", "220104", "220202", "220581", "220621",
};

static const char *const phone_prefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189",
};
#define DEMO_PHONE_PREFIXES (sizeof(phone_prefixes) / sizeof(phone_prefixes[0]))

/* Household sizes 1..5 of a north-eastern county (mean about 2.4). */
static const double household_sizes[DEMO_HH_MAX] = {0.22, 0.37, 0.25, 0.11, 0.05};

struct demo_knot {
    double age, p;
};

/* Prevalence by age, linear between knots. */
static const struct demo_knot hypertension_knots[] = {
    {18, 0.03}, {30, 0.045}, {40, 0.10}, {50, 0.21},
    {60, 0.37}, {70, 0.53},  {80, 0.62}, {110, 0.62},
};
static const struct demo_knot diabetes_knots[] = {
    {18, 0.007}, {30, 0.018}, {40, 0.044}, {50, 0.088},
    {60, 0.14},  {70, 0.185}, {80, 0.175}, {110, 0.16},
};
static const struct demo_knot disabled_knots[] = {
    {0, 0.008}, {18, 0.02}, {45, 0.045}, {60, 0.09}, {75, 0.15}, {90, 0.25}, {110, 0.3},
};
/* Births per woman-year by 5-year age from 15: low fertility (total rate about 1.0). */
static const double fertility[7] = {0.002, 0.030, 0.075, 0.065, 0.030, 0.006, 0.0005};

struct demo_cause {
    const char *icd;
    int weight;
};

static const struct demo_cause causes_infant[] = {
    {"P07.3", 30}, {"Q24.9", 25}, {"P21.9", 15}, {"P36.9", 10}, {"Q89.9", 10}, {"W84.9", 10},
};
static const struct demo_cause causes_child[] = {
    {"V89.2", 25}, {"W69.9", 20}, {"C91.0", 15}, {"Q24.9", 10}, {"G40.9", 10}, {"J18.9", 20},
};
static const struct demo_cause causes_young[] = {
    {"V89.2", 20}, {"I21.9", 12}, {"C22.0", 10}, {"K70.3", 8}, {"W19.9", 8},  {"C34.9", 6},
    {"I61.9", 10}, {"C16.9", 6},  {"C50.9", 5},  {"X49.9", 5}, {"I46.9", 10},
};
static const struct demo_cause causes_old[] = {
    {"I63.9", 20}, {"I21.9", 14}, {"I61.9", 8},  {"C34.9", 10}, {"C22.0", 5},
    {"C16.9", 5},  {"C18.9", 3},  {"J44.9", 10}, {"J18.9", 5},  {"I50.9", 6},
    {"E11.9", 3},  {"N18.5", 2},  {"K74.6", 2},  {"I25.1", 4},  {"W19.9", 3},
};
static const struct demo_cause causes_maternal[] = {
    {"O72.1", 40},
    {"O14.1", 25},
    {"O88.1", 20},
    {"O99.4", 15},
};

#define DEMO_N(a) (sizeof(a) / sizeof((a)[0]))

static double demo_knots_at(const struct demo_knot *k, size_t n, double age)
{
    if (age <= k[0].age)
        return k[0].p;
    for (size_t i = 1; i < n; i++)
        if (age <= k[i].age)
            return k[i - 1].p +
                   (k[i].p - k[i - 1].p) * (age - k[i - 1].age) / (k[i].age - k[i - 1].age);
    return k[n - 1].p;
}

static const char *demo_cause_pick(struct demo_rng *rng, const struct demo_cause *c, size_t n)
{
    int total = 0, x;
    for (size_t i = 0; i < n; i++)
        total += c[i].weight;
    x = (int)demo_rng_below(rng, (uint32_t)total);
    for (size_t i = 0; i < n; i++) {
        if (x < c[i].weight)
            return c[i].icd;
        x -= c[i].weight;
    }
    return c[0].icd;
}

/* Probability of dying within a whole year at completed age `age`: Gompertz-Makeham,
 * 0.0004 + 0.000023 e^(0.093 age), tuned to a crude death rate of about 8 per 1000 on this
 * age pyramid. The table is built by repeated multiplication rather than exp(), so that
 * the people drawn do not depend on the maths library's last bit. */
#define DEMO_GOMPERTZ_STEP 1.0974617 /* e^0.093 */

static void demo_death_table(double q[DEMO_MAX_AGE + 1])
{
    double g = 0.000023;

    for (int age = 0; age <= DEMO_MAX_AGE; age++) {
        q[age] = age == 0 ? 0.004 : (age < 5 ? 0.0004 : 0.0004 + g);
        g *= DEMO_GOMPERTZ_STEP;
    }
}

void demo_pass_init(struct demo_pass *p, struct demo_ctx *ctx)
{
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->day0 = date_add_months(ctx->ref, -12 * 106);
    p->n_days = ctx->ref - p->day0 + 1;
    p->id_used = xcalloc((size_t)DEMO_ID_REGIONS * (size_t)p->n_days * 2, sizeof(uint16_t));
    p->phone_key = demo_mix64(demo_mix64(ctx->seed) ^ DEMO_STREAM_PHONE);
    for (int b = 0; b < DEMO_BANDS; b++)
        demo_band_range(ctx->ref, b, &p->band_lo[b], &p->band_hi[b]);
    p->d2010 = date_from_ymd(2010, 1, 1);
    p->d2012 = date_from_ymd(2012, 1, 1);
    p->d2021 = date_from_ymd(2021, 1, 1);
    p->window_start = date_add_days(date_add_months(ctx->ref, -12), 1);
    demo_death_table(p->death_rate);
}

void demo_pass_release(struct demo_pass *p)
{
    free(p->id_used);
    p->id_used = NULL;
}

void demo_unit_begin(struct demo_pass *p, int unit, struct demo_unit_gen *g)
{
    const struct demo_unit *u = &p->ctx->reg.units[unit];

    memset(g, 0, sizeof(*g));
    g->unit = unit;
    demo_rng_seed(&g->rng, p->ctx->seed, DEMO_STREAM_UNIT + (uint64_t)unit);
    memcpy(g->rem, u->rec, sizeof(g->rem));
    g->rem_total = u->rec_total;
}

/* --- drawing members -------------------------------------------------------------------- */

/* Take one record of sex s (0/1) and band b out of the unit's remaining ones. */
static void demo_take(struct demo_unit_gen *g, int s, int b)
{
    g->rem[s][b]--;
    g->rem_total--;
}

/* Draw a (sex, band) cell among the remaining ones, weighted by count × factor; sex_only
 * (0/1) restricts the sex when ≥ 0; bands restricted to [b_lo, b_hi]. False when no
 * remaining record fits. */
static bool demo_draw(struct demo_unit_gen *g, int sex_only, int b_lo, int b_hi, bool adults_first,
                      int *s_out, int *b_out)
{
    double w[2 * DEMO_BANDS];
    size_t k;
    bool any = false;

    if (b_lo < 0)
        b_lo = 0;
    if (b_hi > DEMO_BANDS - 1)
        b_hi = DEMO_BANDS - 1;
    for (int s = 0; s < 2; s++)
        for (int b = 0; b < DEMO_BANDS; b++) {
            double f = 0;
            if ((sex_only < 0 || sex_only == s) && b >= b_lo && b <= b_hi)
                f = adults_first ? (b >= 4 ? 1.0 : (b == 3 ? 0.05 : 0.0)) : 1.0;
            w[s * DEMO_BANDS + b] = (double)g->rem[s][b] * f;
            if (w[s * DEMO_BANDS + b] > 0)
                any = true;
        }
    if (!any)
        return false;
    k = demo_rng_weighted(&g->rng, w, 2 * DEMO_BANDS);
    *s_out = (int)(k / DEMO_BANDS);
    *b_out = (int)(k % DEMO_BANDS);
    demo_take(g, *s_out, *b_out);
    return true;
}

static void demo_draw_any(struct demo_unit_gen *g, int *s, int *b)
{
    if (!demo_draw(g, -1, 0, DEMO_BANDS - 1, false, s, b)) {
        /* Only called while records remain. */
        *s = 0;
        *b = 0;
    }
}

/* --- one person ------------------------------------------------------------------------- */

static int32_t demo_birth(struct demo_pass *p, struct demo_rng *rng, int band)
{
    if (band == DEMO_BANDS - 1) {
        /* 90 and over: each further year survived by three in four (mean about 93). */
        int age = 90;
        while (age < 105 && demo_rng_chance(rng, 0.75))
            age++;
        int32_t hi = date_add_months(p->ctx->ref, -12 * age);
        int32_t lo = date_add_days(date_add_months(p->ctx->ref, -12 * (age + 1)), 1);
        return demo_rng_range(rng, lo, hi);
    }
    return demo_rng_range(rng, p->band_lo[band], p->band_hi[band]);
}

static void demo_put_digits(char *out, long v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* A GB 11643 number: birth region, birth date, a sequence whose parity is the sex, and the
 * MOD 11-2 check character. The sequence of each (region, day, sex) is a counter passed
 * through a bijection of 0..499, so numbers never repeat and do not look sequential. */
static void demo_id_number(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m)
{
    int region = 0, y, mo, d;
    uint32_t day = (uint32_t)(m->birth - p->day0), k = 0;
    char body[17];

    if (m->birth < date_from_ymd(1995, 1, 1) && demo_rng_chance(rng, 0.15))
        region = 1 + (int)demo_rng_below(rng, DEMO_ID_REGIONS - 1);
    for (int tries = 0; tries < DEMO_ID_REGIONS; tries++) {
        size_t idx = ((size_t)region * (size_t)p->n_days + day) * 2 + (size_t)(m->sex - 1);
        k = p->id_used[idx];
        if (k < 500) {
            p->id_used[idx]++;
            break;
        }
        region = (region + 1) % DEMO_ID_REGIONS;
    }
    /* 13 regions × 500 numbers for one birth day and sex: ten million people need at most
     * about 300 of them, so the walk above always finds a free one. */
    if (k >= 500)
        k %= 500;
    memcpy(body, region == 0 ? p->ctx->reg.county_code : birth_regions[region - 1], 6);
    date_to_ymd(m->birth, &y, &mo, &d);
    demo_put_digits(body + 6, y, 4);
    demo_put_digits(body + 10, mo, 2);
    demo_put_digits(body + 12, d, 2);
    {
        uint32_t slot = (k * 137u + (day * 7u + (uint32_t)region * 31u) % 500u) % 500u;
        demo_put_digits(body + 14, (long)(slot * 2u + (m->sex == 1 ? 1u : 0u)), 3);
    }
    memcpy(m->id, body, 17);
    m->id[17] = idno_check_char(body);
    m->id[18] = '\0';
}

static void demo_phone(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m)
{
    double has = m->age < 14 ? 0.03 : (m->age < 18 ? 0.6 : (m->age < 80 ? 0.95 : 0.55));
    uint32_t x;

    m->phone[0] = '\0';
    if (!demo_rng_chance(rng, has))
        return;
    x = demo_perm32(p->phone_key, p->phone_next++, (uint32_t)(DEMO_PHONE_PREFIXES * 100000000u));
    memcpy(m->phone, phone_prefixes[x / 100000000u], 3);
    demo_put_digits(m->phone + 3, (long)(x % 100000000u), 8);
    m->phone[11] = '\0';
}

static void demo_add_tag(struct demo_person *m, int tag, int32_t from, int32_t to, int32_t edd)
{
    if (m->n_tags == DEMO_TAGS_MAX)
        return;
    m->tags[m->n_tags].tag = tag;
    m->tags[m->n_tags].from = from;
    m->tags[m->n_tags].to = to;
    m->tags[m->n_tags].edd = edd;
    m->n_tags++;
}

/* A date in [lo, hi], clamped so that it is never before birth nor after hi. */
static int32_t demo_date_between(struct demo_rng *rng, int32_t lo, int32_t hi, int32_t birth)
{
    if (lo < birth)
        lo = birth;
    if (lo > hi)
        lo = hi;
    return demo_rng_range(rng, lo, hi);
}

static int32_t demo_years(double y)
{
    return (int32_t)(y * 365.25);
}

static void demo_status(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m)
{
    const struct demo_ctx *ctx = p->ctx;
    double year_fraction = (double)(ctx->ref - ctx->year_start + 1) / 365.0;
    double move = m->age >= 18 && m->age < 45 ? 0.016 : 0.006;
    int age = m->age < DEMO_MAX_AGE ? m->age : DEMO_MAX_AGE;
    int32_t lo;

    m->status = RSTAT_ACTIVE;
    m->status_date = DATE_INVALID;
    m->cause = NULL;
    m->maternal = false;
    /* An infant born this year was exposed for part of it only; its rate is per birth. */
    if (demo_rng_chance(rng, age == 0 ? p->death_rate[0] : p->death_rate[age] * year_fraction)) {
        m->status = RSTAT_DECEASED;
        lo = ctx->year_start > m->birth ? ctx->year_start : m->birth;
        m->status_date = demo_rng_range(rng, lo, ctx->ref);
        if (m->age == 0)
            m->cause = demo_cause_pick(rng, causes_infant, DEMO_N(causes_infant));
        else if (m->age < 15)
            m->cause = demo_cause_pick(rng, causes_child, DEMO_N(causes_child));
        else if (m->age < 45)
            m->cause = demo_cause_pick(rng, causes_young, DEMO_N(causes_young));
        else
            m->cause = demo_cause_pick(rng, causes_old, DEMO_N(causes_old));
    } else if (demo_rng_chance(rng, move)) {
        m->status = RSTAT_MOVED_OUT;
        m->status_date = demo_date_between(rng, date_add_days(ctx->ref, -730), ctx->ref, m->birth);
    }
}

/* The record was opened in the 2010-11 campaign for most, later for the rest, at birth
 * for the children born since; never after a death or move. */
static void demo_record_date(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m)
{
    int32_t upper = m->status_date != DATE_INVALID ? m->status_date : p->ctx->ref;

    if (m->birth >= p->d2010) {
        int32_t r = m->birth + demo_rng_range(rng, 0, 120);
        m->record_date = r < upper ? r : upper;
    } else if (demo_rng_chance(rng, 0.55)) {
        m->record_date =
            demo_date_between(rng, p->d2010, p->d2012 - 1 < upper ? p->d2012 - 1 : upper, m->birth);
    } else {
        m->record_date = demo_date_between(rng, p->d2010, upper, m->birth);
    }
}

static void demo_tags(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m)
{
    const struct demo_ctx *ctx = p->ctx;
    int32_t upper = m->status_date != DATE_INVALID ? m->status_date : ctx->ref;
    int32_t ref = ctx->ref;
    double age = m->age;
    bool ht = false;
    /* Chronic diseases found in adulthood, within the last twenty years. */
    int32_t chronic_lo = m->birth + demo_years(18);

    if (chronic_lo < ref - demo_years(20))
        chronic_lo = ref - demo_years(20);
    m->n_tags = 0;
    if (m->age >= 18 &&
        demo_rng_chance(rng, demo_knots_at(hypertension_knots, DEMO_N(hypertension_knots), age))) {
        ht = true;
        demo_add_tag(m, TAG_HYPERTENSION, demo_date_between(rng, chronic_lo, upper, m->birth),
                     DATE_INVALID, DATE_INVALID);
    }
    if (m->age >= 18 &&
        demo_rng_chance(rng, demo_knots_at(diabetes_knots, DEMO_N(diabetes_knots), age) *
                                 (ht ? 1.45 : 0.85)))
        demo_add_tag(m, TAG_DIABETES, demo_date_between(rng, chronic_lo, upper, m->birth),
                     DATE_INVALID, DATE_INVALID);
    if (m->age >= 15 && demo_rng_chance(rng, 0.0058))
        demo_add_tag(m, TAG_SEVERE_MENTAL,
                     demo_date_between(rng, m->birth + demo_years(18), upper, m->birth),
                     DATE_INVALID, DATE_INVALID);
    if (m->age >= 15 && demo_rng_chance(rng, m->age >= 60 ? 0.0009 : 0.0004))
        demo_add_tag(m, TAG_TUBERCULOSIS, demo_date_between(rng, ref - 300, upper, m->birth),
                     DATE_INVALID, DATE_INVALID);
    if (demo_rng_chance(rng, demo_knots_at(disabled_knots, DEMO_N(disabled_knots), age)))
        demo_add_tag(m, TAG_DISABLED, demo_date_between(rng, ref - demo_years(25), upper, m->birth),
                     DATE_INVALID, DATE_INVALID);
    if (m->sex == 2 && m->status == RSTAT_ACTIVE && m->age >= 15 && m->age < 50) {
        double f = fertility[(m->age - 15) / 5];
        double u = demo_rng_unit(rng);
        if (u < f * 0.72) {
            /* Pregnant now: registered at 6-13 weeks, due within seven months. */
            int32_t edd = ref + demo_rng_range(rng, 1, 210);
            int32_t from = edd - 280 + demo_rng_range(rng, 42, 90);
            demo_add_tag(m, TAG_PREGNANT, from < ref ? from : ref, DATE_INVALID, edd);
        } else if (u < f * 1.72) {
            /* Delivered this year: the tag ends 42 days after (postpartum care), or is still
             * open when that is after the reference date. */
            int32_t delivery = demo_rng_range(rng, ctx->year_start, upper);
            int32_t from = delivery - 280 + demo_rng_range(rng, 42, 90);
            int32_t to = delivery + 42 <= ref ? delivery + 42 : DATE_INVALID;
            demo_add_tag(m, TAG_PREGNANT, from, to, delivery);
        }
    }
}

/* Everything about a member once sex and band are drawn. */
static void demo_person_make(struct demo_pass *p, struct demo_unit_gen *g, struct demo_person *m,
                             int s, int band, const char *surname, bool korean)
{
    struct demo_rng *rng = &g->rng;
    int y, mo, d;

    m->sex = s + 1;
    m->band = band;
    m->birth = demo_birth(p, rng, band);
    m->age = date_age_years(m->birth, p->ctx->ref);
    date_to_ymd(m->birth, &y, &mo, &d);
    demo_name(&p->ctx->names, rng, surname, korean, m->sex, y, m->name);
    demo_id_number(p, rng, m);
    demo_phone(p, rng, m);
    demo_status(p, rng, m);
    demo_record_date(p, rng, m);
    demo_tags(p, rng, m);
}

bool demo_household_next(struct demo_pass *p, struct demo_unit_gen *g, struct demo_household *h)
{
    const struct demo_unit *u = &p->ctx->reg.units[g->unit];
    struct demo_rng *rng = &g->rng;
    int size, hs, hb, s, b;
    bool korean;
    const char *head_surname, *line_surname;

    if (g->rem_total <= 0)
        return false;
    size = 1 + (int)demo_rng_weighted(rng, household_sizes, DEMO_HH_MAX);
    if (size > g->rem_total)
        size = (int)g->rem_total;
    korean = demo_rng_chance(rng, u->korean);
    h->number = ++g->households;
    h->n = 0;

    /* The head: an adult when any remain. */
    if (!demo_draw(g, -1, 0, DEMO_BANDS - 1, true, &hs, &hb))
        demo_draw_any(g, &hs, &hb);
    head_surname = demo_surname(&p->ctx->names, rng, korean);
    line_surname = head_surname;
    demo_person_make(p, g, &h->m[h->n++], hs, hb, head_surname, korean);

    /* A spouse of the other sex and about the same age (husbands a little older). */
    if (h->n < size && hb >= 4 && demo_rng_chance(rng, 0.85)) {
        int lo = hs == 0 ? hb - 1 : hb, hi = hs == 0 ? hb : hb + 1;
        if (demo_draw(g, 1 - hs, lo, hi, false, &s, &b)) {
            const char *own = demo_surname(&p->ctx->names, rng, korean);
            /* Children take the father's surname. */
            if (s == 0)
                line_surname = own;
            demo_person_make(p, g, &h->m[h->n++], s, b, own, korean);
        }
    }
    /* Others: children 25-35 years younger, grandchildren for the old, else anyone. */
    while (h->n < size && g->rem_total > 0) {
        bool got;
        if (hb >= 12 && demo_rng_chance(rng, 0.5))
            got = demo_draw(g, -1, hb - 13, hb - 11, false, &s, &b);
        else
            got = demo_draw(g, -1, hb - 7, hb - 5, false, &s, &b);
        if (!got)
            demo_draw_any(g, &s, &b);
        demo_person_make(p, g, &h->m[h->n++], s, b, line_surname, korean);
    }

    /* Household tags: a special family-planning family (parents, 49 and over, who lost or
     * have a disabled only child), and poverty monitoring in villages. */
    if (h->m[0].age >= 49 && demo_rng_chance(rng, 0.0075)) {
        int32_t from = demo_rng_range(rng, p->d2010, p->ctx->ref);
        for (int i = 0; i < h->n && i < 2; i++) {
            struct demo_person *m = &h->m[i];
            int32_t upper = m->status_date != DATE_INVALID ? m->status_date : p->ctx->ref;
            if (m->age >= 45)
                demo_add_tag(m, TAG_SPECIAL_FAMILY, from < upper ? from : upper, DATE_INVALID,
                             DATE_INVALID);
        }
    }
    if ((u->kind == DU_VILLAGE || u->kind == DU_SUBURBAN_VILLAGE) && demo_rng_chance(rng, 0.015)) {
        int32_t from = demo_rng_range(rng, p->d2021, p->ctx->ref);
        for (int i = 0; i < h->n; i++) {
            struct demo_person *m = &h->m[i];
            int32_t upper = m->status_date != DATE_INVALID ? m->status_date : p->ctx->ref;
            int32_t f = from > m->birth ? from : m->birth;
            demo_add_tag(m, TAG_POVERTY, f < upper ? f : upper, DATE_INVALID, DATE_INVALID);
        }
    }
    return true;
}

bool demo_tag_active(const struct demo_tag_span *t, int32_t day)
{
    return t->from <= day && (t->to == DATE_INVALID || t->to >= day);
}

int demo_person_class(const struct demo_person *m, int32_t ref)
{
    bool key = m->age >= 65 || m->age <= 6;

    if (m->status != RSTAT_ACTIVE)
        return -1;
    for (int i = 0; i < m->n_tags; i++) {
        if (!demo_tag_active(&m->tags[i], ref))
            continue;
        if (m->tags[i].tag == TAG_SPECIAL_FAMILY)
            return DEMO_CLASS_SPECIAL;
        key = true;
    }
    return key ? DEMO_CLASS_KEY : DEMO_CLASS_OTHER;
}

void demo_make_maternal_death(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m)
{
    const struct demo_ctx *ctx = p->ctx;
    int32_t lo = ctx->year_start > m->record_date ? ctx->year_start : m->record_date;
    int32_t death = demo_rng_range(rng, lo, ctx->ref);
    int32_t edd = death + demo_rng_range(rng, -20, 30);

    m->status = RSTAT_DECEASED;
    m->status_date = death;
    m->cause = demo_cause_pick(rng, causes_maternal, DEMO_N(causes_maternal));
    m->maternal = true;
    /* She was pregnant (or had just delivered) when she died. */
    demo_add_tag(m, TAG_PREGNANT, edd - 280 + demo_rng_range(rng, 42, 90), death, edd);
}
