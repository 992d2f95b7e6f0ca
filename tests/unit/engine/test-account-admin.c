/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Account administration in the engine (engine/account-admin.c): adding writes and loads the file, a secret
 * reaches memory only once the keyring has it, and removal deletes secrets before the file, keeps the
 * account when the keyring refuses, and fails the account's waiting callers. On fake I/O (fake-io.h) with
 * a real accounts directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account-admin.h"
#include "engine-fixture.h"
#include "string-util.h"
#include "tap.h"
#include "token-fetch.h"

typedef struct Done {
        unsigned calls;
        int error;
        char *message;
} Done;

static void note_done(int error, const char *message, void *userdata) {
        Done *d = userdata;

        d->calls++;
        d->error = error;
        free(d->message);
        d->message = message ? strdup(message) : NULL;
}

static void done_clear(Done *d) {
        free(d->message);
        memset(d, 0, sizeof(*d));
}

static bool file_exists(const char *name) {
        char path[512];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s.conf", engine.config_dir, name);
        return stat(path, &st) == 0;
}

static char **settings(void) {
        static char *s[] = { "TokenURL", "https://auth.example/token", "ClientID", "c1", NULL };
        return s;
}

/* account_add() with its reload run to the end (the fake I/O's jobs): the caller's answer. */
static int add_and_load(const char *name, char **values, bool replace, Done *d, Failure *f) {
        int r = account_add(&engine, name, values, replace, note_done, d, f);

        while (fake_io_jobs_run() > 0)
                ;
        return r;
}

static void test_add(void) {
        Failure f = {};
        Done d = {};
        static char *bad[] = { "TokenURL", "ftp://auth.example/token", "ClientID", "c1", NULL };

        fixture_setup();
        is_int(add_and_load("hit", settings(), false, &d, &f), 0, "a first account is added");
        ok(d.calls == 1 && engine_account(&engine, "hit"), "... and served when its caller hears");
        done_clear(&d);
        events.accounts_changed = 0;
        is_int(account_add(&engine, "work", settings(), false, note_done, &d, &f), 0, "an account is added");
        ok(file_exists("work"), "... its file is written");
        is_int(fake_io_jobs_pending(), 1, "... and the files are read again on a thread");
        is_int(d.calls, 0, "... the caller answered only once they are loaded");
        ok(engine_account(&engine, "hit") != NULL, "... other accounts served meanwhile");
        is_int(fake_io_jobs_run(), 1, "the reload ends");
        is_int(d.calls, 1, "... and the caller hears once");
        is_int(d.error, 0, "... that it worked");
        ok(engine_account(&engine, "work") != NULL, "... with the account served by then");
        is_int(events.accounts_changed, 1, "... and one AccountsChanged event");
        done_clear(&d);

        /* One reload in flight read the folder before the file was written: the caller waits for the next. */
        ok(engine_reload_accounts(&engine, NULL, NULL) >= 0 && fake_io_jobs_work() == 1,
           "a reload has read the folder");
        is_int(account_add(&engine, "late", settings(), false, note_done, &d, &f), 0,
               "an account added after that");
        is_int(fake_io_jobs_run(), 1, "the reload in flight ends");
        ok(d.calls == 0 && !engine_account(&engine, "late"), "... without it, and the caller still waits");
        is_int(fake_io_jobs_run(), 1, "the next reload ends");
        ok(d.calls == 1 && d.error == 0 && engine_account(&engine, "late"), "... serving it, and the caller hears");
        done_clear(&d);

        is_int(add_and_load("work", settings(), false, &d, &f), -EEXIST, "adding it again: EEXIST");
        ok(f.message && strstr(f.message, "exists already"), "... saying so");
        is_int(d.calls, 0, "... with no answer through the callback");
        failure_clear(&f);
        is_int(add_and_load("work", settings(), true, &d, &f), 0, "... unless it is to be replaced");
        is_int(d.calls, 1, "... answered once");
        done_clear(&d);
        ok(add_and_load("../evil", settings(), false, &d, &f) == -EINVAL, "a name with a slash: InvalidArgs");
        failure_clear(&f);
        ok(add_and_load("bad", bad, false, &d, &f) < 0, "a bad value is refused");
        ok(f.message && strstr(f.message, "TokenURL"), "... naming the key (%s)", f.message ?: "");
        ok(!file_exists("bad"), "... and nothing is written");
        is_int(d.calls, 0, "... nor answered through the callback");
        failure_clear(&f);

        /* The engine ends before the reload does: the caller hears that, and that the file is written. */
        is_int(account_add(&engine, "ending", settings(), false, note_done, &d, &f), 0, "an account added");
        engine_reload_cancel(&engine);
        is_int(d.error, -ECANCELED, "the engine ending first: the caller hears ECANCELED");
        ok(d.message && strstr(d.message, "its file is written, but the accounts could not be loaded again"),
           "... saying the file is written (%s)", strna(d.message));
        done_clear(&d);
        fixture_teardown();
}

