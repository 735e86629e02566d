/*
 * adcode.h - GB/T 2260-style administrative division codes.
 *
 * A code's length gives its level: 2 digits province (1), 4 city (2), 6 county/district (3),
 * 9 township/street (4), 12 village/community (5). Its parent is its prefix one level up.
 * Province-level codes are a fixed national list (11 Beijing … 82 Macao).
 */
#ifndef YL_ADCODE_H
#define YL_ADCODE_H

#include <stdbool.h>
#include <stddef.h>

struct yl_err;

enum adcode_level {
    ADCODE_PROVINCE = 1,
    ADCODE_CITY = 2,
    ADCODE_COUNTY = 3,
    ADCODE_TOWNSHIP = 4,
    ADCODE_VILLAGE = 5,
};

#define ADCODE_MAX_LEN 12

/* Level (1..5) of an all-digit code of length n, or 0 when the length is not 2/4/6/9/12 or a
 * character is not a digit. */
int adcode_level(const char *code, size_t n);

/* Length in digits of a level's code (2, 4, 6, 9, 12), 0 for an unknown level. */
size_t adcode_level_len(int level);

/* Copy the parent's code (the prefix one level up) into out (ADCODE_MAX_LEN + 1 bytes).
 * Returns false for a province or an invalid code. */
bool adcode_parent(const char *code, size_t n, char *out);

/* True when the two digits name an existing province-level division. */
bool adcode_province_exists(const char two_digits[2]);

/* True when `code` lies in the subtree of `ancestor` (prefix and a level at or below it). */
bool adcode_in_subtree(const char *code, const char *ancestor);

/* Validate: digits, a level length, an existing province, and for levels 2+ a non-zero
 * part of its own ("2224" yes, "2200" no). YL_EINVAL with `field` otherwise. */
int adcode_validate(const char *code, size_t n, const char *field, struct yl_err *err);

#endif
