#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# macvtap_vm.py: the virtual machines behind macvlan children's tap faces,
# as one program that selftests/macvtap.sh drives a line at a time.  A
# python start costs seconds in a debug-kernel guest, so one process does
# every step of the test that needs a /dev/vnl file.
#
# Each command read on stdin gets one line on stdout: "ok [VALUES]", or
# "err ENAME" with the errno's name (EINVAL, EPERM...).  Between commands,
# and while a command waits, it reads every file it watches and plays the
# machine its file serves: it answers an ARP request for the machine's IP
# with the machine's MAC, and an echo request to that IP, on the file the
# request came by, as a guest's virtio-net would.  Frames are whole
# Ethernet frames: a watched file attaches with no_pi.
#
# Commands; N is a file, numbered from 0 in the order opened:
#   attach NAME FLAGS     open /dev/vnl, TUNSETIFF NAME with FLAGS (tap,
#                         tun, no_pi, multi_queue, napi, vnet_hdr, joined
#                         by commas); watched from then on.  -> ok N
#   serve N IP MAC        the machine behind file N is IP at MAC
#   unwatch N             N is no longer read here (blockread reads it)
#   ioctl N OP VALUE      OP persist, owner or group (the value as the
#                         ioctl's argument), or carrier (a pointer to it)
#   close N
#   as UID GID NAME FLAGS a process of UID and GID, with no supplementary
#                         group and no capability, opens /dev/vnl and
#                         attaches to NAME; closes at once.  -> ok or err
#   ping N MAC IP COUNT   COUNT echo requests written on N from N's
#                         machine to IP at MAC.  -> ok REPLIES: the echo
#                         replies read on any file, waiting up to 2 s
#   write N LEN           a frame of LEN bytes written on N
#   counts N              what file N read and wrote: -> ok read R
#                         written W arp A echo E reply P udp U (ARP requests
#                         for its IP, echo requests, replies and UDP to it)
#   blockread N           a child process that reads N, once it sleeps in
#                         read()
#   reaped SECONDS        how that child's read() ended: -> ok ENAME
#                         (or ok 0: it read a frame), err ETIME if it is
#                         still asleep after SECONDS
#   netns NAME            the next files are opened in netns NAME (/dev/vnl
#                         looks names up in its opener's), "-" for ours
import ctypes
import errno
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454ca
TUNSETPERSIST = 0x400454cb
TUNSETOWNER = 0x400454cc
TUNSETGROUP = 0x400454ce
TUNSETCARRIER = 0x400454e2
IFF = {"tun": 0x0001, "tap": 0x0002, "napi": 0x0010, "multi_queue": 0x0100,
       "no_pi": 0x1000, "vnet_hdr": 0x4000}
CLONE_NEWNET = 0x40000000
SYS_READ = 0                            # x86_64, the guests' architecture
PING_ID = 0x4d54
ETH_P_ARP, ETH_P_IP = 0x0806, 0x0800


class File:
    def __init__(self, fd):
        self.fd = fd
        self.watched = True
        self.ip = self.mac = None
        self.count = dict(read=0, written=0, arp=0, echo=0, reply=0, udp=0)


files = []
libc = ctypes.CDLL(None, use_errno=True)
home_netns = os.open("/proc/self/ns/net", os.O_RDONLY)
reader = None                           # the pid blockread started


class Refused(Exception):
    pass


def ename(e):
    return errno.errorcode.get(e, str(e))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac_bytes(s):
    return bytes.fromhex(s.replace(":", ""))


def ipv4(src, dst, proto, payload):
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload),
                                0, 0, 64, proto, 0, src, dst))
    hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
    return bytes(hdr) + payload


def icmp(kind, ident, seq, data):
    msg = bytearray(struct.pack("!BBHHH", kind, 0, 0, ident, seq) + data)
    msg[2:4] = struct.pack("!H", csum(bytes(msg)))
    return bytes(msg)


def write(f, frame):
    os.write(f.fd, frame)
    f.count["written"] += 1


def answer(f, frame):
    """What the machine behind f does with a frame it read."""
    if len(frame) < 14 or f.ip is None:
        return
    dmac, smac = frame[0:6], frame[6:12]
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == ETH_P_ARP and len(frame) >= 42:
        op, sha, spa, tpa = (struct.unpack("!H", frame[20:22])[0], frame[22:28],
                             frame[28:32], frame[38:42])
        if op == 1 and tpa == f.ip:
            f.count["arp"] += 1
            arp = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 2) + f.mac + f.ip + sha + spa
            write(f, smac + f.mac + struct.pack("!H", ETH_P_ARP) + arp)
        return
    if etype != ETH_P_IP or len(frame) < 34 or frame[30:34] != f.ip or dmac != f.mac:
        return
    pkt = frame[14:]
    ihl = (pkt[0] & 0xf) * 4
    tot = struct.unpack("!H", pkt[2:4])[0]
    if pkt[9] == socket.IPPROTO_UDP:
        f.count["udp"] += 1
    elif pkt[9] == socket.IPPROTO_ICMP and pkt[ihl] == 8:
        f.count["echo"] += 1
        ident, seq = struct.unpack("!HH", pkt[ihl + 4:ihl + 8])
        reply = icmp(0, ident, seq, pkt[ihl + 8:tot])
        write(f, smac + f.mac + struct.pack("!H", ETH_P_IP) +
              ipv4(f.ip, pkt[12:16], socket.IPPROTO_ICMP, reply))
    elif pkt[9] == socket.IPPROTO_ICMP and pkt[ihl] == 0:
        if struct.unpack("!H", pkt[ihl + 4:ihl + 6])[0] == PING_ID:
            f.count["reply"] += 1


