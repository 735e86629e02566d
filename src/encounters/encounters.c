/*
 * encounters.c - registering a visit and recording an encounter under it (encounters.h).
 *
 * The one idea: the store decides "one registration per visit". The insert is ON CONFLICT
 * DO NOTHING on the visit's UNIQUE key and an empty RETURNING means another request
 * registered the visit first, whose row is then read; no check-then-insert in C, so the rule
 * holds on any backend and under any concurrency. As with service events, every check that
 * compares nothing with the store runs before the external id is looked up, and nothing is
 * written until every check passed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "importer/importer.h"
#include "core/idno.h"
#include "encounters/encounters_int.h"
#include "records/records.h"
#include "store/store.h"

static const char *const type_codes[] = {
    [ENC_OUTPATIENT] = "outpatient", [ENC_EMERGENCY] = "emergency", [ENC_INPATIENT] = "inpatient"};

const char *enc_type_code(enum enc_type t)
{
    return (size_t)t < sizeof(type_codes) / sizeof(type_codes[0]) ? type_codes[t] : "?";
}

int enc_type_find(const char *code)
{
    for (size_t i = 0; code != NULL && i < sizeof(type_codes) / sizeof(type_codes[0]); i++)
        if (strcmp(type_codes[i], code) == 0)
            return (int)i;
    return -1;
}

void enc_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* --- field checks ----------------------------------------------------------------------- */

static bool code_char(char ch, const char *extra)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != '\0' && strchr(extra, ch) != NULL);
}

static int check_external_id(const char *s, struct yl_err *err)
{
    return imp_check_external_id(s, ENC_EXTERNAL_ID_MAX, err);
}

/* A department code as the health commission's list of clinical departments writes them
 * (诊疗科目 "03.01", or a hospital's own "CARD"). */
static int check_department(const char *s, struct yl_err *err)
{
    if (empty(s))
        return yl_err_set(err, YL_EINVAL, "department", "department is required");
    size_t n = strlen(s);
    bool ok = n <= ENC_CODE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = code_char(s[i], "-_.");
    if (!ok)
        return yl_err_set(err, YL_EINVAL, "department",
                          "department is a code of 1 to %d letters, digits, '.', '-' or '_'",
                          ENC_CODE_MAX);
    return 0;
}

/* Codes separated by white space, each in ICD-10 form, into out with single spaces. */
static int check_diagnoses(const char *s, char out[ENC_DIAGNOSES_TEXT + 1], struct yl_err *err)
{
    size_t n = 0, len = 0;
    out[0] = '\0';
    for (const char *p = s ? s : ""; *p != '\0';) {
        p += strspn(p, " \t");
        size_t w = strcspn(p, " \t");
        if (w == 0)
            break;
        int rc = rec_check_icd10(p, w, "diagnoses", err);
        if (rc != 0)
            return rc;
        if (++n > ENC_DIAGNOSES_MAX)
            return yl_err_set(err, YL_EINVAL, "diagnoses", "more than %d diagnoses",
                              ENC_DIAGNOSES_MAX);
        /* rec_check_icd10 allows 8 bytes a code: 16 codes and spaces fit. */
        len += (size_t)snprintf(out + len, ENC_DIAGNOSES_TEXT + 1 - len, "%s%.*s",
                                len ? " " : "", (int)w, p);
        p += w;
    }
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, "diagnoses",
                          "diagnoses is required: at least one ICD-10 code");
    return 0;
}

/* A day not in the future and not before birth; DATE_INVALID for an absent optional one. */
static int check_day(const char *s, const char *field, bool required, int32_t birth,
                     int32_t *day, struct yl_err *err)
{
    *day = DATE_INVALID;
    if (empty(s))
        return required ? yl_err_set(err, YL_EINVAL, field, "%s is required", field) : 0;
    int rc = date_parse(s, strlen(s), day, field, err);
    if (rc != 0)
        return rc;
    if (*day > date_today())
        return yl_err_set(err, YL_EINVAL, field, "%s is in the future", field);
    if (*day < birth)
        return yl_err_set(err, YL_EINVAL, field, "%s is before the resident's birth", field);
    return 0;
}

