#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a macvlan parent does with multicast before its children see it
# (kmod/port.c:vnl_port_handle_frame), as kernel macvlan does:
#
# 1. A multicast frame no child wants is not queued for the flood work:
#    groups only the parent joined would otherwise fill the flood queue
#    and crowd out what the children want (port.c:vnl_port_mc_wanted).
#    The workqueue_queue_work trace event shows each time the flood work
#    (vnl_port_flood_work) is queued: never for 20 frames to a group only
#    the parent joined; at least once for 20 frames to a group a child
#    joined, which the child then receives, all 20.
# 2. A fragmented broadcast datagram is reassembled on the parent, before
#    the copies (ip_check_defrag): two children in one netns each get the
#    whole datagram.  Reassembled in that netns instead, the second copy
#    of each fragment would look like a duplicate of the first, and only
#    one child would get it.
#
#   O: vo --- veth --- vp (H, the parent): mc0 and mc1 in C, bridge mode

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3

T=/sys/kernel/tracing
EV=$T/events/workqueue/workqueue_queue_work
[[ -e $T/trace ]] || mount -t tracefs nodev "$T" 2>/dev/null
[[ -e $EV/enable ]] || skip_test "no workqueue trace events (tracefs, CONFIG_EVENT_TRACING)"

cleanup() { echo 0 >"$EV/enable"; }

setup_ns O H C
no_ipv6 "$O" "$H" "$C"
for ns in "$O" "$H" "$C"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
done
ip -n "$O" link add vo type veth peer name vp netns "$H" &&
	ip -n "$O" link set vo up && ip -n "$H" link set vp up &&
	vnlctl -n "$H" add macvlan mc0 parent vp mode bridge netns "$C" >/dev/null &&
	vnlctl -n "$H" add macvlan mc1 parent vp mode bridge netns "$C" >/dev/null &&
	ip -n "$C" link set mc0 up && ip -n "$C" link set mc1 up ||
	{ echo "FAIL: setup"; exit "$ksft_fail"; }

# send_frames DST_MAC N: N frames of a local experimental ethertype from
# vo to DST_MAC, 10 ms apart, so that each could queue the work anew.
send_frames() {
	ip netns exec "$O" python3 - "$1" "$2" <<'EOF'
import socket, sys, time
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vo", 0))
src = s.getsockname()[4]
for _ in range(int(sys.argv[2])):
    s.send(dst + src + b"\x88\xb5" + bytes(46))
    time.sleep(0.01)
EOF
}

# flood_works_queued DST_MAC: how often the flood work was queued while
# 20 frames went to DST_MAC.
flood_works_queued() {
	echo 0 >"$EV/enable"
	echo >"$T/trace"
	echo 1 >"$EV/enable"
	send_frames "$1" 20
	nap 0.5
	echo 0 >"$EV/enable"
	grep -c 'vnl_port_flood_work' "$T/trace"
}

# 1. The parent's group, then a child's.
ip -n "$H" maddr add 01:00:5e:09:09:09 dev vp
rx0=$(vnl_stat "$C" mc0 rx_packets)
check_eq "20 frames to a group only the parent joined: the flood work is never queued" \
	0 "$(flood_works_queued 01:00:5e:09:09:09)"
check_eq "... and no child receives them" "$rx0" "$(vnl_stat "$C" mc0 rx_packets)"

ip -n "$C" maddr add 01:00:5e:08:08:08 dev mc0
rx0=$(vnl_stat "$C" mc0 rx_packets)
check_ge "20 frames to a group mc0 joined: the flood work is queued" \
	1 "$(flood_works_queued 01:00:5e:08:08:08)"
rx_reached() { (($(vnl_stat "$C" mc0 rx_packets) >= $1)); }
check "... and mc0 receives all 20" wait_until 10 rx_reached $((rx0 + 20))

# 2. Three 3000-byte broadcast datagrams (three fragments each at MTU 1500)
# to two sockets in C, one bound to each child.
ip -n "$O" addr add 10.97.0.1/24 dev vo
ip -n "$C" addr add 10.97.0.11/24 dev mc0
ip -n "$C" addr add 10.97.0.12/24 dev mc1

ip netns exec "$C" python3 - "$TEST_TMP/ready" >"$TEST_TMP/got" <<'EOF' &
import select, socket, sys, time
socks = {}
for dev in ("mc0", "mc1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    s.bind(("0.0.0.0", 5555))
    socks[s] = dev
got = {"mc0": 0, "mc1": 0}
open(sys.argv[1], "w").close()
end = time.time() + 10
while time.time() < end and min(got.values()) < 3:
    r, _, _ = select.select(list(socks), [], [], 0.2)
    for s in r:
        if len(s.recv(65536)) == 3000:
            got[socks[s]] += 1
print(got["mc0"], got["mc1"])
EOF
rcv=$!
track_bg "$rcv"
wait_until 10 test -e "$TEST_TMP/ready" || echo "INFO: the receiver did not start"
ip netns exec "$O" python3 - <<'EOF'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for _ in range(3):
    s.sendto(bytes(3000), ("10.97.0.255", 5555))
    time.sleep(0.1)
EOF
wait "$rcv"
check_eq "a fragmented broadcast datagram reaches both children of one netns, whole (mc0 mc1)" \
	"3 3" "$(cat "$TEST_TMP/got")"

exit_status
