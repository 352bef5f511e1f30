#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod vnl with every kind of vnl device in place, in several netns:
# pairs (within a netns and across two), persistent tun and tap devices,
# macvlan children on a kernel dummy and on a kernel veth, in four netns
# (one with a tap face, which holds no module reference: its files do),
# and a /dev/vnl file attached to a tap.
#
# While the file is open, rmmod is refused ("in use") and nothing changes:
# every link of every netns, every vnl device as vnlctl shows it, and the
# file still writes.  Once it is closed, rmmod is still refused: each
# persistent tun or tap holds the module, as kernel tun's do
# (kmod/tun.c:vnl_tun_set_persist).  Once they are deleted, rmmod
# succeeds with the pairs and children still there, every netns is
# back to the links it had before vnl made any, /dev/vnl and the family
# are gone, the parents are up and usable (the veth still carries a ping,
# and both can be enslaved to a bridge: a receive handler left on them
# would make that fail with EBUSY), and insmod brings vnl back, able to
# put a child on the same parent again.
#
#   HOST: d0 (dummy), p0 (veth) <-> o0 (OUT), 10.91.0.1/24 and .2/24
#   pairs: ra (N1) - rb (N2); rc0 - rc1 (N3); rh0 (HOST) - rh1 (N3)
#   tun/tap: rt0 tap (N1), rt1 tun (N2), rtap tap (HOST, the open file)
#   children: rm1 (N1), rm2 (N2) on d0; rm3 (N3, bridge), rm4 (HOST),
#             rm5 (N1, source), rm6 (N2, bridge, a tap face) on p0

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

require_module_reload
require_vnl
require_ping
require_cmd jq

cleanup() {
	report_print
	vnl_reload
}

setup_ns HOST N1 N2 N3 OUT
ALL_NS=("" "$HOST" "$N1" "$N2" "$N3" "$OUT")
no_ipv6 "$HOST" "$N1" "$N2" "$N3" "$OUT"

ip -n "$HOST" link add d0 type dummy && ip -n "$HOST" link set d0 up &&
	ip -n "$HOST" link add p0 type veth peer name o0 netns "$OUT" &&
	ip -n "$HOST" addr add 10.91.0.1/24 dev p0 && ip -n "$HOST" link set p0 up &&
	ip -n "$OUT" addr add 10.91.0.2/24 dev o0 && ip -n "$OUT" link set o0 up ||
	{ echo "FAIL: cannot make the parents"; exit "$ksft_fail"; }

# Every netns's links before vnl made any.
declare -A BEFORE
for ns in "${ALL_NS[@]}"; do
	BEFORE[${ns:-init}]=$(link_names "$ns")
done

# --- every kind of device ---------------------------------------------------

# Few processes: the debug kernel under TCG spends seconds on each.
cat >"$TEST_TMP/batch" <<EOF
add pair ra peer rb netns $N1 peer-netns $N2
add pair rc0 peer rc1 netns $N3
add pair rh0 peer rh1 peer-netns $N3
add tap rtap
add macvlan rm1 parent d0 netns $N1
add macvlan rm2 parent d0 netns $N2 mode private
add macvlan rm3 parent p0 netns $N3 mode bridge
add macvlan rm4 parent p0 mode vepa
add macvlan rm5 parent p0 netns $N1 mode source
add macvlan rm6 parent p0 netns $N2 mode bridge tap
EOF
if vnlctl -n "$HOST" -batch "$TEST_TMP/batch" >/dev/null &&
	vnlctl -n "$N1" add tap rt0 >/dev/null && vnlctl -n "$N2" add tun rt1 >/dev/null; then
	report_add ops 12
else
	check_fail "setup: 3 pairs, a tun, 2 taps, 6 children"
fi
# ip_up NS DEV...: the devices up, in one ip process.
ip_up() {
	local ns=$1 d
	shift
	for d in "$@"; do
		echo "link set $d up"
	done | ip -n "$ns" -batch -
}
ip_up "$N1" ra rm1 rm5 && ip_up "$N2" rb rm2 rm6 && ip_up "$N3" rc0 rc1 rh1 rm3 &&
	ip_up "$HOST" rh0 rm4 rtap || check_fail "setup: the devices up"
ip -n "$HOST" addr add 10.91.1.1/24 dev rtap

# The open file: a /dev/vnl file attached to rtap, driven through a pipe.
coproc HOLD { ip netns exec "$HOST" "$FAULT_BIN" hold rtap 2>&1; }
track_bg "$HOLD_PID"
read -r -t 30 line <&"${HOLD[0]}"
check_eq "a /dev/vnl file is attached to the tap rtap" "attached rtap" "$line"
# (Coprocess fds do not reach a subshell: the answer is left in ANSWER.)
hold_cmd() {
	echo "$1" >&"${HOLD[1]}"
	read -r -t 30 ANSWER <&"${HOLD[0]}" || ANSWER="no answer"
}
hold_cmd write
check_eq "it writes a frame" "write ok" "$ANSWER" && report_add packets 1
check_eq "rtap has that one queue" 1 "$(vnl_field "$HOST" rtap tun queues)"

vnl_total=0
for ns in "${ALL_NS[@]}"; do
	vnl_total=$((vnl_total + $(vnl_devs "$ns")))
