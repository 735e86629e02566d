/*
 * results.c - recording a result (results.h): a lab value or a report from a facility's
 * laboratory, imaging or ECG room, checked against the catalogue.
 *
 * The one idea: the catalogue decides what a result may hold. A number only for a lab item
 * that has a unit, in that unit (a value in another unit would be compared with the wrong
 * reference and recognised where it should not be); report text for everything else. As
 * with encounters, every check runs before the external id is looked up, and an external
 * id sent again with the same content changes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "importer/importer.h"
#include "core/idno.h"
#include "core/mem.h"
#include "records/records.h"
#include "results/results_int.h"
#include "store/store.h"

/* --- lookups ------------------------------------------------------------------------------ */

static int lookup_id(struct store_conn *c, enum store_sql q, const char *key, bool *found,
                     int64_t *id, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, q);
    store_bind_text(st, 1, key);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        *id = store_col_int(st, 0);
    res_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

int res_facility_find(struct store_conn *c, const char *code, int64_t *id, struct yl_err *err)
{
    if (res_empty(code))
        return yl_err_set(err, YL_EINVAL, "facility", "facility is required");
    bool found;
    int rc = lookup_id(c, STORE_SQL_RES_FACILITY_BY_CODE, code, &found, id, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_EINVAL, "facility", "no facility \"%s\"", code);
    return rc;
}


/* --- checks ------------------------------------------------------------------------------- */

