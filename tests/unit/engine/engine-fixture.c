/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account-file.h"
#include "account-index.h"
#include "engine-fixture.h"
#include "io.h"
#include "string-util.h"

Engine engine;
EventLog events;
static unsigned answered;

static void on_token_refreshed(void *userdata, const char *account, int64_t expires_at) {
        events.token_refreshed++;
        events.last_expires_at = expires_at;
}

static void on_login_required(void *userdata, const char *account) {
        events.login_required++;
}

static void on_accounts_changed(void *userdata) {
        events.accounts_changed++;
}

static const EngineEvents fixture_events = {
        .token_refreshed = on_token_refreshed,
        .login_required = on_login_required,
        .accounts_changed = on_accounts_changed,
};

static void remove_dir(const char *path) {
        DIR *d = opendir(path);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                char *p;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&p, "%s/%s", path, de->d_name) >= 0) {
                        (void) unlink(p);
                        free(p);
                }
        }
        if (d)
                closedir(d);
        (void) rmdir(path);
}

static int test_check_user(const Caller *c, Failure *f) {
        return caller_check_uid(((const TestCaller *) c)->uid, "a test caller", f);
}

static char *test_executable(const Caller *c) {
        const char *exe = ((const TestCaller *) c)->exe;

        return exe ? strdup(exe) : NULL;
}

const CallerOps fixture_caller_ops = { .check_user = test_check_user, .executable = test_executable };

void fixture_setup(void) {
        fake_io_reset();
        memset(&engine, 0, sizeof(engine));
        memset(&events, 0, sizeof(events));
        answered = 0;
        (void) engine_init(&engine);
        engine.events = &fixture_events;
        engine.config_dir = strdup("/tmp/tb-engine-test.XXXXXX");
        if (!engine.config_dir || !mkdtemp(engine.config_dir))
                abort();
}

void fixture_teardown(void) {
        remove_dir(engine.config_dir);
        engine_done(&engine);
        fake_io_reset();
}

Account *fixture_account(const char *name, const char *settings) {
        char path[256], *text = NULL;
        AccountConfig *c = NULL;
        Account *a = NULL;
        char **diagnostics = NULL;

        snprintf(path, sizeof(path), "/fake/accounts/%s.conf", name);
        if (asprintf(&text, "[Account]\n%s\n", settings) < 0)
                abort();
        if (account_config_load_data(path, text, strlen(text), &c, &diagnostics) < 0) {
                for (char **d = diagnostics; d && *d; d++)
                        fprintf(stderr, "# %s\n", *d);
                abort();
        }
        strv_free(diagnostics);
        free(text);
        if (account_new(&engine, c, &a) < 0)
                abort();
        g_hash_table_insert(engine.accounts, a->config->name, a);
        account_index_invalidate(&engine);      /* as a reload does */
        return a;
}

void fixture_note_answer(void *subject, int error, const char *message, void *userdata) {
        Answer *x = userdata;
        TokenEntry *e = subject;

        x->calls++;
        x->order = ++answered;
        x->error = error;
        free(x->message);
        x->message = message ? strdup(message) : NULL;
        free(x->token);
        x->token = NULL;
        /* error 0 promises a token to hand out; anything else may come with an entry being freed. */
        if (error >= 0 && e && e->access_token) {
                x->token = strdup(e->access_token);
                x->left_usec = (int64_t) e->expires_usec - (int64_t) io_now(CLOCK_REALTIME);
        }
        if (x->account) {
                const char *rt = fake_keyring_get(x->account, "refresh-token");

                free(x->keyring_rt);
                x->keyring_rt = rt ? strdup(rt) : NULL;
        }
}

void answer_clear(Answer *a) {
        free(a->message);
        free(a->token);
        free(a->keyring_rt);
        memset(a, 0, sizeof(*a));
}

char *token_json(const char *access_token, int expires_in, const char *refresh_token) {
        char *s;

        if (asprintf(&s, "{\"access_token\": \"%s\", \"token_type\": \"Bearer\", \"expires_in\": %d%s%s%s}",
                     access_token, expires_in, refresh_token ? ", \"refresh_token\": \"" : "",
                     refresh_token ?: "", refresh_token ? "\"" : "") < 0)
                abort();
        return s;
}
