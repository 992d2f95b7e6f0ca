# tests/providers: each of the five documented services end to end, through tokenbroker and D-Bus, against
# its emulator in tests/servers/providers/ (TAP shell scripts in the rig's private session).
provider_tests = \
	%reldir%/flaik.sh \
	%reldir%/floriday.sh \
	%reldir%/flixcheck.sh \
	%reldir%/flume.sh \
	%reldir%/sharetribe.sh

TESTS += $(provider_tests)
dist_check_SCRIPTS += $(provider_tests)
