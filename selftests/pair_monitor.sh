#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `vnlctl -j monitor` hears what happens to vnl devices in its netns, in
# the order it happens: "new" when a device is created, "change" when its
# carrier goes on or off, "del" when it is deleted; and nothing about
# devices of other namespaces.  Two monitors run, one in netns A and one in
# netns B, while pairs are created, set up and down, and deleted.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd jq

setup_ns A B

# start_monitor NS FILE: a monitor in NS writing to FILE, started here, in
# the test's own shell (not in check's subshell), so that the EXIT trap
# knows it and ends it.  Its pid is left in MON_PID.
start_monitor() {
	vnlctl -n "$1" -j monitor >"$2" 2>"$2.err" &
	MON_PID=$!
	track_bg "$MON_PID"
}

# monitor_listening NS FILE PID: the monitor is subscribed.  There is no
# "ready" message, so pairs named sync<N> are created until one shows up;
# events of sync devices are ignored.
monitor_listening() {
	local ns=$1 file=$2 pid=$3 i
	for ((i = 0; i < 20; i++)); do
		vnlctl -n "$ns" add pair "sync$i" peer "syncp$i" || return 1
		wait_until 3 grep -q "\"ifname\":\"sync$i\"" "$file" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
	done
	return 1
}

start_monitor "$A" "$TEST_TMP/a.json"
check "monitor in A is listening" monitor_listening "$A" "$TEST_TMP/a.json" "$MON_PID" || exit_status
start_monitor "$B" "$TEST_TMP/b.json"
check "monitor in B is listening" monitor_listening "$B" "$TEST_TMP/b.json" "$MON_PID" || exit_status

# Each step, then what each monitor should print for it (in any order
# within a step; steps in order).  "-" is no event at all.
vnlctl -n "$A" add pair ev0 peer ev1
exp_a=("new ev0|new ev1")
exp_b=()
ip -n "$A" link set ev0 up
ip -n "$A" link set ev1 up
exp_a+=("change ev0 true|change ev1 true")
ip -n "$A" link set ev0 down
exp_a+=("change ev0 false|change ev1 false")
vnlctl -n "$A" del ev1
exp_a+=("del ev0|del ev1")

vnlctl add pair xa peer xb netns "$A" peer-netns "$B"
exp_a+=("new xa")
exp_b+=("new xb")
ip -n "$A" link set xa up
ip -n "$B" link set xb up
exp_a+=("change xa true")
exp_b+=("change xb true")
ip -n "$B" link set xb down
exp_a+=("change xa false")
exp_b+=("change xb false")
ip -n "$B" link del xb
exp_a+=("del xa")
exp_b+=("del xb")

# A last pair in each netns: once its event is printed, all before it were.
vnlctl -n "$A" add pair enda0 peer enda1
vnlctl -n "$B" add pair endb0 peer endb1
exp_a+=("new enda0|new enda1")
exp_b+=("new endb0|new endb1")
check "monitor in A printed the last event" \
	wait_until 30 grep -q '"ifname":"enda1"' "$TEST_TMP/a.json"
check "monitor in B printed the last event" \
	wait_until 30 grep -q '"ifname":"endb1"' "$TEST_TMP/b.json"

# "event ifname" per line, with the carrier for changes; sync devices out.
events_of() {
	jq -r 'select(.ifname | startswith("sync") | not) |
		"\(.event) \(.ifname)" + (if .event == "change" then " \(.carrier)" else "" end)' "$1"
}

# The arguments sorted (in bash: a sort process costs more than the
# checks), joined with "|".
sorted_join() {
	local a=("$@") i j t IFS='|'
	for ((i = 1; i < ${#a[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${a[j - 1]} > ${a[j]} ]] || break
			t=${a[j]} a[j]=${a[j - 1]} a[j - 1]=$t
		done
	done
	echo "${a[*]}"
}

# check_events DESCRIPTION FILE STEP...: the events in FILE are the steps'
# events, step after step.
check_events() {
	local desc=$1 file=$2 got=() step want i=0 n
	shift 2
	local text
	text=$(events_of "$file")
	[[ -n $text ]] && mapfile -t got <<<"$text"
	local expected=() actual=()
	for step in "$@"; do
		IFS='|' read -ra want <<<"$step"
		n=${#want[@]}
		expected+=("$(sorted_join "${want[@]}")")
		actual+=("$(sorted_join "${got[@]:i:n}")")
		((i += n))
	done
	if [[ "${expected[*]}" == "${actual[*]}" && $i -eq ${#got[@]} ]]; then
		check_pass "$desc"
		return 0
	fi
	check_fail "$desc" "expected, step by step: $(printf '[%s] ' "${expected[@]}")" \
		"printed, in order: $(printf '[%s] ' "${got[@]}")"
	return 1
}

check_events "monitor in A: new, change, change, del, ... in order" "$TEST_TMP/a.json" "${exp_a[@]}"
check_events "monitor in B: only the events of B's devices, in order" "$TEST_TMP/b.json" "${exp_b[@]}"

# A creation event describes the device as LINK_GET does.
ev0_new=$(jq -c 'select(.event == "new" and .ifname == "ev0")' "$TEST_TMP/a.json")
check_eq "new ev0: kind pair, peer ev1, down, no carrier" "pair ev1 false false" \
	"$(jq -r '"\(.kind) \(.peer.ifname) \(.up) \(.carrier)"' <<<"$ev0_new")"
check_match "new ev0: has its ifindex and address" '^[1-9][0-9]* ([0-9a-f]{2}:){5}[0-9a-f]{2}$' \
	"$(jq -r '"\(.ifindex) \(.address)"' <<<"$ev0_new")"
check_eq "monitors printed no errors" "" "$(cat "$TEST_TMP/a.json.err" "$TEST_TMP/b.json.err")"

exit_status
