/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of the enums in account files, and which client auth a grant uses. */

#include "account-file.h"
#include "string-util.h"

static const char *const grant_table[_GRANT_MAX] = {
        [GRANT_CLIENT_CREDENTIALS] = "client_credentials",
        [GRANT_PASSWORD] = "password",
        [GRANT_AUTHORIZATION_CODE] = "authorization_code",
        [GRANT_DEVICE_CODE] = "device_code",
        [GRANT_TOKEN_EXCHANGE] = "token_exchange",
        [GRANT_REFRESH_TOKEN] = "refresh_token",
};

static const char *const client_auth_table[_CLIENT_AUTH_MAX] = {
        [CLIENT_AUTH_BASIC] = "basic",
        [CLIENT_AUTH_POST] = "post",
        [CLIENT_AUTH_NONE] = "none",
        [CLIENT_AUTH_PRIVATE_KEY_JWT] = "private_key_jwt",
        [CLIENT_AUTH_CLIENT_SECRET_JWT] = "client_secret_jwt",
        [CLIENT_AUTH_TLS_CLIENT_AUTH] = "tls_client_auth",
        [CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH] = "self_signed_tls_client_auth",
};

static const char *const request_encoding_table[_REQUEST_ENCODING_MAX] = {
        [REQUEST_ENCODING_FORM] = "form",
        [REQUEST_ENCODING_JSON] = "json",
};

static int table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -1;
}

const char *grant_type_to_string(GrantType g) {
        return g >= 0 && g < _GRANT_MAX ? grant_table[g] : NULL;
}

GrantType grant_type_from_string(const char *s) {
        return (GrantType) table_lookup(grant_table, _GRANT_MAX, s);
}

const char *client_auth_to_string(ClientAuth a) {
        return a >= 0 && a < _CLIENT_AUTH_MAX ? client_auth_table[a] : NULL;
}

ClientAuth client_auth_from_string(const char *s) {
        /* Discovery documents (token_endpoint_auth_methods_supported) use the long names. */
        if (streq_ptr(s, "client_secret_basic"))
                return CLIENT_AUTH_BASIC;
        if (streq_ptr(s, "client_secret_post"))
                return CLIENT_AUTH_POST;
        return (ClientAuth) table_lookup(client_auth_table, _CLIENT_AUTH_MAX, s);
}

const char *request_encoding_to_string(RequestEncoding e) {
        return e >= 0 && e < _REQUEST_ENCODING_MAX ? request_encoding_table[e] : NULL;
}

RequestEncoding request_encoding_from_string(const char *s) {
        return (RequestEncoding) table_lookup(request_encoding_table, _REQUEST_ENCODING_MAX, s);
}

ClientAuth account_config_client_auth(const AccountConfig *a, GrantType g) {
        assert(a);

        if (g >= 0 && g < _GRANT_MAX && a->client_auth_per_grant[g] != _CLIENT_AUTH_INVALID)
                return a->client_auth_per_grant[g];
        return a->client_auth;
}
