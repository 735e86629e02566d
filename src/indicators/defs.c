/*
 * defs.c - the indicator definitions as one table: what a health commission reports
 * (issue 3, "Population index and indicators"), each as numerator, denominator, population
 * filter and scale over the measures of compute.c. Adding an indicator is adding a row.
 *
 * Sources of the definitions: the family-doctor signing indicators of the national basic
 * public health service; the health-resource ratios of the China Health Statistics
 * Yearbook (per 1,000 resident population; general practitioners per 10,000); infant and
 * under-5 mortality per 1,000 live births and maternal mortality per 100,000 live births.
 */
#include <string.h>

#include "indicators/indicators.h"

#define POP "resident population (ou_population of the reference year)"
#define CHRONIC(prog, cm) IND_M_CHRONIC + IND_CHRONIC_##prog * IND_CM_COUNT + IND_CM_##cm
#define CNT "none: a count"
/* Targets are data (data/indicator-targets.csv), set by ind_catalog_new. */
#define NO_TARGET {IND_DIR_NONE, 0.0, ""}

#define SIGNING(id, zh, en, pop, base) \
    {id, zh, en, IND_M_SIGNED, IND_M_RECORDS, pop, 100, "%", base, NO_TARGET}
#define INSTITUTIONS(code, type, zh, en) \
    {"institutions_" code, zh "数", en, IND_M_FACILITIES + type, IND_M_ONE, IND_POP_ALL, 1, \
     "count", CNT, NO_TARGET}

/* Secondary-and-above public general hospitals, as the service-coverage rows count them. */
#define HOSP "active public general hospitals (tertiary, secondary, primary or county) of grade " \
             "2C or above, or of type tertiary, secondary or county hospital"
#define CENTERS "active township health centers and community health service centers"

