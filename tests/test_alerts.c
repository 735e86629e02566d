/*
 * test_alerts.c - multi-point triggering and the alert workflow (issue 6) through the
 * library: each rule at its edges (a 7-day window holds day 0 and day 7, not day 8; two
 * signals of one channel are not two channels; adjacent and not adjacent townships), class
 * A red at once, merged candidates at the highest level, the rules file refused with its
 * line, signals recorded once, re-evaluation raising nothing new, extension and escalation,
 * every transition allowed and refused, the time to verify, the indicators, and webhook
 * delivery with a retry against a real receiver.
 */
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "importer/importer.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "support.h"
#include "test.h"

#define T1 "222404001"          /* township at the origin */
#define T2 "222404002"          /* about 11 km north of T1 */
#define T3 "222404003"          /* about 55 km north of T1 */
#define V1 "222404001001"       /* a village of T1 */

static const char *rules_text =
    "code,name_zh,name_en,level,condition,active\n"
    "class-a,甲类,Class A,red,class=A,yes\n"
    "school,学校,School cluster,orange,cluster place=school min_cases=5,yes\n"
    "three-channels,三渠道,Three channels,orange,channels>=3 same=township window=7,yes\n"
    "two-channels,两渠道,Two channels,yellow,channels>=2 same=township window=7,yes\n"
    "adjacent,相邻,Adjacent townships,yellow,adjacent>=2 same=channel window=7 within_km=15,"
    "yes\n"
    "single,单一,Single,blue,single,no\n";

static const struct surv_ou_point points[] = {
    {T1, 42.80, 130.30},
    {T2, 42.90, 130.30},
    {T3, 43.30, 130.30},
};

static const struct audit_actor actor = {0, "test", "admin", "test"};

static bool cholera_is_a(void *cls, const char *code)
{
    return strcmp(code, "cholera") == 0 || strcmp(code, "plague") == 0;
}

static struct surv_rules *rules(void)
{
    struct surv_rules *r = NULL;
    struct yl_err err = {0};
    if (surv_rules_parse(rules_text, "rules.csv", &r, &err) != 0)
        fprintf(stderr, "    rules: %s\n", yl_err_message(&err));
    return r;
}

static struct surv_signal sig(enum surv_source kind, const char *code, const char *ou,
                              int32_t day)
{
    struct surv_signal s = {0};
    s.kind = kind;
    s.code = code;
    s.ou = ou;
    s.day = day;
    s.method = "c2";
    s.count = 12;
    s.expected = 4;
    s.upper = 9;
    s.score = 3.1;
    return s;
}

static int32_t D0;   /* a fixed day: 2026-03-02 */

static size_t run(const struct surv_signal *s, size_t n, struct arena *a,
                  struct surv_candidate **out)
{
    struct surv_rules *r = rules();
    size_t m = 0;
    struct yl_err err = {0};
    if (r == NULL || surv_rules_apply(r, s, n, points, 3, cholera_is_a, NULL, a, out, &m,
                                      &err) != 0)
        m = (size_t)-1;
    surv_rules_free(r);
    return m;
}

/* ------------------------------------------------------------------ the rules file */

TEST(rules_parse_shipped_file)
{
    struct surv_rules *r = NULL;
    struct yl_err err = {0};
    CHECK_INT(surv_rules_load("data/alert-rules.csv", &r, &err), 0);
    CHECK(r != NULL && surv_rules_count(r) >= 6);
    CHECK_INT(surv_rules_max_window(r), 7);
    surv_rules_free(r);
}

TEST(rules_refused_with_line_and_column)
{
    static const struct {
        const char *row, *field, *msg;
    } bad[] = {
        {"x,a,b,purple,single,yes\n", "level", "rules.csv:2: level"},
        {"x,a,b,red,channels>=2 window=7,yes\n", "condition", "same=township"},
        {"x,a,b,red,channels>=1 same=township window=7,yes\n", "condition", "from 2"},
        {"x,a,b,red,adjacent>=2 same=channel window=7,yes\n", "condition", "within_km"},
        {"x,a,b,red,cluster place=church min_cases=3,yes\n", "condition", "church"},
        {"x,a,b,red,sometimes,yes\n", "condition", "not a condition"},
        {"x,a,b,red,single colour=red,yes\n", "condition", "colour"},
        {"x,a,b,red,single,maybe\n", "active", "maybe"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text), "code,name_zh,name_en,level,condition,active\n%s",
                 bad[i].row);
        struct surv_rules *r = NULL;
        struct yl_err err = {0};
        CHECK_INT(surv_rules_parse(text, "rules.csv", &r, &err), YL_EINVAL);
        CHECK_STR(err.field, bad[i].field);
        CHECK_CONTAINS(yl_err_message(&err), bad[i].msg);
        CHECK(r == NULL);
    }
    struct surv_rules *r = NULL;
    struct yl_err err = {0};
    CHECK_INT(surv_rules_parse("code,name_zh,name_en,level,condition\n"
                               "a,x,y,red,single\na,x,y,blue,single\n",
                               "rules.csv", &r, &err),
              YL_EINVAL);
    CHECK_CONTAINS(yl_err_message(&err), "rules.csv:3: code: code \"a\" repeats");
}

