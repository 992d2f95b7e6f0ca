/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs inside tests/lib/with-keyring.sh: a private session bus with a real, unlocked gnome-keyring. The test
 * talks to the keyring directly (libsecret, GDBus) only to check what keyring.c did and to lock and unlock the
 * collection. */
#include <errno.h>
#include <libsecret/secret.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "keyring.h"
#include "string-util.h"
#include "tap.h"

static const SecretSchema schema = {
        .name = "org.tokenbroker.Secret",
        .flags = SECRET_SCHEMA_NONE,
        .attributes = { { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
                        { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
                        { NULL, 0 } },
};

/* The items of an account as the keyring has them, independent of keyring.c. */
static GList *raw_items(const char *account, const char *kind) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GHashTable) attributes = g_hash_table_new(g_str_hash, g_str_equal);

        g_hash_table_insert(attributes, (char *) "account", (char *) account);
        if (kind)
                g_hash_table_insert(attributes, (char *) "kind", (char *) kind);
        return secret_service_search_sync(NULL, &schema, attributes, SECRET_SEARCH_ALL, NULL, &error);
}

static unsigned raw_count(const char *account, const char *kind) {
        GList *l = raw_items(account, kind);
        unsigned n = g_list_length(l);

        g_list_free_full(l, g_object_unref);
        return n;
}

static const char *strv_value(char **l, const char *kind) {
        for (size_t i = 0; l && l[i] && l[i + 1]; i += 2)
                if (streq(l[i], kind))
                        return l[i + 1];
        return NULL;
}

/* Runs f in a forked child with DBUS_SESSION_BUS_ADDRESS set to `address`; returns the child's result. */
static int in_child_with_bus(const char *address) {
        pid_t pid;
        int status;

        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                _cleanup_erase_ char *s = NULL;
                setenv("DBUS_SESSION_BUS_ADDRESS", address, 1);
                _exit(-keyring_lookup("any", "password", &s));
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return -ECHILD;
        return -WEXITSTATUS(status);
}

static void test_unreachable(void) {
        char config[] = "/tmp/test-keyring-bus.XXXXXX";
        _cleanup_free_ char *conf = NULL, *cmd = NULL;
        char address[512] = "", pidbuf[32] = "";
        FILE *f;
        int fd;

        /* Done before this process touches the session bus: GIO keeps its connection for good. */
        is_int(in_child_with_bus("unix:path=/nonexistent/bus"), -EHOSTUNREACH, "no session bus: -EHOSTUNREACH");

        /* A bus without a Secret Service: a private dbus-daemon without service activation. */
        fd = mkstemp(config);
        if (fd < 0)
                return;
        f = fdopen(fd, "w");
        fputs("<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>"
              "<policy context=\"default\"><allow send_destination=\"*\"/><allow own=\"*\"/></policy>"
              "</busconfig>\n",
              f);
        fclose(f);
        cmd = strjoin("dbus-daemon --fork --print-address=1 --print-pid=1 --config-file=", config);
        f = popen(cmd, "r");
        if (!f || !fgets(address, sizeof(address), f) || !fgets(pidbuf, sizeof(pidbuf), f)) {
                ok(true, "bus without a Secret Service # SKIP cannot start dbus-daemon");
                if (f)
                        pclose(f);
                unlink(config);
                return;
        }
        pclose(f);
        address[strcspn(address, "\n")] = 0;
        is_int(in_child_with_bus(address), -EHOSTUNREACH, "bus without a Secret Service: -EHOSTUNREACH");
        (void) kill(atoi(pidbuf), SIGTERM);
        unlink(config);
}

