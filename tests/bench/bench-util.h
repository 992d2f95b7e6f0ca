/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the bench clients share: a clock, and a connection to tokenbrokerd over a transport named on the
 * command line. The front ends' broker_open() falls back from the private socket to the bus silently; a
 * measurement must know which path it timed, so here a missing path is an error. */

#include <stdint.h>
#include <systemd/sd-bus.h>

/* CLOCK_MONOTONIC in microseconds. */
uint64_t bench_now_usec(void);

/* "bus": the session bus (connect + Hello), as applications reach the daemon.
 * "private": $XDG_RUNTIME_DIR/tokenbroker/bus, peer to peer, as the front ends do. */
int bench_connect(const char *transport, sd_bus **ret);

/* The destination of a call to the broker: its bus name on the bus, none on a peer-to-peer connection. */
const char *bench_destination(sd_bus *bus);

/* The clients' common command line, "TRANSPORT ACCOUNT COUNT": checks it and connects. On bad arguments
 * prints the usage and returns -EINVAL. */
int bench_setup(int argc, char *argv[], sd_bus **ret_bus, long *ret_count);

/* A call on the broker's object without a reply to read; the error's message goes to stderr. */
int bench_call(sd_bus *bus, const char *interface, const char *member, const char *types, ...);

/* One GetToken(account, {}), timed from before the call until its token is read. */
int bench_get_token(sd_bus *bus, const char *account, uint64_t *ret_usec);

/* Writes a token over before freeing it: even test tokens are treated as secrets. */
void bench_free_secret(char *s);