/* ------------------------------------------------------------------ the engine */

TEST(channels_window_day_0_and_7_in)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_DISEASE, "ili", V1, D0 + 7)};
    CHECK_INT(run(s, 2, &a, &c), 1);
    CHECK_STR(c[0].rule, "two-channels");
    CHECK_INT(c[0].level, SURV_YELLOW);
    CHECK_STR(c[0].ou, T1);
    CHECK_STR(c[0].code, "");
    CHECK_INT(c[0].n_signals, 2);
    CHECK_INT(c[0].first_day, D0);
    CHECK_INT(c[0].last_day, D0 + 7);
    arena_release(&a);
}

TEST(channels_window_day_8_out)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "diarrhea", T1, D0 + 8)};
    CHECK_INT(run(s, 2, &a, &c), 0);
    arena_release(&a);
}

TEST(channels_same_channel_twice_is_not_two)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", V1, D0 + 1),
                              sig(SURV_SRC_CHANNEL, "fever", T1, D0 + 2)};
    s[2].method = "cusum";
    CHECK_INT(run(s, 3, &a, &c), 0);
    arena_release(&a);
}

TEST(channels_other_township_does_not_count)
{
    struct arena a = {0};
    struct surv_candidate *c;
    /* Two channels, but in two townships far apart: neither rule fires. */
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "diarrhea", T3, D0 + 1)};
    CHECK_INT(run(s, 2, &a, &c), 0);
    arena_release(&a);
}

TEST(channels_chained_episode_fires_on_its_window)
{
    struct arena a = {0};
    struct surv_candidate *c;
    /* fever day 0 and 6, ili day 12: 0 and 12 are too far, 6 and 12 are not. */
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", T1, D0 + 6),
                              sig(SURV_SRC_CHANNEL, "ili", T1, D0 + 12)};
    CHECK_INT(run(s, 3, &a, &c), 1);
    CHECK_INT(c[0].n_signals, 3);
    arena_release(&a);
}

TEST(adjacent_townships_yes)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", T2, D0 + 7)};
    CHECK_INT(run(s, 2, &a, &c), 1);
    CHECK_STR(c[0].rule, "adjacent");
    CHECK_STR(c[0].ou, "222404");
    CHECK_STR(c[0].code, "fever");
    CHECK_INT(c[0].n_signals, 2);
    arena_release(&a);
}

TEST(adjacent_townships_no)
{
    struct arena a = {0};
    struct surv_candidate *c;
    /* 55 km apart; and T1-T2 with eight days between them. */
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", T3, D0 + 1),
                              sig(SURV_SRC_CHANNEL, "ili", T1, D0 + 20),
                              sig(SURV_SRC_CHANNEL, "ili", T2, D0 + 28)};
    CHECK_INT(run(s, 4, &a, &c), 0);
    arena_release(&a);
}

TEST(adjacent_unknown_centroid_is_adjacent_to_none)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", "222404009", D0)};
    CHECK_INT(run(s, 2, &a, &c), 0);
    arena_release(&a);
}

TEST(class_a_is_red_at_once)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_DISEASE, "cholera", V1, D0)};
    s[0].method = "threshold";
    CHECK_INT(run(s, 1, &a, &c), 1);
    CHECK_STR(c[0].rule, "class-a");
    CHECK_INT(c[0].level, SURV_RED);
    CHECK_STR(c[0].ou, V1);
    CHECK_STR(c[0].code, "cholera");
    /* Without the lookup no disease is class A, and one signal alone is only a signal. */
    struct surv_rules *r = rules();
    size_t m = 9;
    struct yl_err err = {0};
    CHECK_INT(surv_rules_apply(r, s, 1, points, 3, NULL, NULL, &a, &c, &m, &err), 0);
    CHECK_INT(m, 0);
    surv_rules_free(r);
    arena_release(&a);
}

TEST(rules_of_one_place_merge_at_the_highest_level)
{
    struct arena a = {0};
    struct surv_candidate *c;
    /* Three channels in one township: two-channels (yellow) and three-channels (orange)
     * both fire there; one orange alert holds the three signals. */
    struct surv_signal s[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "ili", T1, D0 + 1),
                              sig(SURV_SRC_CHANNEL, "diarrhea", V1, D0 + 2)};
    CHECK_INT(run(s, 3, &a, &c), 1);
    CHECK_STR(c[0].rule, "three-channels");
    CHECK_INT(c[0].level, SURV_ORANGE);
    CHECK_INT(c[0].n_signals, 3);
    arena_release(&a);
}

