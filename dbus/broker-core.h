/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "account.h"
#include "caller.h"

/* What GetToken, MatchAccount and Invalidate do, whichever transport asked: D-Bus (broker-dbus.c) or the
 * token socket (token-socket-methods.c). Errors are set in an sd_bus_error either way, so that both send the
 * same names and messages. */

/* Every account's name, sorted: "the first account whose Hosts= match" must not depend on hashing. */
char **broker_account_names(Manager *m);

/* The caller's uid, then the account called `name`: 0 with *ret, or < 0 with `error` set. */
int broker_find_account(Manager *m, const Caller *c, const char *name, Account **ret, sd_bus_error *error);

/* GetToken up to its answer: the caller's uid, the account, AllowedCallers=, the scope (within Scopes=,
 * normalised; the account's full set is the same entry as none), min-validity (UINT32_MAX: the account's
 * RefreshSkew). Returns 1 when *ret holds a token to hand out now (usable, or unexpired while a retry is
 * pending), 0 when the caller must wait for a fetch of *ret (token_fetch_start*(), single-flight), < 0 with
 * `error` set. */
int broker_token_lookup(Manager *m, const Caller *c, const char *account, const char *scope,
                        uint32_t min_validity, TokenEntry **ret, sd_bus_error *error);

/* MatchAccount after the caller check: the first account (by name) with a Hosts= pattern matching the
 * request, borrowed, or NULL when none does. InvalidArgs without a host. */
int broker_match_account(Manager *m, const char *protocol, const char *host, const char *path, Account **ret,
                         sd_bus_error *error);

/* Invalidate: drops the account's cached token equal to `token` (all of them when it is empty). */
int broker_invalidate(Manager *m, const Caller *c, const char *account, const char *token,
                      sd_bus_error *error);
void broker_invalidate_account(Account *a, const char *token);
