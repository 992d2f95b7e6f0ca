/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "credential-proto.h"
#include "wire-client.h"

/* What the front ends of URL-based tools (docker's, Terraform's, Bazel's, Go's) share: the account that
 * serves a URL, found by the daemon as git's helper finds it (Hosts=), over the token socket (GitCredential),
 * the daemon started through D-Bus first when the socket is absent. Errors are logged ("PROGRAM: ...") and
 * returned as -errno. */

/* `c` holds protocol, host and path; `tool` "docker" or "cargo" for their parts of the answer, else NULL;
 * `account` narrows the choice (still bound by its Hosts=), or NULL. 1 with *reply (account, username, token,
 * token_type, expires_at, headers) when an account serves the URL, 0 when none does. */
int url_credential_get(const Credential *c, const char *tool, const char *account, WireReply *reply);

/* Drops the cached token of the account that serves the URL (what a tool says when the server refused it):
 * 1 when an account serves it, 0 when none does. */
int url_credential_forget(const Credential *c, const char *tool, const char *account);

/* Splits a URL, or a bare host name (then https), as Hosts= are matched. */
int url_credential_parse(const char *url_or_host, Credential *c);
