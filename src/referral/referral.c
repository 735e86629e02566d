/*
 * referral.c - the tables of two-way referral (the state machine, the time limits of each
 * urgency, which facility types send and receive) and making a referral (referral.h).
 *
 * The one idea: an up-referral climbs one step of the service system inside the medical
 * group the sender belongs to (医联体内上转), and leaves the group only with a stated reason;
 * a down-referral returns the resident to the team that holds their family-doctor contract
 * today (下转回签约团队). Every check that needs no store runs before the transaction; the
 * external id is compared only after every other check passed, as for encounters.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "importer/importer.h"
#include "core/mem.h"
#include "records/records.h"
#include "referral/referral_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_codes[REF_KIND_COUNT] = {
    [REF_KIND_REFERRAL] = "referral", [REF_KIND_CONSULTATION] = "consultation",
    [REF_KIND_IMAGING] = "imaging"};
static const char *const direction_codes[REF_DIRECTION_COUNT] = {[REF_UP] = "up",
                                                                  [REF_DOWN] = "down"};
static const char *const status_codes[REF_STATUS_COUNT] = {
    [REF_REQUESTED] = "requested", [REF_ACCEPTED] = "accepted", [REF_REJECTED] = "rejected",
    [REF_ARRIVED] = "arrived",     [REF_COMPLETED] = "completed", [REF_CANCELLED] = "cancelled"};
static const char *const action_codes[REF_ACTION_COUNT] = {
    [REF_ACCEPT] = "accept", [REF_REJECT] = "reject", [REF_ARRIVE] = "arrive",
    [REF_COMPLETE] = "complete", [REF_CANCEL] = "cancel"};

/*
 * How long the receiving side has to accept, by urgency: a critical patient within 2 hours,
 * an urgent one within 24 hours, a routine one within 72 hours (issue 5's figures; a region
 * with other rules changes this table). A referral still requested after that is overdue in
 * every inbox; the due time is fixed when the referral is made (sql_referral.h).
 */
static const struct {
    const char *code;
    int64_t accept_limit_s;
} urgencies[REF_URGENCY_COUNT] = {
    [REF_ROUTINE] = {"routine", 72 * 3600},
    [REF_URGENT] = {"urgent", 24 * 3600},
    [REF_CRITICAL] = {"critical", 2 * 3600},
};

/* The state machine: from which status an action goes where, for which kinds of request.
 * Nothing else is allowed. A patient arrives only when referred; a consultation or a
 * reading is completed by the receiving side's report once accepted. */
#define PATIENT (1u << REF_KIND_REFERRAL)
#define REMOTE ((1u << REF_KIND_CONSULTATION) | (1u << REF_KIND_IMAGING))
static const struct {
    enum ref_action action;
    enum ref_status from, to;
    unsigned kinds;
} machine[] = {
    {REF_ACCEPT, REF_REQUESTED, REF_ACCEPTED, PATIENT | REMOTE},
    {REF_REJECT, REF_REQUESTED, REF_REJECTED, PATIENT | REMOTE},
    {REF_CANCEL, REF_REQUESTED, REF_CANCELLED, PATIENT | REMOTE},
    {REF_CANCEL, REF_ACCEPTED, REF_CANCELLED, PATIENT | REMOTE},
    {REF_ARRIVE, REF_ACCEPTED, REF_ARRIVED, PATIENT},
    {REF_COMPLETE, REF_ARRIVED, REF_COMPLETED, PATIENT},
    {REF_COMPLETE, REF_ACCEPTED, REF_COMPLETED, REMOTE},
};

/* Who sends up (grassroots) and who receives up and sends down (hospitals of any kind). */
static const bool grassroots[FT_COUNT] = {
    [FT_COMMUNITY_CENTER] = true, [FT_COMMUNITY_STATION] = true, [FT_TOWNSHIP_CENTER] = true,
    [FT_VILLAGE_CLINIC] = true,
};
static const bool hospital[FT_COUNT] = {
    [FT_TERTIARY_HOSPITAL] = true, [FT_SECONDARY_HOSPITAL] = true, [FT_PRIMARY_HOSPITAL] = true,
    [FT_COUNTY_HOSPITAL] = true,   [FT_TCM_HOSPITAL] = true,       [FT_MCH_HOSPITAL] = true,
};

