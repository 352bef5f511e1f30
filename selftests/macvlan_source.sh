#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Source mode: a child that hears the frames whose source MAC is in its
# list.  `vnlctl macaddr` add, del, flush and set are what `vnlctl show`
# (text and -j) then lists; duplicates are not listed twice; a list holds
# at most VNL_MACADDR_MAX (256) addresses.  With traffic: of two senders on
# the wire, only the listed one reaches the child.  Leaving source mode
# empties the list; a monitor hears each change.
#
#   ns N1: c1 10.81.0.1/24 (source) -- p0 (ns HOST) <-veth-> o0 --+-- br0 10.81.0.254/24 (ns OUT)
#                                                                +-- sb <-veth-> s0 10.81.0.253/24 (ns S)

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd jq

A=02:00:00:81:00:0a
B=02:00:00:81:00:0b
C=02:00:00:81:00:0c
D=02:00:00:81:00:0d
E=02:00:00:81:00:0e
F=02:00:00:81:00:0f
G=02:00:00:81:00:10

setup_ns HOST OUT S N1
no_ipv6 "$HOST" "$OUT" "$S" "$N1"
mv_wire "$HOST" "$OUT" off || { echo "FAIL: cannot build the wire"; exit 1; }
ip -n "$OUT" addr add 10.81.0.254/24 dev br0
ip -n "$OUT" link add sb type veth peer name s0 netns "$S"
ip -n "$OUT" link set sb master br0
ip -n "$OUT" link set sb up
mv_ip "$S" s0 10.81.0.253/24
OMAC=$(mac_of "$OUT" br0)
SMAC=$(mac_of "$S" s0)

# c1 as vnlctl -j show describes it: one object.
c1_json() {
	vnlctl -n "$N1" -j show c1 | jq -c 'if type == "array" then .[0] else . end'
}

# The source list as vnlctl -j shows it, sorted, one line ("" if empty or
# null).
slist() {
	local out
	out=$(c1_json) || { echo "show-failed"; return; }
	jq -r '(.source // []) | sort | join(" ")' <<<"$out"
}

# The "source ..." line of the text output, its addresses sorted.
slist_text() {
	vnlctl -n "$N1" show c1 | awk '$1 == "source" { $1 = ""; print }' | tr ' ' '\n' | sed '/^$/d' |
		sort | paste -sd' '
}

sorted() { printf '%s\n' "$@" | sort | paste -sd' '; }

check "vnlctl add macvlan c1 parent p0 mode source (in N1)" \
	vnlctl -n "$HOST" add macvlan c1 parent p0 mode source netns "$N1" || exit_status
check_eq "c1 is in source mode" source "$(vnl_field "$N1" c1 mode)"
check_eq "a new source-mode child lists nothing" "" "$(slist)"

# A monitor in N1, listening once it printed the event of a sync pair.
vnlctl -n "$N1" -j monitor >"$TEST_TMP/mon.json" 2>"$TEST_TMP/mon.err" &
track_bg $!
monitor_ready() {
	local i
	for ((i = 0; i < 20; i++)); do
		vnlctl -n "$N1" add pair "sync$i" peer "syncp$i" >/dev/null || return 1
		wait_until 3 grep -q "\"ifname\":\"sync$i\"" "$TEST_TMP/mon.json" && return 0
	done
	return 1
}
check "a monitor listens in N1" monitor_ready

# --- the list ---------------------------------------------------------------------------------

check "macaddr c1 add A B C" vnlctl -n "$N1" macaddr c1 add "$A" "$B" "$C"
check_eq "-j show lists A B C" "$(sorted "$A" "$B" "$C")" "$(slist)"
check_eq "text show has the line \"source A B C\"" "$(sorted "$A" "$B" "$C")" "$(slist_text)"
check "a monitor event: change of c1 with A B C in its list" \
	wait_until 10 eval "grep '\"event\":\"change\"' $TEST_TMP/mon.json | grep '\"ifname\":\"c1\"' | grep $A | grep $B | grep -q $C"
check "macaddr c1 add B again: accepted" vnlctl -n "$N1" macaddr c1 add "$B"
check_eq "adding B again does not list it twice" "$(sorted "$A" "$B" "$C")" "$(slist)"
check "macaddr c1 del B" vnlctl -n "$N1" macaddr c1 del "$B"
check_eq "-j show lists A C" "$(sorted "$A" "$C")" "$(slist)"
check_fails_with "macaddr c1 del D (not listed): ENOENT, with the reason" 1 \
	"not in the source list \(no such file or directory\)" vnlctl -n "$N1" macaddr c1 del "$D"
