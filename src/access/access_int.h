/*
 * access_int.h - what the files of access/ share: the raw network an import produces, the
 * layout of the graph file (which is also the layout of a graph in memory), and the graph
 * itself as a set of views into that one block.
 *
 * A built graph and a loaded one are the same bytes: the builder lays the sections out in a
 * heap block exactly as they go to disk, and loading maps the file and points the same views
 * at it. So there is one layout, one validator and no conversion.
 */
#ifndef YL_ACCESS_INT_H
#define YL_ACCESS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"

/* --- the raw network, from osm.c to graph.c -------------------------------------------- */

/* One directed edge of one mode before the graph is assembled. Nodes index raw->lat/lon. */
struct acc_raw_edge {
    uint32_t from, to;
    uint32_t time_ms;
    uint32_t length_cm;
};

struct acc_raw_edges {
    struct acc_raw_edge *v;
    size_t n, cap;
};

struct acc_raw {
    int32_t *lat_e7, *lon_e7;   /* node coordinates in 1e-7 degrees */
    uint8_t *ferry_only;        /* 1: the node is on ferry routes only (often at sea) */
    uint32_t n_nodes;
    size_t cap_nodes;
    struct acc_raw_edges edges[ACC_N_MODES];
};

/* Road segments longer than this are cut into equal pieces by nodes placed along them, so
 * that a point snaps to within half of it from where it meets the road. */
#define ACC_SPLIT_M 50.0

void acc_raw_release(struct acc_raw *raw);
void acc_raw_edge_push(struct acc_raw_edges *e, struct acc_raw_edge edge);

/* osm.c: read an OSM file into raw (nodes of road ways, edges per mode). */
int acc_osm_read(const char *path, const struct acc_speeds *speeds, struct acc_raw *raw,
                 struct acc_build_report *rep, struct yl_err *err);

/* graph.c: largest component per mode, node order, grid and the file image. */
int acc_graph_assemble(struct acc_raw *raw, double offroad_kmh, struct acc_graph **out,
                       struct acc_build_report *rep, struct yl_err *err);

/* route.c: every node within max_ms of one snapped source (its walk included), each passed
 * once to visit with its time, in order of time; returns how many. Costs what it visits
 * (the search's generation stamps), so many small searches on a large graph stay cheap. */
typedef void (*acc_visit_fn)(void *ctx, uint32_t node, uint32_t time_ms);
long acc_search_within(struct acc_search *s, enum acc_mode mode, enum acc_direction dir,
                       const struct acc_snap *source, uint32_t max_ms, acc_visit_fn visit,
                       void *ctx);

/* speeds.c: milliseconds to cover length_m at kmh (kmh > 0), rounded. */
uint32_t acc_travel_ms(double length_m, double kmh);

/* --- the file layout -------------------------------------------------------------------- */

#define ACC_FILE_MAGIC "YLROADS\x1a"
#define ACC_FILE_VERSION 1
#define ACC_FILE_ENDIAN 0x01020304u
#define ACC_FILE_ALIGN 8

/* Sections, in file order. The per-mode ones repeat for every mode. */
enum acc_section {
    ACC_SEC_LAT,            /* int32[n] latitude, 1e-7 degrees */
    ACC_SEC_LON,            /* int32[n] longitude */
    ACC_SEC_MODES,          /* uint8[n] bit m: node in mode m's component; ACC_NODE_NO_SNAP */
    ACC_SEC_CELL_FIRST,     /* uint32[cells] first node of each grid cell (row-major) */
    ACC_SEC_CELL_COUNT,     /* uint32[cells] its number of nodes */
    ACC_SEC_MODE0,          /* then per mode: fwd offsets, fwd edges, rev offsets, rev edges */
};
#define ACC_SEC_PER_MODE 4
#define ACC_SEC_COUNT (ACC_SEC_MODE0 + ACC_SEC_PER_MODE * ACC_N_MODES)

/* The flag of a node that points must not snap to (a ferry's route across water). */
#define ACC_NODE_NO_SNAP 0x80u
#define ACC_MODE_BITS ((1u << ACC_N_MODES) - 1)

/* One edge of the compressed adjacency: the other node, the time and the length. */
struct acc_edge {
    uint32_t node;
    uint32_t time_ms;
    uint32_t length_cm;
};

struct acc_file_section {
    uint64_t offset;
    uint64_t length;
};

/* The first bytes of the file. Little-endian, as written by the machine that built it. */
struct acc_file_header {
    char magic[8];
    uint32_t version;
    uint32_t endian;
    uint64_t file_size;
    uint64_t checksum;          /* acc_checksum of every byte after the header */
    uint32_t header_size;
    uint32_t n_nodes;
    uint32_t n_edges[ACC_N_MODES];
    uint32_t mode_nodes[ACC_N_MODES];
    uint32_t grid_w, grid_h;
    double grid_lat0, grid_lon0;        /* south-west corner, degrees */
    double cell_lat_deg, cell_lon_deg;
    double offroad_kmh;
    struct acc_file_section sections[ACC_SEC_COUNT];
};

/* Views into the block; every pointer is inside it. */
struct acc_mode_adj {
    const uint32_t *fwd_off, *rev_off;  /* n + 1 entries */
    const struct acc_edge *fwd, *rev;
};

struct acc_graph {
    const unsigned char *base;
    size_t size;
    int mapped;                         /* 1: munmap base, 0: free it */
    const struct acc_file_header *hdr;
    uint32_t n;
    const int32_t *lat_e7, *lon_e7;
    const uint8_t *modes;
    const uint32_t *cell_first, *cell_count;
    struct acc_mode_adj adj[ACC_N_MODES];
};

/* A 64-bit checksum of n bytes (n a multiple of 8, p 8-byte aligned). */
uint64_t acc_checksum(const void *p, size_t n);

/*
 * Point g's views at the block after checking every field and index (file.c). On success g
 * owns the block (mapped says how to release it). On failure YL_EINVAL with the reason
 * prefixed by `name`, and the block is left to the caller.
 */
int acc_graph_attach(struct acc_graph *g, const unsigned char *base, size_t size, int mapped,
                     const char *name, struct yl_err *err);

#endif
