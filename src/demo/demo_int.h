/*
 * demo_int.h - what the files of the demo generator share: the seeded generator, the
 * buffered CSV writer, the region model (divisions, facilities, staff, teams) and the
 * generation context.
 *
 * The region model is small (a few hundred units and facilities, a few thousand staff) and
 * lives in the context's arena for one demo_generate call; people are never held in memory.
 */
#ifndef YL_DEMO_INT_H
#define YL_DEMO_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "demo/demo.h"

struct yl_err;
struct svc_protocol;

/* Copy src into dst of cap bytes, cut short when too long; always NUL-terminated. */
static inline void demo_strlcpy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* --- seeded generator (rng.c) ----------------------------------------------------------- */

/* xoshiro256** (Blackman and Vigna, 2018), seeded through splitmix64. Each independent
 * part of the region draws from its own stream, so that changing one part (a unit's
 * households) never shifts the numbers another part draws. */
struct demo_rng {
    uint64_t s[4];
};

/* Stream numbers: one per part of the generator; units use DEMO_STREAM_UNIT + unit index. */
enum {
    DEMO_STREAM_REGION = 1,
    DEMO_STREAM_FACILITIES = 2,
    DEMO_STREAM_STAFF = 3,
    DEMO_STREAM_CONTRACTS = 4,
    DEMO_STREAM_MATERNAL_SAMPLE = 5,
    DEMO_STREAM_MATERNAL_DEATH = 6,
    DEMO_STREAM_PHONE = 7,
    DEMO_STREAM_SERVICES = 8,
    DEMO_STREAM_ENCOUNTERS = 9,
    DEMO_STREAM_SURVEIL = 20,   /* season sizes, the outbreak's place and time */
    DEMO_STREAM_CASES = 21,
    DEMO_STREAM_SYNDROMIC = 22,
    DEMO_STREAM_OUTBREAK = 23,
    DEMO_STREAM_UNIT = 1000,
};

