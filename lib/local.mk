# lib/: code the binaries share, split by what it links so that the front ends stay lean.
#
#   libtb-common.la  libc only: basic/ helpers, the git credential protocol (credential/), and the contract
#                    both transports share (wire/: error names <-> errno, exit statuses). Linked by every
#                    binary, through the libraries below or directly.
#   libtb-wire.la    + json-c: the token socket's messages and client (wire/). Linked by the fast front ends
#                    (tokenbroker, git-credential-tokenbroker) and tokenbrokerd, which serves the socket.
#   libtb-client.la  + libsystemd: the D-Bus contract and client calls (bus/). Linked by the full front ends
#                    (tokenbroker-cli, git-credential-tokenbroker-bus), pam_tokenbroker.so and tokenbrokerd.
#   libtb-engine.la  libcurl, json-c, libsecret, GLib, GnuTLS: the OAuth engine (oauth/), JOSE (jose/), account
#                    files (config/), the keyring (store/). Linked by tokenbrokerd and its tests only.
#
# Each sub-folder's local.mk adds its sources to one of them.

noinst_LTLIBRARIES += %reldir%/libtb-common.la %reldir%/libtb-wire.la %reldir%/libtb-client.la \
	%reldir%/libtb-engine.la

%canon_reldir%_libtb_common_la_SOURCES = \
	%reldir%/basic/macro.h \
	%reldir%/basic/alloc-util.h \
	%reldir%/basic/alloc-util.c \
	%reldir%/basic/fs-util.h \
	%reldir%/basic/fs-util.c \
	%reldir%/basic/log.h \
	%reldir%/basic/log.c \
	%reldir%/basic/string-util.h \
	%reldir%/basic/string-util.c \
	%reldir%/basic/time-util.h \
	%reldir%/basic/time-util.c \
	%reldir%/basic/process-harden.h \
	%reldir%/basic/process-harden.c

%canon_reldir%_libtb_wire_la_SOURCES =
%canon_reldir%_libtb_wire_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
# json-c is not among its dependencies: each program that links it names the json-c it wants (the launchers
# may carry their own, configure.ac).
%canon_reldir%_libtb_wire_la_LIBADD = %reldir%/libtb-common.la

%canon_reldir%_libtb_client_la_SOURCES = \
	%reldir%/bus/bus-api.h \
	%reldir%/bus/bus-errors.h \
	%reldir%/bus/bus-errors.c \
	%reldir%/bus/bus-client.h \
	%reldir%/bus/bus-client.c
%canon_reldir%_libtb_client_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
%canon_reldir%_libtb_client_la_LIBADD = %reldir%/libtb-common.la $(SYSTEMD_LIBS)

%canon_reldir%_libtb_engine_la_SOURCES =
%canon_reldir%_libtb_engine_la_CPPFLAGS = $(AM_CPPFLAGS) $(ENGINE_CPPFLAGS)
%canon_reldir%_libtb_engine_la_CFLAGS = $(AM_CFLAGS)
%canon_reldir%_libtb_engine_la_LIBADD = %reldir%/libtb-client.la %reldir%/libtb-wire.la $(CURL_LIBS) $(JSONC_LIBS) $(SECRET_LIBS) $(GLIB_LIBS) $(GNUTLS_LIBS)

include %reldir%/wire/local.mk
include %reldir%/credential/local.mk
include %reldir%/config/local.mk
include %reldir%/store/local.mk
include %reldir%/oauth/local.mk
include %reldir%/jose/local.mk
