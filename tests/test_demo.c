/*
 * test_demo.c - the demo region generator: exact published counts, valid and unique ID
 * numbers and phones, the shape of the population (age, sex, chronic disease, deaths),
 * signing of key populations, references between the files, determinism by seed, scaling,
 * the road network, and refusal of bad options. Reads the CSV files back with the project's CSV reader.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "core/adcode.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/idno.h"
#include "demo/demo.h"
#include "services/services.h"
#include "support.h"
#include "test.h"

/* --- helpers ----------------------------------------------------------------------------- */

static struct demo_stats default_stats;
static int default_rc = 1;
static struct svc_protocol *protocol;

/* The shipped protocol, loaded once from the source tree (tests run from the root). */
static const struct svc_protocol *shipped_protocol(void)
{
    static const char *const paths[] = {"data/measurements.csv", "data/protocols.csv",
                                        "data/protocol-rules.csv"};
    struct yl_err err = {0};
    if (protocol == NULL && svc_protocol_load(paths, 3, &protocol, &err) != 0)
        fprintf(stderr, "    protocol: %s\n", yl_err_message(&err));
    return protocol;
}

/* The default region, generated once for the tests that read it. */
static const char *default_dir(void)
{
    static int done;
    const char *dir = ts_path("default");
    if (!done) {
        struct demo_options opt;
        struct yl_err err = {0};
        demo_options_init(&opt);
        opt.protocol = shipped_protocol();
        done = 1;
        default_rc = demo_generate(&opt, dir, &default_stats, &err);
        if (default_rc != 0)
            fprintf(stderr, "    demo_generate: %s\n", yl_err_message(&err));
        else
            fprintf(stderr, "    default region: %ld residents in %.2f s (%.0f/s, sanitizers on)\n",
                    default_stats.residents, default_stats.elapsed_s,
                    default_stats.residents_per_s);
    }
    return dir;
}

struct table {
    FILE *f;
    struct csv_reader *r;
};

static int table_open(struct table *t, const char *dir, const char *name)
{
    char path[600];
    struct yl_err err = {0};
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    t->f = fopen(path, "rb");
    if (t->f == NULL)
        return -1;
    t->r = csv_open(t->f, 0);
    return csv_read_header(t->r, NULL, &err);
}

static int table_next(struct table *t)
{
    struct yl_err err = {0};
    return csv_next(t->r, &err);
}

static void table_close(struct table *t)
{
    csv_close(t->r);
    fclose(t->f);
}

static const char *col(struct table *t, const char *name)
{
    return csv_get(t->r, name);
}

static int32_t parse_date(const char *s)
{
    int32_t d;
    struct yl_err err = {0};
    if (s[0] == '\0' || date_parse(s, strlen(s), &d, "date", &err) != 0)
        return DATE_INVALID;
    return d;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : (x > y);
}

/* Number of adjacent equal values in a sorted array. */
static long count_duplicates(uint64_t *v, long n)
{
    long dup = 0;
    qsort(v, (size_t)n, sizeof(*v), cmp_u64);
    for (long i = 1; i < n; i++)
        if (v[i] == v[i - 1])
            dup++;
    return dup;
}

static uint64_t digits_u64(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

/* Is `word` one of the words of a space-separated list field? */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = strstr(list, word);
    while (p != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
        p = strstr(p + n, word);
    }
    return 0;
}

