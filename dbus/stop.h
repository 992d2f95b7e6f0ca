/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"
#include "time-util.h"

/* The longest a stop waits for the token requests in flight (--stop-timeout-sec): longer than an HTTP
 * request's own default limit (30 s) with its keyring store, well within systemd's stop time-out (90 s by
 * default). */
#define STOP_TIMEOUT_DEFAULT_USEC (40 * USEC_PER_SEC)

/* SIGTERM and SIGINT end the daemon through here (stop.c), after at most m->stop_timeout_usec. */
int stop_signals_setup(Manager *m);
