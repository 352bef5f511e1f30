#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's xdp-tools in native mode on a pair end, as a user runs them: on
# the kernel's veth (the reference) and on vnl.
#
#   ns A: e0 10.86.0.1/24, 10.86.0.3/24  <->  ns B: e1 10.86.0.2/24
#   ns B: x0 <-> x1 (ns A): where xdp-bench redirect sends e1's frames
#
#   xdp-filter   load -m native on e1: xdp-loader status shows its
#                dispatcher in native mode; `ip 10.86.0.1 -m src`: pings
#                from 10.86.0.1 go unanswered, from 10.86.0.3 answered;
#                `port 5002 -p udp`: datagrams to 5002 never reach B's
#                UDP (UdpNoPorts unmoved, xdp-filter's hit counter moved),
#                those to 5001 do; unload: no program left
#   xdp-loader   load -m native e1 xdp_pass.bpf.o: status shows it behind
#                the dispatcher, native; A pings B through it; unload -a
#   xdp-bench    drop, pass, tx and redirect (to x0) on e1, while A sends
#                frames to e1 (vnl_fault blast, 1,000 a second): each
#                starts and reports a non-zero rate of received frames
#                (redirect: and of transmitted ones); tx: e0 receives
#                frames back
#
# The tools pin their programs and maps in bpffs: it is mounted on
# /sys/fs/bpf if it is not, and the tools run through `nsenter --net`
# (`ip netns exec` would give them a /sys of their own, without it).
# On veth, e0 and x1 get a pass program (veth's XDP_TX and redirects
# need one on the receiving end); vnl needs none.  xdp-bench needs the
# kernel's BTF (/sys/kernel/btf/vmlinux) for its statistics, and
# Debian 12's (1.3.1) a tracepoint newer kernels removed
# (xdp_redirect_map_err): a kernel without either skips that part.

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_xdp
xdp_one_cpu
require_cmd xdp-filter xdp-loader xdp-bench nsenter nstat

BPFFS_MOUNTED=
if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
	mount -t bpf bpf /sys/fs/bpf || skip_test "cannot mount bpffs on /sys/fs/bpf"
	BPFFS_MOUNTED=1
fi

cleanup() {
	[[ -n $BPFFS_MOUNTED ]] && umount /sys/fs/bpf
	return 0
}

# in_ns NS CMD...: CMD in NS's network namespace, with this /sys/fs/bpf.
in_ns() {
	nsenter --net="/run/netns/$1" "${@:2}"
}

# make_pair KIND NAME0 NS0 NAME1 NS1
make_pair() {
	case $1 in
	veth) ip link add "$2" netns "$3" type veth peer name "$4" netns "$5" ;;
	vnl) vnlctl add pair "$2" netns "$3" peer "$4" peer-netns "$5" >/dev/null ;;
	esac
}

