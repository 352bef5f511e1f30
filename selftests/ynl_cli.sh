#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec, proven live: the kernel's own YNL command line
# (tools/net/ynl/cli.py of Debian's linux-source-6.12, extracted into
# build/ynl-cli-6.12/ by `make -C selftests`) drives vnl with nothing but
# Documentation/netlink/vnl.yaml to go by.  It asks for the version, makes
# a pair and a macvlan child on one of its ends, reads one device and
# dumps them all, changes the child's mode and deletes the pair; a second
# cli.py, subscribed to the monitor group all along, must have heard
# every link-new-ntf, link-change and link-del-ntf event, each decoded by
# the spec with the right attributes.  Everything happens in a netns of
# the test's own, whose monitor group hears only these devices.
#
# A python start costs seconds in a TCG guest: six cli.py runs in all,
# two requests in one run (--multi) where they can share it.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3 jq
python3 -c 'import yaml' 2>/dev/null || skip_test "needs python3-yaml (make deps)"

TOP=$VNL_SELFTESTS/..
YNL_CLI=$TOP/build/ynl-cli-6.12/cli.py
[[ -f $YNL_CLI ]] ||
	{ echo "FAIL: no $YNL_CLI: run 'make -C selftests' on the host"; exit "$ksft_fail"; }
SPEC=$TOP/Documentation/netlink/vnl.yaml

setup_ns A

# ynl OUT ARGS...: cli.py ARGS in netns A, its JSON on OUT, its errors on
# OUT.err.  --no-schema: the spec was validated at build time
# (tools/ynl-check), and jsonschema's import alone costs seconds here.
ynl() {
	local out=$1
	shift
	ip netns exec "$A" python3 "$YNL_CLI" --spec "$SPEC" --no-schema --output-json \
		"$@" >"$out" 2>"$out.err"
}

# The listener.  `cli.py --subscribe monitor --sleep N` joins the group,
# sleeps N seconds, then prints every event it got, as one JSON list.  A
# test cannot know N in advance (a step takes a fraction of a second on a
# stock kernel, many on the debug kernel), so the listener is cli.py with
# one thing changed: its sleep says "listening" on stderr (cli.py has
# joined the group by then), and ends at SIGUSR1 instead of after N s.
# Everything else, subscribing, reading and printing, is cli.py's own.
LISTENER='
import runpy, signal, sys, time

signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})

def sleep(secs):
    print("listening", file=sys.stderr, flush=True)
    signal.sigtimedwait({signal.SIGUSR1}, secs)

time.sleep = sleep
sys.argv = sys.argv[1:]
sys.path.insert(0, sys.argv[0].rpartition("/")[0])
runpy.run_path(sys.argv[0], run_name="__main__")
'
ip netns exec "$A" python3 -c "$LISTENER" "$YNL_CLI" --spec "$SPEC" --no-schema \
	--output-json --subscribe monitor --sleep 600 \
	>"$TEST_TMP/events.json" 2>"$TEST_TMP/events.err" &
LISTENER_PID=$!
track_bg "$LISTENER_PID"
check "cli.py --subscribe monitor: joined the group" \
	wait_until 120 grep -q '^listening$' "$TEST_TMP/events.err" || exit_status

# jq: one line per device, the attributes the checks look at.
DEV='"\(.ifname) ifindex=\(.ifindex) kind=\(.kind) up=\(.up) carrier=\(.carrier)"
	+ " peer=\(.peer.ifname // "-") parent=\(."parent-ifname" // "-")"
	+ " mode=\(."macvlan-mode" // "-")"'

# ifindex NAME: from ip link, read once after creation into IFX.
declare -A IFX
read_ifindexes() {
	local line re='^([0-9]+): ([^:@]+)[:@]'
	while read -r line; do
		[[ $line =~ $re ]] && IFX[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
	done <<<"$(ip -n "$A" -o link show)"
}

# --- get-version ----------------------------------------------------------------

ynl "$TEST_TMP/version.json" --do get-version
check_eq "get-version: the loaded module's version" \
	"{\"version\": \"$(</sys/module/vnl/version)\"}" "$(<"$TEST_TMP/version.json")"

# --- link-new: a pair, and a macvlan child on one of its ends ------------------------

ynl "$TEST_TMP/new.json" \
	--multi link-new '{"kind": "pair", "ifname": "y0", "peer": {"ifname": "y1"}}' \
	--multi link-new '{"kind": "macvlan", "ifname": "ym", "parent-ifname": "y0",
			   "macvlan-mode": "private", "address": "0200000000a2"}'
read_ifindexes
I0=${IFX[y0]:-none} I1=${IFX[y1]:-none} IM=${IFX[ym]:-none}
check_eq "link-new (--multi): the replies describe y0 and ym" \
	"y0 ifindex=$I0 kind=pair up=0 carrier=0 peer=y1 parent=- mode=-
ym ifindex=$IM kind=macvlan up=0 carrier=0 peer=- parent=y0 mode=private 02:00:00:00:00:a2" \
	"$(jq -r ".[] | $DEV + if .kind == \"macvlan\" then \" \(.address)\" else \"\" end" \
		"$TEST_TMP/new.json" 2>&1; cat "$TEST_TMP/new.json.err")"

# Both ends up: the pair's carrier comes on, and the child's follows its
# parent's: three link-change events.  The child hears of it from
# linkwatch, which runs up to a second later (y0's operstate says when):
# before its link-set, so that the order of ym's events is known.
operstate_up() {
	[[ $(ip -n "$A" -o link show dev "$1") == *" state UP "* ]]
}
ip -n "$A" link set y0 up
ip -n "$A" link set y1 up
check "y0's carrier on (ip link: state UP)" wait_until 20 operstate_up y0

