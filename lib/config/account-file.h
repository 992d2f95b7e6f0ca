/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Account files: $XDG_CONFIG_HOME/tokenbroker/accounts/NAME.conf, INI with one group [Account].
 * Parsed with GLib's GKeyFile (GLib types stay inside lib/config/). No secret is ever in such a file:
 * secrets live in the keyring only. */

/* The largest CAFile= accepted. The daemon hands the file to libcurl, which reads it whole for every
 * connection; a bundle of every public CA is about 200 KiB. */
#define CA_FILE_SIZE_MAX (UINT64_C(1024) * 1024U)
/* A client certificate with its chain, and a private key: a few KiB each. */
#define CLIENT_CERT_FILE_SIZE_MAX (UINT64_C(256) * 1024U)
#define CLIENT_KEY_FILE_SIZE_MAX (UINT64_C(16) * 1024U)

typedef enum GrantType {
        GRANT_CLIENT_CREDENTIALS,
        GRANT_PASSWORD,
        GRANT_AUTHORIZATION_CODE,
        GRANT_DEVICE_CODE,
        GRANT_TOKEN_EXCHANGE,
        GRANT_REFRESH_TOKEN,    /* never configured: used whenever a refresh token is at hand */
        _GRANT_MAX,
        _GRANT_INVALID = -1,
} GrantType;

typedef enum ClientAuth {
        CLIENT_AUTH_BASIC,      /* RFC 6749 2.3.1: form-urlencoded id and secret, then base64, in Authorization */
        CLIENT_AUTH_POST,       /* client_id and client_secret in the request body */
        CLIENT_AUTH_NONE,       /* public client: client_id in the body, no secret */
        /* RFC 7523 section 2.2: a signed JWT in client_assertion, by the account's private-key secret, or by
         * its client secret (HS256) */
        CLIENT_AUTH_PRIVATE_KEY_JWT,
        CLIENT_AUTH_CLIENT_SECRET_JWT,
        /* RFC 8705 section 2: the TLS client certificate (ClientCertFile=) proves the client, issued by a CA
         * the server trusts for the client's registered subject, or self-signed and registered itself */
        CLIENT_AUTH_TLS_CLIENT_AUTH,
        CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH,
        _CLIENT_AUTH_MAX,
        _CLIENT_AUTH_INVALID = -1,
} ClientAuth;

typedef enum RequestEncoding {
        REQUEST_ENCODING_FORM,
        REQUEST_ENCODING_JSON,
        _REQUEST_ENCODING_MAX,
        _REQUEST_ENCODING_INVALID = -1,
} RequestEncoding;

/* What identifies the version of an account file that was read: a reload skips a file whose stamp is the
 * same (account_config_file_unchanged()). */
typedef struct AccountFileStamp {
        dev_t dev;
        ino_t ino;
        off_t size;
        mode_t mode;
        uid_t uid;
        struct timespec mtim, ctim;
        /* Its last change was at least a second before it was read: no write can have landed in the same
         * timestamp tick as the read and left the stamp as it was (git's "racy" files). */
        bool settled;
} AccountFileStamp;

typedef struct AccountConfig {
        char *name;                     /* file name without .conf */
        char *path;
        AccountFileStamp stamp;         /* zero for an account loaded from memory */

        char *provider;                 /* generic, flaik, floriday, flixcheck, flume, sharetribe */
        char *token_url;
        char *issuer;                   /* for discovery */
        char *environment;              /* Environment=: the provider's (Floriday: staging, live) */
        char *client_id;
        ClientAuth client_auth;
        ClientAuth client_auth_per_grant[_GRANT_MAX];   /* _CLIENT_AUTH_INVALID: use client_auth */
        GrantType grant;
        char *scopes;                   /* space-separated, as written */
        char *username;
        char **hosts;                   /* URL patterns for the git helper */
        char *git_username;             /* default "oauth2" */
        char *docker_username;          /* DockerUsername=, default "oauth2accesstoken" */
        char *cargo_token_prefix;       /* CargoTokenPrefix=: Bearer (default) or none */

        uint64_t refresh_skew_sec;      /* min-validity: a token is handed out only with this much life left */
        uint64_t default_lifetime_sec;  /* when neither expires_in nor a JWT exp says */
        uint64_t timeout_sec;           /* total time of one token request */
        uint64_t login_timeout_sec;     /* how long an interactive login may take; 0: the daemon's default */
        char *ca_file;
        char *client_cert_file;         /* ClientCertFile=: PEM, the TLS client certificate (RFC 8705) */
        char *client_key_file;          /* ClientKeyFile=: its PEM private key; NULL: the tls-key secret */

        RequestEncoding request_encoding;
        char *token_path;               /* JSON pointer to the token object, "" = top level */
        char *token_url_query;          /* extra query string appended to the token URL */
        char **extra_params;            /* name, value, name, value, ..., NULL: fixed extra body parameters */
        char *grant_type_value;         /* overrides the grant_type string sent for `grant` (Sharetribe) */

        char *authorize_url;
        char *device_authorization_url;
        char *redirect_uri;
        char **authorize_param_names;   /* standard name, sent name, ...: e.g. client_id, clientId */
        char **token_param_names;       /* the same for token requests; an empty sent name leaves it out */
        char *revocation_url;
        char *revocation_auth;          /* "client" (RFC 7009, as at the token endpoint) or "bearer" (Sharetribe) */
        char *subject_account;          /* token exchange: whose access token is the subject */
        char *actor_account;            /* token exchange: whose access token is the actor (RFC 8693), or NULL */
        char *audience;
        char *resource;
        char *key_id;                   /* KeyID=: the kid of client assertions; NULL: the key's thumbprint */
        char *api_key_header;           /* e.g. X-Api-Key: the api-key secret is handed out in this header */
        char **expose_claims;           /* JWT claims shown with the token (not verified) */
        char **allowed_callers;         /* executable paths that may get this account's token */

        /* The small fields together: a daemon with 10,000 accounts pays for every gap between them. */
        bool provisioned;               /* from the administrator's directory, not the user's */
        bool warmup;
        bool par;                       /* PAR=: push the authorization request (RFC 9126) */
        bool dpop;                      /* DPoP=: tokens bound to the account's key (RFC 9449) */
        bool packed;                    /* one allocation with its strings (account_config_pack()) */
} AccountConfig;

