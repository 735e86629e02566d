/*
 * reports.c - notifiable disease case reports: record, revise, delete (the row is kept with
 * its reason), read and list, within the caller's reach (surveil.h), each write with its
 * audit record in its own transaction.
 *
 * The one idea: a report is keyed by its external id, so a reporting system or an import
 * sending it again changes nothing; and whether it came late is decided once, from the
 * disease's report limit in the catalog (data/notifiable-diseases.csv), when it is recorded
 * or revised: report time - diagnosis time above the limit (exactly at it is on time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "importer/importer.h"
#include "store/store.h"
#include "surveil/surveil.h"
#include "surveil/surveil_int.h"

#define FUTURE_SLACK_S 600          /* clocks of reporting systems drift a little */

static const char *const classifications[] = {"suspected", "clinical", "confirmed"};
static const char *const statuses[] = {"reported", "revised", "deleted"};

const char *surv_classification_name(int c)
{
    return c >= 0 && c < 3 ? classifications[c] : "?";
}

const char *surv_status_name(int s)
{
    return s >= 0 && s < 3 ? statuses[s] : "?";
}

static int find_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

void surv_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

void surv_subtree(const char *prefix, struct surv_range *out)
{
    const char *p = prefix != NULL ? prefix : "";
    snprintf(out->lo, sizeof(out->lo), "%s", p);
    snprintf(out->hi, sizeof(out->hi), "%s:", p);
}

/* --- time ---------------------------------------------------------------------------------- */

bool surv_is_late(int64_t diagnosed_unix_s, int64_t reported_unix_s, int limit_hours)
{
    return reported_unix_s - diagnosed_unix_s > (int64_t)limit_hours * 3600;
}

char *surv_time_format(int64_t t, char *out)
{
    return date_time_format(t, out);
}

int32_t surv_local_day(int64_t t)
{
    return date_of_unix(t);
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int surv_time_parse(const char *s, const char *field, int64_t *out, struct yl_err *err)
{
    /* YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM); a space may stand for the T. */
    size_t n = s != NULL ? strlen(s) : 0;
    int32_t day;
    if (n < 17 || date_parse(s, 10, &day, field, NULL) != 0 || (s[10] != 'T' && s[10] != ' '))
        goto bad;
    int h = digits(s + 11, 2), mi = s[13] == ':' ? digits(s + 14, 2) : -1, sec = 0;
    const char *p = s + 16;
    if (*p == ':') {
        sec = digits(p + 1, 2);
        if (sec < 0)
            goto bad;
        p += 3;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
        goto bad;
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        /* Each part only once the one before it was there: never read past the end. */
        int oh = digits(p + 1, 2), om = oh >= 0 && p[3] == ':' ? digits(p + 4, 2) : -1;
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            goto bad;
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        goto bad;
    }
    if (*p != '\0')
        goto bad;
    *out = (int64_t)day * 86400 + h * 3600 + mi * 60 + sec - offset;
    return 0;
bad:
    return yl_err_set(err, YL_EINVAL, field,
                      "%s must be a time with its zone, as 2025-03-01T08:30:00+08:00 or "
                      "2025-03-01T00:30:00Z", field);
}

/* --- reach --------------------------------------------------------------------------------- */

enum reach_kind {
    R_NONE,         /* may not touch reports */
    R_ALL,          /* the region */
    R_OU,           /* reports whose residence lies in the subtree of code */
    R_FACILITY,     /* reports made by facility code */
    R_FACILITY_OU,  /* reports made by a facility located in the subtree of code */
};

struct reach {
    enum reach_kind kind;
    char code[40];
    bool reads;         /* may read and list reports (not only make them) */
    bool masked;        /* names and ID numbers masked */
};

/* The role table of case reports (surveil.h): who reaches what, who reads, who is masked.
 * A scope that does not fit the role reaches nothing rather than everything. */
static int reach_of(struct store_conn *c, const struct acct_principal *who, struct reach *r,
                    struct yl_err *err)
{
    memset(r, 0, sizeof(*r));
    if (who == NULL) {
        r->kind = R_ALL;
        r->reads = true;
        return 0;
    }
    const struct acct_scope *s = &who->scope;
    switch (who->role) {
    case ROLE_ADMIN:
        /* Commission staff oversee the region and see people masked, as in the records. */
        r->kind = s->kind == SCOPE_REGION ? R_ALL : R_NONE;
        r->reads = true;
        r->masked = true;
        break;
    case ROLE_EPIDEMIOLOGIST:
        /* Case investigation needs to reach the patient: unmasked. */
        r->kind = s->kind == SCOPE_REGION ? R_ALL
                  : s->kind == SCOPE_OU   ? R_OU
                                          : R_NONE;
        r->reads = true;
        break;
    case ROLE_FACILITY_ADMIN:
        r->kind = s->kind == SCOPE_FACILITY ? R_FACILITY : R_NONE;
        break;
    case ROLE_VILLAGE_DOCTOR:
        r->kind = s->kind == SCOPE_OU ? R_FACILITY_OU : R_NONE;
        break;
    case ROLE_FAMILY_DOCTOR: {
        if (s->kind != SCOPE_TEAM)
            break;
        struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_TEAM_FACILITY);
        store_bind_int(st, 1, strtoll(s->ref, NULL, 10));
        int rc = store_step(st, err);
        if (rc == STORE_ROW) {
            snprintf(r->code, sizeof(r->code), "%s", store_col_text(st, 0));
            r->kind = R_FACILITY;
        }
        surv_stmt_finish(st, rc);
        if (rc < 0)
            return rc;
        return 0;
    }
    default:
        break;
    }
    if (r->kind == R_OU || r->kind == R_FACILITY || r->kind == R_FACILITY_OU)
        snprintf(r->code, sizeof(r->code), "%s", s->ref);
    return 0;
}

