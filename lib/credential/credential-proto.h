/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* git's credential helper protocol (git-credential(1), "INPUT/OUTPUT FORMAT"): "key=value" lines ended by a
 * blank line or end of input. Pure: no bus, no logging, so that it can be unit tested and fuzzed.
 *
 * Reading follows git's own credential_read(): the last value of a key wins, "key[]" keys collect a list
 * that an empty value resets, "url=" replaces everything read so far with the parts of the URL, unknown keys
 * are ignored, a trailing "\r" is dropped (git's strbuf_getline() does the same). Stricter than git on
 * purpose: a line without '=', a NUL byte, a line over 65535 bytes including its newline, and a "url=" git
 * could not parse are errors. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes of one line including its "\n", as git-credential(1) allows. */
#define CREDENTIAL_LINE_MAX 65535U

typedef struct Credential {
        char *protocol;
        char *host;                   /* may carry ":port" */
        char *path;
        char *username;
        char *password;               /* secret: wiped on clear */
        char *credential;             /* secret: the pre-encoded credential of the authtype capability */
        char *oauth_refresh_token;    /* secret */
        char *authtype;
        char **wwwauth;               /* wwwauth[], in order; NULL when none */
        char **capabilities;          /* capability[], in order; NULL when none */
        bool ephemeral;
        uint64_t password_expiry_utc; /* 0: not given */
} Credential;

void credential_clear(Credential *c);

/* Parses one line (without its "\n") into c. Returns 1 when the line ends the input (it is blank), 0 when it
 * was taken, -EBADMSG when it is malformed, with a static one-line reason in *ret_reason (never the line's
 * contents: it may be a password). */
int credential_parse_line(Credential *c, const char *line, size_t len, const char **ret_reason);

/* Reads lines from f up to a blank line or EOF. Every buffer that held input is wiped. On failure c is
 * cleared and *ret_message (if given) holds "line N: reason", to be freed. */
int credential_read(FILE *f, Credential *c, char **ret_message);

/* The same over a buffer of n bytes, which need not be NUL-terminated. */
int credential_parse_buffer(const char *buf, size_t n, Credential *c, char **ret_message);

/* Fills protocol/host/path/username/password from a URL the way git's credential_from_url() does:
 * "proto://[user[:password]@]host[:port][/path]", percent-decoded, with slashes around the path trimmed.
 * Everything else in c is reset first. -EBADMSG when there is no scheme or a part decodes to a newline or
 * NUL. */
int credential_from_url(Credential *c, const char *url);

/* Whether the request announced capability[]=NAME. */
bool credential_has_capability(const Credential *c, const char *name);

/* A get or erase request names a protocol and a host (git refuses to ask otherwise): -EINVAL with a static
 * reason when one is missing. An empty host, as in "cert:///path", is a host. */
int credential_check_request(const Credential *c, const char **ret_reason);

/* git's boolean spelling: true/yes/on/nonzero, false/no/off/0/empty. -EINVAL otherwise. */
int credential_parse_bool(const char *v);

/* Writes "key=value\n". Refuses (-EINVAL) a key with '=', '\n' or NUL, and a value with '\n' or '\r'
 * (git would read a different value back). A NULL value writes nothing. */
int credential_write_item(FILE *f, const char *key, const char *value);

/* Writes every field that is set, capabilities first, in git's order. Stops at the first refused value. */
int credential_write(FILE *f, const Credential *c);
