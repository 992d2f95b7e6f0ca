/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The token engine on fake I/O (fake-io.h): single-flight, the margin for short-lived tokens, the background
 * refresh, refresh-token rotation stored before anyone gets the new token, backoff, Retry-After, the fetch
 * budget, a cached token served while the endpoint fails, an account removed during a fetch, and a locked or
 * hung keyring. Time moves only when a test moves it, so none of this depends on how busy the machine is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account-secrets.h"
#include "broker-core.h"
#include "engine-fixture.h"
#include "io.h"
#include "tap.h"
#include "token-fetch.h"

#define SEC USEC_PER_SEC
#define MSEC USEC_PER_MSEC

static const char *const CC = "TokenURL=https://auth.example/token\nClientID=cc-client\nClientAuth=basic\n"
                              "Grant=client_credentials";
static const char *const RT = "TokenURL=https://auth.example/token\nClientID=app\nClientAuth=none\n"
                              "Grant=authorization_code";

static TokenEntry *entry(Account *a) {
        return account_get_entry(a, "", true);
}

static bool body_has(const char *needle) {
        const FakeRequest *r = fake_http_next();

        return r && r->body && strstr(r->body, needle);
}

/* Answers the request waiting with a token. */
static void answer_token(const char *access_token, int expires_in, const char *refresh_token) {
        char *body = token_json(access_token, expires_in, refresh_token);

        fake_http_answer(200, body, -1);
        free(body);
}

/* An account from `settings` with one secret in the keyring, and a fetch of its token started for `x`, its
 * secrets read: the request is on the wire. */
static Account *start_fetch(const char *name, const char *settings, const char *kind, const char *secret, Answer *x) {
        Account *a = fixture_account(name, settings);

        fake_keyring_put(name, kind, secret);
        (void) token_fetch_start(entry(a), fixture_note_answer, x);
        (void) fake_keyring_run();
        return a;
}

/* A client-credentials account holding a token of `lifetime` seconds, fetched now. */
static TokenEntry *cached(Account **ret_account, const char *name, int lifetime) {
        Answer x = {};
        Account *a = start_fetch(name, CC, "client-secret", "s3cret", &x);
        TokenEntry *e = entry(a);

        answer_token("first", lifetime, NULL);
        if (x.error != 0)
                abort();
        answer_clear(&x);
        *ret_account = a;
        return e;
}

static void test_single_flight(void) {
        Answer x[100] = {};
        Account *a;
        TokenEntry *e;
        bool same = true, in_order = true;

        fixture_setup();
        a = fixture_account("cc", CC);
        fake_keyring_put("cc", "client-secret", "s3cret");
        e = entry(a);
        for (unsigned i = 0; i < 100; i++)
                (void) token_fetch_start(e, fixture_note_answer, &x[i]);
        is_int(fake_keyring_pending(), 1, "100 callers of an account whose secrets are not loaded: one keyring read");
        (void) fake_keyring_run();
        is_int(fake_http_pending(), 1, "... then one token request");
        ok(body_has("grant_type=client_credentials"), "... with the client_credentials grant");
        ok(fake_http_next() && fake_http_next()->authorization &&
           strncmp(fake_http_next()->authorization, "Basic ", 6) == 0, "... the secret in HTTP Basic");
        answer_token("tok-1", 3600, NULL);
        for (unsigned i = 0; i < 100; i++) {
                same = same && x[i].calls == 1 && x[i].error == 0 && x[i].token && strcmp(x[i].token, "tok-1") == 0;
                in_order = in_order && x[i].order == i + 1;
        }
        ok(same, "all 100 got the same token, each answered once");
        ok(in_order, "... in the order they asked");
        is_int(fake_http_started(), 1, "exactly one request upstream");
        is_int(events.token_refreshed, 1, "one TokenRefreshed event");
        ok(token_entry_usable(e, 60, io_now(CLOCK_REALTIME)), "the token is cached");
        for (unsigned i = 0; i < 100; i++)
                answer_clear(&x[i]);
        fixture_teardown();
}

