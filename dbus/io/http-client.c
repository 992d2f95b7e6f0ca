/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc-util.h"
#include "account-file.h"
#include "curl-memory.h"
#include "fs-util.h"
#include "http-client.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

struct HttpClient {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        unsigned in_flight;
        bool refusing;                  /* http_client_refuse_new() */
};

struct HttpRequest {
        HttpClient *client;
        CURL *easy;
        struct curl_slist *headers;
        char *body;
        char *authorization;
        char *response;
        size_t response_size;
        size_t response_alloc;
        int retry_after_sec;
        int too_large;
        char *content_type;
        char *dpop_nonce;
        int ca_fd;                      /* CAFile=, opened and checked here; libcurl reads it by its /proc path */
        int cert_fd, key_fd;            /* the same for the client certificate and its key (a file or a memfd) */
        void *key_map;                  /* the memfd's pages, mapped to lock them in RAM */
        size_t key_map_size;
        char error_buffer[CURL_ERROR_SIZE];
        http_callback_t callback;
        void *userdata;
};

/* Per-socket state libcurl asks us to watch. */
typedef struct SocketWatch {
        HttpClient *client;
        sd_event_source *source;
} SocketWatch;

static void request_free(HttpRequest *r) {
        if (!r)
                return;
        if (r->easy) {
                (void) curl_multi_remove_handle(r->client->multi, r->easy);
                curl_easy_cleanup(r->easy);
        }
        curl_slist_free_all(r->headers);
        if (r->ca_fd >= 0)
                (void) close(r->ca_fd);
        if (r->cert_fd >= 0)
                (void) close(r->cert_fd);
        if (r->key_fd >= 0)
                (void) close(r->key_fd);
        if (r->key_map)
                (void) munmap(r->key_map, r->key_map_size);
        erase_and_free(r->body);
        erase_and_free(r->authorization);
        if (r->response) {
                erase_buffer(r->response, r->response_size);
                free(r->response);
        }
        free(r->content_type);
        free(r->dpop_nonce);
        free(r);
}

static void fd_path(int fd, char path[static 32]) {
        (void) snprintf(path, 32, "/proc/self/fd/%i", fd);
}

/* A memfd holding `text`, for libcurl to read by its path: GnuTLS takes no key blob. */
static int memfd_with(const char *name, const char *text) {
        size_t n = strlen(text);
        int fd = memfd_create(name, MFD_CLOEXEC);

        if (fd < 0)
                return -errno;
        for (const char *s = text; n > 0;) {
                ssize_t k = write(fd, s, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        (void) close(fd);
                        return -EIO;
                }
                s += k;
                n -= (size_t) k;
        }
        return fd;
}

/* RFC 8705: the client certificate and key of this request's handshake, both read by libcurl through the
 * /proc path of a descriptor opened here, the files checked again as at load (a key file must still be
 * private), the keyring's key in a memfd that lives as long as the request. Such a connection is closed after
 * its request and its TLS session is never resumed: no request of another account may travel on this
 * client's identity, and no request of this one on another's. */
