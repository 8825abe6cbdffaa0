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
LINK_PKGS   := libsodium jansson
DLOPEN_PKGS := zbar libqrencode libpng

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
# Tests, fuzzing harnesses and test tools may call libqrencode and libpng
# themselves (to draw test images); only those that do link them, so the
# others see them loaded on demand like programs.
TEST_LIBS  := $(PKG_LIBS) -Wl,--as-needed $(shell $(PKG_CONFIG) --libs libqrencode libpng) \
              -Wl,--no-as-needed -ldl
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

# The shared library exports exactly the functions include/totp.h declares:
# its version script is generated from the header.
$(BUILD)/libtotp.map: include/totp.h scripts/exports.sh
	@mkdir -p $(@D)
	sh scripts/exports.sh --map include/totp.h >$@.tmp && mv $@.tmp $@

$(LIBSO): $(LIB_OBJ) $(BUILD)/libtotp.map
	$(CC) -shared $(ALL_LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script=$(BUILD)/libtotp.map \
		-o $@ $(LIB_OBJ) $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -ldl

$(PCFILE): totp.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< >$@

# The totp program links its libraries statically where Debian ships an
# archive: a `totp code` then starts without the dynamic loader resolving
# libsodium and jansson (libpng, with zlib and libm, is loaded on demand
# like zbar).  SHARED_DEPS=1 links them dynamically
# (for distribution packages that prefer library updates to reach it).
ifeq ($(SHARED_DEPS),1)
CLI_LIBS := $(PKG_LIBS) -ldl
else
CLI_LIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --static --libs-only-l $(LINK_PKGS) | \
	sed 's/ -lpthread\b//g') -lkeyutils -Wl,-Bdynamic -ldl
endif

