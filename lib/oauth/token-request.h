/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account-file.h"

/* Builds the HTTP request for one grant at a token endpoint: pure, no I/O, so every provider's quirks are
 * unit-tested without a network. */

typedef struct GrantInput {
        GrantType grant;
        const char *token_url;          /* NULL: the account's TokenURL= (else discovered from its Issuer=) */
        const char *scope;              /* NULL: the account's Scopes; "" sends none */
        const char *resource;           /* RFC 8707: space-separated URIs; NULL: the account's Resource= */
        const char *client_secret;
        const char *client_assertion;   /* ClientAuth=private_key_jwt or client_secret_jwt: made for this request */
        const char *password;
        const char *refresh_token;
        const char *code;
        const char *code_verifier;
        const char *redirect_uri;
        const char *device_code;
        const char *subject_token;
        const char *actor_token;
} GrantInput;

typedef struct TokenRequest {
        char *url;                      /* token URL with TokenURLQuery appended */
        char *content_type;
        char *body;                     /* wiped on clear: carries secrets */
        char *authorization;            /* "Basic ..." or NULL; wiped on clear */
} TokenRequest;

void token_request_clear(TokenRequest *r);

/* The request for `in` against account `a`. -EINVAL if the account has no token URL or `in` lacks the code
 * or device code its grant needs, -ENOKEY if the grant needs a secret that `in` lacks (client secret for
 * basic/post, the assertion for private_key_jwt/client_secret_jwt, password, refresh token, subject token),
 * -EUCLEAN if the account lacks a setting the grant
 * needs (Username for password, ClientID for basic/post, ExtraParams not in pairs). */
int token_request_build(const AccountConfig *a, const GrantInput *in, TokenRequest *ret);

typedef struct RevocationInput {
        const char *url;                /* the revocation endpoint */
        const char *token;              /* what to revoke */
        const char *token_type_hint;    /* "refresh_token" or "access_token" (RFC 7009), or NULL */
        const char *client_secret;
        const char *client_assertion;
        const char *bearer;             /* RevocationAuth=bearer: an access token to authenticate with */
} RevocationInput;

/* The RFC 7009 revocation request (form body, client authenticated by the account's ClientAuth=), or with
 * `bearer` Sharetribe's: an Authorization: Bearer header and token= alone. -EINVAL without a URL or token;
 * -ENOKEY/-EUCLEAN as token_request_build() for the client's authentication. */
int revocation_request_build(const AccountConfig *a, const RevocationInput *in, TokenRequest *ret);

/* The pushed authorization request (RFC 9126 section 2.1) at `url`: the authorization request's parameters
 * (`authorize_query`, from authorize_query_build(), which names the client) with the client authenticated
 * as at the token endpoint. Errors as token_request_build(). */
int pushed_authorization_request_build(const AccountConfig *a, const char *url, const char *authorize_query,
                                       const char *client_secret, const char *client_assertion, TokenRequest *ret);

/* The device authorization request (RFC 8628 section 3.1) at `url`: client_id and scope (NULL: the
 * account's), with the client authenticated per ClientAuth.device_code/ClientAuth=. Errors as
 * token_request_build(). */
int device_authorization_request_build(const AccountConfig *a, const char *url, const char *client_secret,
                                       const char *client_assertion, const char *scope, TokenRequest *ret);
