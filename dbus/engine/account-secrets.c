/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "account-secrets.h"
#include "bus-api.h"
#include "entry-ref.h"
#include "log.h"
#include "string-util.h"

void account_secrets_waiters_fail(Account *a, int error, const char *message) {
        waiters_finish(&a->secrets_waiters, NULL, error, message);
}

/* Keys are PEM, lines of ASCII; every other kind is one line of printable UTF-8, as SetSecret takes it. */
static bool stored_value_is_valid(const char *kind, const char *value) {
        size_t n = strlen(value);

        return secret_kind_is_pem(kind) ? pem_text_is_valid(value, n) : secret_value_is_valid(value, n);
}

static void on_secrets_loaded(int r, char **secrets, void *userdata) {
        EntryRef *ref = userdata;
        Account *a = entry_ref_account(ref);

        /* Any Secret Service client of the user can store an item under our schema: what comes back is checked
         * as strictly as SetSecret checks what goes in, since it ends up in headers and request bodies. */
        for (char **s = secrets; r >= 0 && s && s[0] && s[1]; s += 2)
                if (!stored_value_is_valid(s[0], s[1])) {
                        log_warning("Account '%s': the keyring's %s is not valid (control characters, or over %u "
                                    "bytes); not using the account's secrets.", strna(a ? a->name : NULL), s[0],
                                    SECRET_VALUE_MAX);
                        r = -EPROTO;
                }
        if (a) {
                if (r >= 0) {
                        /* Replace what is held with what the keyring has. */
                        account_forget_secrets(a);
                        for (char **s = secrets; s && s[0] && s[1]; s += 2)
                                (void) account_set_secret(a, s[0], s[1]);
                        a->secrets_state = SECRETS_LOADED;
                        log_debug("Account '%s': secrets loaded from the keyring.", a->name);
                } else
                        a->secrets_state = SECRETS_UNLOADED;
                waiters_finish(&a->secrets_waiters, a, r < 0 ? keyring_error_errno(r) : 0,
                               r < 0 ? keyring_error_message(r) : NULL);
        }
        strv_free_erase(secrets);
        entry_ref_free(ref);
}

int account_load_secrets(Account *a, waiter_fn cb, void *userdata) {
        EntryRef *ref;
        int r;

        if (a->secrets_state == SECRETS_LOADED)
                return 1;

        if (a->secrets_state == SECRETS_UNLOADED) {
                ref = entry_ref_new(a->engine, a->name, NULL);
                if (!ref)
                        return -ENOMEM;
                r = keyring_worker_submit(a->engine->keyring, KEYRING_OP_LOAD_ALL, a->name, NULL, NULL,
                                          on_secrets_loaded, ref);
                if (r < 0) {
                        entry_ref_free(ref);
                        return r;
                }
                a->secrets_state = SECRETS_LOADING;
        }

        return waiters_add(&a->secrets_waiters, cb, userdata);
}

static void on_stored(int r, char **secrets, void *userdata) {
        EntryRef *ref = userdata;
        Account *a = entry_ref_account(ref);

        strv_free_erase(secrets);
        if (a) {
                a->refresh_token_storing = false;
                if (r >= 0) {
                        a->refresh_token_unsaved = false;
                        log_info("Account '%s': the refresh token held in memory is stored in the keyring now.",
                                 a->name);
                } else
                        log_debug_errno(r, "Account '%s': the keyring still refuses the refresh token: %m", a->name);
        }
        entry_ref_free(ref);
}

void account_store_unsaved(Account *a) {
        Engine *eng = a->engine;
        EntryRef *ref;

        if (!a->refresh_token_unsaved || !a->refresh_token || a->refresh_token_storing)
                return;
        ref = entry_ref_new(eng, a->name, NULL);
        if (!ref)
                return;
        if (secrets_store(eng, a->name, SECRET_KIND_REFRESH_TOKEN, a->refresh_token, on_stored, ref) < 0) {
                entry_ref_free(ref);
                return;
        }
        a->refresh_token_storing = true;
}

static void ignore_keyring_result(int r, char **secrets, void *userdata) {
        EntryRef *ref = userdata;

        if (r < 0)
                log_warning_errno(r, "Account '%s': failed to delete its refresh token from the keyring: %m",
                                  ref->account);
        strv_free_erase(secrets);
        entry_ref_free(ref);
}

void account_forget_refresh_token(Account *a) {
        EntryRef *ref;

        (void) account_set_secret(a, SECRET_KIND_REFRESH_TOKEN, NULL);
        a->refresh_token_unsaved = false;
        ref = entry_ref_new(a->engine, a->name, NULL);
        if (ref && secrets_delete(a->engine, a->name, SECRET_KIND_REFRESH_TOKEN, ignore_keyring_result, ref) < 0)
                entry_ref_free(ref);
}

int account_store_refresh_token(Account *a, const char *refresh_token, keyring_callback_t cb, void *userdata) {
        int r;

        /* In memory first: no later request may use the spent one, whatever the keyring does. */
        r = account_set_secret(a, SECRET_KIND_REFRESH_TOKEN, refresh_token);
        if (r < 0)
                return r;
        return secrets_store(a->engine, a->name, SECRET_KIND_REFRESH_TOKEN, refresh_token, cb, userdata);
}

int secrets_store(Engine *eng, const char *account, const char *kind, const char *value, keyring_callback_t cb,
                  void *userdata) {
        return keyring_worker_submit(eng->keyring, KEYRING_OP_STORE, account, kind, value, cb, userdata);
}

int secrets_delete(Engine *eng, const char *account, const char *kind, keyring_callback_t cb, void *userdata) {
        return keyring_worker_submit(eng->keyring, KEYRING_OP_CLEAR, account, kind, NULL, cb, userdata);
}
