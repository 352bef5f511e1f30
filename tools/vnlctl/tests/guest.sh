#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl end to end, against the vnl module: every subcommand, its text and
# JSON output, the kernel's refusals and their messages, network namespaces,
# tun and tap devices, macvlan children (how vnlctl shows and changes them;
# how they forward is selftests/macvlan_*.sh's), monitor events and a large
# batch.  Run it where the module is loaded, as root, never on a machine
# you care about; PART names the parts to run (all by default: version
# add_show refusals stats netns tuntap macvlan monitor batch):
#
#   tools/vm/run -- tools/vnlctl/tests/guest.sh [PART...]
#   tools/vm/run --mem 4096 -- env VNLCTL_TEST_PAIRS=10000 tools/vnlctl/tests/guest.sh
#
# Every check works in network namespaces of its own (vnlt-<pid>-<random>-*),
# deleted on exit.  Ends with "N passed, N failed[, N skipped]"; exits 0
# when nothing failed, 1 otherwise, and 4 (KSFT_SKIP) when root, jq or the
# module is missing.  selftests/vnlctl_e2e.sh runs it as part of the suite.

cd "$(dirname "$0")/.." || exit 1
export PATH=$PWD:$PATH
. tests/lib.sh

PAIRS=${VNLCTL_TEST_PAIRS:-1000}
# Waits for a process or an event give up after this many seconds: far
# more than a stock kernel needs, enough for the debug kernel under TCG,
# where starting a process (python3 most of all) can take seconds.
WAIT_LIMIT=60
NS=vnlt-$$-$RANDOM
MAC='([0-9a-f]{2}:){5}[0-9a-f]{2}'
# The keys of -j stats: the counters, and the drop reasons of each kind
# (sorted, as jq's keys gives them).
STATS_KEYS='["rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "rx_drops", "tx_drops"]'
PAIR_DROPS='["backlog_full", "nomem", "peer_down", "ring_full", "too_big", "unread", "xdp_aborted", "xdp_drop", "xdp_redirect_err", "xdp_tx_err"]'
TUN_DROPS='["bad_write", "no_reader", "nomem", "queue_full", "too_big", "unread", "xdp_aborted", "xdp_drop", "xdp_redirect_err", "xdp_tx_err"]'
MACVLAN_DROPS='["backlog_full", "child_down", "mode", "nomem", "parent", "too_big"]'
namespaces=()
bg_pids=()

