#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Four workers at once for VNL_STRESS_SECONDS (default 60, and never less:
# a shorter value is raised to 60), each hammering one side of vnl while
# the others change the ground under it (S0..S3 are four netns):
#
#   1 pairs     vnl_fault pairs: through the family, pairs sp<i> (S0) -
#               sq<i> (S1..S3) made, both ends brought up, and one pair
#               end deleted (wherever it moved), round after round, over
#               8 names: adds meet existing pairs, deletes missing or
#               moved ones; vnlctl add pair / del every few seconds too
#   2 tun/tap   vnl_fault churn: open /dev/vnl, TUNSETIFF st<i> (tun or
#               tap, single- or multi-queue, at random; created, or
#               attached after EINVAL for the wrong kind or queue mode),
#               up, write 4 frames, now and then TUNSETPERSIST 1 (or 0 on
#               a persistent one, which the close then deletes), close;
#               between bursts vnlctl add tun/tap st<i> and vnlctl del
#   3 macvlan   vnl_fault children: children mv<i> of the shared parent
#               spar (a kernel veth in S0) made in S1..S3 and brought up,
#               a child, pair end sq<i> or tap st<i> moved to another
#               netns (RTM_NEWLINK IFLA_NET_NS_FD) and brought up there,
#               a child deleted, round after round
#   4 dumps and traffic
#               vnlctl show and -j show in every netns; 64 frames blasted
#               out of two of the devices it finds in each netns
#               (AF_PACKET); a ping over a pair kept for it (kx0 in S1 -
#               kx1 in S2); broadcasts into spar's children through its
#               veth peer sout all along; and vnlctl monitor in S0..S3
#               all along, counting events
#
# Errors a race explains are expected and counted by kind, each only from
# the operations that can meet that race: EEXIST (the name exists: made by
# the worker itself earlier, or moved into that netns), ENODEV (deleted or
# moved away meanwhile), ENETDOWN and ENXIO (sending on a device going down
# or away), ENOBUFS (a full queue), EADDRINUSE (a child's address taken
# on its parent).  The tun/tap worker is held closer, since it is alone on its
# st<i> in S0 but for the moves: vnlctl add meets EEXIST and vnlctl del
# ENODEV (random names); /dev/vnl churn meets EINVAL only for a TUNSETIFF
# of the wrong kind or queue mode, retried until one attaches (EINVAL
# after the four combinations is unexpected), and ENODEV (bringing it up)
# and EIO (writing to it) only after a move took the device out of S0
# (vnl_fault checks each one: anything else is bad_X); so the churn's
# ENODEV and EIO are at most one and four per tap moved out of S0.  And
# each worker must have succeeded at its work: the churn, for one, created
# devices and wrote frames.  Anything else is unexpected, and so is a command or worker that
# hangs, or a ping over kx0-kx1 answered less than half the time: each
# fails the test.  A crash or a splat fails the run (the runner checks the
# kernel log).
#
# Afterwards what is left of each worker's devices is deleted, wherever
# it moved (vnl_fault reap): then no vnl device is left in any netns,
# rmmod vnl goes through, and insmod brings vnl back.  What was done is
# printed, by worker and by kind of error, and summed up in the report
# line.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

require_vnl
require_ping
require_cmd jq

SECS=${VNL_STRESS_SECONDS:-60}
if ! [[ $SECS =~ ^[0-9]+$ ]] || ((SECS < 60)); then
	echo "INFO: VNL_STRESS_SECONDS=$SECS: the stress test runs at least 60 s; using 60"
	SECS=60
fi
POOL=8

cleanup() { report_print; vnl_reload; }

setup_ns S0 S1 S2 S3
SS=("$S0" "$S1" "$S2" "$S3")
no_ipv6 "${SS[@]}"
init_links=$(link_names)

ip -n "$S0" link add spar type veth peer name sout &&
	ip -n "$S0" link set spar up && ip -n "$S0" link set sout up &&
	vnlctl add pair kx0 peer kx1 netns "$S1" peer-netns "$S2" &&
	ip -n "$S1" addr add 10.95.0.1/24 dev kx0 && ip -n "$S1" link set kx0 up &&
	ip -n "$S2" addr add 10.95.0.2/24 dev kx1 && ip -n "$S2" link set kx1 up ||
	{ echo "FAIL: setup"; exit "$ksft_fail"; }
