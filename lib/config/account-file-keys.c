/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The keys of the [Account] group: what each may hold, checked as it is read into an AccountConfig.
 *
 * Value syntax (also in tokenbroker.conf(5)):
 *   - an empty value means "unset": the key's default applies;
 *   - Hosts, ExposeClaims and AllowedCallers are lists separated by spaces;
 *   - ExtraParams and AuthorizeParamNames are name=value pairs separated by ';' (GKeyFile's own list
 *     syntax, "\;" for a literal ';'), so that a value may contain spaces:
 *     ExtraParams=audience=https://api;scope=a b
 *   - ClientAuth.<grant> overrides ClientAuth for one grant: ClientAuth.refresh_token=none
 *   - durations are whole seconds;
 *   - CAFile, ClientCertFile and ClientKeyFile name regular files of bounded size, which are opened to check
 *     that, never read here; ClientKeyFile must be readable by its owner only. */

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "account-file-internal.h"
#include "account-file.h"
#include "alloc-util.h"
#include "fs-util.h"
#include "provider-presets.h"
#include "string-util.h"

#define report(p, ...) diagnostics_report(&(p)->diag, __VA_ARGS__)

#define CLIENT_AUTH_NAMES \
        "basic, post, none, private_key_jwt, client_secret_jwt, tls_client_auth or self_signed_tls_client_auth"
#define key_line(p, key) account_file_key_line(p, key)

typedef enum KeyType {
        KEY_STRING,
        KEY_URL,            /* https://, or http:// to a loopback host */
        KEY_PATH,           /* absolute name of a regular file of at most `limit` bytes */
        KEY_IDENTIFIER,     /* [a-z0-9_-]: provider names */
        KEY_ACCOUNT,        /* another account's name */
        KEY_HEADER,         /* an HTTP header name */
        KEY_CLIENT_AUTH,
        KEY_GRANT,
        KEY_ENCODING,
        KEY_BOOL,
        KEY_SECONDS,
        KEY_WORDS,          /* space-separated list */
        KEY_PATHS,          /* space-separated list of absolute file names */
        KEY_PAIRS,          /* name=value;name=value -> name, value, ... */
} KeyType;

typedef struct KeyInfo {
        const char *name;
        KeyType type;
        size_t offset;
        uint64_t limit;     /* KEY_SECONDS: the least value; KEY_PATH: the largest file */
} KeyInfo;

#define KEY(n, t, field) { n, t, offsetof(AccountConfig, field), 0 }
#define KEY_MIN(n, t, field, m) { n, t, offsetof(AccountConfig, field), m }
#define KEY_FILE(n, field, max) { n, KEY_PATH, offsetof(AccountConfig, field), max }

