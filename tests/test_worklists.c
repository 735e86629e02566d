/*
 * test_worklists.c - worklists and village doctor points (issue 4, "Care plans and
 * worklists"): the worklist of a hand-made team equal to the list worked out by hand, each
 * filter and sort, pagination, the CSV printout, scope refusals, one audit record per
 * request, the roster path against the full pass, and the points of a hand-made month.
 *
 * The protocol is the shipped one (data/). The region is written straight into the migrated
 * database with the sqlite3 C API; service events go through the API. Dates are relative to
 * today (T) so that ages and windows hold whenever the test runs; the points month is a
 * fixed past month (2024-03). Tests share one server and run in file order.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "core/mem.h"
#include "services/worklist.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ fixtures */

static struct ts_server srv;
static bool srv_up;
static struct svc_protocol *proto;
static char tok_admin[ACCT_TOKEN_HEX], tok_fd_a[ACCT_TOKEN_HEX], tok_fd_b[ACCT_TOKEN_HEX];
static char tok_vd[ACCT_TOKEN_HEX], tok_analyst[ACCT_TOKEN_HEX], tok_epi[ACCT_TOKEN_HEX];
static char tok_fa[ACCT_TOKEN_HEX];
static struct ts_response R;
static int32_t T;               /* today */

/*
 * Residents, all living in village A1 (222404001001):
 *   1 a hypertensive woman of 66, phone 13812345678, team A (TA-1);
 *   2 a boy of 5 months and 10 days, team A;
 *   3 a pregnant woman of 28 at 10 weeks (last period T-70, expected delivery T+210,
 *     registered T-14), team A;
 *   4 a man of 70, team B (TB-1): the resident of another team.
 */
#define N_RESIDENTS 4
static int32_t birth[N_RESIDENTS + 1];

static void stop_srv(void)
{
    ts_response_free(&R);
    if (srv_up)
        ts_server_stop(&srv);
    srv_up = false;
}

static int sql(const char *text)
{
    return ts_sql(srv.db, text);
}

static long sql_count(const char *text)
{
    return ts_sql_count(srv.db, text);
}

static int32_t months_after(int32_t day, int months)
{
    return svc_period_add(day, (struct svc_period){months, SVC_UNIT_MONTH});
}

static void make_idno(char out[IDNO_LEN + 1], int32_t day, int seq)
{
    ts_idno(out, day, seq);
}

static int region(void)
{
    const char *now = "2024-01-01T00:00:00Z";
    char text[8192];
    snprintf(text, sizeof(text),
             "INSERT INTO ou (id, code, name, level, parent_id, updated_at) VALUES"
             " (1, '22', 'Jilin', 1, NULL, '%1$s'), (2, '2224', 'Yanbian', 2, 1, '%1$s'),"
             " (3, '222404', 'Hunchun', 3, 2, '%1$s'),"
             " (4, '222404001', 'Township A', 4, 3, '%1$s'),"
             " (5, '222404001001', 'Village A1', 5, 4, '%1$s'),"
             " (6, '222404002', 'Township B', 4, 3, '%1$s'),"
             " (7, '222404002001', 'Village B1', 5, 6, '%1$s');"
             "INSERT INTO facility (id, code, name, type, ou_id, status, updated_at) VALUES"
             " (1, 'TA', 'Township A center', 'township_center', 4, 'active', '%1$s'),"
             " (2, 'TB', 'Township B center', 'township_center', 6, 'active', '%1$s'),"
             " (3, 'VA1', 'Village A1 clinic', 'village_clinic', 5, 'active', '%1$s'),"
             " (4, 'HOSP', 'County hospital', 'secondary_hospital', 3, 'active', '%1$s'),"
             " (5, 'VB1', 'Village B1 clinic', 'village_clinic', 7, 'active', '%1$s');"
             "INSERT INTO staff (id, code, name, role, facility_id, status, updated_at) VALUES"
             " (1, 'S-VD1', 'Village doctor A1', 'village_doctor', 3, 'active', '%1$s'),"
             " (2, 'S-GP1', 'GP A', 'general_practitioner', 1, 'active', '%1$s'),"
             " (3, 'S-GP2', 'GP B', 'general_practitioner', 2, 'active', '%1$s'),"
             " (4, 'S-VD2', 'Village doctor A2', 'village_doctor', 3, 'active', '%1$s'),"
             " (5, 'S-VD3', 'Village doctor B1', 'village_doctor', 5, 'active', '%1$s');"
             "INSERT INTO team (id, code, name, facility_id, status, updated_at) VALUES"
             " (1, 'TA-1', 'Team A', 1, 'active', '%1$s'),"
             " (2, 'TB-1', 'Team B', 2, 'active', '%1$s');"
             "INSERT INTO team_member (team_id, staff_id) VALUES (1, 1), (1, 2), (1, 4),"
             " (2, 3), (2, 5);",
             now);
    return sql(text);
}

