# pam/: pam_tokenbroker.so, the session module that asks the user's tokenbrokerd to warm up tokens at login.
#
# libpam-tb.la holds the parts without PAM or bus calls (option parsing, checks of values from the PAM
# environment) so that unit tests link them directly; the module links it and lib/libtb-client.la only:
# libc, libsystemd and libpam, never GLib, libcurl or libsecret.

noinst_LTLIBRARIES += %reldir%/libpam-tb.la
%canon_reldir%_libpam_tb_la_SOURCES = \
	%reldir%/pam-options.h \
	%reldir%/pam-options.c \
	%reldir%/pam-address.h \
	%reldir%/pam-address.c

pammod_LTLIBRARIES += %reldir%/pam_tokenbroker.la
%canon_reldir%_pam_tokenbroker_la_SOURCES = \
	%reldir%/pam_tokenbroker.c \
	%reldir%/pam-warmup.h \
	%reldir%/pam-warmup.c
%canon_reldir%_pam_tokenbroker_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
# -module -avoid-version: installed as plain pam_tokenbroker.so. The version script exports pam_sm_* only.
%canon_reldir%_pam_tokenbroker_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined \
	-Wl,--version-script=$(srcdir)/%reldir%/pam_tokenbroker.map
%canon_reldir%_pam_tokenbroker_la_LIBADD = %reldir%/libpam-tb.la lib/libtb-client.la $(SYSTEMD_LIBS) $(PAM_LIBS)
EXTRA_%canon_reldir%_pam_tokenbroker_la_DEPENDENCIES = %reldir%/pam_tokenbroker.map
EXTRA_DIST += %reldir%/pam_tokenbroker.map

# libtool leaves .la files behind in $(pammoddir); PAM only loads the .so.
install-data-hook: pam-remove-la
pam-remove-la:
	rm -f $(DESTDIR)$(pammoddir)/pam_tokenbroker.la
.PHONY: pam-remove-la
uninstall-hook: pam-remove-so
pam-remove-so:
	rm -f $(DESTDIR)$(pammoddir)/pam_tokenbroker.so
.PHONY: pam-remove-so
