#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uml-utilities' tunctl on a macvlan child's tap face (Documentation/
# macvtap.md): the classic way to hand a tap to an unprivileged user
# works on a face unchanged, except where a face differs from a tap.
#
#   tunctl -f /dev/vnl -t mt0 -u nobody   attaches to the face (TUNSETIFF),
#                                         TUNSETOWNER 65534, TUNSETPERSIST 1
#   tunctl -f /dev/vnl -d mt0             TUNSETPERSIST 0: EINVAL, tunctl
#                                         fails and the child stays
#
# TUNSETPERSIST 1 changes nothing on a face (it lives as long as the
# child), so what must stick when tunctl exits is the owner: vnlctl shows
# it (VNL_A_TUN_OWNER), and it decides who may attach without privilege.
# A multi-queue face refuses tunctl (it attaches without IFF_MULTI_QUEUE),
# and a plain child is no tap at all.
#
#   ns A: eth0 (veth, the wire's end) -+- mt0  tap face, one queue
#                                      +- mq0  tap face, multi-queue
#                                      +- pl0  a plain child

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd tunctl setpriv python3

setup_ns A B
no_ipv6 "$A" "$B"

# attach NAME [SETPRIV ARGS...]: TUNSETIFF(NAME, IFF_TAP | IFF_NO_PI) as
# the user setpriv makes us; prints the name TUNGETIFF reports, or the
# errno's name.
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

# tunctl_in_a ARGS...: tunctl on /dev/vnl in A; its output in $out, its
# exit status in $rc.
tunctl_in_a() {
	out=$(ip netns exec "$A" tunctl -f /dev/vnl "$@" 2>&1)
	rc=$?
}

ip -n "$A" link add eth0 type veth peer name eth1 netns "$B" ||
	{ echo "FAIL: cannot make the wire"; exit 1; }
ip -n "$A" link set eth0 up
ip -n "$B" link set eth1 up
check "vnlctl add macvlan mt0 parent eth0 mode bridge tap" \
	vnlctl -n "$A" add macvlan mt0 parent eth0 mode bridge tap || exit_status
ip -n "$A" link set mt0 up

# --- tunctl -u: attached, owned, "persistent" ---------------------------------------------

tunctl_in_a -t mt0 -u nobody
check_eq "tunctl -f /dev/vnl -t mt0 -u nobody exits 0" 0 "$rc"
check_match "... and says the face is persistent and nobody's" \
	"Set 'mt0' persistent and owned by uid 65534" "$out"
check "mt0 is there after tunctl exited" link_exists -n "$A" mt0
check_eq "mt0 is still a macvlan child (vnlctl -j: kind)" macvlan "$(vnl_field "$A" mt0 kind)"
check_eq "vnlctl -j show mt0: tun.owner 65534, what TUNSETOWNER set" 65534 \
	"$(vnl_field "$A" mt0 tun owner)"
check_eq "vnlctl -j show mt0: tun.persist false (TUNSETPERSIST 1 changed nothing)" false \
	"$(vnl_field "$A" mt0 tun persist)"
check_match "vnlctl show mt0: the face's line names the owner, no queue" \
	$'\n    tap queues 0 owner 65534( \\(nobody\\))?$' "$(vnlctl -n "$A" show mt0)"
check "mt0: tunctl's file closed, no carrier" has_flag "$A" mt0 NO-CARRIER

# What the owner means: who may attach without CAP_NET_ADMIN.
check_eq "the owner (uid 65534) attaches without privilege" mt0 \
	"$(attach mt0 "${as_nobody[@]}")"
check_eq "another user (uid 12345) cannot: EPERM" EPERM \
	"$(attach mt0 "${as_other[@]}")"

# --- tunctl -d: a face cannot stop persisting ---------------------------------------------

tunctl_in_a -d mt0
check_eq "tunctl -f /dev/vnl -d mt0 fails (exit 1)" 1 "$rc"
check_match "... on TUNSETPERSIST 0: Invalid argument" "TUNSETPERSIST: Invalid argument" "$out"
check "mt0 is still there" link_exists -n "$A" mt0
check_eq "... still owned by 65534" 65534 "$(vnl_field "$A" mt0 tun owner)"

# --- -g on a second face, and what tunctl cannot attach to ---------------------------------

tunctl_in_a -t mt0 -g 4242
check_eq "tunctl -t mt0 -g 4242 (root, past the owner) exits 0" 0 "$rc"
check_eq "vnlctl -j show mt0: tun.group 4242, the owner kept" "4242 65534" \
	"$(vnl_field "$A" mt0 tun group) $(vnl_field "$A" mt0 tun owner)"

check "vnlctl add macvlan mq0 parent eth0 tap multi-queue" \
	vnlctl -n "$A" add macvlan mq0 parent eth0 mode bridge tap multi-queue
tunctl_in_a -t mq0 -u nobody
check_eq "tunctl -t mq0 on a multi-queue face fails (no IFF_MULTI_QUEUE asked)" 1 "$rc"
check_match "... TUNSETIFF: Invalid argument" "TUNSETIFF: Invalid argument" "$out"
check_eq "... and mq0 has no owner" null "$(vnl_field "$A" mq0 tun owner)"

vnlctl -n "$A" add macvlan pl0 parent eth0 mode bridge
tunctl_in_a -t pl0 -u nobody
check_eq "tunctl -t pl0 on a plain child fails" 1 "$rc"
check_match "... TUNSETIFF: Invalid argument" "TUNSETIFF: Invalid argument" "$out"

# The face goes only as a child does.
check "vnlctl del mt0 deletes the face" vnlctl -n "$A" del mt0
check "mt0 is gone" link_absent -n "$A" mt0

exit_status
