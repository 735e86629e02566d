/*
 * rng.c - the scan statistic's random numbers: xoshiro256** seeded through splitmix64.
 *
 * Monte Carlo p-values must be reproducible from a seed the caller passes, independent of
 * the C library's rand(). References: Blackman and Vigna, Scrambled linear pseudorandom
 * number generators, ACM TOMS 47 (2021); Steele, Lea, Flood, Fast splittable pseudorandom
 * number generators, OOPSLA 2014 (splitmix64).
 */
#include "detect_int.h"

static uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 spreads any seed, 0 included, over the 256-bit state. */
static uint64_t rng_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void surv_rng_seed(struct surv_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix(&seed);
}

uint64_t surv_rng_next(struct surv_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

uint64_t surv_rng_below(struct surv_rng *r, uint64_t bound)
{
    /* Reject the top values that would make some residues more likely than others. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;

    do {
        x = surv_rng_next(r);
    } while (x >= limit);
    return x % bound;
}
