#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: follow a ping (Documentation/labs/follow-a-ping.md).  The lab's
# commands in its order, each `vnlctl trace` as the lab runs it in its
# first terminal, here `vnlctl -j trace` in the background, and each check
# one thing the page says the student will see: every packet's steps, in
# order, on the right devices; every drop's `drop ... reason X` step, and
# the same reason in `vnlctl stats` and `ethtool -S`.  The lab's helper
# programs (Documentation/labs/tap-*.py) run from where the page has them.
#
#   step 1  pair   va (ns A) 10.216.0.1 <-> vb (ns B) 10.216.0.2
#   step 2  tap    tap0 (ns T) 10.216.1.1, tap-responder.py plays 10.216.1.2
#   step 3  macvlan  host: eth0 <-veth-> eth1 in br0 10.216.2.254 (ns LAN);
#                  shim (host, bridge) 10.216.2.10, m1 (ns C1, bridge) 10.216.2.1
#   step 4  drops  too_big on va; bad_write, queue_full, unread on tap1
#                  (txqueuelen 4, tap-hold.py); mode on m2 (ns C2; m1, m2
#                  private, br0 hairpins); parent on m1 (tc drops on eth0)

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd jq python3 ethtool tc bridge

LABS=$(cd "$(dirname "$0")/../Documentation/labs" && pwd)
[[ -r $LABS/tap-responder.py && -r $LABS/tap-hold.py ]] ||
	skip_test "no Documentation/labs/tap-*.py next to selftests/"

if [[ ! -d $TRACEFS/instances ]]; then
	mount -t tracefs nodev "$TRACEFS" 2>/dev/null || skip_test "no tracefs in this kernel"
	_TRACEFS_MOUNTED=1
fi
[[ -d $TRACEFS/events/vnl ]] || skip_test "this kernel has no trace events"

# steps OUT N: packet N's steps, "event:dev" on one line.
steps() {
	jq -r "select(.packet == $2) | \"\(.event):\(.dev)\"" "$1" | paste -sd' '
}

# summary OUT N: packet N's summary.
summary() {
	jq -r "select(.packet == $2 and .summary != null) | .summary" "$1" | head -n 1
}

# packet OUT N: packet N as "SUMMARY: event:dev event:dev ...", one jq.
packet() {
	jq -rs --argjson n "$2" '[.[] | select(.packet == $n)] |
		"\((map(select(.summary != null)) | .[0].summary) // ""): \(map("\(.event):\(.dev)") | join(" "))"' "$1"
}

# drops OUT DEV REASON: how many drop steps on DEV with REASON.
drops() {
	jq -r "select(.event == \"drop\" and .dev == \"$2\" and .reason == \"$3\") | .dev" "$1" | wc -l
}

# counted NS DEV REASON N: vnlctl stats and ethtool -S
# give DEV's REASON as N.
counted() {
	check_match "$2: vnlctl stats, drops: $3 $4" "drops:.* $3 $4( |\$)" \
		"$(vnlctl -n "$1" stats "$2")"
	check_eq "$2: ethtool -S, drop_$3: $4" "$4" \
		"$(ip netns exec "$1" ethtool -S "$2" | sed -n "s/^ *drop_$3: \([0-9]*\)$/\1/p")"
}

# show OUT: the trace, indented, for the log.
show() {
	sed 's/^/#   /' "$1"
}

setup_ns A B T HOST LAN C1 C2
no_ipv6 "$A" "$B" "$T" "$HOST" "$LAN" "$C1" "$C2"

echo "# Step 1: a ping over a pair"
check "vnlctl add pair va netns a peer vb peer-netns b" \
	vnlctl add pair va netns "$A" peer vb peer-netns "$B" || exit_status
