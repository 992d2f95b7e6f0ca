/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The messages about one account file. They go to the log, the terminal and D-Bus replies, so each is one
 * printable line, and one file cannot make more than a screenful of them: past DIAGNOSTICS_MAX, warnings are
 * only counted and summed up in one last line. Errors are always kept: they say why the account is refused,
 * and there is at most one per known key and a few for the file as a whole, so they are few. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-file-internal.h"
#include "alloc-util.h"
#include "log.h"
#include "string-util.h"

/* Group and key names, and the account name from the file name, are quoted as they are; GKeyFile takes bytes
 * that are not UTF-8, and control characters, in them. Each such byte becomes '?'. */
static void make_printable(char *s) {
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                unsigned char c = s[i];
                size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;

                if (len <= n - i && string_is_safe_utf8(s + i, len))
                        i += len;
                else
                        s[i++] = '?';
        }
}

/* Appends one line; the list knows its length and grows by doubling, so n lines cost O(n). */
static int push_line(Diagnostics *d, char *line) {
        if (d->n_lines + 1 >= d->n_allocated) {
                size_t n = MAX(d->n_allocated * 2, (size_t) 16);
                char **l = reallocarray(d->lines, n, sizeof(char *));

                if (!l) {
                        free(line);
                        return -ENOMEM;
                }
                d->lines = l;
                d->n_allocated = n;
        }
        d->lines[d->n_lines++] = line;
        d->lines[d->n_lines] = NULL;
        return 0;
}

int diagnostics_report(Diagnostics *d, bool error, unsigned line, const char *key, const char *format, ...) {
        _cleanup_free_ char *message = NULL, *text = NULL;
        char lbuf[16] = "";
        va_list ap;
        int r, error_return;

        assert(d);
        assert(d->path);

        if (error)
                d->n_errors++;
        error_return = error ? -EUCLEAN : 0;

        if (!error && d->n_lines >= DIAGNOSTICS_MAX) {
                d->n_dropped++;
                return 0;
        }

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0) {
                message = NULL;
                d->oom = true;
                return error_return;
        }
        if (line > 0)
                (void) snprintf(lbuf, sizeof(lbuf), ":%u", line);
        if (key)
                r = asprintf(&text, "%s%s: %s: %s", d->path, lbuf, key, message);
        else
                r = asprintf(&text, "%s%s: %s", d->path, lbuf, message);
        if (r < 0) {
                text = NULL;
                d->oom = true;
                return error_return;
        }
        make_printable(text);
        log_debug("%s", text);
        if (push_line(d, TAKE_PTR(text)) < 0)
                d->oom = true;
        return error_return;
}

int diagnostics_finish(Diagnostics *d, char ***ret) {
        size_t n_old;
        char **l;

        assert(d);

        if (d->n_dropped > 0) {
                char *text;

                if (asprintf(&text, "%s: ... and %zu more warnings", d->path, d->n_dropped) < 0 ||
                    push_line(d, text) < 0)
                        d->oom = true;
                d->n_dropped = 0;
        }

        if (ret && d->n_lines > 0) {
                n_old = strv_length(*ret);
                l = reallocarray(*ret, n_old + d->n_lines + 1, sizeof(char *));
                if (!l) {
                        diagnostics_clear(d);
                        return -ENOMEM;
                }
                memcpy(l + n_old, d->lines, (d->n_lines + 1) * sizeof(char *));
                *ret = l;
                /* The lines belong to *ret now. */
                free(d->lines);
                d->lines = NULL;
        }
        diagnostics_clear(d);
        return d->oom ? -ENOMEM : 0;
}

void diagnostics_clear(Diagnostics *d) {
        if (!d)
                return;
        d->lines = strv_free(d->lines);
        d->n_lines = d->n_allocated = d->n_dropped = 0;
}
