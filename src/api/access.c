/*
 * access.c - the 15-minute health service circle over the API: coverage, underserved
 * villages, catchments, isochrones (GeoJSON), what-if changes, proposals for new sites and
 * the two indicator rows. Adapter only: query in, one access call (circle.c), JSON out.
 *
 * Population figures only, never a person: analysts, epidemiologists and admins may read,
 * each within their scope (an org-unit scope sees the population of its subtree). Without a
 * road graph next to the database every endpoint answers 503 and says how to build one.
 */
#include <stdlib.h>
#include <string.h>

#include "access/coverage.h"
#include "api/api.h"
#include "core/adcode.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "vocab/vocab.h"

#define API_ACC_GEOJSON_MAX (64u << 20)
#define API_ACC_CHANGES_MAX 100

static const char *const level_names[] = {"", "province", "city", "county", "township",
                                          "village"};

/* What every endpoint reads from the query. */
struct api_acc_query {
    struct acc_circle_opts o;
    int minutes;
    int by_level;
    char ou[ACC_CODE_MAX + 1];
};

/* Only the roles that read population aggregates for planning. */
static int api_acc_allowed(struct http_request *req, struct yl_err *err)
{
    enum acct_role r = api_principal(req)->role;
    if (r == ROLE_ADMIN || r == ROLE_ANALYST || r == ROLE_EPIDEMIOLOGIST)
        return 0;
    return yl_err_set(err, YL_EFORBIDDEN, NULL, "accessibility figures are for analysts, "
                      "epidemiologists and admins");
}

static const struct acc_graph *api_acc_graph(struct http_request *req, struct yl_err *err)
{
    const struct api_app *a = req->app;
    if (a->roads == NULL)
        yl_err_set(err, YL_EBUSY, NULL, "no road graph is loaded: build one next to the "
                   "database with `yilian access import-osm FILE` and restart the server");
    return a->roads;
}

/* The common query parameters; `minutes` as one number unless the caller reads a list. */
static int api_acc_query(struct http_request *req, struct api_acc_query *q, bool one_minutes,
                         struct yl_err *err)
{
    const struct acct_principal *p = api_principal(req);
    const char *s;
    int64_t v;
    int rc;

    memset(q, 0, sizeof(*q));
    q->o.set = ACC_SET_PRIMARY;
    q->o.mode = ACC_FOOT;
    if ((rc = api_acc_allowed(req, err)) != 0)
        return rc;
    if ((s = http_query(req, "set")) != NULL && !acc_set_parse(s, &q->o.set))
        return yl_err_set(err, YL_EINVAL, "set", "unknown facility set \"%s\" (primary, "
                          "emergency)", s);
    if ((s = http_query(req, "mode")) != NULL && !acc_mode_parse(s, &q->o.mode))
        return yl_err_set(err, YL_EINVAL, "mode", "unknown mode \"%s\" (walk, bike, e-bike, "
                          "drive)", s);
    q->minutes = 15;
    if (one_minutes && (rc = http_query_int(req, "minutes", 1, 240, 15, &v, err)) != 0)
        return rc;
    if (one_minutes)
        q->minutes = (int)v;
    q->by_level = ADCODE_TOWNSHIP;
    if ((s = http_query(req, "by")) != NULL) {
        q->by_level = 0;
        for (int l = 1; l <= ADCODE_VILLAGE; l++)
            if (strcmp(s, level_names[l]) == 0)
                q->by_level = l;
        if (q->by_level == 0)
            return yl_err_set(err, YL_EINVAL, "by", "unknown level \"%s\" (province, city, "
                              "county, township, village)", s);
    }
    /* The scope's subtree bounds the population counted; a narrower ou may be asked for. */
    const char *root = p->scope.kind == SCOPE_OU ? p->scope.ref : "";
    s = http_query(req, "ou");
    if (s == NULL || s[0] == '\0')
        s = root;
    if (strlen(s) > ACC_CODE_MAX)
        return yl_err_set(err, YL_EINVAL, "ou", "org unit code too long");
    if (strncmp(s, root, strlen(root)) != 0)
        return yl_err_set(err, YL_EFORBIDDEN, "ou", "org unit \"%s\" is outside your scope", s);
    memcpy(q->ou, s, strlen(s) + 1);
    q->o.ou = q->ou;
    return 0;
}

