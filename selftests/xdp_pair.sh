#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Native XDP on a pair end, run twice: on the kernel's veth (the
# reference, which has had native XDP for years) and on vnl, with the same
# traffic and the same assertions on what arrives where.  The programs are
# selftests/xdp/xdp_act.bpf.c, one object per verdict, each counting its
# verdicts in a map (xdp_counts) that the test reads with bpftool: each
# program must have run on exactly the frames sent.
#
#   ns A: e0 10.77.0.1/24  <->  ns B: e1 10.77.0.2/24 (the program)
#   ns A: a0 10.78.0.1/24 <-> a1 (ns R) ~XDP~ b0 (ns R) <-> b1 10.78.0.2/24 (ns B)
#
# Neighbours are permanent and IPv6 is off: the frames the programs see
# are those the test sends, ping's echoes or vnl_fault's frames of
# EtherType 0x88b5.  For each verdict, on e1, with traffic from A:
#
#   PASS      A pings B: answered; the program counted each request
#   DROP      10 frames, and a ping not answered: all dropped, counted
#   ABORTED   10 frames: all dropped, counted as aborted
#   TX        10 frames: e1 sends them back, e0 receives each one
#   REDIRECT  a1 and b0 send each other what they receive, by
#             bpf_redirect() to an ifindex and by a devmap: A pings B
#             across both pairs and is answered; by a cpumap, to the
#             guest's last CPU: e1's stack gets the frames there, A's ping
#             is answered
#   FULL RING one frame from A broadcast by a1 to a devmap of 300 entries,
#             all b0: more than b1's ring holds, counted dropped (5.13+)
#
# and, on e1, the program shown as driver mode by `ip link` (xdp, not
# xdpgeneric), `bpftool net` and `xdp-loader status`; 10 loads and
# unloads under a flood ping, after which the ping still goes through; a
# frags-aware program (xdp.frags, 5.18+); the MTU bound (a frame must fit
# a page): attach refused above it, with the driver's message, and the
# MTU held at it while a program is attached.
#
# Where the two differ, by design: vnl needs no program on the receiving
# end for XDP_TX and redirects to work; veth does (it has no NAPI
# otherwise), so on veth only a pass program goes on e0, a0 and b1.  The
# counters have different names (veth's rx_queue_0_xdp_*); vnl's are
# asserted with the other witnesses of a drop (vnlctl stats, rx_dropped,
# the vnl:vnl_xdp trace event).  veth bounds its PEER's MTU, at 3506;
# vnl bounds the end's own, at 3502.

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_xdp
xdp_one_cpu
require_cmd ethtool

N=10

# --- topology -----------------------------------------------------------------

# make_pair KIND NAME0 NS0 NAME1 NS1
make_pair() {
	case $1 in
	veth) ip link add "$2" netns "$3" type veth peer name "$4" netns "$5" ;;
	vnl) vnlctl add pair "$2" netns "$3" peer "$4" peer-netns "$5" >/dev/null ;;
	esac
}

mac_of() {
	local out
	out=$(ip -n "$1" -o link show dev "$2") || return 1
	[[ $out =~ link/ether\ ([0-9a-f:]+) ]] && echo "${BASH_REMATCH[1]}"
}

ifindex_of() {
	local out
	out=$(ip -n "$1" -o link show dev "$2") || return 1
	echo "${out%%:*}"
}

# addr NS DEV ADDR PEER_ADDR PEER_MAC: DEV up with ADDR/24, PEER_ADDR a
# permanent neighbour at PEER_MAC.
addr() {
	ip -n "$1" addr add "$3/24" dev "$2" &&
		ip -n "$1" link set dev "$2" up &&
		ip -n "$1" neigh replace "$4" lladdr "$5" dev "$2" nud permanent
}

# --- witnesses ------------------------------------------------------------------

# A counter's ethtool -S name on each kind; none: the kind has no such
# counter (veth counts passes only together with the rest, and aborts with
# drops).
declare -A VETH_KEY=(
	[drop]=rx_queue_0_xdp_drops [aborted]=rx_queue_0_xdp_drops [tx]=rx_queue_0_xdp_tx
	[redirect]=rx_queue_0_xdp_redirect [xmit]=tx_queue_0_xdp_xmit
	[xmit_err]=tx_queue_0_xdp_xmit_errors
)
declare -A VNL_KEY=(
	[pass]=xdp_pass [drop]=drop_xdp_drop [aborted]=drop_xdp_aborted [tx]=xdp_tx
	[redirect]=xdp_redirect [xmit]=xdp_xmit [tx_err]=drop_xdp_tx_err
	[redirect_err]=drop_xdp_redirect_err [ring_full]=drop_ring_full
)

