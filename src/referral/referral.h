/*
 * referral.h - two-way referral (双向转诊, issue 5): a resident sent up from a grassroots
 * facility to a hospital of its medical group, or down from a hospital back to their
 * family-doctor team, and the state machine every referral walks. Remote consultation
 * (远程会诊) and remote imaging reading (远程影像诊断) requests from a grassroots facility to
 * a hospital of its group are two more kinds of request on the same machine: the patient
 * does not travel (no "arrived"), and the receiving side completes them with its report.
 * Any request may carry results of the resident (results.h) it rests on.
 *
 * The one idea: the machine is a table (referral.c). An action is allowed from exactly the
 * statuses the table lists, by exactly the side it names (the receiving side accepts,
 * rejects, marks arrival and completion; the sending side cancels); anything else is
 * refused naming the current status. Each transition is one guarded UPDATE with its
 * timestamp and its audit record in its own transaction.
 *
 * "Now" is a parameter of every call that stamps or judges time (unix seconds), so the
 * limits of the urgency table can be tested at their edges; the API passes the clock.
 */
#ifndef YL_REFERRAL_H
#define YL_REFERRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/idno.h"

struct yl_err;
struct arena;
struct store;
struct acct_principal;
struct audit_actor;

#define REF_EXTERNAL_ID_MAX 64  /* bytes: letters, digits and - _ . : / */
#define REF_CODE_MAX 32         /* facility and team codes */
#define REF_REASON_MAX 1000     /* bytes of a reason (referral, outside the group, rejection) */
#define REF_SUMMARY_MAX 8000    /* bytes of a clinical or discharge summary */
#define REF_TIME_LEN 21         /* "2024-05-01T08:00:00Z" and the NUL */

#define REF_RESULTS_MAX 20      /* results attached to one request */

enum ref_kind { REF_KIND_REFERRAL, REF_KIND_CONSULTATION, REF_KIND_IMAGING, REF_KIND_COUNT };
enum ref_direction { REF_UP, REF_DOWN, REF_DIRECTION_COUNT };
enum ref_urgency { REF_ROUTINE, REF_URGENT, REF_CRITICAL, REF_URGENCY_COUNT };
enum ref_status {
    REF_REQUESTED, REF_ACCEPTED, REF_REJECTED, REF_ARRIVED, REF_COMPLETED, REF_CANCELLED,
    REF_STATUS_COUNT
};
enum ref_action { REF_ACCEPT, REF_REJECT, REF_ARRIVE, REF_COMPLETE, REF_CANCEL, REF_ACTION_COUNT };

/* Codes as stored and sent ("up", "critical", "requested", "accept"), and back: -1 when
 * unknown. */
const char *ref_direction_code(enum ref_direction d);
int ref_direction_find(const char *code);
const char *ref_urgency_code(enum ref_urgency u);
int ref_urgency_find(const char *code);
const char *ref_status_code(enum ref_status s);
int ref_status_find(const char *code);
const char *ref_action_code(enum ref_action a);
const char *ref_kind_code(enum ref_kind k);     /* "referral", "consultation", "imaging" */
int ref_kind_find(const char *code);

/* Days a down-referral's patient carries the post_referral tag from the day the team
 * accepts it (the tag puts the protocol's referral_followup item, due within its first
 * week, on the team's worklist; overdue until the tag ends). */
#define REF_FOLLOWUP_DAYS 30

/* Seconds the receiving side has to accept a referral of urgency u: critical 2 h, urgent
 * 24 h, routine 72 h (the table in referral.c). */
int64_t ref_accept_limit_s(enum ref_urgency u);

/* The status action `a` leads to from status `from`, or -1 when the machine refuses it.
 * Pure: the table, nothing else. ref_next_status is the referral's machine; a remote
 * request's goes from accepted straight to completed (by the report) and never arrives. */
int ref_next_status(enum ref_action a, enum ref_status from);
int ref_next_status_of(enum ref_kind k, enum ref_action a, enum ref_status from);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) of unix time t into out. */
char *ref_time_format(int64_t t, char out[REF_TIME_LEN]);

/* Who acts: `principal` decides what they may see and do (NULL: the system, for the CLI and
 * tests); `actor` goes into the audit record of a write (required for writes). Borrowed. */
struct ref_who {
    const struct acct_principal *principal;
    const struct audit_actor *actor;
};

/* A referral to make. Strings borrowed. */
struct ref_input {
    const char *external_id;    /* NULL or "": one is generated ("ref-" and 32 hex digits) */
    const char *kind;           /* NULL or "": "referral"; "consultation", "imaging" go up */
    const int64_t *results;     /* ids of the resident's results to attach (imaging: at least
                                 * one, each an imaging result), n_results ≤ REF_RESULTS_MAX */
    size_t n_results;
    const char *direction;      /* "up" or "down", required */
    int64_t resident_id;        /* required */
    const char *from_facility;  /* the sending facility's code, required */
    const char *to_facility;    /* up: required; down: none (the team decides) */
    const char *reason;         /* up: required; down: optional */
    const char *outside_reason; /* up to a hospital outside the sender's groups: required */
    const char *urgency;        /* NULL or "": routine */
    const char *summary;        /* down: the discharge summary, required; up: optional */
};

