/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-keys.h"
#include "account-secrets.h"
#include "account.h"
#include "alloc-util.h"
#include "bus-api.h"
#include "keyring-worker.h"
#include "json-util.h"
#include "log.h"
#include "string-util.h"

typedef struct KeyJob {
        Engine *engine;
        char *account;
        JoseKeyType type;               /* _JOSE_KEY_TYPE_INVALID: only show the key there is */
        bool replace;
        char *pem;                      /* the new key, wiped */
        account_key_fn done;
        void *userdata;
} KeyJob;

static void job_finish(KeyJob *j, int error, const char *message, const char *jwk) {
        j->done(error, message, jwk, j->userdata);
        erase_and_free(j->pem);
        free(j->account);
        free(j);
}

/* Answers with the public half of `pem`. */
static void finish_with_public_key(KeyJob *j, Account *a, const char *pem) {
        _cleanup_json_ json_object *jwk = NULL;
        gnutls_privkey_t key;
        int r;

        r = jose_key_load(pem, &key);
        if (r < 0) {
                job_finish(j, -EUCLEAN, "The account's private-key secret is not a key that can sign JWS.", NULL);
                return;
        }
        r = jose_key_public_jwk(key, a ? a->config->key_id : NULL, &jwk);
        gnutls_privkey_deinit(key);
        if (r < 0) {
                job_finish(j, r, "Cannot describe the public key.", NULL);
                return;
        }
        job_finish(j, 0, NULL,
                   json_object_to_json_string_ext(jwk, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void on_key_stored(int r, char **secrets, void *userdata) {
        KeyJob *j = userdata;
        Account *a = engine_account(j->engine, j->account);
        _cleanup_free_ char *msg = NULL;

        strv_free_erase(secrets);
        if (r < 0) {
                if (asprintf(&msg, "Cannot store the key: %s", keyring_error_message(r)) < 0)
                        msg = NULL;
                job_finish(j, keyring_error_errno(r), msg ?: keyring_error_message(r), NULL);
                return;
        }
        if (a && a->secrets_state == SECRETS_LOADED)
                (void) account_set_secret(a, SECRET_KIND_PRIVATE_KEY, j->pem);
        log_info("Account '%s': a new %s private key was stored in the keyring.", j->account,
                 j->type == JOSE_KEY_RSA ? "RSA" : "EC P-256");
        finish_with_public_key(j, a, j->pem);
}

static void on_secrets(void *subject, int error, const char *message, void *userdata) {
        KeyJob *j = userdata;
        Account *a = engine_account(j->engine, j->account);
        _cleanup_free_ char *msg = NULL;
        int r;

        if (error < 0) {
                job_finish(j, error, message, NULL);
                return;
        }
        if (!a) {
                job_finish(j, -ESRCH, "The account was removed.", NULL);
                return;
        }
        if (j->type == _JOSE_KEY_TYPE_INVALID) {
                if (!a->private_key) {
                        if (asprintf(&msg, "Account '%s' has no private key: 'tokenbroker keygen %s' makes one.",
                                     a->name, a->name) < 0)
                                msg = NULL;
                        job_finish(j, -ENOKEY, msg ?: "No private key.", NULL);
                } else
                        finish_with_public_key(j, a, a->private_key);
                return;
        }
        if (a->private_key && !j->replace) {
                if (asprintf(&msg, "Account '%s' has a private key already. 'tokenbroker public-key %s' prints its "
                                   "public key; 'tokenbroker keygen %s --replace' makes a new one, which the server "
                                   "must then be given instead.", a->name, a->name, a->name) < 0)
                        msg = NULL;
                job_finish(j, -EEXIST, msg ?: "The account has a private key already.", NULL);
                return;
        }
        r = jose_key_generate(j->type, &j->pem);
        if (r < 0) {
                job_finish(j, r, "Cannot make a key.", NULL);
                return;
        }
        r = secrets_store(j->engine, j->account, SECRET_KIND_PRIVATE_KEY, j->pem, on_key_stored, j);
        if (r < 0) {
                if (asprintf(&msg, "Cannot store the key: %s", keyring_error_message(r)) < 0)
                        msg = NULL;
                job_finish(j, keyring_error_errno(r), msg ?: keyring_error_message(r), NULL);
        }
}

static int start(Engine *eng, const char *name, JoseKeyType type, bool replace, account_key_fn done,
                 void *userdata, Failure *f) {
        Account *a = engine_account(eng, name);
        KeyJob *j;
        int r;

        if (!a)
                return failure_set(f, -ESRCH, "No such account '%s'.", STRING_EXCERPT(name));
        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (KeyJob) { .engine = eng, .type = type, .replace = replace, .done = done, .userdata = userdata };
        j->account = strdup(name);
        if (!j->account) {
                free(j);
                return -ENOMEM;
        }
        /* Whether the account has a key is in the keyring: read it first, as every account operation does. */
        r = account_load_secrets(a, on_secrets, j);
        if (r > 0)
                on_secrets(a, 0, NULL, j);
        else if (r < 0) {
                free(j->account);
                free(j);
                return failure_set(f, keyring_error_errno(r), "Cannot read the account's secrets: %s",
                                   keyring_error_message(r));
        }
        return 0;
}

int account_generate_key(Engine *eng, const char *name, JoseKeyType type, bool replace, account_key_fn done,
                         void *userdata, Failure *f) {
        if (type < 0 || type >= _JOSE_KEY_TYPE_MAX)
                return failure_set(f, -EINVAL, "Unknown key type: use ec or rsa.");
        return start(eng, name, type, replace, done, userdata, f);
}

int account_public_key(Engine *eng, const char *name, account_key_fn done, void *userdata, Failure *f) {
        return start(eng, name, _JOSE_KEY_TYPE_INVALID, false, done, userdata, f);
}