$(TOTP): $(CLI_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(CLI_LIBS)

# Unit tests may look inside the library.
$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude -Isrc/lib -Itests $(PKG_CFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-o $@ $< $(LIBA) $(TEST_LIBS)

# Fuzzing (tests/fuzz): each tests/fuzz/fuzz_T.c is a libFuzzer target T.
# `make check` replays tests/fuzz/regress/T and the seed corpus through each
# harness with a plain main() (binaries tests/t_fuzz_T, found by run.sh);
# `make fuzz FUZZ_SECONDS=N` builds with clang and sanitizers in
# $(FUZZ_BUILD) and runs every target N seconds (FUZZ_JOBS=2: two at once).
# The harnesses wrap the importers' KDFs to cap their cost (tests/fuzz/fuzz.h).
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_HDR     := $(wildcard tests/fuzz/*.h) tests/image_util.h
FUZZ_WRAP    := $(foreach f,crypto_pwhash crypto_pwhash_scryptsalsa208sha256_ll totp_pbkdf2 \
                  sodium_malloc sodium_allocarray sodium_free,-Wl,--wrap=$(f))
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/tests/t_fuzz_%)
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CCLD     = $(CC) $(CPPFLAGS) -Iinclude -Isrc/lib -Itests -Itests/fuzz $(PKG_CFLAGS) \
                $(ALL_CFLAGS) $(ALL_LDFLAGS)

$(BUILD)/tests/t_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_HDR) $(LIBA)
	@mkdir -p $(@D)
	$(FUZZ_CCLD) -DFUZZ_TARGET='"$*"' $(FUZZ_WRAP) -o $@ $< tests/fuzz/replay.c $(LIBA) \
		$(TEST_LIBS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDR) $(LIBA)
	@mkdir -p $(@D)
	$(FUZZ_CCLD) -fsanitize=fuzzer $(FUZZ_WRAP) -o $@ $< $(LIBA) $(TEST_LIBS)

$(BUILD)/fuzz/mkcorpus: tests/fuzz/mkcorpus.c $(FUZZ_HDR) $(LIBA)
	@mkdir -p $(@D)
	$(FUZZ_CCLD) -o $@ $< $(LIBA) $(TEST_LIBS)

$(BUILD)/fuzz-seeds/.stamp: $(BUILD)/fuzz/mkcorpus $(wildcard tests/data/import/* tests/t_*.c)
	@rm -rf $(@D)
	$(BUILD)/fuzz/mkcorpus $(@D) . >/dev/null
	@touch $@

.PHONY: fuzz fuzz-build fuzz-replay
fuzz-replay: $(FUZZ_REPLAY) $(BUILD)/fuzz-seeds/.stamp

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%) $(BUILD)/fuzz-seeds/.stamp

fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SAN= CFLAGS='-O1 -g' \
		SANFLAGS='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Crash, I/O-fault, allocation-failure and concurrency tests (tests/stress):
# a sample runs in `make check` (tests/cli/t_stress_fast.sh), the whole
# matrix in `make stress`.  The LD_PRELOAD fault shims are built without
# sanitizers: they are loaded into the program under test.
STRESS_SHIMS := $(BUILD)/tests/stress/shim_alloc.so $(BUILD)/tests/stress/shim_write.so

$(BUILD)/tests/stress/%.so: tests/stress/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 $(WARN) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

.PHONY: stress
stress: $(TOTP) $(STRESS_SHIMS)
	@tests/stress/run.sh $(BUILD)

# Programs the CLI tests call (tests/tools), e.g. mkbackup, which writes
# encrypted backup codes through the library; and make bench's own, which
# tests/cli/t_bench.sh checks.
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
BENCH_TOOLS := $(BUILD)/bench/kdftime $(BUILD)/bench/mkvault

$(BUILD)/tests/tools/%: tests/tools/%.c include/totp.h $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(TEST_LIBS)

check: $(TOTP) $(LIBSO) $(TEST_BIN) $(TEST_TOOLS) $(BENCH_TOOLS) fuzz-replay $(STRESS_SHIMS)
	@tests/run.sh $(BUILD)

# The CLI test scripts with every run of totp under valgrind (TOTP_WRAP, see
# tests/cli/lib.sh).  Any memory error or definitely/indirectly lost block
# fails: the run exits 99, and valgrind's log (empty when clean) is shown.
.PHONY: valgrind
VALGRIND_LOGS = $(CURDIR)/$(BUILD)/valgrind
VALGRIND_CMD = valgrind -q --error-exitcode=99 --leak-check=full \
	--suppressions=$(CURDIR)/tests/valgrind.supp \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--log-file=$(VALGRIND_LOGS)/%p.log
valgrind: all $(TEST_TOOLS) $(BENCH_TOOLS)
	@rm -rf $(VALGRIND_LOGS) && mkdir -p $(VALGRIND_LOGS) && chmod 1777 $(VALGRIND_LOGS)
	@TOTP_CLI_ONLY=1 TOTP_WRAP="$(VALGRIND_CMD)" tests/run.sh $(BUILD); rc=$$?; \
	for f in $(VALGRIND_LOGS)/*.log; do \
		if [ -s "$$f" ]; then echo "# valgrind: $$f"; cat "$$f"; rc=1; fi; \
	done; \
	echo "valgrind: $$(ls $(VALGRIND_LOGS) | wc -l) runs of totp checked"; \
	exit $$rc

lint:
	mandoc -Tlint -Wwarning man/totp.1 man/totp-vault.5 man/totp-backup.5

# Benchmarks against oathtool, zbarimg, qrencode, pass otp (bench/run.sh);
# writes bench/results.md.  kdftime times Argon2id alone, the unlock
# reference; mkvault builds large vaults through the public API.
.PHONY: bench
$(BUILD)/bench/kdftime: bench/kdftime.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(shell $(PKG_CONFIG) --cflags libsodium) $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-o $@ $< $(shell $(PKG_CONFIG) --libs libsodium)

$(BUILD)/bench/mkvault: bench/mkvault.c include/totp.h $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS) -ldl

bench: $(TOTP) $(BENCH_TOOLS)
	bench/run.sh $(BUILD)

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
	install -m 644 man/totp-backup.5 $(DESTDIR)$(MANDIR)/man5/totp-backup.5
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/totp.bash $(DESTDIR)$(BASHCOMPDIR)/totp
	install -m 644 completions/_totp $(DESTDIR)$(ZSHCOMPDIR)/_totp
	install -m 644 completions/totp.fish $(DESTDIR)$(FISHCOMPDIR)/totp.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/totp $(DESTDIR)$(LIBDIR)/libtotp.a \
		$(DESTDIR)$(LIBDIR)/libtotp.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libtotp.so $(DESTDIR)$(LIBDIR)/pkgconfig/totp.pc \
		$(DESTDIR)$(INCDIR)/totp.h $(DESTDIR)$(MANDIR)/man1/totp.1 \
		$(DESTDIR)$(MANDIR)/man5/totp-vault.5 $(DESTDIR)$(MANDIR)/man5/totp-backup.5 $(DESTDIR)$(BASHCOMPDIR)/totp \
		$(DESTDIR)$(ZSHCOMPDIR)/_totp $(DESTDIR)$(FISHCOMPDIR)/totp.fish

clean:
	rm -rf build build-san
