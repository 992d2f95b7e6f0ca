/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* git-credential-tokenbroker: answers git's credential requests with short-lived tokens from tokenbrokerd.
 *
 *   git config --global credential.helper tokenbroker
 *
 * git spawns this for every HTTP request, so it is a launcher that loads libc and json-c only: get and erase
 * go over the token socket (one request each: the daemon finds the account, by Hosts= or --account and its
 * Hosts=, exactly as D-Bus GitCredential does, and hands out its token). When the socket is absent or refuses us, the full
 * helper (git-credential-tokenbroker-bus, over D-Bus) is exec()ed before stdin is read, so it reads git's
 * request itself. Both print the same answers and messages and exit the same way (git-credential-common.c);
 * see git-credential-tokenbroker-bus.c for quit=1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "credential-proto.h"
#include "git-credential-common.h"
#include "launcher.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"
#include "wire-client.h"
#include "wire-json.h"

/* The request as the daemon wants it: where git is going, and --account. */
static json_object *request_new(const Credential *c, const char *token) {
        _cleanup_json_erase_ json_object *p = json_object_new_object();

        if (!p ||
            json_object_object_add(p, "protocol", json_object_new_string(c->protocol)) < 0 ||
            json_object_object_add(p, "host", json_object_new_string(c->host)) < 0 ||
            (c->path && json_object_object_add(p, "path", json_object_new_string(c->path)) < 0) ||
            (arg_account && json_object_object_add(p, "account", json_object_new_string(arg_account)) < 0) ||
            (token && json_object_object_add(p, "token", json_object_new_string(token)) < 0))
                return NULL;
        return TAKE_PTR(p);
}

/* Sends the request; 0 with the answer, or -errno after the message the full helper would print for it: an
 * error about the account's token ("account" in its parameters) is `token_failure`'s, one about finding the
 * account is the daemon's matcher's (broker_git_account(), as D-Bus GitCredential finds it). */
static int call(int fd, const char *method, json_object *p, const char *token_failure, bool quit_on_definite,
                WireReply *ret) {
        const char *account = NULL, *message;
        int r;

        if (!p)
                return log_oom();
        r = wire_call(fd, method, p, ret);
        if (r < 0)
                return git_helper_log_unreachable(strerror(-r));
        if (!ret->error)
                return 0;

        r = wire_reply_errno(ret);
        message = wire_reply_message(ret);
        (void) wire_json_get_string(ret->parameters, "account", &account);
        if (account || arg_account) {
                if (quit_on_definite && git_helper_error_is_definite(r))
                        git_helper_print_quit();
        }
        if (account && token_failure)
                log_error("%s '%s': %s", token_failure, account, message);
        else if (account)
                log_error("Cannot invalidate the token: %s", message);
        else if (arg_account)
                log_error("Cannot look up the account: %s", message);
        else
                log_error("Cannot match the request to an account: %s", message);
        return r;
}

/* Whether an account took the request; says why not at debug level. */
static bool answered_by_account(const WireReply *reply, const Credential *c, const char **ret_account) {
        const char *account = NULL;

        (void) wire_json_get_string(reply->parameters, "account", &account);
        if (!isempty(account)) {
                *ret_account = account;
                return true;
        }
        if (arg_account)
                log_debug("Account '%s' does not serve %s://%s, not answering.", arg_account, c->protocol,
                          c->host);
        else
                log_debug("No account serves %s://%s.", c->protocol, c->host);
        return false;
}

static int op_get(int fd, const Credential *c) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_json_ json_object *p = request_new(c, NULL);
        const char *account, *token = NULL, *username = NULL;
        json_object *v;
        int r;

        r = call(fd, WIRE_METHOD_GIT_CREDENTIAL, p, "No token for account", true, &reply);
        if (r < 0)
                return r;
        if (!answered_by_account(&reply, c, &account))
                return 0;

        (void) wire_json_get_string(reply.parameters, "token", &token);
        (void) wire_json_get_string(reply.parameters, "username", &username);
        if (isempty(token))
                return log_error_errno(EBADMSG, "The daemon answered an empty token for account '%s'.",
                                       account);

        return git_helper_write_answer(c, username ?: "oauth2", token,
                                       json_object_object_get_ex(reply.parameters, "expires_at", &v) ?
                                       json_object_get_int64(v) : 0);
}

static int op_erase(int fd, const Credential *c) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_json_ json_object *p = NULL;
        const char *token, *account;
        int r;

        /* Only the token git was given is dropped, and only by the account that would have given it: an
         * erase without one would mean "everything" to Invalidate, and git sends such erases for
         * credentials that never came from us. The daemon compares: a password that is not its cached token
         * changes nothing. */
        token = !isempty(c->credential) ? c->credential : c->password;
        if (isempty(token))
                return 0;

        p = request_new(c, token);
        r = call(fd, WIRE_METHOD_INVALIDATE, p, NULL, false, &reply);
        if (r < 0)
                return r;
        (void) answered_by_account(&reply, c, &account);
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_free_ char **args = NULL;
        _cleanup_close_ int fd = -1;
        GitOp op;
        int r;

        /* getopt_long() permutes argv; the full helper gets the arguments as they came. */
        args = memdup(argv, sizeof(char *) * (size_t) (argc + 1));
        if (!args)
                return log_oom();

        r = git_helper_parse_argv(argc, argv, &op);
        if (r <= 0)
                return r;
        if (op != GIT_OP_STORE && wire_connect(&fd) < 0)
                return launcher_exec(BROKER_FULL_GIT_HELPER, args);

        r = git_helper_read_request(op, &c);
        if (r <= 0)
                return r;
        return op == GIT_OP_GET ? op_get(fd, &c) : op_erase(fd, &c);
}

int main(int argc, char *argv[]) {
        return git_helper_main(argc, argv, run);
}
