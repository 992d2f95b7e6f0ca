/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-errors.h"
#include "caller.h"
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

int caller_check(Manager *m, sd_bus_message *msg, sd_bus_error *error) {
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
                return bus_error_setf(error, EACCES, "Cannot tell who the caller is.");
        }

        if (sender) {
                if (g_hash_table_size(m->sender_uids) >= SENDER_CACHE_MAX)
                        g_hash_table_remove_all(m->sender_uids);
                g_hash_table_insert(m->sender_uids, g_strdup(sender), GUINT_TO_POINTER((unsigned) uid));
        }

check:
        if (uid != geteuid()) {
                log_warning("Refused a call from %s of uid %u: only uid %u is served.", strna(sender), (unsigned) uid,
                            (unsigned) geteuid());
                return bus_error_setf(error, EACCES, "Access denied: tokenbrokerd serves only its own user.");
        }
        return 0;
}

int caller_check_executable(sd_bus_message *msg, char * const *allowed, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *exe = NULL;
        int r;

        if (strv_length(allowed) == 0)
                return 0;

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EXE | SD_BUS_CREDS_PID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_exe(creds, &exe);
        if (r >= 0 && exe && strv_contains(allowed, exe))
                return 0;

        log_warning("Refused a token to %s: not in the account's AllowedCallers.", exe ? exe : "an unknown program");
        return bus_error_setf(error, EACCES, "Access denied: %s is not an allowed caller of this account.",
                                       exe ? exe : "this program");
}

void caller_forget(Manager *m, const char *unique_name) {
        g_hash_table_remove(m->sender_uids, unique_name);
}
