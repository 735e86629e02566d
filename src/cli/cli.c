/*
 * cli.c - the command table and the small commands: id check, user, backup, restore,
 * audit verify, migrate, config, version, help.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "store/store.h"

int cli_fail(const struct yl_err *err)
{
    if (err->field[0] != '\0' && strstr(yl_err_message(err), err->field) == NULL)
        fprintf(stderr, "yilian: %s: %s\n", err->field, yl_err_message(err));
    else
        fprintf(stderr, "yilian: %s\n", yl_err_message(err));
    return 1;
}

static struct store *open_store(const struct cli_config *c, int cache_mb, bool relaxed)
{
    struct yl_err err = {0};
    struct store *s = NULL;
    struct store_options opt = {.pool_size = c->threads > 0 ? c->threads + 2 : 16,
                                .cache_mb = cache_mb, .relaxed_sync = relaxed};
    if (store_open(c->db, &opt, &s, &err) != 0) {
        cli_fail(&err);
        return NULL;
    }
    int applied = 0;
    if (store_migrate(s, &applied, &err) != 0) {
        cli_fail(&err);
        store_close(s);
        return NULL;
    }
    return s;
}

struct store *cli_open_store(const struct cli_config *c)
{
    return open_store(c, c->cache_mb, false);
}

struct store *cli_open_store_for_import(const struct cli_config *c)
{
    return open_store(c, c->import_cache_mb > c->cache_mb ? c->import_cache_mb : c->cache_mb,
                      false);
}

struct store *cli_open_store_for_demo(const struct cli_config *c)
{
    return open_store(c, c->import_cache_mb > c->cache_mb ? c->import_cache_mb : c->cache_mb,
                      true);
}

/* Open a database that must already exist. Commands that only read or change one must not
 * leave an empty file behind a mistyped name, nor call that empty file's audit chain intact. */
struct store *cli_open_existing(const struct cli_config *c)
{
    if (access(c->db, F_OK) != 0) {
        fprintf(stderr, "yilian: database \"%s\" does not exist\n", c->db);
        return NULL;
    }
    return cli_open_store(c);
}

/* The absolute name of `path` with symbolic links resolved: the file's own when it exists,
 * else its folder's followed by its last component. False when neither resolves. */
static bool canonical_path(const char *path, char *out, size_t n)
{
    char real[PATH_MAX];
    if (realpath(path, real) != NULL)
        return snprintf(out, n, "%s", real) < (int)n;
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    char dir[PATH_MAX];
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if (base[0] == '\0' || realpath(dir, real) == NULL)
        return false;
    return snprintf(out, n, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", base) < (int)n;
}

/* True when writing `dest` would overwrite the database at `db` or a file SQLite or yilian
 * keeps beside it (write-ahead log, shared memory, journal, lock): a backup there destroys
 * the live data. Compared by resolved name, and by inode for names that already exist. */
static bool is_database_file(const char *db, const char *dest)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".lock"};
    char db_name[PATH_MAX], dest_name[PATH_MAX];
    bool named = canonical_path(db, db_name, sizeof(db_name)) &&
                 canonical_path(dest, dest_name, sizeof(dest_name));
    struct stat ds;
    bool dest_exists = stat(dest, &ds) == 0;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char companion[PATH_MAX + 16];
        snprintf(companion, sizeof(companion), "%s%s", named ? db_name : db, suffixes[i]);
        if (named && strcmp(companion, dest_name) == 0)
            return true;
        struct stat cs;
        if (dest_exists && stat(companion, &cs) == 0 && cs.st_dev == ds.st_dev &&
            cs.st_ino == ds.st_ino)
            return true;
    }
    return false;
}

