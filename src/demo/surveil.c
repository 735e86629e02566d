/*
 * surveil.c - the demo's surveillance data (issue 6): notifiable case reports of the region's
 * people (cases.csv), daily syndromic counts per township and channel (syndromic.csv), the
 * reports to revise or delete afterwards (case-revisions.csv, a plan `yilian demo` carries
 * out through the surveil library), and one injected outbreak: a norovirus cluster among the
 * pupils of one township's school about ten days before the reference date.
 *
 * The one idea: every series is a rate times a seasonal profile times the size of that
 * year's season. A disease has a rate per 100,000 by age group and a profile over the year
 * (a circular Gaussian bump or two above a flat floor), so each person draws their cases with
 * one uniform against their expected count over the days they were alive and resident in
 * the window; a syndromic count is Poisson around the township's population times the
 * channel's rate, with day-of-week effects. Winter respiratory channels and influenza share
 * one season size, as do the summer enteric ones. Levels are plausible for a north-eastern
 * county of about 200,000 (docs/surveillance.md says where they come from), not published
 * figures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/date.h"
#include "core/err.h"
#include "demo/demo_int.h"

#define YEAR_DAYS        365
#define SLOTS            4    /* 365-day blocks back from the last day; the oldest is the lead-in */
#define AGE_GROUPS       4    /* 0-4, 5-14, 15-64, 65+ */
#define LATE_SHARE       0.03 /* reports past the 24-hour limit */
#define REVISED_SHARE    0.01
#define DELETED_SHARE    0.003
#define UNREGISTERED     0.04 /* an unregistered case (a migrant) beside a registered one */
#define GAP_SHARE        0.002 /* a township's channel misses a day at random */
#define OUTAGE_SHARE     0.5   /* a township's reporting is down 1-3 days once in a year */
#define SEASON_YEARS     DEMO_SURV_SEASONS /* sizes for ref_year - 6 .. ref_year + 1 */
#define OUTBREAK_DAYS    4
#define OUTBREAK_QUIET   40    /* no gaps in the outbreak's township from this many days before */
#define OUTBREAK_DISEASE "infectious_diarrhea"

/* Season sizes are shared within a group: a big influenza winter is big in every channel. */
enum season_group { SG_FLAT, SG_RESPIRATORY, SG_HFMD, SG_ENTERIC, SG_SCARLET, SG_COUNT };
_Static_assert(SG_COUNT == DEMO_SURV_GROUPS, "demo_surv.season has a row per group");

/* Spread of a season's size (sd of its logarithm). */
static const double season_spread[SG_COUNT] = {0.0, 0.35, 0.25, 0.12, 0.30};

struct disease_model {
    const char *code;           /* data/notifiable-diseases.csv */
    double rate[AGE_GROUPS];    /* cases per 100,000 a year at 0-4, 5-14, 15-64, 65+ */
    enum season_group group;
    double seasonal;            /* share of the cases in the bumps; the rest flat */
    int peak_doy[2];            /* day of the year (0: 1 January) of each bump */
    double second_share;        /* of the bumps, the second's share (0: one bump) */
    double sd_days;
    double suspected, clinical; /* classification shares; the rest confirmed */
    int lag_min, lag_max;       /* onset to diagnosis, days */
    double hospital;            /* share reported by the city hospital, else the township */
};

/*
 * National incidence of recent years scaled to Jilin, which reports less HFMD and hepatitis
 * than the south and some brucellosis: influenza in winter (children and the old most),
 * HFMD in early summer with an autumn echo, nearly all under 5; tuberculosis and hepatitis
 * steady in adults; dysentery and other infectious diarrhoea in summer (young children most);
 * scarlet fever in school-age children in late spring and early winter; brucellosis in the
 * lambing spring. No class A. About 850 cases a year at the default size.
 */
