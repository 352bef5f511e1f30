# SPDX-License-Identifier: GPL-2.0
#
# What the fault and stress selftests (fault_*.sh, stress.sh,
# module_reload.sh) share, sourced after lib.sh: their helper program
# (vnl_fault), background traffic, memory readings, and the report line.
#
# The report: each of these tests ends its output with one line
#
#   # vnl-report: TEST faults=N ops=N packets=N errors=N [key=N...]
#
# which tools/stress (`make stress`) adds up into its summary.  faults:
# faults injected (a deletion or a move under traffic, an rmmod with
# devices, a full queue); ops: control operations done (netlink
# requests, ioctls, ip commands); packets: frames or datagrams sent;
# errors: errors that were expected and counted (a race's EEXIST, the
# EBADFD of a deleted device's reader); other keys say more.  The line is
# printed from the EXIT trap, so a test that stops early reports too.
# The fuzzers (fuzz_genl.c, fuzz_chardev.c) print the same line, at their
# harness's exit.

FAULT_BIN=$(dirname "$0")/vnl_fault
[[ -x $FAULT_BIN ]] || { echo "FAIL: $FAULT_BIN not built (make -C selftests)"; exit "$ksft_fail"; }

declare -A REPORT=()
REPORT_KEYS=()
_REPORTED=

# report_add KEY N: adds N to the report's KEY.
report_add() {
	if [[ -z ${REPORT[$1]+set} ]]; then
		REPORT[$1]=0
		REPORT_KEYS+=("$1")
	fi
	REPORT[$1]=$((REPORT[$1] + ${2:-1}))
}

report_add faults 0
report_add ops 0
report_add packets 0
report_add errors 0

report_print() {
	local k line="# vnl-report: $TEST_NAME"
	[[ -n $_REPORTED ]] && return 0
	_REPORTED=1
	for k in "${REPORT_KEYS[@]}"; do
		line+=" $k=${REPORT[$k]}"
	done
	echo "$line"
}

# kv LINE KEY: the value of KEY=VALUE in LINE (vnl_fault's result lines).
kv() {
	local re="(^|[[:space:]])$2=([^[:space:]]*)"
	[[ $1 =~ $re ]] || return 1
	printf '%s\n' "${BASH_REMATCH[2]}"
}

# The sum of every err_X=N of a vnl_fault result line.
err_sum() {
	local w n=0
	for w in $1; do
		[[ $w =~ ^err_[A-Z0-9]+=([0-9]+)$ ]] && n=$((n + BASH_REMATCH[1]))
	done
	echo "$n"
}

# result_line FILE PREFIX: the last line of FILE that starts with PREFIX.
result_line() {
	local line out=
	[[ -f $1 ]] || return 1
	while IFS= read -r line; do
		[[ $line == "$2"* ]] && out=$line
	done <"$1"
	[[ -n $out ]] && printf '%s\n' "$out"
}

has_line() {
	result_line "$1" "$2" >/dev/null
}

# wait_exit SECONDS PID: waits for a background process of this shell to
# end, at most SECONDS; fails (and leaves it running) after that.
wait_exit() {
	local end=$((SECONDS + $1))
	while kill -0 "$2" 2>/dev/null; do
		((SECONDS >= end)) && return 1
		nap 0.1
	done
	wait "$2" 2>/dev/null
	return 0
}

# A flood ping in the background, its summary in FILE: flood_ping FILE NS
# ADDR [ARGS...].  Stop it with stop_ping FILE PID: the number of echo
# requests it sent, added to the report's packets.
flood_ping() {
	local file=$1 ns=$2 addr=$3
	shift 3
	ip netns exec "$ns" "${PING[@]}" -q "${FLOOD[@]}" "$@" "$addr" >"$file" 2>&1 &
	track_bg $!
	FLOOD_PID=$!
}

stop_ping() {
	local file=$1 pid=$2 n=0
	kill -INT "$pid" 2>/dev/null
	wait_exit 10 "$pid" || { kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	[[ $(<"$file") =~ ([0-9]+)\ packets\ transmitted ]] && n=${BASH_REMATCH[1]}
	report_add packets "$n"
	echo "$n"
}

# The kernel's view of memory, in kB.
meminfo_kb() {
	local key val _
	while read -r key val _; do
		[[ $key == "$1:" ]] && { echo "$val"; return 0; }
	done </proc/meminfo
	return 1
}

# The rx (or tx) packets and drops of a device, as `ip -s link` counts.
ip_stat() {
	local ns=$1 dev=$2 dir=$3 key=$4 out
	out=$(ip -n "$ns" -s -j link show dev "$dev") || return 1
	[[ $out =~ \"$dir\":(\{[^{}]*\}) ]] || return 1
	json_get "${BASH_REMATCH[1]}" "$key"
}

# The number of vnl devices vnlctl lists in a netns ("" for the caller's).
vnl_devs() {
	local nsopt=() out
	[[ -n ${1:-} ]] && nsopt=(-n "$1")
	out=$(vnlctl "${nsopt[@]}" -j show) || return 1
	jq length <<<"$out"
}

# no_rx_handler NS DEV: DEV can be enslaved to a bridge, so no receive
# handler (a macvlan port that outlived its children) is left on it; the
# bridge is deleted again.
no_rx_handler() {
	local ns=$1 dev=$2 br="fbr$RANDOM" rc=0
	ip -n "$ns" link add "$br" type bridge || return 1
	ip -n "$ns" link set "$dev" master "$br" || rc=1
	ip -n "$ns" link set "$dev" nomaster 2>/dev/null
	ip -n "$ns" link del "$br"
	return $rc
}
