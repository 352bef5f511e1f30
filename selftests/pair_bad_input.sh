#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every kind of bad input to `vnlctl add/del/show/stats`: each is refused
# with a message that says what is wrong, the right exit status (1 when the
# kernel or the system refuses, 2 for a command line that does not parse),
# and nothing is created or left behind: `ip link` is the same afterwards.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd jq setpriv

setup_ns N M
NOSUCH=nosuch-$$-$RANDOM

# Taken names: t0/t1 in N, m0/m1 in M.
vnlctl -n "$N" add pair t0 peer t1 || { echo "FAIL: cannot create t0/t1"; exit 1; }
vnlctl -n "$M" add pair m0 peer m1 || { echo "FAIL: cannot create m0/m1"; exit 1; }
n_links=$(link_names "$N")
m_links=$(link_names "$M")
init_links=$(link_names)

# check_refused DESCRIPTION RC REGEX COMMAND...: COMMAND exits RC with a
# message matching REGEX (case-insensitive) on stderr, and the links of N
# are the same afterwards (and those of M, and of the init netns, when the
# command names them: WATCH="N M init").
WATCH="N"
check_refused() {
	local desc=$1 want_rc=$2 regex=$3 err rc problems=() w
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	((rc == want_rc)) || problems+=("exit $rc, expected $want_rc")
	[[ ${err,,} =~ ${regex,,} ]] || problems+=("stderr does not match /$regex/")
	for w in $WATCH; do
		case $w in
		N) [[ $(link_names "$N") == "$n_links" ]] ||
			problems+=("links of N changed: $(link_names "$N" | tr '\n' ' ')") ;;
		M) [[ $(link_names "$M") == "$m_links" ]] ||
			problems+=("links of M changed: $(link_names "$M" | tr '\n' ' ')") ;;
		init) [[ $(link_names) == "$init_links" ]] ||
			problems+=("links of the init netns changed: $(link_names | tr '\n' ' ')") ;;
		esac
	done
	if ((${#problems[@]} == 0)); then
		check_pass "$desc"
		return 0
	fi
	check_fail "$desc" "command: $*" "${problems[@]}" "stderr: ${err//$'\n'/$'\n    '}"
	# Put things back, so that one failure does not fail every later check.
	ip -n "$N" link del q0 2>/dev/null
	ip -n "$N" link del q1 2>/dev/null
	n_links=$(link_names "$N")
	m_links=$(link_names "$M")
	init_links=$(link_names)
	return 1
}

# check_accepted DESCRIPTION NAME COMMAND...: COMMAND creates NAME in N;
# deleted again afterwards.  The controls that show the limits are not
# stricter than they should be.
check_accepted() {
	local desc=$1 name=$2 out
	shift 2
	if out=$("$@" 2>&1) && link_exists -n "$N" "$name"; then
		check_pass "$desc"
	else
		check_fail "$desc" "command: $*" "output: $out"
	fi
	ip -n "$N" link del "$name" 2>/dev/null
	return 0
}

v=(vnlctl -n "$N")

# --- names ------------------------------------------------------------------------------

check_refused "name of 16 characters: refused, says the name is too long" 1 'name|long|IFNAMSIZ' \
	"${v[@]}" add pair abcdefghijklmnop peer q1
check_refused "peer name of 16 characters: refused, says the name is too long" 1 'name|long|IFNAMSIZ' \
	"${v[@]}" add pair q0 peer abcdefghijklmnop
check_accepted "name of 15 characters: accepted" abcdefghijklmno \
	"${v[@]}" add pair abcdefghijklmno peer q1
check_refused "empty name: refused" 1 'name' "${v[@]}" add pair "" peer q1
check_refused "empty peer name: refused" 1 'name' "${v[@]}" add pair q0 peer ""
check_refused "name \"a/b\": refused as invalid" 1 'valid.*name|name.*valid' "${v[@]}" add pair a/b peer q1
check_refused "name \"a b\": refused as invalid" 1 'valid.*name|name.*valid' "${v[@]}" add pair "a b" peer q1
check_refused "peer name \"q/1\": refused as invalid" 1 'valid.*name|name.*valid' "${v[@]}" add pair q0 peer q/1
check_refused "name \".\": refused as invalid" 1 'valid.*name|name.*valid' "${v[@]}" add pair . peer q1
check_refused "name taken by a vnl device (t0): EEXIST" 1 'File exists' "${v[@]}" add pair t0 peer q1
check_refused "peer name taken by a vnl device (t1): EEXIST" 1 'File exists' "${v[@]}" add pair q0 peer t1
check_refused "name taken by lo: EEXIST" 1 'File exists' "${v[@]}" add pair lo peer q1
WATCH="N M"
check_refused "peer name taken in the peer's netns (m1 in M): EEXIST" 1 'File exists' \
	"${v[@]}" add pair q0 peer m1 peer-netns "$M"
WATCH="N"
check_refused "peer name equal to the name, same netns: EINVAL" 1 'Invalid argument' \
	"${v[@]}" add pair q0 peer q0
check_accepted "peer name equal to the name, other netns: accepted" q0 \
	"${v[@]}" add pair q0 peer q0 peer-netns "$M"
check "... and deleting it took the end in M too" link_absent -n "$M" q0

# --- namespaces ---------------------------------------------------------------------------

check_refused "unknown peer-netns: refused, names it" 1 "$NOSUCH" \
	"${v[@]}" add pair q0 peer q1 peer-netns "$NOSUCH"
check_refused "unknown netns: refused, names it" 1 "$NOSUCH" \
	"${v[@]}" add pair q0 peer q1 netns "$NOSUCH"
check_refused "unknown -n NETNS: refused, names it" 1 "$NOSUCH" vnlctl -n "$NOSUCH" show

# --- MTU -----------------------------------------------------------------------------------

check_refused "mtu 10: refused as out of range" 1 'range|mtu' "${v[@]}" add pair q0 peer q1 mtu 10
check_refused "mtu 67: refused as out of range" 1 'range|mtu' "${v[@]}" add pair q0 peer q1 mtu 67
check_refused "mtu 65536: refused as out of range" 1 'range|mtu' "${v[@]}" add pair q0 peer q1 mtu 65536
check_refused "mtu 70000: refused as out of range" 1 'range|mtu' "${v[@]}" add pair q0 peer q1 mtu 70000
check_accepted "mtu 68: accepted" q0 "${v[@]}" add pair q0 peer q1 mtu 68
check_accepted "mtu 65535: accepted" q0 "${v[@]}" add pair q0 peer q1 mtu 65535

# --- MAC addresses -------------------------------------------------------------------------

check_refused "zero address: refused" 1 'unicast|zero|address' \
	"${v[@]}" add pair q0 peer q1 address 00:00:00:00:00:00
check_refused "zero peer-address: refused" 1 'unicast|zero|address' \
	"${v[@]}" add pair q0 peer q1 peer-address 00:00:00:00:00:00
check_refused "multicast address: refused" 1 'unicast|multicast|address' \
	"${v[@]}" add pair q0 peer q1 address 01:00:5e:00:00:01
check_refused "broadcast peer-address: refused" 1 'unicast|multicast|broadcast|address' \
	"${v[@]}" add pair q0 peer q1 peer-address ff:ff:ff:ff:ff:ff
for mac in zz 02:00:00:00:00 02:00:00:00:00:00:01 02:00:00:00:00:0g 0200.0000.0001 ""; do
	check_refused "malformed address \"$mac\": usage error" 2 'address|MAC' \
		"${v[@]}" add pair q0 peer q1 address "$mac"
done
check_refused "malformed peer-address: usage error" 2 'address|MAC' \
	"${v[@]}" add pair q0 peer q1 peer-address 02:00:00:00:00:xx
check_accepted "unicast address 02:00:00:00:00:01: accepted" q0 \
	"${v[@]}" add pair q0 peer q1 address 02:00:00:00:00:01

# --- devices that are not there (or not vnl) --------------------------------------------------

check_refused "del of an unknown device: ENODEV" 1 'No such device' "${v[@]}" del q0
check_refused "show of an unknown device: ENODEV" 1 'No such device' "${v[@]}" show q0
check_refused "stats of an unknown device: ENODEV" 1 'No such device' "${v[@]}" stats q0
check_refused "del lo (no vnl device): ENODEV" 1 'No such device|not a vnl' "${v[@]}" del lo
check_refused "del m0 from N (it lives in M): ENODEV" 1 'No such device' "${v[@]}" del m0

# --- callers without CAP_NET_ADMIN ------------------------------------------------------------

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
vnlctl add pair ui0 peer ui1
init_links=$(link_names)
WATCH="init"
check_refused "add as uid 65534: EPERM" 1 'Operation not permitted' \
	"${nobody[@]}" vnlctl add pair q0 peer q1
check_refused "del as uid 65534: EPERM" 1 'Operation not permitted' \
	"${nobody[@]}" vnlctl del ui0
check "show as uid 65534: allowed" "${nobody[@]}" vnlctl show ui0
check "stats as uid 65534: allowed" "${nobody[@]}" vnlctl stats ui0
check "version as uid 65534: allowed" "${nobody[@]}" vnlctl version
vnlctl del ui0

# Nothing was left anywhere.
check_eq "M has only what it had" "$m_links" "$(link_names "$M")"
check_eq "N has only what it had" "$n_links" "$(link_names "$N")"

exit_status