def pump(timeout, stdin=False):
    """Reads what the watched files have, for up to `timeout` seconds
    (0: what is there now); True as soon as stdin has a command, if asked.
    A file whose read() fails (its device went) is no longer watched."""
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if end is None else max(0.0, end - time.monotonic())
        fds = [f.fd for f in files if f and f.watched]
        ready, _, _ = select.select(fds + ([0] if stdin else []), [], [], left)
        if not ready:
            return False
        for fd in ready:
            if fd == 0:
                return True
            f = next(f for f in files if f and f.fd == fd)
            try:
                frame = os.read(fd, 65536)
            except OSError:
                f.watched = False
                continue
            f.count["read"] += 1
            answer(f, frame)


def attach(name, flags):
    bits = 0
    for flag in flags.split(","):
        bits |= IFF[flag]
    fd = os.open("/dev/vnl", os.O_RDWR)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), bits))
    except OSError:
        os.close(fd)
        raise
    return fd


def cmd_attach(name, flags):
    files.append(File(attach(name, flags)))
    return str(len(files) - 1)


def cmd_serve(n, ip, mac):
    files[int(n)].ip, files[int(n)].mac = socket.inet_aton(ip), mac_bytes(mac)


def cmd_unwatch(n):
    files[int(n)].watched = False


def cmd_ioctl(n, op, value):
    fd, value = files[int(n)].fd, int(value)
    if op == "carrier":
        fcntl.ioctl(fd, TUNSETCARRIER, struct.pack("i", value))
    else:
        fcntl.ioctl(fd, {"persist": TUNSETPERSIST, "owner": TUNSETOWNER,
                         "group": TUNSETGROUP}[op], value)


def cmd_close(n):
    os.close(files[int(n)].fd)
    files[int(n)] = None


def cmd_as(uid, gid, name, flags):
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(int(gid), int(gid), int(gid))
            os.setresuid(int(uid), int(uid), int(uid))
            os.close(attach(name, flags))
            os._exit(0)
        except OSError as e:
            os._exit(e.errno)
    status = os.waitpid(pid, 0)[1]
    if os.waitstatus_to_exitcode(status):
        raise Refused(ename(os.waitstatus_to_exitcode(status)))


def cmd_ping(n, mac, ip, count):
    f = files[int(n)]
    before = sum(g.count["reply"] for g in files if g)
    for seq in range(int(count)):
        req = icmp(8, PING_ID, seq, b"macvtap" * 8)
        write(f, mac_bytes(mac) + f.mac + struct.pack("!H", ETH_P_IP) +
              ipv4(f.ip, socket.inet_aton(ip), socket.IPPROTO_ICMP, req))
    end = time.monotonic() + 2
    while time.monotonic() < end:
        if sum(g.count["reply"] for g in files if g) - before >= int(count):
            break
        pump(0.05)
    return str(sum(g.count["reply"] for g in files if g) - before)


def cmd_write(n, length):
    write(files[int(n)], b"\x02" * int(length))


def cmd_counts(n):
    pump(0)
    return " ".join("%s %d" % kv for kv in files[int(n)].count.items())


def sleeping_in_read(pid):
    try:
        with open("/proc/%d/syscall" % pid) as sc, open("/proc/%d/stat" % pid) as st:
            return sc.read().split()[0] == str(SYS_READ) and \
                st.read().rsplit(")", 1)[1].split()[0] == "S"
    except (OSError, IndexError):
        return False


def cmd_blockread(n):
    global reader
    fd = files[int(n)].fd
    reader = os.fork()
    if reader == 0:
        try:
            os.read(fd, 65536)
            os._exit(0)
        except OSError as e:
            os._exit(e.errno)
    end = time.monotonic() + 30
    while not sleeping_in_read(reader):
        if time.monotonic() > end:
            raise Refused("ETIME the reader never slept in read()")
        time.sleep(0.02)


def cmd_reaped(seconds):
    end = time.monotonic() + float(seconds)
    while True:
        pid, status = os.waitpid(reader, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            return ename(code) if code > 0 else str(code)
        if time.monotonic() > end:
            raise Refused("ETIME")
        pump(0.05)


def cmd_netns(name):
    fd = home_netns if name == "-" else os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns")
    if fd != home_netns:
        os.close(fd)


COMMANDS = {"attach": cmd_attach, "serve": cmd_serve, "unwatch": cmd_unwatch,
            "ioctl": cmd_ioctl, "close": cmd_close, "as": cmd_as,
            "ping": cmd_ping, "write": cmd_write, "counts": cmd_counts,
            "blockread": cmd_blockread, "reaped": cmd_reaped, "netns": cmd_netns}


def run(line):
    words = line.split()
    if not words:
        return None
    try:
        value = COMMANDS[words[0]](*words[1:])
    except OSError as e:
        return "err " + ename(e.errno)
    except Refused as e:
        return "err " + str(e)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        return "err usage: %s: %r" % (line, e)
    return "ok" + (" " + value if value else "")


def main():
    pending = b""
    print("ready", flush=True)
    while True:
        pump(None, stdin=True)
        data = os.read(0, 4096)
        if not data:
            return
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            reply = run(line.decode())
            if reply is not None:
                print(reply, flush=True)


if __name__ == "__main__":
    sys.exit(main())
