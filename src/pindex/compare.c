/*
 * compare.c - checking the population index against the store: two indexes entry by entry
 * (pidx_compare), and an index against one-resident reads (pidx_check_residents).
 *
 * Order inside a resident's spans and inside the population table is not part of the
 * meaning, so both are compared as sets (sorted copies). Everything else is compared field
 * by field; coordinates compare equal when both are unknown (NaN).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex_int.h"
#include "store/store.h"

/* The first difference and how many there were. */
struct diffs {
    long count;
    char first[160];
};

static void note(struct diffs *d, const char *kind, size_t id, const char *what)
{
    if (d->count++ == 0)
        snprintf(d->first, sizeof(d->first), "%s %zu differs (%s)", kind, id, what);
}

static bool same_coord(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void compare_ous(const struct pidx *a, const struct pidx *b, struct diffs *d)
{
    static const struct pidx_ou absent;
    size_t n = a->n_ous > b->n_ous ? a->n_ous : b->n_ous;
    for (size_t i = 1; i < n; i++) {
        const struct pidx_ou *p = i < a->n_ous ? &a->ous[i] : &absent;
        const struct pidx_ou *q = i < b->n_ous ? &b->ous[i] : &absent;
        const char *what = NULL;
        if (p->present != q->present)
            what = "present in one index only";
        else if (!p->present)
            continue;
        else if (p->level != q->level || strcmp(p->code, q->code) != 0)
            what = "code or level";
        else if (p->parent != q->parent)
            what = "parent";
        else if (!same_coord(p->lat, q->lat) || !same_coord(p->lon, q->lon))
            what = "coordinates";
        if (what != NULL)
            note(d, "org unit", i, what);
    }
}

static void compare_facilities(const struct pidx *a, const struct pidx *b, struct diffs *d)
{
    static const struct pidx_facility absent;
    size_t n = a->n_facilities > b->n_facilities ? a->n_facilities : b->n_facilities;
    for (size_t i = 1; i < n; i++) {
        const struct pidx_facility *p = i < a->n_facilities ? &a->facilities[i] : &absent;
        const struct pidx_facility *q = i < b->n_facilities ? &b->facilities[i] : &absent;
        const char *what = NULL;
        if (p->present != q->present)
            what = "present in one index only";
        else if (!p->present)
            continue;
        else if (p->type != q->type || p->grade != q->grade || p->ownership != q->ownership)
            what = "type, grade or ownership";
        else if (p->status != q->status || p->ou != q->ou)
            what = "status or org unit";
        else if (p->services != q->services || p->centers != q->centers)
            what = "services or centers";
        else if (p->beds != q->beds || p->icu_beds != q->icu_beds ||
                 p->infant_care_places != q->infant_care_places)
            what = "beds or places";
        else if (!same_coord(p->lat, q->lat) || !same_coord(p->lon, q->lon))
            what = "coordinates";
        if (what != NULL)
            note(d, "facility", i, what);
    }
}

static void compare_staff(const struct pidx *a, const struct pidx *b, struct diffs *d)
{
    static const struct pidx_staff absent;
    size_t n = a->n_staff > b->n_staff ? a->n_staff : b->n_staff;
    for (size_t i = 1; i < n; i++) {
        const struct pidx_staff *p = i < a->n_staff ? &a->staff[i] : &absent;
        const struct pidx_staff *q = i < b->n_staff ? &b->staff[i] : &absent;
        if (p->present != q->present)
            note(d, "staff member", i, "present in one index only");
        else if (p->present && (p->role != q->role || p->education != q->education ||
                                p->status != q->status || p->facility != q->facility))
            note(d, "staff member", i, "role, education, status or facility");
    }
}

static void compare_teams(const struct pidx *a, const struct pidx *b, struct diffs *d)
{
    static const struct pidx_team absent;
    size_t n = a->n_teams > b->n_teams ? a->n_teams : b->n_teams;
    for (size_t i = 1; i < n; i++) {
        const struct pidx_team *p = i < a->n_teams ? &a->teams[i] : &absent;
        const struct pidx_team *q = i < b->n_teams ? &b->teams[i] : &absent;
        if (p->present != q->present)
            note(d, "team", i, "present in one index only");
        else if (p->present && (p->status != q->status || p->facility != q->facility ||
                                p->capacity != q->capacity))
            note(d, "team", i, "status, facility or capacity");
    }
}

static int population_cmp(const void *pa, const void *pb)
{
    const struct pidx_population *a = pa, *b = pb;
    if (a->ou != b->ou)
        return a->ou < b->ou ? -1 : 1;
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    return 0;
}

static void compare_population(const struct pidx *a, const struct pidx *b, struct diffs *d)
{
    struct pidx_population *p = xmalloc((a->n_population + 1) * sizeof(*p));
    struct pidx_population *q = xmalloc((b->n_population + 1) * sizeof(*q));
    if (a->n_population > 0)
        memcpy(p, a->population, a->n_population * sizeof(*p));
    if (b->n_population > 0)
        memcpy(q, b->population, b->n_population * sizeof(*q));
    qsort(p, a->n_population, sizeof(*p), population_cmp);
    qsort(q, b->n_population, sizeof(*q), population_cmp);
    size_t i = 0, j = 0;
    while (i < a->n_population || j < b->n_population) {
        int c = i == a->n_population ? 1 : j == b->n_population ? -1 : population_cmp(&p[i], &q[j]);
        if (c < 0) {
            note(d, "population of org unit", p[i].ou, "a year in one index only");
            i++;
        } else if (c > 0) {
            note(d, "population of org unit", q[j].ou, "a year in one index only");
            j++;
        } else {
            if (memcmp(p[i].counts, q[j].counts, sizeof(p[i].counts)) != 0)
                note(d, "population of org unit", p[i].ou, "counts");
            i++;
            j++;
        }
    }
    free(p);
    free(q);
}

static bool same_spans(struct pidx_span *p, size_t np, struct pidx_span *q, size_t nq)
{
    if (np != nq)
        return false;
    pidx_spans_sort(p, np);
    pidx_spans_sort(q, nq);
    for (size_t i = 0; i < np; i++)
        if (p[i].kind != q[i].kind || p[i].from != q[i].from || p[i].to != q[i].to ||
            p[i].value != q[i].value || pidx_span_due(&p[i]) != pidx_span_due(&q[i]))
            return false;
    return true;
}

static int done_cmp(const void *pa, const void *pb)
{
    const struct svc_done *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    if (a->item != b->item)
        return a->item < b->item ? -1 : 1;
    return (int)a->outcome - (int)b->outcome;
}

/* Two service histories as sets (events of one day may come in any order); both lists get
 * sorted. */
static bool same_history(struct svc_done *p, size_t np, struct svc_done *q, size_t nq)
{
    if (np != nq)
        return false;
    if (np > 1) {
        qsort(p, np, sizeof(*p), done_cmp);
        qsort(q, nq, sizeof(*q), done_cmp);
    }
    for (size_t i = 0; i < np; i++)
        if (done_cmp(&p[i], &q[i]) != 0)
            return false;
    return true;
}

/* What differs between two residents (spans compared as sets; both lists get sorted), or
 * NULL. An absent resident has ou = PIDX_NONE. */
static const char *resident_diff(const struct pidx_resident *p, struct pidx_span *ps, size_t np,
                                 const struct pidx_resident *q, struct pidx_span *qs, size_t nq)
{
    if ((p->ou == PIDX_NONE) != (q->ou == PIDX_NONE))
        return "present in one only";
    if (p->ou == PIDX_NONE)
        return NULL;
    if (p->ou != q->ou)
        return "org unit";
    if (p->birth != q->birth || p->sex != q->sex)
        return "birth date or sex";
    if (p->record_date != q->record_date)
        return "record date";
    if (p->status != q->status || p->end_date != q->end_date || p->flags != q->flags)
        return "status";
    if (p->residence_from != q->residence_from)
        return "start of the current residence";
    if (!same_spans(ps, np, qs, nq))
        return "tags, contracts or past residences";
    return NULL;
}

struct scratch {
    struct pidx_span *a, *b;
    size_t cap_a, cap_b;
    struct svc_done *da, *db;
    size_t cap_da, cap_db;
};

/* A resident's history run in an index (none past the runs array). */
static struct pidx_done_run run_of(const struct pidx *x, size_t id)
{
    struct pidx_done_run none = {0, 0};
    return id < x->n_done_runs ? x->done_runs[id] : none;
}

/* The service histories of resident i in two indexes, compared as sets. */
static bool same_history_at(const struct pidx *a, const struct pidx *b, size_t i,
                            struct scratch *s)
{
    struct pidx_done_run p = run_of(a, i), q = run_of(b, i);
    if (p.count != q.count)
        return false;
    pidx_grow((void **)&s->da, &s->cap_da, p.count + 1, sizeof(*s->da));
    pidx_grow((void **)&s->db, &s->cap_db, q.count + 1, sizeof(*s->db));
    if (p.count > 0) {
        memcpy(s->da, &a->done[p.first], p.count * sizeof(*s->da));
        memcpy(s->db, &b->done[q.first], q.count * sizeof(*s->db));
    }
    return same_history(s->da, p.count, s->db, q.count);
}

static void compare_residents(const struct pidx *a, const struct pidx *b, struct diffs *d)
{
    static const struct pidx_resident absent = {.ou = PIDX_NONE};
    struct scratch s = {0};
    size_t n = a->n_residents > b->n_residents ? a->n_residents : b->n_residents;
    for (size_t i = 1; i < n; i++) {
        const struct pidx_resident *p = i < a->n_residents ? &a->residents[i] : &absent;
        const struct pidx_resident *q = i < b->n_residents ? &b->residents[i] : &absent;
        pidx_grow((void **)&s.a, &s.cap_a, p->span_count + 1, sizeof(*s.a));
        pidx_grow((void **)&s.b, &s.cap_b, q->span_count + 1, sizeof(*s.b));
        if (p->span_count > 0)
            memcpy(s.a, &a->spans[p->span_first], p->span_count * sizeof(*s.a));
        if (q->span_count > 0)
            memcpy(s.b, &b->spans[q->span_first], q->span_count * sizeof(*s.b));
        const char *what = resident_diff(p, s.a, p->span_count, q, s.b, q->span_count);
        if (what == NULL && !same_history_at(a, b, i, &s))
            what = "service history";
        if (what != NULL)
            note(d, "resident", i, what);
    }
    free(s.a);
    free(s.b);
    free(s.da);
    free(s.db);
}

int pidx_compare(struct pidx *a, struct pidx *b, long *differences, struct yl_err *err)
{
    *differences = 0;
    if (a == b)
        return 0;
    /* Always the same order, so two comparisons running at once cannot wait on each other
     * behind waiting writers. */
    struct pidx *first = a < b ? a : b, *second = a < b ? b : a;
    pthread_rwlock_rdlock(&first->lock);
    pthread_rwlock_rdlock(&second->lock);
    struct diffs d = {0};
    compare_ous(a, b, &d);
    compare_population(a, b, &d);
    compare_facilities(a, b, &d);
    compare_staff(a, b, &d);
    compare_teams(a, b, &d);
    compare_residents(a, b, &d);
    pthread_rwlock_unlock(&second->lock);
    pthread_rwlock_unlock(&first->lock);
    *differences = d.count;
    if (d.count == 0)
        return 0;
    return yl_err_set(err, YL_ESTORE, NULL, "population index differs from the store: %s%s",
                      d.first, d.count > 1 ? " (and more)" : "");
}

/* Resident id's history in the index against a one-resident read of the store: *what
 * names the difference, if any. */
static int check_history(struct pidx *x, struct store_conn *c, uint32_t id, struct scratch *s,
                         const char **what, struct yl_err *err)
{
    struct svc_done *stored;
    size_t n_stored;
    int rc = pidx_services_read(x, c, id, &stored, &n_stored, err);
    if (rc != 0)
        return rc;
    size_t n = pidx_resident_services(x, id, s->da, s->cap_da);
    if (n > s->cap_da) {
        pidx_grow((void **)&s->da, &s->cap_da, n, sizeof(*s->da));
        n = pidx_resident_services(x, id, s->da, s->cap_da);
    }
    if (!same_history(s->da, n, stored, n_stored))
        *what = "service history";
    free(stored);
    return 0;
}

int pidx_check_residents(struct pidx *x, struct store_conn *c, long *checked,
                         long *differences, struct yl_err *err)
{
    struct diffs d = {0};
    struct scratch s = {0};
    pidx_grow((void **)&s.a, &s.cap_a, 64, sizeof(*s.a));
    pidx_grow((void **)&s.b, &s.cap_b, 64, sizeof(*s.b));
    *checked = 0;
    pthread_rwlock_rdlock(&x->lock);
    size_t n = x->n_residents;
    pthread_rwlock_unlock(&x->lock);
    int rc = 0;
    for (size_t id = 1; id < n && rc == 0; id++) {
        struct pidx_resident p = {.ou = PIDX_NONE}, q = {.ou = PIDX_NONE};
        size_t np = 0, nq = 0;
        if (!pidx_resident_get(x, (uint32_t)id, &p, s.a, s.cap_a, &np)) {
            p.ou = PIDX_NONE;
        } else if (np > s.cap_a) {
            pidx_grow((void **)&s.a, &s.cap_a, np, sizeof(*s.a));
            pidx_resident_get(x, (uint32_t)id, &p, s.a, s.cap_a, &np);
        }
        struct yl_err inner = {0};
        rc = pidx_resident_read(c, (uint32_t)id, &q, s.b, s.cap_b, &nq, &inner);
        if (rc == 0 && nq > s.cap_b) {
            pidx_grow((void **)&s.b, &s.cap_b, nq, sizeof(*s.b));
            rc = pidx_resident_read(c, (uint32_t)id, &q, s.b, s.cap_b, &nq, &inner);
        }
        if (rc == YL_ENOTFOUND) {
            q.ou = PIDX_NONE;
            nq = 0;
            rc = 0;
        }
        if (rc != 0) {
            yl_err_set(err, rc, NULL, "%s", yl_err_message(&inner));
            break;
        }
        (*checked)++;
        const char *what = resident_diff(&p, s.a, np, &q, s.b, nq);
        if (what == NULL && p.ou != PIDX_NONE) {
            rc = check_history(x, c, (uint32_t)id, &s, &what, err);
            if (rc != 0)
                break;
        }
        if (what != NULL)
            note(&d, "resident", id, what);
    }
    free(s.a);
    free(s.b);
    free(s.da);
    free(s.db);
    *differences = d.count;
    if (rc != 0)
        return rc;
    if (d.count == 0)
        return 0;
    return yl_err_set(err, YL_ESTORE, NULL, "population index differs from the store: %s%s",
                      d.first, d.count > 1 ? " (and more)" : "");
}
