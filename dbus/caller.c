/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "bus-failure.h"
#include "caller.h"
#include "log.h"
#include "string-util.h"

/* Unique names are never reused on a bus, so a sender's uid can be remembered for the connection's life and
 * the bus daemon is asked once per client rather than once per call. Bounded, in case NameOwnerChanged is
 * missed. */
#define SENDER_CACHE_MAX 4096U

static int check_uid(uid_t uid, const char *who, Failure *f) {
        if (uid == geteuid())
                return 0;
        log_warning("Refused a call from %s of uid %u: only uid %u is served.", who, (unsigned) uid,
                    (unsigned) geteuid());
        return failure_set(f, -EACCES, "Access denied: tokenbrokerd serves only its own user.");
}

static int query_uid(sd_bus_message *msg, uid_t *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        int r;

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return r;
        return sd_bus_creds_get_euid(creds, ret);
}

static int check_message(Manager *m, sd_bus_message *msg, Failure *f) {
        sd_bus *bus = sd_bus_message_get_bus(msg);
        const char *sender;
        uid_t uid;
        int r;

        /* Private-socket peers were checked with SO_PEERCRED when they connected. */
        if (!sd_bus_is_bus_client(bus))
                return 0;

        sender = sd_bus_message_get_sender(msg);
        if (sender) {
                gpointer v;

                if (g_hash_table_lookup_extended(m->sender_uids, sender, NULL, &v)) {
                        uid = (uid_t) GPOINTER_TO_UINT(v);
                        goto check;
                }
        }

        r = query_uid(msg, &uid);
        if (r < 0) {
                log_warning_errno(r, "Failed to get the credentials of caller %s, refusing: %m", strna(sender));
                return failure_set(f, -EACCES, "Cannot tell who the caller is.");
        }

        if (sender) {
                if (g_hash_table_size(m->sender_uids) >= SENDER_CACHE_MAX)
                        g_hash_table_remove_all(m->sender_uids);
                g_hash_table_insert(m->sender_uids, g_strdup(sender), GUINT_TO_POINTER((unsigned) uid));
        }

check:
        return check_uid(uid, strna(sender), f);
}

int caller_check_any(Manager *m, const Caller *c, Failure *f) {
        char who[32];

        if (c->message)
                return check_message(m, c->message, f);
        (void) snprintf(who, sizeof(who), "pid %d", (int) c->pid);
        return check_uid(c->uid, who, f);
}

int caller_check(Manager *m, sd_bus_message *msg, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        int r;

        r = check_message(m, msg, &f);
        return r < 0 ? bus_error_set_failure(error, &f, r) : r;
}

/* The full front ends, which the launchers exec() when the token socket is absent (wire-api.h), run on
 * behalf of their launchers: AllowedCallers= names the command people run, and the daemon must not refuse
 * `tokenbroker token` just because it took the D-Bus path. Only the copies where the launchers look for them
 * count: $(pkglibexecdir), standing in for $(bindir), or the directory TOKENBROKER_LIBEXECDIR names, where
 * both halves sit side by side. Returns the launcher's path, or NULL when exe is no full front end. */
static char *launcher_of(const char *exe) {
        static const struct {
                const char *full, *launcher;
        } halves[] = {
                { BROKER_FULL_CLI, "tokenbroker" },
                { BROKER_FULL_GIT_HELPER, "git-credential-tokenbroker" },
        };
        _cleanup_free_ char *dir = NULL, *env_dir = NULL;
        const char *base = strrchr(exe, '/'), *env;

        if (!base)
                return NULL;
        dir = strndup(exe, (size_t) (base - exe));
        if (!dir)
                return NULL;
        env = secure_getenv(BROKER_LIBEXECDIR_ENV);
        if (!isempty(env))
                env_dir = realpath(env, NULL);

        for (size_t i = 0; i < ELEMENTSOF(halves); i++) {
                if (!streq(base + 1, halves[i].full))
                        continue;
                if (streq(dir, PKGLIBEXECDIR))
                        return strjoin(BINDIR "/", halves[i].launcher);
                if (env_dir && streq(dir, env_dir))
                        return strjoin(env_dir, "/", halves[i].launcher);
        }
        return NULL;
}

/* AllowedCallers= for a caller running `exe` (NULL: unknown). */
static int check_exe(const char *exe, char * const *allowed, Failure *f) {
        _cleanup_free_ char *launcher = exe ? launcher_of(exe) : NULL;
        const char *program = launcher ?: exe;

        if (exe && (strv_contains(allowed, exe) || (launcher && strv_contains(allowed, launcher))))
                return 0;

        log_warning("Refused a token to %s: not in the account's AllowedCallers.",
                    program ?: "an unknown program");
        return failure_set(f, -EACCES, "Access denied: %s is not an allowed caller of this account.",
                              program ?: "this program");
}

/* A peer of a socket of ours has no sender for sd-bus to ask the bus daemon about: its pid is the one
 * SO_PEERCRED reported when it connected, and its executable is read from /proc like a bus caller's. */
static int check_pid(pid_t pid, char * const *allowed, Failure *f) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *exe = NULL;

        if (sd_bus_creds_new_from_pid(&creds, pid, SD_BUS_CREDS_EXE | SD_BUS_CREDS_PID) >= 0)
                (void) sd_bus_creds_get_exe(creds, &exe);
        return check_exe(exe, allowed, f);
}

static int caller_check_executable(sd_bus_message *msg, char * const *allowed, Failure *f) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        sd_bus *bus = sd_bus_message_get_bus(msg);
        const char *exe = NULL;
        int r;

        if (strv_length(allowed) == 0)
                return 0;

        if (!sd_bus_is_bus_client(bus)) {
                struct ucred cred;
                socklen_t len = sizeof(cred);

                if (getsockopt(sd_bus_get_fd(bus), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                        return check_exe(NULL, allowed, f);
                return check_pid(cred.pid, allowed, f);
        }

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EXE | SD_BUS_CREDS_PID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r >= 0)
                (void) sd_bus_creds_get_exe(creds, &exe);
        return check_exe(exe, allowed, f);
}

int caller_check_program(const Caller *c, char * const *allowed, Failure *f) {
        if (c->message)
                return caller_check_executable(c->message, allowed, f);
        if (strv_length(allowed) == 0)
                return 0;
        return check_pid(c->pid, allowed, f);
}

void caller_forget(Manager *m, const char *unique_name) {
        g_hash_table_remove(m->sender_uids, unique_name);
}