ip -n "$A" addr add 10.216.0.1/24 dev va
ip -n "$B" addr add 10.216.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
check "va has carrier" wait_until 10 has_flag "$A" va LOWER_UP
mac_va=$(vnl_field "$A" va address)
mac_vb=$(vnl_field "$B" vb address)
out=$TEST_TMP/pair.json
vnlctl_bg "$out" -j trace -c 4
check_eq "vnlctl trace -c 4 starts" 0 $? || exit_status
check "ping -c1 10.216.0.2 from a" vping "$A" 10.216.0.2 -c 1
# b learnt va from the ARP request and used the entry unconfirmed: 5 s
# from now it would send a unicast ARP probe, into the next trace.
ip -n "$B" neigh flush dev vb
vnlctl_bg_done
show "$out"
check_eq "vnlctl trace -c 4 ends by itself" 0 "$vnlctl_rc"
check_eq "packet 1: the ARP request, pair_xmit on va, pair_rx on vb" \
	"arp who-has 10.216.0.2 tell 10.216.0.1: pair_xmit:va pair_rx:vb" "$(packet "$out" 1)"
check_eq "packet 2: the ARP reply, pair_xmit on vb, pair_rx on va" \
	"arp 10.216.0.2 is-at $mac_vb: pair_xmit:vb pair_rx:va" "$(packet "$out" 2)"
check_eq "packet 3: the echo request, pair_xmit on va, pair_rx on vb" \
	"10.216.0.1 > 10.216.0.2 icmp echo request seq 1: pair_xmit:va pair_rx:vb" "$(packet "$out" 3)"
check_eq "packet 4: the echo reply, pair_xmit on vb, pair_rx on va" \
	"10.216.0.2 > 10.216.0.1 icmp echo reply seq 1: pair_xmit:vb pair_rx:va" "$(packet "$out" 4)"
check_eq "the request: 98 bytes leaving va, 84 arriving on vb (Ethernet header pulled)" "98 84" \
	"$(jq -r 'select(.packet == 3) | .len' "$out" | paste -sd' ')"
check_eq "the request goes from va's MAC to vb's" "$mac_va > $mac_vb" \
	"$(jq -r 'select(.packet == 3 and .event == "pair_xmit") | "\(.src) > \(.dst)"' "$out")"
check_eq "pair_rx names b's netns (stat -L -c %i /run/netns/b)" \
	"$(stat -L -c %i "/run/netns/$B")" \
	"$(jq -r 'select(.packet == 3 and .event == "pair_rx") | .netns' "$out")"

echo "# Step 2: a tap whose other end is a program"
check "vnlctl -n t add tap tap0" vnlctl -n "$T" add tap tap0 || exit_status
ip -n "$T" addr add 10.216.1.1/24 dev tap0
ip -n "$T" link set tap0 up
ip netns exec "$T" python3 "$LABS/tap-responder.py" tap0 10.216.1.2 02:00:00:00:01:02 \
	>"$TEST_TMP/responder.out" 2>&1 </dev/null &
track_bg $!
check "tap-responder.py attached to tap0" \
	wait_until 60 grep -q '^attached to tap0' "$TEST_TMP/responder.out" ||
	{ cat "$TEST_TMP/responder.out"; exit_status; }
check "tap0 has carrier, its qdisc active" wait_until 20 oper_up "$T" tap0
# One ARP request however slow the program: no retransmission within the
# ping's wait to take packet 3's place.
ip netns exec "$T" sysctl -qw net.ipv4.neigh.tap0.retrans_time_ms=10000
out=$TEST_TMP/tap.json
vnlctl_bg "$out" -j trace tap0 -c 4
check_eq "vnlctl trace tap0 -c 4 starts" 0 $? || exit_status
check "ping -c1 10.216.1.2 from t, answered by the program" vping "$T" 10.216.1.2 -c 1 -W 5
vnlctl_bg_done
show "$out"
check_eq "vnlctl trace -c 4 ends by itself" 0 "$vnlctl_rc"
check_eq "packet 1: the ARP request, queued then read" \
	"arp who-has 10.216.1.2 tell 10.216.1.1: tun_enqueue:tap0 tun_read:tap0" \
	"$(packet "$out" 1)"