TEST(other_places_stay_apart)
{
    struct arena a = {0};
    struct surv_candidate *c;
    /* Cholera in a village and fever in its township: a red alert in the village, a yellow
     * one (two codes) in the township. */
    struct surv_signal s[] = {sig(SURV_SRC_DISEASE, "cholera", V1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", T1, D0 + 2)};
    CHECK_INT(run(s, 2, &a, &c), 2);
    CHECK_STR(c[0].rule, "class-a");
    CHECK_STR(c[0].ou, V1);
    CHECK_INT(c[0].n_signals, 1);
    CHECK_STR(c[1].rule, "two-channels");
    CHECK_STR(c[1].ou, T1);
    CHECK_INT(c[1].n_signals, 2);
    arena_release(&a);
}

TEST(cluster_min_cases_and_place_kind)
{
    struct arena a = {0};
    struct surv_candidate *c;
    struct surv_signal s[] = {sig(SURV_SRC_CLUSTER, "norovirus", V1, D0),
                              sig(SURV_SRC_CLUSTER, "norovirus", T2, D0),
                              sig(SURV_SRC_CLUSTER, "hfmd", T3, D0)};
    s[0].place_kind = "school", s[0].place = "No. 1 Primary School", s[0].count = 5;
    s[1].place_kind = "school", s[1].place = "Middle School", s[1].count = 4;
    s[2].place_kind = "village", s[2].place = "Dongcun", s[2].count = 30;
    CHECK_INT(run(s, 3, &a, &c), 1);
    CHECK_STR(c[0].rule, "school");
    CHECK_INT(c[0].level, SURV_ORANGE);
    CHECK_INT(c[0].signals[0], 0);
    arena_release(&a);
}

/* ------------------------------------------------------------------ the store */

/* A fresh migrated store; its file name (under ts_tmpdir) into name (64 bytes). */
static struct store *open_store(char *name)
{
    static int n;
    snprintf(name, 64, "alerts-%d.db", n++);
    struct store *s = NULL;
    struct yl_err err = {0};
    if (store_open(ts_path(name), NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0) {
        fprintf(stderr, "    store: %s\n", yl_err_message(&err));
        return NULL;
    }
    return s;
}

TEST(signals_recorded_once)
{
    char db[64];
    struct store *s = open_store(db);
    CHECK(s != NULL);
    struct surv_signal v[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", T1, D0)};
    v[1].method = "c3";
    bool fresh[2];
    struct yl_err err = {0};
    CHECK_INT(surv_signals_record(s, v, 2, fresh, &actor, 1000, &err), 0);
    CHECK(fresh[0] && fresh[1]);
    int64_t id0 = v[0].id;
    CHECK(id0 > 0 && v[1].id > id0);
    v[0].id = v[1].id = 0;
    CHECK_INT(surv_signals_record(s, v, 2, fresh, &actor, 2000, &err), 0);
    CHECK(!fresh[0] && !fresh[1]);
    CHECK_INT(v[0].id, id0);
    store_close(s);
}

TEST(signals_refused_name_the_index_and_field)
{
    char db[64];
    struct store *s = open_store(db);
    struct surv_signal v[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                              sig(SURV_SRC_CHANNEL, "fever", "99", D0)};
    struct yl_err err = {0};
    CHECK_INT(surv_signals_record(s, v, 2, NULL, &actor, 1000, &err), YL_EINVAL);
    CHECK_STR(err.field, "signals[1].ou");
    struct surv_signal w[] = {sig(SURV_SRC_CHANNEL, "fe ver", T1, D0)};
    yl_err_clear(&err);
    CHECK_INT(surv_signals_record(s, w, 1, NULL, &actor, 1000, &err), YL_EINVAL);
    CHECK_STR(err.field, "signals[0].code");
    struct surv_signal x[] = {sig(SURV_SRC_CLUSTER, "noro", T1, D0)};
    yl_err_clear(&err);
    CHECK_INT(surv_signals_record(s, x, 1, NULL, &actor, 1000, &err), YL_EINVAL);
    CHECK_STR(err.field, "signals[0].place_kind");
    /* Nothing of a refused batch was written. */
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_signal"), 0);
    store_close(s);
}

TEST(ingest_raises_once_then_extends_then_escalates)
{
    char db[64];
    struct store *s = open_store(db);
    struct surv_rules *r = rules();
    struct yl_err err = {0};
    struct surv_ingest_result res;
    struct surv_signal a1[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                               sig(SURV_SRC_CHANNEL, "ili", T1, D0 + 3)};
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, a1, 2, &actor, 5000, &res, &err),
              0);
    CHECK_INT(res.new_signals, 2);
    CHECK_INT(res.new_alerts, 1);
    CHECK_INT(res.extended, 0);
    /* The same detector output again: nothing new, nothing extended. */
    struct surv_signal a2[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                               sig(SURV_SRC_CHANNEL, "ili", T1, D0 + 3)};
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, a2, 2, &actor, 6000, &res, &err),
              0);
    CHECK_INT(res.new_signals, 0);
    CHECK_INT(res.new_alerts, 0);
    CHECK_INT(res.extended, 0);
    /* A third channel two days later: the same alert, now orange. */
    struct surv_signal a3[] = {sig(SURV_SRC_CHANNEL, "diarrhea", V1, D0 + 5)};
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, a3, 1, &actor, 7000, &res, &err),
              0);
    CHECK_INT(res.new_alerts, 0);
    CHECK_INT(res.extended, 1);
    /* A fever signal of another method the next day only extends it. */
    struct surv_signal a4[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0 + 6)};
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, a4, 1, &actor, 8000, &res, &err),
              0);
    CHECK_INT(res.new_alerts, 0);
    CHECK_INT(res.extended, 1);
    /* A cholera case in the village: red at once there, and a fourth code for the
     * township's alert. */
    struct surv_signal a5[] = {sig(SURV_SRC_DISEASE, "cholera", V1, D0 + 6)};
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, a5, 1, &actor, 8500, &res, &err),
              0);
    CHECK_INT(res.new_alerts, 1);
    CHECK_INT(res.extended, 1);
    struct arena a = {0};
    struct surv_alert x;
    CHECK_INT(surv_alert_get(s, NULL, 1, &a, &x, &err), 0);
    CHECK_INT(x.level, SURV_ORANGE);
    CHECK_STR(x.rule, "three-channels");
    CHECK_STR(x.ou, T1);
    CHECK_INT(x.n_signals, 5);
    CHECK_INT(x.first_day, D0);
    CHECK_INT(x.last_day, D0 + 6);
    CHECK_INT(x.n_history, 4);
    CHECK_STR(x.history[0].action, "raise");
    CHECK_STR(x.history[1].action, "escalate");
    CHECK_STR(x.history[2].action, "extend");
    CHECK_STR(x.history[3].action, "extend");
    CHECK_STR(x.raised_at, "1970-01-01T01:23:20Z");
    CHECK_INT(surv_alert_get(s, NULL, 2, &a, &x, &err), 0);
    CHECK_INT(x.level, SURV_RED);
    CHECK_STR(x.ou, V1);
    CHECK_STR(x.code, "cholera");
    /* A whole re-evaluation of the period: still two alerts, nothing extended. */
    CHECK_INT(surv_alerts_evaluate(s, r, cholera_is_a, NULL, D0 - 30, D0 + 30, &actor, 9000,
                                   &res, &err),
              0);
    CHECK_INT(res.new_alerts, 0);
    CHECK_INT(res.extended, 0);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_alert"), 2);
    arena_release(&a);
    surv_rules_free(r);
    store_close(s);
}

