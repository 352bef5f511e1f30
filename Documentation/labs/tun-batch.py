#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# tun-batch.py NAME ADDR PEER K single|batch: moves K small UDP packets
# through the tun NAME both ways, one packet per system call (single) or
# in batches (batch), and says how many calls that took
# (Documentation/labs/batches.md).  NAME has the address ADDR with PEER
# as its far end (`ip addr add ADDR peer PEER dev NAME`).
#
# It attaches to NAME through /dev/vnl (TUNSETIFF, IFF_TUN | IFF_NO_PI:
# bare IP packets) and holds a UDP socket on ADDR, port 9999.  Then:
#   write: K packets of 64 bytes, UDP from PEER to ADDR:9999, as if the far
#          end sent them; the stack delivers them to the socket.
#   read:  K datagrams sent by the socket to PEER:9999; the stack routes
#          them out of NAME, and the program reads them off /dev/vnl.
# single: one packet per write() and per read(), as on the kernel's tun.
# batch: the file is put in batch mode first (VNL_IOC_SET_BATCH), and a
# write() or read() carries up to 64 packets, each as a record: an 8-byte
# header (its length, then 4 bytes of 0), the packet, padding to 8 bytes
# (include/uapi/linux/vnl.h, "/dev/vnl: batches").
# For each direction it prints the packets, the calls on /dev/vnl and the
# time per packet; `strace -c -P /dev/vnl` counts the same calls.
import fcntl, os, signal, socket, struct, sys, time

TUNSETIFF = 0x400454ca
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
# include/uapi/linux/vnl.h: _IOW(VNL_IOC_TYPE 0xd7, 2, __u32)
VNL_IOC_SET_BATCH = 0x4004d702
VNL_BATCH_READ, VNL_BATCH_WRITE = 0x1, 0x2
VNL_BATCH_MAX = 64      # packets per call
PORT, SIZE = 9999, 64   # the packets: UDP datagrams of 64 bytes of IP


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_packet(src, dst, n):
    """A 64-byte IPv4 packet: UDP from src to dst:PORT, packet n of the run."""
    payload = struct.pack("!I", n).ljust(SIZE - 28, b"\0")
    udp = struct.pack("!HHHH", 40000, PORT, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, SIZE, n & 0xffff, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp         # UDP checksum 0: none, as IPv4 allows


def record(pkt):
    """A batch record: length, reserved 0, the packet, padding to 8."""
    return struct.pack("=II", len(pkt), 0) + pkt + bytes(-len(pkt) % 8)


def records(buf):
    """The packets of a batch read(): the last record has no padding."""
    off = 0
    while off < len(buf):
        length, _ = struct.unpack_from("=II", buf, off)
        yield buf[off + 8:off + 8 + length]
        off += 8 + length + (-length % 8)


def write_all(fd, pkts, batch):
    """The packets in one write() each, or in batches of up to 64: the
    number of calls and the seconds they took (the buffers are built
    before the clock starts)."""
    step = VNL_BATCH_MAX if batch else 1
    bufs = [b"".join(record(p) for p in pkts[i:i + step]) if batch else pkts[i]
            for i in range(0, len(pkts), step)]
    t = time.monotonic()
    for buf in bufs:
        os.write(fd, buf)
    return len(bufs), time.monotonic() - t


def count_records(buf):
    n = off = 0
    while off < len(buf):
        off += 8 + (int.from_bytes(buf[off:off + 4], sys.byteorder) + 7 & ~7)
        n += 1
    return n


def read_all(fd, k, batch):
    """Reads until k packets came: the buffers read and the seconds the
    read() calls took (the packets are looked at after the clock
    stopped)."""
    bufs, got = [], 0
    t = time.monotonic()
    while got < k:
        buf = os.read(fd, 65536)
        bufs.append(buf)
        got += count_records(buf) if batch else 1
    return bufs, time.monotonic() - t


def report(what, k, calls, secs):
    print("%s: %d packets in %d %s() calls on /dev/vnl, %.1f us a packet"
          % (what, k, calls, what, secs / max(k, 1) * 1e6), flush=True)


name, addr, peer, k, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
if mode not in ("single", "batch") or not 0 < k <= 500:
    sys.exit("usage: tun-batch.py NAME ADDR PEER K single|batch (K: 1 to 500, what the queue holds)")
batch = mode == "batch"
signal.alarm(60)        # a packet lost would leave read() waiting for good
fd = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
if batch:
    fcntl.ioctl(fd, VNL_IOC_SET_BATCH, struct.pack("I", VNL_BATCH_READ | VNL_BATCH_WRITE))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
sock.bind((addr, PORT))
print("attached to %s, %s" % (name, "in batch mode" if batch else "one packet per call"),
      flush=True)

pkts = [udp_packet(socket.inet_aton(peer), socket.inet_aton(addr), n) for n in range(k)]
calls, secs = write_all(fd, pkts, batch)
report("write", k, calls, secs)
sock.settimeout(5)
got = 0
try:
    while got < k:
        sock.recv(2048)
        got += 1
except socket.timeout:
    pass
print("the socket on %s:%d received %d datagrams" % (addr, PORT, got), flush=True)

for n in range(k):
    sock.sendto(struct.pack("!I", n), (peer, PORT))
bufs, secs = read_all(fd, k, batch)
ours = [p for buf in bufs for p in (records(buf) if batch else [buf])
        if len(p) >= 20 and p[9] == socket.IPPROTO_UDP and p[16:20] == socket.inet_aton(peer)]
report("read", len(ours), len(bufs), secs)
os.close(fd)
