/*
 * test_registry_api.c - the registry over HTTP against an in-process server: create, read,
 * update and the refusals of each (status, error code, field), population and its roll-up,
 * list filters and cursor pagination, and who may do what: a facility admin writes only the
 * staff of their facility, an analyst reads and writes nothing; staff reads are audited.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "registry/registry.h"
#include "support.h"
#include "test.h"

/* ------------------------------------------------------------------ over HTTP */

static struct ts_server srv_main;
static bool srv_up;
static char admin_token[ACCT_TOKEN_HEX];
static char fadmin_token[ACCT_TOKEN_HEX];
static char analyst_token[ACCT_TOKEN_HEX];

static void stop_srv(void)
{
    if (srv_up)
        ts_server_stop(&srv_main);
    srv_up = false;
}

/* The shared server with a facility admin of H1 and an analyst logged in (password hashing
 * is slow under the sanitizers, so users are made once). */
static struct ts_server *srv(void)
{
    if (!srv_up) {
        if (ts_server_start(&srv_main, NULL, NULL) != 0)
            return NULL;
        srv_up = true;
        atexit(stop_srv);
        if (ts_user_add(&srv_main, "fadmin", "fadmin-password-1", "facility_admin",
                        "facility:H1") != 0 ||
            ts_user_add(&srv_main, "analyst", "analyst-password-1", "analyst", "region") != 0)
            return NULL;
        if (ts_login(srv_main.port, "admin", TS_ADMIN_PASSWORD, admin_token) != 200 ||
            ts_login(srv_main.port, "fadmin", "fadmin-password-1", fadmin_token) != 200 ||
            ts_login(srv_main.port, "analyst", "analyst-password-1", analyst_token) != 200)
            return NULL;
    }
    return &srv_main;
}

static int call(const char *method, const char *path, const char *token, const char *json,
                struct ts_response *out)
{
    return ts_request(srv_main.port, method, path, token, NULL, json, json ? strlen(json) : 0,
                      out);
}