static void test_short_token_margin(void) {
        Account *a;
        TokenEntry *e;

        /* A 2-second token: a quarter of its life is half a second, so the one-second floor rules. */
        fixture_setup();
        e = cached(&a, "short", 2);
        fake_clock_advance(900 * MSEC);
        ok(token_entry_usable(e, 60, io_now(CLOCK_REALTIME)), "a 2 s token is handed out with 1.1 s left");
        fake_clock_advance(200 * MSEC);
        ok(!token_entry_usable(e, 60, io_now(CLOCK_REALTIME)), "... not with 0.9 s left (under a second)");
        ok(token_entry_unexpired(e, io_now(CLOCK_REALTIME)) == false, "... not even as a fallback");
        fixture_teardown();

        /* A 10-second token under a 60-second RefreshSkew: usable for three quarters of its life. */
        fixture_setup();
        e = cached(&a, "ten", 10);
        fake_clock_advance(7400 * MSEC);
        ok(token_entry_usable(e, 60, io_now(CLOCK_REALTIME)), "a 10 s token is handed out at 7.4 s");
        fake_clock_advance(200 * MSEC);
        ok(!token_entry_usable(e, 60, io_now(CLOCK_REALTIME)), "... not at 7.6 s");
        ok(token_entry_unexpired(e, io_now(CLOCK_REALTIME)), "... though it still serves while a refresh fails");
        fixture_teardown();
}

static void test_background_refresh(void) {
        Account *a;
        TokenEntry *e;

        /* 100 s token, RefreshSkew 60: usable until 75 s (a quarter left), so renewed at 75 s (no jitter). */
        fixture_setup();
        e = cached(&a, "warm", 100);
        e->last_used = io_now(CLOCK_MONOTONIC);
        fake_clock_advance(74900 * MSEC);
        is_int(fake_http_pending(), 0, "a 100 s token in use: no refresh before 75 s");
        fake_clock_advance(200 * MSEC);
        is_int(fake_http_pending(), 1, "... a refresh at 75 s");
        answer_token("second", 100, NULL);
        ok(e->access_token && strcmp(e->access_token, "second") == 0, "... which replaces the cached token");
        is_int(fake_timers_pending(), 1, "... and schedules the next refresh");
        fixture_teardown();

        fixture_setup();
        e = cached(&a, "idle", 100);
        e->last_used = io_now(CLOCK_MONOTONIC) - 200 * SEC;
        fake_clock_advance(100 * SEC);
        is_int(fake_http_pending(), 0, "an account unused for longer than its token lives is not refreshed");
        fixture_teardown();

        /* Jitter: up to 5% of the life earlier, never later. */
        fixture_setup();
        fake_random = 5 * SEC;          /* % (100 s / 20 + 1): 5 s, the most */
        e = cached(&a, "jitter", 100);
        e->last_used = io_now(CLOCK_MONOTONIC);
        fake_clock_advance(69900 * MSEC);
        is_int(fake_http_pending(), 0, "with the most jitter: no refresh before 70 s");
        fake_clock_advance(200 * MSEC);
        is_int(fake_http_pending(), 1, "... one at 70 s");
        fixture_teardown();
}

static void test_rotation_order(void) {
        Answer x = { .account = "rt" }, y = { .account = "rt" };
        Account *a;
        TokenEntry *e;

        fixture_setup();
        a = start_fetch("rt", RT, "refresh-token", "R1", &x);
        e = entry(a);
        ok(body_has("grant_type=refresh_token") && body_has("refresh_token=R1"),
           "an account living on a refresh token sends it");
        answer_token("A2", 3600, "R2");
        ok(a->refresh_token && strcmp(a->refresh_token, "R2") == 0,
           "the rotated refresh token replaces the spent one in memory at once");
        is_int(x.calls, 0, "no caller is answered while the keyring has not stored it");
        (void) token_fetch_start(e, fixture_note_answer, &y);
        is_int(fake_http_pending(), 0, "a caller arriving meanwhile waits too, without a request of its own");
        is_str(fake_keyring_get("rt", "refresh-token"), "R1", "the keyring still holds R1 ...");
        is_int(fake_keyring_run(), 1, "... until the store runs");
        is_int(x.calls, 1, "then the caller is answered");
        is_str(x.token, "A2", "... with the new access token");
        is_str(x.keyring_rt, "R2", "... at a moment when the keyring already held R2");
        is_str(y.token, "A2", "the caller that arrived meanwhile gets it too");
        answer_clear(&x);
        answer_clear(&y);
        fixture_teardown();
}

