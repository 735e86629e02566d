/*
 * vocab.h - the shared vocabularies of the domain (DESIGN.md §2) as tables: facility types,
 * grades, services, staff roles, key-population tags, contract packages, statuses …
 *
 * Each vocabulary is an enum whose order matches its table in vocab.c; the stored form is
 * the term's code ("township_center"), the screen form its Chinese or English name. What the
 * product enumerates is a table, so adding a facility type is adding a row here.
 */
#ifndef YL_VOCAB_H
#define YL_VOCAB_H

#include <stddef.h>
#include <stdint.h>

struct yl_err;

enum vocab_kind {
    VOCAB_FACILITY_TYPE,
    VOCAB_GRADE,
    VOCAB_OWNERSHIP,
    VOCAB_SERVICE,
    VOCAB_CENTER,
    VOCAB_FACILITY_STATUS,
    VOCAB_GROUP_KIND,
    VOCAB_STAFF_ROLE,
    VOCAB_EDUCATION,
    VOCAB_STAFF_STATUS,
    VOCAB_TAG,
    VOCAB_RESIDENT_STATUS,
    VOCAB_PACKAGE,
    VOCAB_CONTRACT_STATUS,
    VOCAB_TEAM_STATUS,
    VOCAB_KIND_COUNT
};

enum facility_type {
    FT_TERTIARY_HOSPITAL,   /* 三级医院 */
    FT_SECONDARY_HOSPITAL,  /* 二级医院 */
    FT_PRIMARY_HOSPITAL,    /* 一级医院 */
    FT_COUNTY_HOSPITAL,     /* 县级医院 */
    FT_TCM_HOSPITAL,        /* 中医医院 */
    FT_MCH_HOSPITAL,        /* 妇幼保健院 */
    FT_COMMUNITY_CENTER,    /* 社区卫生服务中心 */
    FT_COMMUNITY_STATION,   /* 社区卫生服务站 */
    FT_TOWNSHIP_CENTER,     /* 乡镇卫生院 */
    FT_VILLAGE_CLINIC,      /* 村卫生室 */
    FT_CDC,                 /* 疾病预防控制中心 */
    FT_EMERGENCY_STATION,   /* 急救站 */
    FT_INFANT_CARE,         /* 托育机构 */
    FT_COUNT
};

enum facility_grade {
    GRADE_3A, GRADE_3B, GRADE_3C, GRADE_2A, GRADE_2B, GRADE_2C, GRADE_1A, GRADE_1B, GRADE_1C,
    GRADE_NONE, GRADE_COUNT
};

enum ownership { OWN_PUBLIC, OWN_PRIVATE, OWN_COUNT };

enum service {
    SVC_PEDIATRICS, SVC_TCM, SVC_DIALYSIS, SVC_MENTAL_HEALTH, SVC_GERIATRICS, SVC_IMAGING,
    SVC_LAB, SVC_OBSTETRICS, SVC_REHABILITATION, SVC_EMERGENCY, SVC_SURGERY, SVC_DENTAL,
    SVC_IMMUNIZATION, SVC_CHRONIC_DISEASE, SVC_COUNT
};

enum center { CTR_CHEST_PAIN, CTR_STROKE, CTR_TRAUMA, CTR_MATERNAL, CTR_NEWBORN, CTR_COUNT };

enum facility_status { FSTAT_ACTIVE, FSTAT_CLOSED, FSTAT_COUNT };

enum group_kind { GK_URBAN_GROUP, GK_COUNTY_COMMUNITY, GK_SPECIALTY_ALLIANCE, GK_COUNT };

enum staff_role {
    SROLE_LICENSED_PHYSICIAN,    /* 执业医师 */
    SROLE_ASSISTANT_PHYSICIAN,   /* 执业助理医师 */
    SROLE_REGISTERED_NURSE,      /* 注册护士 */
    SROLE_GENERAL_PRACTITIONER,  /* 全科医生 (a licensed physician registered in general practice) */
    SROLE_PUBLIC_HEALTH,         /* 公共卫生人员 */
    SROLE_VILLAGE_DOCTOR,  /* 乡村医生 */
    SROLE_PHARMACIST,            /* 药师 */
    SROLE_TECHNICIAN,            /* 技师 */
    SROLE_COUNT
};

enum education {
    EDU_POSTGRADUATE, EDU_BACHELOR, EDU_COLLEGE, EDU_SECONDARY, EDU_HIGH_SCHOOL, EDU_OTHER,
    EDU_COUNT
};

enum staff_status { SSTAT_ACTIVE, SSTAT_LEFT, SSTAT_COUNT };

/* Key-population tags that are recorded (age-based groups are derived, never stored). */
enum tag {
    TAG_HYPERTENSION, TAG_DIABETES, TAG_SEVERE_MENTAL, TAG_TUBERCULOSIS, TAG_DISABLED,
    TAG_PREGNANT, TAG_SPECIAL_FAMILY, TAG_POVERTY,
    /* Not a key population: set by the referral module when a team accepts a down-referral,
     * for the 30 days in which the patient's follow-up is due (referral.h). */
    TAG_POST_REFERRAL,
    TAG_COUNT
};

enum resident_status { RSTAT_ACTIVE, RSTAT_MOVED_OUT, RSTAT_DECEASED, RSTAT_COUNT };

enum package { PKG_BASIC, PKG_ELDERLY, PKG_CHRONIC, PKG_MATERNAL_CHILD, PKG_CUSTOM, PKG_COUNT };

enum contract_status { CSTAT_ACTIVE, CSTAT_EXPIRED, CSTAT_RENEWED, CSTAT_TERMINATED,
                       CSTAT_COUNT };

enum team_status { TSTAT_ACTIVE, TSTAT_DISBANDED, TSTAT_COUNT };

struct vocab_term {
    const char *code;   /* stored and sent over the API */
    const char *zh;
    const char *en;
};

/* The terms of a vocabulary, in enum order. */
const struct vocab_term *vocab_terms(enum vocab_kind k, size_t *n);
/* The vocabulary's name for messages ("facility type"). */
const char *vocab_name(enum vocab_kind k);
/* Index of a code, or -1. */
int vocab_find(enum vocab_kind k, const char *code);
/* Code of a value; "?" when out of range. */
const char *vocab_code(enum vocab_kind k, int value);

/* Parse one code: YL_EINVAL naming `field` and listing the allowed codes when unknown. */
int vocab_parse(enum vocab_kind k, const char *code, const char *field, int *out,
                struct yl_err *err);
/* Parse a set of codes separated by spaces, commas or semicolons into a bitmask (bit = enum
 * value); "" gives 0. */
int vocab_parse_set(enum vocab_kind k, const char *codes, const char *field, uint32_t *out,
                    struct yl_err *err);
/* Write a bitmask as space-separated codes into out (n bytes). */
char *vocab_format_set(enum vocab_kind k, uint32_t set, char *out, size_t n);

#endif
