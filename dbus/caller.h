/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "failure.h"
#include "manager.h"

/* Who asks: a D-Bus method call (on the bus, or a private-socket peer), or a token-socket peer known by the
 * SO_PEERCRED it connected with. */
typedef struct Caller {
        sd_bus_message *message;        /* the call, or NULL for a token-socket peer */
        uid_t uid;                      /* a token-socket peer's */
        pid_t pid;
} Caller;

/* Who may call: only processes of the daemon's own uid, on the bus and on the private and token sockets
 * alike. A bus that lets other users connect (a shared or misconfigured one) must not become a way to
 * someone's tokens. Returns 0 when allowed, -EACCES (with `error` set) when not. */
int caller_check_any(Manager *m, const Caller *c, Failure *f);
/* The same for a D-Bus call, with the failure mapped to its D-Bus error. */
int caller_check(Manager *m, sd_bus_message *msg, sd_bus_error *error);

/* AllowedCallers=: the caller's executable must be one of `allowed` (NULL or empty: everyone of our uid).
 * A full front end exec()ed by its launcher counts as that launcher. Same-uid processes can defeat this with
 * ptrace; it is defence in depth, not a boundary. */
int caller_check_program(const Caller *c, char * const *allowed, Failure *f);

/* Forget cached sender credentials (a unique name left the bus). */
void caller_forget(Manager *m, const char *unique_name);
