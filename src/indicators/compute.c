/*
 * compute.c - every measure of every org unit for one period, in one pass over the
 * population index (the counting rules are in indicators.h).
 *
 * The resident pass is split into equal shares of the rows, one per thread, each counting
 * into its own per-unit accumulators (no sharing, no atomics); the shares are summed, the
 * facility and staff measures added, and the tree rolled up from villages to the province.
 * The hot loop reads a 32-byte row and its few spans, so it runs at memory speed. When the
 * index has a protocol, the same loop hands each resident to the service rates (rates.c),
 * which read the resident's history into a second block of counters per unit.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "indicators/indicators_int.h"

#define MAX_THREADS 64
#define BIG_COUNTY 100000           /* "counties above 100,000 population" */

/* Tag → population group. */
/* The population group bit of each tag; 0 for a tag that is no key population. */
static const uint32_t tag_group[TAG_COUNT] = {
    [TAG_HYPERTENSION] = 1u << IND_POP_HYPERTENSION, [TAG_DIABETES] = 1u << IND_POP_DIABETES,
    [TAG_SEVERE_MENTAL] = 1u << IND_POP_SEVERE_MENTAL,
    [TAG_TUBERCULOSIS] = 1u << IND_POP_TUBERCULOSIS, [TAG_DISABLED] = 1u << IND_POP_DISABLED,
    [TAG_PREGNANT] = 1u << IND_POP_PREGNANT, [TAG_SPECIAL_FAMILY] = 1u << IND_POP_SPECIAL_FAMILY,
    [TAG_POVERTY] = 1u << IND_POP_POVERTY, [TAG_POST_REFERRAL] = 0,
};

/*
 * The resident pass counts into its own layout, 32 counters (128 bytes, two cache lines) an
 * org unit: records and signed of a group side by side, the groups most residents are in
 * first, so a typical resident touches one line of its unit. ind_compute_view maps the
 * counters to enum ind_measure when summing the threads' shares.
 */
#define WIDTH 32
#define LINE 64
#define PREFETCH_AHEAD 8
static const uint8_t pair_of[IND_POP_COUNT] = {
    [IND_POP_ALL] = 0, [IND_POP_KEY] = 1, [IND_POP_AGE65] = 2, [IND_POP_HYPERTENSION] = 3,
    [IND_POP_DIABETES] = 4, [IND_POP_AGE0_6] = 5, [IND_POP_POVERTY] = 6,
    [IND_POP_DISABLED] = 7, [IND_POP_PREGNANT] = 8, [IND_POP_SEVERE_MENTAL] = 9,
    [IND_POP_TUBERCULOSIS] = 10, [IND_POP_SPECIAL_FAMILY] = 11,
};
enum { ACC_BIRTHS = 2 * IND_POP_COUNT, ACC_DEATHS_INFANT, ACC_DEATHS_UNDER5,
       ACC_DEATHS_MATERNAL, ACC_SIGNED_TEAM, ACC_END };
static_assert(ACC_END <= WIDTH, "the resident counters fit an org unit's block");

/* Membership of any of these makes a resident part of the key population. */
#define KEY_GROUPS (((1u << IND_POP_KEY) - 1) & ~(1u << IND_POP_ALL))

struct pass {
    const struct pidx_view *v;
    int32_t start, end, day;    /* the period and its reference date D */
    int32_t born_65;            /* born on or before this day: 65 or over on D */
    int32_t born_7;             /* born on or before this day: 7 or over on D */
    const uint32_t *team_ou;    /* team id → org unit of its lead facility, or PIDX_NONE */
    size_t n_ous;
    const struct ind_rates *rates;  /* the service rates' plan; NULL: no protocol */
};

/* The latest birth day that gives at least `years` completed years on `day`. Ages grow as
 * birth days fall, so one step from the calendar guess in each direction settles it. */
static int32_t born_by(int32_t day, int years)
{
    int32_t b = date_add_months(day, -12 * years);
    while (date_age_years(b + 1, day) >= years)
        b++;
    while (date_age_years(b, day) < years)
        b--;
    return b;
}

