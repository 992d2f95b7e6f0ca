/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* What the front ends (tokenbroker, git-credential-tokenbroker, pam_tokenbroker.so) use to reach the daemon.
 * libc and libsystemd only: no GLib, no libcurl, no libsecret, so that a front end starts fast. */

/* Connects to tokenbrokerd: its private socket $XDG_RUNTIME_DIR/tokenbroker/bus when that answers (the
 * short path), else the session bus, where D-Bus activation starts the daemon. */
int broker_open(sd_bus **ret);

/* As broker_open(), but only the session bus at `address` (the PAM module names the user's bus itself). */
int broker_open_address(const char *address, sd_bus **ret);

/* A method call on the broker object, on either kind of connection. */
int broker_call(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **ret_reply,
                const char *types, ...);

typedef struct BrokerToken {
        char *token;             /* wiped on clear */
        char *token_type;
        int64_t expires_at;      /* Unix seconds */
        char **headers;          /* name, value, name, value, ..., NULL */
        char *scope;             /* GetTokenInfo only: the scopes asked for, NULL if unknown */
        char **claims;           /* GetTokenInfo only: ExposeClaims= of the JWT, unverified; name, value, ... */
        char **claims_json;      /* the same, each value as its JSON text (NULL from an older daemon) */
} BrokerToken;

void broker_token_clear(BrokerToken *t);

/* GetToken's options; NULL, or zeros, for the account's defaults. */
typedef struct BrokerTokenOptions {
        const char *scope;
        const char *resource;
        bool min_validity_set;   /* min_validity: seconds a token must have left; unset: the RefreshSkew= */
        uint32_t min_validity;
        bool force_new;          /* forget the cached token and fetch a new one */
} BrokerTokenOptions;

/* GetToken(account, options); returns -errno from the daemon's named error, with its message left in
 * *error. */
int broker_get_token(sd_bus *bus, const char *account, const BrokerTokenOptions *o, BrokerToken *ret,
                     sd_bus_error *error);

/* GetTokenInfo: the same, with the scope and the exposed claims. */
int broker_get_token_info(sd_bus *bus, const char *account, const BrokerTokenOptions *o, BrokerToken *ret,
                          sd_bus_error *error);

/* GetDPoPProof: a DPoP proof for one request to a resource server, with the hash of `access_token` (may be
 * NULL) and the server's `nonce` (may be NULL). */
int broker_get_dpop_proof(sd_bus *bus, const char *account, const char *method, const char *url,
                          const char *access_token, const char *nonce, char **ret, sd_bus_error *error);

/* A string entry of GetAccount's answer ("" when the daemon sends none). */
int broker_get_account_string(sd_bus *bus, const char *account, const char *key, char **ret, sd_bus_error *error);

/* A one-line reason for the user from a failed call: the daemon's message, or strerror. */
const char *broker_error_message(const sd_bus_error *error, int r);