static int residents(void)
{
    const char *now = "2024-01-01T00:00:00Z";
    char text[4096], b[DATE_STR_LEN], from[DATE_STR_LEN], due[DATE_STR_LEN];
    birth[1] = date_add_days(months_after(T, -66 * 12), -10);
    birth[2] = date_add_days(months_after(T, -5), -10);
    birth[3] = date_add_days(months_after(T, -28 * 12), -10);
    birth[4] = date_add_days(months_after(T, -70 * 12), -10);
    static const int sexes[N_RESIDENTS + 1] = {0, 2, 1, 2, 1};
    static const char *const phones[N_RESIDENTS + 1] = {"", "13812345678", "", "13900001111",
                                                        ""};
    for (int id = 1; id <= N_RESIDENTS; id++) {
        char idno[IDNO_LEN + 1];
        make_idno(idno, birth[id], 100 + 2 * id + (sexes[id] == 2 ? 0 : 1));
        snprintf(text, sizeof(text),
                 "INSERT INTO resident (id, id_number, name, sex, birth_date, ou_id, phone,"
                 " record_date, status, updated_at) VALUES (%d, '%s', 'Resident %d', %d,"
                 " '%s', 5, '%s', '%s', 'active', '%s');"
                 "INSERT INTO contract (resident_id, team_id, package, from_date, to_date,"
                 " status, updated_at) VALUES (%d, %d, 'basic', '2020-01-01', '2099-12-31',"
                 " 'active', '%s');",
                 id, idno, id, sexes[id], date_format(birth[id], b), phones[id],
                 date_format(birth[id], b), now, id, id == 4 ? 2 : 1, now);
        if (sql(text) != 0)
            return -1;
    }
    char ten_years[DATE_STR_LEN];
    snprintf(text, sizeof(text),
             "INSERT INTO resident_tag (resident_id, tag, from_date) VALUES"
             " (1, 'hypertension', '%s');"
             "INSERT INTO resident_tag (resident_id, tag, from_date, expected_delivery) VALUES"
             " (3, 'pregnant', '%s', '%s');",
             date_format(months_after(T, -120), ten_years),
             date_format(date_add_days(T, -14), from), date_format(date_add_days(T, 210), due));
    return sql(text);
}

static struct ts_server *server(void)
{
    static int state; /* 0 not tried, 1 ready, -1 failed */
    if (state != 0)
        return state > 0 ? &srv : NULL;
    state = -1;
    T = date_today();
    if (ts_server_start(&srv, NULL, NULL) != 0)
        return NULL;
    srv_up = true;
    atexit(stop_srv);
    if (region() != 0 || residents() != 0)
        return NULL;
    /* The shipped protocol, and the index loaded with the fixtures. */
    if (ts_server_protocol(&srv) != 0)
        return NULL;
    proto = srv.protocol;
    if (ts_user_add(&srv, "fd_a", "password-fd-a", "family_doctor", "team:1") != 0 ||
        ts_user_add(&srv, "fd_b", "password-fd-b", "family_doctor", "team:2") != 0 ||
        ts_user_add(&srv, "vdoc", "password-vd-1", "village_doctor", "ou:222404001001") != 0 ||
        ts_user_add(&srv, "analyst", "password-analyst", "analyst", "region") != 0 ||
        ts_user_add(&srv, "epi", "password-epi-1", "epidemiologist", "region") != 0 ||
        ts_user_add(&srv, "fadm", "password-fadm-1", "facility_admin", "facility:TA") != 0)
        return NULL;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, tok_admin) != 200 ||
        ts_login(srv.port, "fd_a", "password-fd-a", tok_fd_a) != 200 ||
        ts_login(srv.port, "fd_b", "password-fd-b", tok_fd_b) != 200 ||
        ts_login(srv.port, "vdoc", "password-vd-1", tok_vd) != 200 ||
        ts_login(srv.port, "analyst", "password-analyst", tok_analyst) != 200 ||
        ts_login(srv.port, "epi", "password-epi-1", tok_epi) != 200 ||
        ts_login(srv.port, "fadm", "password-fadm-1", tok_fa) != 200)
        return NULL;
    state = 1;
    return &srv;
}

