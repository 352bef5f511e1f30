#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Four workers at once for VNL_STRESS_SECONDS (default 60, and never less:
# a shorter value is raised to 60), each hammering one side of vnl while
# the others change the ground under it:
#
#   1 pairs     vnlctl add pair sp<i> (S0) peer sq<i> (S1..S3), both ends
#               up, vnlctl del: over 8 names, so adds meet existing pairs
#               and deletes meet missing or moved ones
#   2 tun/tap   vnl_fault churn: open /dev/vnl, TUNSETIFF st<i> (tun or
#               tap, created or attached), up, write 4 frames, sometimes
#               TUNSETPERSIST, close; between bursts vnlctl add tun/tap
#               st<i> and vnlctl del (in S0)
#   3 macvlan   vnlctl add macvlan mv<i> on the shared parent spar (a
#               kernel veth in S0) in S1..S3, up, vnlctl del; and moves
#               (ip link set netns) of children, of pair ends sq<i> and
#               of taps st<i> between S0..S3
#   4 dumps and traffic
#               vnlctl show and -j show in every netns; 64 frames blasted
#               out of two of the devices it finds in each netns (AF_PACKET); a ping
#               over a pair kept for it (kx0 in S1 - kx1 in S2); and
#               vnlctl monitor in S0..S3 all along, counting events
#
# Errors a race explains are expected and counted by kind: EEXIST (the
# name exists: made by the worker itself earlier, or moved into that
# netns), ENODEV (deleted or moved away meanwhile), EBUSY (a single-queue
# tap already attached), EINVAL (TUNSETIFF of a tun on a tap's name, or
# the reverse; a multi-queue request for a single-queue device), ENETDOWN
# and ENXIO (sending on a device going down or away), EIO (writing to a
# tun/tap that is down: moved, being deleted).  Anything else is
# unexpected, and so is a command that hangs (60 s), a worker that does
# not finish, or a ping over kx0-kx1 that is answered less than half the
# time: each fails the test.  A crash or a splat fails the run (the
# runner checks the kernel log).
#
# Afterwards each worker deletes what is left of its devices, wherever
# they moved: then no vnl device is left in any netns, rmmod vnl goes
# through, and insmod brings vnl back.  What was done is printed, by
# worker and by kind of error, and summed up in the report line.

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

rand_ns() { echo "${SS[RANDOM % 4]}"; }
rand_peer_ns() { echo "${SS[1 + RANDOM % 3]}"; }

