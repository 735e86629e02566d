/*
 * events.c - recording a service event and reading a resident's history (events.h).
 *
 * The one idea: everything that needs no comparison with what is stored is checked before
 * the external id is looked up, everything about the resident's situation (eligibility) after
 * it, so a client resending an event it already got accepted hears "unchanged" even when the
 * resident's situation moved on since. Nothing is written until every check passed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "importer/importer.h"
#include "core/idno.h"
#include "core/mem.h"
#include "pindex/pindex.h"
#include "records/records.h"
#include "services/events.h"
#include "services/events_int.h"
#include "store/store.h"
#include "vocab/vocab.h"

/* Everything an event becomes before it is compared or written. */
struct checked {
    int64_t resident_id;
    int item;
    int32_t day;
    char date[DATE_STR_LEN];
    int64_t facility_id;
    int64_t staff_id;           /* 0: none */
    uint8_t outcome;
    char measurements[SVC_MEASUREMENTS_MAX];
    char external_id[SVC_EXTERNAL_ID_MAX + 1];
    bool external_given;
};

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* --- the resident ------------------------------------------------------------------------- */

/* The resident's row and spans as the population index reads them: the facts' source. */
struct resident_facts {
    struct pidx_resident row;
    struct pidx_span spans[128];
    struct svc_tag_span tags[64];
    struct svc_facts f;
};

/* --- the import's cache (events_int.h) --------------------------------------------------- */

#define CACHE_CODES 64

struct code_id {
    char code[64];
    int64_t key;                /* staff: the facility; facilities: 0 */
    int64_t id;
};

struct svc_apply_cache {
    char number[IDNO_LEN + 1];  /* the last resident, by the ID number as given */
    int64_t resident_id;        /* 0: none */
    struct resident_facts facts;
    struct code_id facilities[CACHE_CODES], staff[CACHE_CODES];
    size_t n_facilities, n_staff;
};

struct svc_apply_cache *svc_apply_cache_new(void)
{
    return xcalloc(1, sizeof(struct svc_apply_cache));
}

void svc_apply_cache_free(struct svc_apply_cache *cache)
{
    free(cache);
}

void svc_apply_cache_reset(struct svc_apply_cache *cache)
{
    cache->resident_id = 0;
    cache->n_facilities = 0;
    cache->n_staff = 0;
}

static const struct code_id *code_get(const struct code_id *v, size_t n, const char *code,
                                      int64_t key)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].key == key && strcmp(v[i].code, code) == 0)
            return &v[i];
    return NULL;
}

/* Remember a code; a full table keeps what it has (the cache is only a shortcut). */
static void code_put(struct code_id *v, size_t *n, const char *code, int64_t key, int64_t id)
{
    if (*n == CACHE_CODES || strlen(code) >= sizeof(v[0].code))
        return;
    snprintf(v[*n].code, sizeof(v[*n].code), "%s", code);
    v[*n].key = key;
    v[*n].id = id;
    (*n)++;
}

static int facts_read(struct store_conn *c, int64_t id, int32_t day, struct resident_facts *rf,
                      struct yl_err *err)
{
    size_t n;
    int rc = pidx_resident_read(c, (uint32_t)id, &rf->row, rf->spans, 128, &n, err);
    if (rc != 0)
        return rc;
    /* A resident with more spans than room keeps the first ones: tags come first. */
    if (n > 128)
        rf->row.span_count = 128;
    else
        rf->row.span_count = (uint32_t)n;
    svc_facts_from_index(&rf->row, rf->spans, day, rf->tags, 64, &rf->f);
    return 0;
}

/* --- field checks ----------------------------------------------------------------------- */

static int check_external_id(const char *s, struct yl_err *err)
{
    return imp_check_external_id(s, SVC_EXTERNAL_ID_MAX, err);
}

