#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the vnl selftests, as root, inside a tools/vm/run guest:
#
#   tools/vm/run [--kernel K] -- selftests/run_tests.sh [TEST... | --core]
#
# With no TEST, every test runs, in the fixed order below; TEST names one
# (with or without its .sh); --core runs the core set (CORE_TESTS).  The output is KTAP: one `ok`/`not ok` line
# per test program, its own output indented as `# ...` lines, and the
# kselftest totals line at the end, which counts each case of a harness
# program (C tests) and each shell test:
#
#   # Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0
#
# Exit status 0 iff F is 0.  Each test gets VNL_TEST_TIMEOUT seconds
# (default 600).  The C tests are built on the host (make -C selftests):
# the guest sees the repository read-only.
#
#   run_tests.sh --queue
#
# works off the queue shared by tools/vm/run --queue (VNL_QUEUE) instead:
# its todo/ holds one empty file per test, NNN-NAME (NNN for the order);
# this guest takes the first one left by renaming it into taken/ (a rename
# only one guest can win), runs it, and goes on until todo/ is empty, a
# file named stop appears, or one of its tests times out (that may leave
# the kernel stuck: the rest is for a fresh guest).  tools/check lets two
# guests of a kernel share one queue, so that both cores stay busy to the
# end.  The plan line then comes last, as TAP allows.

cd "$(dirname "$0")" || exit 1

# Foundation first, then the pairs; tests that unload the module last-ish,
# the one that does it a hundred times at the very end.
ALL_TESTS=(
	genl_family
	chardev_open
	genl_link
	vnlctl_cli.sh
	vnlctl_e2e.sh
	vnlctl_trace.sh
	pair_bad_input.sh
	pair_netns_ping.sh
	pair_carrier.sh
	netpoll_refused.sh
	pair_lifetime.sh
	iplink_add.sh
	pair_monitor.sh
	ynl_cli.sh
	pair_vs_veth.sh
	pair_lab_one_netns.sh
	pair_lab_bridge.sh
	pair_lab_tcpdump.sh
	pair_lab_checksum.sh
	pair_lab_routing.sh
	pair_lab_ipip.sh
	xdp_sock
	xdp_lab_count_drop_redirect.sh
	tun_ioctl
	tun_io
	tun_perm
	tun_mq
	tun_netns
	tun_vnet
	tun_batch
	tun_ioctl32
	tun_io32
	tun_perm32
	tun_mq32
	tun_netns32
	tun_vnet32
	tun_batch32
	tun_kernel_selftest.sh
	tun_tunctl.sh
	tun_udp_tunnel.sh
	tun_openvpn.sh
	tun_lab_read_ping.sh
	tun_lab_ip_tuntap.sh
	tun_lab_batch.sh
	tun_lsm_hooks.sh
	tap_lab_arp_reply.sh
	macvlan_modes.sh
	macvlan_host_shim.sh
	macvlan_bcast.sh
	macvlan_multicast.sh
	macvlan_netns.sh
	macvlan_parent_events.sh
	macvlan_source.sh
	macvlan_bad_input.sh
	macvlan_bulk.sh
	macvlan_lab_modes.sh
	macvlan_lab_docker.sh
	macvtap.sh
	macvtap_vnet
	macvtap_kernel_selftest.sh
	macvtap_tunctl.sh
	macvtap_openvpn.sh
	drop_reasons.sh
	trace_path.sh
	trace_lab_follow_ping.sh
	xdp_pair.sh
	xdp_tun.sh
	xdp_tools.sh
	security
	genl_dump_userns
	genl_netns_names
	fuzz_genl
	fuzz_chardev
	fault_rmmod.sh
	xdp_lifetime.sh
	fault_delete_busy.sh
	fault_netns_move.sh
	fault_queues_full.sh
	stress.sh
	pair_bulk.sh
	install_autoload.sh
	module_reload.sh
)
# The core set, which every kernel of `make check`'s matrix runs at least
# (tools/check: the full suite runs on 6.1 and the debug kernel): the
# family, /dev/vnl, each data path once (a pair across netns, tun and tap
# I/O with the kernel's own tun selftest, vnet headers and batches on
# /dev/vnl, the demux in every mode, a tap face both ways), native XDP on a pair end (an AF_XDP socket behind
# it) and on a tap and a tun, each
# path's trace events and each drop reason, the module's unload and
# reload.  In ALL_TESTS's order.
CORE_TESTS=(
	genl_family
	chardev_open
	genl_link
	pair_netns_ping.sh
	xdp_sock
	tun_ioctl
	tun_io
	tun_vnet
	tun_batch
	tun_kernel_selftest.sh
	macvlan_modes.sh
	macvtap_vnet
	drop_reasons.sh
	trace_path.sh
	xdp_tun.sh
	module_reload.sh
)
TIMEOUT=${VNL_TEST_TIMEOUT:-600}
KSFT_SKIP=4

