/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.tokenbroker.Broker1, the methods that change accounts, secrets and grants: AddAccount, SetSecret,
 * RemoveAccount, Revoke, BeginLogin, CancelLogin. Secrets arrive here on their way to the keyring and are wiped once stored. */
#include <errno.h>
#include <stdlib.h>

#include "account.h"
#include "alloc-util.h"
#include "broker-dbus-internal.h"
#include "bus-api.h"
#include "bus-errors.h"
#include "bus-failure.h"
#include "caller.h"
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

int method_add_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_strv_free_ char **settings = NULL, **diagnostics = NULL;
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
        if (!account_name_is_valid(name))
                return bus_error_setf(error, -EINVAL,
                                               "Invalid account name '%s': use letters, digits, '.', '_' and '-'.",
                                               STRING_EXCERPT(name));

        r = account_config_write(m->config_dir, name, settings, replace, &diagnostics);
        if (r == -EEXIST)
                return bus_error_setf(error, -EEXIST, "Account '%s' exists already.", name);
        if (r < 0) {
                g_autoptr(GString) joined = g_string_new(NULL);

                /* The diagnostics quote values the caller sent: a page of them helps nobody. */
                STRV_FOREACH(d, diagnostics) {
                        if (joined->len > 1024) {
                                g_string_append(joined, "; ...");
                                break;
                        }
                        g_string_append_printf(joined, "%s%s", joined->len > 0 ? "; " : "", *d);
                }
                return bus_error_setf(error, r, "Cannot write account '%s': %s", name,
                                      joined->len > 0 ? joined->str : strerror(-r));
        }
        log_info("Account '%s' written.", name);

        (void) manager_load_accounts(m);
        return sd_bus_reply_method_return(msg, NULL);
}

typedef struct PendingCall {
        Manager *manager;
        sd_bus_message *message;
        char *account;
        char *kind;
        char *value;            /* the secret, wiped */
} PendingCall;

static void pending_call_free(PendingCall *p) {
        sd_bus_message_unref(p->message);
        free(p->account);
        free(p->kind);
        erase_and_free(p->value);
        free(p);
}

static PendingCall *pending_call_new(Manager *m, sd_bus_message *msg, const char *account, const char *kind) {
        PendingCall *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->manager = m;
        p->message = sd_bus_message_ref(msg);
        p->account = strdup(account);
        p->kind = kind ? strdup(kind) : NULL;
        if (!p->account || (kind && !p->kind)) {
                pending_call_free(p);
                return NULL;
        }
        return p;
}

static void reply_keyring_error(sd_bus_message *msg, int r, const char *what) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        (void) bus_error_setf(&e, keyring_error_errno(r), "Cannot %s: %s", what, keyring_error_message(r));
        (void) sd_bus_reply_method_error(msg, &e);
}

static void on_secret_stored(int r, char **secrets, void *userdata) {
        PendingCall *p = userdata;
        Account *a;

        strv_free_erase(secrets);
        if (r < 0) {
                log_warning_errno(r, "Account '%s': failed to store its %s: %m", p->account, p->kind);
                reply_keyring_error(p->message, r, "store the secret");
                pending_call_free(p);
                return;
        }

        a = manager_get_account(p->manager, p->account);
        if (a) {
                if (a->secrets_state == SECRETS_LOADED)
                        (void) account_set_secret(a, p->kind, p->value);
                if (streq(p->kind, SECRET_KIND_REFRESH_TOKEN))
                        a->login_required = false;
                /* A new client secret or password may fix what failed; start afresh. */
                account_set_last_error(a, NULL);
        }
        log_info("Account '%s': %s stored in the keyring.", p->account, p->kind);
        (void) sd_bus_reply_method_return(p->message, NULL);
        pending_call_free(p);
}

