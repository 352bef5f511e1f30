#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnl devices moved from netns to netns while traffic flows through them,
# then every netns deleted under that traffic.
#
# The devices: a pair end mp0 (its peer mq0 stays in B, where a blaster
# sends to mp0), a tap mt0 (written and read at full speed by a program
# attached in netns W, which the tap never goes back to), two macvlan
# children mc1, mc2 of a kernel veth p0 (broadcasts and unicast blasted
# into p0's other end o0, in OUT), and p0 itself, the children's parent.
# Each round moves mp0, mt0, mc1 and mc2 one netns on along A -> B -> C
# -> A (ip link set netns), and p0 between HOST and H2, then brings them
# up (with the tap's address again).  After each round every device is in
# exactly the netns it was sent to, vnlctl there shows it with its kind
# (a pair end with its peer mq0, a child with its parent p0 and mode), and
# traffic reaches each of them there (its rx_packets, read in its new
# netns, grows before the next round moves it on).
#
# Then A, B, C, HOST, H2 and OUT are deleted while the traffic still
# flows: each is torn down (W hears RTM_DELNSID for all six), every
# program sending into a device that went ends with ENXIO (the blasters)
# or EBADFD (the tap's), W is back to lo, and the init netns is as it was.
#
# VNL_MOVE_ROUNDS rounds (default 6; 2 on the debug kernel, which still
# moves p0 to H2 and back).  Each of the four senders sends VNL_MOVE_PPS
# frames a second (default 2000; 200 on the debug kernel): at full speed
# they would starve the moves of CPU in a two-CPU TCG guest
# (fault_delete_busy.sh is the full-speed test).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

require_vnl
require_cmd jq

cleanup() { report_print; }

if [[ ${VNL_KERNEL:-} == debug ]]; then
	ROUNDS=${VNL_MOVE_ROUNDS:-2}
	PPS=${VNL_MOVE_PPS:-200}
else
	ROUNDS=${VNL_MOVE_ROUNDS:-6}
	PPS=${VNL_MOVE_PPS:-2000}
fi

init_links=$(link_names)
setup_ns A B C HOST H2 OUT W
no_ipv6 "$A" "$B" "$C" "$HOST" "$H2" "$OUT" "$W"
RING=("$A" "$B" "$C")
ring_name() {
	case $1 in
	"$A") echo A ;; "$B") echo B ;; "$C") echo C ;; "$HOST") echo HOST ;;
	"$H2") echo H2 ;; "$W") echo W ;; *) echo "?" ;;
	esac
}

mac_of() {
	local line
	line=$(ip -n "$1" -o link show dev "$2") || return 1
	[[ $line =~ link/ether\ ([0-9a-f:]{17}) ]] && echo "${BASH_REMATCH[1]}"
}

# --- the devices and their traffic -------------------------------------------------------

vnlctl add pair mp0 peer mq0 netns "$A" peer-netns "$B" &&
	ip -n "$A" link set mp0 up && ip -n "$B" link set mq0 up &&
	ip -n "$HOST" link add p0 type veth peer name o0 netns "$OUT" &&
	ip -n "$HOST" link set p0 up && ip -n "$OUT" link set o0 up &&
	vnlctl -n "$HOST" add macvlan mc1 parent p0 mode bridge netns "$A" &&
	vnlctl -n "$HOST" add macvlan mc2 parent p0 mode vepa netns "$B" &&
	ip -n "$A" link set mc1 up && ip -n "$B" link set mc2 up &&
	vnlctl -n "$W" add tap mt0 &&
	ip -n "$W" addr add 10.93.6.1/24 dev mt0 && ip -n "$W" link set mt0 up &&
	ip -n "$W" neigh replace 10.93.6.2 lladdr 02:00:00:00:fa:02 dev mt0 nud permanent ||
	{ echo "FAIL: setup"; exit "$ksft_fail"; }
report_add ops 4

ip netns exec "$W" "$FAULT_BIN" busy mt0 10.93.6.1 10.93.6.2 -r "$PPS" -t 900 >"$TEST_TMP/busy" 2>&1 &
busy=$!
track_bg "$busy"
check "the tap mt0 is busy (written and read, in W)" wait_until 60 has_line "$TEST_TMP/busy" ready

