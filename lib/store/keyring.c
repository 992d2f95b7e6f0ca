/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Secret Service keyring through libsecret.
 *
 * Two choices shape this file:
 *
 *  - It never shows a prompt. libsecret answers a locked collection by running the service's unlock prompt;
 *    the daemon has no window to show one in and must not block on it, so the SecretService subclass below
 *    refuses every prompt, and what would have prompted fails with -ENOLCK. Whether and how to unlock is the
 *    daemon's decision.
 *
 *  - It keeps one SecretService for the process, behind a mutex. Each new one opens a transfer session in
 *    the keyring daemon that lives as long as our bus connection, so opening one per call would pile them
 *    up in a long-running tokenbrokerd. The mutex also makes the functions safe from any thread:
 *    libsecret's _sync calls run their own GMainContext on the calling thread. The cached service is
 *    dropped on any error that may mean the keyring daemon went away, and the next call opens a new one. */

#include <errno.h>
#include <libsecret/secret.h>
#include <string.h>

#include "alloc-util.h"
#include "keyring.h"
#include "log.h"
#include "string-util.h"

static const SecretSchema keyring_schema = {
        .name = "org.tokenbroker.Secret",
        .flags = SECRET_SCHEMA_NONE,
        .attributes = {
                { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
                { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
                { NULL, 0 },
        },
};

/* A SecretService that refuses to prompt. */
typedef struct {
        SecretService parent;
} TbSecretService;

typedef struct {
        SecretServiceClass parent_class;
} TbSecretServiceClass;

static GType tb_secret_service_get_type(void);
G_DEFINE_TYPE(TbSecretService, tb_secret_service, SECRET_TYPE_SERVICE)

static void set_prompt_refused(GError **error) {
        g_set_error_literal(error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED,
                            "The collection is locked and unlocking it needs a prompt.");
}

static GVariant *tb_prompt_sync(SecretService *self, SecretPrompt *prompt, GCancellable *cancellable,
                                const GVariantType *return_type, GError **error) {
        set_prompt_refused(error);
        return NULL;
}

static void tb_prompt_async(SecretService *self, SecretPrompt *prompt, const GVariantType *return_type,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
        GError *error = NULL;

        set_prompt_refused(&error);
        g_task_return_error(task, error);
}

static GVariant *tb_prompt_finish(SecretService *self, GAsyncResult *result, GError **error) {
        return g_task_propagate_pointer(G_TASK(result), error);
}

static void tb_secret_service_class_init(TbSecretServiceClass *klass) {
        SecretServiceClass *service_class = SECRET_SERVICE_CLASS(klass);

        service_class->prompt_sync = tb_prompt_sync;
        service_class->prompt_async = tb_prompt_async;
        service_class->prompt_finish = tb_prompt_finish;
}

static void tb_secret_service_init(TbSecretService *self) {
}

static GMutex service_lock;
static SecretService *service_cached = NULL;
static char *service_owner = NULL;      /* the unique name that owned the Secret Service when it was opened */

/* The unique name that owns the Secret Service now, or NULL. Called with service_lock held. */
static char *secrets_owner(GDBusConnection *bus) {
        g_autoptr(GVariant) v = NULL;
        char *owner = NULL;

        v = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                        "GetNameOwner", g_variant_new("(s)", "org.freedesktop.secrets"),
                                        G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        if (v)
                g_variant_get(v, "(s)", &owner);
        return owner;
}

static bool error_is_unreachable(const GError *error) {
        if (error->domain == G_DBUS_ERROR)
                switch (error->code) {
                case G_DBUS_ERROR_SERVICE_UNKNOWN:
                case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
                case G_DBUS_ERROR_NO_SERVER:
                case G_DBUS_ERROR_DISCONNECTED:
                case G_DBUS_ERROR_NO_REPLY:
                case G_DBUS_ERROR_TIMEOUT:
                case G_DBUS_ERROR_TIMED_OUT:
                case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
                case G_DBUS_ERROR_SPAWN_FAILED:
                case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
                case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
                case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
                case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
                        return true;
                default:
                        return false;
                }
        return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
               g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
               g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
               g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}

/* One table from GError to -errno. Messages from libsecret and the bus name objects and reasons, never the
 * secret, so they may go to the debug log. Called with service_lock held. */
static int map_error(const char *what, const GError *error) {
        int r;

        if (g_error_matches(error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
                r = -ENOLCK;
        else if (g_error_matches(error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT))
                r = -ENOKEY;
        else if (error_is_unreachable(error))
                r = -EHOSTUNREACH;
        else
                r = -EIO;

        /* Anything but the expected answers may mean a stale connection or session: start afresh. */
        if (r == -EHOSTUNREACH || r == -EIO)
                g_clear_object(&service_cached);

        log_debug("Keyring: %s failed: %s", what, error->message);
        return r;
}

/* Called with service_lock held. */
static int service_get(SecretService **ret) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusConnection) bus = NULL;
        SecretService *s;

        /* Without any session bus, GLib's own errors say little; check first so that the answer is clear. */
        bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
        if (!bus) {
                log_debug("Keyring: no session bus: %s", error->message);
                return -EHOSTUNREACH;
        }

        /* A keyring daemon restarted under us does not know the session the cached service opened: one round
         * trip to the bus tells, and the service is opened anew with the new owner. */
        if (service_cached) {
                g_autofree char *owner = secrets_owner(bus);

                if (owner && streq_ptr(owner, service_owner)) {
                        *ret = service_cached;
                        return 0;
                }
                log_debug("Keyring: the Secret Service changed owner, reconnecting.");
                g_clear_object(&service_cached);
        }

        s = secret_service_open_sync(tb_secret_service_get_type(), NULL, SECRET_SERVICE_OPEN_SESSION, NULL,
                                     &error);
        if (!s) {
                int r = map_error("connecting to the Secret Service", error);
                /* Failing to even open is "not there" whatever GIO called it. */
                return r == -EIO ? -EHOSTUNREACH : r;
        }
        service_cached = s;
        g_free(service_owner);
        service_owner = secrets_owner(bus);
        *ret = s;
        return 0;
}

static GHashTable *attributes_new(const char *account, const char *kind) {
        GHashTable *a = g_hash_table_new(g_str_hash, g_str_equal);

        /* The values are borrowed: the table lives only for the call. */
        g_hash_table_insert(a, (char *) "account", (char *) account);
        if (kind)
                g_hash_table_insert(a, (char *) "kind", (char *) kind);
        return a;
}

static int value_copy(SecretValue *value, char **ret) {
        const char *p;
        gsize n;
        char *c;

        p = secret_value_get(value, &n);
        if (!p || memchr(p, 0, n))
                return -EBADMSG;
        c = secret_strndup(p, n);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

int keyring_store(const char *account, const char *kind, const char *secret) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GHashTable) attributes = NULL;
        g_autoptr(SecretValue) value = NULL;
        g_autofree char *label = NULL;
        SecretService *s;
        int r;

        if (!account_name_is_valid(account) || isempty(kind) || !secret)
                return -EINVAL;

        g_mutex_lock(&service_lock);
        r = service_get(&s);
        if (r < 0)
                goto finish;

        attributes = attributes_new(account, kind);
        label = g_strdup_printf("tokenbroker: %s %s", account, kind);
        /* Copied into libsecret's non-pageable memory; freed (and wiped) with the SecretValue. */
        value = secret_value_new(secret, -1, "text/plain");
        /* CreateItem with replace: an item with the same attributes is replaced, not duplicated. */
        if (!secret_service_store_sync(s, &keyring_schema, attributes, SECRET_COLLECTION_DEFAULT, label, value,
                                       NULL, &error))
                r = map_error("storing a secret", error);
        else
                log_debug("Keyring: stored %s of account '%s' (%zu bytes).", kind, account, strlen(secret));
finish:
        g_mutex_unlock(&service_lock);
        return r;
}

int keyring_lookup(const char *account, const char *kind, char **ret) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GHashTable) attributes = NULL;
        g_autoptr(SecretValue) value = NULL;
        SecretService *s;
        int r;

        if (!account_name_is_valid(account) || isempty(kind) || !ret)
                return -EINVAL;

        g_mutex_lock(&service_lock);
        r = service_get(&s);
        if (r < 0)
                goto finish;

        attributes = attributes_new(account, kind);
        value = secret_service_lookup_sync(s, &keyring_schema, attributes, NULL, &error);
        if (!value)
                r = error ? map_error("looking up a secret", error) : -ENOKEY;
        else
                r = value_copy(value, ret);
