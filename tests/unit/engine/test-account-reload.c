/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A reload that reads the account folders on a thread (engine_reload_accounts()): cached tokens are served
 * while it reads, what it found is served all at once when it ends, a reload asked for meanwhile waits for
 * the next one, a change made on the loop meanwhile makes it read again rather than undo that change, an
 * engine that ends first tells its callers, and the callers waiting for the next reload are bounded. The
 * thread is fake-io.c's: its work and its end happen when the test says, so every order below is the one
 * tested, however busy the machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker-core.h"
#include "engine-fixture.h"
#include "string-util.h"
#include "tap.h"
#include "time-util.h"
#include "token-fetch.h"

#define ME CALLER(geteuid(), "/usr/bin/tokenbroker")
#define CACHED (&(TokenQuery) { .min_validity = UINT32_MAX })

typedef struct Reloaded {
        unsigned calls;
        int r;
} Reloaded;

static void note_reloaded(int r, void *userdata) {
        Reloaded *x = userdata;

        x->calls++;
        x->r = r;
}

static void write_account(const char *name, const char *client_id) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s.conf", engine.config_dir, name);
        f = fopen(path, "we");
        if (!f)
                abort();
        fprintf(f, "[Account]\nTokenURL=https://auth.example/token\nClientID=%s\nClientAuth=post\n", client_id);
        fclose(f);
        if (chmod(path, 0600) < 0)
                abort();
}

static void remove_account_file(const char *name) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s.conf", engine.config_dir, name);
        (void) unlink(path);
}

static void test_hits_while_reading(void) {
        Reloaded first = {}, second = {};
        Failure f = {};
        Answer x = {};
        TokenEntry *e = NULL;
        unsigned changed;
        char *body;

        fixture_setup();
        write_account("one", "one-client");
        is_int(engine_load_accounts(&engine), 1, "one account loads");
        fake_keyring_put("one", "client-secret", "s3cret");
        (void) broker_token_lookup(&engine, ME, "one", CACHED, &e, &f);
        (void) token_fetch_start(e, fixture_note_answer, &x);
        (void) fake_keyring_run();
        body = token_json("tok-one", 3600, NULL);
        fake_http_answer(200, body, -1);
        free(body);
        ok(streq_ptr(x.token, "tok-one"), "its token is fetched and cached");

        write_account("two", "two-client");
        changed = events.accounts_changed;
        is_int(engine_reload_accounts(&engine, note_reloaded, &first), 0, "a reload starts");
        is_int(fake_io_jobs_pending(), 1, "... on a thread of its own");
        (void) fake_io_jobs_work();
        is_int(first.calls, 0, "... and its caller waits while it reads");
        ok(!engine_account(&engine, "two"), "what it read is not served before it ends");

        /* The point of the thread: a cache hit meanwhile is answered at once, without a request. */
        e = NULL;
        is_int(broker_token_lookup(&engine, ME, "one", CACHED, &e, &f), 1,
               "a cached token is handed out while the reload runs");
        ok(e && streq_ptr(e->access_token, "tok-one"), "... the one cached");
        is_int(fake_http_pending(), 0, "... with no request");

        is_int(engine_reload_accounts(&engine, note_reloaded, &second), 0, "a second reload meanwhile is taken");
        is_int(fake_io_jobs_run(), 1, "the first one ends");
        is_int(first.calls, 1, "its caller hears once");
        is_int(first.r, 2, "... that two accounts are served");
        ok(engine_account(&engine, "two") != NULL, "the new account is served");
        is_int(events.accounts_changed, changed + 1, "... with one AccountsChanged event");
        is_int(second.calls, 0, "the second caller waits for a reload that started after it asked");
        is_int(fake_io_jobs_pending(), 1, "... which runs now");
        remove_account_file("two");
        is_int(fake_io_jobs_run(), 1, "it ends");
        ok(second.calls == 1 && second.r == 1, "... and sees the file removed after the first one read");
        ok(!engine_account(&engine, "two"), "the removed account is gone");
        e = NULL;
        is_int(broker_token_lookup(&engine, ME, "one", CACHED, &e, &f), 1, "the unchanged account keeps its token");

        answer_clear(&x);
        failure_clear(&f);
        fixture_teardown();
}

/* A client flooding Reload: the callers waiting for the next reload are bounded; the next reload still runs,
 * and everyone who waits hears of it. */