# --- link-set, then link-get of the child -----------------------------------------

ynl "$TEST_TMP/set.json" \
	--multi link-set '{"ifname": "ym", "macvlan-mode": "bridge"}' \
	--multi link-get '{"ifname": "ym"}'
check_eq "link-set mode bridge, then link-get ym: no reply, then ym in bridge mode" \
	"null
ym ifindex=$IM kind=macvlan up=0 carrier=1 peer=- parent=y0 mode=bridge" \
	"$(jq -r ".[] | if . == null then \"null\" else $DEV end" "$TEST_TMP/set.json" 2>&1
	   cat "$TEST_TMP/set.json.err")"

# --- link-get dump ----------------------------------------------------------------

ynl "$TEST_TMP/dump.json" --dump link-get
check_eq "link-get --dump: the three devices, as they are now" \
	"y0 ifindex=$I0 kind=pair up=1 carrier=1 peer=y1 parent=- mode=-
y1 ifindex=$I1 kind=pair up=1 carrier=1 peer=y0 parent=- mode=-
ym ifindex=$IM kind=macvlan up=0 carrier=1 peer=- parent=y0 mode=bridge" \
	"$(jq -r "sort_by(.ifname) | .[] | $DEV" "$TEST_TMP/dump.json" 2>&1
	   cat "$TEST_TMP/dump.json.err")"
check_match "link-get --dump: counters decoded by the spec (stats, drops by reason)" \
	'^[0-9]+ [0-9]+ [0-9]+ [0-9]+$' \
	"$(jq -r '.[] | select(.ifname == "y0") | .stats |
		"\(."rx-packets") \(."tx-packets") \(.drops."peer-down") \(.drops."too-big")"' \
		"$TEST_TMP/dump.json" 2>&1)"

# --- link-del: one end takes the pair, and the child on it ------------------------

ynl "$TEST_TMP/del.json" --do link-del --json '{"ifname": "y1"}'
check_eq "link-del y1: no reply, no error" "null" \
	"$(<"$TEST_TMP/del.json")$(<"$TEST_TMP/del.json.err")"
check_eq "link-del y1: y0, y1 and ym are gone" "" \
	"$(ip -n "$A" -o link show | grep -E ': (y0|y1|ym)[:@]')"

# --- what the listener heard --------------------------------------------------------

kill -USR1 "$LISTENER_PID"
wait_until 60 grep -q . "$TEST_TMP/events.json"
wait "$LISTENER_PID" 2>/dev/null
check_eq "the listener printed its events and nothing else" "listening" \
	"$(<"$TEST_TMP/events.err")"

# "NAME ifname ...", one line per event, in the order heard.
mapfile -t EVENTS <<<"$(jq -r ".[] | \"\(.name) \" + (.msg | $DEV)" "$TEST_TMP/events.json")"

# events_of NAME: the events about device NAME, one a line, in the order
# heard.
events_of() {
	local e
	for e in "${EVENTS[@]}"; do
		[[ $e == *" $1 ifindex="* ]] && printf '%s\n' "$e"
	done
}

# Each device's story.  A pair end being deleted has lost its peer (vnl.h):
# its last link-change (carrier off) and its link-del-ntf name none.
check_eq "y0's events: created, carrier on, carrier off, deleted" \
	"link-new-ntf y0 ifindex=$I0 kind=pair up=0 carrier=0 peer=y1 parent=- mode=-
link-change y0 ifindex=$I0 kind=pair up=1 carrier=1 peer=y1 parent=- mode=-
link-change y0 ifindex=$I0 kind=pair up=0 carrier=0 peer=- parent=- mode=-
link-del-ntf y0 ifindex=$I0 kind=pair up=0 carrier=0 peer=- parent=- mode=-" \
	"$(events_of y0)"
check_eq "y1's events: created, carrier on, carrier off, deleted" \
	"link-new-ntf y1 ifindex=$I1 kind=pair up=0 carrier=0 peer=y0 parent=- mode=-
link-change y1 ifindex=$I1 kind=pair up=1 carrier=1 peer=y0 parent=- mode=-
link-change y1 ifindex=$I1 kind=pair up=0 carrier=0 peer=- parent=- mode=-
link-del-ntf y1 ifindex=$I1 kind=pair up=0 carrier=0 peer=- parent=- mode=-" \
	"$(events_of y1)"
check_eq "ym's events: created, its parent's carrier, link-set's mode, deleted" \
	"link-new-ntf ym ifindex=$IM kind=macvlan up=0 carrier=0 peer=- parent=y0 mode=private
link-change ym ifindex=$IM kind=macvlan up=0 carrier=1 peer=- parent=y0 mode=private
link-change ym ifindex=$IM kind=macvlan up=0 carrier=1 peer=- parent=y0 mode=bridge
link-change ym ifindex=$IM kind=macvlan up=0 carrier=0 peer=- parent=y0 mode=bridge
link-del-ntf ym ifindex=$IM kind=macvlan up=0 carrier=0 peer=- parent=y0 mode=bridge" \
	"$(events_of ym)"
check_eq "no other event" "" \
	"$(printf '%s\n' "${EVENTS[@]}" | grep -Ev '^link-(new-ntf|change|del-ntf) (y0|y1|ym) ')"

exit_status
