#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Native XDP on a tap and a tun device: the program runs on each frame the
# program behind the device writes, before the stack sees it.  Run on the
# kernel's own tun (/dev/net/tun, the reference) and on vnl's (/dev/vnl),
# with the same frames and the same assertions.  The writer and reader is
# xdp_tun_io (its file non-blocking: the kernel's tap runs a native
# program only on such writes); it writes ICMP echo requests from
# 10.79.0.2 to the device's 10.79.0.1 and reads what comes back.
#
#   ns T: xt0 (tap, then tun) 10.79.0.1/24  <- xdp_tun_io
#         x0 <-> x1 (ns P): the target of the redirect (veth beside the
#         kernel's tun, a vnl pair beside vnl's)
#
# For each, with the program on xt0, 3 echo requests each time (the
# kernel's tun device has no native XDP, only its tap: vnl's tun device
# is tested alone):
#
#   DROP      counted by the program, in rx_dropped (on a tap of the
#             kernel's: its generic path for tun counts no such drop), in
#             vnl's drop_xdp_drop and vnlctl stats
#   PASS      the stack answers each: the reader reads exactly the 3
#             replies, in order (none for the dropped requests before)
#   TX        the reader reads the 3 requests back, byte for byte
#   REDIRECT  bpf_redirect() to x0: x1 receives the 3 frames
#
# vnl's counters (xdp_pass, xdp_tx, xdp_redirect, drop_xdp_drop) are read
# too; the kernel's tun has none.

source "$(dirname "$0")/lib.sh"

require_vnl
require_xdp
require_cmd ethtool

IO_BIN=$VNL_SELFTESTS/xdp_tun_io
[[ -x $IO_BIN ]] || { echo "FAIL: $IO_BIN not built (make -C selftests)"; exit "$ksft_fail"; }

ethtool_key() {
	local re=$'(^|\n) *'"$2"': ([0-9]+)'
	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[2]}"
}

link_stat() {
	local out re="\"$3\":(\{[^{}]*\})"
	out=$(ip -n "$1" -s -j link show dev "$2") || return 1
	[[ $out =~ $re ]] && json_get "${BASH_REMATCH[1]}" "$4"
}

# io CMD: a command to xdp_tun_io; its answer's lines in IO_OUT, the last
# in IO_LAST.
io() {
	local line
	IO_OUT=()
	IO_LAST="no answer"
	echo "$1" >&"${IO[1]}"
	while read -r -t 60 line <&"${IO[0]}"; do
		IO_OUT+=("$line")
		case $line in
		wrote* | "write error"* | done* | unknown*)
			IO_LAST=$line
			return 0
			;;
		esac
	done
	return 1
}

# what_read N: reads N frames; their descriptions, one a line.
what_read() {
	io "read $1"
	printf '%s\n' "${IO_OUT[@]}"
}

declare -A SNAP
# snap: xt0's counters (ethtool -S on vnl) and rx_dropped, and x1's
# rx_packets.
snap() {
	[[ $IMPL == vnl ]] && SNAP[eth]=$(ip netns exec "$T" ethtool -S xt0)
	SNAP[dropped]=$(link_stat "$T" xt0 rx dropped)
	SNAP[x1]=$(link_stat "$P" x1 rx packets)
}

# vnl_moved KEY N: on vnl, xt0's ethtool -S KEY moved by N since snap.
vnl_moved() {
	local now
	[[ $IMPL == vnl ]] || return 0
	now=$(ip netns exec "$T" ethtool -S xt0)
	check_eq "$WHAT: ethtool -S $1 +$2" "$2" \
		"$(($(ethtool_key "$now" "$1") - $(ethtool_key "${SNAP[eth]}" "$1")))"
}

x1_got() {
	(($(link_stat "$P" x1 rx packets) - SNAP[x1] >= $1))
}

# load VERDICT: xdp_VERDICT on xt0 (not in a subshell: xdp_load keeps the
# map ids).
load() {
	if xdp_load "$T" xt0 "$1" 2>"$TEST_TMP/load.err"; then
		check_pass "$WHAT: xdp_$1 loaded in driver mode"
		return 0
	fi
	check_fail "$WHAT: xdp_$1 loaded in driver mode" "$(<"$TEST_TMP/load.err")"
	return 1
}