static void test_basic(void) {
        _cleanup_erase_ char *s = NULL;
        char **all = NULL;

        is_int(keyring_is_locked(), 0, "collection starts unlocked");
        is_int(keyring_lookup("acct", "client-secret", &s), -ENOKEY, "missing secret: -ENOKEY");
        is_int(keyring_store("acct", "client-secret", "first-value"), 0, "store");
        is_int(keyring_lookup("acct", "client-secret", &s), 0, "lookup");
        is_str(s, "first-value", "lookup gives the stored value");
        s = erase_and_free(s);

        is_int(keyring_store("acct", "client-secret", "second-value"), 0, "store again");
        is_int(keyring_lookup("acct", "client-secret", &s), 0, "lookup after replace");
        is_str(s, "second-value", "store replaced the value");
        s = erase_and_free(s);
        is_int(raw_count("acct", "client-secret"), 1, "replace left one item, not two");

        {
                GList *items = raw_items("acct", "client-secret");
                g_autofree char *label = items ? secret_item_get_label(items->data) : NULL;
                g_autoptr(GHashTable) attrs = items ? secret_item_get_attributes(items->data) : NULL;

                is_str(label, "tokenbroker: acct client-secret", "item label");
                is_str(attrs ? g_hash_table_lookup(attrs, "xdg:schema") : NULL, "org.tokenbroker.Secret",
                       "item carries the schema name");
                is_int(attrs ? g_hash_table_size(attrs) : 0, 3, "attributes: account, kind and schema only");
                g_list_free_full(items, g_object_unref);
        }

        is_int(keyring_store("acct", "refresh-token", "rt with spaces and ünïcode"), 0, "store a second kind");
        is_int(keyring_store("other", "password", "other-pw"), 0, "store for another account");

        is_int(keyring_load_all("acct", &all), 0, "load_all");
        is_int(strv_length(all), 4, "two kinds, two values");
        is_str(strv_value(all, "client-secret"), "second-value", "load_all: client-secret");
        is_str(strv_value(all, "refresh-token"), "rt with spaces and ünïcode", "load_all: refresh-token");
        ok(!strv_value(all, "password"), "load_all: no secret of another account");
        all = strv_free_erase(all);

        is_int(keyring_load_all("nobody", &all), 0, "load_all of an account without secrets");
        ok(all && !all[0], "gives an empty vector");
        all = strv_free_erase(all);

        is_int(keyring_clear("acct", "refresh-token"), 0, "clear one kind");
        is_int(keyring_lookup("acct", "refresh-token", &s), -ENOKEY, "cleared kind is gone");
        is_int(keyring_lookup("acct", "client-secret", &s), 0, "other kind stays");
        s = erase_and_free(s);
        is_int(keyring_clear("acct", NULL), 0, "clear the whole account");
        is_int(raw_count("acct", NULL), 0, "no item of the account left");
        is_int(raw_count("other", NULL), 1, "the other account is untouched");
        is_int(keyring_clear("acct", NULL), 0, "clearing nothing is fine");

        is_int(keyring_store("bad/name", "password", "x"), -EINVAL, "invalid account name refused");
        is_int(keyring_store("acct", "", "x"), -EINVAL, "empty kind refused");
}

typedef struct ThreadResult {
        const char *account;
        int store, lookup, load_all, clear, locked;
        unsigned loops_ok;
        char *value;
} ThreadResult;

static void *thread_main(void *userdata) {
        ThreadResult *t = userdata;
        char **all = NULL;

        t->locked = keyring_is_locked();
        t->store = keyring_store(t->account, "api-key", "from-a-thread");
        t->lookup = keyring_lookup(t->account, "api-key", &t->value);
        t->load_all = keyring_load_all(t->account, &all);
        strv_free_erase(all);
        for (unsigned i = 0; i < 10; i++) {
                char v[32];
                _cleanup_erase_ char *back = NULL;

                snprintf(v, sizeof(v), "value-%u", i);
                if (keyring_store(t->account, "password", v) == 0 &&
                    keyring_lookup(t->account, "password", &back) == 0 && streq(back, v))
                        t->loops_ok++;
        }
        t->clear = keyring_clear(t->account, NULL);
        return NULL;
}

static void test_threads(void) {
        ThreadResult a = { .account = "thread-a" }, b = { .account = "thread-b" };
        pthread_t ta, tb;

        ok(pthread_create(&ta, NULL, thread_main, &a) == 0, "thread a started");
        ok(pthread_create(&tb, NULL, thread_main, &b) == 0, "thread b started");
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);

        is_int(a.locked, 0, "thread: is_locked");
        is_int(a.store, 0, "thread: store");
        is_int(a.lookup, 0, "thread: lookup");
        is_str(a.value, "from-a-thread", "thread: value");
        is_int(a.load_all, 0, "thread: load_all");
        is_int(a.clear, 0, "thread: clear");
        is_int(a.loops_ok + b.loops_ok, 20, "two threads at once: every store/lookup pair consistent");
        is_int(raw_count("thread-a", NULL) + raw_count("thread-b", NULL), 0, "threads cleaned up");
        erase_and_free(a.value);
        erase_and_free(b.value);
}