check_eq "packet 2: the ARP reply, written" \
	"arp 10.216.1.2 is-at 02:00:00:00:01:02: tun_write:tap0" \
	"$(packet "$out" 2)"
check_eq "packet 3: the echo request, queued then read" \
	"10.216.1.1 > 10.216.1.2 icmp echo request seq 1: tun_enqueue:tap0 tun_read:tap0" \
	"$(packet "$out" 3)"
check_eq "packet 4: the echo reply, written" \
	"10.216.1.2 > 10.216.1.1 icmp echo reply seq 1: tun_write:tap0" \
	"$(packet "$out" 4)"
check_eq "every tap step says queue 0" 0 "$(jq -r .queue "$out" | sort -u)"

echo "# Step 3: a macvlan child, from the host through a shim"
ip -n "$HOST" link add eth0 type veth peer name eth1 netns "$LAN" || exit_status
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set eth1 master br0
ip -n "$LAN" link set eth1 up
ip -n "$LAN" link set br0 up
ip -n "$LAN" addr add 10.216.2.254/24 dev br0
ip -n "$HOST" link set eth0 up
check "vnlctl -n host add macvlan m1 parent eth0 mode bridge netns c1" \
	vnlctl -n "$HOST" add macvlan m1 parent eth0 mode bridge netns "$C1" || exit_status
ip -n "$C1" addr add 10.216.2.1/24 dev m1
ip -n "$C1" link set m1 up
check "vnlctl -n host add macvlan shim parent eth0 mode bridge" \
	vnlctl -n "$HOST" add macvlan shim parent eth0 mode bridge || exit_status
ip -n "$HOST" addr add 10.216.2.10/24 dev shim
ip -n "$HOST" link set shim up
check "m1 and shim have carrier" eval \
	"wait_until 20 has_flag $C1 m1 LOWER_UP && wait_until 20 has_flag $HOST shim LOWER_UP"
mac1=$(vnl_field "$C1" m1 address)
mac_shim=$(vnl_field "$HOST" shim address)
out=$TEST_TMP/shim.json
vnlctl_bg "$out" -j trace -c 4
check_eq "vnlctl trace -c 4 starts" 0 $? || exit_status
check "ping -c1 10.216.2.1 from the host" vping "$HOST" 10.216.2.1 -c 1 -W 5
ip -n "$C1" neigh flush dev m1
vnlctl_bg_done
show "$out"
check_eq "vnlctl trace -c 4 ends by itself" 0 "$vnlctl_rc"
check_eq "packet 1: the shim's ARP request, a copy to m1, and out to the wire" \
	"arp who-has 10.216.2.1 tell 10.216.2.10: flood_deliver:m1 child_to_parent:shim" \
	"$(packet "$out" 1)"
check_eq "packet 2: m1's ARP reply, to its sibling shim through eth0" \
	"arp 10.216.2.1 is-at $mac1: child_to_sibling:m1 demux_lookup:eth0 demux_deliver:shim" \
	"$(packet "$out" 2)"
check_eq "packet 3: the echo request, shim to m1 through eth0's lookup" \
	"10.216.2.10 > 10.216.2.1 icmp echo request seq 1: child_to_sibling:shim demux_lookup:eth0 demux_deliver:m1" \
	"$(packet "$out" 3)"
check_eq "packet 4: the echo reply, back the same way" \
	"10.216.2.1 > 10.216.2.10 icmp echo reply seq 1: child_to_sibling:m1 demux_lookup:eth0 demux_deliver:shim" \
	"$(packet "$out" 4)"
check_eq "the echo request goes from shim's MAC to m1's" "$mac_shim > $mac1" \
	"$(jq -r 'select(.packet == 3 and .event == "child_to_sibling") | "\(.src) > \(.dst)"' "$out")"

