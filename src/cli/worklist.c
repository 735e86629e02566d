/*
 * worklist.c - `yilian worklist` (the worklist of a team, an org unit or a facility, as an
 * aligned table or the CSV printout) and `yilian points` (village doctor points of a month
 * with the ranking within each township).
 *
 * The command line has no live index: it builds one from the store with the protocol, as
 * `yilian index verify` does, then asks the same library calls as the API, as the system
 * (no scope, phones unmasked, as records show them to the system). It prints every page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "pindex/pindex.h"
#include "services/worklist.h"
#include "store/store.h"

#define CLI_WL_CSV_MAX (64u << 20)

/* Value of "--name VALUE" among argv; NULL when absent. */
static const char *flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

/* True when argv is pairs of known flags and their values, nothing else. */
static bool flags_known(int argc, char **argv, const char *const *names)
{
    for (int i = 0; i < argc; i += 2) {
        bool known = false;
        for (const char *const *n = names; *n != NULL; n++)
            known = known || strcmp(argv[i], *n) == 0;
        if (!known || i + 1 >= argc)
            return false;
    }
    return true;
}

static int usage_worklist(void)
{
    fprintf(stderr, "usage: yilian worklist (--team CODE | --ou CODE | --facility CODE)"
                    " [--date YYYY-MM-DD]\n"
                    "                       [--horizon N] [--state due,overdue,upcoming,done]"
                    " [--item CODE] [--format table|csv]\n");
    return 2;
}

/* The scope flag given, exactly one. */
static bool scope_flag(int argc, char **argv, enum svc_wl_scope *kind, const char **code)
{
    static const char *const names[] = {"--team", "--ou", "--facility"};
    static const enum svc_wl_scope kinds[] = {SVC_WL_TEAM, SVC_WL_OU, SVC_WL_FACILITY};
    int given = 0;
    for (int i = 0; i < 3; i++) {
        const char *v = flag(argc, argv, names[i]);
        if (v != NULL) {
            *kind = kinds[i];
            *code = v;
            given++;
        }
    }
    return given == 1;
}

static int query_from_flags(int argc, char **argv, const struct svc_protocol *p,
                            struct svc_worklist_query *q, struct yl_err *err)
{
    const char *date = flag(argc, argv, "--date"), *horizon = flag(argc, argv, "--horizon");
    const char *item = flag(argc, argv, "--item");
    memset(q, 0, sizeof(*q));
    q->today = date_today();
    q->done_from = q->done_to = SVC_DAY_NONE;
    q->horizon_days = SVC_WL_HORIZON_DEFAULT;
    q->item = q->program = -1;
    q->limit = SVC_WL_LIMIT_MAX;
    if (date != NULL && date_parse(date, strlen(date), &q->today, "date", err) != 0)
        return YL_EINVAL;
    if (horizon != NULL) {
        char *end;
        long h = strtol(horizon, &end, 10);
        if (end == horizon || *end != '\0' || h < 0 || h > SVC_WL_HORIZON_MAX)
            return yl_err_set(err, YL_EINVAL, "horizon", "horizon must be from 0 to %d days",
                              SVC_WL_HORIZON_MAX);
        q->horizon_days = (int)h;
    }
    if (item != NULL) {
        q->item = svc_item_find(p, item);
        if (q->item < 0)
            return yl_err_set(err, YL_EINVAL, "item", "no item \"%s\" in the protocol", item);
    }
    return svc_wl_states_parse(flag(argc, argv, "--state"), &q->states, err);
}

static const char *day_text(int32_t day, char out[DATE_STR_LEN])
{
    return day == SVC_DAY_NONE || day == SVC_OPEN ? "-" : date_format(day, out);
}

static void print_table_rows(const struct svc_protocol *p, const struct svc_worklist *wl)
{
    for (size_t i = 0; i < wl->n; i++) {
        const struct svc_worklist_row *r = &wl->rows[i];
        bool refer = (r->e.flags & SVC_PLAN_REFER) != 0 && r->e.refer_rule >= 0;
        char due[DATE_STR_LEN], since[DATE_STR_LEN], last[DATE_STR_LEN];
        printf("%-8u %-12s %-13s %-12s %-16s %-9s %-10s %-10s %-10s %s\n",
               (unsigned)r->resident, r->name, r->phone[0] ? r->phone : "-", r->village,
               svc_item_at(p, r->e.item)->code, svc_state_code(r->e.state),
               day_text(r->e.due_by, due), day_text(r->e.overdue_since, since),
               day_text(r->e.last_done, last),
               refer ? svc_rule_at(p, r->e.refer_rule)->code : "");
    }
}

