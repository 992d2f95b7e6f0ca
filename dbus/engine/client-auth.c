/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "client-assertion.h"
#include "client-auth.h"
#include "form.h"
#include "io.h"
#include "jose-key.h"
#include "time-util.h"

char *new_jwt_id(void) {
        uint64_t r[2] = { io_random_u64(), io_random_u64() };

        return base64url_encode(r, sizeof(r));
}

int client_auth_assertion(Account *a, ClientAuth auth, const char *audience, char **ret) {
        _cleanup_free_ char *jti = NULL;
        gnutls_privkey_t key = NULL;
        ClientAssertionInput in = {
                .client_id = a->config->client_id,
                .audience = audience,
                .now = (int64_t) (io_now(CLOCK_REALTIME) / USEC_PER_SEC),
                .kid = a->config->key_id,
        };
        int r;

        *ret = NULL;
        if (auth != CLIENT_AUTH_PRIVATE_KEY_JWT && auth != CLIENT_AUTH_CLIENT_SECRET_JWT)
                return 0;
        if (auth == CLIENT_AUTH_PRIVATE_KEY_JWT) {
                if (!a->private_key)
                        return -ENOKEY;
                r = jose_key_load(a->private_key, &key);
                if (r < 0)
                        return r == -ENOMEM ? r : -EBADMSG;
                in.key = key;
        } else {
                if (!a->client_secret)
                        return -ENOKEY;
                in.secret = a->client_secret;
        }
        jti = new_jwt_id();
        in.jti = jti;
        r = jti ? client_assertion_build(&in, ret) : -ENOMEM;
        if (key)
                gnutls_privkey_deinit(key);
        /* No client id or audience: the account lacks a setting, as for Basic without ClientID=. */
        return r == -EINVAL ? -EUCLEAN : r;
}

char *client_auth_missing_message(Account *a, ClientAuth auth, GrantType grant) {
        char *msg = NULL;
        int r;

        if (grant == GRANT_PASSWORD && !a->password)
                r = asprintf(&msg, "Account '%s' lacks its password: run 'tokenbroker set-secret %s %s'.", a->name,
                             a->name, SECRET_KIND_PASSWORD);
        else if (auth == CLIENT_AUTH_PRIVATE_KEY_JWT)
                r = asprintf(&msg, "Account '%s' lacks its private key (ClientAuth=private_key_jwt): run "
                                   "'tokenbroker keygen %s' and register the public key it prints.", a->name, a->name);
        else
                r = asprintf(&msg, "Account '%s' lacks its client secret for the %s grant: run 'tokenbroker set-secret "
                                   "%s %s'.", a->name, grant_type_to_string(grant), a->name, SECRET_KIND_CLIENT_SECRET);
        return r < 0 ? NULL : msg;
}
