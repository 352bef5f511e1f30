#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# tap-hold.py NAME: attaches to the tap NAME through /dev/vnl and then
# misbehaves on purpose (Documentation/labs/follow-a-ping.md, step 4).
# First one write() of 10 bytes, shorter than an Ethernet header: refused
# with EINVAL.  Then it holds the tap without ever reading, so that what
# the stack sends piles up in the queue, until Enter (or end of input)
# closes the file and drops what is still queued.
import errno, fcntl, os, struct, sys

TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000

fd = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", sys.argv[1].encode(), IFF_TAP | IFF_NO_PI))
print("attached to %s" % sys.argv[1], flush=True)
try:
    os.write(fd, bytes(10))
    print("write() of 10 bytes: accepted?", flush=True)
except OSError as e:
    print("write() of 10 bytes: %s" % errno.errorcode[e.errno], flush=True)
print("holding %s, never reading; Enter closes it" % sys.argv[1], flush=True)
sys.stdin.readline()
os.close(fd)
print("closed", flush=True)
