#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Watching a packet (Documentation/trace.md): one ping on each data path,
# followed step by step through vnl's trace events, all of events/vnl on
# in a tracefs instance of the test's own.  Each step must be there, on
# the right device (name, ifindex, netns), in the right order, with the
# summary of what it carries; the instance goes at the end and tracefs is
# left as it was found.
#
#   pair     pa (ns A) <-> pb (ns B): vnl_pair_xmit on pa, vnl_pair_rx on
#            pb for the request; the other way for the reply
#   tap      tt (ns T) read by a responder on /dev/vnl: vnl_tun_enqueue,
#            vnl_tun_read for the request, vnl_tun_write for its reply
#   macvlan  m1 (ns C1), m2 (ns C2), bridge mode, on eth0 (ns H) <-veth->
#            eth1 (ns LAN): the LAN's ARP request, vnl_flood_queue on
#            eth0 then vnl_flood_deliver on each child; its echo request,
#            vnl_demux_lookup on eth0 then vnl_demux_deliver on m1; m1's
#            replies, vnl_child_to_parent; m1 to m2, vnl_child_to_sibling
#            then the lookup and delivery to m2; in vepa mode through a
#            hairpinning bridge in ns LAN, vnl_demux_hairpin on the way back

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd python3 bridge

# tracefs as found: mounted or not, and the top level's vnl events.
was_mounted=$(mountpoint -q "$TRACEFS" && echo yes || echo no)
trace_open all
top_enable=$(cat "$TRACEFS/events/vnl/enable")

# The netns inode a trace event names (its netns=), asked once per netns.
declare -A NS_INUM
ns_inum() {
	[[ -n ${NS_INUM[$1]:-} ]] || NS_INUM[$1]=$(stat -L -c %i "/run/netns/$1")
	echo "${NS_INUM[$1]}"
}

ifindex_of() {
	local out
	out=$(ip -n "$1" -o link show dev "$2") || return 1
	echo "${out%%:*}"
}

# The questions below read the trace in bash, with no process: in the
# debug kernel's guest every process start costs a third of a second.
# trace_steps: the vnl events of the trace in STEPS, each line from its
# event's name on, as lib.sh's trace_events prints them.
trace_steps() {
	local line lines re='^.*: (vnl_[a-z_]+: dev=.*)$'
	STEPS=()
	mapfile -t lines <"$TRACE_INST/trace"
	for line in "${lines[@]}"; do
		[[ $line =~ $re ]] && STEPS+=("${BASH_REMATCH[1]}")
	done
}

# journey REGEX: "event:dev" of each event whose summary (what follows the
# two MACs) matches REGEX, in the order of the trace, on one line.
journey() {
	local step ev summary out=() re='^(vnl_[a-z_]+): dev=([^ ]+) .*[0-9a-f:]{17} > [0-9a-f:]{17} (.*)$'
	trace_steps
	for step in "${STEPS[@]}"; do
		[[ $step =~ $re ]] || continue
		ev=${BASH_REMATCH[1]}:${BASH_REMATCH[2]} summary=${BASH_REMATCH[3]}
		[[ $summary =~ $1 ]] && out+=("$ev")
	done
	echo "${out[*]}"
}

# event_line EVENT DEV REGEX: the first line of EVENT on DEV that ends
# with a match of REGEX.
event_line() {
	local step re="$3\$"
	trace_steps
	for step in "${STEPS[@]}"; do
		[[ $step == "$1: dev=$2 "* && $step =~ $re ]] && { echo "$step"; return; }
	done
}

setup_ns A B T H LAN C1 C2
no_ipv6 "$A" "$B" "$T" "$H" "$LAN" "$C1" "$C2"

echo "# pair: a ping across two netns"
check "vnlctl add pair pa peer pb" \
	vnlctl add pair pa netns "$A" peer pb peer-netns "$B" || exit_status
