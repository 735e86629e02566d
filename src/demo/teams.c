/*
 * teams.c - the demo's 42 family-doctor teams (家庭医生团队). Each is led by a general
 * practitioner of a township or community health center and covers a contiguous run of its
 * township's villages; its members come from three levels, as the policy asks: the center's
 * GP, nurse and public-health worker, the village doctors of the villages it covers (or the
 * community stations' doctors in town), and a specialist of the city hospital.
 */
#include "demo/demo_int.h"

#include <limits.h>
#include <stdlib.h>

#include "core/err.h"
#include "vocab/vocab.h"

static void demo_team_add_member(struct demo_team *t, int staff)
{
    for (int i = 0; i < t->n_members; i++)
        if (t->members[i] == staff)
            return;
    if (t->n_members < DEMO_TEAM_MAX_MEMBERS)
        t->members[t->n_members++] = staff;
}

/* The k-th staff member (k taken modulo their number) of a facility with one of the roles
 * in `roles` (a bit set of enum staff_role), or -1 when it has none. */
static int demo_staff_with_role(const struct demo_ctx *ctx, int fac, uint32_t roles, int k)
{
    const struct demo_facility *f = &ctx->fac[fac];
    int n = 0;

    for (int i = 0; i < f->n_staff; i++)
        if (roles & (1u << ctx->staff[f->first_staff + i].role))
            n++;
    if (n == 0)
        return -1;
    k %= n;
    for (int i = 0; i < f->n_staff; i++)
        if ((roles & (1u << ctx->staff[f->first_staff + i].role)) && k-- == 0)
            return f->first_staff + i;
    return -1;
}

/* Split a township's units among k teams in code order so that the largest team has as
 * few records as possible (the linear partition problem, by dynamic programming in
 * O(k n^2) for n units), no team without a unit. Returns that largest load; fills
 * team_of[i] (the team, 0..k-1, of the township's i-th unit) when not NULL. */
static long demo_partition(const struct demo_ctx *ctx, const struct demo_town *t, int k,
                           int *team_of)
{
    int n = t->count;
    const struct demo_unit *u = &ctx->reg.units[t->first];
    long *prefix = xcalloc((size_t)n + 1, sizeof(*prefix));
    /* best[j * (n + 1) + i]: smallest largest load of the first i units in j teams; cut[]
     * the start of the last team in that solution. */
    long *best = xmalloc((size_t)(k + 1) * (size_t)(n + 1) * sizeof(*best));
    int *cut = xcalloc((size_t)(k + 1) * (size_t)(n + 1), sizeof(*cut));
    long result;

    for (int i = 0; i < n; i++)
        prefix[i + 1] = prefix[i] + u[i].rec_total;
    for (int j = 0; j <= k; j++)
        for (int i = 0; i <= n; i++)
            best[j * (n + 1) + i] = LONG_MAX;
    best[0] = 0;
    for (int j = 1; j <= k; j++)
        for (int i = j; i <= n; i++)
            for (int p = j - 1; p < i; p++) {
                long prev = best[(j - 1) * (n + 1) + p], load = prefix[i] - prefix[p];
                long worst = prev > load ? prev : load;
                if (prev != LONG_MAX && worst < best[j * (n + 1) + i]) {
                    best[j * (n + 1) + i] = worst;
                    cut[j * (n + 1) + i] = p;
                }
            }
    result = best[k * (n + 1) + n];
    for (int j = k, i = n; team_of != NULL && j >= 1; j--) {
        int p = cut[j * (n + 1) + i];
        for (int q = p; q < i; q++)
            team_of[q] = j - 1;
        i = p;
    }
    free(prefix);
    free(best);
    free(cut);
    return result;
}

void demo_teams_allocate(struct demo_ctx *ctx)
{
    struct demo_region *reg = &ctx->reg;
    long load[DEMO_MAX_TOWNS];
    int left = DEMO_TEAMS;

    /* One team per township, then each further team where it relieves the busiest team
     * of the region most: teams follow the people, as evenly as indivisible villages allow.
     * A township whose busiest team is one large community gains nothing from another, so
     * when no township can be relieved the team goes to the highest mean load. */
    for (int i = 0; i < reg->n_towns; i++) {
        reg->towns[i].n_teams = left > 0 ? 1 : 0;
        left -= reg->towns[i].n_teams;
        load[i] = demo_partition(ctx, &reg->towns[i], reg->towns[i].n_teams, NULL);
    }
    while (left > 0) {
        int top = -1, busiest = -1;
        long top_next = 0;
        for (int i = 0; i < reg->n_towns; i++) {
            const struct demo_town *t = &reg->towns[i];
            long next;
            if (t->n_teams >= t->count)
                continue;
            next = demo_partition(ctx, t, t->n_teams + 1, NULL);
            if (next < load[i] && (top < 0 || load[i] > load[top])) {
                top = i;
                top_next = next;
            }
            if (busiest < 0 || t->rec_total * (reg->towns[busiest].n_teams + 1) >
                                   reg->towns[busiest].rec_total * (t->n_teams + 1))
                busiest = i;
        }
        if (top < 0 && busiest < 0)
            break;
        if (top < 0) {
            top = busiest;
            top_next = demo_partition(ctx, &reg->towns[top], reg->towns[top].n_teams + 1, NULL);
        }
        reg->towns[top].n_teams++;
        load[top] = top_next;
        left--;
    }
}

