#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnl installed as on a real machine, and loaded by the kernel when first
# used.  The guest's /lib/modules/$(uname -r) is read-only (9p): an overlay
# with a tmpfs upper directory makes it writable, and the project's own
# `make install-module` puts vnl.ko there (the kernel's modules_install
# into updates/, then depmod), from the module the runner built.  depmod
# reads every module of the tree, minutes under TCG (the 6.12 tree is xz):
# a depmod.d file in /run has it skip kernel/, so that its index holds
# vnl alone (vnl needs no other module) until the overlay goes.  Then,
# with vnl unloaded each time:
#
#   - `vnlctl version` loads it (the genl family's alias,
#     net-pf-16-proto-16-family-vnl), and prints the module's version;
#   - `vnlctl add pair` loads it, and `ip link del` deletes the pair;
#   - `ip link add ... type vnl kind pair` loads it (rtnl-link-vnl) and
#     makes the pair;
#   - `modprobe vnl` loads it and `modprobe -r vnl` unloads it.
#
# At the end the overlay is gone, modprobe knows no vnl again, and the
# runner's vnl.ko is loaded, as the next test expects.

source "$(dirname "$0")/lib.sh"

require_module_reload
require_vnl
require_cmd make depmod modprobe lsmod mount umount

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
MODS=/lib/modules/$(uname -r)
VERSION=$(sed -n 's/^#define VNL_VERSION "\(.*\)"$/\1/p' "$REPO/kmod/vnl.h")
[[ -d $MODS ]] || skip_test "no $MODS in this guest"
# The kernel tree the runner built $VNL_KO against, and where it did.
[[ -r $VNL_KO.kdir ]] || skip_test "no $VNL_KO.kdir: the runner names no kernel tree"
KDIR=$(<"$VNL_KO.kdir")
MODBUILD=${VNL_KO%/kmod/vnl.ko}

# The overlay's directories: not in $TEST_TMP, which goes before cleanup
# runs.
OVL=$(mktemp -d /run/vnl-install-autoload.XXXXXX) ||
	{ echo "FAIL: mktemp"; exit "$ksft_fail"; }
DEPMOD_CONF=/run/depmod.d/vnl-install-autoload.conf
mounted=0

# After a failure on the way: a vnl modprobe loaded from the overlay
# makes way for the runner's.
cleanup() {
	ip link del ia0 2>/dev/null
	if ((mounted)); then
		[[ -d /sys/module/vnl ]] && rmmod vnl
		umount "$MODS"
	fi
	rm -rf "$OVL" "$DEPMOD_CONF"
	rmdir "${DEPMOD_CONF%/*}" 2>/dev/null
	vnl_reload
}

loaded() {
	[[ -d /sys/module/vnl ]] && lsmod | grep -q '^vnl '
}

unloaded() {
	[[ ! -d /sys/module/vnl ]]
}

pair_gone() {
	link_absent ia0 && link_absent ia1
}

# --- an installed vnl.ko ---------------------------------------------------------------

check_not "before: modprobe knows no vnl" modprobe --show-depends vnl

mkdir -p "$OVL/upper" "$OVL/work"
if ! mount -t overlay vnl-modules \
	-o "lowerdir=$MODS,upperdir=$OVL/upper,workdir=$OVL/work" "$MODS" 2>"$TEST_TMP/err"; then
	grep -qw overlay /proc/filesystems || skip_test "no overlayfs in this kernel"
	echo "FAIL: cannot mount an overlay on $MODS: $(<"$TEST_TMP/err")"
	exit "$ksft_fail"
fi
mounted=1

check "rmmod vnl (the runner's)" rmmod vnl
mkdir -p "${DEPMOD_CONF%/*}" && echo "exclude kernel" >"$DEPMOD_CONF"
check "make install-module (KDIR $KDIR)" \
	make -C "$REPO" --no-print-directory install-module KDIR="$KDIR" MODBUILD="$MODBUILD"
rm -f "$DEPMOD_CONF"
ko=$(find "$MODS/updates" -name 'vnl.ko*' 2>&1)
check_eq "modprobe finds vnl in $MODS/updates" "insmod $ko" \
	"$(modprobe --show-depends vnl 2>&1 | sed 's/ *$//')"
check "... and has not loaded it" unloaded

# --- loaded on first use ----------------------------------------------------------------

out=$(vnlctl version 2>&1)
check_match "vnlctl version: loads vnl, prints its version" "vnl module $VERSION " "$out"
check "... vnl is loaded (lsmod)" loaded
check_eq "... /sys/module/vnl/version" "$VERSION" "$(cat /sys/module/vnl/version 2>&1)"

check "rmmod vnl" rmmod vnl
check "vnlctl add pair: loads vnl, makes the pair" vnlctl add pair ia0 peer ia1
check "... vnl is loaded (lsmod)" loaded
check "ip link del of the pair" ip link del ia0
check "... both ends gone" pair_gone

check "rmmod vnl" rmmod vnl
check "ip link add type vnl: loads vnl (rtnl-link-vnl), makes the pair" \
	ip link add ia0 type vnl kind pair peer ia1
check "... vnl is loaded (lsmod)" loaded
check "ip link del of the pair" ip link del ia1
check "... both ends gone" pair_gone

check "rmmod vnl" rmmod vnl
check "modprobe vnl" modprobe vnl
check "... vnl is loaded (lsmod)" loaded
check "modprobe -r vnl" modprobe -r vnl
check "... vnl is unloaded" unloaded

# --- as it was ---------------------------------------------------------------------------

check "umount the overlay" umount "$MODS" && mounted=0
check_not "modprobe knows no vnl again" modprobe --show-depends vnl
check "the runner's vnl.ko loaded again" vnl_reload
check "... vnlctl version" vnlctl version

exit_status