out=$TEST_TMP/wire.json
vnlctl_bg "$out" -j trace -c 4
check_eq "vnlctl trace -c 4 starts" 0 $? || exit_status
check "ping -c1 10.216.2.1 from the LAN" vping "$LAN" 10.216.2.1 -c 1 -W 5
ip -n "$C1" neigh flush dev m1
vnlctl_bg_done
show "$out"
check_eq "vnlctl trace -c 4 ends by itself" 0 "$vnlctl_rc"
check_eq "packet 1: the LAN's ARP request" "arp who-has 10.216.2.1 tell 10.216.2.254" \
	"$(summary "$out" 1)"
check_match "packet 1: queued on eth0 for the flood work, then a copy for m1 and one for shim" \
	'^flood_queue:eth0 (flood_deliver:m1 flood_deliver:shim|flood_deliver:shim flood_deliver:m1)$' \
	"$(steps "$out" 1)"
check_eq "packet 2: m1's ARP reply, out through the parent" \
	"arp 10.216.2.1 is-at $mac1: child_to_parent:m1" "$(packet "$out" 2)"
check_eq "packet 3: the echo request, looked up on eth0, delivered to m1" \
	"10.216.2.254 > 10.216.2.1 icmp echo request seq 1: demux_lookup:eth0 demux_deliver:m1" \
	"$(packet "$out" 3)"
check_eq "packet 4: the echo reply, out through the parent" \
	"10.216.2.1 > 10.216.2.254 icmp echo reply seq 1: child_to_parent:m1" \
	"$(packet "$out" 4)"

echo "# Step 4: drops"
echo "# too_big: vb's MTU is smaller than va's"
ip -n "$B" link set vb mtu 1280
out=$TEST_TMP/too_big.json
vnlctl_bg "$out" -j trace va -c 1
check_eq "vnlctl trace va -c 1 starts" 0 $? || exit_status
check_not "ping -c1 -s 1400 10.216.0.2 from a: no answer" vping "$A" 10.216.0.2 -c 1 -s 1400 -W 1
vnlctl_bg_done
show "$out"
check_eq "vnlctl trace -c 1 ends by itself" 0 "$vnlctl_rc"
check_eq "packet 1: pair_xmit on va, then a drop on va" "pair_xmit:va drop:va" "$(steps "$out" 1)"
check_eq "the drop's reason: too_big" too_big "$(jq -r 'select(.event == "drop") | .reason' "$out")"
counted "$A" va too_big 1
ip -n "$B" link set vb mtu 1500

echo "# bad_write, queue_full, unread: a tap with a queue of 4 and no reader"
check "vnlctl -n t add tap tap1" vnlctl -n "$T" add tap tap1 || exit_status
ip -n "$T" link set tap1 txqueuelen 4
ip -n "$T" addr add 10.216.3.1/24 dev tap1
ip -n "$T" neigh add 10.216.3.2 lladdr 02:00:00:00:03:02 dev tap1 nud permanent
ip -n "$T" link set tap1 up
out=$TEST_TMP/tap1.json
vnlctl_bg "$out" -j trace tap1
check_eq "vnlctl trace tap1 starts" 0 $? || exit_status
coproc HOLD { ip netns exec "$T" python3 "$LABS/tap-hold.py" tap1 2>&1; }
track_bg "$HOLD_PID"
hold() {
	local ans
	read -r -t 30 ans <&"${HOLD[0]}" && echo "$ans"
}
check_eq "tap-hold.py attached" "attached to tap1" "$(hold)" || exit_status
check_eq "its write() of 10 bytes is refused" "write() of 10 bytes: EINVAL" "$(hold)"
check_match "it holds tap1" "^holding tap1" "$(hold)"
check "tap1 has carrier, its qdisc active" wait_until 10 oper_up "$T" tap1
check_not "ping -c 7 -i 0.05 10.216.3.2 from t: no answer" \
	vping "$T" 10.216.3.2 -c 7 -i 0.05 -W 1
