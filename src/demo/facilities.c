/*
 * facilities.c - the demo region's health service system: the city hospital, TCM and
 * maternal & child health hospitals, CDC and emergency station in the city; a health center
 * per township and street; stations for the communities and forest farms; village clinics in
 * 107 villages; infant care; and their staff. Writes facilities.csv, staff.csv, groups.csv.
 * Sizes follow Hunchun's published figures (a grade 2A city hospital of ~500 beds …).
 */
#include "demo/demo_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "vocab/vocab.h"

#define SV(x) (1u << SVC_##x)
#define CT(x) (1u << CTR_##x)

/* Staff of a facility by role, in enum staff_role order: licensed, assistant, nurse, GP,
 * public health, village doctor, pharmacist, technician. */
struct demo_city_facility {
    const char *code, *name;
    int type, grade, ownership;
    int beds, icu_beds, places;
    uint32_t services, centers;
    double dx_km, dy_km; /* from the city center */
    int staff[SROLE_COUNT];
};

/* One facility to a few lines: easier to read than clang-format's one field to a line. */
/* clang-format off */
static const struct demo_city_facility city_facilities[] = {
    {"HOSP-001", "珲春市人民医院", FT_COUNTY_HOSPITAL, GRADE_2A, OWN_PUBLIC, 500, 20, 0,
     SV(PEDIATRICS) | SV(GERIATRICS) | SV(DIALYSIS) | SV(MENTAL_HEALTH) | SV(IMAGING) |
         SV(LAB) | SV(OBSTETRICS) | SV(SURGERY) | SV(EMERGENCY) | SV(REHABILITATION) |
         SV(DENTAL) | SV(CHRONIC_DISEASE),
     CT(CHEST_PAIN) | CT(STROKE), 0.3, 0.4, {262, 8, 400, 30, 6, 0, 28, 45}},
    {"HOSP-002", "珲春市中医医院", FT_TCM_HOSPITAL, GRADE_2A, OWN_PUBLIC, 150, 0, 0,
     SV(TCM) | SV(REHABILITATION) | SV(GERIATRICS) | SV(IMAGING) | SV(LAB) |
         SV(CHRONIC_DISEASE),
     0, -1.2, 0.6, {70, 4, 85, 4, 0, 0, 12, 12}},
    {"HOSP-003", "珲春市妇幼保健院", FT_MCH_HOSPITAL, GRADE_2B, OWN_PUBLIC, 80, 6, 0,
     SV(PEDIATRICS) | SV(OBSTETRICS) | SV(IMMUNIZATION) | SV(LAB) | SV(IMAGING),
     CT(MATERNAL) | CT(NEWBORN), 0.9, -0.5, {45, 3, 70, 2, 8, 0, 5, 8}},
    {"CDC-001", "珲春市疾病预防控制中心", FT_CDC, GRADE_NONE, OWN_PUBLIC, 0, 0, 0,
     SV(LAB) | SV(IMMUNIZATION), 0, -0.6, -0.9, {6, 0, 0, 0, 48, 0, 0, 12}},
    {"EMS-001", "珲春市急救站", FT_EMERGENCY_STATION, GRADE_NONE, OWN_PUBLIC, 0, 0, 0,
     SV(EMERGENCY), 0, 0.5, 0.2, {16, 0, 18, 0, 0, 0, 0, 0}},
    {"HOSP-004", "珲春仁和医院", FT_PRIMARY_HOSPITAL, GRADE_1A, OWN_PRIVATE, 60, 0, 0,
     SV(REHABILITATION) | SV(GERIATRICS) | SV(IMAGING) | SV(LAB), 0, 1.6, 1.1,
     {14, 2, 24, 0, 0, 0, 2, 3}},
    {"IC-001", "珲春市育苗托育中心", FT_INFANT_CARE, GRADE_NONE, OWN_PUBLIC, 0, 0, 120,
     0, 0, -0.4, 1.3, {0, 0, 2, 0, 0, 0, 0, 0}},
    {"IC-002", "珲春小天使托育园", FT_INFANT_CARE, GRADE_NONE, OWN_PRIVATE, 0, 0, 60,
     0, 0, -1.8, -0.2, {0, 0, 1, 0, 0, 0, 0, 0}},
    {"IC-003", "珲春市新安普惠托育点", FT_INFANT_CARE, GRADE_NONE, OWN_PUBLIC, 0, 0, 50,
     0, 0, -2.1, 0.5, {0, 0, 1, 0, 0, 0, 0, 0}},
    {"IC-004", "珲春童乐托育园", FT_INFANT_CARE, GRADE_NONE, OWN_PRIVATE, 0, 0, 45,
     0, 0, 1.9, -0.8, {0, 0, 1, 0, 0, 0, 0, 0}},
    {"IC-005", "珲春市妇幼保健院托育园", FT_INFANT_CARE, GRADE_NONE, OWN_PUBLIC, 0, 0, 80,
     0, 0, 1.0, -0.6, {0, 0, 2, 0, 0, 0, 0, 0}},
};
/* clang-format on */

