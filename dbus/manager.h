/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "http-client.h"
#include "keyring-worker.h"
#include "runtime-socket.h"

/* The daemon's one piece of state, the userdata of every handler (after systemd's timedated). GLib's hash
 * tables are used here because GLib is in the daemon anyway (libsecret brings it); no GLib type reaches the
 * front ends. */

typedef struct Account Account;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;                    /* the session bus; NULL when running on the private socket only */
        sd_event_source *listen_source; /* the private socket */
        int listen_fd;
        char *socket_path;
        GHashTable *peers;              /* sd_bus* of a private-socket peer -> its PrivatePeer */
        unsigned private_peers_max;
        AcceptThrottle private_throttle;
        GHashTable *refused;            /* account name -> why its file was not loaded (for callers) */
        sd_event_source *token_listen_source;   /* the token socket (token-socket.c) */
        int token_listen_fd;
        char *token_socket_path;
        GHashTable *token_conns;        /* its connections: TokenConn* -> itself */
        unsigned token_conns_max;
        AcceptThrottle token_throttle;

        HttpClient *http;
        KeyringWorker *keyring;

        char *config_dir;
        char *config_dir_refused;       /* why the whole accounts directory was refused, or NULL */
        GHashTable *accounts;           /* name -> Account* */
        GHashTable *issuers;            /* issuer URL -> its discovered metadata (discovery.c) */
        GHashTable *revocations;        /* the revocations in flight (token-revoke.c) */
        GHashTable *logins;             /* account name -> its interactive login in progress (login.c) */
        GHashTable *sender_uids;        /* unique bus name -> uid, for the caller check */

        int lock_fd;                    /* $XDG_RUNTIME_DIR/tokenbroker/lock, held for the process's life */
        uint64_t exit_idle_usec;        /* idle-exit.c: 0 = never */
        uint64_t last_activity_usec;    /* CLOCK_MONOTONIC */
        sd_event_source *idle_source;
        sd_event_source *keyring_retry_source;  /* keyring-watch.c */
        uint64_t fetches_started;       /* upstream token requests, for status and tests */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);

/* Loads (or reloads) every account file. Problems are logged per file; one bad file does not stop the
 * others. Returns the number of accounts loaded. */
int manager_load_accounts(Manager *m);

/* In this order: the runtime directory's lock, the bus and its name (either one taken by another daemon
 * ends this one before it touches a socket), then the private socket and the token socket. */
int manager_lock_runtime_dir(Manager *m);
int manager_connect_bus(Manager *m);
int manager_listen_private(Manager *m);
int manager_listen_token(Manager *m);

Account *manager_get_account(Manager *m, const char *name);

/* An sd-bus filter for the bus and every private-socket peer: a method call is activity (idle-exit.c). */
int manager_on_incoming(sd_bus_message *msg, void *userdata, sd_bus_error *error);

/* Why the file of account `name` (or the whole accounts directory) was refused at the last load, or NULL. */
const char *manager_refused_reason(Manager *m, const char *name);

/* Signals, sent on the bus and to every private-socket peer. */
void manager_emit_token_refreshed(Manager *m, const char *account, int64_t expires_at);
void manager_emit_accounts_changed(Manager *m);
void manager_emit_login_required(Manager *m, const char *account);
void manager_emit_login_finished(Manager *m, const char *account, bool ok, const char *message);

/* Registers the broker object on a connection (the bus, or one private peer). */
int manager_add_object(Manager *m, sd_bus *bus);
