/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* git-credential-tokenbroker-bus: the full git credential helper, over D-Bus. git runs the launcher,
 * git-credential-tokenbroker (git-credential-tokenbroker.c), which answers over the token socket and exec()s
 * this program when that socket is absent. Both print the same; git-credential-common.c holds what they
 * share.
 *
 *   git config --global credential.helper tokenbroker
 *
 * Only protocol goes to stdout; every message goes to stderr. When no account owns the request, nothing is
 * printed and the exit status is 0, so git asks its next helper.
 *
 * quit=1: when an account owns the host and the broker gives a definite no (login required, the provider
 * refused, the account is misconfigured or its secret is missing, the caller is denied, or --account names
 * an account that does not exist), the answer carries quit=1, which stops git from asking further helpers or
 * prompting. A password typed at that prompt could not work against an OAuth host and would only end up in
 * a store helper in clear text; the message on stderr says what to do instead. Transient failures (the
 * daemon or the provider cannot be reached, the keyring is locked) do not quit: they say so and let git go
 * on, so one broken daemon does not stop git for hosts tokenbroker does not own. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "bus-client.h"
#include "credential-proto.h"
#include "git-credential-common.h"
#include "log.h"
#include "string-util.h"

/* Whether a failed call never reached tokenbrokerd: a local failure (no error set), or the bus daemon's
 * answer for a name nobody owns, a failed activation or a call that timed out. Anything else is the
 * daemon's own answer, whatever its name; its errno is what counts. */
static bool error_is_unreachable(const sd_bus_error *e) {
        static const char *const names[] = {
                "org.freedesktop.DBus.Error.ServiceUnknown",
                "org.freedesktop.DBus.Error.NameHasNoOwner",
                "org.freedesktop.DBus.Error.NoReply",
                "org.freedesktop.DBus.Error.Timeout",
                "org.freedesktop.DBus.Error.TimedOut",
                "org.freedesktop.DBus.Error.Disconnected",
                "org.freedesktop.DBus.Error.NoServer",
        };

        if (!sd_bus_error_is_set(e))
                return true;
        if (startswith(e->name, "org.freedesktop.DBus.Error.Spawn."))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(e->name, names[i]))
                        return true;
        return false;
}

/* Failures to reach the daemon at all, as opposed to the daemon answering with an error. */
static int log_unreachable(int r, const sd_bus_error *e) {
        return git_helper_log_unreachable(broker_error_message(e, r));
}

static int log_call_error(const char *what, int r, const sd_bus_error *e) {
        if (error_is_unreachable(e))
                return log_unreachable(r, e);
        log_error("%s: %s", what, broker_error_message(e, r));
        return r;
}

/* The account a failed GitCredential was about, to word the error as the fast helper does: the one --account
 * names when it exists, else the one the daemon's matcher picks (NULL: the failure was in finding it). Asked
 * only after a failure, so a success costs one call. */
static char *failed_account(sd_bus *bus, const Credential *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name;

        if (arg_account)
                return broker_call(bus, "GetAccount", NULL, NULL, "s", arg_account) >= 0 ? strdup(arg_account)
                                                                                          : NULL;
        if (broker_call(bus, "MatchAccount", NULL, &reply, "sss", c->protocol, c->host, strempty(c->path)) < 0 ||
            sd_bus_message_read(reply, "s", &name) < 0 || isempty(name))
                return NULL;
        return strdup(name);
}

/* A definite no about an account that owns the request (or that --account named) carries quit=1. */
static int log_get_error(sd_bus *bus, const Credential *c, int r, const sd_bus_error *e) {
        _cleanup_free_ char *account = NULL;

        if (error_is_unreachable(e))
                return log_unreachable(r, e);
        account = failed_account(bus, c);
        if ((account || arg_account) && git_helper_error_is_definite(r))
                git_helper_print_quit();
        if (account)
                log_error("No token for account '%s': %s", account, broker_error_message(e, r));
        else if (arg_account)
                log_error("Cannot look up the account: %s", broker_error_message(e, r));
        else
                log_error("Cannot match the request to an account: %s", broker_error_message(e, r));
        return r;
}

/* Whether an account took the request; says why not at debug level. */
static bool answered_by_account(const char *account, const Credential *c) {
        if (!isempty(account))
                return true;
        if (arg_account)
                log_debug("Account '%s' does not serve %s://%s, not answering.", arg_account, c->protocol,
                          c->host);
        else
                log_debug("No account serves %s://%s.", c->protocol, c->host);
        return false;
}

/* The daemon finds the account (Hosts=, or --account and its Hosts=) and hands out its token in one call. */
static int op_get(sd_bus *bus, const Credential *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *account, *username, *token;
        int64_t expires_at;
        int r;

        r = broker_call(bus, "GitCredential", &error, &reply, "ssss", c->protocol, c->host, strempty(c->path),
                        strempty(arg_account));
        if (r < 0)
                return log_get_error(bus, c, r, &error);
        r = sd_bus_message_sensitive(reply);
        if (r < 0)
                return log_error_errno(r, "Cannot read the daemon's answer: %m");
        r = sd_bus_message_read(reply, "sssx", &account, &username, &token, &expires_at);
        if (r < 0)
                return log_error_errno(r, "Cannot read the daemon's answer: %m");
        if (!answered_by_account(account, c))
                return 0;
        if (isempty(token))
                return log_error_errno(EBADMSG, "The daemon answered an empty token for account '%s'.",
                                       account);

        return git_helper_write_answer(c, username, token, expires_at);
}

static int op_erase(sd_bus *bus, const Credential *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *token, *account;
        int r;

        /* Only the token git was given is dropped. An erase without one would mean "everything" to the
         * daemon's Invalidate, and git sends such erases for credentials that never came from us. */
        token = !isempty(c->credential) ? c->credential : c->password;
        if (isempty(token))
                return 0;

        /* The daemon compares: a password that is not its cached token changes nothing. */
        r = broker_call(bus, "InvalidateGitCredential", &error, &reply, "sssss", c->protocol, c->host,
                        strempty(c->path), strempty(arg_account), token);
        if (r < 0)
                return log_call_error(arg_account ? "Cannot look up the account"
                                                  : "Cannot match the request to an account", r, &error);
        if (sd_bus_message_read(reply, "s", &account) >= 0)
                (void) answered_by_account(account, c);
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(credential_clear) Credential c = {};
        GitOp op;
        int r;

        r = git_helper_parse_argv(argc, argv, &op);
        if (r <= 0)
                return r;
        r = git_helper_read_request(op, &c);
        if (r <= 0)
                return r;

        r = broker_open(&bus);
        if (r < 0)
                return log_unreachable(r, NULL);

        return op == GIT_OP_GET ? op_get(bus, &c) : op_erase(bus, &c);
}

int main(int argc, char *argv[]) {
        return git_helper_main(argc, argv, run);
}
