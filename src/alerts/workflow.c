/*
 * workflow.c - carrying an alert to a verified outcome (alerts.h): verify, confirm as an
 * event with its responders and actions, dismiss with a reason, assign, notes; reading
 * alerts within scope; the alert indicators.
 *
 * The one idea: the machine is a table, as for referrals. The decision is made on the row
 * read inside the write transaction and the UPDATE repeats it (`AND state = ?`), so a
 * transition that lost a race changes nothing. Refusals come in a fixed order: not yours
 * (404, so existence does not leak), a role that does not act (403), missing input (400),
 * a state the machine does not leave this way (409 naming it).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "alerts/alerts_int.h"
#include "audit/audit.h"
#include "core/adcode.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const state_codes[SURV_STATE_COUNT] = {"open", "verifying", "confirmed",
                                                          "dismissed"};
static const char *const action_codes[SURV_ACTION_COUNT] = {"verify", "confirm", "dismiss",
                                                            "assign", "note"};

/* The machine. Assign keeps the state; a note is written in any state (below). */
static const struct {
    enum surv_action action;
    enum surv_state from, to;
} machine[] = {
    {SURV_VERIFY, SURV_ALERT_OPEN, SURV_ALERT_VERIFYING},
    {SURV_CONFIRM, SURV_ALERT_VERIFYING, SURV_ALERT_CONFIRMED},
    {SURV_DISMISS, SURV_ALERT_OPEN, SURV_ALERT_DISMISSED},
    {SURV_DISMISS, SURV_ALERT_VERIFYING, SURV_ALERT_DISMISSED},
    {SURV_ASSIGN, SURV_ALERT_OPEN, SURV_ALERT_OPEN},
    {SURV_ASSIGN, SURV_ALERT_VERIFYING, SURV_ALERT_VERIFYING},
};

const char *surv_state_code(enum surv_state s)
{
    return (size_t)s < COUNT(state_codes) ? state_codes[s] : "?";
}

int surv_state_find(const char *code)
{
    for (size_t i = 0; code != NULL && i < COUNT(state_codes); i++)
        if (strcmp(state_codes[i], code) == 0)
            return (int)i;
    return -1;
}

const char *surv_action_code(enum surv_action a)
{
    return (size_t)a < COUNT(action_codes) ? action_codes[a] : "?";
}

int surv_next_state(enum surv_action a, enum surv_state from)
{
    if (a == SURV_NOTE && (size_t)from < SURV_STATE_COUNT)
        return (int)from;
    for (size_t i = 0; i < COUNT(machine); i++)
        if (machine[i].action == a && machine[i].from == from)
            return (int)machine[i].to;
    return -1;
}

/* --- scope ---------------------------------------------------------------------------- */

bool surv_may_read(const struct acct_principal *p)
{
    return p == NULL || p->role == ROLE_ADMIN || p->role == ROLE_EPIDEMIOLOGIST ||
           p->role == ROLE_ANALYST;
}

bool surv_may_act(const struct acct_principal *p)
{
    return p == NULL || p->role == ROLE_ADMIN || p->role == ROLE_EPIDEMIOLOGIST;
}

/* The org unit subtree p sees: "" for the region. */
static const char *scope_prefix(const struct acct_principal *p)
{
    return p != NULL && p->scope.kind == SCOPE_OU ? p->scope.ref : "";
}

bool surv_in_scope(const struct acct_principal *p, const char *ou)
{
    const char *pre = scope_prefix(p);
    return pre[0] == '\0' || strncmp(ou, pre, strlen(pre)) == 0;
}

/* --- reading -------------------------------------------------------------------------- */

static void copy_time(char out[SURV_TIME_LEN], const char *s)
{
    snprintf(out, SURV_TIME_LEN, "%s", s);
}