ethtool_key() {
	local re=$'(^|\n) *'"$2"': ([0-9]+)'
	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[2]}"
}

# The "rx" or "tx" object's KEY in ip -s -j link TEXT.
link_stat() {
	local re="\"$2\":(\{[^{}]*\})"
	[[ $1 =~ $re ]] && json_get "${BASH_REMATCH[1]}" "$3"
}

declare -A SNAP_ETH SNAP_LINK SNAP_VNL
# snap NS DEV: the counters of DEV before an experiment.
snap() {
	SNAP_ETH[$1/$2]=$(ip netns exec "$1" ethtool -S "$2")
	SNAP_LINK[$1/$2]=$(ip -n "$1" -s -j link show dev "$2")
	[[ $KIND == vnl ]] && SNAP_VNL[$1/$2]=$(vnlctl -n "$1" -j stats "$2")
	[[ $KIND == vnl && -n $TRACE_INST ]] && trace_clear
	return 0
}

# counter_moved NS DEV WHAT N: DEV's counter WHAT (VETH_KEY, VNL_KEY)
# moved by N since snap; nothing to check if this kind has no such counter.
counter_moved() {
	local key now
	if [[ $KIND == veth ]]; then
		key=${VETH_KEY[$3]:-}
	else
		key=${VNL_KEY[$3]:-}
	fi
	[[ -n $key ]] || return 0
	now=$(ip netns exec "$1" ethtool -S "$2")
	check_eq "$KIND: $2: ethtool -S $key +$4" "$4" \
		"$(($(ethtool_key "$now" "$key") - $(ethtool_key "${SNAP_ETH[$1/$2]}" "$key")))"
}

# rx_moved NS DEV N: DEV's rx_packets moved by N since snap.
rx_moved() {
	local now
	now=$(ip -n "$1" -s -j link show dev "$2")
	check_eq "$KIND: $2 received $3 frames (rx_packets +$3)" "$3" \
		"$(($(link_stat "$now" rx packets) - $(link_stat "${SNAP_LINK[$1/$2]}" rx packets)))"
}

# vnl_dropped NS DEV REASON N: for vnl, the other witnesses of a drop:
# vnlctl stats' drops.REASON, the device's rx_drops (vnlctl) and
# rx_dropped (ip -s link) each moved by N.
vnl_dropped() {
	local now link
	[[ $KIND == vnl ]] || return 0
	now=$(vnlctl -n "$1" -j stats "$2")
	link=$(ip -n "$1" -s -j link show dev "$2")
	check_eq "$KIND: $2: vnlctl stats drops.$3 +$4" "$4" \
		"$(($(json_get "$now" drops "$3") - $(json_get "${SNAP_VNL[$1/$2]}" drops "$3")))"
	check_eq "$KIND: $2: vnlctl stats rx_drops +$4" "$4" \
		"$(($(json_get "$now" stats rx_drops) - $(json_get "${SNAP_VNL[$1/$2]}" stats rx_drops)))"
	check_eq "$KIND: $2: ip -s link rx dropped +$4" "$4" \
		"$(($(link_stat "$link" rx dropped) - $(link_stat "${SNAP_LINK[$1/$2]}" rx dropped)))"
}

# traced DEV ACT N: for vnl, N vnl:vnl_xdp events on DEV with act=ACT
# since snap (and none with another act).
traced() {
	local n all
	[[ $KIND == vnl && -n $TRACE_INST ]] || return 0
	all=$(grep -cE ": vnl_xdp: dev=$1 " "$TRACE_INST/trace")
	n=$(grep -cE ": vnl_xdp: dev=$1 .*act=$2( |$)" "$TRACE_INST/trace")
	check_eq "$KIND: $1: $3 vnl:vnl_xdp events act=$2, of $all on $1" "$3 $3" "$n $all"
}

# counted NS DEV "aborted=A drop=D pass=P tx=T redirect=R": what DEV's
# program counted.
counted() {
	check_eq "$KIND: $2: the program's verdicts" "$3" "$(xdp_counts "$1" "$2")"
}

# frames NS DEV DST N: N frames of EtherType 0x88b5 to DST out of DEV.
frames() {
	local out
	out=$(ip netns exec "$1" "$VNL_SELFTESTS/vnl_fault" blast "$2" -n "$4" -d "$3")
	[[ $out == "blast: sent=$4 errors=0 end=count" ]] ||
		check_fail "$KIND: $4 frames sent out of $2" "$out"
}

