/*
 * referrals.c - two-way referral over the API: make a referral (up or down) or a remote
 * consultation or imaging reading request, walk it through its states, read one with the
 * results it carries, and the inboxes and outboxes. JSON in, one call into
 * referral/, JSON out. Who may act and read is decided there; "now" is the clock here.
 * Reads name residents, so each is audited.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"
#include "referral/referral.h"

static json_t *time_json(const char *t)
{
    return t[0] ? json_string(t) : json_null();
}

static json_t *text_json(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *attached_json(const struct ref_attached *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(x->id));
    json_object_set_new(o, "item", json_string(x->item));
    json_object_set_new(o, "name", json_string(x->name));
    json_object_set_new(o, "kind", json_string(x->kind));
    json_object_set_new(o, "date", json_string(x->date));
    json_object_set_new(o, "value", x->has_value ? json_real(x->value) : json_null());
    json_object_set_new(o, "unit", text_json(x->unit));
    json_object_set_new(o, "report", text_json(x->report));
    json_object_set_new(o, "facility", json_string(x->facility));
    return o;
}

/* `detail`: one referral read alone, with its attached results (lists leave them out). */
static json_t *referral_json(const struct ref_referral *r, bool detail)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "external_id", json_string(r->external_id));
    json_object_set_new(o, "kind", json_string(ref_kind_code(r->kind)));
    json_object_set_new(o, "direction", json_string(ref_direction_code(r->direction)));
    json_object_set_new(o, "resident_id", json_integer(r->resident_id));
    json_object_set_new(o, "resident_name", json_string(r->resident_name));
    json_object_set_new(o, "id_number", json_string(r->id_number));
    json_object_set_new(o, "masked", json_boolean(r->masked));
    json_object_set_new(o, "from_facility", json_string(r->from_facility));
    json_object_set_new(o, "to_facility", json_string(r->to_facility));
    json_object_set_new(o, "to_team", text_json(r->to_team));
    json_object_set_new(o, "reason", text_json(r->reason));
    json_object_set_new(o, "outside_reason", text_json(r->outside_reason));
    json_object_set_new(o, "urgency", json_string(ref_urgency_code(r->urgency)));
    json_object_set_new(o, "summary", text_json(r->summary));
    json_object_set_new(o, "status", json_string(ref_status_code(r->status)));
    json_object_set_new(o, "reject_reason", text_json(r->reject_reason));
    json_object_set_new(o, "requested_at", json_string(r->requested_at));
    json_object_set_new(o, "due_at", json_string(r->due_at));
    json_object_set_new(o, "accepted_at", time_json(r->accepted_at));
    json_object_set_new(o, "rejected_at", time_json(r->rejected_at));
    json_object_set_new(o, "arrived_at", time_json(r->arrived_at));
    json_object_set_new(o, "completed_at", time_json(r->completed_at));
    json_object_set_new(o, "cancelled_at", time_json(r->cancelled_at));
    json_object_set_new(o, "created_by", text_json(r->created_by_name));
    json_object_set_new(o, "overdue", json_boolean(r->overdue));
    json_object_set_new(o, "report", text_json(r->report));
    if (detail) {
        json_t *results = json_array();
        for (size_t i = 0; i < r->n_results; i++)
            json_array_append_new(results, attached_json(&r->results[i]));
        json_object_set_new(o, "results", results);
    }
    return o;
}

static void who_of(struct http_request *req, struct audit_actor *actor, struct ref_who *who)
{
    api_actor(req, actor);
    who->principal = api_principal(req);
    who->actor = actor;
}

/* Referral `id` as the caller may see it, audited as a read. */
/* The referral as JSON; `reindex` after a write that may have changed the resident's tags
 * (a team accepting a down-referral), so the live index shows the follow-up at once. */
static int reply_referral(struct http_request *req, struct http_response *res, int64_t id,
                          int status, bool reindex, struct yl_err *err)
{
    struct api_app *a = req->app;
    struct ref_referral r;
    int rc = ref_get(a->store, api_principal(req), id, (int64_t)time(NULL), &req->arena, &r, err);
    if (rc != 0)
        return rc;
    if (reindex && r.direction == REF_DOWN)
        api_index_resident(req, r.resident_id);
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    api_audit_read(req, "read", "referral", text);
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof(loc), "/api/referrals/%s", text);
        http_add_header(res, "Location", loc);
    }
    return http_reply_json(res, status, referral_json(&r, true));
}

/* "results": an array of result ids, copied into the request's arena. */
static int json_results(struct http_request *req, json_t *body, struct ref_input *in,
                        struct yl_err *err)
{
    json_t *v = json_object_get(body, "results");
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > REF_RESULTS_MAX)
        return yl_err_set(err, YL_EINVAL, "results", "results must be an array of at most %d "
                          "result ids", REF_RESULTS_MAX);
    size_t n = json_array_size(v);
    int64_t *ids = arena_alloc(&req->arena, (n ? n : 1) * sizeof(*ids));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_integer(e) || json_integer_value(e) <= 0)
            return yl_err_set(err, YL_EINVAL, "results", "results must be an array of "
                              "result ids");
        ids[i] = json_integer_value(e);
    }
    in->results = ids;
    in->n_results = n;
    return 0;
}

