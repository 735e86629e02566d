/*
 * residents.c - residents.csv and contracts.csv in two passes over the same seeded people:
 * the first counts the active residents of each signing class and picks the maternal deaths,
 * the second draws the same people again and signs exact numbers of each class by selection
 * sampling (Knuth, TAOCP vol. 2, Algorithm S): exactly 121,748 signed, key populations above
 * 80%, special families 100%, in memory independent of the number of residents.
 */
#include "demo/demo_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/date.h"
#include "core/err.h"
#include "vocab/vocab.h"

/* Share of the key populations signed (the published goal is above 80%). */
#define DEMO_KEY_SIGNING 0.865
/* Of the signed, those whose contract renews last year's (a row with status renewed). */
#define DEMO_RENEWED 0.05
/* Of the unsigned, those whose contract of the year before last expired. */
#define DEMO_EXPIRED 0.04
/* Maternal mortality: deaths per live birth, at least one in a region of the default size. */
#define DEMO_MATERNAL_RATE  0.00015
#define DEMO_MATERNAL_SLOTS 16

struct demo_pick {
    int unit;
    long household;
    int member;
    int cls;
};

struct demo_tally {
    long active[DEMO_CLASSES];
    long births;
    long eligible; /* women who could be a maternal death */
    struct demo_pick maternal[DEMO_MATERNAL_SLOTS];
};

static bool demo_maternal_eligible(const struct demo_person *m)
{
    if (m->sex != 2 || m->age < 22 || m->age > 40 || m->status != RSTAT_ACTIVE)
        return false;
    for (int i = 0; i < m->n_tags; i++)
        if (m->tags[i].tag == TAG_PREGNANT)
            return false;
    return true;
}

/* Pass one: count, and keep a uniform sample of eligible women (reservoir sampling,
 * Algorithm R) from which the maternal deaths are taken. */
static void demo_count_pass(struct demo_ctx *ctx, struct demo_tally *t)
{
    struct demo_pass p;
    struct demo_rng rng;
    struct demo_household h;
    struct demo_unit_gen g;

    memset(t, 0, sizeof(*t));
    demo_pass_init(&p, ctx);
    demo_rng_seed(&rng, ctx->seed, DEMO_STREAM_MATERNAL_SAMPLE);
    for (int u = 0; u < ctx->reg.n_units; u++) {
        demo_unit_begin(&p, u, &g);
        while (demo_household_next(&p, &g, &h)) {
            for (int i = 0; i < h.n; i++) {
                const struct demo_person *m = &h.m[i];
                int cls = demo_person_class(m, ctx->ref);
                struct demo_pick pick = {u, h.number, i, cls};
                if (cls >= 0)
                    t->active[cls]++;
                if (m->birth >= ctx->year_start)
                    t->births++;
                if (!demo_maternal_eligible(m))
                    continue;
                if (t->eligible < DEMO_MATERNAL_SLOTS) {
                    t->maternal[t->eligible] = pick;
                } else {
                    uint64_t j = demo_rng_next(&rng) % (uint64_t)(t->eligible + 1);
                    if (j < DEMO_MATERNAL_SLOTS)
                        t->maternal[j] = pick;
                }
                t->eligible++;
            }
        }
    }
    demo_pass_release(&p);
}

static int demo_pick_cmp(const void *a, const void *b)
{
    const struct demo_pick *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    if (x->household != y->household)
        return x->household < y->household ? -1 : 1;
    return x->member < y->member ? -1 : (x->member > y->member);
}

struct demo_writer {
    struct demo_ctx *ctx;
    struct demo_pass pass;
    struct demo_out res, con;
    struct demo_svc svc;
    struct demo_enc enc;
    struct demo_surv surv;
    struct demo_rng rng;  /* contracts */
    struct demo_rng mrng; /* maternal deaths */
    long k_rem[DEMO_CLASSES], n_rem[DEMO_CLASSES];
    struct demo_pick chosen[DEMO_MATERNAL_SLOTS];
    int n_chosen, next_chosen;
    long contract_seq;
};

/* How many of each class to sign: every special family, DEMO_KEY_SIGNING of the other key
 * populations, the rest of the published total from everyone else. */
