/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DPoP (RFC 9449) in the token engine on fake I/O: the account's key is stored in the keyring before any
 * request is signed with it, fetches of several scope sets at once wait on one key, every request (retries
 * included) carries a fresh proof, a use_dpop_nonce refusal is answered once with the server's nonce, which
 * later requests carry too, a resource server's nonce is kept apart, and tokens come out as DPoP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "dpop.h"
#include "engine-fixture.h"
#include "json-util.h"
#include "jws.h"
#include "string-util.h"
#include "tap.h"
#include "token-fetch.h"

static const char *const DPOP_CC =
        "TokenURL=https://auth.example/token\nClientID=cc-client\nClientAuth=basic\n"
        "Grant=client_credentials\nDPoP=true";
static const char *const NONCE_REFUSAL = "{\"error\":\"use_dpop_nonce\",\"error_description\":\"nonce\"}";

static char *dpop_token_json(const char *token) {
        return strjoin("{\"access_token\":\"", token, "\",\"token_type\":\"DPoP\",\"expires_in\":3600}");
}

/* A claim of the waiting request's proof ("" when the request has none, NULL when the claim is absent). */
static char *proof_claim(const char *claim) {
        const FakeRequest *r = fake_http_next();
        _cleanup_(jws_clear) Jws j = {};
        json_object *v;

        if (!r || !r->dpop)
                return strdup("");
        if (jws_parse(r->dpop, &j, NULL) < 0)
                return strdup("unparsable");
        if (streq(claim, "jwk"))
                return json_object_object_get_ex(j.header, "jwk", &v) ?
                        strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)) : NULL;
        return json_object_object_get_ex(j.payload, claim, &v) ? strdup(json_object_get_string(v)) : NULL;
}

static void test_key_then_requests(void) {
        _cleanup_free_ char *jwk1 = NULL, *jwk2 = NULL, *jti1 = NULL, *jti2 = NULL, *htu = NULL, *htm = NULL,
                            *nonce = NULL, *body = NULL;
        Answer x = {}, y = {};
        TokenEntry *e, *f;
        Account *a;

        fixture_setup();
        a = fixture_account("dp", DPOP_CC);
        fake_keyring_put("dp", "client-secret", "s3cret");
        e = account_get_entry(a, "", true);
        f = account_get_entry(a, "read", true);
        (void) token_fetch_start(e, fixture_note_answer, &x);
        (void) token_fetch_start(f, fixture_note_answer, &y);
        is_int(fake_keyring_run(), 1, "two fetches of a DPoP account: one keyring read");
        is_int(fake_keyring_pending(), 1, "... then one new key on its way to the keyring, for both");
        is_int(fake_http_started(), 0,
               "... and no request yet: nothing is signed with a key the keyring lacks");
        (void) fake_keyring_run();
        ok(fake_keyring_get("dp", "dpop-key") &&
                   strstr(fake_keyring_get("dp", "dpop-key"), "BEGIN PRIVATE KEY"),
           "the key is stored as the account's dpop-key (PKCS#8 PEM)");
        is_int(fake_http_pending(), 2, "then both requests go out");

        jwk1 = proof_claim("jwk");
        jti1 = proof_claim("jti");
        htm = proof_claim("htm");
        htu = proof_claim("htu");
        nonce = proof_claim("nonce");
        is_str(htm, "POST", "each carries a proof: htm POST");
        is_str(htu, "https://auth.example/token", "... htu the token endpoint");
        ok(!nonce, "... no nonce yet");
        ok(jwk1 && !strstr(jwk1, "\"d\""), "... the public key only");

        /* The fake's randomness is a constant the test sets: a new value shows a jti made anew. */
        fake_random = 42;
        fake_http_answer_dpop(400, NONCE_REFUSAL, "n-1");
        is_int(x.calls, 0, "use_dpop_nonce: the caller is not answered yet");
        is_int(fake_http_pending(), 2, "... the request is sent again at once");
        /* The other fetch's request is first in line now. */
        body = dpop_token_json("tok-read");
        fake_http_answer(200, body, -1);
        is_int(y.error, 0, "the other scope set's token arrives");
        free(nonce);
        nonce = proof_claim("nonce");
        jwk2 = proof_claim("jwk");
        jti2 = proof_claim("jti");
        is_str(nonce, "n-1", "the request sent again carries the server's nonce");
        is_str(jwk2, jwk1, "... signed with the same key");
        ok(jti1 && jti2 && !streq(jti1, jti2), "... with a new jti");
        free(body);
        body = dpop_token_json("tok");
        fake_http_answer(200, body, -1);
        is_int(x.error, 0, "then the token");
        is_str(x.token, "tok", "... handed out");
        ok(e->dpop_bound, "... as a DPoP token");
        is_str(engine_dpop_nonce(&engine, DPOP_AUTHORIZATION_SERVER, "https://auth.example/token"), "n-1",
               "the nonce is remembered for that token endpoint");
        ok(!engine_dpop_nonce(&engine, DPOP_RESOURCE_SERVER, "https://auth.example/api"),
           "... not for a resource server on the same origin");
        is_str(engine_dpop_nonce(&engine, DPOP_AUTHORIZATION_SERVER, "https://auth.example/token?tenant=1"), "n-1",
               "... whatever query TokenURLQuery= adds");

        answer_clear(&x);
        answer_clear(&y);
        fixture_teardown();
}

