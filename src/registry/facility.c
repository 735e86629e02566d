/*
 * facility.c - health facilities (医疗卫生机构): type, grade, ownership, org unit, beds, the
 * services they offer and the centers they are designated as. One validating writer
 * (facility_write) serves the API's create and update and the CSV import.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "registry/registry_int.h"

#define BEDS_MAX 100000

static void facility_from_row(struct store_stmt *st, struct reg_facility *f)
{
    memset(f, 0, sizeof(*f));
    f->id = store_col_int(st, 0);
    reg_col_copy(st, 1, f->code, sizeof(f->code));
    reg_col_copy(st, 2, f->name, sizeof(f->name));
    f->type = vocab_find(VOCAB_FACILITY_TYPE, store_col_text(st, 3));
    f->grade = vocab_find(VOCAB_GRADE, store_col_text(st, 4));
    f->ownership = vocab_find(VOCAB_OWNERSHIP, store_col_text(st, 5));
    reg_col_copy(st, 6, f->ou_code, sizeof(f->ou_code));
    f->has_coord = !store_col_is_null(st, 7) && !store_col_is_null(st, 8);
    f->lat = store_col_double(st, 7);
    f->lon = store_col_double(st, 8);
    f->beds = store_col_int(st, 9);
    f->icu_beds = store_col_int(st, 10);
    f->infant_care_places = store_col_int(st, 11);
    /* Stored sets were written by facility_write from parsed codes, so they parse. */
    vocab_parse_set(VOCAB_SERVICE, store_col_text(st, 12), "services", &f->services, NULL);
    vocab_parse_set(VOCAB_CENTER, store_col_text(st, 13), "centers", &f->centers, NULL);
    f->status = vocab_find(VOCAB_FACILITY_STATUS, store_col_text(st, 14));
    reg_col_copy(st, 15, f->updated_at, sizeof(f->updated_at));
}

static int facility_read(struct store_conn *c, const char *code, struct reg_facility *out,
                         struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_FACILITY_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        facility_from_row(st, out);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = yl_err_set(err, YL_ENOTFOUND, NULL, "no facility \"%.32s\"", code);
    }
    store_exec(st, NULL);
    return rc;
}

/* Validate a complete input and write it; `ous` resolves ou_code (NULL: ask the store).
 * Returns IMP_APPLIED, IMP_UNCHANGED or a negative code; *id is set when written. */
static int facility_write(struct store_conn *c, struct reg_codemap *ous,
                          const struct reg_facility_in *in, enum reg_mode mode,
                          const char *now, int64_t *id, struct yl_err *err)
{
    int type = 0, grade = 0, ownership = 0, status = 0;
    int64_t beds, icu_beds, places;
    uint32_t services = 0, centers = 0;
    int rc = reg_check_code(in->code, "code", err);
    if (rc == 0)
        rc = reg_check_text(in->name, "name", 1, REG_NAME_MAX, err);
    if (rc == 0 && (in->type == NULL || in->type[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "type", "type is required");
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_FACILITY_TYPE, in->type, "type", 0, &type, err);
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_GRADE, in->grade, "grade", GRADE_NONE, &grade, err);
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_OWNERSHIP, in->ownership, "ownership", OWN_PUBLIC,
                             &ownership, err);
    if (rc == 0 && (in->ou_code == NULL || in->ou_code[0] == '\0'))
        rc = yl_err_set(err, YL_EINVAL, "ou_code", "ou_code is required");
    if (rc == 0)
        rc = reg_check_coord(&in->lat, &in->lon, err);
    if (rc == 0)
        rc = reg_check_count(&in->beds, "beds", BEDS_MAX, &beds, err);
    if (rc == 0)
        rc = reg_check_count(&in->icu_beds, "icu_beds", BEDS_MAX, &icu_beds, err);
    if (rc == 0)
        rc = reg_check_count(&in->infant_care_places, "infant_care_places", BEDS_MAX, &places,
                             err);
    /* ICU beds are counted among the actual beds (实有床位) in health statistics. */
    if (rc == 0 && icu_beds > beds)
        rc = yl_err_set(err, YL_EINVAL, "icu_beds", "icu_beds (%lld) exceeds beds (%lld)",
                        (long long)icu_beds, (long long)beds);
    if (rc == 0)
        rc = vocab_parse_set(VOCAB_SERVICE, in->services, "services", &services, err);
    if (rc == 0)
        rc = vocab_parse_set(VOCAB_CENTER, in->centers, "centers", &centers, err);
    if (rc == 0)
        rc = reg_check_vocab(VOCAB_FACILITY_STATUS, in->status, "status", FSTAT_ACTIVE,
                             &status, err);
    if (rc != 0)
        return rc;
    int64_t ou_id = 0;
    rc = reg_resolve(c, ous, STORE_SQL_REG_OU_ID, in->ou_code, &ou_id, err);
    if (rc != 0)
        return rc;
    if (ou_id == 0)
        return yl_err_set(err, YL_EINVAL, "ou_code", "unknown org unit \"%.16s\"", in->ou_code);
    /* Sets are stored in vocabulary order so that equal sets are equal text. */
    char services_text[512], centers_text[256];
    vocab_format_set(VOCAB_SERVICE, services, services_text, sizeof(services_text));
    vocab_format_set(VOCAB_CENTER, centers, centers_text, sizeof(centers_text));
    struct store_stmt *st = store_stmt(
        c, mode == REG_CREATE ? STORE_SQL_REG_FACILITY_INSERT : STORE_SQL_REG_FACILITY_UPSERT);
    store_bind_text(st, 1, in->code);
    store_bind_text(st, 2, in->name);
    store_bind_text(st, 3, vocab_code(VOCAB_FACILITY_TYPE, type));
    store_bind_text(st, 4, vocab_code(VOCAB_GRADE, grade));
    store_bind_text(st, 5, vocab_code(VOCAB_OWNERSHIP, ownership));
    store_bind_int(st, 6, ou_id);
    reg_bind_real(st, 7, &in->lat);
    reg_bind_real(st, 8, &in->lon);
    store_bind_int(st, 9, beds);
    store_bind_int(st, 10, icu_beds);
    store_bind_int(st, 11, places);
    store_bind_text(st, 12, services_text);
    store_bind_text(st, 13, centers_text);
    store_bind_text(st, 14, vocab_code(VOCAB_FACILITY_STATUS, status));
    store_bind_text(st, 15, now);
    return reg_write_step(st, "facility", in->code, id, err);
}