TEST(dismissed_stays_closed_new_evidence_raises_anew)
{
    char db[64];
    struct store *s = open_store(db);
    struct surv_rules *r = rules();
    struct yl_err err = {0};
    struct surv_ingest_result res;
    struct surv_signal a1[] = {sig(SURV_SRC_CHANNEL, "fever", T1, D0),
                               sig(SURV_SRC_CHANNEL, "ili", T1, D0 + 1)};
    CHECK_INT(surv_signals_ingest(s, r, NULL, NULL, a1, 2, &actor, 5000, &res, &err), 0);
    CHECK_INT(res.new_alerts, 1);
    struct surv_who sys = {NULL, &actor};
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_DISMISS,
                             &(struct surv_act_input){.reason = "holiday reporting"}, 6000,
                             &err),
              0);
    CHECK_INT(surv_alerts_evaluate(s, r, NULL, NULL, D0, D0 + 1, &actor, 7000, &res, &err), 0);
    CHECK_INT(res.new_alerts, 0);
    CHECK_INT(res.extended, 0);
    struct surv_signal a2[] = {sig(SURV_SRC_CHANNEL, "diarrhea", T1, D0 + 4)};
    CHECK_INT(surv_signals_ingest(s, r, NULL, NULL, a2, 1, &actor, 8000, &res, &err), 0);
    CHECK_INT(res.new_alerts, 1);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_alert WHERE state = 'open'"),
              1);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_alert WHERE state ="
                                        " 'dismissed'"),
              1);
    surv_rules_free(r);
    store_close(s);
}

static const char *signals_csv =
    "kind,code,ou,day,method,count,expected,upper,score,class_a\n"
    "channel,fever,222404001,2026-03-02,c2,12,4,9,3.1,\n"
    "channel,ili,222404001001,2026-03-05,c2,30,10,20,4,no\n"
    "disease,plague,222404002,2026-03-06,threshold,1,0,1,1,yes\n"
    "channel,fever,99,2026-03-06,c2,1,1,1,1,\n"
    "rash,fever,222404001,2026-03-06,c2,1,1,1,1,\n"
    "disease,plague,222404002,2026-03-07,threshold,1,0,1,1,maybe\n";

static int import_signals(struct store *s, struct surv_rules *r, struct imp_report *rep,
                          struct surv_ingest_result *res, char *errors, size_t n)
{
    FILE *in = fmemopen((void *)signals_csv, strlen(signals_csv), "r");
    FILE *out = fmemopen(errors, n, "w");
    memset(rep, 0, sizeof(*rep));
    rep->errors = out;
    struct surv_signal_import *x = surv_signal_import_new(r, 5000);
    struct yl_err err = {0};
    int rc = imp_run(s, in, surv_signal_import_spec(), x, &actor, rep, &err);
    if (rc == 0)
        rc = surv_signal_import_finish(s, x, &actor, 5000, res, &err);
    surv_signal_import_free(x);
    fclose(in);
    fclose(out);
    return rc;
}

