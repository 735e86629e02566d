/*
 * import.c - the residents CSV import (docs/import-formats.md, "residents") for imp_run.
 * Built for rate: org unit codes come from a hash table loaded once, fields are checked in
 * place without copies, and a new record is one INSERT ... ON CONFLICT (id_number) DO NOTHING
 * RETURNING id plus its tags. Only when no row returns (the number exists) does
 * the slow path read, compare and apply what differs, so a re-run writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "records/records_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

#define IMPORT_TAGS_MAX 32

enum col {
    COL_ID_NUMBER, COL_NAME, COL_SEX, COL_BIRTH_DATE, COL_OU_CODE, COL_HOUSEHOLD, COL_PHONE,
    COL_ADDRESS, COL_RECORD_DATE, COL_STATUS, COL_STATUS_DATE, COL_DEATH_CAUSE,
    COL_MATERNAL_DEATH, COL_TAGS, COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
    "id_number", "name", "sex", "birth_date", "ou_code", "household", "phone", "address",
    "record_date", "status", "status_date", "death_cause", "maternal_death", "tags",
};

static const char *const required[] = {
    "id_number", "name", "sex", "birth_date", "ou_code", "record_date", NULL,
};

/* Field names in messages are the CSV's columns. */
static const struct rec_fields csv_fields = {
    .date = "status_date",
    .ou_code = "ou_code",
    .cause = "death_cause",
    .maternal = "maternal_death",
    .tag = "tags",
    .from = "tags",
    .to = "tags",
    .expected = "tags",
};

/* A move found by comparing the file with the store is dated the day of the import; its
 * date comes from no column, so a refusal names the column that differs. */
static const struct rec_fields move_fields = {
    .date = "ou_code",
    .ou_code = "ou_code",
    .cause = "death_cause",
    .maternal = "maternal_death",
    .tag = "tags",
    .from = "tags",
    .to = "tags",
    .expected = "tags",
};

/* Org unit code -> (id, level), open addressing; the key packs the code's digits and its
 * length, so "22" and "0022" stay apart. */
struct ou_slot {
    uint64_t key;       /* 0: empty */
    int64_t id;
    int level;
};

struct rec_import {
    bool loaded;
    const struct csv_reader *reader;    /* the file whose columns are resolved */
    int col[COL_COUNT];
    struct ou_slot *ous;
    size_t ou_mask;
    int32_t today;
    time_t now_s;
    char now[32];
    bool bulk;                          /* the search indexes were dropped */
    int64_t *ids;                       /* residents written in the current batch */
    size_t n_ids, cap_ids;
    rec_import_batch_fn *hook;
    void *hook_arg;
};

struct rec_import *rec_import_new(void)
{
    return xcalloc(1, sizeof(struct rec_import));
}

void rec_import_free(struct rec_import *ri)
{
    if (ri == NULL)
        return;
    free(ri->ous);
    free(ri->ids);
    free(ri);
}

void rec_import_on_batch(struct rec_import *ri, rec_import_batch_fn *fn, void *arg)
{
    ri->hook = fn;
    ri->hook_arg = arg;
}

/* --- bulk mode ----------------------------------------------------------------------------- */

static int run_script(struct store *s, const char *sql, struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = store_script(c, sql, err);
    if (rc == 0)
        rc = store_commit(c, err);
    else
        store_rollback(c);
    store_release(c);
    return rc;
}

int rec_import_begin(struct rec_import *ri, struct store *s, long expected_rows,
                     struct yl_err *err)
{
    if (expected_rows < REC_BULK_MIN_ROWS)
        return 0;
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_MAX_ID);
    int rc = store_step(st, err);
    int64_t existing = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_exec(st, NULL);
    store_release(c);
    if (rc < 0)
        return rc;
    /* A re-run of the file that loaded the table is not a bulk load. */
    if (expected_rows < 2 * existing)
        return 0;
    rc = run_script(s, STORE_SCRIPT_REC_SEARCH_DROP, err);
    ri->bulk = rc == 0;
    return rc;
}

