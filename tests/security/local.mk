# tests/security: secrets kept and callers checked (TAP shell tests on the rig, tests/lib/rig.sh, with the
# helpers in tests/reliability/lib.sh): another uid on a bus that lets it connect, AllowedCallers=, no secret
# in logs, argv, environment or core dumps, TLS verification and loopback-only http://, account file
# permissions, floods of the daemon's sockets. front-server.py (an HTTPS and discovery front for the token
# server), proc-scan.py (samples argv and environments) and flood.py (holds connections, pipelines requests)
# are their tools.
security_tests = \
	%reldir%/foreign-uid.sh \
	%reldir%/allowed-callers.sh \
	%reldir%/no-leaks.sh \
	%reldir%/tls.sh \
	%reldir%/account-files.sh \
	%reldir%/fd-exhaustion.sh \
	%reldir%/login-hijack.sh \
	%reldir%/memory.sh \
	%reldir%/hostile-input.sh

TESTS += $(security_tests)
dist_check_SCRIPTS += $(security_tests)
EXTRA_DIST += %reldir%/front-server.py %reldir%/proc-scan.py %reldir%/flood.py %reldir%/mem-scan.py \
	%reldir%/holder-probe.py
