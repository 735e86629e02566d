/*
 * resident.c - a resident's record: create, change the details that carry no history, read
 * it whole (tags, residence history, current contract), and the one place every write of a
 * resident ends.
 *
 * Sex and birth date are facts of the ID number (GB 11643): given ones must agree with it,
 * missing ones are taken from it, and neither can be changed afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "records/records_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

/* --- shared helpers ---------------------------------------------------------------------- */

void rec_now(char out[32])
{
    audit_now_rfc3339(out);
}

void rec_bind_date(struct store_stmt *st, int idx, int32_t day)
{
    char text[DATE_STR_LEN];
    if (day == DATE_INVALID)
        store_bind_null(st, idx);
    else
        store_bind_text(st, idx, date_format(day, text));
}

int32_t rec_col_date(struct store_stmt *st, int col)
{
    if (store_col_is_null(st, col))
        return DATE_INVALID;
    const char *s = store_col_text(st, col);
    int32_t d;
    if (date_parse(s, strlen(s), &d, NULL, NULL) != 0)
        return DATE_INVALID;
    return d;
}

int rec_write_end(struct store_conn *c, const struct audit_actor *by, const char *action,
                  int64_t resident_id, int rc, struct yl_err *err)
{
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)resident_id);
    struct audit_event ev = {action, "resident", idtext, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

int rec_ou_village(struct store_conn *c, const char *code, const char *field, int64_t *id,
                   struct yl_err *err)
{
    size_t n = strlen(code);
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
    if (adcode_level(code, n) == 0)
        return yl_err_set(err, YL_EINVAL, field,
                          "%s must be an org unit code of 2, 4, 6, 9 or 12 digits", field);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_OU_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return yl_err_set(err, YL_EINVAL, field, "no org unit \"%s\"", code);
    int64_t level = store_col_int(st, 1);
    *id = store_col_int(st, 0);
    store_exec(st, NULL);
    if (level != ADCODE_VILLAGE)
        return yl_err_set(err, YL_EINVAL, field,
                          "org unit \"%s\" is not a village or community", code);
    return 0;
}

int rec_id_by_number(struct store_conn *c, const char *number, int64_t *id,
                     struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_ID_BY_NUMBER);
    store_bind_text(st, 1, number);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    *id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_exec(st, NULL);
    return 0;
}

int rec_find_resident(struct store_conn *c, const struct acct_principal *who, int64_t given,
                      const char *number, int64_t *id, int32_t *birth, struct yl_err *err)
{
    int rc = 0;
    *id = given;
    if (*id <= 0) {
        struct idno_info info;
        if (number == NULL || number[0] == '\0')
            return yl_err_set(err, YL_EINVAL, "id_number", "id_number is required");
        rc = idno_parse(number, strlen(number), date_today(), &info, "id_number", err);
        if (rc == 0)
            rc = rec_id_by_number(c, info.number, id, err);
        if (rc == 0 && *id == 0)
            rc = yl_err_set(err, YL_EINVAL, "id_number", "no health record has this ID number");
    }
    if (rc == 0)
        rc = rec_scope_check(c, who, *id, err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_BIRTH);
    store_bind_int(st, 1, *id);
    rc = store_step(st, err);
    const char *b = rc == STORE_ROW ? store_col_text(st, 0) : "";
    /* An unreadable birth date bounds nothing (DATE_INVALID is the smallest day). */
    if (rc != STORE_ROW || date_parse(b, strlen(b), birth, NULL, NULL) != 0)
        *birth = DATE_INVALID;
    if (rc == STORE_ROW)
        store_exec(st, NULL);
    return rc < 0 ? rc : 0;
}

void rec_state_from_row(struct store_stmt *st, struct rec_state *state)
{
    memset(state, 0, sizeof(*state));
    state->id = store_col_int(st, 0);
    state->sex = (int)store_col_int(st, 3);
    state->birth = rec_col_date(st, 4);
    state->ou_id = store_col_int(st, 5);
    state->record_date = rec_col_date(st, 10);
    state->status = vocab_find(VOCAB_RESIDENT_STATUS, store_col_text(st, 11));
    state->status_date = rec_col_date(st, 12);
    state->residence_from = rec_col_date(st, 16);
}

int rec_state_load(struct store_conn *c, int64_t id, struct rec_state *state,
                   struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_GET);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such resident");
    rec_state_from_row(st, state);
    store_exec(st, NULL);
    return 0;
}