int rec_import_end(struct rec_import *ri, struct store *s, struct yl_err *err)
{
    if (!ri->bulk)
        return 0;
    ri->bulk = false;
    return run_script(s, STORE_SCRIPT_REC_SEARCH_CREATE, err);
}

/* --- org unit cache ---------------------------------------------------------------------- */

static uint64_t ou_key(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return (v << 4) | n;
}

static size_t ou_hash(uint64_t key, size_t mask)
{
    /* Fibonacci hashing spreads consecutive village codes over the table. */
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

static void ou_put(struct rec_import *ri, uint64_t key, int64_t id, int level)
{
    size_t i = ou_hash(key, ri->ou_mask);
    while (ri->ous[i].key != 0 && ri->ous[i].key != key)
        i = (i + 1) & ri->ou_mask;
    ri->ous[i] = (struct ou_slot){key, id, level};
}

static const struct ou_slot *ou_get(const struct rec_import *ri, uint64_t key)
{
    size_t i = ou_hash(key, ri->ou_mask);
    while (ri->ous[i].key != 0) {
        if (ri->ous[i].key == key)
            return &ri->ous[i];
        i = (i + 1) & ri->ou_mask;
    }
    return NULL;
}

static int ou_load(struct rec_import *ri, struct store_conn *c, struct yl_err *err)
{
    size_t cap = 1024, n = 0;
    struct { uint64_t key; int64_t id; int level; } *all = xmalloc(cap * sizeof(*all));
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_OU_ALL);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *code = store_col_text(st, 1);
        size_t len = strlen(code);
        if (adcode_level(code, len) == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            all = xrealloc(all, cap * sizeof(*all));
        }
        all[n].key = ou_key(code, len);
        all[n].id = store_col_int(st, 0);
        all[n].level = (int)store_col_int(st, 2);
        n++;
    }
    if (rc < 0) {
        free(all);
        return rc;
    }
    /* At most half full keeps probe chains short. */
    size_t size = 64;
    while (size < 2 * n)
        size *= 2;
    free(ri->ous);
    ri->ous = xcalloc(size, sizeof(*ri->ous));
    ri->ou_mask = size - 1;
    for (size_t i = 0; i < n; i++)
        ou_put(ri, all[i].key, all[i].id, all[i].level);
    free(all);
    return 0;
}

/* --- one record, parsed and checked ------------------------------------------------------ */

struct row_tag {
    int tag;
    int32_t from, to, expected;
};

struct row {
    struct idno_info info;
    const char *name;
    const char *birth_text;
    int64_t ou_id;
    const char *household, *phone, *address;
    int32_t record_date;
    const char *record_text;
    int status;
    int32_t status_date;
    const char *status_text;    /* NULL while active */
    const char *cause;
    int maternal;
    struct row_tag tags[IMPORT_TAGS_MAX];
    size_t n_tags;
};

static const char *field(const struct rec_import *ri, const struct csv_reader *r, enum col c)
{
    return ri->col[c] < 0 ? "" : csv_field(r, (size_t)ri->col[c]);
}

static int parse_ou(const struct rec_import *ri, const char *code, int64_t *id,
                    struct yl_err *err)
{
    size_t n = strlen(code);
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, "ou_code", "ou_code is required");
    if (adcode_level(code, n) == 0)
        return yl_err_set(err, YL_EINVAL, "ou_code",
                          "ou_code must be an org unit code of 2, 4, 6, 9 or 12 digits");
    const struct ou_slot *o = ou_get(ri, ou_key(code, n));
    if (o == NULL)
        return yl_err_set(err, YL_EINVAL, "ou_code", "no org unit \"%s\"", code);
    if (o->level != ADCODE_VILLAGE)
        return yl_err_set(err, YL_EINVAL, "ou_code",
                          "org unit \"%s\" is not a village or community", code);
    *id = o->id;
    return 0;
}