check_eq "deleting D (not listed) leaves A C" "$(sorted "$A" "$C")" "$(slist)"
check "macaddr c1 flush" vnlctl -n "$N1" macaddr c1 flush
check_eq "-j show lists nothing" "" "$(slist)"
check_eq "text show has no source line" "" "$(slist_text)"
check "macaddr c1 set D E" vnlctl -n "$N1" macaddr c1 set "$D" "$E"
check_eq "-j show lists D E" "$(sorted "$D" "$E")" "$(slist)"
check "macaddr c1 set F" vnlctl -n "$N1" macaddr c1 set "$F"
check_eq "set replaces the list: F" "$F" "$(slist)"
check "macaddr c1 del F (the list's last)" vnlctl -n "$N1" macaddr c1 del "$F"
check_eq "-j show lists nothing" "" "$(slist)"

# At most 256 addresses.
macs=()
for ((i = 0; i < 256; i++)); do
	printf -v m '02:00:00:81:%02x:%02x' $((0x10 + i / 256)) $((i % 256))
	macs+=("$m")
done
check "macaddr c1 set with 256 addresses" vnlctl -n "$N1" macaddr c1 set "${macs[@]}"
check_eq "-j show lists 256" 256 "$(c1_json | jq '.source | length')"
check_fails_with "macaddr c1 add a 257th: ENOSPC, with the reason" 1 "at most 256 addresses \(no space left on device\)" \
	vnlctl -n "$N1" macaddr c1 add "$G"
check_eq "... the list still has 256, without it" "256 false" \
	"$(c1_json | jq -r --arg g "$G" '"\(.source | length) \(.source | index($g) != null)"')"
check_fails_with "macaddr c1 set with 257 addresses: ENOSPC, with the reason" 1 "at most 256 addresses \(no space left on device\)" \
	vnlctl -n "$N1" macaddr c1 set "${macs[@]}" "$G"
check_eq "... the list is unchanged (256)" 256 "$(c1_json | jq '.source | length')"
check "macaddr c1 flush" vnlctl -n "$N1" macaddr c1 flush

# --- traffic ----------------------------------------------------------------------------------

mv_ip "$N1" c1 10.81.0.1/24
check "c1 has carrier" wait_until 10 has_flag "$N1" c1 LOWER_UP

# heard: "OUT->c1 S->c1", each yes or no, with fresh neighbour caches.
heard() {
	ip -n "$N1" neigh flush dev c1
	ip -n "$OUT" neigh flush dev br0
	ip -n "$S" neigh flush dev s0
	echo "$(reach "$OUT" 10.81.0.1) $(reach "$S" 10.81.0.1)"
}

check_eq "empty list: neither OUT nor S reaches c1" "no no" "$(heard)"
vnlctl -n "$N1" macaddr c1 set "$OMAC"
check_eq "list = OUT's MAC: OUT reaches c1, S does not" "yes no" "$(heard)"
vnlctl -n "$N1" macaddr c1 set "$SMAC"
check_eq "list = S's MAC: S reaches c1, OUT does not" "no yes" "$(heard)"
vnlctl -n "$N1" macaddr c1 add "$OMAC"
check_eq "list = both: both reach c1" "yes yes" "$(heard)"
vnlctl -n "$N1" macaddr c1 del "$SMAC"
check_eq "S's MAC deleted: OUT reaches c1, S does not" "yes no" "$(heard)"
vnlctl -n "$N1" macaddr c1 flush
check_eq "flushed: neither reaches c1" "no no" "$(heard)"

# --- leaving source mode ----------------------------------------------------------------------

vnlctl -n "$N1" macaddr c1 set "$OMAC" "$A"
check "set c1 mode bridge (leaving source mode)" vnlctl -n "$N1" set c1 mode bridge
check_eq "c1 is in bridge mode" bridge "$(vnl_field "$N1" c1 mode)"
check_eq "... its list is gone" "" "$(slist)"
check "a monitor event: change of c1 to bridge mode" \
	wait_until 10 eval "grep '\"event\":\"change\"' $TEST_TMP/mon.json | grep '\"ifname\":\"c1\"' | grep -q '\"mode\":\"bridge\"'"
check_eq "in bridge mode, OUT and S reach c1 by its MAC" "yes yes" "$(heard)"
check "set c1 mode source (back)" vnlctl -n "$N1" set c1 mode source
check_eq "back in source mode, the list is still empty" "" "$(slist)"
check_eq "... and neither OUT nor S reaches c1" "no no" "$(heard)"

exit_status