static const struct disease_model diseases[] = {
    {"influenza", {700, 900, 150, 250}, SG_RESPIRATORY, 0.90, {10, 0}, 0.0, 28,
     0.02, 0.40, 0, 3, 0.60},
    {"hfmd", {2000, 100, 1, 0}, SG_HFMD, 0.85, {175, 285}, 0.2, 30, 0.01, 0.84, 0, 2, 0.50},
    {"tuberculosis", {0.5, 2, 45, 110}, SG_FLAT, 0.0, {0, 0}, 0.0, 1, 0.03, 0.52, 10, 75, 0.90},
    {"hepatitis_b", {0.5, 1, 55, 45}, SG_FLAT, 0.0, {0, 0}, 0.0, 1, 0.02, 0.08, 3, 40, 0.80},
    {"hepatitis_c", {0, 0.5, 12, 25}, SG_FLAT, 0.0, {0, 0}, 0.0, 1, 0.02, 0.08, 3, 40, 0.85},
    {"dysentery", {10, 3, 2, 4}, SG_ENTERIC, 0.80, {210, 0}, 0.0, 35, 0.02, 0.78, 0, 3, 0.50},
    {"infectious_diarrhea", {600, 40, 35, 60}, SG_ENTERIC, 0.60, {205, 0}, 0.0, 40,
     0.01, 0.86, 0, 2, 0.45},
    {"scarlet_fever", {25, 55, 0.2, 0}, SG_SCARLET, 0.85, {135, 345}, 0.45, 30, 0.01, 0.70,
     0, 3, 0.70},
    {"brucellosis", {0, 0.5, 3, 2}, SG_FLAT, 0.80, {130, 0}, 0.0, 40, 0.02, 0.10, 7, 45, 0.95},
};

#define N_DISEASES (sizeof(diseases) / sizeof(diseases[0]))

enum dow_pattern { DOW_CLINIC, DOW_PHARMACY, DOW_SCHOOL };

/* Monday .. Sunday: clinics fill after the weekend and empty on it; pharmacies sell more on
 * weekends; schools only count school days. */
static const double dow_factor[3][7] = {
    {1.18, 1.06, 1.00, 0.98, 0.98, 0.82, 0.76},
    {0.95, 0.95, 0.95, 0.95, 0.98, 1.10, 1.15},
    {1, 1, 1, 1, 1, 1, 1},
};

/* What the outbreak adds to a channel of its township on day k from the first onset
 * (k < days): weights of that day's, the day before's and two days before's cases, a share
 * of the whole outbreak (worried parents), and a constant (adults of the pupils' families). */
struct outbreak_effect {
    double today, yesterday, before, of_all, constant;
    int days;
};

/* A count channel of every township: per 10,000 residents a day at the season's floor,
 * rising by `height` times the season's bump. */
struct channel_model {
    const char *code;           /* data/syndromic-channels.csv */
    double per_10k;
    enum season_group group;
    double height;
    int peak_doy;
    double sd_days;
    enum dow_pattern dow;
    struct outbreak_effect outbreak;
};

/* The outbreak's pupils see the township center on the day of onset or the next, their
 * parents buy antidiarrheals for two days, and each pupil misses three school days while
 * some parents keep the others home for the week. */
static const struct channel_model channels[] = {
    {"fever_clinic", 1.2, SG_RESPIRATORY, 1.8, 10, 30, DOW_CLINIC, {0, 0, 0, 0, 0, 0}},
    {"diarrhea_clinic", 0.6, SG_ENTERIC, 1.2, 205, 40, DOW_CLINIC, {0.8, 0.3, 0, 0, 1.0, 5}},
    {"pharmacy_antipyretic", 6.0, SG_RESPIRATORY, 1.5, 10, 32, DOW_PHARMACY, {0, 0, 0, 0, 0, 0}},
    {"pharmacy_antidiarrheal", 3.0, SG_ENTERIC, 0.8, 205, 40, DOW_PHARMACY,
     {1.2, 1.2, 0, 0, 2.0, 6}},
    /* 8.5 % of residents are pupils, 0.5 % of them away ill on a summer-term day. */
    {"school_absence", 4.25, SG_RESPIRATORY, 0.9, 10, 30, DOW_SCHOOL, {1, 1, 1, 0.15, 0, 7}},
};

#define N_CHANNELS (sizeof(channels) / sizeof(channels[0]))

/* ILI at the city hospital, the region's influenza sentinel: outpatient and emergency visits
 * a day at the default population, and the ILI share at the floor and its winter rise. */
#define ILI_VISITS 1800.0
#define ILI_FLOOR  0.025
#define ILI_HEIGHT 2.0

/* The outbreak's pupils by onset day. */
static const double outbreak_curve[OUTBREAK_DAYS] = {0.15, 0.35, 0.30, 0.20};

/* --- calendar ---------------------------------------------------------------------------- */

static int day_of_year(int32_t day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    int doy = (int)(day - date_from_ymd(y, 1, 1));
    return doy < YEAR_DAYS ? doy : YEAR_DAYS - 1;
}

