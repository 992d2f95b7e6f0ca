/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* The org.tokenbroker.Broker1 interface, as served on the bus and on the private socket. */
extern const sd_bus_vtable broker_vtable[];
