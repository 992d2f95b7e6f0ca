/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "accounts-watch.h"
#include "alloc-util.h"
#include "broker-dbus.h"
#include "bus-api.h"
#include "bus-errors.h"
#include "bus-caller.h"
#include "discovery.h"
#include "idle-exit.h"
#include "keyring-watch.h"
#include "log.h"
#include "login.h"
#include "manager.h"
#include "private-socket.h"
#include "runtime-socket.h"
#include "string-util.h"
#include "token-revoke.h"
#include "token-socket.h"
#include "warmup.h"

static void private_peer_free_void(void *p) {
        private_peer_free(p);
}

static const EngineEvents manager_engine_events;

int manager_new(Manager **ret) {
        Manager *m;
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->listen_fd = -1;
        m->token_listen_fd = -1;
        m->token_epoll_fd = -1;
        m->lock_fd = -1;
        (void) engine_init(&m->engine);
        m->engine.events = &manager_engine_events;
        m->engine.events_userdata = m;
        m->sender_uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        m->peers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, private_peer_free_void);
        runtime_socket_limits(&m->token_conns_max, &m->private_peers_max);
        m->token_conns = g_hash_table_new(g_direct_hash, g_direct_equal);

        /* A loop of its own, not sd_event_default(): the default loop checks its thread with gettid() in
         * every iteration, one system call more per token-socket request. */
        r = sd_event_new(&m->event);
        if (r < 0)
                goto fail;
        m->engine.event = m->event;
        r = http_client_new(m->event, &m->engine.http);
        if (r < 0)
                goto fail;
        r = keyring_worker_new(m->event, &m->engine.keyring);
        if (r < 0)
                goto fail;
        m->engine.config_dir = account_config_dir();
        m->engine.system_config_dir = account_config_system_dir();
        if (!m->engine.config_dir || !m->engine.system_config_dir) {
                r = -ENOMEM;
                goto fail;
        }

        *ret = m;
        return 0;
fail:
        manager_free(m);
        return r;
}

/* A listening socket of ours goes with its path (NULL: systemd's, which stays). */
static void listener_free(sd_event_source *s, int fd, char *path) {
        sd_event_source_disable_unref(s);
        if (fd >= 0)
                (void) close(fd);
        if (path)
                (void) unlink(path);
        free(path);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        accounts_watch_stop(m);
        /* Token-socket connections are closed first, so that the waiters failed below answer nobody. */
        token_socket_close_all(m);
        /* The engine first: its requests reference the HTTP client and its waiters the bus connections. */
        engine_done(&m->engine);
        keyring_worker_free(m->engine.keyring);
        http_client_free(m->engine.http);

        if (m->peers)
                g_hash_table_destroy(m->peers);
        accept_throttle_done(&m->private_throttle);
        accept_throttle_done(&m->token_throttle);
        listener_free(m->listen_source, m->listen_fd, m->socket_path);
        listener_free(m->token_listen_source, m->token_listen_fd, m->token_socket_path);
        listener_free(m->token_epoll_source, m->token_epoll_fd, NULL);
        if (m->token_conns)
                g_hash_table_destroy(m->token_conns);

        sd_bus_flush_close_unref(m->bus);
        if (m->sender_uids)
                g_hash_table_destroy(m->sender_uids);
        sd_event_source_disable_unref(m->idle_source);
        sd_event_source_disable_unref(m->stop_check);
        sd_event_source_disable_unref(m->stop_timeout);
        sd_event_source_disable_unref(m->keyring_retry_source);
        sd_event_unref(m->event);
        /* Last: the sockets are gone, another daemon may take the directory now. */
        if (m->lock_fd >= 0)
                (void) close(m->lock_fd);
        free(m);
        return NULL;
}

