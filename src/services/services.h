/*
 * services.h - the national basic public health services as data (protocols, measurements,
 * decision rules) and the pure engine that turns a resident's facts and service history into
 * a care plan.
 *
 * The one idea: every item of a protocol is a row of data/protocols.csv (who is eligible,
 * when it is due, what it records, its points), every measurement a row of
 * data/measurements.csv, every decision rule a row of data/protocol-rules.csv; the engine
 * below knows schedule kinds, never individual services. A region adds or replaces items
 * with its own files. References: 国家基本公共卫生服务规范（第三版）, 2017; 国家免疫规划
 * 疫苗儿童免疫程序及说明（2021年版）. docs/protocols.md describes the files and semantics.
 *
 * Lifetime: a struct svc_protocol is built once at start (svc_protocol_load), read-only
 * afterwards and safe to share between threads; every pointer handed out by a lookup lives
 * as long as it. Days are day numbers (core/date.h).
 */
#ifndef YL_SERVICES_H
#define YL_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yl_err;
struct svc_protocol;

/* The shipped files, relative to the data directory, in the order to load them. */
#define SVC_FILE_MEASUREMENTS "measurements.csv"
#define SVC_FILE_PROTOCOLS    "protocols.csv"
#define SVC_FILE_RULES        "protocol-rules.csv"

#define SVC_DAY_NONE INT32_MIN  /* no such day (= DATE_INVALID) */
#define SVC_OPEN     INT32_MAX  /* an open-ended span (= PIDX_OPEN) */

#define SVC_CODE_MAX       32   /* item, rule and measurement codes, with the NUL */
#define SVC_NAME_MAX       96   /* names (UTF-8), with the NUL */
#define SVC_ITEM_MEASURES  48   /* measurements one item may record */
#define SVC_RULE_TERMS      8   /* comparisons in one rule's condition */
#define SVC_TEXT_MAX       64   /* bytes of a text measurement (a vaccine lot number) */
#define SVC_ITEMS_MAX    4096   /* items of a protocol (item indexes fit in uint16_t) */
#define SVC_HISTORY_KEEP    4   /* a rule may look back at most this many events */

/* ------------------------------------------------------------------ vocabularies */

/* The programs of the national specification an item belongs to (rates group by them). */
enum svc_program {
    SVC_PROG_ELDERLY,       /* 老年人健康管理 */
    SVC_PROG_HYPERTENSION,  /* 高血压患者健康管理 */
    SVC_PROG_DIABETES,      /* 2型糖尿病患者健康管理 */
    SVC_PROG_CHILD,         /* 0～6岁儿童健康管理 */
    SVC_PROG_MATERNAL,      /* 孕产妇健康管理 */
    SVC_PROG_IMMUNIZATION,  /* 预防接种 */
    SVC_PROG_SCREENING,     /* 宫颈癌和乳腺癌筛查 */
    SVC_PROG_MENTAL,        /* 严重精神障碍患者管理 */
    SVC_PROG_TUBERCULOSIS,  /* 肺结核患者健康管理 */
    SVC_PROG_TCM,           /* 中医药健康管理 */
    SVC_PROG_REFERRAL,      /* 下转患者随访: the team's follow-up after a down-referral */
    SVC_PROG_COUNT
};

/* How an item's due days are worked out (docs/protocols.md has the details). */
enum svc_schedule {
    /* One window [anchor + start, anchor + before): child checks and vaccine doses (anchor
     * birth), prenatal visits (pregnancy), postpartum visits (delivery), the first visit of
     * a tuberculosis patient (notification). Done once per anchor. */
    SVC_SCHED_WINDOW,
    /* Again `every` after the last one (screening every 3 years, monthly TB follow-up). */
    SVC_SCHED_INTERVAL,
    /* `times` a year, each due 12/times months after the last (follow-ups, 4 a year). */
    SVC_SCHED_PER_YEAR,
    /* Once in each calendar year (yearly checks). */
    SVC_SCHED_YEARLY,
    SVC_SCHED_COUNT
};

/* The day a window is measured from. */
enum svc_anchor {
    SVC_ANCHOR_NONE,          /* periodic items */
    SVC_ANCHOR_BIRTH,
    SVC_ANCHOR_PREGNANCY,     /* last menstrual period: the pregnant tag's expected
                               * delivery - 280 days */
    SVC_ANCHOR_DELIVERY,      /* svc_facts.delivery_day */
    SVC_ANCHOR_NOTIFICATION,  /* start of the item's tag span (tuberculosis notified) */
    SVC_ANCHOR_COUNT
};

enum svc_unit { SVC_UNIT_NONE, SVC_UNIT_DAY, SVC_UNIT_WEEK, SVC_UNIT_MONTH, SVC_UNIT_YEAR };

