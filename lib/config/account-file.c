/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Account files: parsing and validation.
 *
 * GKeyFile does the INI syntax. It keeps no line numbers, so a small locator scans the raw text for the line
 * of a key, a group or a syntax error when there is something to report; it never decides what a value is.
 *
 * Value syntax (also in tokenbroker(1)):
 *   - an empty value means "unset": the key's default applies;
 *   - Hosts, ExposeClaims and AllowedCallers are lists separated by spaces;
 *   - ExtraParams and AuthorizeParamNames are name=value pairs separated by ';' (GKeyFile's own list
 *     syntax, "\;" for a literal ';'), so that a value may contain spaces:
 *     ExtraParams=audience=https://api;scope=a b
 *   - ClientAuth.<grant> overrides ClientAuth for one grant: ClientAuth.refresh_token=none
 *   - durations are whole seconds. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-file-internal.h"
#include "account-file.h"
#include "alloc-util.h"
#include "log.h"
#include "provider-presets.h"
#include "string-util.h"

AccountConfig *account_config_free(AccountConfig *a) {
        if (!a)
                return NULL;

        free(a->name);
        free(a->path);
        free(a->provider);
        free(a->token_url);
        free(a->issuer);
        free(a->client_id);
        free(a->scopes);
        free(a->username);
        strv_free(a->hosts);
        free(a->git_username);
        free(a->ca_file);
        free(a->token_path);
        free(a->token_url_query);
        strv_free(a->extra_params);
        free(a->grant_type_value);
        free(a->authorize_url);
        free(a->device_authorization_url);
        free(a->redirect_uri);
        strv_free(a->authorize_param_names);
        strv_free(a->token_param_names);
        free(a->revocation_url);
        free(a->revocation_auth);
        free(a->subject_account);
        free(a->actor_account);
        free(a->audience);
        free(a->resource);
        free(a->api_key_header);
        strv_free(a->expose_claims);
        strv_free(a->allowed_callers);
        free(a);
        return NULL;
}

typedef enum KeyType {
        KEY_STRING,
        KEY_URL,            /* https://, or http:// to a loopback host */
        KEY_PATH,           /* absolute file name */
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
        uint64_t min;       /* KEY_SECONDS only */
} KeyInfo;

#define KEY(n, t, field) { n, t, offsetof(AccountConfig, field), 0 }
#define KEY_MIN(n, t, field, m) { n, t, offsetof(AccountConfig, field), m }

static const KeyInfo key_table[] = {
        KEY("Provider", KEY_IDENTIFIER, provider),
        KEY("TokenURL", KEY_URL, token_url),
        KEY("Issuer", KEY_URL, issuer),
        KEY("ClientID", KEY_STRING, client_id),
        KEY("ClientAuth", KEY_CLIENT_AUTH, client_auth),
        KEY("Grant", KEY_GRANT, grant),
        KEY("Scopes", KEY_STRING, scopes),
        KEY("Username", KEY_STRING, username),
        KEY("Hosts", KEY_WORDS, hosts),
        KEY("Warmup", KEY_BOOL, warmup),
        KEY("GitUsername", KEY_STRING, git_username),
        KEY_MIN("RefreshSkew", KEY_SECONDS, refresh_skew_sec, 0),
        KEY_MIN("DefaultLifetime", KEY_SECONDS, default_lifetime_sec, 1),
        KEY_MIN("Timeout", KEY_SECONDS, timeout_sec, 1),
        KEY_MIN("LoginTimeout", KEY_SECONDS, login_timeout_sec, 1),
        KEY("CAFile", KEY_PATH, ca_file),
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


typedef struct Parser {
        const char *path;
        const char *data;
        size_t size;
        char ***diagnostics;
        unsigned n_errors;
        bool oom;
} Parser;

/* Group and key names, and the account name from the file name, are quoted as they are; GKeyFile takes bytes
 * that are not UTF-8, and control characters, in them. A diagnostic goes to the log, the terminal and D-Bus
 * strings, so each such byte becomes '?'. */
static void make_printable(char *s) {
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                unsigned char c = s[i];
                size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;

                if (len <= n - i && string_is_safe_utf8(s + i, len))
                        i += len;
                else
                        s[i++] = '?';
        }
}

_printf_(5, 6) static int report(Parser *p, bool error, unsigned line, const char *key, const char *format,
                                 ...) {
        _cleanup_free_ char *message = NULL, *text = NULL;
        char lbuf[16] = "";
        va_list ap;
        int r, error_return;

        if (error)
                p->n_errors++;
        error_return = error ? -EUCLEAN : 0;

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0) {
                message = NULL;
                p->oom = true;
                return error_return;
        }
        if (line > 0)
                (void) snprintf(lbuf, sizeof(lbuf), ":%u", line);
        if (key)
                r = asprintf(&text, "%s%s: %s: %s", p->path, lbuf, key, message);
        else
                r = asprintf(&text, "%s%s: %s", p->path, lbuf, message);
        if (r < 0) {
                text = NULL;
                p->oom = true;
                return error_return;
        }
        make_printable(text);
        log_debug("%s", text);
        if (p->diagnostics && strv_push(p->diagnostics, TAKE_PTR(text)) < 0)
                p->oom = true;
        return error_return;
}

