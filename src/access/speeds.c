/*
 * speeds.c - the speed table: km/h per highway type and mode, read from a CSV file
 * (data/road-speeds.csv ships the defaults, each speed with its reason), and the modes' names.
 *
 * The table is data, not code, so a region can set its own speeds (mountain roads, a city
 * with slow traffic) without a rebuild of yilian. A speed of 0 means the mode may not use
 * that type unless the way's tags allow it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "core/csv.h"
#include "core/err.h"

/* A speed above this is a typing error (km/h where m/s was meant, an extra digit). */
#define ACC_KMH_MAX 200.0

static const char *const acc_mode_names[ACC_N_MODES] = {"foot", "bicycle", "ebike", "car"};

/* Column of each mode in the CSV file. */
static const char *const acc_mode_columns[ACC_N_MODES] = {
    "foot_kmh", "bicycle_kmh", "ebike_kmh", "car_kmh",
};

/* Other names a user may type for a mode (the walk|bike|drive among them). */
static const struct {
    const char *name;
    enum acc_mode mode;
} acc_mode_aliases[] = {
    {"foot", ACC_FOOT},       {"walk", ACC_FOOT},   {"bicycle", ACC_BICYCLE},
    {"bike", ACC_BICYCLE},    {"cycle", ACC_BICYCLE}, {"ebike", ACC_EBIKE},
    {"e-bike", ACC_EBIKE},    {"car", ACC_CAR},     {"drive", ACC_CAR},
    {"motorcar", ACC_CAR},
};

const char *acc_mode_name(enum acc_mode mode)
{
    return (unsigned)mode < ACC_N_MODES ? acc_mode_names[mode] : "?";
}

bool acc_mode_parse(const char *s, enum acc_mode *out)
{
    for (size_t i = 0; i < sizeof(acc_mode_aliases) / sizeof(acc_mode_aliases[0]); i++) {
        if (strcmp(s, acc_mode_aliases[i].name) == 0) {
            *out = acc_mode_aliases[i].mode;
            return true;
        }
    }
    return false;
}

uint32_t acc_travel_ms(double length_m, double kmh)
{
    double ms = length_m / (kmh / 3.6) * 1000.0;

    /* One edge never takes a quarter of the range, so sums along a path of a region cannot
     * wrap (a quarter is 12 days). */
    if (ms > (double)(UINT32_MAX / 4))
        return UINT32_MAX / 4;
    return (uint32_t)lround(ms);
}

static int acc_parse_kmh(const char *s, double *out)
{
    char *end;
    double v;

    if (*s == '\0')
        return -1;
    v = strtod(s, &end);
    if (*end != '\0' || !(v >= 0.0 && v <= ACC_KMH_MAX))
        return -1;
    *out = v;
    return 0;
}

static int acc_speeds_row(struct csv_reader *r, const char *name, struct acc_speeds *t,
                          struct yl_err *err)
{
    const char *hw = csv_get(r, "highway");
    const char *oneway = csv_get(r, "implied_oneway");
    struct acc_speed_row row;

    memset(&row, 0, sizeof(row));
    if (hw[0] == '\0' || strlen(hw) >= ACC_HIGHWAY_LEN)
        return yl_err_set(err, YL_EINVAL, "highway", "%s: line %ld: highway type empty or "
                          "longer than %d bytes", name, csv_line(r), ACC_HIGHWAY_LEN - 1);
    memcpy(row.highway, hw, strlen(hw) + 1);
    for (int m = 0; m < ACC_N_MODES; m++)
        if (acc_parse_kmh(csv_get(r, acc_mode_columns[m]), &row.kmh[m]) != 0)
            return yl_err_set(err, YL_EINVAL, acc_mode_columns[m],
                              "%s: line %ld: %s must be a number from 0 to %.0f", name,
                              csv_line(r), acc_mode_columns[m], ACC_KMH_MAX);
    if (strcmp(oneway, "0") != 0 && strcmp(oneway, "1") != 0)
        return yl_err_set(err, YL_EINVAL, "implied_oneway",
                          "%s: line %ld: implied_oneway must be 0 or 1", name, csv_line(r));
    row.implied_oneway = oneway[0] == '1';

    if (strcmp(row.highway, "offroad") == 0) {
        if (row.kmh[ACC_FOOT] <= 0.0)
            return yl_err_set(err, YL_EINVAL, "foot_kmh",
                              "%s: line %ld: the offroad walking speed must be above 0",
                              name, csv_line(r));
        t->offroad_kmh = row.kmh[ACC_FOOT];
        return 0;
    }
    if (acc_speeds_find(t, row.highway) != NULL)
        return yl_err_set(err, YL_EINVAL, "highway", "%s: line %ld: highway type \"%s\" "
                          "appears twice", name, csv_line(r), row.highway);
    if (t->n_rows == ACC_SPEED_ROWS_MAX)
        return yl_err_set(err, YL_EINVAL, "highway", "%s: line %ld: more than %d highway "
                          "types", name, csv_line(r), ACC_SPEED_ROWS_MAX);
    t->rows[t->n_rows++] = row;
    return 0;
}

int acc_speeds_read(FILE *f, const char *name, struct acc_speeds *out, struct yl_err *err)
{
    static const char *const required[] = {
        "highway", "foot_kmh", "bicycle_kmh", "ebike_kmh", "car_kmh", "implied_oneway", NULL,
    };
    struct csv_reader *r = csv_open(f, 1 << 12);
    int rc;

    memset(out, 0, sizeof(*out));
    rc = csv_read_header(r, required, err);
    while (rc == 0) {
        rc = csv_next(r, err);
        if (rc <= 0)
            break;
        rc = acc_speeds_row(r, name, out, err);
    }
    csv_close(r);
    if (rc < 0)
        return rc;
    if (out->offroad_kmh <= 0.0)
        return yl_err_set(err, YL_EINVAL, "highway", "%s: no \"offroad\" row (the walking "
                          "speed of snapping)", name);
    return 0;
}

int acc_speeds_load(const char *path, struct acc_speeds *out, struct yl_err *err)
{
    FILE *f = fopen(path, "r");
    int rc;

    if (f == NULL)
        return yl_err_set(err, YL_EIO, NULL, "cannot open speed table \"%s\"", path);
    rc = acc_speeds_read(f, path, out, err);
    fclose(f);
    return rc;
}

const struct acc_speed_row *acc_speeds_find(const struct acc_speeds *t, const char *highway)
{
    for (size_t i = 0; i < t->n_rows; i++)
        if (strcmp(t->rows[i].highway, highway) == 0)
            return &t->rows[i];
    return NULL;
}
