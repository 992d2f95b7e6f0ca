/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's one waiter list: arrival order, one call each, and the cases that bite event-driven code (a
 * callback that adds a waiter, or that frees the list's owner). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "waiters.h"

/* What the callbacks saw; userdata is a letter naming the waiter. */
static struct {
        char order[16];
        size_t n;
        int error;
        const char *message;
        void *subject;
} log_;

static void note(void *subject, int error, const char *message, void *userdata) {
        log_.order[log_.n++] = (char) (long) userdata;
        log_.error = error;
        log_.message = message;
        log_.subject = subject;
}

static WaiterList *readd_list;

static void note_and_readd(void *subject, int error, const char *message, void *userdata) {
        note(subject, error, message, userdata);
        /* A callback that starts the next round (a new fetch) adds to the list being finished. */
        (void) waiters_add(readd_list, note, (void *) (long) 'z');
}

typedef struct Owner {
        WaiterList waiters;
} Owner;

static void free_owner(void *subject, int error, const char *message, void *userdata) {
        Owner *o = subject;

        note(subject, error, message, userdata);
        free(o);        /* the owner (an account being removed) goes away inside the first callback */
}

int main(void) {
        WaiterList l = {};
        int subject = 42;

        ok(waiters_empty(&l), "a new list is empty");
        is_int(waiters_add(&l, note, (void *) (long) 'a'), 0, "add a");
        is_int(waiters_add(&l, note, (void *) (long) 'b'), 0, "add b");
        is_int(waiters_add(&l, note, (void *) (long) 'c'), 0, "add c");
        ok(!waiters_empty(&l), "... not empty");
        is_int((int) l.n, 3, "... three waiters");

        waiters_finish(&l, &subject, -ENOLCK, "locked");
        is_str(log_.order, "abc", "answered once each, in arrival order");
        is_int(log_.error, -ENOLCK, "the error reaches the waiters");
        is_str(log_.message, "locked", "... with its message");
        ok(log_.subject == &subject, "... and the subject");
        ok(waiters_empty(&l), "the list is empty afterwards");

        memset(&log_, 0, sizeof(log_));
        waiters_finish(&l, &subject, 0, NULL);
        is_int((int) log_.n, 0, "finishing an empty list calls nobody");

        /* A waiter added while the list is being finished belongs to the next round. */
        readd_list = &l;
        (void) waiters_add(&l, note_and_readd, (void *) (long) 'a');
        (void) waiters_add(&l, note, (void *) (long) 'b');
        waiters_finish(&l, &subject, 0, NULL);
        is_str(log_.order, "ab", "a waiter added during the calls is not called in that round");
        is_int((int) l.n, 1, "... it waits for the next one");
        waiters_finish(&l, &subject, 0, NULL);
        is_str(log_.order, "abz", "... and is called then");
        ok(log_.message == NULL && log_.error == 0, "success carries no message");

        /* The owner of the list is freed by the first callback: the others still run, from the detached
         * list, without touching the owner. AddressSanitizer would see a use after free here. */
        memset(&log_, 0, sizeof(log_));
        Owner *o = calloc(1, sizeof(*o));
        (void) waiters_add(&o->waiters, free_owner, (void *) (long) 'x');
        (void) waiters_add(&o->waiters, note, (void *) (long) 'y');
        waiters_finish(&o->waiters, o, -ESRCH, "The account was removed.");
        is_str(log_.order, "xy", "an owner freed by its first waiter: every waiter still answered");

        return tap_done();
}
