#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: what a packet costs in system calls, alone and in batches
# (Documentation/labs/batches.md).  A persistent tun; Documentation/labs/
# tun-batch.py plays its far end and moves 200 packets of 64 bytes each
# way, one per call, then in batch mode (VNL_IOC_SET_BATCH); strace -c
# -P /dev/vnl counts the calls on the file: 200 write() and 200 read()
# against 4 and 4, one ioctl() more (the batch mode).  Each time the
# socket gets every datagram written, and bt0's counters (ip -s link)
# move by 200 packets each way.  No time is measured.  The commands are
# the page's, in its order.
#
#   ns B: bt0 10.227.0.1 peer 10.227.0.2 <-- /dev/vnl --> tun-batch.py
#         a UDP socket on 10.227.0.1:9999 (tun-batch.py's own)

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd python3
require_cmd strace

LABS=$(cd "$(dirname "$0")/../Documentation/labs" && pwd)
[[ -r $LABS/tun-batch.py ]] || skip_test "no Documentation/labs/tun-batch.py"

ADDR=10.227.0.1
PEER=10.227.0.2
K=200

setup_ns B
no_ipv6 "$B"

# counter DIR FIELD: a number of `ip -s link show bt0`, as the page reads
# it: DIR is RX or TX, FIELD 1 for bytes, 2 for packets.
counter() {
	ip -n "$B" -s link show bt0 | awk -v dir="$1:" -v f="$2" \
		'$1 == dir { getline; print $f; exit }'
}

# calls SYSCALL FILE: the calls column of strace -c's row for SYSCALL
# (the fourth: % time, seconds, usecs/call, calls, [errors,] syscall).
calls() {
	awk -v sc="$1" '$NF == sc && $4 ~ /^[0-9]+$/ { print $4; exit }' "$2"
}

# lab OUT MODE [COMMAND...]: tun-batch.py in MODE (under COMMAND, for
# strace), its output (and strace's table) in $TEST_TMP/OUT.
lab() {
	local out=$TEST_TMP/$1 mode=$2
	shift 2
	ip netns exec "$B" "$@" python3 "$LABS/tun-batch.py" bt0 "$ADDR" "$PEER" "$K" "$mode" \
		>"$out" 2>&1 </dev/null
	sed 's/^/    /' "$out"
}

# check_run OUT MODE WRITES READS: what the program said it did, and the
# counters, which must have moved by K packets each way since $rx0/$tx0.
check_run() {
	local out=$TEST_TMP/$1 mode=$2 w=$3 r=$4 nl=$'\n'
	check_match "$mode: $K packets in $w write() calls" \
		"(^|$nl)write: $K packets in $w write\(\) calls on /dev/vnl" "$(<"$out")"
	check_match "$mode: the socket received all $K datagrams" \
		"(^|$nl)the socket on $ADDR:9999 received $K datagrams" "$(<"$out")"
	check_match "$mode: $K packets in $r read() calls" \
		"(^|$nl)read: $K packets in $r read\(\) calls on /dev/vnl" "$(<"$out")"
	check_eq "$mode: ip -s link: RX packets up by $K" "$((rx0 + K))" "$(counter RX 2)"
	check_eq "$mode: ip -s link: TX packets up by $K" "$((tx0 + K))" "$(counter TX 2)"
	rx0=$(counter RX 2)
	tx0=$(counter TX 2)
}

echo "# step 1: a tun and its far end"
check "vnlctl add tun bt0" vnlctl -n "$B" add tun bt0 || exit_status
ip netns exec "$B" sysctl -qw net.ipv6.conf.bt0.disable_ipv6=1
ip -n "$B" addr add "$ADDR" peer "$PEER" dev bt0
ip -n "$B" link set bt0 up
rx0=$(counter RX 2)
tx0=$(counter TX 2)
check_eq "bt0 has moved no packet yet (RX, TX)" "0 0" "$rx0 $tx0"

echo "# step 2: one packet per call"
lab single single
check_match "tun-batch.py attached to bt0, one packet per call" \
	"^attached to bt0, one packet per call" "$(<"$TEST_TMP/single")"
check_run single single $K $K
check_eq "ip -s link: RX bytes, 200 packets of 64" "$((K * 64))" "$(counter RX 1)"
check_eq "ip -s link: TX bytes, 200 datagrams of 32 (IP, UDP, 4 bytes)" \
	"$((K * 32))" "$(counter TX 1)"

echo "# step 3: count the calls"
lab strace-single single strace -c -P /dev/vnl
check_run strace-single "strace, single" $K $K
for sc in write:$K read:$K ioctl:1 openat:1 close:1; do
	check_eq "strace -c, single: ${sc%:*} ${sc#*:}" "${sc#*:}" \
		"$(calls "${sc%:*}" "$TEST_TMP/strace-single")"
done

echo "# step 4: in batches"
lab strace-batch batch strace -c -P /dev/vnl
check_match "tun-batch.py attached to bt0, in batch mode" \
	"^attached to bt0, in batch mode" "$(<"$TEST_TMP/strace-batch")"
check_run strace-batch "strace, batch" 4 4
for sc in write:4 read:4 ioctl:2 openat:1 close:1; do
	check_eq "strace -c, batch: ${sc%:*} ${sc#*:}" "${sc#*:}" \
		"$(calls "${sc%:*}" "$TEST_TMP/strace-batch")"
done

echo "# step 5: what a call costs (the times are printed, not checked)"
lab again-single single
check_run again-single "again, single" $K $K
lab again-batch batch
check_run again-batch "again, batch" 4 4

check "vnlctl del bt0" vnlctl -n "$B" del bt0
exit_status