TEST(signals_import_lines_refused_then_alerts_then_nothing_again)
{
    char db[64];
    struct store *s = open_store(db);
    struct surv_rules *r = rules();
    struct imp_report rep;
    struct surv_ingest_result res;
    char errors[2048] = "";
    CHECK_INT(import_signals(s, r, &rep, &res, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 3);
    CHECK_INT(rep.refused, 3);
    CHECK_CONTAINS(errors, "line 5: ou:");
    CHECK_CONTAINS(errors, "line 6: kind: kind \"rash\" is not disease, channel or cluster");
    CHECK_CONTAINS(errors, "line 7: class_a: class_a \"maybe\" is not yes or no");
    /* Fever and ILI in one township (yellow); plague marked class A in the file (red). */
    CHECK_INT(res.new_alerts, 2);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_alert WHERE level = 3"
                                        " AND code = 'plague' AND ou = '222404002'"),
              1);
    errors[0] = '\0';
    CHECK_INT(import_signals(s, r, &rep, &res, errors, sizeof(errors)), 0);
    CHECK_INT(rep.applied, 0);
    CHECK_INT(rep.unchanged, 3);
    CHECK_INT(res.new_alerts, 0);
    CHECK_INT(res.extended, 0);
    surv_rules_free(r);
    store_close(s);
}

/* ------------------------------------------------------------------ the workflow */

TEST(machine_table)
{
    CHECK_INT(surv_next_state(SURV_VERIFY, SURV_ALERT_OPEN), SURV_ALERT_VERIFYING);
    CHECK_INT(surv_next_state(SURV_CONFIRM, SURV_ALERT_VERIFYING), SURV_ALERT_CONFIRMED);
    CHECK_INT(surv_next_state(SURV_DISMISS, SURV_ALERT_OPEN), SURV_ALERT_DISMISSED);
    CHECK_INT(surv_next_state(SURV_DISMISS, SURV_ALERT_VERIFYING), SURV_ALERT_DISMISSED);
    CHECK_INT(surv_next_state(SURV_CONFIRM, SURV_ALERT_OPEN), -1);
    CHECK_INT(surv_next_state(SURV_VERIFY, SURV_ALERT_VERIFYING), -1);
    CHECK_INT(surv_next_state(SURV_VERIFY, SURV_ALERT_CONFIRMED), -1);
    CHECK_INT(surv_next_state(SURV_DISMISS, SURV_ALERT_CONFIRMED), -1);
    CHECK_INT(surv_next_state(SURV_DISMISS, SURV_ALERT_DISMISSED), -1);
    CHECK_INT(surv_next_state(SURV_ASSIGN, SURV_ALERT_CONFIRMED), -1);
    CHECK_INT(surv_next_state(SURV_ASSIGN, SURV_ALERT_OPEN), SURV_ALERT_OPEN);
    CHECK_INT(surv_next_state(SURV_NOTE, SURV_ALERT_DISMISSED), SURV_ALERT_DISMISSED);
}

/* A store with `n` alerts (each its own township, class A) raised at now_s. */
static struct store *store_with_alerts(int n, int64_t now_s, char *db_name)
{
    static int k;
    snprintf(db_name, 64, "alerts-%d.db", 100 + k);
    struct store *s = NULL;
    struct yl_err err = {0};
    if (store_open(ts_path(db_name), NULL, &s, &err) != 0 || store_migrate(s, NULL, &err) != 0)
        return NULL;
    k++;
    struct surv_rules *r = rules();
    static const char *const towns[] = {T1, T2, T3, "222404004"};
    for (int i = 0; i < n; i++) {
        struct surv_signal v = sig(SURV_SRC_DISEASE, "plague", towns[i % 4], D0 + i);
        surv_signals_ingest(s, r, cholera_is_a, NULL, &v, 1, &actor, now_s, NULL, &err);
    }
    surv_rules_free(r);
    return s;
}

