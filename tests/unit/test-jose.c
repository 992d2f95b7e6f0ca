/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/jose/ against the RFCs' own examples (RFC 7638 section 3.1, RFC 7515 appendices A.1 and A.3, RFC 8037
 * appendix A.4), round trips of every algorithm through keys GnuTLS makes, and the ID token checks of
 * lib/oauth/id-token.c. */
#include <errno.h>
#include <gnutls/abstract.h>
#include <string.h>

#include "alloc-util.h"
#include "client-assertion.h"
#include "jose-key.h"
#include "form.h"
#include "id-token.h"
#include "json-util.h"
#include "jwk.h"
#include "jws.h"
#include "string-util.h"
#include "tap.h"

/* RFC 7638 section 3.1 */
#define RFC7638_N                                                                                         \
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjB" \
        "ZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8K" \
        "JZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBn" \
        "iIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
#define RFC7638_JWK "{\"kty\": \"RSA\", \"n\": \"" RFC7638_N "\", \"e\": \"AQAB\", \"alg\": \"RS256\", \"kid\": \"2011-04-29\"}"

/* RFC 7515 appendix A.1 (HS256) and A.3 (ES256): the same payload, {"iss":"joe",...} with CRLFs. */
#define RFC7515_PAYLOAD "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
#define A1_INPUT "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." RFC7515_PAYLOAD
#define A1_KEY "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
#define A1_SIG "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define A3_JWK "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"," \
               "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define A3_JWS "eyJhbGciOiJFUzI1NiJ9." RFC7515_PAYLOAD \
               ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

/* RFC 8037 appendix A: an Ed25519 key, and A.4's signature of "Example of Ed25519 signing". */
#define A4_D "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define A4_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define A4_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define A4_SIG "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

static json_object *parse(const char *s) {
        json_object *o = NULL;

        assert(json_parse(s, strlen(s), &o) >= 0);
        return o;
}

static void test_thumbprint(void) {
        _cleanup_json_ json_object *o = parse(RFC7638_JWK), *ec = parse(A3_JWK);
        _cleanup_free_ char *t = NULL, *t2 = NULL;
        Jwk k = {};

        is_int(jwk_thumbprint(o, &t), 0, "RFC 7638 3.1: a thumbprint");
        is_str(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "... the RFC's value, kid and alg left out");
        json_object_object_del(ec, "y");
        is_int(jwk_thumbprint(ec, &t2), -EINVAL, "an EC key without y has no thumbprint");
        is_int(jwk_from_json(o, &k), 0, "the RFC's RSA key is read");
        is_str(k.kid, "2011-04-29", "... with its kid");
        is_str(k.alg, "RS256", "... and its alg");
        jwk_clear(&k);
}

static void test_hs256(void) {
        _cleanup_free_ void *key = NULL;
        _cleanup_free_ char *sig = NULL, *bad = NULL;
        _cleanup_(jws_clear) Jws j = {};
        size_t n;

        assert(base64url_decode(A1_KEY, strlen(A1_KEY), &key, &n) >= 0);
        is_int(jws_sign_input(JWS_HS256, NULL, key, n, A1_INPUT, &sig), 0, "RFC 7515 A.1: HS256 signs");
        is_str(sig, A1_SIG, "... the RFC's signature");
        is_int(jws_parse(A1_INPUT "." A1_SIG, &j, NULL), 0, "... the compact JWS parses");
        is_int(j.alg, JWS_HS256, "... as HS256");
        is_int(jws_verify_hmac(&j, key, n), 0, "... and verifies with the key");
        is_int(jws_verify_hmac(&j, "other", 5), -EKEYREJECTED, "... and not with another");
}

static void test_es256_vector(void) {
        _cleanup_json_ json_object *o = parse(A3_JWK), *rsa = parse(RFC7638_JWK);
        _cleanup_(jws_clear) Jws j = {}, tampered = {};
        _cleanup_(jwk_clear) Jwk k = {}, r = {};
        JwkSet set = { .keys = &k, .n = 1 };

        is_int(jwk_from_json(o, &k), 0, "RFC 7515 A.3: the P-256 key is read");
        is_int(jws_parse(A3_JWS, &j, NULL), 0, "... the JWS parses");
        is_int(jws_verify(&j, &k), 0, "... and its r||s signature verifies");
        is_int(jws_verify_set(&j, &set), 0, "... also found in a set (no kid)");
        is_int(jws_parse("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJtYWxsb3J5In0."
                         "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
                         &tampered, NULL), 0, "another payload with the same signature parses");
        is_int(jws_verify(&tampered, &k), -EKEYREJECTED, "... and does not verify");
        is_int(jwk_from_json(rsa, &r), 0, "an RSA key");
        is_int(jws_verify(&j, &r), -EINVAL, "... cannot check an ES256 signature");
}