/* --- lookups ------------------------------------------------------------------------------ */

/* Run a one-row lookup bound to one text and read its first column; *found tells. */
static int lookup_id(struct store_conn *c, enum store_sql q, const char *key, bool *found,
                     int64_t *id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, q);
    store_bind_text(st, 1, key);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        *id = store_col_int(st, 0);
    enc_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

static int find_facility(struct store_conn *c, const char *code, int64_t *id,
                         struct yl_err *err)
{
    if (empty(code))
        return yl_err_set(err, YL_EINVAL, "facility", "facility is required");
    bool found;
    int rc = lookup_id(c, STORE_SQL_ENC_FACILITY_BY_CODE, code, &found, id, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_EINVAL, "facility", "no facility \"%s\"", code);
    return rc;
}

/* The attending staff member: someone whose post is at the facility. */
static int find_staff(struct store_conn *c, const char *code, int64_t facility, int64_t *id,
                      struct yl_err *err)
{
    *id = 0;
    if (empty(code))
        return 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_STAFF_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    bool found = rc == STORE_ROW, there = found && store_col_int(st, 1) == facility;
    if (found)
        *id = store_col_int(st, 0);
    enc_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (!found)
        return yl_err_set(err, YL_EINVAL, "staff", "no staff member \"%s\"", code);
    if (!there)
        return yl_err_set(err, YL_EINVAL, "staff",
                          "staff member \"%s\" does not work at this facility", code);
    return 0;
}


/* --- registrations ----------------------------------------------------------------------- */

/* A visit resolved to ids. */
struct visit {
    int64_t resident_id;
    int64_t facility_id;
    int32_t birth;
    int32_t day;
    char date[DATE_STR_LEN];
};

static int resolve_visit(struct store_conn *c, const struct acct_principal *who,
                         int64_t resident_id, const char *id_number, const char *facility,
                         const char *date, struct visit *v, struct yl_err *err)
{
    int rc = rec_find_resident(c, who, resident_id, id_number, &v->resident_id, &v->birth, err);
    if (rc == 0)
        rc = find_facility(c, facility, &v->facility_id, err);
    if (rc == 0)
        rc = check_day(date, "date", true, v->birth, &v->day, err);
    if (rc == 0)
        date_format(v->day, v->date);
    return rc;
}

static void generate_external_id(const char *prefix, char out[ENC_EXTERNAL_ID_MAX + 1])
{
    unsigned char raw[16];
    char hex[33];
    if (sodium_init() < 0)
        abort();
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(out, ENC_EXTERNAL_ID_MAX + 1, "%s-%s", prefix, hex);
}

/* Read one registration by a statement bound to `key` (an id) or `text`. */
static int registration_read(struct store_conn *c, enum store_sql q, int64_t key,
                             const char *text, struct enc_registration *out, bool *found,
                             struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, q);
    if (text != NULL)
        store_bind_text(st, 1, text);
    else
        store_bind_int(st, 1, key);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        enc_registration_from_row(st, out);
    enc_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

static bool same_visit(const struct enc_registration *g, const struct visit *v)
{
    return g->resident_id == v->resident_id && g->facility_id == v->facility_id &&
           g->day == v->day;
}

/* The registration of visit v under external id `ext` ("": generated): a new one, or the one
 * the visit already has. */
