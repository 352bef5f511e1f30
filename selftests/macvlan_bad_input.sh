#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every rule of vnl macvlan children, broken once: each request is refused
# with the kernel's message (or vnlctl's, for a command line that does not
# parse), a non-zero exit status (1 when the kernel refuses, 2 for usage),
# and nothing changes: the links of the netns are the same, and so is the
# parent (flags, MTU, MAC, promiscuity, its children) and every child's
# broadcast queue length.  Then what must work: the broadcast queue length
# is 1000 by default and the parent uses the largest its children ask
# for; the child's MTU follows the parent's down; a child of a child is a
# child of the real parent; a VLAN sub-interface, a dummy and a vnl pair
# end are parents like any Ethernet device.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd jq

setup_ns N OUT K1 K2 K3 BR
no_ipv6 "$N" "$OUT" "$K1" "$K2" "$K3" "$BR"
NOSUCH=nx$RANDOM
M0=02:00:00:82:00:01
M1=02:00:00:82:00:02

v=(vnlctl -n "$N")

# d0: the usual parent, with children m0 (vepa, M0) and m1 (bridge, M1)
# and ms (source mode); d3: a parent with a passthru child pt; d2: the
# parent of a kernel macvlan; d5: a bond slave (where the kernel has
# bonding); t0: a vnl tun; kt0: a kernel tun.  In BR, d1: a port of
# bridge br0 (in a netns of its own, because `ip -d` shows a bridge's
# running timers, which parent_state must take out, by regex: too dear to
# do on N's state after every request).
ip -n "$N" link add d0 type dummy
ip -n "$N" link add d2 type dummy
ip -n "$N" link add d3 type dummy
ip -n "$BR" link add d1 type dummy
ip -n "$BR" link add br0 type bridge
ip -n "$BR" link set d1 master br0
ip -n "$BR" link set d1 up
ip -n "$BR" link set br0 up
ip -n "$N" link add link d2 name km0 type macvlan
# (A slave must be down to be enslaved: bonding brings it up itself.)
if ip -n "$N" link add bond0 type bond 2>/dev/null; then
	ip -n "$N" link add d5 type dummy
	ip -n "$N" link set d5 master bond0 ||
		{ echo "FAIL: cannot enslave d5 to bond0"; exit 1; }
	ip -n "$N" link set bond0 up
else
	bond_missing=1
fi
for d in d0 d2 d3; do ip -n "$N" link set "$d" up; done
"${v[@]}" add macvlan m0 parent d0 address "$M0" &&
	"${v[@]}" add macvlan m1 parent d0 mode bridge address "$M1" &&
	"${v[@]}" add macvlan ms parent d0 mode source &&
	"${v[@]}" add macvlan pt parent d3 mode passthru ||
	{ echo "FAIL: cannot make the children the test starts from"; exit 1; }
"${v[@]}" add tun t0 >/dev/null || { echo "FAIL: cannot make a vnl tun"; exit 1; }
ip -n "$N" tuntap add mode tun kt0 2>/dev/null || kt0_missing=1
"${v[@]}" add pair pa peer pb >/dev/null || { echo "FAIL: cannot make a vnl pair"; exit 1; }

# What must not change: the links of the netns STATE_NS (N but for one
# request), each as ip -d link shows it (the parents' flags, MTU, MAC,
# promiscuity...), and vnlctl's view of the vnl devices (without the
# counters).
# Two processes, their output trimmed by bash, not four: on the debug
# kernel under TCG every process start is dear, and this runs after each
# of ~60 requests.
STATE_NS=$N
parent_state() {
	local links devs
	# (without a bridge's running timers)
	links=$(ip -n "$STATE_NS" -d -o link show)
	replace_matches links ' [a-z_]*timer +[0-9.]+'
	devs=$(vnlctl -n "$STATE_NS" -j show)
	replace_matches devs ',"stats":\{[^{}]*\}'
	printf '%s\n%s\n' "$links" "$devs"
}
snapshot() {
	local i prev
	state=$(parent_state)
	# Carrier and operstate settle after a change: wait for two alike.
	for ((i = 0; i < 30; i++)); do
		prev=$state
		nap 0.1
		state=$(parent_state)
		[[ $state == "$prev" ]] && break
	done
}
snapshot

