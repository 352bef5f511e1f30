#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who hears what on one parent: broadcast and multicast reach every
# eligible child, unicast only the child with that MAC (and the source-mode
# child listening to the sender).  The frames each child receives are
# counted (ip -s link, rx packets) in quiet namespaces (no IPv6, static
# neighbours where unicast is sent, echoes to broadcast and multicast
# ignored), so that every count is exact; a promiscuous tcpdump on a
# sibling sees none of the unicast.  The same on kernel macvlan children:
# vnl's counts must be the kernel's.
#
#   c1 private, c2 vepa, c3 and c4 bridge, c5 source listing the outside's
#   MAC, c6 source with an empty list; c<i> in ns N<i>, 10.79.0.<i>/24
#   parent p0 (ns HOST) <-veth-> o0 -- br0 10.79.0.254/24 (ns OUT), no hairpin
#
# Experiments (N frames each):
#   out-bcast   OUT pings 10.79.0.255 (broadcast): c1..c5 N, c6 0
#   out-mcast   OUT pings 224.0.0.1 (all hosts): c1..c5 N, c6 0
#   out-mcast-other OUT pings 239.1.2.3 (no child joined): only c5 (source)
#   out-ucast   OUT pings c1: c1 N, c5 N (source copies), others 0
#   bridge-bcast c3 pings 10.79.0.255: c4 N (its bridge sibling), others 0
#   vepa-bcast  c2 pings 10.79.0.255: nobody (no hairpin)
#
# bc_drops: vnlctl reports the parent's broadcast queue drops on each vnl
# child (the same number on all), and a flood of broadcasts keeps it a
# number that only grows.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd jq tcpdump python3
mv_has_kernel_macvlan || skip_test "the kernel has no macvlan"

IMPLS=(${VNL_MACVLAN_IMPLS:-kernel vnl})
N=5
MODES=(x private vepa bridge bridge source source)
declare -A ROW

# The rx packets of c1..c6, one line.
counts() {
	local i v=()
	for i in 1 2 3 4 5 6; do
		v+=("$(rx_packets "${NSS[i]}" "c$i")")
	done
	echo "${v[*]}"
}

# Counters that stopped moving: two snapshots in a row agree.
settled_counts() {
	local now prev i
	now=$(counts)
	for ((i = 0; i < 40; i++)); do
		prev=$now
		nap 0.1
		now=$(counts)
		[[ $now == "$prev" ]] && break
	done
	echo "$now"
}

# delta BEFORE AFTER: the six differences.
delta() {
	local -a b a
	local i out=()
	read -r -a b <<<"$1"
	read -r -a a <<<"$2"
	for i in 0 1 2 3 4 5; do
		out+=($((a[i] - b[i])))
	done
	echo "${out[*]}"
}

# measure NAME NS COMMAND...: the six rx deltas COMMAND causes, in ROW.
measure() {
	local name=$1 before after
	shift
	before=$(settled_counts)
	"$@" >/dev/null 2>&1
	after=$(settled_counts)
	ROW[$IMPL,$name]=$(delta "$before" "$after")
}

experiment() {
	local i omac c1mac
	IMPL=$1
	setup_ns HOST OUT N1 N2 N3 N4 N5 N6
	NSS=(x "$N1" "$N2" "$N3" "$N4" "$N5" "$N6")
	no_ipv6 "${NSS[@]:1}" "$HOST" "$OUT"
	mv_wire "$HOST" "$OUT" off || return 1
	ip -n "$OUT" addr add 10.79.0.254/24 dev br0
	ip -n "$OUT" route add 224.0.0.0/4 dev br0
	omac=$(mac_of "$OUT" br0)
	for i in 1 2 3 4 5 6; do
		mv_add "$IMPL" "$HOST" p0 "c$i" "${MODES[i]}" "${NSS[i]}" || return 1
		mv_ip "${NSS[i]}" "c$i" "10.79.0.$i/24"
		ip -n "${NSS[i]}" route add 224.0.0.0/4 dev "c$i"
	done
	mv_macaddr "$IMPL" "$N5" c5 add "$omac" || return 1
	for i in 1 2 3 4 5 6; do
		wait_until 10 has_flag "${NSS[i]}" "c$i" LOWER_UP || return 1
	done
	c1mac=$(mac_of "$N1" c1)
	ip -n "$OUT" neigh replace 10.79.0.1 lladdr "$c1mac" dev br0 nud permanent
	ip -n "$N1" neigh replace 10.79.0.254 lladdr "$omac" dev c1 nud permanent

	local p=("${PING[@]}" -q -W 1 -i 0.2 -c "$N")
	measure out-bcast ip netns exec "$OUT" "${p[@]}" -b 10.79.0.255
	measure out-mcast ip netns exec "$OUT" "${p[@]}" -I br0 224.0.0.1
	measure out-mcast-other ip netns exec "$OUT" "${p[@]}" -I br0 239.1.2.3

	# The unicast, with a promiscuous capture on c2.
	ip netns exec "$N2" tcpdump -i c2 -nn -U --immediate-mode -Z root -w "$TEST_TMP/c2-$IMPL.pcap" \
		2>"$TEST_TMP/tcpdump-$IMPL.err" &
	TCPDUMP=$!
	track_bg "$TCPDUMP"
	wait_until 20 grep -q "listening on" "$TEST_TMP/tcpdump-$IMPL.err" || return 1
	measure out-ucast ip netns exec "$OUT" "${p[@]}" 10.79.0.1
	ROW[$IMPL,tcpdump-c2-promisc]=$(promiscuity "$N2" c2)
	kill -INT "$TCPDUMP"
	wait "$TCPDUMP"
	ROW[$IMPL,tcpdump-c2]=$(tcpdump -r "$TEST_TMP/c2-$IMPL.pcap" -nn 2>/dev/null | grep -c ICMP)

	measure bridge-bcast ip netns exec "$N3" "${p[@]}" -b 10.79.0.255
	measure vepa-bcast ip netns exec "$N2" "${p[@]}" -b 10.79.0.255

	if [[ $IMPL == vnl ]]; then
		bc_drops_checks
	fi
	return 0
}

