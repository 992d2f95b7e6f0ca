/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a token endpoint's answer: pure, no I/O, fuzzed. */

typedef struct TokenResponse {
        char *access_token;             /* wiped on clear */
        char *token_type;               /* "Bearer" (also when none was sent) or "DPoP" */
        char *refresh_token;            /* wiped on clear; NULL if none */
        char *scope;
        char *id_token;                 /* wiped on clear */
        /* expires_in as sent, in seconds. Present and 0 means the token had expired when it was sent: a
         * value of 0 or less is kept as 0. Absent (or null, or no number, or past INT64_MAX):
         * has_expires_in is false and expires_in -1, and token_response_expires_usec() looks elsewhere. */
        bool has_expires_in;
        int64_t expires_in;
} TokenResponse;

typedef struct TokenError {
        char *error;                    /* RFC 6749 error code, or a synthesized one ("http_401", ...) */
        char *description;              /* the server's words, sanitized to printable UTF-8, at most 256 bytes */
        int http_status;
} TokenError;

void token_response_clear(TokenResponse *r);
void token_error_clear(TokenError *e);

/* `token_path` is a JSON pointer to the token object ("" or NULL: top level); when it leads nowhere, a token
 * object at the top level is used instead.
 * Returns 0 and fills *ret for a token; -EREMOTEIO and fills *ret_error when the server refused (RFC 6749
 * error body at any status, including a 200 as device-flow polls get; Flume's envelope with success:false;
 * a non-2xx status without a usable body, as error "http_<status>"); -EBADMSG and fills *ret_error (error
 * "invalid_response", description saying what is wrong) for a 2xx that is not a token response (HTML,
 * truncated JSON, no access_token, token_type other than Bearer or DPoP, an access token longer than
 * BROKER_TOKEN_MAX (wire-api.h) or with characters a Bearer header cannot carry: RFC 6750's b64token, where
 * refresh and ID tokens may be any printable ASCII).
 * *ret and *ret_error are overwritten, not freed first; ret_error may be NULL.
 * Flume's envelope is mapped to error "invalid_grant" when it is a 400 whose words say the refresh token is
 * invalid, expired or revoked; else to "http_<http_code>" (or "provider_error" if it claims a 2xx). */
int token_response_parse(const char *body, size_t size, int http_status, const char *token_path,
                         TokenResponse *ret, TokenError *ret_error);

/* Absolute expiry in CLOCK_REALTIME microseconds, for a request sent at sent_usec: sent_usec itself when
 * expires_in is present and 0 (or was less): the token had expired when it came, and is not to be handed
 * out. Else sent + expires_in (or the JWT's exp when that is earlier and still ahead), else the JWT's exp,
 * else sent + default_lifetime seconds. Saturates at UINT64_MAX. */
uint64_t token_response_expires_usec(const TokenResponse *r, uint64_t sent_usec, int64_t default_lifetime);

/* True for errors that mean the grant itself is dead: the account needs a new login, and retrying cannot
 * help.
 * invalid_grant always; for a refresh also invalid_token, unauthorized_client, access_denied and a bare
 * 400 or 401 without an RFC error code. */
int token_error_is_login_required(const TokenError *e, int grant_was_refresh);
