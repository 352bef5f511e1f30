#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tunnel experiment: a userspace UDP tunnel between two network
# namespaces, each end a tiny forwarder (python3, below) that copies what
# it reads from its /dev/vnl tun device into a UDP datagram to the other
# end, and what it receives over UDP into a write() on the device.
#
#   ns A: tun0 10.51.0.1 peer 10.51.0.2          ns B: tun0 10.51.0.2 peer 10.51.0.1
#           |  forwarder, UDP port 5555              |  forwarder, UDP port 5555
#         va 10.50.0.1/24  <---- vnl pair ---->  vb 10.50.0.2/24
#
# Ping crosses the overlay; a capture on tun0 (the overlay) sees the ICMP
# echoes themselves, a capture on va (the underlay) sees only UDP between
# the two forwarders' port 5555.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3 tcpdump jq
require_ping

PORT=5555
COUNT=3

cat >"$TEST_TMP/forwarder.py" <<'EOF'
# forwarder.py TUN_NAME LOCAL_UNDERLAY_ADDR PEER_UNDERLAY_ADDR PORT
import fcntl, os, select, socket, struct, sys

TUNSETIFF = 0x400454ca
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000

name, local, peer, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tun = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((local, port))
print("ready", flush=True)
while True:
    ready, _, _ = select.select([tun, udp], [], [])
    if tun in ready:
        udp.sendto(os.read(tun, 65535), (peer, port))
    if udp in ready:
        os.write(tun, udp.recv(65535))
EOF

# start_forwarder NS LOCAL PEER OUT: its pid in LAST_PID; it says "ready"
# in OUT once tun0 is attached.  (Not through `check`: that would run it
# in a subshell and lose the pid.)
start_forwarder() {
	ip netns exec "$1" python3 "$TEST_TMP/forwarder.py" tun0 "$2" "$3" "$PORT" \
		>"$4" 2>&1 </dev/null &
	LAST_PID=$!
	track_bg "$LAST_PID"
}

# start_capture NS DEV FILTER OUT: tcpdump, its pid in LAST_PID; "listening
# on" in OUT.err once its socket is ready.
start_capture() {
	ip netns exec "$1" tcpdump -i "$2" -nn -l -U -Z root "$3" >"$4" 2>"$4.err" &
	LAST_PID=$!
	track_bg "$LAST_PID"
}

setup_ns A B
no_ipv6 "$A" "$B"

check "underlay: vnl pair va (A) <-> vb (B)" \
	vnlctl add pair va peer vb netns "$A" peer-netns "$B" || exit_status
ip -n "$A" addr add 10.50.0.1/24 dev va
ip -n "$B" addr add 10.50.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
check "underlay ping 10.50.0.1 -> 10.50.0.2" vping "$A" 10.50.0.2 -c 1 -W 5

start_forwarder "$A" 10.50.0.1 10.50.0.2 "$TEST_TMP/fwd-a.out"
fwd_a=$LAST_PID
start_forwarder "$B" 10.50.0.2 10.50.0.1 "$TEST_TMP/fwd-b.out"
check "forwarder in A attached tun0" wait_until 60 grep -q '^ready$' "$TEST_TMP/fwd-a.out" ||
	{ cat "$TEST_TMP/fwd-a.out"; exit_status; }
check "forwarder in B attached tun0" wait_until 60 grep -q '^ready$' "$TEST_TMP/fwd-b.out" ||
	{ cat "$TEST_TMP/fwd-b.out"; exit_status; }
check_eq "tun0 in A is a vnl tun (kind vnl, type none)" "vnl none" \
	"$(ip -n "$A" -d -j link show dev tun0 | jq -r '.[0] | "\(.linkinfo.info_kind) \(.link_type)"')"

ip -n "$A" addr add 10.51.0.1 peer 10.51.0.2 dev tun0
ip -n "$B" addr add 10.51.0.2 peer 10.51.0.1 dev tun0
ip -n "$A" link set tun0 up
ip -n "$B" link set tun0 up

start_capture "$A" tun0 icmp "$TEST_TMP/overlay.txt"
cap_overlay=$LAST_PID
# The underlay capture takes ICMP as well as the tunnel's UDP, so that an
# echo crossing va bare, outside the tunnel, would be seen and counted.
start_capture "$A" va "udp port $PORT or icmp" "$TEST_TMP/underlay.txt"
cap_underlay=$LAST_PID
check "capture on tun0 (A, overlay) listening" \
	wait_until 30 grep -q "listening on" "$TEST_TMP/overlay.txt.err"
check "capture on va (A, underlay) listening" \
	wait_until 30 grep -q "listening on" "$TEST_TMP/underlay.txt.err"

read -r tx0 rx0 <<<"$(vnlctl -n "$A" -j stats tun0 |
	jq -r '.stats | "\(.tx_packets) \(.rx_packets)"')"
check "ping across the overlay 10.51.0.1 -> 10.51.0.2 ($COUNT echoes)" \
	vping "$A" 10.51.0.2 -c "$COUNT" -i 0.3
check "ping across the overlay 10.51.0.2 -> 10.51.0.1" \
	vping "$B" 10.51.0.1 -c 1

kill -INT "$cap_overlay" "$cap_underlay"
wait "$cap_overlay" "$cap_underlay" 2>/dev/null

n=$(grep -c "IP 10.51.0.1 > 10.51.0.2: ICMP echo request" "$TEST_TMP/overlay.txt")
check_ge "overlay capture: the echo requests A -> B, as ICMP" "$COUNT" "$n"
n=$(grep -c "IP 10.51.0.2 > 10.51.0.1: ICMP echo reply" "$TEST_TMP/overlay.txt")
check_ge "overlay capture: the echo replies B -> A, as ICMP" "$COUNT" "$n"
n=$(grep -c "IP 10.50.0.1.$PORT > 10.50.0.2.$PORT: UDP" "$TEST_TMP/underlay.txt")
check_ge "underlay capture: UDP A:$PORT -> B:$PORT for each request" "$COUNT" "$n"
n=$(grep -c "IP 10.50.0.2.$PORT > 10.50.0.1.$PORT: UDP" "$TEST_TMP/underlay.txt")
check_ge "underlay capture: UDP B:$PORT -> A:$PORT for each reply" "$COUNT" "$n"
n=$(grep -c ": ICMP " "$TEST_TMP/underlay.txt")
check_eq "underlay capture (udp port $PORT or icmp): no bare ICMP, only UDP" 0 "$n"

read -r tx1 rx1 <<<"$(vnlctl -n "$A" -j stats tun0 |
	jq -r '.stats | "\(.tx_packets) \(.rx_packets)"')"
check_ge "tun0 in A: tx_packets (read by the forwarder) moved by >= $COUNT" "$COUNT" $((tx1 - tx0))
check_ge "tun0 in A: rx_packets (written by the forwarder) moved by >= $COUNT" "$COUNT" $((rx1 - rx0))

# The forwarder's file is tun0's only one: it goes when the forwarder does.
kill "$fwd_a"
wait "$fwd_a" 2>/dev/null
check "tun0 in A is gone once its forwarder exited" wait_until 20 link_absent -n "$A" tun0
check "tun0 in B is still there" link_exists -n "$B" tun0

exit_status