cleanup() {
	local pid ns

	for pid in "${bg_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# One ip for them all: a process start is dear on the debug kernel.
	if ((${#namespaces[@]})); then
		printf 'netns del %s\n' "${namespaces[@]}" | ip -force -batch - 2>/dev/null
	fi
	rm -rf "$tmp"
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
if ! command -v jq >/dev/null; then
	echo "skip: needs jq" >&2
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
		    .peer.netnsid == null and .peer.netns == null and .tun == null and
		    (.stats | keys) == ('"$STATS_KEYS"' + ["drops"] | sort) and
		    (.stats.drops | keys) == '"$PAIR_DROPS"')'
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
	expect "mtu 10: named, with the policy's range" 1 \
		'^vnlctl: mtu out of range 68\.\.65535 \(Numerical result out of range\)$' -- \
		$v add pair r2 peer r3 mtu 10
	expect "mtu 65536: named, with the policy's range" 1 \
		'^vnlctl: mtu out of range 68\.\.65535 \(Numerical result out of range\)$' -- \
		$v add pair r2 peer r3 mtu 65536
	expect "mtu 70000: named, with the policy's range" 1 \
		'^vnlctl: mtu out of range 68\.\.65535 \(Numerical result out of range\)$' -- \
		$v add pair r2 peer r3 mtu 70000
	expect "multicast MAC: named, the kernel's reason kept" 1 \
		'^vnlctl: address: the address must be unicast and not zero \(Invalid argument\)$' -- \
		$v add pair r2 peer r3 address 01:00:5e:00:00:01
	expect "zero peer MAC: named, the kernel's reason kept" 1 \
		'^vnlctl: peer-address: the peer address must be unicast and not zero \(Invalid argument\)$' -- \
		$v add pair r2 peer r3 peer-address 00:00:00:00:00:00
	expect "17-byte name: named, with the policy's limit" 1 \
		'^vnlctl: name longer than 15 bytes \(Invalid argument\)$' -- \
		$v add pair abcdefghijklmnopq peer r3
	expect "17-byte peer name (in the nest): named, with the limit" 1 \
		'^vnlctl: peer longer than 15 bytes \(Invalid argument\)$' -- \
		$v add pair r2 peer abcdefghijklmnopq
	expect "invalid name: named, the kernel's reason kept" 1 \
		'^vnlctl: name: not a valid interface name \(Invalid argument\)$' -- \
		$v add pair 'r/2' peer r3
	expect "invalid peer name: named, the kernel's reason kept" 1 \
		'^vnlctl: peer: not a valid interface name \(Invalid argument\)$' -- \
		$v add pair r2 peer ..
	expect "del of a 17-byte name: named, with the limit" 1 \
		'^vnlctl: name longer than 15 bytes \(Invalid argument\)$' -- \
		$v del abcdefghijklmnopq
	expect "show of a 17-byte name: named, with the limit" 1 \
		'^vnlctl: name longer than 15 bytes \(Invalid argument\)$' -- \
		$v show abcdefghijklmnopq
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
	check "stats: drops of a pair, by reason" matches "$out" \
		'^    drops: peer_down 0 too_big 0 backlog_full 0 unread 0 nomem 0 ring_full 0 xdp_drop 0 xdp_aborted 0 xdp_tx_err 0 xdp_redirect_err 0$'
	expect "-j stats, no traffic: exit 0" 0 '' -- vnlctl -n "$a" -j stats s0
	check "-j stats: every counter, the drops of a pair at 0" json "$out" "
		(.stats | keys) == ($STATS_KEYS + [\"drops\"] | sort) and
		(.stats.drops | keys) == $PAIR_DROPS and all(.stats.drops[]; . == 0)"
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

# attach_queue NS NAME FLAGS OUT: a process in NS, as uid 65534, opens
# /dev/vnl and attaches to NAME with TUNSETIFF (IFF_* FLAGS), then holds the
# file open until it is killed (not for a set time, which a slow guest
# could outlast); "attached" or its error goes to OUT.
attach_queue() {
	ip netns exec "$1" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all python3 -c '
import fcntl, os, signal, struct, sys
TUNSETIFF = 0x400454ca
fd = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", sys.argv[1].encode(), int(sys.argv[2], 0)))
print("attached", flush=True)
signal.pause()
' "$2" "$3" >"$4" 2>&1 &
	bg_pids+=("$!")
}

test_tuntap() {
	local ns="$NS-tun" v="vnlctl -n $NS-tun" file=$tmp/attach pid
	# IFF_TUN | IFF_NO_PI | IFF_PERSIST, as TUNGETIFF would say
	local tun_flags=$((0x0001 | 0x1000 | 0x0800))
	# The owner of p0 is uid 65534, as whom attach_queue runs, and its
	# group gid 65534, by the names this machine gives them (Debian:
	# nobody and nogroup; elsewhere the group may be nobody).
	local uid=65534 gid=65534 user group
	# Ids that no name of this machine has, for "numbers without names".
	local nameless_uid=4000000 nameless_gid=4000001

	user=$(getent passwd $uid | cut -d: -f1)
	group=$(getent group $gid | cut -d: -f1)
	if [[ -z $user || -z $group ]]; then
		skip "tun and tap: no user or group with id 65534 to own a tap"
		return
	fi
	while getent passwd $nameless_uid >/dev/null; do
		nameless_uid=$((nameless_uid + 1))
	done
	while getent group $nameless_gid >/dev/null; do
		nameless_gid=$((nameless_gid + 1))
	done
	netns_new tun

	expect "add tun: exit 0" 0 '' -- $v add tun t0
	check "add tun: prints nothing" test -z "$out"
	check "add tun: in the netns of -n" ip -n "$ns" link show dev t0
	expect "show tun: exit 0" 0 '' -- $v show t0
	check "show tun: first line" matches "$out" \
		'^[0-9]+: t0: kind tun mtu [0-9]+ state down carrier off$'
	check "show tun: no queue, persistent, no pi, no owner" matches "$out" \
		'^    queues 0 persist$'
	check "show tun: no peer line" test "$(grep -c '^    peer' <<<"$out")" -eq 0
	expect "-j show tun: exit 0" 0 '' -- $v -j show t0
	check "-j show tun: every key of tun, peer null" json "$out" "
		.[0] | .kind == \"tun\" and .peer == null and
		(.tun | keys) == [\"flags\", \"group\", \"multi_queue\", \"owner\", \"persist\", \"pi\", \"queues\", \"vnet_hdr\"] and
		.tun.flags == $tun_flags and .tun.pi == false and .tun.persist == true and
		.tun.multi_queue == false and .tun.vnet_hdr == false and .tun.queues == 0 and
		.tun.owner == null and .tun.group == null and
		(.stats.drops | keys) == $TUN_DROPS"
	expect "stats tun: exit 0" 0 '' -- $v stats t0
	check "stats tun: drops of a tun, by reason" matches "$out" \
		'^    drops: too_big 0 no_reader 0 queue_full 0 unread 0 bad_write 0 nomem 0 xdp_drop 0 xdp_aborted 0 xdp_tx_err 0 xdp_redirect_err 0$'

	expect "-j add tap, owner by name, every option: exit 0" 0 '' -- \
		$v -j add tap p0 user "$user" group "$group" pi multi-queue vnet-hdr
	check "-j add tap: the new device" json "$out" "
		.ifname == \"p0\" and .kind == \"tap\" and .peer == null and
		.tun.pi == true and .tun.multi_queue == true and .tun.persist == true and
		.tun.vnet_hdr == true and
		.tun.queues == 0 and .tun.owner == $uid and .tun.group == $gid"
	expect "show tap: exit 0" 0 '' -- $v show p0
	check "show tap: owner and group with their names" matches "$out" \
		"^    queues 0 pi multi-queue vnet-hdr persist owner $uid \\($user\\) group $gid \\($group\\)$"
	check "show tap: an Ethernet address" matches "$out" "^    address $MAC$"

	expect "add tun, owner and group by number: exit 0" 0 '' -- \
		$v add tun t1 user $nameless_uid group $nameless_gid
	expect "show: numbers without names" 0 '' -- $v show t1
	check "show: numbers without names" matches "$out" \
		"^    queues 0 persist owner $nameless_uid group $nameless_gid\$"
	expect "-j add tun with a pattern: the name given" 0 '' -- $v -j add tun 'tq%d'
	check "-j add tun with a pattern: the name given" json "$out" '.ifname == "tq0"'

	expect "show lists tun, tap and their kinds" 0 '' -- $v -j show
	check "show lists tun, tap and their kinds" json "$out" \
		'map(.kind) | sort == ["tap", "tun", "tun", "tun"]'

	if command -v python3 >/dev/null; then
		attach_queue "$ns" p0 $((0x0002 | 0x0100)) "$file"
		pid=${bg_pids[-1]}
		check "a queue attaches, as the owner" wait_for_line "$file" '^attached$'
		expect "show: one queue, carrier on" 0 '' -- $v show p0
		check "show: one queue, carrier on" matches "$out" 'carrier on$'
		check "show: one queue, carrier on" matches "$out" '^    queues 1 pi multi-queue'
		kill "$pid"
		wait "$pid" 2>/dev/null
		expect "-j show: the queue went, the device stays" 0 '' -- $v -j show p0
		check "-j show: the queue went, the device stays" json "$out" \
			'.[0].tun.queues == 0 and .[0].carrier == false'
		# Its TUNSETIFF had no IFF_VNET_HDR: as with tun, that clears it.
		check "-j show: the attach without IFF_VNET_HDR cleared vnet-hdr" json "$out" \
			'.[0].tun.vnet_hdr == false and .[0].tun.multi_queue == true'
	else
		skip "queues: no python3 to attach one"
	fi

	expect "add tun over a tun: refused" 1 '^vnlctl: cannot create t0: File exists$' -- \
		$v add tun t0
	expect "add tap over a tun: refused" 1 '^vnlctl: cannot create t0: File exists$' -- \
		$v add tap t0 pi
	$v add pair x0 peer x1
	expect "add tun over a pair: refused" 1 '^vnlctl: cannot create x1: File exists$' -- \
		$v add tun x1
	expect "add tap over lo: refused" 1 '^vnlctl: cannot create lo: File exists$' -- \
		$v add tap lo
	expect "add tun over a tun: left as it was" 0 '' -- $v -j show t0
	check "add tun over a tun: left as it was" json "$out" ".[0].tun.flags == $tun_flags"
	expect "uid -1 is the kernel's to refuse" 1 \
		'^vnlctl: cannot set the owner of t9: Invalid argument$' -- \
		$v add tun t9 user 4294967295
	expect "a refused owner leaves no device" 1 '\(No such device\)$' -- $v show t9
	expect "unprivileged add tun: EPERM" 1 \
		'^vnlctl: cannot create u0: Operation not permitted$' -- \
		ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all vnlctl add tun u0
	netns_new tun-other
	expect "not in another netns" 1 '\(No such device\)$' -- \
		vnlctl -n "$NS-tun-other" show t0

	expect "del tun: exit 0" 0 '' -- $v del t0
	expect "del tun: gone" 1 '\(No such device\)$' -- $v show t0
	check "del tun: gone for ip too" bash -c "! ip -n '$ns' link show dev t0 2>/dev/null"
	expect "del dev tap: exit 0" 0 '' -- $v del dev p0
	expect "del tap: gone" 1 '\(No such device\)$' -- $v show p0
}

test_macvlan() {
	local ns="$NS-mv" v="vnlctl -n $NS-mv" other="$NS-mv-other" m1=02:00:00:00:00:01

	netns_new mv
	netns_new mv-other
	if ! ip -n "$ns" link add d0 type dummy; then
		not_ok "macvlan: a dummy parent" "ip link add d0 type dummy failed"
		return
	fi
	expect "add macvlan: exit 0" 0 '' -- $v add macvlan m0 parent d0 mode bridge
	check "add macvlan: prints nothing" test -z "$out"
	expect "show macvlan: exit 0" 0 '' -- $v show m0
	check "show macvlan: first line" matches "$out" \
		'^[0-9]+: m0: kind macvlan mtu 1500 state down carrier (on|off)$'
	check "show macvlan: parent, mode, drops and broadcast queue" matches "$out" \
		'^    parent d0 mode bridge bc_drops [0-9]+ bcqueuelen 1000 bcqueuelen_used 1000$'
	check "show macvlan: no source line out of source mode" \
		test "$(grep -c '^    source' <<<"$out")" -eq 0
	expect "-j show macvlan: exit 0" 0 '' -- $v -j show m0
	check "-j show macvlan: every key" json "$out" "
		.[0] | .kind == \"macvlan\" and .parent == \"d0\" and
		.parent_ifindex == $(ip -n "$ns" -j link show d0 | jq '.[0].ifindex') and
		.parent_netnsid == null and .mode == \"bridge\" and
		(.bc_drops | type) == \"number\" and .source == null and
		.bc_queue_len == 1000 and .bc_queue_len_used == 1000 and
		.peer == null and .tun == null and .tap_face == null and
		(.stats.drops | keys) == $MACVLAN_DROPS"
	expect "stats macvlan: exit 0" 0 '' -- $v stats m0
	check "stats macvlan: drops of a macvlan child, by reason" matches "$out" \
		'^    drops: too_big [0-9]+ backlog_full [0-9]+ child_down [0-9]+ mode [0-9]+ parent [0-9]+ nomem [0-9]+$'
	# ip's text and JSON, each read once for the two checks on it.
	local ip_d ip_dj
	ip_d=$(ip -n "$ns" -d link show dev m0)
	ip_dj=$(ip -n "$ns" -d -j link show dev m0)
	check "ip -d link: vnl kind and mode" matches \
		"$ip_d" 'vnl kind macvlan mode bridge'
	check "ip -d -j link: vnl_mode" json "$ip_dj" \
		'.[0].linkinfo.info_data.vnl_kind == "macvlan" and .[0].linkinfo.info_data.vnl_mode == "bridge"'
	check "ip -d link: bcqueuelen and bcqueuelen_used" matches \
		"$ip_d" 'mode bridge bcqueuelen 1000 bcqueuelen_used 1000'
	check "ip -d -j link: vnl_bcqueuelen, vnl_bcqueuelen_used" json \
		"$ip_dj" \
		'.[0].linkinfo.info_data.vnl_bcqueuelen == 1000 and .[0].linkinfo.info_data.vnl_bcqueuelen_used == 1000'
	expect "set bcqueuelen: exit 0, prints nothing" 0 '' -- $v set m0 bcqueuelen 3000
	check "set bcqueuelen: prints nothing" test -z "$out"
	expect "show: the new request, used by the parent" 0 '' -- $v show m0
	check "show: the new request, used by the parent" matches "$out" \
		' bcqueuelen 3000 bcqueuelen_used 3000$'
	expect "bcqueuelen 65536: named, with the policy's range" 1 \
		'^vnlctl: bcqueuelen out of range 0\.\.65535 \(Numerical result out of range\)$' -- \
		$v set m0 mode vepa bcqueuelen 65536
	expect "a refused bcqueuelen changed nothing" 0 '' -- $v -j show m0
	check "a refused bcqueuelen changed nothing" json "$out" \
		'.[0].bc_queue_len == 3000 and .[0].bc_queue_len_used == 3000 and .[0].mode == "bridge"'
	$v add pair pq0 peer pq1
	expect "bcqueuelen of a pair end: refused" 1 \
		'^vnlctl: only macvlan children can be changed \(Operation not supported\)$' -- \
		$v set pq0 bcqueuelen 10
	$v del pq0
	$v set m0 bcqueuelen 1000

	expect "set mode source: exit 0" 0 '' -- $v set m0 mode source
	expect "-j: source mode, an empty list" 0 '' -- $v -j show m0
	check "-j: source mode, an empty list" json "$out" \
		'.[0].mode == "source" and .[0].source == []'
	expect "macaddr add: exit 0" 0 '' -- $v macaddr m0 add $m1 2:0:0:0:0:2 02:00:00:00:00:03
	expect "macaddr del: exit 0" 0 '' -- $v macaddr m0 del 02:00:00:00:00:02
	expect "show: the source line" 0 '' -- $v show m0
	check "show: the source line" matches "$out" \
		"^    source $m1 02:00:00:00:00:03\$"
	expect "macaddr set: exit 0" 0 '' -- $v macaddr m0 set 02:00:00:00:00:09
	expect "-j: the list set" 0 '' -- $v -j show m0
	check "-j: the list set" json "$out" '.[0].source == ["02:00:00:00:00:09"]'
	expect "macaddr set with no MAC: exit 0" 0 '' -- $v macaddr m0 set
	expect "-j: set with no MAC emptied the list" 0 '' -- $v -j show m0
	check "-j: set with no MAC emptied the list" json "$out" '.[0].source == []'
	$v macaddr m0 add $m1
	expect "macaddr flush: exit 0" 0 '' -- $v macaddr m0 flush
	expect "-j: flushed" 0 '' -- $v -j show m0
	check "-j: flushed" json "$out" '.[0].source == []'
	expect "a multicast source MAC: named by its value" 1 \
		'^vnlctl: macaddr 01:00:5e:00:00:01: .+ \(Invalid argument\)$' -- \
		$v macaddr m0 add $m1 01:00:5e:00:00:01
	expect "a refused list changed nothing" 0 '' -- $v -j show m0
	check "a refused list changed nothing" json "$out" '.[0].source == []'
	expect "a missing parent: named" 1 '^vnlctl: parent: .+ \(No such device\)$' -- \
		$v add macvlan m1 parent nosuch
	expect "macaddr of a missing device" 1 '\(No such device\)$' -- \
		$v macaddr nosuch flush

	expect "-j add macvlan, every option: exit 0" 0 '' -- \
		$v -j add macvlan m2 parent d0 mode private address 02:00:00:00:00:42 mtu 1400 \
		bcqueuelen 2000
	check "-j add macvlan: the new child" json "$out" '
		.ifname == "m2" and .mode == "private" and .mtu == 1400 and
		.address == "02:00:00:00:00:42" and .parent == "d0" and
		.bc_queue_len == 2000 and .bc_queue_len_used == 2000'
	expect "-j: its sibling m0 sees d0 use 2000" 0 '' -- $v -j show m0
	check "-j: its sibling m0 sees d0 use 2000" json "$out" \
		'.[0].bc_queue_len == 1000 and .[0].bc_queue_len_used == 2000'
	expect "add macvlan netns NETNS: exit 0" 0 '' -- \
		$v add macvlan m3 parent d0 netns "$other"
	expect "a parent in another netns: ifindex and netnsid" 0 '' -- \
		vnlctl -n "$other" show m3
	check "a parent in another netns: ifindex and netnsid" matches "$out" \
		'^    parent ifindex [0-9]+ netnsid [0-9]+ mode vepa bc_drops [0-9]+ bcqueuelen 1000 bcqueuelen_used 2000$'
	expect "-j: parent_netnsid" 0 '' -- vnlctl -n "$other" -j show m3
	check "-j: parent_netnsid" json "$out" \
		'(.[0].parent_netnsid | type) == "number" and .[0].mode == "vepa"'
	# A tap face: what show says of it before any file attaches (the
	# files' side is selftests/macvtap.sh's).
	expect "add macvlan tap multi-queue: exit 0" 0 '' -- \
		$v add macvlan mt0 parent d0 mode bridge tap multi-queue
	expect "show: a tap face" 0 '' -- $v show mt0
	check "show: no file, no carrier" matches "$out" '^[0-9]+: mt0: kind macvlan .* carrier off$'
	check "show: the tap face's line" matches "$out" '^    tap queues 0 multi-queue$'
	check "show: no tun line beside it" test "$(grep -c '^    queues' <<<"$out")" -eq 0
	expect "-j show: a tap face" 0 '' -- $v -j show mt0
	check "-j show: tap_face, and queues under tun" json "$out" '
		.[0].tap_face == {"flags": 258, "multi_queue": true} and
		.[0].tun.queues == 0 and .[0].tun.owner == null and .[0].tun.group == null and
		.[0].mode == "bridge" and .[0].carrier == false'
	expect "-j add macvlan tap: exit 0" 0 '' -- $v -j add m4 link d0 type macvlan tap
	check "-j add macvlan tap: one queue, IFF_TAP alone" json "$out" '
		.tap_face == {"flags": 2, "multi_queue": false} and .tun.queues == 0'
	expect "show: a single-queue face" 0 '' -- $v show m4
	check "show: a single-queue face" matches "$out" '^    tap queues 0$'
	printf 'add macvlan b0 parent d0\nset b0 mode vepa\nset b0 mode fast\n' >"$tmp/mvbatch"
	expect "-batch: macvlan lines, stops at the bad one" 1 \
		'^vnlctl: line 3: unknown mode "fast"' -- $v -batch "$tmp/mvbatch"
	check "-batch: the lines before it ran" $v show b0
}

# Waits until process PID has entered netns NAME (`ip netns exec` does it
# after the fork).
wait_in_netns() {
	local want end=$((SECONDS + WAIT_LIMIT))

	want=$(stat -L -c %i "/run/netns/$2") || return 1
	until [[ $(stat -L -c %i "/proc/$1/ns/net") == "$want" ]]; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
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

	ip netns exec "$b" sleep 600 &
	pid=$!
	bg_pids+=("$pid")
	check "pid:N: a process in the peer's netns" wait_in_netns "$pid" "$b"
	expect "peer-netns pid:N: exit 0" 0 '' -- \
		vnlctl -n "$a" add pair n6 peer n7 peer-netns "pid:$pid"
	expect "peer-netns pid:N: the peer is there" 0 '' -- vnlctl -n "$b" show n7
	expect "peer-netns of a missing pid: named" 1 \
		'^vnlctl: peer-netns: .+ \(No such process\)$' -- \
		vnlctl -n "$a" add pair n8 peer n9 peer-netns pid:999999
	expect "netns of a missing pid: named" 1 \
		'^vnlctl: netns: .+ \(No such process\)$' -- \
		vnlctl -n "$a" add pair n8 peer n9 netns pid:999999
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
	local end=$((SECONDS + WAIT_LIMIT))

	until grep -Eq -- "$2" "$1"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

test_monitor() {
	local v="vnlctl -n $NS-mon" text=$tmp/monitor.txt js=$tmp/monitor.json

	netns_new mon
	check "monitor: starts listening" monitor_start "$text" -n "$NS-mon"
	check "monitor -j: starts listening" monitor_start "$js" -n "$NS-mon" -j
	netns_new mon-other
	vnlctl -n "$NS-mon-other" add pair o0 peer o1
	$v add tap mt0 pi
	# A tun client attaches to the persistent tap, then closes.
	ip netns exec "$NS-mon" python3 -c 'import fcntl, os, struct
f = os.open("/dev/vnl", os.O_RDWR)
fcntl.ioctl(f, 0x400454ca, struct.pack("16sH22x", b"mt0", 0x0002))  # TUNSETIFF, IFF_TAP'
	$v del mt0
	$v add pair e0 peer e1
	ip -n "$NS-mon" link set dev e0 up
	ip -n "$NS-mon" link set dev e1 up
	$v del e0
	ip -n "$NS-mon" link add md0 type dummy
	$v add macvlan mv0 parent md0
	$v set mv0 mode source
	$v macaddr mv0 add 02:00:00:00:00:01
	$v set mv0 bcqueuelen 77
	check "monitor: new" wait_for_line "$text" \
		'^new [0-9]+: e0: kind pair mtu 1500 state down carrier off address .* peer e1 ifindex [0-9]+$'
	check "monitor: change of carrier" wait_for_line "$text" \
		'^change [0-9]+: e0: .*state up carrier on'
	check "monitor: del" wait_for_line "$text" '^del [0-9]+: e1: '
	check "monitor: new tap, with its queue" wait_for_line "$text" \
		'^new [0-9]+: mt0: kind tap .* queues 1 pi$'
	check "monitor: tap's last file closes: carrier off, no queue" wait_for_line "$text" \
		'^change [0-9]+: mt0: .*carrier off .*queues 0 pi persist$'
	check "monitor: del tap, persistent" wait_for_line "$text" \
		'^del [0-9]+: mt0: kind tap .* queues 0 pi persist$'
	check "monitor: new macvlan" wait_for_line "$text" \
		'^new [0-9]+: mv0: kind macvlan .* parent md0 mode vepa bc_drops [0-9]+ bcqueuelen 1000 bcqueuelen_used 1000$'
	check "monitor: change of mode" wait_for_line "$text" \
		'^change [0-9]+: mv0: kind macvlan .* parent md0 mode source bc_drops [0-9]+ bcqueuelen 1000 bcqueuelen_used 1000$'
	check "monitor: change of source list" wait_for_line "$text" \
		'^change [0-9]+: mv0: .* mode source bc_drops [0-9]+ bcqueuelen 1000 bcqueuelen_used 1000 source 02:00:00:00:00:01$'
	check "monitor: change of broadcast queue length" wait_for_line "$text" \
		'^change [0-9]+: mv0: .* mode source bc_drops [0-9]+ bcqueuelen 77 bcqueuelen_used 77 source 02:00:00:00:00:01$'
	check "monitor -j: del" wait_for_line "$js" '"event":"del","ifname":"e1"'
	check "monitor -j: macvlan change" wait_for_line "$js" \
		'"event":"change","ifname":"mv0",.*"mode":"source".*"source":\["02:00:00:00:00:01"\]'
	check "monitor -j: change of broadcast queue length" wait_for_line "$js" \
		'"event":"change","ifname":"mv0",.*"bc_queue_len":77,"bc_queue_len_used":77,'
	# vnlctl's file: created (new), made persistent, closed; the client's:
	# attached, closed; then deleted.
	check "monitor -j: the tap's events say carrier and queues as files come and go" \
		jq -e -s '[.[] | select(.ifname == "mt0") | [.event, .carrier, .tun.queues]] ==
		[["new", true, 1], ["change", true, 1], ["change", false, 0],
		 ["change", true, 1], ["change", false, 0], ["del", false, 0]]' "$js"
	check "monitor -j: one valid object per line" \
		jq -e -s 'all(.[]; (.event | IN("new", "del", "change")) and has("ifname"))' "$js"
	check "monitor -j: tap events have tun, not peer" jq -e -s '
		[.[] | select(.ifname == "mt0")] | length >= 2 and
		all(.[]; .kind == "tap" and .peer == null and .tun.pi == true)' "$js"
	check "monitor -j: new, change, del of e0" jq -e -s '
		[.[] | select(.ifname == "e0") | .event] as $e |
		($e | index("new")) != null and ($e | index("new")) < ($e | index("change")) and
		($e | index("del")) != null' "$js"
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
	expect "-batch -: its lines ran, spaces and all" 1 '\(No such device\)$' -- \
		$v show b3
	expect "-batch: usage error gives the line" 1 '^vnlctl: line 2: bad mtu "x"$' -- \
		bash -c "printf 'del b4\nadd pair y0 peer y1 mtu x\n' | $v -batch -"
	printf 'add tun bt0\nadd tap bt1 pi multi-queue\ndel bt0\nadd tap bt1\nadd tun bt2\n' >"$file"
	expect "-batch: add tun and tap, stops at the first failure" 1 \
		'^vnlctl: line 4: cannot create bt1: File exists$' -- $v -batch "$file"
	expect "-batch: the tap is there, the tun was deleted" 0 '' -- $v -j show
	check "-batch: the tap is there, the tun was deleted" json "$out" '
		map(select(.kind != "pair")) | length == 1 and .[0].ifname == "bt1" and
		.[0].tun.pi == true and .[0].tun.multi_queue == true'
	expect "-j -batch: a JSON array per line of the batch" 0 '' -- \
		bash -c "printf 'show b5\nshow b6\n' | $v -j -batch -"
	check "-j -batch: a JSON array per line of the batch" \
		json "$(jq -c -s . <<<"$out" 2>/dev/null)" \
		'length == 2 and all(.[]; length == 1) and map(.[0].ifname) == ["b5", "b6"]'
}

PARTS=(version add_show refusals stats netns tuntap macvlan monitor batch)
for part in "${@:-${PARTS[@]}}"; do
	if [[ " ${PARTS[*]} " != *" $part "* ]]; then
		echo "guest.sh: no part named '$part' (parts: ${PARTS[*]})" >&2
		exit 2
	fi
	"test_$part"
done
summary