echo >&"${HOLD[1]}"
check_eq "Enter: tap-hold.py closes the file" closed "$(hold)"
vnlctl_bg_done INT
show "$out"
check_eq "vnlctl trace ends on Ctrl-C" 0 "$vnlctl_rc"
check_eq "one drop reason bad_write" 1 "$(drops "$out" tap1 bad_write)"
check_eq "packet 1: the short write alone, a drop with no headers" ": drop:tap1" "$(packet "$out" 1)"
check_eq "packet 5: echo request seq 4 queued, and the seven drops after it" \
	"10.216.3.1 > 10.216.3.2 icmp echo request seq 4: tun_enqueue:tap1$(printf ' drop:tap1%.0s' 1 2 3 4 5 6 7)" \
	"$(packet "$out" 5)"
check_eq "4 echo requests queued (tun_enqueue)" 4 \
	"$(jq -r 'select(.event == "tun_enqueue") | .summary' "$out" | grep -c 'icmp echo request')"
check_eq "3 drops reason queue_full" 3 "$(drops "$out" tap1 queue_full)"
check_eq "4 drops reason unread, when the file closed" 4 "$(drops "$out" tap1 unread)"
counted "$T" tap1 bad_write 1
counted "$T" tap1 queue_full 3
counted "$T" tap1 unread 4

echo "# mode: private children, and a switch that hairpins"
check "vnlctl -n host add macvlan m2 parent eth0 mode private netns c2" \
	vnlctl -n "$HOST" add macvlan m2 parent eth0 mode private netns "$C2" || exit_status
ip -n "$C2" addr add 10.216.2.2/24 dev m2
ip -n "$C2" link set m2 up
check "vnlctl -n c1 set m1 mode private" vnlctl -n "$C1" set m1 mode private
check "bridge -n lan link set dev eth1 hairpin on" bridge -n "$LAN" link set dev eth1 hairpin on
ip -n "$C1" neigh add 10.216.2.2 lladdr "$(vnl_field "$C2" m2 address)" dev m1 nud permanent
check "m2 has carrier" wait_until 20 has_flag "$C2" m2 LOWER_UP
out=$TEST_TMP/mode.json
vnlctl_bg "$out" -j trace -c 1
check_eq "vnlctl trace -c 1 starts" 0 $? || exit_status
check_not "ping -c1 10.216.2.2 from c1: no answer" vping "$C1" 10.216.2.2 -c 1 -W 1
vnlctl_bg_done
show "$out"
check_eq "vnlctl trace -c 1 ends by itself" 0 "$vnlctl_rc"
check_eq "packet 1: out of m1, back from the switch into eth0, dropped for m2" \
	"child_to_parent:m1 demux_lookup:eth0 drop:m2" "$(steps "$out" 1)"
check_eq "the drop's reason: mode" 1 "$(drops "$out" m2 mode)"
counted "$C2" m2 mode 1

echo "# parent: the parent's egress drops everything"
if tc -n "$HOST" qdisc add dev eth0 clsact 2>/dev/null &&
	tc -n "$HOST" filter add dev eth0 egress matchall action drop 2>/dev/null; then
	ip -n "$C1" neigh replace 10.216.2.254 lladdr "$(ip -n "$LAN" -br link show br0 | awk '{print $3}')" \
		dev m1 nud permanent
	out=$TEST_TMP/parent.json
	vnlctl_bg "$out" -j trace -c 1
	check_eq "vnlctl trace -c 1 starts" 0 $? || exit_status
	check_not "ping -c1 10.216.2.254 from c1: no answer" vping "$C1" 10.216.2.254 -c 1 -W 1
	vnlctl_bg_done
	show "$out"
	check_eq "vnlctl trace -c 1 ends by itself" 0 "$vnlctl_rc"
	check_eq "packet 1: out of m1, dropped on m1" "child_to_parent:m1 drop:m1" "$(steps "$out" 1)"
	check_eq "the drop's reason: parent" 1 "$(drops "$out" m1 parent)"
	counted "$C1" m1 parent 1
	tc -n "$HOST" qdisc del dev eth0 clsact
else
	check_skip "parent: no tc clsact or matchall drop in this kernel"
fi

exit_status
