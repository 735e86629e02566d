/*
 * detection.c - the detectors over stored series, their alarms into the alert engine
 * (detection.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "alerts/detection.h"
#include "core/date.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/store.h"
#include "surveil/detect.h"
#include "surveil/surveil.h"

bool surv_detect_class_a(void *cls, const char *code)
{
    const struct surv_disease *d = surv_disease_find(cls, code);
    return d != NULL && (d->cls == 'A' || d->managed_as_a);
}

/* The township of an org unit code: its first nine digits (a county's code stays itself). */
static void township_of(const char *ou, char out[16])
{
    size_t n = strlen(ou);
    snprintf(out, 16, "%.*s", (int)(n > 9 ? 9 : n), ou);
}

/* --- the series an import touched -------------------------------------------------------- */

/* The days after a change whose judgement it can move: a baseline that now holds it. */
#define SURV_DETECT_AFTER_DAYS 14

void surv_detect_touched(void *arg, const char *target, const char *ou, int32_t day)
{
    struct surv_detect_touches *t = arg;
    int32_t later = date_add_days(day, SURV_DETECT_AFTER_DAYS);
    char town[16];
    township_of(ou, town);
    for (size_t i = 0; i < t->n; i++) {
        struct surv_detect_target *x = &t->v[i];
        if (strcmp(x->code, target) == 0 && strcmp(x->ou, town) == 0) {
            x->from = day < x->from ? day : x->from;
            x->to = later > x->to ? later : x->to;
            return;
        }
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    struct surv_detect_target *x = &t->v[t->n++];
    snprintf(x->code, sizeof(x->code), "%s", target);
    snprintf(x->ou, sizeof(x->ou), "%s", town);
    x->from = day;
    x->to = later;
}

void surv_detect_touched_free(struct surv_detect_touches *t)
{
    free(t->v);
    memset(t, 0, sizeof(*t));
}

/* --- judging one series -------------------------------------------------------------------- */

/* Signals gathered over a run; strings in the arena. */
struct gathered {
    struct surv_signal *v;
    size_t n, cap;
};

static void add_signal(struct gathered *g, const struct surv_signal *s)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
    }
    g->v[g->n++] = *s;
}

/* Judge one series over [from, to] (never after today); weekly series on the weeks that
 * end in [from, to] and have ended. */
static int judge(struct store *s, const struct surv_detect_env *env,
                 const struct surv_detect_target *t, struct arena *a, struct gathered *g,
                 struct surv_detect_result *res, struct yl_err *err)
{
    const struct surv_disease *disease = surv_disease_find(env->catalog, t->code);
    const struct surv_channel *channel = surv_channel_find(env->catalog, t->code);
    if (disease == NULL && channel == NULL)
        return yl_err_set(err, YL_EINVAL, "code", "no disease or channel \"%s\"", t->code);
    struct surv_method_config cfg;
    surv_params_for(env->catalog, t->code, t->ou, &cfg);
    int32_t to = t->to < env->today ? t->to : env->today;
    if (to < t->from)
        return 0;
    struct surv_series_query q = {
        .disease = disease != NULL ? t->code : NULL,
        .channel = disease == NULL ? t->code : NULL,
        .ou = t->ou,
        .from = date_add_days(t->from, -SURV_DETECT_HISTORY_DAYS),
        .to = to,
        .unit = cfg.unit,
    };
    struct surv_series series;
    int rc = surv_series_read(s, env->catalog, &q, &series, err);
    if (rc != 0)
        return rc;
    /* The ILI share is judged as a percentage, not as the visits it counts. */
    if (series.denominators != NULL)
        for (size_t i = 0; i < series.n; i++)
            series.counts[i] = series.denominators[i] > 0
                                   ? 100.0 * series.counts[i] / series.denominators[i]
                                   : NAN;
    struct surv_point *points = xmalloc((series.n ? series.n : 1) * sizeof(*points));
    rc = surv_method_run(&cfg, series.counts, series.n, points, err);
    const char *method = surv_method_name(cfg.method);
    for (size_t i = 0; rc == 0 && i < series.n; i++) {
        int32_t first = cfg.unit == SURV_WEEK ? series.start + 7 * (int32_t)i
                                              : series.start + (int32_t)i;
        int32_t day = cfg.unit == SURV_WEEK ? first + 6 : first;
        if (day < t->from || first > to || day > env->today)
            continue;
        if (points[i].alarm == SURV_NO_DECISION)
            continue;
        res->points++;
        if (points[i].alarm != SURV_ALARM)
            continue;
        struct surv_signal sig = {
            .kind = disease != NULL ? SURV_SRC_DISEASE : SURV_SRC_CHANNEL,
            .code = arena_strdup(a, t->code),
            .ou = arena_strdup(a, t->ou),
            .day = day,
            .method = method,
            .count = series.counts[i],
            .expected = points[i].expected,
            .upper = points[i].upper,
            .score = points[i].score,
        };
        add_signal(g, &sig);
        res->alarms++;
    }
    res->series++;
    free(points);
    surv_series_release(&series);
    return rc;
}