static int req(const char *method, const char *path, const char *token)
{
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    if (ts_request(srv.port, method, path, token, NULL, NULL, 0, &R) != 0)
        return -1;
    return R.status;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* POST an event for resident `id` on `day` as the admin. */
static int post_event(int id, const char *item, int32_t day, const char *facility,
                      const char *staff, const char *measurements)
{
    char path[64], body[1024], d[DATE_STR_LEN];
    snprintf(path, sizeof(path), "/api/residents/%d/services", id);
    snprintf(body, sizeof(body),
             "{\"item\":\"%s\",\"date\":\"%s\",\"facility\":\"%s\",\"staff\":\"%s\","
             "\"measurements\":%s}",
             item, date_format(day, d), facility, staff, measurements);
    ts_response_free(&R);
    memset(&R, 0, sizeof(R));
    if (ts_post(srv.port, path, tok_admin, body, &R) != 0)
        return -1;
    if (R.status != 201)
        fprintf(stderr, "    %s on %s: %d %s\n", item, d, R.status, R.body ? R.body : "");
    return R.status;
}

static int32_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

#define LOT "{\"lot\":\"L2024-01\"}"
#define BP_OK "{\"sbp\":130,\"dbp\":80}"

/* The services of the hand-made team and of the points month. */
static int events(void)
{
    int32_t b = birth[2];
    int rc = 0;
    /* Resident 1: two uncontrolled follow-ups in a row, 60 and 20 days ago. */
    rc |= post_event(1, "htn_followup", date_add_days(T, -60), "TA", "S-GP1",
                     "{\"sbp\":150,\"dbp\":95}") != 201;
    rc |= post_event(1, "htn_followup", date_add_days(T, -20), "TA", "S-VD1",
                     "{\"sbp\":160,\"dbp\":92}") != 201;
    /* Resident 2: every dose and check on time except DTaP 2. */
    rc |= post_event(2, "hepb_1", b, "VA1", "S-VD1", LOT) != 201;
    rc |= post_event(2, "bcg_1", date_add_days(b, 1), "VA1", "S-VD1", LOT) != 201;
    rc |= post_event(2, "hepb_2", date_add_days(months_after(b, 1), 2), "VA1", "S-VD1", LOT) != 201;
    rc |= post_event(2, "ipv_1", date_add_days(months_after(b, 2), 2), "VA1", "S-VD1", LOT) != 201;
    int32_t m3 = date_add_days(months_after(b, 3), 2);
    rc |= post_event(2, "ipv_2", m3, "VA1", "S-VD1", LOT) != 201;
    rc |= post_event(2, "dtap_1", m3, "VA1", "S-VD1", LOT) != 201;
    rc |= post_event(2, "child_3m", m3, "VA1", "S-VD1", "{\"weight\":6.5,\"height\":61}") != 201;
    rc |= post_event(2, "bopv_1", date_add_days(months_after(b, 4), 2), "VA1", "S-VD1", LOT) != 201;
    /* March 2024, for the points (and two events just outside it). */
    rc |= post_event(1, "htn_followup", ymd(2024, 2, 29), "TA", "S-VD2", BP_OK) != 201;
    rc |= post_event(1, "htn_followup", ymd(2024, 3, 5), "TA", "S-VD1", BP_OK) != 201;
    rc |= post_event(1, "htn_yearly", ymd(2024, 3, 6), "TA", "S-VD1",
                     "{\"sbp\":130,\"dbp\":80,\"height\":160,\"weight\":60}") != 201;
    rc |= post_event(4, "elderly_checkup", ymd(2024, 3, 7), "TA", "S-VD2",
                     "{\"sbp\":130,\"dbp\":80,\"height\":170,\"weight\":70,\"fbg\":5.5}") != 201;
    rc |= post_event(4, "elderly_tcm", ymd(2024, 3, 8), "VB1", "S-VD3",
                     "{\"tcm_type\":\"balanced\"}") != 201;
    rc |= post_event(1, "htn_followup", ymd(2024, 3, 20), "TA", "S-GP1", BP_OK) != 201;
    rc |= post_event(1, "htn_followup", ymd(2024, 3, 25), "TA", "S-VD2", BP_OK) != 201;
    rc |= post_event(1, "htn_followup", ymd(2024, 4, 1), "TA", "S-VD1", BP_OK) != 201;
    return rc ? -1 : 0;
}

static struct ts_server *ready(void)
{
    static int state;
    if (state != 0)
        return state > 0 ? &srv : NULL;
    state = -1;
    if (server() == NULL || events() != 0)
        return NULL;
    state = 1;
    return &srv;
}

/* ------------------------------------------------------------------ the list by hand */

struct expect {
    int resident;
    const char *item;
    const char *state;
    int32_t due_by;
    int32_t overdue_since;      /* SVC_DAY_NONE unless overdue */
};

static int32_t year_end(void)
{
    int y, m, d;
    date_to_ymd(T, &y, &m, &d);
    return ymd(y, 12, 31);
}

/*
 * Team A on T, horizon 30, states due, overdue and upcoming:
 *   1 elderly_checkup, elderly_tcm, htn_yearly: due by 31 December (none this year);
 *   1 htn_followup: uncontrolled 20 days ago, so due within 14 days (T-6), overdue since T-5;
 *   2 dtap_2: window [4m, 5m) closed without the dose: due by b+5m-1, overdue since b+5m;
 *   2 dtap_3: window [5m, 12m) open: due by b+12m-1;
 *   2 hepb_3 [6m, 12m): opens about 20 days ahead, within 30: upcoming, due by b+12m-1;
 *   2 child_6m, mpsva_1, child_tcm_6m [6m, 7m): upcoming, due by b+7m-1;
 *   2 everything else given (done) or later (8 months on);
 *   3 prenatal_1: [registration T-14, LMP+13w) open, due by T-70+91-1 = T+20;
 *   3 prenatal_2..5 open at 16 weeks and later (T+42 on): later;
 *   4 belongs to team B.
 * 11 entries; sorted by due_by, then resident, then protocol order.
 */
static size_t team_a_by_hand(struct expect *e)
{
    int32_t b = birth[2], end = year_end();
    int32_t m5 = months_after(b, 5), m7 = months_after(b, 7), m12 = months_after(b, 12);
    const struct expect list[] = {
        {1, "elderly_checkup", "due", end, SVC_DAY_NONE},
        {1, "htn_followup", "overdue", date_add_days(T, -6), date_add_days(T, -5)},
        {1, "htn_yearly", "due", end, SVC_DAY_NONE},
        {1, "elderly_tcm", "due", end, SVC_DAY_NONE},
        {2, "child_6m", "upcoming", m7 - 1, SVC_DAY_NONE},
        {2, "hepb_3", "upcoming", m12 - 1, SVC_DAY_NONE},
        {2, "dtap_2", "overdue", m5 - 1, m5},
        {2, "dtap_3", "due", m12 - 1, SVC_DAY_NONE},
        {2, "mpsva_1", "upcoming", m7 - 1, SVC_DAY_NONE},
        {2, "child_tcm_6m", "upcoming", m7 - 1, SVC_DAY_NONE},
        {3, "prenatal_1", "due", date_add_days(T, 20), SVC_DAY_NONE},
    };
    size_t n = sizeof(list) / sizeof(list[0]);
    memcpy(e, list, sizeof(list));
    return n;
}

static int by_due(const void *a, const void *b)
{
    const struct expect *x = a, *y = b;
    if (x->due_by != y->due_by)
        return x->due_by < y->due_by ? -1 : 1;
    if (x->resident != y->resident)
        return x->resident - y->resident;
    return svc_item_find(proto, x->item) - svc_item_find(proto, y->item);
}

static const char *day_or_null(int32_t day, char out[DATE_STR_LEN])
{
    return day == SVC_DAY_NONE ? NULL : date_format(day, out);
}

/* Every page of a worklist query into one array (a new reference); NULL on failure. */
static json_t *all_items(const char *query, const char *token, int limit)
{
    json_t *all = json_array();
    char path[512], cursor[64] = "";
    for (int page = 0; page < 50; page++) {
        snprintf(path, sizeof(path), "/api/worklists?%s&limit=%d%s%s", query, limit,
                 cursor[0] ? "&cursor=" : "", cursor);
        if (req("GET", path, token) != 200) {
            json_decref(all);
            return NULL;
        }
        json_t *items = json_object_get(R.json, "items");
        for (size_t i = 0; i < json_array_size(items); i++)
            json_array_append(all, json_array_get(items, i));
        const char *next = jstr(R.json, "next");
        if (next == NULL)
            return all;
        snprintf(cursor, sizeof(cursor), "%s", next);
    }
    json_decref(all);
    return NULL;
}

/* ------------------------------------------------------------------ the hand-made team */

TEST(team_worklist_equals_the_list_by_hand)
{
    CHECK(ready() != NULL);
    struct expect want[32];
    size_t n = team_a_by_hand(want);
    qsort(want, n, sizeof(want[0]), by_due);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&limit=1000", tok_fd_a), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), n);
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(items, i);
        char due[DATE_STR_LEN], since[DATE_STR_LEN];
        CHECK_INT(jint(row, "resident_id"), want[i].resident);
        CHECK_STR(jstr(row, "item"), want[i].item);
        CHECK_STR(jstr(row, "state"), want[i].state);
        CHECK_STR(jstr(row, "due_by"), date_format(want[i].due_by, due));
        const char *s = day_or_null(want[i].overdue_since, since);
        if (s == NULL)
            CHECK(json_is_null(json_object_get(row, "overdue_since")));
        else
            CHECK_STR(jstr(row, "overdue_since"), s);
        CHECK_STR(jstr(row, "village"), "222404001001");
        CHECK_STR(jstr(row, "name"), want[i].resident == 1   ? "Resident 1"
                                     : want[i].resident == 2 ? "Resident 2"
                                                             : "Resident 3");
    }
    /* Counts over the whole scope: 5 due, 2 overdue, 4 upcoming. */
    json_t *counts = json_object_get(R.json, "counts");
    CHECK_INT(jint(counts, "due"), 5);
    CHECK_INT(jint(counts, "overdue"), 2);
    CHECK_INT(jint(counts, "upcoming"), 4);
    CHECK_INT(jint(R.json, "residents"), 3);
    CHECK(json_is_null(json_object_get(R.json, "next")));
    /* The family doctor's own team is the default. */
    CHECK_INT(req("GET", "/api/worklists?limit=1000", tok_fd_a), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), n);
    CHECK_STR(jstr(json_object_get(R.json, "scope"), "code"), "TA-1");
}

