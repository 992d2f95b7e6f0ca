/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"
#include "wire-errors.h"

#define SYSTEM_ERROR_PREFIX "System.Error."

static const struct {
        const char *name;
        int code;
} broker_errors[] = {
#define ENTRY(name, code) { name, code },
        BROKER_ERRORS(ENTRY)
#undef ENTRY
};

const char *broker_error_name(int error, char buf[static BROKER_ERROR_NAME_MAX]) {
        int code = ERRNO_VALUE(error);
        const char *e;

        for (size_t i = 0; i < ELEMENTSOF(broker_errors); i++)
                if (broker_errors[i].code == code)
                        return broker_errors[i].name;
        e = strerrorname_np(code);
        (void) snprintf(buf, BROKER_ERROR_NAME_MAX, SYSTEM_ERROR_PREFIX "%s", e ?: "EIO");
        return buf;
}

int broker_error_to_errno(const char *name) {
        const char *e;

        if (!name)
                return -EIO;
        for (size_t i = 0; i < ELEMENTSOF(broker_errors); i++)
                if (streq(broker_errors[i].name, name))
                        return -broker_errors[i].code;
        e = startswith(name, SYSTEM_ERROR_PREFIX);
        if (e)
                /* glibc has names for errnos up to about 135; there is no reverse lookup. */
                for (int code = 1; code < 256; code++)
                        if (streq_ptr(strerrorname_np(code), e))
                                return -code;
        return -EIO;
}

int errno_normalize(int r) {
        switch (r) {
        case -ECONNREFUSED:
        case -ECONNRESET:
        case -ETIMEDOUT:
        case -ENETUNREACH:
        case -EHOSTDOWN:
        case -ENOTCONN:
        case -ECONNABORTED:
        case -EPIPE:
        case -EAGAIN:
                return -EHOSTUNREACH;
        default:
                return r;
        }
}
