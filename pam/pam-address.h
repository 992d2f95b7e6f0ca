/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Checks for the values the module takes from the PAM environment. They may come from anywhere (an
 * application's pam_putenv(), a user's ~/.pam_environment), so each one is treated as hostile: bounded in
 * length, printable ASCII only, and of the one form we expect. */

/* An address longer than this is refused before it is looked at. */
#define PAM_BUS_ADDRESS_MAX 512
/* sockaddr_un.sun_path holds 108 bytes with the terminating NUL. */
#define PAM_SOCKET_PATH_MAX 107

/* An absolute path of printable ASCII (no spaces) without "." or ".." components, at most `max` bytes. */
bool pam_path_is_safe(const char *path, size_t max);

/* Accepts only "unix:path=PATH" (PATH may use D-Bus %XX escapes) with an optional ",guid=" of 32 hex
 * digits. Every other transport is refused: "unixexec:" would run a program, "tcp:" would leave the
 * machine, and "unix:abstract=" names a socket no file permission protects.
 * On success returns the unescaped socket path and a normalized address for sd_bus_set_address(); on failure
 * returns -errno and a short reason for the log. */
int pam_bus_address_parse(const char *address, char **ret_path, char **ret_address, const char **ret_reason);

/* "unix:path=" and the path with D-Bus escapes where the address syntax needs them. */
int pam_bus_address_from_path(const char *path, char **ret);

/* Copies at most size-1 bytes of s into buf for a log line, with every byte outside printable ASCII
 * replaced by '?', and "..." at the end when it was cut. Returns buf. */
const char *pam_log_escape(const char *s, char *buf, size_t size);
