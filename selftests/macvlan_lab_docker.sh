#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: Docker's macvlan network on vnl (Documentation/labs/docker-macvlan.md).
# One host NIC (eth0, a veth end), two VLAN sub-interfaces of it (eth0.10,
# eth0.20) standing for `docker network create -d macvlan -o
# parent=eth0.10` and `parent=eth0.20`, and four "containers", each a netns
# with a bridge-mode vnl macvlan child named eth0, an address and a default
# route, as Docker gives them.  Containers on one VLAN reach each other;
# across VLANs they do not, until a router on the far side of the wire, with
# an 8021q sub-interface in each VLAN and ip_forward=1, joins the two
# subnets.  tcpdump -e on the router's NIC shows the 802.1Q tags: a routed
# echo request comes in on VLAN 10 and goes out on VLAN 20.  Last, a
# "virtual machine" beside the containers: vm0, a bridge-mode child of
# eth0.10 with a tap face, and Documentation/labs/tap-responder.py behind
# it answering for 172.16.10.20; a container of VLAN 10, the router and a
# container of VLAN 20 (through the router) ping it.
#
#   bbox1 eth0 172.16.10.10 --+                       +-- eth1.10 172.16.10.1 --+
#   bbox3 eth0 172.16.10.11 --+-- eth0.10 --+         |                         |
#                                           +- eth0 <-veth-> eth1 (ns ROUTER)   ip_forward=1
#   bbox2 eth0 172.16.20.10 --+-- eth0.20 --+  (ns HOST)  |                     |
#   bbox4 eth0 172.16.20.11 --+                       +-- eth1.20 172.16.20.1 --+
#   vm0 (HOST, tap face of eth0.10): tap-responder.py, 172.16.10.20

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd tcpdump python3
REPO=$(cd "$VNL_SELFTESTS/.." && pwd)

# reaches NS ADDR: a ping of three echoes is answered at least once.
reaches() {
	vping "$1" "$2" -c 3 -i 0.3
}

setup_ns HOST ROUTER BBOX1 BBOX2 BBOX3 BBOX4
no_ipv6 "$HOST" "$ROUTER" "$BBOX1" "$BBOX2" "$BBOX3" "$BBOX4"

echo "# The host's NIC and its VLAN sub-interfaces"
ip -n "$HOST" link add eth0 type veth peer name eth1 netns "$ROUTER" || exit_status
ip -n "$HOST" link set eth0 up
ip -n "$ROUTER" link set eth1 up
ip -n "$HOST" link add link eth0 name eth0.10 type vlan id 10 ||
	skip_test "no 802.1Q VLAN support (8021q) in this kernel"
ip -n "$HOST" link add link eth0 name eth0.20 type vlan id 20
ip -n "$HOST" link set eth0.10 up
ip -n "$HOST" link set eth0.20 up

echo "# The containers: a bridge-mode child of eth0.10 or eth0.20 in each"
# container NAME NS PARENT ADDR GATEWAY
container() {
	check "vnlctl add macvlan eth0 parent $3 mode bridge netns $1" \
		vnlctl -n "$HOST" add macvlan eth0 parent "$3" mode bridge netns "$2" || return 1
	ip -n "$2" addr add "$4/24" dev eth0
	ip -n "$2" link set eth0 up
	ip -n "$2" route add default via "$5"
}
container bbox1 "$BBOX1" eth0.10 172.16.10.10 172.16.10.1 || exit_status
container bbox2 "$BBOX2" eth0.20 172.16.20.10 172.16.20.1 || exit_status
container bbox3 "$BBOX3" eth0.10 172.16.10.11 172.16.10.1 || exit_status
container bbox4 "$BBOX4" eth0.20 172.16.20.11 172.16.20.1 || exit_status
check "bbox1's eth0 has carrier (eth0.10's)" wait_until 20 has_flag "$BBOX1" eth0 LOWER_UP

echo "# One VLAN, one subnet: the containers reach each other"
check "bbox1 (VLAN 10) reaches bbox3 (VLAN 10)" reaches "$BBOX1" 172.16.10.11
check "bbox2 (VLAN 20) reaches bbox4 (VLAN 20)" reaches "$BBOX2" 172.16.20.11

echo "# Two VLANs, no router: they do not"
check_not "bbox1 (VLAN 10) does not reach bbox2 (VLAN 20)" reaches "$BBOX1" 172.16.20.10
check_not "bbox1 does not reach its gateway 172.16.10.1" reaches "$BBOX1" 172.16.10.1

echo "# The router: one 8021q sub-interface per VLAN, forwarding on"
ip -n "$ROUTER" link add link eth1 name eth1.10 type vlan id 10
ip -n "$ROUTER" link add link eth1 name eth1.20 type vlan id 20
ip -n "$ROUTER" addr add 172.16.10.1/24 dev eth1.10
ip -n "$ROUTER" addr add 172.16.20.1/24 dev eth1.20
ip -n "$ROUTER" link set eth1.10 up
ip -n "$ROUTER" link set eth1.20 up
check "sysctl -w net.ipv4.ip_forward=1 in the router" \
	ip netns exec "$ROUTER" sysctl -qw net.ipv4.ip_forward=1

