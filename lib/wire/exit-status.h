/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Exit statuses of tokenbroker and git-credential-tokenbroker: classes people script against. */
enum {
        EXIT_OK = 0,
        EXIT_FAILURE_OTHER = 1,     /* anything not below */
        EXIT_USAGE = 2,             /* bad command line or malformed input */
        EXIT_NO_ACCOUNT = 3,        /* no such account */
        EXIT_LOGIN_REQUIRED = 4,    /* run `tokenbroker login NAME`, or set the secret again */
        EXIT_PROVIDER = 5,          /* the token endpoint refused or answered garbage */
        EXIT_UNREACHABLE = 6,       /* the token endpoint or the daemon cannot be reached */
        EXIT_KEYRING_LOCKED = 7,    /* the keyring is locked */
        EXIT_ACCESS_DENIED = 8,     /* the daemon refused this caller */
        EXIT_CONFIG = 9,            /* the account file is invalid, or a secret it needs is missing */
};

/* -errno (as wire-errors.h maps them) to one of the above. */
int exit_status_from_errno(int r);
