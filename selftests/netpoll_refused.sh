#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netconsole is refused on every kind of vnl device, with an error and no
# kernel splat: netpoll transmits with interrupts off, and vnl's transmit
# paths may not run there (kmod/dev.c:vnl_dev_setup sets
# IFF_DISABLE_NETPOLL, as the 7.2 kernel's veth does for the same reason).
# A dummy device beside them takes netconsole, so the refusal is vnl's,
# not the setup's.
#
#   init_net: npa and npb (a pair), npt (tap), npm (macvlan child of the
#             veth npv0, peer npv1), npd (dummy)
#
# netconsole binds devices of the initial netns only, so they all live
# there, the pair's peer too, and cleanup() removes the netconsole targets
# before it deletes any device: on 6.1 and older (fixed by 6.12) a target
# whose setup failed keeps naming its device (netpoll sets np->dev before
# it checks IFF_DISABLE_NETPOLL), and netconsole drops a reference it does
# not hold when that device unregisters, which then never finishes
# ("waiting for DEV to become free").  Documentation/kernels.md says so.

source "$(dirname "$0")/lib.sh"

require_vnl

NC=/sys/kernel/config/netconsole

remove_targets() {
	local t
	for t in "$NC"/vnl-*-$$; do
		[[ -d $t ]] || continue
		echo 0 >"$t/enabled" 2>/dev/null
		rmdir "$t" 2>/dev/null
	done
}

cleanup() {
	remove_targets
	ip link del npa 2>/dev/null
	ip link del npt 2>/dev/null
	ip link del npm 2>/dev/null
	ip link del npv0 2>/dev/null
	ip link del npd 2>/dev/null
}

modprobe -q netconsole 2>/dev/null
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config 2>/dev/null
[[ -d $NC ]] || skip_test "no dynamic netconsole (CONFIG_NETCONSOLE_DYNAMIC, configfs)"

ip link add npv0 type veth peer name npv1 || exit_status
ip link add npd type dummy || skip_test "no dummy device (CONFIG_DUMMY)"
check "vnlctl add pair npa peer npb" vnlctl add pair npa peer npb || exit_status
check "vnlctl add tap npt" vnlctl add tap npt || exit_status
check "vnlctl add macvlan npm parent npv0" \
	vnlctl add macvlan npm parent npv0 mode bridge || exit_status

n=0
for dev in npv0 npd npa npt npm; do
	n=$((n + 1))
	ip addr add "10.91.$n.1/24" dev "$dev"
	ip link set "$dev" up
done
ip link set npb up

# A netconsole target per device, to a made-up receiver on its subnet.
for dev in npd npa npt npm; do
	t=$NC/vnl-$dev-$$
	mkdir "$t" && echo "$dev" >"$t/dev_name" && echo 10.91.0.9 >"$t/remote_ip" ||
		{ echo "FAIL: setting up a netconsole target on $dev"; exit $ksft_fail; }
done

# enable DEV: the write that starts netpoll on DEV; its exit status.
enable() { echo 1 >"$NC/vnl-$1-$$/enabled"; }

# enabled DEV: what the target on DEV says of itself.
enabled() { cat "$NC/vnl-$1-$$/enabled"; }

check "a dummy device takes netconsole (the setup works)" enable npd
check_eq "... and its target says enabled" 1 "$(enabled npd)"

for dev in npa npt npm; do
	check_not "netconsole on $dev (vnl) is refused" enable "$dev"
	check_eq "... and its target stays disabled" 0 "$(enabled "$dev")"
done

# The refused targets go first (see above); then each vnl device can be
# deleted, and the deletion finishes.
remove_targets
for dev in npa npt npm; do
	check "ip link del $dev finishes" timeout 60 ip link del "$dev"
done

exit_status