/* Korean-Chinese share among the staff (Yanbian's health workforce). */
#define DEMO_STAFF_KOREAN 0.3

/* Share of village clinics whose doctor holds a physician licence or a college degree, and
 * of those, the share with an (assistant) physician licence. */
#define DEMO_CLINIC_QUALIFIED 0.52
#define DEMO_CLINIC_LICENSED  0.70

static struct demo_facility *demo_fac_add(struct demo_ctx *ctx)
{
    struct demo_facility *f;

    if (ctx->n_fac == ctx->cap_fac) {
        ctx->cap_fac = ctx->cap_fac ? ctx->cap_fac * 2 : 256;
        ctx->fac = xrealloc(ctx->fac, (size_t)ctx->cap_fac * sizeof(*ctx->fac));
    }
    f = &ctx->fac[ctx->n_fac++];
    memset(f, 0, sizeof(*f));
    f->grade = GRADE_NONE;
    f->ownership = OWN_PUBLIC;
    f->town = -1;
    return f;
}

static void demo_set(char *dst, size_t cap, const char *a, const char *b, const char *c)
{
    snprintf(dst, cap, "%s%s%s", a, b, c);
}

/* The urban community nearest to a point: where a city-level facility stands. */
static const struct demo_unit *demo_nearest_urban(const struct demo_region *reg, double lat,
                                                  double lon)
{
    const struct demo_unit *best = &reg->units[0];
    double best_d = INFINITY;

    for (int i = 0; i < reg->n_units; i++) {
        const struct demo_unit *u = &reg->units[i];
        double dy = u->lat - lat, dx = (u->lon - lon) * 0.733;
        if (u->kind != DU_URBAN_COMMUNITY)
            continue;
        if (dx * dx + dy * dy < best_d) {
            best_d = dx * dx + dy * dy;
            best = u;
        }
    }
    return best;
}

/* Jitter a point by up to ~r_km, so a facility does not sit on its unit's centroid. */
static void demo_jitter(struct demo_rng *rng, double lat, double lon, double r_km, double *out_lat,
                        double *out_lon)
{
    *out_lat = lat + r_km * (2 * demo_rng_unit(rng) - 1) / 110.95;
    *out_lon = lon + r_km * (2 * demo_rng_unit(rng) - 1) / 81.6;
}