static int check_date(const char *s, int32_t birth, int32_t *day, struct yl_err *err)
{
    if (s == NULL || s[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "date", "date is required");
    int rc = date_parse(s, strlen(s), day, "date", err);
    if (rc != 0)
        return rc;
    if (*day > date_today())
        return yl_err_set(err, YL_EINVAL, "date", "date %s is in the future", s);
    if (*day < birth)
        return yl_err_set(err, YL_EINVAL, "date", "date %s is before the resident's birth", s);
    return 0;
}

static int find_facility(struct store_conn *c, const char *code, int64_t *id,
                         struct yl_err *err)
{
    if (code == NULL || code[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "facility", "facility is required");
    struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_FACILITY_BY_CODE);
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return yl_err_set(err, YL_EINVAL, "facility", "no facility \"%s\"", code);
    *id = store_col_int(st, 0);
    store_exec(st, NULL);
    return 0;
}

/* A staff member who works at the facility or belongs to one of its teams (a township
 * center's doctor serving in a village clinic's team). */
static int find_staff(struct store_conn *c, const char *code, int64_t facility, int64_t *id,
                      struct yl_err *err)
{
    *id = 0;
    if (code == NULL || code[0] == '\0')
        return 0;
    struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_STAFF_AT_FACILITY);
    store_bind_int(st, 1, facility);
    store_bind_int(st, 2, facility);
    store_bind_text(st, 3, code);
    int rc = store_step(st, err);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return yl_err_set(err, YL_EINVAL, "staff", "no staff member \"%s\"", code);
    *id = store_col_int(st, 0);
    bool works_there = store_col_int(st, 1) != 0;
    store_exec(st, NULL);
    if (!works_there)
        return yl_err_set(err, YL_EINVAL, "staff", "staff member \"%s\" neither works at the "
                          "facility nor belongs to one of its teams", code);
    return 0;
}

/* The values checked against the item, the outcome, and the normal text form. */
static int check_measures(const struct svc_protocol *p, const struct svc_event_input *in,
                          struct checked *k, struct yl_err *err)
{
    struct svc_measure_value out[SVC_ITEM_MEASURES + 8];
    size_t n;
    int rc = svc_measures_check(p, k->item, in->values, in->n_values, out,
                                sizeof(out) / sizeof(out[0]), &n, err);
    if (rc != 0)
        return rc;
    k->outcome = svc_event_outcome(p, k->item, out, n);
    return svc_measures_format(p, out, n, k->measurements, sizeof(k->measurements), err);
}

/* --- eligibility, with the reason -------------------------------------------------------- */

static long age_in(int32_t birth, int32_t day, uint8_t unit)
{
    switch (unit) {
    case SVC_UNIT_YEAR:
        return date_age_years(birth, day);
    case SVC_UNIT_MONTH:
        return date_age_months(birth, day);
    case SVC_UNIT_WEEK:
        return (day - birth) / 7;
    default:
        return day - birth;
    }
}

static char unit_char(uint8_t unit)
{
    static const char units[] = " dwmy";
    return unit < sizeof(units) - 1 ? units[unit] : '?';
}

static bool tag_covers(const struct svc_facts *f, int tag, int32_t day)
{
    for (size_t i = 0; i < f->n_tags; i++)
        if (f->tags[i].tag == tag && f->tags[i].from <= day && day <= f->tags[i].to)
            return true;
    return false;
}

/* Why `f` is not eligible for the item on `day`, as the refusal on "item". */
static int not_eligible(const struct svc_item *it, const struct svc_facts *f, int32_t day,
                        struct yl_err *err)
{
    const char *code = it->code;
    if (day >= f->end_day)
        return yl_err_set(err, YL_EINVAL, "item", "the resident was no longer in the "
                          "population on that day (moved out or died before it)");
    if (it->sex != 0 && it->sex != f->sex)
        return yl_err_set(err, YL_EINVAL, "item", "item \"%s\" is for %s only", code,
                          it->sex == 2 ? "women" : "men");
    if (it->tag >= 0 && !tag_covers(f, it->tag, day))
        return yl_err_set(err, YL_EINVAL, "item", "item \"%s\" needs the tag \"%s\" open on "
                          "that day", code, vocab_code(VOCAB_TAG, it->tag));
    if (it->age_min.unit != SVC_UNIT_NONE &&
        age_in(f->birth, day, it->age_min.unit) < it->age_min.n)
        return yl_err_set(err, YL_EINVAL, "item", "item \"%s\" is for ages from %d%c; the "
                          "resident was younger on that day", code, (int)it->age_min.n,
                          unit_char(it->age_min.unit));
    if (it->age_max.unit != SVC_UNIT_NONE &&
        age_in(f->birth, day, it->age_max.unit) > it->age_max.n)
        return yl_err_set(err, YL_EINVAL, "item", "item \"%s\" is for ages up to %d%c; the "
                          "resident was older on that day", code, (int)it->age_max.n,
                          unit_char(it->age_max.unit));
    if (it->anchor == SVC_ANCHOR_PREGNANCY)
        return yl_err_set(err, YL_EINVAL, "item", "item \"%s\" needs a pregnancy with an "
                          "expected delivery covering that day", code);
    if (it->anchor == SVC_ANCHOR_DELIVERY)
        return yl_err_set(err, YL_EINVAL, "item", "item \"%s\" needs a delivery on or before "
                          "that day (a pregnant tag ended from week %d on)", code,
                          SVC_DELIVERY_MIN_WEEKS);
    return yl_err_set(err, YL_EINVAL, "item", "the resident is not eligible for item \"%s\" "
                      "on that day", code);
}

