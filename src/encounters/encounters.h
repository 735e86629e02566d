/*
 * encounters.h - registrations and encounters (issue 5): one registration per visit
 * (一次就诊只挂一次号) and the encounters recorded under it, within the caller's scope.
 *
 * The one idea: a registration is a resident's visit to a facility on a day, and the store
 * holds at most one per visit (a UNIQUE constraint, store/sql_encounters.h). Registering a
 * visit that is already registered returns the existing registration, also when two
 * requests race; every department and test of the visit records its encounter under it.
 * An encounter is keyed by an external id, so a client or an import sending it again
 * changes nothing (the same content) or hears of the conflict (other content: 409 with
 * existing_id).
 *
 * Scope is the health records' (rec_scope_check): a resident outside it is "not found";
 * a role that sees no records is refused. A facility's encounters are listed by the region
 * (admin) and by that facility's own admin.
 */
#ifndef YL_ENCOUNTERS_H
#define YL_ENCOUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yl_err;
struct arena;
struct store;
struct store_conn;
struct acct_principal;
struct audit_actor;
struct imp_spec;

#define ENC_EXTERNAL_ID_MAX 64  /* bytes: letters, digits and - _ . : / */
#define ENC_CODE_MAX 32         /* facility, staff and department codes */
#define ENC_DIAGNOSES_MAX 16    /* ICD-10 codes of one encounter */
#define ENC_DIAGNOSES_TEXT 160  /* their text: 16 codes of up to 8 bytes and spaces */
#define ENC_RANGE_DAYS_MAX 366  /* longest day range of a facility's list */

enum enc_type { ENC_OUTPATIENT, ENC_EMERGENCY, ENC_INPATIENT };

/* "outpatient", "emergency", "inpatient"; and back (-1 when unknown). */
const char *enc_type_code(enum enc_type t);
int enc_type_find(const char *code);

/* --- registrations ----------------------------------------------------------------------- */

/* A visit to register. Strings are borrowed; the date is "YYYY-MM-DD". */
struct enc_registration_input {
    const char *external_id;    /* NULL or "": one is generated ("reg-" and 32 hex digits) */
    int64_t resident_id;        /* when 0, id_number names the resident */
    const char *id_number;
    const char *facility;       /* facility code */
    const char *date;           /* the day of the visit: not in the future, not before birth */
};

struct enc_registration {
    int64_t id;
    char external_id[ENC_EXTERNAL_ID_MAX + 1];
    int64_t resident_id;
    int64_t facility_id;
    char facility[ENC_CODE_MAX + 1];
    int32_t day;
    char created_at[32];
};

/*
 * Register a visit in its own write transaction with its audit record ("register_visit" on
 * the resident). *created tells whether a new registration was made; a visit already
 * registered (the same resident, facility and day) gives the existing one and writes
 * nothing, whatever external id it was asked under. An external id already used for another
 * visit is YL_ECONFLICT on "external_id" with err->existing_id. Refusals: YL_ENOTFOUND for a
 * resident outside the scope or absent, YL_EFORBIDDEN for a role that sees no records,
 * YL_EINVAL naming "id_number", "facility", "date" or "external_id".
 */
int enc_register(struct store *s, const struct acct_principal *who,
                 const struct audit_actor *by, const struct enc_registration_input *in,
                 struct enc_registration *out, bool *created, struct yl_err *err);

/* Registration `id` if its resident lies in the scope (YL_ENOTFOUND otherwise). */
int enc_registration_get(struct store *s, const struct acct_principal *who, int64_t id,
                         struct enc_registration *out, struct yl_err *err);

/* --- encounters -------------------------------------------------------------------------- */

/* An encounter to record. Either registration_id names its visit, or resident (by id or ID
 * number), facility and date do, and the visit is registered on the way when it is not yet. */
struct enc_encounter_input {
    const char *external_id;    /* NULL or "": generated ("enc-" and 32 hex digits) */
    int64_t registration_id;    /* 0: the visit of resident + facility + date */
    int64_t resident_id;        /* with a registration: 0, or the same resident */
    const char *id_number;
    const char *facility;       /* with a registration: NULL, or the same facility */
    const char *date;           /* with a registration: NULL, or the same day */
    const char *department;     /* required: a department code (1-32 letters, digits, . - _) */
    const char *type;           /* required: outpatient, emergency or inpatient */
    const char *admission_date; /* inpatient: required; others: none */
    const char *discharge_date; /* inpatient: optional, not before admission; others: none */
    const char *diagnoses;      /* required: ICD-10 codes separated by spaces ("I10 E11.9") */
    const char *staff;          /* optional: the code of a staff member of the facility */
};

