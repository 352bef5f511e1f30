#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl as a command line: help for every subcommand, exit status 2 for
# every command line that does not parse (and nothing sent), `version`
# printing the tool's and the module's versions, -batch stopping at the
# first failing line and naming it, and, with vnl.ko unloaded, every
# subcommand that needs it saying "vnl module not loaded" with exit 1.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd jq timeout

SUBCOMMANDS=(add del set macaddr show stats monitor version help)

# --- help ---------------------------------------------------------------------------------

out=$(vnlctl help)
check_eq "vnlctl help: exit 0" 0 $?
missing=()
for sub in "${SUBCOMMANDS[@]}"; do
	[[ $out =~ (^|$'\n')[[:space:]]+$sub[[:space:]] ]] || missing+=("$sub")
done
check_eq "vnlctl help lists every subcommand" "" "${missing[*]}"
check_match "vnlctl --help prints the same" "Usage:" "$(vnlctl --help)"

for sub in "${SUBCOMMANDS[@]}"; do
	out=$(vnlctl "$sub" --help 2>&1)
	rc=$?
	if ((rc == 0)) && [[ $out =~ Usage:.*vnlctl.*\ $sub ]]; then
		check_pass "vnlctl $sub --help: usage of $sub, exit 0"
	else
		check_fail "vnlctl $sub --help: usage of $sub, exit 0" "exit $rc" "output: $out"
	fi
done
check_match "vnlctl help add: usage of add" "Usage:.*vnlctl.* add pair NAME peer PEER" "$(vnlctl help add)"
check_match "vnlctl help add: add macvlan" "vnlctl.* add macvlan NAME parent DEV" "$(vnlctl help add)"
check_match "vnlctl help add: macvlan's bcqueuelen" "\[bcqueuelen N\]" "$(vnlctl help add)"
check_match "vnlctl help set: mode and bcqueuelen" "vnlctl.* set NAME \[mode MODE\] \[bcqueuelen N\]" \
	"$(vnlctl help set)"

# --- usage errors ---------------------------------------------------------------------------

setup_ns N
before=$(link_names "$N")
usage_error() {
	local desc="usage error, exit 2: vnlctl $*" err out rc
	err=$(vnlctl "$@" 2>&1 >"$TEST_TMP/stdout" </dev/null)
	rc=$?
	out=$(<"$TEST_TMP/stdout")
	if ((rc == 2)) && [[ -n $err ]]; then
		check_pass "$desc"
	else
		check_fail "$desc" "exit $rc, stderr: $err" "stdout: $out"
	fi
}
usage_error
usage_error frobnicate
usage_error -x show
usage_error -n
usage_error -n "$N"
usage_error -n "$N" add
usage_error -n "$N" add pair
usage_error -n "$N" add pair q0
usage_error -n "$N" add pair q0 peer
usage_error -n "$N" add tunnel q0 peer q1
usage_error -n "$N" add pair q0 peer q1 mtu
usage_error -n "$N" add pair q0 peer q1 mtu abc
usage_error -n "$N" add pair q0 peer q1 mtu -5
usage_error -n "$N" add pair q0 peer q1 address
usage_error -n "$N" add pair q0 peer q1 peer-netns
usage_error -n "$N" add pair q0 peer q1 colour blue
usage_error -n "$N" add macvlan q0
usage_error -n "$N" add macvlan q0 mode bridge
usage_error -n "$N" add macvlan q0 parent
usage_error -n "$N" add macvlan q0 parent lo mode bogus
usage_error -n "$N" add macvlan q0 parent lo address 02:00:00:00:00
usage_error -n "$N" add macvlan q0 parent lo peer q1
usage_error -n "$N" add macvlan q0 parent lo bcqueuelen
usage_error -n "$N" add macvlan q0 parent lo bcqueuelen many
usage_error -n "$N" add macvlan q0 parent lo bcqueuelen -1
usage_error -n "$N" add macvlan q0 parent lo bcqueuelen 4294967296
usage_error -n "$N" add macvlan q0 parent lo bcqueuelen 10 bcqueuelen 20
usage_error -n "$N" add pair q0 peer q1 bcqueuelen 10
usage_error -n "$N" add tun q0 bcqueuelen 10
usage_error -n "$N" set
usage_error -n "$N" set q0
usage_error -n "$N" set q0 mode
usage_error -n "$N" set q0 mode bogus
usage_error -n "$N" set q0 bcqueuelen
usage_error -n "$N" set q0 bcqueuelen 0x10
usage_error -n "$N" set q0 bcqueuelen 10 bcqueuelen 20
usage_error -n "$N" set q0 bcqueuelen 10 mtu 1400
usage_error -n "$N" macaddr q0
usage_error -n "$N" macaddr q0 add
usage_error -n "$N" macaddr q0 del
usage_error -n "$N" macaddr q0 add zz
usage_error -n "$N" macaddr q0 set 02:00:00:00:00:01 02:00:00:00:01
usage_error -n "$N" macaddr q0 flush 02:00:00:00:00:01
usage_error -n "$N" macaddr q0 replace 02:00:00:00:00:01
usage_error -n "$N" del
usage_error -n "$N" del q0 q1
usage_error -n "$N" show q0 q1
usage_error -n "$N" stats
usage_error -n "$N" stats q0 q1
usage_error monitor extra
usage_error version extra
usage_error help frobnicate
usage_error -batch
usage_error -batch /dev/null show
check_eq "usage errors created nothing" "$before" "$(link_names "$N")"

