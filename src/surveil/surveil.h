/*
 * surveil.h - surveillance data (issue 6): the notifiable disease list, the syndromic
 * channels and the detector parameters as data; case reports and syndromic counts in the
 * store; the series reader the detection glue calls; surveillance indicators.
 *
 * The one idea: what a region reports and how it is judged is data (the data/ CSV files, replaced
 * by a region's own files), and every count the detectors see comes from one reader,
 * surv_series_read, so the server, the CLI and the tests judge the same numbers. The
 * detectors themselves are pure functions in detect.h; surv_method_* below runs any of
 * them by name with parameters given as "name=value" text.
 *
 * Scope: a case report is personal data. The system (NULL principal), an admin and an
 * epidemiologist of the region read and write every report, an epidemiologist of an org
 * unit those whose residence lies in its subtree; a facility admin or a doctor may report
 * (and revise or delete) cases of their own facility; an analyst sees counts only (series,
 * indicators), never a report. A report outside the caller's reach is YL_ENOTFOUND; a role
 * that may not see reports at all gets YL_EFORBIDDEN. Every write carries its audit record
 * in its own transaction.
 */
#ifndef YL_SURVEIL_H
#define YL_SURVEIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "surveil/detect.h"

struct yl_err;
struct arena;
struct store;
struct store_conn;
struct acct_principal;
struct audit_actor;
struct imp_spec;

#define SURV_CODE_MAX 32        /* disease, channel and facility codes */
#define SURV_NAME_MAX 160       /* names in the data files, bytes of UTF-8 */
#define SURV_PARAMS_MAX 256     /* "name=value ..." text of a parameter rule */
#define SURV_EXTERNAL_ID_MAX 64
#define SURV_REASON_MAX 200     /* reason of a deletion */
#define SURV_SCHOOL_MAX 120     /* bytes of a school's name on a card */
#define SURV_SERIES_DAYS_MAX (366 * 20)     /* longest day range of a series */

/* The shipped data files (data/), each replaceable by a region's own (surveil_dir). */
#define SURV_FILE_DISEASES "notifiable-diseases.csv"
#define SURV_FILE_CHANNELS "syndromic-channels.csv"
#define SURV_FILE_PARAMS "surveil-params.csv"

/* ------------------------------------------------------------ methods by name */

/* Every temporal detector of detect.h, by the name the CLI, the data files and the API use:
 * threshold c1 c2 c3 cusum farrington farrington-flexible mpm. */
enum surv_method {
    SURV_M_THRESHOLD,
    SURV_M_C1,
    SURV_M_C2,
    SURV_M_C3,
    SURV_M_CUSUM,
    SURV_M_FARRINGTON,
    SURV_M_FARRINGTON_FLEXIBLE,
    SURV_M_MPM,
    SURV_M_COUNT
};

enum surv_unit { SURV_DAY = 0, SURV_WEEK = 1 };

/* A method with its parameters: the detect.h struct of that method. */
struct surv_method_config {
    enum surv_method method;
    enum surv_unit unit;
    union {
        struct surv_threshold_params threshold;
        struct surv_ears_params ears;
        struct surv_cusum_params cusum;
        struct surv_farrington_params farrington;
        struct surv_mpm_params mpm;
    } p;
};

const char *surv_method_name(enum surv_method m);
/* -1 when unknown. */
int surv_method_find(const char *name);
const char *surv_unit_name(enum surv_unit u);
int surv_unit_find(const char *name);   /* "day" or "week"; -1 otherwise */

/* The documented defaults of method m for series of `unit` (weekly data: Farrington period
 * 52; moving percentile period 52 and window 1). */
void surv_method_defaults(struct surv_method_config *c, enum surv_method m, enum surv_unit unit);
/* Set one parameter by its detect.h field name ("baseline", "alpha", "percentile",
 * "powertrans=two_thirds" ...). YL_EINVAL naming the parameter when the method has no such
 * parameter or the value is not of its type. Ranges are the runner's to check. */