/* Status of one request, its response dropped. */
static int status_of(const char *method, const char *path, const char *token, const char *json)
{
    struct ts_response r;
    if (call(method, path, token, json, &r) != 0)
        return -1;
    int st = r.status;
    ts_response_free(&r);
    return st;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* The region every HTTP test works in; made once, by the admin. */
static bool http_region(void)
{
    static bool done;
    if (done)
        return true;
    static const char *const ous[] = {
        "{\"code\":\"22\",\"name\":\"吉林省\"}",
        "{\"code\":\"2224\",\"name\":\"延边朝鲜族自治州\"}",
        "{\"code\":\"222404\",\"name\":\"珲春市\",\"lat\":42.86,\"lon\":130.36}",
        "{\"code\":\"222404001\",\"name\":\"靖和街道\"}",
        "{\"code\":\"222404002\",\"name\":\"英安镇\",\"parent_code\":\"222404\"}",
        "{\"code\":\"222404002001\",\"name\":\"英安村\"}",
    };
    for (size_t i = 0; i < sizeof(ous) / sizeof(ous[0]); i++)
        if (status_of("POST", "/api/ous", admin_token, ous[i]) != 201)
            return false;
    static const char *const facilities[] = {
        "{\"code\":\"H1\",\"name\":\"珲春市医院\",\"type\":\"county_hospital\",\"grade\":\"2A\","
        "\"ou_code\":\"222404\",\"beds\":500,\"icu_beds\":20,"
        "\"services\":[\"pediatrics\",\"lab\"],\"centers\":[\"stroke\"]}",
        "{\"code\":\"H2\",\"name\":\"英安镇卫生院\",\"type\":\"township_center\","
        "\"ou_code\":\"222404002\",\"beds\":30}",
        "{\"code\":\"C1\",\"name\":\"英安村卫生室\",\"type\":\"village_clinic\","
        "\"ou_code\":\"222404002001\"}",
        "{\"code\":\"C2\",\"name\":\"旧卫生室\",\"type\":\"village_clinic\","
        "\"ou_code\":\"222404002001\",\"status\":\"closed\"}",
        "{\"code\":\"M1\",\"name\":\"妇幼保健院\",\"type\":\"mch_hospital\","
        "\"ou_code\":\"222404001\"}",
    };
    for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
        if (status_of("POST", "/api/facilities", admin_token, facilities[i]) != 201)
            return false;
    if (status_of("POST", "/api/groups", admin_token,
                  "{\"code\":\"G1\",\"name\":\"珲春医共体\",\"kind\":\"county_community\","
                  "\"lead_code\":\"H1\",\"member_codes\":[\"H2\",\"C1\"]}") != 201)
        return false;
    done = true;
    return true;
}

TEST(http_ous_create_read_update)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK(http_region());
    struct ts_response r;
    CHECK_INT(call("GET", "/api/ous/222404", admin_token, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "parent_code"), "2224");
    CHECK_INT(jint(r.json, "level"), 3);
    CHECK(json_real_value(json_object_get(r.json, "lat")) == 42.86);
    ts_response_free(&r);

    struct {
        const char *body;
        int status;
        const char *code, *field;
    } bad[] = {
        {"{\"code\":\"2224\",\"name\":\"x\"}", 409, "conflict", "code"},
        {"{\"code\":\"22a4\",\"name\":\"x\"}", 400, "invalid_field", "code"},
        {"{\"code\":\"222404003\",\"name\":\"x\",\"parent_code\":\"2224\"}", 400,
         "invalid_field", "parent_code"},
        {"{\"code\":\"222405001\",\"name\":\"x\"}", 400, "invalid_field", "parent_code"},
        {"{\"code\":\"222405\",\"name\":\"x\",\"lat\":\"north\",\"lon\":1}", 400,
         "invalid_field", "lat"},
        {"{\"code\":\"222405\",\"name\":\"x\",\"level\":3}", 400, "invalid_field", "level"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(call("POST", "/api/ous", admin_token, bad[i].body, &r), 0);
        CHECK_INT(r.status, bad[i].status);
        CHECK_STR(ts_err_code(&r), bad[i].code);
        CHECK_STR(ts_err_field(&r), bad[i].field);
        ts_response_free(&r);
    }
    CHECK_INT(call("PATCH", "/api/ous/222404001", admin_token, "{\"name\":\"靖和\"}", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "name"), "靖和");
    ts_response_free(&r);
    CHECK_INT(status_of("PATCH", "/api/ous/222404001", admin_token, "{\"code\":\"222404002\"}"),
              400);
    CHECK_INT(status_of("GET", "/api/ous/222404009", admin_token, NULL), 404);
    CHECK_INT(status_of("GET", "/api/ous/x%27", admin_token, NULL), 404);
    CHECK_INT(status_of("PATCH", "/api/ous/222404009", admin_token, "{\"name\":\"x\"}"), 404);

    CHECK_INT(call("GET", "/api/ous?ou=222404&level=4", analyst_token, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    CHECK_INT(json_array_size(items), 2);
    CHECK_STR(jstr(json_array_get(items, 0), "code"), "222404001");
    CHECK(json_is_null(json_object_get(r.json, "next")));
    ts_response_free(&r);
}

static const char *population_body(int year, int male0, int female18)
{
    static char body[512];
    int n = snprintf(body, sizeof(body), "{\"year\":%d,\"counts\":{\"male\":[%d", year, male0);
    for (int i = 1; i < 19; i++)
        n += snprintf(body + n, sizeof(body) - (size_t)n, ",0");
    n += snprintf(body + n, sizeof(body) - (size_t)n, "],\"female\":[");
    for (int i = 0; i < 18; i++)
        n += snprintf(body + n, sizeof(body) - (size_t)n, "0,");
    snprintf(body + n, sizeof(body) - (size_t)n, "%d]}}", female18);
    return body;
}

TEST(http_population_round_trip_and_roll_up)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK(http_region());
    struct ts_response r;
    CHECK_INT(call("PUT", "/api/ous/222404002001/population", admin_token,
                   population_body(2024, 40, 2), &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "source"), "own");
    CHECK_INT(jint(r.json, "total"), 42);
    ts_response_free(&r);
    CHECK_INT(status_of("PUT", "/api/ous/222404001/population", admin_token,
                        population_body(2024, 100, 8)), 200);

    CHECK_INT(call("GET", "/api/ous/222404002001/population?year=2024", analyst_token, NULL,
                   &r), 0);
    CHECK_INT(r.status, 200);
    json_t *male = json_object_get(json_object_get(r.json, "counts"), "male");
    CHECK_INT(json_array_size(male), 19);
    CHECK_INT(json_integer_value(json_array_get(male, 0)), 40);
    ts_response_free(&r);

    /* The county has no figures of its own: the sum of its two townships'. */
    CHECK_INT(call("GET", "/api/ous/222404/population?year=2024", analyst_token, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "source"), "children");
    CHECK_INT(jint(r.json, "units"), 2);
    CHECK_INT(jint(r.json, "total"), 150);
    json_t *female = json_object_get(json_object_get(r.json, "counts"), "female");
    CHECK_INT(json_integer_value(json_array_get(female, 18)), 10);
    ts_response_free(&r);

    CHECK_INT(status_of("GET", "/api/ous/222404/population?year=2023", admin_token, NULL), 404);
    CHECK_INT(call("PUT", "/api/ous/222404/population", admin_token,
                   "{\"year\":2024,\"counts\":{\"male\":[1,2],\"female\":[]}}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "counts.male");
    ts_response_free(&r);
    CHECK_INT(status_of("PUT", "/api/ous/222404/population", fadmin_token,
                        population_body(2024, 1, 1)), 403);
}

/* Every code of every page of a list, following "next". */
static int collect_codes(const char *path, char *out, size_t n, int *pages)
{
    char url[256];
    snprintf(url, sizeof(url), "%s", path);
    out[0] = '\0';
    *pages = 0;
    for (;;) {
        struct ts_response r;
        if (call("GET", url, admin_token, NULL, &r) != 0 || r.status != 200) {
            ts_response_free(&r);
            return -1;
        }
        (*pages)++;
        json_t *items = json_object_get(r.json, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            size_t used = strlen(out);
            snprintf(out + used, n - used, "%s%s", used ? " " : "",
                     jstr(json_array_get(items, i), "code"));
        }
        const char *next = jstr(r.json, "next");
        if (next == NULL) {
            ts_response_free(&r);
            return 0;
        }
        snprintf(url, sizeof(url), "%s%scursor=%s", path, strchr(path, '?') ? "&" : "?",
                 next);
        ts_response_free(&r);
    }
}

TEST(http_facility_filters_and_pagination)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK(http_region());
    char codes[512];
    int pages;
    CHECK_INT(collect_codes("/api/facilities?limit=2", codes, sizeof(codes), &pages), 0);
    CHECK_STR(codes, "H1 H2 C1 C2 M1");
    CHECK_INT(pages, 3);
    CHECK_INT(collect_codes("/api/facilities?ou=222404002", codes, sizeof(codes), &pages), 0);
    CHECK_STR(codes, "H2 C1 C2");
    CHECK_INT(collect_codes("/api/facilities?type=village_clinic&status=active", codes,
                            sizeof(codes), &pages), 0);
    CHECK_STR(codes, "C1");
    CHECK_INT(collect_codes("/api/facilities?group=G1", codes, sizeof(codes), &pages), 0);
    CHECK_STR(codes, "H1 H2 C1");

    struct ts_response r;
    CHECK_INT(call("GET", "/api/facilities/H1", analyst_token, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "ou_code"), "222404");
    CHECK_STR(jstr(r.json, "grade"), "2A");
    json_t *services = json_object_get(r.json, "services");
    CHECK_INT(json_array_size(services), 2);
    CHECK_STR(json_string_value(json_array_get(services, 0)), "pediatrics");
    ts_response_free(&r);

    struct {
        const char *method, *path, *body;
        int status;
        const char *field;
    } bad[] = {
        {"GET", "/api/facilities?type=spa", NULL, 400, "type"},
        {"GET", "/api/facilities?ou=99", NULL, 400, "ou"},
        {"GET", "/api/facilities?cursor=zzz", NULL, 400, "cursor"},
        {"POST", "/api/facilities",
         "{\"code\":\"H9\",\"name\":\"x\",\"type\":\"cdc\",\"ou_code\":\"222404\",\"beds\":-1}",
         400, "beds"},
        {"POST", "/api/facilities",
         "{\"code\":\"H9\",\"name\":\"x\",\"type\":\"lab\",\"ou_code\":\"222404\"}", 400, "type"},
        {"POST", "/api/facilities",
         "{\"code\":\"H9\",\"name\":\"x\",\"type\":\"cdc\",\"ou_code\":\"222409\"}", 400,
         "ou_code"},
        {"POST", "/api/facilities",
         "{\"code\":\"H9\",\"name\":\"x\",\"type\":\"cdc\",\"ou_code\":\"222404\","
         "\"services\":\"lab\"}", 400, "services"},
        {"POST", "/api/facilities",
         "{\"code\":\"H1\",\"name\":\"x\",\"type\":\"cdc\",\"ou_code\":\"222404\"}", 409,
         "code"},
        {"PATCH", "/api/facilities/H1", "{\"icu_beds\":501}", 400, "icu_beds"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(call(bad[i].method, bad[i].path, admin_token, bad[i].body, &r), 0);
        CHECK_INT(r.status, bad[i].status);
        CHECK_STR(ts_err_field(&r), bad[i].field);
        ts_response_free(&r);
    }
    CHECK_INT(call("PATCH", "/api/facilities/H2", admin_token,
                   "{\"beds\":35,\"services\":[\"tcm\",\"pediatrics\"]}", &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(jint(r.json, "beds"), 35);
    CHECK_STR(jstr(r.json, "type"), "township_center");
    CHECK_INT(json_array_size(json_object_get(r.json, "services")), 2);
    ts_response_free(&r);
}

TEST(http_groups_members_and_conflicts)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK(http_region());
    struct ts_response r;
    CHECK_INT(call("POST", "/api/groups", admin_token,
                   "{\"code\":\"G2\",\"name\":\"x\",\"kind\":\"county_community\","
                   "\"lead_code\":\"M1\",\"member_codes\":[\"C1\"]}", &r), 0);
    CHECK_INT(r.status, 409);
    CHECK_STR(ts_err_field(&r), "member_codes");
    CHECK_CONTAINS(r.body, "C1");
    ts_response_free(&r);
    CHECK_INT(status_of("GET", "/api/groups/G2", admin_token, NULL), 404);

    CHECK_INT(call("POST", "/api/groups", admin_token,
                   "{\"code\":\"U1\",\"name\":\"城市医疗集团\",\"kind\":\"urban_group\","
                   "\"lead_code\":\"M1\",\"member_codes\":[\"C1\",\"H2\"]}", &r), 0);
    CHECK_INT(r.status, 201);
    CHECK_STR(jstr(r.json, "lead_code"), "M1");
    json_t *m = json_object_get(r.json, "member_codes");
    CHECK_INT(json_array_size(m), 3);
    CHECK_STR(json_string_value(json_array_get(m, 0)), "C1");
    CHECK_STR(json_string_value(json_array_get(m, 2)), "M1");
    ts_response_free(&r);

    CHECK_INT(call("PATCH", "/api/groups/U1", admin_token, "{\"member_codes\":[\"H1\"]}", &r),
              0);
    CHECK_INT(r.status, 200);
    m = json_object_get(r.json, "member_codes");
    CHECK_INT(json_array_size(m), 2);
    CHECK_STR(json_string_value(json_array_get(m, 0)), "H1");
    CHECK_STR(json_string_value(json_array_get(m, 1)), "M1");
    ts_response_free(&r);

    CHECK_INT(call("POST", "/api/groups", admin_token,
                   "{\"code\":\"U2\",\"name\":\"x\",\"kind\":\"urban_group\","
                   "\"lead_code\":\"H9\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "lead_code");
    ts_response_free(&r);
    CHECK_INT(call("GET", "/api/groups?facility=H1&kind=urban_group", analyst_token, NULL, &r),
              0);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 1);
    ts_response_free(&r);
}

TEST(http_staff_scope_roles_and_audited_reads)
{
    struct ts_server *s = srv();
    CHECK(s != NULL);
    CHECK(http_region());
    struct ts_response r;
    /* A facility admin of H1 writes staff of H1 only, and nothing else. */
    CHECK_INT(call("POST", "/api/staff", fadmin_token,
                   "{\"code\":\"S1\",\"name\":\"张伟\",\"role\":\"registered_nurse\","
                   "\"facility_code\":\"H2\"}", &r), 0);
    CHECK_INT(r.status, 403);
    ts_response_free(&r);
    CHECK_INT(call("POST", "/api/staff", fadmin_token,
                   "{\"code\":\"S1\",\"name\":\"张伟\",\"role\":\"registered_nurse\","
                   "\"facility_code\":\"H1\",\"education\":\"college\"}", &r), 0);
    CHECK_INT(r.status, 201);
    CHECK_STR(jstr(r.json, "facility_code"), "H1");
    ts_response_free(&r);
    CHECK_INT(status_of("POST", "/api/staff", admin_token,
                        "{\"code\":\"S2\",\"name\":\"李娜\",\"role\":\"village_doctor\","
                        "\"facility_code\":\"C1\"}"), 201);
    CHECK_INT(status_of("PATCH", "/api/staff/S2", fadmin_token, "{\"status\":\"left\"}"), 403);
    CHECK_INT(status_of("PATCH", "/api/staff/S1", fadmin_token, "{\"facility_code\":\"C1\"}"),
              403);
    CHECK_INT(status_of("PATCH", "/api/staff/S1", fadmin_token, "{\"status\":\"left\"}"), 200);
    CHECK_INT(status_of("POST", "/api/facilities", fadmin_token,
                        "{\"code\":\"F9\",\"name\":\"x\",\"type\":\"cdc\","
                        "\"ou_code\":\"222404\"}"), 403);
    CHECK_INT(status_of("POST", "/api/ous", fadmin_token, "{\"code\":\"222405\",\"name\":\"x\"}"),
              403);
    CHECK_INT(status_of("POST", "/api/groups", fadmin_token,
                        "{\"code\":\"G9\",\"name\":\"x\",\"kind\":\"urban_group\","
                        "\"lead_code\":\"H1\"}"), 403);

    /* An analyst reads the registry and writes none of it. */
    static const char *const writes[][3] = {
        {"POST", "/api/ous", "{\"code\":\"222405\",\"name\":\"x\"}"},
        {"PATCH", "/api/ous/222404", "{\"name\":\"x\"}"},
        {"PUT", "/api/ous/222404/population", "{}"},
        {"POST", "/api/facilities", "{\"code\":\"F9\"}"},
        {"PATCH", "/api/facilities/H1", "{\"beds\":1}"},
        {"POST", "/api/groups", "{\"code\":\"G9\"}"},
        {"POST", "/api/staff", "{\"code\":\"S9\"}"},
        {"PATCH", "/api/staff/S1", "{\"status\":\"active\"}"},
    };
    for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
        CHECK_INT(status_of(writes[i][0], writes[i][1], analyst_token, writes[i][2]), 403);
    CHECK_INT(status_of("GET", "/api/facilities", NULL, NULL), 401);

    CHECK_INT(call("POST", "/api/staff", admin_token,
                   "{\"code\":\"S3\",\"name\":\"王芳\",\"role\":\"pharmacist\","
                   "\"facility_code\":\"H7\"}", &r), 0);
    CHECK_INT(r.status, 400);
    CHECK_STR(ts_err_field(&r), "facility_code");
    ts_response_free(&r);
    CHECK_INT(call("POST", "/api/staff", admin_token,
                   "{\"code\":\"S1\",\"name\":\"王芳\",\"role\":\"pharmacist\","
                   "\"facility_code\":\"H1\"}", &r), 0);
    CHECK_INT(r.status, 409);
    CHECK_STR(ts_err_field(&r), "code");
    ts_response_free(&r);

    /* Reads of staff are audited by store id, and show names to holders of the session
     * permission (every logged-in role). */
    CHECK_INT(call("GET", "/api/staff/S2", analyst_token, NULL, &r), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "name"), "李娜");
    CHECK_STR(jstr(r.json, "status"), "active");
    ts_response_free(&r);
    CHECK_INT(call("GET", "/api/staff?ou=222404002&role=village_doctor", admin_token, NULL, &r),
              0);
    CHECK_INT(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_STR(jstr(json_array_get(items, 0), "code"), "S2");
    ts_response_free(&r);
    CHECK_INT(audit_log_flush(s->audit, NULL), 0);
    struct reg_ctx ctx = {s->store};
    struct reg_staff st;
    CHECK_INT(reg_staff_get(&ctx, "S2", &st, NULL), 0);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)st.id);
    struct audit_filter f = {.username = "analyst", .resource_type = "staff",
                             .resource_id = id, .limit = 10};
    struct audit_record recs[10];
    CHECK_INT(audit_list(s->store, &f, recs, NULL), 1);
    CHECK_STR(recs[0].action, "read");
    f = (struct audit_filter){.username = "admin", .resource_type = "staff", .limit = 10};
    CHECK_INT(audit_list(s->store, &f, recs, NULL), 2);
    CHECK_STR(recs[0].action, "list");
    CHECK_STR(recs[1].action, "create");
}

TEST_MAIN()