/* Is tag `name` active on `day` in a tags field ("tag:from[:to[:edd]] …")? */
static int tag_active(const char *tags, const char *name, int32_t day)
{
    size_t n = strlen(name);
    for (const char *p = tags; *p != '\0';) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == ':') {
            char from[11] = {0}, to[11] = {0};
            const char *q = p + n + 1;
            memcpy(from, q, 10);
            if (len > n + 12 && q[10] == ':' && q[11] != ':')
                memcpy(to, q + 11, 10);
            if (parse_date(from) <= day && (to[0] == '\0' || parse_date(to) >= day))
                return 1;
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* --- the published counts ------------------------------------------------------------------ */

TEST(default_counts)
{
    default_dir();
    CHECK_INT(default_rc, 0);
    CHECK_INT(default_stats.residents, 206234);
    CHECK_INT(default_stats.signed_residents, 121748);
    CHECK_INT(default_stats.teams, 42);
    CHECK_INT(default_stats.village_clinics, 107);
    CHECK_INT(default_stats.villages, 167);
    CHECK_INT(default_stats.ous, 167 + 15 + 3);
    CHECK_INT(default_stats.groups, 1);
    CHECK(labs(default_stats.population_total - 220100) <= 2201);
    CHECK(default_stats.contracts > default_stats.signed_residents);
    CHECK(default_stats.maternal_deaths <= 1);
    CHECK(default_stats.infant_deaths >= 1 && default_stats.infant_deaths <= 15);
}

/* roads.osm builds into one network that every mode can use end to end, and every village
 * or community and every facility stands on it (the units are road nodes, the facilities have a service road). */
TEST(roads_reach_every_unit_and_facility_in_one_network)
{
    const char *dir = default_dir();
    char path[600];
    struct acc_speeds sp;
    struct acc_graph *g = NULL;
    struct acc_build_report rep;
    struct yl_err err = {0};
    struct table t;
    static const char *const files[] = {"ous.csv", "facilities.csv"};

    CHECK(default_stats.road_ways > 0);
    snprintf(path, sizeof(path), "%s/roads.osm", dir);
    CHECK_INT(acc_speeds_load("data/road-speeds.csv", &sp, &err), 0);
    CHECK_INT(acc_graph_build(path, &sp, &g, &rep, &err), 0);
    CHECK_INT(rep.osm_ways, default_stats.road_ways);
    CHECK_INT(rep.nodes_dropped, 0);
    for (int m = 0; m < ACC_N_MODES; m++)
        CHECK_INT(rep.mode_nodes_dropped[m], 0);
    for (size_t f = 0; f < 2; f++) {
        int n = 0;
        CHECK_INT(table_open(&t, dir, files[f]), 0);
        while (table_next(&t) == 1) {
            const char *lat = col(&t, "lat"), *code = col(&t, "code");
            /* Townships and above sit at the mean of their units, not on a road. */
            if (lat == NULL || lat[0] == '\0' || (f == 0 && strlen(code) != 12))
                continue;
            struct acc_point p = {strtod(lat, NULL), strtod(col(&t, "lon"), NULL)};
            struct acc_snap sn;
            CHECK(acc_snap_point(g, ACC_FOOT, p, 5.0, &sn));
            CHECK(acc_snap_point(g, ACC_CAR, p, 5.0, &sn));
            n++;
        }
        table_close(&t);
        CHECK(n > 100);
    }
    acc_graph_free(g);
}

TEST(ous_file_nests_and_places_units)
{
    struct table t;
    char codes[200][13];
    int n = 0, by_level[6] = {0};
    const char *dir = default_dir();

    CHECK_INT(table_open(&t, dir, "ous.csv"), 0);
    while (table_next(&t) == 1) {
        const char *code = col(&t, "code"), *parent = col(&t, "parent_code");
        int level = adcode_level(code, strlen(code));
        double lat = strtod(col(&t, "lat"), NULL), lon = strtod(col(&t, "lon"), NULL);
        int found = parent[0] == '\0';
        CHECK(level >= 1 && level <= 5);
        CHECK(n < 200);
        by_level[level]++;
        /* A parent comes before its children, one level up. */
        for (int i = 0; i < n && !found; i++)
            found = strcmp(codes[i], parent) == 0;
        CHECK(found);
        if (level >= 2)
            CHECK_INT(adcode_level(parent, strlen(parent)), level - 1);
        if (level == 5) {
            double dy = (lat - 42.862) * 110.95, dx = (lon - 130.366) * 81.6;
            /* Villages lie within some 60 km; the streets' units within 4 km of the center. */
            CHECK(sqrt(dx * dx + dy * dy) < 65);
            if (strncmp(code, "222404001", 9) == 0 || strncmp(code, "222404002", 9) == 0 ||
                strncmp(code, "222404003", 9) == 0 || strncmp(code, "222404006", 9) == 0 ||
                strncmp(code, "222404060", 9) == 0)
                CHECK(sqrt(dx * dx + dy * dy) <= 4.0);
        }
        snprintf(codes[n++], sizeof(codes[0]), "%s", code);
    }
    table_close(&t);
    CHECK_INT(by_level[1], 1);
    CHECK_INT(by_level[2], 1);
    CHECK_INT(by_level[3], 1);
    CHECK_INT(by_level[4], 15);
    CHECK_INT(by_level[5], 167);
    CHECK_STR(codes[0], "22");
    CHECK_STR(codes[2], "222404");
}

TEST(population_sums_to_the_region)
{
    struct table t;
    long sum = 0, rows = 0, old = 0;

    CHECK_INT(table_open(&t, default_dir(), "population.csv"), 0);
    while (table_next(&t) == 1) {
        long count = strtol(col(&t, "count"), NULL, 10);
        long band = strtol(col(&t, "age_band"), NULL, 10);
        CHECK_INT(strlen(col(&t, "ou_code")), 12);
        CHECK_STR(col(&t, "year"), "2024");
        CHECK(band >= 0 && band <= 18);
        CHECK(count >= 0);
        sum += count;
        if (band >= 13)
            old += count;
        rows++;
    }
    table_close(&t);
    CHECK_INT(rows, 167 * 2 * 19);
    CHECK(labs(sum - 220100) <= 2201);
    /* Records cover about 93.7% of the population. */
    CHECK(fabs(206234.0 / (double)sum - 0.937) < 0.01);
    CHECK(old > sum * 19 / 100 && old < sum * 25 / 100);
}

/* --- residents ------------------------------------------------------------------------------ */

struct resident_scan {
    long n, active, deceased, moved, births;
    long age65, age0_6, men, women, adults, ht_adults, dm_adults, old_active, ht_old;
    long bad_id, bad_sex, bad_birth, bad_record, bad_status;
    long dup_ids, dup_phones, bad_phone;
};

static void scan_residents(const char *dir, struct resident_scan *s)
{
    struct table t;
    int32_t ref = date_from_ymd(2024, 12, 31), year_start = date_from_ymd(2024, 1, 1);
    int32_t d2010 = date_from_ymd(2010, 1, 1);
    long cap = 1 << 16, n_phones = 0;
    uint64_t *ids = malloc((size_t)cap * sizeof(*ids)), *phones = malloc((size_t)cap * 8);

    memset(s, 0, sizeof(*s));
    if (table_open(&t, dir, "residents.csv") != 0)
        return;
    while (table_next(&t) == 1) {
        const char *id = col(&t, "id_number"), *phone = col(&t, "phone");
        const char *status = col(&t, "status"), *tags = col(&t, "tags");
        struct idno_info info;
        struct yl_err err = {0};
        int32_t birth = parse_date(col(&t, "birth_date"));
        int32_t record = parse_date(col(&t, "record_date"));
        int32_t sdate = parse_date(col(&t, "status_date"));
        int sex = (int)strtol(col(&t, "sex"), NULL, 10), age;

        if (s->n == cap) {
            cap *= 2;
            ids = realloc(ids, (size_t)cap * sizeof(*ids));
            phones = realloc(phones, (size_t)cap * sizeof(*phones));
        }
        s->n++;
        if (idno_parse(id, strlen(id), ref, &info, "id_number", &err) != 0 ||
            strcmp(info.number, id) != 0 || strncmp(id, "22", 2) != 0) {
            s->bad_id++;
            continue;
        }
        ids[s->n - 1] = digits_u64(id, 17);
        if ((int)info.sex != sex)
            s->bad_sex++;
        if (info.birth != birth)
            s->bad_birth++;
        if (record == DATE_INVALID || record < birth || record < d2010 || record > ref)
            s->bad_record++;
        if (phone[0] != '\0') {
            if (strlen(phone) != 11 || phone[0] != '1' ||
                (phone[1] != '3' && phone[1] != '5' && phone[1] != '8'))
                s->bad_phone++;
            else
                phones[n_phones++] = digits_u64(phone, 11);
        }
        age = date_age_years(birth, ref);
        if (birth >= year_start)
            s->births++;
        if (strcmp(status, "deceased") == 0) {
            s->deceased++;
            if (sdate < year_start || sdate > ref || sdate < record ||
                col(&t, "death_cause")[0] == '\0')
                s->bad_status++;
            continue;
        }
        if (strcmp(status, "moved_out") == 0) {
            s->moved++;
            if (sdate == DATE_INVALID || sdate < record || sdate > ref)
                s->bad_status++;
            continue;
        }
        s->active++;
        if (sex == 1)
            s->men++;
        else
            s->women++;
        if (age >= 65)
            s->age65++;
        if (age <= 6)
            s->age0_6++;
        if (age >= 18) {
            s->adults++;
            s->ht_adults += tag_active(tags, "hypertension", ref);
            s->dm_adults += tag_active(tags, "diabetes", ref);
        }
        if (age >= 65) {
            s->old_active++;
            s->ht_old += tag_active(tags, "hypertension", ref);
        }
    }
    table_close(&t);
    s->dup_ids = count_duplicates(ids, s->n - s->bad_id);
    s->dup_phones = count_duplicates(phones, n_phones);
    free(ids);
    free(phones);
}

TEST(residents_valid_unique_and_realistic)
{
    struct resident_scan s;
    double adults, ratio;

    scan_residents(default_dir(), &s);
    CHECK_INT(s.n, 206234);
    CHECK_INT(s.bad_id, 0);
    CHECK_INT(s.bad_sex, 0);
    CHECK_INT(s.bad_birth, 0);
    CHECK_INT(s.bad_record, 0);
    CHECK_INT(s.bad_status, 0);
    CHECK_INT(s.bad_phone, 0);
    CHECK_INT(s.dup_ids, 0);
    CHECK_INT(s.dup_phones, 0);
    adults = (double)s.adults;
    ratio = 100.0 * (double)s.men / (double)s.women;
    fprintf(stderr,
            "    65+ %.1f%%, 0-6 %.1f%%, sex ratio %.1f, hypertension %.1f%% of adults "
            "(%.1f%% at 65+), diabetes %.1f%%, deaths %.1f‰, births %.1f‰, moved %.1f%%\n",
            100.0 * s.age65 / s.active, 100.0 * s.age0_6 / s.active, ratio,
            100.0 * s.ht_adults / adults, 100.0 * s.ht_old / s.old_active,
            100.0 * s.dm_adults / adults, 1000.0 * s.deceased / s.n, 1000.0 * s.births / s.n,
            100.0 * s.moved / s.n);
    CHECK(s.age65 > s.active * 19 / 100 && s.age65 < s.active * 25 / 100);
    CHECK(s.age0_6 > s.active * 3 / 100 && s.age0_6 < s.active * 5 / 100);
    CHECK(ratio > 95 && ratio < 105);
    CHECK(s.ht_adults > adults * 0.24 && s.ht_adults < adults * 0.30);
    CHECK(s.ht_old > s.old_active / 2);
    CHECK(s.dm_adults > adults * 0.09 && s.dm_adults < adults * 0.13);
    /* Crude death rate about 8 per 1000, births about 6, moves about 1%. */
    CHECK(s.deceased > s.n * 6 / 1000 && s.deceased < s.n * 10 / 1000);
    CHECK(s.births > s.n * 45 / 10000 && s.births < s.n * 75 / 10000);
    CHECK(s.moved > s.n / 200 && s.moved < s.n / 50);
}

TEST(households_share_village_and_address)
{
    struct table t;
    char last_hh[40] = "", last_ou[16] = "", last_addr[160] = "";
    long size = 0, sizes[7] = {0}, mismatched = 0;

    CHECK_INT(table_open(&t, default_dir(), "residents.csv"), 0);
    while (table_next(&t) == 1) {
        const char *hh = col(&t, "household");
        if (strcmp(hh, last_hh) == 0) {
            size++;
            if (strcmp(col(&t, "ou_code"), last_ou) != 0 ||
                strcmp(col(&t, "address"), last_addr) != 0)
                mismatched++;
            continue;
        }
        if (size > 0)
            sizes[size > 6 ? 6 : size]++;
        size = 1;
        snprintf(last_hh, sizeof(last_hh), "%s", hh);
        snprintf(last_ou, sizeof(last_ou), "%s", col(&t, "ou_code"));
        snprintf(last_addr, sizeof(last_addr), "%s", col(&t, "address"));
        CHECK(strncmp(hh, last_ou, 12) == 0);
        CHECK_CONTAINS(last_addr, "号");
    }
    sizes[size > 6 ? 6 : size]++;
    table_close(&t);
    CHECK_INT(mismatched, 0);
    CHECK_INT(sizes[6], 0);
    CHECK(sizes[1] > 0 && sizes[2] > sizes[4] && sizes[5] > 0);
    CHECK_INT(sizes[1] + sizes[2] + sizes[3] + sizes[4] + sizes[5], default_stats.households);
}

/* --- contracts ------------------------------------------------------------------------------ */

struct person_key {
    uint64_t id;
    unsigned char key, special, active, signed_now;
};

static int cmp_person(const void *a, const void *b)
{
    return cmp_u64(&((const struct person_key *)a)->id, &((const struct person_key *)b)->id);
}

TEST(contracts_sign_key_populations)
{
    struct table t;
    int32_t ref = date_from_ymd(2024, 12, 31);
    long n = 0, cap = 1 << 18, active_rows = 0, bad = 0, two = 0;
    long key = 0, key_signed = 0, special = 0, special_signed = 0, statuses[4] = {0};
    struct person_key *p = malloc((size_t)cap * sizeof(*p));
    const char *dir = default_dir();

    CHECK_INT(table_open(&t, dir, "residents.csv"), 0);
    while (table_next(&t) == 1 && n < cap) {
        const char *tags = col(&t, "tags");
        int age = date_age_years(parse_date(col(&t, "birth_date")), ref);
        struct person_key *k = &p[n++];
        k->id = digits_u64(col(&t, "id_number"), 17);
        k->active = strcmp(col(&t, "status"), "active") == 0;
        k->special = tag_active(tags, "special_family", ref);
        k->key = k->special || age >= 65 || age <= 6;
        for (const char *const *tag =
                 (const char *const[]){"hypertension", "diabetes", "severe_mental", "tuberculosis",
                                       "disabled", "pregnant", "poverty", NULL};
             *tag != NULL; tag++)
            if (tag_active(tags, *tag, ref))
                k->key = 1;
        k->signed_now = 0;
    }
    table_close(&t);
    qsort(p, (size_t)n, sizeof(*p), cmp_person);

    CHECK_INT(table_open(&t, dir, "contracts.csv"), 0);
    while (table_next(&t) == 1) {
        struct person_key probe = {digits_u64(col(&t, "id_number"), 17), 0, 0, 0, 0};
        struct person_key *k = bsearch(&probe, p, (size_t)n, sizeof(*p), cmp_person);
        const char *status = col(&t, "status");
        int32_t from = parse_date(col(&t, "from_date")), to = parse_date(col(&t, "to_date"));
        if (k == NULL || from == DATE_INVALID ||
            to != date_add_days(date_add_months(from, 12), -1)) {
            bad++;
            continue;
        }
        if (strcmp(status, "active") == 0) {
            active_rows++;
            if (from > ref || to < ref || !k->active)
                bad++;
            if (k->signed_now)
                two++;
            k->signed_now = 1;
        } else if (strcmp(status, "terminated") == 0) {
            statuses[3]++;
            if (col(&t, "ended_date")[0] == '\0' || k->active)
                bad++;
        } else if (strcmp(status, "renewed") == 0) {
            statuses[2]++;
            if (to >= ref)
                bad++;
        } else if (strcmp(status, "expired") == 0) {
            statuses[1]++;
            if (to >= ref)
                bad++;
        } else {
            bad++;
        }
    }
    table_close(&t);
    for (long i = 0; i < n; i++) {
        if (!p[i].active)
            continue;
        key += p[i].key;
        key_signed += p[i].key && p[i].signed_now;
        special += p[i].special;
        special_signed += p[i].special && p[i].signed_now;
    }
    free(p);
    fprintf(stderr, "    key populations %ld, signed %.1f%%; special families %ld\n", key,
            100.0 * key_signed / key, special);
    CHECK_INT(bad, 0);
    CHECK_INT(two, 0);
    CHECK_INT(active_rows, 121748);
    CHECK(statuses[1] > 0 && statuses[2] > 0 && statuses[3] > 0);
    CHECK(key_signed > key * 80 / 100);
    CHECK(special > 300);
    CHECK_INT(special_signed, special);
}

/* --- references between the files ----------------------------------------------------------- */

struct codes {
    char (*v)[24];
    long n;
};

static int codes_load(struct codes *c, const char *dir, const char *file, const char *column)
{
    struct table t;
    long cap = 4096;
    c->v = malloc((size_t)cap * sizeof(*c->v));
    c->n = 0;
    if (table_open(&t, dir, file) != 0)
        return -1;
    while (table_next(&t) == 1 && c->n < cap)
        snprintf(c->v[c->n++], sizeof(c->v[0]), "%s", col(&t, column));
    table_close(&t);
    return 0;
}

static int codes_has(const struct codes *c, const char *code)
{
    for (long i = 0; i < c->n; i++)
        if (strcmp(c->v[i], code) == 0)
            return 1;
    return 0;
}

/* Every code of a space-separated list is known. */
static int codes_has_all(const struct codes *c, const char *list)
{
    char word[32];
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len == 0 || len >= sizeof(word))
            return 0;
        memcpy(word, p, len);
        word[len] = '\0';
        if (!codes_has(c, word))
            return 0;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 1;
}

