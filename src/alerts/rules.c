/*
 * rules.c - multi-point triggering (多点触发): the rules file and the pure engine that finds
 * which signals corroborate each other (alerts.h).
 *
 * The one idea: every rule groups the signals it looks at by a key (a township, a code, a
 * school) and cuts each group into episodes wherever two consecutive signal days lie more
 * than the rule's window apart; a rule fires on an episode when some window of it holds
 * enough evidence (distinct channels, adjacent townships, cases). Candidates of one place
 * and code within a window of each other are one alert at the highest level, so two and
 * three channels in one township give one orange alert, not a yellow and an orange.
 * Adjacency is the distance between org unit centroids (ou.lat, ou.lon; haversine), within
 * the rule's within_km: the registry has centroids, not borders (docs/alerts.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum rule_kind { RULE_CLASS_A, RULE_CHANNELS, RULE_ADJACENT, RULE_CLUSTER, RULE_SINGLE };

#define PLACE_SCHOOL 1u
#define PLACE_VILLAGE 2u

struct rule {
    char code[SURV_CODE_MAX + 1];
    char *name_zh, *name_en;
    enum surv_level level;
    enum rule_kind kind;
    int min_n;              /* channels, townships or cases */
    size_t same_len;        /* channels: 9 township, 6 county */
    int window_days;
    double within_km;
    unsigned places;        /* cluster: PLACE_* */
    bool active;
};

struct surv_rules {
    struct rule *rules;
    size_t n;
};

static const char *const level_codes[SURV_LEVEL_COUNT] = {"blue", "yellow", "orange", "red"};
static const char *const source_codes[SURV_SRC_COUNT] = {"disease", "channel", "cluster"};

const char *surv_level_code(enum surv_level l)
{
    return (size_t)l < COUNT(level_codes) ? level_codes[l] : "?";
}

int surv_level_find(const char *code)
{
    for (size_t i = 0; code != NULL && i < COUNT(level_codes); i++)
        if (strcmp(level_codes[i], code) == 0)
            return (int)i;
    return -1;
}

const char *surv_source_code(enum surv_source k)
{
    return (size_t)k < COUNT(source_codes) ? source_codes[k] : "?";
}

int surv_source_find(const char *code)
{
    for (size_t i = 0; code != NULL && i < COUNT(source_codes); i++)
        if (strcmp(source_codes[i], code) == 0)
            return (int)i;
    return -1;
}

/* --- the rules file ------------------------------------------------------------------- */

