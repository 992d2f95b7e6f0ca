/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "account.h"

/* Answers a GetToken or GetTokenInfo call with the entry's cached token. Both replies are marked sensitive:
 * sd-bus wipes their memory when they are freed. */
int token_reply(sd_bus_message *message, TokenEntry *e);