static void demo_targets(struct demo_writer *w, const long n[DEMO_CLASSES])
{
    long total = w->ctx->n_signed, k[DEMO_CLASSES];

    k[DEMO_CLASS_SPECIAL] = n[DEMO_CLASS_SPECIAL] < total ? n[DEMO_CLASS_SPECIAL] : total;
    total -= k[DEMO_CLASS_SPECIAL];
    k[DEMO_CLASS_KEY] = lround(DEMO_KEY_SIGNING * (double)n[DEMO_CLASS_KEY]);
    if (k[DEMO_CLASS_KEY] > total)
        k[DEMO_CLASS_KEY] = total;
    total -= k[DEMO_CLASS_KEY];
    k[DEMO_CLASS_OTHER] = total < n[DEMO_CLASS_OTHER] ? total : n[DEMO_CLASS_OTHER];
    total -= k[DEMO_CLASS_OTHER];
    /* Too few others: sign more of the key populations. */
    if (total > 0) {
        long more = n[DEMO_CLASS_KEY] - k[DEMO_CLASS_KEY];
        k[DEMO_CLASS_KEY] += total < more ? total : more;
    }
    for (int c = 0; c < DEMO_CLASSES; c++) {
        w->k_rem[c] = k[c];
        w->n_rem[c] = n[c];
    }
}

static void demo_write_resident(struct demo_writer *w, const struct demo_unit *u,
                                const struct demo_household *h, const struct demo_person *m)
{
    struct demo_out *o = &w->res;

    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    demo_out_str(o, m->name);
    demo_out_comma(o);
    demo_out_char(o, (char)('0' + m->sex));
    demo_out_comma(o);
    demo_out_date(o, m->birth);
    demo_out_comma(o);
    demo_out_mem(o, u->code, 12);
    demo_out_comma(o);
    demo_out_mem(o, u->code, 12);
    demo_out_char(o, '-');
    demo_out_long(o, h->number, 5);
    demo_out_comma(o);
    demo_out_str(o, m->phone);
    demo_out_comma(o);
    demo_out_field(o, u->name);
    demo_out_char(o, ' ');
    demo_out_long(o, h->number, 1);
    demo_out_str(o, "号,");
    demo_out_date(o, m->record_date);
    demo_out_comma(o);
    demo_out_str(o, vocab_code(VOCAB_RESIDENT_STATUS, m->status));
    demo_out_comma(o);
    demo_out_date(o, m->status_date);
    demo_out_comma(o);
    if (m->cause != NULL)
        demo_out_str(o, m->cause);
    demo_out_comma(o);
    demo_out_char(o, m->maternal ? '1' : '0');
    demo_out_comma(o);
    for (int i = 0; i < m->n_tags; i++) {
        const struct demo_tag_span *t = &m->tags[i];
        if (i > 0)
            demo_out_char(o, ' ');
        demo_out_str(o, vocab_code(VOCAB_TAG, t->tag));
        demo_out_char(o, ':');
        demo_out_date(o, t->from);
        if (t->to != DATE_INVALID || t->edd != DATE_INVALID) {
            demo_out_char(o, ':');
            demo_out_date(o, t->to);
        }
        if (t->edd != DATE_INVALID) {
            demo_out_char(o, ':');
            demo_out_date(o, t->edd);
        }
    }
    demo_out_end_row(o);
}

struct demo_contract {
    const char *team_code;
    int package;
    int32_t from, to;
    int status;
    int32_t ended;
    const char *reason;
};

static void demo_write_contract(struct demo_writer *w, const struct demo_person *m,
                                const struct demo_contract *c)
{
    struct demo_out *o = &w->con;

    demo_out_str(o, "QY");
    demo_out_long(o, ++w->contract_seq, 9);
    demo_out_comma(o);
    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    demo_out_str(o, c->team_code);
    demo_out_comma(o);
    demo_out_str(o, vocab_code(VOCAB_PACKAGE, c->package));
    demo_out_comma(o);
    demo_out_date(o, c->from);
    demo_out_comma(o);
    demo_out_date(o, c->to);
    demo_out_comma(o);
    demo_out_str(o, vocab_code(VOCAB_CONTRACT_STATUS, c->status));
    demo_out_comma(o);
    if (c->status == CSTAT_TERMINATED) {
        demo_out_date(o, c->ended);
        demo_out_comma(o);
        demo_out_str(o, c->reason);
    } else {
        demo_out_comma(o);
    }
    demo_out_end_row(o);
}

