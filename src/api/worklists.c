/*
 * worklists.c - worklists and village doctor points over the API. Adapters only: query
 * parameters in, one services call, JSON or CSV out. Scope is decided in services/
 * (svc_wl_resolve); a worklist read is audited once per request, naming its scope (the
 * residents of a page are not audited one by one: the scope says whose plans were read).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "services/worklist.h"

#define API_WL_CSV_LIMIT 1000       /* rows of a CSV page unless told: a printout */
#define API_WL_CSV_MAX (8u << 20)   /* bytes of a CSV page */

static json_t *date_json(int32_t day)
{
    char text[DATE_STR_LEN];
    return day == SVC_DAY_NONE || day == SVC_OPEN ? json_null()
                                                   : json_string(date_format(day, text));
}

static int ready(struct api_app *a, struct yl_err *err)
{
    if (a->protocol == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the service protocol is not loaded");
    if (a->index == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the population index is not loaded yet");
    return 0;
}

/* A date parameter, or `dflt` when absent. */
static int query_date(struct http_request *req, const char *name, int32_t dflt, int32_t *out,
                      struct yl_err *err)
{
    const char *s = http_query(req, name);
    *out = dflt;
    if (s == NULL || s[0] == '\0')
        return 0;
    return date_parse(s, strlen(s), out, name, err);
}

/* Which of team, ou, facility was given (at most one). */
static int scope_params(struct http_request *req, enum svc_wl_scope *kind, const char **code,
                        struct yl_err *err)
{
    static const struct {
        const char *name;
        enum svc_wl_scope kind;
    } params[] = {{"team", SVC_WL_TEAM}, {"ou", SVC_WL_OU}, {"facility", SVC_WL_FACILITY}};
    *kind = SVC_WL_OWN;
    *code = NULL;
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        const char *v = http_query(req, params[i].name);
        if (v == NULL || v[0] == '\0')
            continue;
        if (*kind != SVC_WL_OWN)
            return yl_err_set(err, YL_EINVAL, params[i].name,
                              "give one of team, ou and facility");
        *kind = params[i].kind;
        *code = v;
    }
    return 0;
}

/* item and program codes into indexes (-1: any). */
static int item_params(struct http_request *req, const struct svc_protocol *p,
                       struct svc_worklist_query *q, struct yl_err *err)
{
    const char *item = http_query(req, "item"), *program = http_query(req, "program");
    bool has_item = item != NULL && item[0] != '\0';
    bool has_program = program != NULL && program[0] != '\0';
    q->item = has_item ? svc_item_find(p, item) : -1;
    q->program = has_program ? svc_program_find(program) : -1;
    if (has_item && q->item < 0)
        return yl_err_set(err, YL_EINVAL, "item", "no item \"%.32s\" in the protocol", item);
    if (has_program && q->program < 0)
        return yl_err_set(err, YL_EINVAL, "program", "no program \"%.32s\"", program);
    return 0;
}

static int query_params(struct http_request *req, const struct svc_protocol *p, bool csv,
                        struct svc_worklist_query *q, struct yl_err *err)
{
    int64_t horizon, limit, refer;
    memset(q, 0, sizeof(*q));
    const char *sort = http_query(req, "sort");
    int rc = query_date(req, "date", date_today(), &q->today, err);
    if (rc == 0)
        rc = query_date(req, "from", SVC_DAY_NONE, &q->done_from, err);
    if (rc == 0)
        rc = query_date(req, "to", SVC_DAY_NONE, &q->done_to, err);
    if (rc == 0)
        rc = http_query_int(req, "horizon", 0, SVC_WL_HORIZON_MAX, SVC_WL_HORIZON_DEFAULT,
                            &horizon, err);
    if (rc == 0)
        rc = http_query_int(req, "limit", 1, SVC_WL_LIMIT_MAX, csv ? API_WL_CSV_LIMIT : 50,
                            &limit, err);
    if (rc == 0)
        rc = http_query_int(req, "refer", 0, 1, 0, &refer, err);
    if (rc == 0)
        rc = svc_wl_states_parse(http_query(req, "state"), &q->states, err);
    if (rc == 0)
        rc = item_params(req, p, q, err);
    if (rc == 0 && sort != NULL && sort[0] != '\0' && svc_wl_sort_parse(sort) < 0)
        rc = yl_err_set(err, YL_EINVAL, "sort", "sort must be due, overdue, item or resident");
    const char *cursor = http_query(req, "cursor");
    if (rc == 0 && cursor != NULL && cursor[0] != '\0')
        rc = http_page_cursor_decode(cursor, &q->after, err);
    if (rc != 0)
        return rc;
    if (q->done_from != SVC_DAY_NONE && q->done_to != SVC_DAY_NONE && q->done_to < q->done_from)
        return yl_err_set(err, YL_EINVAL, "to", "to is before from");
    q->sort = sort != NULL && sort[0] != '\0' ? (enum svc_wl_sort)svc_wl_sort_parse(sort)
                                              : SVC_WL_SORT_DUE;
    q->horizon_days = (int)horizon;
    q->limit = (int)limit;
    q->refer_only = refer == 1;
    return 0;
}

static json_t *row_json(const struct svc_protocol *p, const struct svc_worklist_row *r)
{
    const struct svc_item *it = svc_item_at(p, r->e.item);
    bool refer = (r->e.flags & SVC_PLAN_REFER) != 0 && r->e.refer_rule >= 0;
    json_t *o = json_object();
    json_object_set_new(o, "resident_id", json_integer(r->resident));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "phone", json_string(r->phone));
    json_object_set_new(o, "village", json_string(r->village));
    json_object_set_new(o, "item", json_string(it->code));
    json_object_set_new(o, "name_zh", json_string(it->name_zh));
    json_object_set_new(o, "name_en", json_string(it->name_en));
    json_object_set_new(o, "program", json_string(svc_program_code(it->program)));
    json_object_set_new(o, "state", json_string(svc_state_code(r->e.state)));
    json_object_set_new(o, "open", date_json(r->e.open));
    json_object_set_new(o, "due_by", date_json(r->e.due_by));
    json_object_set_new(o, "overdue_since", date_json(r->e.overdue_since));
    json_object_set_new(o, "last_done", date_json(r->e.last_done));
    json_object_set_new(o, "done_this_year", json_integer(r->e.done_this_year));
    json_object_set_new(o, "done_day", date_json(r->done_day));
    json_object_set_new(o, "done_in_period", json_integer(r->done_in_period));
    json_object_set_new(o, "referral_suggested", json_boolean(refer));
    json_object_set_new(o, "referral_rule",
                        refer ? json_string(svc_rule_at(p, r->e.refer_rule)->code) : json_null());
    json_object_set_new(o, "due_rule", r->e.due_rule >= 0
                                           ? json_string(svc_rule_at(p, r->e.due_rule)->code)
                                           : json_null());
    return o;
}

