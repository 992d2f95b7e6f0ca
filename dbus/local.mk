# dbus/: tokenbrokerd, the per-user service. The only long-running process and the only holder of secrets.
bin_PROGRAMS += tokenbrokerd

# engine/: the daemon's logic that knows no transport (no sd-bus type in it), as a library that tokenbrokerd
# and the engine's unit tests (tests/unit/engine.mk) link.
noinst_LTLIBRARIES += %reldir%/libtb-daemon.la
%canon_reldir%_libtb_daemon_la_SOURCES = \
	%reldir%/engine/failure.h \
	%reldir%/engine/failure.c \
	%reldir%/engine/waiters.h \
	%reldir%/engine/waiters.c \
	%reldir%/engine/token-policy.h \
	%reldir%/engine/token-policy.c
%canon_reldir%_libtb_daemon_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/%reldir%/engine

tokenbrokerd_SOURCES = \
	%reldir%/tokenbrokerd.c \
	%reldir%/manager.h \
	%reldir%/manager.c \
	%reldir%/runtime-socket.h \
	%reldir%/runtime-socket.c \
	%reldir%/private-socket.h \
	%reldir%/private-socket.c \
	%reldir%/idle-exit.h \
	%reldir%/idle-exit.c \
	%reldir%/token-socket.h \
	%reldir%/token-socket.c \
	%reldir%/token-socket-methods.c \
	%reldir%/broker-dbus.h \
	%reldir%/broker-dbus.c \
	%reldir%/broker-dbus-internal.h \
	%reldir%/broker-dbus-admin.c \
	%reldir%/broker-core.h \
	%reldir%/broker-core.c \
	%reldir%/bus-failure.h \
	%reldir%/caller.h \
	%reldir%/caller.c \
	%reldir%/account.h \
	%reldir%/account.c \
	%reldir%/account-secrets.h \
	%reldir%/account-secrets.c \
	%reldir%/token-fetch.h \
	%reldir%/token-fetch.c \
	%reldir%/token-reply.h \
	%reldir%/token-reply.c \
	%reldir%/entry-ref.h \
	%reldir%/entry-ref.c \
	%reldir%/discovery.h \
	%reldir%/discovery.c \
	%reldir%/account-endpoints.h \
	%reldir%/account-endpoints.c \
	%reldir%/token-prereqs.h \
	%reldir%/token-prereqs.c \
	%reldir%/token-revoke.h \
	%reldir%/token-revoke.c \
	%reldir%/login.h \
	%reldir%/login-internal.h \
	%reldir%/login.c \
	%reldir%/login-loopback.c \
	%reldir%/loopback-peer.h \
	%reldir%/loopback-peer.c \
	%reldir%/login-device.c \
	%reldir%/warmup.h \
	%reldir%/warmup.c \
	%reldir%/curl-memory.h \
	%reldir%/curl-memory.c \
	%reldir%/http-client.h \
	%reldir%/http-client.c \
	%reldir%/keyring-watch.h \
	%reldir%/keyring-watch.c \
	%reldir%/keyring-worker.h \
	%reldir%/keyring-worker.c
tokenbrokerd_CPPFLAGS = $(AM_CPPFLAGS) $(ENGINE_CPPFLAGS) -I$(top_srcdir)/%reldir%/engine $(SYSTEMD_CFLAGS)
tokenbrokerd_LDADD = %reldir%/libtb-daemon.la lib/libtb-engine.la lib/libtb-client.la lib/libtb-wire.la $(SYSTEMD_LIBS) $(CURL_LIBS) \
	$(JSONC_LIBS) $(GLIB_LIBS) -lpthread

# The interface as served; `make check` compares it with what the running daemon introspects.
dbusinterfaces_DATA = %reldir%/org.tokenbroker.Broker1.xml
EXTRA_DIST += $(dbusinterfaces_DATA)
