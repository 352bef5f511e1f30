#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: tcpdump on vnl devices (Documentation/labs/tcpdump.md).  A pair
# between two namespaces; tcpdump on one end with a filter and -c (it
# stops by itself), then with -e (the Ethernet header: the two ends' MAC
# addresses, the broadcast of the ARP request) into a file with -w, read
# back with -r and other filters.  The commands are the page's, in its
# order; each check is a line the page shows.
#
#   ns A: va 10.222.0.1/24 <-pair-> vb 10.222.0.2/24 (ns B, tcpdump here)

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd tcpdump

# tcpdump_bg OUT ARGS...: tcpdump ARGS in B, in the background, its
# stdout in OUT and stderr in OUT.err, its pid in $tcpdump_pid; succeeds
# once it says "listening on" (its socket is ready: nothing is missed).
tcpdump_bg() {
	local out=$1
	shift
	ip netns exec "$B" tcpdump "$@" >"$out" 2>"$out.err" &
	tcpdump_pid=$!
	track_bg "$tcpdump_pid"
	wait_until 30 grep -q "listening on" "$out.err"
}

# show FILE: indented, for the log.
show() {
	sed 's/^/    /' "$1"
}

nl=$'\n'

setup_ns A B
no_ipv6 "$A" "$B"

check "vnlctl add pair va netns a peer vb peer-netns b" \
	vnlctl add pair va netns "$A" peer vb peer-netns "$B" || exit_status
ip -n "$A" addr add 10.222.0.1/24 dev va
ip -n "$B" addr add 10.222.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
mac_va=$(vnl_field "$A" va address)
mac_vb=$(vnl_field "$B" vb address)

echo "# Step 1: a filter, and -c"
tcpdump_bg "$TEST_TMP/icmp.txt" -i vb -nn -l -c 2 icmp
check_eq "tcpdump -i vb -nn -c 2 icmp: listening" 0 $? || exit_status
check "ping -c 1 10.222.0.2 from a" vping "$A" 10.222.0.2 -c 1
# b learnt va from the ARP request and used the entry unconfirmed: 5 s
# from now it would check it with an ARP request of its own.
ip -n "$B" neigh flush dev vb
check "tcpdump stops by itself after 2 packets" wait_until 20 eval '! kill -0 $tcpdump_pid'
show "$TEST_TMP/icmp.txt"
check_match "line 1: the echo request" \
	"^[0-9:.]+ IP 10\.222\.0\.1 > 10\.222\.0\.2: ICMP echo request, id [0-9]+, seq 1, length 64"$'\n' \
	"$(<"$TEST_TMP/icmp.txt")"$'\n'
check_match "line 2: the echo reply" \
	$'\n'"[0-9:.]+ IP 10\.222\.0\.2 > 10\.222\.0\.1: ICMP echo reply, id [0-9]+, seq 1, length 64"$'\n' \
	"$(<"$TEST_TMP/icmp.txt")"$'\n'
check_eq "only those two: the ARP exchange did not pass the filter" 2 \
	"$(grep -c . "$TEST_TMP/icmp.txt")"
check_match "2 packets captured" "(^|$nl)2 packets captured" "$(<"$TEST_TMP/icmp.txt.err")"

echo "# Step 2: -e and -w: everything, with the Ethernet header, into a file"
ip -n "$A" neigh flush dev va
out=$(vnlctl -n "$B" -j stats vb)
read -r rx0 tx0 <<<"$(json_get "$out" stats rx_packets) $(json_get "$out" stats tx_packets)"
tcpdump_bg "$TEST_TMP/w.txt" -i vb -c 6 -w "$TEST_TMP/vb.pcap"
check_eq "tcpdump -i vb -c 6 -w vb.pcap: listening" 0 $? || exit_status
check "ping -c 2 10.222.0.2 from a" vping "$A" 10.222.0.2 -c 2 -i 0.2
ip -n "$B" neigh flush dev vb
check "tcpdump stops by itself after 6 packets (two ARP, four ICMP)" \
	wait_until 20 eval '! kill -0 $tcpdump_pid'
check_match "6 packets captured" "(^|$nl)6 packets captured" "$(<"$TEST_TMP/w.txt.err")"

echo "# Step 3: -r, with -e and with filters"
tcpdump -r "$TEST_TMP/vb.pcap" -nn -e >"$TEST_TMP/e.txt" 2>/dev/null
show "$TEST_TMP/e.txt"
e=$(<"$TEST_TMP/e.txt")
check_match "-e: the ARP request, from va's MAC to the broadcast address" \
	" $mac_va > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 42: Request who-has 10\.222\.0\.2 tell 10\.222\.0\.1, length 28" "$e"
check_match "-e: the ARP reply, from vb's MAC to va's" \
	" $mac_vb > $mac_va, ethertype ARP \(0x0806\), length 42: Reply 10\.222\.0\.2 is-at $mac_vb, length 28" "$e"
check_match "-e: an echo request of 98 bytes on the wire, 84 of them IP" \
	" $mac_va > $mac_vb, ethertype IPv4 \(0x0800\), length 98: 10\.222\.0\.1 > 10\.222\.0\.2: ICMP echo request" "$e"
check_eq "-r vb.pcap arp: the two ARP frames" 2 \
	"$(tcpdump -r "$TEST_TMP/vb.pcap" -nn arp 2>/dev/null | grep -c ' ARP, ')"
out=$(tcpdump -r "$TEST_TMP/vb.pcap" -nn 'icmp[icmptype] == icmp-echoreply' 2>/dev/null)
show - <<<"$out"
check_eq "-r vb.pcap 'icmp[icmptype] == icmp-echoreply': the two replies" \
	"2 2" "$(grep -c . <<<"$out") $(grep -c ': ICMP echo reply, ' <<<"$out")"

out=$(vnlctl -n "$B" -j stats vb)
check_eq "vb's counters moved by the frames of the file: rx 3, tx 3" "3 3" \
	"$(($(json_get "$out" stats rx_packets) - rx0)) $(($(json_get "$out" stats tx_packets) - tx0))"

exit_status
