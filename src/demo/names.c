/*
 * names.c - the demo's personal names as data: surnames weighted by frequency (the common
 * surnames of north-east China; the Korean-Chinese ones of Yanbian: 金 李 朴 崔 郑 …) and
 * given names by sex, ethnicity and generation (a 秀英 born in 1950, a 欣怡 in 2015).
 * Frequencies are rounded from published surname rankings; the names are invented.
 */
#include "demo/demo_int.h"

struct demo_weighted_name {
    const char *name;
    int weight; /* relative frequency, per mille */
};

static const struct demo_weighted_name han_surnames[] = {
    {"王", 78}, {"李", 74}, {"张", 70}, {"刘", 62}, {"陈", 30}, {"杨", 28}, {"赵", 30}, {"黄", 12},
    {"周", 16}, {"吴", 14}, {"徐", 16}, {"孙", 28}, {"马", 16}, {"朱", 12}, {"胡", 10}, {"郭", 14},
    {"何", 8},  {"高", 18}, {"林", 8},  {"罗", 6},  {"郑", 8},  {"梁", 8},  {"谢", 6},  {"宋", 10},
    {"唐", 6},  {"许", 6},  {"韩", 12}, {"冯", 8},  {"邓", 5},  {"曹", 8},  {"彭", 4},  {"曾", 3},
    {"肖", 6},  {"田", 8},  {"董", 10}, {"袁", 5},  {"潘", 4},  {"于", 24}, {"蒋", 4},  {"蔡", 3},
    {"杜", 6},  {"叶", 3},  {"程", 5},  {"苏", 6},  {"魏", 8},  {"吕", 6},  {"丁", 6},  {"任", 6},
    {"沈", 4},  {"姚", 4},  {"卢", 4},  {"姜", 12}, {"崔", 8},  {"谭", 3},  {"陆", 3},  {"范", 6},
    {"金", 6},  {"石", 5},  {"贾", 6},  {"付", 6},  {"白", 6},  {"孟", 6},  {"秦", 4},  {"尹", 4},
    {"薛", 4},  {"闫", 5},  {"段", 4},  {"侯", 5},  {"史", 4},  {"郝", 5},  {"邵", 3},  {"孔", 3},
    {"关", 6},  {"佟", 4},  {"那", 2},  {"富", 2},  {"满", 2},
};

static const struct demo_weighted_name korean_surnames[] = {
    {"金", 220}, {"李", 150}, {"朴", 100}, {"崔", 60}, {"郑", 50}, {"姜", 28}, {"赵", 25},
    {"张", 25},  {"尹", 25},  {"林", 18},  {"韩", 18}, {"申", 15}, {"吴", 18}, {"徐", 15},
    {"权", 12},  {"黄", 12},  {"安", 14},  {"宋", 14}, {"柳", 10}, {"洪", 10}, {"全", 12},
    {"高", 10},  {"文", 10},  {"孙", 8},   {"梁", 8},  {"白", 8},  {"许", 10}, {"南", 8},
    {"沈", 6},   {"卢", 6},   {"玄", 5},   {"方", 5},  {"严", 5},  {"车", 5},  {"千", 4},
    {"池", 4},   {"河", 3},   {"禹", 3},   {"具", 3},  {"太", 3},  {"俞", 4},  {"明", 3},
};

/* Given names: [ethnicity: 0 Han, 1 Korean][sex: 0 male, 1 female][generation], each a
 * space-separated list. Generations: born before 1960, 1960-1989, 1990 and later. */
