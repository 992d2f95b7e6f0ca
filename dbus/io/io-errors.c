/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The words for I/O failures, one wording for every caller. Apart from the I/O itself so that the engine's
 * unit tests, which replace the I/O (tests/unit/engine/fake-io.c), say exactly what the daemon says. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http-client.h"
#include "keyring-worker.h"

int http_start_error(int r, const char *what, char **ret_message) {
        const char *why;
        int e;

        switch (r) {
        case -EPROTONOSUPPORT:
                why = "its URL must be https:// (http:// only to a loopback address)";
                e = -EINVAL;
                break;
        case -EUCLEAN:
                why = "the account's CAFile= is not a regular file of at most 1 MiB";
                e = -EUCLEAN;
                break;
        case -EKEYREJECTED:
                why = "the account's ClientCertFile= or ClientKeyFile= cannot be used (no regular file of "
                      "bounded size, or a key file others may read)";
                e = -EUCLEAN;
                break;
        case -ETIMEDOUT:
                why = "its Timeout= was spent before it could be sent";
                e = -EHOSTUNREACH;
                break;
        case -ESHUTDOWN:
                why = "tokenbrokerd is stopping";
                e = -EHOSTUNREACH;
                break;
        default:
                why = strerror(-r);
                e = r;
        }
        if (asprintf(ret_message, "Cannot send the %s: %s.", what, why) < 0)
                *ret_message = NULL;
        return e;
}

int keyring_error_errno(int r) {
        switch (r) {
        case -ETIMEDOUT:
                return -EHOSTUNREACH;
        case -EPROTO:
                return -ENOKEY;
        default:
                return r;
        }
}

const char *keyring_error_message(int r) {
        switch (r) {
        case -ENOLCK:
                return "The keyring is locked: unlock it (e.g. log in to the desktop) and try again.";
        case -EHOSTUNREACH:
                return "The Secret Service (keyring) is not available on the session bus.";
        case -ETIMEDOUT:
                return "The keyring (Secret Service) did not answer in time; it may be hung.";
        case -EPROTO:
                return "The keyring holds a secret of the account that is not valid (a control character, or too "
                       "long); store it again with 'tokenbroker set-secret'.";
        default:
                return "The keyring failed.";
        }
}
