/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/oauth/dpop-proof.c: RFC 9449's own ath example (section 7.1), the parts of a proof as section 4.2
 * lists them, checked by parsing the proof back and verifying its signature with the key in its own header
 * (as a server does), and what a proof cannot carry. */
#include <errno.h>
#include <gnutls/abstract.h>
#include <string.h>

#include "alloc-util.h"
#include "dpop-proof.h"
#include "jose-key.h"
#include "json-util.h"
#include "jwk.h"
#include "jws.h"
#include "string-util.h"
#include "tap.h"

/* RFC 9449 section 7.1: the access token of its example and its hash. */
#define RFC9449_TOKEN "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
#define RFC9449_ATH "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"

static const char *get_str(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void test_ath_and_htu(void) {
        _cleanup_free_ char *ath = dpop_ath(RFC9449_TOKEN), *h1 = NULL, *h2 = NULL, *h3 = NULL;

        is_str(ath, RFC9449_ATH, "RFC 9449 7.1: ath of the example token");
        h1 = dpop_htu("https://resource.example.org/protectedresource?x=1#frag");
        is_str(h1, "https://resource.example.org/protectedresource",
               "htu leaves out the query and fragment");
        h2 = dpop_htu("http://127.0.0.1:8080");
        is_str(h2, "http://127.0.0.1:8080", "a URL without a path is kept whole");
        h3 = dpop_htu("HTTPS://Server.Example.COM/token");
        ok(!h3, "an upper-case scheme is not taken for http(s)");
        ok(!dpop_htu("ftp://example.com/x"), "ftp: no htu");
        ok(!dpop_htu("/relative"), "a relative URL: no htu");
        ok(!dpop_htu("https:///no-host"), "a URL without an authority: no htu");
        ok(!dpop_htu("https://example.com/a b"), "white space: no htu");
        ok(!dpop_htu(NULL), "NULL: no htu");
}

static void test_nonce_and_method(void) {
        _cleanup_free_ char *big = malloc(DPOP_NONCE_MAX + 2);

        ok(dpop_nonce_is_valid("eyJ7S_zG.eyJH0-Z.HX4w-7v"), "RFC 9449 8.1's example nonce is valid");
        ok(!dpop_nonce_is_valid(""), "an empty nonce is not");
        ok(!dpop_nonce_is_valid("a\"b"), "a double quote is not NQCHAR");
        ok(!dpop_nonce_is_valid("a\\b"), "nor is a backslash");
        ok(!dpop_nonce_is_valid("a b"), "nor a space");
        memset(big, 'n', DPOP_NONCE_MAX + 1);
        big[DPOP_NONCE_MAX + 1] = 0;
        ok(!dpop_nonce_is_valid(big), "a nonce over DPOP_NONCE_MAX bytes is refused");
        big[DPOP_NONCE_MAX] = 0;
        ok(dpop_nonce_is_valid(big), "... one of exactly DPOP_NONCE_MAX is taken");

        ok(dpop_method_is_valid("GET") && dpop_method_is_valid("PROPFIND") &&
                   dpop_method_is_valid("M-SEARCH"),
           "methods are HTTP tokens");
        ok(!dpop_method_is_valid("GET /") && !dpop_method_is_valid("") && !dpop_method_is_valid("A(B)"),
           "white space, nothing and separators are not");
}

/* Makes a proof with a new key of `type`, parses it back and checks it as a resource server would. */
static void check_proof(JoseKeyType type, const char *alg) {
        _cleanup_(erase_and_freep) char *pem = NULL;
        _cleanup_free_ char *proof = NULL, *thumb = NULL, *thumb2 = NULL;
        _cleanup_(jws_clear) Jws j = {};
        _cleanup_(jwk_clear) Jwk k = {};
        gnutls_privkey_t key;
        json_object *jwk, *v;
        DpopProofInput in = {
                .method = "POST",
                .url = "https://server.example.com/token?x=1",
                .jti = "e1j3V_bKic8-LAEB",
                .now = 1562262618,
                .nonce = "eyJ7S_zG.eyJH0-Z.HX4w-7v",
                .access_token = RFC9449_TOKEN,
        };

        is_int(jose_key_generate(type, &pem), 0, "%s: a key", alg);
        is_int(jose_key_load(pem, &key), 0, "... loads");
        in.key = key;
        is_int(dpop_proof_build(&in, &proof), 0, "... a proof");
        is_int(jws_parse(proof, &j, NULL), 0, "... which parses as a JWS");
        is_str(jws_alg_to_string(j.alg), alg, "... signed %s", alg);
        is_str(get_str(j.header, "typ"), DPOP_PROOF_TYPE, "... typ dpop+jwt");
        ok(json_object_object_get_ex(j.header, "jwk", &jwk), "... the public key in its header");
        ok(!json_object_object_get_ex(jwk, "d", NULL) && !json_object_object_get_ex(jwk, "p", NULL),
           "... without any private member");
        is_int(jwk_from_json(jwk, &k), 0, "... a key a server can read");
        is_int(jws_verify(&j, &k), 0, "... and the signature is that key's");
        is_str(get_str(j.payload, "htm"), "POST", "htm");
        is_str(get_str(j.payload, "htu"), "https://server.example.com/token", "htu, without the query");
        is_str(get_str(j.payload, "jti"), "e1j3V_bKic8-LAEB", "jti");
        ok(json_object_object_get_ex(j.payload, "iat", &v) && json_object_get_int64(v) == 1562262618, "iat");
        is_str(get_str(j.payload, "nonce"), "eyJ7S_zG.eyJH0-Z.HX4w-7v", "nonce");
        is_str(get_str(j.payload, "ath"), RFC9449_ATH, "ath");
        is_int(dpop_key_thumbprint(key, &thumb), 0, "dpop_jkt: a thumbprint of the key");
        is_int(jwk_thumbprint(jwk, &thumb2), 0, "... and of the header's key");
        is_str(thumb, thumb2, "... the same: the code is bound to the key the proofs carry");

        in.nonce = NULL;
        in.access_token = NULL;
        free(proof);
        proof = NULL;
        jws_clear(&j);
        is_int(dpop_proof_build(&in, &proof), 0, "a token request's proof: no nonce yet, no token");
        is_int(jws_parse(proof, &j, NULL), 0, "... parses");
        ok(!json_object_object_get_ex(j.payload, "nonce", NULL) &&
                   !json_object_object_get_ex(j.payload, "ath", NULL),
           "... with neither nonce nor ath");

        in.method = "GET /x";
        is_int(dpop_proof_build(&in, &proof), -EINVAL, "a method that is no token: refused");
        in.method = "GET";
        in.url = "urn:x:y";
        is_int(dpop_proof_build(&in, &proof), -EINVAL, "a URL that is not http(s): refused");
        in.url = "https://a.example/";
        in.nonce = "bad nonce";
        is_int(dpop_proof_build(&in, &proof), -EINVAL, "a nonce that is no NQCHAR string: refused");
        in.nonce = NULL;
        in.jti = NULL;
        is_int(dpop_proof_build(&in, &proof), -EINVAL, "no jti: refused");
        gnutls_privkey_deinit(key);
}

int main(void) {
        test_ath_and_htu();
        test_nonce_and_method();
        check_proof(JOSE_KEY_EC, "ES256");
        check_proof(JOSE_KEY_RSA, "RS256");
        return tap_done();
}
