/*
 * adcode.c - administrative division codes (GB/T 2260 and the statistical 12-digit codes).
 *
 * A code is its ancestors' codes plus a part of its own: 2 + 2 + 2 + 3 + 3 digits, so the
 * level is read from the length and the parent is a prefix. Only the province-level list is
 * fixed here; lower levels change every year and are checked for shape alone.
 */
#include "adcode.h"

#include <assert.h>
#include <string.h>

#include "err.h"

/* Code length by level; index 0 is unused. */
static const size_t adcode_lens[] = { 0, 2, 4, 6, 9, 12 };
#define ADCODE_LEVELS 5

static const char *const adcode_level_names[] = {
    "", "province", "city", "county", "township", "village",
};

/* Province-level divisions: 22 provinces, 5 autonomous regions, 4 municipalities,
 * Taiwan (71) and the special administrative regions Hong Kong (81) and Macao (82). */
static const char adcode_provinces[][3] = {
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71",
    "81", "82",
};

static bool adcode_all_digits(const char *code, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

static bool adcode_all_zeros(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

/* Level for a code length, or 0. */
static int adcode_level_of_len(size_t n)
{
    for (int level = 1; level <= ADCODE_LEVELS; level++)
        if (adcode_lens[level] == n)
            return level;
    return 0;
}

int adcode_level(const char *code, size_t n)
{
    int level = adcode_level_of_len(n);

    if (level == 0 || !adcode_all_digits(code, n))
        return 0;
    return level;
}

size_t adcode_level_len(int level)
{
    if (level < 1 || level > ADCODE_LEVELS)
        return 0;
    return adcode_lens[level];
}

bool adcode_parent(const char *code, size_t n, char *out)
{
    int level = adcode_level(code, n);
    size_t len;

    if (level < ADCODE_CITY)
        return false;
    len = adcode_lens[level - 1];
    memcpy(out, code, len);
    out[len] = '\0';
    return true;
}

bool adcode_province_exists(const char two_digits[2])
{
    size_t count = sizeof(adcode_provinces) / sizeof(adcode_provinces[0]);

    assert(two_digits != NULL);
    for (size_t i = 0; i < count; i++)
        if (adcode_provinces[i][0] == two_digits[0] && adcode_provinces[i][1] == two_digits[1])
            return true;
    return false;
}

bool adcode_in_subtree(const char *code, const char *ancestor)
{
    /* A longer string is no code; strnlen stops reading there. */
    size_t n = strnlen(code, ADCODE_MAX_LEN + 1);
    size_t an = strnlen(ancestor, ADCODE_MAX_LEN + 1);

    if (adcode_level(code, n) == 0 || adcode_level(ancestor, an) == 0)
        return false;
    return an <= n && memcmp(code, ancestor, an) == 0;
}

int adcode_validate(const char *code, size_t n, const char *field, struct yl_err *err)
{
    int level;

    assert(code != NULL || n == 0);
    if (n == 0)
        return yl_err_set(err, YL_EINVAL, field, "division code must not be empty");
    if (!adcode_all_digits(code, n))
        return yl_err_set(err, YL_EINVAL, field, "division code must contain only digits");
    level = adcode_level_of_len(n);
    if (level == 0)
        return yl_err_set(err, YL_EINVAL, field,
                          "division code must have 2, 4, 6, 9 or 12 digits, not %zu", n);
    if (!adcode_province_exists(code))
        return yl_err_set(err, YL_EINVAL, field, "no province-level division \"%.2s\"", code);
    /* A zero part would stand for the level above, so "2200" is no city of "22". */
    for (int l = ADCODE_CITY; l <= level; l++) {
        size_t start = adcode_lens[l - 1];
        if (adcode_all_zeros(code + start, adcode_lens[l] - start))
            return yl_err_set(err, YL_EINVAL, field,
                              "division code \"%.*s\": %s part must not be zero",
                              (int)n, code, adcode_level_names[l]);
    }
    return 0;
}
