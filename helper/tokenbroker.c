/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbroker: the command line's launcher. `tokenbroker token NAME [--scope S] [--resource URI]`, the verb scripts and curl
 * run all day, is answered here over the token socket, by a process that loads libc and json-c only; so are
 * `kube-credential`, `credential-helper`, `goauth URL` and `exec` (launcher-tools.c), which kubectl and wrapped programs run as often.
 * Everything else, `token --json` included, and `token` whenever the socket is absent or refuses us, is the
 * full command line's (tokenbroker-cli, exec()ed with the same arguments), so that help, usage errors and
 * every other message and exit status are that one program's; what is printed here matches it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "exit-status.h"
#include "launcher.h"
#include "launcher-tools.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"
#include "wire-client.h"
#include "wire-json.h"

/* `token`'s arguments as tokenbroker-cli's verb_token() reads them (getopt_long permutes and takes
 * abbreviations), on a copy, so that the full program gets them as they came. 1 when this is the plain
 * form answered here; 0 for anything else (--json, a usage error), which the full program handles. */
static int parse_token(int argc, char *argv[], const char **ret_account, const char **ret_scope,
                       const char **ret_resource) {
        static const struct option options[] = {
                { "scope", required_argument, NULL, 's' },
                { "resource", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_free_ char **args = NULL;
        const char *scope = NULL, *resource = NULL;
        int c;

        args = memdup(argv, sizeof(char *) * (size_t) (argc + 1));
        if (!args)
                return 0;
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, args, "", options, NULL)) >= 0) {
                /* Several --resource options are joined by the full program. */
                if (c == 'r' && !resource)
                        resource = optarg;
                else if (c == 's')
                        scope = optarg;
                else
                        return 0;
        }
        if (argc - optind != 1)
                return 0;

        *ret_account = args[optind];
        *ret_scope = scope;
        *ret_resource = resource;
        return 1;
}

static const char *basename_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* As tokenbroker-cli's cli_fail(): "tokenbroker: NAME: REASON", and the exit status of the error. */
static int fail(const char *account, const char *reason, int r) {
        fprintf(stderr, "tokenbroker: %s: %s\n", account, reason);
        return exit_status_from_errno(r);
}

static int token(int fd, const char *account, const char *scope, const char *resource) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_json_ json_object *p = NULL;
        const char *t = NULL;
        int r;

        p = json_object_new_object();
        if (!p || json_object_object_add(p, "account", json_object_new_string(account)) < 0 ||
            (!isempty(scope) && json_object_object_add(p, "scope", json_object_new_string(scope)) < 0) ||
            (!isempty(resource) && json_object_object_add(p, "resource", json_object_new_string(resource)) < 0))
                return fail(account, strerror(ENOMEM), -ENOMEM);

        r = wire_call(fd, WIRE_METHOD_GET_TOKEN, p, &reply);
        if (r < 0)
                return fail(account, strerror(-r), r);
        if (reply.error)
                return fail(account, wire_reply_message(&reply), wire_reply_errno(&reply));
        if (wire_json_get_string(reply.parameters, "token", &t) <= 0)
                return fail(account, strerror(EBADMSG), -EBADMSG);

        printf("%s\n", t);
        return EXIT_OK;
}

int main(int argc, char *argv[]) {
        const char *account, *scope, *resource;
        _cleanup_close_ int fd = -1;

        log_setup("tokenbroker");

        /* Installed as tokenbroker-credential-helper too: Bazel runs a helper by its path alone, as
         * `PATH get`. */
        if (argc >= 1 && streq(basename_of(argv[0]), "tokenbroker-credential-helper")) {
                int r = launcher_credential_helper(argc, argv);
                return r >= 0 ? r : fail("credential-helper", "usage: tokenbroker-credential-helper get", -EINVAL);
        }

        if (argc >= 2 && streq(argv[1], "token") && parse_token(argc - 1, argv + 1, &account, &scope, &resource) > 0 &&
            wire_connect(&fd) >= 0)
                return token(fd, account, scope, resource);
        /* Answered here, whatever the transport: they have no D-Bus form (launcher-tools.c). */
        if (argc >= 2 && streq(argv[1], "kube-credential")) {
                _cleanup_free_ char **args = memdup(argv + 1, sizeof(char *) * (size_t) argc);
                int r = args ? launcher_kube_credential(argc - 1, args) : -1;
                if (r >= 0)
                        return r;
        }
        if (argc >= 2 && streq(argv[1], "goauth")) {
                _cleanup_free_ char **args = memdup(argv + 1, sizeof(char *) * (size_t) argc);
                int r = args ? launcher_goauth(argc - 1, args) : -1;
                if (r >= 0)
                        return r;
        }
        if (argc >= 2 && streq(argv[1], "credential-helper")) {
                _cleanup_free_ char **args = memdup(argv + 1, sizeof(char *) * (size_t) argc);
                int r = args ? launcher_credential_helper(argc - 1, args) : -1;
                if (r >= 0)
                        return r;
        }
        if (argc >= 2 && streq(argv[1], "exec")) {
                _cleanup_free_ char **args = memdup(argv + 1, sizeof(char *) * (size_t) argc);
                int r = args ? launcher_exec_with_tokens(argc - 1, args) : -1;
                if (r >= 0)
                        return r;
        }

        (void) launcher_exec(BROKER_FULL_CLI, argv);
        return EXIT_FAILURE_OTHER;
}