static void test_slow_keyring_short_token(void) {
        Answer x = { .account = "rt" };

        /* A 3-second token whose rotated refresh token takes 2.5 s to store has half a second left: not
         * handed out; the new refresh token gets a fresh one. */
        fixture_setup();
        (void) start_fetch("rt", RT, "refresh-token", "R1", &x);
        answer_token("A2", 3, "R2");
        fake_clock_advance(2500 * MSEC);
        (void) fake_keyring_run();
        is_int(x.calls, 0, "a token that lost its last second while the keyring stored R2 is not handed out");
        is_int(fake_http_pending(), 1, "... a new request goes out instead");
        ok(body_has("refresh_token=R2"), "... with the rotated refresh token");
        answer_token("A3", 3, "R3");
        (void) fake_keyring_run();
        is_str(x.token, "A3", "the caller gets the next token");
        ok(x.left_usec >= (int64_t) SEC, "... with at least a second left (%lld us)", (long long) x.left_usec);
        is_str(x.keyring_rt, "R3", "... once R3 is stored");
        answer_clear(&x);
        fixture_teardown();
}

static void test_retry_after_and_backoff(void) {
        Answer x = {};

        fixture_setup();
        (void) start_fetch("cc", CC, "client-secret", "s3cret", &x);
        fake_http_answer(503, "busy", 2);
        is_int(fake_http_pending(), 0, "503 with Retry-After: 2: no request at once");
        fake_clock_advance(1999 * MSEC);
        is_int(fake_http_pending(), 0, "... none at 1.999 s");
        fake_clock_advance(1 * MSEC);
        is_int(fake_http_pending(), 1, "... the retry at 2 s");
        is_int(x.calls, 0, "the caller waits meanwhile (nothing cached)");

        /* Backoff without Retry-After, no jitter: half a step, the step doubling from 1 s after the 2nd try. */
        fake_http_answer(500, "oops", -1);
        fake_clock_advance(499 * MSEC);
        is_int(fake_http_pending(), 0, "500: no retry before 0.5 s");
        fake_clock_advance(1 * MSEC);
        is_int(fake_http_pending(), 1, "... the 3rd try at 0.5 s");
        fake_http_answer(500, "oops", -1);
        fake_clock_advance(999 * MSEC);
        is_int(fake_http_pending(), 0, "... no 4th try before 1 s more");
        fake_clock_advance(1 * MSEC);
        is_int(fake_http_pending(), 1, "... the 4th try at 1 s");
        fake_http_answer(500, "oops", -1);
        is_int(x.calls, 1, "after four tries the caller hears the error");
        ok(x.error < 0, "... an error (%d: %s)", x.error, x.message ?: "");
        fake_clock_advance(60 * SEC);
        is_int(fake_http_started(), 4, "exactly four requests in all, no more later");
        answer_clear(&x);
        fixture_teardown();
}

static void test_budget(void) {
        Answer x = {};

        /* Timeout=5: a Retry-After of 3 fits once (at 3 s), a second would end at 6 s: no third try. */
        fixture_setup();
        (void) start_fetch("tight", "TokenURL=https://auth.example/token\nClientID=c\nTimeout=5", "client-secret",
                           "s3cret", &x);
        ok(fake_http_next() && fake_http_next()->deadline_usec == io_now(CLOCK_MONOTONIC) + 5 * SEC,
           "the request carries the end of the 5 s budget");
        fake_http_answer(503, "busy", 3);
        fake_clock_advance(3 * SEC);
        is_int(fake_http_pending(), 1, "Timeout=5, Retry-After: 3: a second try at 3 s");
        fake_http_answer(503, "busy", 3);
        is_int(x.calls, 1, "a third would not fit in the budget: the caller hears the error at once");
        ok(x.error < 0, "... an error");
        is_int(fake_http_started(), 2, "two requests in all");
        answer_clear(&x);
        fixture_teardown();
}

