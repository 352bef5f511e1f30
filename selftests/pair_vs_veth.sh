#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A vnl pair is a veth pair as far as anyone can see.  The same topology,
# two namespaces joined by a pair, is built once with the kernel's veth and
# once with vnl, and the same experiments are run on both: how `ip link`
# shows the ends, carrier when one end goes down, ping both ways, the ARP
# entries, a frame too big for the peer, deleting one end, deleting a
# netns.  Every observation must be the same for both.
#
#   ns A: e0 10.13.0.1/24  <->  ns B: e1 10.13.0.2/24

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping

IP_A=10.13.0.1
IP_B=10.13.0.2

ip link add vethprobe0 type veth peer name vethprobe1 2>/dev/null ||
	skip_test "the kernel has no veth"
ip link del vethprobe0

# make_pair KIND A B: e0 in A, e1 in B.
make_pair() {
	case $1 in
	veth) ip link add e0 netns "$2" type veth peer name e1 netns "$3" ;;
	vnl) vnlctl add pair e0 peer e1 netns "$2" peer-netns "$3" ;;
	esac
}

# How `ip link` shows an end, with what differs between runs (ifindexes,
# namespace names, MAC addresses) replaced by what it stands for.
describe() {
	local ns=$1 dev=$2 line name flags mtu state netns
	line=$(ip -n "$ns" -o link show dev "$dev" 2>/dev/null) || { echo "absent"; return; }
	[[ $line =~ ^[0-9]+:\ ([^:]+): ]] && name=${BASH_REMATCH[1]}
	[[ $name =~ ^(.*)@if([0-9]+)$ && ${BASH_REMATCH[2]} == "$peer_idx_of_e0" && $dev == e0 ]] &&
		name="${BASH_REMATCH[1]}@if<e1>"
	[[ $name =~ ^(.*)@if([0-9]+)$ && ${BASH_REMATCH[2]} == "$peer_idx_of_e1" && $dev == e1 ]] &&
		name="${BASH_REMATCH[1]}@if<e0>"
	[[ $line =~ (<[^>]*>) ]] && flags=${BASH_REMATCH[1]}
	[[ $line =~ \ mtu\ ([0-9]+) ]] && mtu=${BASH_REMATCH[1]}
	[[ $line =~ \ state\ ([A-Z]+) ]] && state=${BASH_REMATCH[1]}
	[[ $line =~ link-netns\ ([^ ]+) ]] && netns=${BASH_REMATCH[1]}
	[[ $netns == "$A" ]] && netns="<A>"
	[[ $netns == "$B" ]] && netns="<B>"
	echo "$name $flags mtu $mtu state $state link-netns ${netns:-none}"
}

