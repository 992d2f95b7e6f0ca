/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The example account files that are installed to the documentation load with the daemon's own parser,
 * without a single warning, and each names the provider its file is about. The files an example names for
 * the user to provide (ClientCertFile=, a certificate only they have) stand for a file of the test's own,
 * since the parser checks that they exist. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A private file that an example's file names are made to point to, or NULL. */
static char *stand_in;

/* The example with the value of every ClientCertFile=, ClientKeyFile= and CAFile= line replaced by
 * stand_in. */
static char *with_stand_in(const char *data, size_t *size) {
        static const char *const keys[] = { "ClientCertFile=", "ClientKeyFile=", "CAFile=" };
        _cleanup_free_ char *out = strdup("");

        for (const char *line = data, *next; out && *line; line = next) {
                size_t n = strcspn(line, "\n");
                const char *key = NULL;
                char *joined;

                next = line + n + (line[n] == '\n');
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (startswith(line, keys[i]))
                                key = keys[i];
                if (key)
                        joined = strjoin(out, key, stand_in, "\n");
                else {
                        _cleanup_free_ char *copy = strndup(line, next - line);
                        joined = copy ? strjoin(out, copy) : NULL;
                }
                free(out);
                out = joined;
        }
        if (out)
                *size = strlen(out);
        return TAKE_PTR(out);
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
        if (stand_in) {
                char *replaced = with_stand_in(data, &size);

                free(data);
                data = replaced;
                if (!ok(data, "%s: its file names stand for a file of the test's", file))
                        return;
        }

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

        char tmpl[] = "/tmp/tokenbroker-example-XXXXXX";
        int fd = mkstemp(tmpl);

        if (fd >= 0) {
                (void) close(fd);
                stand_in = tmpl;        /* mode 0600, as a key file must be */
        }
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
        if (stand_in)
                (void) unlink(stand_in);
        return tap_done();
}
