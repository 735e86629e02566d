/*
 * results.h - shared examination and test results and their mutual recognition (检查检验结果
 * 互认, issue 5): the catalogue of recognised items, result records, the lookup a clinic
 * makes before ordering a test, and the uses that count a repeat avoided.
 *
 * The one idea: a result is recognised at an ordering facility on a day when it is still
 * valid (day - result day < the item's validity_days) and the item's scope joins the two
 * facilities: `region` any facility, `county_community` members of one compact county
 * medical community (紧密型县域医共体), `group` members of one medical group of any kind. A
 * facility always recognises its own results. One predicate (recognise.c) decides it for
 * the lookup and for recording a use, so the two never disagree.
 *
 * Scope is the health records' (rec_scope_check): a resident outside it is "not found", a
 * role that sees no records is refused; the recognition figures are aggregates.
 */
#ifndef YL_RESULTS_H
#define YL_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yl_err;
struct arena;
struct store;
struct store_conn;
struct acct_principal;
struct audit_actor;
struct imp_spec;

#define RES_CODE_MAX 32             /* item and facility codes */
#define RES_EXTERNAL_ID_MAX 64      /* letters, digits and - _ . : / (the LIS/PACS report no.) */
#define RES_NAME_MAX 256            /* bytes of an item's name (about 80 Chinese characters) */
#define RES_UNIT_MAX 24             /* bytes: "mmol/L", "×10^9/L" */
#define RES_VALIDITY_MAX 3650       /* days */
#define RES_REPORT_MAX 4000         /* bytes of a report's text */
#define RES_METHOD_MAX 64           /* bytes: "enzymatic", "DR", "12-lead" */
#define RES_RECOGNISED_MAX 100      /* results one lookup returns, newest first */
#define RES_STATS_MAX 10000         /* rows of one figures table */

enum res_kind { RES_LAB, RES_IMAGING, RES_ECG };
enum res_scope { RES_SCOPE_REGION, RES_SCOPE_COUNTY_COMMUNITY, RES_SCOPE_GROUP };

/* "lab", "imaging", "ecg" and "region", "county_community", "group"; and back (-1 when
 * unknown). */
const char *res_kind_code(enum res_kind k);
int res_kind_find(const char *code);
const char *res_scope_code(enum res_scope s);
int res_scope_find(const char *code);

/* --- the catalogue ----------------------------------------------------------------------- */

/* An item of the catalogue as given (strings borrowed). */
struct res_item_input {
    const char *code;           /* 1-32 letters, digits, . - _ */
    const char *name_zh;        /* required */
    const char *name_en;        /* optional */
    const char *kind;           /* lab, imaging, ecg */
    const char *unit;           /* a lab item's unit of its numeric value; none: the item is
                                 * reported as text. Imaging and ECG items have none. */
    long validity_days;         /* 1 .. RES_VALIDITY_MAX */
    const char *scope;          /* region, county_community, group */
};

struct res_item {
    int64_t id;
    char code[RES_CODE_MAX + 1];
    char name_zh[RES_NAME_MAX + 1];
    char name_en[RES_NAME_MAX + 1];
    enum res_kind kind;
    char unit[RES_UNIT_MAX + 1];
    int validity_days;
    enum res_scope scope;
};

/*
 * Insert or update catalogue item in->code inside the caller's open write transaction;
 * *changed tells whether anything was written (an identical item writes nothing). Refusals,
 * YL_EINVAL naming the field: "code" malformed, "name_zh" empty or too long, "name_en" too
 * long, "kind" unknown, "unit" too long or given for an imaging or ECG item, "validity_days"
 * outside 1..RES_VALIDITY_MAX, "scope" unknown; "kind" or "unit" changed on an item that has
 * results recorded (they were checked against the old ones).
 */
int res_item_apply(struct store_conn *c, const struct res_item_input *in, bool *changed,
                   struct yl_err *err);

/* Item `code` into *out: 0, YL_ENOTFOUND when unknown. */
int res_item_get(struct store *s, const char *code, struct res_item *out, struct yl_err *err);

/* The catalogue import (docs/import-formats.md "result-items") for imp_run, ctx NULL:
 * columns code, name_zh, kind, validity_days, scope (required), name_en, unit. */
const struct imp_spec *res_item_import_spec(void);

/* --- result records ---------------------------------------------------------------------- */

/* A result to record. Strings are borrowed; the date is "YYYY-MM-DD". */
struct res_result_input {
    const char *external_id;    /* required: the report number of the lab or PACS */
    int64_t resident_id;        /* when 0, id_number names the resident */
    const char *id_number;
    const char *item;           /* a catalogue code */
    const char *date;           /* the day of the result: not in the future, not before birth */
    const char *facility;       /* the facility that produced it */
    bool has_value;
    double value;               /* a lab item with a unit only */
    const char *unit;           /* optional; when given, the catalogue's unit of the item */
    const char *report;         /* the report text; required when there is no value */
    const char *method;         /* optional */
};

/* What a record decided. */
struct res_record {
    int64_t id;                 /* the result (new, or the one already stored) */
    int64_t resident_id;
    bool created;               /* false: the same result was already stored */
};

