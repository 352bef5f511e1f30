#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl end to end, as one test of the suite: tools/vnlctl/tests/guest.sh
# (every subcommand's text and JSON output; tun and tap owner, group,
# persist, queues and pi; macvlan children as vnlctl shows and changes
# them; the kernel's refusals and their messages; network namespaces;
# monitor events; a batch of pairs), its output shown as it comes.  It
# ends with "N passed, N failed[, N skipped]": this test passes when
# guest.sh exited 0 and that last line says N > 0 passed and 0 failed; it
# skips when guest.sh skipped (exit 4) or skipped some of its checks, and
# fails otherwise.
#
# On the debug kernel only the parts whose kernel side no other test
# drives through vnlctl run: tun and tap (owner, group, persist, queues,
# pi) and macvlan children (parent, mode, source lists).  The others check
# vnlctl's own output and cost there, in process starts, as much as the
# rest of the suite's vnlctl tests together; the kernel code under them is
# the same on every kernel.  The batch is VNLCTL_TEST_PAIRS pairs (1,000,
# guest.sh's default).

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd jq setpriv

GUEST=$(cd "$(dirname "$0")/.." && pwd -P)/tools/vnlctl/tests/guest.sh
[[ -x $GUEST ]] || { echo "FAIL: $GUEST is missing or not executable"; exit $ksft_fail; }

PAIRS=${VNLCTL_TEST_PAIRS:-1000}
PARTS=()
[[ ${VNL_KERNEL:-} == debug ]] && PARTS=(tuntap macvlan)

# guest.sh's output goes to a file, shown from there as it grows, so that
# a hang shows where it is, and its last line can be read afterwards.
log=$TEST_TMP/guest.log
: >"$log"
VNLCTL_TEST_PAIRS=$PAIRS "$GUEST" "${PARTS[@]}" </dev/null >"$log" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$log"
wait "$pid"
rc=$?

# It skips as a whole without root, jq or the module, saying why.
if ((rc == ksft_skip)); then
	skip_test "guest.sh skipped: $(sed -n 's/^skip: //p' "$log" | tail -n 1)"
fi

check_eq "guest.sh: exit status 0" 0 "$rc"
last=$(tail -n 1 "$log")
re='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'
if [[ $last =~ $re ]]; then
	passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]} skipped=${BASH_REMATCH[4]:-0}
	if ((passed > 0 && failed == 0)); then
		check_pass "guest.sh ${PARTS[*]:-(every part)}: $passed checks passed, none failed"
	else
		check_fail "guest.sh: some checks passed, none failed" "its last line: $last"
	fi
	((skipped == 0)) ||
		check_skip "guest.sh: $skipped of its checks skipped" "its 'skip' lines above say why"
else
	check_fail "guest.sh: ends with \"N passed, N failed\"" "its last line: $last"
fi

exit_status
