/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The authorization code flow's loopback redirect (RFC 8252 sections 7.3 and 8.3): a listener on
 * 127.0.0.1 (or RedirectURI='s loopback host and port) that takes connections of our own uid only, turns away
 * redirects that do not carry this login's state without ending the login, accepts one redirect that does,
 * and answers the browser with a page that says plainly how the login ended.
 *
 * What remains (RFC 8252 section 8.3): a process of the same user can still send a forged redirect first;
 * nothing tells it from the browser, and a process of the same user can read the keyring anyway. PKCE keeps
 * an intercepted code useless to anyone else: the verifier never leaves the daemon. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "authorize-url.h"
#include "discovery.h"
#include "dpop.h"
#include "log.h"
#include "login-internal.h"
#include "loopback-peer.h"
#include "pkce.h"
#include "string-util.h"
#include "token-response.h"

/* Browsers open speculative connections that never send a request; a few are kept, the oldest dropped. */
#define CONNECTIONS_MAX 4

typedef struct Connection {
        LoginSession *session;
        int fd;
        sd_event_source *source;
        char buf[REDIRECT_REQUEST_MAX];
        size_t len;
} Connection;

static void connection_free(Connection *c) {
        if (!c)
                return;
        sd_event_source_disable_unref(c->source);
        if (c->fd >= 0)
                close(c->fd);
        free(c);
}

struct Listener {
        Connection *conns[CONNECTIONS_MAX];
};
typedef struct Listener Listener;

static char *html_escape(const char *s) {
        size_t n = 0;
        char *out, *p;

        for (const char *c = s; *c; c++)
                n += strchr("<>&\"'", *c) ? 6 : 1;
        out = p = malloc(n + 1);
        if (!out)
                return NULL;
        for (const char *c = s; *c; c++)
                switch (*c) {
                case '<': p = stpcpy(p, "&lt;"); break;
                case '>': p = stpcpy(p, "&gt;"); break;
                case '&': p = stpcpy(p, "&amp;"); break;
                case '"': p = stpcpy(p, "&quot;"); break;
                case '\'': p = stpcpy(p, "&#39;"); break;
                default: *p++ = *c;
                }
        *p = 0;
        return out;
}

/* Best effort: the page is small, the socket local; a browser that went away misses nothing important. */
static void send_page(int fd, int status, const char *title, const char *text) {
        _cleanup_free_ char *t = html_escape(title), *x = html_escape(text), *body = NULL, *msg = NULL;
        int n;

        if (!t || !x)
                return;
        if (asprintf(&body,
                     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tokenbroker: %s</title></head>\n"
                     "<body style=\"font-family: sans-serif; margin: 3em\"><h1>%s</h1><p>%s</p></body></html>\n",
                     t, t, x) < 0)
                return;
        n = asprintf(&msg,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                     "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
                     status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request", strlen(body), body);
        if (n < 0)
                return;
        (void) send(fd, msg, (size_t) n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static Listener *listener_of(LoginSession *s) {
        return s->listener;
}

static void drop_connection(Listener *l, Connection *c) {
        for (size_t i = 0; i < CONNECTIONS_MAX; i++)
                if (l->conns[i] == c)
                        l->conns[i] = NULL;
        connection_free(c);
}

static void close_listener(LoginSession *s) {
        Listener *l = listener_of(s);

        if (l) {
                for (size_t i = 0; i < CONNECTIONS_MAX; i++)
                        connection_free(l->conns[i]);
                free(l);
                s->listener = NULL;
        }
        s->listen_source = sd_event_source_disable_unref(s->listen_source);
        if (s->listen_fd >= 0)
                close(s->listen_fd);
        s->listen_fd = -1;
}

void login_loopback_close(LoginSession *s, bool ok, const char *message) {
        _cleanup_free_ char *text = NULL;

        close_listener(s);
        if (s->conn_fd < 0)
                return;
        if (ok) {
                if (asprintf(&text, "tokenbroker has the account '%s' now. You can close this window.", s->account) < 0)
                        text = NULL;
                send_page(s->conn_fd, 200, "Login succeeded", text ?: "You can close this window.");
        } else
                send_page(s->conn_fd, 400, "Login failed", message);
        s->conn_source = sd_event_source_disable_unref(s->conn_source);
        close(s->conn_fd);
        s->conn_fd = -1;
}

static void on_exchange(const HttpResult *res, void *userdata) {
        LoginSession *s = userdata;
        _cleanup_(token_response_clear) TokenResponse tr = {};
        _cleanup_(token_error_clear) TokenError te = {};
        _cleanup_free_ char *msg = NULL;
        Account *a = login_answered(s);
        int r;

        if (!a)
                return;
        if (res->error < 0) {
                if (asprintf(&msg, "The token endpoint cannot be reached: %s", strna(res->error_text)) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "Unreachable.");
                return;
        }
        r = token_response_parse(res->body, res->body_size, (int) res->status, a->config->token_path, &tr, &te);
        if (r == -EREMOTEIO && login_dpop_retry(s, a, res, &te, on_exchange))
                return;
        if (r < 0) {
                if (asprintf(&msg, "The code exchange failed: %s%s%s (HTTP %ld)", strna(te.error),
                             te.description ? ": " : "", strempty(te.description), res->status) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "The code exchange failed.");
                return;
        }
        login_accept(s, &tr);
}

/* One complete request line from the browser: the redirect, or something else to turn away. */
static void handle_request(LoginSession *s, Listener *l, Connection *c, const RedirectRequest *req) {
        _cleanup_free_ char *msg = NULL;
        Account *a;
        int r;

        if (!streq(req->path, s->redirect_path)) {
                send_page(c->fd, 404, "Not found", "This is tokenbroker's login redirect; nothing else is here.");
                drop_connection(l, c);
                return;
        }

        /* A redirect that does not carry this login's state was not caused by it (an old tab, or a forgery):
         * it is turned away and the login goes on, so that nobody can end someone's login by sending one. */
        if (!req->state || !s->state || !streq(req->state, s->state)) {
                log_warning("Account '%s': a redirect with a state that is not this login's was turned away.",
                            s->account);
                send_page(c->fd, 400, "Not this login",
                          "The redirect's state does not match the login in progress: it was not started here, or "
                          "it is an old one. Nothing was stored; the login in progress goes on.");
                drop_connection(l, c);
                return;
        }

        /* From here on this connection is the one the login's outcome is shown on. */
        s->conn_fd = TAKE_FD(c->fd);
        drop_connection(l, c);
        close_listener(s);              /* one use: a second redirect finds nobody listening */
        a = engine_account(s->engine, s->account);
        if (!a) {
                login_finish(s, false, "The account was removed.");
                return;
        }
        if (login_check_response_issuer(s, a, req->iss, &msg) < 0) {
                login_finish(s, false, msg ?: "The authorization response names another issuer.");
                return;
        }
        if (req->error) {
                if (asprintf(&msg, "The authorization server refused: %s%s%s", req->error,
                             req->error_description ? ": " : "", strempty(req->error_description)) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "The authorization server refused.");
                return;
        }
        if (isempty(req->code)) {
                login_finish(s, false, "The redirect carries no authorization code.");
                return;
        }
        r = login_token_request(s, req->code, on_exchange, &msg);
        if (r < 0) {
                if (!msg && r == -ENOKEY)
                        msg = strdup("The account lacks its client secret for the code exchange.");
                login_finish(s, false, msg ?: "Failed to start the code exchange.");
        }
}

static int on_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Connection *c = userdata;
        LoginSession *s = c->session;
        Listener *l = listener_of(s);
        _cleanup_(redirect_request_clear) RedirectRequest req = {};
        ssize_t n;
        int r;

        n = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                drop_connection(l, c);
                return 0;
        }
        c->len += (size_t) n;
        r = redirect_request_parse(c->buf, c->len, &req);
        if (r == -EAGAIN)
                return 0;
        if (r < 0) {
                send_page(fd, 400, "Bad request", "This is tokenbroker's login redirect; the request was not understood.");
                drop_connection(l, c);
                return 0;
        }
        handle_request(s, l, c, &req);
        return 0;
}

static int on_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        LoginSession *s = userdata;
        Listener *l = listener_of(s);
        Connection *c;
        size_t slot = 0;
        uid_t uid;
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
                return 0;
        /* Any user of the machine can reach a loopback port, and the authorization URL (its state, the port)
         * is in the browser's command line, which every user can read: a redirect from another user's
         * process would hand this account their grant. Refused before a byte is read. */
        r = loopback_peer_uid(cfd, &uid);
        if (r < 0 || uid != geteuid()) {
                if (s->refused++ == 0)
                        log_warning("Account '%s': refused a connection to the login's redirect listener from %s%u.",
                                    s->account, r < 0 ? "an unknown user, " : "uid ", r < 0 ? 0U : (unsigned) uid);
                close(cfd);
                return 0;
        }
        for (size_t i = 0; i < CONNECTIONS_MAX; i++)
                if (!l->conns[i]) {
                        slot = i;
                        break;
                } else if (i == CONNECTIONS_MAX - 1) {
                        drop_connection(l, l->conns[0]);        /* the oldest, most likely idle */
                        slot = 0;
                }
        c = calloc(1, sizeof(*c));
        if (!c) {
                close(cfd);
                return 0;
        }
        c->session = s;
        c->fd = cfd;
        if (sd_event_add_io(s->engine->event, &c->source, cfd, EPOLLIN, on_readable, c) < 0) {
                connection_free(c);
                return 0;
        }
        l->conns[slot] = c;
        return 0;
}

/* Host, port and path of the loopback redirect URI, by libcurl's URL parser. Port 0: any. */
static int parse_redirect_uri(const char *uri, struct sockaddr_storage *ret_sa, socklen_t *ret_len, char **ret_path) {
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
        int r = -EINVAL;

        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, uri, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || strcasecmp(scheme, "http") != 0 ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
                goto finish;
        (void) curl_url_get(u, CURLUPART_PORT, &port, 0);

        memset(ret_sa, 0, sizeof(*ret_sa));
        if (strcasecmp(host, "localhost") == 0 || startswith(host, "127.")) {
                struct sockaddr_in *in = (struct sockaddr_in *) ret_sa;

                in->sin_family = AF_INET;
                in->sin_port = htons(port ? (uint16_t) atoi(port) : 0);
                if (inet_pton(AF_INET, strcasecmp(host, "localhost") == 0 ? "127.0.0.1" : host, &in->sin_addr) != 1)
                        goto finish;
                *ret_len = sizeof(*in);
        } else if (streq(host, "[::1]")) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ret_sa;

                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons(port ? (uint16_t) atoi(port) : 0);
                in6->sin6_addr = in6addr_loopback;
                *ret_len = sizeof(*in6);
        } else
                goto finish;    /* RFC 8252 section 8.3: loopback only */

        *ret_path = strdup(path);
        r = *ret_path ? 0 : -ENOMEM;
finish:
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_url_cleanup(u);
        return r;
}