static void demo_add_township_centers(struct demo_ctx *ctx, struct demo_rng *rng)
{
    struct demo_region *reg = &ctx->reg;

    for (int ti = 0; ti < reg->n_towns; ti++) {
        struct demo_town *t = &reg->towns[ti];
        const struct demo_unit *seat = &reg->units[t->first];
        struct demo_facility *f = demo_fac_add(ctx);

        t->center = ctx->n_fac - 1;
        f->town = ti;
        f->services = SV(CHRONIC_DISEASE) | SV(IMMUNIZATION) | SV(LAB);
        if (t->kind == DT_TOWN) {
            bool zhen = strstr(t->name, "镇") != NULL;
            demo_set(f->code, sizeof(f->code), "THC-", t->code, "");
            demo_set(f->name, sizeof(f->name), reg->county_name, t->name, "卫生院");
            f->type = FT_TOWNSHIP_CENTER;
            f->grade = zhen ? GRADE_1A : (demo_rng_chance(rng, 0.5) ? GRADE_1B : GRADE_NONE);
            f->beds = zhen ? demo_rng_range(rng, 28, 40) : demo_rng_range(rng, 20, 30);
            f->services |= SV(EMERGENCY);
            demo_strlcpy(f->ou_code, sizeof(f->ou_code), seat->code);
            demo_jitter(rng, seat->lat, seat->lon, 0.3, &f->lat, &f->lon);
        } else {
            demo_set(f->code, sizeof(f->code), "CHC-", t->code, "");
            if (t->kind == DT_FORESTRY)
                demo_set(f->name, sizeof(f->name), t->name, "社区卫生服务中心", "");
            else
                demo_set(f->name, sizeof(f->name), reg->county_name, t->name, "社区卫生服务中心");
            f->type = FT_COMMUNITY_CENTER;
            f->beds = demo_rng_chance(rng, 0.5) ? demo_rng_range(rng, 8, 20) : 0;
            if (t->kind == DT_FORESTRY) {
                /* The forestry bureau's center is at its seat in the city. */
                demo_strlcpy(f->ou_code, sizeof(f->ou_code), t->code);
                demo_offset_km(-0.8, 1.6, &f->lat, &f->lon);
            } else {
                demo_strlcpy(f->ou_code, sizeof(f->ou_code), seat->code);
                demo_jitter(rng, seat->lat, seat->lon, 0.2, &f->lat, &f->lon);
            }
        }
        if (demo_rng_chance(rng, 0.65))
            f->services |= SV(TCM);
        if (demo_rng_chance(rng, 0.4))
            f->services |= SV(PEDIATRICS);
        if (demo_rng_chance(rng, 0.35))
            f->services |= SV(REHABILITATION);
        if (demo_rng_chance(rng, 0.6))
            f->services |= SV(IMAGING);
    }
}

static void demo_add_stations(struct demo_ctx *ctx, struct demo_rng *rng)
{
    struct demo_region *reg = &ctx->reg;

    for (int i = 0; i < reg->n_units; i++) {
        struct demo_unit *u = &reg->units[i];
        struct demo_town *t = &reg->towns[u->town];
        struct demo_facility *f;
        char base[100];

        u->station = -1;
        if (u->kind != DU_FOREST && u->kind != DU_URBAN_COMMUNITY)
            continue;
        /* The street's center serves the community it stands in. */
        if (u->kind == DU_URBAN_COMMUNITY && t->first == i)
            continue;
        f = demo_fac_add(ctx);
        u->station = ctx->n_fac - 1;
        f->town = u->town;
        f->type = FT_COMMUNITY_STATION;
        demo_set(f->code, sizeof(f->code), "CHS-", u->code, "");
        if (u->kind == DU_FOREST) {
            /* "青龙台林场生活区" is served by "青龙台林场卫生所". */
            size_t n = strlen(u->name);
            const char *suffix = "生活区";
            demo_strlcpy(base, sizeof(base), u->name);
            if (n > strlen(suffix) && strcmp(u->name + n - strlen(suffix), suffix) == 0)
                base[n - strlen(suffix)] = '\0';
            demo_set(f->name, sizeof(f->name), base, "卫生所", "");
        } else {
            demo_set(f->name, sizeof(f->name), u->name, "卫生服务站", "");
        }
        demo_strlcpy(f->ou_code, sizeof(f->ou_code), u->code);
        demo_jitter(rng, u->lat, u->lon, 0.2, &f->lat, &f->lon);
        f->services = SV(CHRONIC_DISEASE);
        if (demo_rng_chance(rng, 0.4))
            f->services |= SV(TCM);
    }
}

static int demo_rec_cmp(const void *a, const void *b)
{
    const struct demo_unit *x = *(const struct demo_unit *const *)a;
    const struct demo_unit *y = *(const struct demo_unit *const *)b;
    if (x->rec_total != y->rec_total)
        return x->rec_total < y->rec_total ? -1 : 1;
    return strcmp(x->code, y->code);
}