/* --- clusters: the cases of one school ------------------------------------------------------ */

/*
 * For each day d of [from, to] (never after today): the schools whose cards name at least
 * two cases of one disease with onsets in the week ending on d, one of them on d. Each is a
 * signal of kind cluster at the township the pupils live in (place "school", the school's
 * name as written on the cards), dated d; the school-cluster rule raises it from its number
 * of cases on. Cards without a school are not counted here.
 */
static int school_clusters(struct store *s, const struct surv_detect_env *env, int32_t from,
                           int32_t to, struct arena *a, struct gathered *g,
                           struct surv_detect_result *res, struct yl_err *err)
{
    if (to > env->today)
        to = env->today;
    struct store_conn *c = store_acquire(s);
    int rc = 0;
    for (int32_t d = from; rc == 0 && d <= to; d++) {
        char lo[DATE_STR_LEN], hi[DATE_STR_LEN];
        struct store_stmt *st = store_stmt(c, STORE_SQL_DETECT_SCHOOL_WINDOW);
        store_bind_text(st, 1, date_format(date_add_days(d, -(SURV_DETECT_SCHOOL_DAYS - 1)), lo));
        store_bind_text(st, 2, date_format(d, hi));
        store_bind_text(st, 3, hi);
        while ((rc = store_step(st, err)) == STORE_ROW) {
            struct surv_signal sig = {
                .kind = SURV_SRC_CLUSTER,
                .code = arena_strdup(a, store_col_text(st, 0)),
                .ou = arena_strdup(a, store_col_text(st, 2)),
                .day = d,
                .method = "school",
                .count = (double)store_col_int(st, 3),
                .expected = NAN,
                .upper = NAN,
                .score = NAN,
                .place_kind = "school",
                .place = arena_strdup(a, store_col_text(st, 1)),
            };
            add_signal(g, &sig);
            res->alarms++;
            res->clusters++;
        }
        rc = rc < 0 ? rc : 0;
    }
    store_release(c);
    return rc;
}

int surv_detect_targets(struct store *s, const struct surv_detect_env *env,
                        const struct surv_detect_target *targets, size_t n,
                        struct surv_detect_result *res, struct yl_err *err)
{
    memset(res, 0, sizeof(*res));
    struct arena a;
    struct gathered g = {0};
    arena_init(&a);
    int rc = 0;
    int32_t from = INT32_MAX, to = INT32_MIN;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = judge(s, env, &targets[i], &a, &g, res, err);
        if (surv_disease_find(env->catalog, targets[i].code) != NULL) {
            from = targets[i].from < from ? targets[i].from : from;
            to = targets[i].to > to ? targets[i].to : to;
        }
    }
    /* Cases of a school: over the days the written case reports touch. */
    if (rc == 0 && from <= to)
        rc = school_clusters(s, env, from, to, &a, &g, res, err);
    if (rc == 0 && g.n > 0)
        rc = surv_signals_ingest(s, env->rules, surv_detect_class_a, (void *)env->catalog, g.v,
                                 g.n, env->by, env->now_s, &res->ingest, err);
    free(g.v);
    arena_release(&a);
    return rc;
}