/* The service package a resident signs: by the population they belong to. */
static int demo_package(const struct demo_person *m, int32_t day)
{
    bool chronic = false, pregnant = false;

    for (int i = 0; i < m->n_tags; i++) {
        const struct demo_tag_span *t = &m->tags[i];
        if (!demo_tag_active(t, day))
            continue;
        if (t->tag == TAG_PREGNANT)
            pregnant = true;
        if (t->tag == TAG_HYPERTENSION || t->tag == TAG_DIABETES || t->tag == TAG_SEVERE_MENTAL ||
            t->tag == TAG_TUBERCULOSIS)
            chronic = true;
    }
    if (m->age <= 6 || pregnant)
        return PKG_MATERNAL_CHILD;
    if (chronic)
        return PKG_CHRONIC;
    if (m->age >= 65)
        return PKG_ELDERLY;
    return PKG_BASIC;
}

/* A signing date in [lo, hi]: most contracts are signed in the campaign at the start of
 * the contract year, fewer as it goes on. */
static int32_t demo_sign_date(struct demo_rng *rng, int32_t lo, int32_t hi)
{
    double u = demo_rng_unit(rng);
    int32_t d;

    if (hi <= lo)
        return lo;
    d = lo + (int32_t)((double)(hi - lo + 1) * u * u);
    return d > hi ? hi : d;
}

static int32_t demo_year_end(int32_t from)
{
    return date_add_days(date_add_months(from, 12), -1);
}

/* Contracts of one resident: an active one if selected, maybe last year's before it; a
 * terminated one for a signed resident who died or moved away; an expired one for some
 * who did not renew. Returns the first day of the active contract, or DATE_INVALID. */
static int32_t demo_contracts_of(struct demo_writer *w, const struct demo_unit *u,
                                 const struct demo_person *m, int cls)
{
    struct demo_ctx *ctx = w->ctx;
    struct demo_rng *rng = &w->rng;
    int32_t ws = w->pass.window_start;
    int32_t lo = m->record_date > ws ? m->record_date : ws;
    struct demo_contract c = {ctx->teams[u->team].code,
                              demo_package(m, ctx->ref),
                              DATE_INVALID,
                              DATE_INVALID,
                              CSTAT_ACTIVE,
                              DATE_INVALID,
                              NULL};

    if (cls >= 0) {
        bool sign = (long)demo_rng_below(rng, (uint32_t)w->n_rem[cls]) < w->k_rem[cls];
        w->n_rem[cls]--;
        if (sign) {
            w->k_rem[cls]--;
            c.from = demo_sign_date(rng, lo, ctx->ref);
            c.to = demo_year_end(c.from);
            if (demo_rng_chance(rng, DEMO_RENEWED)) {
                struct demo_contract prev = c;
                prev.from = date_add_months(c.from, -12);
                prev.to = demo_year_end(prev.from);
                prev.status = CSTAT_RENEWED;
                prev.package = demo_package(m, prev.from);
                if (prev.from >= m->record_date && prev.to < c.from)
                    demo_write_contract(w, m, &prev);
            }
            demo_write_contract(w, m, &c);
            ctx->st->signed_residents++;
            return c.from;
        } else if (demo_rng_chance(rng, DEMO_EXPIRED)) {
            /* Lapsed before the contract year began, so that no contract but an active
             * one of an active resident overlaps it. */
            c.from = demo_sign_date(rng, date_add_months(ws, -24), date_add_months(ws, -12) - 1);
            c.to = demo_year_end(c.from);
            c.status = CSTAT_EXPIRED;
            if (c.from >= m->record_date && c.to < ctx->ref)
                demo_write_contract(w, m, &c);
        }
        return DATE_INVALID;
    }
    /* Died or moved away: most key-population members had signed; the contract ended. */
    if (demo_rng_chance(rng, m->age >= 65 || m->n_tags > 0 ? 0.85 : 0.4) && lo < m->status_date) {
        c.from = demo_sign_date(rng, lo, m->status_date - 1);
        c.to = demo_year_end(c.from);
        c.status = CSTAT_TERMINATED;
        c.ended = m->status_date;
        c.reason = m->status == RSTAT_DECEASED ? "deceased" : "moved_out";
        demo_write_contract(w, m, &c);
    }
    return DATE_INVALID;
}

static void demo_tally_person(struct demo_ctx *ctx, const struct demo_person *m)
{
    struct demo_stats *st = ctx->st;
    bool born = m->birth >= ctx->year_start;

    if (born)
        st->births++;
    if (m->status == RSTAT_DECEASED) {
        st->deceased++;
        if (born)
            st->infant_deaths++;
        if (m->maternal)
            st->maternal_deaths++;
    } else if (m->status == RSTAT_MOVED_OUT) {
        st->moved_out++;
    }
}

