#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnl.ko unloads and loads cleanly, many times in a row: after each
# `insmod` the genl family "vnl" and /dev/vnl are there, after each
# `rmmod` both are gone.  An open /dev/vnl holds the module: rmmod is
# refused until it is closed.  The module is loaded again at the end.
# (The guest runner then checks the kernel log for leaks and splats.)

source "$(dirname "$0")/lib.sh"

require_module_reload
require_vnl

CYCLES=${VNL_RELOAD_CYCLES:-100}

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
	[[ $answer == present* ]]
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

# --- many cycles -------------------------------------------------------------------------

declare -A bad=()
note() { [[ -n ${bad[$1]:-} ]] || bad[$1]="cycle $2"; }

for ((c = 1; c <= CYCLES; c++)); do
	if ! rmmod vnl 2>"$TEST_TMP/err"; then
		note rmmod "$c: $(<"$TEST_TMP/err")"
		break
	fi
	[[ -e /sys/module/vnl ]] && note gone_module "$c"
	[[ -e /dev/vnl ]] && note gone_dev "$c"
	family_present && note gone_family "$c"
	if ! insmod "$VNL_KO" 2>"$TEST_TMP/err"; then
		note insmod "$c: $(<"$TEST_TMP/err")"
		break
	fi
	[[ -c /dev/vnl ]] || note dev "$c"
	family_present || note family "$c"
done
done_cycles=$((c > CYCLES ? CYCLES : c))

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
result dev "after insmod: /dev/vnl a char device every time"
result family "after insmod: genl family vnl there every time"

# --- the module is back and works -------------------------------------------------------

vnl_reload
check "at the end: vnl.ko loaded" test -d /sys/module/vnl
check "at the end: vnlctl add pair works" vnlctl add pair rl0 peer rl1
vnlctl del rl0 2>/dev/null

cleanup() { vnl_reload; }

exit_status