# --- version ---------------------------------------------------------------------------------

module_version=$(</sys/module/vnl/version)
out=$(vnlctl version)
check_eq "vnlctl version: exit 0" 0 $?
nl=$'\n'
check_match "vnlctl version: the tool's version" "(^|$nl)vnlctl [0-9]+\.[0-9]+" "$out"
check_match "vnlctl version: the module's version, as /sys/module/vnl/version says" \
	"(^|$nl)vnl module ${module_version//./\\.}( |$)" "$out"
check_eq "vnlctl -j version: the module's version" "$module_version" \
	"$(vnlctl -j version | jq -r .module)"

# --- -j show NAME lists the one device -------------------------------------------------------

vnlctl -n "$N" add pair j0 peer j1
check_eq "vnlctl -j show j0: one device, j0, with every key" \
	"j0 1 true" \
	"$(vnlctl -n "$N" -j show j0 | jq -r '[if type == "array" then .[] else . end] |
		"\(.[0].ifname) \(length) \(.[0] | has("ifname") and has("ifindex") and has("kind") and
		has("mtu") and has("address") and has("up") and has("carrier") and has("peer") and
		has("stats") and (.peer | has("ifname") and has("ifindex") and has("netnsid") and
		has("netns")) and (.stats | has("rx_packets") and has("rx_bytes") and
		has("tx_packets") and has("tx_bytes") and has("rx_drops") and has("tx_drops")))"')"
vnlctl -n "$N" del j0

# --- ip's words: the devices they make -------------------------------------------------------

# ipw_show NAME JQ: `vnlctl -j show NAME` in $N, and the filter on its one device.
ipw_show() {
	vnlctl -n "$N" -j show "$1" | jq -e ".[0] | $2" >/dev/null
}
ipw_add() {
	check "vnlctl add $*" vnlctl -n "$N" add "$@"
}
setup_ns P
ip -n "$N" link add d0 type dummy
ipw_add w0 type veth peer name w1
check "type veth peer name: a pair, w0 with peer w1" ipw_show w0 '.kind == "pair" and .peer.ifname == "w1"'
check "type veth peer name: w1 with peer w0" ipw_show w1 '.kind == "pair" and .peer.ifname == "w0"'
ipw_add pair w2 peer name w3
check "pair peer name: a pair, peer w3" ipw_show w2 '.kind == "pair" and .peer.ifname == "w3"'
ipw_add w4 type veth peer name w5 netns "$P" address 02:00:00:00:00:55
check "peer name then netns: the peer in that netns" \
	bash -c "vnlctl -n '$P' -j show w5 | jq -e '.[0].kind == \"pair\" and .[0].address == \"02:00:00:00:00:55\" and .[0].peer.netnsid != null'"
