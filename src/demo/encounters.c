/*
 * encounters.c - the demo's year of care (issue 5): encounters.csv and results.csv, and
 * the plans of referrals.csv, expert-sessions.csv and expert-bookings.csv that `yilian demo`
 * carries out through the referral and experts libraries (they have no import kind).
 *
 * One idea: each person's year is drawn from DEMO_STREAM_ENCOUNTERS while the people are
 * written, at rates a county reports: 3-5 outpatient visits a resident a year (more for the
 * old and the chronically ill), about two thirds at grassroots facilities (the 基层诊疗量
 * share of county statistical bulletins), a few % emergencies, about one resident in ten
 * admitted, about one in a hundred referred up. Every row is one the import accepts: dates
 * after birth and not after the reference date, staff of the facility, ICD-10 codes.
 */
#include <math.h>
#include <stdio.h>

#include "core/date.h"
#include "demo/demo_int.h"
#include "vocab/vocab.h"

#define DEMO_SESSION_CAPACITY 30
/* Of a session's invited chronic patients, the share that come (the others: no-show). */
#define DEMO_ATTENDANCE 0.85
/* Of those who come, the share for whom the expert performs a procedure. */
#define DEMO_PROCEDURE 0.12

/* Departments: codes of the national list of clinical departments (诊疗科目代码). */
#define DEPT_GP        "02"
#define DEPT_MEDICINE  "03"
#define DEPT_RESP      "03.01"
#define DEPT_DIGEST    "03.02"
#define DEPT_NEURO     "03.03"
#define DEPT_CARDIO    "03.04"
#define DEPT_ENDO      "03.07"
#define DEPT_SURGERY   "04"
#define DEPT_ORTHO     "04.03"
#define DEPT_OBSTET    "05.02"
#define DEPT_PEDIATRIC "07"
#define DEPT_DERMA     "13"
#define DEPT_EMERGENCY "20"
#define DEPT_TCM       "50"

/* An outpatient complaint: ICD-10, the hospital department that sees it, and weights by
 * age group (children, adults under 65, the elderly). */
struct demo_dx {
    const char *icd;
    const char *dept;
    double w[3];
};

static const struct demo_dx outpatient_dx[] = {
    {"J06.9", DEPT_RESP, {40, 22, 12}},     /* acute upper respiratory infection */
    {"J02.9", DEPT_RESP, {10, 6, 3}},       /* pharyngitis */
    {"J20.9", DEPT_RESP, {10, 5, 6}},       /* acute bronchitis */
    {"A09.9", DEPT_DIGEST, {8, 4, 3}},      /* gastroenteritis */
    {"K29.7", DEPT_DIGEST, {0, 9, 7}},      /* gastritis */
    {"M54.5", DEPT_ORTHO, {0, 8, 9}},       /* low back pain */
    {"M17.9", DEPT_ORTHO, {0, 2, 8}},       /* knee osteoarthritis */
    {"R51", DEPT_NEURO, {2, 5, 3}},         /* headache */
    {"L30.9", DEPT_DERMA, {6, 5, 3}},       /* dermatitis */
    {"N39.0", DEPT_MEDICINE, {1, 4, 4}},    /* urinary tract infection */
    {"I25.1", DEPT_CARDIO, {0, 1, 9}},      /* coronary heart disease */
    {"J44.9", DEPT_RESP, {0, 1, 7}},        /* COPD */
    {"I63.9", DEPT_NEURO, {0, 0.5, 4}},     /* sequelae follow-up of cerebral infarction */
    {"Z00.1", DEPT_PEDIATRIC, {12, 0, 0}},  /* child health examination */
};
#define N_OUTPATIENT_DX (sizeof(outpatient_dx) / sizeof(outpatient_dx[0]))

/* Reasons for an admission, weighted by age group as above. */
static const struct demo_dx inpatient_dx[] = {
    {"J18.9", DEPT_RESP, {40, 15, 20}},     /* pneumonia */
    {"I63.9", DEPT_NEURO, {0, 6, 18}},      /* cerebral infarction */
    {"I21.9", DEPT_CARDIO, {0, 3, 6}},      /* acute myocardial infarction */
    {"I50.9", DEPT_CARDIO, {0, 2, 10}},     /* heart failure */
    {"J44.1", DEPT_RESP, {0, 3, 14}},       /* COPD with exacerbation */
    {"K35.8", DEPT_SURGERY, {8, 8, 2}},     /* appendicitis */
    {"K80.2", DEPT_SURGERY, {0, 8, 6}},     /* gallstones */
    {"S72.0", DEPT_ORTHO, {0, 1, 6}},       /* fracture of the femoral neck */
    {"A09.9", DEPT_PEDIATRIC, {30, 2, 2}},  /* gastroenteritis */
    {"I10", DEPT_CARDIO, {0, 6, 6}},        /* hypertension, poorly controlled */
    {"E11.9", DEPT_ENDO, {0, 5, 6}},        /* type 2 diabetes, poorly controlled */
};
#define N_INPATIENT_DX (sizeof(inpatient_dx) / sizeof(inpatient_dx[0]))