static void test_store_secret(void) {
        Failure f = {};
        Done d = {};
        Account *a;

        fixture_setup();
        a = fixture_account("work", "TokenURL=https://auth.example/token\nClientID=c1");
        a->secrets_state = SECRETS_LOADED;
        is_int(account_store_secret(&engine, "work", "client-secret", "new-secret", 10, note_done, &d, &f), 0,
               "a secret is accepted");
        ok(!a->client_secret, "... not in memory before the keyring has it");
        (void) fake_keyring_run();
        is_int(d.calls, 1, "the caller hears once the keyring stored it");
        is_int(d.error, 0, "... that it worked");
        is_str(fake_keyring_get("work", "client-secret"), "new-secret", "the keyring holds it");
        is_str(a->client_secret, "new-secret", "... and so does memory");
        done_clear(&d);

        is_int(account_store_secret(&engine, "work", "cookie", "x", 1, note_done, &d, &f), -EINVAL,
               "an unknown kind is refused");
        failure_clear(&f);
        is_int(account_store_secret(&engine, "work", "password", "a\nb", 3, note_done, &d, &f), -EINVAL,
               "a value with a newline is refused");
        failure_clear(&f);
        is_int(fake_keyring_pending(), 0, "... neither reaches the keyring");

        fake_keyring_set_mode(FAKE_KEYRING_LOCKED);
        (void) account_store_secret(&engine, "work", "password", "pw", 2, note_done, &d, &f);
        (void) fake_keyring_run();
        is_int(d.error, -ENOLCK, "a locked keyring: the caller hears ENOLCK");
        ok(d.message && strstr(d.message, "Cannot store the secret: The keyring is locked"), "... saying so");
        ok(!a->password, "... and memory is unchanged");
        done_clear(&d);
        fixture_teardown();
}

static void test_remove(void) {
        Failure f = {};
        Answer x = {};
        Done d = {};

        fixture_setup();
        (void) add_and_load("work", settings(), false, &d, &f);
        done_clear(&d);
        fake_keyring_put("work", "client-secret", "s3cret");
        fake_keyring_put("other", "client-secret", "keep");

        fake_keyring_set_mode(FAKE_KEYRING_LOCKED);
        (void) account_remove(&engine, "work", note_done, &d, &f);
        while (fake_keyring_run() > 0)
                ;
        is_int(fake_http_started(), 0, "an account without a revocation endpoint: nothing to revoke upstream");
        is_int(d.calls, 1, "a locked keyring: the removal ends once");
        is_int(d.error, -ENOLCK, "... failing");
        ok(file_exists("work") && engine_account(&engine, "work"), "... and the account stays, secrets and all");
        is_str(fake_keyring_get("work", "client-secret"), "s3cret", "... in the keyring too");
        done_clear(&d);

        fake_keyring_set_mode(FAKE_KEYRING_OPEN);
        events.accounts_changed = 0;
        /* A caller is waiting for the account's token when it goes. */
        (void) token_fetch_start(account_get_entry(engine_account(&engine, "work"), "", true), fixture_note_answer, &x);
        (void) account_remove(&engine, "work", note_done, &d, &f);
        while (fake_keyring_run() > 0)
                ;
        is_int(d.calls, 1, "the removal ends once");
        is_int(d.error, 0, "... and works");
        ok(!fake_keyring_get("work", "client-secret"), "its secrets are gone from the keyring");
        is_str(fake_keyring_get("other", "client-secret"), "keep", "... another account's are not");
        ok(!file_exists("work"), "its file is gone");
        ok(!engine_account(&engine, "work"), "... and so is the account");
        is_int(x.error, -ESRCH, "the caller waiting for it hears ESRCH");
        is_int(fake_http_pending(), 0, "... and its request is cancelled");
        is_int(events.accounts_changed, 1, "one AccountsChanged event");
        done_clear(&d);
        answer_clear(&x);
        fixture_teardown();
}

