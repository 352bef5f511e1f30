#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A child hears its parent's events as its own, as kernel macvlan's do
# (demux.c:vnl_port_pass_on, demux.c:vnl_port_follow_features):
#
# - after an active-backup bond fails over, each child on the bond sends a
#   gratuitous ARP for its address through the new active slave, so that
#   the switch and the neighbours learn where it went (the bond passes
#   NETDEV_NOTIFY_PEERS to itself; its children must hear it too);
# - when the bond's GSO limit (tso_max_size) changes because a slave with
#   a smaller one joins (NETDEV_FEAT_CHANGE), a child's limit follows, as
#   at creation.
#
# On the stock kernels the same runs first with a kernel macvlan child,
# which shows that the setup provokes what is asserted
# (macvlan_lib.sh:mv_impls).
#
#   ns H: bond0 (active-backup: a0, then b0 active), no address;
#         m0: its child (kernel macvlan 10.93.0.3, then vnl 10.93.0.2)
#   ns O: a1 <-veth-> a0, b1 <-veth-> b0; tcpdump on b1

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_cmd tcpdump

setup_ns H O
no_ipv6 "$H" "$O"

ip -n "$H" link add bond0 type bond mode active-backup miimon 100 2>/dev/null ||
	skip_test "the kernel has no bonding"
for s in a b; do
	ip -n "$H" link add "${s}0" type veth peer name "${s}1" netns "$O" ||
		{ echo "FAIL: cannot make the veth ${s}0"; exit "$ksft_fail"; }
	ip -n "$H" link set "${s}0" master bond0 ||
		{ echo "FAIL: cannot enslave ${s}0"; exit "$ksft_fail"; }
	ip -n "$O" link set "${s}1" up
done
ip -n "$H" link set bond0 type bond active_slave a0
ip -n "$H" link set bond0 up

mv_impls

# tso_max DEV: its tso_max_size as ip -d link shows it (5.19 and later).
tso_max() {
	local line
	line=$(ip -n "$H" -d -o link show dev "$1")
	[[ $line =~ tso_max_size\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

ip netns exec "$O" tcpdump -i b1 -nn -U --immediate-mode -w "$TEST_TMP/b1.pcap" arp \
	2>"$TEST_TMP/tcpdump.err" &
track_bg "$!"
check "tcpdump listens on b1" wait_until 20 grep -q "listening on" "$TEST_TMP/tcpdump.err" ||
	exit_status

# garps ADDR: the gratuitous ARPs for ADDR captured on b1 so far.
garps() {
	tcpdump -r "$TEST_TMP/b1.pcap" -nn 2>/dev/null | grep -c "Request who-has $1 tell $1,"
}

# experiment IMPL: a child of bond0 (one at a time: a parent serves one
# receive handler), through a failover from a0 to b0, and through a dummy
# slave joining and leaving.
experiment() {
	local impl=$1 addr=10.93.0.2 before after

	[[ $impl == kernel ]] && addr=10.93.0.3

	ip -n "$H" link set bond0 type bond active_slave a0
	check "$impl: a child m0 on bond0" mv_add "$impl" "$H" bond0 m0 bridge || return
	ip -n "$H" addr add "$addr/24" dev m0
	ip -n "$H" link set m0 up
	check "$impl: m0 has carrier" wait_until 10 has_flag "$H" m0 LOWER_UP
	before=$(garps "$addr")
	check "$impl: the bond fails over to b0" ip -n "$H" link set bond0 type bond active_slave b0
	check "$impl: m0 announces itself through b0 (gratuitous ARP)" \
		wait_until 15 test "$(garps "$addr")" -gt "$before"

	if [[ -z $(tso_max bond0) ]]; then
		# (Not a SKIP: the failover half above ran.)
		echo "INFO: $impl: no tso_max_size in ip -d link (a kernel before 5.19): the GSO limit is not checked"
	else
		# A bond's limit is the smallest of its slaves': a dummy (64
		# KiB, the default) joining two veths (more) lowers it.
		before=$(tso_max bond0)
		ip -n "$H" link add d0 type dummy
		ip -n "$H" link set d0 master bond0
		after=$(tso_max bond0)
		if [[ $after == "$before" ]]; then
			check_skip "$impl: m0's tso_max_size follows bond0's" \
				"a dummy slave left bond0's tso_max_size at $before"
		else
			check_eq "$impl: m0's tso_max_size follows bond0's down ($before -> $after)" \
				"$after" "$(tso_max m0)"
			ip -n "$H" link del d0
			check_eq "$impl: ... and back up once the dummy leaves" "$before" "$(tso_max m0)"
		fi
	fi
	ip -n "$H" link del m0
}

for impl in "${IMPLS[@]}"; do
	experiment "$impl"
done

exit_status
