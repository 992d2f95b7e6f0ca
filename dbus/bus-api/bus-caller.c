/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bus-caller.h"
#include "bus-failure.h"
#include "log.h"
#include "string-util.h"

/* Unique names are never reused on a bus, so a sender's uid can be remembered for the connection's life and
 * the bus daemon is asked once per client rather than once per call. Bounded, in case NameOwnerChanged is
 * missed. */
#define SENDER_CACHE_MAX 4096U

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
        return caller_check_uid(uid, strna(sender), f);
}

static int bus_check_user(const Caller *c, Failure *f) {
        const BusCaller *b = (const BusCaller *) c;

        return check_message(b->manager, b->message, f);
}

/* A private-socket peer has no sender for sd-bus to ask the bus daemon about: its executable is read from
 * /proc by the pid SO_PEERCRED reported when it connected. */
static char *bus_executable(const Caller *c) {
        const BusCaller *b = (const BusCaller *) c;
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        sd_bus *bus = sd_bus_message_get_bus(b->message);
        const char *exe = NULL;

        if (!sd_bus_is_bus_client(bus)) {
                struct ucred cred;
                socklen_t len = sizeof(cred);

                if (getsockopt(sd_bus_get_fd(bus), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
                    sd_bus_creds_new_from_pid(&creds, cred.pid, SD_BUS_CREDS_EXE | SD_BUS_CREDS_PID) < 0)
                        return NULL;
        } else if (sd_bus_query_sender_creds(b->message, SD_BUS_CREDS_EXE | SD_BUS_CREDS_PID | SD_BUS_CREDS_AUGMENT,
                                             &creds) < 0)
                return NULL;
        if (sd_bus_creds_get_exe(creds, &exe) < 0)
                return NULL;
        return strdup(exe);
}

const CallerOps bus_caller_ops = {
        .check_user = bus_check_user,
        .executable = bus_executable,
};

int caller_check(Manager *m, sd_bus_message *msg, sd_bus_error *error) {
        _cleanup_(failure_clear) Failure f = {};
        int r;

        r = check_message(m, msg, &f);
        return r < 0 ? bus_error_set_failure(error, &f, r) : r;
}

void caller_forget(Manager *m, const char *unique_name) {
        g_hash_table_remove(m->sender_uids, unique_name);
}
