/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The launchers (tokenbroker, git-credential-tokenbroker) answer their hot operation over the token socket
 * and hand everything else to their full program, which speaks D-Bus (wire-api.h). */

/* Replaces this process with the full program `name`, with the same arguments: from the directory
 * $TOKENBROKER_LIBEXECDIR names, else from the launcher's own directory when it is there (a build tree),
 * else from $(pkglibexecdir). Returns only when that failed, after a message: -errno. */
int launcher_exec(const char *name, char *argv[]);