# one IMPL MODE: the four verdicts on a MODE (tap or tun) of IMPL (kernel
# or vnl).
one() {
	local node=/dev/net/tun line
	IMPL=$1 MODE=$2 WHAT="$1 $2"
	[[ $IMPL == vnl ]] && node=/dev/vnl
	echo "# $WHAT ($node)"
	setup_ns T P
	no_ipv6 "$T" "$P"
	if [[ $IMPL == vnl ]]; then
		vnlctl add pair x0 netns "$T" peer x1 peer-netns "$P" >/dev/null
	else
		ip link add x0 netns "$T" type veth peer name x1 netns "$P"
	fi || { check_fail "$WHAT: the pair x0 - x1"; return; }
	ip -n "$T" link set x0 up && ip -n "$P" link set x1 up

	coproc IO { ip netns exec "$T" "$IO_BIN" "$node" "$MODE" xt0 10.79.0.1 10.79.0.2 2>&1; }
	track_bg "$IO_PID"
	read -r -t 30 line <&"${IO[0]}"
	check_eq "$WHAT: xdp_tun_io attached to xt0" "ready xt0" "$line" || return
	ip -n "$T" addr add 10.79.0.1/24 dev xt0 && ip -n "$T" link set xt0 up ||
		check_fail "$WHAT: xt0 up, 10.79.0.1/24"
	if [[ $MODE == tap ]]; then
		ip -n "$T" neigh replace 10.79.0.2 lladdr 02:00:00:00:0a:02 dev xt0 nud permanent
	fi
	# (A tun device's operational state stays UNKNOWN: its carrier says.)
	wait_until 30 has_flag "$T" xt0 LOWER_UP

	if [[ $IMPL == vnl ]] && ! require_native_xdp "$T" xt0; then
		stop_io
		return
	fi
	verdicts
	stop_io
}

# verdicts: DROP, PASS, TX and REDIRECT on xt0.
verdicts() {
	local expect
	# On veth, x1 receives frames redirected into x0 only with a program
	# of its own (its NAPI); vnl needs none.
	if [[ $IMPL == kernel ]]; then
		xdp_load "$P" x1 pass || check_fail "$WHAT: xdp_pass on x1"
	fi

	load drop || return
	snap
	io "write 3 1"
	check_eq "$WHAT: 3 echo requests written" "wrote 3" "$IO_LAST"
	check_eq "$WHAT: the program dropped 3" "aborted=0 drop=3 pass=0 tx=0 redirect=0" \
		"$(xdp_counts "$T" xt0)"
	if [[ $IMPL == vnl || $MODE == tap ]]; then
		check_eq "$WHAT: rx_dropped +3" 3 "$(($(link_stat "$T" xt0 rx dropped) - SNAP[dropped]))"
	fi
	vnl_moved drop_xdp_drop 3

	load pass || return
	snap
	io "write 3 11"
	check_eq "$WHAT: 3 more written" "wrote 3" "$IO_LAST"
	expect=$'reply 11\nreply 12\nreply 13\ndone 3'
	check_eq "$WHAT: PASS: the stack answers these 3, and none of the dropped" \
		"$expect" "$(what_read 3)"
	check_eq "$WHAT: the program passed 3" "aborted=0 drop=0 pass=3 tx=0 redirect=0" \
		"$(xdp_counts "$T" xt0)"
	vnl_moved xdp_pass 3

	load tx || return
	snap
	io "write 3 21"
	expect=$'request 21 same\nrequest 22 same\nrequest 23 same\ndone 3'
	check_eq "$WHAT: TX: the reader reads the 3 requests back as written" \
		"$expect" "$(what_read 3)"
	check_eq "$WHAT: the program sent back 3" "aborted=0 drop=0 pass=0 tx=3 redirect=0" \
		"$(xdp_counts "$T" xt0)"
	vnl_moved xdp_tx 3

	load redirect || return
	xdp_set "$T" xt0 xdp_target 0 "$(ip -n "$T" -o link show dev x0 | cut -d: -f1)" ||
		check_fail "$WHAT: xdp_target = x0"
	snap
	io "write 3 31"
	wait_until 20 x1_got 3
	check_eq "$WHAT: REDIRECT to x0: x1 receives the 3 frames" 3 \
		"$(($(link_stat "$P" x1 rx packets) - SNAP[x1]))"
	check_eq "$WHAT: the program redirected 3" "aborted=0 drop=0 pass=0 tx=0 redirect=3" \
		"$(xdp_counts "$T" xt0)"
	vnl_moved xdp_redirect 3
}

stop_io() {
	eval "exec ${IO[1]}>&-"
	wait "$IO_PID" 2>/dev/null
	cleanup_ns "$T" "$P"
}

reference_runs "the kernel's tap" && one kernel tap
# The kernel's tun runs native XDP programs on taps only: its tun
# devices' netdev ops have no ndo_bpf ("does not support XDP in native
# mode"); vnl's tun devices have native XDP too.
echo "# INFO: kernel tun: no native XDP to compare with (its IFF_TUN devices have no ndo_bpf)"
one vnl tap
one vnl tun

exit_status
