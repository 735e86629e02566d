/*
 * test_services_plan.c - the service protocols as data and the care-plan engine: loading the
 * shipped files and refusing malformed ones with file, line and column; local files that add
 * and replace items; each schedule rule at its edges; measurement checks; decision rules.
 *
 * Expected days are worked out by hand from the calendar (and cross-checked with
 * date_age_months where an age is the point), not by the engine's own period arithmetic.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/err.h"
#include "services/services.h"
#include "test.h"
#include "vocab/vocab.h"

/* ------------------------------------------------------------------ helpers */

static const char *const shipped[] = {
    "data/measurements.csv",
    "data/protocols.csv",
    "data/protocol-rules.csv",
};

static int32_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

static struct svc_protocol *load_shipped(void)
{
    static struct svc_protocol *p;
    struct yl_err err;

    /* One protocol for the whole run: it is read-only, which is the point of the design. */
    if (p == NULL) {
        yl_err_clear(&err);
        if (svc_protocol_load(shipped, 3, &p, &err) != 0) {
            fprintf(stderr, "    cannot load the shipped protocol: %s\n", err.message);
            return NULL;
        }
    }
    return p;
}

static char scratch_dir[64];
static char scratch_names[16][32];
static int scratch_count;

/* Remove what scratch() wrote, at exit, so runs leave nothing behind. */
static void scratch_cleanup(void)
{
    char path[128];

    for (int i = 0; i < scratch_count; i++) {
        snprintf(path, sizeof(path), "%s/%s", scratch_dir, scratch_names[i]);
        unlink(path);
    }
    rmdir(scratch_dir);
}

/* A scratch file under a per-run temporary directory; returns its path (static storage,
 * one per slot). */
static const char *scratch(int slot, const char *name, const char *text)
{
    static char paths[4][128];
    int known = 0;
    FILE *f;

    if (scratch_dir[0] == '\0') {
        snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/yl_svc_test_XXXXXX");
        if (mkdtemp(scratch_dir) == NULL)
            return NULL;
        atexit(scratch_cleanup);
    }
    for (int i = 0; i < scratch_count; i++)
        known |= strcmp(scratch_names[i], name) == 0;
    if (!known && scratch_count < 16 && strlen(name) < sizeof(scratch_names[0]))
        memcpy(scratch_names[scratch_count++], name, strlen(name) + 1);
    snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", scratch_dir, name);
    f = fopen(paths[slot], "w");
    if (f == NULL)
        return NULL;
    fputs(text, f);
    fclose(f);
    return paths[slot];
}

static const char ITEM_HEADER[] =
    "code,name_zh,name_en,program,sex,tag,age_min,age_max,schedule,anchor,start,before,every,"
    "times,min,keep,requires,allows,points,vaccine,dose\n";
static const char ITEM_OK[] =
    "ok_item,好,fine,elderly,,,65y,,yearly,,,,,,,,sbp dbp,,1,,\n";
static const char RULE_HEADER[] =
    "code,item,condition,outcome,consecutive,action,within_days\n";
static const char MEASURE_HEADER[] = "code,name_zh,name_en,unit,kind,min,max,above,derive\n";

/* Load the shipped measurements plus one file; returns the rc, err filled. */
static int load_with(const char *path, struct yl_err *err)
{
    const char *paths[2] = {shipped[0], path};
    struct svc_protocol *p = NULL;
    int rc;

    yl_err_clear(err);
    rc = svc_protocol_load(paths, 2, &p, err);
    svc_protocol_free(p);
    return rc;
}

/* A file of items: the header, a good row (line 2), then `bad` (line 3). */
static int load_bad_item(const char *bad, struct yl_err *err)
{
    char text[2048];

    snprintf(text, sizeof(text), "%s%s%s", ITEM_HEADER, ITEM_OK, bad);
    return load_with(scratch(0, "local-items.csv", text), err);
}

/* Shipped measurements and items plus a rule file with a good line then `bad` (line 3). */
static int load_bad_rule(const char *bad, struct yl_err *err)
{
    char text[2048];
    const char *paths[3] = {shipped[0], shipped[1], NULL};
    struct svc_protocol *p = NULL;
    int rc;

    snprintf(text, sizeof(text), "%shtn_x,htn_followup,sbp>=200,dangerous,1,refer,\n%s",
             RULE_HEADER, bad);
    paths[2] = scratch(1, "local-rules.csv", text);
    yl_err_clear(err);
    rc = svc_protocol_load(paths, 3, &p, err);
    svc_protocol_free(p);
    return rc;
}

static int item_of(const char *code)
{
    return svc_item_find(load_shipped(), code);
}

static struct svc_facts person(int sex, int32_t birth)
{
    struct svc_facts f;

    memset(&f, 0, sizeof(f));
    f.sex = (uint8_t)sex;
    f.birth = birth;
    f.end_day = SVC_OPEN;
    f.delivery_day = SVC_DAY_NONE;
    f.record_day = SVC_DAY_NONE;
    return f;
}

static struct svc_tag_span span(int tag, int32_t from, int32_t to)
{
    struct svc_tag_span s = {from, to, SVC_DAY_NONE, (uint8_t)tag};
    return s;
}

static struct svc_done done(const char *item, int32_t day, uint8_t outcome)
{
    struct svc_done d = {day, (uint16_t)item_of(item), outcome, 0};
    return d;
}

/* The plan entry of `code` on `today`, or NULL when the item is not in the plan. */
static const struct svc_plan_entry *plan_for(const struct svc_facts *f,
                                             const struct svc_done *h, size_t n,
                                             int32_t today, int horizon, const char *code)
{
    static struct svc_plan_entry out[SVC_ITEMS_MAX];
    struct svc_protocol *p = load_shipped();
    size_t count = svc_plan_build(p, f, h, n, today, horizon, out, SVC_ITEMS_MAX);
    int item = svc_item_find(p, code);

    for (size_t i = 0; i < count; i++)
        if (out[i].item == item)
            return &out[i];
    return NULL;
}

static const char *day_str(int32_t day)
{
    static char bufs[4][DATE_STR_LEN];
    static int next;
    char *b = bufs[next++ % 4];

    if (day == SVC_DAY_NONE)
        return "none";
    return date_format(day, b);
}

#define CHECK_DAY(a, b) CHECK_STR(day_str(a), day_str(b))
#define CHECK_STATE(e, s) CHECK_STR(svc_state_code((e)->state), svc_state_code(s))

/* Outcome flags of a follow-up with the given readings. */
static uint8_t outcome2(const char *item, const char *c1, double v1, const char *c2, double v2)
{
    struct svc_measure_value v[2] = {{c1, 0, v1, NULL}, {c2, 0, v2, NULL}};
    return svc_event_outcome(load_shipped(), item_of(item), v, c2 != NULL ? 2 : 1);
}

