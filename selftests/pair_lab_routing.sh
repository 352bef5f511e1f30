#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: two subnets and a router between them (Documentation/labs/routing.md),
# the article's "how do two hosts on different subnets talk" on vnl
# pairs.  Without a route, ping says "Network is unreachable"; with
# default routes but forwarding off, the router drops the packets
# silently (IpInAddrErrors counts them); with ip_forward=1 the ping is
# answered, one hop further (ttl 63).  The commands are the page's, in
# its order.
#
#   ns H1: v1 10.225.1.1/24 <-pair-> r1 10.225.1.254/24 --+
#                                                         ns R
#   ns H2: v2 10.225.2.1/24 <-pair-> r2 10.225.2.254/24 --+

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd nstat

# in_addr_errors: the router's IpInAddrErrors, packets it got for an
# address not its own and did not forward.
in_addr_errors() {
	local out
	out=$(ip netns exec "$R" nstat -asz IpInAddrErrors) || return 1
	[[ $out =~ IpInAddrErrors\ +([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

setup_ns R H1 H2
no_ipv6 "$R" "$H1" "$H2"

echo "# Two subnets, one pair from each to the router"
check "vnlctl add pair r1 netns r peer v1 peer-netns h1" \
	vnlctl add pair r1 netns "$R" peer v1 peer-netns "$H1" || exit_status
check "vnlctl add pair r2 netns r peer v2 peer-netns h2" \
	vnlctl add pair r2 netns "$R" peer v2 peer-netns "$H2" || exit_status
ip -n "$R" addr add 10.225.1.254/24 dev r1
ip -n "$R" addr add 10.225.2.254/24 dev r2
ip -n "$R" link set r1 up
ip -n "$R" link set r2 up
ip -n "$H1" addr add 10.225.1.1/24 dev v1
ip -n "$H1" link set v1 up
ip -n "$H2" addr add 10.225.2.1/24 dev v2
ip -n "$H2" link set v2 up
check "h1 reaches the router (10.225.1.254), on its own subnet" vping "$H1" 10.225.1.254 -c 1

echo "# Step 1: no route"
out=$(ip netns exec "$H1" "${PING[@]}" -c 1 -W 1 10.225.2.1 2>&1)
check_match "ping 10.225.2.1 from h1: Network is unreachable" "Network is unreachable" "$out"

echo "# Step 2: routes, but the router does not forward"
check "ip -n h1 route add default via 10.225.1.254" ip -n "$H1" route add default via 10.225.1.254
check "ip -n h2 route add default via 10.225.2.254" ip -n "$H2" route add default via 10.225.2.254
check_eq "the router's ip_forward is 0" 0 \
	"$(ip netns exec "$R" sysctl -n net.ipv4.ip_forward)"
errs=$(in_addr_errors)
check_not "ping 10.225.2.1 from h1: no answer" vping "$H1" 10.225.2.1 -c 1 -W 1
check_ge "the router counted the echo request in IpInAddrErrors" $((errs + 1)) "$(in_addr_errors)"

echo "# Step 3: forwarding on"
check "sysctl -w net.ipv4.ip_forward=1 in the router" \
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
out=$(ip netns exec "$H1" "${PING[@]}" -c 1 -W 2 10.225.2.1 2>&1)
printf '    %s\n' "${out//$'\n'/$'\n    '}"
check_match "ping 10.225.2.1 from h1: answered, ttl=63 (one router on the way)" \
	"bytes from 10\.225\.2\.1: icmp_seq=1 ttl=63 " "$out"
out=$(ip -n "$H1" route get 10.225.2.1)
check_match "ip route get 10.225.2.1 in h1: via 10.225.1.254 dev v1" \
	"^10\.225\.2\.1 via 10\.225\.1\.254 dev v1 " "$out"
out=$(vnlctl -n "$R" -j stats r2)
check_ge "r2 sent the forwarded request on (tx_packets)" 1 "$(json_get "$out" stats tx_packets)"

exit_status