done
# 3 pairs (6 ends), 3 tun/tap, 6 children.
check_eq "vnlctl show, over every netns: 15 vnl devices" 15 "$vnl_total"

# Every link of every netns, and every vnl device without its counters
# (bash strips them: a jq process per netns costs seconds on debug).
state() {
	local ns nsopt out
	for ns in "${ALL_NS[@]}"; do
		nsopt=()
		[[ -n $ns ]] && nsopt=(-n "$ns")
		echo "== netns ${ns:-init}"
		ip "${nsopt[@]}" -o link show
		out=$(vnlctl "${nsopt[@]}" -j show)
		replace_matches out ',"stats":\{[^{}]*\}'
		echo "$out"
	done
}
# Settled: carrier and operstate changes have happened.
prev=$(state)
for ((i = 0; i < 10; i++)); do
	nap 1
	now=$(state)
	[[ $now == "$prev" ]] && break
	prev=$now
done

# --- rmmod with the file open: refused, nothing changed -----------------------------

report_add faults 1
report_add ops 1
check_fails_with "rmmod vnl with a /dev/vnl file open: refused, in use" 1 "in use" rmmod vnl &&
	report_add errors 1
check "... the module is still loaded" test -d /sys/module/vnl
check "... /dev/vnl is still there" test -c /dev/vnl
check "... the family still answers" vnlctl version
after=$(state)
if [[ $after == "$now" ]]; then
	check_pass "... every link and vnl device of every netns unchanged"
else
	check_fail "... every link and vnl device of every netns unchanged" \
		"$(echo "$now" >"$TEST_TMP/before"; echo "$after" >"$TEST_TMP/after"
		diff "$TEST_TMP/before" "$TEST_TMP/after" | head -n 20)"
fi
hold_cmd write
check_eq "... the file still writes" "write ok" "$ANSWER" && report_add packets 1
ip -n "$N3" addr add 10.91.0.3/24 dev rm3
check "... a child still carries traffic: ping from OUT to rm3 (N3)" \
	vping "$OUT" 10.91.0.3 -c 2 -i 0.2 && report_add packets 2

# --- close the file: the persistent devices still hold the module ------------------

eval "exec ${HOLD[1]}>&-"
check "the holder closes its file and exits" wait_exit 30 "$HOLD_PID"
check_eq "rtap stays (persistent), with no queue" 0 "$(vnl_field "$HOST" rtap tun queues)"

report_add faults 1
report_add ops 1
check_fails_with "rmmod vnl with three persistent tun/tap devices: refused, in use" 1 \
	"in use" rmmod vnl && report_add errors 1
check "... the module is still loaded" test -d /sys/module/vnl
check "... rtap is still there" link_exists -n "$HOST" rtap
vnlctl -n "$HOST" del rtap && vnlctl -n "$N1" del rt0 && vnlctl -n "$N2" del rt1 &&
	report_add ops 3 || check_fail "deleting the three persistent devices"

# --- without them: rmmod goes through -----------------------------------------------

report_add faults 1
report_add ops 1
start=$SECONDS
check "rmmod vnl with 12 vnl devices in 5 netns" timeout 120 rmmod vnl
echo "INFO: rmmod took $((SECONDS - start)) s"
check "... /sys/module/vnl is gone" test ! -e /sys/module/vnl
check "... /dev/vnl is gone" test ! -e /dev/vnl
check_not "... the family is gone (vnlctl version fails)" vnlctl version
for ns in "${ALL_NS[@]}"; do
	check_eq "... netns ${ns:-init}: its links are those before vnl" \
		"${BEFORE[${ns:-init}]}" "$(link_names "$ns")"
done

check "the dummy parent d0 is up" has_flag "$HOST" d0 UP
check "the veth parent p0 is up" has_flag "$HOST" p0 UP
check "p0 still carries a ping to o0" vping "$HOST" 10.91.0.2 -c 2 -i 0.2 &&
	report_add packets 2
# (no_rx_handler makes a bridge and enslaves the parent: two operations.)
check "d0 has no receive handler left (it joins a bridge)" no_rx_handler "$HOST" d0 &&
	report_add ops 2
check "p0 has no receive handler left (it joins a bridge)" no_rx_handler "$HOST" p0 &&
	report_add ops 2

# --- and back -----------------------------------------------------------------------

check "insmod vnl.ko again" insmod "$VNL_KO" && report_add ops 1
check "vnlctl works again" vnlctl version
check "a child on d0 again" vnlctl -n "$HOST" add macvlan rm1 parent d0 && report_add ops 1
check "a pair again, across netns" vnlctl add pair ra peer rb netns "$N1" peer-netns "$N2" &&
	report_add ops 1
check "a tap again" vnlctl -n "$N1" add tap rt0 && report_add ops 1
check_fails_with "rmmod vnl with the tap there: refused, in use" 1 "in use" rmmod vnl &&
	report_add errors 1
check "the tap deleted" vnlctl -n "$N1" del rt0 && report_add ops 1
report_add faults 1
check "rmmod vnl once more" timeout 120 rmmod vnl && report_add ops 1
check "d0 joins a bridge after that too" no_rx_handler "$HOST" d0 && report_add ops 2
check "insmod vnl.ko" insmod "$VNL_KO" && report_add ops 1

exit_status
