/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "account-file.h"

/* Provider profiles (Provider=): the defaults a known service needs, so that a user of it writes only their
 * own URLs, ids and scopes. A profile only ever sets defaults: every key the account file sets itself wins,
 * so a sixth service with similar quirks needs the generic keys and no code. What each profile sets is in
 * tokenbroker.conf(5), section PROVIDERS, and in README.md. */

/* The known profile names, NULL-terminated. */
extern const char *const provider_names[];

bool provider_is_known(const char *name);

/* Whether Environment= names one of the provider's environments (Floriday: staging, live). */
bool provider_environment_is_valid(const char *provider, const char *environment);

/* Before the account's own keys are read: sets the profile's defaults on a config that holds the generic
 * defaults. -EINVAL for an unknown name, -ENOMEM. */
int provider_preset_apply(AccountConfig *a, const char *name);

/* After the account's own keys are read: defaults that depend on other keys (the service's published
 * endpoints when the file names neither TokenURL= nor Issuer=, Floriday's by Environment=; Sharetribe's
 * grant_type value only for Grant=token_exchange; its revocation endpoint next to the token endpoint). Only
 * fills what is still unset. -ENOMEM. */
int provider_preset_finish(AccountConfig *a);