TEST(phones_are_masked_and_referrals_named)
{
    CHECK(ready() != NULL);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&refer=1", tok_fd_a), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    json_t *row = json_array_get(items, 0);
    CHECK_INT(jint(row, "resident_id"), 1);
    CHECK_STR(jstr(row, "item"), "htn_followup");
    CHECK(json_is_true(json_object_get(row, "referral_suggested")));
    CHECK_STR(jstr(row, "referral_rule"), "htn_uncontrolled_twice");
    CHECK_STR(jstr(row, "due_rule"), "htn_uncontrolled");
    CHECK_STR(jstr(row, "phone"), "138****5678");
    char last[DATE_STR_LEN];
    CHECK_STR(jstr(row, "last_done"), date_format(date_add_days(T, -20), last));
    /* Counts follow the filters: only that entry is left. */
    CHECK_INT(jint(json_object_get(R.json, "counts"), "overdue"), 1);
    CHECK_INT(jint(json_object_get(R.json, "counts"), "due"), 0);
}

TEST(filters_by_state_item_program_horizon_and_period)
{
    CHECK(ready() != NULL);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&state=overdue&sort=overdue", tok_fd_a), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 2);
    /* DTaP 2 has been overdue since b+5m (T-10), the follow-up since T-5. */
    CHECK_STR(jstr(json_array_get(items, 0), "item"), "dtap_2");
    CHECK_STR(jstr(json_array_get(items, 1), "item"), "htn_followup");
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&state=upcoming", tok_fd_a), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 4);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&state=due,overdue", tok_fd_a), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 7);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&item=dtap_3", tok_fd_a), 200);
    items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_INT(jint(json_array_get(items, 0), "resident_id"), 2);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&program=maternal", tok_fd_a), 200);
    items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_STR(jstr(json_array_get(items, 0), "item"), "prenatal_1");
    /* 45 days ahead the 16-20 week visit (opening T+42) becomes upcoming. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&program=maternal&horizon=45", tok_fd_a), 200);
    items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 2);
    CHECK_STR(jstr(json_array_get(items, 1), "item"), "prenatal_2");
    CHECK_STR(jstr(json_array_get(items, 1), "state"), "upcoming");
    /* Done in the last 30 days: only the follow-up of T-20 (the boy's last dose was more
     * than a month ago). */
    char from[DATE_STR_LEN], to[DATE_STR_LEN], path[256], day[DATE_STR_LEN];
    snprintf(path, sizeof(path), "/api/worklists?team=TA-1&state=done&from=%s&to=%s",
             date_format(date_add_days(T, -30), from), date_format(T, to));
    CHECK_INT(req("GET", path, tok_fd_a), 200);
    items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_STR(jstr(json_array_get(items, 0), "item"), "htn_followup");
    CHECK_STR(jstr(json_array_get(items, 0), "done_day"), date_format(date_add_days(T, -20), day));
    CHECK_INT(jint(json_array_get(items, 0), "done_in_period"), 1);
    CHECK_INT(jint(json_object_get(R.json, "counts"), "done"), 1);
    /* March 2024: the follow-ups of the 5th, 20th and 25th. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&state=done&from=2024-03-01&to=2024-03-31"
                         "&item=htn_followup", tok_fd_a), 200);
    items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_STR(jstr(json_array_get(items, 0), "done_day"), "2024-03-25");
    CHECK_INT(jint(json_array_get(items, 0), "done_in_period"), 3);
    /* Refusals name the parameter. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&state=soon", tok_fd_a), 400);
    CHECK_STR(ts_err_field(&R), "state");
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&item=nope", tok_fd_a), 400);
    CHECK_STR(ts_err_field(&R), "item");
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&sort=age", tok_fd_a), 400);
    CHECK_STR(ts_err_field(&R), "sort");
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&horizon=-1", tok_fd_a), 400);
    CHECK_STR(ts_err_field(&R), "horizon");
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&date=2024-02-30", tok_fd_a), 400);
    CHECK_STR(ts_err_field(&R), "date");
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&from=2024-03-02&to=2024-03-01", tok_fd_a),
              400);
    CHECK_STR(ts_err_field(&R), "to");
}

TEST(sorts_and_pagination)
{
    CHECK(ready() != NULL);
    /* By resident: resident 1's four items in protocol order come first. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&sort=resident&limit=4", tok_fd_a), 200);
    json_t *items = json_object_get(R.json, "items");
    static const char *const first[] = {"elderly_checkup", "htn_followup", "htn_yearly",
                                        "elderly_tcm"};
    for (size_t i = 0; i < 4; i++) {
        CHECK_INT(jint(json_array_get(items, i), "resident_id"), 1);
        CHECK_STR(jstr(json_array_get(items, i), "item"), first[i]);
    }
    CHECK(jstr(R.json, "next") != NULL);
    /* By item: protocol order, elderly_checkup (item 0) first. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&sort=item&limit=1", tok_fd_a), 200);
    CHECK_STR(jstr(json_array_get(json_object_get(R.json, "items"), 0), "item"),
              "elderly_checkup");
    /* Pages of 5 put together are the whole list, in the same order. */
    json_t *whole = all_items("team=TA-1", tok_fd_a, 1000);
    json_t *paged = all_items("team=TA-1", tok_fd_a, 5);
    CHECK(whole != NULL && paged != NULL);
    CHECK_INT(json_array_size(paged), json_array_size(whole));
    CHECK_INT(json_array_size(whole), 11);
    bool same = true;
    for (size_t i = 0; i < json_array_size(whole); i++)
        same = same && json_equal(json_array_get(whole, i), json_array_get(paged, i));
    json_decref(whole);
    json_decref(paged);
    CHECK(same);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&cursor=%%%", tok_fd_a), 400);
}