static void bump(const struct pass *p, uint32_t *acc, uint32_t ou, int m)
{
    if (ou < p->n_ous)
        acc[(size_t)ou * WIDTH + m]++;
}

static void count_death(const struct pass *p, const struct pidx_resident *r,
                        const struct pidx_span *sp, uint32_t *acc)
{
    uint32_t ou = pidx_residence_at(r, sp, r->end_date);
    int age = date_age_years(r->birth, r->end_date);
    if (age < 1)
        bump(p, acc, ou, ACC_DEATHS_INFANT);
    if (age < 5)
        bump(p, acc, ou, ACC_DEATHS_UNDER5);
    if (r->flags & PIDX_F_MATERNAL_DEATH)
        bump(p, acc, ou, ACC_DEATHS_MATERNAL);
}

/* A resident in the population on D, counted in unit ou by group. Returns the groups
 * (bits of enum ind_pop) they are in. O(spans). */
static unsigned count_stock(const struct pass *p, const struct pidx_resident *r,
                            const struct pidx_span *sp, uint32_t ou, uint32_t *acc)
{
    const int32_t day = p->day;
    unsigned groups = 1u << IND_POP_ALL;
    if (r->birth <= p->born_65)
        groups |= 1u << IND_POP_AGE65;
    else if (r->birth > p->born_7)
        groups |= 1u << IND_POP_AGE0_6;
    uint32_t team = PIDX_NONE;
    for (uint32_t k = 0; k < r->span_count; k++) {
        const struct pidx_span *s = &sp[k];
        if (s->from > day || day > s->to)
            continue;
        if (s->kind == PIDX_SPAN_TAG && s->value < TAG_COUNT)
            groups |= tag_group[s->value];
        else if (s->kind == PIDX_SPAN_CONTRACT)
            team = s->value;
    }
    if (groups & KEY_GROUPS)
        groups |= 1u << IND_POP_KEY;
    uint32_t *a = acc + (size_t)ou * WIDTH;
    bool is_signed = team != PIDX_NONE;
    for (unsigned left = groups; left != 0; left &= left - 1) {
        uint32_t *pair = a + 2 * pair_of[__builtin_ctz(left)];
        pair[0]++;
        pair[1] += is_signed;
    }
    if (is_signed && team < p->v->n_teams)
        bump(p, acc, p->team_ou[team], ACC_SIGNED_TEAM);
    return groups;
}

/* The resident pass over rows [lo, hi): the population measures into acc, the service
 * rates into racc (when the pass has a plan). O(rows + their spans + their history). */
static void count_rows(const struct pass *p, size_t lo, size_t hi, uint32_t *acc,
                       uint32_t *racc)
{
    const struct pidx_resident *rows = p->v->residents;
    const struct pidx_span *pool = p->v->spans;
    const int32_t day = p->day;
    for (size_t i = lo; i < hi; i++) {
        const struct pidx_resident *r = &rows[i];
        /* Residents of a unit need not be neighbours in id order, so the unit's counters
         * are usually out of cache: ask for them a few rows ahead. */
        if (i + PREFETCH_AHEAD < hi && rows[i + PREFETCH_AHEAD].ou < p->n_ous)
            __builtin_prefetch(acc + (size_t)rows[i + PREFETCH_AHEAD].ou * WIDTH, 1);
        if (r->ou == PIDX_NONE)
            continue;
        const struct pidx_span *sp = pool + r->span_first;
        if (r->birth >= p->start && r->birth <= p->end)
            bump(p, acc, pidx_residence_at(r, sp, r->birth), ACC_BIRTHS);
        if (r->status == RSTAT_DECEASED && r->end_date >= p->start && r->end_date <= p->end)
            count_death(p, r, sp, acc);
        uint32_t ou = PIDX_NONE;
        unsigned groups = 0;
        if (day >= r->record_date && day < r->end_date) {
            ou = day >= r->residence_from ? r->ou : pidx_residence_at(r, sp, day);
            if (ou < p->n_ous)
                groups = count_stock(p, r, sp, ou, acc);
            else
                ou = PIDX_NONE;
        }
        if (p->rates != NULL)
            ind_rates_count(p->rates, p->v, (uint32_t)i, r, sp, ou,
                            (groups >> IND_POP_KEY) & 1, racc, p->n_ous);
    }
}

