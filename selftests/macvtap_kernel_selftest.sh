#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own tun selftest (Linux 6.12's tools/testing/selftests/
# net/tun.c, as tun_kernel_selftest.sh runs it on /dev/vnl) pointed at a
# macvlan child's tap face: each of its cases attaches two files to
# "tap0" with TUNSETIFF(IFF_TAP | IFF_NAPI | IFF_MULTI_QUEUE), then
# detaches, reattaches (TUNSETQUEUE), deletes (RTM_DELLINK) and closes in
# the order its name says.  Here tap0 is a multi-queue face made before
# each case, so that every step meets the face: IFF_NAPI taken and
# ignored, detached and reattached queues, the child deleted under its
# files.
#
# Its fixture asks for no name (a new "tap%d"), which would make a tap of
# its own next to the face; make -C selftests builds it with that one more
# change, the name tap0 (build/ksft-6.12/net/tun-vnl-face, from
# tun-vnl-face.c).  Each case runs alone (the harness's -t), in a netns of
# its own with a fresh face, and must pass; its RTM_DELLINK is sent
# without an ACK, so the test also checks that it deleted the face: tap0
# gone, and no vnl device made by the case.
#
#   ns A: d0 (dummy) -- tap0  tap face, multi-queue

source "$(dirname "$0")/lib.sh"

require_vnl

CACHE=$(cd "$VNL_SELFTESTS/.." && pwd)/build/ksft-6.12/net
BIN=$CACHE/tun-vnl-face
[[ -x $BIN && -f $CACHE/tun-vnl-face.c ]] ||
	skip_test "needs $BIN: run make -C selftests on the host"

# Both changes made, and only them: the device path and the fixture's name.
check_eq "tun-vnl-face.c opens /dev/vnl, never /dev/net/tun" "1 0" \
	"$(grep -c '"/dev/vnl"' "$CACHE/tun-vnl-face.c") $(grep -c /dev/net/tun "$CACHE/tun-vnl-face.c")"
check_eq "its fixture asks for tap0, not for a new tap%d" "1 0" \
	"$(grep -c 'strcpy(self->ifname, "tap0");' "$CACHE/tun-vnl-face.c") $(grep -c 'memset(self->ifname' "$CACHE/tun-vnl-face.c")"

# -l: the fixture's name, then one case a line, the name last.
NL=$'\n'
cases=$("$BIN" -l 2>&1 | awk '/^tun /{f=1} f && NF {print $NF}')
n=$(wc -w <<<"$cases")
check_ge "its list (-l) names its five cases" 5 "$n"

for c in $cases; do
	setup_ns A
	if ! { ip -n "$A" link add d0 type dummy && ip -n "$A" link set d0 up; }; then
		check_fail "[$c] a dummy parent d0"
		cleanup_ns "$A"
		continue
	fi
	check "[$c] vnlctl add macvlan tap0 parent d0 mode bridge tap multi-queue" \
		vnlctl -n "$A" add macvlan tap0 parent d0 mode bridge tap multi-queue ||
		{ cleanup_ns "$A"; continue; }

	out=$(ip netns exec "$A" timeout 120 "$BIN" -t "$c" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	check_eq "[$c] exits 0 on the face" 0 "$rc"
	check_match "[$c] its one case passed" "(^|$NL)ok 1 tun\\.$c(\$|$NL)" "$out"
	check_match "[$c] its totals: pass 1, fail 0" '# Totals: pass:1 fail:0 ' "$out"
	check "[$c] its RTM_DELLINK deleted the face" link_absent -n "$A" tap0
	names=$(link_names "$A")
	check_eq "[$c] nothing else was made: lo and d0 left" "lo d0" "${names//$NL/ }"
	cleanup_ns "$A"
done

exit_status