ip -n "$A" addr add 10.215.0.1/24 dev pa
ip -n "$B" addr add 10.215.0.2/24 dev pb
ip -n "$A" link set pa up
ip -n "$B" link set pb up
mac_a=$(vnl_field "$A" pa address)
mac_b=$(vnl_field "$B" pb address)
# No ARP: the echo and its reply are the pair's only frames.
ip -n "$A" neigh replace 10.215.0.2 lladdr "$mac_b" dev pa nud permanent
ip -n "$B" neigh replace 10.215.0.1 lladdr "$mac_a" dev pb nud permanent
check "pa and pb have carrier" wait_until 10 has_flag "$A" pa LOWER_UP
trace_clear
check "ping -c1 A -> B" vping "$A" 10.215.0.2 -c 1
check_eq "pair: the request goes out of pa, into pb; the reply back" \
	"vnl_pair_xmit:pa vnl_pair_rx:pb vnl_pair_xmit:pb vnl_pair_rx:pa" \
	"$(journey 'icmp echo (request|reply) seq 1$')"
ia=$(ifindex_of "$A" pa)
ib=$(ifindex_of "$B" pb)
check_match "pair: vnl_pair_xmit names pa, its ifindex, netns, MACs and the echo" \
	"^vnl_pair_xmit: dev=pa ifindex=$ia netns=$(ns_inum "$A") len=98 proto=0x0800 queue=-1 $mac_a > $mac_b 10\\.215\\.0\\.1 > 10\\.215\\.0\\.2 icmp echo request seq 1\$" \
	"$(event_line vnl_pair_xmit pa 'echo request seq 1')"
check_match "pair: vnl_pair_rx names pb in its netns" \
	"^vnl_pair_rx: dev=pb ifindex=$ib netns=$(ns_inum "$B") len=[0-9]+ proto=0x0800 queue=-1 $mac_a > $mac_b 10\\.215\\.0\\.1 > 10\\.215\\.0\\.2 icmp echo request seq 1\$" \
	"$(event_line vnl_pair_rx pb 'echo request seq 1')"
check_match "pair: the reply's vnl_pair_xmit on pb" \
	"^vnl_pair_xmit: dev=pb ifindex=$ib netns=$(ns_inum "$B") len=98 proto=0x0800 queue=-1 $mac_b > $mac_a 10\\.215\\.0\\.2 > 10\\.215\\.0\\.1 icmp echo reply seq 1\$" \
	"$(event_line vnl_pair_xmit pb 'echo reply seq 1')"

echo "# tap: the stack to read(), write() to the stack"
FAKE_MAC=02:00:5e:d7:01:02
check "vnlctl add tap tt (persistent)" vnlctl -n "$T" add tap tt || exit_status
ip -n "$T" addr add 10.215.1.1/24 dev tt
ip -n "$T" link set tt up
ip netns exec "$T" python3 "$(dirname "$0")/../Documentation/labs/tap-responder.py" tt 10.215.1.2 "$FAKE_MAC" \
	>"$TEST_TMP/responder.out" 2>&1 </dev/null &
track_bg $!
check "a responder attached to tt" wait_until 60 grep -q '^attached to tt' "$TEST_TMP/responder.out" ||
	{ cat "$TEST_TMP/responder.out"; exit_status; }
check "tt has carrier, its qdisc active" wait_until 20 oper_up "$T" tt
# One ARP request, however slow the responder: no retransmission within
# the ping's wait to add a second request to the journey.
ip netns exec "$T" sysctl -qw net.ipv4.neigh.tt.retrans_time_ms=10000
trace_clear
check "ping -c1 10.215.1.2, answered from userspace" vping "$T" 10.215.1.2 -c 1 -W 5
check_eq "tap: the ARP request queued and read, the reply written" \
	"vnl_tun_enqueue:tt vnl_tun_read:tt vnl_tun_write:tt" \
	"$(journey '^arp ')"
