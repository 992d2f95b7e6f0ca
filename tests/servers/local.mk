# tests/servers: the loopback emulators of the five documented token services (provider-server.py, one
# module per service in providers/) and their TAP self-test. token-server.py shares emulator_common.py.
EXTRA_DIST += \
	%reldir%/emulator_common.py \
	%reldir%/kube-api-server.py \
	%reldir%/registry-server.py \
	%reldir%/provider-server.py \
	%reldir%/providers/flaik.py \
	%reldir%/providers/floriday.py \
	%reldir%/providers/flixcheck.py \
	%reldir%/providers/flume.py \
	%reldir%/providers/sharetribe.py

emulator_tests = %reldir%/test-emulators.sh

TESTS += $(emulator_tests)
dist_check_SCRIPTS += $(emulator_tests)
