/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where in the raw text a key, a group or a syntax error is. GKeyFile parses; this only finds line numbers
 * for messages, so it follows GKeyFile's line rules loosely and never decides what a value is. Lines are
 * split at '\n' and white space around them is ignored, as GKeyFile does. */

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "account-file-internal.h"

typedef struct Line {
        const char *start;
        size_t len;
        unsigned number;
} Line;

static bool line_next(const char *data, size_t size, const char **pos, Line *line) {
        const char *end = data + size, *nl;

        if (*pos >= end)
                return false;
        nl = memchr(*pos, '\n', end - *pos);
        line->start = *pos;
        line->len = (nl ?: end) - *pos;
        line->number++;
        *pos = nl ? nl + 1 : end;
        while (line->len > 0 && g_ascii_isspace(*line->start)) {
                line->start++;
                line->len--;
        }
        while (line->len > 0 && g_ascii_isspace(line->start[line->len - 1]))
                line->len--;
        return true;
}

static bool line_is_comment(const Line *l) {
        return l->len == 0 || l->start[0] == '#';
}

/* For "[name]" lines: the name's start and length; false for anything else. */
static bool line_group(const Line *l, const char **ret_name, size_t *ret_len) {
        const char *close;

        if (l->len < 2 || l->start[0] != '[')
                return false;
        close = memchr(l->start, ']', l->len);
        if (!close || close != l->start + l->len - 1)
                return false;
        *ret_name = l->start + 1;
        *ret_len = close - l->start - 1;
        return true;
}

static bool line_key(const Line *l, const char **ret_key, size_t *ret_len) {
        const char *eq = memchr(l->start, '=', l->len);
        size_t n;

        if (!eq)
                return false;
        n = eq - l->start;
        while (n > 0 && g_ascii_isspace(l->start[n - 1]))
                n--;
        *ret_key = l->start;
        *ret_len = n;
        return true;
}

static bool span_eq(const char *s, size_t n, const char *z) {
        return strlen(z) == n && memcmp(s, z, n) == 0;
}

unsigned account_file_locate(const char *data, size_t size, const char *group, const char *key) {
        const char *pos = data, *s;
        bool in_group = false;
        Line l = {};
        unsigned found = 0;
        size_t n;

        while (line_next(data, size, &pos, &l)) {
                if (line_is_comment(&l))
                        continue;
                if (line_group(&l, &s, &n)) {
                        in_group = span_eq(s, n, group);
                        if (in_group && !key)
                                return l.number;
                        continue;
                }
                if (in_group && key && line_key(&l, &s, &n) && span_eq(s, n, key))
                        found = l.number;
        }
        return found;
}

/* Called only after GKeyFile refused the text, to say where. */
unsigned account_file_locate_syntax_error(const char *data, size_t size, const char **ret_message) {
        const char *pos = data, *s;
        bool have_group = false;
        Line l = {};
        size_t n;

        while (line_next(data, size, &pos, &l)) {
                if (!g_utf8_validate(l.start, l.len, NULL)) {
                        *ret_message = "not valid UTF-8";
                        return l.number;
                }
                if (line_is_comment(&l))
                        continue;
                if (l.start[0] == '[') {
                        if (!line_group(&l, &s, &n) || n == 0 || memchr(s, '[', n)) {
                                *ret_message = "invalid group header";
                                return l.number;
                        }
                        have_group = true;
                        continue;
                }
                if (!line_key(&l, &s, &n) || n == 0) {
                        *ret_message = "syntax error: expected a [Group], a Key=Value line or a # comment";
                        return l.number;
                }
                if (!have_group) {
                        *ret_message = "key before the first [Group] header";
                        return l.number;
                }
        }
        *ret_message = "syntax error";
        return 0;
}
