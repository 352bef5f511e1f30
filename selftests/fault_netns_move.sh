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

cleanup() { report_print; }

if [[ ${VNL_KERNEL:-} == debug ]]; then
	ROUNDS=${VNL_MOVE_ROUNDS:-2}
	PPS=${VNL_MOVE_PPS:-200}
else
	ROUNDS=${VNL_MOVE_ROUNDS:-6}
	PPS=${VNL_MOVE_PPS:-2000}
fi

init_links=$(link_names)

# The helpers below do a netns's setup, or a round's moves and checks
# there, with one process per netns instead of one per command: on the
# debug kernel an `ip` costs 0.8 to 2 s under the blasters' load, and this
# test used to start 90 of them.

# ip_batch NS LINE...: the LINEs run in NS by one `ip -br -force -batch -`.
# BAD holds the numbers (from 1) of the lines that failed, IP_OUT and
# IP_ERR what ip printed; when ip fails without naming a line (it exited,
# or NS is gone), every line counts as failed.
ip_batch() {
	local ns=$1 rc line i
	shift
	printf '%s\n' "$@" | ip -br -n "$ns" -force -batch - >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
	IP_OUT=$(<"$TEST_TMP/out")
	IP_ERR=$(<"$TEST_TMP/err")
	BAD=()
	while IFS= read -r line; do
		[[ $line =~ ^Command\ failed\ -:([0-9]+)$ ]] && BAD[BASH_REMATCH[1]]=1
	done <<<"$IP_ERR"
	if ((rc != 0 && ${#BAD[@]} == 0)); then
		for ((i = 1; i <= $#; i++)); do
			BAD[i]=1
		done
	fi
	return $rc
}

# ns_setup NS LINE...: IPv6 off in NS (as lib.sh's no_ipv6: before any
# device there is up), then lo up and the LINEs, by one `ip -batch` that
# stops at the first failure; one process start for the whole netns.
ns_setup() {
	local ns=$1
	shift
	printf '%s\n' "link set lo up" "$@" |
		ip netns exec "$ns" sh -c '{ echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
			echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; } 2>/dev/null
			exec ip -batch -'
}

# The seven netns (lib.sh's setup_ns names and the EXIT trap deletes),
# made by one ip.
for var in A B C HOST H2 OUT W; do
	printf -v "$var" 'ns-%s-%s-%s' "${var,,}" "$$" "$RANDOM$RANDOM"
	NS_LIST+=("${!var}")
done
printf 'netns add %s\n' "$A" "$B" "$C" "$HOST" "$H2" "$OUT" "$W" | ip -batch - ||
	{ echo "FAIL: ip netns add"; exit "$ksft_fail"; }
RING=("$A" "$B" "$C")
ring_name() {
	case $1 in
	"$A") echo A ;; "$B") echo B ;; "$C") echo C ;; "$HOST") echo HOST ;;
	"$H2") echo H2 ;; "$OUT") echo OUT ;; "$W") echo W ;; *) echo "?" ;;
	esac
}

# --- the devices and their traffic -------------------------------------------------------

ns_setup "$HOST" "link add p0 type veth peer name o0 netns $OUT" "link set p0 up" &&
	vnlctl add pair mp0 peer mq0 netns "$A" peer-netns "$B" &&
	printf '%s\n' "add macvlan mc1 parent p0 mode bridge netns $A" \
		"add macvlan mc2 parent p0 mode vepa netns $B" | vnlctl -n "$HOST" -batch - &&
	vnlctl -n "$W" add tap mt0 &&
	ns_setup "$A" "link set mp0 up" "link set mc1 up" &&
	ns_setup "$B" "link set mq0 up" "link set mc2 up" &&
	ns_setup "$C" && ns_setup "$H2" &&
	ns_setup "$OUT" "link set o0 up" &&
	ns_setup "$W" "addr add 10.93.6.1/24 dev mt0" "link set mt0 up" \
		"neigh replace 10.93.6.2 lladdr 02:00:00:00:fa:02 dev mt0 nud permanent" ||
	{ echo "FAIL: setup"; exit "$ksft_fail"; }
report_add ops 4

ip netns exec "$W" "$FAULT_BIN" busy mt0 10.93.6.1 10.93.6.2 -r "$PPS" -t 900 >"$TEST_TMP/busy" 2>&1 &
busy=$!
track_bg "$busy"
check "the tap mt0 is busy (written and read, in W)" wait_until 60 has_line "$TEST_TMP/busy" ready

# The addresses first: a command substitution in a command run with &
# is expanded in the background, where it would race with round 1.
# Both from one ip.
mac_mp0='' mac_mc1=''
while IFS= read -r line; do
	[[ $line =~ ^[0-9]+:\ (mp0|mc1)[@:].*link/ether\ ([0-9a-f:]{17}) ]] &&
		printf -v "mac_${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
