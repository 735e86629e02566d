/*
 * fuzz_osm.c - libFuzzer target for the OpenStreetMap import: arbitrary bytes as an .osm XML
 * file through acc_graph_build (the expat check, libreadosm, tags, components, layout).
 *
 * Beyond not crashing, it checks invariants: a refusal carries a code and a message; a built
 * graph has nodes, every mode's component fits in it, and a node's own place snaps to a node
 * of the mode within the limit. (The built bytes pass the same checks as a loaded file: the
 * build ends by validating them.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_speeds_csv[] =
    "highway,foot_kmh,bicycle_kmh,ebike_kmh,car_kmh,implied_oneway\n"
    "motorway,0,0,0,112,1\nprimary,4,15,20,96,0\nresidential,4,15,20,48,0\n"
    "footway,4,5,5,0,0\nsteps,4,0,0,0,0\nferry,10,10,10,10,0\noffroad,4,4,4,4,0\n";

static char fuzz_path[64];

static void fuzz_cleanup(void)
{
    unlink(fuzz_path);
}

/* libreadosm reads files named .osm, so each input goes to one temporary file. */
static int fuzz_write(const uint8_t *data, size_t size)
{
    if (fuzz_path[0] == '\0') {
        snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/yilian-fuzz-osm-%ld.osm", (long)getpid());
        atexit(fuzz_cleanup);
    }
    FILE *f = fopen(fuzz_path, "wb");
    if (f == NULL)
        return -1;
    size_t n = fwrite(data, 1, size, f);
    return fclose(f) == 0 && n == size ? 0 : -1;
}

static void fuzz_check_graph(struct acc_graph *g)
{
    uint32_t n = acc_graph_nodes(g);

    if (n == 0)
        abort();
    for (int m = 0; m < ACC_N_MODES; m++) {
        struct acc_snap s;
        if (acc_graph_mode_nodes(g, (enum acc_mode)m) > n)
            abort();
        for (uint32_t v = 0; v < n && v < 8; v++) {
            if (!acc_graph_node_has_mode(g, v, (enum acc_mode)m))
                continue;
            /* Snapping a node's own place finds a node of the mode within the limit (itself,
             * or a neighbour when it lies on ferries only and is never snapped to). */
            if (acc_snap_point(g, (enum acc_mode)m, acc_graph_node_point(g, v), 1.0, &s) &&
                (s.distance_m > 1.0 || !acc_graph_node_has_mode(g, s.node, (enum acc_mode)m)))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct acc_speeds speeds;
    static int have_speeds;
    struct acc_build_report rep;
    struct acc_graph *g = NULL;
    struct yl_err err;

    if (!have_speeds) {
        FILE *f = fmemopen((void *)fuzz_speeds_csv, sizeof(fuzz_speeds_csv) - 1, "r");
        yl_err_clear(&err);
        if (f == NULL || acc_speeds_read(f, "fuzz", &speeds, &err) != 0)
            abort();
        fclose(f);
        have_speeds = 1;
    }
    if (size > (1u << 20) || fuzz_write(data, size) != 0)
        return 0;
    yl_err_clear(&err);
    if (acc_graph_build(fuzz_path, &speeds, &g, &rep, &err) != 0) {
        if (g != NULL || err.code == 0 || err.message[0] == '\0')
            abort();
        return 0;
    }
    fuzz_check_graph(g);
    acc_graph_free(g);
    return 0;
}