static const struct ind_def defs[] = {
    {"resident_population", "常住人口", "resident population", IND_M_POPULATION, IND_M_ONE,
     IND_POP_ALL, 1, "persons", CNT, NO_TARGET},
    {"records", "建档人数", "residents with a health record", IND_M_RECORDS, IND_M_ONE,
     IND_POP_ALL, 1, "persons", CNT, NO_TARGET},
    {"signed", "签约人数", "residents signed with a family doctor", IND_M_SIGNED, IND_M_ONE,
     IND_POP_ALL, 1, "persons", CNT, NO_TARGET},
    {"record_coverage", "居民健康档案建档率", "health record coverage", IND_M_RECORDS,
     IND_M_POPULATION, IND_POP_ALL, 100, "%", POP, NO_TARGET},
    {"signing_rate", "家庭医生签约率", "family doctor signing rate", IND_M_SIGNED,
     IND_M_POPULATION, IND_POP_ALL, 100, "%", POP, NO_TARGET},
    SIGNING("signing_rate_elderly", "65岁及以上老年人签约率", "signing rate, aged 65 and over",
            IND_POP_AGE65, "residents with a record aged 65 and over"),
    SIGNING("signing_rate_children", "0-6岁儿童签约率", "signing rate, children aged 0-6",
            IND_POP_AGE0_6, "residents with a record aged 0 to 6"),
    SIGNING("signing_rate_hypertension", "高血压患者签约率", "signing rate, hypertension",
            IND_POP_HYPERTENSION, "residents with a record tagged hypertension"),
    SIGNING("signing_rate_diabetes", "2型糖尿病患者签约率", "signing rate, type 2 diabetes",
            IND_POP_DIABETES, "residents with a record tagged type 2 diabetes"),
    SIGNING("signing_rate_severe_mental", "严重精神障碍患者签约率",
            "signing rate, severe mental disorder", IND_POP_SEVERE_MENTAL,
            "residents with a record tagged severe mental disorder"),
    SIGNING("signing_rate_tuberculosis", "肺结核患者签约率", "signing rate, tuberculosis",
            IND_POP_TUBERCULOSIS, "residents with a record tagged tuberculosis"),
    SIGNING("signing_rate_disabled", "残疾人签约率", "signing rate, disabled", IND_POP_DISABLED,
            "residents with a record tagged disabled"),
    SIGNING("signing_rate_pregnant", "孕产妇签约率", "signing rate, pregnant and postpartum",
            IND_POP_PREGNANT, "residents with a record tagged pregnant or postpartum"),
    SIGNING("signing_rate_poverty", "脱贫监测人口签约率", "signing rate, poverty-monitored",
            IND_POP_POVERTY, "residents with a record tagged poverty-monitored"),
    SIGNING("signing_rate_key", "重点人群签约率", "signing rate, key populations", IND_POP_KEY,
            "residents with a record in at least one key population (65+, 0-6 or a tag)"),
    SIGNING("signing_rate_special_family", "计划生育特殊家庭签约率",
            "signing rate, special family-planning families", IND_POP_SPECIAL_FAMILY,
            "residents with a record tagged special family-planning family"),
    INSTITUTIONS("tertiary_hospital", FT_TERTIARY_HOSPITAL, "三级医院", "tertiary hospitals"),
    INSTITUTIONS("secondary_hospital", FT_SECONDARY_HOSPITAL, "二级医院", "secondary hospitals"),
    INSTITUTIONS("primary_hospital", FT_PRIMARY_HOSPITAL, "一级医院", "primary hospitals"),
    INSTITUTIONS("county_hospital", FT_COUNTY_HOSPITAL, "县级医院", "county hospitals"),
    INSTITUTIONS("tcm_hospital", FT_TCM_HOSPITAL, "中医医院", "TCM hospitals"),
    INSTITUTIONS("mch_hospital", FT_MCH_HOSPITAL,
                 "妇幼保健院", "maternal and child health hospitals"),
    INSTITUTIONS("community_center", FT_COMMUNITY_CENTER,
                 "社区卫生服务中心", "community health service centers"),
    INSTITUTIONS("community_station", FT_COMMUNITY_STATION,
                 "社区卫生服务站", "community health service stations"),
    INSTITUTIONS("township_center", FT_TOWNSHIP_CENTER, "乡镇卫生院", "township health centers"),
    INSTITUTIONS("village_clinic", FT_VILLAGE_CLINIC, "村卫生室", "village clinics"),
    INSTITUTIONS("cdc", FT_CDC, "疾病预防控制中心", "centers for disease control"),
    INSTITUTIONS("emergency_station", FT_EMERGENCY_STATION, "急救站", "emergency (120) stations"),
    INSTITUTIONS("infant_care", FT_INFANT_CARE, "托育机构", "infant care institutions"),
    {"beds_per_1000", "每千人口医疗卫生机构床位数", "beds per 1,000 population", IND_M_BEDS,
     IND_M_POPULATION, IND_POP_ALL, 1000, "per 1,000", POP, NO_TARGET},
    {"icu_beds_per_1000", "每千人口ICU床位数", "ICU beds per 1,000 population",
     IND_M_ICU_BEDS, IND_M_POPULATION, IND_POP_ALL, 1000, "per 1,000", POP, NO_TARGET},
    {"physicians_per_1000", "每千人口执业（助理）医师数",
     "licensed and assistant physicians per 1,000 population (GPs included)",
     IND_M_PHYSICIANS, IND_M_POPULATION, IND_POP_ALL, 1000, "per 1,000", POP, NO_TARGET},
    {"nurses_per_1000", "每千人口注册护士数", "registered nurses per 1,000 population",
     IND_M_NURSES, IND_M_POPULATION, IND_POP_ALL, 1000, "per 1,000", POP, NO_TARGET},
    {"public_health_staff_per_1000", "每千人口公共卫生人员数",
     "public health staff per 1,000 population", IND_M_PUBLIC_HEALTH, IND_M_POPULATION,
     IND_POP_ALL, 1000, "per 1,000", POP, NO_TARGET},
    {"gps_per_10000", "每万人口全科医生数", "general practitioners per 10,000 population",
     IND_M_GPS, IND_M_POPULATION, IND_POP_ALL, 10000, "per 10,000", POP, NO_TARGET},
    {"infant_care_places_per_1000", "每千人口托位数", "infant care places per 1,000 population",
     IND_M_INFANT_CARE_PLACES, IND_M_POPULATION, IND_POP_ALL, 1000, "per 1,000", POP, NO_TARGET},
    {"teams", "家庭医生团队数", "family doctor teams", IND_M_TEAMS, IND_M_ONE, IND_POP_ALL, 1,
     "count", CNT, NO_TARGET},
    {"signed_per_team", "团队平均签约居民数", "signed residents per team", IND_M_SIGNED_TEAM,
     IND_M_TEAMS, IND_POP_ALL, 1, "residents per team",
     "active teams whose lead facility stands in the unit (numerator: the residents they "
     "have signed)", NO_TARGET},
    {"infant_mortality", "婴儿死亡率", "infant mortality rate", IND_M_DEATHS_INFANT,
     IND_M_BIRTHS, IND_POP_ALL, 1000, "‰", "live births in the period", NO_TARGET},
    {"under5_mortality", "5岁以下儿童死亡率", "under-5 mortality rate", IND_M_DEATHS_UNDER5,
     IND_M_BIRTHS, IND_POP_ALL, 1000, "‰", "live births in the period", NO_TARGET},
    {"maternal_mortality", "孕产妇死亡率", "maternal mortality ratio", IND_M_DEATHS_MATERNAL,
     IND_M_BIRTHS, IND_POP_ALL, 100000, "per 100,000 live births", "live births in the period", NO_TARGET},
    {"hospitals_pediatrics", "二级及以上公立综合医院设置儿科比例",
     "secondary-and-above public general hospitals with pediatrics", IND_M_HOSPITALS_PEDIATRICS,
     IND_M_HOSPITALS, IND_POP_ALL, 100, "%", HOSP, NO_TARGET},
    {"hospitals_geriatrics", "二级及以上公立综合医院设置老年医学科比例",
     "secondary-and-above public general hospitals with geriatrics",
     IND_M_HOSPITALS_GERIATRICS, IND_M_HOSPITALS, IND_POP_ALL, 100, "%", HOSP, NO_TARGET},
    {"hospitals_mental_health", "二级及以上公立综合医院设置精神心理门诊比例",
     "secondary-and-above public general hospitals with a mental health clinic",
     IND_M_HOSPITALS_MENTAL, IND_M_HOSPITALS, IND_POP_ALL, 100, "%", HOSP, NO_TARGET},
    {"primary_centers_tcm", "乡镇卫生院和社区卫生服务中心提供中医药服务比例",
     "township and community health service centers offering TCM", IND_M_PRIMARY_TCM,
     IND_M_PRIMARY_CENTERS, IND_POP_ALL, 100, "%", CENTERS, NO_TARGET},
    {"primary_centers_pediatrics", "乡镇卫生院和社区卫生服务中心提供儿科服务比例",
     "township and community health service centers offering pediatrics",
     IND_M_PRIMARY_PEDIATRICS, IND_M_PRIMARY_CENTERS, IND_POP_ALL, 100, "%", CENTERS, NO_TARGET},
    {"counties_dialysis", "10万人口以上县（市、区）具备血液透析服务能力比例",
     "counties above 100,000 population with dialysis", IND_M_COUNTIES_BIG_DIALYSIS,
     IND_M_COUNTIES_BIG, IND_POP_ALL, 100, "%",
     "counties (level 3) whose resident population is above 100,000", NO_TARGET},
    {"village_clinics_qualified", "村卫生室有执业（助理）医师或大专以上学历乡村医生比例",
     "village clinics with a licensed (assistant) physician or a college-educated village "
     "doctor", IND_M_VILLAGE_CLINICS_QUALIFIED, IND_M_VILLAGE_CLINICS, IND_POP_ALL, 100, "%",
     "active village clinics", NO_TARGET},
    /* The service rates of issue 4 (rates.c; numerators in docs/indicators.md). */
    {"contract_fulfilment", "家庭医生签约服务履约率", "contract fulfilment rate",
     IND_M_SIGNED_SERVED, IND_M_SIGNED, IND_POP_ALL, 100, "%",
     "residents with a contract covering the reference date (numerator: those served in "
     "the period as their package promises)", NO_TARGET},
    {"elderly_health_management", "老年人健康管理率", "elderly health management rate",
     IND_M_ELDERLY_CHECKED, IND_M_ELDERLY, IND_POP_ALL, 100, "%",
     "residents with a record of the elderly yearly check's ages (65 and over) on the "
     "reference date", NO_TARGET},
    {"hypertension_management", "高血压患者管理率", "hypertension management coverage",
     CHRONIC(HYPERTENSION, MANAGED), CHRONIC(HYPERTENSION, PATIENTS), IND_POP_ALL, 100, "%",
     "residents with a record tagged hypertension on the reference date", NO_TARGET},
    {"hypertension_standardized_management", "高血压患者规范管理率",
     "hypertension standardized management rate", CHRONIC(HYPERTENSION, STANDARD),
     CHRONIC(HYPERTENSION, MANAGED), IND_POP_ALL, 100, "%",
     "hypertension patients managed in the period (at least one follow-up)", NO_TARGET},
    {"hypertension_control", "管理人群血压控制率", "blood pressure control rate",
     CHRONIC(HYPERTENSION, CONTROLLED), CHRONIC(HYPERTENSION, MANAGED), IND_POP_ALL, 100, "%",
     "hypertension patients managed in the period (at least one follow-up)", NO_TARGET},
    {"diabetes_management", "2型糖尿病患者管理率", "type 2 diabetes management coverage",
     CHRONIC(DIABETES, MANAGED), CHRONIC(DIABETES, PATIENTS), IND_POP_ALL, 100, "%",
     "residents with a record tagged type 2 diabetes on the reference date", NO_TARGET},
    {"diabetes_standardized_management", "2型糖尿病患者规范管理率",
     "type 2 diabetes standardized management rate", CHRONIC(DIABETES, STANDARD),
     CHRONIC(DIABETES, MANAGED), IND_POP_ALL, 100, "%",
     "type 2 diabetes patients managed in the period (at least one follow-up)", NO_TARGET},
    {"diabetes_control", "管理人群血糖控制率", "blood glucose control rate",
     CHRONIC(DIABETES, CONTROLLED), CHRONIC(DIABETES, MANAGED), IND_POP_ALL, 100, "%",
     "type 2 diabetes patients managed in the period (at least one follow-up)", NO_TARGET},
    {"severe_mental_management", "严重精神障碍患者管理率",
     "severe mental disorder management coverage", CHRONIC(MENTAL, MANAGED),
     CHRONIC(MENTAL, PATIENTS), IND_POP_ALL, 100, "%",
     "residents with a record tagged severe mental disorder on the reference date", NO_TARGET},
    {"severe_mental_standardized_management", "严重精神障碍患者规范管理率",
     "severe mental disorder standardized management rate", CHRONIC(MENTAL, STANDARD),
     CHRONIC(MENTAL, PATIENTS), IND_POP_ALL, 100, "%",
     "residents with a record tagged severe mental disorder on the reference date (the "
     "specification's base: patients registered, not only those managed)", NO_TARGET},
    {"newborn_visit", "新生儿访视率", "newborn visit rate", IND_M_NEWBORN_VISITED,
     IND_M_BIRTHS, IND_POP_ALL, 100, "%", "live births in the period", NO_TARGET},
    {"child_health_management", "0～6岁儿童健康管理率", "child health management rate (0-6)",
     IND_M_CHILDREN_CHECKED, IND_M_CHILDREN, IND_POP_ALL, 100, "%",
     "residents with a record of the child programme's ages (0 to 6) on the reference date", NO_TARGET},
    {"early_pregnancy_registration", "早孕建册率", "early pregnancy registration rate",
     IND_M_DELIVERIES_EARLY, IND_M_DELIVERIES, IND_POP_ALL, 100, "%",
     "deliveries in the period (pregnancy tags that ended in a delivery)", NO_TARGET},
    {"postpartum_visit", "产后访视率", "postpartum visit rate", IND_M_DELIVERIES_POSTPARTUM,
     IND_M_DELIVERIES, IND_POP_ALL, 100, "%",
     "deliveries in the period (pregnancy tags that ended in a delivery)", NO_TARGET},
    {"tuberculosis_management", "肺结核患者管理率", "tuberculosis patient management rate",
     IND_M_TB_VISITED, IND_M_TB_NOTIFIED, IND_POP_ALL, 100, "%",
     "tuberculosis patients notified in the period (tuberculosis tags beginning in it)", NO_TARGET},
    {"elderly_tcm_management", "老年人中医药健康管理率", "elderly TCM health management rate",
     IND_M_TCM_ELDERLY_DONE, IND_M_TCM_ELDERLY, IND_POP_ALL, 100, "%",
     "residents with a record of the elderly TCM item's ages (65 and over) on the reference "
     "date", NO_TARGET},
    {"child_tcm_management", "0～36个月儿童中医药健康管理率", "child TCM health management rate",
     IND_M_TCM_CHILDREN_DONE, IND_M_TCM_CHILDREN, IND_POP_ALL, 100, "%",
     "residents with a record younger on the reference date than the last child TCM window "
     "closes (0 to 36 months)", NO_TARGET},
    {"key_population_managed", "重点人群管理人数", "key-population residents managed",
     IND_M_KEY_MANAGED, IND_M_ONE, IND_POP_ALL, 1, "persons", CNT, NO_TARGET},
    {"services_delivered", "基本公共卫生服务人次", "public health services delivered",
     IND_M_SERVICES, IND_M_ONE, IND_POP_ALL, 1, "services", CNT, NO_TARGET},
};

const struct ind_def *ind_defs(size_t *n)
{
    *n = sizeof(defs) / sizeof(defs[0]);
    return defs;
}

const struct ind_def *ind_def_find(const char *id)
{
    for (size_t i = 0; id != NULL && i < sizeof(defs) / sizeof(defs[0]); i++)
        if (strcmp(defs[i].id, id) == 0)
            return &defs[i];
    return NULL;
}

enum ind_measure ind_measure_at(enum ind_measure m, enum ind_pop pop)
{
    if (m == IND_M_RECORDS || m == IND_M_SIGNED)
        return (enum ind_measure)(m + pop);
    return m;
}