static void test_flood(void) {
        static Reloaded waiting[ENGINE_RELOAD_WAITERS_MAX];
        Reloaded first = {}, refused = {};
        unsigned told = 0;

        fixture_setup();
        write_account("one", "one-client");
        is_int(engine_reload_accounts(&engine, note_reloaded, &first), 0, "a reload starts");
        for (unsigned k = 0; k < ENGINE_RELOAD_WAITERS_MAX; k++)
                if (engine_reload_accounts(&engine, note_reloaded, &waiting[k]) < 0)
                        break;
        is_int(engine_reload_accounts(&engine, note_reloaded, &refused), -EBUSY,
               "with %u callers waiting for the next reload, one more is refused: EBUSY", ENGINE_RELOAD_WAITERS_MAX);
        is_int(engine_reload_accounts(&engine, NULL, NULL), 0, "... a reload that nobody waits for is not");
        is_int(fake_io_jobs_run(), 1, "the first reload ends");
        is_int(fake_io_jobs_run(), 1, "the next one runs");
        for (unsigned k = 0; k < ENGINE_RELOAD_WAITERS_MAX; k++)
                told += waiting[k].calls == 1 && waiting[k].r == 1;
        is_int(told, ENGINE_RELOAD_WAITERS_MAX, "... and every caller that waited hears of it once");
        is_int(refused.calls, 0, "the refused one hears nothing more");
        is_int(fake_io_jobs_pending(), 0, "no third reload");
        fixture_teardown();
}

/* An account added on the loop after the thread read the folder (as AddAccount does) is not undone by what
 * the thread found: the reload reads again. */
static void test_change_meanwhile(void) {
        Reloaded r = {};

        fixture_setup();
        write_account("one", "one-client");
        (void) engine_load_accounts(&engine);
        is_int(engine_reload_accounts(&engine, note_reloaded, &r), 0, "a reload starts");
        (void) fake_io_jobs_work();
        write_account("late", "late-client");
        is_int(engine_load_accounts(&engine), 2, "an account is added on the loop after it read the folder");
        is_int(fake_io_jobs_run(), 1, "the reload ends");
        ok(engine_account(&engine, "late") != NULL, "... and does not take away what it did not see");
        is_int(r.calls, 0, "... its caller waits for the folder read again");
        is_int(fake_io_jobs_run(), 1, "the second read ends");
        ok(r.calls == 1 && r.r == 2, "the caller hears of both accounts");
        fixture_teardown();
}

/* A changed file is read again, a broken one keeps the account as it was: the same rules as on the loop. */
static void test_changed_file(void) {
        Reloaded r = {};
        char path[512];
        FILE *f;

        fixture_setup();
        write_account("one", "old-client");
        (void) engine_load_accounts(&engine);
        write_account("one", "new-client-id");
        (void) engine_reload_accounts(&engine, note_reloaded, &r);
        (void) fake_io_jobs_run();
        ok(streq_ptr(engine_account(&engine, "one")->config->client_id, "new-client-id"),
           "a changed file is read again");
        snprintf(path, sizeof(path), "%s/one.conf", engine.config_dir);
        f = fopen(path, "we");
        if (!f)
                abort();
        fputs("[Account]\nTokenURL=http://plain.example/token\n", f);
        fclose(f);
        (void) engine_reload_accounts(&engine, note_reloaded, &r);
        (void) fake_io_jobs_run();
        ok(engine_account(&engine, "one") && streq_ptr(engine_account(&engine, "one")->config->client_id,
                                                       "new-client-id"),
           "a file broken by an edit keeps the account as it was");
        ok(r.calls == 2 && r.r == 1, "... and it counts as served");
        fixture_teardown();
}

static void test_end_first(void) {
        Reloaded r = {}, later = {};

        fixture_setup();
        (void) engine_reload_accounts(&engine, note_reloaded, &r);
        (void) engine_reload_accounts(&engine, note_reloaded, &later);
        fixture_teardown();
        ok(r.calls == 1 && r.r == -ECANCELED, "an engine that ends during a reload tells its caller");
        ok(later.calls == 1 && later.r == -ECANCELED, "... and the one waiting for the next");
}

int main(void) {
        test_flood();
        test_hits_while_reading();
        test_change_meanwhile();
        test_changed_file();
        test_end_first();
        return tap_done();
}