TEST(transitions_allowed_and_refused)
{
    char db[64];
    struct store *s = store_with_alerts(2, 100000, db);
    CHECK(s != NULL);
    struct surv_who sys = {NULL, &actor};
    struct yl_err err = {0};
    struct surv_act_input in = {0};
    /* Confirm from open: refused, naming the state. */
    in.responders = "county CDC team";
    in.actions = "samples taken";
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_CONFIRM, &in, 100100, &err), YL_ECONFLICT);
    CHECK_STR(err.field, "state");
    CHECK_CONTAINS(yl_err_message(&err), "the alert is open");
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_VERIFY, NULL, 100200, &err), 0);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_VERIFY, NULL, 100300, &err), YL_ECONFLICT);
    CHECK_CONTAINS(yl_err_message(&err), "the alert is verifying");
    /* Confirm needs responders and actions. */
    struct surv_act_input half = {.responders = "team"};
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_CONFIRM, &half, 100400, &err), YL_EINVAL);
    CHECK_STR(err.field, "actions");
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_CONFIRM, &in, 103600, &err), 0);
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_DISMISS, &(struct surv_act_input){.reason = "x"},
                             103700, &err),
              YL_ECONFLICT);
    CHECK_CONTAINS(yl_err_message(&err), "the alert is confirmed");
    /* Dismiss without a reason is refused; with one it closes. */
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 2, SURV_DISMISS, NULL, 100500, &err), YL_EINVAL);
    CHECK_STR(err.field, "reason");
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 2, SURV_DISMISS,
                             &(struct surv_act_input){.reason = "laboratory error"}, 100500,
                             &err),
              0);
    /* Notes in any state; an empty one is refused. */
    CHECK_INT(surv_alert_act(s, &sys, 2, SURV_NOTE, &(struct surv_act_input){.text = "ok"},
                             100600, &err),
              0);
    CHECK_INT(surv_alert_act(s, &sys, 2, SURV_NOTE, &(struct surv_act_input){.text = ""},
                             100600, &err),
              YL_EINVAL);
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 99, SURV_VERIFY, NULL, 100600, &err), YL_ENOTFOUND);

    struct arena a = {0};
    struct surv_alert x;
    CHECK_INT(surv_alert_get(s, NULL, 1, &a, &x, &err), 0);
    CHECK_INT(x.state, SURV_ALERT_CONFIRMED);
    CHECK_INT(x.verify_s, 3600);
    CHECK_STR(x.responders, "county CDC team");
    CHECK_STR(x.verifying_at, "1970-01-02T03:50:00Z");
    CHECK_STR(x.history[x.n_history - 1].action, "confirm");
    CHECK_STR(x.history[x.n_history - 1].from_state, "verifying");
    CHECK_INT(surv_alert_get(s, NULL, 2, &a, &x, &err), 0);
    CHECK_INT(x.state, SURV_ALERT_DISMISSED);
    CHECK_INT(x.verify_s, 500);
    CHECK_STR(x.dismiss_reason, "laboratory error");
    CHECK_INT(x.n_notes, 1);
    CHECK_STR(x.notes[0].text, "ok");
    /* Every transition left an audit record. */
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM audit WHERE resource_type ="
                                        " 'alert' AND action IN ('verify', 'confirm',"
                                        " 'dismiss', 'note')"),
              4);
    arena_release(&a);
    store_close(s);
}

TEST(assign_only_to_an_epidemiologist_in_scope)
{
    char db[64];
    struct store *s = store_with_alerts(1, 100000, db);
    struct acct *ac = acct_new(s, NULL);
    struct yl_err err = {0};
    int64_t epi = 0, far = 0, analyst = 0;
    struct acct_user_input u1 = {"epi1", "password-123", NULL, "epidemiologist", "ou:222404"};
    struct acct_user_input u2 = {"epi2", "password-123", NULL, "epidemiologist", "ou:222405"};
    struct acct_user_input u3 = {"ana1", "password-123", NULL, "analyst", "region"};
    CHECK_INT(acct_user_create(ac, &u1, &actor, &epi, &err), 0);
    CHECK_INT(acct_user_create(ac, &u2, &actor, &far, &err), 0);
    CHECK_INT(acct_user_create(ac, &u3, &actor, &analyst, &err), 0);
    struct surv_who sys = {NULL, &actor};
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_ASSIGN, &(struct surv_act_input){.assignee = far},
                             100100, &err),
              YL_EINVAL);
    CHECK_STR(err.field, "assignee");
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_ASSIGN,
                             &(struct surv_act_input){.assignee = analyst}, 100100, &err),
              YL_EINVAL);
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_ASSIGN, &(struct surv_act_input){.assignee = epi},
                             100100, &err),
              0);
    struct arena a = {0};
    struct surv_alert x;
    CHECK_INT(surv_alert_get(s, NULL, 1, &a, &x, &err), 0);
    CHECK_STR(x.assignee, "epi1");
    CHECK_INT(x.state, SURV_ALERT_OPEN);
    arena_release(&a);
    acct_free(ac);
    store_close(s);
}

TEST(scope_refusals)
{
    char db[64];
    struct store *s = store_with_alerts(2, 100000, db);   /* alert 1 in T1, 2 in T2 */
    struct acct_principal epi = {.user_id = 7, .role = ROLE_EPIDEMIOLOGIST,
                                 .scope = {SCOPE_OU, T1}};
    struct acct_principal ana = {.user_id = 8, .role = ROLE_ANALYST, .scope = {SCOPE_REGION, ""}};
    struct acct_principal doc = {.user_id = 9, .role = ROLE_FAMILY_DOCTOR,
                                 .scope = {SCOPE_TEAM, "1"}};
    struct audit_actor act = {7, "epi", "epidemiologist", "test"};
    struct yl_err err = {0};
    CHECK_INT(surv_alert_act(s, &(struct surv_who){&epi, &act}, 2, SURV_VERIFY, NULL, 100100,
                             &err),
              YL_ENOTFOUND);
    yl_err_clear(&err);
    CHECK_INT(surv_alert_act(s, &(struct surv_who){&epi, &act}, 1, SURV_VERIFY, NULL, 100100,
                             &err),
              0);
    CHECK_INT(surv_alert_act(s, &(struct surv_who){&ana, &act}, 1, SURV_NOTE,
                             &(struct surv_act_input){.text = "hi"}, 100100, &err),
              YL_EFORBIDDEN);
    struct arena a = {0};
    struct surv_alert *v;
    size_t n = 0;
    struct surv_alert_query q = {.limit = 50};
    yl_err_clear(&err);
    CHECK_INT(surv_alert_list(s, &epi, &q, &a, &v, &n, &err), 0);
    CHECK_INT(n, 1);
    CHECK_STR(v[0].ou, T1);
    CHECK_INT(surv_alert_list(s, &ana, &q, &a, &v, &n, &err), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, 2);  /* newest first */
    q.ou = T2;
    CHECK_INT(surv_alert_list(s, &epi, &q, &a, &v, &n, &err), 0);
    CHECK_INT(n, 0);
    CHECK_INT(surv_alert_list(s, &doc, &q, &a, &v, &n, &err), YL_EFORBIDDEN);
    q.ou = NULL;
    q.state = "closed";
    yl_err_clear(&err);
    CHECK_INT(surv_alert_list(s, &ana, &q, &a, &v, &n, &err), YL_EINVAL);
    CHECK_STR(err.field, "state");
    arena_release(&a);
    store_close(s);
}

