/*
 * signals.c - recording signals and turning the engine's candidates into stored alerts
 * (alerts.h).
 *
 * The one idea: identity lives in the store. A signal is its (kind, code, ou, day, method,
 * place);
 * an alert is its place (org unit and code) and window. So evaluating the same days again
 * finds each candidate's alert with every signal linked and writes nothing, and a candidate
 * that grew (a third channel, a red rule) extends its alert: new links, a wider window, a
 * level that only goes up, and a history row saying which. A dismissed alert stays closed:
 * its evidence alone raises nothing, new evidence at its place raises a new alert.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts_int.h"
#include "audit/audit.h"
#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"

char *alert_time_format(int64_t t, char out[SURV_TIME_LEN])
{
    return date_time_format(t, out);
}

void alert_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

static double col_num(struct store_stmt *st, int col)
{
    return store_col_is_null(st, col) ? NAN : store_col_double(st, col);
}

void surv_signal_from_row(struct store_stmt *st, struct arena *a, struct surv_signal *out)
{
    memset(out, 0, sizeof(*out));
    out->id = store_col_int(st, 0);
    int k = surv_source_find(store_col_text(st, 1));
    out->kind = k < 0 ? SURV_SRC_DISEASE : (enum surv_source)k;
    out->code = arena_strdup(a, store_col_text(st, 2));
    out->ou = arena_strdup(a, store_col_text(st, 3));
    out->day = (int32_t)store_col_int(st, 4);
    out->method = arena_strdup(a, store_col_text(st, 5));
    out->count = col_num(st, 6);
    out->expected = col_num(st, 7);
    out->upper = col_num(st, 8);
    out->score = col_num(st, 9);
    out->place_kind = arena_strdup(a, store_col_text(st, 10));
    out->place = arena_strdup(a, store_col_text(st, 11));
    out->members = arena_strdup(a, store_col_text(st, 12));
}

static void bind_num(struct store_stmt *st, int idx, double v)
{
    if (isnan(v) || isinf(v))
        store_bind_null(st, idx);
    else
        store_bind_double(st, idx, v);
}

static bool code_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

int surv_signal_check(const struct surv_signal *s, size_t i, struct yl_err *err)
{
    char field[48];
    if ((size_t)s->kind >= SURV_SRC_COUNT) {
        snprintf(field, sizeof(field), "signals[%zu].kind", i);
        return yl_err_set(err, YL_EINVAL, field, "kind is not disease, channel or cluster");
    }
    if (!code_ok(s->code, SURV_CODE_MAX)) {
        snprintf(field, sizeof(field), "signals[%zu].code", i);
        return yl_err_set(err, YL_EINVAL, field, "code is empty, longer than %d bytes or "
                          "holds characters other than letters, digits and - _ .",
                          SURV_CODE_MAX);
    }
    snprintf(field, sizeof(field), "signals[%zu].ou", i);
    if (s->ou == NULL || adcode_validate(s->ou, strlen(s->ou), field, err) != 0)
        return yl_err_set(err, YL_EINVAL, field, "ou is not an org unit code");
    if (adcode_level(s->ou, strlen(s->ou)) < 3)
        return yl_err_set(err, YL_EINVAL, field, "ou \"%s\" is above a county", s->ou);
    if (!code_ok(s->method, SURV_METHOD_MAX)) {
        snprintf(field, sizeof(field), "signals[%zu].method", i);
        return yl_err_set(err, YL_EINVAL, field, "method is empty or malformed");
    }
    if (s->day <= 0) {
        snprintf(field, sizeof(field), "signals[%zu].day", i);
        return yl_err_set(err, YL_EINVAL, field, "day is not a date after 1970-01-01");
    }
    bool cluster = s->kind == SURV_SRC_CLUSTER;
    bool has_kind = s->place_kind != NULL && s->place_kind[0] != '\0';
    if (cluster != has_kind ||
        (has_kind && strcmp(s->place_kind, "school") != 0 &&
         strcmp(s->place_kind, "village") != 0)) {
        snprintf(field, sizeof(field), "signals[%zu].place_kind", i);
        return yl_err_set(err, YL_EINVAL, field, "a cluster and only a cluster names its "
                          "place kind, school or village");
    }
    if ((s->place && strlen(s->place) > SURV_PLACE_MAX) ||
        (s->members && strlen(s->members) > SURV_TEXT_MAX)) {
        snprintf(field, sizeof(field), "signals[%zu].place", i);
        return yl_err_set(err, YL_EINVAL, field, "place or members too long");
    }
    return 0;
}

int surv_signal_insert(struct store_conn *c, struct surv_signal *sg, bool *is_new,
                       const char *now, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_SIGNAL_INSERT);
    int k = 1;
    store_bind_text(st, k++, surv_source_code(sg->kind));
    store_bind_text(st, k++, sg->code);
    store_bind_text(st, k++, sg->ou);
    store_bind_int(st, k++, sg->day);
    store_bind_text(st, k++, sg->method);
    bind_num(st, k++, sg->count);
    bind_num(st, k++, sg->expected);
    bind_num(st, k++, sg->upper);
    bind_num(st, k++, sg->score);
    store_bind_text(st, k++, sg->place_kind ? sg->place_kind : "");
    store_bind_text(st, k++, sg->place ? sg->place : "");
    store_bind_text(st, k++, sg->members ? sg->members : "");
    store_bind_text(st, k++, now);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        sg->id = store_col_int(st, 0);
        *is_new = true;
        alert_stmt_finish(st, rc);
        return 0;
    }
    if (rc < 0)
        return rc;
    /* Already there: the same alarm found by an earlier run. */
    *is_new = false;
    st = store_stmt(c, STORE_SQL_SURV_SIGNAL_FIND);
    store_bind_text(st, 1, surv_source_code(sg->kind));
    store_bind_text(st, 2, sg->code);
    store_bind_text(st, 3, sg->ou);
    store_bind_int(st, 4, sg->day);
    store_bind_text(st, 5, sg->method);
    store_bind_text(st, 6, sg->place ? sg->place : "");
    rc = store_step(st, err);
    if (rc == STORE_ROW)
        sg->id = store_col_int(st, 0);
    alert_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int surv_signals_record(struct store *s, struct surv_signal *signals, size_t n, bool *is_new,
                        const struct audit_actor *by, int64_t now_s, struct yl_err *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = surv_signal_check(&signals[i], i, err);
        if (rc != 0)
            return rc;
    }
    char now[SURV_TIME_LEN];
    alert_time_format(now_s, now);
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    size_t fresh = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool one = false;
        rc = surv_signal_insert(c, &signals[i], &one, now, err);
        if (is_new != NULL)
            is_new[i] = one;
        fresh += one;
    }
    char text[48];
    snprintf(text, sizeof(text), "%zu of %zu new", fresh, n);
    struct audit_event ev = {"record", "signal", text, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

int surv_history_add(struct store_conn *c, int64_t id, int64_t now_s, const char *action,
                     const char *from_state, const char *to_state, int level,
                     const struct audit_actor *by, const char *detail, struct yl_err *err)
{
    char now[SURV_TIME_LEN];
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_HISTORY_INSERT);
    store_bind_int(st, 1, id);
    store_bind_text(st, 2, alert_time_format(now_s, now));
    store_bind_text(st, 3, action);
    store_bind_text(st, 4, from_state);
    store_bind_text(st, 5, to_state);
    store_bind_int(st, 6, level);
    if (by != NULL && by->user_id > 0)
        store_bind_int(st, 7, by->user_id);
    else
        store_bind_null(st, 7);
    store_bind_text(st, 8, by && by->username ? by->username : "");
    store_bind_text(st, 9, detail ? detail : "");
    return store_exec(st, err);
}

