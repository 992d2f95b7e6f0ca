/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus/engine/issuer-keys.c on fake I/O: one fetch for every asker, a set kept for a day, fetched again on
 * request (an unknown kid), and a failure remembered for a few seconds rather than retried by every asker. */
#include <errno.h>
#include <string.h>

#include "engine-fixture.h"
#include "issuer-keys.h"
#include "tap.h"
#include "time-util.h"

#define JWKS_URI "https://op.example/jwks"
#define JWKS "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\"," \
             "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}"
#define JWKS_EMPTY "{\"keys\":[]}"

typedef struct Got {
        unsigned calls;
        int error;
        size_t keys;
} Got;

static void on_keys(void *subject, int error, const char *message, void *userdata) {
        const JwkSet *set = subject;
        Got *g = userdata;

        g->calls++;
        g->error = error;
        g->keys = set ? set->n : 0;
}

static int get(bool refetch, Got *g, const JwkSet **set) {
        const char *failure = NULL;

        *set = NULL;
        return issuer_keys_get(&engine, JWKS_URI, NULL, refetch, on_keys, g, set, &failure);
}

static void test_shared_fetch(void) {
        Got a = {}, b = {}, c = {};
        const JwkSet *set;

        fixture_setup();
        is_int(get(false, &a, &set), 0, "the first asker waits for a fetch");
        is_int(get(false, &b, &set), 0, "... and so does the second");
        is_int((int) fake_http_started(), 1, "... one request between them");
        is_str(fake_http_next()->url, JWKS_URI, "... to the jwks_uri");
        fake_http_answer(200, JWKS, -1);
        ok(a.calls == 1 && b.calls == 1 && a.error == 0 && a.keys == 1, "both hear of the set, once, with its key");
        is_int(get(false, &c, &set), 1, "the next asker has it at once");
        ok(set && set->n == 1 && c.calls == 0, "... the same set, no callback");

        fake_clock_advance(23 * 3600 * USEC_PER_SEC);
        is_int(get(false, &c, &set), 1, "after 23 hours the set is still kept");
        fake_clock_advance(3600 * USEC_PER_SEC);
        is_int(get(false, &c, &set), 0, "after a day it is fetched again");
        fake_http_answer(200, JWKS, -1);
        is_int((int) c.calls, 1, "... and the asker hears of it");
        fixture_teardown();
}

static void test_refetch(void) {
        Got a = {}, b = {};
        const JwkSet *set;

        fixture_setup();
        (void) get(false, &a, &set);
        fake_http_answer(200, JWKS_EMPTY, -1);
        is_int((int) a.keys, 0, "a set without keys");
        is_int(get(true, &a, &set), 0, "an unknown kid asks for the set again");
        is_int(get(false, &b, &set), 0, "... and an asker meanwhile joins that fetch, not the old set");
        is_int((int) fake_http_pending(), 1, "... one request");
        fake_http_answer(200, JWKS, -1);
        ok(a.calls == 2 && a.keys == 1 && b.calls == 1 && b.keys == 1, "both have the new key");
        fixture_teardown();
}

static void test_failure(void) {
        Got a = {}, b = {};
        const JwkSet *set;
        const char *failure = NULL;

        fixture_setup();
        (void) get(false, &a, &set);
        fake_http_answer(200, "<html>not json</html>", -1);
        is_int(a.error, -EBADMSG, "a page that is no key set: the asker hears -EBADMSG");
        is_int(issuer_keys_get(&engine, JWKS_URI, NULL, false, on_keys, &b, &set, &failure), -EBADMSG,
               "... the next asker, a moment later, hears it at once");
        ok(failure && strstr(failure, "JWKS"), "... with the reason: %s", failure ? failure : "(none)");
        is_int((int) fake_http_started(), 1, "... without another request");
        fake_clock_advance(6 * USEC_PER_SEC);
        is_int(get(false, &b, &set), 0, "six seconds later it is tried again");
        fake_http_answer(503, "busy", -1);
        is_int(b.error, -EHOSTUNREACH, "a 5xx: the server is unreachable for now");
        fixture_teardown();
}

int main(void) {
        test_shared_fetch();
        test_refetch();
        test_failure();
        return tap_done();
}
