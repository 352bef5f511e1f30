#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: a kernel IPIP tunnel over a vnl pair (Documentation/labs/tunnels.md),
# the kernel's answer to the tun UDP tunnel (tun_udp_tunnel.sh).  The
# pair is the underlay; an ipip device in each namespace wraps the
# overlay's IP packets in an outer IP header between the pair's
# addresses.  tcpdump on the pair end shows both headers; on the ipip
# device, only the inner one.  The commands are the page's, in its order.
#
#   ns A: ipip0 10.224.0.1 peer 10.224.0.2        ns B: ipip0 10.224.0.2 peer 10.224.0.1
#         va 10.223.0.1/24  <------- vnl pair ------->  vb 10.223.0.2/24

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd tcpdump

# cap NAME DEV ARGS...: tcpdump -l on DEV in A, in the background, until
# it stops by itself (-c); its pid in $cap_pid.
cap() {
	local name=$1 dev=$2
	shift 2
	ip netns exec "$A" tcpdump -i "$dev" -nn -l "$@" >"$TEST_TMP/$name.txt" 2>"$TEST_TMP/$name.err" &
	cap_pid=$!
	track_bg "$cap_pid"
	wait_until 30 grep -q "listening on" "$TEST_TMP/$name.err"
}

setup_ns A B
no_ipv6 "$A" "$B"

echo "# The underlay: a pair"
check "vnlctl add pair va netns a peer vb peer-netns b" \
	vnlctl add pair va netns "$A" peer vb peer-netns "$B" || exit_status
ip -n "$A" addr add 10.223.0.1/24 dev va
ip -n "$B" addr add 10.223.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up

echo "# The overlay: an ipip device at each end"
check "ip -n a tunnel add ipip0 mode ipip local 10.223.0.1 remote 10.223.0.2" \
	ip -n "$A" tunnel add ipip0 mode ipip local 10.223.0.1 remote 10.223.0.2 ||
	skip_test "no IPIP tunnels (ipip) in this kernel"
check "ip -n b tunnel add ipip0 mode ipip local 10.223.0.2 remote 10.223.0.1" \
	ip -n "$B" tunnel add ipip0 mode ipip local 10.223.0.2 remote 10.223.0.1
ip -n "$A" addr add 10.224.0.1 peer 10.224.0.2 dev ipip0
ip -n "$B" addr add 10.224.0.2 peer 10.224.0.1 dev ipip0
ip -n "$A" link set ipip0 up
ip -n "$B" link set ipip0 up
out=$(ip -n "$A" -d link show dev ipip0)
printf '    %s\n' "${out//$'\n'/$'\n    '}"
check_match "ip -d link show ipip0: mtu 1480, 20 bytes under va's 1500" " mtu 1480 " "$out"
check_match "ip -d link show ipip0: ipip remote 10.223.0.2 local 10.223.0.1" \
	"ipip (ipip )?remote 10\.223\.0\.2 local 10\.223\.0\.1" "$out"

echo "# A ping across, tcpdump on both sides of the tunnel"
cap va va -e -c 4 ip proto 4
check_eq "tcpdump -i va -nn -e -c 4 ip proto 4: listening" 0 $? || exit_status
cap_va=$cap_pid
cap ipip0 ipip0 -c 4
check_eq "tcpdump -i ipip0 -nn -c 4: listening" 0 $? || exit_status
cap_ipip=$cap_pid
tx0=$(vnl_stat "$A" va tx_packets)
check "ping -c 2 10.224.0.2 from a, through the tunnel" vping "$A" 10.224.0.2 -c 2 -i 0.2
check "both captures stop by themselves after 4 packets" \
	wait_until 20 eval '! kill -0 $cap_va && ! kill -0 $cap_ipip'
check_ge "va carried them: its tx_packets moved by 2 at least" $((tx0 + 2)) \
	"$(vnl_stat "$A" va tx_packets)"

out=$(<"$TEST_TMP/va.txt")
printf '    %s\n' "${out//$'\n'/$'\n    '}"
check_match "on va: the outer header, then the inner one; 20 bytes more than a plain echo" \
	"ethertype IPv4 \(0x0800\), length 118: 10\.223\.0\.1 > 10\.223\.0\.2: 10\.224\.0\.1 > 10\.224\.0\.2: ICMP echo request" "$out"
check_match "on va: the reply comes back the same way" \
	"10\.223\.0\.2 > 10\.223\.0\.1: 10\.224\.0\.2 > 10\.224\.0\.1: ICMP echo reply" "$out"
out=$(<"$TEST_TMP/ipip0.txt")
printf '    %s\n' "${out//$'\n'/$'\n    '}"
check_match "on ipip0: the inner packet alone, no Ethernet header" \
	"^[0-9:.]+ IP 10\.224\.0\.1 > 10\.224\.0\.2: ICMP echo request" "$out"
check_match "tcpdump on ipip0: link-type RAW" "link-type RAW" "$(<"$TEST_TMP/ipip0.err")"

exit_status
