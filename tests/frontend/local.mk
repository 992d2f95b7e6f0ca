# tests/frontend/: the front ends' two paths, the launchers over the token socket and their full programs
# over D-Bus (fallback.sh: the same output and exit status on every path), and the token socket itself
# (token-socket.sh: framing, limits, idle connections, other uids, single-flight with D-Bus callers);
# other tools' protocols (tool-protocols.sh) and container registries through skopeo (container-registry.sh).
frontend_tests = \
	%reldir%/fallback.sh \
	%reldir%/token-socket.sh \
	%reldir%/token-drop.sh \
	%reldir%/accounts-watch.sh \
	%reldir%/first-use.sh \
	%reldir%/doctor.sh \
	%reldir%/tool-protocols.sh \
	%reldir%/container-registry.sh

TESTS += $(frontend_tests)
dist_check_SCRIPTS += $(frontend_tests)
EXTRA_DIST += %reldir%/wire-client.py
