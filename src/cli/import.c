/*
 * import.c - yilian import KIND FILE (CSV, or NDJSON by extension or first byte): one table
 * maps each kind to the module that imports it (docs/import-formats.md). Refusals go to
 * stderr as "line N: column: message", the summary to stdout; the exit status is 0 when
 * nothing was refused, 1 otherwise, 2 for a usage error.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "alerts/alerts.h"
#include "alerts/detection.h"
#include "audit/audit.h"
#include "cli/cli_int.h"
#include "contracts/contracts.h"
#include "core/err.h"
#include "encounters/encounters.h"
#include "importer/importer.h"
#include "pindex/pindex.h"
#include "records/records.h"
#include "registry/registry.h"
#include "results/results.h"
#include "services/events.h"
#include "store/store.h"
#include "surveil/surveil.h"

/* What a run may need besides the file: the settings (NULL: the defaults) and the file's
 * name ("-" for standard input), whose extension may name its format. */
struct import_env {
    const struct cli_config *config;
    const char *path;
};

/* Runs one import of a kind; `arg` is the row's own argument (the module's kind number). */
typedef int import_run_fn(struct store *s, int arg, FILE *in, const struct import_env *env,
                          const struct audit_actor *who, struct imp_report *rep,
                          struct yl_err *err);

struct import_kind {
    const char *name;
    import_run_fn *run;
    int arg;
};

static int run_registry(struct store *s, int arg, FILE *in, const struct import_env *env,
                        const struct audit_actor *who,
                        struct imp_report *rep, struct yl_err *err)
{
    struct reg_ctx ctx = {s};
    return reg_import(&ctx, (enum reg_import_kind)arg, in, who, rep, err);
}

static int run_contracts(struct store *s, int arg, FILE *in, const struct import_env *env,
                         const struct audit_actor *who,
                         struct imp_report *rep, struct yl_err *err)
{
    struct imp_spec spec = arg ? contract_import_spec() : contract_import_teams_spec();
    struct contract_import *ctx = contract_import_new(NULL, NULL);
    int rc = imp_run(s, in, &spec, ctx, who, rep, err);
    contract_import_free(ctx);
    return rc;
}

/* Rows a residents file holds, roughly: its size over a typical row (the demo's rows average
 * about 130 bytes); 0 for a pipe. */
