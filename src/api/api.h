/*
 * api.h - the HTTP API: the route table and the adapters that join http/ to the domain.
 *
 * Every route names the permission it needs (accounts.h); api_authorize, the server's hook,
 * checks the bearer token and that permission before any handler runs. A handler parses
 * and validates its input, calls one domain function and renders the result; reads of a
 * person's data queue an audit record, writes carry theirs in their own transaction.
 */
#ifndef YL_API_H
#define YL_API_H

#include <stddef.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "http/http.h"

struct store;
struct pidx;
struct svc_protocol;
struct svc_live_roster;
struct ind_catalog;
struct acc_graph;
struct surv_catalog;

/* The application context every handler reaches through req->app. Borrowed pointers; the
 * front end that builds it owns them. */
struct api_app {
    struct store *store;
    struct acct *acct;
    struct audit_log *audit;
    const char *version;
    time_t started;
    int schema_version;
    struct pidx *index;         /* the population index; NULL until loaded */
    const struct svc_protocol *protocol;    /* the service protocol; NULL: services answer
                                             * 503 (the server loads it before serving) */
    const struct ind_catalog *indicators;   /* the indicators with their targets; NULL:
                                             * the static table, no targets */
    struct svc_live_roster *roster;         /* today's roster for worklists; NULL: every
                                             * worklist walks the whole index */
    const struct acc_graph *roads;          /* the road graph (<db>.roads, mapped at start,
                                             * read-only); NULL: access endpoints answer 503 */
    const struct surv_catalog *surveil;     /* notifiable diseases, channels, detector
                                             * parameters; NULL: surveillance answers 503 */
    struct http_events *alert_events;       /* the live stream of new alerts; NULL: the
                                             * stream answers 503 */
    const struct surv_rules *alert_rules;   /* the rules detection raises alerts with;
                                             * NULL: writes of case reports and counts run
                                             * no detection */
};

/* The route table (static, lives for the program). */
const struct http_route *api_routes(size_t *n);

/* The server's authorisation hook. */
int api_authorize(void *app, struct http_request *req, int perm, struct yl_err *err);

/* For handlers: the caller and an audit actor describing them. */
struct acct_principal *api_principal(struct http_request *req);
void api_actor(struct http_request *req, struct audit_actor *out);
/* Queue an audit record of a read by the caller. */
void api_audit_read(struct http_request *req, const char *action, const char *type,
                    const char *id);

/* Keep the population index current after a committed write (the index is the server's;
 * a failure to refresh is logged, and `index verify` would show it): the registry part is
 * reloaded whole (small tables), a resident is re-read. */
void api_index_registry(struct http_request *req);
void api_index_resident(struct http_request *req, int64_t resident_id);

