/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "failure.h"

/* Who asks, as the engine sees it: whatever the transport, a caller can be asked whether it runs as the
 * daemon's own user and which program it is. Each transport embeds a Caller in its own record and answers
 * from what it knows (the bus daemon's credentials of a sender, SO_PEERCRED of a socket peer); the rules
 * below are the same for all of them. */

typedef struct Caller Caller;

typedef struct CallerOps {
        /* 0 when the caller runs as the daemon's own user; else < 0 with `f` set (caller_check_uid()). */
        int (*check_user)(const Caller *c, Failure *f);
        /* The caller's executable, newly allocated, or NULL when it cannot be told. Asked only for accounts
         * with AllowedCallers=. */
        char *(*executable)(const Caller *c);
} CallerOps;

struct Caller {
        const CallerOps *ops;
};

/* Who may call: only processes of the daemon's own uid, on the bus and on the private and token sockets
 * alike. A bus that lets other users connect (a shared or misconfigured one) must not become a way to
 * someone's tokens. 0 when allowed, -EACCES (with `f` set) when not. */
static inline int caller_check_user(const Caller *c, Failure *f) {
        return c->ops->check_user(c, f);
}

/* The rule itself, for the transports' check_user: `uid` against ours; `who` names the caller in the log. */
int caller_check_uid(uid_t uid, const char *who, Failure *f);

/* AllowedCallers=: the caller's executable must be one of `allowed` (NULL or empty: everyone of our uid).
 * A full front end exec()ed by its launcher counts as that launcher. Same-uid processes can defeat this with
 * ptrace; it is defence in depth, not a boundary. */
int caller_check_program(const Caller *c, char * const *allowed, Failure *f);
