/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "exit-status.h"
#include "git-credential-common.h"
#include "process-harden.h"
#include "log.h"
#include "string-util.h"

const char *arg_account = NULL;

/* stdio buffers that held a password or a token are ours, so they can be wiped before exit. */
static char stdin_buffer[BUFSIZ];
static char stdout_buffer[BUFSIZ];

int git_helper_main(int argc, char *argv[], int (*run)(int argc, char *argv[])) {
        int r;

        log_setup(GIT_HELPER_PROGRAM);
        setvbuf(stdin, stdin_buffer, _IOFBF, sizeof(stdin_buffer));
        setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));

        r = run(argc, argv);

        if (fflush(stdout) != 0 && r >= 0)
                r = log_error_errno(errno, "Cannot write to standard output: %m");
        erase_buffer(stdin_buffer, sizeof(stdin_buffer));
        erase_buffer(stdout_buffer, sizeof(stdout_buffer));

        return exit_status_from_errno(r);
}

static void help(void) {
        printf("%s [--account NAME] get|store|erase|capability\n\n"
               "git credential helper that answers with tokens from tokenbrokerd.\n\n"
               "  -a --account NAME   use this account rather than the first whose Hosts= match; it still\n"
               "                      answers only what its Hosts= serve (without Hosts=: any https host)\n"
               "  -h --help           show this help\n"
               "     --version        show the version\n\n"
               "Set it up with: tokenbroker setup-git\n"
               "Example, one account for one remote:\n"
               "  git config credential.https://git.example.com.helper \"tokenbroker --account work\"\n",
               GIT_HELPER_PROGRAM);
}

int git_helper_parse_argv(int argc, char *argv[], GitOp *ret_op) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                { "account", required_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        static const char *const ops[] = {
                [GIT_OP_GET] = "get",
                [GIT_OP_STORE] = "store",
                [GIT_OP_ERASE] = "erase",
        };
        const char *op;
        int c;

        while ((c = getopt_long(argc, argv, "a:h", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        if (!account_name_is_valid(optarg))
                                return log_error_errno(EINVAL, "Invalid account name '%s'.", optarg);
                        arg_account = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("%s %s\n", GIT_HELPER_PROGRAM, PACKAGE_VERSION);
                        return 0;
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }

        if (optind + 1 != argc)
                return log_error_errno(EINVAL, "Expected exactly one operation (get, store or erase).");
        op = argv[optind];

        /* The capability query (git-credential(1), "CAPABILITY INPUT/OUTPUT FORMAT") reads no input. */
        if (streq(op, "capability")) {
                fputs("version 0\ncapability authtype\n", stdout);
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                if (streq(ops[i], op)) {
                        *ret_op = (GitOp) i;
                        return 1;
                }
        /* Later versions of git may add operations; they are none of our business. */
        return 0;
}

int git_helper_read_request(GitOp op, Credential *c) {
        _cleanup_free_ char *message = NULL;
        const char *reason = NULL;
        int r;

        r = credential_read(stdin, c, &message);
        /* git hands the token back with erase and store: no call that checks this program's identity
         * follows those. */
        if (c->password)
                process_hold_secrets();
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(EINVAL, "Malformed input from git, %s.", strna(message));

        /* Tokens are the daemon's to keep; git's copy is not stored anywhere. */
        if (op == GIT_OP_STORE)
                return 0;

        r = credential_check_request(c, &reason);
        if (r < 0)
                return log_error_errno(r, "Malformed input from git: %s.", reason);
        return 1;
}

int git_helper_log_unreachable(const char *reason) {
        log_error("Cannot reach tokenbrokerd: %s. Start it with 'systemctl --user start tokenbrokerd' "
                  "or by running 'tokenbrokerd'.",
                  reason);
        return -EHOSTUNREACH;
}

bool git_helper_error_is_definite(int r) {
        switch (r) {
        case -EKEYEXPIRED: /* LoginRequired */
        case -EREMOTEIO:   /* Provider */
        case -EACCES:      /* AccessDenied */
        case -EUCLEAN:     /* Config */
        case -ENOKEY:      /* MissingSecret */
        case -ESRCH:       /* NoSuchAccount */
                return true;
        default:
                return false;
        }
}

void git_helper_print_quit(void) {
        (void) fputs("quit=1\n", stdout);
}

int git_helper_write_answer(const Credential *req, const char *username, const char *token,
                            int64_t expires_at) {
        char expiry[32] = "";
        int r;

        if (expires_at > 0)
                (void) snprintf(expiry, sizeof(expiry), "%lld", (long long) expires_at);

        if (credential_has_capability(req, "authtype")) {
                /* git 2.46+: "Authorization: Bearer TOKEN" directly, not disguised as a Basic password.
                 * ephemeral: the token must not be kept by storage helpers. password_expiry_utc also
                 * bounds the credential for helpers and for git's approve, which skips expired ones. */
                r = credential_write_item(stdout, "capability[]", "authtype");
                if (r >= 0)
                        r = credential_write_item(stdout, "authtype", "Bearer");
                if (r >= 0)
                        r = credential_write_item(stdout, "credential", token);
                if (r >= 0)
                        r = credential_write_item(stdout, "ephemeral", "true");
        } else {
                r = credential_write_item(stdout, "username", username);
                if (r >= 0)
                        r = credential_write_item(stdout, "password", token);
        }
        if (r >= 0 && *expiry)
                r = credential_write_item(stdout, "password_expiry_utc", expiry);
        if (r == -EINVAL)
                return log_error_errno(EBADMSG,
                                       "The daemon handed out a token git cannot carry (a line break).");
        if (r < 0)
                return log_error_errno(r, "Cannot write the answer: %m");
        return 0;
}
