/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "account.h"
#include "account-index.h"
#include "account-admin.h"
#include "account-secrets.h"
#include "alloc-util.h"
#include "bus-api.h"
#include "jose-key.h"
#include "log.h"
#include "string-util.h"
#include "token-revoke.h"

/* What waits for the reload that serves a written account file. */
typedef struct LoadWait {
        char *account;
        const char *change;     /* "written" or "removed" (static) */
        account_done_fn done;
        void *userdata;
} LoadWait;

static void on_files_loaded(int r, void *userdata) {
        LoadWait *w = userdata;
        _cleanup_free_ char *msg = NULL;

        if (r < 0 && asprintf(&msg, "Account '%s': its file is %s, but the accounts could not be loaded again: %s",
                              w->account, w->change, strerror(-r)) < 0)
                msg = NULL;
        w->done(r < 0 ? r : 0, r < 0 ? msg ?: "The accounts could not be loaded again." : NULL, w->userdata);
        free(w->account);
        free(w);
}

/* Loads the account files again after `name`'s was written or removed, as a Reload does: read on a thread
 * while cache hits of other callers go on (with 10,000 accounts a stat each is tens of milliseconds), `done`
 * once the accounts are served (engine_reload_accounts() loads on the loop itself when no thread can start).
 * When 256 callers wait for a reload already, or memory is short, the files are loaded here on the loop
 * instead: the caller must find what it wrote either way. */
static void load_files_then(Engine *eng, const char *name, const char *change, account_done_fn done,
                            void *userdata) {
        LoadWait *w = calloc(1, sizeof(*w));

        if (w && (w->account = strdup(name))) {
                w->change = change;
                w->done = done;
                w->userdata = userdata;
                if (engine_reload_accounts(eng, on_files_loaded, w) >= 0)
                        return;
                free(w->account);
        }
        free(w);
        (void) engine_load_accounts(eng);
        done(0, NULL, userdata);
}

int account_add(Engine *eng, const char *name, char * const *settings, bool replace, account_done_fn done,
                void *userdata, Failure *f) {
        _cleanup_strv_free_ char **diagnostics = NULL;
        g_autoptr(GString) joined = NULL;
        int r;

        if (!account_name_is_valid(name))
                return failure_set(f, -EINVAL, "Invalid account name '%s': use letters, digits, '.', '_' and '-'.",
                                   STRING_EXCERPT(name));

        r = account_config_write(eng->config_dir, name, settings, replace, &diagnostics);
        if (r == -EEXIST)
                return failure_set(f, -EEXIST, "Account '%s' exists already.", name);
        if (r < 0) {
                /* The diagnostics quote values the caller sent: a page of them helps nobody. */
                joined = g_string_new(NULL);
                STRV_FOREACH(d, diagnostics) {
                        if (joined->len > 1024) {
                                g_string_append(joined, "; ...");
                                break;
                        }
                        g_string_append_printf(joined, "%s%s", joined->len > 0 ? "; " : "", *d);
                }
                return failure_set(f, r, "Cannot write account '%s': %s", name,
                                   joined->len > 0 ? joined->str : strerror(-r));
        }
        log_info("Account '%s' written.", name);
        load_files_then(eng, name, "written", done, userdata);
        return 0;
}

/* One operation waiting for the keyring or a server. */
typedef struct AdminJob {
        Engine *engine;
        char *account;
        char *kind;
        char *value;            /* the secret, wiped */
        account_done_fn done;
        void *userdata;
} AdminJob;

static void job_free(AdminJob *j) {
        free(j->account);
        free(j->kind);
        erase_and_free(j->value);
        free(j);
}

static AdminJob *job_new(Engine *eng, const char *account, const char *kind, account_done_fn done, void *userdata) {
        AdminJob *j = calloc(1, sizeof(*j));

        if (!j)
                return NULL;
        *j = (AdminJob) { .engine = eng, .done = done, .userdata = userdata };
        j->account = strdup(account);
        j->kind = kind ? strdup(kind) : NULL;
        if (!j->account || (kind && !j->kind)) {
                job_free(j);
                return NULL;
        }
        return j;
}

