#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The classic veth experiment with a vnl pair: two network namespaces
# joined by a pair, one address at each end, ping both ways.  A capture
# on one end shows the ARP exchange and then the ICMP echoes, with the
# ends' own MAC addresses; the counters of both ends move by at least what
# was sent and mirror each other (what one end sent, the other received).
#
#   ns A: va 10.11.0.1/24, 02:00:00:11:0a:01  <->  ns B: vb 10.11.0.2/24, 02:00:00:11:0b:01

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd tcpdump
require_ping

MAC_A=02:00:00:11:0a:01
MAC_B=02:00:00:11:0b:01
IP_A=10.11.0.1
IP_B=10.11.0.2
COUNT=3

setup_ns A B
no_ipv6 "$A" "$B"
tmp=$TEST_TMP

check "vnlctl add pair va peer vb (va in A, vb in B)" \
	vnlctl add pair va peer vb netns "$A" peer-netns "$B" \
	address "$MAC_A" peer-address "$MAC_B" || exit_status
check_eq "va has the address asked for" "$MAC_A" "$(vnl_field "$A" va address)"
check_eq "vb has the address asked for" "$MAC_B" "$(vnl_field "$B" vb address)"
check_eq "va's peer is vb" "vb" "$(vnl_field "$A" va peer ifname)"

ip -n "$A" addr add "$IP_A/24" dev va
ip -n "$B" addr add "$IP_B/24" dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
check "carrier on va and vb once both are up" \
	wait_until 10 has_flag "$A" va LOWER_UP
check "vb has LOWER_UP" has_flag "$B" vb LOWER_UP

