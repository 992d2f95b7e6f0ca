/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.tokenbroker.Broker1: the vtable and its handlers, nothing else. Each handler reads its arguments,
 * validates them, checks the caller, acts, and replies (now, or when the fetch or keyring job ends). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "account.h"
#include "account-check.h"
#include "accounts-watch.h"
#include "alloc-util.h"
#include "bus-failure.h"
#include "bus-message.h"
#include "broker-core.h"
#include "broker-dbus.h"
#include "broker-dbus-internal.h"
#include "bus-api.h"
#include "bus-caller.h"
#include "log.h"
#include "string-util.h"
#include "token-fetch.h"
#include "token-reply.h"
#include "warmup.h"

Account *find_account(Manager *m, const char *name, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Account *a = broker_account_named(&m->engine, name, &f);

        if (!a)
                (void) bus_error_set_failure(error, &f, -ESRCH);
        return a;
}

int read_account_argument(Manager *m, sd_bus_message *msg, sd_bus_error *error, Account **ret) {
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        *ret = find_account(m, name, error);
        return *ret ? 0 : broker_error_to_errno(error->name);
}

int read_options(sd_bus_message *msg, const BusOption *options, sd_bus_error *error) {
        const BusOption *o;
        const char *key;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                r = sd_bus_message_read(msg, "s", &key);
                if (r < 0)
                        return r;
                for (o = options; o->name && !streq(o->name, key); o++)
                        ;
                /* Unknown options are skipped: a newer caller may send some. */
                r = o->name ? sd_bus_message_read(msg, "v", o->type, o->ret) : sd_bus_message_skip(msg, "v");
                if (r < 0)
                        return bus_error_setf(error, -EINVAL, "Bad value for option '%s'.", STRING_EXCERPT(key));
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

static int method_get_token(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        TokenQuery q = TOKEN_QUERY_DEFAULT;
        const char *name;
        int force_new = 0;
        TokenEntry *e;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = read_options(msg, (const BusOption[]) {
                { "scope", "s", &q.scope },
                { "resource", "s", &q.resource },
                { "min-validity", "u", &q.min_validity },
                { "force-new", "b", &force_new },
                {},
        }, error);
        if (r < 0)
                return r;
        q.force_new = force_new;

        r = broker_token_lookup(&m->engine, BUS_CALLER(m, msg), name, &q, &e, &f);
        if (r < 0)
                return bus_error_set_failure(error, &f, r);
        if (r > 0)
                return token_reply(msg, e);

        r = token_fetch_start(e, token_reply_when_ready, sd_bus_message_ref(msg));
        if (r < 0) {
                sd_bus_message_unref(msg);
                return r;
        }
        return 1;       /* answered when the fetch ends */
}

static void reply_proof(int error, const char *message, const char *proof, void *userdata) {
        reply_later(userdata, error, message, proof);
}

static int method_get_dpop_proof(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *name, *method, *url, *token = NULL, *nonce = NULL;
        int r;

        r = sd_bus_message_read(msg, "sss", &name, &method, &url);
        if (r < 0)
                return r;
        r = read_options(msg, (const BusOption[]) {
                { "access-token", "s", &token },
                { "nonce", "s", &nonce },
                {},
        }, error);
        if (r < 0)
                return r;
        r = broker_dpop_proof(&m->engine, BUS_CALLER(m, msg), name, method, url, token, nonce, reply_proof,
                              sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        return 1;
}

static int method_list_accounts(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        names = broker_account_names(&m->engine);
        if (!names)
                return -ENOMEM;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(reply, names);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The account files the last load refused, and why: what `tokenbroker status` shows beside the accounts. */
static int method_list_refused_accounts(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        g_autoptr(GList) names = NULL;
        int r;

        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{ss}");
        if (r < 0)
                return r;
        /* A refused accounts directory is listed by its path, which no account name can be. */
        if (m->engine.config_dir_refused) {
                r = sd_bus_message_append(reply, "{ss}", m->engine.config_dir, m->engine.config_dir_refused);
                if (r < 0)
                        return r;
        }
        if (m->engine.system_dir_refused) {
                r = sd_bus_message_append(reply, "{ss}", m->engine.system_config_dir,
                                          m->engine.system_dir_refused);
                if (r < 0)
                        return r;
        }
        names = g_list_sort(g_hash_table_get_keys(m->engine.refused), (GCompareFunc) strcmp);
        for (GList *l = names; l; l = l->next) {
                r = sd_bus_message_append(reply, "{ss}", l->data, manager_refused_reason(m, l->data));
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_entry(sd_bus_message *reply, const char *key, const char *type, ...) {
        va_list ap;
        int r;

        r = bus_open_variant_entry(reply, key, type);
        if (r < 0)
                return r;
        va_start(ap, type);
        r = sd_bus_message_appendv(reply, type, ap);
        va_end(ap);
        if (r < 0)
                return r;
        return bus_close_variant_entry(reply);
}

static int append_strv_entry(sd_bus_message *reply, const char *key, char **l) {
        int r;

        r = bus_open_variant_entry(reply, key, "as");
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(reply, l);
        if (r < 0)
                return r;
        return bus_close_variant_entry(reply);
}

static void on_checked(int error, const char *message, const AccountCheck *c, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (error < 0) {
                (void) bus_error_setf(&e, error, "%s", strna(message));
                (void) sd_bus_reply_method_error(call, &e);
                return;
        }
        r = sd_bus_message_new_method_return(call, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, c->missing);
        if (r >= 0)
                r = sd_bus_message_append(reply, "ss", strempty(c->endpoint),
                                          c->endpoint_error < 0 ? strna(c->endpoint_message) : "");
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        if (r < 0)
                (void) sd_bus_reply_method_errnof(call, r, "Cannot answer: %m");
}

/* `tokenbroker doctor`: the secrets the account lacks in the keyring, and whether its token endpoint answers. */
static int method_check_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Account *a;
        int r;

        r = read_account_argument(m, msg, error, &a);
        if (r < 0)
                return r;
        r = account_check_start(&m->engine, a->name, on_checked, sd_bus_message_ref(msg));
        if (r < 0) {
                sd_bus_message_unref(msg);
                if (r == -EBUSY)
                        return bus_error_setf(error, -EAGAIN, "Too many checks in flight; try again shortly.");
                return r;
        }
        return 1;
}

static int method_get_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **kinds = NULL, **needed = NULL;
        static char *empty[] = { NULL };
        AccountConfig *c;
        TokenEntry *e;
        Account *a;
        int r;

        r = read_account_argument(m, msg, error, &a);
        if (r < 0)
                return r;
        c = a->config;
        e = account_get_entry(a, "", false);
        kinds = account_secret_kinds(a);
        needed = account_needed_secrets(c);
        if (!kinds || !needed)
                return -ENOMEM;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        if ((r = append_entry(reply, "provider", "s", strempty(c->provider))) < 0 ||
            (r = append_entry(reply, "grant", "s", grant_type_to_string(c->grant))) < 0 ||
            (r = append_entry(reply, "token-url", "s", strempty(c->token_url))) < 0 ||
            (r = append_entry(reply, "issuer", "s", strempty(c->issuer))) < 0 ||
            (r = append_entry(reply, "client-id", "s", strempty(c->client_id))) < 0 ||
            (r = append_entry(reply, "scopes", "s", strempty(c->scopes))) < 0 ||
            (r = append_strv_entry(reply, "hosts", c->hosts ?: empty)) < 0 ||
            (r = append_entry(reply, "warmup", "b", (int) c->warmup)) < 0 ||
            (r = append_entry(reply, "git-username", "s", c->git_username ?: "oauth2")) < 0 ||
            (r = append_entry(reply, "docker-username", "s", broker_docker_username(a))) < 0 ||
            (r = append_entry(reply, "secrets-loaded", "b", (int) (a->secrets_state == SECRETS_LOADED))) < 0 ||
            (r = append_strv_entry(reply, "secrets", kinds)) < 0 ||
            (r = append_strv_entry(reply, "needed-secrets", needed)) < 0 ||
            (r = append_entry(reply, "token-cached", "b", (int) (e && e->access_token))) < 0 ||
            (r = append_entry(reply, "expires-at", "x", (int64_t) (e && e->access_token ? e->expires_usec / USEC_PER_SEC : 0))) < 0 ||
            (r = append_entry(reply, "login-required", "b", (int) a->login_required)) < 0 ||
            (r = append_entry(reply, "refresh-token-memory-only", "b",
                              (int) (a->refresh_token_unsaved && a->refresh_token))) < 0 ||
            (r = append_entry(reply, "last-error", "s", strempty(a->last_error))) < 0 ||
            (r = append_entry(reply, "path", "s", strempty(c->path))) < 0 ||
            (r = append_entry(reply, "provisioned", "b", (int) c->provisioned)) < 0 ||
            (r = append_entry(reply, "client-cert-file", "s", strempty(c->client_cert_file))) < 0 ||
            (r = append_entry(reply, "client-key-file", "s", strempty(c->client_key_file))) < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_match_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *protocol, *host, *path;
        Account *a;
        int r;

        r = sd_bus_message_read(msg, "sss", &protocol, &host, &path);
        if (r < 0)
                return r;
        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        r = broker_match_account(&m->engine, protocol, host, path, &a, &f);
        if (r < 0)
                return bus_error_set_failure(error, &f, r);
        return sd_bus_reply_method_return(msg, "s", a ? a->name : "");
}

/* git's get, answered as the token socket's GitCredential answers it: the account found by the daemon's one
 * matcher (broker_git_account()), and its token. ("", "", "", 0) when no account serves the request. */
static int method_git_credential(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *protocol, *host, *path, *account;
        TokenEntry *e;
        Account *a;
        int r;

        r = sd_bus_message_read(msg, "ssss", &protocol, &host, &path, &account);
        if (r < 0)
                return r;
        r = broker_git_account(&m->engine, BUS_CALLER(m, msg), protocol, host, path, account, &a, &f);
        if (r < 0)
                return bus_error_set_failure(error, &f, r);
        if (!a)
                return sd_bus_reply_method_return(msg, "sssx", "", "", "", INT64_C(0));

        r = broker_git_token_lookup(&m->engine, BUS_CALLER(m, msg), a, &e, &f);
        if (r < 0)
                return bus_error_set_failure(error, &f, r);
        if (r > 0)
                return token_reply(msg, e);
        r = token_fetch_start(e, token_reply_when_ready, sd_bus_message_ref(msg));
        if (r < 0) {
                sd_bus_message_unref(msg);
                return r;
        }
        return 1;
}

/* git's erase: drops `token` from the account git's get would have used, if any; answers that account. */
static int method_invalidate_git_credential(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *protocol, *host, *path, *account, *token;
        Account *a;
        int r;

        r = sd_bus_message_read(msg, "sssss", &protocol, &host, &path, &account, &token);
        if (r < 0)
                return r;
        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        if (isempty(token))
                return bus_error_setf(error, -EINVAL, "No token given: git's erase names the credential it drops.");
        r = broker_git_account(&m->engine, BUS_CALLER(m, msg), protocol, host, path, account, &a, &f);
        if (r < 0)
                return bus_error_set_failure(error, &f, r);
        if (a)
                broker_invalidate_account(a, token);
        return sd_bus_reply_method_return(msg, "s", a ? a->name : "");
}

static int method_invalidate(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *name, *token;
        int r;

        r = sd_bus_message_read(msg, "ss", &name, &token);
        if (r < 0)
                return r;
        r = broker_invalidate(&m->engine, BUS_CALLER(m, msg), name, token, &f);
        if (r < 0)
                return bus_error_set_failure(error, &f, r);
        return sd_bus_reply_method_return(msg, NULL);
}

static void on_reloaded(int r, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (r >= 0) {
                (void) sd_bus_reply_method_return(call, NULL);
                return;
        }
        (void) bus_error_setf(&e, r, "Failed to reload the accounts: %s", strerror(-r));
        (void) sd_bus_reply_method_error(call, &e);
}

/* Answered when the accounts are served as the files now say; they are read on a thread meanwhile, while
 * other callers get their cached tokens. */
static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        /* The folders are looked at again too: one made, moved or replaced is watched from now on. */
        (void) accounts_watch_start(m);
        r = engine_reload_accounts(&m->engine, on_reloaded, sd_bus_message_ref(msg));
        if (r < 0) {
                sd_bus_message_unref(msg);
                if (r == -EBUSY)
                        return bus_error_setf(error, r, "%u Reload calls wait for the next reload already: try "
                                              "again when the one running now has ended.",
                                              ENGINE_RELOAD_WAITERS_MAX);
                return bus_error_setf(error, r, "Failed to reload the accounts: %s", strerror(-r));
        }
        return 1;
}

static int method_warmup(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "u", (uint32_t) warmup_start(&m->engine));
}

const sd_bus_vtable broker_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("GetToken",
                                SD_BUS_ARGS("s", account, "a{sv}", options),
                                SD_BUS_RESULT("s", token, "s", token_type, "x", expires_at, "a{ss}", headers),
                                method_get_token, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetDPoPProof",
                                SD_BUS_ARGS("s", account, "s", method, "s", url, "a{sv}", options),
                                SD_BUS_RESULT("s", proof),
                                method_get_dpop_proof, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("GetTokenInfo",
                                SD_BUS_ARGS("s", account, "a{sv}", options),
                                SD_BUS_RESULT("a{sv}", info),
                                method_get_token, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListAccounts",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("as", accounts),
                                method_list_accounts, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListRefusedAccounts",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{ss}", refused),
                                method_list_refused_accounts, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetAccount",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_RESULT("a{sv}", info),
                                method_get_account, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CheckAccount",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_RESULT("as", missing_secrets, "s", token_endpoint, "s", endpoint_problem),
                                method_check_account, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("MatchAccount",
                                SD_BUS_ARGS("s", protocol, "s", host, "s", path),
                                SD_BUS_RESULT("s", account),
                                method_match_account, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GitCredential",
                                SD_BUS_ARGS("s", protocol, "s", host, "s", path, "s", account),
                                SD_BUS_RESULT("s", account, "s", username, "s", token, "x", expires_at),
                                method_git_credential, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("InvalidateGitCredential",
                                SD_BUS_ARGS("s", protocol, "s", host, "s", path, "s", account, "s", token),
                                SD_BUS_RESULT("s", account),
                                method_invalidate_git_credential, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Invalidate",
                                SD_BUS_ARGS("s", account, "s", token),
                                SD_BUS_NO_RESULT,
                                method_invalidate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Warmup",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("u", started),
                                method_warmup, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddAccount",
                                SD_BUS_ARGS("s", account, "a{ss}", settings, "b", replace),
                                SD_BUS_NO_RESULT,
                                method_add_account, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveAccount",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_NO_RESULT,
                                method_remove_account, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Revoke",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_RESULT("s", revoked),
                                method_revoke, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("BeginLogin",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_RESULT("a{sv}", info),
                                method_begin_login, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CancelLogin",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_RESULT("b", cancelled),
                                method_cancel_login, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetSecret",
                                SD_BUS_ARGS("s", account, "s", kind, "ay", secret),
                                SD_BUS_NO_RESULT,
                                method_set_secret, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("GenerateKey",
                                SD_BUS_ARGS("s", account, "s", type, "a{sv}", options),
                                SD_BUS_RESULT("s", public_jwk),
                                method_generate_key, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetPublicKey",
                                SD_BUS_ARGS("s", account),
                                SD_BUS_RESULT("s", public_jwk),
                                method_get_public_key, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("TokenRefreshed", SD_BUS_ARGS("s", account, "x", expires_at), 0),
        SD_BUS_SIGNAL("AccountsChanged", NULL, 0),
        SD_BUS_SIGNAL_WITH_ARGS("LoginRequired", SD_BUS_ARGS("s", account), 0),
        SD_BUS_SIGNAL_WITH_ARGS("LoginFinished", SD_BUS_ARGS("s", account, "b", ok, "s", message), 0),
        SD_BUS_VTABLE_END,
};
