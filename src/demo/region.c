/*
 * region.c - the demo region's org units: the real divisions of Hunchun read from the
 * divisions CSV, placed on the map along the valleys that radiate from the city (the
 * Hunchun river up to 春化, the Tumen down to 敬信 and the sea …), and peopled with a
 * north-eastern age pyramid (old, low fertility). Writes ous.csv and population.csv.
 */
#include "demo/demo_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/adcode.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"

/* Where each township's villages lie: a valley leaving the city on a bearing (degrees
 * clockwise from north) between two distances, and the share of Korean-Chinese
 * households. Bearings and distances follow the map of Hunchun; the streets lie within
 * 4 km of the center. A bearing below 0 scatters the units (the forest farms). */
struct demo_town_layout {
    const char *code;
    double bearing_deg, near_km, far_km;
    double korean;
};

static const struct demo_town_layout town_layouts[] = {
    {"222404001", 10, 0.0, 1.4, 0.24},  /* 靖和街道: the old center, north bank */
    {"222404002", 280, 0.8, 2.4, 0.22}, /* 新安街道: west */
    {"222404003", 185, 1.0, 2.6, 0.26}, /* 河南街道: south of the Hunchun river */
    {"222404006", 90, 1.2, 2.8, 0.18},  /* 海东街道: east */
    {"222404060", 130, 1.4, 3.0, 0.18}, /* 近海街道: south-east, toward the border zone */
    {"222404100", 38, 24, 46, 0.15},    /* 春化镇: up the Hunchun river, north-east */
    {"222404101", 150, 14, 34, 0.30},   /* 敬信镇: down the Tumen to the sea, south-east */
    {"222404102", 75, 8, 22, 0.20},     /* 板石镇: east */
    {"222404103", 350, 6, 22, 0.15},    /* 英安镇: north */
    {"222404200", 205, 4, 14, 0.28},    /* 马川子乡: the Tumen plain, south-south-west */
    {"222404201", 58, 12, 28, 0.12},    /* 杨泡满族乡: north-east */
    {"222404202", 225, 7, 20, 0.32},    /* 三家子满族乡: south-west along the Tumen */
    {"222404203", 300, 10, 22, 0.45},   /* 密江乡: the Mijiang valley, west-north-west */
    {"222404204", 15, 12, 32, 0.25},    /* 哈达门乡: north */
    {"222404400", -1, 20, 48, 0.10},    /* 珲春林业局: forest farms in the mountains */
};

/* Age pyramid of the region, per cent by 5-year band (0-4 … 90+): a north-eastern county in
 * 2024, with the large 1960s-70s cohorts now 50-64 and few children. */
static const double pyramid[DEMO_BANDS] = {
    3.1, 3.3, 4.0, 4.5, 4.7, 5.2, 6.2, 6.6, 6.4, 7.5, 9.0, 9.6, 8.2, 8.2, 5.9, 4.2, 2.7, 1.3, 0.5,
};

/* Share of men by band: slightly more boys, more women among the old. */
static const double male_share[DEMO_BANDS] = {
    0.520, 0.520, 0.518, 0.515, 0.508, 0.505, 0.505, 0.505, 0.503, 0.502,
    0.500, 0.498, 0.495, 0.490, 0.478, 0.460, 0.430, 0.390, 0.340,
};

/* Mean population of a unit by kind, before scaling to the region's total. */
static const double kind_population[] = {
    [DU_URBAN_COMMUNITY] = 4000, [DU_SUBURBAN_VILLAGE] = 1200,
    [DU_TOWN_COMMUNITY] = 2000,  [DU_VILLAGE] = 600,
    [DU_FOREST] = 700,
};

static bool demo_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int demo_unit_cmp(const void *a, const void *b)
{
    return strcmp(((const struct demo_unit *)a)->code, ((const struct demo_unit *)b)->code);
}

static const char *const division_columns[] = {
    "province_code", "province_name", "city_code",    "city_name",    "county_code", "county_name",
    "township_code", "township_name", "village_code", "village_name", NULL,
};

/* Check one divisions row: the village code lies under the township, which lies under the
 * county. YL_EINVAL naming the line otherwise. */
