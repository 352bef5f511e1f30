#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A pair behaves like two NICs joined by a cable: the carrier of both ends
# is on only while both are up.  `ip link show` says NO-CARRIER on an end
# that is up while its peer is down, LOWER_UP on both once both are up, and
# vnlctl reports the same.  tx_drops counts the frames an end was asked to
# send that its peer could not take: sent while the peer was down, or too
# big for the peer's MTU.
#
#   ns A: ca 10.12.0.1/24  <->  ns B: cb 10.12.0.2/24

source "$(dirname "$0")/lib.sh"

require_vnl

require_ping

IP_A=10.12.0.1
IP_B=10.12.0.2

setup_ns A B
no_ipv6 "$A" "$B"

check "vnlctl add pair ca peer cb (ca in A, cb in B)" \
	vnlctl add pair ca peer cb netns "$A" peer-netns "$B" || exit_status
ip -n "$A" addr add "$IP_A/24" dev ca
ip -n "$B" addr add "$IP_B/24" dev cb

# "up carrier" of an end, as vnlctl reports it.
state() { echo "$(vnl_field "$1" "$2" up) $(vnl_field "$1" "$2" carrier)"; }

check_eq "both down: ca is down without carrier" "false false" "$(state "$A" ca)"
check_eq "both down: cb is down without carrier" "false false" "$(state "$B" cb)"

ip -n "$A" link set ca up
check "ca up, cb down: ip link shows NO-CARRIER on ca" \
	wait_until 10 has_flag "$A" ca NO-CARRIER
check "ca up, cb down: no LOWER_UP on ca" lacks_flag "$A" ca LOWER_UP
check_eq "ca up, cb down: vnlctl says ca up, carrier off" "true false" "$(state "$A" ca)"
check_eq "ca up, cb down: vnlctl says cb down, carrier off" "false false" "$(state "$B" cb)"

ip -n "$B" link set cb up
check "both up: ip link shows LOWER_UP on ca" wait_until 10 has_flag "$A" ca LOWER_UP
check "both up: ip link shows LOWER_UP on cb" wait_until 10 has_flag "$B" cb LOWER_UP
check "both up: no NO-CARRIER on ca" wait_until 10 lacks_flag "$A" ca NO-CARRIER
check "both up: no NO-CARRIER on cb" lacks_flag "$B" cb NO-CARRIER
check_eq "both up: vnlctl says ca up, carrier on" "true true" "$(state "$A" ca)"
check_eq "both up: vnlctl says cb up, carrier on" "true true" "$(state "$B" cb)"
check "both up: ping A -> B" vping "$A" "$IP_B" -c 1

# From now on no ARP is needed: what ca sends goes straight to the device.
mac_b=$(vnl_field "$B" cb address)
ip -n "$A" neigh replace "$IP_B" lladdr "$mac_b" dev ca nud permanent

ip -n "$B" link set cb down
check "cb down: ip link shows NO-CARRIER on ca" wait_until 10 has_flag "$A" ca NO-CARRIER
check "cb down: no LOWER_UP on ca" lacks_flag "$A" ca LOWER_UP
check_eq "cb down: vnlctl says ca up, carrier off" "true false" "$(state "$A" ca)"
check_eq "cb down: vnlctl says cb down, carrier off" "false false" "$(state "$B" cb)"

# With its carrier off, ca's queue is deactivated by the core's link
# watcher: the pings are dropped before they reach vnl (as with veth or a
# NIC without link), so ca's transmit counters stay put and cb sees none.
tx0=$(vnl_stat "$A" ca tx_packets)
rx0=$(vnl_stat "$B" cb rx_packets)
check_not "cb down: ping A -> B gets no answer" vping "$A" "$IP_B" -c 5 -i 0.2 -W 1
check_eq "cb down: ca transmitted nothing to the downed peer" "$tx0" "$(vnl_stat "$A" ca tx_packets)"
check_eq "cb down: cb received nothing" "$rx0" "$(vnl_stat "$B" cb rx_packets)"

# The other way round: the end that is still up is cb.
ip -n "$B" link set cb up
check "both up again: LOWER_UP on ca" wait_until 10 has_flag "$A" ca LOWER_UP
ip -n "$A" link set ca down
check "ca down: ip link shows NO-CARRIER on cb" wait_until 10 has_flag "$B" cb NO-CARRIER
check_eq "ca down: vnlctl says cb up, carrier off" "true false" "$(state "$B" cb)"
ip -n "$A" link set ca up
check "both up again: LOWER_UP on cb" wait_until 10 has_flag "$B" cb LOWER_UP
check "both up again: ping A -> B" vping "$A" "$IP_B" -c 1

# A frame longer than the peer's MTU (plus its Ethernet header) is one the
# peer could not have received from a wire: dropped and counted.
ip -n "$B" link set cb mtu 1280
drops0=$(vnl_stat "$A" ca tx_drops)
check_not "cb mtu 1280: a 1400-byte ping from ca (mtu 1500) gets no answer" \
	vping "$A" "$IP_B" -c 3 -i 0.2 -W 1 -s 1400 -M dont
check_ge "cb mtu 1280: tx_drops on ca counts the 3 frames too big for cb" 3 \
	$(($(vnl_stat "$A" ca tx_drops) - drops0))
check "cb mtu 1280: a 1200-byte ping still passes" vping "$A" "$IP_B" -c 1 -s 1200

exit_status