int rec_tags_read(struct store_conn *c, int64_t id, struct rec_tag **out, size_t *n,
                  struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_TAG_LIST);
    store_bind_int(st, 1, id);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        struct rec_tag *t = &(*out)[(*n)++];
        t->id = store_col_int(st, 0);
        t->tag = vocab_find(VOCAB_TAG, store_col_text(st, 1));
        t->from = rec_col_date(st, 2);
        t->to = rec_col_date(st, 3);
        t->expected_delivery = rec_col_date(st, 4);
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

/* --- create ----------------------------------------------------------------------------- */

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* Everything that needs no database: identity against the ID number, text fields, dates. */
static int create_check(const struct rec_resident_input *in, int32_t today,
                        struct idno_info *info, int32_t *record_date, struct yl_err *err)
{
    const char *idn = or_empty(in->id_number);
    if (idn[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "id_number", "id_number is required");
    int rc = idno_parse(idn, strlen(idn), today, info, "id_number", err);
    if (rc != 0)
        return rc;
    const char *name = or_empty(in->name);
    rc = rec_check_name(name, strlen(name), "name", err);
    if (rc != 0)
        return rc;
    if (in->sex != 0 && in->sex != 1 && in->sex != 2)
        return yl_err_set(err, YL_EINVAL, "sex", "sex must be 1 (male) or 2 (female)");
    if (in->sex != 0 && in->sex != (int)info->sex)
        return yl_err_set(err, YL_EINVAL, "sex", "sex does not match the ID number");
    int32_t birth;
    rc = rec_parse_date(in->birth_date, 0, "birth_date", &birth, err);
    if (rc != 0)
        return rc;
    if (birth != DATE_INVALID && birth != info->birth)
        return yl_err_set(err, YL_EINVAL, "birth_date",
                          "birth date does not match the ID number");
    const char *household = or_empty(in->household), *phone = or_empty(in->phone);
    const char *address = or_empty(in->address);
    rc = rec_check_text(household, strlen(household), 0, REC_HOUSEHOLD_CHARS, "household",
                        err);
    if (rc == 0)
        rc = rec_check_phone(phone, strlen(phone), "phone", err);
    if (rc == 0)
        rc = rec_check_text(address, strlen(address), 0, REC_ADDRESS_CHARS, "address", err);
    if (rc == 0)
        rc = rec_parse_date(in->record_date, 0, "record_date", record_date, err);
    if (rc != 0)
        return rc;
    if (*record_date == DATE_INVALID)
        *record_date = today;
    return rec_check_day(*record_date, info->birth, today, "record_date", "record date", err);
}

int rec_resident_create(struct store *s, const struct acct_principal *who,
                        const struct audit_actor *by, const struct rec_resident_input *in,
                        int64_t *id, struct yl_err *err)
{
    struct idno_info info;
    int32_t record_date;
    int rc = create_check(in, date_today(), &info, &record_date, err);
    if (rc != 0)
        return rc;
    const char *ou_code = or_empty(in->ou_code);
    if (ou_code[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "ou_code", "ou_code is required");
    rc = rec_scope_check_ou(who, ou_code, "ou_code", err);
    if (rc != 0)
        return rc;

    struct store_conn *c;
    rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    int64_t new_id = 0, ou_id = 0;
    char now[32], birth[DATE_STR_LEN], recorded[DATE_STR_LEN];
    rec_now(now);
    rc = rec_ou_village(c, ou_code, "ou_code", &ou_id, err);
    if (rc != 0)
        goto out;
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_INSERT);
    store_bind_text(st, 1, info.number);
    store_bind_text(st, 2, in->name);
    store_bind_int(st, 3, info.sex);
    store_bind_text(st, 4, date_format(info.birth, birth));
    store_bind_int(st, 5, ou_id);
    store_bind_text(st, 6, or_empty(in->household));
    store_bind_text(st, 7, or_empty(in->phone));
    store_bind_text(st, 8, or_empty(in->address));
    store_bind_text(st, 9, date_format(record_date, recorded));
    store_bind_text(st, 10, "active");
    store_bind_null(st, 11);
    store_bind_text(st, 12, "");
    store_bind_int(st, 13, 0);
    store_bind_text(st, 14, now);
    rc = store_step(st, err);
    if (rc == STORE_ROW) {
        new_id = store_col_int(st, 0);
        rc = store_exec(st, err);
    } else if (rc == STORE_DONE) {
        /* ON CONFLICT DO NOTHING returned no row: the number is taken. */
        int64_t existing = 0;
        rc = rec_id_by_number(c, info.number, &existing, err);
        if (rc == 0) {
            bool first = err != NULL && err->code == 0;
            rc = yl_err_set(err, YL_ECONFLICT, "id_number",
                            "a health record with this ID number already exists");
            if (first)
                err->existing_id = existing;
        }
    }
out:
    rc = rec_write_end(c, by, "create", new_id, rc, err);
    if (rc == 0 && id != NULL)
        *id = new_id;
    return rc;
}

/* --- update ----------------------------------------------------------------------------- */

static int patch_check(const struct rec_resident_patch *p, struct yl_err *err)
{
    int rc = 0;
    if (p->name != NULL)
        rc = rec_check_name(p->name, strlen(p->name), "name", err);
    if (rc == 0 && p->phone != NULL)
        rc = rec_check_phone(p->phone, strlen(p->phone), "phone", err);
    if (rc == 0 && p->address != NULL)
        rc = rec_check_text(p->address, strlen(p->address), 0, REC_ADDRESS_CHARS, "address",
                            err);
    if (rc == 0 && p->household != NULL)
        rc = rec_check_text(p->household, strlen(p->household), 0, REC_HOUSEHOLD_CHARS,
                            "household", err);
    return rc;
}

int rec_resident_update(struct store *s, const struct acct_principal *who,
                        const struct audit_actor *by, int64_t id,
                        const struct rec_resident_patch *p, struct yl_err *err)
{
    int rc = patch_check(p, err);
    if (rc != 0)
        return rc;
    struct store_conn *c;
    rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = rec_scope_check(c, who, id, err);
    if (rc != 0)
        goto out;
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_GET);
    store_bind_int(st, 1, id);
    rc = store_step(st, err);
    if (rc != STORE_ROW) {
        rc = rc < 0 ? rc : yl_err_set(err, YL_ENOTFOUND, NULL, "no such resident");
        goto out;
    }
    /* The row's text lives only until the statement moves on: copy the old values. */
    static const int cols[4] = {2, 8, 9, 7};
    const char *next[4] = {p->name, p->phone, p->address, p->household};
    char *old[4];
    bool changed = false;
    for (int i = 0; i < 4; i++)
        old[i] = xstrdup(store_col_text(st, cols[i]));
    store_exec(st, NULL);
    for (int i = 0; i < 4; i++) {
        if (next[i] == NULL)
            next[i] = old[i];
        else if (strcmp(next[i], old[i]) != 0)
            changed = true;
    }
    if (changed) {
        char now[32];
        rec_now(now);
        st = store_stmt(c, STORE_SQL_REC_UPDATE_DETAILS);
        store_bind_text(st, 1, next[0]);
        store_bind_text(st, 2, next[3]);
        store_bind_text(st, 3, next[1]);
        store_bind_text(st, 4, next[2]);
        store_bind_text(st, 5, now);
        store_bind_int(st, 6, id);
        rc = store_exec(st, err);
    } else {
        rc = 0;
    }
    for (int i = 0; i < 4; i++)
        free(old[i]);
out:
    return rec_write_end(c, by, "update", id, rc, err);
}

