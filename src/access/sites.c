/*
 * sites.c - the registry's side of the 15-minute circle: the facilities of a set (primary
 * care, emergency), the tree of org units, and one population point per village or
 * community (its registry coordinates and its latest resident population).
 *
 * Which facilities count (docs/access.md): primary care is the grassroots tier of the
 * 15-minute circle of the Healthy China plan - village clinics, community health service
 * stations and centres, township health centres. Emergency is where a 120 call or a walk-in
 * emergency is answered: 120 emergency stations, and hospitals that offer the emergency
 * service. Closed facilities never count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access/coverage.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "registry/registry.h"
#include "vocab/vocab.h"

#define ACC_PAGE 500

static const char *const acc_set_names[ACC_N_SETS] = {"primary", "emergency"};

const char *acc_set_name(enum acc_set set)
{
    return (unsigned)set < ACC_N_SETS ? acc_set_names[set] : "?";
}

bool acc_set_parse(const char *s, enum acc_set *out)
{
    for (int i = 0; i < ACC_N_SETS; i++)
        if (strcmp(s, acc_set_names[i]) == 0) {
            *out = (enum acc_set)i;
            return true;
        }
    return false;
}

/* Per facility type: in the primary set; in the emergency set always; in it when it offers
 * the emergency service. A CDC, an infant-care centre and a primary hospital without an
 * emergency department are in neither. */
static const struct {
    bool primary, emergency, emergency_if_service;
} acc_type_sets[FT_COUNT] = {
    [FT_TERTIARY_HOSPITAL] = {false, false, true},
    [FT_SECONDARY_HOSPITAL] = {false, false, true},
    [FT_PRIMARY_HOSPITAL] = {false, false, true},
    [FT_COUNTY_HOSPITAL] = {false, false, true},
    [FT_TCM_HOSPITAL] = {false, false, true},
    [FT_MCH_HOSPITAL] = {false, false, true},
    [FT_COMMUNITY_CENTER] = {true, false, false},
    [FT_COMMUNITY_STATION] = {true, false, false},
    [FT_TOWNSHIP_CENTER] = {true, false, false},
    [FT_VILLAGE_CLINIC] = {true, false, false},
    [FT_CDC] = {false, false, false},
    [FT_EMERGENCY_STATION] = {false, true, false},
    [FT_INFANT_CARE] = {false, false, false},
};

bool acc_set_has(enum acc_set set, int type, uint32_t services)
{
    if (type < 0 || type >= FT_COUNT)
        return false;
    if (set == ACC_SET_PRIMARY)
        return acc_type_sets[type].primary;
    return acc_type_sets[type].emergency ||
           (acc_type_sets[type].emergency_if_service && (services >> SVC_EMERGENCY & 1));
}

static void acc_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int acc_unit_cmp(const void *a, const void *b)
{
    return strcmp(((const struct acc_unit_rec *)a)->code, ((const struct acc_unit_rec *)b)->code);
}

long acc_region_unit(const struct acc_region *r, const char *code)
{
    size_t lo = 0, hi = r->n_units;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->units[mid].code, code);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Every org unit, sorted by code, with its parent's index and its coordinates. */
static int acc_load_units(const struct reg_ctx *ctx, struct acc_region *r, struct acc_point **pts,
                          bool **has_pt, char (**parents)[ACC_CODE_MAX + 1], struct yl_err *err)
{
    struct reg_ou *page = xmalloc(ACC_PAGE * sizeof(*page));
    struct reg_ou_filter f = {0};
    size_t cap = 0;
    int64_t after = 0;
    int got;

    while ((got = reg_ou_list(ctx, &f, after, ACC_PAGE, page, err)) > 0) {
        for (int i = 0; i < got; i++) {
            if (r->n_units == cap) {
                cap = cap < 256 ? 256 : cap * 2;
                r->units = xrealloc(r->units, cap * sizeof(*r->units));
                *pts = xrealloc(*pts, cap * sizeof(**pts));
                *has_pt = xrealloc(*has_pt, cap * sizeof(**has_pt));
                *parents = xrealloc(*parents, cap * sizeof(**parents));
            }
            struct acc_unit_rec *u = &r->units[r->n_units];
            memset(u, 0, sizeof(*u));
            acc_copy(u->code, sizeof(u->code), page[i].code);
            acc_copy(u->name, sizeof(u->name), page[i].name);
            u->level = page[i].level;
            /* Coordinates and parent code travel in side arrays, in the same order, until
             * the sort by code below. */
            (*pts)[r->n_units] = (struct acc_point){page[i].lat, page[i].lon};
            (*has_pt)[r->n_units] = page[i].has_coord;
            acc_copy((*parents)[r->n_units], ACC_CODE_MAX + 1, page[i].parent_code);
            r->n_units++;
        }
        after = page[got - 1].id;
        if (got < ACC_PAGE)
            break;
    }
    free(page);
    return got < 0 ? got : 0;
}