/* Zeroed counter blocks for n org units, each block on its own pair of cache lines. */
static uint32_t *counters(size_t n)
{
    size_t bytes = n * WIDTH * sizeof(uint32_t);
    uint32_t *c = aligned_alloc(LINE, bytes);
    if (c == NULL)
        abort();
    memset(c, 0, bytes);
    return c;
}

/* One unit's counters into its measures. */
static void add_counters(const uint32_t *c, int64_t *m)
{
    for (int g = 0; g < IND_POP_COUNT; g++) {
        m[IND_M_RECORDS + g] += c[2 * pair_of[g]];
        m[IND_M_SIGNED + g] += c[2 * pair_of[g] + 1];
    }
    m[IND_M_BIRTHS] += c[ACC_BIRTHS];
    m[IND_M_DEATHS_INFANT] += c[ACC_DEATHS_INFANT];
    m[IND_M_DEATHS_UNDER5] += c[ACC_DEATHS_UNDER5];
    m[IND_M_DEATHS_MATERNAL] += c[ACC_DEATHS_MATERNAL];
    m[IND_M_SIGNED_TEAM] += c[ACC_SIGNED_TEAM];
}

struct worker {
    const struct pass *p;
    size_t lo, hi;
    uint32_t *acc;
    uint32_t *racc;             /* the service rates' counters, or NULL */
    pthread_t thread;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    count_rows(w->p, w->lo, w->hi, w->acc, w->racc);
    return NULL;
}

/* Facilities, staff and teams, counted where the facility stands. O(F + S + T). */
static void count_registry(const struct pidx_view *v, size_t n_ous, size_t stride, int64_t *m)
{
    bool *qualified = xcalloc(v->n_facilities + 1, sizeof(*qualified));
    for (size_t i = 1; i < v->n_staff; i++) {
        const struct pidx_staff *s = &v->staff[i];
        if (!s->present || s->status != SSTAT_ACTIVE || s->facility >= v->n_facilities)
            continue;
        const struct pidx_facility *f = &v->facilities[s->facility];
        if (!f->present || f->status != FSTAT_ACTIVE || f->ou >= n_ous)
            continue;
        int64_t *u = m + (size_t)f->ou * stride;
        bool licensed = s->role == SROLE_LICENSED_PHYSICIAN ||
                        s->role == SROLE_ASSISTANT_PHYSICIAN ||
                        s->role == SROLE_GENERAL_PRACTITIONER;
        bool college = s->education == EDU_POSTGRADUATE || s->education == EDU_BACHELOR ||
                       s->education == EDU_COLLEGE;
        u[IND_M_PHYSICIANS] += licensed;
        u[IND_M_GPS] += s->role == SROLE_GENERAL_PRACTITIONER;
        u[IND_M_NURSES] += s->role == SROLE_REGISTERED_NURSE;
        u[IND_M_PUBLIC_HEALTH] += s->role == SROLE_PUBLIC_HEALTH;
        if (licensed || (s->role == SROLE_VILLAGE_DOCTOR && college))
            qualified[s->facility] = true;
    }
    for (size_t i = 1; i < v->n_facilities; i++) {
        const struct pidx_facility *f = &v->facilities[i];
        if (!f->present || f->status != FSTAT_ACTIVE || f->ou >= n_ous || f->type >= FT_COUNT)
            continue;
        int64_t *u = m + (size_t)f->ou * stride;
        uint32_t svc = f->services;
        u[IND_M_FACILITIES + f->type]++;
        u[IND_M_BEDS] += f->beds;
        u[IND_M_ICU_BEDS] += f->icu_beds;
        u[IND_M_INFANT_CARE_PLACES] += f->infant_care_places;
        u[IND_M_DIALYSIS_FACILITIES] += (svc >> SVC_DIALYSIS) & 1;
        bool general = f->type == FT_TERTIARY_HOSPITAL || f->type == FT_SECONDARY_HOSPITAL ||
                       f->type == FT_PRIMARY_HOSPITAL || f->type == FT_COUNTY_HOSPITAL;
        bool secondary_up = f->grade <= GRADE_2C || f->type == FT_TERTIARY_HOSPITAL ||
                            f->type == FT_SECONDARY_HOSPITAL || f->type == FT_COUNTY_HOSPITAL;
        if (general && secondary_up && f->ownership == OWN_PUBLIC) {
            u[IND_M_HOSPITALS]++;
            u[IND_M_HOSPITALS_PEDIATRICS] += (svc >> SVC_PEDIATRICS) & 1;
            u[IND_M_HOSPITALS_GERIATRICS] += (svc >> SVC_GERIATRICS) & 1;
            u[IND_M_HOSPITALS_MENTAL] += (svc >> SVC_MENTAL_HEALTH) & 1;
        }
        if (f->type == FT_TOWNSHIP_CENTER || f->type == FT_COMMUNITY_CENTER) {
            u[IND_M_PRIMARY_CENTERS]++;
            u[IND_M_PRIMARY_TCM] += (svc >> SVC_TCM) & 1;
            u[IND_M_PRIMARY_PEDIATRICS] += (svc >> SVC_PEDIATRICS) & 1;
        }
        if (f->type == FT_VILLAGE_CLINIC) {
            u[IND_M_VILLAGE_CLINICS]++;
            u[IND_M_VILLAGE_CLINICS_QUALIFIED] += qualified[i];
        }
    }
    free(qualified);
}