# "tx_packets tx_bytes rx_packets rx_bytes tx_drops" of vnlctl -j stats.
stats_of() {
	local out k v=()
	out=$(vnlctl -n "$1" -j stats "$2") || return 1
	for k in tx_packets tx_bytes rx_packets rx_bytes tx_drops; do
		v+=("$(json_get "$out" stats "$k")")
	done
	echo "${v[*]}"
}
# "tx_packets tx_bytes rx_packets rx_bytes" of ip -s -j link show.
ip_stats_of() {
	local out dir v=()
	out=$(ip -n "$1" -s -j link show dev "$2") || return 1
	for dir in tx rx; do
		[[ $out =~ \"$dir\":(\{[^{}]*\}) ]] || return 1
		v+=("$(json_get "${BASH_REMATCH[1]}" packets)" "$(json_get "${BASH_REMATCH[1]}" bytes)")
	done
	echo "${v[*]}"
}

# Counters before the traffic, both views: vnlctl and rtnetlink.
read -r a_tx0 a_txb0 a_rx0 a_rxb0 _ <<<"$(stats_of "$A" va)"
read -r ip_a_tx0 _ <<<"$(ip_stats_of "$A" va)"

# Capture on vb from before the first packet; -U writes each packet at
# once, and tcpdump says "listening on" when its socket is ready.
ip netns exec "$B" tcpdump -i vb -nn -U --immediate-mode -Z root -w "$tmp/vb.pcap" 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
track_bg "$tcpdump_pid"
check "tcpdump listens on vb" wait_until 20 grep -q "listening on" "$tmp/tcpdump.err"

check "ping A -> B ($COUNT echoes)" vping "$A" "$IP_B" -c "$COUNT" -i 0.2
check "ping B -> A ($COUNT echoes)" vping "$B" "$IP_A" -c "$COUNT" -i 0.2

# Let tcpdump write what it has and stop.
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"

tcpdump -r "$tmp/vb.pcap" -nn -e 2>/dev/null >"$tmp/vb.txt"
# Line number of the first captured packet matching a regex, 0 if none.
first() { awk -v re="$1" '$0 ~ re { n = NR; exit } END { print n + 0 }' "$tmp/vb.txt"; }
arp_req=$(first "$MAC_A > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has $IP_B tell $IP_A")
arp_rep=$(first "$MAC_B > $MAC_A, ethertype ARP .*Reply $IP_B is-at $MAC_B")
echo_req=$(first "$MAC_A > $MAC_B, ethertype IPv4 .*$IP_A > $IP_B: ICMP echo request")
echo_rep=$(first "$MAC_B > $MAC_A, ethertype IPv4 .*$IP_B > $IP_A: ICMP echo reply")
# check_order DESCRIPTION BEFORE AFTER: packet AFTER was seen, after BEFORE.
check_order() {
	if (($2 > 0 && $3 > $2)); then
		check_pass "$1"
	else
		check_fail "$1" "packet numbers: $2 then $3 (0: not captured); the capture:" \
			"$(head -n 20 "$tmp/vb.txt")"
	fi
}
check_order "capture on vb: ARP request from va's MAC, then the reply" "$arp_req" "$arp_rep"
check_order "capture on vb: then ICMP echo request va -> vb" "$arp_rep" "$echo_req"
check_order "capture on vb: then ICMP echo reply vb -> va" "$echo_req" "$echo_rep"
n_req=$(grep -c "ICMP echo request" "$tmp/vb.txt")
n_rep=$(grep -c "ICMP echo reply" "$tmp/vb.txt")
check_ge "capture on vb: both pings' requests ($((2 * COUNT)))" $((2 * COUNT)) "$n_req"
check_ge "capture on vb: both pings' replies ($((2 * COUNT)))" $((2 * COUNT)) "$n_rep"

# Each end sent its ARP message, its echo requests and its echo replies.
# Late ARP probes may still be on the wire: counters are compared once two
# snapshots in a row agree, so that all of them come from one moment.
snapshot() {
	echo "$(stats_of "$A" va) $(stats_of "$B" vb) $(ip_stats_of "$A" va) $(ip_stats_of "$B" vb)"
}
sent=$((1 + 2 * COUNT))
now=$(snapshot)
for ((i = 0; i < 50; i++)); do
	prev=$now
	nap 0.1
	now=$(snapshot)
	[[ $now == "$prev" ]] && break
done
read -r a_tx a_txb a_rx a_rxb a_txd b_tx b_txb b_rx b_rxb b_txd \
	ip_a_tx ip_a_txb ip_a_rx ip_a_rxb ip_b_tx ip_b_txb ip_b_rx ip_b_rxb <<<"$now"
check_ge "va tx_packets moved by >= $sent" "$sent" $((a_tx - a_tx0))
check_ge "va rx_packets moved by >= $sent" "$sent" $((a_rx - a_rx0))
check_ge "va tx_bytes moved by >= $((sent * 42))" $((sent * 42)) $((a_txb - a_txb0))
check_ge "va rx_bytes moved by >= $((sent * 42))" $((sent * 42)) $((a_rxb - a_rxb0))
check_eq "va tx_packets == vb rx_packets" "$a_tx" "$b_rx"
check_eq "va tx_bytes == vb rx_bytes" "$a_txb" "$b_rxb"
check_eq "vb tx_packets == va rx_packets" "$b_tx" "$a_rx"
check_eq "vb tx_bytes == va rx_bytes" "$b_txb" "$a_rxb"
check_eq "no tx_drops on va or vb" "0 0" "$a_txd $b_txd"

# rtnetlink's view (ip -s link) agrees with vnlctl's.
check_ge "ip -s link: va TX packets moved by >= $sent" "$sent" $((ip_a_tx - ip_a_tx0))
check_eq "ip -s link agrees with vnlctl stats on va" "$a_tx $a_txb $a_rx $a_rxb" \
	"$ip_a_tx $ip_a_txb $ip_a_rx $ip_a_rxb"
check_eq "ip -s link agrees with vnlctl stats on vb" "$b_tx $b_txb $b_rx $b_rxb" \
	"$ip_b_tx $ip_b_txb $ip_b_rx $ip_b_rxb"

exit_status