static const char *const given_names[2][2][3] = {
    {
        {
            "德明 国华 志刚 玉山 福林 树林 长海 凤山 德胜 宝山 振国 文彬 庆祥 永福 海山 "
            "景春 殿臣 连生 玉林 春生 洪福 广才 桂林 万山 富贵 国庆 占武 金山 忠义 德才 "
            "凤岐 长富 玉成 春和 德福 宝林 景山 振江 庆林 永贵",
            "建国 建华 志强 永刚 海涛 建军 立新 卫东 红军 志勇 振华 文涛 海波 晓东 伟 "
            "军 勇 刚 强 鹏 磊 斌 涛 明 辉 东 峰 杰 宏伟 春雷 晓光 国强 建平 俊峰 海军 "
            "大伟 玉峰 国军 建明 长江 雪峰 金龙 晓峰 立军 宏亮",
            "浩然 子轩 宇航 俊杰 博文 浩宇 子豪 天佑 梓轩 一鸣 宇轩 鑫 浩 宇 帅 昊天 "
            "思远 嘉豪 明轩 文博 皓轩 泽宇 俊熙 铭泽 锦程 子墨 奕辰 梓睿 雨泽 家豪 "
            "鹏飞 佳乐 天宇 志远 晨阳 宇哲 博涵 睿泽 一凡 嘉懿",
        },
        {
            "秀英 桂兰 玉兰 淑珍 秀兰 凤英 桂芳 玉珍 素珍 淑芬 秀珍 玉芝 桂珍 淑兰 凤兰 "
            "秀芝 桂英 玉梅 淑华 翠兰 秀云 桂荣 凤芝 玉华 淑英 秀荣 桂芝 素芬 凤琴 秀芳 "
            "玉琴 桂香 淑贤 凤霞 秀清 玉凤 桂琴 淑琴 玉荣 凤云",
            "丽 艳 敏 静 红 丽华 秀梅 红梅 丽娟 晓燕 春燕 海燕 艳红 丽萍 玉红 晓红 慧 颖 "
            "丽丽 艳华 淑梅 雪梅 秀丽 晓丽 春梅 凤霞 美玲 爱华 彩霞 丽艳 晓梅 红艳 艳玲 "
            "亚萍 丽君 海英 春华 秋菊 立华 晓静 玉洁 宏艳 冬梅 雪莲",
            "欣怡 雨桐 梓涵 思彤 诗涵 子涵 佳怡 雨欣 欣妍 可欣 婷婷 雪 悦 佳琪 梦瑶 紫涵 "
            "一诺 诗琪 思琪 雨涵 晨曦 若曦 语嫣 欣然 馨怡 佳欣 晓雪 梓萱 可馨 安琪 "
            "雨婷 佳慧 思雨 梦琪 雅静 心怡 芷若 沐晴 依诺 语桐",
        },
    },
    {
        {
            "哲洙 永洙 昌洙 龙洙 成浩 光日 东日 明哲 永哲 英哲 相哲 正日 云龙 凤洙 万石 "
            "学哲 春日 京洙 南哲 元植 奉洙 顺哲 泰俊 斗万 昌国 锡范 龙范 基哲 凤学 泰石",
            "成哲 光浩 正浩 勇哲 东哲 哲龙 永吉 成龙 明浩 吉男 光哲 春吉 文哲 虎男 日男 "
            "海龙 成日 龙浩 京日 光明 昌浩 东浩 永男 哲浩 英男 成国 光男 龙哲 日哲 正龙",
            "俊浩 成民 在勋 相宇 东旭 哲宇 敏浩 泰民 民俊 志勋 宇镇 俊熙 英俊 成勋 智勋 "
            "贤宇 承俊 贤俊 东俊 在民 圣浩 振宇 俊英 敏哲 泰贤 允浩 炫宇 浩民 成俊 宰亨",
        },
        {
            "顺姬 英淑 玉顺 贞淑 明淑 英子 春花 善姬 福顺 今顺 贞子 花子 玉花 顺子 贞顺 "
            "锦花 福姬 爱子 粉玉 英顺 顺玉 贞玉 春子 玉女 福子 正淑 顺福 今花 明子 银淑",
            "美兰 贞姬 惠英 英姬 明姬 英花 美玉 京子 顺英 春姬 美善 红梅 英兰 香兰 莲花 "
            "美子 银姬 丽花 贞爱 英玉 美花 明玉 春兰 贞花 美淑 香花 善玉 京花 英美 顺花",
            "美娜 秀妍 惠珍 智慧 英美 敏智 恩惠 秀贤 贤珠 智媛 素妍 美贤 娜英 敏京 惠媛 "
            "秀珍 智恩 多仁 雅琳 恩静 瑞妍 秀彬 佳恩 惠善 智妍 恩珠 敏瑞 夏恩 彩妍 允儿",
        },
    },
};

void demo_names_init(struct demo_names *nm)
{
    memset(nm, 0, sizeof(*nm));
    for (size_t i = 0; i < sizeof(han_surnames) / sizeof(han_surnames[0]); i++)
        nm->surname_total[0] += (uint32_t)han_surnames[i].weight;
    for (size_t i = 0; i < sizeof(korean_surnames) / sizeof(korean_surnames[0]); i++)
        nm->surname_total[1] += (uint32_t)korean_surnames[i].weight;
    for (int e = 0; e < 2; e++)
        for (int s = 0; s < 2; s++)
            for (int g = 0; g < 3; g++) {
                struct demo_name_list *l = &nm->given[e][s][g];
                const char *p = given_names[e][s][g];
                while (*p != '\0' && l->n < DEMO_NAME_LIST_MAX) {
                    while (*p == ' ')
                        p++;
                    if (*p == '\0')
                        break;
                    l->word[l->n] = p;
                    l->len[l->n] = (uint8_t)strcspn(p, " ");
                    p += l->len[l->n];
                    l->n++;
                }
            }
}

const char *demo_surname(const struct demo_names *nm, struct demo_rng *r, bool korean)
{
    const struct demo_weighted_name *t = korean ? korean_surnames : han_surnames;
    size_t n = korean ? sizeof(korean_surnames) / sizeof(korean_surnames[0])
                      : sizeof(han_surnames) / sizeof(han_surnames[0]);
    int x = (int)demo_rng_below(r, nm->surname_total[korean ? 1 : 0]);

    for (size_t i = 0; i < n; i++) {
        if (x < t[i].weight)
            return t[i].name;
        x -= t[i].weight;
    }
    return t[0].name;
}

void demo_name(const struct demo_names *nm, struct demo_rng *r, const char *surname, bool korean,
               int sex, int birth_year, char out[DEMO_NAME_MAX])
{
    int gen = birth_year < 1960 ? 0 : (birth_year < 1990 ? 1 : 2);
    const struct demo_name_list *l = &nm->given[korean ? 1 : 0][sex == 2 ? 1 : 0][gen];
    uint32_t k = demo_rng_below(r, l->n);
    size_t sl = strlen(surname), gl = l->len[k];

    if (sl + gl >= DEMO_NAME_MAX)
        gl = DEMO_NAME_MAX - 1 - sl;
    memcpy(out, surname, sl);
    memcpy(out + sl, l->word[k], gl);
    out[sl + gl] = '\0';
}
