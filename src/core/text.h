/*
 * text.h - UTF-8 text on a terminal: how many columns a string takes (an East Asian wide
 * character takes two), and padding to a width in columns, so tables with Chinese names line
 * up where printf's %-24s counts bytes.
 */
#ifndef YL_TEXT_H
#define YL_TEXT_H

#include <stddef.h>

/* Columns `s` takes on a terminal. */
size_t text_width(const char *s);

/* `s` followed by spaces up to `width` columns, into out (n bytes; cut at a character
 * boundary when it does not fit). Returns out. */
char *text_pad(const char *s, size_t width, char *out, size_t n);

#endif