check "peer name then netns: w4 stays here, peer in another netns" \
	ipw_show w4 '.peer.netnsid != null and .address != "02:00:00:00:00:55"'
ipw_add pair w6 peer w7 netns "$P"
check "peer PEER then netns: the pair goes there, as before" \
	bash -c "vnlctl -n '$P' -j show w6 | jq -e '.[0].kind == \"pair\" and .[0].peer.ifname == \"w7\" and .[0].peer.netnsid == null'"
ipw_add dev tp0 mode tap
check "dev mode tap: a tap" ipw_show tp0 '.kind == "tap" and .tun.multi_queue == false'
ipw_add tap dev tp1
check "tap dev: a tap" ipw_show tp1 '.kind == "tap"'
ipw_add dev tn0 mode tun multi_queue pi
check "dev mode tun multi_queue pi: a multi-queue tun with pi" \
	ipw_show tn0 '.kind == "tun" and .tun.multi_queue == true and .tun.pi == true'
ipw_add dev tp2 mode tap vnet_hdr
check "dev mode tap vnet_hdr: vnlctl shows vnet_hdr" ipw_show tp2 '.tun.vnet_hdr == true'
check "dev mode tap vnet_hdr: the device keeps IFF_VNET_HDR (sysfs tun_flags)" \
	test $(($(ip netns exec "$N" cat /sys/class/net/tp2/tun_flags) & 0x4000)) -ne 0
ipw_add link d0 name mv0 type macvlan mode bridge
check "link name type macvlan mode bridge: a child of d0 in bridge mode" \
	ipw_show mv0 '.kind == "macvlan" and .parent == "d0" and .mode == "bridge"'
ipw_add mv1 link d0 type macvlan mode private
check "NAME link type macvlan mode private: a child of d0 in private mode" \
	ipw_show mv1 '.kind == "macvlan" and .parent == "d0" and .mode == "private"'
usage_error -n "$N" add dev mvx mode tap type macvlan
usage_error -n "$N" add link d0 name mvx type macvlan mode tap
usage_error -n "$N" add mvx type veth peer name
check_not "usage errors of ip's words made nothing" ip -n "$N" link show dev mvx

# --- JSON keys, per kind, as Documentation/vnlctl.md lists them -----------------------------

KEYS_COMMON='"address","bc_drops","bc_queue_len","bc_queue_len_used","carrier","ifindex","ifname","kind","mode","mtu","parent","parent_ifindex","parent_netnsid","peer","source","stats","tap_face","tun","up"'
STATS_KEYS='"drops","rx_bytes","rx_drops","rx_packets","tx_bytes","tx_drops","tx_packets"'
json_keys() {
	local dev=$1 drops=$2 peer=$3 tun=$4
	vnlctl -n "$N" -j show "$dev" | jq -e ".[0] | (keys == [$KEYS_COMMON]) and
		(.stats | keys == [$STATS_KEYS]) and (.stats.drops | keys == [$drops]) and
		((.peer | if . == null then null else keys end) == $peer) and
		((.tun | if . == null then null else keys end) == $tun)" >/dev/null &&
	vnlctl -n "$N" -j stats "$dev" | jq -e "(keys == [\"ifindex\",\"ifname\",\"stats\"]) and
		(.stats | keys == [$STATS_KEYS]) and (.stats.drops | keys == [$drops])" >/dev/null
}
TUN_KEYS='["flags","group","multi_queue","owner","persist","pi","queues","vnet_hdr"]'
check "-j show and stats keys: pair" json_keys w0 '"backlog_full","nomem","peer_down","ring_full","too_big","unread","xdp_aborted","xdp_drop","xdp_redirect_err","xdp_tx_err"' \
	'["ifindex","ifname","netns","netnsid"]' null
check "-j show and stats keys: tap" json_keys tp0 \
	'"bad_write","no_reader","nomem","queue_full","too_big","unread","xdp_aborted","xdp_drop","xdp_redirect_err","xdp_tx_err"' null "$TUN_KEYS"
check "-j show and stats keys: tun" json_keys tn0 \
	'"bad_write","no_reader","nomem","queue_full","too_big","unread","xdp_aborted","xdp_drop","xdp_redirect_err","xdp_tx_err"' null "$TUN_KEYS"