static int find_code(const char *const *codes, size_t n, const char *code)
{
    for (size_t i = 0; code != NULL && i < n; i++)
        if (codes[i] != NULL && strcmp(codes[i], code) == 0)
            return (int)i;
    return -1;
}

const char *ref_kind_code(enum ref_kind k)
{
    return (size_t)k < COUNT(kind_codes) ? kind_codes[k] : "?";
}

int ref_kind_find(const char *code)
{
    return find_code(kind_codes, COUNT(kind_codes), code);
}

const char *ref_direction_code(enum ref_direction d)
{
    return (size_t)d < COUNT(direction_codes) ? direction_codes[d] : "?";
}

int ref_direction_find(const char *code)
{
    return find_code(direction_codes, COUNT(direction_codes), code);
}

const char *ref_urgency_code(enum ref_urgency u)
{
    return (size_t)u < COUNT(urgencies) ? urgencies[u].code : "?";
}

int ref_urgency_find(const char *code)
{
    for (size_t i = 0; code != NULL && i < COUNT(urgencies); i++)
        if (strcmp(urgencies[i].code, code) == 0)
            return (int)i;
    return -1;
}

const char *ref_status_code(enum ref_status s)
{
    return (size_t)s < COUNT(status_codes) ? status_codes[s] : "?";
}

int ref_status_find(const char *code)
{
    return find_code(status_codes, COUNT(status_codes), code);
}

const char *ref_action_code(enum ref_action a)
{
    return (size_t)a < COUNT(action_codes) ? action_codes[a] : "?";
}

int64_t ref_accept_limit_s(enum ref_urgency u)
{
    return (size_t)u < COUNT(urgencies) ? urgencies[u].accept_limit_s : 0;
}

int ref_next_status_of(enum ref_kind k, enum ref_action a, enum ref_status from)
{
    for (size_t i = 0; (size_t)k < REF_KIND_COUNT && i < COUNT(machine); i++)
        if (machine[i].action == a && machine[i].from == from && (machine[i].kinds >> k & 1u))
            return (int)machine[i].to;
    return -1;
}

int ref_next_status(enum ref_action a, enum ref_status from)
{
    return ref_next_status_of(REF_KIND_REFERRAL, a, from);
}

char *ref_time_format(int64_t t, char out[REF_TIME_LEN])
{
    return date_time_format(t, out);
}

bool ref_is_overdue(const struct ref_referral *r, int64_t now_s)
{
    char now[REF_TIME_LEN];
    /* Fixed-width UTC text: text order is time order. */
    return r->status == REF_REQUESTED && strcmp(ref_time_format(now_s, now), r->due_at) > 0;
}

void ref_stmt_finish(struct store_stmt *st, int rc)
{
    if (rc == STORE_ROW)
        store_exec(st, NULL);
}

bool ref_is_region(const struct acct_principal *p)
{
    return p == NULL || (p->role == ROLE_ADMIN && p->scope.kind == SCOPE_REGION);
}

static bool runs_facility(const struct acct_principal *p, const char *code)
{
    return p->role == ROLE_FACILITY_ADMIN && p->scope.kind == SCOPE_FACILITY &&
           strcmp(p->scope.ref, code) == 0;
}

bool ref_is_sender(const struct acct_principal *p, const struct ref_referral *r)
{
    if (ref_is_region(p))
        return true;
    return runs_facility(p, r->from_facility) || (r->created_by > 0 && r->created_by == p->user_id);
}

bool ref_is_receiver(const struct acct_principal *p, const struct ref_referral *r)
{
    if (ref_is_region(p))
        return true;
    if (runs_facility(p, r->to_facility))
        return true;
    char team[24];
    snprintf(team, sizeof(team), "%lld", (long long)r->to_team_id);
    return r->direction == REF_DOWN && p->role == ROLE_FAMILY_DOCTOR &&
           p->scope.kind == SCOPE_TEAM && strcmp(p->scope.ref, team) == 0;
}

/* --- input checks (no store) -------------------------------------------------------------- */

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static int check_external_id(const char *s, struct yl_err *err)
{
    return imp_check_external_id(s, REF_EXTERNAL_ID_MAX, err);
}

static int check_text(const char *s, const char *field, bool required, size_t max,
                      struct yl_err *err)
{
    if (required && empty(s))
        return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
    if (s != NULL && strlen(s) > max)
        return yl_err_set(err, YL_EINVAL, field, "%s is longer than %zu bytes", field, max);
    return 0;
}