static int set_client_certificate(HttpRequest *r, const HttpRequestParams *p) {
        char cert_path[32], key_path[32];
        const char *reason = NULL;

        if (!p->client_cert_file)
                return 0;
        if (open_regular_file_bounded(p->client_cert_file, CLIENT_CERT_FILE_SIZE_MAX, &r->cert_fd, &reason) < 0) {
                log_warning("ClientCertFile=%s: %s.", p->client_cert_file, strna(reason));
                return -EKEYREJECTED;
        }
        if (p->client_key_file) {
                if (open_regular_file_bounded(p->client_key_file, CLIENT_KEY_FILE_SIZE_MAX, &r->key_fd, &reason) < 0 ||
                    fd_is_private(r->key_fd, &reason) < 0) {
                        log_warning("ClientKeyFile=%s: %s.", p->client_key_file, strna(reason));
                        return -EKEYREJECTED;
                }
        } else if (p->client_key_pem) {
                r->key_fd = memfd_with("tokenbroker-tls-key", p->client_key_pem);
                if (r->key_fd < 0)
                        return r->key_fd;
                /* A memfd's pages may be swapped out like any file's: mapped and locked for as long as the
                 * request lives, as the daemon's other copies of secrets are. Best effort, like those. */
                r->key_map_size = strlen(p->client_key_pem);
                r->key_map = mmap(NULL, r->key_map_size, PROT_READ, MAP_SHARED, r->key_fd, 0);
                if (r->key_map == MAP_FAILED)
                        r->key_map = NULL;
                else
                        (void) mlock(r->key_map, r->key_map_size);
        } else
                return -EKEYREJECTED;

        fd_path(r->cert_fd, cert_path);
        fd_path(r->key_fd, key_path);
        (void) curl_easy_setopt(r->easy, CURLOPT_SSLCERT, cert_path);
        (void) curl_easy_setopt(r->easy, CURLOPT_SSLCERTTYPE, "PEM");
        (void) curl_easy_setopt(r->easy, CURLOPT_SSLKEY, key_path);
        (void) curl_easy_setopt(r->easy, CURLOPT_SSLKEYTYPE, "PEM");
        (void) curl_easy_setopt(r->easy, CURLOPT_FRESH_CONNECT, 1L);
        (void) curl_easy_setopt(r->easy, CURLOPT_FORBID_REUSE, 1L);
        (void) curl_easy_setopt(r->easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        return 0;
}

static int map_curl_error(CURLcode c) {
        switch (c) {
        case CURLE_OK:
                return 0;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_WRITE_ERROR:
                return -EFBIG;  /* only our write callback fails, and only over the cap */
        case CURLE_FILESIZE_EXCEEDED:
                return -EFBIG;  /* CURLOPT_MAXFILESIZE: a Content-Length over the cap, refused before the body */
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
                return -EPROTO;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
                return -EINVAL;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
                return -ECONNRESET;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

static void check_finished(HttpClient *c) {
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(c->multi, &left))) {
                HttpRequest *r = NULL;
                HttpResult result = { .retry_after_sec = -1 };
                long status = 0;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                (void) curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &r);
                assert(r);

                result.error = r->too_large ? -EFBIG : map_curl_error(msg->data.result);
                if (result.error < 0)
                        result.error_text = r->error_buffer[0] ? r->error_buffer
                                                                : curl_easy_strerror(msg->data.result);
                else {
                        (void) curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
                        result.status = status;
                        result.body = r->response ?: "";
                        result.body_size = r->response_size;
                        result.retry_after_sec = r->retry_after_sec;
                        result.content_type = r->content_type;
                        result.dpop_nonce = r->dpop_nonce;
                        (void) curl_easy_getinfo(msg->easy_handle, CURLINFO_EFFECTIVE_URL, &result.url);
                }

                c->in_flight--;
                r->callback(&result, r->userdata);
                request_free(r);
        }
}

static int on_socket_event(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SocketWatch *w = userdata;
        HttpClient *c = w->client;
        int action = 0, running;

        if (revents & EPOLLIN)
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;

        (void) curl_multi_socket_action(c->multi, fd, action, &running);
        check_finished(c);
        return 0;
}

static int curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
        HttpClient *c = userp;
        SocketWatch *w = socketp;
        uint32_t events = 0;
        int r;

        if (what == CURL_POLL_REMOVE) {
                if (w) {
                        sd_event_source_disable_unref(w->source);
                        free(w);
                        (void) curl_multi_assign(c->multi, fd, NULL);
                }
                return 0;
        }

        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;

        if (w)
                return sd_event_source_set_io_events(w->source, events) < 0 ? -1 : 0;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -1;
        w->client = c;
        r = sd_event_add_io(c->event, &w->source, fd, events, on_socket_event, w);
        if (r < 0) {
                free(w);
                return -1;
        }
        (void) sd_event_source_set_description(w->source, "curl-socket");
        (void) curl_multi_assign(c->multi, fd, w);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        HttpClient *c = userdata;
        int running;

        (void) curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        check_finished(c);
        return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp) {
        HttpClient *c = userp;
        uint64_t now;
        int r;

        if (timeout_ms < 0)
                return sd_event_source_set_enabled(c->timer, SD_EVENT_OFF) < 0 ? -1 : 0;

        r = sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return -1;
        if (sd_event_source_set_time(c->timer, now + (uint64_t) timeout_ms * 1000ULL) < 0 ||
            sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT) < 0)
                return -1;
        return 0;
}

