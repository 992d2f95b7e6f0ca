/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "failure.h"

/* What a person asks of their accounts, whichever transport carried the request: add one, set one of its
 * secrets, remove it. The transports check the caller and read their arguments; the work is here. */

/* Called once when an operation that waits for the keyring or a server ends: error 0, or -errno and a
 * message. */
typedef void (*account_done_fn)(int error, const char *message, void *userdata);

/* Writes NAME.conf from name/value pairs (keys as in the file), then loads the accounts again as a Reload
 * does: the files are read on a thread while other callers get their cached tokens, and `done` follows
 * once the account is served (an error only when that reload failed; the file stays written). 0 when
 * written (`done` follows, maybe before this returns), or < 0 with `f` set and no `done`: InvalidArgs for a
 * bad name, unknown keys or bad values (with the file's diagnostics), EEXIST when the account exists and
 * `replace` is false. */
int account_add(Engine *eng, const char *name, char * const *settings, bool replace, account_done_fn done,
                void *userdata, Failure *f);

/* Stores a secret of account `name` in the keyring, then (when its secrets are in memory) there too. 0 when
 * started (`done` follows), or < 0 with `f` set: an unknown kind or a value that is not 1 to 16384 bytes of
 * printable UTF-8. */
int account_store_secret(Engine *eng, const char *name, const char *kind, const void *value, size_t size,
                         account_done_fn done, void *userdata, Failure *f);

/* Removes account `name`: its grant revoked at the server first when it can be (a failure is logged, not
 * fatal: the user asked for the account to go), then its secrets deleted from the keyring (a failure keeps
 * the account, whose secrets nobody could name any more otherwise), then its file; its waiting callers fail
 * with ESRCH. A user's file that hides an administrator's of the same name goes alone (their secrets are the
 * same), at once. 0 when started (`done` follows, maybe before this returns), or < 0 with `f` set: EPERM for
 * an account the administrator provisioned, or lack of memory. */
int account_remove(Engine *eng, const char *name, account_done_fn done, void *userdata, Failure *f);
