/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "account-index.h"
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

/* A directory of account files must be writable by nobody but its owner, wherever a symbolic link to it
 * leads: whoever may add or replace files in it decides where our secrets are sent. The user's must be
 * ours; the administrator's root's (or ours). Returns the reason for refusing it, or NULL. */
static char *dir_refusal(int fd, const char *dir, bool provisioned) {
        struct stat st;
        char *why = NULL;
        int r = 0;

        if (fstat(fd, &st) < 0)
                r = asprintf(&why, "The accounts directory %s cannot be examined: %m.", dir);
        else if (st.st_uid != geteuid() && !(provisioned && st.st_uid == 0))
                r = asprintf(&why, "The accounts directory %s belongs to uid %u, not to %s (uid %u): no account "
                                   "of it is loaded.",
                             dir, (unsigned) st.st_uid, provisioned ? "root or us" : "us", (unsigned) geteuid());
        else if (st.st_mode & 0022)
                r = asprintf(&why, "The accounts directory %s is writable by other users (mode %04o): no account "
                                   "of it is loaded; fix with: chmod %s '%s'",
                             dir, (unsigned) (st.st_mode & 07777), provisioned ? "0755" : "0700", dir);
        else
                return NULL;
        return r < 0 ? strdup("An accounts directory is refused.") : why;
}

/* What a look at one folder found. */
typedef struct FolderScan {
        char *refused;          /* why the folder is not trusted (its files are not loaded), or NULL */
        char **refused_names;   /* the account names in a refused folder, to say why each is not served */
        bool unreadable;        /* it exists but could not be read now: its accounts stay as they were */
} FolderScan;

static void folder_scan_done(FolderScan *f) {
        free(f->refused);
        f->refused = NULL;
        strv_free(f->refused_names);
        f->refused_names = NULL;
}

/* Notes the account files of `dir` in `files` (name -> path): a later folder's file takes the place of an
 * earlier one's. */
static void collect_files(const char *dir, bool provisioned, GHashTable *files, GHashTable *provisioned_names,
                          FolderScan *ret) {
        struct dirent *de;
        DIR *d;

        *ret = (FolderScan) {};
        if (isempty(dir))
                return;
        d = opendir(dir);
        if (!d) {
                if (errno != ENOENT) {
                        /* A transient failure (no file descriptors, no memory) must not take every account
                         * away; one that lasts (an administrator's folder users may not read) is reported. */
                        log_error_errno(errno, "Failed to open %s, keeping its accounts as they were: %m", dir);
                        ret->unreadable = true;
                        if (asprintf(&ret->refused, "The accounts directory %s cannot be read: %m.", dir) < 0)
                                ret->refused = NULL;
                }
                return;
        }
        ret->refused = dir_refusal(dirfd(d), dir, provisioned);
        while ((de = readdir(d))) {
                char *name;

                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                name = g_strndup(de->d_name, strlen(de->d_name) - 5);
                if (ret->refused) {
                        (void) strv_extend(&ret->refused_names, name);
                        g_free(name);
                        continue;
                }
                g_hash_table_replace(files, name, g_strjoin("/", dir, de->d_name, NULL));
                if (provisioned)
                        g_hash_table_add(provisioned_names, g_strdup(name));
                else
                        g_hash_table_remove(provisioned_names, name);
        }
        closedir(d);
}

/* Loads one file; returns whether the account is (still) served. Takes nothing. */
static bool load_one(Engine *eng, const char *name, const char *path, bool provisioned, bool *changed) {
        _cleanup_strv_free_ char **diagnostics = NULL;
        AccountConfig *c = NULL;
        Account *a;
        int r;

        /* The same file as last time: nothing to read (a reload of many accounts costs a stat each). */
        a = engine_account(eng, name);
        if (a && a->config->provisioned == provisioned && account_config_file_unchanged(a->config, path))
                return true;

        r = provisioned ? account_config_load_provisioned(path, &c, &diagnostics)
                        : account_config_load(path, &c, &diagnostics);
        STRV_FOREACH(diag, diagnostics)
                log_warning("%s", *diag);
        if (r < 0) {
                log_error_errno(r, "Account file '%s' not loaded: %m", path);
                /* A file broken by an edit keeps an already loaded account as it was, so that a typo does not
                 * cut the user off. A file refused for safety (owner, mode, symbolic link) does not: someone
                 * else may have written it, and serving on would use our secrets for what it now says. */
                if (r != -EPERM && engine_account(eng, name))
                        return true;
                remember_refused(eng, g_strdup(name), r, diagnostics);
                return false;
        }

        a = engine_account(eng, c->name);
        if (a) {
                account_update_config(a, c);
                return true;
        }
        r = account_new(eng, c, &a);
        if (r < 0) {
                log_oom();
                return false;
        }
        g_hash_table_insert(eng->accounts, a->name, a);
        *changed = true;
        return true;
}

int engine_load_accounts(Engine *eng) {
        g_autoptr(GHashTable) files = NULL, provisioned = NULL;
        FolderScan system = {}, user = {};
        GHashTableIter i;
        const char *name, *path;
        Account *a;
        unsigned loaded = 0;
        bool changed = false;

        files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        provisioned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_remove_all(eng->refused);
        free(eng->config_dir_refused);
        free(eng->system_dir_refused);

        /* The administrator's first: a user's file of the same name takes its place. */
        collect_files(eng->system_config_dir, true, files, provisioned, &system);
        collect_files(eng->config_dir, false, files, provisioned, &user);
        eng->system_dir_refused = TAKE_PTR(system.refused);
        eng->config_dir_refused = user.unreadable ? NULL : TAKE_PTR(user.refused);
        if (eng->system_dir_refused && !system.unreadable)
                log_error("%s", eng->system_dir_refused);
        /* An unsafe administrator's folder: each of its accounts the user has no file for says why. */
        STRV_FOREACH(n, system.refused_names)
                if (!g_hash_table_contains(files, *n))
                        remember_refused(eng, g_strdup(*n), -EPERM, (char *[]) { eng->system_dir_refused, NULL });
        folder_scan_done(&system);
        folder_scan_done(&user);
        if (eng->config_dir_refused) {
                /* Nothing in a directory others may write to is ours to trust: every account goes, the
                 * administrator's too, as a file there could replace any of them. */
                log_error("%s", eng->config_dir_refused);
                g_hash_table_remove_all(files);
        }

        g_hash_table_iter_init(&i, files);
        while (g_hash_table_iter_next(&i, (void **) &name, (void **) &path))
                if (load_one(eng, name, path, g_hash_table_contains(provisioned, name), &changed))
                        loaded++;
                else
                        g_hash_table_iter_remove(&i);

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, (void **) &name, (void **) &a)) {
                if (g_hash_table_contains(files, name))
                        continue;
                /* Its folder could not be read this time: it stays as it was. */
                if (a->config->provisioned ? system.unreadable : user.unreadable) {
                        loaded++;
                        continue;
                }
                if (engine_refused_reason(eng, name)) {
                        log_warning("Account '%s' is no longer served: its file was refused.", name);
                        account_fail_all(a, -EUCLEAN, engine_refused_reason(eng, name));
                } else {
                        log_info("Account '%s' is gone from %s.", name, a->config->path);
                        account_fail_all(a, -ESRCH, "The account was removed.");
                }
                g_hash_table_iter_remove(&i);
                changed = true;
        }

        /* Any file may have changed its Hosts=. */
        account_index_invalidate(eng);
        log_info("%u account(s) loaded.", loaded);
        if (changed)
                engine_emit_accounts_changed(eng);
        return (int) loaded;
}