static json_t *worklist_json(const struct svc_protocol *p, const struct svc_wl_area *area,
                             const struct svc_worklist_query *q, const struct svc_worklist *wl)
{
    static const char *const kinds[] = {"own", "team", "ou", "facility"};
    json_t *items = json_array();
    for (size_t i = 0; i < wl->n; i++)
        json_array_append_new(items, row_json(p, &wl->rows[i]));
    json_t *counts = json_object();
    json_object_set_new(counts, "due", json_integer((json_int_t)wl->counts[SVC_STATE_DUE]));
    json_object_set_new(counts, "overdue",
                        json_integer((json_int_t)wl->counts[SVC_STATE_OVERDUE]));
    json_object_set_new(counts, "upcoming",
                        json_integer((json_int_t)wl->counts[SVC_STATE_UPCOMING]));
    json_object_set_new(counts, "done", json_integer((json_int_t)wl->counts[SVC_STATE_DONE]));
    json_t *scope = json_object();
    json_object_set_new(scope, "kind", json_string(kinds[area->kind]));
    json_object_set_new(scope, "code", json_string(area->code));
    json_object_set_new(scope, "ou", area->ou_code[0] ? json_string(area->ou_code) : json_null());
    json_t *o = json_object();
    json_object_set_new(o, "scope", scope);
    json_object_set_new(o, "date", date_json(q->today));
    json_object_set_new(o, "horizon", json_integer(q->horizon_days));
    json_object_set_new(o, "from", date_json(wl->done_from));
    json_object_set_new(o, "to", date_json(wl->done_to));
    json_object_set_new(o, "residents", json_integer((json_int_t)wl->residents));
    json_object_set_new(o, "counts", counts);
    json_object_set_new(o, "items", items);
    char cursor[40];
    json_object_set_new(o, "next", wl->more ? json_string(http_page_cursor(wl->next, cursor,
                                                                           sizeof(cursor)))
                                            : json_null());
    return o;
}

