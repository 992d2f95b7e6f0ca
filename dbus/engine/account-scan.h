/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "account-file.h"

/* What a reload reads: the account folders, and every file in them that changed since it was loaded (a stat
 * for each file, a read and a parse for each changed one). That is the part of a reload that grows with the
 * number of files, and it touches nothing of the engine's: account_scan_run() works on the AccountScan alone,
 * so that it may run on a thread of its own while the loop serves callers. account-load.c makes the scan,
 * tells it what is loaded now, and applies its result on the loop. */

/* What one folder was found to be. */
typedef struct FolderScan {
        char *refused;          /* why the folder is not trusted (its files are not loaded), or NULL */
        char **refused_names;   /* the account names in a refused folder, to say why each is not served */
        bool unreadable;        /* it exists but could not be read now: its accounts stay as they were */
        char *error;            /* what to log about it, or NULL */
} FolderScan;

/* One account file to serve (a user's in place of the administrator's of the same name). */
typedef struct ScannedFile {
        char *name;
        char *path;
        bool provisioned;
        bool unchanged;         /* the very file the account was loaded from: not read again */
        int result;             /* of loading it: 0, or -errno (-EPERM: refused for safety) */
        AccountConfig *config;  /* loaded (result 0, not unchanged) */
        char **diagnostics;
} ScannedFile;

typedef struct AccountScan {
        char *system_dir;       /* NULL or empty: none */
        char *user_dir;
        GHashTable *known;      /* account name -> what is loaded now (account_scan_know()) */

        FolderScan system, user;
        GPtrArray *files;       /* ScannedFile*, after account_scan_run() */
        unsigned churn;         /* files looked at and accounts dropped when it was applied (account-load.c) */
} AccountScan;

AccountScan *account_scan_new(const char *system_dir, const char *user_dir);
AccountScan *account_scan_free(AccountScan *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AccountScan, account_scan_free)

/* Notes that account `name` is loaded from `c`'s file, so that the scan skips that file while it is
 * unchanged (account_config_file_unchanged()). What it needs is copied: the account may go meanwhile. */
int account_scan_know(AccountScan *s, const AccountConfig *c);

/* Reads the folders and the changed files. Uses nothing but `s`: safe on any thread. */
void account_scan_run(AccountScan *s);