int surv_method_set(struct surv_method_config *c, const char *name, const char *value,
                    struct yl_err *err);
/* Apply "name=value" words separated by spaces (a params column) in order. */
int surv_method_set_text(struct surv_method_config *c, const char *text, struct yl_err *err);
/* The parameter names of a method, NULL-terminated (static). */
const char *const *surv_method_params(enum surv_method m, size_t *n);
/* Run the detector on counts (NAN: missing) into out[n_counts]. */
int surv_method_run(const struct surv_method_config *c, const double *counts, size_t n_counts,
                    struct surv_point *out, struct yl_err *err);

/* ------------------------------------------------------------ the data files */

struct surv_disease {
    char code[SURV_CODE_MAX + 1];
    char name_zh[SURV_NAME_MAX + 1];
    char name_en[SURV_NAME_MAX + 1];
    char cls;                   /* 'A', 'B' or 'C' */
    bool managed_as_a;          /* class B managed as class A (pulmonary anthrax, SARS) */
    int report_limit_hours;     /* 2 (class A and managed as A) or 24 */
    char icd10[SURV_NAME_MAX + 1];
};

enum surv_channel_kind { SURV_CH_COUNT = 0, SURV_CH_PROPORTION = 1 };

struct surv_channel {
    char code[SURV_CODE_MAX + 1];
    char name_zh[SURV_NAME_MAX + 1];
    char name_en[SURV_NAME_MAX + 1];
    enum surv_channel_kind kind;    /* a proportion has a numerator and a denominator */
    enum surv_method default_method;
    enum surv_unit unit;
};

/* A row of surveil-params.csv: the method of a disease or channel ("*": every disease
 * without a row of its own), optionally in one org unit's subtree. */
struct surv_param_rule {
    char target[SURV_CODE_MAX + 1];
    char county[16];            /* an org unit code; "" is the default */
    struct surv_method_config config;
    char params[SURV_PARAMS_MAX + 1];
};

/* The three files, loaded at start and read-only after (the server keeps one for its whole
 * life; commands build their own). */
struct surv_catalog {
    struct surv_disease *diseases;
    size_t n_diseases;
    struct surv_channel *channels;
    size_t n_channels;
    struct surv_param_rule *rules;
    size_t n_rules;
};

/* Load the three files (diseases, channels, params), validating every row: unique codes,
 * class A/B/C, managed_as_a 0/1 and only for class B, report limits 1 to 168 hours, kind,
 * method and unit names, parameters known to the method, targets that exist. Errors are
 * "FILE:LINE: column: message" in err. *out is a new catalog for surv_catalog_free. */
int surv_catalog_load(const char *diseases_path, const char *channels_path,
                      const char *params_path, struct surv_catalog **out, struct yl_err *err);
void surv_catalog_free(struct surv_catalog *c);

const struct surv_disease *surv_disease_find(const struct surv_catalog *c, const char *code);
const struct surv_channel *surv_channel_find(const struct surv_catalog *c, const char *code);
/* The method for a disease or channel in org unit `ou` ("" or NULL: the default): the rule
 * of the target whose org unit is the longest prefix of ou, else its default rule, else
 * "*" (diseases), else the channel's default method with its defaults. Always fills *out. */
void surv_params_for(const struct surv_catalog *c, const char *target, const char *ou,
                     struct surv_method_config *out);

/* ------------------------------------------------------------ case reports */

enum surv_classification { SURV_SUSPECTED = 0, SURV_CLINICAL = 1, SURV_CONFIRMED = 2 };
enum surv_case_status { SURV_REPORTED = 0, SURV_REVISED = 1, SURV_DELETED = 2 };

const char *surv_classification_name(int c);
const char *surv_status_name(int s);