/* Why a grassroots center sends a patient up, by urgency. */
static const struct {
    const char *icd, *reason;
} up_reasons[REF_PLAN_URGENCIES] = {
    {"I10", "血压控制不佳，调整用药后仍高于目标，需上级医院专科评估"},
    {"J18.9", "发热咳嗽三日，胸片提示肺部感染，需住院治疗"},
    {"I21.9", "急性胸痛伴大汗，心电图ST段抬高，疑似急性心肌梗死"},
};

static bool t_is_grassroots(int type)
{
    return type == FT_VILLAGE_CLINIC || type == FT_COMMUNITY_STATION ||
           type == FT_COMMUNITY_CENTER || type == FT_TOWNSHIP_CENTER;
}

static int age_group(int age)
{
    return age < 15 ? 0 : (age < 65 ? 1 : 2);
}

static int poisson(struct demo_rng *r, double lambda)
{
    double limit = exp(-lambda), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= demo_rng_unit(r);
    } while (p > limit && k < 200);
    return k - 1;
}

static const struct demo_dx *pick_dx(struct demo_rng *r, const struct demo_dx *table, size_t n,
                                     int group)
{
    double w[16];
    for (size_t i = 0; i < n; i++)
        w[i] = table[i].w[group];
    return &table[demo_rng_weighted(r, w, n)];
}

static bool is_doctor(int role)
{
    return role == SROLE_LICENSED_PHYSICIAN || role == SROLE_ASSISTANT_PHYSICIAN ||
           role == SROLE_GENERAL_PRACTITIONER || role == SROLE_VILLAGE_DOCTOR;
}

/* A doctor of the facility, or -1 when it has no staff. */
static int doctor_of(struct demo_enc *e, int facility)
{
    const struct demo_facility *f = &e->ctx->fac[facility];
    if (f->n_staff <= 0)
        return -1;
    for (int k = 0; k < 4; k++) {
        int s = f->first_staff + (int)demo_rng_below(&e->rng, (uint32_t)f->n_staff);
        if (is_doctor(e->ctx->staff[s].role))
            return s;
    }
    return f->first_staff;
}

/* "YYYY-MM-DDTHH:MM:SSZ" of a day and a second of it. */
static void out_time(struct demo_out *o, int32_t day, int32_t second)
{
    char text[16];
    demo_out_date(o, day + second / 86400);
    second %= 86400;
    snprintf(text, sizeof(text), "T%02d:%02d:%02dZ", (int)(second / 3600),
             (int)(second / 60 % 60), (int)(second % 60));
    demo_out_str(o, text);
}

/* --- encounters and results -------------------------------------------------------------- */

struct visit {
    int facility;
    int32_t day;
    const char *dept;
    const char *type;
    int32_t admission, discharge; /* inpatient only; discharge DATE_INVALID while staying */
    char diagnoses[64];
};

static void write_encounter(struct demo_enc *e, const struct demo_person *m,
                            const struct visit *v)
{
    struct demo_out *o = &e->enc;
    int staff = doctor_of(e, v->facility);

    demo_out_str(o, "HIS-E-");
    demo_out_long(o, ++e->enc_seq, 8);
    demo_out_comma(o);
    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    demo_out_str(o, e->ctx->fac[v->facility].code);
    demo_out_comma(o);
    demo_out_date(o, v->day);
    demo_out_comma(o);
    demo_out_str(o, v->dept);
    demo_out_comma(o);
    demo_out_str(o, v->type);
    demo_out_comma(o);
    if (v->admission != DATE_INVALID)
        demo_out_date(o, v->admission);
    demo_out_comma(o);
    if (v->discharge != DATE_INVALID)
        demo_out_date(o, v->discharge);
    demo_out_comma(o);
    demo_out_str(o, v->diagnoses);
    demo_out_comma(o);
    if (staff >= 0)
        demo_out_str(o, e->ctx->staff[staff].code);
    demo_out_end_row(o);
}