finish:
        g_mutex_unlock(&service_lock);
        return r;
}

static void item_list_free(GList *l) {
        g_list_free_full(l, g_object_unref);
}

int keyring_load_all(const char *account, char ***ret) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GHashTable) attributes = NULL;
        GList *items = NULL;
        char **l = NULL;
        SecretService *s;
        int r;

        if (!account_name_is_valid(account) || !ret)
                return -EINVAL;

        g_mutex_lock(&service_lock);
        r = service_get(&s);
        if (r < 0)
                goto finish;

        attributes = attributes_new(account, NULL);
        /* One search with SECRET_SEARCH_LOAD_SECRETS fetches every secret in a single GetSecrets call. */
        items = secret_service_search_sync(
                        s, &keyring_schema, attributes,
                        SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS, NULL, &error);
        if (error) {
                r = map_error("loading secrets", error);
                goto finish;
        }

        l = calloc(1, sizeof(char *));
        if (!l) {
                r = -ENOMEM;
                goto finish;
        }
        for (GList *i = items; i; i = i->next) {
                SecretItem *item = i->data;
                g_autoptr(GHashTable) item_attributes = secret_item_get_attributes(item);
                const char *kind = g_hash_table_lookup(item_attributes, "kind");
                g_autoptr(SecretValue) value = secret_item_get_secret(item);
                char *secret = NULL;

                /* The search ignores a refused unlock and returns the items still locked. */
                if (secret_item_get_locked(item)) {
                        log_debug("Keyring: secrets of account '%s' are locked.", account);
                        r = -ENOLCK;
                        goto finish;
                }
                if (!kind || !value || strv_contains(l, kind))
                        continue; /* an item of another schema version, or a duplicate */
                r = value_copy(value, &secret);
                if (r == -EBADMSG)
                        continue;
                if (r < 0)
                        goto finish;
                r = strv_extend(&l, kind);
                if (r < 0) {
                        erase_and_free(secret);
                        goto finish;
                }
                r = strv_push(&l, secret);
                if (r < 0) {
                        erase_and_free(secret);
                        goto finish;
                }
        }
        *ret = TAKE_PTR(l);
        r = 0;
