/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* The idle exit (--exit-idle-sec): off when m->exit_idle_usec is 0. */
int idle_exit_setup(Manager *m);

/* A call arrived: the idle period starts over. */
void manager_note_activity(Manager *m);
