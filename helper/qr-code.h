/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

/* Prints `text` as a QR code drawn with half blocks (two module rows per line, dark on a light quiet
 * zone), for a phone to scan off the terminal. libqrencode is loaded only here, with dlopen(), so that the
 * other verbs of the command line never load it (as systemd does). -EOPNOTSUPP when it is not installed. */
int qr_code_print(FILE *f, const char *text);