check_eq "tap: the echo request queued and read, the reply written" \
	"vnl_tun_enqueue:tt vnl_tun_read:tt vnl_tun_write:tt" \
	"$(journey 'icmp echo (request|reply) seq 1$')"
it=$(ifindex_of "$T" tt)
mac_t=$(vnl_field "$T" tt address)
for ev in vnl_tun_enqueue vnl_tun_read; do
	check_match "tap: $ev on tt, queue 0, the echo request" \
		"^$ev: dev=tt ifindex=$it netns=$(ns_inum "$T") len=98 proto=0x0800 queue=0 $mac_t > $FAKE_MAC 10\\.215\\.1\\.1 > 10\\.215\\.1\\.2 icmp echo request seq 1\$" \
		"$(event_line "$ev" tt 'echo request seq 1')"
done
check_match "tap: vnl_tun_write on tt, queue 0, the reply" \
	"^vnl_tun_write: dev=tt ifindex=$it netns=$(ns_inum "$T") len=[0-9]+ proto=0x0800 queue=0 $FAKE_MAC > $mac_t 10\\.215\\.1\\.2 > 10\\.215\\.1\\.1 icmp echo reply seq 1\$" \
	"$(event_line vnl_tun_write tt 'echo reply seq 1')"
check_match "tap: vnl_tun_enqueue shows the ARP request" \
	"^vnl_tun_enqueue: dev=tt .* arp who-has 10\\.215\\.1\\.2 tell 10\\.215\\.1\\.1\$" \
	"$(event_line vnl_tun_enqueue tt 'arp who-has .*')"

echo "# macvlan: from the wire to a child, back, and between children"
ip -n "$H" link add eth0 type veth peer name eth1 netns "$LAN" || exit_status
ip -n "$LAN" addr add 10.215.2.254/24 dev eth1
ip -n "$LAN" link set eth1 up
ip -n "$H" link set eth0 up
check "vnlctl add macvlan m1, m2 parent eth0 mode bridge" eval \
	"vnlctl -n $H add macvlan m1 parent eth0 mode bridge netns $C1 &&
	 vnlctl -n $H add macvlan m2 parent eth0 mode bridge netns $C2" || exit_status
ip -n "$C1" addr add 10.215.2.1/24 dev m1
ip -n "$C2" addr add 10.215.2.2/24 dev m2
ip -n "$C1" link set m1 up
ip -n "$C2" link set m2 up
check "m1 and m2 have carrier" eval \
	"wait_until 20 has_flag $C1 m1 LOWER_UP && wait_until 20 has_flag $C2 m2 LOWER_UP"
mac1=$(vnl_field "$C1" m1 address)
mac2=$(vnl_field "$C2" m2 address)
mac_lan=$(ip -n "$LAN" -br link show eth1 | awk '{print $3}')
trace_clear
check "ping -c1 LAN -> m1" vping "$LAN" 10.215.2.1 -c 1 -W 5
# The broadcast: queued once on the parent, then a copy for each child.
check_match "macvlan: the LAN's ARP request queued on eth0, then a copy for m1 and m2" \
	'^vnl_flood_queue:eth0 (vnl_flood_deliver:m1 vnl_flood_deliver:m2|vnl_flood_deliver:m2 vnl_flood_deliver:m1)$' \
	"$(journey '^arp who-has 10\.215\.2\.1 tell 10\.215\.2\.254$')"
check_match "macvlan: vnl_flood_queue names eth0 in its netns, from the LAN to broadcast" \
	"^vnl_flood_queue: dev=eth0 ifindex=$(ifindex_of "$H" eth0) netns=$(ns_inum "$H") len=[0-9]+ proto=0x0806 queue=-1 $mac_lan > ff:ff:ff:ff:ff:ff arp who-has 10\\.215\\.2\\.1 tell 10\\.215\\.2\\.254\$" \
	"$(event_line vnl_flood_queue eth0 'arp who-has .*')"
