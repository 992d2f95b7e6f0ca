# tests/bench: `make bench` prints one table of measurements (bench.sh, in a private session of the rig).
# Never part of `make check`: its programs are EXTRA_PROGRAMS (automake wants the first assignment to be
# "="), built on demand by this target only.
BENCH_CPPFLAGS = $(AM_CPPFLAGS) $(SYSTEMD_CFLAGS)
bench_util_sources = %reldir%/bench-util.h %reldir%/bench-util.c

bench_programs += \
	%reldir%/bench-hit \
	%reldir%/bench-cold \
	%reldir%/bench-crowd \
	%reldir%/bench-spawn \
	%reldir%/bench-bus-floor \
	%reldir%/bench-socket-floor \
	%reldir%/bench-echo-server \
	%reldir%/bench-socket-load \
	%reldir%/bench-hit-during \
	%reldir%/bench-rss-floor \
	%reldir%/bench-refresh-floor
EXTRA_PROGRAMS = $(bench_programs)

%canon_reldir%_bench_hit_SOURCES = %reldir%/bench-hit.c $(bench_util_sources)
%canon_reldir%_bench_hit_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_hit_LDADD = $(SYSTEMD_LIBS)
%canon_reldir%_bench_cold_SOURCES = %reldir%/bench-cold.c $(bench_util_sources)
%canon_reldir%_bench_cold_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_cold_LDADD = $(SYSTEMD_LIBS)
%canon_reldir%_bench_crowd_SOURCES = %reldir%/bench-crowd.c $(bench_util_sources)
%canon_reldir%_bench_crowd_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_crowd_LDADD = $(SYSTEMD_LIBS)
%canon_reldir%_bench_spawn_SOURCES = %reldir%/bench-spawn.c $(bench_util_sources)
%canon_reldir%_bench_spawn_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_spawn_LDADD = $(SYSTEMD_LIBS)
# The floor for a bus client: libc and libsystemd, nothing of ours but the names in bus-api.h.
%canon_reldir%_bench_bus_floor_SOURCES = %reldir%/bench-bus-floor.c
%canon_reldir%_bench_bus_floor_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_bus_floor_LDADD = $(SYSTEMD_LIBS)
# The floor for a client of the token socket: libc only.
%canon_reldir%_bench_socket_floor_SOURCES = %reldir%/bench-socket-floor.c
# The token socket's throughput against a bare server of the same framing.
%canon_reldir%_bench_echo_server_SOURCES = %reldir%/bench-echo-server.c
%canon_reldir%_bench_socket_load_SOURCES = %reldir%/bench-socket-load.c $(bench_util_sources)
%canon_reldir%_bench_socket_load_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_socket_load_LDADD = $(SYSTEMD_LIBS)
# Cache hits while the daemon reloads its accounts.
%canon_reldir%_bench_hit_during_SOURCES = %reldir%/bench-hit-during.c $(bench_util_sources)
%canon_reldir%_bench_hit_during_CPPFLAGS = $(BENCH_CPPFLAGS)
%canon_reldir%_bench_hit_during_LDADD = $(SYSTEMD_LIBS)
# The memory floor for the daemon: its libraries, nothing of ours.
%canon_reldir%_bench_rss_floor_SOURCES = %reldir%/bench-rss-floor.c
%canon_reldir%_bench_rss_floor_CPPFLAGS = $(BENCH_CPPFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS) $(SECRET_CFLAGS)
%canon_reldir%_bench_rss_floor_LDADD = $(SYSTEMD_LIBS) $(CURL_LIBS) $(JSONC_LIBS) $(SECRET_LIBS) $(GLIB_LIBS)

# The floor of a refresh with rotation: one request with libcurl, one store with libsecret.
%canon_reldir%_bench_refresh_floor_SOURCES = %reldir%/bench-refresh-floor.c $(bench_util_sources)
%canon_reldir%_bench_refresh_floor_CPPFLAGS = $(BENCH_CPPFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS) $(SECRET_CFLAGS)
%canon_reldir%_bench_refresh_floor_LDADD = $(SYSTEMD_LIBS) $(CURL_LIBS) $(JSONC_LIBS) $(SECRET_LIBS) $(GLIB_LIBS)

EXTRA_DIST += %reldir%/bench.sh %reldir%/oidc-setup.sh %reldir%/stats.py

bench: $(bench_programs) tokenbrokerd$(EXEEXT) tokenbroker$(EXEEXT) git-credential-tokenbroker$(EXEEXT) \
		tokenbroker-cli$(EXEEXT) git-credential-tokenbroker-bus$(EXEEXT)
	abs_top_srcdir='$(abs_top_srcdir)' abs_top_builddir='$(abs_top_builddir)' PYTHON3='$(PYTHON3)' \
		$(SHELL) $(abs_top_srcdir)/%reldir%/bench.sh
.PHONY: bench
