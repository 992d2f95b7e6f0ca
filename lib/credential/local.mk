# lib/credential/: git's credential helper protocol and Hosts= pattern matching. Pure libc, so they sit in the
# libc-only library that both git helpers link, and the daemon reuses host-match for MatchAccount.
lib_libtb_common_la_SOURCES += \
	%reldir%/credential-proto.h \
	%reldir%/credential-proto.c \
	%reldir%/host-match.h \
	%reldir%/host-match.c