# tcpdump on the router's NIC, the far side of the wire, while bbox1
# pings bbox2; "listening on" says its socket is ready.
ip netns exec "$ROUTER" tcpdump -i eth1 -nn -U --immediate-mode -Z root \
	-w "$TEST_TMP/eth1.pcap" 2>"$TEST_TMP/tcpdump.err" &
tcpdump_pid=$!
track_bg "$tcpdump_pid"
check "tcpdump listens on the router's eth1" \
	wait_until 20 grep -q "listening on" "$TEST_TMP/tcpdump.err"

check "bbox1 reaches its gateway 172.16.10.1" reaches "$BBOX1" 172.16.10.1
check "bbox1 (VLAN 10) reaches bbox2 (VLAN 20) through the router" reaches "$BBOX1" 172.16.20.10
out=$(ip netns exec "$BBOX1" "${PING[@]}" -c 1 -W 2 172.16.20.10 2>&1)
check_match "the reply crossed one router (ttl=63)" "ttl=63 " "$out"
check "bbox4 (VLAN 20) reaches bbox3 (VLAN 10) through the router" reaches "$BBOX4" 172.16.10.11

bbox1_mac=$(ip -n "$BBOX1" link show dev eth0)
[[ $bbox1_mac =~ link/ether\ ([0-9a-f:]{17}) ]] && bbox1_mac=${BASH_REMATCH[1]}
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"
dump=$(tcpdump -r "$TEST_TMP/eth1.pcap" -nn -e 2>/dev/null)
in=$(grep -m 1 -E 'ethertype 802\.1Q .*vlan 10, .*172\.16\.10\.10 > 172\.16\.20\.10: ICMP echo request' <<<"$dump")
fwd=$(grep -m 1 -E 'ethertype 802\.1Q .*vlan 20, .*172\.16\.10\.10 > 172\.16\.20\.10: ICMP echo request' <<<"$dump")
[[ -n $in ]] && printf '    %s\n' "$in"
[[ -n $fwd ]] && printf '    %s\n' "$fwd"
check_match "tcpdump -e: bbox1's echo request arrives tagged VLAN 10" "vlan 10, " "$in"
check_match "... from bbox1's own MAC address" "^[^ ]+ $bbox1_mac > " "$in"
check_match "tcpdump -e: the router sends it on, tagged VLAN 20" "vlan 20, " "$fwd"

echo "# A virtual machine beside the containers: a tap face on eth0.10"
check "vnlctl add macvlan vm0 parent eth0.10 mode bridge tap" \
	vnlctl -n "$HOST" add macvlan vm0 parent eth0.10 mode bridge tap || exit_status
ip -n "$HOST" link set vm0 up
check "vm0: NO-CARRIER, nothing behind it yet" has_flag "$HOST" vm0 NO-CARRIER
vm0_mac=$(ip -n "$HOST" link show dev vm0)
[[ $vm0_mac =~ link/ether\ ([0-9a-f:]{17}) ]] && vm0_mac=${BASH_REMATCH[1]}
ip netns exec "$HOST" python3 "$REPO/Documentation/labs/tap-responder.py" vm0 172.16.10.20 \
	"$vm0_mac" >"$TEST_TMP/vm.out" 2>&1 </dev/null &
vm_pid=$!
track_bg "$vm_pid"
check "the VM (tap-responder.py) attached to vm0" \
	wait_until 60 grep -q '^attached to vm0' "$TEST_TMP/vm.out"
# The carrier comes with the file, the qdisc with the link watch after it:
# until then the program's answers would go nowhere.
check "vm0: state UP" wait_until 20 oper_up "$HOST" vm0

vm_rx=$(vnl_stat "$HOST" vm0 rx_packets) vm_tx=$(vnl_stat "$HOST" vm0 tx_packets)
check "bbox1 (VLAN 10) reaches the VM, a bridge-mode sibling" reaches "$BBOX1" 172.16.10.20
check "the router (the LAN) reaches the VM over the wire" reaches "$ROUTER" 172.16.10.20
out=$(ip netns exec "$BBOX2" "${PING[@]}" -c 3 -i 0.3 -W 2 172.16.10.20 2>&1)
check_match "bbox2 (VLAN 20) reaches the VM through the router (ttl=63)" \
	"from 172.16.10.20: icmp_seq=[0-9]+ ttl=63 " "$out"
check_match "vnlctl show vm0: the VM's file is its one queue" \
	$'\n    tap queues 1$' "$(vnlctl -n "$HOST" show vm0)"
# Three askers, each an ARP request and at least one echo request read,
# an ARP reply and echo replies written.
check_ge "vm0: rx_packets moved by >= 6, what the VM read" 6 \
	$(($(vnl_stat "$HOST" vm0 rx_packets) - vm_rx))
check_ge "vm0: tx_packets moved by >= 6, what it wrote" 6 \
	$(($(vnl_stat "$HOST" vm0 tx_packets) - vm_tx))

exit_status
