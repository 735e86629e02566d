/*
 * text.c - terminal widths of UTF-8 text (text.h).
 */
#include <stdbool.h>
#include <string.h>

#include "core/text.h"

size_t text_width(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        unsigned cp = *p;
        int len = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (len > 1) {
            cp &= 0xFFu >> (len + 1);
            for (int i = 1; i < len && p[i] != '\0'; i++)
                cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        for (int i = 0; i < len && *p != '\0'; i++)
            p++;
        bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6);
        w += wide ? 2 : 1;
    }
    return w;
}

char *text_pad(const char *s, size_t width, char *out, size_t n)
{
    if (n == 0)
        return out;
    size_t len = strlen(s);
    if (len >= n) {
        /* Cut before a continuation byte, never inside a character. */
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    for (size_t w = text_width(out); w < width && len + 1 < n; w++)
        out[len++] = ' ';
    out[len] = '\0';
    return out;
}
