# man/: manual pages, written in scdoc (man/*.scd) and turned into roff at build time. The roff pages are
# shipped in the tarball (dist_man_MANS), so a build from a release needs no scdoc; in a git checkout
# without scdoc they cannot be built and `make` says so.

dist_man_MANS += \
	%reldir%/tokenbroker.1 \
	%reldir%/git-credential-tokenbroker.1 \
	%reldir%/docker-credential-tokenbroker.1 \
	%reldir%/cargo-credential-tokenbroker.1 \
	%reldir%/terraform-credentials-tokenbroker.1 \
	%reldir%/tokenbroker.conf.5 \
	%reldir%/org.tokenbroker.Broker1.5 \
	%reldir%/tokenbrokerd.8 \
	%reldir%/pam_tokenbroker.8

man_sources = $(dist_man_MANS:=.scd)
EXTRA_DIST += $(man_sources)
# Generated, but part of the tarball: only `make maintainer-clean` removes them.
MAINTAINERCLEANFILES = $(dist_man_MANS)

if HAVE_SCDOC
man_verbose = $(man_verbose_@AM_V@)
man_verbose_ = $(man_verbose_@AM_DEFAULT_V@)
man_verbose_0 = @echo "  SCDOC   " $@;
man_build = $(man_verbose)$(MKDIR_P) $(@D) && $(SCDOC) < $< > $@.tmp && mv -f $@.tmp $@
else
man_build = @echo "scdoc is needed to build $@ (apt-get install scdoc), then re-run configure." >&2; exit 1
endif
%reldir%/%.1: %reldir%/%.1.scd
	$(man_build)
%reldir%/%.5: %reldir%/%.5.scd
	$(man_build)
%reldir%/%.8: %reldir%/%.8.scd
	$(man_build)