/* Every page of the worklist, printed as it comes. */
static int print_worklist(struct store *s, struct pidx *x, const struct svc_protocol *p,
                          enum svc_wl_scope kind, const char *code, struct svc_worklist_query *q,
                          bool csv, struct yl_err *err)
{
    struct svc_worklist wl;
    struct svc_wl_area area;
    int rc = 0;
    for (int page = 0; rc == 0; page++) {
        struct arena a;
        arena_init(&a);
        rc = svc_worklist_get(s, x, p, NULL, NULL, kind, code, q, &a, &area, &wl, err);
        if (rc == 0 && csv) {
            struct buf b;
            buf_init(&b, CLI_WL_CSV_MAX);
            rc = svc_worklist_csv(p, &wl, &b);
            /* The header row once, at the top. */
            const char *text = b.data ? b.data : "";
            fputs(page == 0 ? text : strstr(text, "\r\n") + 2, stdout);
            buf_release(&b);
        } else if (rc == 0) {
            if (page == 0)
                printf("%s %s: %zu residents; due %zu, overdue %zu, upcoming %zu, done %zu\n"
                       "%-8s %-12s %-13s %-12s %-16s %-9s %-10s %-10s %-10s %s\n",
                       kind == SVC_WL_TEAM ? "team" : kind == SVC_WL_OU ? "ou" : "facility",
                       area.code, wl.residents, wl.counts[SVC_STATE_DUE],
                       wl.counts[SVC_STATE_OVERDUE], wl.counts[SVC_STATE_UPCOMING],
                       wl.counts[SVC_STATE_DONE], "resident", "name", "phone", "village", "item",
                       "state", "due_by", "overdue", "last_done", "referral");
            print_table_rows(p, &wl);
        }
        bool more = rc == 0 && wl.more;
        q->after = wl.next;
        arena_release(&a);
        if (!more)
            break;
    }
    return rc;
}

/* The index of the store with its service history, as the server builds it. */
static int load_index(const struct cli_config *c, struct store **s, struct pidx **x,
                      struct svc_protocol **p, struct yl_err *err)
{
    *s = NULL;
    *x = NULL;
    int rc = cli_protocol_load(c, p, err);
    if (rc != 0)
        return rc;
    if (access(c->db, F_OK) != 0)
        return yl_err_set(err, YL_ENOTFOUND, "db", "database \"%s\" does not exist", c->db);
    *s = cli_open_store(c);
    if (*s == NULL)
        return yl_err_set(err, YL_ESTORE, "db", "cannot open the database");
    *x = pidx_new();
    pidx_set_protocol(*x, *p);
    return pidx_load(*x, *s, err);
}

int cli_worklist(struct cli_config *c, int argc, char **argv)
{
    static const char *const names[] = {"--team", "--ou",   "--facility", "--date", "--horizon",
                                        "--state", "--item", "--format",   NULL};
    const char *format = flag(argc, argv, "--format"), *code = NULL;
    enum svc_wl_scope kind = SVC_WL_OWN;
    bool csv = format != NULL && strcmp(format, "csv") == 0;
    if (!flags_known(argc, argv, names) || !scope_flag(argc, argv, &kind, &code) ||
        (format != NULL && !csv && strcmp(format, "table") != 0))
        return usage_worklist();
    struct store *s;
    struct pidx *x;
    struct svc_protocol *p = NULL;
    struct svc_worklist_query q;
    struct yl_err err = {0};
    int rc = load_index(c, &s, &x, &p, &err);
    if (rc == 0)
        rc = query_from_flags(argc, argv, p, &q, &err);
    if (rc == 0)
        rc = print_worklist(s, x, p, kind, code, &q, csv, &err);
    pidx_free(x);
    store_close(s);
    svc_protocol_free(p);
    return rc == 0 ? 0 : cli_fail(&err);
}

static void print_points(const struct svc_points_row *rows, size_t n, bool csv)
{
    if (csv)
        printf("staff,name,role,facility,township,events,points,rank\r\n");
    else
        printf("%-12s %-16s %-22s %-12s %-10s %7s %9s %5s\n", "staff", "name", "role",
               "facility", "township", "events", "points", "rank");
    for (size_t i = 0; i < n; i++) {
        const struct svc_points_row *r = &rows[i];
        char rank[16] = "";
        if (r->rank > 0)
            snprintf(rank, sizeof(rank), "%d", r->rank);
        if (csv)
            printf("%s,%s,%s,%s,%s,%ld,%.1f,%s\r\n", r->code, r->name, r->role, r->facility,
                   r->township, r->events, r->points, rank);
        else
            printf("%-12s %-16s %-22s %-12s %-10s %7ld %9.1f %5s\n", r->code, r->name, r->role,
                   r->facility, r->township[0] ? r->township : "-", r->events, r->points,
                   rank[0] ? rank : "-");
    }
}

int cli_points(struct cli_config *c, int argc, char **argv)
{
    static const char *const names[] = {"--month", "--township", "--format", NULL};
    const char *month = flag(argc, argv, "--month"), *format = flag(argc, argv, "--format");
    bool csv = format != NULL && strcmp(format, "csv") == 0;
    if (!flags_known(argc, argv, names) || month == NULL ||
        (format != NULL && !csv && strcmp(format, "table") != 0)) {
        fprintf(stderr, "usage: yilian points --month YYYY-MM [--township CODE]"
                        " [--format table|csv]\n");
        return 2;
    }
    struct svc_protocol *p = NULL;
    struct yl_err err = {0};
    if (cli_protocol_load(c, &p, &err) != 0)
        return cli_fail(&err);
    if (access(c->db, F_OK) != 0) {
        fprintf(stderr, "yilian: database \"%s\" does not exist\n", c->db);
        svc_protocol_free(p);
        return 1;
    }
    struct store *s = cli_open_store(c);
    if (s == NULL) {
        svc_protocol_free(p);
        return 1;
    }
    struct arena a;
    arena_init(&a);
    struct svc_points_row *rows;
    size_t n;
    int rc = svc_points_month(s, p, month, flag(argc, argv, "--township"), &a, &rows, &n, &err);
    if (rc == 0)
        print_points(rows, n, csv);
    arena_release(&a);
    store_close(s);
    svc_protocol_free(p);
    return rc == 0 ? 0 : cli_fail(&err);
}