TEST(indicators_share_within_24h_and_median)
{
    char db[64];
    struct store *s = store_with_alerts(4, 100000, db);
    struct surv_who sys = {NULL, &actor};
    struct yl_err err = {0};
    struct surv_act_input why = {.reason = "artefact"};
    /* Closed after 1 h, 10 h and 30 h; the fourth stays open. */
    CHECK_INT(surv_alert_act(s, &sys, 1, SURV_DISMISS, &why, 100000 + 3600, &err), 0);
    CHECK_INT(surv_alert_act(s, &sys, 2, SURV_DISMISS, &why, 100000 + 36000, &err), 0);
    CHECK_INT(surv_alert_act(s, &sys, 3, SURV_DISMISS, &why, 100000 + 108000, &err), 0);
    struct surv_alert_indicators ind;
    CHECK_INT(surv_alert_indicators(s, NULL, "", 0, 10, &ind, &err), 0);
    CHECK_INT(ind.total, 4);
    CHECK_INT(ind.closed, 3);
    CHECK_INT(ind.verified_24h, 2);
    CHECK(fabs(ind.share_verified_24h - 0.5) < 1e-12);
    CHECK(fabs(ind.median_verify_s - 36000) < 1e-9);
    CHECK_INT(ind.by_level_state[SURV_RED][SURV_ALERT_DISMISSED], 3);
    CHECK_INT(ind.by_level_state[SURV_RED][SURV_ALERT_OPEN], 1);
    CHECK_INT(surv_alert_indicators(s, NULL, T1, 0, 10, &ind, &err), 0);
    CHECK_INT(ind.total, 1);
    CHECK_INT(surv_alert_indicators(s, NULL, "", 5, 10, &ind, &err), 0);
    CHECK_INT(ind.total, 0);
    CHECK(isnan(ind.median_verify_s));
    store_close(s);
}

/* ------------------------------------------------------------------ webhooks */

struct receiver {
    int requests;
    int fail_first;
    char last_body[4096];
    pthread_mutex_t mu;
};

struct upload {
    struct buf body;
};

