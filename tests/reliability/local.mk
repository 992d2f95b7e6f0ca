# tests/reliability: faults survived with nothing lost (TAP shell tests on the rig, tests/lib/rig.sh, with
# shared helpers in lib.sh): kill -9 during refresh-token rotation, a failing token endpoint, the keyring
# locked or restarted, account files edited or written to a full disk, a second daemon, the bus going away
# and the idle exit, and a short soak. `make soak` runs the
# soak for SOAK_SECONDS (75).
reliability_tests = \
	%reldir%/kill9-rotation.sh \
	%reldir%/endpoint-faults.sh \
	%reldir%/keyring-and-config.sh \
	%reldir%/lifecycle.sh \
	%reldir%/soak.sh

TESTS += $(reliability_tests)
dist_check_SCRIPTS += $(reliability_tests)
EXTRA_DIST += %reldir%/lib.sh %reldir%/valgrind.supp

SOAK_SECONDS = 75
soak: all tests/lib/keyring-unlock
	$(AM_V_at)abs_top_srcdir='$(abs_top_srcdir)' abs_top_builddir='$(abs_top_builddir)' PYTHON3='$(PYTHON3)' \
		SOAK_SECONDS='$(SOAK_SECONDS)' $(SHELL) $(top_srcdir)/%reldir%/soak.sh
.PHONY: soak
