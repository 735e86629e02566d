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
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "demo/demo.h"
#include "experts/experts.h"
#include "records/records.h"
#include "referral/referral.h"
#include "importer/importer.h"
#include "results/results.h"
#include "services/services.h"
#include "store/store.h"
#include "surveil/surveil.h"

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
    {"services", "services.csv"},  {"encounters", "encounters.csv"},
    {"result-items", NULL},        {"results", "results.csv"},
    {"cases", "cases.csv"},        {"syndromic", "syndromic.csv"},
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

/* --- referrals and expert sessions: no import kind, so the plans the generator wrote are
 * carried out through the libraries, as the system, each step at its planned time. ------- */

static const struct audit_actor demo_actor = {0, "demo", "admin", "cli"};

/* Unix seconds of "YYYY-MM-DDTHH:MM:SSZ", or -1 when empty or malformed. */
static int64_t plan_time(const char *s)
{
    int32_t day;
    if (strlen(s) != 20 || date_parse(s, 10, &day, "time", NULL) != 0)
        return -1;
    int v[3];
    for (int i = 0; i < 3; i++) {
        const char *p = s + 11 + 3 * i;
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
            return -1;
        v[i] = (p[0] - '0') * 10 + (p[1] - '0');
    }
    return (int64_t)day * 86400 + v[0] * 3600 + v[1] * 60 + v[2];
}

/* The stored id of the resident with this ID number, or 0. */
static int64_t resident_id_of(struct store *s, const char *id_number)
{
    struct arena a;
    struct rec_query q = {.id_number = id_number, .limit = 1};
    struct rec_resident *out = NULL;
    size_t n = 0;
    int64_t id = 0;
    arena_init(&a);
    if (rec_search(s, NULL, &q, &a, &out, &n, NULL) == 0 && n == 1)
        id = out[0].id;
    arena_release(&a);
    return id;
}

/* Open a plan file of the demo folder with its header; NULL (and a message) when it fails. */
static struct csv_reader *plan_open(const char *dir, const char *name, FILE **f)
{
    char path[4200];
    struct yl_err err = {0};
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    *f = fopen(path, "rb");
    if (*f == NULL) {
        fprintf(stderr, "yilian: cannot read %s\n", path);
        return NULL;
    }
    struct csv_reader *r = csv_open(*f, 64 * 1024);
    if (csv_read_header(r, NULL, &err) != 0) {
        cli_fail(&err);
        csv_close(r);
        fclose(*f);
        return NULL;
    }
    return r;
}

/* One planned step; a refusal is a bug of the generator, reported with the plan's line. */
static int plan_check(int rc, const char *file, long line, struct yl_err *err)
{
    if (rc == 0)
        return 0;
    fprintf(stderr, "yilian: %s line %ld was refused; this is a bug\n", file, line);
    cli_fail(err);
    return 1;
}

/* The stored id of the resident's result with this external id, or 0. */
static int64_t result_id_of(struct store *s, int64_t resident, const char *external_id)
{
    struct arena a;
    struct res_result *out = NULL;
    size_t n = 0;
    int64_t id = 0, after = 0;
    arena_init(&a);
    while (id == 0 && res_list_resident(s, NULL, resident, after, 200, &a, &out, &n, NULL) == 0 &&
           n > 0) {
        for (size_t i = 0; i < n && id == 0; i++)
            if (strcmp(out[i].external_id, external_id) == 0)
                id = out[i].id;
        after = out[n - 1].id;
    }
    arena_release(&a);
    return id;
}

