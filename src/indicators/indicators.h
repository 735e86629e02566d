/*
 * indicators.h - the live indicators of a health commission (issue 3, "Population index and
 * indicators"), computed from the population index for any org unit, level and period.
 *
 * The one idea: every measure of every org unit comes out of ONE pass over the residents
 * (per-unit accumulators, split across threads) plus one over facilities and staff, then a
 * bottom-up roll-up of the org unit tree; after that any indicator of any unit is a
 * division. The indicators themselves are data: one table (ind_defs) of numerator,
 * denominator, population filter, scale and unit, so adding one is adding a row.
 *
 * Counting rules (the reference date D is the end of the period, or the given "today" when
 * the period has not ended yet):
 *   - a resident is in the population of unit U on D when record_date <= D < end_date and
 *     they lived in U's subtree on D (residence history, pidx_residence_at);
 *   - signed: a contract span covers D; age groups by completed years at D (65+; 0-6 is
 *     ages 0 to 6); tags when a tag span covers D; "key population" is anyone in at least
 *     one of the ten groups (65+, 0-6, the eight tags);
 *   - births: residents born in the period, where they lived at birth; deaths: deceased
 *     residents whose status_date falls in the period, with their age at death, where they
 *     lived on that day; maternal deaths by the flag;
 *   - resident population (denominator of coverage and per-1000 rates): ou_population of
 *     D's year (the latest year before it when that year is missing), a unit's own figures
 *     when it has any, else the sum of its children's, recursively;
 *   - facilities and staff count where the facility stands, rolled up; active ones only
 *     (staff: active, in an active facility);
 *   - service rates (issue 4, "Rates"; docs/indicators.md gives each numerator and
 *     denominator): from the same pass, when the index has a protocol, out of each
 *     resident's facts on D and their service history. Which items a rate counts comes
 *     from the protocol by program and schedule (a programme's per_year item is its
 *     follow-up, its yearly item its yearly check), never from an item code. Events count
 *     from the period's start to D; the windows of a flow (a newborn's visit, a notified
 *     patient's first visit, a delivery's postpartum visit) count whenever they fall.
 *     Vaccine doses and screening items give one indicator each, generated from the
 *     protocol (ind_catalog_new).
 */
#ifndef YL_INDICATORS_H
#define YL_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pindex/pindex.h"
#include "vocab/vocab.h"

struct yl_err;
struct arena;
struct store;
struct acct_scope;

/* --- periods ---------------------------------------------------------------------------- */

struct ind_period {
    char label[32];         /* as given, normalised: "2024", "2024Q3", "2024-03", "a..b" */
    int32_t start, end;     /* inclusive day numbers */
    int32_t reference;      /* D: end, or today when the period has not ended */
};

/* Parse "2024", "2024Q3" (or q3), "2024-03" or "2024-01-01..2024-06-30" (years 1900-2100).
 * YL_EINVAL with field "period" for any other form, a range that ends before it starts,
 * or a period that begins after `today`. O(1). */
int ind_period_parse(const char *text, int32_t today, struct ind_period *out,
                     struct yl_err *err);

/* --- measures and definitions ----------------------------------------------------------- */

/* Population filters of the resident measures (records, signed). */
enum ind_pop {
    IND_POP_ALL,
    IND_POP_AGE65,          /* 65 and over at D */
    IND_POP_AGE0_6,         /* 0 to 6 at D */
    IND_POP_HYPERTENSION,
    IND_POP_DIABETES,
    IND_POP_SEVERE_MENTAL,
    IND_POP_TUBERCULOSIS,
    IND_POP_DISABLED,
    IND_POP_PREGNANT,
    IND_POP_POVERTY,
    IND_POP_SPECIAL_FAMILY,
    IND_POP_KEY,            /* in any of the ten groups above */
    IND_POP_COUNT
};

/* Measures kept per org unit. RECORDS and SIGNED are blocks of IND_POP_COUNT (index them
 * with ind_measure_at); the others stand alone or in the facility-type block. */
