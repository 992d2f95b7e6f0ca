/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "wire-api.h"        /* the names both transports share: runtime directory, errors */

/* The D-Bus contract between tokenbrokerd and its front ends: every name people and programs script against.
 * The interface itself is described by dbus/org.tokenbroker.Broker1.xml, which `make check` compares with
 * what the daemon serves. */

#define BROKER_BUS_NAME "org.tokenbroker.Broker1"
#define BROKER_OBJECT_PATH "/org/tokenbroker/Broker1"
#define BROKER_INTERFACE "org.tokenbroker.Broker1"

/* The daemon's private socket for front ends: $XDG_RUNTIME_DIR/tokenbroker/bus, a peer-to-peer D-Bus
 * connection to the same object (no bus daemon hop, no Hello). The directory is 0700 (BROKER_RUNTIME_SUBDIR,
 * shared with the token socket: wire-api.h). */
#define BROKER_SOCKET_NAME "bus"

/* Kinds of secrets, the keyring attribute "kind". */
#define SECRET_KIND_CLIENT_SECRET "client-secret"
#define SECRET_KIND_PASSWORD "password"
#define SECRET_KIND_API_KEY "api-key"
/* PKCS#8 PEM: the key of ClientAuth=private_key_jwt, made by `tokenbroker keygen` (GenerateKey) */
#define SECRET_KIND_PRIVATE_KEY "private-key"
#define SECRET_KIND_REFRESH_TOKEN "refresh-token"
/* PKCS#8 PEM: the DPoP key of an account with DPoP=true (RFC 9449), made by the daemon on first use */
#define SECRET_KIND_DPOP_KEY "dpop-key"
/* PEM: the private key of ClientCertFile= (RFC 8705 mutual TLS), set with `tokenbroker set-secret NAME tls-key` */
#define SECRET_KIND_TLS_KEY "tls-key"

/* The keyring schema: attributes "account" and "kind", the secret itself only in the secret value. */
#define BROKER_SECRET_SCHEMA "org.tokenbroker.Secret"
