/*
 * experts.h - expert clinics (名医工作室): sessions a specialist of a higher-level hospital
 * holds at a grassroots facility, the residents booked into them through their family doctor
 * or village doctor, attendance, and the figures a county reports ("187 expert visits, 4,168
 * patients"). Issue 5, first step.
 *
 * The one idea: a session never has more live bookings than places, also under concurrent
 * bookings. The count and the insert are one statement inside one write transaction
 * (sessions.c explains why that holds and what PostgreSQL would need).
 */
#ifndef YL_EXPERTS_H
#define YL_EXPERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/idno.h"

struct yl_err;
struct arena;
struct store;
struct acct_principal;
struct audit_actor;

#define EXPERT_CODE_MAX      32  /* staff and facility codes */
#define EXPERT_EXTERNAL_MAX  64  /* a session's number in the source system */
#define EXPERT_CAPACITY_MAX  500 /* places of one session */
#define EXPERT_STATS_MAX     10000 /* rows of one stats table */

/* Who acts: `principal` decides what they may see and change (NULL: the system, for the CLI
 * and imports); `actor` goes into the audit record of a write. Both borrowed. */
struct expert_who {
    const struct acct_principal *principal;
    const struct audit_actor *actor;
};

/* --- sessions --------------------------------------------------------------------------- */

/* A session as read. Strings live in the caller's arena. */
struct expert_session {
    int64_t id;
    const char *external_id;         /* "" when none */
    const char *expert_code;         /* staff code */
    const char *expert_name;
    const char *expert_facility;     /* the expert's own (higher-level) facility code */
    const char *host_code;           /* the grassroots facility that hosts the session */
    const char *host_name;
    int32_t day;                     /* day number (date.h) */
    char start_time[6], end_time[6]; /* "HH:MM" */
    int64_t capacity;
    const char *status;              /* scheduled, cancelled or held */
    const char *created_at;
    int64_t booked;                  /* places taken: bookings not cancelled */
    int64_t attended;
};

struct expert_session_input {
    const char *external_id; /* NULL: none; unique when given */
    const char *expert_code; /* staff of a secondary-or-above, county, TCM or MCH hospital */
    const char *host_code;   /* a township/community center or station, or village clinic */
    int32_t day;             /* today or later; the system (CLI, demo) may record the past */
    const char *start_time;  /* "HH:MM" */
    const char *end_time;    /* "HH:MM", after start_time */
    int64_t capacity;        /* 1 .. EXPERT_CAPACITY_MAX */
};

/*
 * Schedule a session in its own audited transaction; *id (may be NULL) receives its id. Only
 * the region (admin) or the host facility's admin may (YL_EFORBIDDEN with field "host_code"
 * otherwise). YL_EINVAL naming the field: expert_code (unknown, left, or not at a
 * higher-level facility), host_code (unknown, closed, or not grassroots), day (past),
 * start_time, end_time (malformed or not after the start), capacity. YL_ECONFLICT with field
 * "external_id" and err->existing_id when the external id is taken.
 */
int expert_session_create(struct store *s, const struct expert_session_input *in,
                          const struct expert_who *who, int64_t *id, struct yl_err *err);
/* Cancel session `id` and every booking of it still booked, in one audited transaction.
 * Same permission as create; YL_ENOTFOUND when absent; YL_ECONFLICT with field "status"
 * unless it is scheduled. */
int expert_session_cancel(struct store *s, int64_t id, const struct expert_who *who,
                          struct yl_err *err);
/* Read session `id` with its counts. YL_ENOTFOUND when absent. Sessions are not person
 * data: anyone logged in may read them. */
int expert_session_get(struct store *s, int64_t id, struct arena *a, struct expert_session *out,
                       struct yl_err *err);