TEST(files_reference_each_other)
{
    struct codes ous, fac, staff, teams;
    struct table t;
    const char *dir = default_dir();
    long clinics = 0, qualified = 0, hospitals_ok = 0, centers = 0, rc = 0;

    rc |= codes_load(&ous, dir, "ous.csv", "code");
    rc |= codes_load(&fac, dir, "facilities.csv", "code");
    rc |= codes_load(&staff, dir, "staff.csv", "code");
    rc |= codes_load(&teams, dir, "teams.csv", "code");
    CHECK_INT(rc, 0);
    CHECK_INT(teams.n, 42);

    CHECK_INT(table_open(&t, dir, "facilities.csv"), 0);
    while (table_next(&t) == 1) {
        const char *type = col(&t, "type");
        CHECK(codes_has(&ous, col(&t, "ou_code")));
        if (strcmp(type, "village_clinic") == 0) {
            clinics++;
            CHECK_CONTAINS(col(&t, "name"), "村卫生室");
        }
        if (strcmp(type, "county_hospital") == 0) {
            CHECK(has_word(col(&t, "services"), "pediatrics"));
            CHECK(has_word(col(&t, "services"), "dialysis"));
            CHECK(has_word(col(&t, "centers"), "stroke"));
            CHECK(strtol(col(&t, "beds"), NULL, 10) >= 400);
            hospitals_ok++;
        }
        if (strcmp(type, "township_center") == 0 || strcmp(type, "community_center") == 0)
            centers++;
    }
    table_close(&t);
    CHECK_INT(clinics, 107);
    CHECK_INT(hospitals_ok, 1);
    CHECK_INT(centers, 15);

    /* One village doctor per clinic; about half of them licensed or college-trained. */
    CHECK_INT(table_open(&t, dir, "staff.csv"), 0);
    while (table_next(&t) == 1) {
        CHECK(codes_has(&fac, col(&t, "facility_code")));
        if (strncmp(col(&t, "facility_code"), "VC-", 3) != 0)
            continue;
        if (strcmp(col(&t, "role"), "village_doctor") != 0 ||
            strcmp(col(&t, "education"), "college") == 0 ||
            strcmp(col(&t, "education"), "bachelor") == 0)
            qualified++;
    }
    table_close(&t);
    CHECK(qualified >= 107 * 40 / 100 && qualified <= 107 * 60 / 100);

    CHECK_INT(table_open(&t, dir, "teams.csv"), 0);
    while (table_next(&t) == 1) {
        const char *members = col(&t, "member_codes");
        CHECK(codes_has(&fac, col(&t, "facility_code")));
        CHECK(has_word(members, col(&t, "leader_code")));
        CHECK(codes_has_all(&staff, members));
        CHECK(strtol(col(&t, "capacity"), NULL, 10) > 0);
    }
    table_close(&t);

    CHECK_INT(table_open(&t, dir, "groups.csv"), 0);
    CHECK_INT(table_next(&t), 1);
    CHECK_STR(col(&t, "kind"), "county_community");
    CHECK(has_word(col(&t, "member_codes"), col(&t, "lead_code")));
    CHECK(codes_has_all(&fac, col(&t, "member_codes")));
    table_close(&t);

    CHECK_INT(table_open(&t, dir, "contracts.csv"), 0);
    for (int i = 0; i < 2000 && table_next(&t) == 1; i++)
        CHECK(codes_has(&teams, col(&t, "team_code")));
    table_close(&t);
    free(ous.v);
    free(fac.v);
    free(staff.v);
    free(teams.v);
}

