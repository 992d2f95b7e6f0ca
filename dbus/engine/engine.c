/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "account.h"
#include "account-index.h"
#include "account-check.h"
#include "discovery.h"
#include "issuer-keys.h"
#include "engine.h"
#include "log.h"
#include "login.h"
#include "token-revoke.h"

static void account_free_void(void *p) {
        account_free(p);
}

int engine_init(Engine *eng) {
        eng->accounts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, account_free_void);
        eng->refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        return 0;
}

void engine_done(Engine *eng) {
        /* Checks, revocations and logins first: their callbacks look their accounts up. */
        engine_reload_cancel(eng);
        engine_reload_cleanup_wait(eng);
        account_check_cancel_all(eng);
        token_revoke_cancel_all(eng);
        login_free_all(eng);
        account_index_invalidate(eng);
        if (eng->accounts) {
                g_hash_table_destroy(eng->accounts);
                eng->accounts = NULL;
        }
        discovery_free_all(eng);
        issuer_keys_free_all(eng);
        if (eng->dpop_nonces) {
                g_hash_table_destroy(eng->dpop_nonces);
                eng->dpop_nonces = NULL;
        }
        if (eng->refused) {
                g_hash_table_destroy(eng->refused);
                eng->refused = NULL;
        }
        free(eng->config_dir);
        eng->config_dir = NULL;
        free(eng->config_dir_refused);
        eng->config_dir_refused = NULL;
        free(eng->system_config_dir);
        eng->system_config_dir = NULL;
        free(eng->system_dir_refused);
        eng->system_dir_refused = NULL;
}

Account *engine_account(Engine *eng, const char *name) {
        return g_hash_table_lookup(eng->accounts, name);
}

const char *engine_refused_reason(Engine *eng, const char *name) {
        return eng->config_dir_refused ?: g_hash_table_lookup(eng->refused, name);
}

void engine_emit_token_refreshed(Engine *eng, const char *account, int64_t expires_at) {
        if (eng->events && eng->events->token_refreshed)
                eng->events->token_refreshed(eng->events_userdata, account, expires_at);
}

void engine_emit_login_required(Engine *eng, const char *account) {
        if (eng->events && eng->events->login_required)
                eng->events->login_required(eng->events_userdata, account);
}

void engine_emit_login_finished(Engine *eng, const char *account, bool ok, const char *message) {
        if (eng->events && eng->events->login_finished)
                eng->events->login_finished(eng->events_userdata, account, ok, message);
}

void engine_emit_accounts_changed(Engine *eng) {
        if (eng->events && eng->events->accounts_changed)
                eng->events->accounts_changed(eng->events_userdata);
}

void engine_stop(Engine *eng) {
        http_client_refuse_new(eng->http);
}

unsigned engine_work_in_flight(Engine *eng) {
        return http_client_in_flight(eng->http) + keyring_worker_pending(eng->keyring);
}

unsigned engine_log_unsaved_refresh_tokens(Engine *eng) {
        GHashTableIter i;
        Account *a;
        unsigned n = 0;

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                if (a->refresh_token_unsaved && a->refresh_token) {
                        log_warning("%s: its newest refresh token never reached the keyring and ends with this "
                                    "process; the keyring holds the one before it, which the server may refuse "
                                    "(then: tokenbroker login %s).", a->name, a->name);
                        n++;
                }
        return n;
}
