/*
 * registry.h - the region's registry: org units with their resident population, facilities,
 * medical groups and staff (issue 3, DESIGN.md §2; CSV columns in docs/import-formats.md).
 *
 * Everything is addressed by its external code (GB/T 2260 codes for org units, the region's
 * own codes for the rest); store ids stay inside. Every write validates, writes and appends
 * its audit record in one transaction (store_write_begin … audit_finish_write), and the CSV
 * imports run through imp_run and are idempotent: a row equal to what is stored writes nothing.
 */
#ifndef YL_REGISTRY_H
#define YL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/adcode.h"

struct arena;
struct audit_actor;
struct imp_report;
struct store;
struct yl_err;

/* What every registry call works with. Borrowed; lives as long as the caller's store. The
 * population index joins here when writes begin to keep it current. */
struct reg_ctx {
    struct store *store;
};

/* Who writes. `actor` goes into the audit record. `facility`, when set, is the one facility
 * the writer administers (a facility admin's scope): they may then write only staff of that
 * facility, and every other registry write is YL_EFORBIDDEN. NULL for region-wide writers. */
struct reg_writer {
    const struct audit_actor *actor;
    const char *facility;
};

#define REG_CODE_MAX 32             /* facility, group and staff codes: [A-Za-z0-9_-] */
#define REG_OU_NAME_MAX 64          /* characters */
#define REG_NAME_MAX 128            /* characters: facility and group names */
#define REG_PERSON_NAME_MAX 64      /* characters: staff names */
#define REG_QUALIFICATION_MAX 32    /* bytes: [A-Za-z0-9-] */
#define REG_TEXT_BYTES(chars) ((chars) * 4 + 1)     /* UTF-8 and the NUL */
#define REG_AGE_BANDS 19            /* 0-4, 5-9, … 85-89, 90+ */
#define REG_MEMBERS_MAX 1000        /* facilities in one medical group */
#define REG_YEAR_MIN 1900
#define REG_YEAR_MAX 2100

/* An optional value in an input: not given (on update: keep; on create: default), given as
 * null (clear), or set. */
enum reg_opt { REG_UNSET = 0, REG_NULL, REG_SET };

struct reg_real {
    enum reg_opt opt;
    double v;
};

struct reg_int {
    enum reg_opt opt;       /* REG_NULL counts as not given */
    int64_t v;
};

/*
 * Inputs. Strings are borrowed and NULL when not given; on update a NULL field keeps its
 * stored value, on create it takes its default (or is refused when required). Empty optional
 * strings take the default, as empty CSV fields do. Lists are codes separated by spaces.
 */
struct reg_ou_in {
    const char *code;           /* required; the length gives the level */
    const char *name;           /* required, 1-64 characters */
    const char *parent_code;    /* "" or NULL: derived from the code; must match it */
    struct reg_real lat, lon;   /* both or neither */
};

struct reg_facility_in {
    const char *code;
    const char *name;
    const char *type;           /* vocab facility type, required */
    const char *grade;          /* default "none" */
    const char *ownership;      /* default "public" */
    const char *ou_code;        /* required, an existing org unit of any level */
    struct reg_real lat, lon;
    struct reg_int beds, icu_beds, infant_care_places;     /* default 0, >= 0 */
    const char *services;       /* vocab services */
    const char *centers;        /* vocab designated centers */
    const char *status;         /* default "active" */
};

struct reg_group_in {
    const char *code;
    const char *name;
    const char *kind;           /* vocab group kind, required */
    const char *lead_code;      /* required; the lead is always a member */
    const char *member_codes;   /* the full member list (the lead is added when missing) */
};

struct reg_staff_in {
    const char *code;
    const char *name;           /* required, 1-64 characters */
    const char *role;           /* vocab staff role, required */
    const char *facility_code;  /* required */
    const char *qualification_no;
    const char *education;      /* vocab education, or "" */
    const char *status;         /* default "active" */
};