/* --- determinism, scaling, refusals ------------------------------------------------------- */

static const char *const files[] = {
    "ous.csv",   "population.csv", "facilities.csv", "groups.csv",
    "staff.csv", "teams.csv",      "residents.csv",  "contracts.csv",
    "services.csv", "cases.csv",     "syndromic.csv",  "case-revisions.csv",
};

/* 1 when the two files hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    char ba[65536], bb[65536];
    int same = fa != NULL && fb != NULL;
    while (same) {
        size_t na = fread(ba, 1, sizeof(ba), fa), nb = fread(bb, 1, sizeof(bb), fb);
        if (na != nb || memcmp(ba, bb, na) != 0)
            same = 0;
        if (na == 0 || na != nb)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static int generate(const char *dir, long residents, uint64_t seed, struct demo_stats *st)
{
    struct demo_options opt;
    struct yl_err err = {0};
    demo_options_init(&opt);
    opt.residents = residents;
    opt.seed = seed;
    opt.protocol = shipped_protocol();
    return demo_generate(&opt, dir, st, &err);
}

/* --- service events ----------------------------------------------------------------------- */

/* What the services test needs of a resident, found by ID number. */
struct svc_person {
    char id[19];
    int32_t birth;
    int32_t htn_from;           /* DATE_INVALID: no hypertension */
    int active;
};

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int person_cmp(const void *a, const void *b)
{
    return strcmp(((const struct svc_person *)a)->id, ((const struct svc_person *)b)->id);
}

