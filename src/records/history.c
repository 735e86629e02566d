/*
 * history.c - what happens to a resident over time: moves, moving out, death, and tags.
 * History is appended, never rewritten: a move writes the period that ends the day before as
 * a `residence` row and starts the current residence (resident.ou_id, residence_from) on the
 * day, so an indicator for a past period finds the resident where they lived then; anything
 * dated before the current residence began is refused. The rec_*_on
 * operations work on an open transaction and are shared with the CSV import.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/date.h"
#include "core/err.h"
#include "records/records_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

/* Field names of the API's request bodies. */
static const struct rec_fields api_fields = {
    .date = "date",
    .ou_code = "ou_code",
    .cause = "cause",
    .maternal = "maternal_death",
    .tag = "tag",
    .from = "from",
    .to = "to",
    .expected = "expected_delivery",
};

static int not_active(const struct rec_state *st, const char *what, struct yl_err *err)
{
    return yl_err_set(err, YL_ECONFLICT, NULL, "only an active resident can %s (status is %s)",
                      what, vocab_code(VOCAB_RESIDENT_STATUS, st->status));
}

static int touch(struct store_conn *c, int64_t id, const char *now, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_TOUCH);
    store_bind_text(st, 1, now);
    store_bind_int(st, 2, id);
    return store_exec(st, err);
}

int rec_move_on(struct store_conn *c, struct rec_state *state, int64_t ou_id, int32_t date,
                const struct rec_fields *f, const char *now, struct yl_err *err)
{
    if (state->status != RSTAT_ACTIVE)
        return not_active(state, "move", err);
    if (ou_id == state->ou_id)
        return yl_err_set(err, YL_EINVAL, f->ou_code,
                          "the resident already lives in this org unit");
    if (date > date_today())
        return yl_err_set(err, YL_EINVAL, f->date, "the move date is in the future");
    /* The old residence ends the day before the new one begins; a move on or before the
     * day the current residence began would leave an empty or inverted period. */
    if (date <= state->residence_from)
        return yl_err_set(err, YL_EINVAL, f->date,
                          "the move date must be after the day the current residence began");
    struct store_stmt *st = store_stmt(c, STORE_SQL_RESIDENCE_INSERT);
    store_bind_int(st, 1, state->id);
    store_bind_int(st, 2, state->ou_id);
    rec_bind_date(st, 3, state->residence_from);
    rec_bind_date(st, 4, date - 1);
    int rc = store_exec(st, err);
    if (rc != 0)
        return rc;
    st = store_stmt(c, STORE_SQL_REC_SET_OU);
    store_bind_int(st, 1, ou_id);
    rec_bind_date(st, 2, date);
    store_bind_text(st, 3, now);
    store_bind_int(st, 4, state->id);
    rc = store_exec(st, err);
    if (rc != 0)
        return rc;
    state->ou_id = ou_id;
    state->residence_from = date;
    return 0;
}

int rec_leave_on(struct store_conn *c, struct rec_state *state, int status, int32_t date,
                 const char *cause, int maternal, const struct rec_fields *f, const char *now,
                 struct yl_err *err)
{
    assert(status == RSTAT_MOVED_OUT || status == RSTAT_DECEASED);
    bool death = status == RSTAT_DECEASED;
    if (state->status != RSTAT_ACTIVE)
        return not_active(state, death ? "die" : "move out", err);
    int rc = rec_check_day(date, state->birth, date_today(), f->date,
                           death ? "the date of death" : "the date of moving out", err);
    if (rc != 0)
        return rc;
    if (date < state->residence_from)
        return yl_err_set(err, YL_EINVAL, f->date,
                          "the date is before the day the current residence began");
    if (cause == NULL)
        cause = "";
    if (death) {
        rc = rec_check_icd10(cause, strlen(cause), f->cause, err);
        if (rc == 0 && maternal)
            rc = rec_check_maternal(state->sex, state->birth, date, f->maternal, err);
        if (rc != 0)
            return rc;
    } else if (cause[0] != '\0' || maternal) {
        return yl_err_set(err, YL_EINVAL, cause[0] ? f->cause : f->maternal,
                          "only a death has a cause");
    }
    /* Leaving ends the current residence on the day itself (the person was there that day):
     * the status date is its end, so no residence row is written. */
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_SET_STATUS);
    store_bind_text(st, 1, vocab_code(VOCAB_RESIDENT_STATUS, status));
    rec_bind_date(st, 2, date);
    store_bind_text(st, 3, death ? cause : "");
    store_bind_int(st, 4, death && maternal ? 1 : 0);
    store_bind_text(st, 5, now);
    store_bind_int(st, 6, state->id);
    rc = store_exec(st, err);
    if (rc != 0)
        return rc;
    state->status = status;
    state->status_date = date;
    return 0;
}

static int32_t span_end(int32_t to)
{
    return to == DATE_INVALID ? INT32_MAX : to;
}