/* ------------------------------------------------------------------ CSV */

TEST(csv_printout)
{
    CHECK(ready() != NULL);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&state=overdue&sort=overdue&format=csv",
                  tok_fd_a),
              200);
    CHECK_CONTAINS(R.headers, "text/csv");
    const char *header = "居民ID,姓名,电话,村/社区,项目代码,项目,状态,窗口开始,应完成日期,"
                         "逾期起始,最近完成,本年次数,本期完成日期,本期次数,建议转诊,转诊规则\r\n";
    CHECK(strncmp(R.body, header, strlen(header)) == 0);
    /* The follow-up row (the second: DTaP 2 is overdue longer): window from the day after
     * the last follow-up, due 14 days after it, overdue the day after that. This year's
     * follow-ups are those of T-60 and T-20 that fall in T's year. */
    int y, m, d;
    date_to_ymd(T, &y, &m, &d);
    int32_t jan1 = ymd(y, 1, 1);
    int this_year = (date_add_days(T, -60) >= jan1) + (date_add_days(T, -20) >= jan1);
    char open[DATE_STR_LEN], due[DATE_STR_LEN], since[DATE_STR_LEN], last[DATE_STR_LEN];
    char row[512];
    snprintf(row, sizeof(row),
             "\r\n1,Resident 1,138****5678,222404001001,htn_followup,高血压患者随访,逾期,"
             "%s,%s,%s,%s,%d,%s,%d,是,htn_uncontrolled_twice\r\n",
             date_format(date_add_days(T, -19), open), date_format(date_add_days(T, -6), due),
             date_format(date_add_days(T, -5), since), date_format(date_add_days(T, -20), last),
             this_year, this_year > 0 ? last : "", this_year);
    CHECK_CONTAINS(R.body, row);
    /* Header and two rows. */
    int lines = 0;
    for (const char *c = R.body; *c != '\0'; c++)
        lines += *c == '\n';
    CHECK_INT(lines, 3);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&format=xml", tok_fd_a), 400);
    CHECK_STR(ts_err_field(&R), "format");
}

