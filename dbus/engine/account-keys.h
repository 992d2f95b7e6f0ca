/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "engine.h"
#include "failure.h"
#include "jose-key.h"

/* An account's signing key (ClientAuth=private_key_jwt): made in the daemon, kept in the keyring as its
 * private-key secret, never handed out. What leaves is the public half, as a JWK for the user to register
 * with the server. */

/* Called once: error 0 with the public JWK (JSON text), or -errno and a message. */
typedef void (*account_key_fn)(int error, const char *message, const char *jwk, void *userdata);

/* Makes a key of `type` for account `name` and stores it. -EEXIST (through `done`) when the account has one
 * and `replace` is false: a new key silently replacing a registered one would lock the account out.
 * 0 when started, or < 0 with `f` set (no such account). */
int account_generate_key(Engine *eng, const char *name, JoseKeyType type, bool replace, account_key_fn done,
                         void *userdata, Failure *f);

/* The public half of the account's key; -ENOKEY (through `done`) when it has none. */
int account_public_key(Engine *eng, const char *name, account_key_fn done, void *userdata, Failure *f);