/* The height (0..1) of a bump centred on day `peak` of the year. */
static double bump(int doy, int peak, double sd_days)
{
    int dd = abs(doy - peak);
    if (dd > YEAR_DAYS / 2)
        dd = YEAR_DAYS - dd;
    double z = (double)dd / sd_days;
    return exp(-0.5 * z * z);
}

/* The season a day belongs to: the calendar year of the day half a year after its bump's
 * peak, so that one winter (December and January) is one season. */
static int season_year(int32_t day, int peak_doy)
{
    int y, m, d;
    date_to_ymd(day + YEAR_DAYS / 2 - peak_doy, &y, &m, &d);
    return y;
}

/*
 * School days: Monday to Friday outside the holidays of a Jilin school year, taken as fixed
 * dates: New Year's day, winter vacation 15 January to the end of February (Spring Festival
 * falls inside it), Labour Day 1-5 May, summer vacation 10 July to 31 August, National Day
 * 1-7 October. The one-day festivals (Qingming, Dragon Boat, Mid-Autumn) are ignored.
 */
static bool school_day(int32_t day)
{
    int y, m, d;
    if (date_weekday_iso(day) > 5)
        return false;
    date_to_ymd(day, &y, &m, &d);
    int md = m * 100 + d;
    return !(md == 101 || (md >= 115 && md <= 229) || (md >= 501 && md <= 505) ||
             (md >= 710 && md <= 831) || (md >= 1001 && md <= 1007));
}

/* --- draws ------------------------------------------------------------------------------- */

static long poisson(struct demo_rng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 30) {
        double v = floor(lambda + sqrt(lambda) * demo_rng_normal(r) + 0.5);
        return v < 0 ? 0 : (long)v;
    }
    double limit = exp(-lambda), p = 1.0;
    long k = 0;
    do {
        k++;
        p *= demo_rng_unit(r);
    } while (p > limit && k < 200);
    return k - 1;
}

static double season_size(const struct demo_surv *s, enum season_group g, int32_t day,
                          int peak_doy)
{
    if (g == SG_FLAT)
        return 1.0;
    int i = season_year(day, peak_doy) - (s->ctx->ref_year - SEASON_YEARS + 2);
    i = i < 0 ? 0 : (i >= SEASON_YEARS ? SEASON_YEARS - 1 : i);
    return s->season[g][i];
}

static int age_group_of(int32_t birth, int32_t day)
{
    double age = (double)(day - birth) / 365.25;
    return age < 5 ? 0 : (age < 15 ? 1 : (age < 65 ? 2 : 3));
}

/* --- output helpers ---------------------------------------------------------------------- */

/* A local (UTC+8) time: "YYYY-MM-DDTHH:MM:SS+08:00"; `second` may pass midnight. */
static void out_local_time(struct demo_out *o, int32_t day, long second)
{
    char text[20];
    demo_out_date(o, day + (int32_t)(second / 86400));
    second %= 86400;
    snprintf(text, sizeof(text), "T%02ld:%02ld:%02ld+08:00", second / 3600, second / 60 % 60,
             second % 60);
    demo_out_str(o, text);
}

/* One case report before it is written. */
struct case_card {
    const struct disease_model *dm;
    int32_t onset;
    int classification;         /* 0 suspected, 1 clinical, 2 confirmed */
    const char *facility;
    const struct demo_person *m;   /* NULL: unregistered */
    int age, sex;               /* unregistered only */
    const char *ou;             /* unregistered only */
    const char *school;         /* NULL: the card names none */
    int32_t diag_day, rep_day;  /* local days */
    long diag_s, rep_s;         /* seconds into them (rep_s may pass midnight) */
};

static const char *const class_names[3] = {"suspected", "clinical", "confirmed"};

/* The columns of cases.csv, also the first columns of case-revisions.csv. */
static void out_card(struct demo_out *o, const struct case_card *c, long seq)
{
    demo_out_str(o, "NNDRS-");
    demo_out_long(o, seq, 8);
    demo_out_comma(o);
    demo_out_str(o, c->dm->code);
    demo_out_comma(o);
    demo_out_str(o, class_names[c->classification]);
    demo_out_comma(o);
    demo_out_date(o, c->onset);
    demo_out_comma(o);
    out_local_time(o, c->diag_day, c->diag_s);
    demo_out_comma(o);
    out_local_time(o, c->rep_day, c->rep_s);
    demo_out_comma(o);
    demo_out_str(o, c->facility);
    demo_out_comma(o);
    if (c->m != NULL) {
        demo_out_mem(o, c->m->id, 18);
        demo_out_str(o, ",,,");
    } else {
        demo_out_str(o, ",");
        demo_out_long(o, c->age, 1);
        demo_out_comma(o);
        demo_out_long(o, c->sex, 1);
        demo_out_comma(o);
        demo_out_str(o, c->ou);
    }
    demo_out_comma(o);
    if (c->school != NULL)
        demo_out_field(o, c->school);
}