static int tag_code(const char *s, size_t n)
{
    for (int t = 0; t < TAG_COUNT; t++) {
        const char *code = vocab_code(VOCAB_TAG, t);
        if (strlen(code) == n && memcmp(code, s, n) == 0)
            return t;
    }
    return -1;
}

/* An optional date inside a tag item: "" is none. */
static int tag_date(const char *s, size_t n, int32_t *out, int item, const char *part,
                    struct yl_err *err)
{
    *out = DATE_INVALID;
    if (n == 0)
        return 0;
    if (date_parse(s, n, out, NULL, NULL) != 0)
        return yl_err_set(err, YL_EINVAL, "tags", "item %d: %s must be a date (YYYY-MM-DD)",
                          item, part);
    return 0;
}

/* "tag:from[:to[:expected_delivery]]" items separated by spaces. Checked against the
 * resident (state) and each other. */
static int parse_tags(const char *s, const struct rec_state *state, struct row *row,
                      struct yl_err *err)
{
    struct rec_tag seen[IMPORT_TAGS_MAX];
    int item = 0;
    row->n_tags = 0;
    while (*s != '\0') {
        while (*s == ' ')
            s++;
        if (*s == '\0')
            break;
        const char *end = s;
        while (*end != '\0' && *end != ' ')
            end++;
        item++;
        if (row->n_tags == IMPORT_TAGS_MAX)
            return yl_err_set(err, YL_EINVAL, "tags", "more than %d tags",
                              IMPORT_TAGS_MAX);
        /* Split the item at its colons into up to four parts. */
        const char *part[4] = {s, "", "", ""};
        size_t len[4] = {0, 0, 0, 0};
        int parts = 1;
        for (const char *p = s; p < end; p++) {
            if (*p != ':') {
                len[parts - 1]++;
                continue;
            }
            if (parts == 4)
                return yl_err_set(err, YL_EINVAL, "tags",
                                  "item %d: expected tag:from[:to[:expected_delivery]]", item);
            part[parts++] = p + 1;
        }
        struct row_tag *t = &row->tags[row->n_tags];
        t->tag = tag_code(part[0], len[0]);
        if (t->tag < 0)
            return yl_err_set(err, YL_EINVAL, "tags",
                              "item %d: unknown tag (one of hypertension diabetes "
                              "severe_mental tuberculosis disabled pregnant special_family "
                              "poverty)", item);
        if (len[1] == 0)
            return yl_err_set(err, YL_EINVAL, "tags", "item %d: the start date is required",
                              item);
        int rc = tag_date(part[1], len[1], &t->from, item, "the start", err);
        if (rc == 0)
            rc = tag_date(part[2], len[2], &t->to, item, "the end", err);
        if (rc == 0)
            rc = tag_date(part[3], len[3], &t->expected, item, "the expected delivery", err);
        if (rc == 0)
            rc = rec_tag_check(state, t->tag, t->from, t->to, t->expected, seen, row->n_tags,
                               0, &csv_fields, err);
        if (rc != 0)
            return rc;
        seen[row->n_tags] = (struct rec_tag){(int64_t)row->n_tags + 1, t->tag, t->from, t->to,
                                             t->expected};
        row->n_tags++;
        s = end;
    }
    return 0;
}

