/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "account-file.h"

/* The authorization request (RFC 6749 section 4.1.1 with PKCE, RFC 7636 section 4.3) as the URL the browser
 * opens. Pure. */

typedef struct AuthorizeInput {
        const char *authorize_url;      /* the account's AuthorizeURL= or the discovered endpoint */
        const char *redirect_uri;
        const char *state;
        const char *code_challenge;     /* S256 */
        const char *scope;              /* NULL: the account's Scopes= */
        const char *nonce;              /* OpenID Connect: ties the ID token to this request; NULL: none */
        const char *dpop_jkt;           /* RFC 9449 section 10: the code is only redeemed with this key */
} AuthorizeInput;

/* The URL with response_type, client_id, redirect_uri, scope, state, code_challenge and
 * code_challenge_method (and nonce, dpop_jkt) appended to its query, each renamed or left out as
 * AuthorizeParamNames= says (Flixcheck: clientId, redirectUri). -EINVAL without an authorize URL or client
 * id. */
int authorize_url_build(const AccountConfig *a, const AuthorizeInput *in, char **ret);

/* The same parameters as a form body, for a pushed authorization request (RFC 9126 section 2.1). */
int authorize_query_build(const AccountConfig *a, const AuthorizeInput *in, char **ret);

/* Whether a space-separated scope string has `name` among its scopes ("openid": an OpenID Connect login). */
bool scope_has(const char *scope, const char *name);

/* The name a parameter is sent under, per a name=sent list (AuthorizeParamNames=, TokenParamNames=): the
 * mapped name, "" for "leave it out", else `name` itself. */
const char *param_name_mapped(char * const *names, const char *name);