static json_t *api_acc_share(double within, double people)
{
    return people > 0 ? json_real(within / people) : json_null();
}

static json_t *api_acc_row(const struct acc_cover_row *r)
{
    json_t *o = json_object(), *w = json_object();
    char key[8];
    for (int k = 0; k < ACC_N_THRESHOLDS; k++) {
        snprintf(key, sizeof(key), "%d", acc_threshold_min[k]);
        json_object_set_new(w, key, json_integer((json_int_t)r->within[k]));
    }
    json_object_set_new(o, "people", json_integer((json_int_t)r->people));
    json_object_set_new(o, "within_minutes", json_integer((json_int_t)r->within_t));
    json_object_set_new(o, "share", api_acc_share(r->within_t, r->people));
    json_object_set_new(o, "villages", json_integer(r->places));
    json_object_set_new(o, "villages_within_minutes", json_integer(r->places_within_t));
    json_object_set_new(o, "within", w);
    return o;
}

static json_t *api_acc_head(const struct api_acc_query *q)
{
    json_t *o = json_object();
    json_object_set_new(o, "set", json_string(acc_set_name(q->o.set)));
    json_object_set_new(o, "mode", json_string(acc_mode_name(q->o.mode)));
    json_object_set_new(o, "minutes", json_integer(q->minutes));
    json_object_set_new(o, "ou", q->ou[0] ? json_string(q->ou) : json_null());
    return o;
}

/* The coverage rows of a circle: the subtree's total and the units at q->by_level. */
static struct acc_cover_row *api_acc_rows(const struct acc_circle *c, int minutes)
{
    const struct acc_region *r = &c->region;
    struct acc_cover_row *rows = xmalloc((r->n_units + 1) * sizeof(*rows));
    acc_coverage_sum(&c->times, r->places, r->parent, r->n_units, (uint32_t)minutes * 60000u,
                     rows);
    return rows;
}

static json_t *api_acc_total(const struct acc_circle *c, const struct acc_cover_row *rows)
{
    json_t *t = api_acc_row(&rows[c->region.n_units]);
    json_object_set_new(t, "facilities", json_integer((json_int_t)c->region.n_sites));
    json_object_set_new(t, "facilities_without_coordinates",
                        json_integer((json_int_t)c->region.sites_without_coord));
    json_object_set_new(t, "villages_without_coordinates",
                        json_integer((json_int_t)c->region.villages_without_coord));
    return t;
}

int api_access_coverage(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_acc_query q;
    struct acc_circle c;
    const struct acc_graph *g;
    int rc = api_acc_query(req, &q, true, err);

    if (rc != 0 || (g = api_acc_graph(req, err)) == NULL)
        return rc != 0 ? rc : err->code;
    if ((rc = acc_circle_run(((struct api_app *)req->app)->store, g, &q.o, &c, err)) != 0)
        return rc;
    struct acc_cover_row *rows = api_acc_rows(&c, q.minutes);
    json_t *units = json_array();
    size_t n_ou = strlen(q.ou);
    for (size_t u = 0; u < c.region.n_units; u++) {
        const struct acc_unit_rec *ur = &c.region.units[u];
        if (ur->level != q.by_level || strncmp(ur->code, q.ou, n_ou) != 0 || rows[u].people <= 0)
            continue;
        json_t *o = api_acc_row(&rows[u]);
        json_object_set_new(o, "code", json_string(ur->code));
        json_object_set_new(o, "name", json_string(ur->name));
        json_object_set_new(o, "level", json_string(level_names[ur->level]));
        json_array_append_new(units, o);
    }
    json_t *o = api_acc_head(&q);
    json_object_set_new(o, "by", json_string(level_names[q.by_level]));
    json_object_set_new(o, "total", api_acc_total(&c, rows));
    json_object_set_new(o, "units", units);
    free(rows);
    acc_circle_release(&c);
    return http_reply_json(res, 200, o);
}

static json_t *api_acc_minutes(uint32_t ms)
{
    return ms == ACC_UNREACHED ? json_null() : json_real((double)ms / 60000.0);
}

