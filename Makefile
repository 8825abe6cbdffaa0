# totp - command-line TOTP/HOTP authenticator and libtotp.
# GNU make.  make; make check; make SAN=1 check; make WERROR=1; make install.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR   ?=
PKG_CONFIG ?= pkg-config

# Linked libraries, and libraries loaded with dlopen() only by the code paths
# that need them (their headers are needed to build).
LINK_PKGS   := libsodium libqrencode libpng jansson
DLOPEN_PKGS := zbar

ifeq ($(SAN),1)
BUILD     ?= build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     ?= build
SANFLAGS  :=
endif

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wmissing-prototypes \
        -Wstrict-prototypes -Wvla -Wwrite-strings
ifeq ($(WERROR),1)
WARN += -Werror
endif

CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LINK_PKGS) $(DLOPEN_PKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -lkeyutils
ALL_CFLAGS := -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

LIB_SRC  := $(sort $(wildcard src/lib/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/t_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIBA     := $(BUILD)/libtotp.a
SOMAJOR  := 0
SONAME   := libtotp.so.$(SOMAJOR)
LIBSO    := $(BUILD)/libtotp.so.$(VERSION)
TOTP     := $(BUILD)/totp
PCFILE   := $(BUILD)/totp.pc

.PHONY: all check clean install uninstall lint
all: $(TOTP) $(LIBA) $(LIBSO) $(PCFILE)

# The library sees its private headers; the program sees only include/.
$(BUILD)/src/lib/%.o: src/lib/%.c include/totp.h $(wildcard src/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude -Isrc/lib $(PKG_CFLAGS) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(BUILD)/src/cli/%.o: src/cli/%.c include/totp.h $(wildcard src/cli/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBSO): $(LIB_OBJ) src/lib/libtotp.map
	$(CC) -shared $(ALL_LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script=src/lib/libtotp.map \
		-o $@ $(LIB_OBJ) $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -ldl

$(PCFILE): totp.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< >$@

$(TOTP): $(CLI_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(PKG_LIBS) -ldl

# Unit tests may look inside the library.
$(BUILD)/tests/%: tests/%.c tests/test.h $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude -Isrc/lib -Itests $(PKG_CFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-o $@ $< $(LIBA) $(PKG_LIBS) -ldl

check: $(TOTP) $(TEST_BIN)
	@tests/run.sh $(BUILD)

lint:
	mandoc -Tlint -Wwarning man/totp.1 man/totp-vault.5

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(TOTP) $(DESTDIR)$(BINDIR)/totp
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libtotp.a
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libtotp.so.$(VERSION)
	ln -sf libtotp.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libtotp.so
	install -m 644 $(PCFILE) $(DESTDIR)$(LIBDIR)/pkgconfig/totp.pc
	install -m 644 include/totp.h $(DESTDIR)$(INCDIR)/totp.h
	install -m 644 man/totp.1 $(DESTDIR)$(MANDIR)/man1/totp.1
	install -m 644 man/totp-vault.5 $(DESTDIR)$(MANDIR)/man5/totp-vault.5
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/totp.bash $(DESTDIR)$(BASHCOMPDIR)/totp
	install -m 644 completions/_totp $(DESTDIR)$(ZSHCOMPDIR)/_totp
	install -m 644 completions/totp.fish $(DESTDIR)$(FISHCOMPDIR)/totp.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/totp $(DESTDIR)$(LIBDIR)/libtotp.a \
		$(DESTDIR)$(LIBDIR)/libtotp.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libtotp.so $(DESTDIR)$(LIBDIR)/pkgconfig/totp.pc \
		$(DESTDIR)$(INCDIR)/totp.h $(DESTDIR)$(MANDIR)/man1/totp.1 \
		$(DESTDIR)$(MANDIR)/man5/totp-vault.5 $(DESTDIR)$(BASHCOMPDIR)/totp \
		$(DESTDIR)$(ZSHCOMPDIR)/_totp $(DESTDIR)$(FISHCOMPDIR)/totp.fish

clean:
	rm -rf build build-san
