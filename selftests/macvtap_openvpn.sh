#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# OpenVPN in tap mode on a macvlan child's tap face (Documentation/
# macvtap.md): `openvpn --dev ovt0 --dev-type tap --dev-node /dev/vnl`
# attaches to the face ovt0 as to any tap, and becomes the machine behind
# it.  The far end of the tunnel is a remote host whose tap (made by its
# own openvpn, on /dev/vnl too) carries the face's MAC address
# (--lladdr): to the LAN it is one more host, at the face's address, as a
# virtual machine behind a macvtap device is.
#
#   ns LAN:    eth1 10.50.0.1/24
#                | veth: the wire
#   ns HOST1:  eth0 -- ovt0  tap face, its file held by openvpn (no address)
#              u1 10.40.0.1 --+ vnl pair: the underlay, UDP 1194
#   ns HOST2:  u2 10.40.0.2 --+
#              otap0 10.50.0.2/24, MAC = ovt0's: a tap held by openvpn
#
# The LAN's ARP request (a broadcast) reaches ovt0 by the port's flood,
# its echo requests (unicast to ovt0's MAC) by the port's lookup; both go
# to openvpn's file, through the tunnel, to otap0.  The answers come back
# the other way and leave through ovt0 onto the wire.  Nothing else joins
# the LAN to HOST2: a ping between them crosses the face or fails.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_cmd openvpn
require_ping

PORT=1194
KEY=$TEST_TMP/static.key
OVPN_PIDS=()

# OpenVPN ends before the namespaces go: a leftover one would keep its
# /dev/vnl file, and with it its netns.
cleanup() {
	local p
	for p in "${OVPN_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	return 0
}

# start_openvpn NS LOG LOCAL REMOTE ARGS...: one end of the tunnel.
start_openvpn() {
	local ns=$1 log=$2 local=$3 remote=$4 pid
	shift 4
	ip netns exec "$ns" openvpn --dev-type tap --dev-node /dev/vnl "$@" \
		--disable-dco --proto udp --local "$local" --lport "$PORT" \
		--remote "$remote" "$PORT" \
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

setup_ns LAN HOST1 HOST2
no_ipv6 "$LAN" "$HOST1" "$HOST2"

check "openvpn --genkey secret" openvpn --genkey secret "$KEY" || exit_status

# The LAN and the face.
ip -n "$HOST1" link add eth0 type veth peer name eth1 netns "$LAN" ||
	{ echo "FAIL: cannot make the wire"; exit 1; }
ip -n "$HOST1" link set eth0 up
mv_ip "$LAN" eth1 10.50.0.1/24
check "vnlctl add macvlan ovt0 parent eth0 mode bridge tap" \
	vnlctl -n "$HOST1" add macvlan ovt0 parent eth0 mode bridge tap || exit_status
ip -n "$HOST1" link set ovt0 up
OVT0_MAC=$(mac_of "$HOST1" ovt0)

# The underlay.
check "vnl pair u1 (HOST1) <-> u2 (HOST2)" \
	vnlctl add pair u1 peer u2 netns "$HOST1" peer-netns "$HOST2" || exit_status
mv_ip "$HOST1" u1 10.40.0.1/24
mv_ip "$HOST2" u2 10.40.0.2/24
check "underlay: HOST1 reaches HOST2" vping "$HOST1" 10.40.0.2 -c 1 -W 5 || exit_status

# HOST1's end attaches to the face: no address, no MAC of its own, the
# child is already up.  HOST2's end makes its tap, with the face's MAC.
log1=$TEST_TMP/host1.log log2=$TEST_TMP/host2.log
start_openvpn "$HOST1" "$log1" 10.40.0.1 10.40.0.2 --dev ovt0
start_openvpn "$HOST2" "$log2" 10.40.0.2 10.40.0.1 --dev otap0 \
	--lladdr "$OVT0_MAC" --ifconfig 10.50.0.2 255.255.255.0
if ! check "both ends: Initialization Sequence Completed" \
	wait_until 120 both_initialized "$log1" "$log2"; then
	printf '    %s\n' "--- $log1" "$(tail -n 15 "$log1")" "--- $log2" "$(tail -n 15 "$log2")"
	exit_status
fi

check_match "vnlctl show ovt0: openvpn's file is the face's one queue" \
	$'\n    tap queues 1$' "$(vnlctl -n "$HOST1" show ovt0)"
check "ovt0: carrier with openvpn's file" wait_until 20 oper_up "$HOST1" ovt0
check_eq "otap0 (HOST2) has ovt0's MAC address" "$OVT0_MAC" "$(mac_of "$HOST2" otap0)"

rx0=$(vnl_stat "$HOST1" ovt0 rx_packets) tx0=$(vnl_stat "$HOST1" ovt0 tx_packets)
# The first echoes may meet a tunnel still settling: a few tries.
check "the LAN pings 10.50.0.2 across the face and the tunnel" \
	wait_until 60 vping "$LAN" 10.50.0.2 -c 1 -W 2
check "... 3 echoes" vping "$LAN" 10.50.0.2 -c 3 -i 0.3
check "HOST2 pings the LAN (10.50.0.1), the other way" vping "$HOST2" 10.50.0.1 -c 3 -i 0.3
out=$(ip -n "$LAN" neigh show 10.50.0.2 dev eth1)
check_match "the LAN learnt 10.50.0.2 at ovt0's address" " lladdr $OVT0_MAC " "$out "
# The face counts as a NIC would: rx what openvpn read (the LAN's frames),
# tx what it wrote (HOST2's).
check_ge "ovt0: rx_packets moved by >= 7 (the LAN's echo requests, replies)" 7 \
	$(($(vnl_stat "$HOST1" ovt0 rx_packets) - rx0))
check_ge "ovt0: tx_packets moved by >= 7 (HOST2's replies, echo requests)" 7 \
	$(($(vnl_stat "$HOST1" ovt0 tx_packets) - tx0))

# openvpn exits: the face stays, with no carrier, and the LAN loses HOST2.
cleanup
OVPN_PIDS=()
check "ovt0: openvpn gone, no carrier" wait_until 20 has_flag "$HOST1" ovt0 NO-CARRIER
check "ovt0 is still there" link_exists -n "$HOST1" ovt0
check_not "the LAN no longer reaches 10.50.0.2" vping "$LAN" 10.50.0.2 -c 1 -W 1

exit_status
