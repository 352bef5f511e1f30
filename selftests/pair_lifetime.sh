#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How a pair lives and dies, as `ip link` shows it.  The two ends come and
# go together: deleting either end (with vnlctl or with `ip link del`)
# deletes both, deleting a netns deletes the pairs with an end in it (the
# end in the other netns too), and unloading vnl.ko deletes every vnl
# device.  `ip link` names an end NAME@PEER, or NAME@ifN with link-netns
# when the peer is in another netns, and `ip -d link` shows the kind
# "vnl".  A pair made by `ip link add ... type vnl` lives the same way.

source "$(dirname "$0")/lib.sh"

require_vnl

setup_ns A B

# --- how ip link shows a pair ---------------------------------------------------

check "vnlctl add pair la peer lb (both in A)" vnlctl -n "$A" add pair la peer lb
check_match "ip link shows la@lb" '^[0-9]+: la@lb: ' "$(ip -n "$A" -o link show la)"
check_match "ip link shows lb@la" '^[0-9]+: lb@la: ' "$(ip -n "$A" -o link show lb)"
check_match "ip -d -j link: la's info_kind is vnl" '"info_kind":"vnl"' \
	"$(ip -n "$A" -d -j link show la)"
check_match "ip -d link show la names the kind vnl" '(^|[[:space:]])vnl([[:space:]]|$)' \
	"$(ip -n "$A" -d link show la)"
# tools/iplink's plugin (IP_LIB_DIR, set by the VM runner) reads the kind
# from IFLA_INFO_DATA.
check_match "ip -d link show la names the vnl kind: pair" 'vnl kind pair' \
	"$(ip -n "$A" -d link show la)"
check_match "ip -d -j link: la's vnl_kind is pair" '"vnl_kind":"pair"' \
	"$(ip -n "$A" -d -j link show la)"

check "vnlctl add pair xa peer xb (xa in A, xb in B)" \
	vnlctl add pair xa peer xb netns "$A" peer-netns "$B"
xa_idx=$(ip -n "$A" -o link show xa | cut -d: -f1)
xb_idx=$(ip -n "$B" -o link show xb | cut -d: -f1)
check_match "ip link shows xa@if<xb's ifindex> link-netns B" \
	"^$xa_idx: xa@if$xb_idx: .* link-netns $B( |\$)" "$(ip -n "$A" -o link show xa)"
check_match "ip link shows xb@if<xa's ifindex> link-netns A" \
	"^$xb_idx: xb@if$xa_idx: .* link-netns $A( |\$)" "$(ip -n "$B" -o link show xb)"

# --- deleting one end deletes both ------------------------------------------------

check "vnlctl del la" vnlctl -n "$A" del la
check "vnlctl del la: la is gone" link_absent -n "$A" la
check "vnlctl del la: lb is gone" link_absent -n "$A" lb

vnlctl -n "$A" add pair la peer lb
check "ip link del lb (the peer end)" ip -n "$A" link del lb
check "ip link del lb: la is gone" link_absent -n "$A" la
check "ip link del lb: lb is gone" link_absent -n "$A" lb

vnlctl -n "$A" add pair la peer lb
check "ip link del la" ip -n "$A" link del la
check "ip link del la: lb is gone" link_absent -n "$A" lb

check "vnlctl del xb (in B)" vnlctl -n "$B" del xb
check "vnlctl del xb: xa is gone from A" link_absent -n "$A" xa
check "vnlctl del xb: xb is gone from B" link_absent -n "$B" xb

vnlctl add pair xa peer xb netns "$A" peer-netns "$B"
check "ip link del xa (in A)" ip -n "$A" link del xa
check "ip link del xa: xb is gone from B" link_absent -n "$B" xb
check_match "vnlctl -j show: nothing left in A" '^\[[[:space:]]*\]$' "$(vnlctl -n "$A" -j show)"
check_match "vnlctl -j show: nothing left in B" '^\[[[:space:]]*\]$' "$(vnlctl -n "$B" -j show)"

# --- deleting a netns ---------------------------------------------------------------

setup_ns C
vnlctl add pair ya peer yc netns "$A" peer-netns "$C"
vnlctl add pair za peer zc netns "$C" peer-netns "$A"
vnlctl -n "$C" add pair cc0 peer cc1
cleanup_ns "$C"
# The netns goes away in a workqueue: its devices some time later.
check "ip netns del C: ya (peer was in C) is gone from A" wait_until 60 link_absent -n "$A" ya
check "ip netns del C: zc (peer was in C) is gone from A" wait_until 60 link_absent -n "$A" zc
check_eq "ip netns del C: A has only lo" "lo" "$(link_names "$A")"

# --- a pair made by ip link add ---------------------------------------------------------

check "ip link add ia type vnl kind pair peer ib" \
	ip -n "$A" link add ia type vnl kind pair peer ib
check_match "ip link shows ia@ib" '^[0-9]+: ia@ib: ' "$(ip -n "$A" -o link show ia)"
check "vnlctl del ib" vnlctl -n "$A" del ib
check "vnlctl del ib: ia is gone" link_absent -n "$A" ia
check_eq "vnlctl del ib: A has only lo" "lo" "$(link_names "$A")"

# --- unloading the module -----------------------------------------------------------

if in_guest_with_module; then
	init_before=$(link_names)
	setup_ns D
	vnlctl add pair ma peer mb
	vnlctl add pair na peer nd peer-netns "$D"
	vnlctl add pair pa peer pd netns "$A" peer-netns "$D"
	vnlctl -n "$D" add pair dd0 peer dd1
	wait_module_idle
	check "rmmod vnl with pairs in three netns" rmmod vnl
	check_eq "rmmod vnl: init netns back to what it was" "$init_before" "$(link_names)"
	check_eq "rmmod vnl: A has only lo" "lo" "$(link_names "$A")"
	check_eq "rmmod vnl: D has only lo" "lo" "$(link_names "$D")"
	check "insmod vnl.ko again" insmod "$VNL_KO"
	check "vnlctl works again" vnlctl -n "$A" add pair la peer lb
else
	check_skip "rmmod vnl removes every vnl device" \
		"unloads vnl.ko: only in a tools/vm/run guest (VNL_GUEST=1, VNL_KO set)"
fi

cleanup() { vnl_reload; }

exit_status