/* One result: a lab value in the catalogue's unit (decimals ≥ 0), or a report (decimals < 0). */
static void write_result(struct demo_enc *e, const struct demo_person *m, const char *item,
                         int32_t day, int facility, double value, int decimals, const char *unit,
                         const char *report, const char *method)
{
    struct demo_out *o = &e->res;
    demo_out_str(o, "LIS-");
    demo_out_long(o, ++e->res_seq, 8);
    demo_out_comma(o);
    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    demo_out_str(o, item);
    demo_out_comma(o);
    demo_out_date(o, day);
    demo_out_comma(o);
    demo_out_str(o, e->ctx->fac[facility].code);
    demo_out_comma(o);
    if (decimals >= 0) {
        demo_out_fixed(o, value, decimals);
        demo_out_comma(o);
        demo_out_str(o, unit);
    } else {
        demo_out_comma(o);
    }
    demo_out_comma(o);
    if (report != NULL)
        demo_out_field(o, report);
    demo_out_comma(o);
    if (method != NULL)
        demo_out_str(o, method);
    demo_out_end_row(o);
}

static double normal(struct demo_rng *r, double mean, double sd, double lo, double hi)
{
    double v = mean + sd * demo_rng_normal(r);
    return v < lo ? lo : (v > hi ? hi : v);
}

/* What a row of referrals.csv asks beyond a referral's own columns: a remote request's kind
 * and report, and the result it attaches (its external id). */
struct remote {
    const char *kind, *report;
    long result;                /* LIS- number, 0 for none */
};

static void remote_request(struct demo_enc *e, const struct demo_person *m, int from,
                           int32_t day, const struct remote *x, const char *reason);

/* Results of a visit at a facility with a laboratory (not a village clinic or station). */
static void results_of(struct demo_enc *e, const struct demo_person *m, const struct visit *v,
                       bool htn, bool dm, bool inpatient)
{
    struct demo_rng *r = &e->rng;
    int type = e->ctx->fac[v->facility].type;
    if (type == FT_VILLAGE_CLINIC || type == FT_COMMUNITY_STATION)
        return;
    bool infection = strncmp(v->diagnoses, "J", 1) == 0 || strncmp(v->diagnoses, "A09", 3) == 0;
    if (inpatient || (infection && demo_rng_chance(r, 0.3))) {
        char report[160];
        double wbc = infection ? normal(r, 11.5, 2.5, 4.0, 25.0) : normal(r, 6.5, 1.5, 3.5, 9.5);
        double hgb = normal(r, m->sex == 1 ? 145 : 128, 11, 85, 180);
        snprintf(report, sizeof(report), "WBC %.1f×10^9/L，HGB %.0f g/L，PLT %.0f×10^9/L",
                 wbc, hgb, normal(r, 230, 50, 90, 420));
        write_result(e, m, "CBC", v->day, v->facility, 0, -1, NULL, report, "血细胞分析仪");
        write_result(e, m, "HGB", v->day, v->facility, round(hgb), 0, "g/L", NULL, NULL);
    }
    if (dm && demo_rng_chance(r, inpatient ? 1.0 : 0.4))
        write_result(e, m, "FPG", v->day, v->facility, normal(r, 7.9, 1.8, 4.5, 18.0), 1,
                     "mmol/L", NULL, "hexokinase");
    else if ((htn || inpatient) && demo_rng_chance(r, 0.3))
        write_result(e, m, "FPG", v->day, v->facility, normal(r, 5.2, 0.5, 3.9, 6.9), 1,
                     "mmol/L", NULL, "hexokinase");
    if (dm && demo_rng_chance(r, 0.12))
        write_result(e, m, "HBA1C", v->day, v->facility, normal(r, 7.3, 1.0, 5.0, 12.0), 1, "%",
                     NULL, "HPLC");
    if ((htn || dm || inpatient) && demo_rng_chance(r, inpatient ? 0.8 : 0.1)) {
        write_result(e, m, "CREA", v->day, v->facility,
                     normal(r, m->sex == 1 ? 82 : 64, 15, 35, 180), 0, "\xce\xbcmol/L", NULL,
                     "enzymatic");
        write_result(e, m, "ALT", v->day, v->facility, normal(r, 22, 9, 5, 90), 0, "U/L", NULL,
                     NULL);
        write_result(e, m, "TC", v->day, v->facility, normal(r, 4.8, 0.9, 2.8, 8.5), 2,
                     "mmol/L", NULL, NULL);
    }
    bool cardiac = v->diagnoses[0] == 'I';
    if ((cardiac || inpatient) && demo_rng_chance(r, inpatient ? 0.7 : 0.25))
        write_result(e, m, "ECG12", v->day, v->facility, 0, -1, NULL,
                     strncmp(v->diagnoses, "I21", 3) == 0 ? "窦性心律，V1-V4导联ST段抬高"
                     : htn && demo_rng_chance(r, 0.3)     ? "窦性心律，左心室高电压"
                                                          : "窦性心律，正常心电图",
                     "12-lead");
    if (strncmp(v->diagnoses, "J18", 3) == 0) {
        write_result(e, m, "CXR", v->day, v->facility, 0, -1, NULL,
                     "右下肺野斑片状模糊影，考虑肺炎", "DR");
        /* A township's film is read by the city hospital (远程影像诊断). */
        if (t_is_grassroots(type) && demo_rng_chance(r, 0.6))
            remote_request(e, m, v->facility, v->day,
                           &(struct remote){"imaging", "右下肺炎，建议抗感染治疗7天后复查胸片",
                                            e->res_seq},
                           "胸部DR，请上级医院远程阅片");
    }
    if (strncmp(v->diagnoses, "I63", 3) == 0 && inpatient &&
        (type == FT_COUNTY_HOSPITAL || type == FT_TCM_HOSPITAL))
        write_result(e, m, "CT-HEAD", v->day, v->facility, 0, -1, NULL,
                     "左侧基底节区低密度灶，考虑急性脑梗死", "CT");
}