int rec_tag_check(const struct rec_state *state, int tag, int32_t from, int32_t to,
                  int32_t expected, const struct rec_tag *tags, size_t n_tags, int64_t skip_id,
                  const struct rec_fields *f, struct yl_err *err)
{
    int32_t today = date_today();
    int rc = rec_check_day(from, state->birth, today, f->from, "the tag's start", err);
    if (rc != 0)
        return rc;
    if (to != DATE_INVALID && to < from)
        return yl_err_set(err, YL_EINVAL, f->to, "the tag's end is before its start");
    if (to != DATE_INVALID && to > today)
        return yl_err_set(err, YL_EINVAL, f->to, "the tag's end is in the future");
    if (state->status != RSTAT_ACTIVE && state->status_date != DATE_INVALID &&
        from > state->status_date)
        return yl_err_set(err, YL_EINVAL, f->from,
                          "the tag's start is after the resident left the population");
    if (tag == TAG_PREGNANT) {
        if (state->sex != 2)
            return yl_err_set(err, YL_EINVAL, f->tag, "only a woman can be pregnant");
        if (expected == DATE_INVALID)
            return yl_err_set(err, YL_EINVAL, f->expected,
                              "expected_delivery is required for pregnant");
        /* A pregnancy is registered before delivery and lasts at most about 44 weeks. */
        if (expected <= from || expected > date_add_months(from, 10))
            return yl_err_set(err, YL_EINVAL, f->expected,
                              "expected delivery must fall after the tag's start and within "
                              "ten months of it");
    } else if (expected != DATE_INVALID) {
        return yl_err_set(err, YL_EINVAL, f->expected, "expected_delivery is only for pregnant");
    }
    for (size_t i = 0; i < n_tags; i++) {
        const struct rec_tag *t = &tags[i];
        if (t->tag != tag || t->id == skip_id)
            continue;
        if (from <= span_end(t->to) && t->from <= span_end(to))
            return yl_err_set(err, YL_EINVAL, f->from,
                              "the span overlaps another span of tag %s",
                              vocab_code(VOCAB_TAG, tag));
    }
    return 0;
}

int rec_tag_insert(struct store_conn *c, int64_t resident_id, int tag, int32_t from,
                   int32_t to, int32_t expected, int64_t *tag_id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_TAG_INSERT);
    store_bind_int(st, 1, resident_id);
    store_bind_text(st, 2, vocab_code(VOCAB_TAG, tag));
    rec_bind_date(st, 3, from);
    rec_bind_date(st, 4, to);
    rec_bind_date(st, 5, expected);
    int rc = store_step(st, err);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : yl_err_set(err, YL_ESTORE, NULL, "tag not written");
    if (tag_id != NULL)
        *tag_id = store_col_int(st, 0);
    return store_exec(st, err);
}

int rec_tag_mark_on(struct store_conn *c, int64_t resident_id, int tag, int32_t from,
                    int32_t to, struct yl_err *err)
{
    struct rec_tag *tags = NULL;
    size_t n = 0;
    int rc = rec_tags_read(c, resident_id, &tags, &n, err);
    bool covered = false;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct rec_tag *t = &tags[i];
        if (t->tag != tag || t->from > from || span_end(t->to) < from)
            continue;
        if (t->from == from) {
            covered = true;
            continue;
        }
        struct store_stmt *st = store_stmt(c, STORE_SQL_TAG_SET);
        rec_bind_date(st, 1, date_add_days(from, -1));
        rec_bind_date(st, 2, t->expected_delivery);
        store_bind_int(st, 3, t->id);
        rc = store_exec(st, err);
    }
    free(tags);
    if (rc != 0 || covered)
        return rc;
    return rec_tag_insert(c, resident_id, tag, from, to, DATE_INVALID, NULL, err);
}

/* --- the API's writes ------------------------------------------------------------------- */

/* Begin a write on a resident in scope and load their state. On failure the connection is
 * already given back (*c NULL) unless the failure came after the transaction began. */
static int begin_on(struct store *s, const struct acct_principal *who, int64_t id,
                    struct store_conn **c, struct rec_state *state, struct yl_err *err)
{
    int rc = store_write_begin(s, c, err);
    if (rc != 0)
        return rc;
    rc = rec_scope_check(*c, who, id, err);
    if (rc == 0)
        rc = rec_state_load(*c, id, state, err);
    return rc;
}

int rec_resident_move(struct store *s, const struct acct_principal *who,
                      const struct audit_actor *by, int64_t id, const char *ou_code,
                      const char *date, struct yl_err *err)
{
    int32_t day;
    int rc = rec_parse_date(date, 1, "date", &day, err);
    if (rc != 0)
        return rc;
    struct store_conn *c;
    struct rec_state state;
    rc = begin_on(s, who, id, &c, &state, err);
    if (c == NULL)
        return rc;
    int64_t ou_id;
    char now[32];
    rec_now(now);
    if (rc == 0)
        rc = rec_ou_village(c, ou_code != NULL ? ou_code : "", "ou_code", &ou_id, err);
    if (rc == 0)
        rc = rec_move_on(c, &state, ou_id, day, &api_fields, now, err);
    return rec_write_end(c, by, "move", id, rc, err);
}

