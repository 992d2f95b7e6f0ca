/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *program = "tokenbroker";
static int max_level = LOG_INFO;
static int journal_prefix = -1;
static FILE *errors_also;

void log_setup(const char *program_name) {
        const char *e;

        if (program_name)
                program = program_name;
        e = secure_getenv("TOKENBROKER_LOG_LEVEL");
        if (e) {
                if (strcmp(e, "debug") == 0)
                        max_level = LOG_DEBUG;
                else if (strcmp(e, "info") == 0)
                        max_level = LOG_INFO;
                else if (strcmp(e, "warning") == 0)
                        max_level = LOG_WARNING;
                else if (strcmp(e, "err") == 0 || strcmp(e, "error") == 0)
                        max_level = LOG_ERR;
        }
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_errors_also_to(FILE *f) {
        errors_also = f;
}

int log_internal(int level, int error, const char *file, int line, const char *format, ...) {
        char buf[2048];
        va_list ap;
        int saved = errno;

        (void) file;
        (void) line;

        if (journal_prefix < 0)
                journal_prefix = !!getenv("JOURNAL_STREAM");

        /* %m prints the error passed in, not whatever errno happens to hold. */
        errno = ERRNO_VALUE(error);
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (journal_prefix)
                (void) fprintf(stderr, "<%d>%s\n", level, buf);
        else
                (void) fprintf(stderr, "%s: %s\n", program, buf);
        if (errors_also && level <= LOG_ERR)
                (void) fprintf(errors_also, "%s\n", buf);

        errno = saved;
        return -ERRNO_VALUE(error);
}