/* A length of time as written in the data ("65y", "13w", "3m", "7d"). Adding months or
 * years to a day moves to the same day of the month; when that day does not exist the
 * result is the first of the next month, as ages are counted (date_age_months). */
struct svc_period {
    int32_t n;
    uint8_t unit;               /* enum svc_unit; SVC_UNIT_NONE: not given */
};

/* day + p (months and years as ages count them: a missing day of month rolls to the 1st of
 * the next); p unset adds nothing; SVC_OPEN beyond the calendar. */
int32_t svc_period_add(int32_t day, struct svc_period p);

/* Code ("hypertension"), Chinese and English names; "?" when out of range. */
const char *svc_program_code(enum svc_program p);
const char *svc_program_zh(enum svc_program p);
/* Index of a program code, or -1. */
int svc_program_find(const char *code);
const char *svc_schedule_code(enum svc_schedule s);   /* "window", "interval", … */
const char *svc_anchor_code(enum svc_anchor a);       /* "", "birth", "pregnancy", … */

/* ------------------------------------------------------------------ measurements */

enum svc_measure_kind {
    SVC_MK_NUMBER,              /* a decimal number in [min, max] */
    SVC_MK_INTEGER,             /* a whole number in [min, max] */
    SVC_MK_TEXT,                /* text of 1..max bytes (max <= SVC_TEXT_MAX - 1) */
    SVC_MK_YESNO,               /* 0 (no) or 1 (yes) */
    SVC_MK_COUNT
};

/* How a derived measurement is computed; it is never entered. */
enum svc_derive { SVC_DERIVE_NONE, SVC_DERIVE_BMI /* weight kg / (height m)^2 */ };

/* One row of data/measurements.csv. */
struct svc_measure {
    char code[SVC_CODE_MAX];    /* "sbp" */
    char name_zh[SVC_NAME_MAX];
    char name_en[SVC_NAME_MAX];
    char unit[16];              /* "mmHg"; "" when unitless */
    uint8_t kind;               /* enum svc_measure_kind */
    uint8_t derive;             /* enum svc_derive */
    int16_t above;              /* index of a measurement this one must exceed when both are
                                 * present (sbp above dbp), or -1 */
    double min, max;            /* inclusive range; for text, max is the longest length */
};

/* A measurement of one event. On input the caller sets code and either num (number,
 * integer, yes/no) or text (text kind; borrowed); svc_measures_check writes its
 * normalised list with `measure` set and `code` pointing into the protocol. */
struct svc_measure_value {
    const char *code;
    int measure;                /* index in the protocol; set on output, ignored on input */
    double num;
    const char *text;           /* text kind only; NULL otherwise */
};

size_t svc_measure_count(const struct svc_protocol *p);
/* Index of a measurement code, or -1. */
int svc_measure_find(const struct svc_protocol *p, const char *code);
/* The measurement at an index (asserts 0 <= i < count). */
const struct svc_measure *svc_measure_at(const struct svc_protocol *p, int i);

/*
 * Check one event's measurements for `item` and normalise them: out receives every value
 * (measure index set) followed by the derived ones (BMI when height and weight are present).
 * cap must be at least n + the number of derived measurements of the protocol (the shipped
 * files have one, bmi; n + 4 leaves room for a region's own). All or nothing: on any refusal *n_out is 0 and err names the measurement
 * code in err->field. Refusals (YL_EINVAL): an unknown code; a code given twice; a
 * derived measurement entered; a measurement the item does not record; a value of the
 * wrong kind or outside [min, max] (the message gives the range and unit); a value not
 * above the one it must exceed (sbp not above dbp); a required measurement missing (for a
 * vaccine dose: its lot number); a derived value outside its range (an impossible height
 * and weight). Returns 0 or YL_EINVAL.
 */
int svc_measures_check(const struct svc_protocol *p, int item,
                       const struct svc_measure_value *values, size_t n,
                       struct svc_measure_value *out, size_t cap, size_t *n_out,
                       struct yl_err *err);

/* ------------------------------------------------------------------ decision rules */

/* An event's outcome, kept with the event in one byte. Bits are set by the rules of the
 * item whose condition the event's measurements meet. */
#define SVC_OUT_CONTROLLED   0x01   /* target reached (BP < 140/90, fasting glucose < 7.0) */
#define SVC_OUT_UNCONTROLLED 0x02   /* measured, target not reached */
#define SVC_OUT_DANGEROUS    0x04   /* a reading that needs referral at once */

enum svc_cmp { SVC_CMP_LT, SVC_CMP_LE, SVC_CMP_GT, SVC_CMP_GE, SVC_CMP_EQ, SVC_CMP_NE };

/* One comparison "measure op value". Terms are joined by `and` (binding tighter) and `or`:
 * and_next says whether the next term joins with `and`. A term whose measurement the event
 * lacks is false. */
