#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uml-utilities' tunctl, pointed at /dev/vnl with -f: the classic way to
# prepare a tap for an unprivileged user.
#
#   tunctl -f /dev/vnl -t tap0 -u nobody   persistent tap0 owned by 65534
#   tunctl -f /dev/vnl -t tap1 -g 4242     persistent tap1 of group 4242
#   tunctl -f /dev/vnl -d tap0             not persistent any more: gone
#
# The devices outlive tunctl (it exits at once), are vnl devices, and let
# exactly their owner (or group members) attach without privilege; the
# attaching is done by a small python3 program that does TUNSETIFF and
# TUNGETIFF as the uid setpriv gives it.  What tools read of them is tun's:
# /sys/class/net/DEV/{tun_flags,owner,group} (the same as a kernel tun
# device that tunctl makes the same way, where the kernel has tun), and
# the "iff:" line of a /dev/vnl file's /proc/PID/fdinfo.  Last, ip tuntap
# add and del, with /dev/vnl bound over /dev/net/tun.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd tunctl setpriv python3 jq

GROUP=4242
setup_ns A

# attach NAME [SETPRIV ARGS...]: TUNSETIFF(NAME, IFF_TAP | IFF_NO_PI) as
# the user setpriv makes us; prints the device name TUNGETIFF reports, or
# the errno's name on failure.
cat >"$TEST_TMP/attach.py" <<'EOF'
import errno, fcntl, os, struct, sys

TUNSETIFF = 0x400454ca
TUNGETIFF = 0x800454d2
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000

fd = os.open("/dev/vnl", os.O_RDWR)
ifr = struct.pack("16sH22x", sys.argv[1].encode(), IFF_TAP | IFF_NO_PI)
try:
    fcntl.ioctl(fd, TUNSETIFF, ifr)
except OSError as e:
    print(errno.errorcode[e.errno])
    sys.exit(1)
got = fcntl.ioctl(fd, TUNGETIFF, bytes(40))
print(got[:16].rstrip(b"\0").decode())
EOF
# The unprivileged users must be able to read it.
chmod 0755 "$TEST_TMP"
chmod 0644 "$TEST_TMP/attach.py"
attach() {
	local name=$1
	shift
	ip netns exec "$A" setpriv "$@" python3 "$TEST_TMP/attach.py" "$name" 2>&1
}
as_nobody=(--reuid=65534 --regid=65534 --clear-groups)
as_other=(--reuid=12345 --regid=12345 --clear-groups)
as_nobody_in_group=(--reuid=65534 --regid=65534 --groups="$GROUP")

kind_of() {
	ip -n "$A" -d -j link show dev "$1" | jq -r '.[0].linkinfo.info_kind'
}

# --- an owner ----------------------------------------------------------------------

out=$(ip netns exec "$A" tunctl -f /dev/vnl -t tap0 -u nobody 2>&1)
check_match "tunctl -f /dev/vnl -t tap0 -u nobody" "Set 'tap0' persistent and owned by uid 65534" "$out"
check "tap0 is there after tunctl exited" link_exists -n "$A" tap0
check_eq "tap0 is a vnl device" vnl "$(kind_of tap0)"
check_eq "tap0 is an Ethernet device" ether \
	"$(ip -n "$A" -j link show dev tap0 | jq -r '.[0].link_type')"
ip -n "$A" link set tap0 up
check "tap0, up, has no carrier with no file attached" \
	has_flag "$A" tap0 NO-CARRIER
check_eq "the owner (uid 65534) attaches without privilege" tap0 \
	"$(attach tap0 "${as_nobody[@]}")"
check_eq "another user (uid 12345) cannot attach: EPERM" EPERM \
	"$(attach tap0 "${as_other[@]}")"
check "tap0 is still there after its owner's file closed" link_exists -n "$A" tap0

# --- what tools read: sysfs and fdinfo --------------------------------------------------

sysattr() {
	ip netns exec "$A" cat "/sys/class/net/$1/$2"
}
check_eq "tap0: sysfs tun_flags 0x1802 (IFF_TAP | IFF_NO_PI | IFF_PERSIST)" 0x1802 \
	"$(sysattr tap0 tun_flags)"
