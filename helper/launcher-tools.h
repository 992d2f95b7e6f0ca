/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The verbs the launcher answers itself (launcher-tools.c): an exit status, or -1 when the arguments are not
 * the form answered here, so that the full command line says what is wrong (or prints the help). */
int launcher_kube_credential(int argc, char *argv[]);
int launcher_exec_with_tokens(int argc, char *argv[]);
int launcher_credential_helper(int argc, char *argv[]);
int launcher_goauth(int argc, char *argv[]);
