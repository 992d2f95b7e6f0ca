/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What both transports of tokenbrokerd share: the runtime directory, the error names and the token socket.
 *
 * The token socket, $XDG_RUNTIME_DIR/tokenbroker/token, is the front ends' fast path: a SOCK_STREAM socket
 * speaking varlink's framing (each message one JSON object ended by a NUL byte) with four methods of the
 * org.tokenbroker.Broker1 contract. A client of it links libc and json-c only, where a D-Bus client loads
 * libsystemd and, with it, half a dozen libraries that cost a front end most of its start-up time.
 *
 *   -> {"method": "org.tokenbroker.Broker1.GetToken",
 *       "parameters": {"account": S, "scope": S?, "resource": S?, "min-validity": N?, "force-new": B?}}
 *   <- {"parameters": {"token": S, "token_type": S, "expires_at": N, "headers": {S: S, ...}}}
 *
 *   -> {"method": "org.tokenbroker.Broker1.GitCredential",
 *       "parameters": {"protocol": S, "host": S, "path": S?, "account": S?, "tool": "git"|"docker"|"cargo"?}}
 *   <- {"parameters": {"account": ""}}             no account serves the request: git asks its next helper
 *   <- {"parameters": {"account": S, "username": S, "token": S, "token_type": S, "expires_at": N,
 *                      "headers": {S: S, ...}}}
 *      Every front end that finds its account by URL asks here; "username" is GitUsername= (or, for
 *      "tool": "docker", DockerUsername=); for "tool": "cargo" the answer adds "token_prefix" ("Bearer " or
 *      "", CargoTokenPrefix=).
 *
 *   -> {"method": "org.tokenbroker.Broker1.Invalidate", "parameters": {"account": S, "token": S}}
 *   <- {"parameters": {}}
 *      With "protocol", "host" and "path" the account is found as GitCredential finds it ("account" then
 *      only narrows the choice, as the git helper's --account does), and the answer names it ("" if none).
 *
 *   -> {"method": "org.tokenbroker.Broker1.GetDPoPProof",
 *       "parameters": {"account": S, "method": S, "url": S, "access-token": S?, "nonce": S?}}
 *   <- {"parameters": {"proof": S}}
 *
 *   <- {"error": "org.tokenbroker.Error.NoSuchAccount", "parameters": {"message": S, "account": S?}}
 *      Names and messages as the D-Bus methods give them. GitCredential and Invalidate add "account" when
 *      the account was found and what failed was its token; without it, finding the account failed.
 *
 * The daemon serves only its own uid (SO_PEERCRED) and AllowedCallers=, as on the bus; requests are at most
 * WIRE_MESSAGE_MAX bytes and answers WIRE_REPLY_MAX, a connection idle for WIRE_IDLE_TIMEOUT_USEC is closed,
 * and requests are taken one at a time: the next one only once the answer to the last was read. */

#define BROKER_RUNTIME_SUBDIR "tokenbroker"
#define BROKER_TOKEN_SOCKET_NAME "token"

#define WIRE_METHOD_GET_TOKEN "org.tokenbroker.Broker1.GetToken"
#define WIRE_METHOD_GIT_CREDENTIAL "org.tokenbroker.Broker1.GitCredential"
#define WIRE_METHOD_INVALIDATE "org.tokenbroker.Broker1.Invalidate"
#define WIRE_METHOD_GET_DPOP_PROOF "org.tokenbroker.Broker1.GetDPoPProof"

/* One request, its NUL included. */
#define WIRE_MESSAGE_MAX (64U * 1024U)
/* The largest access token tokenbrokerd accepts from a token endpoint (a longer one is refused as a bad
 * response), and so the largest any transport must carry: JWTs with many claims run to a few KiB, and HTTP
 * servers commonly refuse request headers over 8 to 16 KiB in all. */
#define BROKER_TOKEN_MAX 32768U
/* One answer: room for a token of BROKER_TOKEN_MAX, headers and their JSON escapes. */
#define WIRE_REPLY_MAX (256U * 1024U)
#define WIRE_IDLE_TIMEOUT_USEC (10ULL * 1000000ULL)
/* Calls answer within this time on either transport; a cold token fetch is bounded by the daemon's own HTTP
 * time-outs. */
#define BROKER_CALL_TIMEOUT_USEC (90ULL * 1000000ULL)

/* Named errors; each has one errno in wire-errors.h. */
#define BROKER_ERROR_NO_SUCH_ACCOUNT "org.tokenbroker.Error.NoSuchAccount"
#define BROKER_ERROR_LOGIN_REQUIRED "org.tokenbroker.Error.LoginRequired"
#define BROKER_ERROR_KEYRING_LOCKED "org.tokenbroker.Error.KeyringLocked"
#define BROKER_ERROR_PROVIDER "org.tokenbroker.Error.Provider"
#define BROKER_ERROR_BAD_RESPONSE "org.tokenbroker.Error.BadResponse"
#define BROKER_ERROR_UNAVAILABLE "org.tokenbroker.Error.Unavailable"
#define BROKER_ERROR_ACCESS_DENIED "org.tokenbroker.Error.AccessDenied"
#define BROKER_ERROR_INVALID_ARGS "org.tokenbroker.Error.InvalidArgs"
#define BROKER_ERROR_CONFIG "org.tokenbroker.Error.Config"
#define BROKER_ERROR_MISSING_SECRET "org.tokenbroker.Error.MissingSecret"
#define BROKER_ERROR_EXISTS "org.tokenbroker.Error.Exists"

/* The front ends come in two halves. `tokenbroker` and `git-credential-tokenbroker` are launchers that load
 * no libsystemd: they answer their hot operations over the token socket and exec() the full program, which
 * speaks D-Bus, for everything else and whenever the socket is absent. The full programs live in
 * $(pkglibexecdir), or in the directory this variable names (a build tree: both halves side by side). The
 * daemon counts a full program as the launcher it stands in for when it checks AllowedCallers=. */
#define BROKER_FULL_CLI "tokenbroker-cli"
#define BROKER_FULL_GIT_HELPER "git-credential-tokenbroker-bus"
#define BROKER_LIBEXECDIR_ENV "TOKENBROKER_LIBEXECDIR"