/*
 * Make a referral in its own write transaction with its audit record ("create" on
 * "referral"), stamped requested at now_s and due for acceptance at now_s plus the limit of
 * its urgency. *id receives the referral; *created tells whether it is new: an external id
 * already used for the same content gives the stored referral and writes nothing, for other
 * content it is YL_ECONFLICT on "external_id" with err->existing_id.
 *
 * Rules (YL_EINVAL naming the field): a consultation or imaging request is "up" ("kind"
 * otherwise) and follows the up-referral's rules; attached "results" must be distinct
 * results of this resident (an imaging request needs at least one, all imaging). An
 * up-referral goes from a township or community
 * health center or station or a village clinic ("from_facility") to an active hospital of
 * any kind ("to_facility") that is a member of a medical group the sender belongs to, or to
 * one outside them only with "outside_reason"; "reason" is required. A down-referral goes
 * from a hospital to the team whose active contract with the resident covers the day of
 * now_s ("resident_id" when there is none), with a "summary"; giving "to_facility" is
 * refused. Who (YL_EFORBIDDEN): the region's admin, the sending facility's admin, a family
 * doctor whose team belongs to the sending facility and a village doctor whose village holds
 * it, the two doctors only for residents in their scope (otherwise YL_ENOTFOUND on
 * "resident_id", as for an absent resident).
 */
int ref_create(struct store *s, const struct ref_who *who, const struct ref_input *in,
               int64_t now_s, int64_t *id, bool *created, struct yl_err *err);

/*
 * Apply action `a` to referral `id` at now_s in its own audited write transaction (action
 * "accept", "reject", … on "referral"). `text` is the rejection's reason, required for
 * REF_REJECT (YL_EINVAL on "reason"), or the report completing a consultation or imaging
 * request, required for REF_COMPLETE of those (YL_EINVAL on "report"); ignored otherwise. YL_ENOTFOUND when the referral is absent or the caller is
 * on neither side of it; YL_EFORBIDDEN when they are on the other side than the action
 * needs (the receiving side: the region's admin, the receiving facility's admin and, for a
 * down-referral, a family doctor of the receiving team; the sending side: the region's
 * admin, the sending facility's admin, and the user who made it); YL_ECONFLICT on "status"
 * naming the current status when the machine does not allow the action from it.
 */
int ref_act(struct store *s, const struct ref_who *who, int64_t id, enum ref_action a,
            const char *text, int64_t now_s, struct yl_err *err);

/* A result attached to a request, as the receiving side reads it. Strings in the arena. */
struct ref_attached {
    int64_t id;
    const char *item, *name, *kind;     /* the item's code, Chinese name, lab/imaging/ecg */
    const char *date;                   /* YYYY-MM-DD */
    bool has_value;
    double value;
    const char *unit, *report, *facility;
};

/* A referral as read. Strings live in the caller's arena. */
struct ref_referral {
    int64_t id;
    const char *external_id;
    enum ref_kind kind;
    const char *report;             /* a completed consultation's or reading's report, or "" */
    const struct ref_attached *results; /* filled by ref_get only; n_results 0 in lists */
    size_t n_results;
    enum ref_direction direction;
    int64_t resident_id;
    const char *resident_name;
    char id_number[IDNO_LEN + 1];   /* masked unless `masked` is false */
    bool masked;
    const char *from_facility, *to_facility;
    const char *to_team;            /* "" for an up-referral */
    int64_t to_team_id;             /* 0 for an up-referral */
    const char *reason, *outside_reason, *summary, *reject_reason;
    enum ref_urgency urgency;
    enum ref_status status;
    /* Transition times, "" when not (yet) reached. */
    char requested_at[REF_TIME_LEN], due_at[REF_TIME_LEN], accepted_at[REF_TIME_LEN];
    char rejected_at[REF_TIME_LEN], arrived_at[REF_TIME_LEN], completed_at[REF_TIME_LEN];
    char cancelled_at[REF_TIME_LEN];
    int64_t created_by;             /* user id; 0 for the system */
    const char *created_by_name;
    bool overdue;                   /* still requested after due_at, judged at the read's now */
};

/* Still requested after its due time at now_s? Exactly at the due second it is not. */
bool ref_is_overdue(const struct ref_referral *r, int64_t now_s);

/* Referral `id` with its attached results if the caller is on either side of it
 * (YL_ENOTFOUND otherwise), overdue judged at now_s. The ID number shows unmasked only to roles that see it in a single
 * record read (rec_shows_identity). */
int ref_get(struct store *s, const struct acct_principal *who, int64_t id, int64_t now_s,
            struct arena *a, struct ref_referral *out, struct yl_err *err);

/* A box to list: exactly one of facility and team. */
enum ref_box { REF_INBOX, REF_OUTBOX };
struct ref_query {
    enum ref_box box;
    const char *facility;   /* inbox: addressed to it; outbox: sent from it */
    const char *team;       /* inbox only: down-referrals addressed to the team (code) */
    const char *status;     /* NULL or "": any */
    const char *kind;       /* NULL or "": any */
    int64_t after;          /* referrals with a larger id, in id order */
    int limit;
};

/*
 * A box's referrals into an array in `a` (*out, *n), ID numbers masked. Who: the region's
 * admin any box; a facility's admin their facility's boxes and the inboxes of its teams; a
 * family doctor their own team's inbox; a family or village doctor the outbox of any
 * facility, holding only the requests they made themselves; anyone else YL_EFORBIDDEN (on
 * "facility" or "team"). YL_EINVAL on "facility" / "team" when unknown or both or neither
 * given, on "status" or "kind" when unknown.
 */
int ref_list(struct store *s, const struct acct_principal *who, const struct ref_query *q,
             int64_t now_s, struct arena *a, struct ref_referral **out, size_t *n,
             struct yl_err *err);

#endif