check "-j show and stats keys: macvlan" json_keys mv0 \
	'"backlog_full","child_down","mode","nomem","parent","too_big"' null null
for dev in w0 w2 w4 tp0 tp1 tp2 tn0 mv0 mv1; do
	vnlctl -n "$N" del "$dev"
done
vnlctl -n "$P" del w6
ip -n "$N" link del d0

# --- -V with the module loaded ---------------------------------------------------------------

out=$(vnlctl -V)
check_eq "vnlctl -V: exit 0" 0 $?
check_match "vnlctl -V: the module's version" \
	"(^|$nl)vnl module ${module_version//./\\.} \(genl family vnl version 1\)$" "$out"
check_eq "vnlctl -j -V: the module's version" "$module_version" "$(vnlctl -j -V | jq -r .module)"

# --- batch -------------------------------------------------------------------------------------

printf '%s\n' "# a comment" "" "add pair b0 peer b1" "add pair b2 peer b2" "add pair b3 peer b4" \
	>"$TEST_TMP/batch"
err=$(vnlctl -n "$N" -batch "$TEST_TMP/batch" 2>&1 >/dev/null)
rc=$?
check_eq "-batch with a failing 4th line: exit 1" 1 "$rc"
check_match "-batch names the failing line" 'line 4' "$err"
check "-batch ran the lines before it" link_exists -n "$N" b0
check "-batch stopped at it" link_absent -n "$N" b3
printf '%s\n' "add pair b5 peer b6" "add pair b7" "add pair b8 peer b9" >"$TEST_TMP/batch2"
err=$(vnlctl -n "$N" -batch "$TEST_TMP/batch2" 2>&1 >/dev/null)
rc=$?
check_match "-batch with a usage error on line 2: fails, names line 2" 'line 2' "$err"
check "-batch: not 0 for a usage error" test "$rc" -ne 0
check "-batch stopped at the usage error" link_absent -n "$N" b8
check "-batch - reads stdin" sh -c "printf 'del b0\ndel b5\n' | vnlctl -n '$N' -batch -"
check "-batch -: its lines ran" link_absent -n "$N" b0

# --- the module not loaded -----------------------------------------------------------------------

if in_guest_with_module; then
	wait_module_idle
	if check "rmmod vnl" rmmod vnl; then
		not_loaded() {
			local desc="module absent: vnlctl $*: \"vnl module not loaded\", exit 1" err rc
			err=$(timeout 20 vnlctl "$@" 2>&1 >/dev/null </dev/null)
			rc=$?
			if ((rc == 1)) && [[ $err == *"vnl module not loaded"* ]]; then
				check_pass "$desc"
			else
				check_fail "$desc" "exit $rc, stderr: $err"
			fi
		}
		not_loaded show
		not_loaded -j show
		not_loaded add pair q0 peer q1
		not_loaded add macvlan q0 parent lo
		not_loaded set q0 mode bridge
		not_loaded set q0 bcqueuelen 0
		not_loaded add macvlan q0 parent lo bcqueuelen 10
		not_loaded macaddr q0 flush
		not_loaded del q0
		not_loaded stats q0
		not_loaded monitor
		not_loaded version
		not_loaded -n "$N" show
		check_match "module absent: vnlctl version still prints its own version" \
			'^vnlctl [0-9]' "$(vnlctl version 2>/dev/null)"
		check "module absent: vnlctl help works" vnlctl help
		out=$(vnlctl -V 2>&1)
		check_eq "module absent: vnlctl -V exits 0" 0 $?
		check_match "module absent: vnlctl -V says so" \
			"^vnlctl [0-9.]+"$'\n'"vnl module not loaded$" "$out"
		check_eq "module absent: vnlctl -j -V: module null" null \
			"$(vnlctl -j -V | jq -c .module)"
	fi
	check "insmod vnl.ko again" insmod "$VNL_KO"
	check "vnlctl works again" vnlctl version
else
	check_skip "module absent: vnl module not loaded" \
		"unloads vnl.ko: only in a tools/vm/run guest (VNL_GUEST=1, VNL_KO set)"
fi

cleanup() { vnl_reload; }

exit_status
