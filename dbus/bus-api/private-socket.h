/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* A connection on the private socket (private-socket.c); the values of Manager.peers, keyed by their sd_bus. */
typedef struct PrivatePeer PrivatePeer;

void private_peer_free(PrivatePeer *p);

/* BeginLogin came from a private-socket peer: it waits for LoginFinished without calling, and is not closed
 * as idle while that login runs. Nothing for a call from the bus. */
void private_peer_note_login(Manager *m, sd_bus_message *msg, const char *account);
