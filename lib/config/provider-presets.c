/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Provider profiles: the wire quirks of the five services in providers.md, as defaults of generic keys. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "provider-presets.h"
#include "string-util.h"

const char *const provider_names[] = {
        "generic", "flaik", "floriday", "flixcheck", "flume", "sharetribe", NULL,
};

bool provider_is_known(const char *name) {
        if (!name)
                return false;
        for (const char *const *p = provider_names; *p; p++)
                if (streq(*p, name))
                        return true;
        return false;
}

static int set_string(char **field, const char *value) {
        char *c = strdup(value);

        if (!c)
                return -ENOMEM;
        free(*field);
        *field = c;
        return 0;
}

static int set_strv(char ***field, const char *const *values) {
        char **l = calloc(1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        for (; *values; values++)
                if (strv_extend(&l, *values) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
        strv_free(*field);
        *field = l;
        return 0;
}

int provider_preset_apply(AccountConfig *a, const char *name) {
        int r;

        if (!provider_is_known(name))
                return -EINVAL;

        if (streq(name, "flaik")) {
                /* IdentityServer at {auth-url}/connect/token: Basic only, no refresh tokens, 10-minute
                 * tokens; a bad secret comes back as 400 invalid_client (classified like a 401). */
                a->grant = GRANT_CLIENT_CREDENTIALS;
                a->client_auth = CLIENT_AUTH_BASIC;
                a->default_lifetime_sec = 600;
                return 0;
        }

        if (streq(name, "floriday")) {
                /* Okta: client_secret_post (header and body together is a 400), discovery from Issuer=, and
                 * the organisation's API key in X-Api-Key on every API call. */
                a->grant = GRANT_CLIENT_CREDENTIALS;
                a->client_auth = CLIENT_AUTH_POST;
                a->default_lifetime_sec = 3600;
                return set_string(&a->api_key_header, "X-Api-Key");
        }

        if (streq(name, "flixcheck")) {
                static const char *const names[] = {
                        "client_id", "clientId", "redirect_uri", "redirectUri", NULL,
                };
                /* Its code exchange knows neither: "no redirect_uri and no PKCE code_verifier". */
                static const char *const dropped[] = { "redirect_uri", "", "code_verifier", "", NULL };

                /* Authorization code with camelCase names on the authorize page, a JSON token endpoint with
                 * the secret in the body, the token maybe in a "resource" wrapper (the parser falls back to
                 * the top level), the expiry from the JWT when expires_in is missing (60 min). */
                a->grant = GRANT_AUTHORIZATION_CODE;
                a->client_auth = CLIENT_AUTH_POST;
                a->request_encoding = REQUEST_ENCODING_JSON;
                a->default_lifetime_sec = 3600;
                r = set_string(&a->token_path, "/resource");
                if (r < 0)
                        return r;
                r = set_strv(&a->token_param_names, dropped);
                if (r < 0)
                        return r;
                return set_strv(&a->authorize_param_names, names);
        }

        if (streq(name, "flume")) {
                static const char *const claims[] = { "user_id", NULL };

                /* Password grant with a JSON body, the token at data[0] of the envelope, 7-day tokens, and
                 * the JWT's user_id needed for the API's /users/{user_id}/ paths. */
                a->grant = GRANT_PASSWORD;
                a->client_auth = CLIENT_AUTH_POST;
                a->request_encoding = REQUEST_ENCODING_JSON;
                a->default_lifetime_sec = 604800;
                r = set_string(&a->token_path, "/data/0");
                if (r < 0)
                        return r;
                return set_strv(&a->expose_claims, claims);
        }

        if (streq(name, "sharetribe")) {
                /* Form bodies; the secret only for integration client credentials and token exchange,
                 * never for password or refresh (client_id alone). A Marketplace anonymous client
                 * (scope public-read) has no secret at all: ClientAuth=none. */
                a->client_auth = CLIENT_AUTH_POST;
                a->client_auth_per_grant[GRANT_PASSWORD] = CLIENT_AUTH_NONE;
                a->client_auth_per_grant[GRANT_REFRESH_TOKEN] = CLIENT_AUTH_NONE;
                a->default_lifetime_sec = 86400;
                return set_string(&a->revocation_auth, "bearer");
        }

        return 0;       /* generic */
}

/* Floriday's two authorization servers (Okta), as its developer documentation publishes them. */
static const char *floriday_issuer(const char *environment) {
        if (streq_ptr(environment, "staging"))
                return "https://idm.staging.floriday.io/oauth2/ausmw6b47z1BnlHkw0h7";
        if (streq_ptr(environment, "live"))
                return "https://idm.floriday.io/oauth2/aus3testdcf2vyfs70i7";
        return NULL;
}

bool provider_environment_is_valid(const char *provider, const char *environment) {
        return streq_ptr(provider, "floriday") && floriday_issuer(environment);
}

/* The endpoints a service publishes for everyone: filled in when the file names neither TokenURL= nor
 * Issuer=. flaik has one host per customer region and environment, so it has none here. */
static int preset_endpoints(AccountConfig *a) {
        int r;

        if (a->token_url || a->issuer)
                return 0;
        if (streq_ptr(a->provider, "floriday")) {
                const char *issuer = floriday_issuer(a->environment);
                return issuer ? set_string(&a->issuer, issuer) : 0;
        }
        if (streq_ptr(a->provider, "flume"))
                return set_string(&a->token_url, "https://api.flumewater.com/oauth/token");
        if (streq_ptr(a->provider, "flixcheck")) {
                r = set_string(&a->token_url, "https://api.flixcheck.com/guest/v7/oauth-tokens");
                if (r >= 0 && !a->authorize_url)
                        r = set_string(&a->authorize_url, "https://app.flixcheck.com/portal/oauth/authorize");
                return r;
        }
        if (streq_ptr(a->provider, "sharetribe"))
                /* The Marketplace API's host; Integration API apps use flex-integ-api (TokenURL=). */
                return set_string(&a->token_url, "https://flex-api.sharetribe.com/v1/auth/token");
        return 0;
}

int provider_preset_finish(AccountConfig *a) {
        int r;

        r = preset_endpoints(a);
        if (r < 0)
                return r;
        if (!streq_ptr(a->provider, "sharetribe"))
                return 0;

        /* Sharetribe's own exchange grant: the literal "token_exchange" and subject_token only. */
        if (a->grant == GRANT_TOKEN_EXCHANGE && !a->grant_type_value) {
                r = set_string(&a->grant_type_value, "token_exchange");
                if (r < 0)
                        return r;
        }

        /* POST {base}/v1/auth/revoke sits next to {base}/v1/auth/token. */
        if (!a->revocation_url && a->token_url && endswith(a->token_url, "/token")) {
                size_t n = strlen(a->token_url) - strlen("token");
                char *u = malloc(n + strlen("revoke") + 1);

                if (!u)
                        return -ENOMEM;
                memcpy(u, a->token_url, n);
                strcpy(u + n, "revoke");
                a->revocation_url = u;
        }
        return 0;
}
