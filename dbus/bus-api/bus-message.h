/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* An {sv} entry of an a{sv} reply: key, then a variant of `signature` that the caller fills between these two
 * calls. The replies' property maps (GetAccount, GetTokenInfo) are built from them. */
static inline int bus_open_variant_entry(sd_bus_message *m, const char *key, const char *signature) {
        int r;

        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", key);
        if (r < 0)
                return r;
        return sd_bus_message_open_container(m, 'v', signature);
}

static inline int bus_close_variant_entry(sd_bus_message *m) {
        int r;

        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}
