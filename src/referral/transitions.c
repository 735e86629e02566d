/*
 * transitions.c - walking a referral through its state machine (referral.h): accept,
 * reject, mark arrived, complete, cancel.
 *
 * The one idea: the decision is made on the row as read inside the write transaction, and
 * the UPDATE repeats it (`AND status = ?`), so the rule would hold even on a backend where
 * two writers could read the same row: the loser changes nothing and hears the conflict.
 * The refusals come in a fixed order: not yours (404), the wrong side for this action (403),
 * a status the machine does not leave this way (409 naming it).
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "records/records.h"
#include "referral/referral_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

/* The statement that stores each target status with its timestamp. */
static const enum store_sql set_status[REF_STATUS_COUNT] = {
    [REF_ACCEPTED] = STORE_SQL_REF_SET_ACCEPTED,   [REF_REJECTED] = STORE_SQL_REF_SET_REJECTED,
    [REF_ARRIVED] = STORE_SQL_REF_SET_ARRIVED,     [REF_COMPLETED] = STORE_SQL_REF_SET_COMPLETED,
    [REF_CANCELLED] = STORE_SQL_REF_SET_CANCELLED,
};

/* Which side an action belongs to: only the sender withdraws a referral. */
static bool sender_action(enum ref_action a)
{
    return a == REF_CANCEL;
}

static int side_check(const struct ref_who *who, const struct ref_referral *r, enum ref_action a,
                      struct yl_err *err)
{
    bool sender = ref_is_sender(who->principal, r);
    bool receiver = ref_is_receiver(who->principal, r);
    if (!sender && !receiver)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no referral %lld", (long long)r->id);
    if (sender_action(a) && !sender)
        return yl_err_set(err, YL_EFORBIDDEN, NULL,
                          "only the sending side may cancel a referral");
    if (!sender_action(a) && !receiver)
        return yl_err_set(err, YL_EFORBIDDEN, NULL,
                          "only the receiving side may %s a referral", ref_action_code(a));
    return 0;
}

static int store_transition(struct store_conn *c, const struct ref_referral *r,
                            enum ref_status to, const char *reason, int64_t now_s,
                            struct yl_err *err)
{
    char now[REF_TIME_LEN];
    ref_time_format(now_s, now);
    struct store_stmt *st = store_stmt(c, set_status[to]);
    int k = 1;
    store_bind_text(st, k++, now);
    if (to == REF_REJECTED || to == REF_COMPLETED)
        store_bind_text(st, k++, reason != NULL ? reason : "");
    store_bind_int(st, k++, r->id);
    store_bind_text(st, k++, ref_status_code(r->status));
    int rc = store_exec(st, err);
    if (rc == 0 && store_changes(c) != 1)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "the referral changed meanwhile");
    return rc;
}

int ref_act(struct store *s, const struct ref_who *who, int64_t id, enum ref_action a,
            const char *text, int64_t now_s, struct yl_err *err)
{
    const char *reason = text;
    if ((size_t)a >= REF_ACTION_COUNT)
        return yl_err_set(err, YL_EINVAL, NULL, "unknown referral action");
    if (a == REF_REJECT && (reason == NULL || reason[0] == '\0'))
        return yl_err_set(err, YL_EINVAL, "reason", "a rejection gives its reason");
    if (a == REF_REJECT && strlen(reason) > REF_REASON_MAX)
        return yl_err_set(err, YL_EINVAL, "reason", "reason is longer than %d bytes",
                          REF_REASON_MAX);
    struct arena mem;
    struct ref_referral r;
    struct store_conn *c;
    bool found = false;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    arena_init(&mem);
    rc = ref_read(c, id, &mem, true, &r, &found, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no referral %lld", (long long)id);
    if (rc == 0)
        rc = side_check(who, &r, a, err);
    int to = rc == 0 ? ref_next_status_of(r.kind, a, r.status) : -1;
    if (rc == 0 && to < 0)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "the referral is %s: it cannot be %s",
                        ref_status_code(r.status),
                        a == REF_ARRIVE ? "marked arrived" : ref_action_code(a));
    /* A consultation or a reading is completed by its report, kept with the request. */
    bool reported = rc == 0 && a == REF_COMPLETE && r.kind != REF_KIND_REFERRAL;
    if (reported && (text == NULL || text[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "report", "a %s is completed with its report",
                        ref_kind_code(r.kind));
    if (reported && rc == 0 && strlen(text) > REF_SUMMARY_MAX)
        rc = yl_err_set(err, YL_EINVAL, "report", "report is longer than %d bytes",
                        REF_SUMMARY_MAX);
    if (rc == 0)
        rc = store_transition(c, &r, (enum ref_status)to,
                              a == REF_REJECT || reported ? text : NULL, now_s, err);
    /* The team that takes a patient back owes them a follow-up: the tag puts the
     * referral_followup item of the protocol on the team's worklist. */
    if (rc == 0 && a == REF_ACCEPT && r.direction == REF_DOWN) {
        int32_t day = date_of_unix(now_s);
        rc = rec_tag_mark_on(c, r.resident_id, TAG_POST_REFERRAL, day,
                             date_add_days(day, REF_FOLLOWUP_DAYS - 1), err);
    }
    arena_release(&mem);
    char id_text[24];
    snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
    struct audit_event ev = {ref_action_code(a), "referral", id_text, "ok"};
    return audit_finish_write(c, who->actor, &ev, rc, err);
}