static bool in_reach(const struct reach *r, const char *facility, const char *facility_ou,
                     const char *case_ou)
{
    switch (r->kind) {
    case R_ALL:
        return true;
    case R_OU:
        return adcode_in_subtree(case_ou, r->code);
    case R_FACILITY:
        return strcmp(facility, r->code) == 0;
    case R_FACILITY_OU:
        return adcode_in_subtree(facility_ou, r->code);
    case R_NONE:
        break;
    }
    return false;
}

static int refuse_role(const struct acct_principal *who, struct yl_err *err)
{
    return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not see case reports",
                      who ? acct_role_name(who->role) : "caller");
}

bool surv_reads_cases(const struct acct_principal *who)
{
    if (who == NULL)
        return true;
    return (who->role == ROLE_ADMIN && who->scope.kind == SCOPE_REGION) ||
           who->role == ROLE_EPIDEMIOLOGIST;
}

/* --- reading rows -------------------------------------------------------------------------- */

/* The first UTF-8 character kept, each further one a '*'. */
static const char *name_mask(struct arena *a, const char *name)
{
    size_t n = strlen(name), first = 1, chars = 0;
    while (first < n && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    for (size_t i = first; i < n; i++)
        chars += ((unsigned char)name[i] & 0xC0) != 0x80;
    char *out = arena_alloc(a, first + chars + 1);
    memcpy(out, name, first < n ? first : n);
    memset(out + (first < n ? first : n), '*', chars);
    out[(first < n ? first : n) + chars] = '\0';
    return out;
}

static void case_from_row(struct store_stmt *st, struct arena *a, bool mask,
                          struct surv_case_report *o, char facility_ou[16])
{
    memset(o, 0, sizeof(*o));
    o->id = store_col_int(st, 0);
    snprintf(o->external_id, sizeof(o->external_id), "%s", store_col_text(st, 1));
    snprintf(o->disease, sizeof(o->disease), "%s", store_col_text(st, 2));
    o->disease_class = store_col_text(st, 3)[0];
    o->classification = find_name(classifications, 3, store_col_text(st, 4));
    const char *onset = store_col_text(st, 5);
    if (date_parse(onset, strlen(onset), &o->onset, "onset_date", NULL) != 0)
        o->onset = DATE_INVALID;
    snprintf(o->diagnosed_at, sizeof(o->diagnosed_at), "%s", store_col_text(st, 6));
    snprintf(o->reported_at, sizeof(o->reported_at), "%s", store_col_text(st, 7));
    o->delay_s = store_col_int(st, 8);
    o->late = store_col_int(st, 9) != 0;
    snprintf(o->facility, sizeof(o->facility), "%s", store_col_text(st, 10));
    o->resident_id = store_col_int(st, 11);
    const char *name = store_col_text(st, 12), *idno = store_col_text(st, 13);
    o->masked = mask && o->resident_id > 0;
    if (a != NULL)
        o->name = o->masked ? name_mask(a, name) : arena_strdup(a, name);
    else
        o->name = "";
    char masked[IDNO_LEN + 1];
    snprintf(o->id_number, sizeof(o->id_number), "%s",
             o->masked ? idno_mask(idno, masked) : idno);
    o->age_years = (int)store_col_int(st, 14);
    o->sex = (int)store_col_int(st, 15);
    snprintf(o->ou, sizeof(o->ou), "%s", store_col_text(st, 16));
    o->status = find_name(statuses, 3, store_col_text(st, 17));
    snprintf(o->delete_reason, sizeof(o->delete_reason), "%s", store_col_text(st, 18));
    snprintf(o->created_at, sizeof(o->created_at), "%s", store_col_text(st, 19));
    snprintf(o->updated_at, sizeof(o->updated_at), "%s", store_col_text(st, 20));
    if (facility_ou != NULL)
        snprintf(facility_ou, 16, "%s", store_col_text(st, 21));
    snprintf(o->school, sizeof(o->school), "%s", store_col_text(st, 22));
}

/* One report by id or external id; *found tells. */
static int case_read(struct store_conn *c, int64_t id, const char *external, struct arena *a,
                     bool mask, struct surv_case_report *out, char facility_ou[16], bool *found,
                     struct yl_err *err)
{
    struct store_stmt *st =
        store_stmt(c, external ? STORE_SQL_SURV_CASE_BY_EXTERNAL : STORE_SQL_SURV_CASE_BY_ID);
    if (external)
        store_bind_text(st, 1, external);
    else
        store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        case_from_row(st, a, mask, out, facility_ou);
    surv_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

/* A report the caller may act on: YL_ENOTFOUND when absent or outside reach. */
static int case_in_reach(struct store_conn *c, const struct reach *r, int64_t id,
                         struct arena *a, struct surv_case_report *out, struct yl_err *err)
{
    char fou[16];
    bool found;
    int rc = case_read(c, id, NULL, a, r->masked, out, fou, &found, err);
    if (rc == 0 && (!found || !in_reach(r, out->facility, fou, out->ou)))
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no case report %lld", (long long)id);
    return rc;
}

/* --- checks -------------------------------------------------------------------------------- */

/* A report resolved to what the store holds. */
struct checked {
    const struct surv_disease *disease;
    int classification;
    int32_t onset;
    char onset_text[DATE_STR_LEN];
    int64_t diagnosed, reported;
    char diagnosed_text[32], reported_text[32];
    bool reported_given;
    int64_t facility_id;
    char facility_ou[16];
    int64_t resident_id;
    int64_t ou_id;
    char ou[16];
    char school[SURV_SCHOOL_MAX + 1];
    int age_years;
    int sex;
};

static int check_disease(const struct surv_catalog *cat, const char *code,
                         const struct surv_disease **out, struct yl_err *err)
{
    if (empty(code))
        return yl_err_set(err, YL_EINVAL, "disease", "disease is required");
    *out = surv_disease_find(cat, code);
    if (*out == NULL)
        return yl_err_set(err, YL_EINVAL, "disease",
                          "disease \"%s\" is not on the notifiable disease list", code);
    return 0;
}

static int check_classification(const char *s, int *out, struct yl_err *err)
{
    *out = find_name(classifications, 3, s);
    if (*out < 0)
        return yl_err_set(err, YL_EINVAL, "classification",
                          "classification must be suspected, clinical or confirmed");
    return 0;
}

/* Onset (a civil date), diagnosis and report times in order, none in the future. */
static int check_times(const char *onset, const char *diagnosed, const char *reported,
                       struct checked *k, struct yl_err *err)
{
    int64_t now = (int64_t)time(NULL);
    if (empty(onset))
        return yl_err_set(err, YL_EINVAL, "onset_date", "onset_date is required");
    int rc = date_parse(onset, strlen(onset), &k->onset, "onset_date", err);
    if (rc == 0 && empty(diagnosed))
        rc = yl_err_set(err, YL_EINVAL, "diagnosed_at", "diagnosed_at is required");
    if (rc == 0)
        rc = surv_time_parse(diagnosed, "diagnosed_at", &k->diagnosed, err);
    k->reported_given = !empty(reported);
    k->reported = now;
    if (rc == 0 && k->reported_given)
        rc = surv_time_parse(reported, "reported_at", &k->reported, err);
    if (rc != 0)
        return rc;
    if (k->onset > surv_local_day(k->diagnosed))
        return yl_err_set(err, YL_EINVAL, "onset_date", "onset_date is after the diagnosis");
    if (k->diagnosed > k->reported)
        return yl_err_set(err, YL_EINVAL, "diagnosed_at", "diagnosed_at is after the report");
    if (k->reported > now + FUTURE_SLACK_S)
        return yl_err_set(err, YL_EINVAL, "reported_at", "reported_at is in the future");
    date_format(k->onset, k->onset_text);
    surv_time_format(k->diagnosed, k->diagnosed_text);
    surv_time_format(k->reported, k->reported_text);
    return 0;
}

static int check_facility(struct store_conn *c, const char *code, struct checked *k,
                          struct yl_err *err)
{
    if (empty(code))
        return yl_err_set(err, YL_EINVAL, "facility", "facility is required");
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_FACILITY_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    bool found = rc == STORE_ROW;
    if (found) {
        k->facility_id = store_col_int(st, 0);
        snprintf(k->facility_ou, sizeof(k->facility_ou), "%s", store_col_text(st, 1));
    }
    surv_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    return found ? 0 : yl_err_set(err, YL_EINVAL, "facility", "no facility \"%s\"", code);
}

/* The patient: a registered resident (their sex, age at onset and residence), or age, sex
 * and the org unit of residence. */
static int check_patient(struct store_conn *c, const struct surv_case_input *in,
                         struct checked *k, struct yl_err *err)
{
    if (in->resident_id > 0 || !empty(in->id_number)) {
        bool by_id = in->resident_id > 0;
        const char *field = by_id ? "resident_id" : "id_number";
        struct store_stmt *st = store_stmt(
            c, by_id ? STORE_SQL_SURV_RESIDENT_BY_ID : STORE_SQL_SURV_RESIDENT_BY_IDNO);
        if (by_id)
            store_bind_int(st, 1, in->resident_id);
        else
            store_bind_text(st, 1, in->id_number);
        int rc = store_step(st, err);
        bool found = rc == STORE_ROW;
        int32_t birth = DATE_INVALID;
        if (found) {
            k->resident_id = store_col_int(st, 0);
            k->ou_id = store_col_int(st, 1);
            snprintf(k->ou, sizeof(k->ou), "%s", store_col_text(st, 2));
            k->sex = (int)store_col_int(st, 3);
            const char *b = store_col_text(st, 4);
            if (date_parse(b, strlen(b), &birth, "birth_date", NULL) != 0)
                birth = DATE_INVALID;
        }
        surv_stmt_finish(st, rc);
        if (rc < 0)
            return rc;
        if (!found)
            return yl_err_set(err, YL_EINVAL, field, "no resident has this %s", field);
        k->age_years = birth != DATE_INVALID ? date_age_years(birth, k->onset) : -1;
        if (birth != DATE_INVALID && k->onset < birth)
            return yl_err_set(err, YL_EINVAL, "onset_date",
                              "onset_date is before the resident's birth");
        return 0;
    }
    if (empty(in->ou))
        return yl_err_set(err, YL_EINVAL, "ou",
                          "a case names its resident (resident_id or id_number) or the org "
                          "unit of residence (ou)");
    if (in->age_years < -1 || in->age_years > 150)
        return yl_err_set(err, YL_EINVAL, "age_years", "age_years must be from 0 to 150");
    if (in->sex < 0 || in->sex > 2)
        return yl_err_set(err, YL_EINVAL, "sex", "sex must be 1 (male), 2 (female) or 0");
    int rc = adcode_validate(in->ou, strlen(in->ou), "ou", err);
    if (rc != 0)
        return rc;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_OU_BY_CODE);
    store_bind_text(st, 1, in->ou);
    rc = store_step(st, err);
    bool found = rc == STORE_ROW;
    if (found)
        k->ou_id = store_col_int(st, 0);
    surv_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (!found)
        return yl_err_set(err, YL_EINVAL, "ou", "no org unit \"%s\"", in->ou);
    snprintf(k->ou, sizeof(k->ou), "%s", in->ou);
    k->age_years = in->age_years;
    k->sex = in->sex;
    return 0;
}

static int check_case(struct store_conn *c, const struct surv_catalog *cat,
                      const struct surv_case_input *in, struct checked *k, struct yl_err *err)
{
    int rc = check_disease(cat, in->disease, &k->disease, err);
    if (rc == 0)
        rc = check_classification(in->classification, &k->classification, err);
    if (rc == 0)
        rc = check_times(in->onset_date, in->diagnosed_at, in->reported_at, k, err);
    if (rc == 0)
        rc = check_facility(c, in->facility, k, err);
    if (rc == 0)
        rc = check_patient(c, in, k, err);
    const char *school = in->school != NULL ? in->school : "";
    if (rc == 0 && strlen(school) > SURV_SCHOOL_MAX)
        rc = yl_err_set(err, YL_EINVAL, "school", "school is longer than %d bytes",
                        SURV_SCHOOL_MAX);
    if (rc == 0)
        snprintf(k->school, sizeof(k->school), "%s", school);
    return rc;
}

/* The content a re-sent report must repeat to be "the same". */
static bool same_case(const struct surv_case_report *e, const struct checked *k,
                      const char *facility)
{
    return strcmp(e->disease, k->disease->code) == 0 &&
           e->classification == k->classification && e->onset == k->onset &&
           strcmp(e->diagnosed_at, k->diagnosed_text) == 0 &&
           (!k->reported_given || strcmp(e->reported_at, k->reported_text) == 0) &&
           strcmp(e->facility, facility) == 0 && e->resident_id == k->resident_id &&
           strcmp(e->ou, k->ou) == 0 && e->age_years == k->age_years && e->sex == k->sex &&
           strcmp(e->school, k->school) == 0;
}

static int insert_case(struct store_conn *c, const char *external, const struct checked *k,
                       int64_t *id, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    int64_t delay = k->reported - k->diagnosed;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_CASE_INSERT);
    store_bind_text(st, 1, external);
    store_bind_text(st, 2, k->disease->code);
    store_bind_textn(st, 3, &k->disease->cls, 1);
    store_bind_text(st, 4, classifications[k->classification]);
    store_bind_text(st, 5, k->onset_text);
    store_bind_text(st, 6, k->diagnosed_text);
    store_bind_text(st, 7, k->reported_text);
    store_bind_int(st, 8, delay);
    store_bind_int(st, 9, surv_is_late(k->diagnosed, k->reported,
                                       k->disease->report_limit_hours));
    store_bind_int(st, 10, k->facility_id);
    if (k->resident_id > 0)
        store_bind_int(st, 11, k->resident_id);
    else
        store_bind_null(st, 11);
    if (k->age_years >= 0)
        store_bind_int(st, 12, k->age_years);
    else
        store_bind_null(st, 12);
    store_bind_int(st, 13, k->sex);
    store_bind_int(st, 14, k->ou_id);
    store_bind_text(st, 15, k->ou);
    store_bind_text(st, 16, now);
    store_bind_text(st, 17, now);
    store_bind_text(st, 18, k->school);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    surv_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        rc = yl_err_set(err, YL_ESTORE, NULL, "the case report was not stored");
    return rc < 0 ? rc : 0;
}

