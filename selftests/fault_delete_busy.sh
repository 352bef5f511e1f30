#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Deleting vnl devices while traffic goes through them as fast as the
# guest can send it, and while programs sleep on them in /dev/vnl:
#
# 1. a pair end (vnlctl del, on the receiving end) under a flood ping, an
#    AF_PACKET blaster and, when installed, iperf3: both ends go, the
#    blaster's next send fails (ENXIO), and the same names work again;
# 2. tun and tap devices (vnlctl del and ip link del): on a busy one, a
#    writer, a reader and a poller at full speed (plus a flood ping and a
#    blaster into it); on an idle one, a reader asleep in read() and a
#    poller asleep in poll().  Every one of them wakes up and returns:
#
#      read()     EBADFD (File descriptor in bad state)
#      poll()     EPOLLERR | EPOLLHUP
#      write()    EBADFD (EIO for a moment, while the device is down
#                 on its way out)
#      TUNSETIFF  EINVAL: the file stays useless; only close() is left
#
#    (kmod/chardev.c:vnl_chr_read_iter, vnl_chr_poll, vnl_chr_write_iter,
#    tun.c:vnl_tun_uninit, vnl_tun_set_iff: the same as tun.)
# 3. a macvlan parent (a kernel veth, ip link del) under flood pings to
#    its children, a broadcast blaster into it and blasters out of its
#    children, in two netns: every child goes, in every netns;
# 4. a whole netns holding a pair end, a busy tap, an idle tap and two
#    macvlan children (whose parent lives elsewhere), under traffic from
#    outside it: the netns is torn down (its peers hear RTM_DELNSID), the
#    pair's other end goes, the tap's programs wake as in 2, the parent
#    keeps no receive handler.
#
# Every deletion must finish within 120 s, every woken program within
# 60 s; the runner then checks the kernel log for splats.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

require_vnl
require_ping
require_cmd jq bridge

cleanup() { report_print; }

HAVE_IPERF=
command -v iperf3 >/dev/null && HAVE_IPERF=1

mac_of() {
	local line
	line=$(ip -n "$1" -o link show dev "$2") || return 1
	[[ $line =~ link/ether\ ([0-9a-f:]{17}) ]] && echo "${BASH_REMATCH[1]}"
}

# Each setup costs one process per netns (ns_setup, ip -batch, vnlctl
# -batch), not one per command: on the debug kernel an `ip` costs 0.4 to
# 0.8 s, a vnlctl 0.2 s.  The namespaces are made once, by one ip, and a
# case whose netns an earlier case left with nothing but lo (which that
# case asserts) takes it over instead of making its own.

# ns_setup NS LINE...: IPv6 off in NS (as lib.sh's no_ipv6: before any
# device there is up), then lo up and the LINEs, by one `ip -batch` that
# stops at the first failure.
ns_setup() {
	local ns=$1
	shift
	printf '%s\n' "link set lo up" "$@" |
		ip netns exec "$ns" sh -c '{ echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
			echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; } 2>/dev/null
			exec ip -batch -'
}

# ipb NS LINE...: the LINEs run in NS by one `ip -batch`, which stops at
# the first failure; its exit status.
ipb() {
	local ns=$1
	shift
	printf '%s\n' "$@" | ip -n "$ns" -batch -
}

# vnlb NS LINE...: the same with one `vnlctl -batch`.
vnlb() {
	local ns=$1
	shift
	printf '%s\n' "$@" | vnlctl -n "$ns" -batch -
}

# make_ns VAR...: lib.sh's setup_ns (names, the EXIT trap deletes them)
# for all at once, by one ip; lo up and IPv6 off come with ns_setup.
make_ns() {
	local var
	for var in "$@"; do
		printf -v "$var" 'ns-%s-%s-%s' "${var,,}" "$$" "$RANDOM$RANDOM"
		NS_LIST+=("${!var}")
	done
	for var in "$@"; do
		echo "netns add ${!var}"
	done | ip -batch - || { echo "FAIL: ip netns add"; exit "$ksft_fail"; }
}

# del_ns NS...: deleted now, by one ip (lib.sh's cleanup_ns starts one a
# netns).
del_ns() {
	local ns i
	printf 'netns del %s\n' "$@" | ip -force -batch - 2>/dev/null
	for ns in "$@"; do
		for i in "${!NS_LIST[@]}"; do
			[[ ${NS_LIST[i]} == "$ns" ]] && unset 'NS_LIST[i]'
		done
	done
	return 0
}