static int demo_division_check(const struct csv_reader *r, struct yl_err *err)
{
    const char *v = csv_get(r, "village_code"), *t = csv_get(r, "township_code");
    const char *c = csv_get(r, "county_code");

    if (adcode_level(v, strlen(v)) != ADCODE_VILLAGE ||
        adcode_level(t, strlen(t)) != ADCODE_TOWNSHIP ||
        adcode_level(c, strlen(c)) != ADCODE_COUNTY || strncmp(v, t, 9) != 0 ||
        strncmp(t, c, 6) != 0)
        return yl_err_set(err, YL_EINVAL, "village_code",
                          "divisions line %ld: codes do not nest county > township > village",
                          csv_line(r));
    return 0;
}

int demo_region_load(struct demo_ctx *ctx, const char *path, struct yl_err *err)
{
    struct demo_region *reg = &ctx->reg;
    FILE *f = fopen(path, "rb");
    struct csv_reader *r;
    int cap = 256, rc = 0;

    if (f == NULL)
        return yl_err_set(err, YL_EIO, "divisions_path", "could not open divisions file \"%s\"",
                          path);
    r = csv_open(f, 1 << 16);
    rc = csv_read_header(r, division_columns, err);
    reg->units = xcalloc((size_t)cap, sizeof(*reg->units));
    while (rc == 0) {
        struct demo_unit *u;
        int got = csv_next(r, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        rc = demo_division_check(r, err);
        if (rc != 0)
            break;
        if (reg->n_units == 0) {
            demo_strlcpy(reg->province_code, sizeof(reg->province_code),
                         csv_get(r, "province_code"));
            demo_strlcpy(reg->province_name, sizeof(reg->province_name),
                         csv_get(r, "province_name"));
            demo_strlcpy(reg->city_code, sizeof(reg->city_code), csv_get(r, "city_code"));
            demo_strlcpy(reg->city_name, sizeof(reg->city_name), csv_get(r, "city_name"));
            demo_strlcpy(reg->county_code, sizeof(reg->county_code), csv_get(r, "county_code"));
            demo_strlcpy(reg->county_name, sizeof(reg->county_name), csv_get(r, "county_name"));
        } else if (strcmp(reg->county_code, csv_get(r, "county_code")) != 0) {
            rc = yl_err_set(err, YL_EINVAL, "county_code",
                            "divisions line %ld: the demo region is one county", csv_line(r));
            break;
        }
        if (reg->n_units == cap) {
            cap *= 2;
            reg->units = xrealloc(reg->units, (size_t)cap * sizeof(*reg->units));
        }
        u = &reg->units[reg->n_units++];
        memset(u, 0, sizeof(*u));
        demo_strlcpy(u->code, sizeof(u->code), csv_get(r, "village_code"));
        demo_strlcpy(u->name, sizeof(u->name), csv_get(r, "village_name"));
        /* The township's name rides along in the unit until the towns are built. */
        u->town = -1;
        for (int i = 0; i < reg->n_towns; i++)
            if (strcmp(reg->towns[i].code, csv_get(r, "township_code")) == 0)
                u->town = i;
        if (u->town < 0) {
            struct demo_town *t;
            if (reg->n_towns == DEMO_MAX_TOWNS) {
                rc = yl_err_set(err, YL_EINVAL, "township_code",
                                "more than %d townships in the divisions file", DEMO_MAX_TOWNS);
                break;
            }
            t = &reg->towns[reg->n_towns];
            memset(t, 0, sizeof(*t));
            demo_strlcpy(t->code, sizeof(t->code), csv_get(r, "township_code"));
            demo_strlcpy(t->name, sizeof(t->name), csv_get(r, "township_name"));
            u->town = reg->n_towns++;
        }
    }
    csv_close(r);
    fclose(f);
    if (rc == 0 && reg->n_units == 0)
        rc = yl_err_set(err, YL_EINVAL, "divisions_path", "divisions file \"%s\" holds no villages",
                        path);
    if (rc != 0)
        return rc;
    return 0;
}

/* Sort units by code, so each township's units are contiguous, and classify them. Towns
 * are renumbered in code order too. */
static void demo_region_order(struct demo_region *reg)
{
    struct demo_town towns[DEMO_MAX_TOWNS];
    int order[DEMO_MAX_TOWNS], next = 0;

    qsort(reg->units, (size_t)reg->n_units, sizeof(*reg->units), demo_unit_cmp);
    /* Townships in code order: the units are sorted, so first appearance gives it. */
    memcpy(towns, reg->towns, sizeof(towns));
    for (int i = 0; i < reg->n_towns; i++)
        order[i] = -1;
    for (int i = 0; i < reg->n_units; i++) {
        struct demo_unit *u = &reg->units[i];
        if (order[u->town] < 0) {
            order[u->town] = next;
            reg->towns[next] = towns[u->town];
            reg->towns[next].first = i;
            reg->towns[next].count = 0;
            next++;
        }
        u->town = order[u->town];
        reg->towns[u->town].count++;
    }
    for (int i = 0; i < reg->n_towns; i++) {
        struct demo_town *t = &reg->towns[i];
        t->kind = demo_ends_with(t->name, "街道")     ? DT_STREET
                  : demo_ends_with(t->name, "林业局") ? DT_FORESTRY
                                                      : DT_TOWN;
    }
    for (int i = 0; i < reg->n_units; i++) {
        struct demo_unit *u = &reg->units[i];
        enum demo_town_kind tk = reg->towns[u->town].kind;
        bool village = demo_ends_with(u->name, "村委会") || demo_ends_with(u->name, "村");
        if (tk == DT_FORESTRY)
            u->kind = DU_FOREST;
        else if (tk == DT_STREET)
            u->kind = village ? DU_SUBURBAN_VILLAGE : DU_URBAN_COMMUNITY;
        else
            u->kind = village ? DU_VILLAGE : DU_TOWN_COMMUNITY;
    }
}

void demo_offset_km(double dx_km, double dy_km, double *lat, double *lon)
{
    *lat = DEMO_CENTER_LAT + dy_km / 110.95;
    *lon = DEMO_CENTER_LON + dx_km / (111.32 * cos(DEMO_CENTER_LAT * M_PI / 180.0));
}

static const struct demo_town_layout *demo_layout_of(const struct demo_town *t)
{
    static const struct demo_town_layout fallback[] = {
        {"", 0, 0.5, 3.0, 0.2},
        {"", 0, 8, 30, 0.2},
    };
    for (size_t i = 0; i < sizeof(town_layouts) / sizeof(town_layouts[0]); i++)
        if (strcmp(town_layouts[i].code, t->code) == 0)
            return &town_layouts[i];
    return t->kind == DT_STREET ? &fallback[0] : &fallback[1];
}

/* Point at distance d_km along a valley leaving the city on bearing b_deg, bending gently,
 * offset sideways by side_km. */
static void demo_valley_point(double b_deg, double phase, double d_km, double side_km, double *dx,
                              double *dy)
{
    double b = (b_deg + 9.0 * sin(d_km / 7.0 + phase)) * M_PI / 180.0;
    *dx = d_km * sin(b) + side_km * cos(b);
    *dy = d_km * cos(b) - side_km * sin(b);
}

static void demo_place_units(struct demo_ctx *ctx, struct demo_rng *rng)
{
    struct demo_region *reg = &ctx->reg;

    for (int ti = 0; ti < reg->n_towns; ti++) {
        struct demo_town *t = &reg->towns[ti];
        const struct demo_town_layout *lay = demo_layout_of(t);
        double bearing = lay->bearing_deg >= 0 ? lay->bearing_deg : 0;
        double phase = demo_rng_unit(rng) * 2 * M_PI;
        double seat_d = lay->near_km + 0.35 * (lay->far_km - lay->near_km);
        bool seat_done = false;

        /* A layout not in the table spreads its townships around the compass. */
        if (lay->code[0] == '\0')
            bearing = fmod(ti * 137.5, 360.0);
        t->korean = lay->korean;
        for (int k = 0; k < t->count; k++) {
            struct demo_unit *u = &reg->units[t->first + k];
            double dx, dy, d, side;
            u->korean = lay->korean;
            if (t->kind == DT_STREET) {
                /* Units of a street: a disc around its part of town, within 4 km. */
                double cd = (lay->near_km + lay->far_km) / 2, cb = bearing * M_PI / 180.0;
                do {
                    double a = demo_rng_unit(rng) * 2 * M_PI, rr = 1.3 * sqrt(demo_rng_unit(rng));
                    dx = cd * sin(cb) + rr * cos(a);
                    dy = cd * cos(cb) + rr * sin(a);
                } while (dx * dx + dy * dy > 3.9 * 3.9);
            } else if (t->kind == DT_FORESTRY) {
                /* A forest farm named after a township lies beyond its villages, up the
                 * same valley; the others in the mountains of the north and east. */
                int near_town = -1;
                for (int j = 0; j < reg->n_towns; j++)
                    if (reg->towns[j].kind == DT_TOWN &&
                        strncmp(u->name, reg->towns[j].name, 6) == 0)
                        near_town = j;
                if (near_town >= 0) {
                    const struct demo_town_layout *nl = demo_layout_of(&reg->towns[near_town]);
                    d = nl->far_km * (0.85 + 0.3 * demo_rng_unit(rng));
                    demo_valley_point(nl->bearing_deg, 0, d, 3.0 * demo_rng_normal(rng), &dx, &dy);
                } else {
                    d = lay->near_km + (lay->far_km - lay->near_km) * demo_rng_unit(rng);
                    demo_valley_point(110.0 * demo_rng_unit(rng), 0, d, 0, &dx, &dy);
                }
            } else if (!seat_done) {
                /* The first unit (a community when the township has one: their codes come
                 * before the villages') is the seat, a third of the way up the valley; the
                 * other communities gather near it. */
                demo_valley_point(bearing, phase, seat_d, 0.3 * demo_rng_normal(rng), &dx, &dy);
                seat_done = true;
            } else if (u->kind == DU_TOWN_COMMUNITY) {
                demo_valley_point(bearing, phase, seat_d + 1.2 * demo_rng_normal(rng),
                                  0.5 * demo_rng_normal(rng), &dx, &dy);
            } else {
                d = lay->near_km + (lay->far_km - lay->near_km) * demo_rng_unit(rng);
                side = 1.1 * demo_rng_normal(rng);
                demo_valley_point(bearing, phase, d, side, &dx, &dy);
            }
            demo_offset_km(dx, dy, &u->lat, &u->lon);
            t->lat += u->lat;
            t->lon += u->lon;
        }
        t->lat /= t->count;
        t->lon /= t->count;
    }
}

/* Population and records of every unit, by sex and band. */
static void demo_people_units(struct demo_ctx *ctx, struct demo_rng *rng)
{
    struct demo_region *reg = &ctx->reg;
    int n = reg->n_units;
    double *w = xmalloc((size_t)n * sizeof(*w));
    long *cnt = xmalloc((size_t)n * sizeof(*cnt));
    double cell_w[2 * DEMO_BANDS];
    long cell_n[2 * DEMO_BANDS];
    double band_w[DEMO_BANDS];

    for (int i = 0; i < n; i++) {
        struct demo_unit *u = &reg->units[i];
        w[i] = kind_population[u->kind] * fmax(0.35, 1.0 + 0.38 * demo_rng_normal(rng));
        u->coverage = 0.905 + 0.065 * demo_rng_unit(rng);
    }
    demo_apportion(w, (size_t)n, ctx->n_population, cnt);
    for (int i = 0; i < n; i++)
        reg->units[i].pop_total = cnt[i];
    for (int i = 0; i < n; i++)
        w[i] = (double)reg->units[i].pop_total * reg->units[i].coverage;
    demo_apportion(w, (size_t)n, ctx->n_residents, cnt);

    for (int i = 0; i < n; i++) {
        struct demo_unit *u = &reg->units[i];
        bool urban = u->kind == DU_URBAN_COMMUNITY;
        u->rec_total = cnt[i];
        for (int b = 0; b < DEMO_BANDS; b++) {
            double m = 1.0;
            /* Young adults leave the villages for the city and beyond; the old stay. */
            if (urban)
                m = b >= 4 && b <= 9 ? 1.08 : (b >= 13 ? 0.90 : 1.0);
            else
                m = b <= 8 ? 0.86 : (b >= 10 ? 1.12 : 1.0);
            band_w[b] = pyramid[b] * m * fmax(0.5, 1.0 + 0.07 * demo_rng_normal(rng));
        }
        for (int b = 0; b < DEMO_BANDS; b++) {
            double ms = male_share[b] + 0.01 * demo_rng_normal(rng);
            cell_w[b] = band_w[b] * ms;
            cell_w[DEMO_BANDS + b] = band_w[b] * (1 - ms);
        }
        demo_apportion(cell_w, 2 * DEMO_BANDS, u->pop_total, cell_n);
        for (int k = 0; k < 2 * DEMO_BANDS; k++) {
            u->pop[k / DEMO_BANDS][k % DEMO_BANDS] = cell_n[k];
            cell_w[k] = (double)cell_n[k];
        }
        demo_apportion(cell_w, 2 * DEMO_BANDS, u->rec_total, cell_n);
        for (int k = 0; k < 2 * DEMO_BANDS; k++)
            u->rec[k / DEMO_BANDS][k % DEMO_BANDS] = cell_n[k];
        reg->towns[u->town].pop_total += u->pop_total;
        reg->towns[u->town].rec_total += u->rec_total;
    }
    free(w);
    free(cnt);
}

void demo_region_build(struct demo_ctx *ctx)
{
    struct demo_rng rng;

    demo_rng_seed(&rng, ctx->seed, DEMO_STREAM_REGION);
    demo_region_order(&ctx->reg);
    demo_place_units(ctx, &rng);
    demo_people_units(ctx, &rng);
}

void demo_band_range(int32_t ref, int band, int32_t *lo, int32_t *hi)
{
    int hi_age = band == DEMO_BANDS - 1 ? 106 : 5 * band + 5;
    *lo = date_add_days(date_add_months(ref, -12 * hi_age), 1);
    *hi = date_add_months(ref, -12 * 5 * band);
}

static void demo_ou_row(struct demo_out *o, const char *code, const char *name, const char *parent,
                        double lat, double lon)
{
    demo_out_str(o, code);
    demo_out_comma(o);
    demo_out_field(o, name);
    demo_out_comma(o);
    demo_out_str(o, parent);
    demo_out_comma(o);
    demo_out_fixed(o, lat, 6);
    demo_out_comma(o);
    demo_out_fixed(o, lon, 6);
    demo_out_end_row(o);
}

int demo_write_ous(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_region *reg = &ctx->reg;
    struct demo_out o;
    int rc = demo_out_open(&o, ctx->dir, "ous.csv", "code,name,parent_code,lat,lon", err);

    if (rc != 0)
        return rc;
    /* Parents first: the importer wants a unit's parent before the unit. The province and
     * prefecture centroids are their seats' (长春, 延吉); the county's is the city. */
    demo_ou_row(&o, reg->province_code, reg->province_name, "", 43.8171, 125.3235);
    demo_ou_row(&o, reg->city_code, reg->city_name, reg->province_code, 42.9048, 129.5130);
    demo_ou_row(&o, reg->county_code, reg->county_name, reg->city_code, DEMO_CENTER_LAT,
                DEMO_CENTER_LON);
    for (int ti = 0; ti < reg->n_towns; ti++) {
        struct demo_town *t = &reg->towns[ti];
        demo_ou_row(&o, t->code, t->name, reg->county_code, t->lat, t->lon);
        for (int k = 0; k < t->count; k++) {
            struct demo_unit *u = &reg->units[t->first + k];
            demo_ou_row(&o, u->code, u->name, t->code, u->lat, u->lon);
        }
    }
    ctx->st->ous = o.rows;
    ctx->st->villages = reg->n_units;
    return demo_out_close(&o, err);
}

int demo_write_population(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_region *reg = &ctx->reg;
    struct demo_out o;
    long total = 0;
    int rc = demo_out_open(&o, ctx->dir, "population.csv", "ou_code,year,sex,age_band,count", err);

    if (rc != 0)
        return rc;
    for (int i = 0; i < reg->n_units; i++) {
        struct demo_unit *u = &reg->units[i];
        for (int s = 0; s < 2; s++)
            for (int b = 0; b < DEMO_BANDS; b++) {
                demo_out_str(&o, u->code);
                demo_out_comma(&o);
                demo_out_long(&o, ctx->ref_year, 4);
                demo_out_comma(&o);
                demo_out_long(&o, s + 1, 1);
                demo_out_comma(&o);
                demo_out_long(&o, b, 1);
                demo_out_comma(&o);
                demo_out_long(&o, u->pop[s][b], 1);
                demo_out_end_row(&o);
                total += u->pop[s][b];
            }
    }
    ctx->st->population_rows = o.rows;
    ctx->st->population_total = total;
    return demo_out_close(&o, err);
}
