# helper/: the front ends. Thin: parse argv or stdin, one or two bus calls, print. They link the lean client
# library only (libc + libsystemd), never the engine, so that a spawn stays cheap.

# ---- git-credential-tokenbroker ------------------------------------------------------------------------
# In $(bindir), where `git credential-tokenbroker` (credential.helper = tokenbroker) finds it on $PATH.
bin_PROGRAMS += git-credential-tokenbroker

git_credential_tokenbroker_SOURCES = %reldir%/git-credential-tokenbroker.c
git_credential_tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(SYSTEMD_CFLAGS)
git_credential_tokenbroker_LDADD = lib/libtb-client.la $(SYSTEMD_LIBS)
# ---- end git-credential-tokenbroker --------------------------------------------------------------------

# ---- tokenbroker (the command line) --------------------------------------------------------------------
bin_PROGRAMS += tokenbroker

tokenbroker_SOURCES = \
	%reldir%/tokenbroker.c \
	%reldir%/cli.h \
	%reldir%/cli-util.c \
	%reldir%/cli-account.c \
	%reldir%/cli-token.c \
	%reldir%/cli-curl.c \
	%reldir%/cli-login.c \
	%reldir%/qr-code.h \
	%reldir%/qr-code.c
# libqrencode's header only: the library is dlopen()ed by `login`, never linked.
tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(SYSTEMD_CFLAGS) $(QRENCODE_CFLAGS)
tokenbroker_LDADD = lib/libtb-client.la $(SYSTEMD_LIBS)
# ---- end tokenbroker -----------------------------------------------------------------------------------