static int parse_row(const struct rec_import *ri, const struct csv_reader *r, struct row *row,
                     struct yl_err *err)
{
    const char *idn = field(ri, r, COL_ID_NUMBER);
    if (idn[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "id_number", "id_number is required");
    int rc = idno_parse(idn, strlen(idn), ri->today, &row->info, "id_number", err);
    if (rc != 0)
        return rc;
    row->name = field(ri, r, COL_NAME);
    rc = rec_check_name(row->name, strlen(row->name), "name", err);
    if (rc != 0)
        return rc;
    const char *sex = field(ri, r, COL_SEX);
    if ((sex[0] != '1' && sex[0] != '2') || sex[1] != '\0')
        return yl_err_set(err, YL_EINVAL, "sex", "sex must be 1 (male) or 2 (female)");
    if (sex[0] - '0' != (int)row->info.sex)
        return yl_err_set(err, YL_EINVAL, "sex", "sex does not match the ID number");
    row->birth_text = field(ri, r, COL_BIRTH_DATE);
    int32_t birth;
    rc = rec_parse_date(row->birth_text, 1, "birth_date", &birth, err);
    if (rc != 0)
        return rc;
    if (birth != row->info.birth)
        return yl_err_set(err, YL_EINVAL, "birth_date",
                          "birth date does not match the ID number");
    rc = parse_ou(ri, field(ri, r, COL_OU_CODE), &row->ou_id, err);
    if (rc != 0)
        return rc;
    row->household = field(ri, r, COL_HOUSEHOLD);
    row->phone = field(ri, r, COL_PHONE);
    row->address = field(ri, r, COL_ADDRESS);
    rc = rec_check_text(row->household, strlen(row->household), 0, REC_HOUSEHOLD_CHARS,
                        "household", err);
    if (rc == 0)
        rc = rec_check_phone(row->phone, strlen(row->phone), "phone", err);
    if (rc == 0)
        rc = rec_check_text(row->address, strlen(row->address), 0, REC_ADDRESS_CHARS,
                            "address", err);
    if (rc != 0)
        return rc;
    row->record_text = field(ri, r, COL_RECORD_DATE);
    rc = rec_parse_date(row->record_text, 1, "record_date", &row->record_date, err);
    if (rc == 0)
        rc = rec_check_day(row->record_date, birth, ri->today, "record_date", "record date",
                           err);
    if (rc != 0)
        return rc;

    const char *status = field(ri, r, COL_STATUS);
    row->status = RSTAT_ACTIVE;
    if (status[0] != '\0') {
        rc = vocab_parse(VOCAB_RESIDENT_STATUS, status, "status", &row->status, err);
        if (rc != 0)
            return rc;
    }
    const char *status_date = field(ri, r, COL_STATUS_DATE);
    row->status_text = NULL;
    row->status_date = DATE_INVALID;
    if (row->status == RSTAT_ACTIVE && status_date[0] != '\0')
        return yl_err_set(err, YL_EINVAL, "status_date",
                          "status_date is only for moved_out or deceased");
    if (row->status != RSTAT_ACTIVE) {
        rc = rec_parse_date(status_date, 1, "status_date", &row->status_date, err);
        if (rc == 0)
            rc = rec_check_day(row->status_date, birth, ri->today, "status_date",
                               "status date", err);
        if (rc == 0 && row->status_date < row->record_date)
            rc = yl_err_set(err, YL_EINVAL, "status_date",
                            "status date is before the record date");
        if (rc != 0)
            return rc;
        row->status_text = status_date;
    }
    row->cause = field(ri, r, COL_DEATH_CAUSE);
    if (row->status == RSTAT_DECEASED) {
        if (row->cause[0] == '\0')
            return yl_err_set(err, YL_EINVAL, "death_cause",
                              "death_cause is required for a deceased resident");
        rc = rec_check_icd10(row->cause, strlen(row->cause), "death_cause", err);
        if (rc != 0)
            return rc;
    } else if (row->cause[0] != '\0') {
        return yl_err_set(err, YL_EINVAL, "death_cause", "death_cause is only for deceased");
    }
    const char *maternal = field(ri, r, COL_MATERNAL_DEATH);
    if (maternal[0] != '\0' && (maternal[1] != '\0' || (maternal[0] != '0' && maternal[0] != '1')))
        return yl_err_set(err, YL_EINVAL, "maternal_death", "maternal_death must be 0 or 1");
    row->maternal = maternal[0] == '1';
    if (row->maternal && row->status != RSTAT_DECEASED)
        return yl_err_set(err, YL_EINVAL, "maternal_death",
                          "maternal_death is only for deceased");
    if (row->maternal) {
        rc = rec_check_maternal((int)row->info.sex, birth, row->status_date, "maternal_death",
                                err);
        if (rc != 0)
            return rc;
    }
    struct rec_state state = {
        .sex = (int)row->info.sex,
        .birth = birth,
        .record_date = row->record_date,
        .status = row->status,
        .status_date = row->status_date,
    };
    return parse_tags(field(ri, r, COL_TAGS), &state, row, err);
}

/* --- writing ----------------------------------------------------------------------------- */

static void remember(struct rec_import *ri, int64_t id)
{
    if (ri->n_ids == ri->cap_ids) {
        ri->cap_ids = ri->cap_ids ? ri->cap_ids * 2 : 1024;
        ri->ids = xrealloc(ri->ids, ri->cap_ids * sizeof(*ri->ids));
    }
    ri->ids[ri->n_ids++] = id;
}

static int insert_new(struct rec_import *ri, struct store_conn *c, const struct row *row,
                      int64_t *id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_INSERT);
    store_bind_text(st, 1, row->info.number);
    store_bind_text(st, 2, row->name);
    store_bind_int(st, 3, row->info.sex);
    store_bind_text(st, 4, row->birth_text);
    store_bind_int(st, 5, row->ou_id);
    store_bind_text(st, 6, row->household);
    store_bind_text(st, 7, row->phone);
    store_bind_text(st, 8, row->address);
    store_bind_text(st, 9, row->record_text);
    store_bind_text(st, 10, vocab_code(VOCAB_RESIDENT_STATUS, row->status));
    store_bind_text(st, 11, row->status_text);
    store_bind_text(st, 12, row->cause);
    store_bind_int(st, 13, row->maternal);
    store_bind_text(st, 14, ri->now);
    int rc = store_step(st, err);
    *id = 0;
    if (rc != STORE_ROW)
        return rc;
    *id = store_col_int(st, 0);
    /* The record's residence begins when the record was opened (REC_INSERT binds
     * residence_from to the record date); a resident who has already left has it ended by
     * the status date. */
    rc = store_exec(st, err);
    for (size_t i = 0; rc == 0 && i < row->n_tags; i++) {
        const struct row_tag *t = &row->tags[i];
        rc = rec_tag_insert(c, *id, t->tag, t->from, t->to, t->expected, NULL, err);
    }
    return rc;
}

