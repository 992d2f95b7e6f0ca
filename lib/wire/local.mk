# lib/wire/: what the D-Bus interface and the token socket share, and the token socket's client. The tables
# (error names <-> errno, exit statuses) need libc only and go where every binary finds them, the PAM
# module included; the messages and the client need json-c and make a library of their own.
lib_libtb_common_la_SOURCES += \
	%reldir%/wire-api.h \
	%reldir%/wire-errors.h \
	%reldir%/wire-errors.c \
	%reldir%/broker-socket.h \
	%reldir%/broker-socket.c \
	%reldir%/exit-status.h \
	%reldir%/exit-status.c
lib_libtb_wire_la_SOURCES += \
	%reldir%/wire-json.h \
	%reldir%/wire-json.c \
	%reldir%/wire-client.h \
	%reldir%/wire-client.c