# ndevs NS: fault_lib's vnl_devs without its jq (vnlctl -j prints one
# device a line).
ndevs() {
	local out line n=0
	out=$(vnlctl -n "$1" -j show) || return 1
	while IFS= read -r line; do
		[[ $line == "{"* ]] && n=$((n + 1))
	done <<<"$out"
	echo "$n"
}

# blast NAME NS DEV [ARGS...]: a blaster in the background, its result in
# $TEST_TMP/NAME; BLAST_PID is its pid.
blast() {
	local name=$1 ns=$2 dev=$3
	shift 3
	ip netns exec "$ns" "$FAULT_BIN" blast "$dev" -t 300 "${RATE[@]}" "$@" >"$TEST_TMP/$name" 2>&1 &
	BLAST_PID=$!
	track_bg "$BLAST_PID"
}

# blast_done NAME PID DESC: the blaster ended because its device went.
blast_done() {
	local line
	if ! wait_exit 60 "$2"; then
		check_fail "$3: the blaster ends" "still running 60 s after the deletion"
		return 1
	fi
	line=$(result_line "$TEST_TMP/$1" "blast:")
	report_add packets "$(kv "$line" sent)"
	report_add errors "$(kv "$line" errors)"
	check_match "$3: the blaster's next send failed, device gone (${line#blast: })" \
		'end=(ENXIO|ENODEV)' "$line"
}

# rising NS DEV: the device's rx packets grow: the first call reads them,
# each later one (until RISE_FROM is emptied) is true once they are past
# that.  Polled without a fixed wait: `wait_until 30 rising NS DEV`.
RISE_FROM=
rising() {
	local n
	n=$(ip_stat "$1" "$2" rx packets) || return 1
	if [[ -z $RISE_FROM ]]; then
		RISE_FROM=$n
		return 1
	fi
	((n > RISE_FROM)) && RISE_FROM=
}

# timed_check DESC COMMAND...: check, and say how long it took.
timed_check() {
	local start=$SECONDS rc
	check "$@"
	rc=$?
	echo "INFO: $((SECONDS - start)) s"
	return $rc
}

section() { echo "INFO: --- $* (at $SECONDS s)"; }

# --- 1. a pair end ------------------------------------------------------------------

section "1. a pair end"

# Every netns of the four cases: 3. takes T over as its HOST, 4. takes M2
# as X, M1 as Y, T as H2 and OUT as O2.
make_ns A B T OUT M1 M2
vnlctl add pair da0 peer db0 netns "$A" peer-netns "$B" &&
	ns_setup "$A" "addr add 10.92.1.1/24 dev da0" "link set da0 up" &&
	ns_setup "$B" "addr add 10.92.1.2/24 dev db0" "link set db0 up" ||
	{ echo "FAIL: setup of the pair"; exit "$ksft_fail"; }
report_add ops 1
check "pair da0 (A) - db0 (B) pings" vping "$A" 10.92.1.2 -c 1 -w 20

flood_ping "$TEST_TMP/ping1" "$A" 10.92.1.2
ping1=$FLOOD_PID
blast blast1 "$A" da0 -d "$(mac_of "$B" db0)"
blast1=$BLAST_PID
if [[ -n $HAVE_IPERF ]]; then
	ip netns exec "$B" iperf3 -s -1 >/dev/null 2>&1 &
	track_bg $!
	nap 1
	ip netns exec "$A" iperf3 -c 10.92.1.2 -t 300 -i 0 >"$TEST_TMP/iperf" 2>&1 &
	iperf=$!
	track_bg "$iperf"
fi
check "traffic flows into db0" wait_until 30 rising "$B" db0

report_add faults 1
report_add ops 1
timed_check "vnlctl del db0 (in B) under traffic" timeout 120 vnlctl -n "$B" del db0
check "db0 is gone from B" wait_until 60 link_absent -n "$B" db0
check "da0 (its peer) is gone from A" wait_until 60 link_absent -n "$A" da0
blast_done blast1 "$blast1" "pair"
stop_ping "$TEST_TMP/ping1" "$ping1" >/dev/null
if [[ -n $HAVE_IPERF ]]; then
	kill "$iperf" 2>/dev/null
	wait "$iperf" 2>/dev/null
	report_add iperf3 1