/* The stored record's fields the import compares, copied out of the statement. */
struct stored {
    int64_t id;
    char *name, *household, *phone, *address;
    char cause[REC_ICD10_MAX + 1];
    int maternal;
};

static void stored_free(struct stored *s)
{
    free(s->name);
    free(s->household);
    free(s->phone);
    free(s->address);
}

/* The stored record and its state, in one read of the row. */
static int stored_load(struct store_conn *c, const char *number, struct stored *s,
                       struct rec_state *state, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REC_GET_BY_NUMBER);
    store_bind_text(st, 1, number);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return yl_err_set(err, YL_ESTORE, NULL, "record vanished during import");
    rec_state_from_row(st, state);
    s->id = store_col_int(st, 0);
    s->name = xstrdup(store_col_text(st, 2));
    s->household = xstrdup(store_col_text(st, 7));
    s->phone = xstrdup(store_col_text(st, 8));
    s->address = xstrdup(store_col_text(st, 9));
    snprintf(s->cause, sizeof(s->cause), "%s", store_col_text(st, 13));
    s->maternal = (int)store_col_int(st, 14);
    return store_exec(st, err);
}

/* Apply the record's status to a stored one; *changed when something was written. */
static int apply_status(struct rec_import *ri, struct store_conn *c, struct rec_state *state,
                        const struct stored *old, const struct row *row, bool *changed,
                        struct yl_err *err)
{
    if (state->status == row->status) {
        if (row->status == RSTAT_ACTIVE && state->ou_id != row->ou_id) {
            /* The file says the resident lives elsewhere now: a move dated the day of the
             * import, the earliest day we know it. */
            *changed = true;
            return rec_move_on(c, state, row->ou_id, ri->today, &move_fields, ri->now, err);
        }
        if (row->status == RSTAT_ACTIVE)
            return 0;
        if (state->ou_id != row->ou_id)
            return yl_err_set(err, YL_EINVAL, "ou_code",
                              "the resident has left the population; the village of their "
                              "last residence cannot change");
        if (state->status_date != row->status_date)
            return yl_err_set(err, YL_EINVAL, "status_date",
                              "the stored status date differs and cannot be changed");
        if (strcmp(old->cause, row->cause) == 0 && old->maternal == row->maternal)
            return 0;
        /* A corrected cause of death (or maternal flag) is a correction of the same event. */
        *changed = true;
        struct store_stmt *st = store_stmt(c, STORE_SQL_REC_SET_STATUS);
        store_bind_text(st, 1, vocab_code(VOCAB_RESIDENT_STATUS, row->status));
        store_bind_text(st, 2, row->status_text);
        store_bind_text(st, 3, row->cause);
        store_bind_int(st, 4, row->maternal);
        store_bind_text(st, 5, ri->now);
        store_bind_int(st, 6, state->id);
        return store_exec(st, err);
    }
    if (state->status != RSTAT_ACTIVE)
        return yl_err_set(err, YL_EINVAL, "status",
                          "a resident whose status is %s cannot become %s by import",
                          vocab_code(VOCAB_RESIDENT_STATUS, state->status),
                          vocab_code(VOCAB_RESIDENT_STATUS, row->status));
    if (state->ou_id != row->ou_id)
        return yl_err_set(err, YL_EINVAL, "ou_code",
                          "a record cannot change village and leave in one import; "
                          "import the move first");
    *changed = true;
    return rec_leave_on(c, state, row->status, row->status_date, row->cause, row->maternal,
                        &csv_fields, ri->now, err);
}

