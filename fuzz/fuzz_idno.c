/*
 * fuzz_idno.c - libFuzzer target for the ID number, date and division code parsers.
 *
 * Beyond not crashing, it checks invariants: an accepted number reparses to itself, an
 * accepted date formats back to the input, and a code's parent is one level up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/adcode.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed `today` (2025-06-01) keeps runs reproducible. */
#define FUZZ_TODAY 20240

static int fuzz_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void fuzz_idno(const char *s, size_t n)
{
    struct idno_info info, again;
    struct yl_err err;
    char masked[IDNO_LEN + 1];

    yl_err_clear(&err);
    if (idno_parse(s, n, FUZZ_TODAY, &info, "id", &err) != 0) {
        if (err.code != YL_EINVAL || err.message[0] == '\0')
            abort();
        /* The message must never repeat the number (its first 8 digits, say). */
        if (n >= 8 && fuzz_all_digits(s, 8) &&
            memmem(err.message, strlen(err.message), s, 8) != NULL)
            abort();
        return;
    }
    if (strlen(info.number) != IDNO_LEN || info.birth > FUZZ_TODAY)
        abort();
    if (info.number[17] != idno_check_char(info.number))
        abort();
    yl_err_clear(&err);
    if (idno_parse(info.number, IDNO_LEN, FUZZ_TODAY, &again, "id", &err) != 0)
        abort();
    if (strcmp(again.number, info.number) != 0 || again.birth != info.birth ||
        again.sex != info.sex)
        abort();
    idno_mask(info.number, masked);
    if (strlen(masked) != IDNO_LEN || memcmp(masked + 6, "********", 8) != 0)
        abort();
}

static void fuzz_date(const char *s, size_t n)
{
    struct yl_err err;
    char buf[DATE_STR_LEN];
    int32_t days;
    int iso_year, week;

    yl_err_clear(&err);
    if (date_parse(s, n, &days, "date", &err) != 0) {
        if (err.code != YL_EINVAL)
            abort();
        return;
    }
    if (n != 10 || memcmp(date_format(days, buf), s, 10) != 0)
        abort();
    date_iso_week(days, &iso_year, &week);
    if (week < 1 || week > 53 || date_weekday_iso(days) < 1 || date_weekday_iso(days) > 7)
        abort();
    /* Arithmetic far beyond the valid range must saturate to DATE_INVALID, not overflow. */
    if (date_add_months(days, INT32_MAX) != DATE_INVALID ||
        date_add_days(days, INT32_MIN) != DATE_INVALID)
        abort();
    if (date_add_months(date_add_months(days, 12), -12) > days)
        abort();
}

static void fuzz_adcode(const char *s, size_t n)
{
    struct yl_err err;
    char parent[ADCODE_MAX_LEN + 1];
    char code[ADCODE_MAX_LEN + 1];
    int level = adcode_level(s, n);

    yl_err_clear(&err);
    if (adcode_validate(s, n, "adcode", &err) == 0 && level == 0)
        abort();
    if (adcode_parent(s, n, parent)) {
        if (level < ADCODE_CITY || adcode_level(parent, strlen(parent)) != level - 1)
            abort();
        memcpy(code, s, n);
        code[n] = '\0';
        if (!adcode_in_subtree(code, parent))
            abort();
    } else if (level >= ADCODE_CITY) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;

    fuzz_idno(s, size);
    fuzz_date(s, size);
    fuzz_adcode(s, size);
    return 0;
}