int rec_resident_move_out(struct store *s, const struct acct_principal *who,
                          const struct audit_actor *by, int64_t id, const char *date,
                          struct yl_err *err)
{
    int32_t day;
    int rc = rec_parse_date(date, 1, "date", &day, err);
    if (rc != 0)
        return rc;
    struct store_conn *c;
    struct rec_state state;
    rc = begin_on(s, who, id, &c, &state, err);
    if (c == NULL)
        return rc;
    char now[32];
    rec_now(now);
    if (rc == 0)
        rc = rec_leave_on(c, &state, RSTAT_MOVED_OUT, day, NULL, 0, &api_fields, now, err);
    return rec_write_end(c, by, "move_out", id, rc, err);
}

int rec_resident_death(struct store *s, const struct acct_principal *who,
                       const struct audit_actor *by, int64_t id, const char *date,
                       const char *cause, int maternal_death, struct yl_err *err)
{
    int32_t day;
    int rc = rec_parse_date(date, 1, "date", &day, err);
    if (rc == 0 && (cause == NULL || cause[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "cause", "cause is required");
    if (rc == 0)
        rc = rec_check_icd10(cause, strlen(cause), "cause", err);
    if (rc != 0)
        return rc;
    struct store_conn *c;
    struct rec_state state;
    rc = begin_on(s, who, id, &c, &state, err);
    if (c == NULL)
        return rc;
    char now[32];
    rec_now(now);
    if (rc == 0)
        rc = rec_leave_on(c, &state, RSTAT_DECEASED, day, cause, maternal_death, &api_fields,
                          now, err);
    return rec_write_end(c, by, "death", id, rc, err);
}

int rec_tag_add(struct store *s, const struct acct_principal *who,
                const struct audit_actor *by, int64_t resident_id,
                const struct rec_tag_input *in, int64_t *tag_id, struct yl_err *err)
{
    int tag;
    int32_t from, to, expected;
    int rc = vocab_parse(VOCAB_TAG, in->tag != NULL ? in->tag : "", "tag", &tag, err);
    if (rc == 0)
        rc = rec_parse_date(in->from, 1, "from", &from, err);
    if (rc == 0)
        rc = rec_parse_date(in->to, 0, "to", &to, err);
    if (rc == 0)
        rc = rec_parse_date(in->expected_delivery, 0, "expected_delivery", &expected, err);
    if (rc != 0)
        return rc;
    struct store_conn *c;
    struct rec_state state;
    rc = begin_on(s, who, resident_id, &c, &state, err);
    if (c == NULL)
        return rc;
    struct rec_tag *tags = NULL;
    size_t n = 0;
    int64_t new_id = 0;
    char now[32];
    rec_now(now);
    if (rc == 0)
        rc = rec_tags_read(c, resident_id, &tags, &n, err);
    if (rc == 0)
        rc = rec_tag_check(&state, tag, from, to, expected, tags, n, 0, &api_fields, err);
    if (rc == 0)
        rc = rec_tag_insert(c, resident_id, tag, from, to, expected, &new_id, err);
    if (rc == 0)
        rc = touch(c, resident_id, now, err);
    free(tags);
    rc = rec_write_end(c, by, "tag_add", resident_id, rc, err);
    if (rc == 0 && tag_id != NULL)
        *tag_id = new_id;
    return rc;
}

int rec_tag_end(struct store *s, const struct acct_principal *who,
                const struct audit_actor *by, int64_t resident_id, int64_t tag_id,
                const char *to, struct yl_err *err)
{
    int32_t day;
    int rc = rec_parse_date(to, 1, "to", &day, err);
    if (rc != 0)
        return rc;
    struct store_conn *c;
    struct rec_state state;
    rc = begin_on(s, who, resident_id, &c, &state, err);
    if (c == NULL)
        return rc;
    struct rec_tag *tags = NULL, *t = NULL;
    size_t n = 0;
    char now[32];
    rec_now(now);
    if (rc == 0)
        rc = rec_tags_read(c, resident_id, &tags, &n, err);
    for (size_t i = 0; rc == 0 && i < n && t == NULL; i++)
        if (tags[i].id == tag_id)
            t = &tags[i];
    if (rc == 0 && t == NULL)
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such tag");
    if (rc == 0 && t->to != DATE_INVALID)
        rc = yl_err_set(err, YL_EINVAL, "to", "the tag has already ended");
    if (rc == 0 && day < t->from)
        rc = yl_err_set(err, YL_EINVAL, "to", "the tag's end is before its start");
    if (rc == 0 && day > date_today())
        rc = yl_err_set(err, YL_EINVAL, "to", "the tag's end is in the future");
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_TAG_SET);
        rec_bind_date(st, 1, day);
        rec_bind_date(st, 2, t->expected_delivery);
        store_bind_int(st, 3, tag_id);
        rc = store_exec(st, err);
    }
    if (rc == 0)
        rc = touch(c, resident_id, now, err);
    free(tags);
    return rec_write_end(c, by, "tag_end", resident_id, rc, err);
}