/* Check one event's values; returns the rc; err and *n_out filled. */
static int check_values(const char *item, const struct svc_measure_value *v, size_t n,
                        struct svc_measure_value *out, size_t *n_out, struct yl_err *err)
{
    yl_err_clear(err);
    return svc_measures_check(load_shipped(), item_of(item), v, n, out, n + 4, n_out, err);
}

/* A valid reading for the item (BP for hypertension, glucose for diabetes) in v. */
static size_t base_values(const char *item, struct svc_measure_value *v)
{
    if (strcmp(item, "dm_followup") == 0) {
        v[0] = (struct svc_measure_value){"fbg", 0, 6.0, NULL};
        return 1;
    }
    v[0] = (struct svc_measure_value){"sbp", 0, 130, NULL};
    v[1] = (struct svc_measure_value){"dbp", 0, 80, NULL};
    return 2;
}

/* Replace the value of `code` in v, or append it. */
static void set_value(struct svc_measure_value *v, size_t *n, const char *code, double num)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(v[i].code, code) == 0) {
            v[i].num = num;
            return;
        }
    }
    v[(*n)++] = (struct svc_measure_value){code, 0, num, NULL};
}

/* ------------------------------------------------------------------ loading */

TEST(shipped_protocol_loads)
{
    struct svc_protocol *p = load_shipped();
    int per_program[SVC_PROG_COUNT] = {0};
    const struct svc_item *it;

    CHECK(p != NULL);
    CHECK_INT(svc_item_count(p), 61);
    CHECK_INT(svc_measure_count(p), 42);
    CHECK_INT(svc_rule_count(p), 23);
    for (size_t i = 0; i < svc_item_count(p); i++)
        per_program[svc_item_at(p, (int)i)->program]++;
    CHECK_INT(per_program[SVC_PROG_ELDERLY], 1);
    CHECK_INT(per_program[SVC_PROG_HYPERTENSION], 2);
    CHECK_INT(per_program[SVC_PROG_DIABETES], 2);
    CHECK_INT(per_program[SVC_PROG_CHILD], 13);
    CHECK_INT(per_program[SVC_PROG_MATERNAL], 7);
    CHECK_INT(per_program[SVC_PROG_IMMUNIZATION], 22);
    CHECK_INT(per_program[SVC_PROG_SCREENING], 2);
    CHECK_INT(per_program[SVC_PROG_MENTAL], 2);
    CHECK_INT(per_program[SVC_PROG_TUBERCULOSIS], 2);
    CHECK_INT(per_program[SVC_PROG_TCM], 7);

    it = svc_item_at(p, item_of("htn_followup"));
    CHECK_STR(it->name_zh, "高血压患者随访");
    CHECK_INT(it->schedule, SVC_SCHED_PER_YEAR);
    CHECK_INT(it->times, 4);
    CHECK_INT(it->every.n, 3);
    CHECK_INT(it->every.unit, SVC_UNIT_MONTH);
    CHECK_INT(it->tag, TAG_HYPERTENSION);
    CHECK_INT(it->n_rules, 4);
    CHECK_STR(svc_rule_at(p, it->rule_first)->code, "htn_dangerous");

    it = svc_item_at(p, item_of("mmr_1"));
    CHECK_STR(it->vaccine, "MMR");
    CHECK_INT(it->dose, 1);
    CHECK_INT(it->min.n, 8);
    CHECK_INT(it->min.unit, SVC_UNIT_MONTH);
    CHECK_INT(it->points, 1);

    it = svc_item_at(p, item_of("cervical_screen"));
    CHECK_INT(it->sex, 2);
    CHECK_INT(it->age_min.n, 35);
    CHECK_INT(it->age_max.n, 64);
    CHECK_INT(it->every.n, 3);
    CHECK_INT(it->every.unit, SVC_UNIT_YEAR);

    CHECK_INT(svc_item_find(p, "no_such_item"), -1);
    CHECK_INT(svc_measure_find(p, "no_such"), -1);
    CHECK_STR(svc_measure_at(p, svc_measure_find(p, "sbp"))->unit, "mmHg");
}

TEST(shipped_vaccines_follow_the_2021_schedule)
{
    /* Each dose with its age in months (years written as months). */
    static const struct {
        const char *code;
        int months;
    } doses[] = {
        {"hepb_1", 0},  {"hepb_2", 1},   {"hepb_3", 6},   {"bcg_1", 0},    {"ipv_1", 2},
        {"ipv_2", 3},   {"bopv_1", 4},   {"bopv_2", 48},  {"dtap_1", 3},   {"dtap_2", 4},
        {"dtap_3", 5},  {"dtap_4", 18},  {"dt_1", 72},    {"mmr_1", 8},    {"mmr_2", 18},
        {"jel_1", 8},   {"jel_2", 24},   {"mpsva_1", 6},  {"mpsva_2", 9},  {"mpsvac_1", 36},
        {"mpsvac_2", 72}, {"hepal_1", 18},
    };
    struct svc_protocol *p = load_shipped();
    int32_t birth = ymd(2020, 1, 15);

    CHECK(p != NULL);
    for (size_t i = 0; i < sizeof(doses) / sizeof(doses[0]); i++) {
        int k = svc_item_find(p, doses[i].code);
        const struct svc_item *it;
        int32_t at;
        CHECK(k >= 0);
        it = svc_item_at(p, k);
        CHECK_INT(it->program, SVC_PROG_IMMUNIZATION);
        CHECK(it->vaccine[0] != '\0');
        /* The dose's minimum age, applied to a birth date, is the age in the schedule. */
        at = ymd(2020 + (doses[i].months + 0) / 12, 1 + doses[i].months % 12, 15);
        if (it->min.unit == SVC_UNIT_DAY)
            CHECK_INT(it->min.n, 0);
        else
            CHECK_INT(date_age_months(birth, at), doses[i].months);
        CHECK_INT(it->min.n * (it->min.unit == SVC_UNIT_YEAR ? 12 : 1), doses[i].months);
    }
}