int http_client_new(sd_event *event, HttpClient **ret) {
        HttpClient *c;
        int r;

        r = curl_init_wiping();
        if (r < 0)
                return r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->multi = curl_multi_init();
        if (!c->multi) {
                http_client_free(c);
                return -ENOMEM;
        }

        /* Accuracy 1 us: curl's timeouts are mostly "now" (start the transfer); sd-event reads 0 as its default
         * of 250 ms, which would delay every request by that much. */
        r = sd_event_add_time(event, &c->timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_timer, c);
        if (r < 0) {
                http_client_free(c);
                return r;
        }
        (void) sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        (void) sd_event_source_set_description(c->timer, "curl-timer");

        (void) curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
        (void) curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
        (void) curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
        (void) curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
        /* Token endpoints are few; keep enough connections open that a busy one is always warm. And never
         * more sockets than that at once: requests beyond wait in libcurl's queue, so that ten thousand
         * accounts warming up cannot use up the daemon's file descriptors (runtime-socket.h). */
        (void) curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long) HTTP_MAX_CONNECTIONS);
        (void) curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long) HTTP_MAX_CONNECTIONS);

        *ret = c;
        return 0;
}

HttpClient *http_client_free(HttpClient *c) {
        if (!c)
                return NULL;
        if (c->multi)
                (void) curl_multi_cleanup(c->multi);
        sd_event_source_disable_unref(c->timer);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

unsigned http_client_in_flight(HttpClient *c) {
        return c->in_flight;
}

void http_client_refuse_new(HttpClient *c) {
        c->refusing = true;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata) {
        HttpRequest *r = userdata;
        size_t n = size * nmemb;

        if (r->response_size + n > HTTP_MAX_RESPONSE) {
                r->too_large = 1;
                return 0;       /* aborts the transfer with CURLE_WRITE_ERROR */
        }
        if (r->response_size + n + 1 > r->response_alloc) {
                size_t a = MAX(r->response_alloc * 2, r->response_size + n + 1);
                char *p = malloc(a);

                if (!p)
                        return 0;
                /* Grow by copy so that the old buffer can be wiped: it may hold part of a token. */
                if (r->response) {
                        memcpy(p, r->response, r->response_size);
                        erase_buffer(r->response, r->response_size);
                        free(r->response);
                }
                r->response = p;
                r->response_alloc = a;
        }
        memcpy(r->response + r->response_size, ptr, n);
        r->response_size += n;
        r->response[r->response_size] = 0;
        return n;
}

static size_t header_cb(char *buffer, size_t size, size_t nitems, void *userdata) {
        HttpRequest *r = userdata;
        size_t n = size * nitems;
        char line[1280];         /* a DPoP-Nonce of up to DPOP_NONCE_MAX (1 KiB) and its name */
        const char *v;

        if (n >= sizeof(line))
                return n;       /* no header we read is this long */
        memcpy(line, buffer, n);
        line[n] = 0;
        line[strcspn(line, "\r\n")] = 0;

        /* A new response (after 100-continue) starts over. */
        if (startswith(line, "HTTP/")) {
                r->retry_after_sec = -1;
                free(r->dpop_nonce);
                r->dpop_nonce = NULL;
                return n;
        }
        if ((v = startswith_no_case(line, "Retry-After:"))) {
                char *end;
                long s;

                v += strspn(v, " \t");
                errno = 0;
                s = strtol(v, &end, 10);
                /* Only the delta-seconds form; an HTTP date is rare from token endpoints and treated as absent. */
                if (errno == 0 && end != v && *end == 0 && s >= 0)
                        r->retry_after_sec = (int) MIN(s, 86400L);
        } else if ((v = startswith_no_case(line, "Content-Type:"))) {
                v += strspn(v, " \t");
                free(r->content_type);
                r->content_type = strdup(v);
        } else if ((v = startswith_no_case(line, "DPoP-Nonce:"))) {
                size_t len;

                v += strspn(v, " \t");
                for (len = strlen(v); len > 0 && strchr(" \t", v[len - 1]); len--)
                        ;
                free(r->dpop_nonce);
                r->dpop_nonce = strndup(v, len);
        }
        return n;
}

int http_url_is_allowed(const char *url) {
        CURLU *u;
        char *scheme = NULL, *host = NULL;
        int ok = 0;

        u = curl_url();
        if (!u)
                return 0;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
                goto finish;

        if (strcasecmp(scheme, "https") == 0)
                ok = 1;
        else if (strcasecmp(scheme, "http") == 0) {
                struct in_addr a4;

                /* An address in 127.0.0.0/8, not any name that starts with "127." (127.example.com). */
                ok = strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
                     (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127);
        }
finish:
        curl_free(scheme);
        curl_free(host);
        curl_url_cleanup(u);
        return ok;
}

int http_client_start(HttpClient *c, const HttpRequestParams *p, http_callback_t cb, void *userdata,
                      HttpRequest **ret) {
        HttpRequest *r;
        CURLMcode mc;
        uint64_t timeout_ms;
        int k;

        if (c->refusing)
                return -ESHUTDOWN;
        if (!http_url_is_allowed(p->url))
                return -EPROTONOSUPPORT;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->client = c;
        r->callback = cb;
        r->userdata = userdata;
        r->retry_after_sec = -1;
        r->ca_fd = r->cert_fd = r->key_fd = -1;

        r->easy = curl_easy_init();
        if (!r->easy)
                goto oom;

        if (p->body) {
                r->body = strdup(p->body);
                if (!r->body)
                        goto oom;
        }

        r->headers = curl_slist_append(NULL, "Accept: application/json");
        if (!r->headers)
                goto oom;
        /* No "Expect: 100-continue" round trip for small bodies. */
        r->headers = curl_slist_append(r->headers, "Expect:");
        if (p->content_type) {
                _cleanup_free_ char *h = strjoin("Content-Type: ", p->content_type);
                if (!h || !curl_slist_append(r->headers, h))
                        goto oom;
        }
        if (p->authorization) {
                r->authorization = strjoin("Authorization: ", p->authorization);
                if (!r->authorization || !curl_slist_append(r->headers, r->authorization))
                        goto oom;
        }
        STRV_FOREACH(h, (char **) p->extra_headers)
                if (!curl_slist_append(r->headers, *h))
                        goto oom;

        (void) curl_easy_setopt(r->easy, CURLOPT_URL, p->url);
        (void) curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
        (void) curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
        (void) curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->error_buffer);
        (void) curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, write_cb);
        (void) curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
        (void) curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, header_cb);
        (void) curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
        (void) curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
        (void) curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYPEER, 1L);
        (void) curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYHOST, 2L);
        (void) curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
        (void) curl_easy_setopt(r->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) HTTP_MAX_RESPONSE);
        timeout_ms = (p->timeout_sec ?: 30) * 1000;
        if (p->deadline_usec > 0) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);

                if (p->deadline_usec <= now + USEC_PER_MSEC) {
                        request_free(r);
                        return -ETIMEDOUT;
                }
                timeout_ms = MIN(timeout_ms, (p->deadline_usec - now) / USEC_PER_MSEC);
        }
        (void) curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
        (void) curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS,
                                (long) MIN(timeout_ms, (p->connect_timeout_sec ?: 10) * 1000));
        (void) curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        (void) curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_TIME, HTTP_STALL_SEC);
        (void) curl_easy_setopt(r->easy, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
        /* Credentials come from the keyring only, never from ~/.netrc. */
        (void) curl_easy_setopt(r->easy, CURLOPT_NETRC, (long) CURL_NETRC_IGNORED);
        if (p->ca_file) {
                char path[sizeof("/proc/self/fd/") + 12];
                const char *reason = NULL;

                /* The file may have changed since the account was loaded: checked again, on the descriptor
                 * libcurl then reads, so that no FIFO or device can block the event loop, and nothing large
                 * is read on it. GnuTLS takes no CA blob, hence the path of our descriptor. */
                k = open_regular_file_bounded(p->ca_file, CA_FILE_SIZE_MAX, &r->ca_fd, &reason);
                if (k < 0) {
                        log_warning("CAFile=%s: %s.", p->ca_file, strna(reason));
                        request_free(r);
                        return -EUCLEAN;
                }
                (void) snprintf(path, sizeof(path), "/proc/self/fd/%i", r->ca_fd);
                (void) curl_easy_setopt(r->easy, CURLOPT_CAINFO, path);
        }
        k = set_client_certificate(r, p);
        if (k < 0) {
                request_free(r);
                return k;
        }

        if (p->method && streq(p->method, "GET"))
                (void) curl_easy_setopt(r->easy, CURLOPT_HTTPGET, 1L);
        else {
                (void) curl_easy_setopt(r->easy, CURLOPT_POST, 1L);
                (void) curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body ?: "");
                (void) curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long) (r->body ? strlen(r->body) : 0));
        }

        mc = curl_multi_add_handle(c->multi, r->easy);
        if (mc != CURLM_OK) {
                request_free(r);
                return -EIO;
        }
        c->in_flight++;

        if (ret)
                *ret = r;
        return 0;

oom:
        request_free(r);
        return -ENOMEM;
}

void http_request_cancel(HttpRequest *r) {
        if (!r)
                return;
        r->client->in_flight--;
        request_free(r);
}
