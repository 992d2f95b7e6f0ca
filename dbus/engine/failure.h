/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Why a request failed, as the engine says it: a negative errno, which each transport maps once to its own
 * error (a D-Bus error name, a token-socket error) through lib/wire's one table, and a message for a person.
 * No transport's error type reaches the engine. */
typedef struct Failure {
        int error;              /* -errno; 0 while nothing failed */
        char *message;          /* NULL: out of memory, or no more to say than strerror() */
} Failure;

/* Sets *f (replacing what it held) and returns `error`, so that a function can `return failure_set(...)`. */
int failure_set(Failure *f, int error, const char *format, ...) _printf_(3, 4);

/* What to report for a result r < 0: f's error when it was set, else r (out of memory, ...). */
static inline int failure_error(const Failure *f, int r) {
        return f->error < 0 ? f->error : r;
}

/* f's message, or strerror() of failure_error(f, r) when there is none. */
const char *failure_message(const Failure *f, int r);

void failure_clear(Failure *f);