static int check_external_id(const char *s, struct yl_err *err)
{
    if (s == NULL || s[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "external_id", "external_id is required");
    return imp_check_external_id(s, RES_EXTERNAL_ID_MAX, err);
}

static int check_day(const char *s, int32_t birth, int32_t *day, struct yl_err *err)
{
    if (res_empty(s))
        return yl_err_set(err, YL_EINVAL, "date", "date is required");
    int rc = date_parse(s, strlen(s), day, "date", err);
    if (rc == 0 && *day > date_today())
        rc = yl_err_set(err, YL_EINVAL, "date", "date is in the future");
    if (rc == 0 && *day < birth)
        rc = yl_err_set(err, YL_EINVAL, "date", "date is before the resident's birth");
    return rc;
}

/* What the catalogue allows the result to hold. */
static int check_content(const struct res_result_input *in, const struct res_item *it,
                         struct yl_err *err)
{
    bool has_report = !res_empty(in->report), has_unit = !res_empty(in->unit);
    if (in->has_value && it->kind != RES_LAB)
        return yl_err_set(err, YL_EINVAL, "value",
                          "item \"%s\" is an %s item: it has a report, not a value", it->code,
                          res_kind_code(it->kind));
    if (in->has_value && it->unit[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "value",
                          "item \"%s\" has no unit in the catalogue: give its report", it->code);
    if (in->has_value && !isfinite(in->value))
        return yl_err_set(err, YL_EINVAL, "value", "value must be a finite number");
    if (!in->has_value && !has_report)
        return yl_err_set(err, YL_EINVAL, "value", "a value or a report is required");
    if (has_unit && !in->has_value)
        return yl_err_set(err, YL_EINVAL, "unit", "a unit goes with a value");
    if (has_unit && strcmp(in->unit, it->unit) != 0)
        return yl_err_set(err, YL_EINVAL, "unit",
                          "unit \"%s\" is not the catalogue's unit \"%s\" of item \"%s\"",
                          in->unit, it->unit, it->code);
    if (has_report && strlen(in->report) > RES_REPORT_MAX)
        return yl_err_set(err, YL_EINVAL, "report", "report is longer than %d bytes",
                          RES_REPORT_MAX);
    if (in->method != NULL && strlen(in->method) > RES_METHOD_MAX)
        return yl_err_set(err, YL_EINVAL, "method", "method is longer than %d bytes",
                          RES_METHOD_MAX);
    return 0;
}

/* Everything a result becomes before it is compared or written. */
struct checked {
    int64_t resident_id, facility_id;
    int32_t birth, day;
    char date[DATE_STR_LEN];
    struct res_item item;
};

static int check_result(struct store_conn *c, const struct acct_principal *who,
                        const struct res_result_input *in, struct checked *k,
                        struct yl_err *err)
{
    bool found = false;
    int rc = check_external_id(in->external_id, err);
    if (rc == 0)
        rc = rec_find_resident(c, who, in->resident_id, in->id_number, &k->resident_id, &k->birth,
                           err);
    if (rc == 0 && res_empty(in->item))
        rc = yl_err_set(err, YL_EINVAL, "item", "item is required");
    if (rc == 0)
        rc = res_item_read(c, in->item, 0, &k->item, &found, err);
    if (rc == 0 && !found)
        rc = yl_err_set(err, YL_EINVAL, "item", "no result item \"%s\" in the catalogue",
                        in->item);
    if (rc == 0)
        rc = check_day(in->date, k->birth, &k->day, err);
    if (rc == 0)
        rc = res_facility_find(c, in->facility, &k->facility_id, err);
    if (rc == 0)
        rc = check_content(in, &k->item, err);
    if (rc == 0)
        date_format(k->day, k->date);
    return rc;
}

static bool same_text(const char *stored, const char *given)
{
    return strcmp(stored ? stored : "", given ? given : "") == 0;
}

static bool same_result(const struct res_result *r, const struct res_result_input *in,
                        const struct checked *k)
{
    return r->resident_id == k->resident_id && r->item_id == k->item.id && r->day == k->day &&
           r->facility_id == k->facility_id && r->has_value == in->has_value &&
           (!in->has_value || r->value == in->value) && same_text(r->report, in->report) &&
           same_text(r->method, in->method);
}

/* A result stored under the external id: *found, and a conflict unless its content is in's. */
static int compare_stored(struct store_conn *c, const struct res_result_input *in,
                          const struct checked *k, bool *found, struct res_record *out,
                          struct yl_err *err)
{
    struct arena a;
    struct res_result r;
    arena_init(&a);
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_BY_EXTERNAL);
    store_bind_text(st, 1, in->external_id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        res_result_from_row(st, &a, &r);
    res_stmt_finish(st, rc);
    bool same = *found && same_result(&r, in, k);
    arena_release(&a);
    if (rc < 0 || !*found)
        return rc < 0 ? rc : 0;
    out->id = r.id;
    if (same)
        return 0;
    bool first = err != NULL && err->code == 0;
    rc = yl_err_set(err, YL_ECONFLICT, "external_id", "a result with external_id \"%s\" "
                    "already exists (result %lld) with other content", in->external_id,
                    (long long)r.id);
    if (first)
        err->existing_id = r.id;
    return rc;
}

static int insert_result(struct store_conn *c, const struct res_result_input *in,
                         const struct checked *k, int64_t *id, struct yl_err *err)
{
    char now[32];
    audit_now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_RES_INSERT);
    store_bind_text(st, 1, in->external_id);
    store_bind_int(st, 2, k->resident_id);
    store_bind_int(st, 3, k->item.id);
    if (in->has_value) {
        store_bind_double(st, 4, in->value);
        store_bind_text(st, 5, k->item.unit);
    } else {
        store_bind_null(st, 4);
        store_bind_null(st, 5);
    }
    store_bind_text(st, 6, res_empty(in->report) ? NULL : in->report);
    store_bind_text(st, 7, k->date);
    store_bind_int(st, 8, k->facility_id);
    store_bind_text(st, 9, in->method ? in->method : "");
    store_bind_text(st, 10, now);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    res_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        rc = yl_err_set(err, YL_ESTORE, NULL, "the result was not stored");
    return rc < 0 ? rc : 0;
}

int res_result_apply(struct store_conn *c, const struct acct_principal *who,
                     const struct res_result_input *in, struct res_record *out,
                     struct yl_err *err)
{
    struct checked k = {0};
    memset(out, 0, sizeof(*out));
    int rc = check_result(c, who, in, &k, err);
    out->resident_id = k.resident_id;
    bool found = false;
    if (rc == 0)
        rc = compare_stored(c, in, &k, &found, out, err);
    if (rc != 0 || found)
        return rc;
    rc = insert_result(c, in, &k, &out->id, err);
    out->created = rc == 0;
    return rc;
}

int res_result_record(struct store *s, const struct acct_principal *who,
                      const struct audit_actor *by, const struct res_result_input *in,
                      struct res_record *out, struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = res_result_apply(c, who, in, out, err);
    if (rc == 0 && !out->created) {
        /* The same result again: nothing to audit or commit. */
        store_rollback(c);
        store_release(c);
        return 0;
    }
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)out->resident_id);
    struct audit_event ev = {"record_result", "resident", id, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}