static int parse_int(const char *v, long lo, long hi, int *out)
{
    char *end = NULL;
    long x = strtol(v, &end, 10);
    if (end == v || *end != '\0' || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

/* One key=value option of a condition. */
static int parse_option(struct rule *r, const char *tok, char *msg, size_t n)
{
    const char *eq = strchr(tok, '=');
    if (eq == NULL) {
        snprintf(msg, n, "\"%s\" is not key=value", tok);
        return -1;
    }
    size_t klen = (size_t)(eq - tok);
    const char *v = eq + 1;
    if (klen == 6 && strncmp(tok, "window", 6) == 0) {
        if (parse_int(v, 0, 365, &r->window_days) != 0) {
            snprintf(msg, n, "window \"%s\" is not a number of days from 0 to 365", v);
            return -1;
        }
    } else if (klen == 4 && strncmp(tok, "same", 4) == 0) {
        bool ok = false;
        if (r->kind == RULE_CHANNELS && strcmp(v, "township") == 0)
            r->same_len = 9, ok = true;
        else if (r->kind == RULE_CHANNELS && strcmp(v, "county") == 0)
            r->same_len = 6, ok = true;
        else if (r->kind == RULE_ADJACENT && strcmp(v, "channel") == 0)
            ok = true;
        if (!ok) {
            snprintf(msg, n, "same=%s does not fit this condition (channels: township or "
                     "county; adjacent: channel)", v);
            return -1;
        }
    } else if (klen == 9 && strncmp(tok, "within_km", 9) == 0 && r->kind == RULE_ADJACENT) {
        char *end = NULL;
        r->within_km = strtod(v, &end);
        if (end == v || *end != '\0' || !(r->within_km > 0 && r->within_km <= 1000)) {
            snprintf(msg, n, "within_km \"%s\" is not a distance above 0 and up to 1000", v);
            return -1;
        }
    } else if (klen == 5 && strncmp(tok, "place", 5) == 0 && r->kind == RULE_CLUSTER) {
        r->places = 0;
        const char *p = v;
        while (*p != '\0') {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == 6 && strncmp(p, "school", 6) == 0)
                r->places |= PLACE_SCHOOL;
            else if (len == 7 && strncmp(p, "village", 7) == 0)
                r->places |= PLACE_VILLAGE;
            else {
                snprintf(msg, n, "place \"%.*s\" is not school or village", (int)len, p);
                return -1;
            }
            p += len + (bar ? 1 : 0);
        }
    } else if (klen == 9 && strncmp(tok, "min_cases", 9) == 0 && r->kind == RULE_CLUSTER) {
        if (parse_int(v, 1, 1000000, &r->min_n) != 0) {
            snprintf(msg, n, "min_cases \"%s\" is not a whole number from 1", v);
            return -1;
        }
    } else {
        snprintf(msg, n, "\"%.*s\" is not an option of this condition", (int)klen, tok);
        return -1;
    }
    return 0;
}

/* A condition of the closed vocabulary (alerts.h) into r. */
static int parse_condition(struct rule *r, const char *text, char *msg, size_t n)
{
    char copy[256];
    if (strlen(text) >= sizeof(copy)) {
        snprintf(msg, n, "condition is longer than %zu bytes", sizeof(copy) - 1);
        return -1;
    }
    snprintf(copy, sizeof(copy), "%s", text);
    char *save = NULL;
    char *tok = strtok_r(copy, " \t", &save);
    if (tok == NULL) {
        snprintf(msg, n, "condition is empty");
        return -1;
    }
    r->window_days = -1;
    if (strcmp(tok, "class=A") == 0) {
        r->kind = RULE_CLASS_A;
        r->min_n = 1;
    } else if (strncmp(tok, "channels>=", 10) == 0 || strncmp(tok, "adjacent>=", 10) == 0) {
        r->kind = tok[0] == 'c' ? RULE_CHANNELS : RULE_ADJACENT;
        if (parse_int(tok + 10, 2, 100, &r->min_n) != 0) {
            snprintf(msg, n, "\"%s\": the count is a whole number from 2 to 100", tok);
            return -1;
        }
    } else if (strcmp(tok, "cluster") == 0) {
        r->kind = RULE_CLUSTER;
        r->places = PLACE_SCHOOL | PLACE_VILLAGE;
        r->min_n = 1;
    } else if (strcmp(tok, "single") == 0) {
        r->kind = RULE_SINGLE;
        r->min_n = 1;
    } else {
        snprintf(msg, n, "\"%s\" is not a condition (class=A, channels>=N, adjacent>=N, "
                 "cluster, single)", tok);
        return -1;
    }
    while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
        if (parse_option(r, tok, msg, n) != 0)
            return -1;
    if (r->kind == RULE_CHANNELS && r->same_len == 0) {
        snprintf(msg, n, "channels>=N needs same=township or same=county");
        return -1;
    }
    if (r->kind == RULE_ADJACENT && r->within_km <= 0) {
        snprintf(msg, n, "adjacent>=N needs within_km=K");
        return -1;
    }
    if ((r->kind == RULE_CHANNELS || r->kind == RULE_ADJACENT) && r->window_days < 0) {
        snprintf(msg, n, "this condition needs window=D");
        return -1;
    }
    /* Alone-standing conditions still gather repeats of one place into one alert: a week
     * unless the rule says otherwise. */
    if (r->window_days < 0)
        r->window_days = 7;
    return 0;
}

static void rules_add(struct surv_rules *rs, const struct rule *r)
{
    rs->rules = xrealloc(rs->rules, (rs->n + 1) * sizeof(*rs->rules));
    rs->rules[rs->n++] = *r;
}

static int read_rules(FILE *f, const char *name, struct surv_rules **out, struct yl_err *err)
{
    static const char *const required[] = {"code", "name_zh", "name_en", "level", "condition",
                                           NULL};
    struct csv_reader *cr = csv_open(f, 4096);
    struct surv_rules *rs = xcalloc(1, sizeof(*rs));
    struct yl_err e = {0};
    int rc = csv_read_header(cr, required, &e);
    if (rc != 0)
        rc = yl_err_set(err, YL_EINVAL, "rules", "%s: %s", name, yl_err_message(&e));
    while (rc == 0) {
        int more = csv_next(cr, &e);
        if (more == 0)
            break;
        if (more < 0) {
            rc = yl_err_set(err, YL_EINVAL, "rules", "%s: %s", name, yl_err_message(&e));
            break;
        }
        long line = csv_line(cr);
        struct rule r = {0};
        char msg[200] = "";
        const char *col = "code";
        const char *code = csv_get(cr, "code");
        const char *level = csv_get(cr, "level");
        const char *active = csv_get(cr, "active");
        int lv = surv_level_find(level);
        if (code[0] == '\0' || strlen(code) > SURV_CODE_MAX)
            snprintf(msg, sizeof(msg), "code is empty or longer than %d bytes", SURV_CODE_MAX);
        else if ((col = "level", lv < 0))
            snprintf(msg, sizeof(msg), "level \"%s\" is not blue, yellow, orange or red",
                     level);
        else if ((col = "active", active[0] != '\0' && strcmp(active, "yes") != 0 &&
                                      strcmp(active, "no") != 0))
            snprintf(msg, sizeof(msg), "active \"%s\" is not yes or no", active);
        else
            col = "condition", parse_condition(&r, csv_get(cr, "condition"), msg, sizeof(msg));
        for (size_t i = 0; msg[0] == '\0' && i < rs->n; i++)
            if (strcmp(rs->rules[i].code, code) == 0)
                col = "code", snprintf(msg, sizeof(msg), "code \"%s\" repeats", code);
        if (msg[0] != '\0') {
            rc = yl_err_set(err, YL_EINVAL, col, "%s:%ld: %s: %s", name, line, col, msg);
            break;
        }
        snprintf(r.code, sizeof(r.code), "%s", code);
        r.name_zh = xstrdup(csv_get(cr, "name_zh"));
        r.name_en = xstrdup(csv_get(cr, "name_en"));
        r.level = (enum surv_level)lv;
        r.active = strcmp(active, "no") != 0;
        rules_add(rs, &r);
    }
    csv_close(cr);
    if (rc != 0) {
        surv_rules_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

int surv_rules_load(const char *path, struct surv_rules **out, struct yl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return yl_err_set(err, YL_EIO, "rules", "cannot read \"%s\"", path);
    int rc = read_rules(f, path, out, err);
    fclose(f);
    return rc;
}

int surv_rules_parse(const char *text, const char *name, struct surv_rules **out,
                     struct yl_err *err)
{
    FILE *f = fmemopen((void *)text, strlen(text), "rb");
    if (f == NULL)
        return yl_err_set(err, YL_EIO, "rules", "cannot read the rules text");
    int rc = read_rules(f, name, out, err);
    fclose(f);
    return rc;
}

void surv_rules_free(struct surv_rules *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->rules[i].name_zh);
        free(r->rules[i].name_en);
    }
    free(r->rules);
    free(r);
}

size_t surv_rules_count(const struct surv_rules *r)
{
    return r->n;
}

int surv_rules_max_window(const struct surv_rules *r)
{
    int w = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->rules[i].active && r->rules[i].window_days > w)
            w = r->rules[i].window_days;
    return w;
}