static int registration_ensure(struct store_conn *c, const struct visit *v, const char *ext,
                               struct enc_registration *out, bool *created, struct yl_err *err)
{
    char key[ENC_EXTERNAL_ID_MAX + 1];
    bool found = false;
    int rc = 0;
    *created = false;
    if (ext[0] != '\0')
        rc = registration_read(c, STORE_SQL_ENC_REG_BY_EXTERNAL, 0, ext, out, &found, err);
    if (rc != 0 || (found && same_visit(out, v)))
        return rc;
    if (found) {
        bool first = err != NULL && err->code == 0;
        rc = yl_err_set(err, YL_ECONFLICT, "external_id", "external_id \"%s\" belongs to "
                        "another visit (registration %lld)", ext, (long long)out->id);
        if (first)
            err->existing_id = out->id;
        return rc;
    }
    if (ext[0] != '\0')
        snprintf(key, sizeof(key), "%s", ext);
    else
        generate_external_id("reg", key);
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_REG_INSERT);
    store_bind_text(st, 1, key);
    store_bind_int(st, 2, v->resident_id);
    store_bind_int(st, 3, v->facility_id);
    store_bind_text(st, 4, v->date);
    store_bind_text(st, 5, now);
    rc = store_step(st, err);
    int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    enc_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    /* No row back: the visit was registered first, by this request's twin or anyone. */
    *created = id > 0;
    if (*created)
        rc = registration_read(c, STORE_SQL_ENC_REG_BY_ID, id, NULL, out, &found, err);
    else {
        st = store_stmt(c, STORE_SQL_ENC_REG_BY_VISIT);
        store_bind_int(st, 1, v->resident_id);
        store_bind_int(st, 2, v->facility_id);
        store_bind_text(st, 3, v->date);
        rc = store_step(st, err);
        found = rc == STORE_ROW;
        if (found)
            enc_registration_from_row(st, out);
        enc_stmt_finish(st, rc);
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_ESTORE, NULL, "the registration was not stored");
    return rc;
}

