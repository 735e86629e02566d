/*
 * registry_int.h - what the registry's files share: the field rules common to every entity,
 * the code → store id map the imports resolve references with, the import context, and
 * each entity's CSV row function.
 */
#ifndef YL_REGISTRY_INT_H
#define YL_REGISTRY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "registry/registry.h"
#include "store/store.h"
#include "vocab/vocab.h"

struct csv_reader;
struct yl_err;

/* How a record is written: a new record (a duplicate code is a conflict), or insert-or-update
 * keyed on the code, writing only when a value differs. */
enum reg_mode { REG_CREATE, REG_UPSERT };

/* --- field rules (fields.c) ------------------------------------------------------------ */

/* A facility, group or staff code: 1-32 of letters, digits, '-' and '_'. */
int reg_check_code(const char *code, const char *field, struct yl_err *err);
/* Valid UTF-8 without control characters, min_chars..max_chars characters. NULL counts as
 * empty. Messages name the field, never the value (it may be a person's name). */
int reg_check_text(const char *s, const char *field, size_t min_chars, size_t max_chars,
                   struct yl_err *err);
/* Latitude and longitude: both or neither, within WGS 84 ranges. */
int reg_check_coord(const struct reg_real *lat, const struct reg_real *lon,
                    struct yl_err *err);
/* An optional count: default 0 when not given, otherwise 0..max. */
int reg_check_count(const struct reg_int *v, const char *field, int64_t max, int64_t *out,
                    struct yl_err *err);
/* An optional vocabulary code: NULL or "" gives dflt. */
int reg_check_vocab(enum vocab_kind kind, const char *code, const char *field, int dflt,
                    int *out, struct yl_err *err);
/* A subtree filter value: "" or a valid org unit code; sets the code range [lo, hi). */
int reg_subtree_range(const char *code, const char *field, char lo[ADCODE_MAX_LEN + 1],
                      char hi[ADCODE_MAX_LEN + 2], struct yl_err *err);

/* Bind an optional coordinate (NULL when not set). */
void reg_bind_real(struct store_stmt *st, int idx, const struct reg_real *v);
/* Copy a text column into a fixed buffer. */
void reg_col_copy(struct store_stmt *st, int col, char *out, size_t n);

/* Step an INSERT/UPSERT … RETURNING id: IMP_APPLIED with *id set when a row was written,
 * IMP_UNCHANGED when the upsert found the same values (*id untouched), YL_ECONFLICT on
 * "code" naming `what` and `code` for a duplicate, or the store's error. */
int reg_write_step(struct store_stmt *st, const char *what, const char *code, int64_t *id,
                   struct yl_err *err);
/* Refuse a write that a facility-scoped writer may not make. */
int reg_require_region(const struct reg_writer *by, const char *what, struct yl_err *err);
/* End an audited write begun with store_write_begin: rc < 0 rolls back; otherwise the audit
 * record (action, resource type and id) is appended and the transaction committed. */
int reg_finish(struct store_conn *c, const struct reg_writer *by, const char *action,
               const char *type, const char *resource_id, int rc, struct yl_err *err);
/* reg_finish for a write of record `written`: on success *id (may be NULL) receives it. The
 * one place every API write of the registry ends. */
int reg_finish_id(struct store_conn *c, const struct reg_writer *by, const char *action,
                  const char *type, const char *resource_id, int64_t written, int rc,
                  int64_t *id, struct yl_err *err);

/* --- code → id map (codemap.c) --------------------------------------------------------- */

/* Codes resolved to store ids, filled on first use of each code from `lookup` (a statement
 * "SELECT id FROM t WHERE code = ?"). A code not in the store is not remembered, since a
 * later row of the same import may create it. */
struct reg_codemap {
    struct reg_codemap_slot {
        const char *code;       /* NULL: empty slot */
        int64_t id;
    } *slots;
    size_t cap, used;
    struct arena names;
    enum store_sql lookup;
};

void reg_codemap_init(struct reg_codemap *m, enum store_sql lookup);
void reg_codemap_release(struct reg_codemap *m);
/* Forget everything (after a batch rolled back, its new ids are gone). */
void reg_codemap_clear(struct reg_codemap *m);
void reg_codemap_put(struct reg_codemap *m, const char *code, int64_t id);
/* *id = the code's store id, 0 when there is none. `m` may be NULL: then ask the store with
 * `lookup`. Returns 0 or a store error. */
int reg_resolve(struct store_conn *c, struct reg_codemap *m, enum store_sql lookup,
                const char *code, int64_t *id, struct yl_err *err);

/* --- imports (import.c and each entity's row function) --------------------------------- */

struct reg_import {
    struct reg_codemap ous;
    struct reg_codemap facilities;
    char now[32];               /* updated_at of every record the import writes */
};

int reg_ou_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                      struct yl_err *err);
int reg_population_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                              struct yl_err *err);
int reg_facility_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                            struct yl_err *err);
int reg_group_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                         struct yl_err *err);
int reg_staff_import_row(void *ctx, struct store_conn *c, const struct csv_reader *r,
                         struct yl_err *err);

/* A CSV coordinate column as an optional value (empty: not given). */
int reg_csv_real(const struct csv_reader *r, const char *col, double min, double max,
                 struct reg_real *out, struct yl_err *err);
/* A CSV count column (empty: not given). */
int reg_csv_count(const struct csv_reader *r, const char *col, struct reg_int *out,
                  struct yl_err *err);

#endif