finish:
        g_mutex_unlock(&service_lock);
        item_list_free(items);
        strv_free_erase(l);
        return r;
}

int keyring_clear(const char *account, const char *kind) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GHashTable) attributes = NULL;
        GList *items = NULL;
        SecretService *s;
        unsigned n = 0;
        int r;

        if (!account_name_is_valid(account) || (kind && isempty(kind)))
                return -EINVAL;

        g_mutex_lock(&service_lock);
        r = service_get(&s);
        if (r < 0)
                goto finish;

        /* secret_service_clear_sync() silently skips locked items; searching with UNLOCK first makes a
         * locked collection an error (-ENOLCK) instead of a quiet "nothing there". */
        attributes = attributes_new(account, kind);
        items = secret_service_search_sync(s, &keyring_schema, attributes,
                                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, NULL, &error);
        if (error) {
                r = map_error("searching secrets to delete", error);
                goto finish;
        }
        /* The search ignores a refused unlock; refuse before deleting anything: all or nothing. */
        for (GList *i = items; i; i = i->next)
                if (secret_item_get_locked(i->data)) {
                        log_debug("Keyring: secrets of account '%s' are locked.", account);
                        r = -ENOLCK;
                        goto finish;
                }
        for (GList *i = items; i; i = i->next) {
                if (!secret_item_delete_sync(i->data, NULL, &error)) {
                        r = map_error("deleting a secret", error);
                        if (r == -ENOKEY) { /* gone meanwhile */
                                g_clear_error(&error);
                                r = 0;
                                continue;
                        }
                        goto finish;
                }
                n++;
        }
        log_debug("Keyring: deleted %u secret(s) of account '%s'.", n, account);
        r = 0;
finish:
        g_mutex_unlock(&service_lock);
        item_list_free(items);
        return r;
}

int keyring_is_locked(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(SecretCollection) collection = NULL;
        SecretService *s;
        int r;

        g_mutex_lock(&service_lock);
        r = service_get(&s);
        if (r < 0)
                goto finish;

        collection = secret_collection_for_alias_sync(s, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                                                      NULL, &error);
        if (!collection)
                r = error ? map_error("reading the default collection", error) : -ENOKEY;
        else
                r = secret_collection_get_locked(collection) ? 1 : 0;
finish:
        g_mutex_unlock(&service_lock);
        return r;
}
