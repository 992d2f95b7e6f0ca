/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failure.h"

int failure_set(Failure *f, int error, const char *format, ...) {
        va_list ap;

        free(f->message);
        f->error = error;
        va_start(ap, format);
        if (vasprintf(&f->message, format, ap) < 0)
                f->message = NULL;
        va_end(ap);
        return error;
}

const char *failure_message(const Failure *f, int r) {
        return f->message ?: strerror(-failure_error(f, r));
}

void failure_clear(Failure *f) {
        free(f->message);
        *f = (Failure) {};
}