static int referral_in(struct http_request *req, json_t *body, struct ref_input *in,
                       struct yl_err *err)
{
    int rc = http_json_str(body, "external_id", 1, REF_EXTERNAL_ID_MAX, false, &in->external_id,
                           err);
    if (rc == 0)
        rc = http_json_str(body, "kind", 1, 16, false, &in->kind, err);
    if (rc == 0)
        rc = json_results(req, body, in, err);
    if (rc == 0)
        rc = http_json_str(body, "direction", 1, 8, true, &in->direction, err);
    if (rc == 0)
        rc = http_json_int(body, "resident_id", 1, INT64_MAX, true, &in->resident_id, err);
    if (rc == 0)
        rc = http_json_str(body, "from_facility", 1, REF_CODE_MAX, true, &in->from_facility,
                           err);
    if (rc == 0)
        rc = http_json_str(body, "to_facility", 1, REF_CODE_MAX, false, &in->to_facility, err);
    if (rc == 0)
        rc = http_json_str(body, "reason", 0, REF_REASON_MAX, false, &in->reason, err);
    if (rc == 0)
        rc = http_json_str(body, "outside_reason", 0, REF_REASON_MAX, false,
                           &in->outside_reason, err);
    if (rc == 0)
        rc = http_json_str(body, "urgency", 0, 16, false, &in->urgency, err);
    if (rc == 0)
        rc = http_json_str(body, "summary", 0, REF_SUMMARY_MAX, false, &in->summary, err);
    return rc;
}

int api_referral_create(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    static const char *const fields[] = {"external_id", "kind", "direction", "resident_id",
                                         "from_facility", "to_facility", "reason",
                                         "outside_reason", "urgency", "summary", "results",
                                         NULL};
    struct api_app *a = req->app;
    struct ref_input in = {0};
    json_t *body;
    int rc = http_request_object(req, fields, &body, err);
    if (rc == 0)
        rc = referral_in(req, body, &in, err);
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct ref_who who;
    who_of(req, &actor, &who);
    int64_t id;
    bool created;
    rc = ref_create(a->store, &who, &in, (int64_t)time(NULL), &id, &created, err);
    if (rc != 0)
        return rc;
    /* The same external id and content again: the stored referral, not a second one. */
    return reply_referral(req, res, id, created ? 201 : 200, false, err);
}

int api_referral_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc != 0)
        return rc;
    return reply_referral(req, res, id, 200, false, err);
}

/* One transition; the body is optional, with "reason" (required to reject) or "report"
 * (required to complete a consultation or a reading). */
static int act(struct http_request *req, struct http_response *res, enum ref_action action,
               struct yl_err *err)
{
    static const char *const fields[] = {"reason", "report", NULL};
    struct api_app *a = req->app;
    const char *reason = NULL, *report = NULL;
    int64_t id;
    int rc = api_path_id(req, "id", &id, err);
    if (rc == 0 && req->body_len > 0) {
        json_t *body;
        rc = http_request_object(req, fields, &body, err);
        if (rc == 0)
            rc = http_json_str(body, "reason", 0, REF_REASON_MAX, false, &reason, err);
        if (rc == 0)
            rc = http_json_str(body, "report", 0, REF_SUMMARY_MAX, false, &report, err);
    }
    if (rc != 0)
        return rc;
    struct audit_actor actor;
    struct ref_who who;
    who_of(req, &actor, &who);
    rc = ref_act(a->store, &who, id, action, action == REF_COMPLETE ? report : reason,
                 (int64_t)time(NULL), err);
    if (rc != 0)
        return rc;
    return reply_referral(req, res, id, 200, action == REF_ACCEPT, err);
}

int api_referral_accept(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return act(req, res, REF_ACCEPT, err);
}

int api_referral_reject(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return act(req, res, REF_REJECT, err);
}

int api_referral_arrive(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return act(req, res, REF_ARRIVE, err);
}

int api_referral_complete(struct http_request *req, struct http_response *res,
                          struct yl_err *err)
{
    return act(req, res, REF_COMPLETE, err);
}

int api_referral_cancel(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return act(req, res, REF_CANCEL, err);
}

/* --- boxes -------------------------------------------------------------------------------- */

static int reply_box(struct http_request *req, struct http_response *res, enum ref_box box,
                     struct yl_err *err)
{
    struct api_app *a = req->app;
    struct ref_query q = {
        .box = box,
        .facility = http_query(req, "facility"),
        .team = box == REF_INBOX ? http_query(req, "team") : NULL,
        .status = http_query(req, "status"),
        .kind = http_query(req, "kind"),
    };
    int limit;
    int rc = http_page_params(req, &limit, &q.after, err);
    if (rc != 0)
        return rc;
    /* One more than asked tells whether another page follows. */
    q.limit = limit + 1;
    struct ref_referral *rows;
    size_t n;
    rc = ref_list(a->store, api_principal(req), &q, (int64_t)time(NULL), &req->arena, &rows, &n,
                  err);
    if (rc != 0)
        return rc;
    const char *key = q.team != NULL && q.team[0] ? q.team : q.facility;
    api_audit_read(req, box == REF_INBOX ? "list_inbox" : "list_outbox", "referral", key);
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, referral_json(&rows[i], false));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    char cursor[32];
    json_object_set_new(o, "next", n > (size_t)limit
                                       ? json_string(http_page_cursor(rows[limit - 1].id, cursor,
                                                                      sizeof(cursor)))
                                       : json_null());
    return http_reply_json(res, 200, o);
}

int api_referral_inbox(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return reply_box(req, res, REF_INBOX, err);
}

int api_referral_outbox(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    return reply_box(req, res, REF_OUTBOX, err);
}
