/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-scan.h"
#include "alloc-util.h"
#include "macro.h"
#include "string-util.h"

/* What account_scan_know() copies of a loaded account: one allocation (name and path follow the struct), as a
 * reload of 10,000 accounts makes 10,000 of them on the loop before its thread starts. */
typedef struct KnownFile {
        bool provisioned;
        AccountFileStamp stamp;
        const char *path;       /* in text[], after the name */
        char name[];
} KnownFile;

static void scanned_file_free(void *p) {
        ScannedFile *f = p;

        if (!f)
                return;
        g_free(f->name);
        g_free(f->path);
        account_config_free(f->config);
        strv_free(f->diagnostics);
        free(f);
}

static void folder_scan_done(FolderScan *f) {
        free(f->refused);
        strv_free(f->refused_names);
        free(f->error);
        *f = (FolderScan) {};
}

AccountScan *account_scan_new(const char *system_dir, const char *user_dir) {
        AccountScan *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->system_dir = isempty(system_dir) ? NULL : strdup(system_dir);
        s->user_dir = isempty(user_dir) ? NULL : strdup(user_dir);
        s->known = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free);
        s->files = g_ptr_array_new_with_free_func(scanned_file_free);
        if ((!isempty(system_dir) && !s->system_dir) || (!isempty(user_dir) && !s->user_dir))
                return account_scan_free(s);
        return s;
}

AccountScan *account_scan_free(AccountScan *s) {
        if (!s)
                return NULL;
        free(s->system_dir);
        free(s->user_dir);
        g_hash_table_destroy(s->known);
        folder_scan_done(&s->system);
        folder_scan_done(&s->user);
        g_ptr_array_free(s->files, true);
        free(s);
        return NULL;
}

