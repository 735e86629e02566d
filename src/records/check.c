/*
 * check.c - field checks of a health record, shared by the API and the CSV import: text,
 * names, phones, ICD-10 codes, dates against birth and today, maternal deaths; and masks.
 *
 * Checks read length-delimited views and allocate nothing, because the import runs them on
 * hundreds of thousands of records a second. Messages say what is wrong, never the value
 * (names and phones are personal data). ICD-10 shape: WHO ICD-10 (category A00-Z99, with an
 * optional subdivision after the dot, as in the Chinese clinical edition "I21.900").
 */
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "records/records_int.h"

/* Decode one UTF-8 character at s (n bytes left): its code point and length, or length 0
 * when the bytes are not valid UTF-8 (overlong forms and surrogates included). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
        *cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
        *cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
        *cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

int rec_check_text(const char *s, size_t n, size_t min_chars, size_t max_chars,
                   const char *field, struct yl_err *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_next(p + i, n - i, &cp);
        if (len == 0)
            return yl_err_set(err, YL_EINVAL, field, "%s is not valid UTF-8", field);
        /* Control characters (C0, DEL, C1) have no place in a record and break exports. */
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            return yl_err_set(err, YL_EINVAL, field, "%s contains a control character",
                              field);
        i += len;
        chars++;
    }
    if (chars < min_chars)
        return yl_err_set(err, YL_EINVAL, field, min_chars == 1 ? "%s is required"
                                                                : "%s is too short", field);
    if (chars > max_chars)
        return yl_err_set(err, YL_EINVAL, field, "%s is longer than %zu characters", field,
                          max_chars);
    return 0;
}

int rec_check_name(const char *s, size_t n, const char *field, struct yl_err *err)
{
    int rc = rec_check_text(s, n, 1, REC_NAME_CHARS, field, err);
    if (rc != 0)
        return rc;
    /* A space at either end would make a name that looks the same but does not match a
     * prefix search. */
    if (s[0] == ' ' || s[n - 1] == ' ')
        return yl_err_set(err, YL_EINVAL, field, "%s must not begin or end with a space",
                          field);
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int rec_check_phone(const char *s, size_t n, const char *field, struct yl_err *err)
{
    if (n == 0)
        return 0;
    /* Mobile numbers: 11 digits, 1 then 3-9 (the allocated mobile prefixes). */
    if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && all_digits(s, n))
        return 0;
    /* Landlines: a trunk 0 with a 2- or 3-digit area code, a hyphen, a 7- or 8-digit local
     * number ("010-12345678", "0433-1234567"). */
    const char *dash = memchr(s, '-', n);
    if (s[0] == '0' && dash != NULL) {
        size_t area = (size_t)(dash - s), local = n - area - 1;
        if ((area == 3 || area == 4) && (local == 7 || local == 8) && all_digits(s, area) &&
            all_digits(dash + 1, local))
            return 0;
    }
    return yl_err_set(err, YL_EINVAL, field,
                      "%s must be an 11-digit mobile number (1[3-9]XXXXXXXXX) or a landline "
                      "(0XXX-XXXXXXX)", field);
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum(char c)
{
    return is_upper(c) || (c >= '0' && c <= '9');
}

int rec_check_icd10(const char *s, size_t n, const char *field, struct yl_err *err)
{
    bool ok = n >= 3 && is_upper(s[0]) && all_digits(s + 1, 2);
    if (ok && n > 3) {
        ok = s[3] == '.' && n >= 5 && n <= 8;
        for (size_t i = 4; ok && i < n; i++)
            ok = is_alnum(s[i]);
    }
    if (!ok)
        return yl_err_set(err, YL_EINVAL, field,
                          "%s must be an ICD-10 code: a capital letter, two digits and "
                          "optionally a dot and 1 to 4 letters or digits (\"I21.9\")", field);
    return 0;
}

int rec_check_day(int32_t day, int32_t birth, int32_t today, const char *field,
                  const char *what, struct yl_err *err)
{
    if (day < birth)
        return yl_err_set(err, YL_EINVAL, field, "%s is before the birth date", what);
    if (day > today)
        return yl_err_set(err, YL_EINVAL, field, "%s is in the future", what);
    return 0;
}

int rec_check_maternal(int sex, int32_t birth, int32_t death, const char *field,
                       struct yl_err *err)
{
    if (sex != 2)
        return yl_err_set(err, YL_EINVAL, field, "a maternal death must be a woman's");
    /* The WHO maternal mortality ratio counts deaths of women of reproductive age; the
     * national reporting forms use 10 to 60 years as the plausible range. */
    int age = date_age_years(birth, death);
    if (age < 10 || age > 60)
        return yl_err_set(err, YL_EINVAL, field,
                          "a maternal death must be of a woman aged 10 to 60 at death");
    return 0;
}

int rec_parse_date(const char *s, int required, const char *field, int32_t *out,
                   struct yl_err *err)
{
    if (s == NULL || s[0] == '\0') {
        *out = DATE_INVALID;
        if (required)
            return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
        return 0;
    }
    return date_parse(s, strlen(s), out, field, err);
}

char *rec_phone_mask(const char *phone, char *out)
{
    size_t n = strnlen(phone, REC_PHONE_MAX + 1);
    if (n > REC_PHONE_MAX)
        n = REC_PHONE_MAX;
    /* Keep what identifies the network or area (the first 3 digits of a mobile, a
     * landline's area code) and the last 4, as bank and carrier receipts do. */
    const char *dash = memchr(phone, '-', n);
    size_t head = dash != NULL ? (size_t)(dash - phone) + 1 : 3;
    size_t tail = 4;
    if (n < head + tail + 1) {
        head = 0;
        tail = n < 4 ? 0 : n - 4 < 4 ? n - 4 : 4;
    }
    memcpy(out, phone, head);
    memset(out + head, '*', n - head - tail);
    memcpy(out + n - tail, phone + n - tail, tail);
    out[n] = '\0';
    return out;
}
