/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"
#include "server-metadata.h"
#include "waiters.h"

/* Issuer metadata (Issuer= in an account file): fetched once per issuer, shared by every account naming it,
 * kept for a day. The documents are tried in the order server_metadata_urls() gives; a 404 moves on to the
 * next, anything else ends the attempt. Concurrent askers share one fetch. */

/* ca_file: the asking account's CAFile=, used to verify the issuer (NULL: the system's CAs). The callback's
 * subject is the ServerMetadata, or NULL on failure, with error (-errno) and a message for the user.
 * Returns 1 and sets *ret when the issuer's metadata is at hand; 0 when a fetch is in flight (the callback
 * runs once, later, from the event loop); < 0 when it failed now or a moment ago, with *ret_failure (borrowed,
 * may be NULL) saying why. The callback is called only when 0 is returned. */
int discovery_resolve(Engine *eng, const char *issuer, const char *ca_file, waiter_fn cb,
                      void *userdata, const ServerMetadata **ret, const char **ret_failure);

/* The metadata if it is at hand, else NULL: never starts a fetch. */
const ServerMetadata *discovery_cached(Engine *eng, const char *issuer);

void discovery_free_all(Engine *eng);
