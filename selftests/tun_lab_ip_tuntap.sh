#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: `ip tuntap` itself, on /dev/vnl (Documentation/labs/ip-tuntap.md).
# ip tuntap opens /dev/net/tun by name; in a mount namespace of its own,
# with /dev/vnl bound over that name, it makes and deletes vnl devices.
# ip tuntap add makes a persistent tap and a tun; vnlctl and ip -d link
# show them as vnl's; ip tuntap show lists neither (it asks for kind tun);
# the tap has no carrier until a program (Documentation/labs/
# tap-responder.py) attaches, then a ping through it is answered; ip
# tuntap del deletes both.  The commands are the page's, in its order.
#
#   ns T: tap0 10.226.0.1/24 <-- /dev/vnl --> tap-responder.py plays 10.226.0.2
#         tun0 (multi_queue)

# The whole test runs in a mount namespace of its own, as the page's
# shell does after `unshare -m`.
if [[ -z ${VNL_LAB_MNTNS:-} ]]; then
	VNL_LAB_MNTNS=1 exec unshare -m "$0" "$@"
fi

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd python3

LABS=$(cd "$(dirname "$0")/../Documentation/labs" && pwd)
[[ -r $LABS/tap-responder.py ]] || skip_test "no Documentation/labs/tap-responder.py"

setup_ns T
no_ipv6 "$T"

echo "# /dev/vnl over /dev/net/tun, in this mount namespace only"
[[ -e /dev/net/tun ]] || modprobe tun 2>/dev/null ||
	skip_test "no /dev/net/tun to bind over (this kernel has no tun)"
check "mount --bind /dev/vnl /dev/net/tun" mount --bind /dev/vnl /dev/net/tun || exit_status
check_eq "/dev/net/tun is /dev/vnl now (same major:minor)" \
	"$(stat -c %t:%T /dev/vnl)" "$(stat -c %t:%T /dev/net/tun)"

echo "# ip tuntap add"
check "ip tuntap add dev tap0 mode tap" ip -n "$T" tuntap add dev tap0 mode tap || exit_status
check "ip tuntap add dev tun0 mode tun multi_queue" \
	ip -n "$T" tuntap add dev tun0 mode tun multi_queue
out=$(vnlctl -n "$T" show)
printf '    %s\n' "${out//$'\n'/$'\n    '}"
nl=$'\n'
check_match "vnlctl show: tap0, a persistent tap" \
	"tap0: kind tap [^$nl]*$nl +address [^$nl]*$nl +queues 0 persist($nl|$)" "$out"
check_match "vnlctl show: tun0, a persistent multi-queue tun" \
	"tun0: kind tun [^$nl]*$nl +(address [^$nl]*$nl +)?queues 0 multi-queue persist($nl|$)" "$out"
out=$(ip -n "$T" -d link show dev tap0)
check_match "ip -d link show tap0: vnl kind tap" "$nl +vnl kind tap " "$out"
out=$(ip -n "$T" tuntap show)
check_eq "ip tuntap show: nothing (it lists kind tun only)" "" "$out"

echo "# tap0 at work: a program on its other end"
ip -n "$T" addr add 10.226.0.1/24 dev tap0
ip -n "$T" link set tap0 up
check "tap0, up, has no carrier: no program has it open" has_flag "$T" tap0 NO-CARRIER
ip netns exec "$T" python3 "$LABS/tap-responder.py" tap0 10.226.0.2 02:00:00:00:26:02 \
	>"$TEST_TMP/responder.out" 2>&1 </dev/null &
responder=$!
track_bg "$responder"
check "tap-responder.py attached to tap0" \
	wait_until 60 grep -q '^attached to tap0' "$TEST_TMP/responder.out" ||
	{ cat "$TEST_TMP/responder.out"; exit_status; }
check "tap0 has carrier, its qdisc active" wait_until 20 oper_up "$T" tap0
check "ping 10.226.0.2: answered by the program" vping "$T" 10.226.0.2 -c 2 -i 0.3 -W 5
kill "$responder"
wait "$responder" 2>/dev/null
check "tap0 has no carrier again once the program is gone" \
	wait_until 20 has_flag "$T" tap0 NO-CARRIER

echo "# ip tuntap del"
check "ip tuntap del dev tap0 mode tap" ip -n "$T" tuntap del dev tap0 mode tap
check "ip tuntap del dev tun0 mode tun multi_queue" \
	ip -n "$T" tuntap del dev tun0 mode tun multi_queue
check_eq "no vnl device left in t" "" "$(vnlctl -n "$T" show)"

exit_status
