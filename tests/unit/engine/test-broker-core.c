/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What GetToken, GitCredential and Invalidate do before any I/O, for either transport (engine/broker-core.c):
 * the caller checks, the scope a caller asks for (normalised, within Scopes=, the full set being the account's
 * own token), when a cached token is handed out, and which account serves a URL for git. On fake I/O. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker-core.h"
#include "engine-fixture.h"
#include "io.h"
#include "string-util.h"
#include "tap.h"

/* GetToken's query for a scope set and a resource set, the rest as a caller leaves it. */
#define Q(s, r) (&(TokenQuery) { .scope = (s), .resource = (r), .min_validity = UINT32_MAX })
#include "token-fetch.h"

#define ME CALLER(geteuid(), "/usr/bin/tokenbroker")

static const char *const SCOPED = "TokenURL=https://auth.example/token\nClientID=c\nScopes=read write";

static void test_scopes(void) {
        Failure f = {};
        TokenEntry *e = NULL;

        fixture_setup();
        (void) fixture_account("scoped", SCOPED);
        is_int(broker_token_lookup(&engine, ME, "scoped", Q(NULL, NULL), &e, &f), 0,
               "no token cached: the caller must wait for a fetch");
        is_str(e->scope, "", "no scope asked: the account's own token");
        is_int(broker_token_lookup(&engine, ME, "scoped", Q("write  read", NULL), &e, &f), 0,
               "the full set ...");
        is_str(e->scope, "", "... in any order and spacing, is the account's own token");
        is_int(broker_token_lookup(&engine, ME, "scoped", Q("write", NULL), &e, &f), 0,
               "a narrower set ...");
        is_str(e->scope, "write", "... has a token of its own");
        is_int(broker_token_lookup(&engine, ME, "scoped", Q("read admin", NULL), &e, &f), -EINVAL,
               "a scope outside Scopes=: InvalidArgs");
        ok(f.message && strstr(f.message, "not within the account's Scopes"), "... saying so");
        failure_clear(&f);
        {
                char *big = malloc(5000);

                memset(big, 'r', 4999);
                big[4999] = 0;
                is_int(broker_token_lookup(&engine, ME, "scoped", Q(big, NULL), &e, &f), -EINVAL,
                       "a scope of 5000 bytes: InvalidArgs");
                ok(f.message && strstr(f.message, "too long"), "... too long");
                failure_clear(&f);
                free(big);
        }
        fixture_teardown();
}

static const char *const RESOURCED = "TokenURL=https://auth.example/token\nClientID=c\nResource=https://api.example/ urn:x:y";

/* RFC 8707: tokens are cached per (scope set, resource set); the account's own set is the account's entry. */
static void test_resources(void) {
        Failure f = {};
        TokenEntry *e = NULL, *own = NULL;

        fixture_setup();
        (void) fixture_account("res", RESOURCED);
        is_int(broker_token_lookup(&engine, ME, "res", Q(NULL, NULL), &own, &f), 0, "no resource asked");
        ok(!own->resource, "... the account's own entry");
        is_int(broker_token_lookup(&engine, ME, "res", Q(NULL, "urn:x:y  https://api.example/"), &e, &f), 0,
               "the account's own set, in another order");
        ok(e == own, "... is the same entry");
        is_int(broker_token_lookup(&engine, ME, "res", Q(NULL, "https://other.example/api"), &e, &f), 0,
               "another resource");
        ok(e != own, "... has an entry of its own");
        is_str(e->resource, "https://other.example/api", "... for that resource");
        is_str(e->scope, "", "... and the account's scopes");
        is_int(broker_token_lookup(&engine, ME, "res", Q("read", "https://other.example/api"), &own, &f), 0,
               "a scope and a resource");
        ok(own != e && streq_ptr(own->scope, "read") && streq_ptr(own->resource, "https://other.example/api"),
           "... another entry, keyed by both");
        is_int(broker_token_lookup(&engine, ME, "res", Q(NULL, "relative/path"), &e, &f), -EINVAL,
               "a relative URI: InvalidArgs");
        ok(f.message && strstr(f.message, "absolute URI"), "... saying so");
        failure_clear(&f);
        is_int(broker_token_lookup(&engine, ME, "res", Q(NULL, "https://api.example/#frag"), &e, &f),
               -EINVAL, "a URI with a fragment: InvalidArgs");
        failure_clear(&f);
        is_int(broker_token_lookup(&engine, ME, "res", Q(NULL, "a:1 a:2 a:3 a:4 a:5 a:6 a:7 a:8 a:9"),
                                   &e, &f),
               -EINVAL, "nine resources at once: InvalidArgs");
        failure_clear(&f);
        fixture_teardown();
}