check "the pair kept for pings (kx0 in S1, kx1 in S2) pings" vping "$S1" 10.95.0.2 -c 1 -w 30

# --- what every worker shares ----------------------------------------------------------

# Each worker counts into W (ops, packets, err_X, ...) and notes its
# unexpected failures in $TEST_TMP/<worker>.bad; it prints W at the end.
declare -A W

count() { W[$1]=$((${W[$1]:-0} + ${2:-1})); }

# The errno a failed command's message names.
errno_of() {
	case ${1,,} in
	*"file exists"*) echo EEXIST ;;
	*"no such device or address"*) echo ENXIO ;;
	*"no such device"* | *"cannot find device"* | *"does not exist"*) echo ENODEV ;;
	*"device or resource busy"*) echo EBUSY ;;
	*"invalid argument"*) echo EINVAL ;;
	*"network is down"*) echo ENETDOWN ;;
	*) echo OTHER ;;
	esac
}

# op KINDS COMMAND...: runs COMMAND (bounded: 60 s); on failure, counts its
# errno if KINDS (a |-separated list) expects it, and notes it as
# unexpected otherwise.  Its status is COMMAND's.
op() {
	local kinds=$1 err rc e
	shift
	count ops
	local t0=$SECONDS
	err=$(timeout 60 "$@" 2>&1 >/dev/null)
	rc=$?
	[[ -n ${VNL_STRESS_VERBOSE:-} ]] && echo "[$t0+$((SECONDS - t0))] rc=$rc $* ${err//$'\n'/ }" >>"$TEST_TMP/$WORKER.log"
	((rc == 0)) && return 0
	if ((rc == 124 || rc == 137)); then
		echo "hung (60 s): $*" >>"$TEST_TMP/$WORKER.bad"
		count unexpected
		return $rc
	fi
	e=$(errno_of "$err")
	if [[ "|$kinds|" == *"|$e|"* ]]; then
		count "err_$e"
	else
		echo "exit $rc: $*: ${err//$'\n'/ }" >>"$TEST_TMP/$WORKER.bad"
		count unexpected
	fi
	return $rc
}

# names_like REGEX: "netns name" of every link of S0..S3 whose name
# matches, one a line (one process for the four netns).
names_like() {
	"$FAULT_BIN" names "$1" "${SS[@]}"
}

# The netns (of S0..S3) where a device of that name is, if any.
where() {
	local line
	line=$(names_like "^$1\$") && [[ -n $line ]] || return 1
	echo "${line%% *}"
}