/* --- the stored twin --------------------------------------------------------------------- */

/* An event already stored under the external id: *found, and whether its content equals k. */
static int compare_stored(struct store_conn *c, const struct svc_protocol *p,
                          const struct checked *k, bool *found, bool *same, int64_t *id,
                          struct yl_err *err)
{
    struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_EVENT_BY_EXTERNAL);
    store_bind_text(st, 1, k->external_id);
    int rc = store_step(st, err);
    *found = rc == STORE_ROW;
    *same = false;
    if (rc != STORE_ROW)
        return rc < 0 ? rc : 0;
    *id = store_col_int(st, 0);
    *same = store_col_int(st, 2) == k->resident_id &&
            strcmp(store_col_text(st, 3), svc_item_at(p, k->item)->code) == 0 &&
            strcmp(store_col_text(st, 4), k->date) == 0 &&
            store_col_int(st, 5) == k->facility_id && store_col_int(st, 7) == k->staff_id &&
            strcmp(store_col_text(st, 10), k->measurements) == 0;
    store_exec(st, NULL);
    return 0;
}

static void now_rfc3339(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void generate_external_id(char out[SVC_EXTERNAL_ID_MAX + 1])
{
    unsigned char raw[16];
    char hex[33];
    if (sodium_init() < 0)
        abort();
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(out, SVC_EXTERNAL_ID_MAX + 1, "svc-%s", hex);
}

static int insert(struct store_conn *c, const struct svc_protocol *p, const struct checked *k,
                  int64_t *id, struct yl_err *err)
{
    char now[32];
    now_rfc3339(now);
    struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_EVENT_INSERT);
    store_bind_text(st, 1, k->external_id);
    store_bind_int(st, 2, k->resident_id);
    store_bind_text(st, 3, svc_item_at(p, k->item)->code);
    store_bind_text(st, 4, k->date);
    store_bind_int(st, 5, k->facility_id);
    if (k->staff_id > 0)
        store_bind_int(st, 6, k->staff_id);
    else
        store_bind_null(st, 6);
    store_bind_int(st, 7, k->outcome);
    store_bind_text(st, 8, k->measurements);
    store_bind_text(st, 9, now);
    int rc = store_step(st, err);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : yl_err_set(err, YL_ESTORE, NULL, "the event was not stored");
    *id = store_col_int(st, 0);
    return store_exec(st, err);
}

/* --- apply ------------------------------------------------------------------------------ */

/* The resident, in scope: the cache's when it holds this ID number, else as every module
 * finds one (rec_find_resident). */
static int resolve_resident(struct store_conn *c, const struct acct_principal *who,
                            const struct svc_event_input *in, struct svc_apply_cache *cache,
                            int64_t *id, struct yl_err *err)
{
    const char *number = or_empty(in->id_number);
    if (in->resident_id <= 0 && cache != NULL && cache->resident_id > 0 && number[0] != '\0' &&
        strcmp(cache->number, number) == 0) {
        *id = cache->resident_id;
        return rec_scope_check(c, who, *id, err);
    }
    int32_t birth;
    return rec_find_resident(c, who, in->resident_id, number, id, &birth, err);
}

/* Every check that compares nothing with the stored twin. */
static int cached_facility(struct store_conn *c, const char *code,
                           struct svc_apply_cache *cache, int64_t *id, struct yl_err *err)
{
    const struct code_id *hit =
        cache != NULL && code != NULL ? code_get(cache->facilities, cache->n_facilities, code, 0)
                                      : NULL;
    if (hit != NULL) {
        *id = hit->id;
        return 0;
    }
    int rc = find_facility(c, code, id, err);
    if (rc == 0 && cache != NULL)
        code_put(cache->facilities, &cache->n_facilities, code, 0, *id);
    return rc;
}

