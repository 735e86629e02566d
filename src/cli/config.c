/*
 * config.c - configuration keys, as one table: name, type, where it goes, what it means.
 *
 * The same table reads config files (key = value, # comments), reads --key flags, and
 * prints the documentation, so a key cannot exist in one place and not the others.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/mem.h"

enum key_type { KEY_STR, KEY_INT, KEY_LONG, KEY_BOOL };

struct config_key {
    const char *name;
    enum key_type type;
    size_t offset;
    long min, max;          /* numbers: the range; strings: min 1 means it may not be empty */
    const char *dflt;
    const char *help;
};

#define K(name, type, min, max, dflt, help) \
    {#name, type, offsetof(struct cli_config, name), min, max, dflt, help}

static const struct config_key keys[] = {
    K(db, KEY_STR, 1, 0, "yilian.db", "database file (SQLite)"),
    K(listen, KEY_STR, 1, 0, "127.0.0.1", "address to listen on"),
    K(port, KEY_INT, 0, 65535, "8080", "TCP port; 0 picks a free one"),
    K(threads, KEY_INT, 0, 256, "0", "HTTP worker threads; 0 means one per core"),
    K(web_root, KEY_STR, 0, 0, "web", "folder of the web dashboard's static files"),
    K(tls_cert, KEY_STR, 0, 0, "", "PEM certificate; with tls_key turns on HTTPS"),
    K(tls_key, KEY_STR, 0, 0, "", "PEM private key for tls_cert"),
    K(max_body, KEY_LONG, 1024, 1L << 30, "16777216", "largest request body in bytes"),
    K(max_json_depth, KEY_INT, 2, 256, "32", "deepest JSON nesting accepted"),
    K(max_string, KEY_LONG, 64, 1L << 24, "65536", "longest JSON string in bytes"),
    K(idle_timeout_s, KEY_INT, 1, 86400, "1800", "a session ends after this long unused"),
    K(session_lifetime_s, KEY_INT, 60, 30 * 86400, "43200", "a session ends after this long"),
    K(login_max_failures, KEY_INT, 1, 1000, "5", "failed logins before lockouts begin"),
    K(audit_flush_ms, KEY_INT, 1, 10000, "5", "longest wait before read audits are written"),
    K(log_requests, KEY_BOOL, 0, 1, "true", "one log line per request on stderr"),
    K(cache_mb, KEY_INT, 2, 65536, "64",
      "database page cache of each connection, in MiB (raise it for large imports)"),
    K(protocol_files, KEY_STR, 0, 0, "",
      "the region's own service protocol files (CSV), comma-separated, loaded after the "
      "shipped ones"),
    K(import_cache_mb, KEY_INT, 2, 65536, "1024",
      "page cache of `yilian import` and `yilian demo`, in MiB (a bulk load keeps the "
      "ID-number index in it)"),
    K(indicator_targets, KEY_STR, 0, 0, "",
      "the region's own indicator targets (CSV), applied after the shipped "
      "data/indicator-targets.csv"),
    K(surveil_dir, KEY_STR, 0, 0, "",
      "folder of the region's own surveillance files (notifiable-diseases.csv, "
      "syndromic-channels.csv, surveil-params.csv); each one there replaces the shipped one"),
    K(alert_rules, KEY_STR, 0, 0, "",
      "the region's own alert rules (CSV, as data/alert-rules.csv), used instead of the "
      "shipped file"),
    K(alert_webhooks, KEY_STR, 0, 0, "",
      "URLs (http or https), comma-separated, that receive a POST of each new alert"),
    K(alert_webhook_attempts, KEY_INT, 1, 100, "8",
      "attempts of a webhook delivery (1, 2, 4 ... s apart, at most 5 min) before it fails"),
};

static const struct config_key *key_find(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strlen(keys[i].name) != n)
            continue;
        /* Flags may use '-' where keys use '_'. */
        size_t k;
        for (k = 0; k < n; k++) {
            char c = name[k] == '-' ? '_' : name[k];
            if (c != keys[i].name[k])
                break;
        }
        if (k == n)
            return &keys[i];
    }
    return NULL;
}