/* What a record decided. */
struct enc_result {
    int64_t id;                 /* the encounter (new, or the existing one when unchanged) */
    int64_t registration_id;
    int64_t resident_id;
    bool created;               /* false: the same encounter was already stored */
    bool registered;            /* the visit was registered by this call */
};

/*
 * Check and store one encounter inside the caller's open write transaction on c (no audit,
 * no commit). Refusals, YL_EINVAL naming the field unless said otherwise: the resident
 * outside who's scope (YL_ENOTFOUND; NULL who is the system), "id_number" when no record
 * has it, "registration_id" for an unknown registration (YL_ENOTFOUND), "facility" unknown,
 * "date" in the future or before birth, "department" empty or malformed, "type" unknown,
 * "admission_date" missing for an inpatient stay or given for another type, in the future,
 * or before the visit, "discharge_date" without admission, before it or in the future,
 * "diagnoses" none, too many or not ICD-10, "staff" unknown or not of the facility,
 * "external_id" malformed, or taken by other content (YL_ECONFLICT with existing_id).
 * Nothing is written unless 0 is returned with result->created set.
 */
int enc_encounter_apply(struct store_conn *c, const struct acct_principal *who,
                        const struct enc_encounter_input *in, struct enc_result *result,
                        struct yl_err *err);

/* enc_encounter_apply in its own write transaction with the audit record
 * ("record_encounter" on the resident); an unchanged encounter writes nothing. */
int enc_encounter_record(struct store *s, const struct acct_principal *who,
                         const struct audit_actor *by, const struct enc_encounter_input *in,
                         struct enc_result *result, struct yl_err *err);

/* An encounter as stored. */
struct enc_encounter {
    int64_t id;
    char external_id[ENC_EXTERNAL_ID_MAX + 1];
    int64_t registration_id;
    int64_t resident_id;
    int64_t facility_id;
    char facility[ENC_CODE_MAX + 1];
    int32_t day;                    /* the visit's */
    char department[ENC_CODE_MAX + 1];
    enum enc_type type;
    int32_t admission, discharge;   /* DATE_INVALID when none */
    char diagnoses[ENC_DIAGNOSES_TEXT + 1];    /* codes separated by single spaces */
    int64_t staff_id;               /* 0: none */
    char staff[ENC_CODE_MAX + 1];
    char created_at[32];
};

/* Encounter `id` if its resident lies in the scope (YL_ENOTFOUND otherwise). */
int enc_encounter_get(struct store *s, const struct acct_principal *who, int64_t id,
                      struct enc_encounter *out, struct yl_err *err);

/* Resident `resident_id`'s encounters with id > after, by id, at most `limit`, into an
 * array in `a`; after the scope check. */
int enc_list_resident(struct store *s, const struct acct_principal *who, int64_t resident_id,
                      int64_t after, int limit, struct arena *a, struct enc_encounter **out,
                      size_t *n, struct yl_err *err);

/* A facility's encounters of the visits from `from` to `to` (inclusive day numbers, at most
 * ENC_RANGE_DAYS_MAX days), by id after `after`, at most `limit`. Only the system, the region
 * (admin) and the facility's own admin may list (YL_EFORBIDDEN otherwise); "facility" when
 * unknown, "to" for a range backwards or too long. */
struct enc_facility_query {
    const char *facility;
    int32_t from, to;
    int64_t after;
    int limit;
};
int enc_list_facility(struct store *s, const struct acct_principal *who,
                      const struct enc_facility_query *q, struct arena *a,
                      struct enc_encounter **out, size_t *n, struct yl_err *err);

/* --- import ------------------------------------------------------------------------------ */

/* The encounters import (docs/import-formats.md "encounters") for imp_run, ctx NULL:
 * columns external_id (required), id_number, facility, date, department, type,
 * admission_date, discharge_date, diagnoses (codes separated by spaces; an NDJSON array),
 * staff. Each row goes through enc_encounter_apply as the system; a re-run is all unchanged. */
const struct imp_spec *enc_import_spec(void);

#endif
