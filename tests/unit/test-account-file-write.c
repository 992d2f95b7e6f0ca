/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* account_config_write() and account_config_remove(): what tokenbroker add writes, the loader loads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-file-test.h"

static bool dir_has_temp_files(const char *dir) {
        DIR *dh = opendir(dir);
        struct dirent *de;
        bool found = false;

        if (!dh)
                return false;
        while ((de = readdir(dh)))
                if (startswith(de->d_name, ".#"))
                        found = true;
        closedir(dh);
        return found;
}

static void test_write(void) {
        _cleanup_free_ char *dir = strjoin(tmpdir, "/cfg/tokenbroker/accounts");
        _cleanup_free_ char *parent = strjoin(tmpdir, "/cfg");
        _cleanup_free_ char *path = strjoin(dir, "/work.conf");
        _cleanup_free_ char *before = NULL, *after = NULL;
        char *settings[] = {
                "TokenURL", "https://auth.example.com/oauth/token",
                "ClientID", "work-client",
                "Scopes", "read write",
                "ClientAuth.refresh_token", "none",
                "ExtraParams", "audience=https://api.example.com;note=two words",
                "Hosts", "https://git.example.com/*",
                "GitUsername", " leading space",
                NULL,
        };
        AccountConfig *a = NULL;
        char **d = NULL;
        struct stat st;

        is_int(account_config_write(dir, "work", settings, false, &d), 0, "write creates the account");
        is_int(strv_length(d), 0, "without diagnostics");
        ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "file is 0600");
        ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700, "directory is 0700");
        ok(stat(parent, &st) == 0 && (st.st_mode & 07777) == 0700, "created parents are 0700");

        is_int(account_config_load(path, &a, &d), 0, "written file loads");
        if (a) {
                is_str(a->name, "work", "name");
                is_str(a->token_url, "https://auth.example.com/oauth/token", "TokenURL round trip");
                is_str(a->scopes, "read write", "Scopes round trip");
                is_int(account_config_client_auth(a, GRANT_REFRESH_TOKEN), CLIENT_AUTH_NONE,
                       "per-grant ClientAuth round trip");
                is_int(strv_length(a->extra_params), 4, "ExtraParams round trip");
                if (strv_length(a->extra_params) == 4)
                        is_str(a->extra_params[3], "two words", "ExtraParams value with a space");
                is_str(a->git_username, " leading space", "leading space is kept through escaping");
        }
        a = account_config_free(a);

        is_int(account_config_write(dir, "work", settings, false, &d), -EEXIST, "no replace: -EEXIST");

        before = read_file(path);
        {
                char *bad[] = { "TokenURL", "http://auth.example.com/token", "ClientID", "x", NULL };
                is_int(account_config_write(dir, "work", bad, true, &d), -EUCLEAN, "invalid settings refused");
                ok(diag_has(d, "TokenURL: must use https://"), "diagnostic names the key, without file and line");
                d = strv_free(d);
        }
        after = read_file(path);
        is_str(after, before, "old file is intact after a refused write");
        ok(!dir_has_temp_files(dir), "no temporary file left behind");
        after = mfree_str(after);

        {
                char *secret[] = { "TokenURL", "https://x.example.com", "ClientID", "x", "ClientSecret", "s3cr3t",
                                   NULL };
                is_int(account_config_write(dir, "work", secret, true, &d), -EINVAL, "secret key refused");
                ok(diag_has(d, "ClientSecret: secrets do not belong"), "secret key diagnostic");
                ok(diag_contains(d, "tokenbroker set-secret"), "points to set-secret");
                ok(!diag_contains(d, "s3cr3t"), "does not repeat the secret");
                d = strv_free(d);

                char *pw[] = { "password", "x", NULL };
                is_int(account_config_write(dir, "work", pw, true, &d), -EINVAL, "Password in any case refused");
                d = strv_free(d);

                char *unknown[] = { "TokenURL", "https://x.example.com", "Colour", "blue", NULL };
                is_int(account_config_write(dir, "work", unknown, true, &d), -EINVAL, "unknown key refused");
                ok(diag_has(d, "Colour: unknown key"), "unknown key diagnostic");
                d = strv_free(d);

                char *dup[] = { "ClientID", "a", "ClientID", "b", NULL };
                is_int(account_config_write(dir, "work", dup, true, &d), -EINVAL, "repeated key refused");
                d = strv_free(d);

                is_int(account_config_write(dir, "../evil", settings, true, &d), -EINVAL, "bad name refused");
                d = strv_free(d);
        }
        after = read_file(path);
        is_str(after, before, "old file still intact");
        after = mfree_str(after);

        {
                char *next[] = { "TokenURL", "https://other.example.com/token", "ClientID", "new", NULL };
                is_int(account_config_write(dir, "work", next, true, &d), 0, "replace writes");
                is_int(account_config_load(path, &a, &d), 0, "replaced file loads");
                is_str(a ? a->client_id : NULL, "new", "replaced content");
                ok(a && !a->scopes, "keys not given are gone");
                a = account_config_free(a);
        }

        {
                /* A write that fails after validation, as on a full disk: the file size limit makes write()
                 * fail with EFBIG half-way (SIGXFSZ ignored), for root as well. */
                struct rlimit old_limit, small = { .rlim_cur = 16 };

                before = mfree_str(before);
                before = read_file(path);
                (void) signal(SIGXFSZ, SIG_IGN);
                ok(getrlimit(RLIMIT_FSIZE, &old_limit) == 0, "file size limit read");
                small.rlim_max = old_limit.rlim_max;
                ok(setrlimit(RLIMIT_FSIZE, &small) == 0, "file size limited to 16 bytes");
                is_int(account_config_write(dir, "work", settings, true, &d), -EFBIG, "failing write: error");
                (void) setrlimit(RLIMIT_FSIZE, &old_limit);
                after = read_file(path);
                is_str(after, before, "failing write keeps the old file");
                ok(!dir_has_temp_files(dir), "failing write removed its temporary file");
                after = mfree_str(after);
        }

        is_int(account_config_remove(dir, "work"), 0, "remove");
        ok(access(path, F_OK) < 0 && errno == ENOENT, "file gone");
        is_int(account_config_remove(dir, "work"), -ENOENT, "second remove: -ENOENT");
        is_int(account_config_remove(dir, "../x"), -EINVAL, "remove with a bad name: -EINVAL");
        strv_free(d);
}