#define CASE_COLUMNS                                                                            \
    "external_id,disease,classification,onset_date,diagnosed_at,reported_at,facility,"          \
    "id_number,age_years,sex,ou,school"

/* Deletions name a reason a CDC would accept (duplicate card, diagnosis ruled out). */
static const char *const delete_reasons[2] = {"重复报告卡", "实验室检测排除诊断"};

/*
 * Draw the diagnosis and report times of a card and write it, with perhaps a revision or a
 * deletion planned. A card whose report would fall on or after the reference day (00:00
 * UTC+8) is not written: it is not reported yet, and no report may lie in the future when
 * the demo is built on its reference day. Returns whether it was written.
 */
static bool write_card(struct demo_surv *s, struct demo_rng *r, struct case_card *c)
{
    const struct disease_model *dm = c->dm;
    double u = demo_rng_unit(r);
    int lag = dm->lag_min + (int)(u * u * (double)(dm->lag_max - dm->lag_min + 1));
    c->diag_day = c->onset + lag;
    c->diag_s = demo_rng_range(r, 8 * 3600, 17 * 3600 + 1800);
    bool late = demo_rng_chance(r, LATE_SHARE);
    double v = demo_rng_unit(r);
    long delay = late ? 24 * 3600 + demo_rng_range(r, 60, 4 * 86400)
                      : 300 + (long)(v * v * v * 23.5 * 3600);
    c->rep_day = c->diag_day;
    c->rep_s = c->diag_s + delay;
    if ((int64_t)c->rep_day * 86400 + c->rep_s >= (int64_t)s->ctx->ref * 86400)
        return false;

    s->seq++;
    out_card(&s->cases, c, s->seq);
    demo_out_end_row(&s->cases);
    s->ctx->st->case_reports++;
    s->ctx->st->cases_late += late;
    s->ctx->st->cases_unregistered += c->m == NULL;

    /* A deletion, or a revision: a suspected or clinical case confirmed by the laboratory,
     * or a confirmed one whose onset the investigation moved a day or two earlier. */
    double w = demo_rng_unit(r);
    int32_t earlier = c->onset - demo_rng_range(r, 1, 2);
    bool onset_ok = earlier >= s->first && (c->m == NULL || earlier >= c->m->birth);
    if (w >= DELETED_SHARE + REVISED_SHARE || (w >= DELETED_SHARE && c->classification == 2 &&
                                               !onset_ok))
        return true;
    struct demo_out *o = &s->revisions;
    out_card(o, c, s->seq);
    if (w < DELETED_SHARE) {
        demo_out_str(o, ",delete,,,");
        demo_out_str(o, delete_reasons[demo_rng_below(r, 2)]);
        s->ctx->st->cases_deleted++;
    } else if (c->classification != 2) {
        demo_out_str(o, ",revise,confirmed,,");
        s->ctx->st->cases_revised++;
    } else {
        demo_out_str(o, ",revise,,");
        demo_out_date(o, earlier);
        demo_out_comma(o);
        s->ctx->st->cases_revised++;
    }
    demo_out_end_row(o);
    return true;
}

static int draw_classification(struct demo_rng *r, const struct disease_model *dm)
{
    double u = demo_rng_unit(r);
    return u < dm->suspected ? 0 : (u < dm->suspected + dm->clinical ? 1 : 2);
}

static const char *draw_facility(struct demo_surv *s, struct demo_rng *r,
                                 const struct disease_model *dm, const struct demo_unit *u)
{
    const struct demo_ctx *ctx = s->ctx;
    if (demo_rng_chance(r, dm->hospital))
        return ctx->fac[ctx->city_hospital].code;
    return ctx->fac[ctx->reg.towns[u->town].center].code;
}

/* --- syndromic counts -------------------------------------------------------------------- */

/* A township's reporting outages: one of 1-3 days in each 365-day block, half the time. */
struct outage {
    int32_t from[SLOTS];
    int len[SLOTS];
};