int demo_write_people(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_tally tally;
    struct demo_writer w;
    struct demo_household h;
    struct demo_unit_gen g;
    long n[DEMO_CLASSES];
    int rc, rc2;

    demo_count_pass(ctx, &tally);
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    /* The maternal deaths: taken from the sample, so none of them was counted as active
     * in the second pass's classes. */
    if (tally.births >= 400) {
        long want = lround((double)tally.births * DEMO_MATERNAL_RATE);
        long have = tally.eligible < DEMO_MATERNAL_SLOTS ? tally.eligible : DEMO_MATERNAL_SLOTS;
        w.n_chosen = (int)(want < 1 ? 1 : (want > have ? have : want));
    }
    memcpy(w.chosen, tally.maternal, sizeof(w.chosen));
    qsort(w.chosen, (size_t)w.n_chosen, sizeof(w.chosen[0]), demo_pick_cmp);
    memcpy(n, tally.active, sizeof(n));
    for (int i = 0; i < w.n_chosen; i++)
        n[w.chosen[i].cls]--;
    demo_targets(&w, n);

    rc = demo_out_open(&w.res, ctx->dir, "residents.csv",
                       "id_number,name,sex,birth_date,ou_code,household,phone,address,"
                       "record_date,status,status_date,death_cause,maternal_death,tags",
                       err);
    if (rc != 0)
        return rc;
    rc = demo_out_open(&w.con, ctx->dir, "contracts.csv",
                       "external_id,id_number,team_code,package,from_date,to_date,status,"
                       "ended_date,end_reason",
                       err);
    if (rc != 0) {
        demo_out_close(&w.res, NULL);
        return rc;
    }
    rc = demo_services_open(&w.svc, ctx, err);
    if (rc != 0) {
        demo_out_close(&w.res, NULL);
        demo_out_close(&w.con, NULL);
        return rc;
    }
    rc = demo_encounters_open(&w.enc, ctx, err);
    if (rc != 0) {
        demo_out_close(&w.res, NULL);
        demo_out_close(&w.con, NULL);
        demo_services_close(&w.svc, NULL);
        return rc;
    }
    rc = demo_surveil_open(&w.surv, ctx, err);
    if (rc != 0) {
        demo_out_close(&w.res, NULL);
        demo_out_close(&w.con, NULL);
        demo_services_close(&w.svc, NULL);
        demo_encounters_close(&w.enc, NULL);
        return rc;
    }
    demo_pass_init(&w.pass, ctx);
    demo_rng_seed(&w.rng, ctx->seed, DEMO_STREAM_CONTRACTS);
    demo_rng_seed(&w.mrng, ctx->seed, DEMO_STREAM_MATERNAL_DEATH);
    for (int ui = 0; ui < ctx->reg.n_units; ui++) {
        const struct demo_unit *u = &ctx->reg.units[ui];
        demo_unit_begin(&w.pass, ui, &g);
        while (demo_household_next(&w.pass, &g, &h)) {
            for (int i = 0; i < h.n; i++) {
                struct demo_person *m = &h.m[i];
                const struct demo_pick *next =
                    w.next_chosen < w.n_chosen ? &w.chosen[w.next_chosen] : NULL;
                if (next != NULL && next->unit == ui && next->household == h.number &&
                    next->member == i) {
                    demo_make_maternal_death(&w.pass, &w.mrng, m);
                    w.next_chosen++;
                }
                demo_write_resident(&w, u, &h, m);
                int32_t signed_from =
                    demo_contracts_of(&w, u, m, demo_person_class(m, ctx->ref));
                demo_services_of(&w.svc, u, m);
                demo_encounters_of(&w.enc, u, m, signed_from);
                demo_surveil_of(&w.surv, u, m);
                demo_tally_person(ctx, m);
            }
            ctx->st->households++;
        }
    }
    demo_pass_release(&w.pass);
    ctx->st->residents = w.res.rows;
    ctx->st->contracts = w.con.rows;
    rc = demo_out_close(&w.res, err);
    rc2 = demo_out_close(&w.con, err);
    if (rc == 0)
        rc = rc2;
    rc2 = demo_services_close(&w.svc, err);
    if (rc == 0)
        rc = rc2;
    rc2 = demo_encounters_close(&w.enc, err);
    if (rc == 0)
        rc = rc2;
    rc2 = demo_surveil_close(&w.surv, err);
    return rc != 0 ? rc : rc2;
}