/* The chronic diagnoses a person carries on day d, appended to the visit's own. */
static void add_chronic(char *dx, size_t cap, bool htn, bool dm)
{
    size_t n = strlen(dx);
    if (htn && strncmp(dx, "I10", 3) != 0)
        n += (size_t)snprintf(dx + n, cap - n, " I10");
    if (dm && n < cap && strncmp(dx, "E11", 3) != 0)
        snprintf(dx + n, cap - n, " E11.9");
}

static bool has_tag(const struct demo_person *m, int tag, int32_t day)
{
    for (int i = 0; i < m->n_tags; i++)
        if (m->tags[i].tag == tag && demo_tag_active(&m->tags[i], day))
            return true;
    return false;
}

/* Facility of a visit not at the person's grassroots facilities: the city hospital, the TCM
 * hospital, or (women and children) the maternal and child health hospital. */
static int hospital_for(struct demo_enc *e, const struct demo_person *m)
{
    struct demo_ctx *ctx = e->ctx;
    bool mch = e->mch >= 0 && (m->age < 15 || (m->sex == 2 && m->age < 50));
    double u = demo_rng_unit(&e->rng);
    if (mch && u < 0.35)
        return e->mch;
    return u < 0.78 ? ctx->city_hospital : ctx->tcm_hospital;
}

static void outpatient_visits(struct demo_enc *e, const struct demo_person *m, int home,
                              int center, int32_t lo, int32_t hi)
{
    struct demo_rng *r = &e->rng;
    int group = age_group(m->age);
    bool htn = has_tag(m, TAG_HYPERTENSION, hi), dm = has_tag(m, TAG_DIABETES, hi);
    static const double base[3] = {3.6, 2.4, 4.6};
    double lambda = base[group] + (htn ? 2.0 : 0) + (dm ? 2.0 : 0);
    if (m->age < 3)
        lambda += 2.0;
    lambda *= (double)(hi - lo + 1) / 365.0;
    int n = poisson(r, lambda);
    /* Chronic patients go to their village doctor for their repeat prescriptions. */
    double grassroots = htn || dm ? 0.74 : (group == 0 ? 0.58 : 0.66);

    for (int k = 0; k < n; k++) {
        struct visit v = {.day = demo_rng_range(r, lo, hi), .admission = DATE_INVALID,
                          .discharge = DATE_INVALID, .type = "outpatient"};
        bool chronic_visit = (htn || dm) && demo_rng_chance(r, 0.55);
        const struct demo_dx *dx = pick_dx(r, outpatient_dx, N_OUTPATIENT_DX, group);
        const char *icd = chronic_visit ? (htn && (!dm || demo_rng_chance(r, 0.5)) ? "I10"
                                                                                   : "E11.9")
                                        : dx->icd;
        const char *dept = chronic_visit ? (icd[0] == 'I' ? DEPT_CARDIO : DEPT_ENDO) : dx->dept;
        if (demo_rng_chance(r, 0.035)) {
            v.type = "emergency";
            v.facility = demo_rng_chance(r, 0.8) ? e->ctx->city_hospital : center;
            v.dept = DEPT_EMERGENCY;
        } else if (demo_rng_chance(r, grassroots)) {
            v.facility = demo_rng_chance(r, 0.6) ? home : center;
            v.dept = DEPT_GP;
        } else {
            v.facility = hospital_for(e, m);
            int t = e->ctx->fac[v.facility].type;
            v.dept = t == FT_TCM_HOSPITAL ? DEPT_TCM
                     : t == FT_MCH_HOSPITAL ? (m->age < 15 ? DEPT_PEDIATRIC : DEPT_OBSTET)
                     : m->age < 15          ? DEPT_PEDIATRIC
                                            : dept;
        }
        if (t_is_grassroots(e->ctx->fac[v.facility].type))
            e->grassroots++;
        e->visits++;
        snprintf(v.diagnoses, sizeof(v.diagnoses), "%s", icd);
        if (strcmp(icd, "Z00.1") == 0 && v.facility != home && v.facility != center &&
            v.facility != e->mch)
            snprintf(v.diagnoses, sizeof(v.diagnoses), "J06.9");
        add_chronic(v.diagnoses, sizeof(v.diagnoses), htn, dm);
        write_encounter(e, m, &v);
        results_of(e, m, &v, htn, dm, false);
    }
}

