# lib/credential/: git's credential helper protocol and Hosts= pattern matching. Pure libc, so they sit in the
# lean client library that git-credential-tokenbroker links, and the daemon reuses host-match for MatchAccount.
lib_libtb_client_la_SOURCES += \
	%reldir%/credential-proto.h \
	%reldir%/credential-proto.c \
	%reldir%/host-match.h \
	%reldir%/host-match.c