static bool in_outage(const struct outage *g, int32_t day)
{
    for (int i = 0; i < SLOTS; i++)
        if (day >= g->from[i] && day < g->from[i] + g->len[i])
            return true;
    return false;
}

static void out_count(struct demo_surv *s, int32_t day, const char *ou, const char *channel,
                      long value, long denominator)
{
    struct demo_out *o = &s->counts;
    demo_out_date(o, day);
    demo_out_comma(o);
    demo_out_str(o, ou);
    demo_out_comma(o);
    demo_out_str(o, channel);
    demo_out_comma(o);
    demo_out_long(o, value, 1);
    demo_out_comma(o);
    if (denominator >= 0)
        demo_out_long(o, denominator, 1);
    demo_out_end_row(o);
}

/* What the outbreak adds to a channel of its township on `day`. */
static double outbreak_extra(const struct demo_surv *s, const struct outbreak_effect *e,
                             int32_t day)
{
    const struct demo_outbreak *ob = &s->ctx->st->outbreak;
    int k = (int)(day - ob->first_day);
    if (ob->cases == 0 || k < 0 || k >= e->days)
        return 0;
    double n[3];
    for (int j = 0; j < 3; j++)
        n[j] = k - j >= 0 && k - j < OUTBREAK_DAYS ? (double)s->per_day[k - j] : 0;
    return e->today * n[0] + e->yesterday * n[1] + e->before * n[2] +
           e->of_all * (double)ob->cases + e->constant;
}

static int write_counts(struct demo_surv *s, struct yl_err *err)
{
    struct demo_ctx *ctx = s->ctx;
    struct demo_region *reg = &ctx->reg;
    struct demo_rng r;
    struct outage *gaps = xcalloc((size_t)reg->n_towns, sizeof(*gaps));
    double *town_factor = xmalloc(sizeof(double) * (size_t)reg->n_towns * N_CHANNELS);
    int rc = demo_out_open(&s->counts, ctx->dir, "syndromic.csv",
                           "date,ou,channel,value,denominator", err);
    if (rc != 0)
        goto out;

    demo_rng_seed(&r, ctx->seed, DEMO_STREAM_SYNDROMIC);
    int32_t last = ctx->ref - 1, quiet = ctx->st->outbreak.first_day - OUTBREAK_QUIET;
    for (int t = 0; t < reg->n_towns; t++) {
        for (int i = 0; i < SLOTS; i++) {
            gaps[t].from[i] = DATE_INVALID;
            if (!demo_rng_chance(&r, OUTAGE_SHARE))
                continue;
            int32_t lo = last - (i + 1) * YEAR_DAYS + 1;
            gaps[t].from[i] = demo_rng_range(&r, lo < s->first ? s->first : lo,
                                             last - i * YEAR_DAYS);
            gaps[t].len[i] = demo_rng_range(&r, 1, 3);
        }
        for (size_t c = 0; c < N_CHANNELS; c++)
            town_factor[(size_t)t * N_CHANNELS + c] = exp(0.15 * demo_rng_normal(&r));
    }

    /* Channel by township by day: the order of the table's key, so the import appends. */
    for (size_t c = 0; c < N_CHANNELS; c++) {
        const struct channel_model *cm = &channels[c];
        for (int t = 0; t < reg->n_towns; t++) {
            const struct demo_town *town = &reg->towns[t];
            bool ob_town = strcmp(town->code, ctx->st->outbreak.township) == 0;
            double base = cm->per_10k * (double)town->pop_total / 1e4 *
                          town_factor[(size_t)t * N_CHANNELS + c];
            for (int32_t day = s->first; day <= last; day++) {
                if (cm->dow == DOW_SCHOOL && !school_day(day))
                    continue;
                bool gap = demo_rng_chance(&r, GAP_SHARE) || in_outage(&gaps[t], day);
                if (gap && !(ob_town && day >= quiet)) {
                    ctx->st->syndromic_missing++;
                    continue;
                }
                double season = 1.0 + cm->height * bump(day_of_year(day), cm->peak_doy,
                                                        cm->sd_days) *
                                          season_size(s, cm->group, day, cm->peak_doy);
                double lambda = base * season * dow_factor[cm->dow][date_weekday_iso(day) - 1] *
                                exp(0.08 * demo_rng_normal(&r));
                if (ob_town)
                    lambda += outbreak_extra(s, &cm->outbreak, day);
                out_count(s, day, town->code, cm->code, poisson(&r, lambda), -1);
            }
        }
    }

    /* The sentinel's ILI share: all visits, and the ILI visits among them. */
    const struct demo_facility *hosp = &ctx->fac[ctx->city_hospital];
    double visits = ILI_VISITS * (double)ctx->n_population / (double)DEMO_POPULATION;
    for (int32_t day = s->first; day <= last; day++) {
        if (demo_rng_chance(&r, GAP_SHARE)) {
            ctx->st->syndromic_missing++;
            continue;
        }
        long all = poisson(&r, visits * dow_factor[DOW_CLINIC][date_weekday_iso(day) - 1]);
        double share = ILI_FLOOR * (1.0 + ILI_HEIGHT * bump(day_of_year(day), 10, 28) *
                                              season_size(s, SG_RESPIRATORY, day, 10));
        long ili = poisson(&r, (double)all * share * exp(0.08 * demo_rng_normal(&r)));
        if (all < 1)
            all = 1;
        out_count(s, day, hosp->ou_code, "ili_share", ili < all ? ili : all, all);
    }
    ctx->st->syndromic_rows = s->counts.rows;
    rc = demo_out_close(&s->counts, err);
out:
    free(gaps);
    free(town_factor);
    return rc;
}

