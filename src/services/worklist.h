/*
 * worklist.h - worklists and village doctor points: what a family doctor or a village doctor
 * opens every morning (who is due for what, who is overdue, what was done), and the points
 * (村医积分) each staff member earned in a month with the ranking within their township.
 *
 * The one idea: a worklist is the care plans (services.h svc_plan_build) of every resident
 * of a scope, computed from the live population index in one pass under one read lock, and
 * reduced to one page by a bounded heap on a 59-bit sort key; nothing is allocated per
 * resident, and the store is asked only for the names and phones of the page. A roster
 * (residents grouped by team and by village on a day) turns "every resident of the region,
 * filtered" into "the residents of this team", which is what makes one team's worklist a
 * few milliseconds at ten million residents. Points are a GROUP BY over the month's events.
 *
 * Scope (DESIGN.md §1): a family doctor their own team, a village doctor their org-unit
 * subtree, a facility admin their facility, an admin anything; other roles none. A facility
 * stands for the population it serves, decided by its type and org unit: a village clinic
 * or a community station serves the village/community it is registered in, a township
 * health center or a community health service center the township/street (its org unit, or
 * the parent when it is registered in a village); other types (hospitals, CDC, …) serve no
 * population of their own and are refused.
 */
#ifndef YL_SERVICES_WORKLIST_H
#define YL_SERVICES_WORKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/services.h"

struct yl_err;
struct arena;
struct buf;
struct store;
struct pidx;
struct acct_principal;

#define SVC_WL_HORIZON_DEFAULT 30   /* days "upcoming" looks ahead unless told */
#define SVC_WL_HORIZON_MAX 3650
#define SVC_WL_LIMIT_MAX 1000       /* rows of one page */
#define SVC_WL_PHONE_MAX 14         /* a masked phone with its NUL */

/* What a worklist is of. */
enum svc_wl_scope {
    SVC_WL_OWN = 0,             /* the caller's own scope (their team, subtree, facility) */
    SVC_WL_TEAM,                /* residents whose contract with the team covers the day */
    SVC_WL_OU,                  /* residents living in the org unit's subtree on the day */
    SVC_WL_FACILITY,            /* residents of the subtree the facility serves */
};

/* Bits of svc_worklist_query.states. DONE is not the plan's state: it selects entries with
 * an event of the item in the period [done_from, done_to]. */
#define SVC_WL_DUE      (1u << SVC_STATE_DUE)
#define SVC_WL_OVERDUE  (1u << SVC_STATE_OVERDUE)
#define SVC_WL_UPCOMING (1u << SVC_STATE_UPCOMING)
#define SVC_WL_DONE     (1u << SVC_STATE_DONE)
#define SVC_WL_TODO     (SVC_WL_DUE | SVC_WL_OVERDUE | SVC_WL_UPCOMING)

enum svc_wl_sort {
    SVC_WL_SORT_DUE,            /* due_by, then resident, item (the default) */
    SVC_WL_SORT_OVERDUE,        /* overdue since (longest overdue first; others last) */
    SVC_WL_SORT_ITEM,           /* item (protocol order), then due_by, resident */
    SVC_WL_SORT_RESIDENT,       /* resident id, then item */
    SVC_WL_SORT_COUNT
};

/* "due", "overdue", "item", "resident" → the sort, or -1. */
int svc_wl_sort_parse(const char *s);
/* A comma-separated list of "due", "overdue", "upcoming", "done" into SVC_WL_* bits; "" or
 * NULL gives SVC_WL_TODO. YL_EINVAL on "state" for an unknown word. */
int svc_wl_states_parse(const char *s, unsigned *out, struct yl_err *err);
/* The state in Chinese for printouts ("待完成", "逾期", …). */
const char *svc_wl_state_zh(enum svc_state s);

/* A resolved scope: what the engine walks. */
struct svc_wl_area {
    enum svc_wl_scope kind;     /* TEAM, OU or FACILITY (never OWN) */
    uint32_t team;              /* TEAM: the team's id */
    uint32_t ou;                /* OU, FACILITY: the org unit whose subtree is walked */
    char code[40];              /* the team, org unit or facility code */
    char ou_code[16];           /* OU, FACILITY: the walked org unit's code */
};

