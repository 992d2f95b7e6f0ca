/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Minimal TAP producer for unit tests, read by automake's tap-driver.sh. */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count_ = 0;
static int tap_failed_ = 0;

static inline void tap_diag(const char *fmt, ...) {
        va_list ap;

        fputs("# ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
}

static inline int tap_ok_(int cond, const char *file, int line, const char *fmt, ...) {
        va_list ap;

        tap_count_++;
        printf("%sok %d - ", cond ? "" : "not ", tap_count_);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        if (!cond) {
                tap_failed_++;
                printf("#   failed at %s:%d\n", file, line);
        }
        fflush(stdout);
        return cond;
}

#define ok(cond, ...) tap_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                              \
        ({                                                                                  \
                long long _g = (long long) (got), _w = (long long) (want);                  \
                int _r = ok(_g == _w, __VA_ARGS__);                                         \
                if (!_r)                                                                    \
                        tap_diag("  got %lld, want %lld", _g, _w);                          \
                _r;                                                                         \
        })

#define is_str(got, want, ...)                                                              \
        ({                                                                                  \
                const char *_g = (got), *_w = (want);                                       \
                int _r = ok(_g && _w ? strcmp(_g, _w) == 0 : _g == _w, __VA_ARGS__);        \
                if (!_r)                                                                    \
                        tap_diag("  got \"%s\", want \"%s\"", _g ? _g : "(null)", _w ? _w : "(null)"); \
                _r;                                                                         \
        })

/* Prints the plan and returns the exit status for main(). */
static inline int tap_done(void) {
        printf("1..%d\n", tap_count_);
        return tap_failed_ > 0 ? 1 : 0;
}