static int run_referrals(struct store *s, const char *dir)
{
    FILE *f;
    struct csv_reader *r = plan_open(dir, "referrals.csv", &f);
    if (r == NULL)
        return 1;
    struct ref_who who = {NULL, &demo_actor};
    long counts[REF_STATUS_COUNT] = {0}, n = 0, remotes = 0;
    int rc = 0;
    double t0 = now_s();
    while (rc == 0) {
        struct yl_err err = {0};
        int more = csv_next(r, &err);
        if (more <= 0) {
            rc = more < 0 ? plan_check(more, "referrals.csv", csv_line(r), &err) : 0;
            break;
        }
        const char *outcome = csv_get(r, "outcome"), *result = csv_get(r, "result");
        int64_t result_id = 0;
        struct ref_input in = {
            .external_id = csv_get(r, "external_id"),
            .kind = csv_get(r, "kind"),
            .direction = csv_get(r, "direction"),
            .resident_id = resident_id_of(s, csv_get(r, "id_number")),
            .from_facility = csv_get(r, "from_facility"),
            .to_facility = csv_get(r, "to_facility")[0] ? csv_get(r, "to_facility") : NULL,
            .reason = csv_get(r, "reason")[0] ? csv_get(r, "reason") : NULL,
            .urgency = csv_get(r, "urgency"),
            .summary = csv_get(r, "summary")[0] ? csv_get(r, "summary") : NULL,
        };
        int64_t at[4] = {plan_time(csv_get(r, "requested_at")),
                         plan_time(csv_get(r, "decided_at")),
                         plan_time(csv_get(r, "arrived_at")),
                         plan_time(csv_get(r, "completed_at"))};
        if (result[0] != '\0') {
            result_id = result_id_of(s, in.resident_id, result);
            in.results = &result_id;
            in.n_results = 1;
        }
        bool remote = strcmp(in.kind, "referral") != 0;
        int64_t id = 0;
        bool created = false;
        rc = plan_check(ref_create(s, &who, &in, at[0], &id, &created, &err), "referrals.csv",
                        csv_line(r), &err);
        if (rc != 0 || !created)
            continue;
        enum ref_status status = REF_REQUESTED;
        if (strcmp(outcome, "rejected") == 0) {
            rc = ref_act(s, &who, id, REF_REJECT, "专科床位已满，建议转诊至上级医院", at[1],
                         &err);
            status = REF_REJECTED;
        } else if (strcmp(outcome, "cancelled") == 0) {
            rc = ref_act(s, &who, id, REF_CANCEL, NULL, at[1], &err);
            status = REF_CANCELLED;
        } else if (remote && strcmp(outcome, "requested") != 0) {
            /* A consultation or reading: accepted, then reported. */
            rc = ref_act(s, &who, id, REF_ACCEPT, NULL, at[1], &err);
            status = REF_ACCEPTED;
            if (rc == 0 && at[3] >= 0) {
                rc = ref_act(s, &who, id, REF_COMPLETE, csv_get(r, "report"), at[3], &err);
                status = REF_COMPLETED;
            }
        } else if (strcmp(outcome, "requested") != 0) {
            static const enum ref_action steps[3] = {REF_ACCEPT, REF_ARRIVE, REF_COMPLETE};
            static const enum ref_status reached[3] = {REF_ACCEPTED, REF_ARRIVED,
                                                       REF_COMPLETED};
            for (int k = 0; k < 3 && rc == 0 && at[k + 1] >= 0; k++) {
                rc = ref_act(s, &who, id, steps[k], NULL, at[k + 1], &err);
                status = reached[k];
            }
        }
        rc = plan_check(rc, "referrals.csv", csv_line(r), &err);
        counts[status]++;
        remotes += remote;
        n++;
    }
    csv_close(r);
    fclose(f);
    printf("  referrals %ld (%ld remote consultations and readings) in %.2f s:", n, remotes,
           now_s() - t0);
    for (int i = 0; i < REF_STATUS_COUNT; i++)
        printf(" %ld %s", counts[i], ref_status_code((enum ref_status)i));
    printf("\n");
    return rc;
}

/* The session days of the plan start on the reference day; the library takes no session in
 * the past, so they are moved to start today when the reference date lies behind. */