/* --- read -------------------------------------------------------------------------------- */

static void copy_code(char *out, size_t n, const char *s)
{
    snprintf(out, n, "%s", s);
}

/* Fill out from a row of REC_SQL_COLUMNS. */
static void resident_from_row(struct store_stmt *st, struct arena *a, struct rec_resident *out)
{
    memset(out, 0, sizeof(*out));
    out->id = store_col_int(st, 0);
    copy_code(out->id_number, sizeof(out->id_number), store_col_text(st, 1));
    out->name = arena_strdup(a, store_col_text(st, 2));
    out->sex = (int)store_col_int(st, 3);
    out->birth = rec_col_date(st, 4);
    out->ou_id = store_col_int(st, 5);
    copy_code(out->ou_code, sizeof(out->ou_code), store_col_text(st, 6));
    out->household = arena_strdup(a, store_col_text(st, 7));
    copy_code(out->phone, sizeof(out->phone), store_col_text(st, 8));
    out->address = arena_strdup(a, store_col_text(st, 9));
    out->record_date = rec_col_date(st, 10);
    out->status = vocab_find(VOCAB_RESIDENT_STATUS, store_col_text(st, 11));
    out->status_date = rec_col_date(st, 12);
    copy_code(out->death_cause, sizeof(out->death_cause), store_col_text(st, 13));
    out->maternal_death = store_col_int(st, 14) != 0;
    copy_code(out->updated_at, sizeof(out->updated_at), store_col_text(st, 15));
    out->residence_from = rec_col_date(st, 16);
}

