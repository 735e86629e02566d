/*
 * worklists_bench.c - figures for worklists (issue 4, "Benchmark"): for N synthetic
 * residents with about 10 service events each in the last year, put straight into the
 * population index, the time of one team's worklist (best of 20; goal under 5 ms), of every
 * worklist of every team one after the other, of a township's worklist, of one team's
 * worklist by a full pass without the roster, and the roster build; plans and history events
 * per second. One thread throughout. Prints figures; it is not a test.
 *
 *   make build/release/bench_worklists
 *   build/release/bench_worklists [N ...]        default: 1000000 10000000
 *
 * The region: a township per 10,000 residents, 20 villages each, two family-doctor teams
 * per township (about 3,000 signed residents a team). Residents are spread over the villages
 * at random, so a team's rows lie all over the index (the honest case for the caches).
 * The service history is put with the index's own unlocked setter (pindex_int.h): there is
 * no public put for it, because in the product only a store read fills it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex.h"
#include "pindex/pindex_int.h"
#include "services/worklist.h"
#include "vocab/vocab.h"

#define RESIDENTS_PER_TOWNSHIP 10000
#define VILLAGES_PER_TOWNSHIP 20
#define TOWNSHIPS_PER_COUNTY 20
#define TEAMS_PER_TOWNSHIP 2
#define EVENTS_PER_RESIDENT 10
#define FIRST_COUNTY 3

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* --- the region ------------------------------------------------------------------------- */

struct region {
    uint32_t counties, townships, villages;
    uint32_t first_township, first_village;
    uint32_t teams;
};

static void region_shape(size_t n, struct region *g)
{
    g->townships = (uint32_t)(n / RESIDENTS_PER_TOWNSHIP);
    if (g->townships < 2)
        g->townships = 2;
    g->counties = (g->townships + TOWNSHIPS_PER_COUNTY - 1) / TOWNSHIPS_PER_COUNTY;
    g->villages = g->townships * VILLAGES_PER_TOWNSHIP;
    g->first_township = FIRST_COUNTY + g->counties;
    g->first_village = g->first_township + g->townships;
    g->teams = g->townships * TEAMS_PER_TOWNSHIP;
}

static void put_ou(struct pidx *x, uint32_t id, uint8_t level, uint32_t parent,
                   const char *code)
{
    struct pidx_ou o = {.present = true, .level = level, .parent = parent};
    snprintf(o.code, sizeof(o.code), "%.12s", code);
    pidx_ou_put(x, id, &o);
}

static void build_region(struct pidx *x, const struct region *g)
{
    char code[32];
    put_ou(x, 1, 1, PIDX_NONE, "22");
    put_ou(x, 2, 2, 1, "2224");
    for (uint32_t c = 0; c < g->counties; c++) {
        snprintf(code, sizeof(code), "2224%02u", (c + 1) % 100);
        put_ou(x, FIRST_COUNTY + c, 3, 2, code);
    }
    for (uint32_t t = 0; t < g->townships; t++) {
        uint32_t county = t / TOWNSHIPS_PER_COUNTY;
        snprintf(code, sizeof(code), "2224%02u%03u", (county + 1) % 100,
                 100 + t % TOWNSHIPS_PER_COUNTY);
        put_ou(x, g->first_township + t, 4, FIRST_COUNTY + county, code);
        struct pidx_facility f = {.present = true, .type = FT_TOWNSHIP_CENTER,
                                  .ou = g->first_township + t};
        pidx_facility_put(x, t + 1, &f);
        for (uint32_t k = 0; k < TEAMS_PER_TOWNSHIP; k++) {
            struct pidx_team tm = {.present = true, .facility = t + 1};
            pidx_team_put(x, 1 + t * TEAMS_PER_TOWNSHIP + k, &tm);
        }
        for (uint32_t v = 0; v < VILLAGES_PER_TOWNSHIP; v++) {
            char vcode[48];
            snprintf(vcode, sizeof(vcode), "%.9s%03u", code, v + 1);
            put_ou(x, g->first_village + t * VILLAGES_PER_TOWNSHIP + v, 5,
                   g->first_township + t, vcode);
        }
    }
}

/* --- residents and their services ------------------------------------------------------- */

/* Item indexes by group, looked up once. */
struct items {
    int elderly[6], child[12], htn[2], dm[2], adult[2], maternal[3];
};