static int run_experts(struct store *s, const char *dir, int32_t ref_date)
{
    FILE *f;
    struct csv_reader *r = plan_open(dir, "expert-sessions.csv", &f);
    if (r == NULL)
        return 1;
    struct expert_who who = {NULL, &demo_actor};
    int32_t today = date_today(), shift = today > ref_date ? today - ref_date : 0;
    long sessions = 0, bookings = 0, attended = 0, no_show = 0;
    int rc = 0;
    double t0 = now_s();
    while (rc == 0) {
        struct yl_err err = {0};
        int more = csv_next(r, &err);
        if (more <= 0) {
            rc = more < 0 ? plan_check(more, "expert-sessions.csv", csv_line(r), &err) : 0;
            break;
        }
        int32_t day;
        const char *date = csv_get(r, "date");
        rc = date_parse(date, strlen(date), &day, "date", &err);
        struct expert_session_input in = {
            .external_id = csv_get(r, "external_id"),
            .expert_code = csv_get(r, "expert"),
            .host_code = csv_get(r, "host"),
            .day = day + shift,
            .start_time = csv_get(r, "start_time"),
            .end_time = csv_get(r, "end_time"),
            .capacity = strtol(csv_get(r, "capacity"), NULL, 10),
        };
        if (rc == 0)
            rc = expert_session_create(s, &in, &who, NULL, &err);
        rc = plan_check(rc, "expert-sessions.csv", csv_line(r), &err);
        sessions += rc == 0;
    }
    csv_close(r);
    fclose(f);
    if (rc != 0)
        return rc;

    /* Sessions by external id: the plan's bookings name them. */
    struct arena a;
    arena_init(&a);
    struct expert_session *list = arena_alloc(&a, sizeof(*list) * (size_t)(sessions + 1));
    struct expert_session_filter filter = {.from_day = DATE_INVALID, .to_day = DATE_INVALID,
                                           .limit = (int)sessions + 1};
    struct yl_err err = {0};
    int n_list = expert_session_list(s, &filter, &a, list, &err);
    if (n_list < 0) {
        arena_release(&a);
        return cli_fail(&err);
    }
    r = plan_open(dir, "expert-bookings.csv", &f);
    if (r == NULL) {
        arena_release(&a);
        return 1;
    }
    while (rc == 0) {
        struct yl_err e2 = {0};
        int more = csv_next(r, &e2);
        if (more <= 0) {
            rc = more < 0 ? plan_check(more, "expert-bookings.csv", csv_line(r), &e2) : 0;
            break;
        }
        const char *code = csv_get(r, "session"), *attendance = csv_get(r, "attendance");
        int64_t session = 0, booking = 0;
        for (int i = 0; i < n_list; i++)
            if (strcmp(list[i].external_id, code) == 0)
                session = list[i].id;
        rc = expert_book(s, session, resident_id_of(s, csv_get(r, "id_number")), &who,
                         &booking, &e2);
        if (rc == 0 && attendance[0] != '\0') {
            bool came = strcmp(attendance, "attended") == 0;
            rc = expert_booking_attend(s, booking, came ? EXPERT_ATTENDED : EXPERT_NO_SHOW,
                                       (int)strtol(csv_get(r, "procedures"), NULL, 10), &who,
                                       &e2);
            attended += came;
            no_show += !came;
        }
        rc = plan_check(rc, "expert-bookings.csv", csv_line(r), &e2);
        bookings += rc == 0;
    }
    csv_close(r);
    fclose(f);
    arena_release(&a);
    printf("  expert sessions %ld, bookings %ld (%ld attended, %ld no-show) in %.2f s\n",
           sessions, bookings, attended, no_show, now_s() - t0);
    return rc;
}

/* --- case revisions and deletions: the import takes each report as first sent, so the
 * plan's later changes go through the surveil library as the system. A report is found by
 * sending it again: the same card is unchanged and gives its id. A re-run skips the changes
 * already made. ---------------------------------------------------------------------------- */

static const char *blank_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

int cli_demo_case_revisions(struct store *s, const struct surv_catalog *cat, const char *dir,
                            long *revised, long *deleted)
{
    FILE *f;
    struct csv_reader *r = plan_open(dir, "case-revisions.csv", &f);
    if (r == NULL)
        return 1;
    int rc = 0;
    *revised = *deleted = 0;
    while (rc == 0) {
        struct yl_err err = {0};
        int more = csv_next(r, &err);
        if (more <= 0) {
            rc = more < 0 ? plan_check(more, "case-revisions.csv", csv_line(r), &err) : 0;
            break;
        }
        const char *age = csv_get(r, "age_years"), *sex = csv_get(r, "sex");
        struct surv_case_input in = {
            .external_id = csv_get(r, "external_id"),
            .disease = csv_get(r, "disease"),
            .classification = csv_get(r, "classification"),
            .onset_date = csv_get(r, "onset_date"),
            .diagnosed_at = csv_get(r, "diagnosed_at"),
            .reported_at = csv_get(r, "reported_at"),
            .facility = csv_get(r, "facility"),
            .id_number = blank_null(csv_get(r, "id_number")),
            .age_years = age[0] != '\0' ? (int)strtol(age, NULL, 10) : -1,
            .sex = (int)strtol(sex, NULL, 10),
            .ou = blank_null(csv_get(r, "ou")),
        };
        int64_t id = 0;
        bool created = false;
        rc = surv_case_record(s, cat, NULL, &demo_actor, &in, &id, &created, &err);
        struct surv_case_report now;
        struct arena a;
        arena_init(&a);
        if (rc == 0)
            rc = surv_case_get(s, NULL, id, &a, &now, &err);
        arena_release(&a);
        bool delete = strcmp(csv_get(r, "action"), "delete") == 0;
        if (rc == 0 && now.status == SURV_REPORTED && delete) {
            rc = surv_case_delete(s, NULL, &demo_actor, id, csv_get(r, "reason"), &err);
            *deleted += rc == 0;
        } else if (rc == 0 && now.status == SURV_REPORTED) {
            struct surv_case_patch p = {
                .classification = blank_null(csv_get(r, "new_classification")),
                .onset_date = blank_null(csv_get(r, "new_onset_date")),
            };
            rc = surv_case_revise(s, cat, NULL, &demo_actor, id, &p, &err);
            *revised += rc == 0;
        }
        rc = plan_check(rc, "case-revisions.csv", csv_line(r), &err);
    }
    csv_close(r);
    fclose(f);
    return rc;
}

