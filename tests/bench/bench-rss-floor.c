/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-rss-floor TOKEN_URL: the memory floor of a daemon built on tokenbrokerd's libraries. It links what
 * tokenbrokerd links (libsystemd, libsecret with GLib, libcurl, json-c) and does once what the daemon does
 * to serve one account: connects to the session bus, looks a secret up in the keyring, posts one
 * client_credentials request with libcurl and parses the answer with json-c. Then it prints "ready" and
 * idles until its standard input closes, keeping nothing. Its RSS is what the shared libraries and their
 * start-up cost any program here; the daemon's row is read against it. */
#include <curl/curl.h>
#include <json-c/json.h>
#include <libsecret/secret.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        json_tokener *tok = userdata;

        (void) json_tokener_parse_ex(tok, data, (int) (size * n));
        return size * n;
}

int main(int argc, char *argv[]) {
        static const SecretSchema schema = {
                "org.tokenbroker.BenchFloor", SECRET_SCHEMA_NONE,
                { { "account", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
        };
        sd_bus *bus = NULL;
        json_tokener *tok;
        GError *error = NULL;
        gchar *secret;
        CURL *curl;
        CURLcode rc;
        char c;

        if (argc != 2)
                return 2;
        if (sd_bus_open_user(&bus) < 0) {
                fputs("bench-rss-floor: no session bus\n", stderr);
                return 1;
        }
        /* Not found is fine: the lookup has opened the Secret Service session all the same. */
        secret = secret_password_lookup_sync(&schema, NULL, &error, "account", "floor", NULL);
        if (error) {
                fprintf(stderr, "bench-rss-floor: keyring: %s\n", error->message);
                return 1;
        }
        secret_password_free(secret);

        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl = curl_easy_init();
        tok = json_tokener_new();
        (void) curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
        (void) curl_easy_setopt(curl, CURLOPT_USERPWD, "basic-client:basic-secret");
        (void) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "grant_type=client_credentials");
        (void) curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        (void) curl_easy_setopt(curl, CURLOPT_WRITEDATA, tok);
        rc = curl_easy_perform(curl);
        if (rc != CURLE_OK) {
                fprintf(stderr, "bench-rss-floor: %s\n", curl_easy_strerror(rc));
                return 1;
        }
        json_tokener_free(tok);
        curl_easy_cleanup(curl);

        puts("ready");
        fflush(stdout);
        while (read(STDIN_FILENO, &c, 1) > 0)
                ;
        sd_bus_flush_close_unref(bus);
        return 0;
}