static void demo_add_clinics(struct demo_ctx *ctx, struct demo_rng *rng)
{
    struct demo_region *reg = &ctx->reg;
    struct demo_unit **villages = xmalloc((size_t)reg->n_units * sizeof(*villages));
    int n = 0, without;

    for (int i = 0; i < reg->n_units; i++) {
        reg->units[i].clinic = -1;
        if (reg->units[i].kind == DU_VILLAGE || reg->units[i].kind == DU_SUBURBAN_VILLAGE)
            villages[n++] = &reg->units[i];
    }
    /* The smallest villages share a neighbour's clinic. */
    qsort(villages, (size_t)n, sizeof(*villages), demo_rec_cmp);
    without = n > DEMO_VILLAGE_CLINICS ? n - DEMO_VILLAGE_CLINICS : 0;
    for (int k = without; k < n; k++)
        villages[k]->clinic = 0;
    free(villages);
    for (int i = 0; i < reg->n_units; i++) {
        struct demo_unit *u = &reg->units[i];
        struct demo_facility *f;
        char base[100];
        size_t len;

        if (u->clinic < 0)
            continue;
        f = demo_fac_add(ctx);
        u->clinic = ctx->n_fac - 1;
        f->town = u->town;
        f->type = FT_VILLAGE_CLINIC;
        demo_set(f->code, sizeof(f->code), "VC-", u->code, "");
        /* "城北村委会" has "城北村卫生室". */
        demo_strlcpy(base, sizeof(base), u->name);
        len = strlen(base);
        if (len > strlen("委会") && strcmp(base + len - strlen("委会"), "委会") == 0)
            base[len - strlen("委会")] = '\0';
        demo_set(f->name, sizeof(f->name), base, "卫生室", "");
        demo_strlcpy(f->ou_code, sizeof(f->ou_code), u->code);
        demo_jitter(rng, u->lat, u->lon, 0.2, &f->lat, &f->lon);
        f->services = SV(CHRONIC_DISEASE);
        if (demo_rng_chance(rng, 0.3))
            f->services |= SV(TCM);
    }
}

void demo_facilities_build(struct demo_ctx *ctx)
{
    struct demo_rng rng;

    demo_rng_seed(&rng, ctx->seed, DEMO_STREAM_FACILITIES);
    for (size_t i = 0; i < sizeof(city_facilities) / sizeof(city_facilities[0]); i++) {
        const struct demo_city_facility *c = &city_facilities[i];
        struct demo_facility *f = demo_fac_add(ctx);
        demo_strlcpy(f->code, sizeof(f->code), c->code);
        demo_strlcpy(f->name, sizeof(f->name), c->name);
        f->type = c->type;
        f->grade = c->grade;
        f->ownership = c->ownership;
        f->beds = c->beds;
        f->icu_beds = c->icu_beds;
        f->places = c->places;
        f->services = c->services;
        f->centers = c->centers;
        demo_offset_km(c->dx_km, c->dy_km, &f->lat, &f->lon);
        demo_strlcpy(f->ou_code, sizeof(f->ou_code),
                     demo_nearest_urban(&ctx->reg, f->lat, f->lon)->code);
        if (c->type == FT_COUNTY_HOSPITAL)
            ctx->city_hospital = ctx->n_fac - 1;
        if (c->type == FT_TCM_HOSPITAL)
            ctx->tcm_hospital = ctx->n_fac - 1;
    }
    demo_teams_allocate(ctx);
    demo_add_township_centers(ctx, &rng);
    demo_add_stations(ctx, &rng);
    demo_add_clinics(ctx, &rng);
}

/* --- staff ------------------------------------------------------------------------------ */

