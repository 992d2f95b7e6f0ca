/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The D-Bus contract between tokenbrokerd and its front ends: every name people and programs script against.
 * The interface itself is described by dbus/org.tokenbroker.Broker1.xml, which `make check` compares with
 * what the daemon serves. */

#define BROKER_BUS_NAME "org.tokenbroker.Broker1"
#define BROKER_OBJECT_PATH "/org/tokenbroker/Broker1"
#define BROKER_INTERFACE "org.tokenbroker.Broker1"

/* The daemon's private socket for front ends: $XDG_RUNTIME_DIR/tokenbroker/bus, a peer-to-peer D-Bus
 * connection to the same object (no bus daemon hop, no Hello). The directory is 0700. */
#define BROKER_RUNTIME_SUBDIR "tokenbroker"
#define BROKER_SOCKET_NAME "bus"

/* Named errors; each has one errno in bus-errors.c. */
#define BROKER_ERROR_NO_SUCH_ACCOUNT "org.tokenbroker.Error.NoSuchAccount"
#define BROKER_ERROR_LOGIN_REQUIRED "org.tokenbroker.Error.LoginRequired"
#define BROKER_ERROR_KEYRING_LOCKED "org.tokenbroker.Error.KeyringLocked"
#define BROKER_ERROR_PROVIDER "org.tokenbroker.Error.Provider"
#define BROKER_ERROR_BAD_RESPONSE "org.tokenbroker.Error.BadResponse"
#define BROKER_ERROR_UNAVAILABLE "org.tokenbroker.Error.Unavailable"
#define BROKER_ERROR_ACCESS_DENIED "org.tokenbroker.Error.AccessDenied"
#define BROKER_ERROR_INVALID_ARGS "org.tokenbroker.Error.InvalidArgs"
#define BROKER_ERROR_CONFIG "org.tokenbroker.Error.Config"
#define BROKER_ERROR_MISSING_SECRET "org.tokenbroker.Error.MissingSecret"
#define BROKER_ERROR_EXISTS "org.tokenbroker.Error.Exists"

/* Kinds of secrets, the keyring attribute "kind". */
#define SECRET_KIND_CLIENT_SECRET "client-secret"
#define SECRET_KIND_PASSWORD "password"
#define SECRET_KIND_API_KEY "api-key"
#define SECRET_KIND_REFRESH_TOKEN "refresh-token"

/* The keyring schema: attributes "account" and "kind", the secret itself only in the secret value. */
#define BROKER_SECRET_SCHEMA "org.tokenbroker.Secret"