# del_all REGEX: deletes every device whose name matches, wherever it is,
# until a whole pass finds none (another worker may still be moving
# one).  A pair end may go with its peer meanwhile: ENODEV is expected.
del_all() {
	local pass line
	for ((pass = 0; pass < 10; pass++)); do
		# (No process substitution: the guest has no /dev/fd.)
		mapfile -t left <<<"$(names_like "$1")"
		[[ -z ${left[0]:-} ]] && left=()
		((${#left[@]})) || return 0
		for line in "${left[@]}"; do
			op "ENODEV" vnlctl -n "${line% *}" del "${line#* }"
		done
	done
	echo "still there after 10 passes: ${left[*]}" >>"$TEST_TMP/$WORKER.bad"
	count unexpected
}

finish() {
	local k line="$WORKER:"
	for k in $(printf '%s\n' "${!W[@]}" | sort); do
		line+=" $k=${W[$k]}"
	done
	echo "$line"
}

END=$((SECONDS + SECS))

# pick_existing REGEX: "netns name" of one device matching REGEX, chosen at
# random, or nothing.  Three times in four a delete goes to a device
# listed a moment ago (which may since have moved or gone: the race), the
# fourth time to a name from the pool, which may not exist at all.
pick_existing() {
	local -a found
	mapfile -t found <<<"$(names_like "$1")"
	[[ -n ${found[0]:-} ]] || return 1
	echo "${found[RANDOM % ${#found[@]}]}"
}

# del_some REGEX POOL_PREFIX COUNTER: deletes one device as above.
del_some() {
	local line ns name
	if ((RANDOM % 4)) && line=$(pick_existing "$1"); then
		ns=${line% *} name=${line#* }
	else
		name=$2$((RANDOM % POOL))
		ns=$(where "$name") || ns=$(rand_ns)
	fi
	op "ENODEV" vnlctl -n "$ns" del "$name" && count "$3"
}

# --- 1. pairs ----------------------------------------------------------------------------

# Each round: a pair made and brought up, then one deleted.
worker_pairs() {
	local WORKER=pairs i ns
	while ((SECONDS < END)); do
		i=$((RANDOM % POOL))
		ns=$(rand_peer_ns)
		if op "EEXIST" vnlctl add pair "sp$i" peer "sq$i" netns "$S0" peer-netns "$ns"; then
			count pairs_made
			op "ENODEV" ip -n "$S0" link set "sp$i" up
			op "ENODEV" ip -n "$ns" link set "sq$i" up
		fi
		del_some '^s[pq][0-9]+$' sp pairs_deleted
	done
	del_all '^s[pq][0-9]+$'
	finish
}

# --- 2. tun and tap ----------------------------------------------------------------------

# Each round: a burst of /dev/vnl churn, then a tun or tap made by vnlctl
# and one deleted.
worker_tuntap() {
	local WORKER=tuntap i out w k v kind
	while ((SECONDS < END)); do
		out=$(timeout 60 "$FAULT_BIN" -N "$S0" churn st "$POOL" -t 2 2>&1)
		count churn_bursts
		if [[ $out != churn:* ]]; then
			echo "churn: $out" >>"$TEST_TMP/$WORKER.bad"
			count unexpected
		fi
		for w in ${out#churn:}; do
			k=${w%%=*} v=${w#*=}
			case $k in
			ops) count ops "$v"; count ioctl_ops "$v" ;;
			frames) count packets "$v" ;;
			created | attached | persist) count "tun_$k" "$v" ;;
			err_EEXIST | err_ENODEV | err_EBUSY | err_EINVAL | err_EIO | err_ENETDOWN | err_ENXIO)
				count "$k" "$v" ;;
			err_*)
				echo "churn: unexpected $w" >>"$TEST_TMP/$WORKER.bad"
				count unexpected "$v"
				;;
			esac
		done
		i=$((RANDOM % POOL))
		kind=$([[ $((RANDOM % 2)) == 0 ]] && echo tun || echo tap)
		op "EEXIST" vnlctl -n "$S0" add "$kind" "st$i" && count tun_made
		del_some '^st[0-9]+$' st tun_deleted
	done
	del_all '^st[0-9]+$'
	finish
}

# --- 3. macvlan children, and moves --------------------------------------------------------

# Each round: a child made (in S1..S3) and brought up, a device moved,
# a child deleted.
worker_macvlan() {
	local WORKER=macvlan i ns dst line
	while ((SECONDS < END)); do
		i=$((RANDOM % POOL))
		ns=$(rand_peer_ns)
		if op "EEXIST" vnlctl -n "$S0" add macvlan "mv$i" parent spar mode bridge netns "$ns"; then
			count children_made
			op "ENODEV" ip -n "$ns" link set "mv$i" up
		fi
		# A child, a pair's far end or a tap, to another netns.
		if line=$(pick_existing '^(mv[0-9]+|sq[0-9]+|st[0-9]+)$'); then
			ns=${line% *}
			dst=$ns
			while [[ $dst == "$ns" ]]; do
				dst=${SS[RANDOM % 4]}
			done
			if op "ENODEV|EEXIST" ip -n "$ns" link set dev "${line#* }" netns "$dst"; then
				count moves
				op "ENODEV" ip -n "$dst" link set dev "${line#* }" up
			fi
		fi
		del_some '^mv[0-9]+$' mv children_deleted
	done
	del_all '^mv[0-9]+$'
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

for ns in "${SS[@]}"; do
	vnlctl -n "$ns" monitor >"$TEST_TMP/monitor.${ns}" 2>&1 &
	track_bg $!
	MON_PIDS+=($!)
done
nap 1

echo "INFO: four workers for $SECS s"
start=$SECONDS
worker_pairs >"$TEST_TMP/pairs.out" 2>&1 &
p1=$!
worker_tuntap >"$TEST_TMP/tuntap.out" 2>&1 &
p2=$!
worker_macvlan >"$TEST_TMP/macvlan.out" 2>&1 &
p3=$!
worker_dump >"$TEST_TMP/dump.out" 2>&1 &
p4=$!
track_bg "$p1"
track_bg "$p2"
track_bg "$p3"
track_bg "$p4"

hung=()
for w in "pairs $p1" "tuntap $p2" "macvlan $p3" "dump $p4"; do
	wait_exit $((SECS + 240 - (SECONDS - start))) "${w#* }" || hung+=("${w% *}")
done
echo "INFO: the workers ran and cleaned up in $((SECONDS - start)) s"
check_eq "every worker finished (and cleaned up) in time" "" "${hung[*]}"

# --- what was done ----------------------------------------------------------------------------

declare -A TOTAL
echo "INFO: what each worker did:"
for w in pairs tuntap macvlan dump; do
	line=$(result_line "$TEST_TMP/$w.out" "$w:")
	echo "INFO:   $line"
	for kvp in ${line#*:}; do
		k=${kvp%%=*} v=${kvp#*=}
		[[ $v =~ ^[0-9]+$ ]] || continue
		TOTAL[$k]=$((${TOTAL[$k]:-0} + v))
	done
done
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
check_eq "no unexpected failure (hang, unknown error)" 0 "${TOTAL[unexpected]:-0}" ||
	printf '    %s\n' "${bad:0:2000}"
check "pairs were made and deleted (${TOTAL[pairs_made]:-0}, ${TOTAL[pairs_deleted]:-0})" \
	test "${TOTAL[pairs_made]:-0}" -gt 0 -a "${TOTAL[pairs_deleted]:-0}" -gt 0
check "tun/tap devices were made through /dev/vnl (${TOTAL[tun_created]:-0}) and vnlctl (${TOTAL[tun_made]:-0})" \
	test "${TOTAL[tun_created]:-0}" -gt 0 -a "${TOTAL[tun_made]:-0}" -gt 0
check "children were made and deleted (${TOTAL[children_made]:-0}, ${TOTAL[children_deleted]:-0})" \
	test "${TOTAL[children_made]:-0}" -gt 0 -a "${TOTAL[children_deleted]:-0}" -gt 0
check "devices were moved between netns (${TOTAL[moves]:-0})" test "${TOTAL[moves]:-0}" -gt 0
check "dumps were taken (${TOTAL[dumps]:-0}) and packets sent (${TOTAL[packets]:-0})" \
	test "${TOTAL[dumps]:-0}" -gt 0 -a "${TOTAL[packets]:-0}" -gt 0
check "the ping over kx0-kx1 was answered (${TOTAL[pings_answered]:-0} of ${TOTAL[pings]:-0})" \
	test $((2 * ${TOTAL[pings_answered]:-0})) -ge "${TOTAL[pings]:-0}" -a "${TOTAL[pings_answered]:-0}" -gt 0
check "vnlctl monitor saw events ($events)" test "$events" -gt 0

report_add ops "${TOTAL[ops]:-0}"
report_add packets "${TOTAL[packets]:-0}"
report_add errors "$errors"
report_add faults $((${TOTAL[moves]:-0} + ${TOTAL[pairs_deleted]:-0} + ${TOTAL[tun_deleted]:-0} + ${TOTAL[children_deleted]:-0}))
report_add unexpected "${TOTAL[unexpected]:-0}"
report_add seconds "$SECS"
report_add moves "${TOTAL[moves]:-0}"
report_add dumps "${TOTAL[dumps]:-0}"
report_add events "$events"
for k in $(printf '%s\n' "${!TOTAL[@]}" | sort); do
	[[ $k == err_* ]] && report_add "$k" "${TOTAL[$k]}"
done

# --- nothing left, and the module goes and comes back ----------------------------------------

vnlctl -n "$S1" del kx0 >/dev/null 2>&1
left=()
for ns in "" "${SS[@]}"; do
	n=$(vnl_devs "$ns")
	[[ $n == 0 ]] || left+=("${ns:-init}: $n ($(vnlctl ${ns:+-n "$ns"} -j show | jq -r '[.[].ifname] | join(" ")'))")
done
check_eq "no vnl device left in any netns" "" "${left[*]}"
check_eq "the init netns has the links it had" "$init_links" "$(link_names)"
if in_guest_with_module; then
	check "rmmod vnl" timeout 120 rmmod vnl
	check "spar (the children's parent) keeps no receive handler" no_rx_handler "$S0" spar
	check "insmod vnl.ko" insmod "$VNL_KO"
	check "vnlctl works" vnlctl version
else
	check_skip "rmmod and insmod" "unloads vnl.ko: only in a tools/vm/run guest"
fi

exit_status