/* Add the record's tag spans that are not stored; correct the end and expected delivery
 * of those that are. Stored spans the file does not list are kept. */
static int apply_tags(struct rec_import *ri, struct store_conn *c, const struct rec_state *state,
                      const struct row *row, bool *changed, struct yl_err *err)
{
    if (row->n_tags == 0)
        return 0;
    struct rec_tag *tags;
    size_t n;
    int rc = rec_tags_read(c, state->id, &tags, &n, err);
    for (size_t i = 0; rc == 0 && i < row->n_tags; i++) {
        const struct row_tag *t = &row->tags[i];
        struct rec_tag *same = NULL;
        for (size_t j = 0; j < n && same == NULL; j++)
            if (tags[j].tag == t->tag && tags[j].from == t->from)
                same = &tags[j];
        if (same != NULL && same->to == t->to && same->expected_delivery == t->expected)
            continue;
        rc = rec_tag_check(state, t->tag, t->from, t->to, t->expected, tags, n,
                           same ? same->id : 0, &csv_fields, err);
        if (rc != 0)
            break;
        *changed = true;
        if (same != NULL) {
            struct store_stmt *st = store_stmt(c, STORE_SQL_TAG_SET);
            rec_bind_date(st, 1, t->to);
            rec_bind_date(st, 2, t->expected);
            store_bind_int(st, 3, same->id);
            rc = store_exec(st, err);
            same->to = t->to;
            same->expected_delivery = t->expected;
            continue;
        }
        int64_t tag_id;
        rc = rec_tag_insert(c, state->id, t->tag, t->from, t->to, t->expected, &tag_id, err);
        tags = xrealloc(tags, (n + 1) * sizeof(*tags));
        tags[n++] = (struct rec_tag){tag_id, t->tag, t->from, t->to, t->expected};
    }
    free(tags);
    return rc;
}