/* Team id → org unit of its lead facility for active teams (PIDX_NONE otherwise), and the
 * team counts. O(T). */
static uint32_t *count_teams(const struct pidx_view *v, size_t n_ous, size_t stride,
                             int64_t *m)
{
    uint32_t *team_ou = xmalloc((v->n_teams + 1) * sizeof(*team_ou));
    for (size_t i = 0; i < v->n_teams; i++) {
        const struct pidx_team *t = &v->teams[i];
        team_ou[i] = PIDX_NONE;
        if (!t->present || t->status != TSTAT_ACTIVE || t->facility >= v->n_facilities ||
            !v->facilities[t->facility].present || v->facilities[t->facility].ou >= n_ous)
            continue;
        team_ou[i] = v->facilities[t->facility].ou;
        m[(size_t)team_ou[i] * stride + IND_M_TEAMS]++;
    }
    return team_ou;
}

/* Org unit ids ordered by level, deepest first, for bottom-up walks. Units with a parent
 * that is not one level up are kept (they still roll up), in their own level's place. */
static uint32_t *deepest_first(const struct pidx_ou *ous, size_t n_ous, size_t *n_out)
{
    uint32_t *order = xmalloc((n_ous + 1) * sizeof(*order));
    size_t n = 0;
    for (int level = 5; level >= 1; level--)
        for (size_t i = 1; i < n_ous; i++)
            if (ous[i].present && ous[i].level == level)
                order[n++] = (uint32_t)i;
    *n_out = n;
    return order;
}

static bool rolls_up(int m)
{
    return m != IND_M_POPULATION && m != IND_M_COUNTIES_BIG &&
           m != IND_M_COUNTIES_BIG_DIALYSIS && m != IND_M_ONE;
}

/* Add each unit's additive measures to its parent, deepest first. A parent must lie above
 * its child, which also keeps a bad parent link from looping. O(U × M). */
static void roll_up(const struct pidx_ou *ous, size_t n_ous, const uint32_t *order, size_t n,
                    size_t stride, int64_t *m)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t u = order[k], p = ous[u].parent;
        if (p >= n_ous || !ous[p].present || ous[p].level >= ous[u].level)
            continue;
        const int64_t *from = m + (size_t)u * stride;
        int64_t *to = m + (size_t)p * stride;
        for (size_t j = 0; j < stride; j++)
            if (rolls_up((int)j))
                to[j] += from[j];
    }
}

