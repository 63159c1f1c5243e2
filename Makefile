# SPDX-License-Identifier: Apache-2.0
# farmhound - see README.md.  `make`, `make test`, `make scan`, `make deps`.
#
# Debian packages needed to build and test.  `make deps` installs whichever
# are missing (apt-get, as root); `make test` runs it first.
DEPS_BUILD := gcc make pkg-config libudev-dev libinih-dev libpcre2-dev libsystemd-dev \
              libpcap-dev libmaxminddb-dev
DEPS_TEST  := libcmocka-dev umockdev libumockdev-dev libglib2.0-dev rsyslog python3 \
              coturn libmaxmind-db-writer-perl socat \
              mandoc man-db debhelper dpkg-dev lintian rpm time gdb iproute2 util-linux \
              systemd-container

PKGS      := libudev inih libpcre2-8 libsystemd libpcap libmaxminddb
TEST_PKGS := cmocka
UMOCK_PKGS := umockdev-1.0 glib-2.0 gobject-2.0

CC      ?= cc
CFLAGS  ?= -O2 -g
# Recursive (=) so pkg-config runs after `make deps` has installed it.
# Includes name their layer from the top of the tree ("collectors/event.h"),
# or are bare for a header beside the file: -iquote . is the only search
# directory, so no header is found by accident in another folder
# (tests/integration/layers.sh checks which way they point).
FH_CFLAGS = -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -iquote . \
            $(shell pkg-config --cflags $(PKGS))
FH_LIBS   = $(shell pkg-config --libs $(PKGS))

