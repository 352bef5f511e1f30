#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl end to end, against the vnl module: every subcommand, its text and
# JSON output, the kernel's refusals and their messages, network namespaces,
# monitor events and a large batch.  Run it where the module is loaded, as
# root, never on a machine you care about:
#
#   tools/vm/run -- tools/vnlctl/tests/guest.sh
#   tools/vm/run --mem 4096 -- env VNLCTL_TEST_PAIRS=10000 tools/vnlctl/tests/guest.sh
#
# Every check works in network namespaces of its own (vnlt<pid>-*), deleted
# on exit.  Exits 4 (KSFT_SKIP) when root or the module is missing.

cd "$(dirname "$0")/.." || exit 1
export PATH=$PWD:$PATH
. tests/lib.sh

PAIRS=${VNLCTL_TEST_PAIRS:-1000}
NS=vnlt$$
MAC='([0-9a-f]{2}:){5}[0-9a-f]{2}'
namespaces=()
bg_pids=()

cleanup() {
	local pid ns

	for pid in "${bg_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT

netns_new() {
	ip netns add "$NS-$1" || exit 1
	namespaces+=("$NS-$1")
}

if [[ $(id -u) -ne 0 ]]; then
	echo "skip: needs root" >&2
	exit 4
fi
if ! vnlctl version >/dev/null 2>&1; then
	echo "skip: the vnl module is not loaded" >&2
	exit 4
fi

test_version() {
	expect "version: exit 0" 0 '' -- vnlctl version
	check "version: both versions" matches "$out" \
		'^vnl module [^ ]+ \(genl family vnl version 1\)$'
	check "version: vnlctl's first" matches "$(head -1 <<<"$out")" \
		'^vnlctl [0-9.]+$'
	expect "-j version: exit 0" 0 '' -- vnlctl -j version
	check "-j version: one object" json "$out" \
		'.genl_family == "vnl" and .genl_version == 1 and (.module | type) == "string" and (.vnlctl | type) == "string"'
}

test_add_show() {
	local v="vnlctl -n $NS-show"

	netns_new show
	expect "add: exit 0" 0 '' -- $v add pair a0 peer a1
	check "add: prints nothing" test -z "$out"
	expect "show: exit 0" 0 '' -- $v show
	check "show: first line of a device" matches "$out" \
		'^[0-9]+: a0: kind pair mtu 1500 state down carrier off$'
	check "show: address line" matches "$out" "^    address $MAC$"
	check "show: peer line" matches "$out" '^    peer a1 ifindex [0-9]+$'
	expect "-j show: exit 0" 0 '' -- $v -j show
	check "-j show: both ends, every key" json "$out" '
		length == 2 and (map(.ifname) | sort) == ["a0", "a1"] and
		all(.[]; .kind == "pair" and .mtu == 1500 and .up == false and
		    .carrier == false and (.address | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")) and
		    (.peer | keys) == ["ifindex", "ifname", "netns", "netnsid"] and
		    .peer.netnsid == null and .peer.netns == null and
		    (.stats | keys | length) == 6)'
	check "-j show: peers point at each other" json "$out" \
		'.[0].peer.ifindex == .[1].ifindex and .[1].peer.ifindex == .[0].ifindex'
	expect "show NAME: exit 0" 0 '' -- $v -j show a1
	check "show NAME: that device only" json "$out" \
		'length == 1 and .[0].ifname == "a1" and .[0].peer.ifname == "a0"'
	expect "show dev NAME: exit 0" 0 '' -- $v show dev a0
	check "show dev NAME: that device only" test "$(grep -c '^[0-9]' <<<"$out")" -eq 1

	expect "-j add: exit 0" 0 '' -- $v -j add pair m0 peer m1 mtu 9000 \
		address 02:00:00:00:00:01 peer-address 2:0:0:0:0:2
	check "-j add: the new device" json "$out" \
		'.ifname == "m0" and .mtu == 9000 and .address == "02:00:00:00:00:01" and .peer.ifname == "m1"'
	expect "add mtu/peer-address: the peer has them" 0 '' -- $v -j show m1
	check "add mtu/peer-address: the peer has them" json "$out" \
		'.[0].mtu == 9000 and .[0].address == "02:00:00:00:00:02"'

	ip -n "$NS-show" link set dev a0 up
	ip -n "$NS-show" link set dev a1 up
	expect "show: up and carrier on" 0 '' -- $v show a0
	check "show: up and carrier on" matches "$out" 'state up carrier on$'

	expect "add: a name with JSON specials" 0 '' -- $v add pair 'q"x\y' peer 'z{}'
	expect "-j show: specials escaped" 0 '' -- $v -j show
	check "-j show: specials escaped" json "$out" \
		'map(.ifname) | index("q\"x\\y") != null and index("z{}") != null'
}

test_refusals() {
	local v="vnlctl -n $NS-refuse"

	netns_new refuse
	$v add pair r0 peer r1
	expect "name in use: extack and errno" 1 '^vnlctl: .+ \(File exists\)$' -- \
		$v add pair r0 peer r2
	expect "peer name in use: extack and errno" 1 '^vnlctl: .+ \(File exists\)$' -- \
		$v add pair r2 peer r1
	expect "mtu 10 is sent and refused" 1 '^vnlctl: .+ \((Numerical result out of range|Invalid argument)\)$' -- \
		$v add pair r2 peer r3 mtu 10
	expect "mtu 65536 is sent and refused" 1 '^vnlctl: .+ \((Numerical result out of range|Invalid argument)\)$' -- \
		$v add pair r2 peer r3 mtu 65536
	expect "multicast MAC is sent and refused" 1 '^vnlctl: .*unicast.* \(Invalid argument\)$' -- \
		$v add pair r2 peer r3 address 01:00:5e:00:00:01
	expect "zero peer MAC is sent and refused" 1 '^vnlctl: .*unicast.* \(Invalid argument\)$' -- \
		$v add pair r2 peer r3 peer-address 00:00:00:00:00:00
	expect "17-byte name is sent and refused" 1 '^vnlctl: .+ \(Invalid argument\)$' -- \
		$v add pair abcdefghijklmnopq peer r3
	expect "17-byte peer name is sent and refused" 1 '^vnlctl: .+ \(Invalid argument\)$' -- \
		$v add pair r2 peer abcdefghijklmnopq
	expect "refusals created nothing" 0 '' -- $v -j show
	check "refusals created nothing" json "$out" 'length == 2'
	expect "show of a missing device" 1 '^vnlctl: .+ \(No such device\)$' -- \
		$v show nosuch
	expect "show of a non-vnl device" 1 '^vnlctl: .+ \(No such device\)$' -- \
		$v show lo
	expect "stats of a missing device" 1 '\(No such device\)$' -- $v stats nosuch
	expect "del of a missing device" 1 '^vnlctl: .+ \(No such device\)$' -- \
		$v del nosuch

	expect "unprivileged add: EPERM" 1 'Operation not permitted' -- \
		ip netns exec "$NS-refuse" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all vnlctl add pair p0 peer p1
	expect "unprivileged del: EPERM" 1 'Operation not permitted' -- \
		ip netns exec "$NS-refuse" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all vnlctl del r0
	expect "unprivileged show works" 0 '' -- \
		ip netns exec "$NS-refuse" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all vnlctl show r0

	expect "del: exit 0" 0 '' -- $v del r0
	expect "del: the peer went too" 1 '\(No such device\)$' -- $v show r1
	$v add pair r4 peer r5
	expect "del dev NAME: exit 0" 0 '' -- $v del dev r5
	expect "del dev NAME: both gone" 0 '' -- $v -j show
	check "del dev NAME: both gone" json "$out" 'length == 0'
	check "-j show of none: []" test "$out" = "[]"
}

test_stats() {
	local a="$NS-stats-a" b="$NS-stats-b"

	netns_new stats-a
	netns_new stats-b
	vnlctl -n "$a" add pair s0 peer s1 peer-netns "$b"
	expect "stats: exit 0" 0 '' -- vnlctl -n "$a" stats s0
	check "stats: header" matches "$out" '^ +packets +bytes +drops$'
	check "stats: rx row" matches "$out" '^ +rx +0 +0 +0$'
	check "stats: tx row" matches "$out" '^ +tx +0 +0 +0$'
	if ! command -v ping >/dev/null; then
		skip "stats count traffic: no ping"
		return
	fi
	ip -n "$a" addr add 192.0.2.1/24 dev s0
	ip -n "$b" addr add 192.0.2.2/24 dev s1
	ip -n "$a" link set dev s0 up
	ip -n "$b" link set dev s1 up
	ip netns exec "$a" ping -q -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null
	expect "-j stats: exit 0" 0 '' -- vnlctl -n "$a" -j stats s0
	check "-j stats: counts the pings" json "$out" \
		'.ifname == "s0" and .stats.tx_packets >= 3 and .stats.rx_packets >= 3 and .stats.tx_bytes > 0'
}

# Waits until process PID has entered netns NAME (`ip netns exec` does it
# after the fork).
wait_in_netns() {
	local i want

	want=$(stat -L -c %i "/run/netns/$2") || return 1
	for ((i = 0; i < 100; i++)); do
		[[ $(stat -L -c %i "/proc/$1/ns/net") == "$want" ]] && return 0
		sleep 0.05
	done
	return 1
}

test_netns() {
	local a="$NS-ns-a" b="$NS-ns-b" pid

	netns_new ns-a
	netns_new ns-b
	expect "peer-netns NAME: exit 0" 0 '' -- \
		vnlctl -n "$a" add pair n0 peer n1 peer-netns "$b"
	expect "peer-netns: show names the peer's netns" 0 '' -- vnlctl -n "$a" show n0
	check "peer-netns: show names the peer's netns" matches "$out" \
		"^    peer n1 ifindex [0-9]+ netns $b$"
	expect "peer-netns: -j has netnsid and name" 0 '' -- vnlctl -n "$a" -j show n0
	check "peer-netns: -j has netnsid and name" json "$out" \
		".[0].peer.netns == \"$b\" and (.[0].peer.netnsid | type) == \"number\""
	expect "peer-netns: the other side names this one" 0 '' -- vnlctl -n "$b" show n1
	check "peer-netns: the other side names this one" matches "$out" "netns $a$"
	expect "-j add: names the peer's netns" 0 '' -- \
		vnlctl -n "$a" -j add pair n2 peer n3 peer-netns "$b"
	check "-j add: names the peer's netns" json "$out" ".peer.netns == \"$b\""

	expect "netns NAME: both ends go there" 0 '' -- \
		vnlctl -n "$a" add pair n4 peer n5 netns "$b"
	expect "netns NAME: both ends go there" 0 '' -- vnlctl -n "$b" -j show
	check "netns NAME: both ends go there" json "$out" \
		'[.[] | select(.ifname == "n4" or .ifname == "n5") | .peer.netnsid] == [null, null]'

	ip netns exec "$b" sleep 60 &
	pid=$!
	bg_pids+=("$pid")
	check "pid:N: a process in the peer's netns" wait_in_netns "$pid" "$b"
	expect "peer-netns pid:N: exit 0" 0 '' -- \
		vnlctl -n "$a" add pair n6 peer n7 peer-netns "pid:$pid"
	expect "peer-netns pid:N: the peer is there" 0 '' -- vnlctl -n "$b" show n7
	expect "peer-netns of a missing pid" 1 '^vnlctl: .+ \(No such process\)$' -- \
		vnlctl -n "$a" add pair n8 peer n9 peer-netns pid:999999
	expect "peer-netns of a missing netns names it" 1 "\"$NS-nosuch\"" -- \
		vnlctl -n "$a" add pair n8 peer n9 peer-netns "$NS-nosuch"
	expect "missing netns: nothing created" 1 '\(No such device\)$' -- \
		vnlctl -n "$a" show n8
	expect "-n of a missing netns names it" 1 "\"$NS-nosuch\"" -- \
		vnlctl -n "$NS-nosuch" show
	expect "-n pid:N" 0 '' -- vnlctl -n "pid:$pid" show n7
}

# Starts a monitor in the background, writing to FILE, and returns once it
# is known to be listening: it has seen an event of our own.
monitor_start() {
	local file=$1 i

	shift
	vnlctl "$@" monitor >"$file" &
	bg_pids+=("$!")
	for ((i = 0; i < 100; i++)); do
		vnlctl -n "$NS-mon" add pair probe$i peer probe${i}p
		vnlctl -n "$NS-mon" del probe$i
		grep -q "probe$i" "$file" && return 0
		sleep 0.1
	done
	return 1
}

# Waits until FILE has a line matching REGEX.
wait_for_line() {
	local i

	for ((i = 0; i < 100; i++)); do
		grep -Eq -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

test_monitor() {
	local v="vnlctl -n $NS-mon" text=$tmp/monitor.txt js=$tmp/monitor.json

	netns_new mon
	check "monitor: starts listening" monitor_start "$text" -n "$NS-mon"
	check "monitor -j: starts listening" monitor_start "$js" -n "$NS-mon" -j
	vnlctl -n "$NS-show" add pair o0 peer o1
	$v add pair e0 peer e1
	ip -n "$NS-mon" link set dev e0 up
	ip -n "$NS-mon" link set dev e1 up
	$v del e0
	check "monitor: new" wait_for_line "$text" \
		'^new [0-9]+: e0: kind pair mtu 1500 state down carrier off address .* peer e1 ifindex [0-9]+$'
	check "monitor: change of carrier" wait_for_line "$text" \
		'^change [0-9]+: e0: .*state up carrier on'
	check "monitor: del" wait_for_line "$text" '^del [0-9]+: e1: '
	check "monitor -j: del" wait_for_line "$js" '"event":"del","ifname":"e1"'
	check "monitor -j: one valid object per line" \
		jq -e -s 'all(.[]; (.event | IN("new", "del", "change")) and has("ifname"))' "$js"
	check "monitor -j: new, change, del of e0" jq -e -s '
		[.[] | select(.ifname == "e0") | .event] as $e |
		($e | index("new")) < ($e | index("change")) and ($e | index("del")) != null' "$js"
	check "monitor: sees only its own netns" test "$(grep -c ' o0: ' "$text")" -eq 0
}

test_batch() {
	local v="vnlctl -n $NS-batch" file=$tmp/batch i start elapsed

	netns_new batch
	{
		echo "# $PAIRS pairs"
		echo
		for ((i = 0; i < PAIRS; i++)); do
			echo "add pair b$i peer c$i"
		done
	} >"$file"
	start=$(date +%s.%N)
	expect "-batch: $PAIRS pairs" 0 '' -- $v -batch "$file"
	elapsed=$(echo "$(date +%s.%N) - $start" | bc)
	printf 'info  %d pairs in %.1f s\n' "$PAIRS" "$elapsed"
	expect "-j show after the batch" 0 '' -- $v -j show
	check "-j show: every device exactly once" json "$out" \
		"length == $((2 * PAIRS)) and (map(.ifname) | unique | length) == $((2 * PAIRS))"
	expect "show after the batch" 0 '' -- $v show
	check "show: every device" test "$(grep -c '^[0-9]' <<<"$out")" -eq $((2 * PAIRS))

	printf '# stops at line 4\ndel b0\n\nadd pair b1 peer x\ndel b2\n' >"$file"
	expect "-batch: stops at the first failure" 1 \
		'^vnlctl: line 4: .+ \(File exists\)$' -- $v -batch "$file"
	expect "-batch: lines before it ran" 1 '\(No such device\)$' -- $v show b0
	expect "-batch: lines after it did not" 0 '' -- $v show b2
	expect "-batch -: reads stdin" 0 '' -- \
		bash -c "printf 'del b2\n  del   b3  \n' | $v -batch -"
	expect "-batch: usage error gives the line" 1 '^vnlctl: line 2: bad mtu "x"$' -- \
		bash -c "printf 'del b4\nadd pair y0 peer y1 mtu x\n' | $v -batch -"
	expect "-j -batch: JSON per line" 0 '' -- \
		bash -c "printf 'show b5\nshow b6\n' | $v -j -batch -"
	check "-j -batch: JSON per line" json "$out" '.[0].ifname | IN("b5", "b6")'
}

test_version
test_add_show
test_refusals
test_stats
test_netns
test_monitor
test_batch
summary
