/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon does when the keyring changes: the Secret Service's collections are locked or unlocked
 * (gnome-keyring sends CollectionChanged; others announce the Locked property alone), or the service itself
 * comes and goes (its bus name changes owner). Two kinds of work wait for that: warmups that met a locked
 * keyring (warmup.c), and rotated refresh tokens the keyring refused, held in memory only. Those are written
 * the moment the keyring takes them, and tried again every KEYRING_RETRY_USEC meanwhile: until then a crash
 * would lose the grant (tokenbrokerd(8)). */
#include <errno.h>

#include "account.h"
#include "account-secrets.h"
#include "bus-api.h"
#include "entry-ref.h"
#include "keyring-watch.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"
#include "warmup.h"

#define SECRET_SERVICE_NAME "org.freedesktop.secrets"
#define KEYRING_RETRY_USEC (30ULL * USEC_PER_SEC)

static void store_all_unsaved(Manager *m) {
        GHashTableIter i;
        Account *a;

        g_hash_table_iter_init(&i, m->engine.accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                account_store_unsaved(a);
}

static int on_keyring_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        store_all_unsaved(m);
        warmup_after_keyring_change(&m->engine);
        return 0;
}

static int on_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0 || isempty(new_owner))
                return 0;
        log_debug("The Secret Service has a new owner, %s.", new_owner);
        return on_keyring_changed(msg, userdata, error);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        store_all_unsaved(userdata);
        (void) sd_event_source_set_time_relative(s, KEYRING_RETRY_USEC);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

int keyring_watch(Manager *m) {
        int r;

        r = sd_bus_match_signal_async(m->bus, NULL, SECRET_SERVICE_NAME, NULL, "org.freedesktop.Secret.Service",
                                      "CollectionChanged", on_keyring_changed, NULL, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(m->bus, NULL, SECRET_SERVICE_NAME, NULL, "org.freedesktop.DBus.Properties",
                                      "PropertiesChanged", on_keyring_changed, NULL, m);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(m->bus, NULL,
                                   "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                   "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                   "arg0='" SECRET_SERVICE_NAME "'",
                                   on_owner_changed, NULL, m);
        if (r < 0)
                return r;
        /* Not every keyring announces every unlock: a slow retry as well. */
        r = sd_event_add_time_relative(m->event, &m->keyring_retry_source, CLOCK_MONOTONIC, KEYRING_RETRY_USEC,
                                       USEC_PER_SEC, on_retry, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->keyring_retry_source, "keyring-retry");
        return 0;
}