int reg_facility_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                        const struct reg_facility_in *in, int64_t *id, struct yl_err *err)
{
    int rc = reg_require_region(by, "facilities", err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    char now[32];
    audit_now_rfc3339(now);
    int64_t written = 0;
    rc = facility_write(c, NULL, in, REG_CREATE, now, &written, err);
    return reg_finish_id(c, by, "create", "facility", in->code ? in->code : "",
                         written, rc, id, err);
}

/* Fill what an update leaves out from the stored record. Strings point into `cur`. */
static void facility_merge(struct reg_facility_in *m, const struct reg_facility *cur,
                           char *services, size_t ns, char *centers, size_t nc)
{
    m->code = cur->code;
    if (m->name == NULL)
        m->name = cur->name;
    if (m->type == NULL)
        m->type = vocab_code(VOCAB_FACILITY_TYPE, cur->type);
    if (m->grade == NULL)
        m->grade = vocab_code(VOCAB_GRADE, cur->grade);
    if (m->ownership == NULL)
        m->ownership = vocab_code(VOCAB_OWNERSHIP, cur->ownership);
    if (m->ou_code == NULL)
        m->ou_code = cur->ou_code;
    if (m->lat.opt == REG_UNSET && m->lon.opt == REG_UNSET) {
        m->lat = (struct reg_real){cur->has_coord ? REG_SET : REG_NULL, cur->lat};
        m->lon = (struct reg_real){cur->has_coord ? REG_SET : REG_NULL, cur->lon};
    }
    if (m->beds.opt == REG_UNSET)
        m->beds = (struct reg_int){REG_SET, cur->beds};
    if (m->icu_beds.opt == REG_UNSET)
        m->icu_beds = (struct reg_int){REG_SET, cur->icu_beds};
    if (m->infant_care_places.opt == REG_UNSET)
        m->infant_care_places = (struct reg_int){REG_SET, cur->infant_care_places};
    if (m->services == NULL)
        m->services = vocab_format_set(VOCAB_SERVICE, cur->services, services, ns);
    if (m->centers == NULL)
        m->centers = vocab_format_set(VOCAB_CENTER, cur->centers, centers, nc);
    if (m->status == NULL)
        m->status = vocab_code(VOCAB_FACILITY_STATUS, cur->status);
}

int reg_facility_update(const struct reg_ctx *ctx, const struct reg_writer *by,
                        const char *code, const struct reg_facility_in *in, int64_t *id,
                        struct yl_err *err)
{
    int rc = reg_require_region(by, "facilities", err);
    struct store_conn *c;
    if (rc == 0)
        rc = store_write_begin(ctx->store, &c, err);
    if (rc != 0)
        return rc;
    struct reg_facility cur;
    rc = facility_read(c, code, &cur, err);
    if (rc != 0)
        return reg_finish_id(c, by, "update", "facility", code, 0, rc, id, err);
    struct reg_facility_in m = *in;
    char services[512], centers[256];
    facility_merge(&m, &cur, services, sizeof(services), centers, sizeof(centers));
    char now[32];
    audit_now_rfc3339(now);
    int64_t written = cur.id;
    rc = facility_write(c, NULL, &m, REG_UPSERT, now, &written, err);
    return reg_finish_id(c, by, "update", "facility", cur.code, written, rc, id, err);
}

int reg_facility_get(const struct reg_ctx *ctx, const char *code, struct reg_facility *out,
                     struct yl_err *err)
{
    struct store_conn *c = store_acquire(ctx->store);
    int rc = facility_read(c, code, out, err);
    store_release(c);
    return rc;
}

int reg_facility_list(const struct reg_ctx *ctx, const struct reg_facility_filter *f,
                      int64_t after_id, int limit, struct reg_facility *out,
                      struct yl_err *err)
{
    char lo[ADCODE_MAX_LEN + 1], hi[ADCODE_MAX_LEN + 2];
    const char *type = f->type ? f->type : "", *status = f->status ? f->status : "";
    const char *group = f->group ? f->group : "";
    int v;
    int rc = reg_subtree_range(f->ou, "ou", lo, hi, err);
    if (rc == 0 && type[0] != '\0')
        rc = vocab_parse(VOCAB_FACILITY_TYPE, type, "type", &v, err);
    if (rc == 0 && status[0] != '\0')
        rc = vocab_parse(VOCAB_FACILITY_STATUS, status, "status", &v, err);
    if (rc == 0 && group[0] != '\0')
        rc = reg_check_code(group, "group", err);
    if (rc != 0)
        return rc;
    struct store_conn *c = store_acquire(ctx->store);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REG_FACILITY_LIST);
    store_bind_int(st, 1, after_id);
    store_bind_text(st, 2, lo);
    store_bind_text(st, 3, lo);
    store_bind_text(st, 4, hi);
    store_bind_text(st, 5, type);
    store_bind_text(st, 6, type);
    store_bind_text(st, 7, status);
    store_bind_text(st, 8, status);
    store_bind_text(st, 9, group);
    store_bind_text(st, 10, group);
    store_bind_int(st, 11, limit);
    int n = 0;
    while (n < limit && (rc = store_step(st, err)) == STORE_ROW)
        facility_from_row(st, &out[n++]);
    store_exec(st, NULL);
    store_release(c);
    return rc < 0 ? rc : n;
}