uint64_t demo_mix64(uint64_t x);
void demo_rng_seed(struct demo_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t demo_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t demo_rng_next(struct demo_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = demo_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = demo_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 bits. */
static inline double demo_rng_unit(struct demo_rng *r)
{
    return (double)(demo_rng_next(r) >> 11) * 0x1.0p-53;
}

static inline bool demo_rng_chance(struct demo_rng *r, double p)
{
    return demo_rng_unit(r) < p;
}

/* Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-32 for
 * every n the generator uses). */
static inline uint32_t demo_rng_below(struct demo_rng *r, uint32_t n)
{
    return (uint32_t)(((demo_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]; lo when hi < lo. */
static inline int32_t demo_rng_range(struct demo_rng *r, int32_t lo, int32_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int32_t)demo_rng_below(r, (uint32_t)(hi - lo) + 1u);
}

/* Approximately standard normal, within ±6 (sum of twelve uniforms). */
double demo_rng_normal(struct demo_rng *r);
/* Index drawn with probability proportional to w[i] (w ≥ 0); n - 1 when all are zero. */
size_t demo_rng_weighted(struct demo_rng *r, const double *w, size_t n);

/* A keyed bijection of [0, n) (n ≤ 2^32): a 4-round Feistel network on 32 bits with cycle
 * walking. Unique phone numbers come from it without a set of used ones. */
uint32_t demo_perm32(uint64_t key, uint32_t x, uint32_t n);

/* Largest-remainder apportionment: out[i] ≥ 0 summing to total, proportional to w[i].
 * Ties go to the lower index, so the result is deterministic. All zero weights give all
 * to index 0. Cost O(n log n). */
void demo_apportion(const double *w, size_t n, long total, long *out);

/* --- buffered CSV writer (out.c) -------------------------------------------------------- */

/* One output file with a large buffer of its own, filled by hand-formatting helpers. A
 * write error is remembered and reported by demo_out_close. */
struct demo_out {
    FILE *f;
    char *buf;
    size_t len, cap;
    long rows; /* data rows (demo_out_end_row calls) */
    int failed;
    char path[1024];
};

#define DEMO_OUT_BUF (4u << 20)

int demo_out_open(struct demo_out *o, const char *dir, const char *name, const char *header,
                  struct yl_err *err);
/* Flush, close and report: 0 or YL_EIO naming the file. Safe on a never-opened out. */
int demo_out_close(struct demo_out *o, struct yl_err *err);
void demo_out_flush(struct demo_out *o);

static inline void demo_out_mem(struct demo_out *o, const char *p, size_t n)
{
    if (o->len + n > o->cap)
        demo_out_flush(o);
    if (n > o->cap) {
        if (fwrite(p, 1, n, o->f) != n)
            o->failed = 1;
        return;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static inline void demo_out_str(struct demo_out *o, const char *s)
{
    demo_out_mem(o, s, strlen(s));
}

static inline void demo_out_char(struct demo_out *o, char c)
{
    if (o->len + 1 > o->cap)
        demo_out_flush(o);
    o->buf[o->len++] = c;
}

static inline void demo_out_comma(struct demo_out *o)
{
    demo_out_char(o, ',');
}

static inline void demo_out_end_row(struct demo_out *o)
{
    demo_out_char(o, '\n');
    o->rows++;
}

/* A decimal integer, at least `width` digits (zero-padded). */
void demo_out_long(struct demo_out *o, long v, int width);
/* "YYYY-MM-DD"; nothing for DATE_INVALID. */
void demo_out_date(struct demo_out *o, int32_t day);
/* A fixed-point decimal with `decimals` digits (coordinates). */
void demo_out_fixed(struct demo_out *o, double v, int decimals);
/* A text field, quoted per RFC 4180 when it holds a comma, quote or line break. */
void demo_out_field(struct demo_out *o, const char *s);

/* --- names (names.c) -------------------------------------------------------------------- */

#define DEMO_NAME_MAX      24
#define DEMO_NAME_LIST_MAX 64

/* The name tables split into words once, so that drawing a name costs no scanning. */
struct demo_name_list {
    const char *word[DEMO_NAME_LIST_MAX];
    uint8_t len[DEMO_NAME_LIST_MAX];
    uint32_t n;
};

struct demo_names {
    uint32_t surname_total[2];            /* [0 Han, 1 Korean] */
    struct demo_name_list given[2][2][3]; /* [ethnicity][sex - 1][generation] */
};

void demo_names_init(struct demo_names *nm);
/* A surname from the Han or the Korean-Chinese table, weighted by frequency (static). */
const char *demo_surname(const struct demo_names *nm, struct demo_rng *r, bool korean);
/* Write surname + a given name fitting sex (1 male, 2 female), ethnicity and birth year
 * (given names change with generations) into out. */
void demo_name(const struct demo_names *nm, struct demo_rng *r, const char *surname, bool korean,
               int sex, int birth_year, char out[DEMO_NAME_MAX]);

/* --- the region model (region.c) -------------------------------------------------------- */

#define DEMO_BANDS            19
#define DEMO_MAX_TOWNS        64
#define DEMO_TEAM_MAX_MEMBERS 48

enum demo_unit_kind {
    DU_URBAN_COMMUNITY,  /* 社区 of a 街道 */
    DU_SUBURBAN_VILLAGE, /* 村委会 of a 街道 */
    DU_TOWN_COMMUNITY,   /* 社区 of a 镇/乡 */
    DU_VILLAGE,          /* 村委会 of a 镇/乡 */
    DU_FOREST,           /* living area of a forest farm (林场生活区) */
};

enum demo_town_kind { DT_STREET, DT_TOWN, DT_FORESTRY };

struct demo_unit {
    char code[13];
    char name[100];
    int town;
    enum demo_unit_kind kind;
    double lat, lon;
    double korean;           /* share of Korean-Chinese households */
    double coverage;         /* records ÷ population */
    long pop[2][DEMO_BANDS]; /* [sex - 1][band] */
    long rec[2][DEMO_BANDS];
    long pop_total, rec_total;
    int team;    /* team covering it */
    int clinic;  /* its village clinic (facility index) or -1 */
    int station; /* its community station or -1 */
};

struct demo_town {
    char code[10];
    char name[64];
    enum demo_town_kind kind;
    double lat, lon;
    double korean;
    int first, count; /* units[first .. first + count) */
    long pop_total, rec_total;
    int center; /* its township or community center (facility index) */
    int first_team, n_teams;
};

struct demo_region {
    char province_code[3], city_code[5], county_code[7];
    char province_name[64], city_name[64], county_name[64];
    struct demo_town towns[DEMO_MAX_TOWNS];
    int n_towns;
    struct demo_unit *units;
    int n_units;
};

struct demo_facility {
    char code[24];
    char name[128];
    int type, grade, ownership; /* vocab.h enums */
    char ou_code[13];
    double lat, lon;
    int beds, icu_beds, places;
    uint32_t services, centers; /* vocab bit sets */
    int town;                   /* -1 for the city-level ones */
    int first_staff, n_staff;   /* its staff: staff[first_staff .. + n_staff) */
};

struct demo_staff {
    char code[16];
    char name[DEMO_NAME_MAX];
    int role, education; /* vocab.h enums */
    int facility;
    char qualification[24];
};

struct demo_team {
    char code[16];
    char name[192];
    int facility;
    int town;
    int leader; /* staff index */
    int members[DEMO_TEAM_MAX_MEMBERS];
    int n_members;
    long records; /* records of the units it covers */
};

/* One demo_generate call. */
struct demo_ctx {
    uint64_t seed;
    long n_residents;
    long n_population;
    long n_signed;
    int32_t ref; /* reference date */
    int ref_year;
    int32_t year_start; /* 1 January of ref_year */
    const char *dir;
    struct demo_region reg;
    struct demo_facility *fac;
    int n_fac, cap_fac;
    struct demo_staff *staff;
    int n_staff, cap_staff;
    struct demo_team teams[DEMO_TEAMS];
    int n_teams;
    int city_hospital, tcm_hospital;
    struct demo_names names;
    struct demo_stats *st;
    const struct svc_protocol *protocol; /* NULL: no service events */
    int service_years;
};

/* Read the divisions file into ctx->reg (units grouped by township, in code order). */
int demo_region_load(struct demo_ctx *ctx, const char *path, struct yl_err *err);
/* Place units along valleys and give them populations and record counts. */
void demo_region_build(struct demo_ctx *ctx);
int demo_write_ous(struct demo_ctx *ctx, struct yl_err *err);
int demo_write_population(struct demo_ctx *ctx, struct yl_err *err);
/* Days from the reference date back to the oldest and youngest birth of a band. */
void demo_band_range(int32_t ref, int band, int32_t *lo, int32_t *hi);

/* --- facilities, staff, groups, teams (facilities.c, teams.c) ------------------------- */

void demo_facilities_build(struct demo_ctx *ctx);
/* Share the DEMO_TEAMS teams out among the townships (demo_town.n_teams). */
void demo_teams_allocate(struct demo_ctx *ctx);
void demo_staff_build(struct demo_ctx *ctx);
void demo_teams_build(struct demo_ctx *ctx);
int demo_write_facilities(struct demo_ctx *ctx, struct yl_err *err);
int demo_write_groups(struct demo_ctx *ctx, struct yl_err *err);
int demo_write_staff(struct demo_ctx *ctx, struct yl_err *err);
int demo_write_teams(struct demo_ctx *ctx, struct yl_err *err);
/* roads.osm: the region's synthetic road network as OpenStreetMap XML (roads.c). */
int demo_write_roads(struct demo_ctx *ctx, struct yl_err *err);
/* Kilometres east and north of the city center as latitude and longitude. */
void demo_offset_km(double dx_km, double dy_km, double *lat, double *lon);
#define DEMO_CENTER_LAT 42.8620
#define DEMO_CENTER_LON 130.3660

/* --- people (people.c, residents.c) ---------------------------------------------------- */

#define DEMO_HH_MAX     5
#define DEMO_TAGS_MAX   8
#define DEMO_ID_REGIONS 13
#define DEMO_MAX_AGE    110

struct demo_tag_span {
    int tag;               /* enum tag */
    int32_t from, to, edd; /* to and edd DATE_INVALID when absent */
};

struct demo_person {
    int sex;       /* 1 male, 2 female */
    int band, age; /* band of the population table; completed years at ref */
    int32_t birth;
    char name[DEMO_NAME_MAX];
    char id[20];    /* 18 characters */
    char phone[12]; /* "" when none */
    int32_t record_date;
    int status;          /* enum resident_status */
    int32_t status_date; /* DATE_INVALID while active */
    const char *cause;   /* ICD-10, NULL unless deceased */
    bool maternal;
    struct demo_tag_span tags[DEMO_TAGS_MAX];
    int n_tags;
};

struct demo_household {
    long number; /* 1-based within its unit */
    int n;
    struct demo_person m[DEMO_HH_MAX];
};

/* One pass over the people: the counters that keep ID numbers and phones unique. Both
 * passes start from the same state, so they draw the same people. */
struct demo_pass {
    struct demo_ctx *ctx;
    uint16_t *id_used; /* [region][birth day - day0][sex - 1] */
    int32_t day0, n_days;
    uint32_t phone_next;
    uint64_t phone_key;
    int32_t band_lo[DEMO_BANDS], band_hi[DEMO_BANDS];
    int32_t d2010, d2012, d2021;         /* record campaign and poverty monitoring dates */
    int32_t window_start;                /* first day of the contract year ending at ref */
    double death_rate[DEMO_MAX_AGE + 1]; /* yearly, by completed age */
};

/* The households of one unit, drawn from its remaining records by sex and band. */
struct demo_unit_gen {
    int unit;
    struct demo_rng rng;
    long rem[2][DEMO_BANDS];
    long rem_total;
    long households;
};

void demo_pass_init(struct demo_pass *p, struct demo_ctx *ctx);
void demo_pass_release(struct demo_pass *p);
void demo_unit_begin(struct demo_pass *p, int unit, struct demo_unit_gen *g);
/* The unit's next household; false when its records are used up. */
bool demo_household_next(struct demo_pass *p, struct demo_unit_gen *g, struct demo_household *h);

/* Signing classes of an active resident at the reference date; -1 for the others. */
enum { DEMO_CLASS_OTHER = 0, DEMO_CLASS_KEY = 1, DEMO_CLASS_SPECIAL = 2, DEMO_CLASSES = 3 };
int demo_person_class(const struct demo_person *m, int32_t ref);
bool demo_tag_active(const struct demo_tag_span *t, int32_t day);
/* Turn an active woman into a maternal death in the reference year. */
void demo_make_maternal_death(struct demo_pass *p, struct demo_rng *rng, struct demo_person *m);

/* Residents and contracts: the two passes. */
int demo_write_people(struct demo_ctx *ctx, struct yl_err *err);

/* --- service events (services.c) ------------------------------------------------------- */

/* services.csv while the people are written: one person's events at a time. */
struct demo_svc {
    struct demo_ctx *ctx;
    const struct svc_protocol *protocol;
    int years;              /* calendar years of events, ending with the reference year */
    int32_t from;           /* 1 January of the first of them */
    struct demo_rng rng;
    struct demo_out out;
    bool open;              /* false: the demo writes no services */
    long events;
};

/* Open services.csv when ctx has a protocol and service years; else do nothing. */
int demo_services_open(struct demo_svc *s, struct demo_ctx *ctx, struct yl_err *err);
/* The person's events over the service years (nothing when s is not open). */
void demo_services_of(struct demo_svc *s, const struct demo_unit *u, const struct demo_person *m);
int demo_services_close(struct demo_svc *s, struct yl_err *err);

/* --- encounters, results, referral and expert plans (encounters.c) --------------------- */

/* Expert sessions of each township: monthly over the past year, one on the reference day,
 * and weekly ones still ahead (encounters.c). */
#define DEMO_SESSIONS_PAST     12
#define DEMO_SESSIONS_AHEAD    3
#define DEMO_SESSIONS_PER_TOWN (DEMO_SESSIONS_PAST + 1 + DEMO_SESSIONS_AHEAD)
#define REF_PLAN_URGENCIES     3 /* routine, urgent, critical */

/* encounters.csv and results.csv while the people are written, with the plans of the
 * referrals and expert sessions (referrals.csv, expert-sessions.csv, expert-bookings.csv)
 * that the CLI carries out through their libraries. */
struct demo_enc {
    struct demo_ctx *ctx;
    struct demo_rng rng;
    struct demo_out enc, res, ref, ses, book;
    int32_t from; /* first day of the reference year: the 365 days ending at ref */
    int mch;      /* the maternal and child health hospital, or -1 */
    long enc_seq, res_seq, ref_seq;
    long visits, grassroots, stays, inpatients, referrals_up, critical, referrals_down, remote;
    int booked[DEMO_MAX_TOWNS][DEMO_SESSIONS_PER_TOWN];
};

/* Open the five files and write the sessions (the region is known). */
int demo_encounters_open(struct demo_enc *e, struct demo_ctx *ctx, struct yl_err *err);
/* The person's year: visits, stays, results, perhaps a referral and a booking.
 * signed_from: first day of the active contract covering the reference date, or
 * DATE_INVALID when none (a down-referral needs one). */
void demo_encounters_of(struct demo_enc *e, const struct demo_unit *u,
                        const struct demo_person *m, int32_t signed_from);
/* Counts into ctx->st, close every file opened. */
int demo_encounters_close(struct demo_enc *e, struct yl_err *err);

/* --- surveillance: case reports, syndromic counts, the outbreak (surveil.c) ------------- */

#define DEMO_SURV_GROUPS  5 /* season groups: flat, respiratory, HFMD, enteric, scarlet fever */
#define DEMO_SURV_SEASONS 8 /* season sizes drawn per group: ref_year - 6 .. ref_year + 1 */

/* A registered pupil of the outbreak's village, kept by reservoir sampling. */
struct demo_pupil {
    char id[20];
    int32_t birth;
    int sex;
};

/* cases.csv and case-revisions.csv while the people are written; syndromic.csv, which
 * depends on no person, is written whole when it opens. */
struct demo_surv {
    struct demo_ctx *ctx;
    struct demo_rng rng;        /* endemic cases */
    struct demo_rng orng;       /* the outbreak's pupils */
    struct demo_out cases, revisions, counts;
    int32_t first;              /* first day of the window; the last is ref - 1 */
    int n_days;
    double season[DEMO_SURV_GROUPS][DEMO_SURV_SEASONS]; /* size of each season */
    double *weight;             /* [disease][n_days + 1]: cumulative seasonal exposure */
    int outbreak_unit;          /* index of the outbreak's village in ctx->reg.units */
    long per_day[4];            /* the outbreak's cases by onset day */
    struct demo_pupil pupils[DEMO_OUTBREAK_MAX];
    long pupils_seen;
    long seq;                   /* case reports written */
    bool open;
};

/* Plan the outbreak, write syndromic.csv and open the two case files. */
int demo_surveil_open(struct demo_surv *s, struct demo_ctx *ctx, struct yl_err *err);
/* The person's case reports over the window (nothing when s is not open). */
void demo_surveil_of(struct demo_surv *s, const struct demo_unit *u, const struct demo_person *m);
/* Write the outbreak's cases, counts into ctx->st, close the files. */
int demo_surveil_close(struct demo_surv *s, struct yl_err *err);

#endif
