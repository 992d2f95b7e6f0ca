/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "alloc-util.h"
#include "string-util.h"

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

const char *startswith_no_case(const char *s, const char *prefix) {
        size_t l = strlen(prefix);

        return strncasecmp(s, prefix, l) == 0 ? s + l : NULL;
}

bool endswith(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);

        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

bool account_name_is_valid(const char *name) {
        size_t n;

        if (isempty(name) || name[0] == '.' || name[0] == '-')
                return false;
        n = strlen(name);
        if (n > 64)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

size_t utf8_decode_char(const unsigned char *p, size_t n, uint32_t *ret_cp) {
        unsigned c = p[0];
        size_t len;
        uint32_t cp;

        if (c < 0x80) {
                *ret_cp = c;
                return 1;
        }
        if ((c & 0xe0) == 0xc0) {
                len = 2;
                cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
                len = 3;
                cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
                len = 4;
                cp = c & 0x07;
        } else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        *ret_cp = cp;
        return len;
}

bool string_is_safe_utf8(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *e = p + n;

        while (p < e) {
                uint32_t cp;
                size_t len = utf8_decode_char(p, (size_t) (e - p), &cp);

                if (len == 0 || (cp < 0x20 && cp != '\t') || cp == 0x7f)
                        return false;
                p += len;
        }
        return true;
}

bool secret_value_is_valid(const char *s, size_t size) {
        /* string_is_safe_utf8() refuses NUL with the other control characters; the explicit check says that
         * a secret is never cut short at one. */
        return s && size >= 1 && size <= SECRET_VALUE_MAX && !memchr(s, 0, size) &&
               string_is_safe_utf8(s, size);
}

bool pem_text_is_valid(const char *s, size_t size) {
        if (!s || size < 1 || size > SECRET_VALUE_MAX)
                return false;
        for (size_t i = 0; i < size; i++)
                if (s[i] != '\n' && s[i] != '\r' && (s[i] < 0x20 || s[i] > 0x7e))
                        return false;
        return true;
}

const char *string_excerpt(const char *s, char *buf, size_t size) {
        const unsigned char *p = (const unsigned char *) strempty(s);
        /* No need to measure 30 MB to cut them: one byte past the most an excerpt can take says "more". */
        size_t n = strnlen((const char *) p, STRING_EXCERPT_CHARS * 4 + 1), i = 0, k = 0;

        assert(buf);
        assert(size >= 4);      /* room for "..." and the NUL at least */

        for (size_t chars = 0; i < n; chars++) {
                uint32_t cp = 0;
                size_t len = utf8_decode_char(p + i, n - i, &cp), out;
                bool printable;

                /* C0 and C1 controls, DEL, line separators and bidi overrides could break or rearrange
                 * the line the excerpt is shown in; bytes that are not UTF-8 would make a D-Bus string
                 * invalid. */
                printable = len > 0 && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
                            !(cp >= 0x2028 && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
                out = printable ? len : 1;
                /* Stop at the limit, or where the rest would not fit together with the "...". */
                if (chars >= STRING_EXCERPT_CHARS || k + out + 3 >= size)
                        break;
                if (printable)
                        memcpy(buf + k, p + i, len);
                else
                        buf[k] = '?';
                k += out;
                i += len ?: 1;
        }
        if (i < n) {
                /* Cut short, which the reader should know. The loop left room for it. */
                memcpy(buf + k, "...", 3);
                k += 3;
        }
        buf[k] = 0;
        return buf;
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

char *scopes_normalize(const char *scopes) {
        _cleanup_strv_free_ char **words = NULL;
        size_t n, len = 0, k = 0;
        char *out;

        words = strv_split(strempty(scopes), " \t\n");
        if (!words)
                return NULL;
        n = strv_length(words);
        qsort(words, n, sizeof(char *), cmp_strp);
        for (size_t i = 0; i < n; i++)
                len += strlen(words[i]) + 1;
        out = malloc(len + 1);
        if (!out)
                return NULL;
        out[0] = 0;
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && streq(words[i], words[i - 1]))
                        continue;
                if (k > 0)
                        out[k++] = ' ';
                size_t l = strlen(words[i]);
                memcpy(out + k, words[i], l);
                k += l;
        }
        out[k] = 0;
        return out;
}

bool scopes_subset(const char *narrow, const char *wide) {
        _cleanup_strv_free_ char **a = NULL, **b = NULL;

        a = strv_split(strempty(narrow), " \t\n");
        b = strv_split(strempty(wide), " \t\n");
        if (!a || !b)
                return false;
        STRV_FOREACH(s, a)
                if (!strv_contains(b, *s))
                        return false;
        return true;
}

size_t strv_length(char * const *l) {
        size_t n = 0;

        while (l && l[n])
                n++;
        return n;
}

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

char **strv_free_erase(char **l) {
        STRV_FOREACH(s, l)
                erase_and_free(*s);
        free(l);
        return NULL;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **c;

        if (!value)
                return -ENOMEM;
        c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        return strv_push(l, strdup(value));
}

int strv_extend_unique(char ***l, const char *value) {
        return strv_contains(*l, value) ? 0 : strv_extend(l, value);
}

char **strv_split(const char *s, const char *separators) {
        char **l = calloc(1, sizeof(char *));
        const char *p = s;

        if (!l)
                return NULL;
        for (;;) {
                size_t skip = strspn(p, separators), len;
                p += skip;
                if (!*p)
                        break;
                len = strcspn(p, separators);
                if (strv_push(&l, strndup(p, len)) < 0)
                        return strv_free(l);
                p += len;
        }
        return l;
}

bool strv_contains(char * const *l, const char *s) {
        STRV_FOREACH(i, (char **) l)
                if (streq(*i, s))
                        return true;
        return false;
}

char *strjoin_real(const char *x, ...) {
        va_list ap;
        size_t len = 0;
        char *r, *p;

        va_start(ap, x);
        for (const char *t = x; t; t = va_arg(ap, const char *))
                len += strlen(t);
        va_end(ap);

        r = malloc(len + 1);
        if (!r)
                return NULL;
        p = r;
        va_start(ap, x);
        for (const char *t = x; t; t = va_arg(ap, const char *))
                p = stpcpy(p, t);
        va_end(ap);
        return r;
}
