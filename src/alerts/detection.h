/*
 * detection.h - running the detectors over the stored series and raising alerts (issue 6):
 * after each import or API write for the series it touched, and nightly for every series.
 *
 * The one idea: a series is a disease or a syndromic channel in one township (the org unit
 * level at which county CDCs judge aberrations); each is read back from the store
 * (surv_series_read), judged by the method data/surveil-params.csv gives it there
 * (surv_params_for, surv_method_run) over enough history for the method's baseline, and
 * every alarm on the days asked about becomes a signal handed to the alert engine
 * (surv_signals_ingest). Signals are unique, so running the same days again, or the nightly
 * run after the import's, raises nothing twice. Proportion channels (the ILI share) are
 * judged on their percentage; weekly methods on complete ISO weeks, a week's alarm dated on
 * its Sunday.
 */
#ifndef YL_ALERTS_DETECTION_H
#define YL_ALERTS_DETECTION_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/alerts.h"

struct yl_err;
struct store;
struct audit_actor;
struct surv_catalog;

#define SURV_DETECT_HISTORY_DAYS (6 * 366)  /* history read before the first day judged */
#define SURV_DETECT_NIGHTLY_DAYS 7          /* the nightly run judges the last week */
#define SURV_DETECT_SCAN_DAYS 365            /* the scan's background: a year of reports */
#define SURV_DETECT_SCAN_P 0.05             /* a cluster at most this likely by chance */
#define SURV_DETECT_SCHOOL_DAYS 7           /* a school's cases counted over a week */
#define SURV_DETECT_IMPORT_DAYS 30          /* an import's detection judges at most the last
                                             * month: back-filled years are history, not news */

/* What a run knows. Borrowed. */
struct surv_detect_env {
    const struct surv_catalog *catalog;
    const struct surv_rules *rules;
    const struct audit_actor *by;
    int64_t now_s;
    int32_t today;                  /* no day after it is judged */
};

/* One series to judge: a disease or channel code, an org unit (its township is judged: a
 * village's code is cut to its first nine digits), and the days whose alarms count. */
struct surv_detect_target {
    char code[32];
    char ou[16];
    int32_t from, to;
};

struct surv_detect_result {
    size_t clusters_scanned;    /* surv_detect_all: (disease, county) pairs scanned */
    size_t clusters;            /* clusters found (p <= SURV_DETECT_SCAN_P) */
    size_t series;          /* series judged */
    size_t points;          /* points with a judgement (not "no decision") */
    size_t alarms;          /* signals handed to the alert engine */
    struct surv_ingest_result ingest;
};

/* Judge targets[0..n) (several targets of one series are merged into one range), look for
 * schools with two or more cases of one disease in a week over the days of the disease
 * targets (a cluster signal at the pupils' township, place "school"), and ingest the alarms
 * in one call. YL_EINVAL when a target names no disease or channel of
 * the catalog; the store's errors otherwise. */
int surv_detect_targets(struct store *s, const struct surv_detect_env *env,
                        const struct surv_detect_target *targets, size_t n,
                        struct surv_detect_result *res, struct yl_err *err);

/* Every series with data in [from - 60 days, to]: each disease with a case report in a
 * township, each channel with counts there, judged over [from, to]; then each such disease
 * in each county scanned for clusters of villages ending on `to` (the space-time
 * permutation scan over the year before it, 999 replications): a cluster with p at most
 * SURV_DETECT_SCAN_P is a signal of kind cluster at its centre village (place "village",
 * the member villages listed), which the village-cluster rule judges by its cases. */
int surv_detect_all(struct store *s, const struct surv_detect_env *env, int32_t from,
                    int32_t to, struct surv_detect_result *res, struct yl_err *err);

/* Collects the series an import touched (surv_touched_fn of surveil.h: pass this as `arg`
 * and surv_detect_touched as the hook): per series, from the earliest day touched to two
 * weeks after the latest (the later days whose baselines now hold the change). Heap-owned,
 * freed with surv_detect_touched_free. */
struct surv_detect_touches {
    struct surv_detect_target *v;
    size_t n, cap;
};
void surv_detect_touched(void *arg, const char *target, const char *ou, int32_t day);
void surv_detect_touched_free(struct surv_detect_touches *t);

/* Is disease `code` class A or managed as class A? (surv_class_a_fn; cls is the catalog.) */
bool surv_detect_class_a(void *cls, const char *code);

#endif
