#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnl macvlan children and network namespaces: a child made with `netns X`
# lives in X (and only there) and reaches the outside through its parent in
# HOST; a child moved with `ip link set ... netns` keeps working, its mode
# and MAC, and can move again; vnlctl in the child's netns names the
# parent and says it lives elsewhere.  Deleting the child's netns deletes
# the child (its MAC is free on the parent again; nothing lands in the init
# netns); deleting the parent, or the parent's netns, deletes the children
# in every other netns.
#
#   ns X: m0 10.80.0.1, ns Y then Z: m1 10.80.0.2, ns HOST: m2 10.80.0.3
#   parent p0 (ns HOST) <-veth-> o0 -- br0 10.80.0.254/24 (ns OUT)

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd jq

MAC0=02:00:00:80:00:01
MAC1=02:00:00:80:00:02
OUT_IP=10.80.0.254

setup_ns HOST OUT X Y Z
no_ipv6 "$HOST" "$OUT" "$X" "$Y" "$Z"
mv_wire "$HOST" "$OUT" off || { echo "FAIL: cannot build the wire"; exit 1; }
ip -n "$OUT" addr add "$OUT_IP/24" dev br0
init_links=$(link_names)
p0_index=$(ip -n "$HOST" -o link show dev p0 | cut -d: -f1)

# --- made in another netns -------------------------------------------------------

check "vnlctl -n HOST add macvlan m0 parent p0 netns X" \
	vnlctl -n "$HOST" add macvlan m0 parent p0 address "$MAC0" netns "$X" || exit_status
check "m0 is in X" link_exists -n "$X" m0
check "m0 is not in HOST" link_absent -n "$HOST" m0
check_eq "m0 has the address asked for" "$MAC0" "$(mac_of "$X" m0)"
json=$(vnlctl -n "$X" -j show m0)
check_eq "vnlctl -n X show m0: kind macvlan" macvlan "$(json_get "$json" kind)"
check_eq "... parent p0 (by name)" p0 "$(json_get "$json" parent)"
check_eq "... parent's ifindex" "$p0_index" "$(json_get "$json" parent_ifindex)"
check_match "... parent_netnsid: the parent lives in another netns" '^-?[0-9]+$' \
	"$(json_get "$json" parent_netnsid)"
check_match "vnlctl -n X show m0 (text): parent ifindex and netnsid" \
	"parent ifindex $p0_index netnsid -?[0-9]+ mode vepa" "$(vnlctl -n "$X" show m0)"
mv_ip "$X" m0 10.80.0.1/24
check "m0 has carrier" wait_until 10 has_flag "$X" m0 LOWER_UP
check_eq "m0 (in X) pings the outside" yes "$(reach "$X" "$OUT_IP")"

# --- moved with ip link set netns ----------------------------------------------------

check "vnlctl -n HOST add macvlan m1 parent p0 mode bridge (in HOST)" \
	vnlctl -n "$HOST" add macvlan m1 parent p0 mode bridge address "$MAC1" || exit_status
json=$(vnlctl -n "$HOST" -j show m1)
check_eq "in HOST, m1's parent is p0, in the same netns" "p0 null" \
	"$(json_get "$json" parent) $(json_get "$json" parent_netnsid)"
check_match "vnlctl show m1 (text): parent p0 mode bridge" "parent p0 mode bridge" \
	"$(vnlctl -n "$HOST" show m1)"
check "ip link set m1 netns Y" ip -n "$HOST" link set m1 netns "$Y"
check "m1 is in Y, not in HOST" eval "link_exists -n $Y m1 && link_absent -n $HOST m1"
json=$(vnlctl -n "$Y" -j show m1)
check_eq "in Y, m1 is still a bridge-mode child of p0 with its MAC" "macvlan p0 bridge $MAC1" \
	"$(json_get "$json" kind) $(json_get "$json" parent) $(json_get "$json" mode) $(json_get "$json" address)"
mv_ip "$Y" m1 10.80.0.2/24
check "m1 has carrier in Y" wait_until 10 has_flag "$Y" m1 LOWER_UP
check_eq "m1 (in Y) pings the outside" yes "$(reach "$Y" "$OUT_IP")"

check "ip link set m1 netns Z (a second move)" ip -n "$Y" link set m1 netns "$Z"
check "m1 is in Z, not in Y" eval "link_exists -n $Z m1 && link_absent -n $Y m1"
mv_ip "$Z" m1 10.80.0.2/24
check "m1 has carrier in Z" wait_until 10 has_flag "$Z" m1 LOWER_UP
check_eq "m1 (in Z) pings the outside" yes "$(reach "$Z" "$OUT_IP")"
check_eq "m1 (in Z) still has its mode and MAC" "bridge $MAC1" \
	"$(vnl_field "$Z" m1 mode) $(mac_of "$Z" m1)"

# A child of the parent's own netns, next to them.
check "vnlctl -n HOST add macvlan m2 parent p0 (stays in HOST)" \
	vnlctl -n "$HOST" add macvlan m2 parent p0
mv_ip "$HOST" m2 10.80.0.3/24
check "m2 has carrier" wait_until 10 has_flag "$HOST" m2 LOWER_UP
check_eq "m2 (in HOST) pings the outside" yes "$(reach "$HOST" "$OUT_IP")"

# --- deleting the child's netns -----------------------------------------------------------

cleanup_ns "$X"
check "ip netns del X: m0's MAC is free on p0 again (a new child takes it)" \
	wait_until 30 vnlctl -n "$HOST" add macvlan m3 parent p0 address "$MAC0"
check_eq "... and nothing moved to the init netns" "$init_links" "$(link_names)"
check "vnlctl del m3" vnlctl -n "$HOST" del m3
check "... m3 is gone" link_absent -n "$HOST" m3
check "vnlctl add macvlan m4 parent p0, then ip link del m4" \
	eval "vnlctl -n $HOST add macvlan m4 parent p0 && ip -n $HOST link del m4 && ! ip -n $HOST link show dev m4"

# --- deleting the parent ----------------------------------------------------------------------

check "ip link del p0 (children in Z and HOST)" ip -n "$HOST" link del p0
only_lo() { [[ $(link_names "$1") == lo ]]; }
check "m1 is gone from Z" wait_until 30 only_lo "$Z"
check "m2 is gone from HOST (HOST has only lo)" wait_until 30 only_lo "$HOST"
check_eq "vnlctl show lists nothing in Z and in HOST" "0 0" "$(vnl_count "$Z") $(vnl_count "$HOST")"
check_eq "nothing moved to the init netns" "$init_links" "$(link_names)"

# --- deleting the parent's netns --------------------------------------------------------------

setup_ns H2 W1 W2
ip -n "$H2" link add d0 type dummy
ip -n "$H2" link set d0 up
check "two children of a dummy in H2, made in W1 and W2" \
	eval "vnlctl -n $H2 add macvlan w1 parent d0 netns $W1 && vnlctl -n $H2 add macvlan w2 parent d0 mode bridge netns $W2"
check "w1 and w2 exist" eval "link_exists -n $W1 w1 && link_exists -n $W2 w2"
cleanup_ns "$H2"
check "ip netns del H2 (the parent's): w1 is gone from W1" wait_until 60 only_lo "$W1"
check "... and w2 from W2" wait_until 60 only_lo "$W2"
check_eq "... nothing moved to the init netns" "$init_links" "$(link_names)"

exit_status