static void test_ed25519_vector(void) {
        _cleanup_free_ void *d = NULL, *x = NULL;
        _cleanup_free_ char *sig = NULL;
        gnutls_privkey_t key;
        size_t dn, xn;

        assert(base64url_decode(A4_D, strlen(A4_D), &d, &dn) >= 0);
        assert(base64url_decode(A4_X, strlen(A4_X), &x, &xn) >= 0);
        assert(gnutls_privkey_init(&key) >= 0);
        is_int(gnutls_privkey_import_ecc_raw(key, GNUTLS_ECC_CURVE_ED25519, &(gnutls_datum_t) { x, (unsigned) xn },
                                             NULL, &(gnutls_datum_t) { d, (unsigned) dn }), 0,
               "RFC 8037 A: the Ed25519 key is imported");
        is_int(jws_sign_input(JWS_EDDSA, key, NULL, 0, A4_INPUT, &sig), 0, "RFC 8037 A.4: EdDSA signs");
        is_str(sig, A4_SIG, "... the RFC's (deterministic) signature");
        gnutls_privkey_deinit(key);
}

/* A key of `pk` made by GnuTLS, its public JWK read back, and `rounds` signatures that must all verify. */
static void round_trip(JwsAlg alg, gnutls_pk_algorithm_t pk, unsigned bits, int rounds) {
        gnutls_privkey_t key;
        gnutls_pubkey_t pub;
        _cleanup_json_ json_object *jwk = NULL;
        _cleanup_(jwk_clear) Jwk k = {};
        _cleanup_free_ char *thumb = NULL;
        int bad = 0;

        assert(gnutls_privkey_init(&key) >= 0 && gnutls_pubkey_init(&pub) >= 0);
        assert(gnutls_privkey_generate2(key, pk, bits, 0, NULL, 0) >= 0);
        assert(gnutls_pubkey_import_privkey(pub, key, 0, 0) >= 0);
        is_int(jwk_from_pubkey(pub, &jwk), 0, "%s: the public key as a JWK", jws_alg_to_string(alg));
        is_int(jwk_from_json(jwk, &k), 0, "... read back");
        ok(jwk_thumbprint(jwk, &thumb) == 0 && strlen(thumb) == 43, "... with a thumbprint");
        for (int i = 0; i < rounds; i++) {
                _cleanup_json_ json_object *h = json_object_new_object(), *p = json_object_new_object();
                _cleanup_free_ char *compact = NULL;
                _cleanup_(jws_clear) Jws j = {};

                json_object_object_add(p, "i", json_object_new_int(i));
                if (jws_sign(alg, key, NULL, 0, h, p, &compact) < 0 || jws_parse(compact, &j, NULL) < 0 ||
                    j.alg != alg || jws_verify(&j, &k) < 0)
                        bad++;
        }
        is_int(bad, 0, "... %d signatures verify against it", rounds);
        gnutls_pubkey_deinit(pub);
        gnutls_privkey_deinit(key);
}

static void test_round_trips(void) {
        gnutls_privkey_t ec;
        _cleanup_free_ char *s = NULL;

        /* 200 ECDSA signatures: some r or s start with a zero byte, which the r||s form must keep. */
        round_trip(JWS_ES256, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 200);
        round_trip(JWS_ES384, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 20);
        round_trip(JWS_ES512, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), 20);
        round_trip(JWS_RS256, GNUTLS_PK_RSA, 2048, 3);
        round_trip(JWS_PS256, GNUTLS_PK_RSA, 2048, 3);
        round_trip(JWS_EDDSA, GNUTLS_PK_EDDSA_ED25519, 256, 3);

        assert(gnutls_privkey_init(&ec) >= 0);
        assert(gnutls_privkey_generate2(ec, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0,
                                        NULL, 0) >= 0);
        is_int(jws_sign_input(JWS_ES256, ec, NULL, 0, "a.b", &s), -EINVAL, "a P-384 key does not sign ES256");
        is_int(jws_sign_input(JWS_RS256, ec, NULL, 0, "a.b", &s), -EINVAL, "... nor RS256");
        gnutls_privkey_deinit(ec);
}

