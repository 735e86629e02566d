/*
 * file.c - the graph file: written once by `yilian access build`, mapped read-only by every
 * process that routes, and checked before use.
 *
 * The file is the graph: a header (magic, version, byte order, size, checksum, counts, the
 * snapping grid, a table of sections) and aligned arrays that the code reads in place. A
 * damaged file must give an error, never a crash, so loading verifies the checksum and then
 * every offset and node index the searches will follow; both are one pass over the bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/access_int.h"
#include "core/err.h"
#include "core/mem.h"

uint64_t acc_checksum(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;

    /* Each word is mixed in with a multiply and a rotation, so a changed, swapped or
     * zeroed word changes the sum; four lanes keep the multiplies from waiting on each
     * other. Not cryptographic: it guards against damage, not against an adversary. */
    uint64_t lane[4] = {h, h ^ 1, h ^ 2, h ^ 3};
    size_t words = n / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t w;
        memcpy(&w, b + i * 8, 8);
        uint64_t *l = &lane[i & 3];
        *l = (*l ^ w) * 0xFF51AFD7ED558CCDull;
        *l = (*l << 31) | (*l >> 33);
    }
    for (int k = 0; k < 4; k++)
        h = (h ^ lane[k]) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 29);
}

/* The length each section must have, from the header's counts. */
static uint64_t acc_expected_length(const struct acc_file_header *h, int s)
{
    uint64_t n = h->n_nodes, cells = (uint64_t)h->grid_w * h->grid_h;

    switch (s) {
    case ACC_SEC_LAT:
    case ACC_SEC_LON:
        return n * 4;
    case ACC_SEC_MODES:
        return n;
    case ACC_SEC_CELL_FIRST:
    case ACC_SEC_CELL_COUNT:
        return cells * 4;
    default:
        break;
    }
    int k = (s - ACC_SEC_MODE0) % ACC_SEC_PER_MODE;
    int m = (s - ACC_SEC_MODE0) / ACC_SEC_PER_MODE;
    return k % 2 == 0 ? (n + 1) * 4 : (uint64_t)h->n_edges[m] * sizeof(struct acc_edge);
}

static int acc_check_header(const struct acc_file_header *h, size_t size, const char *name,
                            struct yl_err *err)
{
    if (size < sizeof(*h) || memcmp(h->magic, ACC_FILE_MAGIC, sizeof(h->magic)) != 0)
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\" is not a yilian road graph file",
                          name);
    if (h->version != ACC_FILE_VERSION)
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\" is a road graph of format version "
                          "%u; this yilian reads version %d: rebuild it with `yilian access "
                          "build`", name, h->version, ACC_FILE_VERSION);
    if (h->endian != ACC_FILE_ENDIAN || h->header_size != sizeof(*h))
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\" was written by a machine of "
                          "another byte order or layout", name);
    if (h->file_size != size)
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\" is truncated or extended: %zu "
                          "bytes, its header says %llu", name, size,
                          (unsigned long long)h->file_size);
    if (acc_checksum((const unsigned char *)h + h->header_size, size - h->header_size) !=
        h->checksum)
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\" is corrupted: checksum mismatch",
                          name);
    return 0;
}

static int acc_check_sections(const struct acc_file_header *h, size_t size, const char *name,
                              struct yl_err *err)
{
    if (h->n_nodes >= UINT32_MAX || (uint64_t)h->grid_w * h->grid_h == 0 ||
        (uint64_t)h->grid_w * h->grid_h > (64u << 20) || !(h->cell_lat_deg > 0.0) ||
        !(h->cell_lon_deg > 0.0) || !(h->offroad_kmh > 0.0) || !isfinite(h->grid_lat0) ||
        !isfinite(h->grid_lon0) || !(h->cell_lat_deg < 180.0) || !(h->cell_lon_deg < 360.0) ||
        !(h->offroad_kmh < 1000.0))
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\": impossible counts in the header",
                          name);
    for (int s = 0; s < ACC_SEC_COUNT; s++) {
        const struct acc_file_section *sec = &h->sections[s];
        if (sec->offset % ACC_FILE_ALIGN != 0 || sec->offset < h->header_size ||
            sec->offset > size || sec->length > size - sec->offset ||
            sec->length != acc_expected_length(h, s))
            return yl_err_set(err, YL_EINVAL, "graph", "\"%s\": section %d lies outside the "
                              "file or has the wrong length", name, s);
    }
    return 0;
}

/* Offsets rise from 0 to the edge count and every edge names a node. */
static bool acc_adjacency_ok(const uint32_t *off, const struct acc_edge *e, uint32_t n,
                             uint32_t n_edges)
{
    if (off[0] != 0 || off[n] != n_edges)
        return false;
    for (uint32_t v = 0; v < n; v++)
        if (off[v] > off[v + 1])
            return false;
    for (uint32_t i = 0; i < n_edges; i++)
        if (e[i].node >= n)
            return false;
    return true;
}

static bool acc_cells_ok(const struct acc_graph *g)
{
    size_t cells = (size_t)g->hdr->grid_w * g->hdr->grid_h;
    for (size_t c = 0; c < cells; c++)
        if (g->cell_count[c] > g->n || g->cell_first[c] > g->n - g->cell_count[c])
            return false;
    return true;
}

