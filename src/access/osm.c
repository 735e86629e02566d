/*
 * osm.c - OpenStreetMap import: ways with a routable highway type (or route=ferry) become
 * directed edges per mode, with libreadosm reading .osm XML or .osm.pbf.
 *
 * Two passes over the file: the first keeps the road ways (their node references and what
 * each mode may do on them), the second keeps the coordinates of the referenced nodes only,
 * so memory follows the roads, not the buildings and trees of the extract. Tag semantics
 * follow the OSM wiki (Key:access, Key:oneway, Key:maxspeed); docs/access.md lists the rules.
 */
#include <errno.h>
#include <expat.h>
#include <math.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access_int.h"
#include "core/err.h"
#include "core/mem.h"

#define ACC_DIR_FWD 1u
#define ACC_DIR_BACK 2u
#define ACC_MPH_KMH 1.609344
/* Pieces of one segment at most: a segment of tens of kilometres is a data error or a
 * crossing of empty land, and must not add nodes without bound. */
#define ACC_SPLIT_PIECES_MAX 100.0

/* The tags a way's routing depends on, found in one scan of its tag list. */
enum acc_tag {
    TAG_HIGHWAY, TAG_ROUTE, TAG_ONEWAY, TAG_ONEWAY_BICYCLE, TAG_JUNCTION, TAG_CYCLEWAY,
    TAG_ACCESS, TAG_FOOT, TAG_BICYCLE, TAG_VEHICLE, TAG_MOTOR_VEHICLE, TAG_MOTORCAR,
    TAG_MAXSPEED, TAG_MOTORROAD, TAG_COUNT
};

static const char *const acc_tag_keys[TAG_COUNT] = {
    "highway", "route", "oneway", "oneway:bicycle", "junction", "cycleway", "access", "foot",
    "bicycle", "vehicle", "motor_vehicle", "motorcar", "maxspeed", "motorroad",
};

/* For each mode, the access keys from the most specific to the most general: the first one
 * present decides (OSM's access hierarchy). An e-bike (电动自行车) is a non-motor vehicle in
 * Chinese traffic law and follows the bicycle tags. */
static const enum acc_tag acc_access_keys[ACC_N_MODES][5] = {
    [ACC_FOOT] = {TAG_FOOT, TAG_ACCESS, TAG_COUNT},
    [ACC_BICYCLE] = {TAG_BICYCLE, TAG_VEHICLE, TAG_ACCESS, TAG_COUNT},
    [ACC_EBIKE] = {TAG_BICYCLE, TAG_VEHICLE, TAG_ACCESS, TAG_COUNT},
    [ACC_CAR] = {TAG_MOTORCAR, TAG_MOTOR_VEHICLE, TAG_VEHICLE, TAG_ACCESS, TAG_COUNT},
};

/* Access values that close a way to the public. Others (destination, customers, delivery…)
 * keep it open: a resident going home or a patient going to a clinic is such traffic. */
static const char *const acc_denied_values[] = {
    "no", "private", "agricultural", "forestry", "military", "use_sidepath",
};

/* A road way kept from pass 1. */
struct acc_osm_way {
    size_t ref_start;
    uint32_t n_refs;
    float kmh[ACC_N_MODES];
    uint8_t dir[ACC_N_MODES];   /* ACC_DIR_* bits allowed */
    bool ferry;
};

struct acc_osm_ctx {
    const struct acc_speeds *speeds;
    double fallback_kmh[ACC_N_MODES];   /* for a way whose tags open what the table closes */
    struct acc_osm_way *ways;
    size_t n_ways, cap_ways;
    long long *refs;
    size_t n_refs, cap_refs;
    long long *ids;                     /* sorted unique referenced node ids */
    size_t n_ids;
    int32_t *lat_e7, *lon_e7;
    uint8_t *have;
    uint64_t osm_nodes, osm_ways;
};

static void *acc_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap;

    if (need <= c)
        return p;
    while (c < need)
        c = c < 1024 ? 1024 : c * 2;
    *cap = c;
    return xrealloc(p, c * elem);
}

void acc_raw_edge_push(struct acc_raw_edges *e, struct acc_raw_edge edge)
{
    e->v = acc_grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
    e->v[e->n++] = edge;
}

