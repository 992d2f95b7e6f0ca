/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"

int cli_connect(sd_bus **ret) {
        int r;

        r = broker_open(ret);
        if (r < 0) {
                fprintf(stderr,
                        "tokenbroker: cannot reach tokenbrokerd: %s\n"
                        "tokenbroker: start it with 'systemctl --user start tokenbrokerd' or run 'tokenbrokerd &'.\n",
                        strerror(-r));
                return EXIT_UNREACHABLE;
        }
        return 0;
}

int cli_fail(const char *what, const sd_bus_error *error, int r) {
        const char *msg = broker_error_message(error, r);

        /* A bus that has no broker and cannot start one says so in D-Bus terms; say it in ours. */
        if (error && (sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                      sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
                      sd_bus_error_has_name(error, "org.freedesktop.DBus.Error.Spawn.ServiceNotFound"))) {
                fprintf(stderr,
                        "tokenbroker: %s: tokenbrokerd is not running and cannot be activated; start it with "
                        "'systemctl --user start tokenbrokerd' or run 'tokenbrokerd &'.\n",
                        what);
                return EXIT_UNREACHABLE;
        }
        fprintf(stderr, "tokenbroker: %s: %s\n", what, msg);
        if (error && sd_bus_error_is_set(error) && r >= 0)
                r = -sd_bus_error_get_errno(error);
        return exit_status_from_errno(r < 0 ? r : -EIO);
}

int cli_usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("tokenbroker: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\ntokenbroker: see 'tokenbroker --help'.\n", stderr);
        return EXIT_USAGE;
}

void json_print_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) strempty(s); *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

static void print_pairs(FILE *f, char * const *pairs, bool raw) {
        fputc('{', f);
        for (char * const *p = pairs; p && p[0] && p[1]; p += 2) {
                if (p != pairs)
                        fputc(',', f);
                json_print_string(f, p[0]);
                fputc(':', f);
                if (raw)
                        fputs(p[1], f);
                else
                        json_print_string(f, p[1]);
        }
        fputc('}', f);
}

void json_print_pairs(FILE *f, char * const *pairs) {
        print_pairs(f, pairs, false);
}

void json_print_pairs_raw(FILE *f, char * const *pairs) {
        print_pairs(f, pairs, true);
}

char *cli_find_on_path(const char *name) {
        _cleanup_strv_free_ char **dirs = NULL;
        const char *path = getenv("PATH");

        dirs = strv_split(isempty(path) ? "/usr/local/bin:/usr/bin:/bin" : path, ":");
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *p = NULL;

                if ((*d)[0] != '/')     /* a relative $PATH entry would name another file from elsewhere */
                        continue;
                p = strjoin(*d, "/", name);
                if (p && access(p, X_OK) == 0)
                        return TAKE_PTR(p);
        }
        return NULL;
}