/* Resident population of `year`: a unit's own figures for the latest year up to `year`
 * when it has any, else the sum of its children's. O(P + U). */
static void population(const struct pidx_view *v, size_t n_ous, int32_t year,
                       const uint32_t *order, size_t n, size_t stride, int64_t *m)
{
    int32_t *best = xmalloc((n_ous + 1) * sizeof(*best));
    int64_t *own = xcalloc(n_ous + 1, sizeof(*own));
    int64_t *below = xcalloc(n_ous + 1, sizeof(*below));
    for (size_t i = 0; i < n_ous; i++)
        best[i] = INT32_MIN;
    for (size_t i = 0; i < v->n_population; i++) {
        const struct pidx_population *e = &v->population[i];
        if (e->ou < n_ous && e->year <= year && e->year > best[e->ou])
            best[e->ou] = e->year;
    }
    for (size_t i = 0; i < v->n_population; i++) {
        const struct pidx_population *e = &v->population[i];
        if (e->ou >= n_ous || e->year != best[e->ou])
            continue;
        for (int s = 0; s < 2; s++)
            for (int b = 0; b < PIDX_AGE_BANDS; b++)
                own[e->ou] += e->counts[s][b];
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t u = order[k], p = v->ous[u].parent;
        int64_t pop = best[u] != INT32_MIN ? own[u] : below[u];
        m[(size_t)u * stride + IND_M_POPULATION] = pop;
        if (p < n_ous && v->ous[p].present && v->ous[p].level < v->ous[u].level)
            below[p] += pop;
    }
    free(best);
    free(own);
    free(below);
}

/* Counties above 100,000 population, and those of them with dialysis in their subtree,
 * counted at the county and added to its ancestors. Needs population and the rolled-up
 * dialysis count. O(U). */
static void counties(const struct pidx_ou *ous, size_t n_ous, size_t stride, int64_t *m)
{
    for (size_t u = 1; u < n_ous; u++) {
        if (!ous[u].present || ous[u].level != 3)
            continue;
        const int64_t *c = m + u * stride;
        int64_t big = c[IND_M_POPULATION] > BIG_COUNTY;
        int64_t dialysis = big && c[IND_M_DIALYSIS_FACILITIES] > 0;
        uint32_t a = (uint32_t)u;
        for (int depth = 0; depth < 5 && a < n_ous && ous[a].present; depth++) {
            m[(size_t)a * stride + IND_M_COUNTIES_BIG] += big;
            m[(size_t)a * stride + IND_M_COUNTIES_BIG_DIALYSIS] += dialysis;
            uint32_t p = ous[a].parent;
            if (p >= n_ous || !ous[p].present || ous[p].level >= ous[a].level)
                break;
            a = p;
        }
    }
}

/* Run the resident pass on `threads` workers, each with its own counters, and sum them
 * into r's measures. */
static void resident_pass(const struct pass *pass, int threads, struct ind_result *r)
{
    size_t n_ous = r->n_ous, rw = pass->rates != NULL ? ind_rates_width(pass->rates) : 0;
    struct worker w[MAX_THREADS];
    size_t rows = pass->v->n_residents;
    size_t share = (rows + (size_t)threads - 1) / (size_t)threads;
    for (int t = 0; t < threads; t++) {
        w[t].p = pass;
        w[t].lo = (size_t)t * share < rows ? (size_t)t * share : rows;
        w[t].hi = w[t].lo + share < rows ? w[t].lo + share : rows;
        w[t].acc = counters(n_ous + 1);
        w[t].racc = rw > 0 ? xcalloc((n_ous + 1) * rw, sizeof(uint32_t)) : NULL;
    }
    /* The calling thread takes the first share; a thread that cannot start leaves its
     * share to the caller as well. */
    bool started[MAX_THREADS] = {false};
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&w[t].thread, NULL, work, &w[t]) == 0;
    count_rows(pass, w[0].lo, w[0].hi, w[0].acc, w[0].racc);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(w[t].thread, NULL);
        else
            count_rows(pass, w[t].lo, w[t].hi, w[t].acc, w[t].racc);
    }
    for (int t = 0; t < threads; t++) {
        for (size_t u = 0; u < n_ous; u++) {
            int64_t *m = &r->m[u * r->n_measures];
            add_counters(&w[t].acc[u * WIDTH], m);
            if (rw > 0)
                ind_rates_add(pass->rates, &w[t].racc[u * rw], m);
        }
        free(w[t].acc);
        free(w[t].racc);
    }
}