done <<<"$(ip -n "$A" -o link show)"
[[ -n $mac_mp0 && -n $mac_mc1 ]] ||
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

# move_all DEV=DST...: each DEV from where it is to DST, then up there (mt0
# with its address again): one ip per source netns for the moves, one per
# destination for the rest, each line's failure told apart.  That last ip
# also lists the links of its netns, which no later command of the round
# changes: LISTED[NS] has their names, for verify.
declare -A LISTED=()
move_all() {
	local arg dev src i ns line lines=() ds=() devs=() srcs=() dsts=()
	declare -A TO=()
	LISTED=()
	for arg in "$@"; do
		TO[${arg%%=*}]=${arg#*=}
		devs+=("${arg%%=*}")
		report_add ops 2
	done
	# The moves, grouped by the netns each leaves, in the order given.
	for dev in "${devs[@]}"; do
		[[ " ${srcs[*]} " == *" ${WHERE[$dev]} "* ]] || srcs+=("${WHERE[$dev]}")
	done
	declare -A MOVED=()
	for src in "${srcs[@]}"; do
		lines=() ds=()
		for dev in "${devs[@]}"; do
			[[ ${WHERE[$dev]} == "$src" ]] || continue
			lines+=("link set dev $dev netns ${TO[$dev]}")
			ds+=("$dev")
		done
		ip_batch "$src" "${lines[@]}"
		for i in "${!ds[@]}"; do
			dev=${ds[i]}
			if [[ -n ${BAD[i + 1]:-} ]]; then
				bad_move+=("round $r: $dev $(ring_name "$src") -> $(ring_name "${TO[$dev]}"): $IP_ERR")
			else
				MOVED[$dev]=1
			fi
		done
	done
	for dev in "${devs[@]}"; do
		[[ -n ${MOVED[$dev]:-} ]] || continue
		moves=$((moves + 1))
		WHERE[$dev]=${TO[$dev]}
	done
	# Up where they went; mt0's address and neighbour wherever it is now.
	for dev in "${devs[@]}"; do
		[[ " ${dsts[*]} " == *" ${WHERE[$dev]} "* ]] || dsts+=("${WHERE[$dev]}")
	done
	for ns in "${dsts[@]}"; do
		lines=() ds=()
		for dev in "${devs[@]}"; do
			[[ ${WHERE[$dev]} == "$ns" ]] || continue
			if [[ -n ${MOVED[$dev]:-} ]]; then
				lines+=("link set dev $dev up")
				ds+=("$dev up")
			fi
			if [[ $dev == mt0 ]]; then
				lines+=("addr add 10.93.6.1/24 dev mt0"
					"neigh replace 10.93.6.2 lladdr 02:00:00:00:fa:02 dev mt0 nud permanent")
				ds+=(addr addr)
			fi
		done
		((${#lines[@]})) || continue
		ip_batch "$ns" "${lines[@]}" "link show"
		if [[ -z ${BAD[${#lines[@]} + 1]:-} ]]; then
			LISTED[$ns]=" "
			while IFS= read -r line; do
				line=${line%% *}
				[[ -n $line ]] && LISTED[$ns]+="${line%%@*} "
			done <<<"$IP_OUT"
		fi
		for i in "${!ds[@]}"; do
			[[ -n ${BAD[i + 1]:-} ]] || continue
			if [[ ${ds[i]} == addr ]]; then
				bad_move+=("round $r: mt0's address in $(ring_name "$ns"): $IP_ERR")
			else
				bad_move+=("round $r: ${ds[i]% up} up in $(ring_name "$ns"): $IP_ERR")
			fi
		done
	done
}

# show_ns NS: `vnlctl -j show` of every vnl device in NS, one a line (its
# lines as vnlctl prints them: one device a line), into SHOWN[NAME].
declare -A SHOWN=()
show_ns() {
	local out line name
	out=$(vnlctl -n "$1" -j show 2>&1) || { SHOWN_ERR=$out; return 1; }
	report_add ops 1
	while IFS= read -r line; do
		line=${line%,}
		[[ $line =~ ^\{\"ifname\":\"([^\"]*)\", ]] || continue
		name=${BASH_REMATCH[1]}
		SHOWN[$name]=$line
	done <<<"$out"
}

# The netns the vnl devices are in now, each once.
vnl_nss() {
	local dev out=()
	for dev in mp0 mt0 mc1 mc2; do
		[[ " ${out[*]} " == *" ${WHERE[$dev]} "* ]] || out+=("${WHERE[$dev]}")
	done
	printf '%s\n' "${out[@]}"
}

# Each device is in its netns and in no other (the links move_all listed,
# or those of link_names for a netns it did not list); vnlctl shows it
# there as what it is (one vnlctl per netns, its whole list).
verify() {
	local dev ns json want got names name
	for ns in "$A" "$B" "$C" "$HOST" "$H2" "$W"; do
		names=${LISTED[$ns]:-}
		if [[ -z $names ]]; then
			names=" "
			while IFS= read -r name; do
				names+="$name "
			done <<<"$(link_names "$ns")"
		fi
		for dev in mp0 mt0 mc1 mc2 p0; do
			if [[ $ns == "${WHERE[$dev]}" ]]; then
				[[ $names == *" $dev "* ]] ||
					bad_place+=("round $r: $dev missing from $(ring_name "$ns")")
			elif [[ $names == *" $dev "* ]]; then
				bad_place+=("round $r: $dev also in $(ring_name "$ns")")
			fi
		done
	done
	SHOWN=()
	while IFS= read -r ns; do
		SHOWN_ERR=
		show_ns "$ns"
	done <<<"$(vnl_nss)"
	for dev in mp0 mt0 mc1 mc2; do
		json=${SHOWN[$dev]:-"not shown in $(ring_name "${WHERE[$dev]}") ${SHOWN_ERR:-}"}
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

# rx_grew NS: of the devices in NS still in PENDING, those whose
# rx_packets, read in NS (one vnlctl for them all), is past what verify
# read there leave PENDING; true when none of NS's is left.
declare -A PENDING=()
rx_grew() {
	local dev n left=0
	SHOWN=()
	show_ns "$1"
	for dev in "${!PENDING[@]}"; do
		[[ ${WHERE[$dev]} == "$1" ]] || continue
		n=$(json_get "${SHOWN[$dev]:-}" stats rx_packets)
		if [[ $n =~ ^[0-9]+$ && ${RX_AT[$dev]:-} =~ ^[0-9]+$ ]] && ((n > RX_AT[$dev])); then
			unset "PENDING[$dev]"
		else
			left=1
		fi
	done
	((!left))
}

# Traffic reaches each device in the netns this round sent it to, after
# the whole round (p0 moved too): its counter grows there, before the next
# round moves it on.  With traffic flowing that is at once; the bound is
# for the debug kernel, where linkwatch may be slow to give o0 its qdisc
# back after p0's move.
reached() {
	local dev ns
	PENDING=([mp0]=1 [mt0]=1 [mc1]=1 [mc2]=1)
	while IFS= read -r ns; do
		wait_until 30 rx_grew "$ns"
	done <<<"$(vnl_nss)"
	for dev in mp0 mt0 mc1 mc2; do
		[[ -n ${PENDING[$dev]:-} ]] &&
			bad_rx+=("round $r: $dev got nothing in $(ring_name "${WHERE[$dev]}") (rx_packets stuck at ${RX_AT[$dev]:-?})")
	done
}

start=$SECONDS
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then
		p0_to=$H2
	else
		p0_to=$HOST
	fi
	move_all mp0="${RING[r % 3]}" mc1="${RING[r % 3]}" mc2="${RING[(r + 1) % 3]}" \
		mt0="${RING[(r + 2) % 3]}" p0="$p0_to"
	report_add ops 2
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
GONE=("$A" "$B" "$C" "$HOST" "$H2" "$OUT")
printf 'netns set %s auto\n' "${GONE[@]}" | ip -n "$W" -force -batch - >/dev/null 2>&1
ip -n "$W" monitor nsid >"$TEST_TMP/nsid" 2>&1 &
track_bg $!
nap 1
# At least six "deleted" lines (any case) in the monitor's output.
deleted() {
	local line n=0
	while IFS= read -r line; do
		[[ ${line,,} == *deleted* ]] && n=$((n + 1))
	done <"$TEST_TMP/nsid"
	((n >= 6))
}

report_add faults 6
report_add ops 6
start=$SECONDS
# The six deletions by one ip (each line's failure told apart); the EXIT
# trap has nothing left to delete.
printf 'netns del %s\n' "${GONE[@]}" | timeout 120 ip -force -batch - 2>"$TEST_TMP/err"
rc=$?
if ((rc != 0)); then
	err=$(<"$TEST_TMP/err")
	for i in "${!GONE[@]}"; do
		[[ $err == *"Command failed -:$((i + 1))"* || $err != *"Command failed"* ]] &&
			check_fail "ip netns del $(ring_name "${GONE[i]}")" "ip -batch exited $rc: $err"
	done
fi
NS_LIST=("$W")
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
# fault_lib's vnl_devs without its jq: vnlctl -j prints a device a line.
ndevs() {
	local nsopt=() out line n=0
	[[ -n ${1:-} ]] && nsopt=(-n "$1")
	out=$(vnlctl "${nsopt[@]}" -j show) || return 1
	while IFS= read -r line; do
		[[ $line == "{"* ]] && n=$((n + 1))
	done <<<"$out"
	echo "$n"
}
check_eq "vnlctl show lists nothing in W and the init netns" "0 0" "$(ndevs "$W") $(ndevs)"

exit_status
