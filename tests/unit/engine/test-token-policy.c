/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* When a token is handed out, refreshed and retried: the rules that the integration tests could only watch
 * through a live daemon and real sleeps, here as arithmetic with the clock and the dice in the test's hand. */
#include <stdint.h>

#include "tap.h"
#include "token-policy.h"

#define SEC USEC_PER_SEC

static void test_margin(void) {
        /* An hour-long token keeps the configured margin. */
        is_int((long long) token_margin_usec(3600 * SEC, 60), 60 * SEC, "1 h token, 60 s min-validity: 60 s");
        /* Short-lived tokens keep three quarters of their life usable. */
        is_int((long long) token_margin_usec(10 * SEC, 60), 10 * SEC / 4, "10 s token: a quarter, 2.5 s");
        is_int((long long) token_margin_usec(240 * SEC, 60), 60 * SEC, "240 s token: exactly four margins, 60 s");
        is_int((long long) token_margin_usec(239 * SEC, 60), 239 * SEC / 4, "239 s token: just under, a quarter");
        /* Never less than a second: expires_at leaves in whole seconds. */
        is_int((long long) token_margin_usec(2 * SEC, 60), SEC, "2 s token: at least one second");
        is_int((long long) token_margin_usec(3600 * SEC, 0), SEC, "min-validity 0: still one second");
        /* Unknown lifetime: the configured margin. */
        is_int((long long) token_margin_usec(0, 30), 30 * SEC, "lifetime unknown: min-validity as is");
        ok(token_margin_usec(0, UINT64_MAX) == UINT64_MAX, "a huge min-validity saturates instead of wrapping");

        ok(token_left_at_least(100 * SEC, 40 * SEC, 60 * SEC), "60 s left, 60 s margin: usable");
        ok(!token_left_at_least(100 * SEC, 41 * SEC, 60 * SEC), "59 s left: not usable");
        ok(!token_left_at_least(100 * SEC, 100 * SEC, 0), "expiring now: never usable");
        ok(!token_left_at_least(100 * SEC, 200 * SEC, 0), "expired: not usable (no wrap-around)");
}

static void test_refresh_delay(void) {
        /* An hour: 80% of the life, less the jitter (at most 5%). */
        is_int((long long) token_refresh_delay_usec(3600 * SEC, 60 * SEC, 0), 2880 * SEC, "1 h token: at 80%, no jitter");
        is_int((long long) token_refresh_delay_usec(3600 * SEC, 60 * SEC, 180 * SEC), 2880 * SEC - 180 * SEC,
               "... with the most jitter, 5% earlier");
        is_int((long long) token_refresh_delay_usec(3600 * SEC, 60 * SEC, 180 * SEC + 1), 2880 * SEC,
               "... the jitter wraps within 0..5%");
        /* A margin bigger than 20% of the life moves the refresh before the token leaves the usable window. */
        is_int((long long) token_refresh_delay_usec(300 * SEC, 75 * SEC, 0), 225 * SEC,
               "5 min token, 75 s margin: before the usable window closes");
        /* Short-lived: at least half a second; a second or less: not refreshed ahead at all. */
        is_int((long long) token_refresh_delay_usec(2 * SEC, SEC, 0), SEC, "2 s token: after 1 s");
        is_int((long long) token_refresh_delay_usec(1100 * USEC_PER_MSEC, SEC, 0), SEC / 2, "1.1 s token: half a second");
        is_int((long long) token_refresh_delay_usec(SEC, SEC, 0), 0, "1 s token: no refresh ahead");
        is_int((long long) token_refresh_delay_usec(0, SEC, 0), 0, "no lifetime: no refresh ahead");
        for (uint64_t r = 0; r < 1000; r += 7) {
                uint64_t d = token_refresh_delay_usec(3600 * SEC, 60 * SEC, r * 1000003);
                if (d < 2700 * SEC || d > 2880 * SEC) {
                        ok(0, "jitter keeps the refresh between 75%% and 80%% (random %llu: %llu)",
                           (unsigned long long) r, (unsigned long long) d);
                        return;
                }
        }
        ok(1, "jitter keeps the refresh between 75% and 80% of the life");
}

static void test_retry_delay(void) {
        /* Backoff: 0.5 s, 1 s, 2 s, ... up to 8 s, each half fixed and half random. */
        is_int((long long) token_retry_delay_usec(1, -1, 0), 250 * USEC_PER_MSEC, "attempt 1, least random: 0.25 s");
        is_int((long long) token_retry_delay_usec(1, -1, 250 * USEC_PER_MSEC), 500 * USEC_PER_MSEC,
               "attempt 1, most random: 0.5 s");
        is_int((long long) token_retry_delay_usec(2, -1, 0), 500 * USEC_PER_MSEC, "attempt 2: from 0.5 s");
        is_int((long long) token_retry_delay_usec(3, -1, 0), SEC, "attempt 3: from 1 s");
        is_int((long long) token_retry_delay_usec(5, -1, 0), 4 * SEC, "attempt 5: capped step, from 4 s");
        is_int((long long) token_retry_delay_usec(60, -1, 0), 4 * SEC, "attempt 60: no shift overflow");
        is_int((long long) token_retry_delay_usec(0, -1, 0), 250 * USEC_PER_MSEC, "attempt 0 counts as the first");
        /* Retry-After wins, capped. */
        is_int((long long) token_retry_delay_usec(1, 3, 12345), 3 * SEC, "Retry-After: 3 is 3 s exactly");
        is_int((long long) token_retry_delay_usec(1, 0, 12345), 0, "Retry-After: 0 retries at once");
        is_int((long long) token_retry_delay_usec(1, 86400, 0), RETRY_AFTER_MAX_SEC * SEC, "Retry-After: a day is capped");
}

static void test_device_poll(void) {
        is_int((long long) device_poll_delay_usec(5 * SEC, -1), 5 * SEC, "device poll: the interval");
        is_int((long long) device_poll_delay_usec(5 * SEC, 2), 5 * SEC, "... a shorter Retry-After does not speed it up");
        is_int((long long) device_poll_delay_usec(5 * SEC, 20), 20 * SEC, "... a longer Retry-After slows it down");
        is_int((long long) device_poll_delay_usec(5 * SEC, 100000), DEVICE_RETRY_AFTER_MAX_SEC * SEC,
               "... up to a cap");
}

int main(void) {
        test_margin();
        test_refresh_delay();
        test_retry_delay();
        test_device_poll();
        return tap_done();
}
