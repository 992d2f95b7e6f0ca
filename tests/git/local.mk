# tests/git/: git-credential-tokenbroker with real git over a loopback smart-HTTP server, and the check
# that the helper stays lean.
TESTS += \
	%reldir%/test-git-credential.sh \
	%reldir%/setup-git.sh \
	%reldir%/test-helper-deps.sh
dist_check_SCRIPTS += \
	%reldir%/test-git-credential.sh \
	%reldir%/setup-git.sh \
	%reldir%/test-helper-deps.sh
EXTRA_DIST += tests/servers/git-http-server.py