static void admit(struct demo_enc *e, const struct demo_person *m, int facility, int32_t day,
                  int stay_days, const char *dept, const char *icd, int32_t hi)
{
    struct visit v = {.facility = facility, .day = day, .admission = day, .dept = dept,
                      .type = "inpatient"};
    /* Still in hospital on the reference date: no discharge yet; a stay cut short by death
     * or a move ends on that day. */
    v.discharge = day + stay_days <= hi ? day + stay_days
                  : hi < e->ctx->ref     ? hi
                                         : DATE_INVALID;
    snprintf(v.diagnoses, sizeof(v.diagnoses), "%s", icd);
    add_chronic(v.diagnoses, sizeof(v.diagnoses), has_tag(m, TAG_HYPERTENSION, day),
                has_tag(m, TAG_DIABETES, day));
    write_encounter(e, m, &v);
    results_of(e, m, &v, has_tag(m, TAG_HYPERTENSION, day), has_tag(m, TAG_DIABETES, day),
               true);
    e->stays++;
}

/* --- referrals --------------------------------------------------------------------------- */

static void write_referral(struct demo_enc *e, const char *direction, const struct demo_person *m,
                           int from, int to, int urgency, const char *reason,
                           const char *summary, int32_t day, const int32_t at[4],
                           const char *outcome, const struct remote *x)
{
    static const char *const urgencies[REF_PLAN_URGENCIES] = {"routine", "urgent", "critical"};
    struct demo_out *o = &e->ref;
    demo_out_str(o, "REF-");
    demo_out_long(o, ++e->ref_seq, 6);
    demo_out_comma(o);
    demo_out_str(o, x != NULL ? x->kind : "referral");
    demo_out_comma(o);
    if (x != NULL && x->result > 0) {
        demo_out_str(o, "LIS-");
        demo_out_long(o, x->result, 8);
    }
    demo_out_comma(o);
    if (x != NULL && x->report != NULL)
        demo_out_field(o, x->report);
    demo_out_comma(o);
    demo_out_str(o, direction);
    demo_out_comma(o);
    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    demo_out_str(o, e->ctx->fac[from].code);
    demo_out_comma(o);
    if (to >= 0)
        demo_out_str(o, e->ctx->fac[to].code);
    demo_out_comma(o);
    demo_out_str(o, urgencies[urgency]);
    demo_out_comma(o);
    if (reason != NULL)
        demo_out_field(o, reason);
    demo_out_comma(o);
    if (summary != NULL)
        demo_out_field(o, summary);
    demo_out_comma(o);
    demo_out_str(o, outcome);
    for (int i = 0; i < 4; i++) {
        demo_out_comma(o);
        if (at[i] >= 0)
            out_time(o, day, at[i]);
    }
    demo_out_end_row(o);
}

/* A remote request from grassroots facility `from` to the city hospital on `day`: accepted
 * within hours and reported the same day, unless it was made in the last two days. */
static void remote_request(struct demo_enc *e, const struct demo_person *m, int from,
                           int32_t day, const struct remote *x, const char *reason)
{
    struct demo_rng *r = &e->rng;
    int32_t at[4] = {demo_rng_range(r, 1800, 7 * 3600), -1, -1, -1};
    const char *outcome = "completed";
    if (day >= e->ctx->ref - 1) {
        outcome = "requested";
    } else {
        at[1] = at[0] + demo_rng_range(r, 10 * 60, 3 * 3600);
        at[3] = at[1] + demo_rng_range(r, 20 * 60, 4 * 3600);
    }
    write_referral(e, "up", m, from, e->ctx->city_hospital, 0, reason, NULL, day, at, outcome,
                   x);
    e->remote++;
}

/*
 * An up-referral from the person's township or community center (a member of the county
 * medical community) to the city hospital, the visit that led to it and, when completed, the
 * stay; a signed resident then goes back down to their team with a discharge summary.
 */
