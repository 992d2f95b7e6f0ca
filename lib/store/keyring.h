/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Secret Service keyring, through libsecret: the only code that sees GLib's GError or libsecret.
 * Schema org.tokenbroker.Secret, attributes "account" and "kind" (client-secret, password, api-key,
 * refresh-token); the secret itself only in the item's secret value.
 *
 * Blocking calls: tokenbrokerd runs them on its keyring worker thread, never on the event loop. They may be
 * called from any thread (one at a time: they serialize on an internal lock) and never show a prompt.
 * Errors: -ENOLCK the collection is locked (and could not be unlocked without a prompt), -EHOSTUNREACH no
 * Secret Service on the bus, -ENOKEY no such item, -EIO anything else. */

/* Stores (creates or replaces) one secret in the default collection. */
int keyring_store(const char *account, const char *kind, const char *secret);

/* Looks one secret up; *ret is a locked, wipe-on-free copy (erase_and_free). */
int keyring_lookup(const char *account, const char *kind, char **ret);

/* Every secret of an account at once: *ret is kind, secret, kind, secret, ..., NULL (free with
 * strv_free_erase). An account without secrets gives an empty vector and 0. */
int keyring_load_all(const char *account, char ***ret);

/* Deletes one kind, or with kind NULL every secret of the account. 0 also when there was nothing. */
int keyring_clear(const char *account, const char *kind);

/* 1 if the default collection is locked, 0 if not; -ENOKEY if there is no default collection. */
int keyring_is_locked(void);
