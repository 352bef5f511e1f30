#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnl.ko unloads and loads cleanly, many times in a row: after each
# `insmod` the genl family "vnl" and /dev/vnl are there, after each
# `rmmod` both are gone.  An open /dev/vnl holds the module, and so does a
# persistent tun or tap (as kernel tun's do): rmmod is refused until the
# file is closed and the device deleted.  The module is loaded again at
# the end.
# (The guest runner then checks the kernel log for leaks and splats.)
#
# In every cycle, between insmod and rmmod, one `vnlctl -batch` makes
# devices of every kind and deletes some, so that each rmmod deletes the
# rest: two pairs (one across netns A and B), a tap and a tun, and two
# macvlan children of a kernel dummy d0 (one in A, one in B); then the
# tap and the tun (persistent: they would hold the module) and, in turn,
# the pair across A and B, the other pair or the child in A are deleted.
# The batch succeeding is a check in itself: a device (or a receive
# handler on d0) that outlived the last rmmod would make it fail.  Every
# tenth cycle, and after the last, A and B are searched for vnl devices
# after rmmod; at the end d0 carries no receive handler.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

require_module_reload
require_vnl

# The report line, and the module back, however the test ends.
cleanup() {
	report_print
	vnl_reload
}

# 100 cycles; 30 on the debug kernel, where a cycle with its devices costs
# ten times as much (the stock kernels run the hundred); 20 in make
# check's core tier (VNL_TIER=core), whose kernels run the hundred in
# make check-all.
if [[ ${VNL_KERNEL:-} == debug ]]; then
	CYCLES=${VNL_RELOAD_CYCLES:-30}
elif [[ ${VNL_TIER:-} == core ]]; then
	CYCLES=${VNL_RELOAD_CYCLES:-20}
else
	CYCLES=${VNL_RELOAD_CYCLES:-100}
fi

# Whether the family is registered right now, asked of the genl controller
# by a coprocess (a process start per question would cost more than the
# reloads): vnl_probe answers "present ID", "absent" or "error ...".
PROBE_BIN=$(dirname "$0")/vnl_probe
[[ -x $PROBE_BIN ]] || { echo "FAIL: $PROBE_BIN not built (make -C selftests)"; exit $ksft_fail; }
coproc PROBE { "$PROBE_BIN"; }
track_bg "$PROBE_PID"
family_present() {
	local answer
	echo >&"${PROBE[1]}"
	read -r -t 30 answer <&"${PROBE[0]}" || { echo "vnl_probe did not answer" >&2; return 2; }
	case $answer in
	present*) return 0 ;;
	absent) return 1 ;;
	*) echo "vnl_probe: $answer" >&2; return 2 ;;
	esac
}
# Exactly "absent": a probe that stopped answering is no proof of absence.
family_absent() {
	local rc=0
	family_present || rc=$?
	((rc == 1))
}
# (Coprocess fds do not reach a subshell: no `check family_present`.)
if family_present; then
	check_pass "the family is there to begin with"
else
	check_fail "the family is there to begin with"
fi

# --- an open /dev/vnl pins the module ------------------------------------------------

exec {fd}<>/dev/vnl
check_not "rmmod vnl while /dev/vnl is open: refused" rmmod vnl
check "... the module stays" test -d /sys/module/vnl
exec {fd}>&-
check "rmmod vnl once it is closed" rmmod vnl
check "insmod vnl.ko" insmod "$VNL_KO"

# --- so does a persistent tap --------------------------------------------------------

check "vnlctl add tap rp0 (persistent)" vnlctl add tap rp0
check_fails_with "rmmod vnl with a persistent tap: refused, in use" 1 "in use" rmmod vnl
check "vnlctl del rp0" vnlctl del rp0
check "rmmod vnl once it is deleted" rmmod vnl
check "insmod vnl.ko" insmod "$VNL_KO"

# --- many cycles -------------------------------------------------------------------------

setup_ns A B
no_ipv6 "$A" "$B"
ip -n "$A" link add d0 type dummy && ip -n "$A" link set d0 up ||
	{ echo "FAIL: cannot make the dummy parent"; exit "$ksft_fail"; }
k=0
for del in cp0 cq0 cm0; do
	cat >"$TEST_TMP/batch$k" <<EOF
add pair cp0 peer cp1 peer-netns $B
add pair cq0 peer cq1
add tap ct0
add tun ct1
add macvlan cm0 parent d0
add macvlan cm1 parent d0 netns $B
del ct0
del ct1
del $del
EOF
	k=$((k + 1))
done
devs_left() { "$FAULT_BIN" names '^c[pqtm][0-9]$' "$A" "$B" | tr '\n' ' '; }

declare -A bad=()
note() { [[ -n ${bad[$1]:-} ]] || bad[$1]="cycle $2"; }

ops=0
for ((c = 1; c <= CYCLES; c++)); do
	if vnlctl -n "$A" -batch "$TEST_TMP/batch$((c % 3))" >/dev/null 2>"$TEST_TMP/err"; then
		ops=$((ops + 9))
	else
		note devices "$c: $(<"$TEST_TMP/err")"
	fi
	if ! rmmod vnl 2>"$TEST_TMP/err"; then
		note rmmod "$c: $(<"$TEST_TMP/err")"
		break
	fi
	ops=$((ops + 1))
	[[ -e /sys/module/vnl ]] && note gone_module "$c"
	[[ -e /dev/vnl ]] && note gone_dev "$c"
	family_absent || note gone_family "$c"
	if ((c % 10 == 0 || c == CYCLES)); then
		left=$(devs_left)
		[[ -z $left ]] || note gone_devices "$c: $left"
	fi
	if ! insmod "$VNL_KO" 2>"$TEST_TMP/err"; then
		note insmod "$c: $(<"$TEST_TMP/err")"
		break
	fi
	ops=$((ops + 1))
	[[ -c /dev/vnl ]] || note dev "$c"
	family_present || note family "$c"
done
done_cycles=$((c > CYCLES ? CYCLES : c))
report_add faults "$done_cycles"
report_add ops "$ops"
report_add cycles "$done_cycles"

result() {
	local key=$1 desc=$2
	if [[ -z ${bad[$key]:-} ]]; then
		check_pass "$desc"
	else
		check_fail "$desc" "first failure: ${bad[$key]}"
	fi
}
check_eq "$CYCLES rmmod/insmod cycles in a row" "$CYCLES" "$done_cycles"
result rmmod "rmmod vnl succeeded every time"
result insmod "insmod vnl.ko succeeded every time"
result gone_module "after rmmod: /sys/module/vnl gone every time"
result gone_dev "after rmmod: /dev/vnl gone every time"
result gone_family "after rmmod: genl family vnl gone every time"
result devices "between insmod and rmmod: 8 devices made, the tap, the tun and a pair or child deleted, every time"
result gone_devices "after rmmod: no vnl device left in A or B (every tenth time)"
result dev "after insmod: /dev/vnl a char device every time"
result family "after insmod: genl family vnl there every time"

# --- the module is back and works -------------------------------------------------------

vnl_reload
check "at the end: vnl.ko loaded" test -d /sys/module/vnl
check "at the end: vnlctl add pair works" vnlctl add pair rl0 peer rl1
vnlctl del rl0 2>/dev/null
check "at the end: d0 keeps no receive handler (it joins a bridge)" no_rx_handler "$A" d0
check "at the end: a child on d0 again" vnlctl -n "$A" add macvlan cm0 parent d0

exit_status
