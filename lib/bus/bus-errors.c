/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>

#include "bus-api.h"
#include "bus-errors.h"

const sd_bus_error_map broker_error_map[] = {
        SD_BUS_ERROR_MAP(BROKER_ERROR_NO_SUCH_ACCOUNT, ESRCH),
        SD_BUS_ERROR_MAP(BROKER_ERROR_LOGIN_REQUIRED, EKEYEXPIRED),
        SD_BUS_ERROR_MAP(BROKER_ERROR_KEYRING_LOCKED, ENOLCK),
        SD_BUS_ERROR_MAP(BROKER_ERROR_PROVIDER, EREMOTEIO),
        SD_BUS_ERROR_MAP(BROKER_ERROR_BAD_RESPONSE, EBADMSG),
        SD_BUS_ERROR_MAP(BROKER_ERROR_UNAVAILABLE, EHOSTUNREACH),
        SD_BUS_ERROR_MAP(BROKER_ERROR_ACCESS_DENIED, EACCES),
        SD_BUS_ERROR_MAP(BROKER_ERROR_INVALID_ARGS, EINVAL),
        SD_BUS_ERROR_MAP(BROKER_ERROR_CONFIG, EUCLEAN),
        SD_BUS_ERROR_MAP(BROKER_ERROR_MISSING_SECRET, ENOKEY),
        SD_BUS_ERROR_MAP(BROKER_ERROR_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP_END,
};

void bus_errors_register(void) {
        static int done = 0;

        if (done)
                return;
        /* Fails only for a malformed table. */
        (void) sd_bus_error_add_map(broker_error_map);
        done = 1;
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

int bus_error_setf(sd_bus_error *error, int error_code, const char *format, ...) {
        int code = error_code < 0 ? -error_code : error_code;
        va_list ap;
        int r;

        for (const sd_bus_error_map *e = broker_error_map; e->name; e++) {
                if (e->code != code)
                        continue;
                va_start(ap, format);
                r = sd_bus_error_setfv(error, e->name, format, ap);
                va_end(ap);
                return r;
        }
        va_start(ap, format);
        r = sd_bus_error_set_errnofv(error, code, format, ap);
        va_end(ap);
        return r;
}