/* What the input becomes before the store is asked. */
struct checked {
    enum ref_kind kind;
    int64_t results[REF_RESULTS_MAX];   /* the attached ids, sorted */
    size_t n_results;
    enum ref_direction direction;
    enum ref_urgency urgency;
    char external_id[REF_EXTERNAL_ID_MAX + 1];
    int64_t from_id, to_id, team_id;
    int from_type;
    char from_ou[ADCODE_MAX_LEN + 1];
    char to_code[REF_CODE_MAX + 1];
};

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The kind and the attached result ids (sorted, distinct, positive). */
static int check_kind(const struct ref_input *in, struct checked *k, struct yl_err *err)
{
    int kind = empty(in->kind) ? REF_KIND_REFERRAL : ref_kind_find(in->kind);
    if (kind < 0)
        return yl_err_set(err, YL_EINVAL, "kind", "kind must be referral, consultation or "
                          "imaging");
    k->kind = (enum ref_kind)kind;
    if (in->n_results > REF_RESULTS_MAX)
        return yl_err_set(err, YL_EINVAL, "results", "at most %d results may be attached",
                          REF_RESULTS_MAX);
    if (k->kind == REF_KIND_IMAGING && in->n_results == 0)
        return yl_err_set(err, YL_EINVAL, "results", "an imaging reading request attaches "
                          "the images to read");
    for (size_t i = 0; i < in->n_results; i++)
        if (in->results[i] <= 0)
            return yl_err_set(err, YL_EINVAL, "results", "a result id is a positive number");
    if (in->n_results > 0)
        memcpy(k->results, in->results, in->n_results * sizeof(k->results[0]));
    k->n_results = in->n_results;
    qsort(k->results, k->n_results, sizeof(k->results[0]), by_id);
    for (size_t i = 1; i < k->n_results; i++)
        if (k->results[i] == k->results[i - 1])
            return yl_err_set(err, YL_EINVAL, "results", "result %lld is attached twice",
                              (long long)k->results[i]);
    return 0;
}

static int check_input(const struct ref_input *in, struct checked *k, struct yl_err *err)
{
    const char *ext = in->external_id ? in->external_id : "";
    int rc = check_external_id(ext, err);
    snprintf(k->external_id, sizeof(k->external_id), "%s", ext);
    if (rc == 0)
        rc = check_kind(in, k, err);
    int d = ref_direction_find(in->direction);
    int u = empty(in->urgency) ? REF_ROUTINE : ref_urgency_find(in->urgency);
    if (rc == 0 && d < 0)
        rc = yl_err_set(err, YL_EINVAL, "direction", "direction must be up or down");
    if (rc == 0 && in->resident_id <= 0)
        rc = yl_err_set(err, YL_EINVAL, "resident_id", "resident_id is required");
    if (rc == 0 && empty(in->from_facility))
        rc = yl_err_set(err, YL_EINVAL, "from_facility", "from_facility is required");
    if (rc == 0 && u < 0)
        rc = yl_err_set(err, YL_EINVAL, "urgency", "urgency must be routine, urgent or critical");
    if (rc != 0)
        return rc;
    k->direction = (enum ref_direction)d;
    k->urgency = (enum ref_urgency)u;
    bool up = k->direction == REF_UP;
    if (!up && k->kind != REF_KIND_REFERRAL)
        return yl_err_set(err, YL_EINVAL, "kind", "a %s request goes up to a hospital",
                          ref_kind_code(k->kind));
    if (up && empty(in->to_facility))
        return yl_err_set(err, YL_EINVAL, "to_facility", "an up-referral names to_facility");
    if (!up && !empty(in->to_facility))
        return yl_err_set(err, YL_EINVAL, "to_facility", "a down-referral goes to the "
                          "resident's family-doctor team, not to a facility given");
    rc = check_text(in->reason, "reason", up, REF_REASON_MAX, err);
    if (rc == 0)
        rc = check_text(in->outside_reason, "outside_reason", false, REF_REASON_MAX, err);
    if (rc == 0)
        rc = check_text(in->summary, "summary", !up, REF_SUMMARY_MAX, err);
    return rc;
}

/* --- store checks ------------------------------------------------------------------------- */