/* --- the outbreak ------------------------------------------------------------------------ */

/*
 * The township: one of the towns (镇/乡, not a city street nor the forest farms), drawn by
 * population; the school is at its seat, its first unit. The onsets fall on Monday to
 * Thursday of the last school week whose Thursday is at least a week before the reference
 * date (so 7 to 13 days before it, unless a vacation moves them back by whole weeks).
 */
static void plan_outbreak(struct demo_surv *s, struct demo_rng *r)
{
    struct demo_ctx *ctx = s->ctx;
    struct demo_region *reg = &ctx->reg;
    struct demo_outbreak *ob = &ctx->st->outbreak;
    double w[DEMO_MAX_TOWNS];
    bool any = false;
    for (int t = 0; t < reg->n_towns; t++) {
        w[t] = reg->towns[t].kind == DT_TOWN ? (double)reg->towns[t].pop_total : 0.0;
        any = any || w[t] > 0;
    }
    for (int t = 0; !any && t < reg->n_towns; t++)
        w[t] = (double)reg->towns[t].pop_total;
    int t = (int)demo_rng_weighted(r, w, (size_t)reg->n_towns);
    const struct demo_town *town = &reg->towns[t];
    const struct demo_unit *seat = &reg->units[town->first];

    int32_t start = ctx->ref - 7 - OUTBREAK_DAYS + 1;
    while (date_weekday_iso(start) != 1)
        start--;
    for (int tries = 0; tries < 20; tries++, start -= 7) {
        bool open = true;
        for (int k = 0; k < OUTBREAK_DAYS; k++)
            open = open && school_day(start + k);
        if (open)
            break;
    }
    long n = DEMO_OUTBREAK_MIN + demo_rng_range(r, 0, DEMO_OUTBREAK_MAX - DEMO_OUTBREAK_MIN);
    demo_apportion(outbreak_curve, OUTBREAK_DAYS, n, s->per_day);

    demo_strlcpy(ob->disease, sizeof(ob->disease), OUTBREAK_DISEASE);
    demo_strlcpy(ob->township, sizeof(ob->township), town->code);
    demo_strlcpy(ob->township_name, sizeof(ob->township_name), town->name);
    snprintf(ob->school, sizeof(ob->school), "%s中心小学", town->name);
    demo_strlcpy(ob->village, sizeof(ob->village), seat->code);
    demo_strlcpy(ob->village_name, sizeof(ob->village_name), seat->name);
    demo_strlcpy(ob->facility, sizeof(ob->facility), ctx->fac[town->center].code);
    ob->first_day = start;
    ob->last_day = start + OUTBREAK_DAYS - 1;
    ob->cases = n;
    s->outbreak_unit = town->first;
}

/* Reservoir sampling (Vitter's algorithm R) of the village's pupils aged 6 to 12 on the first
 * day who are still resident on the last: an exact number without holding the village. */
static void outbreak_pupil(struct demo_surv *s, const struct demo_person *m)
{
    const struct demo_outbreak *ob = &s->ctx->st->outbreak;
    if (m->birth > ob->first_day || (m->status_date != DATE_INVALID &&
                                     m->status_date <= ob->last_day))
        return;
    int age = date_age_years(m->birth, ob->first_day);
    if (age < 6 || age > 12)
        return;
    long k = s->pupils_seen++;
    long slot = k < ob->cases ? k : (long)demo_rng_below(&s->orng, (uint32_t)(k + 1));
    if (slot >= ob->cases)
        return;
    struct demo_pupil *p = &s->pupils[slot];
    memcpy(p->id, m->id, sizeof(p->id));
    p->birth = m->birth;
    p->sex = m->sex;
}