static int32_t day_of(const char *s)
{
    int32_t d = DATE_INVALID;
    date_parse(s, strlen(s), &d, NULL, NULL);
    return d;
}

/* The demo's service events: every row names a protocol item and a known resident, the
 * external ids are unique, and the rates come out where the demo aims them (elderly
 * checkups about 70 %, hypertension standardised management about 75 %, about two thirds
 * of follow-ups controlled) for the reference year 2024. */
TEST(services_follow_the_protocol_at_published_rates)
{
    const struct svc_protocol *p = shipped_protocol();
    CHECK(p != NULL);
    CHECK_INT(default_rc, 0);
    struct table t;
    size_t n = 0, cap = 1024;
    struct svc_person *people = malloc(cap * sizeof(*people));
    int32_t ref = date_from_ymd(2024, 12, 31), y0 = date_from_ymd(2024, 1, 1);
    CHECK_INT(table_open(&t, default_dir(), "residents.csv"), 0);
    while (table_next(&t) == 1) {
        if (n == cap)
            people = realloc(people, (cap *= 2) * sizeof(*people));
        struct svc_person *k = &people[n++];
        snprintf(k->id, sizeof(k->id), "%s", col(&t, "id_number"));
        k->birth = day_of(col(&t, "birth_date"));
        k->active = strcmp(col(&t, "status"), "active") == 0;
        const char *h = strstr(col(&t, "tags"), "hypertension:");
        char from[11];
        snprintf(from, sizeof(from), "%.10s", h != NULL ? h + 13 : "");
        k->htn_from = h != NULL ? day_of(from) : DATE_INVALID;
    }
    table_close(&t);
    qsort(people, n, sizeof(*people), person_cmp);

    long elderly = 0, checked = 0, htn = 0, htn_managed = 0, followups = 0, controlled = 0;
    long rows = 0, unknown = 0, early_dose = 0;
    int *elder_seen = calloc(n, sizeof(int)), *htn_count = calloc(n, sizeof(int));
    char **ids = malloc(4000000 * sizeof(char *));
    CHECK_INT(table_open(&t, default_dir(), "services.csv"), 0);
    while (table_next(&t) == 1 && rows < 4000000) {
        ids[rows++] = strdup(col(&t, "external_id"));
        struct svc_person key;
        snprintf(key.id, sizeof(key.id), "%s", col(&t, "id_number"));
        struct svc_person *k = bsearch(&key, people, n, sizeof(*people), person_cmp);
        const char *item = col(&t, "item");
        int32_t day = day_of(col(&t, "date"));
        if (k == NULL || svc_item_find(p, item) < 0 || day > ref) {
            unknown++;
            continue;
        }
        size_t i = (size_t)(k - people);
        if (strcmp(item, "elderly_checkup") == 0 && day >= y0)
            elder_seen[i] = 1;
        if (strcmp(item, "hepb_1") == 0 && day - k->birth > 1)
            early_dose++;    /* a birth dose given later than its window */
        if (strcmp(item, "htn_followup") == 0 && day >= y0) {
            htn_count[i]++;
            followups++;
            int sbp = 0, dbp = 0;
            const char *m = col(&t, "measurements"), *a = strstr(m, "sbp="), *b = strstr(m, "dbp=");
            if (a != NULL && b != NULL) {
                sbp = (int)strtol(a + 4, NULL, 10);
                dbp = (int)strtol(b + 4, NULL, 10);
            }
            controlled += sbp > 0 && sbp < 140 && dbp < 90;
        }
    }
    table_close(&t);
    for (size_t i = 0; i < n; i++) {
        const struct svc_person *k = &people[i];
        if (k->active && date_age_years(k->birth, ref) >= 66) {
            elderly++;
            checked += elder_seen[i];
        }
        if (k->active && k->htn_from != DATE_INVALID && k->htn_from < y0 &&
            date_age_years(k->birth, ref) >= 20) {
            htn++;
            htn_managed += htn_count[i] >= 4;
        }
    }
    CHECK_INT(unknown, 0);
    CHECK_INT(early_dose, 0);
    CHECK_INT(rows, default_stats.services);
    qsort(ids, (size_t)rows, sizeof(char *), strcmp_ptr);
    long dup = 0;
    for (long i = 1; i < rows; i++)
        dup += strcmp(ids[i - 1], ids[i]) == 0;
    CHECK_INT(dup, 0);
    double elderly_rate = (double)checked / (double)elderly;
    double htn_rate = (double)htn_managed / (double)htn;
    double control = (double)controlled / (double)followups;
    fprintf(stderr, "    %ld events; elderly checkups %.1f %% of %ld, hypertension managed "
                    "%.1f %% of %ld, follow-ups controlled %.1f %%\n",
            rows, 100 * elderly_rate, elderly, 100 * htn_rate, htn, 100 * control);
    CHECK(elderly_rate > 0.6 && elderly_rate < 0.8);
    CHECK(htn_rate > 0.6 && htn_rate < 0.85);
    CHECK(control > 0.55 && control < 0.8);
    for (long i = 0; i < rows; i++)
        free(ids[i]);
    free(ids);
    free(elder_seen);
    free(htn_count);
    free(people);
}