/* --- writes -------------------------------------------------------------------------------- */

int surv_case_apply(struct store_conn *c, const struct surv_catalog *cat,
                    const struct acct_principal *who, const struct surv_case_input *in,
                    int64_t *id, bool *created, struct surv_case_key *key,
                    struct yl_err *err)
{
    struct checked k = {0};
    struct reach r;
    *id = 0;
    *created = false;
    int rc = reach_of(c, who, &r, err);
    if (rc != 0)
        return rc;
    if (r.kind == R_NONE)
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not report cases",
                          acct_role_name(who->role));
    if (empty(in->external_id))
        return yl_err_set(err, YL_EINVAL, "external_id", "external_id is required");
    rc = imp_check_external_id(in->external_id, SURV_EXTERNAL_ID_MAX, err);
    if (rc == 0)
        rc = check_case(c, cat, in, &k, err);
    if (rc == 0 && !in_reach(&r, in->facility, k.facility_ou, k.ou))
        rc = yl_err_set(err, YL_EFORBIDDEN, r.kind == R_OU ? "ou" : "facility",
                        r.kind == R_OU ? "the residence lies outside your scope"
                                       : "you may report cases of your own facility only");
    if (rc != 0)
        return rc;
    struct surv_case_report e;
    char fou[16];
    bool found;
    rc = case_read(c, 0, in->external_id, NULL, false, &e, fou, &found, err);
    if (rc != 0)
        return rc;
    if (found) {
        *id = e.id;
        /* A report revised or deleted since keeps its later state; the original sent again
         * is not news. Other content under a fresh report's id is. */
        if (e.status != SURV_REPORTED || same_case(&e, &k, in->facility))
            return 0;
        bool first = err != NULL && err->code == 0;
        rc = yl_err_set(err, YL_ECONFLICT, "external_id",
                        "a case report with external_id \"%s\" already exists (report %lld) "
                        "with other content", in->external_id, (long long)e.id);
        if (first)
            err->existing_id = e.id;
        return rc;
    }
    rc = insert_case(c, in->external_id, &k, id, err);
    *created = rc == 0;
    if (*created && key != NULL) {
        snprintf(key->disease, sizeof(key->disease), "%s", k.disease->code);
        snprintf(key->ou, sizeof(key->ou), "%s", k.ou);
        key->onset = k.onset;
    }
    return rc;
}

