/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "pam-options.h"
#include "string-util.h"

void pam_options_init(PamOptions *o) {
        assert(o);

        *o = (PamOptions) {
                .timeout_sec = PAM_OPTIONS_TIMEOUT_DEFAULT_SEC,
        };
}

static int parse_timeout(const char *s, unsigned *ret) {
        unsigned long v;
        char *end;

        /* strtoul() would accept a sign and leading blanks; a service file value has neither. */
        if (isempty(s) || s[0] < '0' || s[0] > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        if (v < 1 || v > PAM_OPTIONS_TIMEOUT_MAX_SEC)
                return -ERANGE;

        *ret = (unsigned) v;
        return 0;
}

int pam_options_parse(PamOptions *o, int argc, const char **argv, pam_options_warn_t warn, void *userdata) {
        int ignored = 0;

        assert(o);
        assert(argc == 0 || argv);

        for (int i = 0; i < argc; i++) {
                const char *arg = argv[i], *v;
                const char *reason = NULL;

                if (!arg)
                        continue;

                if (streq(arg, "debug"))
                        o->debug = true;
                else if (streq(arg, "stderr"))
                        o->log_stderr = true;
                else if ((v = startswith(arg, "timeout="))) {
                        if (parse_timeout(v, &o->timeout_sec) < 0)
                                reason = "invalid timeout (1 to 300 seconds)";
                } else
                        reason = "unknown option";

                if (reason) {
                        ignored++;
                        if (warn)
                                warn(userdata, arg, reason);
                }
        }

        return ignored;
}
