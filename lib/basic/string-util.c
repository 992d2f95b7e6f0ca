/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "alloc-util.h"
#include "string-util.h"

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

bool string_is_safe_utf8(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *e = p + n;

        while (p < e) {
                unsigned c = *p;
                size_t len;
                uint32_t cp;

                if (c < 0x80) {
                        if ((c < 0x20 && c != '\t') || c == 0x7f)
                                return false;
                        p++;
                        continue;
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
                        return false;
                if ((size_t) (e - p) < len)
                        return false;
                for (size_t i = 1; i < len; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3f);
                }
                /* Overlong forms, surrogates and values past Unicode are not UTF-8. */
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
                p += len;
        }
        return true;
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