static unsigned key_line(Parser *p, const char *key) {
        return account_file_locate(p->data, p->size, ACCOUNT_GROUP, key) ?:
               account_file_locate(p->data, p->size, ACCOUNT_GROUP, NULL);
}

static char **parse_pairs(Parser *p, const char *key, char **pieces) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));

        if (!l) {
                p->oom = true;
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
                        p->oom = true;
                        return NULL;
                }
        }
        return TAKE_PTR(l);
}

static int parse_key(Parser *p, GKeyFile *kf, const KeyInfo *k, AccountConfig *a) {
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
                                      "invalid value \"%s\" (expected basic, post or none)", value);
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
                if (!config_parse_seconds(value, k->min, (uint64_t *) field))
                        return report(p, true, line, k->name,
                                      "invalid number of seconds \"%s\" (expected %" PRIu64 "..%" PRIu64 ")",
                                      value, k->min, SECONDS_MAX);
                return 0;
        case KEY_WORDS:
        case KEY_PATHS: {
                char **l = strv_split(value, " \t");
                if (!l) {
                        p->oom = true;
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
                        return p->oom ? -ENOMEM : -EUCLEAN;
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
                p->oom = true;
                return -ENOMEM;
        }
        return 0;
}

static int parse_client_auth_override(Parser *p, GKeyFile *kf, const char *key, GrantType g,
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
                              "invalid value \"%s\" (expected basic, post or none)", value);
        a->client_auth_per_grant[g] = c;
        return 0;
}

static bool seen_before(char **keys, char **key) {
        for (char **k = keys; k < key; k++)
                if (streq(*k, *key))
                        return true;
        return false;
}