static void refer(struct demo_enc *e, const struct demo_person *m, int center, int32_t lo,
                  int32_t hi, int32_t signed_from)
{
    struct demo_rng *r = &e->rng;
    struct demo_ctx *ctx = e->ctx;
    if (hi - lo < 30)
        return;
    /* Most were settled long ago; a few of the last days still wait in the inboxes. */
    bool recent = demo_rng_chance(r, 0.04);
    int32_t day = recent ? demo_rng_range(r, hi - 4, hi) : demo_rng_range(r, lo, hi - 25);
    double u = demo_rng_unit(r);
    int urgency = u < 0.04 ? 2 : (u < 0.22 ? 1 : 0);
    static const int32_t accept_max_s[REF_PLAN_URGENCIES] = {60 * 3600, 20 * 3600, 90 * 60};
    /* Times are UTC: 00:30 to 08:30 is the region's (UTC+8) working day. */
    int32_t sent = demo_rng_range(r, 1800, 8 * 3600 + 1800);
    int32_t at[4] = {-1, -1, -1, -1};
    int stay = demo_rng_range(r, 4, 12);
    const char *outcome = "completed";
    u = demo_rng_unit(r);
    if (u < 0.05)
        outcome = "rejected";
    else if (u < 0.08)
        outcome = "cancelled";
    at[0] = sent;
    at[1] = sent + demo_rng_range(r, 10 * 60, accept_max_s[urgency]);
    if (recent) {
        outcome = demo_rng_chance(r, 0.6) ? "requested" : "accepted";
        if (outcome[0] == 'r')
            at[1] = -1;
    }
    if (strcmp(outcome, "completed") == 0) {
        /* Arrival the same day for a critical case, within two days otherwise. */
        int32_t arrive = urgency == 2 ? at[1] + demo_rng_range(r, 1800, 3 * 3600)
                                      : at[1] + demo_rng_range(r, 3600, 2 * 86400);
        at[2] = arrive;
        at[3] = (arrive / 86400 + stay) * 86400 + demo_rng_range(r, 3600, 3 * 3600);
    }
    struct visit v = {.facility = center, .day = day, .admission = DATE_INVALID,
                      .discharge = DATE_INVALID, .dept = urgency == 2 ? DEPT_EMERGENCY : DEPT_GP,
                      .type = urgency == 2 ? "emergency" : "outpatient"};
    snprintf(v.diagnoses, sizeof(v.diagnoses), "%s", up_reasons[urgency].icd);
    e->visits++;
    e->grassroots++;
    write_encounter(e, m, &v);
    write_referral(e, "up", m, center, ctx->city_hospital, urgency, up_reasons[urgency].reason,
                   NULL, day, at, outcome, NULL);
    e->referrals_up++;
    e->critical += urgency == 2;
    if (at[2] < 0)
        return;
    int32_t admitted = day + at[2] / 86400, discharged = day + at[3] / 86400;
    const char *dept = urgency == 2 ? DEPT_CARDIO : (urgency == 1 ? DEPT_RESP : DEPT_CARDIO);
    admit(e, m, ctx->city_hospital, admitted, discharged - admitted, dept,
          up_reasons[urgency].icd, hi);
    /* Back down: the team whose contract covers the discharge day follows the patient up. */
    if (signed_from == DATE_INVALID || signed_from > discharged ||
        !demo_rng_chance(r, 0.7))
        return;
    int32_t down[4] = {at[3] % 86400 + 1800, -1, -1, -1};
    down[1] = down[0] + demo_rng_range(r, 3600, 2 * 86400);
    down[2] = down[1] + demo_rng_range(r, 86400, 4 * 86400);
    down[3] = down[2] + demo_rng_range(r, 3600, 6 * 3600);
    bool done = discharged + down[3] / 86400 <= hi;
    if (!done)
        down[2] = down[3] = -1;
    if (discharged + (down[1] / 86400) > hi)
        down[1] = -1;
    write_referral(e, "down", m, ctx->city_hospital, -1, 0, NULL,
                   "出院小结：病情稳定出院，继续规律服药，请家庭医生团队两周内随访并监测血压",
                   discharged, down, done ? "completed" : (down[1] >= 0 ? "accepted" : "requested"),
                   NULL);
    e->referrals_down++;
}

/* --- expert sessions --------------------------------------------------------------------- */

/* The k-th physician of a hospital (wrapping round), or its first staff member. */
static int physician(const struct demo_ctx *ctx, int facility, int k)
{
    const struct demo_facility *f = &ctx->fac[facility];
    int n = 0;
    for (int i = 0; i < f->n_staff; i++)
        n += ctx->staff[f->first_staff + i].role == SROLE_LICENSED_PHYSICIAN;
    if (n == 0)
        return f->first_staff;
    k %= n;
    for (int i = 0; i < f->n_staff; i++) {
        if (ctx->staff[f->first_staff + i].role != SROLE_LICENSED_PHYSICIAN)
            continue;
        if (k-- == 0)
            return f->first_staff + i;
    }
    return f->first_staff;
}