/* ------------------------------------------------------------------ scope */

TEST(scopes_ou_facility_and_village_doctor)
{
    CHECK(ready() != NULL);
    /* Village A1 holds resident 4 as well: his two yearly elderly items. */
    CHECK_INT(req("GET", "/api/worklists?ou=222404001001&limit=1000", tok_admin), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 13);
    CHECK_INT(jint(R.json, "residents"), 4);
    /* The village doctor's default is their village. */
    CHECK_INT(req("GET", "/api/worklists?limit=1000", tok_vd), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 13);
    /* A village clinic serves its village; a township center its township. */
    CHECK_INT(req("GET", "/api/worklists?facility=VA1&limit=1000", tok_vd), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 13);
    CHECK_STR(jstr(json_object_get(R.json, "scope"), "ou"), "222404001001");
    CHECK_INT(req("GET", "/api/worklists?facility=TA&limit=1000", tok_admin), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 13);
    CHECK_STR(jstr(json_object_get(R.json, "scope"), "ou"), "222404001");
    CHECK_INT(req("GET", "/api/worklists?facility=TB", tok_admin), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 0);
    /* A hospital serves no population of its own. */
    CHECK_INT(req("GET", "/api/worklists?facility=HOSP", tok_admin), 400);
    CHECK_STR(ts_err_field(&R), "facility");
    /* The other team: resident 4 only. */
    CHECK_INT(req("GET", "/api/worklists", tok_fd_b), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 2);
    CHECK_INT(jint(json_array_get(items, 0), "resident_id"), 4);
    /* The facility admin of TA: their facility. */
    CHECK_INT(req("GET", "/api/worklists?limit=1000", tok_fa), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 13);
}