static int cached_staff(struct store_conn *c, const char *code, int64_t facility,
                        struct svc_apply_cache *cache, int64_t *id, struct yl_err *err)
{
    const struct code_id *hit = cache != NULL && code != NULL && code[0] != '\0'
                                    ? code_get(cache->staff, cache->n_staff, code, facility)
                                    : NULL;
    if (hit != NULL) {
        *id = hit->id;
        return 0;
    }
    int rc = find_staff(c, code, facility, id, err);
    if (rc == 0 && cache != NULL && *id > 0)
        code_put(cache->staff, &cache->n_staff, code, facility, *id);
    return rc;
}

static int check_fields(struct store_conn *c, const struct svc_protocol *p,
                        const struct svc_event_input *in, const struct resident_facts *rf,
                        struct svc_apply_cache *cache, struct checked *k, struct yl_err *err)
{
    const char *item = or_empty(in->item);
    if (item[0] == '\0')
        return yl_err_set(err, YL_EINVAL, "item", "item is required");
    k->item = svc_item_find(p, item);
    if (k->item < 0)
        return yl_err_set(err, YL_EINVAL, "item", "no item \"%s\" in the protocol", item);
    int rc = check_date(in->date, rf->row.birth, &k->day, err);
    if (rc == 0)
        rc = cached_facility(c, in->facility, cache, &k->facility_id, err);
    if (rc == 0)
        rc = cached_staff(c, in->staff, k->facility_id, cache, &k->staff_id, err);
    if (rc == 0)
        rc = check_measures(p, in, k, err);
    if (rc == 0 && k->external_given)
        rc = check_external_id(k->external_id, err);
    date_format(k->day, k->date);
    return rc;
}

int svc_event_apply(struct store_conn *c, const struct svc_protocol *p,
                    const struct acct_principal *who, const struct svc_event_input *in,
                    struct svc_event_result *result, struct yl_err *err)
{
    return svc_event_apply_cached(c, p, who, in, NULL, result, err);
}

/* The resident's facts as of today: the cache's when it holds this resident. */
static int cached_facts(struct store_conn *c, const struct svc_event_input *in, int64_t id,
                        struct svc_apply_cache *cache, struct resident_facts *rf,
                        struct yl_err *err)
{
    if (cache != NULL && cache->resident_id == id) {
        memcpy(rf, &cache->facts, sizeof(*rf));
        rf->f.tags = rf->tags;
        return 0;
    }
    int rc = facts_read(c, id, date_today(), rf, err);
    if (rc == 0 && cache != NULL && in->id_number != NULL &&
        strlen(in->id_number) < sizeof(cache->number)) {
        memcpy(&cache->facts, rf, sizeof(*rf));
        cache->resident_id = id;
        snprintf(cache->number, sizeof(cache->number), "%s", in->id_number);
    }
    return rc;
}

int svc_event_apply_cached(struct store_conn *c, const struct svc_protocol *p,
                           const struct acct_principal *who, const struct svc_event_input *in,
                           struct svc_apply_cache *cache, struct svc_event_result *result,
                           struct yl_err *err)
{
    struct checked *k = xcalloc(1, sizeof(*k));
    struct resident_facts *rf = xmalloc(sizeof(*rf));
    memset(result, 0, sizeof(*result));
    const char *ext = or_empty(in->external_id);
    k->external_given = ext[0] != '\0';
    snprintf(k->external_id, sizeof(k->external_id), "%s", ext);
    if (k->external_given && strlen(ext) > SVC_EXTERNAL_ID_MAX) {
        free(k);
        free(rf);
        return check_external_id(ext, err);
    }
    int rc = resolve_resident(c, who, in, cache, &k->resident_id, err);
    if (rc == 0)
        rc = cached_facts(c, in, k->resident_id, cache, rf, err);
    if (rc == 0)
        rc = check_fields(c, p, in, rf, cache, k, err);
    bool found = false, same = false;
    int64_t existing = 0;
    if (rc == 0 && k->external_given)
        rc = compare_stored(c, p, k, &found, &same, &existing, err);
    if (rc == 0 && found && !same) {
        bool first = err != NULL && err->code == 0;
        rc = yl_err_set(err, YL_ECONFLICT, "external_id", "an event with external_id \"%s\" "
                        "already exists (event %lld) with other content", k->external_id,
                        (long long)existing);
        if (first)
            err->existing_id = existing;
    }
    result->resident_id = k->resident_id;
    result->outcome = k->outcome;
    if (rc == 0 && found) {
        result->id = existing;
    } else if (rc == 0) {
        /* Eligibility as of the service's own day (a delivery after it does not count). */
        svc_facts_from_index(&rf->row, rf->spans, k->day, rf->tags, 64, &rf->f);
        if (!svc_item_eligible(p, k->item, &rf->f, k->day))
            rc = not_eligible(svc_item_at(p, k->item), &rf->f, k->day, err);
        if (rc == 0 && !k->external_given)
            generate_external_id(k->external_id);
        if (rc == 0)
            rc = insert(c, p, k, &result->id, err);
        result->created = rc == 0;
    }
    free(k);
    free(rf);
    return rc;
}