void acc_raw_release(struct acc_raw *raw)
{
    free(raw->lat_e7);
    free(raw->lon_e7);
    free(raw->ferry_only);
    for (int m = 0; m < ACC_N_MODES; m++)
        free(raw->edges[m].v);
    memset(raw, 0, sizeof(*raw));
}

static void acc_way_tags(const readosm_way *way, const char *tags[TAG_COUNT])
{
    for (int k = 0; k < TAG_COUNT; k++)
        tags[k] = NULL;
    for (int i = 0; i < way->tag_count; i++) {
        const readosm_tag *t = &way->tags[i];
        if (t->key == NULL || t->value == NULL)
            continue;
        for (int k = 0; k < TAG_COUNT; k++)
            if (strcmp(t->key, acc_tag_keys[k]) == 0)
                tags[k] = t->value;
    }
}

static bool acc_value_denied(const char *v)
{
    for (size_t i = 0; i < sizeof(acc_denied_values) / sizeof(acc_denied_values[0]); i++)
        if (strcmp(v, acc_denied_values[i]) == 0)
            return true;
    return false;
}

static bool acc_value_yes(const char *v)
{
    return v != NULL && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
                         strcmp(v, "1") == 0 || strcmp(v, "designated") == 0 ||
                         strcmp(v, "permissive") == 0);
}

/* Whether the mode may use the way: the table's default unless the most specific access tag
 * present says otherwise. Any level of the hierarchy closes a way; only the mode's own key
 * (foot=yes, bicycle=yes, motorcar=yes) opens one that the table closes, because
 * "motor_vehicle=permissive" on a footway tells what is tolerated there, not that cars may
 * drive it (routino reads the tags the same way). */
static bool acc_way_allowed(enum acc_mode m, bool by_default, const char *tags[TAG_COUNT])
{
    for (const enum acc_tag *k = acc_access_keys[m]; *k != TAG_COUNT; k++) {
        const char *v = tags[*k];
        if (v == NULL)
            continue;
        if (acc_value_denied(v))
            return false;
        return by_default || k == acc_access_keys[m];
    }
    return by_default;
}

/* maxspeed in km/h ("50", "30 mph", "50;30" takes the first), or 0 when not a number. */
static double acc_maxspeed_kmh(const char *v)
{
    char *end;
    double s;

    if (v == NULL)
        return 0.0;
    s = strtod(v, &end);
    if (end == v || !(s > 0.0 && s < 400.0))
        return 0.0;
    while (*end == ' ')
        end++;
    if (strncmp(end, "mph", 3) == 0)
        s *= ACC_MPH_KMH;
    return s;
}

/* The directions vehicles may take, from oneway (explicit, or implied by the highway type or
 * a roundabout). */
static uint8_t acc_vehicle_dir(const struct acc_speed_row *row, const char *tags[TAG_COUNT])
{
    const char *ow = tags[TAG_ONEWAY];
    const char *junction = tags[TAG_JUNCTION];

    if (ow != NULL) {
        if (strcmp(ow, "yes") == 0 || strcmp(ow, "true") == 0 || strcmp(ow, "1") == 0)
            return ACC_DIR_FWD;
        if (strcmp(ow, "-1") == 0 || strcmp(ow, "reverse") == 0)
            return ACC_DIR_BACK;
        /* A reversible lane changes direction by the hour; no fixed graph can use it. */
        if (strcmp(ow, "reversible") == 0 || strcmp(ow, "alternating") == 0)
            return 0;
        if (strcmp(ow, "no") == 0 || strcmp(ow, "false") == 0 || strcmp(ow, "0") == 0)
            return ACC_DIR_FWD | ACC_DIR_BACK;
    }
    if (row->implied_oneway)
        return ACC_DIR_FWD;
    if (junction != NULL && (strcmp(junction, "roundabout") == 0 ||
                             strcmp(junction, "circular") == 0))
        return ACC_DIR_FWD;
    return ACC_DIR_FWD | ACC_DIR_BACK;
}

/* Cyclists may ride against a one-way street where it says so. */
static bool acc_contraflow_bicycle(const char *tags[TAG_COUNT])
{
    const char *ob = tags[TAG_ONEWAY_BICYCLE];
    const char *cw = tags[TAG_CYCLEWAY];

    return (ob != NULL && strcmp(ob, "no") == 0) ||
           (cw != NULL && strncmp(cw, "opposite", 8) == 0);
}

