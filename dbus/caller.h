/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* Who may call: only processes of the daemon's own uid, on the bus and on the private socket alike. A bus
 * that lets other users connect (a shared or misconfigured one) must not become a way to someone's tokens.
 * Returns 0 when allowed, -EACCES (with `error` set) when not. */
int caller_check(Manager *m, sd_bus_message *msg, sd_bus_error *error);

/* AllowedCallers=: the caller's executable must be one of `allowed` (NULL or empty: everyone of our uid).
 * Same-uid processes can defeat this with ptrace; it is defence in depth, not a boundary. */
int caller_check_executable(sd_bus_message *msg, char * const *allowed, sd_bus_error *error);

/* Forget cached sender credentials (a unique name left the bus). */
void caller_forget(Manager *m, const char *unique_name);