static int read_history(struct store_conn *c, struct arena *a, struct rec_resident *out,
                        struct yl_err *err)
{
    struct rec_tag *tags;
    size_t n;
    int rc = rec_tags_read(c, out->id, &tags, &n, err);
    if (rc != 0)
        return rc;
    out->tags = arena_alloc(a, (n ? n : 1) * sizeof(*tags));
    if (n > 0)
        memcpy(out->tags, tags, n * sizeof(*tags));
    out->n_tags = n;
    free(tags);

    /* The periods that ended with a move, then the current (or last) one from the row. */
    struct store_stmt *st = store_stmt(c, STORE_SQL_RESIDENCE_LIST);
    store_bind_int(st, 1, out->id);
    size_t cap = 4;
    out->residences = arena_alloc(a, cap * sizeof(*out->residences));
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (out->n_residences + 1 == cap) {
            struct rec_residence *more = arena_alloc(a, 2 * cap * sizeof(*more));
            memcpy(more, out->residences, cap * sizeof(*more));
            out->residences = more;
            cap *= 2;
        }
        struct rec_residence *r = &out->residences[out->n_residences++];
        r->ou_id = store_col_int(st, 0);
        copy_code(r->ou_code, sizeof(r->ou_code), store_col_text(st, 1));
        r->from = rec_col_date(st, 2);
        r->to = rec_col_date(st, 3);
    }
    if (rc < 0)
        return rc;
    struct rec_residence *now = &out->residences[out->n_residences++];
    now->ou_id = out->ou_id;
    copy_code(now->ou_code, sizeof(now->ou_code), out->ou_code);
    now->from = out->residence_from;
    now->to = out->status_date;

    st = store_stmt(c, STORE_SQL_REC_CONTRACT_CURRENT);
    store_bind_int(st, 1, out->id);
    rc = store_step(st, err);
    if (rc < 0)
        return rc;
    if (rc == STORE_ROW) {
        out->has_contract = true;
        out->contract.id = store_col_int(st, 0);
        out->contract.team_id = store_col_int(st, 1);
        copy_code(out->contract.team_code, sizeof(out->contract.team_code),
                  store_col_text(st, 2));
        out->contract.team_name = arena_strdup(a, store_col_text(st, 3));
        copy_code(out->contract.package, sizeof(out->contract.package), store_col_text(st, 4));
        out->contract.from = rec_col_date(st, 5);
        out->contract.to = rec_col_date(st, 6);
        store_exec(st, NULL);
    }
    return 0;
}

int rec_resident_get(struct store *s, const struct acct_principal *who, int64_t id,
                     struct arena *a, struct rec_resident *out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    /* One read transaction: the record, its tags and history are one consistent state. */
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = rec_scope_check(c, who, id, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REC_GET);
        store_bind_int(st, 1, id);
        rc = store_step(st, err);
        if (rc == STORE_ROW) {
            resident_from_row(st, a, out);
            rc = store_exec(st, err);
        } else if (rc == STORE_DONE) {
            rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no such resident");
        }
    }
    if (rc == 0)
        rc = read_history(c, a, out, err);
    store_rollback(c);
    store_release(c);
    if (rc != 0)
        return rc;
    if (!rec_shows_identity(who)) {
        char masked[IDNO_LEN + 1];
        memcpy(out->id_number, idno_mask(out->id_number, masked), sizeof(masked));
        char phone[REC_PHONE_MAX + 1];
        memcpy(out->phone, rec_phone_mask(out->phone, phone), sizeof(phone));
        out->masked = true;
    }
    return 0;
}

int rec_tag_list(struct store *s, const struct acct_principal *who, int64_t resident_id,
                 struct arena *a, struct rec_tag **out, size_t *n, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct rec_tag *tags = NULL;
    size_t count = 0;
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = rec_scope_check(c, who, resident_id, err);
    if (rc == 0)
        rc = rec_tags_read(c, resident_id, &tags, &count, err);
    store_rollback(c);
    store_release(c);
    if (rc != 0)
        return rc;
    *out = arena_alloc(a, (count ? count : 1) * sizeof(*tags));
    if (count > 0)
        memcpy(*out, tags, count * sizeof(*tags));
    *n = count;
    free(tags);
    return 0;
}