/* Decide what each mode may do on a way; false when no mode may use it. */
static bool acc_way_profile(const struct acc_osm_ctx *c, const char *tags[TAG_COUNT],
                            struct acc_osm_way *w)
{
    bool ferry = tags[TAG_ROUTE] != NULL && strcmp(tags[TAG_ROUTE], "ferry") == 0;
    const struct acc_speed_row *row;
    double maxspeed = acc_maxspeed_kmh(tags[TAG_MAXSPEED]);
    bool motorroad = acc_value_yes(tags[TAG_MOTORROAD]);
    uint8_t vdir;
    bool any = false;

    w->ferry = ferry;
    if (ferry)
        row = acc_speeds_find(c->speeds, "ferry");
    else if (tags[TAG_HIGHWAY] != NULL)
        row = acc_speeds_find(c->speeds, tags[TAG_HIGHWAY]);
    else
        row = NULL;
    if (row == NULL)
        return false;
    vdir = acc_vehicle_dir(row, tags);
    for (int m = 0; m < ACC_N_MODES; m++) {
        bool by_default = row->kmh[m] > 0.0;
        double kmh = by_default ? row->kmh[m] : c->fallback_kmh[m];

        /* Most ferries carry passengers only: a car needs the ferry tagged for it. */
        if (ferry && m == ACC_CAR)
            by_default = false;
        if (motorroad && m != ACC_CAR)
            by_default = false;
        w->kmh[m] = 0.0f;
        w->dir[m] = 0;
        if (!acc_way_allowed((enum acc_mode)m, by_default, tags) || kmh <= 0.0)
            continue;
        if (m != ACC_FOOT && maxspeed > 0.0 && maxspeed < kmh)
            kmh = maxspeed;
        w->kmh[m] = (float)kmh;
        if (m == ACC_FOOT)
            w->dir[m] = ACC_DIR_FWD | ACC_DIR_BACK;
        else if (m != ACC_CAR && acc_contraflow_bicycle(tags) && vdir != 0)
            w->dir[m] = ACC_DIR_FWD | ACC_DIR_BACK;
        else
            w->dir[m] = vdir;
        any = any || w->dir[m] != 0;
    }
    return any;
}

static int acc_on_way(const void *user, const readosm_way *way)
{
    struct acc_osm_ctx *c = (struct acc_osm_ctx *)user;
    const char *tags[TAG_COUNT];
    struct acc_osm_way w;

    c->osm_ways++;
    if (way->node_ref_count < 2)
        return READOSM_OK;
    acc_way_tags(way, tags);
    memset(&w, 0, sizeof(w));
    if (!acc_way_profile(c, tags, &w))
        return READOSM_OK;
    w.ref_start = c->n_refs;
    w.n_refs = (uint32_t)way->node_ref_count;
    c->refs = acc_grow(c->refs, &c->cap_refs, c->n_refs + w.n_refs, sizeof(*c->refs));
    memcpy(c->refs + c->n_refs, way->node_refs, w.n_refs * sizeof(*c->refs));
    c->n_refs += w.n_refs;
    c->ways = acc_grow(c->ways, &c->cap_ways, c->n_ways + 1, sizeof(*c->ways));
    c->ways[c->n_ways++] = w;
    return READOSM_OK;
}

static int acc_cmp_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Index of id in the sorted unique ids, or -1. */
static long acc_id_index(const struct acc_osm_ctx *c, long long id)
{
    size_t lo = 0, hi = c->n_ids;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_ids && c->ids[lo] == id ? (long)lo : -1;
}

static int acc_on_node(const void *user, const readosm_node *node)
{
    struct acc_osm_ctx *c = (struct acc_osm_ctx *)user;
    long i;

    c->osm_nodes++;
    i = acc_id_index(c, node->id);
    if (i < 0)
        return READOSM_OK;
    /* Coordinates outside the globe are broken data: the node is treated as missing. */
    if (!(node->latitude >= -90.0 && node->latitude <= 90.0 && node->longitude >= -180.0 &&
          node->longitude <= 180.0))
        return READOSM_OK;
    c->lat_e7[i] = (int32_t)lround(node->latitude * 1e7);
    c->lon_e7[i] = (int32_t)lround(node->longitude * 1e7);
    c->have[i] = 1;
    return READOSM_OK;
}