check_eq "tap0: sysfs owner 65534" 65534 "$(sysattr tap0 owner)"
check_eq "tap0: sysfs group -1 (none)" -1 "$(sysattr tap0 group)"
if [[ -e /dev/net/tun ]] || modprobe tun 2>/dev/null; then
	ip netns exec "$A" tunctl -t ktap0 -u nobody >/dev/null 2>&1
	for attr in tun_flags owner group; do
		check_eq "tap0: sysfs $attr as a kernel tap's that tunctl made the same way" \
			"$(sysattr ktap0 $attr)" "$(sysattr tap0 $attr)"
	done
	ip netns exec "$A" tunctl -d ktap0 >/dev/null 2>&1
else
	echo "INFO: tap0's sysfs not compared with a kernel tap's: this kernel has no tun"
fi

# fdinfo.py NAME: the "iff:" of a /dev/vnl file before TUNSETIFF ("-"
# for empty) and after it.
cat >"$TEST_TMP/fdinfo.py" <<'EOF'
import fcntl, os, struct, sys

def iff(fd):
    with open(f"/proc/self/fdinfo/{fd}") as f:
        for line in f:
            if line.startswith("iff:"):
                return line[4:].strip() or "-"
    return "none"

fd = os.open("/dev/vnl", os.O_RDWR)
before = iff(fd)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH22x", sys.argv[1].encode(), 0x0002 | 0x1000))
print(before, iff(fd))
EOF
check_eq "fdinfo of a /dev/vnl file: iff: empty, then tap0 once attached" "- tap0" \
	"$(ip netns exec "$A" python3 "$TEST_TMP/fdinfo.py" tap0 2>&1)"

# --- a group -----------------------------------------------------------------------

out=$(ip netns exec "$A" tunctl -f /dev/vnl -t tap1 -g "$GROUP" 2>&1)
check_match "tunctl -f /dev/vnl -t tap1 -g $GROUP" "Set 'tap1' persistent and owned by .*gid $GROUP" "$out"
check_eq "a member of group $GROUP attaches without privilege" tap1 \
	"$(attach tap1 "${as_nobody_in_group[@]}")"
check_eq "a non-member cannot attach: EPERM" EPERM \
	"$(attach tap1 "${as_nobody[@]}")"
check_eq "tap1: sysfs owner -1 (none)" -1 "$(sysattr tap1 owner)"
check_eq "tap1: sysfs group $GROUP" "$GROUP" "$(sysattr tap1 group)"

# --- deleting --------------------------------------------------------------------------

out=$(ip netns exec "$A" tunctl -f /dev/vnl -d tap0 2>&1)
check_match "tunctl -f /dev/vnl -d tap0" "Set 'tap0' nonpersistent" "$out"
check "tap0 is gone" link_absent -n "$A" tap0
check "tap1 is still there" link_exists -n "$A" tap1
out=$(ip netns exec "$A" tunctl -f /dev/vnl -d tap1 2>&1)
check_match "tunctl -f /dev/vnl -d tap1" "Set 'tap1' nonpersistent" "$out"
check "tap1 is gone" link_absent -n "$A" tap1

# --- ip tuntap, with /dev/vnl over /dev/net/tun ------------------------------------------

# in_vnl_mntns CMD...: CMD in A, in a mount namespace of its own where
# /dev/net/tun is /dev/vnl (on a tmpfs over /dev/net, so that this works
# whether or not the kernel has tun): ip tuntap opens that path by name.
in_vnl_mntns() {
	mkdir -p /dev/net
	ip netns exec "$A" unshare -m bash -c \
		'mount -t tmpfs none /dev/net && touch /dev/net/tun &&
		 mount --bind /dev/vnl /dev/net/tun && exec "$@"' _ "$@"
}
check "ip tuntap add dev vt0 mode tap user 65534 (on /dev/vnl)" \
	in_vnl_mntns ip tuntap add dev vt0 mode tap user 65534
check "vt0 is there after ip exited" link_exists -n "$A" vt0
check_eq "vt0 is a vnl device" vnl "$(kind_of vt0)"
check_eq "vt0: sysfs tun_flags 0x1802, owner 65534" "0x1802 65534" \
	"$(sysattr vt0 tun_flags) $(sysattr vt0 owner)"
check "ip tuntap del dev vt0 mode tap (on /dev/vnl)" \
	in_vnl_mntns ip tuntap del dev vt0 mode tap
check "vt0 is gone" link_absent -n "$A" vt0

# -b: the brief form prints the name the kernel chose.
out=$(ip netns exec "$A" tunctl -f /dev/vnl -b 2>&1)
check_eq "tunctl -b without -t gets tap0 from the kernel" tap0 "$out"
check "vnlctl del tap0 deletes the persistent tap" vnlctl -n "$A" del tap0
check "tap0 is gone" link_absent -n "$A" tap0

exit_status