static int write_end(struct store_conn *c, const struct audit_actor *by, const char *action,
                     int64_t resident_id, int rc, struct yl_err *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)resident_id);
    struct audit_event ev = {action, "resident", id, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

/* Nothing changed: nothing to audit or commit. */
static int write_nothing(struct store_conn *c)
{
    store_rollback(c);
    store_release(c);
    return 0;
}

int enc_register(struct store *s, const struct acct_principal *who,
                 const struct audit_actor *by, const struct enc_registration_input *in,
                 struct enc_registration *out, bool *created, struct yl_err *err)
{
    const char *ext = in->external_id ? in->external_id : "";
    struct visit v = {0};
    struct store_conn *c;
    memset(out, 0, sizeof(*out));
    *created = false;
    int rc = check_external_id(ext, err);
    if (rc == 0)
        rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = resolve_visit(c, who, in->resident_id, in->id_number, in->facility, in->date, &v, err);
    if (rc == 0)
        rc = registration_ensure(c, &v, ext, out, created, err);
    if (rc == 0 && !*created)
        return write_nothing(c);
    return write_end(c, by, "register_visit", v.resident_id, rc, err);
}

/* --- encounters -------------------------------------------------------------------------- */

/* Everything an encounter becomes before it is compared or written. */
struct checked {
    struct visit v;
    int64_t registration_id;    /* 0: the visit is to be registered */
    char external_id[ENC_EXTERNAL_ID_MAX + 1];
    int type;
    int32_t admission, discharge;
    char admission_text[DATE_STR_LEN], discharge_text[DATE_STR_LEN];
    char diagnoses[ENC_DIAGNOSES_TEXT + 1];
    int64_t staff_id;
};

/* Given fields that name the visit must name the registration's. */
static int registration_agrees(const struct enc_encounter_input *in,
                               const struct enc_registration *g, struct yl_err *err)
{
    if (in->resident_id > 0 && in->resident_id != g->resident_id)
        return yl_err_set(err, YL_EINVAL, "resident_id",
                          "the registration is another resident's");
    if (!empty(in->facility) && strcmp(in->facility, g->facility) != 0)
        return yl_err_set(err, YL_EINVAL, "facility", "the registration is at facility \"%s\"",
                          g->facility);
    char day[DATE_STR_LEN];
    if (!empty(in->date) && strcmp(in->date, date_format(g->day, day)) != 0)
        return yl_err_set(err, YL_EINVAL, "date", "the registration is of %s", day);
    return 0;
}

/* The visit: the registration's when one is named, else resident + facility + date. */
static int encounter_visit(struct store_conn *c, const struct acct_principal *who,
                           const struct enc_encounter_input *in, struct checked *k,
                           struct yl_err *err)
{
    if (in->registration_id <= 0)
        return resolve_visit(c, who, in->resident_id, in->id_number, in->facility, in->date,
                             &k->v, err);
    struct enc_registration g = {0};
    bool found;
    int rc = registration_read(c, STORE_SQL_ENC_REG_BY_ID, in->registration_id, NULL, &g,
                               &found, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_ENOTFOUND, "registration_id", "no registration %lld",
                        (long long)in->registration_id);
    if (rc == 0)
        rc = rec_find_resident(c, who, g.resident_id, NULL, &k->v.resident_id, &k->v.birth, err);
    if (rc == 0)
        rc = registration_agrees(in, &g, err);
    k->registration_id = g.id;
    k->v.facility_id = g.facility_id;
    k->v.day = g.day;
    date_format(g.day, k->v.date);
    return rc;
}

/* Type and stay: only an inpatient stay has admission and discharge, in that order. */
static int check_stay(const struct enc_encounter_input *in, struct checked *k,
                      struct yl_err *err)
{
    const char *type = in->type ? in->type : "";
    if (type[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "type", "type is required");
    k->type = enc_type_find(type);
    if (k->type < 0)
        return yl_err_set(err, YL_EINVAL, "type",
                          "type must be outpatient, emergency or inpatient");
    if (k->type != ENC_INPATIENT) {
        k->admission = k->discharge = DATE_INVALID;
        if (!empty(in->admission_date))
            return yl_err_set(err, YL_EINVAL, "admission_date",
                              "only an inpatient stay has an admission date");
        if (!empty(in->discharge_date))
            return yl_err_set(err, YL_EINVAL, "discharge_date",
                              "only an inpatient stay has a discharge date");
        return 0;
    }
    int rc = check_day(in->admission_date, "admission_date", true, k->v.birth, &k->admission,
                       err);
    if (rc == 0 && k->admission < k->v.day)
        rc = yl_err_set(err, YL_EINVAL, "admission_date", "admission_date is before the visit");
    if (rc == 0)
        rc = check_day(in->discharge_date, "discharge_date", false, k->v.birth, &k->discharge,
                       err);
    if (rc == 0 && k->discharge != DATE_INVALID && k->discharge < k->admission)
        rc = yl_err_set(err, YL_EINVAL, "discharge_date",
                        "discharge_date is before admission_date");
    if (rc == 0) {
        date_format(k->admission, k->admission_text);
        if (k->discharge != DATE_INVALID)
            date_format(k->discharge, k->discharge_text);
    }
    return rc;
}

static int check_encounter(struct store_conn *c, const struct acct_principal *who,
                           const struct enc_encounter_input *in, struct checked *k,
                           struct yl_err *err)
{
    int rc = encounter_visit(c, who, in, k, err);
    if (rc == 0)
        rc = check_department(in->department, err);
    if (rc == 0)
        rc = check_stay(in, k, err);
    if (rc == 0)
        rc = check_diagnoses(in->diagnoses, k->diagnoses, err);
    if (rc == 0)
        rc = find_staff(c, in->staff, k->v.facility_id, &k->staff_id, err);
    return rc;
}

static bool same_encounter(const struct enc_encounter *e, const struct enc_encounter_input *in,
                           const struct checked *k)
{
    return e->resident_id == k->v.resident_id && e->facility_id == k->v.facility_id &&
           e->day == k->v.day && strcmp(e->department, in->department) == 0 &&
           (int)e->type == k->type && e->admission == k->admission &&
           e->discharge == k->discharge && strcmp(e->diagnoses, k->diagnoses) == 0 &&
           e->staff_id == k->staff_id;
}

/* An encounter stored under the external id: *found, and *same when its content is k's. */
static int compare_stored(struct store_conn *c, const struct enc_encounter_input *in,
                          const struct checked *k, bool *found, struct enc_result *result,
                          struct yl_err *err)
{
    struct enc_encounter e;
    struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_BY_EXTERNAL);
    store_bind_text(st, 1, k->external_id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        enc_encounter_from_row(st, &e);
    enc_stmt_finish(st, rc);
    if (rc < 0 || !*found)
        return rc < 0 ? rc : 0;
    result->id = e.id;
    result->registration_id = e.registration_id;
    if (same_encounter(&e, in, k))
        return 0;
    bool first = err != NULL && err->code == 0;
    rc = yl_err_set(err, YL_ECONFLICT, "external_id", "an encounter with external_id \"%s\" "
                    "already exists (encounter %lld) with other content", k->external_id,
                    (long long)e.id);
    if (first)
        err->existing_id = e.id;
    return rc;
}

static int insert_encounter(struct store_conn *c, const struct enc_encounter_input *in,
                            const struct checked *k, int64_t *id, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_ENC_INSERT);
    store_bind_text(st, 1, k->external_id);
    store_bind_int(st, 2, k->registration_id);
    store_bind_int(st, 3, k->v.resident_id);
    store_bind_int(st, 4, k->v.facility_id);
    store_bind_text(st, 5, k->v.date);
    store_bind_text(st, 6, in->department);
    store_bind_text(st, 7, enc_type_code((enum enc_type)k->type));
    store_bind_text(st, 8, k->admission != DATE_INVALID ? k->admission_text : NULL);
    store_bind_text(st, 9, k->discharge != DATE_INVALID ? k->discharge_text : NULL);
    store_bind_text(st, 10, k->diagnoses);
    if (k->staff_id > 0)
        store_bind_int(st, 11, k->staff_id);
    else
        store_bind_null(st, 11);
    store_bind_text(st, 12, now);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    enc_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        rc = yl_err_set(err, YL_ESTORE, NULL, "the encounter was not stored");
    return rc < 0 ? rc : 0;
}

int enc_encounter_apply(struct store_conn *c, const struct acct_principal *who,
                        const struct enc_encounter_input *in, struct enc_result *result,
                        struct yl_err *err)
{
    struct checked k = {0};
    memset(result, 0, sizeof(*result));
    const char *ext = in->external_id ? in->external_id : "";
    snprintf(k.external_id, sizeof(k.external_id), "%s", ext);
    int rc = check_external_id(ext, err);
    if (rc == 0)
        rc = check_encounter(c, who, in, &k, err);
    bool found = false;
    if (rc == 0 && ext[0] != '\0')
        rc = compare_stored(c, in, &k, &found, result, err);
    result->resident_id = k.v.resident_id;
    if (rc != 0 || found)
        return rc;
    if (k.registration_id == 0) {
        struct enc_registration g = {0};
        rc = registration_ensure(c, &k.v, "", &g, &result->registered, err);
        k.registration_id = g.id;
    }
    if (ext[0] == '\0')
        generate_external_id("enc", k.external_id);
    if (rc == 0)
        rc = insert_encounter(c, in, &k, &result->id, err);
    result->registration_id = k.registration_id;
    result->created = rc == 0;
    return rc;
}

int enc_encounter_record(struct store *s, const struct acct_principal *who,
                         const struct audit_actor *by, const struct enc_encounter_input *in,
                         struct enc_result *result, struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = enc_encounter_apply(c, who, in, result, err);
    if (rc == 0 && !result->created)
        return write_nothing(c);
    if (rc == 0 && result->registered) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)result->resident_id);
        struct audit_event ev = {"register_visit", "resident", id, "ok"};
        rc = audit_append(c, by, &ev, err);
    }
    return write_end(c, by, "record_encounter", result->resident_id, rc, err);
}