static int write_end(struct store_conn *c, const struct audit_actor *by, const char *action,
                     int64_t id, int rc, struct yl_err *err)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    struct audit_event ev = {action, "case_report", text, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

int surv_case_record(struct store *s, const struct surv_catalog *cat,
                     const struct acct_principal *who, const struct audit_actor *by,
                     const struct surv_case_input *in, int64_t *id, bool *created,
                     struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = surv_case_apply(c, cat, who, in, id, created, NULL, err);
    if (rc == 0 && !*created) {
        store_rollback(c);
        store_release(c);
        return 0;
    }
    return write_end(c, by, "report_case", *id, rc, err);
}

int surv_case_revise(struct store *s, const struct surv_catalog *cat,
                     const struct acct_principal *who, const struct audit_actor *by, int64_t id,
                     const struct surv_case_patch *p, struct yl_err *err)
{
    struct store_conn *c;
    struct reach r;
    struct surv_case_report e;
    struct checked k = {0};
    if (p->disease == NULL && p->classification == NULL && p->onset_date == NULL &&
        p->diagnosed_at == NULL)
        return yl_err_set(err, YL_EINVAL, NULL, "nothing to revise: give disease, "
                          "classification, onset_date or diagnosed_at");
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = reach_of(c, who, &r, err);
    if (rc == 0 && r.kind == R_NONE)
        rc = refuse_role(who, err);
    if (rc == 0)
        rc = case_in_reach(c, &r, id, NULL, &e, err);
    if (rc == 0 && e.status == SURV_DELETED)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "a deleted case report cannot be revised");
    char onset[DATE_STR_LEN];
    if (rc == 0)
        rc = check_disease(cat, p->disease ? p->disease : e.disease, &k.disease, err);
    if (rc == 0)
        rc = check_classification(p->classification ? p->classification
                                                    : classifications[e.classification],
                                  &k.classification, err);
    if (rc == 0)
        rc = check_times(p->onset_date ? p->onset_date : date_format(e.onset, onset),
                         p->diagnosed_at ? p->diagnosed_at : e.diagnosed_at, e.reported_at, &k,
                         err);
    /* A registered patient's age is their age at onset, which a new onset moves. */
    k.age_years = e.age_years;
    if (rc == 0 && e.resident_id > 0) {
        struct surv_case_input who_in = {.resident_id = e.resident_id};
        rc = check_patient(c, &who_in, &k, err);
    }
    if (rc != 0) {
        store_rollback(c);
        store_release(c);
        return rc;
    }
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_CASE_REVISE);
    store_bind_text(st, 1, k.disease->code);
    store_bind_textn(st, 2, &k.disease->cls, 1);
    store_bind_text(st, 3, classifications[k.classification]);
    store_bind_text(st, 4, k.onset_text);
    store_bind_text(st, 5, k.diagnosed_text);
    store_bind_int(st, 6, k.reported - k.diagnosed);
    store_bind_int(st, 7, surv_is_late(k.diagnosed, k.reported, k.disease->report_limit_hours));
    if (k.age_years >= 0)
        store_bind_int(st, 8, k.age_years);
    else
        store_bind_null(st, 8);
    store_bind_text(st, 9, now);
    store_bind_int(st, 10, id);
    rc = store_exec(st, err);
    return write_end(c, by, "revise_case", id, rc, err);
}

