/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "caller.h"
#include "manager.h"

/* A D-Bus method call as a Caller (engine/caller.h): on the session bus its sender's uid comes from the bus
 * daemon (asked once per unique name, then remembered), a private-socket peer's from SO_PEERCRED. */
typedef struct BusCaller {
        Caller caller;
        Manager *manager;
        sd_bus_message *message;
} BusCaller;

#define BUS_CALLER(m, msg) (&(BusCaller) { .caller.ops = &bus_caller_ops, .manager = (m), .message = (msg) }.caller)
extern const CallerOps bus_caller_ops;

/* The uid check for a D-Bus method, with the failure mapped to its D-Bus error. */
int caller_check(Manager *m, sd_bus_message *msg, sd_bus_error *error);

/* Forget cached sender credentials (a unique name left the bus). */
void caller_forget(Manager *m, const char *unique_name);
