/*
 * consortium.h - the indicators of a medical consortium (医联体, issue 5) for an org unit and
 * a period: visits and inpatient discharges by facility level with the share of visits at
 * grassroots facilities (基层诊疗量占比), and two-way referral (双向转诊) per medical group.
 *
 * The one idea: every figure is a count the store aggregates by SQL over the facilities of
 * the unit's subtree (where the facility stands), returned with its numerator and
 * denominator; only the median is finished here, from the accept times.
 *
 * Definitions (docs and README give the same):
 *   - a visit is a registration (one resident, one facility, one day: 一次就诊只挂一次号)
 *     with at least one outpatient or emergency encounter dated in the period, however many
 *     departments it saw; an inpatient-only registration is not a visit;
 *   - a discharge is an inpatient encounter whose discharge date falls in the period;
 *   - facility level by type (cons_level_of): grassroots = community center and station,
 *     township center, village clinic; county_secondary = county and secondary hospitals;
 *     tertiary = tertiary hospitals; other = the rest (primary, TCM, MCH hospitals, ...);
 *   - grassroots visit share = grassroots visits ÷ all visits;
 *   - a referral counts when its sending facility stands in the subtree and it was requested
 *     in the period, once in the totals and once in each medical group of the sender;
 *     accepted = ever accepted (accepted_at set, also when it later arrived, completed or
 *     was cancelled), rejected = rejected; acceptance rate = accepted ÷ (accepted +
 *     rejected); minutes to accept = accepted_at - requested_at, median over the accepted;
 *     critical in time = critical referrals accepted no later than their due time (requested
 *     time + the critical limit, referral.c, fixed at request) ÷ all critical referrals.
 */
#ifndef YL_CONSORTIUM_H
#define YL_CONSORTIUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicators/indicators.h"
#include "vocab/vocab.h"

struct yl_err;
struct arena;
struct store;
struct acct_scope;

enum cons_level {
    CONS_GRASSROOTS,        /* 基层: community center/station, township center, village clinic */
    CONS_COUNTY_SECONDARY,  /* county and secondary hospitals */
    CONS_TERTIARY,          /* tertiary hospitals */
    CONS_OTHER,             /* every other type */
    CONS_LEVEL_COUNT
};

/* The level of a facility type; CONS_OTHER for a value outside the vocabulary. O(1). */
enum cons_level cons_level_of(int facility_type);
/* "grassroots", "county_secondary", "tertiary", "other"; "?" out of range. */
const char *cons_level_code(enum cons_level l);

/* Referral figures of one group, or of every referral sent from the unit (group ""). */
struct cons_referrals {
    const char *group, *name, *kind;        /* arena strings; "" for the totals */
    int64_t referrals, up, down;
    int64_t accepted, rejected;             /* rate: accepted ÷ (accepted + rejected) */
    int64_t critical, critical_in_time;     /* rate: critical_in_time ÷ critical */
    bool has_median;                        /* false when none was accepted */
    double median_accept_min;
    /* Remote requests (referral.h): consultations, imaging readings, and those of the two
     * completed with their report. The figures above count referrals only. */
    int64_t consultations, readings, remote_reported;
};

struct cons_indicators {
    struct ind_period period;
    const char *ou, *ou_name;               /* arena strings */
    int ou_level;
    int64_t visits[CONS_LEVEL_COUNT], visits_total;
    int64_t discharges[CONS_LEVEL_COUNT], discharges_total;
    struct cons_referrals total;
    struct cons_referrals *groups;          /* groups with a member in the subtree, by code */
    size_t n_groups;
};

struct cons_query {
    const char *ou_code;                    /* required */
    const char *period;                     /* required, ind_period_parse forms */
    const struct acct_scope *scope;         /* the caller's; NULL: everything */
    int32_t today;
};

/*
 * Compute the indicators of a unit and period in one read transaction. YL_EINVAL with field
 * "ou" (absent) or "period" (ind_period_parse); an org unit that does not exist or lies
 * outside the scope (region; ou:CODE; facility:CODE and team:ID → the unit their facility
 * stands in) is YL_ENOTFOUND, alike. Everything `out` points to lives in arena `a`.
 * Cost: the statements of sql_consortium.h, each one pass over the subtree's rows, plus
 * O(A log A) for the medians of A accepted referrals.
 */
int cons_indicators_get(struct store *s, const struct cons_query *q, struct arena *a,
                        struct cons_indicators *out, struct yl_err *err);

/* The median of n values (sorts them in place); 0 when n is 0. O(n log n). */
double cons_median(double *values, size_t n);

#endif
