/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "wire-api.h"

/* The one table between -errno and org.tokenbroker.Error.*, for both transports:
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
 * lib/bus builds sd-bus's error map from it (bus-errors.c); the token socket and its client use the
 * functions below. Errnos outside the table travel as "System.Error.ENAME", sd-bus's generic form. */
#define BROKER_ERRORS(X)                                \
        X(BROKER_ERROR_NO_SUCH_ACCOUNT, ESRCH)          \
        X(BROKER_ERROR_LOGIN_REQUIRED, EKEYEXPIRED)     \
        X(BROKER_ERROR_KEYRING_LOCKED, ENOLCK)          \
        X(BROKER_ERROR_PROVIDER, EREMOTEIO)             \
        X(BROKER_ERROR_BAD_RESPONSE, EBADMSG)           \
        X(BROKER_ERROR_UNAVAILABLE, EHOSTUNREACH)       \
        X(BROKER_ERROR_ACCESS_DENIED, EACCES)           \
        X(BROKER_ERROR_INVALID_ARGS, EINVAL)            \
        X(BROKER_ERROR_CONFIG, EUCLEAN)                 \
        X(BROKER_ERROR_MISSING_SECRET, ENOKEY)          \
        X(BROKER_ERROR_EXISTS, EEXIST)

#define BROKER_ERROR_NAME_MAX 64

/* The error name of -errno (or errno) `error`: the table's, else "System.Error.ENAME", in `buf`. */
const char *broker_error_name(int error, char buf[static BROKER_ERROR_NAME_MAX]);

/* The -errno of an error name: the table's, "System.Error.ENAME"'s, else -EIO (as sd-bus does). */
int broker_error_to_errno(const char *name);

/* Errnos that mean "cannot reach it right now" are folded into -EHOSTUNREACH. */
int errno_normalize(int r);