int api_access_underserved(struct http_request *req, struct http_response *res,
                           struct yl_err *err)
{
    struct api_acc_query q;
    struct acc_circle c;
    const struct acc_graph *g;
    int rc = api_acc_query(req, &q, true, err);

    if (rc != 0 || (g = api_acc_graph(req, err)) == NULL)
        return rc != 0 ? rc : err->code;
    if ((rc = acc_circle_run(((struct api_app *)req->app)->store, g, &q.o, &c, err)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    size_t *idx = xmalloc((r->n_places + 1) * sizeof(*idx));
    size_t n = acc_underserved(&c.times, r->places, (uint32_t)q.minutes * 60000u, idx);
    json_t *list = json_array();
    double people = 0;
    for (size_t i = 0; i < n; i++) {
        const struct acc_place *pl = &r->places[idx[i]];
        json_t *o = json_object();
        if (pl->unit >= 0) {
            const struct acc_unit_rec *u = &r->units[pl->unit];
            int32_t parent = r->parent[pl->unit];
            json_object_set_new(o, "code", json_string(u->code));
            json_object_set_new(o, "name", json_string(u->name));
            json_object_set_new(o, "township",
                                parent >= 0 ? json_string(r->units[parent].code) : json_null());
        }
        json_object_set_new(o, "lat", json_real(pl->p.lat));
        json_object_set_new(o, "lon", json_real(pl->p.lon));
        json_object_set_new(o, "people", json_integer((json_int_t)pl->people));
        json_object_set_new(o, "minutes", api_acc_minutes(c.times.place_ms[idx[i]]));
        int32_t s = c.times.place_site[idx[i]];
        json_object_set_new(o, "nearest_facility",
                            s >= 0 ? json_string(r->site_recs[s].code) : json_null());
        json_array_append_new(list, o);
        people += pl->people;
    }
    json_t *o = api_acc_head(&q);
    json_object_set_new(o, "count", json_integer((json_int_t)n));
    json_object_set_new(o, "people", json_integer((json_int_t)people));
    json_object_set_new(o, "villages", list);
    free(idx);
    acc_circle_release(&c);
    return http_reply_json(res, 200, o);
}

int api_access_catchment(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    struct api_acc_query q;
    struct acc_circle c;
    const struct acc_graph *g;
    int rc = api_acc_query(req, &q, true, err);

    if (rc != 0 || (g = api_acc_graph(req, err)) == NULL)
        return rc != 0 ? rc : err->code;
    if ((rc = acc_circle_run(((struct api_app *)req->app)->store, g, &q.o, &c, err)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    double *all = xmalloc((r->n_sites + 1) * sizeof(*all));
    double *within = xmalloc((r->n_sites + 1) * sizeof(*within));
    acc_catchment_sum(&c.times, r->places, r->n_sites, (uint32_t)q.minutes * 60000u, all,
                      within);
    json_t *list = json_array();
    for (size_t s = 0; s < r->n_sites; s++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(r->site_recs[s].code));
        json_object_set_new(o, "name", json_string(r->site_recs[s].name));
        json_object_set_new(o, "type", json_string(vocab_code(VOCAB_FACILITY_TYPE,
                                                              r->site_recs[s].type)));
        json_object_set_new(o, "ou", json_string(r->site_recs[s].ou_code));
        json_object_set_new(o, "people", json_integer((json_int_t)all[s]));
        json_object_set_new(o, "within_minutes", json_integer((json_int_t)within[s]));
        json_array_append_new(list, o);
    }
    json_t *o = api_acc_head(&q);
    json_object_set_new(o, "facilities", list);
    free(all);
    free(within);
    acc_circle_release(&c);
    return http_reply_json(res, 200, o);
}

/* "5,15,30": at most 8 distinct minutes from 1 to 240. */
static int api_acc_minutes_list(const char *s, int *out, size_t *n, struct yl_err *err)
{
    *n = 0;
    while (*s != '\0') {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 240 || *n == 8 || (*end != ',' && *end != '\0'))
            return yl_err_set(err, YL_EINVAL, "minutes", "minutes is a list of up to 8 whole "
                              "numbers from 1 to 240, as 5,15,30");
        out[(*n)++] = (int)v;
        s = *end == ',' ? end + 1 : end;
    }
    return *n > 0 ? 0 : yl_err_set(err, YL_EINVAL, "minutes", "no minutes given");
}

int api_access_isochrones(struct http_request *req, struct http_response *res,
                          struct yl_err *err)
{
    struct api_acc_query q;
    struct acc_circle c;
    const struct acc_graph *g;
    int minutes[8];
    size_t n_minutes = 0;
    int64_t cell_m;
    const char *ms = http_query(req, "minutes"), *fac = http_query(req, "facility");
    int rc;

    if ((rc = api_acc_query(req, &q, false, err)) != 0 ||
        (rc = api_acc_minutes_list(ms != NULL ? ms : "15", minutes, &n_minutes, err)) != 0 ||
        (rc = http_query_int(req, "cell", 100, 5000, 250, &cell_m, err)) != 0)
        return rc;
    if ((g = api_acc_graph(req, err)) == NULL)
        return err->code;
    if ((rc = acc_circle_run(((struct api_app *)req->app)->store, g, &q.o, &c, err)) != 0)
        return rc;
    if (fac != NULL) {
        /* One facility's own isochrone: the search again from it alone. */
        size_t i = 0;
        while (i < c.region.n_sites && strcmp(c.region.site_recs[i].code, fac) != 0)
            i++;
        if (i == c.region.n_sites) {
            acc_circle_release(&c);
            return yl_err_set(err, YL_ENOTFOUND, "facility", "no active facility \"%s\" with "
                              "coordinates in the %s set", fac, acc_set_name(q.o.set));
        }
        struct acc_point one = c.region.sites[i];
        acc_times_release(&c.times);
        rc = acc_times_compute(g, q.o.mode, acc_set_direction(q.o.set, q.o.mode), &one, 1,
                               NULL, 0, &c.times, err);
        if (rc != 0) {
            acc_circle_release(&c);
            return rc;
        }
    }
    struct acc_iso_grid grid;
    struct buf b;
    acc_iso_grid_build(g, &c.times, (double)cell_m, &grid);
    buf_init(&b, API_ACC_GEOJSON_MAX);
    rc = acc_iso_geojson(&grid, q.o.mode, minutes, n_minutes, &b, err);
    if (rc == 0)
        rc = http_reply_text(res, 200, "application/geo+json", b.data);
    buf_release(&b);
    acc_iso_grid_release(&grid);
    acc_circle_release(&c);
    return rc;
}

/* A what-if change from JSON: {"action": "add"|"move"|"close", "facility", "lat", "lon"}. */
static int api_acc_change(json_t *o, const struct acc_region *r, size_t i,
                          struct acc_change *ch, struct yl_err *err)
{
    static const char *const fields[] = {"action", "facility", "lat", "lon", NULL};
    const char *action = NULL, *fac = NULL;
    int rc;

    if (!json_is_object(o))
        return yl_err_set(err, YL_EINVAL, "changes", "change %zu is not an object", i + 1);
    if ((rc = http_json_only(o, fields, err)) != 0 ||
        (rc = http_json_str(o, "action", 1, 16, true, &action, err)) != 0 ||
        (rc = http_json_str(o, "facility", 1, ACC_CODE_MAX, false, &fac, err)) != 0)
        return rc;
    memset(ch, 0, sizeof(*ch));
    if (strcmp(action, "add") == 0)
        ch->kind = ACC_CHANGE_ADD;
    else if (strcmp(action, "move") == 0)
        ch->kind = ACC_CHANGE_MOVE;
    else if (strcmp(action, "close") == 0)
        ch->kind = ACC_CHANGE_CLOSE;
    else
        return yl_err_set(err, YL_EINVAL, "action", "change %zu: action is add, move or close",
                          i + 1);
    if (ch->kind != ACC_CHANGE_ADD) {
        if (fac == NULL)
            return yl_err_set(err, YL_EINVAL, "facility", "change %zu: %s needs the facility's "
                              "code", i + 1, action);
        ch->site = r->n_sites;
        for (size_t s = 0; s < r->n_sites; s++)
            if (strcmp(r->site_recs[s].code, fac) == 0)
                ch->site = s;
        if (ch->site == r->n_sites)
            return yl_err_set(err, YL_EINVAL, "facility", "change %zu: no active facility \"%s\" "
                              "with coordinates in the %s set", i + 1, fac,
                              acc_set_name(r->set));
    }
    if (ch->kind != ACC_CHANGE_CLOSE) {
        json_t *lat = json_object_get(o, "lat"), *lon = json_object_get(o, "lon");
        if (!json_is_number(lat) || !json_is_number(lon))
            return yl_err_set(err, YL_EINVAL, "lat", "change %zu: %s needs lat and lon in "
                              "degrees", i + 1, action);
        ch->p = (struct acc_point){json_number_value(lat), json_number_value(lon)};
    }
    return 0;
}

static json_t *api_acc_summary(const struct acc_circle *c, int minutes)
{
    struct acc_cover_row *rows = api_acc_rows(c, minutes);
    json_t *t = api_acc_total(c, rows);
    free(rows);
    return t;
}

int api_access_whatif(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const fields[] = {"set", "mode", "minutes", "ou", "changes", NULL};
    struct api_acc_query q;
    struct acc_circle before, after;
    const struct acc_graph *g;
    json_t *body;
    const char *set = NULL, *mode = NULL, *ou = NULL;
    int64_t minutes = 15;
    int rc;

    if ((rc = api_acc_allowed(req, err)) != 0)
        return rc;
    if ((g = api_acc_graph(req, err)) == NULL)
        return err->code;
    if ((rc = http_request_object(req, fields, &body, err)) != 0 ||
        (rc = http_json_str(body, "set", 1, 16, false, &set, err)) != 0 ||
        (rc = http_json_str(body, "mode", 1, 16, false, &mode, err)) != 0 ||
        (rc = http_json_str(body, "ou", 1, ACC_CODE_MAX, false, &ou, err)) != 0 ||
        (rc = http_json_int(body, "minutes", 1, 240, false, &minutes, err)) != 0)
        return rc;
    /* The common query checks scope and names; the body's values take the query's place. */
    if ((rc = api_acc_query(req, &q, true, err)) != 0)
        return rc;
    if (set != NULL && !acc_set_parse(set, &q.o.set))
        return yl_err_set(err, YL_EINVAL, "set", "unknown facility set \"%s\"", set);
    if (mode != NULL && !acc_mode_parse(mode, &q.o.mode))
        return yl_err_set(err, YL_EINVAL, "mode", "unknown mode \"%s\"", mode);
    if (ou != NULL) {
        const struct acct_principal *p = api_principal(req);
        const char *root = p->scope.kind == SCOPE_OU ? p->scope.ref : "";
        if (strncmp(ou, root, strlen(root)) != 0)
            return yl_err_set(err, YL_EFORBIDDEN, "ou", "org unit \"%s\" is outside your scope",
                              ou);
        memcpy(q.ou, ou, strlen(ou) + 1);
    }
    q.minutes = (int)minutes;
    json_t *changes = json_object_get(body, "changes");
    if (!json_is_array(changes) || json_array_size(changes) == 0 ||
        json_array_size(changes) > API_ACC_CHANGES_MAX)
        return yl_err_set(err, YL_EINVAL, "changes", "changes is a list of 1 to %d changes",
                          API_ACC_CHANGES_MAX);
    if ((rc = acc_circle_run(((struct api_app *)req->app)->store, g, &q.o, &before, err)) != 0)
        return rc;
    size_t n = json_array_size(changes);
    struct acc_change *ch = arena_alloc(&req->arena, n * sizeof(*ch));
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = api_acc_change(json_array_get(changes, i), &before.region, i, &ch[i], err);
    struct acc_circle_opts o2 = q.o;
    o2.changes = ch;
    o2.n_changes = n;
    if (rc == 0)
        rc = acc_circle_run(((struct api_app *)req->app)->store, g, &o2, &after, err);
    if (rc != 0) {
        acc_circle_release(&before);
        return rc;
    }
    json_t *b = api_acc_summary(&before, q.minutes), *a = api_acc_summary(&after, q.minutes);
    json_t *o = api_acc_head(&q);
    json_object_set_new(o, "gain", json_integer(json_integer_value(json_object_get(a,
                                                "within_minutes")) -
                                                json_integer_value(json_object_get(b,
                                                "within_minutes"))));
    json_object_set_new(o, "before", b);
    json_object_set_new(o, "after", a);
    acc_circle_release(&before);
    acc_circle_release(&after);
    return http_reply_json(res, 200, o);
}

int api_access_proposals(struct http_request *req, struct http_response *res,
                         struct yl_err *err)
{
    struct api_acc_query q;
    struct acc_circle c;
    const struct acc_graph *g;
    int64_t k;
    int rc = api_acc_query(req, &q, true, err);

    if (rc == 0)
        rc = http_query_int(req, "k", 1, 100, 5, &k, err);
    if (rc != 0 || (g = api_acc_graph(req, err)) == NULL)
        return rc != 0 ? rc : err->code;
    if ((rc = acc_circle_run(((struct api_app *)req->app)->store, g, &q.o, &c, err)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    struct acc_point *cand;
    size_t *cand_place, n_cand;
    acc_region_candidates(r, &cand, &cand_place, &n_cand);
    struct acc_pick *picks = xmalloc((size_t)k * sizeof(*picks));
    long n = acc_propose(g, q.o.mode, &c.times, r->places, cand, n_cand,
                         (uint32_t)q.minutes * 60000u, (size_t)k, picks, err);
    if (n < 0) {
        rc = (int)n;
        goto out;
    }
    json_t *list = json_array();
    double total = 0;
    for (long i = 0; i < n; i++) {
        const struct acc_place *pl = &r->places[cand_place[picks[i].candidate]];
        json_t *o = json_object();
        total += picks[i].gain;
        json_object_set_new(o, "rank", json_integer(i + 1));
        json_object_set_new(o, "code", json_string(r->units[pl->unit].code));
        json_object_set_new(o, "name", json_string(r->units[pl->unit].name));
        json_object_set_new(o, "lat", json_real(pl->p.lat));
        json_object_set_new(o, "lon", json_real(pl->p.lon));
        json_object_set_new(o, "gain", json_integer((json_int_t)picks[i].gain));
        json_object_set_new(o, "villages_covered", json_integer(picks[i].places));
        json_object_set_new(o, "cumulative_gain", json_integer((json_int_t)total));
        json_array_append_new(list, o);
    }
    json_t *o = api_acc_head(&q);
    json_object_set_new(o, "k", json_integer(k));
    json_object_set_new(o, "candidates", json_integer((json_int_t)n_cand));
    json_object_set_new(o, "candidate_rule", json_string("villages and communities with "
                        "people and no facility of the set"));
    json_object_set_new(o, "before", api_acc_summary(&c, q.minutes));
    json_object_set_new(o, "picks", list);
    rc = http_reply_json(res, 200, o);
out:
    free(picks);
    free(cand);
    free(cand_place);
    acc_circle_release(&c);
    return rc;
}

int api_access_indicators(struct http_request *req, struct http_response *res,
                          struct yl_err *err)
{
    struct api_acc_query q;
    struct acc_indicator rows[ACC_N_INDICATORS];
    const struct acc_graph *g;
    int rc = api_acc_query(req, &q, true, err);

    if (rc != 0 || (g = api_acc_graph(req, err)) == NULL)
        return rc != 0 ? rc : err->code;
    if ((rc = acc_indicators(((struct api_app *)req->app)->store, g, q.ou, rows, err)) != 0)
        return rc;
    json_t *list = json_array();
    for (int i = 0; i < ACC_N_INDICATORS; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(rows[i].code));
        json_object_set_new(o, "name", json_string(rows[i].name));
        json_object_set_new(o, "set", json_string(acc_set_name(rows[i].set)));
        json_object_set_new(o, "mode", json_string(acc_mode_name(rows[i].mode)));
        json_object_set_new(o, "minutes", json_integer(15));
        json_object_set_new(o, "value", api_acc_share(rows[i].within, rows[i].people));
        json_object_set_new(o, "numerator", json_integer((json_int_t)rows[i].within));
        json_object_set_new(o, "denominator", json_integer((json_int_t)rows[i].people));
        json_object_set_new(o, "facilities", json_integer(rows[i].sites));
        json_array_append_new(list, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "ou", q.ou[0] ? json_string(q.ou) : json_null());
    json_object_set_new(o, "indicators", list);
    return http_reply_json(res, 200, o);
}