# Not run on the debug kernel (VNL_KERNEL=debug), where each costs
# minutes, with the reason printed on its SKIP line: they take only paths
# that the tests run there take already.  The 32-bit twins' only
# 32-bit-specific code is the ioctls; the labs walk the pair, tap and
# demux paths (pair_netns_ping, trace_path, drop_reasons), and what they
# add is the core's (a bridge, routing, a tunnel, offloads) or ip's.
# tun_lab_batch.sh takes the batch paths of tun_batch through python
# and strace: 52 s there.
# ynl_cli.sh starts python six times, which costs minutes there; what it
# proves, the YNL spec against the family, is the same on every kernel.
declare -A DEBUG_SKIP=(
	[tun_io32]="only its ioctls are 32-bit, and tun_ioctl32 runs them"
	[tun_mq32]="only its ioctls are 32-bit, and tun_ioctl32 runs them"
	[tun_vnet32]="only its ioctls are 32-bit, and tun_ioctl32 runs them"
	[tun_batch32]="only its ioctls are 32-bit, and tun_ioctl32 runs them"
	[trace_lab_follow_ping.sh]="trace_path and drop_reasons take its paths there"
	[pair_lab_one_netns.sh]="the pair path of pair_netns_ping; the rest is the IPv4 core's"
	[pair_lab_bridge.sh]="pair ends on a bridge, as in drop_reasons"
	[pair_lab_tcpdump.sh]="the pair path of pair_netns_ping; tcpdump's taps are the core's"
	[pair_lab_checksum.sh]="a pair end's offloads are the core's (no ndo_set_features); drop_reasons reads them"
	[pair_lab_routing.sh]="the pair path of pair_netns_ping; forwarding is the core's"
	[pair_lab_ipip.sh]="the pair path of pair_netns_ping; the tunnel is the core's"
	[ynl_cli.sh]="six python starts cost minutes there; the stock kernels prove the spec"
	[tun_lab_ip_tuntap.sh]="tun_tunctl runs ip tuntap add and del on /dev/vnl, trace_path a tap answered by a program"
	[tun_lab_batch.sh]="tun_batch reads and writes batches there; the lab adds strace and python (52 s there)"
	[xdp_lab_count_drop_redirect.sh]="xdp_pair takes its paths there (drop, redirect, the counters, vnl_xdp)"
	[xdp_tools.sh]="xdp_pair takes the same native XDP paths there; what it adds is the tools' (6.1 runs it)"
)

usage() {
	echo "usage: $0 [TEST...] | --core | --queue" >&2
	echo "tests: ${ALL_TESTS[*]}" >&2
	echo "core: ${CORE_TESTS[*]}" >&2
	exit 2
}