/* The record exists: compare and apply what differs. */
static int update_existing(struct rec_import *ri, struct store_conn *c, const struct row *row,
                           struct yl_err *err)
{
    struct stored old = {0};
    struct rec_state state;
    bool changed = false;
    int rc = stored_load(c, row->info.number, &old, &state, err);
    if (rc == 0 && state.record_date != row->record_date)
        rc = yl_err_set(err, YL_EINVAL, "record_date",
                        "the stored record date differs and cannot be changed");
    if (rc == 0 && (strcmp(old.name, row->name) != 0 ||
                    strcmp(old.household, row->household) != 0 ||
                    strcmp(old.phone, row->phone) != 0 || strcmp(old.address, row->address) != 0)) {
        changed = true;
        struct store_stmt *st = store_stmt(c, STORE_SQL_REC_UPDATE_DETAILS);
        store_bind_text(st, 1, row->name);
        store_bind_text(st, 2, row->household);
        store_bind_text(st, 3, row->phone);
        store_bind_text(st, 4, row->address);
        store_bind_text(st, 5, ri->now);
        store_bind_int(st, 6, old.id);
        rc = store_exec(st, err);
    }
    if (rc == 0)
        rc = apply_status(ri, c, &state, &old, row, &changed, err);
    if (rc == 0)
        rc = apply_tags(ri, c, &state, row, &changed, err);
    if (rc == 0 && changed) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REC_TOUCH);
        store_bind_text(st, 1, ri->now);
        store_bind_int(st, 2, old.id);
        rc = store_exec(st, err);
    }
    if (rc == 0 && changed)
        remember(ri, old.id);
    stored_free(&old);
    if (rc != 0)
        return rc;
    return changed ? IMP_APPLIED : IMP_UNCHANGED;
}

static int setup(struct rec_import *ri, struct store_conn *c, const struct csv_reader *r,
                 struct yl_err *err)
{
    if (!ri->loaded) {
        int rc = ou_load(ri, c, err);
        if (rc != 0)
            return rc;
        ri->today = date_today();
        ri->loaded = true;
    }
    for (int i = 0; i < COL_COUNT; i++)
        ri->col[i] = csv_column(r, col_names[i]);
    ri->reader = r;
    return 0;
}

static int import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err)
{
    struct rec_import *ri = ctx;
    if (!ri->loaded || ri->reader != r) {
        int rc = setup(ri, c, r, err);
        if (rc != 0)
            return rc;
    }
    time_t t = time(NULL);
    if (t != ri->now_s) {
        rec_now(ri->now);
        ri->now_s = t;
    }
    struct row row;
    int rc = parse_row(ri, r, &row, err);
    if (rc != 0)
        return rc;
    int64_t id;
    rc = insert_new(ri, c, &row, &id, err);
    if (rc < 0)
        return rc;
    if (id == 0)
        return update_existing(ri, c, &row, err);
    remember(ri, id);
    return IMP_APPLIED;
}

static void import_batch_done(void *ctx, int committed)
{
    struct rec_import *ri = ctx;
    if (ri->hook != NULL)
        ri->hook(ri->hook_arg, ri->ids, ri->n_ids, committed);
    ri->n_ids = 0;
}

static const struct imp_spec spec = {
    .what = "residents",
    .resource_type = "resident",
    .required = required,
    .row = import_row,
    .batch_done = import_batch_done,
    .batch_rows = 20000,
};

/* A bulk load commits every REC_BULK_BATCH_ROWS rows: each commit writes every page the
 * batch dirtied, and inserts at random ID numbers dirty pages all over the unique index, so
 * at 10M residents a batch of 20,000 rows wrote some 70 MB (the whole run about 70 GB). */
static const struct imp_spec bulk_spec = {
    .what = "residents",
    .resource_type = "resident",
    .required = required,
    .row = import_row,
    .batch_done = import_batch_done,
    .batch_rows = REC_BULK_BATCH_ROWS,
};

const struct imp_spec *rec_import_spec(const struct rec_import *ri)
{
    return ri != NULL && ri->bulk ? &bulk_spec : &spec;
}