AccountConfig *account_config_free(AccountConfig *a);
/* A copy of `c` in one allocation, its strings and lists after the struct: what a daemon keeps of each of
 * thousands of accounts, without a heap block (and its overhead) per string. Read-only: no field of it may
 * be freed or replaced. NULL: no memory. */
AccountConfig *account_config_pack(const AccountConfig *c);
static inline void account_config_freep(AccountConfig **a) {
        if (*a)
                account_config_free(*a);
}

const char *grant_type_to_string(GrantType g);
GrantType grant_type_from_string(const char *s);
const char *client_auth_to_string(ClientAuth a);
ClientAuth client_auth_from_string(const char *s);
const char *request_encoding_to_string(RequestEncoding e);
RequestEncoding request_encoding_from_string(const char *s);

/* The client auth used for one grant: the per-grant override, else the account's. */
ClientAuth account_config_client_auth(const AccountConfig *a, GrantType g);

/* Loads one account file. Problems are appended to *diagnostics (may be NULL) as lines of the form
 * "FILE:LINE: Key: message"; unknown keys are warnings (the account still loads), bad values are errors:
 * -EUCLEAN with the account not loaded. A file that is not ours (owner) or that others may read is
 * refused with -EPERM, also with a diagnostic. */
int account_config_load(const char *path, AccountConfig **ret, char ***diagnostics);

/* As above, for a file an administrator provisioned (account_config_system_dir()): it must be owned by root
 * (or by us) and writable by nobody else; others may read it, as it holds no secret. */
int account_config_load_provisioned(const char *path, AccountConfig **ret, char ***diagnostics);

/* Whether the file at `path` is still the one `c` was read from (the same inode, size, times, owner and mode,
 * and read well after its last change), so that loading it again would give the same account. A symbolic
 * link in its place is a change. */
bool account_config_file_unchanged(const AccountConfig *c, const char *path);
/* The same for a file read with stamp `s`; with dir_fd a descriptor of the folder `path` is in (AT_FDCWD: none),
 * the file is looked up from it, not along the whole path again. */
bool account_file_stamp_unchanged_at(int dir_fd, const char *path, const AccountFileStamp *s);

/* account_config_load() (or, when `provisioned`, account_config_load_provisioned()) of a file `path` in the
 * folder open at dir_fd (AT_FDCWD: none): a reload of thousands of files opens each from its folder's
 * descriptor. */
int account_config_load_at(int dir_fd, const char *path, bool provisioned, AccountConfig **ret,
                           char ***diagnostics);

/* As account_config_load(), from memory; `path` is used for messages and to derive the name. */
int account_config_load_data(const char *path, const char *data, size_t size, AccountConfig **ret,
                             char ***diagnostics);

/* $XDG_CONFIG_HOME/tokenbroker/accounts (or ~/.config/...); newly allocated. */
char *account_config_dir(void);

/* The administrator's accounts, for every user: $TOKENBROKER_SYSTEM_ACCOUNTS_DIR, else
 * SYSCONFDIR/tokenbroker/accounts (/etc/tokenbroker/accounts in the packages); newly allocated. A user's
 * file of the same name takes the place of one here. */
char *account_config_system_dir(void);

/* Writes NAME.conf into `dir` from name/value pairs (keys as in the file), creating the directory 0700 and the
 * file 0600, atomically (temporary file, fsync, rename). Validates first, by loading the text it would write
 * with account_config_load_data(): on bad values, or a file larger than the loader accepts, nothing is
 * written and -EUCLEAN is returned with diagnostics; unknown, secret or repeated keys are -EINVAL. With
 * replace false an existing account gives -EEXIST. */
int account_config_write(const char *dir, const char *name, char * const *settings, bool replace,
                         char ***diagnostics);

/* Removes NAME.conf from `dir`; -ENOENT if there is none. */
int account_config_remove(const char *dir, const char *name);