/* A case report to record. Strings are borrowed. Timestamps are RFC 3339 with a zone
 * ("2025-03-01T08:30:00+08:00" or "...Z"); the onset is a date. */
struct surv_case_input {
    const char *external_id;    /* required: the idempotency key of the report */
    const char *disease;        /* a code of the disease list */
    const char *classification; /* suspected, clinical, confirmed */
    const char *onset_date;
    const char *diagnosed_at;
    const char *reported_at;    /* NULL or "": now */
    const char *facility;       /* the reporting facility's code */
    int64_t resident_id;        /* the patient, when registered (or id_number) */
    const char *id_number;
    int age_years;              /* when not registered: age, sex, residence; -1 unknown */
    int sex;                    /* 1 male, 2 female, 0 unknown */
    const char *ou;             /* village/community (or any org unit) of residence */
    const char *school;         /* NULL or "": none; the school or kindergarten of a pupil
                                 * (the card's 工作单位/学校), at most SURV_SCHOOL_MAX bytes */
};

/* A case report as stored. */
struct surv_case_report {
    int64_t id;
    char external_id[SURV_EXTERNAL_ID_MAX + 1];
    char disease[SURV_CODE_MAX + 1];
    char disease_class;
    int classification;
    int32_t onset;
    char diagnosed_at[32], reported_at[32];     /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
    int64_t delay_s;            /* reported - diagnosed */
    bool late;                  /* delay above the disease's report limit */
    char facility[SURV_CODE_MAX + 1];
    int64_t resident_id;        /* 0: not registered */
    const char *name;           /* the resident's, masked per role; "" when not registered */
    char id_number[24];         /* masked per role; "" when not registered */
    bool masked;
    int age_years;              /* -1 unknown */
    int sex;
    char ou[16];
    char school[SURV_SCHOOL_MAX + 1];   /* "" when the card names none */
    int status;
    char delete_reason[SURV_REASON_MAX + 1];
    char created_at[32], updated_at[32];
};

/* Late: report time - diagnosis time strictly above limit_hours (exactly at the limit is on
 * time). */
bool surv_is_late(int64_t diagnosed_unix_s, int64_t reported_unix_s, int limit_hours);
/* Parse an RFC 3339 timestamp with a zone into Unix seconds; YL_EINVAL on field. */
int surv_time_parse(const char *s, const char *field, int64_t *out, struct yl_err *err);

/* Which series a stored report counts in (filled by surv_case_apply when asked). */
struct surv_case_key {
    char disease[SURV_CODE_MAX + 1];
    char ou[16];                /* residence */
    int32_t onset;
};

/*
 * Check and store one report inside the caller's open write transaction (no audit, no
 * commit): the import's row function and surv_case_record's core. *created is false when
 * the same report was stored already under its external id (nothing written); other
 * content under that id is YL_ECONFLICT on "external_id" (err->existing_id). Refusals,
 * YL_EINVAL naming the field: disease unknown, classification, onset after diagnosis or in
 * the future, diagnosed_at after reported_at, facility unknown, resident unknown
 * ("id_number"/"resident_id"), neither a resident nor an ou, ou unknown; a facility or ou
 * outside the caller's reach YL_ENOTFOUND / YL_EFORBIDDEN.
 */
int surv_case_apply(struct store_conn *c, const struct surv_catalog *cat,
                    const struct acct_principal *who, const struct surv_case_input *in,
                    int64_t *id, bool *created, struct surv_case_key *key,
                    struct yl_err *err);
/* The same in its own transaction with its audit record ("report_case" on case_report). */
int surv_case_record(struct store *s, const struct surv_catalog *cat,
                     const struct acct_principal *who, const struct audit_actor *by,
                     const struct surv_case_input *in, int64_t *id, bool *created,
                     struct yl_err *err);