void surv_alert_from_row(struct store_stmt *st, struct arena *a, struct surv_alert *out)
{
    memset(out, 0, sizeof(*out));
    out->id = store_col_int(st, 0);
    out->rule = arena_strdup(a, store_col_text(st, 1));
    out->level = (enum surv_level)store_col_int(st, 2);
    out->ou = arena_strdup(a, store_col_text(st, 3));
    out->code = arena_strdup(a, store_col_text(st, 4));
    out->first_day = (int32_t)store_col_int(st, 5);
    out->last_day = (int32_t)store_col_int(st, 6);
    int s = surv_state_find(store_col_text(st, 7));
    out->state = s < 0 ? SURV_ALERT_OPEN : (enum surv_state)s;
    out->assignee_id = store_col_int(st, 8);
    out->assignee = arena_strdup(a, store_col_text(st, 9));
    copy_time(out->raised_at, store_col_text(st, 10));
    copy_time(out->verifying_at, store_col_text(st, 11));
    copy_time(out->closed_at, store_col_text(st, 12));
    out->verify_s = store_col_int(st, 13);
    out->dismiss_reason = arena_strdup(a, store_col_text(st, 14));
    out->responders = arena_strdup(a, store_col_text(st, 15));
    out->actions = arena_strdup(a, store_col_text(st, 16));
    out->n_signals = (size_t)store_col_int(st, 17);
}

static int read_alert(struct store_conn *c, int64_t id, struct arena *a, struct surv_alert *out,
                      bool *found, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_BY_ID);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (rc == STORE_ROW)
        surv_alert_from_row(st, a, out);
    alert_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

static int not_found(int64_t id, struct yl_err *err)
{
    return yl_err_set(err, YL_ENOTFOUND, NULL, "no alert %lld", (long long)id);
}

/* Details of one alert: its signals, and for those who act its notes and history. */
static int read_details(struct store_conn *c, struct surv_alert *x, bool people,
                        struct arena *a, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_SIGNALS);
    store_bind_int(st, 1, x->id);
    x->signals = arena_alloc(a, (x->n_signals + 1) * sizeof(*x->signals));
    size_t n = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW && n < x->n_signals)
        surv_signal_from_row(st, a, &x->signals[n++]);
    alert_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    x->n_signals = n;

    size_t cap = 16;
    x->history = arena_alloc(a, cap * sizeof(*x->history));
    st = store_stmt(c, STORE_SQL_SURV_ALERT_HISTORY);
    store_bind_int(st, 1, x->id);
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (x->n_history == cap) {
            struct surv_history *v = arena_alloc(a, 2 * cap * sizeof(*v));
            memcpy(v, x->history, cap * sizeof(*v));
            x->history = v;
            cap *= 2;
        }
        struct surv_history *h = &x->history[x->n_history++];
        copy_time(h->at, store_col_text(st, 0));
        h->action = arena_strdup(a, store_col_text(st, 1));
        h->from_state = arena_strdup(a, store_col_text(st, 2));
        h->to_state = arena_strdup(a, store_col_text(st, 3));
        h->level = (enum surv_level)store_col_int(st, 4);
        h->username = people ? arena_strdup(a, store_col_text(st, 5)) : "";
        /* An assignment's detail names the user: not for those who only read. */
        h->detail = people || strcmp(h->action, "assign") != 0
                        ? arena_strdup(a, store_col_text(st, 6))
                        : "";
    }
    if (rc < 0 || !people)
        return rc < 0 ? rc : 0;

    cap = 8;
    x->notes = arena_alloc(a, cap * sizeof(*x->notes));
    st = store_stmt(c, STORE_SQL_SURV_ALERT_NOTES);
    store_bind_int(st, 1, x->id);
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (x->n_notes == cap) {
            struct surv_note *v = arena_alloc(a, 2 * cap * sizeof(*v));
            memcpy(v, x->notes, cap * sizeof(*v));
            x->notes = v;
            cap *= 2;
        }
        struct surv_note *nt = &x->notes[x->n_notes++];
        copy_time(nt->at, store_col_text(st, 0));
        nt->username = arena_strdup(a, store_col_text(st, 1));
        nt->text = arena_strdup(a, store_col_text(st, 2));
    }
    return rc < 0 ? rc : 0;
}

/* What an analyst may not see of an alert: the people and the free text. */
static void strip_people(struct surv_alert *x)
{
    x->assignee_id = 0;
    x->assignee = "";
    x->dismiss_reason = x->dismiss_reason[0] ? "(withheld)" : "";
    x->responders = x->responders[0] ? "(withheld)" : "";
    x->actions = x->actions[0] ? "(withheld)" : "";
}