int acc_region_load(struct store *st, enum acc_set set, struct acc_region *out,
                    struct yl_err *err)
{
    const struct reg_ctx ctx = {st};
    struct acc_point *upts = NULL;
    bool *uhas = NULL;
    char (*uparent)[ACC_CODE_MAX + 1] = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    out->set = set;
    rc = acc_load_units(&ctx, out, &upts, &uhas, &uparent, err);
    if (rc != 0)
        goto out;
    /* Sort by code through an order array, so the side arrays follow. */
    size_t n = out->n_units;
    struct acc_unit_rec *sorted = xmalloc((n + 1) * sizeof(*sorted));
    size_t *order = xmalloc((n + 1) * sizeof(*order));
    memcpy(sorted, out->units, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), acc_unit_cmp);
    for (size_t i = 0; i < n; i++) {
        /* Codes are unique: find each original's place in the sorted table. */
        struct acc_region tmp = {.units = sorted, .n_units = n};
        order[i] = (size_t)acc_region_unit(&tmp, out->units[i].code);
    }
    free(out->units);
    out->units = sorted;
    out->parent = xmalloc((n + 1) * sizeof(*out->parent));
    struct acc_point *pts = xmalloc((n + 1) * sizeof(*pts));
    bool *has = xmalloc((n + 1) * sizeof(*has));
    for (size_t i = 0; i < n; i++) {
        pts[order[i]] = upts[i];
        has[order[i]] = uhas[i];
        out->parent[order[i]] = uparent[i][0] ? (int32_t)acc_region_unit(out, uparent[i]) : -1;
    }
    free(order);

    /* Facilities of the set, active, with coordinates. */
    struct reg_facility *fpage = xmalloc(ACC_PAGE * sizeof(*fpage));
    struct reg_facility_filter ff = {.status = "active"};
    size_t cap = 0;
    int64_t after = 0;
    int got;
    while ((got = reg_facility_list(&ctx, &ff, after, ACC_PAGE, fpage, err)) > 0) {
        for (int i = 0; i < got; i++) {
            const struct reg_facility *f = &fpage[i];
            if (!acc_set_has(set, f->type, f->services))
                continue;
            long u = acc_region_unit(out, f->ou_code);
            if (u >= 0)
                out->units[u].has_clinic = true;
            if (!f->has_coord) {
                out->sites_without_coord++;
                continue;
            }
            if (out->n_sites == cap) {
                cap = cap < 64 ? 64 : cap * 2;
                out->sites = xrealloc(out->sites, cap * sizeof(*out->sites));
                out->site_recs = xrealloc(out->site_recs, cap * sizeof(*out->site_recs));
            }
            struct acc_site_rec *sr = &out->site_recs[out->n_sites];
            acc_copy(sr->code, sizeof(sr->code), f->code);
            acc_copy(sr->name, sizeof(sr->name), f->name);
            acc_copy(sr->ou_code, sizeof(sr->ou_code), f->ou_code);
            sr->type = f->type;
            out->sites[out->n_sites++] = (struct acc_point){f->lat, f->lon};
        }
        after = fpage[got - 1].id;
        if (got < ACC_PAGE)
            break;
    }
    free(fpage);
    if (got < 0) {
        rc = got;
        free(pts);
        free(has);
        goto out;
    }

    /* One place per village or community with people. */
    out->places = xmalloc((n + 1) * sizeof(*out->places));
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct reg_population pop;
        struct yl_err perr = {0};
        if (out->units[i].level != ADCODE_VILLAGE)
            continue;
        int prc = reg_population_get(&ctx, out->units[i].code, 0, &pop, &perr);
        if (prc == YL_ENOTFOUND || (prc == 0 && pop.total <= 0))
            continue;
        if (prc != 0) {
            rc = prc;
            *err = perr;
            break;
        }
        if (!has[i]) {
            out->villages_without_coord++;
            continue;
        }
        out->places[out->n_places++] = (struct acc_place){pts[i], (double)pop.total, (int32_t)i};
    }
    free(pts);
    free(has);
out:
    free(upts);
    free(uhas);
    free(uparent);
    if (rc != 0)
        acc_region_release(out);
    return rc;
}

void acc_region_release(struct acc_region *r)
{
    free(r->sites);
    free(r->site_recs);
    free(r->units);
    free(r->parent);
    free(r->places);
    memset(r, 0, sizeof(*r));
}

void acc_region_candidates(const struct acc_region *r, struct acc_point **cand,
                           size_t **cand_place, size_t *n)
{
    *cand = xmalloc((r->n_places + 1) * sizeof(**cand));
    *cand_place = xmalloc((r->n_places + 1) * sizeof(**cand_place));
    *n = 0;
    for (size_t i = 0; i < r->n_places; i++) {
        int32_t u = r->places[i].unit;
        if (u < 0 || r->units[u].has_clinic)
            continue;
        (*cand)[*n] = r->places[i].p;
        (*cand_place)[(*n)++] = i;
    }
}

static bool acc_parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (s == NULL || *s == '\0')
        return false;
    *out = strtod(s, &end);
    return *end == '\0' && *out >= lo && *out <= hi;
}

int acc_region_add_grid(struct acc_region *r, const char *path, struct yl_err *err)
{
    static const char *const cols[] = {"lat", "lon", "people", NULL};
    FILE *f = fopen(path, "rb");
    size_t cap = r->n_places + 1024;
    int rc;

    if (f == NULL)
        return yl_err_set(err, YL_EIO, "population", "could not open \"%s\"", path);
    struct csv_reader *cr = csv_open(f, 1 << 12);
    rc = csv_read_header(cr, cols, err);
    r->places = xrealloc(r->places, cap * sizeof(*r->places));
    while (rc == 0) {
        struct acc_place pl = {.unit = -1};
        int got = csv_next(cr, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (!acc_parse_num(csv_get(cr, "lat"), -90, 90, &pl.p.lat) ||
            !acc_parse_num(csv_get(cr, "lon"), -180, 180, &pl.p.lon) ||
            !acc_parse_num(csv_get(cr, "people"), 0, 1e9, &pl.people)) {
            rc = yl_err_set(err, YL_EINVAL, "population", "%s line %ld: lat, lon and people "
                            "must be numbers (degrees, and 0 or more people)", path,
                            csv_line(cr));
            break;
        }
        if (r->n_places == cap) {
            cap *= 2;
            r->places = xrealloc(r->places, cap * sizeof(*r->places));
        }
        r->places[r->n_places++] = pl;
    }
    csv_close(cr);
    fclose(f);
    return rc;
}