static void test_cached_while_failing(void) {
        Answer x = {};
        Account *a;
        TokenEntry *e;

        fixture_setup();
        e = cached(&a, "steady", 100);
        fake_clock_advance(80 * SEC);           /* past the usable window, 20 s before expiry */
        ok(!token_entry_usable(e, 60, io_now(CLOCK_REALTIME)), "at 80 s a 100 s token wants renewing");
        (void) token_fetch_start(e, fixture_note_answer, &x);
        fake_http_answer(503, "busy", 5);
        is_int(x.calls, 1, "the endpoint answers 503: the caller is not kept waiting for the retry");
        is_int(x.error, 0, "... and gets a token");
        is_str(x.token, "first", "... the cached one, which has 20 s left");
        is_int(fake_timers_pending() >= 1, 1, "the retry is still scheduled");
        answer_clear(&x);
        fixture_teardown();
}

static void test_removed_during_fetch(void) {
        Answer x = {};
        Account *a;

        fixture_setup();
        a = start_fetch("gone", CC, "client-secret", "s3cret", &x);
        is_int(fake_http_pending(), 1, "a fetch is on the wire");
        account_fail_all(a, -ESRCH, "The account was removed.");
        g_hash_table_remove(engine.accounts, "gone");
        is_int(x.calls, 1, "removing the account answers its caller");
        is_int(x.error, -ESRCH, "... with ESRCH");
        is_int(fake_http_pending(), 0, "... and cancels the request");
        is_int(fake_timers_pending(), 0, "... and leaves no timer behind");
        answer_clear(&x);
        fixture_teardown();
}

static void test_keyring_locked_or_hung(void) {
        Answer x = {}, y = {};
        Account *a;

        fixture_setup();
        a = fixture_account("locked", CC);
        fake_keyring_put("locked", "client-secret", "s3cret");
        fake_keyring_set_mode(FAKE_KEYRING_LOCKED);
        (void) token_fetch_start(entry(a), fixture_note_answer, &x);
        (void) fake_keyring_run();
        is_int(x.error, -ENOLCK, "a locked keyring: ENOLCK");
        ok(x.message && strstr(x.message, "locked"), "... saying it is locked (%s)", x.message ?: "");
        is_int(fake_http_started(), 0, "... and nothing sent");
        ok(a->secrets_state == SECRETS_UNLOADED, "the secrets are read again next time");
        fake_keyring_set_mode(FAKE_KEYRING_OPEN);
        (void) token_fetch_start(entry(a), fixture_note_answer, &y);
        (void) fake_keyring_run();
        is_int(fake_http_pending(), 1, "once it is unlocked, the next call goes through");
        fixture_teardown();     /* answers y, still waiting, with ESRCH */
        answer_clear(&x);
        answer_clear(&y);

        fixture_setup();
        a = fixture_account("hung", CC);
        (void) token_fetch_start(entry(a), fixture_note_answer, &x);
        (void) fake_keyring_time_out();
        is_int(x.error, -EHOSTUNREACH, "a hung keyring: Unavailable (EHOSTUNREACH)");
        ok(x.message && strstr(x.message, "did not answer in time"), "... saying it did not answer");
        answer_clear(&x);
        fixture_teardown();
}

static void test_refused_refresh_token(void) {
        Answer x = {};
        Account *a;

        fixture_setup();
        a = start_fetch("rt", RT, "refresh-token", "R1", &x);
        fake_http_answer(400, "{\"error\": \"invalid_grant\"}", -1);
        is_int(x.error, -EKEYEXPIRED, "a refused refresh token of an interactive account: login required");
        ok(x.message && strstr(x.message, "tokenbroker login rt"), "... saying what to run");
        is_int(events.login_required, 1, "... with a LoginRequired event");
        ok(!a->refresh_token, "the dead refresh token is gone from memory");
        (void) fake_keyring_run();
        ok(!fake_keyring_get("rt", "refresh-token"), "... and from the keyring");
        is_int(fake_http_started(), 1, "one request, no retry loop");
        answer_clear(&x);
        fixture_teardown();
}

