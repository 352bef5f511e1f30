#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: answering ARP from userspace on a tap device.  The tap/tun article's
# second experiment, on vnl: a persistent tap made by `vnlctl add tap`,
# 10.203.0.1/24 on it, and a python3 responder attached through /dev/vnl
# (IFF_TAP | IFF_NO_PI: whole Ethernet frames) that plays 10.203.0.2, a
# host that does not exist: it answers the ARP request for 10.203.0.2 with
# a made-up MAC, then the ICMP echo requests.  ping succeeds, and the
# neighbour table holds the made-up MAC.
#
#   ns A: tap0 10.203.0.1/24 <-- ping 10.203.0.2 (in the background)
#           \-- /dev/vnl: responder.py, 10.203.0.2 at 02:00:5e:10:20:30

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3
require_ping

LOCAL=10.203.0.1
FAKE_IP=10.203.0.2
FAKE_MAC=02:00:5e:10:20:30
COUNT=3

cat >"$TEST_TMP/responder.py" <<'EOF_PY'
# responder.py NAME IP MAC: attached to the tap NAME, answers ARP requests
# for IP with MAC and ICMP echo requests to IP; one line per answer.
import fcntl, os, socket, struct, sys

TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

name, ip, mac = sys.argv[1], socket.inet_aton(sys.argv[2]), bytes.fromhex(sys.argv[3].replace(":", ""))
fd = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI))
print("ready", flush=True)
while True:
    f = os.read(fd, 65535)
    if len(f) < 14:
        continue
    dmac, smac, etype = f[0:6], f[6:12], struct.unpack("!H", f[12:14])[0]
    if etype == 0x0806 and len(f) >= 42:
        htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", f[14:22])
        sha, spa, tpa = f[22:28], f[28:32], f[38:42]
        if (htype, ptype, hlen, plen, op) != (1, 0x0800, 6, 4, 1) or tpa != ip:
            continue
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac + ip + sha + spa
        os.write(fd, smac + mac + struct.pack("!H", 0x0806) + arp)
        print("arp reply: %s is-at %s (to %s)" % (socket.inet_ntoa(ip), sys.argv[3],
              socket.inet_ntoa(spa)), flush=True)
    elif etype == 0x0800 and len(f) >= 14 + 28:
        pkt = f[14:]
        ihl = (pkt[0] & 0xf) * 4
        tot = struct.unpack("!H", pkt[2:4])[0]
        if pkt[9] != 1 or pkt[16:20] != ip or pkt[ihl] != 8 or dmac != mac:
            continue
        icmp = bytearray(pkt[ihl:tot])
        icmp[0], icmp[2:4] = 0, b"\0\0"
        icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
        hdr = bytearray(pkt[:ihl])
        hdr[8], hdr[10:12] = 64, b"\0\0"
        hdr[12:16], hdr[16:20] = pkt[16:20], pkt[12:16]
        hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
        os.write(fd, smac + mac + struct.pack("!H", 0x0800) + bytes(hdr) + bytes(icmp))
        print("echo reply: %s -> %s seq %d" % (socket.inet_ntoa(ip), socket.inet_ntoa(pkt[12:16]),
              struct.unpack("!H", icmp[6:8])[0]), flush=True)
EOF_PY

setup_ns A
no_ipv6 "$A"

check "vnlctl add tap tap0 (persistent)" vnlctl -n "$A" add tap tap0 || exit_status
ip -n "$A" addr add "$LOCAL/24" dev tap0
ip -n "$A" link set tap0 up

ip netns exec "$A" python3 "$TEST_TMP/responder.py" tap0 "$FAKE_IP" "$FAKE_MAC" \
	>"$TEST_TMP/responder.out" 2>&1 </dev/null &
responder=$!
track_bg "$responder"
check "responder attached to tap0" wait_until 60 grep -q '^ready$' "$TEST_TMP/responder.out" ||
	{ cat "$TEST_TMP/responder.out"; exit_status; }
check "tap0 has carrier with the responder attached, its qdisc active" wait_until 20 oper_up "$A" tap0

# The ping in the background, as in the article; its verdict once it ends.
ip netns exec "$A" "${PING[@]}" -c "$COUNT" -i 0.3 -W 5 "$FAKE_IP" \
	>"$TEST_TMP/ping.out" 2>&1 </dev/null &
pinger=$!
wait "$pinger"
rc=$?
check_eq "ping $FAKE_IP ($COUNT echoes) answered from userspace (exit 0)" 0 "$rc" ||
	printf '    %s\n' "$(cat "$TEST_TMP/ping.out" "$TEST_TMP/responder.out")"

out=$(cat "$TEST_TMP/responder.out")
check_match "the responder answered the ARP request for $FAKE_IP" \
	"arp reply: ${FAKE_IP//./\\.} is-at $FAKE_MAC \\(to ${LOCAL//./\\.}\\)" "$out"
n=$(grep -c "^echo reply: ${FAKE_IP//./\\.} -> ${LOCAL//./\\.} " <<<"$out")
check_ge "the responder answered the $COUNT echo requests" "$COUNT" "$n"
neigh=$(ip -n "$A" neigh show "$FAKE_IP" dev tap0)
check_match "ip neigh: $FAKE_IP lladdr $FAKE_MAC" "^${FAKE_IP//./\\.} lladdr $FAKE_MAC " "$neigh"

kill "$responder"
wait "$responder" 2>/dev/null
check "tap0 outlives its responder (persistent)" link_exists -n "$A" tap0
check "vnlctl del tap0" vnlctl -n "$A" del tap0
check "tap0 is gone" wait_until 20 link_absent -n "$A" tap0

exit_status