static void test_callers(void) {
        Failure f = {};
        TokenEntry *e = NULL;

        fixture_setup();
        (void) fixture_account("open", SCOPED);
        (void) fixture_account("picky", "TokenURL=https://auth.example/token\nClientID=c\n"
                                        "AllowedCallers=/usr/bin/git-credential-tokenbroker");
        is_int(broker_token_lookup(&engine, CALLER(geteuid() + 1, "/usr/bin/tokenbroker"), "open",
                                   Q(NULL, NULL), &e, &f),
               -EACCES, "another uid: AccessDenied");
        failure_clear(&f);
        is_int(broker_token_lookup(&engine, ME, "picky", Q(NULL, NULL), &e, &f), -EACCES,
               "a program not in AllowedCallers=: AccessDenied");
        ok(f.message && strstr(f.message, "/usr/bin/tokenbroker is not an allowed caller"), "... naming it");
        failure_clear(&f);
        is_int(broker_token_lookup(&engine, CALLER(geteuid(), "/usr/bin/git-credential-tokenbroker"),
                                   "picky", Q(NULL, NULL), &e, &f),
               0, "the allowed program is let through");
        is_int(broker_token_lookup(&engine, CALLER(geteuid(), NULL), "picky", Q(NULL, NULL), &e, &f),
               -EACCES, "a program that cannot be told: AccessDenied");
        failure_clear(&f);
        is_int(broker_token_lookup(&engine, ME, "nosuch", Q(NULL, NULL), &e, &f), -ESRCH,
               "no such account: ESRCH");
        failure_clear(&f);
        is_int(broker_token_lookup(&engine, ME, "../x", Q(NULL, NULL), &e, &f), -EINVAL,
               "a name that is no account name: InvalidArgs");
        failure_clear(&f);
        fixture_teardown();
}

static void test_cache_decision(void) {
        Failure f = {};
        Answer x = {};
        TokenEntry *e = NULL;
        Account *a;
        char *body;

        fixture_setup();
        a = fixture_account("cc", SCOPED);
        fake_keyring_put("cc", "client-secret", "s3cret");
        (void) broker_token_lookup(&engine, ME, "cc", Q(NULL, NULL), &e, &f);
        (void) token_fetch_start(e, fixture_note_answer, &x);
        (void) fake_keyring_run();
        body = token_json("tok", 100, NULL);
        fake_http_answer(200, body, -1);
        free(body);
        is_int(broker_token_lookup(&engine, ME, "cc", Q(NULL, NULL), &e, &f), 1,
               "a fresh token is handed out");
        fake_clock_advance(74 * USEC_PER_SEC);
        e->refresh_timer = io_timer_free(e->refresh_timer);   /* this test moves time past the renewal */
        is_int(broker_token_lookup(&engine, ME, "cc", Q(NULL, NULL), &e, &f), 1,
               "at 74 s a 100 s token still has its quarter left");
        is_int(broker_token_lookup(&engine, ME, "cc", &(TokenQuery) { .min_validity = 20 }, &e, &f), 1,
               "... and 20 s for a caller who asks");
        is_int(broker_token_lookup(&engine, ME, "cc", &(TokenQuery){.min_validity = 30}, &e, &f), 0,
               "... but a caller who asks for 30 s gets a new one: its min-validity is a promise, not a "
               "margin");
        fake_clock_advance(2 * USEC_PER_SEC);
        is_int(broker_token_lookup(&engine, ME, "cc", Q(NULL, NULL), &e, &f), 0,
               "at 76 s it wants renewing");
        (void) token_fetch_start(e, fixture_note_answer, &x);
        body = token_json("tok2", 100, NULL);
        fake_http_answer(200, body, -1);
        free(body);
        is_int(broker_token_lookup(&engine, ME, "cc", Q(NULL, NULL), &e, &f), 1, "a new token is cached");
        is_int(broker_token_lookup(&engine, ME, "cc",
                                   &(TokenQuery){.min_validity = UINT32_MAX, .force_new = true}, &e, &f),
               0, "force-new: the cached token is not handed out, a fetch must follow");
        ok(!e->access_token, "... it is forgotten");
        (void) token_fetch_start(e, fixture_note_answer, &x);
        body = token_json("tok3", 100, NULL);
        fake_http_answer(200, body, -1);
        free(body);
        is_int(broker_token_lookup(&engine, ME, "cc", Q(NULL, NULL), &e, &f), 1,
               "... and the new one is cached");
        ok(streq_ptr(e->access_token, "tok3"), "... the one just fetched");
        ok(a->name != NULL, "the account is still there");
        answer_clear(&x);
        fixture_teardown();
}

