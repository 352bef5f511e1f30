#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: the bridge article on vnl (Documentation/labs/bridge.md).  Two
# namespaces, each joined by a vnl pair to a port of a kernel bridge in a
# third: they ping each other through the bridge, which learns their MAC
# addresses on its ports.  An address on a port is useless (the bridge
# takes whatever the port receives); the same address on the bridge
# answers.  The commands are the page's, in its order.
#
#   ns NS1: v1 10.220.0.1/24 <-pair-> p1 --+
#                                          +-- br0 (10.220.0.254/24, step 3)   ns SW
#   ns NS2: v2 10.220.0.2/24 <-pair-> p2 --+

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd bridge

nl=$'\n'

setup_ns SW NS1 NS2
no_ipv6 "$SW" "$NS1" "$NS2"

echo "# Step 1: two pairs, their sw ends on a bridge"
check "vnlctl add pair p1 netns sw peer v1 peer-netns ns1" \
	vnlctl add pair p1 netns "$SW" peer v1 peer-netns "$NS1" || exit_status
check "vnlctl add pair p2 netns sw peer v2 peer-netns ns2" \
	vnlctl add pair p2 netns "$SW" peer v2 peer-netns "$NS2" || exit_status
check "ip link add br0 type bridge" ip -n "$SW" link add br0 type bridge || exit_status
ip -n "$SW" link set p1 master br0
ip -n "$SW" link set p2 master br0
ip -n "$SW" link set br0 up
ip -n "$SW" link set p1 up
ip -n "$SW" link set p2 up
ip -n "$NS1" addr add 10.220.0.1/24 dev v1
ip -n "$NS1" link set v1 up
ip -n "$NS2" addr add 10.220.0.2/24 dev v2
ip -n "$NS2" link set v2 up
out=$(bridge -n "$SW" link)
printf '    %s\n' "${out//$'\n'/$'\n    '}"
check_match "bridge link: p1 is a port of br0, forwarding" "p1(@[^:]+)?: [^$nl]* master br0 state forwarding" "$out"
check_match "bridge link: p2 is a port of br0, forwarding" "p2(@[^:]+)?: [^$nl]* master br0 state forwarding" "$out"

echo "# Step 2: ns1 and ns2 talk through br0"
check "ns1 reaches ns2 (10.220.0.2) through br0" vping "$NS1" 10.220.0.2 -c 3 -i 0.3
out=$(bridge -n "$SW" fdb show br br0 dynamic)
printf '    %s\n' "${out//$'\n'/$'\n    '}"
check_match "bridge fdb: v1's address learnt on p1" "(^|[[:space:]])$(vnl_field "$NS1" v1 address) dev p1 " "$out"
check_match "bridge fdb: v2's address learnt on p2" "(^|[[:space:]])$(vnl_field "$NS2" v2 address) dev p2 " "$out"

echo "# Step 3: an address on a port is useless; on the bridge it answers"
ip -n "$SW" addr add 10.220.0.254/24 dev p1
check_not "sw, with 10.220.0.254 on p1, does not reach ns1" vping "$SW" 10.220.0.1 -c 1 -W 1
out=$(ip -n "$SW" neigh show 10.220.0.1 dev p1)
printf '    %s\n' "$out"
check_match "ip neigh: p1 never learnt ns1's address (the reply went to br0)" \
	"^10\.220\.0\.1 +(INCOMPLETE|FAILED)" "$out"
ip -n "$SW" addr del 10.220.0.254/24 dev p1
check "ip addr add 10.220.0.254/24 dev br0" ip -n "$SW" addr add 10.220.0.254/24 dev br0
check "sw, with 10.220.0.254 on br0, reaches ns1" vping "$SW" 10.220.0.1 -c 3 -i 0.3
check "ns2 reaches br0's address" vping "$NS2" 10.220.0.254 -c 3 -i 0.3

exit_status
