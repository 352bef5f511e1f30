#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A device with an XDP program goes away under traffic: the program goes
# with it, and nothing is left waiting.  On the kernel's veth (the
# reference) and on vnl:
#
#   ip link del    e0 (ns A) <-> e1 (ns B), a pass program on each end, a
#                  flood ping from A; e1 deleted
#   ip netns del   the same pair, B deleted
#
#   rmmod          three pairs in three netns, with programs on both ends
#                  of each (pass; and a devmap redirect from v1 to u0), a
#                  flood ping over the first; on vnl, also a program on a
#                  kernel veth (ns K) whose devmap holds a vnl end (k1 ->
#                  w0).  veth's rmmod is the reference where veth is a
#                  module (not on the debug kernel, where it is built in)
#
# What must hold: the ends are gone from their netns (both, whichever was
# deleted), every program that was on them is freed (`bpftool prog show
# id N` no longer finds it), the flood saw answers before; after rmmod,
# every netns has the links it had before vnl made any, the veth's
# program is still there and its devmap no longer holds w0; vnl loads
# again.  The runner then checks the kernel log: no splat, no
# "unregister_netdevice: waiting".

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

require_module_reload
require_vnl
require_ping
require_xdp
xdp_one_cpu

cleanup() {
	report_print
	vnl_reload
}

# make_pair KIND NAME0 NS0 NAME1 NS1
make_pair() {
	case $1 in
	veth) ip link add "$2" netns "$3" type veth peer name "$4" netns "$5" ;;
	vnl) vnlctl add pair "$2" netns "$3" peer "$4" peer-netns "$5" >/dev/null ;;
	esac
}

# up NS DEV ADDR: DEV up with ADDR/24.
up() {
	ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set dev "$2" up
}

prog_gone() {
	! bpftool prog show id "$1" >/dev/null 2>&1
}

# flood NS ADDR: a flood ping in the background; its pid in FLOOD_PID,
# its summary in $TEST_TMP/flood-ADDR.
flood() {
	ip netns exec "$1" "${PING[@]}" "${FLOOD[@]}" -q -w 300 "$2" >"$TEST_TMP/flood-$2" 2>&1 &
	FLOOD_PID=$!
	track_bg "$FLOOD_PID"
	report_add ops 1
}

# flood_answered ADDR: stops the flood to ADDR; it had answers.
flood_answered() {
	kill -INT "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
	check_match "$KIND: the flood to $1 was answered" ' [1-9][0-9]* received' \
		"$(<"$TEST_TMP/flood-$1")"
}

