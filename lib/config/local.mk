# lib/config/: account files (GKeyFile), part of the engine library.
lib_libtb_engine_la_SOURCES += \
	%reldir%/account-file.h \
	%reldir%/account-file-internal.h \
	%reldir%/account-file.c \
	%reldir%/account-file-diagnostics.c \
	%reldir%/account-file-enum.c \
	%reldir%/account-file-keys.c \
	%reldir%/account-file-locate.c \
	%reldir%/account-file-value.c \
	%reldir%/account-file-write.c \
	%reldir%/provider-presets.h \
	%reldir%/provider-presets.c
