/*
 * test.h - yilian's test harness: TEST() functions, asserts that print both values and the
 * line, and a summary `N passed, N failed`.
 *
 * A test file defines tests with TEST(name) { ... } and ends with TEST_MAIN(). Each TEST is
 * registered by a constructor and run in order of definition. A failed check marks the test
 * failed and returns from it. `./test_x name` runs only the tests whose name contains `name`.
 * A test that cannot run here (missing ../shared data) calls TEST_SKIP(reason): it is
 * reported as skipped, never as passed.
 */
#ifndef YL_TEST_H
#define YL_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void test_fn(void);

struct test_case {
    const char *name;
    test_fn *fn;
};

#define TEST_MAX 512
static struct test_case test_cases[TEST_MAX];
static int test_count;
static int test_failed_now;
static int test_skipped_now;

static inline void test_register(const char *name, test_fn *fn)
{
    if (test_count < TEST_MAX) {
        test_cases[test_count].name = name;
        test_cases[test_count].fn = fn;
        test_count++;
    }
}

#define TEST(name)                                                        \
    static void test_##name(void);                                        \
    __attribute__((constructor)) static void test_reg_##name(void)        \
    {                                                                     \
        test_register(#name, test_##name);                                \
    }                                                                     \
    static void test_##name(void)

#define TEST_FAIL_AT(...)                                                 \
    do {                                                                  \
        fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);               \
        fprintf(stderr, __VA_ARGS__);                                     \
        fprintf(stderr, "\n");                                            \
        test_failed_now = 1;                                              \
    } while (0)

#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            TEST_FAIL_AT("check failed: %s", #cond);                      \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_INT(a, b)                                                   \
    do {                                                                  \
        long long va_ = (long long)(a), vb_ = (long long)(b);             \
        if (va_ != vb_) {                                                 \
            TEST_FAIL_AT("%s == %s: %lld != %lld", #a, #b, va_, vb_);     \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                   \
    do {                                                                  \
        const char *sa_ = (a), *sb_ = (b);                                \
        if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0) {        \
            TEST_FAIL_AT("%s == %s: \"%s\" != \"%s\"", #a, #b,            \
                         sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");     \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                       \
    do {                                                                  \
        const char *ha_ = (hay), *ne_ = (needle);                         \
        if (ha_ == NULL || strstr(ha_, ne_) == NULL) {                    \
            TEST_FAIL_AT("%s contains %s: \"%s\" lacks \"%s\"", #hay,     \
                         #needle, ha_ ? ha_ : "(null)", ne_);             \
            return;                                                       \
        }                                                                 \
    } while (0)

#define TEST_SKIP(...)                                                    \
    do {                                                                  \
        fprintf(stderr, "    skipped: ");                                 \
        fprintf(stderr, __VA_ARGS__);                                     \
        fprintf(stderr, "\n");                                            \
        test_skipped_now = 1;                                             \
        return;                                                           \
    } while (0)

static inline int test_main(int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;
    const char *filter = argc > 1 ? argv[1] : NULL;
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 0; i < test_count; i++) {
        if (filter != NULL && strstr(test_cases[i].name, filter) == NULL)
            continue;
        test_failed_now = 0;
        test_skipped_now = 0;
        test_cases[i].fn();
        if (test_failed_now) {
            failed++;
            printf("FAIL %s\n", test_cases[i].name);
        } else if (test_skipped_now) {
            skipped++;
            printf("skip %s\n", test_cases[i].name);
        } else {
            passed++;
            printf("ok   %s\n", test_cases[i].name);
        }
    }
    if (skipped > 0)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed > 0 ? 1 : 0;
}

#define TEST_MAIN()                                                       \
    int main(int argc, char **argv)                                       \
    {                                                                     \
        return test_main(argc, argv);                                     \
    }

#endif
