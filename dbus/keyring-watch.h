/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"
#include "manager.h"

/* Subscribes to the Secret Service's changes on the session bus (keyring-watch.c). */
int keyring_watch(Manager *m);