# The broadcast queue's drops as vnlctl shows them on c1..c6, one line.
bc_drops_all() {
	local i v=()
	for i in 1 2 3 4 5 6; do
		v+=("$(vnl_field "${NSS[i]}" "c$i" bc_drops)")
	done
	echo "${v[*]}"
}

bc_drops_checks() {
	local before after d text
	before=$(bc_drops_all)
	check_match "vnl: bc_drops is a number on every child" '^[0-9]+( [0-9]+){5}$' "$before"
	read -r d _ <<<"$before"
	check_eq "vnl: bc_drops is the parent's: the same on every child" \
		"$d $d $d $d $d $d" "$before"
	text=$(vnlctl -n "$N1" show c1)
	check_match "vnl: vnlctl show prints bc_drops" "bc_drops $d" "$text"
	# 20,000 broadcasts at once into the parent's queue.
	ip netns exec "$OUT" python3 - "$omac" <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		s.bind(("br0", 0))
		src = bytes.fromhex(sys.argv[1].replace(":", ""))
		frame = b"\xff" * 6 + src + b"\x88\xb5" + b"\0" * 46
		for _ in range(20000):
		    try:
		        s.send(frame)
		    except OSError:
		        pass
	EOF
	nap 1
	after=$(bc_drops_all)
	read -r a _ <<<"$after"
	echo "INFO: vnl: bc_drops before the flood: $d, after 20,000 broadcasts: $a"
	check_match "vnl: after a flood, bc_drops is still a number" '^[0-9]+$' "$a"
	[[ $a =~ ^[0-9]+$ ]] && check_ge "vnl: bc_drops did not go down" "$d" "$a"
	check_eq "vnl: after a flood, the same bc_drops on every child" "$a $a $a $a $a $a" "$after"
}

for impl in "${IMPLS[@]}"; do
	if ! experiment "$impl"; then
		check_fail "$impl: set up the parent and its six children"
		exit_status
	fi
	cleanup_ns "$HOST" "$OUT" "${NSS[@]:1}"
done

EXPERIMENTS=(out-bcast out-mcast out-mcast-other out-ucast bridge-bcast vepa-bcast)
declare -A EXPECT=(
	[out-bcast]="$N $N $N $N $N 0"
	[out-mcast]="$N $N $N $N $N 0"
	[out-mcast-other]="0 0 0 0 $N 0"
	[out-ucast]="$N 0 0 0 $N 0"
	[bridge-bcast]="0 0 0 $N 0 0"
	[vepa-bcast]="0 0 0 0 0 0"
)

printf '%-7s %-16s %5s %5s %5s %5s %5s %5s\n' impl experiment c1 c2 c3 c4 c5 c6
printf '%-7s %-16s %5s %5s %5s %5s %5s %5s\n' '' '' private vepa bridge bridge source source
for impl in "${IMPLS[@]}"; do
	for e in "${EXPERIMENTS[@]}"; do
		# shellcheck disable=SC2086
		printf '%-7s %-16s %5s %5s %5s %5s %5s %5s\n' "$impl" "$e" ${ROW[$impl,$e]}
	done
done

for impl in "${IMPLS[@]}"; do
	for e in "${EXPERIMENTS[@]}"; do
		check_eq "$impl $e: frames received by c1..c6" "${EXPECT[$e]}" "${ROW[$impl,$e]}"
	done
	check_eq "$impl: a promiscuous tcpdump on c2 saw none of c1's unicast" 0 "${ROW[$impl,tcpdump-c2]}"
	check_ge "$impl: ... c2 was promiscuous during the capture" 1 "${ROW[$impl,tcpdump-c2-promisc]}"
done
if [[ " ${IMPLS[*]} " == *" kernel "* && " ${IMPLS[*]} " == *" vnl "* ]]; then
	for e in "${EXPERIMENTS[@]}"; do
		check_eq "vnl == kernel macvlan: $e" "${ROW[kernel,$e]}" "${ROW[vnl,$e]}"
	done
fi

exit_status