enum ind_measure {
    IND_M_RECORDS = 0,
    IND_M_SIGNED = IND_POP_COUNT,
    IND_M_BIRTHS = 2 * IND_POP_COUNT,   /* live births in the period */
    IND_M_DEATHS_INFANT,                /* deaths under 1 year in the period */
    IND_M_DEATHS_UNDER5,                /* deaths under 5 years in the period */
    IND_M_DEATHS_MATERNAL,              /* maternal deaths in the period */
    IND_M_SIGNED_TEAM,                  /* residents signed on D with the unit's active teams */
    /* Service rates (rates.c): zero when the index has no protocol. */
    IND_M_SIGNED_SERVED,                /* signed on D and served as their package promises */
    IND_M_ELDERLY,                      /* eligible on D for the elderly yearly check (65+) */
    IND_M_ELDERLY_CHECKED,              /* ... who had it in the period */
    IND_M_CHRONIC,                      /* block of IND_CHRONIC_COUNT × IND_CM_COUNT */
    IND_M_NEWBORN_VISITED = IND_M_CHRONIC + 3 * 4, /* births of the period visited in the
                                                    * newborn visit's window */
    IND_M_CHILDREN,                     /* in the child programme's ages on D (0-6) */
    IND_M_CHILDREN_CHECKED,             /* ... with a child health service in the period */
    IND_M_DELIVERIES,                   /* deliveries in the period */
    IND_M_DELIVERIES_EARLY,             /* ... with the first prenatal visit in its window */
    IND_M_DELIVERIES_POSTPARTUM,        /* ... with the postpartum visit in its window */
    IND_M_TB_NOTIFIED,                  /* tuberculosis patients notified in the period */
    IND_M_TB_VISITED,                   /* ... with the first visit in its window */
    IND_M_TCM_ELDERLY,                  /* eligible on D for the elderly TCM yearly item */
    IND_M_TCM_ELDERLY_DONE,             /* ... who had it in the period */
    IND_M_TCM_CHILDREN,                 /* younger on D than the child TCM windows reach */
    IND_M_TCM_CHILDREN_DONE,            /* ... with a child TCM service in the period */
    IND_M_KEY_MANAGED,                  /* key population on D with a service in the period */
    IND_M_SERVICES,                     /* services delivered in the period */
    IND_M_RESIDENT_END,                 /* the measures above come from the resident pass */
    IND_M_POPULATION = IND_M_RESIDENT_END,
    IND_M_FACILITIES,                   /* block of FT_COUNT: active facilities by type */
    IND_M_BEDS = IND_M_FACILITIES + FT_COUNT,
    IND_M_ICU_BEDS,
    IND_M_INFANT_CARE_PLACES,
    IND_M_PHYSICIANS,                   /* licensed + assistant physicians + GPs */
    IND_M_NURSES,
    IND_M_PUBLIC_HEALTH,
    IND_M_GPS,
    IND_M_TEAMS,                        /* active family-doctor teams (by lead facility) */
    IND_M_HOSPITALS,                    /* public general hospitals, secondary and above */
    IND_M_HOSPITALS_PEDIATRICS,
    IND_M_HOSPITALS_GERIATRICS,
    IND_M_HOSPITALS_MENTAL,
    IND_M_PRIMARY_CENTERS,              /* township + community health service centers */
    IND_M_PRIMARY_TCM,
    IND_M_PRIMARY_PEDIATRICS,
    IND_M_DIALYSIS_FACILITIES,          /* active facilities offering dialysis */
    IND_M_COUNTIES_BIG,                 /* counties (level 3) above 100,000 population */
    IND_M_COUNTIES_BIG_DIALYSIS,        /* ... with a facility offering dialysis */
    IND_M_VILLAGE_CLINICS,
    IND_M_VILLAGE_CLINICS_QUALIFIED,    /* ... with a licensed or college-educated doctor */
    IND_M_ONE,                          /* 1: the denominator of a plain count */
    /* Measures from here on are generated from the protocol: two per vaccine dose or
     * screening item (ind_coverage_items), numerator at IND_M_COUNT + 2k, denominator
     * next to it. */
    IND_M_COUNT
};

/* The chronic disease programmes with a standardized management rate, and their block of
 * measures (IND_M_CHRONIC + programme × IND_CM_COUNT + measure). */
enum ind_chronic { IND_CHRONIC_HYPERTENSION, IND_CHRONIC_DIABETES, IND_CHRONIC_MENTAL,
                   IND_CHRONIC_COUNT };
