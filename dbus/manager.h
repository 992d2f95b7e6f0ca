/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "account.h"
#include "engine.h"
#include "runtime-socket.h"

/* The daemon's one piece of state, the userdata of every handler (after systemd's timedated). GLib's hash
 * tables are used here because GLib is in the daemon anyway (libsecret brings it); no GLib type reaches the
 * front ends. */

typedef struct Manager {
        Engine engine;                  /* accounts, tokens, logins: everything that is not a transport */
        sd_event *event;
        sd_bus *bus;                    /* the session bus; NULL when running on the private socket only */
        sd_event_source *listen_source; /* the private socket */
        int listen_fd;
        char *socket_path;
        GHashTable *peers;              /* sd_bus* of a private-socket peer -> its PrivatePeer */
        unsigned private_peers_max;
        AcceptThrottle private_throttle;
        sd_event_source *token_listen_source;   /* the token socket (token-socket.c) */
        int token_listen_fd;
        char *token_socket_path;
        GHashTable *token_conns;        /* its connections: TokenConn* -> itself */
        int token_epoll_fd;             /* ... watched together in an epoll set of their own, */
        sd_event_source *token_epoll_source;    /* ... which the loop watches as one source */
        unsigned n_token_watched;       /* connections in that set */
        struct TokenConn *token_lone;   /* one in the set that was ready alone last time, or NULL */
        unsigned token_conns_max;
        AcceptThrottle token_throttle;

        GHashTable *sender_uids;        /* unique bus name -> uid, for the caller check */

        int lock_fd;                    /* $XDG_RUNTIME_DIR/tokenbroker/lock, held for the process's life */
        uint64_t exit_idle_usec;        /* idle-exit.c: 0 = never */
        uint64_t last_activity_usec;    /* CLOCK_MONOTONIC */
        sd_event_source *idle_source;
        sd_event_source *keyring_retry_source;  /* keyring-watch.c */
        sd_event_source *accounts_watch[2];     /* accounts-watch.c: the user's folder, the administrator's */
        char *accounts_watched[2];              /* the path each watches: the folder or its nearest parent */
        dev_t accounts_watched_dev[2];          /* ... and what was there when the watch was made */
        ino_t accounts_watched_ino[2];
        sd_event_source *accounts_reload_timer;
        bool stopping;                          /* stop.c: a signal came, the requests in flight end first */
        uint64_t stop_timeout_usec;             /* ... for at most this long (--stop-timeout-sec) */
        sd_event_source *stop_check;
        sd_event_source *stop_timeout;
        uint64_t accounts_reloaded_usec;        /* CLOCK_MONOTONIC of the last reload it made */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);

static inline int manager_load_accounts(Manager *m) {
        return engine_load_accounts(&m->engine);
}

/* In this order: the runtime directory's lock, the bus and its name (either one taken by another daemon
 * ends this one before it touches a socket), then the private socket and the token socket. */
int manager_lock_runtime_dir(Manager *m);
int manager_connect_bus(Manager *m);
int manager_listen_private(Manager *m);
int manager_listen_token(Manager *m);

static inline Account *manager_get_account(Manager *m, const char *name) {
        return engine_account(&m->engine, name);
}

/* An sd-bus filter for the bus and every private-socket peer: a method call is activity (idle-exit.c). */
int manager_on_incoming(sd_bus_message *msg, void *userdata, sd_bus_error *error);

static inline const char *manager_refused_reason(Manager *m, const char *name) {
        return engine_refused_reason(&m->engine, name);
}

/* Signals, sent on the bus and to every private-socket peer. */
void manager_emit_token_refreshed(Manager *m, const char *account, int64_t expires_at);
void manager_emit_accounts_changed(Manager *m);
void manager_emit_login_required(Manager *m, const char *account);
void manager_emit_login_finished(Manager *m, const char *account, bool ok, const char *message);

/* Registers the broker object on a connection (the bus, or one private peer). */
int manager_add_object(Manager *m, sd_bus *bus);
