/*
 * syndromic.c - syndromic counts: one value per channel, org unit and day (a proportion
 * channel also its denominator), written as an upsert that changes nothing when the same
 * value is sent again, so a re-run import or a client's retry is idempotent.
 *
 * Who may write: the system, an admin, and an epidemiologist within their subtree (the
 * route asks for surveil_write); counts are aggregates, not personal data.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"
#include "surveil/surveil.h"
#include "surveil/surveil_int.h"

static int count_scope(const struct acct_principal *who, const char *ou, struct yl_err *err)
{
    if (who == NULL || who->scope.kind == SCOPE_REGION)
        return who == NULL || who->role == ROLE_ADMIN || who->role == ROLE_EPIDEMIOLOGIST
                   ? 0
                   : yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not record counts",
                                acct_role_name(who->role));
    if (who->role == ROLE_EPIDEMIOLOGIST && who->scope.kind == SCOPE_OU &&
        adcode_in_subtree(ou, who->scope.ref))
        return 0;
    return yl_err_set(err, YL_EFORBIDDEN, "ou", "org unit \"%s\" is outside your scope", ou);
}

int surv_count_apply(struct store_conn *c, const struct surv_catalog *cat,
                     const struct acct_principal *who, const struct surv_count_input *in,
                     bool *changed, struct yl_err *err)
{
    *changed = false;
    int32_t day;
    const char *date = in->date ? in->date : "", *ou = in->ou ? in->ou : "";
    if (date[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "date", "date is required");
    int rc = date_parse(date, strlen(date), &day, "date", err);
    if (rc == 0 && day > date_today())
        rc = yl_err_set(err, YL_EINVAL, "date", "date is in the future");
    if (rc == 0 && ou[0] == '\0')
        rc = yl_err_set(err, YL_EINVAL, "ou", "ou is required");
    if (rc == 0)
        rc = adcode_validate(ou, strlen(ou), "ou", err);
    const struct surv_channel *ch = surv_channel_find(cat, in->channel);
    if (rc == 0 && ch == NULL)
        rc = yl_err_set(err, YL_EINVAL, "channel", "unknown channel \"%s\"",
                        in->channel ? in->channel : "");
    if (rc == 0 && (!isfinite(in->value) || in->value < 0))
        rc = yl_err_set(err, YL_EINVAL, "value", "value must be a number of 0 or more");
    bool prop = ch != NULL && ch->kind == SURV_CH_PROPORTION;
    if (rc == 0 && prop && (!isfinite(in->denominator) || in->denominator <= 0))
        rc = yl_err_set(err, YL_EINVAL, "denominator",
                        "channel \"%s\" is a proportion: denominator must be above 0",
                        ch->code);
    if (rc == 0 && prop && in->value > in->denominator)
        rc = yl_err_set(err, YL_EINVAL, "value", "value is above its denominator");
    if (rc == 0 && !prop && !isnan(in->denominator))
        rc = yl_err_set(err, YL_EINVAL, "denominator",
                        "channel \"%s\" is a count: it has no denominator", ch->code);
    if (rc == 0)
        rc = count_scope(who, ou, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_OU_BY_CODE);
    store_bind_text(st, 1, ou);
    rc = store_step(st, err);
    int64_t ou_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    surv_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (ou_id == 0)
        return yl_err_set(err, YL_EINVAL, "ou", "no org unit \"%s\"", ou);
    char now[32], text[DATE_STR_LEN];
    audit_now_rfc3339(now);
    st = store_stmt(c, STORE_SQL_SURV_COUNT_UPSERT);
    store_bind_text(st, 1, ch->code);
    store_bind_text(st, 2, ou);
    store_bind_text(st, 3, date_format(day, text));
    store_bind_int(st, 4, ou_id);
    store_bind_double(st, 5, in->value);
    if (prop)
        store_bind_double(st, 6, in->denominator);
    else
        store_bind_null(st, 6);
    store_bind_text(st, 7, now);
    rc = store_exec(st, err);
    if (rc != 0)
        return rc;
    *changed = store_changes(c) > 0;
    return 0;
}

int surv_count_record(struct store *s, const struct surv_catalog *cat,
                      const struct acct_principal *who, const struct audit_actor *by,
                      const struct surv_count_input *in, size_t n, size_t *changed,
                      size_t *failed_index, struct yl_err *err)
{
    struct store_conn *c;
    *changed = 0;
    *failed_index = 0;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool one = false;
        rc = surv_count_apply(c, cat, who, &in[i], &one, err);
        if (rc != 0)
            *failed_index = i;
        *changed += one;
    }
    if (rc == 0 && *changed == 0) {
        store_rollback(c);
        store_release(c);
        return 0;
    }
    char what[32];
    snprintf(what, sizeof(what), "%zu", *changed);
    struct audit_event ev = {"record_syndromic", "syndromic_count", what, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}
