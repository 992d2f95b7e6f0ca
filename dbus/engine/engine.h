/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "http-client.h"
#include "keyring-worker.h"

/* The engine's state: the accounts with their cached tokens, the issuers' metadata, the revocations and
 * logins in flight, and the I/O they use. It knows no transport: what a transport must hear of (a token was
 * refreshed, a login is needed) it is told through EngineEvents, and every answer is a callback with
 * (-errno, message). tokenbrokerd's Manager owns one; the unit tests (tests/unit/engine/) make their own, with
 * the I/O of tests/unit/engine/fake-io.c. GLib's hash tables because libsecret brings GLib anyway. */

typedef struct Account Account;
typedef struct AccountIndex AccountIndex;
typedef struct AccountReload AccountReload;
typedef struct ScanCleanup ScanCleanup;

/* What the engine tells its transports. Each may be NULL. */
typedef struct EngineEvents {
        void (*token_refreshed)(void *userdata, const char *account, int64_t expires_at);
        void (*login_required)(void *userdata, const char *account);
        void (*login_finished)(void *userdata, const char *account, bool ok, const char *message);
        void (*accounts_changed)(void *userdata);
} EngineEvents;

typedef struct Engine {
        sd_event *event;                /* the loop io.h's timers run on, and a login's listener and deadline;
                                         * NULL in the unit tests, whose timers are fake and which run no login */
        HttpClient *http;
        KeyringWorker *keyring;

        GHashTable *accounts;           /* name -> Account* */
        AccountIndex *account_index;    /* the accounts by their Hosts= (account-index.c); NULL: to build */
        AccountReload *reload;          /* a reload reading the folders on its thread (account-load.c), or NULL */
        uint64_t accounts_generation;   /* counts changes of `accounts` not made by such a reload */
        ScanCleanup *scan_cleanup;      /* what the last reload read, being freed on a thread, or NULL */
        GHashTable *refused;            /* account name -> why its file was not loaded (for callers) */
        char *config_dir;               /* the user's account files */
        char *config_dir_refused;       /* why the whole accounts directory was refused, or NULL */
        char *system_config_dir;        /* the administrator's (a user's file of the same name wins); may be
                                         * NULL or empty: none */
        char *system_dir_refused;       /* why that directory was refused, or NULL */
        GHashTable *issuers;            /* issuer URL -> its discovered metadata (discovery.c) */
        GHashTable *key_sets;           /* jwks_uri -> the issuer's signing keys (issuer-keys.c) */
        GHashTable *revocations;        /* the revocations in flight (token-revoke.c) */
        GHashTable *logins;             /* account name -> its interactive login in progress (login.c) */
        GHashTable *dpop_nonces;        /* server origin -> the DPoP-Nonce it sent last (dpop.c) */
        GHashTable *checks;             /* `tokenbroker doctor`'s account checks in flight (account-check.c) */


        const EngineEvents *events;
        void *events_userdata;
} Engine;

/* The tables only: the I/O (event, http, keyring) and config_dir are set by the owner. */
int engine_init(Engine *eng);
/* Ends the revocations and logins in flight, frees the accounts (failing their waiters) and the issuers; the
 * owner frees its I/O after. */
void engine_done(Engine *eng);

Account *engine_account(Engine *eng, const char *name);
/* Why the file of account `name` (or the whole accounts directory) was refused at the last load, or NULL. */
const char *engine_refused_reason(Engine *eng, const char *name);

void engine_emit_token_refreshed(Engine *eng, const char *account, int64_t expires_at);
void engine_emit_login_required(Engine *eng, const char *account);
void engine_emit_login_finished(Engine *eng, const char *account, bool ok, const char *message);
void engine_emit_accounts_changed(Engine *eng);

/* Loads (or reloads) every account file of system_config_dir and config_dir (account-load.c). Problems are logged per file, and
 * remembered for callers (engine_refused_reason()); one bad file does not stop the others. A file broken by
 * an edit keeps the account as it was; one refused for safety removes it. Returns the number of accounts
 * loaded. */
int engine_load_accounts(Engine *eng);

/* The same without stopping the loop: the folders and changed files are read on a thread of their own
 * (account-scan.h) while cached tokens are served, and what they hold is served all at once after, on the
 * loop. fn (may be NULL) hears the number of accounts loaded, or -ECANCELED when the engine ends first. A
 * call while one runs waits for the next, which starts when that one ends: its caller may have just written
 * a file the running one read before. Accounts changed on the loop meanwhile (engine_load_accounts(), a
 * removal) make the running one read again. */
typedef void (*engine_reload_fn)(int r, void *userdata);
/* -EBUSY when ENGINE_RELOAD_WAITERS_MAX callers wait for the next reload already (never for fn NULL). */
#define ENGINE_RELOAD_WAITERS_MAX 256U
int engine_reload_accounts(Engine *eng, engine_reload_fn fn, void *userdata);
/* Ends a reload in flight (waiting for its thread), its callers told -ECANCELED. */
void engine_reload_cancel(Engine *eng);
/* Waits for the memory of the last reload to be freed (on its thread). */
void engine_reload_cleanup_wait(Engine *eng);

/* Stopping without losing a refresh token: a token request in flight may already have been answered with a
 * new refresh token that retired the old one, so the owner that stops calls engine_stop() and keeps its loop
 * running until engine_work_in_flight() is 0. From then on no request leaves for a server (a caller that
 * needs one is answered Unavailable, "tokenbrokerd is stopping"); those in flight end as usual (each bounded
 * by its own time-out), their callers answered and what they brought stored in the keyring; cached tokens
 * are still handed out. */
void engine_stop(Engine *eng);
/* HTTP requests and keyring operations not ended yet. */
unsigned engine_work_in_flight(Engine *eng);
/* Logs each account whose newest refresh token the keyring did not take (held in memory only, and lost
 * with the process); the number of them. */
unsigned engine_log_unsaved_refresh_tokens(Engine *eng);