static void items_find(const struct svc_protocol *p, struct items *it)
{
    static const char *const elderly[6] = {"elderly_checkup", "elderly_tcm", "htn_followup",
                                           "htn_followup", "htn_yearly", "dm_followup"};
    static const char *const child[12] = {"hepb_1", "bcg_1", "hepb_2", "ipv_1", "ipv_2",
                                          "dtap_1", "dtap_2", "child_3m", "child_6m",
                                          "hepb_3", "mmr_1", "child_12m"};
    static const char *const maternal[3] = {"prenatal_1", "prenatal_2", "prenatal_3"};
    for (int i = 0; i < 6; i++)
        it->elderly[i] = svc_item_find(p, elderly[i]);
    for (int i = 0; i < 12; i++)
        it->child[i] = svc_item_find(p, child[i]);
    for (int i = 0; i < 3; i++)
        it->maternal[i] = svc_item_find(p, maternal[i]);
    it->htn[0] = svc_item_find(p, "htn_followup");
    it->htn[1] = svc_item_find(p, "htn_yearly");
    it->dm[0] = svc_item_find(p, "dm_followup");
    it->dm[1] = svc_item_find(p, "dm_yearly");
    it->adult[0] = svc_item_find(p, "cervical_screen");
    it->adult[1] = svc_item_find(p, "breast_screen");
}

static int32_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

/* Resident i: born over 90 years, 60% signed with a team of their township for the year,
 * hypertension in a quarter and diabetes in a tenth of those 35 and over, 3% of women of
 * 20-35 pregnant; 10 services spread over the last year, of items fitting their group. */
static void put_resident(struct pidx *x, const struct region *g, const struct items *it,
                         uint32_t i, int32_t today, size_t *events)
{
    uint64_t h = mix(i), k = mix(h);
    uint32_t village = (uint32_t)(h % g->villages), township = village / VILLAGES_PER_TOWNSHIP;
    struct pidx_resident r = {.ou = g->first_village + village, .end_date = PIDX_OPEN};
    struct pidx_span spans[4];
    size_t n = 0;
    r.sex = (uint8_t)(1 + ((h >> 40) & 1));
    r.birth = today - 1 - (int32_t)((h >> 8) % (90 * 365));
    r.record_date = r.residence_from = r.birth;
    int age = date_age_years(r.birth, today);
    if ((h >> 20) % 100 < 60) {
        uint32_t team = 1 + township * TEAMS_PER_TOWNSHIP + (uint32_t)((h >> 30) & 1);
        spans[n++] = (struct pidx_span){ymd(2026, 1, 1), ymd(2026, 12, 31), team,
                                        PIDX_SPAN_CONTRACT, {0}};
    }
    bool htn = age >= 35 && (k % 100) < 25, dm = age >= 35 && (k >> 8) % 100 < 10;
    bool pregnant = r.sex == 2 && age >= 20 && age < 35 && (k >> 16) % 100 < 3;
    if (htn)
        spans[n++] = (struct pidx_span){ymd(2018, 3, 1), PIDX_OPEN, TAG_HYPERTENSION,
                                        PIDX_SPAN_TAG, {0}};
    if (dm)
        spans[n++] = (struct pidx_span){ymd(2019, 5, 1), PIDX_OPEN, TAG_DIABETES,
                                        PIDX_SPAN_TAG, {0}};
    if (pregnant) {
        spans[n] = (struct pidx_span){today - 60, PIDX_OPEN, TAG_PREGNANT, PIDX_SPAN_TAG, {0}};
        pidx_span_set_due(&spans[n++], today + 200);
    }
    pidx_resident_put(x, i, &r, spans, n);
    struct svc_done done[EVENTS_PER_RESIDENT];
    for (int e = 0; e < EVENTS_PER_RESIDENT; e++) {
        uint64_t z = mix(k + (uint64_t)e);
        const int *pick = age >= 65 ? it->elderly : age < 6 ? it->child : pregnant ? it->maternal
                                                       : htn ? it->htn : dm ? it->dm : it->adult;
        int choices = age >= 65 ? 6 : age < 6 ? 12 : pregnant ? 3 : 2;
        done[e].day = today - 365 + e * 36 + (int32_t)(z % 30);
        done[e].item = (uint16_t)pick[z % (uint64_t)choices];
        done[e].outcome = (z >> 20) % 10 < 3 ? SVC_OUT_UNCONTROLLED : SVC_OUT_CONTROLLED;
        done[e].reserved = 0;
    }
    /* Days rise with e, so the run is sorted as the index keeps it. */
    pidx_done_set(x, i, done, EVENTS_PER_RESIDENT);
    *events += EVENTS_PER_RESIDENT;
}

/* --- timings ---------------------------------------------------------------------------- */

struct scan_figures {
    double seconds;
    size_t residents, entries, rows, events;
};