/* Answers and frees: every path of a started job ends here, once. */
static void job_finish(AdminJob *j, int error, const char *message) {
        j->done(error, message, j->userdata);
        job_free(j);
}

static void job_keyring_failed(AdminJob *j, int r, const char *what) {
        _cleanup_free_ char *msg = NULL;

        if (asprintf(&msg, "Cannot %s: %s", what, keyring_error_message(r)) < 0)
                msg = NULL;
        job_finish(j, keyring_error_errno(r), msg ?: keyring_error_message(r));
}

static bool secret_kind_is_known(const char *kind) {
        return streq(kind, SECRET_KIND_CLIENT_SECRET) || streq(kind, SECRET_KIND_PASSWORD) ||
               streq(kind, SECRET_KIND_API_KEY) || streq(kind, SECRET_KIND_REFRESH_TOKEN) ||
               streq(kind, SECRET_KIND_TLS_KEY);
}

/* A value the kind can hold: one line, or for a TLS key a PEM private key GnuTLS can use. */
static int check_secret_value(const char *kind, const void *value, size_t size, Failure *f) {
        int r;

        if (!secret_kind_is_pem(kind)) {
                if (!secret_value_is_valid((const char *) value, size))
                        return failure_set(f, -EINVAL, "The secret must be 1 to 16384 bytes of printable UTF-8 "
                                                       "without newlines.");
                return 0;
        }
        if (!pem_text_is_valid((const char *) value, size))
                return failure_set(f, -EINVAL, "A %s must be a PEM private key of at most 16384 bytes.", kind);
        r = private_key_pem_check((const char *) value, size);
        if (r == -EKEYREJECTED)
                return failure_set(f, -EINVAL, "The %s is encrypted: the daemon has no passphrase to open it "
                                               "(openssl pkey -in KEY -out PLAIN makes an unencrypted copy).", kind);
        if (r < 0)
                return failure_set(f, r == -ENOMEM ? r : -EINVAL, "The %s is not a PEM private key.", kind);
        return 0;
}

static void on_secret_stored(int r, char **secrets, void *userdata) {
        AdminJob *j = userdata;
        Account *a;

        strv_free_erase(secrets);
        if (r < 0) {
                log_warning_errno(r, "Account '%s': failed to store its %s: %m", j->account, j->kind);
                job_keyring_failed(j, r, "store the secret");
                return;
        }

        a = engine_account(j->engine, j->account);
        if (a) {
                if (a->secrets_state == SECRETS_LOADED)
                        (void) account_set_secret(a, j->kind, j->value);
                if (streq(j->kind, SECRET_KIND_REFRESH_TOKEN))
                        a->login_required = false;
                /* A new client secret or password may fix what failed; start afresh. */
                account_set_last_error(a, NULL);
        }
        log_info("Account '%s': %s stored in the keyring.", j->account, j->kind);
        job_finish(j, 0, NULL);
}

int account_store_secret(Engine *eng, const char *name, const char *kind, const void *value, size_t size,
                         account_done_fn done, void *userdata, Failure *f) {
        AdminJob *j;
        int r;

        if (streq(kind, SECRET_KIND_PRIVATE_KEY))
                return failure_set(f, -EINVAL, "A private key is made in the daemon and never passes through a "
                                               "caller: use 'tokenbroker keygen NAME'.");
        if (streq(kind, SECRET_KIND_DPOP_KEY))
                return failure_set(f, -EINVAL,
                                   "A DPoP key is made in the daemon on first use and never passes "
                                   "through a caller.");
        if (!secret_kind_is_known(kind))
                return failure_set(f, -EINVAL,
                                   "Unknown secret kind '%s': use client-secret, password, api-key, refresh-token or "
                                   "tls-key.",
                                   STRING_EXCERPT(kind));
        r = check_secret_value(kind, value, size, f);
        if (r < 0)
                return r;

        j = job_new(eng, name, kind, done, userdata);
        if (!j)
                return -ENOMEM;
        j->value = secret_strndup((const char *) value, size);
        if (!j->value) {
                job_free(j);
                return -ENOMEM;
        }
        r = secrets_store(eng, name, kind, j->value, on_secret_stored, j);
        if (r < 0) {
                /* Not started: the caller hears it now, and `done` is not called. */
                job_free(j);
                return failure_set(f, keyring_error_errno(r), "Cannot store the secret: %s", keyring_error_message(r));
        }
        return 0;
}