TEST(scope_refusals)
{
    CHECK(ready() != NULL);
    /* A family doctor asking for another team, or for an org unit. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1", tok_fd_b), 403);
    CHECK_INT(req("GET", "/api/worklists?ou=222404001001", tok_fd_a), 403);
    /* A village doctor outside their subtree, or asking for a team. */
    CHECK_INT(req("GET", "/api/worklists?ou=222404002", tok_vd), 403);
    CHECK_INT(req("GET", "/api/worklists?ou=222404001", tok_vd), 403);
    CHECK_INT(req("GET", "/api/worklists?facility=TB", tok_vd), 403);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1", tok_vd), 403);
    /* A facility admin asking for another facility. */
    CHECK_INT(req("GET", "/api/worklists?facility=VA1", tok_fa), 403);
    /* Roles that never see a person. */
    CHECK_INT(req("GET", "/api/worklists?team=TA-1", tok_analyst), 403);
    CHECK_INT(req("GET", "/api/worklists?ou=22", tok_epi), 403);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1", NULL), 401);
    /* Unknown codes, and what the admin must say. */
    CHECK_INT(req("GET", "/api/worklists?team=NOPE", tok_admin), 404);
    CHECK_INT(req("GET", "/api/worklists?ou=222404009", tok_admin), 404);
    CHECK_INT(req("GET", "/api/worklists?facility=NOPE", tok_admin), 404);
    CHECK_INT(req("GET", "/api/worklists?ou=12345", tok_admin), 400);
    CHECK_STR(ts_err_field(&R), "ou");
    CHECK_INT(req("GET", "/api/worklists", tok_admin), 400);
    CHECK_INT(req("GET", "/api/worklists?team=TA-1&ou=22", tok_admin), 400);
    CHECK_STR(ts_err_field(&R), "ou");
}

TEST(one_audit_record_per_request)
{
    CHECK(ready() != NULL);
    struct yl_err err = {0};
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    const char *count = "SELECT COUNT(*) FROM audit WHERE action = 'read_worklist'"
                        " AND resource_type = 'team' AND resource_id = 'TB-1'";
    long before = sql_count(count);
    long all_before = sql_count("SELECT COUNT(*) FROM audit");
    CHECK_INT(req("GET", "/api/worklists", tok_fd_b), 200);
    CHECK_INT(req("GET", "/api/worklists?format=csv", tok_fd_b), 200);
    CHECK_INT(audit_log_flush(srv.audit, &err), 0);
    CHECK_INT(sql_count(count), before + 2);
    /* Nothing else: not one record per resident. */
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit"), all_before + 2);
    CHECK_INT(sql_count("SELECT COUNT(*) FROM audit WHERE action = 'read_worklist'"
                        " AND resource_type = 'ou' AND resource_id = '222404001001'"
                        " AND username = 'vdoc'"),
              1);
}

/* ------------------------------------------------------------------ the library */

TEST(roster_path_equals_the_full_pass)
{
    CHECK(ready() != NULL);
    struct svc_roster *roster = svc_roster_build(srv.index, T);
    struct svc_wl_area team = {.kind = SVC_WL_TEAM, .team = 1};
    struct svc_wl_area village = {.kind = SVC_WL_OU, .ou = 5};
    struct svc_worklist_query q = {.today = T, .horizon_days = 30, .done_from = SVC_DAY_NONE,
                                   .done_to = SVC_DAY_NONE, .item = -1, .program = -1,
                                   .limit = 1000};
    const struct svc_wl_area *areas[] = {&team, &village};
    for (int k = 0; k < 2; k++) {
        struct arena a;
        arena_init(&a);
        struct svc_worklist full, fast;
        svc_worklist_scan(srv.index, proto, NULL, areas[k], &q, &a, &full);
        struct svc_candidates cand = {.roster = roster};
        svc_worklist_scan(srv.index, proto, &cand, areas[k], &q, &a, &fast);
        bool same = full.n == fast.n && full.residents == fast.residents;
        for (size_t i = 0; same && i < full.n; i++)
            same = full.rows[i].key == fast.rows[i].key;
        size_t n = full.n;
        arena_release(&a);
        CHECK(same);
        CHECK_INT(n, k == 0 ? 11 : 13);
    }
    svc_roster_free(roster);
}

/* Rows of one resident in a worklist array. */
static size_t rows_of(json_t *items, int64_t id)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(items); i++)
        n += jint(json_array_get(items, i), "resident_id") == id;
    return n;
}

/* The server's live roster: the API's worklists come from it, and a resident who joins the
 * team after it was built is listed at once (the contract write touched them), once. */
