/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* Watches the user's and the administrator's account folders and reloads the accounts shortly after a file
 * in them changes (accounts-watch.c). A folder that cannot be watched is logged; `tokenbroker reload` still
 * works then. */
int accounts_watch_start(Manager *m);       /* again: watches what is at the folders' paths now */
void accounts_watch_stop(Manager *m);
