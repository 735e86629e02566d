/*
 * rules.c - decision rules (data/protocol-rules.csv): a condition over an event's
 * measurements gives the event an outcome bit (controlled, uncontrolled, dangerous); an
 * action fires when the item's last `consecutive` events all carry that bit.
 *
 * Conditions are comparisons joined by `and` (binding tighter) and `or`, no parentheses:
 * "sbp>=140 or dbp>=90". Kept as a flat list of terms so that evaluating one is a loop, and
 * the outcome of each event fits in one byte the store keeps (docs/protocols.md).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "services/services_int.h"

static const struct {
    const char *code;
    uint8_t bit;
} svc_outcomes[] = {
    {"controlled", SVC_OUT_CONTROLLED},
    {"uncontrolled", SVC_OUT_UNCONTROLLED},
    {"dangerous", SVC_OUT_DANGEROUS},
};

static const char *const svc_actions[SVC_ACT_COUNT] = {"none", "due_within", "refer"};

/* Longest operators first so that ">=" is not read as ">". */
static const struct {
    const char *text;
    uint8_t op;
} svc_ops[] = {
    {">=", SVC_CMP_GE}, {"<=", SVC_CMP_LE}, {"!=", SVC_CMP_NE}, {"==", SVC_CMP_EQ},
    {">", SVC_CMP_GT},  {"<", SVC_CMP_LT},  {"=", SVC_CMP_EQ},
};