static int run_case_revisions(struct cli_config *c, struct store *s, const char *dir)
{
    struct surv_catalog *cat;
    struct yl_err err = {0};
    long revised, deleted;
    double t0 = now_s();
    if (cli_surveil_catalog(c, &cat, &err) != 0)
        return cli_fail(&err);
    int rc = cli_demo_case_revisions(s, cat, dir, &revised, &deleted);
    surv_catalog_free(cat);
    printf("  case reports revised %ld, deleted %ld in %.2f s\n", revised, deleted,
           now_s() - t0);
    return rc;
}

/* What the surveillance data hold, and where the outbreak is for whoever looks for it. */
static void print_surveil(const struct demo_stats *st, int32_t ref_date)
{
    const struct demo_outbreak *ob = &st->outbreak;
    char from[DATE_STR_LEN], to[DATE_STR_LEN], d0[DATE_STR_LEN], d1[DATE_STR_LEN];
    printf("  surveillance %s to %s: %ld case reports (%ld unregistered, %.1f %% late), "
           "planned %ld revisions and %ld deletions; %ld syndromic counts (%ld missing)\n",
           date_format(st->surveil_from, from), date_format(ref_date - 1, to),
           st->case_reports, st->cases_unregistered,
           st->case_reports > 0 ? 100.0 * (double)st->cases_late / (double)st->case_reports
                                : 0.0,
           st->cases_revised, st->cases_deleted, st->syndromic_rows, st->syndromic_missing);
    printf("  injected outbreak: %s, %ld pupils aged 6-12 (%ld registered) of %s with onset %s "
           "to %s in %s %s (township %s %s), reported by %s\n",
           ob->disease, ob->cases, ob->registered, ob->school, date_format(ob->first_day, d0),
           date_format(ob->last_day, d1), ob->village, ob->village_name, ob->township,
           ob->township_name, ob->facility);
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
    printf("  %ld encounters (%ld visits, %.1f %% at grassroots facilities; %ld stays of %ld "
           "residents), %ld results; planned %ld referrals up (%ld critical), %ld down, "
           "%ld expert sessions with %ld bookings\n",
           st.encounters, st.visits,
           st.visits > 0 ? 100.0 * (double)st.grassroots_visits / (double)st.visits : 0.0,
           st.inpatient_stays, st.inpatient_residents, st.results, st.referrals_up,
           st.referrals_critical, st.referrals_down, st.expert_sessions, st.expert_bookings);
    print_surveil(&st, opt.ref_date);

    /* The demo is built from nothing and thrown away when it fails, so its hundreds of
     * thousands of commits need not each wait for the disk: the file is synced when the
     * store closes. */
    struct store *s = cli_open_store_for_demo(c);
    if (s == NULL)
        return 1;
    int rc = 0;
    double all = now_s();
    for (size_t i = 0; i < sizeof(demo_files) / sizeof(demo_files[0]) && rc == 0; i++) {
        char path[4200];
        /* The recognised items are the shipped example list, not generated. */
        if (demo_files[i].file == NULL)
            cli_data_path("result-items-example.csv", path, sizeof(path));
        else
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
        rc = run_referrals(s, dir);
    if (rc == 0)
        rc = run_experts(s, dir, opt.ref_date);
    if (rc == 0)
        rc = run_case_revisions(c, s, dir);
    if (rc == 0)
        rc = add_users(s);
    store_close(s);
    /* The region's roads go next to the database, where the server and `yilian access` look. */
    if (rc == 0) {
        char osm[4200];
        char *args[1] = {osm};
        snprintf(osm, sizeof(osm), "%s/roads.osm", dir);
        printf("\nroad network (%ld nodes, %ld ways in %s):\n", st.road_nodes, st.road_ways, osm);
        rc = cli_access_import_osm(c, 1, args);
    }
    return rc;
}
