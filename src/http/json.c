/*
 * json.c - JSON bodies in, JSON out, and the one place errors are rendered.
 *
 * Limits protect the parser and the store: the nesting depth is checked by a scan before
 * jansson sees the text (its recursion is then bounded), and every string is checked
 * against the string limit after parsing, so the error can name the field that held it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "http/http.h"

/* Deepest nesting of [ and { outside strings. */
static int json_depth(const char *s, size_t n)
{
    int depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[') {
            if (++depth > max)
                max = depth;
        } else if (c == '}' || c == ']')
            depth--;
    }
    return max;
}

/* Find a string longer than max; writes its field path into path. */
static bool find_long_string(json_t *v, size_t max, char *path, size_t n)
{
    if (json_is_string(v))
        return json_string_length(v) > max;
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        size_t used = strlen(path);
        json_object_foreach(v, key, child)
        {
            if (strlen(key) > max) {
                snprintf(path + used, n - used, "%s%s", used ? "." : "", "(key)");
                return true;
            }
            snprintf(path + used, n - used, "%s%s", used ? "." : "", key);
            if (find_long_string(child, max, path, n))
                return true;
            path[used] = '\0';
        }
        return false;
    }
    if (json_is_array(v)) {
        size_t used = strlen(path), i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            snprintf(path + used, n - used, "[%zu]", i);
            if (find_long_string(child, max, path, n))
                return true;
            path[used] = '\0';
        }
    }
    return false;
}

int http_json_parse(const char *text, size_t n, const struct http_limits *limits,
                    json_t **out, struct yl_err *err)
{
    *out = NULL;
    if (n == 0)
        return yl_err_set(err, YL_EJSON, NULL, "a JSON object body is required");
    int depth = json_depth(text, n);
    if (depth > limits->max_json_depth)
        return yl_err_set(err, YL_EJSON, NULL, "JSON nests deeper than %d levels",
                          limits->max_json_depth);
    json_error_t jerr;
    json_t *v = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        /* jansson quotes the text near the error; drop that part so no input is echoed. */
        char *near = strstr(jerr.text, " near ");
        if (near != NULL)
            *near = '\0';
        return yl_err_set(err, YL_EJSON, NULL, "malformed JSON at line %d column %d: %s",
                          jerr.line, jerr.column, jerr.text);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return yl_err_set(err, YL_EJSON, NULL, "the body must be a JSON object");
    }
    char path[128] = "";
    if (find_long_string(v, limits->max_string, path, sizeof(path))) {
        json_decref(v);
        return yl_err_set(err, YL_EINVAL, path, "string is longer than %zu bytes",
                          limits->max_string);
    }
    *out = v;
    return 0;
}

int http_request_json(struct http_request *req, json_t **out, struct yl_err *err)
{
    if (req->json != NULL) {
        *out = req->json;
        return 0;
    }
    const char *ct = http_header(req, "Content-Type");
    if (ct != NULL && strncasecmp(ct, "application/json", 16) != 0)
        return yl_err_set(err, YL_EUNSUPP, NULL, "send the body as application/json");
    int rc = http_json_parse(req->body, req->body_len, req->limits, &req->json, err);
    *out = req->json;
    return rc;
}

int http_request_object(struct http_request *req, const char *const *allowed, json_t **out,
                        struct yl_err *err)
{
    int rc = http_request_json(req, out, err);
    if (rc == 0)
        rc = http_json_only(*out, allowed, err);
    return rc;
}

int http_json_str(json_t *obj, const char *field, size_t min_len, size_t max_len,
                  bool required, const char **out, struct yl_err *err)
{
    json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
        return 0;
    }
    if (!json_is_string(v))
        return yl_err_set(err, YL_EINVAL, field, "%s must be a string", field);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (memchr(s, '\0', n) != NULL)
        return yl_err_set(err, YL_EINVAL, field, "%s may not contain a NUL character", field);
    if (n > max_len)
        return yl_err_set(err, YL_EINVAL, field, "%s must be at most %zu bytes", field, max_len);
    if (n < min_len)
        return yl_err_set(err, YL_EINVAL, field, "%s must be at least %zu characters", field,
                          min_len);
    *out = s;
    return 0;
}

int http_json_int(json_t *obj, const char *field, int64_t min, int64_t max, bool required,
                  int64_t *out, struct yl_err *err)
{
    json_t *v = json_object_get(obj, field);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
        return 0;
    }
    if (!json_is_integer(v))
        return yl_err_set(err, YL_EINVAL, field, "%s must be an integer", field);
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return yl_err_set(err, YL_EINVAL, field,
                          "%s must be between %" PRId64 " and %" PRId64, field, min, max);
    *out = x;
    return 0;
}

int http_json_bool(json_t *obj, const char *field, bool required, int *out, struct yl_err *err)
{
    json_t *v = json_object_get(obj, field);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return yl_err_set(err, YL_EINVAL, field, "%s is required", field);
        return 0;
    }
    if (!json_is_boolean(v))
        return yl_err_set(err, YL_EINVAL, field, "%s must be true or false", field);
    *out = json_is_true(v) ? 1 : 0;
    return 0;
}

int http_json_only(json_t *obj, const char *const *allowed, struct yl_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a != NULL && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok)
            return yl_err_set(err, YL_EINVAL, key, "unknown field");
    }
    return 0;
}

