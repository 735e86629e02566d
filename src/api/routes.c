/*
 * routes.c - the whole API surface on one screen, and the authorisation every route passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "pindex/pindex.h"
#include "services/worklist.h"
#include "store/store.h"
#include "core/err.h"

static const struct http_route routes[] = {
    {HTTP_GET,   "/api/health",              api_health,        PERM_PUBLIC,     NULL},
    {HTTP_POST,  "/api/login",               api_login,         PERM_PUBLIC,     NULL},
    {HTTP_POST,  "/api/logout",              api_logout,        PERM_SESSION,    NULL},
    {HTTP_GET,   "/api/me",                  api_me,            PERM_SESSION,    NULL},
    {HTTP_PUT,   "/api/me/password",         api_me_password,   PERM_SESSION,    NULL},
    {HTTP_GET,   "/api/users",               api_user_list,     PERM_USER_ADMIN, NULL},
    {HTTP_POST,  "/api/users",               api_user_create,   PERM_USER_ADMIN, NULL},
    {HTTP_GET,   "/api/users/:id",           api_user_get,      PERM_USER_ADMIN, NULL},
    {HTTP_PATCH, "/api/users/:id",           api_user_update,   PERM_USER_ADMIN, NULL},
    {HTTP_PUT,   "/api/users/:id/password",  api_user_password, PERM_USER_ADMIN, NULL},
    {HTTP_GET,   "/api/audit",               api_audit_list,    PERM_AUDIT_READ, NULL},
    /* registry */
    {HTTP_GET,   "/api/ous",                    api_ou_list,            PERM_SESSION,        NULL},
    {HTTP_POST,  "/api/ous",                    api_ou_create,          PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/ous/:code",              api_ou_get,             PERM_SESSION,        NULL},
    {HTTP_PATCH, "/api/ous/:code",              api_ou_update,          PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/ous/:code/population",   api_population_get,     PERM_SESSION,        NULL},
    {HTTP_PUT,   "/api/ous/:code/population",   api_population_put,     PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/facilities",             api_facility_list,      PERM_SESSION,        NULL},
    {HTTP_POST,  "/api/facilities",             api_facility_create,    PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/facilities/:code",       api_facility_get,       PERM_SESSION,        NULL},
    {HTTP_PATCH, "/api/facilities/:code",       api_facility_update,    PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/groups",                 api_group_list,         PERM_SESSION,        NULL},
    {HTTP_POST,  "/api/groups",                 api_group_create,       PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/groups/:code",           api_group_get,          PERM_SESSION,        NULL},
    {HTTP_PATCH, "/api/groups/:code",           api_group_update,       PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/staff",                  api_staff_list,         PERM_SESSION,        NULL},
    {HTTP_POST,  "/api/staff",                  api_staff_create,       PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/staff/:code",            api_staff_get,          PERM_SESSION,        NULL},
    {HTTP_PATCH, "/api/staff/:code",            api_staff_update,       PERM_REGISTRY_WRITE, NULL},
    /* residents */
    {HTTP_GET,   "/api/residents",                     api_resident_list,     PERM_RECORD_READ,  NULL},
    {HTTP_POST,  "/api/residents",                     api_resident_create,   PERM_RECORD_WRITE, NULL},
    {HTTP_GET,   "/api/residents/:id",                 api_resident_get,      PERM_RECORD_READ,  NULL},
    {HTTP_PATCH, "/api/residents/:id",                 api_resident_update,   PERM_RECORD_WRITE, NULL},
    {HTTP_POST,  "/api/residents/:id/move",            api_resident_move,     PERM_RECORD_WRITE, NULL},
    {HTTP_POST,  "/api/residents/:id/move-out",        api_resident_move_out, PERM_RECORD_WRITE, NULL},
    {HTTP_POST,  "/api/residents/:id/death",           api_resident_death,    PERM_RECORD_WRITE, NULL},
    {HTTP_GET,   "/api/residents/:id/tags",            api_resident_tags,     PERM_RECORD_READ,  NULL},
    {HTTP_POST,  "/api/residents/:id/tags",            api_resident_tag_add,  PERM_RECORD_WRITE, NULL},
    {HTTP_POST,  "/api/residents/:id/tags/:tag_id/end", api_resident_tag_end, PERM_RECORD_WRITE, NULL},
    {HTTP_GET,   "/api/households/:household",         api_household_get,     PERM_RECORD_READ,  NULL},
    /* contracts */
    {HTTP_GET,   "/api/teams",                   api_team_list,          PERM_SESSION,        NULL},
    {HTTP_POST,  "/api/teams",                   api_team_create,        PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/teams/:code",             api_team_get,           PERM_SESSION,        NULL},
    {HTTP_PATCH, "/api/teams/:code",             api_team_update,        PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/teams/:code/residents",   api_team_residents,     PERM_RECORD_READ,    NULL},
    {HTTP_GET,   "/api/contracts",               api_contract_list,      PERM_RECORD_READ,    NULL},
    {HTTP_POST,  "/api/contracts",               api_contract_create,    PERM_RECORD_WRITE,   NULL},
    {HTTP_GET,   "/api/contracts/:id",           api_contract_get,       PERM_RECORD_READ,    NULL},
    {HTTP_POST,  "/api/contracts/:id/renew",     api_contract_renew,     PERM_RECORD_WRITE,   NULL},
    {HTTP_POST,  "/api/contracts/:id/terminate", api_contract_terminate, PERM_RECORD_WRITE,   NULL},
    /* services */
    {HTTP_POST,  "/api/residents/:id/services",  api_service_record,     PERM_RECORD_WRITE,   NULL},
    {HTTP_GET,   "/api/residents/:id/services",  api_service_list,       PERM_RECORD_READ,    NULL},
    {HTTP_GET,   "/api/residents/:id/care-plan", api_care_plan,          PERM_RECORD_READ,    NULL},
    {HTTP_GET,   "/api/protocol/items",          api_protocol_items,     PERM_SESSION,        NULL},
    /* worklists */
    {HTTP_GET,   "/api/worklists",               api_worklist_get,       PERM_RECORD_READ,    NULL},
    {HTTP_GET,   "/api/points",                  api_points_get,         PERM_SESSION,        NULL},
    /* encounters */
    {HTTP_POST,  "/api/registrations",           api_registration_create, PERM_RECORD_WRITE, NULL},
    {HTTP_POST,  "/api/encounters",              api_encounter_create,   PERM_RECORD_WRITE,   NULL},
    {HTTP_GET,   "/api/encounters",              api_encounter_list,     PERM_RECORD_READ,    NULL},
    {HTTP_GET,   "/api/residents/:id/encounters", api_resident_encounters, PERM_RECORD_READ, NULL},
    /* indicators */
    {HTTP_GET,   "/api/indicators",          api_indicators_get, PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/index/verify",        api_index_verify,  PERM_SETTINGS,   NULL},
    /* experts */
    {HTTP_POST,  "/api/expert-sessions",              api_expert_session_create, PERM_REGISTRY_WRITE, NULL},
    {HTTP_GET,   "/api/expert-sessions",              api_expert_session_list,   PERM_SESSION,        NULL},
    {HTTP_GET,   "/api/expert-sessions/stats",        api_expert_stats,          PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/expert-sessions/:id",          api_expert_session_get,    PERM_SESSION,        NULL},
    {HTTP_POST,  "/api/expert-sessions/:id/cancel",   api_expert_session_cancel, PERM_REGISTRY_WRITE, NULL},
    /* Bookings are appointments, not record writes: a doctor books the residents in their
     * scope, the host facility's admin anyone into their own sessions (experts/ decides). */
    {HTTP_POST,  "/api/expert-sessions/:id/bookings", api_expert_book,           PERM_RECORD_READ,    NULL},
    {HTTP_POST,  "/api/bookings/:id/cancel",          api_booking_cancel,        PERM_RECORD_READ,    NULL},
    {HTTP_POST,  "/api/bookings/:id/attendance",      api_booking_attendance,    PERM_RECORD_READ,    NULL},
    /* referrals: every route admits the roles that deal with residents (record_read:
     * admin, facility admin, family and village doctor); which side may do what is
     * decided in referral/. The boxes come before :id. */
    {HTTP_POST,  "/api/referrals",              api_referral_create,   PERM_RECORD_READ, NULL},
    {HTTP_GET,   "/api/referrals/inbox",        api_referral_inbox,    PERM_RECORD_READ, NULL},
    {HTTP_GET,   "/api/referrals/outbox",       api_referral_outbox,   PERM_RECORD_READ, NULL},
    {HTTP_GET,   "/api/referrals/:id",          api_referral_get,      PERM_RECORD_READ, NULL},
    {HTTP_POST,  "/api/referrals/:id/accept",   api_referral_accept,   PERM_RECORD_READ, NULL},
    {HTTP_POST,  "/api/referrals/:id/reject",   api_referral_reject,   PERM_RECORD_READ, NULL},
    {HTTP_POST,  "/api/referrals/:id/arrive",   api_referral_arrive,   PERM_RECORD_READ, NULL},
    {HTTP_POST,  "/api/referrals/:id/complete", api_referral_complete, PERM_RECORD_READ, NULL},
    {HTTP_POST,  "/api/referrals/:id/cancel",   api_referral_cancel,   PERM_RECORD_READ, NULL},
    /* results */
    {HTTP_POST,  "/api/results",                       api_result_create,       PERM_RECORD_WRITE,   NULL},
    {HTTP_GET,   "/api/results/recognition-stats",     api_result_stats,        PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/residents/:id/results",         api_resident_results,    PERM_RECORD_READ,    NULL},
    {HTTP_GET,   "/api/residents/:id/recognised",      api_resident_recognised, PERM_RECORD_READ,    NULL},
    {HTTP_POST,  "/api/residents/:id/recognised/uses", api_recognised_use,      PERM_RECORD_WRITE,   NULL},
    /* surveillance data: reporting and revising a case is open to every role that may report
     * (epidemiologists, admins, facilities and doctors; surveil/ decides whose facility);
     * listing cases needs surveil_read (never an analyst); counts are aggregates. */
    {HTTP_POST,   "/api/cases",                api_surv_case_create,    PERM_SESSION,        NULL},
    {HTTP_GET,    "/api/cases",                api_surv_case_list,      PERM_SURVEIL_READ,   NULL},
    {HTTP_GET,    "/api/cases/:id",            api_surv_case_get,       PERM_SESSION,        NULL},
    {HTTP_PATCH,  "/api/cases/:id",            api_surv_case_revise,    PERM_SESSION,        NULL},
    {HTTP_DELETE, "/api/cases/:id",            api_surv_case_delete,    PERM_SESSION,        NULL},
    {HTTP_POST,   "/api/syndromic",            api_surv_syndromic_post, PERM_SURVEIL_WRITE,  NULL},
    {HTTP_GET,    "/api/surveil/series",       api_surv_series,         PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,    "/api/surveil/indicators",   api_surv_indicators,     PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,    "/api/surveil/diseases",     api_surv_diseases,       PERM_SESSION,        NULL},
    {HTTP_GET,    "/api/surveil/channels",     api_surv_channels,       PERM_SESSION,        NULL},
    /* consortium */
    {HTTP_GET,   "/api/consortium/indicators", api_consortium_indicators, PERM_AGGREGATE_READ, NULL},
    /* access: the 15-minute circle (analysts, epidemiologists, admins: checked in the handler) */
    {HTTP_GET,   "/api/access/coverage",    api_access_coverage,    PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/access/underserved", api_access_underserved, PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/access/catchment",   api_access_catchment,   PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/access/isochrones",  api_access_isochrones,  PERM_AGGREGATE_READ, NULL},
    {HTTP_POST,  "/api/access/whatif",      api_access_whatif,      PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/access/proposals",   api_access_proposals,   PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/access/indicators",  api_access_indicators,  PERM_AGGREGATE_READ, NULL},
    /* alerts: reading admits aggregate readers (the analyst sees counts and places, no
     * people); alerts/ refuses roles without alerts and scopes to the org unit subtree.
     * Acting needs surveil_write (admin, epidemiologist). Fixed paths come before :id. */
    {HTTP_GET,   "/api/alerts",                 api_alert_list,        PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/alerts/stream",          api_alert_stream,      PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/alerts/indicators",      api_alert_indicators,  PERM_AGGREGATE_READ, NULL},
    {HTTP_GET,   "/api/alerts/webhooks/log",    api_alert_webhook_log, PERM_SETTINGS,       NULL},
    {HTTP_GET,   "/api/alerts/:id",             api_alert_get,         PERM_AGGREGATE_READ, NULL},
    {HTTP_POST,  "/api/alerts/:id/assign",      api_alert_assign,      PERM_SURVEIL_WRITE,  NULL},
    {HTTP_POST,  "/api/alerts/:id/verify",      api_alert_verify,      PERM_SURVEIL_WRITE,  NULL},
    {HTTP_POST,  "/api/alerts/:id/confirm",     api_alert_confirm,     PERM_SURVEIL_WRITE,  NULL},
    {HTTP_POST,  "/api/alerts/:id/dismiss",     api_alert_dismiss,     PERM_SURVEIL_WRITE,  NULL},
    {HTTP_POST,  "/api/alerts/:id/notes",       api_alert_note,        PERM_SURVEIL_WRITE,  NULL},
};

const struct http_route *api_routes(size_t *n)
{
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}

int api_authorize(void *app, struct http_request *req, int perm, struct yl_err *err)
{
    struct api_app *a = app;
    if (perm == PERM_PUBLIC)
        return 0;
    const char *h = http_header(req, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return yl_err_set(err, YL_EUNAUTH, NULL, "log in and send the token as "
                                                 "\"Authorization: Bearer TOKEN\"");
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    struct acct_principal *p = arena_zalloc(&req->arena, sizeof(*p));
    int rc = acct_authenticate(a->acct, token, p, err);
    if (rc != 0)
        return rc;
    req->principal = p;
    req->user_id_for_log = p->user_id;
    if (!acct_role_has(p->role, (enum acct_perm)perm))
        return yl_err_set(err, YL_EFORBIDDEN, NULL, "a %s may not do this (needs %s)",
                          acct_role_name(p->role), acct_perm_name((enum acct_perm)perm));
    return 0;
}

struct acct_principal *api_principal(struct http_request *req)
{
    return req->principal;
}

void api_actor(struct http_request *req, struct audit_actor *out)
{
    struct acct_principal *p = req->principal;
    out->user_id = p ? p->user_id : 0;
    out->username = p ? p->username : "";
    out->role = p ? acct_role_name(p->role) : "";
    out->client = req->client;
}

void api_audit_read(struct http_request *req, const char *action, const char *type,
                    const char *id)
{
    struct api_app *a = req->app;
    struct audit_actor who;
    api_actor(req, &who);
    struct audit_event ev = {action, type, id, "ok"};
    audit_log_read(a->audit, &who, &ev);
}

void api_index_registry(struct http_request *req)
{
    struct api_app *a = req->app;
    struct yl_err err = {0};
    if (a->index != NULL && pidx_load_registry(a->index, a->store, &err) != 0)
        fprintf(stderr, "yilian: index: registry reload failed: %s\n", yl_err_message(&err));
}

void api_index_resident(struct http_request *req, int64_t resident_id)
{
    struct api_app *a = req->app;
    struct yl_err err = {0};
    if (a->index == NULL || resident_id <= 0)
        return;
    struct store_conn *c = store_acquire(a->store);
    if (pidx_resident_refresh(a->index, c, (uint32_t)resident_id, &err) != 0)
        fprintf(stderr, "yilian: index: refresh of resident %lld failed: %s\n",
                (long long)resident_id, yl_err_message(&err));
    store_release(c);
    /* After the refresh, so a roster rebuilt meanwhile either has the change or keeps the
     * touch. */
    if (a->roster != NULL)
        svc_live_roster_touch(a->roster, (uint32_t)resident_id);
}

int api_path_id(struct http_request *req, const char *name, int64_t *out, struct yl_err *err)
{
    const char *s = http_path_param(req, name);
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (s == NULL || end == s || *end != '\0' || v <= 0)
        return yl_err_set(err, YL_ENOTFOUND, NULL, "no such record");
    *out = v;
    return 0;
}