/* Records as read back: plain values, codes for references. */
struct reg_ou {
    int64_t id;
    char code[ADCODE_MAX_LEN + 1];
    char name[REG_TEXT_BYTES(REG_OU_NAME_MAX)];
    int level;                  /* 1..5 */
    char parent_code[ADCODE_MAX_LEN + 1];   /* "" for a root */
    bool has_coord;
    double lat, lon;
    char updated_at[32];
};

struct reg_facility {
    int64_t id;
    char code[REG_CODE_MAX + 1];
    char name[REG_TEXT_BYTES(REG_NAME_MAX)];
    int type, grade, ownership, status;     /* enum facility_type, … (vocab.h) */
    char ou_code[ADCODE_MAX_LEN + 1];
    bool has_coord;
    double lat, lon;
    int64_t beds, icu_beds, infant_care_places;
    uint32_t services, centers;             /* bit = enum service / enum center */
    char updated_at[32];
};

struct reg_group {
    int64_t id;
    char code[REG_CODE_MAX + 1];
    char name[REG_TEXT_BYTES(REG_NAME_MAX)];
    int kind;                   /* enum group_kind */
    char lead_code[REG_CODE_MAX + 1];
    const char **member_codes;  /* sorted; owned by the arena given to the read */
    size_t n_members;
    char updated_at[32];
};

struct reg_staff {
    int64_t id;
    char code[REG_CODE_MAX + 1];
    char name[REG_TEXT_BYTES(REG_PERSON_NAME_MAX)];
    int role;                   /* enum staff_role */
    char facility_code[REG_CODE_MAX + 1];
    char qualification_no[REG_QUALIFICATION_MAX + 1];
    int education;              /* enum education, -1 when not recorded */
    int status;                 /* enum staff_status */
    char updated_at[32];
};

/* List filters: "" / NULL / 0 match everything. `ou` is a subtree (the unit and all below
 * it). Values are checked, and a malformed one is YL_EINVAL naming its query parameter. */
struct reg_ou_filter {
    const char *ou;             /* subtree */
    int level;
    const char *parent;         /* direct children of this code */
};

struct reg_facility_filter {
    const char *ou;
    const char *type;
    const char *group;          /* member of the group with this code */
    const char *status;
};

struct reg_group_filter {
    const char *kind;
    const char *facility;       /* groups that have this facility as a member */
};

struct reg_staff_filter {
    const char *facility;
    const char *role;
    const char *ou;             /* staff of facilities in this subtree */
    const char *status;
};

/*
 * Writes. Each returns 0 or a negative code and stores the written record's store id in *id
 * (may be NULL). Errors: YL_EINVAL naming the field (a malformed value, an unknown referenced
 * code: "parent_code", "ou_code", "lead_code", "member_codes", "facility_code");
 * YL_ECONFLICT on "code" for a duplicate code, on "member_codes" for a facility already in a
 * group of the same kind; YL_ENOTFOUND for an update of an unknown code; YL_EFORBIDDEN when
 * the writer's facility scope does not allow it.
 */
int reg_ou_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                  const struct reg_ou_in *in, int64_t *id, struct yl_err *err);
int reg_ou_update(const struct reg_ctx *ctx, const struct reg_writer *by, const char *code,
                  const struct reg_ou_in *in, int64_t *id, struct yl_err *err);
int reg_facility_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                        const struct reg_facility_in *in, int64_t *id, struct yl_err *err);
int reg_facility_update(const struct reg_ctx *ctx, const struct reg_writer *by,
                        const char *code, const struct reg_facility_in *in, int64_t *id,
                        struct yl_err *err);
int reg_group_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                     const struct reg_group_in *in, int64_t *id, struct yl_err *err);
/* member_codes, when given, replaces the whole member list. */
int reg_group_update(const struct reg_ctx *ctx, const struct reg_writer *by, const char *code,
                     const struct reg_group_in *in, int64_t *id, struct yl_err *err);
