/*
 * demo.c - yilian demo: generate the demo region (demo/) as CSV files and load them through
 * the same importers a health commission would use, then add one login per role.
 *
 * Going through the importers is deliberate: generated records pass exactly the validation
 * imported ones do, and the demo doubles as an end-to-end run of every import.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "demo/demo.h"
#include "importer/importer.h"
#include "services/services.h"
#include "store/store.h"

#ifndef YILIAN_DATADIR
#define YILIAN_DATADIR "/usr/local/share/yilian/data"
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The files demo_generate writes, in the order they must be imported. */
static const struct {
    const char *kind;
    const char *file;
} demo_files[] = {
    {"ous", "ous.csv"},           {"population", "population.csv"},
    {"facilities", "facilities.csv"}, {"groups", "groups.csv"},
    {"staff", "staff.csv"},       {"teams", "teams.csv"},
    {"residents", "residents.csv"}, {"contracts", "contracts.csv"},
    {"services", "services.csv"},
};

/* One login per role, so every view of the dashboard can be tried. */
static const struct {
    const char *username;
    const char *role;
    const char *scope;          /* NULL: filled in below from the data */
    const char *display;
} demo_users[] = {
    {"admin", "admin", "region", "卫健委管理员"},
    {"doctor", "family_doctor", NULL, "家庭医生"},
    {"village", "village_doctor", NULL, "村医"},
    {"cdc", "epidemiologist", "region", "疾控流行病学"},
    {"analyst", "analyst", "region", "统计分析"},
    {"hospital", "facility_admin", NULL, "医院管理员"},
};

static int add_users(struct store *s)
{
    struct acct *a = acct_new(s, NULL);
    struct audit_actor by = {0, "demo", "admin", "cli"};
    /* The demo's first team, first village and city hospital carry these codes. */
    const char *scopes[] = {"team:1", "ou:222404100201", "facility:HOSP-001"};
    int next_scope = 0, rc = 0;
    printf("\nlogins (user / password / role / scope):\n");
    for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]) && rc == 0; i++) {
        char password[17];
        acct_password_generate(password);
        const char *scope = demo_users[i].scope ? demo_users[i].scope : scopes[next_scope++];
        struct acct_user_input in = {demo_users[i].username, password, demo_users[i].display,
                                     demo_users[i].role, scope};
        struct yl_err err = {0};
        rc = acct_user_create(a, &in, &by, NULL, &err);
        if (rc == YL_ECONFLICT) {
            printf("  %-9s (exists already; yilian user passwd %s sets a new password)\n",
                   demo_users[i].username, demo_users[i].username);
            rc = 0;
        } else if (rc != 0) {
            cli_fail(&err);
        } else {
            printf("  %-9s %-17s %-15s %s\n", demo_users[i].username, password,
                   demo_users[i].role, scope);
        }
    }
    acct_free(a);
    return rc;
}

int cli_demo(struct cli_config *c, int argc, char **argv)
{
    struct demo_options opt;
    demo_options_init(&opt);
    opt.ref_date = date_today();
    const char *out_dir = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        struct yl_err err = {0};
        if (strcmp(a, "--residents") == 0 && v != NULL) {
            char *end;
            opt.residents = strtol(v, &end, 10);
            if (*end != '\0' || opt.residents < 1 || opt.residents > DEMO_MAX_RESIDENTS) {
                fprintf(stderr, "yilian: --residents must be 1 to %ld\n",
                        (long)DEMO_MAX_RESIDENTS);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0 && v != NULL) {
            opt.seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--ref-date") == 0 && v != NULL) {
            if (date_parse(v, strlen(v), &opt.ref_date, "ref-date", &err) != 0)
                return cli_fail(&err);
        } else if (strcmp(a, "--out") == 0 && v != NULL) {
            out_dir = v;
        } else if (strcmp(a, "--divisions") == 0 && v != NULL) {
            opt.divisions_path = v;
        } else if (strcmp(a, "--service-years") == 0 && v != NULL) {
            char *end;
            opt.service_years = (int)strtol(v, &end, 10);
            if (*end != '\0' || opt.service_years < 0 || opt.service_years > 10) {
                fprintf(stderr, "yilian: --service-years must be 0 to 10\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: yilian demo [--residents N] [--seed S] "
                            "[--ref-date YYYY-MM-DD] [--out DIR] [--divisions FILE] "
                            "[--service-years N]\n");
            return 2;
        }
        i++;
    }
    /* Run from a checkout the divisions are in ./data; installed, in the shared data folder. */
    if (strcmp(opt.divisions_path, DEMO_DEFAULT_DIVISIONS) == 0 &&
        access(opt.divisions_path, R_OK) != 0)
        opt.divisions_path = YILIAN_DATADIR "/hunchun-divisions.csv";
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", out_dir ? out_dir : "");
    if (out_dir == NULL)
        snprintf(dir, sizeof(dir), "%s.demo", c->db);

    char ref[DATE_STR_LEN];
    printf("generating the demo region (%ld residents, seed %llu, reference date %s) in %s\n",
           opt.residents, (unsigned long long)opt.seed, date_format(opt.ref_date, ref), dir);
    struct demo_stats st;
    struct yl_err err = {0};
    struct svc_protocol *protocol = NULL;
    if (opt.service_years > 0) {
        if (cli_protocol_load(c, &protocol, &err) != 0)
            return cli_fail(&err);
        opt.protocol = protocol;
    }
    int generated = demo_generate(&opt, dir, &st, &err);
    svc_protocol_free(protocol);
    if (generated != 0)
        return cli_fail(&err);
    printf("  %ld residents in %.2f s (%.0f residents/s); %ld facilities, %ld staff, "
           "%ld teams, %ld contracts, %ld service events\n",
           st.residents, st.elapsed_s, st.residents_per_s, st.facilities, st.staff, st.teams,
           st.contracts, st.services);

    struct store *s = cli_open_store_for_import(c);
    if (s == NULL)
        return 1;
    int rc = 0;
    double all = now_s();
    for (size_t i = 0; i < sizeof(demo_files) / sizeof(demo_files[0]) && rc == 0; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, demo_files[i].file);
        if (strcmp(demo_files[i].kind, "services") == 0 && opt.service_years == 0)
            continue;
        struct imp_report rep = {.errors = stderr, .max_printed = 20};
        double t0 = now_s();
        rc = cli_import_file(s, demo_files[i].kind, path, &rep, &err);
        double dt = now_s() - t0;
        printf("  import %-10s %9ld applied %9ld unchanged %6ld refused  %6.2f s  %9.0f rows/s\n",
               demo_files[i].kind, rep.applied, rep.unchanged, rep.refused, dt,
               dt > 0 ? (double)rep.records / dt : 0.0);
        if (rc != 0)
            cli_fail(&err);
        else if (rep.refused > 0) {
            fprintf(stderr, "yilian: the demo's own %s were refused; this is a bug\n",
                    demo_files[i].kind);
            rc = 1;
        }
    }
    printf("  imported in %.2f s\n", now_s() - all);
    if (rc == 0)
        rc = add_users(s);
    store_close(s);
    return rc;
}
