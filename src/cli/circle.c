/*
 * circle.c - the 15-minute health service circle on the command line: `yilian access
 * coverage | underserved | catchment | propose | whatif | isochrone | indicators` and
 * `access import-osm` (an alias of build).
 *
 * Every command asks the same question as the API (access/circle.c) of the database and the
 * road graph next to it (<db>.roads), and prints a table; isochrone prints GeoJSON for a
 * file or a map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/coverage.h"
#include "cli/cli_int.h"
#include "core/adcode.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include "core/mem.h"
#include "store/store.h"
#include "vocab/vocab.h"

#define CLI_CIRCLE_CHANGES_MAX 100

static const char *const cli_levels[] = {"", "province", "city", "county", "township",
                                         "village"};

/* The options every circle command takes; each command reads those it needs. */
struct cli_circle {
    const char *graph, *set, *mode, *minutes, *by, *ou, *population, *k, *limit, *cell,
        *facility, *candidates;
    struct acc_change changes[CLI_CIRCLE_CHANGES_MAX];
    const char *change_codes[CLI_CIRCLE_CHANGES_MAX];
    size_t n_changes;
    /* parsed */
    struct acc_circle_opts o;
    int minutes_n, by_level;
    long k_n, limit_n;
};

static bool cli_point(const char *s, struct acc_point *p)
{
    char *end;
    p->lat = strtod(s, &end);
    if (end == s || *end != ',')
        return false;
    s = end + 1;
    p->lon = strtod(s, &end);
    return end != s && *end == '\0' && p->lat >= -90 && p->lat <= 90 && p->lon >= -180 &&
           p->lon <= 180;
}

static long cli_long(const char *s, long lo, long hi, long dflt, bool *ok)
{
    char *end;
    if (s == NULL)
        return dflt;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < lo || v > hi)
        *ok = false;
    return v;
}

/* --add LAT,LON, --close CODE, --move CODE=LAT,LON: what-if changes, in order. */
static int cli_circle_change(struct cli_circle *q, const char *opt, const char *val)
{
    struct acc_change *ch = &q->changes[q->n_changes];
    if (q->n_changes == CLI_CIRCLE_CHANGES_MAX) {
        fprintf(stderr, "yilian: at most %d changes\n", CLI_CIRCLE_CHANGES_MAX);
        return 2;
    }
    memset(ch, 0, sizeof(*ch));
    q->change_codes[q->n_changes] = NULL;
    if (strcmp(opt, "--add") == 0) {
        ch->kind = ACC_CHANGE_ADD;
        if (!cli_point(val, &ch->p))
            goto bad;
    } else if (strcmp(opt, "--close") == 0) {
        ch->kind = ACC_CHANGE_CLOSE;
        q->change_codes[q->n_changes] = val;
    } else {
        const char *eq = strchr(val, '=');
        ch->kind = ACC_CHANGE_MOVE;
        if (eq == NULL || !cli_point(eq + 1, &ch->p))
            goto bad;
        /* The code is the part before '='; argv strings are ours to cut. */
        *(char *)eq = '\0';
        q->change_codes[q->n_changes] = val;
    }
    q->n_changes++;
    return 0;
bad:
    fprintf(stderr, "yilian: %s takes %s\n", opt,
            strcmp(opt, "--add") == 0 ? "LAT,LON" : "CODE=LAT,LON");
    return 2;
}