enum ind_chronic_measure {
    IND_CM_PATIENTS,        /* tag of the programme's follow-up item covering D */
    IND_CM_MANAGED,         /* ... with at least one follow-up in the period */
    IND_CM_STANDARD,        /* ... with at least `times` (scaled to the period) */
    IND_CM_CONTROLLED,      /* ... whose last follow-up in the period was controlled */
    IND_CM_COUNT
};
_Static_assert(IND_CHRONIC_COUNT * IND_CM_COUNT == 3 * 4, "the chronic block's size");
#define IND_M_CHRONIC_AT(prog, cm) \
    ((enum ind_measure)(IND_M_CHRONIC + (prog) * IND_CM_COUNT + (cm)))

/*
 * The items that get an indicator each, in protocol order: every vaccine dose (a window
 * item of the immunization programme anchored at birth) and every screening item (an
 * interval item of the screening programme). Item k's measures are IND_M_COUNT + 2k
 * (numerator) and + 1 (denominator). Writes at most cap item indexes; returns how many
 * there are (at most IND_COVERAGE_MAX). O(items).
 */
#define IND_COVERAGE_MAX 256
size_t ind_coverage_items(const struct svc_protocol *p, int *items, size_t cap);

/* The measure for a population filter: RECORDS and SIGNED move within their block; other
 * measures ignore the filter. */
enum ind_measure ind_measure_at(enum ind_measure m, enum ind_pop pop);

/* A target: the value the indicator should reach (at least) or stay under (at most), in
 * the indicator's own unit (75 for 75 %). */
enum ind_direction { IND_DIR_NONE, IND_DIR_AT_LEAST, IND_DIR_AT_MOST };

struct ind_target {
    uint8_t direction;          /* enum ind_direction; NONE: no target */
    double value;
    const char *source;         /* where the figure comes from; "" when not said */
};

/* One indicator: value = numerator × scale ÷ denominator (null when the denominator is 0). */
struct ind_def {
    const char *id;             /* stable identifier, snake_case */
    const char *name_zh;
    const char *name_en;
    enum ind_measure num;
    enum ind_measure den;       /* IND_M_ONE for a plain count */
    enum ind_pop pop;           /* population filter of num and den */
    int32_t scale;              /* 1, 100, 1000, 10000 or 100000 */
    const char *unit;           /* "%", "‰", "per 1,000", "count" … */
    const char *base;           /* the denominator in words */
    struct ind_target target;   /* none in the static table; ind_catalog_new sets them */
};

/* The definitions table (static, lives for the program). */
const struct ind_def *ind_defs(size_t *n);
/* A definition by id, or NULL. */
const struct ind_def *ind_def_find(const char *id);

/*
 * The catalog a deployment reports: the static table, then one definition per coverage
 * item of the protocol (ind_coverage_items: "vaccination_<item>", "screening_<item>"),
 * with their targets. Built once at start, read-only after (safe to share between
 * threads); lives until ind_catalog_free, and borrows nothing (the protocol may go first).
 *
 * Targets come from CSV files (docs/indicators.md "Targets"), applied in order: the
 * shipped data/indicator-targets.csv, then the region's own. Columns indicator, direction
 * (at_least, at_most), target (a number; empty removes a target an earlier file set),
 * source; a trailing `*` in indicator applies the row to every id with that prefix
 * ("vaccination_*"), and a later row wins. YL_EINVAL with "FILE:LINE: column: message"
 * for an unknown indicator, a bad direction or number, a missing column; YL_EIO for an
 * unreadable file. `p` may be NULL (no generated rows).
 */
struct ind_catalog;
int ind_catalog_new(const struct svc_protocol *p, const char *const *target_files, size_t n,
                    struct ind_catalog **out, struct yl_err *err);
void ind_catalog_free(struct ind_catalog *c);      /* NULL is fine */
/* Its definitions in report order (static first). */
const struct ind_def *ind_catalog_defs(const struct ind_catalog *c, size_t *n);
/* A definition by id, or NULL. */
const struct ind_def *ind_catalog_find(const struct ind_catalog *c, const char *id);

/* --- computing -------------------------------------------------------------------------- */