static int reply_csv(struct http_response *res, const struct svc_protocol *p,
                     const struct svc_worklist *wl, struct yl_err *err)
{
    struct buf b;
    buf_init(&b, API_WL_CSV_MAX);
    int rc = svc_worklist_csv(p, wl, &b);
    if (rc == 0) {
        char cursor[40];
        if (wl->more)
            http_add_header(res, "X-Next-Cursor", http_page_cursor(wl->next, cursor,
                                                                   sizeof(cursor)));
        rc = http_reply_text(res, 200, "text/csv; charset=utf-8", b.data ? b.data : "");
    } else {
        rc = yl_err_set(err, YL_ETOOBIG, "limit", "the page is too large for CSV; lower limit");
    }
    buf_release(&b);
    return rc;
}

int api_worklist_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    const char *format = http_query(req, "format");
    bool csv = format != NULL && strcmp(format, "csv") == 0;
    enum svc_wl_scope kind;
    const char *code;
    struct svc_worklist_query q;
    int rc = ready(a, err);
    if (rc == 0 && format != NULL && format[0] != '\0' && !csv && strcmp(format, "json") != 0)
        rc = yl_err_set(err, YL_EINVAL, "format", "format must be json or csv");
    if (rc == 0)
        rc = scope_params(req, &kind, &code, err);
    if (rc == 0)
        rc = query_params(req, a->protocol, csv, &q, err);
    if (rc != 0)
        return rc;
    struct svc_wl_area area;
    struct svc_worklist wl;
    struct svc_candidates cand = {0};
    if (a->roster != NULL)
        svc_live_roster_acquire(a->roster, &req->arena, &cand);
    rc = svc_worklist_get(a->store, a->index, a->protocol, a->roster ? &cand : NULL,
                          api_principal(req), kind, code, &q, &req->arena, &area, &wl, err);
    if (a->roster != NULL)
        svc_live_roster_release(a->roster);
    if (rc != 0)
        return rc;
    static const char *const types[] = {"", "team", "ou", "facility"};
    api_audit_read(req, "read_worklist", types[area.kind], area.code);
    if (csv)
        return reply_csv(res, a->protocol, &wl, err);
    return http_reply_json(res, 200, worklist_json(a->protocol, &area, &q, &wl));
}

/* --- points ------------------------------------------------------------------------------ */

int api_points_get(struct http_request *req, struct http_response *res, struct yl_err *err)
{
    struct api_app *a = req->app;
    if (a->protocol == NULL)
        return yl_err_set(err, YL_EBUSY, NULL, "the service protocol is not loaded");
    const char *month = http_query(req, "month");
    struct svc_points_row *rows;
    size_t n;
    int rc = svc_points_month(a->store, a->protocol, month, http_query(req, "township"),
                              &req->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct svc_points_row *r = &rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "staff", json_string(r->code));
        json_object_set_new(o, "name", json_string(r->name));
        json_object_set_new(o, "role", json_string(r->role));
        json_object_set_new(o, "facility", json_string(r->facility));
        json_object_set_new(o, "facility_name", json_string(r->facility_name));
        json_object_set_new(o, "township", r->township[0] ? json_string(r->township)
                                                          : json_null());
        json_object_set_new(o, "events", json_integer(r->events));
        json_object_set_new(o, "points", json_real(r->points));
        json_object_set_new(o, "rank", r->rank > 0 ? json_integer(r->rank) : json_null());
        json_array_append_new(items, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "month", json_string(month));
    json_object_set_new(o, "items", items);
    return http_reply_json(res, 200, o);
}