struct svc_cond_term {
    int16_t measure;
    uint8_t op;                 /* enum svc_cmp */
    uint8_t and_next;
    double value;
};

enum svc_action {
    SVC_ACT_NONE,               /* only sets the outcome bit */
    SVC_ACT_DUE_WITHIN,         /* the next one is due within `within_days` of the last */
    SVC_ACT_REFER,              /* suggest an up-referral (上转) */
    SVC_ACT_COUNT
};

/* One row of data/protocol-rules.csv. */
struct svc_rule {
    char code[SVC_CODE_MAX];    /* "htn_uncontrolled" */
    uint16_t item;
    uint8_t outcome;            /* the SVC_OUT_* bit an event meeting the condition gets, and
                                 * the bit the action looks for */
    uint8_t consecutive;        /* the last this many events of the item must all carry
                                 * `outcome` for the action (1..SVC_HISTORY_KEEP) */
    uint8_t action;             /* enum svc_action */
    uint8_t n_terms;            /* 0: no condition of its own, it acts on the outcome bits
                                 * other rules set */
    int32_t within_days;        /* SVC_ACT_DUE_WITHIN */
    struct svc_cond_term terms[SVC_RULE_TERMS];
};

/* The rules of an item, in file order (*n may be 0). */
const struct svc_rule *svc_item_rules(const struct svc_protocol *p, int item, size_t *n);
size_t svc_rule_count(const struct svc_protocol *p);
/* The rule at a global index (as svc_plan_entry.refer_rule gives it). */
const struct svc_rule *svc_rule_at(const struct svc_protocol *p, int i);

/* The outcome flags of one event of `item`: the OR of the outcome bits of the item's rules
 * whose condition the values meet (values looked up by code; use the list
 * svc_measures_check wrote). 0 when no rule applies (nothing measured). */
uint8_t svc_event_outcome(const struct svc_protocol *p, int item,
                          const struct svc_measure_value *values, size_t n);

/* ------------------------------------------------------------------ items */

/* One row of data/protocols.csv. */
struct svc_item {
    char code[SVC_CODE_MAX];    /* "htn_followup" */
    char name_zh[SVC_NAME_MAX];
    char name_en[SVC_NAME_MAX];
    uint8_t program;            /* enum svc_program */
    /* Eligibility on a day: completed age in [age_min, age_max] (age_max.unit NONE: no
     * upper bound), sex (0 any, 1 male, 2 female), and when tag >= 0 a span of that tag
     * (enum tag, vocab.h) covering the day. */
    struct svc_period age_min, age_max;
    uint8_t sex;
    int8_t tag;
    /* Schedule. */
    uint8_t schedule;           /* enum svc_schedule */
    uint8_t anchor;             /* enum svc_anchor (SVC_SCHED_WINDOW only) */
    struct svc_period start;    /* window: opens at anchor + start; periodic: the window
                                 * opens `start` after the last one */
    struct svc_period before;   /* window: closes before anchor + before (the last day is
                                 * the day before) */
    struct svc_period every;    /* interval: due by last + every; per_year: 12/times months */
    struct svc_period min;      /* window: an event before anchor + min does not count (a
                                 * vaccine dose given too early); default 0d */
    struct svc_period keep;     /* window: the item leaves the plan `keep` after its window
                                 * closed, done or not; NONE: stays while eligible */
    int16_t times;              /* per_year: services a year (rates: ≥ times in the year) */
    /* Measurements: indexes into the protocol's measurements; required_mask bit i says
     * measures[i] is required. */
    uint16_t measures[SVC_ITEM_MEASURES];
    uint8_t n_measures;
    uint64_t required_mask;
    double points;              /* village doctor points (村医积分) per service */
    /* Vaccine doses: vaccine code ("HepB") and dose number (1-based); "" and 0 otherwise. */
    char vaccine[16];
    int8_t dose;
    /* Rules: [rule_first, rule_first + n_rules) in the protocol's rule list. */
    uint16_t rule_first, n_rules;
};

size_t svc_item_count(const struct svc_protocol *p);
/* Index of an item code, or -1. */
int svc_item_find(const struct svc_protocol *p, const char *code);
/* The item at an index (asserts 0 <= i < count). */
const struct svc_item *svc_item_at(const struct svc_protocol *p, int i);

/* ------------------------------------------------------------------ loading */

/*
 * Load a protocol from CSV files: the shipped three (measurements, protocols, rules) and
 * then any local files of the region. A file's kind is told by its header (a "condition"
 * column: rules; "schedule": items; "unit": measurements), so paths may come in any order;
 * files of one kind are applied in the order given, and a row whose code an earlier file
 * already had replaces that row in place (its index is kept), so a region can change an
 * interval or add its own items. Measurements are loaded first, then items, then rules.
 * On success *out owns everything (free with svc_protocol_free). On failure *out is NULL
 * and err holds "FILE:LINE: column: message" with err->field the column: an unreadable
 * file, a missing column, a malformed record, an unknown code (program, tag, measurement,
 * item, unit), a period or number that does not parse, a window without its anchor, a
 * per_year item without times, an empty protocol. Returns 0, YL_EINVAL or YL_EIO.
 */