/* The outbreak's cards: registered pupils first, then unregistered ones of the village when
 * it has too few (a small demo region), all reported by the township center on time. */
static void write_outbreak(struct demo_surv *s)
{
    struct demo_outbreak *ob = &s->ctx->st->outbreak;
    struct demo_rng *r = &s->orng;
    const struct disease_model *dm = &diseases[0];
    for (size_t i = 0; i < N_DISEASES; i++)
        if (strcmp(diseases[i].code, OUTBREAK_DISEASE) == 0)
            dm = &diseases[i];
    long registered = s->pupils_seen < ob->cases ? s->pupils_seen : ob->cases;
    long i = 0;
    /* Stool samples of the first pupils confirm norovirus; the rest are clinical. */
    for (int k = 0; k < OUTBREAK_DAYS; k++) {
        for (long j = 0; j < s->per_day[k]; j++, i++) {
            struct demo_person m;
            struct case_card c = {.dm = dm, .onset = ob->first_day + k,
                                  .classification = i < 6 ? 2 : 1,
                                  .facility = ob->facility, .ou = ob->village,
                                  .school = ob->school};
            if (i < registered) {
                memset(&m, 0, sizeof(m));
                memcpy(m.id, s->pupils[i].id, sizeof(m.id));
                m.birth = s->pupils[i].birth;
                c.m = &m;
            } else {
                c.age = demo_rng_range(r, 6, 12);
                c.sex = demo_rng_range(r, 1, 2);
            }
            c.diag_day = c.onset + (demo_rng_chance(r, 0.6) ? 0 : 1);
            c.diag_s = demo_rng_range(r, 8 * 3600 + 1800, 19 * 3600);
            c.rep_day = c.diag_day;
            c.rep_s = c.diag_s + demo_rng_range(r, 1800, 6 * 3600);
            s->seq++;
            out_card(&s->cases, &c, s->seq);
            demo_out_end_row(&s->cases);
            s->ctx->st->case_reports++;
            s->ctx->st->cases_unregistered += c.m == NULL;
        }
    }
    ob->registered = registered;
}

/* --- the window, its seasons and the people's cases -------------------------------------- */

int demo_surveil_open(struct demo_surv *s, struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_rng r;
    memset(s, 0, sizeof(*s));
    s->ctx = ctx;
    s->first = ctx->ref - DEMO_SURV_DAYS;
    s->n_days = DEMO_SURV_DAYS;
    ctx->st->surveil_from = s->first;
    demo_rng_seed(&r, ctx->seed, DEMO_STREAM_SURVEIL);
    demo_rng_seed(&s->rng, ctx->seed, DEMO_STREAM_CASES);
    demo_rng_seed(&s->orng, ctx->seed, DEMO_STREAM_OUTBREAK);
    for (int g = 0; g < SG_COUNT; g++)
        for (int y = 0; y < SEASON_YEARS; y++)
            s->season[g][y] = exp(season_spread[g] * demo_rng_normal(&r));
    plan_outbreak(s, &r);

    /* Each disease's cumulative exposure over the window, in years weighted by its season:
     * a person's expected cases between two days is the rate times the difference. */
    s->weight = xmalloc(sizeof(double) * N_DISEASES * (size_t)(s->n_days + 1));
    for (size_t k = 0; k < N_DISEASES; k++) {
        const struct disease_model *dm = &diseases[k];
        double prof[YEAR_DAYS], mean = 0;
        for (int d = 0; d < YEAR_DAYS; d++) {
            prof[d] = dm->seasonal <= 0 ? 0
                      : (1 - dm->second_share) * bump(d, dm->peak_doy[0], dm->sd_days) +
                            dm->second_share * bump(d, dm->peak_doy[1], dm->sd_days);
            mean += prof[d] / YEAR_DAYS;
        }
        double *c = s->weight + k * (size_t)(s->n_days + 1);
        c[0] = 0;
        for (int i = 0; i < s->n_days; i++) {
            int32_t day = s->first + i;
            double p = 1 - dm->seasonal;
            if (mean > 0)
                p += dm->seasonal * prof[day_of_year(day)] / mean *
                     season_size(s, dm->group, day, dm->peak_doy[0]);
            c[i + 1] = c[i] + p / YEAR_DAYS;
        }
    }

    int rc = write_counts(s, err);
    if (rc == 0)
        rc = demo_out_open(&s->cases, ctx->dir, "cases.csv", CASE_COLUMNS, err);
    if (rc == 0)
        rc = demo_out_open(&s->revisions, ctx->dir, "case-revisions.csv",
                           CASE_COLUMNS ",action,new_classification,new_onset_date,reason", err);
    if (rc != 0) {
        demo_out_close(&s->cases, NULL);
        free(s->weight);
        s->weight = NULL;
        return rc;
    }
    s->open = true;
    return 0;
}

