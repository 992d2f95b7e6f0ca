/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "account.h"
#include "caller.h"
#include "dpop.h"
#include "engine.h"
#include "failure.h"

/* What GetToken, MatchAccount and Invalidate do, whichever transport asked: D-Bus (broker-dbus.c) or the
 * token socket (token-socket-methods.c). Errors come back as a Failure, which each transport maps once, so
 * that both send the same names and messages. */

/* Every account's name, sorted: "the first account whose Hosts= match" must not depend on hashing. */
char **broker_account_names(Engine *eng);

/* The account called `name`, or NULL with `f` set: InvalidArgs for a bad name, Config (EUCLEAN) when its file
 * was refused, saying why, NoSuchAccount otherwise. */
Account *broker_account_named(Engine *eng, const char *name, Failure *f);

/* The caller's uid, then the account called `name`: 0 with *ret, or < 0 with `f` set. */
int broker_find_account(Engine *eng, const Caller *c, const char *name, Account **ret, Failure *f);

/* What a caller asks GetToken for, besides the account. */
typedef struct TokenQuery {
        const char *scope;              /* within Scopes=; NULL: the account's */
        const char *resource;           /* RFC 8707: absolute URIs, space-separated; NULL: the account's */
        uint32_t min_validity;          /* seconds; UINT32_MAX: the account's RefreshSkew */
        bool force_new;                 /* the cached token is forgotten and a new one fetched */
} TokenQuery;

#define TOKEN_QUERY_DEFAULT ((TokenQuery) { .min_validity = UINT32_MAX })

/* GetToken up to its answer: the caller's uid, the account, AllowedCallers=, the scope (normalised; the
 * account's full set is the same entry as none), the resource (NULL or the account's own Resource= set: the
 * account's), min-validity, force-new. Returns 1 when *ret holds a token to hand out now (usable, or
 * unexpired while a retry is pending), 0 when the caller must wait for a fetch of *ret
 * (token_fetch_start*(), single-flight), < 0 with `f` set. */
int broker_token_lookup(Engine *eng, const Caller *c, const char *account, const TokenQuery *q,
                        TokenEntry **ret, Failure *f);

/* MatchAccount after the caller check: the first account (by name) with a Hosts= pattern matching the
 * request, borrowed, or NULL when none does. InvalidArgs without a host. */
int broker_match_account(Engine *eng, const char *protocol, const char *host, const char *path, Account **ret,
                         Failure *f);

/* The account a request from git goes to, for both transports' GitCredential and git's erase: with
 * `account` (the helper's --account), that account if its Hosts= serve the URL; else the first account (by
 * name) whose Hosts= match. 0 with *ret (NULL when none serves the request), or < 0 with `f` set. */
int broker_git_account(Engine *eng, const Caller *c, const char *protocol, const char *host, const char *path,
                       const char *account, Account **ret, Failure *f);

/* GitCredential's token of the account broker_git_account() found: as GetToken's, and Config (EUCLEAN) for
 * an account with DPoP=true, whose tokens git cannot use. */
int broker_git_token_lookup(Engine *eng, const Caller *c, Account *a, TokenEntry **ret, Failure *f);

/* The username git is given with the token: GitUsername=, default "oauth2". */
/* DockerUsername=, or "oauth2accesstoken": the username docker-credential-tokenbroker answers with. */
const char *broker_docker_username(const Account *a);
/* What cargo-credential-tokenbroker puts before the token: "Bearer " (CargoTokenPrefix=Bearer, the default)
 * or "" (CargoTokenPrefix=none: registries that take the raw token). */
const char *broker_cargo_token_prefix(const Account *a);
const char *broker_git_username(const Account *a);

/* GetDPoPProof: the caller's uid, the account, AllowedCallers= (a proof is a credential for one request, as
 * a token is for many), then dpop_proof_for_caller(). */
int broker_dpop_proof(Engine *eng, const Caller *c, const char *name, const char *method, const char *url,
                      const char *access_token, const char *nonce, dpop_proof_fn done, void *userdata,
                      Failure *f);

/* Invalidate: drops the account's cached token equal to `token` (all of them when it is empty). */
int broker_invalidate(Engine *eng, const Caller *c, const char *account, const char *token,
                      Failure *f);
void broker_invalidate_account(Account *a, const char *token);
