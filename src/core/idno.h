/*
 * idno.h - resident identity card numbers (公民身份号码) per GB 11643-1999.
 *
 * 18 characters: a 6-digit administrative region code (GB/T 2260, of the place of first
 * registration; numbers keep codes of counties later abolished, so only the province-level
 * prefix is checked against the current list), the birth date YYYYMMDD, a 3-digit sequence
 * whose parity gives the sex (odd male, even female), and an ISO 7064 MOD 11-2 check
 * character (0-9 or X). The legacy 15-digit form (YYMMDD birth date in the 1900s, no check
 * character) is converted to 18 digits. This one function is what every import and the
 * `yilian id check` tool use.
 */
#ifndef YL_IDNO_H
#define YL_IDNO_H

#include <stddef.h>
#include <stdint.h>

struct yl_err;

#define IDNO_LEN 18

enum idno_sex { IDNO_MALE = 1, IDNO_FEMALE = 2 };

struct idno_info {
    char number[IDNO_LEN + 1];  /* canonical 18-character form, upper-case X */
    char region[7];             /* 6-digit region code */
    int32_t birth;              /* day number (date.h) */
    enum idno_sex sex;
    int converted_from_15;      /* 1 when the input was the legacy 15-digit form */
};

/*
 * Validate an ID number of length n against `today` (a day number; the birth date may not be
 * after it). Accepts a lower-case x. Fills *out on success. On failure returns YL_EINVAL,
 * with `field` and a reason that does not repeat the number (it is personal data):
 * "must be 18 characters", "check digit does not match", "birth date is not a calendar
 * date", "birth date is in the future", "region code: no province-level division 99" …
 */
int idno_parse(const char *s, size_t n, int32_t today, struct idno_info *out,
               const char *field, struct yl_err *err);

/* The MOD 11-2 check character ('0'-'9' or 'X') of the first 17 digits. */
char idno_check_char(const char digits17[17]);

/* Masked for display: first 6 and last 4 kept, the rest '*' ("220581********123X").
 * out must hold IDNO_LEN + 1 bytes. Inputs of other lengths are masked entirely but the
 * last 4 characters. */
char *idno_mask(const char *number, char *out);

#endif
