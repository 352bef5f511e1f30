#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: the macvlan article on vnl (Documentation/labs/macvlan.md).  Two vnl
# macvlan children of one parent, each in a namespace of its own, in
# bridge, VEPA and private mode; the host that cannot reach its own
# children, and the bridge-mode shim that fixes it; a passthru child.  The
# commands are the lab's, in its order, and each check is an outcome the
# lab text promises.
#
#   ns NS1: mac1 10.204.0.1/24 --+
#                                +-- eth0 10.204.0.10/24 <-veth-> eth1 -- br0 10.204.0.254/24
#   ns NS2: mac2 10.204.0.2/24 --+   (ns HOST, the parent)         (ns LAN: the switch and
#                                                                   a machine behind it)

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd bridge

HOST_IP=10.204.0.10
LAN_IP=10.204.0.254
IP1=10.204.0.1
IP2=10.204.0.2

# reaches NS ADDR: a ping of three echoes is answered at least once.
reaches() {
	vping "$1" "$2" -c 3 -i 0.3
}

# The parent's promiscuity count, as `ip -d link show` prints it.
promiscuity() {
	local out
	out=$(ip -n "$HOST" -d link show dev eth0) || return 1
	[[ $out =~ promiscuity\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

mac_of() {
	local out
	out=$(ip -n "$1" link show dev "$2") || return 1
	[[ $out =~ link/ether\ ([0-9a-f:]{17}) ]] && echo "${BASH_REMATCH[1]}"
}

setup_ns HOST LAN NS1 NS2
no_ipv6 "$HOST" "$LAN" "$NS1" "$NS2"

echo "# The wire: the host's eth0, a veth end, to a switch in LAN"
ip -n "$HOST" link add eth0 type veth peer name eth1 netns "$LAN" || exit_status
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set eth1 master br0
ip -n "$LAN" link set eth1 up
ip -n "$LAN" link set br0 up
ip -n "$LAN" addr add "$LAN_IP/24" dev br0
ip -n "$HOST" addr add "$HOST_IP/24" dev eth0
ip -n "$HOST" link set eth0 up
check "the host reaches the LAN through eth0" reaches "$HOST" "$LAN_IP"

echo "# Step 1: bridge mode"
check "vnlctl add macvlan mac1 parent eth0 mode bridge netns ns1" \
	vnlctl -n "$HOST" add macvlan mac1 parent eth0 mode bridge netns "$NS1" || exit_status
check "vnlctl add macvlan mac2 parent eth0 mode bridge netns ns2" \
	vnlctl -n "$HOST" add macvlan mac2 parent eth0 mode bridge netns "$NS2" || exit_status
ip -n "$NS1" addr add "$IP1/24" dev mac1
ip -n "$NS1" link set mac1 up
ip -n "$NS2" addr add "$IP2/24" dev mac2
ip -n "$NS2" link set mac2 up
check_eq "vnlctl show mac1: mode bridge" bridge "$(vnl_field "$NS1" mac1 mode)"
check_eq "vnlctl show mac1: parent eth0, in the host's netns" eth0 "$(vnl_field "$NS1" mac1 parent)"
check "mac1 has carrier (its parent's)" wait_until 20 has_flag "$NS1" mac1 LOWER_UP
check "bridge: mac1 reaches mac2" reaches "$NS1" "$IP2"
check "bridge: mac1 reaches the LAN" reaches "$NS1" "$LAN_IP"

echo "# Step 2: VEPA mode, then a switch that sends frames back (hairpin)"
check "vnlctl set mac1 mode vepa" vnlctl -n "$NS1" set mac1 mode vepa
check "vnlctl set mac2 mode vepa" vnlctl -n "$NS2" set mac2 mode vepa
check_not "vepa, no hairpin: mac1 does not reach mac2" reaches "$NS1" "$IP2"
check "vepa: mac1 reaches the LAN" reaches "$NS1" "$LAN_IP"
check "bridge link set dev eth1 hairpin on" bridge -n "$LAN" link set dev eth1 hairpin on
check "vepa, hairpin: mac1 reaches mac2 through the switch" reaches "$NS1" "$IP2"

echo "# Step 3: private mode (the switch still hairpins)"
check "vnlctl set mac1 mode private" vnlctl -n "$NS1" set mac1 mode private
check "vnlctl set mac2 mode private" vnlctl -n "$NS2" set mac2 mode private
drops=$(vnl_stat "$NS2" mac2 rx_drops)
check_not "private, hairpin: mac1 does not reach mac2" reaches "$NS1" "$IP2"
check_ge "private: mac2 dropped the hairpinned echo requests (rx_drops)" \
	$((drops + 1)) "$(vnl_stat "$NS2" mac2 rx_drops)"
check "private: mac1 reaches the LAN" reaches "$NS1" "$LAN_IP"

echo "# Step 4: the host and its children"
check "bridge link set dev eth1 hairpin off" bridge -n "$LAN" link set dev eth1 hairpin off
check "vnlctl set mac1 mode bridge" vnlctl -n "$NS1" set mac1 mode bridge
check "vnlctl set mac2 mode bridge" vnlctl -n "$NS2" set mac2 mode bridge
check_eq "vnlctl show mac1, mac2: mode bridge" "bridge bridge" \
	"$(vnl_field "$NS1" mac1 mode) $(vnl_field "$NS2" mac2 mode)"
check "the host reaches the LAN" reaches "$HOST" "$LAN_IP"
check_not "the host does not reach mac1, its own child" reaches "$HOST" "$IP1"
check_not "mac1 does not reach the host" reaches "$NS1" "$HOST_IP"

echo "# The shim: a bridge-mode child of the host's own, with the host's address"
check "vnlctl add macvlan shim parent eth0 mode bridge" \
	vnlctl -n "$HOST" add macvlan shim parent eth0 mode bridge
ip -n "$HOST" addr del "$HOST_IP/24" dev eth0
ip -n "$HOST" addr add "$HOST_IP/24" dev shim
ip -n "$HOST" link set shim up
check "shim: the host reaches mac1" reaches "$HOST" "$IP1"
check "shim: mac2 reaches the host" reaches "$NS2" "$HOST_IP"
check "shim: the host still reaches the LAN" reaches "$HOST" "$LAN_IP"

echo "# Step 5: passthru mode"
check "vnlctl del mac1, mac2, shim" eval \
	"vnlctl -n $NS1 del mac1 && vnlctl -n $NS2 del mac2 && vnlctl -n $HOST del shim"
check_eq "no children left: eth0 is not promiscuous" 0 "$(promiscuity)"
check "vnlctl add macvlan mac0 parent eth0 mode passthru netns ns1" \
	vnlctl -n "$HOST" add macvlan mac0 parent eth0 mode passthru netns "$NS1" || exit_status
ip -n "$NS1" addr add "$IP1/24" dev mac0
ip -n "$NS1" link set mac0 up
check_eq "passthru: mac0 has eth0's address" "$(mac_of "$HOST" eth0)" "$(mac_of "$NS1" mac0)"
check_eq "passthru: eth0 is promiscuous (promiscuity 1)" 1 "$(promiscuity)"
check_fails_with "passthru: a second child is refused (Invalid argument)" 1 \
	"passthru child, which must be its only child \(invalid argument\)" \
	vnlctl -n "$HOST" add macvlan mac2 parent eth0 mode bridge netns "$NS2"
check "passthru: mac0 reaches the LAN" reaches "$NS1" "$LAN_IP"
# ip exits 2 when the kernel refuses a request.
check_fails_with "passthru: mac0's address cannot be set: Device or resource busy" 2 \
	"^RTNETLINK answers: Device or resource busy$" \
	ip -n "$NS1" link set mac0 address 02:00:00:20:40:01
check_eq "passthru: mac0 kept eth0's address" "$(mac_of "$HOST" eth0)" "$(mac_of "$NS1" mac0)"
check "ip link set eth0 address 02:00:00:20:40:10" \
	ip -n "$HOST" link set eth0 address 02:00:00:20:40:10
check_eq "passthru: mac0 follows eth0's new address" 02:00:00:20:40:10 "$(mac_of "$NS1" mac0)"
check "vnlctl del mac0" vnlctl -n "$NS1" del mac0
check_eq "eth0 is no longer promiscuous" 0 "$(promiscuity)"

exit_status
