/*
 * test_index_writes.c - the population index agrees with the store after a series of writes
 * through the API (new records, moves, deaths, tags, contracts signed and terminated, a new
 * facility), and indicators follow the writes at once; a change made behind the server's
 * back is what `GET /api/index/verify` reports.
 *
 * The region is a small demo region (demo_generate with 400 residents) loaded through the
 * same importers `yilian demo` uses.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "demo/demo.h"
#include "importer/importer.h"
#include "support.h"
#include "test.h"

static struct ts_server srv;
static char admin[ACCT_TOKEN_HEX];

static int load_region(void)
{
    struct demo_options opt;
    demo_options_init(&opt);
    opt.residents = 400;
    opt.ref_date = date_today();
    struct demo_stats st;
    struct yl_err err = {0};
    const char *dir = ts_path("region");
    if (demo_generate(&opt, dir, &st, &err) != 0) {
        fprintf(stderr, "    demo: %s\n", yl_err_message(&err));
        return -1;
    }
    static const char *const kinds[] = {"ous", "population", "facilities", "groups", "staff",
                                        "teams", "residents", "contracts"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/%s.csv", dir, kinds[i]);
        struct imp_report rep = {0};
        if (cli_import_file(srv.store, kinds[i], path, &rep, &err) != 0 || rep.refused != 0) {
            fprintf(stderr, "    import %s: %ld refused %s\n", kinds[i], rep.refused,
                    yl_err_message(&err));
            return -1;
        }
    }
    return pidx_load(srv.index, srv.store, &err);
}

static int start(void)
{
    static int up;
    if (up)
        return 0;
    if (ts_server_start(&srv, NULL, NULL) != 0 || load_region() != 0)
        return -1;
    if (ts_login(srv.port, "admin", TS_ADMIN_PASSWORD, admin) != 200)
        return -1;
    up = 1;
    return 0;
}

/* The live index compared with a fresh load of the store. */
static int verify(long *differences)
{
    struct ts_response r;
    if (ts_get(srv.port, "/api/index/verify", admin, &r) != 0 || r.status != 200) {
        ts_response_free(&r);
        return -1;
    }
    int consistent = json_is_true(json_object_get(r.json, "consistent"));
    *differences = (long)json_integer_value(json_object_get(r.json, "differences"));
    if (!consistent)
        fprintf(stderr, "    first difference: %s\n",
                json_string_value(json_object_get(r.json, "first")));
    ts_response_free(&r);
    return consistent;
}

/* One indicator's numerator for org unit `ou` in the current year. */
static long numerator(const char *ou, const char *id)
{
    char path[128];
    char year[8];
    char today[DATE_STR_LEN];
    date_format(date_today(), today);
    snprintf(year, sizeof(year), "%.4s", today);
    snprintf(path, sizeof(path), "/api/indicators?ou=%s&period=%s", ou, year);
    struct ts_response r;
    long v = -1;
    if (ts_get(srv.port, path, admin, &r) == 0 && r.status == 200) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(r.json, "values"), i, item)
        {
            if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
                v = (long)json_number_value(json_object_get(item, "numerator"));
        }
    }
    ts_response_free(&r);
    return v;
}

/* A valid ID number for a man born on `birth` in Hunchun. */
static void make_idno(const char *birth8, int seq, char out[IDNO_LEN + 1])
{
    snprintf(out, IDNO_LEN + 1, "222404%s%03d", birth8, seq);
    out[17] = idno_check_char(out);
    out[18] = '\0';
}

static int64_t post_id(const char *path, const char *json, int want)
{
    struct ts_response r;
    int64_t id = -1;
    if (ts_post(srv.port, path, admin, json, &r) == 0 && r.status == want)
        id = (int64_t)json_integer_value(json_object_get(r.json, "id"));
    else
        fprintf(stderr, "    POST %s: %d %s\n", path, r.status, r.body ? r.body : "");
    ts_response_free(&r);
    return id;
}