int account_scan_know(AccountScan *s, const AccountConfig *c) {
        size_t name_size, path_size;
        KnownFile *k;

        /* An account made in memory has no file to compare. */
        if (!c->path || !c->stamp.settled)
                return 0;
        name_size = strlen(c->name) + 1;
        path_size = strlen(c->path) + 1;
        k = malloc(sizeof(*k) + name_size + path_size);
        if (!k)
                return -ENOMEM;
        k->provisioned = c->provisioned;
        k->stamp = c->stamp;
        memcpy(k->name, c->name, name_size);
        k->path = memcpy(k->name + name_size, c->path, path_size);
        g_hash_table_replace(s->known, k->name, k);
        return 0;
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

/* Notes the account files of `dir` in `files` (name -> ScannedFile): a later folder's file takes the place of
 * an earlier one's. Returns the folder, open (its files are read from it), or -1. */
static int collect_files(const char *dir, bool provisioned, GHashTable *files, FolderScan *ret) {
        struct dirent *de;
        DIR *d;
        int fd;

        if (!dir)
                return -1;
        d = opendir(dir);
        if (!d) {
                if (errno != ENOENT) {
                        /* A transient failure (no file descriptors, no memory) must not take every account
                         * away; one that lasts (an administrator's folder users may not read) is reported. */
                        ret->unreadable = true;
                        if (asprintf(&ret->error, "Failed to open %s, keeping its accounts as they were: %m",
                                     dir) < 0)
                                ret->error = NULL;
                        if (asprintf(&ret->refused, "The accounts directory %s cannot be read: %m.", dir) < 0)
                                ret->refused = NULL;
                }
                return -1;
        }
        ret->refused = dir_refusal(dirfd(d), dir, provisioned);
        while ((de = readdir(d))) {
                ScannedFile *f;
                char *name;

                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                name = g_strndup(de->d_name, strlen(de->d_name) - 5);
                if (ret->refused) {
                        (void) strv_extend(&ret->refused_names, name);
                        g_free(name);
                        continue;
                }
                f = calloc(1, sizeof(*f));
                if (!f) {
                        g_free(name);
                        continue;
                }
                f->name = name;
                f->path = g_strjoin("/", dir, de->d_name, NULL);
                f->provisioned = provisioned;
                g_hash_table_replace(files, f->name, f);
        }
        /* The descriptor outlives the listing: the files are opened from it (or, without one, by their
         * whole path). */
        fd = fcntl(dirfd(d), F_DUPFD_CLOEXEC, 3);
        closedir(d);
        return fd;
}

static void scan_file(AccountScan *s, int dir_fd, ScannedFile *f) {
        const KnownFile *k = g_hash_table_lookup(s->known, f->name);

        /* The same file as last time: nothing to read (a reload of many accounts costs a stat each). */
        if (k && k->provisioned == f->provisioned && streq(k->path, f->path) &&
            account_file_stamp_unchanged_at(dir_fd >= 0 ? dir_fd : AT_FDCWD, f->path, &k->stamp)) {
                f->unchanged = true;
                return;
        }
        f->result = account_config_load_at(dir_fd >= 0 ? dir_fd : AT_FDCWD, f->path, f->provisioned, &f->config, &f->diagnostics);
        /* What the daemon keeps of the account: one block, rather than a block per string. Packed here, off
         * the loop. */
        if (f->result >= 0) {
                AccountConfig *packed = account_config_pack(f->config);

                if (packed) {
                        account_config_free(f->config);
                        f->config = packed;
                }
        }
}

/* The files are read by a few threads at once: most of a file's cost is four system calls (open, fstat,
 * read, close), which wait on the kernel, not on each other. */
#define SCAN_THREADS_MAX 4U
/* Below this many files a thread costs more than it saves. */
#define SCAN_FILES_PER_THREAD_MIN 256U

typedef struct ScanPart {
        AccountScan *scan;
        int system_fd, user_fd;
        unsigned first, step;   /* files first, first + step, ... */
} ScanPart;

static void *scan_part(void *p) {
        ScanPart *part = p;
        GPtrArray *files = part->scan->files;

        for (unsigned k = part->first; k < files->len; k += part->step) {
                ScannedFile *f = g_ptr_array_index(files, k);

                scan_file(part->scan, f->provisioned ? part->system_fd : part->user_fd, f);
        }
        return NULL;
}

static unsigned scan_threads(unsigned n_files) {
        cpu_set_t cpus;
        unsigned n = 1;

        if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
                n = (unsigned) CPU_COUNT(&cpus);
        n = MIN(n, SCAN_THREADS_MAX);
        n = MIN(n, n_files / SCAN_FILES_PER_THREAD_MIN);
        return MAX(n, 1U);
}

void account_scan_run(AccountScan *s) {
        g_autoptr(GHashTable) files = NULL;
        _cleanup_close_ int system_fd = -1, user_fd = -1;
        pthread_t threads[SCAN_THREADS_MAX];
        ScanPart parts[SCAN_THREADS_MAX];
        GHashTableIter i;
        ScannedFile *f;
        unsigned n, started = 0;

        files = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, scanned_file_free);
        /* The administrator's first: a user's file of the same name takes its place. */
        system_fd = collect_files(s->system_dir, true, files, &s->system);
        user_fd = collect_files(s->user_dir, false, files, &s->user);
        /* Nothing in a directory others may write to is ours to trust: every account goes, the
         * administrator's too, as a file there could replace any of them. */
        if (s->user.refused && !s->user.unreadable)
                g_hash_table_remove_all(files);

        g_hash_table_iter_init(&i, files);
        while (g_hash_table_iter_next(&i, NULL, (void **) &f)) {
                g_hash_table_iter_steal(&i);
                g_ptr_array_add(s->files, f);
        }

        /* Each thread fills in its own files; the known table is only read. This thread is part 0. */
        n = scan_threads(s->files->len);
        for (unsigned t = 0; t < n; t++)
                parts[t] = (ScanPart) { .scan = s, .system_fd = system_fd, .user_fd = user_fd, .first = t, .step = n };
        for (unsigned t = 1; t < n; t++) {
                if (pthread_create(&threads[t], NULL, scan_part, &parts[t]) != 0)
                        break;
                started = t;
        }
        /* Files of a part whose thread did not start are read here. */
        for (unsigned t = started + 1; t < n; t++)
                (void) scan_part(&parts[t]);
        (void) scan_part(&parts[0]);
        for (unsigned t = 1; t <= started; t++)
                (void) pthread_join(threads[t], NULL);
}