/* The scope a response grants is what the token has, whatever was asked; without one, what was asked. */
static void test_granted_scope(void) {
        Answer x = {}, y = {};
        Account *a;
        TokenEntry *e;
        char *body;

        fixture_setup();
        a = start_fetch("narrowed", CC, "client-secret", "s3cret", &x);
        e = entry(a);
        fake_http_answer(200, "{\"access_token\":\"t1\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                              "\"scope\":\"api:read\"}", -1);
        is_int(x.error, 0, "a token whose response names the scope granted");
        is_str(e->granted_scope, "api:read", "... keeps that scope");
        ok(!e->pending_granted_scope, "... nothing left pending");
        account_invalidate(a, NULL);
        e = entry(a);
        (void) token_fetch_start(e, fixture_note_answer, &y);
        body = token_json("t2", 3600, NULL);
        fake_http_answer(200, body, -1);
        free(body);
        is_int(y.error, 0, "the next token, whose response names no scope");
        ok(!e->granted_scope, "... has what was asked");
        answer_clear(&x);
        answer_clear(&y);
        fixture_teardown();
}

/* A daemon told to stop (stop.c) sends nothing new and exits only once what is in flight has ended: a refresh
 * token the server rotated meanwhile is in the keyring first, and the caller that waited for it is answered. */
static void test_stop_waits_for_rotation(void) {
        Answer x = { .account = "rt" }, y = {};
        TokenQuery q = TOKEN_QUERY_DEFAULT;
        TokenEntry *hit = NULL;
        Failure f = {};
        Account *a;

        fixture_setup();
        (void) cached(&a, "cc", 3600);
        a = start_fetch("rt", RT, "refresh-token", "R1", &x);
        is_int(engine_work_in_flight(&engine), 1, "a refresh on the wire is work in flight");
        engine_stop(&engine);
        is_int(broker_token_lookup(&engine, CALLER(getuid(), "/usr/bin/curl"), "cc", &q, &hit, &f), 1,
               "while stopping, a cached token is still handed out");
        failure_clear(&f);
        (void) token_fetch_start(entry(fixture_account("new", CC)), fixture_note_answer, &y);
        fake_keyring_put("new", "client-secret", "s3cret");
        (void) fake_keyring_run();
        is_int(y.error, -EHOSTUNREACH, "a caller that needs a new request: Unavailable");
        ok(y.message && strstr(y.message, "tokenbrokerd is stopping"), "... saying why (%s)", y.message ?: "");
        is_int(fake_http_started(), 2, "... and nothing new was sent");
        answer_token("A2", 3600, "R2");
        is_int(engine_work_in_flight(&engine), 1, "the server's answer leaves its keyring store in flight");
        is_int(x.calls, 0, "... and its caller waiting");
        is_int(fake_keyring_run(), 1, "the store runs");
        is_int(engine_work_in_flight(&engine), 0, "then nothing is in flight: the daemon may exit");
        is_str(fake_keyring_get("rt", "refresh-token"), "R2", "the rotated refresh token is in the keyring");
        is_str(x.token, "A2", "the caller that waited got the new access token");
        is_int(engine_log_unsaved_refresh_tokens(&engine), 0, "no refresh token is left unsaved");
        ok(a->refresh_token && strcmp(a->refresh_token, "R2") == 0, "... the account holds R2");
        answer_clear(&x);
        answer_clear(&y);
        fixture_teardown();

        /* A keyring that refuses the rotated token: the stop is not held up, and says what is lost. */
        fixture_setup();
        a = start_fetch("rt", RT, "refresh-token", "R1", &x);
        engine_stop(&engine);
        fake_keyring_set_mode(FAKE_KEYRING_LOCKED);
        answer_token("A2", 3600, "R2");
        (void) fake_keyring_run();
        is_int(engine_work_in_flight(&engine), 0, "a locked keyring ends the store: nothing in flight");
        ok(a->refresh_token_unsaved, "... the rotated refresh token is held in memory only");
        is_int(engine_log_unsaved_refresh_tokens(&engine), 1, "... and named in the log as lost at exit");
        answer_clear(&x);
        fixture_teardown();
}

int main(void) {
        test_single_flight();
        test_short_token_margin();
        test_background_refresh();
        test_rotation_order();
        test_slow_keyring_short_token();
        test_retry_after_and_backoff();
        test_budget();
        test_cached_while_failing();
        test_removed_during_fetch();
        test_keyring_locked_or_hung();
        test_refused_refresh_token();
        test_granted_scope();
        test_stop_waits_for_rotation();
        return tap_done();
}
