#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Thousands of pairs, made by one `vnlctl -batch` process: the dump lists
# each device exactly once (as many entries as devices, no ifindex or name
# twice, every name made there, each end naming its peer), `ip link`
# agrees, deleting the netns removes them all (the ends in the other netns
# too), and a second round is removed by unloading vnl.ko.  Nothing is left
# in any `ip link` afterwards.
#
# Round 1: VNL_BULK_PAIRS pairs (default 10,000, so 20,000 devices; 200 on
# the debug kernel) made in netns N, of which one in five has its peer in
# netns P.  Round 2: VNL_BULK_PAIRS2 pairs (default 1000; 100 on the debug
# kernel) across N2, P2 and the init netns.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd jq

# 10,000 pairs on the stock kernels; 200 under KASAN and lockdep, where
# the scale is 6.1's to prove and the code paths are the same with fewer.
# There each device costs several times more (0.1 s a pair, as much as a
# veth pair, with two debug guests sharing two cores twice that), and the
# netns teardown, which unregisters all of a netns's devices in one batch
# with work that grows with the number of devices left (the kernel's, not
# vnl's), held a CPU long enough with 2,500 pairs to trip the soft-lockup
# watchdog in a TCG guest on a busy host.
if [[ ${VNL_KERNEL:-} == debug ]]; then
	PAIRS=${VNL_BULK_PAIRS:-200}
	PAIRS2=${VNL_BULK_PAIRS2:-100}
else
	PAIRS=${VNL_BULK_PAIRS:-10000}
	PAIRS2=${VNL_BULK_PAIRS2:-1000}
fi

# A device costs about 45 KiB on a 2-CPU guest (measured: 20,000 devices
# took 870 MiB of a 2 GiB 6.1 guest).  A guest too small for the default
# (tools/vm/run gives 1 GiB unless told --mem; make check gives 4 GiB)
# skips, saying what would fit, rather than summon the OOM killer or test
# less than it claims; an explicit VNL_BULK_PAIRS is taken as asked.
mem_avail_kib=0
while read -r key value _; do
	[[ $key == MemAvailable: ]] && mem_avail_kib=$value
done </proc/meminfo
fit=$((mem_avail_kib / 2 / (2 * 45)))
if [[ -z ${VNL_BULK_PAIRS:-} ]] && ((fit < PAIRS)); then
	skip_test "$PAIRS pairs need $((PAIRS * 2 * 2 * 45 / 1024)) MiB available, the guest has $((mem_avail_kib / 1024)) (tools/vm/run --mem 4096, or VNL_BULK_PAIRS=$fit)"
fi
CROSS=$((PAIRS / 5))		# pairs of round 1 with their peer in P
LOCAL=$((PAIRS - CROSS))	# pairs of round 1 with both ends in N

setup_ns N P

# Names: b<i> in N for every pair; c<i> in N for the first LOCAL pairs,
# in P for the others.
for ((i = 0; i < PAIRS; i++)); do
	if ((i < LOCAL)); then
		echo "add pair b$i peer c$i"
	else
		echo "add pair b$i peer c$i peer-netns $P"
	fi
done >"$TEST_TMP/round1"

check "vnlctl -n N -batch: $PAIRS pairs ($((2 * PAIRS)) devices) in one process" \
	vnlctl -n "$N" -batch "$TEST_TMP/round1" || exit_status

while read -r key value _; do
	[[ $key == MemAvailable: ]] && echo "INFO: MemAvailable with the devices of round 1: $((value / 1024)) MiB"
done </proc/meminfo

vnlctl -n "$N" -j show >"$TEST_TMP/n.json"
check_eq "dump of N: $((PAIRS + LOCAL)) devices, each ifindex once, each name once" \
	"$((PAIRS + LOCAL)) $((PAIRS + LOCAL)) $((PAIRS + LOCAL))" \
	"$(jq -r '"\(length) \(map(.ifindex) | unique | length) \(map(.ifname) | unique | length)"' \
		"$TEST_TMP/n.json")"
check_eq "dump of N: exactly the names made there" "true" \
	"$(jq --argjson p "$PAIRS" --argjson l "$LOCAL" \
		'(map(.ifname) | sort) == ([range(0; $p) | "b\(.)"] + [range(0; $l) | "c\(.)"] | sort)' \
		"$TEST_TMP/n.json")"
check_eq "dump of N: each end names its peer; netnsid only for peers in P" "true" \
	"$(jq --argjson l "$LOCAL" 'all(.[];
		(.ifname | .[1:] | tonumber) as $i |
		.peer.ifname == (if .ifname[0:1] == "b" then "c" else "b" end) + (.ifname | .[1:]) and
		(.peer.netnsid != null) == (.ifname[0:1] == "b" and $i >= $l))' "$TEST_TMP/n.json")"
check_eq "dump of P: $CROSS devices, the peers c$LOCAL..c$((PAIRS - 1))" "$CROSS true" \
	"$(vnlctl -n "$P" -j show | jq --argjson p "$PAIRS" --argjson l "$LOCAL" -r \
		'"\(length) \((map(.ifname) | sort) == ([range($l; $p) | "c\(.)"] | sort))"')"

mapfile -t links <<<"$(link_names "$N")"
check_eq "ip link in N: lo and the $((PAIRS + LOCAL)) devices" $((PAIRS + LOCAL + 1)) "${#links[@]}"

init_before=$(link_names)
cleanup_ns "$N"
only_lo() { [[ $(link_names "$1") == lo ]]; }
check "ip netns del N: P's ends go too (P has only lo)" \
	wait_until 300 only_lo "$P"
check_eq "ip netns del N: vnlctl show in P lists nothing" "0" "$(vnlctl -n "$P" -j show | jq length)"
check_eq "ip netns del N: nothing moved to the init netns" "$init_before" "$(link_names)"

# --- round 2: unloading the module removes everything -----------------------------

if in_guest_with_module; then
	setup_ns N2 P2
	for ((i = 0; i < PAIRS2; i++)); do
		case $((i % 4)) in
		0) echo "add pair r$i peer s$i" ;;
		1) echo "add pair r$i peer s$i peer-netns $P2" ;;
		2) echo "add pair r$i peer s$i netns $N2 peer-netns $P2" ;;
		3) echo "add pair r$i peer s$i netns $P2" ;;
		esac
	done >"$TEST_TMP/round2"
	# The batch runs in the init netns: a quarter of the pairs stay there.
	check "round 2: vnlctl -batch: $PAIRS2 pairs over N2, P2 and the init netns" \
		vnlctl -batch "$TEST_TMP/round2"
	wait_module_idle
	check "round 2: rmmod vnl" rmmod vnl
	check_eq "round 2, after rmmod: init netns as before" "$init_before" "$(link_names)"
	check_eq "round 2, after rmmod: N2 has only lo" "lo" "$(link_names "$N2")"
	check_eq "round 2, after rmmod: P2 has only lo" "lo" "$(link_names "$P2")"
	check "insmod vnl.ko again" insmod "$VNL_KO"
	check_eq "vnlctl show lists nothing in the init netns" "0" "$(vnlctl -j show | jq length)"
else
	check_skip "round 2: rmmod removes every vnl device" \
		"unloads vnl.ko: only in a tools/vm/run guest (VNL_GUEST=1, VNL_KO set)"
fi

cleanup() { vnl_reload; }

exit_status
