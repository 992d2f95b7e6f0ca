/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Whether a request from git (protocol, host with optional ":port", optional path) falls under one Hosts=
 * pattern of an account. Pure; used by the daemon's MatchAccount and by the helper for --account.
 *
 * A pattern is [SCHEME://]HOST[:PORT][/PATH]:
 *
 *   SCHEME  compared case-insensitively with the request's protocol. Without a scheme the pattern matches
 *           https, and http only for a loopback host (localhost, 127.0.0.0/8, ::1): a bearer token must not
 *           cross a network in clear text unless the account asks for exactly that with "http://".
 *   HOST    compared case-insensitively; a single trailing dot is ignored. "*." as the first label matches
 *           exactly one label, as in TLS certificates and git's own urlmatch ("*.example.com" matches
 *           "git.example.com", not "example.com" and not "a.b.example.com"). IPv6 literals in brackets.
 *   PORT    must match exactly, where a missing port means the scheme's default (https 443, http 80).
 *   PATH    only compared when the request carries a path (git sends one with credential.useHttpPath):
 *           an fnmatch(3) glob over the path without its leading slash, which also matches everything
 *           below it: "org" and "org/" match "org/repo.git", and so does a glob ending in a slash and a
 *           star, which also matches "org/a/b.git". What lies below is counted in whole segments: "org"
 *           does not match "organisation" or "org-x". The request's path is compared as the server resolves
 *           it: its dot segments removed (RFC 3986 section 5.2.4), so "org/../other" is "other". A path that
 *           servers may read differently matches no pattern with a path: one with a backslash, an encoded
 *           slash or backslash ("%2f", "%5c"), an empty segment inside ("a//b"), a dot segment made of
 *           encoded dots ("%2e%2e": git sends the path decoded once, so it was encoded twice), or a dot
 *           segment with parameters ("..;x").
 *
 * Patterns with userinfo ("user@host"), an empty host, or a malformed port match nothing. */
bool host_pattern_match(const char *pattern, const char *protocol, const char *host, const char *path);

/* For an index of patterns by host (the daemon's, so that a request is compared with the few patterns that can
 * match it, not with every account's): the host name a pattern names, lowercased, without brackets, port
 * and trailing dot, or for "*.rest" the "rest" with *ret_wildcard set. NULL when the pattern matches no
 * request at all (malformed), or on ENOMEM. host_pattern_match() of a request is true only when its
 * host_request_key() equals the pattern's key, or (for a wildcard) its parent does. */
char *host_pattern_key(const char *pattern, bool *ret_wildcard);
/* A request host's key (see host_pattern_key()), and in *ret_parent (may be NULL) the key's part after its
 * first label, which "*." patterns are indexed by (NULL when it has none). NULL when no pattern can match the
 * host, or on ENOMEM. */
char *host_request_key(const char *host, const char **ret_parent);

/* Whether HOST (with optional ":port") names this machine by loopback: "localhost", "*.localhost",
 * 127.0.0.0/8 or [::1]. */
bool host_is_loopback(const char *host);

/* Whether an account picked with the git helper's --account serves a request: one of its Hosts= patterns
 * matches, so that a helper configured for every URL cannot hand its token to a host someone else chose (a
 * submodule URL, a redirect). Without Hosts= the choice of URL is git's configuration
 * (credential.<url>.helper), and only https, or http that stays on this machine, is served. */
bool hosts_serve(char * const *patterns, const char *protocol, const char *host, const char *path);