int surv_alert_get(struct store *s, const struct acct_principal *who, int64_t id,
                   struct arena *a, struct surv_alert *out, struct yl_err *err)
{
    if (!surv_may_read(who))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read alerts",
                          acct_role_name(who->role));
    struct store_conn *c = store_acquire(s);
    bool found = false;
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = read_alert(c, id, a, out, &found, err);
    if (rc == 0 && (!found || !surv_in_scope(who, out->ou)))
        rc = not_found(id, err);
    bool people = surv_may_act(who);
    if (rc == 0)
        rc = read_details(c, out, people, a, err);
    if (rc == 0 && !people)
        strip_people(out);
    if (rc == 0)
        rc = store_commit(c, err);
    else
        store_rollback(c);
    store_release(c);
    return rc;
}

static int read_list(struct store_stmt *st, struct arena *a, int limit, struct surv_alert **out,
                     size_t *n, struct yl_err *err)
{
    struct surv_alert *v = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(*v));
    size_t m = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW && m < (size_t)limit)
        surv_alert_from_row(st, a, &v[m++]);
    alert_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    *out = v;
    *n = m;
    return 0;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

int surv_alert_list(struct store *s, const struct acct_principal *who,
                    const struct surv_alert_query *q, struct arena *a, struct surv_alert **out,
                    size_t *n, struct yl_err *err)
{
    if (!surv_may_read(who))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read alerts",
                          acct_role_name(who->role));
    if (!empty(q->state) && surv_state_find(q->state) < 0)
        return yl_err_set(err, YL_EINVAL, "state", "state \"%s\" is not open, verifying, "
                          "confirmed or dismissed", q->state);
    int level = empty(q->level) ? -1 : surv_level_find(q->level);
    if (!empty(q->level) && level < 0)
        return yl_err_set(err, YL_EINVAL, "level", "level \"%s\" is not blue, yellow, "
                          "orange or red", q->level);
    if (!empty(q->ou) && adcode_level(q->ou, strlen(q->ou)) == 0)
        return yl_err_set(err, YL_EINVAL, "ou", "ou \"%s\" is not an org unit code", q->ou);
    if (!empty(q->code) && strlen(q->code) > SURV_CODE_MAX)
        return yl_err_set(err, YL_EINVAL, "code", "code is longer than %d bytes",
                          SURV_CODE_MAX);
    /* The narrower of the asked subtree and the caller's: outside the scope is nothing. */
    const char *pre = scope_prefix(who);
    const char *ou = pre;
    if (!empty(q->ou)) {
        if (strncmp(q->ou, pre, strlen(pre)) == 0)
            ou = q->ou;
        else if (strncmp(pre, q->ou, strlen(q->ou)) != 0) {
            *out = NULL;
            *n = 0;
            return 0;
        }
    }
    const char *state = q->state ? q->state : "";
    const char *code = q->code ? q->code : "";
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_LIST);
    int k = 1;
    store_bind_text(st, k++, state);
    store_bind_text(st, k++, state);
    store_bind_int(st, k++, level);
    store_bind_int(st, k++, level);
    store_bind_text(st, k++, code);
    store_bind_text(st, k++, code);
    store_bind_text(st, k++, ou);
    store_bind_text(st, k++, ou);
    store_bind_text(st, k++, ou);
    store_bind_int(st, k++, q->after);
    store_bind_int(st, k++, q->after);
    store_bind_int(st, k++, q->limit);
    int rc = read_list(st, a, q->limit, out, n, err);
    store_release(c);
    if (rc == 0 && !surv_may_act(who))
        for (size_t i = 0; i < *n; i++)
            strip_people(&(*out)[i]);
    return rc;
}

int64_t surv_alert_last_id(struct store *s)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_MAX_ID);
    int rc = store_step(st, NULL);
    int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    alert_stmt_finish(st, rc);
    store_release(c);
    return id;
}

int surv_alert_since(struct store *s, int64_t after, int limit, struct arena *a,
                     struct surv_alert **out, size_t *n, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_SINCE);
    store_bind_int(st, 1, after);
    store_bind_int(st, 2, limit);
    int rc = read_list(st, a, limit, out, n, err);
    store_release(c);
    return rc;
}

/* --- acting --------------------------------------------------------------------------- */

static int text_check(const char *s, const char *field, const char *what, struct yl_err *err)
{
    if (empty(s))
        return yl_err_set(err, YL_EINVAL, field, "%s", what);
    if (strlen(s) > SURV_TEXT_MAX)
        return yl_err_set(err, YL_EINVAL, field, "%s is longer than %d bytes", field,
                          SURV_TEXT_MAX);
    return 0;
}