static const KeyInfo key_table[] = {
        KEY("Provider", KEY_IDENTIFIER, provider),
        KEY("TokenURL", KEY_URL, token_url),
        KEY("Issuer", KEY_URL, issuer),
        KEY("Environment", KEY_IDENTIFIER, environment),
        KEY("ClientID", KEY_STRING, client_id),
        KEY("ClientAuth", KEY_CLIENT_AUTH, client_auth),
        KEY("Grant", KEY_GRANT, grant),
        KEY("Scopes", KEY_STRING, scopes),
        KEY("Username", KEY_STRING, username),
        KEY("Hosts", KEY_WORDS, hosts),
        KEY("Warmup", KEY_BOOL, warmup),
        KEY("GitUsername", KEY_STRING, git_username),
        KEY("DockerUsername", KEY_STRING, docker_username),
        KEY("CargoTokenPrefix", KEY_STRING, cargo_token_prefix),
        KEY_MIN("RefreshSkew", KEY_SECONDS, refresh_skew_sec, 0),
        KEY_MIN("DefaultLifetime", KEY_SECONDS, default_lifetime_sec, 1),
        KEY_MIN("Timeout", KEY_SECONDS, timeout_sec, 1),
        KEY_MIN("LoginTimeout", KEY_SECONDS, login_timeout_sec, 1),
        KEY_FILE("CAFile", ca_file, CA_FILE_SIZE_MAX),
        KEY_FILE("ClientCertFile", client_cert_file, CLIENT_CERT_FILE_SIZE_MAX),
        KEY_FILE("ClientKeyFile", client_key_file, CLIENT_KEY_FILE_SIZE_MAX),
        KEY("RequestEncoding", KEY_ENCODING, request_encoding),
        KEY("TokenPath", KEY_STRING, token_path),
        KEY("TokenURLQuery", KEY_STRING, token_url_query),
        KEY("ExtraParams", KEY_PAIRS, extra_params),
        KEY("GrantTypeValue", KEY_STRING, grant_type_value),
        KEY("AuthorizeURL", KEY_URL, authorize_url),
        KEY("DeviceAuthorizationURL", KEY_URL, device_authorization_url),
        KEY("RedirectURI", KEY_STRING, redirect_uri),
        KEY("AuthorizeParamNames", KEY_PAIRS, authorize_param_names),
        KEY("TokenParamNames", KEY_PAIRS, token_param_names),
        KEY("RevocationURL", KEY_URL, revocation_url),
        KEY("RevocationAuth", KEY_IDENTIFIER, revocation_auth),
        KEY("SubjectAccount", KEY_ACCOUNT, subject_account),
        KEY("ActorAccount", KEY_ACCOUNT, actor_account),
        KEY("Audience", KEY_STRING, audience),
        KEY("Resource", KEY_STRING, resource),
        KEY("KeyID", KEY_STRING, key_id),
        KEY("PAR", KEY_BOOL, par),
        KEY("DPoP", KEY_BOOL, dpop),
        KEY("ApiKeyHeader", KEY_HEADER, api_key_header),
        KEY("ExposeClaims", KEY_WORDS, expose_claims),
        KEY("AllowedCallers", KEY_PATHS, allowed_callers),
};

#define CLIENT_AUTH_PREFIX "ClientAuth."

static const KeyInfo *key_info(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(key_table); i++)
                if (streq(key_table[i].name, name))
                        return key_table + i;
        return NULL;
}

bool account_config_key_is_known(const char *key) {
        const char *g;

        if (key_info(key))
                return true;
        g = startswith(key, CLIENT_AUTH_PREFIX);
        return g && grant_type_from_string(g) >= 0;
}

bool account_config_key_is_secret(const char *key) {
        static const char *const secret_keys[] = {
                "ClientSecret", "Password", "RefreshToken", "ApiKey", "AccessToken", "Secret", "Token",
        };

        for (size_t i = 0; i < ELEMENTSOF(secret_keys); i++)
                if (strcasecmp(key, secret_keys[i]) == 0)
                        return true;
        return false;
}

static char **parse_pairs(AccountFileParser *p, const char *key, char **pieces) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));

        if (!l) {
                p->diag.oom = true;
                return NULL;
        }
        STRV_FOREACH(piece, pieces) {
                char *item = g_strstrip(*piece), *eq;

                if (!*item)
                        continue;
                eq = strchr(item, '=');
                if (!eq || eq == item) {
                        (void) report(p, true, key_line(p, key), key,
                                      "expected name=value pairs separated by ';'");
                        return NULL;
                }
                if (strv_push(&l, strndup(item, eq - item)) < 0 || strv_extend(&l, eq + 1) < 0) {
                        p->diag.oom = true;
                        return NULL;
                }
        }
        return TAKE_PTR(l);
}

/* The daemon reads such a file whole at each request (libcurl's CAINFO): a FIFO there blocked it, and
 * /dev/zero never ended. So the file must be a regular one of bounded size now, when the account is loaded;
 * it is opened and looked at, never read. */
static int check_file(AccountFileParser *p, unsigned line, const KeyInfo *k, const char *value) {
        const char *reason;
        int r;

        r = open_regular_file_bounded(value, k->limit, NULL, &reason);
        if (r == -EFBIG)
                return report(p, true, line, k->name, "\"%s\" is larger than %" PRIu64 " bytes", value,
                              k->limit);
        if (r == -ENOENT || r == -EISDIR || r == -EBADFD)
                return report(p, true, line, k->name, "\"%s\" %s", value, reason);
        if (r < 0)
                return report(p, true, line, k->name, "\"%s\" %s: %s", value, reason, strerror(-r));
        return 0;
}