static struct demo_staff *demo_staff_add(struct demo_ctx *ctx, struct demo_rng *rng, int fac,
                                         int role, int education)
{
    struct demo_staff *s;
    bool korean = demo_rng_chance(rng, DEMO_STAFF_KOREAN);
    int sex = demo_rng_chance(rng, role == SROLE_REGISTERED_NURSE ? 0.95 : 0.5) ? 2 : 1;
    int serial;

    if (ctx->n_staff == ctx->cap_staff) {
        ctx->cap_staff = ctx->cap_staff ? ctx->cap_staff * 2 : 1024;
        ctx->staff = xrealloc(ctx->staff, (size_t)ctx->cap_staff * sizeof(*ctx->staff));
    }
    s = &ctx->staff[ctx->n_staff++];
    memset(s, 0, sizeof(*s));
    serial = ctx->n_staff;
    snprintf(s->code, sizeof(s->code), "S%05d", serial);
    demo_name(&ctx->names, rng, demo_surname(&ctx->names, rng, korean), korean, sex,
              demo_rng_range(rng, 1962, 1998), s->name);
    s->role = role;
    s->education = education;
    s->facility = fac;
    /* Certificate numbers: a kind prefix, the county code, a serial. */
    switch (role) {
    case SROLE_LICENSED_PHYSICIAN:
    case SROLE_GENERAL_PRACTITIONER:
        snprintf(s->qualification, sizeof(s->qualification), "110%s%06d", ctx->reg.county_code,
                 serial);
        break;
    case SROLE_ASSISTANT_PHYSICIAN:
        snprintf(s->qualification, sizeof(s->qualification), "210%s%06d", ctx->reg.county_code,
                 serial);
        break;
    case SROLE_REGISTERED_NURSE:
        snprintf(s->qualification, sizeof(s->qualification), "30%s%06d", ctx->reg.county_code,
                 serial);
        break;
    case SROLE_PHARMACIST:
        snprintf(s->qualification, sizeof(s->qualification), "40%s%06d", ctx->reg.county_code,
                 serial);
        break;
    case SROLE_VILLAGE_DOCTOR:
        snprintf(s->qualification, sizeof(s->qualification), "50%s%06d", ctx->reg.county_code,
                 serial);
        break;
    default:
        break;
    }
    return s;
}

/* Education of a professional by role and the level of the facility. */
static int demo_education(struct demo_rng *rng, int role, bool city)
{
    double u = demo_rng_unit(rng);

    switch (role) {
    case SROLE_LICENSED_PHYSICIAN:
    case SROLE_GENERAL_PRACTITIONER:
        if (city)
            return u < 0.12 ? EDU_POSTGRADUATE : (u < 0.85 ? EDU_BACHELOR : EDU_COLLEGE);
        return u < 0.45 ? EDU_BACHELOR : (u < 0.9 ? EDU_COLLEGE : EDU_SECONDARY);
    case SROLE_ASSISTANT_PHYSICIAN:
        return u < 0.55 ? EDU_COLLEGE : EDU_SECONDARY;
    case SROLE_REGISTERED_NURSE:
        if (city)
            return u < 0.45 ? EDU_BACHELOR : (u < 0.92 ? EDU_COLLEGE : EDU_SECONDARY);
        return u < 0.2 ? EDU_BACHELOR : (u < 0.75 ? EDU_COLLEGE : EDU_SECONDARY);
    default:
        return u < 0.4 ? EDU_BACHELOR : (u < 0.85 ? EDU_COLLEGE : EDU_SECONDARY);
    }
}

static void demo_staff_roles(struct demo_ctx *ctx, struct demo_rng *rng, int fac,
                             const int counts[SROLE_COUNT], bool city)
{
    /* GPs first: a team's leader is picked from the front of its center's staff. */
    static const int order[SROLE_COUNT] = {
        SROLE_GENERAL_PRACTITIONER, SROLE_LICENSED_PHYSICIAN, SROLE_ASSISTANT_PHYSICIAN,
        SROLE_REGISTERED_NURSE,     SROLE_PUBLIC_HEALTH,      SROLE_PHARMACIST,
        SROLE_TECHNICIAN,           SROLE_VILLAGE_DOCTOR,
    };
    ctx->fac[fac].first_staff = ctx->n_staff;
    for (int k = 0; k < SROLE_COUNT; k++)
        for (int i = 0; i < counts[order[k]]; i++)
            demo_staff_add(ctx, rng, fac, order[k], demo_education(rng, order[k], city));
    ctx->fac[fac].n_staff = ctx->n_staff - ctx->fac[fac].first_staff;
}

/* How many village clinics are still to be staffed, and how many of those get a qualified
 * doctor, and of them a licensed one. */
struct demo_clinic_quota {
    int left, qualified, licensed;
};

/* The one doctor of a village clinic. Selection sampling (Knuth's Algorithm S) gives exactly
 * the quota's share of clinics a qualified doctor, spread at random over the region. */