# load NS DEV VERDICT: xdp_load, a FAIL with ip's message if refused.
# (Not through check, whose subshell would forget the maps' ids.)
load() {
	if xdp_load "$@" 2>"$TEST_TMP/load.err"; then
		check_pass "$KIND: $2: ip link set xdpdrv obj xdp_$3.bpf.o"
		return 0
	fi
	check_fail "$KIND: $2: ip link set xdpdrv obj xdp_$3.bpf.o" "$(<"$TEST_TMP/load.err")"
	return 1
}

# peer_pass NS DEV: on veth only, a pass program on DEV, which receives
# by XDP_TX or a redirect (veth's NAPI only runs with one).
peer_pass() {
	[[ $KIND == veth ]] || return 0
	load "$1" "$2" pass
}

# --- the experiments ------------------------------------------------------------

show_driver_mode() {
	local id line out
	load "$B" e1 pass || return
	id=$(xdp_prog_id "$B" e1)
	line=$(ip -n "$B" -o link show dev e1)
	check_match "$KIND: ip link show e1: prog/xdp id $id, the xdp (driver) flag" \
		" xdp .*prog/xdp id $id " "$line"
	check_not "$KIND: ... not xdpgeneric" grep -q xdpgeneric <<<"$line"
	out=$(ip netns exec "$B" bpftool net)
	check_match "$KIND: bpftool net: e1 driver id $id" \
		"(^|[[:space:]])e1\\($(ifindex_of "$B" e1)\\) driver id $id(\$|[^0-9])" "$out"
	if command -v xdp-loader >/dev/null; then
		out=$(ip netns exec "$B" xdp-loader status e1 2>&1)
		check_match "$KIND: xdp-loader status e1: xdp_act native id $id" \
			"(^|[[:space:]])e1 +xdp_act +native +$id " "$out"
	fi
}

verdict_pass() {
	echo "# $KIND: XDP_PASS on e1"
	load "$B" e1 pass || return
	snap "$B" e1
	check "$KIND: A pings B through e1's pass program" vping "$A" 10.77.0.2 -c 3 -i 0.2
	counted "$B" e1 "aborted=0 drop=0 pass=3 tx=0 redirect=0"
	counter_moved "$B" e1 pass 3
	traced e1 PASS 3
}

verdict_drop() {
	echo "# $KIND: XDP_DROP on e1"
	load "$B" e1 drop || return
	snap "$B" e1
	frames "$A" e0 "$MAC_E1" "$N"
	check_not "$KIND: A's ping is not answered" vping "$A" 10.77.0.2 -c 1 -W 1
	counted "$B" e1 "aborted=0 drop=$((N + 1)) pass=0 tx=0 redirect=0"
	counter_moved "$B" e1 drop $((N + 1))
	vnl_dropped "$B" e1 xdp_drop $((N + 1))
	traced e1 DROP $((N + 1))
}

verdict_aborted() {
	echo "# $KIND: XDP_ABORTED on e1"
	load "$B" e1 aborted || return
	snap "$B" e1
	frames "$A" e0 "$MAC_E1" "$N"
	counted "$B" e1 "aborted=$N drop=0 pass=0 tx=0 redirect=0"
	counter_moved "$B" e1 aborted "$N"
	vnl_dropped "$B" e1 xdp_aborted "$N"
	traced e1 ABORTED "$N"
}

verdict_tx() {
	echo "# $KIND: XDP_TX on e1"
	peer_pass "$A" e0
	load "$B" e1 tx || return
	snap "$B" e1
	snap "$A" e0
	frames "$A" e0 "$MAC_E1" "$N"
	counted "$B" e1 "aborted=0 drop=0 pass=0 tx=$N redirect=0"
	wait_until 10 rx_is "$A" e0 "$N"
	rx_moved "$A" e0 "$N"
	counter_moved "$B" e1 tx "$N"
	counter_moved "$B" e1 tx_err 0
	traced e1 TX "$N"
	[[ $KIND == veth ]] && counted "$A" e0 "aborted=0 drop=0 pass=$N tx=0 redirect=0"
	[[ $KIND == veth ]] && xdp_unload "$A" e0
	return 0
}

