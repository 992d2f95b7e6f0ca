/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"

/* The accounts by the hosts their Hosts= patterns name, so that matching a URL (git's helper, docker's, every
 * URL-based front end) compares it with the few patterns that can match it rather than with every account's:
 * the cost of a request stays the same with 10,000 accounts as with one.
 *
 * Built from eng->accounts on the first match after a change (account_index_invalidate()), so that a reload
 * of many files pays for it once, and only when a URL is asked about. */

typedef struct AccountIndex AccountIndex;

/* The account a request for protocol://host/path belongs to: the first by name (strcmp) of those with a
 * matching Hosts= pattern, as a scan of the sorted names would find it; NULL for none. -ENOMEM when the index
 * could not be built. */
int account_index_match(Engine *eng, const char *protocol, const char *host, const char *path, Account **ret);

/* Drops the index after any change to eng->accounts or to an account's Hosts=. */
void account_index_invalidate(Engine *eng);
