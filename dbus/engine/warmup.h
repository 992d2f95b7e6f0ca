/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"

/* Warmup: fetch the tokens of accounts with Warmup=true, at login (pam_tokenbroker) or on request. A login
 * without a password (fingerprint, smart card, SSO) leaves the keyring locked; then the accounts wait for it
 * to be unlocked, watched through the Secret Service's signals, and warm up then, without prompting. */

/* Starts the fetches; returns how many were started. */
unsigned warmup_start(Engine *eng);

/* The keyring changed (keyring-watch.c): the accounts waiting for an unlock try again; those whose keyring is
 * still locked wait on. */
void warmup_after_keyring_change(Engine *eng);