static enum MHD_Result on_hook(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    struct receiver *r = cls;
    struct upload *u = *con_cls;
    if (u == NULL) {
        u = xcalloc(1, sizeof(*u));
        buf_init(&u->body, 1 << 20);
        *con_cls = u;
        return MHD_YES;
    }
    if (*size > 0) {
        buf_append(&u->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    int n = ++r->requests;
    snprintf(r->last_body, sizeof(r->last_body), "%.*s", (int)u->body.len,
             u->body.data ? u->body.data : "");
    pthread_mutex_unlock(&r->mu);
    unsigned status = n <= r->fail_first ? 503 : 204;
    struct MHD_Response *res = MHD_create_response_from_buffer(0, (void *)"",
                                                               MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, status, res);
    MHD_destroy_response(res);
    return ret;
}

static void on_hook_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct upload *u = *con_cls;
    if (u != NULL) {
        buf_release(&u->body);
        free(u);
    }
    *con_cls = NULL;
}

TEST(webhook_retried_after_a_failure_and_logged)
{
    char db[64];
    struct store *s = store_with_alerts(0, 100000, db);
    struct receiver rc = {.fail_first = 1};
    pthread_mutex_init(&rc.mu, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                            on_hook, &rc, MHD_OPTION_NOTIFY_COMPLETED,
                                            on_hook_done, NULL, MHD_OPTION_END);
    CHECK(d != NULL);
    int port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
    const char *urls[] = {url};
    struct surv_webhook_options o = {.urls = urls, .n_urls = 1};
    struct yl_err err = {0};
    /* The URL is seen first with no alerts: it starts from the newest (none). */
    CHECK_INT(surv_webhooks_run_once(s, &o, 200000, &err), 0);
    struct surv_rules *r = rules();
    struct surv_signal v = sig(SURV_SRC_DISEASE, "plague", T1, D0);
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, &v, 1, &actor, 200000, NULL, &err),
              0);
    /* First attempt: 503, kept pending for one second. */
    CHECK_INT(surv_webhooks_run_once(s, &o, 200000, &err), 0);
    CHECK_INT(rc.requests, 1);
    CHECK_INT(surv_webhooks_run_once(s, &o, 200000, &err), 0);
    CHECK_INT(rc.requests, 1);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_webhook_delivery WHERE"
                                        " state = 'pending' AND next_s = 200001"),
              1);
    /* A restart is a new worker over the same store: the pending delivery goes out. */
    CHECK_INT(surv_webhooks_run_once(s, &o, 200001, &err), 0);
    CHECK_INT(rc.requests, 2);
    CHECK_CONTAINS(rc.last_body, "\"event\":\"alert\"");
    CHECK_CONTAINS(rc.last_body, "\"level\":\"red\"");
    CHECK_CONTAINS(rc.last_body, "\"code\":\"plague\"");
    CHECK_INT(surv_webhooks_run_once(s, &o, 200100, &err), 0);
    CHECK_INT(rc.requests, 2);
    struct arena a = {0};
    struct surv_delivery_log *log;
    size_t n = 0;
    CHECK_INT(surv_webhook_log(s, NULL, 0, 10, &a, &log, &n, &err), 0);
    CHECK_INT(n, 2);
    CHECK_INT(log[0].attempt, 2);
    CHECK_INT(log[0].http_status, 204);
    CHECK_STR(log[0].state, "delivered");
    CHECK_INT(log[1].attempt, 1);
    CHECK_INT(log[1].http_status, 503);
    CHECK_STR(log[1].error, "HTTP 503");
    struct acct_principal epi = {.role = ROLE_EPIDEMIOLOGIST, .scope = {SCOPE_REGION, ""}};
    CHECK_INT(surv_webhook_log(s, &epi, 0, 10, &a, &log, &n, &err), YL_EFORBIDDEN);
    arena_release(&a);
    surv_rules_free(r);
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&rc.mu);
    store_close(s);
}

TEST(webhook_gives_up_after_max_attempts_without_losing_the_alert)
{
    char db[64];
    struct store *s = store_with_alerts(0, 100000, db);
    /* Nothing listens on port 9 of loopback: every attempt fails at once. */
    const char *urls[] = {"http://127.0.0.1:9/hook"};
    struct surv_webhook_options o = {.urls = urls, .n_urls = 1, .max_attempts = 3,
                                     .timeout_ms = 500};
    struct yl_err err = {0};
    CHECK_INT(surv_webhooks_run_once(s, &o, 300000, &err), 0);
    struct surv_rules *r = rules();
    struct surv_signal v = sig(SURV_SRC_DISEASE, "plague", T1, D0);
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, &v, 1, &actor, 300000, NULL, &err),
              0);
    for (int64_t t = 300000; t < 300020; t++)
        CHECK_INT(surv_webhooks_run_once(s, &o, t, &err), 0);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT attempts FROM surv_webhook_delivery"
                                        " WHERE state = 'failed'"),
              3);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_alert WHERE state = 'open'"),
              1);
    surv_rules_free(r);
    store_close(s);
}

TEST(webhook_worker_thread_retries_on_its_own)
{
    char db[64];
    struct store *s = store_with_alerts(0, 100000, db);
    struct receiver rc = {.fail_first = 1};
    pthread_mutex_init(&rc.mu, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                            on_hook, &rc, MHD_OPTION_NOTIFY_COMPLETED,
                                            on_hook_done, NULL, MHD_OPTION_END);
    CHECK(d != NULL);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook",
             MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    const char *urls[] = {url};
    struct surv_webhook_options o = {.urls = urls, .n_urls = 1, .poll_ms = 50};
    struct surv_webhooks *w = surv_webhooks_start(s, &o);
    CHECK(w != NULL);
    usleep(200 * 1000);   /* the worker has seen the URL before the alert */
    struct surv_rules *r = rules();
    struct surv_signal v = sig(SURV_SRC_DISEASE, "plague", T1, D0);
    struct yl_err err = {0};
    CHECK_INT(surv_signals_ingest(s, r, cholera_is_a, NULL, &v, 1, &actor, time(NULL), NULL,
                                  &err),
              0);
    /* The first attempt fails at once, the retry comes a second or two later. */
    int requests = 0;
    for (int i = 0; i < 60 && requests < 2; i++) {
        usleep(100 * 1000);
        pthread_mutex_lock(&rc.mu);
        requests = rc.requests;
        pthread_mutex_unlock(&rc.mu);
    }
    surv_webhooks_stop(w);
    CHECK_INT(requests, 2);
    CHECK_INT(ts_sql_count(ts_path(db), "SELECT COUNT(*) FROM surv_webhook_delivery"
                                        " WHERE state = 'delivered' AND attempts = 2"),
              1);
    surv_rules_free(r);
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&rc.mu);
    store_close(s);
}

static void set_day(void) __attribute__((constructor));
static void set_day(void)
{
    D0 = date_from_ymd(2026, 3, 2);
}

TEST_MAIN()