int surv_case_delete(struct store *s, const struct acct_principal *who,
                     const struct audit_actor *by, int64_t id, const char *reason,
                     struct yl_err *err)
{
    struct store_conn *c;
    struct reach r;
    struct surv_case_report e;
    if (empty(reason))
        return yl_err_set(err, YL_EINVAL, "reason", "a deletion needs its reason");
    if (strlen(reason) > SURV_REASON_MAX)
        return yl_err_set(err, YL_EINVAL, "reason", "reason is longer than %d bytes",
                          SURV_REASON_MAX);
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = reach_of(c, who, &r, err);
    if (rc == 0 && r.kind == R_NONE)
        rc = refuse_role(who, err);
    if (rc == 0)
        rc = case_in_reach(c, &r, id, NULL, &e, err);
    if (rc == 0 && e.status == SURV_DELETED)
        rc = yl_err_set(err, YL_ECONFLICT, "status", "case report %lld is deleted already",
                        (long long)id);
    if (rc == 0) {
        char now[32];
        audit_now_rfc3339(now);
        struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_CASE_DELETE);
        store_bind_text(st, 1, reason);
        store_bind_text(st, 2, now);
        store_bind_int(st, 3, id);
        rc = store_exec(st, err);
    }
    if (rc != 0) {
        store_rollback(c);
        store_release(c);
        return rc;
    }
    return write_end(c, by, "delete_case", id, rc, err);
}