/* --- the engine ----------------------------------------------------------------------- */

/* A signal a rule looks at, under its group key. */
struct item {
    const char *key;
    int32_t day;
    size_t idx;
};

static int item_cmp(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c != 0)
        return c;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* A growing list of candidates (before merging), in the engine's arena. */
struct cands {
    struct surv_candidate *v;
    size_t n, cap;
    struct arena *a;
};

static void cand_add(struct cands *c, const struct rule *r, const char *ou, const char *code,
                     const struct item *items, const bool *take, size_t n_items)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct surv_candidate *v = arena_alloc(c->a, cap * sizeof(*v));
        if (c->n > 0)
            memcpy(v, c->v, c->n * sizeof(*v));
        c->v = v;
        c->cap = cap;
    }
    struct surv_candidate *x = &c->v[c->n++];
    memset(x, 0, sizeof(*x));
    x->rule = arena_strdup(c->a, r->code);
    x->level = r->level;
    x->ou = ou;
    x->code = code;
    x->signals = arena_alloc(c->a, (n_items ? n_items : 1) * sizeof(size_t));
    for (size_t i = 0; i < n_items; i++) {
        if (take != NULL && !take[i])
            continue;
        if (x->n_signals == 0 || items[i].day < x->first_day)
            x->first_day = items[i].day;
        if (x->n_signals == 0 || items[i].day > x->last_day)
            x->last_day = items[i].day;
        x->signals[x->n_signals++] = items[i].idx;
    }
}