static void test_refused(void) {
        _cleanup_(jws_clear) Jws j = {};
        _cleanup_free_ char *err = NULL;

        /* {"alg":"none"} . {"sub":"x"} . */
        is_int(jws_parse("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", &j, &err), -EBADMSG, "alg none is refused");
        /* {"alg":"none"} with a signature part */
        is_int(jws_parse("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln", &j, NULL), -EBADMSG, "... with a signature too");
        /* {"alg":"HS256","crit":["x"]} */
        is_int(jws_parse("eyJhbGciOiJIUzI1NiIsImNyaXQiOlsieCJdfQ.eyJzdWIiOiJ4In0.c2ln", &j, NULL), -EBADMSG,
               "a critical extension is refused");
        is_int(jws_parse("a.b.c.d", &j, NULL), -EBADMSG, "four parts are not a compact JWS");
        is_int(jws_parse("eyJhbGciOiJIUzI1NiJ9.WzEsMl0.c2ln", &j, NULL), -EBADMSG, "a payload that is not an object");
        is_int(jws_parse("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.", &j, NULL), -EBADMSG, "an empty signature");
        is_int(jws_alg_from_string("none"), JWS_ALG_INVALID, "\"none\" is no algorithm");
        is_int(jws_alg_from_string("hs256"), JWS_ALG_INVALID, "names are case-sensitive");
}

static void test_jwks(void) {
        const char *doc = "{\"keys\": [" A3_JWK ", {\"kty\":\"oct\",\"k\":\"AAAA\"}, "
                          "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\"}, " RFC7638_JWK "]}";
        _cleanup_(jwk_set_clear) JwkSet set = {};
        _cleanup_free_ char *err = NULL;
        /* a small RSA modulus: 512 bits */
        const char *small = "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"" "wF3i5Ub1d1ZxUP2cXnJ6yFZ9bXm4Gh1UZ_"
                            "Ec0WW5-Oj2dIXTWf3fWDsY3Jw9XAGZ3sZK0I5d3o4xVZ3kKQ0Jbw\"}]}";
        _cleanup_(jwk_set_clear) JwkSet few = {};

        is_int(jwk_set_parse(doc, strlen(doc), &set, &err), 0, "a JWKS document is read");
        is_int((int) set.n, 2, "... the two signing keys, without the oct and the encryption key");
        is_int(jwk_set_parse("{\"nokeys\":1}", 12, &few, &err), -EBADMSG, "a document without keys is refused");
        ok(err && strstr(err, "JWKS"), "... saying it is not a JWKS document");
        is_int(jwk_set_parse(small, strlen(small), &few, NULL), 0, "a set with a 512-bit RSA key is read");
        is_int((int) few.n, 0, "... without that key");
}

/* An HS256 ID token with the claims of `json`, signed with "secret". */
static char *id_token(const char *json) {
        _cleanup_json_ json_object *h = json_object_new_object(), *p = parse(json);
        char *s = NULL;

        json_object_object_add(h, "kid", json_object_new_string("k1"));
        assert(jws_sign(JWS_HS256, NULL, "secret", 6, h, p, &s) >= 0);
        return s;
}

static int check(const char *json, const char *nonce, char **err) {
        _cleanup_free_ char *t = id_token(json);
        _cleanup_(jws_clear) Jws j = {};
        IdTokenExpect x = { .issuer = "https://op.example", .client_id = "app", .nonce = nonce, .now = 1000000 };

        free(*err);
        *err = NULL;
        assert(jws_parse(t, &j, NULL) >= 0);
        return id_token_check_claims(&j, &x, err);
}

#define GOOD_BUT(extra) "{\"iss\":\"https://op.example\",\"sub\":\"alice\",\"exp\":1000300,\"iat\":999990" extra "}"