static void write_file(const char *dir, const char *name, const char *client_id, mode_t mode) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
        f = fopen(path, "we");
        if (!f)
                abort();
        fprintf(f, "[Account]\nTokenURL=https://auth.example/token\nClientID=%s\n", client_id);
        fclose(f);
        if (chmod(path, mode) < 0)
                abort();
}

/* The administrator's directory: its accounts load for the user, a user's file of the same name takes the
 * place of one, a file or a directory others may write is refused, and the user cannot remove them. */
static void test_provisioned(void) {
        char sysdir[] = "/tmp/tb-engine-system.XXXXXX";
        Failure f = {};
        Done d = {};
        Account *a;

        fixture_setup();
        if (!mkdtemp(sysdir) || chmod(sysdir, 0755) < 0)
                abort();
        engine.system_config_dir = strdup(sysdir);
        write_file(sysdir, "fleet", "fleet-client", 0644);
        write_file(sysdir, "mine", "admin-client", 0644);
        write_file(sysdir, "loose", "loose-client", 0666);
        write_file(engine.config_dir, "mine", "user-client", 0600);

        is_int(engine_load_accounts(&engine), 2, "the administrator's and the user's accounts load together");
        a = engine_account(&engine, "fleet");
        ok(a && a->config->provisioned, "an account only the administrator has is served, marked provisioned");
        a = engine_account(&engine, "mine");
        ok(a && !a->config->provisioned && streq_ptr(a->config->client_id, "user-client"),
           "a user's file of the same name takes the place of the administrator's");
        ok(!engine_account(&engine, "loose"), "an administrator's file others may write is refused");
        ok(strstr(strempty(engine_refused_reason(&engine, "loose")), "writable by other users") != NULL,
           "... saying why");

        is_int(account_remove(&engine, "fleet", note_done, &d, &f), -EPERM, "a provisioned account cannot be removed");
        ok(f.message && strstr(f.message, "provisioned by the administrator"), "... saying whose it is");
        is_int(d.calls, 0, "... and nothing was started");
        failure_clear(&f);

        /* The user's file goes: the administrator's takes its place again. */
        char path[512];
        snprintf(path, sizeof(path), "%s/mine.conf", engine.config_dir);
        (void) unlink(path);
        (void) engine_load_accounts(&engine);
        a = engine_account(&engine, "mine");
        ok(a && a->config->provisioned && streq_ptr(a->config->client_id, "admin-client"),
           "without the user's file the administrator's account is served again");

        /* A folder that cannot be read now (here: by mode; root reads anyway) keeps its accounts as they
         * were, and says why. */
        if (geteuid() != 0) {
                if (chmod(sysdir, 0) < 0)
                        abort();
                (void) engine_load_accounts(&engine);
                ok(engine_account(&engine, "fleet") != NULL, "an administrator's folder that cannot be read keeps its accounts");
                ok(engine.system_dir_refused && strstr(engine.system_dir_refused, "cannot be read"), "... saying why");
        } else
                tap_diag("root reads a folder of mode 0: its unreadable case is not tried");

        if (chmod(sysdir, 0777) < 0)
                abort();
        is_int(engine_load_accounts(&engine), 0, "an administrator's directory others may write: nothing of it loads");
        ok(engine.system_dir_refused && strstr(engine.system_dir_refused, "writable by other users"),
           "... saying why");
        ok(strstr(strempty(engine_refused_reason(&engine, "fleet")), "writable by other users") != NULL,
           "... also to a caller of one of its accounts");

        snprintf(path, sizeof(path), "%s/fleet.conf", sysdir);
        (void) unlink(path);
        snprintf(path, sizeof(path), "%s/mine.conf", sysdir);
        (void) unlink(path);
        snprintf(path, sizeof(path), "%s/loose.conf", sysdir);
        (void) unlink(path);
        (void) rmdir(sysdir);
        done_clear(&d);
        fixture_teardown();
}

int main(void) {
        test_add();
        test_store_secret();
        test_remove();
        test_provisioned();
        return tap_done();
}
