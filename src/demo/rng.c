/*
 * rng.c - the demo's seeded numbers: xoshiro256** streams seeded by splitmix64 (Vigna,
 * "Further scramblings of Marsaglia's xorshift generators", 2017), a keyed Feistel
 * permutation for unique numbers, and largest-remainder apportionment for exact totals.
 * Pure functions of their seeds: no clock, no global state.
 */
#include "demo/demo_int.h"

#include <math.h>
#include <stdlib.h>

uint64_t demo_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void demo_rng_seed(struct demo_rng *r, uint64_t seed, uint64_t stream)
{
    /* splitmix64 over seed and stream: distinct streams of one seed start far apart, and
     * the state is never all zero (which xoshiro cannot leave). */
    uint64_t x = demo_mix64(seed) ^ demo_mix64(stream * 0xd1b54a32d192ed03ull + 1);
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ull;
        r->s[i] = demo_mix64(x);
    }
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

double demo_rng_normal(struct demo_rng *r)
{
    /* Irwin-Hall: twelve uniforms less six. Close enough to normal for jitter, and free of
     * log() and cos(), whose last bit may differ between maths libraries. */
    double sum = 0;
    for (int i = 0; i < 12; i++)
        sum += demo_rng_unit(r);
    return sum - 6.0;
}

size_t demo_rng_weighted(struct demo_rng *r, const double *w, size_t n)
{
    double sum = 0, x;

    for (size_t i = 0; i < n; i++)
        sum += w[i];
    if (!(sum > 0))
        return n - 1;
    x = demo_rng_unit(r) * sum;
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    /* Rounding can leave x just past the last weight: take the last positive one. */
    for (size_t i = n; i-- > 0;)
        if (w[i] > 0)
            return i;
    return n - 1;
}

static uint32_t demo_feistel(uint64_t key, uint32_t x)
{
    uint32_t l = x >> 16, rr = x & 0xffffu;

    for (uint64_t round = 0; round < 4; round++) {
        uint32_t f = (uint32_t)(demo_mix64(key ^ (round << 56) ^ rr) & 0xffffu);
        uint32_t t = rr;
        rr = l ^ f;
        l = t;
    }
    return (l << 16) | rr;
}

uint32_t demo_perm32(uint64_t key, uint32_t x, uint32_t n)
{
    /* Cycle walking: apply the permutation of [0, 2^32) until the value falls inside
     * [0, n); the walk from an x < n stays a bijection of [0, n). */
    uint32_t y = demo_feistel(key, x);
    while (n != 0 && y >= n)
        y = demo_feistel(key, y);
    return y;
}

struct demo_rem {
    double frac;
    size_t i;
};

static int demo_rem_cmp(const void *a, const void *b)
{
    const struct demo_rem *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac > y->frac ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i ? 1 : 0);
}

void demo_apportion(const double *w, size_t n, long total, long *out)
{
    double sum = 0;
    long given = 0;
    struct demo_rem *rem;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        sum += w[i] > 0 ? w[i] : 0;
    if (!(sum > 0)) {
        out[0] = total;
        for (size_t i = 1; i < n; i++)
            out[i] = 0;
        return;
    }
    rem = xmalloc(n * sizeof(*rem));
    for (size_t i = 0; i < n; i++) {
        double q = (w[i] > 0 ? w[i] : 0) * (double)total / sum;
        out[i] = (long)floor(q);
        rem[i].frac = q - (double)out[i];
        rem[i].i = i;
        given += out[i];
    }
    qsort(rem, n, sizeof(*rem), demo_rem_cmp);
    for (size_t k = 0; given < total; k = (k + 1) % n) {
        out[rem[k].i]++;
        given++;
    }
    /* Floating error can over-give by one at most; take it back from the largest. */
    while (given > total) {
        size_t big = 0;
        for (size_t i = 1; i < n; i++)
            if (out[i] > out[big])
                big = i;
        out[big]--;
        given--;
    }
    free(rem);
}