# check_refused DESCRIPTION RC REGEX COMMAND...: COMMAND exits RC with a
# message matching REGEX (case-insensitive) on stderr, and neither the
# links of STATE_NS nor the parents changed.
check_refused() {
	local desc=$1 want_rc=$2 regex=$3 err rc problems=() now
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	((rc == want_rc)) || problems+=("exit $rc, expected $want_rc")
	[[ ${err,,} =~ ${regex,,} ]] || problems+=("stderr does not match /$regex/")
	# (parent_state lists every link of STATE_NS: a link made or lost shows.)
	now=$(parent_state)
	if [[ $now != "$state" ]]; then
		echo "$state" >"$TEST_TMP/before"
		echo "$now" >"$TEST_TMP/after"
		problems+=("the devices changed:" "$(diff "$TEST_TMP/before" "$TEST_TMP/after")")
	fi
	if ((${#problems[@]} == 0)); then
		check_pass "$desc"
		return 0
	fi
	check_fail "$desc" "command: $*" "${problems[@]}" "stderr: ${err//$'\n'/$'\n    '}"
	ip -n "$STATE_NS" link del q0 2>/dev/null
	snapshot
	return 1
}

# --- the parent --------------------------------------------------------------------------------

check_refused "no parent: usage error" 2 'parent' "${v[@]}" add macvlan q0
check_refused "unknown parent: no such device" 1 'no such device|not found' \
	"${v[@]}" add macvlan q0 parent "$NOSUCH"
NOT_ETH='the parent must be an Ethernet device and not loopback'
check_refused "parent lo: EINVAL, not Ethernet or loopback" 1 "$NOT_ETH" \
	"${v[@]}" add macvlan q0 parent lo
check_refused "parent a vnl tun: EINVAL, not Ethernet" 1 "$NOT_ETH" \
	"${v[@]}" add macvlan q0 parent t0
if [[ -z ${kt0_missing:-} ]]; then
	check_refused "parent a kernel tun (ip tuntap): EINVAL, not Ethernet" 1 "$NOT_ETH" \
		"${v[@]}" add macvlan q0 parent kt0
else
	check_skip "parent a kernel tun (ip tuntap)" "ip tuntap add failed"
fi
STATE_NS=$BR
snapshot
check_refused "parent a bridge port: EBUSY, names the receive handler" 1 'receive handler' \
	vnlctl -n "$BR" add macvlan q0 parent d1
STATE_NS=$N
snapshot
check_refused "parent of a kernel macvlan: EBUSY, names the receive handler" 1 'receive handler' \
	"${v[@]}" add macvlan q0 parent d2
if [[ -z ${bond_missing:-} ]]; then
	check_refused "parent a bond slave: EBUSY, names the receive handler" 1 'receive handler' \
		"${v[@]}" add macvlan q0 parent d5
else
	check_skip "parent a bond slave" "ip link add type bond failed: no bonding in this kernel"
fi
check_refused "unknown netns: refused, names it" 1 "$NOSUCH" \
	"${v[@]}" add macvlan q0 parent d0 netns "$NOSUCH"
check_refused "unknown mode: usage error" 2 'mode' "${v[@]}" add macvlan q0 parent d0 mode hairpin
check_refused "name taken (m0): EEXIST" 1 'in use|exists' "${v[@]}" add macvlan m0 parent d0

# --- passthru ---------------------------------------------------------------------------------

check_refused "a second child of a passthru child's parent: EINVAL" 1 'passthru' \
	"${v[@]}" add macvlan q0 parent d3 mode bridge
check_refused "a second passthru child: EINVAL" 1 'passthru' \
	"${v[@]}" add macvlan q0 parent d3 mode passthru
check_refused "a passthru child where there are children: EINVAL" 1 'passthru' \
	"${v[@]}" add macvlan q0 parent d0 mode passthru
check_refused "set m0 mode passthru: EINVAL" 1 'passthru' "${v[@]}" set m0 mode passthru
check_refused "set pt (passthru) mode bridge: EINVAL" 1 'passthru' "${v[@]}" set pt mode bridge

# --- MTU and addresses -------------------------------------------------------------------------

check_refused "mtu 1501 on a parent of 1500: EINVAL" 1 'mtu' \
	"${v[@]}" add macvlan q0 parent d0 mtu 1501
check_refused "mtu 9000 on a parent of 1500: EINVAL" 1 'mtu' \
	"${v[@]}" add macvlan q0 parent d0 mtu 9000
check_refused "address of a sibling (m0's): EADDRINUSE" 1 'address already used' \
	"${v[@]}" add macvlan q0 parent d0 address "$M0"
check_refused "address of the parent: EADDRINUSE" 1 'address already used' \
	"${v[@]}" add macvlan q0 parent d0 address "$(mac_of "$N" d0)"
check_refused "address of a sibling, from a child of a child: EADDRINUSE" 1 'address already used' \
	"${v[@]}" add macvlan q0 parent m0 address "$M1"
ip -n "$N" link set m0 up
ip -n "$N" link set m1 up
snapshot
check_refused "ip link set m1 address <m0's> (both up): EADDRINUSE" 2 'in use' \
	ip -n "$N" link set m1 address "$M0"
check_refused "ip link set m1 address <d0's> (both up): EADDRINUSE" 2 'in use' \
	ip -n "$N" link set m1 address "$(mac_of "$N" d0)"
# Down too, a child never takes the parent's MAC or a sibling's, even a
# down sibling's (demux.c:vnl_demux_set_mac_address, EADDRINUSE).  Kernel
# macvlan refuses only the parent's and an up sibling's: of two down
# children given one MAC, the second to come up is refused.
ip -n "$N" link set m1 down
snapshot
check_refused "ip link set m1 address <m0's> (m1 down, m0 up): EADDRINUSE" 2 'in use' \
	ip -n "$N" link set m1 address "$M0"
check_refused "ip link set m1 address <d0's> (m1 down): EADDRINUSE" 2 'in use' \
	ip -n "$N" link set m1 address "$(mac_of "$N" d0)"
ip -n "$N" link set m0 down
snapshot
check_refused "ip link set m1 address <m0's> (both down): EADDRINUSE" 2 'in use' \
	ip -n "$N" link set m1 address "$M0"
check_eq "m1 down kept its own MAC" "$M1" "$(mac_of "$N" m1)"
# The parent's own MAC is not vnl's to refuse: d0 may take m1's, and then
# m1 cannot come up (demux.c:vnl_demux_open; kernel macvlan alike).
D0=$(mac_of "$N" d0)
check "ip link set d0 address <m1's> (m1 down): accepted" \
	ip -n "$N" link set d0 address "$M1"
snapshot
check_refused "ip link set m1 up, d0 having its MAC: EADDRINUSE" 2 'in use' \
	ip -n "$N" link set m1 up
check "ip link set d0 address <its own> again" ip -n "$N" link set d0 address "$D0"
ip -n "$N" link set m0 up
check "ip link set m1 up, with its own MAC: accepted" ip -n "$N" link set m1 up
check_eq "m0 and m1 up with their own MACs" "$M0 $M1 UP UP" \
	"$(mac_of "$N" m0) $(mac_of "$N" m1) $(has_flag "$N" m0 UP && echo UP) $(has_flag "$N" m1 UP && echo UP)"
snapshot
check_refused "ip link set m1 mtu 1501 (parent 1500): refused" 2 'invalid|mtu' \
	ip -n "$N" link set m1 mtu 1501

# --- set and macaddr ----------------------------------------------------------------------------

check_refused "macaddr on a vepa child: EINVAL" 1 'source' \
	"${v[@]}" macaddr m0 add 02:00:00:82:00:99
check_refused "macaddr flush on a bridge child: EINVAL" 1 'source' "${v[@]}" macaddr m1 flush
check_refused "set on a pair end: refused" 1 'macvlan' "${v[@]}" set pa mode bridge
check_refused "macaddr on a pair end: refused" 1 'macvlan|source' \
	"${v[@]}" macaddr pa add 02:00:00:82:00:99
check_refused "set on a tun: refused" 1 'macvlan' "${v[@]}" set t0 mode bridge
check_refused "set on an unknown device: no such device" 1 'no such device' \
	"${v[@]}" set "$NOSUCH" mode bridge
check_refused "set on lo (not vnl): refused" 1 'not a vnl|no such device|macvlan' "${v[@]}" set lo mode bridge
check_refused "set without a mode: usage error" 2 'mode' "${v[@]}" set m0
check_refused "macaddr with a multicast address: refused" 1 'unicast|address|multicast' \
	"${v[@]}" macaddr ms add 01:00:5e:00:00:01
check_refused "macaddr with a malformed address: usage error" 2 'address' \
	"${v[@]}" macaddr ms add 02:00:00:82:00
check_refused "macaddr flush with an address: usage error" 2 'flush' \
	"${v[@]}" macaddr ms flush 02:00:00:82:00:99

# --- the broadcast queue length ------------------------------------------------------------------

BCQ_RANGE='bcqueuelen.*(range|65535)'
check_refused "add macvlan bcqueuelen 65536: ERANGE, out of range" 1 "$BCQ_RANGE" \
	"${v[@]}" add macvlan q0 parent d0 bcqueuelen 65536
check_refused "set m0 bcqueuelen 65536: ERANGE, out of range" 1 "$BCQ_RANGE" \
	"${v[@]}" set m0 bcqueuelen 65536
check_refused "set m0 bcqueuelen 4294967295: ERANGE, out of range" 1 "$BCQ_RANGE" \
	"${v[@]}" set m0 bcqueuelen 4294967295
check_refused "set m0 mode bridge bcqueuelen 70000: refused whole, the mode unchanged" 1 \
	"$BCQ_RANGE" "${v[@]}" set m0 mode bridge bcqueuelen 70000
check_refused "set pa (a pair end) bcqueuelen 10: refused" 1 'macvlan' \
	"${v[@]}" set pa bcqueuelen 10
check_refused "set t0 (a tun) bcqueuelen 10: refused" 1 'macvlan' \
	"${v[@]}" set t0 bcqueuelen 10
check_refused "set lo (not vnl) bcqueuelen 10: refused" 1 'not a vnl|no such device|macvlan' \
	"${v[@]}" set lo bcqueuelen 10
check_refused "add pair with bcqueuelen: usage error" 2 'bcqueuelen' \
	"${v[@]}" add pair q0 peer q1 bcqueuelen 10
check_refused "add tap with bcqueuelen: usage error" 2 'bcqueuelen' \
	"${v[@]}" add tap q0 bcqueuelen 10
check_refused "set m0 bcqueuelen lots: usage error" 2 'bcqueuelen' \
	"${v[@]}" set m0 bcqueuelen lots
check_refused "set m0 bcqueuelen -1: usage error" 2 'bcqueuelen' \
	"${v[@]}" set m0 bcqueuelen -1
check_refused "add macvlan bcqueuelen 1e3: usage error" 2 'bcqueuelen' \
	"${v[@]}" add macvlan q0 parent d0 bcqueuelen 1e3

# --- what works ----------------------------------------------------------------------------------

check_eq "m0, m1, ms, pt are still there, with their modes" "m0=vepa m1=bridge ms=source pt=passthru" \
	"$("${v[@]}" -j show | jq -r 'map(select(.kind == "macvlan") | "\(.ifname)=\(.mode)") | sort | join(" ")')"
check_eq "pt took its parent's address" "$(mac_of "$N" d3)" "$(mac_of "$N" pt)"

# The broadcast queue length: each child asks, the parent uses the
# largest request (as bcqueuelen and bcqueuelen_used of kernel macvlan).
# bcq NAME...: "asked/used" of each.
bcq() {
	local name out
	for name in "$@"; do
		out=$("${v[@]}" -j show "$name") || return 1
		printf '%s ' "$(json_get "$out" bc_queue_len)/$(json_get "$out" bc_queue_len_used)"
	done
}
check_eq "bcqueuelen: 1000 by default, used 1000" "1000/1000 1000/1000 1000/1000 1000/1000 " \
	"$(bcq m0 m1 ms pt)"
check_match "vnlctl show m0: bcqueuelen 1000 bcqueuelen_used 1000" \
	' bc_drops [0-9]+ bcqueuelen 1000 bcqueuelen_used 1000$' "$("${v[@]}" show m0)"
check "add macvlan q4 parent d0 bcqueuelen 4000" "${v[@]}" add macvlan q4 parent d0 bcqueuelen 4000
check_eq "q4 asks 4000: d0 uses 4000, for each of its children" \
	"1000/4000 1000/4000 1000/4000 4000/4000 " "$(bcq m0 m1 ms q4)"
check_eq "... not pt's parent d3" "1000/1000 " "$(bcq pt)"
check "set m1 bcqueuelen 2500" "${v[@]}" set m1 bcqueuelen 2500
check_eq "m1 asks 2500: d0 still uses 4000" "1000/4000 2500/4000 4000/4000 " "$(bcq m0 m1 q4)"
check "vnlctl del q4 (the largest request)" "${v[@]}" del q4
check_eq "q4 gone: d0 uses 2500, m1's" "1000/2500 2500/2500 1000/2500 " "$(bcq m0 m1 ms)"
check "set m1 bcqueuelen 0 mode bridge (both at once)" "${v[@]}" set m1 bcqueuelen 0 mode bridge
check_eq "m1 asks 0: d0 uses 1000" "1000/1000 0/1000 " "$(bcq m0 m1)"
check "set m0 bcqueuelen 65535 (the maximum)" "${v[@]}" set m0 bcqueuelen 65535
check_eq "m0 asks 65535: d0 uses 65535" "65535/65535 0/65535 " "$(bcq m0 m1)"
check "set pt bcqueuelen 0 (passthru)" "${v[@]}" set pt bcqueuelen 0
check_eq "pt asks 0: d3 uses 0" "0/0 " "$(bcq pt)"
check_eq "ip -d link m0: bcqueuelen 65535 bcqueuelen_used 65535" "65535 65535" \
	"$(ip -n "$N" -d -j link show dev m0 |
		jq -r '.[0].linkinfo.info_data | "\(.vnl_bcqueuelen) \(.vnl_bcqueuelen_used)"')"
"${v[@]}" set m0 bcqueuelen 1000 && "${v[@]}" set m1 bcqueuelen 1000 &&
	"${v[@]}" set pt bcqueuelen 1000
check_eq "back to 1000 each" "1000/1000 1000/1000 1000/1000 " "$(bcq m0 m1 pt)"

# A child of a child is a child of the real parent.
check "add macvlan q1 parent m0 (a vnl child): accepted" "${v[@]}" add macvlan q1 parent m0 mode bridge
check_eq "q1's parent is d0, the real parent" d0 "$(vnl_field "$N" q1 parent)"
check_match "vnlctl show q1: parent d0" 'parent d0 mode bridge' "$("${v[@]}" show q1)"
ip -n "$N" link del q1

# The MTU follows the parent down, not up; a child's own smaller MTU stays.
check "add macvlan q2 parent d0 mtu 1000" "${v[@]}" add macvlan q2 parent d0 mtu 1000
snapshot
check_eq "children of d0 have the MTU of the parent by default" "1500 1500" \
	"$(mtu_of "$N" m0) $(mtu_of "$N" m1)"
check "ip link set d0 mtu 1400" ip -n "$N" link set d0 mtu 1400
check "m0 and m1 follow: mtu 1400" wait_until 5 eval "[[ \$(mtu_of $N m0) == 1400 && \$(mtu_of $N m1) == 1400 ]]"
snapshot
check_eq "q2 (mtu 1000) keeps 1000" 1000 "$(mtu_of "$N" q2)"
check_eq "vnlctl show m0: mtu 1400" 1400 "$(vnl_field "$N" m0 mtu)"
check_refused "now add macvlan q0 mtu 1500 (parent 1400): EINVAL" 1 'mtu' \
	"${v[@]}" add macvlan q0 parent d0 mtu 1500
check "ip link set d0 mtu 1500 again" ip -n "$N" link set d0 mtu 1500
check_eq "the children do not follow up: 1400" 1400 "$(mtu_of "$N" m0)"
check "ip link set m0 mtu 1500 (parent 1500): accepted" ip -n "$N" link set m0 mtu 1500
check "a new child of d0 gets 1500" "${v[@]}" add macvlan q3 parent d0
check_eq "... it has 1500" 1500 "$(mtu_of "$N" q3)"
ip -n "$N" link del q2
ip -n "$N" link del q3

# A dummy parent: the child has carrier while the parent is up; with the
# parent down, it has what a kernel macvlan child of a dummy has.
check "add macvlan md parent d0 (dummy), up" eval "${v[*]} add macvlan md parent d0 && ip -n $N link set md up"
check "md has carrier" wait_until 10 has_flag "$N" md LOWER_UP
ip -n "$N" link add d4 type dummy
ip -n "$N" link set d4 up
ip -n "$N" link add link d4 name kmd type macvlan
ip -n "$N" link set kmd up
wait_until 10 has_flag "$N" kmd LOWER_UP
ip -n "$N" link set d0 down
ip -n "$N" link set d4 down
nap 1
check_eq "d0 down: md's flags are those of a kernel macvlan on a dummy that went down" \
	"$(link_flags "$N" kmd)" "$(link_flags "$N" md)"
ip -n "$N" link set d0 up
check "d0 up: md has carrier" wait_until 10 has_flag "$N" md LOWER_UP

# A vnl pair end as the parent: a child in K1 pings the other end.
"${v[@]}" add pair va peer vb peer-netns "$OUT" >/dev/null
ip -n "$N" link set va up
mv_ip "$OUT" vb 10.82.1.254/24
check "add macvlan mp parent va (a vnl pair end) netns K1" \
	"${v[@]}" add macvlan mp parent va netns "$K1"
mv_ip "$K1" mp 10.82.1.1/24
check "mp has carrier" wait_until 10 has_flag "$K1" mp LOWER_UP
check_eq "mp (child of a vnl pair end) pings the pair's other end" yes "$(reach "$K1" 10.82.1.254)"

# A VLAN sub-interface of a veth as the parent: a child in K2 pings the
# VLAN's other side.
ip -n "$N" link add e0 type veth peer name e1 netns "$OUT"
ip -n "$N" link add link e0 name e0.10 type vlan id 10
ip -n "$OUT" link add link e1 name e1.10 type vlan id 10
for d in e0 e0.10; do ip -n "$N" link set "$d" up; done
ip -n "$OUT" link set e1 up
mv_ip "$OUT" e1.10 10.82.2.254/24
check "add macvlan mv parent e0.10 (a VLAN sub-interface) netns K2" \
	"${v[@]}" add macvlan mv parent e0.10 netns "$K2"
mv_ip "$K2" mv 10.82.2.1/24
check "mv has carrier" wait_until 10 has_flag "$K2" mv LOWER_UP
check_eq "mv (child of a VLAN sub-interface) pings over VLAN 10" yes "$(reach "$K2" 10.82.2.254)"

# A kernel veth end as the parent (the other tests' usual parent), and
# a bridge device itself (not a port).
ip -n "$N" link add f0 type veth peer name f1 netns "$OUT"
ip -n "$N" link set f0 up
ip -n "$OUT" link set f1 up
mv_ip "$OUT" f1 10.82.3.254/24
check "add macvlan mf parent f0 (a veth end) netns K3" "${v[@]}" add macvlan mf parent f0 netns "$K3"
mv_ip "$K3" mf 10.82.3.1/24
check_eq "mf (child of a veth end) pings the veth's other end" yes "$(reach "$K3" 10.82.3.254)"
ip -n "$OUT" link set f1 down
check "f1 down (f0 loses carrier): mf loses carrier" wait_until 10 lacks_flag "$K3" mf LOWER_UP
ip -n "$OUT" link set f1 up
check "f1 up: mf has carrier again" wait_until 10 has_flag "$K3" mf LOWER_UP
check "add macvlan mb parent br0 (a bridge device, not a port): accepted" \
	vnlctl -n "$BR" add macvlan mb parent br0

# Deleting the parents takes their children.
ip -n "$N" link del e0.10
check "ip link del e0.10: mv is gone from K2" wait_until 10 link_absent -n "$K2" mv
"${v[@]}" del va
check "vnlctl del va: mp is gone from K1" wait_until 10 link_absent -n "$K1" mp
ip -n "$N" link del d0
check "ip link del d0: m0, m1, ms, md are gone" \
	wait_until 10 eval "link_absent -n $N m0 && link_absent -n $N m1 && link_absent -n $N ms && link_absent -n $N md"

exit_status