static void test_id_token(void) {
        _cleanup_free_ char *err = NULL, *t = NULL;
        _cleanup_(jws_clear) Jws j = {};

        is_int(check(GOOD_BUT(",\"aud\":\"app\",\"nonce\":\"n1\""), "n1", &err), 0, "an ID token for this login passes");
        is_int(check(GOOD_BUT(",\"aud\":[\"app\"]"), NULL, &err), 0, "aud as a one-element array, no nonce sent");
        is_int(check(GOOD_BUT(",\"aud\":[\"app\",\"api\"],\"azp\":\"app\""), NULL, &err), 0,
               "several audiences with azp naming the client");
        is_int(check(GOOD_BUT(",\"aud\":\"app\",\"nonce\":\"n2\""), "n1", &err), -EBADMSG, "another login's nonce");
        ok(err && strstr(err, "nonce"), "... is refused for its nonce: %s", strna(err));
        is_int(check(GOOD_BUT(",\"aud\":\"app\""), "n1", &err), -EBADMSG, "no nonce although one was sent");
        is_int(check(GOOD_BUT(",\"aud\":\"other\",\"nonce\":\"n1\""), "n1", &err), -EBADMSG, "aud for another client");
        ok(err && strstr(err, "aud"), "... is refused for its aud");
        is_int(check(GOOD_BUT(",\"aud\":[\"app\",\"api\"]"), NULL, &err), -EBADMSG, "several audiences, no azp");
        is_int(check(GOOD_BUT(",\"aud\":\"app\",\"azp\":\"api\""), NULL, &err), -EBADMSG, "azp naming another client");
        is_int(check("{\"iss\":\"https://evil.example\",\"sub\":\"a\",\"aud\":\"app\",\"exp\":1000300,\"iat\":999990}",
                     NULL, &err), -EBADMSG, "another issuer");
        ok(err && strstr(err, "iss"), "... is refused for its iss");
        is_int(check("{\"iss\":\"https://op.example/\",\"sub\":\"a\",\"aud\":\"app\",\"exp\":1000300,\"iat\":999990}",
                     NULL, &err), -EBADMSG, "the issuer with a trailing slash is another string: refused");
        is_int(check("{\"iss\":\"https://op.example\",\"sub\":\"a\",\"aud\":\"app\",\"exp\":999939,\"iat\":999000}",
                     NULL, &err), -EBADMSG, "expired beyond the skew");
        is_int(check("{\"iss\":\"https://op.example\",\"sub\":\"a\",\"aud\":\"app\",\"exp\":999950,\"iat\":999000}",
                     NULL, &err), 0, "expired 50 s ago: within the skew");
        is_int(check("{\"iss\":\"https://op.example\",\"sub\":\"a\",\"aud\":\"app\",\"exp\":1000300,\"iat\":1000061}",
                     NULL, &err), -EBADMSG, "issued in the future beyond the skew");
        is_int(check("{\"iss\":\"https://op.example\",\"aud\":\"app\",\"exp\":1000300,\"iat\":999990}", NULL, &err),
               -EBADMSG, "no sub");
        is_int(check("{\"iss\":\"https://op.example\",\"sub\":\"a\",\"aud\":\"app\",\"iat\":999990}", NULL, &err),
               -EBADMSG, "no exp");
        is_int(check("{\"iss\":\"https://op.example\",\"sub\":\"a\",\"aud\":\"app\",\"exp\":\"1000300\",\"iat\":999990}",
                     NULL, &err), -EBADMSG, "exp as a string");

        t = id_token(GOOD_BUT(",\"aud\":\"app\""));
        assert(jws_parse(t, &j, NULL) >= 0);
        is_int(id_token_check_signature(&j, NULL, "secret", &err), 0, "an HS256 ID token checks with the client secret");
        is_int(id_token_check_signature(&j, NULL, "other", &err), -EKEYREJECTED, "... and not with another");
        is_int(id_token_check_signature(&j, NULL, NULL, &err), -EKEYREJECTED, "... nor without one");
        jws_clear(&j);
        {
                _cleanup_json_ json_object *o = parse(A3_JWK);
                _cleanup_(jwk_clear) Jwk k = {};
                JwkSet set = { .keys = &k, .n = 1 };

                assert(jwk_from_json(o, &k) >= 0);
                k.kid = strdup("k2");
                assert(jws_parse(A3_JWS, &j, NULL) >= 0);
                is_int(id_token_check_signature(&j, &set, NULL, &err), 0, "a token without kid: any fitting key");
                jws_clear(&j);
                /* {"alg":"ES256","kid":"k3"} over the A.3 payload and signature */
                assert(jws_parse("eyJhbGciOiJFUzI1NiIsImtpZCI6ImszIn0." RFC7515_PAYLOAD ".c2ln", &j, NULL) >= 0);
                is_int(id_token_check_signature(&j, &set, NULL, &err), -ENOKEY, "an unknown kid: -ENOKEY (fetch again)");
                is_int(id_token_check_signature(&j, NULL, NULL, &err), -ENOKEY, "... and so without any set");
        }
}

