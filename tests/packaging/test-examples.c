/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The example account files that are installed to the documentation load with the daemon's own parser,
 * without a single warning, and each names the provider its file is about. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account-file.h"
#include "alloc-util.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"

static char *read_all(const char *path, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = fopen(path, "re");
        if (!f)
                return NULL;
        buf = malloc(64 * 1024);
        if (buf)
                size = fread(buf, 1, 64 * 1024 - 1, f);
        fclose(f);
        if (!buf)
                return NULL;
        buf[size] = 0;
        *ret_size = size;
        return TAKE_PTR(buf);
}

static void check_example(const char *dir, const char *file) {
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        _cleanup_strv_free_ char **diagnostics = NULL;
        _cleanup_free_ char *path = NULL, *data = NULL, *want_provider = NULL;
        size_t size = 0;
        int r;

        path = strjoin(dir, "/", file);
        ok(path && (data = read_all(path, &size)), "%s: readable", file);
        if (!data)
                return;

        r = account_config_load_data(path, data, size, &a, &diagnostics);
        if (!ok(r >= 0 && a, "%s: loads", file))
                tap_diag("  error %d: %s", r, strerror(-r));
        if (!is_int(strv_length(diagnostics), 0, "%s: no diagnostics", file))
                for (char **d = diagnostics; d && *d; d++)
                        tap_diag("  %s", *d);
        if (!a)
                return;

        /* flaik.conf is about Provider=flaik; generic-oidc.conf about Provider=generic. */
        want_provider = strndup(file, strcspn(file, "-."));
        is_str(a->provider, want_provider, "%s: Provider= matches the file name", file);
        ok(a->token_url || a->issuer, "%s: has a token endpoint or an issuer to discover it", file);
        ok(a->client_id && !strstr(a->client_id, " "), "%s: has a client id", file);
}

int main(void) {
        _cleanup_free_ char *dir = NULL;
        const char *srcdir = getenv("abs_top_srcdir");
        struct dirent *de;
        unsigned n = 0;
        DIR *d;

        dir = strjoin(srcdir ?: ".", "/packaging/examples");
        d = dir ? opendir(dir) : NULL;
        if (!ok(d, "the examples directory exists"))
                return tap_done();
        while ((de = readdir(d))) {
                if (!endswith(de->d_name, ".conf"))
                        continue;
                check_example(dir, de->d_name);
                n++;
        }
        closedir(d);
        ok(n >= 6, "six examples at least (%u)", n);
        return tap_done();
}