/* The first day index i in [lo, hi) with c[i + 1] > target (c increasing). */
static int find_day(const double *c, int lo, int hi, double target)
{
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (c[mid] <= target)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void demo_surveil_of(struct demo_surv *s, const struct demo_unit *u, const struct demo_person *m)
{
    if (!s->open)
        return;
    const struct demo_ctx *ctx = s->ctx;
    int32_t last = ctx->ref - 1;
    if (u == &ctx->reg.units[s->outbreak_unit])
        outbreak_pupil(s, m);
    /* The days this person could fall ill here: alive, born and not moved away. */
    int lo = m->birth > s->first ? (int)(m->birth - s->first) : 0;
    int32_t end = m->status_date != DATE_INVALID && m->status_date <= last ? m->status_date
                                                                           : last + 1;
    int hi = (int)(end - s->first);
    if (hi <= lo)
        return;
    int slot_lo[SLOTS], slot_hi[SLOTS], group[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
        slot_hi[i] = s->n_days - i * YEAR_DAYS;
        slot_lo[i] = i == SLOTS - 1 ? 0 : slot_hi[i] - YEAR_DAYS;
        slot_lo[i] = slot_lo[i] < lo ? lo : slot_lo[i];
        slot_hi[i] = slot_hi[i] > hi ? hi : slot_hi[i];
        group[i] = age_group_of(m->birth, s->first + (slot_lo[i] + slot_hi[i]) / 2);
    }
    for (size_t k = 0; k < N_DISEASES; k++) {
        const struct disease_model *dm = &diseases[k];
        const double *c = s->weight + k * (size_t)(s->n_days + 1);
        double lambda[SLOTS], total = 0;
        for (int i = 0; i < SLOTS; i++) {
            lambda[i] = slot_hi[i] > slot_lo[i]
                            ? dm->rate[group[i]] * 1e-5 * (c[slot_hi[i]] - c[slot_lo[i]])
                            : 0;
            total += lambda[i];
        }
        double v = demo_rng_unit(&s->rng);
        if (v >= total)
            continue;
        /* The same uniform places the case: first its block, then its day. */
        int i = 0;
        while (i < SLOTS - 1 && v >= lambda[i]) {
            v -= lambda[i];
            i++;
        }
        double target = c[slot_lo[i]] + v / lambda[i] * (c[slot_hi[i]] - c[slot_lo[i]]);
        struct case_card card = {.dm = dm, .m = m};
        card.onset = s->first + find_day(c, slot_lo[i], slot_hi[i], target);
        card.classification = draw_classification(&s->rng, dm);
        card.facility = draw_facility(s, &s->rng, dm, u);
        if (!write_card(s, &s->rng, &card) || !demo_rng_chance(&s->rng, UNREGISTERED))
            continue;
        /* A migrant of the same village and about the same age falls ill about then. */
        struct case_card other = {.dm = dm, .ou = u->code};
        int32_t onset = card.onset + demo_rng_range(&s->rng, -3, 3);
        other.onset = onset < s->first ? s->first : (onset > last ? last : onset);
        int age = date_age_years(m->birth, card.onset) + demo_rng_range(&s->rng, -2, 2);
        other.age = age < 0 ? 0 : age;
        other.sex = demo_rng_range(&s->rng, 1, 2);
        other.classification = draw_classification(&s->rng, dm);
        other.facility = card.facility;
        write_card(s, &s->rng, &other);
    }
}

int demo_surveil_close(struct demo_surv *s, struct yl_err *err)
{
    if (!s->open)
        return 0;
    write_outbreak(s);
    free(s->weight);
    s->weight = NULL;
    s->open = false;
    int rc = demo_out_close(&s->cases, err);
    int rc2 = demo_out_close(&s->revisions, err);
    return rc != 0 ? rc : rc2;
}