static int open_listener(LoginSession *s, const AccountConfig *c) {
        struct sockaddr_storage sa;
        socklen_t len;
        uint16_t port;
        int one = 1, r;

        r = parse_redirect_uri(c->redirect_uri ?: "http://127.0.0.1/", &sa, &len, &s->redirect_path);
        if (r < 0)
                return r;
        s->listen_fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->listen_fd < 0)
                return -errno;
        (void) setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(s->listen_fd, (struct sockaddr *) &sa, len) < 0 || listen(s->listen_fd, CONNECTIONS_MAX) < 0 ||
            getsockname(s->listen_fd, (struct sockaddr *) &sa, &len) < 0)
                return -errno;
        port = ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *) &sa)->sin_port
                                             : ((struct sockaddr_in6 *) &sa)->sin6_port);

        if (c->redirect_uri && !strstr(c->redirect_uri, ":0/"))
                s->redirect_uri = strdup(c->redirect_uri);     /* registered exactly: sent exactly */
        else if (asprintf(&s->redirect_uri, "http://%s:%u%s", sa.ss_family == AF_INET ? "127.0.0.1" : "[::1]",
                          (unsigned) port, s->redirect_path) < 0)
                s->redirect_uri = NULL;
        if (!s->redirect_uri)
                return -ENOMEM;
        return 0;
}

