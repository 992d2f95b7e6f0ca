/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "process-harden.h"

void process_hold_secrets(void) {
        static const struct rlimit none = { 0, 0 };

        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void) setrlimit(RLIMIT_CORE, &none);
}