/* Session k of a township: month k − 12 for the past ones, then the reference day, then a
 * week apart. */
static int32_t session_day(int32_t ref, int k)
{
    if (k < DEMO_SESSIONS_PAST)
        return date_add_months(ref, k - DEMO_SESSIONS_PAST);
    return date_add_days(ref, 7 * (k - DEMO_SESSIONS_PAST));
}

static void write_sessions(struct demo_enc *e)
{
    struct demo_ctx *ctx = e->ctx;
    struct demo_out *o = &e->ses;
    for (int t = 0; t < ctx->reg.n_towns; t++) {
        int host = ctx->reg.towns[t].center;
        if (host < 0)
            continue;
        for (int k = 0; k < DEMO_SESSIONS_PER_TOWN; k++) {
            int hospital = k % 2 == 0 ? ctx->city_hospital : ctx->tcm_hospital;
            int expert = physician(ctx, hospital, t * DEMO_SESSIONS_PER_TOWN + k);
            demo_out_str(o, "EXP-");
            demo_out_str(o, ctx->reg.towns[t].code);
            demo_out_char(o, '-');
            demo_out_long(o, k + 1, 1);
            demo_out_comma(o);
            demo_out_str(o, ctx->staff[expert].code);
            demo_out_comma(o);
            demo_out_str(o, ctx->fac[host].code);
            demo_out_comma(o);
            demo_out_date(o, session_day(ctx->ref, k));
            demo_out_str(o, k % 2 == 0 ? ",08:30,11:30," : ",13:30,16:30,");
            demo_out_long(o, DEMO_SESSION_CAPACITY, 1);
            demo_out_end_row(o);
        }
    }
}

/* Invite a few of a township's chronic patients to its sessions; for the sessions up to the
 * reference day whether they came (and any procedure) is known. */
static void book(struct demo_enc *e, const struct demo_unit *u, const struct demo_person *m)
{
    struct demo_rng *r = &e->rng;
    int t = u->town;
    if (e->ctx->reg.towns[t].center < 0 || !demo_rng_chance(r, 0.02))
        return;
    int k = (int)demo_rng_below(r, DEMO_SESSIONS_PER_TOWN);
    if (e->booked[t][k] >= DEMO_SESSION_CAPACITY)
        return;
    e->booked[t][k]++;
    struct demo_out *o = &e->book;
    demo_out_str(o, "EXP-");
    demo_out_str(o, e->ctx->reg.towns[t].code);
    demo_out_char(o, '-');
    demo_out_long(o, k + 1, 1);
    demo_out_comma(o);
    demo_out_mem(o, m->id, 18);
    demo_out_comma(o);
    bool held = k <= DEMO_SESSIONS_PAST, came = held && demo_rng_chance(r, DEMO_ATTENDANCE);
    if (held)
        demo_out_str(o, came ? "attended" : "no_show");
    demo_out_str(o, came && demo_rng_chance(r, DEMO_PROCEDURE) ? ",1" : ",0");
    demo_out_end_row(o);
}

/* --- the person -------------------------------------------------------------------------- */