void demo_teams_build(struct demo_ctx *ctx)
{
    struct demo_region *reg = &ctx->reg;
    const uint32_t nurse = 1u << SROLE_REGISTERED_NURSE;
    const uint32_t public_health = 1u << SROLE_PUBLIC_HEALTH;
    const uint32_t physician = (1u << SROLE_LICENSED_PHYSICIAN);
    const uint32_t any_doctor = (1u << SROLE_LICENSED_PHYSICIAN) |
                                (1u << SROLE_ASSISTANT_PHYSICIAN) |
                                (1u << SROLE_GENERAL_PRACTITIONER) | (1u << SROLE_VILLAGE_DOCTOR);

    ctx->n_teams = 0;
    for (int ti = 0; ti < reg->n_towns; ti++) {
        struct demo_town *t = &reg->towns[ti];
        const struct demo_facility *center = &ctx->fac[t->center];

        int *team_of = xcalloc((size_t)t->count, sizeof(*team_of));

        t->first_team = ctx->n_teams;
        demo_partition(ctx, t, t->n_teams, team_of);
        for (int k = 0; k < t->count; k++)
            reg->units[t->first + k].team = t->first_team + team_of[k];
        free(team_of);
        for (int j = 0; j < t->n_teams && ctx->n_teams < DEMO_TEAMS; j++) {
            int idx = ctx->n_teams++;
            struct demo_team *team = &ctx->teams[idx];
            int s;

            memset(team, 0, sizeof(*team));
            snprintf(team->code, sizeof(team->code), "T%02d", idx + 1);
            snprintf(team->name, sizeof(team->name), "%s家庭医生第%d团队", center->name, j + 1);
            team->facility = t->center;
            team->town = ti;
            /* The center's GPs come first in its staff, one more than it has teams. */
            team->leader = center->first_staff + j;
            demo_team_add_member(team, team->leader);
            s = demo_staff_with_role(ctx, t->center, nurse, j);
            if (s >= 0)
                demo_team_add_member(team, s);
            s = demo_staff_with_role(ctx, t->center, public_health, j);
            if (s >= 0)
                demo_team_add_member(team, s);
            for (int k = 0; k < t->count; k++) {
                const struct demo_unit *u = &reg->units[t->first + k];
                if (u->team != idx)
                    continue;
                team->records += u->rec_total;
                s = -1;
                if (u->clinic >= 0)
                    s = ctx->fac[u->clinic].first_staff;
                else if (u->station >= 0)
                    s = demo_staff_with_role(ctx, u->station, any_doctor, 0);
                if (s >= 0)
                    demo_team_add_member(team, s);
            }
            /* A different city hospital specialist for each team; every third team also
             * has a TCM hospital physician. */
            s = demo_staff_with_role(ctx, ctx->city_hospital, physician, idx * 6 + 1);
            if (s >= 0)
                demo_team_add_member(team, s);
            if (idx % 3 == 2) {
                s = demo_staff_with_role(ctx, ctx->tcm_hospital, physician, idx);
                if (s >= 0)
                    demo_team_add_member(team, s);
            }
        }
    }
}

int demo_write_teams(struct demo_ctx *ctx, struct yl_err *err)
{
    struct demo_out o;
    int rc = demo_out_open(&o, ctx->dir, "teams.csv",
                           "code,name,facility_code,leader_code,member_codes,capacity,status", err);

    if (rc != 0)
        return rc;
    for (int i = 0; i < ctx->n_teams; i++) {
        const struct demo_team *t = &ctx->teams[i];
        /* The guideline capacity: three in four of the team's residents, in hundreds. */
        long capacity = (t->records * 3 / 4 + 99) / 100 * 100;
        demo_out_str(&o, t->code);
        demo_out_comma(&o);
        demo_out_field(&o, t->name);
        demo_out_comma(&o);
        demo_out_str(&o, ctx->fac[t->facility].code);
        demo_out_comma(&o);
        demo_out_str(&o, ctx->staff[t->leader].code);
        demo_out_comma(&o);
        for (int k = 0; k < t->n_members; k++) {
            if (k > 0)
                demo_out_char(&o, ' ');
            demo_out_str(&o, ctx->staff[t->members[k]].code);
        }
        demo_out_comma(&o);
        demo_out_long(&o, capacity, 1);
        demo_out_str(&o, ",active");
        demo_out_end_row(&o);
    }
    ctx->st->teams = o.rows;
    return demo_out_close(&o, err);
}