/* Every measure of every org unit for one period, and a copy of the org unit tree so it can
 * be read after the index lock is let go. Heap; ind_result_free. */
struct ind_result {
    struct ind_period period;
    size_t n_ous;               /* entries indexed by org unit id, entry 0 unused */
    struct pidx_ou *ous;        /* copy of the index's org units */
    size_t n_measures;          /* IND_M_COUNT + 2 per coverage item of the protocol */
    int64_t *m;                 /* n_ous × n_measures, rolled up */
};

/*
 * Compute every measure for every org unit from a view of the index (the caller holds its
 * read lock). `threads` workers (1 or more) each take an equal share of the resident rows
 * with their own accumulators, summed after. Pure: no I/O, no clock.
 * Cost: O(R + S) for R rows and S spans, split across threads, plus O(T × U × M) to sum and
 * O(U × M) to roll up, for U org units, M measures and T threads; memory O(T × U × M).
 */
struct ind_result *ind_compute_view(const struct pidx_view *v, const struct ind_period *p,
                                    int threads);
/* The same over a live index: takes its read lock for the pass. */
struct ind_result *ind_compute(struct pidx *x, const struct ind_period *p, int threads);
void ind_result_free(struct ind_result *r);

/* A measure of an org unit (0 for an unknown unit). */
int64_t ind_result_measure(const struct ind_result *r, uint32_t ou, enum ind_measure m);

enum ind_behind { IND_BEHIND_UNKNOWN, IND_BEHIND_NO, IND_BEHIND_YES };

struct ind_value {
    const struct ind_def *def;
    int64_t numerator;
    int64_t denominator;
    bool has_value;             /* false when the denominator is 0 */
    double value;
    uint8_t behind;             /* enum ind_behind: against def->target; UNKNOWN without a
                                 * target or a value */
};

/* Evaluate one definition for one org unit, and whether it is behind its target (at
 * least: value below it; at most: value above it). O(1). */
void ind_evaluate(const struct ind_result *r, uint32_t ou, const struct ind_def *d,
                  struct ind_value *out);

/* --- reports (what the API and the CLI print) ------------------------------------------- */

enum { IND_CHILDREN_NONE = 0, IND_CHILDREN_DIRECT = -1 };

struct ind_query {
    const char *ou_code;        /* required */
    const char *period;         /* required, ind_period_parse forms */
    int children;               /* IND_CHILDREN_NONE, _DIRECT, or a level 1..5: every
                                 * descendant at that level */
    const struct acct_scope *scope; /* the caller's (ind_scope_root); NULL: everything */
    const struct ind_catalog *catalog;  /* the definitions; NULL: the static table */
    int32_t today;
    int threads;
};

struct ind_unit {
    uint32_t ou;
    const char *code;
    const char *name;           /* from the store; "" when not read */
    int level;
    struct ind_value *values;   /* n_values, in catalog order */
};

struct ind_report {
    struct ind_period period;
    struct ind_unit unit;
    struct ind_unit *children;
    size_t n_children;
    size_t n_values;
};

/*
 * Compute a report: the unit's values and, when asked, its children's. Validates the query
 * (YL_EINVAL with field "ou", "period" or "by"); an org unit that does not exist or lies
 * outside the scope is YL_ENOTFOUND, alike, so a scope does not reveal what exists outside
 * it. `s` may be NULL; otherwise unit names are read from it. Everything the report
 * holds lives in arena `a`. Cost: one ind_compute plus O(children × definitions).
 */
int ind_report_build(struct pidx *x, struct store *s, const struct ind_query *q,
                     struct arena *a, struct ind_report *out, struct yl_err *err);

/* The org unit at the root of what a scope may see: region → PIDX_NONE (everything);
 * ou:CODE → that unit; facility:CODE → the unit the facility stands in; team:ID → the
 * unit the team's lead facility stands in. YL_ENOTFOUND when the scope names nothing the
 * index knows (such a caller sees nothing). */
int ind_scope_root(struct pidx *x, struct store *s, const struct acct_scope *scope,
                   uint32_t *root, struct yl_err *err);

/* A level word ("province", "city", "county", "township", "village") to 1..5, or 0. */
int ind_level_parse(const char *word);
const char *ind_level_name(int level);

#endif