no_ports() {
	local out
	out=$(ip netns exec "$B" nstat -az UdpNoPorts) || return 1
	[[ $out =~ UdpNoPorts\ +([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# udp PORT: a second of datagrams from A to B's PORT (nothing listens);
# how many were sent.
udp() {
	local out
	out=$(ip netns exec "$A" "$VNL_SELFTESTS/vnl_fault" udp 10.86.0.2 "$1" -t 1)
	[[ $out =~ sent=([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

rx_packets() {
	local out re='"rx":\{[^{}]*"packets":([0-9]+)'
	out=$(ip -n "$1" -s -j link show dev "$2") || return 1
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

xdp_filter() {
	local n sent out
	echo "# $KIND: xdp-filter on e1"
	check "$KIND: xdp-filter load -m native e1" in_ns "$B" xdp-filter load -m native e1 || return
	out=$(in_ns "$B" xdp-loader status e1 2>&1)
	check_match "$KIND: xdp-loader status: e1's dispatcher, native" \
		'(^|[[:space:]])e1 +xdp_dispatcher +native +[0-9]+ ' "$out"
	check_match "$KIND: ... running xdpfilt_alw_all" ' xdpfilt_alw_all +[0-9]+ ' "$out"
	check "$KIND: ip link: e1 has a program in driver mode" xdp_prog_id "$B" e1

	check "$KIND: xdp-filter ip 10.86.0.1 -m src" in_ns "$B" xdp-filter ip 10.86.0.1 -m src
	check_not "$KIND: ping from 10.86.0.1: dropped" vping "$A" 10.86.0.2 -c 1 -W 1
	check "$KIND: ping from 10.86.0.3: answered" vping "$A" 10.86.0.2 -c 1 -I 10.86.0.3
	check "$KIND: xdp-filter ip -r 10.86.0.1 -m src" in_ns "$B" xdp-filter ip -r 10.86.0.1 -m src
	check "$KIND: ping from 10.86.0.1 answered again" vping "$A" 10.86.0.2 -c 1

	check "$KIND: xdp-filter port 5002 -p udp" in_ns "$B" xdp-filter port 5002 -p udp
	n=$(no_ports)
	sent=$(udp 5002)
	check_ge "$KIND: datagrams sent to 5002" 1 "$sent"
	check_eq "$KIND: ... none reached B's UDP (UdpNoPorts +0)" 0 "$(($(no_ports) - n))"
	out=$(in_ns "$B" xdp-filter status 2>&1)
	[[ $out =~ 5002\ +dst,udp\ +([0-9]+) ]]
	check_ge "$KIND: ... xdp-filter status: port 5002 hit" 1 "${BASH_REMATCH[1]:-none}"
	n=$(no_ports)
	sent=$(udp 5001)
	check_ge "$KIND: datagrams to 5001 reach B's UDP (UdpNoPorts moved)" 1 "$(($(no_ports) - n))"
	check "$KIND: xdp-filter unload e1" in_ns "$B" xdp-filter unload e1
	check_not "$KIND: ... no program left on e1" xdp_prog_id "$B" e1
}

xdp_loader() {
	local out
	echo "# $KIND: xdp-loader on e1"
	check "$KIND: xdp-loader load -m native e1 xdp_pass.bpf.o" \
		in_ns "$B" xdp-loader load -m native e1 "$XDP_DIR/xdp_pass.bpf.o" || return
	out=$(in_ns "$B" xdp-loader status e1 2>&1)
	check_match "$KIND: xdp-loader status: the dispatcher native, xdp_act behind it" \
		'(^|[[:space:]])e1 +xdp_dispatcher +native +[0-9]+ .* xdp_act +[0-9]+ ' "$out"
	check "$KIND: A pings B through it" vping "$A" 10.86.0.2 -c 2 -i 0.2
	check "$KIND: xdp-loader unload -a e1" in_ns "$B" xdp-loader unload -a e1
	check_not "$KIND: ... no program left on e1" xdp_prog_id "$B" e1
}

# bench_running FILE RE PID: xdp-bench's output FILE has a line matching
# RE, or xdp-bench (PID) is gone.
bench_running() {
	grep -qE "$2" "$1" || ! kill -0 "$3" 2>/dev/null
}

# bench MODE [OUT]: xdp-bench MODE on e1 (redirecting to OUT) until it
# reports a non-zero rate, or 60 s.  Fails without a check when this
# kernel lacks what Debian's xdp-bench needs (BENCH_SKIP says why).
bench() {
	local mode=$1 out=$TEST_TMP/bench-$1 re pid before
	re='^Summary +[1-9][0-9,]* rx/s'
	[[ $mode == redirect ]] && re='^e1->x0 +[1-9][0-9,]* rx/s .* [1-9][0-9,]* xmit/s'
	before=$(rx_packets "$A" e0)
	# Its lines as they come (stdbuf: not a file's buffer), and ended by
	# SIGTERM: a background job of a script ignores SIGINT, and
	# xdp-bench waits for its signals on a signalfd, which never sees an
	# ignored one.  (nsenter, not in_ns: $! must be xdp-bench's own
	# process, which nsenter and timeout become or forward signals to.)
	nsenter --net="/run/netns/$B" timeout 300 stdbuf -oL xdp-bench "$mode" -i 1 e1 ${2:+"$2"} \
		>"$out" 2>&1 &
	pid=$!
	track_bg "$pid"
	wait_until 60 bench_running "$out" "$re" "$pid"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# xdp-tools 1.3.1 attaches to the tracepoint xdp_redirect_map_err,
	# which newer kernels no longer have (7.2 here).
	if grep -q "BTF type ID of 'xdp_redirect_map_err'" "$out"; then
		BENCH_SKIP="xdp-tools $(dpkg-query -W -f='${Version}' xdp-tools 2>/dev/null)'s xdp-bench needs the tracepoint xdp:xdp_redirect_map_err, which kernel $(uname -r) does not have"
		return 1
	fi
	if grep -qE "$re" "$out"; then
		check_pass "$KIND: xdp-bench $mode e1${2:+ $2}: a non-zero rate"
	else
		check_fail "$KIND: xdp-bench $mode e1${2:+ $2}: a non-zero rate" "$(head -n 20 "$out")"
	fi
	if [[ $mode == tx ]]; then
		check "$KIND: ... e0 received frames back" test "$(rx_packets "$A" e0)" -gt "$before"
	fi
}

xdp_bench() {
	local blaster
	if [[ ! -e /sys/kernel/btf/vmlinux ]]; then
		check_skip "$KIND: xdp-bench" "no /sys/kernel/btf/vmlinux: a kernel without BTF, which xdp-bench's statistics need"
		return
	fi
	echo "# $KIND: xdp-bench on e1, with 1,000 frames a second from A"
	ip netns exec "$A" "$VNL_SELFTESTS/vnl_fault" blast e0 -t 300 -r 1000 -k \
		-d "$(ip -n "$B" -o link show dev e1 | grep -o 'link/ether [^ ]*' | cut -d' ' -f2)" \
		>/dev/null 2>&1 &
	blaster=$!
	track_bg "$blaster"
	BENCH_SKIP=
	bench drop && bench pass && bench tx && bench redirect x0
	[[ -n $BENCH_SKIP ]] && check_skip "$KIND: xdp-bench" "$BENCH_SKIP"
	kill "$blaster" 2>/dev/null
	wait "$blaster" 2>/dev/null
}

run_kind() {
	KIND=$1
	setup_ns A B
	no_ipv6 "$A" "$B"
	if ! make_pair "$KIND" e0 "$A" e1 "$B" || ! make_pair "$KIND" x0 "$B" x1 "$A"; then
		check_fail "$KIND: two pairs"
		return
	fi
	ip -n "$A" addr add 10.86.0.1/24 dev e0 && ip -n "$A" addr add 10.86.0.3/24 dev e0 &&
		ip -n "$B" addr add 10.86.0.2/24 dev e1 && ip -n "$A" link set e0 up &&
		ip -n "$B" link set e1 up && ip -n "$B" link set x0 up && ip -n "$A" link set x1 up ||
		{ check_fail "$KIND: addresses"; return; }
	wait_until 30 oper_up "$A" e0
	if [[ $KIND == vnl ]] && ! require_native_xdp "$B" e1; then
		cleanup_ns "$A" "$B"
		return
	fi
	if [[ $KIND == veth ]]; then
		xdp_load "$A" e0 pass && xdp_load "$A" x1 pass ||
			check_fail "veth: pass programs on e0 and x1"
	fi
	xdp_filter
	xdp_loader
	xdp_bench
	cleanup_ns "$A" "$B"
}

run_kind veth
run_kind vnl

exit_status
