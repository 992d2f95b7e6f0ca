/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "time-util.h"

/* When a cached token is good enough to hand out, when to refresh it before it expires, and how long to wait
 * before trying a failed request again. Pure arithmetic on microseconds, with the random part passed in, so
 * that every rule is unit-tested without a clock or a server (tests/unit/engine/). */

/* expires_at leaves the daemon in whole seconds, rounded down, so a token with less than a second left could
 * reach a caller as already expired (git drops such a credential at once). None is handed out with less. */
#define TOKEN_MIN_LEFT_USEC USEC_PER_SEC

/* One request and up to three retries for network errors, 5xx and 429. */
#define FETCH_MAX_ATTEMPTS 4U
#define RETRY_BASE_USEC (500ULL * USEC_PER_MSEC)
#define RETRY_MAX_USEC (8ULL * USEC_PER_SEC)
/* A server's Retry-After is honoured up to this long; beyond it the caller would rather hear the error. */
#define RETRY_AFTER_MAX_SEC 30

/* The time a token must have left to be handed out: min-validity, shrunk to a quarter of the token's
 * lifetime for short-lived tokens, never under TOKEN_MIN_LEFT_USEC. lifetime 0: unknown. */
uint64_t token_margin_usec(uint64_t lifetime_usec, uint64_t min_validity_sec);

/* A token expiring at `expires` can be handed out at `now` with `margin` to spare. */
static inline bool token_left_at_least(uint64_t expires, uint64_t now, uint64_t margin) {
        return expires > now && expires - now >= margin;
}

/* How long after a token was fetched to refresh it: at 80% of its life, and before it leaves the usable
 * window (lifetime - margin), less up to 5% jitter taken from `random`, so that many accounts fetched
 * together do not all come back at the same instant; at least half a second. 0: too short-lived to refresh
 * ahead (a second or less). */
uint64_t token_refresh_delay_usec(uint64_t lifetime_usec, uint64_t margin_usec, uint64_t random);

/* The wait before try number attempt + 1 (attempt >= 1 tries were made): the server's Retry-After when it
 * sent one (>= 0), capped at RETRY_AFTER_MAX_SEC; else exponential backoff from RETRY_BASE_USEC up to
 * RETRY_MAX_USEC, half of each step fixed and half taken from `random`. */
uint64_t token_retry_delay_usec(unsigned attempt, int retry_after_sec, uint64_t random);

/* RFC 8628 section 3.5: slow_down adds 5 seconds to the interval for this and all later polls. */
#define DEVICE_SLOW_DOWN_USEC (5ULL * USEC_PER_SEC)
/* A busy server's Retry-After stretches one device poll up to this long; the device code expires anyway. */
#define DEVICE_RETRY_AFTER_MAX_SEC 120

/* The wait before the next device-code poll: the interval, or the server's Retry-After (>= 0) when that is
 * longer, capped at DEVICE_RETRY_AFTER_MAX_SEC. */
uint64_t device_poll_delay_usec(uint64_t interval_usec, int retry_after_sec);
