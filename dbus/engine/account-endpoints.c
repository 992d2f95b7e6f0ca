/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "account-endpoints.h"

static const char *configured(const AccountConfig *c, Endpoint which) {
        switch (which) {
        case ENDPOINT_TOKEN:
                return c->token_url;
        case ENDPOINT_AUTHORIZATION:
                return c->authorize_url;
        case ENDPOINT_DEVICE_AUTHORIZATION:
                return c->device_authorization_url;
        case ENDPOINT_REVOCATION:
                return c->revocation_url;
        case ENDPOINT_PUSHED_AUTHORIZATION:
                return NULL;    /* from the metadata only */
        }
        return NULL;
}

static const char *discovered(const ServerMetadata *md, Endpoint which, bool mtls) {
        const MtlsEndpointAliases *alias = &md->mtls_endpoint_aliases;

        /* RFC 8705 section 5: a client with a certificate takes the aliases the server names for it. */
        switch (which) {
        case ENDPOINT_TOKEN:
                return (mtls ? alias->token_endpoint : NULL) ?: md->token_endpoint;
        case ENDPOINT_AUTHORIZATION:
                return md->authorization_endpoint;
        case ENDPOINT_DEVICE_AUTHORIZATION:
                return (mtls ? alias->device_authorization_endpoint : NULL) ?: md->device_authorization_endpoint;
        case ENDPOINT_REVOCATION:
                return (mtls ? alias->revocation_endpoint : NULL) ?: md->revocation_endpoint;
        case ENDPOINT_PUSHED_AUTHORIZATION:
                return (mtls ? alias->pushed_authorization_request_endpoint : NULL) ?:
                        md->pushed_authorization_request_endpoint;
        }
        return NULL;
}

int account_endpoint(Account *a, Endpoint which, waiter_fn cb, void *userdata, const char **ret,
                     const char **ret_failure) {
        const ServerMetadata *md = NULL;
        const char *url = configured(a->config, which);
        int r;

        *ret_failure = NULL;
        if (url || !a->config->issuer) {
                *ret = url;
                return 1;
        }
        r = discovery_resolve(a->engine, a->config->issuer, a->config->ca_file, cb, userdata, &md, ret_failure);
        if (r <= 0)
                return r;
        *ret = discovered(md, which, a->config->client_cert_file);
        return 1;
}

const char *account_endpoint_cached(Account *a, Endpoint which) {
        const ServerMetadata *md;
        const char *url = configured(a->config, which);

        if (url || !a->config->issuer)
                return url;
        md = discovery_cached(a->engine, a->config->issuer);
        return md ? discovered(md, which, a->config->client_cert_file) : NULL;
}
