/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>

#include "bus-api.h"
#include "bus-errors.h"

const sd_bus_error_map broker_error_map[] = {
#define ENTRY(name, code) SD_BUS_ERROR_MAP(name, code),
        BROKER_ERRORS(ENTRY)
#undef ENTRY
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