fi
check "the same pair again, and it pings" eval \
	"vnlctl add pair da0 peer db0 netns $A peer-netns $B &&
	ipb $A 'addr add 10.92.1.1/24 dev da0' 'link set da0 up' &&
	ipb $B 'addr add 10.92.1.2/24 dev db0' 'link set db0 up' &&
	vping $A 10.92.1.2 -c 1 -w 20"
report_add ops 1
del_ns "$A" "$B"

# --- 2. tun and tap --------------------------------------------------------------------

section "2. tun and tap"

vnlb "$T" "add tap dt0" "add tap dt1" "add tun dt2" "add tun dt3" &&
	ns_setup "$T" "addr add 10.92.2.1/24 dev dt0" "link set dt0 up" \
		"neigh replace 10.92.2.2 lladdr 02:00:00:00:fa:02 dev dt0 nud permanent" \
		"addr add 10.92.3.1 peer 10.92.3.2 dev dt2" "link set dt2 up" ||
	{ echo "FAIL: setup of the tun and tap devices"; exit "$ksft_fail"; }
report_add ops 4

ip netns exec "$T" "$FAULT_BIN" busy dt0 10.92.2.1 10.92.2.2 "${RATE[@]}" -t 300 >"$TEST_TMP/busy0" 2>&1 &
busy0=$!
track_bg "$busy0"
ip netns exec "$T" "$FAULT_BIN" busy dt2 10.92.3.1 10.92.3.2 "${RATE[@]}" -t 300 >"$TEST_TMP/busy2" 2>&1 &
busy2=$!
track_bg "$busy2"
ip netns exec "$T" "$FAULT_BIN" wake dt1 -t 600 >"$TEST_TMP/wake1" 2>&1 &
wake1=$!
track_bg "$wake1"
ip netns exec "$T" "$FAULT_BIN" wake dt3 -t 600 >"$TEST_TMP/wake3" 2>&1 &
wake3=$!
track_bg "$wake3"
report_add ops 4
check "busy tap dt0: frames flow both ways" wait_until 60 has_line "$TEST_TMP/busy0" ready
check "busy tun dt2: packets flow both ways" wait_until 60 has_line "$TEST_TMP/busy2" ready
check "idle tap dt1: a reader asleep in read(), a poller in poll()" \
	wait_until 60 has_line "$TEST_TMP/wake1" ready
check "idle tun dt3: a reader asleep in read(), a poller in poll()" \
	wait_until 60 has_line "$TEST_TMP/wake3" ready
flood_ping "$TEST_TMP/ping2" "$T" 10.92.2.2
ping2=$FLOOD_PID
blast blast2 "$T" dt0
blast2=$BLAST_PID
nap 2

report_add faults 4
report_add ops 4
timed_check "vnlctl del dt0 (busy tap)" timeout 120 vnlctl -n "$T" del dt0
timed_check "ip link del dt2 (busy tun)" timeout 120 ip -n "$T" link del dt2
timed_check "vnlctl del dt1 (idle tap)" timeout 120 vnlctl -n "$T" del dt1
timed_check "ip link del dt3 (idle tun)" timeout 120 ip -n "$T" link del dt3
check_eq "T has only lo left" lo "$(link_names "$T")"

for b in 0 2; do
	pid_var=busy$b
	what="busy $([[ $b == 0 ]] && echo tap || echo tun) dt$b"
	if ! wait_exit 60 "${!pid_var}"; then
		check_fail "$what: its threads return" "still running 60 s after the deletion"
		continue
	fi
	line=$(result_line "$TEST_TMP/busy$b" "busy:")
	echo "INFO: $what: ${line#busy: }"
	report_add packets "$(kv "$line" written)"
	report_add errors 3
	check_match "$what: frames were written and read before" \
		'written=[1-9][0-9]* read=[1-9]' "$line"
	check_eq "$what: write() ends with EBADFD" EBADFD "$(kv "$line" write_end)"
	check_eq "$what: read() ends with EBADFD" EBADFD "$(kv "$line" read_end)"
	check_eq "$what: poll() ends with EPOLLERR|EPOLLHUP" "ERR|HUP" "$(kv "$line" poll_end)"