/* --- a year of encounters, results, referrals and expert sessions (issue 5) ----------------- */

/* The residents' ID numbers (first 17 digits, sorted) of a folder. */
static uint64_t *load_ids(const char *dir, long *n)
{
    struct table t;
    long cap = 1024;
    uint64_t *v = malloc((size_t)cap * sizeof(*v));
    *n = 0;
    if (table_open(&t, dir, "residents.csv") != 0)
        return v;
    while (table_next(&t) == 1) {
        if (*n == cap) {
            cap *= 2;
            v = realloc(v, (size_t)cap * sizeof(*v));
        }
        v[(*n)++] = digits_u64(col(&t, "id_number"), 17);
    }
    table_close(&t);
    qsort(v, (size_t)*n, sizeof(*v), cmp_u64);
    return v;
}

static int id_known(const uint64_t *ids, long n, const char *id_number)
{
    uint64_t key = digits_u64(id_number, 17);
    return strlen(id_number) == 18 && bsearch(&key, ids, (size_t)n, sizeof(key), cmp_u64) != NULL;
}

static int32_t birth_of(const char *id_number)
{
    return date_from_ymd((int)digits_u64(id_number + 6, 4), (int)digits_u64(id_number + 10, 2),
                         (int)digits_u64(id_number + 12, 2));
}