static int input_check(enum surv_action a, const struct surv_act_input *in, struct yl_err *err)
{
    switch (a) {
    case SURV_DISMISS:
        return text_check(in->reason, "reason", "a dismissal gives its reason", err);
    case SURV_CONFIRM: {
        int rc = text_check(in->responders, "responders",
                            "a confirmed event names its responders", err);
        return rc ? rc : text_check(in->actions, "actions",
                                    "a confirmed event records the actions taken", err);
    }
    case SURV_NOTE:
        return text_check(in->text, "text", "a note has text", err);
    case SURV_ASSIGN:
        if (in->assignee <= 0)
            return yl_err_set(err, YL_EINVAL, "assignee", "assign names a user id");
        return 0;
    default:
        return 0;
    }
}

/* The assignee must be an enabled epidemiologist whose scope holds the alert. */
static int assignee_check(struct store_conn *c, int64_t user, const char *ou,
                          struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ASSIGNEE_CHECK);
    store_bind_int(st, 1, user);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    bool ok = false;
    if (rc == STORE_ROW) {
        bool epi = strcmp(store_col_text(st, 1), "epidemiologist") == 0;
        bool region = strcmp(store_col_text(st, 2), "region") == 0;
        const char *ref = store_col_text(st, 3);
        ok = epi && store_col_int(st, 4) == 0 &&
             (region || strncmp(ou, ref, strlen(ref)) == 0);
    }
    alert_stmt_finish(st, rc);
    if (!ok)
        return yl_err_set(err, YL_EINVAL, "assignee", "user %lld is not an active "
                          "epidemiologist whose scope holds this alert", (long long)user);
    return 0;
}

static int apply(struct store_conn *c, const struct surv_alert *x, enum surv_action a,
                 const struct surv_act_input *in, const struct audit_actor *by, int64_t now_s,
                 struct yl_err *err)
{
    char now[SURV_TIME_LEN];
    alert_time_format(now_s, now);
    const char *from = surv_state_code(x->state);
    struct store_stmt *st = NULL;
    int rc = 0;
    char detail[64] = "";
    switch (a) {
    case SURV_VERIFY:
        st = store_stmt(c, STORE_SQL_SURV_SET_VERIFYING);
        store_bind_text(st, 1, now);
        store_bind_int(st, 2, x->id);
        store_bind_text(st, 3, from);
        break;
    case SURV_CONFIRM:
        st = store_stmt(c, STORE_SQL_SURV_SET_CONFIRMED);
        store_bind_text(st, 1, now);
        store_bind_int(st, 2, now_s);
        store_bind_text(st, 3, in->responders);
        store_bind_text(st, 4, in->actions);
        store_bind_int(st, 5, x->id);
        store_bind_text(st, 6, from);
        break;
    case SURV_DISMISS:
        st = store_stmt(c, STORE_SQL_SURV_SET_DISMISSED);
        store_bind_text(st, 1, now);
        store_bind_int(st, 2, now_s);
        store_bind_text(st, 3, in->reason);
        store_bind_int(st, 4, x->id);
        store_bind_text(st, 5, from);
        break;
    case SURV_ASSIGN:
        rc = assignee_check(c, in->assignee, x->ou, err);
        if (rc != 0)
            return rc;
        st = store_stmt(c, STORE_SQL_SURV_SET_ASSIGNEE);
        store_bind_int(st, 1, in->assignee);
        store_bind_int(st, 2, x->id);
        store_bind_text(st, 3, from);
        snprintf(detail, sizeof(detail), "user %lld", (long long)in->assignee);
        break;
    case SURV_NOTE:
        st = store_stmt(c, STORE_SQL_SURV_NOTE_INSERT);
        store_bind_int(st, 1, x->id);
        store_bind_text(st, 2, now);
        if (by != NULL && by->user_id > 0)
            store_bind_int(st, 3, by->user_id);
        else
            store_bind_null(st, 3);
        store_bind_text(st, 4, by && by->username ? by->username : "");
        store_bind_text(st, 5, in->text);
        break;
    default:
        return yl_err_set(err, YL_EINVAL, NULL, "unknown alert action");
    }
    rc = store_exec(st, err);
    if (rc == 0 && store_changes(c) != 1)
        rc = yl_err_set(err, YL_ECONFLICT, "state", "the alert changed meanwhile");
    if (rc != 0)
        return rc;
    int to = surv_next_state(a, x->state);
    return surv_history_add(c, x->id, now_s, surv_action_code(a), from,
                            surv_state_code((enum surv_state)to), x->level, by, detail, err);
}

