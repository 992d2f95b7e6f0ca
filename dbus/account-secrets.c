/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "account-secrets.h"
#include "entry-ref.h"
#include "log.h"
#include "string-util.h"

void account_secrets_waiters_fail(Account *a, int error, const char *message) {
        waiters_finish(&a->secrets_waiters, NULL, error, message);
}

static void on_secrets_loaded(int r, char **secrets, void *userdata) {
        EntryRef *ref = userdata;
        Account *a = entry_ref_account(ref);

        /* Any Secret Service client of the user can store an item under our schema: what comes back is checked
         * as strictly as SetSecret checks what goes in, since it ends up in headers and request bodies. */
        for (char **s = secrets; r >= 0 && s && s[0] && s[1]; s += 2)
                if (!secret_value_is_valid(s[1], strlen(s[1]))) {
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
                ref = entry_ref_new(a->manager, a->name, NULL);
                if (!ref)
                        return -ENOMEM;
                r = keyring_worker_submit(a->manager->keyring, KEYRING_OP_LOAD_ALL, a->name, NULL, NULL,
                                          on_secrets_loaded, ref);
                if (r < 0) {
                        entry_ref_free(ref);
                        return r;
                }
                a->secrets_state = SECRETS_LOADING;
        }

        return waiters_add(&a->secrets_waiters, cb, userdata);
}