static int parse_key(AccountFileParser *p, GKeyFile *kf, const KeyInfo *k, AccountConfig *a) {
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        void *field = (uint8_t *) a + k->offset;
        const char *problem;
        unsigned line = key_line(p, k->name);
        int r;

        /* GLib may return a value and an error both (for a bad escape sequence): the error counts. */
        value = g_key_file_get_string(kf, ACCOUNT_GROUP, k->name, &error);
        if (!value || error)
                return report(p, true, line, k->name, "invalid escape sequence or not UTF-8");
        if (!string_is_safe_utf8(value, strlen(value)))
                return report(p, true, line, k->name, "must not contain control characters");
        if (!*value)
                return 0; /* empty: keep the default */

        switch (k->type) {
        case KEY_URL:
                problem = account_url_problem(value);
                if (problem)
                        return report(p, true, line, k->name, "%s", problem);
                break;
        case KEY_PATH:
                if (value[0] != '/')
                        return report(p, true, line, k->name, "must be an absolute path");
                r = check_file(p, line, k, value);
                if (r < 0)
                        return r;
                break;
        case KEY_IDENTIFIER:
                if (!config_is_identifier(value))
                        return report(p, true, line, k->name, "invalid name \"%s\"", value);
                break;
        case KEY_ACCOUNT:
                if (!account_name_is_valid(value))
                        return report(p, true, line, k->name, "invalid account name \"%s\"", value);
                break;
        case KEY_HEADER:
                if (!config_is_header_name(value))
                        return report(p, true, line, k->name, "invalid HTTP header name \"%s\"", value);
                break;
        case KEY_CLIENT_AUTH: {
                ClientAuth c = client_auth_from_string(value);
                if (c < 0)
                        return report(p, true, line, k->name,
                                      "invalid value \"%s\" (expected " CLIENT_AUTH_NAMES ")", value);
                *(ClientAuth *) field = c;
                return 0;
        }
        case KEY_GRANT: {
                GrantType g = grant_type_from_string(value);
                if (g < 0)
                        return report(p, true, line, k->name,
                                      "invalid value \"%s\" (expected client_credentials, password, "
                                      "authorization_code, device_code or token_exchange)",
                                      value);
                if (g == GRANT_REFRESH_TOKEN)
                        return report(p, true, line, k->name,
                                      "refresh_token is used whenever a refresh token is at hand and "
                                      "cannot be configured; use the grant that first obtains it");
                *(GrantType *) field = g;
                return 0;
        }
        case KEY_ENCODING: {
                RequestEncoding e = request_encoding_from_string(value);
                if (e < 0)
                        return report(p, true, line, k->name, "invalid value \"%s\" (expected form or json)",
                                      value);
                *(RequestEncoding *) field = e;
                return 0;
        }
        case KEY_BOOL:
                if (!config_parse_bool(value, (bool *) field))
                        return report(p, true, line, k->name, "invalid boolean \"%s\" (expected yes or no)",
                                      value);
                return 0;
        case KEY_SECONDS:
                if (!config_parse_seconds(value, k->limit, (uint64_t *) field))
                        return report(p, true, line, k->name,
                                      "invalid number of seconds \"%s\" (expected %" PRIu64 "..%" PRIu64 ")",
                                      value, k->limit, SECONDS_MAX);
                return 0;
        case KEY_WORDS:
        case KEY_PATHS: {
                char **l = strv_split(value, " \t");
                if (!l) {
                        p->diag.oom = true;
                        return -ENOMEM;
                }
                if (k->type == KEY_PATHS)
                        STRV_FOREACH(w, l)
                                if ((*w)[0] != '/') {
                                        r = report(p, true, line, k->name, "\"%s\" is not an absolute path",
                                                   *w);
                                        strv_free(l);
                                        return r;
                                }
                strv_free(*(char ***) field);
                *(char ***) field = l;
                return 0;
        }
        case KEY_PAIRS: {
                g_autoptr(GError) list_error = NULL;
                g_auto(GStrv) pieces = NULL;
                char **l;

                pieces = g_key_file_get_string_list(kf, ACCOUNT_GROUP, k->name, NULL, &list_error);
                if (!pieces || list_error)
                        return report(p, true, line, k->name, "invalid list");
                l = parse_pairs(p, k->name, pieces);
                if (!l)
                        return p->diag.oom ? -ENOMEM : -EUCLEAN;
                strv_free(*(char ***) field);
                *(char ***) field = l;
                return 0;
        }
        case KEY_STRING:
                break;
        }

        /* The string types. */
        free(*(char **) field);
        *(char **) field = strdup(value);
        if (!*(char **) field) {
                p->diag.oom = true;
                return -ENOMEM;
        }
        return 0;
}

