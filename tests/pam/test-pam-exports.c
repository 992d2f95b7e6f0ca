/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built module as PAM sees it: dlopen() it, find the pam_sm_* entry points, find none of the helpers it
 * carries inside, and check that loading it pulled in no GLib, libcurl, libsecret or json-c. */
#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tap.h"

static const char *module_path(void) {
        static char path[4096];
        const char *b = getenv("abs_top_builddir");

        snprintf(path, sizeof(path), "%s/pam/.libs/pam_tokenbroker.so", b ? b : ".");
        return path;
}

/* dlsym() on a handle also searches the module's dependencies: a hit only counts if it lies in the module. */
static bool symbol_in_module(void *handle, const char *name) {
        Dl_info info;
        void *p;

        p = dlsym(handle, name);
        if (!p)
                return false;
        if (dladdr(p, &info) == 0 || !info.dli_fname)
                return false;
        return strstr(info.dli_fname, "pam_tokenbroker.so") != NULL;
}

static const char *const forbidden[] = {
        "libglib-2.0", "libgio-2.0", "libgobject-2.0", "libcurl", "libsecret-1", "libjson-c",
};

static int check_loaded(struct dl_phdr_info *info, size_t size, void *userdata) {
        int *bad = userdata;

        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                if (info->dlpi_name && strstr(info->dlpi_name, forbidden[i])) {
                        tap_diag("loaded: %s", info->dlpi_name);
                        (*bad)++;
                }
        return 0;
}

static int count_module(struct dl_phdr_info *info, size_t size, void *userdata) {
        int *found = userdata;

        if (info->dlpi_name && strstr(info->dlpi_name, "pam_tokenbroker.so"))
                (*found)++;
        return 0;
}

int main(void) {
        static const char *const exported[] = {
                "pam_sm_open_session", "pam_sm_close_session", "pam_sm_authenticate", "pam_sm_setcred",
                "pam_sm_acct_mgmt", "pam_sm_chauthtok",
        };
        /* A sample from each layer linked into the module: pam/, lib/bus, lib/basic. */
        static const char *const hidden[] = {
                "pam_options_parse", "pam_options_init", "pam_bus_address_parse", "pam_log_escape",
                "pam_path_is_safe", "pam_warmup_spawn", "pam_warmup_log_full", "broker_open",
                "broker_open_address", "broker_call", "bus_errors_register", "broker_error_map",
                "log_internal", "strv_free", "secret_strdup", "now_usec", "exit_status_from_errno",
        };
        int found = 0, bad = 0;
        void *handle;

        handle = dlopen(module_path(), RTLD_NOW | RTLD_LOCAL);
        if (!ok(handle, "dlopen %s", module_path())) {
                tap_diag("%s", dlerror());
                return tap_done();
        }

        for (size_t i = 0; i < ELEMENTSOF(exported); i++)
                ok(symbol_in_module(handle, exported[i]), "%s is exported", exported[i]);
        for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
                ok(!symbol_in_module(handle, hidden[i]), "%s is not exported", hidden[i]);

        dl_iterate_phdr(count_module, &found);
        is_int(found, 1, "the module is in the link map");
        dl_iterate_phdr(check_loaded, &bad);
        is_int(bad, 0, "no GLib, GIO, libcurl, libsecret or json-c loaded with it");

        dlclose(handle);
        return tap_done();
}
