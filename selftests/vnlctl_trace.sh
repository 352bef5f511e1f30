#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl trace: a ping over a pair between two netns, watched live.  The
# echo request is one packet whose steps are vnl_pair_xmit on va then
# vnl_pair_rx on vb, the reply the next packet, the other way; -c stops
# after that many packets; a device name and -n narrow what is shown; a
# frame too big for the peer shows as a drop with its reason.  Every way
# out (the count reached, Ctrl-C) removes vnlctl's trace instance and
# leaves tracefs as it was; without privilege or without the module it
# says so and changes nothing.
#
#   ns A: va 10.13.0.1/24  <->  ns B: vb 10.13.0.2/24

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd jq setpriv

TRACEFS=/sys/kernel/tracing
if [[ ! -d $TRACEFS/instances ]]; then
	mount -t tracefs nodev "$TRACEFS" 2>/dev/null ||
		skip_test "no tracefs in this kernel"
fi
[[ -d $TRACEFS/events/vnl ]] || skip_test "this kernel has no trace events"

IP_A=10.13.0.1
IP_B=10.13.0.2
MAC_A=02:00:00:13:0a:01
MAC_B=02:00:00:13:0b:01

setup_ns A B
no_ipv6 "$A" "$B"
check "a pair va (A) - vb (B)" \
	vnlctl add pair va peer vb netns "$A" peer-netns "$B" \
	address "$MAC_A" peer-address "$MAC_B" || exit_status
ip -n "$A" addr add "$IP_A/24" dev va
ip -n "$B" addr add "$IP_B/24" dev vb
# Known neighbours: no ARP exchange comes between the echoes.
ip -n "$A" neigh add "$IP_B" lladdr "$MAC_B" dev va nud permanent
ip -n "$B" neigh add "$IP_A" lladdr "$MAC_A" dev vb nud permanent
ip -n "$A" link set va up
ip -n "$B" link set vb up
check "carrier on va" wait_until 10 has_flag "$A" va LOWER_UP || exit_status

instances() {
	ls "$TRACEFS/instances"
}
before=$(instances)
top_events=$(cat "$TRACEFS/set_event")

# steps OUT JQ_FILTER: the steps of the JSON trace matching the filter,
# as "packet event dev" lines.
steps() {
	jq -r "select($2) | \"\(.packet) \(.event) \(.dev)\"" "$1"
}

# --- one ping, two packets ---------------------------------------------------------
out=$TEST_TMP/ping.json
vnlctl_bg "$out" -j trace va vb -c 2
check_eq "vnlctl -j trace va vb -c 2 starts" 0 $? || exit_status
check "its trace instance is there" test -d "$TRACEFS/instances/vnlctl-$vnlctl_pid"
check "a ping from A to B" vping "$A" "$IP_B" -c 1
vnlctl_bg_done
check_eq "vnlctl trace -c 2 ends by itself after the request and the reply" 0 "$vnlctl_rc"
check_eq "the echo request: pair_xmit on va, then pair_rx on vb" \
	"1 pair_xmit va
1 pair_rx vb" "$(steps "$out" '.summary | test("icmp echo request seq 1$")')"
check_eq "the echo reply: pair_xmit on vb, then pair_rx on va" \
	"2 pair_xmit vb
2 pair_rx va" "$(steps "$out" '.summary | test("icmp echo reply seq 1$")')"
check_match "each step names the ping's addresses" \
	"^$IP_A > $IP_B icmp echo request seq 1$" \
	"$(jq -r 'select(.packet == 1) | .summary' "$out" | sort -u)"
check_eq "the request leaves va from va's address to vb's" \
	"$MAC_A $MAC_B" "$(jq -r 'select(.packet == 1 and .event == "pair_xmit") | "\(.src) \(.dst)"' "$out")"
check_eq "vb's step carries B's netns inode" \
	"$(stat -L -c %i "/run/netns/$B")" \
	"$(jq -r 'select(.packet == 1 and .event == "pair_rx") | .netns' "$out")"
check_eq "the instance is gone, tracefs as before" "$before" "$(instances)"

# --- a device name and -n narrow the trace -----------------------------------------
out=$TEST_TMP/vb.json
vnlctl_bg "$out" -j trace vb -c 2
check_eq "vnlctl -j trace vb -c 2 starts" 0 $? || exit_status
vping "$A" "$IP_B" -c 1
vnlctl_bg_done
check_eq "it ends after two packets" 0 "$vnlctl_rc"
check_eq "only vb's steps are shown" "vb" "$(jq -r .dev "$out" | sort -u)"

out=$TEST_TMP/ns.json
vnlctl_bg "$out" -j trace -n "$A" -c 2
check_eq "vnlctl -j trace -n A -c 2 starts" 0 $? || exit_status
vping "$A" "$IP_B" -c 1
vnlctl_bg_done
check_eq "it ends after two packets" 0 "$vnlctl_rc"
check_eq "only the steps in netns A (va's) are shown" "va" \
	"$(jq -r .dev "$out" | sort -u)"

# --- a drop, with its reason ---------------------------------------------------------
ip -n "$B" link set vb mtu 1280
out=$TEST_TMP/drop.txt
vnlctl_bg "$out" trace va -c 1
check_eq "vnlctl trace va -c 1 starts" 0 $? || exit_status
vping "$A" "$IP_B" -c 1 -s 1400 -M dont
vnlctl_bg_done
check_eq "it ends after one packet" 0 "$vnlctl_rc"
check_match "the text output heads the packet with its summary" \
	"packet 1: $IP_A > $IP_B icmp echo request seq 1" "$(cat "$out")"
check_match "a frame too big for vb is a drop on va, reason too_big" \
	"drop +va .* reason too_big" "$(cat "$out")"
ip -n "$B" link set vb mtu 1500

# --- Ctrl-C --------------------------------------------------------------------------
out=$TEST_TMP/int.txt
vnlctl_bg "$out" trace
check_eq "vnlctl trace starts" 0 $? || exit_status
kill -INT "$vnlctl_pid"
vnlctl_bg_done
check_eq "Ctrl-C ends it with status 0" 0 "$vnlctl_rc"
check_eq "the instance is gone after Ctrl-C" "$before" "$(instances)"
check_eq "the top-level events were never touched" "$top_events" \
	"$(cat "$TRACEFS/set_event")"

# --- without privilege ---------------------------------------------------------------
err=$(setpriv --reuid 65534 --regid 65534 --clear-groups vnlctl trace 2>&1)
check_eq "an unprivileged user gets status 1" 1 $?
check_match "and is told tracing needs root" "needs root" "$err"
check_eq "and nothing changed in tracefs" "$before" "$(instances)"

# --- bad arguments -------------------------------------------------------------------
check_fails_with "a bad COUNT is a usage error" 2 "bad COUNT" vnlctl trace -c 0
check_eq "and makes no instance" "$before" "$(instances)"

# --- without the module --------------------------------------------------------------
if in_guest_with_module; then
	cleanup_ns "$A" "$B"
	if wait_module_idle && rmmod vnl; then
		check_fails_with "without the module: exit 1, told to load it" 1 \
			"vnl module is not loaded" vnlctl trace
		check_eq "and its instance is gone again" "$before" "$(instances)"
	else
		check_fail "vnl.ko could be unloaded" "refcnt $(cat /sys/module/vnl/refcnt 2>/dev/null)"
	fi
	check "vnl.ko loaded again" vnl_reload
else
	check_skip "without the module: only in a tools/vm/run guest"
fi

exit_status