static const char *acc_readosm_reason(int rc)
{
    switch (rc) {
    case READOSM_INVALID_SUFFIX:
        return "the name must end in .osm or .pbf";
    case READOSM_FILE_NOT_FOUND:
        return "no such file or not readable";
    case READOSM_INSUFFICIENT_MEMORY:
        return "out of memory";
    case READOSM_READ_ERROR:
        return "read error (truncated file?)";
    case READOSM_XML_ERROR:
        return "not well-formed OSM XML";
    case READOSM_INVALID_PBF_HEADER:
        return "not an OSM PBF file (bad block header)";
    case READOSM_UNZIP_ERROR:
        return "a compressed PBF block does not inflate (corrupted file?)";
    default:
        return "unreadable OSM data";
    }
}

static bool acc_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The attributes libreadosm reads without checking that they are there: an element missing
 * one would crash it (libreadosm 1.1 takes the string length of a NULL). */
static const struct {
    const char *element;
    const char *attrs[4];
} acc_xml_required[] = {
    {"tag", {"k", "v", NULL}},
    {"nd", {"ref", NULL}},
    {"member", {"type", "ref", "role", NULL}},
};

struct acc_xml_state {
    XML_Parser parser;
    const char *missing;        /* "<tag> without v", once found */
    char what[64];
};

static bool acc_xml_has(const XML_Char **attrs, const char *name)
{
    for (size_t i = 0; attrs[i] != NULL; i += 2)
        if (strcmp(attrs[i], name) == 0)
            return true;
    return false;
}

static void XMLCALL acc_xml_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
    struct acc_xml_state *st = user;

    for (size_t i = 0; i < sizeof(acc_xml_required) / sizeof(acc_xml_required[0]); i++) {
        if (strcmp(name, acc_xml_required[i].element) != 0)
            continue;
        for (const char *const *a = acc_xml_required[i].attrs; *a != NULL; a++) {
            if (acc_xml_has(attrs, *a))
                continue;
            snprintf(st->what, sizeof(st->what), "<%s> without %s", name, *a);
            st->missing = st->what;
            XML_StopParser(st->parser, XML_FALSE);
            return;
        }
    }
}

/*
 * Check an .osm file before libreadosm reads it: well-formed XML, and the attributes it
 * relies on present. libreadosm 1.1 leaks its XML parser when it meets an error and crashes
 * on a <tag> without a value, and it says less than expat does about where. The check
 * streams the file through expat once, a fraction of the cost of the parse itself (PBF, the
 * usual format of large extracts, is not concerned).
 */
