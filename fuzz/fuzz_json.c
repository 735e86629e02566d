/*
 * fuzz_json.c - libFuzzer target for request bodies and cursors: http_json_parse with tight
 * limits (depth 8, strings 64 bytes) and the field readers on whatever parses; cursor
 * decoding, which must round-trip through http_page_cursor.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct http_limits limits = {
        .max_body = 1 << 20, .max_json_depth = 8, .max_string = 64, .max_response = 1 << 20};
    struct yl_err err = {0};
    json_t *v = NULL;
    if (http_json_parse((const char *)data, size, &limits, &v, &err) == 0) {
        const char *s;
        int64_t i;
        int b;
        static const char *const allowed[] = {"username", "password", NULL};
        http_json_str(v, "username", 0, 32, false, &s, &err);
        http_json_int(v, "limit", 0, 100, false, &i, &err);
        http_json_bool(v, "disabled", false, &b, &err);
        http_json_only(v, allowed, &err);
        json_decref(v);
    } else if (err.code == 0) {
        abort(); /* a refusal must say why */
    }

    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    int64_t key;
    yl_err_clear(&err);
    if (http_page_cursor_decode(text, &key, &err) == 0) {
        char again[32];
        int64_t back;
        http_page_cursor(key, again, sizeof(again));
        if (http_page_cursor_decode(again, &back, NULL) != 0 || back != key)
            abort();
    }
    free(text);
    return 0;
}
