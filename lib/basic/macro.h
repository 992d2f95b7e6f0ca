/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The small set of helpers every file uses: scoped cleanup, ownership transfer and array sizes,
 * after systemd's macro.h. Depends on libc only. */

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hands the value over to the caller and leaves NULL behind, so the _cleanup_ on the local does nothing. */
#define TAKE_PTR(p)                                      \
        ({                                               \
                __typeof__(p) _taken_ = (p);             \
                (p) = NULL;                              \
                _taken_;                                 \
        })

#define TAKE_FD(fd)                                      \
        ({                                               \
                int _taken_fd_ = (fd);                   \
                (fd) = -1;                               \
                _taken_fd_;                              \
        })

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)          \
        static inline void func##p(type *p) {            \
                if (*p)                                  \
                        func(*p);                        \
        }

/* GLib defines the same two; whichever comes first wins, they agree. */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* x equals one of the values listed. */
#define IN_SET(x, first, ...)                                                            \
        ({                                                                               \
                const __typeof__(first) _set_[] = { first, __VA_ARGS__ };                \
                const __typeof__(x) _x_ = (x);                                           \
                int _found_ = 0;                                                         \
                for (size_t _i_ = 0; _i_ < ELEMENTSOF(_set_); _i_++)                     \
                        if (_set_[_i_] == _x_) {                                         \
                                _found_ = 1;                                             \
                                break;                                                   \
                        }                                                                \
                _found_;                                                                 \
        })

#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)

/* Negative errno in, positive out; keeps the sign juggling in one place. */
#define ERRNO_VALUE(r) ((r) < 0 ? -(r) : (r))
