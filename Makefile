# SPDX-License-Identifier: GPL-2.0
#
# vnl: top-level build.  `make` builds the module (for KDIR), vnlctl and the
# selftests; `make check` runs the suite in QEMU guests on every kernel of the
# matrix; `make demo` is the README's main job.  See README.md.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The kernel build tree: the running kernel's if it has one, else the newest
# installed Debian 6.1 headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))

# Where the module is built: kmod/ itself by default.  The VM runner builds
# one copy per kernel with MODBUILD=build/<release>, so that kernels do not
# overwrite each other's objects.
MODBUILD ?=
MODDIR := $(if $(MODBUILD),$(abspath $(MODBUILD))/kmod,$(TOP)/kmod)

# make check's kernels, KERNEL[:full|core] each (tools/check); empty: the
# tiered matrix, 5.10:core 6.1 6.12:core 7.2:core debug.
KERNELS ?=

.PHONY: all module tools selftests lint check check-all demo bench stress deps clean

all: module tools selftests

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build tree: run 'make deps' or pass KDIR=" >&2; exit 1; }
ifneq ($(MODBUILD),)
	@mkdir -p $(MODDIR)
	@ln -sfn $(TOP)/include $(abspath $(MODBUILD))/include
	@cp -pu $(TOP)/kmod/Kbuild $(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.c)) $(TOP)/kmod/*.h $(MODDIR)/
endif
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=1 modules

tools:
	$(MAKE) -C tools/vnlctl
	$(MAKE) -C tools/iplink

selftests:
	$(MAKE) -C selftests

# checkpatch, the YNL spec against the uapi header (tools/ynl-check) and
# sparse, all with zero warnings allowed.
lint:
	@tools/lint

# Both README commands set up a fresh machine themselves: packages first,
# then a build in a new make, so that KDIR sees the headers just installed.
check:
	@tools/deps
	@$(MAKE) --no-print-directory all
	@tools/check $(KERNELS)

# The full suite on every kernel (longer than CI's 90 minutes).
check-all:
	@tools/deps
	@$(MAKE) --no-print-directory all
	@tools/check 5.10 6.1 6.12 7.2 debug

demo:
	@tools/deps
	@$(MAKE) --no-print-directory all
	@tools/demo

# Packets per second through vnl's tun and macvlan demux next to the
# kernel's tun and macvlan, in one guest (tools/bench).
bench:
	@tools/deps
	@$(MAKE) --no-print-directory all
	@tools/bench

# The fault, stress and fuzz suites in one guest per kernel (the debug
# kernel by default: VNL_STRESS_KERNEL=6.1|6.12|debug), summed up in a
# table (tools/stress).
stress:
	@tools/deps
	@$(MAKE) --no-print-directory all
	@tools/stress

deps:
	@tools/deps

clean:
	$(MAKE) -C $(KDIR) M=$(TOP)/kmod clean 2>/dev/null || true
	$(MAKE) -C tools/vnlctl clean
	$(MAKE) -C tools/iplink clean
	$(MAKE) -C selftests clean
	rm -rf build