/* Filters of a session list; NULL or "" matches all. */
struct expert_session_filter {
    const char *host_code;
    const char *expert_code;
    int32_t from_day, to_day; /* inclusive; DATE_INVALID: open */
    int64_t after_id;         /* sessions with a larger id, in id order */
    int limit;
};
/* Sessions into out (room for f->limit). Returns the count or a negative code. */
int expert_session_list(struct store *s, const struct expert_session_filter *f, struct arena *a,
                        struct expert_session *out, struct yl_err *err);

/* --- bookings --------------------------------------------------------------------------- */

enum expert_attendance { EXPERT_ATTENDED = 1, EXPERT_NO_SHOW };

/*
 * Book resident `resident_id` into session `session_id`, in one audited transaction; *id
 * (may be NULL) receives the booking. The resident must lie in the caller's scope
 * (rec_scope_check: their family doctor's team, their village doctor, the region), or the
 * caller is the host facility's admin (any existing resident: the clinic's desk books its
 * own sessions; cancelling and attendance likewise).
 * Errors: YL_ENOTFOUND with field "resident_id" (absent or outside the scope) or for an
 * absent session; YL_EINVAL with field "session" when the session is cancelled or its day
 * has passed (the system, entering history, may book a past session); YL_ECONFLICT with field "resident_id" and err->existing_id when the resident
 * already holds a place; YL_EFULL with field "session" when every place is taken.
 */
int expert_book(struct store *s, int64_t session_id, int64_t resident_id,
                const struct expert_who *who, int64_t *id, struct yl_err *err);
/* Cancel booking `id` (its place is free again). YL_ENOTFOUND when absent or the resident is
 * outside the scope; YL_ECONFLICT with field "status" unless it is booked. */
int expert_booking_cancel(struct store *s, int64_t id, const struct expert_who *who,
                          struct yl_err *err);
/* Record whether the resident came, from the session's day on (YL_EINVAL with field
 * "session" before it), with the procedures the expert performed for them (0 to
 * EXPERT_PROCEDURES_MAX; YL_EINVAL on "procedures" out of range or for a no-show); a booked,
 * attended or no-show booking may be (re)marked, a cancelled one not (YL_ECONFLICT, field
 * "status"). The session is stored as held. Scope as for cancel. */
#define EXPERT_PROCEDURES_MAX 50
int expert_booking_attend(struct store *s, int64_t id, enum expert_attendance what,
                          int procedures, const struct expert_who *who, struct yl_err *err);

/* A booking as a session's list shows it: the ID number masked as in every list. */
struct expert_booking {
    int64_t id;
    int64_t resident_id;
    char id_number_masked[IDNO_LEN + 1];
    const char *name;
    int sex;
    const char *birth_date;
    const char *ou_code;
    const char *status; /* booked, cancelled, attended, no_show */
    const char *created_at;
    const char *booked_by; /* user name; "" for the system */
};
/* The bookings of session `session_id` the caller may see, in id order, into *out (arena).
 * The region and the host facility's admin see every booking; a family or village doctor the
 * residents in their scope; other roles none. Returns the count or a negative code. */
int expert_booking_list(struct store *s, int64_t session_id, const struct acct_principal *p,
                        struct arena *a, struct expert_booking **out, struct yl_err *err);

/* --- indicators ------------------------------------------------------------------------- */

/* One row of the figures: an expert or a host facility. */
struct expert_stat {
    const char *code;
    const char *name;
    const char *facility_code; /* the expert's own facility; "" for a host row */
    int64_t sessions_held;
    int64_t patients_seen; /* attended bookings */
    int64_t procedures;    /* performed for those patients */
};
struct expert_stats {
    struct expert_stat *by_expert, *by_host;
    size_t n_by_expert, n_by_host;
    int64_t sessions_held, patients_seen, procedures;
};
/* Sessions held, patients seen and procedures from `from` to `to` (inclusive day numbers; DATE_INVALID:
 * open), per expert and per host facility, ordered by code; rows in `a`. */
int expert_stats(struct store *s, int32_t from, int32_t to, struct arena *a,
                 struct expert_stats *out, struct yl_err *err);

#endif