static void demo_clinic_doctor(struct demo_ctx *ctx, struct demo_rng *rng, int fac,
                               struct demo_clinic_quota *q)
{
    int role = SROLE_VILLAGE_DOCTOR, edu;

    if ((int)demo_rng_below(rng, (uint32_t)q->left) < q->qualified) {
        bool lic = (int)demo_rng_below(rng, (uint32_t)q->qualified) < q->licensed;
        if (lic) {
            /* An assistant physician licence, from a secondary or college course. */
            role = SROLE_ASSISTANT_PHYSICIAN;
            edu = demo_rng_chance(rng, 0.6) ? EDU_SECONDARY : EDU_COLLEGE;
            q->licensed--;
        } else {
            edu = EDU_COLLEGE;
        }
        q->qualified--;
    } else {
        double u = demo_rng_unit(rng);
        edu = u < 0.58 ? EDU_SECONDARY : (u < 0.95 ? EDU_HIGH_SCHOOL : EDU_OTHER);
    }
    q->left--;
    ctx->fac[fac].first_staff = ctx->n_staff;
    demo_staff_add(ctx, rng, fac, role, edu);
    ctx->fac[fac].n_staff = 1;
}

void demo_staff_build(struct demo_ctx *ctx)
{
    struct demo_rng rng;
    size_t n_city = sizeof(city_facilities) / sizeof(city_facilities[0]);
    struct demo_clinic_quota quota = {0, 0, 0};

    demo_rng_seed(&rng, ctx->seed, DEMO_STREAM_STAFF);
    for (int i = 0; i < ctx->n_fac; i++)
        if (ctx->fac[i].type == FT_VILLAGE_CLINIC)
            quota.left++;
    quota.qualified = (int)lround(DEMO_CLINIC_QUALIFIED * quota.left);
    quota.licensed = (int)lround(DEMO_CLINIC_LICENSED * quota.qualified);
    for (int i = 0; i < ctx->n_fac; i++) {
        struct demo_facility *f = &ctx->fac[i];
        int counts[SROLE_COUNT] = {0};
        bool township = f->type == FT_TOWNSHIP_CENTER;

        if ((size_t)i < n_city) {
            demo_staff_roles(ctx, &rng, i, city_facilities[i].staff, true);
            continue;
        }
        switch (f->type) {
        case FT_VILLAGE_CLINIC:
            demo_clinic_doctor(ctx, &rng, i, &quota);
            continue;
        case FT_TOWNSHIP_CENTER:
        case FT_COMMUNITY_CENTER:
            /* One GP more than the center leads teams: each team has its own leader. */
            counts[SROLE_GENERAL_PRACTITIONER] = ctx->reg.towns[f->town].n_teams + 1;
            counts[SROLE_LICENSED_PHYSICIAN] = demo_rng_range(&rng, 2, township ? 4 : 5);
            counts[SROLE_ASSISTANT_PHYSICIAN] = demo_rng_range(&rng, 1, 2);
            counts[SROLE_REGISTERED_NURSE] = demo_rng_range(&rng, 4, township ? 7 : 9);
            counts[SROLE_PUBLIC_HEALTH] = demo_rng_range(&rng, 2, 4);
            counts[SROLE_PHARMACIST] = 1;
            counts[SROLE_TECHNICIAN] = demo_rng_range(&rng, 1, 2);
            break;
        case FT_COMMUNITY_STATION:
            if (ctx->reg.towns[f->town].kind == DT_FORESTRY)
                counts[SROLE_ASSISTANT_PHYSICIAN] = 1;
            else if (demo_rng_chance(&rng, 0.5))
                counts[SROLE_GENERAL_PRACTITIONER] = 1;
            else
                counts[SROLE_LICENSED_PHYSICIAN] = 1;
            counts[SROLE_REGISTERED_NURSE] = demo_rng_chance(&rng, 0.8) ? 1 : 0;
            break;
        default:
            break;
        }
        demo_staff_roles(ctx, &rng, i, counts, false);
    }
}

/* --- writers ---------------------------------------------------------------------------- */

static void demo_out_set(struct demo_out *o, enum vocab_kind kind, uint32_t set)
{
    char tmp[512];
    vocab_format_set(kind, set, tmp, sizeof(tmp));
    demo_out_str(o, tmp);
}