int reg_staff_create(const struct reg_ctx *ctx, const struct reg_writer *by,
                     const struct reg_staff_in *in, int64_t *id, struct yl_err *err);
int reg_staff_update(const struct reg_ctx *ctx, const struct reg_writer *by, const char *code,
                     const struct reg_staff_in *in, int64_t *id, struct yl_err *err);

/* Reads: YL_ENOTFOUND for an unknown code. */
int reg_ou_get(const struct reg_ctx *ctx, const char *code, struct reg_ou *out,
               struct yl_err *err);
int reg_facility_get(const struct reg_ctx *ctx, const char *code, struct reg_facility *out,
                     struct yl_err *err);
int reg_group_get(const struct reg_ctx *ctx, const char *code, struct arena *a,
                  struct reg_group *out, struct yl_err *err);
int reg_staff_get(const struct reg_ctx *ctx, const char *code, struct reg_staff *out,
                  struct yl_err *err);

/* Lists in store-id order, after `after_id` (0 for the first page), at most `limit` records
 * into out. Return the count, or a negative code. The id of the last record is the next
 * page's after_id. */
int reg_ou_list(const struct reg_ctx *ctx, const struct reg_ou_filter *f, int64_t after_id,
                int limit, struct reg_ou *out, struct yl_err *err);
int reg_facility_list(const struct reg_ctx *ctx, const struct reg_facility_filter *f,
                      int64_t after_id, int limit, struct reg_facility *out,
                      struct yl_err *err);
int reg_group_list(const struct reg_ctx *ctx, const struct reg_group_filter *f,
                   int64_t after_id, int limit, struct arena *a, struct reg_group *out,
                   struct yl_err *err);
int reg_staff_list(const struct reg_ctx *ctx, const struct reg_staff_filter *f,
                   int64_t after_id, int limit, struct reg_staff *out, struct yl_err *err);

/*
 * Resident population (常住人口) by sex (index 0 male, 1 female) and 5-year age band.
 * A unit's population for a year is its own figures when it has any, else the sum of its
 * children's, each counted the same way (docs/import-formats.md).
 */
enum reg_pop_source {
    REG_POP_OWN = 1,        /* the unit's own figures */
    REG_POP_CHILDREN,       /* rolled up from the units below it */
};

struct reg_population {
    char ou_code[ADCODE_MAX_LEN + 1];
    int year;
    enum reg_pop_source source;
    int units;              /* units whose own figures were summed (1 for REG_POP_OWN) */
    int64_t counts[2][REG_AGE_BANDS];
    int64_t total;
};

/* Replace the unit's figures for `year` as a whole (all 38 cells). Counts >= 0. Audited. */
int reg_population_set(const struct reg_ctx *ctx, const struct reg_writer *by,
                       const char *code, int year, const int64_t counts[2][REG_AGE_BANDS],
                       struct yl_err *err);
/* The unit's population for `year` (0: the latest year with any figures in its subtree).
 * YL_ENOTFOUND when the unit is unknown or neither it nor any unit below has figures. */
int reg_population_get(const struct reg_ctx *ctx, const char *code, int year,
                       struct reg_population *out, struct yl_err *err);

/*
 * CSV imports (docs/import-formats.md) through imp_run: refused records are reported in
 * `rep` with their lines, good ones applied in batches, each batch with one audit record by
 * `who`. Idempotent on the key columns. Org units may reference parents earlier in the same
 * file. Returns 0 when the file was read to the end (see rep for refusals).
 */
enum reg_import_kind {
    REG_IMPORT_OUS,
    REG_IMPORT_POPULATION,
    REG_IMPORT_FACILITIES,
    REG_IMPORT_GROUPS,
    REG_IMPORT_STAFF,
};

int reg_import(const struct reg_ctx *ctx, enum reg_import_kind kind, FILE *in,
               const struct audit_actor *who, struct imp_report *rep, struct yl_err *err);

#endif