select_tests() {
	local want t found
	if (($# == 0)); then
		TESTS=("${ALL_TESTS[@]}")
		return
	fi
	if [[ $1 == --core ]]; then
		TESTS=("${CORE_TESTS[@]}")
		return
	fi
	TESTS=()
	for want in "$@"; do
		[[ $want == -h || $want == --help ]] && usage
		found=
		for t in "${ALL_TESTS[@]}"; do
			if [[ $t == "$want" || $t == "$want.sh" ]]; then
				TESTS+=("$t")
				found=1
			fi
		done
		[[ -n $found ]] || { echo "$0: no test named '$want'" >&2; usage; }
	done
}

# The totals line a harness program printed: "pass fail skip error", or
# nothing when it printed none (it crashed or was killed).
harness_totals() {
	sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\) xfail:[0-9]* xpass:[0-9]* skip:\([0-9]*\) error:\([0-9]*\)$/\1 \2 \3 \4/p' \
		"$1" | tail -n 1
}

# The fuzzers run with every vnl trace event on, in a tracefs instance of
# their own, so that the events' code (kmod/trace.c) meets every malformed
# frame and request too.  Nothing is done where tracing is missing.
FUZZ_TRACE=/sys/kernel/tracing
fuzz_trace_on() {
	fuzz_trace_mounted=
	if [[ ! -d $FUZZ_TRACE/instances ]]; then
		mount -t tracefs nodev "$FUZZ_TRACE" 2>/dev/null || return 0
		fuzz_trace_mounted=1
	fi
	fuzz_trace_inst=$FUZZ_TRACE/instances/vnl-fuzz-$$
	if mkdir "$fuzz_trace_inst" 2>/dev/null &&
		echo 1 >"$fuzz_trace_inst/events/vnl/enable" 2>/dev/null; then
		echo "# with every vnl trace event on"
	fi
}

fuzz_trace_off() {
	if [[ -d ${fuzz_trace_inst:-} ]]; then
		echo "# $(grep -c ': vnl_' "$fuzz_trace_inst/trace") vnl trace events in the buffer at the end"
		rmdir "$fuzz_trace_inst"
	fi
	[[ -n ${fuzz_trace_mounted:-} ]] && umount "$FUZZ_TRACE"
	fuzz_trace_inst= fuzz_trace_mounted=
	return 0
}

# run_test N NAME: run one test, print its KTAP line and add its cases to
# pass, fail and skip.
run_test() {
	local n=$1 t=$2 log=$dir/$2.log start rc tpid p f s e reason totals

	echo "# selftests: vnl: $t"
	if [[ ${VNL_KERNEL:-} == debug && -n ${DEBUG_SKIP[$t]:-} ]]; then
		echo "ok $n $t # SKIP on the debug kernel: ${DEBUG_SKIP[$t]}"
		skip=$((skip + 1))
		return
	fi
	if [[ ! -x ./$t ]]; then
		echo "not ok $n $t # not built: run 'make -C selftests' on the host"
		fail=$((fail + 1))
		return
	fi
	[[ $t == fuzz_* ]] && fuzz_trace_on
	start=$SECONDS
	# The output goes to a file, streamed from there until timeout(1)
	# is gone: a pipe would also wait for every process still holding
	# it, and a killed test can leave one behind, stuck in the kernel.
	timeout --kill-after=10 "$TIMEOUT" "./$t" </dev/null >"$log" 2>&1 &
	tpid=$!
	tail -n +1 -f --pid="$tpid" "$log" | sed -u 's/^/# /'
	rc=0
	wait "$tpid" || rc=$?
	echo "# $t: exit $rc after $((SECONDS - start)) s"
	[[ $t == fuzz_* ]] && fuzz_trace_off

	if [[ $t != *.sh ]]; then
		# A harness program: count its cases.
		totals=$(harness_totals "$log")
		if [[ -n $totals ]]; then
			read -r p f s e <<<"$totals"
			pass=$((pass + p))
			skip=$((skip + s))
			fail=$((fail + f + e))
			# Failed after its totals, or killed: one more failure.
			((rc != 0 && rc != KSFT_SKIP && f + e == 0)) && fail=$((fail + 1))
		else
			fail=$((fail + 1))
		fi
	else
		case $rc in
		0) pass=$((pass + 1)) ;;
		"$KSFT_SKIP") skip=$((skip + 1)) ;;
		*) fail=$((fail + 1)) ;;
		esac
	fi

	case $rc in
	0) echo "ok $n $t" ;;
	"$KSFT_SKIP")
		reason=$(sed -n 's/^SKIP: [^:]*: //p' "$log" | tail -n 1)
		echo "ok $n $t # SKIP ${reason:-skipped}"
		;;
	124 | 137)
		echo "not ok $n $t # TIMEOUT $TIMEOUT seconds"
		timed_out=1
		;;
	*) echo "not ok $n $t # exit=$rc" ;;
	esac
}

# The next test of the shared queue, taken by this guest; fails when none
# is left or the queue says stop.
take_queued() {
	local q=$VNL_QUEUE f name
	[[ -e $q/stop ]] && return 1
	for f in "$q"/todo/*; do
		[[ -e $f ]] || return 1
		name=${f##*/}
		# Another guest may win this one: then try the next.
		if mv "$f" "$q/taken/$name" 2>/dev/null; then
			echo "${name#*-}"
			return 0
		fi
	done
	return 1
}

main() {
	local n=0 t queue=0
	pass=0 fail=0 skip=0 timed_out=0

	if [[ ${1:-} == --queue ]]; then
		[[ -d ${VNL_QUEUE:-}/todo && -d $VNL_QUEUE/taken ]] ||
			{ echo "$0: --queue: no queue at '${VNL_QUEUE:-}' (tools/vm/run --queue)" >&2; exit 2; }
		queue=1
	else
		select_tests "$@"
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/vnl-selftests.XXXXXX") || exit 1
	trap 'rm -rf "$dir"' EXIT

	echo "TAP version 13"
	((queue)) || echo "1..${#TESTS[@]}"
	[[ $EUID -eq 0 ]] || echo "# warning: not root; most tests will skip or fail"
	[[ ${VNL_GUEST:-} == 1 ]] ||
		echo "# warning: not in a tools/vm/run guest; tests that reload vnl.ko will skip"

	if ((queue)); then
		while t=$(take_queued); do
			n=$((n + 1))
			run_test "$n" "$t"
			# A test that outlived its timeout may have left this
			# kernel stuck (a task holding RTNL, a module
			# reference): the rest of the queue is for a fresh
			# guest (tools/check starts one).
			if ((timed_out)); then
				echo "# $t timed out: this guest takes no more tests"
				break
			fi
		done
		echo "1..$n"
	else
		for t in "${TESTS[@]}"; do
			n=$((n + 1))
			run_test "$n" "$t"
		done
	fi

	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	((fail == 0))
}

main "$@"