done
for w in 1 3; do
	pid_var=wake$w
	what="idle $([[ $w == 1 ]] && echo tap || echo tun) dt$w"
	if ! wait_exit 60 "${!pid_var}"; then
		check_fail "$what: the sleepers wake" "still asleep 60 s after the deletion"
		continue
	fi
	line=$(result_line "$TEST_TMP/wake$w" "wake:")
	echo "INFO: $what: ${line#wake: }"
	report_add errors 5
	check_eq "$what: the sleeping read() returns EBADFD" EBADFD "$(kv "$line" read)"
	check_eq "$what: the sleeping poll() returns EPOLLERR|EPOLLHUP" "ERR|HUP" "$(kv "$line" poll)"
	check_eq "$what: then write() fails with EBADFD" EBADFD "$(kv "$line" write)"
	check_eq "$what: then TUNSETIFF fails with EINVAL" EINVAL "$(kv "$line" setiff)"
	check_eq "$what: then poll() says EPOLLERR|EPOLLHUP at once" "ERR|HUP" "$(kv "$line" poll_again)"
done
blast_done blast2 "$blast2" "tap"
stop_ping "$TEST_TMP/ping2" "$ping2" >/dev/null

# --- 3. a macvlan parent ----------------------------------------------------------------

section "3. a macvlan parent"

# T, which 2. left with lo alone (it checked), is the parent's netns.
HOST=$T
ipb "$HOST" "link add p0 type veth peer name o0 netns $OUT" "link set p0 up" &&
	ns_setup "$OUT" "link set o0 up" "addr add 10.92.4.254/24 dev o0" ||
	{ echo "FAIL: setup of the parent"; exit "$ksft_fail"; }
vnlb "$HOST" "add macvlan dm1 parent p0 mode bridge netns $M1" \
	"add macvlan dm2 parent p0 mode bridge netns $M1" \
	"add macvlan dm3 parent p0 mode bridge netns $M2" \
	"add macvlan dm4 parent p0 mode bridge netns $M2" &&
	ns_setup "$M1" "addr add 10.92.4.1/24 dev dm1" "link set dm1 up" \
		"addr add 10.92.4.2/24 dev dm2" "link set dm2 up" &&
	ns_setup "$M2" "addr add 10.92.4.3/24 dev dm3" "link set dm3 up" \
		"addr add 10.92.4.4/24 dev dm4" "link set dm4 up" ||
	{ echo "FAIL: setup of the children dm1..dm4"; exit "$ksft_fail"; }
report_add ops 4
check "children dm1..dm4 (M1, M2) ping the outside" eval \
	"vping $M1 10.92.4.254 -c 1 -w 20 && vping $M2 10.92.4.254 -c 1 -w 20"

flood_ping "$TEST_TMP/ping3a" "$OUT" 10.92.4.1
ping3a=$FLOOD_PID
flood_ping "$TEST_TMP/ping3b" "$OUT" 10.92.4.3
ping3b=$FLOOD_PID
blast blast3o "$OUT" o0
blast3o=$BLAST_PID
blast blast3c "$M1" dm1 -d "$(mac_of "$M1" dm2)"
blast3c=$BLAST_PID
blast blast3b "$M2" dm3
blast3b=$BLAST_PID
check "traffic flows into dm2 (from its bridge sibling)" wait_until 30 rising "$M1" dm2
check "traffic flows into dm4 (broadcasts)" wait_until 30 rising "$M2" dm4

report_add faults 1
report_add ops 1
timed_check "ip link del p0 (the parent) under traffic" timeout 120 ip -n "$HOST" link del p0
only_lo() { [[ $(link_names "$1") == lo ]]; }
check "every child is gone from M1" wait_until 60 only_lo "$M1"
check "every child is gone from M2" wait_until 60 only_lo "$M2"
check "o0 (the veth's other end) is gone from OUT" wait_until 60 only_lo "$OUT"
check_eq "vnlctl show lists nothing in HOST, M1, M2" "0 0 0" \
	"$(ndevs "$HOST") $(ndevs "$M1") $(ndevs "$M2")"
