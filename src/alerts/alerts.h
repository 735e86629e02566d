/*
 * alerts.h - from detector output to verified alerts (issue 6): signals, multi-point
 * triggering rules, the alert workflow, webhooks and the alert indicators.
 *
 * The one idea: a signal is one alarm of one detector on one series (unique on kind, code,
 * org unit, day, method and place — two schools of one township are two — so re-detection
 * writes nothing); an alert is a set of signals
 * that corroborate each other under a rule of data/alert-rules.csv (two channels in one
 * township within a week, the same channel in adjacent townships, a cluster in a school,
 * any class A case). The rule engine is a pure function (surv_rules_apply); an alert is its
 * place (org unit and code) and window: recording a candidate extends the open alert of the
 * same place whose window it touches instead of raising a second one, and a level only goes
 * up. Alerts then walk open -> verifying -> confirmed | dismissed, each step timestamped,
 * audited and kept in the alert's history.
 *
 * How the detection glue calls it (once per detector run, after the import or nightly):
 *
 *     struct surv_rules *rules;   // surv_rules_load(path, &rules, err) once at start
 *     struct surv_signal sig[n];  // one per alarm: kind, code, ou, day, method, numbers
 *     struct surv_ingest_result r;
 *     surv_signals_ingest(store, rules, is_class_a, NULL, sig, n, &actor, now_s, &r, err);
 *
 * It records the signals (r.new_signals of them were new), evaluates the rules over the
 * days they touch and raises or extends alerts (r.new_alerts, r.extended). Running it again
 * on the same signals changes nothing. "Now" (unix seconds) is a parameter everywhere.
 */
#ifndef YL_ALERTS_H
#define YL_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yl_err;
struct arena;
struct store;
struct acct_principal;
struct audit_actor;

#define SURV_CODE_MAX 32        /* disease or channel code, rule code */
#define SURV_METHOD_MAX 32
#define SURV_PLACE_MAX 200      /* a cluster's place label (a school's name) */
#define SURV_TEXT_MAX 4000      /* a note, a reason, the responders, the actions */
#define SURV_TIME_LEN 21        /* "2026-11-22T08:00:00Z" and the NUL */

/* ------------------------------------------------------------------------ signals */

enum surv_source { SURV_SRC_DISEASE, SURV_SRC_CHANNEL, SURV_SRC_CLUSTER, SURV_SRC_COUNT };

/* One alarm. Strings borrowed (or in the reader's arena). `day` is a day number
 * (core/date.h). For a cluster, `count` is its cases, `place_kind` "school" or "village",
 * `place` its label and `members` the member org units, space-separated. */
struct surv_signal {
    int64_t id;                 /* 0 until stored */
    enum surv_source kind;
    const char *code;           /* disease or channel code */
    const char *ou;             /* org unit code (GB/T 2260 form: 6, 9 or 12 digits) */
    int32_t day;
    const char *method;         /* "c1", "farrington-flexible", "scan", "threshold" … */
    double count, expected, upper, score;   /* NAN stored as NULL */
    const char *place_kind;     /* cluster only; NULL or "" otherwise */
    const char *place;
    const char *members;
};

const char *surv_source_code(enum surv_source k);   /* "disease", "channel", "cluster" */
int surv_source_find(const char *code);             /* -1 when unknown */

/* Is disease `code` class A or managed as class A? The disease list belongs to the case
 * report module; the caller passes this lookup (NULL: no disease is). */
typedef bool surv_class_a_fn(void *cls, const char *code);

/* ------------------------------------------------------------------------ rules */

enum surv_level { SURV_BLUE, SURV_YELLOW, SURV_ORANGE, SURV_RED, SURV_LEVEL_COUNT };
const char *surv_level_code(enum surv_level l);     /* "blue" … "red" */
int surv_level_find(const char *code);

/* The rules of a file (data/alert-rules.csv: code,name_zh,name_en,level,condition,active),
 * heap-owned, freed with surv_rules_free. A bad row is YL_EINVAL "FILE:LINE: column:
 * message" (field "condition" etc.). Conditions, the closed vocabulary:
 *   class=A                                   a class A disease signal, alone
 *   channels>=N same=township|county window=D  N distinct disease/channel codes in one place
 *   adjacent>=N same=channel window=D within_km=K
 *                                             one code in N townships, each within K km of
 *                                             another (centroids of the org units)
 *   cluster place=school|village min_cases=N  a cluster signal of that kind with >= N cases
 *   single                                    any one signal (inactive in the shipped file)
 * A window of D days holds two signals whose days differ by at most D. */