/* An active facility by code: its id and type. */
static int load_facility(struct store_conn *c, const char *code, const char *field,
                         int64_t *id, int *type, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_FACILITY_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    bool active = false;
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        *type = vocab_find(VOCAB_FACILITY_TYPE, store_col_text(st, 1));
        active = strcmp(store_col_text(st, 2), "active") == 0;
    }
    ref_stmt_finish(st, rc);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, field, "no facility \"%s\"", code);
    if (!active)
        return yl_err_set(err, YL_EINVAL, field, "facility \"%s\" is closed", code);
    return 0;
}

/* One text column of a one-row statement bound to one id, into out ("" when no row). */
static int text_of(struct store_conn *c, enum store_sql q, int64_t id, char *out, size_t n,
                   struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, q);
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    snprintf(out, n, "%s", rc == STORE_ROW ? store_col_text(st, 0) : "");
    ref_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

/* May `p` send from this facility? The region, its admin, a family doctor of one of its
 * teams, a village doctor of the village that holds it. */
static int sender_check(struct store_conn *c, const struct acct_principal *p, const char *from,
                        const struct checked *k, struct yl_err *err)
{
    if (ref_is_region(p) || runs_facility(p, from))
        return 0;
    char code[REF_CODE_MAX + 1] = "";
    int rc = 0;
    if (p->role == ROLE_FAMILY_DOCTOR && p->scope.kind == SCOPE_TEAM)
        rc = text_of(c, STORE_SQL_REF_TEAM_FACILITY, strtoll(p->scope.ref, NULL, 10), code,
                     sizeof(code), err);
    if (rc != 0 || strcmp(code, from) == 0)
        return rc;
    if (p->role == ROLE_VILLAGE_DOCTOR && p->scope.kind == SCOPE_OU &&
        adcode_in_subtree(k->from_ou, p->scope.ref))
        return 0;
    return yl_err_set(err, YL_EFORBIDDEN, "from_facility",
                      "you may not send referrals from facility \"%s\"", from);
}

/* The resident: in a doctor's scope, else merely existing (admins act for a facility). */
static int resident_check(struct store_conn *c, const struct acct_principal *p, int64_t id,
                          struct yl_err *err)
{
    bool doctor = p != NULL && (p->role == ROLE_FAMILY_DOCTOR || p->role == ROLE_VILLAGE_DOCTOR);
    int rc = 0;
    if (doctor) {
        rc = rec_scope_check(c, p, id, NULL);
    } else {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REF_RESIDENT_EXISTS);
        store_bind_int(st, 1, id);
        rc = store_step(st, err);
        ref_stmt_finish(st, rc);
        if (rc < 0)
            return rc;
        rc = rc == STORE_ROW ? 0 : YL_ENOTFOUND;
    }
    if (rc == YL_ENOTFOUND)
        return yl_err_set(err, YL_ENOTFOUND, "resident_id", "no resident %lld", (long long)id);
    return rc == 0 ? 0 : yl_err_set(err, rc, "resident_id", NULL);
}

/* Each attached result is one of this resident's; an imaging request's are images. */
static int results_check(struct store_conn *c, const struct ref_input *in,
                         const struct checked *k, struct yl_err *err)
{
    for (size_t i = 0; i < k->n_results; i++) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_REF_RESULT_OF);
        store_bind_int(st, 1, k->results[i]);
        int rc = store_step(st, err);
        bool mine = rc == STORE_ROW && store_col_int(st, 0) == in->resident_id;
        bool image = rc == STORE_ROW && strcmp(store_col_text(st, 1), "imaging") == 0;
        ref_stmt_finish(st, rc);
        if (rc < 0)
            return rc;
        /* Another resident's result is answered as an absent one: ids do not leak. */
        if (!mine)
            return yl_err_set(err, YL_EINVAL, "results", "resident %lld has no result %lld",
                              (long long)in->resident_id, (long long)k->results[i]);
        if (k->kind == REF_KIND_IMAGING && !image)
            return yl_err_set(err, YL_EINVAL, "results", "result %lld is not an image: an "
                              "imaging reading request attaches images",
                              (long long)k->results[i]);
    }
    return 0;
}

/* The ids of the results attached to referral `id`, sorted, at most REF_RESULTS_MAX. */
static int attached_ids(struct store_conn *c, int64_t id, int64_t out[REF_RESULTS_MAX],
                        size_t *n, struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_RESULTS);
    store_bind_int(st, 1, id);
    int rc;
    *n = 0;
    while ((rc = store_step(st, err)) == STORE_ROW && *n < REF_RESULTS_MAX)
        out[(*n)++] = store_col_int(st, 0);
    ref_stmt_finish(st, rc);
    return rc < 0 ? rc : 0;
}

