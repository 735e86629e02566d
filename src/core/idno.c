/*
 * idno.c - resident identity numbers per GB 11643-1999, with the ISO 7064 MOD 11-2 check.
 *
 * Both forms are reduced to 17 digits (the 15-digit form gains "19" before its year) and
 * checked part by part: province, birth date, then the check character. Messages name the
 * part at fault and never echo the number, which is personal data.
 */
#include "idno.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "adcode.h"
#include "date.h"
#include "err.h"

#define IDNO_LEGACY_LEN 15
#define IDNO_BODY_LEN 17
#define IDNO_REGION_LEN 6

/* Weight of each digit: 2^(17-i) mod 11 for position i, as ISO 7064 MOD 11-2 defines. */
static const int idno_weights[IDNO_BODY_LEN] = {
    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
};

/* Check character by weighted sum mod 11. */
static const char idno_check_map[11] = {
    '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2',
};

/* Births before this are refused: no living resident has one, and such a date is almost
 * always a typing error. The oldest published test numbers (1880) fall before it. */
#define IDNO_BIRTH_YEAR_MIN 1900

static bool idno_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool idno_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!idno_is_digit(s[i]))
            return false;
    return true;
}

static int idno_digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

char idno_check_char(const char digits17[17])
{
    int sum = 0;

    for (int i = 0; i < IDNO_BODY_LEN; i++) {
        assert(idno_is_digit(digits17[i]));
        sum += (digits17[i] - '0') * idno_weights[i];
    }
    return idno_check_map[sum % 11];
}

/* The 17 digits before the check character, from either form: 0, or YL_EINVAL when the
 * shape is wrong. */
static int idno_body(const char *s, size_t n, char body[IDNO_BODY_LEN], const char *field,
                     struct yl_err *err)
{
    if (n == IDNO_LEGACY_LEN) {
        if (!idno_all_digits(s, n))
            return yl_err_set(err, YL_EINVAL, field,
                              "the legacy 15-character form must be all digits");
        /* The legacy form omits the century, which was always the 1900s. */
        memcpy(body, s, IDNO_REGION_LEN);
        body[6] = '1';
        body[7] = '9';
        memcpy(body + 8, s + IDNO_REGION_LEN, IDNO_LEGACY_LEN - IDNO_REGION_LEN);
        return 0;
    }
    if (n != IDNO_LEN)
        return yl_err_set(err, YL_EINVAL, field, "must be 18 characters (or the legacy 15)");
    if (!idno_all_digits(s, IDNO_BODY_LEN))
        return yl_err_set(err, YL_EINVAL, field, "the first 17 characters must be digits");
    if (!idno_is_digit(s[17]) && s[17] != 'X' && s[17] != 'x')
        return yl_err_set(err, YL_EINVAL, field, "the last character must be a digit or X");
    memcpy(body, s, IDNO_BODY_LEN);
    return 0;
}

int idno_parse(const char *s, size_t n, int32_t today, struct idno_info *out,
               const char *field, struct yl_err *err)
{
    char body[IDNO_BODY_LEN];
    char check;
    int year, month, day, rc;
    int32_t birth;

    assert(out != NULL);
    assert(s != NULL || n == 0);
    rc = idno_body(s, n, body, field, err);
    if (rc != 0)
        return rc;
    if (!adcode_province_exists(body))
        return yl_err_set(err, YL_EINVAL, field, "no province-level division \"%.2s\"", body);

    year = idno_digits_value(body + 6, 4);
    month = idno_digits_value(body + 10, 2);
    day = idno_digits_value(body + 12, 2);
    if (!date_ymd_valid(year, month, day))
        return yl_err_set(err, YL_EINVAL, field, "birth date is not a calendar date");
    if (year < IDNO_BIRTH_YEAR_MIN)
        return yl_err_set(err, YL_EINVAL, field, "birth date is before %d-01-01",
                          IDNO_BIRTH_YEAR_MIN);
    birth = date_from_ymd(year, month, day);
    if (birth > today)
        return yl_err_set(err, YL_EINVAL, field, "birth date is in the future");

    check = idno_check_char(body);
    if (n == IDNO_LEN && check != (s[17] == 'x' ? 'X' : s[17]))
        return yl_err_set(err, YL_EINVAL, field, "check digit does not match");

    memcpy(out->number, body, IDNO_BODY_LEN);
    out->number[IDNO_BODY_LEN] = check;
    out->number[IDNO_LEN] = '\0';
    memcpy(out->region, body, IDNO_REGION_LEN);
    out->region[IDNO_REGION_LEN] = '\0';
    out->birth = birth;
    /* The last digit of the sequence number is odd for men and even for women. */
    out->sex = (body[16] - '0') % 2 == 1 ? IDNO_MALE : IDNO_FEMALE;
    out->converted_from_15 = n == IDNO_LEGACY_LEN;
    return 0;
}

char *idno_mask(const char *number, char *out)
{
    size_t n = number != NULL ? strnlen(number, IDNO_LEN + 1) : 0;
    size_t keep_head = n == IDNO_LEN ? IDNO_REGION_LEN : 0;
    size_t keep_tail = n < 4 ? n : 4;
    size_t shown, stars;

    if (number == NULL) {
        out[0] = '\0';
        return out;
    }
    /* An over-long input is not a number; it is shown as 18 characters, its last 4 kept. */
    if (n > IDNO_LEN) {
        n = strlen(number);
        shown = IDNO_LEN;
    } else {
        shown = n;
    }
    stars = shown - keep_head - keep_tail;
    memcpy(out, number, keep_head);
    memset(out + keep_head, '*', stars);
    memcpy(out + keep_head + stars, number + n - keep_tail, keep_tail);
    out[shown] = '\0';
    return out;
}