static void emit(Manager *m, const char *member, const char *types, ...) {
        GHashTableIter i;
        sd_bus *peer;
        va_list ap;

        if (m->bus) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *s = NULL;

                if (sd_bus_message_new_signal(m->bus, &s, BROKER_OBJECT_PATH, BROKER_INTERFACE, member) >= 0) {
                        va_start(ap, types);
                        if (!types || sd_bus_message_appendv(s, types, ap) >= 0)
                                (void) sd_bus_send(m->bus, s, NULL);
                        va_end(ap);
                }
        }

        g_hash_table_iter_init(&i, m->peers);
        while (g_hash_table_iter_next(&i, (void **) &peer, NULL)) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *s = NULL;

                if (sd_bus_message_new_signal(peer, &s, BROKER_OBJECT_PATH, BROKER_INTERFACE, member) < 0)
                        continue;
                va_start(ap, types);
                if (!types || sd_bus_message_appendv(s, types, ap) >= 0)
                        (void) sd_bus_send(peer, s, NULL);
                va_end(ap);
        }
}

void manager_emit_token_refreshed(Manager *m, const char *account, int64_t expires_at) {
        emit(m, "TokenRefreshed", "sx", account, expires_at);
}

void manager_emit_accounts_changed(Manager *m) {
        emit(m, "AccountsChanged", NULL);
}

void manager_emit_login_required(Manager *m, const char *account) {
        emit(m, "LoginRequired", "s", account);
}

void manager_emit_login_finished(Manager *m, const char *account, bool ok, const char *message) {
        emit(m, "LoginFinished", "sbs", account, (int) ok, message);
}

static void on_token_refreshed(void *userdata, const char *account, int64_t expires_at) {
        manager_emit_token_refreshed(userdata, account, expires_at);
}

static void on_login_required(void *userdata, const char *account) {
        manager_emit_login_required(userdata, account);
}

static void on_login_finished(void *userdata, const char *account, bool ok, const char *message) {
        manager_emit_login_finished(userdata, account, ok, message);
}

static void on_accounts_changed(void *userdata) {
        manager_emit_accounts_changed(userdata);
}

static const EngineEvents manager_engine_events = {
        .token_refreshed = on_token_refreshed,
        .login_required = on_login_required,
        .login_finished = on_login_finished,
        .accounts_changed = on_accounts_changed,
};

int manager_add_object(Manager *m, sd_bus *bus) {
        return sd_bus_add_object_vtable(bus, NULL, BROKER_OBJECT_PATH, BROKER_INTERFACE, broker_vtable, m);
}

int manager_lock_runtime_dir(Manager *m) {
        return runtime_dir_lock(&m->lock_fd);
}

/* The session bus went away (the session ended, or the bus daemon died): nothing can call us any more and
 * activation would start a new daemon on a new bus. Exit cleanly, wiping what is held, instead of living on
 * with secrets in memory. */
static int on_bus_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        log_info("The session bus went away: exiting.");
        return sd_event_exit(m->event, 0);
}

/* Every method call on a connection of ours counts as activity for the idle exit. */
int manager_on_incoming(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        uint8_t type;

        if (sd_bus_message_get_type(msg, &type) >= 0 && type == SD_BUS_MESSAGE_METHOD_CALL)
                manager_note_activity(userdata);
        return 0;
}

static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        /* A unique name that left: forget its cached uid. */
        if (name[0] == ':' && isempty(new_owner))
                caller_forget(m, name);
        return 0;
}

int manager_connect_bus(Manager *m) {
        int r;

        r = sd_bus_default_user(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the session bus: %m");
        /* Handled below: sd-bus would exit the event loop with a failure, and Restart=on-failure would try
         * again on a bus that is gone. */
        r = sd_bus_set_exit_on_disconnect(m->bus, false);
        if (r < 0)
                return log_error_errno(r, "Failed to configure the bus connection: %m");
        r = sd_bus_match_signal(m->bus, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                "Disconnected", on_bus_disconnected, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the bus connection: %m");
        r = sd_bus_add_filter(m->bus, NULL, manager_on_incoming, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch incoming calls: %m");

        r = manager_add_object(m, m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object: %m");

        r = sd_bus_match_signal_async(m->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, NULL, m);
        if (r < 0)
                log_warning_errno(r, "Failed to watch NameOwnerChanged, ignoring: %m");

        r = keyring_watch(m);
        if (r < 0)
                log_warning_errno(r, "Failed to watch the keyring for unlocks, ignoring: %m");

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        /* Synchronous on purpose: another instance owning the name means this one must not start. */
        r = sd_bus_request_name(m->bus, BROKER_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire %s (is another tokenbrokerd running?): %m", BROKER_BUS_NAME);

        return 0;
}