rx_packets() {
	local out re='"rx":\{[^{}]*"packets":([0-9]+)'
	out=$(ip -n "$1" -s -j link show dev "$2") || return 1
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# busy NS DEV: DEV has received 100 frames or more.
busy() {
	local n
	n=$(rx_packets "$1" "$2") && ((n >= 100))
}

# armed NS0 DEV0 NS1 DEV1 ADDR1: a pass program on both ends, a flood
# ping from NS0 to ADDR1 running through them; the program ids in IDS.
armed() {
	IDS=()
	xdp_load "$1" "$2" pass && xdp_load "$3" "$4" pass ||
		{ check_fail "$KIND: pass programs on $2 and $4"; return 1; }
	IDS=("$(xdp_prog_id "$1" "$2")" "$(xdp_prog_id "$3" "$4")")
	report_add ops 2
	flood "$1" "$5"
	check "$KIND: the flood runs through both programs ($4 received 100)" \
		wait_until 60 busy "$3" "$4"
}

# freed WHAT: every program in IDS is freed.
freed() {
	local id
	for id in "${IDS[@]}"; do
		check "$KIND: $1: program $id freed" wait_until 60 prog_gone "$id"
	done
}

delete_device() {
	echo "# $KIND: ip link del with programs on both ends, under a flood"
	setup_ns A B
	no_ipv6 "$A" "$B"
	make_pair "$KIND" e0 "$A" e1 "$B" && up "$A" e0 10.81.0.1 && up "$B" e1 10.81.0.2 ||
		{ check_fail "$KIND: the pair e0 - e1"; return 0; }
	wait_until 30 oper_up "$A" e0
	if [[ $KIND == vnl ]] && ! require_native_xdp "$B" e1; then
		cleanup_ns "$A" "$B"
		return 1
	fi
	armed "$A" e0 "$B" e1 10.81.0.2 || return 0
	report_add faults 1
	check "$KIND: ip link del e1 under the flood" timeout 120 ip -n "$B" link del e1 &&
		report_add ops 1
	check "$KIND: e0 is gone too" wait_until 30 link_absent -n "$A" e0
	flood_answered 10.81.0.2
	freed "after ip link del"
	cleanup_ns "$A" "$B"
	return 0
}

delete_netns() {
	echo "# $KIND: ip netns del with programs on both ends, under a flood"
	setup_ns A B
	no_ipv6 "$A" "$B"
	make_pair "$KIND" e0 "$A" e1 "$B" && up "$A" e0 10.82.0.1 && up "$B" e1 10.82.0.2 ||
		{ check_fail "$KIND: the pair e0 - e1"; return; }
	wait_until 30 oper_up "$A" e0
	armed "$A" e0 "$B" e1 10.82.0.2 || return
	report_add faults 1
	cleanup_ns "$B"
	report_add ops 1
	check "$KIND: ip netns del B under the flood: e0 goes with e1" \
		wait_until 60 link_absent -n "$A" e0
	flood_answered 10.82.0.2
	freed "after ip netns del"
	cleanup_ns "$A"
}

# rmmod_armed: rmmod of KIND's module (vnl, or veth as the reference
# where it is a module) with programs on both ends of three pairs and a
# flood over the first; on vnl, a kernel veth's devmap holds a vnl end.
rmmod_armed() {
	local ns ids=() kprog kmap dev
	echo "# $KIND: rmmod $KIND with programs on both ends of three pairs, under a flood"
	setup_ns A B C K
	ALL_NS=("" "$A" "$B" "$C" "$K")
	no_ipv6 "$A" "$B" "$C" "$K"
	if [[ $KIND == vnl ]]; then
		ip -n "$K" link add k0 type veth peer name k1 && ip -n "$K" link set k0 up &&
			ip -n "$K" link set k1 up || { check_fail "the veth k0 - k1"; return; }
	fi
	declare -A before
	for ns in "${ALL_NS[@]}"; do
		before[${ns:-init}]=$(link_names "$ns")
	done

	make_pair "$KIND" e0 "$A" e1 "$B" && make_pair "$KIND" v0 "$B" v1 "$C" &&
		make_pair "$KIND" u0 "$C" u1 "$A" &&
		up "$A" e0 10.83.0.1 && up "$B" e1 10.83.0.2 && up "$B" v0 10.84.0.1 &&
		up "$C" v1 10.84.0.2 && up "$C" u0 10.85.0.1 && up "$A" u1 10.85.0.2 ||
		{ check_fail "$KIND: three pairs"; return; }
	report_add ops 9
	wait_until 30 oper_up "$A" e0
	xdp_load "$A" e0 pass && xdp_load "$B" e1 pass && xdp_load "$B" v0 pass &&
		xdp_load "$C" v1 devmap && xdp_load "$C" u0 pass && xdp_load "$A" u1 pass &&
		xdp_set "$C" v1 xdp_devmap 0 "$(ip -n "$C" -o link show dev u0 | cut -d: -f1)" ||
		{ check_fail "$KIND: programs on e0, e1, v0, v1, u0, u1, v1's devmap to u0"; return; }
	report_add ops 7
	for dev in "$A e0" "$B e1" "$B v0" "$C v1" "$C u0" "$A u1"; do
		# shellcheck disable=SC2086 # NS and DEV
		ids+=("$(xdp_prog_id $dev)")
	done
	if [[ $KIND == vnl ]]; then
		make_pair vnl w0 "$K" w1 "$A" && ip -n "$K" link set w0 up &&
			ip -n "$A" link set w1 up && xdp_load "$A" w1 drop && xdp_load "$K" k1 devmap &&
			xdp_set "$K" k1 xdp_devmap 0 "$(ip -n "$K" -o link show dev w0 | cut -d: -f1)" ||
			{ check_fail "vnl: a pair w0 - w1, a program on w1, k1's devmap holds w0"; return; }
		report_add ops 6
		ids+=("$(xdp_prog_id "$A" w1)")
		kprog=$(xdp_prog_id "$K" k1)
		kmap=$(xdp_map_id "$K" k1 xdp_devmap)
	fi
	flood "$A" 10.83.0.2
	check "$KIND: the flood runs through e0 - e1 (e1 received 100)" wait_until 60 busy "$B" e1

	report_add faults 1
	check "rmmod $KIND with programs on ${#ids[@]} of its devices, under a flood" \
		timeout 120 rmmod "$KIND" && report_add ops 1
	check "... /sys/module/$KIND is gone" test ! -e "/sys/module/$KIND"
	for ns in "${ALL_NS[@]}"; do
		check_eq "... netns ${ns:-init}: its links are those before $KIND's" \
			"${before[${ns:-init}]}" "$(link_names "$ns")"
	done
	flood_answered 10.83.0.2
	IDS=("${ids[@]}")
	freed "after rmmod"
	if [[ $KIND == vnl ]]; then
		check_eq "... the veth k1 keeps its program" "$kprog" "$(xdp_prog_id "$K" k1)"
		# An empty slot of a devmap dumps as an error object (ENOENT),
		# a filled one as its value's bytes.
		check_eq "... and its devmap no longer holds w0 (no slot filled)" 0 \
			"$(bpftool -j map dump id "$kmap" | jq '[.[] | select((.value | type) != "object")] | length')"
		check "insmod vnl.ko again" insmod "$VNL_KO" && report_add ops 1
	else
		check "modprobe veth again" modprobe veth && report_add ops 1
	fi
	check "$KIND: a pair again" make_pair "$KIND" e0 "$A" e1 "$B"
	cleanup_ns "$A" "$B" "$C" "$K"
}

KIND=veth
if reference_runs veth; then
	delete_device
	delete_netns
	# The reference for rmmod: veth, where it is a module nothing else
	# uses.
	if [[ -e /sys/module/veth/refcnt && $(</sys/module/veth/refcnt) == 0 ]]; then
		rmmod_armed
	else
		check_skip "veth: rmmod veth" "veth is built in or in use: no reference for rmmod"
	fi
fi
# vnl's half, unless its pair ends have no native XDP (a SKIP).
KIND=vnl
if delete_device; then
	delete_netns
	rmmod_armed
fi

exit_status
