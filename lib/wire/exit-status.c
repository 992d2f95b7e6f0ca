/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "wire-errors.h"
#include "exit-status.h"

int exit_status_from_errno(int r) {
        if (r >= 0)
                return EXIT_OK;

        switch (errno_normalize(r)) {
        case -EINVAL:
        case -EEXIST:
                return EXIT_USAGE;
        case -ESRCH:
                return EXIT_NO_ACCOUNT;
        case -EKEYEXPIRED:
                return EXIT_LOGIN_REQUIRED;
        case -EREMOTEIO:
        case -EBADMSG:
        case -EPROTO:
                return EXIT_PROVIDER;
        case -EHOSTUNREACH:
        case -ENOENT:   /* no bus socket, no activatable service */
        case -ENOMEDIUM:
                return EXIT_UNREACHABLE;
        case -ENOLCK:
                return EXIT_KEYRING_LOCKED;
        case -EACCES:
        case -EPERM:
                return EXIT_ACCESS_DENIED;
        case -EUCLEAN:
        case -ENOKEY:
                return EXIT_CONFIG;
        default:
                return EXIT_FAILURE_OTHER;
        }
}