/* --- evaluation ----------------------------------------------------------------------- */

/* The stored signals of days [from, to] into an array in `a`. */
static int read_signals(struct store_conn *c, int32_t from, int32_t to, struct arena *a,
                        struct surv_signal **out, size_t *n, struct yl_err *err)
{
    size_t cap = 64, m = 0;
    struct surv_signal *v = xmalloc(cap * sizeof(*v));
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_SIGNAL_DAYS);
    store_bind_int(st, 1, from);
    store_bind_int(st, 2, to);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (m == cap)
            v = xrealloc(v, (cap *= 2) * sizeof(*v));
        surv_signal_from_row(st, a, &v[m++]);
    }
    if (rc == 0) {
        *out = arena_alloc(a, (m ? m : 1) * sizeof(*v));
        memcpy(*out, v, m * sizeof(*v));
        *n = m;
    }
    free(v);
    return rc;
}

/* Centroids of the townships the signals lie in (those the registry places). */
static int read_points(struct store_conn *c, const struct surv_signal *sg, size_t n,
                       struct arena *a, struct surv_ou_point **out, size_t *n_out,
                       struct yl_err *err)
{
    struct surv_ou_point *p = arena_alloc(a, (n ? n : 1) * sizeof(*p));
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strlen(sg[i].ou) < 9)
            continue;
        bool seen = false;
        for (size_t j = 0; j < m && !seen; j++)
            seen = strncmp(p[j].ou, sg[i].ou, 9) == 0;
        if (seen)
            continue;
        char *town = arena_strndup(a, sg[i].ou, 9);
        struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_OU_POINT);
        store_bind_text(st, 1, town);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            p[m++] = (struct surv_ou_point){town, store_col_double(st, 0),
                                            store_col_double(st, 1)};
        alert_stmt_finish(st, rc);
        rc = rc < 0 ? rc : 0;
    }
    *out = p;
    *n_out = m;
    return rc;
}