int svc_event_record(struct store *s, const struct svc_protocol *p,
                     const struct acct_principal *who, const struct audit_actor *by,
                     const struct svc_event_input *in, struct svc_event_result *result,
                     struct yl_err *err)
{
    struct store_conn *c;
    int rc = store_write_begin(s, &c, err);
    if (rc != 0)
        return rc;
    rc = svc_event_apply(c, p, who, in, result, err);
    if (rc == 0 && !result->created) {
        /* Nothing changed: nothing to audit or commit. */
        store_rollback(c);
        store_release(c);
        return 0;
    }
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)result->resident_id);
    struct audit_event ev = {"record_service", "resident", idtext, "ok"};
    return audit_finish_write(c, by, &ev, rc, err);
}

/* --- reading ---------------------------------------------------------------------------- */

/* A row of SVC_SQL_EVENT_COLUMNS into e, strings into the arena. */
static void event_from_row(struct store_stmt *st, const struct svc_protocol *p,
                           struct arena *a, struct svc_event *e)
{
    memset(e, 0, sizeof(*e));
    e->id = store_col_int(st, 0);
    e->external_id = arena_strdup(a, store_col_text(st, 1));
    e->resident_id = store_col_int(st, 2);
    e->item = arena_strdup(a, store_col_text(st, 3));
    e->item_index = svc_item_find(p, e->item);
    const char *date = store_col_text(st, 4);
    if (date_parse(date, strlen(date), &e->day, "date", NULL) != 0)
        e->day = DATE_INVALID;
    e->facility_id = store_col_int(st, 5);
    e->facility = arena_strdup(a, store_col_text(st, 6));
    e->staff_id = store_col_int(st, 7);
    e->staff = arena_strdup(a, store_col_text(st, 8));
    e->outcome = (uint8_t)store_col_int(st, 9);
    e->measurements = arena_strdup(a, store_col_text(st, 10));
    e->recorded_at = arena_strdup(a, store_col_text(st, 11));
    /* The stored text is in normal form; a pair that no longer parses (a measurement that
     * changed kind) is left out of the values but stays in the text. */
    struct svc_measure_list *l = xmalloc(sizeof(*l));
    if (svc_measures_parse(p, e->measurements, l, NULL) != 0)
        l->n = 0;
    e->values = arena_alloc(a, (l->n ? l->n : 1) * sizeof(*e->values));
    for (size_t i = 0; i < l->n; i++) {
        e->values[i] = l->v[i];
        e->values[i].code = arena_strdup(a, l->v[i].code);
        e->values[i].measure = svc_measure_find(p, l->v[i].code);
        if (l->v[i].text != NULL)
            e->values[i].text = arena_strdup(a, l->v[i].text);
    }
    e->n_values = l->n;
    free(l);
}

int svc_event_list(struct store *s, const struct svc_protocol *p,
                   const struct acct_principal *who, int64_t resident_id, int64_t after,
                   int limit, struct arena *a, struct svc_event **out, size_t *n,
                   struct yl_err *err)
{
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(**out));
    *n = 0;
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c, STORE_READ, err);
    if (rc == 0)
        rc = rec_scope_check(c, who, resident_id, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_SVC_EVENT_LIST);
        store_bind_int(st, 1, resident_id);
        store_bind_int(st, 2, after);
        store_bind_int(st, 3, limit);
        while ((rc = store_step(st, err)) == STORE_ROW)
            event_from_row(st, p, a, &(*out)[(*n)++]);
        if (rc > 0)
            rc = 0;
    }
    store_rollback(c);
    store_release(c);
    return rc;
}