/* What the writer writes, the loader loads: a file over the loader's 64 KiB (a 30 MB ClientID was once written)
 * is refused before anything is written. Both sides of the limit. */
static void test_write_limits(void) {
        _cleanup_free_ char *dir = strjoin(tmpdir, "/limits"), *path = strjoin(tmpdir, "/limits/big.conf");
        _cleanup_free_ char *id = NULL;
        const size_t huge = 30 * 1024 * 1024;
        char *settings[] = { "TokenURL", "https://auth.example.com/token", "ClientID", NULL, NULL };
        AccountConfig *a = NULL;
        char **d = NULL;
        struct stat st;
        size_t base, fit;

        assert(dir && path);
        id = malloc(huge + 1);
        assert(id);

        /* How much of the file is not the ClientID. */
        settings[3] = "x";
        is_int(account_config_write(dir, "big", settings, true, &d), 0, "a small account is written");
        ok(stat(path, &st) == 0, "... its file");
        base = (size_t) st.st_size - 1;
        fit = 64 * 1024 - base;

        memset(id, 'x', fit);
        id[fit] = 0;
        settings[3] = id;
        is_int(account_config_write(dir, "big", settings, true, &d), 0, "a file of exactly 64 KiB is written");
        ok(stat(path, &st) == 0 && st.st_size == 64 * 1024, "... 65536 bytes");
        is_int(account_config_load(path, &a, &d), 0, "... and loads");
        is_int(a ? strlen(a->client_id) : 0, fit, "... with the whole ClientID");
        a = account_config_free(a);
        d = strv_free(d);

        id[fit] = 'x';
        id[fit + 1] = 0;
        is_int(account_config_write(dir, "big", settings, true, &d), -EUCLEAN, "one byte more is refused");
        ok(diag_has(d, "larger than 65536 bytes"), "... saying so");
        ok(stat(path, &st) == 0 && st.st_size == 64 * 1024, "... and the old file is left as it was");
        ok(!dir_has_temp_files(dir), "... with no temporary file");
        d = strv_free(d);

        ok(account_config_remove(dir, "big") == 0, "removed");
        memset(id, 'x', huge);
        id[huge] = 0;
        is_int(account_config_write(dir, "big", settings, false, &d), -EUCLEAN, "a 30 MB ClientID is refused");
        ok(diag_has(d, "larger than 65536 bytes"), "... saying why");
        ok(access(path, F_OK) < 0 && errno == ENOENT, "... and nothing is written");
        strv_free(d);
}

static void test_dir(void) {
        _cleanup_free_ char *x = NULL, *y = NULL;

        setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
        x = account_config_dir();
        is_str(x, "/xdg/config/tokenbroker/accounts", "dir under XDG_CONFIG_HOME");
        setenv("XDG_CONFIG_HOME", "relative", 1);
        setenv("HOME", "/home/u", 1);
        y = account_config_dir();
        is_str(y, "/home/u/.config/tokenbroker/accounts", "relative XDG_CONFIG_HOME ignored: under HOME");
}

int main(void) {
        _cleanup_free_ char *cmd = NULL;

        umask(022);
        if (!mkdtemp(tmpdir))
                return 99;

        test_write();
        test_write_limits();
        test_dir();

        cmd = strjoin("rm -rf '", tmpdir, "'");
        (void) system(cmd);
        return tap_done();
}
