/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-errors.h"
#include "failure.h"

/* The one place where the D-Bus transport turns the engine's failure (or a bare result r < 0) into its
 * org.tokenbroker.Error.* name and message. Returns the error, for `return bus_error_set_failure(...)`. */
static inline int bus_error_set_failure(sd_bus_error *error, const Failure *f, int r) {
        return bus_error_setf(error, failure_error(f, r), "%s", failure_message(f, r));
}