check_eq "macvlan: m1's ARP reply goes to the parent" "vnl_child_to_parent:m1" \
	"$(journey "^arp 10\\.215\\.2\\.1 is-at $mac1\$")"
check_eq "macvlan: the echo request looked up on eth0, delivered to m1; the reply to the parent" \
	"vnl_demux_lookup:eth0 vnl_demux_deliver:m1 vnl_child_to_parent:m1" \
	"$(journey 'icmp echo (request|reply) seq 1$')"
check_match "macvlan: vnl_demux_deliver names m1 in its netns" \
	"^vnl_demux_deliver: dev=m1 ifindex=$(ifindex_of "$C1" m1) netns=$(ns_inum "$C1") len=[0-9]+ proto=0x0800 queue=-1 $mac_lan > $mac1 10\\.215\\.2\\.254 > 10\\.215\\.2\\.1 icmp echo request seq 1\$" \
	"$(event_line vnl_demux_deliver m1 'echo request seq 1')"

# Between bridge-mode siblings, without ARP: the parent's receive path
# takes the frame as if from the wire, though it never left the machine
# (so no vnl_demux_hairpin).
ip -n "$C1" neigh replace 10.215.2.2 lladdr "$mac2" dev m1 nud permanent
ip -n "$C2" neigh replace 10.215.2.1 lladdr "$mac1" dev m2 nud permanent
trace_clear
check "ping -c1 m1 -> m2" vping "$C1" 10.215.2.2 -c 1 -W 5
check_eq "macvlan: m1 to its sibling m2 through eth0's lookup, and back" \
	"vnl_child_to_sibling:m1 vnl_demux_lookup:eth0 vnl_demux_deliver:m2 vnl_child_to_sibling:m2 vnl_demux_lookup:eth0 vnl_demux_deliver:m1" \
	"$(journey 'icmp echo (request|reply) seq 1$')"
check_match "macvlan: vnl_child_to_sibling names m1 and the request" \
	"^vnl_child_to_sibling: dev=m1 ifindex=$(ifindex_of "$C1" m1) netns=$(ns_inum "$C1") len=98 proto=0x0800 queue=-1 $mac1 > $mac2 10\\.215\\.2\\.1 > 10\\.215\\.2\\.2 icmp echo request seq 1\$" \
	"$(event_line vnl_child_to_sibling m1 'echo request seq 1')"

# VEPA: children reach each other only through the switch, which sends the
# frame back out of the port it came in on (hairpin on).
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set eth1 master br0
bridge -n "$LAN" link set dev eth1 hairpin on
ip -n "$LAN" link set br0 up
check "m1 and m2 in vepa mode" eval \
	"vnlctl -n $C1 set m1 mode vepa && vnlctl -n $C2 set m2 mode vepa"
trace_clear
check "ping -c1 m1 -> m2 through the LAN's hairpin" vping "$C1" 10.215.2.2 -c 1 -W 5
check_eq "macvlan vepa: m1 to the wire, back to eth0 and m2 (hairpin), and the reply the same way" \
	"vnl_child_to_parent:m1 vnl_demux_lookup:eth0 vnl_demux_hairpin:m2 vnl_demux_deliver:m2 vnl_child_to_parent:m2 vnl_demux_lookup:eth0 vnl_demux_hairpin:m1 vnl_demux_deliver:m1" \
	"$(journey 'icmp echo (request|reply) seq 1$')"

echo "# tracefs left as found"
inst=$TRACE_INST
trace_close
check "the test's instance is gone" test ! -e "$inst"
check_eq "tracefs mounted as before" "$was_mounted" \
	"$(mountpoint -q "$TRACEFS" && echo yes || echo no)"
if [[ $was_mounted == yes ]]; then
	check_eq "the top level's vnl events as before" "$top_enable" "$(cat "$TRACEFS/events/vnl/enable")"
fi

exit_status