static int up_check(struct store_conn *c, const struct ref_input *in, struct checked *k,
                    struct yl_err *err)
{
    if (k->from_type < 0 || !grassroots[k->from_type])
        return yl_err_set(err, YL_EINVAL, "from_facility", "an up-referral is sent from a "
                          "township or community health center or station, or a village clinic");
    int to_type = -1;
    int rc = load_facility(c, in->to_facility, "to_facility", &k->to_id, &to_type, err);
    if (rc != 0)
        return rc;
    if (to_type < 0 || !hospital[to_type])
        return yl_err_set(err, YL_EINVAL, "to_facility", "an up-referral goes to a hospital");
    snprintf(k->to_code, sizeof(k->to_code), "%s", in->to_facility);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_SAME_GROUP);
    store_bind_int(st, 1, k->from_id);
    store_bind_int(st, 2, k->to_id);
    rc = store_step(st, err);
    ref_stmt_finish(st, rc);
    if (rc < 0 || rc == STORE_ROW || !empty(in->outside_reason))
        return rc < 0 ? rc : 0;
    return yl_err_set(err, YL_EINVAL, "outside_reason", "facility \"%s\" is not in a medical "
                      "group with \"%s\": say why in outside_reason", in->to_facility,
                      in->from_facility);
}

/* A down-referral goes to the team whose contract covers the day of now_s. */
static int down_check(struct store_conn *c, const struct ref_input *in, int64_t now_s,
                      struct checked *k, struct yl_err *err)
{
    if (k->from_type < 0 || !hospital[k->from_type])
        return yl_err_set(err, YL_EINVAL, "from_facility",
                          "a down-referral is sent from a hospital");
    char day[DATE_STR_LEN];
    date_format(date_of_unix(now_s), day);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_RESIDENT_TEAM);
    store_bind_int(st, 1, in->resident_id);
    store_bind_text(st, 2, day);
    store_bind_text(st, 3, day);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        k->team_id = store_col_int(st, 0);
        k->to_id = store_col_int(st, 1);
    }
    ref_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        return yl_err_set(err, YL_EINVAL, "resident_id", "the resident has no family-doctor "
                          "contract covering today: no team to refer down to");
    return rc < 0 ? rc : 0;
}

/* --- idempotency and insert --------------------------------------------------------------- */

static bool same_text(const char *stored, const char *given)
{
    return strcmp(stored, given ? given : "") == 0;
}

/* A referral stored under the external id: *found, and YL_ECONFLICT unless it is the same. */
static int compare_stored(struct store_conn *c, const struct ref_input *in,
                          const struct checked *k, int64_t *id, bool *found, struct yl_err *err)
{
    struct arena a;
    struct ref_referral r;
    arena_init(&a);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_BY_EXTERNAL);
    store_bind_text(st, 1, k->external_id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    if (*found)
        ref_from_row(st, &a, true, &r);
    ref_stmt_finish(st, rc);
    rc = rc < 0 ? rc : 0;
    int64_t ids[REF_RESULTS_MAX];
    size_t n_ids = 0;
    if (rc == 0 && *found)
        rc = attached_ids(c, r.id, ids, &n_ids, err);
    if (rc == 0 && *found) {
        *id = r.id;
        bool same = r.kind == k->kind && n_ids == k->n_results &&
                    (n_ids == 0 || memcmp(ids, k->results, n_ids * sizeof(ids[0])) == 0) &&
                    r.direction == k->direction && r.resident_id == in->resident_id &&
                    same_text(r.from_facility, in->from_facility) &&
                    (k->direction == REF_DOWN || same_text(r.to_facility, in->to_facility)) &&
                    same_text(r.reason, in->reason) &&
                    same_text(r.outside_reason, in->outside_reason) &&
                    r.urgency == k->urgency && same_text(r.summary, in->summary);
        if (!same) {
            bool first = err != NULL && err->code == 0;
            rc = yl_err_set(err, YL_ECONFLICT, "external_id", "a referral with external_id "
                            "\"%s\" already exists (referral %lld) with other content",
                            k->external_id, (long long)r.id);
            if (first)
                err->existing_id = r.id;
        }
    }
    arena_release(&a);
    return rc;
}

