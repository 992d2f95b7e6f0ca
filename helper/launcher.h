/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The launchers (tokenbroker, git-credential-tokenbroker) answer their hot operation over the token socket
 * and hand everything else to their full program, which speaks D-Bus (wire-api.h). */

/* Replaces this process with the full program `name`, with the same arguments: from the directory
 * $TOKENBROKER_LIBEXECDIR names, else from the launcher's own directory when it is there (a build tree),
 * else from $(pkglibexecdir). Returns only when that failed, after a message: -errno. */
int launcher_exec(const char *name, char *argv[]);

/* Runs the full program `name` (found as above) with its stdin and stdout on /dev/null, and waits: its exit
 * status, or -errno when it could not be started. For a front end that needs the daemon started (D-Bus
 * activation) before it tries the token socket again. */
int launcher_run(const char *name, char *argv[]);
/* The same, its stdout ours. */
int launcher_run_output(const char *name, char *argv[]);

/* The token socket (wire_connect()); when it is absent, the full command line is run once to start the
 * daemon, and the socket is tried again. -errno when there is still none. For the front ends that have no
 * D-Bus program of their own to hand over to. */
int launcher_connect(int *ret_fd);
