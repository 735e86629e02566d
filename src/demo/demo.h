/*
 * demo.h - the demo region: a deterministic synthetic county-level city modelled on the
 * published figures of Hunchun (珲春市, Jilin), written as the CSV files of
 * docs/import-formats.md. One idea: the structure (real divisions, facilities, staff, teams)
 * is fixed, the people are drawn from seeded distributions at any scale, and the published
 * counts (records, signed residents, teams, village clinics) are hit exactly, not on average.
 */
#ifndef YL_DEMO_H
#define YL_DEMO_H

#include <stdint.h>

struct yl_err;
struct svc_protocol;

/* The published figures the default region reproduces. */
#define DEMO_DEFAULT_RESIDENTS 206234L /* health records (93.7% of the population) */
#define DEMO_POPULATION        220100L /* resident population at the default size */
#define DEMO_SIGNED            121748L /* residents with a family-doctor contract */
#define DEMO_TEAMS             42
#define DEMO_VILLAGE_CLINICS   107
#define DEMO_MAX_RESIDENTS     10000000L
#define DEMO_DEFAULT_SEED      20241231u
#define DEMO_DEFAULT_DIVISIONS "data/hunchun-divisions.csv"

struct demo_options {
    uint64_t seed;
    long residents;             /* health records to generate, 1 .. DEMO_MAX_RESIDENTS */
    int32_t ref_date;           /* reference date (day number, date.h): the "today" of the
                                 * data; the population year is its year */
    const char *divisions_path; /* the divisions CSV (data/hunchun-divisions.csv layout) */
    const struct svc_protocol *protocol; /* basic public health services (services.h); NULL:
                                          * no services.csv */
    int service_years;          /* calendar years of service events up to ref_date; 0: none */
};

/* The one injected outbreak of the demo's surveillance data (demo/surveil.c): a norovirus
 * cluster (other infectious diarrhoea) among the pupils of one township's school, so that
 * tests and the alert side know where the detectors should find it. */
struct demo_outbreak {
    char disease[32];           /* notifiable disease code: "infectious_diarrhea" */
    char township[10];          /* the township (org unit level 4) */
    char township_name[64];
    char village[13];           /* the village/community of the school and the cases */
    char village_name[100];
    char school[120];           /* the school the cards name (the township's 中心小学) */
    char facility[24];          /* the township center that reported the cases */
    int32_t first_day, last_day; /* onset days (day numbers), four school days */
    long cases;                 /* case reports of the outbreak, children 6 to 12 */
    long registered;            /* of which registered residents (the rest unregistered) */
};

struct demo_stats {
    long ous;      /* rows of ous.csv (3 parents + townships + villages) */
    long villages; /* of which villages/communities (level 5) */
    long population_rows;
    long population_total; /* sum of population.csv counts */
    long facilities;
    long village_clinics;
    long groups;
    long staff;
    long teams;
    long residents; /* rows of residents.csv */
    long households;
    long deceased; /* status deceased (died in the reference year) */
    long moved_out;
    long births;        /* residents born in the reference year */
    long infant_deaths; /* of those, deceased */
    long maternal_deaths;
    long contracts;        /* rows of contracts.csv (all statuses) */
    long signed_residents; /* residents with an active contract covering ref_date */
    long services;         /* rows of services.csv */
    long encounters;          /* rows of encounters.csv */
    long visits;              /* of which outpatient and emergency */
    long grassroots_visits;   /* of those, at a village clinic, station or center */
    long inpatient_stays;     /* inpatient encounters */
    long inpatient_residents; /* residents with at least one stay */
    long results;             /* rows of results.csv */
    long referrals_up;        /* rows of referrals.csv: up */
    long referrals_critical;  /* of which critical */
    long referrals_down;
    long expert_sessions;     /* rows of expert-sessions.csv */
    long expert_bookings;     /* rows of expert-bookings.csv */
    long road_nodes;          /* nodes of roads.osm */
    long road_ways;           /* its ways */
    int32_t surveil_from;     /* first day of case onsets and syndromic counts */
    long case_reports;        /* rows of cases.csv */
    long cases_unregistered;  /* of which people without a health record */
    long cases_late;          /* reported past their disease's time limit */
    long cases_revised;       /* rows of case-revisions.csv revising a report */
    long cases_deleted;       /* rows of case-revisions.csv deleting one */
    long syndromic_rows;      /* rows of syndromic.csv */
    long syndromic_missing;   /* township-days of a channel left out (gaps, outages) */
    struct demo_outbreak outbreak;
    double elapsed_s;      /* wall time of demo_generate */
    double residents_per_s;
};

/* Defaults: DEMO_DEFAULT_SEED, DEMO_DEFAULT_RESIDENTS, 2024-12-31, DEMO_DEFAULT_DIVISIONS
 * (relative to the working directory), no protocol, DEMO_SERVICE_YEARS. */
#define DEMO_SERVICE_YEARS 2
/* Days of surveillance data: three years, plus the 91 days the moving percentile method
 * (3 years of history, 7-day windows and their neighbours) needs before it first judges. */
#define DEMO_SURV_DAYS (3 * 365 + 91)
/* Pupils ill in the injected outbreak. */
#define DEMO_OUTBREAK_MIN 25
#define DEMO_OUTBREAK_MAX 40
void demo_options_init(struct demo_options *opt);

/*
 * Write ous.csv, population.csv, facilities.csv, groups.csv, staff.csv, teams.csv,
 * residents.csv, contracts.csv, (with a protocol) services.csv, encounters.csv and results.csv
 * into `dir` (created when missing), in the formats of
 * docs/import-formats.md; import them in that order, results after the result-items of
 * data/result-items-example.csv. Also the plans that have no import kind, carried out by
 * `yilian demo` through the referral and experts libraries: referrals.csv (up and down,
 * with their outcome and the times of each step) and expert-sessions.csv with
 * expert-bookings.csv (sessions from the reference day on, a week apart). Surveillance:
 * cases.csv (notifiable case reports) and syndromic.csv (daily counts per township and
 * channel) over DEMO_SURV_DAYS days ending the day before ref_date, imported last, and the
 * plan case-revisions.csv (reports to revise or delete afterwards, through the surveil
 * library), with one injected outbreak described in stats->outbreak. With opt->residents = N the population
 * is about N × 220,100 / 206,234 and N × 121,748 / 206,234 residents are signed (rounded),
 * over the same org units, facilities, staff and teams. Cost O(N) time, O(1) memory in N
 * (two passes over the people: the first counts the key populations so that the second
 * signs exact numbers). `stats` (may be NULL) receives the counts and the elapsed time.
 *
 * The data describe the region as of opt->ref_date: contracts marked active cover it,
 * deaths and births fall in its year. Import them with "today" on or after that date (the
 * contract importer stores an active contract whose period has passed as expired).
 *
 * Errors: YL_EINVAL with field "residents" (outside 1 .. DEMO_MAX_RESIDENTS), "ref_date"
 * (year outside 2012 .. 2100), "dir" (empty) or "divisions_path" (no villages in the file);
 * YL_EIO with field "divisions_path" when it cannot be read, "dir" when the folder cannot be
 * made, or none when an output file cannot be written (the message names the file). Files
 * already written stay.
 */
int demo_generate(const struct demo_options *opt, const char *dir, struct demo_stats *stats,
                  struct yl_err *err);

#endif