# absorb LINE ACCEPT: adds the key=N words of a vnl_fault result line to
# W; an err_X whose X is not in ACCEPT (|-separated) is unexpected.
absorb() {
	local w k v
	for w in ${1#*:}; do
		k=${w%%=*} v=${w#*=}
		[[ $v =~ ^[0-9]+$ ]] || continue
		if [[ $k == bad_* || ($k == err_* && "|$2|" != *"|${k#err_}|"*) ]]; then
			echo "unexpected $w in: $1" >>"$TEST_TMP/$WORKER.bad"
			count unexpected "$v"
		elif [[ $k == frames || $k == sent ]]; then
			count packets "$v"
		elif [[ $k != errors ]]; then
			count "$k" "$v"
		fi
	done
}

# run_c PREFIX ACCEPT COMMAND...: a vnl_fault worker, bounded, absorbed;
# its result line is left in RUN_C_LINE.
run_c() {
	local prefix=$1 accept=$2 out
	shift 2
	RUN_C_LINE=
	out=$(timeout $((SECS + 120)) "$@" 2>&1)
	if [[ $out != "$prefix:"* ]]; then
		echo "$*: ${out//$'\n'/ }" >>"$TEST_TMP/$WORKER.bad"
		count unexpected
		return 1
	fi
	RUN_C_LINE=$out
	absorb "$out" "$accept"
}

# reap REGEX: deletes what is left, wherever it is (a pair end takes its
# peer: ENODEV for that one).
reap() {
	local out
	out=$(timeout 120 "$FAULT_BIN" reap "$1" "${SS[@]}" 2>&1)
	if [[ $out != reap:* || $(kv "$out" left) != 0 ]]; then
		echo "reap $1: ${out//$'\n'/ }" >>"$TEST_TMP/$WORKER.bad"
		count unexpected
	fi
	out=${out/deleted=/reaped=}
	out=${out/ passes=/ reap_passes=}
	absorb "${out/ left=/ reap_left=}" "ENODEV"
}

finish() {
	local k line="$WORKER:"
	for k in $(printf '%s\n' "${!W[@]}" | sort); do
		line+=" $k=${W[$k]}"
	done
	echo "$line"
}

END=$((SECONDS + SECS))

# --- 1. pairs ----------------------------------------------------------------------------

# The family's worker, and every few seconds vnlctl doing the same.
worker_pairs() {
	local WORKER=pairs i ns
	(
		while ((SECONDS < END)); do
			i=$((RANDOM % POOL))
			ns=${SS[1 + RANDOM % 3]}
			op "EEXIST" vnlctl add pair "sp$i" peer "sq$i" netns "$S0" peer-netns "$ns" &&
				count vnlctl_made
			nap 1
			i=$((RANDOM % POOL))
			op "ENODEV" vnlctl -n "$S0" del "sp$i" && count vnlctl_deleted
			nap 1
		done
		finish
	) >"$TEST_TMP/pairs-vnlctl.out" 2>&1 &
	run_c pairs "EEXIST|ENODEV" "$FAULT_BIN" pairs "${SS[@]}" -t "$SECS"
	wait
	absorb "$(result_line "$TEST_TMP/pairs-vnlctl.out" pairs:)" "EEXIST|ENODEV"
	reap '^s[pq][0-9]+$'
	finish
}

# --- 2. tun and tap ----------------------------------------------------------------------

# Each round: a burst of /dev/vnl churn, then a tun or tap made by vnlctl
# and one deleted.
worker_tuntap() {
	local WORKER=tuntap i kind ns
	while ((SECONDS < END)); do
		# ENODEV and EIO: after a move (vnl_fault tells them apart).
		# The refusals retried are EINVALs, expected and counted.
		if run_c churn "ENODEV|EIO" "$FAULT_BIN" -N "$S0" churn st "$POOL" -t 3; then
			count err_EINVAL "$(kv "$RUN_C_LINE" refused)"
			count churn_moved $(($(kv "$RUN_C_LINE" err_ENODEV || echo 0) + \
				$(kv "$RUN_C_LINE" err_EIO || echo 0)))
			count churn_frames "$(kv "$RUN_C_LINE" frames)"
		fi
		count churn_bursts
		i=$((RANDOM % POOL))
		kind=$([[ $((RANDOM % 2)) == 0 ]] && echo tun || echo tap)
		op "EEXIST" vnlctl -n "$S0" add "$kind" "st$i" && count vnlctl_made
		i=$((RANDOM % POOL))
		ns=$(where "st$i") || ns=$S0
		op "ENODEV" vnlctl -n "$ns" del "st$i" && count vnlctl_deleted
	done
	reap '^st[0-9]+$'
	finish
}

# --- 3. macvlan children, and moves --------------------------------------------------------

worker_macvlan() {
	local WORKER=children
	run_c children "EEXIST|ENODEV|EADDRINUSE" "$FAULT_BIN" children spar "${SS[@]}" -t "$SECS"
	reap '^mv[0-9]+$'
	finish
}

# --- 4. dumps and traffic -------------------------------------------------------------------

worker_dump() {
	local WORKER=dump ns json names n out k v ok=0 lost=0
	while ((SECONDS < END)); do
		for ns in "${SS[@]}"; do
			op "" vnlctl -n "$ns" show && count dumps
			json=$(timeout 60 vnlctl -n "$ns" -j show 2>&1)
			count ops
			if ! names=$(jq -r '.[].ifname' <<<"$json" 2>/dev/null); then
				echo "vnlctl -j show: not JSON: $json" >>"$TEST_TMP/$WORKER.bad"
				count unexpected
				continue
			fi
			count dumps
			count devices_seen "$(jq length <<<"$json")"
			# Two of them get 64 frames each.
			for n in $(shuf -n 2 -e $names 2>/dev/null); do
				out=$(timeout 60 "$FAULT_BIN" -N "$ns" blast "$n" -n 64 -t 2 2>&1)
				count blasts
				if [[ $out == blast:* ]]; then
					for w in ${out#blast:}; do
						k=${w%%=*} v=${w#*=}
						case $k in
						sent) count packets "$v" ;;
						err_ENXIO | err_ENODEV | err_ENETDOWN | err_ENOBUFS) count "$k" "$v" ;;
						err_*)
							echo "blast $n: unexpected $w" >>"$TEST_TMP/$WORKER.bad"
							count unexpected "$v"
							;;
						esac
					done
				elif [[ $out == *"No such device"* ]]; then
					count err_ENODEV	# gone before it started
				else
					echo "blast $n: $out" >>"$TEST_TMP/$WORKER.bad"
					count unexpected
				fi
			done
		done
		count pings
		count packets
		if vping "$S1" 10.95.0.2 -c 1 -W 5; then
			ok=$((ok + 1))
		else
			lost=$((lost + 1))
		fi
	done
	W[pings_answered]=$ok
	W[pings_lost]=$lost
	finish
}

# --- run them --------------------------------------------------------------------------------

MON_PIDS=()
for ns in "${SS[@]}"; do
	vnlctl -n "$ns" monitor >"$TEST_TMP/monitor.${ns}" 2>&1 &
	track_bg $!
	MON_PIDS+=($!)
done
# Broadcasts into spar, for its children wherever they are, all along.
"$FAULT_BIN" -N "$S0" blast sout -t "$SECS" -r 2000 >"$TEST_TMP/bcast" 2>&1 &
bcast=$!
track_bg "$bcast"
nap 1

echo "INFO: four workers for $SECS s"
start=$SECONDS
worker_pairs >"$TEST_TMP/pairs.out" 2>&1 &
p1=$!
worker_tuntap >"$TEST_TMP/tuntap.out" 2>&1 &
p2=$!
worker_macvlan >"$TEST_TMP/children.out" 2>&1 &
p3=$!
worker_dump >"$TEST_TMP/dump.out" 2>&1 &
p4=$!
track_bg "$p1"
track_bg "$p2"
track_bg "$p3"
track_bg "$p4"

hung=()
for w in "pairs $p1" "tuntap $p2" "children $p3" "dump $p4"; do
	wait_exit $((SECS + 240 - (SECONDS - start))) "${w#* }" || hung+=("${w% *}")
done
echo "INFO: the workers ran and cleaned up in $((SECONDS - start)) s"
check_eq "every worker finished (and cleaned up) in time" "" "${hung[*]}"
wait_exit 30 "$bcast"

# --- what was done ----------------------------------------------------------------------------

# T[worker/key] for each worker's counters, TOTAL[key] for the shared ones.
declare -A T TOTAL
echo "INFO: what each worker did:"
for w in pairs tuntap children dump; do
	line=$(result_line "$TEST_TMP/$w.out" "$w:")
	echo "INFO:   ${line:-$w: (no result)}"
	for kvp in ${line#*:}; do
		k=${kvp%%=*} v=${kvp#*=}
		[[ $v =~ ^[0-9]+$ ]] || continue
		T[$w/$k]=$v
		[[ $k == ops || $k == packets || $k == unexpected || $k == err_* ]] &&
			TOTAL[$k]=$((${TOTAL[$k]:-0} + v))
	done
done
line=$(result_line "$TEST_TMP/bcast" "blast:")
echo "INFO:   broadcasts into spar: ${line#blast: }"
TOTAL[packets]=$((${TOTAL[packets]:-0} + $(kv "$line" sent || echo 0)))
for m in "${MON_PIDS[@]}"; do
	kill "$m" 2>/dev/null
	wait "$m" 2>/dev/null
done
events=0
for ns in "${SS[@]}"; do
	events=$((events + $(grep -c . "$TEST_TMP/monitor.${ns}")))
done
echo "INFO: vnlctl monitor printed $events events in S0..S3"

[[ -n ${VNL_STRESS_VERBOSE:-} ]] && tail -n 40 "$TEST_TMP"/*.log "$TEST_TMP"/*.out
bad=$(cat "$TEST_TMP"/*.bad 2>/dev/null)
errors=0
for k in "${!TOTAL[@]}"; do
	[[ $k == err_* ]] && errors=$((errors + TOTAL[$k]))
done
echo "INFO: expected errors by kind:$(for k in $(printf '%s\n' "${!TOTAL[@]}" | sort); do
	[[ $k == err_* ]] && printf ' %s=%s' "${k#err_}" "${TOTAL[$k]}"
done)"
n() { echo "${T[$1]:-0}"; }
check_eq "no unexpected failure (hang, unknown error)" 0 "${TOTAL[unexpected]:-0}" ||
	printf '    %s\n' "${bad:0:2000}"
check "pairs were made and deleted ($(n pairs/made), $(n pairs/deleted); by vnlctl $(n pairs/vnlctl_made), $(n pairs/vnlctl_deleted))" \
	test "$(n pairs/made)" -gt 0 -a "$(n pairs/deleted)" -gt 0
check "tun/tap devices were made through /dev/vnl ($(n tuntap/created)) and vnlctl ($(n tuntap/vnlctl_made))" \
	test "$(n tuntap/created)" -gt 0 -a "$(n tuntap/vnlctl_made)" -gt 0
echo "INFO: /dev/vnl churn attached to what it found $(n tuntap/attached) times, after $(n tuntap/refused) refusals (wrong kind or queue mode)"
check "/dev/vnl churn wrote frames ($(n tuntap/churn_frames))" test "$(n tuntap/churn_frames)" -gt 0
check "/dev/vnl churn's ENODEV and EIO ($(n tuntap/churn_moved)) are at most 5 per tap moved out of S0 ($(n children/st_moves_out))" \
	test "$(n tuntap/churn_moved)" -le $((5 * $(n children/st_moves_out)))
check "children were made ($(n children/made)), moved ($(n children/moves) moves) and deleted ($(n children/deleted))" \
	test "$(n children/made)" -gt 0 -a "$(n children/moves)" -gt 0 -a "$(n children/deleted)" -gt 0
check "dumps were taken ($(n dump/dumps)) and packets sent (${TOTAL[packets]:-0})" \
	test "$(n dump/dumps)" -gt 0 -a "${TOTAL[packets]:-0}" -gt 0
check "the ping over kx0-kx1 was answered ($(n dump/pings_answered) of $(n dump/pings))" \
	test $((2 * $(n dump/pings_answered))) -ge "$(n dump/pings)" -a "$(n dump/pings_answered)" -gt 0
check "vnlctl monitor saw events ($events)" test "$events" -gt 0

report_add ops "${TOTAL[ops]:-0}"
report_add packets "${TOTAL[packets]:-0}"
report_add errors "$errors"
report_add faults $(($(n children/moves) + $(n pairs/deleted) + $(n pairs/vnlctl_deleted) + \
	$(n tuntap/vnlctl_deleted) + $(n children/deleted)))
report_add unexpected "${TOTAL[unexpected]:-0}"
report_add seconds "$SECS"
report_add moves "$(n children/moves)"
report_add dumps "$(n dump/dumps)"
report_add events "$events"
for k in $(printf '%s\n' "${!TOTAL[@]}" | sort); do
	[[ $k == err_* ]] && report_add "$k" "${TOTAL[$k]}"
done

# --- nothing left, and the module goes and comes back ----------------------------------------

vnlctl -n "$S1" del kx0 >/dev/null 2>&1
left=()
for ns in "" "${SS[@]}"; do
	c=$(vnl_devs "$ns")
	[[ $c == 0 ]] || left+=("${ns:-init}: $c ($(vnlctl ${ns:+-n "$ns"} -j show | jq -r '[.[].ifname] | join(" ")'))")
done
check_eq "no vnl device left in any netns" "" "${left[*]}"
check_eq "the init netns has the links it had" "$init_links" "$(link_names)"
if in_guest_with_module; then
	wait_module_idle
	check "rmmod vnl" timeout 120 rmmod vnl
	check "spar (the children's parent) keeps no receive handler" no_rx_handler "$S0" spar
	check "insmod vnl.ko" insmod "$VNL_KO"
	check "vnlctl works" vnlctl version
else
	check_skip "rmmod and insmod" "unloads vnl.ko: only in a tools/vm/run guest"
fi

exit_status