static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * 6371.0088 * asin(sqrt(h < 1 ? h : 1));
}

static const struct surv_ou_point *point_of(const struct surv_ou_point *p, size_t n,
                                            const char *township)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(p[i].ou, township, 9) == 0 && strlen(p[i].ou) == 9)
            return &p[i];
    return NULL;
}

/* Distinct codes among items [lo, hi) that are not cluster duplicates of a code seen. */
static int distinct_codes(const struct surv_signal *s, const struct item *it, size_t lo,
                          size_t hi)
{
    int n = 0;
    for (size_t i = lo; i < hi; i++) {
        bool seen = false;
        for (size_t j = lo; j < i && !seen; j++)
            seen = s[it[j].idx].kind == s[it[i].idx].kind &&
                   strcmp(s[it[j].idx].code, s[it[i].idx].code) == 0;
        n += !seen;
    }
    return n;
}

/* Channels: does some window of the episode [lo, hi) hold min_n distinct codes? */
static bool channels_fire(const struct rule *r, const struct surv_signal *s,
                          const struct item *it, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++) {
        if (i > lo && it[i].day == it[i - 1].day)
            continue;
        size_t j = i;
        while (j < hi && it[j].day - it[i].day <= r->window_days)
            j++;
        if (distinct_codes(s, it, i, j) >= r->min_n)
            return true;
    }
    return false;
}

