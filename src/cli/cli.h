/*
 * cli.h - the yilian command line: one table of commands, each a thin front end that parses
 * its arguments, calls the library and prints the result.
 */
#ifndef YL_CLI_H
#define YL_CLI_H

#include <stddef.h>
#include <stdio.h>

struct yl_err;

/* Settings of a running yilian, from defaults, a config file and flags, in that order. */
struct cli_config {
    char *db;
    char *listen;
    int port;
    int threads;
    char *web_root;
    char *tls_cert;
    char *tls_key;
    long max_body;
    int max_json_depth;
    long max_string;
    int idle_timeout_s;
    int session_lifetime_s;
    int login_max_failures;
    int audit_flush_ms;
    int log_requests;
    int cache_mb;
    char *protocol_files;       /* the region's own protocol files, comma-separated */
    int import_cache_mb;
    char *indicator_targets;    /* the region's own indicator targets file (CSV) */
    char *surveil_dir;          /* the region's own surveillance data files (a folder) */
    char *alert_rules;          /* the region's own alert rules file; "": the shipped one */
    char *alert_webhooks;       /* URLs that receive each new alert, comma-separated */
    int alert_webhook_attempts; /* deliveries tried this often before they fail */
};

void cli_config_defaults(struct cli_config *c);
void cli_config_release(struct cli_config *c);
/* Read "key = value" lines; errors name the file and line. */
int cli_config_load(struct cli_config *c, const char *path, struct yl_err *err);
/* Set one key from text (a flag or a config line). */
int cli_config_set(struct cli_config *c, const char *key, const char *value, struct yl_err *err);
/* Print every key with its meaning and default (for --help and the example config). */
void cli_config_describe(FILE *out);

/*
 * Split argv into the config (from --config FILE and --key value / --key=value flags that
 * name config keys) and the remaining positional words and command flags. Returns the count
 * of remaining words written back into argv, or a negative code.
 */
int cli_config_args(struct cli_config *c, int argc, char **argv, struct yl_err *err);

int cli_main(int argc, char **argv);

/* Commands, one file each under cli/. argv[0] is the first word after the command's own words. */
int cli_serve(struct cli_config *c, int argc, char **argv);
int cli_import(struct cli_config *c, int argc, char **argv);        /* cli/import.c */
int cli_report(struct cli_config *c, int argc, char **argv);        /* cli/report.c */
int cli_index_verify(struct cli_config *c, int argc, char **argv);  /* cli/report.c */
int cli_demo(struct cli_config *c, int argc, char **argv);          /* cli/demo.c */

#endif