int acc_graph_attach(struct acc_graph *g, const unsigned char *base, size_t size, int mapped,
                     const char *name, struct yl_err *err)
{
    const struct acc_file_header *h = (const struct acc_file_header *)base;
    int rc = acc_check_header(h, size, name, err);

    if (rc == 0)
        rc = acc_check_sections(h, size, name, err);
    if (rc != 0)
        return rc;
    memset(g, 0, sizeof(*g));
    g->base = base;
    g->size = size;
    g->mapped = mapped;
    g->hdr = h;
    g->n = h->n_nodes;
    g->lat_e7 = (const int32_t *)(base + h->sections[ACC_SEC_LAT].offset);
    g->lon_e7 = (const int32_t *)(base + h->sections[ACC_SEC_LON].offset);
    g->modes = base + h->sections[ACC_SEC_MODES].offset;
    g->cell_first = (const uint32_t *)(base + h->sections[ACC_SEC_CELL_FIRST].offset);
    g->cell_count = (const uint32_t *)(base + h->sections[ACC_SEC_CELL_COUNT].offset);
    for (int m = 0; m < ACC_N_MODES; m++) {
        const struct acc_file_section *s = &h->sections[ACC_SEC_MODE0 + m * ACC_SEC_PER_MODE];
        struct acc_mode_adj *a = &g->adj[m];
        a->fwd_off = (const uint32_t *)(base + s[0].offset);
        a->fwd = (const struct acc_edge *)(base + s[1].offset);
        a->rev_off = (const uint32_t *)(base + s[2].offset);
        a->rev = (const struct acc_edge *)(base + s[3].offset);
        if (!acc_adjacency_ok(a->fwd_off, a->fwd, g->n, h->n_edges[m]) ||
            !acc_adjacency_ok(a->rev_off, a->rev, g->n, h->n_edges[m]))
            return yl_err_set(err, YL_EINVAL, "graph", "\"%s\": the %s edges name nodes "
                              "that do not exist", name, acc_mode_name((enum acc_mode)m));
    }
    if (!acc_cells_ok(g))
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\": the snapping grid names nodes "
                          "that do not exist", name);
    return 0;
}

int acc_graph_load(const char *path, struct acc_graph **out, struct yl_err *err)
{
    struct stat st;
    void *p;
    int fd, rc;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return yl_err_set(err, errno == ENOENT ? YL_ENOTFOUND : YL_EIO, "graph",
                          "cannot open road graph \"%s\"%s", path,
                          errno == ENOENT ? ": no such file (build it with `yilian access "
                                            "build --osm FILE`)" : "");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return yl_err_set(err, YL_EIO, "graph", "\"%s\" is not a regular file", path);
    }
    if ((size_t)st.st_size < sizeof(struct acc_file_header)) {
        close(fd);
        return yl_err_set(err, YL_EINVAL, "graph", "\"%s\" is not a yilian road graph file "
                          "(%lld bytes, too short for the header)", path,
                          (long long)st.st_size);
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return yl_err_set(err, YL_EIO, "graph", "cannot map road graph \"%s\"", path);
    *out = xcalloc(1, sizeof(**out));
    rc = acc_graph_attach(*out, p, (size_t)st.st_size, 1, path, err);
    if (rc != 0) {
        munmap(p, (size_t)st.st_size);
        free(*out);
        *out = NULL;
    }
    return rc;
}

int acc_graph_write(const struct acc_graph *g, const char *path, struct yl_err *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = xmalloc(n);
    FILE *f;
    int ok;

    snprintf(tmp, n, "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (f == NULL) {
        free(tmp);
        return yl_err_set(err, YL_EIO, "out", "cannot create \"%s\"", path);
    }
    ok = fwrite(g->base, 1, g->size, f) == g->size;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    if (!ok)
        return yl_err_set(err, YL_EIO, "out", "cannot write \"%s\"", path);
    return 0;
}

void acc_graph_free(struct acc_graph *g)
{
    if (g == NULL)
        return;
    if (g->mapped)
        munmap((void *)g->base, g->size);
    else
        free((void *)g->base);
    free(g);
}

uint32_t acc_graph_nodes(const struct acc_graph *g)
{
    return g->n;
}

uint32_t acc_graph_edges(const struct acc_graph *g, enum acc_mode mode)
{
    return g->hdr->n_edges[mode];
}

uint32_t acc_graph_mode_nodes(const struct acc_graph *g, enum acc_mode mode)
{
    return g->hdr->mode_nodes[mode];
}

size_t acc_graph_bytes(const struct acc_graph *g)
{
    return g->size;
}

double acc_graph_offroad_kmh(const struct acc_graph *g)
{
    return g->hdr->offroad_kmh;
}

struct acc_point acc_graph_node_point(const struct acc_graph *g, uint32_t node)
{
    return (struct acc_point){g->lat_e7[node] / 1e7, g->lon_e7[node] / 1e7};
}

bool acc_graph_node_has_mode(const struct acc_graph *g, uint32_t node, enum acc_mode mode)
{
    return node < g->n && (g->modes[node] >> mode & 1);
}
