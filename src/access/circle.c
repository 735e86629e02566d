/*
 * circle.c - one question about the 15-minute circle, from the registry to per-village
 * times: load the facilities and villages, narrow to a subtree, apply what-if changes, run
 * the multi-source search. The CLI and the API both ask through here, so they always agree.
 */
#include <stdlib.h>
#include <string.h>

#include "access/coverage.h"
#include "core/err.h"
#include "core/mem.h"

enum acc_direction acc_set_direction(enum acc_set set, enum acc_mode mode)
{
    return set == ACC_SET_EMERGENCY && mode == ACC_CAR ? ACC_FROM_SOURCE : ACC_TO_SOURCE;
}

void acc_region_restrict(struct acc_region *r, const char *root)
{
    size_t n = strlen(root), k = 0;

    if (n == 0)
        return;
    for (size_t i = 0; i < r->n_places; i++) {
        int32_t u = r->places[i].unit;
        if (u >= 0 && strncmp(r->units[u].code, root, n) == 0)
            r->places[k++] = r->places[i];
    }
    r->n_places = k;
}

int acc_circle_run(struct store *st, const struct acc_graph *g, const struct acc_circle_opts *o,
                   struct acc_circle *out, struct yl_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    out->set = o->set;
    out->mode = o->mode;
    rc = acc_region_load(st, o->set, &out->region, err);
    if (rc != 0)
        return rc;
    struct acc_region *r = &out->region;
    if (o->ou != NULL && o->ou[0] != '\0') {
        if (acc_region_unit(r, o->ou) < 0) {
            rc = yl_err_set(err, YL_ENOTFOUND, "ou", "no org unit \"%s\"", o->ou);
            goto fail;
        }
        acc_region_restrict(r, o->ou);
    }
    if (o->grid_csv != NULL) {
        r->n_places = 0;
        rc = acc_region_add_grid(r, o->grid_csv, err);
        if (rc != 0)
            goto fail;
    }
    struct acc_point *sites;
    size_t n_sites;
    rc = acc_sites_apply(r->sites, r->n_sites, o->changes, o->n_changes, &sites,
                         &out->site_from, &n_sites, err);
    if (rc != 0)
        goto fail;
    /* The records follow the sites: an added site has an empty record. */
    struct acc_site_rec *recs = xcalloc(n_sites + 1, sizeof(*recs));
    for (size_t i = 0; i < n_sites; i++)
        if (out->site_from[i] >= 0)
            recs[i] = r->site_recs[out->site_from[i]];
    free(r->sites);
    free(r->site_recs);
    r->sites = sites;
    r->site_recs = recs;
    r->n_sites = n_sites;
    rc = acc_times_compute(g, o->mode, acc_set_direction(o->set, o->mode), r->sites,
                           r->n_sites, r->places, r->n_places, &out->times, err);
    if (rc != 0)
        goto fail;
    return 0;
fail:
    acc_circle_release(out);
    return rc;
}

void acc_circle_release(struct acc_circle *c)
{
    acc_region_release(&c->region);
    acc_times_release(&c->times);
    free(c->site_from);
    memset(c, 0, sizeof(*c));
}

static const struct {
    const char *code, *name;
    enum acc_set set;
    enum acc_mode mode;
} acc_indicator_defs[ACC_N_INDICATORS] = {
    {"primary_care_15min", "population within 15 minutes' walk of primary care",
     ACC_SET_PRIMARY, ACC_FOOT},
    {"emergency_care_15min", "population within 15 minutes' drive of emergency care",
     ACC_SET_EMERGENCY, ACC_CAR},
};

int acc_indicators(struct store *st, const struct acc_graph *g, const char *ou,
                   struct acc_indicator rows[ACC_N_INDICATORS], struct yl_err *err)
{
    for (int i = 0; i < ACC_N_INDICATORS; i++) {
        struct acc_circle_opts o = {.set = acc_indicator_defs[i].set,
                                    .mode = acc_indicator_defs[i].mode, .ou = ou};
        struct acc_circle c;
        int rc = acc_circle_run(st, g, &o, &c, err);
        if (rc != 0)
            return rc;
        struct acc_cover_row *cr = xmalloc((c.region.n_units + 1) * sizeof(*cr));
        acc_coverage_sum(&c.times, c.region.places, c.region.parent, c.region.n_units,
                         15u * 60000u, cr);
        rows[i] = (struct acc_indicator){acc_indicator_defs[i].code, acc_indicator_defs[i].name,
                                         o.set, o.mode, cr[c.region.n_units].people,
                                         cr[c.region.n_units].within_t,
                                         (uint32_t)c.region.n_sites};
        free(cr);
        acc_circle_release(&c);
    }
    return 0;
}