static void scan_once(struct pidx *x, const struct svc_protocol *p, const struct svc_roster *r,
                      const struct svc_wl_area *area, int32_t today, struct scan_figures *f)
{
    struct svc_worklist_query q = {.today = today, .horizon_days = SVC_WL_HORIZON_DEFAULT,
                                   .done_from = SVC_DAY_NONE, .done_to = SVC_DAY_NONE,
                                   .item = -1, .program = -1, .limit = 50};
    struct arena a;
    struct svc_worklist wl;
    arena_init(&a);
    double t0 = now_s();
    struct svc_candidates cand = {.roster = r};
    svc_worklist_scan(x, p, r != NULL ? &cand : NULL, area, &q, &a, &wl);
    f->seconds = now_s() - t0;
    f->residents = wl.residents;
    f->entries = wl.entries;
    f->rows = wl.counts[SVC_STATE_DUE] + wl.counts[SVC_STATE_OVERDUE] +
              wl.counts[SVC_STATE_UPCOMING];
    f->events = wl.residents * EVENTS_PER_RESIDENT;
    arena_release(&a);
}

static void best_of(int times, struct pidx *x, const struct svc_protocol *p,
                    const struct svc_roster *r, const struct svc_wl_area *area, int32_t today,
                    struct scan_figures *best)
{
    for (int i = 0; i < times; i++) {
        struct scan_figures f;
        scan_once(x, p, r, area, today, &f);
        if (i == 0 || f.seconds < best->seconds)
            *best = f;
    }
}

static void run(size_t n, const struct svc_protocol *p)
{
    const int32_t today = ymd(2026, 6, 30);
    struct region g;
    struct items it;
    region_shape(n, &g);
    items_find(p, &it);
    struct pidx *x = pidx_new();
    pidx_set_protocol(x, p);
    build_region(x, &g);
    size_t events = 0;
    double t0 = now_s();
    for (uint32_t i = 1; i <= n; i++)
        put_resident(x, &g, &it, i, today, &events);
    double build_s = now_s() - t0;
    printf("\n%zu residents, %zu service events, %u teams, %u townships, %u villages\n", n,
           events, g.teams, g.townships, g.villages);
    printf("  index built in %.2f s (%.0f residents/s), %.1f bytes a resident with history\n",
           build_s, (double)n / build_s, (double)pidx_memory(x, NULL, NULL) / (double)n);

    t0 = now_s();
    struct svc_roster *roster = svc_roster_build(x, today);
    printf("  roster of the day built in %.1f ms\n", (now_s() - t0) * 1e3);

    struct svc_wl_area team = {.kind = SVC_WL_TEAM, .team = 1};
    struct scan_figures one;
    best_of(20, x, p, roster, &team, today, &one);
    printf("  one team's worklist (roster), best of 20: %.3f ms  [%zu residents, %zu plan "
           "entries, %zu to do; goal < 5 ms]\n",
           one.seconds * 1e3, one.residents, one.entries, one.rows);
    printf("    plan building: %.0f residents/s, %.0f history events/s\n",
           (double)one.residents / one.seconds, (double)one.events / one.seconds);

    double all_s = 0;
    size_t all_res = 0, all_rows = 0, all_events = 0;
    for (uint32_t t = 1; t <= g.teams; t++) {
        struct svc_wl_area a = {.kind = SVC_WL_TEAM, .team = t};
        struct scan_figures f;
        scan_once(x, p, roster, &a, today, &f);
        all_s += f.seconds;
        all_res += f.residents;
        all_rows += f.rows;
        all_events += f.events;
    }
    printf("  every worklist of every team (%u, one after the other): %.3f s  [%zu residents, "
           "%zu to do; %.0f history events/s]\n",
           g.teams, all_s, all_res, all_rows, (double)all_events / all_s);

    struct svc_wl_area town = {.kind = SVC_WL_OU, .ou = g.first_township};
    struct scan_figures tw;
    best_of(5, x, p, roster, &town, today, &tw);
    printf("  one township's worklist (roster), best of 5: %.3f ms  [%zu residents]\n",
           tw.seconds * 1e3, tw.residents);

    struct scan_figures full;
    best_of(3, x, p, NULL, &team, today, &full);
    printf("  one team's worklist by a full pass (no roster), best of 3: %.1f ms\n",
           full.seconds * 1e3);
    svc_roster_free(roster);
    pidx_free(x);
}

int main(int argc, char **argv)
{
    struct svc_protocol *p = NULL;
    struct yl_err err = {0};
    if (cli_protocol_load(NULL, &p, &err) != 0) {
        fprintf(stderr, "bench_worklists: %s (run from the checkout)\n", yl_err_message(&err));
        return 1;
    }
    static const size_t dflt[] = {1000000, 10000000};
    int runs = argc > 1 ? argc - 1 : 2;
    for (int i = 0; i < runs; i++)
        run(argc > 1 ? (size_t)strtoull(argv[i + 1], NULL, 10) : dflt[i], p);
    svc_protocol_free(p);
    return 0;
}
