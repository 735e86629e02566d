/*
 * out.c - the demo's CSV writer: one 4 MiB buffer per file, filled by hand-formatting
 * helpers and written with plain fwrite, because ten million rows through printf would
 * spend most of their time parsing format strings.
 */
#include "demo/demo_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "core/date.h"
#include "core/err.h"

int demo_out_open(struct demo_out *o, const char *dir, const char *name, const char *header,
                  struct yl_err *err)
{
    int n;

    memset(o, 0, sizeof(*o));
    n = snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(o->path))
        return yl_err_set(err, YL_EINVAL, "dir", "output folder path is too long");
    o->f = fopen(o->path, "wb");
    if (o->f == NULL)
        return yl_err_set(err, YL_EIO, NULL, "could not open \"%s\" for writing (errno %d)",
                          o->path, errno);
    /* Our own buffer does the batching; stdio's would only copy it once more. */
    setvbuf(o->f, NULL, _IONBF, 0);
    o->cap = DEMO_OUT_BUF;
    o->buf = xmalloc(o->cap);
    demo_out_str(o, header);
    demo_out_char(o, '\n');
    return 0;
}

void demo_out_flush(struct demo_out *o)
{
    if (o->len == 0 || o->f == NULL)
        return;
    if (fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

int demo_out_close(struct demo_out *o, struct yl_err *err)
{
    int rc = 0;

    if (o->f == NULL)
        return 0;
    demo_out_flush(o);
    if (fclose(o->f) != 0)
        o->failed = 1;
    o->f = NULL;
    free(o->buf);
    o->buf = NULL;
    if (o->failed)
        rc = yl_err_set(err, YL_EIO, NULL, "could not write \"%s\"", o->path);
    return rc;
}

void demo_out_long(struct demo_out *o, long v, int width)
{
    char tmp[24];
    int n = 0;
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    while (n < width && n < (int)sizeof(tmp) - 1)
        tmp[n++] = '0';
    if (v < 0)
        tmp[n++] = '-';
    if (o->len + (size_t)n > o->cap)
        demo_out_flush(o);
    while (n > 0)
        o->buf[o->len++] = tmp[--n];
}

void demo_out_date(struct demo_out *o, int32_t day)
{
    char s[DATE_STR_LEN];

    if (day == DATE_INVALID)
        return;
    date_format(day, s);
    demo_out_mem(o, s, DATE_STR_LEN - 1);
}

void demo_out_fixed(struct demo_out *o, double v, int decimals)
{
    long scale = 1;
    long long q;

    for (int i = 0; i < decimals; i++)
        scale *= 10;
    q = llround(fabs(v) * (double)scale);
    if (v < 0 && q != 0)
        demo_out_char(o, '-');
    demo_out_long(o, (long)(q / scale), 1);
    if (decimals > 0) {
        demo_out_char(o, '.');
        demo_out_long(o, (long)(q % scale), decimals);
    }
}

void demo_out_field(struct demo_out *o, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        demo_out_str(o, s);
        return;
    }
    demo_out_char(o, '"');
    for (; *s != '\0'; s++) {
        if (*s == '"')
            demo_out_char(o, '"');
        demo_out_char(o, *s);
    }
    demo_out_char(o, '"');
}