int reg_facility_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                            struct yl_err *err)
{
    struct reg_import *imp = ctx;
    struct reg_facility_in in = {0};
    /* Byte limits here only bound the work; the characters are counted by facility_write. */
    int rc = imp_text(r, "code", 1, REG_CODE_MAX, &in.code, err);
    if (rc == 0)
        rc = imp_text(r, "name", 1, REG_TEXT_BYTES(REG_NAME_MAX), &in.name, err);
    if (rc == 0)
        rc = imp_text(r, "type", 1, 64, &in.type, err);
    if (rc == 0)
        rc = imp_text(r, "grade", 0, 64, &in.grade, err);
    if (rc == 0)
        rc = imp_text(r, "ownership", 0, 64, &in.ownership, err);
    if (rc == 0)
        rc = imp_text(r, "ou_code", 1, ADCODE_MAX_LEN + 1, &in.ou_code, err);
    if (rc == 0)
        rc = reg_csv_real(r, "lat", -90.0, 90.0, &in.lat, err);
    if (rc == 0)
        rc = reg_csv_real(r, "lon", -180.0, 180.0, &in.lon, err);
    if (rc == 0)
        rc = reg_csv_count(r, "beds", &in.beds, err);
    if (rc == 0)
        rc = reg_csv_count(r, "icu_beds", &in.icu_beds, err);
    if (rc == 0)
        rc = reg_csv_count(r, "infant_care_places", &in.infant_care_places, err);
    if (rc == 0)
        rc = imp_text(r, "services", 0, 1024, &in.services, err);
    if (rc == 0)
        rc = imp_text(r, "centers", 0, 1024, &in.centers, err);
    if (rc == 0)
        rc = imp_text(r, "status", 0, 64, &in.status, err);
    if (rc != 0)
        return rc;
    int64_t id = 0;
    return facility_write(c, &imp->ous, &in, REG_UPSERT, imp->now, &id, err);
}