static int key_set(struct cli_config *c, const struct config_key *k, const char *value,
                   struct yl_err *err)
{
    char *field = (char *)c + k->offset;
    switch (k->type) {
    case KEY_STR: {
        char **p = (char **)field;
        /* An empty value means "none", which a required setting cannot be. */
        if (value[0] == '\0' && k->min > 0)
            return yl_err_set(err, YL_EINVAL, k->name, "%s may not be empty", k->name);
        free(*p);
        *p = value[0] ? xstrdup(value) : NULL;
        return 0;
    }
    case KEY_BOOL: {
        int v;
        if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0)
            v = 1;
        else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
                 strcmp(value, "0") == 0)
            v = 0;
        else
            return yl_err_set(err, YL_EINVAL, k->name, "%s must be true or false", k->name);
        *(int *)field = v;
        return 0;
    }
    case KEY_INT:
    case KEY_LONG: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v < k->min || v > k->max)
            return yl_err_set(err, YL_EINVAL, k->name, "%s must be a whole number from %ld to %ld",
                              k->name, k->min, k->max);
        if (k->type == KEY_INT)
            *(int *)field = (int)v;
        else
            *(long *)field = v;
        return 0;
    }
    }
    return YL_EINTERNAL;
}

int cli_config_set(struct cli_config *c, const char *key, const char *value, struct yl_err *err)
{
    const struct config_key *k = key_find(key, strlen(key));
    if (k == NULL)
        return yl_err_set(err, YL_EINVAL, key, "unknown setting \"%s\"", key);
    return key_set(c, k, value, err);
}

void cli_config_defaults(struct cli_config *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        key_set(c, &keys[i], keys[i].dflt, NULL);
}

void cli_config_release(struct cli_config *c)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i].type == KEY_STR) {
            char **p = (char **)((char *)c + keys[i].offset);
            free(*p);
            *p = NULL;
        }
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int cli_config_load(struct cli_config *c, const char *path, struct yl_err *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return yl_err_set(err, YL_EIO, "config", "cannot read config file \"%s\"", path);
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *s = trim(line);
        if (s[0] == '\0' || s[0] == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = yl_err_set(err, YL_EINVAL, "config", "%s:%d: expected \"key = value\"", path,
                            lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        struct yl_err e = {0};
        if (cli_config_set(c, key, value, &e) != 0)
            rc = yl_err_set(err, e.code, "config", "%s:%d: %s", path, lineno,
                            yl_err_message(&e));
    }
    fclose(f);
    return rc;
}

void cli_config_describe(FILE *out)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        fprintf(out, "# %s\n%s = %s\n\n", keys[i].help, keys[i].name, keys[i].dflt);
}

int cli_config_args(struct cli_config *c, int argc, char **argv, struct yl_err *err)
{
    /* The config file first, so flags override it wherever they stand. */
    const char *file = getenv("YILIAN_CONFIG");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            /* Without its file the flag would be dropped and the defaults used unnoticed. */
            if (i + 1 >= argc)
                return yl_err_set(err, YL_EINVAL, "config", "--config needs a file name");
            file = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            file = argv[i] + 9;
        }
    }
    if (file != NULL && file[0] != '\0') {
        int rc = cli_config_load(c, file, err);
        if (rc != 0)
            return rc;
    }
    int out = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--config=", 9) == 0)
            continue;
        if (strncmp(a, "--", 2) == 0) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            const struct config_key *k = key_find(name, n);
            if (k != NULL) {
                const char *value = eq ? eq + 1 : NULL;
                if (value == NULL) {
                    if (i + 1 >= argc)
                        return yl_err_set(err, YL_EINVAL, k->name, "--%s needs a value",
                                          k->name);
                    value = argv[++i];
                }
                int rc = key_set(c, k, value, err);
                if (rc != 0)
                    return rc;
                continue;
            }
        }
        argv[out++] = a;
    }
    return out;
}
