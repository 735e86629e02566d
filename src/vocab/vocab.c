/*
 * vocab.c - the tables behind vocab.h. Codes are stable (they are stored); names may be
 * improved freely.
 */
#include "vocab/vocab.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

static const struct vocab_term facility_types[FT_COUNT] = {
    {"tertiary_hospital", "三级医院", "tertiary hospital"},
    {"secondary_hospital", "二级医院", "secondary hospital"},
    {"primary_hospital", "一级医院", "primary hospital"},
    {"county_hospital", "县级医院", "county hospital"},
    {"tcm_hospital", "中医医院", "TCM hospital"},
    {"mch_hospital", "妇幼保健院", "maternal and child health hospital"},
    {"community_center", "社区卫生服务中心", "community health service center"},
    {"community_station", "社区卫生服务站", "community health service station"},
    {"township_center", "乡镇卫生院", "township health center"},
    {"village_clinic", "村卫生室", "village clinic"},
    {"cdc", "疾病预防控制中心", "center for disease control"},
    {"emergency_station", "急救站", "emergency (120) station"},
    {"infant_care", "托育机构", "infant care institution"},
};

static const struct vocab_term grades[GRADE_COUNT] = {
    {"3A", "三级甲等", "grade 3A"}, {"3B", "三级乙等", "grade 3B"}, {"3C", "三级丙等", "grade 3C"},
    {"2A", "二级甲等", "grade 2A"}, {"2B", "二级乙等", "grade 2B"}, {"2C", "二级丙等", "grade 2C"},
    {"1A", "一级甲等", "grade 1A"}, {"1B", "一级乙等", "grade 1B"}, {"1C", "一级丙等", "grade 1C"},
    {"none", "未定级", "ungraded"},
};

static const struct vocab_term ownerships[OWN_COUNT] = {
    {"public", "公立", "public"},
    {"private", "民营", "private"},
};

static const struct vocab_term services[SVC_COUNT] = {
    {"pediatrics", "儿科", "pediatrics"},
    {"tcm", "中医", "traditional Chinese medicine"},
    {"dialysis", "血液透析", "dialysis"},
    {"mental_health", "精神心理门诊", "mental health clinic"},
    {"geriatrics", "老年医学科", "geriatrics"},
    {"imaging", "影像", "imaging"},
    {"lab", "检验", "laboratory"},
    {"obstetrics", "产科", "obstetrics"},
    {"rehabilitation", "康复", "rehabilitation"},
    {"emergency", "急诊", "emergency"},
    {"surgery", "外科", "surgery"},
    {"dental", "口腔", "dental"},
    {"immunization", "预防接种", "immunization"},
    {"chronic_disease", "慢病管理", "chronic disease management"},
};

static const struct vocab_term centers[CTR_COUNT] = {
    {"chest_pain", "胸痛中心", "chest pain center"},
    {"stroke", "卒中中心", "stroke center"},
    {"trauma", "创伤中心", "trauma center"},
    {"maternal_critical", "危重孕产妇救治中心", "critical maternal care center"},
    {"newborn_critical", "危重新生儿救治中心", "critical newborn care center"},
};

static const struct vocab_term facility_statuses[FSTAT_COUNT] = {
    {"active", "运营", "active"},
    {"closed", "关闭", "closed"},
};

static const struct vocab_term group_kinds[GK_COUNT] = {
    {"urban_group", "城市医疗集团", "urban medical group"},
    {"county_community", "紧密型县域医共体", "compact county medical community"},
    {"specialty_alliance", "专科联盟", "specialty alliance"},
};

static const struct vocab_term staff_roles[SROLE_COUNT] = {
    {"licensed_physician", "执业医师", "licensed physician"},
    {"assistant_physician", "执业助理医师", "assistant physician"},
    {"registered_nurse", "注册护士", "registered nurse"},
    {"general_practitioner", "全科医生", "general practitioner"},
    {"public_health", "公共卫生人员", "public health staff"},
    {"village_doctor", "乡村医生", "village doctor"},
    {"pharmacist", "药师", "pharmacist"},
    {"technician", "技师", "technician"},
};

static const struct vocab_term educations[EDU_COUNT] = {
    {"postgraduate", "研究生", "postgraduate"},
    {"bachelor", "本科", "bachelor"},
    {"college", "大专", "college"},
    {"secondary", "中专", "secondary vocational"},
    {"high_school", "高中及以下", "high school or less"},
    {"other", "其他", "other"},
};

static const struct vocab_term staff_statuses[SSTAT_COUNT] = {
    {"active", "在岗", "active"},
    {"left", "离岗", "left"},
};

static const struct vocab_term tags[TAG_COUNT] = {
    {"hypertension", "高血压", "hypertension"},
    {"diabetes", "2型糖尿病", "type 2 diabetes"},
    {"severe_mental", "严重精神障碍", "severe mental disorder"},
    {"tuberculosis", "肺结核", "tuberculosis"},
    {"disabled", "残疾人", "disabled"},
    {"pregnant", "孕产妇", "pregnant or postpartum"},
    {"special_family", "计划生育特殊家庭", "special family-planning family"},
    {"poverty", "脱贫监测人口", "poverty-monitored"},
    {"post_referral", "下转患者", "referred down for follow-up"},
};