/* A key made by jose_key_generate(), loaded back, and a client assertion signed with it. */
static void test_keys_and_assertions(void) {
        for (JoseKeyType t = 0; t < _JOSE_KEY_TYPE_MAX; t++) {
                _cleanup_(erase_and_freep) char *pem = NULL;
                _cleanup_free_ char *a = NULL, *thumb = NULL;
                _cleanup_json_ json_object *jwk = NULL;
                _cleanup_(jws_clear) Jws j = {};
                _cleanup_(jwk_clear) Jwk pub = {};
                gnutls_privkey_t key = NULL;
                int64_t exp = 0;

                is_int(jose_key_generate(t, &pem), 0, "%s: a key is made", t == JOSE_KEY_EC ? "ec" : "rsa");
                ok(pem && strstr(pem, "-----BEGIN PRIVATE KEY-----"), "... as PKCS#8 PEM");
                is_int(jose_key_load(pem, &key), 0, "... and loads");
                is_int(jose_key_alg(key), t == JOSE_KEY_EC ? JWS_ES256 : JWS_RS256, "... signing %s",
                       t == JOSE_KEY_EC ? "ES256" : "RS256");
                is_int(jose_key_public_jwk(key, NULL, &jwk), 0, "... its public JWK");
                ok(!json_object_object_get_ex(jwk, "d", NULL), "... without the private part");
                assert(jwk_thumbprint(jwk, &thumb) >= 0);
                is_str(json_get_string(jwk, "kid"), thumb, "... its kid is its thumbprint");
                is_int(jwk_from_json(jwk, &pub), 0, "... and it reads back");

                ClientAssertionInput in = { .client_id = "app", .audience = "https://op.example/token", .jti = "j1",
                                            .now = 1700000000, .key = key, .kid = json_get_string(jwk, "kid") };
                is_int(client_assertion_build(&in, &a), 0, "... a client assertion is signed");
                is_int(jws_parse(a, &j, NULL), 0, "... it parses");
                is_int(jws_verify(&j, &pub), 0, "... and its signature is the key's");
                is_str(json_get_string(j.header, "kid"), thumb, "... the header names the key");
                ok(streq_ptr(json_get_string(j.payload, "iss"), "app") && streq_ptr(json_get_string(j.payload, "sub"), "app"),
                   "... iss and sub are the client");
                is_str(json_get_string(j.payload, "aud"), "https://op.example/token", "... aud the token endpoint");
                is_str(json_get_string(j.payload, "jti"), "j1", "... with its jti");
                ok(json_get_int64(j.payload, "exp", &exp) == 0 && exp == 1700000000 + CLIENT_ASSERTION_LIFETIME_SEC,
                   "... expiring %d s after iat", CLIENT_ASSERTION_LIFETIME_SEC);
                gnutls_privkey_deinit(key);
        }
        {
                _cleanup_free_ char *a = NULL;
                _cleanup_(jws_clear) Jws j = {};
                ClientAssertionInput in = { .client_id = "app", .audience = "https://op.example/token", .jti = "j2",
                                            .now = 1700000000, .secret = "s3cr3t" };

                is_int(client_assertion_build(&in, &a), 0, "client_secret_jwt: an assertion");
                is_int(jws_parse(a, &j, NULL), 0, "... parses");
                is_int(j.alg, JWS_HS256, "... HS256");
                is_int(jws_verify_hmac(&j, "s3cr3t", 6), 0, "... keyed with the secret");
                ok(!json_object_object_get_ex(j.header, "kid", NULL), "... without a kid");
                in.jti = NULL;
                is_int(client_assertion_build(&in, &a), -EINVAL, "no jti: refused");
        }
        {
                gnutls_privkey_t key;

                is_int(jose_key_load("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", &key), -EBADMSG,
                       "a PEM that is no key does not load");
                is_int(jose_key_type_from_string("dsa"), _JOSE_KEY_TYPE_INVALID, "dsa is no key type here");
        }
}

int main(void) {
        test_thumbprint();
        test_hs256();
        test_es256_vector();
        test_ed25519_vector();
        test_round_trips();
        test_refused();
        test_jwks();
        test_id_token();
        test_keys_and_assertions();
        return tap_done();
}
