/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Account files: reading and loading them. The file as a whole is checked here (who owns it, its mode and
 * size, NUL bytes, the INI syntax, unknown groups, the keys an account needs); each key's value is checked
 * where the keys are known (account-file-keys.c).
 *
 * GKeyFile does the INI syntax. It keeps no line numbers, so an index of the raw text
 * (account-file-locate.c) gives the line of a key, a group or a syntax error when there is something to
 * report; it never decides what a value is. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-file-internal.h"
#include "account-file.h"
#include "alloc-util.h"
#include "fs-util.h"
#include "provider-presets.h"
#include "string-util.h"
#include "time-util.h"

#define report(p, ...) diagnostics_report(&(p)->diag, __VA_ARGS__)
#define key_line(p, key) account_file_key_line(p, key)

static bool uses_tls_client_auth(const AccountConfig *a) {
        if (a->client_auth == CLIENT_AUTH_TLS_CLIENT_AUTH || a->client_auth == CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH)
                return true;
        for (GrantType g = 0; g < _GRANT_MAX; g++)
                if (a->client_auth_per_grant[g] == CLIENT_AUTH_TLS_CLIENT_AUTH ||
                    a->client_auth_per_grant[g] == CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH)
                        return true;
        return false;
}

/* RFC 8705: the certificate the TLS methods need, and a key file no one else can read. */
static void check_client_certificate(AccountFileParser *p, const AccountConfig *a) {
        const char *reason = NULL;
        int fd = -1;

        if (uses_tls_client_auth(a) && !a->client_cert_file)
                (void) report(p, true, key_line(p, "ClientAuth"), "ClientCertFile",
                              "required for ClientAuth=tls_client_auth and self_signed_tls_client_auth");
        if (a->client_key_file && !a->client_cert_file)
                (void) report(p, true, key_line(p, "ClientKeyFile"), "ClientKeyFile",
                              "without ClientCertFile= there is no certificate to use the key with");
        if (!a->client_key_file ||
            open_regular_file_bounded(a->client_key_file, CLIENT_KEY_FILE_SIZE_MAX, &fd, NULL) < 0)
                return;         /* the key's own check said what is wrong with the file */
        if (fd_is_private(fd, &reason) < 0)
                (void) report(p, true, key_line(p, "ClientKeyFile"), "ClientKeyFile", "\"%s\" %s",
                              a->client_key_file, strna(reason));
        (void) close(fd);
}

/* Every string and every list of strings of an AccountConfig: what account_config_free() frees and
 * account_config_pack() copies. A pointer field added to the struct is added here. */
#define CONFIG_STRINGS(X)                                                                                      \
        X(name) X(path) X(provider) X(token_url) X(issuer) X(environment) X(client_id) X(scopes) X(username)     \
        X(git_username) X(docker_username) X(cargo_token_prefix) X(ca_file) X(client_cert_file)                \
        X(client_key_file) X(token_path) X(token_url_query) X(grant_type_value) X(authorize_url)                \
        X(device_authorization_url) X(redirect_uri) X(revocation_url) X(revocation_auth) X(subject_account)     \
        X(actor_account) X(audience) X(resource) X(key_id) X(api_key_header)
#define CONFIG_LISTS(X)                                                                                        \
        X(hosts) X(extra_params) X(authorize_param_names) X(token_param_names) X(expose_claims)                \
        X(allowed_callers)

AccountConfig *account_config_free(AccountConfig *a) {
        if (!a)
                return NULL;
        /* A packed one is a single allocation. */
        if (!a->packed) {
#define FREE_STRING(f) free(a->f);
#define FREE_LIST(f) strv_free(a->f);
                CONFIG_STRINGS(FREE_STRING)
                CONFIG_LISTS(FREE_LIST)
#undef FREE_STRING
#undef FREE_LIST
        }
        free(a);
        return NULL;
}

static size_t string_size(const char *s) {
        return s ? strlen(s) + 1 : 0;
}

static size_t list_size(char * const *l, size_t *strings) {
        size_t n = 0;

        if (!l)
                return 0;
        for (; l[n]; n++)
                *strings += strlen(l[n]) + 1;
        return (n + 1) * sizeof(char *);
}

static char *copy_string(char **to, const char *s) {
        char *copy;

        if (!s)
                return NULL;
        copy = memcpy(*to, s, strlen(s) + 1);
        *to += strlen(s) + 1;
        return copy;
}