static int cli_circle_args(struct cli_circle *q, int argc, char **argv, const char *usage)
{
    memset(q, 0, sizeof(*q));
    if (argc % 2 != 0)
        goto usage;
    for (int i = 0; i + 1 < argc; i += 2) {
        static const struct {
            const char *name;
            size_t off;
        } opts[] = {
            {"--graph", offsetof(struct cli_circle, graph)},
            {"--set", offsetof(struct cli_circle, set)},
            {"--mode", offsetof(struct cli_circle, mode)},
            {"--minutes", offsetof(struct cli_circle, minutes)},
            {"--by", offsetof(struct cli_circle, by)},
            {"--ou", offsetof(struct cli_circle, ou)},
            {"--population", offsetof(struct cli_circle, population)},
            {"--k", offsetof(struct cli_circle, k)},
            {"--limit", offsetof(struct cli_circle, limit)},
            {"--cell", offsetof(struct cli_circle, cell)},
            {"--facility", offsetof(struct cli_circle, facility)},
            {"--candidates", offsetof(struct cli_circle, candidates)},
        };
        bool found = false;
        for (size_t o = 0; o < sizeof(opts) / sizeof(opts[0]) && !found; o++)
            if (strcmp(argv[i], opts[o].name) == 0) {
                *(const char **)((char *)q + opts[o].off) = argv[i + 1];
                found = true;
            }
        if (!found && (strcmp(argv[i], "--add") == 0 || strcmp(argv[i], "--close") == 0 ||
                       strcmp(argv[i], "--move") == 0)) {
            if (cli_circle_change(q, argv[i], argv[i + 1]) != 0)
                return 2;
            found = true;
        }
        if (!found)
            goto usage;
    }
    q->o.set = ACC_SET_PRIMARY;
    q->o.mode = ACC_FOOT;
    if (q->set != NULL && !acc_set_parse(q->set, &q->o.set)) {
        fprintf(stderr, "yilian: --set: unknown facility set \"%s\" (primary, emergency)\n",
                q->set);
        return 2;
    }
    if (q->mode != NULL && !acc_mode_parse(q->mode, &q->o.mode)) {
        fprintf(stderr, "yilian: --mode: unknown mode \"%s\" (walk, bike, e-bike, drive)\n",
                q->mode);
        return 2;
    }
    bool ok = true;
    q->minutes_n = (int)cli_long(strchr(q->minutes ? q->minutes : "", ',') ? NULL : q->minutes,
                                 1, 240, 15, &ok);
    q->k_n = cli_long(q->k, 1, 100, 5, &ok);
    q->limit_n = cli_long(q->limit, 1, 1000000, 50, &ok);
    if (!ok) {
        fprintf(stderr, "yilian: --minutes is 1 to 240, --k 1 to 100, --limit 1 or more\n");
        return 2;
    }
    q->by_level = ADCODE_TOWNSHIP;
    if (q->by != NULL) {
        q->by_level = 0;
        for (int l = 1; l <= ADCODE_VILLAGE; l++)
            if (strcmp(q->by, cli_levels[l]) == 0)
                q->by_level = l;
        if (q->by_level == 0) {
            fprintf(stderr, "yilian: --by: unknown level \"%s\" (province, city, county, "
                            "township, village)\n", q->by);
            return 2;
        }
    }
    q->o.ou = q->ou;
    q->o.grid_csv = q->population;
    return 0;
usage:
    fprintf(stderr, "usage: yilian %s\n", usage);
    return 2;
}

/* Open the store and map the graph; 0 or an exit status (the message printed). */
static int cli_circle_open(const struct cli_config *c, const struct cli_circle *q,
                           struct store **st, struct acc_graph **g)
{
    char path[4096];
    struct yl_err err = {0};

    if (q->graph == NULL)
        snprintf(path, sizeof(path), "%s.roads", c->db);
    if (acc_graph_load(q->graph ? q->graph : path, g, &err) != 0) {
        if (err.code == YL_ENOTFOUND)
            fprintf(stderr, "yilian: no road graph \"%s\": build it with `yilian access "
                            "import-osm FILE.osm[.pbf]`\n", q->graph ? q->graph : path);
        else
            cli_fail(&err);
        return 1;
    }
    *st = cli_open_store(c);
    if (*st == NULL) {
        acc_graph_free(*g);
        return 1;
    }
    return 0;
}

static void cli_circle_close(struct store *st, struct acc_graph *g)
{
    store_close(st);
    acc_graph_free(g);
}

static double cli_pct(double a, double b)
{
    return b > 0 ? 100.0 * a / b : 0.0;
}

static void cli_circle_head(const struct cli_circle *q, const struct acc_circle *c)
{
    printf("%s care by %s within %d minutes: %zu facilities, %zu population points",
           acc_set_name(q->o.set), acc_mode_name(q->o.mode), q->minutes_n, c->region.n_sites,
           c->region.n_places);
    if (c->region.sites_without_coord + c->region.villages_without_coord > 0)
        printf(" (left out without coordinates: %zu facilities, %zu villages)",
               c->region.sites_without_coord, c->region.villages_without_coord);
    printf("\n");
}