TEST(load_refuses_malformed_items_with_file_line_column)
{
    static const struct {
        const char *row, *column, *says;
    } cases[] = {
        {"a,甲,a,nosuch,,,,,yearly,,,,,,,,,,,,\n", "program", "unknown program"},
        {"a,甲,a,elderly,,,65q,,yearly,,,,,,,,,,,,\n", "age_min", "not a period"},
        {"a,甲,a,elderly,,,65y,60y,yearly,,,,,,,,,,,,\n", "age_max", "below age_min"},
        {"a,甲,a,elderly,unknown,,,,yearly,,,,,,,,,,,,\n", "sex", "not male"},
        {"a,甲,a,elderly,,smoker,,,yearly,,,,,,,,,,,,\n", "tag", "unknown key-population"},
        {"a,甲,a,elderly,,,,,weekly,,,,,,,,,,,,\n", "schedule", "not window"},
        {"a,甲,a,child,,,,,window,,0d,8d,,,,,,,,,\n", "anchor", "not birth"},
        {"a,甲,a,child,,,,,window,birth,8d,8d,,,,,,,,,\n", "before", "end after"},
        {"a,甲,a,maternal,female,,,,window,pregnancy,0w,13w,,,,,,,,,\n", "tag", "pregnant"},
        {"a,甲,a,hypertension,,,,,per_year,,2m,,,,,,,,,,\n", "times", "number of services"},
        {"a,甲,a,hypertension,,,,,per_year,,4m,,,4,,,,,,,\n", "start", "after the due day"},
        {"a,甲,a,screening,,,,,interval,,1m,,,,,,,,,,\n", "every", "not a period"},
        {"a,甲,a,elderly,,,,,yearly,,1m,,,,,,,,,,\n", "start", "leave it empty"},
        {"a,甲,a,elderly,,,,,yearly,,,,,,,,sbp nosuch,,,,\n", "requires", "unknown measurement"},
        {"a,甲,a,elderly,,,,,yearly,,,,,,,,bmi,,,,\n", "requires", "derived"},
        {"a,甲,a,elderly,,,,,yearly,,,,,,,,sbp,sbp,,,\n", "allows", "twice"},
        {"a,甲,a,elderly,,,,,yearly,,,,,,,,,,-1,,\n", "points", "not a number"},
        {"a,甲,a,elderly,,,,,yearly,,,,,,,,,,,MMR,1\n", "vaccine", "immunization item"},
        {"a,甲,a,immunization,,,,,window,birth,8m,12m,,,8m,,lot,,1,MMR,0\n", "dose", "dose"},
        {",甲,a,elderly,,,,,yearly,,,,,,,,,,,,\n", "code", "not a code"},
        {"a,,a,elderly,,,,,yearly,,,,,,,,,,,,\n", "name_zh", "empty"},
    };
    struct yl_err err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char expect[96];
        CHECK_INT(load_bad_item(cases[i].row, &err), YL_EINVAL);
        snprintf(expect, sizeof(expect), "local-items.csv:3: %s: ", cases[i].column);
        CHECK_CONTAINS(err.message, expect);
        CHECK_CONTAINS(err.message, cases[i].says);
        CHECK_STR(err.field, cases[i].column);
    }
}