static const struct vocab_term resident_statuses[RSTAT_COUNT] = {
    {"active", "在册", "active"},
    {"moved_out", "迁出", "moved out"},
    {"deceased", "死亡", "deceased"},
};

static const struct vocab_term packages[PKG_COUNT] = {
    {"basic", "基础服务包", "basic"},
    {"elderly", "老年人服务包", "elderly"},
    {"chronic", "慢病服务包", "chronic disease"},
    {"maternal_child", "母婴服务包", "maternal and child"},
    {"custom", "个性化服务包", "custom"},
};

static const struct vocab_term contract_statuses[CSTAT_COUNT] = {
    {"active", "有效", "active"},
    {"expired", "到期", "expired"},
    {"renewed", "已续约", "renewed"},
    {"terminated", "解约", "terminated"},
};

static const struct vocab_term team_statuses[TSTAT_COUNT] = {
    {"active", "在服务", "active"},
    {"disbanded", "已撤销", "disbanded"},
};

static const struct {
    const char *name;
    const struct vocab_term *terms;
    size_t n;
} vocabs[VOCAB_KIND_COUNT] = {
    [VOCAB_FACILITY_TYPE] = {"facility type", facility_types, FT_COUNT},
    [VOCAB_GRADE] = {"grade", grades, GRADE_COUNT},
    [VOCAB_OWNERSHIP] = {"ownership", ownerships, OWN_COUNT},
    [VOCAB_SERVICE] = {"service", services, SVC_COUNT},
    [VOCAB_CENTER] = {"designated center", centers, CTR_COUNT},
    [VOCAB_FACILITY_STATUS] = {"facility status", facility_statuses, FSTAT_COUNT},
    [VOCAB_GROUP_KIND] = {"group kind", group_kinds, GK_COUNT},
    [VOCAB_STAFF_ROLE] = {"staff role", staff_roles, SROLE_COUNT},
    [VOCAB_EDUCATION] = {"education", educations, EDU_COUNT},
    [VOCAB_STAFF_STATUS] = {"staff status", staff_statuses, SSTAT_COUNT},
    [VOCAB_TAG] = {"key-population tag", tags, TAG_COUNT},
    [VOCAB_RESIDENT_STATUS] = {"resident status", resident_statuses, RSTAT_COUNT},
    [VOCAB_PACKAGE] = {"service package", packages, PKG_COUNT},
    [VOCAB_CONTRACT_STATUS] = {"contract status", contract_statuses, CSTAT_COUNT},
    [VOCAB_TEAM_STATUS] = {"team status", team_statuses, TSTAT_COUNT},
};

const struct vocab_term *vocab_terms(enum vocab_kind k, size_t *n)
{
    *n = vocabs[k].n;
    return vocabs[k].terms;
}

const char *vocab_name(enum vocab_kind k)
{
    return vocabs[k].name;
}

int vocab_find(enum vocab_kind k, const char *code)
{
    for (size_t i = 0; code != NULL && i < vocabs[k].n; i++)
        if (strcmp(vocabs[k].terms[i].code, code) == 0)
            return (int)i;
    return -1;
}

const char *vocab_code(enum vocab_kind k, int value)
{
    if (value < 0 || (size_t)value >= vocabs[k].n)
        return "?";
    return vocabs[k].terms[value].code;
}

static int unknown(enum vocab_kind k, const char *field, struct yl_err *err)
{
    char allowed[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < vocabs[k].n && used < sizeof(allowed); i++)
        used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "",
                                 vocabs[k].terms[i].code);
    return yl_err_set(err, YL_EINVAL, field, "unknown %s; use one of %s", vocabs[k].name,
                      allowed);
}

int vocab_parse(enum vocab_kind k, const char *code, const char *field, int *out,
                struct yl_err *err)
{
    int v = vocab_find(k, code);
    if (v < 0)
        return unknown(k, field, err);
    *out = v;
    return 0;
}

int vocab_parse_set(enum vocab_kind k, const char *codes, const char *field, uint32_t *out,
                    struct yl_err *err)
{
    uint32_t set = 0;
    const char *p = codes ? codes : "";
    while (*p != '\0') {
        while (*p == ' ' || *p == ',' || *p == ';')
            p++;
        size_t n = strcspn(p, " ,;");
        if (n == 0)
            break;
        char word[64];
        if (n >= sizeof(word))
            return unknown(k, field, err);
        memcpy(word, p, n);
        word[n] = '\0';
        int v = vocab_find(k, word);
        if (v < 0)
            return unknown(k, field, err);
        set |= 1u << v;
        p += n;
    }
    *out = set;
    return 0;
}

char *vocab_format_set(enum vocab_kind k, uint32_t set, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < vocabs[k].n && i < 32 && used < n; i++)
        if (set & (1u << i))
            used += (size_t)snprintf(out + used, n - used, "%s%s", used ? " " : "",
                                     vocabs[k].terms[i].code);
    return out;
}