# A full ring: more frames redirected into b0 at once than b1's ring
# holds.  a1's program broadcasts each frame it receives to every entry
# of its devmap (BPF_F_BROADCAST, 5.13+), 300 entries that are all b0:
# one frame from A becomes 300 frames through b0's ndo_xdp_xmit, all
# within a1's NAPI poll, before b1's NAPI can run.  The ring has 256
# entries on both kinds, of which up to 15 may still hold frames already
# consumed (a ptr_ring frees its slots in batches of 16), so it takes
# 241 to 256; b1's program passes what it took, and the rest is dropped
# and counted: on vnl as b1's ring_full (a receive drop of the end whose
# ring it is), on veth as b0's xdp_xmit_errors (veth counts it on the
# end that was sent to).  Either way, passed + dropped = 300.
RING=256
FANOUT=300
ring_full() {
	local ifindex i batch=$TEST_TMP/bcast.batch id pass now
	echo "# $KIND: a full ring: one frame broadcast $FANOUT times into b0"
	if [[ $(uname -r) == 5.10.* ]]; then
		echo "# INFO: $KIND: no BPF_F_BROADCAST before 5.13: the full ring is not provoked"
		return 0
	fi
	load "$R" a1 broadcast && load "$B" b1 pass || return
	id=$(xdp_map_id "$R" a1 xdp_devmap)
	ifindex=$(ifindex_of "$R" b0)
	# One bpftool for the 300 entries (a process start costs more than
	# an update in a TCG guest).
	for ((i = 0; i < FANOUT; i++)); do
		echo "map update id $id key $(_le32 "$i") value $(_le32 "$ifindex")"
	done >"$batch"
	check "$KIND: a1's devmap: $FANOUT entries, all b0" \
		ip netns exec "$R" bpftool batch file "$batch"
	snap "$R" a1
	snap "$R" b0
	snap "$B" b1
	frames "$A" a0 "$(mac_of "$R" a1)" 1
	wait_until 10 ring_settled
	counted "$R" a1 "aborted=0 drop=0 pass=0 tx=0 redirect=1"
	pass=$(xdp_counts "$B" b1)
	pass=${pass#*pass=}
	pass=${pass%% *}
	check "$KIND: b1's program passed $((RING - 15)) to $RING of the $FANOUT (${pass:-?})" \
		test "${pass:-0}" -ge $((RING - 15)) -a "${pass:-0}" -le "$RING"
	counter_moved "$R" b0 xmit "$pass"
	counter_moved "$R" b0 xmit_err $((FANOUT - pass))
	counter_moved "$B" b1 ring_full $((FANOUT - pass))
	if [[ $KIND == vnl ]]; then
		# Not ip -s link's rx dropped, where the core also counts the
		# passed frames: nothing takes their EtherType, 0x88b5.
		now=$(vnlctl -n "$B" -j stats b1)
		check_eq "$KIND: b1: vnlctl stats drops.ring_full and rx_drops +$((FANOUT - pass))" \
			"$((FANOUT - pass)) $((FANOUT - pass))" \
			"$(($(json_get "$now" drops ring_full) - $(json_get "${SNAP_VNL[$B/b1]}" drops ring_full))) $(($(json_get "$now" stats rx_drops) - $(json_get "${SNAP_VNL[$B/b1]}" stats rx_drops)))"
	fi
	xdp_unload "$R" a1
	xdp_unload "$B" b1
	return 0
}

# ring_settled: every frame of ring_full's broadcast is accounted for,
# passed by b1's program or dropped (for wait_until).
ring_settled() {
	local counts now key=${VNL_KEY[ring_full]} ns=$B dev=b1
	[[ $KIND == veth ]] && key=${VETH_KEY[xmit_err]} ns=$R dev=b0
	counts=$(xdp_counts "$B" b1)
	counts=${counts#*pass=}
	now=$(ip netns exec "$ns" ethtool -S "$dev")
	((${counts%% *} + $(ethtool_key "$now" "$key") - $(ethtool_key "${SNAP_ETH[$ns/$dev]}" "$key") == FANOUT))
}

# cross_maps MAP: entry 0 of MAP of a1's program is b0's ifindex, of
# b0's a1's.
cross_maps() {
	xdp_set "$R" a1 "$1" 0 "$(ifindex_of "$R" b0)" &&
		xdp_set "$R" b0 "$1" 0 "$(ifindex_of "$R" a1)"
}

# cpu_map CPU: e1's program redirects to CPU, whose queue takes 64 frames.
cpu_map() {
	xdp_set "$B" e1 xdp_cpumap "$1" 64 && xdp_set "$B" e1 xdp_target 0 "$1"
}

# rx_is NS DEV N: DEV's rx_packets moved by N since snap (for wait_until).
rx_is() {
	local now
	now=$(ip -n "$1" -s -j link show dev "$2")
	(($(link_stat "$now" rx packets) - $(link_stat "${SNAP_LINK[$1/$2]}" rx packets) >= $3))
}

# redirect VERDICT: a1 and b0 (ns R) send each other what they receive,
# with the program xdp_VERDICT (redirect: bpf_redirect() to the ifindex
# in xdp_target; devmap: entry 0 of xdp_devmap).
redirect() {
	local prog=$1 map=xdp_target
	[[ $prog == devmap ]] && map=xdp_devmap
	echo "# $KIND: XDP_REDIRECT ($prog) between a1 and b0"
	load "$R" a1 "$prog" && load "$R" b0 "$prog" || return
	check "$KIND: ${map}[0] = b0 in a1's program, = a1 in b0's" cross_maps "$map"
	snap "$R" a1
	snap "$R" b0
	check "$KIND: A pings B across a1 ~ b0" vping "$A" 10.78.0.2 -c 3 -i 0.2
	counted "$R" a1 "aborted=0 drop=0 pass=0 tx=0 redirect=3"
	counted "$R" b0 "aborted=0 drop=0 pass=0 tx=0 redirect=3"
	counter_moved "$R" a1 redirect 3
	counter_moved "$R" b0 redirect 3
	counter_moved "$R" a1 xmit 3
	counter_moved "$R" b0 xmit 3
	counter_moved "$R" a1 redirect_err 0
	traced a1 REDIRECT 3
}

verdict_cpumap() {
	local cpu
	cpu=$(($(nproc) - 1))
	# xdp_cpumap has two entries (NR_CPUS is 2 on the debug kernel).
	((cpu > 1)) && cpu=1
	echo "# $KIND: XDP_REDIRECT (cpumap, CPU $cpu) on e1"
	load "$B" e1 cpumap || return
	check "$KIND: xdp_cpumap[$cpu] a queue of 64, xdp_target = $cpu" cpu_map "$cpu"
	snap "$B" e1
	check "$KIND: A pings B, e1's frames through CPU $cpu" vping "$A" 10.77.0.2 -c 3 -i 0.2
	counted "$B" e1 "aborted=0 drop=0 pass=0 tx=0 redirect=3"
	counter_moved "$B" e1 redirect 3
	traced e1 REDIRECT 3
}

verdict_frags() {
	local v
	v=$(uname -r)
	if [[ $v =~ ^([0-9]+)\.([0-9]+) ]] && ((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2] < 5018)); then
		check_skip "$KIND: frags-aware program" "kernel $v: xdp.frags programs came in 5.18"
		return
	fi
	echo "# $KIND: a frags-aware program (xdp.frags) on e1"
	load "$B" e1 frags || return
	check "$KIND: A pings B through it" vping "$A" 10.77.0.2 -c 2 -i 0.2
	counted "$B" e1 "aborted=0 drop=0 pass=2 tx=0 redirect=0"
}

# 10 loads and unloads under a flood ping from A.
churn() {
	local i ok=0 pid out start
	if [[ $(uname -r) == 5.10.* ]]; then
		# 5.10's BPF dispatcher rewrites a half of its image that a
		# CPU may still run (6.2: "bpf: Synchronize dispatcher update
		# with bpf_dispatcher_xdp_func"): Debian's 5.10 locked a CPU
		# in bpf_dispatcher_xdp_func under veth_poll here, with veth.
		check_skip "$KIND: attach and detach under traffic" \
			"kernel $(uname -r): its BPF dispatcher's update races running XDP programs (a soft lockup with veth)"
		return
	fi
	echo "# $KIND: 10 loads and unloads of e1's program under a flood ping"
	xdp_unload "$B" e1
	ip netns exec "$A" "${PING[@]}" "${FLOOD[@]}" -q -w 300 10.77.0.2 >"$TEST_TMP/flood" 2>&1 &
	pid=$!
	track_bg "$pid"
	# ip alone, two processes a round: the ids of the maps are not needed.
	start=$SECONDS
	for ((i = 0; i < 10; i++)); do
		ip -n "$B" link set dev e1 xdpdrv obj "$XDP_DIR/xdp_pass.bpf.o" sec xdp &&
			xdp_unload "$B" e1 && ok=$((ok + 1))
	done
	echo "INFO: $KIND: 10 rounds in $((SECONDS - start)) s"

	kill -INT "$pid"
	wait "$pid"
	check_eq "$KIND: 10 loads and unloads under traffic" 10 "$ok"
	out=$(<"$TEST_TMP/flood")
	check_match "$KIND: the flood was answered meanwhile" ' [1-9][0-9]* received' "$out"
	check_not "$KIND: no program left on e1" xdp_prog_id "$B" e1
	check "$KIND: A pings B after" vping "$A" 10.77.0.2 -c 2 -i 0.2
}

# The MTU bound: on vnl, the end's own MTU, at most 3502 with a program;
# on veth, the peer's, at most 3506.
mtu_bound() {
	local max dev ns msg
	if [[ $KIND == vnl ]]; then
		max=3502 dev=e1 ns=$B msg='Error: .*mtu'
	else
		max=3506 dev=e0 ns=$A msg='Error: veth: Peer MTU is too large to set XDP'
	fi
	echo "# $KIND: the MTU bound, $max on $dev"
	xdp_unload "$B" e1
	ip -n "$A" link set dev e0 mtu $((max + 1)) && ip -n "$B" link set dev e1 mtu $((max + 1)) ||
		check_fail "$KIND: e0 and e1 at MTU $((max + 1)) without a program"
	check_fails_with "$KIND: attach refused at MTU $((max + 1)), with the driver's message" 1 \
		"$msg" xdp_load "$B" e1 pass
	check_not "$KIND: ... and nothing attached" xdp_prog_id "$B" e1
	ip -n "$A" link set dev e0 mtu "$max" && ip -n "$B" link set dev e1 mtu "$max" ||
		check_fail "$KIND: e0 and e1 at MTU $max"
	load "$B" e1 pass || return
	check_fails_with "$KIND: $dev's MTU cannot go above $max with the program on" 2 "" \
		ip -n "$ns" link set dev "$dev" mtu $((max + 1))
	check "$KIND: A pings B with 3000 bytes at MTU $max" vping "$A" 10.77.0.2 -c 1 -s 3000
	xdp_unload "$B" e1
	check "$KIND: without the program, $dev's MTU goes above $max again" \
		ip -n "$ns" link set dev "$dev" mtu $((max + 1))
}

run_kind() {
	KIND=$1
	setup_ns A B R
	no_ipv6 "$A" "$B" "$R"
	if ! make_pair "$KIND" e0 "$A" e1 "$B" || ! make_pair "$KIND" a0 "$A" a1 "$R" ||
		! make_pair "$KIND" b0 "$R" b1 "$B"; then
		check_fail "$KIND: three pairs"
		return
	fi
	MAC_E0=$(mac_of "$A" e0)
	MAC_E1=$(mac_of "$B" e1)
	addr "$A" e0 10.77.0.1 10.77.0.2 "$MAC_E1" && addr "$B" e1 10.77.0.2 10.77.0.1 "$MAC_E0" &&
		addr "$A" a0 10.78.0.1 10.78.0.2 "$(mac_of "$B" b1)" &&
		addr "$B" b1 10.78.0.2 10.78.0.1 "$(mac_of "$A" a0)" &&
		ip -n "$R" link set a1 up && ip -n "$R" link set b0 up ||
		{ check_fail "$KIND: addresses and neighbours"; return; }
	wait_until 30 oper_up "$A" e0
	wait_until 30 oper_up "$A" a0
	wait_until 30 oper_up "$B" b1
	check "$KIND: A pings B over e0 - e1, without XDP" vping "$A" 10.77.0.2 -c 1

	if [[ $KIND == vnl ]]; then
		require_native_xdp "$B" e1 || { cleanup_ns "$A" "$B" "$R"; return; }
		# Its own trace event: an instance with only vnl_xdp on.
		trace_open
		if [[ -e $TRACE_INST/events/vnl/vnl_xdp/enable ]]; then
			echo 1 >"$TRACE_INST/events/vnl/vnl_xdp/enable"
		else
			check_fail "vnl: the trace event vnl:vnl_xdp exists"
			trace_close
		fi
	fi

	show_driver_mode
	verdict_pass
	verdict_drop
	verdict_aborted
	verdict_tx
	if [[ $KIND == veth ]]; then
		load "$A" a0 pass
		load "$B" b1 pass
	fi
	redirect redirect
	redirect devmap
	ring_full
	verdict_cpumap
	verdict_frags
	churn
	mtu_bound
	trace_close
	cleanup_ns "$A" "$B" "$R"
}

reference_runs veth && run_kind veth
run_kind vnl

exit_status
