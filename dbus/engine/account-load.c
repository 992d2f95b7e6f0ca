/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "alloc-util.h"
#include "engine.h"
#include "log.h"
#include "string-util.h"

/* A caller asking for an account whose file was refused learns why, rather than "No such account": the
 * daemon's log is not where a person running `tokenbroker token` looks. Takes `name`. */
static void remember_refused(Engine *eng, char *name, int error, char **diagnostics) {
        g_autoptr(GString) why = g_string_new(NULL);

        g_string_printf(why, "The file of account '%s' is not loaded: ", name);
        if (strv_length(diagnostics) == 0)
                g_string_append(why, strerror(ERRNO_VALUE(error)));
        STRV_FOREACH(diag, diagnostics) {
                /* A page of diagnostics helps nobody in an error reply; the log has them all. */
                if (why->len > 1024) {
                        g_string_append(why, "; ...");
                        break;
                }
                if (diag != diagnostics)
                        g_string_append(why, "; ");
                g_string_append(why, *diag);
        }
        g_hash_table_insert(eng->refused, name, g_string_free(g_steal_pointer(&why), false));
}

/* The accounts directory must be ours and writable by nobody else, wherever a symbolic link to it leads:
 * whoever may add or replace files in it decides where our secrets are sent. */
static int config_dir_check(Engine *eng, int fd) {
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid == geteuid() && !(st.st_mode & 0022))
                return 0;
        if (st.st_uid != geteuid())
                r = asprintf(&eng->config_dir_refused,
                             "The accounts directory %s belongs to uid %u, not to us (uid %u): no account is loaded.",
                             eng->config_dir, (unsigned) st.st_uid, (unsigned) geteuid());
        else
                r = asprintf(&eng->config_dir_refused,
                             "The accounts directory %s is writable by other users (mode %04o): no account is "
                             "loaded; fix with: chmod 0700 '%s'",
                             eng->config_dir, (unsigned) (st.st_mode & 07777), eng->config_dir);
        if (r < 0)
                eng->config_dir_refused = NULL;
        return -EPERM;
}

int engine_load_accounts(Engine *eng) {
        g_autoptr(GHashTable) seen = NULL;
        GHashTableIter i;
        Account *a;
        const char *name;
        DIR *d;
        struct dirent *de;
        unsigned loaded = 0;
        bool changed = false;

        seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_remove_all(eng->refused);
        free(eng->config_dir_refused);
        eng->config_dir_refused = NULL;

        d = opendir(eng->config_dir);
        if (!d && errno != ENOENT)
                return log_error_errno(errno, "Failed to open %s: %m", eng->config_dir);
        if (d && config_dir_check(eng, dirfd(d)) < 0) {
                /* Nothing in a directory others may write to is ours to trust: every account goes. */
                log_error("%s", strna(eng->config_dir_refused));
                closedir(d);
                d = NULL;
        }

        while (d && (de = readdir(d))) {
                _cleanup_strv_free_ char **diagnostics = NULL;
                _cleanup_free_ char *path = NULL;
                AccountConfig *c = NULL;
                int r;

                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                path = strjoin(eng->config_dir, "/", de->d_name);
                if (!path)
                        continue;

                r = account_config_load(path, &c, &diagnostics);
                STRV_FOREACH(diag, diagnostics)
                        log_warning("%s", *diag);
                if (r < 0) {
                        _cleanup_free_ char *n = strndup(de->d_name, strlen(de->d_name) - 5);

                        log_error_errno(r, "Account file '%s' not loaded: %m", path);
                        if (!n)
                                continue;
                        /* A file broken by an edit keeps an already loaded account as it was, so that a typo
                         * does not cut the user off. A file refused for safety (owner, mode, symbolic link)
                         * does not: someone else may have written it, and serving on would use our secrets
                         * for what it now says. */
                        if (r != -EPERM && engine_account(eng, n))
                                g_hash_table_add(seen, TAKE_PTR(n));
                        else
                                remember_refused(eng, TAKE_PTR(n), r, diagnostics);
                        continue;
                }

                g_hash_table_add(seen, g_strdup(c->name));
                a = engine_account(eng, c->name);
                if (a)
                        account_update_config(a, c);
                else {
                        r = account_new(eng, c, &a);
                        if (r < 0) {
                                log_oom();
                                continue;
                        }
                        g_hash_table_insert(eng->accounts, a->name, a);
                        changed = true;
                }
                loaded++;
        }
        if (d)
                closedir(d);

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, (void **) &name, (void **) &a)) {
                if (g_hash_table_contains(seen, name))
                        continue;
                if (engine_refused_reason(eng, name)) {
                        log_warning("Account '%s' is no longer served: its file was refused.", name);
                        account_fail_all(a, -EUCLEAN, engine_refused_reason(eng, name));
                } else {
                        log_info("Account '%s' is gone from %s.", name, eng->config_dir);
                        account_fail_all(a, -ESRCH, "The account was removed.");
                }
                g_hash_table_iter_remove(&i);
                changed = true;
        }

        log_info("%u account(s) loaded from %s.", loaded, eng->config_dir);
        if (changed)
                engine_emit_accounts_changed(eng);
        return (int) loaded;
}
