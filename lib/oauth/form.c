/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "string-util.h"

static const char hex_upper[] = "0123456789ABCDEF";

static bool char_is_unreserved(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_' || c == '~';
}

char *form_urlencode(const char *s) {
        size_t n = strlen(s);
        char *out, *p;

        /* Worst case every byte becomes three. */
        if (n > (SIZE_MAX - 1) / 3)
                return NULL;
        out = malloc(n * 3 + 1);
        if (!out)
                return NULL;
        p = out;
        for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
                if (char_is_unreserved(*c))
                        *p++ = (char) *c;
                else {
                        *p++ = '%';
                        *p++ = hex_upper[*c >> 4];
                        *p++ = hex_upper[*c & 15];
                }
        }
        *p = 0;
        return out;
}

int form_append(char **body, const char *name, const char *value) {
        _cleanup_erase_ char *v = NULL;
        _cleanup_free_ char *k = NULL;
        char *joined;

        assert(body);
        assert(name);

        k = form_urlencode(name);
        v = form_urlencode(strempty(value));
        if (!k || !v)
                return -ENOMEM;

        joined = strjoin(strempty(*body), isempty(*body) ? "" : "&", k, "=", v);
        if (!joined)
                return -ENOMEM;

        /* The body carries secrets: the old copy must not linger on the heap. */
        erase_and_free(*body);
        *body = joined;
        return 0;
}

char *form_urldecode(const char *s, size_t n) {
        char *out;
        size_t k = 0;

        if (n == SIZE_MAX)
                return NULL;
        out = malloc(n + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '%') {
                        int hi, lo;

                        if (n - i < 3)
                                goto fail;
                        hi = unhexchar(s[i + 1]);
                        lo = unhexchar(s[i + 2]);
                        /* %00 would silently cut the string short: refuse it like a bad escape. */
                        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                                goto fail;
                        out[k++] = (char) (hi << 4 | lo);
                        i += 2;
                } else if (s[i] == '+')
                        out[k++] = ' ';
                else if (s[i] == 0)
                        goto fail;
                else
                        out[k++] = s[i];
        }
        out[k] = 0;
        return out;

fail:
        erase_buffer(out, k);
        free(out);
        return NULL;
}

char *form_query_get(const char *query, const char *name) {
        const char *p;

        assert(name);

        if (!query)
                return NULL;
        p = query[0] == '?' ? query + 1 : query;

        for (;;) {
                size_t len = strcspn(p, "&"), klen;
                const char *eq = memchr(p, '=', len);
                _cleanup_free_ char *key = NULL;

                klen = eq ? (size_t) (eq - p) : len;
                key = form_urldecode(p, klen);
                if (key && streq(key, name)) {
                        if (!eq)
                                return strdup("");
                        return form_urldecode(eq + 1, len - klen - 1);
                }
                if (p[len] == 0)
                        return NULL;
                p += len + 1;
        }
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *base64_encode_full(const void *p, size_t n, const char *alphabet, bool pad) {
        const uint8_t *in = p;
        char *out, *o;
        size_t i;

        if (n > (SIZE_MAX - 4) / 4 * 3)
                return NULL;
        out = malloc((n + 2) / 3 * 4 + 1);
        if (!out)
                return NULL;
        o = out;
        for (i = 0; i + 2 < n; i += 3) {
                *o++ = alphabet[in[i] >> 2];
                *o++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
                *o++ = alphabet[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
                *o++ = alphabet[in[i + 2] & 63];
        }
        if (n - i == 1) {
                *o++ = alphabet[in[i] >> 2];
                *o++ = alphabet[(in[i] & 3) << 4];
                if (pad) {
                        *o++ = '=';
                        *o++ = '=';
                }
        } else if (n - i == 2) {
                *o++ = alphabet[in[i] >> 2];
                *o++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
                *o++ = alphabet[(in[i + 1] & 15) << 2];
                if (pad)
                        *o++ = '=';
        }
        *o = 0;
        return out;
}

char *base64_encode(const void *p, size_t n) {
        return base64_encode_full(p, n, b64_std, true);
}

char *base64url_encode(const void *p, size_t n) {
        return base64_encode_full(p, n, b64_url, false);
}

static int b64_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+' || c == '-')
                return 62;
        if (c == '/' || c == '_')
                return 63;
        return -EINVAL;
}

int base64url_decode(const char *s, size_t n, void **ret, size_t *ret_size) {
        uint8_t *out;
        size_t k = 0, pad = 0;
        uint32_t acc = 0;
        unsigned bits = 0;

        assert(s || n == 0);
        assert(ret);

        /* Padding is optional, but when present it must complete the last quantum exactly. */
        while (pad < n && s[n - pad - 1] == '=')
                pad++;
        if (pad > 0 && (pad > 2 || n % 4 != 0))
                return -EINVAL;
        n -= pad;
        /* A lone trailing character carries only six bits, less than one byte. */
        if (n % 4 == 1)
                return -EINVAL;

        out = malloc(n / 4 * 3 + 3);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int v = b64_value(s[i]);

                if (v < 0) {
                        erase_buffer(out, k);
                        free(out);
                        return -EINVAL;
                }
                acc = acc << 6 | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[k++] = (uint8_t) (acc >> bits);
                }
        }
        out[k] = 0;
        *ret = out;
        if (ret_size)
                *ret_size = k;
        return 0;
}
