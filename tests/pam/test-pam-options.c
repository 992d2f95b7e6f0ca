/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's argument parser: every argument it does not understand is reported and skipped, and the
 * rest still applies. */
#include <string.h>

#include "macro.h"
#include "pam-options.h"
#include "tap.h"

typedef struct Warnings {
        int n;
        char args[8][64];
        char reasons[8][64];
} Warnings;

static void collect(void *userdata, const char *arg, const char *reason) {
        Warnings *w = userdata;

        if (w->n < 8) {
                snprintf(w->args[w->n], sizeof(w->args[0]), "%s", arg);
                snprintf(w->reasons[w->n], sizeof(w->reasons[0]), "%s", reason);
        }
        w->n++;
}

static int parse(PamOptions *o, Warnings *w, int argc, const char **argv) {
        pam_options_init(o);
        *w = (Warnings) {};
        return pam_options_parse(o, argc, argv, collect, w);
}

int main(void) {
        PamOptions o;
        Warnings w;

        pam_options_init(&o);
        ok(!o.debug && !o.log_stderr, "defaults: no debug, no stderr");
        is_int(o.timeout_sec, PAM_OPTIONS_TIMEOUT_DEFAULT_SEC, "default timeout is 10 s");

        is_int(parse(&o, &w, 0, NULL), 0, "no arguments: nothing ignored");
        is_int(w.n, 0, "no arguments: no warning");

        {
                const char *argv[] = { "debug", "timeout=3", "stderr" };

                is_int(parse(&o, &w, ELEMENTSOF(argv), argv), 0, "debug timeout=3 stderr: all understood");
                ok(o.debug, "debug set");
                ok(o.log_stderr, "stderr set");
                is_int(o.timeout_sec, 3, "timeout=3");
        }

        {
                const char *argv[] = { "timeout=300" };

                parse(&o, &w, ELEMENTSOF(argv), argv);
                is_int(o.timeout_sec, 300, "timeout=300 is the largest accepted");
        }

        {
                const char *argv[] = { "timeout=1" };

                parse(&o, &w, ELEMENTSOF(argv), argv);
                is_int(o.timeout_sec, 1, "timeout=1 is the smallest accepted");
        }

        /* Each bad value leaves the default in place and names itself. */
        {
                static const char *bad[] = {
                        "timeout=0", "timeout=301", "timeout=", "timeout=abc", "timeout=-1", "timeout=+5",
                        "timeout= 5", "timeout=5s", "timeout=99999999999999999999999",
                };

                for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                        const char *argv[] = { bad[i] };

                        is_int(parse(&o, &w, 1, argv), 1, "\"%s\" is ignored", bad[i]);
                        is_int(o.timeout_sec, PAM_OPTIONS_TIMEOUT_DEFAULT_SEC, "\"%s\" keeps the default", bad[i]);
                        ok(w.n == 1 && strcmp(w.args[0], bad[i]) == 0 && strstr(w.reasons[0], "invalid timeout"),
                           "\"%s\" is reported as an invalid timeout", bad[i]);
                }
        }

        {
                const char *argv[] = { "timeout=7", "timeout=0" };

                parse(&o, &w, ELEMENTSOF(argv), argv);
                is_int(o.timeout_sec, 7, "a bad later timeout does not undo a good earlier one");
        }

        {
                const char *argv[] = { "bogus", "debug", "Debug", "use_first_pass", "timeout", NULL, "stderr" };

                is_int(parse(&o, &w, ELEMENTSOF(argv), argv), 4, "four unknown arguments ignored, NULL skipped");
                is_int(w.n, 4, "four warnings");
                is_str(w.args[0], "bogus", "first warning names \"bogus\"");
                is_str(w.reasons[0], "unknown option", "reason: unknown option");
                is_str(w.args[1], "Debug", "options are case-sensitive");
                is_str(w.args[2], "use_first_pass", "auth options are not ours");
                is_str(w.args[3], "timeout", "timeout without a value");
                ok(o.debug && o.log_stderr, "the known options around them still apply");
        }

        {
                const char *argv[] = { "bogus" };

                pam_options_init(&o);
                is_int(pam_options_parse(&o, 1, argv, NULL, NULL), 1, "no callback: still counted");
        }

        return tap_done();
}
