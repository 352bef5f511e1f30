#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# OpenVPN over /dev/vnl: a point-to-point tunnel with a static key between
# two network namespaces, each end's tun device opened with
# `--dev-type tun --dev-node /dev/vnl`, so that the tunnel devices are vnl
# devices while OpenVPN does everything else as usual (UDP, encryption,
# addresses through netlink).  Ping crosses the tunnel both ways.
#
# Two runs, with two underlays:
#   1. a vnl pair      ns A: va 10.40.0.1/24  <->  ns B: vb 10.40.0.2/24
#   2. a kernel veth   ns C: ea 10.40.0.1/24  <->  ns D: eb 10.40.0.2/24
# and the same overlay each time:
#   otun0 10.48.0.1 peer 10.48.0.2  <->  otun0 10.48.0.2 peer 10.48.0.1

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd openvpn jq
require_ping

PORT=1194
KEY=$TEST_TMP/static.key
OVPN_PIDS=()

# OpenVPN ends before the namespaces go (lib.sh's trap runs this last, but
# a killed openvpn is then already gone, and a leftover one would keep its
# /dev/vnl file and its netns).
cleanup() {
	local p
	for p in "${OVPN_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	return 0
}

check "openvpn --genkey secret" openvpn --genkey secret "$KEY" || exit_status

# start_openvpn NS LOG LOCAL_UNDERLAY REMOTE_UNDERLAY LOCAL_OVERLAY REMOTE_OVERLAY
start_openvpn() {
	local ns=$1 log=$2 pid
	ip netns exec "$ns" openvpn --dev otun0 --dev-type tun --dev-node /dev/vnl \
		--disable-dco --proto udp --local "$3" --lport "$PORT" \
		--remote "$4" "$PORT" --ifconfig "$5" "$6" \
		--secret "$KEY" --cipher AES-256-CBC --auth SHA256 \
		--ping 1 --verb 3 --log "$log" </dev/null >/dev/null 2>&1 &
	pid=$!
	OVPN_PIDS+=("$pid")
	track_bg "$pid"
}

# shellcheck disable=SC2317 # called through wait_until
both_initialized() {
	grep -q "Initialization Sequence Completed" "$1" &&
		grep -q "Initialization Sequence Completed" "$2"
}

stop_openvpn() {
	cleanup
	OVPN_PIDS=()
}

# tunnel_over LABEL NS1 NS2: the underlay is up with 10.40.0.1 in NS1 and
# 10.40.0.2 in NS2; run the tunnel over it (end 1 in NS1, end 2 in NS2)
# and check it.
tunnel_over() {
	local label=$1 n1=$2 n2=$3 log1=$TEST_TMP/$1-1.log log2=$TEST_TMP/$1-2.log

	check "[$label] underlay ping 10.40.0.1 -> 10.40.0.2" \
		vping "$n1" 10.40.0.2 -c 1 -W 5 || return

	start_openvpn "$n1" "$log1" 10.40.0.1 10.40.0.2 10.48.0.1 10.48.0.2
	start_openvpn "$n2" "$log2" 10.40.0.2 10.40.0.1 10.48.0.2 10.48.0.1
	if ! check "[$label] both ends: Initialization Sequence Completed" \
		wait_until 120 both_initialized "$log1" "$log2"; then
		printf '    %s\n' "--- $log1" "$(tail -n 15 "$log1")" "--- $log2" "$(tail -n 15 "$log2")"
		stop_openvpn
		return
	fi
	check_eq "[$label] otun0 at end 1 is a vnl device (ip -d link: kind vnl)" vnl \
		"$(ip -n "$n1" -d -j link show dev otun0 | jq -r '.[0].linkinfo.info_kind')"
	check_eq "[$label] otun0 at end 2 is a vnl device (ip -d link: kind vnl)" vnl \
		"$(ip -n "$n2" -d -j link show dev otun0 | jq -r '.[0].linkinfo.info_kind')"
	check_eq "[$label] otun0's driver is vnl, not the kernel's tun (ethtool -i)" vnl \
		"$(ip netns exec "$n1" ethtool -i otun0 | sed -n 's/^driver: //p')"
	check "[$label] otun0 is point-to-point" has_flag "$n1" otun0 POINTOPOINT

	read -r tx0 rx0 <<<"$(vnlctl -n "$n1" -j stats otun0 |
		jq -r '.stats | "\(.tx_packets) \(.rx_packets)"')"
	# The first echoes may meet a tunnel still settling: a few tries.
	check "[$label] ping through the tunnel 10.48.0.1 -> 10.48.0.2" \
		wait_until 60 vping "$n1" 10.48.0.2 -c 1 -W 2
	check "[$label] ping through the tunnel, 3 echoes" \
		vping "$n1" 10.48.0.2 -c 3 -i 0.3
	check "[$label] ping through the tunnel 10.48.0.2 -> 10.48.0.1" \
		vping "$n2" 10.48.0.1 -c 3 -i 0.3
	read -r tx1 rx1 <<<"$(vnlctl -n "$n1" -j stats otun0 |
		jq -r '.stats | "\(.tx_packets) \(.rx_packets)"')"
	# OpenVPN read what the stack sent (tx) and wrote what came back (rx).
	check_ge "[$label] otun0 at end 1: tx_packets moved by >= 6" 6 $((tx1 - tx0))
	check_ge "[$label] otun0 at end 1: rx_packets moved by >= 6" 6 $((rx1 - rx0))

	# OpenVPN's file was the only one: when it exits, otun0 goes.
	stop_openvpn
	check "[$label] otun0 at end 1 is gone once openvpn exited" \
		wait_until 20 link_absent -n "$n1" otun0
	check "[$label] otun0 at end 2 is gone once openvpn exited" \
		wait_until 20 link_absent -n "$n2" otun0
}

# --- 1. over a vnl pair -------------------------------------------------------------

setup_ns A B
no_ipv6 "$A" "$B"
check "vnl pair va (A) <-> vb (B)" \
	vnlctl add pair va peer vb netns "$A" peer-netns "$B" || exit_status
ip -n "$A" addr add 10.40.0.1/24 dev va
ip -n "$B" addr add 10.40.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
tunnel_over vnl-pair "$A" "$B"
cleanup_ns "$A" "$B"

# --- 2. over a kernel veth ---------------------------------------------------------

setup_ns C D
no_ipv6 "$C" "$D"
if ip -n "$C" link add ea type veth peer name eb netns "$D" 2>/dev/null; then
	check_pass "veth ea (C) <-> eb (D)"
	ip -n "$C" addr add 10.40.0.1/24 dev ea
	ip -n "$D" addr add 10.40.0.2/24 dev eb
	ip -n "$C" link set ea up
	ip -n "$D" link set eb up
	tunnel_over veth "$C" "$D"
else
	check_skip "veth underlay" "ip link add type veth failed: no veth module?"
fi

exit_status