TEST(encounters_results_and_referrals_at_county_rates)
{
    const char *dir = default_dir();
    struct demo_options opt;
    struct codes fac, items;
    struct table t;
    long n_ids, bad_ref = 0, bad_date = 0, visits = 0, grassroots = 0, stays = 0, emergency = 0;
    long results = 0, bad_unit = 0, up = 0, down = 0, critical = 0, completed = 0;
    long readings = 0, consultations = 0, pending = 0;
    long sessions = 0, bookings = 0;
    char grass[4096];
    uint64_t *ids = load_ids(dir, &n_ids);
    uint64_t *admitted = malloc((size_t)n_ids * sizeof(*admitted));
    long n_admitted = 0;

    demo_options_init(&opt);
    CHECK_INT(default_rc, 0);
    CHECK(n_ids == 206234);
    CHECK(codes_load(&fac, dir, "facilities.csv", "code") == 0);
    CHECK(codes_load(&items, "data", "result-items-example.csv", "code") == 0);
    /* Grassroots facilities: village clinics, stations, township and community centers. */
    memset(grass, 0, sizeof(grass));
    CHECK(table_open(&t, dir, "facilities.csv") == 0);
    for (long i = 0; table_next(&t) == 1 && i < (long)sizeof(grass); i++) {
        const char *type = col(&t, "type");
        grass[i] = strcmp(type, "village_clinic") == 0 || strcmp(type, "community_station") == 0 ||
                   strcmp(type, "township_center") == 0 || strcmp(type, "community_center") == 0;
    }
    table_close(&t);

    CHECK(table_open(&t, dir, "encounters.csv") == 0);
    while (table_next(&t) == 1) {
        const char *id = col(&t, "id_number"), *type = col(&t, "type");
        int32_t day = parse_date(col(&t, "date"));
        if (!id_known(ids, n_ids, id) || !codes_has(&fac, col(&t, "facility")))
            bad_ref++;
        if (day == DATE_INVALID || day > opt.ref_date || day < birth_of(id) ||
            day < opt.ref_date - 364)
            bad_date++;
        if (strcmp(type, "inpatient") == 0) {
            int32_t out = parse_date(col(&t, "discharge_date"));
            if (parse_date(col(&t, "admission_date")) != day ||
                (out != DATE_INVALID && (out < day || out > opt.ref_date)))
                bad_date++;
            admitted[n_admitted++ % n_ids] = digits_u64(id, 17);
            stays++;
            continue;
        }
        for (long i = 0; i < fac.n; i++)
            if (strcmp(fac.v[i], col(&t, "facility")) == 0)
                grassroots += grass[i];
        visits++;
        emergency += strcmp(type, "emergency") == 0;
    }
    table_close(&t);
    CHECK_INT(bad_ref, 0);
    CHECK_INT(bad_date, 0);
    CHECK_INT(visits + stays, default_stats.encounters);
    double per_resident = (double)visits / (double)n_ids;
    double grass_share = (double)grassroots / (double)visits;
    double inpatients = (double)(n_admitted - count_duplicates(admitted, n_admitted)) /
                        (double)n_ids;
    fprintf(stderr, "    %.2f visits a resident, %.3f at grassroots, %.3f emergency, "
                    "%.3f of residents admitted\n",
            per_resident, grass_share, (double)emergency / (double)visits, inpatients);
    CHECK(per_resident >= 3.0 && per_resident <= 5.0);
    CHECK(grass_share >= 0.6 && grass_share <= 0.75);
    CHECK((double)emergency / (double)visits > 0.01 && (double)emergency / (double)visits < 0.06);
    CHECK(inpatients >= 0.05 && inpatients <= 0.15);

    CHECK(table_open(&t, dir, "results.csv") == 0);
    while (table_next(&t) == 1) {
        int32_t day = parse_date(col(&t, "date"));
        if (!id_known(ids, n_ids, col(&t, "id_number")) || !codes_has(&fac, col(&t, "facility")) ||
            !codes_has(&items, col(&t, "item")))
            bad_ref++;
        if (day == DATE_INVALID || day > opt.ref_date)
            bad_date++;
        /* A value comes with its unit, a report without. */
        if ((col(&t, "value")[0] != '\0') != (col(&t, "unit")[0] != '\0') ||
            (col(&t, "value")[0] == '\0') == (col(&t, "report")[0] == '\0'))
            bad_unit++;
        results++;
    }
    table_close(&t);
    CHECK_INT(bad_ref, 0);
    CHECK_INT(bad_date, 0);
    CHECK_INT(bad_unit, 0);
    CHECK(results > visits / 10);

    CHECK(table_open(&t, dir, "referrals.csv") == 0);
    while (table_next(&t) == 1) {
        const char *to = col(&t, "to_facility");
        if (!id_known(ids, n_ids, col(&t, "id_number")) ||
            !codes_has(&fac, col(&t, "from_facility")) || (to[0] != '\0' && !codes_has(&fac, to)))
            bad_ref++;
        /* Remote requests go up; a reading attaches its film, a consultation nothing. */
        const char *kind = col(&t, "kind");
        bool imaging = strcmp(kind, "imaging") == 0, consult = strcmp(kind, "consultation") == 0;
        if ((imaging || consult) && strcmp(col(&t, "direction"), "up") != 0)
            bad_ref++;
        if (imaging != (col(&t, "result")[0] != '\0'))
            bad_ref++;
        if (!imaging && !consult && strcmp(kind, "referral") != 0)
            bad_ref++;
        readings += imaging;
        consultations += consult;
        pending += strcmp(col(&t, "outcome"), "requested") == 0;
        up += strcmp(col(&t, "direction"), "up") == 0 && !imaging && !consult;
        down += strcmp(col(&t, "direction"), "down") == 0;
        critical += strcmp(col(&t, "urgency"), "critical") == 0;
        completed += strcmp(col(&t, "outcome"), "completed") == 0;
    }
    table_close(&t);
    CHECK_INT(bad_ref, 0);
    fprintf(stderr, "    %ld referrals up (%ld critical), %ld down, %ld completed; %ld readings, "
            "%ld consultations; %ld waiting\n", up, critical, down, completed, readings,
            consultations, pending);
    CHECK(readings > 0 && consultations > 0);
    CHECK(pending > 0 && pending < (up + down) / 10);
    CHECK((double)up / (double)n_ids >= 0.005 && (double)up / (double)n_ids <= 0.02);
    CHECK(critical >= 10 && critical < up / 10);
    CHECK(down > 0 && down < up);
    CHECK(completed > (up + down) / 2);

    CHECK(table_open(&t, dir, "expert-sessions.csv") == 0);
    while (table_next(&t) == 1) {
        /* A year of past sessions, the reference day's, and a few weeks ahead. */
        int32_t day = parse_date(col(&t, "date"));
        if (!codes_has(&fac, col(&t, "host")) || day < date_add_months(opt.ref_date, -12) ||
            day > date_add_days(opt.ref_date, 28))
            bad_ref++;
        sessions++;
    }
    table_close(&t);
    CHECK(table_open(&t, dir, "expert-bookings.csv") == 0);
    while (table_next(&t) == 1) {
        bad_ref += !id_known(ids, n_ids, col(&t, "id_number"));
        /* Procedures only for who came. */
        bad_ref += strcmp(col(&t, "procedures"), "0") != 0 &&
                   strcmp(col(&t, "attendance"), "attended") != 0;
        bookings++;
    }
    table_close(&t);
    CHECK_INT(bad_ref, 0);
    CHECK(sessions >= 40);
    CHECK(bookings > sessions);
    free(ids);
    free(admitted);
    free(fac.v);
    free(items.v);
}