int demo_write_facilities(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_out o;
    int rc = demo_out_open(&o, ctx->dir, "facilities.csv",
                           "code,name,type,grade,ownership,ou_code,lat,lon,beds,icu_beds,"
                           "infant_care_places,services,centers,status",
                           err);
    long clinics = 0;

    if (rc != 0)
        return rc;
    for (int i = 0; i < ctx->n_fac; i++) {
        const struct demo_facility *f = &ctx->fac[i];
        demo_out_str(&o, f->code);
        demo_out_comma(&o);
        demo_out_field(&o, f->name);
        demo_out_comma(&o);
        demo_out_str(&o, vocab_code(VOCAB_FACILITY_TYPE, f->type));
        demo_out_comma(&o);
        demo_out_str(&o, vocab_code(VOCAB_GRADE, f->grade));
        demo_out_comma(&o);
        demo_out_str(&o, vocab_code(VOCAB_OWNERSHIP, f->ownership));
        demo_out_comma(&o);
        demo_out_str(&o, f->ou_code);
        demo_out_comma(&o);
        demo_out_fixed(&o, f->lat, 6);
        demo_out_comma(&o);
        demo_out_fixed(&o, f->lon, 6);
        demo_out_comma(&o);
        demo_out_long(&o, f->beds, 1);
        demo_out_comma(&o);
        demo_out_long(&o, f->icu_beds, 1);
        demo_out_comma(&o);
        demo_out_long(&o, f->places, 1);
        demo_out_comma(&o);
        demo_out_set(&o, VOCAB_SERVICE, f->services);
        demo_out_comma(&o);
        demo_out_set(&o, VOCAB_CENTER, f->centers);
        demo_out_str(&o, ",active");
        demo_out_end_row(&o);
        if (f->type == FT_VILLAGE_CLINIC)
            clinics++;
    }
    ctx->st->facilities = o.rows;
    ctx->st->village_clinics = clinics;
    return demo_out_close(&o, err);
}

int demo_write_groups(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_out o;
    int rc =
        demo_out_open(&o, ctx->dir, "groups.csv", "code,name,kind,lead_code,member_codes", err);

    if (rc != 0)
        return rc;
    /* One compact county medical community: the city hospital leads the township and
     * community health centers (the lead is a member too). */
    demo_out_str(&o, "MG-001,");
    demo_out_str(&o, ctx->reg.county_name);
    demo_out_str(&o, "紧密型县域医疗卫生共同体,county_community,");
    demo_out_str(&o, ctx->fac[ctx->city_hospital].code);
    demo_out_comma(&o);
    demo_out_str(&o, ctx->fac[ctx->city_hospital].code);
    for (int i = 0; i < ctx->n_fac; i++) {
        if (ctx->fac[i].type != FT_TOWNSHIP_CENTER && ctx->fac[i].type != FT_COMMUNITY_CENTER)
            continue;
        demo_out_char(&o, ' ');
        demo_out_str(&o, ctx->fac[i].code);
    }
    demo_out_end_row(&o);
    ctx->st->groups = o.rows;
    return demo_out_close(&o, err);
}

int demo_write_staff(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_out o;
    int rc = demo_out_open(&o, ctx->dir, "staff.csv",
                           "code,name,role,facility_code,qualification_no,education,status", err);

    if (rc != 0)
        return rc;
    for (int i = 0; i < ctx->n_staff; i++) {
        const struct demo_staff *s = &ctx->staff[i];
        demo_out_str(&o, s->code);
        demo_out_comma(&o);
        demo_out_field(&o, s->name);
        demo_out_comma(&o);
        demo_out_str(&o, vocab_code(VOCAB_STAFF_ROLE, s->role));
        demo_out_comma(&o);
        demo_out_str(&o, ctx->fac[s->facility].code);
        demo_out_comma(&o);
        demo_out_str(&o, s->qualification);
        demo_out_comma(&o);
        demo_out_str(&o, vocab_code(VOCAB_EDUCATION, s->education));
        demo_out_str(&o, ",active");
        demo_out_end_row(&o);
    }
    ctx->st->staff = o.rows;
    return demo_out_close(&o, err);
}
