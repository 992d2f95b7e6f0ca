/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "wire-errors.h"

/* sd-bus's view of the one -errno <-> org.tokenbroker.Error.* table (wire-errors.h). sd-bus applies it in
 * both directions once bus_errors_register() ran: sd_bus_error_set_errno() picks the name,
 * sd_bus_error_get_errno() gives the errno back to a front end. */
extern const sd_bus_error_map broker_error_map[];

void bus_errors_register(void);

/* Sets `error` to the org.tokenbroker.Error.* name of `error_code`, a negative errno as the engine reports it
 * (sd-bus applies custom maps only when reading errors, not when sending them), or to sd-bus's generic
 * mapping for other errnos. Returns error_code, so handlers can `return bus_error_setf(...)`. */
int bus_error_setf(sd_bus_error *error, int error_code, const char *format, ...) __attribute__((format(printf, 3, 4)));