# The addresses first: a command substitution in a command run with &
# is expanded in the background, where it would race with round 1.
mac_mp0=$(mac_of "$A" mp0) && mac_mc1=$(mac_of "$A" mc1) ||
	{ echo "FAIL: no MAC address for mp0 or mc1"; exit "$ksft_fail"; }
ip netns exec "$B" "$FAULT_BIN" blast mq0 -t 900 -r "$PPS" -d "$mac_mp0" >"$TEST_TMP/blast_pair" 2>&1 &
blast_pair=$!
track_bg "$blast_pair"
ip netns exec "$OUT" "$FAULT_BIN" blast o0 -t 900 -r "$PPS" >"$TEST_TMP/blast_bc" 2>&1 &
blast_bc=$!
track_bg "$blast_bc"
ip netns exec "$OUT" "$FAULT_BIN" blast o0 -t 900 -r "$PPS" -d "$mac_mc1" >"$TEST_TMP/blast_uc" 2>&1 &
blast_uc=$!
track_bg "$blast_uc"

# --- the rounds -------------------------------------------------------------------------

declare -A WHERE=([mp0]=$A [mc1]=$A [mc2]=$B [mt0]=$W [p0]=$HOST)
# Each device's rx_packets as verify read it, after this round's moves.
declare -A RX_AT=()
bad_move=() bad_place=() bad_show=() bad_rx=()
moves=0

# move DEV DST: from where it is to DST, up there.
move() {
	local dev=$1 dst=$2 src=${WHERE[$1]}
	report_add ops 2
	if ! ip -n "$src" link set dev "$dev" netns "$dst" 2>"$TEST_TMP/err"; then
		bad_move+=("round $r: $dev $(ring_name "$src") -> $(ring_name "$dst"): $(<"$TEST_TMP/err")")
		return 1
	fi
	moves=$((moves + 1))
	WHERE[$dev]=$dst
	ip -n "$dst" link set dev "$dev" up 2>>"$TEST_TMP/err" ||
		bad_move+=("round $r: $dev up in $(ring_name "$dst"): $(<"$TEST_TMP/err")")
}

# Each device is in its netns and in no other; vnlctl shows it there as
# what it is.
verify() {
	local dev ns json want got names
	for ns in "$A" "$B" "$C" "$HOST" "$H2" "$W"; do
		names=" $(link_names "$ns" | tr '\n' ' ') "
		for dev in mp0 mt0 mc1 mc2 p0; do
			if [[ $ns == "${WHERE[$dev]}" ]]; then
				[[ $names == *" $dev "* ]] ||
					bad_place+=("round $r: $dev missing from $(ring_name "$ns")")
			elif [[ $names == *" $dev "* ]]; then
				bad_place+=("round $r: $dev also in $(ring_name "$ns")")
			fi
		done
	done
	for dev in mp0 mt0 mc1 mc2; do
		json=$(vnlctl -n "${WHERE[$dev]}" -j show "$dev" 2>&1)
		report_add ops 1
		RX_AT[$dev]=$(json_get "$json" stats rx_packets)
		case $dev in
		mp0) want="pair mq0" got="$(json_get "$json" kind) $(json_get "$json" peer ifname)" ;;
		mt0) want="tap" got=$(json_get "$json" kind) ;;
		mc1) want="macvlan p0 bridge" got="$(json_get "$json" kind) $(json_get "$json" parent) $(json_get "$json" mode)" ;;
		mc2) want="macvlan p0 vepa" got="$(json_get "$json" kind) $(json_get "$json" parent) $(json_get "$json" mode)" ;;
		esac
		[[ $got == "$want" ]] ||
			bad_show+=("round $r: $dev in $(ring_name "${WHERE[$dev]}"): want '$want', got '$got' ($json)")
	done
}

# rx_grew DEV: DEV's rx_packets, read in the netns it is in now, is past
# what verify read there.
rx_grew() {
	local n
	n=$(vnl_stat "${WHERE[$1]}" "$1" rx_packets) || return 1
	[[ $n =~ ^[0-9]+$ && ${RX_AT[$1]:-} =~ ^[0-9]+$ ]] && ((n > RX_AT[$1]))
}

# Traffic reaches each device in the netns this round sent it to, after
# the whole round (p0 moved too): its counter grows there, before the next
# round moves it on.  With traffic flowing that is at once; the bound is
# for the debug kernel, where linkwatch may be slow to give o0 its qdisc
# back after p0's move.
reached() {
	local dev
	for dev in mp0 mt0 mc1 mc2; do
		wait_until 30 rx_grew "$dev" ||
			bad_rx+=("round $r: $dev got nothing in $(ring_name "${WHERE[$dev]}") (rx_packets stuck at ${RX_AT[$dev]:-?})")
	done
}