static int acc_xml_check(const char *path, struct yl_err *err)
{
    struct acc_xml_state st = {XML_ParserCreate(NULL), NULL, ""};
    FILE *f = fopen(path, "rb");
    char buf[1 << 16];
    int rc = 0;

    if (st.parser == NULL || f == NULL) {
        rc = yl_err_set(err, YL_EIO, "osm", "cannot read \"%s\"", path);
        goto out;
    }
    XML_SetUserData(st.parser, &st);
    XML_SetStartElementHandler(st.parser, acc_xml_start);
    for (;;) {
        size_t n = fread(buf, 1, sizeof(buf), f);
        int last = n < sizeof(buf);
        if (XML_Parse(st.parser, buf, (int)n, last) == XML_STATUS_ERROR) {
            unsigned long line = (unsigned long)XML_GetCurrentLineNumber(st.parser);
            const char *why = st.missing != NULL
                                  ? st.missing
                                  : XML_ErrorString(XML_GetErrorCode(st.parser));
            rc = yl_err_set(err, YL_EINVAL, "osm", "cannot read \"%s\": not well-formed OSM "
                            "XML (line %lu: %s)", path, line, why);
            break;
        }
        if (last)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = yl_err_set(err, YL_EIO, "osm", "cannot read \"%s\": read error", path);
out:
    if (f != NULL)
        fclose(f);
    if (st.parser != NULL)
        XML_ParserFree(st.parser);
    return rc;
}

/* One pass over the file with the given callbacks. */
static int acc_osm_pass(const char *path, struct acc_osm_ctx *c, readosm_node_callback on_node,
                        readosm_way_callback on_way, struct yl_err *err)
{
    const void *h = NULL;
    int rc = readosm_open(path, &h);

    if (rc == READOSM_OK)
        rc = readosm_parse(h, c, on_node, on_way, NULL);
    if (h != NULL)
        readosm_close(h);
    if (rc == READOSM_OK)
        return 0;
    if (rc == READOSM_FILE_NOT_FOUND)
        return yl_err_set(err, YL_EIO, "osm", "cannot read \"%s\": %s", path,
                          acc_readosm_reason(rc));
    return yl_err_set(err, YL_EINVAL, "osm", "cannot read \"%s\": %s", path,
                      acc_readosm_reason(rc));
}

/* Sorted unique ids of every node the road ways reference. */
static void acc_collect_ids(struct acc_osm_ctx *c)
{
    size_t k = 0;

    c->ids = xmalloc((c->n_refs > 0 ? c->n_refs : 1) * sizeof(*c->ids));
    if (c->n_refs > 0)
        memcpy(c->ids, c->refs, c->n_refs * sizeof(*c->ids));
    qsort(c->ids, c->n_refs, sizeof(*c->ids), acc_cmp_id);
    for (size_t i = 0; i < c->n_refs; i++)
        if (k == 0 || c->ids[k - 1] != c->ids[i])
            c->ids[k++] = c->ids[i];
    c->n_ids = k;
    c->lat_e7 = xcalloc(k > 0 ? k : 1, sizeof(*c->lat_e7));
    c->lon_e7 = xcalloc(k > 0 ? k : 1, sizeof(*c->lon_e7));
    c->have = xcalloc(k > 0 ? k : 1, 1);
}

static void acc_emit_segment(const struct acc_osm_way *w, uint32_t a, uint32_t b,
                             double length_m, struct acc_raw *raw)
{
    uint32_t length_cm = (uint32_t)lround(length_m * 100.0);

    for (int m = 0; m < ACC_N_MODES; m++) {
        if (w->dir[m] == 0)
            continue;
        uint32_t t = acc_travel_ms(length_m, w->kmh[m]);
        if (w->dir[m] & ACC_DIR_FWD)
            acc_raw_edge_push(&raw->edges[m], (struct acc_raw_edge){a, b, t, length_cm});
        if (w->dir[m] & ACC_DIR_BACK)
            acc_raw_edge_push(&raw->edges[m], (struct acc_raw_edge){b, a, t, length_cm});
    }
}

static uint32_t acc_raw_add_node(struct acc_raw *raw, int32_t lat_e7, int32_t lon_e7,
                                 uint8_t ferry_only)
{
    if (raw->n_nodes == raw->cap_nodes) {
        raw->cap_nodes = raw->cap_nodes < 1024 ? 1024 : raw->cap_nodes * 2;
        raw->lat_e7 = xrealloc(raw->lat_e7, raw->cap_nodes * sizeof(*raw->lat_e7));
        raw->lon_e7 = xrealloc(raw->lon_e7, raw->cap_nodes * sizeof(*raw->lon_e7));
        raw->ferry_only = xrealloc(raw->ferry_only, raw->cap_nodes);
    }
    raw->lat_e7[raw->n_nodes] = lat_e7;
    raw->lon_e7[raw->n_nodes] = lon_e7;
    raw->ferry_only[raw->n_nodes] = ferry_only;
    return raw->n_nodes++;
}

/* One segment of a way, cut into pieces of at most ACC_SPLIT_M by new nodes along it.
 * Ferries are not cut: nobody boards in mid-crossing. */
static void acc_add_segment(const struct acc_osm_way *w, uint32_t a, uint32_t b,
                            struct acc_raw *raw)
{
    struct acc_point pa = {raw->lat_e7[a] / 1e7, raw->lon_e7[a] / 1e7};
    struct acc_point pb = {raw->lat_e7[b] / 1e7, raw->lon_e7[b] / 1e7};
    double length_m = acc_distance_m(pa, pb);
    double want = ceil(length_m / ACC_SPLIT_M);
    uint32_t pieces = w->ferry || !(want > 1.0) ? 1 : (uint32_t)fmin(want, ACC_SPLIT_PIECES_MAX);
    uint32_t prev = a;

    if (!w->ferry)
        raw->ferry_only[a] = raw->ferry_only[b] = 0;
    for (uint32_t k = 1; k <= pieces; k++) {
        uint32_t next = b;
        if (k < pieces) {
            double f = (double)k / pieces;
            next = acc_raw_add_node(
                raw, (int32_t)lround(raw->lat_e7[a] + f * (raw->lat_e7[b] - (double)raw->lat_e7[a])),
                (int32_t)lround(raw->lon_e7[a] + f * (raw->lon_e7[b] - (double)raw->lon_e7[a])), 0);
        }
        acc_emit_segment(w, prev, next, length_m / pieces, raw);
        prev = next;
    }
}

/* Renumber the present nodes densely and turn consecutive references into edges. */
static void acc_make_edges(struct acc_osm_ctx *c, struct acc_raw *raw,
                           struct acc_build_report *rep)
{
    uint32_t *dense = xmalloc((c->n_ids > 0 ? c->n_ids : 1) * sizeof(*dense));

    for (size_t i = 0; i < c->n_ids; i++)
        dense[i] = c->have[i] ? acc_raw_add_node(raw, c->lat_e7[i], c->lon_e7[i], 1)
                              : ACC_NO_NODE;
    for (size_t i = 0; i < c->n_refs; i++)
        if (!c->have[acc_id_index(c, c->refs[i])])
            rep->missing_nodes++;

    for (size_t wi = 0; wi < c->n_ways; wi++) {
        const struct acc_osm_way *w = &c->ways[wi];
        bool used = false;
        for (uint32_t k = 0; k + 1 < w->n_refs; k++) {
            uint32_t a = dense[acc_id_index(c, c->refs[w->ref_start + k])];
            uint32_t b = dense[acc_id_index(c, c->refs[w->ref_start + k + 1])];
            if (a == ACC_NO_NODE || b == ACC_NO_NODE || a == b)
                continue;
            acc_add_segment(w, a, b, raw);
            used = true;
        }
        if (used)
            rep->road_ways++;
    }
    free(dense);
}

static void acc_osm_ctx_release(struct acc_osm_ctx *c)
{
    free(c->ways);
    free(c->refs);
    free(c->ids);
    free(c->lat_e7);
    free(c->lon_e7);
    free(c->have);
}

int acc_osm_read(const char *path, const struct acc_speeds *speeds, struct acc_raw *raw,
                 struct acc_build_report *rep, struct yl_err *err)
{
    struct acc_osm_ctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    memset(raw, 0, sizeof(*raw));
    c.speeds = speeds;
    /* A mode that tags open on a type the table closes goes at its slowest road speed (a
     * ferry's speed is not a road's). */
    for (int m = 0; m < ACC_N_MODES; m++)
        for (size_t i = 0; i < speeds->n_rows; i++) {
            double v = speeds->rows[i].kmh[m];
            if (strcmp(speeds->rows[i].highway, "ferry") == 0)
                continue;
            if (v > 0.0 && (c.fallback_kmh[m] == 0.0 || v < c.fallback_kmh[m]))
                c.fallback_kmh[m] = v;
        }
    if (access(path, R_OK) != 0) {
        rc = yl_err_set(err, errno == ENOENT ? YL_ENOTFOUND : YL_EIO, "osm",
                        "cannot read \"%s\": %s", path,
                        errno == ENOENT ? "no such file" : "permission denied");
        goto out;
    }
    if (acc_has_suffix(path, ".osm")) {
        rc = acc_xml_check(path, err);
        if (rc != 0)
            goto out;
    }
    rc = acc_osm_pass(path, &c, NULL, acc_on_way, err);
    if (rc != 0)
        goto out;
    acc_collect_ids(&c);
    rc = acc_osm_pass(path, &c, acc_on_node, NULL, err);
    if (rc != 0)
        goto out;
    rep->osm_nodes = c.osm_nodes;
    rep->osm_ways = c.osm_ways;
    /* Cutting long segments adds nodes; a quarter of the index range leaves room. */
    if (c.n_ids > UINT32_MAX / 4) {
        rc = yl_err_set(err, YL_EINVAL, "osm", "\"%s\": more than %u road nodes", path,
                        UINT32_MAX / 4);
        goto out;
    }
    acc_make_edges(&c, raw, rep);
    if (rep->road_ways == 0)
        rc = yl_err_set(err, YL_EINVAL, "osm", "\"%s\" holds no road: no way with a "
                        "routable highway=* type and its nodes", path);
out:
    acc_osm_ctx_release(&c);
    if (rc != 0)
        acc_raw_release(raw);
    return rc;
}