TEST(load_refuses_malformed_records_files_and_measurements)
{
    struct yl_err err;
    char text[1024];
    const char *paths[1];
    struct svc_protocol *p = (struct svc_protocol *)1;

    /* An unclosed quote: the CSV reader's own refusal, with our file name and line. */
    snprintf(text, sizeof(text), "%s%s\"a,甲,a,elderly\n", ITEM_HEADER, ITEM_OK);
    CHECK_INT(load_with(scratch(0, "quote.csv", text), &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "quote.csv:3: ");

    /* A header that names no kind. */
    CHECK_INT(load_with(scratch(0, "other.csv", "a,b\n1,2\n"), &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "other.csv:1: the header names no");

    /* An item file without a column it cannot do without. */
    CHECK_INT(load_with(scratch(0, "cols.csv", "code,program,schedule\na,elderly,yearly\n"),
                        &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "cols.csv:1: name_zh: the header has no column");
    CHECK_STR(err.field, "name_zh");

    /* A missing file. */
    paths[0] = "data/no-such-file.csv";
    yl_err_clear(&err);
    CHECK_INT(svc_protocol_load(paths, 1, &p, &err), YL_EIO);
    CHECK(p == NULL);
    CHECK_CONTAINS(err.message, "data/no-such-file.csv: cannot open");

    /* Measurements: a bad kind, a bad range, a dangling `above`. */
    snprintf(text, sizeof(text), "%sx1,甲,a,cm,number,1,2,,\nx2,乙,b,cm,float,1,2,,\n",
             MEASURE_HEADER);
    CHECK_INT(load_with(scratch(0, "m.csv", text), &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "m.csv:3: kind: ");
    CHECK_STR(err.field, "kind");
    snprintf(text, sizeof(text), "%sx1,甲,a,cm,number,1,2,,\nx2,乙,b,cm,number,5,2,,\n",
             MEASURE_HEADER);
    CHECK_INT(load_with(scratch(0, "m.csv", text), &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "m.csv:3: max: must be above min");
    snprintf(text, sizeof(text), "%sx1,甲,a,cm,number,1,2,,\nx2,乙,b,cm,number,1,2,nope,\n",
             MEASURE_HEADER);
    CHECK_INT(load_with(scratch(0, "m.csv", text), &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "m.csv:3: above: \"nope\"");
    snprintf(text, sizeof(text), "%sx1,甲,a,cm,number,abc,2,,\n", MEASURE_HEADER);
    CHECK_INT(load_with(scratch(0, "m.csv", text), &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "m.csv:2: min: \"abc\" is not a number");

    /* Measurements alone are not a protocol. */
    paths[0] = shipped[0];
    yl_err_clear(&err);
    CHECK_INT(svc_protocol_load(paths, 1, &p, &err), YL_EINVAL);
    CHECK_CONTAINS(err.message, "no items");
}

TEST(load_refuses_malformed_rules)
{
    static const struct {
        const char *row, *column, *says;
    } cases[] = {
        {"r,nosuch,sbp>=1,dangerous,1,refer,\n", "item", "unknown item"},
        {"r,htn_followup,sbp>>1,dangerous,1,refer,\n", "condition", "expected a number"},
        {"r,htn_followup,sbp=>1,dangerous,1,refer,\n", "condition", "expected a number"},
        {"r,htn_followup,sbp>=1 xor dbp>1,dangerous,1,refer,\n", "condition", "\"and\" or"},
        {"r,htn_followup,sbp>=1 or,dangerous,1,refer,\n", "condition", "expected"},
        {"r,htn_followup,fbg>=7,dangerous,1,refer,\n", "condition", "does not record"},
        {"r,htn_followup,sbp>=1,bad,1,refer,\n", "outcome", "not controlled"},
        {"r,htn_followup,sbp>=1,dangerous,5,refer,\n", "consecutive", "count from 1"},
        {"r,htn_followup,sbp>=1,dangerous,1,call,\n", "action", "not none"},
        {"r,htn_followup,sbp>=1,dangerous,1,due_within,\n", "within_days", "number of days"},
        {"r,htn_yearly,sbp>=1,dangerous,1,due_within,14\n", "action", "interval or per_year"},
        {"r,htn_followup,sbp>=1,dangerous,1,refer,14\n", "within_days", "only for"},
        {"r,htn_followup,,dangerous,1,none,\n", "condition", "does nothing"},
    };
    struct yl_err err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char expect[96];
        CHECK_INT(load_bad_rule(cases[i].row, &err), YL_EINVAL);
        snprintf(expect, sizeof(expect), "local-rules.csv:3: %s: ", cases[i].column);
        CHECK_CONTAINS(err.message, expect);
        CHECK_CONTAINS(err.message, cases[i].says);
        CHECK_STR(err.field, cases[i].column);
    }
}

TEST(local_files_add_and_replace_items)
{
    struct svc_protocol *shipped_p = load_shipped(), *p = NULL;
    const char *paths[5];
    struct yl_err err;
    char text[1024];
    int cervical, local;
    const struct svc_item *it;

    CHECK(shipped_p != NULL);
    /* One local file adds an item, another replaces the shipped cervical screening
     * interval (every 5 years, as a region using HPV tests may choose). Order of kinds
     * does not matter: the rule file comes before the items it names. */
    snprintf(text, sizeof(text), "%sflu_elderly,老年人流感疫苗,elderly flu vaccination,tcm,,,"
             "65y,,yearly,,,,,,,,,guidance,1.5,,\n", ITEM_HEADER);
    paths[0] = scratch(0, "add.csv", text);
    snprintf(text, sizeof(text), "%scervical_screen,宫颈癌筛查,cervical cancer screening,"
             "screening,female,,35y,64y,interval,,57m,,5y,,,,screen_abnormal,hpv_positive,4,,\n",
             ITEM_HEADER);
    paths[1] = scratch(1, "replace.csv", text);
    snprintf(text, sizeof(text), "%sflu_note,flu_elderly,,dangerous,1,refer,\n", RULE_HEADER);
    paths[2] = scratch(2, "rules-first.csv", text);
    paths[3] = shipped[0];
    paths[4] = shipped[1];
    /* Shipped rules are not listed: a region may also drop them. */
    {
        const char *order[6] = {paths[2], paths[3], paths[4], shipped[2], paths[0], paths[1]};
        yl_err_clear(&err);
        CHECK_INT(svc_protocol_load(order, 6, &p, &err), 0);
    }
    CHECK_INT(svc_item_count(p), svc_item_count(shipped_p) + 1);
    cervical = svc_item_find(p, "cervical_screen");
    CHECK_INT(cervical, svc_item_find(shipped_p, "cervical_screen"));
    it = svc_item_at(p, cervical);
    CHECK_INT(it->every.n, 5);
    CHECK_INT(it->every.unit, SVC_UNIT_YEAR);
    CHECK(it->points == 4.0);
    local = svc_item_find(p, "flu_elderly");
    CHECK_INT(local, (int)svc_item_count(shipped_p));
    CHECK(svc_item_at(p, local)->points == 1.5);
    CHECK_INT(svc_item_at(p, local)->n_rules, 1);
    CHECK_INT(svc_rule_count(p), svc_rule_count(shipped_p) + 1);
    svc_protocol_free(p);
    svc_protocol_free(NULL);
}

/* ------------------------------------------------------------------ eligibility */

TEST(elderly_eligible_from_the_65th_birthday)
{
    struct svc_facts f = person(1, ymd(1960, 3, 15));
    const struct svc_plan_entry *e;
    int item = item_of("elderly_checkup");

    CHECK(plan_for(&f, NULL, 0, ymd(2025, 3, 14), 0, "elderly_checkup") == NULL);
    CHECK(!svc_item_eligible(load_shipped(), item, &f, ymd(2025, 3, 14)));
    CHECK(svc_item_eligible(load_shipped(), item, &f, ymd(2025, 3, 15)));
    e = plan_for(&f, NULL, 0, ymd(2025, 3, 15), 0, "elderly_checkup");
    CHECK(e != NULL);
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->open, ymd(2025, 3, 15));
    CHECK_DAY(e->due_by, ymd(2025, 12, 31));
    CHECK_DAY(e->last_done, SVC_DAY_NONE);

    /* Within a 30-day horizon, the day before: upcoming, opening on the birthday. */
    e = plan_for(&f, NULL, 0, ymd(2025, 2, 20), 30, "elderly_checkup");
    CHECK(e != NULL);
    CHECK_STATE(e, SVC_STATE_UPCOMING);
    CHECK_DAY(e->open, ymd(2025, 3, 15));
    CHECK(plan_for(&f, NULL, 0, ymd(2025, 2, 10), 30, "elderly_checkup") == NULL);

    /* Out of the population (death) on the day: nothing. */
    f.end_day = ymd(2025, 6, 1);
    CHECK(plan_for(&f, NULL, 0, ymd(2025, 5, 31), 0, "elderly_checkup") != NULL);
    CHECK(plan_for(&f, NULL, 0, ymd(2025, 6, 1), 0, "elderly_checkup") == NULL);
    CHECK(!svc_item_eligible(load_shipped(), item, &f, ymd(2025, 6, 1)));
}

TEST(eligibility_by_sex_and_age_range)
{
    struct svc_facts man = person(1, ymd(1985, 7, 1));
    struct svc_facts woman = person(2, ymd(1985, 7, 1));
    int item = item_of("cervical_screen");
    struct svc_protocol *p = load_shipped();

    CHECK(!svc_item_eligible(p, item, &man, ymd(2024, 1, 1)));
    CHECK(svc_item_eligible(p, item, &woman, ymd(2024, 1, 1)));
    CHECK(plan_for(&man, NULL, 0, ymd(2024, 1, 1), 0, "cervical_screen") == NULL);
    CHECK(plan_for(&woman, NULL, 0, ymd(2024, 1, 1), 0, "cervical_screen") != NULL);
    /* 35 on 1985-07-01 + 35y; 64 completed until the day before the 65th birthday. */
    CHECK(!svc_item_eligible(p, item, &woman, ymd(2020, 6, 30)));
    CHECK(svc_item_eligible(p, item, &woman, ymd(2020, 7, 1)));
    CHECK(svc_item_eligible(p, item, &woman, ymd(2050, 6, 30)));
    CHECK(!svc_item_eligible(p, item, &woman, ymd(2050, 7, 1)));
}

/* A periodic item never done is due within one period of the later of eligibility and
 * the record's opening: the record knows no earlier service. */
TEST(never_screened_is_due_from_the_record_not_from_age_35)
{
    struct svc_facts woman = person(2, ymd(1970, 3, 1));
    const struct svc_plan_entry *e = plan_for(&woman, NULL, 0, ymd(2024, 6, 1), 0,
                                              "cervical_screen");
    CHECK(e != NULL);
    /* Without a record day: eligible from 2005-03-01, due within 3 years: overdue since. */
    CHECK_INT(e->state, SVC_STATE_OVERDUE);
    CHECK_INT(e->overdue_since, ymd(2008, 3, 2));
    woman.record_day = ymd(2023, 1, 10);
    e = plan_for(&woman, NULL, 0, ymd(2024, 6, 1), 0, "cervical_screen");
    CHECK(e != NULL);
    CHECK_INT(e->state, SVC_STATE_DUE);
    CHECK_INT(e->open, ymd(2023, 1, 10));
    CHECK_INT(e->due_by, ymd(2026, 1, 10));
    /* The day after: overdue since it. */
    e = plan_for(&woman, NULL, 0, ymd(2026, 1, 11), 0, "cervical_screen");
    CHECK_INT(e->state, SVC_STATE_OVERDUE);
    CHECK_INT(e->overdue_since, ymd(2026, 1, 11));
}

TEST(hypertension_tag_that_ended_is_not_eligible_after_its_end)
{
    struct svc_tag_span tags[1] = {span(TAG_HYPERTENSION, ymd(2020, 1, 1), ymd(2024, 6, 30))};
    struct svc_facts f = person(1, ymd(1950, 1, 1));
    int item = item_of("htn_followup");

    f.tags = tags;
    f.n_tags = 1;
    CHECK(!svc_item_eligible(load_shipped(), item, &f, ymd(2019, 12, 31)));
    CHECK(svc_item_eligible(load_shipped(), item, &f, ymd(2020, 1, 1)));
    CHECK(svc_item_eligible(load_shipped(), item, &f, ymd(2024, 6, 30)));
    CHECK(!svc_item_eligible(load_shipped(), item, &f, ymd(2024, 7, 1)));
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 6, 30), 0, "htn_followup") != NULL);
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 7, 1), 0, "htn_followup") == NULL);
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 7, 1), 0, "htn_yearly") == NULL);
    /* Not hypertensive at all: no hypertension item. */
    f.n_tags = 0;
    CHECK(plan_for(&f, NULL, 0, ymd(2022, 1, 1), 0, "htn_followup") == NULL);
}

