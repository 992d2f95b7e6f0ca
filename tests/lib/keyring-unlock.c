/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keyring-unlock [COLLECTION]: unlocks a gnome-keyring collection with the password read from stdin, as the
 * desktop does when the password arrives after the login (the tests' stand-in for pam_gnome_keyring).
 * gnome-keyring's Unlock method needs a prompt; its internal interface takes the password, wrapped in a
 * "plain" session that belongs to the connection: hence one connection for both calls, which busctl cannot
 * do. Exits 0 once the collection is unlocked. */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define SERVICE "org.freedesktop.secrets"
#define PATH "/org/freedesktop/secrets"

int main(int argc, char *argv[]) {
        const char *collection = argc > 1 ? argv[1] : PATH "/collection/login";
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL, *call = NULL;
        sd_bus *bus = NULL;
        const char *session;
        char password[1024];
        size_t n;
        int r;

        n = fread(password, 1, sizeof(password), stdin);
        if (sd_bus_open_user(&bus) < 0) {
                fprintf(stderr, "keyring-unlock: no session bus\n");
                return 1;
        }
        r = sd_bus_call_method(bus, SERVICE, PATH, "org.freedesktop.Secret.Service", "OpenSession", &error, &reply,
                               "sv", "plain", "s", "");
        if (r < 0 || sd_bus_message_skip(reply, "v") < 0 || sd_bus_message_read(reply, "o", &session) < 0) {
                fprintf(stderr, "keyring-unlock: OpenSession: %s\n", error.message ?: strerror(-r));
                return 1;
        }
        r = sd_bus_message_new_method_call(bus, &call, SERVICE, PATH,
                                           "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                           "UnlockWithMasterPassword");
        if (r >= 0)
                r = sd_bus_message_append(call, "o", collection);
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'r', "oayays");
        if (r >= 0)
                r = sd_bus_message_append(call, "o", session);
        if (r >= 0)
                r = sd_bus_message_append_array(call, 'y', "", 0);
        if (r >= 0)
                r = sd_bus_message_append_array(call, 'y', password, n);
        if (r >= 0)
                r = sd_bus_message_append(call, "s", "text/plain");
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &error, NULL);
        memset(password, 0, sizeof(password));
        if (r < 0) {
                fprintf(stderr, "keyring-unlock: UnlockWithMasterPassword: %s\n", error.message ?: strerror(-r));
                return 1;
        }
        sd_bus_message_unref(call);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        return 0;
}