/* --- clusters: the space-time scan over a county's villages ------------------------------ */

/* A county's villages with a centroid, for the scan. */
struct villages {
    struct surv_place *at;
    char (*code)[16];
    const char **name;
    size_t n, cap;
};

static int villages_read(struct store_conn *c, const char *county, struct arena *a,
                         struct villages *v, struct yl_err *err)
{
    char hi[16];
    snprintf(hi, sizeof(hi), "%s:", county);
    struct store_stmt *st = store_stmt(c, STORE_SQL_DETECT_VILLAGES);
    store_bind_text(st, 1, county);
    store_bind_text(st, 2, hi);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        if (v->n == v->cap) {
            v->cap = v->cap ? 2 * v->cap : 256;
            v->at = xrealloc(v->at, v->cap * sizeof(*v->at));
            v->code = xrealloc(v->code, v->cap * sizeof(*v->code));
            v->name = xrealloc(v->name, v->cap * sizeof(*v->name));
        }
        snprintf(v->code[v->n], sizeof(v->code[v->n]), "%s", store_col_text(st, 0));
        v->name[v->n] = arena_strdup(a, store_col_text(st, 1));
        v->at[v->n] = (struct surv_place){store_col_double(st, 2), store_col_double(st, 3)};
        v->n++;
    }
    return rc < 0 ? rc : 0;
}

static int village_index(const struct villages *v, const char *code)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->code[mid], code);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/*
 * One disease in one county: the year of case reports before `day` scanned for clusters
 * ending on `day` (Kulldorff's space-time permutation scan, detect.h). A cluster with p at
 * most SURV_DETECT_SCAN_P becomes a signal of kind cluster at its centre village, place
 * "village", its members listed: the village-cluster rule judges its size.
 */
static int scan_county(struct store *s, const char *disease, const char *county, int32_t day,
                       struct arena *a, struct gathered *g, struct surv_detect_result *res,
                       struct yl_err *err)
{
    struct villages v = {0};
    struct surv_case *cases = NULL;
    size_t n_cases = 0, cap = 0;
    char from[DATE_STR_LEN], to[DATE_STR_LEN], hi[16];
    int32_t first = date_add_days(day, -(SURV_DETECT_SCAN_DAYS - 1));
    snprintf(hi, sizeof(hi), "%s:", county);
    struct store_conn *c = store_acquire(s);
    int rc = villages_read(c, county, a, &v, err);
    if (rc == 0) {
        struct store_stmt *st = store_stmt(c, STORE_SQL_DETECT_CASES_IN);
        store_bind_text(st, 1, disease);
        store_bind_text(st, 2, county);
        store_bind_text(st, 3, hi);
        store_bind_text(st, 4, date_format(first, from));
        store_bind_text(st, 5, date_format(day, to));
        while ((rc = store_step(st, err)) == STORE_ROW) {
            int place = village_index(&v, store_col_text(st, 0));
            const char *onset = store_col_text(st, 1);
            int32_t d;
            if (place < 0 || date_parse(onset, strlen(onset), &d, NULL, NULL) != 0)
                continue;   /* reported at a township or county: no village to place it */
            if (n_cases == cap) {
                cap = cap ? 2 * cap : 256;
                cases = xrealloc(cases, cap * sizeof(*cases));
            }
            cases[n_cases++] = (struct surv_case){place, d - first};
        }
        rc = rc < 0 ? rc : 0;
    }
    store_release(c);
    struct surv_scan_result *scan = NULL;
    if (rc == 0 && n_cases > 0 && v.n > 1) {
        struct surv_scan_params p;
        surv_scan_params_defaults(&p);
        rc = surv_scan_run(v.at, v.n, cases, n_cases, SURV_DETECT_SCAN_DAYS, &p, &scan, err);
    }
    for (size_t i = 0; rc == 0 && scan != NULL && i < scan->n_clusters; i++) {
        const struct surv_scan_cluster *k = &scan->clusters[i];
        if (k->p_value > SURV_DETECT_SCAN_P)
            continue;
        struct buf members;
        buf_init(&members, 16 * 1024);
        for (int32_t m = 0; m < k->n_places; m++)
            buf_printf(&members, "%s%s", m ? " " : "",
                       v.code[scan->members[k->first_member + (size_t)m]]);
        char *list = buf_detach(&members, NULL);
        struct surv_signal sig = {
            .kind = SURV_SRC_CLUSTER,
            .code = arena_strdup(a, disease),
            .ou = arena_strdup(a, v.code[k->centre]),
            .day = day,
            .method = "scan",
            .count = k->cases,
            .expected = k->expected,
            .upper = NAN,
            .score = k->llr,
            .place_kind = "village",
            .place = v.name[k->centre],
            .members = arena_strdup(a, list),
        };
        free(list);
        add_signal(g, &sig);
        res->alarms++;
    }
    res->series += rc == 0 && n_cases > 0;
    surv_scan_result_free(scan);
    free(cases);
    free(v.at);
    free(v.code);
    free(v.name);
    return rc;
}

