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
#include "host-match.h"
#include "log.h"
#include "string-util.h"

typedef struct AccountInfo {
        char *git_username;
        char **hosts;
} AccountInfo;

static void account_info_clear(AccountInfo *i) {
        free(i->git_username);
        i->git_username = NULL;
        i->hosts = strv_free(i->hosts);
}

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

static int read_account_info(sd_bus_message *m, AccountInfo *ret) {
        AccountInfo info = {};
        const char *key;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        goto fail;

                if (streq(key, "git-username")) {
                        const char *v;

                        r = sd_bus_message_read(m, "v", "s", &v);
                        if (r < 0)
                                goto fail;
                        free(info.git_username);
                        info.git_username = strdup(v);
                        if (!info.git_username) {
                                r = -ENOMEM;
                                goto fail;
                        }
                } else if (streq(key, "hosts")) {
                        r = sd_bus_message_enter_container(m, 'v', "as");
                        if (r < 0)
                                goto fail;
                        info.hosts = strv_free(info.hosts);
                        r = sd_bus_message_read_strv(m, &info.hosts);
                        if (r < 0)
                                goto fail;
                        r = sd_bus_message_exit_container(m);
                        if (r < 0)
                                goto fail;
                } else {
                        r = sd_bus_message_skip(m, "v");
                        if (r < 0)
                                goto fail;
                }

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        goto fail;
        }
        if (r < 0)
                goto fail;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                goto fail;

        *ret = info;
        return 0;

fail:
        account_info_clear(&info);
        return r;
}

static int get_account_info(sd_bus *bus, const char *account, AccountInfo *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = broker_call(bus, "GetAccount", &error, &reply, "s", account);
        if (r < 0)
                return log_call_error("Cannot look up the account", r, &error);
        r = read_account_info(reply, ret);
        if (r < 0)
                return log_error_errno(r, "Cannot read the daemon's account information: %m");
        return 0;
}

/* An account picked with --account still only serves the hosts its Hosts= names (host-match.h). */
static bool account_serves(const AccountInfo *info, const Credential *c) {
        return hosts_serve(info->hosts, c->protocol, c->host, c->path);
}

/* Finds the account for a request. Returns 1 with *ret_account set (and *ret_info filled when the account
 * info was needed to decide), 0 when no account owns the request. */
static int resolve_account(sd_bus *bus, const Credential *c, bool need_info, char **ret_account,
                           AccountInfo *ret_info, bool *ret_quit) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        AccountInfo info = {};
        const char *name;
        char *copy;
        int r;

        *ret_quit = false;

        if (arg_account) {
                r = get_account_info(bus, arg_account, &info);
                if (r < 0) {
                        /* The user named this account for this URL: a missing one is a definite no. */
                        *ret_quit = git_helper_error_is_definite(r);
                        return r;
                }
                if (!account_serves(&info, c)) {
                        log_debug("Account '%s' does not serve %s://%s, not answering.", arg_account,
                                  c->protocol, c->host);
                        account_info_clear(&info);
                        return 0;
                }
                copy = strdup(arg_account);
                if (!copy) {
                        account_info_clear(&info);
                        return log_oom();
                }
                *ret_account = copy;
                *ret_info = info;
                return 1;
        }

        r = broker_call(bus, "MatchAccount", &error, &reply, "sss", c->protocol, c->host, strempty(c->path));
        if (r < 0)
                return log_call_error("Cannot match the request to an account", r, &error);
        r = sd_bus_message_read(reply, "s", &name);
        if (r < 0)
                return log_error_errno(r, "Cannot read the daemon's answer: %m");
        if (isempty(name)) {
                log_debug("No account serves %s://%s.", c->protocol, c->host);
                return 0;
        }

        if (need_info) {
                r = get_account_info(bus, name, &info);
                if (r < 0) {
                        *ret_quit = git_helper_error_is_definite(r);
                        return r;
                }
        }
        copy = strdup(name);
        if (!copy) {
                account_info_clear(&info);
                return log_oom();
        }
        *ret_account = copy;
        *ret_info = info;
        return 1;
}

static int op_get(sd_bus *bus, const Credential *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(broker_token_clear) BrokerToken token = {};
        _cleanup_(account_info_clear) AccountInfo info = {};
        _cleanup_free_ char *account = NULL;
        bool quit = false;
        int r;

        /* The account's git username is only needed for the username/password form. */
        r = resolve_account(bus, c, !credential_has_capability(c, "authtype"), &account, &info, &quit);
        if (r <= 0) {
                if (quit)
                        git_helper_print_quit();
                return r;
        }

        r = broker_get_token(bus, account, NULL, &token, &error);
        if (r < 0) {
                if (error_is_unreachable(&error))
                        return log_unreachable(r, &error);
                if (git_helper_error_is_definite(r))
                        git_helper_print_quit();
                log_error("No token for account '%s': %s", account, broker_error_message(&error, r));
                return r;
        }
        if (isempty(token.token))
                return log_error_errno(EBADMSG, "The daemon answered an empty token for account '%s'.",
                                       account);

        return git_helper_write_answer(c, info.git_username ?: "oauth2", token.token, token.expires_at);
}

static int op_erase(sd_bus *bus, const Credential *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(account_info_clear) AccountInfo info = {};
        _cleanup_free_ char *account = NULL;
        const char *token;
        bool quit;
        int r;

        /* Only the token git was given is dropped. An erase without one would mean "everything" to the
         * daemon's Invalidate, and git sends such erases for credentials that never came from us. */
        token = !isempty(c->credential) ? c->credential : c->password;
        if (isempty(token))
                return 0;

        r = resolve_account(bus, c, false, &account, &info, &quit);
        if (r <= 0)
                return r;

        /* The daemon compares: a password that is not its cached token changes nothing. */
        r = broker_call(bus, "Invalidate", &error, NULL, "ss", account, token);
        if (r < 0)
                return log_call_error("Cannot invalidate the token", r, &error);
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
