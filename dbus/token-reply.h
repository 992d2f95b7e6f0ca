/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "account.h"

/* Answers a GetToken or GetTokenInfo call with the entry's cached token. Both replies are marked sensitive:
 * sd-bus wipes their memory when they are freed. */
int token_reply(sd_bus_message *message, TokenEntry *e);

/* GetToken's answer on the token socket: {"token", "token_type", "expires_at", "headers"}, or NULL when out
 * of memory. Wipe it before it is freed (wire_json_erase_and_put()). */
json_object *token_reply_json(const TokenEntry *e);
