/*
 * records.h - resident health records (居民健康档案): one per person, keyed by the ID number
 * (GB 11643), with key-population tags over periods and a residence history.
 * The one idea: nothing rewrites history silently. A move closes the open residence row and
 * opens a new one; moving out and death close it; a tag span is ended, never deleted. Every
 * write is one transaction with its audit record, ending in one place (rec_write_end).
 */
#ifndef YL_RECORDS_H
#define YL_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/adcode.h"
#include "core/idno.h"

struct yl_err;
struct arena;
struct store;
struct store_conn;
struct acct_principal;
struct audit_actor;
struct imp_spec;

#define REC_NAME_CHARS 64        /* a name: 1 to 64 characters */
#define REC_HOUSEHOLD_CHARS 64
#define REC_ADDRESS_CHARS 200
#define REC_PHONE_MAX 13         /* "0433-12345678" */
#define REC_ICD10_MAX 8          /* "S72.001A" */
#define REC_CODE_MAX 32          /* team codes */

/* A key-population tag over [from, to] (inclusive day numbers, date.h). */
struct rec_tag {
    int64_t id;
    int tag;                    /* enum tag (vocab.h) */
    int32_t from;
    int32_t to;                 /* DATE_INVALID while open */
    int32_t expected_delivery;  /* pregnant only; DATE_INVALID otherwise */
};

/* One period of residence in a village or community. */
struct rec_residence {
    int64_t ou_id;
    char ou_code[ADCODE_MAX_LEN + 1];
    int32_t from;
    int32_t to;                 /* DATE_INVALID for the current residence */
};

/* The resident's active contract with a family-doctor team. */
struct rec_contract {
    int64_t id;
    int64_t team_id;
    char team_code[REC_CODE_MAX + 1];
    const char *team_name;      /* arena */
    char package[32];
    int32_t from, to;
};

/* A resident as read. Text fields point into the caller's arena. The ID number and phone
 * are masked ("222404********123X", "138****5678") unless the caller may see them. */
struct rec_resident {
    int64_t id;
    char id_number[IDNO_LEN + 1];
    const char *name;
    int sex;                    /* 1 male, 2 female */
    int32_t birth;
    int64_t ou_id;
    char ou_code[ADCODE_MAX_LEN + 1];
    const char *household;
    char phone[REC_PHONE_MAX + 1];
    const char *address;        /* "" in search results */
    int32_t record_date;        /* DATE_INVALID in search results */
    int status;                 /* enum resident_status */
    int32_t status_date;        /* DATE_INVALID while active */
    char death_cause[REC_ICD10_MAX + 1];
    bool maternal_death;
    char updated_at[32];
    int32_t residence_from;     /* the current (after leaving: last) residence began */
    bool masked;                /* id_number and phone are masked */
    /* Single reads only (rec_resident_get); empty in search results. */
    struct rec_tag *tags;
    size_t n_tags;
    struct rec_residence *residences;   /* oldest first */
    size_t n_residences;
    bool has_contract;
    struct rec_contract contract;
};

/* An ICD-10 code in form: a capital letter, two digits, optionally '.' and 1-4 letters or
 * digits (a cause of death, an encounter's diagnosis). 0 or YL_EINVAL on `field`. */
int rec_check_icd10(const char *s, size_t n, const char *field, struct yl_err *err);

/* The resident a write names (by id when `given` > 0, else by ID number, field
 * "id_number"), checked against the caller's scope (rec_scope_check), and their birth day
 * (DATE_INVALID when unreadable): what every module recording something about a resident
 * starts with. YL_EINVAL on "id_number" for a missing, malformed or unknown number. */
int rec_find_resident(struct store_conn *c, const struct acct_principal *who, int64_t given,
                      const char *number, int64_t *id, int32_t *birth, struct yl_err *err);

/* --- scope ------------------------------------------------------------------------------
 * Who sees whom (DESIGN.md §1) is one small table by role (scope.c): an admin sees the
 * region, a village doctor the residents of their org-unit subtree, a family doctor those
 * contracted to their team today. Outside scope is YL_ENOTFOUND so that existence does not
 * leak. A NULL principal is the system itself (CLI, import): everything, unmasked. */