blast_done blast3o "$blast3o" "parent, blaster on o0"
blast_done blast3c "$blast3c" "parent, blaster on dm1"
blast_done blast3b "$blast3b" "parent, blaster on dm3"
stop_ping "$TEST_TMP/ping3a" "$ping3a" >/dev/null
stop_ping "$TEST_TMP/ping3b" "$ping3b" >/dev/null

# --- 4. a whole netns --------------------------------------------------------------------

section "4. a whole netns"

# The netns 3. left with lo alone (it checked): M2 is the X to delete, M1
# Y, T H2 and OUT O2.  They have IPv6 off and lo up already.
X=$M2 Y=$M1 H2=$T O2=$OUT
vnlctl add pair nx0 peer ny0 netns "$X" peer-netns "$Y" ||
	{ echo "FAIL: setup of the pair"; exit "$ksft_fail"; }
ipb "$H2" "link add hp0 type veth peer name ho0 netns $O2" "link set hp0 up" &&
	ipb "$O2" "link set ho0 up" "addr add 10.92.7.254/24 dev ho0" ||
	{ echo "FAIL: setup of the parent"; exit "$ksft_fail"; }
vnlb "$H2" "add macvlan nxm1 parent hp0 mode bridge netns $X" \
	"add macvlan nxm2 parent hp0 mode bridge netns $X" ||
	{ echo "FAIL: setup of the children nxm1, nxm2"; exit "$ksft_fail"; }
ipb "$X" "addr add 10.92.5.1/24 dev nx0" "link set nx0 up" \
	"addr add 10.92.7.1/24 dev nxm1" "link set nxm1 up" \
	"addr add 10.92.7.2/24 dev nxm2" "link set nxm2 up" ||
	{ echo "FAIL: setup of the pair and children in X"; exit "$ksft_fail"; }
# The taps are made and attached to in Y, then moved to X: a /dev/vnl file
# holds the netns it was opened in, as with tun, so X must hold none.
vnlb "$Y" "add tap nxt0" "add tap nxt1" &&
	ipb "$Y" "addr add 10.92.5.2/24 dev ny0" "link set ny0 up" \
		"addr add 10.92.6.1/24 dev nxt0" "link set nxt0 up" \
		"neigh replace 10.92.6.2 lladdr 02:00:00:00:fa:02 dev nxt0 nud permanent" ||
	{ echo "FAIL: setup of the taps"; exit "$ksft_fail"; }
ip netns exec "$Y" "$FAULT_BIN" busy nxt0 10.92.6.1 10.92.6.2 "${RATE[@]}" -t 300 >"$TEST_TMP/busy4" 2>&1 &
busy4=$!
track_bg "$busy4"
ip netns exec "$Y" "$FAULT_BIN" wake nxt1 -t 600 >"$TEST_TMP/wake4" 2>&1 &
wake4=$!
track_bg "$wake4"
check "netns: busy tap nxt0 running (in Y)" wait_until 60 has_line "$TEST_TMP/busy4" ready
check "netns: idle tap nxt1 has its sleepers (in Y)" wait_until 60 has_line "$TEST_TMP/wake4" ready
check "netns: both taps move to X" eval \
	"ipb $Y 'link set nxt0 netns $X' 'link set nxt1 netns $X' &&
	ipb $X 'addr add 10.92.6.1/24 dev nxt0' 'link set nxt0 up' \
		'neigh replace 10.92.6.2 lladdr 02:00:00:00:fa:02 dev nxt0 nud permanent'"
check_not "netns: moving nxt1 woke none of its sleepers" has_line "$TEST_TMP/wake4" "wake:"
report_add ops 7
check "netns: X's children ping the outside" vping "$O2" 10.92.7.1 -c 1 -w 20

flood_ping "$TEST_TMP/ping4a" "$Y" 10.92.5.1
ping4a=$FLOOD_PID
flood_ping "$TEST_TMP/ping4b" "$O2" 10.92.7.2
ping4b=$FLOOD_PID
blast blast4p "$Y" ny0 -d "$(mac_of "$X" nx0)"
blast4p=$BLAST_PID
blast blast4o "$O2" ho0
blast4o=$BLAST_PID
check "netns: traffic flows into nx0" wait_until 30 rising "$X" nx0
check "netns: traffic flows into nxm1" wait_until 30 rising "$X" nxm1
# Y hears RTM_DELNSID when X is torn down (it has an id for X: ny0's peer).
ip -n "$Y" monitor nsid >"$TEST_TMP/nsid" 2>&1 &
track_bg $!
nap 1