static void parse_account_group(Parser *p, GKeyFile *kf, AccountConfig *a) {
        g_auto(GStrv) keys = g_key_file_get_keys(kf, ACCOUNT_GROUP, NULL, NULL);

        STRV_FOREACH(key, keys) {
                const KeyInfo *k = key_info(*key);
                const char *g, *hint = NULL;

                /* A key given twice is listed twice; GKeyFile uses the last, and so do we, once. */
                if (seen_before(keys, key))
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
static void apply_provider_preset(Parser *p, GKeyFile *kf, AccountConfig *a) {
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
                p->oom = true;
}

static void config_set_defaults(AccountConfig *a) {
        a->client_auth = CLIENT_AUTH_BASIC;
        for (size_t i = 0; i < _GRANT_MAX; i++)
                a->client_auth_per_grant[i] = _CLIENT_AUTH_INVALID;
        a->grant = GRANT_CLIENT_CREDENTIALS;
        a->refresh_skew_sec = 60;
        a->default_lifetime_sec = 3600;
        a->timeout_sec = 30;
        a->request_encoding = REQUEST_ENCODING_FORM;
}

static int name_from_path(const char *path, char **ret) {
        const char *base = strrchr(path, '/');
        size_t n;

        base = base ? base + 1 : path;
        n = strlen(base);
        if (endswith(base, ".conf"))
                n -= strlen(".conf");
        *ret = strndup(base, n);
        return *ret ? 0 : -ENOMEM;
}

int account_config_load_data(const char *path, const char *data, size_t size, AccountConfig **ret,
                             char ***diagnostics) {
        g_autoptr(GKeyFile) kf = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        Parser p = {
                .path = path,
                .data = data,
                .size = size,
                .diagnostics = diagnostics,
        };
        const char *nul;
        int r;

        assert(path);
        assert(data || size == 0);
        assert(ret);

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        config_set_defaults(a);
        a->path = strdup(path);
        if (!a->path)
                return -ENOMEM;
        r = name_from_path(path, &a->name);
        if (r < 0)
                return r;
        if (!account_name_is_valid(a->name)) {
                (void) report(&p, true, 0, NULL,
                              "invalid account name \"%s\" (letters, digits, '.', '_' and '-', at most 64)",
                              a->name);
                return p.oom ? -ENOMEM : -EUCLEAN;
        }

        nul = size > 0 ? memchr(data, 0, size) : NULL;
        if (nul) {
                const char *q = data;
                unsigned line = 1;
                for (; q < nul; q++)
                        line += *q == '\n';
                (void) report(&p, true, line, NULL, "contains a NUL byte");
                return p.oom ? -ENOMEM : -EUCLEAN;
        }

        kf = g_key_file_new();
        if (!g_key_file_load_from_data(kf, size > 0 ? data : "", size, G_KEY_FILE_NONE, &error)) {
                const char *message;
                unsigned line = account_file_locate_syntax_error(data, size, &message);

                (void) report(&p, true, line, NULL, "%s", message);
                return p.oom ? -ENOMEM : -EUCLEAN;
        }

        groups = g_key_file_get_groups(kf, NULL);
        STRV_FOREACH(g, groups)
                if (!streq(*g, ACCOUNT_GROUP)) {
                        _cleanup_free_ char *label = strjoin("[", *g, "]");
                        (void) report(&p, false, account_file_locate(data, size, *g, NULL), label ?: *g,
                                      "unknown group, ignoring");
                }

        if (!g_key_file_has_group(kf, ACCOUNT_GROUP))
                (void) report(&p, true, 0, "[" ACCOUNT_GROUP "]", "group missing");
        else {
                apply_provider_preset(&p, kf, a);
                parse_account_group(&p, kf, a);
                if (provider_preset_finish(a) < 0)
                        p.oom = true;
                if (a->revocation_auth && !streq(a->revocation_auth, "client") &&
                    !streq(a->revocation_auth, "bearer"))
                        (void) report(&p, true, key_line(&p, "RevocationAuth"), "RevocationAuth",
                                      "invalid value \"%s\" (expected client or bearer)", a->revocation_auth);
                if (!a->token_url && !a->issuer)
                        (void) report(&p, true, key_line(&p, "TokenURL"), "TokenURL",
                                      "required (or Issuer= for discovery)");
                if (!a->client_id)
                        (void) report(&p, true, key_line(&p, "ClientID"), "ClientID", "required");
                if (a->grant == GRANT_TOKEN_EXCHANGE && !a->subject_account)
                        (void) report(&p, true, key_line(&p, "Grant"), "SubjectAccount",
                                      "required for Grant=token_exchange (the account whose token is exchanged)");
                if (a->subject_account && a->name && streq(a->subject_account, a->name))
                        (void) report(&p, true, key_line(&p, "SubjectAccount"), "SubjectAccount",
                                      "names this account itself");
        }
        if (p.oom)
                return -ENOMEM;
        if (p.n_errors > 0)
                return -EUCLEAN;

        if (!a->provider && !(a->provider = strdup("generic")))
                return -ENOMEM;
        if (!a->git_username && !(a->git_username = strdup("oauth2")))
                return -ENOMEM;

        *ret = TAKE_PTR(a);
        return 0;
}

int account_config_load(const char *path, AccountConfig **ret, char ***diagnostics) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        Parser p = {
                .path = path,
                .diagnostics = diagnostics,
        };
        struct stat st;
        size_t n = 0;

        assert(path);
        assert(ret);

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int e = errno;
                if (e == ELOOP) {
                        (void) report(&p, true, 0, NULL, "is a symbolic link, refusing");
                        return p.oom ? -ENOMEM : -EPERM;
                }
                return -e;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                (void) report(&p, true, 0, NULL, "not a regular file, refusing");
                return p.oom ? -ENOMEM : -EPERM;
        }
        /* Another user who owns or may write our account file could point our tokens at their server. */
        if (st.st_uid != geteuid()) {
                (void) report(&p, true, 0, NULL, "owned by uid %u, not by us (uid %u), refusing",
                              (unsigned) st.st_uid, (unsigned) geteuid());
                return p.oom ? -ENOMEM : -EPERM;
        }
        if (st.st_mode & 0077) {
                (void) report(&p, true, 0, NULL,
                              "readable or writable by other users (mode %04o), refusing; fix with: "
                              "chmod 0600 '%s'",
                              (unsigned) (st.st_mode & 07777), path);
                return p.oom ? -ENOMEM : -EPERM;
        }
        if (st.st_size > (off_t) ACCOUNT_FILE_SIZE_MAX) {
                (void) report(&p, true, 0, NULL, "larger than %u bytes, refusing", ACCOUNT_FILE_SIZE_MAX);
                return p.oom ? -ENOMEM : -EFBIG;
        }

        /* Read up to one byte past the cap, in case the file grew since fstat(). */
        buf = malloc(ACCOUNT_FILE_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, ACCOUNT_FILE_SIZE_MAX + 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += k;
                if (n > ACCOUNT_FILE_SIZE_MAX) {
                        (void) report(&p, true, 0, NULL, "larger than %u bytes, refusing",
                                      ACCOUNT_FILE_SIZE_MAX);
                        return p.oom ? -ENOMEM : -EFBIG;
                }
        }

        return account_config_load_data(path, buf, n, ret, diagnostics);
}