static long estimated_rows(FILE *in)
{
    struct stat st;
    if (fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return (long)(st.st_size / 130);
}

static int run_residents(struct store *s, int arg, FILE *in, const struct import_env *env,
                         const struct audit_actor *who,
                         struct imp_report *rep, struct yl_err *err)
{
    struct rec_import *ctx = rec_import_new();
    int rc = rec_import_begin(ctx, s, estimated_rows(in), err);
    if (rc == 0)
        rc = imp_run(s, in, rec_import_spec(ctx), ctx, who, rep, err);
    /* The indexes come back even when the import failed; its own error comes first. */
    struct yl_err end_err = {0};
    int end = rec_import_end(ctx, s, rc == 0 ? err : &end_err);
    if (rc == 0)
        rc = end;
    rec_import_free(ctx);
    return rc;
}

/* Service events need the protocol (the shipped files and the region's own). */
static int run_services(struct store *s, int arg, FILE *in, const struct import_env *env,
                        const struct audit_actor *who, struct imp_report *rep,
                        struct yl_err *err)
{
    struct svc_protocol *p;
    int rc = cli_protocol_load(env->config, &p, err);
    if (rc != 0)
        return rc;
    struct svc_import *ctx = svc_import_new(p, NULL, s);
    rc = imp_run_format(s, in, imp_format_of_path(env->path), svc_import_spec(), ctx, who, rep,
                        err);
    svc_import_free(ctx);
    svc_protocol_free(p);
    return rc;
}

/* Encounters register their visits on the way; nothing else to prepare. */
static int run_encounters(struct store *s, int arg, FILE *in, const struct import_env *env,
                          const struct audit_actor *who, struct imp_report *rep,
                          struct yl_err *err)
{
    return imp_run_format(s, in, imp_format_of_path(env->path), enc_import_spec(), NULL, who,
                          rep, err);
}

/* Results and their catalogue: nothing to prepare either; `arg` picks which. */
static int run_results(struct store *s, int arg, FILE *in, const struct import_env *env,
                       const struct audit_actor *who, struct imp_report *rep,
                       struct yl_err *err)
{
    const struct imp_spec *spec = arg ? res_import_spec() : res_item_import_spec();
    return imp_run_format(s, in, imp_format_of_path(env->path), spec, NULL, who, rep, err);
}

/* Case reports and syndromic counts need the surveillance catalog; `arg` picks which. */
static int run_surveil(struct store *s, int arg, FILE *in, const struct import_env *env,
                       const struct audit_actor *who, struct imp_report *rep,
                       struct yl_err *err)
{
    struct surv_catalog *cat;
    int rc = cli_surveil_catalog(env->config, &cat, err);
    if (rc != 0)
        return rc;
    const struct imp_spec *spec = arg ? surv_count_import_spec() : surv_case_import_spec();
    struct surv_detect_touches touched = {0};
    struct surv_import ctx = {.catalog = cat, .touched = surv_detect_touched, .arg = &touched};
    rc = imp_run_format(s, in, imp_format_of_path(env->path), spec, &ctx, who, rep, err);
    surv_import_release(&ctx);
    /* The detectors judge the series the import touched, over its recent days. */
    if (rc == 0 && touched.n > 0)
        rc = cli_detect_touched(env->config, s, cat, &touched, who, err);
    surv_detect_touched_free(&touched);
    surv_catalog_free(cat);
    return rc;
}

/* Detector alarms as signals, then the alert rules over the days they touch. */
static int run_signals(struct store *s, int arg, FILE *in, const struct import_env *env,
                       const struct audit_actor *who, struct imp_report *rep,
                       struct yl_err *err)
{
    struct surv_rules *rules;
    int rc = cli_alert_rules_load(env->config, &rules, err);
    if (rc != 0)
        return rc;
    int64_t now = (int64_t)time(NULL);
    struct surv_signal_import *ctx = surv_signal_import_new(rules, now);
    rc = imp_run_format(s, in, imp_format_of_path(env->path), surv_signal_import_spec(), ctx,
                        who, rep, err);
    struct surv_ingest_result res;
    if (rc == 0)
        rc = surv_signal_import_finish(s, ctx, who, now, &res, err);
    if (rc == 0)
        printf("alerts: %zu raised, %zu extended\n", res.new_alerts, res.extended);
    surv_signal_import_free(ctx);
    surv_rules_free(rules);
    return rc;
}

/* In dependency order: a file may refer only to kinds above it. */
static const struct import_kind kinds[] = {
    {"ous", run_registry, REG_IMPORT_OUS},
    {"population", run_registry, REG_IMPORT_POPULATION},
    {"facilities", run_registry, REG_IMPORT_FACILITIES},
    {"groups", run_registry, REG_IMPORT_GROUPS},
    {"staff", run_registry, REG_IMPORT_STAFF},
    {"residents", run_residents, 0},
    {"teams", run_contracts, 0},
    {"contracts", run_contracts, 1},
    {"services", run_services, 0},
    {"encounters", run_encounters, 0},
    {"result-items", run_results, 0},
    {"results", run_results, 1},
    {"cases", run_surveil, 0},
    {"syndromic", run_surveil, 1},
    {"signals", run_signals, 0},
};

static const struct import_kind *kind_find(const char *name)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

int cli_import_file(struct store *s, const char *kind_name, const char *path,
                    struct imp_report *rep, struct yl_err *err)
{
    static const struct audit_actor who = {0, "cli", "admin", "cli"};
    const struct import_kind *kind = kind_find(kind_name);
    if (kind == NULL)
        return yl_err_set(err, YL_EINVAL, "kind", "unknown import kind \"%s\"", kind_name);
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return yl_err_set(err, YL_EIO, "file", "cannot read \"%s\"", path);
    struct import_env env = {NULL, path};
    int rc = kind->run(s, kind->arg, in, &env, &who, rep, err);
    fclose(in);
    /* Tell a running server its index must be reloaded (whatever committed counts). */
    if (rep->applied > 0)
        pidx_epoch_bump(s, NULL);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: yilian import KIND FILE.csv|FILE.ndjson (FILE \"-\" reads standard "
                    "input)\n"
                    "kinds:");
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        fprintf(stderr, " %s", kinds[i].name);
    fprintf(stderr, "\n");
    return 2;
}

int cli_import(struct cli_config *c, int argc, char **argv)
{
    static const struct audit_actor who = {0, "cli", "admin", "cli"};
    if (argc != 2)
        return usage();
    const struct import_kind *kind = kind_find(argv[0]);
    if (kind == NULL) {
        fprintf(stderr, "yilian: unknown import kind \"%s\"\n", argv[0]);
        return usage();
    }
    bool from_stdin = strcmp(argv[1], "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(argv[1], "r");
    if (in == NULL) {
        fprintf(stderr, "yilian: cannot read \"%s\"\n", argv[1]);
        return 1;
    }
    struct store *s = cli_open_store_for_import(c);
    if (s == NULL) {
        if (!from_stdin)
            fclose(in);
        return 1;
    }
    struct imp_report rep = {.errors = stderr};
    struct yl_err err = {0};
    struct import_env env = {c, argv[1]};
    int rc = kind->run(s, kind->arg, in, &env, &who, &rep, &err);
    if (!from_stdin)
        fclose(in);
    if (rep.applied > 0)
        pidx_epoch_bump(s, NULL);
    store_close(s);
    /* What was committed before a failure stays; say so before the failure itself. */
    printf("%s: %ld applied, %ld unchanged, %ld refused\n", kind->name, rep.applied,
           rep.unchanged, rep.refused);
    if (rc != 0)
        return cli_fail(&err);
    return rep.refused > 0 ? 1 : 0;
}