static int parse_client_auth_override(AccountFileParser *p, GKeyFile *kf, const char *key, GrantType g,
                                      AccountConfig *a) {
        g_autoptr(GError) error = NULL;
        g_autofree char *value = g_key_file_get_string(kf, ACCOUNT_GROUP, key, &error);
        ClientAuth c;

        if (!value || error)
                return report(p, true, key_line(p, key), key, "invalid escape sequence or not UTF-8");
        if (isempty(value))
                return 0;
        c = client_auth_from_string(value);
        if (c < 0)
                return report(p, true, key_line(p, key), key,
                              "invalid value \"%s\" (expected " CLIENT_AUTH_NAMES ")", value);
        a->client_auth_per_grant[g] = c;
        return 0;
}

static void parse_account_group(AccountFileParser *p, GKeyFile *kf, AccountConfig *a) {
        g_auto(GStrv) keys = g_key_file_get_keys(kf, ACCOUNT_GROUP, NULL, NULL);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        STRV_FOREACH(key, keys) {
                const KeyInfo *k = key_info(*key);
                const char *g, *hint = NULL;

                /* A key given twice is listed twice; GKeyFile uses the last, and so do we, once. A set,
                 * since comparing each key with all before it took seconds for a file of 10,000 keys. */
                if (!g_hash_table_add(seen, *key))
                        continue;

                if (k) {
                        (void) parse_key(p, kf, k, a);
                        continue;
                }
                g = startswith(*key, CLIENT_AUTH_PREFIX);
                if (g && grant_type_from_string(g) >= 0) {
                        (void) parse_client_auth_override(p, kf, *key, grant_type_from_string(g), a);
                        continue;
                }
                if (account_config_key_is_secret(*key)) {
                        (void) report(p, false, key_line(p, *key), *key,
                                      "secrets do not belong in account files, store them with "
                                      "`tokenbroker set-secret`; ignoring");
                        continue;
                }

                /* A hint for the most common slip: the wrong case. */
                for (size_t i = 0; i < ELEMENTSOF(key_table); i++)
                        if (strcasecmp(key_table[i].name, *key) == 0)
                                hint = key_table[i].name;
                if (hint)
                        (void) report(p, false, key_line(p, *key), *key,
                                      "unknown key (did you mean %s?), ignoring", hint);
                else
                        (void) report(p, false, key_line(p, *key), *key, "unknown key, ignoring");
        }
}

/* Provider= is read before every other key: its profile sets defaults that the file's own keys override. */
static void apply_provider_preset(AccountFileParser *p, GKeyFile *kf, AccountConfig *a) {
        g_autofree char *value = g_key_file_get_string(kf, ACCOUNT_GROUP, "Provider", NULL);
        char *v = value ? g_strstrip(value) : NULL;

        if (isempty(v) || !config_is_identifier(v))
                return;         /* unset, or reported by parse_key() */
        if (!provider_is_known(v)) {
                (void) report(p, true, key_line(p, "Provider"), "Provider",
                              "unknown provider \"%s\" (expected generic, flaik, floriday, flixcheck, flume or "
                              "sharetribe)", v);
                return;
        }
        if (provider_preset_apply(a, v) < 0)
                p->diag.oom = true;
}

void account_file_parse_keys(AccountFileParser *p, GKeyFile *kf, AccountConfig *a) {
        apply_provider_preset(p, kf, a);
        parse_account_group(p, kf, a);
}
