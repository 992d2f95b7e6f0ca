/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"
#include "failure.h"
#include "http-client.h"
#include "token-response.h"

/* DPoP (RFC 9449) for an account with DPoP=true: its key, made by the daemon on first use and kept in the
 * keyring (secret kind dpop-key), and the proofs signed with it, for its own token requests and for callers'
 * requests to resource servers. The private key never leaves the daemon: a caller gets one proof for one
 * method and URL at a time. Servers' nonces (DPoP-Nonce) are remembered for every account and put in the
 * next proof to the same server: an authorization server's per token endpoint, a resource server's per
 * origin (scheme, host and port). The two are kept apart: an API may be served from its issuer's origin,
 * with nonces of its own. */

typedef enum DpopServer {
        DPOP_AUTHORIZATION_SERVER,      /* proofs for token requests */
        DPOP_RESOURCE_SERVER,           /* proofs for requests with an access token */
} DpopServer;

/* Makes sure the account has its DPoP key; its secrets must be loaded. 1 when it has; 0 when one is being
 * made and stored, and cb(a, error, message, userdata) follows; < 0 on failure to start. */
int account_dpop_key(Account *a, waiter_fn cb, void *userdata);

/* A proof for `method` and `url` of a request to `server`, signed with the account's key: with
 * `access_token`, its hash (ath); with `nonce`, that nonce, else the one remembered for the server, if any.
 * -ENOKEY without a key, -EINVAL for a method, URL or nonce a proof cannot carry, -EBADMSG for a key that
 * cannot sign. */
int account_dpop_proof(Account *a, DpopServer server, const char *method, const char *url,
                       const char *access_token, const char *nonce, char **ret);

/* dpop_jkt for the authorization request: the thumbprint of the account's DPoP key. -ENOKEY, -EBADMSG. */
int account_dpop_jkt(Account *a, char **ret);

/* Remembers the DPoP-Nonce `server` sent for a request to `url` (res->dpop_nonce), for its next proofs. */
void engine_dpop_note_nonce(Engine *eng, DpopServer server, const char *url, const char *nonce);
const char *engine_dpop_nonce(Engine *eng, DpopServer server, const char *url);

/* Whether the server refused a request only for want of its nonce (use_dpop_nonce), which it sent: the
 * request is then sent once more, with a new proof that carries it. */
bool dpop_nonce_wanted(const HttpResult *res, const TokenError *te);

/* GetDPoPProof: the proof for a caller's request to a resource server. Called once with the proof, or
 * -errno and a message. 0 when started, < 0 with `f` set (no such account, DPoP=false, bad arguments). */
typedef void (*dpop_proof_fn)(int error, const char *message, const char *proof, void *userdata);
int dpop_proof_for_caller(Engine *eng, const char *name, const char *method, const char *url,
                          const char *access_token, const char *nonce, dpop_proof_fn done, void *userdata,
                          Failure *f);