int cli_db_lock(const char *db_path)
{
    /* One lock file whatever name the database is reached by ("db", "./db", a symbolic
     * link), so two names cannot let two servers, or a restore, in at once. */
    char name[PATH_MAX];
    char path[PATH_MAX + 8];
    if (!canonical_path(db_path, name, sizeof(name)))
        snprintf(name, sizeof(name), "%s", db_path);
    snprintf(path, sizeof(path), "%s.lock", name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int cli_read_line(char *out, size_t n)
{
    if (fgets(out, (int)n, stdin) == NULL)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static const struct audit_actor cli_actor = {0, "cli", "admin", "cli"};

/* --- yilian id check ------------------------------------------------------------------- */

static int cmd_id_check(struct cli_config *c, int argc, char **argv)
{
    if (argc == 0) {
        fprintf(stderr, "usage: yilian id check NUMBER...\n");
        return 2;
    }
    int32_t today = date_today();
    int bad = 0;
    for (int i = 0; i < argc; i++) {
        struct idno_info info;
        struct yl_err err = {0};
        if (idno_parse(argv[i], strlen(argv[i]), today, &info, "id_number", &err) != 0) {
            printf("%s invalid: %s\n", argv[i], yl_err_message(&err));
            bad++;
            continue;
        }
        char birth[DATE_STR_LEN];
        printf("%s valid: born %s, %s, region %s%s%s\n", argv[i],
               date_format(info.birth, birth), info.sex == IDNO_MALE ? "male" : "female",
               info.region, info.converted_from_15 ? ", 18-digit form " : "",
               info.converted_from_15 ? info.number : "");
    }
    return bad ? 1 : 0;
}

/* --- yilian user ----------------------------------------------------------------------- */

/* Value of "--name VALUE" in argv, removing both words; NULL when absent. */
static const char *take_flag(int *argc, char **argv, const char *name)
{
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], name) != 0)
            continue;
        if (i + 1 >= *argc)
            return NULL;
        const char *v = argv[i + 1];
        memmove(&argv[i], &argv[i + 2], sizeof(char *) * (size_t)(*argc - i - 2));
        *argc -= 2;
        return v;
    }
    return NULL;
}

static bool take_switch(int *argc, char **argv, const char *name)
{
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], name) != 0)
            continue;
        memmove(&argv[i], &argv[i + 1], sizeof(char *) * (size_t)(*argc - i - 1));
        *argc -= 1;
        return true;
    }
    return false;
}

/* A password from stdin when --password-stdin, else a generated one (printed). */
static int new_password(int *argc, char **argv, char *out, size_t n, bool *generated)
{
    *generated = false;
    if (take_switch(argc, argv, "--password-stdin")) {
        if (cli_read_line(out, n) != 0) {
            fprintf(stderr, "yilian: no password on standard input\n");
            return -1;
        }
        return 0;
    }
    acct_password_generate(out);
    *generated = true;
    return 0;
}

static int cmd_user_add(struct cli_config *c, int argc, char **argv)
{
    const char *role = take_flag(&argc, argv, "--role");
    const char *scope = take_flag(&argc, argv, "--scope");
    const char *display = take_flag(&argc, argv, "--name");
    char password[160];
    bool generated;
    if (new_password(&argc, argv, password, sizeof(password), &generated) != 0)
        return 1;
    if (argc != 1 || role == NULL) {
        fprintf(stderr, "usage: yilian user add USERNAME --role ROLE [--scope SCOPE] "
                        "[--name \"DISPLAY NAME\"] [--password-stdin]\n");
        return 2;
    }
    struct store *s = cli_open_store(c);
    if (s == NULL)
        return 1;
    struct acct *a = acct_new(s, NULL);
    struct acct_user_input in = {argv[0], password, display, role, scope};
    struct yl_err err = {0};
    int64_t id;
    int rc = acct_user_create(a, &in, &cli_actor, &id, &err);
    if (rc == 0) {
        printf("user %s created (id %lld)\n", argv[0], (long long)id);
        if (generated)
            printf("password: %s\n", password);
    }
    acct_free(a);
    store_close(s);
    return rc == 0 ? 0 : cli_fail(&err);
}

static int cmd_user_list(struct cli_config *c, int argc, char **argv)
{
    struct store *s = cli_open_existing(c);
    if (s == NULL)
        return 1;
    struct acct *a = acct_new(s, NULL);
    struct acct_user users[200];
    struct yl_err err = {0};
    int64_t after = 0;
    int n, rc = 0;
    printf("%-6s %-24s %-16s %-24s %s\n", "id", "username", "role", "scope", "state");
    while ((n = acct_user_list(a, after, "", 200, users, &err)) > 0) {
        for (int i = 0; i < n; i++) {
            char scope[64];
            printf("%-6lld %-24s %-16s %-24s %s\n", (long long)users[i].id, users[i].username,
                   acct_role_name(users[i].role),
                   acct_scope_format(&users[i].scope, scope, sizeof(scope)),
                   users[i].disabled ? "disabled" : "active");
        }
        after = users[n - 1].id;
    }
    if (n < 0)
        rc = cli_fail(&err);
    acct_free(a);
    store_close(s);
    return rc;
}

