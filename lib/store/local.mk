# lib/store/: the Secret Service keyring (libsecret); the only GLib-facing code besides config/.
lib_libtb_engine_la_SOURCES += \
	%reldir%/keyring.h \
	%reldir%/keyring.c