/*
 * Resolve what a caller asks for into an area, checking scope. kind OWN takes the caller's
 * own scope (a family doctor's team, a village doctor's org unit, a facility admin's
 * facility); code is the team, org unit or facility code (NULL with OWN). who NULL is the
 * system (anything). Errors: YL_EFORBIDDEN for a role that reads no worklists (analyst,
 * epidemiologist) or a scope outside the caller's (another team; an org unit or facility
 * area outside a village doctor's subtree; another facility); YL_EINVAL on "team", "ou" or
 * "facility" for a malformed code, OWN for a caller without a scope of their own (admin,
 * system), or a facility of a type that serves no population; YL_ENOTFOUND for a code
 * that names nothing. Reads the store (team and facility codes) and the index.
 */
int svc_wl_resolve(struct store *s, struct pidx *x, const struct acct_principal *who,
                   enum svc_wl_scope kind, const char *code, struct svc_wl_area *out,
                   struct yl_err *err);

/* What to list. */
struct svc_worklist_query {
    int32_t today;              /* the worklist's day */
    int horizon_days;           /* "upcoming": the window opens within this many days */
    unsigned states;            /* SVC_WL_* bits; 0 means SVC_WL_TODO */
    int32_t done_from, done_to; /* the period of DONE; SVC_DAY_NONE: 1 January of today's
                                 * year / today */
    int item;                   /* an item index, or -1 for any */
    int program;                /* an enum svc_program, or -1 for any */
    bool refer_only;            /* only entries with a suggested up-referral */
    enum svc_wl_sort sort;
    int64_t after;              /* the cursor: rows whose sort key is greater; 0 from the start */
    int limit;                  /* rows of the page, 1..SVC_WL_LIMIT_MAX */
};

/* One row: a resident's care-plan entry. */
struct svc_worklist_row {
    int64_t key;                /* the sort key (what a cursor holds) */
    uint32_t resident;
    struct svc_plan_entry e;
    int32_t done_day;           /* the last event of the item in the period, SVC_DAY_NONE */
    uint16_t done_in_period;    /* events of the item in the period */
    char village[16];           /* the resident's village/community code on the day */
    /* Filled by svc_worklist_contacts for the rows of the page: */
    const char *name;           /* arena; "" when the store has no such resident */
    char phone[SVC_WL_PHONE_MAX];   /* masked as records mask lists ("138****5678") */
};

struct svc_worklist {
    struct svc_worklist_row *rows;  /* the page, by key (arena) */
    size_t n;
    bool more;                  /* another page follows; next is its cursor */
    int64_t next;
    /* Over the whole scope after the item, program and referral filters (not the state
     * filter, not the page): entries due, overdue, upcoming by the plan's state; done: with
     * an event in the period. Indexed by enum svc_state. */
    size_t counts[SVC_STATE_COUNT];
    size_t residents;           /* residents of the scope walked */
    size_t entries;             /* care-plan entries built */
    int32_t done_from, done_to; /* the period applied */
};

/* Residents grouped by team (contract covering the day) and by village (living there on
 * the day), built in one pass over the index. Immutable once built; readers share it. */
struct svc_roster;

/* Build the roster of `day` (takes the read lock once). O(residents + spans); 4 bytes per
 * signed resident plus 4 per resident in the population. */
struct svc_roster *svc_roster_build(struct pidx *x, int32_t day);
void svc_roster_free(struct svc_roster *r);   /* NULL is fine */
int32_t svc_roster_day(const struct svc_roster *r);

/*
 * The server's roster (roster.c): today's roster, rebuilt when the index is reloaded or
 * the day changes, and the residents written since (svc_live_roster_touch, called with
 * every index refresh of a resident), so a worklist never misses a resident who joined a
 * team or moved into a village after the build. Thread-safe: requests share the roster
 * under a read lock held from acquire to release; a rebuild builds beside it and swaps.
 */
struct svc_live_roster;
struct svc_candidates;

struct svc_live_roster *svc_live_roster_new(void);
void svc_live_roster_free(struct svc_live_roster *lr);    /* NULL is fine */
/* Build the roster of `day` from the index and swap it in; the touched list starts over. */
void svc_live_roster_rebuild(struct svc_live_roster *lr, struct pidx *x, int32_t day);
/* Resident `id` was written (its team or village may have changed). */
void svc_live_roster_touch(struct svc_live_roster *lr, uint32_t id);
/* True when a rebuild is due: no roster, another day, or many residents touched since. */
bool svc_live_roster_stale(struct svc_live_roster *lr, int32_t day);
/* The candidates for one worklist (extra ids copied into `a`); hold them until release. */
void svc_live_roster_acquire(struct svc_live_roster *lr, struct arena *a,
                             struct svc_candidates *out);