static int with_user(struct cli_config *c, const char *username,
                     int (*fn)(struct acct *a, struct acct_user *u, void *arg, struct yl_err *err),
                     void *arg)
{
    struct store *s = cli_open_existing(c);
    if (s == NULL)
        return 1;
    struct acct *a = acct_new(s, NULL);
    struct acct_user u;
    struct yl_err err = {0};
    int rc = acct_user_find(a, username, &u, &err);
    if (rc == YL_ENOTFOUND) {
        yl_err_clear(&err);
        yl_err_set(&err, YL_ENOTFOUND, "username", "no user \"%s\"", username);
    }
    if (rc == 0)
        rc = fn(a, &u, arg, &err);
    acct_free(a);
    store_close(s);
    return rc == 0 ? 0 : cli_fail(&err);
}

static int do_passwd(struct acct *a, struct acct_user *u, void *arg, struct yl_err *err)
{
    return acct_user_set_password(a, u->id, arg, &cli_actor, err);
}

static int do_disable(struct acct *a, struct acct_user *u, void *arg, struct yl_err *err)
{
    struct acct_user_patch p = {.disabled = *(int *)arg};
    return acct_user_update(a, u->id, &p, &cli_actor, err);
}

static int cmd_user_passwd(struct cli_config *c, int argc, char **argv)
{
    char password[160];
    bool generated;
    if (new_password(&argc, argv, password, sizeof(password), &generated) != 0)
        return 1;
    if (argc != 1) {
        fprintf(stderr, "usage: yilian user passwd USERNAME [--password-stdin]\n");
        return 2;
    }
    int rc = with_user(c, argv[0], do_passwd, password);
    if (rc == 0) {
        printf("password of %s changed; their sessions have ended\n", argv[0]);
        if (generated)
            printf("password: %s\n", password);
    }
    return rc;
}

static int cmd_user_disable(struct cli_config *c, int argc, char **argv)
{
    int disabled = 1;
    if (argc != 1) {
        fprintf(stderr, "usage: yilian user disable USERNAME\n");
        return 2;
    }
    int rc = with_user(c, argv[0], do_disable, &disabled);
    if (rc == 0)
        printf("user %s disabled; their sessions have ended\n", argv[0]);
    return rc;
}

static int cmd_user_enable(struct cli_config *c, int argc, char **argv)
{
    int disabled = 0;
    if (argc != 1) {
        fprintf(stderr, "usage: yilian user enable USERNAME\n");
        return 2;
    }
    int rc = with_user(c, argv[0], do_disable, &disabled);
    if (rc == 0)
        printf("user %s enabled\n", argv[0]);
    return rc;
}

/* --- backup, restore, audit, migrate --------------------------------------------------- */

static int cmd_backup(struct cli_config *c, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: yilian backup FILE\n");
        return 2;
    }
    /* The copy begins by replacing its destination: onto the database itself, that would
     * delete the live data before a byte is copied. */
    if (is_database_file(c->db, argv[0])) {
        fprintf(stderr, "yilian: \"%s\" is the database or one of its files; back up to "
                        "another file\n", argv[0]);
        return 1;
    }
    struct store *s = cli_open_existing(c);
    if (s == NULL)
        return 1;
    struct yl_err err = {0};
    int rc = store_backup(s, argv[0], &err);
    store_close(s);
    if (rc != 0)
        return cli_fail(&err);
    printf("backup of %s written to %s\n", c->db, argv[0]);
    return 0;
}

static int cmd_restore(struct cli_config *c, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: yilian restore FILE\n");
        return 2;
    }
    if (access(argv[0], R_OK) != 0) {
        fprintf(stderr, "yilian: cannot read backup file \"%s\"\n", argv[0]);
        return 1;
    }
    /* A running server holds the lock; restoring under it would pull its data away. */
    int lock = cli_db_lock(c->db);
    if (lock < 0) {
        fprintf(stderr, "yilian: %s is in use by a running server; stop it first\n", c->db);
        return 1;
    }
    struct yl_err err = {0};
    struct store *s = NULL;
    int rc = store_open(c->db, NULL, &s, &err);
    if (rc == 0)
        rc = store_restore(s, argv[0], &err);
    store_close(s);
    if (rc == 0) {
        /* Bring the restored copy up to this program's schema, and check its audit chain. */
        s = cli_open_store(c);
        if (s == NULL)
            rc = 1;
        int64_t checked = 0, bad = 0;
        if (s != NULL && audit_verify(s, &checked, &bad, &err) != 0)
            fprintf(stderr, "yilian: warning: the restored audit chain is broken at record "
                            "%lld: %s\n", (long long)bad, yl_err_message(&err));
        store_close(s);
    }
    close(lock);
    if (rc != 0)
        return err.code ? cli_fail(&err) : 1;
    printf("%s restored from %s\n", c->db, argv[0]);
    return 0;
}

