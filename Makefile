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
# kbuild's jobs: every CPU.  make check builds the module about ten times
# (each kernel, sparse, make install, DKMS) before a guest starts.
JOBS ?= $(shell nproc)

# make check's kernels, KERNEL[:full|core] each (tools/check); empty: the
# tiered matrix, 5.10:core 6.1 6.12:core 7.2:core debug.
KERNELS ?=

.PHONY: all module tools selftests lint check check-all demo bench stress deps clean
.PHONY: install install-module install-tools install-doc uninstall
.PHONY: dkms-source dkms-install dkms-uninstall

all: module tools selftests

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build tree: run 'make deps' or pass KDIR=" >&2; exit 1; }
ifneq ($(MODBUILD),)
	@mkdir -p $(MODDIR)
	@ln -sfn $(TOP)/include $(abspath $(MODBUILD))/include
	@cp -pu $(TOP)/kmod/Kbuild $(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.c)) $(TOP)/kmod/*.h $(MODDIR)/
endif
	$(MAKE) -j$(JOBS) -C $(KDIR) M=$(MODDIR) W=1 modules

tools:
	$(MAKE) -j$(JOBS) -C tools/vnlctl
	$(MAKE) -C tools/iplink

selftests:
	$(MAKE) -j$(JOBS) -C selftests

# --- installing -------------------------------------------------------------
#
# `make && sudo make install`: the install targets build nothing, they
# install what `make` built (so that root never writes into the checkout,
# and a guest can install from its read-only view of it).  DESTDIR is
# prepended to every path; PREFIX (default /usr/local) places vnlctl, in
# sbin/ as it needs CAP_NET_ADMIN, like ip(8), and the documentation.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# ip(8) looks for link_<kind>.so only in $IP_LIB_DIR or in the directory
# compiled into it, /usr/lib/<multiarch>/ip on Debian (`strings /sbin/ip`):
# whatever PREFIX is, the plugin goes there, or ip never finds it.
MULTIARCH ?= $(shell gcc -print-multiarch)
IPLIBDIR ?= /usr/lib/$(MULTIARCH)/ip
# The release vnl.ko is built for, which names its /lib/modules directory:
# KDIR's UTS_RELEASE.  Not `make kernelrelease`, which says 6.1.NNN for
# Debian's 6.1.0-NN-amd64 headers.
KRELEASE ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h)
# updates/ wins over the kernel's own directories in depmod's search order.
INSTALL_MOD_DIR ?= updates
# vnlctl(8) and vnl(4) (the device), and vnlctl's bash completion.
MANPAGES := $(wildcard $(TOP)/tools/vnlctl/*.8)
MANPAGES4 := $(wildcard $(TOP)/tools/vnlctl/*.4)
COMPLETION := $(wildcard $(TOP)/tools/vnlctl/vnlctl.bash-completion)

install: install-module install-tools install-doc

# The kernel's modules_install, then depmod: kbuild skips depmod without
# KDIR's System.map, which Debian's headers lack.  INSTALL_MOD_PATH is made
# absolute, as kbuild runs in KDIR.  kbuild signs the module with KDIR's
# own key if it has one (a kernel built here); Debian's headers have none,
# and sign-file's complaint about it is harmless (README.md: Secure Boot).
install-module:
	@test -f $(MODDIR)/vnl.ko || { echo "no $(MODDIR)/vnl.ko: run 'make module' first" >&2; exit 1; }
	@rel=$$(modinfo -F vermagic $(MODDIR)/vnl.ko | cut -d' ' -f1); test "$$rel" = "$(KRELEASE)" || \
		{ echo "$(MODDIR)/vnl.ko is built for '$$rel', KDIR $(KDIR) is '$(KRELEASE)': run 'make module'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules_install KERNELRELEASE=$(KRELEASE) \
		INSTALL_MOD_PATH=$(abspath $(DESTDIR)) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR)
	depmod $(if $(DESTDIR),-b $(abspath $(DESTDIR))) $(KRELEASE)

install-tools:
	install -D -m 0755 $(TOP)/tools/vnlctl/vnlctl $(DESTDIR)$(SBINDIR)/vnlctl
	install -D -m 0644 $(TOP)/tools/iplink/link_vnl.so $(DESTDIR)$(IPLIBDIR)/link_vnl.so

install-doc:
	$(if $(MANPAGES),install -D -m 0644 -t $(DESTDIR)$(MANDIR)/man8 $(MANPAGES))
	$(if $(MANPAGES4),install -D -m 0644 -t $(DESTDIR)$(MANDIR)/man4 $(MANPAGES4))
	$(if $(COMPLETION),install -D -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/vnlctl)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vnlctl $(DESTDIR)$(IPLIBDIR)/link_vnl.so \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MANPAGES))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man4/,$(notdir $(MANPAGES4))) $(DESTDIR)$(BASHCOMPDIR)/vnlctl
	rm -f $(DESTDIR)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR)/vnl.ko*
	depmod $(if $(DESTDIR),-b $(abspath $(DESTDIR))) $(KRELEASE)

# DKMS (dkms.conf): the module's sources, include/ and dkms.conf in
# /usr/src/vnl-<version>, then `dkms add` and `dkms install` for every
# kernel with headers (DKMS_KERNELS); dkms.conf's AUTOINSTALL builds it for
# kernels installed later.  DKMS may carry dkms's options (tools/dkms-check
# gives it private trees).
VNL_VERSION := $(shell sed -n 's/^\#define VNL_VERSION "\(.*\)"$$/\1/p' $(TOP)/kmod/vnl.h)
DKMS ?= dkms
DKMS_SRC := $(DESTDIR)/usr/src/vnl-$(VNL_VERSION)
DKMS_KERNELS ?= $(patsubst /lib/modules/%/build/Makefile,%,$(wildcard /lib/modules/*/build/Makefile))

dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/kmod
	cp -p $(TOP)/dkms.conf $(DKMS_SRC)/
	cp -p $(TOP)/kmod/Kbuild $(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.c)) $(TOP)/kmod/*.h $(DKMS_SRC)/kmod/
	cp -pR $(TOP)/include $(DKMS_SRC)/

# Again from scratch when this version is there already.
dkms-install: dkms-source
	if $(DKMS) status vnl/$(VNL_VERSION) | grep -q .; then $(DKMS) remove vnl/$(VNL_VERSION) --all; fi
	$(DKMS) add vnl/$(VNL_VERSION)
	for k in $(DKMS_KERNELS); do $(DKMS) install vnl/$(VNL_VERSION) -k $$k || exit 1; done

dkms-uninstall:
	$(DKMS) remove vnl/$(VNL_VERSION) --all
	rm -rf $(DKMS_SRC)

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