TEST(live_roster_keeps_up_with_contract_changes)
{
    CHECK(ready() != NULL);
    struct svc_live_roster *lr = svc_live_roster_new();
    svc_live_roster_rebuild(lr, srv.index, T);
    CHECK(!svc_live_roster_stale(lr, T));
    CHECK(svc_live_roster_stale(lr, T + 1));
    srv.app.roster = lr;
    json_t *before = all_items("team=TA-1", tok_admin, 1000);
    CHECK(before != NULL);
    CHECK_INT(json_array_size(before), 11);
    CHECK_INT(rows_of(before, 4), 0);

    /* Resident 4 leaves team B for team A today. */
    char path[96], body[160], today[DATE_STR_LEN];
    long contract = sql_count("SELECT id FROM contract WHERE resident_id = 4");
    snprintf(path, sizeof(path), "/api/contracts/%ld/terminate", contract);
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"reason\":\"moved to team A\"}",
             date_format(T, today));
    ts_response_free(&R);
    CHECK_INT(ts_request(srv.port, "POST", path, tok_admin, NULL, body, strlen(body), &R), 0);
    CHECK_INT(R.status, 200);
    snprintf(body, sizeof(body), "{\"resident_id\":4,\"team_code\":\"TA-1\",\"package\":\"basic\"}");
    ts_response_free(&R);
    CHECK_INT(ts_request(srv.port, "POST", "/api/contracts", tok_admin, NULL, body,
                         strlen(body), &R), 0);
    CHECK_INT(R.status, 201);

    json_t *after = all_items("team=TA-1", tok_admin, 1000);
    CHECK(after != NULL);
    size_t joined = rows_of(after, 4);
    CHECK(joined > 0);
    CHECK_INT(json_array_size(after), 11 + joined);
    /* The same list as a walk of the whole index, and after a rebuild. */
    srv.app.roster = NULL;
    json_t *walked = all_items("team=TA-1", tok_admin, 1000);
    srv.app.roster = lr;
    svc_live_roster_rebuild(lr, srv.index, T);
    json_t *rebuilt = all_items("team=TA-1", tok_admin, 1000);
    CHECK(walked != NULL && rebuilt != NULL);
    CHECK(json_equal(after, walked));
    CHECK(json_equal(after, rebuilt));
    /* Team B no longer lists them. */
    json_t *team_b = all_items("team=TB-1", tok_admin, 1000);
    CHECK(team_b != NULL);
    CHECK_INT(rows_of(team_b, 4), 0);
    srv.app.roster = NULL;
    svc_live_roster_free(lr);
    json_decref(before);
    json_decref(after);
    json_decref(walked);
    json_decref(rebuilt);
    json_decref(team_b);
}

/* ------------------------------------------------------------------ points */

TEST(points_of_a_month_by_hand)
{
    CHECK(ready() != NULL);
    /*
     * March 2024 (29 February and 1 April left out):
     *   S-VD2 (village clinic A1, township 222404001): elderly checkup 5 + follow-up 2 = 7
     *   S-VD1 (the same clinic): follow-up 2 + yearly hypertension check 3 = 5
     *   S-GP1 (township A center): follow-up 2; not a village doctor: no rank
     *   S-VD3 (village clinic B1, township 222404002): elderly TCM 2; made an assistant
     *   physician here: a village clinic's doctor is ranked whatever their licence
     */
    CHECK_INT(sql("UPDATE staff SET role = 'assistant_physician' WHERE code = 'S-VD3'"), 0);
    CHECK_INT(req("GET", "/api/points?month=2024-03", tok_vd), 200);
    json_t *items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 4);
    static const struct {
        const char *staff, *township;
        long events;
        double points;
        int rank;
    } want[] = {{"S-VD2", "222404001", 2, 7, 1},
                {"S-VD1", "222404001", 2, 5, 2},
                {"S-GP1", "222404001", 1, 2, 0},
                {"S-VD3", "222404002", 1, 2, 1}};
    for (size_t i = 0; i < 4; i++) {
        json_t *row = json_array_get(items, i);
        CHECK_STR(jstr(row, "staff"), want[i].staff);
        CHECK_STR(jstr(row, "township"), want[i].township);
        CHECK_INT(jint(row, "events"), want[i].events);
        CHECK(json_real_value(json_object_get(row, "points")) == want[i].points);
        if (want[i].rank == 0)
            CHECK(json_is_null(json_object_get(row, "rank")));
        else
            CHECK_INT(jint(row, "rank"), want[i].rank);
    }
    CHECK_STR(jstr(json_array_get(items, 0), "facility"), "VA1");
    CHECK_INT(req("GET", "/api/points?month=2024-03&township=222404002", tok_fd_a), 200);
    items = json_object_get(R.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_STR(jstr(json_array_get(items, 0), "staff"), "S-VD3");
    /* April: the one follow-up of the 1st. */
    CHECK_INT(req("GET", "/api/points?month=2024-04", tok_admin), 200);
    CHECK_INT(json_array_size(json_object_get(R.json, "items")), 1);
    CHECK_INT(req("GET", "/api/points?month=2024-13", tok_admin), 400);
    CHECK_STR(ts_err_field(&R), "month");
    CHECK_INT(req("GET", "/api/points", tok_admin), 400);
    CHECK_INT(req("GET", "/api/points?month=2024-03&township=2224", tok_admin), 400);
    CHECK_STR(ts_err_field(&R), "township");
    /* The library agrees, and ties share a rank: none here, so ranks are 1 and 2. */
    struct arena a;
    arena_init(&a);
    struct svc_points_row *rows;
    size_t n;
    struct yl_err err = {0};
    int rc = svc_points_month(srv.store, proto, "2024-03", NULL, &a, &rows, &n, &err);
    double total = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        total += rows[i].points;
    arena_release(&a);
    CHECK_INT(rc, 0);
    CHECK(total == 16);
}

TEST_MAIN()