static int cmd_audit_verify(struct cli_config *c, int argc, char **argv)
{
    struct store *s = cli_open_existing(c);
    if (s == NULL)
        return 1;
    struct yl_err err = {0};
    int64_t checked = 0, bad = 0;
    int rc = audit_verify(s, &checked, &bad, &err);
    store_close(s);
    if (rc != 0) {
        printf("audit chain broken at record %lld: %s\n", (long long)bad, yl_err_message(&err));
        return 1;
    }
    printf("audit chain intact: %lld records\n", (long long)checked);
    return 0;
}

static int cmd_migrate(struct cli_config *c, int argc, char **argv)
{
    struct yl_err err = {0};
    struct store *s = NULL;
    if (store_open(c->db, NULL, &s, &err) != 0)
        return cli_fail(&err);
    int applied = 0;
    int rc = store_migrate(s, &applied, &err);
    int version = rc == 0 ? store_schema_version(s, &err) : 0;
    store_close(s);
    if (rc != 0)
        return cli_fail(&err);
    printf("schema version %d (%d migration%s applied)\n", version, applied,
           applied == 1 ? "" : "s");
    return 0;
}

static int cmd_config(struct cli_config *c, int argc, char **argv)
{
    cli_config_describe(stdout);
    return 0;
}

static int cmd_version(struct cli_config *c, int argc, char **argv)
{
    printf("yilian %s (schema %d)\n", YILIAN_VERSION, store_schema_latest());
    return 0;
}

static int cmd_help(struct cli_config *c, int argc, char **argv);

struct command {
    const char *word1, *word2;
    int (*fn)(struct cli_config *c, int argc, char **argv);
    const char *usage;
    const char *help;
};

static const struct command commands[] = {
    {"serve", NULL, cli_serve, "serve", "run the HTTP server (API and web dashboard)"},
    {"migrate", NULL, cmd_migrate, "migrate", "bring the database schema up to date"},
    {"id", "check", cmd_id_check, "id check NUMBER...", "validate resident ID numbers"},
    {"user", "add", cmd_user_add, "user add NAME --role ROLE [--scope S] [--password-stdin]",
     "create a user (prints a generated password)"},
    {"user", "list", cmd_user_list, "user list", "list users"},
    {"user", "passwd", cmd_user_passwd, "user passwd NAME [--password-stdin]",
     "set a user's password and end their sessions"},
    {"user", "disable", cmd_user_disable, "user disable NAME",
     "disable a user and end their sessions"},
    {"user", "enable", cmd_user_enable, "user enable NAME", "enable a disabled user"},
    {"backup", NULL, cmd_backup, "backup FILE", "write a consistent copy of the live database"},
    {"restore", NULL, cmd_restore, "restore FILE", "replace the database with a backup"},
    {"audit", "verify", cmd_audit_verify, "audit verify",
     "check the audit chain; names the first broken record"},
    /* import, report, index, demo */
    {"import", NULL, cli_import, "import KIND FILE.csv",
     "import a CSV file (\"-\": stdin); without arguments lists the kinds"},
    {"report", NULL, cli_report,
     "report --ou CODE --period P [--by LEVEL] [--format F]",
     "indicators of an org unit (and its units at LEVEL) for a period"},
    {"demo", NULL, cli_demo, "demo [--residents N] [--seed S] [--ref-date DATE]",
     "generate the demo region (Hunchun) and import it"},
    {"index", "verify", cli_index_verify, "index verify",
     "rebuild the population index and check it against the store"},
    {"access", "build", cli_access_build, "access build --osm FILE [--out FILE]",
     "build the road graph from an OpenStreetMap extract (.osm or .osm.pbf)"},
    {"access", "route", cli_access_route,
     "access route --mode M --from LAT,LON --to LAT,LON",
     "quickest route by foot, bicycle, ebike or car: seconds and metres"},
    {"access", "import-osm", cli_access_import_osm, "access import-osm FILE [--out FILE]",
     "the same as access build: an OpenStreetMap extract to <db>.roads"},
    {"access", "coverage", cli_access_coverage,
     "access coverage [--set S] [--mode M] [--minutes N] [--by LEVEL] [--ou CODE]",
     "population within N minutes of a facility of the set, per unit and in total"},
    {"access", "underserved", cli_access_underserved,
     "access underserved [--set S] [--mode M] [--minutes N] [--limit N]",
     "villages beyond N minutes, most people first, with their time"},
    {"access", "catchment", cli_access_catchment, "access catchment [--set S] [--mode M]",
     "the population nearest each facility of the set"},
    {"access", "whatif", cli_access_whatif,
     "access whatif (--add LAT,LON | --close CODE | --move CODE=LAT,LON)...",
     "coverage before and after adding, closing or moving facilities"},
    {"access", "propose", cli_access_propose, "access propose [--k N] [--minutes N] [--mode M]",
     "K new sites that bring the most people within N minutes (greedy)"},
    {"access", "isochrone", cli_access_isochrone,
     "access isochrone [--minutes 5,15,30] [--facility CODE] > FILE.geojson",
     "areas within N minutes of the set (or one facility) as GeoJSON"},
    {"access", "indicators", cli_access_indicators, "access indicators [--ou CODE]",
     "shares within 15 minutes of primary care (walking) and emergency care (driving)"},
    {"worklist", NULL, cli_worklist,
     "worklist (--team C | --ou C | --facility C) [--date D] [--horizon N] [--state S]"
     " [--item C] [--format table|csv]",
     "who is due, overdue, upcoming or done for what, in a team, org unit or facility"},
    {"points", NULL, cli_points, "points --month YYYY-MM [--township CODE] [--format F]",
     "village doctor points of a month and the ranking within each township"},
    {"surveil", "detect", cli_surveil_detect,
     "surveil detect --method M [--param name=value]... [--unit day|week] FILE.csv",
     "run a detector on one series (t or date, count) and print t,count,expected,upperbound,"
     "alarm"},
    {"surveil", "series", cli_surveil_series,
     "surveil series (--disease C | --class A|B|C | --channel C) --ou OU --from D --to D"
     " [--unit day|week]",
     "a disease's or channel's counts over an org unit's subtree, as detect's input"},
    {"surveil", "indicators", cli_surveil_indicators,
     "surveil indicators --ou OU --period YYYY|YYYY-MM [--format csv|json]",
     "incidence per 100,000 by disease and class, and reporting timeliness"},
    {"surveil", "run", cli_surveil_run, "surveil run [--from YYYY-MM-DD] [--to YYYY-MM-DD]",
     "the detectors over every series with data (default: the last 7 days), alarms into "
     "alerts"},
    {"config", NULL, cmd_config, "config", "print every setting with its default"},
    {"version", NULL, cmd_version, "version", "print the version"},
    {"help", NULL, cmd_help, "help", "this text"},
};