static void test_git_matching(void) {
        Failure f = {};
        Account *a = NULL;

        fixture_setup();
        (void) fixture_account("b-repo", "TokenURL=https://auth.example/token\nClientID=c\n"
                                         "Hosts=https://git.example/team/*");
        (void) fixture_account("a-host", "TokenURL=https://auth.example/token\nClientID=c\nHosts=git.example");
        (void) fixture_account("wild", "TokenURL=https://auth.example/token\nClientID=c\nHosts=https://*.example.org");
        is_int(broker_git_account(&engine, ME, "https", "git.example", "team/x.git", NULL, &a, &f), 0, "a git request");
        is_str(a ? a->name : NULL, "a-host", "... goes to the first account by name whose Hosts= match");
        is_int(broker_git_account(&engine, ME, "https", "git.example", "team/x.git", "b-repo", &a, &f), 0,
               "--account names one");
        is_str(a ? a->name : NULL, "b-repo", "... which serves the path");
        is_int(broker_git_account(&engine, ME, "https", "git.example", "other/x.git", "b-repo", &a, &f), 0,
               "a path outside its Hosts=");
        ok(a == NULL, "... is served by no account");
        is_int(broker_git_account(&engine, ME, "https", "x.example.org", NULL, NULL, &a, &f), 0, "a wildcard host");
        is_str(a ? a->name : NULL, "wild", "... matches");
        is_int(broker_git_account(&engine, ME, "http", "x.example.org", NULL, NULL, &a, &f), 0,
               "the same host over http");
        ok(a == NULL, "... does not (the pattern says https)");
        is_int(broker_git_account(&engine, CALLER(geteuid() + 1, NULL), "https", "git.example", NULL, NULL, &a, &f),
               -EACCES, "another uid: AccessDenied");

        /* The index by host (account-index.c) answers as a scan by name would: across exact and wildcard
         * patterns, among many accounts, and after a change. */
        for (unsigned i = 0; i < 2000; i++) {
                char name[32], settings[160];

                snprintf(name, sizeof(name), "many-%04u", i);
                snprintf(settings, sizeof(settings), "TokenURL=https://auth.example/token\nClientID=c\n"
                         "Hosts=https://h%u.example.net https://*.h%u.example.net/team", i, i);
                (void) fixture_account(name, settings);
        }
        is_int(broker_git_account(&engine, ME, "https", "h1234.example.net", "x.git", NULL, &a, &f), 0,
               "among 2000 accounts");
        is_str(a ? a->name : NULL, "many-1234", "... the one of the host");
        is_int(broker_git_account(&engine, ME, "https", "A.H77.example.net.", "team/x.git", NULL, &a, &f), 0,
               "a wildcard pattern with a path, the host in capitals with a trailing dot");
        is_str(a ? a->name : NULL, "many-0077", "... matches");
        is_int(broker_git_account(&engine, ME, "https", "a.h77.example.net", "other/x.git", NULL, &a, &f), 0,
               "... outside its path");
        ok(a == NULL, "... does not");
        (void) fixture_account("0-wild", "TokenURL=https://auth.example/token\nClientID=c\nHosts=*.example.net");
        is_int(broker_git_account(&engine, ME, "https", "h1234.example.net", NULL, NULL, &a, &f), 0,
               "an account added after the index was built");
        is_str(a ? a->name : NULL, "0-wild", "... is found, and comes first by name over an exact host");
        is_int(broker_git_account(&engine, ME, "https", "h1234.example.net:8443", NULL, NULL, &a, &f), 0,
               "another port");
        ok(a == NULL, "... matches no pattern without that port");
        failure_clear(&f);
        fixture_teardown();
}

int main(void) {
        test_scopes();
        test_resources();
        test_callers();
        test_cache_decision();
        test_git_matching();
        return tap_done();
}