/* 0 when resident `id` exists and lies in the principal's scope on today's date; YL_ENOTFOUND
 * when it does not exist or lies outside (the two are indistinguishable on purpose);
 * YL_EFORBIDDEN for a role that sees no health records. Runs on the caller's connection,
 * inside or outside a transaction. Contracts and later modules reuse it. */
int rec_scope_check(struct store_conn *c, const struct acct_principal *who, int64_t id,
                    struct yl_err *err);

/* True when the role sees the ID number and phone unmasked in a single read (the people who
 * care for the resident); lists are masked for every role. NULL (the system) sees them. */
bool rec_shows_identity(const struct acct_principal *who);

/* Masks for display. out holds IDNO_LEN + 1 / REC_PHONE_MAX + 1 bytes. */
char *rec_phone_mask(const char *phone, char *out);

/* --- writes ------------------------------------------------------------------------------
 * Each takes `who` (scope; NULL = the system) and `by` (the audit actor, required), runs in
 * one write transaction that carries its audit record, and returns 0 or a negative YL_E*
 * with err naming the field at fault (the field names are the API's JSON fields, which are
 * also the CSV columns). Dates are "YYYY-MM-DD" text, parsed here. */

struct rec_resident_input {
    const char *id_number;      /* required; a 15-digit number is stored in its 18-digit form */
    const char *name;           /* required, 1-64 characters */
    int sex;                    /* 1, 2, or 0 to take it from the ID number */
    const char *birth_date;     /* NULL to take it from the ID number */
    const char *ou_code;        /* required: an existing village or community (level 5) */
    const char *household;      /* NULL or "" for none */
    const char *phone;          /* NULL or "": none; else 1[3-9]XXXXXXXXX or 0XX(X)-XXXXXXX(X) */
    const char *address;
    const char *record_date;    /* NULL: today; not before birth, not in the future */
};

/* Create a record (status active) with its open residence row. A second record with the
 * same ID number is YL_ECONFLICT on "id_number" with err->existing_id set. A village doctor
 * may create records only in their own subtree (YL_EFORBIDDEN on "ou_code"). *id: the new
 * record. */
int rec_resident_create(struct store *s, const struct acct_principal *who,
                        const struct audit_actor *by, const struct rec_resident_input *in,
                        int64_t *id, struct yl_err *err);

/* Change the details that carry no history. NULL fields are left as they are; "" clears an
 * optional one. The ID number, sex and birth date are not changeable. */
struct rec_resident_patch {
    const char *name;
    const char *phone;
    const char *address;
    const char *household;
};
int rec_resident_update(struct store *s, const struct acct_principal *who,
                        const struct audit_actor *by, int64_t id,
                        const struct rec_resident_patch *p, struct yl_err *err);

/* Move an active resident to another village on `date`: the open residence row is closed at
 * date - 1 and a new one opened at date. Refused ("date") when the date is in the future or
 * not after the day the current residence began; ("ou_code") for the same village. */
int rec_resident_move(struct store *s, const struct acct_principal *who,
                      const struct audit_actor *by, int64_t id, const char *ou_code,
                      const char *date, struct yl_err *err);

/* An active resident left the region on `date` (status moved_out; the open residence row
 * is closed at that date). */
int rec_resident_move_out(struct store *s, const struct acct_principal *who,
                          const struct audit_actor *by, int64_t id, const char *date,
                          struct yl_err *err);

/* An active resident died on `date` of `cause` (an ICD-10 code: "I21.9", "C34", field
 * "cause"); maternal_death (0/1) only for a woman aged 10 to 60 at death. The open residence
 * row is closed at the date of death. */
int rec_resident_death(struct store *s, const struct acct_principal *who,
                       const struct audit_actor *by, int64_t id, const char *date,
                       const char *cause, int maternal_death, struct yl_err *err);

/* Tags. A span of a tag may not overlap another span of the same tag ("from"); pregnant
 * requires expected_delivery (after from, within ten months) and a woman; no date in the
 * future; from not before birth. *tag_id: the new tag. */
struct rec_tag_input {
    const char *tag;                /* a VOCAB_TAG code */
    const char *from;               /* required */
    const char *to;                 /* NULL: open */
    const char *expected_delivery;  /* pregnant only */
};
int rec_tag_add(struct store *s, const struct acct_principal *who,
                const struct audit_actor *by, int64_t resident_id,
                const struct rec_tag_input *in, int64_t *tag_id, struct yl_err *err);