static int cmd_help(struct cli_config *c, int argc, char **argv)
{
    printf("yilian - regional health service platform\n\n"
           "usage: yilian [--config FILE] [--SETTING VALUE]... COMMAND ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        printf("  %-58s %s\n", commands[i].usage, commands[i].help);
    printf("\nsettings (config file lines \"key = value\", or flags --key VALUE):\n");
    cli_config_describe(stdout);
    return 0;
}

int cli_main(int argc, char **argv)
{
    struct cli_config c;
    struct yl_err err = {0};
    cli_config_defaults(&c);
    int n = cli_config_args(&c, argc - 1, argv + 1, &err);
    if (n < 0) {
        cli_config_release(&c);
        return cli_fail(&err);
    }
    char **words = argv + 1;
    if (n == 0 || strcmp(words[0], "--help") == 0 || strcmp(words[0], "-h") == 0) {
        cmd_help(&c, 0, NULL);
        cli_config_release(&c);
        return n == 0 ? 2 : 0;
    }
    if (strcmp(words[0], "--version") == 0)
        words[0] = "version";
    int rc = 0;
    bool found = false;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]) && !found; i++) {
        const struct command *cmd = &commands[i];
        if (strcmp(cmd->word1, words[0]) != 0)
            continue;
        if (cmd->word2 == NULL) {
            found = true;
            rc = cmd->fn(&c, n - 1, words + 1);
        } else if (n >= 2 && strcmp(cmd->word2, words[1]) == 0) {
            found = true;
            rc = cmd->fn(&c, n - 2, words + 2);
        }
    }
    if (!found) {
        fprintf(stderr, "yilian: unknown command \"%s%s%s\"; see yilian help\n", words[0],
                n >= 2 ? " " : "", n >= 2 ? words[1] : "");
        rc = 2;
    }
    /* A command's status is an exit status: a negative code from a library call is a
     * failure the command has already reported. */
    if (rc < 0)
        rc = 1;
    cli_config_release(&c);
    return rc;
}