void svc_live_roster_release(struct svc_live_roster *lr);

/* Where a worklist finds its residents: a roster, plus the residents written since it was
 * built (sorted ascending, no repeats), who may have joined a team or village since. */
struct svc_candidates {
    const struct svc_roster *roster;
    const uint32_t *extra;
    size_t n_extra;
};

/*
 * The worklist of an area from the live index: every care-plan entry of its residents
 * (under one read lock), filtered, counted and cut to one page sorted by q->sort. With
 * candidates whose roster is of q->today the residents come from the roster and the extra
 * ids (each checked against the live index, so a resident who left the team or village
 * since is not listed); without (NULL, no roster, or one of another day) the pass walks
 * every resident. Rows live in `a`; names and phones are empty until
 * svc_worklist_contacts. Cost: O(candidates × (spans + items + history)) +
 * O(rows × log limit); nothing is allocated per resident.
 */
void svc_worklist_scan(struct pidx *x, const struct svc_protocol *p,
                       const struct svc_candidates *cand, const struct svc_wl_area *area,
                       const struct svc_worklist_query *q, struct arena *a,
                       struct svc_worklist *out);

/* Names and phones of the page's rows from the store (one primary-key read per distinct
 * resident, on one connection). Phones are masked unless who is NULL (the system), as
 * records mask lists. */
int svc_worklist_contacts(struct store *s, const struct acct_principal *who,
                          struct svc_worklist *wl, struct arena *a, struct yl_err *err);

/* svc_wl_resolve, svc_worklist_scan and svc_worklist_contacts: what the API and the CLI
 * call (cand may be NULL). YL_EINVAL on "limit" or "horizon" out of range. */
int svc_worklist_get(struct store *s, struct pidx *x, const struct svc_protocol *p,
                     const struct svc_candidates *cand, const struct acct_principal *who,
                     enum svc_wl_scope kind,
                     const char *code, const struct svc_worklist_query *q, struct arena *a,
                     struct svc_wl_area *area, struct svc_worklist *out, struct yl_err *err);

/* The page as CSV for a printout: a header row of Chinese column names (居民ID, 姓名, 电话,
 * 村/社区, 项目代码, 项目, 状态, 窗口开始, 应完成日期, 逾期起始, 最近完成, 本年次数,
 * 本期完成日期, 本期次数, 建议转诊, 转诊规则), then one row per entry; dates YYYY-MM-DD or
 * empty, the state in Chinese, the referral 是 or empty. YL_ETOOBIG when out is full. */
int svc_worklist_csv(const struct svc_protocol *p, const struct svc_worklist *wl,
                     struct buf *out);

/* --- points (points.c) ------------------------------------------------------------------ */

/* One staff member's points for a month. */
struct svc_points_row {
    int64_t staff_id;
    const char *code, *name;    /* arena */
    const char *role;           /* staff role code ("village_doctor") */
    const char *facility, *facility_name;
    char township[16];          /* the township of their facility ("" above township) */
    bool village_clinic;        /* works at a village clinic (any role: a clinic's doctor
                                 * may hold an assistant physician's licence) */
    long events;                /* events they recorded in the month */
    double points;              /* Σ item points of those events */
    int rank;                   /* village doctors (the role, or anyone working at a
                                 * village clinic): 1-based rank by points within the
                                 * township (ties share a rank); 0 for other staff */
};

/*
 * Points of every staff member who recorded an event in `month` ("YYYY-MM"), optionally
 * only those whose facility lies in `township` (a 9-digit code; NULL or "" for all),
 * sorted by township, rank (village doctors first) and code. Points come from the
 * protocol (svc_item_at(p, i)->points) by item code; an item the protocol no longer has
 * counts 0 points. YL_EINVAL on "month" or "township" when malformed. One GROUP BY over
 * the month's events joined with staff, facility and org unit (a scan of service_event).
 */
int svc_points_month(struct store *s, const struct svc_protocol *p, const char *month,
                     const char *township, struct arena *a, struct svc_points_row **out,
                     size_t *n, struct yl_err *err);

#endif