static const char *svc_skip_spaces(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

/* One "code op number" at *s; advances *s past it. */
static int svc_term_parse(const struct svc_protocol *p, const struct svc_item *it,
                          const char **s, struct svc_cond_term *t, const struct svc_row *row,
                          struct yl_err *err)
{
    const char *c = svc_skip_spaces(*s);
    size_t len = 0, k;
    char code[SVC_CODE_MAX];
    char *end;
    int m, slot = -1;

    while (isalnum((unsigned char)c[len]) || c[len] == '_')
        len++;
    if (len == 0 || len >= sizeof(code))
        return svc_row_fail(err, row, "condition", "expected a measurement code at \"%s\"", c);
    memcpy(code, c, len);
    code[len] = '\0';
    m = svc_measure_find(p, code);
    if (m < 0 || p->measures[m].kind == SVC_MK_TEXT)
        return svc_row_fail(err, row, "condition", "\"%s\" is not a numeric measurement",
                            code);
    for (int i = 0; i < it->n_measures; i++)
        if (it->measures[i] == m)
            slot = i;
    if (slot < 0)
        return svc_row_fail(err, row, "condition", "item \"%s\" does not record \"%s\"",
                            it->code, code);
    c = svc_skip_spaces(c + len);
    for (k = 0; k < sizeof(svc_ops) / sizeof(svc_ops[0]); k++)
        if (strncmp(c, svc_ops[k].text, strlen(svc_ops[k].text)) == 0)
            break;
    if (k == sizeof(svc_ops) / sizeof(svc_ops[0]))
        return svc_row_fail(err, row, "condition", "expected <, <=, >, >=, = or != after "
                            "\"%s\"", code);
    c = svc_skip_spaces(c + strlen(svc_ops[k].text));
    t->value = strtod(c, &end);
    if (end == c)
        return svc_row_fail(err, row, "condition", "expected a number after \"%s %s\"", code,
                            svc_ops[k].text);
    t->measure = (int16_t)m;
    t->op = svc_ops[k].op;
    *s = end;
    return 0;
}

static int svc_cond_parse(const struct svc_protocol *p, struct svc_rule *r,
                          const struct svc_row *row, struct yl_err *err)
{
    const struct svc_item *it = &p->items[r->item];
    const char *s = svc_skip_spaces(csv_get(row->r, "condition"));

    while (*s != '\0') {
        struct svc_cond_term *t;
        int rc;

        if (r->n_terms == SVC_RULE_TERMS)
            return svc_row_fail(err, row, "condition", "more than %d comparisons",
                                SVC_RULE_TERMS);
        t = &r->terms[r->n_terms++];
        rc = svc_term_parse(p, it, &s, t, row, err);
        if (rc != 0)
            return rc;
        s = svc_skip_spaces(s);
        if (*s == '\0')
            break;
        if (strncmp(s, "and ", 4) == 0)
            t->and_next = 1;
        else if (strncmp(s, "or ", 3) != 0)
            return svc_row_fail(err, row, "condition", "expected \"and\" or \"or\" at \"%s\"",
                                s);
        s = svc_skip_spaces(s + (t->and_next ? 4 : 3));
        if (*s == '\0')
            return svc_row_fail(err, row, "condition", "a comparison must follow \"%s\"",
                                t->and_next ? "and" : "or");
    }
    return 0;
}

/* outcome, consecutive, action and within_days. */
static int svc_rule_action(const struct svc_protocol *p, struct svc_rule *r,
                           const struct svc_row *row, struct yl_err *err)
{
    const char *outcome = csv_get(row->r, "outcome");
    const char *cons = csv_get(row->r, "consecutive");
    const char *action = csv_get(row->r, "action");
    const char *within = csv_get(row->r, "within_days");
    const struct svc_item *it = &p->items[r->item];
    size_t k;
    char *end;
    long v;

    for (k = 0; k < sizeof(svc_outcomes) / sizeof(svc_outcomes[0]); k++)
        if (strcmp(outcome, svc_outcomes[k].code) == 0)
            r->outcome = svc_outcomes[k].bit;
    if (r->outcome == 0)
        return svc_row_fail(err, row, "outcome", "\"%s\" is not controlled, uncontrolled or "
                            "dangerous", outcome);
    v = cons[0] == '\0' ? 1 : strtol(cons, &end, 10);
    if (cons[0] != '\0' && (*end != '\0' || v < 1 || v > SVC_HISTORY_KEEP))
        return svc_row_fail(err, row, "consecutive", "\"%s\" is not a count from 1 to %d",
                            cons, SVC_HISTORY_KEEP);
    r->consecutive = (uint8_t)v;
    for (k = 0; k < SVC_ACT_COUNT && strcmp(action, svc_actions[k]) != 0; k++)
        ;
    if (k == SVC_ACT_COUNT)
        return svc_row_fail(err, row, "action", "\"%s\" is not none, due_within or refer",
                            action);
    r->action = (uint8_t)k;
    if (r->action != SVC_ACT_DUE_WITHIN)
        return within[0] == '\0' ? 0 : svc_row_fail(err, row, "within_days", "only for "
                                                    "due_within");
    if (it->schedule != SVC_SCHED_INTERVAL && it->schedule != SVC_SCHED_PER_YEAR)
        return svc_row_fail(err, row, "action", "due_within needs an item with an interval "
                            "or per_year schedule; \"%s\" is %s", it->code,
                            svc_schedule_code(it->schedule));
    v = strtol(within, &end, 10);
    if (within[0] == '\0' || *end != '\0' || v < 1 || v > 366)
        return svc_row_fail(err, row, "within_days", "\"%s\" is not a number of days from 1 "
                            "to 366", within);
    r->within_days = (int32_t)v;
    return 0;
}

int svc_rule_row(struct svc_protocol *p, const struct svc_row *row, struct yl_err *err)
{
    const char *code = csv_get(row->r, "code");
    const char *item = csv_get(row->r, "item");
    struct svc_rule r;
    int i, rc;
    size_t at;

    memset(&r, 0, sizeof(r));
    if (code[0] == '\0' || strlen(code) >= sizeof(r.code) || strcspn(code, " ,;") != strlen(code))
        return svc_row_fail(err, row, "code", "\"%s\" is not a code (1 to %d bytes, no "
                            "spaces)", code, SVC_CODE_MAX - 1);
    memcpy(r.code, code, strlen(code) + 1);
    i = svc_item_find(p, item);
    if (i < 0)
        return svc_row_fail(err, row, "item", "unknown item \"%s\"", item);
    r.item = (uint16_t)i;
    rc = svc_cond_parse(p, &r, row, err);
    if (rc == 0)
        rc = svc_rule_action(p, &r, row, err);
    if (rc != 0)
        return rc;
    if (r.n_terms == 0 && r.action == SVC_ACT_NONE)
        return svc_row_fail(err, row, "condition", "a rule with neither condition nor action "
                            "does nothing");
    for (at = 0; at < p->n_rules && strcmp(p->rules[at].code, r.code) != 0; at++)
        ;
    if (at == p->n_rules) {
        if (p->n_rules == INT16_MAX)
            return svc_row_fail(err, row, "code", "more than %d rules", INT16_MAX);
        if (p->n_rules == p->cap_rules) {
            p->cap_rules = p->cap_rules ? 2 * p->cap_rules : 32;
            p->rules = xrealloc(p->rules, p->cap_rules * sizeof(*p->rules));
        }
        p->n_rules++;
    }
    p->rules[at] = r;
    return 0;
}

void svc_rules_index(struct svc_protocol *p)
{
    /* A stable counting sort by item keeps each item's rules in file order, which is the
     * order the plan tries them (so "dangerous" listed first is the reason given). */
    struct svc_rule *sorted = xmalloc((p->n_rules ? p->n_rules : 1) * sizeof(*sorted));
    size_t next = 0;

    for (size_t i = 0; i < p->n_items; i++) {
        p->items[i].rule_first = (uint16_t)next;
        p->items[i].n_rules = 0;
        for (size_t k = 0; k < p->n_rules; k++) {
            if (p->rules[k].item != i)
                continue;
            sorted[next++] = p->rules[k];
            p->items[i].n_rules++;
        }
    }
    free(p->rules);
    p->rules = sorted;
}

/* ------------------------------------------------------------------ evaluation */

static bool svc_term_holds(const struct svc_cond_term *t, const int *measure,
                           const double *num, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (measure[i] != t->measure)
            continue;
        switch (t->op) {
        case SVC_CMP_LT: return num[i] < t->value;
        case SVC_CMP_LE: return num[i] <= t->value;
        case SVC_CMP_GT: return num[i] > t->value;
        case SVC_CMP_GE: return num[i] >= t->value;
        case SVC_CMP_EQ: return num[i] == t->value;
        default: return num[i] != t->value;
        }
    }
    return false;
}