TEST(same_seed_gives_identical_files)
{
    struct demo_stats st;
    char a[600], b[600];
    const char *dir = ts_path("again");

    default_dir();
    CHECK_INT(generate(dir, DEMO_DEFAULT_RESIDENTS, DEMO_DEFAULT_SEED, &st), 0);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(a, sizeof(a), "%s/%s", default_dir(), files[i]);
        snprintf(b, sizeof(b), "%s/%s", dir, files[i]);
        if (!same_file(a, b))
            TEST_FAIL_AT("%s differs between two runs with the same seed", files[i]);
    }
}

TEST(different_seed_gives_different_people)
{
    struct demo_stats st;
    char a[600], b[600];
    const char *one = ts_path("seed1"), *two = ts_path("seed2");

    CHECK_INT(generate(one, 5000, 1, &st), 0);
    CHECK_INT(generate(two, 5000, 2, &st), 0);
    snprintf(a, sizeof(a), "%s/residents.csv", one);
    snprintf(b, sizeof(b), "%s/residents.csv", two);
    CHECK(!same_file(a, b));
    /* The real divisions are the same whatever the seed. */
    CHECK_INT(st.ous, 185);
    CHECK_INT(st.residents, 5000);
}

TEST(small_region_scales_down)
{
    struct demo_stats st;
    struct resident_scan s;
    const char *dir = ts_path("small");

    CHECK_INT(generate(dir, 1000, 7, &st), 0);
    CHECK_INT(st.residents, 1000);
    CHECK_INT(st.signed_residents, 590);
    CHECK(labs(st.population_total - 1067) <= 11);
    CHECK_INT(st.ous, 185);
    CHECK_INT(st.teams, 42);
    CHECK_INT(st.village_clinics, 107);
    scan_residents(dir, &s);
    CHECK_INT(s.n, 1000);
    CHECK_INT(s.bad_id + s.bad_sex + s.bad_birth + s.bad_record + s.bad_status, 0);
    CHECK_INT(s.dup_ids + s.dup_phones, 0);
}

TEST(other_reference_date)
{
    struct demo_options opt;
    struct demo_stats st;
    struct yl_err err = {0};
    struct table t;
    const char *dir = ts_path("mid2023");
    int32_t ref = date_from_ymd(2023, 6, 30), start = date_from_ymd(2023, 1, 1);
    long active = 0, bad = 0, deceased = 0;

    demo_options_init(&opt);
    opt.residents = 3000;
    opt.ref_date = ref;
    CHECK_INT(demo_generate(&opt, dir, &st, &err), 0);
    CHECK_INT(st.signed_residents, 1771);
    CHECK_INT(table_open(&t, dir, "population.csv"), 0);
    CHECK_INT(table_next(&t), 1);
    CHECK_STR(col(&t, "year"), "2023");
    table_close(&t);
    CHECK_INT(table_open(&t, dir, "residents.csv"), 0);
    while (table_next(&t) == 1) {
        const char *id = col(&t, "id_number");
        struct idno_info info;
        int32_t record = parse_date(col(&t, "record_date"));
        if (idno_parse(id, strlen(id), ref, &info, "id_number", &err) != 0 || record > ref)
            bad++;
        if (strcmp(col(&t, "status"), "deceased") == 0) {
            int32_t d = parse_date(col(&t, "status_date"));
            deceased++;
            if (d < start || d > ref)
                bad++;
        }
    }
    table_close(&t);
    CHECK_INT(table_open(&t, dir, "contracts.csv"), 0);
    while (table_next(&t) == 1) {
        int32_t from = parse_date(col(&t, "from_date")), to = parse_date(col(&t, "to_date"));
        if (strcmp(col(&t, "status"), "active") != 0)
            continue;
        active++;
        if (from > ref || to < ref)
            bad++;
    }
    table_close(&t);
    CHECK_INT(bad, 0);
    CHECK_INT(active, 1771);
    CHECK(deceased > 0);
}

TEST(refuses_bad_options)
{
    struct demo_options opt;
    struct demo_stats st;
    struct yl_err err = {0};

    demo_options_init(&opt);
    opt.residents = 0;
    CHECK_INT(demo_generate(&opt, ts_path("bad"), &st, &err), YL_EINVAL);
    CHECK_STR(err.field, "residents");

    yl_err_clear(&err);
    opt.residents = DEMO_MAX_RESIDENTS + 1;
    CHECK_INT(demo_generate(&opt, ts_path("bad"), &st, &err), YL_EINVAL);
    CHECK_STR(err.field, "residents");

    yl_err_clear(&err);
    demo_options_init(&opt);
    opt.ref_date = date_from_ymd(2005, 6, 30);
    CHECK_INT(demo_generate(&opt, ts_path("bad"), &st, &err), YL_EINVAL);
    CHECK_STR(err.field, "ref_date");

    yl_err_clear(&err);
    demo_options_init(&opt);
    opt.divisions_path = "no/such/divisions.csv";
    CHECK_INT(demo_generate(&opt, ts_path("bad"), &st, &err), YL_EIO);
    CHECK_STR(err.field, "divisions_path");

    yl_err_clear(&err);
    demo_options_init(&opt);
    opt.residents = 10;
    CHECK_INT(demo_generate(&opt, "/proc/no-such-folder/demo", &st, &err), YL_EIO);
    CHECK_STR(err.field, "dir");
}

TEST_MAIN()