int login_loopback_start(LoginSession *s, Account *a, const char *authorize_url) {
        _cleanup_free_ char *challenge = NULL, *url = NULL, *msg = NULL, *query = NULL, *jkt = NULL;
        const ServerMetadata *md;
        bool par;
        int r;

        r = open_listener(s, a->config);
        if (r < 0) {
                if (asprintf(&msg, "Cannot listen for the login's redirect on %s: %s",
                             strna(a->config->redirect_uri ?: "127.0.0.1"),
                             r == -EINVAL ? "RedirectURI= must be an http:// URL on a loopback address" : strerror(-r)) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "Cannot listen for the redirect.");
                return -1;
        }
        if (oauth_state_new(&s->state) < 0 || pkce_verifier_new(&s->verifier) < 0 ||
            pkce_challenge_s256(s->verifier, &challenge) < 0 ||
            (scope_has(a->config->scopes, "openid") && oidc_nonce_new(&s->nonce) < 0)) {
                login_finish(s, false, "Cannot make the login's random values.");
                return -1;
        }
        if (a->config->dpop && account_dpop_jkt(a, &jkt) < 0) {
                login_finish(s, false, "The account's dpop-key secret is not a key that can sign.");
                return -1;
        }
        AuthorizeInput in = {
                .authorize_url = authorize_url,
                .redirect_uri = s->redirect_uri,
                .state = s->state,
                .code_challenge = challenge,
                .nonce = s->nonce,
                .dpop_jkt = jkt,
        };
        md = a->config->issuer ? discovery_cached(s->engine, a->config->issuer) : NULL;
        par = a->config->par || (md && md->require_pushed_authorization_requests);
        r = par ? authorize_query_build(a->config, &in, &query) : authorize_url_build(a->config, &in, &url);
        if (r < 0) {
                login_finish(s, false, "Cannot build the authorization request (ClientID= missing?).");
                return -1;
        }

        s->listener = calloc(1, sizeof(Listener));
        if (!s->listener ||
            sd_event_add_io(s->engine->event, &s->listen_source, s->listen_fd, EPOLLIN, on_accept, s) < 0) {
                login_finish(s, false, "Cannot watch the redirect listener.");
                return -1;
        }
        log_info("Account '%s': waiting for the login's redirect at %s.", s->account, s->redirect_uri);

        if (par)
                return login_push_request(s, a, md, authorize_url, query);
        login_report_url(s, url);
        return 0;
}