/* A DPoP account whose token fetch for `x` has read its secrets; its new key waits for the keyring. */
static Account *start_fetch(Answer *x) {
        Account *a;

        fixture_setup();
        a = fixture_account("dp", DPOP_CC);
        fake_keyring_put("dp", "client-secret", "s3cret");
        (void) token_fetch_start(account_get_entry(a, "", true), fixture_note_answer, x);
        (void) fake_keyring_run();
        return a;
}

static void test_nonce_retried_once(void) {
        Answer x = {};

        (void) start_fetch(&x);
        (void) fake_keyring_run();
        fake_http_answer_dpop(400, NONCE_REFUSAL, "n-1");
        fake_http_answer_dpop(400, NONCE_REFUSAL, "n-2");
        is_int(x.calls, 1, "a server that wants a nonce again after one retry: the caller is answered");
        is_int(x.error, -EREMOTEIO, "... with the provider's refusal");
        is_int(fake_http_pending(), 0, "... and no third request: no loop");
        answer_clear(&x);
        fixture_teardown();
}

static void test_key_store_fails(void) {
        Answer x = {};
        Account *a = start_fetch(&x);

        fake_keyring_set_mode(FAKE_KEYRING_LOCKED);
        (void) fake_keyring_run();
        is_int(x.calls, 1, "the keyring refuses the new key: the caller is answered");
        is_int(x.error, -ENOLCK, "... with the keyring's error");
        is_int(fake_http_started(), 0,
               "... and no request was signed with a key that would not outlive a restart");
        ok(!a->dpop_key, "... nor is the key kept in memory");
        answer_clear(&x);
        fixture_teardown();
}

static void test_resource_nonce(void) {
        Account *a;

        fixture_setup();
        a = fixture_account("dp", DPOP_CC);
        (void) a;
        engine_dpop_note_nonce(&engine, DPOP_RESOURCE_SERVER, "https://api.example/v1/items?x=1", "r-1");
        is_str(engine_dpop_nonce(&engine, DPOP_RESOURCE_SERVER, "https://api.example/other"), "r-1",
               "a resource server's nonce holds for its whole origin");
        ok(!engine_dpop_nonce(&engine, DPOP_RESOURCE_SERVER, "https://api.example:8443/v1"),
           "... not for another port");
        engine_dpop_note_nonce(&engine, DPOP_RESOURCE_SERVER, "https://api.example/", "bad nonce");
        is_str(engine_dpop_nonce(&engine, DPOP_RESOURCE_SERVER, "https://api.example/"), "r-1",
               "a nonce a proof cannot carry is not remembered");
        fixture_teardown();
}

int main(void) {
        test_key_then_requests();
        test_nonce_retried_once();
        test_key_store_fails();
        test_resource_nonce();
        return tap_done();
}