bool svc_rule_holds(const struct svc_rule *r, const int *measure, const double *num, size_t n)
{
    bool group = true;

    /* OR over groups of AND-ed terms: a group ends where and_next is 0. */
    for (int i = 0; i < r->n_terms; i++) {
        group = group && svc_term_holds(&r->terms[i], measure, num, n);
        if (r->terms[i].and_next)
            continue;
        if (group)
            return true;
        group = true;
    }
    return false;
}

uint8_t svc_event_outcome(const struct svc_protocol *p, int item,
                          const struct svc_measure_value *values, size_t n)
{
    int measure[SVC_ITEM_MEASURES + 8];
    double num[SVC_ITEM_MEASURES + 8];
    size_t count = 0;
    const struct svc_rule *rules;
    size_t n_rules;
    uint8_t out = 0;

    if (item < 0 || (size_t)item >= p->n_items)
        return 0;
    for (size_t i = 0; i < n && count < sizeof(num) / sizeof(num[0]); i++) {
        int m = values[i].code != NULL ? svc_measure_find(p, values[i].code) : -1;
        if (m < 0 || p->measures[m].kind == SVC_MK_TEXT)
            continue;
        measure[count] = m;
        num[count++] = values[i].num;
    }
    rules = svc_item_rules(p, item, &n_rules);
    for (size_t r = 0; r < n_rules; r++)
        if (rules[r].n_terms > 0 && svc_rule_holds(&rules[r], measure, num, count))
            out |= rules[r].outcome;
    return out;
}