static size_t uf_root(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/*
 * Adjacent: for each window of the episode (one per distinct first day), the items of the
 * window joined when they lie in one township or in townships whose centroids are within
 * within_km (union-find); every component with signals in at least min_n townships takes
 * its signals. O(d w^2) for d distinct days and w signals in a window.
 */
static bool adjacent_fire(const struct rule *r, const struct surv_signal *s,
                          const struct item *it, size_t lo, size_t hi,
                          const struct surv_ou_point *pts, size_t n_pts, bool *take)
{
    size_t m = hi - lo;
    const struct surv_ou_point **pt = xmalloc(m * sizeof(*pt));
    size_t *parent = xmalloc(m * sizeof(size_t));
    int *towns = xmalloc(m * sizeof(int));
    for (size_t k = 0; k < m; k++)
        pt[k] = point_of(pts, n_pts, s[it[lo + k].idx].ou);
    bool fired = false;
    for (size_t i = lo; i < hi; i++) {
        if (i > lo && it[i].day == it[i - 1].day)
            continue;
        size_t j = i;
        while (j < hi && it[j].day - it[i].day <= r->window_days)
            j++;
        for (size_t a = i; a < j; a++)
            parent[a - lo] = a - lo;
        for (size_t a = i; a < j; a++)
            for (size_t b = i; b < a; b++) {
                const char *ta = s[it[a].idx].ou, *tb = s[it[b].idx].ou;
                bool near = strncmp(ta, tb, 9) == 0 ||
                            (pt[a - lo] != NULL && pt[b - lo] != NULL &&
                             distance_km(pt[a - lo]->lat, pt[a - lo]->lon, pt[b - lo]->lat,
                                         pt[b - lo]->lon) <= r->within_km);
                if (near)
                    parent[uf_root(parent, a - lo)] = uf_root(parent, b - lo);
            }
        /* Count each township once per component: at its first item in the window. */
        for (size_t a = i; a < j; a++)
            towns[a - lo] = 0;
        for (size_t a = i; a < j; a++) {
            bool seen = false;
            for (size_t b = i; b < a && !seen; b++)
                seen = strncmp(s[it[a].idx].ou, s[it[b].idx].ou, 9) == 0;
            if (!seen)
                towns[uf_root(parent, a - lo)]++;
        }
        for (size_t a = i; a < j; a++)
            if (towns[uf_root(parent, a - lo)] >= r->min_n) {
                take[a - lo] = true;
                fired = true;
            }
    }
    free(towns);
    free(parent);
    free(pt);
    return fired;
}

/* The longest common prefix of the items' org units that is a whole code level. */
static const char *common_place(struct arena *a, const struct surv_signal *s,
                                const struct item *it, const bool *take, size_t lo, size_t hi)
{
    static const size_t lens[] = {12, 9, 6, 4, 2};
    const char *first = NULL;
    for (size_t i = lo; i < hi && first == NULL; i++)
        if (take[i - lo])
            first = s[it[i].idx].ou;
    for (size_t l = 0; first != NULL && l < COUNT(lens); l++) {
        if (strlen(first) < lens[l])
            continue;
        bool all = true;
        for (size_t i = lo; i < hi && all; i++)
            all = !take[i - lo] || (strlen(s[it[i].idx].ou) >= lens[l] &&
                                    strncmp(s[it[i].idx].ou, first, lens[l]) == 0);
        if (all)
            return arena_strndup(a, first, lens[l]);
    }
    return "";
}

/* Does rule r look at signal s, and under which key? NULL when it does not. */
static const char *item_key(const struct rule *r, const struct surv_signal *s,
                            surv_class_a_fn *class_a, void *cls, struct arena *a)
{
    switch (r->kind) {
    case RULE_CLASS_A:
        if (s->kind == SURV_SRC_CHANNEL || class_a == NULL || !class_a(cls, s->code))
            return NULL;
        return arena_printf(a, "%s|%s", s->ou, s->code);
    case RULE_CHANNELS:
        /* Channels and diseases corroborate; a cluster is a place of its own (cluster). */
        if (s->kind == SURV_SRC_CLUSTER || strlen(s->ou) < r->same_len)
            return NULL;
        return arena_strndup(a, s->ou, r->same_len);
    case RULE_ADJACENT:
        if (s->kind == SURV_SRC_CLUSTER || strlen(s->ou) < 9)
            return NULL;
        return arena_printf(a, "%s|%s", surv_source_code(s->kind), s->code);
    case RULE_CLUSTER: {
        unsigned kind = 0;
        if (s->place_kind != NULL && strcmp(s->place_kind, "school") == 0)
            kind = PLACE_SCHOOL;
        else if (s->place_kind != NULL && strcmp(s->place_kind, "village") == 0)
            kind = PLACE_VILLAGE;
        if (s->kind != SURV_SRC_CLUSTER || (kind & r->places) == 0 ||
            !(s->count >= r->min_n))
            return NULL;
        return arena_printf(a, "%s|%s|%s", s->ou, s->code, s->place ? s->place : "");
    }
    case RULE_SINGLE:
        return arena_printf(a, "%s|%s|%s", s->ou, surv_source_code(s->kind), s->code);
    }
    return NULL;
}

static void rule_apply(const struct rule *r, const struct surv_signal *s, size_t n,
                       const struct surv_ou_point *pts, size_t n_pts, surv_class_a_fn *class_a,
                       void *cls, struct cands *out)
{
    struct arena *a = out->a;
    struct item *it = xmalloc((n ? n : 1) * sizeof(*it));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *key = item_key(r, &s[i], class_a, cls, a);
        if (key != NULL)
            it[m++] = (struct item){key, s[i].day, i};
    }
    qsort(it, m, sizeof(*it), item_cmp);
    bool *take = xcalloc(m ? m : 1, sizeof(bool));
    for (size_t lo = 0; lo < m;) {
        /* An episode: one key, consecutive days at most a window apart. */
        size_t hi = lo + 1;
        while (hi < m && strcmp(it[hi].key, it[lo].key) == 0 &&
               it[hi].day - it[hi - 1].day <= r->window_days)
            hi++;
        const struct surv_signal *one = &s[it[lo].idx];
        switch (r->kind) {
        case RULE_CLASS_A:
        case RULE_CLUSTER:
        case RULE_SINGLE:
            cand_add(out, r, one->ou, one->code, it + lo, NULL, hi - lo);
            break;
        case RULE_CHANNELS:
            if (channels_fire(r, s, it, lo, hi))
                cand_add(out, r, it[lo].key, "", it + lo, NULL, hi - lo);
            break;
        case RULE_ADJACENT:
            memset(take, 0, (hi - lo) * sizeof(bool));
            if (adjacent_fire(r, s, it, lo, hi, pts, n_pts, take))
                cand_add(out, r, common_place(a, s, it, take, lo, hi), one->code, it + lo,
                         take, hi - lo);
            break;
        }
        lo = hi;
    }
    free(take);
    free(it);
}

