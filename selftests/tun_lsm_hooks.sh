#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /dev/vnl calls the LSM's tun hooks where /dev/net/tun does, so that a
# security module's policy for tun devices (SELinux's tun_socket class:
# create, relabelfrom/relabelto on open, attach_queue) applies to vnl's
# tun and tap devices too (kmod/tun.c: vnl_tun_create, vnl_tun_init,
# vnl_tun_attach_existing, vnl_tun_reattach, vnl_tun_uninit).
#
# The function tracer records each security_tun_dev_* call while one
# program does the same on each device file: create a multi-queue tap,
# attach a second queue, detach it and attach it again (TUNSETQUEUE),
# close both.  Kernel tun runs first: its sequence is the reference, and
# if it differs from the one below the test's own premise is wrong.
# security_tun_dev_attach labels a tun queue's socket; a /dev/vnl queue
# has none, so it is left out of the comparison.
#
# Needs a kernel with CONFIG_SECURITY (the debug kernel has none: its
# hooks are empty inlines, and the test says SKIP) and the function tracer.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3

T=/sys/kernel/tracing
[[ -e $T/available_tracers ]] || mount -t tracefs nodev "$T" 2>/dev/null
[[ -e $T/available_tracers ]] || skip_test "no tracefs"
grep -qw function "$T/available_tracers" || skip_test "no function tracer"
grep -q '^security_tun_dev_create\b' "$T/available_filter_functions" ||
	skip_test "no LSM tun hooks in this kernel (CONFIG_SECURITY is off)"

cleanup() {
	echo nop >"$T/current_tracer"
	echo >"$T/set_ftrace_filter"
	echo 1 >"$T/tracing_on"
}
trap cleanup EXIT

# One program, one device file: the sequence above on a tap named $2.
run_sequence() {
	python3 - "$1" "$2" <<'EOF'
import fcntl, os, struct, sys
TUNSETIFF, TUNSETQUEUE = 0x400454ca, 0x400454d9
IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE = 0x0002, 0x1000, 0x0100
IFF_ATTACH_QUEUE, IFF_DETACH_QUEUE = 0x0200, 0x0400
path, name = sys.argv[1], sys.argv[2].encode()

def ifreq(name, flags):
    return struct.pack("16sH22x", name, flags)

flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE
a = os.open(path, os.O_RDWR)
fcntl.ioctl(a, TUNSETIFF, ifreq(name, flags))
b = os.open(path, os.O_RDWR)
fcntl.ioctl(b, TUNSETIFF, ifreq(name, flags))
fcntl.ioctl(b, TUNSETQUEUE, ifreq(b"", IFF_DETACH_QUEUE))
fcntl.ioctl(b, TUNSETQUEUE, ifreq(b"", IFF_ATTACH_QUEUE))
os.close(b)
os.close(a)
EOF
}

# The hooks one run of the sequence called, in order, one per line.
hooks_of() {
	echo 0 >"$T/tracing_on"
	echo >"$T/trace"
	echo 'security_tun_dev_*' >"$T/set_ftrace_filter"
	echo function >"$T/current_tracer"
	echo 1 >"$T/tracing_on"
	run_sequence "$1" "$2" || { echo "the sequence failed on $1"; return; }
	echo 0 >"$T/tracing_on"
	grep -o 'security_tun_dev_[a-z_]*' "$T/trace" | grep -vx security_tun_dev_attach
}

want="security_tun_dev_create
security_tun_dev_alloc_security
security_tun_dev_open
security_tun_dev_attach_queue
security_tun_dev_free_security"

if [[ -e /dev/net/tun ]] || modprobe tun 2>/dev/null; then
	check_eq "kernel tun calls the hooks this test expects" "$want" \
		"$(hooks_of /dev/net/tun lsmtun0)"
else
	check_skip "kernel tun calls the hooks this test expects" "no /dev/net/tun"
fi
check_eq "/dev/vnl calls the same hooks, in the same order" "$want" \
	"$(hooks_of /dev/vnl lsmvnl0)"
check "the taps are gone with their files" link_absent lsmvnl0

exit_status