struct surv_rules;
int surv_rules_load(const char *path, struct surv_rules **out, struct yl_err *err);
/* The same from text (tests); `name` is used in messages. */
int surv_rules_parse(const char *text, const char *name, struct surv_rules **out,
                     struct yl_err *err);
void surv_rules_free(struct surv_rules *r);
size_t surv_rules_count(const struct surv_rules *r);
/* The longest window of any rule, in days. */
int surv_rules_max_window(const struct surv_rules *r);

/* An org unit's centroid, for adjacency. */
struct surv_ou_point {
    const char *ou;
    double lat, lon;
};

/* One alert the engine finds: indices into the signals given; everything in `a`. */
struct surv_candidate {
    const char *rule;           /* the rule of the highest level among those that fired */
    enum surv_level level;
    const char *ou;             /* the place: a township, the county of adjacent ones, … */
    const char *code;           /* the disease or channel; "" for a multi-channel alert */
    int32_t first_day, last_day;
    size_t *signals, n_signals;
};

/*
 * The engine: every alert the active rules find in signals[0..n), pure. Candidates of one
 * place and code (the rules of one township, say) whose days lie within the longest window
 * of each other are one alert, at the highest level, named after that level's rule.
 * Adjacency of townships comes from `points` (a township absent there is adjacent to none).
 * O(d w^2) per rule for d distinct days and w signals of one key in a window, plus O(c^2)
 * over the c candidates; the caller passes a few weeks of signals.
 */
int surv_rules_apply(const struct surv_rules *r, const struct surv_signal *signals, size_t n,
                     const struct surv_ou_point *points, size_t n_points,
                     surv_class_a_fn *class_a, void *class_a_cls, struct arena *a,
                     struct surv_candidate **out, size_t *n_out, struct yl_err *err);

/* ------------------------------------------------------------------------ recording */

/*
 * Record signals[0..n) in one audited write transaction ("record" on "signal"); each
 * stored or already present one gets its id in signals[i].id, and is_new[i] (may be NULL)
 * tells which were new. YL_EINVAL naming the field and the index ("signals[3].ou") when one
 * is malformed: then nothing is written.
 */
int surv_signals_record(struct store *s, struct surv_signal *signals, size_t n, bool *is_new,
                        const struct audit_actor *by, int64_t now_s, struct yl_err *err);

struct surv_ingest_result {
    size_t new_signals;
    size_t new_alerts;      /* raised now */
    size_t extended;        /* existing alerts that gained signals or a level */
};

/*
 * Evaluate the rules over the stored signals of days [from_day - window, to_day + window]
 * (window: the rules' longest) and record the alerts in one audited write transaction. For
 * each candidate: the alert of the same place and code, not dismissed, whose days lie
 * within a window of the candidate's gains the new signals, a wider window and the higher
 * level, with a history row ("extend", "escalate"); else, when some signal of the candidate
 * is in no alert yet, a new alert is raised (open, the candidate's level); else (all its
 * evidence already in alerts, say a dismissed one) nothing. Re-running changes nothing.
 * res (may be NULL) receives new_alerts and extended; new_signals is left as it is.
 */
int surv_alerts_evaluate(struct store *s, const struct surv_rules *rules,
                         surv_class_a_fn *class_a, void *class_a_cls, int32_t from_day,
                         int32_t to_day, const struct audit_actor *by, int64_t now_s,
                         struct surv_ingest_result *res, struct yl_err *err);

/* surv_signals_record, then surv_alerts_evaluate over the days of the batch. */
int surv_signals_ingest(struct store *s, const struct surv_rules *rules,
                        surv_class_a_fn *class_a, void *class_a_cls,
                        struct surv_signal *signals, size_t n, const struct audit_actor *by,
                        int64_t now_s, struct surv_ingest_result *res, struct yl_err *err);

/*
 * Signals from a file (`yilian import signals`, docs/import-formats.md): columns kind, code,
 * ou, day, method, and optionally count, expected, upper, score, place_kind, place,
 * members and class_a (yes/no: the writer of the file knows the disease list). Each row is
 * recorded in the importer's batches (a signal already stored is "unchanged"); after the
 * import, surv_signal_import_finish evaluates the rules over the file's days, a disease
 * marked class_a=yes on any row being class A. `rules` is borrowed for the import's life.
 */