/* Handlers, one file per capability. */
int api_health(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_login(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_logout(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_me(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_me_password(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_user_password(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_audit_list(struct http_request *req, struct http_response *res, struct yl_err *err);
/* registry handlers */
int api_ou_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_ou_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_ou_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_ou_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_population_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_population_put(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_facility_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_facility_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_facility_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_facility_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_group_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_group_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_group_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_group_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_staff_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_staff_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_staff_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_staff_update(struct http_request *req, struct http_response *res, struct yl_err *err);
/* residents handlers */
int api_resident_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_move(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_move_out(struct http_request *req, struct http_response *res,
                          struct yl_err *err);
int api_resident_death(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_tags(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_tag_add(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_resident_tag_end(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_household_get(struct http_request *req, struct http_response *res, struct yl_err *err);
/* contracts handlers */
int api_team_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_team_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_team_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_team_update(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_team_residents(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_contract_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_contract_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_contract_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_contract_renew(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_contract_terminate(struct http_request *req, struct http_response *res,
                           struct yl_err *err);
/* services handlers */
int api_service_record(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_service_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_care_plan(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_protocol_items(struct http_request *req, struct http_response *res, struct yl_err *err);
/* worklists handlers */
int api_worklist_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_points_get(struct http_request *req, struct http_response *res, struct yl_err *err);
/* encounters handlers */
int api_registration_create(struct http_request *req, struct http_response *res,
                            struct yl_err *err);
int api_encounter_create(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_resident_encounters(struct http_request *req, struct http_response *res,
                            struct yl_err *err);
int api_encounter_list(struct http_request *req, struct http_response *res, struct yl_err *err);
/* indicators handlers */
int api_indicators_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_index_verify(struct http_request *req, struct http_response *res, struct yl_err *err);
struct ind_report;
/* A report as the API answers it (also `yilian report --format json`); a new reference. */
json_t *api_indicator_report_json(const struct ind_report *r);
/* The consortium figures of a unit and period as GET /api/consortium/indicators sends them
 * (`yilian report --format json` embeds them). */
struct cons_indicators;
json_t *api_consortium_json(const struct cons_indicators *ci);
/* experts handlers */
int api_expert_session_create(struct http_request *req, struct http_response *res,
                              struct yl_err *err);
int api_expert_session_list(struct http_request *req, struct http_response *res,
                            struct yl_err *err);
int api_expert_session_get(struct http_request *req, struct http_response *res,
                           struct yl_err *err);
int api_expert_session_cancel(struct http_request *req, struct http_response *res,
                              struct yl_err *err);
int api_expert_stats(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_expert_book(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_booking_cancel(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_booking_attendance(struct http_request *req, struct http_response *res,
                           struct yl_err *err);
/* referrals handlers */
int api_referral_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_accept(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_reject(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_arrive(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_complete(struct http_request *req, struct http_response *res,
                          struct yl_err *err);
int api_referral_cancel(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_inbox(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_referral_outbox(struct http_request *req, struct http_response *res, struct yl_err *err);
/* results handlers */
int api_result_create(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_result_stats(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_resident_results(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_resident_recognised(struct http_request *req, struct http_response *res,
                            struct yl_err *err);
int api_recognised_use(struct http_request *req, struct http_response *res,
                       struct yl_err *err);
/* surveillance data handlers (api/surveil.c) */
int api_surv_case_create(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_surv_case_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_surv_case_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_surv_case_revise(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_surv_case_delete(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_surv_syndromic_post(struct http_request *req, struct http_response *res,
                            struct yl_err *err);
int api_surv_series(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_surv_diseases(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_surv_channels(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_surv_indicators(struct http_request *req, struct http_response *res,
                        struct yl_err *err);
struct surv_indicators;
/* Surveillance indicators as the API answers them (also `yilian surveil indicators
 * --format json`); a new reference. */
json_t *api_surv_indicators_json(const struct surv_indicators *ind);
/* consortium handlers */
int api_consortium_indicators(struct http_request *req, struct http_response *res,
                              struct yl_err *err);
/* access handlers: the 15-minute health service circle */
int api_access_coverage(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_access_underserved(struct http_request *req, struct http_response *res,
                           struct yl_err *err);
int api_access_catchment(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_access_isochrones(struct http_request *req, struct http_response *res,
                          struct yl_err *err);
int api_access_whatif(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_access_proposals(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_access_indicators(struct http_request *req, struct http_response *res,
                          struct yl_err *err);

/* alerts handlers */
int api_alert_list(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_get(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_assign(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_verify(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_confirm(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_dismiss(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_note(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_stream(struct http_request *req, struct http_response *res, struct yl_err *err);
int api_alert_indicators(struct http_request *req, struct http_response *res,
                         struct yl_err *err);
int api_alert_webhook_log(struct http_request *req, struct http_response *res,
                          struct yl_err *err);
/* The live feed of new alerts: a thread that publishes each alert raised after its start to
 * `hub` (event "alert", keyed by the alert's org unit code), looking every 250 ms, with a
 * ping every 15 s. Stop it before http_events_close. NULL when the thread cannot start. */
struct api_alert_feed;
struct api_alert_feed *api_alert_feed_start(struct store *s, struct http_events *hub);
void api_alert_feed_stop(struct api_alert_feed *f);

/* Shared by adapters: a path id parameter as a positive integer (YL_ENOTFOUND otherwise,
 * since a malformed id names no record). */
int api_path_id(struct http_request *req, const char *name, int64_t *out, struct yl_err *err);

#endif
