/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "time-util.h"

/* The front ends' client of the token socket (wire-api.h): libc and json-c, so that `tokenbroker token` and
 * the git helper start without libsystemd. */

/* Connects to $XDG_RUNTIME_DIR/tokenbroker/token, waiting at most a second. -ENOENT, -ECONNREFUSED and the
 * like when there is no daemon listening there, -EPERM when the socket or its peer is not of our uid: then
 * the caller takes the D-Bus path instead. */
int wire_connect(int *ret_fd);

typedef struct WireReply {
        json_object *root;              /* the whole reply */
        json_object *parameters;        /* borrowed from root; an empty object when it had none */
        const char *error;              /* borrowed: the error's name, NULL on success */
} WireReply;

/* Wipes the reply's strings (it may hold a token) and frees it. */
void wire_reply_done(WireReply *reply);

/* Sends {"method": method, "parameters": parameters} and reads the one reply, waiting at most
 * BROKER_CALL_TIMEOUT_USEC for it to begin and as long again for the rest. Returns 0 with *ret filled, whether the daemon answered with parameters or an
 * error; -errno when it could not be asked or its answer did not come, or was no message. */
int wire_call(int fd, const char *method, json_object *parameters, WireReply *ret);
/* The same with another time-out (the tests' short one). */
int wire_call_timeout(int fd, const char *method, json_object *parameters, usec_t timeout, WireReply *ret);

/* A failed call as -errno (from the error's name, wire-errors.h) and its message (never NULL). */
int wire_reply_errno(const WireReply *reply);
const char *wire_reply_message(const WireReply *reply);