/* End an open tag of the resident on `to` (not before its from, not in the future). */
int rec_tag_end(struct store *s, const struct acct_principal *who,
                const struct audit_actor *by, int64_t resident_id, int64_t tag_id,
                const char *to, struct yl_err *err);

/* A tag another module sets as a consequence of its own write, inside the caller's write
 * transaction on c (no scope check, no audit of its own: the caller's write carries both):
 * the span [from, to], which may reach into the future. A span of the same tag still
 * covering `from` is ended the day before (or left alone when it starts on `from`: the day
 * is already covered). The referral module marks TAG_POST_REFERRAL this way. */
int rec_tag_mark_on(struct store_conn *c, int64_t resident_id, int tag, int32_t from,
                    int32_t to, struct yl_err *err);

/* --- reads -----------------------------------------------------------------------------
 * Results live in the caller's arena. Reads are not audited here: the caller (API adapter)
 * logs each resident it hands out with audit_log_read. */

/* The full record: tags, residence history, current contract, masked per rec_shows_identity. */
int rec_resident_get(struct store *s, const struct acct_principal *who, int64_t id,
                     struct arena *a, struct rec_resident *out, struct yl_err *err);
/* The tags of a resident in scope, oldest first. */
int rec_tag_list(struct store *s, const struct acct_principal *who, int64_t resident_id,
                 struct arena *a, struct rec_tag **out, size_t *n, struct yl_err *err);

/* Search filters; NULL or "" means no filter. Each is validated (field = its name). */
struct rec_query {
    const char *id_number;      /* exact (a 15-digit number matches its 18-digit form) */
    const char *name;           /* prefix */
    const char *phone;          /* exact */
    const char *ou;             /* org unit code: that unit's subtree */
    const char *tag;            /* a tag open today */
    const char *contract;       /* "signed" (an active contract covering today) or "unsigned" */
    const char *household;      /* exact */
    int64_t after;              /* cursor: residents with id > after */
    int limit;                  /* rows wanted, 1..1001 */
};
/* Residents in the principal's scope matching every filter, by id, masked (always, for every
 * role but the system), at most q->limit of them. Scope is part of the WHERE clause, not a
 * filter afterwards. */
int rec_search(struct store *s, const struct acct_principal *who, const struct rec_query *q,
               struct arena *a, struct rec_resident **out, size_t *n, struct yl_err *err);

/* --- import ------------------------------------------------------------------------------ */

/* The residents CSV import (docs/import-formats.md) for imp_run. Its ctx comes from
 * rec_import_new (one per run; it caches org unit codes on the first record). Idempotent on
 * id_number: an identical record is IMP_UNCHANGED and writes nothing; a changed one is
 * applied (details updated; a different village is a move dated the day of the import; a
 * status of moved_out or deceased is applied with its date; listed tag spans are added or
 * their end and expected delivery corrected, unlisted ones kept). */
struct rec_import;
/* The spec for a run with ri (NULL: a plain one); bulk mode commits in larger batches. */
const struct imp_spec *rec_import_spec(const struct rec_import *ri);
struct rec_import *rec_import_new(void);
void rec_import_free(struct rec_import *ri);
/* Bulk mode, around imp_run: an import of at least REC_BULK_MIN_ROWS rows and at least twice
 * the residents stored (expected_rows, estimated by the caller from the file size; 0 when
 * unknown) drops the search indexes first and rec_import_end builds them again, whatever
 * imp_run returned. Searches by name, phone, household or org unit are slow in between. */
#define REC_BULK_MIN_ROWS 100000
#define REC_BULK_BATCH_ROWS 500000
int rec_import_begin(struct rec_import *ri, struct store *s, long expected_rows,
                     struct yl_err *err);
int rec_import_end(struct rec_import *ri, struct store *s, struct yl_err *err);
/* Ids of the residents written in the batch being built (valid in the batch hook). */
typedef void rec_import_batch_fn(void *arg, const int64_t *ids, size_t n_ids, int committed);
/* Called after each batch commits or is lost, with the residents it wrote (for the
 * population index). */
void rec_import_on_batch(struct rec_import *ri, rec_import_batch_fn *fn, void *arg);

#endif