struct ind_result *ind_compute_view(const struct pidx_view *v, const struct ind_period *p,
                                    int threads)
{
    size_t n_ous = v->n_ous;
    struct ind_result *r = xcalloc(1, sizeof(*r));
    r->period = *p;
    r->n_ous = n_ous;
    r->ous = xcalloc(n_ous + 1, sizeof(*r->ous));
    if (n_ous > 0)
        memcpy(r->ous, v->ous, n_ous * sizeof(*r->ous));
    /* The service rates need the protocol the history's item indexes refer to. */
    struct ind_rates *rates = ind_rates_new(v->protocol, p);
    size_t stride = ind_rates_measures(v->protocol);
    r->n_measures = stride;
    r->m = xcalloc((n_ous + 1) * stride, sizeof(*r->m));

    uint32_t *team_ou = count_teams(v, n_ous, stride, r->m);
    struct pass pass = {
        .v = v,
        .start = p->start,
        .end = p->end,
        .day = p->reference,
        .born_65 = born_by(p->reference, 65),
        .born_7 = born_by(p->reference, 7),
        .team_ou = team_ou,
        .n_ous = n_ous,
        .rates = rates,
    };
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    resident_pass(&pass, threads, r);
    free(team_ou);
    ind_rates_free(rates);

    count_registry(v, n_ous, stride, r->m);
    size_t n_order;
    uint32_t *order = deepest_first(v->ous, n_ous, &n_order);
    roll_up(v->ous, n_ous, order, n_order, stride, r->m);
    int year, month, mday;
    date_to_ymd(p->reference, &year, &month, &mday);
    population(v, n_ous, year, order, n_order, stride, r->m);
    counties(v->ous, n_ous, stride, r->m);
    for (size_t u = 0; u < n_ous; u++)
        r->m[u * stride + IND_M_ONE] = 1;
    free(order);
    return r;
}

struct ind_result *ind_compute(struct pidx *x, const struct ind_period *p, int threads)
{
    struct pidx_view v;
    pidx_read_lock(x);
    pidx_view(x, &v);
    struct ind_result *r = ind_compute_view(&v, p, threads);
    pidx_read_unlock(x);
    return r;
}

void ind_result_free(struct ind_result *r)
{
    if (r == NULL)
        return;
    free(r->ous);
    free(r->m);
    free(r);
}

int64_t ind_result_measure(const struct ind_result *r, uint32_t ou, enum ind_measure m)
{
    if (ou >= r->n_ous || (int)m < 0 || (size_t)m >= r->n_measures)
        return 0;
    return r->m[(size_t)ou * r->n_measures + (size_t)m];
}

void ind_evaluate(const struct ind_result *r, uint32_t ou, const struct ind_def *d,
                  struct ind_value *out)
{
    out->def = d;
    out->numerator = ind_result_measure(r, ou, ind_measure_at(d->num, d->pop));
    out->denominator = ind_result_measure(r, ou, ind_measure_at(d->den, d->pop));
    out->has_value = out->denominator != 0;
    out->value = out->has_value
                     ? (double)out->numerator * (double)d->scale / (double)out->denominator
                     : 0.0;
    out->behind = IND_BEHIND_UNKNOWN;
    if (out->has_value && d->target.direction == IND_DIR_AT_LEAST)
        out->behind = out->value < d->target.value ? IND_BEHIND_YES : IND_BEHIND_NO;
    else if (out->has_value && d->target.direction == IND_DIR_AT_MOST)
        out->behind = out->value > d->target.value ? IND_BEHIND_YES : IND_BEHIND_NO;
}