/* A revision: NULL fields are left as they are. Status becomes "revised". */
struct surv_case_patch {
    const char *disease;
    const char *classification;
    const char *onset_date;
    const char *diagnosed_at;
};
int surv_case_revise(struct store *s, const struct surv_catalog *cat,
                     const struct acct_principal *who, const struct audit_actor *by, int64_t id,
                     const struct surv_case_patch *p, struct yl_err *err);
/* Mark a report deleted with a reason (required, "reason"); the row is kept. Deleting a
 * deleted report is YL_ECONFLICT. */
int surv_case_delete(struct store *s, const struct acct_principal *who,
                     const struct audit_actor *by, int64_t id, const char *reason,
                     struct yl_err *err);
/* One report within reach (YL_ENOTFOUND otherwise), masked per role; text in `a`. */
int surv_case_get(struct store *s, const struct acct_principal *who, int64_t id,
                  struct arena *a, struct surv_case_report *out, struct yl_err *err);

/* Reports by id after `after`, at most `limit`, matching every given filter. Only roles
 * that read reports (YL_EFORBIDDEN otherwise); the caller's subtree is part of the query. */
struct surv_case_query {
    const char *disease;        /* NULL: any */
    const char *ou;             /* subtree; NULL: the caller's whole reach */
    int32_t from, to;           /* onset range; DATE_INVALID: open */
    int status;                 /* -1: any */
    int late;                   /* -1: any, 0 on time, 1 late */
    int64_t after;
    int limit;
};
int surv_case_list(struct store *s, const struct acct_principal *who,
                   const struct surv_case_query *q, struct arena *a, struct surv_case_report **out,
                   size_t *n, struct yl_err *err);

/* True when the role may read case reports (epidemiologist, admin, the system). */
bool surv_reads_cases(const struct acct_principal *who);

/* ------------------------------------------------------------ syndromic counts */

struct surv_count_input {
    const char *date;
    const char *ou;
    const char *channel;
    double value;               /* >= 0 */
    double denominator;         /* proportion channels: > 0 and >= value; else NAN */
};

/* Store (or replace) the count of one day, org unit and channel inside the caller's write
 * transaction; *changed is false when the same value was stored already. Refusals name
 * the field: date (future), ou (unknown or outside reach), channel, value, denominator. */
int surv_count_apply(struct store_conn *c, const struct surv_catalog *cat,
                     const struct acct_principal *who, const struct surv_count_input *in,
                     bool *changed, struct yl_err *err);
/* Several counts in one transaction with one audit record ("record_syndromic"); all or
 * none. *changed counts the rows that changed; on a refusal *failed_index tells which. */
int surv_count_record(struct store *s, const struct surv_catalog *cat,
                      const struct acct_principal *who, const struct audit_actor *by,
                      const struct surv_count_input *in, size_t n, size_t *changed,
                      size_t *failed_index, struct yl_err *err);

/* ------------------------------------------------------------ series */

/*
 * What surv_series_read reads: one disease (or a whole class), or one channel, summed over
 * an org unit's subtree, day by day from `from` to `to` (inclusive), or by ISO week (the
 * range widened to whole weeks, Monday to Sunday).
 */
struct surv_series_query {
    const char *disease;        /* a disease code, or NULL */
    char disease_class;         /* 'A', 'B', 'C' for a whole class, or 0 */
    const char *channel;        /* a channel code, or NULL; exactly one of the three */
    const char *ou;             /* the subtree's root (an org unit code) */
    int32_t from, to;           /* day numbers */
    enum surv_unit unit;
};

/* A dense series. counts[i] is the count of day (or week) i from `start`: case reports by
 * onset date, not deleted, all classifications; for a channel the sum of the values of
 * the subtree's org units, NAN when none of them reported that day (for a week: when a day
 * of it is missing). Proportion channels also give their summed denominators (else NULL).
 * Heap arrays; free with surv_series_release. */
struct surv_series {
    int32_t start;              /* first day (a Monday for weeks) */
    enum surv_unit unit;
    size_t n;
    double *counts;
    double *denominators;
};