/* Record one candidate: extend the open alert of its place and window, or raise it. */
static int record_candidate(struct store_conn *c, const struct surv_candidate *x,
                            const struct surv_signal *sg, int window,
                            const struct audit_actor *by, int64_t now_s,
                            struct surv_ingest_result *res, struct yl_err *err)
{
    int64_t alert = 0;
    int level = 0;
    int32_t first = 0, last = 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_ALERT_MATCH);
    store_bind_text(st, 1, x->ou);
    store_bind_text(st, 2, x->code);
    store_bind_int(st, 3, x->last_day + window);
    store_bind_int(st, 4, x->first_day - window);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        alert = store_col_int(st, 0);
        level = (int)store_col_int(st, 1);
        first = (int32_t)store_col_int(st, 2);
        last = (int32_t)store_col_int(st, 3);
    }
    alert_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    rc = 0;
    /* Evidence that is all in alerts already (a dismissed one) raises nothing again. */
    bool fresh = alert != 0;
    for (size_t k = 0; !fresh && k < x->n_signals; k++) {
        st = store_stmt(c, STORE_SQL_SURV_SIGNAL_LINKED);
        store_bind_int(st, 1, sg[x->signals[k]].id);
        rc = store_step(st, err);
        fresh = rc == STORE_DONE;
        alert_stmt_finish(st, rc);
        if (rc < 0)
            return rc;
        rc = 0;
    }
    if (!fresh)
        return 0;
    bool raise = alert == 0;
    if (raise) {
        char now[SURV_TIME_LEN];
        st = store_stmt(c, STORE_SQL_SURV_ALERT_INSERT);
        store_bind_text(st, 1, x->rule);
        store_bind_int(st, 2, x->level);
        store_bind_text(st, 3, x->ou);
        store_bind_text(st, 4, x->code);
        store_bind_int(st, 5, x->first_day);
        store_bind_int(st, 6, x->last_day);
        store_bind_text(st, 7, alert_time_format(now_s, now));
        store_bind_int(st, 8, now_s);
        rc = store_step(st, err);
        if (rc == STORE_ROW)
            alert = store_col_int(st, 0);
        alert_stmt_finish(st, rc);
        if (rc < 0)
            return rc;
        rc = 0;
    }
    size_t linked = 0;
    for (size_t k = 0; rc == 0 && k < x->n_signals; k++) {
        st = store_stmt(c, STORE_SQL_SURV_ALERT_LINK);
        store_bind_int(st, 1, alert);
        store_bind_int(st, 2, sg[x->signals[k]].id);
        rc = store_exec(st, err);
        linked += rc == 0 ? (size_t)store_changes(c) : 0;
    }
    if (rc != 0)
        return rc;
    char detail[160];
    if (raise) {
        res->new_alerts++;
        snprintf(detail, sizeof(detail), "rule %s, %zu signals", x->rule, x->n_signals);
        return surv_history_add(c, alert, now_s, "raise", "", "open", x->level, by, detail, err);
    }
    bool higher = (int)x->level > level;
    bool wider = x->first_day < first || x->last_day > last;
    if (!higher && !wider && linked == 0)
        return 0;
    st = store_stmt(c, STORE_SQL_SURV_ALERT_WIDEN);
    store_bind_int(st, 1, x->first_day);
    store_bind_int(st, 2, x->last_day);
    store_bind_int(st, 3, x->level);
    store_bind_text(st, 4, x->rule);
    store_bind_int(st, 5, x->level);
    store_bind_int(st, 6, alert);
    rc = store_exec(st, err);
    if (rc != 0)
        return rc;
    res->extended++;
    snprintf(detail, sizeof(detail), "rule %s, %zu new signals%s", x->rule, linked,
             higher ? ", level raised" : "");
    return surv_history_add(c, alert, now_s, higher ? "escalate" : "extend", "", "",
                            higher ? (int)x->level : level, by, detail, err);
}