static int cli_circle_run(struct cli_config *cfg, struct cli_circle *q, struct store **st,
                          struct acc_graph **g, struct acc_circle *c)
{
    struct yl_err err = {0};
    int rc = cli_circle_open(cfg, q, st, g);
    if (rc != 0)
        return rc;
    if (acc_circle_run(*st, *g, &q->o, c, &err) != 0) {
        cli_circle_close(*st, *g);
        return cli_fail(&err);
    }
    return 0;
}

#define CLI_COVERAGE_USAGE                                                                   \
    "access coverage [--set primary|emergency] [--mode walk|bike|e-bike|drive] [--minutes N]" \
    " [--by township|village|county] [--ou CODE] [--population GRID.csv] [--graph FILE]"

int cli_access_coverage(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_circle c;
    int rc = cli_circle_args(&q, argc, argv, CLI_COVERAGE_USAGE);

    if (rc != 0 || (rc = cli_circle_run(cfg, &q, &st, &g, &c)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    struct acc_cover_row *rows = xmalloc((r->n_units + 1) * sizeof(*rows));
    acc_coverage_sum(&c.times, r->places, r->parent, r->n_units, (uint32_t)q.minutes_n * 60000u,
                     rows);
    cli_circle_head(&q, &c);
    printf("%-12s %-24s %10s %10s %7s %7s %7s %7s %7s\n", "code", "name", "people", "within",
           "share%", "5min%", "10min%", "15min%", "30min%");
    size_t n_ou = q.ou ? strlen(q.ou) : 0;
    for (size_t u = 0; u <= r->n_units; u++) {
        const struct acc_cover_row *row = &rows[u];
        if (u < r->n_units && (r->units[u].level != q.by_level || row->people <= 0 ||
                               (n_ou > 0 && strncmp(r->units[u].code, q.ou, n_ou) != 0)))
            continue;
        char pad[96];
        printf("%-12s %s %10.0f %10.0f %7.1f %7.1f %7.1f %7.1f %7.1f\n",
               u < r->n_units ? r->units[u].code : "total",
               text_pad(u < r->n_units ? r->units[u].name : (q.ou ? q.ou : "the region"), 24,
                        pad, sizeof(pad)),
               row->people,
               row->within_t, cli_pct(row->within_t, row->people),
               cli_pct(row->within[0], row->people), cli_pct(row->within[1], row->people),
               cli_pct(row->within[2], row->people), cli_pct(row->within[3], row->people));
    }
    free(rows);
    acc_circle_release(&c);
    cli_circle_close(st, g);
    return 0;
}

static void cli_minutes(uint32_t ms, char *out, size_t n)
{
    if (ms == ACC_UNREACHED)
        snprintf(out, n, "unreached");
    else
        snprintf(out, n, "%.1f", ms / 60000.0);
}

int cli_access_underserved(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_circle c;
    int rc = cli_circle_args(&q, argc, argv,
                             "access underserved [--set S] [--mode M] [--minutes N] [--ou CODE]"
                             " [--limit N] [--graph FILE]");

    if (rc != 0 || (rc = cli_circle_run(cfg, &q, &st, &g, &c)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    size_t *idx = xmalloc((r->n_places + 1) * sizeof(*idx));
    size_t n = acc_underserved(&c.times, r->places, (uint32_t)q.minutes_n * 60000u, idx);
    double people = 0;
    for (size_t i = 0; i < n; i++)
        people += r->places[idx[i]].people;
    cli_circle_head(&q, &c);
    printf("%zu population points (%.0f people) beyond %d minutes\n", n, people, q.minutes_n);
    printf("%-12s %-24s %-10s %8s %10s %s\n", "code", "name", "township", "people", "minutes",
           "nearest");
    for (size_t i = 0; i < n && (long)i < q.limit_n; i++) {
        const struct acc_place *pl = &r->places[idx[i]];
        char m[16];
        int32_t s = c.times.place_site[idx[i]];
        cli_minutes(c.times.place_ms[idx[i]], m, sizeof(m));
        char pad[96];
        printf("%-12s %s %-10s %8.0f %10s %s\n", pl->unit >= 0 ? r->units[pl->unit].code : "-",
               text_pad(pl->unit >= 0 ? r->units[pl->unit].name : "(grid cell)", 24, pad,
                        sizeof(pad)),
               pl->unit >= 0 && r->parent[pl->unit] >= 0 ? r->units[r->parent[pl->unit]].code
                                                         : "-",
               pl->people, m, s >= 0 ? r->site_recs[s].code : "-");
    }
    free(idx);
    acc_circle_release(&c);
    cli_circle_close(st, g);
    return 0;
}

int cli_access_catchment(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_circle c;
    int rc = cli_circle_args(&q, argc, argv,
                             "access catchment [--set S] [--mode M] [--minutes N] [--ou CODE]"
                             " [--graph FILE]");

    if (rc != 0 || (rc = cli_circle_run(cfg, &q, &st, &g, &c)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    double *all = xmalloc((r->n_sites + 1) * sizeof(*all));
    double *within = xmalloc((r->n_sites + 1) * sizeof(*within));
    acc_catchment_sum(&c.times, r->places, r->n_sites, (uint32_t)q.minutes_n * 60000u, all,
                      within);
    cli_circle_head(&q, &c);
    printf("%-16s %-20s %-32s %10s %10s\n", "code", "type", "name", "people", "within");
    for (size_t s = 0; s < r->n_sites; s++) {
        char pad[128];
        printf("%-16s %-20s %s %10.0f %10.0f\n", r->site_recs[s].code,
               vocab_code(VOCAB_FACILITY_TYPE, r->site_recs[s].type),
               text_pad(r->site_recs[s].name, 32, pad, sizeof(pad)), all[s], within[s]);
    }
    free(all);
    free(within);
    acc_circle_release(&c);
    cli_circle_close(st, g);
    return 0;
}

/* Resolve the facility codes of --close and --move to site indices. */
static int cli_circle_resolve(struct cli_circle *q, const struct acc_region *r)
{
    for (size_t i = 0; i < q->n_changes; i++) {
        if (q->change_codes[i] == NULL)
            continue;
        size_t s = 0;
        while (s < r->n_sites && strcmp(r->site_recs[s].code, q->change_codes[i]) != 0)
            s++;
        if (s == r->n_sites) {
            fprintf(stderr, "yilian: change %zu: no active facility \"%s\" with coordinates "
                            "in the %s set\n", i + 1, q->change_codes[i], acc_set_name(r->set));
            return 1;
        }
        q->changes[i].site = s;
    }
    return 0;
}

static void cli_circle_total(const char *label, const struct acc_circle *c, int minutes,
                             double *within)
{
    const struct acc_region *r = &c->region;
    struct acc_cover_row *rows = xmalloc((r->n_units + 1) * sizeof(*rows));
    acc_coverage_sum(&c->times, r->places, r->parent, r->n_units, (uint32_t)minutes * 60000u,
                     rows);
    const struct acc_cover_row *t = &rows[r->n_units];
    printf("%-8s %4zu facilities: %.0f of %.0f people within %d minutes (%.1f%%)\n", label,
           r->n_sites, t->within_t, t->people, minutes, cli_pct(t->within_t, t->people));
    *within = t->within_t;
    free(rows);
}

int cli_access_whatif(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_circle before, after;
    struct yl_err err = {0};
    double w0, w1;
    int rc = cli_circle_args(&q, argc, argv,
                             "access whatif [--set S] [--mode M] [--minutes N] [--ou CODE]"
                             " (--add LAT,LON | --close CODE | --move CODE=LAT,LON)...");

    if (rc != 0)
        return rc;
    if (q.n_changes == 0) {
        fprintf(stderr, "yilian: access whatif needs at least one --add, --close or --move\n");
        return 2;
    }
    if ((rc = cli_circle_run(cfg, &q, &st, &g, &before)) != 0)
        return rc;
    if (cli_circle_resolve(&q, &before.region) != 0) {
        acc_circle_release(&before);
        cli_circle_close(st, g);
        return 1;
    }
    q.o.changes = q.changes;
    q.o.n_changes = q.n_changes;
    if (acc_circle_run(st, g, &q.o, &after, &err) != 0) {
        acc_circle_release(&before);
        cli_circle_close(st, g);
        return cli_fail(&err);
    }
    cli_circle_total("before", &before, q.minutes_n, &w0);
    cli_circle_total("after", &after, q.minutes_n, &w1);
    printf("change   %+.0f people within %d minutes\n", w1 - w0, q.minutes_n);
    acc_circle_release(&before);
    acc_circle_release(&after);
    cli_circle_close(st, g);
    return 0;
}

/* Candidate points from a CSV with lat, lon and optionally name. */
static int cli_read_candidates(const char *path, struct acc_point **pts, size_t *n)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t cap = 64;
    long lineno = 0;

    if (f == NULL) {
        fprintf(stderr, "yilian: could not open \"%s\"\n", path);
        return 1;
    }
    *pts = xmalloc(cap * sizeof(**pts));
    *n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        if (lineno == 1 && strncmp(line, "lat", 3) == 0)
            continue;
        char *end;
        struct acc_point p;
        p.lat = strtod(line, &end);
        if (end == line || *end != ',')
            goto bad;
        char *s = end + 1;
        p.lon = strtod(s, &end);
        if (end == s || (*end != ',' && *end != '\n' && *end != '\r' && *end != '\0') ||
            p.lat < -90 || p.lat > 90 || p.lon < -180 || p.lon > 180)
            goto bad;
        if (*n == cap) {
            cap *= 2;
            *pts = xrealloc(*pts, cap * sizeof(**pts));
        }
        (*pts)[(*n)++] = p;
    }
    fclose(f);
    return 0;
bad:
    fprintf(stderr, "yilian: %s line %ld: expected lat,lon in degrees\n", path, lineno);
    fclose(f);
    free(*pts);
    return 1;
}

int cli_access_propose(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_circle c;
    struct yl_err err = {0};
    struct acc_point *cand = NULL;
    size_t *cand_place = NULL, n_cand = 0;
    double w0;
    int rc = cli_circle_args(&q, argc, argv,
                             "access propose [--k N] [--minutes N] [--mode M] [--set S]"
                             " [--ou CODE] [--candidates POINTS.csv] [--graph FILE]");

    if (rc != 0 || (rc = cli_circle_run(cfg, &q, &st, &g, &c)) != 0)
        return rc;
    const struct acc_region *r = &c.region;
    if (q.candidates != NULL)
        rc = cli_read_candidates(q.candidates, &cand, &n_cand);
    else
        acc_region_candidates(r, &cand, &cand_place, &n_cand);
    if (rc == 0) {
        struct acc_pick *picks = xmalloc((size_t)q.k_n * sizeof(*picks));
        long n = acc_propose(g, q.o.mode, &c.times, r->places, cand, n_cand,
                             (uint32_t)q.minutes_n * 60000u, (size_t)q.k_n, picks, &err);
        if (n < 0) {
            rc = cli_fail(&err);
        } else {
            cli_circle_head(&q, &c);
            cli_circle_total("now", &c, q.minutes_n, &w0);
            printf("%zu candidates (%s); greedy picks:\n", n_cand,
                   q.candidates ? q.candidates : "villages with people and no facility of "
                                                 "the set");
            printf("%4s %-12s %-24s %10s %10s %8s %10s\n", "rank", "code", "name", "lat", "lon",
                   "gain", "total");
            double total = w0;
            for (long i = 0; i < n; i++) {
                size_t k = picks[i].candidate;
                const struct acc_place *pl = cand_place ? &r->places[cand_place[k]] : NULL;
                total += picks[i].gain;
                char pad[96];
                printf("%4ld %-12s %s %10.5f %10.5f %8.0f %10.0f\n", i + 1,
                       pl ? r->units[pl->unit].code : "-",
                       text_pad(pl ? r->units[pl->unit].name : "-", 24, pad, sizeof(pad)),
                       cand[k].lat, cand[k].lon, picks[i].gain, total);
            }
            if (n == 0)
                printf("  (no candidate brings anyone new within %d minutes)\n", q.minutes_n);
        }
        free(picks);
    }
    free(cand);
    free(cand_place);
    acc_circle_release(&c);
    cli_circle_close(st, g);
    return rc;
}

int cli_access_isochrone(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_circle c;
    struct yl_err err = {0};
    int minutes[8];
    size_t n_minutes = 0;
    int rc = cli_circle_args(&q, argc, argv,
                             "access isochrone [--set S] [--mode M] [--minutes 5,15,30]"
                             " [--cell METRES] [--facility CODE] [--graph FILE] > FILE.geojson");

    if (rc != 0)
        return rc;
    const char *s = q.minutes ? q.minutes : "5,10,15,30";
    while (*s != '\0') {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 240 || n_minutes == 8 || (*end != ',' && *end != '\0')) {
            fprintf(stderr, "yilian: --minutes is up to 8 whole numbers from 1 to 240, as "
                            "5,15,30\n");
            return 2;
        }
        minutes[n_minutes++] = (int)v;
        s = *end == ',' ? end + 1 : end;
    }
    bool ok = true;
    long cell = cli_long(q.cell, 100, 5000, 250, &ok);
    if (!ok || n_minutes == 0) {
        fprintf(stderr, "yilian: --cell is 100 to 5000 metres\n");
        return 2;
    }
    if ((rc = cli_circle_run(cfg, &q, &st, &g, &c)) != 0)
        return rc;
    if (q.facility != NULL) {
        size_t i = 0;
        while (i < c.region.n_sites && strcmp(c.region.site_recs[i].code, q.facility) != 0)
            i++;
        if (i == c.region.n_sites) {
            fprintf(stderr, "yilian: no active facility \"%s\" with coordinates in the %s set\n",
                    q.facility, acc_set_name(q.o.set));
            rc = 1;
            goto out;
        }
        struct acc_point one = c.region.sites[i];
        acc_times_release(&c.times);
        if (acc_times_compute(g, q.o.mode, acc_set_direction(q.o.set, q.o.mode), &one, 1, NULL,
                              0, &c.times, &err) != 0) {
            rc = cli_fail(&err);
            goto out;
        }
    }
    struct acc_iso_grid grid;
    struct buf b;
    acc_iso_grid_build(g, &c.times, (double)cell, &grid);
    buf_init(&b, (size_t)1 << 30);
    rc = acc_iso_geojson(&grid, q.o.mode, minutes, n_minutes, &b, &err);
    if (rc == 0) {
        fwrite(b.data, 1, b.len, stdout);
        putchar('\n');
    } else {
        rc = cli_fail(&err);
    }
    buf_release(&b);
    acc_iso_grid_release(&grid);
out:
    acc_circle_release(&c);
    cli_circle_close(st, g);
    return rc;
}

int cli_access_indicators(struct cli_config *cfg, int argc, char **argv)
{
    struct cli_circle q;
    struct store *st;
    struct acc_graph *g;
    struct acc_indicator rows[ACC_N_INDICATORS];
    struct yl_err err = {0};
    int rc = cli_circle_args(&q, argc, argv, "access indicators [--ou CODE] [--graph FILE]");

    if (rc != 0 || (rc = cli_circle_open(cfg, &q, &st, &g)) != 0)
        return rc;
    rc = acc_indicators(st, g, q.ou, rows, &err);
    if (rc == 0) {
        printf("%-22s %-55s %10s %10s %7s\n", "code", "indicator", "within", "people", "%");
        for (int i = 0; i < ACC_N_INDICATORS; i++)
            printf("%-22s %-55s %10.0f %10.0f %7.1f\n", rows[i].code, rows[i].name,
                   rows[i].within, rows[i].people, cli_pct(rows[i].within, rows[i].people));
    }
    cli_circle_close(st, g);
    return rc != 0 ? cli_fail(&err) : 0;
}

int cli_access_import_osm(struct cli_config *cfg, int argc, char **argv)
{
    char *args[16];
    int n = 0;

    if (argc < 1 || argc > 13 || argv[0][0] == '-') {
        fprintf(stderr, "usage: yilian access import-osm FILE.osm[.pbf] [--out FILE] "
                        "[--speeds FILE.csv]\n");
        return 2;
    }
    args[n++] = "--osm";
    for (int i = 0; i < argc; i++)
        args[n++] = argv[i];
    return cli_access_build(cfg, n, args);
}