struct surv_signal_import;
struct imp_spec;
struct surv_signal_import *surv_signal_import_new(const struct surv_rules *rules,
                                                  int64_t now_s);
void surv_signal_import_free(struct surv_signal_import *x);
const struct imp_spec *surv_signal_import_spec(void);
int surv_signal_import_finish(struct store *s, struct surv_signal_import *x,
                              const struct audit_actor *by, int64_t now_s,
                              struct surv_ingest_result *res, struct yl_err *err);

/* ------------------------------------------------------------------------ workflow */

enum surv_state { SURV_ALERT_OPEN, SURV_ALERT_VERIFYING, SURV_ALERT_CONFIRMED, SURV_ALERT_DISMISSED, SURV_STATE_COUNT };
enum surv_action {
    SURV_VERIFY, SURV_CONFIRM, SURV_DISMISS, SURV_ASSIGN, SURV_NOTE, SURV_ACTION_COUNT
};
const char *surv_state_code(enum surv_state s);
int surv_state_find(const char *code);
const char *surv_action_code(enum surv_action a);
/* The state action a leads to from `from`, or -1 when refused. Assign keeps the state (open
 * or verifying only); a note is allowed in every state. Pure: the table. */
int surv_next_state(enum surv_action a, enum surv_state from);

/* Who acts: principal NULL is the system (CLI, tests); actor is required for writes. */
struct surv_who {
    const struct acct_principal *principal;
    const struct audit_actor *actor;
};

/* What an action carries: reason (dismiss, required), responders and actions (confirm,
 * both required: the event's response), text (note, required), assignee (assign: a user id
 * of an enabled epidemiologist whose scope holds the alert). Strings borrowed. */
struct surv_act_input {
    const char *reason;
    const char *responders;
    const char *actions;
    const char *text;
    int64_t assignee;
};

/*
 * Apply action `a` to alert `id` at now_s in one audited write transaction, with a history
 * row. Refusals in order: YL_ENOTFOUND when absent or outside the caller's scope (an
 * epidemiologist's org unit subtree; the admin sees all); YL_EFORBIDDEN for a role that
 * may not act (only admin and epidemiologist do); YL_EINVAL naming the missing field;
 * YL_ECONFLICT on "state" naming the current state when the machine refuses.
 */
int surv_alert_act(struct store *s, const struct surv_who *who, int64_t id, enum surv_action a,
                   const struct surv_act_input *in, int64_t now_s, struct yl_err *err);

struct surv_note {
    char at[SURV_TIME_LEN];
    const char *username;
    const char *text;
};
struct surv_history {
    char at[SURV_TIME_LEN];
    const char *action;         /* "raise", "extend", "escalate", "verify", "assign", … */
    const char *from_state, *to_state;
    enum surv_level level;
    const char *username;       /* "" for the system */
    const char *detail;
};

/* An alert as read; strings in the caller's arena. */
struct surv_alert {
    int64_t id;
    const char *rule;
    enum surv_level level;
    const char *ou;
    const char *code;
    int32_t first_day, last_day;
    enum surv_state state;
    int64_t assignee_id;            /* 0: nobody */
    const char *assignee;           /* user name, "" */
    char raised_at[SURV_TIME_LEN], verifying_at[SURV_TIME_LEN], closed_at[SURV_TIME_LEN];
    int64_t verify_s;               /* raised -> confirmed or dismissed; -1 while open */
    const char *dismiss_reason, *responders, *actions;
    size_t n_signals;
    /* Filled by surv_alert_get only: */
    struct surv_signal *signals;
    struct surv_note *notes;
    size_t n_notes;
    struct surv_history *history;
    size_t n_history;
};

/* May p read alerts (admin, epidemiologist, analyst) or act on them (admin,
 * epidemiologist)? And does alert ou lie in p's scope? NULL is the system. */
bool surv_may_read(const struct acct_principal *p);
bool surv_may_act(const struct acct_principal *p);
bool surv_in_scope(const struct acct_principal *p, const char *ou);

/* Alert `id` with its signals, notes and history. YL_ENOTFOUND when absent or outside
 * scope, YL_EFORBIDDEN for a role that reads no alerts. An analyst gets no notes, no
 * history actors, no assignee (people and free text stay with those who act). */