static void generate_external_id(char out[REF_EXTERNAL_ID_MAX + 1])
{
    unsigned char raw[16];
    char hex[33];
    if (sodium_init() < 0)
        abort();
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(out, REF_EXTERNAL_ID_MAX + 1, "ref-%s", hex);
}

static int insert(struct store_conn *c, const struct ref_input *in, const struct checked *k,
                  int64_t now_s, int64_t user_id, int64_t *id, struct yl_err *err)
{
    char requested[REF_TIME_LEN], due[REF_TIME_LEN];
    ref_time_format(now_s, requested);
    ref_time_format(now_s + ref_accept_limit_s(k->urgency), due);
    struct store_stmt *st = store_stmt(c, STORE_SQL_REF_INSERT);
    store_bind_text(st, 1, k->external_id);
    store_bind_text(st, 2, ref_direction_code(k->direction));
    store_bind_int(st, 3, in->resident_id);
    store_bind_int(st, 4, k->from_id);
    store_bind_int(st, 5, k->to_id);
    if (k->team_id > 0)
        store_bind_int(st, 6, k->team_id);
    else
        store_bind_null(st, 6);
    store_bind_text(st, 7, in->reason ? in->reason : "");
    store_bind_text(st, 8, in->outside_reason ? in->outside_reason : "");
    store_bind_text(st, 9, ref_urgency_code(k->urgency));
    store_bind_text(st, 10, in->summary ? in->summary : "");
    store_bind_text(st, 11, requested);
    store_bind_text(st, 12, due);
    if (user_id > 0)
        store_bind_int(st, 13, user_id);
    else
        store_bind_null(st, 13);
    store_bind_text(st, 14, ref_kind_code(k->kind));
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        *id = store_col_int(st, 0);
    ref_stmt_finish(st, rc);
    if (rc == STORE_DONE)
        rc = yl_err_set(err, YL_ESTORE, NULL, "the referral was not stored");
    for (size_t i = 0; rc >= 0 && i < k->n_results; i++) {
        st = store_stmt(c, STORE_SQL_REF_RESULT_ATTACH);
        store_bind_int(st, 1, *id);
        store_bind_int(st, 2, k->results[i]);
        rc = store_exec(st, err);
    }
    return rc < 0 ? rc : 0;
}

static int check_in_store(struct store_conn *c, const struct ref_who *who,
                          const struct ref_input *in, int64_t now_s, struct checked *k,
                          struct yl_err *err)
{
    int rc = load_facility(c, in->from_facility, "from_facility", &k->from_id, &k->from_type,
                           err);
    if (rc == 0)
        rc = text_of(c, STORE_SQL_REF_FACILITY_OU, k->from_id, k->from_ou, sizeof(k->from_ou),
                     err);
    if (rc == 0)
        rc = sender_check(c, who->principal, in->from_facility, k, err);
    if (rc == 0)
        rc = resident_check(c, who->principal, in->resident_id, err);
    if (rc == 0)
        rc = results_check(c, in, k, err);
    if (rc == 0)
        rc = k->direction == REF_UP ? up_check(c, in, k, err) : down_check(c, in, now_s, k, err);
    return rc;
}

int ref_create(struct store *s, const struct ref_who *who, const struct ref_input *in,
               int64_t now_s, int64_t *id, bool *created, struct yl_err *err)
{
    struct checked k = {0};
    struct store_conn *c;
    *id = 0;
    *created = false;
    int rc = check_input(in, &k, err);
    if (rc == 0)
        rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = check_in_store(c, who, in, now_s, &k, err);
    bool found = false;
    if (rc == 0 && k.external_id[0] != '\0')
        rc = compare_stored(c, in, &k, id, &found, err);
    if (rc == 0 && found) {
        /* The same referral again: nothing to write or audit. */
        store_rollback(c);
        store_release(c);
        return 0;
    }
    if (rc == 0 && k.external_id[0] == '\0')
        generate_external_id(k.external_id);
    int64_t user_id = who->actor ? who->actor->user_id : 0;
    if (rc == 0)
        rc = insert(c, in, &k, now_s, user_id, id, err);
    *created = rc == 0;
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)*id);
    struct audit_event ev = {"create", "referral", text, "ok"};
    return audit_finish_write(c, who->actor, &ev, rc, err);
}
