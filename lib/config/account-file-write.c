/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where account files live, and writing and removing them. A file is written only after the text that would
 * be written has passed the same loader the daemon uses, and it replaces the old one atomically, so a failed
 * write never leaves a half-written or invalid account behind. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-file-internal.h"
#include "account-file.h"
#include "alloc-util.h"
#include "log.h"
#include "string-util.h"

char *account_config_dir(void) {
        const char *e;

        /* The XDG spec says relative values are to be ignored. */
        e = secure_getenv("XDG_CONFIG_HOME");
        if (e && e[0] == '/')
                return strjoin(e, "/tokenbroker/accounts");

        e = secure_getenv("HOME");
        if (!e || e[0] != '/') {
                struct passwd *pw = getpwuid(getuid());
                e = pw ? pw->pw_dir : NULL;
        }
        if (!e || e[0] != '/')
                return NULL;
        return strjoin(e, "/.config/tokenbroker/accounts");
}

char *account_config_system_dir(void) {
        const char *e = secure_getenv("TOKENBROKER_SYSTEM_ACCOUNTS_DIR");

        /* An empty value turns the administrator's accounts off (a test's clean slate). */
        if (e && (e[0] == '/' || e[0] == 0))
                return strdup(e);
        return strdup(SYSCONFDIR "/tokenbroker/accounts");
}

_printf_(2, 3) static int diag(char ***diagnostics, const char *format, ...) {
        char *text;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&text, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (!diagnostics) {
                free(text);
                return 0;
        }
        return strv_push(diagnostics, text);
}

/* mkdir -p, each directory we create 0700: the accounts directory says which services the user has. */
static int mkdir_parents(const char *dir) {
        _cleanup_free_ char *p = strdup(dir);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char c = *s;
                *s = 0;
                if (mkdir(p, 0700) < 0 && errno != EEXIST)
                        return -errno;
                *s = c;
                if (c == 0)
                        break;
        }
        return 0;
}

static int write_all(int fd, const char *data, size_t size) {
        while (size > 0) {
                ssize_t k = write(fd, data, size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += k;
                size -= k;
        }
        return 0;
}

static int build_text(const char *name, char * const *settings, char **ret, char ***diagnostics) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autofree char *text = NULL;
        size_t n = strv_length(settings);
        int r = 0;

        if (n % 2 != 0)
                return -EINVAL;

        for (size_t i = 0; i < n; i += 2) {
                const char *key = settings[i], *value = settings[i + 1];

                if (account_config_key_is_secret(key)) {
                        r = diag(diagnostics, "%s: secrets do not belong in account files, store them with "
                                              "`tokenbroker set-secret %s KIND`",
                                 key, name);
                        return r < 0 ? r : -EINVAL;
                }
                if (!account_config_key_is_known(key)) {
                        r = diag(diagnostics, "%s: unknown key", key);
                        return r < 0 ? r : -EINVAL;
                }
                for (size_t j = 0; j < i; j += 2)
                        if (streq(settings[j], key)) {
                                r = diag(diagnostics, "%s: given more than once", key);
                                return r < 0 ? r : -EINVAL;
                        }
                /* set_string escapes what the file syntax needs, so the value is loaded back unchanged. */
                g_key_file_set_string(kf, ACCOUNT_GROUP, key, value);
        }
        g_key_file_set_comment(kf, NULL, NULL,
                               " tokenbroker account. Secrets are kept in the keyring, never here.", NULL);

        text = g_key_file_to_data(kf, NULL, NULL);
        if (!text)
                return -ENOMEM;
        *ret = strdup(text);
        return *ret ? 0 : -ENOMEM;
}

/* The loader's messages name lines of the text we generated, which mean nothing to whoever passed the
 * settings: "PATH:LINE: Key: message" becomes "Key: message". */
static int pass_on_messages(const char *path, char **messages, char ***diagnostics) {
        STRV_FOREACH(m, messages) {
                const char *s = startswith(*m, path);

                if (s && s[0] == ':' && s[1] >= '0' && s[1] <= '9') {
                        s += 1 + strspn(s + 1, "0123456789");
                        s = startswith(s, ": ") ?: *m;
                } else if (s)
                        s = startswith(s, ": ") ?: *m;
                else
                        s = *m;
                if (diag(diagnostics, "%s", s) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Renames without replacing when asked to; where the file system cannot do that atomically, a check just
 * before is the best there is. */
static int rename_into_place(int dfd, const char *from, const char *to, bool replace) {
        if (replace)
                return renameat(dfd, from, dfd, to) < 0 ? -errno : 0;
        if (renameat2(dfd, from, dfd, to, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                return -errno;
        if (faccessat(dfd, to, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return -EEXIST;
        return renameat(dfd, from, dfd, to) < 0 ? -errno : 0;
}

int account_config_write(const char *dir, const char *name, char * const *settings, bool replace,
                         char ***diagnostics) {
        _cleanup_(account_config_freep) AccountConfig *check = NULL;
        _cleanup_free_ char *text = NULL, *path = NULL, *file = NULL, *tmp = NULL;
        _cleanup_strv_free_ char **messages = NULL;
        _cleanup_close_ int dfd = -1, fd = -1;
        int r;

        assert(dir);

        if (!account_name_is_valid(name)) {
                r = diag(diagnostics,
                         "invalid account name \"%s\" (letters, digits, '.', '_' and '-', at most 64)",
                         strempty(name));
                return r < 0 ? r : -EINVAL;
        }

        r = build_text(name, settings, &text, diagnostics);
        if (r < 0)
                return r;

        path = strjoin(dir, "/", name, ".conf");
        file = strjoin(name, ".conf");
        if (!path || !file)
                return -ENOMEM;
        /* The loader's own checks, limits included (the size of the whole file too), on the very text that
         * would be written: a file it would refuse is never written. Whatever it refuses, the settings are
         * what is wrong. */
        r = account_config_load_data(path, text, strlen(text), &check, &messages);
        if (r < 0) {
                int k = pass_on_messages(path, messages, diagnostics);
                return k < 0 ? k : r == -ENOMEM ? r : -EUCLEAN;
        }

        r = mkdir_parents(dir);
        if (r < 0)
                return r;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        if (!replace && faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return -EEXIST;

        /* A dot name that does not end in .conf: never picked up as an account while it is written. */
        for (unsigned attempt = 0;; attempt++) {
                free(tmp);
                if (asprintf(&tmp, ".#%s.%08x", file, (unsigned) g_random_int()) < 0) {
                        tmp = NULL;
                        return -ENOMEM;
                }
                fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || attempt >= 16)
                        return -errno;
        }

        r = write_all(fd, text, strlen(text));
        if (r >= 0 && fchmod(fd, 0600) < 0) /* in case the umask took bits away */
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0)
                r = close(TAKE_FD(fd)) < 0 ? -errno : 0;
        if (r >= 0)
                r = rename_into_place(dfd, tmp, file, replace);
        if (r < 0) {
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }
        (void) fsync(dfd);
        log_debug("Wrote account file %s.", path);
        return 0;
}

int account_config_remove(const char *dir, const char *name) {
        _cleanup_free_ char *path = NULL;

        assert(dir);

        if (!account_name_is_valid(name))
                return -EINVAL;
        path = strjoin(dir, "/", name, ".conf");
        if (!path)
                return -ENOMEM;
        if (unlink(path) < 0)
                return -errno;
        return 0;
}
