/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The front ends' side of the token socket (wire-client.c) against a daemon played by a child process on a
 * socket pair: the request it sends, answers short and long, in one piece and in many, and answers that
 * never end: cut short, endless, or stalled. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"
#include "wire-api.h"
#include "wire-client.h"
#include "wire-errors.h"
#include "wire-json.h"

#define SHORT_TIMEOUT_USEC (200U * USEC_PER_MSEC)

typedef enum Play {
        PLAY_WHOLE,             /* the answer in one write */
        PLAY_PIECES,            /* the answer in writes of 997 bytes */
        PLAY_CUT,               /* half the answer, then the connection closes */
        PLAY_STALL,             /* half the answer, then nothing while the connection stays */
        PLAY_SILENT,            /* nothing at all */
        PLAY_ENDLESS,           /* bytes without the NUL that ends a message, past WIRE_REPLY_MAX */
} Play;

static void write_all(int fd, const char *buf, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, buf, size);
                if (n <= 0)
                        _exit(3);
                buf += n;
                size -= (size_t) n;
        }
}

/* The daemon: reads one request, hands it to the parent on REPORT, answers ANSWER (NUL included) as PLAY. */
static _Noreturn void daemon_play(int fd, int report, const char *answer, Play play) {
        char request[WIRE_MESSAGE_MAX];
        size_t size = 0, length = strlen(answer) + 1;

        while (size == 0 || request[size - 1] != 0) {
                ssize_t n = read(fd, request + size, sizeof(request) - size);
                if (n <= 0)
                        _exit(2);
                size += (size_t) n;
        }
        write_all(report, request, size);
        close(report);

        switch (play) {
        case PLAY_WHOLE:
                write_all(fd, answer, length);
                break;
        case PLAY_PIECES:
                for (size_t done = 0; done < length; done += 997) {
                        write_all(fd, answer + done, MIN((size_t) 997, length - done));
                        usleep(100);
                }
                break;
        case PLAY_CUT:
                write_all(fd, answer, length / 2);
                break;
        case PLAY_STALL:
                write_all(fd, answer, length / 2);
                pause();        /* killed by the parent */
                break;
        case PLAY_SILENT:
                pause();
                break;
        case PLAY_ENDLESS: {
                static char junk[WIRE_REPLY_MAX + 4096];
                memset(junk, ' ', sizeof(junk));
                junk[0] = '{';
                /* The client stops reading at its limit and hangs up: a write then fails, which ends this. */
                write_all(fd, junk, sizeof(junk));
                break;
        }
        }
        _exit(0);
}

typedef struct Call {
        int r;
        WireReply reply;
        char request[4096];
} Call;

/* Runs one GetToken call for account "acct" against a daemon playing ANSWER as PLAY, waiting TIMEOUT. */
static void call(const char *answer, Play play, usec_t timeout, Call *ret) {
        _cleanup_json_ json_object *p = json_object_new_object();
        int sv[2], report[2];
        ssize_t n;
        pid_t pid;

        *ret = (Call) {};
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe(report) < 0 || !p ||
            json_object_object_add(p, "account", json_object_new_string("acct")) < 0) {
                ret->r = errno > 0 ? -errno : -EIO;     /* never 0, which would read as an answer */
                return;
        }
        pid = fork();
        if (pid < 0) {
                ret->r = -errno;
                close(sv[0]);
                close(sv[1]);
                close(report[0]);
                close(report[1]);
                return;         /* no daemon to play, and no pid to kill: kill(-1) would reach every process */
        }
        if (pid == 0) {
                close(sv[0]);
                close(report[0]);
                daemon_play(sv[1], report[1], answer, play);
        }
        close(sv[1]);
        close(report[1]);

        ret->r = wire_call_timeout(sv[0], WIRE_METHOD_GET_TOKEN, p, timeout, &ret->reply);
        close(sv[0]);
        n = read(report[0], ret->request, sizeof(ret->request) - 1);
        ret->request[MAX(n, (ssize_t) 0)] = 0;
        close(report[0]);
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

