#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: read a ping from a tun device.  The tap/tun article's first
# experiment, on vnl: a persistent tun made by `vnlctl add tun`, an address
# with a peer, a ping to the peer in the background, and a few lines of
# python3 that attach to the device through /dev/vnl and print the ICMP
# echo request the ping sent, as an IP packet (IFF_TUN | IFF_NO_PI: no
# Ethernet header, no packet information).
#
#   ns A: tun0 10.202.0.1 peer 10.202.0.2 <-- ping 10.202.0.2
#           \-- /dev/vnl: reader.py prints what it reads

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3
require_ping

LOCAL=10.202.0.1
PEER=10.202.0.2

cat >"$TEST_TMP/reader.py" <<'EOF_PY'
# reader.py NAME: attaches to the tun NAME, prints the first ICMP echo
# request read, exits 0; exits 1 after 30 s without one.
import fcntl, os, select, socket, struct, sys, time

TUNSETIFF = 0x400454ca
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

fd = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", sys.argv[1].encode(), IFF_TUN | IFF_NO_PI))
print("ready", flush=True)
end = time.monotonic() + 30
while time.monotonic() < end:
    if not select.select([fd], [], [], 1)[0]:
        continue
    pkt = os.read(fd, 65535)
    if len(pkt) < 28 or pkt[0] >> 4 != 4:
        print("skipped: %d bytes, not IPv4" % len(pkt), flush=True)
        continue
    ihl = (pkt[0] & 0xf) * 4
    proto, src, dst = pkt[9], socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    if proto != 1:
        print("skipped: protocol %d" % proto, flush=True)
        continue
    icmp = pkt[ihl:]
    ident, seq = struct.unpack("!HH", icmp[4:8])
    print("read %d bytes: protocol %d src %s dst %s icmp type %d code %d id %d seq %d "
          "ip-csum %s icmp-csum %s" % (len(pkt), proto, src, dst, icmp[0], icmp[1], ident, seq,
          "ok" if csum(pkt[:ihl]) == 0 else "bad", "ok" if csum(icmp) == 0 else "bad"),
          flush=True)
    if icmp[0] == 8:
        sys.exit(0)
sys.exit(1)
EOF_PY

setup_ns A
no_ipv6 "$A"

check "vnlctl add tun tun0 (persistent)" vnlctl -n "$A" add tun tun0 || exit_status
ip -n "$A" addr add "$LOCAL" peer "$PEER" dev tun0
ip -n "$A" link set tun0 up

# The ping first, in the background, as in the article: until the reader
# attaches, tun0 has no carrier and the requests go nowhere.
ip netns exec "$A" "${PING[@]}" -i 0.2 -c 150 -W 1 "$PEER" >/dev/null 2>&1 </dev/null &
track_bg $!

out=$(ip netns exec "$A" python3 "$TEST_TMP/reader.py" tun0 2>&1 </dev/null)
rc=$?
check_eq "reader attached to tun0 and read an echo request (exit 0)" 0 "$rc" ||
	printf '    %s\n' "${out//$'\n'/$'\n    '}"
line=$(grep '^read .* icmp type 8 ' <<<"$out" | tail -n 1)
[[ -n $line ]] && printf '    %s\n' "$line"
check_match "the packet read is IPv4 protocol 1 (ICMP)" " protocol 1 " "$line"
check_match "ICMP type 8 code 0 (echo request)" " icmp type 8 code 0 " "$line"
check_match "from $LOCAL (tun0's address) to $PEER (the peer pinged)" \
	" src ${LOCAL//./\\.} dst ${PEER//./\\.} " "$line"
check_match "the IP and ICMP checksums are valid" "ip-csum ok icmp-csum ok$" "$line"

check "tun0 outlives its reader (persistent)" link_exists -n "$A" tun0
check "vnlctl del tun0" vnlctl -n "$A" del tun0
check "tun0 is gone" wait_until 20 link_absent -n "$A" tun0

exit_status
