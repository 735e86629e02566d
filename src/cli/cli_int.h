/*
 * cli_int.h - helpers the command files share.
 */
#ifndef YL_CLI_INT_H
#define YL_CLI_INT_H

#include "cli/cli.h"

struct store;
struct yl_err;

#define YILIAN_VERSION "0.1.0"

/* Print "yilian: <message>" (and the field when set) on stderr; returns exit status 1. */
int cli_fail(const struct yl_err *err);
/* Open the configured database and bring its schema up to date; prints on failure. */
struct store *cli_open_store(const struct cli_config *c);
/* Open a database that must exist already (NULL with a message when it does not): commands
 * that only read or change one must not leave an empty file behind a mistyped name. */
struct store *cli_open_existing(const struct cli_config *c);
/* The same with the page cache of an import (import_cache_mb, when larger). */
struct store *cli_open_store_for_import(const struct cli_config *c);
/* The same for `yilian demo`, with commits not waiting for the disk (store_options). */
struct store *cli_open_store_for_demo(const struct cli_config *c);
/* Take the lock that says a server holds the database; -1 when someone else has it. The
 * returned descriptor keeps the lock until closed. */
int cli_db_lock(const char *db_path);
struct imp_report;
/* Import one file of a kind ("ous", "residents" …, as `yilian import`) into s. */
int cli_import_file(struct store *s, const char *kind, const char *path,
                    struct imp_report *rep, struct yl_err *err);

/* The shipped data file `name`: ./data/NAME when run from a checkout, else in the shared
 * data folder (YILIAN_DATADIR). Written into out (n bytes), which is returned. */
const char *cli_data_path(const char *name, char *out, size_t n);
struct svc_protocol;
/* The service protocol: the shipped measurements, protocols and rules files, then the
 * region's own files of the protocol_files setting (c may be NULL: shipped files only).
 * On failure err holds the loader's "FILE:LINE: column: message". */
int cli_protocol_load(const struct cli_config *c, struct svc_protocol **out,
                      struct yl_err *err);
struct ind_catalog;
/* The indicator catalog of protocol p (may be NULL): the static definitions, one per dose
 * and screening item, and the targets of the shipped data/indicator-targets.csv and then
 * of the indicator_targets setting (c may be NULL: shipped targets only). */
int cli_indicator_catalog(const struct cli_config *c, const struct svc_protocol *p,
                          struct ind_catalog **out, struct yl_err *err);

struct surv_catalog;
/* The surveillance catalog: each of the three files from the surveil_dir setting's folder
 * when it is there, else the shipped one (c may be NULL: shipped files only). */
int cli_surveil_catalog(const struct cli_config *c, struct surv_catalog **out,
                        struct yl_err *err);
/* Carry out the demo's plan of case revisions and deletions (`dir`/case-revisions.csv) as
 * the system, after cases.csv was imported; reports changed already are skipped. 0, or 1
 * with the refused line reported on stderr. */
int cli_demo_case_revisions(struct store *s, const struct surv_catalog *cat, const char *dir,
                            long *revised, long *deleted);
/* `yilian surveil detect|series|indicators` (cli/surveil.c). */
int cli_surveil_detect(struct cli_config *c, int argc, char **argv);
int cli_surveil_series(struct cli_config *c, int argc, char **argv);
int cli_surveil_indicators(struct cli_config *c, int argc, char **argv);
/* `yilian surveil run [--from D] [--to D]`: the detectors over every series with data, the
 * alarms into alerts (what the server does nightly). */
int cli_surveil_run(struct cli_config *c, int argc, char **argv);
struct surv_detect_touches;
struct audit_actor;
/* The detectors over the series an import touched (their last SURV_DETECT_IMPORT_DAYS),
 * with the configured alert rules; prints one line of what it found. */
int cli_detect_touched(const struct cli_config *c, struct store *s,
                       const struct surv_catalog *cat, struct surv_detect_touches *touched,
                       const struct audit_actor *who, struct yl_err *err);
struct surv_rules;
/* The alert rules: the alert_rules setting when set, else the shipped data/alert-rules.csv
 * (c may be NULL: the shipped file). On failure err holds "FILE:LINE: column: message". */
int cli_alert_rules_load(const struct cli_config *c, struct surv_rules **out,
                         struct yl_err *err);

/* Read one line (a password) from stdin without its newline; 0 or -1 at end of input. */
int cli_read_line(char *out, size_t n);

/* `yilian access build` and `yilian access route` (cli/access.c). */
int cli_access_build(struct cli_config *c, int argc, char **argv);
int cli_access_route(struct cli_config *c, int argc, char **argv);
/* The 15-minute circle commands (cli/circle.c). */
int cli_access_import_osm(struct cli_config *c, int argc, char **argv);
int cli_access_coverage(struct cli_config *c, int argc, char **argv);
int cli_access_underserved(struct cli_config *c, int argc, char **argv);
int cli_access_catchment(struct cli_config *c, int argc, char **argv);
int cli_access_whatif(struct cli_config *c, int argc, char **argv);
int cli_access_propose(struct cli_config *c, int argc, char **argv);
int cli_access_isochrone(struct cli_config *c, int argc, char **argv);
int cli_access_indicators(struct cli_config *c, int argc, char **argv);

/* `yilian worklist` and `yilian points` (cli/worklist.c). */
int cli_worklist(struct cli_config *c, int argc, char **argv);
int cli_points(struct cli_config *c, int argc, char **argv);

#endif