void demo_encounters_of(struct demo_enc *e, const struct demo_unit *u,
                        const struct demo_person *m, int32_t signed_from)
{
    struct demo_ctx *ctx = e->ctx;
    struct demo_rng *r = &e->rng;
    int center = ctx->reg.towns[u->town].center;
    int home = u->clinic >= 0 ? u->clinic : (u->station >= 0 ? u->station : center);
    int32_t lo = e->from > m->birth ? e->from : m->birth;
    int32_t hi = ctx->ref;
    if (m->status_date != DATE_INVALID && m->status_date < hi)
        hi = m->status_date;
    if (lo > hi)
        return;
    long stays = e->stays;
    outpatient_visits(e, m, home, center, lo, hi);

    int group = age_group(m->age);
    bool chronic = has_tag(m, TAG_HYPERTENSION, hi) || has_tag(m, TAG_DIABETES, hi);
    /* Deliveries: most at the maternal and child health hospital. */
    for (int i = 0; i < m->n_tags; i++) {
        const struct demo_tag_span *t = &m->tags[i];
        if (t->tag == TAG_PREGNANT && t->edd != DATE_INVALID && t->edd >= lo && t->edd <= hi)
            admit(e, m, e->mch >= 0 && demo_rng_chance(r, 0.6) ? e->mch : ctx->city_hospital,
                  t->edd, demo_rng_range(r, 2, 5), DEPT_OBSTET, "O80", hi);
    }
    static const double admission_rate[3] = {0.04, 0.055, 0.15};
    double p = admission_rate[group] + (chronic ? 0.03 : 0) + (m->age < 1 ? 0.08 : 0);
    if (m->status == RSTAT_DECEASED)
        p = 0.6;
    if (hi - lo >= 3 && demo_rng_chance(r, p * (double)(hi - lo + 1) / 365.0)) {
        const struct demo_dx *dx = pick_dx(r, inpatient_dx, N_INPATIENT_DX, group);
        double v = demo_rng_unit(r);
        int fac = v < 0.62 ? ctx->city_hospital : (v < 0.75 ? ctx->tcm_hospital : center);
        const char *dept = fac == ctx->tcm_hospital ? DEPT_TCM
                           : fac == center          ? DEPT_MEDICINE
                           : m->age < 15            ? DEPT_PEDIATRIC
                                                    : dx->dept;
        admit(e, m, fac, demo_rng_range(r, lo, hi - 1), demo_rng_range(r, 3, 14), dept, dx->icd,
              hi);
    }
    if (m->status == RSTAT_ACTIVE && m->age >= 15 &&
        demo_rng_chance(r, (chronic ? 0.02 : 0.004) + (m->age >= 65 ? 0.008 : 0)))
        refer(e, m, center, lo, hi, signed_from);
    if (m->status == RSTAT_ACTIVE && chronic)
        book(e, u, m);
    /* A poorly controlled chronic patient discussed with a city specialist (远程会诊). */
    if (m->status == RSTAT_ACTIVE && chronic && center >= 0 && hi - lo > 30 &&
        demo_rng_chance(r, 0.004))
        remote_request(e, m, center, demo_rng_range(r, lo, hi), &(struct remote){
                           "consultation", "调整降压降糖方案，2周后复诊并复查血压血糖", 0},
                       "血压血糖控制不佳，申请上级医院专家远程会诊");
    e->inpatients += e->stays > stays;
}

int demo_encounters_open(struct demo_enc *e, struct demo_ctx *ctx, struct yl_err *err)
{
    int rc;
    memset(e, 0, sizeof(*e));
    e->ctx = ctx;
    e->from = ctx->ref - 364;
    e->mch = -1;
    for (int i = 0; i < ctx->n_fac; i++)
        if (ctx->fac[i].type == FT_MCH_HOSPITAL && ctx->fac[i].n_staff > 0)
            e->mch = i;
    demo_rng_seed(&e->rng, ctx->seed, DEMO_STREAM_ENCOUNTERS);
    rc = demo_out_open(&e->enc, ctx->dir, "encounters.csv",
                       "external_id,id_number,facility,date,department,type,admission_date,"
                       "discharge_date,diagnoses,staff",
                       err);
    if (rc == 0)
        rc = demo_out_open(&e->res, ctx->dir, "results.csv",
                           "external_id,id_number,item,date,facility,value,unit,report,method",
                           err);
    if (rc == 0)
        rc = demo_out_open(&e->ref, ctx->dir, "referrals.csv",
                           "external_id,kind,result,report,direction,id_number,from_facility,"
                           "to_facility,urgency,"
                           "reason,summary,outcome,requested_at,decided_at,arrived_at,"
                           "completed_at",
                           err);
    if (rc == 0)
        rc = demo_out_open(&e->ses, ctx->dir, "expert-sessions.csv",
                           "external_id,expert,host,date,start_time,end_time,capacity", err);
    if (rc == 0)
        rc = demo_out_open(&e->book, ctx->dir, "expert-bookings.csv",
                           "session,id_number,attendance,procedures", err);
    if (rc != 0) {
        demo_encounters_close(e, NULL);
        return rc;
    }
    write_sessions(e);
    return 0;
}

int demo_encounters_close(struct demo_enc *e, struct yl_err *err)
{
    struct demo_stats *st = e->ctx->st;
    struct demo_out *outs[] = {&e->enc, &e->res, &e->ref, &e->ses, &e->book};
    int rc = 0;
    st->encounters = e->enc.rows;
    st->visits = e->visits;
    st->grassroots_visits = e->grassroots;
    st->inpatient_stays = e->stays;
    st->inpatient_residents = e->inpatients;
    st->results = e->res.rows;
    st->referrals_up = e->referrals_up;
    st->referrals_critical = e->critical;
    st->referrals_down = e->referrals_down;
    st->expert_sessions = e->ses.rows;
    st->expert_bookings = e->book.rows;
    for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
        int rc2 = outs[i]->f != NULL ? demo_out_close(outs[i], err) : 0;
        if (rc == 0)
            rc = rc2;
    }
    return rc;
}