int http_query_int(struct http_request *req, const char *name, int64_t min, int64_t max,
                   int64_t dflt, int64_t *out, struct yl_err *err)
{
    const char *s = http_query(req, name);
    if (s == NULL || s[0] == '\0') {
        *out = dflt;
        return 0;
    }
    char *end;
    long long x = strtoll(s, &end, 10);
    if (*end != '\0' || end == s || x < min || x > max)
        return yl_err_set(err, YL_EINVAL, name,
                          "%s must be a whole number from %" PRId64 " to %" PRId64, name, min,
                          max);
    *out = x;
    return 0;
}

int http_reply_json(struct http_response *res, int status, json_t *v)
{
    res->status = status;
    res->content_type = "application/json";
    buf_reset(&res->body);
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (text == NULL)
        return YL_EINTERNAL;
    int rc = buf_puts(&res->body, text);
    free(text);
    return rc;
}

int http_reply_text(struct http_response *res, int status, const char *content_type,
                    const char *text)
{
    res->status = status;
    res->content_type = content_type;
    buf_reset(&res->body);
    return buf_puts(&res->body, text);
}

void http_add_header(struct http_response *res, const char *name, const char *value)
{
    size_t used = strlen(res->extra_headers);
    snprintf(res->extra_headers + used, sizeof(res->extra_headers) - used, "%s: %s\r\n", name,
             value);
}

/* The field and message of a struct yl_err are cut to fixed buffers, which can split a
 * UTF-8 character at the end (a long non-ASCII field name); jansson refuses such text, and
 * the key would silently go missing. Drop the split character instead. */
static json_t *json_cut_text(const char *s, const char *fallback)
{
    size_t n = strlen(s), lead = n;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead > 0 && (unsigned char)s[lead - 1] >= 0xC0) {
        unsigned char c = (unsigned char)s[lead - 1];
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (n - (lead - 1) < need)
            n = lead - 1;
    }
    json_t *v = json_stringn(s, n);
    return v ? v : json_string(fallback);
}

void http_reply_error(struct http_response *res, const struct yl_err *err)
{
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(yl_err_name(err->code)));
    json_object_set_new(e, "message",
                        json_cut_text(yl_err_message(err), yl_err_default_message(err->code)));
    if (err->field[0] != '\0')
        json_object_set_new(e, "field", json_cut_text(err->field, "?"));
    if (err->existing_id != 0)
        json_object_set_new(e, "existing_id", json_integer(err->existing_id));
    json_t *body = json_object();
    json_object_set_new(body, "error", e);
    http_reply_json(res, yl_err_http_status(err->code), body);
}

/* --- pagination ------------------------------------------------------------------------ */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *http_page_cursor(int64_t key, char *out, size_t n)
{
    char dec[24];
    int len = snprintf(dec, sizeof(dec), "k%" PRId64, key);
    size_t o = 0;
    for (int i = 0; i < len && o + 4 < n; i += 3) {
        unsigned v = (unsigned char)dec[i] << 16;
        if (i + 1 < len)
            v |= (unsigned char)dec[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)dec[i + 2];
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = b64url[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = b64url[v & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64url, c) : NULL;
    return p ? (int)(p - b64url) : -1;
}

int http_page_cursor_decode(const char *c, int64_t *key, struct yl_err *err)
{
    char dec[24];
    size_t n = strlen(c), o = 0;
    if (n > 30)
        goto bad;
    for (size_t i = 0; i < n; i += 4) {
        int v0 = b64_value(c[i]), v1 = i + 1 < n ? b64_value(c[i + 1]) : -1;
        int v2 = i + 2 < n ? b64_value(c[i + 2]) : 0, v3 = i + 3 < n ? b64_value(c[i + 3]) : 0;
        if (v0 < 0 || v1 < 0 || v2 < 0 || v3 < 0)
            goto bad;
        unsigned v = ((unsigned)v0 << 18) | ((unsigned)v1 << 12) | ((unsigned)v2 << 6) |
                     (unsigned)v3;
        dec[o++] = (char)(v >> 16);
        if (i + 2 < n)
            dec[o++] = (char)((v >> 8) & 0xff);
        if (i + 3 < n)
            dec[o++] = (char)(v & 0xff);
    }
    dec[o] = '\0';
    /* Exactly what http_page_cursor writes: 'k' and 1 to 18 digits. */
    if (o < 2 || o > 19 || dec[0] != 'k')
        goto bad;
    int64_t k = 0;
    for (size_t i = 1; i < o; i++) {
        if (dec[i] < '0' || dec[i] > '9')
            goto bad;
        k = k * 10 + (dec[i] - '0');
    }
    *key = k;
    return 0;
bad:
    return yl_err_set(err, YL_EINVAL, "cursor", "cursor is not one this server gave out");
}

int http_page_params(struct http_request *req, int *limit, int64_t *after, struct yl_err *err)
{
    int64_t lim;
    int rc = http_query_int(req, "limit", 1, 1000, 50, &lim, err);
    if (rc != 0)
        return rc;
    *limit = (int)lim;
    *after = 0;
    const char *c = http_query(req, "cursor");
    if (c == NULL || c[0] == '\0')
        return 0;
    return http_page_cursor_decode(c, after, err);
}
