/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.tokenbroker.Broker1, the methods that change accounts, secrets and grants: AddAccount, SetSecret,
 * GenerateKey, GetPublicKey, RemoveAccount, Revoke, BeginLogin, CancelLogin. Each reads its arguments, checks the caller and hands the
 * work to the engine (engine/account-admin.c, account-keys.c, token-revoke.c, login.c); secrets pass through on their way to
 * the keyring. */
#include <errno.h>
#include <stdlib.h>

#include "account.h"
#include "account-admin.h"
#include "account-keys.h"
#include "alloc-util.h"
#include "broker-dbus-internal.h"
#include "bus-api.h"
#include "bus-errors.h"
#include "bus-failure.h"
#include "bus-caller.h"
#include "log.h"
#include "login.h"
#include "private-socket.h"
#include "string-util.h"
#include "token-revoke.h"

static int read_settings(sd_bus_message *msg, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *k, *v;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(msg, "{ss}", &k, &v)) > 0)
                if (strv_extend(&l, k) < 0 || strv_extend(&l, v) < 0)
                        return -ENOMEM;
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

void reply_later(sd_bus_message *call, int error, const char *message, const char *value) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (error < 0) {
                (void) bus_error_setf(&e, error, "%s", strna(message));
                (void) sd_bus_reply_method_error(call, &e);
        } else if (value)
                (void) sd_bus_reply_method_return(call, "s", value);
        else
                (void) sd_bus_reply_method_return(call, NULL);
        sd_bus_message_unref(call);
}

static void reply_done(int error, const char *message, void *userdata) {
        reply_later(userdata, error, message, NULL);
}

int method_add_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        _cleanup_strv_free_ char **settings = NULL;
        const char *name;
        int replace, r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = read_settings(msg, &settings);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "b", &replace);
        if (r < 0)
                return r;
        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        /* Answered once the account is served: a GetToken right after finds it. */
        r = account_add(&m->engine, name, settings, replace, reply_done, sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        return 1;
}

int method_set_secret(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *name, *kind;
        const void *data;
        size_t size;
        int r;

        r = sd_bus_message_read(msg, "ss", &name, &kind);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(msg, 'y', &data, &size);
        if (r < 0)
                return r;
        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        if (!find_account(m, name, error))
                return -ESRCH;
        r = account_store_secret(&m->engine, name, kind, data, size, reply_done, sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        return 1;
}

int method_remove_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        Account *a;
        int r;

        r = read_account_argument(m, msg, error, &a);
        if (r < 0)
                return r;
        r = account_remove(&m->engine, a->name, reply_done, sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        return 1;
}

static void on_revoked(int error, const char *revoked, const char *message, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (error < 0) {
                (void) bus_error_setf(&e, error == -EOPNOTSUPP ? -EUCLEAN : error, "%s", strna(message));
                (void) sd_bus_reply_method_error(call, &e);
        } else
                (void) sd_bus_reply_method_return(call, "s", revoked);
}

int method_revoke(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Account *a;
        int r;

        r = read_account_argument(userdata, msg, error, &a);
        if (r < 0)
                return r;
        r = token_revoke_start(a, on_revoked, sd_bus_message_ref(msg));
        if (r < 0)
                sd_bus_message_unref(msg);
        return r < 0 ? r : 1;
}

static bool grant_is_interactive(GrantType g) {
        return g == GRANT_AUTHORIZATION_CODE || g == GRANT_DEVICE_CODE;
}

/* BeginLogin's answer: {"kind", "url", "redirect-uri"} or {"kind", "user-code", "verification-uri",
 * "verification-uri-complete", "interval"}, and "expires-in". */
static int append_login_start(sd_bus_message *reply, const LoginStart *st) {
        const struct {
                const char *key, *value;
        } strings[] = {
                { "kind", st->kind },
                { "url", st->url },
                { "redirect-uri", st->redirect_uri },
                { "user-code", st->user_code },
                { "verification-uri", st->verification_uri },
                { "verification-uri-complete", st->verification_uri_complete },
        };
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(strings); i++)
                if (strings[i].value)
                        r = sd_bus_message_append(reply, "{sv}", strings[i].key, "s", strings[i].value);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "expires-in", "x", st->expires_in);
        if (r >= 0 && streq(st->kind, "device_code"))
                r = sd_bus_message_append(reply, "{sv}", "interval", "x", st->interval);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static void on_login_begun(const LoginStart *start, int error, const char *message, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (error < 0) {
                (void) bus_error_setf(&e, error, "%s", message);
                (void) sd_bus_reply_method_error(call, &e);
                return;
        }
        if (sd_bus_message_new_method_return(call, &reply) < 0 || append_login_start(reply, start) < 0) {
                (void) sd_bus_reply_method_errorf(call, SD_BUS_ERROR_NO_MEMORY, "Cannot answer BeginLogin.");
                return;
        }
        (void) sd_bus_send(NULL, reply, NULL);
}

int method_begin_login(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Account *a;
        int r;

        r = read_account_argument(userdata, msg, error, &a);
        if (r < 0)
                return r;
        if (!grant_is_interactive(a->config->grant))
                return bus_error_setf(error, -EINVAL,
                                      "Account '%s' uses Grant=%s, which needs no login: 'tokenbroker token %s' gets a token.",
                                      a->name, grant_type_to_string(a->config->grant), a->name);
        r = login_begin(a, on_login_begun, sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        private_peer_note_login(userdata, msg, a->name);
        return 1;       /* answered when the login knows what to show */
}

int method_cancel_login(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Account *a;
        int r;

        r = read_account_argument(userdata, msg, error, &a);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "b", (int) login_cancel(a->engine, a->name, "The login was cancelled."));
}

static void reply_public_key(int error, const char *message, const char *jwk, void *userdata) {
        reply_later(userdata, error, message, jwk);
}

int method_generate_key(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        const char *name, *type;
        int replace = 0, r;

        r = sd_bus_message_read(msg, "ss", &name, &type);
        if (r < 0)
                return r;
        r = read_options(msg, (const BusOption[]) { { "replace", "b", &replace }, {} }, error);
        if (r < 0)
                return r;
        r = caller_check(m, msg, error);
        if (r < 0)
                return r;
        if (!find_account(m, name, error))
                return -ESRCH;
        r = account_generate_key(&m->engine, name, jose_key_type_from_string(isempty(type) ? "ec" : type), replace,
                                 reply_public_key, sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        return 1;
}

int method_get_public_key(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        Manager *m = userdata;
        Account *a;
        int r;

        r = read_account_argument(m, msg, error, &a);
        if (r < 0)
                return r;
        r = account_public_key(&m->engine, a->name, reply_public_key, sd_bus_message_ref(msg), &f);
        if (r < 0) {
                sd_bus_message_unref(msg);
                return bus_error_set_failure(error, &f, r);
        }
        return 1;
}