int surv_alert_act(struct store *s, const struct surv_who *who, int64_t id, enum surv_action a,
                   const struct surv_act_input *in, int64_t now_s, struct yl_err *err)
{
    static const struct surv_act_input none = {0};
    if ((size_t)a >= SURV_ACTION_COUNT)
        return yl_err_set(err, YL_EINVAL, NULL, "unknown alert action");
    if (in == NULL)
        in = &none;
    struct arena mem;
    struct surv_alert x;
    struct store_conn *c;
    bool found = false;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    arena_init(&mem);
    rc = read_alert(c, id, &mem, &x, &found, err);
    if (rc == 0 && (!found || !surv_may_read(who->principal) ||
                    !surv_in_scope(who->principal, x.ou)))
        rc = not_found(id, err);
    if (rc == 0 && !surv_may_act(who->principal))
        rc = yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may read alerts but not act on them",
                        acct_role_name(who->principal->role));
    if (rc == 0)
        rc = input_check(a, in, err);
    if (rc == 0 && surv_next_state(a, x.state) < 0)
        rc = yl_err_set(err, YL_ECONFLICT, "state", "the alert is %s: it cannot be %s",
                        surv_state_code(x.state),
                        a == SURV_VERIFY    ? "taken into verification"
                        : a == SURV_CONFIRM ? "confirmed"
                        : a == SURV_DISMISS ? "dismissed"
                                            : "assigned");
    if (rc == 0)
        rc = apply(c, &x, a, in, who->actor, now_s, err);
    arena_release(&mem);
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    struct audit_event ev = {surv_action_code(a), "alert", text, "ok"};
    return audit_finish_write(c, who->actor, &ev, rc, err);
}

/* --- indicators ----------------------------------------------------------------------- */

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return a < b ? -1 : a > b;
}

int surv_alert_indicators(struct store *s, const struct acct_principal *who, const char *ou,
                          int32_t from_day, int32_t to_day, struct surv_alert_indicators *out,
                          struct yl_err *err)
{
    if (!surv_may_read(who))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not read alerts",
                          acct_role_name(who->role));
    if (!empty(ou) && adcode_level(ou, strlen(ou)) == 0)
        return yl_err_set(err, YL_EINVAL, "ou", "ou \"%s\" is not an org unit code", ou);
    memset(out, 0, sizeof(*out));
    out->share_verified_24h = NAN;
    out->median_verify_s = NAN;
    const char *pre = scope_prefix(who);
    const char *sub = pre;
    if (!empty(ou)) {
        if (strncmp(ou, pre, strlen(pre)) == 0)
            sub = ou;
        else if (strncmp(pre, ou, strlen(ou)) != 0)
            return 0;
    }
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_INDICATORS);
    store_bind_int(st, 1, (int64_t)from_day * 86400);
    store_bind_int(st, 2, ((int64_t)to_day + 1) * 86400);
    store_bind_text(st, 3, sub);
    store_bind_text(st, 4, sub);
    size_t cap = 256;
    int64_t *times = xmalloc(cap * sizeof(int64_t));
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        int lv = (int)store_col_int(st, 0);
        int sv = surv_state_find(store_col_text(st, 1));
        int64_t v = store_col_int(st, 2);
        if (lv < 0 || lv >= SURV_LEVEL_COUNT || sv < 0)
            continue;
        out->by_level_state[lv][sv]++;
        out->total++;
        if (v < 0)
            continue;
        if ((size_t)out->closed == cap)
            times = xrealloc(times, (cap *= 2) * sizeof(int64_t));
        times[out->closed++] = v;
        out->verified_24h += v <= 24 * 3600;
    }
    store_release(c);
    if (rc == 0 && out->total > 0)
        out->share_verified_24h = (double)out->verified_24h / (double)out->total;
    if (rc == 0 && out->closed > 0) {
        qsort(times, (size_t)out->closed, sizeof(int64_t), cmp_i64);
        size_t m = (size_t)out->closed;
        out->median_verify_s = m % 2 ? (double)times[m / 2]
                                     : ((double)times[m / 2 - 1] + (double)times[m / 2]) / 2;
    }
    free(times);
    return rc < 0 ? rc : 0;
}
