/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "token-policy.h"

uint64_t token_margin_usec(uint64_t lifetime_usec, uint64_t min_validity_sec) {
        uint64_t margin = min_validity_sec > UINT64_MAX / USEC_PER_SEC ? UINT64_MAX : min_validity_sec * USEC_PER_SEC;

        /* A token that lives less than four margins keeps three quarters of its life usable: a 10-second
         * token is handed out for 7.5 seconds instead of being fetched anew on every call. */
        if (lifetime_usec > 0 && margin > lifetime_usec / 4)
                margin = lifetime_usec / 4;
        return MAX(margin, TOKEN_MIN_LEFT_USEC);
}

uint64_t token_refresh_delay_usec(uint64_t lifetime_usec, uint64_t margin_usec, uint64_t random) {
        uint64_t delay, jitter;

        if (lifetime_usec <= USEC_PER_SEC)
                return 0;
        delay = MIN(lifetime_usec / 10 * 8, lifetime_usec > margin_usec ? lifetime_usec - margin_usec : 0);
        jitter = random % (lifetime_usec / 20 + 1);
        return delay > jitter + USEC_PER_SEC / 2 ? delay - jitter : USEC_PER_SEC / 2;
}

uint64_t token_retry_delay_usec(unsigned attempt, int retry_after_sec, uint64_t random) {
        uint64_t step;

        if (retry_after_sec >= 0)
                return (uint64_t) MIN(retry_after_sec, RETRY_AFTER_MAX_SEC) * USEC_PER_SEC;
        /* attempt 1 waits about RETRY_BASE_USEC, each next one twice as long. */
        step = attempt <= 1 ? RETRY_BASE_USEC : attempt > 8 ? RETRY_MAX_USEC : MIN(RETRY_BASE_USEC << (attempt - 1), RETRY_MAX_USEC);
        return step / 2 + random % (step / 2 + 1);
}

uint64_t device_poll_delay_usec(uint64_t interval_usec, int retry_after_sec) {
        uint64_t after;

        if (retry_after_sec < 0)
                return interval_usec;
        after = (uint64_t) MIN(retry_after_sec, DEVICE_RETRY_AFTER_MAX_SEC) * USEC_PER_SEC;
        return MAX(interval_usec, after);
}