report_add faults 1
report_add ops 1
timed_check "netns: ip netns del X (a pair end, 2 taps, 2 children) under traffic" \
	timeout 120 ip netns del "$X"
for i in "${!NS_LIST[@]}"; do
	[[ ${NS_LIST[i]} == "$X" ]] && unset 'NS_LIST[i]'
done
# A "deleted" line (any case) in Y's monitor output, read without a grep.
nsid_deleted() {
	local line
	while IFS= read -r line; do
		[[ ${line,,} == *deleted* ]] && return 0
	done <"$TEST_TMP/nsid"
	return 1
}
check "netns: X is torn down (Y hears RTM_DELNSID)" wait_until 120 nsid_deleted
check "netns: ny0 (nx0's peer) is gone from Y" wait_until 120 link_absent -n "$Y" ny0
check_eq "netns: vnlctl show lists nothing in Y and H2" "0 0" "$(ndevs "$Y") $(ndevs "$H2")"
# fault_lib's no_rx_handler in one ip: hp0 can be enslaved to a bridge
# (line 2 succeeds), then the bridge goes again.
no_rx_handler_b() {
	local err rc
	err=$(printf '%s\n' "link add fbr0 type bridge" "link set $2 master fbr0" \
		"link set $2 nomaster" "link del fbr0" | ip -n "$1" -force -batch - 2>&1 >/dev/null)
	rc=$?
	echo "$err"
	[[ $err == *"Command failed -:1"* || $err == *"Command failed -:2"* ]] && return 1
	# Failed without naming a line: it never got that far.
	((rc == 0)) || [[ $err == *"Command failed"* ]]
}
check "netns: hp0 (the children's parent) keeps no receive handler" no_rx_handler_b "$H2" hp0
if wait_exit 60 "$busy4"; then
	line=$(result_line "$TEST_TMP/busy4" "busy:")
	echo "INFO: netns busy tap: ${line#busy: }"
	report_add packets "$(kv "$line" written)"
	report_add errors 3
	check_match "netns: busy tap: frames were written and read before" \
		'written=[1-9][0-9]* read=[1-9]' "$line"
	check_eq "netns: busy tap's write() ends with EBADFD" EBADFD "$(kv "$line" write_end)"
	check_eq "netns: busy tap's read() ends with EBADFD" EBADFD "$(kv "$line" read_end)"
	check_eq "netns: busy tap's poll() ends with EPOLLERR|EPOLLHUP" "ERR|HUP" "$(kv "$line" poll_end)"
else
	check_fail "netns: the busy tap's threads return" "still running 60 s after the deletion"
fi
if wait_exit 60 "$wake4"; then
	line=$(result_line "$TEST_TMP/wake4" "wake:")
	echo "INFO: netns idle tap: ${line#wake: }"
	report_add errors 5
	check_eq "netns: the idle tap's read() returns EBADFD" EBADFD "$(kv "$line" read)"
	check_eq "netns: the idle tap's poll() returns EPOLLERR|EPOLLHUP" "ERR|HUP" "$(kv "$line" poll)"
	check_eq "netns: then write() fails with EBADFD" EBADFD "$(kv "$line" write)"
	check_eq "netns: then TUNSETIFF fails with EINVAL" EINVAL "$(kv "$line" setiff)"
	check_eq "netns: then poll() says EPOLLERR|EPOLLHUP at once" "ERR|HUP" "$(kv "$line" poll_again)"
else
	check_fail "netns: the idle tap's sleepers wake" "still asleep after the deletion"
fi
blast_done blast4p "$blast4p" "netns, blaster on ny0"
kill "$blast4o" 2>/dev/null
wait "$blast4o" 2>/dev/null
report_add packets "$(kv "$(result_line "$TEST_TMP/blast4o" "blast:")" sent)"
stop_ping "$TEST_TMP/ping4a" "$ping4a" >/dev/null
stop_ping "$TEST_TMP/ping4b" "$ping4b" >/dev/null

# What is left (T, OUT, M1) by one ip; the EXIT trap would start one a
# netns.
del_ns "${NS_LIST[@]}"
section "done"
exit_status
