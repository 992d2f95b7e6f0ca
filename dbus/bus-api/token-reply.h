/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "account.h"

/* Answers a GetToken, GetTokenInfo or GitCredential call with the entry's cached token. Both replies are marked sensitive:
 * sd-bus wipes their memory when they are freed. */
int token_reply(sd_bus_message *message, TokenEntry *e);

/* A GetToken or GetTokenInfo call waiting for a fetch (a waiter_fn, userdata: a reference to the call, which
 * it drops): answered with the token, or with the engine's error mapped to its D-Bus name. */
void token_reply_when_ready(void *entry, int error, const char *message, void *userdata);

/* GetToken's answer on the token socket: {"token", "token_type", "expires_at", "headers"}, or NULL when out
 * of memory. Wipe it before it is freed (wire_json_erase_and_put()). */
json_object *token_reply_json(const TokenEntry *e);