# The neighbour entry for ADDR in NS, with the MAC replaced by the end it
# belongs to, and the states of a resolved entry (which move with time,
# not with the device) as "resolved".
neighbour() {
	local ns=$1 addr=$2 line
	line=$(ip -n "$ns" neigh show "$addr" dev "$3")
	line=${line//$mac_e0/<e0 mac>}
	line=${line//$mac_e1/<e1 mac>}
	[[ $line =~ ^(.*)\ (REACHABLE|STALE|DELAY|PROBE)\ *$ ]] && line="${BASH_REMATCH[1]} resolved"
	echo "${line:-none}"
}

yes_no() { "$@" >/dev/null 2>&1 && echo yes || echo no; }

tx_dropped() {
	local out
	out=$(ip -n "$A" -s -j link show dev e0)
	[[ $out =~ \"tx\":(\{[^{}]*\}) ]] && json_get "${BASH_REMATCH[1]}" dropped
}

# observe KIND: runs every experiment on a fresh topology; one
# "what: result" line per observation.
observe() {
	local kind=$1 d0
	setup_ns A B
	no_ipv6 "$A" "$B"
	echo "create the pair: $(yes_no make_pair "$kind" "$A" "$B")"
	peer_idx_of_e0=$(ip -n "$B" -o link show dev e1 | cut -d: -f1)
	peer_idx_of_e1=$(ip -n "$A" -o link show dev e0 | cut -d: -f1)
	mac_e0=$(ip -n "$A" -o link show dev e0 | grep -o 'link/ether [^ ]*' | cut -d' ' -f2)
	mac_e1=$(ip -n "$B" -o link show dev e1 | grep -o 'link/ether [^ ]*' | cut -d' ' -f2)
	echo "both down, e0: $(describe "$A" e0)"
	echo "both down, e1: $(describe "$B" e1)"

	ip -n "$A" addr add "$IP_A/24" dev e0
	ip -n "$B" addr add "$IP_B/24" dev e1
	ip -n "$A" link set e0 up
	wait_until 5 has_flag "$A" e0 NO-CARRIER
	echo "e0 up, e1 down, e0: $(describe "$A" e0)"
	echo "e0 up, e1 down, ping A -> B: $(yes_no vping "$A" "$IP_B" -c 1 -W 1)"

	ip -n "$B" link set e1 up
	wait_until 10 has_flag "$A" e0 LOWER_UP
	wait_until 10 lacks_flag "$A" e0 NO-CARRIER
	echo "both up, e0: $(describe "$A" e0)"
	echo "both up, e1: $(describe "$B" e1)"
	echo "both up, ping A -> B: $(yes_no vping "$A" "$IP_B" -c 2 -i 0.2)"
	echo "both up, ping B -> A: $(yes_no vping "$B" "$IP_A" -c 2 -i 0.2)"
	echo "both up, A's ARP entry for B: $(neighbour "$A" "$IP_B" e0)"
	echo "both up, B's ARP entry for A has e0's MAC: $(yes_no grep -q '<e0 mac>' <<<"$(neighbour "$B" "$IP_A" e1)")"

	ip -n "$B" link set e1 down
	wait_until 5 has_flag "$A" e0 NO-CARRIER
	echo "e1 down, e0: $(describe "$A" e0)"
	echo "e1 down, e1: $(describe "$B" e1)"
	echo "e1 down, ping A -> B: $(yes_no vping "$A" "$IP_B" -c 1 -W 1)"
	ip -n "$B" link set e1 up
	wait_until 10 has_flag "$A" e0 LOWER_UP
	echo "e1 up again, ping A -> B: $(yes_no vping "$A" "$IP_B" -c 1)"

	ip -n "$A" link set e0 mtu 9000
	echo "e0 mtu 9000, e1: $(describe "$B" e1)"
	d0=$(tx_dropped)
	echo "e0 mtu 9000, 2000-byte ping A -> B: $(yes_no vping "$A" "$IP_B" -c 2 -i 0.2 -W 1 -s 2000 -M dont)"
	echo "e0 mtu 9000, e0 TX dropped moved: $(yes_no test "$(tx_dropped)" -gt "$d0")"

	ip -n "$B" link del e1
	echo "ip link del e1, e0: $(describe "$A" e0)"

	make_pair "$kind" "$A" "$B"
	cleanup_ns "$B"
	wait_until 30 link_absent -n "$A" e0
	echo "ip netns del B, e0: $(describe "$A" e0)"
	cleanup_ns "$A"
}

observe veth >"$TEST_TMP/veth"
observe vnl >"$TEST_TMP/vnl"
mapfile -t veth_obs <"$TEST_TMP/veth"
mapfile -t vnl_obs <"$TEST_TMP/vnl"

echo "What veth shows:"
printf '    %s\n' "${veth_obs[@]}"
for i in "${!veth_obs[@]}"; do
	what=${veth_obs[i]%%: *}
	check_eq "same as veth: $what" "${veth_obs[i]#*: }" "${vnl_obs[i]#*: }"
done
check_eq "as many observations for vnl as for veth" "${#veth_obs[@]}" "${#vnl_obs[@]}"
# The comparison means something only if veth did what veth does.
check "veth itself: both up, ping A -> B works" grep -qx "both up, ping A -> B: yes" "$TEST_TMP/veth"

exit_status