static char *default_collection_path(GDBusConnection *bus) {
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *path = NULL;

        reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                            "org.freedesktop.Secret.Service", "ReadAlias", g_variant_new("(s)", "default"),
                                            G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        if (!reply)
                return NULL;
        g_variant_get(reply, "(&o)", &path);
        return g_strdup(path);
}

static bool lock_collection(GDBusConnection *bus, const char *path) {
        const char *paths[] = { path, NULL };
        g_autoptr(GVariant) reply = NULL;

        reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                            "org.freedesktop.Secret.Service", "Lock",
                                            g_variant_new("(^ao)", paths), NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                            NULL);
        return reply != NULL;
}

/* gnome-keyring's own way to unlock without a prompt, over a "plain" transfer session. */
static bool unlock_collection(GDBusConnection *bus, const char *path, const char *password) {
        g_autoptr(GVariant) session = NULL, reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *session_path = NULL;
        GVariant *secret;

        session = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                              "org.freedesktop.Secret.Service", "OpenSession",
                                              g_variant_new("(sv)", "plain", g_variant_new_string("")),
                                              G_VARIANT_TYPE("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        if (!session)
                return false;
        g_variant_get(session, "(v&o)", NULL, &session_path);
        secret = g_variant_new("(o@ay@ays)", session_path,
                               g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "", 0, 1),
                               g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, password, strlen(password), 1),
                               "text/plain");
        reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                            "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                            "UnlockWithMasterPassword", g_variant_new("(o@(oayays))", path, secret),
                                            NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        if (!reply)
                tap_diag("unlock failed: %s", error->message);
        return reply != NULL;
}

static void test_locked(void) {
        g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
        g_autofree char *collection = bus ? default_collection_path(bus) : NULL;
        const char *password = getenv("TB_KEYRING_PASSWORD");
        _cleanup_erase_ char *s = NULL;
        char **all = NULL;

        ok(collection, "default collection found");
        if (!collection)
                return;
        is_int(keyring_store("locked", "password", "before-lock"), 0, "store before locking");

        ok(lock_collection(bus, collection), "collection locked");
        is_int(keyring_is_locked(), 1, "is_locked sees it");
        is_int(keyring_store("locked", "refresh-token", "while-locked"), -ENOLCK, "store when locked: -ENOLCK");
        is_int(keyring_lookup("locked", "password", &s), -ENOLCK, "lookup when locked: -ENOLCK");
        ok(!s, "nothing returned");
        is_int(keyring_load_all("locked", &all), -ENOLCK, "load_all when locked: -ENOLCK");
        ok(!all, "nothing returned");
        is_int(keyring_clear("locked", NULL), -ENOLCK, "clear when locked: -ENOLCK");

        if (!password) {
                ok(true, "unlock # SKIP TB_KEYRING_PASSWORD not set; the collection stays locked");
                return;
        }
        ok(unlock_collection(bus, collection, password), "collection unlocked with the master password");
        is_int(keyring_is_locked(), 0, "is_locked sees the unlock");
        is_int(raw_count("locked", "refresh-token"), 0, "the store refused while locked wrote nothing");
        is_int(keyring_lookup("locked", "password", &s), 0, "the old secret is still there");
        is_str(s, "before-lock", "with its value");
        is_int(keyring_clear("locked", NULL), 0, "clear after unlock");
        is_int(raw_count("locked", NULL), 0, "gone");
}

int main(void) {
        if (!getenv("DBUS_SESSION_BUS_ADDRESS") || !getenv("TB_INSIDE_SESSION")) {
                printf("1..0 # SKIP run through tests/unit/test-keyring.sh (needs a private keyring)\n");
                return 0;
        }

        test_unreachable();
        test_basic();
        test_threads();
        test_locked();
        (void) keyring_clear("other", NULL);
        return tap_done();
}
