#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: both ends of a pair in one namespace (Documentation/labs/one-netns.md),
# the veth-pair article's puzzle on vnl.  A plain ping between the two
# addresses is answered by lo, the pair never sees it; `ping -I v0` sends
# it out of v0, and v1 drops it as a martian (its source is an address of
# this very netns) until accept_local is on; strict rp_filter drops it
# again, because the way back to 10.221.0.1 is through lo, not v1.
#
#   ns N: v0 10.221.0.1/24 <-pair-> v1 10.221.0.2/24

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping

# counters NAME: "rx_packets tx_packets" of NAME in N, one vnlctl.
counters() {
	local out
	out=$(vnlctl -n "$N" -j stats "$1") || return 1
	echo "$(json_get "$out" stats rx_packets) $(json_get "$out" stats tx_packets)"
}

setup_ns N
no_ipv6 "$N"

echo "# Both ends in one netns"
check "vnlctl -n n add pair v0 peer v1" vnlctl -n "$N" add pair v0 peer v1 || exit_status
ip -n "$N" addr add 10.221.0.1/24 dev v0
ip -n "$N" addr add 10.221.0.2/24 dev v1
ip -n "$N" link set v0 up
ip -n "$N" link set v1 up

echo "# Step 1: a plain ping is answered, but not by the pair"
read -r rx0 tx0 <<<"$(counters v0)"
check "ping 10.221.0.2: answered" vping "$N" 10.221.0.2 -c 1
read -r rx1 tx1 <<<"$(counters v0)"
check_eq "v0's counters did not move: the ping went through lo" "$rx0 $tx0" "$rx1 $tx1"

echo "# Step 2: ping -I v0 sends it out of v0; v1 drops it"
read -r rx0 tx0 <<<"$(counters v1)"
check_not "ping -I v0 10.221.0.2: no answer" vping "$N" 10.221.0.2 -c 1 -W 1 -I v0
read -r rx1 tx1 <<<"$(counters v1)"
check_ge "v1 received the ARP request (rx_packets moved)" $((rx0 + 1)) "$rx1"
check_eq "v1 sent nothing back (tx_packets did not move)" "$tx0" "$tx1"
out=$(ip -n "$N" neigh show 10.221.0.2 dev v0)
printf '    %s\n' "$out"
check_match "ip neigh: v0 never learnt 10.221.0.2" "^10\.221\.0\.2 +(INCOMPLETE|FAILED)" "$out"

echo "# Step 3: accept_local"
# Step 2's neighbour entry may still be resolving: its next probe would
# be answered once accept_local is on (one more frame from v1), and a
# ping queued on it is dropped with it when its probes are spent.
check "ip neigh flush dev v0" ip -n "$N" neigh flush dev v0
read -r rx1 tx1 <<<"$(counters v1)"
check "sysctl -w net.ipv4.conf.v1.accept_local=1 net.ipv4.conf.v0.accept_local=1" \
	ip netns exec "$N" sysctl -qw net.ipv4.conf.v1.accept_local=1 net.ipv4.conf.v0.accept_local=1
check "ping -I v0 10.221.0.2: answered" vping "$N" 10.221.0.2 -c 1 -W 2 -I v0
read -r rx2 tx2 <<<"$(counters v1)"
check_ge "v1 received the echo request" $((rx1 + 1)) "$rx2"
check_eq "v1 sent only the ARP reply: the echo reply went through lo" $((tx1 + 1)) "$tx2"

echo "# Step 4: strict rp_filter"
check "sysctl -w net.ipv4.conf.all.rp_filter=1" \
	ip netns exec "$N" sysctl -qw net.ipv4.conf.all.rp_filter=1
check_not "ping -I v0 10.221.0.2: no answer again" vping "$N" 10.221.0.2 -c 1 -W 1 -I v0
check "sysctl -w net.ipv4.conf.all.rp_filter=0" \
	ip netns exec "$N" sysctl -qw net.ipv4.conf.all.rp_filter=0
check "ping -I v0 10.221.0.2: answered" vping "$N" 10.221.0.2 -c 1 -W 2 -I v0

exit_status