/* --- reads --------------------------------------------------------------------------------- */

int surv_case_get(struct store *s, const struct acct_principal *who, int64_t id,
                  struct arena *a, struct surv_case_report *out, struct yl_err *err)
{
    struct store_conn *c = store_acquire(s);
    struct reach r;
    int rc = reach_of(c, who, &r, err);
    if (rc == 0 && r.kind == R_NONE)
        rc = refuse_role(who, err);
    if (rc == 0)
        rc = case_in_reach(c, &r, id, a, out, err);
    store_release(c);
    return rc;
}

int surv_case_list(struct store *s, const struct acct_principal *who,
                   const struct surv_case_query *q, struct arena *a,
                   struct surv_case_report **out, size_t *n, struct yl_err *err)
{
    *out = NULL;
    *n = 0;
    if (!surv_reads_cases(who))
        return refuse_role(who, err);
    struct store_conn *c = store_acquire(s);
    struct reach r;
    int rc = reach_of(c, who, &r, err);
    const char *root = r.kind == R_OU ? r.code : "";
    if (rc == 0 && r.kind != R_ALL && r.kind != R_OU)
        rc = refuse_role(who, err);
    if (rc == 0 && !empty(q->ou)) {
        rc = adcode_validate(q->ou, strlen(q->ou), "ou", err);
        /* A filter outside the caller's subtree names nothing they may see. */
        if (rc == 0 && r.kind == R_OU && !adcode_in_subtree(q->ou, r.code))
            rc = yl_err_set(err, YL_ENOTFOUND, "ou", "org unit \"%s\" is outside your scope",
                            q->ou);
        root = q->ou;
    }
    if (rc != 0) {
        store_release(c);
        return rc;
    }
    struct surv_range range;
    surv_subtree(root, &range);
    char from[DATE_STR_LEN] = "0000-00-00", to[DATE_STR_LEN] = "9999-99-99";
    if (q->from != DATE_INVALID)
        date_format(q->from, from);
    if (q->to != DATE_INVALID)
        date_format(q->to, to);
    const char *status = q->status >= 0 && q->status < 3 ? statuses[q->status] : "";
    const char *disease = q->disease ? q->disease : "";
    struct store_stmt *st = store_stmt(c, STORE_SQL_SURV_CASE_LIST);
    store_bind_text(st, 1, range.lo);
    store_bind_text(st, 2, range.hi);
    store_bind_text(st, 3, disease);
    store_bind_text(st, 4, disease);
    store_bind_text(st, 5, from);
    store_bind_text(st, 6, to);
    store_bind_text(st, 7, status);
    store_bind_text(st, 8, status);
    store_bind_int(st, 9, q->late);
    store_bind_int(st, 10, q->late);
    store_bind_int(st, 11, q->after);
    store_bind_int(st, 12, q->limit);
    size_t cap = q->limit > 0 ? (size_t)q->limit : 1;
    struct surv_case_report *rows = arena_alloc(a, cap * sizeof(*rows));
    while ((rc = store_step(st, err)) == STORE_ROW && *n < cap)
        case_from_row(st, a, r.masked, &rows[(*n)++], NULL);
    surv_stmt_finish(st, rc);
    store_release(c);
    if (rc < 0)
        return rc;
    *out = rows;
    return 0;
}
