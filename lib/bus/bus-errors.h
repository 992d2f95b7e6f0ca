/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* The one table between -errno and org.tokenbroker.Error.*:
 *
 *   -ESRCH       NoSuchAccount     the account does not exist
 *   -EKEYEXPIRED LoginRequired     no usable grant left: run `tokenbroker login` (or set a secret)
 *   -ENOLCK      KeyringLocked     the Secret Service collection is locked
 *   -EREMOTEIO   Provider          the token endpoint refused (its error and description in the message)
 *   -EBADMSG     BadResponse       the token endpoint answered something that is not a token response
 *   -EHOSTUNREACH Unavailable      the token endpoint, the keyring or the daemon cannot be reached
 *   -EACCES      AccessDenied      the caller may not have this
 *   -EINVAL      InvalidArgs       bad arguments
 *   -EUCLEAN     Config            the account file is invalid
 *   -ENOKEY      MissingSecret     a secret the grant needs is not in the keyring
 *   -EEXIST      Exists            the account exists already
 *
 * sd-bus applies it in both directions once bus_errors_register() ran: sd_bus_error_set_errno() picks the
 * name, sd_bus_error_get_errno() gives the errno back to a front end. */
extern const sd_bus_error_map broker_error_map[];

void bus_errors_register(void);

/* Errnos that mean "cannot reach it right now" are folded into -EHOSTUNREACH. */
int errno_normalize(int r);

/* Sets `error` to the org.tokenbroker.Error.* name of -errno `error_code` (sd-bus applies custom maps only
 * when reading errors, not when sending them), or to sd-bus's generic mapping for other errnos. Returns
 * -abs(error_code), so handlers can `return bus_error_setf(...)`. */
int bus_error_setf(sd_bus_error *error, int error_code, const char *format, ...) __attribute__((format(printf, 3, 4)));