/* The (code, township) pairs of one statement over [from, to]. */
static int series_of(struct store *s, enum store_sql q, int32_t from, int32_t to,
                     struct surv_detect_touches *out, struct yl_err *err)
{
    char lo[DATE_STR_LEN], hi[DATE_STR_LEN];
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st = store_stmt(c, q);
    store_bind_text(st, 1, date_format(from, lo));
    store_bind_text(st, 2, date_format(to, hi));
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW)
        surv_detect_touched(out, store_col_text(st, 0), store_col_text(st, 1), to);
    store_release(c);
    return rc < 0 ? rc : 0;
}

int surv_detect_all(struct store *s, const struct surv_detect_env *env, int32_t from,
                    int32_t to, struct surv_detect_result *res, struct yl_err *err)
{
    struct surv_detect_touches t = {0};
    int32_t since = date_add_days(from, -60);
    int rc = series_of(s, STORE_SQL_DETECT_DISEASE_SERIES, since, to, &t, err);
    size_t n_diseases = t.n;   /* the first pairs are the diseases' */
    for (size_t i = 0; i < t.n; i++) {
        t.v[i].from = from;
        t.v[i].to = to;
    }
    if (rc == 0)
        rc = series_of(s, STORE_SQL_DETECT_CHANNEL_SERIES, since, to, &t, err);
    if (rc == 0) {
        rc = surv_detect_targets(s, env, t.v, t.n, res, err);
    } else {
        memset(res, 0, sizeof(*res));
    }
    /* Clusters: each disease with recent cases, in each county, on the last day judged. */
    struct arena a;
    struct gathered g = {0};
    struct surv_detect_result scans = {0};
    arena_init(&a);
    for (size_t i = 0; rc == 0 && i < n_diseases; i++) {
        char county[8];
        snprintf(county, sizeof(county), "%.6s", t.v[i].ou);
        bool done = false;
        for (size_t j = 0; j < i && !done; j++)
            done = strcmp(t.v[j].code, t.v[i].code) == 0 && strncmp(t.v[j].ou, county, 6) == 0;
        if (!done && strlen(county) == 6 && to <= env->today)
            rc = scan_county(s, t.v[i].code, county, to, &a, &g, &scans, err);
    }
    if (rc == 0 && g.n > 0)
        rc = surv_signals_ingest(s, env->rules, surv_detect_class_a, (void *)env->catalog, g.v,
                                 g.n, env->by, env->now_s, &scans.ingest, err);
    res->clusters_scanned = scans.series;
    res->clusters = scans.alarms;
    res->alarms += scans.alarms;
    res->ingest.new_signals += scans.ingest.new_signals;
    res->ingest.new_alerts += scans.ingest.new_alerts;
    res->ingest.extended += scans.ingest.extended;
    free(g.v);
    arena_release(&a);
    surv_detect_touched_free(&t);
    return rc;
}