/* ------------------------------------------------------------------ schedules */

TEST(yearly_done_last_year_is_due_this_year)
{
    struct svc_facts f = person(2, ymd(1950, 5, 5));
    struct svc_done h[2] = {done("elderly_checkup", ymd(2024, 6, 1), 0),
                            done("elderly_checkup", ymd(2025, 1, 10), 0)};
    const struct svc_plan_entry *e;

    e = plan_for(&f, h, 1, ymd(2025, 2, 1), 0, "elderly_checkup");
    CHECK(e != NULL);
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->open, ymd(2025, 1, 1));
    CHECK_DAY(e->due_by, ymd(2025, 12, 31));
    CHECK_DAY(e->last_done, ymd(2024, 6, 1));
    CHECK_INT(e->done_this_year, 0);

    e = plan_for(&f, h, 2, ymd(2025, 2, 1), 0, "elderly_checkup");
    CHECK_STATE(e, SVC_STATE_DONE);
    CHECK_DAY(e->open, ymd(2026, 1, 1));
    CHECK_DAY(e->due_by, ymd(2026, 12, 31));
    CHECK_DAY(e->last_done, ymd(2025, 1, 10));
    CHECK_INT(e->done_this_year, 1);

    /* An event after today is not history yet. */
    e = plan_for(&f, h, 2, ymd(2025, 1, 9), 0, "elderly_checkup");
    CHECK_STATE(e, SVC_STATE_DUE);
}

TEST(child_check_window_edges)
{
    /* Born 31 January: 3 months old on 1 May (30 April has no 31st: as ages count). */
    int32_t birth = ymd(2024, 1, 31);
    struct svc_facts f = person(1, birth);
    const struct svc_plan_entry *e;

    CHECK_INT(date_age_months(birth, ymd(2024, 4, 30)), 2);
    CHECK_INT(date_age_months(birth, ymd(2024, 5, 1)), 3);
    CHECK_INT(date_age_months(birth, ymd(2024, 5, 31)), 4);

    e = plan_for(&f, NULL, 0, ymd(2024, 4, 30), 0, "child_3m");
    CHECK(e != NULL);
    CHECK_STATE(e, SVC_STATE_LATER);
    e = plan_for(&f, NULL, 0, ymd(2024, 4, 30), 1, "child_3m");
    CHECK_STATE(e, SVC_STATE_UPCOMING);
    CHECK_DAY(e->open, ymd(2024, 5, 1));

    e = plan_for(&f, NULL, 0, ymd(2024, 5, 1), 0, "child_3m");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->open, ymd(2024, 5, 1));
    CHECK_DAY(e->due_by, ymd(2024, 5, 30));
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 30), 0, "child_3m");
    CHECK_STATE(e, SVC_STATE_DUE);
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 31), 0, "child_3m");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 5, 31));

    /* keep = 2 months: gone from the plan two months after the window closed. */
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 7, 30), 0, "child_3m") != NULL);
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 7, 31), 0, "child_3m") == NULL);

    /* Done inside the window, or late: done. */
    {
        struct svc_done h[1] = {done("child_3m", ymd(2024, 6, 10), 0)};
        e = plan_for(&f, h, 1, ymd(2024, 6, 20), 0, "child_3m");
        CHECK_STATE(e, SVC_STATE_DONE);
        CHECK_DAY(e->last_done, ymd(2024, 6, 10));
        CHECK_DAY(e->open, SVC_DAY_NONE);
    }
}

TEST(newborn_visit_within_seven_days)
{
    struct svc_facts f = person(2, ymd(2024, 3, 1));
    const struct svc_plan_entry *e;

    e = plan_for(&f, NULL, 0, ymd(2024, 3, 1), 0, "newborn_visit");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->due_by, ymd(2024, 3, 8));
    e = plan_for(&f, NULL, 0, ymd(2024, 3, 9), 0, "newborn_visit");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 3, 9));
}

TEST(vaccine_dose_one_day_too_early_does_not_count)
{
    /* MMR dose 1 from 8 months: born 2024-01-10, 8 months old on 2024-09-10. */
    struct svc_facts f = person(1, ymd(2024, 1, 10));
    struct svc_done early[1] = {done("mmr_1", ymd(2024, 9, 9), 0)};
    struct svc_done ontime[1] = {done("mmr_1", ymd(2024, 9, 10), 0)};
    const struct svc_plan_entry *e;

    e = plan_for(&f, early, 1, ymd(2024, 9, 20), 0, "mmr_1");
    CHECK(e != NULL);
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->last_done, SVC_DAY_NONE);
    CHECK_DAY(e->open, ymd(2024, 9, 10));
    CHECK_DAY(e->due_by, ymd(2025, 1, 9));      /* before 12 months */
    e = plan_for(&f, ontime, 1, ymd(2024, 9, 20), 0, "mmr_1");
    CHECK_STATE(e, SVC_STATE_DONE);
    CHECK_DAY(e->last_done, ymd(2024, 9, 10));
    /* Not given by the end of the window: overdue from 12 months on. */
    e = plan_for(&f, early, 1, ymd(2025, 1, 10), 0, "mmr_1");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2025, 1, 10));
    /* HepB dose 1 is due on the birth day and the next. */
    e = plan_for(&f, NULL, 0, ymd(2024, 1, 11), 0, "hepb_1");
    CHECK_STATE(e, SVC_STATE_DUE);
    e = plan_for(&f, NULL, 0, ymd(2024, 1, 12), 0, "hepb_1");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
}

