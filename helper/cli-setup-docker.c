/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tokenbroker setup-docker`: makes docker, podman, skopeo and buildah ask docker-credential-tokenbroker for
 * the registries the broker serves, by a "credHelpers" entry per registry in the two files those tools read:
 * docker's config.json and the containers' auth.json.
 *
 * credHelpers, not credsStore: a credsStore takes every registry, so `docker login` to any other registry
 * would be refused by our `store`. The files are the user's: everything else in them is kept, an entry for
 * another helper is replaced only for the registries named (and said so), and the file is replaced
 * atomically with its mode kept, so a crash leaves the old file or the new one, never half of one. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "cli.h"
#include "exit-status.h"
#include "fs-util.h"
#include "string-util.h"

#define DOCKER_HELPER_NAME "docker-credential-tokenbroker"
#define HELPER_SUFFIX "tokenbroker"     /* the tools run docker-credential-<this> */
#define CONFIG_MAX_SIZE (4u << 20)

/* A registry as the tools key credHelpers: HOST or HOST:PORT, from a name, a URL or a Hosts= pattern (its
 * scheme and path dropped). NULL for a pattern with a wildcard host, which names no one registry, or for
 * anything that is no host name. */
static char *registry_key(const char *s) {
        const char *p = strstr(s, "://"), *end;
        char *key;

        p = p ? p + 3 : s;
        end = p + strcspn(p, "/");
        if (end == p || (size_t) (end - p) > 255)
                return NULL;
        key = strndup(p, (size_t) (end - p));
        if (!key)
                return NULL;
        if (key[strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")] != '\0' ||
            key[0] == '.' || key[0] == '-' || key[0] == ':') {
                free(key);
                return NULL;
        }
        return key;
}

/* The registries of every account's Hosts=, each once. */
static int registries_of_accounts(char ***ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **names = NULL, **keys = NULL;
        int r;

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = cli_account_names(bus, "setup-docker", &names);
        if (r != EXIT_OK)
                return r;
        STRV_FOREACH(n, names) {
                _cleanup_strv_free_ char **hosts = NULL;

                if (cli_account_strv(bus, *n, "hosts", &hosts) != EXIT_OK)
                        continue;
                STRV_FOREACH(h, hosts) {
                        char *k = registry_key(*h);

                        if (!k || strv_contains(keys, k)) {
                                free(k);
                                continue;
                        }
                        if (strv_push(&keys, k) < 0)
                                return cli_fail("setup-docker", NULL, -ENOMEM);
                }
        }
        *ret = TAKE_PTR(keys);
        return EXIT_OK;
}

/* Reads `path` as a JSON object: a new empty one when the file does not exist. The error is printed. */
static int config_read(const char *path, json_object **ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_erase_ char *buf = NULL;     /* the file may hold other registries' passwords */
        json_tokener *tok;
        json_object *obj;
        const char *why;
        size_t len = 0;
        ssize_t k;
        int r;

        r = open_regular_file_bounded(path, CONFIG_MAX_SIZE, &fd, &why);
        if (r == -ENOENT) {
                *ret = json_object_new_object();
                return *ret ? EXIT_OK : cli_fail("setup-docker", NULL, -ENOMEM);
        }
        if (r < 0) {
                fprintf(stderr, "tokenbroker: setup-docker: %s %s; not touching it.\n", path, why);
                return EXIT_CONFIG;
        }
        buf = calloc(1, CONFIG_MAX_SIZE + 1);  /* zeroed: erase_and_free() wipes up to its NUL */
        if (!buf)
                return cli_fail("setup-docker", NULL, -ENOMEM);
        while (len < CONFIG_MAX_SIZE && (k = read(fd, buf + len, CONFIG_MAX_SIZE - len)) != 0) {
                if (k < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        fprintf(stderr, "tokenbroker: setup-docker: cannot read %s: %m\n", path);
                        return EXIT_FAILURE_OTHER;
                }
                len += (size_t) k;
        }
        buf[len] = '\0';
        if (strspn(buf, " \t\r\n") >= len) {    /* an empty file, as `touch` leaves it */
                *ret = json_object_new_object();
                return *ret ? EXIT_OK : cli_fail("setup-docker", NULL, -ENOMEM);
        }
        tok = json_tokener_new();
        if (!tok)
                return cli_fail("setup-docker", NULL, -ENOMEM);
        obj = json_tokener_parse_ex(tok, buf, (int) len);
        if (!obj || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) < len ||
            !json_object_is_type(obj, json_type_object)) {
                fprintf(stderr, "tokenbroker: setup-docker: %s is not a JSON object (%s); not touching it.\n",
                        path, obj && json_tokener_get_error(tok) == json_tokener_success ?
                        "some other JSON, or text after it" : json_tokener_error_desc(json_tokener_get_error(tok)));
                json_object_put(obj);
                json_tokener_free(tok);
                return EXIT_CONFIG;
        }
        json_tokener_free(tok);
        *ret = obj;
        return EXIT_OK;
}

/* Writes `text` in place of `path` (a symbolic link's target, for the dotfiles kept in a repository): a new
 * file beside it, of the old one's mode (0600 for a new one: the file may hold other registries'
 * passwords), renamed over it. The folders on the way are made (0700) when missing. */
static int config_write(const char *path, const char *text) {
        _cleanup_free_ char *target = NULL, *dir = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        mode_t mode = 0600;
        size_t len = strlen(text), done = 0;
        char *slash;

        target = realpath(path, NULL);
        if (!target) {
                if (errno != ENOENT)
                        return -errno;
                target = strdup(path);
        }
        if (!target)
                return -ENOMEM;
        if (stat(target, &st) == 0)
                mode = st.st_mode & 07777;
        dir = strdup(target);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                /* Each missing folder on the way, as `mkdir -p` (~/.config may not exist yet). */
                for (char *p = strchr(dir + 1, '/');; p = strchr(p + 1, '/')) {
                        if (p)
                                *p = '\0';
                        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                                return -errno;
                        if (!p)
                                break;
                        *p = '/';
                }
        }
        tmp = strjoin(target, ".tokenbroker-XXXXXX");
        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, mode) < 0)
                goto fail;
        while (done < len) {
                ssize_t k = write(fd, text + done, len - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        goto fail;
                }
                done += (size_t) k;
        }
        if (fsync(fd) < 0 || rename(tmp, target) < 0)
                goto fail;
        return 0;
fail:;
        int e = errno;
        (void) unlink(tmp);
        return -e;
}

/* Sets credHelpers[key] = "tokenbroker" for each key in the file at `path`, and says what changed. */
static int config_update(const char *path, const char *what, char **keys) {
        json_object *root = NULL, *helpers;
        int changed = 0, r;

        r = config_read(path, &root);
        if (r != EXIT_OK)
                return r;
        if (!json_object_object_get_ex(root, "credHelpers", &helpers)) {
                helpers = json_object_new_object();
                if (!helpers || json_object_object_add(root, "credHelpers", helpers) < 0) {
                        json_object_put(root);
                        return cli_fail("setup-docker", NULL, -ENOMEM);
                }
        } else if (!json_object_is_type(helpers, json_type_object)) {
                fprintf(stderr, "tokenbroker: setup-docker: credHelpers in %s is not a JSON object; not touching "
                        "the file.\n", path);
                json_object_put(root);
                return EXIT_CONFIG;
        }
        STRV_FOREACH(k, keys) {
                json_object *old;
                const char *was = NULL;

                if (json_object_object_get_ex(helpers, *k, &old)) {
                        was = json_object_get_string(old);
                        if (was && streq(was, HELPER_SUFFIX))
                                continue;
                }
                if (was)
                        printf("%s: %s was served by docker-credential-%s; now by tokenbroker.\n", what, *k, was);
                if (json_object_object_add(helpers, *k, json_object_new_string(HELPER_SUFFIX)) < 0) {
                        json_object_put(root);
                        return cli_fail("setup-docker", NULL, -ENOMEM);
                }
                changed++;
        }
        if (changed > 0) {
                r = config_write(path, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
                if (r < 0) {
                        fprintf(stderr, "tokenbroker: setup-docker: cannot write %s: %s\n", path, strerror(-r));
                        json_object_put(root);
                        return EXIT_FAILURE_OTHER;
                }
        }
        printf("%s (%s): %s\n", what, path, changed > 0 ? "updated" : "already set up");
        json_object_put(root);
        return EXIT_OK;
}

/* $DOCKER_CONFIG/config.json, or ~/.docker/config.json, as docker finds it. */
static char *docker_config_path(void) {
        const char *d = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

        if (!isempty(d))
                return strjoin(d, "/config.json");
        return isempty(home) ? NULL : strjoin(home, "/.docker/config.json");
}

/* $REGISTRY_AUTH_FILE, or $XDG_CONFIG_HOME/containers/auth.json: the persistent file of podman, skopeo and
 * buildah (their default, $XDG_RUNTIME_DIR/containers/auth.json, is gone at the next boot; they read the
 * persistent one after it). */
static char *containers_auth_path(void) {
        const char *f = getenv("REGISTRY_AUTH_FILE"), *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

        if (!isempty(f))
                return strdup(f);
        if (!isempty(x) && x[0] == '/')
                return strjoin(x, "/containers/auth.json");
        return isempty(home) ? NULL : strjoin(home, "/.config/containers/auth.json");
}

int verb_setup_docker(int argc, char *argv[]) {
        static const struct option options[] = {
                { "registry", required_argument, NULL, 'r' },
                { "docker-config", required_argument, NULL, 'd' },
                { "auth-file", required_argument, NULL, 'a' },
                {}
        };
        _cleanup_strv_free_ char **keys = NULL;
        _cleanup_free_ char *helper = NULL, *docker = NULL, *auth = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r': {
                        char *k = registry_key(optarg);

                        if (!k)
                                return cli_usage_error("--registry takes a registry: HOST or HOST:PORT, not '%s'.",
                                                       optarg);
                        if (strv_contains(keys, k))
                                free(k);
                        else if (strv_push(&keys, k) < 0)
                                return cli_fail("setup-docker", NULL, -ENOMEM);
                        break;
                }
                case 'd':
                        free(docker);
                        docker = strdup(optarg);
                        break;
                case 'a':
                        free(auth);
                        auth = strdup(optarg);
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc != optind)
                return cli_usage_error("setup-docker takes no arguments; name a registry with --registry HOST.");

        helper = cli_find_on_path(DOCKER_HELPER_NAME);
        if (!helper) {
                fprintf(stderr, "tokenbroker: setup-docker: %s is not on $PATH, where the tools look for it; "
                        "install it first.\n", DOCKER_HELPER_NAME);
                return EXIT_CONFIG;
        }
        if (!keys) {
                r = registries_of_accounts(&keys);
                if (r != EXIT_OK)
                        return r;
                if (!keys) {
                        fprintf(stderr, "tokenbroker: setup-docker: no account has Hosts= naming a registry; "
                                "name one with --registry HOST.\n");
                        return EXIT_CONFIG;
                }
        }
        if (!docker)
                docker = docker_config_path();
        if (!auth)
                auth = containers_auth_path();
        if (!docker || !auth) {
                fprintf(stderr, "tokenbroker: setup-docker: $HOME is not set; name the files with --docker-config "
                        "and --auth-file.\n");
                return EXIT_CONFIG;
        }

        r = config_update(docker, "docker", keys);
        if (r == EXIT_OK)
                r = config_update(auth, "podman, skopeo, buildah", keys);
        if (r != EXIT_OK)
                return r;
        printf("They now ask %s for:", helper);
        STRV_FOREACH(k, keys)
                printf(" %s", *k);
        putchar('\n');
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OTHER;
}