static void on_secrets_cleared(int r, char **secrets, void *userdata) {
        AdminJob *j = userdata;
        Engine *eng = j->engine;
        Account *a;

        strv_free_erase(secrets);
        if (r < 0) {
                log_warning_errno(r, "Account '%s': failed to delete its secrets, keeping the account: %m", j->account);
                job_keyring_failed(j, r, "delete the account's secrets");
                return;
        }

        r = account_config_remove(eng->config_dir, j->account);
        if (r < 0 && r != -ENOENT) {
                _cleanup_free_ char *msg = NULL;

                if (asprintf(&msg, "Secrets deleted, but the account file could not be removed: %s", strerror(-r)) < 0)
                        msg = NULL;
                job_finish(j, r, msg ?: "Secrets deleted, but the account file could not be removed.");
                return;
        }

        a = engine_account(eng, j->account);
        if (a) {
                account_fail_all(a, -ESRCH, "The account was removed.");
                g_hash_table_remove(eng->accounts, j->account);
                account_index_invalidate(eng);
                /* A reload reading the folders now may have seen its file. */
                eng->accounts_generation++;
        }
        log_info("Account '%s' removed with its secrets.", j->account);
        engine_emit_accounts_changed(eng);
        job_finish(j, 0, NULL);
}

static void on_removal_revoked(int error, const char *revoked, const char *message, void *userdata) {
        AdminJob *j = userdata;
        int r;

        if (error < 0 && error != -EOPNOTSUPP)
                log_warning("Account '%s': removing it without revoking its grant: %s", j->account, strna(message));
        else if (!isempty(revoked))
                log_info("Account '%s': its %s was revoked before removal.", j->account, revoked);

        r = secrets_delete(j->engine, j->account, NULL, on_secrets_cleared, j);
        if (r < 0)
                job_keyring_failed(j, r, "delete the account's secrets");
}

static bool shadows_provisioned(Engine *eng, const char *name) {
        _cleanup_free_ char *path = NULL;
        struct stat st;

        if (isempty(eng->system_config_dir))
                return false;
        path = strjoin(eng->system_config_dir, "/", name, ".conf");
        return path && stat(path, &st) >= 0 && S_ISREG(st.st_mode);
}

int account_remove(Engine *eng, const char *name, account_done_fn done, void *userdata, Failure *f) {
        Account *a = engine_account(eng, name);
        AdminJob *j;
        int r;

        /* The administrator's file is not ours to delete, and deleting the user's secrets would leave an
         * account that still exists but fails. */
        if (a && a->config->provisioned)
                return failure_set(f, -EPERM,
                                   "Account '%s' is provisioned by the administrator (%s): it cannot be removed "
                                   "here. A file of yours of the same name takes its place.",
                                   name, a->config->path);

        /* The user's file hides an administrator's of the same name, which uses the same secrets (they are
         * kept by account name): only the user's file goes, and the administrator's account is back. */
        if (a && shadows_provisioned(eng, name)) {
                r = account_config_remove(eng->config_dir, name);
                if (r < 0 && r != -ENOENT)
                        return failure_set(f, r, "Cannot remove the account file: %s", strerror(-r));
                log_info("Account '%s': the user's file removed; the administrator's is served again.", name);
                load_files_then(eng, name, "removed", done, userdata);
                return 0;
        }

        j = job_new(eng, name, NULL, done, userdata);
        if (!j)
                return failure_set(f, -ENOMEM, "Out of memory.");
        if (!a) {
                /* Gone meanwhile (a reload): its secrets may still be in the keyring. */
                on_removal_revoked(0, NULL, NULL, j);
                return 0;
        }
        r = token_revoke_start(a, on_removal_revoked, j);
        if (r < 0) {
                job_free(j);
                return failure_set(f, r, "Cannot remove account '%s': %s", name, strerror(-r));
        }
        return 0;
}
