/*
 * fuzz_protocol.c - libFuzzer target for a region's own protocol file: the input written to
 * a file and loaded after the shipped protocol (measurements, items and rules refer to each
 * other by code; a bad row must be refused with its line, never crash), and the input as
 * the text form of an event's measurements ("code=value" pairs) parsed against the shipped
 * protocol and formatted back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "services/events.h"
#include "services/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzzer runs from the project root (scripts/fuzz-smoke.sh). */
static const char *const shipped[] = {"data/measurements.csv", "data/protocols.csv",
                                      "data/protocol-rules.csv"};

static const struct svc_protocol *base(void)
{
    static struct svc_protocol *p;
    static int tried;
    if (!tried) {
        struct yl_err err = {0};
        tried = 1;
        if (svc_protocol_load(shipped, 3, &p, &err) != 0)
            p = NULL;
    }
    return p;
}

static void load_local(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/yilian-fuzz-protocol-%ld.csv", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return;
    fwrite(data, 1, size, f);
    fclose(f);
    const char *paths[4] = {shipped[0], shipped[1], shipped[2], path};
    struct svc_protocol *p = NULL;
    struct yl_err err = {0};
    if (svc_protocol_load(paths, 4, &p, &err) == 0)
        svc_protocol_free(p);
    else if (err.code == 0 || p != NULL)
        abort(); /* a refusal must say why and leave nothing behind */
    remove(path);
}

static void measurements(const uint8_t *data, size_t size)
{
    const struct svc_protocol *p = base();
    if (p == NULL)
        return;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct svc_measure_list *l = malloc(sizeof(*l));
    struct yl_err err = {0};
    if (svc_measures_parse(p, text, l, &err) == 0) {
        /* Check against an item that records blood pressure, and format what passes. */
        int item = svc_item_find(p, "htn_followup");
        struct svc_measure_value out[SVC_ITEM_MEASURES + 8];
        size_t n;
        char normal[SVC_MEASUREMENTS_MAX];
        if (item >= 0 && svc_measures_check(p, item, l->v, l->n, out,
                                            sizeof(out) / sizeof(out[0]), &n, &err) == 0) {
            (void)svc_event_outcome(p, item, out, n);
            (void)svc_measures_format(p, out, n, normal, sizeof(normal), &err);
        }
    } else if (err.code == 0) {
        abort();
    }
    free(l);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_local(data, size);
    measurements(data, size);
    return 0;
}
