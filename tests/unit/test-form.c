/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "alloc-util.h"
#include "form.h"
#include "tap.h"

static void test_urlencode(void) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        a = form_urlencode("AZaz09-._~");
        is_str(a, "AZaz09-._~", "unreserved characters stay as they are");
        b = form_urlencode("a b+c&d=e/f:g%");
        is_str(b, "a%20b%2Bc%26d%3De%2Ff%3Ag%25", "space is %%20, reserved characters are escaped");
        c = form_urlencode("\xc3\xa4\xe2\x82\xac");
        is_str(c, "%C3%A4%E2%82%AC", "UTF-8 bytes are escaped one by one, upper-case hex");
        d = form_urlencode("");
        is_str(d, "", "empty string");
}

static void test_append(void) {
        _cleanup_erase_ char *body = NULL;

        is_int(form_append(&body, "grant_type", "client_credentials"), 0, "append to NULL body");
        is_str(body, "grant_type=client_credentials", "first pair has no separator");
        is_int(form_append(&body, "scope", "read write"), 0, "append second pair");
        is_int(form_append(&body, "x y", NULL), 0, "append pair with NULL value");
        is_str(body, "grant_type=client_credentials&scope=read%20write&x%20y=", "pairs joined with &");
}

static void test_urldecode(void) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        a = form_urldecode("a%20b+c%2b%C3%A4", strlen("a%20b+c%2b%C3%A4"));
        is_str(a, "a b c+\xc3\xa4", "decodes %%XX (any case) and '+'");
        b = form_urldecode("abcdef", 3);
        is_str(b, "abc", "honours the length");
        ok(!form_urldecode("%2", 2), "truncated escape is refused");
        ok(!form_urldecode("%zz", 3), "non-hex escape is refused");
        ok(!form_urldecode("a%00b", 5), "%%00 is refused");
        ok(!form_urldecode("ab%", 3), "lone %% is refused");
        c = form_urldecode("", 0);
        is_str(c, "", "empty input");
}

static void test_query_get(void) {
        _cleanup_free_ char *code = NULL, *state = NULL, *flag = NULL, *enc = NULL, *missing = NULL;
        const char *q = "?code=abc%2Fdef&state=x+y&flag&na%6De=v";

        code = form_query_get(q, "code");
        is_str(code, "abc/def", "value is decoded");
        state = form_query_get(q, "state");
        is_str(state, "x y", "'+' is a space in a query");
        flag = form_query_get(q, "flag");
        is_str(flag, "", "name without '=' gives an empty value");
        enc = form_query_get(q, "name");
        is_str(enc, "v", "names are compared decoded");
        missing = form_query_get(q, "cod");
        ok(!missing, "prefix of a name does not match");
        ok(!form_query_get(NULL, "code"), "NULL query");
        ok(!form_query_get("error=a%zz", "error"), "malformed value gives NULL");
}

static void test_base64(void) {
        static const struct {
                const char *in, *std, *url;
        } vectors[] = {
                /* RFC 4648 section 10 */
                { "", "", "" },
                { "f", "Zg==", "Zg" },
                { "fo", "Zm8=", "Zm8" },
                { "foo", "Zm9v", "Zm9v" },
                { "foob", "Zm9vYg==", "Zm9vYg" },
                { "fooba", "Zm9vYmE=", "Zm9vYmE" },
                { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
                { "\xfb\xff\xbf", "+/+/", "-_-_" },
        };

        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ char *s = NULL, *u = NULL;
                _cleanup_free_ void *d1 = NULL, *d2 = NULL;
                size_t n1 = 0, n2 = 0, len = strlen(vectors[i].in);

                s = base64_encode(vectors[i].in, len);
                is_str(s, vectors[i].std, "base64 of \"%s\"", vectors[i].std);
                u = base64url_encode(vectors[i].in, len);
                is_str(u, vectors[i].url, "base64url of \"%s\"", vectors[i].url);
                is_int(base64url_decode(vectors[i].std, strlen(vectors[i].std), &d1, &n1), 0,
                       "decode padded standard \"%s\"", vectors[i].std);
                ok(n1 == len && memcmp(d1, vectors[i].in, len) == 0, "round trip (standard)");
                is_int(base64url_decode(vectors[i].url, strlen(vectors[i].url), &d2, &n2), 0,
                       "decode unpadded url-safe \"%s\"", vectors[i].url);
                ok(n2 == len && memcmp(d2, vectors[i].in, len) == 0 && ((char *) d2)[len] == 0,
                   "round trip (url-safe), NUL-terminated");
        }
}

static void test_base64_reject(void) {
        static const char *const bad[] = {
                "Zg=",          /* padding that does not complete a quantum */
                "Z",            /* six bits are not a byte */
                "Zg===",
                "Zm9v!",
                "Zm 9v",
                "Zm9v\n",
                "=Zg=",
                "Zg==Zg==",
                "Zm9vYg=a",
        };
        void *d = NULL;
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                is_int(base64url_decode(bad[i], strlen(bad[i]), &d, &n), -EINVAL, "garbage #%zu refused", i);
        ok(!d, "nothing returned for garbage");
        is_int(base64url_decode("Zm9vYg==xx", 8, &d, &n), 0, "length bounds the input");
        is_int(n, 4, "decoded size");
        free(d);
}

int main(void) {
        test_urlencode();
        test_append();
        test_urldecode();
        test_query_get();
        test_base64();
        test_base64_reject();
        return tap_done();
}