TEST(quarterly_follow_up_due_three_months_after_the_last)
{
    struct svc_tag_span tags[1] = {span(TAG_HYPERTENSION, ymd(2023, 1, 1), SVC_OPEN)};
    struct svc_facts f = person(1, ymd(1955, 8, 8));
    uint8_t ok = outcome2("htn_followup", "sbp", 130, "dbp", 80);
    struct svc_done h[1] = {done("htn_followup", ymd(2024, 1, 10), ok)};
    const struct svc_plan_entry *e;

    f.tags = tags;
    f.n_tags = 1;
    CHECK_INT(ok, SVC_OUT_CONTROLLED);
    e = plan_for(&f, h, 1, ymd(2024, 2, 1), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_DONE);
    CHECK_DAY(e->open, ymd(2024, 3, 10));
    CHECK_DAY(e->due_by, ymd(2024, 4, 10));
    CHECK_INT(e->due_rule, -1);
    CHECK_INT(e->refer_rule, -1);
    e = plan_for(&f, h, 1, ymd(2024, 3, 9), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_DONE);
    e = plan_for(&f, h, 1, ymd(2024, 3, 9), 1, "htn_followup");
    CHECK_STATE(e, SVC_STATE_UPCOMING);
    e = plan_for(&f, h, 1, ymd(2024, 3, 10), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_DUE);
    e = plan_for(&f, h, 1, ymd(2024, 4, 10), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_DUE);
    e = plan_for(&f, h, 1, ymd(2024, 4, 11), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 4, 11));
    CHECK_INT(e->done_this_year, 1);

    /* Never followed up: due within one period of the tag's start. */
    e = plan_for(&f, NULL, 0, ymd(2023, 2, 1), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->due_by, ymd(2023, 4, 1));
}

TEST(uncontrolled_reading_brings_the_follow_up_forward)
{
    struct svc_tag_span tags[1] = {span(TAG_HYPERTENSION, ymd(2023, 1, 1), SVC_OPEN)};
    struct svc_facts f = person(2, ymd(1955, 8, 8));
    uint8_t high = outcome2("htn_followup", "sbp", 150, "dbp", 85);
    struct svc_done h[1] = {done("htn_followup", ymd(2024, 1, 10), high)};
    const struct svc_plan_entry *e;
    struct svc_protocol *p = load_shipped();

    f.tags = tags;
    f.n_tags = 1;
    CHECK_INT(high, SVC_OUT_UNCONTROLLED);
    e = plan_for(&f, h, 1, ymd(2024, 1, 11), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->open, ymd(2024, 1, 11));
    CHECK_DAY(e->due_by, ymd(2024, 1, 24));
    CHECK(e->due_rule >= 0);
    CHECK_STR(svc_rule_at(p, e->due_rule)->code, "htn_uncontrolled");
    CHECK_INT(e->flags & SVC_PLAN_REFER, 0);
    e = plan_for(&f, h, 1, ymd(2024, 1, 25), 0, "htn_followup");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 1, 25));

    /* Diabetes: fasting glucose 7.0 is not controlled; 6.9 is. */
    CHECK_INT(outcome2("dm_followup", "fbg", 7.0, NULL, 0), SVC_OUT_UNCONTROLLED);
    CHECK_INT(outcome2("dm_followup", "fbg", 6.9, NULL, 0), SVC_OUT_CONTROLLED);
    CHECK_INT(outcome2("htn_followup", "sbp", 139, "dbp", 89), SVC_OUT_CONTROLLED);
    CHECK_INT(outcome2("htn_followup", "sbp", 139, "dbp", 90), SVC_OUT_UNCONTROLLED);
    CHECK_INT(outcome2("htn_followup", "hr", 70, NULL, 0), 0);
}

TEST(two_uncontrolled_in_a_row_suggest_referral)
{
    struct svc_tag_span tags[1] = {span(TAG_DIABETES, ymd(2022, 1, 1), SVC_OPEN)};
    struct svc_facts f = person(1, ymd(1960, 1, 1));
    uint8_t high = outcome2("dm_followup", "fbg", 8.2, NULL, 0);
    uint8_t ok = outcome2("dm_followup", "fbg", 6.1, NULL, 0);
    struct svc_done twice[2] = {done("dm_followup", ymd(2024, 1, 10), high),
                                done("dm_followup", ymd(2024, 1, 22), high)};
    struct svc_done mended[3] = {twice[0], twice[1], done("dm_followup", ymd(2024, 2, 1), ok)};
    struct svc_done once[2] = {done("dm_followup", ymd(2024, 1, 10), ok),
                               done("dm_followup", ymd(2024, 1, 22), high)};
    const struct svc_plan_entry *e;
    struct svc_protocol *p = load_shipped();

    f.tags = tags;
    f.n_tags = 1;
    e = plan_for(&f, twice, 2, ymd(2024, 1, 23), 0, "dm_followup");
    CHECK(e->flags & SVC_PLAN_REFER);
    CHECK_STR(svc_rule_at(p, e->refer_rule)->code, "dm_uncontrolled_twice");
    CHECK_DAY(e->due_by, ymd(2024, 2, 5));
    e = plan_for(&f, once, 2, ymd(2024, 1, 23), 0, "dm_followup");
    CHECK_INT(e->flags & SVC_PLAN_REFER, 0);
    CHECK_INT(e->refer_rule, -1);
    e = plan_for(&f, mended, 3, ymd(2024, 2, 2), 0, "dm_followup");
    CHECK_INT(e->flags & SVC_PLAN_REFER, 0);
    CHECK_STATE(e, SVC_STATE_DONE);
    CHECK_DAY(e->due_by, ymd(2024, 5, 1));
}

TEST(dangerous_reading_suggests_referral_at_once)
{
    struct svc_tag_span tags[2] = {span(TAG_HYPERTENSION, ymd(2022, 1, 1), SVC_OPEN),
                                   span(TAG_DIABETES, ymd(2022, 1, 1), SVC_OPEN)};
    struct svc_facts f = person(1, ymd(1960, 1, 1));
    uint8_t bp = outcome2("htn_followup", "sbp", 185, "dbp", 100);
    uint8_t low = outcome2("dm_followup", "fbg", 3.9, NULL, 0);
    struct svc_done h[2] = {done("htn_followup", ymd(2024, 3, 1), bp),
                            done("dm_followup", ymd(2024, 3, 1), low)};
    const struct svc_plan_entry *e;
    struct svc_protocol *p = load_shipped();

    f.tags = tags;
    f.n_tags = 2;
    CHECK_INT(bp, SVC_OUT_DANGEROUS | SVC_OUT_UNCONTROLLED);
    CHECK(low & SVC_OUT_DANGEROUS);
    CHECK_INT(outcome2("dm_followup", "fbg", 16.7, NULL, 0),
              SVC_OUT_DANGEROUS | SVC_OUT_UNCONTROLLED);
    CHECK_INT(outcome2("htn_followup", "sbp", 170, "dbp", 110),
              SVC_OUT_DANGEROUS | SVC_OUT_UNCONTROLLED);
    e = plan_for(&f, h, 2, ymd(2024, 3, 2), 0, "htn_followup");
    CHECK(e->flags & SVC_PLAN_REFER);
    CHECK_STR(svc_rule_at(p, e->refer_rule)->code, "htn_dangerous");
    e = plan_for(&f, h, 2, ymd(2024, 3, 2), 0, "dm_followup");
    CHECK(e->flags & SVC_PLAN_REFER);
    CHECK_STR(svc_rule_at(p, e->refer_rule)->code, "dm_dangerous");
}

