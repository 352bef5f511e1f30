#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the vnl shell selftests, in the manner of the kernel's
# tools/testing/selftests/net/lib.sh: namespaces with unique names removed
# by an EXIT trap, one line per check with its verdict, and the kselftest
# exit codes (0 pass, 1 fail, 4 skip).
#
# A test sources this file, calls its checks, and ends with `exit_status`.
# The tests run as root inside a tools/vm/run guest; the helpers that load
# or unload vnl.ko refuse to do so anywhere else.

ksft_pass=0
ksft_fail=1
ksft_skip=4

# The overall verdict: a failure beats a skip, a skip beats a pass.
RET=$ksft_pass
NS_LIST=()
BG_PIDS=()

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

# This directory, where the helper programs are (absolute: a test may cd).
VNL_SELFTESTS=${BASH_SOURCE[0]%/*}
[[ $VNL_SELFTESTS == /* ]] || VNL_SELFTESTS=$PWD/$VNL_SELFTESTS

# --- verdicts ----------------------------------------------------------------

_verdict() {
	printf 'TEST: %-64s [%s]\n' "$1" "$2"
}

check_pass() {
	_verdict "$1" " OK "
}

# check_fail DESCRIPTION [DETAIL...]: the details explain the failure.
check_fail() {
	local desc=$1 line
	shift
	_verdict "$desc" FAIL
	for line in "$@"; do
		printf '    %s\n' "$line"
	done
	RET=$ksft_fail
}

check_skip() {
	_verdict "$1" SKIP
	[[ -n ${2:-} ]] && printf '    %s\n' "$2"
	[[ $RET -eq $ksft_pass ]] && RET=$ksft_skip
	return 0
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == 0)); then
		check_pass "$desc"
	else
		check_fail "$desc" "\`$*\` exited $rc" ${out:+"output: ${out//$'\n'/$'\n    '}"}
	fi
	return $rc
}

# check_not DESCRIPTION COMMAND...: passes when COMMAND fails.
check_not() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc != 0)); then
		check_pass "$desc"
		return 0
	fi
	check_fail "$desc" "\`$*\` succeeded but should not have" ${out:+"output: ${out//$'\n'/$'\n    '}"}
	return 1
}

# check_eq DESCRIPTION EXPECTED GOT
check_eq() {
	if [[ "$2" == "$3" ]]; then
		check_pass "$1"
		return 0
	fi
	check_fail "$1" "expected: $2" "got:      $3"
	return 1
}

# check_ge DESCRIPTION MIN GOT: GOT is a number of at least MIN.
check_ge() {
	if [[ $3 =~ ^[0-9]+$ ]] && (($3 >= $2)); then
		check_pass "$1"
		return 0
	fi
	check_fail "$1" "expected at least $2" "got: $3"
	return 1
}

# check_match DESCRIPTION REGEX TEXT: TEXT matches the extended REGEX.
check_match() {
	if [[ $3 =~ $2 ]]; then
		check_pass "$1"
		return 0
	fi
	check_fail "$1" "expected to match: $2" "got: ${3//$'\n'/$'\n    '}"
	return 1
}

# check_fails_with DESCRIPTION RC REGEX COMMAND...: COMMAND exits RC and
# its stderr matches REGEX (extended, case-insensitive); stdout is ignored.
check_fails_with() {
	local desc=$1 want_rc=$2 regex=$3 err rc
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if ((rc == want_rc)) && [[ ${err,,} =~ ${regex,,} ]]; then
		check_pass "$desc"
		return 0
	fi
	check_fail "$desc" "command:  $*" "expected: exit $want_rc, stderr matching /$regex/" \
		"got:      exit $rc, stderr: ${err//$'\n'/$'\n              '}"
	return 1
}

exit_status() {
	exit "$RET"
}

# --- requirements ------------------------------------------------------------------

skip_test() {
	echo "SKIP: $TEST_NAME: $*"
	exit $ksft_skip
}

require_root() {
	[[ $EUID -eq 0 ]] || skip_test "needs root"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip_test "needs $c"
	done
}

# The vnl family must be registered: the guest runner loaded vnl.ko.
require_vnl() {
	require_root
	require_cmd ip vnlctl
	vnlctl version >/dev/null 2>&1 ||
		{ echo "FAIL: vnl.ko is not loaded (vnlctl version failed)"; exit $ksft_fail; }
}

# Unloading and loading vnl.ko happen only in a tools/vm/run guest, which
# says so with VNL_GUEST=1 and names the module it loaded in VNL_KO.
in_guest_with_module() {
	[[ ${VNL_GUEST:-} == 1 && -n ${VNL_KO:-} && -f ${VNL_KO:-} ]]
}

require_module_reload() {
	in_guest_with_module ||
		skip_test "unloads vnl.ko: only in a tools/vm/run guest (VNL_GUEST=1, VNL_KO set)"
	require_cmd rmmod insmod
	wait_module_idle ||
		{ echo "FAIL: vnl.ko still in use after 120 s (refcnt $(</sys/module/vnl/refcnt))"; exit $ksft_fail; }
}

# A persistent tun or tap holds vnl.ko (as kernel tun's hold tun.ko), and
# the netns of a test that just ended is deleted in the background
# (cleanup_net): its devices may hold the module a moment longer.  Waits
# until nothing does, up to 120 s; true at once when vnl is not loaded.
_module_idle() {
	[[ ! -e /sys/module/vnl/refcnt || $(</sys/module/vnl/refcnt) == 0 ]]
}
wait_module_idle() {
	wait_until 120 _module_idle
}

# Loads vnl.ko back if it is not there; the end of a test that unloads it.
vnl_reload() {
	[[ -d /sys/module/vnl ]] && return 0
	in_guest_with_module || return 1
	insmod "$VNL_KO"
}

# --- namespaces, temporary files, background processes -----------------------------

# setup_ns VAR...: creates one netns per VAR, with loopback up, and sets
# VAR to its unique name.
setup_ns() {
	local var names=()
	for var in "$@"; do
		names+=("ns-${var,,}-$$-$RANDOM$RANDOM")
		printf -v "$var" '%s' "${names[-1]}"
	done
	NS_LIST+=("${names[@]}")
	# One process for all, not two `ip` per namespace (vnl_netns.c).
	"$VNL_SELFTESTS/vnl_netns" add "${names[@]}" ||
		{ echo "FAIL: vnl_netns add ${names[*]}"; exit $ksft_fail; }
}

# cleanup_ns NAME...: deletes namespaces now (before the EXIT trap would).
cleanup_ns() {
	local ns i
	"$VNL_SELFTESTS/vnl_netns" del "$@" 2>/dev/null
	for ns in "$@"; do
		for i in "${!NS_LIST[@]}"; do
			[[ ${NS_LIST[i]} == "$ns" ]] && unset 'NS_LIST[i]'
		done
	done
	return 0
}


# Remembers a background process for the EXIT trap to end.
track_bg() {
	BG_PIDS+=("$1")
}

_lib_cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	((${#NS_LIST[@]})) && "$VNL_SELFTESTS/vnl_netns" del "${NS_LIST[@]}" 2>/dev/null
	rm -rf "$TEST_TMP"
	[[ $(type -t cleanup) == function ]] && cleanup
	trace_close
	return 0
}
trap _lib_cleanup EXIT

# A scratch directory of the test's own, removed at exit.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vnl-$TEST_NAME.XXXXXX") ||
	{ echo "FAIL: mktemp"; exit $ksft_fail; }

# --- waiting without sleeping blindly -----------------------------------------------

# nap SECONDS: a short wait without a process, by `read -t` on a fifo
# of our own that nobody writes to (opened read-write, so never EOF).
mkfifo "$TEST_TMP/nap" && exec {_NAP_FD}<>"$TEST_TMP/nap"
nap() {
	read -r -t "${1:-0.05}" -u "$_NAP_FD"
	return 0
}

# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds; fails
# after SECONDS.  The debug kernel is slow: callers give generous bounds.
wait_until() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		((SECONDS >= end)) && return 1
		nap 0.05
	done
	return 0
}

# --- vnl helpers ---------------------------------------------------------------------

# link_exists [-n NS] NAME
link_exists() {
	local nsopt=()
	[[ $1 == -n ]] && { nsopt=(-n "$2"); shift 2; }
	ip "${nsopt[@]}" link show dev "$1" >/dev/null 2>&1
}

link_absent() {
	! link_exists "$@"
}

# The names of every link of a netns ("" for the caller's), one a line,
# in ifindex order.  One process: tests call it often.
# The kernel's fallback tunnel devices (sit0, tunl0, ...) appear in every
# netns of a kernel with those tunnels built in, like the debug kernel;
# they are not part of any test's topology.
link_names() {
	local nsopt=() out name rest
	[[ -n ${1:-} ]] && nsopt=(-n "$1")
	out=$(ip "${nsopt[@]}" -br link show) || return 1
	while read -r name rest; do
		name=${name%%@*}
		case $name in
		"" | sit0 | tunl0 | ip6tnl0 | ip6gre0 | gre0 | gretap0 | erspan0 | ip_vti0 | ip6_vti0) ;;
		*) printf '%s\n' "$name" ;;
		esac
	done <<<"$out"
}

# json_get JSON KEY [SUBKEY]: the value of KEY (or of SUBKEY inside the
# object KEY) in the one-line JSON object vnlctl -j prints for a device,
# without quotes; `null` when the key is there with no value; fails when
# the key is missing.  A one-element array around the object is fine.
# Done in bash: in the TCG guest one jq process costs more than a check.
# For anything beyond these flat objects, the tests use jq.
json_get() {
	local json=$1 key=$2 re inner='"([^"]*)":\{[^{}]*\}'
	if (($# == 3)); then
		re="\"$2\":\{([^{}]*)\}"
		# Objects inside KEY's (stats' drops) become null, innermost
		# and leftmost first, until KEY's own object is flat.
		until [[ $json =~ $re ]]; do
			[[ $json =~ $inner ]] || return 1
			json=${json/"${BASH_REMATCH[0]}"/\"${BASH_REMATCH[1]}\":null}
		done
		json="{${BASH_REMATCH[1]}}"
		key=$3
	fi
	# Nested objects out of the way, so only this level's keys remain.
	replace_matches json ':\{[^{}]*\}' ':null'
	re="[{,]\"$key\":(\"([^\"]*)\"|([^,}]*))"
	[[ $json =~ $re ]] || return 1
	printf '%s\n' "${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
}

# replace_matches VAR ERE [WITH]: every match of ERE in the variable VAR
# replaced by WITH (default: nothing), leftmost first, until none is left.
# Each round is a search and a literal replacement: the obvious
# `^(.*)ERE(.*)$` with its captures is quadratic in glibc's regexec, which
# under TCG on the debug kernel costs seconds on a page of `ip -d link`.
replace_matches() {
	local -n _rm_var=$1
	while [[ $_rm_var =~ $2 ]]; do
		_rm_var=${_rm_var/"${BASH_REMATCH[0]}"/${3:-}}
	done
}

# vnl_field NS NAME KEY [SUBKEY]: a field of `vnlctl -j show NAME` in NS
# ("" for the caller's netns).
vnl_field() {
	local nsopt=() out
	[[ -n $1 ]] && nsopt=(-n "$1")
	out=$(vnlctl "${nsopt[@]}" -j show "$2") || return 1
	json_get "$out" "${@:3}"
}

# vnl_stat NS NAME COUNTER: a counter of `vnlctl -j stats NAME`.
vnl_stat() {
	local nsopt=() out
	[[ -n $1 ]] && nsopt=(-n "$1")
	out=$(vnlctl "${nsopt[@]}" -j stats "$2") || return 1
	json_get "$out" stats "$3"
}

# The ip link flags of a device, as in "<BROADCAST,MULTICAST,UP,LOWER_UP>".
link_flags() {
	local nsopt=() line
	[[ -n $1 ]] && nsopt=(-n "$1")
	line=$(ip "${nsopt[@]}" -o link show dev "$2") || return 1
	[[ $line =~ \<[^\>]*\> ]] && printf '%s\n' "${BASH_REMATCH[0]}"
}

# has_flag NS NAME FLAG: the device's ip link flags include FLAG.
has_flag() {
	local flags
	flags=$(link_flags "$1" "$2") || return 1
	[[ ,${flags//[<>]/}, == *,"$3",* ]]
}

lacks_flag() {
	local flags
	flags=$(link_flags "$1" "$2") || return 1
	[[ ,${flags//[<>]/}, != *,"$3",* ]]
}

# oper_up NS NAME: the device's operational state is UP.  The link watch
# work sets it, and activates the device's qdisc in the same step, some
# time after the carrier comes (a second or more in a busy debug guest):
# until then the noop qdisc drops whatever the stack sends, ARP included.
oper_up() {
	local nsopt=() line
	[[ -n $1 ]] && nsopt=(-n "$1")
	line=$(ip "${nsopt[@]}" -o link show dev "$2") || return 1
	[[ $line == *" state UP "* ]]
}

# Turns off IPv6 in a netns before devices are made there, so that no
# router solicitation or MLD report adds to the counters a test reads.
no_ipv6() {
	"$VNL_SELFTESTS/vnl_netns" no-ipv6 "$@" 2>/dev/null
	return 0
}

# iputils' ping (make deps installs it): the tests use its -M, -I, -s and
# -W, which busybox's ping lacks; with busybox a "no answer" check would
# pass on a usage error.
if ping -V 2>/dev/null | grep -q iputils; then
	PING=(ping)
else
	PING=()
fi

# Traffic "at full speed" (ping -f, vnl_fault's blasters and busy
# programs): on the debug kernel capped at a thousand frames a second or so
# (FLOOD for ping, RATE for vnl_fault), because a guest whose vCPUs only
# move frames under KASAN and lockdep runs nothing else: the test's own
# checks then crawl past its time limit.  The code paths and the races
# are the same; the stock kernels run uncapped.
if [[ ${VNL_KERNEL:-} == debug ]]; then
	FLOOD=(-f -i 0.002)
	RATE=(-r 1000)
else
	FLOOD=(-f)
	RATE=()
fi

# vping NS ADDR [ARGS...]: quiet ping from a netns; its exit status.
vping() {
	local ns=$1 addr=$2
	shift 2
	ip netns exec "$ns" "${PING[@]}" -q -W 2 "$@" "$addr" >/dev/null 2>&1
}

require_ping() {
	((${#PING[@]})) || skip_test "needs iputils-ping (make deps)"
}

# --- tracefs: vnl's trace events in an instance of the test's own -------------

TRACEFS=/sys/kernel/tracing
TRACE_INST=
_TRACEFS_MOUNTED=

# trace_open EVENT...: a tracefs instance of this test's own, with the vnl
# events named (vnl_drop, vnl_pair_xmit, ...; `all` for events/vnl) on,
# and TRACE_INST set to its directory.  Mounts tracefs first if nobody
# has; trace_close (at exit) undoes both, leaving tracefs as it was.  Skips
# the test on a kernel without tracing or a vnl.ko without its events.
trace_open() {
	local ev
	if [[ ! -d $TRACEFS/instances ]]; then
		mount -t tracefs nodev "$TRACEFS" 2>/dev/null ||
			skip_test "cannot mount tracefs on $TRACEFS (a kernel without tracing)"
		_TRACEFS_MOUNTED=1
	fi
	[[ -d $TRACEFS/events/vnl ]] ||
		skip_test "no $TRACEFS/events/vnl: a kernel without tracing (CONFIG_EVENT_TRACING)"
	TRACE_INST=$TRACEFS/instances/vnl-test-$$
	mkdir "$TRACE_INST" || { echo "FAIL: mkdir $TRACE_INST"; exit $ksft_fail; }
	# One packet's steps may be traced on two CPUs (a tap's enqueue on
	# the sender's, its read() on the reader's), and the default clock
	# is each CPU's own: under TCG they drift apart, and the trace put a
	# read before its enqueue.  The global clock is not enough either: it
	# keeps its order only when it gets its lock (trace_clock_global uses
	# a trylock), and the debug kernel once showed a broadcast delivered
	# before it was queued.  The counter clock is one atomic counter: the
	# events' order across CPUs is the order they happened in.  The tests
	# read the order, never the times.
	echo counter >"$TRACE_INST/trace_clock" ||
		{ echo "FAIL: cannot set the trace clock"; exit $ksft_fail; }
	for ev in "$@"; do
		if [[ $ev == all ]]; then
			echo 1 >"$TRACE_INST/events/vnl/enable"
		else
			echo 1 >"$TRACE_INST/events/vnl/$ev/enable"
		fi || { echo "FAIL: cannot enable vnl:$ev"; exit $ksft_fail; }
	done
}

# The instance's events so far, one a line, without the task/CPU/time
# prefix: "vnl_pair_xmit: dev=... ".
trace_events() {
	sed -n 's/^.*: \(vnl_[a-z_]*: dev=\)/\1/p' "$TRACE_INST/trace"
}

# Forget the events so far.
trace_clear() {
	: >"$TRACE_INST/trace"
}

# vnlctl_bg OUT ARGS...: `vnlctl ARGS` (a trace) in the background, its
# stdout in OUT and stderr in OUT.err, its pid in $vnlctl_pid; succeeds
# once it says it is tracing (its events are on: nothing is missed).
vnlctl_bg() {
	local out=$1
	shift
	vnlctl "$@" >"$out" 2>"$out.err" &
	vnlctl_pid=$!
	track_bg "$vnlctl_pid"
	wait_until 20 grep -q "^vnlctl: tracing" "$out.err"
}

# vnlctl_bg_done [INT]: waits up to 20 s for that vnlctl to end by itself
# (-c), or first sends it Ctrl-C (INT) once what was provoked has had a
# second to be read; its exit status in $vnlctl_rc (124: it did not end,
# and was killed).
vnlctl_bg_done() {
	local i
	if [[ ${1:-} == INT ]]; then
		nap 1
		kill -INT "$vnlctl_pid"
	fi
	for ((i = 0; i < 400; i++)); do
		kill -0 "$vnlctl_pid" 2>/dev/null || break
		nap 0.05
	done
	if kill -0 "$vnlctl_pid" 2>/dev/null; then
		kill -KILL "$vnlctl_pid"
		wait "$vnlctl_pid" 2>/dev/null
		vnlctl_rc=124
		return
	fi
	wait "$vnlctl_pid"
	vnlctl_rc=$?
}

trace_close() {
	if [[ -n $TRACE_INST && -d $TRACE_INST ]]; then
		echo 0 >"$TRACE_INST/events/enable" 2>/dev/null
		rmdir "$TRACE_INST" 2>/dev/null
	fi
	TRACE_INST=
	if [[ -n $_TRACEFS_MOUNTED ]]; then
		umount "$TRACEFS" 2>/dev/null
		_TRACEFS_MOUNTED=
	fi
	return 0
}

# --- XDP: the programs of selftests/xdp/ on a device ----------------------------

# xdp/xdp_act.bpf.c, built per verdict by make -C selftests.
XDP_DIR=$VNL_SELFTESTS/xdp
XDP_VERDICTS=(aborted drop pass tx redirect)
declare -A XDP_MAP

# What the XDP tests need: the programs built on the host, bpftool to read
# their maps, and a kernel with the bpf() system call.
require_xdp() {
	require_root
	require_cmd ip bpftool
	[[ -f $XDP_DIR/xdp_pass.bpf.o ]] ||
		{ echo "FAIL: $XDP_DIR/xdp_pass.bpf.o not built (make -C selftests)"; exit $ksft_fail; }
	[[ -d /sys/fs/bpf ]] || skip_test "no /sys/fs/bpf: a kernel without the bpf() system call"
}

# reference_runs NAME: true when this test runs its reference half, the
# same experiment on the kernel's own device NAME (veth, tun).  Not on the
# debug kernel: what that kernel adds (KASAN, lockdep, kmemleak) checks
# vnl's code, the stock kernels run the reference, and there it would
# double the test's cost.  Says so in an INFO line, not a SKIP: vnl's half
# still decides the test.
reference_runs() {
	[[ ${VNL_KERNEL:-} == debug ]] || return 0
	echo "# INFO: $1 (the reference) not run on the debug kernel: the stock kernels run it"
	return 1
}

# xdp_one_cpu: this test and every process it starts run on CPU 0.
# Attaching or detaching an XDP program rewrites the kernel's BPF
# dispatcher, code that every XDP program runs through, with text_poke();
# under TCG a vCPU running that code while another rewrote it met the
# rewrite half done: the 7.2 guest died of an int3 Oops in
# bpf_dispatcher_xdp_func, and 5.10's locked a CPU there, with the
# kernel's veth alone and no vnl code on the path.  On one CPU the
# program still runs while the test attaches and detaches (softirq,
# between the attaching task's steps), and the frames still flow; only
# that emulator race is gone.  Kernel threads (a cpumap's) still run on
# their own CPUs.
xdp_one_cpu() {
	taskset -p -c 0 $$ >/dev/null || skip_test "needs taskset (util-linux)"
}

# xdp_load NS DEV VERDICT: loads xdp_VERDICT.bpf.o on DEV in driver
# (native) mode with ip, replacing any program there, and remembers the
# ids of its maps (xdp_map_id).  ip's message on stderr if it fails.
xdp_load() {
	local ns=$1 dev=$2 sec=xdp prog name id ids maps all re
	[[ $3 == frags ]] && sec=xdp.frags
	ip -n "$ns" -force link set dev "$dev" xdpdrv obj "$XDP_DIR/xdp_$3.bpf.o" sec "$sec" ||
		return 1
	prog=$(xdp_prog_id "$ns" "$dev") || return 1
	maps=$(bpftool -j prog show id "$prog") || return 1
	[[ $maps =~ \"map_ids\":\[([0-9,]*)\] ]] || return 1
	ids=${BASH_REMATCH[1]//,/ }
	all=$(bpftool -j map show) || return 1
	for name in xdp_counts xdp_target xdp_devmap xdp_cpumap; do
		unset "XDP_MAP[$ns/$dev/$name]"
		for id in $ids; do
			re="\{\"id\":$id,[^{}]*\"name\":\"$name\""
			[[ $all =~ $re ]] && XDP_MAP[$ns/$dev/$name]=$id
		done
	done
	[[ -n ${XDP_MAP[$ns/$dev/xdp_counts]:-} ]]
}

# xdp_unload NS DEV: no program on DEV (driver mode).
xdp_unload() {
	ip -n "$1" link set dev "$2" xdpdrv off
}

# xdp_prog_id NS DEV: the id of DEV's driver-mode program; fails when it
# has none (or only a generic one).
xdp_prog_id() {
	local out
	out=$(ip -n "$1" -o link show dev "$2") || return 1
	[[ $out =~ prog/xdp\ id\ ([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# xdp_map_id NS DEV MAP: the id of the map MAP (xdp_counts, xdp_target,
# xdp_devmap, xdp_cpumap) of the program xdp_load put on DEV.
xdp_map_id() {
	[[ -n ${XDP_MAP[$1/$2/$3]:-} ]] && echo "${XDP_MAP[$1/$2/$3]}"
}

# xdp_set NS DEV MAP KEY VALUE: a 32-bit entry of MAP, written from NS
# (a devmap takes the ifindex of a device in the writer's netns).
xdp_set() {
	local id key value
	id=$(xdp_map_id "$1" "$2" "$3") || return 1
	read -ra key <<<"$(_le32 "$4")"
	read -ra value <<<"$(_le32 "$5")"
	ip netns exec "$1" bpftool map update id "$id" key "${key[@]}" value "${value[@]}"
}

# The four bytes of a 32-bit number, little end first, as bpftool wants.
_le32() {
	echo "$(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))"
}

# xdp_counts NS DEV: how many frames DEV's program gave each verdict, as
# "aborted=A drop=D pass=P tx=T redirect=R" (xdp_counts, entry per verdict).
xdp_counts() {
	local id out v=() k
	id=$(xdp_map_id "$1" "$2" xdp_counts) || return 1
	out=$(bpftool -j map dump id "$id") || return 1
	# With the map's BTF each entry is {"key":K,"value":V}.
	while [[ $out =~ \{\"key\":([0-9]+),\"value\":([0-9]+)\} ]]; do
		v[BASH_REMATCH[1]]=${BASH_REMATCH[2]}
		out=${out/"${BASH_REMATCH[0]}"/}
	done
	for k in "${!XDP_VERDICTS[@]}"; do
		printf '%s=%s ' "${XDP_VERDICTS[k]}" "${v[k]:-?}"
	done | sed 's/ $//'
}

# require_native_xdp NS DEV: true when DEV takes a native (driver-mode)
# XDP program (xdp_pass, loaded and taken off again).  When the driver has
# no XDP (EOPNOTSUPP: "does not support XDP in native mode"), a kernel
# device (veth, tun: the reference) gets a SKIP line saying so and
# returns 1, its half of the test skipped; a vnl device, which has native
# XDP (kmod/xdp.c), fails.  Any other failure is a FAIL.
require_native_xdp() {
	local err drv
	if err=$(xdp_load "$1" "$2" pass 2>&1); then
		xdp_unload "$1" "$2"
		return 0
	fi
	drv=$(ip netns exec "$1" ethtool -i "$2" 2>/dev/null)
	if [[ $err == *"not support XDP in native mode"* || $err == *"Operation not supported"* ]] &&
		[[ $drv != *"driver: vnl"* ]]; then
		check_skip "$2: native XDP" "the driver refuses it (EOPNOTSUPP): ${err//$'\n'/ }"
		echo "SKIP: $TEST_NAME: $2 has no native XDP (EOPNOTSUPP); the kernel's device's half ran"
		return 1
	fi
	check_fail "$2: native XDP: xdp_pass loads" "ip link set dev $2 xdpdrv: ${err//$'\n'/ }"
	return 1
}
