#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host cannot reach its own macvlan children through the parent: what
# the parent sends goes out on the wire, and the children never see it.
# The classic fix (the "macvlan shim" of the container articles) is a child
# of the host's own, in bridge mode, that takes the host's address and
# a route to the children: bridge-mode children reach each other directly.
#
#   ns N1: c1 10.78.0.1/24 (bridge) --+
#   ns HOST: shim 10.78.0.100/32 -----+-- p0 10.78.0.10/24 (ns HOST) <-veth-> o0 -- br0 10.78.0.254/24 (ns OUT)
#            (bridge, route 10.78.0.1/32 dev shim)
#
# Done with vnl children (the shim a vnl child too) and with the kernel's
# macvlan; the answers must be the same, and the documented ones.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd jq
mv_has_kernel_macvlan || skip_test "the kernel has no macvlan"

mv_impls
declare -A ROW

# experiment IMPL: "host->c1 host->out c1->host | host->c1 host->out c1->host c1->out"
# before and after the shim.
experiment() {
	local impl=$1 before after
	setup_ns HOST OUT N1
	no_ipv6 "$HOST" "$OUT" "$N1"
	if ! mv_wire "$HOST" "$OUT" off || ! mv_add "$impl" "$HOST" p0 c1 bridge "$N1"; then
		cleanup_ns "$HOST" "$OUT" "$N1"
		RES=setup-failed
		return
	fi
	ip -n "$OUT" addr add 10.78.0.254/24 dev br0
	ip -n "$HOST" addr add 10.78.0.10/24 dev p0
	mv_ip "$N1" c1 10.78.0.1/24
	wait_until 10 has_flag "$N1" c1 LOWER_UP
	before="$(reach "$HOST" 10.78.0.1) $(reach "$HOST" 10.78.0.254) $(reach "$N1" 10.78.0.10)"

	# The shim: the host's address for the children and the route to
	# them move to a bridge-mode child of the host's own.
	if ! mv_add "$impl" "$HOST" p0 shim bridge; then
		cleanup_ns "$HOST" "$OUT" "$N1"
		RES="$before | shim-refused"
		return
	fi
	ip -n "$HOST" addr add 10.78.0.100/32 dev shim
	ip -n "$HOST" link set shim up
	ip -n "$HOST" route add 10.78.0.1/32 dev shim
	wait_until 10 has_flag "$HOST" shim LOWER_UP
	after="$(reach "$HOST" 10.78.0.1) $(reach "$HOST" 10.78.0.254) $(reach "$N1" 10.78.0.100)"
	# ... and the child still reaches the outside.
	after+=" $(reach "$N1" 10.78.0.254)"
	cleanup_ns "$HOST" "$OUT" "$N1"
	RES="$before | $after"
}

for impl in "${IMPLS[@]}"; do
	experiment "$impl"
	ROW[$impl]=$RES
	echo "INFO: $impl: before the shim (host->c1 host->out c1->host) | after (the same, c1->out): ${ROW[$impl]}"
done

for impl in "${IMPLS[@]}"; do
	read -r a b c _ <<<"${ROW[$impl]}"
	check_eq "$impl: the host cannot ping its child through the parent" no "$a"
	check_eq "$impl: ... the child cannot ping the host's parent address" no "$c"
	check_eq "$impl: ... while the host reaches the outside" yes "$b"
	check_eq "$impl: with a bridge-mode shim: host->c1, host->out, c1->shim, c1->out" \
		"yes yes yes yes" "${ROW[$impl]#* | }"
done
if [[ -n $COMPARED ]]; then
	check_eq "vnl == kernel macvlan, before and after the shim" "${ROW[kernel]}" "${ROW[vnl]}"
fi

exit_status
