/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* From the moment a process holds a secret or a token: no core dump of it (RLIMIT_CORE 0, and not dumpable,
 * which also keeps other processes of the same user from attaching with ptrace or reading its /proc files).
 *
 * Not earlier in the front ends: while the daemon checks AllowedCallers= it reads the caller's /proc/PID/exe,
 * which a process that is not dumpable hides from it. So a front end calls this once it got its answer (or
 * read a secret for a call that checks no program). Best effort: failures change nothing else. */
void process_hold_secrets(void);