int surv_rules_apply(const struct surv_rules *r, const struct surv_signal *signals, size_t n,
                     const struct surv_ou_point *points, size_t n_points,
                     surv_class_a_fn *class_a, void *class_a_cls, struct arena *a,
                     struct surv_candidate **out, size_t *n_out, struct yl_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (signals[i].code == NULL || signals[i].ou == NULL)
            return yl_err_set(err, YL_EINVAL, signals[i].code ? "ou" : "code",
                              "signal %zu has no %s", i, signals[i].code ? "ou" : "code");
    struct cands c = {.a = a};
    for (size_t i = 0; i < r->n; i++)
        if (r->rules[i].active)
            rule_apply(&r->rules[i], signals, n, points, n_points, class_a, class_a_cls, &c);

    /* One alert per place: candidates of the same place and code whose days lie within the
     * longest window of each other are one alert (union-find over candidates). Merging by
     * place, not by shared signals, keeps a region-wide chain of adjacent townships from
     * swallowing every township's own alert. */
    int window = surv_rules_max_window(r);
    size_t *parent = xmalloc((c.n ? c.n : 1) * sizeof(size_t));
    for (size_t i = 0; i < c.n; i++)
        parent[i] = i;
    for (size_t i = 0; i < c.n; i++)
        for (size_t j = 0; j < i; j++) {
            const struct surv_candidate *x = &c.v[i], *y = &c.v[j];
            if (strcmp(x->ou, y->ou) == 0 && strcmp(x->code, y->code) == 0 &&
                x->first_day <= y->last_day + window && y->first_day <= x->last_day + window)
                parent[uf_root(parent, i)] = uf_root(parent, j);
        }
    struct surv_candidate *res = arena_zalloc(a, (c.n ? c.n : 1) * sizeof(*res));
    size_t n_res = 0;
    bool *in = xcalloc(n ? n : 1, sizeof(bool));
    for (size_t root = 0; root < c.n; root++) {
        if (uf_root(parent, root) != root)
            continue;
        /* The member with the highest level speaks for the group; the first such rule of
         * the file wins a tie. */
        const struct surv_candidate *best = NULL;
        size_t total = 0;
        for (size_t i = 0; i < c.n; i++)
            if (uf_root(parent, i) == root) {
                total += c.v[i].n_signals;
                if (best == NULL || c.v[i].level > best->level)
                    best = &c.v[i];
            }
        struct surv_candidate *x = &res[n_res++];
        *x = *best;
        x->signals = arena_alloc(a, total * sizeof(size_t));
        x->n_signals = 0;
        memset(in, 0, n * sizeof(bool));
        for (size_t i = 0; i < c.n; i++) {
            if (uf_root(parent, i) != root)
                continue;
            if (c.v[i].first_day < x->first_day)
                x->first_day = c.v[i].first_day;
            if (c.v[i].last_day > x->last_day)
                x->last_day = c.v[i].last_day;
            for (size_t k = 0; k < c.v[i].n_signals; k++)
                if (!in[c.v[i].signals[k]]) {
                    in[c.v[i].signals[k]] = true;
                    x->signals[x->n_signals++] = c.v[i].signals[k];
                }
        }
    }
    free(in);
    free(parent);
    *out = res;
    *n_out = n_res;
    return 0;
}