TEST(prenatal_windows_from_the_last_menstrual_period)
{
    /* Expected delivery 2024-10-07: LMP 280 days before, 2024-01-01. */
    struct svc_tag_span tags[1] = {span(TAG_PREGNANT, ymd(2024, 2, 15), SVC_OPEN)};
    struct svc_facts f = person(2, ymd(1995, 4, 4));
    const struct svc_plan_entry *e;

    tags[0].expected_delivery = ymd(2024, 10, 7);
    f.tags = tags;
    f.n_tags = 1;
    CHECK_INT(ymd(2024, 10, 7) - 280, ymd(2024, 1, 1));
    /* Before 13 weeks: the last day is 12 weeks 6 days, 2024-03-31. */
    e = plan_for(&f, NULL, 0, ymd(2024, 3, 31), 0, "prenatal_1");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->open, ymd(2024, 2, 15));       /* opens for her when registered */
    CHECK_DAY(e->due_by, ymd(2024, 3, 31));
    e = plan_for(&f, NULL, 0, ymd(2024, 4, 1), 0, "prenatal_1");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 4, 1));
    /* 16-20 weeks: 2024-04-22 to 2024-05-26. */
    e = plan_for(&f, NULL, 0, ymd(2024, 4, 21), 0, "prenatal_2");
    CHECK_STATE(e, SVC_STATE_LATER);
    e = plan_for(&f, NULL, 0, ymd(2024, 4, 22), 0, "prenatal_2");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->due_by, ymd(2024, 5, 26));
    /* A man is never pregnant; a woman without the tag has no prenatal items. */
    f.n_tags = 0;
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 4, 22), 0, "prenatal_2") == NULL);
}

TEST(postpartum_window_from_the_delivery_day)
{
    struct svc_facts f = person(2, ymd(1995, 4, 4));
    const struct svc_plan_entry *e;

    CHECK(plan_for(&f, NULL, 0, ymd(2024, 5, 14), 0, "postpartum_visit") == NULL);
    f.delivery_day = ymd(2024, 5, 10);
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 12), 0, "postpartum_visit");
    CHECK_STATE(e, SVC_STATE_LATER);
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 13), 0, "postpartum_visit");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->open, ymd(2024, 5, 13));
    CHECK_DAY(e->due_by, ymd(2024, 5, 17));
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 17), 0, "postpartum_visit");
    CHECK_STATE(e, SVC_STATE_DUE);
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 18), 0, "postpartum_visit");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 5, 18));
    e = plan_for(&f, NULL, 0, ymd(2024, 5, 18), 0, "postpartum_42d");
    CHECK_STATE(e, SVC_STATE_LATER);
    CHECK_DAY(e->open, ymd(2024, 6, 21));
    /* A visit from an earlier delivery does not count for this one. */
    {
        struct svc_done h[1] = {done("postpartum_visit", ymd(2022, 3, 3), 0)};
        e = plan_for(&f, h, 1, ymd(2024, 5, 14), 0, "postpartum_visit");
        CHECK_STATE(e, SVC_STATE_DUE);
    }
}

TEST(tuberculosis_first_visit_within_three_days_of_notification)
{
    struct svc_tag_span tags[1] = {span(TAG_TUBERCULOSIS, ymd(2024, 3, 1), SVC_OPEN)};
    struct svc_facts f = person(1, ymd(1980, 2, 2));
    struct svc_done h[1] = {done("tb_first_visit", ymd(2024, 3, 2), 0)};
    const struct svc_plan_entry *e;

    f.tags = tags;
    f.n_tags = 1;
    CHECK(plan_for(&f, NULL, 0, ymd(2024, 2, 29), 0, "tb_first_visit") == NULL);
    e = plan_for(&f, NULL, 0, ymd(2024, 3, 1), 0, "tb_first_visit");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->due_by, ymd(2024, 3, 4));
    e = plan_for(&f, NULL, 0, ymd(2024, 3, 4), 0, "tb_first_visit");
    CHECK_STATE(e, SVC_STATE_DUE);
    e = plan_for(&f, NULL, 0, ymd(2024, 3, 5), 0, "tb_first_visit");
    CHECK_STATE(e, SVC_STATE_OVERDUE);
    CHECK_DAY(e->overdue_since, ymd(2024, 3, 5));
    e = plan_for(&f, h, 1, ymd(2024, 3, 5), 0, "tb_first_visit");
    CHECK_STATE(e, SVC_STATE_DONE);
    /* Then monthly during treatment. */
    e = plan_for(&f, NULL, 0, ymd(2024, 3, 5), 0, "tb_followup");
    CHECK_STATE(e, SVC_STATE_DUE);
    CHECK_DAY(e->due_by, ymd(2024, 4, 1));
}

/* ------------------------------------------------------------------ measurements */

TEST(measurement_ranges_name_the_field)
{
    static const struct {
        const char *item, *code;
        double value;
        const char *says;
    } cases[] = {
        {"htn_followup", "sbp", 59, "outside 60–300 mmHg"},
        {"htn_followup", "sbp", 301, "outside 60–300 mmHg"},
        {"htn_followup", "sbp", 120.5, "whole number"},
        {"htn_followup", "dbp", 29, "outside 30–200 mmHg"},
        {"htn_followup", "dbp", 201, "outside 30–200 mmHg"},
        {"dm_followup", "fbg", 0.9, "outside 1–35 mmol/L"},
        {"dm_followup", "fbg", 35.1, "outside 1–35 mmol/L"},
        {"dm_followup", "hba1c", 25, "outside 3–20 %"},
        {"htn_followup", "height", 20, "outside 30–250 cm"},
        {"htn_followup", "weight", 400, "outside 0.5–300 kg"},
        {"htn_followup", "hr", 300, "outside 20–250 bpm"},
        {"htn_followup", "waist", 10, "outside 30–200 cm"},
        {"htn_followup", "guidance", 2, "0 (no) or 1 (yes)"},
        {"htn_followup", "fbg", 5.5, "does not record"},
        {"htn_followup", "nosuch", 1, "unknown measurement"},
        {"htn_followup", "bmi", 22, "derived"},
    };
    struct svc_measure_value out[8];
    size_t n_out = 99;
    struct yl_err err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct svc_measure_value v[3];
        size_t n = base_values(cases[i].item, v);
        set_value(v, &n, cases[i].code, cases[i].value);
        CHECK_INT(check_values(cases[i].item, v, n, out, &n_out, &err), YL_EINVAL);
        CHECK_STR(err.field, cases[i].code);
        CHECK_CONTAINS(err.message, cases[i].says);
        CHECK_INT(n_out, 0);
    }
}