int surv_alerts_evaluate(struct store *s, const struct surv_rules *rules,
                         surv_class_a_fn *class_a, void *class_a_cls, int32_t from_day,
                         int32_t to_day, const struct audit_actor *by, int64_t now_s,
                         struct surv_ingest_result *res, struct yl_err *err)
{
    struct surv_ingest_result local = {0};
    if (res == NULL)
        res = &local;
    res->new_alerts = res->extended = 0;
    int window = surv_rules_max_window(rules);
    struct arena mem;
    arena_init(&mem);
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0) {
        arena_release(&mem);
        return rc;
    }
    struct surv_signal *sg = NULL;
    struct surv_ou_point *pts = NULL;
    struct surv_candidate *cand = NULL;
    size_t n = 0, n_pts = 0, n_cand = 0;
    rc = read_signals(c, from_day - window, to_day + window, &mem, &sg, &n, err);
    if (rc == 0)
        rc = read_points(c, sg, n, &mem, &pts, &n_pts, err);
    if (rc == 0)
        rc = surv_rules_apply(rules, sg, n, pts, n_pts, class_a, class_a_cls, &mem, &cand,
                              &n_cand, err);
    for (size_t i = 0; rc == 0 && i < n_cand; i++)
        rc = record_candidate(c, &cand[i], sg, window, by, now_s, res, err);
    arena_release(&mem);
    char text[48];
    snprintf(text, sizeof(text), "%zu raised, %zu extended", res->new_alerts, res->extended);
    struct audit_event ev = {"evaluate", "alert", text, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

int surv_signals_ingest(struct store *s, const struct surv_rules *rules,
                        surv_class_a_fn *class_a, void *class_a_cls,
                        struct surv_signal *signals, size_t n, const struct audit_actor *by,
                        int64_t now_s, struct surv_ingest_result *res, struct yl_err *err)
{
    struct surv_ingest_result local = {0};
    if (res == NULL)
        res = &local;
    memset(res, 0, sizeof(*res));
    if (n == 0)
        return 0;
    bool *fresh = xcalloc(n, sizeof(bool));
    int rc = surv_signals_record(s, signals, n, fresh, by, now_s, err);
    int32_t lo = signals[0].day, hi = signals[0].day;
    for (size_t i = 0; i < n; i++) {
        res->new_signals += fresh[i];
        lo = signals[i].day < lo ? signals[i].day : lo;
        hi = signals[i].day > hi ? signals[i].day : hi;
    }
    free(fresh);
    if (rc == 0)
        rc = surv_alerts_evaluate(s, rules, class_a, class_a_cls, lo, hi, by, now_s, res, err);
    return rc;
}
