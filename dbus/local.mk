# dbus/: tokenbrokerd, the per-user service. The only long-running process and the only holder of secrets.
# Its tree is its architecture (README, "Architecture"):
#   engine/        accounts, tokens, grants, logins, discovery, revocation: no transport, no sd-bus type;
#                  answers (-errno, message) through callbacks
#   io/            what the engine does to the world (HTTP, keyring, clock and timers, the loopback redirect
#                  listener); the unit tests replace it (tests/unit/engine/fake-io.c)
#   bus-api/       the org.tokenbroker.Broker1 object on the session bus and on the private socket
#   token-socket/  the front ends' fast path
#   the rest       the process: its Manager, sockets of the runtime directory, idle exit, stopping, keyring
#                  and account-folder watches
bin_PROGRAMS += tokenbrokerd

DAEMON_CPPFLAGS = $(AM_CPPFLAGS) $(ENGINE_CPPFLAGS) -I$(top_srcdir)/%reldir%/engine -I$(top_srcdir)/%reldir%/io \
	$(SYSTEMD_CFLAGS)

# The engine as a library that tokenbrokerd and the engine's unit tests (tests/unit/engine.mk) link.
noinst_LTLIBRARIES += %reldir%/libtb-daemon.la
%canon_reldir%_libtb_daemon_la_SOURCES = \
	%reldir%/engine/engine.h \
	%reldir%/engine/engine.c \
	%reldir%/engine/account.h \
	%reldir%/engine/account.c \
	%reldir%/engine/account-load.c \
	%reldir%/engine/account-scan.h \
	%reldir%/engine/account-scan.c \
	%reldir%/engine/account-index.h \
	%reldir%/engine/account-index.c \
	%reldir%/engine/account-check.h \
	%reldir%/engine/account-check.c \
	%reldir%/engine/account-secrets.h \
	%reldir%/engine/account-secrets.c \
	%reldir%/engine/account-admin.h \
	%reldir%/engine/account-admin.c \
	%reldir%/engine/account-request.h \
	%reldir%/engine/account-request.c \
	%reldir%/engine/account-endpoints.h \
	%reldir%/engine/account-endpoints.c \
	%reldir%/engine/entry-ref.h \
	%reldir%/engine/entry-ref.c \
	%reldir%/engine/discovery.h \
	%reldir%/engine/discovery.c \
	%reldir%/engine/issuer-keys.h \
	%reldir%/engine/issuer-keys.c \
	%reldir%/engine/client-auth.h \
	%reldir%/engine/client-auth.c \
	%reldir%/engine/dpop.h \
	%reldir%/engine/dpop.c \
	%reldir%/engine/account-keys.h \
	%reldir%/engine/account-keys.c \
	%reldir%/engine/token-fetch.h \
	%reldir%/engine/token-fetch.c \
	%reldir%/engine/token-prereqs.h \
	%reldir%/engine/token-prereqs.c \
	%reldir%/engine/token-revoke.h \
	%reldir%/engine/token-revoke.c \
	%reldir%/engine/login.h \
	%reldir%/engine/login-internal.h \
	%reldir%/engine/login.c \
	%reldir%/engine/login-loopback.c \
	%reldir%/engine/login-device.c \
	%reldir%/engine/login-id-token.c \
	%reldir%/engine/login-pushed.c \
	%reldir%/engine/warmup.h \
	%reldir%/engine/warmup.c \
	%reldir%/engine/broker-core.h \
	%reldir%/engine/broker-core.c \
	%reldir%/engine/caller.h \
	%reldir%/engine/caller.c \
	%reldir%/engine/failure.h \
	%reldir%/engine/failure.c \
	%reldir%/engine/waiters.h \
	%reldir%/engine/waiters.c \
	%reldir%/engine/token-policy.h \
	%reldir%/engine/token-policy.c
%canon_reldir%_libtb_daemon_la_CPPFLAGS = $(DAEMON_CPPFLAGS)

tokenbrokerd_SOURCES = \
	%reldir%/tokenbrokerd.c \
	%reldir%/manager.h \
	%reldir%/manager.c \
	%reldir%/runtime-socket.h \
	%reldir%/runtime-socket.c \
	%reldir%/idle-exit.h \
	%reldir%/idle-exit.c \
	%reldir%/stop.h \
	%reldir%/stop.c \
	%reldir%/accounts-watch.h \
	%reldir%/accounts-watch.c \
	%reldir%/keyring-watch.h \
	%reldir%/keyring-watch.c \
	%reldir%/bus-api/broker-dbus.h \
	%reldir%/bus-api/broker-dbus.c \
	%reldir%/bus-api/broker-dbus-internal.h \
	%reldir%/bus-api/broker-dbus-admin.c \
	%reldir%/bus-api/bus-failure.h \
	%reldir%/bus-api/bus-message.h \
	%reldir%/bus-api/bus-caller.h \
	%reldir%/bus-api/bus-caller.c \
	%reldir%/bus-api/token-reply.h \
	%reldir%/bus-api/token-reply.c \
	%reldir%/bus-api/private-socket.h \
	%reldir%/bus-api/private-socket.c \
	%reldir%/token-socket/token-socket.h \
	%reldir%/token-socket/token-socket.c \
	%reldir%/token-socket/token-socket-methods.c \
	%reldir%/io/io.h \
	%reldir%/io/io-sdevent.c \
	%reldir%/io/io-errors.c \
	%reldir%/io/http-client.h \
	%reldir%/io/http-client.c \
	%reldir%/io/curl-memory.h \
	%reldir%/io/curl-memory.c \
	%reldir%/io/keyring-worker.h \
	%reldir%/io/keyring-worker.c \
	%reldir%/io/loopback-peer.h \
	%reldir%/io/loopback-peer.c
tokenbrokerd_CPPFLAGS = $(DAEMON_CPPFLAGS) -I$(top_srcdir)/%reldir% -I$(top_srcdir)/%reldir%/bus-api \
	-I$(top_srcdir)/%reldir%/token-socket
tokenbrokerd_LDADD = %reldir%/libtb-daemon.la lib/libtb-engine.la lib/libtb-client.la lib/libtb-wire.la $(SYSTEMD_LIBS) $(CURL_LIBS) \
	$(JSONC_LIBS) $(GLIB_LIBS) $(GNUTLS_LIBS) -lpthread

# The interface as served; `make check` compares it with what the running daemon introspects.
dbusinterfaces_DATA = %reldir%/org.tokenbroker.Broker1.xml
EXTRA_DIST += $(dbusinterfaces_DATA)
