/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Authorization server metadata (RFC 8414, OpenID Connect Discovery 1.0): where an issuer's endpoints are.
 * Pure, no I/O, fuzzed with the other parsers. */

/* RFC 8705 section 5: the endpoints a client that authenticates with a TLS certificate (or wants tokens
 * bound to it) uses instead, where a server takes client certificates on other hosts or ports. */
typedef struct MtlsEndpointAliases {
        char *token_endpoint;
        char *device_authorization_endpoint;
        char *revocation_endpoint;
        char *pushed_authorization_request_endpoint;
} MtlsEndpointAliases;

typedef struct ServerMetadata {
        char *issuer;
        char *token_endpoint;
        char *authorization_endpoint;           /* NULL where the document has none */
        char *device_authorization_endpoint;
        char *revocation_endpoint;
        char *jwks_uri;                         /* the issuer's signing keys (ID tokens) */
        char *pushed_authorization_request_endpoint;    /* RFC 9126 */
        bool require_pushed_authorization_requests;
        /* RFC 9207: authorization responses carry iss, and a response without it is refused. */
        bool authorization_response_iss_parameter_supported;
        MtlsEndpointAliases mtls_endpoint_aliases;      /* each NULL where the document names none */
} ServerMetadata;

void server_metadata_clear(ServerMetadata *m);

/* The documents to try for `issuer`, in order, NULL-terminated: RFC 8414's
 * https://host/.well-known/oauth-authorization-server/PATH, the same name appended to the issuer (Okta's
 * legacy form, and RFC 8414's for an issuer without a path), then OpenID Connect's
 * ISSUER/.well-known/openid-configuration. -EINVAL if issuer is not an http(s) URL without query or
 * fragment. */
int server_metadata_urls(const char *issuer, char ***ret);

/* Reads one metadata document. Unknown members are ignored. The document must name `expected_issuer` as
 * its issuer (RFC 8414 section 3.3: identical, here up to one trailing '/'), and have a token endpoint;
 * every endpoint must be an http(s) URL. -EBADMSG otherwise, with *ret_error (may be NULL) saying what is
 * wrong in words that quote no more than the document's issuer. */
int server_metadata_parse(const char *body, size_t size, const char *expected_issuer, ServerMetadata *ret,
                          char **ret_error);
