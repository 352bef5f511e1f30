#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# tap-responder.py NAME IP MAC: the machine at the other end of the tap
# NAME, as a program.  It attaches to NAME through /dev/vnl (the TUNSETIFF
# ioctl, IFF_TAP | IFF_NO_PI: whole Ethernet frames, no packet
# information), reads every frame the stack sends, answers ARP requests
# for IP with MAC and ICMP echo requests to IP, and ignores the rest.
# Ctrl-C stops it; the tap loses its carrier.  (Documentation/labs/
# follow-a-ping.md, step 2.)
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


name, ip = sys.argv[1], socket.inet_aton(sys.argv[2])
mac = bytes.fromhex(sys.argv[3].replace(":", ""))
fd = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI))
print("attached to %s, answering for %s as %s" % (name, sys.argv[2], sys.argv[3]), flush=True)
try:
    while True:
        f = os.read(fd, 65535)                  # one frame per read()
        if len(f) < 14:
            continue
        dmac, smac, etype = f[0:6], f[6:12], struct.unpack("!H", f[12:14])[0]
        if etype == 0x0806 and len(f) >= 42:    # ARP
            op, sha, spa, tpa = struct.unpack("!H", f[20:22])[0], f[22:28], f[28:32], f[38:42]
            if op != 1 or tpa != ip:
                continue
            arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac + ip + sha + spa
            os.write(fd, smac + mac + struct.pack("!H", 0x0806) + arp)
        elif etype == 0x0800 and len(f) >= 14 + 28:   # IPv4
            pkt = f[14:]
            ihl = (pkt[0] & 0xf) * 4
            tot = struct.unpack("!H", pkt[2:4])[0]
            if pkt[9] != 1 or pkt[16:20] != ip or pkt[ihl] != 8 or dmac != mac:
                continue                        # not an echo request for us
            icmp = bytearray(pkt[ihl:tot])
            icmp[0], icmp[2:4] = 0, b"\0\0"     # echo reply
            icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
            hdr = bytearray(pkt[:ihl])
            hdr[8], hdr[10:12] = 64, b"\0\0"    # TTL, checksum
            hdr[12:16], hdr[16:20] = pkt[16:20], pkt[12:16]
            hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
            os.write(fd, smac + mac + struct.pack("!H", 0x0800) + bytes(hdr) + bytes(icmp))
except KeyboardInterrupt:
    pass
