# farmhound - see README.md.  `make`, `make test`, `make scan`, `make deps`.
#
# Debian packages needed to build and test.  `make deps` installs whichever
# are missing (apt-get, as root); `make test` runs it first.
DEPS_BUILD := gcc make pkg-config libudev-dev libinih-dev libpcre2-dev libsystemd-dev \
              libpcap-dev libmaxminddb-dev
DEPS_TEST  := libcmocka-dev umockdev libumockdev-dev libglib2.0-dev rsyslog python3 \
              coturn libmaxmind-db-writer-perl socat

PKGS      := libudev inih libpcre2-8 libsystemd libpcap libmaxminddb
TEST_PKGS := cmocka
UMOCK_PKGS := umockdev-1.0 glib-2.0 gobject-2.0

CC      ?= cc
CFLAGS  ?= -O2 -g
# Recursive (=) so pkg-config runs after `make deps` has installed it.
FH_CFLAGS = -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -Iagent -Icollectors -Irules \
            $(shell pkg-config --cflags $(PKGS))
FH_LIBS   = $(shell pkg-config --libs $(PKGS))

BUILD := build
SRC   := $(sort $(wildcard agent/*.c collectors/*.c rules/*.c))
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
# Unit suites that drive umockdev testbeds themselves (libumockdev).
UMOCK_TESTS := $(BUILD)/tests/test_usb $(BUILD)/tests/test_display

.PHONY: all deps test check-tests scan clean bench

all: $(BUILD)/farmhound

$(BUILD)/farmhound: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(FH_LIBS)

$(BUILD)/libfarmhound.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/obj/%.o: %.c $(wildcard agent/*.h collectors/*.h rules/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libfarmhound.a
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) $(CPPFLAGS) $(CFLAGS) \
	  $(LDFLAGS) -o $@ $< $(BUILD)/libfarmhound.a $(FH_LIBS) $(shell pkg-config --libs $(TEST_PKGS))

# These drive umockdev testbeds themselves (libumockdev), so they also link
# umockdev; they re-execute themselves under umockdev-wrapper.
$(filter $(UMOCK_TESTS),$(UNIT_BIN)): $(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libfarmhound.a
	@mkdir -p $(dir $@)
	$(CC) $(FH_CFLAGS) -Wno-deprecated-declarations $(shell pkg-config --cflags $(TEST_PKGS) $(UMOCK_PKGS)) \
	  $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfarmhound.a $(FH_LIBS) \
	  $(shell pkg-config --libs $(TEST_PKGS) $(UMOCK_PKGS))

# Integration helpers (C programs driving umockdev testbeds).
$(BUILD)/tests/%: tests/integration/%.c
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

check-tests: all $(UNIT_BIN) $(HELPER_BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) tests/run.sh

scan: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/farmhound --scan -r rules/rules.d; rc=$$?; \
	  if [ $$rc -eq 2 ]; then exit 2; fi; exit 0

# Benchmarks (not timed tests): tests/bench/*.sh print their figures.
bench: all $(TOOL_BIN)
	@for s in tests/bench/*.sh; do BUILD=$(BUILD) sh $$s || exit 1; done

clean:
	rm -rf $(BUILD)