TEST(index_follows_writes_and_stays_equal_to_store)
{
    CHECK_INT(start(), 0);
    long diff = -1;
    CHECK_INT(verify(&diff), 1);
    CHECK_INT(diff, 0);

    const char *village = "222404100201", *other = "222404100200";
    long records_before = numerator("222404", "records");
    long village_before = numerator(village, "records");
    long signed_before = numerator("222404", "signed");
    CHECK(records_before > 300);

    /* A new record: counted at once, in its village. */
    char idno[IDNO_LEN + 1];
    make_idno("19500101", 11, idno);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"id_number\":\"%s\",\"name\":\"测试\",\"ou_code\":\"%s\","
             "\"record_date\":\"2020-01-01\"}",
             idno, village);
    int64_t id = post_id("/api/residents", body, 201);
    CHECK(id > 0);
    CHECK_INT(numerator("222404", "records"), records_before + 1);
    CHECK_INT(numerator(village, "records"), village_before + 1);

    /* A tag, a contract, a move, a termination and a death, each followed at once. */
    char path[128];
    snprintf(path, sizeof(path), "/api/residents/%lld/tags", (long long)id);
    CHECK(post_id(path, "{\"tag\":\"hypertension\",\"from\":\"2021-01-01\"}", 201) > 0);
    snprintf(body, sizeof(body), "{\"resident_id\":%lld,\"team_code\":\"T20\"}", (long long)id);
    int64_t contract = post_id("/api/contracts", body, 201);
    CHECK(contract > 0);
    CHECK_INT(numerator("222404", "signed"), signed_before + 1);

    snprintf(path, sizeof(path), "/api/residents/%lld/move", (long long)id);
    char today[DATE_STR_LEN];
    date_format(date_today(), today);
    snprintf(body, sizeof(body), "{\"ou_code\":\"%s\",\"date\":\"%s\"}", other, today);
    struct ts_response r;
    CHECK_INT(ts_post(srv.port, path, admin, body, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);
    CHECK_INT(numerator(village, "records"), village_before);

    snprintf(path, sizeof(path), "/api/contracts/%lld/terminate", (long long)contract);
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"reason\":\"moved\"}", today);
    CHECK_INT(ts_post(srv.port, path, admin, body, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);

    snprintf(path, sizeof(path), "/api/residents/%lld/death", (long long)id);
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"cause\":\"I21.9\"}", today);
    CHECK_INT(ts_post(srv.port, path, admin, body, &r), 0);
    CHECK_INT(r.status, 200);
    ts_response_free(&r);

    /* A registry write: a new village clinic is counted at once. */
    long clinics = numerator("222404", "institutions_village_clinic");
    CHECK(post_id("/api/facilities",
                  "{\"code\":\"VC-TEST\",\"name\":\"测试村卫生室\",\"type\":\"village_clinic\","
                  "\"ou_code\":\"222404100201\"}",
                  201) != -1);
    CHECK_INT(numerator("222404", "institutions_village_clinic"), clinics + 1);

    CHECK_INT(verify(&diff), 1);
    CHECK_INT(diff, 0);
}

TEST(verify_reports_a_change_behind_the_servers_back)
{
    CHECK_INT(start(), 0);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(srv.db, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "UPDATE resident SET sex = 3 - sex WHERE id = 5", NULL, NULL,
                           NULL),
              SQLITE_OK);
    sqlite3_close(db);
    long diff = 0;
    CHECK_INT(verify(&diff), 0);
    CHECK_INT(diff, 1);
    /* The change epoch is how a writer outside the server says so; then a reload mends it. */
    struct yl_err err = {0};
    CHECK_INT(pidx_load(srv.index, srv.store, &err), 0);
    CHECK_INT(verify(&diff), 1);
}

TEST(indicators_scope_and_refusals)
{
    CHECK_INT(start(), 0);
    struct ts_response r;
    CHECK_INT(ts_get(srv.port, "/api/indicators?ou=222404&period=20x4", admin, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "period");
    ts_response_free(&r);
    CHECK_INT(ts_get(srv.port, "/api/indicators?period=2024", admin, &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "ou");
    ts_response_free(&r);
    CHECK_INT(ts_user_add(&srv, "township", "township-pass-1", "analyst", "ou:222404100"), 0);
    char tok[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(srv.port, "township", "township-pass-1", tok), 200);
    CHECK_INT(ts_get(srv.port, "/api/indicators?ou=222404&period=2024", tok, &r), 0);
    CHECK_INT(r.status, 404);
    ts_response_free(&r);
    CHECK_INT(ts_get(srv.port, "/api/indicators?ou=222404100&period=2024&level=children", tok,
                     &r),
              0);
    CHECK_INT(r.status, 200);
    CHECK(json_array_size(json_object_get(r.json, "children")) > 5);
    ts_response_free(&r);
    /* An analyst never reads a person. */
    CHECK_INT(ts_get(srv.port, "/api/residents/1", tok, &r), 0);
    CHECK_INT(r.status, 403);
    ts_response_free(&r);
}

TEST_MAIN()