BUILD := build
# The layers, low to high (collectors/README.md "Layout"): lib <- collectors <- rules <- agent;
# collectors/ holds what they share and one folder per collector.
SRC   := $(sort $(wildcard lib/*.c collectors/*.c collectors/*/*.c rules/*.c agent/*.c))
HDR   := $(wildcard lib/*.h collectors/*.h collectors/*/*.h rules/*.h agent/*.h)
OBJ   := $(SRC:%.c=$(BUILD)/obj/%.o)
LIB_OBJ := $(filter-out $(BUILD)/obj/agent/main.o,$(OBJ))

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/integration/*.c))
HELPER_BIN := $(HELPER_SRC:tests/integration/%.c=$(BUILD)/tests/%)
# Test tools (fixture generators such as the pcap writer): linked with the
# agent's library, so they can reuse its codecs.
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
# Corpus replay of the fuzz targets (tests/fuzz, "fuzzing" below): defined
# here because check-tests' prerequisites are expanded where it is read.
FUZZ_NAMES  := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
REPLAY_BIN  := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)
# Unit suites that drive umockdev testbeds themselves (libumockdev).
UMOCK_TESTS := $(BUILD)/tests/test_usb $(BUILD)/tests/test_usb_fields $(BUILD)/tests/test_display

.PHONY: all deps test test-asan check-tests scan clean bench stress stress-asan

all: $(BUILD)/farmhound

$(BUILD)/farmhound: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(FH_LIBS)

$(BUILD)/libfarmhound.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/obj/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(OBJ_DEFS) -c -o $@ $<

# The net collector's BPF programs for --pcap, compiled by libpcap at build
# time (collectors/net/net_filter.c "Compiled at build time": its optimizer
# costs ~30 ms of every --pcap run otherwise).  The tool is built from
# net_filter.c without the header; an object built without it (the fuzz
# build) compiles at run time.
NET_FILTER_GEN  := $(BUILD)/gen/net_filter_gen
NET_FILTER_PROG := $(BUILD)/gen/net_filter_prog.h
$(NET_FILTER_GEN): collectors/net/gen/net_filter_gen.c collectors/net/net_filter.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< collectors/net/net_filter.c \
	  $(FH_LIBS)
$(NET_FILTER_PROG): $(NET_FILTER_GEN)
	$(NET_FILTER_GEN) >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/collectors/net/net_filter.o: $(NET_FILTER_PROG)
$(BUILD)/obj/collectors/net/net_filter.o: OBJ_DEFS = -DNET_FILTER_PREBUILT='"$(NET_FILTER_PROG)"'

# LDWRAP_<name>: linker --wrap options of one unit suite, for allocation
# failure injection (the suite defines __wrap_X and calls __real_X).
LDWRAP_correlate := -Wl,--wrap=event_new

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libfarmhound.a
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) $(CPPFLAGS) $(CFLAGS) \
	  $(LDFLAGS) $(LDWRAP_$*) -o $@ $< $(BUILD)/libfarmhound.a $(FH_LIBS) \
	  $(shell pkg-config --libs $(TEST_PKGS))

# These drive umockdev testbeds themselves (libumockdev), so they also link
# umockdev; they re-execute themselves under umockdev-wrapper.
$(filter $(UMOCK_TESTS),$(UNIT_BIN)): $(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libfarmhound.a
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) -Wno-deprecated-declarations $(shell pkg-config --cflags $(TEST_PKGS) $(UMOCK_PKGS)) \
	  $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfarmhound.a $(FH_LIBS) \
	  $(shell pkg-config --libs $(TEST_PKGS) $(UMOCK_PKGS))

# Integration helpers (C programs driving umockdev testbeds).
$(BUILD)/tests/%: tests/integration/%.c tests/integration/testbed.h
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) -Wno-deprecated-declarations $(shell pkg-config --cflags $(UMOCK_PKGS)) \
	  $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs $(UMOCK_PKGS))

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libfarmhound.a
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfarmhound.a $(FH_LIBS)

deps:
	@missing=""; for p in $(DEPS_BUILD) $(DEPS_TEST); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	    || { echo "make deps: apt-get failed (run as root)"; exit 1; }; \
	fi

test: deps
	@$(MAKE) --no-print-directory check-tests

# The whole suite (unit + integration, the daemon included) under ASan+UBSan
# with leak checking, built apart in build-asan.  abort_on_error/halt_on_error
# (for both sanitizers: UBSan's own default would exit 1, which a scan test
# cannot tell from "alerts found"): a report kills the process (SIGABRT,
# status 134), so a test's exit-status checks catch it even where the
# daemon's stderr is discarded, and disable_coredump=0 lets it dump core
# like any crash, for the harness's backtrace (tests/cores.sh; ASan keeps
# its shadow memory out of the core).  (log_path
# cannot collect the reports instead: ASan's start-up stat()/mkdir() of the
# log directory runs through umockdev's preload before it is initialised and
# crashes every umockdev test.)  FH_SANITIZED tells tests to skip figures
# the sanitizers distort (resident memory); FH_TIME_SCALE multiplies every
# deadline the integration suites wait on (tests/integration/lib.sh): the
# sanitized daemon runs several times slower, and a test asserts behaviour,
# never speed.
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_LDFLAGS := -fsanitize=address,undefined
SAN_ENV := ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:abort_on_error=1:disable_coredump=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
test-asan: deps
	@FH_TIME_SCALE=$${FH_TIME_SCALE:-3} $(SAN_ENV) FH_SANITIZED=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(ASAN_CFLAGS)" \
	  LDFLAGS="$(ASAN_LDFLAGS)" check-tests

check-tests: all $(UNIT_BIN) $(HELPER_BIN) $(TOOL_BIN) $(REPLAY_BIN)
	@BUILD=$(BUILD) tests/run.sh

scan: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/farmhound --scan -r rules/rules.d; rc=$$?; \
	  if [ $$rc -eq 2 ]; then exit 2; fi; exit 0

# Benchmarks (not timed tests): tests/bench/table.sh prints one table (it
# runs net_live_cpu.sh for the bulk-traffic row; net_pcap.sh still runs
# alone).  Benchmarks compare against the tools a user would otherwise run.
DEPS_BENCH := tcpdump iperf3 tshark

bench: all $(TOOL_BIN) $(HELPER_BIN)
	@missing=""; for p in $(DEPS_BENCH); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	    || { echo "make bench: cannot install$$missing"; exit 1; }; \
	fi
	@BUILD=$(BUILD) sh tests/bench/table.sh

# ---- stress (tests/stress.sh; tests/README.md "Crashes") ----
# Not part of `make test`: the USB, display and capture fixtures of the
# scan suites, STRESS_N times each (default 90: 5,310 USB and display
# scans), STRESS_JOBS at a time, cores on; any crash is reported with its
# fixture and the backtrace of every thread.  STRESS_VALGRIND=1 runs each
# farmhound under valgrind; stress-asan runs the sanitized build.
DEPS_STRESS := umockdev gdb valgrind
stress: deps $(BUILD)/tests/tools/pcapgen
	@$(MAKE) --no-print-directory all
	@for p in $(DEPS_STRESS); do dpkg -s $$p >/dev/null 2>&1 || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$p >/dev/null; done
	@BUILD=$(BUILD) sh tests/stress.sh

stress-asan: deps
	@$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(ASAN_CFLAGS)" \
	  LDFLAGS="$(ASAN_LDFLAGS)" stress

# ---- fuzzing (tests/fuzz; tests/README.md "Fuzzing") ----
# `make fuzz` builds every tests/fuzz/fuzz_*.c with clang's libFuzzer and
# ASan+UBSan into FUZZ_BUILD (its own objects: the sanitizer flags must not
# leak into build/), then runs each for FUZZ_TIME seconds from its seed
# corpus.  `make fuzz-build` only builds.  The replay binaries (the same
# targets with tests/fuzz/replay.c as main, normal compiler) run in
# `make test` via tests/integration/fuzz_replay.sh.
# libFuzzer's runtime is only a Recommends of Debian's clang: named here.
DEPS_FUZZ   := clang libclang-rt-14-dev
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 60
FUZZ_BUILD  ?= build-fuzz
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
# gcc (the normal build) is the warnings gate; clang warns about other
# things (designated initializers), which must not stop a fuzz build.
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -Wno-error -Wno-missing-field-initializers
FUZZ_BIN    := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_OBJ    := $(LIB_OBJ:$(BUILD)/obj/%=$(FUZZ_BUILD)/obj/%)

.PHONY: fuzz fuzz-build

fuzz-build:
	@missing=""; for p in $(DEPS_FUZZ); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	    || { echo "make fuzz: cannot install$$missing"; exit 1; }; \
	fi
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh $(FUZZ_NAMES)

$(FUZZ_BUILD)/obj/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FH_CFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/libfarmhound.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $(FUZZ_OBJ)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libfarmhound.a
	$(FUZZ_CC) $(FH_CFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	  -o $@ $< $(FUZZ_BUILD)/libfarmhound.a $(FH_LIBS)

$(BUILD)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
		$(BUILD)/libfarmhound.a
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
	  $(BUILD)/libfarmhound.a $(FH_LIBS)

clean:
	rm -rf $(BUILD)

# ---- installation, man pages and packages (README "Installing") ----
# The binary always reads /etc/farmhound (CONFIG_DEFAULT_PATH); SYSCONFDIR
# only moves where `make install` puts the files.  Nothing is written outside
# DESTDIR: no user is created and systemd is not told (the packages do that).
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
SYSCONFDIR  ?= /etc
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/farmhound
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
INSTALL     ?= install
VERSION     := $(shell cat VERSION 2>/dev/null)
MAN_PAGES   := $(BUILD)/man/farmhound.8 $(BUILD)/man/farmhound.conf.5 $(BUILD)/man/farmhound.rules.5
PKG_FILES   := Makefile README.md lib collectors rules agent packaging

.PHONY: install man deb rpm

man: $(MAN_PAGES)

# The version is written once, in VERSION (README "Version and licence"):
# the binary gets it as FARMHOUND_VERSION, which every object is rebuilt
# for; the man pages, the Debian changelog and the RPM spec get it in place
# of their @VERSION@.  `make versioned` builds everything that carries it
# (tests/integration/version.sh).
ifeq ($(VERSION),)
$(error VERSION: missing or empty (one line: MAJOR.MINOR.PATCH))
endif
FH_CFLAGS += -DFARMHOUND_VERSION='"$(VERSION)"'
$(OBJ) $(FUZZ_OBJ): VERSION
SUBST_VERSION = sed 's/@VERSION@/$(VERSION)/g'
PKG_FILES += VERSION LICENSE
PKG_VERSIONED := $(BUILD)/pkg/debian/changelog $(BUILD)/pkg/farmhound.spec

.PHONY: versioned
versioned: $(BUILD)/farmhound $(MAN_PAGES) $(PKG_VERSIONED)

$(BUILD)/man/%: packaging/man/% VERSION
	@mkdir -p $(dir $@)
	$(SUBST_VERSION) $< >$@

$(BUILD)/pkg/debian/changelog: packaging/debian/changelog VERSION
	@mkdir -p $(dir $@)
	$(SUBST_VERSION) $< >$@

$(BUILD)/pkg/farmhound.spec: packaging/rpm/farmhound.spec VERSION
	@mkdir -p $(dir $@)
	$(SUBST_VERSION) $< >$@

# The field reference is generated from the binary's own field tables,
# the reference of the shipped rules from the rule files (their name,
# description and advice; rules2doc.sh refuses a rule without them).
RULE_FILES := $(sort $(wildcard rules/rules.d/*.rules))
$(BUILD)/man/farmhound.rules.5: packaging/man/farmhound.rules.5.in packaging/man/fields2man.sh \
		packaging/man/rules2doc.sh $(RULE_FILES) $(BUILD)/farmhound VERSION
	@mkdir -p $(dir $@)
	$(BUILD)/farmhound --fields >$@.fields
	sh packaging/man/fields2man.sh $< $@.fields >$@.tmp
	sh packaging/man/rules2doc.sh man $@.tmp $(RULE_FILES) | $(SUBST_VERSION) >$@.tmp2
	mv $@.tmp2 $@
	rm -f $@.tmp

# README's alert reference, between its "rules reference" markers, from
# the same rule files: run after editing a shipped rule (make test fails,
# in tests/integration/ruledoc.sh, while README is stale).
.PHONY: ruledoc
ruledoc:
	sh packaging/man/rules2doc.sh readme README.md $(RULE_FILES) >README.md.tmp
	mv README.md.tmp README.md

install: $(BUILD)/farmhound $(MAN_PAGES)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/farmhound/rules.d \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 0755 $(BUILD)/farmhound $(DESTDIR)$(SBINDIR)/farmhound
	@# An existing configuration is the admin's: never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/farmhound/farmhound.conf ] || \
	  $(INSTALL) -m 0644 packaging/farmhound.conf $(DESTDIR)$(SYSCONFDIR)/farmhound/farmhound.conf
	$(INSTALL) -m 0644 rules/rules.d/*.rules $(DESTDIR)$(SYSCONFDIR)/farmhound/rules.d/
	sed 's|/usr/sbin/farmhound|$(SBINDIR)/farmhound|g' packaging/farmhound.service \
	  >$(DESTDIR)$(UNITDIR)/farmhound.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/farmhound.service
	$(INSTALL) -m 0644 packaging/farmhound.sysusers $(DESTDIR)$(SYSUSERSDIR)/farmhound.conf
	$(INSTALL) -m 0644 $(BUILD)/man/farmhound.8 $(DESTDIR)$(MANDIR)/man8/farmhound.8
	$(INSTALL) -m 0644 $(BUILD)/man/farmhound.conf.5 $(BUILD)/man/farmhound.rules.5 \
	  $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 packaging/farmhound.conf packaging/rsyslog/60-farmhound.conf \
	  packaging/examples/ptrace.conf $(DESTDIR)$(DOCDIR)/examples/

# Binary packages, built from a copy of the tree (never from build/), with
# the changelog and the spec that carry the version.
deb: $(BUILD)/pkg/debian/changelog
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/farmhound-$(VERSION)
	cp -r $(PKG_FILES) $(BUILD)/deb/farmhound-$(VERSION)/
	cp -rL packaging/debian $(BUILD)/deb/farmhound-$(VERSION)/debian
	cp $(BUILD)/pkg/debian/changelog $(BUILD)/deb/farmhound-$(VERSION)/debian/changelog
	@# A fresh make inside: not this one's command-line variables (BUILD=...),
	@# nor build flags a caller exported (make test-asan's sanitizer CFLAGS):
	@# the package takes dpkg-buildflags' hardened ones.
	cd $(BUILD)/deb/farmhound-$(VERSION) && \
	  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u CPPFLAGS -u LDFLAGS \
	  dpkg-buildpackage -us -uc -b
	@ls $(BUILD)/deb/*.deb

# --nodeps: where rpmbuild is not the system's package manager (Debian's
# rpm package), no BuildRequires can be satisfied from its empty database.
rpm: $(BUILD)/pkg/farmhound.spec
	rm -rf $(BUILD)/rpm
	mkdir -p $(BUILD)/rpm/SOURCES
	tar -czf $(BUILD)/rpm/SOURCES/farmhound-$(VERSION).tar.gz \
	  --transform 's,^,farmhound-$(VERSION)/,' $(PKG_FILES)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL rpmbuild -bb --define '_topdir $(abspath $(BUILD)/rpm)' \
	  $$(rpm -q rpm >/dev/null 2>&1 || echo --nodeps) $(BUILD)/pkg/farmhound.spec
	@ls $(BUILD)/rpm/RPMS/*/*.rpm