int method_set_secret(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *kind;
        const void *data;
        size_t size;
        PendingCall *p;
        Account *a;
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
        a = find_account(m, name, error);
        if (!a)
                return -ESRCH;
        if (!streq(kind, SECRET_KIND_CLIENT_SECRET) && !streq(kind, SECRET_KIND_PASSWORD) &&
            !streq(kind, SECRET_KIND_API_KEY) && !streq(kind, SECRET_KIND_REFRESH_TOKEN))
                return bus_error_setf(error, -EINVAL,
                                               "Unknown secret kind '%s': use client-secret, password, api-key or refresh-token.",
                                               STRING_EXCERPT(kind));
        if (!secret_value_is_valid(data, size))
                return bus_error_setf(error, -EINVAL,
                                               "The secret must be 1 to 16384 bytes of printable UTF-8 without newlines.");

        p = pending_call_new(m, msg, name, kind);
        if (!p)
                return -ENOMEM;
        p->value = secret_strndup(data, size);
        if (!p->value) {
                pending_call_free(p);
                return -ENOMEM;
        }
        r = keyring_worker_submit(m->keyring, KEYRING_OP_STORE, name, kind, p->value, on_secret_stored, p);
        if (r < 0) {
                pending_call_free(p);
                return r;
        }
        return 1;
}

static void on_secrets_cleared(int r, char **secrets, void *userdata) {
        PendingCall *p = userdata;
        Manager *m = p->manager;
        Account *a;

        strv_free_erase(secrets);
        if (r < 0) {
                /* Keep the file: removing it would orphan secrets nobody could name any more. */
                log_warning_errno(r, "Account '%s': failed to delete its secrets, keeping the account: %m", p->account);
                reply_keyring_error(p->message, r, "delete the account's secrets");
                pending_call_free(p);
                return;
        }

        r = account_config_remove(m->config_dir, p->account);
        if (r < 0 && r != -ENOENT) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

                (void) bus_error_setf(&e, r, "Secrets deleted, but the account file could not be removed: %s",
                                               strerror(-r));
                (void) sd_bus_reply_method_error(p->message, &e);
                pending_call_free(p);
                return;
        }

        a = manager_get_account(m, p->account);
        if (a) {
                account_fail_all(a, -ESRCH, "The account was removed.");
                g_hash_table_remove(m->accounts, p->account);
        }
        log_info("Account '%s' removed with its secrets.", p->account);
        manager_emit_accounts_changed(m);
        (void) sd_bus_reply_method_return(p->message, NULL);
        pending_call_free(p);
}

/* The grant is revoked at the server first, so that a removed account leaves no live refresh token behind;
 * a failure there is logged and does not keep the account (the user asked for it to go). */
static void on_removal_revoked(int error, const char *revoked, const char *message, void *userdata) {
        PendingCall *p = userdata;
        int r;

        if (error < 0 && error != -EOPNOTSUPP)
                log_warning("Account '%s': removing it without revoking its grant: %s", p->account, strna(message));
        else if (!isempty(revoked))
                log_info("Account '%s': its %s was revoked before removal.", p->account, revoked);

        r = keyring_worker_submit(p->manager->keyring, KEYRING_OP_CLEAR, p->account, NULL, NULL, on_secrets_cleared, p);
        if (r < 0) {
                reply_keyring_error(p->message, r, "delete the account's secrets");
                pending_call_free(p);
        }
}

/* RemoveAccount and Revoke: the revocation first, the reply (or the removal) when it ends. */
static int start_revocation(sd_bus_message *msg, Manager *m, sd_bus_error *error, revoke_callback_t done) {
        PendingCall *p;
        Account *a;
        int r;

        r = read_account_argument(m, msg, error, &a);
        if (r < 0)
                return r;
        p = pending_call_new(m, msg, a->name, NULL);
        if (!p)
                return -ENOMEM;
        r = token_revoke_start(a, done, p);
        if (r < 0) {
                pending_call_free(p);
                return r;
        }
        return 1;
}

int method_remove_account(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return start_revocation(msg, userdata, error, on_removal_revoked);
}

static void on_revoked(int error, const char *revoked, const char *message, void *userdata) {
        PendingCall *p = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (error < 0) {
                (void) bus_error_setf(&e, error == -EOPNOTSUPP ? -EUCLEAN : error, "%s", strna(message));
                (void) sd_bus_reply_method_error(p->message, &e);
        } else
                (void) sd_bus_reply_method_return(p->message, "s", revoked);
        pending_call_free(p);
}

int method_revoke(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return start_revocation(msg, userdata, error, on_revoked);
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
        private_peer_note_login(a->manager, msg, a->name);
        return 1;       /* answered when the login knows what to show */
}

int method_cancel_login(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Account *a;
        int r;

        r = read_account_argument(userdata, msg, error, &a);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "b", (int) login_cancel(a->manager, a->name, "The login was cancelled."));
}
