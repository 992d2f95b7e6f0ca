/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What test-account-file.c (loading) and test-account-file-write.c (writing) share. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-file.h"
#include "alloc-util.h"
#include "string-util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test-account-file.XXXXXX";

static inline char *mfree_str(char *s) {
        free(s);
        return NULL;
}

/* True if one diagnostic starts with `prefix`; prints them all otherwise, to make a failure readable. */
static inline bool diag_has(char **diags, const char *prefix) {
        STRV_FOREACH(d, diags)
                if (startswith(*d, prefix))
                        return true;
        tap_diag("no diagnostic starts with \"%s\"; got:", prefix);
        STRV_FOREACH(d, diags)
                tap_diag("  %s", *d);
        return false;
}

static inline bool diag_contains(char **diags, const char *needle) {
        STRV_FOREACH(d, diags)
                if (strstr(*d, needle))
                        return true;
        return false;
}

static inline int load_text(const char *text, AccountConfig **ret, char ***diags) {
        return account_config_load_data("t.conf", text, strlen(text), ret, diags);
}

static inline char *write_file(const char *name, const char *text, mode_t mode) {
        char *path = strjoin(tmpdir, "/", name);
        FILE *f;

        assert(path);
        (void) unlink(path);
        f = fopen(path, "we");
        assert(f);
        fputs(text, f);
        fclose(f);
        assert(chmod(path, mode) == 0);
        return path;
}

static inline char *read_file(const char *path) {
        char buf[4096];
        size_t n;
        FILE *f = fopen(path, "re");

        if (!f)
                return NULL;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        return strdup(buf);
}

#define MINIMAL "[Account]\nTokenURL=https://auth.example.com/token\nClientID=cid\n"