TEST(sbp_must_be_above_dbp_and_required_ones_present)
{
    struct svc_measure_value out[8];
    size_t n_out;
    struct yl_err err;
    struct svc_measure_value equal[2] = {{"sbp", 0, 90, NULL}, {"dbp", 0, 90, NULL}};
    struct svc_measure_value only_sbp[1] = {{"sbp", 0, 130, NULL}};
    struct svc_measure_value twice[3] = {{"sbp", 0, 130, NULL}, {"dbp", 0, 80, NULL},
                                         {"sbp", 0, 131, NULL}};
    struct svc_measure_value no_lot[1] = {{"guidance", 0, 1, NULL}};
    struct svc_measure_value lot[1] = {{"lot", 0, 0, "202403A17"}};
    struct svc_measure_value empty_lot[1] = {{"lot", 0, 0, ""}};
    struct svc_measure_value dm_no_fbg[2] = {{"sbp", 0, 130, NULL}, {"dbp", 0, 80, NULL}};

    CHECK_INT(check_values("htn_followup", equal, 2, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "sbp");
    CHECK_CONTAINS(err.message, "must be above dbp");
    CHECK_INT(check_values("htn_followup", only_sbp, 1, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "dbp");
    CHECK_CONTAINS(err.message, "requires dbp");
    CHECK_INT(check_values("htn_followup", twice, 3, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "sbp");
    CHECK_CONTAINS(err.message, "twice");
    CHECK_INT(check_values("dm_followup", dm_no_fbg, 2, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "fbg");
    /* A vaccine dose needs its lot number. */
    CHECK_INT(check_values("mmr_1", no_lot, 1, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "guidance");
    CHECK_INT(check_values("mmr_1", NULL, 0, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "lot");
    CHECK_CONTAINS(err.message, "vaccine dose needs its vaccine lot number");
    CHECK_INT(check_values("mmr_1", empty_lot, 1, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "lot");
    CHECK_INT(check_values("mmr_1", lot, 1, out, &n_out, &err), 0);
    CHECK_INT(n_out, 1);
    CHECK_STR(out[0].text, "202403A17");
    CHECK_STR(out[0].code, "lot");
}

TEST(bmi_is_derived_from_height_and_weight)
{
    struct svc_measure_value in[4] = {{"sbp", 0, 128, NULL}, {"dbp", 0, 82, NULL},
                                      {"height", 0, 170, NULL}, {"weight", 0, 65, NULL}};
    struct svc_measure_value out[8];
    size_t n_out;
    struct yl_err err;
    struct svc_protocol *p = load_shipped();

    CHECK_INT(check_values("htn_followup", in, 4, out, &n_out, &err), 0);
    CHECK_INT(n_out, 5);
    CHECK_STR(out[4].code, "bmi");
    CHECK_INT(out[4].measure, svc_measure_find(p, "bmi"));
    CHECK(out[4].num == 22.5);              /* 65 / 1.7² = 22.49 */
    CHECK_INT(out[2].measure, svc_measure_find(p, "height"));
    CHECK_INT(svc_event_outcome(p, item_of("htn_followup"), out, n_out), SVC_OUT_CONTROLLED);
    /* Without weight there is nothing to derive. */
    CHECK_INT(check_values("htn_followup", in, 3, out, &n_out, &err), 0);
    CHECK_INT(n_out, 3);
    /* An impossible pair is refused on the derived value. */
    in[2].num = 30;
    in[3].num = 200;
    CHECK_INT(check_values("htn_followup", in, 4, out, &n_out, &err), YL_EINVAL);
    CHECK_STR(err.field, "bmi");
    CHECK_INT(n_out, 0);
}

/* ------------------------------------------------------------------ points and speed */

TEST(points_sum_over_events)
{
    struct svc_done h[4] = {done("elderly_checkup", ymd(2024, 3, 1), 0),
                            done("htn_followup", ymd(2024, 3, 1), 0),
                            done("mmr_1", ymd(2024, 3, 2), 0),
                            {ymd(2024, 3, 3), 65535, 0, 0}};

    CHECK(svc_points_sum(load_shipped(), h, 4) == 5.0 + 2.0 + 1.0);
    CHECK(svc_points_sum(load_shipped(), h, 0) == 0.0);
}

TEST(plan_of_a_team_of_3000_residents)
{
    enum { RESIDENTS = 3000, EVENTS = 12 };
    static struct svc_done history[RESIDENTS][EVENTS];
    static struct svc_tag_span tags[RESIDENTS][2];
    static struct svc_facts facts[RESIDENTS];
    static struct svc_plan_entry out[SVC_ITEMS_MAX];
    struct svc_protocol *p = load_shipped();
    int32_t today = ymd(2025, 6, 15);
    int hf = item_of("htn_followup"), ec = item_of("elderly_checkup"), ch = item_of("child_6m");
    struct timespec t0, t1;
    size_t entries = 0, due = 0;
    unsigned seed = 12345;
    double ms;

    /* A village's mix: a tenth children, a quarter elderly, a fifth hypertensive. */
    for (int i = 0; i < RESIDENTS; i++) {
        int age_days;
        seed = seed * 1103515245u + 12345u;
        age_days = (int)(seed >> 8) % (90 * 365);
        if (i % 10 == 0)
            age_days = (int)(seed >> 8) % (6 * 365);
        facts[i] = person(1 + i % 2, today - age_days);
        tags[i][0] = span(TAG_HYPERTENSION, today - 800, SVC_OPEN);
        tags[i][1] = span(TAG_DIABETES, today - 400, SVC_OPEN);
        facts[i].tags = tags[i];
        facts[i].n_tags = i % 5 == 0 ? 2 : 0;
        for (int k = 0; k < EVENTS; k++) {
            int item = k % 3 == 0 ? hf : k % 3 == 1 ? ec : ch;
            history[i][k] = (struct svc_done){today - 720 + 60 * k, (uint16_t)item,
                                              k % 4 == 0 ? SVC_OUT_UNCONTROLLED : 0, 0};
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < RESIDENTS; i++) {
        size_t n = svc_plan_build(p, &facts[i], history[i], EVENTS, today, 30, out,
                                  SVC_ITEMS_MAX);
        entries += n;
        for (size_t k = 0; k < n; k++)
            due += out[k].state == SVC_STATE_DUE || out[k].state == SVC_STATE_OVERDUE;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    /* A figure, not an assertion: the sanitizer build is several times slower than -O2. */
    printf("    %d care plans in %.2f ms, %zu entries, %zu due or overdue\n", RESIDENTS, ms,
           entries, due);
    CHECK(entries > RESIDENTS);
    CHECK(due > 0);
}

TEST_MAIN()