/*
 * Read a series. No scope: it gives counts, which every role that reads aggregates may see
 * (the API checks the org unit against the caller's scope). Refusals (YL_EINVAL): none or
 * more than one of disease/class/channel ("disease"), an unknown disease or channel, a
 * malformed ou ("ou"), `to` before `from` or a range above SURV_SERIES_DAYS_MAX ("to").
 * One index range scan: case_report (disease, ou_code, onset_date) or syndromic_count
 * (channel, ou_code, day). O(rows + days).
 */
int surv_series_read(struct store *s, const struct surv_catalog *cat,
                     const struct surv_series_query *q, struct surv_series *out,
                     struct yl_err *err);
void surv_series_release(struct surv_series *s);
/* May the caller read counts (series, indicators) of org unit `ou`? The system and a
 * region scope read any; an org-unit scope reads its subtree (YL_ENOTFOUND on "ou"
 * outside it); facility and team scopes read no surveillance counts (YL_EFORBIDDEN). */
int surv_counts_check(const struct acct_principal *who, const char *ou, struct yl_err *err);
/* Label of point i: "YYYY-MM-DD" for days, "YYYY-Www" for ISO weeks (out: 16 bytes). */
char *surv_series_label(const struct surv_series *s, size_t i, char *out);

/* ------------------------------------------------------------ indicators */

/* Incidence per 100,000 by disease and by class, and reporting timeliness, of an org unit's
 * subtree in a period (a year or a month), cases by onset, not deleted. */
struct surv_incidence_row {
    char code[SURV_CODE_MAX + 1];   /* a disease code, or "A", "B", "C" for the class rows,
                                       "all" for the total */
    bool is_class;
    long cases;
    double rate_per_100k;           /* NAN without a population */
    long reports;                   /* reports in the period by report time, for timeliness */
    long on_time;
    double timely_share;            /* on_time / reports; NAN without reports */
};

struct surv_indicators {
    char ou[16];
    int32_t from, to;
    int64_t population;         /* ou_population of the period's year (own figures, else the
                                   sum of its children's), else the registered residents */
    const char *population_source;  /* "ou_population", "residents" or "none" */
    struct surv_incidence_row *rows;    /* diseases with cases, then classes, then "all" */
    size_t n_rows;
};

/* period "YYYY" or "YYYY-MM". Rows in `a`. YL_EINVAL on "period" or "ou". */
int surv_indicators_compute(struct store *s, const struct surv_catalog *cat, const char *ou,
                            const char *period, struct arena *a, struct surv_indicators *out,
                            struct yl_err *err);

/* ------------------------------------------------------------ import */

/* Told, after each batch of an import commits, of every row it applied: target is the
 * disease or channel code, ou the org unit code (a case's residence), day the onset or count
 * day; for detection glue that re-runs the series an import touched. Rows of a batch that
 * was rolled back (and replayed) are told once, when the replay commits. */
typedef void surv_touched_fn(void *arg, const char *target, const char *ou, int32_t day);

struct surv_touch {
    char target[SURV_CODE_MAX + 1];
    char ou[16];
    int32_t day;
};

/* The context of both imports: the catalog (required) and the optional hook. Zero the rest;
 * release with surv_import_release after the run. */
struct surv_import {
    const struct surv_catalog *catalog;
    surv_touched_fn *touched;   /* may be NULL */
    void *arg;
    struct surv_touch *pending; /* the open batch's rows (private) */
    size_t n_pending, cap_pending;
};
void surv_import_release(struct surv_import *im);

/* `yilian import cases` and `yilian import syndromic` (docs/import-formats.md), ctx a
 * struct surv_import. Rows go through surv_case_apply / surv_count_apply as the system. */
const struct imp_spec *surv_case_import_spec(void);
const struct imp_spec *surv_count_import_spec(void);

#endif