static char *token_answer(size_t token_size) {
        _cleanup_free_ char *token = malloc(token_size + 1);

        if (!token)
                return NULL;
        for (size_t i = 0; i < token_size; i++)
                token[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
        token[token_size] = 0;
        return strjoin("{\"parameters\":{\"token\":\"", token, "\",\"expires_in\":3600}}");
}

static void check_token(const Call *c, size_t token_size, const char *what) {
        const char *t = NULL;

        is_int(c->r, 0, "%s: answered", what);
        ok(!c->reply.error, "%s: no error", what);
        ok(wire_json_get_string(c->reply.parameters, "token", &t) > 0 && strlen(t) == token_size &&
                   t[token_size - 1] == "abcdefghijklmnopqrstuvwxyz0123456789"[(token_size - 1) % 36],
           "%s: the whole token of %zu bytes", what, token_size);
}

static void test_request(void) {
        _cleanup_free_ char *answer = token_answer(300);
        _cleanup_json_ json_object *request = NULL;
        Call c;

        call(answer, PLAY_WHOLE, SHORT_TIMEOUT_USEC, &c);
        check_token(&c, 300, "a short answer in one piece");
        ok(wire_message_parse(c.request, strlen(c.request), &request) >= 0, "the request is one JSON message");
        is_str(json_object_get_string(json_object_object_get(request, "method")), WIRE_METHOD_GET_TOKEN,
               "... naming its method");
        is_str(json_object_get_string(json_object_object_get(json_object_object_get(request, "parameters"),
                                                             "account")),
               "acct", "... with its parameters");
        wire_reply_done(&c.reply);
}

static void test_long_answers(void) {
        /* Beyond the first buffer (4 KiB) and each of its growths, up to near the largest answer. */
        static const size_t sizes[] = { 4000, 4200, 20000, 70000, WIRE_REPLY_MAX - 200 };

        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                _cleanup_free_ char *answer = token_answer(sizes[i]);
                char what[64];
                Call c;

                (void) snprintf(what, sizeof(what), "a token of %zu bytes in pieces", sizes[i]);
                call(answer, PLAY_PIECES, 10 * USEC_PER_SEC, &c);
                check_token(&c, sizes[i], what);
                wire_reply_done(&c.reply);
        }
}

static void test_error_answer(void) {
        Call c;

        call("{\"error\":\"" BROKER_ERROR_NO_SUCH_ACCOUNT "\",\"parameters\":{\"message\":\"No account acct.\"}}",
             PLAY_WHOLE, SHORT_TIMEOUT_USEC, &c);
        is_int(c.r, 0, "an error answer is an answer");
        is_str(c.reply.error, BROKER_ERROR_NO_SUCH_ACCOUNT, "... with its name");
        is_int(wire_reply_errno(&c.reply), -ESRCH, "... and its -errno");
        is_str(wire_reply_message(&c.reply), "No account acct.", "... and its message");
        wire_reply_done(&c.reply);
}

static void test_broken_answers(void) {
        _cleanup_free_ char *answer = token_answer(9000);
        Call c;

        call(answer, PLAY_CUT, 10 * USEC_PER_SEC, &c);
        is_int(c.r, -ECONNRESET, "a daemon that hangs up halfway: -ECONNRESET");
        call(answer, PLAY_ENDLESS, 10 * USEC_PER_SEC, &c);
        is_int(c.r, -EMSGSIZE, "an answer without end: -EMSGSIZE at %u bytes", WIRE_REPLY_MAX);
        /* Both time-outs are driven by the daemon never sending more, not by a race with a clock. */
        call(answer, PLAY_SILENT, SHORT_TIMEOUT_USEC, &c);
        is_int(c.r, -ETIMEDOUT, "a daemon that never answers: -ETIMEDOUT");
        call(answer, PLAY_STALL, SHORT_TIMEOUT_USEC, &c);
        is_int(c.r, -ETIMEDOUT, "a daemon that stops halfway: -ETIMEDOUT");
        call("{\"parameters\":[1]}", PLAY_WHOLE, SHORT_TIMEOUT_USEC, &c);
        is_int(c.r, -EBADMSG, "parameters that are no object: -EBADMSG");
        call("not json", PLAY_WHOLE, SHORT_TIMEOUT_USEC, &c);
        ok(c.r < 0 && !c.reply.root, "an answer that is no JSON: an error (%d), no reply", c.r);
}

int main(void) {
        test_request();
        test_long_answers();
        test_error_answer();
        test_broken_answers();
        return tap_done();
}