static char **copy_list(char ***slots, char **strings, char * const *l) {
        char **copy = *slots;
        size_t n = 0;

        if (!l)
                return NULL;
        for (; l[n]; n++)
                copy[n] = copy_string(strings, l[n]);
        copy[n] = NULL;
        *slots += n + 1;
        return copy;
}

AccountConfig *account_config_pack(const AccountConfig *c) {
        size_t strings = 0, slots = 0;
        AccountConfig *p;
        char **next_slot, *next_string;

        /* The struct, then the lists' pointer arrays (aligned as the struct is), then every string. */
#define SIZE_STRING(f) strings += string_size(c->f);
#define SIZE_LIST(f) slots += list_size(c->f, &strings);
        CONFIG_STRINGS(SIZE_STRING)
        CONFIG_LISTS(SIZE_LIST)
#undef SIZE_STRING
#undef SIZE_LIST
        p = malloc(sizeof(AccountConfig) + slots + strings);
        if (!p)
                return NULL;
        *p = *c;
        p->packed = true;
        next_slot = (char **) (p + 1);
        next_string = (char *) p + sizeof(AccountConfig) + slots;
#define COPY_STRING(f) p->f = copy_string(&next_string, c->f);
#define COPY_LIST(f) p->f = copy_list(&next_slot, &next_string, c->f);
        CONFIG_LISTS(COPY_LIST)
        CONFIG_STRINGS(COPY_STRING)
#undef COPY_STRING
#undef COPY_LIST
        return p;
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

/* Checked for text from memory too, so that what account_config_write() validates is what
 * account_config_load() would accept. */
static int check_size(AccountFileParser *p, uint64_t size) {
        if (size <= ACCOUNT_FILE_SIZE_MAX)
                return 0;
        (void) report(p, true, 0, NULL, "larger than %u bytes, refusing", ACCOUNT_FILE_SIZE_MAX);
        return -EFBIG;
}

/* The text as a whole: its size, the account name its file name gives, NUL bytes. */
static int check_text(AccountFileParser *p, const char *name, const char *data, size_t size) {
        const char *nul;
        int r;

        r = check_size(p, size);
        if (r < 0)
                return r;
        if (!account_name_is_valid(name))
                return report(p, true, 0, NULL,
                              "invalid account name \"%s\" (letters, digits, '.', '_' and '-', at most 64)",
                              name);

        nul = size > 0 ? memchr(data, 0, size) : NULL;
        if (nul) {
                unsigned line = 1;

                for (const char *q = data; q < nul; q++)
                        line += *q == '\n';
                return report(p, true, line, NULL, "contains a NUL byte");
        }
        return 0;
}

static int load_data(AccountFileParser *p, const char *path, const char *data, size_t size,
                     AccountConfig **ret) {
        g_autoptr(GKeyFile) kf = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        int r;

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
        r = check_text(p, a->name, data, size);
        if (r < 0)
                return p->diag.oom ? -ENOMEM : r;

        kf = g_key_file_new();
        if (!g_key_file_load_from_data(kf, size > 0 ? data : "", size, G_KEY_FILE_NONE, &error)) {
                const char *message;
                unsigned line = account_file_locate_syntax_error(data, size, &message);

                (void) report(p, true, line, NULL, "%s", message);
                return p->diag.oom ? -ENOMEM : -EUCLEAN;
        }
        r = account_file_index_new(data, size, ACCOUNT_GROUP, &p->index);
        if (r < 0)
                return r;

        groups = g_key_file_get_groups(kf, NULL);
        STRV_FOREACH(g, groups)
                if (!streq(*g, ACCOUNT_GROUP)) {
                        _cleanup_free_ char *label = strjoin("[", *g, "]");
                        (void) report(p, false, account_file_index_group(p->index, *g), label ?: *g,
                                      "unknown group, ignoring");
                }

        if (!g_key_file_has_group(kf, ACCOUNT_GROUP))
                (void) report(p, true, 0, "[" ACCOUNT_GROUP "]", "group missing");
        else {
                account_file_parse_keys(p, kf, a);
                if (provider_preset_finish(a) < 0)
                        p->diag.oom = true;
                if (a->revocation_auth && !streq(a->revocation_auth, "client") &&
                    !streq(a->revocation_auth, "bearer"))
                        (void) report(p, true, key_line(p, "RevocationAuth"), "RevocationAuth",
                                      "invalid value \"%s\" (expected client or bearer)", a->revocation_auth);
                if (a->cargo_token_prefix && !streq(a->cargo_token_prefix, "Bearer") &&
                    !streq(a->cargo_token_prefix, "none"))
                        (void) report(p, true, key_line(p, "CargoTokenPrefix"), "CargoTokenPrefix",
                                      "invalid value \"%s\" (expected Bearer or none)", a->cargo_token_prefix);
                if (a->environment && !provider_environment_is_valid(a->provider, a->environment))
                        (void) report(p, true, key_line(p, "Environment"), "Environment",
                                      streq_ptr(a->provider, "floriday")
                                              ? "invalid value \"%s\" (expected staging or live)"
                                              : "\"%s\": only Provider=floriday has environments",
                                      a->environment);
                else if (!a->token_url && !a->issuer)
                        (void) report(p, true, key_line(p, "TokenURL"), "TokenURL",
                                      streq_ptr(a->provider, "floriday")
                                              ? "required (or Issuer=, or Environment=staging or live)"
                                              : "required (or Issuer= for discovery)");
                if (!a->client_id)
                        (void) report(p, true, key_line(p, "ClientID"), "ClientID", "required");
                if (a->grant == GRANT_TOKEN_EXCHANGE && !a->subject_account)
                        (void) report(p, true, key_line(p, "Grant"), "SubjectAccount",
                                      "required for Grant=token_exchange (the account whose token is exchanged)");
                if (a->subject_account && a->name && streq(a->subject_account, a->name))
                        (void) report(p, true, key_line(p, "SubjectAccount"), "SubjectAccount",
                                      "names this account itself");
                check_client_certificate(p, a);
        }
        if (p->diag.oom)
                return -ENOMEM;
        if (p->diag.n_errors > 0)
                return -EUCLEAN;

        if (!a->provider && !(a->provider = strdup("generic")))
                return -ENOMEM;
        if (!a->git_username && !(a->git_username = strdup("oauth2")))
                return -ENOMEM;

        *ret = TAKE_PTR(a);
        return 0;
}

/* Hands the diagnostics on; a loaded account counts only if they all arrived. */
static int parser_finish(AccountFileParser *p, int r, AccountConfig *a, AccountConfig **ret,
                         char ***diagnostics) {
        int k;

        p->index = account_file_index_free(p->index);
        k = diagnostics_finish(&p->diag, diagnostics);
        if (r >= 0 && k < 0) {
                account_config_free(a);
                return k;
        }
        if (r >= 0)
                *ret = a;
        return r;
}

int account_config_load_data(const char *path, const char *data, size_t size, AccountConfig **ret,
                             char ***diagnostics) {
        AccountFileParser p = {
                .diag.path = path,
        };
        AccountConfig *a = NULL;
        int r;

        assert(path);
        assert(data || size == 0);
        assert(ret);

        r = load_data(&p, path, data, size, &a);
        return parser_finish(&p, r, a, ret, diagnostics);
}

static void stamp_from_stat(AccountFileStamp *s, const struct stat *st) {
        *s = (AccountFileStamp) {
                .dev = st->st_dev, .ino = st->st_ino, .size = st->st_size, .mode = st->st_mode, .uid = st->st_uid,
                .mtim = st->st_mtim, .ctim = st->st_ctim,
        };
}

static bool timespec_eq(struct timespec a, struct timespec b) {
        return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static usec_t timespec_usec(struct timespec t) {
        return (usec_t) t.tv_sec * USEC_PER_SEC + (usec_t) t.tv_nsec / 1000;
}

/* The file name of `path`, which openat() finds in the folder's descriptor without walking the path again. */
static const char *file_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

bool account_file_stamp_unchanged_at(int dir_fd, const char *path, const AccountFileStamp *s) {
        struct stat st;

        if (!s->settled || fstatat(dir_fd, dir_fd == AT_FDCWD ? path : file_name(path), &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        return st.st_dev == s->dev && st.st_ino == s->ino && st.st_size == s->size && st.st_mode == s->mode &&
               st.st_uid == s->uid && timespec_eq(st.st_mtim, s->mtim) && timespec_eq(st.st_ctim, s->ctim);
}

bool account_config_file_unchanged(const AccountConfig *c, const char *path) {
        return streq_ptr(c->path, path) && account_file_stamp_unchanged_at(AT_FDCWD, path, &c->stamp);
}

/* The loading process never changes its uid: asked once, not for every one of thousands of files (which a
 * reload reads on several threads at once, hence the atomic). */
static uid_t self_uid(void) {
        static _Atomic uid_t self = (uid_t) -1;
        uid_t uid = atomic_load_explicit(&self, memory_order_relaxed);

        if (uid == (uid_t) -1) {
                uid = geteuid();
                atomic_store_explicit(&self, uid, memory_order_relaxed);
        }
        return uid;
}

static int read_file(AccountFileParser *p, int dir_fd, const char *path, bool provisioned, char **ret,
                     size_t *ret_size, AccountFileStamp *ret_stamp) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0;
        int r;

        fd = openat(dir_fd, dir_fd == AT_FDCWD ? path : file_name(path),
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ELOOP) {
                        (void) report(p, true, 0, NULL, "is a symbolic link, refusing");
                        return -EPERM;
                }
                return -errno;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                (void) report(p, true, 0, NULL, "not a regular file, refusing");
                return -EPERM;
        }
        /* An administrator's file holds no secret (those are in each user's keyring), so all may read it;
         * but only root (or we) may own it and nobody else may write it, for the same reason as below. */
        if (provisioned) {
                if (st.st_uid != 0 && st.st_uid != self_uid()) {
                        (void) report(p, true, 0, NULL, "owned by uid %u, neither root nor us (uid %u), refusing",
                                      (unsigned) st.st_uid, (unsigned) self_uid());
                        return -EPERM;
                }
                if (st.st_mode & 0022) {
                        (void) report(p, true, 0, NULL,
                                      "writable by other users (mode %04o), refusing; fix with: chmod 0644 '%s'",
                                      (unsigned) (st.st_mode & 07777), path);
                        return -EPERM;
                }
        }
        /* Another user who owns or may write our account file could point our tokens at their server. */
        else if (st.st_uid != self_uid()) {
                (void) report(p, true, 0, NULL, "owned by uid %u, not by us (uid %u), refusing",
                              (unsigned) st.st_uid, (unsigned) self_uid());
                return -EPERM;
        }
        else if (st.st_mode & 0077) {
                (void) report(p, true, 0, NULL,
                              "readable or writable by other users (mode %04o), refusing; fix with: "
                              "chmod 0600 '%s'",
                              (unsigned) (st.st_mode & 07777), path);
                return -EPERM;
        }
        r = check_size(p, (uint64_t) st.st_size);
        if (r < 0)
                return r;
        stamp_from_stat(ret_stamp, &st);
        ret_stamp->settled = timespec_usec(st.st_ctim) + USEC_PER_SEC < now_usec(CLOCK_REALTIME) &&
                             timespec_usec(st.st_mtim) + USEC_PER_SEC < now_usec(CLOCK_REALTIME);

        /* As large as fstat() says, and one byte more to see it grew since; then, if it did, up to one byte
         * past the cap. A short read of a regular file is its end: no second read() to learn that. */
        for (size_t cap = (size_t) st.st_size + 1;;) {
                ssize_t k;

                if (!buf || n == cap) {
                        char *bigger;

                        if (buf)
                                cap = ACCOUNT_FILE_SIZE_MAX + 1;
                        bigger = realloc(buf, cap);
                        if (!bigger)
                                return -ENOMEM;
                        buf = bigger;
                }
                k = read(fd, buf + n, cap - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                n += (size_t) k;
                r = check_size(p, n);
                if (r < 0)
                        return r;
                if (k == 0 || n < cap)
                        break;
        }

        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

int account_config_load_at(int dir_fd, const char *path, bool provisioned, AccountConfig **ret,
                           char ***diagnostics) {
        _cleanup_free_ char *buf = NULL;
        AccountFileParser p = {
                .diag.path = path,
        };
        AccountConfig *a = NULL;
        AccountFileStamp stamp = {};
        size_t n = 0;
        int r;

        assert(path);
        assert(ret);

        r = read_file(&p, dir_fd, path, provisioned, &buf, &n, &stamp);
        if (r >= 0)
                r = load_data(&p, path, buf, n, &a);
        if (r >= 0) {
                a->provisioned = provisioned;
                a->stamp = stamp;
        }
        else if (p.diag.oom)
                r = -ENOMEM;
        return parser_finish(&p, r, a, ret, diagnostics);
}

int account_config_load(const char *path, AccountConfig **ret, char ***diagnostics) {
        return account_config_load_at(AT_FDCWD, path, false, ret, diagnostics);
}

int account_config_load_provisioned(const char *path, AccountConfig **ret, char ***diagnostics) {
        return account_config_load_at(AT_FDCWD, path, true, ret, diagnostics);
}