int svc_protocol_load(const char *const *paths, size_t n, struct svc_protocol **out,
                      struct yl_err *err);
void svc_protocol_free(struct svc_protocol *p);   /* NULL is fine */

/* ------------------------------------------------------------------ resident facts */

/* A key-population tag over [from, to] (inclusive; to = SVC_OPEN while open). */
struct svc_tag_span {
    int32_t from, to;
    int32_t expected_delivery;  /* pregnant: the expected delivery day; else SVC_DAY_NONE */
    uint8_t tag;                /* enum tag (vocab.h) */
};

/* What the engine needs to know about a resident. Borrowed by every call. */
struct svc_facts {
    uint8_t sex;                /* 1 male, 2 female */
    int32_t birth;
    int32_t end_day;            /* first day out of the population (death, moving out), or
                                 * SVC_OPEN */
    const struct svc_tag_span *tags;
    size_t n_tags;
    int32_t delivery_day;       /* the last delivery, or SVC_DAY_NONE when none is known */
    int32_t record_day;         /* the health record was opened (SVC_DAY_NONE: unknown): the
                                 * record knows no service before it, so a periodic item
                                 * never done is due within one period of the later of this
                                 * day and the start of eligibility */
};

/* One service the resident received: 8 bytes, as the store and the index keep it. */
struct svc_done {
    int32_t day;
    uint16_t item;
    uint8_t outcome;            /* SVC_OUT_* of the event (svc_event_outcome) */
    uint8_t reserved;
};

/*
 * True when `f` is eligible for item `item` on `day`: in the population (day < end_day),
 * the sex and the completed age in range, the item's tag covering the day, and the anchor
 * known and not after the day (pregnancy: the covering pregnant span has an expected
 * delivery; delivery: delivery_day <= day). What rates use as their denominator test. O(tags).
 */
bool svc_item_eligible(const struct svc_protocol *p, int item, const struct svc_facts *f,
                       int32_t day);

/* ------------------------------------------------------------------ the care plan */

enum svc_state {
    SVC_STATE_DONE,             /* done for the current cycle; the next window (if any)
                                 * opens after the horizon */
    SVC_STATE_DUE,              /* the window is open and not yet done */
    SVC_STATE_OVERDUE,          /* the window closed without the service */
    SVC_STATE_UPCOMING,         /* the window opens within the horizon */
    SVC_STATE_LATER,            /* not done, the window opens after the horizon (a child's
                                 * later checks and doses) */
    SVC_STATE_COUNT
};

const char *svc_state_code(enum svc_state s);   /* "done", "due", "overdue", … */

#define SVC_PLAN_REFER 0x01     /* an up-referral is suggested (refer_rule says why) */

/* One item of a resident's care plan. */
struct svc_plan_entry {
    uint16_t item;
    uint8_t state;              /* enum svc_state */
    uint8_t flags;              /* SVC_PLAN_* */
    int32_t open;               /* the window (for DONE: the next one) opens; SVC_DAY_NONE
                                 * when there is no next one */
    int32_t due_by;             /* its last day; SVC_DAY_NONE likewise */
    int32_t overdue_since;      /* OVERDUE: due_by + 1; else SVC_DAY_NONE */
    int32_t last_done;          /* the last event that counts, or SVC_DAY_NONE */
    uint16_t done_this_year;    /* events that count in today's calendar year */
    int16_t refer_rule;         /* rule index suggesting referral, or -1 */
    int16_t due_rule;           /* rule index that brought due_by forward, or -1 */
};

/*
 * The care plan of one resident on `today`: one entry per item, in item order, for which
 * the resident is eligible on today or becomes eligible within horizon_days after it.
 * history: the resident's services sorted by day (ties in any order); events after today
 * are ignored, and so are events before the current eligibility began (a tag that ended
 * and started again) or before anchor + min (a dose given too early). Writes at most cap
 * entries (cap = svc_item_count(p) is always enough) and returns how many the plan has.
 * Pure: no allocation, no clock. Cost O(items + relevant items × history).
 */
size_t svc_plan_build(const struct svc_protocol *p, const struct svc_facts *f,
                      const struct svc_done *history, size_t n_history, int32_t today,
                      int horizon_days, struct svc_plan_entry *out, size_t cap);

/* ------------------------------------------------------------------ points */

/* Sum of the points (村医积分) of the items of these events; events with an item index out
 * of range count 0. */
double svc_points_sum(const struct svc_protocol *p, const struct svc_done *events, size_t n);

#endif
