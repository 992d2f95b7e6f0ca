/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "engine.h"
#include "jwk.h"
#include "waiters.h"

/* Issuers' signing keys (their jwks_uri), for checking ID tokens: fetched when first needed, shared by every
 * account of the issuer, kept for a day. An issuer rotates its keys without notice, so a token whose kid the
 * set lacks asks for the set again (`refetch`). Only a login's token response can ask that, once per login
 * (login-id-token.c), and logins are bounded: no crowd of callers can make the daemon hammer the issuer.
 * Concurrent askers share one fetch. */

/* Returns 1 and sets *ret when the set is at hand and `refetch` is false;
 * 0 when a fetch is in flight (the callback runs once, later, with the JwkSet as subject or NULL and a
 * message); < 0 when the fetch failed now or a moment ago, with *ret_failure (borrowed, may be NULL). */
int issuer_keys_get(Engine *eng, const char *jwks_uri, const char *ca_file, bool refetch, waiter_fn cb,
                    void *userdata, const JwkSet **ret, const char **ret_failure);

void issuer_keys_free_all(Engine *eng);
