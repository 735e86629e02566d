/*
 * data.c - the data files yilian ships (road speeds, the service protocol, the demo's
 * divisions): found in ./data when run from a checkout, else in the shared data folder of
 * the installation (YILIAN_DATADIR, set by the Makefile from PREFIX); and the protocol the
 * server and the commands load from them plus the region's own files (protocol_files);
 * the indicator catalog with the shipped targets and the region's (indicator_targets); the
 * surveillance catalog (the shipped files, each replaced by one in the surveil_dir folder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "cli/cli_int.h"
#include "core/err.h"
#include "core/mem.h"
#include "indicators/indicators.h"
#include "services/services.h"
#include "surveil/surveil.h"

/* The Makefile sets it from PREFIX; builds that do not (the fuzz targets) get the default. */
#ifndef YILIAN_DATADIR
#define YILIAN_DATADIR "/usr/local/share/yilian/data"
#endif
#define CLI_DATA_CHECKOUT "data"

const char *cli_data_path(const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", CLI_DATA_CHECKOUT, name);
    if (access(out, R_OK) != 0)
        snprintf(out, n, "%s/%s", YILIAN_DATADIR, name);
    return out;
}

/* The comma-separated list of protocol_files as separate paths (trimmed; empty entries
 * skipped), appended to paths[*n..cap). */
static int split_files(const char *list, char *copy, const char **paths, size_t *n, size_t cap,
                       struct yl_err *err)
{
    char *at = copy;
    snprintf(copy, strlen(list) + 1, "%s", list);
    while (*at != '\0') {
        char *end = strchr(at, ',');
        char *next = end != NULL ? end + 1 : at + strlen(at);
        if (end != NULL)
            *end = '\0';
        while (*at == ' ' || *at == '\t')
            at++;
        size_t len = strlen(at);
        while (len > 0 && (at[len - 1] == ' ' || at[len - 1] == '\t'))
            at[--len] = '\0';
        if (len > 0) {
            if (*n == cap)
                return yl_err_set(err, YL_EINVAL, "protocol_files",
                                  "protocol_files names more than %zu files", cap - 3);
            paths[(*n)++] = at;
        }
        at = next;
    }
    return 0;
}

int cli_protocol_load(const struct cli_config *c, struct svc_protocol **out,
                      struct yl_err *err)
{
    enum { CLI_PROTOCOL_FILES = 64 };
    char shipped[3][4096];
    const char *paths[CLI_PROTOCOL_FILES];
    size_t n = 0;
    static const char *const names[3] = {SVC_FILE_MEASUREMENTS, SVC_FILE_PROTOCOLS,
                                         SVC_FILE_RULES};
    for (int i = 0; i < 3; i++)
        paths[n++] = cli_data_path(names[i], shipped[i], sizeof(shipped[i]));
    const char *local = c != NULL && c->protocol_files != NULL ? c->protocol_files : "";
    char *copy = xmalloc(strlen(local) + 1);
    int rc = split_files(local, copy, paths, &n, CLI_PROTOCOL_FILES, err);
    if (rc == 0)
        rc = svc_protocol_load(paths, n, out, err);
    free(copy);
    return rc;
}

int cli_indicator_catalog(const struct cli_config *c, const struct svc_protocol *p,
                          struct ind_catalog **out, struct yl_err *err)
{
    char shipped[4096];
    const char *paths[2] = {cli_data_path("indicator-targets.csv", shipped, sizeof(shipped))};
    size_t n = 1;
    if (c != NULL && c->indicator_targets != NULL && c->indicator_targets[0] != '\0')
        paths[n++] = c->indicator_targets;
    return ind_catalog_new(p, paths, n, out, err);
}

int cli_surveil_catalog(const struct cli_config *c, struct surv_catalog **out,
                        struct yl_err *err)
{
    static const char *const names[3] = {SURV_FILE_DISEASES, SURV_FILE_CHANNELS,
                                         SURV_FILE_PARAMS};
    char paths[3][4096];
    const char *dir = c != NULL && c->surveil_dir != NULL ? c->surveil_dir : "";
    for (int i = 0; i < 3; i++) {
        /* A region replaces a whole file, not rows of it: its list is the list. */
        if (dir[0] != '\0') {
            snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, names[i]);
            if (access(paths[i], R_OK) == 0)
                continue;
        }
        cli_data_path(names[i], paths[i], sizeof(paths[i]));
    }
    return surv_catalog_load(paths[0], paths[1], paths[2], out, err);
}

int cli_alert_rules_load(const struct cli_config *c, struct surv_rules **out,
                         struct yl_err *err)
{
    char path[1024];
    if (c != NULL && c->alert_rules != NULL && c->alert_rules[0] != '\0')
        return surv_rules_load(c->alert_rules, out, err);
    return surv_rules_load(cli_data_path("alert-rules.csv", path, sizeof(path)), out, err);
}