start=$SECONDS
for ((r = 1; r <= ROUNDS; r++)); do
	move mp0 "${RING[r % 3]}"
	move mc1 "${RING[r % 3]}"
	move mc2 "${RING[(r + 1) % 3]}"
	move mt0 "${RING[(r + 2) % 3]}"
	ip -n "${WHERE[mt0]}" addr add 10.93.6.1/24 dev mt0 &&
		ip -n "${WHERE[mt0]}" neigh replace 10.93.6.2 lladdr 02:00:00:00:fa:02 dev mt0 nud permanent ||
		bad_move+=("round $r: mt0's address in $(ring_name "${WHERE[mt0]}")")
	report_add ops 2
	if ((r % 2)); then
		move p0 "$H2"
	else
		move p0 "$HOST"
	fi
	verify
	reached
done
echo "INFO: $ROUNDS rounds, $moves moves in $((SECONDS - start)) s"
report_add faults "$moves"

check_eq "$ROUNDS rounds: every move (ip link set netns, then up) succeeded" "" \
	"$(printf '%s\n' "${bad_move[@]:0:5}")"
check_eq "after each round, each device in exactly its new netns" "" \
	"$(printf '%s\n' "${bad_place[@]:0:5}")"
check_eq "after each round, vnlctl shows each as what it is, there" "" \
	"$(printf '%s\n' "${bad_show[@]:0:5}")"
check_eq "$((4 * ROUNDS + ROUNDS)) moves done" $((5 * ROUNDS)) "$moves"

# Traffic reached them wherever they were, round after round: mp0 from
# mq0's blaster, mc1 broadcast and unicast into p0, mc2 broadcast, mt0
# written by its program.
check_eq "after each round, traffic reaches each device in its new netns" "" \
	"$(printf '%s\n' "${bad_rx[@]:0:5}")"

# --- every netns deleted under traffic ------------------------------------------------------

# W gets an id for each netns to go, so that it hears each one torn down.
for ns in "$A" "$B" "$C" "$HOST" "$H2" "$OUT"; do
	ip -n "$W" netns set "$ns" auto 2>/dev/null
done
ip -n "$W" monitor nsid >"$TEST_TMP/nsid" 2>&1 &
track_bg $!
nap 1
deleted() { (($(grep -ci deleted "$TEST_TMP/nsid") >= 6)); }

report_add faults 6
report_add ops 6
start=$SECONDS
for ns in "$A" "$B" "$C" "$HOST" "$H2" "$OUT"; do
	timeout 120 ip netns del "$ns" || check_fail "ip netns del $(ring_name "$ns")"
	cleanup_ns "$ns"
done
check "the six netns are torn down (W hears RTM_DELNSID for each)" wait_until 120 deleted
echo "INFO: torn down in $((SECONDS - start)) s"

for b in blast_pair blast_bc blast_uc; do
	if wait_exit 60 "${!b}"; then
		line=$(result_line "$TEST_TMP/$b" "blast:")
		report_add packets "$(kv "$line" sent)"
		report_add errors "$(kv "$line" errors)"
		check_match "$b: ended when its device went (${line#blast: })" 'end=(ENXIO|ENODEV)' "$line"
	else
		check_fail "$b: ended when its device went" "still running 60 s later"
	fi
done
if wait_exit 60 "$busy"; then
	line=$(result_line "$TEST_TMP/busy" "busy:")
	echo "INFO: tap: ${line#busy: }"
	report_add packets "$(kv "$line" written)"
	report_add errors "$(kv "$line" eio)"
	check_match "the tap's program read and wrote, then got EBADFD and EPOLLERR|EPOLLHUP" \
		'written=[1-9][0-9]* read=[1-9][0-9]* .*write_end=EBADFD read_end=EBADFD poll_end=ERR\|HUP' "$line"
else
	check_fail "the tap's program ends" "still running 60 s later"
fi
check_eq "W is back to lo" lo "$(link_names "$W")"
check_eq "the init netns has the links it had" "$init_links" "$(link_names)"
check_eq "vnlctl show lists nothing in W and the init netns" "0 0" "$(vnl_devs "$W") $(vnl_devs)"

exit_status