int surv_alert_get(struct store *s, const struct acct_principal *who, int64_t id,
                   struct arena *a, struct surv_alert *out, struct yl_err *err);

struct surv_alert_query {
    const char *state, *level, *code;   /* NULL or "": any */
    const char *ou;                     /* NULL or "": the caller's scope; else a subtree */
    int64_t after;                      /* alerts with a smaller id: newest first; 0 = top */
    int limit;
};
/* Alerts matching q, newest first, within the caller's scope. YL_EINVAL naming "state",
 * "level" or "ou" when unknown or malformed; an ou outside the caller's scope gives none. */
int surv_alert_list(struct store *s, const struct acct_principal *who,
                    const struct surv_alert_query *q, struct arena *a, struct surv_alert **out,
                    size_t *n, struct yl_err *err);

/* The newest alert's id (0 when none). */
int64_t surv_alert_last_id(struct store *s);
/* Alerts with an id above `after`, oldest first, at most `limit` (the live feed). */
int surv_alert_since(struct store *s, int64_t after, int limit, struct arena *a,
                     struct surv_alert **out, size_t *n, struct yl_err *err);

/* ------------------------------------------------------------------------ indicators */

struct surv_alert_indicators {
    int64_t by_level_state[SURV_LEVEL_COUNT][SURV_STATE_COUNT];
    int64_t total;
    int64_t closed;                 /* confirmed or dismissed */
    int64_t verified_24h;           /* closed within 24 hours of being raised */
    double share_verified_24h;      /* verified_24h / total; NAN when total is 0 */
    double median_verify_s;         /* over the closed ones; NAN when none */
};
/* Alerts raised in [from_day, to_day] in subtree `ou` ("" the caller's scope). */
int surv_alert_indicators(struct store *s, const struct acct_principal *who, const char *ou,
                          int32_t from_day, int32_t to_day, struct surv_alert_indicators *out,
                          struct yl_err *err);

/* ------------------------------------------------------------------------ webhooks */

/*
 * The webhook worker: a thread that, every poll_ms, gives each configured URL a delivery
 * row for every alert raised since it last looked (a URL seen for the first time starts
 * from the newest alert), then POSTs each due delivery (JSON of the alert, 5 s timeout).
 * A 2xx delivers; anything else is logged as an attempt and retried after 1, 2, 4 … s (at
 * most backoff_max_s) until max_attempts, then the delivery is failed. Deliveries are rows
 * of the store, so a restart retries the pending ones; the alert itself never waits.
 */
struct surv_webhook_options {
    const char *const *urls;    /* borrowed for the worker's life */
    size_t n_urls;
    int poll_ms;                /* default 500 */
    int max_attempts;           /* default 8 */
    int backoff_max_s;          /* default 300 */
    int timeout_ms;             /* per POST; default 5000 */
};
struct surv_webhooks;
struct surv_webhooks *surv_webhooks_start(struct store *s, const struct surv_webhook_options *o);
/* Stop the thread: a POST in flight finishes first (at most timeout_ms), the rest of its
 * round waits for the next start. NULL does nothing. */
void surv_webhooks_stop(struct surv_webhooks *w);
/* One round of the worker at now_s (tests, and the thread's body). */
int surv_webhooks_run_once(struct store *s, const struct surv_webhook_options *o, int64_t now_s,
                           struct yl_err *err);

struct surv_delivery_log {
    int64_t id;                 /* the attempt */
    int64_t delivery_id, alert_id;
    const char *url;
    int attempt;
    char at[SURV_TIME_LEN];
    int http_status;            /* 0: no answer */
    const char *error;
    const char *state;          /* the delivery's state now: pending, delivered, failed */
};
/* The delivery log, newest first (attempts with an id below `before`, 0 = top). Admin only
 * (YL_EFORBIDDEN otherwise). */
int surv_webhook_log(struct store *s, const struct acct_principal *who, int64_t before,
                     int limit, struct arena *a, struct surv_delivery_log **out, size_t *n,
                     struct yl_err *err);

/* An alert as JSON (the API, the live stream and the webhooks send the same), a new
 * reference; with its signals, notes and history when surv_alert_get filled them. */
struct json_t;
struct json_t *surv_alert_json(const struct surv_alert *a);

/* "YYYY-MM-DDTHH:MM:SSZ" of unix time t. */
char *alert_time_format(int64_t t, char out[SURV_TIME_LEN]);

#endif
