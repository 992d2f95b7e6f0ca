/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "credential-proto.h"

/* What both halves of git-credential-tokenbroker share: the launcher (git-credential-tokenbroker.c, over the
 * token socket) and the full helper (git-credential-tokenbroker-bus.c, over D-Bus) must read the same input,
 * print the same answers and messages and exit with the same statuses. libc only. */

#define GIT_HELPER_PROGRAM "git-credential-tokenbroker"

typedef enum GitOp {
        GIT_OP_GET,
        GIT_OP_STORE,
        GIT_OP_ERASE,
} GitOp;

/* --account NAME, or NULL. */
extern const char *arg_account;

/* The helper's main(): stdio buffers that are wiped before exit, `run`, the exit status of its result. */
int git_helper_main(int argc, char *argv[], int (*run)(int argc, char *argv[]));

/* The command line: 1 with *ret_op for get, store and erase; 0 when done (help, version, the capability
 * query, an operation of a later git); -errno after a message. */
int git_helper_parse_argv(int argc, char *argv[], GitOp *ret_op);

/* git's request on stdin: 1 with *c filled for get and erase, whose request names a protocol and a host; 0
 * for store, which keeps nothing; -errno after a message. */
int git_helper_read_request(GitOp op, Credential *c);

/* The daemon could not be asked, or did not answer: says so, and returns -EHOSTUNREACH. */
int git_helper_log_unreachable(const char *reason);

/* A definite no for an account that owns the host, answered with quit=1 (git-credential-tokenbroker-bus.c
 * says why). */
bool git_helper_error_is_definite(int r);
void git_helper_print_quit(void);

/* The answer to a get: the authtype form when git offered it, else username and password. */
int git_helper_write_answer(const Credential *req, const char *username, const char *token,
                            int64_t expires_at);
