/*
 * fuzz_import.c - libFuzzer target for what every import reads: the input as a CSV file
 * (header, records, quoting, record length limit, keep/load of a record for a replay) and
 * as an NDJSON file translated to CSV (importer/ndjson.c) and read back the same way. Any
 * refusal must say why; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "importer/importer.h"
#include "importer/importer_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const required[] = {"external_id", "item", NULL};
static const char *const columns[] = {"external_id", "id_number", "item", "date",
                                      "measurements", NULL};

static void read_all(FILE *f)
{
    struct csv_reader *r = csv_open(f, 4096);
    struct yl_err err = {0};
    if (csv_read_header(r, required, &err) != 0) {
        if (err.code == 0)
            abort(); /* a refusal must say why */
        csv_close(r);
        return;
    }
    struct buf kept;
    buf_init(&kept, 1 << 20);
    int rc;
    while ((rc = csv_next(r, &err)) != 0) {
        if (rc < 0) {
            if (err.code == 0)
                abort();
            yl_err_clear(&err);
            continue;
        }
        for (size_t i = 0; i < csv_count(r); i++)
            (void)csv_field(r, i);
        (void)csv_get(r, "item");
        if (csv_record_save(r, &kept) != 0)
            break;
    }
    /* Replay what was kept, as an import's careful pass does. */
    if (kept.data != NULL) {
        const char *end = kept.data + kept.len;
        for (const char *p = kept.data; p != NULL && p < end;)
            p = csv_record_load(r, p);
    }
    buf_release(&kept);
    csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (f == NULL)
        return 0;
    read_all(f);
    rewind(f);
    static const struct imp_spec spec = {
        .what = "fuzz", .resource_type = "fuzz", .required = required, .columns = columns};
    FILE *t = imp_ndjson_open(f, &spec);
    if (t != NULL) {
        read_all(t);
        fclose(t);
    }
    fclose(f);
    return 0;
}
