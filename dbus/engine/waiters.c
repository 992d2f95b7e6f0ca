/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "waiters.h"

struct Waiter {
        waiter_fn fn;
        void *userdata;
        Waiter *next;
};

int waiters_add(WaiterList *l, waiter_fn fn, void *userdata) {
        Waiter *w = calloc(1, sizeof(*w));

        if (!w)
                return -ENOMEM;
        w->fn = fn;
        w->userdata = userdata;
        if (l->tail)
                l->tail->next = w;
        else
                l->head = w;
        l->tail = w;
        l->n++;
        return 0;
}

void waiters_finish(WaiterList *l, void *subject, int error, const char *message) {
        Waiter *w = l->head;

        *l = (WaiterList) {};
        while (w) {
                Waiter *next = w->next;

                w->fn(subject, error, message, w->userdata);
                free(w);
                w = next;
        }
}