/*
 * Check and store one result inside the caller's open write transaction (no audit, no
 * commit). Refusals, YL_EINVAL naming the field unless said otherwise: "external_id"
 * missing or malformed, or taken by other content (YL_ECONFLICT with existing_id); the
 * resident outside who's scope (YL_ENOTFOUND; NULL who is the system), "id_number" when no
 * record has it; "item" unknown; "date" missing, in the future or before birth; "facility"
 * unknown; "value" for an imaging or ECG item, for a lab item without a unit, or when
 * neither value nor report is given; "unit" without a value or not the catalogue's;
 * "report" and "method" too long.
 */
int res_result_apply(struct store_conn *c, const struct acct_principal *who,
                     const struct res_result_input *in, struct res_record *out,
                     struct yl_err *err);

/* res_result_apply in its own write transaction with the audit record ("record_result" on
 * the resident); an unchanged result writes nothing. */
int res_result_record(struct store *s, const struct acct_principal *who,
                      const struct audit_actor *by, const struct res_result_input *in,
                      struct res_record *out, struct yl_err *err);

/* A result as stored. The report points into the arena of the read (NULL: none). */
struct res_result {
    int64_t id;
    char external_id[RES_EXTERNAL_ID_MAX + 1];
    int64_t resident_id;
    int64_t item_id;
    char item[RES_CODE_MAX + 1];
    enum res_kind kind;
    bool has_value;
    double value;
    char unit[RES_UNIT_MAX + 1];
    const char *report;
    int32_t day;
    int64_t facility_id;
    char facility[RES_CODE_MAX + 1];
    char method[RES_METHOD_MAX + 1];
    char created_at[32];
};

/* Result `id` if its resident lies in the scope (YL_ENOTFOUND otherwise); the report in a. */
int res_result_get(struct store *s, const struct acct_principal *who, int64_t id,
                   struct arena *a, struct res_result *out, struct yl_err *err);

/* Resident `resident_id`'s results with id > after, by id, at most `limit`, into an array in
 * `a`; after the scope check. */
int res_list_resident(struct store *s, const struct acct_principal *who, int64_t resident_id,
                      int64_t after, int limit, struct arena *a, struct res_result **out,
                      size_t *n, struct yl_err *err);

/* The results import (docs/import-formats.md "results") for imp_run, ctx NULL: columns
 * external_id, id_number, item, date, facility (required), value, unit, report, method. */
const struct imp_spec *res_import_spec(void);

/* --- recognition ------------------------------------------------------------------------- */

/* What a clinic asks before ordering `item` for a resident at `facility` on `day`. */
struct res_recognised_query {
    int64_t resident_id;
    const char *item;
    const char *facility;
    int32_t day;                /* the ordering day; date_today() when the caller has none */
};

struct res_recognised {
    struct res_item item;
    struct res_result *results; /* newest first, at most RES_RECOGNISED_MAX, in the arena */
    size_t n;
};

/* The resident's results of the item that are valid on q->day and recognised at
 * q->facility. Refusals: the resident outside the scope (YL_ENOTFOUND), a role that sees no
 * records (YL_EFORBIDDEN), "item" or "facility" unknown (YL_EINVAL). */
int res_recognised_find(struct store *s, const struct acct_principal *who,
                        const struct res_recognised_query *q, struct arena *a,
                        struct res_recognised *out, struct yl_err *err);

/* A use: the ordering facility took result `result_id` instead of repeating the test. */
struct res_use_input {
    int64_t resident_id;
    int64_t result_id;
    const char *facility;       /* the ordering facility */
    int32_t day;                /* the ordering day; date_today() when the caller has none */
};

struct res_use {
    int64_t id;
    int64_t result_id;
    int32_t day;
    bool created;               /* false: this facility recorded this use today already */
};

/*
 * Record a use in its own write transaction with its audit record ("use_recognised_result"
 * on the resident). The same result used again by the same facility on the same day is the
 * same use (*out, created false, nothing written). Refusals: the resident outside the scope
 * (YL_ENOTFOUND); "result_id" not a result of this resident (YL_ENOTFOUND) or no longer
 * valid on the day, or not yet taken then (YL_EINVAL); "facility" unknown, or one where
 * the item's scope does not recognise the result (YL_EINVAL).
 */
int res_use_record(struct store *s, const struct acct_principal *who,
                   const struct audit_actor *by, const struct res_use_input *in,
                   struct res_use *out, struct yl_err *err);

/* --- figures ----------------------------------------------------------------------------- */

struct res_stat {
    const char *code;           /* facility or item code, in the arena */
    const char *name;
    int64_t uses;               /* repeats avoided */
    int64_t results;            /* distinct recognised results used */
};

struct res_stats {
    int64_t uses, results;
    struct res_stat *by_facility, *by_item;     /* by code */
    size_t n_by_facility, n_by_item;
};

/* Uses recorded from `from` to `to` (inclusive day numbers; DATE_INVALID: open), in all,
 * by ordering facility and by item; rows in `a`. Aggregates: no scope applies. */
int res_stats_get(struct store *s, int32_t from, int32_t to, struct arena *a,
                  struct res_stats *out, struct yl_err *err);

#endif
